"""One notebook as a Voila app: the views work there too (no JupyterLab around them)."""
import pytest

import browser_servers as servers
from browser_checks import contrast, exercise
from browser_driver import find_views, visible_errors, wait_quiet

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

APP = "02-conv2d-channels.ipynb"


def test_voila_app_views_follow_the_trace(voila_app, page, lab_root):
    server = voila_app(APP)
    errors_in_console = []
    page.on("pageerror", lambda e: errors_in_console.append(str(e)))
    page.goto(server.url, wait_until="domcontentloaded", timeout=120_000)
    page.wait_for_selector(".convcore-view[data-step]", timeout=120_000)
    wait_quiet(page, "body", 500, 30)
    assert not visible_errors(page, "body")
    views = find_views(page, "body", lab_root / APP)
    assert views and views[0].example == "seed_conv2d"
    page.evaluate("() => window.scrollTo(0, 0)")
    servers.SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(servers.SCREENSHOTS / "voila-02-conv2d-channels.png"))
    log = exercise(views[0], f"Voila {APP}")
    assert any("drag" in line for line in log) and any("Play" in line for line in log)
    assert not errors_in_console, f"uncaught page errors in the Voila app: {errors_in_console[:5]}"
    assert not visible_errors(page, "body")
    _readable(views, "light")


def _readable(views, theme):
    for v in views:
        texts = contrast(v.root)
        low = [t for t in texts if t["ratio"] < 4.5]
        assert texts and not low, f"Voila {theme}, view {v.index}: {len(low)} of {len(texts)} texts under 4.5:1: {low[:3]}"


def test_voila_dark_theme_is_readable(voila_app, page, lab_root):
    server = voila_app(APP)
    page.goto(server.url + "?theme=dark", wait_until="domcontentloaded", timeout=120_000)
    page.wait_for_selector(".convcore-view[data-step]", timeout=120_000)
    wait_quiet(page, "body", 500, 30)
    assert page.evaluate("() => document.body.dataset.jpThemeLight") == "false", "Voila did not take the dark theme"
    views = find_views(page, "body", lab_root / APP)
    views[0].press("ArrowRight", 4)
    views[0].wait_step(4)
    _readable(views, "dark")
    views[0].root.scroll_into_view_if_needed()
    page.screenshot(path=str(servers.SCREENSHOTS / "voila-02-conv2d-channels-dark.png"))
