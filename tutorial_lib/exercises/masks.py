"""Checkers for the exercises of chapter 6 (attention masks and rotary positions)."""

from __future__ import annotations

from collections.abc import Callable

import torch

from tutorial_lib.exercises._core import check_function
from tutorial_lib.masks import unilm_mask
from tutorial_lib.rope import apply_rope

__all__ = ["check_apply_rope", "check_unilm_mask"]


def _segment_cases(seed: int) -> list[dict[str, torch.Tensor]]:
    """Edge cases first (all source, all target, one token), then random source/target splits."""
    generator = torch.Generator().manual_seed(seed)
    cases = [
        torch.zeros(1, 5, dtype=torch.long),
        torch.ones(1, 5, dtype=torch.long),
        torch.zeros(1, 1, dtype=torch.long),
        torch.tensor([[0, 0, 0, 1, 1, 1, 0, 0]]),  # padding with segment 0 after the target
    ]
    for _ in range(6):
        batch = int(torch.randint(1, 4, (1,), generator=generator))
        length = int(torch.randint(2, 10, (1,), generator=generator))
        sources = torch.randint(1, length + 1, (batch, 1), generator=generator)
        cases.append((torch.arange(length) >= sources).long())
    cases.append(torch.randint(0, 2, (3, 7), generator=generator))
    return [{"segment_ids": segments} for segments in cases]


def check_unilm_mask(learner_fn: Callable[[torch.Tensor], torch.Tensor], seed: int = 0) -> int:
    """Check a learner's UniLM mask against :func:`tutorial_lib.masks.unilm_mask`.

    The learner's function receives ``segment_ids`` (int64, ``(batch, L)``) and must
    return a boolean ``(batch, L, L)`` tensor, True = may attend. Cases: all
    source (the bidirectional mask), all target (the causal mask), one token, a
    padded sequence and random splits.

    Parameters
    ----------
    learner_fn : Callable
        ``learner_fn(segment_ids) -> mask``.
    seed : int
        Seed of the random cases.

    Returns
    -------
    int
        Number of cases checked (prints a success line).

    Raises
    ------
    AssertionError
        With the failing input, the expected and the received value.

    Examples
    --------
    >>> check_unilm_mask(unilm_mask)
    unilm_mask: all 11 cases match the reference.
    11
    """

    def boolean_only(segment_ids: torch.Tensor) -> torch.Tensor:
        mask = learner_fn(segment_ids=segment_ids.clone())
        if not isinstance(mask, torch.Tensor) or mask.dtype != torch.bool:
            got = mask.dtype if isinstance(mask, torch.Tensor) else type(mask).__name__
            raise AssertionError(
                f"unilm_mask: return a boolean tensor (True = may attend), got {got}; "
                f"input segment_ids={segment_ids.tolist()}"
            )
        return mask

    return check_function(boolean_only, unilm_mask, _segment_cases(seed), name="unilm_mask", atol=0.0, rtol=0.0)


def check_apply_rope(learner_fn: Callable[..., torch.Tensor], seed: int = 0) -> int:
    """Check a learner's interleaved RoPE against :func:`tutorial_lib.rope.apply_rope`.

    The learner's function receives ``x`` (float64, ``(..., L, d)``, ``d`` even) and
    ``positions`` (int64, ``(L,)``) and returns the rotated ``x``; ``base`` is 10000.

    Parameters
    ----------
    learner_fn : Callable
        ``learner_fn(x, positions) -> rotated x``.
    seed : int
        Seed of the random cases.

    Returns
    -------
    int
        Number of cases checked (prints a success line).

    Raises
    ------
    AssertionError
        With the failing input, the expected and the received value.

    Examples
    --------
    >>> check_apply_rope(apply_rope)
    apply_rope: all 6 cases match the reference.
    6
    """
    generator = torch.Generator().manual_seed(seed)
    cases = [{"x": torch.tensor([[1.0, 0.0]], dtype=torch.float64), "positions": torch.tensor([1])}]
    for shape in ((4, 2), (3, 8), (2, 5, 6), (2, 3, 4, 16)):
        x = torch.randn(*shape, generator=generator, dtype=torch.float64)
        positions = torch.randint(0, 50, (shape[-2],), generator=generator)
        cases.append({"x": x, "positions": positions})
    cases.append({"x": torch.randn(6, 4, generator=generator, dtype=torch.float64), "positions": torch.zeros(6).long()})
    return check_function(
        lambda x, positions: learner_fn(x=x.clone(), positions=positions.clone()),
        lambda x, positions: apply_rope(x, positions),
        cases,
        name="apply_rope",
        rtol=1e-7,
        atol=1e-9,
    )
