"""One notebook as a Voila app: the views work there too (no JupyterLab around them)."""
import pytest

from browser_checks import exercise, trace_of

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

APP = "02-conv2d-channels.ipynb"


def test_voila_app_views_follow_the_trace(voila):
    app = voila(APP)
    assert not app.errors()
    views = app.views()
    assert views and views[0].example == "seed_conv2d"
    app.screenshot("voila-02-conv2d-channels", show="top")
    log = exercise(views[0], trace_of(views[0]), f"Voila {APP}")
    assert any("drag" in line for line in log) and any("Play" in line for line in log)
    assert not app.errors(), f"errors in the Voila app: {app.errors()[:5]}"
    for v in views:
        app.readable(v.root, f"Voila view {v.index}")


def test_voila_dark_theme_is_readable(voila):
    app = voila(APP, "dark")
    views = app.views()
    views[0].press("ArrowRight", 4)
    views[0].wait_step(4)
    for v in views:
        app.readable(v.root, f"Voila view {v.index}")
    app.screenshot("voila-02-conv2d-channels-dark", show=views[0].root)
