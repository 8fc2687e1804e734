"""Colab readiness: the built wheel, installed with only what a Colab runtime already has plus the
wheel's own declared requirements, runs a chapter notebook.

This proves the package declares its modules, data files and dependencies. A fresh virtual
environment gets the packages a Colab runtime ships (PyTorch, NumPy, SciPy, scikit-learn,
Matplotlib, tqdm, and Jupyter's kernel machinery) at this machine's pinned versions, then the wheel
with its dependencies (which adds what Colab lacks, e.g. jieba). No package from the development
environment leaks in: the venv has no access to the project's ``.venv`` or source tree.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conventions import ROOT

COLAB_PACKAGES = ["torch", "numpy", "scipy", "scikit-learn", "matplotlib", "tqdm", "ipykernel", "nbclient", "nbformat"]
NOTEBOOK = ROOT / "notebooks" / "02-langevin.ipynb"


def _pins(names: list[str]) -> list[str]:
    """This environment's pinned versions of ``names`` (from requirements.txt)."""
    pins = {}
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        if "==" in line and not line.startswith("#"):
            name, ver = line.split("==", 1)
            pins[name.lower().replace("_", "-")] = f"{name}=={ver.strip()}"
    return [pins[name] for name in names]


@pytest.mark.slow
@pytest.mark.skipif(not NOTEBOOK.exists(), reason="the notebook this test runs does not exist yet")
def test_wheel_runs_a_notebook_in_a_fresh_environment(tmp_path: Path):
    wheel_dir = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheel_dir), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheel_dir.glob("tutorial_lib-*.whl")
    venv = tmp_path / "colab"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, *_pins(COLAB_PACKAGES)], check=True)
    subprocess.run([*pip, str(wheel)], check=True)

    # Run outside the source tree so that `import tutorial_lib` can only find the installed wheel.
    work = tmp_path / "run"
    work.mkdir()
    shutil.copy(NOTEBOOK, work / NOTEBOOK.name)
    script = (
        "import nbformat, tutorial_lib\n"
        "from nbclient import NotebookClient\n"
        f"assert 'site-packages' in tutorial_lib.__file__, tutorial_lib.__file__\n"
        f"nb = nbformat.read('{NOTEBOOK.name}', as_version=4)\n"
        "NotebookClient(nb, timeout=300, kernel_name='python3').execute()\n"
        "print('notebook ran with tutorial_lib', tutorial_lib.__version__)\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    result = subprocess.run([str(python), "-c", script], cwd=work, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "notebook ran with tutorial_lib" in result.stdout
