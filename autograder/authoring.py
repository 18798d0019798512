"""The authoring API: every name a course's hidden tests, probes, public tests, stubs and solutions may import,
declared here and nowhere else; anything not listed is internal and may move.

    from autograder.authoring import answers, array, seed_all      # in probes.py (runs in the worker)
    from autograder.authoring import assert_close, assert_from_model   # in test_*.py (runs in the judge)

Each name is loaded from its side's module on first use, so a probe file that imports worker-side names loads
nothing of the judge inside the sandbox. Data loaders are `autograder.data` (its own `__all__`); the fixtures
(`submission`, `credit`, `leaderboard`, `rng`, `call`, `hand_built`) come with the pytest plugin.
"""

import importlib

WORKER = {   # for probes.py: these run inside the sandbox, beside the student's code
    "autograder.worker.probe": ("answers", "array", "number", "text", "flag", "plain", "optional", "device",
                                "seed_all", "shared", "asset", "to_tensor", "to_plain", "call", "stand_in_model"),
    "autograder.worker.optrace": ("record_ops",),
    "autograder.worker.cost": ("measure_cost", "record_devices", "trusted_check"),
}
JUDGE = {    # for test_*.py: these run in the judge, with the expected values
    "autograder.judge.testing": ("rel_error", "eval_numerical_gradient", "as_array", "assert_close",
                                 "assert_rel_error", "assert_equal", "assert_speed", "agreement", "assert_from_model"),
    "autograder.judge.forbidden": ("forbidden_ops", "as_rules", "scan"),
    "autograder.judge.handbuilt": ("assignment_rules",),
    "autograder.judge.detection": ("coco_map", "miou"),
    "autograder.data.perturb": ("shift_one_pixel", "nudge_pixels", "gaussian_noise"),
}
_WHERE = {name: module for table in (WORKER, JUDGE) for module, names in table.items() for name in names}
__all__ = sorted(_WHERE)


def __getattr__(name):
    if name not in _WHERE:
        raise AttributeError(f"autograder.authoring has no {name!r}: the names a course may use are {__all__}")
    value = getattr(importlib.import_module(_WHERE[name]), name)
    globals()[name] = value
    return value


def __dir__():
    return __all__
