"""Shared plotting helpers, so notebook cells stay short and figures look alike.

Colours come from the Okabe–Ito palette, which stays distinguishable under the
common forms of colour blindness. Every helper draws on an ``Axes`` (creating a
figure only when asked to) and never calls ``plt.show()``: the notebook does.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.contour import QuadContourSet
from matplotlib.figure import Figure

__all__ = [
    "COLORS",
    "density_grid",
    "density_contours",
    "scatter_samples",
    "tile_images",
    "image_grid",
    "plot_density_and_samples",
]

COLORS: list[str] = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000"]
"""The Okabe–Ito palette, in order blue, orange, bluish green, vermilion, sky blue, reddish purple, yellow, black."""


def _check_axes(ax: object) -> Axes:
    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes (e.g. from plt.subplots()), got {type(ax).__name__}")
    return ax


def _check_extent(extent: object) -> tuple[float, float, float, float]:
    if not isinstance(extent, Sequence) or len(extent) != 4:
        raise TypeError(f"extent must be a sequence (x_min, x_max, y_min, y_max), got {extent!r}")
    try:
        values = tuple(float(value) for value in extent)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"extent must contain four numbers, got {extent!r}") from exc
    x_min, x_max, y_min, y_max = values
    if not all(math.isfinite(value) for value in values) or not (x_min < x_max and y_min < y_max):
        raise ValueError(f"extent must be finite with x_min < x_max and y_min < y_max, got {extent!r}")
    return values


def _to_numpy(name: str, x: object) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().numpy()
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{name} must be a torch.Tensor or numpy array, got {type(x).__name__}")
    if not np.issubdtype(x.dtype, np.number) or np.issubdtype(x.dtype, np.complexfloating):
        raise TypeError(f"{name} must hold real numbers, got dtype {x.dtype}")
    return x


def density_grid(
    log_prob_fn: Callable[[torch.Tensor], torch.Tensor],
    extent: Sequence[float] = (-4, 4, -4, 4),
    resolution: int = 200,
    *,
    device: torch.device | str | None = None,
    dtype: torch.dtype = torch.float32,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Evaluate a 2-D log-density on a regular grid.

    Parameters
    ----------
    log_prob_fn : Callable
        Maps a tensor of points (N, 2) to log-densities (N,) (an unnormalised
        log-density, e.g. a negative energy, is fine). Called once, without gradients.
    extent : Sequence[float]
        The plotted rectangle (x_min, x_max, y_min, y_max).
    resolution : int
        Grid points per axis, >= 2.
    device, dtype
        Device and dtype of the points passed to ``log_prob_fn`` (default CPU float32).

    Returns
    -------
    xs : numpy.ndarray
        Shape (resolution, resolution).
    ys : numpy.ndarray
        Shape (resolution, resolution).
    log_density : numpy.ndarray
        Shape (resolution, resolution).
        ``log_density[i, j]`` is the value at ``(xs[i, j], ys[i, j])`` (rows follow y).

    Raises
    ------
    TypeError
        If log_prob_fn is not callable, extent is not four numbers or resolution not an int.
    ValueError
        If extent is empty, resolution < 2, or log_prob_fn returns the wrong shape or NaN.

    Examples
    --------
    >>> xs, ys, values = density_grid(lambda x: -0.5 * (x**2).sum(dim=1), resolution=3)
    >>> values[1] + 0.0  # the middle row, y = 0
    array([-8.,  0., -8.])
    """
    if not callable(log_prob_fn):
        raise TypeError(f"log_prob_fn must be callable, got {type(log_prob_fn).__name__}")
    x_min, x_max, y_min, y_max = _check_extent(extent)
    if isinstance(resolution, bool) or not isinstance(resolution, (int, np.integer)):
        raise TypeError(f"resolution must be an int, got {type(resolution).__name__}")
    if resolution < 2:
        raise ValueError(f"resolution must be at least 2, got {resolution}")
    xs, ys = np.meshgrid(np.linspace(x_min, x_max, resolution), np.linspace(y_min, y_max, resolution))
    points = torch.as_tensor(np.stack([xs.ravel(), ys.ravel()], axis=1), dtype=dtype, device=device)
    with torch.no_grad():
        values = log_prob_fn(points)
    values = _to_numpy("log_prob_fn(x)", values).astype(np.float64)
    if values.shape != (resolution * resolution,):
        raise ValueError(f"log_prob_fn must map (N, 2) points to shape (N,), got {values.shape}")
    if np.isnan(values).any():
        raise ValueError("log_prob_fn returned NaN on the grid")
    return xs, ys, values.reshape(resolution, resolution)


