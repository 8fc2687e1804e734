"""Tests of tutorial_lib.plotting: smoke tests plus the properties a figure relies on."""

from __future__ import annotations

import math
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402

from tutorial_lib import plotting  # noqa: E402
from tutorial_lib.data import eight_gaussians_mixture  # noqa: E402


@pytest.fixture
def ax():
    fig, axes = plt.subplots()
    yield axes
    plt.close(fig)


def test_colors_are_the_okabe_ito_palette() -> None:
    okabe_ito = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"}
    assert set(plotting.COLORS) == okabe_ito and len(plotting.COLORS) == 8
    assert all(re.fullmatch(r"#[0-9A-F]{6}", color) for color in plotting.COLORS)
    assert all(len(to_rgb(color)) == 3 for color in plotting.COLORS)


# --------------------------------------------------------------------------- density


def test_density_grid_evaluates_the_function_at_the_grid_points() -> None:
    mixture = eight_gaussians_mixture()
    xs, ys, values = plotting.density_grid(mixture.log_prob, extent=(-3, 3, -2, 2), resolution=7, dtype=torch.float64)
    assert xs.shape == ys.shape == values.shape == (7, 7)
    # Rows follow y, columns follow x (the layout contour/imshow expect).
    np.testing.assert_allclose(xs[0], np.linspace(-3, 3, 7))
    np.testing.assert_allclose(ys[:, 0], np.linspace(-2, 2, 7))
    points = torch.from_numpy(np.stack([xs.ravel(), ys.ravel()], axis=1))
    np.testing.assert_allclose(values.ravel(), mixture.log_prob(points).numpy(), rtol=1e-12)


def test_density_grid_calls_without_gradients_and_with_requested_dtype() -> None:
    seen = {}

    def log_prob(x: torch.Tensor) -> torch.Tensor:
        seen["dtype"], seen["grad"] = x.dtype, torch.is_grad_enabled()
        return -(x**2).sum(dim=1)

    plotting.density_grid(log_prob, resolution=4)
    assert seen == {"dtype": torch.float32, "grad": False}


def test_density_contours_sets_limits_labels_and_creates_no_figure(ax) -> None:
    figures = plt.get_fignums()
    contours = plotting.density_contours(ax, eight_gaussians_mixture().log_prob, extent=(-3, 3, -3, 3), resolution=60)
    assert plt.get_fignums() == figures
    assert isinstance(contours, matplotlib.contour.QuadContourSet)
    assert ax.get_xlabel() == "$x_1$" and ax.get_ylabel() == "$x_2$"
    assert tuple(map(float, ax.get_xlim())) == (-3.0, 3.0) and tuple(map(float, ax.get_ylim())) == (-3.0, 3.0)
    # The density is rescaled to a maximum of 1 on the grid.
    assert contours.zmax == pytest.approx(1.0) and contours.zmin >= 0.0


def test_density_contours_unnormalised_log_density_and_line_contours(ax) -> None:
    # An energy shifted by a huge constant must plot the same (no overflow, same levels).
    base = plotting.density_contours(ax, lambda x: -(x**2).sum(dim=1), resolution=40)
    shifted = plotting.density_contours(ax, lambda x: 1e4 - (x**2).sum(dim=1), resolution=40, filled=False)
    np.testing.assert_allclose(base.levels, shifted.levels)
    log_scale = plotting.density_contours(ax, lambda x: -(x**2).sum(dim=1), resolution=40, log_scale=True)
    assert log_scale.zmin == pytest.approx(-20.0) and log_scale.zmax == pytest.approx(0.0)


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"log_prob_fn": "not callable"}, TypeError),
        ({"extent": (1, 0, 0, 1)}, ValueError),
        ({"extent": (0, 1, 0)}, TypeError),
        ({"extent": (0, 1, 0, float("nan"))}, ValueError),
        ({"resolution": 1}, ValueError),
        ({"resolution": 10.0}, TypeError),
        ({"log_prob_fn": lambda x: x}, ValueError),  # returns (N, 2), not (N,)
        ({"log_prob_fn": lambda x: torch.full((len(x),), float("nan"))}, ValueError),
        ({"log_prob_fn": lambda x: torch.full((len(x),), -float("inf"))}, ValueError),
    ],
)
def test_density_contours_rejects_bad_inputs(ax, kwargs, error) -> None:
    arguments = {"log_prob_fn": lambda x: -(x**2).sum(dim=1), "resolution": 10} | kwargs
    with pytest.raises(error):
        plotting.density_contours(ax, **arguments)


def test_density_contours_rejects_a_non_axes() -> None:
    with pytest.raises(TypeError, match="Axes"):
        plotting.density_contours(None, lambda x: -(x**2).sum(dim=1))


# --------------------------------------------------------------------------- scatter


def test_scatter_samples_plots_exactly_the_points(ax) -> None:
    x = torch.randn(25, 2, generator=torch.Generator().manual_seed(0), requires_grad=True)
    collection = plotting.scatter_samples(ax, x, label="samples", extent=(-4, 4, -4, 4))
    np.testing.assert_allclose(collection.get_offsets(), x.detach().numpy())
    assert collection.get_label() == "samples"
    assert ax.get_xlabel() == "$x_1$" and tuple(map(float, ax.get_xlim())) == (-4.0, 4.0)
    assert plotting.scatter_samples(ax, np.zeros((3, 2))).get_offsets().shape == (3, 2)


