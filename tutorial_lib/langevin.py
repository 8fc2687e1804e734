"""Langevin samplers: the unadjusted algorithm, its Metropolis correction, and annealing.

Defined in chapter 2 (Langevin dynamics). Every sampler takes a callable, not a
model: ``grad_log_prob(x)`` or ``score_fn(x, sigma)`` for the gradient of a
log-density, ``log_prob(x)`` for MALA. Chains run in parallel along the first
dimension of ``x0``; the samplers keep the device and dtype of ``x0``, draw
their noise from an optional ``torch.Generator``, and run under
``torch.no_grad()`` (MALA switches autograd on only to differentiate
``log_prob`` with respect to ``x``), so no parameter gradient is accumulated.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from numbers import Real

import numpy as np
import torch

Tensor = torch.Tensor

__all__ = [
    "score_from_log_prob",
    "ula",
    "ula_stationary_variance",
    "mala",
    "mala_log_acceptance",
    "annealed_langevin",
]


# ---- argument checks ---------------------------------------------------------------------------


def _check_callable(fn: object, name: str) -> None:
    if not callable(fn):
        raise TypeError(f"{name} must be callable, got {type(fn).__name__}")


def _check_positive(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be positive and finite, got {value}")
    return value


def _check_count(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    return int(value)


def _check_start(x0: object, name: str = "x0") -> Tensor:
    if not isinstance(x0, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x0).__name__}")
    if not x0.is_floating_point():
        raise TypeError(f"{name} must be a floating-point tensor, got dtype {x0.dtype}")
    if x0.ndim == 0 or x0.numel() == 0:
        raise ValueError(f"{name} must hold at least one chain (shape (n, ...)), got shape {tuple(x0.shape)}")
    if not torch.isfinite(x0).all():
        raise ValueError(f"{name} must be finite, got NaN or infinite entries")
    return x0


def _check_generator(generator: object, x0: Tensor) -> None:
    if generator is None:
        return
    if not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator or None, got {type(generator).__name__}")
    if generator.device.type != x0.device.type:
        raise ValueError(f"generator is on {generator.device} but x0 is on {x0.device}; use one device")


def _check_result(x: Tensor, x0: Tensor, update: Tensor | None, fn_name: str, sampler: str) -> Tensor:
    """After the loop: the gradient had x's shape and dtype, and the chains stayed finite."""
    if update is not None and (update.shape != x0.shape or x.shape != x0.shape or x.dtype != x0.dtype):
        raise ValueError(
            f"{fn_name} must return a tensor of the shape and dtype of x, {tuple(x0.shape)} {x0.dtype}; "
            f"got {tuple(update.shape)} {update.dtype}"
        )
    if not torch.isfinite(x).all():
        raise FloatingPointError(
            f"{sampler} diverged (NaN or infinite samples): the step size is too large for the curvature "
            "of the log-density (on N(0, s^2) ULA diverges once step_size >= 4 s^2)"
        )
    return x


def _check_sigmas(sigmas: object) -> list[float]:
    if isinstance(sigmas, torch.Tensor):
        values = sigmas.detach().cpu()
    elif isinstance(sigmas, (Sequence, np.ndarray)) and not isinstance(sigmas, str):
        values = np.asarray(sigmas)
        if values.dtype == object or not np.issubdtype(values.dtype, np.number):
            raise TypeError(f"sigmas must hold real numbers, got {values.dtype}")
    else:
        raise TypeError(f"sigmas must be a sequence, array or 1-D tensor of floats, got {type(sigmas).__name__}")
    if values.ndim != 1 or len(values) == 0:
        raise ValueError(f"sigmas must be a non-empty 1-D sequence, got shape {tuple(values.shape)}")
    result = [float(s) for s in values.tolist()]
    if not all(math.isfinite(s) and s > 0 for s in result):
        raise ValueError(f"sigmas must be positive and finite, got {result}")
    if any(a <= b for a, b in itertools.pairwise(result)):
        raise ValueError(f"sigmas must decrease strictly (largest noise first), got {result}")
    return result


