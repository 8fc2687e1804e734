"""Tests of tutorial_lib.nn.transformer: what each mask lets the whole network see.

The independence tests run the model in float64 and perturb tokens that a
position must not see; the outputs at that position must not move at all.
Masked keys get exactly zero weight, so the only possible difference is
rounding, and none is expected: we allow 1e-10 (float64 rounding on
sums of ~100 terms is ~1e-14). A reference forward pass written with an
explicit masked softmax checks the SDPA path, head split and RoPE.
"""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from tutorial_lib.masks import bidirectional_mask, causal_mask, unilm_mask, with_padding
from tutorial_lib.nn.tokenizer import Tokenizer, pad_batch
from tutorial_lib.nn.transformer import (
    Transformer,
    TransformerConfig,
    fit,
    generate,
    generate_many,
    lm_loss,
    next_token_loss,
    seq2seq_loss,
)
from tutorial_lib.rope import apply_rope

VOCAB = 20


relaxed = settings(deadline=None, max_examples=20)  # shared 2-core machine: timings vary


def make_model(seed=0, rope=False, pooler="linear", tie=True, dtype=torch.float64, **kwargs):
    torch.manual_seed(seed)
    config = TransformerConfig(vocab_size=VOCAB, d_model=16, n_heads=2, n_layers=2, max_len=32, rope=rope,
                               pooler=pooler, tie_lm_head=tie, **kwargs)
    return Transformer(config).to(dtype).eval()


def random_tokens(batch, length, seed):
    return torch.randint(5, VOCAB, (batch, length), generator=torch.Generator().manual_seed(seed))


layouts = st.tuples(st.integers(2, 8), st.integers(1, 8), st.integers(0, 2**16), st.booleans())


# ---- independence ------------------------------------------------------------------------------


@given(layouts, st.sampled_from(["linear", "tanh", "none"]))
@relaxed
def test_source_positions_and_cls_never_depend_on_the_target(layout, pooler):
    n_source, n_target, seed, rope = layout
    model = make_model(seed % 7, rope=rope, pooler=pooler)
    segments = torch.tensor([[0] * n_source + [1] * n_target] * 2)
    tokens = random_tokens(2, n_source + n_target, seed)
    perturbed = tokens.clone()
    perturbed[:, n_source:] = random_tokens(2, n_target, seed + 1)
    mask = unilm_mask(segments)
    hidden, hidden_perturbed = model(tokens, segments, mask), model(perturbed, segments, mask)
    torch.testing.assert_close(hidden[:, :n_source], hidden_perturbed[:, :n_source], rtol=0, atol=1e-10)
    torch.testing.assert_close(model.pool(hidden), model.pool(hidden_perturbed), rtol=0, atol=1e-10)
    if not torch.equal(tokens, perturbed):  # the control: the target itself does change
        assert (hidden[:, n_source:] - hidden_perturbed[:, n_source:]).abs().max() > 1e-6


def test_with_a_bidirectional_mask_the_source_does_depend_on_the_target():
    """The control that shows the independence test can fail."""
    model = make_model()
    segments = torch.tensor([[0, 0, 0, 1, 1]])
    tokens = torch.tensor([[2, 7, 3, 8, 3]])
    perturbed = torch.tensor([[2, 7, 3, 9, 3]])
    full = torch.ones(5, 5, dtype=torch.bool)
    difference = model(tokens, segments, full)[:, :3] - model(perturbed, segments, full)[:, :3]
    assert difference.abs().max() > 1e-6


@given(st.integers(2, 12), st.integers(0, 2**16), st.booleans())
@relaxed
def test_causal_positions_never_depend_on_future_tokens(length, seed, rope):
    model = make_model(seed % 5, rope=rope)
    tokens = random_tokens(1, length, seed)
    t = seed % (length - 1)
    perturbed = tokens.clone()
    perturbed[:, t + 1 :] = random_tokens(1, length - t - 1, seed + 1)
    mask = causal_mask(length)
    segments = torch.zeros_like(tokens)
    torch.testing.assert_close(model(tokens, segments, mask)[:, : t + 1], model(perturbed, segments, mask)[:, : t + 1],
                               rtol=0, atol=1e-10)


