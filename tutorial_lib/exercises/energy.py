"""Checkers for the exercises of chapter 1 (energy-based models).

Each checker builds a few random cases (float32 and float64, points and images,
with and without clipping and clamping), runs the learner's function and the
reference on them, and reports the first case that differs.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from tutorial_lib.energy import contrastive_divergence_loss, igebm_step
from tutorial_lib.exercises._core import check_function

__all__ = ["check_cd_loss", "check_igebm_step"]


def cubic_energy(x: torch.Tensor) -> torch.Tensor:
    """:math:`E(x) = 0.01\\sum_i x_i^3/3`: its gradient :math:`0.01\\,x^2` depends on where it is taken."""
    return 0.01 * x.flatten(1).pow(3).sum(1) / 3


def tilted_plane_energy(x: torch.Tensor) -> torch.Tensor:
    """:math:`E(x) = \\sum_i w_i x_i` with slopes 0.003 and 0.05 alternating: one below the clip, one above."""
    flat = x.flatten(1)
    slopes = torch.where(torch.arange(flat.shape[1], device=x.device) % 2 == 0, 0.003, 0.05).to(x)
    return flat @ slopes


def bowl_energy(x: torch.Tensor) -> torch.Tensor:
    """:math:`E(x) = \\|x - 0.5\\|^2 / 2`, a bowl centred in the middle of the unit box."""
    return 0.5 * (x.flatten(1) - 0.5).pow(2).sum(1)


def _cases_igebm_step(seed: int) -> list[dict]:
    g = torch.Generator().manual_seed(seed)
    cases = []
    settings = [
        # energy, shape, dtype, step_size, noise scale, grad_clip, clamp
        (cubic_energy, (4, 2), torch.float64, 10.0, 0.3, None, None),
        (cubic_energy, (3, 1, 8, 8), torch.float32, 10.0, 0.005, 0.01, (0.0, 1.0)),
        (tilted_plane_energy, (5, 4), torch.float64, 10.0, 0.005, 0.01, (0.0, 1.0)),
        (bowl_energy, (6, 2), torch.float64, 0.3, 0.2, None, (-0.2, 1.2)),
        (bowl_energy, (2, 1, 8, 8), torch.float32, 1.0, 0.1, 0.05, None),
    ]
    for energy_fn, shape, dtype, step_size, scale, grad_clip, clamp in settings:
        cases.append(
            {
                "energy_fn": energy_fn,
                "x": torch.rand(shape, generator=g, dtype=dtype),
                "noise": scale * torch.randn(shape, generator=g, dtype=dtype),
                "step_size": step_size,
                "grad_clip": grad_clip,
                "clamp": clamp,
            }
        )
    return cases


def check_igebm_step(fn: Callable[..., torch.Tensor], *, seed: int = 0) -> int:
    """Check a learner's ``igebm_step(energy_fn, x, noise, step_size, grad_clip, clamp)``.

    The function must do what the IGEBM reference code does, in this order: add
    ``noise`` to ``x``; take the gradient of ``energy_fn`` (summed over the batch)
    at that noisy point; clip each gradient coordinate to ``[-grad_clip, grad_clip]``
    (skip when ``grad_clip`` is None); subtract ``step_size`` times it; clamp to
    ``clamp = (lo, hi)`` (skip when None). It returns a tensor of the shape and
    dtype of ``x``. Compared with :func:`tutorial_lib.energy.igebm_step`
    (:eq:`energy-igebm-step`).

    Parameters
    ----------
    fn : Callable
        The learner's ``igebm_step``.
    seed : int
        Seed of the random cases.

    Returns
    -------
    int
        The number of cases checked; raises ``AssertionError`` naming the input, the expected
        and the received value at the first mismatch.

    Examples
    --------
    >>> check_igebm_step(igebm_step)
    igebm_step: all 5 cases match the reference.
    5
    """
    return check_function(fn, igebm_step, _cases_igebm_step(seed), name="igebm_step")


def _cases_cd_loss(seed: int) -> list[dict]:
    g = torch.Generator().manual_seed(seed)
    cases = []
    for n_pos, n_neg, dtype, alpha in [(1, 1, torch.float64, 1.0), (8, 8, torch.float32, 0.0),
                                       (5, 9, torch.float64, 0.5), (16, 4, torch.float32, 1.0)]:
        cases.append(
            {
                "e_pos": torch.randn(n_pos, generator=g, dtype=dtype) - 1.0,
                "e_neg": 2.0 * torch.randn(n_neg, generator=g, dtype=dtype) + 1.0,
                "alpha": alpha,
            }
        )
    return cases


def check_cd_loss(fn: Callable[..., torch.Tensor], *, seed: int = 0) -> int:
    """Check a learner's ``cd_loss(e_pos, e_neg, alpha)`` against :eq:`energy-cd-loss`.

    The function must return the scalar tensor
    ``mean(e_pos) - mean(e_neg) + alpha * (mean(e_pos**2) + mean(e_neg**2))``;
    the two batches may have different lengths.

    Parameters
    ----------
    fn : Callable
        The learner's ``cd_loss``.
    seed : int
        Seed of the random cases.

    Returns
    -------
    int
        The number of cases checked; raises ``AssertionError`` naming the input, the expected
        and the received value at the first mismatch.

    Examples
    --------
    >>> check_cd_loss(contrastive_divergence_loss)
    cd_loss: all 4 cases match the reference.
    4
    """
    return check_function(fn, contrastive_divergence_loss, _cases_cd_loss(seed), name="cd_loss")
