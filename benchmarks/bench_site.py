"""Key press to updated view on the static site, measured in the page, with no kernel and no network.

Run: python benchmarks/bench_site.py [--site DIR] [--presses N] [--only PATTERN] [--json PATH]

Builds the site (``python -m convcore.site`` into a temporary folder) unless ``--site`` names one
already built, serves it with ``http.server`` on 127.0.0.1, opens every page in Debian's Chromium
with every request outside the server blocked and counted, and on every view focuses its step
slider (the first range input of the view) and presses ArrowRight (ArrowLeft at the end) N times.
Each press is timed inside the page, as in ``bench_latency.py``: from the keydown event's time
stamp to the view's last DOM change ("dom") and to the end of the frame that shows it ("frame").
Prints p50 / p95 per view and over all presses; issue 11's target is p50 <= 16 ms (one frame).
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "browser"))

import browser_servers as servers  # noqa: E402
from site_pages import key_latency, open_page, percentile, serve  # noqa: E402


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
    pages = sorted(p.name for p in root.glob("*.html") if args.only in p.name)
    results, blocked, rows = {}, 0, {"dom": [], "frame": []}
    with serve(root) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=servers.CHROMIUM, args=servers.CHROMIUM_ARGS)
        for name in pages:
            page, guard = open_page(browser, f"{url}/{name}", url)
            n = page.locator(".convcore-embed").count()
            if n:
                page.wait_for_function("() => [...document.querySelectorAll('.convcore-embed')]"
                                       ".every(e => e.querySelector('.convcore-view'))", timeout=15_000)
            for i in range(n):
                if not page.locator(".convcore-embed").nth(i).locator("input[type=range]").count():
                    print(f"{name} view {i}: no step slider, not measured")
                    continue
                r = key_latency(page, i, args.presses)
                results[f"{name} view {i}"] = r
                print(f"{name} view {i}: dom p50 {r['dom']['p50']:.1f} ms p95 {r['dom']['p95']:.1f} ms; "
                      f"frame p50 {r['frame']['p50']:.1f} ms p95 {r['frame']['p95']:.1f} ms")
                for what in rows:
                    rows[what] += page.evaluate(f"() => window.__convcoreLatency.presses.map(p => p.{what})")
            blocked += len(guard.blocked)
            if guard.problems():
                print(f"{name}: " + "; ".join(guard.problems()))
            page.context.close()
        browser.close()
    print(f"{len(pages)} pages, {len(results)} views measured, {blocked} outside requests blocked")
    if rows["frame"]:
        summary = {w: {"p50": percentile(v, 0.5), "p95": percentile(v, 0.95)} for w, v in rows.items()}
        print(f"all presses ({len(rows['frame'])}): dom p50 {summary['dom']['p50']:.1f} ms, "
              f"frame p50 {summary['frame']['p50']:.1f} ms (target <= 16), "
              f"p95 {summary['frame']['p95']:.1f} ms")
        results["all"] = summary
    else:
        print("no view with a step slider on the site: nothing measured")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