# ---- scores --------------------------------------------------------------------------------------


def _log_prob_and_grad(log_prob: Callable[[Tensor], Tensor], x: Tensor) -> tuple[Tensor, Tensor]:
    """``log_prob(x)`` (n,) and its gradient with respect to ``x``; never touches parameter ``.grad``."""
    with torch.enable_grad():
        x = x.detach().requires_grad_(True)
        log_p = log_prob(x)
        (grad,) = torch.autograd.grad(log_p.sum(), x)
    return log_p.detach(), grad


def _checked_log_prob_and_grad(log_prob: Callable[[Tensor], Tensor], x: Tensor) -> tuple[Tensor, Tensor]:
    """The first evaluation of ``log_prob`` and its gradient, with the output checked once."""
    with torch.enable_grad():
        x = x.detach().requires_grad_(True)
        log_p = log_prob(x)
        if not isinstance(log_p, torch.Tensor) or log_p.shape != x.shape[:1]:
            shape = tuple(log_p.shape) if isinstance(log_p, torch.Tensor) else type(log_p).__name__
            raise ValueError(f"log_prob must return one value per chain, shape ({x.shape[0]},); got {shape}")
        if not log_p.requires_grad:
            raise ValueError("log_prob must be differentiable in x (its output does not depend on x by autograd)")
        if not torch.isfinite(log_p).all():
            raise ValueError("log_prob(x0) must be finite: start every chain where the density is positive")
        (grad,) = torch.autograd.grad(log_p.sum(), x)
    return log_p.detach(), grad


def score_from_log_prob(log_prob: Callable[[Tensor], Tensor]) -> Callable[[Tensor], Tensor]:
    r"""Turn a batched log-density into its score, :math:`s(x) = \nabla_x \log p(x)`, by autograd.

    Implements :eq:`langevin-score` (chapter 2).

    Parameters
    ----------
    log_prob : Callable
        ``log_prob(x)`` maps chains ``x`` of shape ``(n, ...)`` to ``(n,)`` log-densities
        (unnormalised is fine: the constant has no gradient). Chains must not interact.

    Returns
    -------
    Callable
        ``grad_log_prob(x)`` returning a tensor of the shape of ``x``. It switches autograd on
        itself, so it also works inside the samplers' ``torch.no_grad()``, and it never
        accumulates ``.grad`` in parameters of ``log_prob``.

    Raises
    ------
    TypeError
        If ``log_prob`` is not callable.

    Examples
    --------
    >>> score = score_from_log_prob(lambda x: -0.5 * (x**2).sum(dim=1))
    >>> score(torch.tensor([[1.0, -2.0]]))
    tensor([[-1.,  2.]])
    """
    _check_callable(log_prob, "log_prob")

    def grad_log_prob(x: Tensor) -> Tensor:
        return _log_prob_and_grad(log_prob, x)[1]

    return grad_log_prob


# ---- the unadjusted Langevin algorithm -----------------------------------------------------------


