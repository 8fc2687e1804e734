"""The library's attention (SDPA with a boolean mask) against an explicit masked softmax.

What `tests/test_transformer.py` and `tests/test_masks.py` already check, and is not repeated:
the SDPA *function* against the explicit formula on UniLM + padding masks (test_masks), and one
whole-model forward pass against an explicit reference with an unpadded UniLM mask at the
library's initial weights (test_transformer). This file adds, for the module and the whole
network in float64:

* every mask the book uses, with padding: UniLM seq2seq, causal LM, bidirectional, a
  different mask per row (3-D) and one (L, L) mask broadcast over the batch (2-D);
* weights of standard deviation 1/sqrt(fan_in): attention scores are of order 1, so attention
  is far from uniform. At the library's initial std 0.02 the scores are ~1e-3 and a wrong mask
  or scale changes the output by little, so a comparison there proves less;
* the gradients of every parameter (embeddings included), not only the forward pass;
* rows with a single allowed key (the first row of the causal mask, every padding row), checked
  against the closed form: such a row's attention output is that position's own value vector;
* RoPE with a different position vector per row (positions of shape (batch, L)).

Tolerance. float64 unit roundoff u = 2**-53 ~ 1.1e-16. Every output entry is a chain of dot
products of length n <= 64 (the MLP width) whose terms are of order 1-10 here; the standard
bound for a dot product is n u sum|a_i b_i| ~ 64 * 1.1e-16 * 10 ~ 7e-14 per operation, and two
blocks with LayerNorm (inputs of standard deviation of order 1, so it does not amplify) compound a
few of these: at most ~1e-12. We allow 1e-10, a hundred times that bound. A real discrepancy is
far larger: using 1/d instead of 1/sqrt(d), or letting one masked key through, moves outputs by
more than 1e-3 (`test_the_tolerance_separates_rounding_from_a_real_mistake`).
"""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from tutorial_lib.masks import bidirectional_mask, causal_mask, unilm_mask, with_padding
from tutorial_lib.nn.transformer import SelfAttention, Transformer, TransformerConfig
from tutorial_lib.rope import apply_rope

VOCAB, WIDTH, HEADS, LENGTH = 23, 16, 2, 7
ATOL = 1e-10  # derived in the module docstring


def assert_agree(got: torch.Tensor, want: torch.Tensor) -> None:
    """Same shape, finite, and max |got - want| <= ATOL, with the difference in the message.

    Not torch.testing.assert_close: in PyTorch 2.13 its first call imports torch.distributed.tensor (2-3 s).
    """
    assert got.shape == want.shape, f"shapes differ: {tuple(got.shape)} vs {tuple(want.shape)}"
    assert bool(torch.isfinite(got).all()), "the library's output has NaN or inf"
    diff = (got - want).abs().max().item()
    assert diff <= ATOL, f"max |library - explicit| = {diff:.2e} exceeds {ATOL:.0e}"


# ---- the reference: written from the formula, independently of the library's code ------------------


def explicit_attention(q, k, v, mask):
    """softmax(q k^T / sqrt(d), -inf where the mask is False) v."""
    scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
    return scores.masked_fill(~mask, float("-inf")).softmax(dim=-1) @ v


def reference_attention(attn: SelfAttention, x, mask, positions):
    """Multi-head attention of ``x`` (batch, L, D) under ``mask`` (L, L) or (batch, L, L).

    ``positions`` is (batch, L); RoPE is applied one row at a time so that no broadcasting of the
    library's is reused.
    """
    q, k, v = attn.qkv(x).chunk(3, dim=-1)
    q, k, v = (t.unflatten(-1, (attn.n_heads, -1)).transpose(1, 2) for t in (q, k, v))  # (batch, heads, L, d)
    if attn.rope:
        q = torch.stack([apply_rope(q[b], positions[b], attn.rope_base) for b in range(x.shape[0])])
        k = torch.stack([apply_rope(k[b], positions[b], attn.rope_base) for b in range(x.shape[0])])
    heads_mask = mask if mask.ndim == 2 else mask[:, None]
    return attn.out(explicit_attention(q, k, v, heads_mask).transpose(1, 2).flatten(-2))


def reference_forward(model: Transformer, tokens, segments, mask, positions):
    """The pre-LN network with :func:`reference_attention`, from the model's own parameters."""
    x = model.token_embedding(tokens) + model.segment_embedding(segments)
    if model.position_embedding is not None:
        x = x + model.position_embedding(positions)
    for block in model.blocks:
        x = x + reference_attention(block.attn, block.ln1(x), mask, positions)
        x = x + block.mlp(block.ln2(x))
    return model.ln_f(x)


