"""What a view costs to build and to ship: data build time and KB, live and on a static page.

Run: python benchmarks/bench_views.py

For each case: the time to build the view (static data, first block of steps,
PNGs for heatmaps), the time per step record (what a block request costs the
kernel), the KB the live widget ships at first (static part + first block),
the KB of the whole trace's data, and the KB of ``embed_html`` with the default
2 MB budget (with how many steps it holds). A step itself costs the kernel
nothing: the browser draws it (see bench_latency.py).
"""
from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from convcore import trace2d  # noqa: E402
from convcore.views import HeatmapView, PointwiseView, Stepper1D, Stepper2D, data, embed_html  # noqa: E402


def image_trace():
    """A 3×64×64 image, 4 output channels, 3×3 kernels, padding 1 (notebook 07's size)."""
    rng = np.random.default_rng(0)
    return trace2d(rng.integers(-5, 6, (3, 64, 64)), rng.integers(-2, 3, (4, 3, 3, 3)), padding=1)


CASES = [
    ("Stepper1D seed_conv1d", lambda: Stepper1D.from_example("seed_conv1d")),
    ("Stepper2D seed_conv2d", lambda: Stepper2D.from_example("seed_conv2d")),
    ("PointwiseView seed_1x1", lambda: PointwiseView.from_example("seed_1x1")),
    ("Stepper2D groups (4x4x4)", lambda: Stepper2D.from_example("groups")),
    ("HeatmapView 3x64x64", lambda: HeatmapView(image_trace())),
]


def kb(obj) -> float:
    return len(json.dumps(obj, separators=(",", ":"))) / 1024


def main() -> None:
    print(f"{'view':26} {'steps':>6} {'build ms':>9} {'ms/step':>8} {'live KB':>8} {'whole KB':>9} "
          f"{'embed KB':>9}  embedded steps")
    for name, make in CASES:
        t0 = time.perf_counter()
        view = make()
        build = (time.perf_counter() - t0) * 1e3
        n = len(view.trace)
        sample = list(range(0, n, max(1, n // 200)))[:200]
        times = []
        for k in sample:
            t = time.perf_counter()
            data.record(view.trace, k, view.kind)
            times.append((time.perf_counter() - t) * 1e3)
        per_step = statistics.median(times)
        live = kb(view.data)
        whole = kb(view.data["static"]) + statistics.mean(kb(data.record(view.trace, k, view.kind)) for k in sample[:50]) * n
        html = embed_html(view)
        held = json.loads(html[html.index(">", html.index("convcore-data")) + 1:html.rindex("</script>")])
        print(f"{name:26} {n:6d} {build:9.1f} {per_step:8.3f} {live:8.1f} {whole:9.0f} {len(html) / 1024:9.1f}  "
              f"{len(held['steps'])} of {n}")


if __name__ == "__main__":
    main()
