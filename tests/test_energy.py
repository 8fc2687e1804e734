"""tutorial_lib.energy and tutorial_lib.nn.energy_nets: the IGEBM recipe against closed forms.

Tolerances come from the Monte Carlo standard error (SE) of each estimate and are
5 SE unless a comment says otherwise (a correct implementation fails such a check
with probability below 1e-6; the seeds are fixed, so nothing flakes). Next to each
check a "power" assertion shows that the broken variant lies far outside the window.

Stationary variance of the IGEBM sampler on E(x) = x^2 / (2 s^2), without clipping
or clamping. One step is x' = (x + sigma xi) - lam * (x + sigma xi) / s^2
= (1 - a)(x + sigma xi) with a = lam / s^2: the noise is added *before* the
gradient is taken (the order of the reference code). Started at x = 0, the chain
is Gaussian at every step with variance
    v_k = (1 - a)^2 (v_{k-1} + sigma^2)  =>  v_k = v_inf (1 - (1 - a)^(2k)),
    v_inf = (1 - a)^2 sigma^2 / (1 - (1 - a)^2).
(With the gradient step first, x' = (1 - a) x + sigma xi, the stationary variance
would be sigma^2 / (1 - (1 - a)^2): the two orders differ by the factor (1 - a)^2.)
For small a both tend to sigma^2 / (2 a) = T s^2 with T = sigma^2 / (2 lam).
N independent chains give v_hat = mean(x^2) (the mean is known to be 0) with
SE(v_hat) = v * sqrt(2 / N).
"""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize, stats

from tutorial_lib.energy import (
    ReplayBuffer,
    contrastive_divergence_loss,
    effective_temperature,
    igebm_sample,
    igebm_step,
    regularised_variance_fixed_point,
)
from tutorial_lib.exercises.energy import check_cd_loss, check_igebm_step
from tutorial_lib.nn.energy_nets import ConvEnergy, MLPEnergy

FAST = settings(max_examples=25, deadline=None)


def generator(seed=0):
    return torch.Generator().manual_seed(seed)


def zeros_init(n, gen):
    return torch.zeros(n, 3)


def uniform_init(n, gen):
    return torch.rand(n, 3, generator=gen)


def quadratic_energy(s2):
    return lambda x: 0.5 * (x**2).sum(dim=1) / s2


def igebm_variance(sigma, lam, s2, k=None):
    """Exact variance of the clip-free, clamp-free IGEBM chain on x^2/(2 s2) (see the module docstring)."""
    c = (1 - lam / s2) ** 2
    v_inf = c * sigma**2 / (1 - c)
    return v_inf if k is None else v_inf * (1 - c**k)


# ---- ReplayBuffer ---------------------------------------------------------------------------------


def test_buffer_is_a_ring_oldest_overwritten_first():
    buf = ReplayBuffer(5, zeros_init, reinit_prob=0.0)
    assert len(buf) == 0
    rows = torch.arange(24.0).reshape(8, 3)
    buf.push(rows[:3])
    assert len(buf) == 3 and torch.equal(buf.contents(), rows[:3])
    buf.push(rows[3:7])  # 7 pushed, capacity 5: rows 0 and 1 are gone
    assert len(buf) == 5 and torch.equal(buf.contents(), rows[2:7])
    buf.push(rows[7:])
    assert torch.equal(buf.contents(), rows[3:8])


def test_buffer_push_larger_than_capacity_keeps_the_newest():
    buf = ReplayBuffer(4, zeros_init)
    rows = torch.arange(30.0).reshape(10, 3)
    buf.push(rows[:1])
    buf.push(rows[1:])
    assert len(buf) == 4 and torch.equal(buf.contents(), rows[6:])


@FAST
@given(
    capacity=st.integers(1, 12),
    sizes=st.lists(st.integers(1, 9), min_size=1, max_size=8),
)
def test_buffer_contents_do_not_depend_on_how_pushes_are_chunked(capacity, sizes):
    """Property: the buffer holds the last `capacity` rows in push order, whatever the batch sizes."""
    rows = torch.arange(3.0 * sum(sizes)).reshape(-1, 3)
    chunked, one_by_one = ReplayBuffer(capacity, zeros_init), ReplayBuffer(capacity, zeros_init)
    start = 0
    for size in sizes:
        chunked.push(rows[start : start + size])
        start += size
    for row in rows:
        one_by_one.push(row[None])
    expected = rows[-capacity:]
    assert torch.equal(chunked.contents(), expected)
    assert torch.equal(one_by_one.contents(), expected)
    assert len(chunked) == min(capacity, len(rows))


