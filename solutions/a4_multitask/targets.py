"""CenterNet training targets (Zhou, Wang, Kraehenbuehl 2019, "Objects as Points"): heatmaps, sizes, offsets.

Boxes arrive in input pixels as COCO's [x, y, w, h] (x, y: top-left corner; pixel edges). The targets
live on the detection head's grid, `stride` input pixels per cell (4 here). An object with centre
(cx, cy) = (x + w / 2, y + h / 2) / stride in cells is assigned to the cell (floor(cx), floor(cy));
the offset target is the remainder (cx - floor(cx), cy - floor(cy)), the size target (w, h) / stride,
and its class's heatmap gets a Gaussian peak of value 1 at that cell.
"""
import numpy as np


def gaussian_radius(h, w, min_overlap=0.7):
    """
    The Gaussian radius CenterNet (after CornerNet) gives an object of size h x w: the largest shift of
    a box's corners that keeps its IoU with the true box at least min_overlap, over three cases
    (both corners inside, both outside, one of each), as CenterNet's code computes it:

      r1 = (b1 + sqrt(b1^2 - 4 a1 c1)) / 2,  a1 = 1,               b1 = h + w,                    c1 = w h (1 - m) / (1 + m)
      r2 = (b2 + sqrt(b2^2 - 4 a2 c2)) / 2,  a2 = 4,               b2 = 2 (h + w),                c2 = (1 - m) w h
      r3 = (b3 + sqrt(b3^2 - 4 a3 c3)) / 2,  a3 = 4 m,             b3 = -2 m (h + w),             c3 = (m - 1) w h
      radius = min(r1, r2, r3)                                      (m = min_overlap)

    (Dividing by 2 rather than 2a is how CenterNet's released code does it; keep it so.)

    Inputs:
    - h, w: box height and width, in heatmap cells (input pixels / stride), floats >= 0.
    - min_overlap: m, in (0, 1).

    Returns:
    - radius: float >= 0, in heatmap cells.
    """
    radius = None
    ### BEGIN SOLUTION
    m = min_overlap
    b1, c1 = h + w, w * h * (1 - m) / (1 + m)
    r1 = (b1 + np.sqrt(b1 ** 2 - 4 * c1)) / 2
    b2, c2 = 2 * (h + w), (1 - m) * w * h
    r2 = (b2 + np.sqrt(b2 ** 2 - 4 * 4 * c2)) / 2
    a3, b3, c3 = 4 * m, -2 * m * (h + w), (m - 1) * w * h
    r3 = (b3 + np.sqrt(b3 ** 2 - 4 * a3 * c3)) / 2
    radius = float(min(r1, r2, r3))
    ### END SOLUTION
    return radius


def draw_gaussian(heatmap, center, radius):
    """
    Splat a Gaussian peak onto one class's heatmap, keeping the maximum where peaks overlap.

    The peak is a (2r + 1) x (2r + 1) patch g[dy, dx] = exp(-(dx^2 + dy^2) / (2 sigma^2)) for dx, dy in
    -r..r, sigma = (2r + 1) / 6 (CenterNet's choice); its centre value is exactly 1. It is written as heatmap = max(heatmap, g) over the part of
    the patch that falls inside the heatmap (a peak near the border is cut off, not shifted).

    Inputs:
    - heatmap: float32 numpy array (H, W); modified in place.
    - center: (x, y), integers: the peak's column and row, inside the heatmap.
    - radius: r, an integer >= 0 (r = 0 sets the one cell to 1).

    Returns:
    - heatmap: the same array.
    """
    ### BEGIN SOLUTION
    r = int(radius)
    sigma = (2 * r + 1) / 6
    d = np.arange(-r, r + 1)
    g = np.exp(-(d[None, :] ** 2 + d[:, None] ** 2) / (2 * sigma ** 2)).astype(np.float32)  # (2r+1, 2r+1)
    x, y = int(center[0]), int(center[1])
    H, W = heatmap.shape
    left, right = min(x, r), min(W - x, r + 1)
    top, bottom = min(y, r), min(H - y, r + 1)
    window = heatmap[y - top:y + bottom, x - left:x + right]
    np.maximum(window, g[r - top:r + bottom, r - left:r + right], out=window)
    ### END SOLUTION
    return heatmap


def build_targets(boxes, labels, output_size, num_classes, stride=4):
    """
    CenterNet targets for one image.

    For each object k: centre c = ((x + w / 2) / stride, (y + h / 2) / stride) in cells, clipped to
    [0, W_out - 1e-3] x [0, H_out - 1e-3]; its cell (i, j) = (floor(c_x), floor(c_y)); radius =
    max(0, int(gaussian_radius(h / stride, w / stride))); draw_gaussian on heatmap[label] at (i, j);
    at that cell: wh = (w / stride, h / stride), offset = c - (i, j), reg_mask = 1. Objects are
    handled in the given order: a later object that falls on the same cell overwrites the wh and
    offset of an earlier one.

    Inputs:
    - boxes: float array (K, 4), [x, y, w, h] in input pixels (K may be 0).
    - labels: int array (K,), classes 0..num_classes-1.
    - output_size: (H_out, W_out), the heatmap's size (input size / stride).
    - num_classes: C.
    - stride: input pixels per heatmap cell.

    Returns a dict of float32 numpy arrays:
    - heatmap: (C, H_out, W_out), values in [0, 1], 1 exactly at each object's cell.
    - wh: (2, H_out, W_out), box width and height in cells at object cells, 0 elsewhere.
    - offset: (2, H_out, W_out), x then y offset at object cells, 0 elsewhere.
    - reg_mask: (H_out, W_out), 1 at object cells, 0 elsewhere.
    """
    H_out, W_out = output_size
    heatmap = np.zeros((num_classes, H_out, W_out), dtype=np.float32)
    wh = np.zeros((2, H_out, W_out), dtype=np.float32)
    offset = np.zeros((2, H_out, W_out), dtype=np.float32)
    reg_mask = np.zeros((H_out, W_out), dtype=np.float32)
    ### BEGIN SOLUTION
    for (x, y, w, h), label in zip(np.asarray(boxes, dtype=np.float64).reshape(-1, 4), labels):
        cx = min(max((x + w / 2) / stride, 0.0), W_out - 1e-3)
        cy = min(max((y + h / 2) / stride, 0.0), H_out - 1e-3)
        i, j = int(np.floor(cx)), int(np.floor(cy))
        radius = max(0, int(gaussian_radius(h / stride, w / stride)))
        draw_gaussian(heatmap[int(label)], (i, j), radius)
        wh[:, j, i] = w / stride, h / stride
        offset[:, j, i] = cx - i, cy - j
        reg_mask[j, i] = 1
    ### END SOLUTION
    return {"heatmap": heatmap, "wh": wh, "offset": offset, "reg_mask": reg_mask}
