"""A convolution step by step, as records of the one schema (``schema.py``).

Four looks of one trace, one reading each:

* ``stepper1d`` / ``stepper2d``: every input channel as a grid of numbers (padding hatched, the
  window lit), the kernel slice beside each, the products and partial sums written out, the total
  with the bias, and the output tensor filling in;
* ``pointwise``: a 1×1 convolution at one pixel, y = W·x (+ b);
* ``heatmap``: inputs too big for numbers, as images with the window boxed, the output covered
  until computed, and the patch's numbers for the first few channels.

The build-up walks one output element's sum: position 0 shows only where the kernel sits; each
further position adds one product (kernels of up to ``TERM_BY_TERM_LIMIT`` taps) or one input
channel's partial sum (larger kernels), and the bias, when there is one, is the last term. At
``top`` the element is complete.
"""
from __future__ import annotations

import math

import numpy as np
from PIL import Image

from .. import api
from .. import examples as catalogue
from ..kernels import pad_input
from ..layout import spatial_dims
from ..trace import Trace
from . import palette, schema
from .numfmt import factor, fmt
from .picture import png_data_uri
from .schema import at, key
from .view import View, block_size

TERM_BY_TERM_LIMIT = 9      # taps per channel up to which the build-up adds one product at a time
TERMS_WRITTEN = 12          # longer sums are written with "…" in the middle
CHANNEL_LINES = 6           # channels whose sums are written out, one line each
NUMBERS_FIT = 15            # padded cells across (2-D) up to which numbers are shown
NUMBERS_FIT_1D = 40         # the same for 1-D signals
IMAGE_PX = 150              # on-screen size of one channel image in the heatmap (7 fit across 1366 px)
CHANNEL_PANELS = 4          # channels whose patch numbers the heatmap writes out
READS_UP_TO = 4000          # steps up to which input cells say which outputs read them


def kind_of(trace: Trace) -> str:
    """THE choice of look for a trace: numbers when they fit, 1×1 as a matrix, else a heatmap.

    >>> from convcore import examples
    >>> kind_of(examples.get("seed_conv2d").trace()), kind_of(examples.get("seed_1x1").trace())
    ('stepper2d', 'pointwise')
    """
    p = trace.problem
    if max(a.padded_length for a in p.axes) > (NUMBERS_FIT_1D if p.dims == 1 else NUMBERS_FIT):
        return "heatmap"
    if all(k == 1 for k in p.kernel_shape) and p.dims == 2:
        return "pointwise"
    return f"stepper{p.dims}d"


