"""Small generated notebooks that prove the browser harness itself.

* ``echo.ipynb``: the latency floor, an IntSlider echoed into an HTML widget.
* ``fake-views.ipynb``: a stand-in stepper (seed 2-D example) and a stand-in
  explorer that follow the views' DOM contract, built from ``convcore``'s trace
  in the kernel, so the harness's checks (keyboard, drag, Play, Prev/Next,
  numbers against the trace, impossible setting and back) run end to end even
  before the real views exist.
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

FAKE_STEPPER = '''\
import html
import numpy as np
import ipywidgets as w
import convcore.examples

def fake_stepper(name):
    trace = convcore.examples.get(name).trace()
    out = trace.output
    n = len(trace)
    step = w.IntSlider(value=0, min=0, max=n - 1, description="step")
    play = w.Play(value=0, min=0, max=n - 1, interval=200, description="play")
    w.jslink((play, "value"), (step, "value"))
    prev = w.Button(description="Prev")
    nxt = w.Button(description="Next")
    prev.on_click(lambda b: setattr(step, "value", max(step.min, step.value - 1)))
    nxt.on_click(lambda b: setattr(step, "value", min(step.max, step.value + 1)))
    view = w.HTML()

    def render(change=None):
        k = step.value
        s = trace[k]
        cells = []
        for idx in np.ndindex(out.shape):
            j = trace.index(idx[0], idx[1:])
            state = "done" if j < k else "current" if j == k else "todo"
            text = str(out[idx]) if j <= k else ""
            cells.append(f'<td data-role="out-cell" data-index="{",".join(map(str, idx))}" '
                         f'data-state="{state}">{text}</td>')
        taps = {t.coords for t in s.window}
        inputs = []
        for c in range(trace.problem.input.shape[1]):
            for pos in np.ndindex(trace.problem.input.shape[2:]):
                state = ("patch" if pos in taps else "plain") if c in s.in_channels else "other-group"
                inputs.append(f'<td data-role="in-cell" data-channel="{c}" data-pos="{",".join(map(str, pos))}" '
                              f'data-state="{state}">{trace.problem.input[0, c][pos]}</td>')
        partials = "".join(
            f'<li data-role="partial" data-channel="{c}">channel {c}: '
            + " + ".join(f"{a}·{b}" for a, b in zip(s.patch[i].ravel(), s.kernel[i].ravel()))
            + f" = {p}</li>" for i, (c, p) in enumerate(zip(s.in_channels, s.partial_sums)))
        view.value = (f'<div class="convcore-view" data-view="stepper2d" data-step="{k}" '
                      f'data-example="{name}"><table><tr>{"".join(inputs)}</tr></table>'
                      f'<ul>{partials}</ul><p>value: <b data-role="value">{s.value}</b></p>'
                      f'<table><tr>{"".join(cells)}</tr></table></div>')

    step.observe(render, "value")
    render()
    return w.VBox([w.HBox([play, prev, nxt]), step, view])

fake_stepper("seed_conv2d")
'''

FAKE_EXPLORER = '''\
import html
import ipywidgets as w
import convcore

size = w.IntSlider(value=4, min=1, max=8, description="input size")
ksize = w.IntSlider(value=2, min=1, max=8, description="kernel size")
explorer = w.HTML()
def _explore(change=None):
    try:
        n = convcore.output_size(size.value, ksize.value)
        body = f'output size <b data-role="value">{n}</b>'
    except Exception as e:
        body = f'<p data-role="error">{html.escape(str(e))}</p>'
    explorer.value = f'<div class="convcore-view" data-view="explorer">{body}</div>'
size.observe(_explore, "value"); ksize.observe(_explore, "value")
_explore()
w.VBox([size, ksize, explorer])
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
        "fake-views": write(notebook(FAKE_STEPPER, FAKE_EXPLORER), directory / "fake-views.ipynb"),
        "mpl-interact": write(notebook(MPL_INTERACT), directory / "mpl-interact.ipynb"),
    }
