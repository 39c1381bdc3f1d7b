"""The one step record every convcore view is made of, and the screen it describes (``screen()``),
which the widget carries (``view.View``), the browser draws (``static/view.js``), the picture writer
draws (``picture.py``) and the tests compare. Every text a learner reads is written here, in Python.

A view's data
-------------
``{"kind": "stepper2d" | "pool" | …,   # the root's data-view
   "example": name or None,            # the catalogue example it shows, unchanged
   "readings": [Reading, …],           # one or more; a switch picks one when there are several
   "reading": key,                     # the one shown first
   "controls": [Control, …],           # (optional) what the learner may change: a running kernel
                                       # answers (``View.on_control``) and sends new data
   "pick": true}``                     (optional) instead, the page holds a reading per combination of
                                       the controls' choices, keyed "v1,v2,…" (an explorer on a static page)

A **Control**: ``{"name", "label", "value"}`` and one of ``choices`` ([[value, text], …]: a select),
``min`` and ``max`` (a number), or ``suggest`` (typed text, with suggested values; ``rows`` > 0: a
text area); ``panel`` (optional): drawn in that panel, else above the picture; ``off``: greyed.
Without a kernel and without ``pick`` a control is off (the view's notes say why).

A **Reading** (one way of stepping: "scatter" / "gather", "dilated" / "plain", or the only one)::

  key, label, n (steps, counted from 0)
  rows      [[panel id, …], …]      the picture: rows of panels, top to bottom
  panels    {id: Panel}
  legend    [[state, text], …]      one swatch per state the reading uses
  notes     [[role, text], …]       texts under the picture that do not change with the step
  top       the build-up's last position (0: no build-up); at ``top`` a step is complete
  unit      what one build-up position adds: "term" or "channel"
  positions [[role, label, max], …] sliders that pick a step by its coordinates
  table     nested lists: table[v0][v1]… is the step the positions (v0, v1, …) name
  first     the first step shipped; steps[i] is step first + i
  steps     [Step, …]                (a big trace ships blocks; the browser asks for more)
  block     steps per block asked for (0: every step ships at once)
  held      a static page: the number of steps it holds (and the slider stops there), else null
  loading   what the view says while a block of steps is on its way

A **Panel**: a grid of cells (or an image with boxes on it)::

  title, role ("in-cell", "out-cell", "kernel-cell", "cell", …: each cell's data-role)
  t, s      texts and states, grids of rows (a 1-D signal is one row); ``s`` names a palette
            state ("plain", "patch", "pad", "done", "current", "todo", "kernel", …)
  keys      (optional) each cell's coordinates as the learner reads them, "c,i,j"
  channel   (optional) the channel the panel shows (data-channel on its cells)
  rl, cl    (optional) row and column labels
  order     (optional) the step that computes each cell: cells before the shown step are
            "done" and show ``t``, the cell at it is "current" and shows the step's value
            (``Step.value``), later cells are "todo" and blank; a click (or Enter) on one goes
            to its step
  reads     (optional) per cell, [sentence, [[panel id, row, col], …]]: pointing at the cell
            lights the cells that read it (the library's inverse rule, computed in Python)
  image     (optional) a PNG data URI drawn under the grid instead of cells; ``px`` its cell size
  small     (optional) true: drawn smaller (a channel the step does not read, a long row)

A **Step**::

  h         the header sentence; say: the sentence read aloud (live region)
  set       {panel id: {"t": {"r,c": text}, "s": {"r,c": state}, "title": text,   ("r0,c0:r1,c1": a block)
                        "boxes": [[row, col, rows, cols, class], …], "small": bool}}
            what differs from the panel's own grids at this step
  lines     [[role, text], …]       the arithmetic written out (role: "sum", "total", …)
  value     the text of the current output cell (panels with ``order``)
  pos       the positions' values at this step
  jump      (optional) {reading key: step}: where switching reading goes from here
  build     (optional) for build-up positions b < top: build[b] = {"lines" (a number n in them
            stands for the complete step's line n, written once), "say", "value",
            "set"} replacing the complete step's (its ``set`` lays over the step's)

Build-up positions count what has been added: 0 is nothing yet, ``top`` the whole sum.
"""
from __future__ import annotations

from itertools import product

import numpy as np

from .numfmt import fmt

# A view may ship at most this much: past it the builder refuses, with a message.
MAX_STEPS_AT_ONCE = 5000
MAX_CELLS_AT_ONCE = 250_000


def texts(array) -> list[list[str]]:
    """A grid of texts (a 1-D array becomes one row).

    >>> texts([1, -2.5])
    [['1', '-2.5']]
    """
    return [[fmt(v) for v in row] for row in np.atleast_2d(array)]


def states(shape, state: str = "plain") -> list[list[str]]:
    """A grid of one state: ``shape`` is (rows, columns)."""
    return [[state] * shape[1] for _ in range(shape[0])]


def grid2(shape) -> tuple[int, int]:
    """A spatial shape as (rows, columns): 1-D is one row."""
    return (1, int(shape[0])) if len(shape) == 1 else (int(shape[0]), int(shape[1]))


def rc(pos) -> tuple[int, int]:
    """A 1-D or 2-D position as (row, column) in its grid."""
    pos = tuple(int(i) for i in pos)
    return (0, pos[0]) if len(pos) == 1 else pos


def at(r: int, c: int) -> str:
    """A cell's address in a step's ``set``: "r,c"."""
    return f"{r},{c}"


