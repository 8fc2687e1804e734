"""Tests of tutorial_lib.masks and of the chapter-6 exercise checkers.

Every mask is compared with a brute-force construction written from its
definition (a double loop over query and key positions). All comparisons are
exact: masks are boolean, and attention is compared in float64 where the only
error is rounding (tolerance 1e-12).
"""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from tutorial_lib.exercises.masks import check_apply_rope, check_unilm_mask
from tutorial_lib.masks import (
    bidirectional_mask,
    causal_mask,
    dialogue_segment_ids,
    unilm_mask,
    with_padding,
)
from tutorial_lib.rope import apply_rope

# ---- brute-force references ----------------------------------------------------------


def brute_unilm(segments: list[int]) -> torch.Tensor:
    """mask[q, k] = (number of 1s in segments[:k+1]) <= (number of 1s in segments[:q+1])."""
    n = len(segments)
    return torch.tensor(
        [[sum(segments[: k + 1]) <= sum(segments[: q + 1]) for k in range(n)] for q in range(n)]
    )


def brute_with_padding(mask: torch.Tensor, real: list[bool]) -> torch.Tensor:
    n = len(real)
    return torch.tensor(
        [[(bool(mask[q, k]) and real[k]) or (not real[q] and (q == k or (bool(mask[q, k]) and real[k])))
          for k in range(n)] for q in range(n)]
    )


segment_batches = st.integers(1, 4).flatmap(
    lambda b: st.integers(1, 12).flatmap(
        lambda n: st.lists(st.lists(st.integers(0, 1), min_size=n, max_size=n), min_size=b, max_size=b)
    )
)
seq2seq_layouts = st.tuples(st.integers(1, 8), st.integers(0, 8), st.integers(0, 5))  # source, target, padding


# ---- causal / bidirectional -------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 2, 7])
def test_causal_mask_is_k_le_q(n):
    expected = torch.tensor([[k <= q for k in range(n)] for q in range(n)])
    mask = causal_mask(n)
    assert mask.dtype == torch.bool and torch.equal(mask, expected)


def test_causal_mask_device_argument():
    assert causal_mask(3, device="cpu").device.type == "cpu"


@pytest.mark.parametrize("bad, error", [(0, ValueError), (-2, ValueError), (2.0, TypeError), (True, TypeError)])
def test_causal_mask_bad_length(bad, error):
    with pytest.raises(error):
        causal_mask(bad)


@given(st.lists(st.integers(1, 9), min_size=1, max_size=4), st.integers(9, 10))
@settings(deadline=None)  # timings on a shared 2-core machine vary
def test_bidirectional_mask_matches_brute_force(lengths, n):
    padding = torch.tensor([[i < m for i in range(n)] for m in lengths])
    mask = bidirectional_mask(padding)
    for b, m in enumerate(lengths):
        real = [i < m for i in range(n)]
        expected = brute_with_padding(torch.ones(n, n, dtype=torch.bool), real)
        assert torch.equal(mask[b], expected)


@pytest.mark.parametrize(
    "bad, error",
    [
        (torch.ones(2, 3), TypeError),  # float, not bool
        (torch.ones(3, dtype=torch.bool), ValueError),  # 1-D
        (torch.ones(2, 0, dtype=torch.bool), ValueError),  # empty
        ([[True, False]], TypeError),  # a list
    ],
)
def test_bidirectional_mask_bad_input(bad, error):
    with pytest.raises(error):
        bidirectional_mask(bad)


# ---- UniLM ------------------------------------------------------------------------------


@given(segment_batches)
@settings(deadline=None)  # timings on a shared 2-core machine vary
def test_unilm_mask_matches_brute_force(segments):
    mask = unilm_mask(torch.tensor(segments))
    assert mask.dtype == torch.bool and mask.shape == (len(segments), len(segments[0]), len(segments[0]))
    for b, row in enumerate(segments):
        assert torch.equal(mask[b], brute_unilm(row))


@given(st.lists(st.integers(0, 1), min_size=1, max_size=12))
@settings(deadline=None)  # timings on a shared 2-core machine vary
def test_unilm_mask_one_dimensional_and_list_input(segments):
    assert torch.equal(unilm_mask(segments), brute_unilm(segments))
    assert torch.equal(unilm_mask(torch.tensor(segments, dtype=torch.bool)), brute_unilm(segments))


