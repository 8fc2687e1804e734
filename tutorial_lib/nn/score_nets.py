"""Noise-conditional score networks for chapter 3 (score matching).

Both networks compute ``score(x, sigma) = net(x, log sigma) / sigma``: the
network sees the noise level through ``log sigma`` and its output is divided
by ``sigma``, so at every level it only has to predict a unit-size quantity
(the noise direction :math:`-\\varepsilon`), as in NCSNv2's "technique 3"
(Song & Ermon 2020, where the unconditional output is divided by sigma).
``sigma`` may be a number, a 0-d tensor, or a tensor of shape ``(n,)`` or
``(n, 1)`` with one level per row, which is what
:func:`tutorial_lib.score.annealed_dsm_loss` passes.
"""

from __future__ import annotations

import math

import torch
from torch import nn


def _sigma_column(sigma: object, x: torch.Tensor) -> torch.Tensor:
    """Turn ``sigma`` into a positive ``(n, 1)`` tensor on ``x``'s device and dtype."""
    if isinstance(sigma, bool) or not isinstance(sigma, (int, float, torch.Tensor)):
        raise TypeError(f"sigma must be a number or a tensor, got {type(sigma).__name__}")
    s = torch.as_tensor(sigma, dtype=x.dtype, device=x.device)
    n = x.shape[0]
    if s.numel() == 1:
        s = s.reshape(1, 1).expand(n, 1)
    elif s.numel() == n and (s.ndim == 1 or (s.ndim == 2 and s.shape[1] == 1)):
        s = s.reshape(n, 1)
    else:
        raise ValueError(f"sigma must be a number or have shape ({n},) or ({n}, 1), got {tuple(s.shape)}")
    if not torch.isfinite(s).all() or (s <= 0).any():
        raise ValueError("sigma must be positive and finite")
    return s


class NoiseConditionalMLP(nn.Module):
    """A score network for points in ``R^d``: an MLP on ``(x / scale, log sigma)``, output over sigma.

    Parameters
    ----------
    dim : int
        Dimension of the data.
    hidden : int
        Width of the hidden layers.
    n_layers : int
        Number of hidden layers (at least 1).
    input_scale : float
        Inputs are divided by ``sqrt(input_scale**2 + sigma**2)``, the standard
        deviation of noisy data whose clean coordinates have size ``input_scale``,
        so the network sees inputs of order one at every level.

    Examples
    --------
    >>> net = NoiseConditionalMLP(dim=2, hidden=16)
    >>> net(torch.zeros(5, 2), torch.full((5,), 0.5)).shape
    torch.Size([5, 2])
    """

    def __init__(self, dim: int = 2, hidden: int = 128, n_layers: int = 3, input_scale: float = 1.0) -> None:
        super().__init__()
        for name, value in (("dim", dim), ("hidden", hidden), ("n_layers", n_layers)):
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"{name} must be an int, got {type(value).__name__}")
            if value < 1:
                raise ValueError(f"{name} must be at least 1, got {value}")
        if not math.isfinite(input_scale) or input_scale <= 0:
            raise ValueError(f"input_scale must be positive, got {input_scale}")
        self.dim = dim
        self.input_scale = float(input_scale)
        layers: list[nn.Module] = [nn.Linear(dim + 1, hidden), nn.SiLU()]
        for _ in range(n_layers - 1):
            layers += [nn.Linear(hidden, hidden), nn.SiLU()]
        layers.append(nn.Linear(hidden, dim))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor, sigma: torch.Tensor | float) -> torch.Tensor:
        """Score estimate at ``x`` (shape ``(n, dim)``) for noise level(s) ``sigma``."""
        if not isinstance(x, torch.Tensor) or x.ndim != 2 or x.shape[1] != self.dim:
            shape = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
            raise ValueError(f"x must be a tensor of shape (n, {self.dim}), got {shape}")
        s = _sigma_column(sigma, x)
        scaled = x / torch.sqrt(self.input_scale**2 + s**2)
        return self.net(torch.cat([scaled, s.log()], dim=1)) / s


