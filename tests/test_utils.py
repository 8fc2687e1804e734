"""tutorial_lib.utils: seeding, device choice, Colab detection."""

import random
import sys

import numpy as np
import pytest
import torch

from tutorial_lib.utils import get_device, in_colab, seed_everything


def _draws():
    return random.random(), float(np.random.rand()), float(torch.rand(()))  # noqa: NPY002


def test_seed_everything_makes_all_three_generators_repeat():
    seed_everything(7)
    first = _draws()
    seed_everything(7)
    assert _draws() == first
    seed_everything(8)
    assert _draws() != first


def test_seed_comes_from_environment(monkeypatch):
    monkeypatch.setenv("TUTORIAL_SEED", "5")
    assert seed_everything() == 5
    monkeypatch.delenv("TUTORIAL_SEED")
    assert seed_everything() == 0
    monkeypatch.setenv("TUTORIAL_SEED", "3")
    assert seed_everything(11) == 11, "an explicit argument wins over the environment"


@pytest.mark.parametrize("bad", ["abc", "1.5"])
def test_bad_seed_in_environment(monkeypatch, bad):
    monkeypatch.setenv("TUTORIAL_SEED", bad)
    with pytest.raises(ValueError, match="TUTORIAL_SEED must be an integer"):
        seed_everything()


@pytest.mark.parametrize("bad, error", [(-1, ValueError), (2**32, ValueError), (1.0, TypeError), (True, TypeError)])
def test_bad_seed_argument(bad, error):
    with pytest.raises(error):
        seed_everything(bad)


def test_get_device(monkeypatch):
    monkeypatch.delenv("TUTORIAL_DEVICE", raising=False)
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert get_device().type == expected
    monkeypatch.setenv("TUTORIAL_DEVICE", "cpu")
    assert get_device() == torch.device("cpu")
    assert get_device("cpu") == torch.device("cpu")


def test_get_device_bad_input(monkeypatch):
    with pytest.raises(ValueError, match="unknown device"):
        get_device("tpu-of-dreams")
    with pytest.raises(TypeError):
        get_device(3)
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="CUDA is not available"):
            get_device("cuda")


def test_in_colab(monkeypatch):
    assert in_colab() is False
    monkeypatch.setitem(sys.modules, "google.colab", object())
    assert in_colab() is True
