"""The entropic autoencoder (EAE): batch norm without affine parameters plus maximum code entropy.

Defined in chapter 4, section "The entropic autoencoder". An autoencoder whose
code passes through ``BatchNorm1d(affine=False)`` has, on every batch, codes
with zero mean and unit variance in each dimension; among all such
distributions the standard normal has the largest entropy. Training with the
loss :eq:`knn-eae-loss`, reconstruction error minus :math:`\\lambda` times the
Kozachenko–Leonenko entropy of the batch of codes, pushes the codes towards
:math:`\\mathcal N(0, I)`, so decoding :math:`z \\sim \\mathcal N(0, I)` generates
new images (Su 2020; Ghose, Rashwan & Poupart 2020).
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn

from tutorial_lib.knn import entropy_torch
from tutorial_lib.nn.autoencoders import MLPDecoder, MLPEncoder


class EntropicAutoencoder(nn.Module):
    """Encoder, batch norm without affine parameters on the code, decoder.

    ``encode(x)`` returns :math:`\\mathrm{BN}(E(x))`; in training mode each code
    dimension of a batch has mean 0 and (biased) variance
    :math:`s^2/(s^2 + 10^{-5})\\approx 1`, with no learnable :math:`\\gamma,\\beta`
    that could undo it. ``sample(n)`` decodes draws from :math:`\\mathcal N(0, I)`.

    Parameters
    ----------
    code_dim : int, optional
        Dimension :math:`d` of the code (default 8).
    hidden : int, optional
        Width of the hidden layers of the encoder and decoder (default 256).
    image_shape : tuple of int, optional
        Shape of one image (default ``(1, 8, 8)``, the scikit-learn digits).

    Examples
    --------
    >>> model = EntropicAutoencoder(code_dim=4)
    >>> x_rec, z = model(torch.rand(16, 1, 8, 8))
    >>> x_rec.shape, z.shape
    (torch.Size([16, 1, 8, 8]), torch.Size([16, 4]))
    >>> model.sample(3, generator=torch.Generator().manual_seed(0)).shape
    torch.Size([3, 1, 8, 8])
    """

    def __init__(self, code_dim: int = 8, hidden: int = 256, image_shape: tuple[int, ...] = (1, 8, 8)):
        super().__init__()
        self.encoder = MLPEncoder(code_dim, hidden, image_shape)
        self.norm = nn.BatchNorm1d(code_dim, affine=False)
        self.decoder = MLPDecoder(code_dim, hidden, image_shape)
        self.code_dim = code_dim

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """The normalised code :math:`z = \\mathrm{BN}(E(x))`, shape ``(n, code_dim)``."""
        return self.norm(self.encoder(x))

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """The image :math:`D(z)`, pixels in (0, 1), shape ``(n, *image_shape)``."""
        return self.decoder(z)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Return ``(reconstruction, code)`` for a batch of images ``x``."""
        z = self.encode(x)
        return self.decode(z), z

    @torch.no_grad()
    def sample(self, n: int, *, generator: torch.Generator | None = None) -> torch.Tensor:
        """Decode ``n`` codes drawn from :math:`\\mathcal N(0, I)` (in eval mode; the mode is restored).

        The noise is drawn on the generator's device (CPU by default) and moved
        to the model's device and dtype, so a CPU generator works for a CUDA model.
        """
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError(f"n must be an int, got {type(n).__name__}")
        if n < 1:
            raise ValueError(f"n must be at least 1, got {n}")
        parameter = next(self.parameters())
        noise_device = generator.device if generator is not None else parameter.device
        z = torch.randn(n, self.code_dim, generator=generator, device=noise_device, dtype=parameter.dtype)
        was_training = self.training
        self.eval()
        try:
            return self.decode(z.to(parameter.device))
        finally:
            self.train(was_training)


class EAELoss(NamedTuple):
    """The parts of the EAE loss: ``total = reconstruction - lam * entropy``."""

    total: torch.Tensor
    reconstruction: torch.Tensor
    entropy: torch.Tensor


def reconstruction_error(x: torch.Tensor, x_rec: torch.Tensor) -> torch.Tensor:
    """Squared error summed over the pixels of each image, averaged over the batch.

    Parameters
    ----------
    x, x_rec : torch.Tensor
        Images and their reconstructions, the same shape ``(n, ...)``.

    Returns
    -------
    torch.Tensor
        A scalar: :math:`\\frac1n\\sum_i \\|x_i - \\hat x_i\\|^2`.

    Examples
    --------
    >>> reconstruction_error(torch.zeros(2, 1, 8, 8), torch.full((2, 1, 8, 8), 0.5)).item()
    16.0
    """
    if not isinstance(x, torch.Tensor) or not isinstance(x_rec, torch.Tensor):
        raise TypeError(f"x and x_rec must be tensors, got {type(x).__name__} and {type(x_rec).__name__}")
    if x.shape != x_rec.shape or x.ndim < 2 or x.shape[0] == 0:
        raise ValueError(f"x and x_rec must have the same shape (n, ...) with n >= 1, got {x.shape}, {x_rec.shape}")
    return (x - x_rec).pow(2).flatten(1).sum(dim=1).mean()


