"""Training targets for a CenterNet-style detector (Zhou, Wang, Krahenbuhl 2019, "Objects as Points").

Each object becomes a peak in its class's heatmap at the cell that holds its centre, on the network's
output grid (stride 4: a 64x64 image gives 16x16 maps). Around the peak the target falls off as a
Gaussian whose radius is the largest shift of a box that still overlaps the true box by `min_overlap`
(CornerNet's radius). At the peak cell the network also regresses the box size and the sub-cell offset
lost by rounding the centre down to a cell.

Units: boxes come in input pixels as COCO's [x, y, w, h]; every target is in output cells
(input pixels / stride).
"""
import math

import numpy as np


def gaussian_radius(h, w, min_overlap=0.7):
    """
    CornerNet's Gaussian radius, computed as CenterNet's reference code does: the smallest of the three
    radii r for which a box of size (h, w) shifted or resized by r still has IoU >= min_overlap with it,
    each the root of a quadratic a r^2 - b r + c = 0 written (b + sqrt(b^2 - 4ac)) / 2:

      r1: a = 1,               b = h + w,                    c = w h (1 - min_overlap) / (1 + min_overlap)
      r2: a = 4,               b = 2 (h + w),                c = (1 - min_overlap) w h
      r3: a = 4 min_overlap,   b = -2 min_overlap (h + w),   c = (min_overlap - 1) w h

    Inputs:
    - h, w: the box's height and width (in output cells)
    - min_overlap: the IoU to keep

    Returns:
    - radius: float, min(r1, r2, r3)
    """
    radius = None
    # YOUR CODE HERE
    raise NotImplementedError()
    return radius


def draw_gaussian(heatmap, center, radius):
    """
    Draw a Gaussian peak of value 1 at `center` into `heatmap`, in place, keeping the larger of the old
    and the new value at every cell (so nearby objects of one class do not erase each other).

    The peak is the (2r+1) x (2r+1) window exp(-(dx^2 + dy^2) / (2 sigma^2)), dx, dy in -r..r, with
    sigma = (2r + 1) / 6, centred on `center` and cut at the heatmap's borders.

    Inputs:
    - heatmap: float array (H, W), changed in place
    - center: (x, y) integer cell: column x, row y
    - radius: integer r >= 0

    Returns:
    - heatmap: the same array
    """
    # YOUR CODE HERE
    raise NotImplementedError()
    return heatmap


def build_targets(boxes, labels, output_size, num_classes, stride=4):
    """
    The detection targets of one image.

    For each object: its centre c = ((x + w/2) / stride, (y + h/2) / stride) in output cells, the cell
    (cx, cy) = floor(c) that holds it, and a Gaussian of radius max(0, int(gaussian_radius(h', w'))) with
    h' = ceil(h / stride), w' = ceil(w / stride) drawn there in the heatmap of its class. At that cell:
    wh = (w / stride, h / stride), offset = c - (cx, cy), reg_mask = 1. A later object sharing the cell of
    an earlier one overwrites its wh and offset.

    Inputs:
    - boxes: float array (K, 4), COCO [x, y, w, h] in input pixels
    - labels: int array (K,), classes 1..num_classes (0 is the background: no object has it)
    - output_size: (H', W'), the output grid
    - num_classes: C
    - stride: input pixels per output cell

    Returns a dict of float32 arrays:
    - heatmap: (C, H', W'), class l's peaks in channel l - 1
    - wh: (2, H', W'), width then height
    - offset: (2, H', W'), x then y
    - reg_mask: (H', W'), 1 at the object centres, 0 elsewhere
    """
    H, W = output_size
    heatmap = np.zeros((num_classes, H, W), np.float32)
    wh = np.zeros((2, H, W), np.float32)
    offset = np.zeros((2, H, W), np.float32)
    reg_mask = np.zeros((H, W), np.float32)
    # YOUR CODE HERE
    raise NotImplementedError()
    return {"heatmap": heatmap, "wh": wh, "offset": offset, "reg_mask": reg_mask}
