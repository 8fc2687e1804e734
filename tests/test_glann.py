"""tutorial_lib.glann: smooth minimum, kernel likelihood, IMLE, GLO and the Gaussian baseline.

Oracles: closed forms (the smooth-minimum bounds, attained with ties and with far-apart
values), brute force (``torch.cdist`` + ``argmin`` for the matching), scikit-learn
(``KernelDensity`` for the Gaussian-kernel likelihood, ``PCA(whiten=True)`` for the PCA
codes). The one Monte Carlo test (the Gaussian fit) uses 5 standard errors: a correct fit
fails such a check with probability below 1e-6 per coordinate, and the seeds are fixed.
"""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.decomposition import PCA
from sklearn.neighbors import KernelDensity

from tutorial_lib.exercises.glann import check_imle_match, check_project_to_sphere, check_smooth_min
from tutorial_lib.glann import (
    GLO,
    GaussianLatentSampler,
    gaussian_kernel_log_likelihood,
    glo_step,
    imle_loss,
    imle_margin_loss,
    imle_match,
    imle_step,
    pca_codes,
    project_to_sphere,
    reconstruction_loss,
    smooth_min,
    squared_distances,
)
from tutorial_lib.nn.generators import MLPGenerator, MLPMapper

FAST = settings(max_examples=25, deadline=None)
DTYPES = [torch.float32, torch.float64]


def randn(*shape, seed=0, dtype=torch.float64):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=dtype)


def brute_force_match(real, generated):
    return torch.cdist(real.double(), generated.double()).argmin(dim=1)


# ---- smooth minimum ----------------------------------------------------------------------------

values = arrays(np.float64, st.integers(1, 30), elements=st.floats(0.0, 50.0))


@FAST
@given(d=values, sigma=st.floats(0.01, 10.0))
def test_smooth_min_bounds(d, sigma):
    # min_j d_j - 2 sigma^2 log m <= smooth_min <= min_j d_j (eq. glann-smooth-min-bounds)
    t = torch.as_tensor(d)
    s, lowest = smooth_min(t, sigma).item(), float(d.min())
    tol = 1e-9 * (1 + abs(lowest))
    assert lowest - 2 * sigma**2 * math.log(len(d)) - tol <= s <= lowest + tol


@pytest.mark.parametrize("m", [1, 2, 7])
def test_smooth_min_lower_bound_attained_by_ties(m):
    # all values equal: the sum is m e^{-d/2s^2}, so smooth_min = d - 2 s^2 log m exactly
    sigma = 0.7
    s = smooth_min(torch.full((m,), 3.0, dtype=torch.float64), sigma).item()
    assert s == pytest.approx(3.0 - 2 * sigma**2 * math.log(m), abs=1e-12)


def test_smooth_min_upper_bound_attained_by_far_values():
    # the other terms are e^{-100/(2 0.1^2)} = e^{-5000}: nothing left of them in float64
    assert smooth_min(torch.tensor([2.0, 102.0, 500.0], dtype=torch.float64), 0.1).item() == 2.0


@pytest.mark.parametrize("dtype", DTYPES)
def test_smooth_min_tends_to_min_as_sigma_vanishes(dtype):
    d = torch.tensor([[0.5, 0.52, 3.0], [2.0, 1.0, 1.0]], dtype=dtype)
    exact = d.amin(dim=1)
    gaps = [(exact - smooth_min(d, sigma)).abs().max().item() for sigma in (1.0, 0.3, 0.1, 0.03)]
    assert all(a > b for a, b in zip(gaps, gaps[1:], strict=False)), gaps  # the gap shrinks with sigma
    assert gaps[-1] <= 2 * 0.03**2 * math.log(3) + 1e-6  # and is within the bound 2 sigma^2 log m
    assert torch.equal(smooth_min(d, 0.0), exact)  # sigma = 0 is the limit itself


