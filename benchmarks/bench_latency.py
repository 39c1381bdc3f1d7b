"""Key press to updated view in JupyterLab in Chromium, beside a bare echo widget on the same page.

Run: python benchmarks/bench_latency.py [--presses N] [--rounds R] [--only PATTERN] [--json PATH]

Starts a throw-away JupyterLab over a temporary copy of notebooks/ (the fixtures
of tests/browser), appends an echo cell (IntSlider -> HTML, one kernel round trip
per step: the floor a kernel-driven view cannot beat) to each notebook with a
view, and presses ArrowRight on the view's step slider and on the echo's slider
in alternating rounds. Each press is timed inside the page by
tests/browser/browser_latency.py (the probe the static site's benchmark uses too),
from the keydown event's own timestamp to the mutation that shows the new step
(shown) and to the end of the first frame rendered after it (frame), each press
sent at a random point of the display's frame, as a person's would be.

Then Play at its fastest setting ("fastest": one step per animation frame) for
3 s on each view: steps per second reached, animation frames in which no step
was drawn (dropped), and frames spent waiting for a block of steps from the
kernel. Target (issue 11): every view's p50 and p95 at most 0.5x the echo's.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "browser"))

import browser_scratch as scratch  # noqa: E402
import browser_servers as servers  # noqa: E402
from browser_driver import Lab, new_page, wait_quiet  # noqa: E402
from browser_latency import percentile, timed_presses  # noqa: E402

TARGET = 0.5
NOTEBOOKS = ["01-conv1d", "02-conv2d-channels", "03-1x1-convolution", "05-groups-and-depthwise", "06-convolution-as-matmul",
             "07-real-image", "08-transposed-convolution", "10-pooling-and-receptive-fields", "11-convolutions-over-time"]

def play(page, view, seconds: float = 3.0) -> dict:
    """Play at "fastest" from step 0: steps/s, frames without a new step, frames waiting for data."""
    view.press("Home")
    view.choose("speed", "0")
    view.root.evaluate("r => { const s = r.convcoreStats; s.frames = s.steps = s.waits = s.first = s.last = 0; }")
    view.click("play")
    time.sleep(seconds)
    stats = view.root.evaluate("r => Object.assign({}, r.convcoreStats)")
    if view.control("play").get_attribute("aria-pressed") == "true":
        view.click("play")
    took = (stats["last"] - stats["first"]) / 1e3       # first to last step drawn (short traces end early)
    return {"steps_per_s": (stats["steps"] - 1) / took if took > 0 else None, "frames": stats["frames"],
            "dropped": stats["frames"] - stats["steps"], "waits": stats["waits"], "steps": stats["steps"], "end": view.step}


def with_echo(path: Path) -> Path:
    import nbformat
    nb = nbformat.read(str(path), as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(scratch.ECHO))
    nbformat.write(nb, str(path))
    return path


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--presses", type=int, default=30, help="timed presses per subject (>= 30)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--only", default="")
    ap.add_argument("--json", type=Path, default=REPO / "benchmarks" / "results" / "latency.json")
    args = ap.parse_args(argv)
    if not os.access(servers.CHROMIUM, os.X_OK):
        print(f"needs {servers.CHROMIUM} (apt-get install chromium)", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright
    names = [n for n in NOTEBOOKS if args.only in n]
    results = []
    with tempfile.TemporaryDirectory(prefix="convcore-latency-") as tmp_s:
        tmp = Path(tmp_s)
        root = servers.copy_notebooks(tmp / "notebooks")
        for name in names:
            with_echo(root / f"{name}.ipynb")
        with servers.jupyter_lab(root, tmp / "lab") as server, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=servers.CHROMIUM, args=servers.CHROMIUM_ARGS)
            page = new_page(browser)
            page.set_default_timeout(30_000)
            lab = Lab(page, server, root)
            rng = random.Random(0)
            for name in names:
                server.shutdown_kernels()
                lab.open(f"{name}.ipynb")
                lab.run_all(timeout=240)
                wait_quiet(page, lab.scope, 1500, 60)        # the page at rest before timing
                views = lab.views()
                echo = views[-1]
                view = next(v for v in views if v.kind not in ("explorer", "echo"))
                echo_handle = page.locator(f'[data-cc-test="{echo.container_id}"]').locator(
                    "xpath=ancestor::div[contains(@class,'jp-OutputArea-output')]").locator(".noUi-handle").first
                r_view, r_echo = ({"shown": [], "frame": [], "frames": []} for _ in range(2))
                per = max(1, args.presses // args.rounds)
                for _ in range(args.rounds):
                    for subject, handle, into in ((view, view.control("step-slider"), r_view), (echo, echo_handle, r_echo)):
                        box = page.locator(f'[data-cc-test="{subject.container_id}"]')
                        r = timed_presses(page, box, handle, per, rng)
                        for k in into:
                            into[k] += r[k]
                row = {"notebook": name, "view": view.kind, "play": play(page, view)}
                for label, r in (("view", r_view), ("echo", r_echo)):
                    for k in ("shown", "frame"):
                        row[f"{label}_{k}_p50"] = statistics.median(r[k])
                        row[f"{label}_{k}_p95"] = percentile(r[k], 0.95)
                    row[f"{label}_samples"] = r
                results.append(row)
            browser.close()
    print(f"\nKey press -> updated view, JupyterLab in Chromium, {args.presses} presses per subject "
          f"({args.rounds} alternating rounds), {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")
    head = (f"{'notebook':26} {'view':10} {'shown p50/p95':>14} {'frame p50/p95':>14} {'echo frame p50/p95':>19}"
            f" {'x echo p50/p95':>15}  play: steps/s, dropped frames, waits")
    print(head + "\n" + "-" * len(head))
    worst = 0.0
    for r in results:
        x50, x95 = r["view_frame_p50"] / r["echo_frame_p50"], r["view_frame_p95"] / r["echo_frame_p95"]
        worst = max(worst, x50, x95)
        pl = r["play"]
        print(f"{r['notebook']:26} {r['view']:10} {r['view_shown_p50']:6.1f}/{r['view_shown_p95']:6.1f} "
              f"{r['view_frame_p50']:6.1f}/{r['view_frame_p95']:6.1f} {r['echo_frame_p50']:9.1f}/{r['echo_frame_p95']:6.1f}"
              f" {x50:7.2f}/{x95:5.2f}   " + (f"{pl['steps_per_s']:5.1f}, {pl['dropped']}/{pl['frames']}, {pl['waits']}"
                                              if pl["steps_per_s"] else f"({pl['steps']} step: too few to time)"))
    print(f"\nworst view: {worst:.2f}x the echo (target {TARGET}x): {'ok' if worst <= TARGET else 'OVER'}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
