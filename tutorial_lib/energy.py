"""Energy-based models trained with short-run Langevin chains: the IGEBM recipe.

Defined in chapter 1 (``book/01-energy.md``). A density is an energy,
:math:`p_\\theta(x) = e^{-E_\\theta(x)}/Z_\\theta`; training lowers the energy of
data and raises the energy of samples drawn from the model by a few steps of
Langevin dynamics started from a replay buffer of earlier samples.

- :class:`ReplayBuffer`: persistent chains, 95 % restarted from old samples.
- :func:`igebm_step` / :func:`igebm_sample`: the sampler of the reference code
  (noise, then a clipped gradient step, then a clamp to the data range).
- :func:`contrastive_divergence_loss`: the loss with the energy-magnitude regulariser.
- :func:`effective_temperature`: the temperature the decoupled step and noise sample at.
- :func:`regularised_variance_fixed_point`: where the regulariser moves a
  one-dimensional Gaussian model.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

__all__ = [
    "ReplayBuffer",
    "contrastive_divergence_loss",
    "effective_temperature",
    "igebm_sample",
    "igebm_step",
    "regularised_variance_fixed_point",
]

EnergyFn = Callable[[torch.Tensor], torch.Tensor]


def _check_positive_float(value: float, name: str, *, allow_zero: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        expected = "a finite number >= 0" if allow_zero else "a finite number > 0"
        raise ValueError(f"{name} must be {expected}, got {value}")
    return value


def _check_float_tensor(x: torch.Tensor, name: str, *, min_dim: int = 1) -> None:
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    if not x.is_floating_point():
        raise TypeError(f"{name} must have a floating-point dtype, got {x.dtype}")
    if x.dim() < min_dim or x.shape[0] == 0:
        raise ValueError(f"{name} must have shape (n, ...) with n >= 1, got shape {tuple(x.shape)}")
    if not torch.isfinite(x).all():
        raise ValueError(f"{name} contains NaN or infinite values")


def _check_clamp(clamp: tuple[float, float] | None) -> tuple[float, float] | None:
    if clamp is None:
        return None
    if not isinstance(clamp, (tuple, list)) or len(clamp) != 2:
        raise TypeError(f"clamp must be a pair (lo, hi) or None, got {clamp!r}")
    lo, hi = clamp
    for value in (lo, hi):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"clamp bounds must be real numbers, got {clamp!r}")
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise ValueError(f"clamp must be finite with lo < hi, got {clamp!r}")
    return float(lo), float(hi)


def _energy_gradient(energy_fn: EnergyFn, x: torch.Tensor) -> torch.Tensor:
    """Gradient of the summed energy with respect to ``x`` only (never the parameters)."""
    with torch.enable_grad():
        x = x.detach().requires_grad_(True)
        energy = energy_fn(x)
        if not isinstance(energy, torch.Tensor) or energy.shape != (x.shape[0],):
            shape = tuple(energy.shape) if isinstance(energy, torch.Tensor) else type(energy).__name__
            raise ValueError(f"energy_fn must return a tensor of shape ({x.shape[0]},), got {shape}")
        (grad,) = torch.autograd.grad(energy.sum(), x)
    if not torch.isfinite(grad).all():
        raise ValueError("the energy gradient contains NaN or infinite values")
    return grad


def _step(
    energy_fn: EnergyFn,
    x: torch.Tensor,
    noise: torch.Tensor,
    step_size: float,
    grad_clip: float | None,
    clamp: tuple[float, float] | None,
) -> torch.Tensor:
    x = x + noise
    grad = _energy_gradient(energy_fn, x)
    if grad_clip is not None:
        grad = grad.clamp(-grad_clip, grad_clip)
    x = x - step_size * grad
    if clamp is not None:
        x = x.clamp(*clamp)
    return x.detach()


def igebm_step(
    energy_fn: EnergyFn,
    x: torch.Tensor,
    noise: torch.Tensor,
    step_size: float = 10.0,
    grad_clip: float | None = 0.01,
    clamp: tuple[float, float] | None = (0.0, 1.0),
) -> torch.Tensor:
    """One step of the IGEBM sampler with the noise given.

    In the order of the reference code: add the noise, take the gradient of the
    energy *at the noisy point*, move against its clipped value, clamp::

        x <- clamp(x + noise - step_size * clip(grad E(x + noise), +-grad_clip), lo, hi)

    Implements :eq:`energy-igebm-step` (chapter 1).

    Parameters
    ----------
    energy_fn : callable
        Maps a batch ``(n, ...)`` to energies ``(n,)``.
    x : torch.Tensor
        Current points, shape ``(n, ...)``, floating point.
    noise : torch.Tensor
        The noise to add, same shape as ``x`` (the sampler draws it as
        :math:`\\mathcal N(0, \\sigma_n^2)`).
    step_size : float
        :math:`\\lambda > 0`, in units of ``x`` per unit of energy gradient.
    grad_clip : float or None
        Each gradient coordinate is clipped to ``[-grad_clip, grad_clip]``; None disables clipping.
    clamp : (float, float) or None
        The data range the result is clamped to; None disables clamping.

    Returns
    -------
    torch.Tensor
        The new points, shape and dtype of ``x``, detached from any graph.

    Raises
    ------
    TypeError
        If ``x`` or ``noise`` is not a floating-point tensor or ``energy_fn`` is not callable.
    ValueError
        On a shape mismatch, non-finite values or an out-of-range argument.

    Examples
    --------
    >>> x = torch.tensor([[0.5], [0.9]])
    >>> igebm_step(lambda z: (z**2).sum(1), x, torch.zeros_like(x)).squeeze(1)
    tensor([0.4000, 0.8000])
    """
    if not callable(energy_fn):
        raise TypeError(f"energy_fn must be callable, got {type(energy_fn).__name__}")
    _check_float_tensor(x, "x")
    _check_float_tensor(noise, "noise")
    if noise.shape != x.shape:
        raise ValueError(f"noise must have the shape of x {tuple(x.shape)}, got {tuple(noise.shape)}")
    step_size = _check_positive_float(step_size, "step_size")
    if grad_clip is not None:
        grad_clip = _check_positive_float(grad_clip, "grad_clip")
    clamp = _check_clamp(clamp)
    return _step(energy_fn, x.detach(), noise.to(x), step_size, grad_clip, clamp)


def igebm_sample(
    energy_fn: EnergyFn,
    x0: torch.Tensor,
    n_steps: int = 60,
    step_size: float = 10.0,
    noise_std: float = 0.005,
    grad_clip: float | None = 0.01,
    clamp: tuple[float, float] | None = (0.0, 1.0),
    *,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Run the IGEBM Langevin sampler for ``n_steps`` from ``x0``.

    Each step draws :math:`\\xi \\sim \\mathcal N(0, \\sigma_n^2 I)` and applies
    :func:`igebm_step`. The defaults are those of the reference code for images
    in ``[0, 1]``: 60 steps, :math:`\\lambda = 10`, :math:`\\sigma_n = 0.005`,
    gradients clipped to :math:`\\pm 0.01`. Without clipping this is Langevin
    dynamics at the temperature :func:`effective_temperature`
    :math:`T = \\sigma_n^2 / (2\\lambda)`.

    Gradients are taken with ``torch.autograd.grad`` with respect to the
    samples only, so the parameters of a network inside ``energy_fn`` never
    accumulate ``.grad``; the result is detached.

    Implements :eq:`energy-igebm-step` (chapter 1).

    Parameters
    ----------
    energy_fn : callable
        Maps a batch ``(n, ...)`` to energies ``(n,)``.
    x0 : torch.Tensor
        Starting points, shape ``(n, ...)``, floating point; not modified.
    n_steps : int
        Number of steps, >= 0.
    step_size : float
        :math:`\\lambda > 0`.
    noise_std : float
        :math:`\\sigma_n \\ge 0`, the standard deviation of the noise added at each step.
    grad_clip : float or None
        Per-coordinate gradient clip; None disables it.
    clamp : (float, float) or None
        Data range; None disables it.
    generator : torch.Generator, optional
        Source of the noise (on the device of ``x0``).

    Returns
    -------
    torch.Tensor
        Samples, the shape, dtype and device of ``x0``, detached.

    Raises
    ------
    TypeError
        If ``x0`` is not a floating-point tensor or an argument has the wrong type.
    ValueError
        On non-finite values, a wrong energy shape or an out-of-range argument.

    Examples
    --------
    The chains slide to the minimum of :math:`E(x) = 0.01\\|x\\|^2`, a corner of the box:

    >>> g = torch.Generator().manual_seed(0)
    >>> x = igebm_sample(lambda z: 0.01 * (z**2).sum(1), torch.rand(4, 2, generator=g), generator=g)
    >>> x.shape, bool(x.max() < 0.05)
    (torch.Size([4, 2]), True)
    """
    if not callable(energy_fn):
        raise TypeError(f"energy_fn must be callable, got {type(energy_fn).__name__}")
    _check_float_tensor(x0, "x0")
    if isinstance(n_steps, bool) or not isinstance(n_steps, int):
        raise TypeError(f"n_steps must be an int, got {type(n_steps).__name__}")
    if n_steps < 0:
        raise ValueError(f"n_steps must be >= 0, got {n_steps}")
    step_size = _check_positive_float(step_size, "step_size")
    noise_std = _check_positive_float(noise_std, "noise_std", allow_zero=True)
    if grad_clip is not None:
        grad_clip = _check_positive_float(grad_clip, "grad_clip")
    clamp = _check_clamp(clamp)
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator or None, got {type(generator).__name__}")
    x = x0.detach()
    for _ in range(n_steps):
        noise = noise_std * torch.randn(x.shape, generator=generator, dtype=x.dtype, device=x.device)
        x = _step(energy_fn, x, noise, step_size, grad_clip, clamp)
    return x.clone() if n_steps == 0 else x


