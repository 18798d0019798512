"""CIFAR-10 from the standard python batches, read with an unpickler that builds only plain arrays."""
import _codecs
import pickle
from pathlib import Path

import numpy as np

from .manifest import README, DatasetError, datasets_dir, shown

TRAIN_BATCHES = [f"data_batch_{i}" for i in range(1, 6)]
TEST_BATCH = "test_batch"
EXPECTED = "data_batch_1 to data_batch_5 and test_batch"

# The only globals a CIFAR-10 batch refers to: numpy array reconstruction (numpy.core before numpy 2, numpy._core
# after; taken from what numpy itself pickles) and bytes as Python 3 pickles them at protocol 2.
_reconstruct = np.ndarray.__reduce__(np.zeros(0))[0]
_scalar = np.int64(0).__reduce__()[0]
ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy.core.multiarray", "scalar"): _scalar,
    ("numpy._core.multiarray", "scalar"): _scalar,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
    ("_codecs", "encode"): _codecs.encode,
}


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that resolves only the names in ALLOWED and raises DatasetError for any other."""

    def __init__(self, file, path):
        super().__init__(file, encoding="bytes")
        self.path = path

    def find_class(self, module, name):
        if (module, name) not in ALLOWED:
            raise DatasetError(
                f"CIFAR-10 batch {shown(self.path)} refers to {module}.{name}, which a CIFAR-10 batch never does, "
                f"so it was not loaded."
            )
        return ALLOWED[(module, name)]


def read_batch(path, max_rows=None):
    """One batch file -> (images uint8 (N, 32, 32, 3), labels int64 (N,))."""
    try:
        with open(path, "rb") as f:
            batch = RestrictedUnpickler(f, path).load()
    except DatasetError:
        raise
    except Exception as e:  # a truncated or garbled pickle raises many kinds of error
        raise DatasetError(f"CIFAR-10 batch {shown(path)} could not be read ({type(e).__name__}: {e}).") from None
    data = batch.get(b"data") if isinstance(batch, dict) else None
    labels = batch.get(b"labels") if isinstance(batch, dict) else None
    if not (isinstance(data, np.ndarray) and data.dtype == np.uint8 and data.ndim == 2 and data.shape[1] == 3072
            and labels is not None and len(labels) == len(data)):
        raise DatasetError(
            f"CIFAR-10 batch {shown(path)} is not a CIFAR-10 batch: expected a dict with b'data' uint8 (N, 3072) "
            f"and N b'labels'."
        )
    N = data.shape[0] if max_rows is None else min(max_rows, data.shape[0])
    images = data[:N].reshape(N, 3, 32, 32).transpose(0, 2, 3, 1)  # (N, 32, 32, 3): channels last
    labels = np.asarray(labels[:N], dtype=np.int64)  # (N,)
    if labels.size and (labels.min() < 0 or labels.max() > 9):
        raise DatasetError(f"CIFAR-10 batch {shown(path)} has labels outside 0..9.")
    return np.ascontiguousarray(images), labels


def load_cifar10(folder=None, max_per_batch=None):
    """
    CIFAR-10 from a folder holding data_batch_1 to data_batch_5 and test_batch.

    Inputs:
    - folder: the folder (default: datasets/cifar-10-batches-py)
    - max_per_batch: if given, read only the first max_per_batch rows of each batch

    Returns a dict with X_train (N_train, 32, 32, 3) uint8, y_train (N_train,) int64,
    X_test (N_test, 32, 32, 3) uint8, y_test (N_test,) int64; 50,000 / 10,000 rows for the full set.
    """
    folder = Path(folder) if folder is not None else datasets_dir() / "cifar-10-batches-py"
    if not folder.is_dir():
        raise DatasetError(f"CIFAR-10 folder {shown(folder)} is missing: expected {EXPECTED} there (see {README}).")
    for name in TRAIN_BATCHES + [TEST_BATCH]:
        if not (folder / name).is_file():
            raise DatasetError(
                f"CIFAR-10 batch {shown(folder / name)} is missing: expected {EXPECTED} in {shown(folder)} "
                f"(see {README})."
            )
    train = [read_batch(folder / name, max_per_batch) for name in TRAIN_BATCHES]
    X_test, y_test = read_batch(folder / TEST_BATCH, max_per_batch)
    X_train = np.concatenate([images for images, _ in train])
    y_train = np.concatenate([labels for _, labels in train])
    return dict(X_train=X_train, y_train=y_train, X_test=X_test, y_test=y_test)
