"""Judge-side checks for hidden tests: messages say what differed, never the expected values."""

import numpy as np
import pytest


def rel_error(x, y):
    """Max relative error as CS231n defines it: max |x - y| / max(1e-8, |x| + |y|)."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return float(np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y))))


def eval_numerical_gradient(f, x, h=1e-5):
    """Centred-difference gradient of the scalar function f at x (float64); x is not modified."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for ix in np.ndindex(*x.shape):
        old = x[ix]
        x[ix] = old + h
        fp = f(x)
        x[ix] = old - h
        fm = f(x)
        x[ix] = old
        grad[ix] = (fp - fm) / (2 * h)
    return grad


def _fail(message):
    __tracebackhide__ = True
    pytest.fail(message, pytrace=False)


def as_array(actual, expected_shape, what):
    """`actual` as a float64 array of `expected_shape`, or a failure that says what came back instead."""
    __tracebackhide__ = True
    if actual is None:
        _fail(f"{what}: nothing came back (None)")
    if isinstance(actual, (bool, np.bool_)) or (isinstance(actual, np.ndarray) and actual.dtype == bool):
        _fail(f"{what}: expected numbers, got booleans")
    try:
        arr = np.asarray(actual, dtype=np.float64)
    except (TypeError, ValueError):
        _fail(f"{what}: expected numbers, got {type(actual).__name__}")
    if arr.shape != tuple(expected_shape):
        if arr.size == 1 and expected_shape == ():
            return arr.reshape(())
        _fail(f"{what} has shape {arr.shape}; expected shape {tuple(expected_shape)}")
    bad = ~np.isfinite(arr)
    if bad.any():
        _fail(f"{what} contains {int(bad.sum())} NaN or infinite value(s) out of {arr.size}")
    return arr


def assert_close(actual, expected, rtol=1e-7, atol=0.0, what="value"):
    """Fail unless `actual` has the shape of `expected` and matches it within rtol/atol elementwise."""
    __tracebackhide__ = True
    expected = np.asarray(expected, dtype=np.float64)
    arr = as_array(actual, expected.shape, what)
    close = np.isclose(arr, expected, rtol=rtol, atol=atol)
    if close.all():
        return
    diff = np.abs(arr - expected)
    nonzero = expected != 0
    rel = f"{(diff[nonzero] / np.abs(expected[nonzero])).max():.3g}" if nonzero.any() else "n/a"
    first = tuple(int(i) for i in np.argwhere(~close)[0]) if arr.ndim else ()
    where = f"; first at index {first}" if arr.ndim else ""
    _fail(f"{what} does not match the reference: mismatched elements {int((~close).sum())} / {arr.size}, "
          f"max absolute difference {diff.max():.3g}, max relative difference {rel} "
          f"(allowed: rtol {rtol:g}, atol {atol:g}){where}")


def assert_rel_error(actual, expected, limit, what="gradient"):
    """Fail unless the CS231n relative error between `actual` and `expected` is below `limit`."""
    __tracebackhide__ = True
    expected = np.asarray(expected, dtype=np.float64)
    arr = as_array(actual, expected.shape, what)
    err = rel_error(arr, expected)
    if not err < limit:
        _fail(f"{what}: relative error {err:.3g} is above the allowed {limit:g}")


def assert_equal(actual, expected, what="value"):
    """Exact equality for integer or label arrays, with a count of the differing elements."""
    __tracebackhide__ = True
    expected = np.asarray(expected)
    arr = as_array(actual, expected.shape, what)
    wrong = arr != expected
    if wrong.any():
        first = tuple(int(i) for i in np.argwhere(wrong)[0]) if arr.ndim else ()
        _fail(f"{what} differs from the reference in {int(wrong.sum())} / {arr.size} elements"
              + (f"; first at index {first}" if arr.ndim else ""))


def assert_speed(seconds, yardstick_seconds, max_ratio, what="the code"):
    """Fail unless `seconds` is at most `max_ratio` times `yardstick_seconds` (both timed by the judge).

    The yardstick is an operation of the same size run in the same worker (a matrix product, say), so the
    ratio holds on a fast and a slow machine alike.
    """
    __tracebackhide__ = True
    ratio = seconds / max(yardstick_seconds, 1e-6)
    if ratio > max_ratio:
        _fail(f"{what} took {seconds:.3f} s, {ratio:.0f}x the {yardstick_seconds:.3f} s of a yardstick operation "
              f"of the same size; it must be within {max_ratio:g}x (is it still looping in Python?)")


def agreement(answers, model_answers):
    """The fraction of inputs on which two label arrays of the same shape agree (0 when the shapes differ)."""
    a, b = np.asarray(answers), np.asarray(model_answers)
    return float(np.mean(a == b)) if a.shape == b.shape and a.size else 0.0


def assert_from_model(agreeing, untrained_score, *, chance, what, min_agreement=0.95, margin=0.1):
    """Fail unless an accuracy came from the returned model: `predict`'s answers match the model's own forward on
    at least `min_agreement` of the inputs (`agreeing`), and an untrained model from the student's own
    constructor, through the same `predict`, scores no more than `chance` + `margin` (`untrained_score`).

    Public data has public labels, so a `predict` could look its inputs up instead of running the model; this is
    the judge's answer to that (see the README's engine section)."""
    __tracebackhide__ = True
    if not agreeing >= min_agreement:
        _fail(f"{what}: predict's answers agree with the returned model's own forward on only {agreeing:.1%} of the "
              f"held-out inputs (at least {min_agreement:.0%} needed): the answers must come from the model, so this "
              f"earns no accuracy points")
    if not untrained_score <= chance + margin:
        _fail(f"{what}: an untrained model from your own constructor scores {untrained_score:.3f} through your "
              f"predict, where chance is about {chance:.3f}: the score must come from training, so this earns no "
              f"accuracy points")
