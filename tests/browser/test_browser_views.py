"""The views in the browser: no kernel message per step, the kernel still hears, readable in
JupyterLab Light and Dark, named controls and a live sentence, and alive on a static page."""
import json
import time

import numpy as np
import pytest

from browser_checks import check_view, exercise
from browser_driver import assert_named, static_views, until

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]
PRESSES = 20


def _open_views(lab):
    sent = []
    lab.page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(time.monotonic())))
    lab.open("_harness/views.ipynb")
    state = lab.run_all()
    assert state["unrun"] == 0 and lab.errors() == []
    echo, seed = lab.views()
    assert (echo.kind, seed.kind) == ("echo", "stepper2d")
    return sent, echo, seed


def test_a_step_sends_the_kernel_nothing_and_the_kernel_still_hears(lab):
    sent, echo, seed = _open_views(lab)
    echo_slider = lab.page.locator(".noUi-handle").first      # the only ipywidgets slider there
    echo_slider.focus()
    before = len(sent)
    for k in range(1, PRESSES + 1):
        lab.page.keyboard.press("ArrowRight")
        echo.wait_step(k)
    echo_frames = len(sent) - before
    seed.press("Home")
    seed.wait_step(0)
    home = time.monotonic()          # the Home's report to the kernel goes out (300 ms after a move)
    until(lambda: time.monotonic() - max([home, *sent[-1:]]), "no frame sent for 0.8 s after Home",
          lambda quiet: quiet > 0.8, timeout=15, every=0.05)
    t0, before = time.monotonic(), len(sent)
    seed.control("step-slider").focus()
    for k in range(1, PRESSES + 1):
        lab.page.keyboard.press("ArrowRight")
        seed.wait_step(k)
    took = time.monotonic() - t0
    view_frames = len([t for t in sent[before:] if t <= t0 + took])
    print(f"{PRESSES} presses: echo sent {echo_frames} frames, the view {view_frames} in {took:.2f} s")
    assert echo_frames >= PRESSES                  # the floor: one message per step
    assert view_frames <= int(took / 2.0), f"the view sent {view_frames} messages for {PRESSES} steps in {took:.2f} s"
    check_view(seed.root, __import__("convcore").examples.get("seed_conv2d").trace())
    lab.wait_kernel_says(3, f"kernel sees step {PRESSES}, build-up 9")   # once the learner pauses


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_text_is_readable_and_every_control_named(lab, theme):
    _sent, _echo, seed = _open_views(lab)
    lab.set_theme(theme)
    seed.press("ArrowRight", 4)
    seed.wait_step(4)
    seed.press("Home", 1, "buildup-slider")
    seed.press("ArrowRight", 5, "buildup-slider")      # terms, a partial sum, the running total
    seed.wait_step(5, attr="data-buildup")
    lab.screenshot(f"lab-{theme}-seed", seed.root)
    lab.readable(seed.root, "the seed's view", at_least=61)
    assert_named(seed.root, by_label=True)
    seed.press("End", 1, "buildup-slider")
    seed.wait_step(9, attr="data-buildup")
    assert seed.control("say").inner_text() == "output channel 0 at (1, 1): 17 + 10 = 27"


def test_a_static_page_steps_with_every_request_outside_it_blocked(page, tmp_path):
    from convcore import trace2d
    from convcore.views import HeatmapView, PointwiseView, Stepper2D, embed_html
    rng = np.random.default_rng(0)
    big = trace2d(rng.integers(-5, 6, (3, 64, 64)), rng.integers(-2, 3, (4, 3, 3, 3)), padding=1)
    views = [Stepper2D.from_example("seed_conv2d"), PointwiseView.from_example("seed_1x1"), HeatmapView(big)]
    body = "".join(embed_html(v) for v in views)
    script = "import {hydrate} from './assets/convcore-view.js'; window.hydrated = hydrate().length;"
    with static_views(page, tmp_path, body, script, "window.hydrated === 3") as host:
        seed, pointwise, heat = host.views()
        exercise(seed, views[0].trace, "static seed")
        check_view(pointwise.root, views[1].trace)
        note = heat.control("note").inner_text()
        kept = len(json.loads(page.locator("script.convcore-data").nth(2).text_content())["steps"])
        assert note == f"This page holds steps 0–{kept - 1:,} of 16,384; run the notebook for the rest."
        heat.press("ArrowRight", 3)
        heat.wait_step(3)
        check_view(heat.root, big)
        heat.press("End")                         # past what the page holds: it says so and stays
        heat.wait_settled()
        assert heat.step == 3 and "run the notebook" in heat.control("note").inner_text()
        host.readable(seed.root, "static seed")
        host.screenshot("static-page")
