"""Small generated notebooks that prove the browser harness itself.

* ``echo.ipynb``: the latency floor, an IntSlider echoed into an HTML widget.
* ``views.ipynb``: the echo beside the seed's Stepper2D, and a cell that prints
  where the kernel thinks the view is (messages, contrast and sync tests).
* ``mpl-interact.ipynb``: the naive baseline, ``interact`` + a full matplotlib
  redraw of the seed 2-D example on every move.

The cell sources are plain strings so the benchmark can reuse them.
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

MPL_INTERACT = '''\
import matplotlib.pyplot as plt
import numpy as np
import ipywidgets as w
import convcore.examples

mpl_trace = convcore.examples.get("seed_conv2d").trace()
mpl_out = mpl_trace.output

def _grid(ax, a, title, mask=None):
    ax.imshow(np.where(mask, 1.0, 0.0) if mask is not None else np.zeros_like(a, float),
              cmap="Oranges", vmin=0, vmax=2)
    for (i, j), v in np.ndenumerate(a):
        ax.text(j, i, str(v), ha="center", va="center", fontsize=9)
    ax.set_title(title, fontsize=9); ax.set_xticks([]); ax.set_yticks([])

def mpl_redraw(step=0):
    s = mpl_trace[step]
    x = mpl_trace.problem.input[0]
    fig, axes = plt.subplots(1, 2 + 2 + len(mpl_out), figsize=(12, 2.6))
    taps = {t.coords for t in s.window}
    for c in range(x.shape[0]):
        mask = np.array([[(i, j) in taps for j in range(x.shape[2])] for i in range(x.shape[1])])
        _grid(axes[c], x[c], f"input {c}", mask)
        _grid(axes[2 + c], s.kernel[c], f"kernel {c}: partial {s.partial_sums[c]}")
    for c in range(len(mpl_out)):
        shown = np.array([[mpl_trace.index(c, (i, j)) <= step for j in range(mpl_out.shape[2])]
                          for i in range(mpl_out.shape[1])])
        _grid(axes[4 + c], np.where(shown, mpl_out[c], 0), f"out {c}", shown)
    fig.suptitle(f"step {step}: value {s.value}")
    plt.show()

w.interact(mpl_redraw, step=w.IntSlider(value=0, min=0, max=len(mpl_trace) - 1, description="step"));
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
    return {
        "echo": write(notebook(ECHO), directory / "echo.ipynb"),
        "views": write(notebook(ECHO, VIEWS, REPORT), directory / "views.ipynb"),
        "mpl-interact": write(notebook(MPL_INTERACT), directory / "mpl-interact.ipynb"),
    }
