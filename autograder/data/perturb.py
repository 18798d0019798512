"""Label-keeping perturbations of held-out inputs, drawn with a judge-only seed (judge side).

Public data has public labels: a `predict` that recognises an input byte for byte can answer from a table.
A perturbation that keeps the label breaks every exact match, and the judge's seed decides it, so the
perturbed set cannot be precomputed from the public one. Which one an assignment uses is measured: the
reference may lose at most about a point of accuracy (a one-pixel shift costs A3's small ViT 8 points and
A1's 8x8 digits 53, so they take the gentler ones).
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


def nudge_pixels(images: np.ndarray, seed: int) -> np.ndarray:
    """uint8 images with every pixel moved by -1, 0 or +1 grey level (clipped to 0..255), each drawn from `seed`."""
    noise = np.random.default_rng(seed).integers(-1, 2, size=np.shape(images))
    return np.clip(np.asarray(images).astype(np.int16) + noise, 0, 255).astype(np.uint8)


def gaussian_noise(values: np.ndarray, sigma: float, seed: int) -> np.ndarray:
    """Float features with N(0, sigma^2) noise added to each, drawn from `seed` (A1's pixels, Ionosphere's returns)."""
    values = np.asarray(values, dtype=np.float64)
    return values + sigma * np.random.default_rng(seed).standard_normal(values.shape)