def test_empty_buffer_samples_are_all_fresh():
    buf = ReplayBuffer(10, lambda n, gen: torch.full((n, 3), 7.0))
    x, index = buf.sample(4)
    assert x.shape == (4, 3) and torch.all(x == 7.0) and torch.all(index == -1)


def test_buffer_samples_come_from_the_stored_slot_they_name():
    buf = ReplayBuffer(100, lambda n, gen: torch.full((n, 3), -1.0), reinit_prob=0.3)
    rows = torch.arange(60.0).reshape(20, 3)
    buf.push(rows)  # not full: slot i holds the i-th pushed row
    x, index = buf.sample(500, generator=generator(1))
    stored = index >= 0
    assert torch.equal(x[stored], rows[index[stored]])
    assert torch.all(x[~stored] == -1.0)


def test_reinit_fraction_is_binomial():
    # The number of fresh points is Binomial(n, p): SE of the fraction = sqrt(p (1 - p) / n).
    n, p = 40_000, 0.05
    buf = ReplayBuffer(50, uniform_init, reinit_prob=p)
    buf.push(torch.zeros(50, 3))
    _, index = buf.sample(n, generator=generator(2))
    fraction = float((index == -1).double().mean())
    se = math.sqrt(p * (1 - p) / n)
    assert abs(fraction - p) < 5 * se
    assert abs(0.5 - p) > 100 * se  # power: a 50 % restart rate is far outside


def test_buffer_draws_are_uniform_over_slots():
    # Chi-square test of uniformity over 8 slots with 16 000 draws; p-value threshold 1e-6.
    buf = ReplayBuffer(8, zeros_init, reinit_prob=0.0)
    buf.push(torch.arange(24.0).reshape(8, 3))
    _, index = buf.sample(16_000, generator=generator(3))
    counts = torch.bincount(index, minlength=8).numpy()
    assert stats.chisquare(counts).pvalue > 1e-6


def test_buffer_copies_in_and_out():
    buf = ReplayBuffer(4, zeros_init, reinit_prob=0.0)
    x = torch.ones(2, 3)
    buf.push(x)
    x += 5  # the caller's tensor changes; the buffer must not
    drawn, _ = buf.sample(3, generator=generator())
    drawn += 100
    assert torch.all(buf.contents() == 1.0)


def test_buffer_is_reproducible_with_a_generator():
    def run(seed):
        buf = ReplayBuffer(10, uniform_init, reinit_prob=0.5)
        buf.push(torch.randn(10, 3, generator=generator(9)))
        return buf.sample(20, generator=generator(seed))

    (x1, i1), (x2, i2) = run(4), run(4)
    assert torch.equal(x1, x2) and torch.equal(i1, i2)
    assert not torch.equal(run(5)[1], i1)


def test_buffer_keeps_dtype_of_first_push():
    buf = ReplayBuffer(3, lambda n, gen: torch.zeros(n, 2, dtype=torch.float64))
    buf.push(torch.ones(2, 2, dtype=torch.float64))
    x, _ = buf.sample(5, generator=generator())
    assert x.dtype == torch.float64 and x.shape == (5, 2)


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"capacity": 0}, ValueError),
        ({"capacity": -3}, ValueError),
        ({"capacity": 2.0}, TypeError),
        ({"capacity": True}, TypeError),
        ({"init_fn": "noise"}, TypeError),
        ({"reinit_prob": -0.1}, ValueError),
        ({"reinit_prob": 1.5}, ValueError),
        ({"reinit_prob": "0.05"}, TypeError),
    ],
)
def test_buffer_constructor_rejects_bad_arguments(kwargs, error):
    arguments = {"capacity": 4, "init_fn": zeros_init, "reinit_prob": 0.05, **kwargs}
    with pytest.raises(error):
        ReplayBuffer(**arguments)


