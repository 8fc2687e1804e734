"""Shared fixtures for the test suite."""

from __future__ import annotations

import pytest
import torch


@pytest.fixture(autouse=True, scope="session")
def one_thread():
    """One intra-op thread for every test: the tensors are small, and with two pytest workers on two
    cores a second PyTorch thread per worker only contends for the cores (10-40x slower under load)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
