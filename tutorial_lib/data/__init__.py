"""Data sets of the book: 2-D toy distributions with exact densities, and the 8×8 digits.

Everything here runs offline. Text corpora live in submodules of their own
(e.g. ``tutorial_lib.data.text``) and are imported from there.
"""

from tutorial_lib.data.images import N_DIGITS, digits, digits_split
from tutorial_lib.data.toy import (
    TOY_NAMES,
    GaussianMixture,
    checkerboard,
    eight_gaussians_mixture,
    rings,
    swiss_roll,
    toy,
    two_mode_mixture,
    two_moons,
)

__all__ = [
    "GaussianMixture",
    "N_DIGITS",
    "TOY_NAMES",
    "checkerboard",
    "digits",
    "digits_split",
    "eight_gaussians_mixture",
    "rings",
    "swiss_roll",
    "toy",
    "two_mode_mixture",
    "two_moons",
]
