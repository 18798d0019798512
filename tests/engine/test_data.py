"""Tests of autograder.data: manifest checks, the shipped datasets and the CIFAR-10 / MNIST folder readers."""
import ast
import gzip
import os
import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest

from autograder import data
from autograder.data import DatasetError
from autograder.data import manifest as manifest_module

SHIPPED = Path(manifest_module.__file__).resolve().parents[2] / "datasets"


def assert_one_sentence(message, *must_contain):
    assert "\n" not in message and message.endswith("."), f"not one line ending in a full stop: {message!r}"
    assert ". " not in message, f"more than one sentence: {message!r}"
    for text in must_contain:
        assert text in message, f"{text!r} not in {message!r}"


@pytest.fixture
def datasets_copy(tmp_path, monkeypatch):
    """A copy of the shipped datasets folder, with AUTOGRADER_DATASETS pointing at it."""
    folder = tmp_path / "datasets"
    shutil.copytree(SHIPPED, folder)
    monkeypatch.setenv("AUTOGRADER_DATASETS", str(folder))
    return folder


# --- manifest and sha256 -----------------------------------------------------------------------------------------

def test_manifest_lists_shipped_files_with_provenance():
    entries = data.read_manifest()
    assert set(entries) == {"mnist_5k_train", "mnist_5k_heldout", "ionosphere", "forgery_generator"}
    for entry in entries.values():
        for field in ("name", "file", "sha256", "source", "licence", "description"):
            assert entry.get(field), f"manifest entry {entry['name']} has no {field}"
        assert (SHIPPED / entry["file"]).is_file()


def test_dataset_path_verifies_shipped_files():
    for name, entry in data.read_manifest().items():
        path = data.dataset_path(name)
        assert manifest_module.sha256_of(path) == entry["sha256"]


def test_datasets_dir_follows_environment(datasets_copy):
    assert data.datasets_dir() == datasets_copy
    assert data.dataset_path("ionosphere") == datasets_copy / "ionosphere.data"


def test_corrupt_file_raises_one_sentence(datasets_copy):
    path = datasets_copy / "mnist_5k_train.npz"
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    path.write_bytes(bytes(raw))
    with pytest.raises(DatasetError) as info:
        data.mnist_5k_train()
    assert_one_sentence(str(info.value), "mnist_5k_train", "corrupt", str(path), "sha256")


def test_missing_file_raises_one_sentence(datasets_copy):
    (datasets_copy / "ionosphere.data").unlink()
    with pytest.raises(DatasetError) as info:
        data.load_ionosphere()
    assert_one_sentence(str(info.value), "ionosphere", "missing", str(datasets_copy / "ionosphere.data"), "README")


def test_missing_manifest_raises(datasets_copy):
    (datasets_copy / "manifest.toml").unlink()
    with pytest.raises(DatasetError) as info:
        data.load_ionosphere()
    assert_one_sentence(str(info.value), "manifest", str(datasets_copy / "manifest.toml"))


def test_unlisted_dataset_raises():
    with pytest.raises(DatasetError) as info:
        data.dataset_path("no_such_dataset")
    assert_one_sentence(str(info.value), "no_such_dataset", "manifest.toml")


