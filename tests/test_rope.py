"""Tests of tutorial_lib.rope against the explicit rotation matrix and RoPE's defining properties.

Everything is float64 and exact up to rounding: angles of size up to ~1e3
radians lose about 1e-13 in cos/sin, and dot products of 64-dimensional
vectors of order-1 entries add about 1e-14, so 1e-9 absolute tolerances leave a
wide margin while any formula error (a wrong sign, a wrong pairing, a wrong
frequency) gives errors of order 1.
"""

from __future__ import annotations

import cmath
import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from tutorial_lib.rope import (
    apply_rope,
    apply_rope_half_split,
    half_split_permutation,
    rope_decay_bound,
    rope_frequencies,
    rotation_matrix,
)

even_dims = st.integers(1, 16).map(lambda h: 2 * h)
positions = st.integers(-500, 500)
seeds = st.integers(0, 2**16)
relaxed = settings(deadline=None, max_examples=50)  # shared 2-core machine: timings vary


def randn(*shape, seed=0, dtype=torch.float64):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=dtype)


def test_frequencies_are_base_to_the_minus_two_i_over_d():
    d = 8
    expected = torch.tensor([10000.0 ** (-2 * i / d) for i in range(d // 2)], dtype=torch.float64)
    torch.testing.assert_close(rope_frequencies(d), expected, rtol=1e-15, atol=0)
    assert rope_frequencies(d, base=100.0)[1].item() == pytest.approx(100.0 ** (-0.25))


@given(even_dims, positions, seeds)
@relaxed
def test_apply_rope_equals_the_block_rotation_matrix(d, m, seed):
    x = randn(3, d, seed=seed)
    rotated = apply_rope(x, positions=torch.full((3,), m))
    torch.testing.assert_close(rotated, x @ rotation_matrix(m, d).T, rtol=0, atol=1e-9)


def test_rotation_matrix_blocks_by_hand():
    """d = 4, m = 2: blocks rotate by 2 and by 2/100 radians."""
    r = rotation_matrix(2, 4)
    for i, angle in enumerate((2.0, 0.02)):
        block = r[2 * i : 2 * i + 2, 2 * i : 2 * i + 2]
        expected = torch.tensor([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]],
                                dtype=torch.float64)
        torch.testing.assert_close(block, expected, rtol=0, atol=1e-15)
    assert r[:2, 2:].abs().max() == 0 and r[2:, :2].abs().max() == 0


@given(even_dims, positions, positions, seeds)
@relaxed
def test_scores_depend_only_on_relative_position(d, m, n, seed):
    """<R_m q, R_n k> = <q, R_{n-m} k>, and shifting both positions changes nothing."""
    q, k = randn(2, d, seed=seed)
    score = apply_rope(q[None], [m]) @ apply_rope(k[None], [n]).T
    relative = q[None] @ apply_rope(k[None], [n - m]).T
    shifted = apply_rope(q[None], [m + 37]) @ apply_rope(k[None], [n + 37]).T
    torch.testing.assert_close(score, relative, rtol=0, atol=1e-9)
    torch.testing.assert_close(score, shifted, rtol=0, atol=1e-9)
    # the matrix identity behind it: R_m^T R_n = R_{n-m}
    torch.testing.assert_close(rotation_matrix(m, d).T @ rotation_matrix(n, d), rotation_matrix(n - m, d),
                               rtol=0, atol=1e-9)


@given(even_dims, seeds)
@relaxed
def test_norms_are_preserved(d, seed):
    x = randn(2, 5, d, seed=seed)
    pos = torch.randint(-1000, 1000, (5,), generator=torch.Generator().manual_seed(seed))
    torch.testing.assert_close(apply_rope(x, pos).norm(dim=-1), x.norm(dim=-1), rtol=1e-12, atol=0)


def test_position_zero_is_the_identity():
    x = randn(4, 6, seed=3)
    assert torch.equal(apply_rope(x, torch.zeros(4, dtype=torch.long)), x)
    assert torch.equal(apply_rope(x)[0], x[0])  # default positions start at 0


def test_default_positions_are_arange_along_dim_minus_two():
    x = randn(2, 3, 5, 4, seed=4)
    torch.testing.assert_close(apply_rope(x), apply_rope(x, torch.arange(5)))
    for m in range(5):
        torch.testing.assert_close(apply_rope(x)[..., m, :], x[..., m, :] @ rotation_matrix(m, 4).T)


def test_batched_positions_broadcast():
    x = randn(2, 3, 4, seed=5)
    pos = torch.tensor([[0, 1, 2], [5, 7, 9]])
    out = apply_rope(x, pos)
    for b in range(2):
        torch.testing.assert_close(out[b], apply_rope(x[b], pos[b]))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_dtype_and_device_follow_the_input(dtype):
    x = randn(3, 4, dtype=dtype)
    out = apply_rope(x, torch.tensor([0, 1000, 2000]))
    assert out.dtype == dtype and out.device == x.device
    # angles are computed in float64 before casting, so float32 matches float64 to float32 precision
    reference = apply_rope(x.double(), torch.tensor([0, 1000, 2000]))
    torch.testing.assert_close(out.double(), reference, rtol=0, atol=1e-5 if dtype == torch.float32 else 1e-12)


@given(even_dims, seeds)
@relaxed
def test_half_split_equals_interleaved_after_the_permutation(d, seed):
    x = randn(5, d, seed=seed)
    p = half_split_permutation(d)
    torch.testing.assert_close(apply_rope_half_split(x[:, p]), apply_rope(x)[:, p], rtol=0, atol=1e-12)


def test_half_split_without_permutation_is_a_different_function():
    x = randn(5, 8, seed=6)
    assert (apply_rope_half_split(x) - apply_rope(x)).abs().max() > 0.1


def test_permuted_checkpoint_gives_the_same_attention_scores():
    """Interleaved q, k  ==  half-split on (q[p], k[p]): scores agree, so a checkpoint converts by permuting."""
    d = 8
    q, k = randn(6, d, seed=7), randn(6, d, seed=8)
    p = half_split_permutation(d)
    interleaved = apply_rope(q) @ apply_rope(k).T
    converted = apply_rope_half_split(q[:, p]) @ apply_rope_half_split(k[:, p]).T
    naive = apply_rope_half_split(q) @ apply_rope_half_split(k).T
    torch.testing.assert_close(converted, interleaved, rtol=0, atol=1e-12)
    assert (naive - interleaved).abs().max() > 1e-2


def test_half_split_permutation_values():
    assert half_split_permutation(8).tolist() == [0, 2, 4, 6, 1, 3, 5, 7]
    assert sorted(half_split_permutation(10).tolist()) == list(range(10))


def brute_decay_bound(r: float, d: int, base: float = 10000.0) -> float:
    thetas = [base ** (-2 * i / d) for i in range(d // 2)]
    partial = [sum(cmath.exp(1j * r * t) for t in thetas[:j]) for j in range(1, d // 2 + 1)]
    return float(np.mean([abs(s) for s in partial]))


@pytest.mark.parametrize("r", [0.0, 1.0, 17.0, 250.0])
def test_decay_bound_matches_brute_force(r):
    assert rope_decay_bound([r], dim=16).item() == pytest.approx(brute_decay_bound(r, 16), rel=1e-12)


def test_decay_bound_starts_at_half_of_d_over_2_plus_1_and_decays():
    d = 128
    bound = rope_decay_bound(torch.arange(0.0, 260.0), dim=d)
    assert bound[0].item() == pytest.approx((d / 2 + 1) / 2, rel=1e-12)
    assert bound[200:].mean() < 0.3 * bound[0]  # RoFormer fig. 2: ~32.5 at 0, ~7.5 near 250
    assert bound[200:].mean() < bound[1:50].mean()


def test_decay_bound_is_even_in_the_distance():
    r = torch.tensor([3.0, 40.0, 200.0])
    torch.testing.assert_close(rope_decay_bound(r), rope_decay_bound(-r))


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda: apply_rope(torch.ones(2, 3)), ValueError),  # odd dimension
        (lambda: apply_rope(torch.ones(2, 4, dtype=torch.long)), TypeError),
        (lambda: apply_rope(torch.ones(4)), ValueError),  # no position axis
        (lambda: apply_rope(torch.ones(0, 4)), ValueError),
        (lambda: apply_rope(torch.tensor([[float("nan"), 0.0]])), ValueError),
        (lambda: apply_rope(torch.ones(3, 4), torch.arange(2)), ValueError),  # wrong length
        (lambda: apply_rope(torch.ones(3, 4), torch.tensor([0.0, float("inf"), 1.0])), ValueError),
        (lambda: apply_rope(torch.ones(3, 4), torch.ones(3, dtype=torch.bool)), TypeError),
        (lambda: apply_rope(torch.ones(2, 3, 4), torch.zeros(5, 3)), ValueError),  # does not broadcast
        (lambda: apply_rope(torch.ones(3, 4), base=1.0), ValueError),
        (lambda: apply_rope([[1.0, 0.0]]), TypeError),
        (lambda: apply_rope_half_split(torch.ones(2, 5)), ValueError),
        (lambda: half_split_permutation(7), ValueError),
        (lambda: half_split_permutation(0), ValueError),
        (lambda: half_split_permutation(4.0), TypeError),
        (lambda: rope_frequencies(3), ValueError),
        (lambda: rope_frequencies(4, base=-2.0), ValueError),
        (lambda: rope_frequencies(4, base="1e4"), TypeError),
        (lambda: rotation_matrix(float("nan"), 4), ValueError),
        (lambda: rotation_matrix("3", 4), TypeError),
        (lambda: rotation_matrix(1, 5), ValueError),
        (lambda: rope_decay_bound([], dim=8), ValueError),
        (lambda: rope_decay_bound([float("nan")], dim=8), ValueError),
        (lambda: rope_decay_bound([1.0], dim=9), ValueError),
        (lambda: rope_decay_bound(torch.tensor([True]), dim=8), TypeError),
    ],
)
def test_bad_inputs(call, error):
    with pytest.raises(error):
        call()
