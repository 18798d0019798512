"""Hidden tests for train.py: LeNet-5 on MNIST digits, the GRU on Ionosphere. 10 points.

The probe trains with the student's own default settings (train_lenet(X, y, seed=0, device=...),
train_gru likewise) on the grading device and returns predictions for the test inputs; the test
labels stay here. Credit is linear between a floor and a threshold (the `credit` fixture).

Measured with the reference solution on the 2-core reference CPU, one thread (torch.set_num_threads(1),
as assignment.toml's [limits] threads = 1 pins every worker):

- LeNet5, MNIST-5k split (4,000 train / 1,000 test, stratified, autograder.data.mnist_5k_split):
  Adam 3e-3 with a cosine decay to 0, 6 epochs of batches of 64, seed 0: test accuracy 0.970
  (seeds 0-3: 0.963 to 0.970), 10 to 17 s of training depending on the machine's load.
  Threshold 0.93, floor 0.80 (chance is 0.10; one epoch without the schedule already reaches 0.88).
- IonosphereGRU (H = 32), the paper's split (first 200 rows train, last 151 test,
  autograder.data.ionosphere_split): Adam 2e-2 with a cosine decay to 0, 60 epochs of batches of 20,
  seed 0: test accuracy 0.974 (seeds 0-4: 0.967 to 0.980), 4 to 6 s of training.
  Threshold 0.93, floor 0.85: predicting "good" for every row scores 0.821 on these 151 rows, and
  logistic regression on the 34 attributes 0.901.
"""
import functools

import numpy as np
import pytest

from autograder.data import ionosphere_split, mnist_5k_split

LENET_THRESHOLD, LENET_FLOOR = 0.93, 0.80
GRU_THRESHOLD, GRU_FLOOR = 0.93, 0.85


@functools.lru_cache(maxsize=None)
def _mnist():
    return mnist_5k_split()


@functools.lru_cache(maxsize=None)
def _ionosphere():
    return ionosphere_split()


def _accuracy(out, y_test, model_name, function):
    __tracebackhide__ = True
    assert out["model"] == model_name, f"{function} returned a {out['model']}; expected a {model_name}"
    y_pred = np.asarray(out["y_pred"])
    assert y_pred.shape == y_test.shape, (
        f"predictions have shape {y_pred.shape}; expected {y_test.shape}, one class per test example")
    return float(np.mean(y_pred == y_test))


@pytest.mark.points(6)
@pytest.mark.budget(cpu=60, cuda=30)
def test_train_lenet_accuracy(submission, credit):
    data = _mnist()
    out = submission.probe("train_lenet", X_train=data["X_train"], y_train=data["y_train"], X_test=data["X_test"],
                           seed=0)
    acc = _accuracy(out, data["y_test"], "LeNet5", "train_lenet")
    credit.scale(acc, floor=LENET_FLOOR, threshold=LENET_THRESHOLD,
                 what="LeNet5 test accuracy on 1,000 held-out digits")


@pytest.mark.points(4)
@pytest.mark.budget(cpu=30, cuda=40)
def test_train_gru_accuracy(submission, credit):
    data = _ionosphere()
    out = submission.probe("train_gru", X_train=data["X_train"], y_train=data["y_train"], X_test=data["X_test"],
                           seed=0)
    acc = _accuracy(out, data["y_test"], "IonosphereGRU", "train_gru")
    credit.scale(acc, floor=GRU_FLOOR, threshold=GRU_THRESHOLD,
                 what="IonosphereGRU test accuracy on the 151 held-out radar returns")