@pytest.mark.parametrize("rope", [False, True])
@pytest.mark.parametrize("kind", ["unilm", "causal", "bidirectional"])
def test_padding_changes_nothing_at_real_positions_and_gives_no_nan(rope, kind):
    model = make_model(rope=rope)
    tok = Tokenizer(list("abcdefghijklmno"))
    pairs = [("abc", "de"), ("f", "ghijk"), ("lmno", "a")]
    batch = pad_batch([tok.encode_pair(s, t) for s, t in pairs])

    def mask_for(segments, padding_mask):
        if kind == "unilm":
            return with_padding(unilm_mask(segments), padding_mask)
        if kind == "causal":
            return with_padding(causal_mask(segments.shape[1]), padding_mask)
        return bidirectional_mask(padding_mask)

    hidden = model(batch.tokens, batch.segments, mask_for(batch.segments, batch.padding_mask))
    assert torch.isfinite(hidden).all()
    for b in range(len(pairs)):
        n = int(batch.padding_mask[b].sum())
        one = batch.select([b])
        alone = model(one.tokens, one.segments, mask_for(one.segments, one.padding_mask))
        torch.testing.assert_close(hidden[b, :n], alone[0], rtol=0, atol=1e-10)


# ---- the forward pass against an explicit implementation ----------------------------------------


def reference_forward(model, tokens, segments, mask):
    """The same network written with an explicit masked softmax (no SDPA)."""
    config = model.config
    h = config.n_heads
    x = model.token_embedding(tokens) + model.segment_embedding(segments)
    positions = torch.arange(tokens.shape[1])
    if not config.rope:
        x = x + model.position_embedding(positions)
    for block in model.blocks:
        y = block.ln1(x)
        q, k, v = block.attn.qkv(y).chunk(3, dim=-1)
        q, k, v = (t.unflatten(-1, (h, -1)).transpose(1, 2) for t in (q, k, v))
        if config.rope:
            q, k = apply_rope(q, positions), apply_rope(k, positions)
        scores = (q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])).masked_fill(~mask[:, None], float("-inf"))
        attended = (scores.softmax(-1) @ v).transpose(1, 2).flatten(-2)
        x = x + block.attn.out(attended)
        x = x + block.mlp(block.ln2(x))
    return model.ln_f(x)


@pytest.mark.parametrize("rope", [False, True])
def test_forward_equals_explicit_masked_softmax_implementation(rope):
    model = make_model(rope=rope)
    segments = torch.tensor([[0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 1, 1]])
    tokens = random_tokens(2, 6, 3)
    mask = unilm_mask(segments)
    torch.testing.assert_close(model(tokens, segments, mask), reference_forward(model, tokens, segments, mask),
                               rtol=0, atol=1e-12)


def test_default_mask_is_bidirectional_and_2d_mask_broadcasts():
    model = make_model()
    tokens = random_tokens(2, 5, 4)
    segments = torch.zeros_like(tokens)
    full = torch.ones(2, 5, 5, dtype=torch.bool)
    torch.testing.assert_close(model(tokens), model(tokens, segments, full), rtol=0, atol=1e-12)
    torch.testing.assert_close(model(tokens, segments, causal_mask(5)),
                               model(tokens, segments, causal_mask(5).expand(2, 5, 5)), rtol=0, atol=1e-12)


def test_rope_model_has_no_absolute_positions_and_is_shift_invariant():
    """With RoPE and a bidirectional mask, shifting every position by the same amount changes nothing."""
    model = make_model(rope=True)
    tokens = random_tokens(1, 6, 5)
    shifted = model(tokens, positions=torch.arange(6) + 11)
    assert model.position_embedding is None
    torch.testing.assert_close(model(tokens), shifted, rtol=0, atol=1e-10)
    learned = make_model(rope=False)
    assert (learned(tokens) - learned(tokens, positions=torch.arange(6) + 11)).abs().max() > 1e-6


