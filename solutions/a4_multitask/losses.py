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
    ### BEGIN SOLUTION
    p = pred_heatmap.clamp(EPS, 1 - EPS)
    pos = target_heatmap.eq(1).float()
    neg = 1 - pos
    pos_loss = (torch.log(p) * (1 - p) ** 2 * pos).sum()
    neg_loss = (torch.log(1 - p) * p ** 2 * (1 - target_heatmap) ** 4 * neg).sum()
    num_pos = pos.sum()
    loss = -neg_loss if num_pos == 0 else -(pos_loss + neg_loss) / num_pos
    ### END SOLUTION
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
    ### BEGIN SOLUTION
    m = mask.unsqueeze(1).expand_as(pred).float()
    loss = (torch.abs(pred - target) * m).sum() / (m.sum() + EPS)
    ### END SOLUTION
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
    ### BEGIN SOLUTION
    target = mask.long()
    # One row per pixel: the same mean as F.cross_entropy(logits, target), but CUDA's per-pixel (2d) kernel sums
    # with atomics in no fixed order, and the flat one does not.
    loss = F.cross_entropy(logits.permute(0, 2, 3, 1).reshape(-1, logits.shape[1]), target.reshape(-1))
    if dice_weight:
        s = F.softmax(logits, dim=1)
        t = F.one_hot(target, logits.shape[1]).permute(0, 3, 1, 2).float()
        dims = (0, 2, 3)
        dice = (2 * (s * t).sum(dims) + 1) / (s.sum(dims) + t.sum(dims) + 1)
        loss = loss + dice_weight * (1 - dice.mean())
    ### END SOLUTION
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
    ### BEGIN SOLUTION
    parts = {
        "heatmap": focal_loss(outputs["heatmap"], targets["heatmap"]),
        "wh": reg_l1_loss(outputs["wh"], targets["wh"], targets["reg_mask"]),
        "offset": reg_l1_loss(outputs["offset"], targets["offset"], targets["reg_mask"]),
        "seg": seg_loss(outputs["seg"], targets["mask"], dice_weight=weights.get("dice", 0.0)),
    }
    parts["total"] = sum(weights[k] * parts[k] for k in ("heatmap", "wh", "offset", "seg"))
    ### END SOLUTION
    return parts