def contrastive_divergence_loss(
    e_pos: torch.Tensor, e_neg: torch.Tensor, alpha: float = 1.0
) -> torch.Tensor:
    """The IGEBM training loss: contrastive divergence plus the energy-magnitude regulariser.

    .. math::
        \\mathcal L = \\overline{E(x^+)} - \\overline{E(x^-)}
        + \\alpha\\big(\\overline{E(x^+)^2} + \\overline{E(x^-)^2}\\big),

    where the bars are batch means, :math:`x^+` are data and :math:`x^-` are
    samples of the model. Its gradient with respect to the parameters is the
    maximum-likelihood gradient :eq:`energy-ml-gradient` estimated with the
    samples, plus the regulariser's. Pass ``e_neg`` computed on *detached*
    samples (as :func:`igebm_sample` returns them).

    Implements :eq:`energy-cd-loss` (chapter 1).

    Parameters
    ----------
    e_pos : torch.Tensor
        Energies of the data batch, shape ``(n,)``.
    e_neg : torch.Tensor
        Energies of the model samples, shape ``(m,)`` (``m`` may differ from ``n``).
    alpha : float
        Weight of the regulariser, >= 0 (the reference code uses 1).

    Returns
    -------
    torch.Tensor
        The scalar loss (differentiable through the energies).

    Raises
    ------
    TypeError
        If an energy is not a floating-point tensor or ``alpha`` is not a number.
    ValueError
        If an energy is not one-dimensional and non-empty, holds NaN/inf, or ``alpha < 0``.

    Examples
    --------
    >>> contrastive_divergence_loss(torch.tensor([-1.0, -1.0]), torch.tensor([1.0, 3.0]), alpha=0.5)
    tensor(0.)
    """
    for energy, name in ((e_pos, "e_pos"), (e_neg, "e_neg")):
        _check_float_tensor(energy, name)
        if energy.dim() != 1:
            raise ValueError(f"{name} must be one-dimensional (one energy per sample), got shape "
                             f"{tuple(energy.shape)}")
    alpha = _check_positive_float(alpha, "alpha", allow_zero=True)
    contrastive = e_pos.mean() - e_neg.mean()
    return contrastive + alpha * (e_pos.pow(2).mean() + e_neg.pow(2).mean())


