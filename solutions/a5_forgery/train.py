"""Training and prediction for both detectors, and a validation split that is honest about photographs.

Patches of one photograph share its content, its camera and its history: a validation set that holds
patches of the training photographs measures how well the model remembers those photographs. Hold out
whole photographs (validation_split) and the figure predicts the hidden test, which is made from other
photographs. The defaults of train_forgery and train_generated are yours to choose: the grader calls them
with the training split (the split's dict without "kinds"), `seed` and `device`, and once with `epochs=1` on a
few patches to check that the same seed gives the same model; then it scores what predict_* returns.
"""
import numpy as np
import torch
import torch.nn.functional as F

from filters import BayarConv2d
from model import ForgeryNet, GeneratedImageDetector


def to_tensor(images):
    """uint8 images (N, H, W, 3) -> float32 tensor (N, 3, H, W) with values in 0..1 (divided by 255)."""
    x = None
    ### BEGIN SOLUTION
    x = torch.as_tensor(np.asarray(images), dtype=torch.float32).permute(0, 3, 1, 2).contiguous() / 255
    ### END SOLUTION
    return x


def validation_split(photos, fraction=0.2, seed=0):
    """
    Split patches by photograph: the patches of max(1, round(fraction * P)) of the P distinct photographs
    (chosen with np.random.default_rng(seed)) are held out for validation, the rest kept for training.

    Inputs:
    - photos: str array (N,), the photograph each patch comes from

    Returns:
    - train_idx, val_idx: int64 numpy arrays of patch indices, each in increasing order
    """
    train_idx = val_idx = None
    ### BEGIN SOLUTION
    photos = np.asarray(photos)
    names = np.unique(photos)
    count = max(1, round(fraction * len(names)))
    held = np.random.default_rng(seed).choice(names, size=count, replace=False)
    is_val = np.isin(photos, held)
    train_idx, val_idx = np.flatnonzero(~is_val), np.flatnonzero(is_val)
    ### END SOLUTION
    return train_idx, val_idx


def forgery_loss(outputs, labels, masks, mask_weight=1.0, pos_weight=5.0):
    """
    Inputs:
    - outputs: ForgeryNet's dict, "score" (N,) and "mask" (N, 1, H, W) logits
    - labels: (N,) float tensor, 1 forged, 0 authentic
    - masks: (N, H, W) float tensor, 1 where the pixel was replaced

    Returns:
    - loss: scalar tensor, the binary cross-entropy on the logits (F.binary_cross_entropy_with_logits, mean) of
      the scores, plus mask_weight times that of the pixels (mean over every pixel of every patch) with the
      replaced pixels' term weighted by pos_weight (the argument of that name: few pixels are replaced, and
      without it the model learns to say "authentic" everywhere, which F1 at 0.5 punishes)
    """
    loss = None
    ### BEGIN SOLUTION
    score = F.binary_cross_entropy_with_logits(outputs["score"], labels)
    weight = torch.as_tensor(pos_weight, dtype=masks.dtype, device=masks.device)
    pixels = F.binary_cross_entropy_with_logits(outputs["mask"][:, 0], masks, pos_weight=weight)
    loss = score + mask_weight * pixels
    ### END SOLUTION
    return loss


def _batches(n, batch_size, rng):
    order = rng.permutation(n)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]


def _flip(rng, *tensors):
    """The same random horizontal flip of each tensor's last axis."""
    if rng.random() < 0.5:
        return tuple(t.flip(-1) for t in tensors)
    return tensors


def train_forgery(split, epochs=8, batch_size=64, lr=3e-3, seed=0, device="cpu"):
    """
    Train a ForgeryNet on split (make_manipulated's dict: images, masks, labels, ...) with forgery_loss, Adam and
    a seeded shuffle; every BayarConv2d is constrained again after each optimizer step.

    Returns:
    - model: the trained ForgeryNet on `device`, in eval mode (the same model for the same seed)
    """
    model = None
    ### BEGIN SOLUTION
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    x = to_tensor(split["images"])
    y = torch.as_tensor(split["labels"], dtype=torch.float32)
    m = torch.as_tensor(split["masks"], dtype=torch.float32)
    model = ForgeryNet().to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, lr, total_steps=epochs * len(_batches(len(x), batch_size, rng)))
    model.train()
    for _ in range(epochs):
        for idx in _batches(len(x), batch_size, rng):
            xb, mb = _flip(rng, x[idx], m[idx])
            loss = forgery_loss(model(xb.to(device)), y[idx].to(device), mb.to(device))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            for layer in model.modules():
                if isinstance(layer, BayarConv2d):
                    layer.constrain()
    model.eval()
    ### END SOLUTION
    return model


def train_generated(split, epochs=6, batch_size=64, lr=3e-3, seed=0, device="cpu"):
    """
    Train a GeneratedImageDetector on split (make_generated's dict: images, labels, photos) with binary
    cross-entropy on the logits, Adam and a seeded shuffle.

    Returns:
    - model: the trained GeneratedImageDetector on `device`, in eval mode (the same model for the same seed)
    """
    model = None
    ### BEGIN SOLUTION
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    x = to_tensor(split["images"])
    y = torch.as_tensor(split["labels"], dtype=torch.float32)
    model = GeneratedImageDetector().to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    for _ in range(epochs):
        for idx in _batches(len(x), batch_size, rng):
            (xb,) = _flip(rng, x[idx])
            loss = F.binary_cross_entropy_with_logits(model(xb.to(device)), y[idx].to(device))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    model.eval()
    ### END SOLUTION
    return model


@torch.no_grad()
def predict_forgery(model, images, device="cpu", batch_size=256):
    """
    Inputs:
    - model: a trained ForgeryNet (or any module with its outputs), put in eval mode here
    - images: uint8 numpy array (N, H, W, 3)

    Returns a dict of float32 numpy arrays:
    - "score": (N,) the probability that each image is forged (the sigmoid of its logit)
    - "mask":  (N, H, W) the probability that each pixel was replaced (the sigmoid of its logit)
    """
    out = None
    ### BEGIN SOLUTION
    model.eval()
    scores, masks = [], []
    for i in range(0, len(images), batch_size):
        o = model(to_tensor(images[i:i + batch_size]).to(device))
        scores.append(torch.sigmoid(o["score"]).cpu())
        masks.append(torch.sigmoid(o["mask"][:, 0]).cpu())
    out = {"score": torch.cat(scores).numpy(), "mask": torch.cat(masks).numpy()}
    ### END SOLUTION
    return out


@torch.no_grad()
def predict_generated(model, images, device="cpu", batch_size=256):
    """
    Inputs:
    - model: a trained GeneratedImageDetector (or any module with its output), put in eval mode here
    - images: uint8 numpy array (N, H, W, 3)

    Returns:
    - probability: float32 numpy array (N,), the probability that each image is generated (sigmoid of the logit)
    """
    probability = None
    ### BEGIN SOLUTION
    model.eval()
    parts = [torch.sigmoid(model(to_tensor(images[i:i + batch_size]).to(device))).cpu()
             for i in range(0, len(images), batch_size)]
    probability = torch.cat(parts).numpy()
    ### END SOLUTION
    return probability
