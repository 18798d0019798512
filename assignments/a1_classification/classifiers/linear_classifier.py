"""Linear classifiers trained by minibatch stochastic gradient descent."""
from builtins import object, range

import numpy as np

from cs231n.classifiers.linear_svm import svm_loss_vectorized
from cs231n.classifiers.softmax import softmax_loss_vectorized


class LinearClassifier(object):
    """Scores are X @ W; subclasses choose the loss that training minimises."""

    def __init__(self):
        self.W = None

    def train(self, X, y, learning_rate=1e-3, reg=1e-5, num_iters=100, batch_size=200, verbose=False):
        """
        Train the weights self.W with minibatch stochastic gradient descent.

        If self.W is None, it is first set to 0.001 * np.random.randn(D, C), where C = max(y) + 1.
        Each iteration samples batch_size examples with replacement (np.random.choice),
        computes the loss and gradient on them with self.loss, and takes one step of size
        learning_rate against the gradient.

        Inputs:
        - X: Training examples, array of shape (N, D).
        - y: Integer labels, array of shape (N,); 0 <= y[i] < C is the class of X[i].
        - learning_rate: Step size of each update, a float.
        - reg: Regularisation strength, a float.
        - num_iters: Number of update steps, an int.
        - batch_size: Number of examples per step, an int.
        - verbose: If True, print the loss now and then.

        Returns:
        - loss_history: A list of num_iters floats, the minibatch loss at every iteration.
        """
        num_train, dim = X.shape
        num_classes = np.max(y) + 1  # labels are 0, ..., C - 1
        if self.W is None:
            self.W = 0.001 * np.random.randn(dim, num_classes)  # (D, C) small random start

        loss_history = []
        for it in range(num_iters):
            X_batch = None
            y_batch = None
            # Sample batch_size training examples with replacement: X_batch (B, D), y_batch (B,).
            # YOUR CODE HERE
            raise NotImplementedError()

            loss, grad = self.loss(X_batch, y_batch, reg)
            loss_history.append(loss)

            # Update self.W: one step of size learning_rate against the gradient.
            # YOUR CODE HERE
            raise NotImplementedError()

            if verbose and it % 100 == 0:
                print("iteration %d / %d: loss %f" % (it, num_iters, loss))

        return loss_history

    def predict(self, X):
        """
        Predict labels with the trained weights: the class with the highest score.

        Inputs:
        - X: Examples, array of shape (N, D).

        Returns:
        - y_pred: Integer array of shape (N,); y_pred[i] is the predicted class of X[i].
        """
        y_pred = np.zeros(X.shape[0], dtype=np.int64)
        # YOUR CODE HERE
        raise NotImplementedError()
        return y_pred

    def loss(self, X_batch, y_batch, reg):
        """
        Loss and gradient on a minibatch; each subclass provides its own.

        Inputs:
        - X_batch: A minibatch of examples, array of shape (B, D).
        - y_batch: Integer labels, array of shape (B,).
        - reg: Regularisation strength, a float.

        Returns a tuple of:
        - loss: The loss, a float.
        - dW: Gradient of the loss with respect to self.W, array of the same shape as self.W.
        """
        pass


class LinearSVM(LinearClassifier):
    """A linear classifier that minimises the multiclass SVM loss."""

    def loss(self, X_batch, y_batch, reg):
        return svm_loss_vectorized(self.W, X_batch, y_batch, reg)


class Softmax(LinearClassifier):
    """A linear classifier that minimises the softmax (cross-entropy) loss."""

    def loss(self, X_batch, y_batch, reg):
        return softmax_loss_vectorized(self.W, X_batch, y_batch, reg)
