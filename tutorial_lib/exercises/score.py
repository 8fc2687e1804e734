"""Checkers for the exercises of chapter 3 (score matching).

Each checker builds a few random cases (float32 and float64, points and 8×8
images, several noise levels), runs the learner's function and the reference
on them, and reports the first case that differs.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from tutorial_lib.exercises._core import check_function
from tutorial_lib.score import tweedie_denoise

__all__ = ["check_dsm_loss", "check_tweedie_denoise"]


def gaussian_score(y: torch.Tensor) -> torch.Tensor:
    """Score of N(0, 1.25 I): the noisy density of N(0, I) data at sigma = 0.5."""
    return -y / 1.25


def wiggly_score(y: torch.Tensor) -> torch.Tensor:
    """A nonlinear vector field, so that a formula right only for linear scores fails."""
    return -y + 0.5 * torch.sin(3 * y)


def dsm_loss_given_noise(
    score_fn: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, noise: torch.Tensor, sigma: float
) -> torch.Tensor:
    r"""The reference for :func:`check_dsm_loss`: :eq:`score-dsm` with the noise drawn by the caller.

    :math:`\tfrac12\,\overline{\|s(x+\sigma\varepsilon) + \varepsilon/\sigma\|^2}`, summed over all
    non-batch axes and averaged over the batch; :func:`tutorial_lib.score.dsm_loss` draws
    ``noise`` itself and otherwise computes the same number.

    Examples
    --------
    >>> dsm_loss_given_noise(lambda y: -y, torch.zeros(1, 2), torch.ones(1, 2), 1.0)
    tensor(0.)
    """
    x_noisy = x + sigma * noise
    residual = score_fn(x_noisy) + noise / sigma
    return 0.5 * residual.pow(2).reshape(x.shape[0], -1).sum(dim=1).mean()


def _cases(seed: int, with_noise: bool) -> list[dict]:
    g = torch.Generator().manual_seed(seed)
    cases = []
    layouts = [
        ((1, 2), torch.float64, gaussian_score, 0.5),
        ((64, 2), torch.float32, wiggly_score, 0.1),
        ((16, 5), torch.float64, wiggly_score, 2.0),
        ((8, 1, 8, 8), torch.float32, gaussian_score, 0.3),
    ]
    for shape, dtype, score_fn, sigma in layouts:
        x = torch.randn(shape, generator=g, dtype=dtype)
        noise = torch.randn(shape, generator=g, dtype=dtype)
        if with_noise:
            cases.append({"score_fn": score_fn, "x": x, "noise": noise, "sigma": sigma})
        else:
            cases.append({"score_fn": score_fn, "x_noisy": x + sigma * noise, "sigma": sigma})
    return cases


def check_dsm_loss(fn: Callable[..., torch.Tensor], *, seed: int = 0) -> int:
    r"""Check a learner's ``dsm_loss(score_fn, x, noise, sigma)`` against :eq:`score-dsm`.

    The function gets clean data ``x`` (shape ``(n, ...)``), the standard normal ``noise`` of
    the same shape and the level ``sigma``; it must return the scalar
    :math:`\tfrac12\,\frac1n\sum_i \|s(x_i+\sigma\varepsilon_i) + \varepsilon_i/\sigma\|^2`
    (sum over every non-batch axis, mean over the batch).

    Parameters
    ----------
    fn : Callable
        The learner's function.
    seed : int
        Seed of the random cases.

    Returns
    -------
    int
        The number of cases checked; raises ``AssertionError`` naming the input, the expected
        and the received value at the first mismatch.

    Examples
    --------
    >>> check_dsm_loss(dsm_loss_given_noise)
    dsm_loss: all 4 cases match the reference.
    4
    """
    return check_function(fn, dsm_loss_given_noise, _cases(seed, with_noise=True), name="dsm_loss", rtol=1e-4)


def check_tweedie_denoise(fn: Callable[..., torch.Tensor], *, seed: int = 0) -> int:
    r"""Check a learner's ``tweedie_denoise(score_fn, x_noisy, sigma)`` against :eq:`score-tweedie`.

    The function must return :math:`\tilde x + \sigma^2 s(\tilde x)` with the shape of ``x_noisy``.

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
    >>> check_tweedie_denoise(lambda score_fn, x_noisy, sigma: x_noisy + sigma**2 * score_fn(x_noisy))
    tweedie_denoise: all 4 cases match the reference.
    4
    """
    return check_function(fn, tweedie_denoise, _cases(seed, with_noise=False), name="tweedie_denoise", rtol=1e-5)
