"""Checkers for the exercises of chapter 7 (contrastive retrieval)."""

from __future__ import annotations

from collections.abc import Callable

import torch

from tutorial_lib.contrastive import mean_reciprocal_rank, simbert_loss
from tutorial_lib.exercises._core import check_function

__all__ = ["check_mean_reciprocal_rank", "check_simbert_loss"]


def _simbert_cases(seed: int) -> list[dict[str, object]]:
    """Collapsed, perfect-pair and random batches, float32 and float64, several scales."""
    generator = torch.Generator().manual_seed(seed)
    cases: list[dict[str, object]] = [
        {"cls_vectors": torch.ones(6, 3, dtype=torch.float64), "scale": 30.0},  # collapsed: log 5
        {"cls_vectors": torch.eye(3, dtype=torch.float64).repeat_interleave(2, dim=0), "scale": 30.0},
        {"cls_vectors": torch.randn(2, 4, generator=generator, dtype=torch.float64), "scale": 30.0},  # one pair
    ]
    for rows, dim, scale in ((4, 5, 30.0), (8, 3, 20.0), (10, 16, 1.0), (16, 8, 30.0)):
        cases.append({"cls_vectors": torch.randn(rows, dim, generator=generator) * 3.0, "scale": scale})
    return cases


def check_simbert_loss(learner_fn: Callable[..., torch.Tensor], seed: int = 0) -> int:
    """Check a learner's SimBERT similarity loss against :func:`tutorial_lib.contrastive.simbert_loss`.

    The learner's function receives ``cls_vectors`` (``(2n, d)``, partners
    interleaved: row ``i`` with row ``i XOR 1``) and ``scale``, and returns the
    scalar loss. Cases: collapsed vectors (the answer is ``log(2n - 1)``), perfect
    pairs, a single pair, and random batches at scales 30, 20 and 1.

    Parameters
    ----------
    learner_fn : callable
        ``learner_fn(cls_vectors, scale) -> scalar tensor``.
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
    >>> check_simbert_loss(simbert_loss)
    simbert_loss: all 7 cases match the reference.
    7
    """
    return check_function(learner_fn, simbert_loss, _simbert_cases(seed), name="simbert_loss", rtol=1e-4, atol=1e-5)


def check_mean_reciprocal_rank(learner_fn: Callable[..., float], seed: int = 0) -> int:
    """Check a learner's MRR against :func:`tutorial_lib.contrastive.mean_reciprocal_rank`.

    The learner's function receives ``scores`` (``(q, c)``), ``query_labels`` and
    ``corpus_labels`` (lists of group ids) and returns a float. Ties count
    against the query (a non-relevant item with an equal score ranks first).

    Examples
    --------
    >>> check_mean_reciprocal_rank(mean_reciprocal_rank)
    mean_reciprocal_rank: all 5 cases match the reference.
    5
    """
    generator = torch.Generator().manual_seed(seed)
    cases = [
        {
            "scores": torch.tensor([[0.9, 0.8, 0.1], [0.2, 0.3, 0.7]]),
            "query_labels": [0, 1],
            "corpus_labels": [1, 0, 1],
        },
        {"scores": torch.zeros(2, 3), "query_labels": [0, 1], "corpus_labels": [1, 0, 1]},  # ties
    ]
    for q, c in ((3, 5), (6, 10), (10, 4)):
        corpus_labels = torch.randint(0, 3, (c,), generator=generator)
        corpus_labels[:3] = torch.arange(3)
        cases.append(
            {
                "scores": torch.randint(0, 4, (q, c), generator=generator).double(),
                "query_labels": torch.randint(0, 3, (q,), generator=generator).tolist(),
                "corpus_labels": corpus_labels.tolist(),
            }
        )
    return check_function(learner_fn, mean_reciprocal_rank, cases, name="mean_reciprocal_rank")
