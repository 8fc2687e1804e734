"""Tests of tutorial_lib.eae and tutorial_lib.nn.autoencoders: code normalisation, loss, training, sampling."""

from __future__ import annotations

import math

import pytest
import torch

from tutorial_lib import eae
from tutorial_lib.knn import entropy_torch
from tutorial_lib.nn.autoencoders import MLPDecoder, MLPEncoder


def images(n: int, seed: int = 0, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    return torch.rand(n, 1, 8, 8, generator=torch.Generator().manual_seed(seed), dtype=dtype)


@pytest.fixture
def model() -> eae.EntropicAutoencoder:
    torch.manual_seed(0)
    return eae.EntropicAutoencoder(code_dim=4, hidden=32)


def test_batch_norm_has_no_parameters(model):
    assert list(model.norm.parameters()) == []
    assert not model.norm.affine


def test_codes_standardised_per_dimension_in_train_mode(model):
    # BatchNorm1d(affine=False) in train mode: z = (h - mean) / sqrt(var + 1e-5) with the batch's biased
    # variance, so each dimension has mean 0 and variance var / (var + 1e-5), whatever the encoder does.
    model.train()
    x = images(128)
    z = model.encode(x)
    h = model.encoder(x)
    var = h.var(dim=0, unbiased=False)
    torch.testing.assert_close(z, (h - h.mean(0)) / torch.sqrt(var + 1e-5), rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(z.mean(0), torch.zeros(4), rtol=0, atol=1e-5)
    torch.testing.assert_close(z.var(0, unbiased=False), var / (var + 1e-5), rtol=1e-4, atol=1e-5)
    # Scaling and shifting the encoder's output cannot change the code (exactly so when the 1e-5 that
    # guards the division is made negligible): there is no gamma, beta to undo the normalisation.
    model.norm.eps = 1e-12
    z = model.encode(x)
    with torch.no_grad():
        model.encoder.net[-1].weight.mul_(7.0)
        model.encoder.net[-1].bias.add_(3.0)
    torch.testing.assert_close(model.encode(x), z, rtol=1e-4, atol=1e-4)


def test_forward_shapes_and_range(model):
    x_rec, z = model(images(10))
    assert x_rec.shape == (10, 1, 8, 8) and z.shape == (10, 4)
    assert x_rec.min() >= 0 and x_rec.max() <= 1


def test_reconstruction_error_is_per_image_sum():
    x, y = images(3, 0), images(3, 1)
    expected = sum(((x[i] - y[i]) ** 2).sum() for i in range(3)) / 3
    torch.testing.assert_close(eae.reconstruction_error(x, y), expected)


def test_eae_loss_parts(model):
    x = images(64)
    x_rec, z = model(x)
    loss = eae.eae_loss(x, x_rec, z, lam=0.7, k=2)
    torch.testing.assert_close(loss.entropy, entropy_torch(z, k=2))
    torch.testing.assert_close(loss.reconstruction, eae.reconstruction_error(x, x_rec))
    torch.testing.assert_close(loss.total, loss.reconstruction - 0.7 * loss.entropy)
    assert eae.eae_loss(x, x_rec, z, lam=0).total.item() == pytest.approx(loss.reconstruction.item())


def test_eae_loss_gradients_finite(model):
    x = images(64)
    eae.eae_loss(x, *model(x), lam=1.0).total.backward()
    for p in model.parameters():
        assert torch.isfinite(p.grad).all()


def test_fit_decreases_loss(model):
    # On a fixed batch, 60 Adam steps lower the loss from its value at initialisation (about 7 for the
    # reconstruction of random images by sigmoid(0) = 0.5) by far more than its batch-to-batch noise.
    x = images(256, seed=1)
    fixed = x[:128]
    before = eae.eae_loss(fixed, *model(fixed), lam=0.5).total.item()
    g = torch.Generator().manual_seed(0)
    history = eae.fit(model, x, lam=0.5, n_steps=60, batch_size=128, lr=3e-3, generator=g)
    after = eae.eae_loss(fixed, *model(fixed), lam=0.5).total.item()
    assert set(history) == {"loss", "reconstruction", "entropy"} and len(history["loss"]) == 60
    assert after < before - 0.5
    assert all(math.isfinite(v) for v in history["loss"])


def test_entropy_term_raises_code_entropy():
    # Same initialisation and batches, lam = 0 versus lam = 2: the entropy term must raise the batch
    # estimate of the code entropy. (No upper bound is asserted: maximising the estimate on a batch spreads
    # the codes more evenly than independent draws, and the estimate then exceeds the true maximum
    # (4/2) log(2 pi e) = 5.68 nats; see chapter 4.)
    x = images(256, seed=2)
    final = {}
    for lam in (0.0, 2.0):
        torch.manual_seed(0)
        m = eae.EntropicAutoencoder(code_dim=4, hidden=32)
        g = torch.Generator().manual_seed(0)
        history = eae.fit(m, x, lam=lam, n_steps=80, batch_size=128, lr=3e-3, generator=g)
        final[lam] = sum(history["entropy"][-10:]) / 10
    assert final[2.0] > final[0.0]


def test_sample_shape_range_mode_and_determinism(model):
    model.train()
    s1 = model.sample(7, generator=torch.Generator().manual_seed(3))
    s2 = model.sample(7, generator=torch.Generator().manual_seed(3))
    assert s1.shape == (7, 1, 8, 8) and s1.min() >= 0 and s1.max() <= 1
    assert torch.equal(s1, s2)
    assert model.training  # the mode is restored
    assert not s1.requires_grad


def test_sample_follows_model_dtype():
    m = eae.EntropicAutoencoder(code_dim=3, hidden=16).double()
    assert m.sample(2).dtype == torch.float64
    x_rec, z = m(images(8, dtype=torch.float64))
    assert z.dtype == torch.float64


@pytest.mark.parametrize("n, error", [(0, ValueError), (2.5, TypeError), (True, TypeError)])
def test_sample_bad_input(model, n, error):
    with pytest.raises(error, match="n must"):
        model.sample(n)


def test_bad_inputs(model):
    x = images(16)
    x_rec, z = model(x)
    with pytest.raises(ValueError, match="lam must be non-negative"):
        eae.eae_loss(x, x_rec, z, lam=-1.0)
    with pytest.raises(ValueError, match="lam must be non-negative"):
        eae.eae_loss(x, x_rec, z, lam=float("nan"))
    with pytest.raises(TypeError, match="lam must be a number"):
        eae.eae_loss(x, x_rec, z, lam="1")
    with pytest.raises(ValueError, match=r"z must be a tensor of shape \(16, d\)"):
        eae.eae_loss(x, x_rec, z[:8], lam=1.0)
    with pytest.raises(ValueError, match="same shape"):
        eae.reconstruction_error(x, x_rec[:8])
    with pytest.raises(TypeError, match="tensors"):
        eae.reconstruction_error(x.numpy(), x_rec)
    with pytest.raises(ValueError, match=r"shape \(n, 1, 8, 8\)"):
        model(torch.rand(4, 64))
    with pytest.raises(ValueError, match=r"shape \(n, 4\)"):
        model.decode(torch.rand(4, 5))
    with pytest.raises(ValueError, match="at least batch_size=32"):
        eae.fit(model, x, lam=1.0, n_steps=1, batch_size=32)
    with pytest.raises(ValueError, match="n_steps must be a positive int"):
        eae.fit(model, x, lam=1.0, n_steps=0, batch_size=8)
    with pytest.raises(TypeError, match="EntropicAutoencoder"):
        eae.fit(MLPEncoder(), x, lam=1.0, n_steps=1, batch_size=8)
    with pytest.raises(TypeError, match="images must be a torch.Tensor"):
        eae.fit(model, x.numpy(), lam=1.0, n_steps=1, batch_size=8)


@pytest.mark.parametrize("cls", [MLPEncoder, MLPDecoder])
def test_network_bad_sizes(cls):
    with pytest.raises(ValueError, match="code_dim must be at least 1"):
        cls(code_dim=0)
    with pytest.raises(TypeError, match="hidden must be an int"):
        cls(hidden=2.0)
    with pytest.raises(TypeError, match="image_shape"):
        cls(image_shape=8)