# ---- fixtures -------------------------------------------------------------------------------------


def rescale_(module: torch.nn.Module, seed: int) -> torch.nn.Module:
    """Weights with std 1/sqrt(fan_in) and small random biases: attention scores of order 1."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, parameter in module.named_parameters():
            if parameter.ndim == 2:
                parameter.copy_(torch.randn(parameter.shape, generator=generator, dtype=parameter.dtype))
                parameter /= math.sqrt(parameter.shape[1])
            elif name.endswith("bias"):
                parameter.copy_(0.1 * torch.randn(parameter.shape, generator=generator, dtype=parameter.dtype))
    return module


def make_model(rope: bool, seed: int = 0, layers: int = 2) -> Transformer:
    config = TransformerConfig(vocab_size=VOCAB, d_model=WIDTH, n_heads=HEADS, n_layers=layers, max_len=32, rope=rope)
    return rescale_(Transformer(config), seed).double().eval()


REAL_LENGTHS = torch.tensor([LENGTH, 5, 2])  # a full row, a padded row, a row that is mostly padding
PADDING = torch.arange(LENGTH) < REAL_LENGTHS[:, None]
SOURCE_LENGTHS = [3, 4, 1]  # the third row: [CLS] alone as source, then one target token


def segments_for(kind: str) -> torch.Tensor:
    if kind != "unilm":
        return torch.zeros(len(REAL_LENGTHS), LENGTH, dtype=torch.long)
    return ((torch.arange(LENGTH) >= torch.tensor(SOURCE_LENGTHS)[:, None]) & PADDING).long()


def mask_for(kind: str) -> torch.Tensor:
    """The book's masks on a batch of three rows with padding; "causal 2-D" has no padding."""
    if kind == "unilm":
        return with_padding(unilm_mask(segments_for(kind)), PADDING)
    if kind == "causal":
        return with_padding(causal_mask(LENGTH), PADDING)
    if kind == "bidirectional":
        return bidirectional_mask(PADDING)
    if kind == "causal 2-D":
        return causal_mask(LENGTH)
    raise ValueError(kind)


MASKS = ["unilm", "causal", "bidirectional", "causal 2-D"]


def random_tokens(seed: int) -> torch.Tensor:
    tokens = torch.randint(5, VOCAB, (len(REAL_LENGTHS), LENGTH), generator=torch.Generator().manual_seed(seed))
    return tokens * PADDING  # [PAD] = 0 at padding


# ---- the attention module ---------------------------------------------------------------------------