def _imports(nodes):
    for node in nodes:
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
            [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
        yield from (name.split(".")[0] for name in names)


def test_data_package_imports_no_torch_and_no_network():
    """No network module anywhere; torch only inside the functions that need it (A5's generator), so that
    importing the loaders stays light."""
    network = {"urllib", "requests", "socket", "http", "pooch"}
    for path in Path(data.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text())
        assert not network & set(_imports(ast.walk(tree))), path.name
        assert "torch" not in set(_imports(tree.body)), f"{path.name} imports torch when it loads"


# --- digits --------------------------------------------------------------------------------------------------------

def test_digits_split_shapes_and_dtypes():
    split = data.load_digits_split()
    for part, n in (("train", 1197), ("val", 200), ("test", 400)):
        X, y = split[f"X_{part}"], split[f"y_{part}"]
        assert X.shape == (n, 64) and X.dtype == np.float64
        assert y.shape == (n,) and y.dtype == np.int64
        assert X.min() >= 0 and X.max() <= 16


def test_digits_split_is_deterministic():
    first, second = data.load_digits_split(), data.load_digits_split()
    for key in first:
        np.testing.assert_array_equal(first[key], second[key], err_msg=key)


def test_digits_split_is_a_partition_of_the_dataset():
    from sklearn.datasets import load_digits

    digits = load_digits()
    split = data.load_digits_split()
    rows = np.concatenate([np.column_stack([split[f"X_{p}"], split[f"y_{p}"]]) for p in ("train", "val", "test")])
    original = np.column_stack([digits.data, digits.target])
    # The splits together hold every (image, label) row exactly as often as the dataset does: no overlap, none lost.
    np.testing.assert_array_equal(rows[np.lexsort(rows.T)], original[np.lexsort(original.T)])


def test_digits_split_is_stratified():
    split = data.load_digits_split()
    overall = np.bincount(np.concatenate([split["y_train"], split["y_val"], split["y_test"]]), minlength=10) / 1797
    for part, n in (("train", 1197), ("val", 200), ("test", 400)):
        counts = np.bincount(split[f"y_{part}"], minlength=10)
        assert np.all(np.abs(counts - overall * n) <= 1.5), f"{part} class counts {counts} far from {overall * n}"


# --- CIFAR-10 ------------------------------------------------------------------------------------------------------

def write_cifar_folder(folder, rows_per_batch=3, seed=0):
    """A tiny CIFAR-10 folder in the real format; returns {batch name: (data (N, 3072) uint8, labels list)}."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        raw = rng.integers(0, 256, size=(rows_per_batch, 3072), dtype=np.uint8)
        labels = [int(v) for v in rng.integers(0, 10, size=rows_per_batch)]
        batch = {b"batch_label": name.encode(), b"labels": labels, b"data": raw,
                 b"filenames": [f"img_{i}.png".encode() for i in range(rows_per_batch)]}
        with open(folder / name, "wb") as f:
            pickle.dump(batch, f, protocol=2)
        written[name] = (raw, labels)
    return written


def test_cifar10_shapes_dtypes_and_channel_order(tmp_path):
    written = write_cifar_folder(tmp_path / "cifar")
    out = data.load_cifar10(tmp_path / "cifar")
    assert out["X_train"].shape == (15, 32, 32, 3) and out["X_train"].dtype == np.uint8
    assert out["X_test"].shape == (3, 32, 32, 3) and out["X_test"].dtype == np.uint8
    assert out["y_train"].shape == (15,) and out["y_train"].dtype == np.int64
    assert out["y_test"].dtype == np.int64
    raw, labels = written["data_batch_2"]
    image = out["X_train"][3 + 1]  # second row of the second batch
    # Row layout: 1024 red values, then 1024 green, then 1024 blue, each a row-major 32x32 image.
    assert image[0, 0, 0] == raw[1, 0] and image[0, 0, 1] == raw[1, 1024] and image[0, 0, 2] == raw[1, 2048]
    assert image[0, 1, 0] == raw[1, 1] and image[1, 0, 0] == raw[1, 32] and image[31, 31, 2] == raw[1, 3071]
    np.testing.assert_array_equal(out["y_train"][3:6], labels)
    test_raw, test_labels = written["test_batch"]
    np.testing.assert_array_equal(out["X_test"].transpose(0, 3, 1, 2).reshape(3, 3072), test_raw)
    np.testing.assert_array_equal(out["y_test"], test_labels)


def test_cifar10_max_per_batch(tmp_path):
    write_cifar_folder(tmp_path / "cifar", rows_per_batch=4)
    out = data.load_cifar10(tmp_path / "cifar", max_per_batch=2)
    assert out["X_train"].shape == (10, 32, 32, 3) and out["X_test"].shape == (2, 32, 32, 3)


def test_cifar10_accepts_pre_numpy2_module_names(tmp_path):
    written = write_cifar_folder(tmp_path / "cifar")
    path = tmp_path / "cifar" / "test_batch"
    path.write_bytes(path.read_bytes().replace(b"numpy._core.multiarray\n", b"numpy.core.multiarray\n"))
    assert b"numpy.core.multiarray\n_reconstruct" in path.read_bytes()
    out = data.load_cifar10(tmp_path / "cifar")
    np.testing.assert_array_equal(out["X_test"].transpose(0, 3, 1, 2).reshape(3, 3072), written["test_batch"][0])


def test_cifar10_missing_folder_and_batch(tmp_path):
    with pytest.raises(DatasetError) as info:
        data.load_cifar10(tmp_path / "nowhere")
    assert_one_sentence(str(info.value), str(tmp_path / "nowhere"), "data_batch_1", "test_batch")
    write_cifar_folder(tmp_path / "cifar")
    (tmp_path / "cifar" / "data_batch_4").unlink()
    with pytest.raises(DatasetError) as info:
        data.load_cifar10(tmp_path / "cifar")
    assert_one_sentence(str(info.value), "data_batch_4", "missing", str(tmp_path / "cifar"))


class RunsShell:
    """Unpickling this would run a shell command."""

    def __init__(self, command):
        self.command = command

    def __reduce__(self):
        return (os.system, (self.command,))


class EvaluatesCode:
    def __init__(self, code):
        self.code = code

    def __reduce__(self):
        return (eval, (self.code,))


@pytest.mark.parametrize("payload", ["os.system", "builtins.eval"])
def test_cifar10_rejects_malicious_pickle(tmp_path, payload):
    write_cifar_folder(tmp_path / "cifar")
    marker = tmp_path / "pwned"
    if payload == "os.system":
        evil = RunsShell(f"touch {marker}")
    else:
        evil = EvaluatesCode(f"open({str(marker)!r}, 'w').close()")
    with open(tmp_path / "cifar" / "data_batch_3", "wb") as f:
        pickle.dump({b"data": evil, b"labels": [0]}, f, protocol=2)
    with pytest.raises(DatasetError) as info:
        data.load_cifar10(tmp_path / "cifar")
    assert_one_sentence(str(info.value), "data_batch_3")
    assert not marker.exists(), "the malicious pickle ran its payload"


def test_cifar10_rejects_garbled_batch(tmp_path):
    write_cifar_folder(tmp_path / "cifar")
    path = tmp_path / "cifar" / "test_batch"
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(DatasetError) as info:
        data.load_cifar10(tmp_path / "cifar")
    assert "test_batch" in str(info.value)
    with open(path, "wb") as f:
        pickle.dump({b"data": np.zeros((2, 10), np.uint8), b"labels": [0, 1]}, f, protocol=2)
    with pytest.raises(DatasetError, match="not a CIFAR-10 batch"):
        data.load_cifar10(tmp_path / "cifar")


# --- MNIST ---------------------------------------------------------------------------------------------------------

def idx_bytes(array, magic=None):
    """An IDX file's bytes for a uint8 array (magic 0x0803 for 3 dims, 0x0801 for 1)."""
    magic = (0x0800 | array.ndim) if magic is None else magic
    header = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in array.shape)
    return header + array.astype(np.uint8).tobytes()


