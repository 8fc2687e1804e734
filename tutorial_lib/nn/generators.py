"""Small multilayer perceptrons for chapter 5 (GLO, IMLE and GLANN).

``MLPGenerator`` decodes a latent code into an 8×8 grey image with pixels in
(0, 1); ``MLPMapper`` maps noise to a point of a latent space (the IMLE map
:math:`T` of GLANN). Both are deliberately small so that the chapter's
notebook trains them on a CPU in seconds.
"""

from __future__ import annotations

import math

import torch
from torch import nn


def _check_width(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be at least 1, got {value}")
    return value


def _mlp(sizes: list[int]) -> nn.Sequential:
    """Linear layers of the given sizes with SiLU between them (none after the last)."""
    layers: list[nn.Module] = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        layers.append(nn.Linear(n_in, n_out))
        if i < len(sizes) - 2:
            layers.append(nn.SiLU())
    return nn.Sequential(*layers)


def _check_input(x: object, dim: int, what: str) -> torch.Tensor:
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{what} must be a torch.Tensor, got {type(x).__name__}")
    if x.ndim != 2 or x.shape[1] != dim:
        raise ValueError(f"{what} must have shape (n, {dim}), got {tuple(x.shape)}")
    return x


class MLPGenerator(nn.Module):
    """Decoder :math:`G`: a latent code of size ``latent_dim`` → an image in (0, 1).

    A multilayer perceptron with SiLU activations and a sigmoid on the output,
    reshaped to ``image_shape`` (default one channel of 8×8 pixels, the
    scikit-learn digits of :func:`tutorial_lib.data.digits`).

    Parameters
    ----------
    latent_dim : int
        Size of the code :math:`z`.
    hidden : tuple of int
        Widths of the hidden layers.
    image_shape : tuple of int
        Shape of one output image, ``(channels, height, width)``.

    Examples
    --------
    >>> g = MLPGenerator(latent_dim=4)
    >>> x = g(torch.zeros(3, 4))
    >>> tuple(x.shape), bool(((x > 0) & (x < 1)).all())
    ((3, 1, 8, 8), True)
    """

    def __init__(
        self,
        latent_dim: int = 16,
        hidden: tuple[int, ...] = (128, 256),
        image_shape: tuple[int, ...] = (1, 8, 8),
    ) -> None:
        super().__init__()
        self.latent_dim = _check_width("latent_dim", latent_dim)
        widths = [_check_width("hidden width", h) for h in hidden]
        self.image_shape = tuple(_check_width("image_shape entry", s) for s in image_shape)
        self.net = _mlp([self.latent_dim, *widths, math.prod(self.image_shape)])

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """Decode codes ``z`` of shape ``(n, latent_dim)`` into images of shape ``(n, *image_shape)``."""
        z = _check_input(z, self.latent_dim, "codes z")
        return torch.sigmoid(self.net(z)).reshape(z.shape[0], *self.image_shape)


class MLPMapper(nn.Module):
    """Map :math:`T`: noise of size ``noise_dim`` → a point of a space of size ``out_dim``.

    The network IMLE trains (chapter 5): in 2-D it maps Gaussian noise onto
    the data plane; in GLANN it maps noise onto the GLO latent space. No
    output activation, so any point can be reached.

    Parameters
    ----------
    noise_dim : int
        Size of the input noise :math:`e`.
    out_dim : int
        Size of the output.
    hidden : tuple of int
        Widths of the hidden layers.

    Examples
    --------
    >>> t = MLPMapper(noise_dim=3, out_dim=2)
    >>> tuple(t(torch.zeros(5, 3)).shape)
    (5, 2)
    """

    def __init__(self, noise_dim: int = 16, out_dim: int = 16, hidden: tuple[int, ...] = (128, 128)) -> None:
        super().__init__()
        self.noise_dim = _check_width("noise_dim", noise_dim)
        self.out_dim = _check_width("out_dim", out_dim)
        widths = [_check_width("hidden width", h) for h in hidden]
        self.net = _mlp([self.noise_dim, *widths, self.out_dim])

    def forward(self, e: torch.Tensor) -> torch.Tensor:
        """Map noise ``e`` of shape (n, noise_dim) to (n, out_dim)."""
        return self.net(_check_input(e, self.noise_dim, "noise e"))
