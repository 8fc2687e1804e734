"""LaTeX-only fixes for `make pdf`: the book's parts, front/main/back matter, and exercise references.

Sphinx's LaTeX builder flattens the book into one document in which every page of ``_toc.yml`` is a
chapter: the front matter (setup, course) is numbered with the chapters, the part captions are lost,
and the introduction's sections become chapters of their own. This extension, used only by the
LaTeX builder, restores the structure the HTML book shows:

- the introduction becomes one unnumbered chapter ("Preface") whose ``##`` headings are sections;
- the parts of ``_toc.yml`` become part pages with their captions;
- parts before the first ``numbered: true`` part are LaTeX front matter (roman page numbers, no
  chapter or section numbers), the numbered parts are the main matter (Chapter 1 ... Chapter 8,
  with the same section, equation and figure numbers as the HTML), the later parts back matter;
- the bibliography (which Sphinx's LaTeX writer gathers at the very end, after an empty
  "Bibliography" chapter) is put back into that chapter, under its heading;
- cross-document references to sphinx-exercise exercises (``{ref}`` from another page) print the
  exercise number that Sphinx computed, as they do in the HTML, instead of LaTeX's ``\\ref`` to a
  label that sphinx-exercise never writes (which printed "Exercise ??").

It needs the ``book`` document class (set here) and changes nothing in other builders. ``make pdf``
loads it through a generated configuration: ``python book/_ext/latex_fixes.py _config.yml OUT``
writes a copy of ``_config.yml`` that adds this extension (see the Makefile).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.builders.latex.nodes import thebibliography
from sphinx.config import Config
from sphinx.util import logging
from sphinx.util.texescape import escape

logger = logging.getLogger(__name__)

ROOT_CHAPTER_TITLE = "Preface"

# Replaces Sphinx's \sphinxtableofcontents, which switches to arabic page numbers after the contents
# (so \mainmatter would restart them and two pages would be numbered 1). Sphinx also names the
# contents after the first toctree caption ("Getting started"); this names them "Contents".
TABLE_OF_CONTENTS = r"""\frontmatter
\setcounter{secnumdepth}{-1}
\renewcommand{\contentsname}{Contents}
\begingroup\parskip 0pt\sphinxtableofcontentshook\tableofcontents\endgroup
"""

# Inside the Bibliography chapter the list must not open a chapter of its own: \chapter*{\bibname}
# of the book class's thebibliography is swallowed (locally, inside the environment).
BIBLIOGRAPHY_IN_CHAPTER = (
    r"\renewenvironment{sphinxthebibliography}[1]"
    r"{\expandafter\let\expandafter\chapter\csname @gobbletwo\endcsname\begin{thebibliography}{#1}}"
    r"{\end{thebibliography}}"
)

MAIN_MATTER = r"\mainmatter\setcounter{secnumdepth}{2}"
BACK_MATTER = r"\backmatter\setcounter{secnumdepth}{-1}"


def part_heading(caption: str, engine: str) -> str:
    """LaTeX for an unnumbered part page titled ``caption`` with an entry in the contents.

    The captions already say "Part I — ...", so LaTeX's own part numbers are not used.
    """
    title = escape(caption, engine)
    return "\n".join(
        [
            r"\clearpage\phantomsection",
            r"\addcontentsline{toc}{part}{" + title + "}",
            r"\part*{" + title + "}",
        ]
    )


def set_latex_config(app: Sphinx, config: Config) -> None:
    """Use the ``book`` class (for \\frontmatter) and the contents above, unless set explicitly."""
    config.latex_docclass = {"manual": "book", **config.latex_docclass}
    config.latex_elements = {"tableofcontents": TABLE_OF_CONTENTS, **config.latex_elements}


def _first_docname(wrapper: nodes.Element) -> str | None:
    for node in wrapper.findall(addnodes.start_of_file):
        return node["docname"]
    return None


def _demote_root_sections(root_section: nodes.section, first_wrapper: int) -> None:
    """Put the root page's text (up to its toctrees) into one chapter, so its ``##`` become sections.

    The LaTeX writer uses the root page's title as the document title and skips it; without this,
    each ``##`` section of the introduction is a chapter.
    """
    content = root_section.children[1:first_wrapper]
    chapter = nodes.section("", nodes.title(ROOT_CHAPTER_TITLE, ROOT_CHAPTER_TITLE))
    for child in content:
        root_section.remove(child)
        chapter.append(child)
    root_section.insert(1, chapter)


def _move_bibliography(doctree: nodes.document) -> None:
    """Put the gathered bibliography at the end of the page that holds the ``{bibliography}`` directive."""
    bibliographies = list(doctree.findall(thebibliography))
    docnames = {citation.get("docname") for bib in bibliographies for citation in bib.findall(nodes.citation)}
    if len(bibliographies) != 1 or len(docnames) != 1:
        return
    docname = docnames.pop()
    page = next((n for n in doctree.findall(addnodes.start_of_file) if n["docname"] == docname), None)
    section = next((n for n in page.children if isinstance(n, nodes.section)), None) if page else None
    if section is None:
        return
    bibliography = bibliographies[0]
    bibliography.parent.remove(bibliography)
    section += nodes.raw("", BIBLIOGRAPHY_IN_CHAPTER + "\n", format="latex")
    section += bibliography


def _fix_exercise_references(app: Sphinx, doctree: nodes.document) -> None:
    """Print Sphinx's exercise numbers in references that LaTeX would otherwise number with ``\\ref``."""
    registry = getattr(app.env, "sphinx_exercise_registry", None)
    if not registry:
        return
    from sphinx_exercise.nodes import exercise_enumerable_node, exercise_latex_number_reference

    for ref in list(doctree.findall(addnodes.number_reference)):
        if isinstance(ref, exercise_latex_number_reference):
            continue
        label = ref.get("refid") or ref.get("refuri", "").partition("#")[2]
        target = registry.get(label, {}).get("node")
        if not isinstance(target, exercise_enumerable_node):
            continue
        # sphinx-exercise's own node: it writes \hyperref[exercise:LABEL]{TEXT}, the label its
        # exercises carry in LaTeX; TEXT is the number Sphinx computed ("Exercise 3.2").
        new = exercise_latex_number_reference("", "", *ref.children, refid=label)
        ref.replace_self(new)


