"""Attention: the library's ``scaled_dot_product_attention`` against an explicit masked softmax.

The library's :class:`~tutorial_lib.nn.transformer.SelfAttention` calls
``torch.nn.functional.scaled_dot_product_attention`` (SDPA) with a boolean mask. This script
copies a :class:`~tutorial_lib.nn.transformer.Transformer` and swaps, in the copy only, every
attention layer for :class:`ExplicitSelfAttention`, which computes ``softmax(q k^T / sqrt(d)
with -inf where the mask is False) v`` written out (dropout is 0 in both). The library is not
modified. For the masks the book uses (UniLM seq2seq + padding, causal + padding, bidirectional
+ padding) and the sizes of the notebooks' models up to 64 x 128 x 256, it reports

* agreement: the largest absolute difference of the logits and of the parameter gradients of a
  cross-entropy loss, SDPA minus explicit, in float64 and float32 (same weights, same inputs),
  and the error of each float32 implementation against the float64 explicit one;
* time of a forward pass (``torch.no_grad``) and of forward + backward, both models timed
  alternately in this process (order flipped each repeat), medians over the repeats, and the
  median of the paired ratios SDPA / explicit; the same for the attention call alone on one
  layer's q, k, v (where the difference is not diluted by the projections and the MLP).

The results file ends its header with a short reading computed from the numbers (agreement in
units of rounding, which side is faster beyond the measured noise), so it stays true on a re-run.

Weights are drawn with standard deviation ``1/sqrt(fan_in)`` (attention scores of order 1, as in
a trained model) rather than the library's initial 0.02, under which attention is nearly uniform
and masking mistakes hide.

Run: ``.venv/bin/python benchmarks/attention.py [--repeats 7] [--threads 1]`` (writes
``benchmarks/results/attention.md``) or ``--quick`` (small sizes, 3 repeats, prints the table and
writes nothing unless ``--output`` is given).
"""

from __future__ import annotations

import argparse
import copy
import math
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F

from tutorial_lib.masks import bidirectional_mask, causal_mask, unilm_mask, with_padding
from tutorial_lib.nn.transformer import SelfAttention, Transformer, TransformerConfig

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import describe, load_average, paired_times  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "attention.md"
VOCAB = 500


# ---- the explicit implementation ---------------------------------------------------------------


def explicit_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
    """``softmax(q k^T / sqrt(d), -inf where mask is False) v`` for ``(batch, heads, L, d)`` tensors."""
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    return scores.softmax(dim=-1) @ v


