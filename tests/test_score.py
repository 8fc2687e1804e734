"""tutorial_lib.score and tutorial_lib.nn.score_nets: the closed forms of chapter 3.

Monte Carlo tolerances. Where a per-sample quantity has a known distribution
the standard error (SE) is derived in a comment; otherwise a loss is computed
K times on independent noise and the SE of its mean is estimated from the K
values. Checks use |estimate - truth| < 5 SE: for a correct implementation a
5-SE deviation has probability below 1e-6 (normal) or about 1e-4 (Student t
with K - 1 >= 19 degrees of freedom), and every test runs at a fixed seed, so
the suite is deterministic; a wrong constant (a missing 1/2, sigma instead of
sigma^2, a sign) moves the estimate by far more than 5 SE.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import multivariate_normal
from sklearn.neighbors import KernelDensity

from tutorial_lib import data
from tutorial_lib.nn.energy_nets import MLPEnergy
from tutorial_lib.nn.score_nets import NoiseConditionalConvNet, NoiseConditionalMLP
from tutorial_lib.score import (
    annealed_dsm_loss,
    dde_loss,
    dsm_loss,
    energy_score,
    exact_score_matching_loss,
    gaussian_dsm_minimum,
    geometric_sigmas,
    kde_log_density,
    mdsm_loss,
    sliced_score_matching_loss,
    tweedie_denoise,
)

F64 = torch.float64


def _gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def _gaussian(n: int, d: int, std: float, seed: int) -> torch.Tensor:
    return std * torch.randn(n, d, generator=_gen(seed), dtype=F64)


def _mean_and_se(values: list[float]) -> tuple[float, float]:
    v = np.asarray(values)
    return float(v.mean()), float(v.std(ddof=1) / math.sqrt(len(v)))


class _RowMLP(torch.nn.Module):
    """A smooth nonlinear score R^d -> R^d (acts row by row)."""

    def __init__(self, d: int, seed: int = 0) -> None:
        super().__init__()
        torch.manual_seed(seed)
        self.net = torch.nn.Sequential(torch.nn.Linear(d, 16), torch.nn.Tanh(), torch.nn.Linear(16, d)).double()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


# ---- Hyvärinen: exact (implicit) score matching ---------------------------------------------------


def test_score_matching_objective_at_true_score_is_minus_d_over_2s2():
    # J(s) = E[tr grad s + |s|^2/2] at s = -x/s^2 on N(0, s^2 I_d): the trace is exactly -d/s^2 and
    # |s|^2/2 = chi2_d / (2 s^2), mean d/(2 s^2), variance 2d/(4 s^4). SE = sqrt(d/(2 s^4) / n).
    d, s, n = 3, 1.5, 40_000
    x = _gaussian(n, d, s, 0)
    loss = exact_score_matching_loss(lambda v: -v / s**2, x).item()
    se = math.sqrt(d / (2 * s**4) / n)
    assert abs(loss - (-d / (2 * s**2))) < 5 * se
    # the trace part alone is deterministic
    half_norm = (0.5 * (x / s**2).pow(2).sum(1)).mean().item()
    assert loss - half_norm == pytest.approx(-d / s**2, rel=1e-12)


def test_implicit_objective_equals_explicit_minus_constant_for_a_wrong_score():
    # s(x) = -a x + b on N(0, s^2 I_d): J = -a d + (a^2 d s^2 + |b|^2)/2, which equals
    # E|s - grad log p|^2/2 - d/(2 s^2) (expand the square). The random part is
    # |(-a x + b)|^2/2: SE from its sample standard deviation (computed below) over sqrt(n).
    d, s, a, n = 2, 0.8, 0.7, 40_000
    b = torch.tensor([0.3, -1.1], dtype=F64)
    x = _gaussian(n, d, s, 1)
    loss = exact_score_matching_loss(lambda v: -a * v + b, x).item()
    truth = -a * d + 0.5 * (a**2 * d * s**2 + b.pow(2).sum().item())
    explicit = 0.5 * ((1 / s**2 - a) ** 2 * d * s**2 + b.pow(2).sum().item()) - d / (2 * s**2)
    assert truth == pytest.approx(explicit)
    se = (0.5 * (-a * x + b).pow(2).sum(1)).std().item() / math.sqrt(n)
    assert abs(loss - truth) < 5 * se


def test_exact_trace_matches_brute_force_jacobian():
    score = _RowMLP(3)
    x = _gaussian(7, 3, 1.0, 2)
    jac = torch.stack([torch.autograd.functional.jacobian(lambda v: score(v[None])[0], row) for row in x])
    brute = (torch.diagonal(jac, dim1=1, dim2=2).sum(1) + 0.5 * score(x).pow(2).sum(1)).mean()
    assert exact_score_matching_loss(score, x).item() == pytest.approx(brute.item(), rel=1e-10)


def test_exact_loss_trains_parameters_through_the_trace():
    score = _RowMLP(2)
    loss = exact_score_matching_loss(score, _gaussian(50, 2, 1.0, 3))
    loss.backward()
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in score.parameters())
    with torch.no_grad():
        assert exact_score_matching_loss(score, _gaussian(5, 2, 1.0, 3)).requires_grad is False
        assert sliced_score_matching_loss(score, _gaussian(5, 2, 1.0, 3)).requires_grad is False
        assert dde_loss(lambda y: score(y).sum(1), _gaussian(5, 2, 1.0, 3), 0.5).requires_grad is False


# ---- sliced score matching --------------------------------------------------------------------------


@pytest.mark.parametrize("variance_reduced", [True, False])
def test_sliced_expectation_equals_exact_objective(variance_reduced):
    # On a fixed batch, the sliced estimator averages v^T J v + (v^T s)^2/2 over v ~ N(0, I): its
    # expectation is tr J + |s|^2/2, the exact objective. K = 25 independent calls, SE from them.
    score = _RowMLP(3, seed=1)
    x = _gaussian(40, 3, 1.0, 4)
    exact = exact_score_matching_loss(score, x).item()
    values = [
        sliced_score_matching_loss(score, x, n_projections=100, variance_reduced=variance_reduced, generator=_gen(k))
        .detach()
        .item()
        for k in range(25)
    ]
    mean, se = _mean_and_se(values)
    assert abs(mean - exact) < 5 * se
    assert se < 0.05 * abs(exact) + 0.05  # the check has power: the SE is small


def test_variance_reduced_version_uses_half_norm_exactly():
    # A constant score has zero Jacobian: SSM-VR gives |b|^2/2 exactly, the plain version is random.
    b = torch.tensor([1.0, -2.0, 0.5], dtype=F64)
    x = _gaussian(30, 3, 1.0, 5)
    const = lambda v: b.expand_as(v) + 0 * v  # noqa: E731
    vr = sliced_score_matching_loss(const, x, n_projections=3, generator=_gen(0)).item()
    assert vr == pytest.approx(0.5 * b.pow(2).sum().item(), rel=1e-12)
    plain = sliced_score_matching_loss(const, x, n_projections=3, variance_reduced=False, generator=_gen(0)).item()
    assert plain != pytest.approx(vr, rel=1e-3)


def test_sliced_works_on_images_and_trains():
    net = NoiseConditionalConvNet(width=4, hidden=8).double()
    x = torch.rand(6, 1, 8, 8, generator=_gen(0), dtype=F64)
    loss = sliced_score_matching_loss(lambda v: net(v, 0.5), x, n_projections=2, generator=_gen(1))
    loss.backward()
    assert torch.isfinite(loss) and net.out.weight.grad is not None


# ---- denoising score matching -------------------------------------------------------------------------


def test_gaussian_dsm_minimum_closed_form():
    assert gaussian_dsm_minimum(2.0, 0.5, 3) == pytest.approx(1.5 * 2.0 / (0.25 * 2.25))
    # as sigma -> infinity the loss vanishes like d s^2 / (2 sigma^4)
    assert gaussian_dsm_minimum(1.0, 100.0, 2) == pytest.approx(1e-8, rel=1e-3)


@pytest.mark.parametrize("d, s, sigma", [(2, 1.0, 0.5), (5, 2.0, 0.1), (1, 0.5, 3.0)])
def test_dsm_minimum_on_gaussian_data(d, s, sigma):
    # At s*(y) = -y/(s^2 + sigma^2) the residual per coordinate is N(0, s^2/(sigma^2 v)), v = s^2 + sigma^2,
    # so the per-sample loss is (c/2) chi2_d with c = s^2/(sigma^2 v): mean (d/2) c (the closed form),
    # variance (d/2) c^2. SE = c sqrt(d/2) / sqrt(n).
    n = 40_000
    v = s**2 + sigma**2
    x = _gaussian(n, d, s, 6)
    loss = dsm_loss(lambda y: -y / v, x, sigma, generator=_gen(7)).item()
    truth = gaussian_dsm_minimum(s**2, sigma, d)
    c = s**2 / (sigma**2 * v)
    assert truth == pytest.approx(0.5 * d * c)
    assert abs(loss - truth) < 5 * c * math.sqrt(d / 2) / math.sqrt(n)


def test_perturbing_the_optimal_score_raises_the_dsm_loss_by_half_the_squared_error():
    # Vincent: DSM(s) - DSM(s*) = E|s - s*|^2 / 2 on p_sigma. With common random numbers the
    # difference for s = s* + b is |b|^2/2 + mean(b . r), r ~ N(0, c I): SE = |b| sqrt(c / n).
    d, s, sigma, n = 2, 1.0, 0.5, 40_000
    v, c = s**2 + sigma**2, s**2 / (sigma**2 * (s**2 + sigma**2))
    x = _gaussian(n, d, s, 8)
    best = dsm_loss(lambda y: -y / v, x, sigma, generator=_gen(9)).item()
    for b in (torch.tensor([0.2, 0.0], dtype=F64), torch.tensor([-0.5, 1.0], dtype=F64)):
        worse = dsm_loss(lambda y, b=b: -y / v + b, x, sigma, generator=_gen(9)).item()
        excess, half = worse - best, 0.5 * b.pow(2).sum().item()
        assert excess > 0
        assert abs(excess - half) < 5 * b.norm().item() * math.sqrt(c / n)
    # a scaled score: excess = (a - 1/v)^2 E|y|^2 / 2 = (a - 1/v)^2 d v / 2 (SE from K repeats)
    a = 0.6
    diffs = [
        dsm_loss(lambda y: -a * y, x[:4000], sigma, generator=_gen(k)).item()
        - dsm_loss(lambda y: -y / v, x[:4000], sigma, generator=_gen(k)).item()
        for k in range(25)
    ]
    mean, se = _mean_and_se(diffs)
    assert abs(mean - 0.5 * (a - 1 / v) ** 2 * d * v) < 5 * se


@settings(max_examples=25, deadline=None)
@given(scale=st.floats(0.1, 10.0), sigma=st.floats(0.05, 3.0))
def test_dsm_scale_invariance(scale, sigma):
    # Rescaling data and noise by a and the score by 1/a (s_a(y) = s(y/a)/a) divides the loss by a^2.
    x = _gaussian(64, 2, 1.0, 10)
    score = lambda y: -y / (1 + sigma**2) + torch.sin(y)  # noqa: E731
    base = dsm_loss(score, x, sigma, generator=_gen(11)).item()
    scaled = dsm_loss(lambda y: score(y / scale) / scale, scale * x, scale * sigma, generator=_gen(11)).item()
    assert scaled * scale**2 == pytest.approx(base, rel=1e-9)


def test_dsm_dtype_and_image_shapes():
    x32 = torch.rand(4, 1, 8, 8, generator=_gen(0))
    loss = dsm_loss(lambda y: -y, x32, 0.3, generator=_gen(1))
    assert loss.dtype == torch.float32 and loss.ndim == 0


# ---- Tweedie --------------------------------------------------------------------------------------------


def test_tweedie_with_exact_score_is_the_gaussian_posterior_mean():
    s, sigma = 1.3, 0.7
    v = s**2 + sigma**2
    y = _gaussian(100, 3, math.sqrt(v), 12)
    torch.testing.assert_close(tweedie_denoise(lambda z: -z / v, y, sigma), s**2 / v * y)


def test_tweedie_denoiser_has_the_posterior_variance_as_its_error():
    # E|E[x|y] - x|^2 = d s^2 sigma^2 / v; per sample (s^2 sigma^2 / v) chi2_d: SE = (s^2 sigma^2/v) sqrt(2d/n).
    d, s, sigma, n = 2, 1.0, 0.8, 40_000
    v = s**2 + sigma**2
    x = _gaussian(n, d, s, 13)
    y = x + sigma * torch.randn(n, d, generator=_gen(14), dtype=F64)
    mse = (tweedie_denoise(lambda z: -z / v, y, sigma) - x).pow(2).sum(1).mean().item()
    k = s**2 * sigma**2 / v
    assert abs(mse - d * k) < 5 * k * math.sqrt(2 * d / n)


def _mixture_posterior_mean(mixture: data.GaussianMixture, y: np.ndarray, sigma: float) -> np.ndarray:
    """E[x | y] for y = x + sigma eps, x from the mixture, by the conjugate formulas (scipy densities)."""
    w, m, cov = (t.numpy() for t in (mixture.weights, mixture.means, mixture.covariances))
    d = m.shape[1]
    log_r = np.stack(
        [np.log(w[k]) + multivariate_normal(m[k], cov[k] + sigma**2 * np.eye(d)).logpdf(y) for k in range(len(w))],
        axis=1,
    )
    r = np.exp(log_r - log_r.max(1, keepdims=True))
    r /= r.sum(1, keepdims=True)
    means = [m[k] + (cov[k] @ np.linalg.solve(cov[k] + sigma**2 * np.eye(d), (y - m[k]).T)).T for k in range(len(w))]
    return sum(r[:, [k]] * means[k] for k in range(len(w)))


@pytest.mark.parametrize("sigma", [0.3, 1.0, 4.0])
def test_tweedie_with_perturbed_mixture_score_is_the_mixture_posterior_mean(sigma):
    mixture = data.GaussianMixture(
        [0.3, 0.7], [[-2.0, 0.0], [1.5, 1.0]], [[[1.0, 0.3], [0.3, 0.5]], [[0.4, 0.0], [0.0, 2.0]]]
    )
    y = mixture.perturbed(sigma).sample(200, generator=_gen(15), dtype=F64)
    denoised = tweedie_denoise(mixture.perturbed(sigma).score, y, sigma)
    oracle = _mixture_posterior_mean(mixture, y.numpy(), sigma)
    np.testing.assert_allclose(denoised.numpy(), oracle, rtol=1e-8, atol=1e-10)


def test_tweedie_of_the_kde_is_the_softmax_average_of_the_data():
    # For the empirical distribution the posterior mean is sum_i w_i(y) x_i with w = softmax(-|y - x_i|^2 / 2 sigma^2):
    # Tweedie's formula applied to the KDE's score must give exactly that (this is why the KDE is the DDE optimum).
    points, sigma = _gaussian(15, 2, 1.0, 16), 0.4
    y = _gaussian(30, 2, 1.2, 17)

    def kde_score(z):
        z = z.detach().requires_grad_(True)
        return torch.autograd.grad(kde_log_density(z, points, sigma).sum(), z)[0]

    weights = torch.softmax(-torch.cdist(y, points) ** 2 / (2 * sigma**2), dim=1)
    torch.testing.assert_close(tweedie_denoise(kde_score, y, sigma), weights @ points)


# ---- KDE and DDE ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("d, sigma", [(1, 0.3), (2, 1.0), (3, 0.05)])
def test_kde_matches_sklearn(d, sigma):
    points = _gaussian(40, d, 1.0, 18)
    queries = _gaussian(25, d, 1.5, 19)
    ours = kde_log_density(queries, points, sigma).numpy()
    oracle = KernelDensity(bandwidth=sigma, kernel="gaussian").fit(points.numpy()).score_samples(queries.numpy())
    np.testing.assert_allclose(ours, oracle, rtol=1e-9, atol=1e-9)


def test_kde_far_from_the_data_is_finite():
    value = kde_log_density(torch.tensor([[1e3, 0.0]], dtype=F64), torch.zeros(3, 2, dtype=F64), 0.1)
    assert torch.isfinite(value).all() and value.item() < -1e6


@settings(max_examples=25, deadline=None)
@given(shift=st.lists(st.floats(-50, 50), min_size=2, max_size=2), seed=st.integers(0, 100))
def test_kde_translation_and_permutation_invariance(shift, seed):
    points, queries = _gaussian(12, 2, 1.0, seed), _gaussian(5, 2, 1.0, seed + 1)
    t = torch.tensor(shift, dtype=F64)
    base = kde_log_density(queries, points, 0.7)
    torch.testing.assert_close(kde_log_density(queries + t, points + t, 0.7), base)
    perm = torch.randperm(12, generator=_gen(seed))
    torch.testing.assert_close(kde_log_density(queries, points[perm], 0.7), base)


def test_dde_loss_is_2_sigma4_times_dsm_of_the_gradient():
    f = MLPEnergy(dim=2, hidden=8).double()
    x, sigma = _gaussian(64, 2, 1.0, 20), 0.3

    def grad_f(y):
        y = y.detach().requires_grad_(True)
        return torch.autograd.grad(f(y).sum(), y)[0]

    dde = dde_loss(f, x, sigma, generator=_gen(21)).item()
    dsm = dsm_loss(grad_f, x, sigma, generator=_gen(21)).item()
    assert dde == pytest.approx(2 * sigma**4 * dsm, rel=1e-10)


def _dde_gradient_at_kde(points, sigma, bandwidth, features, seed, repeats=100):
    """d/dtheta of the DDE loss of f = log KDE_bandwidth + theta . features, at theta = 0."""
    theta = torch.zeros(features(points).shape[1], dtype=F64, requires_grad=True)
    f = lambda y: kde_log_density(y, points, bandwidth) + features(y) @ theta  # noqa: E731
    loss = dde_loss(f, points.repeat(repeats, 1), sigma, generator=_gen(seed))
    return torch.autograd.grad(loss, theta)[0].numpy()


def test_kde_is_a_stationary_point_of_the_dde_loss():
    # Along any direction phi, dL/dtheta = 2 sigma^2 E[(E[x|y] - x) . grad phi(y)] = 0 at the KDE
    # (Tweedie). K = 20 independent estimates; each t statistic must be below 5. With the wrong
    # bandwidth the same statistic is large (the test has power).
    points, sigma = _gaussian(20, 2, 1.0, 22), 0.5
    features = lambda y: torch.stack([y[:, 0], y[:, 1], y[:, 0] ** 2, y[:, 0] * y[:, 1], torch.sin(2 * y[:, 1])], 1)  # noqa: E731
    right = np.stack([_dde_gradient_at_kde(points, sigma, sigma, features, k) for k in range(20)])
    t_right = right.mean(0) / (right.std(0, ddof=1) / math.sqrt(len(right)))
    assert np.all(np.abs(t_right) < 5), t_right
    wrong = np.stack([_dde_gradient_at_kde(points, sigma, 2 * sigma, features, k) for k in range(20)])
    t_wrong = wrong.mean(0) / (wrong.std(0, ddof=1) / math.sqrt(len(wrong)))
    assert np.max(np.abs(t_wrong)) > 10, t_wrong


def test_kde_has_lower_dde_loss_than_other_bandwidths():
    # Expected excess over the optimum is sigma^4 E|grad log k' - grad log k|^2 > 0; common random numbers
    # and 20 000 noisy copies make the comparison reliable at this fixed seed.
    points, sigma = _gaussian(20, 2, 1.0, 23), 0.5
    x = points.repeat(1000, 1)
    with torch.no_grad():
        losses = {h: dde_loss(lambda y, h=h: kde_log_density(y, points, h), x, sigma, generator=_gen(24)).item()
                  for h in (0.7 * sigma, sigma, 1.4 * sigma)}
    assert losses[sigma] < min(losses[0.7 * sigma], losses[1.4 * sigma])


def test_dde_loss_trains_a_scalar_network():
    f = MLPEnergy(dim=2, hidden=8)
    loss = dde_loss(f, torch.randn(16, 2, generator=_gen(0)), 0.2, generator=_gen(1))
    loss.backward()
    *weights, last_bias = f.parameters()  # the output bias does not move the gradient of f: no gradient
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in weights) and last_bias.grad is None


# ---- annealed DSM and MDSM ------------------------------------------------------------------------------


def test_annealed_dsm_weights_are_sigma_to_the_power():
    # Data x = 0 and score -y/sigma^2 + u (u = ones) make the residual exactly u, so every sample
    # contributes sigma_i^power |u|^2 / 2: the loss is that average over the levels the network was given.
    sigmas, seen = [2.0, 0.5, 0.1], []

    def score(y, sigma):
        seen.append(sigma.clone())
        return -y / sigma[:, None] ** 2 + 1.0

    x = torch.zeros(3000, 2, dtype=F64)
    for power in (0.0, 1.0, 2.0):
        seen.clear()
        loss = annealed_dsm_loss(score, x, sigmas, power=power, generator=_gen(25)).item()
        given_sigma = seen[0]
        assert given_sigma.shape == (3000,) and given_sigma.dtype == F64
        assert set(given_sigma.tolist()) == set(sigmas)
        assert loss == pytest.approx((0.5 * 2 * given_sigma**power).mean().item(), rel=1e-12)
    # each level is drawn with probability 1/3: counts ~ Binomial(3000, 1/3), SD 25.8
    counts = torch.stack([(given_sigma == s).sum() for s in sigmas]).double()
    assert torch.all((counts - 1000).abs() < 5 * 25.8)


def test_annealed_dsm_expectation_with_exact_scores():
    # With the exact perturbed score of N(0, I_d) the loss is an average over levels of
    # sigma^power * gaussian_dsm_minimum(1, sigma, d). K = 25 independent calls give the SE.
    sigmas, d = [1.0, 0.3], 2
    x = _gaussian(4000, d, 1.0, 26)
    score = lambda y, s: -y / (1 + s[:, None] ** 2)  # noqa: E731
    for power in (2.0, 0.0):
        values = [annealed_dsm_loss(score, x, sigmas, power=power, generator=_gen(k)).item() for k in range(25)]
        mean, se = _mean_and_se(values)
        truth = np.mean([s**power * gaussian_dsm_minimum(1.0, s, d) for s in sigmas])
        assert abs(mean - truth) < 5 * se


def test_mdsm_is_annealed_dsm_of_the_tempered_energy_score():
    energy = MLPEnergy(dim=2, hidden=8).double()
    x, sigmas, sigma0 = _gaussian(200, 2, 1.0, 27), [1.0, 0.4, 0.1], 0.1
    mdsm = mdsm_loss(energy, x, sigmas, sigma0=sigma0, generator=_gen(28)).item()
    annealed = annealed_dsm_loss(
        lambda y, s: energy_score(energy, y, s, sigma0=sigma0), x, sigmas, power=2.0, generator=_gen(28)
    ).item()
    assert mdsm == pytest.approx(annealed, rel=1e-10)


def test_mdsm_optimum_on_gaussian_data():
    # One level: the best energy is (sigma^2/sigma0^2) |y|^2 / (2 (1 + sigma^2)) and the loss is
    # sigma^2 times the DSM minimum; per-sample it is sigma^2 (c/2) chi2_d, SE = sigma^2 c sqrt(d/2)/sqrt(n).
    d, sigma, sigma0, n = 2, 0.5, 0.1, 40_000
    energy = lambda y: (sigma**2 / sigma0**2) * y.pow(2).sum(1) / (2 * (1 + sigma**2))  # noqa: E731
    loss = mdsm_loss(energy, _gaussian(n, d, 1.0, 29), [sigma], sigma0=sigma0, generator=_gen(30)).item()
    c = 1 / (sigma**2 * (1 + sigma**2))
    assert abs(loss - sigma**2 * gaussian_dsm_minimum(1.0, sigma, d)) < 5 * sigma**2 * c * math.sqrt(d / 2 / n)


def test_mdsm_of_quadratic_energies_matches_the_closed_form_of_the_exercise():
    # Exercise score-ex-mdsm-gaussian: for N(0, s^2 I_d) data and E = a|x|^2/2, b = sigma0^2 a,
    # L(b) = (d/2)(b^2 s^2 H + (b - 1)^2), H = mean of sigma^-2, minimised at b* = 1/(1 + s^2 H).
    # K = 20 independent calls give the SE; the minimiser is checked with common random numbers.
    d, sigmas, sigma0 = 2, [1.0, 0.5, 0.2], 0.1
    h = float(np.mean([1 / s**2 for s in sigmas]))
    b_star = 1 / (1 + h)
    x = _gaussian(5000, d, 1.0, 32)

    def loss(b, seed):
        energy = lambda y: (b / sigma0**2) * 0.5 * y.pow(2).sum(1)  # noqa: E731
        return mdsm_loss(energy, x, sigmas, sigma0=sigma0, generator=_gen(seed)).item()

    for b in (b_star, 2 * b_star):
        mean, se = _mean_and_se([loss(b, k) for k in range(20)])
        assert abs(mean - 0.5 * d * (b**2 * h + (b - 1) ** 2)) < 5 * se
    assert loss(b_star, 99) < min(loss(0.8 * b_star, 99), loss(1.25 * b_star, 99))


def test_mdsm_trains_the_energy():
    energy = MLPEnergy(dim=2, hidden=8)
    mdsm_loss(energy, torch.randn(32, 2, generator=_gen(0)), [1.0, 0.1], generator=_gen(1)).backward()
    *weights, last_bias = energy.parameters()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in weights) and last_bias.grad is None


def test_energy_score_accepts_per_row_levels():
    energy = lambda y: 0.5 * y.pow(2).sum(1)  # noqa: E731
    x = torch.ones(3, 2)
    out = energy_score(energy, x, torch.tensor([0.1, 0.2, 0.4]), sigma0=0.1)
    torch.testing.assert_close(out, -torch.tensor([[1.0], [0.25], [0.0625]]) * x)
    assert not out.requires_grad


# ---- schedule -------------------------------------------------------------------------------------------


def test_geometric_sigmas():
    s = geometric_sigmas()
    assert s.shape == (10,) and s.dtype == torch.float32
    assert s[0].item() == pytest.approx(1.0) and s[-1].item() == pytest.approx(0.01)
    ratios = s[1:] / s[:-1]
    torch.testing.assert_close(ratios, torch.full_like(ratios, 0.01 ** (1 / 9)))
    assert geometric_sigmas(0.5, 0.5, 1, dtype=F64).tolist() == [0.5]


# ---- networks -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("sigma", [0.3, torch.tensor(0.3), torch.full((5,), 0.3), torch.full((5, 1), 0.3)])
def test_mlp_accepts_every_sigma_form(sigma):
    torch.manual_seed(0)
    net = NoiseConditionalMLP(dim=3, hidden=8)
    x = torch.randn(5, 3)
    torch.testing.assert_close(net(x, sigma), net(x, 0.3))


def test_networks_follow_dtype_and_shape():
    torch.manual_seed(0)
    conv = NoiseConditionalConvNet(width=4, hidden=8).double()
    out = conv(torch.rand(2, 1, 8, 8, dtype=F64), torch.tensor([0.1, 1.0], dtype=F64))
    assert out.dtype == F64 and out.shape == (2, 1, 8, 8)
    mlp = NoiseConditionalMLP(dim=2, hidden=8).double()
    assert mlp(torch.zeros(4, 2, dtype=F64), 2.0).dtype == F64


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda: NoiseConditionalMLP(dim=0), ValueError),
        (lambda: NoiseConditionalMLP(hidden=2.5), TypeError),
        (lambda: NoiseConditionalMLP(input_scale=-1.0), ValueError),
        (lambda: NoiseConditionalMLP(dim=2)(torch.zeros(3, 3), 0.1), ValueError),
        (lambda: NoiseConditionalMLP(dim=2)(torch.zeros(3, 2), -0.1), ValueError),
        (lambda: NoiseConditionalMLP(dim=2)(torch.zeros(3, 2), torch.ones(2)), ValueError),
        (lambda: NoiseConditionalMLP(dim=2)(torch.zeros(3, 2), "big"), TypeError),
        (lambda: NoiseConditionalConvNet(image_size=7), ValueError),
        (lambda: NoiseConditionalConvNet(width=0), ValueError),
        (lambda: NoiseConditionalConvNet()(torch.zeros(2, 1, 4, 4), 0.1), ValueError),
        (lambda: NoiseConditionalConvNet()(torch.zeros(2, 1, 8, 8), float("nan")), ValueError),
    ],
)
def test_networks_bad_input(call, error):
    with pytest.raises(error):
        call()


# ---- bad inputs -----------------------------------------------------------------------------------------

_X = torch.zeros(4, 2)
_score = lambda y: -y  # noqa: E731
_cond = lambda y, s: -y  # noqa: E731
_scalar = lambda y: y.pow(2).sum(1)  # noqa: E731

_BAD = [
    (lambda: exact_score_matching_loss(_score, [[0.0, 1.0]]), TypeError),
    (lambda: exact_score_matching_loss(_score, torch.zeros(4, 2, dtype=torch.int64)), TypeError),
    (lambda: exact_score_matching_loss(_score, torch.zeros(4, 1, 2)), ValueError),
    (lambda: exact_score_matching_loss(_score, torch.zeros(0, 2)), ValueError),
    (lambda: exact_score_matching_loss(_score, torch.tensor([[float("nan"), 0.0]])), ValueError),
    (lambda: exact_score_matching_loss("score", _X), TypeError),
    (lambda: exact_score_matching_loss(lambda y: y[:, :1], _X), ValueError),
    (lambda: sliced_score_matching_loss(_score, _X, n_projections=0), ValueError),
    (lambda: sliced_score_matching_loss(_score, _X, n_projections=1.5), TypeError),
    (lambda: sliced_score_matching_loss(_score, torch.zeros(3)), ValueError),
    (lambda: sliced_score_matching_loss(lambda y: y.sum(1), _X), ValueError),
    (lambda: dsm_loss(_score, _X, 0.0), ValueError),
    (lambda: dsm_loss(_score, _X, float("nan")), ValueError),
    (lambda: dsm_loss(_score, _X, "0.1"), TypeError),
    (lambda: dsm_loss(_score, torch.zeros(0, 2), 0.1), ValueError),
    (lambda: dsm_loss(lambda y: y.numpy(), _X, 0.1), TypeError),
    (lambda: dsm_loss(None, _X, 0.1), TypeError),
    (lambda: tweedie_denoise(_score, _X, -1.0), ValueError),
    (lambda: tweedie_denoise(_score, np.zeros((3, 2)), 1.0), TypeError),
    (lambda: tweedie_denoise(lambda y: y[:2], _X, 1.0), ValueError),
    (lambda: annealed_dsm_loss(_cond, _X, []), ValueError),
    (lambda: annealed_dsm_loss(_cond, _X, [1.0, -0.1]), ValueError),
    (lambda: annealed_dsm_loss(_cond, _X, torch.ones(2, 2)), ValueError),
    (lambda: annealed_dsm_loss(_cond, _X, "1.0"), TypeError),
    (lambda: annealed_dsm_loss(_cond, _X, [1.0], power=float("inf")), ValueError),
    (lambda: annealed_dsm_loss(_cond, _X, [1.0], power="2"), TypeError),
    (lambda: annealed_dsm_loss(_cond, _X, np.array([[1.0]])), ValueError),
    (lambda: annealed_dsm_loss(_cond, torch.full((2, 2), float("inf")), [1.0]), ValueError),
    (lambda: kde_log_density(_X, torch.zeros(3, 3), 1.0), ValueError),
    (lambda: kde_log_density(_X, torch.zeros(3, 2, dtype=F64), 1.0), TypeError),
    (lambda: kde_log_density(_X, torch.zeros(0, 2), 1.0), ValueError),
    (lambda: kde_log_density(torch.zeros(4), torch.zeros(3, 2), 1.0), ValueError),
    (lambda: kde_log_density(_X, torch.zeros(3, 2), 0.0), ValueError),
    (lambda: dde_loss(_scalar, _X, -0.1), ValueError),
    (lambda: dde_loss(lambda y: y, _X, 0.1), ValueError),
    (lambda: dde_loss(lambda y: 1.0, _X, 0.1), TypeError),
    (lambda: dde_loss(_scalar, torch.tensor([[float("nan"), 0.0]]), 0.1), ValueError),
    (lambda: mdsm_loss(_scalar, _X, [1.0], sigma0=0.0), ValueError),
    (lambda: mdsm_loss(_scalar, _X, [0.0]), ValueError),
    (lambda: mdsm_loss(lambda y: y, _X, [1.0]), ValueError),
    (lambda: mdsm_loss(3, _X, [1.0]), TypeError),
    (lambda: energy_score(_scalar, _X, torch.ones(3)), ValueError),
    (lambda: energy_score(_scalar, _X, -1.0), ValueError),
    (lambda: gaussian_dsm_minimum(1.0, 1.0, 0), ValueError),
    (lambda: gaussian_dsm_minimum(-1.0, 1.0, 2), ValueError),
    (lambda: gaussian_dsm_minimum(1.0, 1.0, 2.0), TypeError),
    (lambda: geometric_sigmas(0.01, 1.0), ValueError),
    (lambda: geometric_sigmas(1.0, 0.01, 0), ValueError),
    (lambda: geometric_sigmas(1.0, 0.01, 1), ValueError),
    (lambda: geometric_sigmas(1.0, 0.01, 2.0), TypeError),
    (lambda: geometric_sigmas(float("inf"), 0.01, 3), ValueError),
]


@pytest.mark.parametrize("call, error", _BAD)
def test_bad_inputs(call, error):
    with pytest.raises(error):
        call()


def test_error_messages_say_what_was_given():
    with pytest.raises(ValueError, match=r"got shape \(0, 2\)"):
        dsm_loss(_score, torch.zeros(0, 2), 0.1)
    with pytest.raises(ValueError, match=r"\(4, 2\), got \(4, 1\)"):
        dsm_loss(lambda y: y[:, :1], _X, 0.1)
    with pytest.raises(ValueError, match="got -0.5"):
        tweedie_denoise(_score, _X, -0.5)


# ---- exercise checkers ----------------------------------------------------------------------------------


def test_exercise_reference_is_the_library_dsm_loss_with_the_same_noise():
    from tutorial_lib.exercises.score import dsm_loss_given_noise, wiggly_score

    x = torch.randn(10, 1, 8, 8, generator=_gen(31), dtype=F64)
    noise = torch.randn(x.shape, generator=_gen(32), dtype=F64)  # what dsm_loss draws from this generator
    ours = dsm_loss(wiggly_score, x, 0.3, generator=_gen(32))
    torch.testing.assert_close(dsm_loss_given_noise(wiggly_score, x, noise, 0.3), ours)


def test_checkers_accept_right_and_reject_wrong_answers(capsys):
    from tutorial_lib.exercises.score import check_dsm_loss, check_tweedie_denoise, dsm_loss_given_noise

    assert check_dsm_loss(dsm_loss_given_noise) == 4
    assert check_tweedie_denoise(lambda score_fn, x_noisy, sigma: x_noisy + sigma**2 * score_fn(x_noisy)) == 4
    assert "all 4 cases match" in capsys.readouterr().out

    def no_half(score_fn, x, noise, sigma):
        return 2 * dsm_loss_given_noise(score_fn, x, noise, sigma)

    def sigma_not_squared(score_fn, x_noisy, sigma):
        return x_noisy + sigma * score_fn(x_noisy)

    def mean_over_dims(score_fn, x, noise, sigma):
        return 0.5 * (score_fn(x + sigma * noise) + noise / sigma).pow(2).mean()

    with pytest.raises(AssertionError, match="dsm_loss: case 1 failed"):
        check_dsm_loss(no_half)
    with pytest.raises(AssertionError, match=r"(?s)tweedie_denoise: case 1 failed.*expected"):
        check_tweedie_denoise(sigma_not_squared)
    with pytest.raises(AssertionError, match="dsm_loss: case"):
        check_dsm_loss(mean_over_dims)
    with pytest.raises(AssertionError, match="not written yet"):
        check_dsm_loss(lambda **kwargs: (_ for _ in ()).throw(NotImplementedError))


def test_sigmas_may_be_a_list_an_array_or_a_tensor():
    x = _gaussian(50, 2, 1.0, 33)
    score = lambda y, s: -y / (1 + s[:, None] ** 2)  # noqa: E731
    values = {
        annealed_dsm_loss(score, x, levels, generator=_gen(34)).item()
        for levels in ([1.0, 0.1], np.array([1.0, 0.1]), torch.tensor([1.0, 0.1]), geometric_sigmas(1.0, 0.1, 2))
    }
    assert len({round(v, 6) for v in values}) == 1