@pytest.mark.parametrize(
    "x, kwargs, error",
    [
        (torch.zeros(5, 3), {}, ValueError),
        (torch.zeros(5), {}, ValueError),
        ([[0.0, 0.0]], {}, TypeError),
        (torch.zeros(5, 2), {"size": 0}, ValueError),
        (torch.zeros(5, 2), {"alpha": 1.5}, ValueError),
        (torch.zeros(5, 2), {"extent": (0, 0, 0, 1)}, ValueError),
    ],
)
def test_scatter_samples_rejects_bad_inputs(ax, x, kwargs, error) -> None:
    with pytest.raises(error):
        plotting.scatter_samples(ax, x, **kwargs)


# --------------------------------------------------------------------------- images


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(1, 40),
    nrow=st.integers(1, 12),
    padding=st.integers(0, 3),
    height=st.integers(1, 9),
    width=st.integers(1, 9),
)
def test_tile_images_shape_and_placement(n: int, nrow: int, padding: int, height: int, width: int) -> None:
    images = np.arange(n * height * width, dtype=np.float64).reshape(n, 1, height, width)
    tiled = plotting.tile_images(images, nrow=nrow, padding=padding)
    cols = min(n, nrow)
    rows = math.ceil(n / cols)
    assert tiled.shape == (rows * (height + padding) + padding, cols * (width + padding) + padding)
    for index in (0, n - 1):
        row, col = divmod(index, cols)
        top, left = padding + row * (height + padding), padding + col * (width + padding)
        np.testing.assert_array_equal(tiled[top : top + height, left : left + width], images[index, 0])
    # Every pixel of every image appears once; everything else is NaN background.
    assert np.count_nonzero(~np.isnan(tiled)) == n * height * width


def test_image_grid_returns_figure_and_axes_for_tensors_and_arrays() -> None:
    images = torch.rand(10, 1, 8, 8, generator=torch.Generator().manual_seed(0), requires_grad=True)
    fig, ax = plotting.image_grid(images, nrow=5, title="digits")
    try:
        assert isinstance(fig, matplotlib.figure.Figure) and ax.figure is fig
        shown = ax.images[0].get_array()
        assert shown.shape == (19, 46) and ax.get_title() == "digits"
        np.testing.assert_allclose(shown[1:9, 1:9], images[0, 0].detach().numpy(), rtol=1e-6)
        assert ax.images[0].get_cmap().name.startswith("gray_r")
    finally:
        plt.close(fig)
    fig, ax = plotting.image_grid(np.zeros((3, 8, 8)))
    plt.close(fig)


def test_image_grid_draws_on_a_given_axes_without_new_figures(ax) -> None:
    figures = plt.get_fignums()
    fig, returned = plotting.image_grid(torch.zeros(4, 1, 8, 8), ax=ax)
    assert returned is ax and fig is ax.figure and plt.get_fignums() == figures


@pytest.mark.parametrize(
    "images, kwargs, error",
    [
        (torch.zeros(4, 3, 8, 8), {}, ValueError),  # colour images
        (torch.zeros(8, 8), {}, ValueError),  # no batch dimension
        (torch.zeros(0, 1, 8, 8), {}, ValueError),
        ([[0.0]], {}, TypeError),
        (torch.zeros(4, 1, 8, 8, dtype=torch.complex64), {}, TypeError),
        (torch.zeros(4, 1, 8, 8), {"nrow": 0}, ValueError),
        (torch.zeros(4, 1, 8, 8), {"nrow": 2.0}, TypeError),
        (torch.zeros(4, 1, 8, 8), {"padding": -1}, ValueError),
        (torch.zeros(4, 1, 8, 8), {"vmin": 1.0, "vmax": 0.0}, ValueError),
        (torch.zeros(4, 1, 8, 8), {"ax": "axes"}, TypeError),
    ],
)
def test_image_grid_rejects_bad_inputs(images, kwargs, error) -> None:
    figures = plt.get_fignums()
    with pytest.raises(error):
        plotting.image_grid(images, **kwargs)
    assert plt.get_fignums() == figures  # nothing half-drawn left open


def test_plot_density_and_samples(ax) -> None:
    samples = eight_gaussians_mixture().sample(100, generator=torch.Generator().manual_seed(0))
    returned = plotting.plot_density_and_samples(
        ax, eight_gaussians_mixture().log_prob, samples, extent=(-3, 3, -3, 3), title="eight modes"
    )
    assert returned is ax and ax.get_title() == "eight modes"
    assert len(ax.collections) >= 2  # contours and the scatter
    np.testing.assert_allclose(ax.collections[-1].get_offsets(), samples.numpy())
    with pytest.raises(ValueError):
        plotting.plot_density_and_samples(ax, eight_gaussians_mixture().log_prob, torch.zeros(3, 3))


def test_density_grid_and_tile_images_reject_bad_inputs() -> None:
    with pytest.raises(TypeError, match="callable"):
        plotting.density_grid(None)
    with pytest.raises(ValueError, match="NaN"):
        plotting.density_grid(lambda x: torch.full((len(x),), float("nan")), resolution=3)
    with pytest.raises(TypeError, match="torch.Tensor or numpy array"):
        plotting.density_grid(lambda x: ["a"] * len(x), resolution=3)
    with pytest.raises(TypeError, match="real numbers"):
        plotting.density_grid(lambda x: np.array(["a"] * len(x)), resolution=3)
    with pytest.raises(ValueError, match="greyscale"):
        plotting.tile_images(np.zeros((2, 3, 4, 4)))
    with pytest.raises(TypeError, match="int"):
        plotting.tile_images(np.zeros((2, 4, 4)), padding=1.0)
