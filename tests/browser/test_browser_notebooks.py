"""Every notebook in notebooks/, run and clicked in JupyterLab under Chromium.

For each notebook (the glob picks up new ones): open it over a temporary copy,
Run All Cells, assert every code cell ran and nothing a learner would read as
an error is on screen, and save a screenshot at 1366×768 into screenshots/.
Then every view: keyboard, mouse drag, Next/Prev, Play, the synced position
sliders and the build-up, with the displayed numbers compared after each move
with convcore's trace for the displayed step, computed in this process. The
explorer is set to an impossible configuration and back.
"""
import re

import pytest

import browser_servers as servers
from browser_checks import exercise, exercise_explorer

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

NOTEBOOKS = sorted(p.name for p in servers.NOTEBOOKS.glob("*.ipynb"))
# A cell that displays a view (its last line builds one).
MAKES_VIEW = re.compile(r"^(?!\s*#).*\b(Stepper1D|Stepper2D|PointwiseView|HeatmapView|Explorer|BuildUp|view_for)\b"
                        r"[\w.]*\(.*$", re.M)


def _expects_view(source: str) -> bool:
    lines = [line for line in source.strip().splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return bool(lines) and bool(MAKES_VIEW.match(lines[-1])) and not lines[-1].rstrip().endswith(";")


@pytest.mark.parametrize("name", NOTEBOOKS, ids=[n.removesuffix(".ipynb") for n in NOTEBOOKS])
def test_notebook_runs_and_every_view_follows_the_trace(lab, lab_root, name):
    stem = name.removesuffix(".ipynb")
    lab.root_dir = lab_root
    lab.open(name)
    state = lab.run_all(timeout=180)
    errors = lab.errors()
    lab.scroll_to_top()
    lab.screenshot(stem)
    assert not errors, f"{name} shows errors after Run All:\n" + "\n".join(errors)
    assert state["unrun"] == 0 and state["running"] == 0, f"{name}: not every cell ran: {state}"

    views = lab.views()
    cells = lab.cells()
    expected = [i for i, c in enumerate(cells) if c.cell_type == "code" and _expects_view(c.source)]
    shown = {v.cell for v in views}
    missing = [i for i in expected if i not in shown]
    assert not missing, (f"{name}: cells {missing} build a view but none rendered "
                         f"(widget manager or view failed?): {[cells[i].source[-120:] for i in missing]}")

    def shoot(view, what):
        view.container.scroll_into_view_if_needed()
        lab.screenshot(f"{stem}-view{view.index}-{view.kind}")

    explorers = [v for v in views if v.kind == "explorer"]
    for v in views:
        if v.kind != "explorer":
            log = exercise(v, f"{name} view {v.index} ({v.kind}, cell {v.cell})", shoot)
            print(f"{name} view {v.index} ({v.kind}):\n  " + "\n  ".join(log))
    for v in explorers:
        exercise_explorer(v, f"{name} view {v.index} (explorer, cell {v.cell})")
        shoot(v, "explorer")

    assert not lab.page_errors, f"{name}: uncaught page errors: {lab.page_errors[:5]}"
    assert not lab.errors(), f"{name}: errors after exercising the views: {lab.errors()}"