def test_smooth_min_is_finite_where_the_naive_formula_underflows():
    d = torch.tensor([400.0, 900.0])
    naive = -2 * 0.01**2 * torch.log(torch.exp(-d / (2 * 0.01**2)).sum())
    assert torch.isinf(naive)  # the trap the exercise checker sets
    assert smooth_min(d, 0.01).item() == pytest.approx(400.0)


def test_smooth_min_gradient_is_the_softmax_weights():
    d = torch.tensor([0.3, 1.0, 2.5], dtype=torch.float64, requires_grad=True)
    smooth_min(d, 0.8).backward()
    expected = torch.softmax(-d.detach() / (2 * 0.8**2), dim=0)
    assert torch.allclose(d.grad, expected)
    assert d.grad.sum().item() == pytest.approx(1.0)


def test_smooth_min_reduces_the_requested_dimension():
    d = randn(3, 4, 5).abs()
    assert smooth_min(d, 0.5, dim=1).shape == (3, 5)
    assert torch.allclose(smooth_min(d, 0.5, dim=1), smooth_min(d.transpose(1, 2), 0.5, dim=-1))


# ---- the Gaussian-kernel likelihood and its limit ----------------------------------------------


@pytest.mark.parametrize("sigma", [0.3, 1.0, 2.0])
@pytest.mark.parametrize("dim", [1, 3])
def test_kernel_log_likelihood_matches_sklearn(sigma, dim):
    real, generated = randn(20, dim, seed=1), randn(15, dim, seed=2)
    ours = gaussian_kernel_log_likelihood(real, generated, sigma).numpy()
    oracle = KernelDensity(bandwidth=sigma, kernel="gaussian").fit(generated.numpy()).score_samples(real.numpy())
    np.testing.assert_allclose(ours, oracle, rtol=1e-10, atol=1e-10)


def test_kernel_likelihood_loss_and_gradient_tend_to_imle():
    # -2 s^2 [log q_s(x) + (d/2) log(2 pi s^2) + log m] = smooth_min_s -> min_j |x - g_j|^2 (proposition)
    real = randn(12, 2, seed=3)
    generated = randn(30, 2, seed=4).requires_grad_(True)
    imle = imle_loss(real, generated)
    (imle_grad,) = torch.autograd.grad(imle, generated)
    n, m, d = 12, 30, 2
    for sigma, tol in [(0.05, 1e-2), (0.01, 1e-5)]:
        ll = gaussian_kernel_log_likelihood(real, generated, sigma)
        surrogate = (-2 * sigma**2 * (ll + 0.5 * d * math.log(2 * math.pi * sigma**2) + math.log(m))).sum() / n
        (grad,) = torch.autograd.grad(surrogate, generated)
        assert abs(surrogate.item() - imle.item()) < tol
        assert (grad - imle_grad).abs().max().item() < 10 * tol


# ---- matching ----------------------------------------------------------------------------------


@pytest.mark.parametrize("n,m,d", [(1, 1, 1), (50, 20, 2), (30, 80, 16)])
@pytest.mark.parametrize("dtype", DTYPES)
def test_imle_match_equals_brute_force(n, m, d, dtype):
    real, generated = randn(n, d, seed=5, dtype=dtype), randn(m, d, seed=6, dtype=dtype)
    index = imle_match(real, generated)
    assert index.dtype == torch.int64 and index.shape == (n,) and index.device == real.device
    assert torch.equal(index, brute_force_match(real, generated))


points = st.integers(1, 6).flatmap(
    lambda d: st.tuples(
        arrays(np.float64, st.tuples(st.integers(1, 25), st.just(d)), elements=st.integers(-5, 5).map(float)),
        arrays(np.float64, st.tuples(st.integers(1, 25), st.just(d)), elements=st.integers(-5, 5).map(float)),
    )
)


@FAST
@given(pair=points)
def test_imle_match_finds_a_nearest_sample_even_with_ties(pair):
    # integer coordinates make ties common: the index may differ from argmin's, the distance may not
    real, generated = (torch.as_tensor(a) for a in pair)
    index = imle_match(real, generated)
    distances = torch.cdist(real, generated)
    assert torch.equal(distances[torch.arange(len(real)), index], distances.min(dim=1).values)