def test_heads_pooler_and_tying():
    tied, untied = make_model(tie=True), make_model(tie=False)
    assert tied.lm_head.weight is tied.token_embedding.weight
    assert untied.lm_head.weight is not untied.token_embedding.weight
    hidden = tied(random_tokens(3, 4, 6))
    assert tied.lm_logits(hidden).shape == (3, 4, VOCAB) and tied.pool(hidden).shape == (3, 16)
    plain = make_model(pooler="none")
    hidden = plain(random_tokens(3, 4, 6))
    assert torch.equal(plain.pool(hidden), hidden[:, 0])
    squashed = make_model(pooler="tanh")
    assert squashed.pool(squashed(random_tokens(3, 4, 6))).abs().max() < 1


def test_float32_model():
    model = make_model(dtype=torch.float32, rope=True)
    hidden = model(random_tokens(2, 5, 7), mask=causal_mask(5))
    assert hidden.dtype == torch.float32 and torch.isfinite(hidden).all()


# ---- losses ----------------------------------------------------------------------------------


def brute_loss(model, batch, mask, counts):
    """Average of -log p(token[t+1] | position t) over the positions where counts(b, t+1) is True."""
    logits = model.lm_logits(model(batch.tokens, batch.segments, mask))
    terms = []
    for b in range(batch.tokens.shape[0]):
        for t in range(batch.tokens.shape[1] - 1):
            if counts(b, t + 1):
                terms.append(-logits[b, t].log_softmax(-1)[batch.tokens[b, t + 1]])
    return torch.stack(terms).mean()


def test_seq2seq_loss_counts_target_tokens_only():
    model = make_model(1)
    tok = Tokenizer(list("abcdefghijklmno"))
    batch = pad_batch([tok.encode_pair("abc", "de"), tok.encode_pair("f", "ghijk")])
    mask = with_padding(unilm_mask(batch.segments), batch.padding_mask)

    def counts(b, t):
        return bool(batch.segments[b, t] == 1 and batch.padding_mask[b, t])

    torch.testing.assert_close(seq2seq_loss(model, batch), brute_loss(model, batch, mask, counts), rtol=1e-12, atol=0)


def test_lm_loss_counts_every_real_token():
    model = make_model(2)
    tok = Tokenizer(list("abcdefghijklmno"))
    batch = pad_batch([tok.encode_dialogue(["ab", "cde", "f"]), tok.encode_dialogue(["ghi", "j"])])
    mask = with_padding(causal_mask(batch.tokens.shape[1]), batch.padding_mask)

    def counts(b, t):
        return bool(batch.padding_mask[b, t])

    torch.testing.assert_close(lm_loss(model, batch), brute_loss(model, batch, mask, counts), rtol=1e-12, atol=0)


def test_next_token_loss_bad_inputs():
    logits, tokens = torch.zeros(1, 3, 5), torch.zeros(1, 3, dtype=torch.long)
    with pytest.raises(ValueError, match="0/0"):
        next_token_loss(logits, tokens, torch.tensor([[True, False, False]]))
    with pytest.raises(TypeError):
        next_token_loss(logits, tokens, torch.ones(1, 3))
    with pytest.raises(ValueError):
        next_token_loss(logits, tokens[:, :2], torch.ones(1, 2, dtype=torch.bool))
    with pytest.raises(ValueError):
        next_token_loss(logits, tokens, torch.ones(1, 2, dtype=torch.bool))


# ---- generation ------------------------------------------------------------------------------


def brute_greedy(model, tok, ids, segments, new_segment, kind, max_len):
    """Greedy decoding written as plainly as possible, one token at a time."""
    ids, segments = list(ids), list(segments)
    out = []
    banned = [i for i in tok.special_ids if i != tok.sep_id]
    for _ in range(max_len):
        tokens, segs = torch.tensor([ids]), torch.tensor([segments])
        mask = unilm_mask(segs) if kind == "seq2seq" else causal_mask(len(ids))
        logits = model.lm_logits(model(tokens, segs, mask))[0, -1]
        logits[banned] = float("-inf")
        nxt = int(logits.argmax())
        if nxt == tok.sep_id:
            break
        out.append(nxt)
        ids.append(nxt)
        segments.append(new_segment)
    return tok.decode(out)


