"""Non-adversarial generation: GLO, IMLE and GLANN (chapter 5).

GLO learns one code per training image, on the unit sphere, jointly with a
decoder. IMLE trains a map from noise by letting every real point pull its
nearest generated sample; it is the small-bandwidth limit of a Gaussian-kernel
likelihood. GLANN runs IMLE in GLO's latent space. The baseline samples a
Gaussian fitted to the codes.

The functions here are the chapter's equations; the notebook owns the
training loops and calls :func:`glo_step` and :func:`imle_step` once per step.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from scipy.spatial import cKDTree
from torch import nn


def _check_tensor(x: object, name: str, ndim: int | None = None) -> torch.Tensor:
    """A non-empty, finite, floating-point tensor (of ``ndim`` dimensions if given)."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    if not x.is_floating_point():
        raise TypeError(f"{name} must have a floating-point dtype, got {x.dtype}")
    if ndim is not None and x.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {tuple(x.shape)}")
    if x.ndim == 0 or x.numel() == 0:
        raise ValueError(f"{name} must be non-empty with at least one dimension, got shape {tuple(x.shape)}")
    if not torch.isfinite(x).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return x


def _check_points(real: object, generated: object) -> tuple[torch.Tensor, torch.Tensor]:
    """Two point sets of shapes (n, d) and (m, d)."""
    real = _check_tensor(real, "real", ndim=2)
    generated = _check_tensor(generated, "generated", ndim=2)
    if real.shape[1] != generated.shape[1]:
        raise ValueError(
            f"real and generated must have the same dimension d, got shapes {tuple(real.shape)} "
            f"and {tuple(generated.shape)}"
        )
    return real, generated


def _check_sigma(sigma: object, allow_zero: bool) -> float:
    if isinstance(sigma, bool) or not isinstance(sigma, (int, float, np.floating, np.integer)):
        raise TypeError(f"sigma must be a real number, got {type(sigma).__name__}")
    sigma = float(sigma)
    lowest = "non-negative" if allow_zero else "positive"
    if not math.isfinite(sigma) or sigma < 0 or (sigma == 0 and not allow_zero):
        raise ValueError(f"sigma must be a finite {lowest} number, got {sigma}")
    return sigma


def project_to_sphere(z: torch.Tensor) -> torch.Tensor:
    """Project every row of ``z`` onto the unit sphere: :math:`z / \\lVert z\\rVert`.

    Implements :eq:`glann-projection` (chapter 5), the constraint of GLO's
    codes. Differentiable; projecting twice changes nothing.

    Parameters
    ----------
    z : torch.Tensor
        Codes of shape (..., d); the last dimension is normalised.

    Returns
    -------
    torch.Tensor
        Same shape, device and dtype, every row of Euclidean norm 1.

    Raises
    ------
    ValueError
        If a row is zero (it has no direction), or ``z`` is empty or not finite.

    Examples
    --------
    >>> project_to_sphere(torch.tensor([[3.0, 4.0], [0.0, -2.0]]))
    tensor([[ 0.6000,  0.8000],
            [ 0.0000, -1.0000]])
    """
    z = _check_tensor(z, "z")
    norms = torch.linalg.vector_norm(z, dim=-1, keepdim=True)
    if (norms == 0).any():
        rows = torch.nonzero(norms.squeeze(-1) == 0).flatten()[:5].tolist()
        raise ValueError(f"cannot project a zero row onto the unit sphere (zero rows at {rows})")
    return z / norms


