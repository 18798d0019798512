"""Softmax (cross-entropy) loss and its gradient, with loops and vectorised."""
from builtins import range

import numpy as np


def softmax_loss_naive(W, X, y, reg):
    """
    Softmax loss and gradient, computed with explicit loops over examples.

    With scores s = X[i] @ W, example i contributes -log(exp(s[y[i]]) / sum_j exp(s[j])).
    The data loss is the mean over the N examples. Regularisation adds reg * np.sum(W * W)
    to the loss and 2 * reg * W to the gradient.

    The result must stay finite for scores of large magnitude (hundreds or thousands):
    subtract each example's largest score before exponentiating, which leaves the
    probabilities unchanged.

    D is the input dimension, C the number of classes, N the number of examples in the minibatch.

    Inputs:
    - W: Weights, array of shape (D, C).
    - X: A minibatch of examples, array of shape (N, D).
    - y: Integer labels, array of shape (N,); 0 <= y[i] < C is the class of X[i].
    - reg: Regularisation strength, a float >= 0.

    Returns a tuple of:
    - loss: The loss, a float.
    - dW: Gradient of the loss with respect to W, array of shape (D, C).
    """
    N, D = X.shape
    C = W.shape[1]
    loss = 0.0
    dW = np.zeros_like(W)  # (D, C)
    ### BEGIN SOLUTION
    for i in range(N):
        scores = X[i] @ W  # (C,)
        scores = scores - np.max(scores)  # shift: the largest score becomes 0, so exp cannot overflow
        log_probs = scores - np.log(np.sum(np.exp(scores)))  # (C,)
        loss -= log_probs[y[i]]
        for j in range(C):
            dW[:, j] += (np.exp(log_probs[j]) - (j == y[i])) * X[i]
    loss = loss / N + reg * np.sum(W * W)
    dW = dW / N + 2 * reg * W
    ### END SOLUTION
    return loss, dW


def softmax_loss_vectorized(W, X, y, reg):
    """
    Softmax loss and gradient, as in softmax_loss_naive, with no Python loops.

    Inputs and outputs are the same as for softmax_loss_naive, including the numerical
    stability requirement.

    Inputs:
    - W: Weights, array of shape (D, C).
    - X: A minibatch of examples, array of shape (N, D).
    - y: Integer labels, array of shape (N,); 0 <= y[i] < C is the class of X[i].
    - reg: Regularisation strength, a float >= 0.

    Returns a tuple of:
    - loss: The loss, a float.
    - dW: Gradient of the loss with respect to W, array of shape (D, C).
    """
    N, D = X.shape
    loss = 0.0
    dW = np.zeros_like(W)  # (D, C)
    ### BEGIN SOLUTION
    rows = np.arange(N)
    scores = X @ W  # (N, C)
    scores = scores - np.max(scores, axis=1, keepdims=True)  # shift each row: its largest score becomes 0
    log_probs = scores - np.log(np.sum(np.exp(scores), axis=1, keepdims=True))  # (N, C)
    loss = -np.mean(log_probs[rows, y]) + reg * np.sum(W * W)

    dscores = np.exp(log_probs)  # (N, C) class probabilities
    dscores[rows, y] -= 1
    dW = X.T @ dscores / N + 2 * reg * W  # (D, C)
    ### END SOLUTION
    return loss, dW
