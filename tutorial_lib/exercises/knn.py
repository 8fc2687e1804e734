"""Checkers for the exercises of chapter 4 (k-nearest-neighbour estimation).

Each checker builds a few random cases (several dimensions, sample sizes and
values of k), runs the learner's function and the reference from
:mod:`tutorial_lib.knn` on them, and reports the first case that differs.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from tutorial_lib.exercises._core import check_function
from tutorial_lib.knn import entropy, log_unit_ball_volume

__all__ = ["check_log_unit_ball_volume", "check_kl_entropy"]


def check_log_unit_ball_volume(fn: Callable[[int], float]) -> int:
    r"""Check a learner's ``log_unit_ball_volume(d)`` against :eq:`knn-unit-ball`.

    The function must return :math:`\log V_d = \tfrac d2\log\pi - \log\Gamma(\tfrac d2+1)`
    as a float, finite even for ``d = 400`` (where :math:`\Gamma(d/2+1)` overflows a float).

    Parameters
    ----------
    fn : callable
        The learner's function of the dimension ``d``.

    Returns
    -------
    int
        The number of cases checked; raises ``AssertionError`` naming the dimension,
        the expected and the received value at the first mismatch.

    Examples
    --------
    >>> check_log_unit_ball_volume(log_unit_ball_volume)
    log_unit_ball_volume: all 9 cases match the reference.
    9
    """
    cases = [{"d": d} for d in (1, 2, 3, 4, 5, 10, 20, 50, 400)]
    return check_function(fn, log_unit_ball_volume, cases, name="log_unit_ball_volume", rtol=1e-9, atol=1e-9)


def _cases_entropy(seed: int) -> list[dict]:
    rng = np.random.default_rng(seed)
    cases = []
    for n, d, k in [(50, 1, 1), (200, 2, 3), (300, 3, 5), (500, 5, 3), (100, 10, 2)]:
        scale = np.exp(rng.uniform(-1, 1, size=d))
        cases.append({"x": rng.standard_normal((n, d)) * scale, "k": k})
    cases.append({"x": rng.uniform(size=(400, 2)), "k": 4})
    return cases


def check_kl_entropy(fn: Callable[..., float], *, seed: int = 0) -> int:
    r"""Check a learner's Kozachenko–Leonenko estimator ``fn(x, k)`` against :eq:`knn-kl-entropy`.

    ``x`` is a NumPy array of shape ``(n, d)``; the function must return the
    estimate in nats, :math:`\frac dn\sum_i\log\varepsilon_k(i) + \log V_d + \psi(n) - \psi(k)`,
    with Euclidean distances and the point itself not counted as its own neighbour.

    Parameters
    ----------
    fn : callable
        The learner's ``kl_entropy(x, k)``.
    seed : int
        Seed of the random cases.

    Returns
    -------
    int
        The number of cases checked; raises ``AssertionError`` at the first mismatch.

    Examples
    --------
    >>> check_kl_entropy(lambda x, k: entropy(x, k=k))
    kl_entropy: all 6 cases match the reference.
    6
    """
    return check_function(fn, entropy, _cases_entropy(seed), name="kl_entropy", rtol=1e-7, atol=1e-8)
