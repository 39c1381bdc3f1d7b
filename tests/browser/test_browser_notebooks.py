"""Every notebook in notebooks/, Run All in JupyterLab under Chromium, every view worked by hand.

For each notebook (the glob picks up new ones): open it over a temporary copy, Run All Cells,
assert every code cell ran and nothing a learner would read as an error is on screen, save a
1366×768 screenshot into screenshots/. Then every view: keys, drag, Next/Prev, Play, position
controls, build-up, a click on an output cell and the reading switch, the screen compared after
each move with the screen its record describes (``browser_checks.check_screen``); the records
themselves are checked against the library headless (tests/test_views*.py). The explorer is worked as
every view is, then set to an impossible configuration and back.
"""
import re

import pytest

import browser_servers as servers
import build  # notebooks/build.py (conftest puts notebooks/ on the path)
from browser_checks import check_present, exercise
from browser_driver import wait_js, wait_selector

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

NOTEBOOKS = sorted(p.name for p in servers.NOTEBOOKS.glob("*.ipynb"))
def exercise_explorer(view, label: str) -> None:
    """Kernel size larger than the input, typed and Enter: explained; back: the shape returns; then
    random values: a seed box appears. The control the learner used keeps the focus each time."""
    box, shape = view.control("control-kernel"), view.control("shape").inner_text()
    before = box.input_value()
    box.fill("8")
    box.press("Enter")
    wait_selector(view.page, f'[data-cc-test="{view.container_id}"] [data-role="error"]:not(:empty)',
                  f"{label}: an explanation of the kernel too large")
    error = view.root.locator('[data-role="error"]:not(:empty)').first.inner_text()
    assert re.search(r"\d", error) and "does not fit" in error, f"{label}: {error}"
    assert view.control("control-kernel").evaluate("e => e === document.activeElement"), f"{label}: focus lost"
    view.control("control-kernel").fill(before)
    view.control("control-kernel").press("Enter")
    wait_js(view.page, "([id, s]) => { const e = document.querySelector(`[data-cc-test='${id}'] [data-role=shape]`);"
            " return e && e.textContent === s; }", f"{label}: the shape {shape!r} back", [view.container_id, shape])
    assert view.root.locator('[data-role="error"]:not(:empty)').count() == 0, f"{label}: the explanation stays"
    view.control("control-values").focus()             # a select: random numbers bring their seed box
    view.control("control-values").select_option("random integers")
    wait_selector(view.page, f'[data-cc-test="{view.container_id}"] [data-role="control-seed"]', f"{label}: a seed box")
    assert view.control("control-values").evaluate("e => e === document.activeElement"), f"{label}: focus lost"


@pytest.mark.parametrize("name", NOTEBOOKS, ids=[n.removesuffix(".ipynb") for n in NOTEBOOKS])
def test_notebook_runs_and_every_view_follows_the_trace(lab, name):
    stem = name.removesuffix(".ipynb")
    lab.open(name)
    state = lab.run_all(timeout=180)
    errors = lab.errors()
    lab.screenshot(stem, show="top")
    assert not errors, f"{name} shows errors after Run All:\n" + "\n".join(errors)
    assert state["unrun"] == 0 and state["running"] == 0, f"{name}: not every cell ran: {state}"

    views = lab.views()
    expected = [i for i, c in enumerate(lab.cells()) if c.cell_type == "code" and build.shows(c.source)]
    missing = [i for i in expected if i not in {v.cell for v in views}]
    assert not missing, f"{name}: cells {missing} build a view but none rendered"

    for v in sorted(views, key=lambda v: v.kind == "explorer"):     # explorers last: they change their data
        label = f"{name} view {v.index} ({v.kind}, cell {v.cell})"
        shoot = lambda view, what: lab.screenshot(f"{stem}-view{view.index}-{view.kind}", show=view.root)  # noqa: E731
        print(label, *exercise(v, label, shoot), sep="\n  ")
        print(*check_present(lab, v, f"{stem}-view{v.index}"), sep="\n  ")
        if v.kind == "explorer":       # its controls too: an impossible setting explained, then undone
            exercise_explorer(v, label)
    assert not lab.errors(), f"{name}: errors after exercising the views: {lab.errors()}"

    # Every text of every view reaches 4.5:1 in JupyterLab Light and Dark (the suite goes on in Light).
    views = lab.views()                      # found again: an explorer redraws its view when worked
    for theme in ("light", "dark"):
        lab.set_theme(theme)
        for v in views:
            lab.readable(v.root, f"{name} view {v.index} ({v.kind})")
        print(f"{name}, {theme}: every text of {len(views)} view(s) at 4.5:1 or more")
