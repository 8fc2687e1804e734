"""Tests of tutorial_lib.data: exact mixture densities and scores, toy samplers, the digits."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats
from sklearn.datasets import load_digits

from tutorial_lib import data
from tutorial_lib.data import GaussianMixture


def random_mixture(seed: int, n_components: int = 3, dim: int = 2) -> GaussianMixture:
    """A mixture with random weights, means and (well-conditioned, correlated) covariances."""
    rng = np.random.default_rng(seed)
    weights = rng.dirichlet(np.ones(n_components)) * 0.9 + 0.1 / n_components
    means = rng.normal(scale=2.0, size=(n_components, dim))
    factors = rng.normal(size=(n_components, dim, dim))
    covariances = factors @ factors.transpose(0, 2, 1) + 0.3 * np.eye(dim)
    return GaussianMixture(weights, means, covariances)


def scipy_log_prob(mixture: GaussianMixture, x: np.ndarray) -> np.ndarray:
    """Oracle: log of the weighted sum of scipy's multivariate normal densities."""
    density = sum(
        float(w) * stats.multivariate_normal(mean=m.numpy(), cov=c.numpy()).pdf(x)
        for w, m, c in zip(mixture.weights, mixture.means, mixture.covariances, strict=True)
    )
    return np.log(density)


# --------------------------------------------------------------------------- GaussianMixture: density