@FAST
@given(seed=st.integers(0, 10_000))
def test_imle_match_follows_a_permutation_of_the_samples(seed):
    real, generated = randn(10, 3, seed=seed), randn(17, 3, seed=seed + 1)
    perm = torch.randperm(17, generator=torch.Generator().manual_seed(seed))
    # generated[perm][k] = generated[perm[k]]: the matched sample stays the same point
    assert torch.equal(perm[imle_match(real, generated[perm])], imle_match(real, generated))


# ---- the IMLE loss -----------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
def test_imle_loss_is_zero_when_every_real_point_has_a_coincident_sample(dtype):
    real = randn(8, 3, seed=7, dtype=dtype)
    extra = randn(5, 3, seed=8, dtype=dtype)
    generated = torch.cat([extra, real])[torch.randperm(13, generator=torch.Generator().manual_seed(0))]
    assert imle_loss(real, generated).item() == 0.0


def test_imle_loss_is_positive_as_soon_as_one_real_point_has_no_coincident_sample():
    real = randn(8, 3, seed=7)
    generated = torch.cat([randn(5, 3, seed=8), real])
    generated[-1] += 1e-3  # move the sample of the last real point slightly
    loss = imle_loss(real, generated).item()
    assert 0 < loss <= 3 * 1e-6 / 8


@pytest.mark.parametrize("dtype", DTYPES)
def test_imle_loss_equals_the_mean_nearest_squared_distance(dtype):
    real, generated = randn(40, 4, seed=9, dtype=dtype), randn(25, 4, seed=10, dtype=dtype)
    expected = squared_distances(real, generated).min(dim=1).values.mean()
    assert torch.allclose(imle_loss(real, generated), expected, rtol=1e-5)


def test_imle_loss_gradient_flows_to_the_matched_samples_only():
    real = randn(6, 2, seed=11).requires_grad_(True)
    generated = randn(10, 2, seed=12).requires_grad_(True)
    imle_loss(real, generated).backward()
    assert real.grad is None  # the real points are data
    index = brute_force_match(real.detach(), generated.detach())
    expected = torch.zeros_like(generated)
    expected.index_add_(0, index, -2 * (real.detach() - generated.detach()[index]) / 6)
    assert torch.allclose(generated.grad, expected)
    unclaimed = torch.ones(10, dtype=torch.bool)
    unclaimed[index] = False
    assert unclaimed.any() and (generated.grad[unclaimed] == 0).all()


def test_imle_loss_uses_given_indices():
    real, generated = randn(3, 2, seed=13), randn(4, 2, seed=14)
    indices = torch.tensor([3, 3, 0])
    expected = (real - generated[indices]).square().sum(dim=1).mean()
    assert torch.allclose(imle_loss(real, generated, indices), expected)


# ---- the post's margin variant -----------------------------------------------------------------


def test_imle_margin_loss_matches_the_formula():
    real, g, g_other = randn(20, 2, seed=15), randn(12, 2, seed=16), randn(9, 2, seed=17)
    margin = 0.5
    pull = torch.cdist(g, real).square().min(dim=1).values
    spread = torch.cdist(g, g_other).square().min(dim=1).values
    expected = (pull + torch.relu(margin - spread)).mean()
    assert torch.allclose(imle_margin_loss(real, g, g_other, margin), expected)
    assert torch.allclose(imle_margin_loss(real, g, g_other, 0.0), pull.mean())


def test_imle_margin_loss_gradient_reaches_both_batches_not_the_data():
    real = randn(5, 2, seed=18).requires_grad_(True)
    g = (0.01 * randn(6, 2, seed=19)).requires_grad_(True)  # close together: the margin is active
    g_other = (0.01 * randn(6, 2, seed=20)).requires_grad_(True)
    imle_margin_loss(real, g, g_other, 1.0).backward()
    assert real.grad is None
    assert g.grad.abs().sum() > 0 and g_other.grad.abs().sum() > 0


