"""Key press to updated view on the static site, measured in the page, with no kernel and no network.

Run: python benchmarks/bench_site.py [--site DIR] [--presses N] [--only PATTERN] [--json PATH]

Builds the site (``python -m convcore.site``) into a temporary folder unless ``--site`` names one
already built, serves it with ``http.server`` on 127.0.0.1, opens every page in Debian's Chromium
with every request outside the server blocked and counted, and on every view focuses its step
slider (the first range input of the view) and presses ArrowRight (ArrowLeft at the end) N times.
Each press is timed inside the page by ``tests/browser/browser_latency.py``, the probe of
``bench_latency.py``: from the keydown event's time stamp to the change that shows the new step
("shown") and to the end of the frame that draws it ("frame"), and which frame after the key that
was (1: the next one). Presses go at random points of the display's frame, as a person's do.

The floor, measured in the same session before and after the pages: a bare page on the same
server whose slider writes its value into a line of text (nothing a browser could draw faster).
Prints p50 / p95 per view, over all presses, and beside the floor. Issue 11's target: the frame
that shows a key press ends within one animation frame of it, p50 <= 16 ms.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "browser"))

import browser_servers as servers  # noqa: E402
from browser_driver import StaticPage, new_page  # noqa: E402
from browser_latency import summary, timed_presses  # noqa: E402
from browser_servers import serve  # noqa: E402

TARGET_MS = 16.0

FLOOR_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>floor</title></head><body>
<div class="convcore-embed"><div class="convcore-view" data-step="0">
<input type="range" min="0" max="40" value="0" aria-label="step"> step <b>0</b></div></div>
<script>
const slider = document.querySelector("input"), view = document.querySelector(".convcore-view");
slider.addEventListener("input", () => {
  view.setAttribute("data-step", slider.value); view.querySelector("b").textContent = slider.value;
});
</script></body></html>
"""


def measure(page, index: int, presses: int, rng) -> dict:
    embed = page.locator(".convcore-embed").nth(index)
    return timed_presses(page, embed, embed.locator("input[type=range]").first, presses, rng)


def line(label: str, s: dict) -> str:
    return (f"{label}: shown p50 {s['shown']['p50']:.1f} ms; frame p50 {s['frame']['p50']:.1f} ms "
            f"p95 {s['frame']['p95']:.1f} ms; drawn in the next frame {s['next_frame']:.0%}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--site", type=Path, help="an already built site (default: build one now)")
    ap.add_argument("--presses", type=int, default=40)
    ap.add_argument("--only", default="", help="only pages whose name contains this")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args()

    from playwright.sync_api import sync_playwright

    tmp = tempfile.TemporaryDirectory()
    root = args.site
    if root is None:
        from convcore.site import build_site
        t0 = time.perf_counter()
        site = build_site(Path(tmp.name) / "site", log=None)
        root = site.outdir
        print(f"built the site in {time.perf_counter() - t0:.0f} s: {site.total / 1e6:.2f} MB")
    floor_dir = Path(tmp.name) / "floor"
    floor_dir.mkdir()
    (floor_dir / "floor.html").write_text(FLOOR_PAGE, encoding="utf-8")
    pages = sorted(p.name for p in root.glob("*.html") if args.only in p.name)
    rng = random.Random(0)
    results, blocked = {}, 0
    views = {"shown": [], "frame": [], "frames": []}
    floor = {"shown": [], "frame": [], "frames": []}
    with serve(root) as url, serve(floor_dir) as floor_url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=servers.CHROMIUM, args=servers.CHROMIUM_ARGS)

        def floor_round():
            page = new_page(browser)
            StaticPage(page, floor_url).open(f"{floor_url}/floor.html")
            for what, values in measure(page, 0, args.presses, rng).items():
                floor[what] += values
            page.context.close()

        floor_round()
        for name in pages:
            page = new_page(browser)
            site = StaticPage(page, url).open(f"{url}/{name}")
            site.run_all(15)                       # every view drawn (a timeout fails)
            n = page.locator(".convcore-embed").count()
            for i in range(n):
                if not page.locator(".convcore-embed").nth(i).locator("input[type=range]").count():
                    print(f"{name} view {i}: no step slider, not measured")
                    continue
                samples = measure(page, i, args.presses, rng)
                results[f"{name} view {i}"] = summary(samples)
                print(line(f"{name} view {i}", results[f"{name} view {i}"]))
                for what, values in samples.items():
                    views[what] += values
            blocked += len(site.blocked)
            if site.errors():
                print(f"{name}: " + "; ".join(site.errors()))
            page.context.close()
        floor_round()
        browser.close()
    print(f"{len(pages)} pages, {len(results)} views measured, {blocked} outside requests blocked")
    if not views["frame"]:
        print("no view with a step slider on the site: nothing measured")
        return 1
    results["all"], results["floor"] = summary(views), summary(floor)
    print(line(f"all views ({len(views['frame'])} presses)", results["all"]))
    print(line(f"floor, a bare slider page ({len(floor['frame'])} presses)", results["floor"]))
    p50 = results["all"]["frame"]["p50"]
    print(f"views / floor, frame p50: {p50 / results['floor']['frame']['p50']:.2f}x; "
          f"target p50 <= {TARGET_MS:g} ms: {'met' if p50 <= TARGET_MS else 'NOT MET'}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
