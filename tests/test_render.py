"""Render check: open every built page in headless Chromium and look at it as a reader would.

Fails on mathematics MathJax did not typeset, MathJax errors, red text from undefined macros, images
that did not load or have no meaningful alt text, and any request that is not to a local file.
Saves screenshots of the front page and of every chapter to ``_build/screenshots/``.

Run after ``make book`` with ``make render`` (part of ``make test``). Uses Debian's ``chromium``,
found with ``shutil.which``; Playwright never downloads a browser here.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HTML = Path(os.environ.get("BOOK_HTML", ROOT / "_build" / "html"))
SHOTS = ROOT / "_build" / "screenshots"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")
# Pages a reader should see in a screenshot: the front page and every chapter text and notebook.
SCREENSHOT_PATTERN = re.compile(r"^(index|book/intro|book/\d\d-[\w-]+|notebooks/\d\d-[\w-]+|book/course)\.html$")

pytestmark = pytest.mark.render

INSPECT_JS = """
async () => {
  const mathNodes = Array.from(document.querySelectorAll('.math'));
  if (mathNodes.length > 0) {
    const t0 = Date.now();
    while (!(window.MathJax && MathJax.startup && MathJax.startup.promise)) {
      if (Date.now() - t0 > 20000) { return {error: 'MathJax did not load within 20 s'}; }
      await new Promise(r => setTimeout(r, 50));
    }
    await MathJax.startup.promise;
    if (MathJax.typesetPromise) { await MathJax.typesetPromise(); }
  }
  const untypeset = mathNodes
    .filter(n => !n.querySelector('mjx-container'))
    .map(n => n.textContent.trim().slice(0, 80));
  const errors = Array.from(document.querySelectorAll('mjx-merror'))
    .map(n => (n.getAttribute('data-mjx-error') || n.textContent).slice(0, 80));
  const red = [];
  for (const c of document.querySelectorAll('mjx-container')) {
    for (const el of c.querySelectorAll('*')) {
      const color = getComputedStyle(el).color;
      if (color === 'rgb(255, 0, 0)' && el.textContent.trim()) { red.push(el.textContent.trim().slice(0, 40)); break; }
    }
  }
  const images = Array.from(document.images).map(img => ({
    src: img.getAttribute('src') || '',
    ok: img.complete && img.naturalWidth > 0,
    alt: (img.getAttribute('alt') || '').trim(),
    decorative: img.closest('.navbar-brand, .logo, .sidebar-brand') !== null,
  }));
  const body = document.body ? document.body.innerText : '';
  const rawMath = (body.match(/\\\\\\(|\\\\\\[/g) || []).length;
  return {untypeset, errors, red, images, rawMath};
}
"""


def _is_redirect(path: Path) -> bool:
    """Jupyter Book writes index.html as a meta-refresh redirect to the root page."""
    return 'http-equiv="Refresh"' in path.read_text(encoding="utf-8", errors="replace")[:2000]


def _pages() -> list[Path]:
    return sorted(
        p
        for p in HTML.rglob("*.html")
        if "_static" not in p.parts and "_sources" not in p.parts and not _is_redirect(p)
    )


@pytest.fixture(scope="module")
def browser():
    if not (HTML / "index.html").exists():
        pytest.fail("no built book at _build/html: run `make book` first")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        message = "Chromium is not installed: `apt-get install -y chromium` (the render check needs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_FLAGS)
        yield instance
        instance.close()


def test_every_page_renders(browser):
    pages = _pages()
    assert pages, "the build produced no HTML pages"
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    external: list[str] = []

    def guard(route):
        url = route.request.url
        if url.startswith(LOCAL_SCHEMES):
            route.continue_()
        else:
            external.append(url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    for path in pages:
        rel = path.relative_to(HTML).as_posix()
        external.clear()
        page.goto(path.as_uri(), wait_until="load")
        result = page.evaluate(INSPECT_JS)
        if "error" in result:
            problems.append(f"{rel}: {result['error']}")
            continue
        if result["untypeset"]:
            shown = result["untypeset"][:3]
            problems.append(f"{rel}: {len(result['untypeset'])} math elements not typeset, e.g. {shown}")
        if result["errors"]:
            problems.append(f"{rel}: MathJax errors {result['errors'][:5]}")
        if result["red"]:
            problems.append(f"{rel}: red text in math (undefined macro?) {result['red'][:5]}")
        if result["rawMath"]:
            problems.append(f"{rel}: {result['rawMath']} raw \\( or \\[ delimiters left in the page text")
        for image in result["images"]:
            if not image["ok"]:
                problems.append(f"{rel}: image did not load: {image['src']}")
            if not image["decorative"] and (not image["alt"] or image["alt"].startswith("<Figure size")):
                problems.append(f"{rel}: image without meaningful alt text: {image['src'][:60]}")
        if external:
            problems.append(f"{rel}: requests that are not to local files: {sorted(set(external))[:5]}")
        if SCREENSHOT_PATTERN.match(rel):
            page.screenshot(path=str(SHOTS / (rel.replace("/", "__")[:-5] + ".png")), full_page=False)
    context.close()
    assert not problems, "render check failed:\n" + "\n".join(problems)
