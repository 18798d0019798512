"""Segmentation metrics: the confusion matrix and the mean intersection over union (mIoU)."""
import numpy as np


def confusion_matrix(pred, target, num_classes):
    """
    Count pixels by (true class, predicted class), as scikit-learn's confusion_matrix(y_true, y_pred) does:
    conf[i, j] is the number of pixels of true class i predicted as j. Pixels whose true or predicted class
    lies outside 0..num_classes-1 are not counted.

    Inputs:
    - pred, target: integer arrays of the same shape (any), the predicted and the true classes
    - num_classes: K

    Returns:
    - conf: int64 array (K, K)
    """
    conf = None
    ### BEGIN SOLUTION
    pred, target = np.asarray(pred).ravel().astype(np.int64), np.asarray(target).ravel().astype(np.int64)
    valid = (pred >= 0) & (pred < num_classes) & (target >= 0) & (target < num_classes)
    conf = np.bincount(target[valid] * num_classes + pred[valid], minlength=num_classes ** 2)
    conf = conf.reshape(num_classes, num_classes).astype(np.int64)
    ### END SOLUTION
    return conf


def mean_iou(conf):
    """
    The mean over classes of IoU_k = TP_k / (TP_k + FP_k + FN_k), from a confusion matrix (rows true,
    columns predicted). A class absent from both the truth and the prediction (TP + FP + FN = 0) has no
    IoU and is left out of the mean; with no class left, the result is nan.

    Inputs:
    - conf: (K, K) counts

    Returns:
    - miou: float
    """
    miou = None
    ### BEGIN SOLUTION
    conf = np.asarray(conf, dtype=np.float64)
    tp = np.diag(conf)
    union = conf.sum(axis=0) + conf.sum(axis=1) - tp  # TP + FP + FN
    present = union > 0
    miou = float(np.mean(tp[present] / union[present])) if present.any() else float("nan")
    ### END SOLUTION
    return miou