class ExplicitSelfAttention(SelfAttention):
    """The library's SelfAttention with the SDPA call replaced by :func:`explicit_attention`.

    Everything else (the fused q/k/v projection, head split, RoPE, output projection) is the
    library's own code: the subclass overrides only ``attend``, so a timing difference is the
    attention alone.
    """

    @staticmethod
    def attend(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        return explicit_attention(q, k, v, mask)


def explicit_copy(model: Transformer) -> Transformer:
    """A deep copy of ``model`` (same weights, tying kept) whose attention layers are explicit."""
    twin = copy.deepcopy(model)
    for module in twin.modules():
        if type(module) is SelfAttention:
            module.__class__ = ExplicitSelfAttention
    return twin


# ---- cases -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    mask: str  # "unilm", "causal" or "bidirectional", each combined with padding
    batch: int
    length: int
    width: int
    heads: int = 4
    layers: int = 2
    rope: bool = False

    @property
    def size(self) -> str:
        return f"{self.batch} x {self.length} x {self.width}"


# Sizes of the notebooks' models and padded batches (lengths measured on their data sets).
BOOK_CASES = [
    Case("ch. 6 numbers seq2seq", "unilm", 32, 14, 64),
    Case("ch. 6 independence probe", "bidirectional", 16, 14, 32, layers=3),
    Case("ch. 6 dialogue LM (RoPE)", "causal", 16, 73, 64, rope=True),
    Case("ch. 7 SimBERT", "unilm", 48, 25, 64),
    Case("ch. 8 PEGASUS", "unilm", 16, 67, 48),
]
LARGE_CASES = [Case("large", kind, 64, 128, 256) for kind in ("unilm", "causal", "bidirectional")]
QUICK_CASES = [*BOOK_CASES[:3], Case("medium", "unilm", 16, 64, 128)]


def make_inputs(case: Case, generator: torch.Generator):
    """Tokens, segments, boolean mask (batch, L, L) and random targets for a case.

    Real lengths are uniform in [L/2, L] with the first row full; a UniLM row has a source of
    1 to (length - 1) tokens and the rest of its real tokens as target; padding has segment 0.
    """
    b, n = case.batch, case.length
    lengths = torch.randint(max(2, n // 2), n + 1, (b,), generator=generator)
    lengths[0] = n
    positions = torch.arange(n)
    padding = positions < lengths[:, None]
    tokens = torch.randint(5, VOCAB, (b, n), generator=generator) * padding
    targets = torch.randint(0, VOCAB, (b, n), generator=generator)
    if case.mask == "unilm":
        source = (torch.rand(b, generator=generator) * (lengths - 1)).long() + 1
        segments = ((positions >= source[:, None]) & padding).long()
        mask = with_padding(unilm_mask(segments), padding)
    elif case.mask == "causal":
        segments = torch.zeros(b, n, dtype=torch.long)
        mask = with_padding(causal_mask(n), padding)
    else:
        segments = torch.zeros(b, n, dtype=torch.long)
        mask = bidirectional_mask(padding)
    return tokens, segments, mask, targets


def make_model(case: Case, generator: torch.Generator) -> Transformer:
    config = TransformerConfig(
        vocab_size=VOCAB, d_model=case.width, n_heads=case.heads, n_layers=case.layers, max_len=case.length,
        rope=case.rope,
    )
    model = Transformer(config).eval()
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if parameter.ndim == 2:
                parameter.copy_(torch.randn(parameter.shape, generator=generator) / math.sqrt(parameter.shape[1]))
            elif name.endswith("bias"):
                parameter.copy_(0.1 * torch.randn(parameter.shape, generator=generator))
    return model


def forward(model: Transformer, inputs) -> torch.Tensor:
    tokens, segments, mask, _ = inputs
    return model.lm_logits(model(tokens, segments, mask))


def forward_backward(model: Transformer, inputs) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    model.zero_grad(set_to_none=True)
    logits = forward(model, inputs)
    F.cross_entropy(logits.flatten(0, 1), inputs[3].flatten()).backward()
    return logits.detach(), {name: p.grad for name, p in model.named_parameters() if p.grad is not None}


# ---- agreement ---------------------------------------------------------------------------------


def agreement(case: Case, seed: int) -> dict[str, float]:
    """Max |SDPA - explicit| of logits and gradients in float64 and float32, and float32 errors."""
    generator = torch.Generator().manual_seed(seed)
    base = make_model(case, generator)
    inputs = make_inputs(case, generator)
    out: dict[str, float] = {}
    results = {}
    for dtype in (torch.float64, torch.float32):
        sdpa = copy.deepcopy(base).to(dtype)
        explicit = explicit_copy(sdpa)
        results[dtype] = (forward_backward(sdpa, inputs), forward_backward(explicit, inputs))
        (logits_s, grads_s), (logits_e, grads_e) = results[dtype]
        tag = "f64" if dtype == torch.float64 else "f32"
        out[f"{tag} logits"] = (logits_s - logits_e).abs().max().item()
        out[f"{tag} grads"] = max((grads_s[k] - grads_e[k]).abs().max().item() for k in grads_s)
    (_, _), (truth_logits, truth_grads) = results[torch.float64]
    (logits_s, grads_s), (logits_e, grads_e) = results[torch.float32]
    out["f32 sdpa error"] = (logits_s.double() - truth_logits).abs().max().item()
    out["f32 explicit error"] = (logits_e.double() - truth_logits).abs().max().item()
    out["logit scale"] = truth_logits.abs().max().item()
    out["grad scale"] = max(g.abs().max().item() for g in truth_grads.values())
    return out


# ---- timing ------------------------------------------------------------------------------------


def timing(case: Case, seed: int, repeats: int) -> dict[str, tuple[float, float, float, float]]:
    generator = torch.Generator().manual_seed(seed)
    sdpa = make_model(case, generator)
    explicit = explicit_copy(sdpa)
    inputs = make_inputs(case, generator)

    def no_grad_forward(model: Transformer) -> Callable[[], object]:
        def run() -> object:
            with torch.no_grad():
                return forward(model, inputs)

        return run

    # the attention call alone, on the q, k, v and mask one layer sees
    head = case.width // case.heads
    q, k, v = (
        torch.randn(case.batch, case.heads, case.length, head, generator=generator).requires_grad_()
        for _ in range(3)
    )
    mask = inputs[2].unsqueeze(1)
    upstream = torch.randn(q.shape, generator=generator)

    def op(attention: Callable[..., torch.Tensor], backward: bool) -> Callable[[], object]:
        def run() -> object:
            if not backward:
                with torch.no_grad():
                    return attention(q, k, v, mask)
            q.grad = k.grad = v.grad = None
            attention(q, k, v, mask).backward(upstream)
            return q.grad

        return run

    def sdpa_op(q, k, v, mask):
        return F.scaled_dot_product_attention(q, k, v, attn_mask=mask)

    return {
        "forward": paired_times(no_grad_forward(sdpa), no_grad_forward(explicit), repeats),
        "forward+backward": paired_times(
            lambda: forward_backward(sdpa, inputs), lambda: forward_backward(explicit, inputs), repeats
        ),
        "op forward": paired_times(op(sdpa_op, False), op(explicit_attention, False), repeats),
        "op forward+backward": paired_times(op(sdpa_op, True), op(explicit_attention, True), repeats),
    }


def sdpa_backend(case: Case) -> str:
    """Which fused kernel SDPA picks for this case's float32 shapes with a boolean mask (private API; best effort)."""
    try:
        from torch.nn.attention import SDPBackend

        head = case.width // case.heads
        q = torch.zeros(case.batch, case.heads, case.length, head)
        mask = torch.ones(case.batch, 1, case.length, case.length, dtype=torch.bool)
        return SDPBackend(torch._fused_sdp_choice(q, q, q, mask)).name.lower()
    except (AttributeError, ImportError, RuntimeError, ValueError):
        return "unknown"


# ---- report ------------------------------------------------------------------------------------


def _spread(values: list[float]) -> str:
    return f"{min(values):.2f}-{max(values):.2f} (median {statistics.median(values):.2f})"


def _verdict(ratio: float, noise: float) -> str:
    """Which side is faster, or neither when the ratio is within the noise (or 5 %) of 1."""
    if abs(ratio - 1) <= max(0.05, noise / 2):
        return "no difference beyond the noise"
    return "SDPA is faster" if ratio < 1 else "the explicit softmax is faster"


def reading(cases, rows_agree, rows_time) -> list[str]:
    """A few sentences computed from the numbers, so that they stay true when the script is re-run."""
    eps64 = torch.finfo(torch.float64).eps
    f64_logits = max(a["f64 logits"] for a in rows_agree)
    f64_grads = max(a["f64 grads"] for a in rows_agree)
    scale = max(a["logit scale"] for a in rows_agree)
    f32_logits = max(a["f32 logits"] for a in rows_agree)
    error_ratio = statistics.median(a["f32 sdpa error"] / a["f32 explicit error"] for a in rows_agree)
    lines = [
        "* Agreement. In float64 the two implementations "
        + ("agree to rounding" if f64_logits < 1000 * scale * eps64 else "differ by MORE than rounding")
        + f": logits differ by at most "
        f"{f64_logits:.1e} on logits up to {scale:.0f} in size (about {f64_logits / (scale * eps64):.0f} units of "
        f"float64 rounding at that size), gradients by at most {f64_grads:.1e}. In float32 they differ by up to "
        f"{f32_logits:.1e}; against the float64 result, the median ratio of the float32 errors SDPA / explicit "
        f"is {error_ratio:.2f}: " + (
            "the fused kernel is as accurate as the explicit softmax."
            if 0.67 <= error_ratio <= 1.5
            else ("SDPA is the more accurate." if error_ratio < 0.67 else "SDPA is the less accurate.")
        ),
    ]
    groups = [("the book's sizes", [i for i, c in enumerate(cases) if c.name != "large"]),
              ("64 x 128 x 256", [i for i, c in enumerate(cases) if c.name == "large"])]
    for label, rows in groups:
        if not rows:
            continue
        parts = []
        for key, what in (("forward", "model forward"), ("forward+backward", "model forward+backward"),
                          ("op forward", "attention alone, forward"),
                          ("op forward+backward", "attention alone, forward+backward")):
            ratios = [rows_time[i][key][2] for i in rows]
            noise = statistics.median(rows_time[i][key][3] for i in rows)
            parts.append(f"{what} {_spread(ratios)}: {_verdict(statistics.median(ratios), noise)}")
        lines.append(f"* Time at {label}, ratio SDPA / explicit: " + "; ".join(parts) + ".")
    noise = statistics.median(t[key][3] for t in rows_time for key in t)
    lines.append(
        f"* Noise. Within one row the paired ratios have a median interquartile range of {noise:.2f}; a median "
        "ratio within half of that (or 5 %) of 1 is reported as no difference. On a busy machine (load average "
        "above the number of cores) repeat the run on a quiet one before drawing conclusions."
    )
    return lines


def report(cases, rows_agree, rows_time, args, header, load_end, seconds) -> str:
    agree_table = [
        "| case | mask + padding | batch x L x width | f64 logits | f64 grads | f32 logits | f32 grads "
        "| f32 error SDPA | f32 error explicit | max logit, grad |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for case, a in zip(cases, rows_agree, strict=True):
        agree_table.append(
            f"| {case.name} | {case.mask} | {case.size} | {a['f64 logits']:.1e} | {a['f64 grads']:.1e} "
            f"| {a['f32 logits']:.1e} | {a['f32 grads']:.1e} | {a['f32 sdpa error']:.1e} "
            f"| {a['f32 explicit error']:.1e} | {a['logit scale']:.0f}, {a['grad scale']:.1e} |"
        )
    time_table = [
        "| case | mask + padding | batch x L x width (heads, layers) | forward SDPA (ms) | forward explicit (ms) "
        "| ratio | fwd+bwd SDPA (ms) | fwd+bwd explicit (ms) | ratio |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for case, t in zip(cases, rows_time, strict=True):
        (fs, fe, fr, _), (bs, be, br, _) = t["forward"], t["forward+backward"]
        time_table.append(
            f"| {case.name} | {case.mask} | {case.size} ({case.heads}, {case.layers}) | {fs * 1e3:.2f} "
            f"| {fe * 1e3:.2f} | {fr:.2f} | {bs * 1e3:.2f} | {be * 1e3:.2f} | {br:.2f} |"
        )
    op_table = [
        "| case | mask + padding | batch x heads x L x head dim | forward SDPA (ms) | forward explicit (ms) "
        "| ratio | fwd+bwd SDPA (ms) | fwd+bwd explicit (ms) | ratio |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for case, t in zip(cases, rows_time, strict=True):
        (fs, fe, fr, _), (bs, be, br, _) = t["op forward"], t["op forward+backward"]
        op_table.append(
            f"| {case.name} | {case.mask} | {case.batch} x {case.heads} x {case.length} x {case.width // case.heads} "
            f"| {fs * 1e3:.3f} | {fe * 1e3:.3f} | {fr:.2f} | {bs * 1e3:.3f} | {be * 1e3:.3f} | {br:.2f} |"
        )
    backends = sorted({sdpa_backend(c) for c in cases})
    return "\n".join(
        [
            "# Attention: SDPA against an explicit masked softmax",
            "",
            "Written by `benchmarks/attention.py`"
            + (" in `--quick` mode (small sizes, not the reference run)" if args.quick else "")
            + ". The library's `Transformer` (attention through",
            "`torch.nn.functional.scaled_dot_product_attention` with a boolean mask) against a copy of it whose",
            "attention layers compute `softmax(q k^T / sqrt(d), -inf where masked) v` explicitly; everything else",
            "(projections, head split, RoPE, MLP) is the same code and the same weights. Masks as in the book:",
            "UniLM (`with_padding(unilm_mask(segments), padding)`), causal (`with_padding(causal_mask(L), padding)`)",
            "and bidirectional (`bidirectional_mask(padding)`), with real lengths uniform in [L/2, L]. Weights have",
            "standard deviation 1/sqrt(fan_in) (attention scores of order 1), vocabulary 500, dropout 0.",
            "",
            *header,
            f"Load average at the end: {load_end}. Total time {seconds:.0f} s.",
            f"SDPA kernel chosen for these shapes (`torch._fused_sdp_choice`): {', '.join(backends)}.",
            "",
            "## Reading",
            "",
            *reading(cases, rows_agree, rows_time),
            "",
            "## Agreement",
            "",
            "Largest absolute difference SDPA minus explicit, over all logits (`lm_logits`) and over all",
            "parameter gradients of a cross-entropy loss on random targets; same weights and inputs in each",
            "dtype. The two error columns compare each float32 implementation with the float64 explicit one;",
            "the last column gives the largest float64 logit and gradient for scale.",
            "",
            *agree_table,
            "",
            "## Time",
            "",
            f"Forward (`torch.no_grad`) and forward + backward in float32 on {args.threads} thread(s); both models",
            "run alternately in one process (order flipped each repeat) after two warm-up calls; medians of",
            f"{args.repeats} repeats and the median of the paired ratios SDPA / explicit (below 1: SDPA is faster).",
            "Times are recorded here, never asserted in tests.",
            "",
            *time_table,
            "",
            "The attention call alone (`scaled_dot_product_attention` against `explicit_attention`) on random",
            "q, k, v of one layer's shape with the same mask, timed the same way; the backward pass is driven",
            "by a fixed random upstream gradient:",
            "",
            *op_table,
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--threads", type=int, default=1, help="torch threads (the notebooks use 1 on a CPU)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="small sizes, 3 repeats, print only")
    parser.add_argument("--output", type=Path, default=None, help=f"results file (default {RESULTS}, none in --quick)")
    args = parser.parse_args()
    if args.quick:
        args.repeats = min(args.repeats, 3)
    torch.set_num_threads(args.threads)
    header = [describe(), "", f"Load average (1, 5, 15 min) at the start: {load_average()}."]
    cases = QUICK_CASES if args.quick else BOOK_CASES + LARGE_CASES
    start = time.perf_counter()
    rows_agree, rows_time = [], []
    for i, case in enumerate(cases):
        rows_agree.append(agreement(case, args.seed + i))
        rows_time.append(timing(case, args.seed + i, args.repeats))
        a, t = rows_agree[-1], rows_time[-1]
        print(
            f"{case.name} [{case.mask}, {case.size}]: f64 logits {a['f64 logits']:.1e}, f32 logits "
            f"{a['f32 logits']:.1e}; ratio SDPA/explicit forward {t['forward'][2]:.2f}, "
            f"fwd+bwd {t['forward+backward'][2]:.2f}; attention alone {t['op forward'][2]:.2f}, "
            f"{t['op forward+backward'][2]:.2f}",
            flush=True,
        )
    text = report(cases, rows_agree, rows_time, args, header, load_average(), time.perf_counter() - start)
    output = args.output if args.output is not None else (None if args.quick else RESULTS)
    if output is None:
        print(text)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    print(f"wrote {output}")


if __name__ == "__main__":
    main()
