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
    # YOUR CODE HERE
    raise NotImplementedError()
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
    # YOUR CODE HERE
    raise NotImplementedError()
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
    # YOUR CODE HERE
    raise NotImplementedError()
    return detections
