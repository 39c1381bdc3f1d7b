"""One notebook as a Voila app, in its light and its dark theme: the views work there too (no
JupyterLab around them), step as the trace says, and every text in them is readable."""
import pytest

from browser_checks import check_present, exercise

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

APP = "02-conv2d-channels.ipynb"


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_voila_app_views_follow_the_trace_and_read_well(voila, theme):
    app = voila(APP, theme)
    assert not app.errors()
    views = app.views()
    assert views and views[0].example == "seed_conv2d"
    app.screenshot("voila-02-conv2d-channels" + ("-dark" if theme == "dark" else ""), show="top")
    log = exercise(views[0], f"Voila {APP}, {theme}")
    assert any("drag" in line for line in log) and any("Play" in line for line in log)
    assert not app.errors(), f"errors in the Voila app: {app.errors()[:5]}"
    for v in views:
        app.readable(v.root, f"Voila view {v.index}")
    for v in views:
        print(*check_present(app, v, f"voila-{theme}-view{v.index}"), sep="\n")
