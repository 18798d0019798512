"""Comparing a ResNet with a Vision Transformer fairly: the same data, the same training recipe, and the
measurements that matter (accuracy, parameters, FLOPs, throughput, accuracy as the training set grows).

Images go through `prepare_images` once; `train`, `predict` and `evaluate` take the prepared tensors.
Both architectures are trained by the same `train` with the same defaults: that is the fair comparison.
"""
import random
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.flop_counter import FlopCounterMode

from cs231n.classifiers.transformer import VisionTransformer
from resnet import ResNet

MNIST_MEAN, MNIST_STD = (0.1307,), (0.3081,)  # per channel, of the MNIST training set on [0, 1]
CIFAR10_MEAN, CIFAR10_STD = (0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)


def seed_everything(seed):
    """Seeds Python's, numpy's and torch's random number generators (all devices)."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def prepare_images(X, mean=MNIST_MEAN, std=MNIST_STD):
    """
    Turns uint8 images into network inputs: pixels scaled to [0, 1], then each channel c standardised,
    (x - mean[c]) / std[c].

    Inputs:
    - X: numpy array of dtype uint8, pixel values 0..255, either (N, H, W) (grey images, C = 1) or
      (N, H, W, C) (channels last, as autograder.data.load_cifar10 returns them).
    - mean, std: sequences of C floats (MNIST_MEAN / MNIST_STD for digits, CIFAR10_MEAN / CIFAR10_STD for CIFAR-10).

    Returns:
    - x: float32 tensor of shape (N, C, H, W), on the CPU.
    """
    x = None
    # YOUR CODE HERE
    raise NotImplementedError()
    return x


def make_resnet(in_channels=1, num_classes=10):
    """
    The ResNet you compare, at the size you choose for this budget (num_blocks, width).

    Returns:
    - model: a resnet.ResNet for images with in_channels channels.
    """
    model = None
    # YOUR CODE HERE
    raise NotImplementedError()
    return model


def make_vit(img_size=28, in_channels=1, num_classes=10):
    """
    The Vision Transformer you compare, at the size you choose (patch size, embedding size, layers, heads):
    img_size must be a multiple of your patch size (28 = 4 x 7 for digits, 32 for CIFAR-10).

    Returns:
    - model: a cs231n.classifiers.transformer.VisionTransformer for img_size x img_size images.
    """
    model = None
    # YOUR CODE HERE
    raise NotImplementedError()
    return model


def count_parameters(model):
    """
    Inputs:
    - model: an nn.Module.

    Returns:
    - count: int, the number of trainable scalars (parameters with requires_grad), buffers not included.
    """
    count = None
    # YOUR CODE HERE
    raise NotImplementedError()
    return count


def count_flops(model, input_shape):
    """
    FLOPs of one forward pass on ONE image, as torch.utils.flop_counter.FlopCounterMode counts them
    (a multiply-add is 2 FLOPs; elementwise operations, normalisation and softmax count 0).

    The model is measured in eval mode, without gradients (inference), on a zero image of the given
    shape on the model's device, and it is left in the mode (train or eval) it was in.

    Inputs:
    - model: an nn.Module taking (N, C, H, W) inputs.
    - input_shape: (C, H, W) of one image.

    Returns:
    - flops: int.
    """
    flops = None
    # YOUR CODE HERE
    raise NotImplementedError()
    return flops


def throughput(model, input_shape, device="cpu", batch_size=256):
    """
    Inference speed: images per second of forward passes (eval mode, no gradients) on batches of
    batch_size zero images, timed after 2 warm-up batches over at least 5 batches (and on CUDA,
    with torch.cuda.synchronize() before reading the clock). The model is left in the mode it was in.

    Inputs:
    - model: an nn.Module, already on `device`.
    - input_shape: (C, H, W) of one image.
    - device: "cpu" or "cuda".
    - batch_size: images per forward pass.

    Returns:
    - images_per_second: float.
    """
    images_per_second = None
    # YOUR CODE HERE
    raise NotImplementedError()
    return images_per_second


def train(model, X, y, epochs=6, batch_size=64, lr=3e-3, seed=0, device="cpu"):
    """
    Trains a classifier with AdamW (weight decay 0.01) on the cross-entropy loss, in minibatches drawn in
    a new random order each epoch; the learning rate follows a cosine schedule from lr down to 0 over all
    steps. Each epoch visits every example once, in minibatches of batch_size (the last one may be smaller),
    with one optimizer step per minibatch, and the learning rate is updated after every step. Both
    architectures use these defaults: that is what makes the comparison fair.

    Inputs:
    - model: a classifier returning scores of shape (N, K); moved to `device` here.
    - X: prepared images, float32 tensor (or numpy array) of shape (N, C, H, W) (see prepare_images).
    - y: labels 0..K-1, numpy array or tensor of shape (N,), integer dtype.
    - epochs: passes over the data.
    - batch_size: images per minibatch.
    - lr: the initial learning rate.
    - seed: seeds the minibatch order (the same seed gives the same model).
    - device: "cpu" or "cuda".

    Returns:
    - model: the same model, trained, on `device`, in eval mode.
    """
    # YOUR CODE HERE
    raise NotImplementedError()
    model.eval()
    return model


@torch.no_grad()
def predict(model, X, device="cpu", batch_size=500):
    """
    Predicted classes of a model, computed in eval mode.

    Inputs:
    - model: a classifier returning scores of shape (N, K), on `device`.
    - X: prepared images, float32 tensor (or numpy array) of shape (N, C, H, W).
    - device: the device the model is on.
    - batch_size: images per forward pass.

    Returns:
    - y_pred: numpy array of shape (N,), dtype int64, the highest-scoring class of each image.
    """
    y_pred = None
    # YOUR CODE HERE
    raise NotImplementedError()
    return y_pred


def evaluate(model, X, y, device="cpu"):
    """
    Accuracy of a model (in eval mode) on prepared images X with labels y.

    Inputs:
    - model, X, device: as for predict.
    - y: labels, numpy array of shape (N,), integer dtype.

    Returns:
    - accuracy: float in [0, 1], the fraction of images whose predicted class is their label.
    """
    accuracy = None
    # YOUR CODE HERE
    raise NotImplementedError()
    return accuracy


def data_efficiency(make_model, X, y, X_test, y_test, sizes, seed=0, device="cpu"):
    """
    How test accuracy grows with the size of the training set, for one architecture.

    For each n in sizes: seed_everything(seed), model = make_model(), train(model, X[:n], y[:n],
    seed=seed, device=device) with train's other defaults, then evaluate(model, X_test, y_test, device).
    The first n rows are used as they are: shuffle (and stratify) the data before calling.

    Inputs:
    - make_model: a function of no arguments returning a fresh, untrained model.
    - X, y: prepared training images (N, C, H, W) and their labels (N,).
    - X_test, y_test: prepared test images and their labels.
    - sizes: training-set sizes, each at most N.
    - seed: as for train.
    - device: "cpu" or "cuda".

    Returns:
    - table: dict {n: test accuracy (float)} with one entry for each n in sizes.
    """
    table = {}
    # YOUR CODE HERE
    raise NotImplementedError()
    return table
