"""Small generated notebooks that prove the browser harness itself.

* ``views.ipynb``: the latency floor (an IntSlider echoed into an HTML widget) beside the
  seed's Stepper2D, and a cell that prints where the kernel thinks the view is (messages,
  contrast and sync tests).

The cell sources are plain strings so the benchmark and the tests can reuse them.
"""
from __future__ import annotations

from pathlib import Path

import nbformat

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}

ECHO = '''\
import ipywidgets as w
echo_slider = w.IntSlider(value=0, min=0, max=200, description="step")
echo_html = w.HTML()
def _echo(change=None):
    k = echo_slider.value
    echo_html.value = (f'<div class="convcore-view" data-view="echo" data-step="{k}">'
                       f'step <b data-role="value">{k}</b></div>')
echo_slider.observe(_echo, "value")
_echo()
w.VBox([echo_slider, echo_html])
'''

VIEWS = '''\
from convcore.views import Stepper2D
seed_view = Stepper2D.from_example("seed_conv2d")
seed_view
'''

REPORT = '''\
print(f"kernel sees step {seed_view.step}, build-up {seed_view.buildup}")
'''

def notebook(*sources: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell("# harness scratch notebook")] + [
        nbformat.v4.new_code_cell(s) for s in sources]
    return nb


def write(nb: nbformat.NotebookNode, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


def write_scratch(directory: Path) -> dict[str, Path]:
    """Write the harness notebooks into ``directory``; returns name -> path."""
    return {"views": write(notebook(ECHO, VIEWS, REPORT), directory / "views.ipynb")}
