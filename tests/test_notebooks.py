"""Static checks of every notebook's conventions (the chapter contract, section 2).

Each notebook: valid nbformat 4, no stored outputs, the canonical setup cell first, imports only from
the declared dependencies, at least one assertion or checker call, and alt text plus a caption on
every cell that draws a figure. The execution itself is checked by nbval (`make nbval`).
"""

from __future__ import annotations

import ast
import re
import sys

import nbformat
import pytest
import tomllib
import yaml

from tests.conventions import NOTEBOOKS, ROOT, canonical_setup_cell, colab_requirement, repository_url

# Distribution names whose import name differs.
IMPORT_NAME = {"scikit-learn": "sklearn"}
FIGURE_CALL = re.compile(r"\bplt\.(show|subplots|figure|imshow|plot)\b|\bplotting\.\w+\(")

pytestmark = pytest.mark.skipif(not NOTEBOOKS, reason="no notebooks yet")


def declared_imports() -> set[str]:
    """Import names a notebook may use: the library and its declared dependencies (pyproject.toml),
    which is what a Colab runtime has after the setup cell installs the wheel."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = {re.split(r"[<>=!~\[; ]", dep, maxsplit=1)[0].lower() for dep in project["dependencies"]}
    return {"tutorial_lib"} | {IMPORT_NAME.get(name, name.replace("-", "_")) for name in names}


def test_declared_dependencies_are_the_expected_ones():
    assert declared_imports() == {"tutorial_lib", "numpy", "scipy", "sklearn", "torch", "matplotlib", "tqdm", "jieba"}


def _code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def _strip_magics(source: str) -> str:
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())


@pytest.fixture(params=NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def notebook(request):
    path = request.param
    return path, nbformat.read(path, as_version=4)


def test_valid_nbformat_4(notebook):
    path, nb = notebook
    assert nb.nbformat == 4, f"{path.name}: nbformat {nb.nbformat}, expected 4"
    nbformat.validate(nb)


def test_no_stored_outputs(notebook):
    path, nb = notebook
    dirty = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and (c.outputs or c.execution_count)]
    assert not dirty, f"{path.name}: cells {dirty} have stored outputs; commit notebooks without outputs"


def test_first_cell_is_the_setup_cell(notebook):
    path, nb = notebook
    first = nb.cells[0]
    assert first.cell_type == "code" and first.source == canonical_setup_cell(), (
        f"{path.name}: the first cell differs from the canonical setup cell; run `make setup-cells`"
    )
    assert first.metadata.get("tags") == ["setup", "remove-cell"], f"{path.name}: run `make setup-cells`"


def test_imports_only_declared_dependencies(notebook):
    path, nb = notebook
    allowed = declared_imports() | set(sys.stdlib_module_names)
    for i, cell in enumerate(_code_cells(nb)):
        tree = ast.parse(_strip_magics(cell.source))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                assert top in allowed, f"{path.name}, code cell {i}: imports {name!r}, not a declared dependency"


def test_asserts_what_it_demonstrates(notebook):
    path, nb = notebook
    sources = [c.source for c in _code_cells(nb)[1:]]
    has_assert = any(isinstance(n, ast.Assert) for s in sources for n in ast.walk(ast.parse(_strip_magics(s))))
    has_check = any(re.search(r"\bcheck_\w+\(", s) for s in sources)
    assert has_assert, f"{path.name}: no assert statement; a notebook must check the result it demonstrates"
    assert has_check, f"{path.name}: no exercise checker call (check_...)"


def test_figures_have_alt_text_and_caption(notebook):
    path, nb = notebook
    for i, cell in enumerate(_code_cells(nb)):
        if not FIGURE_CALL.search(cell.source):
            continue
        meta = cell.metadata.get("mystnb", {})
        alt = meta.get("image", {}).get("alt", "")
        caption = meta.get("figure", {}).get("caption", "")
        assert len(alt.split()) >= 5, f"{path.name}, code cell {i}: a figure needs alt text that says what it shows"
        assert caption, f"{path.name}, code cell {i}: a figure needs a caption (mystnb.figure.caption)"
        assert cell.source.count("plt.show()") <= 1, f"{path.name}, code cell {i}: one figure per cell"


def test_exercise_cells_are_marked(notebook):
    path, nb = notebook
    marked = [c for c in _code_cells(nb) if "# BEGIN EXERCISE" in c.source]
    assert marked, f"{path.name}: no exercise cell (# BEGIN EXERCISE ... # END EXERCISE)"
    for cell in marked:
        assert cell.source.count("# BEGIN EXERCISE") == cell.source.count("# END EXERCISE")


def test_notebook_is_in_the_table_of_contents(notebook):
    path, _ = notebook
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    assert f"notebooks/{path.stem}" in toc, f"{path.name} is not listed in _toc.yml"


def test_repository_url_is_consistent():
    """The URL is written once, in _config.yml; the setup cell and the README agree with it."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    url = repository_url()
    assert url.startswith("https://github.com/")
    assert config["launch_buttons"]["colab_url"] == "https://colab.research.google.com"
    assert f"git+{url}@v" in colab_requirement()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert url in readme, "README.md must link the repository URL of _config.yml"
    for other in re.findall(r"https://github\.com/[\w.-]+/[\w.-]+", readme):
        assert other.rstrip(".") == url, f"README.md names another repository URL: {other}"
