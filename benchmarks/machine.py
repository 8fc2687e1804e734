"""A one-paragraph description of the machine a benchmark ran on, for the results tables."""

from __future__ import annotations

import os
import platform
from datetime import datetime, timezone


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def describe() -> str:
    import numpy
    import torch

    return (
        f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC on {cpu_model()}, "
        f"{os.cpu_count()} logical cores, {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, PyTorch {torch.__version__} "
        f"({torch.get_num_threads()} threads), NumPy {numpy.__version__}."
    )
