"""The environment variables the engine reads or sets, and the folders they point at, in one place.

Both sides import it (it imports nothing of the engine). Every variable the judge reads travels with a batch's
judges to a Ray cluster (`forwarded()`: a hand-kept subset there once dropped two).
"""
import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]   # the checkout (or installed tree) the engine runs from

ROOT, DATASETS = "AUTOGRADER_ROOT", "AUTOGRADER_DATASETS"
DEVICE_PROFILE, ALLOW_SLOW_DEVICE = "AUTOGRADER_DEVICE_PROFILE", "AUTOGRADER_ALLOW_SLOW_DEVICE"
ISOLATION, CACHE_HOME = "AUTOGRADER_ISOLATION", "XDG_CACHE_HOME"
GPU_SHARE = "AUTOGRADER_GPU_SHARE"
ENGINE_ENV = {
    ROOT: "the course root holding assignments/, solutions/ and tests/hidden/ (default: this checkout)",
    DATASETS: "the datasets folder (default: datasets/ in the course root)",
    DEVICE_PROFILE: "a device profile that stands in for the calibration (JSON file or text)",
    ALLOW_SLOW_DEVICE: "1 to grade on a machine slower than the bounds, limits scaled (--allow-slow-device)",
    ISOLATION: "the sandbox's namespaces: auto (default), userns or none",
    CACHE_HOME: "where the calibration and built datasets are cached (default: ~/.cache)",
    GPU_SHARE: "how many grades share this judge's GPU (set per judge by `batch --per-gpu N`; default 1)",
}

# Read by Ray itself when the batch connects to a cluster (token authentication); never forwarded to a judge.
RAY_AUTH_MODE, RAY_AUTH_TOKEN, RAY_AUTH_TOKEN_PATH = "RAY_AUTH_MODE", "RAY_AUTH_TOKEN", "RAY_AUTH_TOKEN_PATH"
RAY_ENV = {
    RAY_AUTH_MODE: "token or disabled; unset, the batch sends the cluster's token when it finds one",
    RAY_AUTH_TOKEN: "the cluster's token itself",
    RAY_AUTH_TOKEN_PATH: "a file holding the cluster's token (default: ~/.ray/auth_token, where Ray writes it)",
}

WORKER_DEVICE, WORKER_INPUTS, WORKER_ASSETS = "AUTOGRADER_DEVICE", "AUTOGRADER_INPUTS", "AUTOGRADER_ASSETS"
WORKER_ENV = {   # set by the engine in each worker, read there by autograder.worker.probe
    WORKER_DEVICE: "the torch device of this grading run: cpu or cuda",
    WORKER_INPUTS: "the read-only folder of the arrays a hidden test shared (submission.share)",
    WORKER_ASSETS: "the read-only folder of the assignment's course files (assignment.toml `assets`)",
}


def forwarded():
    """The engine's variables set in this process, to hand to a judge elsewhere."""
    return {name: os.environ[name] for name in ENGINE_ENV if name in os.environ}


def course_root() -> Path:
    """The folder holding assignments/, solutions/ and tests/hidden/ (this checkout unless AUTOGRADER_ROOT says)."""
    return Path(os.environ.get(ROOT, REPO))


def cache_dir(kind: str = "") -> Path:
    """Where the engine keeps what it built of `kind` ("scenes", "forgery", ...; the calibration at the top):
    $XDG_CACHE_HOME/autograder/KIND, ~/.cache/autograder/KIND by default."""
    return Path(os.environ.get(CACHE_HOME, Path.home() / ".cache")) / "autograder" / kind
