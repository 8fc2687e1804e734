"""What every benchmark shares: the machine it ran on, its load, and interleaved paired timing."""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Callable
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


def load_average() -> str:
    """The 1, 5 and 15 min load averages, for the results pages (this machine is often shared)."""
    return ", ".join(f"{v:.2f}" for v in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"


def paired_times(
    a: Callable[[], object], b: Callable[[], object], repeats: int
) -> tuple[float, float, float, float]:
    """Median time of ``a``, of ``b`` (seconds), median and interquartile range of the paired ratios a / b.

    Both run alternately, the order flipped each repeat, so a drift in machine load hits both alike.
    """
    for _ in range(2):  # warm up both (allocator, kernel selection)
        a(), b()
    times_a, times_b = [], []
    for r in range(repeats):
        for fn in (a, b) if r % 2 == 0 else (b, a):
            start = time.perf_counter()
            fn()
            (times_a if fn is a else times_b).append(time.perf_counter() - start)
    ratios = [x / y for x, y in zip(times_a, times_b, strict=True)]
    quartiles = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else [ratios[0]] * 3
    iqr = quartiles[2] - quartiles[0]
    return statistics.median(times_a), statistics.median(times_b), statistics.median(ratios), iqr
