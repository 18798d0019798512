"""Hidden tests for train.py: LeNet-5 on MNIST digits, the GRU on Ionosphere, and the helpers. 16 points.

The probe trains with the student's own default settings (train_lenet(X, y, seed=0, device=...),
train_gru likewise) on the grading device and returns predictions for the test inputs; the test
labels stay here. Credit is linear between a floor and a threshold (the `credit` fixture).

Measured with the reference solution on the 2-core reference CPU, one thread (torch.set_num_threads(1),
as assignment.toml's [limits] threads = 1 pins every worker):

- LeNet5, MNIST-5k split (4,000 train / 1,000 test, stratified, autograder.data.mnist_5k_split; the
  test digits are held out: students receive the training digits only):
  Adam 3e-3 with a cosine decay to 0, 6 epochs of batches of 64, seed 0: test accuracy 0.970
  (seeds 0-3: 0.963 to 0.970), 10 to 17 s of training depending on the machine's load.
  Threshold 0.93, floor 0.80 (chance is 0.10; one epoch without the schedule already reaches 0.88).
- IonosphereGRU (H = 32), the paper's split (first 200 rows train, last 151 test,
  autograder.data.ionosphere_split): Adam 2e-2 with a cosine decay to 0, 60 epochs of batches of 20,
  seed 0: test accuracy 0.974 (seeds 0-4: 0.967 to 0.980), 4 to 6 s of training.
  Threshold 0.93, floor 0.85: predicting "good" for every row scores 0.821 on these 151 rows, and
  logistic regression on the 34 attributes 0.901.

The test inputs are public with their labels (MNIST is, and Ionosphere is UCI's), so the judge perturbs them
where the label survives. Each test digit is shifted by one pixel in a direction drawn from HIDDEN_SEED
(autograder.data.perturb.shift_one_pixel): the reference loses 1.1 to 1.4 points (0.969 -> 0.955 to 0.958 over
four seeds, 0.957 with HIDDEN_SEED). Each Ionosphere attribute gets Gaussian noise of standard deviation 0.01:
the reference loses nothing (0.974 over four seeds and with HIDDEN_SEED; 0.02 already costs up to 1.3 points).
And the score must come from the returned model (autograder.judge.testing.assert_from_model): predict's answers must
agree with the model's own forward (a fresh model from the student's constructor holding the returned
parameters and buffers), and an untrained model from that constructor, seeded with UNTRAINED_SEED, must score
near chance through the same predict (two more passes over the test inputs: under 1 s for LeNet5). An untrained
LeNet5 scores 0.07 to 0.13 (seeds 0-4; chance 0.10, limit 0.20), an untrained IonosphereGRU 0.18 to 0.83
(seeds 0-9; at worst it says "good" for nearly every row: chance is that majority rate, 0.821, limit 0.921,
while a lookup of the public rows scores 1.0).
"""
import functools

import numpy as np
import pytest

from autograder.data import ionosphere_split, mnist_5k_split
from autograder.authoring import gaussian_noise, shift_one_pixel
from autograder.authoring import agreement, assert_close, assert_from_model

LENET_THRESHOLD, LENET_FLOOR = 0.93, 0.80
GRU_THRESHOLD, GRU_FLOOR = 0.93, 0.85
HIDDEN_SEED = 0xFD79_CFC8_C867_F4C0_B5DF_8DE4_573D_2DCE   # the perturbations of the test inputs
IONOSPHERE_NOISE = 0.01
UNTRAINED_SEED = 1


@functools.lru_cache(maxsize=None)
def _mnist():
    data = mnist_5k_split()
    return {**data, "X_test": shift_one_pixel(data["X_test"], HIDDEN_SEED)}


@functools.lru_cache(maxsize=None)
def _ionosphere():
    data = ionosphere_split()
    return {**data, "X_test": gaussian_noise(data["X_test"], IONOSPHERE_NOISE, HIDDEN_SEED)}


def _accuracy(out, y_test, model_name, function, chance):
    """The test accuracy of predict's answers, once they are shown to come from the returned model."""
    __tracebackhide__ = True
    assert out["model"] == model_name, f"{function} returned a {out['model']}; expected a {model_name}"
    y_pred = np.asarray(out["y_pred"])
    assert y_pred.shape == y_test.shape, (
        f"predictions have shape {y_pred.shape}; expected {y_test.shape}, one class per test example")
    predict = function.replace("train_", "predict_")
    assert_from_model(agreement(y_pred, out["own_pred"]), agreement(out["untrained_pred"], y_test),
                      chance=chance, what=predict)
    return float(np.mean(y_pred == y_test))


@pytest.mark.points(6)
@pytest.mark.budget(cpu=60, cuda=30)
def test_train_lenet_accuracy(submission, credit):
    data = _mnist()
    out = submission.probe("train_lenet", X_train=data["X_train"], y_train=data["y_train"], X_test=data["X_test"],
                           seed=0, untrained_seed=UNTRAINED_SEED)
    acc = _accuracy(out, data["y_test"], "LeNet5", "train_lenet", chance=0.10)
    credit.scale(acc, floor=LENET_FLOOR, threshold=LENET_THRESHOLD,
                 what="LeNet5 test accuracy on 1,000 held-out digits")


