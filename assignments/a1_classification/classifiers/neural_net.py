"""A two-layer fully connected network with a ReLU and a softmax loss."""
from builtins import object, range

import numpy as np


class TwoLayerNet(object):
    """
    The network computes, for inputs of dimension D, a hidden layer of size H and C classes:

        input -> affine (W1, b1) -> ReLU -> affine (W2, b2) -> softmax loss

    The second affine layer gives one score per class.
    """

    def __init__(self, input_size, hidden_size, output_size, std=1e-4):
        """
        Create the parameters: weights are std * np.random.randn, biases are zero.
        They live in the dictionary self.params:

        W1: First layer weights, shape (D, H)
        b1: First layer biases, shape (H,)
        W2: Second layer weights, shape (H, C)
        b2: Second layer biases, shape (C,)

        Inputs:
        - input_size: The input dimension D, an int.
        - hidden_size: The number of hidden units H, an int.
        - output_size: The number of classes C, an int.
        - std: Standard deviation of the initial weights, a float.
        """
        self.params = {}
        self.params["W1"] = std * np.random.randn(input_size, hidden_size)
        self.params["b1"] = np.zeros(hidden_size)
        self.params["W2"] = std * np.random.randn(hidden_size, output_size)
        self.params["b2"] = np.zeros(output_size)

    def loss(self, X, y=None, reg=0.0):
        """
        Class scores, or the loss and its gradients, for a minibatch.

        The loss is the mean softmax loss over the N examples plus
        reg * (np.sum(W1 * W1) + np.sum(W2 * W2)); the biases are not regularised, and the
        gradient of the regularisation term with respect to W is 2 * reg * W.

        Inputs:
        - X: A minibatch of examples, array of shape (N, D).
        - y: Integer labels, array of shape (N,) with 0 <= y[i] < C, or None.
        - reg: Regularisation strength, a float.

        Returns:
        If y is None:
        - scores: Array of shape (N, C); scores[i, c] is the score of class c for X[i].

        If y is given, a tuple of:
        - loss: The loss (data loss plus regularisation), a float.
        - grads: A dict with the same keys as self.params; grads[name] is the gradient of
          the loss with respect to self.params[name] and has the same shape.
        """
        W1, b1 = self.params["W1"], self.params["b1"]
        W2, b2 = self.params["W2"], self.params["b2"]
        N, D = X.shape

        # Forward pass: class scores.
        scores = None
        # YOUR CODE HERE
        raise NotImplementedError()

        if y is None:
            return scores

        # Loss: softmax data loss plus regularisation.
        loss = None
        # YOUR CODE HERE
        raise NotImplementedError()

        # Backward pass: gradients of the loss with respect to every parameter.
        grads = {}
        # YOUR CODE HERE
        raise NotImplementedError()

        return loss, grads

    def train(self, X, y, X_val, y_val, learning_rate=1e-3, learning_rate_decay=0.95,
              reg=5e-6, num_iters=100, batch_size=200, verbose=False):
        """
        Train the network with minibatch stochastic gradient descent.

        Each iteration samples batch_size examples with replacement (np.random.choice),
        computes the loss and gradients with self.loss and updates every parameter.
        Once per epoch the accuracies are recorded and the learning rate is multiplied
        by learning_rate_decay.

        Inputs:
        - X: Training examples, array of shape (N, D).
        - y: Integer labels, array of shape (N,); 0 <= y[i] < C is the class of X[i].
        - X_val: Validation examples, array of shape (N_val, D).
        - y_val: Validation labels, array of shape (N_val,).
        - learning_rate: Step size of the updates, a float.
        - learning_rate_decay: Factor applied to the learning rate after each epoch, a float.
        - reg: Regularisation strength, a float.
        - num_iters: Number of update steps, an int.
        - batch_size: Number of examples per step, an int.
        - verbose: If True, print the loss now and then.

        Returns a dict with:
        - loss_history: A list of num_iters floats, the minibatch loss at every iteration.
        - train_acc_history: A list of floats, the accuracy on the current minibatch once per epoch.
        - val_acc_history: A list of floats, the accuracy on the validation set once per epoch.
        """
        num_train = X.shape[0]
        iterations_per_epoch = max(num_train // batch_size, 1)

        loss_history = []
        train_acc_history = []
        val_acc_history = []

        for it in range(num_iters):
            X_batch = None
            y_batch = None
            # Sample batch_size training examples with replacement: X_batch (B, D), y_batch (B,).
            # YOUR CODE HERE
            raise NotImplementedError()

            loss, grads = self.loss(X_batch, y=y_batch, reg=reg)
            loss_history.append(loss)

            # Update every entry of self.params: one step of size learning_rate against its gradient.
            # YOUR CODE HERE
            raise NotImplementedError()

            if verbose and it % 100 == 0:
                print("iteration %d / %d: loss %f" % (it, num_iters, loss))

            # Once per epoch: record the accuracies and decay the learning rate.
            if it % iterations_per_epoch == 0:
                train_acc = (self.predict(X_batch) == y_batch).mean()
                val_acc = (self.predict(X_val) == y_val).mean()
                train_acc_history.append(train_acc)
                val_acc_history.append(val_acc)
                learning_rate *= learning_rate_decay

        return {
            "loss_history": loss_history,
            "train_acc_history": train_acc_history,
            "val_acc_history": val_acc_history,
        }

    def predict(self, X):
        """
        Predict labels with the trained network: the class with the highest score.

        Inputs:
        - X: Examples, array of shape (N, D).

        Returns:
        - y_pred: Integer array of shape (N,); y_pred[i] is the predicted class of X[i].
        """
        y_pred = None
        # YOUR CODE HERE
        raise NotImplementedError()
        return y_pred
