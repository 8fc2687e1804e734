"""Tests of tutorial_lib.contrastive: SimBERT's loss, NT-Xent, distillation, source masking, retrieval metrics."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from tutorial_lib.contrastive import (
    cosine_matrix,
    cosine_search,
    encode_sentences,
    info_nce,
    mask_source,
    mean_reciprocal_rank,
    paraphrase_batch,
    partner_labels,
    recall_at_k,
    simbert_logits,
    simbert_loss,
    similarity_distillation_loss,
    tfidf_encoder,
    train_paraphraser,
)
from tutorial_lib.masks import unilm_mask, with_padding
from tutorial_lib.nn.tokenizer import Tokenizer
from tutorial_lib.nn.transformer import Transformer, TransformerConfig


def reference_simbert_loss(x: torch.Tensor, scale: float) -> torch.Tensor:
    """Brute force: for each row, a softmax over the *other* rows only (the diagonal deleted, not masked)."""
    z = x / x.norm(dim=1, keepdim=True)
    total = x.new_zeros(())
    m = x.shape[0]
    for i in range(m):
        others = [j for j in range(m) if j != i]
        logits = torch.stack([scale * (z[i] @ z[j]) for j in others])
        total = total - torch.log_softmax(logits, dim=0)[others.index(i ^ 1)]
    return total / m


# --- simbert_loss -------------------------------------------------------------------------------


@pytest.mark.parametrize("n_pairs", [1, 2, 5, 16])
@pytest.mark.parametrize("scale", [1.0, 20.0, 30.0])
def test_collapsed_embeddings_give_log_2n_minus_1(n_pairs, scale):
    # 2n rows (n pairs), all equal: every row sees 2n - 1 equal logits, so the loss is log(2n - 1) whatever the scale.
    x = torch.randn(1, 7, dtype=torch.float64).repeat(2 * n_pairs, 1)
    assert simbert_loss(x, scale).item() == pytest.approx(math.log(2 * n_pairs - 1), abs=1e-12)


def test_perfect_pairs_limit():
    # Partners identical, other pairs orthogonal: each row has logit s for its partner, 0 for the 2n - 2 others,
    # so the loss is log(1 + (2n - 2) e^{-s}) exactly, which tends to 0 as s grows.
    n = 4
    basis = torch.eye(n, dtype=torch.float64)
    x = basis.repeat_interleave(2, dim=0)
    for scale in (1.0, 5.0, 30.0, 100.0):
        expected = math.log1p((2 * n - 2) * math.exp(-scale))
        # float64 cross-entropy computes -s + logsumexp: absolute rounding error ~1e-14 per row
        assert simbert_loss(x, scale).item() == pytest.approx(expected, rel=1e-9, abs=1e-13)
    assert simbert_loss(x, 100.0).item() < 1e-13


@settings(max_examples=30, deadline=None)
@given(n_pairs=st.integers(1, 5), dim=st.integers(1, 6), scale=st.floats(0.5, 40.0), seed=st.integers(0, 10_000))
def test_masking_the_diagonal_equals_deleting_it_in_value_and_gradient(n_pairs, dim, scale, seed):
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(2 * n_pairs, dim, generator=generator, dtype=torch.float64) + 0.1
    x1, x2 = x.clone().requires_grad_(), x.clone().requires_grad_()
    loss, reference = simbert_loss(x1, scale), reference_simbert_loss(x2, scale)
    loss.backward()
    reference.backward()
    assert loss.item() == pytest.approx(reference.item(), rel=1e-10, abs=1e-12)
    torch.testing.assert_close(x1.grad, x2.grad, rtol=1e-8, atol=1e-10)


def test_no_gradient_through_the_diagonal_logit():
    x = torch.randn(6, 4, dtype=torch.float64, requires_grad=True)
    logits = simbert_logits(x, 30.0)
    logits.retain_grad()
    F.cross_entropy(logits, partner_labels(6)).backward()
    assert torch.all(logits.grad.diagonal() == 0)
    assert torch.all(logits.grad.sum(dim=1).abs() < 1e-12)  # softmax minus one-hot sums to zero on each row
    assert torch.isfinite(x.grad).all()


def test_partner_labels_are_xor_one():
    assert partner_labels(8).tolist() == [1, 0, 3, 2, 5, 4, 7, 6]
    with pytest.raises(ValueError, match="even"):
        partner_labels(5)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_loss_keeps_dtype_and_is_scale_invariant_per_row(dtype):
    x = torch.randn(8, 5, dtype=dtype)
    loss = simbert_loss(x)
    assert loss.dtype == dtype
    rescaled = x * torch.rand(8, 1, dtype=dtype).add(0.5)  # cosines ignore the norm of each row
    torch.testing.assert_close(simbert_loss(rescaled), loss)


def test_simbert_loss_bad_inputs():
    with pytest.raises(ValueError, match="even"):
        simbert_loss(torch.randn(5, 3))
    with pytest.raises(ValueError, match="zero"):
        simbert_loss(torch.cat([torch.zeros(1, 3), torch.randn(3, 3)]))
    with pytest.raises(ValueError, match="NaN"):
        simbert_loss(torch.tensor([[1.0, float("nan")], [1.0, 2.0]]))
    with pytest.raises(ValueError, match="shape"):
        simbert_loss(torch.randn(4))
    with pytest.raises(TypeError):
        simbert_loss(torch.ones(4, 3, dtype=torch.long))
    with pytest.raises(TypeError):
        simbert_loss(np.ones((4, 3)))
    with pytest.raises(ValueError, match="positive"):
        simbert_loss(torch.randn(4, 3), scale=0.0)


# --- info_nce -----------------------------------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 6), dim=st.integers(2, 6), seed=st.integers(0, 10_000))
def test_nt_xent_equals_simbert_loss_at_temperature_one_thirtieth(n, dim, seed):
    generator = torch.Generator().manual_seed(seed)
    a = torch.randn(n, dim, generator=generator, dtype=torch.float64)
    b = torch.randn(n, dim, generator=generator, dtype=torch.float64)
    interleaved = torch.empty(2 * n, dim, dtype=torch.float64)
    interleaved[0::2], interleaved[1::2] = a, b
    assert info_nce(a, b, 1 / 30).item() == pytest.approx(simbert_loss(interleaved, 30.0).item(), rel=1e-12)
    assert info_nce(a, b, 1 / 30).item() == pytest.approx(info_nce(b, a, 1 / 30).item(), rel=1e-12)  # symmetric


def test_one_sided_info_nce_against_formula():
    a, b = torch.randn(5, 3, dtype=torch.float64), torch.randn(5, 3, dtype=torch.float64)
    tau = 0.2
    cos = F.normalize(a, dim=1) @ F.normalize(b, dim=1).T / tau
    expected = -(cos.diagonal() - torch.logsumexp(cos, dim=1)).mean()
    assert info_nce(a, b, tau, in_view_negatives=False).item() == pytest.approx(expected.item(), rel=1e-12)
    # collapsed: n-way uniform classification, log n
    ones = torch.ones(5, 3, dtype=torch.float64)
    assert info_nce(ones, ones, tau, in_view_negatives=False).item() == pytest.approx(math.log(5), abs=1e-12)


def test_info_nce_bad_inputs():
    with pytest.raises(ValueError, match="same shape"):
        info_nce(torch.randn(3, 2), torch.randn(4, 2), 0.1)
    with pytest.raises(ValueError, match="positive"):
        info_nce(torch.randn(3, 2), torch.randn(3, 2), -1.0)
    with pytest.raises(ValueError, match="zero"):
        info_nce(torch.zeros(3, 2), torch.randn(3, 2), 0.1)


# --- distillation -------------------------------------------------------------------------------


def test_distillation_zero_when_student_equals_teacher_and_gradient_matches_formula():
    s = torch.randn(6, 4, dtype=torch.float64, requires_grad=True)
    loss = similarity_distillation_loss(s, s.detach().clone())
    assert loss.item() == 0.0
    loss.backward()
    assert torch.all(s.grad.abs() < 1e-12)  # a minimum: zero gradient
    # Against the formula: 100 * mean over all m^2 entries, with the teacher detached.
    t = torch.randn(6, 9, dtype=torch.float64, requires_grad=True)
    s2 = torch.randn(6, 4, dtype=torch.float64, requires_grad=True)
    loss = similarity_distillation_loss(s2, t)
    cs = F.normalize(s2, dim=1) @ F.normalize(s2, dim=1).T
    ct = F.normalize(t, dim=1) @ F.normalize(t, dim=1).T
    assert loss.item() == pytest.approx((100 * ((cs - ct) ** 2).sum() / 36).item(), rel=1e-12)
    loss.backward()
    assert t.grad is None  # no gradient reaches the teacher
    assert s2.grad.abs().sum() > 0


def test_distillation_bad_inputs():
    with pytest.raises(ValueError, match="same m"):
        similarity_distillation_loss(torch.randn(4, 3), torch.randn(5, 3))
    with pytest.raises(ValueError, match="NaN"):
        similarity_distillation_loss(torch.full((3, 2), float("nan")), torch.randn(3, 2))
    with pytest.raises(ValueError, match="positive"):
        similarity_distillation_loss(torch.randn(3, 2), torch.randn(3, 2), weight=0.0)


# --- mask_source --------------------------------------------------------------------------------


def _random_batch(generator, batch=200, length=40):
    """[CLS] source [SEP] target [SEP] [PAD]… with ordinary ids >= 5."""
    tokens = torch.zeros(batch, length, dtype=torch.long)
    segments = torch.zeros(batch, length, dtype=torch.long)
    for row in range(batch):
        n_src, n_tgt = (int(v) for v in torch.randint(1, 15, (2,), generator=generator))
        ids = [2, *torch.randint(5, 50, (n_src,), generator=generator).tolist(), 3]
        ids += [*torch.randint(5, 50, (n_tgt,), generator=generator).tolist(), 3]
        tokens[row, : len(ids)] = torch.tensor(ids)
        segments[row, n_src + 2 : len(ids)] = 1
    return tokens, segments


def test_mask_source_never_touches_special_or_target_tokens():
    generator = torch.Generator().manual_seed(0)
    tokens, segments = _random_batch(generator)
    masked, where = mask_source(tokens, segments, prob=1.0, example_prob=1.0, generator=generator)
    special = tokens < 5
    assert not where[special].any() and not where[segments == 1].any()
    assert torch.equal(masked[~where], tokens[~where])
    assert torch.all(masked[where] == 4)
    # with prob 1 every ordinary source token is masked
    assert torch.equal(where, (segments == 0) & ~special)


def test_mask_source_rate_matches_prob_within_binomial_error():
    # Each of the N maskable tokens is masked independently with probability p (example_prob = 1), so the
    # masked fraction has standard error sqrt(p(1-p)/N); we allow 4 standard errors.
    generator = torch.Generator().manual_seed(1)
    tokens, segments = _random_batch(generator, batch=400)
    maskable = (segments == 0) & (tokens >= 5)
    n = int(maskable.sum())
    for p in (0.15, 0.5):
        _, where = mask_source(tokens, segments, prob=p, example_prob=1.0, generator=generator)
        rate = where.sum().item() / n
        assert abs(rate - p) < 4 * math.sqrt(p * (1 - p) / n)
    # With prob 1, a row is masked entirely or not at all; the fraction of masked rows is Binomial(400, 0.5)/400.
    _, where = mask_source(tokens, segments, prob=1.0, example_prob=0.5, generator=generator)
    rows = where.any(dim=1).double().mean().item()
    assert abs(rows - 0.5) < 4 * math.sqrt(0.25 / 400)


def test_mask_source_is_reproducible_with_a_generator():
    tokens, segments = _random_batch(torch.Generator().manual_seed(2), batch=20)
    first = mask_source(tokens, segments, generator=torch.Generator().manual_seed(5))[0]
    second = mask_source(tokens, segments, generator=torch.Generator().manual_seed(5))[0]
    assert torch.equal(first, second)


def test_mask_source_bad_inputs():
    tokens = torch.tensor([[2, 5, 3]])
    with pytest.raises(TypeError):
        mask_source(tokens.float(), torch.zeros_like(tokens))
    with pytest.raises(ValueError, match="shape"):
        mask_source(tokens, torch.zeros(1, 2, dtype=torch.long))
    with pytest.raises(ValueError, match="probability"):
        mask_source(tokens, torch.zeros_like(tokens), prob=1.5)
    with pytest.raises(ValueError, match="probability"):
        mask_source(tokens, torch.zeros_like(tokens), example_prob=-0.1)


# --- search and metrics -------------------------------------------------------------------------


def brute_force_rank(scores: np.ndarray, q_labels, c_labels, exclude_self: bool) -> list[int]:
    """Walk the corpus sorted by decreasing score; ties between a relevant and a non-relevant item go against."""
    ranks = []
    for i, row in enumerate(scores):
        items = [j for j in range(len(row)) if not (exclude_self and j == i)]
        best = max(row[j] for j in items if c_labels[j] == q_labels[i])
        ranks.append(1 + sum(1 for j in items if c_labels[j] != q_labels[i] and row[j] >= best))
    return ranks


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(2, 12),
    n_groups=st.integers(1, 4),
    levels=st.integers(2, 6),
    k=st.integers(1, 5),
    exclude_self=st.booleans(),
    seed=st.integers(0, 10_000),
)
def test_recall_and_mrr_against_brute_force(n, n_groups, levels, k, exclude_self, seed):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, n_groups, size=n)
    if exclude_self:  # every query needs another member of its group: groups {0,1}, {2,3}, … (odd one joins 0)
        labels = np.arange(n) // 2
        labels[-1] = labels[-2]
    scores = rng.integers(0, levels, size=(n, n)).astype(float)  # few levels: many ties
    ranks = brute_force_rank(scores, labels, labels, exclude_self)
    s = torch.tensor(scores)
    assert recall_at_k(s, labels, labels, k, exclude_self=exclude_self) == pytest.approx(np.mean(np.array(ranks) <= k))
    assert mean_reciprocal_rank(s, labels, labels, exclude_self=exclude_self) == pytest.approx(
        np.mean(1.0 / np.array(ranks))
    )


def test_constant_scores_get_no_credit_from_ties():
    scores = torch.zeros(4, 4)
    labels = [0, 0, 1, 1]
    assert recall_at_k(scores, labels, labels, 1, exclude_self=True) == 0.0
    assert mean_reciprocal_rank(scores, labels, labels, exclude_self=True) == pytest.approx(1 / 3)


@settings(max_examples=30, deadline=None)
@given(q=st.integers(1, 6), c=st.integers(2, 10), d=st.integers(1, 5), seed=st.integers(0, 10_000))
def test_cosine_search_against_sorting(q, c, d, seed):
    generator = torch.Generator().manual_seed(seed)
    queries = torch.randn(q, d, generator=generator, dtype=torch.float64)
    corpus = torch.randn(c, d, generator=generator, dtype=torch.float64)
    k = min(3, c)
    scores, indices = cosine_search(queries, corpus, k)
    full = cosine_matrix(queries, corpus).numpy()
    for row in range(q):
        order = np.argsort(-full[row])[:k]
        np.testing.assert_allclose(scores[row].numpy(), full[row][order], rtol=1e-12)
        np.testing.assert_allclose(full[row][indices[row].numpy()], full[row][order], rtol=1e-12)


def test_cosine_search_exclude_self_and_bad_inputs():
    x = torch.randn(5, 3)
    _, indices = cosine_search(x, x, 4, exclude_self=True)
    assert all(i not in row for i, row in enumerate(indices.tolist()))
    with pytest.raises(ValueError, match="k must"):
        cosine_search(x, x, 5, exclude_self=True)
    with pytest.raises(ValueError, match="dimension"):
        cosine_search(x, torch.randn(5, 4), 1)
    with pytest.raises(ValueError, match="zero"):
        cosine_search(torch.zeros(1, 3), x, 1)
    with pytest.raises(ValueError, match="square"):
        cosine_search(x[:2], x, 1, exclude_self=True)


def test_metric_bad_inputs():
    scores = torch.rand(3, 3)
    with pytest.raises(ValueError, match="no relevant"):
        recall_at_k(scores, [0, 1, 2], [0, 1, 2], exclude_self=True)
    with pytest.raises(ValueError, match="shape"):
        mean_reciprocal_rank(scores, [0, 1], [0, 1, 2])
    with pytest.raises(ValueError, match="NaN"):
        recall_at_k(torch.full((2, 2), float("nan")), [0, 1], [0, 1])
    with pytest.raises(ValueError, match="positive"):
        recall_at_k(scores, [0, 1, 2], [0, 1, 2], k=0)
    with pytest.raises(TypeError):
        recall_at_k(scores.long(), [0, 1, 2], [0, 1, 2])
    with pytest.raises(TypeError):
        recall_at_k(scores, [0.0, 1.0, 2.0], [0, 1, 2])


# --- TF-IDF baseline ----------------------------------------------------------------------------


def test_tfidf_retrieves_exact_duplicates_in_both_languages():
    corpus = ["where is the bank?", "how far is the park?", "银行在哪里？", "公园有多远", "哪家餐厅比较好"]
    encode = tfidf_encoder(corpus)
    vectors = encode(corpus)
    _, indices = cosine_search(vectors, vectors, 1)
    assert indices[:, 0].tolist() == list(range(len(corpus)))
    assert torch.allclose(vectors.norm(dim=1), torch.ones(len(corpus), dtype=torch.float64))
    # and its cosine is a weighted count of shared character n-grams: more shared n-grams, higher cosine
    close, far = encode(["where is the bank", "哪家饭馆"])
    assert close @ vectors[0] > close @ vectors[1]


def test_tfidf_bad_inputs():
    with pytest.raises(TypeError):
        tfidf_encoder("one string")
    with pytest.raises(ValueError, match="at least one"):
        tfidf_encoder([])
    with pytest.raises(ValueError, match="analyzer"):
        tfidf_encoder(["a"], analyzer="word")
    with pytest.raises(ValueError, match="ngram_range"):
        tfidf_encoder(["a"], ngram_range=(3, 1))


# --- batches, encoder and training --------------------------------------------------------------


def test_paraphrase_batch_interleaves_partners_from_distinct_groups():
    groups = [["ab", "ba", "aab"], ["cd", "dc"], ["ef", "fe"]]
    tok = Tokenizer(list("abcdef"))
    batch, sources = paraphrase_batch(tok, groups, 3, generator=torch.Generator().manual_seed(0))
    group_of = {s: g for g, group in enumerate(groups) for s in group}
    for i in range(0, 6, 2):
        a, b = sources[i], sources[i + 1]
        assert a != b and group_of[a] == group_of[b]
        row = tok.decode(batch.tokens[i][batch.padding_mask[i]].tolist())
        assert row == a + b  # [CLS] a [SEP] b [SEP] without the special tokens
    assert len({group_of[s] for s in sources}) == 3
    with pytest.raises(ValueError, match="n_pairs"):
        paraphrase_batch(tok, groups, 4)
    with pytest.raises(ValueError, match="at least 2"):
        paraphrase_batch(tok, [["ab"], ["cd", "dc"]], 1)


def test_encoded_cls_equals_cls_of_the_full_pair():
    # The UniLM mask makes the [CLS] vector of [CLS] x [SEP] y [SEP] equal to that of [CLS] x [SEP].
    torch.manual_seed(0)
    tok = Tokenizer(list("abcd"))
    model = Transformer(TransformerConfig(vocab_size=tok.vocab_size, d_model=16, n_heads=2, n_layers=2)).double()
    batch, sources = paraphrase_batch(tok, [["ab", "ba"], ["cd", "dcc"]], 2, generator=torch.Generator())
    mask = with_padding(unilm_mask(batch.segments), batch.padding_mask)
    pooled = model.pool(model(batch.tokens, batch.segments, mask))
    torch.testing.assert_close(pooled, encode_sentences(model, tok, sources), rtol=1e-12, atol=1e-12)


def test_train_paraphraser_reduces_both_losses_and_runs_the_student_branch():
    torch.manual_seed(0)
    groups = [["ab", "ba"], ["cd", "dc"], ["ac", "ca"], ["bd", "db"]]
    tok = Tokenizer(list("abcd"))
    config = TransformerConfig(vocab_size=tok.vocab_size, d_model=16, n_heads=2, n_layers=1)
    teacher = Transformer(config)
    history = train_paraphraser(teacher, tok, groups, 60, n_pairs=4, lr=1e-2, generator=torch.Generator())
    assert np.mean(history["seq2seq"][-10:]) < np.mean(history["seq2seq"][:10])
    assert np.mean(history["similarity"][-10:]) < np.mean(history["similarity"][:10])
    student = Transformer(TransformerConfig(vocab_size=tok.vocab_size, d_model=16, n_heads=2, n_layers=1, rope=True))
    history = train_paraphraser(
        student, tok, groups, 40, n_pairs=4, lr=1e-2, teacher=teacher, mask_prob=0.3, generator=torch.Generator()
    )
    assert np.mean(history["similarity"][-10:]) < np.mean(history["similarity"][:10])
    with pytest.raises(ValueError, match="steps"):
        train_paraphraser(student, tok, groups, 0)