def effective_temperature(noise_std: float, step_size: float) -> float:
    """The temperature at which the IGEBM update samples: :math:`T = \\sigma_n^2 / (2\\lambda)`.

    Without clipping, :math:`x' = x - \\lambda\\nabla E(x) + \\sigma_n\\xi` is the
    unadjusted Langevin step :math:`x' = x + \\tfrac{\\eta}{2}\\nabla\\log p_T(x)
    + \\sqrt{\\eta}\\,\\xi` for the tempered density :math:`p_T \\propto e^{-E/T}`
    with :math:`\\eta = \\sigma_n^2`.

    Implements :eq:`energy-temperature` (chapter 1).

    Parameters
    ----------
    noise_std : float
        :math:`\\sigma_n \\ge 0`.
    step_size : float
        :math:`\\lambda > 0`.

    Returns
    -------
    float
        :math:`T \\ge 0` (dimensionless when :math:`E` is in nats).

    Raises
    ------
    TypeError
        If an argument is not a real number.
    ValueError
        If ``noise_std < 0``, ``step_size <= 0`` or either is not finite.

    Examples
    --------
    >>> effective_temperature(0.005, 10.0)
    1.25e-06
    >>> round(effective_temperature(2.0**0.5, 1.0), 12)
    1.0
    """
    noise_std = _check_positive_float(noise_std, "noise_std", allow_zero=True)
    step_size = _check_positive_float(step_size, "step_size")
    return noise_std**2 / (2.0 * step_size)


