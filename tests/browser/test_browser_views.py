"""The views in the browser, every kind through the one renderer: no kernel message per step and the
kernel still hears; the kernel moves a view and recomputes one; readable in Light and Dark, named
controls and a live sentence; on a static page every control works, with the page's screen equal
to the record it shows after every move (``browser_checks.exercise``)."""
import time

import numpy as np
import pytest
from PIL import Image

import browser_scratch
from browser_checks import check_present, check_screen, exercise
from browser_driver import assert_named, static_views, until, wait_js

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]
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
    check_screen(seed.root)
    lab.wait_kernel_says(3, f"kernel sees step {PRESSES}, build-up 8")   # once the learner pauses


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_text_is_readable_and_every_control_named(lab, theme):
    _sent, _echo, seed = _open_views(lab)
    lab.set_theme(theme)
    seed.press("ArrowRight", 4)
    seed.wait_step(4)
    seed.press("Home", 1, "buildup-slider")
    seed.press("ArrowRight", 5, "buildup-slider")      # terms, a partial sum, the running total
    seed.wait_step(5, attr="data-buildup")
    check_screen(seed.root)
    lab.screenshot(f"lab-{theme}-seed", seed.root)
    lab.readable(seed.root, "the seed's view", at_least=61)
    assert_named(seed.root, by_label=True)
    seed.press("End", 1, "buildup-slider")
    seed.wait_step(8, attr="data-buildup")
    assert seed.control("say").inner_text() == "output channel 0 at (1, 1): 17 + 10 = 27"
    print(*check_present(lab, seed, f"lab-{theme}"), sep="\n")
    check_screen(seed.root)                              # back in its cell, as it was
    with lab.page.expect_download() as download:         # the step as a PNG, from JupyterLab too
        seed.click("save-png")
    assert download.value.suggested_filename == f"stepper2d-step-{seed.step}.png"
    saved = download.value.path()
    assert Image.open(saved).width > 1000 and len(Image.open(saved).convert("RGB").getcolors(1 << 20)) > 20


# -- every kind on one static page ------------------------------------------------------------
def every_kind():
    from convcore import Network
    from convcore.views import (GradientView, HeatmapView, Im2colView, NetworkView, PointwiseView, PoolView,
                                ReceptiveFieldView, SequenceView, Stepper1D, Stepper2D, TransposeView)
    rng = np.random.default_rng(0)
    return [Stepper2D.from_example("seed_conv2d"), PointwiseView.from_example("seed_1x1"),
            Stepper1D([1, 2, 3, 4, 5], [1, 0, -1], bias=[2], stride=2, padding=1),
            TransposeView.from_example("checkerboard"), GradientView.from_example("seed_conv2d"),
            Im2colView.from_example("seed_conv2d"),
            PoolView([[1, 2, 0, 1], [3, 4, 1, 0], [0, 0, 5, 6], [1, 2, 7, 8]], "max", kernel_size=2),
            PoolView([1, 3, 2, 2, 5], "avg", kernel_size=2, ceil_mode=True),
            ReceptiveFieldView([dict(kernel_size=3, padding=1), dict(kind="max_pool", kernel_size=2),
                                dict(kernel_size=3, padding=1), dict(kind="max_pool", kernel_size=2)], 16),
            SequenceView(24, kernel_size=2, dilations=(1, 2, 4, 8)),
            NetworkView(Network([{"type": "Conv2d", "in_channels": 1, "out_channels": 2, "kernel_size": 3, "padding": 1},
                                 {"type": "ReLU"}, {"type": "MaxPool2d", "kernel_size": 2}, {"type": "Flatten"},
                                 {"type": "Linear", "in_features": 8, "out_features": 3}], seed=0),
                        np.arange(16.0).reshape(1, 4, 4) % 5),
            HeatmapView(rng.integers(-5, 6, (3, 64, 64)), rng.integers(-2, 3, (4, 3, 3, 3)), padding=1)]


