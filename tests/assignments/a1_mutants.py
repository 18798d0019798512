"""Plausible wrong submissions for assignment 1, as one-line edits of the reference solution.

Data only (no tests here). Each mutant replaces `old` by `new` once in `file` (a path inside
solutions/a1_classification/; `old` occurs there exactly once), and names the hidden tests that must
then fail, as substrings of their names. Grading a mutant must fail those tests and lower the score.
"""
from harness import Mutant

ASSIGNMENT = "a1_classification"


KNN = "classifiers/k_nearest_neighbor.py"
SVM = "classifiers/linear_svm.py"
SOFTMAX = "classifiers/softmax.py"
LINEAR = "classifiers/linear_classifier.py"
NET = "classifiers/neural_net.py"

MUTANTS = [
    # Each row shifted by its smallest score instead of its largest: the same as the right shift when a
    # constant is added to every score, an overflow when a row's scores spread wider than exp can hold.
    Mutant("softmax_shift_by_min", SOFTMAX,
           "scores = scores - np.max(scores, axis=1, keepdims=True)",
           "scores = scores - np.min(scores, axis=1, keepdims=True)",
           must_fail=["test_softmax_loss_vectorized_stable"]),
    Mutant("softmax_naive_shift_by_min", SOFTMAX,
           "scores = scores - np.max(scores)  #",
           "scores = scores - np.min(scores)  #",
           must_fail=["test_softmax_loss_naive_stable"]),
    # Distances cast to integers before sorting: wrong neighbours whenever they lie less than 1 apart.
    Mutant("knn_votes_on_integer_distances", KNN,
           "closest_y = self.y_train[np.argsort(dists[i])[:k]]",
           "closest_y = self.y_train[np.argsort(dists[i].astype(int), kind='stable')[:k]]",
           must_fail=["test_predict_labels_k1_values", "test_predict_labels_majority_values",
                      "test_predict_labels_ties_smaller_label"]),
    # Softmax normalised over the batch (axis 0) instead of over the classes of each example.
    Mutant("softmax_wrong_axis", SOFTMAX,
           "np.sum(np.exp(scores), axis=1, keepdims=True)",
           "np.sum(np.exp(scores), axis=0, keepdims=True)",
           must_fail=["test_softmax_loss_vectorized_values", "test_softmax_loss_vectorized_gradient"]),
    # Hinge margin of the correct class itself kept (it is always 1): loss +1 and a wrong gradient.
    Mutant("svm_margin_counts_correct_class", SVM,
           "    margins[rows, y] = 0  # the correct class has no margin of its own\n",
           "",
           must_fail=["test_svm_loss_vectorized_values", "test_svm_loss_vectorized_gradient"]),
    # The same mistake in the loops: no skip of j == y[i].
    Mutant("svm_naive_margin_counts_correct_class", SVM,
           "            if j == y[i]:\n                continue\n",
           "",
           must_fail=["test_svm_loss_naive_values"]),
    # exp of the raw scores: overflows to inf (or underflows to 0) for scores of large magnitude.
    Mutant("softmax_unstable_exp", SOFTMAX,
           "    scores = scores - np.max(scores, axis=1, keepdims=True)"
           "  # shift each row: its largest score becomes 0\n",
           "",
           must_fail=["test_softmax_loss_vectorized_stable"]),
    # Vote ties go to the larger label (argmax over the reversed counts).
    Mutant("knn_tie_larger_label", KNN,
           "y_pred[i] = np.argmax(np.bincount(closest_y))",
           "counts = np.bincount(closest_y)\n            y_pred[i] = len(counts) - 1 - np.argmax(counts[::-1])",
           must_fail=["test_predict_labels_ties_smaller_label"]),
    # The common idiom max(list, key=list.count): ties go to the label of the nearest point.
    Mutant("knn_tie_nearest_label", KNN,
           "y_pred[i] = np.argmax(np.bincount(closest_y))",
           "y_pred[i] = max(closest_y.tolist(), key=closest_y.tolist().count)",
           must_fail=["test_predict_labels_ties_smaller_label"]),
    # The k farthest points vote instead of the k nearest.
    Mutant("knn_farthest_neighbours", KNN,
           "np.argsort(dists[i])[:k]",
           "np.argsort(dists[i])[-k:]",
           must_fail=["test_predict_labels_k1_values", "test_predict_labels_majority_values",
                      "test_predict_labels_ties_smaller_label", "test_predict_num_loops"]),
    # Squared distances from the no-loop version (predictions are unchanged, distances are not).
    Mutant("knn_no_loops_missing_sqrt", KNN,
           "dists = np.sqrt(np.maximum(test_sq - 2 * cross + train_sq, 0))",
           "dists = np.maximum(test_sq - 2 * cross + train_sq, 0)",
           must_fail=["test_compute_distances_no_loops_values", "test_compute_distances_no_loops_fast"]),
    # (C, N) @ (N, D) "fixed" with a reshape instead of a transpose: right shape, wrong values.
    Mutant("svm_gradient_transposed", SVM,
           "dW = X.T @ coeff / N + 2 * reg * W  # (D, C)",
           "dW = (coeff.T @ X).reshape(W.shape) / N + 2 * reg * W  # (D, C)",
           must_fail=["test_svm_loss_vectorized_gradient", "test_svm_loss_vectorized_fast"]),
    # The data gradient summed but not averaged over the minibatch.
    Mutant("svm_naive_gradient_not_averaged", SVM,
           "dW = dW / N + 2 * reg * W",
           "dW = dW + 2 * reg * W",
           must_fail=["test_svm_loss_naive_gradient"]),
    # Regularisation in the loss but not in the gradient.
    Mutant("softmax_missing_reg_gradient", SOFTMAX,
           "dW = X.T @ dscores / N + 2 * reg * W  # (D, C)",
           "dW = X.T @ dscores / N  # (D, C)",
           must_fail=["test_softmax_loss_vectorized_gradient", "test_softmax_loss_vectorized_fast"]),
    # Backward through the ReLU without the mask of active units.
    Mutant("net_relu_gradient_not_masked", NET,
           "        dhidden[hidden <= 0] = 0  # the ReLU passes gradient only where it was active\n",
           "",
           must_fail=["test_two_layer_net_loss_gradient", "test_two_layer_net_loss_gradient_numerical"]),
    # The second layer's bias left out of the forward pass.
    Mutant("net_missing_bias", NET,
           "scores = hidden @ W2 + b2  # (N, C)",
           "scores = hidden @ W2  # (N, C)",
           must_fail=["test_two_layer_net_scores_values", "test_two_layer_net_loss_values"]),
    # The 1/2 convention's gradient (reg * W) with this assignment's loss (reg * sum W^2).
    Mutant("net_reg_gradient_halved", NET,
           'grads["W2"] = hidden.T @ dscores + 2 * reg * W2',
           'grads["W2"] = hidden.T @ dscores + reg * W2',
           must_fail=["test_two_layer_net_loss_gradient", "test_two_layer_net_loss_gradient_numerical"]),
    # The SGD step computed into a local variable: W never changes, so training does not converge.
    Mutant("linear_train_never_updates", LINEAR,
           "self.W -= learning_rate * grad  # one step downhill",
           "W = self.W - learning_rate * grad  # one step downhill",
           must_fail=["test_linear_svm_train_accuracy", "test_softmax_train_accuracy",
                      "test_linear_classifier_train_loss_history"]),
    # The same in the network's training loop.
    Mutant("net_train_never_updates", NET,
           "self.params[name] -= learning_rate * grads[name]  # one step downhill",
           "params = self.params[name] - learning_rate * grads[name]  # one step downhill",
           must_fail=["test_two_layer_net_train_accuracy"]),
    # argmax over the examples instead of over the classes.
    Mutant("linear_predict_wrong_axis", LINEAR,
           "y_pred = np.argmax(X @ self.W, axis=1)  # (N,)",
           "y_pred = np.argmax(X @ self.W, axis=0)  # (N,)",
           must_fail=["test_linear_classifier_predict_values", "test_linear_svm_train_accuracy",
                      "test_softmax_train_accuracy"]),
    # "Vectorised" versions that fall back on the loops: right values, far over the time limit.
    Mutant("knn_no_loops_is_one_loop", KNN,
           "        test_sq = np.sum(X ** 2, axis=1, keepdims=True)  # (num_test, 1)\n",
           "        return self.compute_distances_one_loop(X)\n",
           must_fail=["test_compute_distances_no_loops_fast"]),
    Mutant("svm_vectorized_is_naive", SVM,
           "    rows = np.arange(N)\n    scores = X @ W  # (N, C)\n    correct",
           "    return svm_loss_naive(W, X, y, reg)\n"
           "    rows = np.arange(N)\n    scores = X @ W  # (N, C)\n    correct",
           must_fail=["test_svm_loss_vectorized_fast"]),
    Mutant("softmax_vectorized_is_naive", SOFTMAX,
           "    rows = np.arange(N)\n",
           "    return softmax_loss_naive(W, X, y, reg)\n",
           must_fail=["test_softmax_loss_vectorized_fast"]),
]
