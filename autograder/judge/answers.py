"""Judge side of probe answers: read what each probe declares (`@answers`) and check every answer against it.

The probe file is course code, so the judge may import it to read the declarations; the student's modules
are imported only inside probe functions, which the judge never calls.
"""

import importlib.util
from functools import lru_cache
from pathlib import Path

import numpy as np

from autograder.worker.probe import Field

MAX_DEPTH = 32


class AnswerError(Exception):
    """An answer that does not have the shape its probe declared: one sentence for the student."""


class UndeclaredProbe(Exception):
    """The test called a probe that does not exist or declares no answer (a mistake of the test's author)."""


@lru_cache(maxsize=64)
def _declarations(path, mtime):
    spec = importlib.util.spec_from_file_location(f"_declared_probes_{abs(hash(path))}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {name: fn.__answer__ for name, fn in vars(module).items()
            if callable(fn) and not name.startswith("_") and hasattr(fn, "__answer__")}


def declared(probes_file, probe):
    """The fields probe `probe` of `probes_file` declares, or UndeclaredProbe."""
    path = Path(probes_file)
    table = _declarations(str(path), path.stat().st_mtime_ns)
    if probe not in table:
        raise UndeclaredProbe(f"probe {probe!r} in {path} is missing or declares no answer (@answers(...))")
    return table[probe]


def _kind_ok(value, field, depth=0):
    if depth > MAX_DEPTH:
        return False
    if value is None:
        return field.nullable or field.kind in ("plain", "array")
    if field.kind == "plain":
        return True
    if field.kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if field.kind == "text":
        return isinstance(value, str)
    if field.kind == "flag":
        return isinstance(value, bool)
    if field.kind == "array":
        if isinstance(value, np.ndarray):
            return True
        if isinstance(value, (int, float, bool)):
            return True
        return isinstance(value, list) and all(_kind_ok(v, field, depth + 1) for v in value)
    raise ValueError(f"unknown answer kind {field.kind!r}")


def _describe(value):
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    return "None" if value is None else f"a {type(value).__name__}"


def check(probe, fields: dict[str, Field], answer):
    """Raise AnswerError unless `answer` is a dict with the declared keys (optional ones may be absent), each of
    its declared kind, and no others."""
    what = f"your code's answer for `{probe}`"
    if not isinstance(answer, dict):
        raise AnswerError(f"{what} was {_describe(answer)}, not the record the grader asked for")
    missing = [k for k, field in fields.items() if k not in answer and not field.nullable]
    unknown = [k for k in answer if k not in fields]
    if missing:
        raise AnswerError(f"{what} lacked {', '.join(f'`{k}`' for k in missing)}")
    if unknown:
        raise AnswerError(f"{what} had keys the grader did not ask for: {', '.join(f'`{k}`' for k in unknown[:5])}")
    for key, field in fields.items():
        value = answer.get(key)
        if not _kind_ok(value, field):
            raise AnswerError(f"{what} gave `{key}` as {_describe(value)}; expected {field.kind}")
        if value is None or (field.ndim is None and not field.finite):
            continue
        try:
            arr = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise AnswerError(f"{what} gave `{key}` as a ragged or non-numeric list") from None
        if field.ndim is not None and arr.ndim != field.ndim:
            raise AnswerError(f"{what} gave `{key}` with {arr.ndim} dimension(s); expected {field.ndim}")
        if field.finite and not np.all(np.isfinite(arr)):
            raise AnswerError(f"{what} gave `{key}` with NaN or infinite values")
