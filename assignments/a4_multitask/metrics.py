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
    # YOUR CODE HERE
    raise NotImplementedError()
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
    # YOUR CODE HERE
    raise NotImplementedError()
    return miou
