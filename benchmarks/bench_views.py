"""What a view costs: its data built, shipped, and a key press drawn on a static page.

Run: python benchmarks/bench_views.py [--presses N] [--no-browser]

Every view kind is one widget of one schema, so one table: the time to build the view (the
first block of records for long traces), the time per step record (what a block request
costs the kernel), the JSON shipped live and as a static embed, and, in Chromium, key press to
the frame that shows the step on a static page (``tests/browser/browser_latency.py``: each
press at a random point of the frame), beside a bare slider page in the same session.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "browser"))

from convcore.views import (Explorer, GradientView, HeatmapView, Im2colView, NetworkView, PointwiseView, PoolView,  # noqa: E402
                            ReceptiveFieldView, SequenceView, Stepper1D, Stepper2D, TransposeView, embed_html)


def image_view():
    """A 3×64×64 image, 4 output channels, 3×3 kernels, padding 1 (notebook 07's size)."""
    rng = np.random.default_rng(0)
    return HeatmapView(rng.integers(-5, 6, (3, 64, 64)), rng.integers(-2, 3, (4, 3, 3, 3)), padding=1)


CASES = [
    ("Stepper1D seed_conv1d", lambda: Stepper1D.from_example("seed_conv1d")),
    ("Stepper2D seed_conv2d", lambda: Stepper2D.from_example("seed_conv2d")),
    ("PointwiseView seed_1x1", lambda: PointwiseView.from_example("seed_1x1")),
    ("Stepper2D groups", lambda: Stepper2D.from_example("groups")),
    ("HeatmapView 3x64x64", image_view),
    ("TransposeView checkerboard", lambda: TransposeView.from_example("checkerboard")),
    ("GradientView seed_conv2d", lambda: GradientView.from_example("seed_conv2d")),
    ("Im2colView seed_conv2d", lambda: Im2colView.from_example("seed_conv2d")),
    ("PoolView max 4x4", lambda: PoolView([[1, 2, 0, 1], [3, 4, 1, 0], [0, 0, 5, 6], [1, 2, 7, 8]], "max", kernel_size=2)),
    ("ReceptiveFieldView 4 layers", lambda: ReceptiveFieldView(
        [dict(kernel_size=3, padding=1), dict(kind="max_pool", kernel_size=2),
         dict(kernel_size=3, padding=1), dict(kind="max_pool", kernel_size=2)], 16)),
    ("SequenceView 24", lambda: SequenceView(24)),
    ("NetworkView digits CNN", lambda: digits_view()),
    ("Explorer seed_conv2d", lambda: Explorer("seed_conv2d")),     # static: 18 settings' readings
]


def digits_view():
    """Notebook 12's network (``network.DIGITS_CNN``, 1,898 parameters) on one 8×8 digit."""
    from sklearn.datasets import load_digits

    from convcore import Network
    from convcore.network import DIGITS_CNN
    return NetworkView(Network(DIGITS_CNN, seed=0), load_digits().images[0][None] / 16)


# The floor: a slider that only writes its number, on the same page.
BARE = ('<div id="bare"><div class="convcore-view" data-step="0"><input type="range" min="0" max="40" value="0" '
        'aria-label="step"> step <b>0</b></div></div>')
BARE_SCRIPT = ("const bare = document.querySelector('#bare input'), bareView = document.querySelector('#bare .convcore-view');"
               "bare.addEventListener('input', () => { bareView.setAttribute('data-step', bare.value);"
               " bareView.querySelector('b').textContent = bare.value; });")


def kb(obj) -> float:
    return len(json.dumps(obj, separators=(",", ":"))) / 1024


def measure(name, make) -> tuple:
    took = []
    for _ in range(3):
        t0 = time.perf_counter()
        view = make()
        took.append((time.perf_counter() - t0) * 1e3)
    n = view.n
    sample = list(range(0, n, max(1, n // 100)))[:100]
    per_step = []
    for k in sample:
        t = time.perf_counter()
        view.record(k) if k < len(view.current["steps"]) else view._more(view.reading, k)
        per_step.append((time.perf_counter() - t) * 1e3)
    html = embed_html(view)
    shipped = json.loads(html[html.index(">", html.index("convcore-data")) + 1:html.rindex("</script>")])
    held = shipped["data"]["readings"][0]["held"]
    print(f"{name:28} {n:6d} {statistics.median(took):9.1f} {statistics.median(per_step):8.3f} "
          f"{kb(view.data):8.1f} {len(html) / 1024:9.1f}  {'all' if held is None else f'{held} of {n}'}")
    return name, view


def main(argv=None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--presses", type=int, default=30)
    ap.add_argument("--no-browser", action="store_true")
    args = ap.parse_args(argv)
    print(f"{'view':28} {'steps':>6} {'build ms':>9} {'ms/step':>8} {'live KB':>8} {'embed KB':>9}  embedded steps")
    views = [measure(name, make) for name, make in CASES]
    if args.no_browser:
        return
    import browser_servers as servers
    from browser_latency import summary, timed_presses
    from playwright.sync_api import sync_playwright
    from browser_driver import static_views
    body = "".join(embed_html(v) for _, v in views) + BARE
    script = ("import {hydrate} from './assets/convcore-view.js'; window.hydrated = hydrate().length;" + BARE_SCRIPT)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=servers.CHROMIUM, args=servers.CHROMIUM_ARGS)
        page = browser.new_context(viewport=servers.VIEWPORT).new_page()
        rng = random.Random(0)
        with static_views(page, Path(tmp), body, script, f"window.hydrated === {len(views)}"):
            box = page.locator("#bare")
            bare = summary(timed_presses(page, box, box.locator("input"), args.presses, rng))
            print(f"\nkey press to the frame that shows it, static page, {args.presses} presses per view "
                  f"(a bare slider on the same page: p50 {bare['frame']['p50']:.1f} ms)")
            for i, (name, view) in enumerate(views):
                root = page.locator(".convcore-view").nth(i)
                n = min(args.presses, int(root.locator("[data-role=step-slider]").get_attribute("max")))
                s = summary(timed_presses(page, root, root.locator("[data-role=step-slider]"), n, rng))
                print(f"{name:28} p50 {s['frame']['p50']:5.1f} ms  p95 {s['frame']['p95']:5.1f} ms  "
                      f"({s['frame']['p50'] / bare['frame']['p50']:.2f}× the bare page)")
        browser.close()


if __name__ == "__main__":
    main()
