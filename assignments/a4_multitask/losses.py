"""The losses of the multi-task network: CenterNet's three detection terms and the segmentation term."""
import torch
import torch.nn.functional as F

EPS = 1e-4


def focal_loss(pred_heatmap, target_heatmap):
    """
    CenterNet's penalty-reduced pixel-wise focal loss (Law and Deng's CornerNet, alpha = 2, beta = 4).

    With p = pred clamped to [EPS, 1 - EPS] and y the target:

      loss = -1/P * sum over cells of   (1 - p)^2 log(p)                 where y == 1   (the P peaks)
                                        (1 - y)^4 p^2 log(1 - p)         elsewhere

    P is the number of cells where y == 1; with none, the loss is minus the second sum alone.

    Inputs:
    - pred_heatmap: (N, C, H, W) after the sigmoid
    - target_heatmap: (N, C, H, W) in [0, 1], exactly 1 at the object centres

    Returns:
    - loss: scalar tensor
    """
    loss = None
    # YOUR CODE HERE
    raise NotImplementedError()
    return loss


def reg_l1_loss(pred, target, mask):
    """
    L1 regression at the object centres only: the mean absolute error over the masked entries,

      sum(|pred - target| * mask) / (sum(mask) * 2 + EPS)

    with mask broadcast over the 2 channels (so each centre counts twice: x and y, or w and h).

    Inputs:
    - pred, target: (N, 2, H, W)
    - mask: (N, H, W), 1 at the centres, 0 elsewhere

    Returns:
    - loss: scalar tensor
    """
    loss = None
    # YOUR CODE HERE
    raise NotImplementedError()
    return loss


def seg_loss(logits, mask, dice_weight=0.0):
    """
    Per-pixel cross-entropy, plus `dice_weight` times the soft Dice loss:

      dice = 1 - mean over the K classes of (2 sum(s_k t_k) + 1) / (sum(s_k) + sum(t_k) + 1)

    s = softmax(logits) over the class axis, t the one-hot mask, sums over the batch and the pixels.

    Inputs:
    - logits: (N, K, H, W)
    - mask: (N, H, W) integer classes 0..K-1

    Returns:
    - loss: scalar tensor
    """
    loss = None
    # YOUR CODE HERE
    raise NotImplementedError()
    return loss


def multitask_loss(outputs, targets, weights):
    """
    The weighted sum of the four terms:

      total = w["heatmap"] focal_loss(heatmap) + w["wh"] reg_l1_loss(wh) + w["offset"] reg_l1_loss(offset)
              + w["seg"] seg_loss(seg, dice_weight=w.get("dice", 0))

    Inputs:
    - outputs: MultiTaskNet's dict (seg, heatmap, wh, offset)
    - targets: dict of tensors: heatmap (N, C, H', W'), wh and offset (N, 2, H', W'), reg_mask (N, H', W'),
      mask (N, H, W) the semantic classes
    - weights: dict with keys heatmap, wh, offset, seg, and optionally dice (default 0)

    Returns:
    - a dict of scalar tensors: total, and the terms before weighting: heatmap, wh, offset, seg (the last
      with dice_weight = w["dice"])
    """
    parts = None
    # YOUR CODE HERE
    raise NotImplementedError()
    return parts
