"""Agreement of tutorial_lib.knn with other implementations of the same estimators (not their speed).

The speed comparison is benchmarks/knn_peers.py. Here each peer is called with the conventions that make
it the same estimator, and the estimates must coincide up to floating-point rounding:

- `entropy_estimators.continuous.get_h(x, k, norm='euclidean')` finds the same k-th neighbour distances
  but sums log(2 * distance) with the unit-ball volume, so it returns the Kozachenko–Leonenko estimate
  plus d log 2 (a diameter where the formula has a radius).
- scikit-learn's `_compute_mi_cc(x, y, k)` is KSG algorithm 1 with strict counts, as the library;
  `mutual_info_regression` calls it after rescaling each column to unit standard deviation and adding
  noise of relative size 1e-10, so it agrees on standardised continuous data.
- `entropy_estimators.continuous.get_mi(x, y, k)` counts marginal neighbours at distance <= eps rather
  than < eps: it is checked, with the library, against a brute-force KSG in each convention.

Tolerances are rounding only: the estimates are sums of n terms of size |log eps| or psi(n) (below 10)
computed in different orders, so they differ by about n * 1e-16 * 10 <= 1e-11 for n <= 3000; the
tests allow 1e-9, far below the smallest genuine difference (one neighbour count off by one changes an
estimate by at least 1 / (n * n_x) >= 1e-7 here; one wrong distance by more).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.feature_selection import mutual_info_regression
from sklearn.feature_selection._mutual_info import _compute_mi_cc

from tutorial_lib import knn

ROUNDING = 1e-9


@pytest.fixture(scope="module")
def continuous():
    return pytest.importorskip("entropy_estimators.continuous")


def ksg_brute_force(x: np.ndarray, y: np.ndarray, k: int, strict: bool) -> float:
    """KSG from full max-norm distance matrices; marginal counts at distance < eps (strict) or <= eps."""
    from scipy.special import digamma

    n = x.shape[0]
    dx = np.abs(x[:, None, :] - x[None, :, :]).max(-1)
    dy = np.abs(y[:, None, :] - y[None, :, :]).max(-1)
    joint = np.maximum(dx, dy)
    np.fill_diagonal(joint, np.inf)
    eps = np.sort(joint, axis=1)[:, k - 1][:, None]
    inside = np.less if strict else np.less_equal
    n_x = inside(dx, eps).sum(1) - 1
    n_y = inside(dy, eps).sum(1) - 1
    return float(digamma(k) + digamma(n) - np.mean(digamma(n_x + 1) + digamma(n_y + 1)))


# ---- Kozachenko–Leonenko entropy against entropy_estimators ---------------------------------------------


@pytest.mark.parametrize("d", [1, 2, 5, 12])  # 12: the library's larger tree leaves (d >= 10)
@pytest.mark.parametrize("k", [1, 3, 7])
def test_entropy_equals_get_h_minus_d_log_2(continuous, d, k):
    x = np.random.default_rng(10 * d + k).standard_normal((1500, d)) * np.linspace(0.5, 2.0, d)
    theirs = continuous.get_h(x, k=k, norm="euclidean") - d * math.log(2)
    assert knn.entropy(x, k=k) == pytest.approx(theirs, rel=0, abs=ROUNDING)


def test_get_h_offset_is_d_log_2_not_a_different_neighbour(continuous):
    # The offset is exactly d log 2 in every dimension: a neighbour off by one would change the difference.
    rng = np.random.default_rng(0)
    offsets = [
        continuous.get_h(x, k=3, norm="euclidean") - knn.entropy(x, k=3)
        for x in (rng.uniform(size=(800, d)) for d in (1, 3, 8))
    ]
    assert offsets == pytest.approx([math.log(2), 3 * math.log(2), 8 * math.log(2)], rel=0, abs=ROUNDING)


# ---- KSG mutual information against scikit-learn ------------------------------------------------------------


def tied_pairs(kind: str, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Correlated pairs whose x marginal has many exact ties or rounding-prone values; y stays continuous."""
    base = rng.standard_normal(n)
    y = 0.8 * base + 0.6 * rng.standard_normal(n)
    if kind == "decimal grid":
        x = np.round(base, 1)  # about 60 distinct values: eps often equals a marginal distance exactly
    elif kind == "integers":
        x = np.round(3 * base)
    elif kind == "offset":
        # x_i +- eps is rounded (differences are exact): about half the bisection bounds need their correction.
        x = 1e3 + base
    else:
        x = base
    return x, y


@pytest.mark.parametrize("kind", ["continuous", "decimal grid", "integers", "offset"])
@pytest.mark.parametrize("k", [1, 3, 10])
def test_mutual_information_equals_compute_mi_cc(kind, k):
    x, y = tied_pairs(kind, 3000, np.random.default_rng(k))
    ours = knn.mutual_information(x, y, k=k)
    assert ours > 0.1  # _compute_mi_cc clips at 0; these pairs have I = 0.51 nats
    assert ours == pytest.approx(_compute_mi_cc(x, y, k), rel=0, abs=ROUNDING)


def test_mutual_information_equals_mutual_info_regression_per_feature():
    # mutual_info_regression estimates I(X_j; y) for each column j; on standardised continuous data its
    # scaling is the identity and its 1e-10 noise moves no neighbour across a boundary (at n = 2000 the
    # gaps between distances are about 1e-4, a million times larger).
    rng = np.random.default_rng(3)
    n = 2000
    y = rng.standard_normal(n)
    features = np.column_stack([y + s * rng.standard_normal(n) for s in (0.3, 1.0, 3.0)])
    features /= features.std(axis=0)
    y /= y.std()
    theirs = mutual_info_regression(features, y, n_neighbors=3, random_state=0)
    ours = [knn.mutual_information(features[:, j], y, k=3) for j in range(3)]
    assert ours == pytest.approx(list(theirs), rel=0, abs=ROUNDING)


# ---- KSG in several dimensions, and entropy_estimators' non-strict counts ---------------------------------


@pytest.mark.parametrize(("d_x", "d_y"), [(1, 1), (2, 3), (8, 8)])  # (8, 8): joint d = 16, larger leaves
def test_mutual_information_equals_brute_force_strict_ksg(d_x, d_y):
    rng = np.random.default_rng(d_x + d_y)
    x = rng.standard_normal((400, d_x))
    y = 0.7 * x[:, :1] + rng.standard_normal((400, d_y))
    expected = ksg_brute_force(x, y, 3, strict=True)
    assert knn.mutual_information(x, y, k=3) == pytest.approx(expected, rel=0, abs=ROUNDING)


@pytest.mark.parametrize(("d_x", "d_y"), [(1, 1), (2, 3)])
def test_get_mi_is_ksg_with_non_strict_counts(continuous, d_x, d_y):
    rng = np.random.default_rng(7 + d_x)
    x = rng.standard_normal((400, d_x))
    y = 0.7 * x[:, :1] + rng.standard_normal((400, d_y))
    theirs = continuous.get_mi(x, y, k=3)
    assert theirs == pytest.approx(ksg_brute_force(x, y, 3, strict=False), rel=0, abs=ROUNDING)
    # Counting the neighbour that sets eps makes n_x, n_y larger, so get_mi is below the library's KSG.
    assert theirs < knn.mutual_information(x, y, k=3) - 1e-3
