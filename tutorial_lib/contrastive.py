"""Contrastive retrieval: SimBERT's in-batch similarity loss, RoFormer-Sim's additions, retrieval metrics.

Defined in chapter 7 ("Contrastive retrieval"). SimBERT trains one UniLM
Transformer on two losses at once: generate a paraphrase ``y`` of ``x`` (the
seq2seq loss of chapter 6) and, on the pooled [CLS] vectors of the batch,
classify which other row holds the paraphrase (:func:`simbert_loss`). A batch
holds ``n`` paraphrase pairs as ``2n`` rows, interleaved: row ``2i`` is
``[CLS] a [SEP] b [SEP]`` and row ``2i+1`` is ``[CLS] b [SEP] a [SEP]``, so the
partner of row ``i`` is row ``i XOR 1``. RoFormer-Sim adds rotary positions,
random masking of the source (:func:`mask_source`) and, in its second stage,
distillation of a teacher's similarity matrix
(:func:`similarity_distillation_loss`). Retrieval is scored with
:func:`recall_at_k` and :func:`mean_reciprocal_rank` against a character
n-gram TF-IDF baseline (:func:`tfidf_encoder`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.feature_extraction.text import TfidfVectorizer
from tqdm.auto import trange

from tutorial_lib.masks import unilm_mask, with_padding
from tutorial_lib.nn.tokenizer import SPECIAL_TOKENS, Batch, Tokenizer, pad_batch
from tutorial_lib.nn.transformer import Transformer, next_token_loss

__all__ = [
    "cosine_matrix",
    "cosine_search",
    "encode_sentences",
    "info_nce",
    "mask_source",
    "mean_reciprocal_rank",
    "paraphrase_batch",
    "partner_labels",
    "recall_at_k",
    "similarity_distillation_loss",
    "simbert_logits",
    "simbert_loss",
    "tfidf_encoder",
    "train_paraphraser",
]


def _check_vectors(x: object, name: str) -> torch.Tensor:
    """A finite floating ``(m, d)`` tensor with no zero row, or a TypeError/ValueError."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    if not x.is_floating_point():
        raise TypeError(f"{name} must be a floating-point tensor, got dtype {x.dtype}")
    if x.ndim != 2 or x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(f"{name} must have shape (m, d) with m, d >= 1, got {tuple(x.shape)}")
    if not bool(torch.isfinite(x).all()):
        raise ValueError(f"{name} contains NaN or infinite values")
    zero = (x.detach() == 0).all(dim=1)
    if bool(zero.any()):
        raise ValueError(
            f"{name} has all-zero rows (e.g. row {int(zero.nonzero()[0])}): the cosine of a zero vector is undefined"
        )
    return x