# ---- projection, PCA codes, GLO ----------------------------------------------------------------


@FAST
@given(z=arrays(np.float64, st.tuples(st.integers(1, 10), st.integers(1, 8)), elements=st.floats(-1e3, 1e3)),
       scale=st.floats(1e-3, 1e3))
def test_projection_is_unit_norm_idempotent_and_scale_invariant(z, scale):
    z = torch.as_tensor(z)
    if (torch.linalg.vector_norm(z, dim=1) < 1e-100).any():
        return  # zero rows are rejected: tested below
    p = project_to_sphere(z)
    assert torch.allclose(p.norm(dim=1), torch.ones(len(z), dtype=z.dtype))
    assert torch.allclose(project_to_sphere(p), p)
    assert torch.allclose(project_to_sphere(scale * z), p)


@pytest.mark.parametrize("dtype", DTYPES)
def test_projection_keeps_dtype_and_shape(dtype):
    z = randn(2, 3, 4, dtype=dtype)
    p = project_to_sphere(z)
    assert p.dtype == dtype and p.shape == z.shape
    assert torch.allclose(p.norm(dim=-1), torch.ones(2, 3, dtype=dtype))


def test_pca_codes_match_sklearn_whitened_pca():
    images = torch.rand(60, 1, 4, 4, generator=torch.Generator().manual_seed(21), dtype=torch.float64)
    ours = pca_codes(images, 5).numpy()
    oracle = PCA(n_components=5, whiten=True, svd_solver="full").fit_transform(images.reshape(60, -1).numpy())
    signs = np.sign((ours * oracle).sum(axis=0))  # each axis is defined up to its sign
    np.testing.assert_allclose(ours * signs, oracle, atol=1e-8)
    np.testing.assert_allclose(ours.var(axis=0, ddof=1), 1.0)


def test_glo_codes_stay_on_the_sphere_and_training_reduces_the_loss():
    torch.manual_seed(0)
    images = torch.rand(16, 1, 8, 8, generator=torch.Generator().manual_seed(22))
    glo = GLO(MLPGenerator(latent_dim=4, hidden=(32,)), 16, 4, generator=torch.Generator().manual_seed(23))
    assert torch.allclose(glo.latent_codes.norm(dim=1), torch.ones(16))
    optimizer = torch.optim.Adam(glo.parameters(), lr=1e-2)
    index = torch.arange(16)
    losses = [glo_step(glo, optimizer, images, index) for _ in range(30)]
    assert losses[-1] < losses[0]
    assert torch.allclose(glo.latent_codes.norm(dim=1), torch.ones(16), atol=1e-6)
    assert glo(index[:3]).shape == (3, 1, 8, 8)
    assert not glo.latent_codes.requires_grad


def test_glo_uses_the_given_codes_projected():
    init = randn(5, 3, seed=24, dtype=torch.float32)
    glo = GLO(MLPGenerator(latent_dim=3), 5, 3, init_codes=init)
    assert torch.allclose(glo.latent_codes, project_to_sphere(init))


def test_reconstruction_loss_sums_pixels_and_averages_images():
    x = torch.zeros(2, 1, 2, 2)
    y = torch.tensor([[[[1.0, 0.0], [0.0, 0.0]]], [[[1.0, 1.0], [1.0, 0.0]]]])
    assert reconstruction_loss(y, x).item() == pytest.approx((1 + 3) / 2)


def test_imle_step_pulls_samples_onto_two_points():
    torch.manual_seed(0)
    mapper = MLPMapper(noise_dim=2, out_dim=2, hidden=(32,))
    optimizer = torch.optim.Adam(mapper.parameters(), lr=1e-2)
    real = torch.tensor([[2.0, 0.0], [-2.0, 0.0]])
    noise = torch.randn(16, 2, generator=torch.Generator().manual_seed(25))  # fixed samples: a plain descent
    losses = [imle_step(mapper, optimizer, real, noise) for _ in range(150)]
    assert losses[0] > 1.0 and losses[-1] < 0.01


