"""Checks of the book's text that the strict build does not make by itself."""

from __future__ import annotations

import importlib.metadata
import re

import tutorial_lib
from tests.conventions import ROOT, version

BOOK = ROOT / "book"
TERM_ROLE = re.compile(r"\{term\}`([^`]+)`")
EQ_ROLE = re.compile(r":eq:`([^`]+)`")
LABEL = re.compile(r"^\s*:label:\s*(\S+)", re.MULTILINE)


def _glossary_terms() -> set[str]:
    text = (BOOK / "glossary.md").read_text(encoding="utf-8")
    block = text.split("```{glossary}", 1)[1].split("```", 1)[0]
    return {line.strip().lower() for line in block.splitlines() if line and not line.startswith((" ", "\t"))}


def test_every_term_reference_is_in_the_glossary():
    terms = _glossary_terms()
    assert len(terms) >= 15
    missing = []
    for page in BOOK.rglob("*.md"):
        for ref in TERM_ROLE.findall(page.read_text(encoding="utf-8")):
            target = ref.split("<")[-1].rstrip(">").strip() if "<" in ref else ref
            if target.lower() not in terms:
                missing.append(f"{page.relative_to(ROOT)}: {ref}")
    assert not missing, "term references without a glossary entry:\n" + "\n".join(missing)


def test_equation_labels_named_in_docstrings_exist_in_the_book():
    labels = set()
    for page in BOOK.rglob("*.md"):
        labels |= set(LABEL.findall(page.read_text(encoding="utf-8")))
    missing = []
    for module in (ROOT / "tutorial_lib").rglob("*.py"):
        for label in EQ_ROLE.findall(module.read_text(encoding="utf-8")):
            if label not in labels:
                missing.append(f"{module.relative_to(ROOT)}: {label}")
    assert not missing, "docstrings name equation labels that the book does not define:\n" + "\n".join(missing)


def test_one_version_everywhere():
    """__init__.py holds the version; the installed metadata and the setup cell agree with it."""
    assert tutorial_lib.__version__ == version()
    assert importlib.metadata.version("tutorial-lib") == version(), "reinstall: pip install -e ."
