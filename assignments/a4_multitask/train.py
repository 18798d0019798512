"""Training the multi-task network on the scenes, and predicting boxes and masks with it."""
import numpy as np
import torch

from model import MultiTaskNet
from losses import multitask_loss
from postprocess import decode, nms
from targets import build_targets

MEAN, STD = 0.5, 0.25
LOSS_WEIGHTS = {"heatmap": 1.0, "wh": 0.1, "offset": 1.0, "seg": 1.0, "dice": 1.0}   # CenterNet's first three


def images_to_tensor(images):
    """uint8 images (N, H, W, 3) -> float32 tensor (N, 3, H, W), (x / 255 - MEAN) / STD. Given: not graded."""
    x = torch.as_tensor(np.asarray(images), dtype=torch.float32).permute(0, 3, 1, 2) / 255.0
    return (x - MEAN) / STD


def _targets(split, num_classes, stride=4):
    """The dense detection targets of every scene, stacked: dict of tensors (N, ...)."""
    N, H, W = split["masks"].shape
    per_image = [build_targets(b, l, (H // stride, W // stride), num_classes, stride)
                 for b, l in zip(split["boxes"], split["labels"])]
    targets = {k: torch.from_numpy(np.stack([t[k] for t in per_image])) for k in per_image[0]}
    targets["mask"] = torch.as_tensor(np.asarray(split["masks"]), dtype=torch.int64)
    return targets


def train_multitask(train_split, epochs=12, batch_size=32, lr=1e-2, seed=0, device="cpu"):
    """
    Train a MultiTaskNet on `train_split` with multitask_loss (weights LOSS_WEIGHTS), AdamW with a cosine
    decay of the learning rate to 0, batches drawn in a shuffled order seeded by `seed`. Call
    torch.manual_seed(seed) first so the same call gives the same model.

    Inputs:
    - train_split: dict with images uint8 (N, 64, 64, 3), masks uint8 (N, 64, 64) classes 0..3, boxes (a list
      of N float arrays (K_i, 4), COCO [x, y, w, h] in pixels), labels (a list of N int arrays (K_i,), 1..3)
    - epochs, batch_size, lr, seed: the recipe (the defaults are yours to choose)
    - device: "cpu" or "cuda"

    Returns:
    - model: the trained MultiTaskNet, in eval mode, on `device`
    """
    model = None
    # YOUR CODE HERE
    raise NotImplementedError()
    return model


@torch.no_grad()
def predict(model, images, device="cpu", batch_size=128, k=20, threshold=0.05, iou_threshold=0.6):
    """
    Boxes and masks for `images` with a trained model (in eval mode, on `device`): decode's top-k peaks,
    then nms within each class, boxes turned into COCO's [x, y, w, h].

    Inputs:
    - model: a MultiTaskNet
    - images: uint8 (N, H, W, 3)

    Returns a list of N dicts of numpy arrays:
    - boxes: float32 (D, 4), COCO [x, y, w, h] in input pixels
    - scores: float32 (D,), by decreasing score
    - labels: int64 (D,), classes 1..3
    - mask: uint8 (H, W), the predicted class of each pixel (0 background)
    """
    results = []
    # YOUR CODE HERE
    raise NotImplementedError()
    return results
