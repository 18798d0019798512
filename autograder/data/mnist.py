"""MNIST: the shipped 5k subset (verified against the manifest) and full IDX folders."""
import gzip
import zlib
from pathlib import Path

import numpy as np

from .manifest import README, DatasetError, dataset_path, datasets_dir, shown

IDX_FILES = {
    "X_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "X_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}
IMAGES_MAGIC, LABELS_MAGIC = 0x00000803, 0x00000801  # unsigned bytes, 3 dims / 1 dim


def load_mnist_5k():
    """The shipped 5,000 MNIST digits, 500 per class: images uint8 (5000, 28, 28), labels int64 (5000,)."""
    path = dataset_path("mnist_5k")
    with np.load(path, allow_pickle=False) as archive:
        images, labels = archive["images"], archive["labels"].astype(np.int64)
    if images.shape != (5000, 28, 28) or images.dtype != np.uint8 or labels.shape != (5000,):
        raise DatasetError(
            f"Dataset 'mnist_5k' in {shown(path)} does not hold images uint8 (5000, 28, 28) and 5000 labels."
        )
    return images, labels


def mnist_5k_split():
    """
    The 5k subset split 4,000 train / 1,000 test, stratified (100 test digits per class), seed 0.

    Returns a dict with X_train (4000, 28, 28) uint8, y_train (4000,) int64,
    X_test (1000, 28, 28) uint8, y_test (1000,) int64.
    """
    from sklearn.model_selection import train_test_split  # imported here: scikit-learn is slow to import

    images, labels = load_mnist_5k()
    X_train, X_test, y_train, y_test = train_test_split(images, labels, test_size=1000, stratify=labels, random_state=0)
    return dict(X_train=X_train, y_train=y_train, X_test=X_test, y_test=y_test)


def read_idx(path, magic):
    """One IDX file (plain or gzipped) with the given magic number -> uint8 array of the dims in its header."""
    try:
        with (gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")) as f:
            raw = f.read()
    except (OSError, EOFError, zlib.error) as e:
        raise DatasetError(f"MNIST file {shown(path)} could not be read ({e}).") from None
    ndim = magic & 0xFF
    header = 4 + 4 * ndim
    if len(raw) >= 4 and int.from_bytes(raw[:4], "big") != magic:
        raise DatasetError(
            f"MNIST file {shown(path)} is not an IDX file of this kind: magic number "
            f"0x{int.from_bytes(raw[:4], 'big'):08x} instead of 0x{magic:08x}."
        )
    if len(raw) < header:
        raise DatasetError(f"MNIST file {shown(path)} is truncated: its header is shorter than {header} bytes.")
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    size = int(np.prod(dims))
    if len(raw) - header != size:
        raise DatasetError(
            f"MNIST file {shown(path)} is truncated or padded: header dims {tuple(dims)} need {size} bytes of data "
            f"but it holds {len(raw) - header}."
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(dims)


def load_mnist_idx(folder=None):
    """
    Full MNIST from the four standard IDX files (each may be gzipped, with a .gz suffix).

    Inputs:
    - folder: the folder holding them (default: datasets/mnist)

    Returns a dict with X_train (N_train, H, W) uint8, y_train (N_train,) int64, X_test (N_test, H, W) uint8,
    y_test (N_test,) int64; 60,000 / 10,000 rows of 28x28 for the full set.
    """
    folder = Path(folder) if folder is not None else datasets_dir() / "mnist"
    expected = ", ".join(IDX_FILES.values())
    if not folder.is_dir():
        raise DatasetError(f"MNIST folder {shown(folder)} is missing: expected {expected} there (see {README}).")
    out = {}
    for key, name in IDX_FILES.items():
        candidates = [folder / name, folder / (name + ".gz")]
        path = next((p for p in candidates if p.is_file()), None)
        if path is None:
            raise DatasetError(
                f"MNIST file {shown(folder / name)} is missing (also no .gz): expected {expected} in {shown(folder)} "
                f"(see {README})."
            )
        out[key] = read_idx(path, IMAGES_MAGIC if key.startswith("X") else LABELS_MAGIC)
    for split in ("train", "test"):
        X, y = out[f"X_{split}"], out[f"y_{split}"]
        if len(X) != len(y):
            raise DatasetError(f"MNIST {split} files in {shown(folder)} disagree: {len(X)} images but {len(y)} labels.")
        out[f"y_{split}"] = y.astype(np.int64)
    return out
