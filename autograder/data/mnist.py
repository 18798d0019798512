"""MNIST: the 5k subset (its training part ships to students, its test part is held out) and full IDX folders."""
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


def _part(name, n):
    """One part of the 5k subset: images uint8 (n, 28, 28), labels int64 (n,), index int64 (n,) (rows in the 5k)."""
    path = dataset_path(name)
    with np.load(path, allow_pickle=False) as archive:
        images, labels, index = archive["images"], archive["labels"].astype(np.int64), archive["index"].astype(np.int64)
    if images.shape != (n, 28, 28) or images.dtype != np.uint8 or labels.shape != (n,) or index.shape != (n,):
        raise DatasetError(f"Dataset {name!r} in {shown(path)} does not hold images uint8 ({n}, 28, 28), {n} labels "
                           f"and {n} indices.")
    return images, labels, index


def mnist_5k_train():
    """
    The 4,000 training digits of the 5k subset (400 per class), all a student's copy of the course holds.

    Returns a dict with X_train (4000, 28, 28) uint8, y_train (4000,) int64: the same arrays as mnist_5k_split's.
    """
    images, labels, _ = _part("mnist_5k_train", 4000)
    return dict(X_train=images, y_train=labels)


def mnist_5k_split():
    """
    The 5k subset split 4,000 train / 1,000 test, stratified (100 test digits per class), seed 0. The test digits
    are held out: they ship with the grading bundle, not to students (see mnist_5k_train).

    Returns a dict with X_train (4000, 28, 28) uint8, y_train (4000,) int64,
    X_test (1000, 28, 28) uint8, y_test (1000,) int64.
    """
    X_test, y_test, _ = _part("mnist_5k_heldout", 1000)
    return dict(**mnist_5k_train(), X_test=X_test, y_test=y_test)


def load_mnist_5k():
    """The 5,000 MNIST digits of both parts, 500 per class, sorted by label as the original subset: images uint8
    (5000, 28, 28), labels int64 (5000,). Needs the held-out part (see mnist_5k_split)."""
    images, labels = np.zeros((5000, 28, 28), np.uint8), np.full(5000, -1, np.int64)
    for name, n in (("mnist_5k_train", 4000), ("mnist_5k_heldout", 1000)):
        part_images, part_labels, index = _part(name, n)
        images[index], labels[index] = part_images, part_labels
    if (labels < 0).any():
        raise DatasetError("Datasets 'mnist_5k_train' and 'mnist_5k_heldout' do not cover the 5,000 rows of the "
                           "5k subset once each: their indices overlap.")
    return images, labels


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