@given(seq2seq_layouts)
@settings(deadline=None)  # timings on a shared 2-core machine vary
def test_unilm_mask_seq2seq_structure(layout):
    """[CLS] source [SEP] has segment 0, target segment 1: source sees only source, target is causal."""
    n_source, n_target, _ = layout
    mask = unilm_mask([0] * n_source + [1] * n_target)
    for q in range(n_source + n_target):
        for k in range(n_source + n_target):
            if q < n_source:
                expected = k < n_source
            else:
                expected = k <= q
            assert bool(mask[q, k]) == expected


@pytest.mark.parametrize("n", [1, 4, 9])
def test_unilm_mask_all_zero_is_bidirectional_all_one_is_causal(n):
    assert bool(unilm_mask(torch.zeros(n, dtype=torch.long)).all())
    assert torch.equal(unilm_mask(torch.ones(n, dtype=torch.long)), causal_mask(n))


@pytest.mark.parametrize(
    "bad, error",
    [
        ([[0, 1], [0]], ValueError),  # ragged
        ([0, 2, 1], ValueError),  # not binary
        ([0, -1], ValueError),
        (torch.tensor([0.0, 1.0]), TypeError),  # float
        (torch.zeros(1, 2, 3, dtype=torch.long), ValueError),  # 3-D
        (torch.zeros(0, dtype=torch.long), ValueError),  # empty
        (torch.zeros(2, 0, dtype=torch.long), ValueError),
        ("0011", ValueError),
    ],
)
def test_unilm_mask_bad_input(bad, error):
    with pytest.raises(error):
        unilm_mask(bad)


# ---- padding ----------------------------------------------------------------------------


@given(seq2seq_layouts, st.sampled_from(["unilm", "causal", "full"]))
@settings(deadline=None)  # timings on a shared 2-core machine vary
def test_with_padding_matches_brute_force_and_leaves_no_empty_row(layout, kind):
    n_source, n_target, n_pad = layout
    segments = [0] * n_source + [1] * n_target + [0] * n_pad  # bert4keras pads segment ids with 0
    n = len(segments)
    real = [True] * (n_source + n_target) + [False] * n_pad
    base = {"unilm": unilm_mask(segments), "causal": causal_mask(n), "full": torch.ones(n, n, dtype=torch.bool)}[kind]
    mask = with_padding(base, torch.tensor([real]))
    assert mask.shape == (1, n, n)
    assert torch.equal(mask[0], brute_with_padding(base, real))
    assert bool(mask.any(dim=-1).all()), "a row with no allowed key makes softmax 0/0"
    pad = torch.tensor(real)
    assert not bool(mask[0][pad][:, ~pad].any()), "a real query attends to padding"


def test_with_padding_broadcasts_a_batch_of_masks():
    segments = torch.tensor([[0, 0, 1, 1], [0, 1, 1, 0]])
    padding = torch.tensor([[True, True, True, True], [True, True, True, False]])
    mask = with_padding(unilm_mask(segments), padding)
    for b in range(2):
        assert torch.equal(mask[b], brute_with_padding(brute_unilm(segments[b].tolist()), padding[b].tolist()))


def test_with_padding_rejects_a_real_row_with_no_key():
    mask = torch.tensor([[False, True], [True, True]])
    with pytest.raises(ValueError, match="query 0"):
        with_padding(mask, torch.tensor([[True, False]]))


@pytest.mark.parametrize(
    "mask, padding, error",
    [
        (torch.ones(3, 3), torch.ones(1, 3, dtype=torch.bool), TypeError),
        (torch.ones(3, 3, dtype=torch.bool), torch.ones(1, 3), TypeError),
        (torch.ones(3, 3, dtype=torch.bool), torch.ones(1, 4, dtype=torch.bool), ValueError),
        (torch.ones(2, 3, 3, dtype=torch.bool), torch.ones(3, 3, dtype=torch.bool), ValueError),
        (torch.ones(3, dtype=torch.bool), torch.ones(1, 3, dtype=torch.bool), ValueError),
        ([[True]], torch.ones(1, 1, dtype=torch.bool), TypeError),
    ],
)
def test_with_padding_bad_input(mask, padding, error):
    with pytest.raises(error):
        with_padding(mask, padding)


# ---- attention with these masks ----------------------------------------------------------


def explicit_attention(q, k, v, mask):
    """softmax((q k^T / sqrt(d)) with -inf where the mask is False) v, written out."""
    scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
    scores = scores.masked_fill(~mask, float("-inf"))
    return scores.softmax(dim=-1) @ v


