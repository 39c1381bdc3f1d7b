"""One notebook as a Voila app: the views work there too (no JupyterLab around them).

Serves the 2-D channels notebook (the seed's worked example) with Voila, waits
for the app, asserts no error on the page, and repeats the slider checks on
its first step-through view: keyboard, mouse drag, Next/Prev, Play, synced
sliders, build-up, with every displayed number compared with the trace.
"""
import pytest

import browser_servers as servers
from browser_checks import exercise
from browser_driver import find_views, visible_errors, wait_quiet

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

PREFERRED = "02-conv2d-channels.ipynb"


def _app_notebook() -> str:
    names = sorted(p.name for p in servers.NOTEBOOKS.glob("*.ipynb"))
    if PREFERRED in names:
        return PREFERRED
    with_views = [n for n in names if "convcore.views" in (servers.NOTEBOOKS / n).read_text()]
    return with_views[0] if with_views else "_harness/fake-views.ipynb"


def test_voila_app_slider_follows_the_trace(voila_app, page, lab_root):
    import nbformat

    name = _app_notebook()
    server = voila_app(name)
    errors_in_console = []
    page.on("pageerror", lambda e: errors_in_console.append(str(e)))
    page.goto(server.url, wait_until="domcontentloaded", timeout=120_000)
    page.wait_for_selector(".convcore-view", timeout=120_000)
    wait_quiet(page, "body", 500, 30)

    errors = visible_errors(page, "body")
    assert not errors, f"Voila app of {name} shows errors:\n" + "\n".join(errors)
    cells = nbformat.read(str(lab_root / name), as_version=4).cells
    views = [v for v in find_views(page, "body", cells, lab_root / name) if v.kind != "explorer"]
    assert views, f"Voila app of {name} shows no step-through view"
    view = views[0]
    page.evaluate("() => window.scrollTo(0, 0)")
    servers.SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(servers.SCREENSHOTS / f"voila-{name.removesuffix('.ipynb').replace('/', '-')}.png"))

    def shoot(v, what):
        v.container.scroll_into_view_if_needed()
        page.screenshot(path=str(servers.SCREENSHOTS / f"voila-{name.removesuffix('.ipynb')}-view{v.index}.png"))

    log = exercise(view, f"Voila {name} view {view.index} ({view.kind})", shoot)
    assert any("drag" in line for line in log) and any("ArrowRight" in line for line in log)
    assert not errors_in_console, f"uncaught page errors in the Voila app: {errors_in_console[:5]}"
    assert not visible_errors(page, "body")
