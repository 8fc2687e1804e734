"""Tests of tutorial_lib.metrics against brute force, closed forms and scipy."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.linalg
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from tutorial_lib import metrics
from tutorial_lib.data import digits, digits_split

# --------------------------------------------------------------------------- MMD


def brute_force_mmd2(x: np.ndarray, y: np.ndarray, h: float) -> float:
    """The unbiased MMD² written as the double loops of Gretton et al. (2012), eq. 3."""

    def k(a: np.ndarray, b: np.ndarray) -> float:
        return math.exp(-float(np.sum((a - b) ** 2)) / (2 * h * h))

    n, m = len(x), len(y)
    xx = sum(k(x[i], x[j]) for i in range(n) for j in range(n) if i != j) / (n * (n - 1))
    yy = sum(k(y[i], y[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    xy = sum(k(x[i], y[j]) for i in range(n) for j in range(m)) / (n * m)
    return xx + yy - 2 * xy


def test_mmd2_matches_brute_force_double_loop() -> None:
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(5, 3)), rng.normal(loc=0.5, size=(7, 3))
    for h in (0.3, 1.0, 4.0):
        ours = float(metrics.mmd2_unbiased(torch.from_numpy(x), torch.from_numpy(y), bandwidth=h))
        assert ours == pytest.approx(brute_force_mmd2(x, y, h), rel=1e-12, abs=1e-14)
    # Default bandwidth: the median of the distinct pairwise distances of the pooled sample.
    pooled = np.concatenate([x, y])
    distances = [np.linalg.norm(pooled[i] - pooled[j]) for i in range(12) for j in range(i + 1, 12)]
    median = float(np.median(distances))
    assert metrics.median_heuristic_bandwidth(torch.from_numpy(x), torch.from_numpy(y)) == pytest.approx(median)
    ours = float(metrics.mmd2_unbiased(torch.from_numpy(x), torch.from_numpy(y)))
    assert ours == pytest.approx(brute_force_mmd2(x, y, median), rel=1e-12)


def gaussian_kernel_mean(h: float, variance: float, mean_distance2: float, dim: int) -> float:
    """E exp(-|Z|²/(2h²)) for Z ~ N(mu, variance I_d) with |mu|² = mean_distance2.

    Completing the square in the Gaussian integral gives
    (h²/(h²+variance))^{d/2} exp(-|mu|²/(2(h²+variance))).
    """
    return (h * h / (h * h + variance)) ** (dim / 2) * math.exp(-mean_distance2 / (2 * (h * h + variance)))


@pytest.mark.parametrize("shift", [0.0, 1.0])
def test_mmd2_mean_matches_closed_form_for_two_gaussians(shift: float) -> None:
    # X ~ N(0, s1² I), Y ~ N(v, s2² I) in d = 2: X - X' ~ N(0, 2 s1² I), Y - Y' ~ N(0, 2 s2² I),
    # X - Y ~ N(-v, (s1² + s2²) I), so MMD² = E k(X,X') + E k(Y,Y') - 2 E k(X,Y) in closed form.
    # The estimator is unbiased: the mean of R independent estimates is within 4 standard
    # errors (their sample std / sqrt(R)) of the truth, except with probability 6e-5.
    h, s1, s2, d, n, repeats = 1.0, 1.0, 0.7, 2, 300, 40
    v = torch.tensor([shift, 0.0], dtype=torch.float64)
    truth = (
        gaussian_kernel_mean(h, 2 * s1**2, 0.0, d)
        + gaussian_kernel_mean(h, 2 * s2**2, 0.0, d)
        - 2 * gaussian_kernel_mean(h, s1**2 + s2**2, shift**2, d)
    )
    generator = torch.Generator().manual_seed(0)
    estimates = np.array(
        [
            float(
                metrics.mmd2_unbiased(
                    s1 * torch.randn(n, d, generator=generator, dtype=torch.float64),
                    v + s2 * torch.randn(n, d, generator=generator, dtype=torch.float64),
                    bandwidth=h,
                )
            )
            for _ in range(repeats)
        ]
    )
    standard_error = estimates.std(ddof=1) / math.sqrt(repeats)
    assert abs(estimates.mean() - truth) <= 4 * standard_error


def test_mmd2_is_zero_on_average_for_the_same_distribution() -> None:
    # Same distribution, median-heuristic bandwidth: given the pooled sample (hence h), the split
    # into x and y is a uniformly random partition, under which every term has the same mean,
    # so E MMD² = 0 exactly. 4 standard errors of the mean of R estimates.
    generator = torch.Generator().manual_seed(1)
    estimates = np.array(
        [
            float(metrics.mmd2_unbiased(torch.randn(100, 3, generator=generator),
                                        torch.randn(100, 3, generator=generator)))
            for _ in range(40)
        ]
    )
    assert abs(estimates.mean()) <= 4 * estimates.std(ddof=1) / math.sqrt(len(estimates))
    assert (estimates < 0).any()  # an unbiased estimate of 0 must sometimes be negative


def test_mmd2_detects_a_shift_and_is_differentiable() -> None:
    generator = torch.Generator().manual_seed(2)
    x = torch.randn(200, 2, generator=generator)
    y = (torch.randn(200, 2, generator=generator) + 2.0).requires_grad_(True)
    value = metrics.mmd2_unbiased(x, y)
    assert value.dtype == torch.float32 and value.ndim == 0
    assert float(value.detach()) > 0.3
    (gradient,) = torch.autograd.grad(value, y)
    assert torch.isfinite(gradient).all() and gradient.abs().sum() > 0


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), scale=st.floats(0.01, 100.0))
def test_mmd2_median_heuristic_is_scale_and_permutation_invariant(seed: int, scale: float) -> None:
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(30, 2, generator=generator, dtype=torch.float64)
    y = torch.randn(25, 2, generator=generator, dtype=torch.float64) + 0.5
    base = float(metrics.mmd2_unbiased(x, y))
    assert float(metrics.mmd2_unbiased(scale * x, scale * y)) == pytest.approx(base, abs=1e-10)
    order = torch.randperm(30, generator=generator)
    assert float(metrics.mmd2_unbiased(x[order], y)) == pytest.approx(base, abs=1e-12)
    assert float(metrics.mmd2_unbiased(y, x)) == pytest.approx(base, abs=1e-12)


@pytest.mark.parametrize(
    "x, y, bandwidth, error",
    [
        (torch.zeros(1, 2), torch.zeros(5, 2), None, ValueError),  # n < 2
        (torch.randn(5, 2), torch.randn(5, 3), None, ValueError),  # dimensions differ
        (torch.randn(5, 2, 1), torch.randn(5, 2, 1), None, ValueError),  # not (n, d)
        (torch.tensor([[float("nan"), 0.0], [0.0, 0.0]]), torch.randn(3, 2), None, ValueError),
        (torch.ones(5, 2, dtype=torch.int64), torch.randn(5, 2), None, TypeError),
        ([[0.0, 1.0], [1.0, 0.0]], torch.randn(5, 2), None, TypeError),
        (torch.randn(5, 2), torch.randn(5, 2), 0.0, ValueError),
        (torch.randn(5, 2), torch.randn(5, 2), -1.0, ValueError),
        (torch.randn(5, 2), torch.randn(5, 2), float("nan"), ValueError),
        (torch.randn(5, 2), torch.randn(5, 2), "1.0", TypeError),
        (torch.zeros(5, 2), torch.zeros(5, 2), None, ValueError),  # median distance 0
    ],
)
def test_mmd2_rejects_bad_inputs(x, y, bandwidth, error) -> None:
    with pytest.raises(error):
        metrics.mmd2_unbiased(x, y, bandwidth=bandwidth)


def test_rbf_kernel_values_and_bad_inputs() -> None:
    x = torch.tensor([[0.0, 0.0], [1.0, 1.0]], dtype=torch.float64)
    y = torch.tensor([[0.0, 2.0]], dtype=torch.float64)
    expected = torch.tensor([[math.exp(-4 / 2)], [math.exp(-2 / 2)]], dtype=torch.float64)
    torch.testing.assert_close(metrics.rbf_kernel(x, y, 1.0), expected)
    with pytest.raises(ValueError):
        metrics.rbf_kernel(x, y, 0.0)
    with pytest.raises(ValueError):
        metrics.rbf_kernel(x, torch.zeros(1, 3), 1.0)


# --------------------------------------------------------------------------- Wasserstein


@pytest.mark.parametrize("n, m", [(50, 50), (40, 70), (1, 9)])
def test_wasserstein_1d_matches_scipy(n: int, m: int) -> None:
    rng = np.random.default_rng(n + m)
    u, v = rng.normal(size=n), rng.gamma(2.0, size=m)
    ours = float(metrics.wasserstein_1d(torch.from_numpy(u), torch.from_numpy(v), p=1))
    assert ours == pytest.approx(stats.wasserstein_distance(u, v), rel=1e-10)
    # In one dimension the only directions are +1 and -1: sliced = plain Wasserstein.
    sliced = float(metrics.sliced_wasserstein(torch.from_numpy(u[:, None]), torch.from_numpy(v[:, None]), p=1))
    assert sliced == pytest.approx(stats.wasserstein_distance(u, v), rel=1e-10)


def test_wasserstein_1d_order_two_unequal_sizes_matches_replication() -> None:
    # Oracle: replicate every point of u m/g times and of v n/g times (g = gcd): the two
    # empirical measures are unchanged and have equal sizes, where W_2 pairs sorted samples.
    rng = np.random.default_rng(3)
    n, m = 6, 10
    u, v = rng.normal(size=n), rng.normal(loc=1.0, scale=2.0, size=m)
    g = math.gcd(n, m)
    big_u, big_v = np.sort(np.repeat(u, m // g)), np.sort(np.repeat(v, n // g))
    expected = math.sqrt(np.mean((big_u - big_v) ** 2))
    assert float(metrics.wasserstein_1d(torch.from_numpy(u), torch.from_numpy(v))) == pytest.approx(expected)


def projection_directions(seed: int, n_projections: int, dim: int) -> torch.Tensor:
    """The directions sliced_wasserstein draws: normalised float64 Gaussians from the generator."""
    directions = torch.randn(n_projections, dim, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    return directions / directions.norm(dim=1, keepdim=True)


def test_sliced_wasserstein_of_a_shift_equals_projected_shift() -> None:
    # y = x + v: on every direction the sorted projections differ by exactly <v, theta>,
    # so W_p(theta) = |<v, theta>| and SW_2² = mean over the same directions of <v, theta>².
    x = torch.randn(300, 3, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    v = torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64)
    directions = projection_directions(7, 64, 3)
    for p in (1, 2):
        value = metrics.sliced_wasserstein(x, x + v, 64, generator=torch.Generator().manual_seed(7), p=p)
        expected = (directions @ v).abs().pow(p).mean().pow(1 / p)
        torch.testing.assert_close(value, expected)


def test_sliced_wasserstein_of_a_shift_matches_its_expectation() -> None:
    # Over theta uniform on the sphere, E <v,theta>² = |v|²/d and E <v,theta>⁴ = 3|v|⁴/(d(d+2)),
    # so SW_2² estimated with L directions has standard error |v|² sqrt((3/(d(d+2)) - 1/d²) / L).
    d, n_projections = 4, 512
    v = torch.tensor([3.0, 0.0, -1.0, 2.0], dtype=torch.float64)
    x = torch.randn(100, d, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    value = float(metrics.sliced_wasserstein(x, x + v, n_projections, generator=torch.Generator().manual_seed(2)))
    norm2 = float(v @ v)
    standard_error = norm2 * math.sqrt((3 / (d * (d + 2)) - 1 / d**2) / n_projections)
    assert abs(value**2 - norm2 / d) <= 4 * standard_error


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), scale=st.floats(-10.0, 10.0).filter(lambda a: abs(a) > 1e-3))
def test_sliced_wasserstein_symmetry_translation_and_scaling(seed: int, scale: float) -> None:
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(40, 2, generator=generator, dtype=torch.float64)
    y = torch.randn(30, 2, generator=generator, dtype=torch.float64) * 2

    def sw(a: torch.Tensor, b: torch.Tensor) -> float:
        return float(metrics.sliced_wasserstein(a, b, 16, generator=torch.Generator().manual_seed(seed)))

    base = sw(x, y)
    assert sw(y, x) == pytest.approx(base, rel=1e-10)
    c = torch.tensor([3.0, -7.0], dtype=torch.float64)
    assert sw(x + c, y + c) == pytest.approx(base, rel=1e-8)
    assert sw(scale * x, scale * y) == pytest.approx(abs(scale) * base, rel=1e-8)
    assert sw(x, x) == 0.0


def test_sliced_wasserstein_is_differentiable_and_keeps_dtype() -> None:
    x = torch.randn(50, 2, generator=torch.Generator().manual_seed(0))
    y = torch.randn(60, 2, generator=torch.Generator().manual_seed(1)).requires_grad_(True)
    value = metrics.sliced_wasserstein(x, y, generator=torch.Generator().manual_seed(2))
    assert value.dtype == torch.float32
    (gradient,) = torch.autograd.grad(value, y)
    assert torch.isfinite(gradient).all() and gradient.abs().sum() > 0


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"n_projections": 0}, ValueError),
        ({"n_projections": 2.5}, TypeError),
        ({"generator": 0}, TypeError),
        ({"p": 0.5}, ValueError),
        ({"p": "2"}, TypeError),
    ],
)
def test_sliced_wasserstein_rejects_bad_arguments(kwargs, error) -> None:
    with pytest.raises(error):
        metrics.sliced_wasserstein(torch.randn(5, 2), torch.randn(5, 2), **kwargs)


@pytest.mark.parametrize(
    "x, y, error",
    [
        (torch.randn(5, 2), torch.randn(5, 3), ValueError),
        (torch.randn(0, 2), torch.randn(5, 2), ValueError),
        (torch.randn(5), torch.randn(5), ValueError),
        (torch.full((5, 2), float("inf")), torch.randn(5, 2), ValueError),
        ([[1.0, 2.0]], torch.randn(5, 2), TypeError),
    ],
)
def test_sliced_wasserstein_rejects_bad_points(x, y, error) -> None:
    with pytest.raises(error):
        metrics.sliced_wasserstein(x, y)


def test_wasserstein_1d_rejects_bad_inputs() -> None:
    with pytest.raises(ValueError, match="one-dimensional"):
        metrics.wasserstein_1d(torch.zeros(3, 1), torch.zeros(3))
    with pytest.raises(TypeError):
        metrics.wasserstein_1d([0.0, 1.0], torch.zeros(3))
    with pytest.raises(ValueError):
        metrics.wasserstein_1d(torch.zeros(0), torch.zeros(3))


# --------------------------------------------------------------------------- Fréchet distance


def random_covariance(rng: np.random.Generator, dim: int, rank: int | None = None) -> np.ndarray:
    factor = rng.normal(size=(dim, rank or dim))
    return factor @ factor.T


def scipy_frechet(mu1, cov1, mu2, cov2) -> float:
    """Oracle: the formula with scipy.linalg.sqrtm of the non-symmetric product."""
    root = scipy.linalg.sqrtm(cov1 @ cov2)
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(cov1 + cov2 - 2 * root.real))


@pytest.mark.parametrize("dim", [1, 2, 5, 20])
def test_frechet_distance_matches_scipy_sqrtm(dim: int) -> None:
    rng = np.random.default_rng(dim)
    mu1, mu2 = rng.normal(size=dim), rng.normal(size=dim)
    cov1, cov2 = random_covariance(rng, dim), random_covariance(rng, dim)
    ours = metrics.frechet_distance(mu1, cov1, mu2, cov2)
    assert ours == pytest.approx(scipy_frechet(mu1, cov1, mu2, cov2), rel=1e-7)
    assert ours == pytest.approx(metrics.frechet_distance(mu2, cov2, mu1, cov1), rel=1e-9)


def test_frechet_distance_closed_forms() -> None:
    # Commuting (diagonal) covariances: sum_i (sqrt(a_i) - sqrt(b_i))² + |mu1 - mu2|².
    a, b = np.array([1.0, 4.0, 9.0]), np.array([4.0, 4.0, 1.0])
    mu1, mu2 = np.zeros(3), np.array([1.0, 2.0, 2.0])
    expected = 9.0 + (1 - 2) ** 2 + 0.0 + (3 - 1) ** 2
    assert metrics.frechet_distance(mu1, np.diag(a), mu2, np.diag(b)) == pytest.approx(expected)
    # Same Gaussian: 0 (also from torch inputs).
    rng = np.random.default_rng(0)
    cov = random_covariance(rng, 4)
    assert metrics.frechet_distance(torch.ones(4), torch.from_numpy(cov), torch.ones(4), torch.from_numpy(cov)) == (
        pytest.approx(0.0, abs=1e-9)
    )


def test_frechet_distance_handles_singular_covariances() -> None:
    rng = np.random.default_rng(1)
    cov1, cov2 = random_covariance(rng, 6, rank=2), random_covariance(rng, 6, rank=3)
    mu = np.zeros(6)
    ours = metrics.frechet_distance(mu, cov1, mu, cov2)
    assert ours == pytest.approx(scipy_frechet(mu, cov1, mu, cov2), rel=1e-5)


@pytest.mark.parametrize(
    "args, error",
    [
        ((np.zeros(2), np.eye(2), np.zeros(3), np.eye(3)), ValueError),  # dimensions differ
        ((np.zeros(2), np.eye(3), np.zeros(2), np.eye(2)), ValueError),  # covariance shape
        ((np.zeros(2), np.array([[1.0, 0.5], [0.0, 1.0]]), np.zeros(2), np.eye(2)), ValueError),  # asymmetric
        ((np.zeros(2), -np.eye(2), np.zeros(2), np.eye(2)), ValueError),  # not PSD
        ((np.array([np.nan, 0.0]), np.eye(2), np.zeros(2), np.eye(2)), ValueError),
        ((np.zeros((2, 1)), np.eye(2), np.zeros(2), np.eye(2)), ValueError),
        (([0.0, 0.0], np.eye(2), np.zeros(2), np.eye(2)), TypeError),
        ((np.zeros(2), "eye", np.zeros(2), np.eye(2)), TypeError),
    ],
)
def test_frechet_distance_rejects_bad_inputs(args, error) -> None:
    with pytest.raises(error):
        metrics.frechet_distance(*args)


# --------------------------------------------------------------------------- digit classifier


def test_digit_classifier_accuracy_on_held_out_digits() -> None:
    model = metrics.digit_classifier()
    _, _, test_x, test_y = digits_split(test_fraction=0.2, seed=0)
    with torch.no_grad():
        accuracy = float((model(test_x).argmax(dim=1) == test_y).double().mean())
    assert accuracy >= 0.9
    assert accuracy == pytest.approx(metrics.digit_classifier_accuracy())
    assert model.test_accuracy == metrics.digit_classifier_accuracy()
    assert metrics.digit_classifier() is model  # cached
    assert not any(parameter.requires_grad for parameter in model.parameters())


def test_digit_classifier_training_is_deterministic_and_leaves_global_state_alone() -> None:
    first = [parameter.clone() for parameter in metrics.digit_classifier().parameters()]
    metrics._train_digit_classifier.cache_clear()
    torch.manual_seed(1234)
    state, threads = torch.get_rng_state(), torch.get_num_threads()
    retrained = metrics.digit_classifier()
    assert torch.equal(state, torch.get_rng_state())
    assert torch.get_num_threads() == threads
    for old, new in zip(first, retrained.parameters(), strict=True):
        assert torch.equal(old, new)


def test_classifier_trains_even_when_first_called_without_gradients() -> None:
    metrics._train_digit_classifier.cache_clear()
    images, _ = digits()
    with torch.no_grad():
        features = metrics.digit_features(images[:5])
    assert features.shape == (5, 64)
    metrics._train_digit_classifier.cache_clear()
    with torch.inference_mode():
        assert metrics.digit_frechet_distance(images[:50], images[50:100]) > 0
    assert metrics.digit_classifier_accuracy() > 0.9


def test_digit_features_shape_and_input_layouts() -> None:
    images, _ = digits()
    features = metrics.digit_features(images[:20])
    assert features.shape == (20, 64) and features.dtype == torch.float32
    assert (features >= 0).all()  # penultimate layer is a ReLU
    torch.testing.assert_close(metrics.digit_features(images[:20, 0]), features)
    torch.testing.assert_close(metrics.digit_features(images[:20].reshape(20, 64).double().numpy()), features)
    with torch.no_grad():
        torch.testing.assert_close(metrics.digit_classifier()[:-1](images[:20]), features)


def test_digit_frechet_distance_zero_for_same_set_and_ordered_by_corruption() -> None:
    images, labels = digits()
    assert metrics.digit_frechet_distance(images, images) == pytest.approx(0.0, abs=1e-6)
    generator = torch.Generator().manual_seed(0)
    order = torch.randperm(len(images), generator=generator)
    half_a, half_b = images[order[:800]], images[order[800:1600]]
    same = metrics.digit_frechet_distance(half_a, half_b)
    noisy = metrics.digit_frechet_distance(
        half_a, (half_b + 0.3 * torch.randn(half_b.shape, generator=generator)).clamp(0, 1)
    )
    blank = metrics.digit_frechet_distance(half_a, torch.rand(800, 1, 8, 8, generator=generator))
    one_class = metrics.digit_frechet_distance(half_a, images[labels == 1])
    assert 0 < same < noisy < blank
    assert same < one_class
    assert metrics.digit_frechet_distance(half_b, half_a) == pytest.approx(same, rel=1e-6)


@pytest.mark.parametrize(
    "images, error",
    [
        (torch.rand(10, 3, 8, 8), ValueError),
        (torch.rand(10, 1, 7, 7), ValueError),
        (torch.rand(10, 1, 8, 8) * 2, ValueError),  # outside [0, 1]
        (-torch.rand(10, 1, 8, 8) - 0.1, ValueError),
        (torch.full((10, 1, 8, 8), float("nan")), ValueError),
        (torch.zeros(0, 1, 8, 8), ValueError),
        (torch.zeros(10, 1, 8, 8, dtype=torch.int64), TypeError),
        ([[0.0] * 64] * 3, TypeError),
    ],
)
def test_digit_metrics_reject_bad_images(images, error) -> None:
    with pytest.raises(error):
        metrics.digit_features(images)
    with pytest.raises(error):
        metrics.digit_frechet_distance(images, torch.rand(10, 1, 8, 8))


def test_digit_frechet_distance_needs_two_images() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        metrics.digit_frechet_distance(torch.rand(1, 1, 8, 8), torch.rand(10, 1, 8, 8))


# --------------------------------------------------------------------------- k-NN precision / recall


def brute_force_precision_recall(real: np.ndarray, fake: np.ndarray, k: int) -> tuple[float, float]:
    """Kynkäänniemi et al. (2019) with explicit loops and full sorts."""

    def radii(points: np.ndarray) -> list[float]:
        return [sorted(np.linalg.norm(points - p, axis=1))[k] for p in points]

    def coverage(queries: np.ndarray, centres: np.ndarray, centre_radii: list[float]) -> float:
        inside = [
            any(np.linalg.norm(q - c) <= r for c, r in zip(centres, centre_radii, strict=True)) for q in queries
        ]
        return float(np.mean(inside))

    return coverage(fake, real, radii(real)), coverage(real, fake, radii(fake))


@pytest.mark.parametrize("k", [1, 3, 5])
def test_knn_precision_recall_matches_brute_force(k: int) -> None:
    rng = np.random.default_rng(k)
    real = rng.normal(size=(40, 3))
    fake = rng.normal(loc=0.8, scale=0.6, size=(30, 3))
    ours = metrics.knn_precision_recall(torch.from_numpy(real), torch.from_numpy(fake), k=k)
    assert ours == pytest.approx(brute_force_precision_recall(real, fake, k))
    assert 0 < ours[0] < 1 or 0 < ours[1] < 1  # a case that is not trivially (1, 1)


def test_knn_precision_recall_identical_and_far_sets() -> None:
    real = torch.randn(500, 4, generator=torch.Generator().manual_seed(0))
    assert metrics.knn_precision_recall(real, real) == (1.0, 1.0)
    assert metrics.knn_precision_recall(real, real + 50.0) == (0.0, 0.0)
    # A collapsed generator (all samples near one real point) is precise but has no recall.
    collapsed = real[:1] + 1e-3 * torch.randn(200, 4, generator=torch.Generator().manual_seed(1))
    precision, recall = metrics.knn_precision_recall(real, collapsed)
    assert precision == 1.0 and recall < 0.05


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), scale=st.floats(0.1, 10.0), angle=st.floats(0, 2 * math.pi))
def test_knn_precision_recall_invariances(seed: int, scale: float, angle: float) -> None:
    rng = np.random.default_rng(seed)
    real, fake = rng.normal(size=(30, 2)), rng.normal(loc=0.5, size=(25, 2))
    base = metrics.knn_precision_recall(real, fake)
    swapped = metrics.knn_precision_recall(fake, real)
    assert swapped == (base[1], base[0])
    rotation = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    moved = metrics.knn_precision_recall(scale * real @ rotation.T + 3.0, scale * fake @ rotation.T + 3.0)
    # Ball membership can flip only for points within round-off of a boundary (measure zero).
    assert moved == pytest.approx(base, abs=1 / 25 + 1e-12)


@pytest.mark.parametrize(
    "real, fake, k, error",
    [
        (np.zeros((3, 2)), np.zeros((10, 2)), 3, ValueError),  # real has only k points
        (np.zeros((10, 2)), np.zeros((10, 3)), 3, ValueError),
        (np.zeros((10, 2)), np.zeros((10, 2)), 0, ValueError),
        (np.zeros((10, 2)), np.zeros((10, 2)), 2.0, TypeError),
        (np.full((10, 2), np.nan), np.zeros((10, 2)), 3, ValueError),
        (np.zeros((10, 2), dtype=np.int64), np.zeros((10, 2)), 3, TypeError),
        ([[0.0, 0.0]] * 10, np.zeros((10, 2)), 3, TypeError),
    ],
)
def test_knn_precision_recall_rejects_bad_inputs(real, fake, k, error) -> None:
    with pytest.raises(error):
        metrics.knn_precision_recall(real, fake, k=k)


def test_median_heuristic_rejects_bad_inputs() -> None:
    with pytest.raises(ValueError, match="median pairwise distance is 0"):
        metrics.median_heuristic_bandwidth(torch.zeros(4, 2), torch.zeros(3, 2))
    with pytest.raises(ValueError):
        metrics.median_heuristic_bandwidth(torch.zeros(4, 2), torch.zeros(3, 5))
    with pytest.raises(TypeError):
        metrics.median_heuristic_bandwidth(torch.zeros(4, 2, dtype=torch.int32), torch.zeros(3, 2))