# ---- the Gaussian baseline ---------------------------------------------------------------------


def test_gaussian_sampler_recovers_mean_and_covariance_within_standard_errors():
    mean = torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64)
    a = torch.tensor([[1.0, 0.0, 0.0], [0.6, 0.8, 0.0], [-0.3, 0.2, 0.5]], dtype=torch.float64)
    cov = a @ a.T
    n = 20_000
    codes = mean + randn(n, 3, seed=26) @ a.T
    fitted = GaussianLatentSampler().fit(codes)
    # SE of a mean coordinate: sqrt(S_kk / n); of a covariance entry (Gaussian data):
    # sqrt((S_kl^2 + S_kk S_ll) / n)
    se_mean = (cov.diagonal() / n).sqrt()
    se_cov = ((cov**2 + torch.outer(cov.diagonal(), cov.diagonal())) / n).sqrt()
    assert ((fitted.mean - mean).abs() < 5 * se_mean).all()
    assert ((fitted.covariance - cov).abs() < 5 * se_cov).all()
    assert torch.allclose(fitted.covariance, torch.cov(codes.T))  # the unbiased estimate
    # samples of the fitted Gaussian have the fitted moments, within the same standard errors
    samples = fitted.sample(n, generator=torch.Generator().manual_seed(27))
    assert samples.dtype == torch.float64 and samples.shape == (n, 3)
    assert ((samples.mean(dim=0) - fitted.mean).abs() < 5 * se_mean).all()
    assert ((torch.cov(samples.T) - fitted.covariance).abs() < 5 * se_cov).all()


def test_gaussian_sampler_is_reproducible_with_a_generator():
    fitted = GaussianLatentSampler().fit(randn(50, 2, seed=28))
    one = fitted.sample(4, generator=torch.Generator().manual_seed(1))
    two = fitted.sample(4, generator=torch.Generator().manual_seed(1))
    assert torch.equal(one, two)


# ---- networks ----------------------------------------------------------------------------------


def test_generator_and_mapper_shapes_and_range():
    g = MLPGenerator(latent_dim=5)
    x = g(10 * randn(7, 5, dtype=torch.float32))
    assert x.shape == (7, 1, 8, 8) and ((x >= 0) & (x <= 1)).all()
    assert MLPMapper(noise_dim=3, out_dim=4)(randn(2, 3, dtype=torch.float32)).shape == (2, 4)
    with pytest.raises(ValueError, match=r"\(n, 5\)"):
        g(torch.zeros(3, 4))
    with pytest.raises(TypeError):
        g([[0.0] * 5])
    with pytest.raises(ValueError):
        MLPGenerator(latent_dim=0)
    with pytest.raises(TypeError):
        MLPMapper(noise_dim=2.0)


# ---- checkers ----------------------------------------------------------------------------------


def test_checkers_accept_the_reference_and_reject_mistakes():
    assert check_imle_match(brute_force_match) == 4
    assert check_smooth_min(lambda d, sigma: -2 * sigma**2 * torch.logsumexp(-d / (2 * sigma**2), dim=-1)) == 4
    assert check_project_to_sphere(lambda z: z / z.norm(dim=-1, keepdim=True)) == 3
    with pytest.raises(AssertionError, match="nearest_sample"):
        check_imle_match(lambda real, generated: torch.cdist(real, generated).argmax(dim=1))
    with pytest.raises(AssertionError, match="non-finite"):
        check_smooth_min(lambda d, sigma: -2 * sigma**2 * torch.log(torch.exp(-d / (2 * sigma**2)).sum(-1)))
    with pytest.raises(AssertionError, match="smooth_min"):  # sigma^2 instead of 2 sigma^2
        check_smooth_min(lambda d, sigma: -(sigma**2) * torch.logsumexp(-d / sigma**2, dim=-1))
    with pytest.raises(AssertionError, match="project_to_sphere"):
        check_project_to_sphere(lambda z: z / z.norm())


