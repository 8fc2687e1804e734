"""Attention masks that turn one Transformer into an encoder, a language model or a seq2seq model.

Defined in chapter 6 ("One Transformer, many tasks"). Every mask here is a
boolean tensor whose entry ``[..., q, k]`` is True when query position ``q``
*may attend* to key position ``k``: the convention of
``torch.nn.functional.scaled_dot_product_attention`` (``nn.MultiheadAttention``'s
``key_padding_mask`` means the opposite). A ``padding_mask`` is a boolean
``(batch, L)`` tensor that is True at real tokens and False at padding.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

__all__ = [
    "bidirectional_mask",
    "causal_mask",
    "dialogue_segment_ids",
    "unilm_mask",
    "with_padding",
]


def _as_integer_tensor(values: object, name: str) -> torch.Tensor:
    """Turn a tensor or (nested) list of integers into an integer tensor, or raise."""
    if isinstance(values, torch.Tensor):
        tensor = values
    else:
        try:
            tensor = torch.as_tensor(values)
        except (ValueError, TypeError, RuntimeError) as exc:
            raise ValueError(
                f"{name} must be a rectangular tensor or list of lists of 0/1 integers "
                f"(every row the same length); could not convert it: {exc}"
            ) from exc
    if tensor.dtype == torch.bool:
        tensor = tensor.long()
    if tensor.is_floating_point() or tensor.is_complex():
        raise TypeError(f"{name} must hold integers (or booleans), got dtype {tensor.dtype}")
    return tensor


def _check_padding_mask(padding_mask: object) -> torch.Tensor:
    if not isinstance(padding_mask, torch.Tensor):
        raise TypeError(f"padding_mask must be a torch.Tensor, got {type(padding_mask).__name__}")
    if padding_mask.dtype != torch.bool:
        raise TypeError(
            f"padding_mask must be a boolean tensor (True = real token), got dtype {padding_mask.dtype}"
        )
    if padding_mask.ndim != 2 or padding_mask.shape[1] == 0 or padding_mask.shape[0] == 0:
        raise ValueError(
            f"padding_mask must have shape (batch, L) with batch, L >= 1, got {tuple(padding_mask.shape)}"
        )
    return padding_mask


def causal_mask(length: int, *, device: torch.device | str | None = None) -> torch.Tensor:
    """The causal (left-to-right language-model) mask: position ``q`` sees keys ``k <= q``.

    Implements :eq:`masks-causal` (chapter 6).

    Parameters
    ----------
    length : int
        Sequence length ``L`` (at least 1).
    device : torch.device or str, optional
        Where to create the mask (default: the CPU).

    Returns
    -------
    torch.Tensor
        Boolean ``(L, L)`` lower-triangular matrix, True = may attend. It broadcasts
        against a batch of sequences of length ``L``.

    Raises
    ------
    TypeError
        If ``length`` is not an integer.
    ValueError
        If ``length < 1``.

    Examples
    --------
    >>> causal_mask(3).int()
    tensor([[1, 0, 0],
            [1, 1, 0],
            [1, 1, 1]], dtype=torch.int32)
    """
    if isinstance(length, bool) or not isinstance(length, int):
        raise TypeError(f"length must be an int, got {type(length).__name__}")
    if length < 1:
        raise ValueError(f"length must be at least 1, got {length}")
    return torch.ones(length, length, dtype=torch.bool, device=device).tril()


def unilm_mask(segment_ids: torch.Tensor | Sequence[int] | Sequence[Sequence[int]]) -> torch.Tensor:
    """The UniLM (prefix / seq2seq) mask built from segment ids by a cumulative sum.

    With ``c = cumsum(segment_ids)`` along the sequence, ``mask[q, k] = c[k] <= c[q]``.
    For ``[CLS] source [SEP] target [SEP]`` with segment ids ``0…0 1…1`` the
    source block (where ``c = 0``) attends only to itself, bidirectionally, and each
    target token attends to the whole source and to the target tokens up to itself.
    All-zero segment ids give the bidirectional mask and all-one segment ids the
    causal mask. For any other 0/1 pattern, a token with segment 0 joins the block
    of the token before it.

    Implements :eq:`masks-unilm` (chapter 6).

    Parameters
    ----------
    segment_ids : torch.Tensor or list
        Integers in {0, 1} (or booleans), shape ``(L,)`` or ``(batch, L)``; a
        list of lists must be rectangular.

    Returns
    -------
    torch.Tensor
        Boolean mask of shape ``(L, L)`` or ``(batch, L, L)``, True = may attend,
        on the device of ``segment_ids``.

    Raises
    ------
    TypeError
        If the segment ids are floating point.
    ValueError
        If they are ragged, empty, not 1- or 2-dimensional, or not all 0 or 1.

    Examples
    --------
    >>> unilm_mask([0, 0, 1, 1]).int()
    tensor([[1, 1, 0, 0],
            [1, 1, 0, 0],
            [1, 1, 1, 0],
            [1, 1, 1, 1]], dtype=torch.int32)
    """
    segments = _as_integer_tensor(segment_ids, "segment_ids")
    if segments.ndim not in (1, 2):
        raise ValueError(
            f"segment_ids must have shape (L,) or (batch, L), got shape {tuple(segments.shape)}"
        )
    if segments.numel() == 0:
        raise ValueError(f"segment_ids must not be empty, got shape {tuple(segments.shape)}")
    if not bool(((segments == 0) | (segments == 1)).all()):
        bad = sorted({int(v) for v in segments.unique().tolist()} - {0, 1})
        raise ValueError(f"segment_ids must be 0 (source) or 1 (target); found the values {bad}")
    cumulative = segments.cumsum(dim=-1)
    return cumulative.unsqueeze(-2) <= cumulative.unsqueeze(-1)


def with_padding(mask: torch.Tensor, padding_mask: torch.Tensor) -> torch.Tensor:
    """Combine an attention mask with padding: no query attends to a padding key.

    A query row that is itself padding keeps its allowed real keys and also
    attends to itself, so no row of the result is all False and
    ``scaled_dot_product_attention`` never returns NaN.

    Implements :eq:`masks-padding` (chapter 6).

    Parameters
    ----------
    mask : torch.Tensor
        Boolean ``(L, L)`` or ``(batch, L, L)`` mask, True = may attend.
    padding_mask : torch.Tensor
        Boolean ``(batch, L)``, True at real tokens, False at padding.

    Returns
    -------
    torch.Tensor
        Boolean ``(batch, L, L)`` mask, True = may attend.

    Raises
    ------
    TypeError
        If either mask is not a boolean tensor.
    ValueError
        If the shapes do not agree, or if a real (non-padding) query would be left
        with no key to attend to.

    Examples
    --------
    >>> padding = torch.tensor([[True, True, False]])
    >>> with_padding(causal_mask(3), padding).int()
    tensor([[[1, 0, 0],
             [1, 1, 0],
             [1, 1, 1]]], dtype=torch.int32)
    """
    if not isinstance(mask, torch.Tensor):
        raise TypeError(f"mask must be a torch.Tensor, got {type(mask).__name__}")
    if mask.dtype != torch.bool:
        raise TypeError(f"mask must be a boolean tensor (True = may attend), got dtype {mask.dtype}")
    padding_mask = _check_padding_mask(padding_mask)
    batch, length = padding_mask.shape
    if mask.ndim == 2:
        mask = mask.unsqueeze(0)
    if mask.ndim != 3 or mask.shape[-2:] != (length, length) or mask.shape[0] not in (1, batch):
        raise ValueError(
            f"mask must have shape ({length}, {length}) or ({batch}, {length}, {length}) to match "
            f"padding_mask of shape {tuple(padding_mask.shape)}, got {tuple(mask.shape)}"
        )
    padding_mask = padding_mask.to(mask.device)
    combined = mask & padding_mask.unsqueeze(-2)
    eye = torch.eye(length, dtype=torch.bool, device=mask.device)
    combined = combined | (eye & ~padding_mask.unsqueeze(-1))
    empty = ~combined.any(dim=-1)
    if bool(empty.any()):
        b, q = (int(i) for i in empty.nonzero()[0])
        raise ValueError(
            f"query {q} of sequence {b} is a real token but the mask lets it attend to no real key; "
            "every real query needs at least one allowed key (e.g. itself)"
        )
    return combined


def bidirectional_mask(padding_mask: torch.Tensor) -> torch.Tensor:
    """The bidirectional (BERT / MLM) mask: every real token sees every real token.

    Implements :eq:`masks-bidirectional` (chapter 6), combined with padding as in
    :func:`with_padding`.

    Parameters
    ----------
    padding_mask : torch.Tensor
        Boolean ``(batch, L)``, True at real tokens, False at padding.

    Returns
    -------
    torch.Tensor
        Boolean ``(batch, L, L)`` mask, True = may attend.

    Raises
    ------
    TypeError
        If ``padding_mask`` is not a boolean tensor.
    ValueError
        If it is not of shape ``(batch, L)`` with ``batch, L >= 1``.

    Examples
    --------
    >>> bidirectional_mask(torch.tensor([[True, True, False]])).int()
    tensor([[[1, 1, 0],
             [1, 1, 0],
             [1, 1, 1]]], dtype=torch.int32)
    """
    padding_mask = _check_padding_mask(padding_mask)
    length = padding_mask.shape[1]
    full = torch.ones(length, length, dtype=torch.bool, device=padding_mask.device)
    return with_padding(full, padding_mask)


def dialogue_segment_ids(
    turn_lengths: Sequence[int] | torch.Tensor, *, device: torch.device | str | None = None
) -> torch.Tensor:
    """Segment ids of a multi-turn dialogue: 0 for the first turn, 1 for the second, 0, 1, …

    DialoGPT-style dialogue models concatenate the turns into one sequence and
    tell the two speakers apart by alternating segment ids; the attention mask is
    the causal one and every turn is in the loss (:eq:`masks-dialogue-loss`, chapter 6).

    Parameters
    ----------
    turn_lengths : Sequence of int or torch.Tensor
        Number of tokens of each turn (each at least 1), in order.
    device : torch.device or str, optional
        Where to create the result (default: the CPU).

    Returns
    -------
    torch.Tensor
        int64 tensor of shape ``(sum(turn_lengths),)``.

    Raises
    ------
    TypeError
        If the lengths are not integers.
    ValueError
        If there are no turns or a length is below 1.

    Examples
    --------
    >>> dialogue_segment_ids([2, 3, 1])
    tensor([0, 0, 1, 1, 1, 0])
    """
    if isinstance(turn_lengths, torch.Tensor):
        if turn_lengths.is_floating_point() or turn_lengths.dtype == torch.bool or turn_lengths.ndim != 1:
            raise TypeError(
                f"turn_lengths must be a 1-D integer tensor, got dtype {turn_lengths.dtype} "
                f"and shape {tuple(turn_lengths.shape)}"
            )
        lengths = [int(v) for v in turn_lengths.tolist()]
    else:
        lengths = list(turn_lengths)
        for value in lengths:
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"turn_lengths must be integers, got {value!r} of type {type(value).__name__}")
    if not lengths:
        raise ValueError("turn_lengths must contain at least one turn, got an empty sequence")
    if min(lengths) < 1:
        raise ValueError(f"every turn must have at least one token, got turn_lengths={lengths}")
    parity = torch.arange(len(lengths), device=device) % 2
    return parity.repeat_interleave(torch.tensor(lengths, device=device))
