"""Training and prediction: LeNet-5 on MNIST digits, the GRU classifier on Ionosphere.

Both training functions take numpy arrays, prepare them themselves (prepare_digits,
prepare_ionosphere), seed every random number generator they use from `seed`, and return the
trained model in eval mode; the same seed on the same device gives the same model.
"""
import random

import numpy as np
import torch
import torch.nn.functional as F

from gru import IonosphereGRU
from lenet import LeNet5

MNIST_MEAN, MNIST_STD = 0.1307, 0.3081  # pixel mean and standard deviation of the MNIST training set, on [0, 1]


def seed_everything(seed):
    """Seeds Python's, numpy's and torch's random number generators (all devices)."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def prepare_digits(X):
    """
    Turns MNIST images into LeNet-5 inputs.

    Pixels are scaled to [0, 1], each image is zero-padded by 2 on every side (28 x 28 -> 32 x 32,
    the padding is background), then normalised with MNIST_MEAN and MNIST_STD.

    Inputs:
    - X: numpy array of shape (N, 28, 28), dtype uint8, pixel values 0..255.

    Returns:
    - x: float32 tensor of shape (N, 1, 32, 32), on the CPU.
    """
    x = None
    ### BEGIN SOLUTION
    x = torch.as_tensor(X, dtype=torch.float32).div(255).unsqueeze(1)  # (N, 1, 28, 28)
    x = F.pad(x, (2, 2, 2, 2))  # (N, 1, 32, 32)
    x = (x - MNIST_MEAN) / MNIST_STD
    ### END SOLUTION
    return x


def prepare_ionosphere(X):
    """
    Turns Ionosphere attributes into IonosphereGRU inputs. The attributes already lie in [-1, 1],
    so they are used as they are.

    Inputs:
    - X: numpy array of shape (N, 34), floating point.

    Returns:
    - x: float32 tensor of shape (N, 34), on the CPU.
    """
    x = None
    ### BEGIN SOLUTION
    x = torch.as_tensor(X, dtype=torch.float32)
    ### END SOLUTION
    return x


def fit(model, x, y, epochs, batch_size, lr, seed):
    """
    Trains a classifier with Adam and the cross-entropy loss, in minibatches drawn in a new random
    order each epoch; the learning rate follows a cosine schedule from lr down to 0 over all steps.

    Inputs:
    - model: a classifier returning scores of shape (N, C), already on its device.
    - x: prepared inputs, a tensor whose first dimension is N, on the model's device.
    - y: labels 0..C-1, int64 tensor of shape (N,), on the model's device.
    - epochs: passes over the data.
    - batch_size: examples per minibatch.
    - lr: Adam's initial learning rate.
    - seed: seeds the minibatch order.

    Returns:
    - model: the same model, trained, in eval mode.
    """
    ### BEGIN SOLUTION
    N = len(x)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs * -(-N // batch_size))
    order = torch.Generator().manual_seed(seed)  # on the CPU, so the order is the same on every device
    model.train()
    for _ in range(epochs):
        for idx in torch.randperm(N, generator=order).split(batch_size):
            idx = idx.to(x.device)
            loss = F.cross_entropy(model(x[idx]), y[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
    ### END SOLUTION
    model.eval()
    return model


def train_lenet(X, y, epochs=6, batch_size=64, lr=3e-3, seed=0, device="cpu"):
    """
    Trains a LeNet5 on digits (prepare_digits, then fit).

    Inputs:
    - X: images, numpy array of shape (N, 28, 28), dtype uint8.
    - y: labels 0..9, numpy array of shape (N,), integer dtype.
    - epochs, batch_size, lr: as for fit.
    - seed: seeds the initial weights and the minibatch order.
    - device: "cpu" or "cuda".

    Returns:
    - model: the trained LeNet5, on `device`, in eval mode.
    """
    model = None
    ### BEGIN SOLUTION
    seed_everything(seed)
    x, t = prepare_digits(X).to(device), torch.as_tensor(y, dtype=torch.int64).to(device)
    model = fit(LeNet5().to(device), x, t, epochs, batch_size, lr, seed)
    ### END SOLUTION
    return model


def train_gru(X, y, hidden_size=32, epochs=60, batch_size=20, lr=2e-2, seed=0, device="cpu"):
    """
    Trains an IonosphereGRU on radar returns (prepare_ionosphere, then fit).

    Inputs:
    - X: attributes, numpy array of shape (N, 34), floating point.
    - y: labels, numpy array of shape (N,), integer dtype: 1 = good (g), 0 = bad (b).
    - hidden_size: H of the GRU.
    - epochs, batch_size, lr: as for fit.
    - seed: seeds the initial weights and the minibatch order.
    - device: "cpu" or "cuda".

    Returns:
    - model: the trained IonosphereGRU, on `device`, in eval mode.
    """
    model = None
    ### BEGIN SOLUTION
    seed_everything(seed)
    x, t = prepare_ionosphere(X).to(device), torch.as_tensor(y, dtype=torch.int64).to(device)
    model = fit(IonosphereGRU(hidden_size).to(device), x, t, epochs, batch_size, lr, seed)
    ### END SOLUTION
    return model


@torch.no_grad()
def predict(model, x, device="cpu", batch_size=500):
    """
    Predicted classes of a trained model.

    Inputs:
    - model: a classifier returning scores of shape (N, C).
    - x: prepared inputs, a tensor whose first dimension is N (see prepare_digits, prepare_ionosphere).
    - device: the device the model is on.
    - batch_size: examples per forward pass.

    Returns:
    - y_pred: numpy array of shape (N,), dtype int64, the highest-scoring class of each example.
    """
    model.eval()
    preds = [model(chunk.to(device)).argmax(dim=1).cpu() for chunk in x.split(batch_size)]
    return torch.cat(preds).numpy().astype(np.int64)


def predict_lenet(model, X, device="cpu"):
    """Predicted digits, numpy int64 (N,), for images X of shape (N, 28, 28) uint8."""
    return predict(model, prepare_digits(X), device)


def predict_gru(model, X, device="cpu"):
    """Predicted classes (1 = good, 0 = bad), numpy int64 (N,), for attributes X of shape (N, 34)."""
    return predict(model, prepare_ionosphere(X), device)