def test_buffer_rejects_bad_pushes_and_samples():
    buf = ReplayBuffer(4, zeros_init)
    with pytest.raises(ValueError, match="empty"):
        buf.contents()
    buf.push(torch.zeros(2, 3))
    with pytest.raises(ValueError, match=r"\(n, 3\)"):
        buf.push(torch.zeros(2, 4))
    with pytest.raises(ValueError):
        buf.push(torch.zeros(0, 3))
    with pytest.raises(ValueError, match="NaN"):
        buf.push(torch.full((1, 3), float("nan")))
    with pytest.raises(TypeError):
        buf.push(torch.zeros(2, 3, dtype=torch.int64))
    with pytest.raises(TypeError):
        buf.push([[0.0, 0.0, 0.0]])
    with pytest.raises(ValueError):
        buf.sample(0)
    with pytest.raises(TypeError):
        buf.sample(2.0)
    with pytest.raises(TypeError):
        buf.sample(2, generator=0)


def test_buffer_rejects_an_init_fn_of_the_wrong_shape():
    with pytest.raises(ValueError, match="must return 3 samples"):
        ReplayBuffer(4, lambda n, gen: torch.zeros(n + 1, 3)).sample(3)
    buf = ReplayBuffer(4, lambda n, gen: torch.zeros(n, 5), reinit_prob=1.0)
    buf.push(torch.zeros(2, 3))
    with pytest.raises(ValueError, match="shape"):
        buf.sample(3)
    with pytest.raises(TypeError):
        ReplayBuffer(4, lambda n, gen: np.zeros((n, 3))).sample(2)


# ---- the IGEBM sampler -----------------------------------------------------------------------------


def test_igebm_step_adds_noise_before_taking_the_gradient():
    # E = sum x^3 / 3 has gradient x^2, so the point where it is taken matters.
    x = torch.tensor([[0.2, 0.9]], dtype=torch.float64)
    noise = torch.tensor([[0.3, -0.4]], dtype=torch.float64)
    out = igebm_step(lambda z: (z**3).sum(1) / 3, x, noise, step_size=0.5, grad_clip=None, clamp=None)
    noisy = x + noise
    assert torch.allclose(out, noisy - 0.5 * noisy**2)
    assert not torch.allclose(out, x - 0.5 * x**2 + noise)  # power: gradient first is another update


def test_igebm_sample_equals_repeated_steps_with_the_same_noise():
    energy = lambda z: (z**3).sum(1) / 3 + z.prod(1)
    x0 = torch.rand(6, 2, generator=generator(1), dtype=torch.float64)
    out = igebm_sample(energy, x0, n_steps=7, step_size=0.1, noise_std=0.05, grad_clip=0.3,
                       clamp=(0.0, 0.8), generator=generator(2))
    g, x = generator(2), x0
    for _ in range(7):
        noise = 0.05 * torch.randn(x.shape, generator=g, dtype=x.dtype)
        x = igebm_step(energy, x, noise, step_size=0.1, grad_clip=0.3, clamp=(0.0, 0.8))
    assert torch.equal(out, x)


@pytest.mark.parametrize("sigma, lam, steps", [(0.5, 0.5, 60), (0.3, 0.1, 40)])
def test_igebm_stationary_variance_matches_the_ar1_closed_form(sigma, lam, steps):
    n = 20_000
    x0 = torch.zeros(n, 1, dtype=torch.float64)
    x = igebm_sample(quadratic_energy(1.0), x0, n_steps=steps, step_size=lam, noise_std=sigma,
                     grad_clip=None, clamp=None, generator=generator(5))
    v_hat = float((x**2).mean())
    exact = igebm_variance(sigma, lam, 1.0, k=steps)
    se = exact * math.sqrt(2 / n)
    assert abs(v_hat - exact) < 5 * se
    # power: the gradient-first order, sigma^2 / (1 - (1 - a)^2), is far outside the window
    assert abs(sigma**2 / (1 - (1 - lam) ** 2) - exact) > 20 * se