def smooth_min(d: torch.Tensor, sigma: float, dim: int = -1) -> torch.Tensor:
    """Smooth minimum :math:`-2\\sigma^2 \\log \\sum_j \\exp(-d_j / (2\\sigma^2))` along ``dim``.

    Implements :eq:`glann-smooth-min` (chapter 5). With :math:`d_j` the squared
    distances from a point to :math:`m` samples, this is the part of the
    Gaussian-kernel log-likelihood :eq:`glann-kernel-likelihood` that depends
    on the samples, scaled by :math:`-2\\sigma^2`. It obeys the bounds
    :eq:`glann-smooth-min-bounds`,
    :math:`\\min_j d_j - 2\\sigma^2\\log m \\le` ``smooth_min`` :math:`\\le \\min_j d_j`,
    so it tends to :math:`\\min_j d_j` as :math:`\\sigma \\to 0`; ``sigma=0``
    returns that limit exactly.

    Parameters
    ----------
    d : torch.Tensor
        Values to take the smooth minimum of, shape (..., m, ...); finite.
    sigma : float
        Kernel bandwidth :math:`\\sigma \\ge 0` (the temperature is :math:`2\\sigma^2`).
    dim : int
        Dimension that is reduced.

    Returns
    -------
    torch.Tensor
        ``d`` with dimension ``dim`` removed; differentiable in ``d``.

    Examples
    --------
    >>> d = torch.tensor([1.0, 2.0, 5.0])
    >>> float(smooth_min(d, 0.0)), round(float(smooth_min(d, 0.1)), 4)
    (1.0, 1.0)
    >>> round(float(smooth_min(d, 1.0)), 4)  # 1 - 2 log(1 + e^-0.5 + e^-2) = 1 - 1.1099
    -0.1099
    """
    d = _check_tensor(d, "d")
    sigma = _check_sigma(sigma, allow_zero=True)
    if sigma == 0.0:
        return d.amin(dim=dim)
    temperature = 2.0 * sigma**2
    return -temperature * torch.logsumexp(-d / temperature, dim=dim)


def squared_distances(real: torch.Tensor, generated: torch.Tensor) -> torch.Tensor:
    """All squared Euclidean distances :math:`\\lVert x_i - g_j\\rVert^2`, shape (n, m).

    Computed without the matrix-product shortcut, so coincident points give
    exactly 0. Differentiable in both arguments.

    Examples
    --------
    >>> squared_distances(torch.tensor([[0.0, 0.0]]), torch.tensor([[3.0, 4.0], [0.0, 0.0]]))
    tensor([[25.,  0.]])
    """
    real, generated = _check_points(real, generated)
    return torch.cdist(real, generated, compute_mode="donot_use_mm_for_euclid_dist") ** 2


def gaussian_kernel_log_likelihood(real: torch.Tensor, generated: torch.Tensor, sigma: float) -> torch.Tensor:
    """Log-density of each real point under a Gaussian kernel mixture on the samples.

    Implements :eq:`glann-kernel-likelihood` (chapter 5):
    :math:`\\log q_\\sigma(x_i) = \\log \\frac1m \\sum_j \\mathcal N(x_i; g_j, \\sigma^2 I)
    = -\\frac{\\operatorname{smin}_\\sigma(d_{i\\cdot})}{2\\sigma^2}
    - \\frac{d}{2}\\log(2\\pi\\sigma^2) - \\log m`,
    the kernel density estimate that ``sklearn.neighbors.KernelDensity`` computes.

    Parameters
    ----------
    real : torch.Tensor
        Points :math:`x_i`, shape (n, d).
    generated : torch.Tensor
        Kernel centres :math:`g_j`, shape (m, d).
    sigma : float
        Bandwidth :math:`\\sigma > 0`.

    Returns
    -------
    torch.Tensor
        Shape (n,), in nats.

    Examples
    --------
    >>> x = torch.zeros(1, 1, dtype=torch.float64)
    >>> round(float(gaussian_kernel_log_likelihood(x, x, 1.0)), 4)  # log N(0; 0, 1)
    -0.9189
    """
    real, generated = _check_points(real, generated)
    sigma = _check_sigma(sigma, allow_zero=False)
    n_samples, dim = generated.shape
    smin = smooth_min(squared_distances(real, generated), sigma, dim=1)
    return -smin / (2 * sigma**2) - 0.5 * dim * math.log(2 * math.pi * sigma**2) - math.log(n_samples)


