"""A small tokenizer with BERT-style special tokens, character-level by default.

Defined in chapter 6. Characters are a natural unit for Chinese and work for
English at toy scale; chapter 8 passes a word splitter (jieba) instead. The
sequence layouts are those of SimBERT/UniLM and of the DialoGPT post:

- seq2seq pair: ``[CLS] source [SEP] target [SEP]``, segment ids ``0…0 1…1``;
- dialogue: ``[CLS] turn1 [SEP] turn2 [SEP] …``, segment ids alternating per turn.
"""

from __future__ import annotations

import numbers
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

import torch

from tutorial_lib.masks import dialogue_segment_ids

__all__ = ["SPECIAL_TOKENS", "Batch", "Tokenizer", "pad_batch"]

SPECIAL_TOKENS: tuple[str, ...] = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
"""The special tokens, at ids 0 to 4 in this order; padding is always id 0."""


def _characters(text: str) -> list[str]:
    return list(text)


class Batch(NamedTuple):
    """A right-padded batch of encoded sequences, made by :func:`pad_batch`.

    Its three fields are ``tokens`` (int64 ``(batch, L)`` token ids, ``0`` = ``[PAD]``
    after each sequence's end), ``segments`` (int64 ``(batch, L)`` segment ids, 0 at
    padding) and ``padding_mask`` (bool ``(batch, L)``, True at real tokens).
    """

    tokens: torch.Tensor
    segments: torch.Tensor
    padding_mask: torch.Tensor

    def select(self, index: torch.Tensor | Sequence[int]) -> Batch:
        """The rows ``index`` of the batch, trimmed to their longest sequence.

        Pad a whole data set once with :func:`pad_batch`, then draw training
        batches with ``full.select(indices)``.

        Examples
        --------
        >>> full = pad_batch([([2, 5, 3], [0, 0, 0]), ([2, 3], [0, 0])])
        >>> full.select([1]).tokens
        tensor([[2, 3]])
        """
        index = torch.as_tensor(index, dtype=torch.long, device=self.tokens.device)
        if index.ndim != 1 or index.numel() == 0:
            raise ValueError(f"index must be a non-empty 1-D list of row numbers, got shape {tuple(index.shape)}")
        padding_mask = self.padding_mask[index]
        length = int(padding_mask.sum(dim=1).max())
        return Batch(self.tokens[index, :length], self.segments[index, :length], padding_mask[:, :length])