TOK = Tokenizer(list("abcdefghijklmno"))


def test_greedy_seq2seq_generation_matches_brute_force():
    model = make_model(3)
    for source in ("abc", "hello", "o"):
        ids, segments = TOK.encode_pair(source)
        expected = brute_greedy(model, TOK, ids, segments, 1, "seq2seq", 6)
        assert generate(model, TOK, source, max_len=6) == [expected]
    sources = ["abc", "hello", "o", "def", "k"]
    assert generate_many(model, TOK, sources, max_len=6) == [generate(model, TOK, s, max_len=6)[0] for s in sources]


def test_greedy_dialogue_generation_uses_the_next_speakers_segment():
    model = make_model(4)
    for turns in (["ab"], ["ab", "cd"], ["abc", "d", "efg"]):
        ids, segments = TOK.encode_dialogue(turns)
        expected = brute_greedy(model, TOK, ids, segments, len(turns) % 2, "dialogue", 5)
        assert generate(model, TOK, turns, max_len=5, mode="dialogue") == [expected]
    histories = [["ab"], ["ab", "cd"], ["abc", "d", "efg"], ["ba"]]
    assert generate_many(model, TOK, histories, max_len=5, mode="dialogue") == [
        generate(model, TOK, h, max_len=5, mode="dialogue")[0] for h in histories
    ]


def test_top_k_sampling_is_reproducible_and_top_1_is_greedy():
    model = make_model(5)
    greedy = generate(model, TOK, "abc", max_len=6)
    assert generate(model, TOK, "abc", max_len=6, top_k=1, num_samples=3) == greedy * 3
    first = generate(model, TOK, "abc", max_len=6, top_k=4, num_samples=8, generator=torch.Generator().manual_seed(1))
    again = generate(model, TOK, "abc", max_len=6, top_k=4, num_samples=8, generator=torch.Generator().manual_seed(1))
    assert first == again and len(set(first)) > 1
    assert all(set(text) <= set("abcdefghijklmno") for text in first)


def test_generation_restores_training_mode():
    model = make_model(6).train()
    generate(model, TOK, "abc", max_len=2)
    assert model.training


@pytest.mark.slow
def test_a_tiny_model_learns_to_reverse_and_greedy_decoding_recovers_it():
    """End to end: seq2seq loss + UniLM mask + generation, on four pairs learned by heart."""
    torch.manual_seed(0)
    pairs = [("abc", "cba"), ("hello", "olleh"), ("kjo", "ojk"), ("mnb", "bnm")]
    model = Transformer(TransformerConfig(vocab_size=TOK.vocab_size, d_model=32, n_heads=2, n_layers=2))
    batch = pad_batch([TOK.encode_pair(s, t) for s, t in pairs])
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(150):
        loss = seq2seq_loss(model, batch)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert loss.item() < 0.05
    assert generate_many(model, TOK, [s for s, _ in pairs], max_len=8) == [t for _, t in pairs]


def test_fit_returns_one_loss_per_step_and_draws_batches_from_the_generator():
    model_a, model_b = make_model(8, dtype=torch.float32), make_model(8, dtype=torch.float32)
    data = pad_batch([TOK.encode_pair(s, s[::-1]) for s in ("abc", "de", "fghij", "kl")])
    losses_a = fit(model_a, seq2seq_loss, data, steps=12, batch_size=3, generator=torch.Generator().manual_seed(0))
    losses_b = fit(model_b, seq2seq_loss, data, steps=12, batch_size=3, generator=torch.Generator().manual_seed(0))
    assert len(losses_a) == 12 and losses_a == losses_b and model_a.training
    assert all(math.isfinite(x) for x in losses_a)