class NoiseConditionalConvNet(nn.Module):
    """A small U-shaped convolutional score network for ``(n, channels, 8, 8)`` images.

    A 3×3 convolution at full resolution, a stride-2 convolution to half
    resolution, a dense layer across the whole half-resolution map (so every
    pixel sees every other: an 8×8 digit needs global context), a transposed
    convolution back to full resolution joined with the first feature map (a
    skip connection), and two 3×3 convolutions to the output. The noise level
    enters as a learned per-channel shift computed from ``log sigma`` at each
    stage; inputs are divided by ``sqrt(input_scale**2 + sigma**2)`` and the
    output by ``sigma``. About 0.5 M multiply-adds per 8×8 image at the defaults.

    Parameters
    ----------
    channels : int
        Image channels.
    width : int
        Feature channels at full resolution (twice as many at half resolution).
    hidden : int
        Width of the dense layer in the middle.
    image_size : int
        Side of the (square) images, even.
    input_scale : float
        Typical size of a clean pixel (about 0.5 for digits in [0, 1]).

    Examples
    --------
    >>> net = NoiseConditionalConvNet(width=4, hidden=8)
    >>> net(torch.zeros(3, 1, 8, 8), 0.1).shape
    torch.Size([3, 1, 8, 8])
    """

    def __init__(
        self, channels: int = 1, width: int = 16, hidden: int = 256, image_size: int = 8, input_scale: float = 0.5
    ) -> None:
        super().__init__()
        for name, value in (("channels", channels), ("width", width), ("hidden", hidden), ("image_size", image_size)):
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"{name} must be an int, got {type(value).__name__}")
            if value < 1:
                raise ValueError(f"{name} must be at least 1, got {value}")
        if image_size % 2:
            raise ValueError(f"image_size must be even, got {image_size}")
        if not math.isfinite(input_scale) or input_scale <= 0:
            raise ValueError(f"input_scale must be positive, got {input_scale}")
        self.channels, self.image_size, self.input_scale = channels, image_size, float(input_scale)
        half = (image_size // 2) ** 2 * 2 * width
        self.stem = nn.Conv2d(channels, width, 3, padding=1)
        self.down = nn.Conv2d(width, 2 * width, 3, stride=2, padding=1)
        self.dense_in = nn.Linear(half + 1, hidden)
        self.dense_out = nn.Linear(hidden, half)
        self.up = nn.ConvTranspose2d(2 * width, width, 2, stride=2)
        self.fuse = nn.Conv2d(2 * width, width, 3, padding=1)
        self.out = nn.Conv2d(width, channels, 3, padding=1)
        self.shift_stem = nn.Linear(1, width)
        self.shift_down = nn.Linear(1, 2 * width)
        self.shift_fuse = nn.Linear(1, width)
        self.act = nn.SiLU()

    def forward(self, x: torch.Tensor, sigma: torch.Tensor | float) -> torch.Tensor:
        """Score estimate at images ``x`` (shape ``(n, channels, size, size)``) for noise level(s) ``sigma``."""
        expected = (self.channels, self.image_size, self.image_size)
        if not isinstance(x, torch.Tensor) or x.ndim != 4 or tuple(x.shape[1:]) != expected:
            shape = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
            raise ValueError(f"x must be a tensor of shape (n, {', '.join(map(str, expected))}), got {shape}")
        s = _sigma_column(sigma, x)
        log_sigma = s.log()
        h = x / torch.sqrt(self.input_scale**2 + s**2)[:, :, None, None]
        full = self.act(self.stem(h) + self.shift_stem(log_sigma)[:, :, None, None])
        half = self.act(self.down(full) + self.shift_down(log_sigma)[:, :, None, None])
        mixed = self.act(self.dense_in(torch.cat([half.flatten(1), log_sigma], dim=1)))
        half = self.act(half + self.dense_out(mixed).reshape(half.shape))
        joined = torch.cat([self.act(self.up(half)), full], dim=1)
        h = self.act(self.fuse(joined) + self.shift_fuse(log_sigma)[:, :, None, None])
        return self.out(h) / s[:, :, None, None]