def build_up(trace: Trace, look: str = "stepper") -> tuple[str, int, int]:
    """(unit, terms per channel, top): "term" adds products one by one, "channel" whole partial sums
    (large kernels, and the heatmap, whose steps are many); the bias, when there is one, is last."""
    p = trace.problem
    taps = math.prod(p.kernel_shape)
    unit = "term" if taps <= TERM_BY_TERM_LIMIT and look != "heatmap" else "channel"
    per = taps if unit == "term" else 1
    return unit, per, (p.in_channels // p.groups) * per + (p.bias is not None)


def _elide(items: list) -> list:
    if len(items) <= TERMS_WRITTEN:
        return list(items)
    return list(items[:TERMS_WRITTEN - 2]) + ["…"] + list(items[-1:])


def _where(trace: Trace, step) -> str:
    text = f"output channel {step.out_channel} at ({', '.join(map(str, step.out_pos))})"
    return f"sample {step.sample}, {text}" if trace.problem.batch > 1 else text


def _label(step) -> str:
    return f"out[{', '.join(map(str, step.out_index))}]"


class ConvSteps:
    """The records of one trace's steps in one look: ``data`` (the first block shipped) and
    ``record(k)`` for any step."""

    def __init__(self, trace: Trace, kind: str, example: str | None = None):
        p = self.p = trace.problem
        self.trace, self.kind = trace, kind
        self.unit, self.per, self.top = build_up(trace, kind)
        self.cpg = p.in_channels // p.groups
        self.taps = math.prod(p.kernel_shape)
        self.pads = tuple(a.pad_before for a in p.axes)
        self.padded = pad_input(p)                              # (N, C_in, *padded)
        self.output = np.asarray(trace.output).reshape(p.batch, p.out_channels, *p.out_spatial)
        self.order = np.asarray(trace.step_numbers).reshape(p.batch, p.out_channels, *p.out_spatial)
        self.panels = self._panels(example)
        self.example = example

    # -- the grids that do not change ---------------------------------------------------------
    def _grid(self, a) -> np.ndarray:
        """A 1-D grid as one row."""
        a = np.asarray(a)
        return a if self.p.dims == 2 else a[None, :]

    def _padded_coords(self) -> list[list[tuple]]:
        axes = self.p.axes
        rows = range(-axes[0].pad_before, axes[0].n + axes[0].pad_after) if self.p.dims == 2 else [None]
        cols = range(-axes[-1].pad_before, axes[-1].n + axes[-1].pad_after)
        return [[(c,) if r is None else (r, c) for c in cols] for r in rows]

    def _to_cell(self, coords) -> tuple[int, int]:
        """An input coordinate (padding included) as (row, column) of the padded grid."""
        shifted = [c + pad for c, pad in zip(coords, self.pads)]
        return schema.rc(shifted)

    def _panels(self, example) -> dict:
        p, kind = self.p, self.kind
        panels = {}
        coords = self._padded_coords()
        pad = self._grid(p.padding_mask())
        unread = np.zeros(pad.shape, bool)
        inside = tuple(slice(a.pad_before, a.pad_before + a.n) for a in p.axes)
        unread_in = p.never_read()
        if p.dims == 2:
            unread[inside] = unread_in
        else:
            unread[0, inside[0]] = unread_in
        base = [["pad" if pad[r, c] else "unread" if unread[r, c] else "plain" for c in range(pad.shape[1])]
                for r in range(pad.shape[0])]
        self.in_base = base
        reads = self._reads() if kind != "heatmap" and len(self.trace) <= READS_UP_TO else None
        for c in range(p.in_channels):
            P = {"title": f"input channel {c}", "role": "in-cell", "channel": c,
                 "t": schema.texts(self._grid(self.padded[0, c])), "s": base,
                 "keys": [[key(x) for x in row] for row in coords]}
            if kind == "heatmap":
                P.update(image=_png(self._input_rgb(0, c)), px=self._px())
                P["t"], P["s"] = [[""] * pad.shape[1] for _ in range(pad.shape[0])], schema.states(pad.shape, "plain")
            elif reads is not None:
                P["reads"] = reads[c]
            panels[f"in{c}"] = P
        if kind in ("stepper1d", "stepper2d"):
            kshape = schema.grid2(p.kernel_shape)
            for c in range(p.in_channels):
                o = next(o for o in range(p.out_channels) if p.group_of(o) == c // self.cpg)
                panels[f"w{c}"] = {"title": f"kernel w[{o}, {c % self.cpg}]", "role": "kernel-cell", "channel": c,
                                   "t": schema.texts(p.weight[o, c % self.cpg]), "s": schema.states(kshape, "kernel"),
                                   "keys": [[key(t) for t in row] for row in _index_rows(p.kernel_shape)]}
        if kind == "heatmap":
            kshape = schema.grid2(p.kernel_shape)
            for i in range(min(self.cpg, CHANNEL_PANELS)):
                panels[f"patch{i}"] = {"title": "patch", "role": "patch-cell", "t": schema.states(kshape, ""),
                                       "s": schema.states(kshape, "patch")}
                panels[f"w{i}"] = {"title": "kernel", "role": "kernel-cell", "t": schema.states(kshape, ""),
                                   "s": schema.states(kshape, "kernel")}
        if kind == "pointwise":
            w = p.weight.reshape(p.out_channels, -1)
            group = [p.group_channels(p.group_of(o)) for o in range(p.out_channels)]
            panels["y"] = {"title": "y =", "role": "vec-out", "t": [[""] for _ in range(p.out_channels)],
                           "s": schema.states((p.out_channels, 1), "todo")}
            panels["W"] = {"title": "weights W (C_out × C_in) ·", "role": "weight-cell",
                           "t": [[fmt(w[o, group[o].index(c)]) if c in group[o] else "0" for c in range(p.in_channels)]
                                 for o in range(p.out_channels)],
                           "s": [["kernel" if c in group[o] else "other-group" for c in range(p.in_channels)]
                                 for o in range(p.out_channels)],
                           "keys": [[key((o, c)) for c in range(p.in_channels)] for o in range(p.out_channels)]}
            panels["x"] = {"title": "x" + (" +" if p.bias is not None else ""), "role": "vec-in",
                           "t": [[""] for _ in range(p.in_channels)], "s": schema.states((p.in_channels, 1))}
            if p.bias is not None:
                panels["b"] = {"title": "bias b", "role": "bias", "t": [[fmt(v)] for v in p.bias],
                               "s": schema.states((p.out_channels, 1), "kernel")}
        for n in range(p.batch):
            for o in range(p.out_channels):
                title = f"output channel {o}" if p.batch == 1 else f"sample {n}, output channel {o}"
                P = {"title": title, "role": "out-cell", "t": schema.texts(self._grid(self.output[n, o])),
                     "s": schema.states(self._grid(self.output[n, o]).shape, "todo"),
                     "order": self._grid(self.order[n, o]).tolist(),
                     "keys": [[key((o, *x)) for x in row] for row in _index_rows(p.out_spatial)]}
                if kind == "heatmap":
                    P.update(image=_png(palette.diverging(self._grid(self.output[n, o]),
                                                          float(np.abs(self.output[n]).max()) or 1.0)),
                             px=self._px(out=True), order=None)
                    P["t"] = schema.states(self._grid(self.output[n, o]).shape, "")
                panels[f"out{n}.{o}"] = P
        return panels

    def _reads(self) -> list:
        """Per input channel, per padded cell: [sentence, the output cells whose window reads it],
        from the library's inverse of the window rule (``Axis.readers``), axis by axis."""
        p = self.p
        result = []
        for ch in range(p.in_channels):
            outs = [o for o in range(p.out_channels) if p.group_of(o) == ch // self.cpg]
            rows = []
            for r, row in enumerate(self._padded_coords()):
                cells = []
                for c, coords in enumerate(row):
                    if self.in_base[r][c] == "pad":
                        cells.append(None)
                        continue
                    per_axis = [sorted({x.out for x in a.readers(i)}) for a, i in zip(p.axes, coords)]
                    positions = [()]
                    for outs_on_axis in per_axis:
                        positions = [pos + (o,) for pos in positions for o in outs_on_axis]
                    hits = [[f"out0.{o}", *schema.rc(pos)] for o in outs for pos in positions]
                    names = [f"out[{', '.join(map(str, (o, *pos) if p.layout != 'plain' else pos))}]"
                             for o in outs for pos in positions]
                    where = f"input channel {ch} at ({', '.join(map(str, coords))})"
                    said = (f"{where} is read by {len(names)} output{'s' if len(names) != 1 else ''}: "
                            f"{', '.join(names[:8])}{', …' if len(names) > 8 else ''}" if names
                            else f"{where} is never read")
                    cells.append([said, hits])
                rows.append(cells)
            result.append(rows)
        return result

    def _px(self, out: bool = False) -> float:
        shape = self.p.out_spatial if out else [a.padded_length for a in self.p.axes]
        return min(12.0, IMAGE_PX / max(schema.grid2(shape)))

    def _input_rgb(self, n: int, c: int) -> np.ndarray:
        """An input channel on the diverging map, padding greyed: visibly not the input."""
        x = self._grid(self.padded[n, c])
        limit = float(np.abs(self.p.input[n]).max()) or 1.0
        rgb = palette.diverging(x, limit).astype(float)
        mask = self._grid(self.p.padding_mask())
        rgb[mask] = 0.45 * rgb[mask] + 0.55 * np.array(palette.state_colours()["pad"]["edge"], float)
        return rgb.round().astype(np.uint8)

    # -- the reading ---------------------------------------------------------------------------
    def data(self, block: int | None = None) -> dict:
        p, kind = self.p, self.kind
        n = len(self.trace)
        first_block = n if block is None else min(n, block)
        ins = [f"in{c}" for c in range(p.in_channels)]
        outs = [f"out{s}.{o}" for s in range(p.batch) for o in range(p.out_channels)]
        if kind == "pointwise":
            rows = [ins, ["y", "W", "x"] + (["b"] if p.bias is not None else []), outs]
        elif kind == "heatmap":
            rows = [ins, outs, [x for i in range(min(self.cpg, CHANNEL_PANELS)) for x in (f"patch{i}", f"w{i}")]]
        else:
            rows = [[x for c in range(p.in_channels) for x in (f"in{c}", f"w{c}")], outs]
        positions = ([["sample", "sample", p.batch - 1]] if p.batch > 1 else []) + [["out-channel", "out channel", p.out_channels - 1]]
        if p.dims == 2:
            positions += [["row", "row", p.out_spatial[0] - 1], ["column", "column", p.out_spatial[1] - 1]]
        else:
            positions += [["column", "position", p.out_spatial[0] - 1]]
        table = self.order if p.batch > 1 else self.order[0]
        legend = [["plain", "input"], ["kernel", "kernel"], ["patch", "patch under the kernel"],
                  ["pad", "padding"], ["done", "output done"], ["current", "being computed"], ["todo", "not yet"],
                  ["active", "just added"]]
        if any("unread" in row for row in self.in_base):
            legend.append(["unread", "never read"])
        if p.groups > 1:
            legend.append(["other-group", "other group"])
        notes = []
        if kind == "heatmap":
            notes.append(["note", "Channels as images: blue below zero, vermillion above, white at zero; the grey "
                                  "rim is padding; hatched outputs are not computed yet. The numbers under them are "
                                  "the window's."])
        if kind == "pointwise":
            notes.append(["note", "The same W is used at every pixel, each pixel on its own: "
                                  "a 1×1 convolution is a matrix product per pixel."])
        rd = schema.reading("steps", "steps", rows, self.panels, [self.record(k) for k in range(first_block)],
                            legend, n=n, top=self.top, unit=self.unit, positions=positions,
                            table=table.tolist(), block=0 if first_block == n else first_block, notes=notes)
        return {"kind": kind, "example": self.example, "readings": [rd], "reading": "steps"}

    def record(self, k: int) -> dict:
        """Step ``k``: the lit window, the sums written out, and each build-up position."""
        p, st = self.p, self.trace[k]
        n_ch = len(st.in_channels)
        products = st.products.reshape(n_ch, -1)
        patch, kern = st.patch.reshape(n_ch, -1), st.kernel.reshape(n_ch, -1)
        label = _label(st)
        cells = [self._to_cell(t.coords) for t in st.window]
        lit = {at(r, c): ("pad-patch" if t.in_padding else "patch") for (r, c), t in zip(cells, st.window)}
        set_ = {}
        for c in range(p.in_channels):
            used = c in st.in_channels
            layer = {"s": dict(lit)} if used and self.kind != "heatmap" else {}
            if not used:
                layer.update(small=True, title=f"input channel {c} (other group)")
            if st.sample and self.kind != "heatmap":
                layer["t"] = schema.changes(schema.texts(self._grid(self.padded[0, c])),
                                            schema.texts(self._grid(self.padded[st.sample, c])))
            if self.kind == "heatmap" and used:
                (r0, c0), (r1, c1) = cells[0], cells[-1]
                window = [r0, c0, r1 - r0 + 1, c1 - c0 + 1, "window"]
                gaps = window[2] * window[3] > len(cells)           # dilation: the taps, not the whole box
                layer["boxes"] = [window] + ([[r, c, 1, 1, "tap"] for r, c in cells] if gaps else [])
            if layer:
                set_[f"in{c}"] = layer
        if self.kind in ("stepper1d", "stepper2d"):
            for c in range(p.in_channels):
                if c in st.in_channels:
                    i = st.in_channels.index(c)
                    set_[f"w{c}"] = {"title": f"kernel w[{st.out_channel}, {i}]",
                                     "t": dict(zip(_cell_ats(p.kernel_shape), map(fmt, kern[i])))}
                else:
                    set_[f"w{c}"] = {"small": True, "title": "kernel (not used)",
                                     "s": {x: "other-group" for x in _cell_ats(p.kernel_shape)}}
        if self.kind == "heatmap":
            for i in range(min(n_ch, CHANNEL_PANELS)):
                set_[f"patch{i}"] = {"title": f"patch of channel {st.in_channels[i]}",
                                     "t": dict(zip(_cell_ats(p.kernel_shape), map(fmt, patch[i]))),
                                     "s": {at(*self._tap_rc(t)): "pad-patch" for t, tap in enumerate(st.window) if tap.in_padding}}
                set_[f"w{i}"] = {"title": f"kernel w[{st.out_channel}, {i}]",
                                 "t": dict(zip(_cell_ats(p.kernel_shape), map(fmt, kern[i])))}
            for n in range(p.batch):
                for o in range(p.out_channels):
                    set_[f"out{n}.{o}"] = {"boxes": self._covers(k, n, o)}
        if self.kind == "pointwise":
            self._pointwise(st, set_)

        parts = [factor(v) for v in st.partial_sums]
        bias = p.bias is not None
        right = " + ".join(parts) + (f" + {factor(st.bias)} (bias)" if bias else "")
        total = f"{label} = {right} = {fmt(st.value)}" if (n_ch > 1 or bias) else f"{label} = {fmt(st.value)}"
        lines = self._sum_lines(st, products, patch, kern, [self.taps] * n_ch) + [["total", total]]
        rec = {"h": (f"step {k:,} of steps 0–{len(self.trace) - 1:,}: {_where(self.trace, st)} reads input "
                     f"channel{'s' if n_ch > 1 else ''} {', '.join(map(str, st.in_channels))}"),
               "say": f"{_where(self.trace, st)}: {right + ' = ' if (n_ch > 1 or bias) else ''}{fmt(st.value)}",
               "set": set_, "value": fmt(st.value),
               "lines": lines,
               "pos": ([st.sample] if p.batch > 1 else []) + [st.out_channel, *st.out_pos],
               "build": [self._partial(st, b, products, patch, kern, cells, lines) for b in range(self.top)]}
        return rec

    def _tap_rc(self, t: int) -> tuple[int, int]:
        return schema.rc(np.unravel_index(t, self.p.kernel_shape))

    def _sum_lines(self, st, products, patch, kern, shown: list[int]) -> list:
        """One line per input channel of the step: "input channel c: a·b + … = partial"."""
        lines = []
        channels = list(enumerate(st.in_channels))
        if len(channels) > CHANNEL_LINES:
            channels = channels[:CHANNEL_LINES - 1] + channels[-1:]
        for i, ch in channels:
            m = shown[i]
            if not m:
                continue
            terms = _elide([f"{factor(patch[i, t])}·{factor(kern[i, t])}" for t in range(m)])
            done = m == self.taps
            value = st.partial_sums[i] if done else products[i, :m].sum()
            more = "" if done else " + …"
            lines.append(["sum", f"input channel {ch}: {' + '.join(terms)}{more} = {fmt(value)}"
                                 + ("" if done else " so far")])
        if len(st.in_channels) > CHANNEL_LINES:
            lines.insert(CHANNEL_LINES - 1, ["sum", f"… {len(st.in_channels) - CHANNEL_LINES} more channels …"])
        return lines

    def _partial(self, st, b: int, products, patch, kern, cells, complete: list) -> dict:
        """Build-up position b < top: the terms added so far, the one just added lit; a channel's
        line already complete is named by its number in the complete step's ``lines``."""
        n_ch = len(st.in_channels)
        if self.unit == "term":
            shown = [max(0, min(self.taps, b - i * self.taps)) for i in range(n_ch)]
        else:
            shown = [self.taps if i < b else 0 for i in range(n_ch)]
        running = [st.partial_sums[i] if m == self.taps else products[i, :m].sum() for i, m in enumerate(shown) if m]
        so_far = sum(running[1:], running[0]) if running else None
        label = _label(st)
        value = fmt(so_far) if running else "?"
        parts = " + ".join(factor(v) for v in running)
        total = f"{label} = {parts} + … (so far {fmt(so_far)})" if running else f"{label} = …"
        set_ = {}
        if self.unit == "term" and b > 0 and self.kind in ("stepper1d", "stepper2d", "pointwise"):
            i = min(b - 1, n_ch * self.taps - 1) // self.taps
            t = (b - 1) - i * self.taps
            ch = st.in_channels[i]
            r, c = cells[t]
            set_[f"in{ch}"] = {"s": {at(r, c): "active"}}
            if self.kind != "pointwise":
                set_[f"w{ch}"] = {"s": {at(*self._tap_rc(t)): "active"}}
        if self.kind == "pointwise":
            set_["y"] = {"t": {at(st.out_channel, 0): value}}
        return {"value": value, "set": set_,
                "lines": [complete.index(x) if x in complete else x
                          for x in self._sum_lines(st, products, patch, kern, shown) + [["total", total]]],
                "say": f"{label} so far: {value}"}

    def _covers(self, k: int, n: int, o: int) -> list:
        """Heatmap output: hatched boxes over what is still to do, the current cell outlined."""
        order = self._grid(self.order[n, o])
        R, C = order.shape
        if order.min() > k:
            return [[0, 0, R, C, "cover"]]
        if order.max() < k:
            return []
        i, j = map(int, np.argwhere(order == k)[0]) if (order == k).any() else (None, None)
        if i is None:
            return []
        boxes = [[i, j, 1, 1, "now"]]
        if j + 1 < C:
            boxes.append([i, j + 1, 1, C - j - 1, "cover"])
        if i + 1 < R:
            boxes.append([i + 1, 0, R - i - 1, C, "cover"])
        return boxes

    def _pointwise(self, st, set_) -> None:
        """y = W·x at the step's pixel: x and y read there, W's row of this output channel lit."""
        p = self.p
        pixel, s = st.out_pos, st.sample
        r, c = self._to_cell(st.window[0].coords)
        set_["x"] = {"title": f"x at ({', '.join(map(str, pixel))})" + (" +" if p.bias is not None else ""),
                     "t": {at(ch, 0): fmt(self.padded[s, ch][(r, c) if p.dims == 2 else (c,)]) for ch in range(p.in_channels)},
                     "s": {at(ch, 0): "patch" for ch in st.in_channels}}
        y_t, y_s = {}, {}
        for o in range(p.out_channels):
            when = int(self.order[(s, o, *pixel)])
            y_s[at(o, 0)] = "done" if when < st.index else "current" if when == st.index else "todo"
            y_t[at(o, 0)] = fmt(self.output[(s, o, *pixel)]) if when <= st.index else ""
        set_["y"] = {"title": f"y at ({', '.join(map(str, pixel))}) =", "t": y_t, "s": y_s}
        set_["W"] = {"s": {at(st.out_channel, ch): "patch" for ch in st.in_channels}}


def _index_rows(shape) -> list[list[tuple]]:
    """Row-major index tuples of a 1-D (one row) or 2-D grid."""
    if len(shape) == 1:
        return [[(j,) for j in range(shape[0])]]
    return [[(i, j) for j in range(shape[1])] for i in range(shape[0])]


def _cell_ats(shape) -> list[str]:
    """"r,c" of each cell of a kernel-shaped grid, row-major (the order of a step's taps)."""
    return [at(*schema.rc(x)) for row in _index_rows(shape) for x in row]


def _png(rgb: np.ndarray) -> str:
    return png_data_uri(Image.fromarray(np.ascontiguousarray(rgb), "RGB"))


# ---------------------------------------------------------------------------------------------
# The views
# ---------------------------------------------------------------------------------------------
def as_trace(source, weight=None, *, dims: int | None = None, **kwargs) -> Trace:
    """A Trace from a Trace, an Example, an example's name, or input+weight arrays.

    >>> len(as_trace("seed_conv2d"))
    27
    >>> len(as_trace([1, 2, 3, 4], [1, 0, -1], dims=1))
    2
    """
    if isinstance(source, Trace):
        return source
    if isinstance(source, str):
        source = catalogue.get(source)
    if isinstance(source, catalogue.Example):
        return source.replace(**kwargs).trace() if kwargs else source.trace()
    if weight is None:
        raise TypeError("give a Trace, an Example (or its name), or input and weight arrays; "
                        f"got {type(source).__name__} without a weight")
    build = api.trace1d if (dims or spatial_dims(weight)) == 1 else api.trace2d
    return build(source, weight, **kwargs)


class ConvView(View):
    """A convolution step by step (``kind``: its look; the subclasses below fix one)."""

    look: str | None = None
    dims: int | None = None

    def __init__(self, source, weight=None, **kwargs):
        trace = as_trace(source, weight, dims=self.dims, **kwargs)
        look = self.look or kind_of(trace)
        if self.dims is not None and trace.problem.dims != self.dims:
            raise ValueError(f"{type(self).__name__} shows {self.dims}-D convolutions; this trace is "
                             f"{trace.problem.dims}-D (use Stepper{trace.problem.dims}D)")
        if look == "pointwise" and not all(k == 1 for k in trace.problem.kernel_shape):
            raise ValueError(f"PointwiseView shows 1×1 convolutions; this kernel is "
                             f"{'×'.join(map(str, trace.problem.kernel_shape))} (use Stepper2D)")
        name = source if isinstance(source, str) else getattr(source, "name", None)
        # a view of an unchanged catalogue example says which one on its root (data-example)
        example = name if (name in catalogue.CATALOGUE and not kwargs and weight is None) else None
        self.trace = trace
        self.steps = ConvSteps(trace, look, example)
        first = self.steps.record(0)
        data = self.steps.data(block=block_size({"n": len(trace), "steps": [first]}))
        super().__init__(data, more=lambda _reading, k: self.steps.record(k))

    @classmethod
    def from_example(cls, example, **changes):
        """A view of a named example from ``convcore.examples`` (``changes`` replace its fields)."""
        if isinstance(example, str):
            example = catalogue.get(example)
        return cls(example.replace(**changes) if changes else example)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self.trace!r}, step {self.step}>"


class Stepper1D(ConvView):
    """A 1-D convolution step by step: signal, kernel, products, sums, output."""

    look, dims = "stepper1d", 1


class Stepper2D(ConvView):
    """A 2-D convolution step by step, every input channel with its kernel slice."""

    look, dims = "stepper2d", 2


class PointwiseView(ConvView):
    """A 1×1 convolution: at each pixel, y = W·x (+ b)."""

    look, dims = "pointwise", 2


class HeatmapView(ConvView):
    """Big inputs as heatmaps: the window boxed on every channel, the feature map filling in."""

    look = "heatmap"


def view_for(source, weight=None, **kwargs) -> ConvView:
    """The view that suits a convolution: numbers when they fit, a heatmap when they do not.

    >>> type(view_for("seed_conv2d")).__name__, type(view_for("seed_1x1")).__name__
    ('Stepper2D', 'PointwiseView')
    """
    trace = as_trace(source, weight, **kwargs)
    name = source if isinstance(source, str) and not kwargs else None
    cls = {"stepper1d": Stepper1D, "stepper2d": Stepper2D, "pointwise": PointwiseView,
           "heatmap": HeatmapView}[kind_of(trace)]
    return cls(name or trace)