def cells_of(where: str):
    """The cells an address in a step's ``set`` names: "r,c" one cell, "r0,c0:r1,c1" a block
    (rows r0 to r1 − 1, columns c0 to c1 − 1), as (row, column) pairs.

    >>> list(cells_of("1,2")), list(cells_of("0,1:2,3"))
    ([(1, 2)], [(0, 1), (0, 2), (1, 1), (1, 2)])
    """
    corner, _, end = where.partition(":")
    r0, c0 = map(int, corner.split(","))
    r1, c1 = map(int, end.split(",")) if end else (r0 + 1, c0 + 1)
    return ((r, c) for r in range(r0, r1) for c in range(c0, c1))


def blocks(mask) -> list[str]:
    """The True cells of a 2-D boolean grid as few block addresses: each row's runs, merged with
    the same runs of the rows below (a receptive field is usually one block, not hundreds of cells).

    >>> blocks([[0, 1, 1], [0, 1, 1], [1, 0, 0]])
    ['0,1:2,3', '2,0:3,1']
    """
    mask = np.atleast_2d(np.asarray(mask, dtype=bool))
    found, open_ = [], {}                       # open_: a run (c0, c1) -> the row its block started
    for r, row in enumerate([*mask, np.zeros(mask.shape[1], bool)]):
        edges = np.flatnonzero(np.diff(np.r_[0, row.astype(np.int8), 0]))
        runs = set(zip(edges[::2].tolist(), edges[1::2].tolist()))
        for run in [run for run in open_ if run not in runs]:
            found.append((open_[run], run[0], r, run[1]))
            del open_[run]
        open_.update({run: r for run in runs if run not in open_})
    return [f"{r0},{c0}:{r1},{c1}" for r0, c0, r1, c1 in sorted(found)]


def key(index) -> str:
    """Coordinates as the DOM and the learner read them: (0, 1, 2) -> "0,1,2"."""
    return ",".join(str(int(i)) for i in index)


def coords(shape, start=()) -> list[list[tuple]]:
    """Each cell's coordinates in a grid of a 1-D or 2-D ``shape`` (one row in 1-D), from ``start``
    (default 0; negative in a padding before).

    >>> coords((2, 2), start=(-1, 0))
    [[(-1, 0), (-1, 1)], [(0, 0), (0, 1)]]
    """
    ranges = [range(s, s + int(n)) for n, s in zip(shape, start or [0] * len(shape))]
    return [[(*head, c) for c in ranges[-1]] for head in product(*ranges[:-1])]


def keys(grid, *head) -> list[list[str]]:
    """The keys of a grid of coordinates, each after ``head`` (a channel, say)."""
    return [[key((*head, *x)) for x in row] for row in grid]


def changes(base: list[list], now: list[list]) -> dict:
    """The cells of ``now`` that differ from ``base``, as {"r,c": value}."""
    return {at(r, c): v for r, row in enumerate(now) for c, v in enumerate(row) if base[r][c] != v}


def reading(key_: str, label: str, rows, panels: dict, steps: list, legend, **extra) -> dict:
    """A Reading with every field present (defaults: no build-up, no positions, all steps shipped)."""
    return {"key": key_, "label": label, "n": len(steps), "rows": rows, "panels": panels, "legend": legend,
            "notes": [], "top": 0, "unit": "term", "positions": [], "table": None, "first": 0,
            "steps": steps, "block": 0, "held": None,
            "loading": "loading these steps from the kernel…", **extra}


def check_size(view: str, reading_label: str, steps: int, cells_per_step: int) -> None:
    """Refuse, before building, a reading whose steps would not fit the browser's data."""
    if steps > MAX_STEPS_AT_ONCE or steps * cells_per_step > MAX_CELLS_AT_ONCE:
        raise ValueError(f"{view} ships every step to the browser: the {reading_label} reading would write "
                         f"{steps:,} steps × {cells_per_step:,} grid cells (at most {MAX_STEPS_AT_ONCE:,} "
                         f"steps and {MAX_CELLS_AT_ONCE:,} cells in all); use a smaller example")


# -- The screen: what a reading shows at step k and build-up b, resolved from the record. ----------
def screen(rd: dict, step: dict, k: int, b: int | None = None) -> dict:
    """What reading ``rd`` shows at step ``k`` (record ``step``) with the build-up at ``b``:
    ``{"header", "say", "lines": [[role, text]], "panels": {id: {"title", "small", "boxes",
    "cells": [[(text, state)]]}}}``, every value a text from the record (an image has no cells).
    """
    top = rd["top"]
    b = top if b is None else max(0, min(b, top))
    partial = (step["build"][b] if b < top and "build" in step else None) or {}
    value = partial.get("value", step.get("value", ""))
    panels = {}
    for pid, P in rd["panels"].items():
        t, s = [list(row) for row in P["t"]], [list(row) for row in P["s"]]
        # cells with an ``order``: done before step k, current at it (showing its value), to do after
        for r, row in enumerate(P.get("order") or []):
            for c, o in enumerate(row):
                if o is not None:
                    s[r][c] = "done" if o < k else "current" if o == k else "todo"
                    t[r][c] = t[r][c] if o < k else value if o == k else ""
        # then the step's changes, and the build-up's over them
        shown = {"title": P["title"], "small": bool(P.get("small")), "boxes": []}
        for layer in (step.get("set", {}).get(pid) or {}, partial.get("set", {}).get(pid) or {}):
            for grid, field in ((t, "t"), (s, "s")):
                for where, v in layer.get(field, {}).items():
                    for r, c in cells_of(where):
                        grid[r][c] = v
            shown.update({f: layer[f] for f in ("title", "small", "boxes") if f in layer})
        panels[pid] = dict(shown, cells=[] if P.get("image") else [list(zip(tr, sr)) for tr, sr in zip(t, s)])
    return {"header": step["h"], "say": partial.get("say", step["say"]),
            "lines": [list(step["lines"][x]) if isinstance(x, int) else list(x)
                      for x in partial.get("lines", step["lines"])], "panels": panels}