@pytest.mark.parametrize("seed, dim", [(0, 1), (1, 2), (2, 3), (3, 5)])
def test_log_prob_matches_scipy_mixture(seed: int, dim: int) -> None:
    mixture = random_mixture(seed, dim=dim)
    x = np.random.default_rng(100 + seed).normal(scale=3.0, size=(50, dim))
    ours = mixture.log_prob(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(ours, scipy_log_prob(mixture, x), rtol=1e-10, atol=1e-10)


def test_log_prob_float32_close_to_float64() -> None:
    mixture = random_mixture(4)
    x = torch.randn(100, 2, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    low = mixture.log_prob(x.float())
    assert low.dtype == torch.float32
    np.testing.assert_allclose(low.double().numpy(), mixture.log_prob(x).numpy(), rtol=1e-5, atol=1e-5)


def test_log_prob_accepts_batch_dimensions() -> None:
    mixture = random_mixture(5)
    x = torch.randn(4, 6, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    batched = mixture.log_prob(x)
    assert batched.shape == (4, 6)
    torch.testing.assert_close(batched.reshape(-1), mixture.log_prob(x.reshape(-1, 2)))


def test_log_prob_and_score_finite_far_from_the_modes() -> None:
    # Naive sums of densities underflow to log(0) = -inf here; log-sum-exp must not.
    mixture = data.two_mode_mixture()
    x = torch.tensor([[300.0, -400.0], [1e4, 1e4]], dtype=torch.float64)
    log_p = mixture.log_prob(x)
    assert torch.isfinite(log_p).all()
    # Far away the nearest component dominates: log p ~ log w_k + log N(x; m_k, I).
    expected = math.log(0.8) - math.log(2 * math.pi) - 0.5 * ((1e4 - 5) ** 2) * 2
    assert float(log_p[1]) == pytest.approx(expected, rel=1e-12)
    score = mixture.score(x)
    assert torch.isfinite(score).all()
    torch.testing.assert_close(score[1], -(x[1] - 5.0))


def test_log_prob_integrates_to_one_in_one_dimension() -> None:
    mixture = random_mixture(6, dim=1)
    total, error = integrate.quad(
        lambda t: math.exp(float(mixture.log_prob(torch.tensor([[t]], dtype=torch.float64))[0])), -40, 40
    )
    assert total == pytest.approx(1.0, abs=1e-7)


# --------------------------------------------------------------------------- GaussianMixture: score


@pytest.mark.parametrize("seed, dim", [(0, 1), (1, 2), (7, 4)])
def test_score_matches_autograd_of_log_prob(seed: int, dim: int) -> None:
    mixture = random_mixture(seed, dim=dim)
    x = torch.randn(64, dim, dtype=torch.float64, generator=torch.Generator().manual_seed(seed)) * 3
    x.requires_grad_(True)
    (gradient,) = torch.autograd.grad(mixture.log_prob(x).sum(), x)
    torch.testing.assert_close(mixture.score(x.detach()), gradient, rtol=1e-10, atol=1e-10)


def test_score_matches_central_finite_differences() -> None:
    # Central differences have error O(h^2 * third derivative) ~ 1e-10 at h = 1e-5,
    # plus round-off ~ 1e-16 / h ~ 1e-11: a tolerance of 1e-7 leaves a wide margin.
    mixture = random_mixture(8, dim=3)
    x = torch.randn(20, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    h = 1e-5
    numerical = torch.stack(
        [
            (mixture.log_prob(x + h * e) - mixture.log_prob(x - h * e)) / (2 * h)
            for e in torch.eye(3, dtype=torch.float64)
        ],
        dim=1,
    )
    torch.testing.assert_close(mixture.score(x), numerical, rtol=1e-7, atol=1e-7)


def test_score_of_standard_normal_is_minus_x() -> None:
    standard = GaussianMixture([1.0], [[0.0, 0.0, 0.0]], [np.eye(3)])
    x = torch.randn(10, 3, generator=torch.Generator().manual_seed(0))
    torch.testing.assert_close(standard.score(x), -x)


def test_score_follows_input_dtype() -> None:
    mixture = data.eight_gaussians_mixture()
    for dtype in (torch.float32, torch.float64):
        x = torch.zeros(3, 2, dtype=dtype) + 0.5
        assert mixture.score(x).dtype == dtype
        assert mixture.log_prob(x).dtype == dtype


# --------------------------------------------------------------------------- perturbed


def test_perturbed_covariances_closed_form() -> None:
    mixture = random_mixture(9)
    sigma = 0.7
    noisy = mixture.perturbed(sigma)
    torch.testing.assert_close(noisy.covariances, mixture.covariances + sigma**2 * torch.eye(2, dtype=torch.float64))
    torch.testing.assert_close(noisy.means, mixture.means)
    torch.testing.assert_close(noisy.weights, mixture.weights)
    torch.testing.assert_close(noisy.covariance, mixture.covariance + sigma**2 * torch.eye(2, dtype=torch.float64))
    torch.testing.assert_close(mixture.perturbed(0.0).log_prob(torch.ones(1, 2)), mixture.log_prob(torch.ones(1, 2)))


def test_perturbed_density_is_the_convolution_in_one_dimension() -> None:
    # Oracle: p_sigma(y) = integral of p(x) N(y - x; 0, sigma^2) dx by quadrature.
    mixture = random_mixture(10, dim=1)
    sigma = 0.8
    noisy = mixture.perturbed(sigma)
    for y in (-3.0, 0.0, 1.7):
        convolution, _ = integrate.quad(
            lambda t, y=y: math.exp(float(mixture.log_prob(torch.tensor([[t]], dtype=torch.float64))[0]))
            * stats.norm.pdf(y - t, scale=sigma),
            -40,
            40,
        )
        value = math.exp(float(noisy.log_prob(torch.tensor([[y]], dtype=torch.float64))[0]))
        assert value == pytest.approx(convolution, rel=1e-7)


def sample_covariance_tolerance(x: np.ndarray, n_se: float = 5.0) -> np.ndarray:
    """n_se standard errors of each entry of the sample covariance.

    Entry (i, j) is (approximately) the mean of Z = (x_i - mean_i)(x_j - mean_j), so its
    standard error is std(Z) / sqrt(n); 5 SE makes a false failure (over 3 to 10 entries)
    rarer than 1e-5.
    """
    centred = x - x.mean(axis=0)
    products = centred[:, :, None] * centred[:, None, :]
    return n_se * products.std(axis=0) / math.sqrt(len(x))


def test_perturbed_sample_covariance_matches_closed_form() -> None:
    mixture = random_mixture(11)
    sigma = 1.3
    generator = torch.Generator().manual_seed(0)
    clean = mixture.sample(40_000, generator=generator, dtype=torch.float64)
    noisy = (clean + sigma * torch.randn(clean.shape, generator=generator, dtype=torch.float64)).numpy()
    expected = mixture.perturbed(sigma).covariance.numpy()
    assert np.all(np.abs(np.cov(noisy, rowvar=False) - expected) <= sample_covariance_tolerance(noisy))
    # And sampling the perturbed mixture directly gives the same second moments.
    direct = mixture.perturbed(sigma).sample(40_000, generator=generator, dtype=torch.float64).numpy()
    assert np.all(np.abs(np.cov(direct, rowvar=False) - expected) <= sample_covariance_tolerance(direct))


# --------------------------------------------------------------------------- sampling


def test_sample_mean_and_covariance_match_mixture_moments() -> None:
    mixture = random_mixture(12, dim=3)
    x = mixture.sample(40_000, generator=torch.Generator().manual_seed(1), dtype=torch.float64).numpy()
    # Mean: 5 standard errors sqrt(diag(cov) / n) per coordinate.
    mean_tolerance = 5 * np.sqrt(np.diag(mixture.covariance.numpy()) / len(x))
    assert np.all(np.abs(x.mean(axis=0) - mixture.mean.numpy()) <= mean_tolerance)
    assert np.all(np.abs(np.cov(x, rowvar=False) - mixture.covariance.numpy()) <= sample_covariance_tolerance(x))


def test_two_mode_weights_within_binomial_error() -> None:
    # The fraction of samples from the first mode is Binomial(n, 0.8) / n with standard error
    # sqrt(0.8 * 0.2 / n) = 0.0028 at n = 20 000; we allow 4 SE (false failure rate 6e-5).
    n = 20_000
    x, component = data.two_mode_mixture().sample_with_labels(n, generator=torch.Generator().manual_seed(3))
    tolerance = 4 * math.sqrt(0.8 * 0.2 / n)
    assert abs(float((component == 0).double().mean()) - 0.8) <= tolerance
    # The modes are 10 standard deviations apart: the sign of x_1 identifies the component.
    assert torch.equal(x[:, 0] > 0, component == 0)


def test_eight_gaussians_mode_weights_within_binomial_error() -> None:
    n = 16_000
    _, component = data.eight_gaussians_mixture().sample_with_labels(n, generator=torch.Generator().manual_seed(4))
    fractions = torch.bincount(component, minlength=8).double() / n
    # Each fraction has SE sqrt(1/8 * 7/8 / n) = 0.0026; 4.5 SE over 8 fractions: false failure < 6e-5.
    assert torch.all((fractions - 1 / 8).abs() <= 4.5 * math.sqrt(7 / 64 / n))


def test_sample_is_reproducible_and_leaves_global_state_alone() -> None:
    mixture = random_mixture(13)
    state = torch.get_rng_state()
    first = mixture.sample(50, generator=torch.Generator().manual_seed(5))
    second = mixture.sample(50, generator=torch.Generator().manual_seed(5))
    assert torch.equal(first, second)
    assert torch.equal(state, torch.get_rng_state())
    assert first.dtype == torch.float32 and first.device.type == "cpu"
    assert mixture.sample(3, dtype=torch.float64).dtype == torch.float64


def test_sample_uses_global_generator_by_default() -> None:
    mixture = random_mixture(14)
    torch.manual_seed(0)
    first = mixture.sample(10)
    torch.manual_seed(0)
    assert torch.equal(first, mixture.sample(10))


def test_eight_gaussians_geometry() -> None:
    mixture = data.eight_gaussians_mixture(radius=3.0, std=0.2)
    assert mixture.n_components == 8 and mixture.dim == 2
    torch.testing.assert_close(mixture.means.norm(dim=1), torch.full((8,), 3.0, dtype=torch.float64))
    torch.testing.assert_close(mixture.covariances, 0.04 * torch.eye(2, dtype=torch.float64).expand(8, 2, 2))
    torch.testing.assert_close(mixture.weights, torch.full((8,), 1 / 8, dtype=torch.float64))


def test_two_mode_mixture_is_the_ncsn_case() -> None:
    mixture = data.two_mode_mixture()
    torch.testing.assert_close(mixture.weights, torch.tensor([0.8, 0.2], dtype=torch.float64))
    torch.testing.assert_close(mixture.means, torch.tensor([[5.0, 5.0], [-5.0, -5.0]], dtype=torch.float64))
    torch.testing.assert_close(mixture.covariances, torch.eye(2, dtype=torch.float64).expand(2, 2, 2))


# --------------------------------------------------------------------------- properties


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), permutation_seed=st.integers(0, 10_000))
def test_log_prob_invariant_under_component_permutation(seed: int, permutation_seed: int) -> None:
    mixture = random_mixture(seed)
    order = torch.from_numpy(np.random.default_rng(permutation_seed).permutation(3))
    permuted = GaussianMixture(mixture.weights[order], mixture.means[order], mixture.covariances[order])
    x = torch.randn(20, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(seed))
    torch.testing.assert_close(permuted.log_prob(x), mixture.log_prob(x))
    torch.testing.assert_close(permuted.score(x), mixture.score(x))


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    shift=st.lists(st.floats(-50, 50), min_size=2, max_size=2),
)
def test_log_prob_and_score_translation_equivariant(seed: int, shift: list[float]) -> None:
    mixture = random_mixture(seed)
    c = torch.tensor(shift, dtype=torch.float64)
    moved = GaussianMixture(mixture.weights, mixture.means + c, mixture.covariances)
    x = torch.randn(20, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(seed))
    torch.testing.assert_close(moved.log_prob(x + c), mixture.log_prob(x))
    torch.testing.assert_close(moved.score(x + c), mixture.score(x))


# --------------------------------------------------------------------------- bad inputs: mixture


@pytest.mark.parametrize(
    "weights, means, covariances, error",
    [
        ([0.5, 0.5], [[0.0, 0.0]], [np.eye(2)], ValueError),  # K disagrees
        ([1.0], [[0.0, 0.0]], [np.eye(3)], ValueError),  # d disagrees
        ([1.0], [0.0, 0.0], [np.eye(2)], ValueError),  # means not (K, d)
        ([], np.zeros((0, 2)), np.zeros((0, 2, 2)), ValueError),  # empty
        ([0.6, 0.6], [[0.0], [1.0]], [[[1.0]], [[1.0]]], ValueError),  # sum != 1
        ([1.5, -0.5], [[0.0], [1.0]], [[[1.0]], [[1.0]]], ValueError),  # negative weight
        ([1.0], [[np.nan]], [[[1.0]]], ValueError),  # NaN
        ([1.0], [[0.0, 0.0]], [[[1.0, 0.5], [0.0, 1.0]]], ValueError),  # not symmetric
        ([1.0], [[0.0, 0.0]], [[[1.0, 2.0], [2.0, 1.0]]], ValueError),  # not positive definite
        ("abc", [[0.0]], [[[1.0]]], TypeError),  # not numeric
        (torch.tensor([True]), [[0.0]], [[[1.0]]], TypeError),  # boolean tensor
    ],
)
def test_mixture_rejects_bad_parameters(weights, means, covariances, error) -> None:
    with pytest.raises(error):
        GaussianMixture(weights, means, covariances)


@pytest.mark.parametrize("method", ["log_prob", "score"])
def test_log_prob_and_score_reject_bad_points(method: str) -> None:
    function = getattr(data.eight_gaussians_mixture(), method)
    with pytest.raises(TypeError, match="torch.Tensor"):
        function(np.zeros((3, 2)))
    with pytest.raises(TypeError, match="floating"):
        function(torch.zeros(3, 2, dtype=torch.int64))
    with pytest.raises(ValueError, match="shape"):
        function(torch.zeros(3, 3))
    with pytest.raises(ValueError, match="at least one point"):
        function(torch.zeros(0, 2))
    with pytest.raises(ValueError, match="finite"):
        function(torch.tensor([[0.0, float("nan")]]))


def test_sample_and_perturbed_reject_bad_arguments() -> None:
    mixture = data.two_mode_mixture()
    with pytest.raises(ValueError, match="at least 1"):
        mixture.sample(0)
    with pytest.raises(TypeError, match="int"):
        mixture.sample(2.5)
    with pytest.raises(TypeError, match="int"):
        mixture.sample(True)
    with pytest.raises(TypeError, match="Generator"):
        mixture.sample(3, generator=0)
    with pytest.raises(TypeError, match="dtype"):
        mixture.sample(3, dtype=torch.int64)
    with pytest.raises(ValueError, match=">= 0"):
        mixture.perturbed(-0.1)
    with pytest.raises(ValueError, match="finite"):
        mixture.perturbed(float("nan"))
    with pytest.raises(TypeError, match="real number"):
        mixture.perturbed("0.1")


@pytest.mark.parametrize("radius, std", [(0.0, 0.1), (2.0, -1.0), (float("inf"), 0.1)])
def test_eight_gaussians_rejects_bad_scales(radius: float, std: float) -> None:
    with pytest.raises(ValueError):
        data.eight_gaussians_mixture(radius, std)


# --------------------------------------------------------------------------- sample-only toys


@pytest.mark.parametrize("name", list(data.TOY_NAMES))
def test_toy_shapes_dtype_and_reproducibility(name: str) -> None:
    first = data.toy(name, 257, generator=torch.Generator().manual_seed(0))
    second = data.toy(name, 257, generator=torch.Generator().manual_seed(0))
    assert first.shape == (257, 2) and first.dtype == torch.float32
    assert torch.equal(first, second)
    assert torch.isfinite(first).all()
    assert not torch.equal(first, data.toy(name, 257, generator=torch.Generator().manual_seed(1)))


def test_toy_rejects_unknown_names() -> None:
    with pytest.raises(ValueError, match="unknown toy"):
        data.toy("spiral", 10)
    with pytest.raises(TypeError, match="string"):
        data.toy(3, 10)


def test_two_moons_without_noise_lies_on_the_two_half_circles() -> None:
    x = data.two_moons(2000, noise=0.0, generator=torch.Generator().manual_seed(0)).double()
    p = (x - torch.tensor([-1.0, -0.25], dtype=torch.float64)) / 2  # back to make_moons coordinates
    upper = ((p.norm(dim=1) - 1).abs() < 1e-5) & (p[:, 1] >= -1e-6)
    lower = (((p - torch.tensor([1.0, 0.5], dtype=torch.float64)).norm(dim=1) - 1).abs() < 1e-5) & (
        p[:, 1] <= 0.5 + 1e-6
    )
    assert torch.all(upper | lower)
    # Each moon has probability 1/2: SE sqrt(0.25 / 2000) = 0.011; allow 4 SE.
    assert abs(float(upper.double().mean()) - 0.5) <= 4 * math.sqrt(0.25 / 2000)


def test_two_moons_noise_has_the_requested_scale() -> None:
    generator = torch.Generator().manual_seed(1)
    clean = data.two_moons(5000, noise=0.0, generator=torch.Generator().manual_seed(1))
    noisy = data.two_moons(5000, noise=0.3, generator=generator)
    # Same seed, so the same angles and moons: the difference is the noise, N(0, 0.09) per coordinate.
    residual = (noisy - clean).double().flatten()
    # Sample std of 10 000 normals has SE 0.3 / sqrt(2 * 10 000) = 0.0021; allow 5 SE.
    assert abs(float(residual.std()) - 0.3) <= 5 * 0.3 / math.sqrt(2 * residual.numel())


def test_swiss_roll_without_noise_lies_on_the_spiral() -> None:
    x = data.swiss_roll(1000, noise=0.0, generator=torch.Generator().manual_seed(0)).double()
    t = 5 * x.norm(dim=1)  # radius = t / 5
    assert torch.all((t >= 1.5 * math.pi - 1e-4) & (t <= 4.5 * math.pi + 1e-4))
    torch.testing.assert_close(x, torch.stack([t * torch.cos(t), t * torch.sin(t)], dim=1) / 5, atol=1e-4, rtol=0)


def test_checkerboard_is_uniform_on_dark_squares() -> None:
    n = 16_000
    x = data.checkerboard(n, generator=torch.Generator().manual_seed(0)).double()
    assert torch.all(x.abs() <= 4.0)
    cells = torch.floor((x + 4) / 2).long()
    assert torch.all((cells.sum(dim=1) % 2) == 0)
    counts = torch.bincount(cells[:, 0] * 4 + cells[:, 1], minlength=16).double()
    dark = counts[counts > 0]
    assert len(dark) == 8
    # Each of the 8 dark cells has probability 1/8: SE sqrt(7/64 / n); 4.5 SE per cell.
    assert torch.all((dark / n - 1 / 8).abs() <= 4.5 * math.sqrt(7 / 64 / n))


def test_rings_radii_and_ring_weights() -> None:
    n = 20_000
    radii = data.rings(n, n_rings=3, max_radius=3.0, noise=0.0, generator=torch.Generator().manual_seed(0)).norm(dim=1)
    ring = torch.round(radii).long()  # radii 1, 2, 3 exactly
    torch.testing.assert_close(radii.double(), ring.double(), atol=1e-5, rtol=0)
    fractions = torch.bincount(ring, minlength=4)[1:].double() / n
    expected = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64) / 6
    standard_errors = torch.sqrt(expected * (1 - expected) / n)
    assert torch.all((fractions - expected).abs() <= 4.5 * standard_errors)


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda: data.two_moons(0), ValueError),
        (lambda: data.two_moons(10, noise=-0.1), ValueError),
        (lambda: data.two_moons(10, noise="a"), TypeError),
        (lambda: data.two_moons(10, generator=np.random.default_rng(0)), TypeError),
        (lambda: data.swiss_roll(-1), ValueError),
        (lambda: data.swiss_roll(10, noise=float("nan")), ValueError),
        (lambda: data.checkerboard(10, squares=1), ValueError),
        (lambda: data.checkerboard(10, squares=2.0), TypeError),
        (lambda: data.checkerboard(10, half_width=0.0), ValueError),
        (lambda: data.rings(10, n_rings=0), ValueError),
        (lambda: data.rings(10, max_radius=-1.0), ValueError),
        (lambda: data.rings(5.0), TypeError),
    ],
)
def test_toy_samplers_reject_bad_arguments(call, error) -> None:
    with pytest.raises(error):
        call()


