"""Static figures in the style of Dumoulin and Visin's convolution-arithmetic guide: small multiples
of grids where one picture teaches faster than clicking through a view.

Each figure is drawn from convcore's own records, never by hand: the footprint of a window is the
taps of a ``Trace`` step (``trace2d``), a transposed convolution's stamps are a ``ScatterTrace``'s
landings and its zero-inserted input the ``GatherTrace`` plan, pooling windows (ceil_mode's extra
one included) are ``PoolTrace`` steps, and receptive fields are ``receptive_field(...).trail``. The
code here only places what the library computed; it never works out an index itself.

The cells are the views' cells (``convcore.views.picture``, in the colours of view.css): input sky
blue, padding grey and hatched, the window's footprint orange with a vermillion edge, outputs
bluish green (the one the footprint computes outlined). A figure is an opaque light card, like the
pictures stored with the views, so it reads the same in JupyterLab's light and dark themes and on
the static site.

    figures.padding()            # padding 0, 1, 2 on a 5×5 input
    figures.pooling_ceil_mode()  # ceil_mode False vs True, the extra windows marked

Every function returns a ``Figure``: ``image`` (a PIL image), ``caption`` (also its alt text), and
``columns``, the panels as drawn (each a title over rows of (text, state) cells), which the tests
compare with PyTorch (tests/test_figures.py).
"""
from __future__ import annotations

import html
from collections import Counter
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .. import examples as catalogue
from ..api import trace2d
from ..pooling import trace_max_pool2d
from ..receptive import receptive_field
from ..views import palette, picture

KIND_STATE = {"input": "plain", "inserted": "ins", "padding": "pad"}     # what the derived input holds
KIND_LIT = {"input": "patch", "inserted": "ins-patch", "padding": "pad-patch"}
COLUMN_GAP, PANEL_GAP = 28, 12                                           # CSS pixels
MAX_STAMPS = 6                     # the transposed figure draws one column per input element


@dataclass(frozen=True)
class Figure:
    """A figure: columns of panels, side by side, each panel a title over a grid of cells, then a
    caption. A panel is the views' screen form, ``{"title", "cells": [[(text, state)]], "boxes",
    "cl", "small"}`` (``boxes``: ``[row, col, rows, cols, "window"]``, a dashed outline)."""

    columns: tuple[tuple[dict, ...], ...]
    caption: str
    scale: float = 1.0

    @property
    def panels(self) -> dict[str, list[list[tuple[str, str]]]]:
        """Every panel's cells as drawn, by title."""
        return {p["title"]: p["cells"] for column in self.columns for p in column}

    @cached_property
    def image(self):
        """The figure as an RGB image on an opaque light card."""
        sheet = picture.Sheet(self.scale)
        m = sheet.px(picture.MARGIN)
        x, bottom = m, m
        for c, column in enumerate(self.columns):
            measured = [picture.panel(sheet, f"{c}.{i}", p, p) for i, p in enumerate(column)]
            y = m
            for _w, h, place in measured:
                place(x, y)
                y += h + sheet.px(PANEL_GAP)
            bottom = max(bottom, y)
            x += max(w for w, _h, _p in measured) + sheet.px(COLUMN_GAP)
        width = max(x - sheet.px(COLUMN_GAP) - m, sheet.px(picture.MIN_WIDTH))
        sheet.right = m + width
        sheet.paragraph(m, bottom, self.caption, picture.NOTE, width, "caption", "muted")
        return sheet.draw()

    def _repr_mimebundle_(self, **kwargs):
        flat = self.image.quantize(colors=256, method=2, dither=0)
        uri = picture.png_data_uri(flat)
        return {"image/png": uri.split(",", 1)[1], "text/plain": self.caption,
                "text/html": f'<img class="convcore-figure" src="{uri}" alt="{html.escape(self.caption)}">'}

    def save(self, path) -> None:
        """Write the figure as a PNG."""
        self.image.save(path, format="PNG")


# -- Grids laid over an axis' coordinates ---------------------------------------------------------
def _size(shape) -> str:
    return "×".join(str(int(n)) for n in shape)


def _coordinates(axis) -> range:
    """Every coordinate of ``axis`` a figure shows: the padding before, the input, the padding after
    and a ceil_mode window's overhang."""
    return range(-axis.pad_before, axis.n + axis.pad_after + axis.overhang)


