"""tutorial_lib.langevin: ULA, MALA and annealed Langevin against closed forms and quadrature.

Tolerances come from the Monte Carlo standard error (SE) of each estimate and are
5 SE unless a comment says otherwise: a correct sampler fails such a check with
probability below 1e-6 per assertion, and the seeds are fixed, so these tests do
not flake; the "power" assertions next to them show that the broken variant
(ULA where MALA is needed, no annealing) lies far outside the same window.

Variance estimates. N independent chains x_i ~ N(0, v) (the exact law of a
Gaussian AR(1) chain started at a point) give v_hat = mean(x_i^2) (the mean is
known to be 0) with Var(v_hat) = Var(x^2) / N = (E x^4 - v^2) / N = 2 v^2 / N,
so SE(v_hat) = v * sqrt(2 / N).
"""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

from tutorial_lib import data
from tutorial_lib.exercises.langevin import check_mala_log_acceptance, check_stationary_variance, check_ula_step
from tutorial_lib.langevin import (
    annealed_langevin,
    mala,
    mala_log_acceptance,
    score_from_log_prob,
    ula,
    ula_stationary_variance,
)

FAST = settings(max_examples=20, deadline=None)


def gaussian_log_prob(variance):
    return lambda x: -0.5 * (x**2).sum(dim=1) / variance


def gaussian_score(variance):
    return lambda x: -x / variance


def generator(seed=0):
    return torch.Generator().manual_seed(seed)


# ---- ULA: the step-size bias on N(0, s^2) ---------------------------------------------------------


@pytest.mark.parametrize("variance", [1.0, 2.5])
@pytest.mark.parametrize("fraction", [0.0125, 0.125, 0.25, 0.5, 0.75])  # step_size / (4 s^2)
def test_ula_variance_matches_closed_form(variance, fraction):
    step = fraction * 4 * variance
    n = 40_000
    # From x0 = 0 the chain is x_t ~ N(0, v (1 - a^(2t))) exactly, a = 1 - step / (2 s^2); run until
    # a^(2t) < 1e-6 so the transient is far below the SE (v * sqrt(2/n) = 0.7 % of v).
    a = 1 - step / (2 * variance)
    n_steps = 1 if a == 0 else math.ceil(math.log(1e-6) / (2 * math.log(abs(a))))
    x = ula(gaussian_score(variance), torch.zeros(n, 1, dtype=torch.float64), step, n_steps, generator=generator())
    estimate = x.square().mean().item()
    expected = ula_stationary_variance(variance, step)
    se = expected * math.sqrt(2 / n)
    assert abs(estimate - expected) < 5 * se, f"ULA variance {estimate:.4f}, closed form {expected:.4f}"
    if fraction >= 0.125:  # power: at these steps the bias is visible, ULA does not sample N(0, s^2)
        assert abs(estimate - variance) > 5 * se


def test_ula_closed_form_at_the_boundary_and_beyond():
    assert ula_stationary_variance(1.0, 2.0) == pytest.approx(2.0)  # a = 0: one step forgets x
    for step in (4.0, 4.5, 10.0):
        with pytest.raises(ValueError, match="diverges"):
            ula_stationary_variance(1.0, step)


def test_ula_beyond_the_limit_grows_geometrically_then_raises():
    # eta = 4.5 s^2: a = 1 - 2.25 = -1.25, so the standard deviation grows like 1.25^t.
    x = ula(gaussian_score(1.0), torch.zeros(1000, 1), 4.5, 60, generator=generator())
    assert x.std().item() > 1.25**50
    with pytest.raises(FloatingPointError, match="diverged"):
        ula(gaussian_score(1.0), torch.zeros(1000, 1), 4.5, 1000, generator=generator())


@FAST
@given(
    variance=st.floats(0.01, 100.0),
    fraction=st.floats(0.001, 0.99),
    larger=st.floats(1.001, 10.0),
    scale=st.floats(0.1, 10.0),
)
def test_stationary_variance_properties(variance, fraction, larger, scale):
    step = fraction * 4 * variance
    v = ula_stationary_variance(variance, step)
    assert v > variance, "a finite step always inflates the variance"
    if fraction * larger < 1:
        assert ula_stationary_variance(variance, step * larger) > v, "larger steps, larger bias"
    scaled = ula_stationary_variance(scale**2 * variance, scale**2 * step)
    assert scaled == pytest.approx(scale**2 * v, rel=1e-9), "eta / s^2 is the only dimensionless number"
    assert ula_stationary_variance(variance, 1e-9 * variance) == pytest.approx(variance, rel=1e-8)


