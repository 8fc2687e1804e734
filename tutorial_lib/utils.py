"""Device choice, seeding and environment detection shared by every notebook.

Defined in the preface (section "Running the notebooks").
"""

from __future__ import annotations

import os
import random
import sys

import numpy as np
import torch

_SEED_VARIABLE = "TUTORIAL_SEED"
_DEVICE_VARIABLE = "TUTORIAL_DEVICE"


def in_colab() -> bool:
    """Return True when running inside a Google Colab runtime.

    >>> isinstance(in_colab(), bool)
    True
    """
    return "google.colab" in sys.modules


def get_device(preferred: str | None = None) -> torch.device:
    """Choose the device the notebooks compute on.

    Order: the ``preferred`` argument, then the ``TUTORIAL_DEVICE``
    environment variable, then CUDA if available, then the CPU.

    >>> get_device("cpu")
    device(type='cpu')
    """
    name = preferred if preferred is not None else os.environ.get(_DEVICE_VARIABLE)
    if name is None or name == "":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if not isinstance(name, str):
        raise TypeError(f"device must be a string such as 'cpu' or 'cuda', got {type(name).__name__}")
    try:
        device = torch.device(name)
    except RuntimeError as exc:
        raise ValueError(f"unknown device {name!r}; expected e.g. 'cpu', 'cuda' or 'cuda:0'") from exc
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device {name!r} requested but CUDA is not available on this machine")
    return device


def seed_everything(seed: int | None = None) -> int:
    """Seed Python, NumPy and PyTorch (all devices) and return the seed used.

    Order: the ``seed`` argument, then the ``TUTORIAL_SEED`` environment
    variable, then 0. Notebooks call it once in their setup cell, so running
    ``TUTORIAL_SEED=1 make test`` checks every notebook on another seed.

    >>> seed_everything(3)
    3
    """
    if seed is None:
        raw = os.environ.get(_SEED_VARIABLE, "0").strip() or "0"
        try:
            seed = int(raw)
        except ValueError as exc:
            raise ValueError(f"{_SEED_VARIABLE} must be an integer, got {raw!r}") from exc
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    seed = int(seed)
    if not 0 <= seed < 2**32:
        raise ValueError(f"seed must lie in [0, 2**32), got {seed}")
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 -- seed the legacy global RNG that learners may call
    torch.manual_seed(seed)
    return seed
