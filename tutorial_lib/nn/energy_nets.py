"""Small energy networks for chapter 1: an MLP for 2-D points, a conv net for 8x8 images.

Both map a batch to one scalar energy per sample, shape ``(n,)``, use smooth
activations (the sampler follows :math:`\\nabla_x E`, so a ReLU's piecewise
constant gradient would make Langevin dynamics jerky) and can wrap every
weight in spectral normalisation (Miyato et al., 2018), which bounds the
network's Lipschitz constant and so the size of :math:`\\nabla_x E` the sampler sees.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm as _spectral_norm

__all__ = ["ConvEnergy", "MLPEnergy"]

_ACTIVATIONS = {"silu": nn.SiLU, "softplus": nn.Softplus, "tanh": nn.Tanh, "gelu": nn.GELU}


def _activation(name: str) -> nn.Module:
    if not isinstance(name, str) or name not in _ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(_ACTIVATIONS)}, got {name!r}")
    return _ACTIVATIONS[name]()


def _check_int(value: int, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return value


def _maybe_sn(layer: nn.Module, use: bool) -> nn.Module:
    return _spectral_norm(layer) if use else layer


class MLPEnergy(nn.Module):
    """Energy :math:`E_\\theta : \\mathbb R^d \\to \\mathbb R` as a multilayer perceptron.

    ``dim -> hidden -> ... -> hidden -> 1`` with ``n_hidden_layers`` hidden
    layers and a smooth activation between them.

    Parameters
    ----------
    dim : int
        Input dimension ``d`` (2 for the toy data sets).
    hidden : int
        Width of each hidden layer.
    n_hidden_layers : int
        Number of hidden layers, >= 1.
    activation : str
        ``"silu"`` (default), ``"softplus"``, ``"tanh"`` or ``"gelu"``.
    spectral_norm : bool
        Wrap every linear layer in spectral normalisation.

    Examples
    --------
    >>> torch.manual_seed(0) is not None
    True
    >>> MLPEnergy(dim=2, hidden=16)(torch.randn(5, 2)).shape
    torch.Size([5])
    """

    def __init__(
        self,
        dim: int = 2,
        hidden: int = 128,
        n_hidden_layers: int = 3,
        activation: str = "silu",
        spectral_norm: bool = False,
    ) -> None:
        super().__init__()
        self.dim = _check_int(dim, "dim")
        _check_int(hidden, "hidden")
        _check_int(n_hidden_layers, "n_hidden_layers")
        layers: list[nn.Module] = []
        width_in = dim
        for _ in range(n_hidden_layers):
            layers += [_maybe_sn(nn.Linear(width_in, hidden), spectral_norm), _activation(activation)]
            width_in = hidden
        layers.append(_maybe_sn(nn.Linear(width_in, 1), spectral_norm))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Energies of a batch ``x`` of shape ``(n, dim)``; returns ``(n,)``."""
        if not isinstance(x, torch.Tensor):
            raise TypeError(f"x must be a torch.Tensor, got {type(x).__name__}")
        if x.dim() != 2 or x.shape[1] != self.dim:
            raise ValueError(f"x must have shape (n, {self.dim}), got {tuple(x.shape)}")
        return self.net(x).squeeze(1)


class ConvEnergy(nn.Module):
    """Energy of small images (default ``1 x 8 x 8``, scikit-learn's digits) as a conv net.

    Three 3x3 convolutions (the last two with stride 2: 8x8 -> 4x4 -> 2x2), each
    followed by a smooth activation, then a linear layer to one number.

    Parameters
    ----------
    in_channels : int
        Image channels.
    channels : int
        Channels of the first convolution; the next two have ``2*channels`` and ``4*channels``.
    image_size : int
        Height and width of the (square) input, divisible by 4.
    activation : str
        ``"silu"`` (default), ``"softplus"``, ``"tanh"`` or ``"gelu"``.
    spectral_norm : bool
        Wrap every convolution and the final linear layer in spectral normalisation.

    Examples
    --------
    >>> ConvEnergy(channels=8)(torch.rand(3, 1, 8, 8)).shape
    torch.Size([3])
    """

    def __init__(
        self,
        in_channels: int = 1,
        channels: int = 32,
        image_size: int = 8,
        activation: str = "silu",
        spectral_norm: bool = False,
    ) -> None:
        super().__init__()
        self.in_channels = _check_int(in_channels, "in_channels")
        _check_int(channels, "channels")
        self.image_size = _check_int(image_size, "image_size", minimum=4)
        if image_size % 4:
            raise ValueError(f"image_size must be divisible by 4, got {image_size}")
        c = channels
        self.features = nn.Sequential(
            _maybe_sn(nn.Conv2d(in_channels, c, 3, padding=1), spectral_norm),
            _activation(activation),
            _maybe_sn(nn.Conv2d(c, 2 * c, 3, stride=2, padding=1), spectral_norm),
            _activation(activation),
            _maybe_sn(nn.Conv2d(2 * c, 4 * c, 3, stride=2, padding=1), spectral_norm),
            _activation(activation),
        )
        self.head = _maybe_sn(nn.Linear(4 * c * (image_size // 4) ** 2, 1), spectral_norm)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Energies of images ``x`` of shape ``(n, in_channels, image_size, image_size)``; returns ``(n,)``."""
        if not isinstance(x, torch.Tensor):
            raise TypeError(f"x must be a torch.Tensor, got {type(x).__name__}")
        expected = (self.in_channels, self.image_size, self.image_size)
        if x.dim() != 4 or tuple(x.shape[1:]) != expected:
            raise ValueError(f"x must have shape (n, {', '.join(map(str, expected))}), got {tuple(x.shape)}")
        return self.head(self.features(x).flatten(1)).squeeze(1)
