"""Dataset loaders (numpy only, no network), for the judge and for students on their own machines; the worker's
view holds no datasets/ (probes get their inputs from the judge through `submission.share`). Files in datasets/
are checked against datasets/manifest.toml; built sets are cached."""
from .cifar10 import load_cifar10
from .digits import load_digits_split
from .ionosphere import ionosphere_split, load_ionosphere
from .manifest import DatasetError, dataset_path, datasets_dir, read_manifest
from .mnist import load_mnist_5k, load_mnist_idx, mnist_5k_split, mnist_5k_train

__all__ = [
    "DatasetError",
    "dataset_path",
    "datasets_dir",
    "read_manifest",
    "load_digits_split",
    "load_cifar10",
    "load_mnist_5k",
    "mnist_5k_split",
    "mnist_5k_train",
    "load_mnist_idx",
    "load_ionosphere",
    "ionosphere_split",
]