# --------------------------------------------------------------------------- digits


def test_digits_shape_range_and_labels() -> None:
    images, labels = data.digits()
    assert images.shape == (1797, 1, 8, 8) and images.dtype == torch.float32
    assert labels.shape == (1797,) and labels.dtype == torch.int64
    assert data.N_DIGITS == 1797
    assert float(images.min()) == 0.0 and float(images.max()) == 1.0
    assert sorted(labels.unique().tolist()) == list(range(10))
    # Values are raw counts 0..16 divided by 16, matching scikit-learn's bundled files.
    raw = load_digits()
    np.testing.assert_array_equal(images[:, 0].numpy() * 16, raw.images.astype(np.float32))
    np.testing.assert_array_equal(labels.numpy(), raw.target)


def test_digits_returns_independent_copies() -> None:
    images, labels = data.digits()
    images.zero_()
    labels.zero_()
    fresh_images, fresh_labels = data.digits()
    assert float(fresh_images.max()) == 1.0 and int(fresh_labels.max()) == 9


def test_digits_split_is_a_deterministic_stratified_partition() -> None:
    images, labels = data.digits()
    train_x, train_y, test_x, test_y = data.digits_split(test_fraction=0.25, seed=3)
    assert len(test_y) == math.ceil(0.25 * 1797) and len(train_y) + len(test_y) == 1797
    # A partition: every image appears exactly once (compare the images as rows).
    together = torch.cat([train_x, test_x]).reshape(1797, -1)
    assert sorted(map(tuple, together.tolist())) == sorted(map(tuple, images.reshape(1797, -1).tolist()))
    # Stratified: each class keeps its proportion to within one image.
    for digit in range(10):
        assert abs(int((test_y == digit).sum()) - 0.25 * int((labels == digit).sum())) <= 1
    again = data.digits_split(test_fraction=0.25, seed=3)
    assert torch.equal(again[3], test_y) and torch.equal(again[2], test_x)
    assert not torch.equal(data.digits_split(test_fraction=0.25, seed=4)[2], test_x)


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"test_fraction": 0.0}, ValueError),
        ({"test_fraction": 1.0}, ValueError),
        ({"test_fraction": 0.001}, ValueError),
        ({"test_fraction": "0.2"}, TypeError),
        ({"seed": -1}, ValueError),
        ({"seed": 1.5}, TypeError),
    ],
)
def test_digits_split_rejects_bad_arguments(kwargs, error) -> None:
    with pytest.raises(error):
        data.digits_split(**kwargs)
