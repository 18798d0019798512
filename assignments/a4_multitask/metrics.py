"""Segmentation metrics: the confusion matrix and the mean intersection over union."""
import numpy as np


def confusion_matrix(pred, target, num_classes):
    """
    Pixel confusion matrix, rows = true class, columns = predicted class (scikit-learn's convention).

    Pixels whose target is outside 0..num_classes-1 (an "ignore" label such as 255) are left out.

    Inputs:
    - pred: integer numpy array of any shape, predicted classes 0..num_classes-1.
    - target: integer numpy array of the same shape, true classes.
    - num_classes: K.

    Returns:
    - conf: int64 numpy array (K, K); conf[t, p] = the number of pixels of true class t predicted as p.
    """
    conf = None
    # YOUR CODE HERE
    raise NotImplementedError()
    return conf


def mean_iou(conf):
    """
    Mean intersection over union from a confusion matrix.

    IoU_k = conf[k, k] / (row sum k + column sum k - conf[k, k]): true positives over the pixels that are
    class k in the target, in the prediction, or both. Classes absent from both target and prediction
    (a zero denominator) are left out of the mean; with no class present at all the result is nan.

    Inputs:
    - conf: numpy array (K, K), as confusion_matrix returns.

    Returns:
    - miou: float.
    """
    miou = None
    # YOUR CODE HERE
    raise NotImplementedError()
    return miou