def _input_grid(axes) -> list[list[str]]:
    """The states of a padded 2-D input: input cells plain, padding hatched, overhang dotted."""
    rows, cols = (_coordinates(a) for a in axes)
    return [["over" if any(a.in_overhang(i) for a, i in zip(axes, (r, c))) else
             "pad" if any(a.in_padding(i) for a, i in zip(axes, (r, c))) else "plain"
             for c in cols] for r in rows]


def _cell(axes, coords) -> tuple[int, ...]:
    """The grid cell showing input coordinate ``coords`` (the grid starts at the padding)."""
    return tuple(int(i) + a.pad_before for a, i in zip(axes, coords))


def _span_box(cells) -> list:
    """A dashed outline around grid ``cells``, from the first to the last."""
    cells = np.array(list(cells))
    (r0, c0), (r1, c1) = cells.min(axis=0), cells.max(axis=0)
    return [int(r0), int(c0), int(r1 - r0 + 1), int(c1 - c0 + 1), "window"]


def _panel(title, states, texts=None, boxes=(), labels=None) -> dict:
    texts = texts or [[""] * len(row) for row in states]
    return {"title": title, "small": True, "boxes": list(boxes), "cl": labels,
            "cells": [list(zip(tr, sr)) for tr, sr in zip(texts, states)]}


def _conv_column(trace, heading: str, current=(0, 0), previous=None) -> tuple[dict, dict]:
    """An input panel with the footprint of output ``current`` shaded (and output ``previous``'s
    window outlined), over the output panel with ``current`` outlined."""
    p = trace.problem
    axes = p.axes
    states = _input_grid(axes)
    step = trace.step_at(0, current)
    for tap in step.window:
        r, c = _cell(axes, tap.coords)
        states[r][c] = "pad-patch" if tap.in_padding else "patch"
    boxes = []
    if previous is not None:
        # The window before, in the kernel's lighter colour where the current one does not cover it.
        before = [_cell(axes, t.coords) for t in trace.step_at(0, previous).window]
        for r, c in before:
            states[r][c] = "kernel" if states[r][c] in ("plain", "pad") else states[r][c]
        boxes.append(_span_box(before))
    if any(a.dilation > 1 for a in axes):
        boxes.append(_span_box(_cell(axes, t.coords) for t in step.window))
    spatial, padded = tuple(a.n for a in axes), tuple(a.padded_length for a in axes)
    title = f"{heading}: input {_size(spatial)}" + (f", padded {_size(padded)}" if padded != spatial else "")
    out = [["done"] * p.out_spatial[1] for _ in range(p.out_spatial[0])]
    out[step.out_pos[0]][step.out_pos[1]] = "current"
    return (_panel(title, states, boxes=boxes, labels=[str(c) for c in _coordinates(axes[1])]),
            _panel(f"output {_size(p.out_spatial)}", out))


# -- The figures ----------------------------------------------------------------------------------
def _one_setting(name: str, values, n: int, k: int, **where):
    """A ``k``×``k`` kernel on an ``n``×``n`` input, once per value of setting ``name``: the
    traces, their columns (headed "name=value"; ``where`` picks the outputs to draw) and the
    output sizes as a caption writes them."""
    x, w = np.zeros((n, n)), np.ones((k, k))
    traces = [trace2d(x, w, **{name: v}) for v in values]
    columns = tuple(_conv_column(t, f"{name}={v}", **where) for t, v in zip(traces, values))
    return traces, columns, ", ".join(_size(t.problem.out_spatial) for t in traces)


def padding(n: int = 5, k: int = 3, paddings=(0, 1, 2)) -> Figure:
    """A ``k``×``k`` kernel on an ``n``×``n`` input with each of ``paddings``: the padded input with
    the window of output (0, 0) shaded, over the output it makes."""
    _, columns, sizes = _one_setting("padding", paddings, n, k)
    caption = (f"A {k}×{k} kernel on a {n}×{n} input with padding {', '.join(map(str, paddings))} gives outputs "
               f"of {sizes}. Shaded: the window of output (0, 0); hatched: the zero padding, which the first "
               f"window reads when the padding is at least 1. The column numbers are input coordinates.")
    return Figure(columns, caption)