def test_every_kind_steps_on_a_static_page_with_every_request_outside_it_blocked(page, tmp_path):
    from convcore.views import embed_html
    views = every_kind()
    body = "".join(embed_html(v) for v in views)
    script = "import {hydrate} from './assets/convcore-view.js'; window.hydrated = hydrate().length;"
    with static_views(page, tmp_path, body, script, f"window.hydrated === {len(views)}") as host:
        shown = host.views()
        assert [v.kind for v in shown] == [v.data["kind"] for v in views]
        for view, v in zip(views, shown):
            log = exercise(v, f"static {view.data['kind']}", data=view.data)
            print(view.data["kind"], *log, sep="\n  ")
        heat = shown[-1]
        assert heat.range()[1] < 16_383 and "run the notebook" in heat.control("held").inner_text()
        rec = shown[8]                           # a static page has no kernel: the selects are off, and say so
        assert rec.root.locator("select[data-role^=control-]:not([disabled])").count() == 0
        assert "needs a running kernel" in rec.control("needs-kernel").inner_text()
        for theme in ("light", "dark"):
            host.set_theme(theme)
            for view, v in zip(views, shown):
                host.readable(v.root, f"static {view.data['kind']}")
            host.screenshot(f"static-every-kind-{theme}", full_page=True)
        # present mode for every kind: controls, panels, lines and legend on a projector's screen and at 1080p
        host.set_theme("light")
        for view, v in zip(views, shown):
            print(*check_present(host, v, f"static-{view.data['kind']}"), sep="\n")
        # on a phone (390 px wide) every view fits the width; a panel wider than that scrolls by itself
        page.set_viewport_size({"width": 390, "height": 844})
        until(lambda: page.evaluate("() => document.documentElement.scrollWidth"), "the page to fit 390 px",
              lambda w: w <= 390)
        # (the views mark a panel on the resize event, which may come a frame after the page fits)
        scrolling = until(lambda: page.evaluate("() => Array.from(document.querySelectorAll('[data-scrolls]'), "
                                                "(p) => getComputedStyle(p.querySelector('.cc-title'), '::before').content)"),
                          "a panel marked as scrolling sideways", bool)
        assert all("scrolls sideways" in c for c in scrolling), scrolling
        host.screenshot("static-every-kind-phone", full_page=True)


# -- live in JupyterLab: the kernel moves views, recomputes one, and hears where they are ------------
LIVE_CELLS = [
    "from convcore.views import PoolView, ReceptiveFieldView, TransposeView\n"
    "pool_view = PoolView([[1, 2, 0, 1], [3, 4, 1, 0], [0, 0, 5, 6], [1, 2, 7, 8]], 'max', kernel_size=2)\n"
    "pool_view",
    "board = TransposeView.from_example('checkerboard')\nboard",
    "rf_view = ReceptiveFieldView([dict(kernel_size=3, padding=1), dict(kind='max_pool', kernel_size=2),\n"
    "                              dict(kernel_size=3, padding=1), dict(kind='max_pool', kernel_size=2)], 16)\n"
    "rf_view",
    "pool_view.step = 2",
    "print(f'kernel sees board {board.reading} {board.step}, layer 4 kernel {rf_view.layers[3][\"kernel_size\"]}')",
]


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_live_in_jupyterlab(lab, lab_root, theme):
    browser_scratch.write(browser_scratch.notebook(*LIVE_CELLS), lab_root / "_harness" / "live.ipynb")
    lab.open("_harness/live.ipynb", theme)
    state = lab.run_all()
    assert state["unrun"] == 0 and lab.errors() == []
    pool, board, rec = lab.views()
    assert (pool.kind, board.kind, rec.kind) == ("pool", "transposed", "receptive")
    pool.wait_step(2)                                    # the kernel moved it: pool_view.step = 2
    check_screen(pool.root)
    board.root.locator('[data-role=reading][data-reading="gather"]').click()
    wait_js(lab.page, "r => r.getAttribute('data-reading') === 'gather'", "the board to show its gather reading",
            board.root.element_handle())
    board.press("ArrowRight", 3)
    board.wait_step(3)
    check_screen(board.root)
    top = rec.root.locator(".cc-panel").first
    before = top.locator("[data-role=title]").inner_text()
    top.locator("select[data-role=control-kernel_size]").select_option("3")   # the top layer: recomputed by the kernel
    wait_js(lab.page, "([r, t]) => r.querySelector('.cc-panel [data-role=title]').textContent !== t",
            "the receptive view to show the kernel's new stack", [rec.root.element_handle(), before])
    check_screen(rec.root)
    lab.wait_kernel_says(5, "kernel sees board gather 3, layer 4 kernel 3")    # once the learner pauses
    for view in (pool, board, rec):
        lab.screenshot(f"lab-{theme}-{view.kind}", view.root)
        lab.readable(view.root, view.kind)


