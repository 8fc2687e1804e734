"""Two-dimensional toy distributions: the ground truth later chapters test against.

A :class:`GaussianMixture` has an exact log-density, an exact score (gradient of
the log-density) and an exact noisy version (the mixture convolved with
:math:`\\mathcal N(0, \\sigma^2 I)`), so a sampler or a score model can be
checked against the truth. The other toys (two moons, swiss roll,
checkerboard, rings) are sample-only.

Used from chapter 1 (energy-based models) onwards; the two-mode mixture is the
NCSN test case of chapters 2 and 3.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch

__all__ = [
    "GaussianMixture",
    "two_mode_mixture",
    "eight_gaussians_mixture",
    "two_moons",
    "swiss_roll",
    "checkerboard",
    "rings",
    "toy",
    "TOY_NAMES",
]

_WEIGHT_TOLERANCE = 1e-6


def _as_float64(name: str, value: object) -> torch.Tensor:
    """Convert a tensor or array-like to a float64 CPU tensor, with a clear error."""
    if isinstance(value, torch.Tensor):
        if value.dtype == torch.bool or value.is_complex():
            raise TypeError(f"{name} must be a real-valued tensor, got dtype {value.dtype}")
        return value.detach().to(device="cpu", dtype=torch.float64)
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"{name} must be a tensor or an array-like of numbers, got {type(value).__name__}"
        ) from exc
    return torch.from_numpy(array.copy())


def _check_count(n: object, name: str = "n") -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(n).__name__}")
    if n < 1:
        raise ValueError(f"{name} must be at least 1, got {n}")
    return int(n)


def _check_nonnegative(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value}")
    return value


def _check_positive(value: object, name: str) -> float:
    value = _check_nonnegative(value, name)
    if value == 0:
        raise ValueError(f"{name} must be > 0, got 0")
    return value


def _check_generator(generator: object) -> torch.Generator | None:
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator or None, got {type(generator).__name__}")
    return generator


def _sampling_device(generator: torch.Generator | None) -> torch.device:
    return generator.device if generator is not None else torch.device("cpu")


def _finish(x: torch.Tensor, device: torch.device | str | None, dtype: torch.dtype) -> torch.Tensor:
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise TypeError(f"dtype must be a floating torch.dtype, got {dtype!r}")
    return x.to(device=device if device is not None else x.device, dtype=dtype)


class GaussianMixture:
    r"""A Gaussian mixture :math:`p(x) = \sum_k w_k\,\mathcal N(x; m_k, S_k)` with exact density and score.

    The parameters are stored as float64 CPU tensors; :meth:`log_prob` and
    :meth:`score` compute in the dtype and on the device of their input.

    Parameters
    ----------
    weights : torch.Tensor or numpy.ndarray
        Shape (K,).
        Mixture weights: positive, summing to 1 (within 1e-6).
    means : torch.Tensor or numpy.ndarray
        Shape (K, d).
        Component means.
    covariances : torch.Tensor or numpy.ndarray
        Shape (K, d, d).
        Component covariance matrices: symmetric positive definite.

    Raises
    ------
    TypeError
        If a parameter is not numeric.
    ValueError
        If shapes disagree, a weight is not positive, the weights do not sum
        to 1, a value is not finite, or a covariance is not symmetric
        positive definite.

    Examples
    --------
    >>> mixture = GaussianMixture([0.5, 0.5], [[-1.0, 0.0], [1.0, 0.0]], [torch.eye(2), torch.eye(2)])
    >>> mixture.dim, mixture.n_components
    (2, 2)
    >>> mixture.score(torch.zeros(1, 2))
    tensor([[0., 0.]])
    """

    def __init__(self, weights: object, means: object, covariances: object) -> None:
        weights = _as_float64("weights", weights)
        means = _as_float64("means", means)
        covariances = _as_float64("covariances", covariances)
        if weights.ndim != 1 or weights.shape[0] == 0:
            raise ValueError(f"weights must have shape (K,) with K >= 1, got {tuple(weights.shape)}")
        n_components = weights.shape[0]
        if means.ndim != 2 or means.shape[0] != n_components or means.shape[1] == 0:
            raise ValueError(
                f"means must have shape (K, d) = ({n_components}, d) with d >= 1, got {tuple(means.shape)}"
            )
        dim = means.shape[1]
        if covariances.shape != (n_components, dim, dim):
            raise ValueError(
                f"covariances must have shape (K, d, d) = ({n_components}, {dim}, {dim}), "
                f"got {tuple(covariances.shape)}"
            )
        for name, value in (("weights", weights), ("means", means), ("covariances", covariances)):
            if not torch.isfinite(value).all():
                raise ValueError(f"{name} must be finite, got NaN or infinity")
        if (weights <= 0).any():
            raise ValueError(f"every weight must be > 0, got {weights.tolist()}")
        if abs(float(weights.sum()) - 1.0) > _WEIGHT_TOLERANCE:
            raise ValueError(f"weights must sum to 1, got sum {float(weights.sum()):.8g}")
        if not torch.allclose(covariances, covariances.transpose(-1, -2), rtol=1e-10, atol=1e-12):
            raise ValueError("every covariance matrix must be symmetric")
        cholesky, info = torch.linalg.cholesky_ex(covariances)
        if (info != 0).any():
            bad = torch.nonzero(info).flatten().tolist()
            raise ValueError(f"every covariance matrix must be positive definite; components {bad} are not")
        self._weights = weights / weights.sum()
        self._means = means
        self._covariances = covariances
        self._precisions = torch.cholesky_inverse(cholesky)
        self._log_normalisers = (
            torch.log(self._weights)
            - 0.5 * dim * math.log(2 * math.pi)
            - torch.log(torch.diagonal(cholesky, dim1=-2, dim2=-1)).sum(-1)
        )
        self._cholesky = cholesky

    @property
    def dim(self) -> int:
        """Dimension d of the sample space."""
        return int(self._means.shape[1])

    @property
    def n_components(self) -> int:
        """Number K of mixture components."""
        return int(self._weights.shape[0])

    @property
    def weights(self) -> torch.Tensor:
        """Mixture weights, float64 tensor of shape (K,)."""
        return self._weights.clone()

    @property
    def means(self) -> torch.Tensor:
        """Component means, float64 tensor of shape (K, d)."""
        return self._means.clone()

    @property
    def covariances(self) -> torch.Tensor:
        """Component covariances, float64 tensor of shape (K, d, d)."""
        return self._covariances.clone()

    @property
    def mean(self) -> torch.Tensor:
        r"""Mean of the mixture, :math:`\sum_k w_k m_k`, float64 tensor of shape (d,)."""
        return self._weights @ self._means

    @property
    def covariance(self) -> torch.Tensor:
        r"""Covariance of the mixture, :math:`\sum_k w_k (S_k + m_k m_k^\top) - \mu\mu^\top`, shape (d, d)."""
        second_moment = torch.einsum("k,kij->ij", self._weights, self._covariances) + torch.einsum(
            "k,ki,kj->ij", self._weights, self._means, self._means
        )
        mean = self.mean
        return second_moment - torch.outer(mean, mean)

    def __repr__(self) -> str:
        return f"GaussianMixture(n_components={self.n_components}, dim={self.dim})"

    def _check_points(self, x: object) -> torch.Tensor:
        if not isinstance(x, torch.Tensor):
            raise TypeError(f"x must be a torch.Tensor of shape (n, {self.dim}), got {type(x).__name__}")
        if not x.is_floating_point():
            raise TypeError(f"x must be a floating-point tensor, got dtype {x.dtype}")
        if x.ndim < 1 or x.shape[-1] != self.dim:
            raise ValueError(f"x must have shape (..., {self.dim}), got {tuple(x.shape)}")
        if x.numel() == 0:
            raise ValueError(f"x must contain at least one point, got shape {tuple(x.shape)}")
        if not torch.isfinite(x).all():
            raise ValueError("x must be finite, got NaN or infinity")
        return x

    def _component_terms(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Return log(w_k N(x; m_k, S_k)) of shape (..., K) and x - m_k of shape (..., K, d)."""
        means = self._means.to(device=x.device, dtype=x.dtype)
        precisions = self._precisions.to(device=x.device, dtype=x.dtype)
        log_normalisers = self._log_normalisers.to(device=x.device, dtype=x.dtype)
        diff = x.unsqueeze(-2) - means
        quadratic = torch.einsum("...ki,kij,...kj->...k", diff, precisions, diff)
        return log_normalisers - 0.5 * quadratic, diff

    def log_prob(self, x: torch.Tensor) -> torch.Tensor:
        r"""Exact log-density :math:`\log p(x) = \log\sum_k w_k\,\mathcal N(x; m_k, S_k)`.

        Parameters
        ----------
        x : torch.Tensor
            Shape (n, d) or (..., d).
            Points, floating point; the result has x's dtype and device.

        Returns
        -------
        torch.Tensor
            Shape (n,) or (...).
            The log-density in nats, computed with a log-sum-exp (no underflow far from the modes).

        Raises
        ------
        TypeError
            If x is not a floating-point tensor.
        ValueError
            If x has the wrong last dimension, is empty or is not finite.

        Examples
        --------
        >>> standard = GaussianMixture([1.0], [[0.0]], [[[1.0]]])
        >>> round(float(standard.log_prob(torch.zeros(1, 1))[0]), 6)  # -log(2 pi) / 2
        -0.918939
        """
        x = self._check_points(x)
        log_terms, _ = self._component_terms(x)
        return torch.logsumexp(log_terms, dim=-1)

    def score(self, x: torch.Tensor) -> torch.Tensor:
        r"""Exact score :math:`\nabla_x \log p(x) = -\sum_k r_k(x)\, S_k^{-1}(x - m_k)`.

        :math:`r_k(x)` is the posterior probability of component k (a softmax
        of the log terms), so the formula is exact and stable far from the modes.

        Parameters
        ----------
        x : torch.Tensor
            Shape (n, d) or (..., d).
            Points, floating point; the result has x's dtype and device.

        Returns
        -------
        torch.Tensor
            Same shape as x.
            The gradient of the log-density.

        Raises
        ------
        TypeError
            If x is not a floating-point tensor.
        ValueError
            If x has the wrong last dimension, is empty or is not finite.

        Examples
        --------
        >>> standard = GaussianMixture([1.0], [[0.0, 0.0]], [torch.eye(2)])
        >>> standard.score(torch.tensor([[1.0, -2.0]]))  # -x for a standard normal
        tensor([[-1.,  2.]])
        """
        x = self._check_points(x)
        log_terms, diff = self._component_terms(x)
        responsibilities = torch.softmax(log_terms, dim=-1)
        precisions = self._precisions.to(device=x.device, dtype=x.dtype)
        component_scores = -torch.einsum("kij,...kj->...ki", precisions, diff)
        return torch.einsum("...k,...ki->...i", responsibilities, component_scores)

    def perturbed(self, sigma: float) -> GaussianMixture:
        r"""The mixture convolved with :math:`\mathcal N(0, \sigma^2 I)`: covariances :math:`S_k+\sigma^2 I`.

        This is the exact density of :math:`x + \sigma\varepsilon`, so its
        :meth:`score` is the target a noise-conditional score model learns.

        Parameters
        ----------
        sigma : float
            Noise standard deviation, >= 0 (0 returns an equal mixture).

        Returns
        -------
        GaussianMixture
            Same weights and means, covariances increased by sigma² I.

        Raises
        ------
        TypeError
            If sigma is not a real number.
        ValueError
            If sigma is negative or not finite.

        Examples
        --------
        >>> standard = GaussianMixture([1.0], [[0.0, 0.0]], [torch.eye(2)])
        >>> standard.perturbed(2.0).covariances[0]
        tensor([[5., 0.],
                [0., 5.]], dtype=torch.float64)
        """
        sigma = _check_nonnegative(sigma, "sigma")
        identity = torch.eye(self.dim, dtype=torch.float64)
        return GaussianMixture(self._weights, self._means, self._covariances + sigma**2 * identity)

    def sample_with_labels(
        self,
        n: int,
        *,
        generator: torch.Generator | None = None,
        device: torch.device | str | None = None,
        dtype: torch.dtype = torch.float32,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Draw n points and the index of the component each came from.

        Parameters
        ----------
        n : int
            Number of samples, >= 1.
        generator : torch.Generator, optional
            Source of randomness (the global generator if None). Sampling runs
            on the generator's device in float64, then moves to ``device``.
        device : torch.device or str, optional
            Device of the result (default: the generator's device, else the CPU).
        dtype : torch.dtype
            Floating dtype of the points (default float32).

        Returns
        -------
        x : torch.Tensor
            Shape (n, d).
        component : torch.Tensor
            Shape (n,), int64 in [0, K).

        Raises
        ------
        TypeError
            If n is not an int, generator is not a torch.Generator or dtype is not floating.
        ValueError
            If n < 1.

        Examples
        --------
        >>> x, c = two_mode_mixture().sample_with_labels(5, generator=torch.Generator().manual_seed(0))
        >>> x.shape, c.dtype
        (torch.Size([5, 2]), torch.int64)
        """
        n = _check_count(n)
        generator = _check_generator(generator)
        where = _sampling_device(generator)
        component = torch.multinomial(
            self._weights.to(where), n, replacement=True, generator=generator
        )
        noise = torch.randn(n, self.dim, generator=generator, device=where, dtype=torch.float64)
        cholesky = self._cholesky.to(where)[component]
        x = self._means.to(where)[component] + torch.einsum("nij,nj->ni", cholesky, noise)
        x = _finish(x, device, dtype)
        return x, component.to(x.device)

    def sample(
        self,
        n: int,
        *,
        generator: torch.Generator | None = None,
        device: torch.device | str | None = None,
        dtype: torch.dtype = torch.float32,
    ) -> torch.Tensor:
        """Draw n points, shape (n, d); the arguments are those of :meth:`sample_with_labels`.

        Examples
        --------
        >>> eight_gaussians_mixture().sample(3, generator=torch.Generator().manual_seed(0)).shape
        torch.Size([3, 2])
        """
        return self.sample_with_labels(n, generator=generator, device=device, dtype=dtype)[0]


def two_mode_mixture() -> GaussianMixture:
    r"""The NCSN test case :math:`0.8\,\mathcal N((5,5), I) + 0.2\,\mathcal N((-5,-5), I)`.

    Plain Langevin dynamics started from uniform noise recovers a mode weight
    near 0.5; annealed Langevin recovers 0.8 (chapters 2 and 3).

    Examples
    --------
    >>> two_mode_mixture().weights
    tensor([0.8000, 0.2000], dtype=torch.float64)
    """
    identity = torch.eye(2, dtype=torch.float64)
    return GaussianMixture(
        torch.tensor([0.8, 0.2], dtype=torch.float64),
        torch.tensor([[5.0, 5.0], [-5.0, -5.0]], dtype=torch.float64),
        torch.stack([identity, identity]),
    )


def eight_gaussians_mixture(radius: float = 2.0, std: float = 0.1) -> GaussianMixture:
    r"""Eight equal-weight Gaussians :math:`\mathcal N(r(\cos\tfrac{\pi k}{4}, \sin\tfrac{\pi k}{4}), s^2 I)`.

    Parameters
    ----------
    radius : float
        Distance r of every mean from the origin, > 0.
    std : float
        Standard deviation s of each component, > 0.

    Returns
    -------
    GaussianMixture
        Eight components in two dimensions.

    Raises
    ------
    TypeError
        If an argument is not a real number.
    ValueError
        If an argument is not finite and positive.

    Examples
    --------
    >>> eight_gaussians_mixture().means[:2]
    tensor([[2.0000, 0.0000],
            [1.4142, 1.4142]], dtype=torch.float64)
    """
    radius = _check_positive(radius, "radius")
    std = _check_positive(std, "std")
    angles = 2 * math.pi * torch.arange(8, dtype=torch.float64) / 8
    means = radius * torch.stack([torch.cos(angles), torch.sin(angles)], dim=1)
    covariances = (std**2) * torch.eye(2, dtype=torch.float64).expand(8, 2, 2)
    return GaussianMixture(torch.full((8,), 1 / 8, dtype=torch.float64), means, covariances)


def two_moons(
    n: int,
    noise: float = 0.05,
    generator: torch.Generator | None = None,
    *,
    device: torch.device | str | None = None,
) -> torch.Tensor:
    r"""Two interleaved half circles (scikit-learn's ``make_moons`` layout, scaled by 2 and centred).

    An angle :math:`t \sim U(0, \pi)` gives a point :math:`(\cos t, \sin t)` on the
    upper moon or :math:`(1 - \cos t, \tfrac12 - \sin t)` on the lower one (each
    with probability 1/2); the point is mapped by :math:`2x + (-1, -0.25)` so both
    moons fit in :math:`[-3, 3]^2`, then Gaussian noise of standard deviation
    ``noise`` is added.

    Parameters
    ----------
    n : int
        Number of points, >= 1.
    noise : float
        Standard deviation of the added Gaussian noise, >= 0.
    generator : torch.Generator, optional
        Source of randomness (the global generator if None).
    device : torch.device or str, optional
        Device of the result (default: the generator's device, else the CPU).

    Returns
    -------
    torch.Tensor
        Shape (n, 2), float32.

    Raises
    ------
    TypeError
        If n is not an int, noise not a number, or generator not a torch.Generator.
    ValueError
        If n < 1 or noise is negative or not finite.

    Examples
    --------
    >>> two_moons(4, generator=torch.Generator().manual_seed(0)).shape
    torch.Size([4, 2])
    """
    n = _check_count(n)
    noise = _check_nonnegative(noise, "noise")
    generator = _check_generator(generator)
    where = _sampling_device(generator)
    t = math.pi * torch.rand(n, generator=generator, device=where, dtype=torch.float64)
    lower = torch.rand(n, generator=generator, device=where, dtype=torch.float64) < 0.5
    upper_moon = torch.stack([torch.cos(t), torch.sin(t)], dim=1)
    lower_moon = torch.stack([1 - torch.cos(t), 0.5 - torch.sin(t)], dim=1)
    x = torch.where(lower.unsqueeze(1), lower_moon, upper_moon)
    x = 2 * x + torch.tensor([-1.0, -0.25], dtype=torch.float64, device=where)
    x = x + noise * torch.randn(n, 2, generator=generator, device=where, dtype=torch.float64)
    return _finish(x, device, torch.float32)


def swiss_roll(
    n: int,
    noise: float = 0.05,
    generator: torch.Generator | None = None,
    *,
    device: torch.device | str | None = None,
) -> torch.Tensor:
    r"""A 2-D swiss roll: the spiral :math:`t(\cos t, \sin t)/5` with :math:`t \sim U(1.5\pi, 4.5\pi)`.

    This is scikit-learn's ``make_swiss_roll`` seen from above, scaled by 1/5 so
    it fits in :math:`[-3, 3]^2`; Gaussian noise of standard deviation ``noise``
    is added afterwards.

    Parameters
    ----------
    n : int
        Number of points, >= 1.
    noise : float
        Standard deviation of the added Gaussian noise, >= 0.
    generator : torch.Generator, optional
        Source of randomness (the global generator if None).
    device : torch.device or str, optional
        Device of the result (default: the generator's device, else the CPU).

    Returns
    -------
    torch.Tensor
        Shape (n, 2), float32.

    Raises
    ------
    TypeError
        If n is not an int, noise not a number, or generator not a torch.Generator.
    ValueError
        If n < 1 or noise is negative or not finite.

    Examples
    --------
    >>> bool(swiss_roll(100, noise=0.0, generator=torch.Generator().manual_seed(0)).norm(dim=1).max() <= 2.83)
    True
    """
    n = _check_count(n)
    noise = _check_nonnegative(noise, "noise")
    generator = _check_generator(generator)
    where = _sampling_device(generator)
    t = 1.5 * math.pi * (1 + 2 * torch.rand(n, generator=generator, device=where, dtype=torch.float64))
    x = torch.stack([t * torch.cos(t), t * torch.sin(t)], dim=1) / 5
    x = x + noise * torch.randn(n, 2, generator=generator, device=where, dtype=torch.float64)
    return _finish(x, device, torch.float32)


def checkerboard(
    n: int,
    squares: int = 4,
    half_width: float = 4.0,
    generator: torch.Generator | None = None,
    *,
    device: torch.device | str | None = None,
) -> torch.Tensor:
    r"""Uniform samples on the dark squares of a checkerboard covering :math:`[-a, a]^2`.

    The board has ``squares`` × ``squares`` cells of side :math:`2a/\text{squares}`;
    cell (i, j) (column i, row j, counted from the lower left) is dark when i + j
    is even. A dark cell is chosen uniformly, then a point uniformly inside it.

    Parameters
    ----------
    n : int
        Number of points, >= 1.
    squares : int
        Cells per side, >= 2.
    half_width : float
        Half the side a of the board, > 0.
    generator : torch.Generator, optional
        Source of randomness (the global generator if None).
    device : torch.device or str, optional
        Device of the result (default: the generator's device, else the CPU).

    Returns
    -------
    torch.Tensor
        Shape (n, 2), float32.

    Raises
    ------
    TypeError
        If n or squares is not an int, half_width not a number, or generator not a torch.Generator.
    ValueError
        If n < 1, squares < 2 or half_width is not positive and finite.

    Examples
    --------
    >>> x = checkerboard(1000, generator=torch.Generator().manual_seed(0))
    >>> bool((x.abs() <= 4).all()), bool(((x + 4) // 2).sum(dim=1).remainder(2).eq(0).all())
    (True, True)
    """
    n = _check_count(n)
    squares = _check_count(squares, "squares")
    if squares < 2:
        raise ValueError(f"squares must be at least 2, got {squares}")
    half_width = _check_positive(half_width, "half_width")
    generator = _check_generator(generator)
    where = _sampling_device(generator)
    cells = torch.tensor(
        [(i, j) for i in range(squares) for j in range(squares) if (i + j) % 2 == 0],
        dtype=torch.float64,
        device=where,
    )
    choice = torch.randint(len(cells), (n,), generator=generator, device=where)
    offset = torch.rand(n, 2, generator=generator, device=where, dtype=torch.float64)
    side = 2 * half_width / squares
    x = -half_width + side * (cells[choice] + offset)
    return _finish(x, device, torch.float32)


def rings(
    n: int,
    n_rings: int = 4,
    max_radius: float = 3.0,
    noise: float = 0.05,
    generator: torch.Generator | None = None,
    *,
    device: torch.device | str | None = None,
) -> torch.Tensor:
    r"""Concentric circles of radii :math:`r_j = j\,R/J`, j = 1..J, with Gaussian noise.

    Ring j is chosen with probability proportional to its radius (so the density
    along the circles is uniform), then an angle uniformly.

    Parameters
    ----------
    n : int
        Number of points, >= 1.
    n_rings : int
        Number J of circles, >= 1.
    max_radius : float
        Radius R of the outer circle, > 0.
    noise : float
        Standard deviation of the added Gaussian noise, >= 0.
    generator : torch.Generator, optional
        Source of randomness (the global generator if None).
    device : torch.device or str, optional
        Device of the result (default: the generator's device, else the CPU).

    Returns
    -------
    torch.Tensor
        Shape (n, 2), float32.

    Raises
    ------
    TypeError
        If n or n_rings is not an int, a scale not a number, or generator not a torch.Generator.
    ValueError
        If n < 1, n_rings < 1, max_radius is not positive or noise is negative.

    Examples
    --------
    >>> radii = rings(500, noise=0.0, generator=torch.Generator().manual_seed(0)).norm(dim=1)
    >>> sorted({round(float(r), 2) for r in radii})
    [0.75, 1.5, 2.25, 3.0]
    """
    n = _check_count(n)
    n_rings = _check_count(n_rings, "n_rings")
    max_radius = _check_positive(max_radius, "max_radius")
    noise = _check_nonnegative(noise, "noise")
    generator = _check_generator(generator)
    where = _sampling_device(generator)
    radii = max_radius * torch.arange(1, n_rings + 1, dtype=torch.float64, device=where) / n_rings
    ring = torch.multinomial(radii / radii.sum(), n, replacement=True, generator=generator)
    angle = 2 * math.pi * torch.rand(n, generator=generator, device=where, dtype=torch.float64)
    x = radii[ring].unsqueeze(1) * torch.stack([torch.cos(angle), torch.sin(angle)], dim=1)
    x = x + noise * torch.randn(n, 2, generator=generator, device=where, dtype=torch.float64)
    return _finish(x, device, torch.float32)


TOY_NAMES: Sequence[str] = ("eight_gaussians", "two_moons", "swiss_roll", "checkerboard", "rings", "two_mode")
"""The names :func:`toy` accepts."""


def toy(
    name: str,
    n: int,
    generator: torch.Generator | None = None,
    *,
    device: torch.device | str | None = None,
) -> torch.Tensor:
    """Samples from a named toy distribution with its default parameters.

    Parameters
    ----------
    name : str
        One of ``TOY_NAMES``: ``"eight_gaussians"`` (:func:`eight_gaussians_mixture`),
        ``"two_moons"``, ``"swiss_roll"``, ``"checkerboard"``, ``"rings"`` or
        ``"two_mode"`` (:func:`two_mode_mixture`).
    n : int
        Number of points, >= 1.
    generator : torch.Generator, optional
        Source of randomness (the global generator if None).
    device : torch.device or str, optional
        Device of the result (default: the generator's device, else the CPU).

    Returns
    -------
    torch.Tensor
        Shape (n, 2), float32.

    Raises
    ------
    TypeError
        If name is not a string (and as the named sampler does).
    ValueError
        If name is unknown (and as the named sampler does).

    Examples
    --------
    >>> toy("rings", 10, generator=torch.Generator().manual_seed(0)).dtype
    torch.float32
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a string, one of {list(TOY_NAMES)}, got {type(name).__name__}")
    if name == "eight_gaussians":
        return eight_gaussians_mixture().sample(n, generator=generator, device=device)
    if name == "two_mode":
        return two_mode_mixture().sample(n, generator=generator, device=device)
    samplers = {
        "two_moons": two_moons,
        "swiss_roll": swiss_roll,
        "checkerboard": checkerboard,
        "rings": rings,
    }
    if name not in samplers:
        raise ValueError(f"unknown toy distribution {name!r}; expected one of {list(TOY_NAMES)}")
    return samplers[name](n, generator=generator, device=device)
