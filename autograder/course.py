"""The environment variables the engine reads, in one table: what each one says, and all of them travel with a
batch's judges to a Ray cluster (a hand-kept subset there once dropped two)."""
import os

ENGINE_ENV = {
    "AUTOGRADER_ROOT": "the course root holding assignments/, solutions/ and tests/hidden/ (default: this checkout)",
    "AUTOGRADER_DATASETS": "the datasets folder (default: datasets/ in the course root)",
    "AUTOGRADER_DEVICE_PROFILE": "a device profile that stands in for the calibration (JSON file or text)",
    "AUTOGRADER_ALLOW_SLOW_DEVICE": "1 to grade on a machine slower than the bounds, limits scaled (--allow-slow-device)",
    "AUTOGRADER_ISOLATION": "the sandbox's namespaces: auto (default), userns or none",
    "XDG_CACHE_HOME": "where the calibration and built datasets are cached (default: ~/.cache)",
}


def forwarded():
    """The engine's variables set in this process, to hand to a judge elsewhere."""
    return {name: os.environ[name] for name in ENGINE_ENV if name in os.environ}