def density_contours(
    ax: Axes,
    log_prob_fn: Callable[[torch.Tensor], torch.Tensor],
    extent: Sequence[float] = (-4, 4, -4, 4),
    resolution: int = 200,
    *,
    levels: int = 12,
    filled: bool = True,
    cmap: str = "Blues",
    log_scale: bool = False,
    device: torch.device | str | None = None,
    dtype: torch.dtype = torch.float32,
) -> QuadContourSet:
    """Draw the contours of the density :math:`e^{\\log p}` (or of :math:`\\log p`) on ``ax``.

    The density is rescaled so its maximum on the grid is 1, so unnormalised
    log-densities (negative energies) plot the same as normalised ones.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    log_prob_fn : Callable
        Maps points (N, 2) to log-densities (N,); see :func:`density_grid`.
    extent : Sequence[float]
        The plotted rectangle (x_min, x_max, y_min, y_max).
    resolution : int
        Grid points per axis, >= 2.
    levels : int
        Number of contour levels.
    filled : bool
        Filled contours (``contourf``) or lines (``contour``).
    cmap : str
        Matplotlib colour map.
    log_scale : bool
        Contour the log-density (clipped 20 nats below its maximum) instead of the density.
    device, dtype
        Device and dtype of the grid points passed to ``log_prob_fn``.

    Returns
    -------
    matplotlib.contour.QuadContourSet
        Pass it to ``fig.colorbar`` if a colour bar is wanted.

    Raises
    ------
    TypeError
        If ax is not an Axes (and as :func:`density_grid` does).
    ValueError
        As :func:`density_grid` does, or if the log-density is not finite anywhere on the grid.

    Examples
    --------
    >>> fig, ax = plt.subplots()
    >>> contours = density_contours(ax, lambda x: -0.5 * (x**2).sum(dim=1), resolution=50)
    >>> ax.get_xlabel(), [float(limit) for limit in ax.get_xlim()]
    ('$x_1$', [-4.0, 4.0])
    >>> plt.close(fig)
    """
    ax = _check_axes(ax)
    xs, ys, log_density = density_grid(log_prob_fn, extent, resolution, device=device, dtype=dtype)
    finite = np.isfinite(log_density)
    if not finite.any():
        raise ValueError("log_prob_fn is not finite anywhere on the grid; is the extent right?")
    shifted = log_density - log_density[finite].max()
    values = np.clip(shifted, -20.0, 0.0) if log_scale else np.exp(shifted)
    draw = ax.contourf if filled else ax.contour
    contours = draw(xs, ys, values, levels=levels, cmap=cmap)
    x_min, x_max, y_min, y_max = _check_extent(extent)
    ax.set_xlim(x_min, x_max)
    ax.set_ylim(y_min, y_max)
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    return contours


def scatter_samples(
    ax: Axes,
    x: torch.Tensor | np.ndarray,
    *,
    color: str = COLORS[1],
    size: float = 4.0,
    alpha: float = 0.6,
    label: str | None = None,
    extent: Sequence[float] | None = None,
) -> PathCollection:
    """Scatter 2-D samples on ``ax`` (e.g. over :func:`density_contours`).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    x : torch.Tensor or numpy.ndarray
        Shape (n, 2).
        Points; tensors may be on any device and require gradients.
    color : str
        Marker colour (default the Okabe–Ito orange, visible over blue contours).
    size : float
        Marker area in points², > 0.
    alpha : float
        Opacity in [0, 1].
    label : str, optional
        Legend label.
    extent : Sequence[float], optional
        Axis limits (x_min, x_max, y_min, y_max) to set; by default matplotlib's.

    Returns
    -------
    matplotlib.collections.PathCollection

    Raises
    ------
    TypeError
        If ax is not an Axes or x not a real tensor/array.
    ValueError
        If x does not have shape (n, 2), size <= 0 or alpha outside [0, 1].

    Examples
    --------
    >>> fig, ax = plt.subplots()
    >>> points = scatter_samples(ax, torch.zeros(10, 2), label="samples")
    >>> points.get_offsets().shape, ax.get_ylabel()
    ((10, 2), '$x_2$')
    >>> plt.close(fig)
    """
    ax = _check_axes(ax)
    points = _to_numpy("x", x)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"x must have shape (n, 2), got {points.shape}")
    if not (isinstance(size, (int, float)) and size > 0):
        raise ValueError(f"size must be a number > 0, got {size!r}")
    if not (isinstance(alpha, (int, float)) and 0 <= alpha <= 1):
        raise ValueError(f"alpha must be a number in [0, 1], got {alpha!r}")
    collection = ax.scatter(points[:, 0], points[:, 1], s=size, c=color, alpha=alpha, label=label, linewidths=0)
    if extent is not None:
        x_min, x_max, y_min, y_max = _check_extent(extent)
        ax.set_xlim(x_min, x_max)
        ax.set_ylim(y_min, y_max)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    return collection