def test_small_steps_sample_at_the_effective_temperature():
    # a = lam / s^2 = 0.01: the exact variance is T s^2 (1 - a)^2 / (1 - a / 2) = 0.985 T s^2.
    # The chains start at N(0, T s^2) and run 300 steps: the distance to the stationary variance
    # shrinks by (1 - a)^600 = 0.0024, so whatever law the sampler has, it has reached it.
    # Tolerance: the 1.5 % discretisation bias plus 5 SE (SE = v sqrt(2 / N) = 1 % here).
    n, s2, lam, sigma = 20_000, 2.0, 0.02, 0.1
    target = effective_temperature(sigma, lam) * s2
    x0 = math.sqrt(target) * torch.randn(n, 1, generator=generator(6), dtype=torch.float64)
    x = igebm_sample(quadratic_energy(s2), x0, n_steps=300, step_size=lam, noise_std=sigma,
                     grad_clip=None, clamp=None, generator=generator(7))
    v_hat = float((x**2).mean())
    assert abs(v_hat - target) < 0.015 * target + 5 * target * math.sqrt(2 / n)
    # power: the noise scale alone (no division by 2 lam) would be far off
    assert abs(sigma**2 * s2 - target) > 0.5 * target


def test_clipping_limits_every_coordinate_step():
    # Slopes 0.003 (below the clip) and 5.0 (far above): steps -lam*0.003 and -lam*0.01 exactly.
    energy = lambda z: z @ torch.tensor([0.003, 5.0], dtype=z.dtype)
    x0 = torch.full((3, 2), 0.5, dtype=torch.float64)
    out = igebm_sample(energy, x0, n_steps=4, step_size=10.0, noise_std=0.0, grad_clip=0.01, clamp=(0.0, 1.0))
    expected = torch.tensor([0.5 - 4 * 10 * 0.003, 0.5 - 4 * 10 * 0.01], dtype=torch.float64)
    assert torch.allclose(out, expected.expand(3, 2))


def test_clamp_is_respected():
    energy = lambda z: -1000.0 * z.sum(1)  # pushes every coordinate up, hard
    x0 = torch.rand(50, 4, generator=generator(7))
    out = igebm_sample(energy, x0, n_steps=5, step_size=1.0, noise_std=0.5, grad_clip=None,
                       clamp=(-0.25, 0.75), generator=generator(8))
    assert out.min() >= -0.25 and out.max() <= 0.75
    assert torch.all(out == 0.75)  # the energy drives everything to the upper bound


def test_sampler_never_touches_parameter_gradients():
    net = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.SiLU(), torch.nn.Linear(8, 1))
    energy = lambda z: net(z).squeeze(1)
    x0 = torch.rand(5, 3)
    out = igebm_sample(energy, x0, n_steps=3, generator=generator())
    assert all(p.grad is None for p in net.parameters())
    assert not out.requires_grad and out.grad_fn is None
    with torch.no_grad():  # works inside no_grad too (a common place to call a sampler from)
        igebm_sample(energy, x0, n_steps=2)
    assert all(p.grad is None for p in net.parameters())


def test_sampler_keeps_dtype_and_leaves_the_start_unchanged():
    for dtype in (torch.float32, torch.float64):
        x0 = torch.rand(4, 1, 8, 8, dtype=dtype, generator=generator())
        copy = x0.clone()
        out = igebm_sample(lambda z: z.flatten(1).pow(2).sum(1), x0, n_steps=3, generator=generator())
        assert out.dtype == dtype and out.shape == x0.shape and torch.equal(x0, copy)
    same = igebm_sample(lambda z: z.sum(1), x0[:, 0, 0], n_steps=0)
    assert torch.equal(same, x0[:, 0, 0]) and same.data_ptr() != x0.data_ptr()


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"energy_fn": "E"}, TypeError),
        ({"x0": [[0.5, 0.5]]}, TypeError),
        ({"x0": torch.ones(2, 2, dtype=torch.int64)}, TypeError),
        ({"x0": torch.full((2, 2), float("nan"))}, ValueError),
        ({"x0": torch.zeros(0, 2)}, ValueError),
        ({"n_steps": -1}, ValueError),
        ({"n_steps": 2.0}, TypeError),
        ({"step_size": 0.0}, ValueError),
        ({"step_size": float("nan")}, ValueError),
        ({"step_size": "10"}, TypeError),
        ({"noise_std": -0.1}, ValueError),
        ({"grad_clip": 0.0}, ValueError),
        ({"clamp": (1.0, 0.0)}, ValueError),
        ({"clamp": (0.0, float("inf"))}, ValueError),
        ({"clamp": "01"}, TypeError),
        ({"generator": 3}, TypeError),
        ({"energy_fn": lambda z: z}, ValueError),  # energies of shape (n, 2), not (n,)
        ({"energy_fn": lambda z: z.sum(1) * float("nan")}, ValueError),
    ],
)
def test_sampler_rejects_bad_inputs(kwargs, error):
    arguments = {"energy_fn": lambda z: z.pow(2).sum(1), "x0": torch.full((2, 2), 0.5), "n_steps": 2, **kwargs}
    with pytest.raises(error):
        igebm_sample(**arguments)


