"""Learner copies of the notebooks: exercise bodies removed, checkers kept.

In a reference notebook an exercise cell holds a function whose body lies between the lines
``# BEGIN EXERCISE`` and ``# END EXERCISE`` (by default it calls the reference implementation, so
the book's notebooks run end to end); the checker call follows. The learner copy replaces each such
body with ``raise NotImplementedError(...)`` at the same indentation, so the checker reports
"not written yet" until the learner writes it.

``make student`` runs ``python tests/student.py`` and writes the copies to ``_build/student/``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.conventions import NOTEBOOKS, ROOT  # noqa: E402

BEGIN, END = "# BEGIN EXERCISE", "# END EXERCISE"
OUT = ROOT / "_build" / "student"


def strip_exercise(source: str) -> str:
    """Replace every exercise body in a cell's source by ``raise NotImplementedError``."""
    lines = source.splitlines()
    out: list[str] = []
    inside = False
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped == BEGIN:
            if inside:
                raise ValueError(f"line {number}: {BEGIN} inside another exercise")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            out.append(line)
            out.append(f'{indent}raise NotImplementedError("Exercise: replace this line with your code")')
        elif stripped == END:
            if not inside:
                raise ValueError(f"line {number}: {END} without {BEGIN}")
            inside = False
            out.append(line)
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError(f"{BEGIN} without {END}")
    return "\n".join(out)


def student_copy(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A learner copy of a notebook: exercise bodies removed, outputs cleared."""
    copy = nbformat.from_dict(nb)
    for cell in copy.cells:
        if cell.cell_type == "code":
            cell.source = strip_exercise(cell.source)
            cell.outputs = []
            cell.execution_count = None
    return copy


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for path in NOTEBOOKS:
        copy = student_copy(nbformat.read(path, as_version=4))
        nbformat.validate(copy)
        nbformat.write(copy, OUT / path.name)
        print(f"wrote {(OUT / path.name).relative_to(ROOT)}")


if __name__ == "__main__":
    main()
