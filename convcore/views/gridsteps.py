"""Views drawn as number grids that change from step to step (transposed convolution,
gradients, im2col): one shared data shape, one renderer (``static/gridsteps.js``).

A view's ``data`` holds one or more **readings** (``modes``; a switch in the
browser picks one: scatter / gather, input / weight gradient). Each reading is

``{"key", "label", "n" (steps), "rows" (panel ids, one list per row of the
picture), "panels": {id: {"title", "t" (texts, a 2-D grid), "s" (states, same
shape: a palette state such as "plain", "patch", "pad", "done", "current",
"todo", "kernel", or one of this module's "ins", "ins-patch", "opad"), "rl"
/ "cl" (optional row / column labels)}}, "legend" ([[state, name]]),
"steps" (one record per step)}``

and a step record is ``{"h" (header), "say" (the sentence read aloud),
"set": {panel id: {"t": texts, "s": states, "title": …}} (what differs from
the panel's static grid at this step; omitted keys keep the static value),
"lines": [[role, text]] (products and sums written out), "jump" (optional: {reading: step}, where
the switch to that reading goes from this step; else its step 0)}``.

Every text is written here in Python from convcore's traces (``numfmt.fmt``);
the renderer selects and places. The whole data ships at once (these views are
for small, hand-checkable examples).
"""
from __future__ import annotations

import json
import os

import anywidget
import numpy as np
import traitlets as T

from . import palette
from .esm import esm_source
from .numfmt import factor, fmt

MODULE = "convcore-gridsteps.js"
MAX_STEPS = 5000      # all steps ship at once; past this the view refuses (use a smaller example)
MAX_CELLS = 250_000   # grid cells written over all steps of a reading (about 1-2 MB of JSON)


def check_size(view: str, reading: str, steps: int, cells_per_step: int) -> None:
    """Refuse, before building, a reading whose steps would not fit the browser's data."""
    if steps > MAX_STEPS or steps * cells_per_step > MAX_CELLS:
        raise ValueError(f"{view} ships every step to the browser: the {reading} reading would write "
                         f"{steps:,} steps × {cells_per_step:,} grid cells (at most {MAX_STEPS:,} steps and "
                         f"{MAX_CELLS:,} cells in all); use a smaller example")


def texts(array) -> list:
    """A grid of texts (1-D arrays become one row)."""
    a = np.asarray(array)
    if a.ndim == 1:
        a = a[None, :]
    return [[fmt(v) for v in row] for row in a]


def states(shape, state="plain") -> list:
    return [[state] * shape[1] for _ in range(shape[0])]


def grid2(shape) -> tuple[int, int]:
    """A spatial shape as (rows, columns): 1-D is one row."""
    return (1, shape[0]) if len(shape) == 1 else (shape[0], shape[1])


def rc(pos) -> tuple[int, int]:
    """A 1-D or 2-D position as (row, column) in its grid."""
    pos = tuple(int(i) for i in pos)
    return (0, pos[0]) if len(pos) == 1 else pos


def label(name, index) -> str:
    return f"{name}[{', '.join(str(int(i)) for i in index)}]"


def product_line(pairs, value, left="") -> str:
    """"a·b + c·d + … = v" with negative factors in brackets (at most 12 terms written)."""
    terms = [f"{factor(a)}·{factor(b)}" for a, b in pairs]
    if len(terms) > 12:
        terms = terms[:6] + ["…"] + terms[-5:]
    body = " + ".join(terms) if terms else "0 (no terms)"
    joint = " " if left.endswith(":") else " = " if left else ""
    return f"{left}{joint}{body} = {fmt(value)}"


