"""Multilayer-perceptron encoder and decoder for small images (chapter 4, the entropic autoencoder).

``MLPEncoder`` flattens an image and maps it to a code of size ``code_dim``;
``MLPDecoder`` maps a code back to an image with pixels in (0, 1). Both are
small enough to train on the 8×8 scikit-learn digits on a CPU in seconds.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from tutorial_lib.nn.generators import MLPGenerator, _mlp
from tutorial_lib.nn.generators import _check_width as _check_size


def _check_shape(image_shape: object) -> tuple[int, ...]:
    if not isinstance(image_shape, (tuple, list)) or len(image_shape) == 0:
        raise TypeError(f"image_shape must be a non-empty tuple of ints, got {image_shape!r}")
    return tuple(_check_size("image_shape entry", s) for s in image_shape)


class MLPEncoder(nn.Module):
    """Encoder :math:`E`: an image of shape ``image_shape`` → a code of size ``code_dim``.

    Parameters
    ----------
    code_dim : int, optional
        Size of the code (default 8).
    hidden : int, optional
        Width of the two hidden layers (default 256).
    image_shape : tuple of int, optional
        Shape of one input image (default ``(1, 8, 8)``).

    Examples
    --------
    >>> MLPEncoder(code_dim=4)(torch.rand(5, 1, 8, 8)).shape
    torch.Size([5, 4])
    """

    def __init__(self, code_dim: int = 8, hidden: int = 256, image_shape: tuple[int, ...] = (1, 8, 8)):
        super().__init__()
        self.code_dim = _check_size("code_dim", code_dim)
        self.image_shape = _check_shape(image_shape)
        sizes = [math.prod(self.image_shape), _check_size("hidden", hidden), hidden, self.code_dim]
        self.net = nn.Sequential(nn.Flatten(), *_mlp(sizes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not isinstance(x, torch.Tensor):
            raise TypeError(f"x must be a torch.Tensor, got {type(x).__name__}")
        if tuple(x.shape[1:]) != self.image_shape:
            raise ValueError(f"x must have shape (n, {', '.join(map(str, self.image_shape))}), got {tuple(x.shape)}")
        return self.net(x)


class MLPDecoder(MLPGenerator):
    """Decoder :math:`D`: a code of size ``code_dim`` → an image with pixels in (0, 1).

    The generator of chapter 5 (:class:`~tutorial_lib.nn.generators.MLPGenerator`) with two
    hidden layers of the same width, named as chapter 4 names it.

    Parameters
    ----------
    code_dim : int, optional
        Size of the code (default 8).
    hidden : int, optional
        Width of the two hidden layers (default 256).
    image_shape : tuple of int, optional
        Shape of one output image (default ``(1, 8, 8)``).

    Examples
    --------
    >>> MLPDecoder(code_dim=4)(torch.randn(5, 4)).shape
    torch.Size([5, 1, 8, 8])
    """

    def __init__(self, code_dim: int = 8, hidden: int = 256, image_shape: tuple[int, ...] = (1, 8, 8)):
        code_dim, hidden = _check_size("code_dim", code_dim), _check_size("hidden", hidden)
        super().__init__(latent_dim=code_dim, hidden=(hidden, hidden), image_shape=_check_shape(image_shape))
        self.code_dim = code_dim