def imle_match(real: torch.Tensor, generated: torch.Tensor) -> torch.Tensor:
    """Index of each real point's nearest generated sample (Euclidean), via ``cKDTree``.

    The matching step :math:`\\rho(i) = \\arg\\min_j \\lVert x_i - g_j\\rVert` of IMLE,
    :eq:`glann-imle` (chapter 5). Not differentiable: it only picks indices.

    Parameters
    ----------
    real : torch.Tensor
        Real points :math:`x_i`, shape (n, d).
    generated : torch.Tensor
        Generated samples :math:`g_j`, shape (m, d).

    Returns
    -------
    torch.Tensor
        ``int64`` indices into ``generated``, shape (n,), on ``real``'s device.

    Examples
    --------
    >>> real = torch.tensor([[0.0, 0.0], [10.0, 0.0], [9.0, 1.0]])
    >>> generated = torch.tensor([[9.5, 0.0], [0.5, 0.5]])
    >>> imle_match(real, generated)
    tensor([1, 0, 0])
    """
    real, generated = _check_points(real, generated)
    tree = cKDTree(generated.detach().cpu().double().numpy())
    _, index = tree.query(real.detach().cpu().double().numpy(), k=1)
    return torch.as_tensor(np.asarray(index, dtype=np.int64), device=real.device)


def _check_indices(indices: object, n_real: int, n_generated: int, device: torch.device) -> torch.Tensor:
    if not isinstance(indices, torch.Tensor):
        raise TypeError(f"indices must be a torch.Tensor, got {type(indices).__name__}")
    if indices.dtype not in (torch.int64, torch.int32):
        raise TypeError(f"indices must be an integer tensor (int64), got {indices.dtype}")
    if indices.shape != (n_real,):
        raise ValueError(
            f"indices must have shape ({n_real},) (one per real point), got {tuple(indices.shape)}"
        )
    if n_real and (indices.min() < 0 or indices.max() >= n_generated):
        raise ValueError(
            f"indices must lie in [0, {n_generated}), "
            f"got values from {int(indices.min())} to {int(indices.max())}"
        )
    return indices.to(device=device, dtype=torch.int64)


def imle_loss(
    real: torch.Tensor, generated: torch.Tensor, indices: torch.Tensor | None = None
) -> torch.Tensor:
    """IMLE loss: mean squared distance from each real point to its matched sample.

    Implements :eq:`glann-imle` (chapter 5),
    :math:`\\frac1n\\sum_i \\lVert x_i - g_{\\rho(i)}\\rVert^2` with
    :math:`\\rho(i)` the nearest sample (:func:`imle_match`) unless ``indices``
    are given. The gradient flows into ``generated`` only: the real points are
    data (they are detached). The loss is zero exactly when every real point
    has a coincident sample.

    Parameters
    ----------
    real : torch.Tensor
        Real points, shape (n, d).
    generated : torch.Tensor
        Generated samples, shape (m, d), same dtype and device as ``real``.
    indices : torch.Tensor, optional
        Matched sample of each real point, ``int64`` of shape (n,).

    Returns
    -------
    torch.Tensor
        A scalar.

    Examples
    --------
    >>> real = torch.tensor([[0.0, 0.0], [4.0, 0.0]])
    >>> generated = torch.tensor([[1.0, 0.0], [4.0, 2.0], [9.0, 9.0]], requires_grad=True)
    >>> loss = imle_loss(real, generated)
    >>> loss.backward()
    >>> float(loss.detach()), generated.grad[2].tolist()  # (1 + 4) / 2; the unclaimed sample gets no gradient
    (2.5, [0.0, 0.0])
    """
    real, generated = _check_points(real, generated)
    if real.dtype != generated.dtype or real.device != generated.device:
        raise ValueError(
            f"real and generated must share dtype and device, got {real.dtype} on {real.device} "
            f"and {generated.dtype} on {generated.device}"
        )
    if indices is None:
        indices = imle_match(real, generated)
    indices = _check_indices(indices, real.shape[0], generated.shape[0], generated.device)
    return (real.detach() - generated[indices]).pow(2).sum(dim=1).mean()


