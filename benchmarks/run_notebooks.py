"""Execute every notebook in a fresh kernel and record its wall time.

Writes ``benchmarks/results/notebooks.md``. The budget is 60 s per notebook on a 2-core CPU; times
are recorded here, never asserted in tests. Usage: ``python benchmarks/run_notebooks.py [--seed S]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from machine import describe  # noqa: E402

BUDGET_SECONDS = 60.0


def time_notebook(path: Path, seed: int) -> float:
    nb = nbformat.read(path, as_version=4)
    os.environ["TUTORIAL_SEED"] = str(seed)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args()
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    rows = []
    for path in paths:
        seconds = time_notebook(path, args.seed)
        verdict = "within budget" if seconds <= BUDGET_SECONDS else "OVER BUDGET"
        rows.append(f"| `{path.name}` | {seconds:.1f} | {verdict} |")
        print(f"{path.name}: {seconds:.1f} s ({verdict})", flush=True)
    out = ROOT / "benchmarks" / "results" / "notebooks.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        "# Notebook execution times\n\n"
        f"Each notebook executed top to bottom in a fresh kernel, `TUTORIAL_SEED={args.seed}`, "
        f"budget {BUDGET_SECONDS:.0f} s. {describe()}\n\n"
        "| notebook | seconds | budget |\n| --- | ---: | --- |\n" + "\n".join(rows) + "\n",
        encoding="utf-8",
    )
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
