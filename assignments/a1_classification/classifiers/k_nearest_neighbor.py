"""A k-nearest-neighbour classifier with Euclidean (L2) distances."""
from builtins import object, range

import numpy as np


class KNearestNeighbor(object):
    """Memorise the training set; label a test point by a vote among its k closest training points."""

    def __init__(self):
        pass

    def train(self, X, y):
        """
        Store the training data. Training a kNN classifier is nothing more than this.

        Inputs:
        - X: Training examples, array of shape (num_train, D), one example per row.
        - y: Integer labels, array of shape (num_train,); y[i] >= 0 is the class of X[i].
        """
        self.X_train = X
        self.y_train = y

    def predict(self, X, k=1, num_loops=0):
        """
        Predict a label for each test example.

        Inputs:
        - X: Test examples, array of shape (num_test, D).
        - k: Number of nearest training examples that vote, an int >= 1.
        - num_loops: Which distance routine to use: 0, 1 or 2 Python loops. Any other
          value raises ValueError.

        Returns:
        - y_pred: Predicted labels, array of shape (num_test,); y_pred[i] is the label of X[i].
        """
        if num_loops == 0:
            dists = self.compute_distances_no_loops(X)
        elif num_loops == 1:
            dists = self.compute_distances_one_loop(X)
        elif num_loops == 2:
            dists = self.compute_distances_two_loops(X)
        else:
            raise ValueError("num_loops must be 0, 1 or 2, not %r" % (num_loops,))

        return self.predict_labels(dists, k=k)

    def compute_distances_two_loops(self, X):
        """
        L2 distance between every test example and every training example, one pair at a time.

        Fill in one entry of dists per pass of the inner loop; no loop over the feature dimension.

        Inputs:
        - X: Test examples, array of shape (num_test, D).

        Returns:
        - dists: Array of shape (num_test, num_train); dists[i, j] is the Euclidean distance
          between the test example X[i] and the training example self.X_train[j].
        """
        num_test = X.shape[0]
        num_train = self.X_train.shape[0]
        dists = np.zeros((num_test, num_train))
        for i in range(num_test):
            for j in range(num_train):
                # YOUR CODE HERE
                raise NotImplementedError()
        return dists

    def compute_distances_one_loop(self, X):
        """
        L2 distances as in compute_distances_two_loops, filling a whole row of dists per test example.

        Inputs:
        - X: Test examples, array of shape (num_test, D).

        Returns:
        - dists: Array of shape (num_test, num_train), as in compute_distances_two_loops.
        """
        num_test = X.shape[0]
        num_train = self.X_train.shape[0]
        dists = np.zeros((num_test, num_train))
        for i in range(num_test):
            # YOUR CODE HERE
            raise NotImplementedError()
        return dists

    def compute_distances_no_loops(self, X):
        """
        L2 distances as in compute_distances_two_loops, with no Python loop at all.

        Hint: expand ||a - b||^2 into three terms; one of them is a single matrix product.
        Do not build an array of shape (num_test, num_train, D): it does not fit in memory
        for realistic sizes.

        Inputs:
        - X: Test examples, array of shape (num_test, D).

        Returns:
        - dists: Array of shape (num_test, num_train), as in compute_distances_two_loops.
        """
        num_test = X.shape[0]
        num_train = self.X_train.shape[0]
        dists = np.zeros((num_test, num_train))
        # YOUR CODE HERE
        raise NotImplementedError()
        return dists

    def predict_labels(self, dists, k=1):
        """
        Turn distances into labels by a majority vote among the k nearest training examples.

        When several labels share the largest number of votes, predict the smallest of them.

        Inputs:
        - dists: Array of shape (num_test, num_train); dists[i, j] is the distance between
          test example i and training example j.
        - k: Number of nearest training examples that vote, an int >= 1.

        Returns:
        - y_pred: Integer array of shape (num_test,); y_pred[i] is the predicted label of test example i.
        """
        num_test = dists.shape[0]
        y_pred = np.zeros(num_test, dtype=np.int64)
        for i in range(num_test):
            # YOUR CODE HERE
            raise NotImplementedError()
        return y_pred