@pytest.mark.parametrize("rope", [False, True])
@pytest.mark.parametrize("kind", MASKS)
def test_self_attention_module_equals_explicit_masked_softmax(kind, rope):
    attn = make_model(rope).blocks[0].attn
    x = torch.randn(len(REAL_LENGTHS), LENGTH, WIDTH, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    mask = mask_for(kind)
    positions = torch.arange(LENGTH).expand(len(REAL_LENGTHS), LENGTH)
    library_mask = mask if mask.ndim == 2 else mask[:, None]  # what Transformer.forward passes down
    got = attn(x, library_mask, torch.arange(LENGTH))
    assert_agree(got, reference_attention(attn, x, mask, positions))


@given(st.integers(1, 9), st.integers(0, 9), st.integers(0, 4), st.booleans(), st.integers(0, 2**16))
@settings(max_examples=25, deadline=None)
def test_self_attention_on_random_unilm_layouts(n_source, n_target, n_pad, rope, seed):
    segments = torch.tensor([[0] * n_source + [1] * n_target + [0] * n_pad])
    padding = torch.tensor([[True] * (n_source + n_target) + [False] * n_pad])
    mask = with_padding(unilm_mask(segments), padding)
    length = segments.shape[1]
    attn = rescale_(SelfAttention(TransformerConfig(vocab_size=VOCAB, d_model=8, n_heads=2, rope=rope)), seed)
    attn = attn.double()
    x = torch.randn(1, length, 8, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    got = attn(x, mask[:, None], torch.arange(length))
    expected = reference_attention(attn, x, mask, torch.arange(length)[None])
    assert_agree(got, expected)


@pytest.mark.parametrize("rope", [False, True])
@pytest.mark.parametrize("kind", ["causal", "unilm"])
def test_a_row_with_one_allowed_key_returns_that_positions_own_value(kind, rope):
    """Closed form: softmax over one key is 1, so the row's output is out(v_i) with v_i = W_v x_i + b_v.

    Such rows in the book: the first position under the causal mask, and the [CLS] token when the
    source is [CLS] alone under the UniLM mask (third row here). A padding row is not one of them:
    with_padding lets it see the real keys as well as itself. RoPE rotates q and k only, never v.
    """
    attn = make_model(rope).blocks[0].attn
    x = torch.randn(len(REAL_LENGTHS), LENGTH, WIDTH, generator=torch.Generator().manual_seed(2), dtype=torch.float64)
    mask = mask_for(kind)
    single = mask.sum(dim=-1) == 1
    expected_single = torch.zeros_like(single)
    expected_single[:, 0] = True if kind == "causal" else torch.tensor([False, False, True])
    assert torch.equal(single, expected_single)
    got = attn(x, mask[:, None], torch.arange(LENGTH))
    w_v, b_v = attn.qkv.weight[2 * WIDTH :], attn.qkv.bias[2 * WIDTH :]
    own_value = attn.out(x @ w_v.T + b_v)
    assert_agree(got[single], own_value[single])
    assert (got[~single] - own_value[~single]).abs().amax(dim=-1).min() > 1e-3, "other rows mix several values"


# ---- the whole network: logits and gradients ----------------------------------------------------------


def logits_and_gradients(model, forward_fn, tokens, segments, mask, positions, targets):
    """Logits, and the gradients of a cross-entropy loss for every parameter the logits depend on."""
    parameters = [p for name, p in model.named_parameters() if not name.startswith("pooler")]
    logits = model.lm_logits(forward_fn(tokens, segments, mask, positions))
    loss = torch.nn.functional.cross_entropy(logits.flatten(0, 1), targets.flatten())
    return logits, torch.autograd.grad(loss, parameters)


@pytest.mark.parametrize("rope", [False, True])
@pytest.mark.parametrize("kind", MASKS)
def test_transformer_logits_and_parameter_gradients_equal_explicit(kind, rope):
    model = make_model(rope, seed=3)
    tokens, segments, mask = random_tokens(4), segments_for(kind), mask_for(kind)
    positions = torch.arange(LENGTH).expand(len(REAL_LENGTHS), LENGTH)
    targets = torch.randint(0, VOCAB, tokens.shape, generator=torch.Generator().manual_seed(5))

    def library(tokens, segments, mask, positions):
        return model(tokens, segments, mask)  # default positions 0..L-1

    got_logits, got_grads = logits_and_gradients(model, library, tokens, segments, mask, positions, targets)
    reference = lambda *args: reference_forward(model, *args)  # noqa: E731
    want_logits, want_grads = logits_and_gradients(model, reference, tokens, segments, mask, positions, targets)
    assert_agree(got_logits, want_logits)
    for got, want in zip(got_grads, want_grads, strict=True):
        assert_agree(got, want)
    assert max(g.abs().max() for g in want_grads) > 1e-3, "gradients too small for the comparison to mean much"


def test_rope_with_a_position_vector_per_row_equals_explicit():
    """positions of shape (batch, L): each row rotated by its own positions (e.g. shifted, left-padded)."""
    model = make_model(rope=True, seed=6)
    tokens, mask = random_tokens(7), mask_for("causal")
    segments = torch.zeros_like(tokens)
    positions = torch.arange(LENGTH) + torch.tensor([[0], [3], [11]])
    got = model(tokens, segments, mask, positions)
    assert_agree(got, reference_forward(model, tokens, segments, mask, positions))


# ---- the comparison can fail ------------------------------------------------------------------------


def test_the_tolerance_separates_rounding_from_a_real_mistake():
    """Two plausible bugs move the module's output by far more than ATOL at these weights."""
    attn = make_model(rope=False).blocks[0].attn
    x = torch.randn(len(REAL_LENGTHS), LENGTH, WIDTH, generator=torch.Generator().manual_seed(8), dtype=torch.float64)
    mask = mask_for("unilm")
    got = attn(x, mask[:, None], torch.arange(LENGTH))
    q, k, v = (t.unflatten(-1, (HEADS, -1)).transpose(1, 2) for t in attn.qkv(x).chunk(3, dim=-1))
    d = q.shape[-1]
    wrong_scale = explicit_attention(q * math.sqrt(d) / d, k, v, mask[:, None])  # 1/d instead of 1/sqrt(d)
    leaky = mask.clone()
    leaky[0, 0, -1] = True  # the [CLS] position sees the last target token
    wrong_mask = explicit_attention(q, k, v, leaky[:, None])
    for wrong in (wrong_scale, wrong_mask):
        moved = (got - attn.out(wrong.transpose(1, 2).flatten(-2))).abs().max()
        assert moved > 1e-3  # ten million times ATOL
