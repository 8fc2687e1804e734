"""Tests of tutorial_lib.knn: closed forms, oracles (brute force, scipy, scikit-learn), invariances, bad inputs.

Tolerances for the random estimates are derived from their spread: each such
test draws R independent samples, measures the sample standard deviation s of
the estimate, and allows 4 s / sqrt(R) (a 4-sigma band for the mean of R
estimates, so a correct implementation fails with probability below 1e-4) plus
an explicit allowance for the estimator's bias where one is known. The bias
allowances come from a separate measurement with many more repetitions
(reported in chapter 4, "Bias and variance in practice").
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial import cKDTree
from scipy.special import digamma
from scipy.stats import differential_entropy
from sklearn.feature_selection import mutual_info_regression
from sklearn.feature_selection._mutual_info import _compute_mi_cc

from tutorial_lib import knn
from tutorial_lib.exercises.knn import check_kl_entropy, check_log_unit_ball_volume


def random_covariance(d: int, rng: np.random.Generator) -> np.ndarray:
    """A random rotation of a diagonal matrix with eigenvalues in [e^-1, e]."""
    q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    return (q * np.exp(rng.uniform(-1, 1, d))) @ q.T


def gaussian_entropy(cov: np.ndarray) -> float:
    """0.5 log det(2 pi e Sigma), in nats."""
    return 0.5 * np.linalg.slogdet(2 * math.pi * math.e * cov)[1]


def gaussian_kl(mu1, cov1, mu2, cov2) -> float:
    """KL(N(mu1, cov1) || N(mu2, cov2)), in nats."""
    d = len(mu1)
    inv2 = np.linalg.inv(cov2)
    diff = mu2 - mu1
    return 0.5 * (
        np.trace(inv2 @ cov1) + diff @ inv2 @ diff - d + np.linalg.slogdet(cov2)[1] - np.linalg.slogdet(cov1)[1]
    )


def brute_force_entropy(x: np.ndarray, k: int) -> float:
    """Kozachenko–Leonenko from the full distance matrix, with the gamma function directly."""
    n, d = x.shape
    dist = np.sqrt(((x[:, None, :] - x[None, :, :]) ** 2).sum(-1))
    np.fill_diagonal(dist, np.inf)
    eps = np.sort(dist, axis=1)[:, k - 1]
    log_volume = math.log(math.pi ** (d / 2) / math.gamma(d / 2 + 1))
    return d * np.mean(np.log(eps)) + log_volume + digamma(n) - digamma(k)


# ---- the unit ball -------------------------------------------------------------------------------


def test_unit_ball_volume_known_values():
    for d, volume in [(1, 2.0), (2, math.pi), (3, 4 * math.pi / 3), (4, math.pi**2 / 2)]:
        assert knn.log_unit_ball_volume(d) == pytest.approx(math.log(volume), rel=1e-12)


def test_unit_ball_volume_recursion_in_high_dimension():
    # V_d = (2 pi / d) V_{d-2}; gamma(d/2 + 1) overflows a float at d = 400, gammaln does not.
    for d in (50, 400, 1001):
        lhs = knn.log_unit_ball_volume(d)
        assert math.isfinite(lhs)
        assert lhs == pytest.approx(math.log(2 * math.pi / d) + knn.log_unit_ball_volume(d - 2), rel=1e-12)


@pytest.mark.parametrize("bad, error", [(0, ValueError), (-3, ValueError), (2.0, TypeError), (True, TypeError)])
def test_unit_ball_volume_bad_input(bad, error):
    with pytest.raises(error, match="d must be a positive int"):
        knn.log_unit_ball_volume(bad)


# ---- Kozachenko–Leonenko entropy -----------------------------------------------------------------


@pytest.mark.parametrize("k", [1, 3, 7])
@pytest.mark.parametrize("d", [1, 3])
def test_entropy_matches_brute_force(k, d):
    x = np.random.default_rng(d * 10 + k).standard_normal((120, d))
    assert knn.entropy(x, k=k) == pytest.approx(brute_force_entropy(x, k), rel=1e-12, abs=1e-12)


@settings(max_examples=200, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(2, 60),
    k=st.integers(1, 6),
    scale_exponent=st.integers(-8, 8),
    offset=st.sampled_from([0.0, 1e6, -3.5]),
    grid=st.sampled_from([None, 3.0, 0.5]),
)
def test_one_dimensional_fast_path_finds_the_trees_distances(seed, n, k, scale_exponent, offset, grid):
    # The sorted-gaps path must return exactly the distances a k-d tree returns (ties, offsets, scales).
    k = min(k, n - 1)
    v = np.random.default_rng(seed).standard_normal(n) * 10.0**scale_exponent + offset
    if grid is not None:
        v = np.round(v * grid) / grid  # many exact ties
    tree = np.sort(cKDTree(v[:, None]).query(v[:, None], k=[k + 1])[0][:, 0])
    np.testing.assert_array_equal(np.sort(knn._kth_neighbour_distance_1d(v, k)), tree)


def test_one_dimensional_duplicates_still_raise():
    x = np.array([0.0, 0.0, 1.0, 2.5, 4.0])
    with pytest.raises(ValueError, match="2 of 5 points"):
        knn.entropy(x, k=1)


# Bias allowances (|mean estimate - truth| beyond the 4-sigma band) for k = 3, n = 2000, random covariances
# with eigenvalues in [e^-1, e]: measured with 100+ repetitions, |bias| <= 0.015 for d = 1, 2 and about
# -0.06 at d = 5 (negative there; positive and growing from d = 10 on).
@pytest.mark.parametrize("d, bias_allowance", [(1, 0.02), (2, 0.02), (5, 0.1)])
def test_entropy_gaussian_closed_form(d, bias_allowance):
    rng = np.random.default_rng(d)
    cov = random_covariance(d, rng)
    chol = np.linalg.cholesky(cov)
    repeats, n = 10, 2000
    estimates = np.array([knn.entropy(rng.standard_normal((n, d)) @ chol.T) for _ in range(repeats)])
    tolerance = 4 * estimates.std(ddof=1) / math.sqrt(repeats) + bias_allowance
    assert abs(estimates.mean() - gaussian_entropy(cov)) < tolerance


def test_entropy_bias_positive_in_high_dimension():
    # The curse of dimension: at d = 20, n = 1000, k = 3 the bias on N(0, I) is about +1.2 nats with a
    # spread of 0.1; a correct implementation is above +0.5 with overwhelming probability.
    d, n = 20, 1000
    rng = np.random.default_rng(20)
    truth = 0.5 * d * math.log(2 * math.pi * math.e)
    bias = np.mean([knn.entropy(rng.standard_normal((n, d))) - truth for _ in range(3)])
    assert bias > 0.5


def test_entropy_uniform_square_closed_form():
    # Uniform on [0, 2]^2 has entropy log 4; the boundary adds a bias of order n^(-1/d) (about +0.02 here).
    rng = np.random.default_rng(7)
    repeats = 10
    estimates = np.array([knn.entropy(rng.uniform(0, 2, size=(4000, 2))) for _ in range(repeats)])
    assert abs(estimates.mean() - math.log(4)) < 4 * estimates.std(ddof=1) / math.sqrt(repeats) + 0.05


def test_entropy_agrees_with_scipy_vasicek_in_one_dimension():
    # Two different estimators of the same H on the same samples: their difference has spread s_diff,
    # both are nearly unbiased at n = 2000 (|bias| < 0.01 each, measured), hence the allowance 0.02.
    rng = np.random.default_rng(11)
    diffs = []
    for _ in range(10):
        x = 3.0 * rng.standard_normal(2000)
        diffs.append(knn.entropy(x) - differential_entropy(x, method="vasicek"))
    diffs = np.array(diffs)
    assert abs(diffs.mean()) < 4 * diffs.std(ddof=1) / math.sqrt(len(diffs)) + 0.02


def test_entropy_accepts_tensors_and_vectors():
    x = np.random.default_rng(0).standard_normal(300)
    h = knn.entropy(x)
    assert knn.entropy(x[:, None]) == h
    assert knn.entropy(torch.from_numpy(x)) == h
    assert knn.entropy(torch.from_numpy(x).float()) == pytest.approx(h, abs=1e-5)
    assert knn.entropy(x.tolist()) == h


def samples(draw_seed: int, n: int, d: int) -> np.ndarray:
    return np.random.default_rng(draw_seed).standard_normal((n, d))


common = dict(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(10, 60),
    d=st.integers(1, 4),
    k=st.integers(1, 5),
)


@settings(max_examples=40, deadline=None)
@given(**common, a=st.floats(0.01, 100.0), negative=st.booleans())
def test_entropy_scale_equivariance(seed, n, d, k, a, negative):
    # H(aX) = H(X) + d log|a| holds for the estimator exactly (all distances scale by |a|).
    x = samples(seed, n, d)
    a = -a if negative else a
    assert knn.entropy(a * x, k=k) == pytest.approx(knn.entropy(x, k=k) + d * math.log(abs(a)), abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(**common, shift=st.floats(-50.0, 50.0))
def test_entropy_translation_and_rotation_invariance(seed, n, d, k, shift):
    x = samples(seed, n, d)
    q, _ = np.linalg.qr(np.random.default_rng(seed + 1).standard_normal((d, d)))
    h = knn.entropy(x, k=k)
    assert knn.entropy(x + shift, k=k) == pytest.approx(h, abs=1e-8)
    assert knn.entropy(x @ q, k=k) == pytest.approx(h, abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(**common)
def test_entropy_permutation_invariance(seed, n, d, k):
    x = samples(seed, n, d)
    permuted = x[np.random.default_rng(seed + 2).permutation(n)]
    assert knn.entropy(permuted, k=k) == pytest.approx(knn.entropy(x, k=k), abs=1e-12)


def test_entropy_duplicates_raise_with_remedy():
    x = np.random.default_rng(0).standard_normal((100, 2))
    x[1] = x[0]
    with pytest.raises(ValueError, match=r"2 of 100 points.*np\.unique.*on_duplicates='skip'"):
        knn.entropy(x, k=1)
    # With k = 2 one copy is not enough to make the 2nd-neighbour distance zero.
    assert math.isfinite(knn.entropy(x, k=2))


def test_entropy_skip_leaves_duplicates_out():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((50, 2))
    x[1] = x[0]
    eps = np.sort(np.sqrt(((x[:, None] - x[None]) ** 2).sum(-1)), axis=1)[:, 1]
    kept = eps[eps > 0]
    expected = 2 * np.mean(np.log(kept)) + math.log(math.pi) + digamma(50) - digamma(1)
    assert knn.entropy(x, k=1, on_duplicates="skip") == pytest.approx(expected, rel=1e-12)
    with pytest.raises(ValueError, match="exact copies"):
        knn.entropy(np.zeros((5, 1)), k=1, on_duplicates="skip")


@pytest.mark.parametrize(
    "x, k, error, match",
    [
        (np.zeros((3, 2)) + np.arange(3)[:, None], 3, ValueError, "at least 4 points"),
        (np.empty((0, 2)), 1, ValueError, "empty"),
        (np.empty((5, 0)), 1, ValueError, "empty"),
        (np.full((5, 2), np.nan), 1, ValueError, "NaN"),
        (np.array([[0.0], [np.inf], [1.0]]), 1, ValueError, "NaN or infinite"),
        (np.zeros((4, 2, 2)), 1, ValueError, r"shape \(n, d\) or \(n,\)"),
        (np.arange(5.0), 0, ValueError, "positive int"),
        (np.arange(5.0), 1.5, TypeError, "positive int"),
        (np.arange(5.0), True, TypeError, "positive int"),
        (np.array(["a", "b", "c"]), 1, TypeError, "real numbers"),
        (np.arange(5) * (1 + 1j), 1, TypeError, "real numbers"),
        (torch.arange(5) > 2, 1, TypeError, "real numbers"),
        ({"a": 1}, 1, TypeError, "real numbers"),
    ],
)
def test_entropy_bad_input(x, k, error, match):
    with pytest.raises(error, match=match):
        knn.entropy(x, k=k)


def test_entropy_bad_on_duplicates():
    with pytest.raises(ValueError, match="'raise' or 'skip'"):
        knn.entropy(np.arange(5.0), on_duplicates="jitter")


# ---- KL divergence ---------------------------------------------------------------------------------------


# k-NN KL estimator with k = 1, n = m = 2000, p = N(0, I), q = N(mu, s^2 I): the bias, measured with 30
# repetitions, is below 0.02 nats for these pairs, hence the allowance 0.03. (It is much larger when q is far
# narrower than p in some direction: about -0.2 nats at d = 3 for random covariances, see chapter 4.)
@pytest.mark.parametrize("d, shift, variance", [(1, 1.0, 2.0), (2, 1.0, 1.0)])
def test_kl_divergence_gaussian_closed_form(d, shift, variance):
    rng = np.random.default_rng(100 + d)
    mu = np.full(d, shift / math.sqrt(d))
    repeats = 10
    estimates = np.array(
        [
            knn.kl_divergence(rng.standard_normal((2000, d)), mu + math.sqrt(variance) * rng.standard_normal((2000, d)))
            for _ in range(repeats)
        ]
    )
    truth = gaussian_kl(np.zeros(d), np.eye(d), mu, variance * np.eye(d))
    assert abs(estimates.mean() - truth) < 4 * estimates.std(ddof=1) / math.sqrt(repeats) + 0.03


def test_kl_divergence_matches_brute_force():
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((40, 2)), 0.5 + rng.standard_normal((55, 2))
    k = 2
    dxx = np.sqrt(((x[:, None] - x[None]) ** 2).sum(-1))
    np.fill_diagonal(dxx, np.inf)
    dxy = np.sqrt(((x[:, None] - y[None]) ** 2).sum(-1))
    rho, nu = np.sort(dxx, axis=1)[:, k - 1], np.sort(dxy, axis=1)[:, k - 1]
    expected = 2 * np.mean(np.log(nu / rho)) + math.log(55 / 39)
    assert knn.kl_divergence(x, y, k=k) == pytest.approx(expected, rel=1e-12)


@settings(max_examples=30, deadline=None)
@given(**common, a=st.floats(0.01, 100.0), shift=st.floats(-20.0, 20.0))
def test_kl_divergence_invariant_to_common_scale_and_shift(seed, n, d, k, a, shift):
    x, y = samples(seed, n, d), 1.0 + samples(seed + 1, n + 3, d)
    assert knn.kl_divergence(a * x + shift, a * y + shift, k=k) == pytest.approx(knn.kl_divergence(x, y, k=k), abs=1e-8)


def test_kl_divergence_bad_input():
    x = np.random.default_rng(0).standard_normal((20, 2))
    with pytest.raises(ValueError, match="same dimension"):
        knn.kl_divergence(x, x[:, :1])
    with pytest.raises(ValueError, match="zero distances"):
        knn.kl_divergence(x, x[:5])  # the points of y also occur in x
    with pytest.raises(ValueError, match="zero distances"):
        knn.kl_divergence(np.vstack([x, x[:1]]), x + 0.5)
    with pytest.raises(ValueError, match="at least 2 points"):
        knn.kl_divergence(x[:1], x + 0.5)
    with pytest.raises(ValueError, match=r"kl_divergence \(y\) needs at least 3"):
        knn.kl_divergence(x, x[:2] + 0.5, k=3)
    with pytest.raises(ValueError, match="NaN"):
        knn.kl_divergence(x, np.full((5, 2), np.nan))
    with pytest.raises(ValueError, match="empty"):
        knn.kl_divergence(x, np.empty((0, 2)))
    with pytest.raises(TypeError, match="positive int"):
        knn.kl_divergence(x, x + 0.5, k=None)


# ---- KSG mutual information ------------------------------------------------------------------------------


def correlated_pair(rho: float, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    x, e = rng.standard_normal((2, n))
    return x, rho * x + math.sqrt(1 - rho**2) * e


@pytest.mark.parametrize("rho", [0.3, 0.9])
@pytest.mark.parametrize("k", [1, 3, 6])
def test_mutual_information_equals_sklearn_private(rho, k):
    x, y = correlated_pair(rho, 500, np.random.default_rng(int(rho * 10) + k))
    assert knn.mutual_information(x, y, k=k) == pytest.approx(_compute_mi_cc(x, y, k), rel=1e-12)


def test_mutual_information_equals_mutual_info_regression():
    # mutual_info_regression scales each variable to unit standard deviation and adds noise of relative
    # size 1e-10 (it only breaks exact ties): on standardised continuous data the estimates coincide.
    x, y = correlated_pair(0.6, 1000, np.random.default_rng(5))
    ours = knn.mutual_information(x / x.std(), y / y.std(), k=3)
    theirs = mutual_info_regression(x[:, None], y, n_neighbors=3, random_state=0)[0]
    assert ours == pytest.approx(theirs, rel=1e-9)


# KSG is nearly unbiased on Gaussians (Kraskov et al. 2004, fig. 4: |bias| < 0.01 nats at N = 2000, k = 3).
@pytest.mark.parametrize("rho", [0.0, 0.5, 0.9])
def test_mutual_information_correlated_gaussians(rho):
    rng = np.random.default_rng(int(rho * 100))
    repeats = 8
    estimates = np.array([knn.mutual_information(*correlated_pair(rho, 2000, rng)) for _ in range(repeats)])
    truth = -0.5 * math.log(1 - rho**2)
    assert abs(estimates.mean() - truth) < 4 * estimates.std(ddof=1) / math.sqrt(repeats) + 0.01


def test_mutual_information_multivariate():
    # x = (x1, x2), y = (y1, y2) with corr(x1, y1) = 0.8, corr(x2, y2) = 0.5, other pairs independent:
    # I = -0.5 log(1 - 0.64) - 0.5 log(1 - 0.25). KSG in 4-D has a small negative bias (about -0.02 here).
    rng = np.random.default_rng(9)
    repeats = 6
    estimates = []
    for _ in range(repeats):
        (x1, y1), (x2, y2) = correlated_pair(0.8, 2000, rng), correlated_pair(0.5, 2000, rng)
        estimates.append(knn.mutual_information(np.c_[x1, x2], np.c_[y1, y2]))
    estimates = np.array(estimates)
    truth = -0.5 * math.log(0.36) - 0.5 * math.log(0.75)
    assert abs(estimates.mean() - truth) < 4 * estimates.std(ddof=1) / math.sqrt(repeats) + 0.04


@settings(max_examples=30, deadline=None)
@given(**common, a=st.floats(0.01, 100.0))
def test_mutual_information_symmetry_and_common_scale(seed, n, d, k, a):
    x, y = samples(seed, n, d), samples(seed + 1, n, 2)
    i = knn.mutual_information(x, y, k=k)
    assert knn.mutual_information(y, x, k=k) == pytest.approx(i, abs=1e-12)
    assert knn.mutual_information(a * x, a * y, k=k) == pytest.approx(i, abs=1e-12)
    permutation = np.random.default_rng(seed + 3).permutation(n)
    assert knn.mutual_information(x[permutation], y[permutation], k=k) == pytest.approx(i, abs=1e-12)


def test_mutual_information_bad_input():
    x = np.random.default_rng(0).standard_normal(20)
    with pytest.raises(ValueError, match="same number of rows"):
        knn.mutual_information(x, x[:10])
    with pytest.raises(ValueError, match="repeated pairs"):
        knn.mutual_information(np.r_[x, x[:1]], np.r_[x, x[:1]], k=1)
    with pytest.raises(ValueError, match="at least 4 points"):
        knn.mutual_information(x[:3], x[:3], k=3)
    with pytest.raises(ValueError, match="NaN"):
        knn.mutual_information(np.r_[x[:-1], np.nan], x)
    with pytest.raises(ValueError, match="empty"):
        knn.mutual_information(np.empty(0), np.empty(0))
    with pytest.raises(TypeError, match="real numbers"):
        knn.mutual_information(x.astype(str), x)


# ---- differentiable entropy --------------------------------------------------------------------------


@pytest.mark.parametrize("k", [1, 2, 5])
@pytest.mark.parametrize("d", [1, 3, 8])
def test_entropy_torch_equals_numpy(k, d):
    z = torch.randn(200, d, dtype=torch.float64, generator=torch.Generator().manual_seed(d + k))
    h = knn.entropy_torch(z, k=k)
    assert h.dtype == torch.float64 and h.shape == ()
    assert h.item() == pytest.approx(knn.entropy(z, k=k), abs=1e-10)
    # In float32, compare with the float64 estimate of the same float32 points: rounding the data to float32
    # moves the closest pairs by a relative 1e-7 of |z|, which alone changes the estimate by up to 1e-3 here.
    # What remains is float32 arithmetic: a relative error of a few 1e-7 in each distance, well below 1e-5.
    z32 = z.float()
    h32 = knn.entropy_torch(z32, k=k)
    assert h32.dtype == torch.float32
    assert h32.item() == pytest.approx(knn.entropy(z32, k=k), abs=1e-5)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_entropy_torch_gradient_finite(dtype):
    z = torch.randn(64, 1, dtype=dtype, generator=torch.Generator().manual_seed(0), requires_grad=True)
    knn.entropy_torch(z).backward()
    assert torch.isfinite(z.grad).all() and z.grad.abs().sum() > 0


def test_entropy_torch_gradcheck():
    # Away from ties the estimator is smooth in z: autograd agrees with finite differences.
    z = torch.randn(12, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(1), requires_grad=True)
    assert torch.autograd.gradcheck(lambda t: knn.entropy_torch(t, k=2), (z,))


def test_entropy_torch_gradient_spreads_points():
    # Gradient ascent on the entropy pushes the two closest points apart.
    z = torch.tensor([[0.0, 0.0], [0.1, 0.0], [3.0, 1.0], [-2.0, 2.5]], dtype=torch.float64, requires_grad=True)
    knn.entropy_torch(z, k=1).backward()
    assert z.grad[0, 0] < 0 < z.grad[1, 0]


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_entropy_torch_cuda():
    z = torch.randn(100, 2, device="cuda")
    assert knn.entropy_torch(z).device == z.device


@pytest.mark.parametrize(
    "z, k, error, match",
    [
        (np.zeros((5, 2)), 1, TypeError, "torch.Tensor"),
        (torch.arange(10).reshape(5, 2), 1, TypeError, "floating-point"),
        (torch.zeros(4, 2, 2), 1, ValueError, "shape"),
        (torch.zeros(0, 2), 1, ValueError, "empty"),
        (torch.randn(3, 2), 3, ValueError, "at least 4 points"),
        (torch.tensor([[0.0], [float("nan")], [1.0]]), 1, ValueError, "NaN"),
        (torch.tensor([[0.0], [0.0], [1.0]]), 1, ValueError, "repeated points"),
        (torch.randn(5, 2), 0, ValueError, "positive int"),
    ],
)
def test_entropy_torch_bad_input(z, k, error, match):
    with pytest.raises(error, match=match):
        knn.entropy_torch(z, k=k)


# ---- exercise checkers -----------------------------------------------------------------------------


def test_checkers_accept_the_reference(capsys):
    assert check_log_unit_ball_volume(knn.log_unit_ball_volume) == 9
    assert check_kl_entropy(lambda x, k: knn.entropy(x, k=k)) == 6
    assert "match the reference" in capsys.readouterr().out


def test_checkers_reject_common_mistakes():
    # A common mistake: querying k neighbours, so that the point itself (at distance 0) is counted.
    def counts_itself(x, k):
        n, d = x.shape
        eps = cKDTree(x).query(x, k=[k])[0][:, 0]
        with np.errstate(divide="ignore"):
            return d * np.mean(np.log(eps)) + knn.log_unit_ball_volume(d) + digamma(n) - digamma(k)

    with pytest.raises(AssertionError, match="kl_entropy: case 1 failed"):
        check_kl_entropy(counts_itself)
    # Gamma overflows at d = 400: math.gamma raises OverflowError.
    with pytest.raises(OverflowError):
        check_log_unit_ball_volume(lambda d: d / 2 * math.log(math.pi) - math.log(math.gamma(d / 2 + 1)))
    with pytest.raises(AssertionError, match="log_unit_ball_volume: case 1 failed"):
        check_log_unit_ball_volume(lambda d: d / 2 * math.log(math.pi) - math.lgamma(d / 2))
