"""Rotary position embedding (RoPE, RoFormer): relative positions from rotations.

Defined in chapter 6 (section "Rotary positions"). The convention is the one of
the RoFormer paper and of Su Jianlin's post: dimensions are rotated in
*interleaved* pairs ``(x0, x1), (x2, x3), …``, pair ``i`` by the angle
``m * theta_i`` at position ``m`` with ``theta_i = base ** (-2 i / d)``. Many
later code bases rotate *half-split* pairs ``(x_i, x_{i + d/2})`` instead;
:func:`half_split_permutation` converts between the two.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

__all__ = [
    "apply_rope",
    "apply_rope_half_split",
    "half_split_permutation",
    "rope_decay_bound",
    "rope_frequencies",
    "rotation_matrix",
]


def _check_dim(dim: int) -> int:
    if isinstance(dim, bool) or not isinstance(dim, int):
        raise TypeError(f"dim must be an int, got {type(dim).__name__}")
    if dim < 2 or dim % 2:
        raise ValueError(f"RoPE rotates pairs of dimensions: dim must be even and >= 2, got {dim}")
    return dim


def _check_base(base: float) -> float:
    if isinstance(base, bool) or not isinstance(base, (int, float)):
        raise TypeError(f"base must be a number, got {type(base).__name__}")
    if not base > 1.0 or base == float("inf"):
        raise ValueError(f"base must be a finite number > 1, got {base}")
    return float(base)


def rope_frequencies(
    dim: int,
    base: float = 10000.0,
    *,
    device: torch.device | str | None = None,
    dtype: torch.dtype = torch.float64,
) -> torch.Tensor:
    """The rotation frequencies ``theta_i = base ** (-2 i / dim)``, ``i = 0, …, dim/2 - 1``.

    Implements :eq:`masks-rope-theta` (chapter 6).

    Parameters
    ----------
    dim : int
        Even dimension ``d`` of the vectors being rotated.
    base : float
        The base (10000 in RoFormer).
    device, dtype
        Device and floating dtype of the result (default: CPU, float64).

    Returns
    -------
    torch.Tensor
        Shape ``(dim // 2,)``, decreasing from 1 to ``base ** (-(dim - 2) / dim)``.

    Raises
    ------
    TypeError, ValueError
        If ``dim`` is not an even integer >= 2 or ``base`` is not a finite number > 1.

    Examples
    --------
    >>> rope_frequencies(4)
    tensor([1.0000, 0.0100], dtype=torch.float64)
    """
    dim = _check_dim(dim)
    base = _check_base(base)
    exponents = torch.arange(0, dim, 2, device=device, dtype=torch.float64) / dim
    return (base ** (-exponents)).to(dtype)


def _angles(positions: torch.Tensor, dim: int, base: float) -> torch.Tensor:
    """Angles ``m * theta_i`` in float64, shape ``positions.shape + (dim // 2,)``."""
    theta = rope_frequencies(dim, base, device=positions.device)
    return positions.to(torch.float64).unsqueeze(-1) * theta


def _prepare(
    x: torch.Tensor, positions: torch.Tensor | Sequence[float] | None, base: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """Validate ``x`` and ``positions``; return ``(cos, sin)`` in x's dtype, shape ``(..., L, d/2)``."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"x must be a torch.Tensor, got {type(x).__name__}")
    if not x.is_floating_point():
        raise TypeError(f"x must be a floating-point tensor, got dtype {x.dtype}")
    if x.ndim < 2:
        raise ValueError(f"x must have shape (..., L, d) with at least 2 dimensions, got {tuple(x.shape)}")
    if x.shape[-1] % 2 or x.shape[-1] == 0:
        raise ValueError(f"RoPE rotates pairs of dimensions: the last dimension must be even, got {x.shape[-1]}")
    if x.shape[-2] == 0:
        raise ValueError(f"x must contain at least one position, got shape {tuple(x.shape)}")
    if torch.isnan(x).any():
        raise ValueError("x contains NaN")
    base = _check_base(base)
    length = x.shape[-2]
    if positions is None:
        positions = torch.arange(length, device=x.device)
    elif not isinstance(positions, torch.Tensor):
        positions = torch.as_tensor(positions, device=x.device)
    if positions.dtype == torch.bool or positions.is_complex():
        raise TypeError(f"positions must be integers or real numbers, got dtype {positions.dtype}")
    if positions.ndim == 0 or positions.shape[-1] != length:
        raise ValueError(
            f"positions must have shape (..., L) with L = {length} (x has shape {tuple(x.shape)}), "
            f"got {tuple(positions.shape)}"
        )
    if positions.is_floating_point() and not bool(torch.isfinite(positions).all()):
        raise ValueError("positions must be finite")
    if not _broadcastable(tuple(positions.shape), tuple(x.shape[:-1])):
        raise ValueError(
            f"positions of shape {tuple(positions.shape)} do not broadcast against x's leading "
            f"shape {tuple(x.shape[:-1])}"
        )
    return _rope_tables(positions.to(x.device), x.shape[-1], base, x.dtype)


def _broadcastable(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    """Whether two shapes broadcast (``torch.broadcast_shapes`` imports sympy on first use: ~1 s)."""
    # zip stops at the shorter shape: its missing leading dimensions act as 1s
    return all(m == n or m == 1 or n == 1 for m, n in zip(reversed(a), reversed(b), strict=False))


def _rope_tables(
    positions: torch.Tensor, dim: int, base: float, dtype: torch.dtype
) -> tuple[torch.Tensor, torch.Tensor]:
    """``(cos, sin)`` of the angles ``m * theta_i`` (computed in float64), shape ``positions.shape + (dim // 2,)``.

    No validation: for callers that checked their inputs and rotate many tensors at the same
    positions (the Transformer computes them once per forward pass, not once per layer and head).
    """
    angles = _angles(positions, dim, base)
    return angles.cos().to(dtype), angles.sin().to(dtype)


def _rotate_pairs(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """Rotate the interleaved pairs of ``x`` by the angles whose cosines and sines are given."""
    even, odd = x[..., 0::2], x[..., 1::2]
    return torch.stack((even * cos - odd * sin, even * sin + odd * cos), dim=-1).flatten(-2)


def apply_rope(
    x: torch.Tensor,
    positions: torch.Tensor | Sequence[float] | None = None,
    base: float = 10000.0,
) -> torch.Tensor:
    """Rotate the interleaved pairs ``(x_{2i}, x_{2i+1})`` of ``x`` by the angle ``m * theta_i``.

    At position ``m`` the pair ``i`` becomes
    ``(x_{2i} cos m theta_i - x_{2i+1} sin m theta_i, x_{2i} sin m theta_i + x_{2i+1} cos m theta_i)``:
    the vector is multiplied by the block-diagonal rotation ``R_m``
    (:func:`rotation_matrix`), so ``<R_m q, R_n k>`` depends on ``n - m`` only.

    Implements :eq:`masks-rope-rotation` (chapter 6).

    Parameters
    ----------
    x : torch.Tensor
        Floating tensor of shape ``(..., L, d)`` with ``d`` even (queries or keys,
        e.g. ``(batch, heads, L, d_head)``).
    positions : torch.Tensor or Sequence, optional
        Positions ``m`` of the ``L`` vectors, shape ``(L,)`` or any shape ``(..., L)``
        that broadcasts against ``x.shape[:-1]``; integers or reals. Default ``0, …, L-1``.
    base : float
        The base of :eq:`masks-rope-theta` (10000 in RoFormer).

    Returns
    -------
    torch.Tensor
        The rotated tensor, same shape, dtype and device as ``x``. Angles are
        computed in float64 before the cosines are cast to ``x``'s dtype.

    Raises
    ------
    TypeError
        If ``x`` is not floating point or ``positions`` is boolean/complex.
    ValueError
        If the last dimension is odd, ``x`` has NaN, or ``positions`` has the wrong shape.

    Examples
    --------
    >>> x = torch.tensor([[1.0, 0.0]])
    >>> apply_rope(x, positions=torch.tensor([1]))  # rotate by 1 radian
    tensor([[0.5403, 0.8415]])
    """
    cos, sin = _prepare(x, positions, base)
    return _rotate_pairs(x, cos, sin)


def apply_rope_half_split(
    x: torch.Tensor,
    positions: torch.Tensor | Sequence[float] | None = None,
    base: float = 10000.0,
) -> torch.Tensor:
    """RoPE in the half-split convention: pair ``i`` is ``(x_i, x_{i + d/2})``.

    This is the layout of many later code bases (the ``rotate_half`` trick). It
    equals :func:`apply_rope` only after permuting dimensions:
    ``apply_rope_half_split(x[..., p]) == apply_rope(x)[..., p]`` with
    ``p = half_split_permutation(d)`` (:eq:`masks-half-split`, chapter 6).

    Parameters
    ----------
    x : torch.Tensor
        Floating tensor of shape ``(..., L, d)`` with ``d`` even.
    positions : torch.Tensor or Sequence, optional
        As in :func:`apply_rope`.
    base : float
        As in :func:`apply_rope`.

    Returns
    -------
    torch.Tensor
        The rotated tensor, same shape, dtype and device as ``x``.

    Raises
    ------
    TypeError, ValueError
        As :func:`apply_rope`.

    Examples
    --------
    >>> x = torch.randn(5, 8, dtype=torch.float64)
    >>> p = half_split_permutation(8)
    >>> torch.allclose(apply_rope_half_split(x[:, p]), apply_rope(x)[:, p])
    True
    """
    cos, sin = _prepare(x, positions, base)
    half = x.shape[-1] // 2
    first, second = x[..., :half], x[..., half:]
    return torch.cat((first * cos - second * sin, first * sin + second * cos), dim=-1)


def half_split_permutation(dim: int) -> torch.Tensor:
    """The permutation ``p = (0, 2, 4, …, d-2, 1, 3, …, d-1)`` between the two RoPE layouts.

    ``x[..., p]`` moves the interleaved pair ``(x_{2i}, x_{2i+1})`` to the
    half-split slots ``(i, i + d/2)``, so
    ``apply_rope_half_split(x[..., p]) == apply_rope(x)[..., p]``. To run a checkpoint
    trained with interleaved RoPE in half-split code, permute the output rows of
    the query and key projections of every head by ``p`` (inner products are
    unchanged by a common permutation). Implements :eq:`masks-half-split` (chapter 6).

    Parameters
    ----------
    dim : int
        Even dimension ``d`` (per attention head).

    Returns
    -------
    torch.Tensor
        int64 tensor of shape ``(dim,)``.

    Raises
    ------
    TypeError, ValueError
        If ``dim`` is not an even integer >= 2.

    Examples
    --------
    >>> half_split_permutation(6)
    tensor([0, 2, 4, 1, 3, 5])
    """
    dim = _check_dim(dim)
    return torch.cat((torch.arange(0, dim, 2), torch.arange(1, dim, 2)))


def rotation_matrix(
    position: float,
    dim: int,
    base: float = 10000.0,
    *,
    dtype: torch.dtype = torch.float64,
    device: torch.device | str | None = None,
) -> torch.Tensor:
    """The explicit block-diagonal rotation ``R_m`` of :eq:`masks-rope-matrix` (chapter 6).

    Block ``i`` is the 2×2 rotation by ``m * theta_i`` acting on dimensions
    ``(2i, 2i+1)``; ``apply_rope(x, [m]) == x @ R_m.T`` for a row vector ``x``.
    Meant for checking and teaching: :func:`apply_rope` never builds this matrix.

    Parameters
    ----------
    position : float
        The position ``m``.
    dim : int
        Even dimension ``d``.
    base : float
        As in :func:`apply_rope`.
    dtype, device
        Floating dtype and device of the result (default float64, CPU).

    Returns
    -------
    torch.Tensor
        Orthogonal ``(dim, dim)`` matrix.

    Raises
    ------
    TypeError, ValueError
        If ``dim`` is not an even integer >= 2, or ``position`` is not a finite number.

    Examples
    --------
    >>> rotation_matrix(0, 4).abs().equal(torch.eye(4, dtype=torch.float64))  # position 0: identity
    True
    >>> x = torch.randn(1, 4, dtype=torch.float64)
    >>> torch.allclose(apply_rope(x, [3]), x @ rotation_matrix(3, 4).T)
    True
    """
    if isinstance(position, bool) or not isinstance(position, (int, float)):
        raise TypeError(f"position must be a number, got {type(position).__name__}")
    if position != position or abs(position) == float("inf"):
        raise ValueError(f"position must be finite, got {position}")
    angles = _angles(torch.tensor(float(position), device=device), dim, base)
    cos, sin = angles.cos(), angles.sin()
    blocks = torch.stack((torch.stack((cos, -sin), -1), torch.stack((sin, cos), -1)), -2)
    return torch.block_diag(*blocks).to(dtype)


def rope_decay_bound(
    distances: torch.Tensor | Sequence[float], dim: int = 128, base: float = 10000.0
) -> torch.Tensor:
    """RoFormer's long-range decay bound ``(1/(d/2)) * sum_{j=1}^{d/2} |S_j|``.

    With ``S_j = sum_{k=0}^{j-1} exp(i r theta_k)`` at relative distance ``r``, the
    RoPE attention score is bounded by ``max_i |h_{i+1} - h_i| * sum_j |S_j|``
    (Abel summation, RoFormer section 3.4.3); this function returns the average
    ``sum_j |S_j| / (d/2)``, which equals ``(d/2 + 1)/2`` at ``r = 0`` and decays
    (with oscillations) as ``|r|`` grows. Implements :eq:`masks-rope-decay` (chapter 6).

    Parameters
    ----------
    distances : torch.Tensor or Sequence of float
        Relative distances ``r``, any shape.
    dim : int
        Even head dimension ``d`` (128 in the RoFormer figure).
    base : float
        As in :func:`apply_rope`.

    Returns
    -------
    torch.Tensor
        float64 tensor of the shape of ``distances``.

    Raises
    ------
    TypeError, ValueError
        If ``dim`` or ``base`` is invalid, or ``distances`` is empty, complex or not finite.

    Examples
    --------
    >>> rope_decay_bound([0.0], dim=4)
    tensor([1.5000], dtype=torch.float64)
    """
    r = distances if isinstance(distances, torch.Tensor) else torch.as_tensor(distances, dtype=torch.float64)
    if r.dtype == torch.bool or r.is_complex():
        raise TypeError(f"distances must be real numbers, got dtype {r.dtype}")
    if r.numel() == 0:
        raise ValueError("distances must not be empty")
    if not bool(torch.isfinite(r.to(torch.float64)).all()):
        raise ValueError("distances must be finite")
    angles = _angles(r, _check_dim(dim), base)
    partial_sums = torch.polar(torch.ones_like(angles), angles).cumsum(dim=-1)
    return partial_sums.abs().mean(dim=-1)