@FAST
@given(seed=st.integers(0, 2**32 - 1), scale=st.floats(0.1, 10.0), step=st.floats(0.01, 1.0))
def test_ula_is_scale_equivariant(seed, scale, step):
    """ULA on N(0, c^2) with step c^2 eta from c x0 is exactly c times ULA on N(0, 1) with eta."""
    x0 = torch.randn(8, 2, generator=generator(seed), dtype=torch.float64)
    base = ula(gaussian_score(1.0), x0, step, 5, generator=generator(seed))
    scaled = ula(gaussian_score(scale**2), scale * x0, scale**2 * step, 5, generator=generator(seed))
    torch.testing.assert_close(scaled, scale * base, rtol=1e-10, atol=1e-12)


@FAST
@given(seed=st.integers(0, 2**32 - 1))
def test_ula_is_reproducible_with_a_generator(seed):
    x0 = torch.zeros(4, 3)
    first = ula(gaussian_score(1.0), x0, 0.3, 7, generator=generator(seed))
    assert torch.equal(first, ula(gaussian_score(1.0), x0, 0.3, 7, generator=generator(seed)))
    assert not torch.equal(first, ula(gaussian_score(1.0), x0, 0.3, 7, generator=generator(seed + 1)))


def test_ula_one_step_is_the_update_formula():
    x0 = torch.tensor([[0.5, -1.0]], dtype=torch.float64)
    step = 0.3
    noise = torch.empty_like(x0).normal_(generator=generator(3))
    expected = x0 + step / 2 * (-x0 / 2.0) + math.sqrt(step) * noise
    torch.testing.assert_close(ula(gaussian_score(2.0), x0, step, 1, generator=generator(3)), expected)


def test_ula_trajectory_shape_start_and_end():
    x0 = torch.randn(5, 2, generator=generator(1))
    path = ula(gaussian_score(1.0), x0, 0.1, 4, generator=generator(2), return_trajectory=True)
    assert path.shape == (5, 5, 2)
    assert torch.equal(path[0], x0)
    assert torch.equal(path[-1], ula(gaussian_score(1.0), x0, 0.1, 4, generator=generator(2)))
    assert torch.equal(ula(gaussian_score(1.0), x0, 0.1, 0), x0)
    assert ula(gaussian_score(1.0), x0, 0.1, 0, return_trajectory=True).shape == (1, 5, 2)


# ---- MALA -------------------------------------------------------------------------------------------


def test_mala_log_acceptance_matches_scipy_densities():
    """Brute force: log p(y) - log p(x) + log N(x; y + eta/2 grad(y), eta I) - log N(y; x + eta/2 grad(x), eta I)."""
    g = generator(4)
    cov = np.array([[2.0, 0.6, 0.0], [0.6, 1.0, -0.3], [0.0, -0.3, 0.5]])
    target = stats.multivariate_normal(np.zeros(3), cov)
    precision = torch.tensor(np.linalg.inv(cov))
    step = 0.7
    x = torch.randn(6, 3, generator=g, dtype=torch.float64)
    y = x + torch.randn(6, 3, generator=g, dtype=torch.float64)
    grad_x, grad_y = -x @ precision, -y @ precision
    log_px, log_py = torch.tensor(target.logpdf(x.numpy())), torch.tensor(target.logpdf(y.numpy()))
    got = mala_log_acceptance(x, y, log_px, log_py, grad_x, grad_y, step)
    proposal = lambda to, frm, grad: stats.multivariate_normal(frm + step / 2 * grad, step * np.eye(3)).logpdf(to)
    expected = [
        log_py[i] - log_px[i] + proposal(x[i], y[i], grad_y[i]) - proposal(y[i], x[i], grad_x[i]) for i in range(6)
    ]
    torch.testing.assert_close(got, torch.tensor(expected, dtype=torch.float64))


