"""Checkers for the exercises of chapter 2 (Langevin dynamics).

Each checker builds a few random cases (float32 and float64, one chain and many,
1-D and higher-dimensional states), runs the learner's function and the
reference on them, and reports the first case that differs.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from tutorial_lib.exercises._core import check_function
from tutorial_lib.langevin import mala_log_acceptance, ula_stationary_variance

__all__ = ["check_ula_step", "check_mala_log_acceptance", "check_stationary_variance"]


def _reference_ula_step(x: torch.Tensor, grad: torch.Tensor, step_size: float, noise: torch.Tensor) -> torch.Tensor:
    """One update of :eq:`langevin-ula` with the noise given."""
    return x + step_size / 2 * grad + math.sqrt(step_size) * noise


def _cases_ula_step(seed: int) -> list[dict]:
    g = torch.Generator().manual_seed(seed)
    cases = []
    for shape, dtype, step_size in [
        ((1, 1), torch.float64, 0.1),
        ((5, 2), torch.float32, 0.5),
        ((4, 3), torch.float64, 2.0),
    ]:
        x = torch.randn(shape, generator=g, dtype=dtype)
        cases.append(
            {
                "x": x,
                "grad": -x / 0.7 + 0.3,  # the score of N(0.21, 0.7) in each coordinate
                "step_size": step_size,
                "noise": torch.randn(shape, generator=g, dtype=dtype),
            }
        )
    return cases


def check_ula_step(fn: Callable[..., torch.Tensor], *, seed: int = 0) -> int:
    r"""Check a learner's ``ula_step(x, grad, step_size, noise)`` against :eq:`langevin-ula`.

    The function must return :math:`x + \tfrac{\eta}{2}\,\mathrm{grad} + \sqrt{\eta}\,\mathrm{noise}`
    (``step_size`` is :math:`\eta`), a tensor of the shape and dtype of ``x``.

    Parameters
    ----------
    fn : Callable
        The learner's ``ula_step``.
    seed : int
        Seed of the random cases.

    Returns
    -------
    int
        The number of cases checked; raises ``AssertionError`` naming the input, the expected
        and the received value at the first mismatch.

    Examples
    --------
    >>> check_ula_step(lambda x, grad, step_size, noise: x + step_size / 2 * grad + step_size**0.5 * noise)
    ula_step: all 3 cases match the reference.
    3
    """
    return check_function(fn, _reference_ula_step, _cases_ula_step(seed), name="ula_step")


def _cases_mala(seed: int) -> list[dict]:
    g = torch.Generator().manual_seed(seed)
    cases = []
    for n, d, dtype, step_size in [(1, 1, torch.float64, 0.5), (6, 2, torch.float64, 1.5), (4, 3, torch.float32, 0.1)]:
        scale = 0.5 + torch.rand(d, generator=g, dtype=dtype)  # N(0, diag(scale^2))

        def log_p(z: torch.Tensor, scale: torch.Tensor = scale) -> torch.Tensor:
            return -0.5 * ((z / scale) ** 2).sum(dim=1)

        x = torch.randn(n, d, generator=g, dtype=dtype)
        grad_x = -x / scale**2
        y = x + step_size / 2 * grad_x + math.sqrt(step_size) * torch.randn(n, d, generator=g, dtype=dtype)
        grad_y = -y / scale**2
        cases.append(
            {
                "x": x,
                "y": y,
                "log_p_x": log_p(x),
                "log_p_y": log_p(y),
                "grad_x": grad_x,
                "grad_y": grad_y,
                "step_size": step_size,
            }
        )
    return cases


def check_mala_log_acceptance(fn: Callable[..., torch.Tensor], *, seed: int = 0) -> int:
    r"""Check ``mala_log_acceptance(x, y, log_p_x, log_p_y, grad_x, grad_y, step_size)``.

    The function must return, per chain (shape ``(n,)``), the log of the Metropolis–Hastings
    ratio :eq:`langevin-mala-acceptance`, with the Gaussian proposal densities of the Langevin
    proposal in both directions (their normalising constants cancel).

    Parameters
    ----------
    fn : Callable
        The learner's function.
    seed : int
        Seed of the random cases.

    Returns
    -------
    int
        The number of cases checked; raises ``AssertionError`` at the first mismatch.

    Examples
    --------
    >>> from tutorial_lib.langevin import mala_log_acceptance
    >>> check_mala_log_acceptance(mala_log_acceptance)
    mala_log_acceptance: all 3 cases match the reference.
    3
    """
    return check_function(fn, mala_log_acceptance, _cases_mala(seed), name="mala_log_acceptance", rtol=1e-4, atol=1e-5)


def check_stationary_variance(fn: Callable[[float, float], float], *, seed: int = 0) -> int:
    r"""Check a learner's ``stationary_variance(variance, step_size)`` against :eq:`langevin-ula-variance`.

    Parameters
    ----------
    fn : Callable
        The learner's closed form of the stationary variance of ULA on :math:`\mathcal N(0, s^2)`,
        for ``step_size < 4 * variance``.
    seed : int
        Seed of the random cases.

    Returns
    -------
    int
        The number of cases checked; raises ``AssertionError`` at the first mismatch.

    Examples
    --------
    >>> check_stationary_variance(lambda variance, step_size: variance / (1 - step_size / (4 * variance)))
    stationary_variance: all 5 cases match the reference.
    5
    """
    g = torch.Generator().manual_seed(seed)
    cases = []
    for fraction in (0.01, 0.25, 0.5, 0.9, 0.99):  # step_size as a fraction of the limit 4 s^2
        variance = float(0.2 + 3 * torch.rand((), generator=g))
        cases.append({"variance": variance, "step_size": fraction * 4 * variance})
    return check_function(fn, ula_stationary_variance, cases, name="stationary_variance")
