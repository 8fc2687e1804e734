"""Score matching: explicit, implicit, sliced and denoising; Tweedie; DDE; MDSM.

Defined in chapter 3, "Score matching: from denoising autoencoders to
generative models". Every loss here returns a scalar tensor that is

* a **sum over the dimensions** of one example (all non-batch axes), and
* a **mean over the batch** (the first axis),

so the closed forms of the chapter read off directly. A *score function* is a
callable ``score_fn(x) -> (n, ...)`` with the shape of ``x``; a noise-conditional
one is ``score_fn(x, sigma)`` where ``sigma`` is a tensor of shape ``(n,)``
(one noise level per row). Score functions must act row by row (no batch
normalisation), because traces of Jacobians are taken by autograd on the sum
over the batch.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import torch

ScoreFn = Callable[[torch.Tensor], torch.Tensor]
ConditionalScoreFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
ScalarFn = Callable[[torch.Tensor], torch.Tensor]


# ---------------------------------------------------------------------------------------------
# input validation


def _check_batch(x: object, name: str = "x", *, exact_ndim: int | None = None) -> torch.Tensor:
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    if not torch.is_floating_point(x):
        raise TypeError(f"{name} must have a floating dtype (float32 or float64), got {x.dtype}")
    if exact_ndim is not None and x.ndim != exact_ndim:
        raise ValueError(f"{name} must have {exact_ndim} dimensions (n, d), got shape {tuple(x.shape)}")
    if x.ndim < 2:
        raise ValueError(f"{name} must have shape (n, d) or (n, ...) with a batch axis, got {tuple(x.shape)}")
    if x.numel() == 0:
        raise ValueError(f"{name} must not be empty, got shape {tuple(x.shape)}")
    if not torch.isfinite(x).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return x


def _check_positive(value: object, name: str) -> float:
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a positive real number, got {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value) or value <= 0.0:
        raise ValueError(f"{name} must be a positive finite number, got {value}")
    return value


def _check_callable(fn: object, name: str) -> None:
    if not callable(fn):
        raise TypeError(f"{name} must be callable, got {type(fn).__name__}")


def _check_sigmas(sigmas: object, like: torch.Tensor) -> torch.Tensor:
    if isinstance(sigmas, (torch.Tensor, np.ndarray)):
        values = torch.as_tensor(sigmas).detach().to(device=like.device, dtype=like.dtype)
    elif isinstance(sigmas, Sequence) and not isinstance(sigmas, str):
        if not all(isinstance(s, (int, float)) and not isinstance(s, bool) for s in sigmas):
            raise TypeError("sigmas must be a 1-D tensor or a sequence of numbers")
        values = torch.tensor(list(sigmas), device=like.device, dtype=like.dtype)
    else:
        raise TypeError(f"sigmas must be a 1-D tensor or a sequence of numbers, got {type(sigmas).__name__}")
    if values.ndim != 1 or values.numel() == 0:
        raise ValueError(f"sigmas must be a non-empty 1-D list of levels, got shape {tuple(values.shape)}")
    if not torch.isfinite(values).all() or (values <= 0).any():
        raise ValueError(f"every noise level must be positive and finite, got {values.tolist()}")
    return values


def _check_output(out: object, like: torch.Tensor, name: str) -> torch.Tensor:
    if not isinstance(out, torch.Tensor):
        raise TypeError(f"{name} must return a torch.Tensor, got {type(out).__name__}")
    if out.shape != like.shape:
        raise ValueError(f"{name} must return its input's shape {tuple(like.shape)}, got {tuple(out.shape)}")
    return out


def _check_scalar_output(out: object, n: int, name: str) -> torch.Tensor:
    if not isinstance(out, torch.Tensor):
        raise TypeError(f"{name} must return a torch.Tensor, got {type(out).__name__}")
    if out.numel() != n or (out.ndim == 2 and out.shape[1] != 1) or out.ndim > 2:
        raise ValueError(f"{name} must return one value per row, ({n},) or ({n}, 1), got {tuple(out.shape)}")
    return out.reshape(n)


def _randn_like(x: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
    if generator is None:
        return torch.randn_like(x)
    return torch.randn(x.shape, generator=generator, device=generator.device, dtype=x.dtype).to(x.device)


def _rows(v: torch.Tensor) -> torch.Tensor:
    """Sum over every non-batch axis: (n, ...) -> (n,)."""
    return v.reshape(v.shape[0], -1).sum(dim=1)


def _per_row(values: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """Reshape (n,) so it broadcasts against a tensor of shape (n, ...)."""
    return values.reshape((-1,) + (1,) * (like.ndim - 1))


# ---------------------------------------------------------------------------------------------
# noise schedule


def geometric_sigmas(
    sigma_max: float = 1.0,
    sigma_min: float = 0.01,
    n_levels: int = 10,
    *,
    dtype: torch.dtype = torch.float32,
    device: torch.device | str | None = None,
) -> torch.Tensor:
    """Noise levels in geometric progression, from the largest to the smallest.

    NCSN's schedule :eq:`score-ncsn-schedule` (chapter 3): ``sigma_max`` ...
    ``sigma_min`` with a constant ratio, defaults 1 → 0.01 over 10 levels as in
    Song & Ermon (2019). The largest level should be about the largest distance
    between data points, the smallest below the scale of the finest detail.

    Parameters
    ----------
    sigma_max, sigma_min : float
        Largest and smallest noise standard deviation, ``sigma_max >= sigma_min > 0``.
    n_levels : int
        Number of levels ``L >= 1`` (a single level needs ``sigma_max == sigma_min``).
    dtype, device
        Of the returned tensor.

    Returns
    -------
    torch.Tensor
        Shape ``(n_levels,)``, decreasing.

    Raises
    ------
    TypeError, ValueError
        On non-numbers, non-positive levels, ``sigma_min > sigma_max`` or ``n_levels < 1``.

    Examples
    --------
    >>> geometric_sigmas(1.0, 0.01, 3)
    tensor([1.0000, 0.1000, 0.0100])
    """
    sigma_max = _check_positive(sigma_max, "sigma_max")
    sigma_min = _check_positive(sigma_min, "sigma_min")
    if isinstance(n_levels, bool) or not isinstance(n_levels, int):
        raise TypeError(f"n_levels must be an int, got {type(n_levels).__name__}")
    if n_levels < 1:
        raise ValueError(f"n_levels must be at least 1, got {n_levels}")
    if sigma_min > sigma_max:
        raise ValueError(f"sigma_min must not exceed sigma_max, got {sigma_min} > {sigma_max}")
    if n_levels == 1 and sigma_min != sigma_max:
        raise ValueError("a single level needs sigma_min == sigma_max")
    exponents = torch.linspace(math.log(sigma_max), math.log(sigma_min), n_levels, dtype=torch.float64)
    return exponents.exp().to(dtype=dtype, device=device)


# ---------------------------------------------------------------------------------------------
# explicit / implicit / sliced score matching


def exact_score_matching_loss(score_fn: ScoreFn, x: torch.Tensor) -> torch.Tensor:
    r"""Hyvärinen's implicit score-matching objective with the exact Jacobian trace.

    Implements :eq:`score-ism` (chapter 3):
    :math:`J(s) = \mathbb E_x[\operatorname{tr}\nabla_x s(x) + \tfrac12\|s(x)\|^2]`,
    which equals the explicit objective :math:`\tfrac12\mathbb E\|s - \nabla\log p\|^2`
    minus a constant that does not depend on ``s``. The trace costs ``d``
    backward passes: use it in low dimension only.

    Parameters
    ----------
    score_fn : Callable
        ``score_fn(x) -> (n, d)``, acting row by row.
    x : torch.Tensor
        Data, shape ``(n, d)``.

    Returns
    -------
    torch.Tensor
        Scalar, mean over the batch. Differentiable with respect to the parameters
        of ``score_fn`` when gradients are enabled (second derivatives are kept).

    Raises
    ------
    TypeError, ValueError
        On a non-callable, a non-tensor, a wrong shape, empty input or NaN.

    Examples
    --------
    On :math:`\mathcal N(0, I_2)` the true score :math:`-x` gives :math:`-d/2 = -1` in expectation:

    >>> x = torch.randn(20000, 2, generator=torch.Generator().manual_seed(0))
    >>> round(exact_score_matching_loss(lambda v: -v, x).item(), 1)
    -1.0
    """
    _check_callable(score_fn, "score_fn")
    x = _check_batch(x, exact_ndim=2)
    create_graph = torch.is_grad_enabled()
    with torch.enable_grad():
        x = x.detach().requires_grad_(True)
        s = _check_output(score_fn(x), x, "score_fn")
        trace = torch.zeros(x.shape[0], device=x.device, dtype=x.dtype)
        for j in range(x.shape[1]):
            (grad_j,) = torch.autograd.grad(s[:, j].sum(), x, create_graph=create_graph, retain_graph=True)
            trace = trace + grad_j[:, j]
        loss = (trace + 0.5 * (s**2).sum(dim=1)).mean()
    return loss if create_graph else loss.detach()


def sliced_score_matching_loss(
    score_fn: ScoreFn,
    x: torch.Tensor,
    n_projections: int = 1,
    variance_reduced: bool = True,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    r"""Sliced score matching (Song, Garg, Shi & Ermon 2019).

    Implements :eq:`score-sliced` (chapter 3): with projections
    :math:`v \sim \mathcal N(0, I)` (so :math:`\mathbb E[vv^\top] = I`),

    .. math:: \mathbb E_{x,v}\big[v^\top \nabla_x s(x)\, v + \tfrac12 (v^\top s(x))^2\big],

    whose expectation over ``v`` is exactly :func:`exact_score_matching_loss`.
    The variance-reduced version replaces :math:`\tfrac12(v^\top s)^2` by its
    expectation :math:`\tfrac12\|s\|^2`. One backward pass per projection,
    whatever the dimension.

    Parameters
    ----------
    score_fn : Callable
        ``score_fn(x) -> x.shape``, acting row by row.
    x : torch.Tensor
        Data, shape ``(n, d)`` or ``(n, ...)``.
    n_projections : int
        Projections per example (``M`` in the paper).
    variance_reduced : bool
        Use :math:`\tfrac12\|s\|^2` (SSM-VR, default) instead of :math:`\tfrac12(v^\top s)^2`.
    generator : torch.Generator, optional
        Source of the projections.

    Returns
    -------
    torch.Tensor
        Scalar, mean over the batch and the projections.

    Raises
    ------
    TypeError, ValueError
        On a non-callable, a non-tensor, empty input, NaN or ``n_projections < 1``.

    Examples
    --------
    >>> g = torch.Generator().manual_seed(0)
    >>> x = torch.randn(20000, 2, generator=g)
    >>> round(sliced_score_matching_loss(lambda v: -v, x, generator=g).item(), 1)
    -1.0
    """
    _check_callable(score_fn, "score_fn")
    x = _check_batch(x)
    if isinstance(n_projections, bool) or not isinstance(n_projections, int):
        raise TypeError(f"n_projections must be an int, got {type(n_projections).__name__}")
    if n_projections < 1:
        raise ValueError(f"n_projections must be at least 1, got {n_projections}")
    create_graph = torch.is_grad_enabled()
    with torch.enable_grad():
        repeated = x.detach().repeat((n_projections,) + (1,) * (x.ndim - 1)).requires_grad_(True)
        v = _randn_like(repeated, generator)
        s = _check_output(score_fn(repeated), repeated, "score_fn")
        (jvp,) = torch.autograd.grad((s * v).sum(), repeated, create_graph=create_graph)
        second_order = _rows(jvp * v)
        first_order = 0.5 * _rows(s**2) if variance_reduced else 0.5 * _rows(s * v) ** 2
        loss = (second_order + first_order).mean()
    return loss if create_graph else loss.detach()


# ---------------------------------------------------------------------------------------------
# denoising score matching and Tweedie


def dsm_loss(
    score_fn: ScoreFn,
    x: torch.Tensor,
    sigma: float,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    r"""Denoising score matching at one noise level (Vincent 2011).

    Implements :eq:`score-dsm` (chapter 3):

    .. math:: \tfrac12\,\mathbb E\big\|s(\tilde x) + (\tilde x - x)/\sigma^2\big\|^2,
              \qquad \tilde x = x + \sigma\varepsilon,\ \varepsilon\sim\mathcal N(0, I),

    summed over dimensions and averaged over the batch. With this ½ the
    minimum over all ``s`` on :math:`\mathcal N(0, s^2 I_d)` data is
    :math:`\tfrac d2\, s^2/(\sigma^2(s^2+\sigma^2))` (:func:`gaussian_dsm_minimum`),
    reached at :math:`s(\tilde x) = -\tilde x/(s^2+\sigma^2)`.

    Parameters
    ----------
    score_fn : Callable
        ``score_fn(x_noisy) -> x_noisy.shape``: the score model at this noise level.
    x : torch.Tensor
        Clean data, shape ``(n, d)`` or ``(n, ...)``.
    sigma : float
        Noise standard deviation, positive.
    generator : torch.Generator, optional
        Source of the noise ``epsilon``.

    Returns
    -------
    torch.Tensor
        Scalar loss.

    Raises
    ------
    TypeError, ValueError
        On a non-callable, a non-tensor, empty input, NaN or a non-positive ``sigma``.

    Examples
    --------
    >>> g = torch.Generator().manual_seed(0)
    >>> x = torch.randn(20000, 2, generator=g)
    >>> loss = dsm_loss(lambda y: -y / (1 + 0.5**2), x, sigma=0.5, generator=g)
    >>> round(loss.item(), 1), round(gaussian_dsm_minimum(1.0, 0.5, 2), 1)
    (3.2, 3.2)
    """
    _check_callable(score_fn, "score_fn")
    x = _check_batch(x)
    sigma = _check_positive(sigma, "sigma")
    noise = _randn_like(x, generator)
    x_noisy = x + sigma * noise
    s = _check_output(score_fn(x_noisy), x_noisy, "score_fn")
    return 0.5 * _rows((s + noise / sigma) ** 2).mean()


def gaussian_dsm_minimum(data_variance: float, sigma: float, dim: int) -> float:
    r"""The minimum of :func:`dsm_loss` on :math:`\mathcal N(0, s^2 I_d)` data.

    Implements :eq:`score-dsm-gaussian` (chapter 3):
    :math:`\tfrac d2\,s^2/(\sigma^2(s^2+\sigma^2))`, the part of the DSM loss no
    score function can remove.

    Parameters
    ----------
    data_variance : float
        :math:`s^2`, the variance of each coordinate of the data.
    sigma : float
        Noise standard deviation.
    dim : int
        Dimension ``d``.

    Returns
    -------
    float

    Raises
    ------
    TypeError, ValueError
        On non-numbers or non-positive values.

    Examples
    --------
    >>> gaussian_dsm_minimum(1.0, 1.0, 2)
    0.5
    """
    data_variance = _check_positive(data_variance, "data_variance")
    sigma = _check_positive(sigma, "sigma")
    if isinstance(dim, bool) or not isinstance(dim, int):
        raise TypeError(f"dim must be an int, got {type(dim).__name__}")
    if dim < 1:
        raise ValueError(f"dim must be at least 1, got {dim}")
    return 0.5 * dim * data_variance / (sigma**2 * (data_variance + sigma**2))


def tweedie_denoise(score_fn: ScoreFn, x_noisy: torch.Tensor, sigma: float) -> torch.Tensor:
    r"""Tweedie's formula: the posterior mean of the clean point given a noisy one.

    Implements :eq:`score-tweedie` (chapter 3):
    :math:`\mathbb E[x\mid\tilde x] = \tilde x + \sigma^2\nabla\log p_\sigma(\tilde x)`,
    with ``score_fn`` standing in for :math:`\nabla\log p_\sigma`. With the exact
    noisy score this is the best denoiser in mean squared error.

    Parameters
    ----------
    score_fn : Callable
        ``score_fn(x_noisy) -> x_noisy.shape``, the score of the noisy density at level ``sigma``.
    x_noisy : torch.Tensor
        Noisy points :math:`\tilde x = x + \sigma\varepsilon`, shape ``(n, d)`` or ``(n, ...)``.
    sigma : float
        Noise standard deviation.

    Returns
    -------
    torch.Tensor
        Denoised points, the shape of ``x_noisy``.

    Raises
    ------
    TypeError, ValueError
        On a non-callable, a non-tensor, empty input, NaN or a non-positive ``sigma``.

    Examples
    --------
    For :math:`\mathcal N(0, 1)` data and :math:`\sigma = 1` the posterior mean is :math:`\tilde x/2`:

    >>> tweedie_denoise(lambda y: -y / 2, torch.tensor([[2.0, -4.0]]), 1.0)
    tensor([[ 1., -2.]])
    """
    _check_callable(score_fn, "score_fn")
    x_noisy = _check_batch(x_noisy, "x_noisy")
    sigma = _check_positive(sigma, "sigma")
    return x_noisy + sigma**2 * _check_output(score_fn(x_noisy), x_noisy, "score_fn")


def annealed_dsm_loss(
    score_fn: ConditionalScoreFn,
    x: torch.Tensor,
    sigmas: torch.Tensor | Sequence[float],
    power: float = 2.0,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    r"""Multi-level denoising score matching with weight :math:`\sigma^{power}` (NCSN).

    Implements :eq:`score-annealed-dsm` (chapter 3): each example draws its own
    level :math:`\sigma` uniformly from ``sigmas`` and contributes

    .. math:: \tfrac12\,\sigma^{power}\,\big\|s(\tilde x, \sigma) + (\tilde x - x)/\sigma^2\big\|^2,

    so the loss is an unbiased estimate of
    :math:`\frac1L\sum_i \sigma_i^{power}\,\ell_{DSM}(\sigma_i)` with :math:`\ell_{DSM}` of
    :func:`dsm_loss`. With ``power=2`` (Song & Ermon 2019) each term is
    :math:`\tfrac12\|\sigma s + \varepsilon\|^2`, of the same size at every level.

    Parameters
    ----------
    score_fn : Callable
        ``score_fn(x_noisy, sigma) -> x_noisy.shape`` where ``sigma`` is a tensor of
        shape ``(n,)`` holding each row's noise level (same device and dtype as ``x``).
    x : torch.Tensor
        Clean data, shape ``(n, d)`` or ``(n, ...)``.
    sigmas : torch.Tensor or Sequence
        The noise levels, shape ``(L,)`` (a tensor, array or list), e.g. :func:`geometric_sigmas`.
    power : float
        Exponent of the weight :math:`\sigma^{power}`.
    generator : torch.Generator, optional
        Source of the levels and of the noise.

    Returns
    -------
    torch.Tensor
        Scalar loss.

    Raises
    ------
    TypeError, ValueError
        On a non-callable, non-tensor input, empty input, NaN, bad ``sigmas`` or a non-number or infinite ``power``.

    Examples
    --------
    The exact perturbed score of :math:`\mathcal N(0, I)` data attains
    :math:`\frac1L\sum_i \sigma_i^2\,\tfrac d2/(\sigma_i^2(1+\sigma_i^2))`, here :math:`(1/2 + 1/1.01)/2`:

    >>> g = torch.Generator().manual_seed(0)
    >>> x = torch.randn(40000, 2, generator=g)
    >>> loss = annealed_dsm_loss(lambda y, s: -y / (1 + s[:, None] ** 2), x, [1.0, 0.1], generator=g)
    >>> abs(loss.item() - (1 / 2 + 1 / 1.01) / 2) < 0.02
    True
    """
    _check_callable(score_fn, "score_fn")
    x = _check_batch(x)
    levels = _check_sigmas(sigmas, x)
    if isinstance(power, bool) or not isinstance(power, (int, float)):
        raise TypeError(f"power must be a number, got {type(power).__name__}")
    if not math.isfinite(power):
        raise ValueError(f"power must be finite, got {power}")
    device = generator.device if generator is not None else x.device
    index = torch.randint(len(levels), (x.shape[0],), generator=generator, device=device).to(x.device)
    sigma = levels[index]
    noise = _randn_like(x, generator)
    x_noisy = x + _per_row(sigma, x) * noise
    s = _check_output(score_fn(x_noisy, sigma), x_noisy, "score_fn")
    residual = _rows((s + noise / _per_row(sigma, x)) ** 2)
    return (0.5 * sigma**power * residual).mean()


# ---------------------------------------------------------------------------------------------
# energies and log-densities: DDE, KDE, MDSM


def _gradient(fn: ScalarFn, x_noisy: torch.Tensor, name: str, create_graph: bool) -> torch.Tensor:
    """Gradient of a scalar-per-row function at ``x_noisy`` (a leaf that requires grad)."""
    values = _check_scalar_output(fn(x_noisy), x_noisy.shape[0], name)
    (grad,) = torch.autograd.grad(values.sum(), x_noisy, create_graph=create_graph)
    return grad


def kde_log_density(x: torch.Tensor, data: torch.Tensor, sigma: float) -> torch.Tensor:
    r"""Log-density of the Gaussian kernel density estimate with bandwidth ``sigma``.

    Implements :eq:`score-kde` (chapter 3):
    :math:`\log\frac1N\sum_i \mathcal N(x; x_i, \sigma^2 I)`, computed with
    ``logsumexp`` (no underflow far from the data). It is the density of the
    empirical distribution convolved with :math:`\mathcal N(0,\sigma^2 I)`, equals
    ``sklearn.neighbors.KernelDensity(bandwidth=sigma).score_samples`` and is the
    optimum of :func:`dde_loss` on the data set ``data``. Differentiable in ``x``.

    Parameters
    ----------
    x : torch.Tensor
        Query points, shape ``(m, d)``.
    data : torch.Tensor
        The data set, shape ``(N, d)``, same dtype and device as ``x``.
    sigma : float
        Bandwidth (kernel standard deviation).

    Returns
    -------
    torch.Tensor
        Shape ``(m,)``, normalised log-density.

    Raises
    ------
    TypeError, ValueError
        On non-tensors, mismatched shapes or dtypes, empty input, NaN or a non-positive ``sigma``.

    Examples
    --------
    With one data point the KDE is a single Gaussian:

    >>> kde_log_density(torch.zeros(1, 1), torch.zeros(1, 1), 1.0)
    tensor([-0.9189])
    """
    x = _check_batch(x, exact_ndim=2)
    data = _check_batch(data, "data", exact_ndim=2)
    sigma = _check_positive(sigma, "sigma")
    if x.shape[1] != data.shape[1]:
        raise ValueError(f"x and data must have the same dimension, got {x.shape[1]} and {data.shape[1]}")
    if x.dtype != data.dtype or x.device != data.device:
        raise TypeError(
            f"x and data must share dtype and device, got {x.dtype}/{x.device} and {data.dtype}/{data.device}"
        )
    n, d = data.shape
    squared = (x[:, None, :] - data[None, :, :]).pow(2).sum(dim=-1)
    log_norm = math.log(n) + 0.5 * d * math.log(2 * math.pi * sigma**2)
    return torch.logsumexp(-squared / (2 * sigma**2), dim=1) - log_norm


def dde_loss(
    log_density_fn: ScalarFn,
    x: torch.Tensor,
    sigma: float,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    r"""Denoising density estimation (Bigdeli et al. 2020): train a scalar ``f`` through its denoiser.

    Implements :eq:`score-dde` (chapter 3): the denoiser is
    :math:`r(\tilde x) = \tilde x + \sigma^2\nabla f(\tilde x)` and the loss is its
    squared reconstruction error, **without** a ½,

    .. math:: \mathbb E\,\|r(\tilde x) - x\|^2 = 2\sigma^4\,\ell_{DSM}(\nabla f),

    summed over dimensions and averaged over the batch (:math:`\ell_{DSM}` of
    :func:`dsm_loss`). On a finite data set its minimiser is
    :func:`kde_log_density` with bandwidth ``sigma`` (up to a constant).

    Parameters
    ----------
    log_density_fn : Callable
        ``f(x) -> (n,)`` or ``(n, 1)``: an unnormalised log-density (not an energy).
    x : torch.Tensor
        Clean data, shape ``(n, d)`` or ``(n, ...)``.
    sigma : float
        Noise standard deviation.
    generator : torch.Generator, optional
        Source of the noise.

    Returns
    -------
    torch.Tensor
        Scalar loss, differentiable in the parameters of ``f`` (second derivatives kept).

    Raises
    ------
    TypeError, ValueError
        On a non-callable, a non-tensor, a wrong output shape, empty input, NaN or a bad ``sigma``.

    Examples
    --------
    For :math:`\mathcal N(0, I_2)` data the best ``f`` is :math:`\log p_\sigma` and the
    loss is :math:`2\sigma^4` times the DSM minimum, :math:`d\sigma^2/(1+\sigma^2)`:

    >>> g = torch.Generator().manual_seed(0)
    >>> x = torch.randn(20000, 2, generator=g)
    >>> loss = dde_loss(lambda y: -0.5 * (y**2).sum(1) / 1.25, x, 0.5, generator=g)
    >>> round(loss.item(), 2), round(2 * 0.25 / 1.25, 2)
    (0.4, 0.4)
    """
    _check_callable(log_density_fn, "log_density_fn")
    x = _check_batch(x)
    sigma = _check_positive(sigma, "sigma")
    create_graph = torch.is_grad_enabled()
    with torch.enable_grad():
        x_noisy = (x.detach() + sigma * _randn_like(x, generator)).requires_grad_(True)
        grad = _gradient(log_density_fn, x_noisy, "log_density_fn", create_graph)
        denoised = x_noisy + sigma**2 * grad
        loss = _rows((denoised - x.detach()) ** 2).mean()
    return loss if create_graph else loss.detach()


def energy_score(
    energy_fn: ScalarFn, x: torch.Tensor, sigma: torch.Tensor | float, sigma0: float = 0.1
) -> torch.Tensor:
    r"""The noise-level score an MDSM energy defines: :math:`-(\sigma_0^2/\sigma^2)\nabla E(x)`.

    Implements :eq:`score-mdsm-temperature` (chapter 3): an energy trained by
    :func:`mdsm_loss` satisfies :math:`p_\sigma \propto e^{-E/T}` with temperature
    :math:`T = \sigma^2/\sigma_0^2`, so its score at level :math:`\sigma` is
    :math:`-\nabla E/T`. Use it as ``score_fn(x, sigma)`` in annealed Langevin.

    Parameters
    ----------
    energy_fn : Callable
        ``E(x) -> (n,)`` or ``(n, 1)``.
    x : torch.Tensor
        Points, shape ``(n, d)`` or ``(n, ...)``.
    sigma : float or torch.Tensor
        Noise level: a number, or a tensor of shape ``(n,)`` (one per row).
    sigma0 : float
        The reference level of :func:`mdsm_loss`.

    Returns
    -------
    torch.Tensor
        The shape of ``x``, detached (for sampling; train with :func:`mdsm_loss`).

    Raises
    ------
    TypeError, ValueError
        On bad inputs.

    Examples
    --------
    >>> energy_score(lambda y: 0.5 * (y**2).sum(1), torch.tensor([[1.0, 2.0]]), 0.2, sigma0=0.1)
    tensor([[-0.2500, -0.5000]])
    """
    _check_callable(energy_fn, "energy_fn")
    x = _check_batch(x)
    sigma0 = _check_positive(sigma0, "sigma0")
    if isinstance(sigma, torch.Tensor) and sigma.numel() > 1:
        if sigma.numel() != x.shape[0]:
            raise ValueError(f"sigma must be a number or of shape ({x.shape[0]},), got {tuple(sigma.shape)}")
        if not torch.isfinite(sigma).all() or (sigma <= 0).any():
            raise ValueError("every sigma must be positive and finite")
        scale = _per_row(sigma.to(dtype=x.dtype, device=x.device).reshape(-1), x)
    else:
        scale = _check_positive(sigma, "sigma")
    with torch.enable_grad():
        x_leaf = x.detach().requires_grad_(True)
        grad = _gradient(energy_fn, x_leaf, "energy_fn", create_graph=False)
    return -(sigma0**2) * grad.detach() / scale**2


def mdsm_loss(
    energy_fn: ScalarFn,
    x: torch.Tensor,
    sigmas: torch.Tensor | Sequence[float],
    sigma0: float = 0.1,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    r"""Multi-scale denoising score matching of one energy (Li, Chen & Sommer 2019).

    Implements :eq:`score-mdsm` (chapter 3). Each example draws a level
    :math:`\sigma` uniformly from ``sigmas``; the energy's gradient at the noisy
    point is matched to the denoising direction scaled by the fixed
    reference level :math:`\sigma_0`, not by :math:`\sigma`:

    .. math:: \tfrac12\,\mathbb E\,\frac{1}{\sigma^2}
              \big\|x - \tilde x + \sigma_0^2\nabla_{\tilde x} E(\tilde x)\big\|^2,
              \qquad \tilde x = x + \sigma\varepsilon.

    This is the authors' released training loss (weight :math:`1/\sigma^2`)
    multiplied by :math:`\sigma_0^4/2`, and it is *exactly*
    :func:`annealed_dsm_loss` with ``power=2`` applied to the score
    :func:`energy_score` :math:`-(\sigma_0^2/\sigma^2)\nabla E`: one energy
    serves every level as a temperature :math:`T=\sigma^2/\sigma_0^2`. The
    authors spread the levels evenly over each batch instead of drawing them.

    Parameters
    ----------
    energy_fn : Callable
        ``E(x) -> (n,)`` or ``(n, 1)``; low energy = high density. No noise-level input.
    x : torch.Tensor
        Clean data, shape ``(n, d)`` or ``(n, ...)``.
    sigmas : torch.Tensor or Sequence
        Noise levels, shape ``(L,)``.
    sigma0 : float
        Reference level :math:`\sigma_0` (0.1 in the paper).
    generator : torch.Generator, optional
        Source of the levels and of the noise.

    Returns
    -------
    torch.Tensor
        Scalar loss, differentiable in the parameters of ``E`` (second derivatives kept).

    Raises
    ------
    TypeError, ValueError
        On a non-callable, a non-tensor, empty input, NaN, bad ``sigmas`` or ``sigma0``.

    Examples
    --------
    For :math:`\mathcal N(0, I)` data and one level, the best energy is
    :math:`(\sigma^2/\sigma_0^2)\,\|x\|^2/(2(1+\sigma^2))`, reaching the DSM minimum times :math:`\sigma^2`:

    >>> g = torch.Generator().manual_seed(0)
    >>> x = torch.randn(20000, 2, generator=g)
    >>> energy = lambda y: (0.25 / 0.01) * (y**2).sum(1) / (2 * 1.25)
    >>> loss = mdsm_loss(energy, x, [0.5], generator=g)
    >>> round(loss.item(), 2), round(0.25 * gaussian_dsm_minimum(1.0, 0.5, 2), 2)
    (0.8, 0.8)
    """
    _check_callable(energy_fn, "energy_fn")
    x = _check_batch(x)
    levels = _check_sigmas(sigmas, x)
    sigma0 = _check_positive(sigma0, "sigma0")
    device = generator.device if generator is not None else x.device
    index = torch.randint(len(levels), (x.shape[0],), generator=generator, device=device).to(x.device)
    sigma = _per_row(levels[index], x)
    noise = _randn_like(x, generator)
    create_graph = torch.is_grad_enabled()
    with torch.enable_grad():
        x_noisy = (x.detach() + sigma * noise).requires_grad_(True)
        grad = _gradient(energy_fn, x_noisy, "energy_fn", create_graph)
        residual = _rows((x.detach() - x_noisy + sigma0**2 * grad) ** 2) / sigma.reshape(-1) ** 2
        loss = 0.5 * residual.mean()
    return loss if create_graph else loss.detach()