def stride(n: int = 5, k: int = 3, strides=(1, 2)) -> Figure:
    """Stride: the window of output (0, 1) shaded, output (0, 0)'s outlined, for each of ``strides``."""
    traces, columns, sizes = _one_setting("stride", strides, n, k, current=(0, 1), previous=(0, 0))
    moves = ", ".join(str(t.step_at(0, (0, 1)).window[0].coords[1] - t.step_at(0, (0, 0)).window[0].coords[1])
                      for t in traces)
    caption = (f"A {k}×{k} kernel on a {n}×{n} input with stride {', '.join(map(str, strides))}: the window of "
               f"output (0, 1) (shaded, vermillion edges) starts {moves} columns to the right of output (0, 0)'s "
               f"(dashed outline), "
               f"and the outputs are {sizes}.")
    return Figure(columns, caption)


def dilation(n: int = 7, k: int = 3, dilations=(1, 2)) -> Figure:
    """Dilation: the taps of output (0, 0) shaded and the span they cover outlined, per dilation."""
    traces, columns, sizes = _one_setting("dilation", dilations, n, k)
    spans = ", ".join(str(t.problem.axes[0].span) for t in traces)
    caption = (f"A {k}×{k} kernel on a {n}×{n} input with dilation {', '.join(map(str, dilations))}: its "
               f"{k * k} taps (shaded) spread over spans of {spans} cells a side (dashed), skipping the cells "
               f"between them, and the outputs are {sizes}.")
    return Figure(columns, caption)


def transposed(example: str = "stamps_2d", output=(1, 1)) -> Figure:
    """A transposed convolution both ways. Scatter: one column per input element (keep the input
    small), the element lit above the output after its stamp landed, each cell counting the stamps
    on it so far. Gather: the same output as a plain convolution of the input with zeros inserted
    and padding added, the window of ``output`` shaded."""
    scatter = catalogue.get_transposed(example).trace("scatter")
    p = scatter.problem
    if p.dims != 2 or len(scatter) > MAX_STAMPS:
        raise ValueError(f"figures.transposed: `example` must be a 2-D transposed convolution with at most "
                         f"{MAX_STAMPS} input elements (one column each); got {example!r}, "
                         f"{p.dims}-D with {len(scatter)}")
    kernel, apart = _size(p.kernel_shape), p.axes[0].stride
    landed: Counter = Counter()      # stamps landed on each cell of the canvas (the output before the crop)
    columns = []
    for step in scatter:
        landed.update(landing.canvas for landing in step.landings)
        now = {landing.canvas: landing.cropped for landing in step.landings}
        canvas = [[landed[(r, c)] for c in range(p.canvas_spatial[1])] for r in range(p.canvas_spatial[0])]
        states = [["todo" if not v else
                   ("pad-patch" if now[(r, c)] else "active" if v > 1 else "patch") if (r, c) in now else
                   "done" for c, v in enumerate(row)] for r, row in enumerate(canvas)]
        inputs = [["plain"] * p.in_spatial[1] for _ in range(p.in_spatial[0])]
        inputs[step.in_pos[0]][step.in_pos[1]] = "patch"
        texts = [[str(v) if v else "" for v in row] for row in canvas]
        columns.append((_panel(f"input element {tuple(step.in_pos)}", inputs),
                        _panel(f"after stamp {step.index + 1} of {len(scatter)}", states, texts=texts)))
    counts = sorted({v for v in landed.values()})
    # Gather: the plain convolution's input, each cell what the plan says it holds.
    gather = scatter.gather
    conv = gather.conv_trace.problem
    rows, cols = (_coordinates(a) for a in conv.axes)
    derived = [[KIND_STATE[gather.plan.origin((r, c))[0]] for c in cols] for r in rows]
    step = gather.step_at(0, output)
    for tap, kind in zip(step.conv.window, step.kinds):
        r, c = _cell(conv.axes, tap.coords)
        derived[r][c] = KIND_LIT[kind]
    out = [["done"] * p.out_spatial[1] for _ in range(p.out_spatial[0])]
    out[output[0]][output[1]] = "current"
    inserted = gather.plan.strides[0] - 1
    gather_column = (
        _panel(f"gather: {inserted} zero inserted, {gather.plan.pad_before[0]} padding: "
               f"{_size(tuple(a.padded_length for a in conv.axes))}", derived),
        _panel(f"output {_size(p.out_spatial)}", out),
    )
    caption = (f"Scatter: each of the {len(scatter)} input elements in turn stamps its value times the {kernel} "
               f"kernel onto the {_size(p.canvas_spatial)} output, {apart} cells further on than its neighbour's "
               f"stamp (outlined); a number counts the stamps landed on its cell so far, and where they "
               f"overlap (yellow) their values add up: in the end {' or '.join(map(str, counts))} stamps land "
               f"on a cell. Gather (last column): "
               f"the same output as a plain convolution: {inserted} zero inserted between neighbouring "
               f"elements (dotted), {gather.plan.pad_before[0]} cells of padding around them (hatched), and the "
               f"flipped kernel's window for output {tuple(output)} shaded.")
    return Figure((*columns, gather_column), caption)


