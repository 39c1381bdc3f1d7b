"""TransposeView, GradientView, Im2colView: build time, data shipped, and key press to updated view.

Run: python benchmarks/bench_gridsteps.py [--presses N] [--no-browser]

Per view: the time to build its data from the traces (median of 5), the JSON
it ships (live widget ``data``, and the static embed), and, on a static page
in Chromium (every request outside the page blocked), the time from a key
press on the step slider to the view showing the next step (p50 and p95 over
N real key presses, measured in the page: keydown to the animation frame
after the view's data-step changed).
"""
from __future__ import annotations

import argparse
import functools
import http.server
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from convcore.views import GradientView, Im2colView, TransposeView, static_assets  # noqa: E402

CASES = [("TransposeView checkerboard", lambda: TransposeView.from_example("checkerboard")),
         ("GradientView seed_conv2d", lambda: GradientView.from_example("seed_conv2d")),
         ("Im2colView seed_conv2d", lambda: Im2colView.from_example("seed_conv2d"))]

# In the page: the time of each keydown on the slider, and of the next paint after data-step changed.
INSTALL = r"""
(kind) => {
  const root = document.querySelector(`.convcore-view[data-view="${kind}"]`);
  const slider = root.querySelector('[data-role=step-slider]');
  window.ccTimes = []; let t0 = 0;
  window.addEventListener('keydown', () => { t0 = performance.now(); }, true);
  new MutationObserver(() => requestAnimationFrame(() => window.ccTimes.push(performance.now() - t0)))
    .observe(root, {attributes: true, attributeFilter: ['data-step']});
  slider.focus();
}
"""


def pct(values, q):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


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
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        (d / "assets").mkdir()
        for n, text in static_assets().items():
            (d / "assets" / n).write_text(text)
        (d / "index.html").write_text("<!doctype html><meta charset=utf-8><body>" + "".join(
            v.embed_html() for _, v in views) + "<script type=module>import {hydrate} from "
            "'./assets/convcore-view.js'; hydrate();</script>")
        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args):
                pass
        srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(d)))
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        origin = f"http://127.0.0.1:{srv.server_port}/"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            page = browser.new_page()
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(origin) else r.abort())
            page.goto(origin + "index.html")
            page.wait_for_function("document.querySelectorAll('.convcore-embed[data-hydrated]').length === 3")
            for name, view in views:
                n = min(args.presses, view.modes[view.mode]["n"] - 1)
                page.evaluate(INSTALL, view.kind)
                for k in range(1, n + 1):
                    page.keyboard.press("ArrowRight")
                    page.wait_for_function(f"window.ccTimes.length >= {k}")
                times = page.evaluate("window.ccTimes")
                print(f"{name:28s} static page, key press to painted step: p50 {pct(times, .5):5.1f} ms, "
                      f"p95 {pct(times, .95):5.1f} ms over {n} presses")
            browser.close()
        srv.shutdown()


if __name__ == "__main__":
    main()