class Tokenizer:
    """Map text to token ids and back; special tokens ``[PAD]=0, [UNK], [CLS], [SEP], [MASK]``.

    Parameters
    ----------
    tokens : Sequence of str
        The ordinary vocabulary (no special tokens, no duplicates), in id order
        starting at ``len(SPECIAL_TOKENS)``.
    split : Callable, optional
        Function from a text to its list of tokens. Default: characters, so any
        text made of known characters round-trips exactly. A word splitter must
        keep every character (e.g. ``jieba.lcut`` keeps spaces) for ``decode`` to
        invert ``encode``.

    Raises
    ------
    TypeError
        If a token is not a string or ``split`` is not callable.
    ValueError
        If a token is empty, duplicated or a special token.

    Examples
    --------
    >>> tok = Tokenizer.from_corpus(["hello", "你好"])
    >>> ids, segments = tok.encode_pair("hello", "你好")
    >>> tok.decode(ids)
    'hello你好'
    >>> tok.decode(ids, skip_special_tokens=False)
    '[CLS]hello[SEP]你好[SEP]'
    >>> segments
    [0, 0, 0, 0, 0, 0, 0, 1, 1, 1]
    """

    def __init__(self, tokens: Sequence[str], split: Callable[[str], list[str]] | None = None) -> None:
        if isinstance(tokens, str):
            raise TypeError("tokens must be a sequence of strings, not a single string")
        tokens = list(tokens)
        for token in tokens:
            if not isinstance(token, str):
                raise TypeError(f"every token must be a string, got {token!r} of type {type(token).__name__}")
            if token == "":
                raise ValueError("tokens must not contain the empty string")
            if token in SPECIAL_TOKENS:
                raise ValueError(f"{token!r} is a special token; pass only the ordinary vocabulary")
        duplicates = sorted(t for t, c in Counter(tokens).items() if c > 1)
        if duplicates:
            raise ValueError(f"tokens must be unique; duplicated: {duplicates[:10]}")
        if split is not None and not callable(split):
            raise TypeError(f"split must be callable, got {type(split).__name__}")
        self.split = split if split is not None else _characters
        self.id_to_token: list[str] = [*SPECIAL_TOKENS, *tokens]
        self.token_to_id: dict[str, int] = {t: i for i, t in enumerate(self.id_to_token)}
        self.pad_id, self.unk_id, self.cls_id, self.sep_id, self.mask_id = range(len(SPECIAL_TOKENS))
        self.special_ids: frozenset[int] = frozenset(range(len(SPECIAL_TOKENS)))

    @classmethod
    def from_corpus(
        cls,
        texts: Iterable[str],
        *,
        split: Callable[[str], list[str]] | None = None,
        min_count: int = 1,
        max_size: int | None = None,
    ) -> Tokenizer:
        """Build the vocabulary of a corpus: tokens seen at least ``min_count`` times.

        Tokens are ordered by decreasing count, ties broken by the token itself,
        so the vocabulary is deterministic; ``max_size`` keeps the most frequent.

        Raises
        ------
        TypeError
            If a text is not a string.
        ValueError
            If the corpus yields no token, ``min_count < 1`` or ``max_size < 1``.
        """
        if isinstance(texts, str):
            raise TypeError("texts must be an iterable of strings, not a single string")
        if isinstance(min_count, bool) or not isinstance(min_count, int) or min_count < 1:
            raise ValueError(f"min_count must be an integer >= 1, got {min_count!r}")
        if max_size is not None and (isinstance(max_size, bool) or not isinstance(max_size, int) or max_size < 1):
            raise ValueError(f"max_size must be None or an integer >= 1, got {max_size!r}")
        splitter = split if split is not None else _characters
        counts: Counter[str] = Counter()
        for text in texts:
            if not isinstance(text, str):
                raise TypeError(f"every text must be a string, got {type(text).__name__}")
            counts.update(t for t in splitter(text) if t not in SPECIAL_TOKENS)
        vocabulary = sorted((t for t, c in counts.items() if c >= min_count), key=lambda t: (-counts[t], t))
        if max_size is not None:
            vocabulary = vocabulary[:max_size]
        if not vocabulary:
            raise ValueError("the corpus yields no token (is it empty, or is min_count too high?)")
        return cls(vocabulary, split=split)

    @property
    def vocab_size(self) -> int:
        """Number of ids, special tokens included."""
        return len(self.id_to_token)

    def tokenize(self, text: str) -> list[str]:
        """Split a text into tokens (characters by default)."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a string, got {type(text).__name__}")
        return self.split(text)

    def encode(self, text: str) -> list[int]:
        """Token ids of ``text``, without special tokens; unknown tokens become ``[UNK]``.

        Examples
        --------
        >>> Tokenizer(["a", "b"]).encode("abc")
        [5, 6, 1]
        """
        return [self.token_to_id.get(t, self.unk_id) for t in self.tokenize(text)]

    def decode(self, ids: Sequence[int] | torch.Tensor, *, skip_special_tokens: bool = True) -> str:
        """Join the tokens of ``ids`` into a text; by default special tokens are dropped.

        Raises
        ------
        TypeError
            If ``ids`` are not integers.
        ValueError
            If an id is outside ``[0, vocab_size)``.
        """
        if isinstance(ids, torch.Tensor):
            if ids.is_floating_point() or ids.ndim != 1:
                raise TypeError(f"ids must be a 1-D integer tensor, got dtype {ids.dtype}, shape {tuple(ids.shape)}")
            ids = ids.tolist()
        pieces = []
        for i in ids:
            if isinstance(i, bool) or not isinstance(i, int):
                raise TypeError(f"ids must be integers, got {i!r} of type {type(i).__name__}")
            if not 0 <= i < self.vocab_size:
                raise ValueError(f"id {i} is outside the vocabulary [0, {self.vocab_size})")
            if skip_special_tokens and i in self.special_ids:
                continue
            pieces.append(self.id_to_token[i])
        return "".join(pieces)

    def encode_pair(
        self, source: str, target: str | None = None, *, max_length: int | None = None
    ) -> tuple[list[int], list[int]]:
        """Encode ``[CLS] source [SEP] target [SEP]`` with segment ids ``0…0 1…1`` (UniLM / SimBERT).

        With ``target=None`` only ``[CLS] source [SEP]`` (all segment 0) is
        returned: the prefix that generation starts from, or the input of a
        [CLS] encoder. With ``max_length``, the longer of source and target loses
        its last token until the whole sequence fits.

        Raises
        ------
        TypeError
            If ``source`` or ``target`` is not a string.
        ValueError
            If ``max_length`` is too small to keep one token of each part.

        Examples
        --------
        >>> tok = Tokenizer(list("abc"))
        >>> tok.encode_pair("ab", "c")
        ([2, 5, 6, 3, 7, 3], [0, 0, 0, 0, 1, 1])
        """
        src = self.encode(source)
        tgt = self.encode(target) if target is not None else None
        if max_length is not None:
            minimum = 4 if tgt is not None else 2
            if isinstance(max_length, bool) or not isinstance(max_length, int) or max_length < minimum + 1:
                raise ValueError(f"max_length must be an integer >= {minimum + 1}, got {max_length!r}")
            while len(src) + (len(tgt) + 1 if tgt is not None else 0) + 2 > max_length:
                if tgt is not None and len(tgt) > len(src):
                    tgt.pop()
                else:
                    src.pop()
        ids = [self.cls_id, *src, self.sep_id]
        segments = [0] * len(ids)
        if tgt is not None:
            ids += [*tgt, self.sep_id]
            segments += [1] * (len(tgt) + 1)
        return ids, segments

    def encode_dialogue(self, turns: Sequence[str]) -> tuple[list[int], list[int]]:
        """Encode ``[CLS] turn1 [SEP] turn2 [SEP] …`` with segment ids alternating per turn.

        The first turn (with its ``[CLS]`` and ``[SEP]``) has segment 0, the second
        segment 1, the third 0, and so on (:func:`tutorial_lib.masks.dialogue_segment_ids`).

        Raises
        ------
        TypeError
            If ``turns`` is a string or contains a non-string.
        ValueError
            If there are no turns.

        Examples
        --------
        >>> tok = Tokenizer(list("abc"))
        >>> tok.encode_dialogue(["a", "bc"])
        ([2, 5, 3, 6, 7, 3], [0, 0, 0, 1, 1, 1])
        """
        if isinstance(turns, str):
            raise TypeError("turns must be a sequence of strings (one per turn), not a single string")
        turns = list(turns)
        if not turns:
            raise ValueError("a dialogue needs at least one turn")
        ids = [self.cls_id]
        lengths = []
        for turn in turns:
            encoded = [*self.encode(turn), self.sep_id]
            lengths.append(len(encoded) + (1 if not lengths else 0))
            ids += encoded
        return ids, dialogue_segment_ids(lengths).tolist()


def _integers(values: Sequence[int] | torch.Tensor, n: int) -> list[int]:
    """The values as a list of Python ints, or a TypeError naming sequence ``n``."""
    if isinstance(values, torch.Tensor):
        if values.is_floating_point() or values.is_complex():
            raise TypeError(f"sequence {n}: ids and segment_ids must be integers, got dtype {values.dtype}")
        return [int(v) for v in values.tolist()]
    values = list(values)
    if all(type(v) is int for v in values):  # the common case, checked fast
        return values
    out = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, numbers.Integral):
            raise TypeError(f"sequence {n}: ids and segment_ids must be integers, got {v!r}")
        out.append(int(v))
    return out


def pad_batch(
    sequences: Sequence[tuple[Sequence[int], Sequence[int]]],
    *,
    pad_id: int = 0,
    device: torch.device | str | None = None,
) -> Batch:
    """Right-pad ``(ids, segment_ids)`` pairs into a :class:`Batch` of tensors.

    Parameters
    ----------
    sequences : Sequence of tuple
        For example the outputs of :meth:`Tokenizer.encode_pair`; in each pair
        both lists have the same, non-zero length.
    pad_id : int
        The padding id (``[PAD]`` = 0).
    device : torch.device or str, optional
        Where to put the tensors.

    Returns
    -------
    Batch
        ``tokens`` and ``segments`` int64 ``(batch, L)``, ``padding_mask`` bool
        ``(batch, L)`` (True at real tokens), with ``L`` the longest length.

    Raises
    ------
    TypeError
        If an element is not a pair of integer lists.
    ValueError
        If the batch is empty or a pair has mismatched or zero lengths.

    Examples
    --------
    >>> batch = pad_batch([([2, 5, 3], [0, 0, 0]), ([2, 3], [0, 0])])
    >>> batch.tokens
    tensor([[2, 5, 3],
            [2, 3, 0]])
    >>> batch.padding_mask
    tensor([[ True,  True,  True],
            [ True,  True, False]])
    """
    if not sequences:
        raise ValueError("pad_batch needs at least one sequence")
    length = 0
    for n, item in enumerate(sequences):
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            raise TypeError(f"sequence {n} must be a pair (ids, segment_ids), got {type(item).__name__}")
        ids, segments = item
        if not all(isinstance(part, (Sequence, torch.Tensor)) and not isinstance(part, str) for part in item):
            raise TypeError(f"sequence {n} must be a pair of integer lists (ids, segment_ids), got {item!r}")
        if len(ids) != len(segments) or len(ids) == 0:
            raise ValueError(
                f"sequence {n}: ids and segment_ids must have the same non-zero length, "
                f"got {len(ids)} and {len(segments)}"
            )
        length = max(length, len(ids))
    token_rows, segment_rows, lengths = [], [], []
    for n, (ids, segments) in enumerate(sequences):
        ids, segments = _integers(ids, n), _integers(segments, n)
        token_rows.append(ids + [pad_id] * (length - len(ids)))
        segment_rows.append(segments + [0] * (length - len(ids)))
        lengths.append(len(ids))
    tokens = torch.tensor(token_rows, dtype=torch.long, device=device)
    segment_ids = torch.tensor(segment_rows, dtype=torch.long, device=device)
    padding_mask = torch.arange(length, device=device) < torch.tensor(lengths, device=device)[:, None]
    return Batch(tokens, segment_ids, padding_mask)