# Styles of this module's own states, from the palette's colours.
def css() -> str:
    v = ".convcore-view"
    P = palette
    hatch = "background-image:repeating-linear-gradient(45deg,transparent 0 5px,rgba(0,0,0,.06) 5px 7px);"
    return palette.css() + "\n" + "\n".join([
        f"{v} .cc-s-ins{{background-color:{P.OUTPUT_TODO['fill']};border:2px dotted {P.PADDING['edge']};color:{P.MUTED_TEXT};}}",
        f"{v} .cc-s-ins-patch{{background-color:{P.PAD_PATCH['fill']};border-color:{P.PATCH['edge']};color:{P.TEXT};"
        f"box-shadow:inset 0 0 0 3px {P.PATCH['edge']};font-weight:700;border-style:dotted;}}",
        f"{v} .cc-s-opad{{background-color:{P.OUTPUT_TODO['fill']};border:2px dashed {P.KERNEL['edge']};color:{P.TEXT};}}",
        f"{v} .cc-s-pad.cc-cropped,{v} .cc-s-pad-patch.cc-cropped{{{hatch}}}",
        f"{v} .cc-gs-panels{{display:flex;flex-wrap:wrap;gap:12px 22px;align-items:flex-start;margin:6px 0;}}",
        f"{v} .cc-gs-lines{{display:flex;flex-direction:column;gap:4px;font-size:16px;}}",
        f"{v} .cc-gs-lines .cc-eq{{max-width:none;}}",
        f"{v} .cc-gs-lab{{font-size:12px;display:flex;align-items:center;justify-content:center;"
        f"color:{palette.FG};min-width:20px;}}",
        f"{v} .cc-grid .cc-cell{{white-space:nowrap;}}",
        f"{v} [role=radiogroup] button[aria-checked=true]{{box-shadow:inset 0 0 0 2px {P.PATCH['edge']};font-weight:700;}}",
    ])


class GridStepsView(anywidget.AnyWidget):
    """Base of the grid-step views: ``data`` (see the module docstring), ``step`` and
    ``mode`` synced both ways (``view.step = k`` moves the browser)."""

    _esm = esm_source("gridsteps")
    _css = T.Unicode(css()).tag(sync=True)
    data = T.Dict().tag(sync=True)
    step = T.Int(0).tag(sync=True)
    mode = T.Unicode("").tag(sync=True)
    kind = "gridsteps"

    def __init__(self, modes: list[dict], example: str | None = None, **kwargs):
        for m in modes:
            if m["n"] > MAX_STEPS:
                raise ValueError(f"{type(self).__name__} ships every step to the browser; this "
                                 f"{m['label']} has {m['n']:,} steps (at most {MAX_STEPS:,}): use a smaller example")
        # A view of an unchanged catalogue example names it on its root (data-example).
        super().__init__(data={"kind": self.kind, "modes": modes, "example": example},
                         mode=modes[0]["key"], step=0, **kwargs)

    @property
    def modes(self) -> dict:
        return {m["key"]: m for m in self.data["modes"]}

    @T.validate("step")
    def _valid_step(self, proposal):
        k = proposal["value"]
        n = self.modes[self.mode]["n"] if self.data else 1
        if not 0 <= k < n:
            raise IndexError(f"step {k} is outside this view's steps 0 to {n - 1}")
        return k

    @T.validate("mode")
    def _valid_mode(self, proposal):
        if self.data and proposal["value"] not in self.modes:
            raise ValueError(f"mode must be one of {list(self.modes)}; got {proposal['value']!r}")
        return proposal["value"]

    @T.observe("mode")
    def _mode_changed(self, change):
        if self.step >= self.modes[change["new"]]["n"]:      # that reading has fewer steps
            self.step = 0

    def update(self, k: int, mode: str | None = None) -> None:
        """Show step ``k`` (of ``mode``, default the current reading)."""
        with self.hold_sync():
            if mode is not None and mode != self.mode:
                self.step = 0
                self.mode = mode
            self.step = int(k)

    def record(self, k: int | None = None, mode: str | None = None) -> dict:
        """The data of step ``k`` (default: the one shown)."""
        return self.modes[mode or self.mode]["steps"][self.step if k is None else k]

    @property
    def widget(self):
        return self

    def _repr_mimebundle_(self, **kwargs):
        if os.environ.get("CONVCORE_VIEWS") == "static":
            return {"text/plain": repr(self), "text/html": self.embed_html()}
        return super()._repr_mimebundle_(**kwargs)

    def embed_html(self) -> str:
        """A self-contained fragment for a page without a kernel (loads ``convcore-gridsteps.js``)."""
        payload = {"kind": self.kind, "modes": self.data["modes"], "example": self.data.get("example"),
                   "mode": self.mode, "step": self.step,
                   "css": css()}     # the page has no anywidget to add the stylesheet
        text = json.dumps(payload, separators=(",", ":")).replace("</", "<\\/").replace("<!--", "\\u003c!--")
        return (f'<div class="convcore-embed" data-view="{self.kind}" data-module="{MODULE}">'
                f'<script type="application/json" class="convcore-data">{text}</script></div>')

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.mode}, step {self.step} of {self.modes[self.mode]['n']}>"
