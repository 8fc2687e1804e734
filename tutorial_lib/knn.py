"""k-nearest-neighbour estimators of entropy, KL divergence and mutual information.

Defined in chapter 4 (k-NN estimation). Every function here is one formula of
the chapter: the Kozachenko–Leonenko entropy estimator :eq:`knn-kl-entropy`,
the k-NN Kullback–Leibler divergence estimator :eq:`knn-kl-divergence`, the
Kraskov–Stögbauer–Grassberger mutual information estimator :eq:`knn-ksg`, and
a differentiable version of the entropy estimator for training networks.

All quantities are in nats. Samples are arrays of shape ``(n, d)`` (``n``
points in ``d`` dimensions) or ``(n,)`` (one dimension), as NumPy arrays or
PyTorch tensors; the NumPy estimators compute in float64 with
:class:`scipy.spatial.cKDTree` (and, for the KSG neighbour counts, a sorted
array in one dimension or scikit-learn's ``KDTree``). Their speed against
other implementations is measured in ``benchmarks/results/knn_peers.md``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
from scipy.spatial import cKDTree
from scipy.special import digamma, gammaln

_DUPLICATE_REMEDY = (
    "remove repeated points (np.unique(x, axis=0)), dequantise the data by adding noise of the "
    "quantisation width, or increase k"
)


def _check_k(k: Any) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"k must be a positive int, got {type(k).__name__}")
    if k < 1:
        raise ValueError(f"k must be a positive int, got {k}")
    return int(k)


def _as_samples(x: Any, name: str) -> np.ndarray:
    """Return ``x`` as a float64 array of shape (n, d), or raise a clear error."""
    if isinstance(x, torch.Tensor):
        if x.is_complex() or x.dtype == torch.bool:
            raise TypeError(f"{name} must hold real numbers, got a tensor of dtype {x.dtype}")
        x = x.detach().to("cpu", torch.float64).numpy()
    else:
        try:
            x = np.asarray(x)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{name} must be an array or tensor of real numbers, got {type(x).__name__}") from exc
        if x.dtype.kind not in "fiu":
            raise TypeError(f"{name} must hold real numbers, got an array of dtype {x.dtype}")
        x = x.astype(np.float64)
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2:
        raise ValueError(f"{name} must have shape (n, d) or (n,), got shape {x.shape}")
    if x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(f"{name} is empty: expected shape (n, d) with n, d >= 1, got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} contains NaN or infinite values ({np.sum(~np.isfinite(x))} entries)")
    return x


def _check_enough(n: int, k: int, name: str, minimum: int) -> None:
    if n < minimum:
        raise ValueError(f"{name} needs at least {minimum} points for k={k}, got n={n}")


def _tree(points: np.ndarray, p: float = 2.0) -> cKDTree:
    """A k-d tree over ``points`` (n, d); larger leaves from d = 10 (Euclidean) or 16 (max-norm) on.

    In high dimension a k-d tree prunes little and visits most leaves anyway, so fewer, larger leaves
    cost less: leaves of 64 points instead of scipy's 10 made the queries 1.5-2x faster at d = 10-20
    and changed nothing below (benchmarks/results/knn_peers.md). Distances, hence estimates, do not
    depend on the tree's shape.
    """
    d = points.shape[1]
    return cKDTree(points, leafsize=64 if d >= (10 if p == 2 else 16) else 10)


def _kth_neighbour_distance(tree: cKDTree, queries: np.ndarray, k: int, p: float = 2.0) -> np.ndarray:
    """Distance from each query to its k-th nearest point of the tree (only that column is returned)."""
    return tree.query(queries, k=[k], p=p)[0][:, 0]


def _kth_neighbour_distance_1d(v: np.ndarray, k: int) -> np.ndarray:
    """Distance from each value of ``v`` (n,) to its k-th nearest other value, in sorted order of v.

    In one dimension the k nearest neighbours of a point lie among the k values on either side of it
    in sorted order, so a sort and the k-th smallest of those 2k gaps replace the tree: about 10x
    faster, with the same floating-point differences (so the same distances) as a tree query.
    """
    s = np.sort(v)
    n = s.size
    padded = np.concatenate([np.full(k, -np.inf), s, np.full(k, np.inf)])
    gaps = np.empty((n, 2 * k))
    for j in range(1, k + 1):
        gaps[:, j - 1] = s - padded[k - j : k - j + n]  # to the j-th value on the left (inf if none)
        gaps[:, k + j - 1] = padded[k + j : k + j + n] - s  # to the j-th value on the right
    return np.partition(gaps, k - 1, axis=1)[:, k - 1]


def _count_closer_1d(v: np.ndarray, radius: np.ndarray) -> np.ndarray:
    """For each i, the number of j (i included) with ``abs(v[j] - v[i]) <= radius[i]``, for v of shape (n,).

    Two bisections in the sorted values instead of a tree: about 10x faster, and exactly the count a
    tree returns. The bounds ``v[i] +- radius[i]`` are rounded, so each end is then moved across the
    (rare) values whose computed distance ``abs(v[j] - v[i])`` falls on the other side of the radius;
    that distance is monotone in ``v[j]``, so the ends stay contiguous and each step passes a run of equal values.
    """
    s = np.sort(v)
    n = s.size
    hi = np.searchsorted(s, v + radius, side="right")
    lo = np.searchsorted(s, v - radius, side="left")
    for _ in range(n):
        grow = np.flatnonzero((hi < n) & (s[np.minimum(hi, n - 1)] - v <= radius))
        shrink = np.flatnonzero(s[hi - 1] - v > radius)  # hi >= 1: v[i] itself is always inside
        if grow.size == 0 and shrink.size == 0:
            break
        hi[grow] = np.searchsorted(s, s[hi[grow]], side="right")
        hi[shrink] = np.searchsorted(s, s[hi[shrink] - 1], side="left")
    for _ in range(n):
        grow = np.flatnonzero((lo > 0) & (v - s[np.maximum(lo - 1, 0)] <= radius))
        shrink = np.flatnonzero(v - s[lo] > radius)  # lo <= position of v[i] < n
        if grow.size == 0 and shrink.size == 0:
            break
        lo[grow] = np.searchsorted(s, s[lo[grow] - 1], side="left")
        lo[shrink] = np.searchsorted(s, s[lo[shrink]], side="right")
    return hi - lo


def _count_closer(x: np.ndarray, radius: np.ndarray) -> np.ndarray:
    """For each row i of x (n, d), the number of rows j (i included) within max-norm distance radius[i]."""
    if x.shape[1] == 1:
        return _count_closer_1d(x[:, 0], radius)
    # scikit-learn's count-only radius query is 2-5x faster than cKDTree.query_ball_point(return_length=True).
    # Imported here: only multivariate marginals need it, and it adds about a second to importing this module.
    from sklearn.neighbors import KDTree

    return KDTree(x, metric="chebyshev").query_radius(x, radius, count_only=True)


def log_unit_ball_volume(d: int) -> float:
    r"""Logarithm of the volume of the Euclidean unit ball in ``d`` dimensions.

    :math:`\log V_d = \tfrac d2\log\pi - \log\Gamma(\tfrac d2 + 1)`, computed with
    ``scipy.special.gammaln`` so that it stays finite for large ``d``.
    Implements :eq:`knn-unit-ball` (chapter 4).

    Parameters
    ----------
    d : int
        Dimension, at least 1.

    Returns
    -------
    float
        :math:`\log V_d` (``V_1 = 2``, ``V_2 = \pi``, ``V_3 = 4\pi/3``).

    Raises
    ------
    TypeError
        If ``d`` is not an int.
    ValueError
        If ``d < 1``.

    Examples
    --------
    >>> round(math.exp(log_unit_ball_volume(2)), 6)
    3.141593
    """
    if isinstance(d, bool) or not isinstance(d, (int, np.integer)):
        raise TypeError(f"d must be a positive int, got {type(d).__name__}")
    if d < 1:
        raise ValueError(f"d must be a positive int, got {d}")
    return float(0.5 * d * math.log(math.pi) - gammaln(0.5 * d + 1.0))


def entropy(x: Any, k: int = 3, *, on_duplicates: str = "raise") -> float:
    r"""Kozachenko–Leonenko estimate of the differential entropy of a sample, in nats.

    :math:`\hat H = \frac dn \sum_i \log\varepsilon_k(i) + \log V_d + \psi(n) - \psi(k)`,
    where :math:`\varepsilon_k(i)` is the Euclidean distance from :math:`x_i` to its
    k-th nearest neighbour among the other points. Implements :eq:`knn-kl-entropy`
    (chapter 4).

    Parameters
    ----------
    x : numpy.ndarray or torch.Tensor
        Shape (n, d) or (n,). Independent samples of a continuous distribution.
    k : int, optional
        Which neighbour to use (default 3); needs ``n > k``.
    on_duplicates : str, optional
        ``"raise"`` (default) or ``"skip"``. A repeated point has :math:`\varepsilon_k(i) = 0` (when it has at least k
        copies) and :math:`\log 0 = -\infty`. ``"raise"`` raises a ValueError
        naming the remedies; ``"skip"`` leaves such points out of the average
        (a pragmatic choice for a few exact ties; it estimates the entropy of the
        continuous part and is biased when ties are many).

    Returns
    -------
    float
        The entropy estimate in nats.

    Raises
    ------
    TypeError
        If ``x`` is not real-valued or ``k`` is not an int.
    ValueError
        On a wrong shape, empty input, NaN or infinite values, ``n <= k``, an
        unknown ``on_duplicates``, or zero k-NN distances with ``"raise"``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> h = entropy(rng.standard_normal((4000, 2)))
    >>> truth = math.log(2 * math.pi * math.e)  # N(0, I_2)
    >>> abs(h - truth) < 0.1
    True
    """
    k = _check_k(k)
    if on_duplicates not in ("raise", "skip"):
        raise ValueError(f"on_duplicates must be 'raise' or 'skip', got {on_duplicates!r}")
    x = _as_samples(x, "x")
    n, d = x.shape
    _check_enough(n, k, "entropy", k + 1)
    if d == 1:
        eps = _kth_neighbour_distance_1d(x[:, 0], k)  # (in sorted order: only their mean log matters)
    else:
        # The query returns the point itself at distance 0 first, so the (k + 1)-th point is the k-th neighbour.
        eps = _kth_neighbour_distance(_tree(x), x, k + 1)
    zero = eps == 0
    if np.any(zero):
        if on_duplicates == "raise":
            raise ValueError(
                f"{int(zero.sum())} of {n} points have a zero distance to their k-th nearest neighbour "
                f"(k={k}): the sample has repeated points and log(0) = -inf. To fix it, {_DUPLICATE_REMEDY}, "
                "or pass on_duplicates='skip' to leave those points out."
            )
        if np.all(zero):
            raise ValueError(f"every point has at least k={k} exact copies: no distance left to average")
        eps = eps[~zero]
    return float(d * np.mean(np.log(eps)) + log_unit_ball_volume(d) + digamma(n) - digamma(k))


def kl_divergence(x: Any, y: Any, k: int = 1) -> float:
    r"""k-NN estimate of the Kullback–Leibler divergence :math:`D(p\,\|\,q)`, in nats.

    With ``x`` (n points) from :math:`p` and ``y`` (m points) from :math:`q`,
    :math:`\hat D = \frac dn \sum_i \log\frac{\nu_k(i)}{\rho_k(i)} + \log\frac{m}{n-1}`,
    where :math:`\rho_k(i)` is the distance from :math:`x_i` to its k-th neighbour in
    ``x`` (itself excluded) and :math:`\nu_k(i)` the distance to its k-th neighbour in
    ``y`` (Wang, Kulkarni & Verdú 2009; Pérez-Cruz 2008). Implements
    :eq:`knn-kl-divergence` (chapter 4).

    Parameters
    ----------
    x : numpy.ndarray or torch.Tensor
        Shape (n, d) or (n,). Samples of :math:`p`; needs ``n > k``.
    y : numpy.ndarray or torch.Tensor
        Shape (m, d) or (m,). Samples of :math:`q`, same ``d``; needs ``m >= k``.
    k : int, optional
        Which neighbour to use (default 1).

    Returns
    -------
    float
        The divergence estimate in nats (it may be slightly negative when
        :math:`p = q`; it is not clipped).

    Raises
    ------
    TypeError
        If an input is not real-valued or ``k`` is not an int.
    ValueError
        On wrong shapes, different dimensions, empty input, NaN, too few points,
        or zero k-NN distances (repeated points in ``x``, or points of ``x`` that
        also occur in ``y``).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal((3000, 1))
    >>> y = 1.0 + rng.standard_normal((3000, 1))
    >>> abs(kl_divergence(x, y) - 0.5) < 0.1  # KL(N(0,1) || N(1,1)) = 1/2
    True
    """
    k = _check_k(k)
    x = _as_samples(x, "x")
    y = _as_samples(y, "y")
    n, d = x.shape
    m = y.shape[0]
    if y.shape[1] != d:
        raise ValueError(f"x and y must have the same dimension d, got x of shape {x.shape} and y {y.shape}")
    _check_enough(n, k, "kl_divergence (x)", k + 1)
    _check_enough(m, k, "kl_divergence (y)", k)
    rho = _kth_neighbour_distance(_tree(x), x, k + 1)
    nu = _kth_neighbour_distance(_tree(y), x, k)
    for dist, what in ((rho, "x to its k-th neighbour in x"), (nu, "x to its k-th neighbour in y")):
        if np.any(dist == 0):
            raise ValueError(
                f"{int(np.sum(dist == 0))} zero distances from {what} (k={k}): repeated points make the "
                f"log-ratio infinite. To fix it, {_DUPLICATE_REMEDY}."
            )
    return float(d * np.mean(np.log(nu / rho)) + math.log(m / (n - 1)))


def mutual_information(x: Any, y: Any, k: int = 3) -> float:
    r"""Kraskov–Stögbauer–Grassberger estimate (algorithm 1) of :math:`I(X;Y)`, in nats.

    :math:`\hat I = \psi(k) + \psi(N) - \langle \psi(n_x + 1) + \psi(n_y + 1)\rangle`,
    where :math:`\varepsilon(i)` is the max-norm distance from :math:`(x_i, y_i)` to
    its k-th neighbour in the joint space and :math:`n_x(i)`, :math:`n_y(i)` count
    the other points strictly closer than :math:`\varepsilon(i)` in the marginal
    spaces (max-norm too). Implements :eq:`knn-ksg` (chapter 4). On identical
    inputs it equals scikit-learn's ``_compute_mi_cc`` except that negative
    estimates are returned as they are, not replaced by 0.

    Parameters
    ----------
    x : numpy.ndarray or torch.Tensor
        Shape (N, d_x) or (N,).
    y : numpy.ndarray or torch.Tensor
        Shape (N, d_y) or (N,). Paired samples: row ``i`` of ``x`` goes with row ``i`` of ``y``.
    k : int, optional
        Which neighbour to use in the joint space (default 3); needs ``N > k``.

    Returns
    -------
    float
        The mutual information estimate in nats.

    Raises
    ------
    TypeError
        If an input is not real-valued or ``k`` is not an int.
    ValueError
        On wrong shapes, different numbers of rows, empty input, NaN, ``N <= k``,
        or zero joint k-NN distances (repeated pairs).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x, e = rng.standard_normal((2, 3000))
    >>> y = 0.8 * x + 0.6 * e  # correlation 0.8
    >>> truth = -0.5 * math.log(1 - 0.8**2)
    >>> abs(mutual_information(x, y) - truth) < 0.05
    True
    """
    k = _check_k(k)
    x = _as_samples(x, "x")
    y = _as_samples(y, "y")
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"x and y must have the same number of rows, got {x.shape[0]} and {y.shape[0]}")
    n = x.shape[0]
    _check_enough(n, k, "mutual_information", k + 1)
    xy = np.hstack([x, y])
    eps = _kth_neighbour_distance(_tree(xy, np.inf), xy, k + 1, np.inf)
    if np.any(eps == 0):
        raise ValueError(
            f"{int(np.sum(eps == 0))} of {n} pairs (x_i, y_i) have a zero distance to their k-th neighbour "
            f"(k={k}): the sample has repeated pairs. To fix it, {_DUPLICATE_REMEDY}."
        )
    # "Strictly closer than eps": a ball of radius just below eps; the count includes the point itself.
    radius = np.nextafter(eps, 0)
    n_x = _count_closer(x, radius) - 1
    n_y = _count_closer(y, radius) - 1
    return float(digamma(k) + digamma(n) - np.mean(digamma(n_x + 1) + digamma(n_y + 1)))


def entropy_torch(z: torch.Tensor, k: int = 1) -> torch.Tensor:
    r"""Differentiable Kozachenko–Leonenko entropy estimate of a batch, in nats.

    The same formula as :func:`entropy` (:eq:`knn-kl-entropy`, chapter 4), written
    in PyTorch so that :math:`\hat H` can be maximised by gradient ascent, as in
    the entropic autoencoder's loss :eq:`knn-eae-loss`. The neighbours are found
    from ``torch.cdist`` with the self-distances masked by :math:`+\infty`
    (no gradient flows through the choice of neighbour, which is piecewise
    constant); the k-th neighbour distance is then recomputed exactly from the
    coordinates, so the gradient never meets the zero self-distance and is
    never NaN. (``torch.cdist`` computes distances through a matrix product, so two
    neighbours tied to within rounding may be swapped; the distance used is then off by
    at most that rounding.) Memory is :math:`O(n^2)`: meant for mini-batches.

    Parameters
    ----------
    z : torch.Tensor
        Shape (n, d) or (n,). A floating-point batch on any device; needs ``n > k``.
    k : int, optional
        Which neighbour to use (default 1).

    Returns
    -------
    torch.Tensor
        A scalar with ``z``'s dtype and device, differentiable with respect to ``z``.

    Raises
    ------
    TypeError
        If ``z`` is not a floating-point tensor or ``k`` is not an int.
    ValueError
        On a wrong shape, empty input, NaN, ``n <= k``, or repeated points
        (zero k-NN distances).

    Examples
    --------
    >>> z = torch.randn(500, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    >>> h = entropy_torch(z)
    >>> bool(abs(h.item() - entropy(z, k=1)) < 1e-9)
    True
    """
    k = _check_k(k)
    if not isinstance(z, torch.Tensor):
        raise TypeError(f"z must be a torch.Tensor, got {type(z).__name__}")
    if not z.is_floating_point():
        raise TypeError(f"z must be a floating-point tensor, got dtype {z.dtype}")
    if z.ndim == 1:
        z = z[:, None]
    if z.ndim != 2:
        raise ValueError(f"z must have shape (n, d) or (n,), got shape {tuple(z.shape)}")
    n, d = z.shape
    if n == 0 or d == 0:
        raise ValueError(f"z is empty: expected shape (n, d) with n, d >= 1, got shape {tuple(z.shape)}")
    _check_enough(n, k, "entropy_torch", k + 1)
    if not torch.isfinite(z).all():
        raise ValueError("z contains NaN or infinite values")
    with torch.no_grad():
        dist = torch.cdist(z, z)
        dist.fill_diagonal_(float("inf"))
        neighbour = dist.topk(k, dim=1, largest=False).indices[:, k - 1]
    eps2 = (z - z[neighbour]).pow(2).sum(dim=1)
    if bool((eps2 == 0).any()):
        raise ValueError(
            f"{int((eps2 == 0).sum())} of {n} points have a zero distance to their k-th nearest neighbour "
            f"(k={k}): the batch has repeated points and log(0) = -inf. To fix it, {_DUPLICATE_REMEDY}."
        )
    log_eps = 0.5 * eps2.clamp_min(torch.finfo(z.dtype).tiny).log()
    constant = log_unit_ball_volume(d) + float(digamma(n) - digamma(k))
    return d * log_eps.mean() + constant
