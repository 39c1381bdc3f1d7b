"""TransposeView, GradientView and Im2colView on a static page (no kernel, every outside request
blocked): hydrated by view.js's hydrate(), stepped by keys, Prev/Next, Play and the reading switch,
the numbers on screen equal to the view's data for that step, readable in light and dark."""
import pytest

from browser_driver import assert_named, static_views, wait_step, walk
from browser_gridsteps import expected, on_screen

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]


@pytest.fixture
def static_page(page, tmp_path):
    from convcore.views import GradientView, Im2colView, TransposeView
    views = [TransposeView.from_example("checkerboard"), GradientView.from_example("seed_conv2d"),
             Im2colView.from_example("seed_conv2d")]
    body = "".join(v.embed_html() for v in views)
    script = "import {hydrate} from './assets/convcore-view.js'; hydrate();"
    with static_views(page, tmp_path, body, script,
                      "document.querySelectorAll('.convcore-embed[data-hydrated] .convcore-view').length === 3") as host:
        yield host, views, [page.locator(f'.convcore-view[data-view="{v.kind}"]') for v in views]


def test_every_control_steps_and_the_screen_equals_the_data(static_page):
    host, views, roots = static_page
    for view, root in zip(views, roots):
        modes = view.modes
        first = modes[view.mode]
        assert on_screen(root) == expected(first, 0), view.kind
        walk(root, first["n"] - 1, lambda k: _screen_is(root, first, k))  # noqa: B023  (ends at the last step)
        for key in list(modes)[1:]:          # the reading switch: to the same element in the other reading
            to = first["steps"][first["n"] - 1].get("jump", {}).get(key, 0)
            root.locator(f'[data-role=mode][data-mode="{key}"]').click()
            wait_step(root, to, key)
            _screen_is(root, modes[key], to)
            root.locator("[data-role=step-slider]").focus()
            host.page.keyboard.press("End")
            wait_step(root, modes[key]["n"] - 1, key)
            _screen_is(root, modes[key], modes[key]["n"] - 1)
        assert_named(root)


def _screen_is(root, mode, k):
    assert on_screen(root) == expected(mode, k), f"{root.get_attribute('data-view')}, {mode['key']} step {k}"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_text_is_readable(static_page, scheme):
    host, views, roots = static_page
    host.set_theme(scheme)
    for view, root in zip(views, roots):
        root.locator("[data-role=next]").click()
        root.locator("[data-role=next]").click()
        wait_step(root, 2)
        host.readable(root, view.kind, at_least=31)
        host.screenshot(f"gridsteps-{view.kind}-{scheme}", root)


# -- in JupyterLab: live widgets, the kernel hears where the browser is ---------------------------
LAB_CELLS = ['''\
from convcore.views import GradientView, Im2colView, TransposeView
board_view = TransposeView.from_example("checkerboard")
board_view
''', '''\
grad_view = GradientView.from_example("seed_conv2d")
grad_view
''', '''\
im2col_view = Im2colView.from_example("seed_conv2d")
im2col_view
''', '''\
print(f"kernel sees {board_view.mode} {board_view.step}, {grad_view.mode} {grad_view.step}, im2col {im2col_view.step}")
reports = globals().get("reports", 0) + 1
''', '''\
if reports > 1:                  # not during Run All: after the test ran the report again
    im2col_view.step = 7
    board_view.update(2, mode="scatter")
''']


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_in_jupyterlab_live_readable_and_the_kernel_hears(lab, lab_root, theme):
    import browser_scratch
    from convcore.views import GradientView, Im2colView, TransposeView
    browser_scratch.write(browser_scratch.notebook(*LAB_CELLS), lab_root / "_harness" / "gridsteps.ipynb")
    lab.open("_harness/gridsteps.ipynb", theme)
    state = lab.run_all()
    assert state["unrun"] == 0 and lab.errors() == []
    views = [TransposeView.from_example("checkerboard"), GradientView.from_example("seed_conv2d"),
             Im2colView.from_example("seed_conv2d")]
    shown = lab.views()
    assert [v.kind for v in shown] == [v.kind for v in views]
    for view, v in zip(views, shown):
        first = view.modes[view.mode]
        _screen_is(v.root, first, 0)
        v.press("ArrowRight", 3)
        v.wait_step(3)
        _screen_is(v.root, first, 3)
        lab.readable(v.root, view.kind)
        lab.screenshot(f"lab-{theme}-{view.kind}", v.root)
    board, im2col = shown[0].root, shown[2].root
    board.locator('[data-role=mode][data-mode="gather"]').click()
    to = views[0].record(3, "scatter")["jump"]["gather"] + 1
    board.locator("[data-role=step-slider]").focus()
    lab.page.keyboard.press("ArrowRight")
    wait_step(board, to, "gather")
    _screen_is(board, views[0].modes["gather"], to)
    lab.wait_kernel_says(4, f"kernel sees gather {to}, input 3, im2col 3")      # once the learner pauses
    lab.run_cell(5)                                   # the kernel moves the views: the browser follows
    wait_step(im2col, 7)
    _screen_is(im2col, views[2].modes["im2col"], 7)
    wait_step(board, 2, "scatter")
    _screen_is(board, views[0].modes["scatter"], 2)