def ula(
    grad_log_prob: Callable[[Tensor], Tensor],
    x0: Tensor,
    step_size: float,
    n_steps: int,
    *,
    generator: torch.Generator | None = None,
    return_trajectory: bool = False,
) -> Tensor:
    r"""Unadjusted Langevin algorithm: :math:`x \leftarrow x + \tfrac{\eta}{2}\nabla\log p(x) + \sqrt{\eta}\,\xi`.

    Implements :eq:`langevin-ula` (chapter 2): the Euler–Maruyama discretisation of the
    Langevin SDE with time step :math:`\eta/2`. It samples :math:`p` only as
    :math:`\eta \to 0`; for a finite step its stationary law is biased
    (:eq:`langevin-ula-variance`).

    Parameters
    ----------
    grad_log_prob : Callable
        ``grad_log_prob(x)`` returns :math:`\nabla\log p(x)` with the shape of ``x``. It is called
        inside ``torch.no_grad()``; use :func:`score_from_log_prob` for a gradient by autograd.
    x0 : torch.Tensor
        Starting points, shape ``(n, ...)``: ``n`` independent chains. Not modified.
    step_size : float
        :math:`\eta > 0`; the noise per step has standard deviation :math:`\sqrt\eta`.
    n_steps : int
        Number of updates (``0`` returns a copy of ``x0``).
    generator : torch.Generator, optional
        Source of the Gaussian noise :math:`\xi`, on the device of ``x0``.
    return_trajectory : bool
        If True, return every state, shape ``(n_steps + 1, *x0.shape)`` with ``x0`` first.

    Returns
    -------
    torch.Tensor
        The final states (shape of ``x0``) or the trajectory; device and dtype of ``x0``.

    Raises
    ------
    TypeError
        If ``grad_log_prob`` is not callable, ``x0`` is not a floating-point tensor, or an
        argument has the wrong type.
    ValueError
        If ``x0`` is empty or not finite, ``step_size <= 0``, ``n_steps < 0``, or
        ``grad_log_prob`` returns a tensor of another shape or dtype than ``x``.
    FloatingPointError
        If the chains diverge to NaN or infinity (step size too large).

    Examples
    --------
    >>> g = torch.Generator().manual_seed(0)
    >>> x = ula(lambda x: -x, torch.zeros(20_000, 1), step_size=0.5, n_steps=100, generator=g)
    >>> v = x.var().item()  # N(0, 1) has variance 1; ULA's closed form gives 1 / (1 - 0.5 / 4) = 1.143
    >>> 1.1 < v < 1.2
    True
    """
    _check_callable(grad_log_prob, "grad_log_prob")
    _check_start(x0)
    step_size = _check_positive(step_size, "step_size")
    n_steps = _check_count(n_steps, "n_steps")
    _check_generator(generator, x0)
    half_step, noise_scale = step_size / 2, math.sqrt(step_size)
    x = x0.detach().clone()
    noise = torch.empty_like(x)
    grad = None
    with torch.no_grad():
        if return_trajectory:
            path = x.new_empty((n_steps + 1, *x.shape))
            path[0] = x
            outputs = path[1:].unbind(0)  # write each state straight into its row
        else:
            outputs = itertools.repeat(None, n_steps)
        for out in outputs:
            grad = grad_log_prob(x)
            x = torch.add(x, grad, alpha=half_step, out=out)
            x.add_(noise.normal_(generator=generator), alpha=noise_scale)
    _check_result(x, x0, grad, "grad_log_prob", "ULA")
    return path if return_trajectory else x


def ula_stationary_variance(variance: float, step_size: float) -> float:
    r"""Stationary variance of ULA on :math:`\mathcal N(0, s^2)`: :math:`s^2 / (1 - \eta / (4 s^2))`.

    Implements :eq:`langevin-ula-variance` (chapter 2). The exact law of the chain tends to
    :math:`\mathcal N(0, v)` with this :math:`v > s^2`: the step-size bias of ULA.

    Parameters
    ----------
    variance : float
        Target variance :math:`s^2 > 0`.
    step_size : float
        ULA step :math:`\eta > 0`, as in :func:`ula`.

    Returns
    -------
    float
        The stationary variance :math:`v`.

    Raises
    ------
    TypeError
        If an argument is not a real number.
    ValueError
        If ``variance <= 0`` or ``step_size <= 0``, or if ``step_size >= 4 * variance``: then the
        chain diverges and there is no stationary law.

    Examples
    --------
    >>> ula_stationary_variance(1.0, 0.5)
    1.1428571428571428
    """
    variance = _check_positive(variance, "variance")
    step_size = _check_positive(step_size, "step_size")
    if step_size >= 4 * variance:
        raise ValueError(
            f"ULA on N(0, {variance}) diverges for step_size >= 4 * variance = {4 * variance}; "
            f"got step_size = {step_size}, so there is no stationary variance"
        )
    return variance / (1 - step_size / (4 * variance))


# ---- the Metropolis-adjusted Langevin algorithm ---------------------------------------------------