def regularised_variance_fixed_point(
    data_variance: float, alpha: float, temperature: float = 1.0, *, free_offset: bool = False
) -> float:
    """Model variance where the regularised CD gradient vanishes, for a 1-D Gaussian energy.

    The model is :math:`E_\\theta(x) = x^2/(2\\theta)` sampled exactly at
    temperature :math:`T` (so its variance is :math:`u = T\\theta`), the data
    are :math:`\\mathcal N(0, v)`, and :math:`\\varepsilon = \\alpha T`. The expected
    gradient of :func:`contrastive_divergence_loss` vanishes where
    :math:`(1 - 3\\varepsilon)u^2 - v u - 3\\varepsilon v^2 = 0`, i.e.

    .. math::
        u^\\star = v\\,\\frac{1 + \\sqrt{1 + 12\\varepsilon (1 - 3\\varepsilon)}}{2(1 - 3\\varepsilon)}
        \\quad (\\varepsilon < 1/3),

    and there is no fixed point (the variance grows without bound) when
    :math:`\\varepsilon \\ge 1/3`, returned as ``math.inf``. With a trainable
    offset, :math:`E_{\\theta,c}(x) = x^2/(2\\theta) + c` (``free_offset=True``), the
    regulariser first centres the energies and the condition becomes
    :math:`(2 - 5\\varepsilon)u^2 - (2 - 2\\varepsilon)v u - 5\\varepsilon v^2 = 0`, with
    no fixed point for :math:`\\varepsilon \\ge 2/5`. With :math:`\\alpha = 0` both
    return :math:`v`: maximum likelihood without bias.

    Implements :eq:`energy-reg-fixed-point` (chapter 1).

    Parameters
    ----------
    data_variance : float
        :math:`v > 0`.
    alpha : float
        Regulariser weight, >= 0.
    temperature : float
        Sampling temperature :math:`T > 0` (1 for exact samples of :math:`e^{-E}`).
    free_offset : bool
        Whether the energy has a trainable additive constant.

    Returns
    -------
    float
        :math:`u^\\star`, the model variance at the fixed point, or ``inf``.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If an argument is out of range or not finite.

    Examples
    --------
    >>> round(regularised_variance_fixed_point(1.0, alpha=0.1), 4)
    1.6832
    >>> round(regularised_variance_fixed_point(1.0, alpha=0.1, free_offset=True), 4)
    1.4327
    >>> regularised_variance_fixed_point(1.0, alpha=1.0)
    inf
    """
    v = _check_positive_float(data_variance, "data_variance")
    alpha = _check_positive_float(alpha, "alpha", allow_zero=True)
    temperature = _check_positive_float(temperature, "temperature")
    if not isinstance(free_offset, bool):
        raise TypeError(f"free_offset must be a bool, got {type(free_offset).__name__}")
    eps = alpha * temperature
    if free_offset:
        if eps >= 0.4:
            return math.inf
        b = 2.0 - 2.0 * eps
        return v * (b + math.sqrt(b * b + 20.0 * eps * (2.0 - 5.0 * eps))) / (2.0 * (2.0 - 5.0 * eps))
    if 3.0 * eps >= 1.0:
        return math.inf
    return v * (1.0 + math.sqrt(1.0 + 12.0 * eps * (1.0 - 3.0 * eps))) / (2.0 * (1.0 - 3.0 * eps))


