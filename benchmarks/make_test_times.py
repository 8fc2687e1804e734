"""Time each gate of ``make test``, then a warm ``make book``.

Runs, one after another and exactly as the Makefile's ``test`` target does, ``make
--no-print-directory GATE`` for the prerequisites (``venv mathjax``) and the gates ``lint``,
``unit``, ``nbval``, ``book-clean``, ``book`` (the cold build: ``_build`` was just removed, so every
notebook executes; target at most 10 minutes) and ``render``, then ``make book`` once more with
nothing changed (the warm build: target at most 30 s). Each command is a subprocess whose output
goes to this terminal; its wall time is taken with ``time.perf_counter``. The run stops at the
first gate that fails, and the table still lists every gate (the rest as not run).

Run from anywhere: ``.venv/bin/python benchmarks/make_test_times.py`` (about 10 minutes; do not
run other heavy work meanwhile). Writes ``benchmarks/results/make_test.md``. ``--dry-run`` prints
the commands without running them; ``--only GATE`` runs one gate and prints its row (the results
file is written only with ``--output``).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "make_test.md"
sys.path.insert(0, str(ROOT / "benchmarks"))
from machine import load_average  # noqa: E402  (standard library only: safe outside the venv)


@dataclass(frozen=True)
class Step:
    label: str
    targets: tuple[str, ...]
    target_seconds: float | None = None
    note: str = ""

    @property
    def command(self) -> list[str]:
        return ["make", "--no-print-directory", *self.targets]


# The order of the Makefile's `test` recipe, preceded by its prerequisites and followed by the warm build.
STEPS = [
    Step("prerequisites", ("venv", "mathjax"), note="`test: venv mathjax`; nothing to do when up to date"),
    Step("lint", ("lint",)),
    Step("unit", ("unit",)),
    Step("nbval", ("nbval",)),
    Step("book-clean", ("book-clean",)),
    Step("book", ("book",), 600.0, "cold: `_build` removed, every notebook executes"),
    Step("render", ("render",)),
    Step("book (warm)", ("book",), 30.0, "second build, nothing changed"),
]
GATES = [step.label for step in STEPS]


@dataclass
class Outcome:
    step: Step
    seconds: float | None = None  # None: not run
    returncode: int | None = None

    @property
    def result(self) -> str:
        if self.returncode is None:
            return "not run"
        return "pass (exit 0)" if self.returncode == 0 else f"FAIL (exit {self.returncode})"

    @property
    def verdict(self) -> str:
        limit = self.step.target_seconds
        if limit is None:
            return "-"
        text = f"<= {limit / 60:g} min" if limit >= 60 else f"<= {limit:g} s"
        if self.seconds is None:
            return text
        return f"{text}: {'met' if self.seconds <= limit else 'MISSED'}"


def run_steps(steps: list[Step], dry_run: bool) -> list[Outcome]:
    """Run the steps in order; stop after the first non-zero exit code."""
    outcomes = [Outcome(step) for step in steps]
    for outcome in outcomes:
        shown = " ".join(outcome.step.command)
        if dry_run:
            print(f"(cd {ROOT} && {shown})")
            continue
        print(f"==> {shown}", flush=True)
        start = time.perf_counter()
        completed = subprocess.run(outcome.step.command, cwd=ROOT, check=False)
        outcome.seconds = time.perf_counter() - start
        outcome.returncode = completed.returncode
        print(f"<== {shown}: {outcome.seconds:.1f} s, {outcome.result}", flush=True)
        if completed.returncode != 0:
            break
    return outcomes


def machine_description() -> str:
    try:
        from machine import describe

        return describe()
    except ImportError as exc:  # run without the project's venv: no torch/numpy versions
        import platform

        return f"{platform.platform()}, Python {platform.python_version()} (machine.describe unavailable: {exc})"


def source_state() -> str:
    """The commit timed, and whether the working tree differed from it (read-only git commands)."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        # This run's own results file does not count (an earlier run may have rewritten it).
        own = f":(exclude){RESULTS.relative_to(ROOT)}"
        diff = subprocess.run(["git", "diff", "--quiet", "HEAD", "--", ".", own], cwd=ROOT, check=False)
        dirty = diff.returncode != 0
    except (OSError, subprocess.CalledProcessError):
        return "Source: not a git checkout."
    return f"Source: commit `{commit}`" + (" with uncommitted changes." if dirty else ", clean working tree.")


def table(outcomes: list[Outcome]) -> list[str]:
    rows = ["| gate | command | seconds | result | target |", "|---|---|---:|---|---|"]
    for o in outcomes:
        seconds = "-" if o.seconds is None else f"{o.seconds:.1f}" if o.seconds >= 1 else f"{o.seconds:.2f}"
        note = f" ({o.step.note})" if o.step.note else ""
        rows.append(f"| {o.step.label}{note} | `{' '.join(o.step.command)}` | {seconds} | {o.result} | {o.verdict} |")
    ran = [o for o in outcomes if o.seconds is not None]
    gates = [o for o in ran if o.step.label != "book (warm)"]
    total_test = sum(o.seconds for o in gates)
    total = sum(o.seconds for o in ran)
    failed = next((o for o in ran if o.returncode != 0), None)
    rows += [
        "",
        f"Total of the `make test` steps that ran ({len(gates)} of {len(STEPS) - 1}): {total_test:.1f} s "
        f"({total_test / 60:.1f} min); with the warm build: {total:.1f} s.",
    ]
    if failed is not None:
        rows.append(f"Stopped at `{failed.step.label}` ({failed.result}); the gates after it did not run.")
    return rows


def report(outcomes: list[Outcome], header: list[str], load_end: str) -> str:
    return "\n".join(
        [
            "# Time of each `make test` gate",
            "",
            "Written by `benchmarks/make_test_times.py`. Each gate ran as `make --no-print-directory GATE` in",
            "a subprocess, in the order of the Makefile's `test` target, timed with `time.perf_counter` (one run,",
            "wall time, so the numbers include the machine's other load). `book` is the cold build that follows",
            "`book-clean`; `book (warm)` is a second `make book` with nothing changed.",
            "",
            *header,
            f"Load average at the end: {load_end}.",
            "",
            *table(outcomes),
            "",
        ]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="print the commands, run nothing")
    parser.add_argument("--only", choices=GATES, help="run this one gate only (prints its row)")
    parser.add_argument("--output", type=Path, default=None, help=f"results file (default {RESULTS} for a full run)")
    args = parser.parse_args()
    steps = [s for s in STEPS if s.label == args.only] if args.only else STEPS
    if args.dry_run:
        run_steps(steps, dry_run=True)
        return 0
    header = [
        machine_description(),
        "",
        f"Load average (1, 5, 15 min) at the start: {load_average()}.",
        source_state(),
    ]
    outcomes = run_steps(steps, dry_run=False)
    text = report(outcomes, header, load_average())
    output = args.output if args.output is not None else (None if args.only else RESULTS)
    if output is None:
        print(text)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
        print("\n".join(table(outcomes)))
        print(f"wrote {output}")
    return 0 if all(o.returncode == 0 for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