@FAST
@given(
    x=st.floats(-5, 5),
    y=st.floats(-5, 5),
    variance=st.floats(0.1, 10.0),
    fraction=st.floats(0.001, 0.99),
    shift=st.floats(-100, 100),
)
def test_mala_log_acceptance_on_a_gaussian(x, y, variance, fraction, shift):
    """On N(0, s^2), log r = eta (x^2 - y^2) / (8 s^4) (chapter 2, exercise); constants in log p cancel."""
    step = fraction * 4 * variance
    xs, ys = torch.tensor([[x]], dtype=torch.float64), torch.tensor([[y]], dtype=torch.float64)
    log_p = lambda z: -0.5 * z[:, 0] ** 2 / variance + shift
    got = mala_log_acceptance(xs, ys, log_p(xs), log_p(ys), -xs / variance, -ys / variance, step)
    assert got.item() == pytest.approx(step * (x * x - y * y) / (8 * variance**2), rel=1e-7, abs=1e-9)
    back = mala_log_acceptance(ys, xs, log_p(ys), log_p(xs), -ys / variance, -xs / variance, step)
    assert back.item() == pytest.approx(-got.item(), rel=1e-9, abs=1e-12), "log r(y -> x) = -log r(x -> y)"


def test_mala_preserves_the_target_where_ula_is_biased():
    # Start at the target: MALA keeps N(0, 1) exactly at every step; ULA with eta = 2 forgets x in one
    # step (a = 0) and sits at variance 2. Same SE formula: sqrt(2 / n) v.
    n, step = 40_000, 2.0
    x0 = torch.randn(n, 1, generator=generator(5), dtype=torch.float64)
    x, rate = mala(gaussian_log_prob(1.0), x0, step, 30, generator=generator(6))
    se = math.sqrt(2 / n)
    assert abs(x.square().mean().item() - 1.0) < 5 * se, "MALA must leave N(0, 1) invariant"
    assert 0 < rate < 1
    x_ula = ula(gaussian_score(1.0), x0, step, 30, generator=generator(6))
    assert abs(x_ula.square().mean().item() - 2.0) < 5 * 2 * se, "ULA at eta = 2 has variance 2 (closed form)"


def _exact_gaussian_acceptance(step):
    """E[min(1, r)] at stationarity for N(0, 1), by quadrature with scipy's normal densities."""
    grid = np.linspace(-8, 8, 801)  # spacing 0.02: error ~1e-4, far below the SE
    x, xi = np.meshgrid(grid, grid, indexing="ij")
    c = 1 - step / 2
    y = c * x + math.sqrt(step) * xi
    log_r = (
        stats.norm.logpdf(y)
        - stats.norm.logpdf(x)
        + stats.norm.logpdf(x, c * y, math.sqrt(step))
        - stats.norm.logpdf(y, c * x, math.sqrt(step))
    )
    weight = stats.norm.pdf(x) * stats.norm.pdf(xi)
    return integrate.trapezoid(integrate.trapezoid(weight * np.exp(np.minimum(log_r, 0.0)), grid), grid)


@pytest.mark.parametrize("step", [0.5, 2.0, 3.5])
def test_mala_acceptance_rate_matches_quadrature(step):
    # At stationarity every accept indicator is Bernoulli(p); a chain's average over T correlated steps
    # has variance <= p (1 - p), so over n independent chains SE <= sqrt(p (1 - p) / n), whatever the
    # correlation between steps.
    n = 20_000
    expected = _exact_gaussian_acceptance(step)
    x0 = torch.randn(n, 1, generator=generator(7), dtype=torch.float64)
    _, rate = mala(gaussian_log_prob(1.0), x0, step, 20, generator=generator(8))
    se = math.sqrt(expected * (1 - expected) / n)
    assert abs(rate - expected) < 5 * se, f"acceptance {rate:.4f}, quadrature {expected:.4f}"


def test_mala_acceptance_tends_to_one_as_the_step_shrinks():
    x0 = torch.randn(2000, 1, generator=generator(9), dtype=torch.float64)
    rates = [mala(gaussian_log_prob(1.0), x0, step, 10, generator=generator(10))[1] for step in (3.0, 1.0, 0.1, 1e-3)]
    assert all(0 < r < 1 for r in rates[:3])
    assert rates == sorted(rates), f"acceptance must grow as the step shrinks, got {rates}"
    assert rates[-1] > 0.999  # 1 - acceptance = O(eta^{3/2}) on a Gaussian