InitFn = Callable[[int, "torch.Generator | None"], torch.Tensor]


class ReplayBuffer:
    """A ring buffer of past sampler outputs that restarts most chains where they stopped.

    ``sample(n)`` returns ``n`` starting points: each is, with probability
    ``reinit_prob``, fresh from ``init_fn`` (noise), otherwise a uniformly chosen
    stored sample (with replacement). While the buffer is empty every point is
    fresh. ``push(x)`` stores the finished chains, overwriting the oldest
    entries first once ``capacity`` is reached. This is how IGEBM makes short
    chains act like long, persistent ones (95 % restarts, capacity 10 000 in the
    book's recipe).

    Defined in chapter 1, section "Contrastive divergence, persistent chains and the replay buffer".

    Parameters
    ----------
    capacity : int
        Maximum number of stored samples, >= 1.
    init_fn : callable
        ``init_fn(n, generator)`` returns ``n`` fresh starting points, a tensor
        ``(n, *shape)`` (for IGEBM: uniform noise on the data range).
    reinit_prob : float
        Probability in ``[0, 1]`` that a returned point is fresh rather than from the buffer.

    Raises
    ------
    TypeError
        If ``capacity`` is not an int or ``init_fn`` is not callable.
    ValueError
        If ``capacity < 1`` or ``reinit_prob`` is outside ``[0, 1]``.

    Examples
    --------
    >>> buf = ReplayBuffer(3, lambda n, g: torch.zeros(n, 2), reinit_prob=0.0)
    >>> buf.push(torch.arange(8.0).reshape(4, 2))
    >>> len(buf), buf.contents()[:, 0].tolist()
    (3, [2.0, 4.0, 6.0])
    >>> x, idx = buf.sample(2, generator=torch.Generator().manual_seed(0))
    >>> x.shape, bool((idx >= 0).all())
    (torch.Size([2, 2]), True)
    """

    def __init__(self, capacity: int, init_fn: InitFn, reinit_prob: float = 0.05) -> None:
        if isinstance(capacity, bool) or not isinstance(capacity, int):
            raise TypeError(f"capacity must be an int, got {type(capacity).__name__}")
        if capacity < 1:
            raise ValueError(f"capacity must be >= 1, got {capacity}")
        if not callable(init_fn):
            raise TypeError(f"init_fn must be callable as init_fn(n, generator), "
                            f"got {type(init_fn).__name__}")
        if isinstance(reinit_prob, bool) or not isinstance(reinit_prob, (int, float)):
            raise TypeError(f"reinit_prob must be a real number, got {type(reinit_prob).__name__}")
        if not 0.0 <= float(reinit_prob) <= 1.0:
            raise ValueError(f"reinit_prob must lie in [0, 1], got {reinit_prob}")
        self.capacity = capacity
        self.init_fn = init_fn
        self.reinit_prob = float(reinit_prob)
        self._shape: tuple[int, ...] | None = None
        self._storage: torch.Tensor | None = None
        self._next = 0
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def __repr__(self) -> str:
        return (f"ReplayBuffer(capacity={self.capacity}, size={self._size}, shape={self._shape}, "
                f"reinit_prob={self.reinit_prob})")

    def _check_shape(self, x: torch.Tensor, what: str) -> None:
        if self._shape is None:
            self._shape = tuple(x.shape[1:])
        elif tuple(x.shape[1:]) != self._shape:
            raise ValueError(f"{what} must have shape (n, {', '.join(map(str, self._shape))}) like the "
                             f"buffer's samples, got {tuple(x.shape)}")

    def _fresh(self, n: int, generator: torch.Generator | None) -> torch.Tensor:
        x = self.init_fn(n, generator)
        if not isinstance(x, torch.Tensor) or not x.is_floating_point():
            raise TypeError(f"init_fn must return a floating-point tensor, got {type(x).__name__}")
        if x.dim() < 1 or x.shape[0] != n:
            raise ValueError(f"init_fn({n}, generator) must return {n} samples, got shape {tuple(x.shape)}")
        self._check_shape(x, "init_fn's output")
        return x

    def push(self, x: torch.Tensor) -> None:
        """Store the samples ``x`` (shape ``(n, *shape)``), overwriting the oldest first.

        The samples are copied (detached); if ``n > capacity`` only the last
        ``capacity`` are kept. The first call fixes the sample shape, dtype and device.
        """
        _check_float_tensor(x, "x")
        self._check_shape(x, "x")
        x = x.detach()
        if self._storage is None:
            self._storage = torch.empty((self.capacity, *self._shape), dtype=x.dtype, device=x.device)
        x = x[-self.capacity:].to(self._storage)
        n = x.shape[0]
        positions = (self._next + torch.arange(n, device=self._storage.device)) % self.capacity
        self._storage[positions] = x
        self._next = (self._next + n) % self.capacity
        self._size = min(self._size + n, self.capacity)

    def sample(self, n: int, generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """Draw ``n`` starting points.

        Returns
        -------
        x : torch.Tensor
            ``(n, *shape)`` starting points (a new tensor; the buffer is unchanged).
        index : torch.Tensor
            ``(n,)`` int64: the storage slot each point was copied from, or ``-1``
            for a point fresh from ``init_fn``.
        """
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError(f"n must be an int, got {type(n).__name__}")
        if n < 1:
            raise ValueError(f"n must be >= 1, got {n}")
        if generator is not None and not isinstance(generator, torch.Generator):
            raise TypeError(f"generator must be a torch.Generator or None, got {type(generator).__name__}")
        draw_device = generator.device if generator is not None else torch.device("cpu")
        if self._size == 0:
            fresh = torch.ones(n, dtype=torch.bool, device=draw_device)
            index = torch.full((n,), -1, dtype=torch.long, device=draw_device)
        else:
            fresh = torch.rand(n, generator=generator, device=draw_device) < self.reinit_prob
            index = torch.randint(self._size, (n,), generator=generator, device=draw_device)
            index[fresh] = -1
        n_fresh = int(fresh.sum())
        new = self._fresh(n_fresh, generator) if n_fresh > 0 else None
        if self._storage is None:
            return new, index.cpu()
        x = self._storage[index.clamp(min=0).to(self._storage.device)]
        if new is not None:
            x[fresh.to(x.device)] = new.to(x)
        return x, index.cpu()

    def contents(self) -> torch.Tensor:
        """The stored samples, oldest first, shape ``(len(self), *shape)`` (a copy)."""
        if self._storage is None:
            raise ValueError("the buffer is empty: push samples before reading its contents")
        if self._size < self.capacity:
            return self._storage[: self._size].clone()
        return torch.roll(self._storage, -self._next, dims=0).clone()
