"""Hidden tests for metrics.py: the confusion matrix against scikit-learn's, mIoU against a reference. 4 points.

The confusion matrix also sees classes outside 0..K-1 on both sides (an ignore label of -1 or 255, which must not
land in a neighbouring cell), and classes that never occur (the matrix keeps its K x K shape).
"""
import numpy as np
import pytest
from sklearn.metrics import confusion_matrix as sk_confusion

from autograder.authoring import assert_close, assert_equal


@pytest.mark.points(2)
@pytest.mark.budget(cpu=8, cuda=8)
def test_confusion_matrix(call, rng):
    target = rng.integers(0, 4, size=(3, 16, 16))
    pred = np.where(rng.uniform(size=target.shape) < 0.7, target, rng.integers(0, 4, size=target.shape))
    out = call("metrics", "confusion_matrix", pred, target, 4)["out"]
    assert_equal(out, sk_confusion(target.ravel(), pred.ravel(), labels=range(4)),
                 what="confusion_matrix(pred, target, 4) (rows: true class, columns: predicted, as scikit-learn's)")
    pred_out = pred.copy()
    pred_out[0, :2] = 7
    out = call("metrics", "confusion_matrix", pred_out, target, 4)["out"]
    keep = (pred_out < 4).ravel()
    assert_equal(out, sk_confusion(target.ravel()[keep], pred_out.ravel()[keep], labels=range(4)),
                 what="confusion_matrix with predicted classes outside 0..3 (not counted)")
    target_out = target.copy()
    target_out[1, 3:5] = -1     # an ignore label, and negative predictions: not counted either
    target_out[2, 7] = 255
    pred_out[1:, :, 9] = -1
    out = call("metrics", "confusion_matrix", pred_out, target_out, 4)["out"]
    keep = ((pred_out >= 0) & (pred_out < 4) & (target_out >= 0) & (target_out < 4)).ravel()
    assert_equal(out, sk_confusion(target_out.ravel()[keep], pred_out.ravel()[keep], labels=range(4)),
                 what="confusion_matrix with true and predicted classes outside 0..3, negative ones too (not counted)")
    out = call("metrics", "confusion_matrix", pred % 3, target % 3, 5)["out"]
    assert_equal(out, sk_confusion(target.ravel() % 3, pred.ravel() % 3, labels=range(5)),
                 what="confusion_matrix(pred, target, 5) where classes 3 and 4 never occur (a 5 x 5 matrix still)")


def ref_miou(conf):
    conf = np.asarray(conf, np.float64)
    tp = np.diag(conf)
    union = conf.sum(0) + conf.sum(1) - tp
    return float(np.mean(tp[union > 0] / union[union > 0]))


@pytest.mark.points(2)
@pytest.mark.budget(cpu=8, cuda=8)
def test_mean_iou(call, rng):
    conf = rng.integers(0, 50, size=(4, 4))
    out = call("metrics", "mean_iou", conf)["out"]
    assert_close(out, ref_miou(conf), rtol=1e-6, what="mean_iou of a 4 x 4 confusion matrix")
    conf[2, :] = conf[:, 2] = 0   # class 2 absent from the truth and the prediction: left out of the mean
    out = call("metrics", "mean_iou", conf)["out"]
    assert_close(out, ref_miou(conf), rtol=1e-6,
                 what="mean_iou with a class absent from both truth and prediction (it has no IoU: left out)")
    conf = np.diag([10, 0, 5, 0])
    conf[1, 0] = 5   # class 1: in the truth, never predicted -> IoU 0, which counts
    out = call("metrics", "mean_iou", conf)["out"]
    assert_close(out, ref_miou(conf), rtol=1e-6, what="mean_iou with a class present in the truth and never predicted")