def restructure(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Rearrange the LaTeX builder's single document tree (the root page with every page inlined)."""
    if app.builder.name != "latex" or docname != app.config.root_doc:
        return
    _fix_exercise_references(app, doctree)
    _move_bibliography(doctree)

    site_map = getattr(app.env, "external_site_map", None)
    root_item = site_map.get(docname) if site_map is not None else None
    root_section = next((n for n in doctree.children if isinstance(n, nodes.section)), None)
    if root_item is None or root_section is None:
        logger.warning("latex_fixes: no external table of contents or root section; structure unchanged")
        return
    wrappers = [
        child
        for child in root_section.children
        if isinstance(child, nodes.compound) and "toctree-wrapper" in child["classes"]
    ]
    subtrees = root_item.subtrees
    firsts = [str(next(iter(subtree.items), "")) for subtree in subtrees]
    if [_first_docname(wrapper) for wrapper in wrappers] != firsts:
        logger.warning("latex_fixes: the root page's toctrees do not match _toc.yml's parts; structure unchanged")
        return

    _demote_root_sections(root_section, root_section.index(wrappers[0]))

    engine = app.config.latex_engine
    matter = "front"
    for wrapper, subtree in zip(wrappers, subtrees, strict=True):
        latex = []
        if subtree.numbered and matter == "front":
            latex.append(MAIN_MATTER)
            matter = "main"
        elif not subtree.numbered and matter == "main":
            latex.append(BACK_MATTER)
            matter = "back"
        elif subtree.numbered and matter == "back":
            logger.warning("latex_fixes: numbered part %r after the back matter is not numbered", subtree.caption)
        if subtree.caption:
            latex.append(part_heading(subtree.caption, engine))
        wrapper.insert(0, nodes.raw("", "\n".join(latex) + "\n", format="latex"))


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the configuration defaults and the LaTeX restructuring."""
    app.connect("config-inited", set_latex_config)
    app.connect("doctree-resolved", restructure)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}


def write_pdf_config(source: Path, target: Path) -> None:
    """Write ``source`` (a Jupyter Book ``_config.yml``) to ``target`` with this extension added.

    The extension's path is written relative to ``target``'s folder, as Jupyter Book resolves it.
    """
    import os

    import yaml

    class Dumper(yaml.SafeDumper):
        """Writes multi-line strings (the LaTeX preamble) as literal blocks, as in ``_config.yml``."""

    def represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)

    Dumper.add_representer(str, represent_str)
    config = yaml.safe_load(source.read_text(encoding="utf-8"))
    here = Path(__file__).resolve().parent
    relative = os.path.relpath(here, target.resolve().parent)
    config.setdefault("sphinx", {}).setdefault("local_extensions", {})["latex_fixes"] = relative
    target.parent.mkdir(parents=True, exist_ok=True)
    header = f"# Written by book/_ext/latex_fixes.py from {source} for `make pdf`; edit {source}, not this file.\n"
    text = yaml.dump(config, Dumper=Dumper, allow_unicode=True, sort_keys=False, width=120)
    target.write_text(header + text, encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python book/_ext/latex_fixes.py _config.yml OUTPUT.yml")
    write_pdf_config(Path(sys.argv[1]), Path(sys.argv[2]))
