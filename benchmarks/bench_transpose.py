"""Transposed convolution and the gradients: lazy traces, and the kernels next to PyTorch.

Run:  python benchmarks/bench_transpose.py [--repeat 7]

The case is issue 12's: a 64-channel 56×56 input, weight (64, 64, 3, 3),
stride 2 -> a (64, 113, 113) output. The traces (float64) in both readings:
build, reach the last step, a random step. Then float32 ``conv_transpose2d``
against ``torch.nn.functional.conv_transpose2d`` (and the gather reading
computed by convcore's forward kernel), and the two gradients of a
(1, 64, 56, 56) ⊛ (64, 64, 3, 3), padding 1 convolution against
``torch.nn.grad``, all as ratios measured in the same process, interleaved.
Prints a table; asserts nothing but that the answers are right.
"""
from __future__ import annotations

import argparse
import os

import numpy as np
import torch
import torch.nn.functional as F

import convcore
from convcore import grad
from convcore.transpose import TransposedConv, gather_conv

from bench_kernels import interleaved_times, load_line
from bench_trace import measure


def row(name: str, median: float, best: float, base: float) -> str:
    return f"  {name:<48} {median * 1e3:10.2f} ms {best * 1e3:10.2f} ms {median / base:8.2f}x"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    torch.set_num_threads(cores)

    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 56, 56))
    w = rng.standard_normal((64, 64, 3, 3)) * 0.05
    scatter = convcore.trace_transpose2d(x, w, stride=2)
    gather = convcore.trace_transpose2d(x, w, stride=2, reading="gather")
    ks, kg = int(rng.integers(len(scatter))), int(rng.integers(len(gather)))

    rows = [
        ("build scatter trace", lambda: convcore.trace_transpose2d(x, w, stride=2)),
        ("scatter: build + trace[-1]", lambda: convcore.trace_transpose2d(x, w, stride=2)[-1]),
        (f"scatter: trace[{ks}] (random)", lambda: scatter[ks]),
        ("scatter: state_after(-1) (whole output)", lambda: scatter.state_after(-1)),
        ("build gather trace", lambda: convcore.trace_transpose2d(x, w, stride=2, reading="gather")),
        ("gather: build + trace[-1]", lambda: convcore.trace_transpose2d(x, w, stride=2, reading="gather")[-1]),
        (f"gather: trace[{kg}] (random, derived input built)", lambda: gather[kg]),
        ("conv_transpose2d, whole output (float64)", lambda: convcore.conv_transpose2d(x, w, stride=2)),
    ]
    results = {name: measure(f, args.repeat) for name, f in rows}
    full_time = results["conv_transpose2d, whole output (float64)"][0]
    out = results["conv_transpose2d, whole output (float64)"][2]

    print(f"convcore transposed-convolution traces: input {x.shape} float64, weight {w.shape}, stride 2")
    print(f"  output {out.shape}: scatter {len(scatter):,} steps (one per input element), "
          f"gather {len(gather):,} steps (one per output element)")
    print(f"  median of {args.repeat} runs; peak memory by tracemalloc during one run")
    print(f"  {'':<48} {'time':>11} {'vs kernel':>10} {'peak memory':>13}")
    for name, _ in rows:
        t, peak, _ = results[name]
        print(f"  {name:<48} {t * 1e3:8.3f} ms {t / full_time:9.4f}x {peak / 1024:9.1f} KiB")

    # Right answers first: the last steps hold the last elements.
    last_s = results["scatter: build + trace[-1]"][2]
    last_g = results["gather: build + trace[-1]"][2]
    assert last_g.out_index == (63, 112, 112) and np.isclose(last_g.value, out[63, 112, 112], rtol=1e-10)
    assert last_s.in_index == (63, 55, 55)
    np.testing.assert_allclose(results["scatter: state_after(-1) (whole output)"][2], out, rtol=1e-10, atol=1e-10)

    # -- the kernels against PyTorch, float32 ---------------------------------------
    x32, w32 = x.astype(np.float32)[None], w.astype(np.float32)
    tx, tw = torch.from_numpy(x32), torch.from_numpy(w32)
    expected = F.conv_transpose2d(tx, tw, stride=2).numpy()
    problem = TransposedConv.build("bench", 2, x32, w32, stride=2)
    err = float(np.abs(convcore.conv_transpose2d(x32, w32, stride=2) - expected).max())
    err_g = float(np.abs(gather_conv(problem) - expected).max())
    with torch.no_grad():
        t = interleaved_times({
            "torch": lambda: F.conv_transpose2d(tx, tw, stride=2),
            "scatter": lambda: convcore.conv_transpose2d(x32, w32, stride=2),
            "gather": lambda: gather_conv(problem),
        }, args.repeat)
    print()
    print(f"conv_transpose2d float32, input {x32.shape}, weight {w32.shape}, stride 2 -> {expected.shape}")
    print(f"  {'':<48} {'median':>13} {'best':>13} {'vs torch':>9}")
    print(row("torch.nn.functional.conv_transpose2d", *t["torch"], t["torch"][0]))
    print(row("convcore.conv_transpose2d (scatter, col2im)", *t["scatter"], t["torch"][0]))
    print(row("gather reading (zero-insert + conv kernel)", *t["gather"], t["torch"][0]))
    print(f"  max |difference| from torch: scatter {err:.2e}, gather {err_g:.2e}")
    print(f"  ratio convcore / torch = {t['scatter'][0] / t['torch'][0]:.2f}x by median, "
          f"{t['scatter'][1] / t['torch'][1]:.2f}x by best run")

    # -- the gradients against torch.nn.grad, float32 -------------------------------------
    xf = rng.standard_normal((1, 64, 56, 56)).astype(np.float32)
    g = rng.standard_normal((1, 64, 56, 56)).astype(np.float32)
    txf, tg = torch.from_numpy(xf), torch.from_numpy(g)
    e_in = torch.nn.grad.conv2d_input(xf.shape, tw, tg, padding=1).numpy()
    e_w = torch.nn.grad.conv2d_weight(txf, w32.shape, tg, padding=1).numpy()
    err_in = float(np.abs(grad.conv2d_input(xf.shape, w32, g, padding=1) - e_in).max())
    err_w = float(np.abs(grad.conv2d_weight(xf, w32.shape, g, padding=1) - e_w).max() / np.abs(e_w).max())
    with torch.no_grad():
        t = interleaved_times({
            "torch_in": lambda: torch.nn.grad.conv2d_input(xf.shape, tw, tg, padding=1),
            "ours_in": lambda: grad.conv2d_input(xf.shape, w32, g, padding=1),
            "torch_w": lambda: torch.nn.grad.conv2d_weight(txf, w32.shape, tg, padding=1),
            "ours_w": lambda: grad.conv2d_weight(xf, w32.shape, g, padding=1),
        }, args.repeat)
    print()
    print(f"gradients of conv2d float32, input {xf.shape}, weight {w32.shape}, padding 1")
    print(f"  {'':<48} {'median':>13} {'best':>13} {'vs torch':>9}")
    print(row("torch.nn.grad.conv2d_input", *t["torch_in"], t["torch_in"][0]))
    print(row("convcore.grad.conv2d_input", *t["ours_in"], t["torch_in"][0]))
    print(row("torch.nn.grad.conv2d_weight", *t["torch_w"], t["torch_w"][0]))
    print(row("convcore.grad.conv2d_weight", *t["ours_w"], t["torch_w"][0]))
    print(f"  max |difference| from torch: input {err_in:.2e}, weight {err_w:.2e} (relative)")

    # -- the gradient traces on the same convolution (float64) --------------------------------
    x64, g64 = xf.astype(np.float64), g.astype(np.float64)
    t_in = grad.trace_conv2d_input_grad(x64.shape, w, g64, padding=1)
    t_w = grad.trace_conv2d_weight_grad(x64, w.shape, g64, padding=1)
    rows = [
        ("build input-gradient trace", lambda: grad.trace_conv2d_input_grad(x64.shape, w, g64, padding=1)),
        ("input gradient: trace[-1]", lambda: t_in[-1]),
        ("build weight-gradient trace", lambda: grad.trace_conv2d_weight_grad(x64, w.shape, g64, padding=1)),
        ("weight gradient: trace[-1]", lambda: t_w[-1]),
    ]
    results = {name: measure(f, args.repeat) for name, f in rows}
    print()
    print(f"gradient traces, float64: input gradient {len(t_in):,} steps, weight gradient {len(t_w):,} steps")
    for name, _ in rows:
        tm, peak, step = results[name]
        terms = f"  ({len(step)} terms)" if hasattr(step, "products") else ""
        print(f"  {name:<48} {tm * 1e3:8.3f} ms {peak / 1024:9.1f} KiB{terms}")
    assert np.isclose(results["weight gradient: trace[-1]"][2].value, t_w.output[63, 63, 2, 2], rtol=1e-10)
    assert np.isclose(results["input gradient: trace[-1]"][2].value, t_in.output[0, 63, 55, 55], rtol=1e-10)
    print("  " + load_line() + " (after timing)")


if __name__ == "__main__":
    main()
