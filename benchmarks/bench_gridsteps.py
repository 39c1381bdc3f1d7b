"""TransposeView, GradientView, Im2colView: build time, data shipped, and key press to updated view.

Run: python benchmarks/bench_gridsteps.py [--presses N] [--no-browser]

Per view: the time to build its data from the traces (median of 5), the JSON
it ships (live widget ``data``, and the static embed), and, on a static page
in Chromium (every request outside the page blocked), the time from a key
press on the step slider to the end of the frame that shows the next step (p50
and p95 over N key presses, timed in the page by tests/browser/browser_latency.py,
the probe of bench_latency.py and bench_site.py).
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

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "browser"))

import browser_servers as servers  # noqa: E402
from browser_driver import new_page, static_views  # noqa: E402
from browser_latency import summary, timed_presses  # noqa: E402

from convcore.views import GradientView, Im2colView, TransposeView  # noqa: E402

CASES = [("TransposeView checkerboard", lambda: TransposeView.from_example("checkerboard")),
         ("GradientView seed_conv2d", lambda: GradientView.from_example("seed_conv2d")),
         ("Im2colView seed_conv2d", lambda: Im2colView.from_example("seed_conv2d"))]

def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--presses", type=int, default=30)
    ap.add_argument("--no-browser", action="store_true")
    args = ap.parse_args(argv)
    views = []
    for name, make in CASES:
        took = []
        for _ in range(5):
            t0 = time.perf_counter()
            view = make()
            took.append(time.perf_counter() - t0)
        live = len(json.dumps(view.data, separators=(",", ":")))
        print(f"{name:28s} build {statistics.median(took) * 1e3:6.1f} ms   data {live / 1024:6.1f} KB live, "
              f"{len(view.embed_html()) / 1024:6.1f} KB static embed")
        views.append((name, view))
    if args.no_browser:
        return
    from playwright.sync_api import sync_playwright
    body = "".join(v.embed_html() for _, v in views)
    script = "import {hydrate} from './assets/convcore-view.js'; hydrate();"
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=servers.CHROMIUM, args=servers.CHROMIUM_ARGS)
        page = new_page(browser)
        with static_views(page, Path(tmp), body, script,
                          "document.querySelectorAll('.convcore-embed[data-hydrated]').length === 3"):
            rng = random.Random(0)
            for name, view in views:
                root = page.locator(f'.convcore-view[data-view="{view.kind}"]')
                n = min(args.presses, view.modes[view.mode]["n"] - 1)
                s = summary(timed_presses(page, root, root.locator("[data-role=step-slider]"), n, rng))
                print(f"{name:28s} static page, key press to the frame that shows it: p50 {s['frame']['p50']:5.1f} ms, "
                      f"p95 {s['frame']['p95']:5.1f} ms over {n} presses")
        browser.close()

if __name__ == "__main__":
    main()
