"""Checkers for the exercises of chapter 8 (longest common subsequence, ROUGE-L)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from tutorial_lib.exercises._core import check_function
from tutorial_lib.pegasus import lcs_length, rouge_l

__all__ = ["check_lcs_length", "check_rouge_l"]

_ALPHABET = list("ab北京我爱你")


def _string_pairs(seed: int, n_random: int = 8) -> list[dict[str, str]]:
    """Edge cases (empty, equal, disjoint, classic) first, then random short strings."""
    rng = np.random.default_rng(seed)
    cases = [
        {"a": "", "b": "abc"},
        {"a": "abc", "b": "abc"},
        {"a": "abc", "b": "xyz"},
        {"a": "ABCBDAB", "b": "BDCABA"},
        {"a": "我爱北京天安门", "b": "北京欢迎我"},
    ]
    for _ in range(n_random):
        a, b = ("".join(rng.choice(_ALPHABET, size=int(rng.integers(1, 12)))) for _ in range(2))
        cases.append({"a": a, "b": b})
    return cases


def check_lcs_length(learner_fn: Callable[[str, str], int], seed: int = 0) -> int:
    """Check a learner's longest-common-subsequence length against :func:`tutorial_lib.pegasus.lcs_length`.

    The learner's function receives two strings ``a`` and ``b`` and returns the
    length of their longest common subsequence (characters, not necessarily
    contiguous), an integer.

    Parameters
    ----------
    learner_fn : callable
        ``learner_fn(a, b) -> int``.
    seed : int
        Seed of the random cases.

    Returns
    -------
    int
        Number of cases checked (prints a success line).

    Raises
    ------
    AssertionError
        With the failing input, the expected and the received value.

    Examples
    --------
    >>> check_lcs_length(lcs_length)
    lcs_length: all 13 cases match the reference.
    13
    """
    return check_function(learner_fn, lcs_length, _string_pairs(seed), name="lcs_length", rtol=0.0, atol=0.0)


def check_rouge_l(learner_fn: Callable[[str, str], float], seed: int = 0) -> int:
    """Check a learner's character ROUGE-L F1 against :func:`tutorial_lib.pegasus.rouge_l`.

    The learner's function receives ``candidate`` and ``reference`` strings
    (no spaces) and returns the F-measure with ``beta = 1``: ``2 P R / (P + R)``
    with ``P = LCS / len(candidate)`` and ``R = LCS / len(reference)``, and 0
    when the LCS is 0.

    Parameters
    ----------
    learner_fn : callable
        ``learner_fn(candidate, reference) -> float``.
    seed : int
        Seed of the random cases.

    Returns
    -------
    int
        Number of cases checked (prints a success line).

    Raises
    ------
    AssertionError
        With the failing input, the expected and the received value.

    Examples
    --------
    >>> check_rouge_l(lambda candidate, reference: rouge_l(candidate, reference).fmeasure)
    rouge_l: all 12 cases match the reference.
    12
    """
    cases = [{"candidate": c["a"], "reference": c["b"]} for c in _string_pairs(seed)[1:]]
    return check_function(
        learner_fn,
        lambda candidate, reference: rouge_l(candidate, reference).fmeasure,
        cases,
        name="rouge_l",
        rtol=1e-9,
        atol=1e-12,
    )