def imle_margin_loss(
    real: torch.Tensor, generated: torch.Tensor, generated_other: torch.Tensor, margin: float
) -> torch.Tensor:
    """The post's variant: pull each sample to its nearest real point, push it from other samples.

    Implements :eq:`glann-imle-margin` (chapter 5),
    :math:`\\frac1N\\sum_i \\big[\\min_j \\lVert g_i - x_j\\rVert^2
    + \\operatorname{relu}(m - \\min_k \\lVert g_i - g'_k\\rVert^2)\\big]`, the
    reverse-KL objective of the post with a margin :math:`m` on the distance to
    a second, independent batch :math:`g'` (within one batch that distance
    would be 0). The gradient flows into both generated batches, not into
    ``real``.

    Parameters
    ----------
    real : torch.Tensor
        Real points, shape (M, d).
    generated : torch.Tensor
        First batch of samples :math:`g_i`, shape (N, d).
    generated_other : torch.Tensor
        Second batch :math:`g'_k`, shape (K, d).
    margin : float
        Squared distance :math:`m \\ge 0` below which samples repel each other.

    Returns
    -------
    torch.Tensor
        A scalar.

    Examples
    --------
    >>> real = torch.tensor([[0.0, 0.0]])
    >>> g, g_other = torch.tensor([[1.0, 0.0]]), torch.tensor([[1.0, 0.5]])
    >>> float(imle_margin_loss(real, g, g_other, margin=1.0))  # 1 + relu(1 - 0.25)
    1.75
    """
    real, generated = _check_points(real, generated)
    _, generated_other = _check_points(real, generated_other)
    if isinstance(margin, bool) or not isinstance(margin, (int, float, np.floating, np.integer)):
        raise TypeError(f"margin must be a real number, got {type(margin).__name__}")
    if not math.isfinite(margin) or margin < 0:
        raise ValueError(f"margin must be a finite non-negative number, got {margin}")
    to_real = imle_match(generated, real)
    to_other = imle_match(generated, generated_other)
    pull = (generated - real.detach()[to_real]).pow(2).sum(dim=1)
    spread = (generated - generated_other[to_other]).pow(2).sum(dim=1)
    return (pull + torch.relu(margin - spread)).mean()


def pca_codes(images: torch.Tensor, latent_dim: int) -> torch.Tensor:
    """Whitened principal-component scores of the images: a starting point for GLO's codes.

    Flattens each image, centres, and returns the scores on the first
    ``latent_dim`` principal axes divided by their standard deviations
    (what ``sklearn.decomposition.PCA(whiten=True)`` returns, up to the sign of
    each axis). :class:`GLO` projects them onto the sphere.

    Parameters
    ----------
    images : torch.Tensor
        Shape (n, ...), flattened to (n, D); ``latent_dim <= min(n - 1, D)``.
    latent_dim : int
        Number of components.

    Returns
    -------
    torch.Tensor
        Shape (n, latent_dim), columns with mean 0 and variance 1.

    Examples
    --------
    >>> x = torch.tensor([[0.0, 1.0], [2.0, 1.0], [4.0, 1.0]])
    >>> [round(abs(v), 4) for v in pca_codes(x, 1).flatten().tolist()]
    [1.0, 0.0, 1.0]
    """
    images = _check_tensor(images, "images")
    if isinstance(latent_dim, bool) or not isinstance(latent_dim, int):
        raise TypeError(f"latent_dim must be an int, got {type(latent_dim).__name__}")
    flat = images.reshape(images.shape[0], -1)
    n, size = flat.shape
    if not 1 <= latent_dim <= min(n - 1, size):
        raise ValueError(
            f"latent_dim must lie in [1, min(n - 1, D)] = [1, {min(n - 1, size)}], got {latent_dim}"
        )
    centred = flat - flat.mean(dim=0)
    u, s, _ = torch.linalg.svd(centred, full_matrices=False)
    if (s[:latent_dim] <= 0).any():
        raise ValueError(f"the images span fewer than latent_dim={latent_dim} directions")
    return u[:, :latent_dim] * math.sqrt(n - 1)


