"""The teaching switch: `make book-teaching` hides every exercise solution and changes nothing else.

Two checks that run in seconds instead of a second full book build: the Makefile's edit of
`_config.yml` flips exactly the documented switch, and sphinx-exercise honours that switch on a
one-page book with an exercise and its dropdown solution (built with and without it).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def teaching_sed_expression() -> str:
    """The sed expression of the Makefile's book-teaching recipe."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\nbook-teaching:", 1)[1].split("\n\n", 1)[0]
    match = re.search(r"sed '([^']+)' _config.yml", recipe)
    assert match, "book-teaching must derive its configuration from _config.yml with sed"
    return match.group(1)


def test_teaching_config_differs_only_in_the_switch():
    expression = teaching_sed_expression()
    original = (ROOT / "_config.yml").read_text(encoding="utf-8")
    teaching = subprocess.run(["sed", expression], input=original, capture_output=True, text=True, check=True).stdout
    changed = [(a, b) for a, b in zip(original.splitlines(), teaching.splitlines(), strict=True) if a != b]
    assert changed == [("    hide_solutions: false", "    hide_solutions: true")], changed
    assert original.count("hide_solutions:") == 1, "one switch, documented once"


PAGE = """# Exercises

```{exercise} Square a number
:label: ex-square

What is 3 squared?
```

```{solution} ex-square
:class: dropdown

The answer is SOLUTION-MARKER.
```
"""


def build_page(tmp_path: Path, hide: bool) -> str:
    source = tmp_path / f"source-{hide}"
    source.mkdir()
    (source / "conf.py").write_text(
        f"extensions = ['myst_parser', 'sphinx_exercise']\nhide_solutions = {hide}\n", encoding="utf-8"
    )
    (source / "index.md").write_text(PAGE, encoding="utf-8")
    out = tmp_path / f"html-{hide}"
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-W", "-q", str(source), str(out)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return (out / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("hide", [False, True])
def test_sphinx_exercise_honours_the_switch(tmp_path, hide):
    html = build_page(tmp_path, hide)
    assert "What is 3 squared?" in html, "the exercise itself is always shown"
    assert ("SOLUTION-MARKER" in html) is not hide