def _mala_log_acceptance(
    x: Tensor, y: Tensor, log_p_x: Tensor, log_p_y: Tensor, grad_x: Tensor, grad_y: Tensor, step_size: float
) -> Tensor:
    half_step = step_size / 2
    n = x.shape[0]
    forward = (y - x - half_step * grad_x).reshape(n, -1).square().sum(dim=1)  # -2η log q(y | x)
    backward = (x - y - half_step * grad_y).reshape(n, -1).square().sum(dim=1)  # -2η log q(x | y)
    return log_p_y - log_p_x - (backward - forward) / (2 * step_size)


def mala_log_acceptance(
    x: Tensor, y: Tensor, log_p_x: Tensor, log_p_y: Tensor, grad_x: Tensor, grad_y: Tensor, step_size: float
) -> Tensor:
    r"""Log of the Metropolis–Hastings ratio of MALA, per chain, for a move from ``x`` to ``y``.

    Implements :eq:`langevin-mala-acceptance` (chapter 2):
    :math:`\log r = \log p(y) - \log p(x) + \log q(x \mid y) - \log q(y \mid x)` with the Langevin
    proposal :math:`q(y \mid x) = \mathcal N(y;\, x + \tfrac\eta2\nabla\log p(x),\, \eta I)`. The move
    is accepted with probability :math:`\min(1, r)`.

    Parameters
    ----------
    x, y : torch.Tensor
        Current states and proposals, shape ``(n, ...)``.
    log_p_x, log_p_y : torch.Tensor
        :math:`\log p` at ``x`` and ``y`` (any common additive constant), shape ``(n,)``.
    grad_x, grad_y : torch.Tensor
        :math:`\nabla\log p` at ``x`` and ``y``, shape of ``x``.
    step_size : float
        :math:`\eta > 0`.

    Returns
    -------
    torch.Tensor
        :math:`\log r`, shape ``(n,)`` (not clipped at 0).

    Raises
    ------
    TypeError
        If a tensor argument is not a floating-point tensor or ``step_size`` is not a number.
    ValueError
        If the shapes disagree or ``step_size <= 0``.

    Examples
    --------
    >>> x, y = torch.tensor([[0.0]]), torch.tensor([[1.0]])
    >>> lp = lambda z: -0.5 * (z**2).sum(dim=1)  # N(0, 1): the score is -z
    >>> mala_log_acceptance(x, y, lp(x), lp(y), -x, -y, step_size=1.0)
    tensor([-0.1250])
    """
    for name, value in (("x", x), ("y", y), ("grad_x", grad_x), ("grad_y", grad_y)):
        _check_start(value, name)
    for name, value in (("log_p_x", log_p_x), ("log_p_y", log_p_y)):
        if not isinstance(value, torch.Tensor) or not value.is_floating_point():
            raise TypeError(f"{name} must be a floating-point tensor, got {type(value).__name__}")
    step_size = _check_positive(step_size, "step_size")
    if x.ndim < 2:
        raise ValueError(f"x must have shape (n, d, ...) with one chain per row, got shape {tuple(x.shape)}")
    for name, value in (("y", y), ("grad_x", grad_x), ("grad_y", grad_y)):
        if value.shape != x.shape:
            raise ValueError(f"{name} must have the shape of x, {tuple(x.shape)}; got {tuple(value.shape)}")
    for name, value in (("log_p_x", log_p_x), ("log_p_y", log_p_y)):
        if value.shape != x.shape[:1]:
            raise ValueError(f"{name} must have shape ({x.shape[0]},), got {tuple(value.shape)}")
    return _mala_log_acceptance(x, y, log_p_x, log_p_y, grad_x, grad_y, step_size)


