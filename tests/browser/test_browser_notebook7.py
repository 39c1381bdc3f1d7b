"""Notebook 7, the one-document-a-page notebook built from JupyterLab's parts: the views run there,
step exactly as the trace says, and every text in them is readable in its Light and Dark themes."""
import pytest

from browser_checks import check_present, exercise

pytestmark = [pytest.mark.browser, pytest.mark.timeout(360)]

NOTEBOOK = "02-conv2d-channels.ipynb"


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_notebook7_views_step_with_the_trace_and_read_well(notebook7, theme):
    notebook7.open(NOTEBOOK, theme)
    notebook7.run_all()
    assert not notebook7.errors()
    views = notebook7.views()
    assert len(views) == 2 and views[0].example == "seed_conv2d"
    seed = views[0]
    notebook7.screenshot(f"notebook7-{theme}-seed", seed.root)
    log = exercise(seed, f"Notebook 7 {theme}")
    assert any("Play" in line for line in log)
    notebook7.readable(seed.root, "Notebook 7", at_least=61)
    print(*check_present(notebook7, seed, f"notebook7-{theme}"), sep="\n")
    assert not notebook7.errors(), f"errors in Notebook 7: {notebook7.errors()[:5]}"
