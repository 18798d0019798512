"""Train assignment 5's artifact generator and write datasets/forgery_generator.npz (then update its sha256 in
datasets/manifest.toml). Deterministic: seeded, one CPU thread; about 20 s."""
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from autograder.data.forgery import train_generator          # noqa: E402
from autograder.data.manifest import datasets_dir, sha256_of  # noqa: E402

start = time.perf_counter()
weights = train_generator()
path = datasets_dir() / "forgery_generator.npz"
np.savez(path, **weights)
print(f"{path}: {sum(v.size for v in weights.values()):,} weights in {time.perf_counter() - start:.1f} s, "
      f"sha256 {sha256_of(path)}")
