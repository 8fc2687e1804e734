"""Checks of the book's text that the strict build does not make by itself."""

from __future__ import annotations

import importlib
import importlib.metadata
import inspect
import pkgutil
import re
from collections import defaultdict
from pathlib import Path

import tutorial_lib
from tests.conventions import ROOT, version

BOOK = ROOT / "book"
CHAPTERS = sorted(BOOK.glob("[0-9][0-9]-*.md"))
TERM_ROLE = re.compile(r"\{term\}`([^`]+)`")
EQ_ROLE = re.compile(r":eq:`([^`]+)`")
LABEL = re.compile(r"^\s*:label:\s*(\S+)", re.MULTILINE)
# A cross-reference to the API: {py:func}`tutorial_lib.m.f`, {py:func}`~tutorial_lib.m.f`,
# {py:func}`text <tutorial_lib.m.f>`.
PY_ROLE = re.compile(r"\{py:(func|class|meth|obj)\}`(?:[^`<]*<)?~?([\w.]+)>?`")
AUTOMODULE = re.compile(r"^\.\. automodule:: (\S+)\n((?:[ \t]+:[\w-]+:.*\n?)*)", re.MULTILINE)
HEADING = re.compile(r"^(#{1,6}) (.*)$")
FENCE = re.compile(r"^\s*(`{3,}|~{3,}|:{3,})(.*)$")
# The roles that may name each kind of object (Sphinx resolves any role to any object, so the build does not check).
ROLES = {"function": {"func", "obj"}, "class": {"class", "obj"}, "method": {"meth", "obj"}}


def _glossary_terms() -> set[str]:
    text = (BOOK / "glossary.md").read_text(encoding="utf-8")
    block = text.split("```{glossary}", 1)[1].split("```", 1)[0]
    return {line.strip().lower() for line in block.splitlines() if line and not line.startswith((" ", "\t"))}


def _term_target(ref: str) -> str:
    """The glossary entry a ``{term}`` role names (lower case, as Sphinx matches it): ``text <Term>`` or ``Term``."""
    return (ref.rsplit("<", 1)[-1].rstrip(">") if "<" in ref else ref).strip().lower()


def test_every_term_reference_is_in_the_glossary():
    terms = _glossary_terms()
    assert len(terms) >= 15
    missing = []
    for page in BOOK.rglob("*.md"):
        for ref in TERM_ROLE.findall(page.read_text(encoding="utf-8")):
            if _term_target(ref) not in terms:
                missing.append(f"{page.relative_to(ROOT)}: {ref}")
    assert not missing, "term references without a glossary entry:\n" + "\n".join(missing)


def test_every_chapter_links_its_terms_to_the_glossary():
    """Each chapter links at least three glossary terms, each at most once (at its first mention, by the
    book's convention), and never in a heading."""
    terms = _glossary_terms()
    assert len(CHAPTERS) == 8
    problems = []
    for page in CHAPTERS:
        text = page.read_text(encoding="utf-8")
        targets = [_term_target(ref) for ref in TERM_ROLE.findall(text)]
        linked = set(targets) & terms
        if len(linked) < 3:
            problems.append(f"{page.relative_to(ROOT)}: {len(linked)} glossary terms linked, expected at least 3")
        repeated = sorted({target for target in targets if targets.count(target) > 1})
        if repeated:
            problems.append(f"{page.relative_to(ROOT)}: linked more than once: {', '.join(repeated)}")
        problems += [
            f"{page.relative_to(ROOT)}: term link in the heading '{title}'"
            for _, title, _ in _headings(text)
            if TERM_ROLE.search(title)
        ]
    assert not problems, "\n".join(problems)


def _label_pages() -> dict[str, Path]:
    """The page of the book that defines each ``:label:``."""
    return {label: page for page in BOOK.rglob("*.md") for label in LABEL.findall(page.read_text(encoding="utf-8"))}


def test_equation_labels_named_in_docstrings_exist_in_the_book():
    labels = _label_pages()
    missing = []
    for module in (ROOT / "tutorial_lib").rglob("*.py"):
        for label in EQ_ROLE.findall(module.read_text(encoding="utf-8")):
            if label not in labels:
                missing.append(f"{module.relative_to(ROOT)}: {label}")
    assert not missing, "docstrings name equation labels that the book does not define:\n" + "\n".join(missing)


def _function(attribute: object) -> object:
    """The function behind a class attribute (static and class methods, properties), or the attribute itself."""
    if isinstance(attribute, (staticmethod, classmethod)):
        return attribute.__func__
    if isinstance(attribute, property):
        return attribute.fget
    return attribute


def _labelled_objects() -> list[tuple[object, str, str, list[str]]]:
    """``(object, kind, where it is defined, labels)`` for every public function, class and method of
    tutorial_lib whose docstring names equations with ``:eq:`` (public: in ``__all__`` when the module
    has one, else not starting with an underscore; methods: not starting with an underscore)."""
    found = []
    for info in pkgutil.walk_packages(tutorial_lib.__path__, "tutorial_lib."):
        module = importlib.import_module(info.name)
        public = getattr(module, "__all__", [name for name in vars(module) if not name.startswith("_")])
        for name in public:
            obj = getattr(module, name)
            if not (inspect.isfunction(obj) or inspect.isclass(obj)) or obj.__module__ != module.__name__:
                continue
            where = f"{module.__name__}.{name}"
            kind = "class" if inspect.isclass(obj) else "function"
            found.append((obj, kind, where, EQ_ROLE.findall(inspect.getdoc(obj) or "")))
            if kind == "class":
                for attr_name, attribute in vars(obj).items():
                    method = _function(attribute)
                    if not attr_name.startswith("_") and inspect.isfunction(method):
                        labels = EQ_ROLE.findall(inspect.getdoc(method) or "")
                        found.append((method, "method", f"{where}.{attr_name}", labels))
    return [entry for entry in found if entry[3]]


