"""From the network's maps to boxes: IoU, non-maximum suppression, and CenterNet's peak decoding.

Boxes here are corner boxes [x1, y1, x2, y2] in input pixels (continuous coordinates: a box covers
x1 <= x < x2, so its area is (x2 - x1) (y2 - y1)); train.predict converts them to COCO's [x, y, w, h].
torchvision's box_iou and nms do this job in practice; here they are written by hand.
"""
import torch
import torch.nn.functional as F


def box_iou(a, b):
    """
    Pairwise intersection over union.

    Inputs:
    - a: (N, 4) corner boxes; b: (M, 4) corner boxes

    Returns:
    - iou: (N, M); a pair whose union has no area (two degenerate boxes) has IoU 0
    """
    iou = None
    # YOUR CODE HERE
    raise NotImplementedError()
    return iou


def nms(boxes, scores, iou_threshold):
    """
    Greedy non-maximum suppression, class-agnostic: take the highest-scoring box left, drop every box whose
    IoU with it is greater than iou_threshold, repeat. Equal scores keep their input order (the lower index
    first).

    Inputs:
    - boxes: (N, 4) corner boxes; scores: (N,)
    - iou_threshold: float

    Returns:
    - keep: int64 tensor of the kept indices, by decreasing score
    """
    keep = None
    # YOUR CODE HERE
    raise NotImplementedError()
    return keep


def decode(outputs, k=100, threshold=0.05, stride=4):
    """
    CenterNet's decoding: peaks of the heatmaps become boxes.

    A cell is a peak when it equals the maximum of its 3x3 neighbourhood in its class's heatmap
    (max-pooling, stride 1, padding 1). Per image, keep the k highest peaks over all classes and cells
    (all of them when k is larger than C H' W'), then those scoring at least `threshold`. A peak of class
    channel c at cell (x, y) with offset (ox, oy) and size (w, h) read at that cell is the box centred at
    ((x + ox) stride, (y + oy) stride), of width w stride and height h stride, of class c + 1, scored by its
    heatmap value.

    Inputs:
    - outputs: dict with heatmap (N, C, H', W'), wh (N, 2, H', W'), offset (N, 2, H', W')
    - k, threshold, stride: as above

    Returns a list of N dicts, one per image, of tensors sorted by decreasing score:
    - boxes: (D, 4) corner boxes in input pixels
    - scores: (D,)
    - labels: (D,) int64 classes 1..C
    """
    detections = []
    # YOUR CODE HERE
    raise NotImplementedError()
    return detections