def _check_scale(value: float, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    if not 0.0 < value < float("inf"):
        raise ValueError(f"{name} must be a finite positive number, got {value}")
    return float(value)


def cosine_matrix(a: torch.Tensor, b: torch.Tensor | None = None) -> torch.Tensor:
    """All cosines ``cos(a_i, b_j)`` of two sets of vectors (``b = a`` by default).

    Implements :eq:`contrastive-cosine` (chapter 7).

    Parameters
    ----------
    a : torch.Tensor
        ``(m, d)`` floating, finite, no zero row.
    b : torch.Tensor, optional
        ``(m', d)``; default ``a``.

    Returns
    -------
    torch.Tensor
        ``(m, m')`` cosines in ``[-1, 1]``, dtype and device of ``a``.

    Raises
    ------
    TypeError, ValueError
        On non-tensors, integer tensors, wrong shapes, NaN or zero rows.

    Examples
    --------
    >>> cosine_matrix(torch.tensor([[1.0, 0.0], [1.0, 1.0]]))
    tensor([[1.0000, 0.7071],
            [0.7071, 1.0000]])
    """
    a = F.normalize(_check_vectors(a, "a"), dim=1)
    if b is None:
        return a @ a.T
    b = F.normalize(_check_vectors(b, "b"), dim=1)
    if b.shape[1] != a.shape[1]:
        raise ValueError(f"a and b must have the same dimension, got {a.shape[1]} and {b.shape[1]}")
    return a @ b.T


def partner_labels(batch_size: int, *, device: torch.device | str | None = None) -> torch.Tensor:
    """The partner of row ``i`` in an interleaved pair batch: ``i XOR 1`` (0↔1, 2↔3, …).

    Examples
    --------
    >>> partner_labels(6)
    tensor([1, 0, 3, 2, 5, 4])
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, int):
        raise TypeError(f"batch_size must be an int, got {type(batch_size).__name__}")
    if batch_size < 2 or batch_size % 2:
        raise ValueError(
            f"the batch must hold pairs: batch_size = 2n must be even and >= 2, got {batch_size}"
        )
    return torch.arange(batch_size, device=device) ^ 1


def simbert_logits(cls_vectors: torch.Tensor, scale: float = 30.0) -> torch.Tensor:
    """Scaled cosine matrix of the batch with the diagonal masked out: the logits of :func:`simbert_loss`.

    ``logits[i, j] = scale * cos(v_i, v_j)`` for ``j != i``; the diagonal is set to
    the most negative finite number of the dtype with ``masked_fill`` (its
    softmax weight is exactly 0 and no gradient flows through it), which is
    equivalent to deleting it. Implements :eq:`contrastive-simbert-logits` (chapter 7).

    Parameters
    ----------
    cls_vectors : torch.Tensor
        ``(2n, d)`` pooled [CLS] vectors, partners interleaved (row ``i`` ↔ row ``i XOR 1``).
    scale : float
        The inverse temperature (30 in SimBERT, 20 in RoFormer-Sim).

    Returns
    -------
    torch.Tensor
        ``(2n, 2n)`` logits.

    Raises
    ------
    TypeError, ValueError
        As :func:`simbert_loss`.

    Examples
    --------
    >>> simbert_logits(torch.eye(2), scale=10.0)[0, 1]
    tensor(0.)
    """
    scale = _check_scale(scale, "scale")
    cls_vectors = _check_vectors(cls_vectors, "cls_vectors")
    partner_labels(cls_vectors.shape[0])  # validates an even batch of at least one pair
    logits = scale * cosine_matrix(cls_vectors)
    eye = torch.eye(logits.shape[0], dtype=torch.bool, device=logits.device)
    return logits.masked_fill(eye, torch.finfo(logits.dtype).min)


def simbert_loss(cls_vectors: torch.Tensor, scale: float = 30.0) -> torch.Tensor:
    """SimBERT's in-batch similarity loss: cross-entropy of finding each row's partner among the others.

    With ``2n`` rows (``n`` paraphrase pairs, partners interleaved), row ``i`` is
    a classification over the ``2n - 1`` other rows with logits
    ``scale * cos(v_i, v_j)`` and label ``i XOR 1``; the loss is the mean over the
    ``2n`` rows. All-equal vectors give exactly ``log(2n - 1)``. Implements
    :eq:`contrastive-simbert-loss` (chapter 7).

    Parameters
    ----------
    cls_vectors : torch.Tensor
        ``(2n, d)`` floating, finite, no zero row, ``2n`` even and at least 2.
    scale : float
        The scale (inverse temperature); 30 in SimBERT, 20 in RoFormer-Sim.

    Returns
    -------
    torch.Tensor
        Scalar loss in nats, dtype and device of ``cls_vectors``.

    Raises
    ------
    TypeError
        If ``cls_vectors`` is not a floating tensor or ``scale`` not a number.
    ValueError
        If the batch size is odd, the shape is not ``(2n, d)``, a row is zero or
        not finite, or ``scale`` is not positive and finite.

    Examples
    --------
    >>> import math
    >>> loss = simbert_loss(torch.ones(6, 3, dtype=torch.float64))  # collapsed: 2n = 6
    >>> math.isclose(loss.item(), math.log(5))
    True
    """
    logits = simbert_logits(cls_vectors, scale)
    return F.cross_entropy(logits, partner_labels(logits.shape[0], device=logits.device))


def info_nce(a: torch.Tensor, b: torch.Tensor, temperature: float, *, in_view_negatives: bool = True) -> torch.Tensor:
    """InfoNCE for ``n`` positive pairs ``(a_i, b_i)``: NT-Xent over 2n views, or the one-sided form.

    - ``in_view_negatives=True`` (default): SimCLR's NT-Xent. The ``2n`` views
      ``a_1, b_1, …, a_n, b_n`` are all anchors; each classifies its positive
      among the ``2n - 1`` other views (negatives from *both* sides) with logits
      ``cos / temperature``; the loss is the mean over the ``2n`` anchors. It is
      symmetric in ``a`` and ``b`` and equals
      ``simbert_loss(interleave(a, b), scale=1/temperature)`` exactly
      (:eq:`contrastive-nt-xent`, chapter 7).
    - ``in_view_negatives=False``: the one-sided InfoNCE of CPC / one half of
      CLIP: anchors ``a_i``, candidates ``b_1, …, b_n`` (``n``-way classification
      with label ``i``), mean over the ``n`` anchors (:eq:`contrastive-info-nce`).

    Parameters
    ----------
    a, b : torch.Tensor
        ``(n, d)`` floating, finite, no zero row; row ``i`` of ``a`` and of ``b``
        are a positive pair.
    temperature : float
        Positive temperature ``tau`` (logits are cosines divided by it).
    in_view_negatives : bool
        Which variant, see above.

    Returns
    -------
    torch.Tensor
        Scalar loss in nats.

    Raises
    ------
    TypeError, ValueError
        On invalid vectors, shapes that differ, or a non-positive temperature.

    Examples
    --------
    >>> a, b = torch.randn(4, 8, dtype=torch.float64), torch.randn(4, 8, dtype=torch.float64)
    >>> views = torch.stack((a, b), dim=1).reshape(8, 8)   # a_1, b_1, a_2, b_2, ...
    >>> torch.allclose(info_nce(a, b, 1 / 30), simbert_loss(views, scale=30.0))
    True
    """
    temperature = _check_scale(temperature, "temperature")
    a, b = _check_vectors(a, "a"), _check_vectors(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape (n, d), got {tuple(a.shape)} and {tuple(b.shape)}")
    if in_view_negatives:
        views = torch.stack((a, b), dim=1).reshape(2 * a.shape[0], a.shape[1])
        return simbert_loss(views, scale=1.0 / temperature)
    logits = cosine_matrix(a, b) / temperature
    return F.cross_entropy(logits, torch.arange(a.shape[0], device=a.device))


def similarity_distillation_loss(
    student: torch.Tensor, teacher: torch.Tensor, weight: float = 100.0
) -> torch.Tensor:
    """RoFormer-Sim's distillation: ``weight * mean((cos_student - cos_teacher)^2)`` over the batch's cosine matrices.

    Both cosine matrices are ``(m, m)`` over the same ``m`` sentences; the mean
    runs over all ``m^2`` entries (the diagonal is 1 in both and contributes 0).
    The teacher is detached: no gradient reaches it. The teacher's vectors may
    have another width than the student's. Implements :eq:`contrastive-distillation`
    (chapter 7).

    Parameters
    ----------
    student : torch.Tensor
        ``(m, d_s)`` the student's sentence vectors.
    teacher : torch.Tensor
        ``(m, d_t)`` the teacher's vectors of the same sentences.
    weight : float
        The factor (100 in RoFormer-Sim).

    Returns
    -------
    torch.Tensor
        Scalar loss.

    Raises
    ------
    TypeError, ValueError
        On invalid vectors, different numbers of rows, fewer than 2 rows, or a
        non-positive weight.

    Examples
    --------
    >>> x = torch.randn(5, 4)
    >>> round(similarity_distillation_loss(x, 3 * x).item(), 8)   # same directions: zero
    0.0
    """
    weight = _check_scale(weight, "weight")
    student, teacher = _check_vectors(student, "student"), _check_vectors(teacher, "teacher")
    if student.shape[0] != teacher.shape[0] or student.shape[0] < 2:
        raise ValueError(
            f"student and teacher must hold the same m >= 2 sentences, got {student.shape[0]} and {teacher.shape[0]}"
        )
    target = cosine_matrix(teacher.detach()).to(device=student.device, dtype=student.dtype)
    return weight * (cosine_matrix(student) - target).pow(2).mean()


def mask_source(
    tokens: torch.Tensor,
    segments: torch.Tensor,
    prob: float = 0.15,
    mask_id: int = SPECIAL_TOKENS.index("[MASK]"),
    *,
    example_prob: float = 0.5,
    special_ids: Iterable[int] = range(len(SPECIAL_TOKENS)),
    generator: torch.Generator | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """RoFormer-Sim's input corruption: in half of the rows, replace random source tokens by ``[MASK]``.

    Each row is chosen for masking with probability ``example_prob`` (0.5 in
    RoFormer-Sim); in a chosen row each *maskable* token is replaced by
    ``mask_id`` independently with probability ``prob``. Maskable means: source
    side (segment 0) and not a special token, so ``[CLS]``, ``[SEP]``, ``[PAD]``
    (and ``[UNK]``, ``[MASK]``) are never touched and the target (segment 1) is
    never masked, so the seq2seq loss still has the true target. RoFormer-Sim's
    code masks 15 % of the source's *words* (jieba) with BERT's 80/10/10 rule;
    here tokens are characters and a chosen token always becomes ``[MASK]``.
    Implements :eq:`contrastive-source-masking` (chapter 7).

    Parameters
    ----------
    tokens, segments : torch.Tensor
        Integer ``(batch, L)`` token ids and segment ids (a :class:`~tutorial_lib.nn.tokenizer.Batch`).
    prob : float
        Per-token masking probability in a chosen row, in ``[0, 1]``.
    mask_id : int
        Id of ``[MASK]`` (4 with :class:`~tutorial_lib.nn.tokenizer.Tokenizer`).
    example_prob : float
        Probability that a row is masked at all, in ``[0, 1]``.
    special_ids : Iterable of int
        Ids never masked (default: the five special tokens, ids 0-4).
    generator : torch.Generator, optional
        Source of randomness (its device is used for the draws).

    Returns
    -------
    (torch.Tensor, torch.Tensor)
        The masked copy of ``tokens`` and the boolean ``(batch, L)`` positions
        that were masked.

    Raises
    ------
    TypeError
        If ``tokens`` or ``segments`` is not an integer tensor.
    ValueError
        If shapes differ or a probability lies outside ``[0, 1]``.

    Examples
    --------
    >>> tokens = torch.tensor([[2, 7, 8, 9, 3, 10, 3, 0]])
    >>> segments = torch.tensor([[0, 0, 0, 0, 0, 1, 1, 0]])
    >>> masked, where = mask_source(tokens, segments, prob=1.0, example_prob=1.0)
    >>> masked
    tensor([[ 2,  4,  4,  4,  3, 10,  3,  0]])
    """
    for name, value in (("tokens", tokens), ("segments", segments)):
        if not isinstance(value, torch.Tensor) or value.is_floating_point() or value.dtype == torch.bool:
            raise TypeError(f"{name} must be an integer tensor, got {getattr(value, 'dtype', type(value).__name__)}")
    if tokens.ndim != 2 or tokens.shape != segments.shape or tokens.numel() == 0:
        raise ValueError(
            f"tokens and segments must have the same shape (batch, L), got {tuple(tokens.shape)} "
            f"and {tuple(segments.shape)}"
        )
    for name, value in (("prob", prob), ("example_prob", example_prob)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
            raise ValueError(f"{name} must be a probability in [0, 1], got {value!r}")
    special = torch.tensor(sorted(set(special_ids)), dtype=tokens.dtype, device=tokens.device)
    maskable = (segments == 0) & ~torch.isin(tokens, special)
    draw_device = generator.device if generator is not None else tokens.device
    rows = torch.rand(tokens.shape[0], 1, generator=generator, device=draw_device) < example_prob
    cells = torch.rand(tokens.shape, generator=generator, device=draw_device) < prob
    where = maskable & (rows & cells).to(tokens.device)
    return tokens.masked_fill(where, mask_id), where


def cosine_search(
    queries: torch.Tensor, corpus: torch.Tensor, k: int, *, exclude_self: bool = False
) -> tuple[torch.Tensor, torch.Tensor]:
    """The ``k`` corpus vectors most cosine-similar to each query: scores and indices, best first.

    Implements :eq:`contrastive-cosine` (chapter 7).

    Parameters
    ----------
    queries : torch.Tensor
        ``(q, d)`` floating, finite, no zero row.
    corpus : torch.Tensor
        ``(c, d)``.
    k : int
        Number of results, ``1 <= k <= c`` (``c - 1`` with ``exclude_self``).
    exclude_self : bool
        The queries *are* the corpus (``q == c``): never return query ``i`` itself.

    Returns
    -------
    (torch.Tensor, torch.Tensor)
        ``scores`` ``(q, k)`` cosines in decreasing order and ``indices`` ``(q, k)`` int64.

    Raises
    ------
    TypeError, ValueError
        On invalid vectors, dimensions that differ, or ``k`` out of range.

    Examples
    --------
    >>> corpus = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    >>> scores, indices = cosine_search(torch.tensor([[2.0, 0.1]]), corpus, k=2)
    >>> indices
    tensor([[0, 2]])
    """
    scores = _masked_scores(cosine_matrix(queries, corpus), exclude_self)
    available = scores.shape[1] - int(exclude_self)
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= available:
        raise ValueError(f"k must be an integer in [1, {available}], got {k!r}")
    return scores.topk(k, dim=1)


def _masked_scores(scores: torch.Tensor, exclude_self: bool) -> torch.Tensor:
    if not exclude_self:
        return scores
    if scores.shape[0] != scores.shape[1]:
        raise ValueError(
            f"exclude_self needs the queries to be the corpus (a square matrix), got {tuple(scores.shape)}"
        )
    if scores.shape[0] < 2:
        raise ValueError("exclude_self needs a corpus of at least 2 items")
    eye = torch.eye(scores.shape[0], dtype=torch.bool, device=scores.device)
    return scores.masked_fill(eye, float("-inf"))


def _first_relevant_rank(
    scores: torch.Tensor, query_labels: Sequence[int] | torch.Tensor, corpus_labels: Sequence[int] | torch.Tensor,
    exclude_self: bool,
) -> torch.Tensor:
    """Rank (1-based) of the best relevant item of every query, ties counted against the query."""
    if not isinstance(scores, torch.Tensor) or not scores.is_floating_point():
        got = getattr(scores, "dtype", type(scores).__name__)
        raise TypeError(f"scores must be a floating-point tensor, got {got}")
    if scores.ndim != 2 or scores.numel() == 0:
        raise ValueError(f"scores must have shape (q, c) with q, c >= 1, got {tuple(scores.shape)}")
    if torch.isnan(scores).any():
        raise ValueError("scores contain NaN")
    q_labels = torch.as_tensor(query_labels, device=scores.device)
    c_labels = torch.as_tensor(corpus_labels, device=scores.device)
    if q_labels.is_floating_point() or c_labels.is_floating_point():
        raise TypeError("labels must be integers (group ids)")
    if q_labels.shape != (scores.shape[0],) or c_labels.shape != (scores.shape[1],):
        raise ValueError(
            f"need query_labels of shape ({scores.shape[0]},) and corpus_labels of shape ({scores.shape[1]},), "
            f"got {tuple(q_labels.shape)} and {tuple(c_labels.shape)}"
        )
    relevant = q_labels[:, None] == c_labels[None, :]
    if exclude_self:
        relevant &= ~torch.eye(scores.shape[0], dtype=torch.bool, device=scores.device)
    scores = _masked_scores(scores, exclude_self)
    missing = ~relevant.any(dim=1)
    if bool(missing.any()):
        raise ValueError(
            f"query {int(missing.nonzero()[0])} has no relevant item in the corpus (same label"
            f"{', other than itself' if exclude_self else ''}); recall and MRR are undefined for it"
        )
    best = scores.masked_fill(~relevant, float("-inf")).max(dim=1).values
    candidates = ~relevant
    if exclude_self:
        candidates &= ~torch.eye(scores.shape[0], dtype=torch.bool, device=scores.device)
    return 1 + (candidates & (scores >= best[:, None])).sum(dim=1)


def recall_at_k(
    scores: torch.Tensor,
    query_labels: Sequence[int] | torch.Tensor,
    corpus_labels: Sequence[int] | torch.Tensor,
    k: int = 1,
    *,
    exclude_self: bool = False,
) -> float:
    """Fraction of queries with a relevant item (same label) among their ``k`` best-scored corpus items.

    Ties are counted against the query: the rank of the best relevant item is
    ``1 +`` the number of non-relevant items scored at least as high, so a
    constant score gives recall 0, never a lucky guess. Implements
    :eq:`contrastive-recall` (chapter 7).

    Parameters
    ----------
    scores : torch.Tensor
        ``(q, c)`` similarity of every query to every corpus item (higher = closer).
    query_labels, corpus_labels : sequence of int or torch.Tensor
        Group ids, shapes ``(q,)`` and ``(c,)``; relevant = same group id.
    k : int
        Cut-off, at least 1.
    exclude_self : bool
        The queries are the corpus; item ``i`` is neither relevant to nor ranked for query ``i``.

    Returns
    -------
    float
        Recall@k in ``[0, 1]``.

    Raises
    ------
    TypeError, ValueError
        On a bad score matrix, labels of the wrong shape, ``k < 1``, or a query with
        no relevant item.

    Examples
    --------
    >>> scores = torch.tensor([[0.9, 0.8, 0.1], [0.2, 0.3, 0.7]])
    >>> recall_at_k(scores, [0, 1], [1, 0, 1], k=1), recall_at_k(scores, [0, 1], [1, 0, 1], k=2)
    (0.5, 1.0)
    """
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    ranks = _first_relevant_rank(scores, query_labels, corpus_labels, exclude_self)
    return float((ranks <= k).double().mean())


def mean_reciprocal_rank(
    scores: torch.Tensor,
    query_labels: Sequence[int] | torch.Tensor,
    corpus_labels: Sequence[int] | torch.Tensor,
    *,
    exclude_self: bool = False,
) -> float:
    """Mean over queries of ``1 / rank`` of the first relevant corpus item (ties against the query).

    Implements :eq:`contrastive-mrr` (chapter 7). Arguments as :func:`recall_at_k`.

    Returns
    -------
    float
        MRR in ``(0, 1]``.

    Raises
    ------
    TypeError, ValueError
        As :func:`recall_at_k`.

    Examples
    --------
    >>> scores = torch.tensor([[0.9, 0.8, 0.1], [0.2, 0.3, 0.7]])
    >>> mean_reciprocal_rank(scores, [0, 1], [1, 0, 1])   # ranks 2 and 1
    0.75
    """
    ranks = _first_relevant_rank(scores, query_labels, corpus_labels, exclude_self)
    return float((1.0 / ranks.double()).mean())


def tfidf_encoder(
    corpus: Sequence[str], *, analyzer: str = "char_wb", ngram_range: tuple[int, int] = (1, 3)
) -> Callable[[Sequence[str]], torch.Tensor]:
    """Fit a character n-gram TF-IDF (scikit-learn) on ``corpus``; return a text → vector function.

    The lexical baseline of chapter 7 (:eq:`contrastive-tfidf`): a text becomes
    its vector of character n-gram counts, weighted by ``1 + ln((1 + N)/(1 + df))``
    and L2-normalised, so the cosine of two texts measures how many (rare)
    character n-grams they share. Character n-grams need no word segmentation,
    so the same code works for English and Chinese (``"char_wb"`` keeps n-grams
    inside space-separated words; a Chinese sentence without spaces is one word).

    Parameters
    ----------
    corpus : sequence of str
        Texts to learn the vocabulary and document frequencies from.
    analyzer : str
        scikit-learn's character analyzers: ``"char_wb"`` or ``"char"``.
    ngram_range : (int, int)
        Smallest and largest n.

    Returns
    -------
    callable
        ``encode(texts) -> torch.Tensor`` of shape ``(len(texts), V)``, float64,
        rows of norm 1 (or 0 for a text with no n-gram of the corpus).

    Raises
    ------
    TypeError
        If ``corpus`` is a single string or holds non-strings.
    ValueError
        If ``corpus`` is empty, ``analyzer`` unknown or ``ngram_range`` invalid.

    Examples
    --------
    >>> encode = tfidf_encoder(["where is the bank?", "银行在哪里？"])
    >>> vectors = encode(["where is the bank?", "银行在哪里？"])
    >>> vectors.shape[0], torch.linalg.vector_norm(vectors, dim=1).round(decimals=6).tolist()
    (2, [1.0, 1.0])
    """
    if isinstance(corpus, str):
        raise TypeError("corpus must be a sequence of strings, not a single string")
    corpus = list(corpus)
    if not corpus:
        raise ValueError("corpus must contain at least one text")
    if not all(isinstance(text, str) for text in corpus):
        raise TypeError("every text of the corpus must be a string")
    if analyzer not in ("char_wb", "char"):
        raise ValueError(f"analyzer must be 'char_wb' or 'char', got {analyzer!r}")
    low, high = ngram_range
    if isinstance(low, bool) or not isinstance(low, int) or not isinstance(high, int) or not 1 <= low <= high:
        raise ValueError(f"ngram_range must be (low, high) with 1 <= low <= high, got {ngram_range!r}")
    vectorizer = TfidfVectorizer(analyzer=analyzer, ngram_range=(low, high), lowercase=True).fit(corpus)

    def encode(texts: Sequence[str]) -> torch.Tensor:
        if isinstance(texts, str):
            raise TypeError("texts must be a sequence of strings, not a single string")
        return torch.from_numpy(np.asarray(vectorizer.transform(list(texts)).todense(), dtype=np.float64))

    return encode


def paraphrase_batch(
    tokenizer: Tokenizer,
    groups: Sequence[Sequence[str]],
    n_pairs: int,
    *,
    generator: torch.Generator | None = None,
    device: torch.device | str | None = None,
) -> tuple[Batch, list[str]]:
    """A SimBERT training batch: ``n_pairs`` paraphrase pairs from distinct groups, as ``2n`` interleaved rows.

    For each of ``n_pairs`` distinct groups, two distinct sentences ``a, b`` are
    drawn; row ``2i`` is ``[CLS] a [SEP] b [SEP]`` and row ``2i+1`` is
    ``[CLS] b [SEP] a [SEP]`` (the partner of row ``i`` is row ``i XOR 1``).
    Distinct groups mean no false negative inside the batch.

    Parameters
    ----------
    tokenizer : Tokenizer
        Encodes the pairs (:meth:`~tutorial_lib.nn.tokenizer.Tokenizer.encode_pair`).
    groups : sequence of sequence of str
        Paraphrase groups, each with at least 2 sentences.
    n_pairs : int
        Pairs per batch, ``1 <= n_pairs <= len(groups)``.
    generator : torch.Generator, optional
        Source of randomness (CPU).
    device : torch.device or str, optional
        Where to put the batch.

    Returns
    -------
    (Batch, list of str)
        The padded batch of ``2 * n_pairs`` rows and the source text of every row.

    Raises
    ------
    ValueError
        If ``n_pairs`` is out of range or a group has fewer than 2 sentences.

    Examples
    --------
    >>> tok = Tokenizer(list("abcd"))
    >>> batch, sources = paraphrase_batch(tok, [["ab", "ba"], ["cd", "dc"]], 2)
    >>> batch.tokens.shape, sorted(sources)
    (torch.Size([4, 7]), ['ab', 'ba', 'cd', 'dc'])
    """
    if isinstance(n_pairs, bool) or not isinstance(n_pairs, int) or not 1 <= n_pairs <= len(groups):
        raise ValueError(f"n_pairs must be an integer in [1, {len(groups)}] (the number of groups), got {n_pairs!r}")
    if any(len(group) < 2 for group in groups):
        raise ValueError("every group needs at least 2 sentences to form a pair")
    chosen = torch.randperm(len(groups), generator=generator)[:n_pairs].tolist()
    sequences, sources = [], []
    for g in chosen:
        group = groups[g]
        i, j = torch.randperm(len(group), generator=generator)[:2].tolist()
        a, b = group[i], group[j]
        sequences += [tokenizer.encode_pair(a, b), tokenizer.encode_pair(b, a)]
        sources += [a, b]
    return pad_batch(sequences, pad_id=tokenizer.pad_id, device=device), sources


@torch.no_grad()
def encode_sentences(
    model: Transformer, tokenizer: Tokenizer, texts: Sequence[str], *, batch_size: int = 256
) -> torch.Tensor:
    """Pooled [CLS] vectors of ``[CLS] text [SEP]`` (segment 0, bidirectional within the text).

    Under the UniLM mask this is exactly the [CLS] vector the model computes for
    ``[CLS] text [SEP] target [SEP]`` whatever the target (chapter 6,
    :prf:ref:`masks-thm-source-independence`), so it is the vector the similarity
    loss trained. The model's train/eval mode is restored afterwards.

    Returns
    -------
    torch.Tensor
        ``(len(texts), d_model)`` on the model's device.

    Raises
    ------
    TypeError, ValueError
        If ``texts`` is a single string or empty.
    """
    if isinstance(texts, str):
        raise TypeError("texts must be a sequence of strings, not a single string")
    if len(texts) == 0:
        raise ValueError("texts must not be empty")
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    try:
        vectors = []
        for start in range(0, len(texts), batch_size):
            batch = pad_batch([tokenizer.encode_pair(t) for t in texts[start : start + batch_size]], device=device)
            mask = with_padding(unilm_mask(batch.segments), batch.padding_mask)
            vectors.append(model.pool(model(batch.tokens, batch.segments, mask)))
    finally:
        model.train(was_training)
    return torch.cat(vectors)


def train_paraphraser(
    model: Transformer,
    tokenizer: Tokenizer,
    groups: Sequence[Sequence[str]],
    steps: int,
    *,
    n_pairs: int = 32,
    lr: float = 3e-3,
    scale: float = 30.0,
    teacher: Transformer | None = None,
    distill_weight: float = 100.0,
    mask_prob: float = 0.0,
    example_prob: float = 0.5,
    generator: torch.Generator | None = None,
    progress: bool = False,
) -> dict[str, list[float]]:
    """Train SimBERT (``teacher=None``) or a RoFormer-Sim student (``teacher`` given) on paraphrase groups.

    Every step draws :func:`paraphrase_batch`, optionally corrupts the sources
    with :func:`mask_source` (``mask_prob > 0``), runs the model once with the
    UniLM mask and adds two losses:

    - the seq2seq loss on the target tokens (:eq:`masks-seq2seq-loss`, chapter 6);
    - SimBERT: :func:`simbert_loss` of the pooled [CLS] vectors with ``scale``;
      RoFormer-Sim stage 2: :func:`similarity_distillation_loss` between the
      student's [CLS] vectors and the teacher's vectors of the *unmasked* sources
      (:func:`encode_sentences`), with ``distill_weight``.

    AdamW (weight decay 0.01); the learning rate rises linearly over the first
    tenth of the steps to ``lr``, then decays along a half cosine.
    Implements :eq:`contrastive-simbert-total` (chapter 7).

    Returns
    -------
    dict
        ``{"seq2seq": [...], "similarity": [...]}``: the two losses at every step.

    Raises
    ------
    ValueError
        On a non-positive ``steps`` or ``lr`` (and as :func:`paraphrase_batch`).
    """
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a positive integer, got {steps!r}")
    if not lr > 0:
        raise ValueError(f"lr must be positive, got {lr}")
    device = next(model.parameters()).device
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    warmup = max(1, steps // 10)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min(1.0, (step + 1) / warmup) * 0.5 * (1.0 + math.cos(math.pi * step / steps))
    )
    history: dict[str, list[float]] = {"seq2seq": [], "similarity": []}
    model.train()
    for _ in trange(steps, disable=not progress, desc="training"):
        batch, sources = paraphrase_batch(tokenizer, groups, n_pairs, generator=generator, device=device)
        tokens = batch.tokens
        if mask_prob > 0:
            tokens, _ = mask_source(
                tokens, batch.segments, mask_prob, tokenizer.mask_id, example_prob=example_prob,
                special_ids=tokenizer.special_ids, generator=generator,
            )
        mask = with_padding(unilm_mask(batch.segments), batch.padding_mask)
        hidden = model(tokens, batch.segments, mask)
        generation = next_token_loss(model.lm_logits(hidden), batch.tokens, (batch.segments == 1) & batch.padding_mask)
        cls = model.pool(hidden)
        if teacher is None:
            similarity = simbert_loss(cls, scale)
        else:
            teacher_vectors = encode_sentences(teacher, tokenizer, sources)
            similarity = similarity_distillation_loss(cls, teacher_vectors, distill_weight)
        optimizer.zero_grad(set_to_none=True)
        (generation + similarity).backward()
        optimizer.step()
        schedule.step()
        history["seq2seq"].append(generation.item())
        history["similarity"].append(similarity.item())
    return history