def _api_entries() -> dict[object, set[str]]:
    """The dotted names under which book/api/*.md documents each function, class and method.

    Mirrors autodoc's choice for ``automodule`` with ``:members:``: the names in the module's
    ``__all__`` if it has one, else its public names defined in it (or imported, with
    ``:imported-members:``); for each class, its public functions with a docstring.
    """
    entries: dict[object, set[str]] = defaultdict(set)
    for page in sorted((BOOK / "api").glob("*.md")):
        for module_name, options in AUTOMODULE.findall(page.read_text(encoding="utf-8")):
            module = importlib.import_module(module_name)
            imported = ":imported-members:" in options
            names = getattr(module, "__all__", None) or [
                name
                for name, obj in vars(module).items()
                if not name.startswith("_") and (imported or getattr(obj, "__module__", None) == module_name)
            ]
            for name in names:
                obj = getattr(module, name)
                if not (inspect.isfunction(obj) or inspect.isclass(obj)):
                    continue
                entries[obj].add(f"{module_name}.{name}")
                if inspect.isclass(obj):
                    for attr_name, attribute in vars(obj).items():
                        method = _function(attribute)
                        if not attr_name.startswith("_") and inspect.isfunction(method) and method.__doc__:
                            entries[method].add(f"{module_name}.{name}.{attr_name}")
    return entries


def _headings(text: str) -> list[tuple[int, str, int]]:
    """``(level, title, line index)`` of the page's headings; a ``#`` line inside a code, math or directive fence
    is not a heading (fences may nest; a bare fence closes the innermost one if at least as long, else opens one)."""
    headings = []
    fences: list[str] = []
    for index, line in enumerate(text.splitlines()):
        fence = FENCE.match(line)
        if fence:
            marker, info = fence.groups()
            if fences and not info.strip() and marker[0] == fences[-1][0] and len(marker) >= len(fences[-1]):
                fences.pop()
            else:
                fences.append(marker)
        heading = HEADING.match(line)
        if heading and not fences:
            headings.append((len(heading.group(1)), heading.group(2).strip(), index))
    return headings


def _sections(text: str) -> list[tuple[str, str]]:
    """``(title, text)`` of each ``#`` and ``##`` section of a page; ``###`` subsections stay in their section."""
    lines = text.splitlines()
    starts = [("(top of page)", 0)] + [(title, index) for level, title, index in _headings(text) if level <= 2]
    ends = [index for _, index in starts[1:]] + [len(lines)]
    return [(title, "\n".join(lines[start:end])) for (title, start), end in zip(starts, ends, strict=True)]


def _defines(text: str, label: str) -> bool:
    return label in LABEL.findall(text)


def _references(text: str) -> set[tuple[str, str]]:
    """``(role, dotted name)`` of every ``{py:...}`` cross-reference in ``text``."""
    return set(PY_ROLE.findall(text))


def test_every_labelled_object_has_an_api_entry():
    """A docstring that names a book equation belongs to an object the API pages document."""
    entries = _api_entries()
    missing = [f"{where} ({', '.join(labels)})" for obj, _, where, labels in _labelled_objects() if obj not in entries]
    assert not missing, "objects naming book equations but absent from book/api/*.md:\n" + "\n".join(missing)


def test_every_implemented_equation_links_to_its_implementation():
    """Traceability, book to code: the page of each equation named in a docstring links to the API entry of
    the object that implements it. Library code must be linked in the equation's section (``##``); an
    exercise checker (``tutorial_lib.exercises``) anywhere on the page, normally in its exercise."""
    label_pages = _label_pages()
    entries = _api_entries()
    objects = _labelled_objects()
    pairs = sorted(
        ((obj, kind, where, label) for obj, kind, where, labels in objects for label in labels),
        key=lambda pair: (str(label_pages.get(pair[3], "")), pair[3], pair[2]),
    )
    assert len(pairs) >= 80, f"only {len(pairs)} (object, equation) pairs found: is the scan broken?"
    missing = []
    for obj, kind, _, label in pairs:
        names = entries.get(obj, set())
        if label not in label_pages or not names:
            continue  # reported by test_equation_labels_named_in_docstrings_exist_in_the_book or the test above
        page = label_pages[label]
        text = page.read_text(encoding="utf-8")
        scope, where = text, "page"
        if not any(name.startswith("tutorial_lib.exercises.") for name in names):
            scope, where = next(
                (body, f"section '{title}'") for title, body in _sections(text) if _defines(body, label)
            )
        found = {name for role, name in _references(scope) if role in ROLES[kind]}
        if not names & found:
            name = sorted(names)[0]
            role = sorted(ROLES[kind] - {"obj"})[0]
            missing.append(f"{page.relative_to(ROOT)}: equation {label} ({where}) lacks {{py:{role}}}`{name}`")
    assert not missing, "equations whose implementation is not linked from the book:\n" + "\n".join(missing)


def test_one_version_everywhere():
    """__init__.py holds the version; the installed metadata and the setup cell agree with it."""
    assert tutorial_lib.__version__ == version()
    assert importlib.metadata.version("tutorial-lib") == version(), "reinstall: pip install -e ."
