"""Label-keeping perturbations of held-out inputs, drawn with a judge-only seed (judge side).

Public data has public labels: a `predict` that recognises an input byte for byte can answer from a table.
A one-pixel shift keeps a digit's label and breaks every exact match; the judge's seed decides each image's
direction, so the shifted set cannot be precomputed from the public one.
"""
import numpy as np

SHIFTS = ((0, 1), (0, -1), (1, 0), (-1, 0))   # (rows, columns)


def shift_one_pixel(images: np.ndarray, seed: int) -> np.ndarray:
    """
    Each image moved by one pixel up, down, left or right (its own direction, drawn from `seed`); the row or
    column that comes in is zeros (the background of a digit).

    Inputs:
    - images: (N, H, W) or (N, H, W, C) array
    - seed: the judge's seed (any int; keep it out of what students receive)

    Returns an array of the same shape and dtype; `images` is not modified.
    """
    images = np.asarray(images)
    out = np.zeros_like(images)
    directions = np.random.default_rng(seed).integers(0, len(SHIFTS), size=len(images))
    for n, (dy, dx) in enumerate(SHIFTS[d] for d in directions):
        H, W = images.shape[1:3]
        src = images[n, max(0, -dy):H - max(0, dy), max(0, -dx):W - max(0, dx)]
        out[n, max(0, dy):max(0, dy) + src.shape[0], max(0, dx):max(0, dx) + src.shape[1]] = src
    return out