class GLO(nn.Module):
    """Generative latent optimisation: a table of per-image codes on the unit sphere and a decoder.

    Implements :eq:`glann-glo` (chapter 5): code :math:`z_i` of image
    :math:`i` is a free parameter (an ``nn.Embedding`` row), trained jointly
    with the decoder :math:`G` on the reconstruction loss and projected back
    onto the sphere (:eq:`glann-projection`) after every step.

    Parameters
    ----------
    decoder : torch.nn.Module
        Maps codes (b, latent_dim) to images, e.g.
        ``tutorial_lib.nn.generators.MLPGenerator``.
    n_codes : int
        Number of training images.
    latent_dim : int
        Size of a code.
    init_codes : torch.Tensor, optional
        Starting codes (n_codes, latent_dim), e.g. :func:`pca_codes`; projected
        onto the sphere. By default, standard Gaussian vectors projected onto
        the sphere (uniform directions).
    generator : torch.Generator, optional
        Randomness of the default initialisation.

    Examples
    --------
    >>> from tutorial_lib.nn.generators import MLPGenerator
    >>> glo = GLO(MLPGenerator(latent_dim=4), n_codes=10, latent_dim=4)
    >>> tuple(glo(torch.tensor([0, 3])).shape), round(float(glo.latent_codes.norm(dim=1).max()), 4)
    ((2, 1, 8, 8), 1.0)
    """

    def __init__(
        self,
        decoder: nn.Module,
        n_codes: int,
        latent_dim: int,
        *,
        init_codes: torch.Tensor | None = None,
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        if not isinstance(decoder, nn.Module):
            raise TypeError(f"decoder must be a torch.nn.Module, got {type(decoder).__name__}")
        for name, value in (("n_codes", n_codes), ("latent_dim", latent_dim)):
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"{name} must be an int, got {type(value).__name__}")
            if value < 1:
                raise ValueError(f"{name} must be at least 1, got {value}")
        if init_codes is None:
            where = generator.device if generator is not None else None
            init_codes = torch.randn(n_codes, latent_dim, generator=generator, device=where)
        init_codes = _check_tensor(init_codes, "init_codes", ndim=2)
        if tuple(init_codes.shape) != (n_codes, latent_dim):
            raise ValueError(
                f"init_codes must have shape ({n_codes}, {latent_dim}), got {tuple(init_codes.shape)}"
            )
        self.decoder = decoder
        self.codes = nn.Embedding(n_codes, latent_dim)
        with torch.no_grad():
            self.codes.weight.copy_(project_to_sphere(init_codes))

    def forward(self, indices: torch.Tensor) -> torch.Tensor:
        """Decode the codes of the images ``indices`` (int64, shape (b,))."""
        return self.decoder(self.codes(indices))

    @torch.no_grad()
    def project_codes_(self) -> None:
        """Project every code back onto the unit sphere, in place (after each optimiser step)."""
        self.codes.weight.copy_(project_to_sphere(self.codes.weight))

    @property
    def latent_codes(self) -> torch.Tensor:
        """All codes, shape (n_codes, latent_dim), detached."""
        return self.codes.weight.detach().clone()


def reconstruction_loss(reconstructions: torch.Tensor, images: torch.Tensor) -> torch.Tensor:
    """Squared error summed over pixels, averaged over images: GLO's loss :math:`\\ell_2` in :eq:`glann-glo`.

    Examples
    --------
    >>> float(reconstruction_loss(torch.ones(2, 1, 2, 2), torch.zeros(2, 1, 2, 2)))
    4.0
    """
    reconstructions = _check_tensor(reconstructions, "reconstructions")
    images = _check_tensor(images, "images")
    if reconstructions.shape != images.shape:
        raise ValueError(
            f"reconstructions and images must have the same shape, got {tuple(reconstructions.shape)} "
            f"and {tuple(images.shape)}"
        )
    return (reconstructions - images).pow(2).reshape(images.shape[0], -1).sum(dim=1).mean()