@given(seq2seq_layouts, st.integers(0, 2**16))
@settings(max_examples=30, deadline=None)
def test_sdpa_with_mask_equals_explicit_masked_softmax(layout, seed):
    n_source, n_target, n_pad = layout
    segments = torch.tensor([[0] * n_source + [1] * n_target + [0] * n_pad])
    padding = torch.tensor([[True] * (n_source + n_target) + [False] * n_pad])
    mask = with_padding(unilm_mask(segments), padding)  # (1, L, L)
    generator = torch.Generator().manual_seed(seed)
    q, k, v = (torch.randn(1, 2, segments.shape[1], 4, generator=generator, dtype=torch.float64) for _ in range(3))
    expected = explicit_attention(q, k, v, mask[:, None])
    got = F.scaled_dot_product_attention(q, k, v, attn_mask=mask[:, None])
    assert torch.isfinite(got).all(), "padding produced NaN"
    torch.testing.assert_close(got, expected, rtol=0, atol=1e-12)


def test_a_fully_masked_row_is_what_with_padding_prevents():
    """An all-False row is softmax 0/0: NaN in the formula (PyTorch kernels differ: NaN or zeros).

    with_padding gives the padded query itself as a key, so the row is a proper
    softmax and SDPA equals the explicit formula.
    """
    q = k = v = torch.randn(1, 1, 2, 4, dtype=torch.float64)
    mask = torch.tensor([[True, False], [False, False]])
    assert torch.isnan(explicit_attention(q, k, v, mask)).any()
    fixed = with_padding(mask, torch.tensor([[True, False]]))
    got = F.scaled_dot_product_attention(q, k, v, attn_mask=fixed)
    assert torch.isfinite(got).all()
    torch.testing.assert_close(got, explicit_attention(q, k, v, fixed), rtol=0, atol=1e-12)
    torch.testing.assert_close(got[..., 1, :], v[..., 1, :])  # the padded query copies its own value


# ---- dialogue segment ids ----------------------------------------------------------------


@given(st.lists(st.integers(1, 6), min_size=1, max_size=7))
@settings(deadline=None)  # timings on a shared 2-core machine vary
def test_dialogue_segment_ids_alternate_per_turn(lengths):
    expected = [turn % 2 for turn, n in enumerate(lengths) for _ in range(n)]
    got = dialogue_segment_ids(lengths)
    assert got.dtype == torch.long and got.tolist() == expected
    assert dialogue_segment_ids(torch.tensor(lengths)).tolist() == expected


@pytest.mark.parametrize(
    "bad, error",
    [([], ValueError), ([2, 0], ValueError), ([2, -1], ValueError), ([1.5, 2], TypeError), ([True], TypeError),
     (torch.tensor([1.0, 2.0]), TypeError), (torch.ones(2, 2, dtype=torch.long), TypeError)],
)
def test_dialogue_segment_ids_bad_input(bad, error):
    with pytest.raises(error):
        dialogue_segment_ids(bad)


# ---- exercise checkers -----------------------------------------------------------------


def test_check_unilm_mask_accepts_the_reference_and_a_correct_rewrite(capsys):
    def rewrite(segment_ids):
        c = segment_ids.cumsum(-1)
        return c[..., None, :] <= c[..., :, None]

    assert check_unilm_mask(rewrite) == 11
    assert "all 11 cases" in capsys.readouterr().out


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda segment_ids: (lambda c: c[..., :, None] <= c[..., None, :])(segment_ids.cumsum(-1)), "differ"),
        (lambda segment_ids: torch.ones(*segment_ids.shape, segment_ids.shape[-1], dtype=torch.bool), "differ"),
        (lambda segment_ids: unilm_mask(segment_ids).int(), "boolean"),
    ],
)
def test_check_unilm_mask_rejects_wrong_masks_with_a_specific_message(wrong, message):
    with pytest.raises(AssertionError, match=message):
        check_unilm_mask(wrong)


def test_check_apply_rope_accepts_reference_and_rejects_half_split():
    assert check_apply_rope(lambda x, positions: apply_rope(x, positions)) == 6

    def half_split(x, positions):
        from tutorial_lib.rope import apply_rope_half_split

        return apply_rope_half_split(x, positions)

    with pytest.raises(AssertionError, match="apply_rope: case"):
        check_apply_rope(half_split)
