"""Checkers for the exercises of chapter 5 (GLO, IMLE and GLANN).

Each checker builds a few random cases (float32 and float64, one point and
many, two and more dimensions), runs the learner's function and the reference
on them, and reports the first case that differs.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from tutorial_lib.exercises._core import check_function
from tutorial_lib.glann import imle_match, project_to_sphere, smooth_min

__all__ = ["check_imle_match", "check_smooth_min", "check_project_to_sphere"]


def _cases_match(seed: int) -> list[dict]:
    g = torch.Generator().manual_seed(seed)
    cases = []
    for n, m, d, dtype in [(1, 1, 2, torch.float64), (5, 3, 2, torch.float32), (40, 25, 3, torch.float64)]:
        cases.append(
            {
                "real": torch.randn(n, d, generator=g, dtype=dtype),
                "generated": torch.randn(m, d, generator=g, dtype=dtype),
            }
        )
    # more samples than real points, and real points that share their nearest sample
    centres = torch.randn(4, 2, generator=g, dtype=torch.float64)
    cases.append({"real": centres.repeat(3, 1) + 0.01 * torch.randn(12, 2, generator=g, dtype=torch.float64),
                  "generated": 3 * torch.randn(30, 2, generator=g, dtype=torch.float64)})
    return cases


def check_imle_match(fn: Callable[..., torch.Tensor], *, seed: int = 0) -> int:
    r"""Check a learner's ``nearest_sample(real, generated)``: the IMLE matching of :eq:`glann-imle`.

    The function must return, for every row :math:`x_i` of ``real`` (shape (n, d)), the index
    :math:`\arg\min_j \lVert x_i - g_j\rVert` of its nearest row of ``generated`` (shape (m, d)),
    as an integer tensor of shape (n,). The random cases have no ties.

    Parameters
    ----------
    fn : callable
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
    >>> check_imle_match(lambda real, generated: torch.cdist(real, generated).argmin(dim=1))
    nearest_sample: all 4 cases match the reference.
    4
    """
    return check_function(fn, imle_match, _cases_match(seed), name="nearest_sample", rtol=0.0, atol=0.0)


def _cases_smooth_min(seed: int) -> list[dict]:
    g = torch.Generator().manual_seed(seed)
    cases = []
    for shape, dtype, sigma in [((3,), torch.float64, 1.0), ((4, 6), torch.float64, 0.3), ((5, 8), torch.float32, 2.0)]:
        cases.append({"d": 4 * torch.rand(shape, generator=g, dtype=dtype), "sigma": sigma})
    # squared distances of 10 to 30 with sigma = 0.05: every exp(-d / (2 sigma^2)) underflows to 0
    cases.append({"d": 10 + 20 * torch.rand(2, 5, generator=g, dtype=torch.float64), "sigma": 0.05})
    return cases


def check_smooth_min(fn: Callable[..., torch.Tensor], *, seed: int = 0) -> int:
    r"""Check a learner's ``smooth_min(d, sigma)`` against :eq:`glann-smooth-min`.

    The function must return :math:`-2\sigma^2\log\sum_j \exp\!\big(-d_j/(2\sigma^2)\big)`, the sum
    over the last dimension of ``d``. The last case has large :math:`d_j/(2\sigma^2)`: written
    naively, every exponential underflows to 0 and the logarithm gives infinity; use
    ``torch.logsumexp``, which subtracts the largest exponent first.

    Examples
    --------
    >>> check_smooth_min(lambda d, sigma: -2 * sigma**2 * torch.logsumexp(-d / (2 * sigma**2), dim=-1))
    smooth_min: all 4 cases match the reference.
    4
    """
    return check_function(fn, smooth_min, _cases_smooth_min(seed), name="smooth_min")


def _cases_sphere(seed: int) -> list[dict]:
    g = torch.Generator().manual_seed(seed)
    return [
        {"z": torch.randn(1, 2, generator=g, dtype=torch.float64)},
        {"z": 5 * torch.randn(7, 16, generator=g)},
        {"z": 1e-3 * torch.randn(4, 3, generator=g, dtype=torch.float64)},
    ]


def check_project_to_sphere(fn: Callable[..., torch.Tensor], *, seed: int = 0) -> int:
    r"""Check a learner's ``project_to_sphere(z)`` against :eq:`glann-projection`: each row divided by its norm.

    Examples
    --------
    >>> check_project_to_sphere(lambda z: z / z.norm(dim=-1, keepdim=True))
    project_to_sphere: all 3 cases match the reference.
    3
    """
    return check_function(fn, project_to_sphere, _cases_sphere(seed), name="project_to_sphere")
