"""From network outputs to boxes: IoU, non-maximum suppression (written by hand), CenterNet decoding.

Boxes here are corners [x1, y1, x2, y2] in input pixels (x2 > x1 and y2 > y1 for a box with area);
COCO's [x, y, w, h] is train.predict's job.
"""
import torch
import torch.nn.functional as F


def box_iou(a, b):
    """
    Pairwise intersection over union.

    IoU = area(a & b) / area(a | b); boxes that only touch, or do not meet, have IoU 0, and so does a
    pair whose union has no area (two degenerate boxes). A box with x2 < x1 or y2 < y1 has area 0.

    Inputs:
    - a: tensor (N, 4), corners [x1, y1, x2, y2].
    - b: tensor (M, 4), corners.

    Returns:
    - iou: tensor (N, M), in [0, 1].
    """
    iou = None
    ### BEGIN SOLUTION
    area_a = (a[:, 2] - a[:, 0]).clamp(min=0) * (a[:, 3] - a[:, 1]).clamp(min=0)  # (N,)
    area_b = (b[:, 2] - b[:, 0]).clamp(min=0) * (b[:, 3] - b[:, 1]).clamp(min=0)  # (M,)
    top_left = torch.maximum(a[:, None, :2], b[None, :, :2])  # (N, M, 2)
    bottom_right = torch.minimum(a[:, None, 2:], b[None, :, 2:])  # (N, M, 2)
    inter = (bottom_right - top_left).clamp(min=0).prod(dim=2)  # (N, M)
    union = area_a[:, None] + area_b[None, :] - inter
    iou = torch.where(union > 0, inter / union.clamp(min=1e-12), torch.zeros_like(inter))
    ### END SOLUTION
    return iou


def nms(boxes, scores, iou_threshold, labels=None):
    """
    Greedy non-maximum suppression.

    Visit the boxes by decreasing score (equal scores in their input order: a stable sort); keep a box
    unless a box kept before it overlaps it with IoU > iou_threshold (strictly). With `labels`, only
    boxes of the same label suppress each other (per-class NMS); without, any box may (class-agnostic).

    Inputs:
    - boxes: tensor (N, 4), corners [x1, y1, x2, y2].
    - scores: tensor (N,).
    - iou_threshold: float.
    - labels: optional int tensor (N,).

    Returns:
    - keep: int64 tensor (K,), indices into boxes of the kept boxes, by decreasing score.
    """
    keep = []
    ### BEGIN SOLUTION
    order = torch.sort(scores, descending=True, stable=True).indices
    iou = box_iou(boxes, boxes)  # (N, N)
    if labels is not None:
        iou = iou * (labels[:, None] == labels[None, :])
    suppressed = torch.zeros(len(boxes), dtype=torch.bool)
    for i in order.tolist():
        if suppressed[i]:
            continue
        keep.append(i)
        suppressed |= iou[i] > iou_threshold
    ### END SOLUTION
    return torch.tensor(keep, dtype=torch.int64)


def decode(outputs, k=100, threshold=0.05, stride=4):
    """
    CenterNet decoding: peaks of the heatmaps become boxes.

    Per image: a cell is a peak when its heatmap value equals the maximum of its 3 x 3 neighbourhood
    (max pooling, stride 1, padding 1) in the same class; of all peaks (all classes) keep the k with
    the highest values, then those with value >= threshold. A peak of class c at cell (i, j) (column,
    row) with offset (ox, oy) and size (w, h) there gives the centre ((i + ox) stride, (j + oy) stride)
    and the box [cx - w stride / 2, cy - h stride / 2, cx + w stride / 2, cy + h stride / 2] in input pixels.

    Inputs:
    - outputs: dict with "heatmap" (N, C, h, w) after the sigmoid, "wh" (N, 2, h, w), "offset" (N, 2, h, w).
    - k: the number of peaks kept before the threshold, per image.
    - threshold: the least score kept.
    - stride: input pixels per heatmap cell.

    Returns a list of N dicts, one per image, each with:
    - boxes: float tensor (K, 4), corners in input pixels.
    - scores: float tensor (K,), the peaks' heatmap values, decreasing.
    - labels: int64 tensor (K,), classes 0..C-1.
    """
    detections = []
    ### BEGIN SOLUTION
    heat, wh, offset = outputs["heatmap"], outputs["wh"], outputs["offset"]
    N, C, H, W = heat.shape
    peaks = heat * (F.max_pool2d(heat, 3, stride=1, padding=1) == heat)  # (N, C, H, W), 0 off the peaks
    scores, index = peaks.reshape(N, -1).topk(min(k, C * H * W), dim=1)  # (N, k): index = c * H * W + j * W + i
    labels, cell = index // (H * W), index % (H * W)
    for n in range(N):
        keep = scores[n] >= threshold
        s, c, p = scores[n][keep], labels[n][keep], cell[n][keep]
        j, i = p // W, p % W
        cx = (i + offset[n, 0].reshape(-1)[p]) * stride
        cy = (j + offset[n, 1].reshape(-1)[p]) * stride
        bw, bh = wh[n, 0].reshape(-1)[p] * stride, wh[n, 1].reshape(-1)[p] * stride
        boxes = torch.stack([cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2], dim=1)  # (K, 4)
        detections.append({"boxes": boxes, "scores": s, "labels": c})
    ### END SOLUTION
    return detections