TILTED_DOUBLE_WELL = lambda x: -((x[:, 0] ** 2 - 1) ** 2) / 2 + x[:, 0] / 2  # noqa: E731


def _tilted_double_well_cdf():
    density = lambda t: math.exp(-((t * t - 1) ** 2) / 2 + t / 2)
    grid = np.linspace(-5, 5, 2001)
    pieces = [integrate.quad(density, a, b)[0] for a, b in zip(grid[:-1], grid[1:], strict=True)]
    cdf = np.concatenate([[0.0], np.cumsum(pieces)])
    return lambda q: np.interp(q, grid, cdf / cdf[-1])


@pytest.mark.slow
def test_mala_samples_a_non_gaussian_target_exactly():
    """p(x) ∝ exp(-(x^2 - 1)^2 / 2 + x / 2): skewed, two wells, quartic tails. KS test against quadrature."""
    n = 20_000
    x0 = 3 * torch.rand(n, 1, generator=generator(11), dtype=torch.float64) - 1.5  # start in the bulk
    x, rate = mala(TILTED_DOUBLE_WELL, x0, 0.5, 200, generator=generator(12))
    assert 0.5 < rate < 0.95
    assert stats.kstest(x[:, 0].numpy(), _tilted_double_well_cdf()).pvalue > 1e-3
    # ULA at the same step is transient: the quartic drift overshoots further each step (chapter 2).
    with pytest.raises(FloatingPointError):
        ula(score_from_log_prob(TILTED_DOUBLE_WELL), x0, 0.5, 200, generator=generator(12))


def test_mala_chains_started_far_in_a_light_tail_are_stuck():
    # From x = 3 the proposal mean is 3 - 0.25 * U'(3) = -8.9, where the density is ~e^-1500: every
    # proposal is rejected (MALA is not geometrically ergodic for superlinear gradients).
    x, rate = mala(TILTED_DOUBLE_WELL, torch.full((200, 1), 3.0), 0.5, 50, generator=generator(13))
    assert rate < 0.01 and (x == 3.0).float().mean() > 0.9


# ---- annealed Langevin ------------------------------------------------------------------------------


def test_annealed_single_level_is_ula_with_twice_the_step():
    score = lambda x, sigma: -x / (1 + sigma**2)
    x0 = torch.randn(10, 2, generator=generator(14))
    annealed = annealed_langevin(score, x0, [0.5], 0.2, 25, denoise=False, generator=generator(15))
    plain = ula(lambda x: score(x, 0.5), x0, 0.4, 25, generator=generator(15))
    assert torch.equal(annealed, plain)


def test_annealed_step_sizes_follow_sigma_squared():
    # With a zero score the chain is a random walk: after n steps at level i its variance grows by
    # 2 alpha_i n with alpha_i = eps sigma_i^2 / sigma_L^2, i.e. in total 2 eps n sum_i sigma_i^2 / sigma_L^2.
    sigmas, eps, n_each, n = [4.0, 2.0, 1.0], 0.01, 10, 50_000
    zero = lambda x, sigma: torch.zeros_like(x)
    x = annealed_langevin(zero, torch.zeros(n, 1, dtype=torch.float64), sigmas, eps, n_each, generator=generator())
    expected = 2 * eps * n_each * sum(s**2 for s in sigmas) / sigmas[-1] ** 2
    assert abs(x.square().mean().item() - expected) < 5 * expected * math.sqrt(2 / n)


def test_denoising_step_is_tweedie():
    # Data N(0, s^2): p_sigma = N(0, s^2 + sigma^2), and x + sigma^2 s(x, sigma) = x s^2 / (s^2 + sigma^2).
    score = lambda x, sigma: -x / (2.0 + sigma**2)
    x0 = torch.randn(7, 3, generator=generator(16), dtype=torch.float64)
    out = annealed_langevin(score, x0, [3.0, 0.5], 0.1, 0, denoise=True)
    torch.testing.assert_close(out, x0 * 2.0 / (2.0 + 0.25))
    assert torch.equal(annealed_langevin(score, x0, [3.0, 0.5], 0.1, 0, denoise=False), x0)


def _mode_weight(x):
    return (x.sum(dim=1) > 0).double().mean().item()  # fraction of samples on the side of (5, 5)


