"""`make student`: learner copies keep the checkers and lose the exercise bodies."""

import ast

import nbformat
import pytest

from tests.conventions import NOTEBOOKS
from tests.student import strip_exercise, student_copy

CELL = '''def my_step(x):
    # BEGIN EXERCISE
    y = reference(x)
    return y
    # END EXERCISE

check_step(my_step)'''


def test_strip_exercise_keeps_indentation_and_checker():
    out = strip_exercise(CELL)
    assert "reference(x)" not in out
    assert '    raise NotImplementedError("Exercise: replace this line with your code")' in out
    assert out.endswith("check_step(my_step)")
    ast.parse(out)


UNBALANCED = ["# BEGIN EXERCISE\nx = 1", "x = 1\n# END EXERCISE", "# BEGIN EXERCISE\n# BEGIN EXERCISE"]


@pytest.mark.parametrize("bad", UNBALANCED)
def test_unbalanced_markers_are_errors(bad):
    with pytest.raises(ValueError):
        strip_exercise(bad)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_learner_copy_is_valid_and_keeps_checkers(path):
    nb = nbformat.read(path, as_version=4)
    copy = student_copy(nb)
    nbformat.validate(copy)
    for ref_cell, cell in zip(nb.cells, copy.cells, strict=True):
        if cell.cell_type != "code":
            continue
        ast.parse("\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith("%")))
        if "# BEGIN EXERCISE" in ref_cell.source:
            assert "raise NotImplementedError" in cell.source
            ref_checks = [line for line in ref_cell.source.splitlines() if "check_" in line]
            assert ref_checks and all(line in cell.source for line in ref_checks), "the checker call must remain"
        else:
            assert cell.source == ref_cell.source
