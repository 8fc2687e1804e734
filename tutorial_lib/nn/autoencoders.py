"""Multilayer-perceptron encoder and decoder for small images (chapter 4, the entropic autoencoder).

``MLPEncoder`` flattens an image and maps it to a code of size ``code_dim``;
``MLPDecoder`` maps a code back to an image with pixels in (0, 1). Both are
small enough to train on the 8×8 scikit-learn digits on a CPU in seconds.
"""

from __future__ import annotations

import math

import torch
from torch import nn


def _check_size(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be at least 1, got {value}")
    return value


def _check_shape(image_shape: object) -> tuple[int, ...]:
    if not isinstance(image_shape, (tuple, list)) or len(image_shape) == 0:
        raise TypeError(f"image_shape must be a non-empty tuple of ints, got {image_shape!r}")
    return tuple(_check_size("image_shape entry", s) for s in image_shape)


def _mlp(sizes: list[int]) -> list[nn.Module]:
    """Linear layers of the given sizes with SiLU between them (none after the last)."""
    layers: list[nn.Module] = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        layers.append(nn.Linear(n_in, n_out))
        if i < len(sizes) - 2:
            layers.append(nn.SiLU())
    return layers


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


class MLPDecoder(nn.Module):
    """Decoder :math:`D`: a code of size ``code_dim`` → an image with pixels in (0, 1).

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
        super().__init__()
        self.code_dim = _check_size("code_dim", code_dim)
        self.image_shape = _check_shape(image_shape)
        sizes = [self.code_dim, _check_size("hidden", hidden), hidden, math.prod(self.image_shape)]
        self.net = nn.Sequential(*_mlp(sizes), nn.Sigmoid(), nn.Unflatten(1, self.image_shape))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        if not isinstance(z, torch.Tensor):
            raise TypeError(f"z must be a torch.Tensor, got {type(z).__name__}")
        if z.ndim != 2 or z.shape[1] != self.code_dim:
            raise ValueError(f"z must have shape (n, {self.code_dim}), got {tuple(z.shape)}")
        return self.net(z)