# -- a lecture from one screen: keys, present mode, a link to a step ---------------------------
def test_a_lecture_from_one_screen(page, tmp_path):
    from convcore.views import Stepper2D, TransposeView, embed_html
    views = [Stepper2D.from_example("seed_conv2d"), TransposeView.from_example("checkerboard")]
    body = "".join(embed_html(v) for v in views)
    script = "import {hydrate} from './assets/convcore-view.js'; window.hydrated = hydrate().length;"
    with static_views(page, tmp_path, body, script, "window.hydrated === 2") as host:
        seed, board = host.views()
        # keys, with the view itself focused
        seed.root.focus()
        for key, attr, want in (("ArrowRight", "data-step", 1), ("ArrowRight", "data-step", 2), ("End", "data-step", 26),
                                ("Home", "data-step", 0), ("-", "data-buildup", 7), ("-", "data-buildup", 6),
                                ("+", "data-buildup", 7)):
            page.keyboard.press(key)
            seed.wait_step(want, attr=attr)
        page.keyboard.press("End")                         # the build-up ends at the last term: no "so far"
        seed.press("End", 1, "buildup-slider")
        seed.wait_step(8, attr="data-buildup")
        assert "so far" not in seed.root.locator("[data-role=lines]").inner_text()
        seed.control("step-slider").focus()
        page.keyboard.press(" ")                           # Space on the step slider plays, and pauses
        wait_js(page, "b => b.getAttribute('aria-pressed') === 'true'", "Space to start Play",
                seed.control("play").element_handle())
        page.keyboard.press(" ")
        wait_js(page, "b => b.getAttribute('aria-pressed') === 'false'", "Space to pause", seed.control("play").element_handle())
        cell = seed.root.locator('[data-order="20"]')       # Enter on an output cell goes to its step
        cell.focus()
        page.keyboard.press("Enter")
        seed.wait_step(20)
        seed.control("step-number").fill("12")              # a typed step number
        seed.control("step-number").press("Enter")
        seed.wait_step(12)
        check_screen(seed.root)
        assert "Space or P plays and pauses" in seed.root.locator(f"#{seed.root.get_attribute('aria-describedby')}").text_content()
        # the step as a PNG for a slide, from the view's own button (no kernel on this page)
        with page.expect_download() as download:
            seed.click("save-png")
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)
        picture = Image.open(saved).convert("RGB")
        assert saved.name == "stepper2d-step-12.png" and picture.width > 1000 and len(picture.getcolors(1 << 20)) > 20
        # every step as a GIF, at the scale chosen (1×): one frame per step, each a different picture
        seed.choose("picture-scale", "1")
        with page.expect_download(timeout=60_000) as download:
            seed.click("save-gif")
        animation = Image.open(download.value.path())
        assert download.value.suggested_filename == "stepper2d-steps.gif" and animation.n_frames == 27
        frames = []
        for i in (0, 26):
            animation.seek(i)
            frames.append(animation.convert("RGB"))
        assert frames[0].size[0] < picture.width and frames[0].tobytes() != frames[1].tobytes()
        assert len(frames[1].getcolors(1 << 20)) > 10
        seed.wait_step(12)                                 # the view is back where it was
        # present mode: everything of the view inside the screen, at a projector's size and at 1080p
        for theme in ("light", "dark"):
            host.set_theme(theme)
            print(*check_present(host, seed, f"static-{theme}"), sep="\n")
            assert seed.root.evaluate("r => !!r.closest('.convcore-embed')")      # back in its place
        # a link to a step: the address names the view and the step
        board.press("ArrowRight", 5)
        board.wait_step(5)
        href = board.control("link").get_attribute("href")
        embed_id = board.root.evaluate("r => r.closest('.convcore-embed').id")
        assert href == f"#{embed_id}-step-5"
        url = page.url.split("#")[0]
        page.goto(url + href)
        page.reload()
        wait_js(page, "() => window.hydrated === 2", "the page to hydrate again")
        _, board = host.views()
        board.wait_step(5)
        assert board.root.evaluate("r => { const b = r.getBoundingClientRect(); return b.top >= -1 && b.top < innerHeight; }")


# -- the explorer on a static page: its selects pick among every combination computed at build time ------
def test_the_explorer_on_a_static_page_changes_its_settings_and_steps(page, tmp_path):
    from convcore.views import Explorer, embed_html
    from convcore.views.explorer import STATIC_SETTINGS
    explorer = Explorer("seed_conv2d")
    data = explorer.static_view().data
    script = "import {hydrate} from './assets/convcore-view.js'; window.hydrated = hydrate().length;"
    with static_views(page, tmp_path, embed_html(explorer), script, "window.hydrated === 1") as host:
        (view,) = host.views()
        assert view.root.locator("select[data-role^=control-]:not([disabled])").count() == len(STATIC_SETTINGS)
        for stride, padding, dilation in ((2, 0, 1), (3, 1, 1), (1, 2, 2)):
            for name, value in zip(STATIC_SETTINGS, (stride, padding, dilation)):
                view.choose(f"control-{name}", str(value))
            key = f"{stride},{padding},{dilation}"
            wait_js(page, "([r, key]) => r.getAttribute('data-reading') === key", f"the reading {key}",
                    [view.root.element_handle(), key])
            rd = next(r for r in data["readings"] if r["key"] == key)
            assert dict(rd["notes"])["shape"] in view.control("shape").inner_text()
            check_screen(view.root, data)
            view.press("End")
            view.wait_step(min(rd["n"], rd["held"] or rd["n"]) - 1)
            check_screen(view.root, data)
        for theme in ("light", "dark"):
            host.set_theme(theme)
            host.readable(view.root, "static explorer")
            host.screenshot(f"static-explorer-{theme}", full_page=True)