@pytest.mark.slow
def test_annealing_recovers_the_mode_weights_where_plain_langevin_cannot():
    mixture, n = data.two_mode_mixture(), 2000
    x0 = 16 * torch.rand(n, 2, generator=generator(17)) - 8  # NCSN's toy start: uniform on [-8, 8]^2
    se = math.sqrt(0.25 / n)  # binomial SE of a fraction, at most sqrt(1/4n)
    # Plain Langevin never crosses the valley (density e^-25 of the modes' on the diagonal): each chain
    # ends in the basin it starts in. The basins split at x1 + x2 = -log(4)/10 = -0.139 (the minimum of
    # the density along the diagonal), which leaves 0.5 + 0.139 * 16 / 256 = 0.509 of the uniform start
    # on the (5, 5) side.
    plain = _mode_weight(ula(mixture.score, x0, 0.1, 300, generator=generator(18)))
    assert abs(plain - 0.509) < 5 * se
    # Annealed: sigma from 20 (beyond the distance 14 between the modes) to 0.1, eps / sigma_L^2 = 0.2.
    # The chains still cross the valley at sigma = 3.42 and hardly at the next level, 1.90, so the (5, 5)
    # side keeps the mass p_3.42 puts there: 0.2 + 0.6 Phi(5 sqrt(2) / sqrt(1 + 3.42^2)) = 0.786, a little
    # below 0.8 (chapter 2, eq. langevin-frozen-weight; 20 000 chains give 0.786 +- 0.003).
    sigmas = np.geomspace(20.0, 0.1, 10).tolist()
    table = {sigma: mixture.perturbed(sigma) for sigma in sigmas}
    x = annealed_langevin(lambda x, sigma: table[sigma].score(x), x0, sigmas, 0.002, 100, generator=generator(19))
    annealed = _mode_weight(x)
    frozen = 0.2 + 0.6 * stats.norm.cdf(5 * math.sqrt(2) / math.sqrt(1 + sigmas[3] ** 2))
    assert abs(annealed - frozen) < 5 * se, f"annealed weight {annealed:.3f}, predicted {frozen:.3f}"
    assert abs(annealed - 0.8) < 0.05, "the issue's requirement: 0.8 +- 0.05"
    assert abs(plain - frozen) > 5 * se, "power: the same window excludes plain Langevin"


# ---- reproducibility, dtypes, devices, side effects --------------------------------------------------


def _run_all(x0, seed):
    return (
        ula(gaussian_score(1.0), x0, 0.2, 5, generator=generator(seed)),
        mala(gaussian_log_prob(1.0), x0, 0.2, 5, generator=generator(seed))[0],
        annealed_langevin(lambda x, s: -x / (1 + s**2), x0, [2.0, 1.0], 0.1, 3, generator=generator(seed)),
    )


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_samplers_keep_dtype_and_shape_and_do_not_modify_x0(dtype):
    x0 = torch.randn(6, 2, generator=generator(20), dtype=dtype)
    saved = x0.clone()
    for out in _run_all(x0, 0):
        assert out.dtype == dtype and out.shape == x0.shape and not out.requires_grad
    assert torch.equal(x0, saved)


def test_samplers_are_reproducible():
    x0 = torch.randn(6, 2, generator=generator(21))
    for a, b in zip(_run_all(x0, 1), _run_all(x0, 1), strict=True):
        assert torch.equal(a, b)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_samplers_stay_on_the_device_of_x0():
    x0 = torch.randn(6, 2, device="cuda")
    g = torch.Generator(device="cuda").manual_seed(0)
    assert ula(gaussian_score(1.0), x0, 0.2, 3, generator=g).device == x0.device
    assert mala(gaussian_log_prob(1.0), x0, 0.2, 3, generator=g)[0].device == x0.device
    assert annealed_langevin(lambda x, s: -x, x0, [1.0], 0.1, 3, generator=g).device == x0.device


def test_no_parameter_gradient_is_accumulated():
    precision = torch.nn.Parameter(torch.tensor(2.0))
    log_prob = lambda x: -0.5 * precision * (x**2).sum(dim=1)
    x0 = torch.randn(5, 2, generator=generator(22))
    mala(log_prob, x0, 0.3, 5, generator=generator(23))
    out = ula(score_from_log_prob(log_prob), x0, 0.3, 5, generator=generator(23))
    assert precision.grad is None and not out.requires_grad