def mala(
    log_prob: Callable[[Tensor], Tensor],
    x0: Tensor,
    step_size: float,
    n_steps: int,
    *,
    generator: torch.Generator | None = None,
) -> tuple[Tensor, float]:
    r"""Metropolis-adjusted Langevin algorithm: a ULA proposal, accepted or rejected per chain.

    Each step proposes :math:`y = x + \tfrac\eta2\nabla\log p(x) + \sqrt\eta\,\xi` (:eq:`langevin-ula`)
    and accepts it with probability :math:`\min(1, r)`, :eq:`langevin-mala-acceptance`; the chain
    then leaves :math:`p` exactly invariant for every step size (detailed balance).

    Parameters
    ----------
    log_prob : Callable
        ``log_prob(x)`` maps ``(n, ...)`` chains to ``(n,)`` unnormalised log-densities; it must be
        differentiable in ``x`` (the gradient comes from ``torch.autograd.grad``, with respect
        to ``x`` only, so no parameter ``.grad`` is accumulated).
    x0 : torch.Tensor
        Starting points, shape ``(n, d, ...)`` (for 1-D targets use ``(n, 1)``); ``log_prob(x0)``
        must be finite. Not modified.
    step_size : float
        :math:`\eta > 0`.
    n_steps : int
        Number of proposals, at least 1.
    generator : torch.Generator, optional
        Source of the proposal noise and of the uniform numbers of the accept/reject test.

    Returns
    -------
    samples : torch.Tensor
        Final states, shape, device and dtype of ``x0``.
    acceptance_rate : float
        Fraction of accepted proposals over all chains and steps. A proposal where
        ``log_prob`` is NaN or :math:`-\infty` is rejected.

    Raises
    ------
    TypeError
        If ``log_prob`` is not callable or an argument has the wrong type.
    ValueError
        If ``x0`` has fewer than 2 dimensions, is empty or not finite, ``step_size <= 0``,
        ``n_steps < 1``, or ``log_prob`` returns the wrong shape, a non-differentiable or
        a non-finite value at ``x0``.

    Examples
    --------
    >>> g = torch.Generator().manual_seed(0)
    >>> log_prob = lambda x: -0.5 * (x**2).sum(dim=1)
    >>> x, rate = mala(log_prob, torch.zeros(10_000, 1), step_size=1.0, n_steps=50, generator=g)
    >>> abs(x.var().item() - 1.0) < 0.05, 0 < rate < 1  # ULA at this step would give 1.33
    (True, True)
    """
    _check_callable(log_prob, "log_prob")
    _check_start(x0)
    if x0.ndim < 2:
        raise ValueError(f"x0 must have shape (n, d, ...), one chain per row; got shape {tuple(x0.shape)}")
    step_size = _check_positive(step_size, "step_size")
    n_steps = _check_count(n_steps, "n_steps")
    if n_steps == 0:
        raise ValueError("n_steps must be >= 1 for MALA (the acceptance rate of zero proposals is undefined)")
    _check_generator(generator, x0)
    half_step, noise_scale = step_size / 2, math.sqrt(step_size)
    n = x0.shape[0]
    row = (n,) + (1,) * (x0.ndim - 1)  # broadcast a per-chain decision over a chain's coordinates
    with torch.no_grad():
        x = x0.detach().clone()
        log_p, grad = _checked_log_prob_and_grad(log_prob, x)
        noise, uniform = torch.empty_like(x), x.new_empty(n)
        n_accepted = torch.zeros((), dtype=torch.int64, device=x.device)
        for _ in range(n_steps):
            y = torch.add(x, grad, alpha=half_step).add_(noise.normal_(generator=generator), alpha=noise_scale)
            log_p_y, grad_y = _log_prob_and_grad(log_prob, y)
            log_r = _mala_log_acceptance(x, y, log_p, log_p_y, grad, grad_y, step_size)
            accept = uniform.uniform_(generator=generator).log_() < log_r  # NaN compares False: reject
            x = torch.where(accept.view(row), y, x)
            log_p = torch.where(accept, log_p_y, log_p)
            grad = torch.where(accept.view(row), grad_y, grad)
            n_accepted += accept.sum()
    _check_result(x, x0, grad, "log_prob's gradient", "MALA")
    return x, n_accepted.item() / (n * n_steps)


# ---- annealed Langevin dynamics (NCSN) ------------------------------------------------------------