def write_mnist_folder(folder, gz, seed=0):
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, size=(6, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte": rng.integers(0, 10, size=6, dtype=np.uint8),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, size=(4, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": rng.integers(0, 10, size=4, dtype=np.uint8),
    }
    for name, array in arrays.items():
        raw = idx_bytes(array)
        if gz:
            (folder / (name + ".gz")).write_bytes(gzip.compress(raw))
        else:
            (folder / name).write_bytes(raw)
    return arrays


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzipped"])
def test_mnist_idx_reads_written_values(tmp_path, gz):
    arrays = write_mnist_folder(tmp_path / "mnist", gz)
    out = data.load_mnist_idx(tmp_path / "mnist")
    assert out["X_train"].shape == (6, 28, 28) and out["X_train"].dtype == np.uint8
    assert out["X_test"].shape == (4, 28, 28) and out["y_test"].dtype == np.int64
    np.testing.assert_array_equal(out["X_train"], arrays["train-images-idx3-ubyte"])
    np.testing.assert_array_equal(out["y_train"], arrays["train-labels-idx1-ubyte"])
    np.testing.assert_array_equal(out["X_test"], arrays["t10k-images-idx3-ubyte"])
    np.testing.assert_array_equal(out["y_test"], arrays["t10k-labels-idx1-ubyte"])