def test_score_from_log_prob_is_the_gradient_and_works_without_grad():
    score = score_from_log_prob(lambda x: -0.25 * (x**4).sum(dim=1))
    x = torch.tensor([[1.0, -2.0], [0.5, 0.0]], dtype=torch.float64)
    with torch.no_grad():
        torch.testing.assert_close(score(x), -(x**3))


# ---- exercise checkers -------------------------------------------------------------------------------


def test_checkers_accept_the_reference_and_explain_a_mistake():
    assert check_ula_step(lambda x, grad, step_size, noise: x + step_size / 2 * grad + step_size**0.5 * noise) == 3
    with pytest.raises(AssertionError, match="ula_step: case 1 failed"):
        check_ula_step(lambda x, grad, step_size, noise: x + step_size * grad + step_size**0.5 * noise)
    assert check_mala_log_acceptance(mala_log_acceptance) == 3
    with pytest.raises(AssertionError, match="mala_log_acceptance: case"):  # symmetric-proposal mistake
        check_mala_log_acceptance(lambda x, y, log_p_x, log_p_y, grad_x, grad_y, step_size: log_p_y - log_p_x)
    assert check_stationary_variance(ula_stationary_variance) == 5
    with pytest.raises(AssertionError, match="expected"):
        check_stationary_variance(lambda variance, step_size: variance / (1 - step_size / (2 * variance)))


# ---- bad inputs ---------------------------------------------------------------------------------------

