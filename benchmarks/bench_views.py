"""How long one step's update costs in Python, per view, beside a naive matplotlib redraw.

Run: python benchmarks/bench_views.py [--repeat N]

For each case the view's ``update(k)`` is timed over many steps (median and
95th percentile), two ways: a step drawn from scratch (random jumps, the
view's kept frames forgotten first: what a drag across the slider costs), and
a step drawn ahead (the next one, after the view drew the neighbours as it
does while a kernel is idle: what a key press or a Play tick costs). The
baseline is the usual ``interact`` pattern measured in the same run: clear
the figure, draw every channel again (imshow plus one text per cell for the
numeric cases), and render it to PNG, every step.
Issue 4's budget: at most 5 ms on the seed's example, 20 ms on a 3×64×64 image.
"""
from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from convcore import trace2d  # noqa: E402
from convcore.views import HeatmapView, PointwiseView, Stepper1D, Stepper2D, frontend  # noqa: E402

BUDGET_MS = {"seed": 5.0, "image": 20.0}


def image_trace():
    """A 3×64×64 image, 4 output channels, 3×3 kernels, padding 1."""
    rng = np.random.default_rng(0)
    return trace2d(rng.integers(-5, 6, (3, 64, 64)), rng.integers(-2, 3, (4, 3, 3, 3)), padding=1)


def timed(fn, steps) -> list[float]:
    out = []
    for k in steps:
        t0 = time.perf_counter()
        fn(k)
        out.append((time.perf_counter() - t0) * 1e3)
    return out


def naive_redraw(trace, numbers: bool):
    """The full-redraw baseline: a new figure's worth of artists every step, rendered to PNG."""
    p = trace.problem
    x = p.input[0]
    out = np.asarray(trace.output).reshape(p.out_channels, *p.out_spatial)
    if p.dims == 1:
        x, out = x[:, None, :], out[:, None, :]
    fig = plt.figure(figsize=(10, 4), dpi=72)
    n = p.in_channels + p.out_channels

    def draw(k):
        fig.clf()
        step = trace[k]
        axes = fig.subplots(1, n)
        for ch in range(p.in_channels):
            ax = axes[ch]
            ax.imshow(x[ch], cmap="RdBu_r")
            if numbers:
                for (i, j), v in np.ndenumerate(x[ch]):
                    ax.text(j, i, str(v), ha="center", va="center", fontsize=8)
            for t in step.window:
                c = t.coords if p.dims == 2 else (0, t.coords[0])
                ax.add_patch(Rectangle((c[1] - .5, c[0] - .5), 1, 1, fill=False, ec="#D55E00", lw=2))
        for c in range(p.out_channels):
            ax = axes[p.in_channels + c]
            done = np.arange(out[c].size).reshape(out[c].shape) + c * out[c].size <= k
            ax.imshow(np.where(done, out[c], np.nan), cmap="RdBu_r")
            if numbers:
                for (i, j), v in np.ndenumerate(out[c]):
                    if done[i, j]:
                        ax.text(j, i, str(v), ha="center", va="center", fontsize=8)
        fig.savefig(io.BytesIO(), format="png")
    return draw, fig


def from_scratch(view):
    """Time update(k) with nothing drawn ahead or kept (private caches emptied: benchmark only)."""
    def press(k):
        view._frames.clear()
        frontend._elements.cache_clear()
        frontend._elements(view.html.value)    # the frame on screen was read when it was shown
        t0 = time.perf_counter()
        view.update(k)
        return (time.perf_counter() - t0) * 1e3
    return press


def drawn_ahead(view):
    """Time update(k) for the step after the current one, drawn ahead as in a kernel."""
    n = len(view.trace)

    def press(_):
        view._draw_neighbours()                # what the idle kernel does after each step
        t0 = time.perf_counter()
        view.update((view.step + 1) % n)
        return (time.perf_counter() - t0) * 1e3
    return press


def report(name, view, trace, numbers, budget, repeat):
    n = len(trace)
    steps = [int(k) for k in np.random.default_rng(1).integers(0, n, repeat)]
    view.update(steps[0])                      # warm caches
    scratch = from_scratch(view)
    ours = [scratch(k) for k in steps]
    press = drawn_ahead(view)
    ahead = [press(k) for k in range(repeat)]
    draw, fig = naive_redraw(trace, numbers)
    base_steps = steps[: max(5, repeat // 20)]
    draw(base_steps[0])
    base = timed(draw, base_steps)
    plt.close(fig)
    med, p95 = statistics.median(ours), float(np.percentile(ours, 95))
    bmed = statistics.median(base)
    print(f"{name:<28} from scratch median {med:6.3f} ms  p95 {p95:6.3f} ms  (budget {budget:.0f} ms: "
          f"{'ok' if p95 <= budget else 'OVER'});  drawn ahead median {statistics.median(ahead):6.3f} ms;  "
          f"naive matplotlib redraw median {bmed:7.1f} ms -> {bmed / med:5.0f}x")
    return med, p95, bmed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=300)
    args = parser.parse_args(argv)
    cases = [
        ("Stepper2D seed_conv2d", Stepper2D.from_example("seed_conv2d"), True, BUDGET_MS["seed"]),
        ("Stepper1D seed_conv1d", Stepper1D.from_example("seed_conv1d"), True, BUDGET_MS["seed"]),
        ("PointwiseView seed_1x1", PointwiseView.from_example("seed_1x1"), True, BUDGET_MS["seed"]),
        ("Stepper2D groups (4x4x4)", Stepper2D.from_example("groups"), True, BUDGET_MS["seed"]),
        ("HeatmapView 3x64x64", HeatmapView(image_trace()), False, BUDGET_MS["image"]),
    ]
    for name, view, numbers, budget in cases:
        report(name, view, view.trace, numbers, budget, args.repeat)
    t0 = time.perf_counter()
    HeatmapView(image_trace())
    print(f"(one-off: building the 3x64x64 HeatmapView with its PNGs took {(time.perf_counter() - t0) * 1e3:.1f} ms)")


if __name__ == "__main__":
    main()
