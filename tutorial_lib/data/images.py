"""The 8×8 handwritten digits bundled with scikit-learn: an offline image data set.

``sklearn.datasets.load_digits`` reads 1797 greyscale images (pixel counts
0..16) from files inside the scikit-learn package, so nothing is downloaded.
Used by the image experiments of chapters 1, 4 and 5 and by
:func:`tutorial_lib.metrics.digit_frechet_distance`.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

__all__ = ["digits", "digits_split", "N_DIGITS"]

N_DIGITS = 1797
"""Number of images in the data set."""


@functools.lru_cache(maxsize=1)
def _load() -> tuple[torch.Tensor, torch.Tensor]:
    bunch = load_digits()
    images = torch.from_numpy(bunch.images.astype(np.float32) / 16.0).unsqueeze(1)
    labels = torch.from_numpy(bunch.target.astype(np.int64))
    return images, labels


def digits() -> tuple[torch.Tensor, torch.Tensor]:
    """All 1797 digit images, scaled to [0, 1], with their labels.

    Returns
    -------
    images : torch.Tensor
        Shape (1797, 1, 8, 8), float32.
        Pixel intensities ``raw / 16`` in [0, 1] (0 is background), one channel.
    labels : torch.Tensor
        Shape (1797,), int64.
        The digit shown, 0..9.

    Each call returns fresh copies, so modifying them is safe.

    Examples
    --------
    >>> images, labels = digits()
    >>> images.shape, images.dtype, labels[:5].tolist()
    (torch.Size([1797, 1, 8, 8]), torch.float32, [0, 1, 2, 3, 4])
    """
    images, labels = _load()
    return images.clone(), labels.clone()


def digits_split(
    test_fraction: float = 0.2, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """A stratified train/test split of :func:`digits`, deterministic given ``seed``.

    Parameters
    ----------
    test_fraction : float
        Fraction of the images held out, in (0, 1); each class keeps its proportion.
    seed : int
        Seed of the split (``random_state`` of ``sklearn.model_selection.train_test_split``);
        independent of the global random state.

    Returns
    -------
    train_images : torch.Tensor
        Shape (n_train, 1, 8, 8), float32 in [0, 1].
    train_labels : torch.Tensor
        Shape (n_train,), int64.
    test_images : torch.Tensor
        Shape (n_test, 1, 8, 8), float32 in [0, 1].
    test_labels : torch.Tensor
        Shape (n_test,), int64.

    Raises
    ------
    TypeError
        If test_fraction is not a number or seed not an int.
    ValueError
        If test_fraction is not strictly between 0 and 1, leaves fewer than one image per
        class on either side, or seed is negative.

    Examples
    --------
    >>> train_x, train_y, test_x, test_y = digits_split()
    >>> len(train_x), len(test_x)
    (1437, 360)
    """
    if isinstance(test_fraction, bool) or not isinstance(test_fraction, (int, float, np.number)):
        raise TypeError(f"test_fraction must be a number in (0, 1), got {type(test_fraction).__name__}")
    if not 0 < float(test_fraction) < 1:
        raise ValueError(f"test_fraction must lie strictly between 0 and 1, got {test_fraction}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    if not 0 <= seed < 2**32:
        raise ValueError(f"seed must lie in [0, 2**32), got {seed}")
    images, labels = _load()
    n_test = math.ceil(float(test_fraction) * len(labels))
    if not 10 <= n_test <= len(labels) - 10:
        raise ValueError(
            f"test_fraction={test_fraction} gives {n_test} test images; a stratified split needs "
            f"at least 10 (one per class) on each side"
        )
    train_index, test_index = train_test_split(
        np.arange(len(labels)), test_size=n_test, random_state=int(seed), stratify=labels.numpy()
    )
    train_index = torch.from_numpy(np.sort(train_index))
    test_index = torch.from_numpy(np.sort(test_index))
    return images[train_index], labels[train_index], images[test_index], labels[test_index]