def test_step_rejects_bad_noise():
    x = torch.rand(3, 2)
    with pytest.raises(ValueError, match="noise"):
        igebm_step(lambda z: z.sum(1), x, torch.zeros(3, 3))
    with pytest.raises(TypeError):
        igebm_step(lambda z: z.sum(1), x, 0.0)


# ---- the loss -------------------------------------------------------------------------------------


def test_cd_loss_value():
    e_pos, e_neg = np.array([0.3, -1.2, 0.5]), np.array([2.0, -0.1])
    for alpha in (0.0, 0.4, 1.0):
        expected = e_pos.mean() - e_neg.mean() + alpha * ((e_pos**2).mean() + (e_neg**2).mean())
        got = contrastive_divergence_loss(torch.tensor(e_pos), torch.tensor(e_neg), alpha=alpha)
        assert got.shape == () and math.isclose(float(got), expected, rel_tol=1e-12)


def cd_gradient_in_theta(x_pos, x_neg, theta, alpha):
    """d/dtheta of the loss for E_theta(x) = x^2 / (2 theta), by autograd through the library."""
    theta = torch.tensor(theta, dtype=torch.float64, requires_grad=True)
    energy = lambda x: x**2 / (2 * theta)
    loss = contrastive_divergence_loss(energy(x_pos), energy(x_neg.detach()), alpha=alpha)
    (grad,) = torch.autograd.grad(loss, theta)
    return float(grad)


def test_cd_gradient_on_a_gaussian_family_equals_the_analytic_value():
    # dE/dtheta = -x^2 / (2 theta^2) and d(E^2)/dtheta = -x^4 / (2 theta^3): the gradient is the data
    # average minus the sample average of dE/dtheta, plus alpha times the regulariser's term.
    g = generator(10)
    x_pos, x_neg = 1.3 * torch.randn(200, generator=g, dtype=torch.float64), torch.randn(150, generator=g,
                                                                                          dtype=torch.float64)
    theta, alpha = 0.8, 0.7
    analytic = (
        -(x_pos**2).mean() / (2 * theta**2)
        + (x_neg**2).mean() / (2 * theta**2)
        - alpha * ((x_pos**4).mean() + (x_neg**4).mean()) / (2 * theta**3)
    )
    assert math.isclose(cd_gradient_in_theta(x_pos, x_neg, theta, alpha), float(analytic), rel_tol=1e-10)


def test_expected_cd_gradient_is_data_minus_model_expectation():
    # x+ ~ N(0, v), x- ~ N(0, theta) (exact model samples): E[grad] = (theta - v) / (2 theta^2)
    # - 3 alpha (v^2 + theta^2) / (2 theta^3). The estimate is a mean of independent per-sample
    # terms, so its SE is sqrt(Var(term+) / n + Var(term-) / n), estimated from the terms.
    n, v, theta, alpha = 100_000, 1.5, 1.0, 0.2
    g = generator(11)
    x_pos = math.sqrt(v) * torch.randn(n, generator=g, dtype=torch.float64)
    x_neg = math.sqrt(theta) * torch.randn(n, generator=g, dtype=torch.float64)
    got = cd_gradient_in_theta(x_pos, x_neg, theta, alpha)
    expected = (theta - v) / (2 * theta**2) - 3 * alpha * (v**2 + theta**2) / (2 * theta**3)
    term_pos = -(x_pos**2) / (2 * theta**2) - alpha * x_pos**4 / (2 * theta**3)
    term_neg = (x_neg**2) / (2 * theta**2) - alpha * x_neg**4 / (2 * theta**3)
    se = math.sqrt(float(term_pos.var() + term_neg.var()) / n)
    assert abs(got - expected) < 5 * se
    assert abs((theta - v) / (2 * theta**2) - expected) > 20 * se  # power: the regulariser's term is visible


