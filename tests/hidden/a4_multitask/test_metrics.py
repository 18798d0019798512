"""Hidden tests for metrics.py: the confusion matrix against scikit-learn's, and mIoU. 4 points."""
import numpy as np
import pytest
from sklearn.metrics import confusion_matrix as sk_confusion

from a4_evaluation import judge_miou
from autograder.testing import assert_close, assert_equal


@pytest.mark.points(2)
@pytest.mark.budget(cpu=5, cuda=5)
def test_confusion_matrix_matches_sklearn(submission, rng, hand_built):
    hand_built.source("metrics.py", "the confusion matrix and mIoU", topics=["metrics"])
    pred, target = rng.integers(0, 4, size=(3, 16, 16)), rng.integers(0, 4, size=(3, 16, 16))
    pred[0, :4] = 1  # make it less uniform
    out = submission.probe("confusion_matrix", pred=pred, target=target, num_classes=4)
    assert_equal(out["conf"], sk_confusion(target.ravel(), pred.ravel(), labels=range(4)),
                 what="confusion_matrix (rows true, columns predicted)")
    target[1, 3:9] = 255  # an ignore label
    out = submission.probe("confusion_matrix", pred=pred, target=target, num_classes=4)
    valid = target.ravel() < 4
    assert_equal(out["conf"], sk_confusion(target.ravel()[valid], pred.ravel()[valid], labels=range(4)),
                 what="confusion_matrix with pixels labelled 255 (ignored)")


@pytest.mark.points(2)
@pytest.mark.budget(cpu=5, cuda=5)
def test_mean_iou_skips_absent_classes(submission, rng):
    full = rng.integers(0, 50, size=(4, 4))
    absent = full.copy()
    absent[2, :] = 0
    absent[:, 2] = 0  # class 2 in neither target nor prediction: left out of the mean
    only_predicted = absent.copy()
    only_predicted[0, 2] = 7  # class 2 predicted but never true: IoU 0, counted
    for conf, what in ((full, "all classes present"), (absent, "class 2 absent from both"),
                       (only_predicted, "class 2 only predicted")):
        out = submission.probe("mean_iou", conf=conf)
        assert out["miou"] is not None, f"mean_iou returned nothing (or nan) for a confusion matrix with {what}"
        assert_close(out["miou"], judge_miou(conf), rtol=1e-9, what=f"mean_iou with {what}")