def annealed_langevin(
    score_fn: Callable[[Tensor, float], Tensor],
    x0: Tensor,
    sigmas: Sequence[float] | Tensor,
    eps: float,
    n_steps_each: int,
    *,
    denoise: bool = True,
    generator: torch.Generator | None = None,
) -> Tensor:
    r"""Annealed Langevin dynamics of NCSN: ULA through decreasing noise levels, then one denoising step.

    Implements :eq:`langevin-annealed` and :eq:`langevin-denoise` (chapter 2). At level
    :math:`i` the step is :math:`\alpha_i = \epsilon\,\sigma_i^2/\sigma_L^2` and each of the
    ``n_steps_each`` updates is :math:`x \leftarrow x + \alpha_i\, s(x, \sigma_i) + \sqrt{2\alpha_i}\, z`,
    i.e. :func:`ula` with :math:`\eta = 2\alpha_i` on the perturbed density :math:`p_{\sigma_i}`.
    With ``denoise`` the result is :math:`x + \sigma_L^2 s(x, \sigma_L)` (Tweedie's formula, NCSNv2).

    Parameters
    ----------
    score_fn : Callable
        ``score_fn(x, sigma)``: the score :math:`\nabla_x\log p_\sigma(x)` of the data density
        convolved with :math:`\mathcal N(0, \sigma^2 I)`, shape of ``x``. ``sigma`` is passed as
        the Python float ``float(sigmas[i])``. Called inside ``torch.no_grad()``.
    x0 : torch.Tensor
        Starting points, shape ``(n, ...)``, usually broad noise. Not modified.
    sigmas : Sequence or torch.Tensor
        Noise levels :math:`\sigma_1 > \dots > \sigma_L > 0` (NCSN: geometric).
    eps : float
        :math:`\epsilon > 0`, the step at the last level.
    n_steps_each : int
        Updates per level (NCSN: 100); ``0`` skips the Langevin updates.
    denoise : bool
        Apply the final denoising step.
    generator : torch.Generator, optional
        Source of the noise :math:`z`, on the device of ``x0``.

    Returns
    -------
    torch.Tensor
        Final samples, shape, device and dtype of ``x0``.

    Raises
    ------
    TypeError
        If ``score_fn`` is not callable or an argument has the wrong type.
    ValueError
        If ``x0`` is empty or not finite, ``sigmas`` is empty, not positive or not strictly
        decreasing, ``eps <= 0``, ``n_steps_each < 0``, or ``score_fn`` returns another shape.
    FloatingPointError
        If the chains diverge (``eps`` too large).

    Examples
    --------
    >>> score = lambda x, sigma: -(x - 3.0) / (1.0 + sigma**2)  # N(3, 1) data, perturbed exactly
    >>> g = torch.Generator().manual_seed(0)
    >>> x0 = 10 * torch.randn(5_000, 1, generator=g)
    >>> x = annealed_langevin(score, x0, [10.0, 3.16, 1.0, 0.316, 0.1], eps=0.002, n_steps_each=300,
    ...                       generator=g)
    >>> abs(x.mean().item() - 3.0) < 0.05, abs(x.var().item() - 1.0) < 0.1
    (True, True)
    """
    _check_callable(score_fn, "score_fn")
    _check_start(x0)
    sigma_list = _check_sigmas(sigmas)
    eps = _check_positive(eps, "eps")
    n_steps_each = _check_count(n_steps_each, "n_steps_each")
    _check_generator(generator, x0)
    sigma_last = sigma_list[-1]
    x = x0.detach().clone()
    noise = torch.empty_like(x)
    score = None
    with torch.no_grad():
        for sigma in sigma_list:
            step = eps * (sigma / sigma_last) ** 2  # alpha_i
            noise_scale = math.sqrt(2 * step)
            for _ in range(n_steps_each):
                score = score_fn(x, sigma)
                x = torch.add(x, score, alpha=step)
                x.add_(noise.normal_(generator=generator), alpha=noise_scale)
        if denoise:
            score = score_fn(x, sigma_last)
            x = torch.add(x, score, alpha=sigma_last**2)
    return _check_result(x, x0, score, "score_fn", "annealed Langevin")