def test_mnist_idx_rejects_bad_magic(tmp_path):
    arrays = write_mnist_folder(tmp_path / "mnist", gz=False)
    path = tmp_path / "mnist" / "train-images-idx3-ubyte"
    path.write_bytes(idx_bytes(arrays["train-images-idx3-ubyte"], magic=0x0801))
    with pytest.raises(DatasetError) as info:
        data.load_mnist_idx(tmp_path / "mnist")
    assert_one_sentence(str(info.value), "train-images-idx3-ubyte", "0x00000803", "0x00000801")


def test_mnist_idx_rejects_truncated_file(tmp_path):
    write_mnist_folder(tmp_path / "mnist", gz=True)
    path = tmp_path / "mnist" / "t10k-images-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(gzip.decompress(path.read_bytes())[:-10]))
    with pytest.raises(DatasetError, match="truncated") as info:
        data.load_mnist_idx(tmp_path / "mnist")
    assert "t10k-images-idx3-ubyte.gz" in str(info.value)


def test_mnist_idx_missing_file(tmp_path):
    write_mnist_folder(tmp_path / "mnist", gz=False)
    (tmp_path / "mnist" / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(DatasetError) as info:
        data.load_mnist_idx(tmp_path / "mnist")
    assert_one_sentence(str(info.value), "t10k-labels-idx1-ubyte", "missing")


def test_mnist_5k_shapes_and_classes():
    images, labels = data.load_mnist_5k()
    assert images.shape == (5000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (5000,) and labels.dtype == np.int64
    assert np.bincount(labels).tolist() == [500] * 10


def test_mnist_5k_split_sizes_and_stratification():
    split = data.mnist_5k_split()
    assert split["X_train"].shape == (4000, 28, 28) and split["X_train"].dtype == np.uint8
    assert split["X_test"].shape == (1000, 28, 28) and split["y_test"].dtype == np.int64
    assert np.bincount(split["y_test"]).tolist() == [100] * 10
    assert np.bincount(split["y_train"]).tolist() == [400] * 10
    again = data.mnist_5k_split()
    for key in split:
        np.testing.assert_array_equal(split[key], again[key], err_msg=key)


def test_mnist_5k_split_is_the_5k_subset_split_as_before():
    """The two parts are the rows scikit-learn's train_test_split(test_size=1000, stratify=labels, random_state=0)
    put in each part of the original 5k subset, in its order (so A2 and A3's figures stay as measured)."""
    from sklearn.model_selection import train_test_split
    images, labels = data.load_mnist_5k()
    X_train, X_test, y_train, y_test = train_test_split(images, labels, test_size=1000, stratify=labels,
                                                        random_state=0)
    split = data.mnist_5k_split()
    for key, expected in dict(X_train=X_train, y_train=y_train, X_test=X_test, y_test=y_test).items():
        np.testing.assert_array_equal(split[key], expected, err_msg=key)
    assert labels.tolist() == sorted(labels.tolist())  # the original subset is sorted by label


def test_mnist_5k_train_needs_only_the_training_part(datasets_copy):
    """A student's copy has no held-out digits: the training part loads alone, the split says what is missing."""
    (datasets_copy / "mnist_5k_heldout.npz").unlink()
    train = data.mnist_5k_train()
    assert set(train) == {"X_train", "y_train"}
    assert train["X_train"].shape == (4000, 28, 28) and train["y_train"].dtype == np.int64
    with pytest.raises(DatasetError) as info:
        data.mnist_5k_split()
    assert_one_sentence(str(info.value), "mnist_5k_heldout", "missing")


# --- Ionosphere ----------------------------------------------------------------------------------------------------

def test_ionosphere_shapes_and_classes():
    X, y = data.load_ionosphere()
    assert X.shape == (351, 34) and X.dtype == np.float64
    assert y.shape == (351,) and y.dtype == np.int64
    assert int((y == 1).sum()) == 225 and int((y == 0).sum()) == 126
    assert X.min() >= -1 and X.max() <= 1
    assert y[0] == 1 and y[1] == 0  # the file opens with a g row then a b row


def test_ionosphere_split_is_the_original_200_151():
    X, y = data.load_ionosphere()
    split = data.ionosphere_split()
    assert split["X_train"].shape == (200, 34) and split["X_test"].shape == (151, 34)
    np.testing.assert_array_equal(np.concatenate([split["X_train"], split["X_test"]]), X)
    np.testing.assert_array_equal(np.concatenate([split["y_train"], split["y_test"]]), y)