def quantile_sample(variance, n=200_001):
    """A deterministic 'sample' of N(0, variance): its normal quantiles (moments exact to ~1e-4)."""
    q = stats.norm.ppf((np.arange(n) + 0.5) / n)
    return torch.tensor(math.sqrt(variance) * q, dtype=torch.float64)


@pytest.mark.parametrize("alpha, temperature", [(0.0, 1.0), (0.1, 1.0), (0.2, 1.0), (1.0, 0.05), (1.0, 1.25e-6)])
def test_regulariser_fixed_point_matches_a_root_of_the_library_gradient(alpha, temperature):
    # Oracle: brentq on the autograd gradient of the library loss, with quantile 'samples' of the data
    # N(0, v) and of the model at temperature T, N(0, T theta). Independent of the algebra.
    v = 0.7
    x_pos, unit = quantile_sample(v), quantile_sample(1.0)

    def gradient_at_model_variance(u):
        return cd_gradient_in_theta(x_pos, math.sqrt(u) * unit, u / temperature, alpha)

    root = optimize.brentq(gradient_at_model_variance, 0.5 * v, 3 * v, xtol=1e-12)
    assert math.isclose(regularised_variance_fixed_point(v, alpha, temperature), root, rel_tol=1e-3)


def test_regulariser_fixed_point_with_a_free_offset():
    # Oracle: solve both stationarity conditions (theta and the offset c) with scipy's fsolve.
    v, alpha = 0.7, 0.15
    x_pos, unit = quantile_sample(v), quantile_sample(1.0)

    def gradients(params):
        u, c = params
        theta = torch.tensor(u, dtype=torch.float64, requires_grad=True)
        offset = torch.tensor(c, dtype=torch.float64, requires_grad=True)
        energy = lambda x: x**2 / (2 * theta) + offset
        loss = contrastive_divergence_loss(energy(x_pos), energy(math.sqrt(u) * unit), alpha=alpha)
        return [float(t) for t in torch.autograd.grad(loss, (theta, offset))]

    u_root, _ = optimize.fsolve(gradients, [v, 0.0], xtol=1e-12)
    assert math.isclose(regularised_variance_fixed_point(v, alpha, free_offset=True), u_root, rel_tol=1e-3)
    assert regularised_variance_fixed_point(v, alpha, free_offset=True) < regularised_variance_fixed_point(v, alpha)


def test_strong_regulariser_has_no_fixed_point():
    # alpha T >= 1/3: the expected gradient in theta is negative everywhere, so gradient descent
    # grows theta (and the model variance) without bound.
    assert regularised_variance_fixed_point(1.0, alpha=1.0) == math.inf
    assert regularised_variance_fixed_point(1.0, alpha=0.4, free_offset=True) == math.inf
    x_pos, unit = quantile_sample(1.0, 20_001), quantile_sample(1.0, 20_001)
    for u in (0.5, 1.0, 4.0, 50.0):
        assert cd_gradient_in_theta(x_pos, math.sqrt(u) * unit, u, alpha=1.0) < 0
    small = regularised_variance_fixed_point(1.0, alpha=1.0, temperature=effective_temperature(0.005, 10.0))
    assert 1 < small < 1 + 1e-5  # IGEBM's temperature: bias 6 alpha T = 7.5e-6


@pytest.mark.parametrize(
    "args, error",
    [
        ((torch.zeros(2, 2), torch.zeros(2)), ValueError),
        ((torch.zeros(0), torch.zeros(2)), ValueError),
        ((torch.zeros(2), torch.tensor([float("nan")])), ValueError),
        ((torch.zeros(2, dtype=torch.int64), torch.zeros(2)), TypeError),
        (([0.0, 1.0], torch.zeros(2)), TypeError),
        ((torch.zeros(2), torch.zeros(2), -1.0), ValueError),
        ((torch.zeros(2), torch.zeros(2), "1"), TypeError),
    ],
)
def test_cd_loss_rejects_bad_inputs(args, error):
    with pytest.raises(error):
        contrastive_divergence_loss(*args)