def eae_loss(x: torch.Tensor, x_rec: torch.Tensor, z: torch.Tensor, lam: float, k: int = 1) -> EAELoss:
    """The entropic-autoencoder loss on a batch.

    :math:`\\frac1n\\sum_i\\|x_i - D(\\mathrm{BN}(E(x_i)))\\|^2 - \\lambda\\hat H(Z)`, the
    reconstruction error summed over pixels and averaged over the batch, minus
    :math:`\\lambda` times the differentiable Kozachenko–Leonenko estimate
    (:func:`tutorial_lib.knn.entropy_torch`, in nats) of the batch of codes.
    Implements :eq:`knn-eae-loss` (chapter 4).

    Parameters
    ----------
    x, x_rec : torch.Tensor
        Images and reconstructions, the same shape ``(n, ...)``.
    z : torch.Tensor
        Shape (n, d). Their normalised codes (from :meth:`EntropicAutoencoder.forward`).
    lam : float
        Weight :math:`\\lambda \\ge 0` of the entropy; 0 gives a plain autoencoder.
    k : int, optional
        Neighbour used by the entropy estimate (default 1).

    Returns
    -------
    EAELoss
        ``(total, reconstruction, entropy)``; minimise ``total``.

    Examples
    --------
    >>> model = EntropicAutoencoder(code_dim=2)
    >>> x = torch.rand(32, 1, 8, 8)
    >>> loss = eae_loss(x, *model(x), lam=0.5)
    >>> loss.total.backward()
    >>> bool(torch.isclose(loss.total, loss.reconstruction - 0.5 * loss.entropy))
    True
    """
    if isinstance(lam, bool) or not isinstance(lam, (int, float)):
        raise TypeError(f"lam must be a number, got {type(lam).__name__}")
    if not lam >= 0:
        raise ValueError(f"lam must be non-negative, got {lam}")
    if not isinstance(z, torch.Tensor) or z.ndim != 2 or z.shape[0] != x.shape[0]:
        shape = tuple(z.shape) if isinstance(z, torch.Tensor) else type(z).__name__
        raise ValueError(f"z must be a tensor of shape ({x.shape[0]}, d), got {shape}")
    reconstruction = reconstruction_error(x, x_rec)
    entropy = entropy_torch(z, k)
    return EAELoss(reconstruction - lam * entropy, reconstruction, entropy)


def fit(
    model: EntropicAutoencoder,
    images: torch.Tensor,
    *,
    lam: float,
    n_steps: int,
    batch_size: int = 256,
    lr: float = 1e-3,
    k: int = 1,
    generator: torch.Generator | None = None,
) -> dict[str, list[float]]:
    """Train ``model`` with Adam on :func:`eae_loss` for ``n_steps`` mini-batches.

    Each batch is drawn without replacement (repeated images would give
    repeated codes and a zero neighbour distance). Runs on the model's
    device; ``images`` are moved there.

    Parameters
    ----------
    model : EntropicAutoencoder
    images : torch.Tensor
        Shape ``(N, *image_shape)``. Training images, pixels in [0, 1]; needs ``N >= batch_size``.
    lam : float
        Entropy weight :math:`\\lambda` (0 trains a plain autoencoder with the same code normalisation).
    n_steps : int
        Number of Adam steps, one mini-batch each.
    batch_size : int, optional
        Images per batch (default 256).
    lr : float, optional
        Adam's learning rate (default 1e-3).
    k : int, optional
        Neighbour used by the entropy estimate (default 1).
    generator : torch.Generator, optional
        CPU generator for the batch indices.

    Returns
    -------
    dict
        Per-step lists ``"loss"``, ``"reconstruction"`` and ``"entropy"`` (the batch
        estimate :math:`\\hat H(Z)` in nats).

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> model = EntropicAutoencoder(code_dim=2, hidden=32)
    >>> history = fit(model, torch.rand(64, 1, 8, 8), lam=1.0, n_steps=3, batch_size=32)
    >>> len(history["loss"])
    3
    """
    if not isinstance(model, EntropicAutoencoder):
        raise TypeError(f"model must be an EntropicAutoencoder, got {type(model).__name__}")
    if not isinstance(images, torch.Tensor):
        raise TypeError(f"images must be a torch.Tensor, got {type(images).__name__}")
    for name, value in (("n_steps", n_steps), ("batch_size", batch_size)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
    if images.shape[0] < batch_size:
        raise ValueError(f"need at least batch_size={batch_size} images, got {images.shape[0]}")
    parameter = next(model.parameters())
    images = images.to(parameter.device, parameter.dtype)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history: dict[str, list[float]] = {"loss": [], "reconstruction": [], "entropy": []}
    model.train()
    for _ in range(n_steps):
        index = torch.randperm(images.shape[0], generator=generator)[:batch_size].to(parameter.device)
        x = images[index]
        loss = eae_loss(x, *model(x), lam=lam, k=k)
        optimizer.zero_grad()
        loss.total.backward()
        optimizer.step()
        for key, value in zip(history, loss, strict=True):
            history[key].append(value.item())
    return history
