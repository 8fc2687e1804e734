"""Overhead of the Langevin samplers over a bare Python loop doing the same work.

For each sampler and size, the library call and a hand-written loop with the same
number of gradient (or log-density + autograd gradient, or score) evaluations on
tensors of the same size run alternately in this process (order flipped each
repeat, so a drift in machine load hits both sides alike). The table reports the
median time of each side and the median of the paired ratios library / bare
(target: at most 1.1). The gradient is the cheapest there is (a standard
Gaussian's, -x), which makes any per-step overhead as visible as it can be; one
row uses the exact score of `data.two_mode_mixture()` as a realistic cost. The bare loops are as
lean as the library's (a preallocated noise buffer, in-place updates), so the ratio measures what
the library adds: argument checks, the finiteness check at the end, and its call overhead.

Run: `make bench` or `.venv/bin/python benchmarks/langevin_overhead.py [--repeats 9] [--threads 1]`.
Writes benchmarks/results/langevin_overhead.md.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import torch

from tutorial_lib import data
from tutorial_lib.langevin import annealed_langevin, mala, ula

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import describe, load_average, paired_times  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "langevin_overhead.md"


# ---- the bare loops: what a reader would write inline --------------------------------------------


def bare_ula(grad, x0, step, n_steps, generator):
    # As lean as a careful reader would write it: one preallocated noise buffer, in-place updates.
    x = x0.clone()
    noise = torch.empty_like(x)
    scale = math.sqrt(step)
    with torch.no_grad():
        for _ in range(n_steps):
            x = torch.add(x, grad(x), alpha=step / 2)
            x.add_(noise.normal_(generator=generator), alpha=scale)
    return x


def _value_and_grad(log_prob, x):
    with torch.enable_grad():
        x = x.detach().requires_grad_(True)
        value = log_prob(x)
        (grad,) = torch.autograd.grad(value.sum(), x)
    return value.detach(), grad


def bare_mala(log_prob, x0, step, n_steps, generator):
    x = x0.clone()
    n = x.shape[0]
    noise, uniform = torch.empty_like(x), x.new_empty(n)
    accepted = torch.zeros((), dtype=torch.int64)
    with torch.no_grad():
        log_p, grad = _value_and_grad(log_prob, x)
        for _ in range(n_steps):
            y = torch.add(x, grad, alpha=step / 2).add_(noise.normal_(generator=generator), alpha=math.sqrt(step))
            log_p_y, grad_y = _value_and_grad(log_prob, y)
            forward = (y - x - step / 2 * grad).square().sum(dim=1)
            backward = (x - y - step / 2 * grad_y).square().sum(dim=1)
            log_r = log_p_y - log_p - (backward - forward) / (2 * step)
            accept = uniform.uniform_(generator=generator).log_() < log_r
            x = torch.where(accept[:, None], y, x)
            log_p = torch.where(accept, log_p_y, log_p)
            grad = torch.where(accept[:, None], grad_y, grad)
            accepted += accept.sum()
    return x, accepted.item() / (n * n_steps)


def bare_annealed(score_fn, x0, sigmas, eps, n_steps_each, generator):
    x = x0.clone()
    noise = torch.empty_like(x)
    with torch.no_grad():
        for sigma in sigmas:
            alpha = eps * (sigma / sigmas[-1]) ** 2
            scale = math.sqrt(2 * alpha)
            for _ in range(n_steps_each):
                x = torch.add(x, score_fn(x, sigma), alpha=alpha)
                x.add_(noise.normal_(generator=generator), alpha=scale)
        x = torch.add(x, score_fn(x, sigmas[-1]), alpha=sigmas[-1] ** 2)
    return x


# ---- timing --------------------------------------------------------------------------------------


def cases(n_steps: int):
    gauss_grad = lambda x: -x  # noqa: E731
    gauss_log_prob = lambda x: -0.5 * (x**2).sum(dim=1)  # noqa: E731
    gauss_score = lambda x, sigma: -x / (1 + sigma**2)  # noqa: E731
    sigmas = [10.0 * 0.5**i for i in range(10)]
    n_each = max(1, n_steps // len(sigmas))
    mixture = data.two_mode_mixture()
    for n, d in [(100, 2), (10_000, 2), (1_000, 64)]:
        x0 = torch.randn(n, d, generator=torch.Generator().manual_seed(0))
        g1, g2 = torch.Generator(), torch.Generator()
        yield (
            "ula",
            f"{n} x {d}",
            f"{n_steps} grad calls, N(0, I)",
            lambda x0=x0, g1=g1: ula(gauss_grad, x0, 0.1, n_steps, generator=g1.manual_seed(1)),
            lambda x0=x0, g2=g2: bare_ula(gauss_grad, x0, 0.1, n_steps, g2.manual_seed(1)),
        )
        yield (
            "mala",
            f"{n} x {d}",
            f"{n_steps + 1} log_prob + autograd calls, N(0, I)",
            lambda x0=x0, g1=g1: mala(gauss_log_prob, x0, 0.5, n_steps, generator=g1.manual_seed(1)),
            lambda x0=x0, g2=g2: bare_mala(gauss_log_prob, x0, 0.5, n_steps, g2.manual_seed(1)),
        )
        yield (
            "annealed_langevin",
            f"{n} x {d}",
            f"{n_each * len(sigmas) + 1} score calls, 10 levels",
            lambda x0=x0, g1=g1: annealed_langevin(gauss_score, x0, sigmas, 1e-3, n_each, generator=g1.manual_seed(1)),
            lambda x0=x0, g2=g2: bare_annealed(gauss_score, x0, sigmas, 1e-3, n_each, g2.manual_seed(1)),
        )
    x0 = 16 * torch.rand(10_000, 2, generator=torch.Generator().manual_seed(0)) - 8
    g1, g2 = torch.Generator(), torch.Generator()
    yield (
        "ula",
        "10000 x 2",
        f"{n_steps} calls of two_mode_mixture().score",
        lambda: ula(mixture.score, x0, 0.1, n_steps, generator=g1.manual_seed(1)),
        lambda: bare_ula(mixture.score, x0, 0.1, n_steps, g2.manual_seed(1)),
    )


def machine() -> list[str]:
    """The shared machine description, plus the load average: this machine is often shared."""
    return [describe(), "", f"Load average (1, 5, 15 min) at the start: {load_average()}."]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    header = machine()
    rows = []
    for name, size, work, library, bare in cases(args.steps):
        lib_t, bare_t, ratio, _ = paired_times(library, bare, args.repeats)
        rows.append(f"| `{name}` | {size} | {work} | {lib_t * 1e3:.1f} | {bare_t * 1e3:.1f} | {ratio:.3f} |")
        print(rows[-1], flush=True)
    lines = [
        "# Overhead of the Langevin samplers",
        "",
        "Written by `benchmarks/langevin_overhead.py` (`make bench`). Each row: the library call and a bare",
        "Python loop with the same gradient evaluations on tensors of the same size, run alternately",
        f"{args.repeats} times in one process; medians of the times and of the paired ratios library / bare",
        "(target: at most 1.1). Times are recorded here, never asserted in tests.",
        "",
        *header,
        "",
        "| sampler | chains x dim | work per call | library (ms) | bare loop (ms) | ratio |",
        "|---|---|---|---:|---:|---:|",
        *rows,
        "",
    ]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
