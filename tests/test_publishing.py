"""The CI workflow and .ci/run call only `make` targets that exist; the workflow is valid YAML."""

import re

import yaml

from tests.conventions import ROOT

MAKE_CALL = re.compile(r"\bmake\s+(?:--?[\w-]+\s+)*([a-z][\w-]*)")


def _targets() -> set[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([a-z][\w-]*):", text, flags=re.MULTILINE))


def _workflow_commands() -> list[str]:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "book.yml").read_text(encoding="utf-8"))
    return [step["run"] for job in workflow["jobs"].values() for step in job.get("steps", []) if "run" in step]


def test_workflow_runs_the_ci_script_and_publishes_the_checked_build():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "book.yml").read_text(encoding="utf-8"))
    assert any("bash .ci/run" in run for run in _workflow_commands())
    uploads = [s for s in workflow["jobs"]["test"]["steps"] if "upload-pages-artifact" in s.get("uses", "")]
    assert uploads and uploads[0]["with"]["path"] == "_build/html"
    assert workflow["jobs"]["publish"]["needs"] == "test"


def test_every_make_call_names_an_existing_target():
    targets = _targets()
    assert {"book", "test", "bench", "student", "release", "serve"} <= targets
    calls = [(".ci/run", m) for m in MAKE_CALL.findall((ROOT / ".ci" / "run").read_text(encoding="utf-8"))]
    calls += [("workflow", m) for run in _workflow_commands() for m in MAKE_CALL.findall(run)]
    assert (".ci/run", "test") in calls
    unknown = [f"{where}: make {target}" for where, target in calls if target not in targets]
    assert not unknown, f"calls to make targets that do not exist: {unknown}"
