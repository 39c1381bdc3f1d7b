"""The views in the browser: no kernel message per step, the kernel still hears, readable in
JupyterLab Light and Dark, named controls and a live sentence, and alive on a static page."""
import json
import time

import numpy as np
import pytest

import browser_servers as servers
from browser_checks import check_screen, contrast, exercise
from browser_driver import find_views
from site_pages import views_page

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]
PRESSES = 20


def _open_views(lab, lab_root):
    sent = []
    lab.page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(time.monotonic())))
    lab.root_dir = lab_root
    lab.open("_harness/views.ipynb")
    state = lab.run_all()
    assert state["unrun"] == 0 and lab.errors() == []
    echo, seed = lab.views()
    assert (echo.kind, seed.kind) == ("echo", "stepper2d")
    return sent, echo, seed


def test_a_step_sends_the_kernel_nothing_and_the_kernel_still_hears(lab, lab_root):
    sent, echo, seed = _open_views(lab, lab_root)
    echo_slider = lab.page.locator(".noUi-handle").first      # the only ipywidgets slider there
    echo_slider.focus()
    t0, before = time.monotonic(), len(sent)
    for k in range(1, PRESSES + 1):
        lab.page.keyboard.press("ArrowRight")
        echo.wait_step(k)
    echo_frames = len(sent) - before
    seed.press("Home")
    seed.wait_step(0)
    time.sleep(1.0)                               # the Home's report to the kernel goes out
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
    check_screen(seed.root)
    time.sleep(0.8)                                # the learner pauses: the kernel hears where the view is
    cell = lab.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell").nth(3)
    cell.locator(".jp-InputArea-editor").click()
    lab.page.keyboard.press("Shift+Enter")
    out = cell.locator(".jp-OutputArea-output")
    out.first.wait_for()
    assert out.first.inner_text().strip() == f"kernel sees step {PRESSES}, build-up 8"


@pytest.mark.parametrize("theme", ["JupyterLab Light", "JupyterLab Dark"])
def test_every_text_is_readable_and_every_control_named(lab, lab_root, theme):
    try:
        _sent, _echo, seed = _open_views(lab, lab_root)
        lab.set_theme(theme)
        bg = lab.page.evaluate("() => getComputedStyle(document.body).getPropertyValue('--jp-layout-color0')")
        assert bg.strip().lower() in (("#fff", "#ffffff", "white") if "Light" in theme else ("#111", "#111111")), bg
        seed.press("ArrowRight", 4)
        seed.wait_step(4)
        seed.press("Home", 1, "buildup-slider")
        seed.press("ArrowRight", 5, "buildup-slider")      # terms, a partial sum, the running total
        seed.wait_step(5, attr="data-buildup")
        seed.root.scroll_into_view_if_needed()
        lab.screenshot(f"lab-{theme.split()[-1].lower()}-seed", seed.root)
        texts = contrast(seed.root)
        assert len(texts) > 60
        low = [t for t in texts if t["ratio"] < 4.5]
        assert not low, f"{theme}: {len(low)} texts below 4.5:1, e.g. {low[:5]}"
        names = seed.root.evaluate("r => Array.from(r.querySelectorAll('button, input, select')).map(e => "
                                   "e.getAttribute('aria-label') || (e.labels && e.labels[0] && e.labels[0].textContent) || '')")
        assert names and all(n.strip() for n in names), names
        seed.press("End", 1, "buildup-slider")
        seed.wait_step(8, attr="data-buildup")
        say = seed.control("say")
        assert say.get_attribute("aria-live") == "polite"
        assert say.inner_text() == "output channel 0 at (1, 1): 17 + 10 = 27"
    finally:
        lab.set_theme("JupyterLab Light")


def test_a_static_page_steps_with_every_request_outside_it_blocked(page, tmp_path):
    from convcore.views import HeatmapView, PointwiseView, Stepper1D, Stepper2D, embed_html
    rng = np.random.default_rng(0)
    big = HeatmapView(rng.integers(-5, 6, (3, 64, 64)), rng.integers(-2, 3, (4, 3, 3, 3)), padding=1)
    views = [Stepper2D.from_example("seed_conv2d"), PointwiseView.from_example("seed_1x1"), big,
             Stepper1D([1, 2, 3, 4, 5], [1, 0, -1], bias=[2], stride=2, padding=1)]
    body = "".join(embed_html(v) for v in views)
    script = "import {hydrate} from './assets/convcore-view.js'; window.hydrated = hydrate().length;"
    with views_page(page, tmp_path, body, script):
        page.wait_for_function("window.hydrated === 4")
        seed, pointwise, heat, short = find_views(page, "body")
        exercise(seed, "static seed", data=views[0].data)
        exercise(pointwise, "static 1×1", data=views[1].data)
        exercise(short, "static 1-D with bias", data=views[3].data)
        held = json.loads(page.locator("script.convcore-data").nth(2).text_content())["data"]["readings"][0]["held"]
        assert heat.range() == (0, held - 1)             # the slider stops at what the page holds
        assert heat.control("held").inner_text() == (f"This page holds steps 0–{held - 1:,} of 16,384; "
                                                      "run the notebook for the rest.")
        heat.press("ArrowRight", 3)
        heat.wait_step(3)
        check_screen(heat.root)
        heat.press("End")
        heat.wait_step(held - 1)
        check_screen(heat.root)
        heat.press("ArrowRight", 1, "out-channel")       # a step the page does not hold: refused, said why
        assert heat.step == held - 1 and heat.value("out-channel") == 0
        assert "run the notebook" in heat.control("note").inner_text()
        low = [t for t in contrast(seed.root) if t["ratio"] < 4.5]
        assert not low, low[:5]
        page.screenshot(path=str(servers.SCREENSHOTS / "static-page.png"), full_page=True)
