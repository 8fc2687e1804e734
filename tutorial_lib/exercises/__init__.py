"""Checkers for the exercises: each compares a learner's function with the reference.

Every chapter's checkers live in their own submodule and are re-exported here,
so a notebook writes ``from tutorial_lib.exercises import check_ula_step``.
"""

from tutorial_lib.exercises._core import check_function

__all__ = ["check_function"]
