"""The book's single sources of truth, and the canonical notebook setup cell.

Run ``python tests/conventions.py --write`` (``make setup-cells``) to rewrite
the first cell of every notebook from ``_config.yml`` and the package version;
``tests/test_notebooks.py`` fails when a notebook's first cell differs.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def repository_url() -> str:
    """The repository URL, read from ``_config.yml`` (the one place it is written)."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    return str(config["repository"]["url"]).rstrip("/")


def version() -> str:
    """The release number, read from ``tutorial_lib/__init__.py`` without importing it."""
    tree = ast.parse((ROOT / "tutorial_lib" / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__version__" for t in node.targets):
            return str(ast.literal_eval(node.value))
    raise RuntimeError("tutorial_lib/__init__.py does not define __version__")


def colab_requirement() -> str:
    """The pip requirement the Colab setup cell installs: the book's release of tutorial_lib."""
    return f"tutorial-lib @ git+{repository_url()}@v{version()}"


def canonical_setup_cell() -> str:
    """The first cell of every notebook."""
    return f'''# Setup: the same first cell in every chapter (written by `make setup-cells`).
import subprocess
import sys

if "google.colab" in sys.modules:  # on Colab, install the book's release of tutorial_lib
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "{colab_requirement()}"],
        check=True,
    )

import tutorial_lib
from tutorial_lib.utils import get_device, seed_everything

device = get_device()  # honours TUTORIAL_DEVICE, else CUDA if present, else CPU
seed = seed_everything()  # honours TUTORIAL_SEED, else 0
print(f"tutorial_lib {{tutorial_lib.__version__}} on {{device}}, seed {{seed}}")'''


def colab_badge(notebook: Path) -> str:
    """The 'Open in Colab' link of a notebook, built from the repository URL."""
    match = re.match(r"https://github\.com/(.+)", repository_url())
    if not match:
        raise ValueError("repository.url in _config.yml must be a https://github.com/OWNER/REPO URL")
    return f"https://colab.research.google.com/github/{match.group(1)}/blob/main/notebooks/{notebook.name}"


def write_setup_cells() -> None:
    """Rewrite the first cell of every notebook to the canonical setup cell."""
    import nbformat

    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        cell = nbformat.v4.new_code_cell(canonical_setup_cell())
        # remove-cell: the book page starts with the chapter's title; Colab shows the cell.
        cell.metadata = {"tags": ["setup", "remove-cell"]}
        if nb.cells and nb.cells[0].cell_type == "code":
            cell.id = nb.cells[0].get("id", cell.id)
            nb.cells[0] = cell
        else:
            nb.cells.insert(0, cell)
        nbformat.write(nb, path)
        print(f"wrote setup cell of {path.relative_to(ROOT)}")


def set_version(new: str) -> None:
    """Write a new release number into ``tutorial_lib/__init__.py`` (the one place it lives)."""
    if not re.fullmatch(r"\d+\.\d+\.\d+", new):
        raise SystemExit(f"VERSION must look like 1.2.3, got {new!r}")
    path = ROOT / "tutorial_lib" / "__init__.py"
    text = path.read_text(encoding="utf-8")
    updated, count = re.subn(r'^__version__ = "[^"]*"$', f'__version__ = "{new}"', text, flags=re.MULTILINE)
    if count != 1:
        raise SystemExit("tutorial_lib/__init__.py must contain exactly one __version__ line")
    path.write_text(updated, encoding="utf-8")
    print(f"tutorial_lib version {version()}")


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        write_setup_cells()
    elif len(sys.argv) == 3 and sys.argv[1] == "--set-version":
        set_version(sys.argv[2])
    else:
        print(canonical_setup_cell())
