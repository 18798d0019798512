"""Built datasets kept on disk: named sets of numpy arrays in npz files with their sha256, rebuilt when missing
or corrupt."""
import hashlib
import os

import numpy as np

from autograder import env


def cache_dir(kind):
    """Where built sets of `kind` are kept: $XDG_CACHE_HOME/autograder/KIND (default ~/.cache/autograder/KIND)."""
    return env.cache_dir(kind)


def digest(arrays):
    """sha256 over the arrays' names and bytes, in name order."""
    h = hashlib.sha256()
    for key in sorted(arrays):
        h.update(key.encode() + np.ascontiguousarray(arrays[key]).tobytes())
    return h.hexdigest()


def cached_arrays(kind, name, build):
    """The dict of arrays `build()` returns, kept as cache_dir(kind)/NAME.npz; a missing, unreadable or altered file
    is rebuilt. Arrays must be plain (no object dtype)."""
    folder = cache_dir(kind)
    path = folder / f"{name}.npz"
    if path.is_file():
        try:
            with np.load(path, allow_pickle=False) as archive:
                arrays = {k: archive[k] for k in archive.files if k != "sha256"}
                if str(archive["sha256"]) == digest(arrays):
                    return arrays
        except (OSError, ValueError, KeyError):
            pass
    arrays = build()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.npz")
        np.savez(tmp, sha256=np.array(digest(arrays)), **arrays)
        os.replace(tmp, path)
    except OSError:
        pass   # a read-only cache only costs the rebuild next time
    return arrays