def tile_images(images: torch.Tensor | np.ndarray, nrow: int = 8, padding: int = 1) -> np.ndarray:
    """Tile greyscale images into one array, ``nrow`` images per row, separated by ``padding`` pixels.

    Parameters
    ----------
    images : torch.Tensor or numpy.ndarray
        Shape (n, 1, H, W) or (n, H, W).
        Greyscale images (n >= 1).
    nrow : int
        Images per row, >= 1 (the number of rows is ceil(n / nrow)).
    padding : int
        Pixels between images and around the border, >= 0; padding and empty
        cells are NaN (drawn as the background).

    Returns
    -------
    numpy.ndarray
        Shape (rows·(H + padding) + padding, cols·(W + padding) + padding), float64,
        with ``cols = min(n, nrow)`` and ``rows = ceil(n / cols)``.

    Raises
    ------
    TypeError
        If images is not a real tensor/array, or nrow/padding not ints.
    ValueError
        If images has the wrong shape, is empty, or nrow < 1 or padding < 0.

    Examples
    --------
    >>> tile_images(np.ones((5, 1, 8, 8)), nrow=4).shape
    (19, 37)
    """
    array = _to_numpy("images", images).astype(np.float64)
    if array.ndim == 4:
        if array.shape[1] != 1:
            raise ValueError(f"images must be greyscale, shape (n, 1, H, W), got {array.shape}")
        array = array[:, 0]
    if array.ndim != 3 or 0 in array.shape:
        raise ValueError(f"images must have shape (n, 1, H, W) or (n, H, W) with n >= 1, got {array.shape}")
    for name, value, smallest in (("nrow", nrow, 1), ("padding", padding, 0)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"{name} must be an int, got {type(value).__name__}")
        if value < smallest:
            raise ValueError(f"{name} must be at least {smallest}, got {value}")
    n, height, width = array.shape
    cols = min(n, nrow)
    rows = math.ceil(n / cols)
    tiled = np.full((rows * (height + padding) + padding, cols * (width + padding) + padding), np.nan)
    for index in range(n):
        row, col = divmod(index, cols)
        top = padding + row * (height + padding)
        left = padding + col * (width + padding)
        tiled[top : top + height, left : left + width] = array[index]
    return tiled


def image_grid(
    images: torch.Tensor | np.ndarray,
    nrow: int = 8,
    ax: Axes | None = None,
    title: str | None = None,
    *,
    padding: int = 1,
    vmin: float = 0.0,
    vmax: float = 1.0,
) -> tuple[Figure, Axes]:
    """Show greyscale images (e.g. 8×8 digits in [0, 1]) as one tiled grid.

    Parameters
    ----------
    images : torch.Tensor or numpy.ndarray
        Shape (n, 1, H, W) or (n, H, W).
        Images; tensors may be on any device.
    nrow : int
        Images per row.
    ax : matplotlib.axes.Axes, optional
        Where to draw; by default a new figure sized to the grid.
    title : str, optional
        Axes title.
    padding : int
        Pixels between images (see :func:`tile_images`).
    vmin, vmax : float
        Intensities mapped to black and white (ink is dark: the map is ``gray_r``).

    Returns
    -------
    fig : matplotlib.figure.Figure
    ax : matplotlib.axes.Axes

    Raises
    ------
    TypeError
        If ax is given but is not an Axes (and as :func:`tile_images` does).
    ValueError
        If vmin >= vmax (and as :func:`tile_images` does).

    Examples
    --------
    >>> fig, ax = image_grid(torch.rand(10, 1, 8, 8), nrow=5, title="noise")
    >>> ax.images[0].get_array().shape
    (19, 46)
    >>> plt.close(fig)
    """
    if ax is not None:
        _check_axes(ax)
    if not vmin < vmax:
        raise ValueError(f"vmin must be smaller than vmax, got vmin={vmin}, vmax={vmax}")
    tiled = tile_images(images, nrow=nrow, padding=padding)
    if ax is None:
        height, width = tiled.shape
        scale = 4.0 / max(height, width) ** 0.5
        fig, ax = plt.subplots(figsize=(max(2.0, 0.15 * width * scale), max(2.0, 0.15 * height * scale)))
    else:
        fig = ax.figure
    cmap = plt.get_cmap("gray_r").with_extremes(bad="#dddddd")
    ax.imshow(np.ma.masked_invalid(tiled), cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title is not None:
        ax.set_title(title)
    return fig, ax


def plot_density_and_samples(
    ax: Axes,
    log_prob_fn: Callable[[torch.Tensor], torch.Tensor],
    samples: torch.Tensor | np.ndarray,
    extent: Sequence[float] = (-4, 4, -4, 4),
    title: str | None = None,
) -> Axes:
    """Density contours of ``log_prob_fn`` with ``samples`` scattered on top: the book's standard 2-D figure.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    log_prob_fn : Callable
        Maps points (N, 2) to log-densities (N,).
    samples : torch.Tensor or numpy.ndarray
        Shape (n, 2).
    extent : Sequence[float]
        The plotted rectangle (x_min, x_max, y_min, y_max).
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
        ``ax``, with limits set to ``extent``.

    Raises
    ------
    TypeError, ValueError
        As :func:`density_contours` and :func:`scatter_samples` do.

    Examples
    --------
    >>> fig, ax = plt.subplots()
    >>> ax = plot_density_and_samples(ax, lambda x: -(x**2).sum(dim=1), torch.zeros(3, 2), title="N(0, I/2)")
    >>> ax.get_title()
    'N(0, I/2)'
    >>> plt.close(fig)
    """
    density_contours(ax, log_prob_fn, extent, resolution=150)
    scatter_samples(ax, samples, extent=extent)
    if title is not None:
        ax.set_title(title)
    return ax
