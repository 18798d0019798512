"""Training and prediction for MultiTaskNet on shape scenes (autograder.data.load_scenes).

A split is a dict as autograder.data.generate_scenes returns it: "images" uint8 (N, H, W, 3), "masks"
uint8 (N, H, W) with 0 = background and c + 1 = class c, "boxes" a list of N float arrays (k_i, 4) in
COCO's [x, y, w, h] (input pixels), "labels" a list of N int arrays (k_i,) with classes 0..C-1.
"""
import random

import numpy as np
import torch

from losses import multitask_loss
from model import MultiTaskNet
from postprocess import decode, nms
from targets import build_targets

IMAGE_MEAN, IMAGE_STD = 0.5, 0.25  # pixels are scaled to [0, 1], then normalised with these
STRIDE = 4  # input pixels per detection-head cell


def seed_everything(seed):
    """Seeds Python's, numpy's and torch's random number generators (all devices)."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def prepare_images(images):
    """
    Images to network inputs: channels first, pixels scaled to [0, 1] (divided by 255), then
    normalised: (x - IMAGE_MEAN) / IMAGE_STD.

    Inputs:
    - images: uint8 numpy array (N, H, W, 3), RGB.

    Returns:
    - x: float32 tensor (N, 3, H, W), on the CPU.
    """
    x = None
    # YOUR CODE HERE
    raise NotImplementedError()
    return x


def flip_split(split):
    """The split mirrored left to right: images and masks flipped, box x -> W - x - w."""
    W = split["images"].shape[2]
    boxes = [np.column_stack([W - b[:, 0] - b[:, 2], b[:, 1:]]) if len(b) else b for b in split["boxes"]]
    return {"images": split["images"][:, :, ::-1], "masks": split["masks"][:, :, ::-1], "boxes": boxes,
            "labels": split["labels"]}


def make_targets(split, num_classes=3):
    """
    Every training target of a split, stacked (build_targets per image; the masks as int64).

    Returns a dict of CPU tensors: "heatmap" (N, C, H/4, W/4), "wh" and "offset" (N, 2, H/4, W/4),
    "reg_mask" (N, H/4, W/4), "mask" int64 (N, H, W).
    """
    N, H, W = split["masks"].shape
    per_image = [build_targets(b, l, (H // STRIDE, W // STRIDE), num_classes, stride=STRIDE)
                 for b, l in zip(split["boxes"], split["labels"])]
    targets = {key: torch.from_numpy(np.stack([t[key] for t in per_image])) for key in per_image[0]}
    targets["mask"] = torch.as_tensor(np.ascontiguousarray(split["masks"]), dtype=torch.int64)
    return targets


def train_multitask(train_split, epochs=4, batch_size=32, lr=1e-2, seed=0, device="cpu", width=16):
    """
    Train a MultiTaskNet(num_classes=3, width=width) on a split with Adam and multitask_loss (default
    weights); the learning rate follows a one-cycle schedule (up from lr / 25 for the first 20 % of
    the steps, then a cosine down to about 0); every minibatch is drawn in a new random order each
    epoch, and each image is mirrored left to right with probability 1/2.

    Inputs:
    - train_split: the scenes to learn from (see the module docstring).
    - epochs: passes over the split.
    - batch_size: scenes per minibatch.
    - lr: the peak learning rate.
    - seed: seeds the initial weights, the minibatch order and the mirroring.
    - device: "cpu" or "cuda".
    - width: the network's width.

    Returns:
    - model: the trained MultiTaskNet, on `device`, in eval mode.
    """
    model = None
    # YOUR CODE HERE
    raise NotImplementedError()
    model.eval()
    return model


@torch.no_grad()
def predict(model, images, device="cpu", batch_size=100, k=20, threshold=0.05, iou_threshold=0.5):
    """
    Detections and a semantic mask for each image.

    Boxes come from decode (at most k per image, score >= threshold), clipped to the image, then
    per-class nms at iou_threshold; they are returned in COCO's [x, y, w, h] in input pixels. The mask
    is the highest-scoring class of each pixel.

    Inputs:
    - model: a trained MultiTaskNet, on `device`.
    - images: uint8 numpy array (N, H, W, 3).
    - device: the model's device.
    - batch_size: images per forward pass.
    - k, threshold: for decode; iou_threshold: for nms.

    Returns a list of N dicts, one per image, of numpy arrays:
    - boxes: float32 (K, 4), [x, y, w, h] in input pixels.
    - scores: float32 (K,), decreasing.
    - labels: int64 (K,), classes 0..C-1.
    - mask: int64 (H, W), classes 0..C (0 = background).
    """
    model.eval()
    results = []
    # YOUR CODE HERE
    raise NotImplementedError()
    return results