def pooling_ceil_mode(n: int = 5, kernel_size: int = 2, stride: int = 2) -> Figure:
    """Max pooling with ceil_mode False and True: every window outlined on the input, input cells no
    window reads greyed, the windows ceil_mode adds (they hang past the input) and their outputs
    marked."""
    columns, sizes, extra_count = [], [], 0
    for ceil in (False, True):
        trace = trace_max_pool2d(np.zeros((n, n)), kernel_size, stride, ceil_mode=ceil)
        p = trace.problem
        states, read = _input_grid(p.axes), set()
        boxes = []
        out = [["done"] * p.out_spatial[1] for _ in range(p.out_spatial[0])]
        for step in trace:
            extra = bool(step.overhang_mask.any())
            for tap in step.window:
                cell = _cell(p.axes, tap.coords)
                read.add(cell)
                if extra:
                    states[cell[0]][cell[1]] = "over-patch" if tap.in_overhang else "active"
            boxes.append(_span_box(_cell(p.axes, t.coords) for t in step.window))
            if extra:
                out[step.out_pos[0]][step.out_pos[1]] = "active"
                extra_count += 1
        for r, row in enumerate(states):
            for c, s in enumerate(row):
                if s == "plain" and (r, c) not in read:
                    row[c] = "unread"
        sizes.append((len(trace), _size(p.out_spatial)))
        columns.append((_panel(f"ceil_mode={ceil}: input {_size(p.spatial)}", states, boxes=boxes),
                        _panel(f"output {_size(p.out_spatial)}", out)))
    caption = (f"Max pooling a {n}×{n} input with kernel_size={kernel_size}, stride={stride}. Left, ceil_mode=False: "
               f"{sizes[0][0]} windows (dashed) and a {sizes[0][1]} output; the grey cells are read by none. Right, "
               f"ceil_mode=True: the output size rounds up, to {sizes[1][0]} windows and a {sizes[1][1]} output; the {extra_count} windows it adds (yellow) hang past the "
               f"input (dotted cells, which hold nothing) and take the largest of the cells they do cover.")
    return Figure(tuple(columns), caption)


def receptive_growth(n: int = 15, dilations=((1, 1, 1), (1, 2, 4)), k: int = 3) -> Figure:
    """The receptive field of the middle output of stacked 1-D convolutions (kernel ``k``, 'same'
    padding, one layer per dilation), one column per set of ``dilations``: each layer's positions it depends on, shaded."""
    columns, growth = [], []
    index = n // 2
    for ds in dilations:
        rf = receptive_field([dict(kernel_size=k, dilation=d, padding="same") for d in ds])
        masks = rf.trail(index, n)                          # the input's first, the last layer's last
        sizes = [f.size for f in rf.layers]
        growth.append(" → ".join(map(str, sizes)))
        panels = []
        for l in range(len(masks) - 1, -1, -1):
            lit = "current" if l == len(masks) - 1 else "patch"
            base = "plain" if l == 0 else "done"
            states = [[lit if m else base for m in masks[l]]]
            name = "input" if l == 0 else f"layer {l}"
            if l == len(masks) - 1:
                title = f"dilation {', '.join(map(str, ds))}: layer {l}, output {index}"
            else:
                title = f"{name}: {int(masks[l].sum())} position{'s' * (int(masks[l].sum()) != 1)} reached"
            panels.append(_panel(title, states, labels=[str(i) for i in range(len(masks[l]))] if l == 0 else None))
        columns.append(tuple(panels))
    caption = (f"Output {index} of {len(dilations[0])} stacked convolutions with kernel {k} ('same' padding, so every layer has "
               f"{n} positions), top to bottom: the positions it depends on in each layer below. With dilation "
               f"{', '.join(map(str, dilations[0]))} the receptive field grows {growth[0]}; with dilation "
               f"{', '.join(map(str, dilations[1]))} it grows {growth[1]}, each layer reading only every d-th cell.")
    return Figure(tuple(columns), caption)


__all__ = ["Figure", "padding", "stride", "dilation", "transposed", "pooling_ceil_mode", "receptive_growth"]