# ---- bad inputs --------------------------------------------------------------------------------

ok = torch.zeros(3, 2)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: project_to_sphere([[1.0, 0.0]]), TypeError, "torch.Tensor"),
        (lambda: project_to_sphere(torch.tensor([[1, 2]])), TypeError, "floating"),
        (lambda: project_to_sphere(torch.tensor([[1.0, 0.0], [0.0, 0.0]])), ValueError, "zero row"),
        (lambda: project_to_sphere(torch.empty(0, 3)), ValueError, "non-empty"),
        (lambda: project_to_sphere(torch.tensor([[float("nan"), 1.0]])), ValueError, "NaN"),
        (lambda: smooth_min(torch.ones(3), -0.1), ValueError, "non-negative"),
        (lambda: smooth_min(torch.ones(3), float("nan")), ValueError, "finite"),
        (lambda: smooth_min(torch.ones(3), "1"), TypeError, "real number"),
        (lambda: smooth_min(torch.tensor([1.0, float("inf")]), 1.0), ValueError, "infinite"),
        (lambda: smooth_min(torch.empty(0), 1.0), ValueError, "non-empty"),
        (lambda: gaussian_kernel_log_likelihood(ok, ok, 0.0), ValueError, "positive"),
        (lambda: imle_match(ok, torch.zeros(3, 3)), ValueError, "same dimension"),
        (lambda: imle_match(torch.zeros(3), ok), ValueError, "2 dimensions"),
        (lambda: imle_match(ok, torch.empty(0, 2)), ValueError, "non-empty"),
        (lambda: imle_match(ok.numpy(), ok), TypeError, "torch.Tensor"),
        (lambda: imle_match(ok, torch.full((2, 2), float("nan"))), ValueError, "NaN"),
        (lambda: imle_loss(ok, ok.double()), ValueError, "dtype"),
        (lambda: imle_loss(ok, ok, torch.tensor([0, 1])), ValueError, r"shape \(3,\)"),
        (lambda: imle_loss(ok, ok, torch.tensor([0, 1, 3])), ValueError, r"\[0, 3\)"),
        (lambda: imle_loss(ok, ok, torch.tensor([0.0, 1.0, 2.0])), TypeError, "integer"),
        (lambda: imle_margin_loss(ok, ok, ok, -1.0), ValueError, "non-negative"),
        (lambda: imle_margin_loss(ok, ok, torch.zeros(2, 3), 1.0), ValueError, "same dimension"),
        (lambda: pca_codes(torch.rand(5, 4), 5), ValueError, "latent_dim"),
        (lambda: pca_codes(torch.ones(5, 4), 2), ValueError, "directions"),
        (lambda: GLO(MLPGenerator(2), 3, 2, init_codes=torch.ones(4, 2)), ValueError, r"\(3, 2\)"),
        (lambda: GLO(MLPGenerator(2), 3, 2, init_codes=torch.zeros(3, 2)), ValueError, "zero row"),
        (lambda: GLO("decoder", 3, 2), TypeError, "nn.Module"),
        (lambda: GLO(MLPGenerator(2), 0, 2), ValueError, "at least 1"),
        (lambda: reconstruction_loss(torch.zeros(2, 4), torch.zeros(2, 5)), ValueError, "same shape"),
        (lambda: GaussianLatentSampler().sample(3), ValueError, "fit"),
        (lambda: GaussianLatentSampler().fit(torch.zeros(2, 2)), ValueError, "more codes"),
        (lambda: GaussianLatentSampler().fit(torch.ones(5, 2)), ValueError, "singular"),
        (lambda: GaussianLatentSampler().fit(randn(5, 2)).sample(0), ValueError, "at least 1"),
        (lambda: GaussianLatentSampler().fit(randn(5, 2)).sample(2.0), TypeError, "int"),
    ],
)
def test_bad_inputs_raise_clear_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()