@pytest.mark.points(4)
@pytest.mark.budget(cpu=30, cuda=40)
def test_train_gru_accuracy(submission, credit):
    data = _ionosphere()
    out = submission.probe("train_gru", X_train=data["X_train"], y_train=data["y_train"], X_test=data["X_test"],
                           seed=0, untrained_seed=UNTRAINED_SEED)
    majority = float(np.mean(data["y_test"] == 1))  # 0.821: "good" for every row
    acc = _accuracy(out, data["y_test"], "IonosphereGRU", "train_gru", chance=majority)
    credit.scale(acc, floor=GRU_FLOOR, threshold=GRU_THRESHOLD,
                 what="IonosphereGRU test accuracy on the 151 held-out radar returns")


# The helpers, each checked against its docstring on inputs whose answers are known, not only through
# the accuracy training reaches afterwards (a network learns from badly normalised inputs too).
MNIST_MEAN, MNIST_STD = 0.1307, 0.3081


@pytest.mark.points(2)
@pytest.mark.budget(cpu=3, cuda=3)
def test_prepare_digits_values(submission, rng):
    X = rng.integers(0, 256, size=(6, 28, 28)).astype(np.uint8)  # (6, 28, 28)
    out = submission.probe("prepare", kind="digits", X=X)
    assert out["x"] is not None, "prepare_digits returned None"
    assert out["dtype"] == "torch.float32" and out["device"] == "cpu", \
        f"prepare_digits should return a float32 tensor on the CPU, not {out['dtype']} on {out['device'] or '?'}"
    expected = (np.pad(X / 255.0, ((0, 0), (2, 2), (2, 2))) - MNIST_MEAN) / MNIST_STD  # (6, 32, 32)
    assert_close(out["x"], expected[:, None], rtol=1e-5, atol=1e-5,
                 what="prepare_digits(X) (scale to [0, 1], pad by 2 with background, then (x - MEAN) / STD)")


@pytest.mark.points(1)
@pytest.mark.budget(cpu=3, cuda=3)
def test_prepare_ionosphere_values(submission, rng):
    X = rng.uniform(-1, 1, size=(5, 34))  # (5, 34)
    out = submission.probe("prepare", kind="ionosphere", X=X)
    assert out["dtype"] == "torch.float32", f"prepare_ionosphere should return float32, not {out['dtype']}"
    assert_close(out["x"], X, rtol=1e-6, atol=1e-6, what="prepare_ionosphere(X) (the attributes as they are)")


def _separable(rng, n=60, d=4, classes=3):
    centres = 4 * rng.normal(size=(classes, d))  # (classes, d) far apart
    y = rng.integers(0, classes, n)  # (n,)
    return centres[y] + rng.normal(size=(n, d)), y


@pytest.mark.points(2)
@pytest.mark.budget(cpu=4, cuda=4)
def test_fit_trains_the_model_reproducibly(submission, rng):
    x, y = _separable(rng)
    out = submission.probe("fit_linear", x=x, y=y, epochs=25, batch_size=8, lr=0.05, seeds=[3, 3, 4])
    assert out["same_model"] and out["eval_mode"], "fit should return the same model, in eval mode"
    assert out["loss_after"] < 0.3 * out["loss_before"], \
        f"fit lowered the training loss only from {out['loss_before']:.3f} to {out['loss_after']:.3f}"
    assert np.array_equal(out["weights"][0], out["weights"][1]), "fit with the same seed gave different weights"
    assert not np.allclose(out["weights"][0], out["weights"][2]), \
        "fit with another seed gave the same weights: is the minibatch order drawn from `seed` each epoch?"


@pytest.mark.points(1)
@pytest.mark.budget(cpu=3, cuda=3)
def test_fit_takes_adam_steps_of_size_lr(submission, rng):
    """One epoch, one full batch: a single Adam step, which moves every weight by lr against the sign of
    its cross-entropy gradient (Adam's first step is lr * g / |g|)."""
    x, y = _separable(rng, n=12)
    lr = 0.01
    out = submission.probe("fit_linear", x=x, y=y, epochs=1, batch_size=12, lr=lr, seeds=[0])
    W, b = out["init_weight"], out["init_bias"]
    scores = x @ W.T + b  # (12, C)
    p = np.exp(scores - scores.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    dscores = (p - np.eye(W.shape[0])[y]) / len(y)  # (12, C) gradient of the mean cross-entropy
    assert_close(out["weights"][0] - W, -lr * np.sign(dscores.T @ x), atol=lr * 1e-3,
                 what="the change of the weights after one Adam step of fit(lr=0.01)")
    assert_close(out["biases"][0] - b, -lr * np.sign(dscores.sum(axis=0)), atol=lr * 1e-3,
                 what="the change of the biases after one Adam step of fit(lr=0.01)")