def glo_step(
    model: GLO, optimizer: torch.optim.Optimizer, images: torch.Tensor, indices: torch.Tensor
) -> float:
    """One GLO step: reconstruction loss, gradient step on codes and decoder, projection.

    ``images[k]`` is the training image whose code is ``indices[k]``. Returns
    the loss before the step (a float).

    Examples
    --------
    >>> from tutorial_lib.nn.generators import MLPGenerator
    >>> _ = torch.manual_seed(0)
    >>> glo = GLO(MLPGenerator(latent_dim=4), n_codes=8, latent_dim=4)
    >>> opt = torch.optim.Adam(glo.parameters(), lr=1e-2)
    >>> x, idx = torch.rand(8, 1, 8, 8), torch.arange(8)
    >>> first = glo_step(glo, opt, x, idx)
    >>> last = [glo_step(glo, opt, x, idx) for _ in range(50)][-1]
    >>> last < first
    True
    """
    if not isinstance(model, GLO):
        raise TypeError(f"model must be a GLO, got {type(model).__name__}")
    loss = reconstruction_loss(model(indices), images)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    model.project_codes_()
    return float(loss.detach())


def imle_step(
    mapper: nn.Module, optimizer: torch.optim.Optimizer, real: torch.Tensor, noise: torch.Tensor
) -> float:
    """One IMLE step: map the noise, match every real point to its nearest sample, descend.

    Implements one step on :eq:`glann-imle` (chapter 5), with the samples
    ``mapper(noise)``. In GLANN ``real`` are the GLO codes
    (:eq:`glann-latent-imle`). Returns the loss before the step.

    Examples
    --------
    >>> from tutorial_lib.nn.generators import MLPMapper
    >>> _ = torch.manual_seed(0)
    >>> t = MLPMapper(noise_dim=2, out_dim=2)
    >>> opt = torch.optim.Adam(t.parameters(), lr=1e-2)
    >>> real = torch.tensor([[3.0, 0.0], [-3.0, 0.0]])
    >>> losses = [imle_step(t, opt, real, torch.randn(16, 2)) for _ in range(100)]
    >>> losses[-1] < 0.1 * losses[0]
    True
    """
    generated = mapper(noise)
    loss = imle_loss(real, generated)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return float(loss.detach())


class GaussianLatentSampler:
    """The baseline: a Gaussian with the mean and full covariance of the codes.

    Implements :eq:`glann-gaussian-fit` (chapter 5). ``fit`` stores the sample
    mean and the unbiased sample covariance (divisor :math:`n-1`) and its
    Cholesky factor; ``sample`` draws :math:`\\mu + L\\varepsilon`.

    Examples
    --------
    >>> codes = torch.tensor([[0.0, 1.0], [2.0, 1.0], [1.0, 3.0]])
    >>> s = GaussianLatentSampler().fit(codes)
    >>> s.mean.tolist(), s.covariance.tolist()
    ([1.0, 1.6666666269302368], [[1.0, 0.0], [0.0, 1.3333333730697632]])
    >>> tuple(s.sample(5, generator=torch.Generator().manual_seed(0)).shape)
    (5, 2)
    """

    def __init__(self) -> None:
        self.mean: torch.Tensor | None = None
        self.covariance: torch.Tensor | None = None
        self.cholesky: torch.Tensor | None = None

    def fit(self, codes: torch.Tensor) -> GaussianLatentSampler:
        """Fit to codes of shape (n, d), n > d; returns ``self``."""
        codes = _check_tensor(codes, "codes", ndim=2).detach()
        n, dim = codes.shape
        if n <= dim:
            raise ValueError(f"need more codes than dimensions to fit a full covariance, got n={n}, d={dim}")
        covariance = torch.cov(codes.T).reshape(dim, dim)
        cholesky, info = torch.linalg.cholesky_ex(covariance)
        if int(info) != 0:
            raise ValueError("singular covariance: they span a lower-dimensional subspace")
        self.mean, self.covariance, self.cholesky = codes.mean(dim=0), covariance, cholesky
        return self

    def sample(self, n: int, *, generator: torch.Generator | None = None) -> torch.Tensor:
        """Draw ``n`` codes, shape (n, d), on the device and dtype of the fitted codes."""
        if self.mean is None or self.cholesky is None:
            raise ValueError("call fit(codes) before sample(n)")
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError(f"n must be an int, got {type(n).__name__}")
        if n < 1:
            raise ValueError(f"n must be at least 1, got {n}")
        mean = self.mean
        eps = torch.randn(n, mean.shape[0], generator=generator, device=mean.device, dtype=mean.dtype)
        return self.mean + eps @ self.cholesky.T
