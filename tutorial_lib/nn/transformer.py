"""A small Transformer whose task is chosen by its attention mask (chapter 6).

One network, three uses: with a bidirectional mask it is an encoder (BERT),
with the causal mask a language model (GPT, DialoGPT), with the UniLM mask a
sequence-to-sequence model (UniLM, SimBERT). It is **pre-LN** (GPT-2 style:
``x + attn(LN(x))``, ``x + mlp(LN(x))``, a final LayerNorm), which trains
without learning-rate warm-up at toy scale; BERT and UniLM are post-LN. The
attention is ``torch.nn.functional.scaled_dot_product_attention`` with a
boolean mask (True = may attend); positions are learned absolute embeddings or,
with ``rope=True``, rotary embeddings applied to queries and keys (RoFormer).

Usage (chapters 6-8)::

    data = pad_batch([tok.encode_pair(src, tgt) for src, tgt in pairs])
    losses = fit(model, seq2seq_loss, data, steps=200, batch_size=64)
    loss = seq2seq_loss(model, data.select(rows))   # UniLM mask, loss on target tokens only
    hidden = model(batch.tokens, batch.segments, mask)   # any boolean mask
    cls = model.pool(hidden)                   # [CLS] vectors, (batch, d_model)
    generate(model, tok, "source", max_len=20, top_k=5, num_samples=4)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import trange

from tutorial_lib.masks import causal_mask, unilm_mask, with_padding
from tutorial_lib.nn.tokenizer import Batch, Tokenizer
from tutorial_lib.rope import _rope_tables, _rotate_pairs, apply_rope

__all__ = [
    "Transformer",
    "TransformerConfig",
    "fit",
    "generate",
    "generate_many",
    "lm_loss",
    "next_token_loss",
    "seq2seq_loss",
]

_POOLERS = ("linear", "tanh", "none")


@dataclass(frozen=True)
class TransformerConfig:
    """Sizes and options of :class:`Transformer`.

    Parameters
    ----------
    vocab_size : int
        Number of token ids (``Tokenizer.vocab_size``).
    d_model, n_heads, n_layers : int
        Width, attention heads (``d_model`` divisible by it) and blocks.
    d_ff : int or None
        Hidden width of the feed-forward layers (default ``4 * d_model``).
    max_len : int
        Longest sequence; used by the learned absolute positions (ignored with RoPE).
    n_segments : int
        Number of segment ids (2: source/target or the two speakers).
    rope : bool
        Rotary positions on queries and keys instead of learned absolute positions.
    rope_base : float
        The RoPE base (10000).
    dropout : float
        Dropout probability on embeddings, attention output and feed-forward output.
    tie_lm_head : bool
        Share the LM head's weight with the token embedding.
    pooler : str
        ``"linear"``, ``"tanh"`` or ``"none"``: the map from the [CLS] hidden state to the
        pooled vector is a linear layer (SimBERT's ``with_pool='linear'``), BERT's linear
        layer + tanh, or the identity.
    """

    vocab_size: int
    d_model: int = 64
    n_heads: int = 4
    n_layers: int = 2
    d_ff: int | None = None
    max_len: int = 256
    n_segments: int = 2
    rope: bool = False
    rope_base: float = 10000.0
    dropout: float = 0.0
    tie_lm_head: bool = True
    pooler: str = "linear"

    def __post_init__(self) -> None:
        for name in ("vocab_size", "d_model", "n_heads", "n_layers", "max_len", "n_segments"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if self.d_ff is not None and (not isinstance(self.d_ff, int) or self.d_ff < 1):
            raise ValueError(f"d_ff must be None or a positive integer, got {self.d_ff!r}")
        if self.d_model % self.n_heads:
            raise ValueError(f"d_model={self.d_model} must be divisible by n_heads={self.n_heads}")
        if self.rope and (self.d_model // self.n_heads) % 2:
            raise ValueError(
                f"RoPE needs an even head dimension, got d_model/n_heads = {self.d_model // self.n_heads}"
            )
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must lie in [0, 1), got {self.dropout}")
        if self.pooler not in _POOLERS:
            raise ValueError(f"pooler must be one of {_POOLERS}, got {self.pooler!r}")


class SelfAttention(nn.Module):
    """Multi-head self-attention through ``scaled_dot_product_attention``, optional RoPE."""

    def __init__(self, config: TransformerConfig) -> None:
        super().__init__()
        self.n_heads = config.n_heads
        self.rope = config.rope
        self.rope_base = config.rope_base
        self.qkv = nn.Linear(config.d_model, 3 * config.d_model)
        self.out = nn.Linear(config.d_model, config.d_model)

    def forward(
        self,
        x: torch.Tensor,
        mask: torch.Tensor | None,
        positions: torch.Tensor,
        rotary: tuple[torch.Tensor, torch.Tensor] | None = None,
    ) -> torch.Tensor:
        """``rotary``: RoPE's ``(cos, sin)`` tables for ``positions`` if the caller computed them once."""
        batch, length, width = x.shape
        q, k, v = self.qkv(x).view(batch, length, 3, self.n_heads, width // self.n_heads).permute(2, 0, 3, 1, 4)
        if self.rope and rotary is None:
            q = apply_rope(q, positions, self.rope_base)
            k = apply_rope(k, positions, self.rope_base)
        elif self.rope:
            q, k = _rotate_pairs(q, *rotary), _rotate_pairs(k, *rotary)
        attended = self.attend(q, k, v, mask)
        return self.out(attended.transpose(1, 2).reshape(batch, length, width))

    @staticmethod
    def attend(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        """Masked softmax attention of ``(batch, heads, L, d)`` tensors (:eq:`masks-attention`)."""
        return F.scaled_dot_product_attention(q, k, v, attn_mask=mask)


class Block(nn.Module):
    """Pre-LN Transformer block: ``x + attn(LN(x))`` then ``x + mlp(LN(x))``."""

    def __init__(self, config: TransformerConfig) -> None:
        super().__init__()
        d_ff = config.d_ff or 4 * config.d_model
        self.ln1 = nn.LayerNorm(config.d_model)
        self.attn = SelfAttention(config)
        self.ln2 = nn.LayerNorm(config.d_model)
        self.mlp = nn.Sequential(nn.Linear(config.d_model, d_ff), nn.GELU(), nn.Linear(d_ff, config.d_model))
        self.drop = nn.Dropout(config.dropout)

    def forward(
        self,
        x: torch.Tensor,
        mask: torch.Tensor | None,
        positions: torch.Tensor,
        rotary: tuple[torch.Tensor, torch.Tensor] | None = None,
    ) -> torch.Tensor:
        x = x + self.drop(self.attn(self.ln1(x), mask, positions, rotary))
        return x + self.drop(self.mlp(self.ln2(x)))


class Transformer(nn.Module):
    """Token + segment (+ learned position) embeddings, pre-LN blocks, LM head and [CLS] pooler.

    ``model(tokens, segments, mask)`` returns the hidden states; ``model.lm_logits``
    turns them into next-token logits and ``model.pool`` into the pooled [CLS]
    vector. The mask alone decides the task (:eq:`masks-attention`, chapter 6).

    Parameters
    ----------
    config : TransformerConfig
        Sizes and options.

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> model = Transformer(TransformerConfig(vocab_size=10, d_model=16, n_heads=2, n_layers=1))
    >>> tokens = torch.tensor([[2, 5, 3, 6, 3]])
    >>> segments = torch.tensor([[0, 0, 0, 1, 1]])
    >>> hidden = model(tokens, segments, unilm_mask(segments))
    >>> hidden.shape, model.lm_logits(hidden).shape, model.pool(hidden).shape
    (torch.Size([1, 5, 16]), torch.Size([1, 5, 10]), torch.Size([1, 16]))
    """

    def __init__(self, config: TransformerConfig) -> None:
        super().__init__()
        if not isinstance(config, TransformerConfig):
            raise TypeError(f"config must be a TransformerConfig, got {type(config).__name__}")
        self.config = config
        self.token_embedding = nn.Embedding(config.vocab_size, config.d_model)
        self.segment_embedding = nn.Embedding(config.n_segments, config.d_model)
        self.position_embedding = None if config.rope else nn.Embedding(config.max_len, config.d_model)
        self.drop = nn.Dropout(config.dropout)
        self.blocks = nn.ModuleList(Block(config) for _ in range(config.n_layers))
        self.ln_f = nn.LayerNorm(config.d_model)
        self.lm_head = nn.Linear(config.d_model, config.vocab_size)
        self.pooler = None if config.pooler == "none" else nn.Linear(config.d_model, config.d_model)
        self.apply(self._init_weights)
        if config.tie_lm_head:
            self.lm_head.weight = self.token_embedding.weight

    @staticmethod
    def _init_weights(module: nn.Module) -> None:
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    def _check_inputs(
        self, tokens: torch.Tensor, segments: torch.Tensor | None, mask: torch.Tensor | None
    ) -> torch.Tensor:
        if not isinstance(tokens, torch.Tensor) or tokens.is_floating_point() or tokens.dtype == torch.bool:
            raise TypeError(f"tokens must be an integer tensor, got {getattr(tokens, 'dtype', type(tokens))}")
        if tokens.ndim != 2 or tokens.numel() == 0:
            raise ValueError(f"tokens must have shape (batch, L) with batch, L >= 1, got {tuple(tokens.shape)}")
        if int(tokens.min()) < 0 or int(tokens.max()) >= self.config.vocab_size:
            raise ValueError(
                f"token ids must lie in [0, {self.config.vocab_size}), got range "
                f"[{int(tokens.min())}, {int(tokens.max())}]"
            )
        length = tokens.shape[1]
        if self.position_embedding is not None and length > self.config.max_len:
            raise ValueError(f"sequence length {length} exceeds max_len={self.config.max_len}")
        if segments is None:
            segments = torch.zeros_like(tokens)
        elif not isinstance(segments, torch.Tensor) or segments.is_floating_point():
            raise TypeError(f"segments must be an integer tensor, got {getattr(segments, 'dtype', type(segments))}")
        if segments.shape != tokens.shape:
            raise ValueError(f"segments shape {tuple(segments.shape)} differs from tokens shape {tuple(tokens.shape)}")
        if int(segments.min()) < 0 or int(segments.max()) >= self.config.n_segments:
            raise ValueError(f"segment ids must lie in [0, {self.config.n_segments})")
        if mask is not None:
            if not isinstance(mask, torch.Tensor) or mask.dtype != torch.bool:
                got = getattr(mask, "dtype", type(mask).__name__)
                raise TypeError(f"mask must be a boolean tensor (True = may attend), got {got}")
            shapes = ((length, length), (tokens.shape[0], length, length), (1, length, length))
            if tuple(mask.shape) not in shapes:
                raise ValueError(
                    f"mask must have shape (L, L) or (batch, L, L) = {shapes[:2]}, got {tuple(mask.shape)}"
                )
            if not bool(mask.any(dim=-1).all()):
                raise ValueError("every query row of the mask needs at least one True (else attention is NaN)")
        return segments.long()

    def forward(
        self,
        tokens: torch.Tensor,
        segments: torch.Tensor | None = None,
        mask: torch.Tensor | None = None,
        positions: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Hidden states of the last layer (after the final LayerNorm).

        Parameters
        ----------
        tokens : torch.Tensor
            int64 ``(batch, L)`` token ids.
        segments : torch.Tensor, optional
            Integer ``(batch, L)`` segment ids (default all 0).
        mask : torch.Tensor, optional
            Boolean ``(L, L)`` or ``(batch, L, L)``, True = may attend; default: every
            position sees every position (no padding handling: combine masks with
            :func:`tutorial_lib.masks.with_padding`).
        positions : torch.Tensor, optional
            Integer positions ``(L,)`` or ``(batch, L)``; default ``0, …, L-1``.

        Returns
        -------
        torch.Tensor
            ``(batch, L, d_model)`` in the model's dtype.

        Raises
        ------
        TypeError, ValueError
            On inputs of the wrong dtype, shape or range, or a mask row with no True.
        """
        segments = self._check_inputs(tokens, segments, mask)
        length = tokens.shape[1]
        if positions is None:
            positions = torch.arange(length, device=tokens.device)
        if positions.shape[-1] != length or positions.ndim not in (1, 2):
            raise ValueError(f"positions must have shape (L,) or (batch, L) with L = {length}")
        if positions.is_floating_point() and not bool(torch.isfinite(positions).all()):
            raise ValueError("positions must be finite")
        x = self.token_embedding(tokens) + self.segment_embedding(segments)
        if self.position_embedding is not None:
            x = x + self.position_embedding(positions)
        x = self.drop(x)
        if mask is not None and mask.ndim == 3:
            mask = mask.unsqueeze(1)  # broadcast over heads
        rope_positions = positions.unsqueeze(-2) if positions.ndim == 2 else positions
        rotary = None
        if self.config.rope:  # the same rotations in every layer and head: compute them once
            head_dim = self.config.d_model // self.config.n_heads
            rotary = _rope_tables(rope_positions, head_dim, self.config.rope_base, x.dtype)
        for block in self.blocks:
            x = block(x, mask, rope_positions, rotary)
        return self.ln_f(x)

    def lm_logits(self, hidden: torch.Tensor) -> torch.Tensor:
        """Next-token logits ``(..., vocab_size)`` from hidden states ``(..., d_model)``."""
        return self.lm_head(hidden)

    def pool(self, hidden: torch.Tensor) -> torch.Tensor:
        """The pooled [CLS] vector: the pooler applied to the first position, ``(batch, d_model)``."""
        if hidden.ndim != 3:
            raise ValueError(f"hidden must have shape (batch, L, d_model), got {tuple(hidden.shape)}")
        cls = hidden[:, 0]
        if self.pooler is None:
            return cls
        pooled = self.pooler(cls)
        return torch.tanh(pooled) if self.config.pooler == "tanh" else pooled


def next_token_loss(logits: torch.Tensor, tokens: torch.Tensor, target_mask: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy of predicting ``tokens[:, t+1]`` from ``logits[:, t]`` where ``target_mask[:, t+1]``.

    Implements :eq:`masks-seq2seq-loss` and :eq:`masks-dialogue-loss` (chapter 6):
    which tokens count is the only difference between the seq2seq loss (target
    tokens) and the dialogue loss (every real token).

    Parameters
    ----------
    logits : torch.Tensor
        ``(batch, L, vocab)``.
    tokens : torch.Tensor
        int64 ``(batch, L)``.
    target_mask : torch.Tensor
        bool ``(batch, L)``: True where a token is a prediction target.

    Returns
    -------
    torch.Tensor
        Scalar loss in nats per target token.

    Raises
    ------
    ValueError
        If shapes disagree or no token is a target.
    TypeError
        If ``target_mask`` is not boolean.
    """
    if logits.ndim != 3 or tokens.shape != logits.shape[:2]:
        raise ValueError(
            f"logits must be (batch, L, vocab) and tokens (batch, L); "
            f"got {tuple(logits.shape)} and {tuple(tokens.shape)}"
        )
    if not isinstance(target_mask, torch.Tensor) or target_mask.dtype != torch.bool:
        raise TypeError("target_mask must be a boolean tensor")
    if target_mask.shape != tokens.shape:
        raise ValueError(f"target_mask shape {tuple(target_mask.shape)} differs from tokens {tuple(tokens.shape)}")
    targets = target_mask[:, 1:]
    if not bool(targets.any()):
        raise ValueError("no token after the first position is a target: the loss would be 0/0")
    return F.cross_entropy(logits[:, :-1][targets], tokens[:, 1:][targets])


def seq2seq_loss(model: Transformer, batch: Batch) -> torch.Tensor:
    """UniLM seq2seq loss: UniLM mask + padding, cross-entropy on target tokens (segment 1) only.

    Implements :eq:`masks-seq2seq-loss` (chapter 6). The batch holds
    ``[CLS] source [SEP] target [SEP]`` sequences (:meth:`tutorial_lib.nn.tokenizer.Tokenizer.encode_pair`).
    """
    mask = with_padding(unilm_mask(batch.segments), batch.padding_mask)
    hidden = model(batch.tokens, batch.segments, mask)
    return next_token_loss(model.lm_logits(hidden), batch.tokens, (batch.segments == 1) & batch.padding_mask)


def lm_loss(model: Transformer, batch: Batch) -> torch.Tensor:
    """Causal language-model loss on every real token (DialoGPT-style: every turn is trained).

    Implements :eq:`masks-dialogue-loss` (chapter 6).
    """
    mask = with_padding(causal_mask(batch.tokens.shape[1], device=batch.tokens.device), batch.padding_mask)
    hidden = model(batch.tokens, batch.segments, mask)
    return next_token_loss(model.lm_logits(hidden), batch.tokens, batch.padding_mask)


def fit(
    model: Transformer,
    loss_fn: Callable[[Transformer, Batch], torch.Tensor],
    data: Batch,
    steps: int,
    *,
    batch_size: int = 32,
    lr: float = 3e-3,
    weight_decay: float = 0.01,
    warmup_fraction: float = 0.1,
    generator: torch.Generator | None = None,
    progress: bool = False,
) -> list[float]:
    """Train ``model`` for ``steps`` AdamW steps on random mini-batches of ``data``; return the losses.

    Each step draws ``batch_size`` rows uniformly with replacement
    (``data.select``), evaluates ``loss_fn(model, batch)`` (e.g. :func:`seq2seq_loss`
    or :func:`lm_loss`) and takes one step; the learning rate follows a one-cycle
    schedule (linear warm-up over ``warmup_fraction`` of the steps to ``lr``, then
    cosine decay). The model is left in training mode.

    Parameters
    ----------
    model : Transformer
        The network to train (in place).
    loss_fn : Callable
        ``loss_fn(model, batch) -> scalar tensor``.
    data : Batch
        The whole padded training set (:func:`tutorial_lib.nn.tokenizer.pad_batch`).
    steps : int
        Number of optimisation steps.
    batch_size, lr, weight_decay, warmup_fraction
        Mini-batch size, peak learning rate, AdamW weight decay, warm-up fraction.
    generator : torch.Generator, optional
        Source of the mini-batch indices (on the CPU).
    progress : bool
        Show a ``tqdm`` progress bar.

    Returns
    -------
    list of float
        The training loss at every step.

    Raises
    ------
    ValueError
        On a non-positive ``steps``, ``batch_size`` or ``lr``, or ``warmup_fraction`` outside (0, 1).

    Examples
    --------
    >>> from tutorial_lib.nn.tokenizer import pad_batch
    >>> _ = torch.manual_seed(0)
    >>> tok = Tokenizer(list("ab"))
    >>> data = pad_batch([tok.encode_pair("ab", "ba"), tok.encode_pair("ba", "ab")])
    >>> model = Transformer(TransformerConfig(vocab_size=tok.vocab_size, d_model=16, n_heads=2, n_layers=1))
    >>> losses = fit(model, seq2seq_loss, data, steps=30, batch_size=2, lr=1e-2)
    >>> losses[-1] < losses[0]
    True
    """
    for name, value in (("steps", steps), ("batch_size", batch_size)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if not lr > 0:
        raise ValueError(f"lr must be positive, got {lr}")
    if not 0.0 < warmup_fraction < 1.0:
        raise ValueError(f"warmup_fraction must lie in (0, 1), got {warmup_fraction}")
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=lr, total_steps=steps, pct_start=warmup_fraction
    )
    n_rows = data.tokens.shape[0]
    device = data.tokens.device
    model.train()
    losses = []
    for _ in trange(steps, disable=not progress, desc="training"):
        rows = torch.randint(n_rows, (batch_size,), generator=generator).to(device)
        loss = loss_fn(model, data.select(rows))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        schedule.step()
        losses.append(loss.item())
    return losses


def _check_decoding(max_len: int, top_k: int | None, temperature: float) -> None:
    if isinstance(max_len, bool) or not isinstance(max_len, int) or max_len < 1:
        raise ValueError(f"max_len must be a positive integer, got {max_len!r}")
    if top_k is not None and (isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 1):
        raise ValueError(f"top_k must be None (greedy) or a positive integer, got {top_k!r}")
    if not temperature > 0:
        raise ValueError(f"temperature must be positive, got {temperature}")


def _prefix(tokenizer: Tokenizer, source: str | Sequence[str], mode: str) -> tuple[list[int], list[int], int]:
    """Encoded prefix and the segment id of the tokens to generate."""
    if mode == "seq2seq":
        if not isinstance(source, str):
            raise TypeError(f"in seq2seq mode the source must be a string, got {type(source).__name__}")
        ids, segments = tokenizer.encode_pair(source)
        return ids, segments, 1
    if mode == "dialogue":
        if isinstance(source, str):
            raise TypeError("in dialogue mode the source is the list of previous turns, not a single string")
        ids, segments = tokenizer.encode_dialogue(source)
        return ids, segments, len(source) % 2
    raise ValueError(f"mode must be 'seq2seq' (UniLM mask) or 'dialogue' (causal mask), got {mode!r}")


@torch.no_grad()
def _decode(
    model: Transformer,
    tokenizer: Tokenizer,
    tokens: torch.Tensor,
    segments: torch.Tensor,
    new_segment: int,
    mode: str,
    max_len: int,
    top_k: int | None,
    temperature: float,
    generator: torch.Generator | None,
) -> list[str]:
    """Extend every row of ``tokens`` (same prefix length) until ``[SEP]`` or ``max_len`` tokens."""
    banned = torch.tensor(sorted(tokenizer.special_ids - {tokenizer.sep_id}), device=tokens.device)
    finished = torch.zeros(tokens.shape[0], dtype=torch.bool, device=tokens.device)
    start = tokens.shape[1]
    was_training = model.training
    model.eval()
    try:
        for _ in range(max_len):
            length = tokens.shape[1]
            if mode == "seq2seq":
                mask = unilm_mask(segments)
            else:
                mask = causal_mask(length, device=tokens.device)
            logits = model.lm_logits(model(tokens, segments, mask)[:, -1]).float() / temperature
            logits[:, banned] = float("-inf")
            if top_k is None or top_k == 1:
                next_token = logits.argmax(dim=-1)
            else:
                values, indices = logits.topk(min(top_k, logits.shape[-1]), dim=-1)
                choice = torch.multinomial(values.softmax(dim=-1), 1, generator=generator)
                next_token = indices.gather(-1, choice).squeeze(-1)
            next_token = torch.where(finished, torch.full_like(next_token, tokenizer.sep_id), next_token)
            tokens = torch.cat((tokens, next_token[:, None]), dim=1)
            segments = torch.cat((segments, torch.full_like(next_token[:, None], new_segment)), dim=1)
            finished |= next_token == tokenizer.sep_id
            if bool(finished.all()):
                break
    finally:
        model.train(was_training)
    outputs = []
    for row in tokens[:, start:].tolist():
        end = row.index(tokenizer.sep_id) if tokenizer.sep_id in row else len(row)
        outputs.append(tokenizer.decode(row[:end]))
    return outputs


def generate(
    model: Transformer,
    tokenizer: Tokenizer,
    source: str | Sequence[str],
    max_len: int = 32,
    top_k: int | None = None,
    *,
    mode: str = "seq2seq",
    num_samples: int = 1,
    temperature: float = 1.0,
    generator: torch.Generator | None = None,
) -> list[str]:
    """Generate continuations of one source: greedy (``top_k=None``) or top-k sampling.

    - ``mode="seq2seq"``: ``source`` is a string; the prefix is ``[CLS] source [SEP]``
      (segment 0), generated tokens get segment 1, attention uses the UniLM mask.
    - ``mode="dialogue"``: ``source`` is the list of previous turns; the prefix is
      ``[CLS] turn1 [SEP] …`` with alternating segments, the reply gets the next
      speaker's segment id, attention uses the causal mask.

    Generation stops at ``[SEP]`` or after ``max_len`` tokens; other special tokens
    are never generated. The whole sequence is recomputed at each step (no cache):
    fine for the book's short sequences.

    Parameters
    ----------
    model : Transformer
        The network (its train/eval mode is restored afterwards).
    tokenizer : Tokenizer
        The tokenizer the model was trained with.
    source : str or Sequence of str
        The source text (seq2seq) or the dialogue history (dialogue).
    max_len : int
        Maximum number of generated tokens.
    top_k : int or None
        ``None`` or 1: greedy; ``k > 1``: sample among the ``k`` most likely tokens.
    mode : str
        ``"seq2seq"`` (UniLM mask) or ``"dialogue"`` (causal mask); see above.
    num_samples : int
        Number of continuations generated in parallel.
    temperature : float
        Logits are divided by it before the top-k softmax.
    generator : torch.Generator, optional
        Source of randomness for sampling (on the model's device).

    Returns
    -------
    list of str
        ``num_samples`` generated texts, without special tokens.

    Raises
    ------
    TypeError, ValueError
        On a wrong source type for the mode, an unknown mode or invalid settings.

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> tok = Tokenizer(list("abc"))
    >>> model = Transformer(TransformerConfig(vocab_size=tok.vocab_size, d_model=16, n_heads=2, n_layers=1))
    >>> replies = generate(model, tok, "ab", max_len=3, top_k=2, num_samples=2)
    >>> len(replies), all(len(r) <= 3 for r in replies)
    (2, True)
    """
    _check_decoding(max_len, top_k, temperature)
    if isinstance(num_samples, bool) or not isinstance(num_samples, int) or num_samples < 1:
        raise ValueError(f"num_samples must be a positive integer, got {num_samples!r}")
    ids, segments, new_segment = _prefix(tokenizer, source, mode)
    device = next(model.parameters()).device
    tokens = torch.tensor([ids] * num_samples, device=device)
    segment_ids = torch.tensor([segments] * num_samples, device=device)
    return _decode(model, tokenizer, tokens, segment_ids, new_segment, mode, max_len, top_k, temperature, generator)


def generate_many(
    model: Transformer,
    tokenizer: Tokenizer,
    sources: Sequence[str] | Sequence[Sequence[str]],
    max_len: int = 32,
    top_k: int | None = None,
    *,
    mode: str = "seq2seq",
    temperature: float = 1.0,
    generator: torch.Generator | None = None,
) -> list[str]:
    """One continuation per source, decoded in batches of sources with equal prefix length.

    Same settings as :func:`generate`; used to score a model on many held-out
    inputs quickly (e.g. exact-match accuracy with greedy decoding).

    Returns
    -------
    list of str
        The generated texts, in the order of ``sources``.

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> tok = Tokenizer(list("abc"))
    >>> model = Transformer(TransformerConfig(vocab_size=tok.vocab_size, d_model=16, n_heads=2, n_layers=1))
    >>> len(generate_many(model, tok, ["a", "bc", "ca"], max_len=2))
    3
    """
    _check_decoding(max_len, top_k, temperature)
    if isinstance(sources, str):
        raise TypeError("sources must be a list of sources, not a single string")
    device = next(model.parameters()).device
    groups: dict[int, list[tuple[int, list[int], list[int], int]]] = {}
    for n, source in enumerate(sources):
        ids, segments, new_segment = _prefix(tokenizer, source, mode)
        groups.setdefault(len(ids), []).append((n, ids, segments, new_segment))
    outputs: list[str] = [""] * len(sources)
    for items in groups.values():
        for new_segment in (0, 1):
            rows = [item for item in items if item[3] == new_segment]
            if not rows:
                continue
            tokens = torch.tensor([ids for _, ids, _, _ in rows], device=device)
            segment_ids = torch.tensor([segs for _, _, segs, _ in rows], device=device)
            texts = _decode(
                model, tokenizer, tokens, segment_ids, new_segment, mode, max_len, top_k, temperature, generator
            )
            for (n, _, _, _), text in zip(rows, texts, strict=True):
                outputs[n] = text
    return outputs