X0 = torch.zeros(3, 2)
SCORE = gaussian_score(1.0)
LOG_PROB = gaussian_log_prob(1.0)
SIGMA_SCORE = lambda x, sigma: -x  # noqa: E731


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: ula("not callable", X0, 0.1, 5), TypeError, "callable"),
        (lambda: ula(SCORE, [[0.0, 0.0]], 0.1, 5), TypeError, "torch.Tensor"),
        (lambda: ula(SCORE, torch.zeros(3, 2, dtype=torch.int64), 0.1, 5), TypeError, "floating"),
        (lambda: ula(SCORE, torch.zeros(0, 2), 0.1, 5), ValueError, "at least one chain"),
        (lambda: ula(SCORE, torch.tensor(1.0), 0.1, 5), ValueError, "at least one chain"),
        (lambda: ula(SCORE, torch.tensor([[float("nan"), 0.0]]), 0.1, 5), ValueError, "finite"),
        (lambda: ula(SCORE, X0, 0.0, 5), ValueError, "positive"),
        (lambda: ula(SCORE, X0, -0.1, 5), ValueError, "positive"),
        (lambda: ula(SCORE, X0, float("nan"), 5), ValueError, "positive"),
        (lambda: ula(SCORE, X0, float("inf"), 5), ValueError, "positive"),
        (lambda: ula(SCORE, X0, "0.1", 5), TypeError, "real number"),
        (lambda: ula(SCORE, X0, 0.1, -1), ValueError, ">= 0"),
        (lambda: ula(SCORE, X0, 0.1, 5.0), TypeError, "int"),
        (lambda: ula(SCORE, X0, 0.1, True), TypeError, "int"),
        (lambda: ula(SCORE, X0, 0.1, 5, generator=0), TypeError, "Generator"),
        (lambda: ula(lambda x: x[:, :1], X0, 0.1, 5), ValueError, "shape"),
        (lambda: ula(lambda x: -x.double(), X0, 0.1, 5), ValueError, "dtype"),
        (lambda: ula_stationary_variance(0.0, 0.1), ValueError, "positive"),
        (lambda: ula_stationary_variance(1.0, -0.1), ValueError, "positive"),
        (lambda: ula_stationary_variance(1.0, float("nan")), ValueError, "positive"),
        (lambda: ula_stationary_variance(1.0, 4.0), ValueError, "diverges"),
        (lambda: ula_stationary_variance("1", 0.1), TypeError, "real number"),
        (lambda: mala(None, X0, 0.1, 5), TypeError, "callable"),
        (lambda: mala(LOG_PROB, torch.zeros(3), 0.1, 5), ValueError, r"shape \(n, d"),
        (lambda: mala(LOG_PROB, X0, 0.1, 0), ValueError, ">= 1"),
        (lambda: mala(LOG_PROB, X0, 0.0, 5), ValueError, "positive"),
        (lambda: mala(LOG_PROB, X0, 0.1, 2.5), TypeError, "int"),
        (lambda: mala(lambda x: -(x**2), X0, 0.1, 5), ValueError, "one value per chain"),
        (lambda: mala(lambda x: torch.zeros(3), X0, 0.1, 5), ValueError, "differentiable"),
        (lambda: mala(lambda x: x.sum(1).log(), X0, 0.1, 5), ValueError, "finite"),
        (lambda: mala(LOG_PROB, X0.int(), 0.1, 5), TypeError, "floating"),
        (lambda: mala(LOG_PROB, torch.full((3, 2), float("inf")), 0.1, 5), ValueError, "finite"),
        (lambda: mala_log_acceptance(X0, X0[:2], X0[:, 0], X0[:, 0], X0, X0, 0.1), ValueError, "shape"),
        (lambda: mala_log_acceptance(X0, X0, X0, X0[:, 0], X0, X0, 0.1), ValueError, "shape"),
        (lambda: mala_log_acceptance(X0, X0, X0[:, 0], X0[:, 0], X0, X0, 0), ValueError, "positive"),
        (lambda: mala_log_acceptance(X0, X0, [0.0] * 3, X0[:, 0], X0, X0, 0.1), TypeError, "floating"),
        (
            lambda: mala_log_acceptance(X0[:, 0], X0[:, 0], X0[:, 0], X0[:, 0], X0[:, 0], X0[:, 0], 0.1),
            ValueError,
            r"shape \(n, d",
        ),
        (lambda: annealed_langevin(1.0, X0, [1.0], 0.1, 5), TypeError, "callable"),
        (lambda: annealed_langevin(SIGMA_SCORE, X0, [1.0, 2.0], 0.1, 5), ValueError, "decrease"),
        (lambda: annealed_langevin(SIGMA_SCORE, X0, [1.0, 1.0], 0.1, 5), ValueError, "decrease"),
        (lambda: annealed_langevin(SIGMA_SCORE, X0, [1.0, 0.0], 0.1, 5), ValueError, "positive"),
        (lambda: annealed_langevin(SIGMA_SCORE, X0, [1.0, float("nan")], 0.1, 5), ValueError, "positive"),
        (lambda: annealed_langevin(SIGMA_SCORE, X0, [], 0.1, 5), ValueError, "non-empty"),
        (lambda: annealed_langevin(SIGMA_SCORE, X0, [[2.0, 1.0]], 0.1, 5), ValueError, "1-D"),
        (lambda: annealed_langevin(SIGMA_SCORE, X0, 1.0, 0.1, 5), TypeError, "sequence"),
        (lambda: annealed_langevin(SIGMA_SCORE, X0, ["a", "b"], 0.1, 5), TypeError, "real numbers"),
        (lambda: annealed_langevin(SIGMA_SCORE, X0, [1.0], 0.0, 5), ValueError, "positive"),
        (lambda: annealed_langevin(SIGMA_SCORE, X0, [1.0], 0.1, -2), ValueError, ">= 0"),
        (lambda: annealed_langevin(SIGMA_SCORE, X0, [1.0], 0.1, 5, generator="seed"), TypeError, "Generator"),
        (lambda: annealed_langevin(lambda x, s: x[:, :1], X0, [1.0], 0.1, 5), ValueError, "shape"),
        (lambda: annealed_langevin(SIGMA_SCORE, X0.double().fill_(float("nan")), [1.0], 0.1, 5), ValueError, "finite"),
        (lambda: score_from_log_prob("log p"), TypeError, "callable"),
    ],
)
def test_bad_inputs_are_rejected_with_a_clear_message(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_annealed_accepts_tensor_and_array_sigmas_and_passes_floats():
    seen = []

    def score(x, sigma):
        seen.append(sigma)
        return -x

    annealed_langevin(score, X0, torch.tensor([2.0, 1.0]), 0.1, 1, denoise=False)
    annealed_langevin(score, X0, np.array([2.0, 1.0]), 0.1, 1, denoise=False)
    assert seen == [2.0, 1.0, 2.0, 1.0] and all(type(s) is float for s in seen)
