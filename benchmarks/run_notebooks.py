"""Execute every notebook in a fresh kernel and record its wall time.

Writes ``benchmarks/results/notebooks.md``. The budget is 60 s per notebook on a 2-core CPU; times
are recorded here, never asserted in tests. Usage: ``python benchmarks/run_notebooks.py [--seed S]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import datetime
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from machine import describe, load_average  # noqa: E402

BUDGET_SECONDS = 60.0


def cell_seconds(cell) -> float:
    """A cell's execution time from the timestamps nbclient records in its metadata."""
    timing = cell.get("metadata", {}).get("execution", {})
    try:
        start = datetime.fromisoformat(timing["iopub.execute_input"].replace("Z", "+00:00"))
        end = datetime.fromisoformat(timing["shell.execute_reply"].replace("Z", "+00:00"))
    except KeyError:
        return 0.0
    return (end - start).total_seconds()


def time_notebook(path: Path, seed: int) -> tuple[float, list[tuple[float, int, str]]]:
    """Wall time of the whole notebook, and (seconds, cell index, first line) of each code cell."""
    nb = nbformat.read(path, as_version=4)
    os.environ["TUTORIAL_SEED"] = str(seed)
    client = NotebookClient(
        nb, timeout=600, kernel_name="python3", record_timing=True, resources={"metadata": {"path": str(path.parent)}}
    )
    start = time.perf_counter()
    client.execute()
    total = time.perf_counter() - start
    cells = [
        (cell_seconds(cell), index, next((ln for ln in cell.source.splitlines() if ln.strip()), ""))
        for index, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
    ]
    return total, cells


def slowest(cells: list[tuple[float, int, str]], top: int = 2) -> str:
    parts = []
    for seconds, index, line in sorted(cells, reverse=True)[:top]:
        line = line.strip().replace("|", "\\|").replace("`", "")
        parts.append(f"cell {index} ({seconds:.1f} s): `{line[:50]}`")
    return "; ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args()
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    load = load_average()
    rows = []
    for path in paths:
        seconds, cells = time_notebook(path, args.seed)
        verdict = "within budget" if seconds <= BUDGET_SECONDS else "OVER BUDGET"
        rows.append(f"| `{path.name}` | {seconds:.1f} | {verdict} | {slowest(cells)} |")
        print(f"{path.name}: {seconds:.1f} s ({verdict})", flush=True)
    out = ROOT / "benchmarks" / "results" / "notebooks.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        "# Notebook execution times\n\n"
        f"Each notebook executed top to bottom in a fresh kernel, `TUTORIAL_SEED={args.seed}`, "
        f"budget {BUDGET_SECONDS:.0f} s. The two slowest cells of each notebook (times recorded by nbclient) "
        "show where its time goes. "
        f"{describe()} Load average (1, 5, 15 min) at the start: {load}.\n\n"
        "| notebook | seconds | budget | slowest cells |\n| --- | ---: | --- | --- |\n" + "\n".join(rows) + "\n",
        encoding="utf-8",
    )
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
