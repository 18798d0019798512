"""Multiclass SVM (hinge) loss and its gradient, with loops and vectorised."""
from builtins import range

import numpy as np


def svm_loss_naive(W, X, y, reg):
    """
    Multiclass SVM loss and gradient, computed with explicit loops over examples and classes.

    With scores s = X[i] @ W, example i contributes the sum over classes j != y[i] of
    max(0, s[j] - s[y[i]] + 1): the margin is delta = 1. The data loss is the mean of these
    contributions over the N examples. Regularisation adds reg * np.sum(W * W) to the loss,
    so it adds 2 * reg * W to the gradient (there is no factor 1/2 in this convention).

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
        for j in range(C):
            if j == y[i]:
                continue
            margin = scores[j] - scores[y[i]] + 1
            if margin > 0:
                loss += margin
                dW[:, j] += X[i]  # the violating class's score goes up with X[i]
                dW[:, y[i]] -= X[i]  # the correct class's score goes down with X[i]
    loss = loss / N + reg * np.sum(W * W)
    dW = dW / N + 2 * reg * W
    ### END SOLUTION
    return loss, dW


def svm_loss_vectorized(W, X, y, reg):
    """
    Multiclass SVM loss and gradient, as in svm_loss_naive, with no Python loops.

    Inputs and outputs are the same as for svm_loss_naive; the results must agree with it
    up to rounding, and it must be fast enough for minibatches of thousands of examples.

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
    correct = scores[rows, y][:, None]  # (N, 1)
    margins = np.maximum(0, scores - correct + 1)  # (N, C)
    margins[rows, y] = 0  # the correct class has no margin of its own
    loss = margins.sum() / N + reg * np.sum(W * W)

    coeff = (margins > 0).astype(X.dtype)  # (N, C): +1 for each violating class
    coeff[rows, y] = -coeff.sum(axis=1)  # the correct class: -1 per violation
    dW = X.T @ coeff / N + 2 * reg * W  # (D, C)
    ### END SOLUTION
    return loss, dW
