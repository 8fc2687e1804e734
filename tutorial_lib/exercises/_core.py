"""The checker every exercise uses: compare a learner's function with the reference.

A checker calls both functions on the same inputs and, at the first
disagreement, raises an ``AssertionError`` that names the input, the expected
value and the value received, so a learner sees *what* is wrong, never just
"wrong".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
import torch


def _describe(value: Any, limit: int = 6) -> str:
    """A short, readable description of an input or output."""
    if isinstance(value, torch.Tensor):
        flat = value.detach().flatten()[:limit].tolist()
        more = ", ..." if value.numel() > limit else ""
        return f"tensor(shape={tuple(value.shape)}, dtype={value.dtype}, values={flat}{more})"
    if isinstance(value, np.ndarray):
        flat = value.ravel()[:limit].tolist()
        more = ", ..." if value.size > limit else ""
        return f"array(shape={value.shape}, dtype={value.dtype}, values={flat}{more})"
    if callable(value):
        return getattr(value, "__name__", repr(value))
    return repr(value)


def _as_array(value: Any) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().double().numpy()
    return np.asarray(value, dtype=float)


def _compare(expected: Any, got: Any, rtol: float, atol: float, where: str) -> str | None:
    """Return None when ``got`` matches ``expected``, else a message saying how it differs."""
    if isinstance(expected, (tuple, list)):
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            return f"{where}: expected a sequence of {len(expected)} values, got {_describe(got)}"
        for i, (e, g) in enumerate(zip(expected, got, strict=True)):
            message = _compare(e, g, rtol, atol, f"{where}[{i}]")
            if message:
                return message
        return None
    if isinstance(expected, torch.Tensor) and not isinstance(got, torch.Tensor):
        return f"{where}: expected a torch.Tensor, got {type(got).__name__}"
    e, g = _as_array(expected), _as_array(got)
    if e.shape != g.shape:
        return f"{where}: expected shape {e.shape}, got shape {g.shape}"
    if not np.all(np.isfinite(g) == np.isfinite(e)):
        return f"{where}: got non-finite values where the reference is finite: {_describe(got)}"
    if not np.allclose(g, e, rtol=rtol, atol=atol, equal_nan=True):
        worst = np.unravel_index(np.argmax(np.abs(g - e)), e.shape) if e.ndim else ()
        return (
            f"{where}: values differ; largest difference at index {tuple(int(i) for i in worst)}: "
            f"expected {float(e[worst]):.6g}, got {float(g[worst]):.6g} (rtol={rtol}, atol={atol})"
        )
    return None


def check_function(
    learner_fn: Callable[..., Any],
    reference_fn: Callable[..., Any],
    cases: Iterable[Mapping[str, Any]],
    *,
    name: str,
    rtol: float = 1e-5,
    atol: float = 1e-6,
) -> int:
    """Check ``learner_fn`` against ``reference_fn`` on keyword-argument ``cases``.

    Each case is a mapping of keyword arguments passed to both functions.
    Returns the number of cases checked and prints a one-line success message;
    raises ``AssertionError`` with the failing input, the expected and the
    received value on the first mismatch.

    >>> check_function(lambda x: x * x, lambda x: x**2, [{"x": 3.0}], name="square")
    square: all 1 cases match the reference.
    1
    """
    if not callable(learner_fn):
        raise TypeError(f"expected your function, got {type(learner_fn).__name__}")
    n = 0
    for case in cases:
        inputs = dict(case)
        expected = reference_fn(**inputs)
        try:
            got = learner_fn(**inputs)
        except NotImplementedError:
            raise AssertionError(f"{name}: your function is not written yet (it raised NotImplementedError)") from None
        message = _compare(expected, got, rtol, atol, "output")
        if message:
            shown = ", ".join(f"{k}={_describe(v)}" for k, v in inputs.items())
            raise AssertionError(f"{name}: case {n + 1} failed.\n  input: {shown}\n  {message}")
        n += 1
    if n == 0:
        raise ValueError("check_function needs at least one case")
    print(f"{name}: all {n} cases match the reference.")
    return n