def test_effective_temperature_and_fixed_point_reject_bad_inputs():
    assert effective_temperature(0.005, 10.0) == pytest.approx(1.25e-6)
    assert effective_temperature(0.0, 1.0) == 0.0
    for args, error in [((-0.1, 1.0), ValueError), ((0.1, 0.0), ValueError), (("0.1", 1.0), TypeError),
                        ((0.1, float("inf")), ValueError)]:
        with pytest.raises(error):
            effective_temperature(*args)
    for args, kwargs, error in [((0.0, 0.1), {}, ValueError), ((1.0, -0.1), {}, ValueError),
                                ((1.0, 0.1, 0.0), {}, ValueError), ((1.0, 0.1), {"free_offset": 1}, TypeError)]:
        with pytest.raises(error):
            regularised_variance_fixed_point(*args, **kwargs)


# ---- the networks -----------------------------------------------------------------------------------


@pytest.mark.parametrize("spectral", [False, True])
def test_energy_nets_return_one_energy_per_sample(spectral):
    torch.manual_seed(0)
    mlp = MLPEnergy(dim=2, hidden=16, n_hidden_layers=2, spectral_norm=spectral)
    conv = ConvEnergy(channels=4, spectral_norm=spectral)
    for net, x in ((mlp, torch.randn(7, 2)), (conv, torch.rand(5, 1, 8, 8))):
        x.requires_grad_(True)
        energy = net(x)
        assert energy.shape == (x.shape[0],)
        (grad,) = torch.autograd.grad(energy.sum(), x)
        assert torch.isfinite(grad).all()


def test_spectral_norm_bounds_the_input_gradient():
    # Every linear map has spectral norm ~1 after power iterations and SiLU is 1.1-Lipschitz, so
    # |grad_x E| <= 1.1^3 for three layers; without spectral norm a scaled-up net exceeds it.
    torch.manual_seed(1)
    net = MLPEnergy(dim=2, hidden=32, n_hidden_layers=2, spectral_norm=True)
    with torch.no_grad():
        for parameter in net.parameters():
            parameter.mul_(20.0)
    x = torch.randn(256, 2)
    for _ in range(30):  # power iterations run in training mode
        net(x)
    net.eval()
    x.requires_grad_(True)
    (grad,) = torch.autograd.grad(net(x).sum(), x)
    assert grad.norm(dim=1).max() <= 1.1**3 + 0.05
    plain = MLPEnergy(dim=2, hidden=32, n_hidden_layers=2)
    with torch.no_grad():
        for parameter in plain.parameters():
            parameter.mul_(20.0)
    (grad,) = torch.autograd.grad(plain(x).sum(), x)
    assert grad.norm(dim=1).max() > 10


def test_energy_nets_reject_bad_inputs():
    with pytest.raises(ValueError, match=r"\(n, 2\)"):
        MLPEnergy(dim=2)(torch.randn(3, 3))
    with pytest.raises(ValueError, match=r"\(n, 1, 8, 8\)"):
        ConvEnergy()(torch.rand(3, 8, 8))
    with pytest.raises(TypeError):
        MLPEnergy()(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="activation"):
        MLPEnergy(activation="relu6")
    with pytest.raises(TypeError):
        MLPEnergy(hidden=3.5)
    with pytest.raises(ValueError):
        MLPEnergy(n_hidden_layers=0)
    with pytest.raises(ValueError, match="divisible by 4"):
        ConvEnergy(image_size=10)


# ---- the exercise checkers ---------------------------------------------------------------------------


def test_checkers_accept_the_reference_and_name_the_failing_case(capsys):
    assert check_igebm_step(igebm_step) == 5
    assert check_cd_loss(contrastive_divergence_loss) == 4

    def gradient_first(energy_fn, x, noise, step_size, grad_clip, clamp):
        return igebm_step(energy_fn, x, torch.zeros_like(x), step_size, grad_clip, clamp) + noise

    with pytest.raises(AssertionError, match="igebm_step: case 1 failed"):
        check_igebm_step(gradient_first)

    def no_regulariser(e_pos, e_neg, alpha):
        return e_pos.mean() - e_neg.mean()

    with pytest.raises(AssertionError, match="expected"):
        check_cd_loss(no_regulariser)
