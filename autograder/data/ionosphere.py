"""UCI Ionosphere (351 radar returns, 34 attributes, good/bad) and its original train/test split."""
import numpy as np

from .manifest import DatasetError, dataset_path, shown

N_TRAIN = 200  # Sigillito et al. 1989: first 200 rows train, last 151 test


def load_ionosphere():
    """All 351 rows: X float64 (351, 34), y int64 (351,) with g (good) = 1, b (bad) = 0."""
    path = dataset_path("ionosphere")
    rows = [line.split(",") for line in path.read_text().splitlines() if line.strip()]
    if not all(len(row) == 35 and row[-1] in ("g", "b") for row in rows):
        raise DatasetError(
            f"Dataset 'ionosphere' in {shown(path)} does not have 34 numbers and a g/b class on every line."
        )
    X = np.array([row[:34] for row in rows], dtype=np.float64)  # (351, 34)
    y = np.array([row[34] == "g" for row in rows], dtype=np.int64)  # (351,)
    return X, y


def ionosphere_split():
    """The original split: X_train (200, 34), y_train (200,), X_test (151, 34), y_test (151,)."""
    X, y = load_ionosphere()
    return dict(X_train=X[:N_TRAIN], y_train=y[:N_TRAIN], X_test=X[N_TRAIN:], y_test=y[N_TRAIN:])
