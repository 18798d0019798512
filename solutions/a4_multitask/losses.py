"""The multi-task loss: CenterNet's focal loss on heatmaps, L1 on sizes and offsets, cross-entropy on pixels."""
import torch
import torch.nn.functional as F

EPS = 1e-4  # predicted heatmaps are clamped to [EPS, 1 - EPS] before the logarithms
DEFAULT_WEIGHTS = {"heatmap": 1.0, "wh": 0.1, "offset": 1.0, "seg": 1.0}  # CenterNet's 1 / 0.1 / 1, and 1 for pixels


def focal_loss(pred_heatmap, target_heatmap):
    """
    CenterNet's penalty-reduced pixel-wise focal loss (alpha = 2, beta = 4).

    With p = pred clamped to [EPS, 1 - EPS], y = target, and P = the number of cells where y == 1:

      loss = -(1 / max(P, 1)) * sum over all cells of
               (1 - p)^2 log(p)                   where y == 1
               (1 - y)^4 p^2 log(1 - p)           elsewhere

    The (1 - y)^4 factor reduces the penalty near a true centre, where the Gaussian target is close to 1.

    Inputs:
    - pred_heatmap: tensor (N, C, H, W), probabilities (after a sigmoid).
    - target_heatmap: tensor (N, C, H, W), values in [0, 1], exactly 1 at object centres.

    Returns:
    - loss: scalar tensor (differentiable with respect to pred_heatmap).
    """
    loss = None
    ### BEGIN SOLUTION
    p = pred_heatmap.clamp(EPS, 1 - EPS)
    pos = target_heatmap.eq(1).to(p.dtype)
    neg = 1 - pos
    pos_loss = (1 - p) ** 2 * torch.log(p) * pos
    neg_loss = (1 - target_heatmap) ** 4 * p ** 2 * torch.log(1 - p) * neg
    loss = -(pos_loss.sum() + neg_loss.sum()) / pos.sum().clamp(min=1)
    ### END SOLUTION
    return loss


def reg_l1_loss(pred, target, mask):
    """
    L1 loss on the cells that hold an object: sum(mask * |pred - target|) / (sum(mask) + 1e-4), the
    sum running over the batch, both channels and all cells (so the loss is per object, both channels added).

    Inputs:
    - pred: tensor (N, 2, H, W), predicted sizes or offsets.
    - target: tensor (N, 2, H, W).
    - mask: tensor (N, H, W), 1 at object cells, 0 elsewhere.

    Returns:
    - loss: scalar tensor.
    """
    loss = None
    ### BEGIN SOLUTION
    m = mask.unsqueeze(1).to(pred.dtype)  # (N, 1, H, W)
    loss = (m * (pred - target).abs()).sum() / (mask.sum() + 1e-4)
    ### END SOLUTION
    return loss


def seg_loss(logits, mask, dice_weight=0.0):
    """
    Segmentation loss: the mean per-pixel cross-entropy, plus dice_weight times (1 - mean soft Dice).

    Soft Dice of class k over the whole batch, with q = softmax(logits) over classes and t = one-hot(mask):
    dice_k = (2 sum(q_k t_k) + 1) / (sum(q_k) + sum(t_k) + 1); the mean runs over all K classes.

    Inputs:
    - logits: tensor (N, K, H, W), K = C + 1 classes with background.
    - mask: int64 tensor (N, H, W), classes 0..K-1.
    - dice_weight: float >= 0 (0: cross-entropy only).

    Returns:
    - loss: scalar tensor.
    """
    loss = None
    ### BEGIN SOLUTION
    loss = F.cross_entropy(logits, mask)
    if dice_weight:
        K = logits.shape[1]
        q = logits.softmax(dim=1)  # (N, K, H, W)
        t = F.one_hot(mask, K).permute(0, 3, 1, 2).to(q.dtype)  # (N, K, H, W)
        dice = (2 * (q * t).sum(dim=(0, 2, 3)) + 1) / (q.sum(dim=(0, 2, 3)) + t.sum(dim=(0, 2, 3)) + 1)  # (K,)
        loss = loss + dice_weight * (1 - dice.mean())
    ### END SOLUTION
    return loss


def multitask_loss(outputs, targets, weights=None):
    """
    The weighted sum of the four losses.

      total = weights["heatmap"] * focal_loss(outputs["heatmap"], targets["heatmap"])
            + weights["wh"]      * reg_l1_loss(outputs["wh"], targets["wh"], targets["reg_mask"])
            + weights["offset"]  * reg_l1_loss(outputs["offset"], targets["offset"], targets["reg_mask"])
            + weights["seg"]     * seg_loss(outputs["seg"], targets["mask"])

    Inputs:
    - outputs: MultiTaskNet's dict ("seg", "heatmap", "wh", "offset").
    - targets: dict of tensors: "heatmap" (N, C, h, w), "wh" and "offset" (N, 2, h, w), "reg_mask" (N, h, w),
      "mask" int64 (N, H, W).
    - weights: dict with the four keys above; None means DEFAULT_WEIGHTS.

    Returns:
    - total: scalar tensor.
    - parts: dict of the four unweighted losses (scalar tensors), keys "heatmap", "wh", "offset", "seg".
    """
    weights = DEFAULT_WEIGHTS if weights is None else weights
    total, parts = None, {}
    ### BEGIN SOLUTION
    parts["heatmap"] = focal_loss(outputs["heatmap"], targets["heatmap"])
    parts["wh"] = reg_l1_loss(outputs["wh"], targets["wh"], targets["reg_mask"])
    parts["offset"] = reg_l1_loss(outputs["offset"], targets["offset"], targets["reg_mask"])
    parts["seg"] = seg_loss(outputs["seg"], targets["mask"])
    total = sum(weights[k] * parts[k] for k in ("heatmap", "wh", "offset", "seg"))
    ### END SOLUTION
    return total, parts