@pytest.mark.parametrize(
    "kwargs", [dict(steps=0), dict(steps=2, batch_size=0), dict(steps=2, lr=0.0), dict(steps=2, warmup_fraction=1.0)]
)
def test_fit_bad_inputs(kwargs):
    data = pad_batch([TOK.encode_pair("ab", "ba")])
    with pytest.raises(ValueError):
        fit(make_model(), seq2seq_loss, data, **kwargs)


# ---- bad inputs ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [dict(vocab_size=0), dict(vocab_size=10, d_model=10, n_heads=3), dict(vocab_size=10, d_model=12, n_heads=4,
                                                                             rope=True),
     dict(vocab_size=10, dropout=1.0), dict(vocab_size=10, pooler="mean"), dict(vocab_size=10, d_ff=0),
     dict(vocab_size=10, n_layers=True)],
)
def test_config_validation(kwargs):
    with pytest.raises(ValueError):
        TransformerConfig(**kwargs)


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda m: m(torch.ones(1, 3)), TypeError),  # float tokens
        (lambda m: m(torch.tensor([[1, VOCAB]])), ValueError),  # id out of range
        (lambda m: m(torch.tensor([1, 2])), ValueError),  # 1-D
        (lambda m: m(torch.ones(1, 40, dtype=torch.long)), ValueError),  # longer than max_len
        (lambda m: m(torch.ones(1, 3, dtype=torch.long), torch.ones(1, 3)), TypeError),
        (lambda m: m(torch.ones(1, 3, dtype=torch.long), torch.full((1, 3), 2)), ValueError),
        (lambda m: m(torch.ones(1, 3, dtype=torch.long), torch.zeros(1, 4, dtype=torch.long)), ValueError),
        (lambda m: m(torch.ones(1, 3, dtype=torch.long), None, torch.ones(3, 3)), TypeError),
        (lambda m: m(torch.ones(1, 3, dtype=torch.long), None, torch.ones(2, 2, dtype=torch.bool)), ValueError),
        (lambda m: m(torch.ones(1, 2, dtype=torch.long), None, torch.tensor([[True, False], [False, False]])),
         ValueError),  # a row with no allowed key
        (lambda m: m(torch.ones(1, 3, dtype=torch.long), positions=torch.arange(4)), ValueError),
        (lambda m: m.pool(torch.zeros(2, 16)), ValueError),
        (lambda m: generate(m, TOK, "ab", mode="mlm"), ValueError),
        (lambda m: generate(m, TOK, ["ab"], mode="seq2seq"), TypeError),
        (lambda m: generate(m, TOK, "ab", mode="dialogue"), TypeError),
        (lambda m: generate(m, TOK, "ab", max_len=0), ValueError),
        (lambda m: generate(m, TOK, "ab", top_k=0), ValueError),
        (lambda m: generate(m, TOK, "ab", temperature=0.0), ValueError),
        (lambda m: generate(m, TOK, "ab", num_samples=0), ValueError),
        (lambda m: generate_many(m, TOK, "ab"), TypeError),
        (lambda m: Transformer({"vocab_size": 10}), TypeError),
    ],
)
def test_bad_inputs(call, error):
    model = make_model()
    with pytest.raises(error):
        call(model)


def test_sdpa_is_what_the_model_calls(monkeypatch):
    """The attention really goes through torch's scaled_dot_product_attention with our boolean mask."""
    seen = []
    original = F.scaled_dot_product_attention

    def spy(q, k, v, attn_mask=None, **kwargs):
        seen.append(attn_mask)
        return original(q, k, v, attn_mask=attn_mask, **kwargs)

    monkeypatch.setattr(F, "scaled_dot_product_attention", spy)
    model = make_model()
    segments = torch.tensor([[0, 0, 1]])
    model(torch.tensor([[2, 5, 3]]), segments, unilm_mask(segments))
    assert len(seen) == 2 and all(m.dtype == torch.bool and m.shape == (1, 1, 3, 3) for m in seen)
