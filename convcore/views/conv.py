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
from itertools import product

import numpy as np
from PIL import Image

from .. import api
from .. import examples as catalogue
from ..kernels import pad_input
from ..layout import spatial_dims
from ..trace import Trace
from . import palette
from .numfmt import factor, fmt, label
from .picture import png_data_uri
from .schema import at, changes, coords, grid2, key, keys, rc, reading, states, texts
from .view import View, block_size

TERM_BY_TERM_LIMIT = 9      # taps per channel up to which the build-up adds one product at a time
TERMS_WRITTEN = 12          # longer sums are written with "…" in the middle
CHANNEL_LINES = 6           # channels whose sums are written out, one line each
NUMBERS_FIT = 15            # padded cells across (2-D) up to which numbers are shown
NUMBERS_FIT_1D = 40         # the same for 1-D signals
IMAGE_PX = 150              # on-screen size of one channel image in the heatmap (7 fit across 1366 px)
CHANNEL_PANELS = 4          # channels whose patch numbers the heatmap writes out
READS_UP_TO = 4000          # steps up to which input cells say which outputs read them

LEGEND = [["plain", "input"], ["kernel", "kernel"], ["patch", "patch under the kernel"], ["pad", "padding"],
          ["done", "output done"], ["current", "being computed"], ["todo", "not yet"], ["active", "just added"]]
NOTES = {"heatmap": "Channels as images: blue below zero, vermillion above, white at zero; the grey rim is "
                    "padding; hatched outputs are not computed yet. The numbers under them are the window's.",
         "pointwise": "The same W is used at every pixel, each pixel on its own: "
                      "a 1×1 convolution is a matrix product per pixel."}


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
    """A long sum's terms: the first few, "…", the last."""
    return items if len(items) <= TERMS_WRITTEN else items[:TERMS_WRITTEN - 2] + ["…"] + items[-1:]


def _px(shape) -> float:
    """The on-screen size of one cell of a heatmap image of this (spatial) shape."""
    return min(12.0, IMAGE_PX / max(grid2(shape)))


def _png(rgb: np.ndarray) -> str:
    return png_data_uri(Image.fromarray(np.ascontiguousarray(rgb), "RGB"))


class ConvSteps:
    """The records of one trace's steps in one look: ``data`` (the first block shipped) and
    ``record(k)`` for any step."""

    def __init__(self, trace: Trace, kind: str, example: str | None = None):
        p = self.p = trace.problem
        self.trace, self.kind, self.example = trace, kind, example
        self.unit, self.per, self.top = build_up(trace, kind)
        self.cpg = p.in_channels // p.groups                    # input channels per group
        self.taps = math.prod(p.kernel_shape)
        self.padded = pad_input(p)                              # (N, C_in, *padded)
        self.output = p.layout.batched(np.asarray(trace.output))  # (N, C_out, *out)
        self.order = trace.step_numbers                         # (N, C_out, *out): the step of each output
        # "r,c" of each kernel tap in its grid, in the order of a step's taps
        self.tap_ats = [at(r, c) for r, c in product(*map(range, grid2(p.kernel_shape)))]
        self.panels = self._panels()

    # -- the grids that do not change ---------------------------------------------------------
    def _panels(self) -> dict:
        p, kind = self.p, self.kind
        heat = kind == "heatmap"
        # the padded input as a grid: padding hatched, and the values no window reads marked
        pad = np.atleast_2d(p.padding_mask())
        unread = np.atleast_2d(np.pad(p.never_read(), [(a.pad_before, a.pad_after) for a in p.axes]))
        self.in_base = np.where(pad, "pad", np.where(unread, "unread", "plain")).tolist()
        shape = pad.shape
        grid = coords([a.padded_length for a in p.axes], [-a.pad_before for a in p.axes])
        reads = self._reads(grid) if not heat and len(self.trace) <= READS_UP_TO else None
        # a heatmap's input channels: images on the diverging map, padding greyed (visibly not the input)
        limit, grey = float(np.abs(p.input[0]).max()) or 1.0, np.array(palette.state_colours()["pad"]["edge"], float)
        panels = {}
        for c in range(p.in_channels):
            P = panels[f"in{c}"] = {"title": f"input channel {c}", "role": "in-cell", "channel": c,
                                    "t": texts(self.padded[0, c]), "s": self.in_base,
                                    "keys": keys(grid)}
            if heat:                        # an image under the grid instead of numbers
                rgb = palette.diverging(np.atleast_2d(self.padded[0, c]), limit).astype(float)
                rgb[pad] = 0.45 * rgb[pad] + 0.55 * grey
                P.update(t=states(shape, ""), s=states(shape), image=_png(rgb.round().astype(np.uint8)), px=_px(shape))
            elif reads is not None:
                P["reads"] = reads[c]

        kshape = grid2(p.kernel_shape)
        if kind.startswith("stepper"):      # each input channel's kernel slice (of its group's first output)
            kernel_keys = keys(coords(p.kernel_shape))
            for c in range(p.in_channels):
                o, i = (c // self.cpg) * (p.out_channels // p.groups), c % self.cpg
                panels[f"w{c}"] = {"title": f"kernel w[{o}, {i}]", "role": "kernel-cell", "channel": c,
                                   "t": texts(p.weight[o, i]), "s": states(kshape, "kernel"), "keys": kernel_keys}
        if heat:                            # the patch and kernel of the first few channels, filled per step
            blank = states(kshape, "")
            for i in range(min(self.cpg, CHANNEL_PANELS)):
                panels[f"patch{i}"] = {"title": "patch", "role": "patch-cell", "t": blank, "s": states(kshape, "patch")}
                panels[f"w{i}"] = {"title": "kernel", "role": "kernel-cell", "t": blank, "s": states(kshape, "kernel")}
        if kind == "pointwise":             # y = W·x (+ b), W with zeros outside each output's group
            c_in, c_out, bias = p.in_channels, p.out_channels, p.bias is not None
            w = p.weight.reshape(c_out, -1)
            ours = [[c in p.group_channels(p.group_of(o)) for c in range(c_in)] for o in range(c_out)]
            panels["y"] = {"title": "y =", "role": "vec-out", "t": states((c_out, 1), ""),
                           "s": states((c_out, 1), "todo")}
            panels["W"] = {"title": "weights W (C_out × C_in) ·", "role": "weight-cell",
                           "t": [[fmt(w[o, c % self.cpg]) if m else "0" for c, m in enumerate(row)]
                                 for o, row in enumerate(ours)],
                           "s": [["kernel" if m else "other-group" for m in row] for row in ours],
                           "keys": [[key((o, c)) for c in range(c_in)] for o in range(c_out)]}
            panels["x"] = {"title": "x" + (" +" if bias else ""), "role": "vec-in", "t": states((c_in, 1), ""),
                           "s": states((c_in, 1))}
            if bias:
                panels["b"] = {"title": "bias b", "role": "bias", "t": texts(p.bias[:, None]),
                               "s": states((c_out, 1), "kernel")}

        out_coords = coords(p.out_spatial)
        for n, o in product(range(p.batch), range(p.out_channels)):
            out = np.atleast_2d(self.output[n, o])
            P = panels[f"out{n}.{o}"] = {
                "title": f"output channel {o}" if p.batch == 1 else f"sample {n}, output channel {o}",
                "role": "out-cell", "t": texts(out), "s": states(out.shape, "todo"),
                "order": np.atleast_2d(self.order[n, o]).tolist(),
                "keys": keys(out_coords, o)}
            if heat:                        # the feature map as an image, covered until computed (``_covers``)
                limit = float(np.abs(self.output[n]).max()) or 1.0
                P.update(t=states(out.shape, ""), order=None, image=_png(palette.diverging(out, limit)),
                         px=_px(p.out_spatial))
        return panels

    def _reads(self, grid) -> list:
        """Per input channel, per padded cell: [sentence, the output cells whose window reads it]
        (None on padding), from the library's inverse of the window rule (``Axis.readers``)."""
        return [[[None if s == "pad" else self._read_by(ch, x) for s, x in zip(states_row, coords_row)]
                 for states_row, coords_row in zip(self.in_base, grid)]
                for ch in range(self.p.in_channels)]

    def _read_by(self, ch: int, coords: tuple) -> list:
        p = self.p
        outs = [o for o in range(p.out_channels) if p.group_of(o) == ch // self.cpg]
        # a window reads the cell when it does along every axis
        positions = list(product(*(sorted({r.out for r in a.readers(i)}) for a, i in zip(p.axes, coords))))
        hits = [[f"out0.{o}", *rc(pos)] for o in outs for pos in positions]
        names = [label("out", (o, *pos) if p.layout != "plain" else pos) for o in outs for pos in positions]
        where = f"input channel {ch} at ({', '.join(map(str, coords))})"
        if not names:
            return [f"{where} is never read", hits]
        listed = ", ".join(names[:8]) + (", …" if len(names) > 8 else "")
        return [f"{where} is read by {len(names)} output{'s' if len(names) != 1 else ''}: {listed}", hits]

    # -- the reading ---------------------------------------------------------------------------
    def first_block(self) -> dict:
        """The data with its first block of steps: as many as make about ``BLOCK_BYTES`` of JSON."""
        return self.data(block=block_size({"n": len(self.trace), "steps": [self.record(0)]}))

    def data(self, block: int | None = None) -> dict:
        p, kind = self.p, self.kind
        n = len(self.trace)
        shipped = n if block is None else min(n, block)
        ins = [f"in{c}" for c in range(p.in_channels)]
        outs = [f"out{s}.{o}" for s in range(p.batch) for o in range(p.out_channels)]
        rest = [pid for pid in self.panels if pid not in ins + outs]    # kernels, patches, or y W x b
        if kind.startswith("stepper"):      # each input channel beside its kernel slice
            rows = [[pid for pair in zip(ins, rest) for pid in pair], outs]
        else:
            rows = [ins, outs, rest] if kind == "heatmap" else [ins, rest, outs]
        # sliders: sample (when batched), output channel, then the output position
        spatial = [["row", "row"], ["column", "column"]] if p.dims == 2 else [["column", "position"]]
        positions = (([["sample", "sample", p.batch - 1]] if p.batch > 1 else [])
                     + [["out-channel", "out channel", p.out_channels - 1]]
                     + [[role, name, size - 1] for (role, name), size in zip(spatial, p.out_spatial)])
        table = self.order if p.batch > 1 else self.order[0]
        legend = (LEGEND + ([["unread", "never read"]] if any("unread" in row for row in self.in_base) else [])
                  + ([["other-group", "other group"]] if p.groups > 1 else []))
        notes = [["note", NOTES[kind]]] if kind in NOTES else []
        rd = reading("steps", "steps", rows, self.panels, [self.record(k) for k in range(shipped)], legend,
                     n=n, top=self.top, unit=self.unit, positions=positions, table=table.tolist(),
                     block=0 if shipped == n else shipped, notes=notes)
        return {"kind": kind, "example": self.example, "readings": [rd], "reading": "steps"}

    def record(self, k: int) -> dict:
        """Step ``k``: the lit window, the sums written out, and each build-up position."""
        p, st, kind = self.p, self.trace[k], self.kind
        heat = kind == "heatmap"
        n_ch = len(st.in_channels)
        products, patch, kern = (a.reshape(n_ch, -1) for a in (st.products, st.patch, st.kernel))
        cells = [rc(np.add(t.coords, [a.pad_before for a in p.axes])) for t in st.window]   # in the padded grid
        lit = {at(r, c): ("pad-patch" if t.in_padding else "patch") for (r, c), t in zip(cells, st.window)}
        if heat:       # the window's box, and each tap's when dilation leaves gaps between them
            (r0, c0), (r1, c1) = cells[0], cells[-1]
            window = [r0, c0, r1 - r0 + 1, c1 - c0 + 1, "window"]
            gaps = window[2] * window[3] > len(cells)
            boxes = [window] + ([[r, c, 1, 1, "tap"] for r, c in cells] if gaps else [])

        def weights(i):                # kernel slice i of this output channel, written in its grid
            return {"title": f"kernel w[{st.out_channel}, {i}]", "t": dict(zip(self.tap_ats, map(fmt, kern[i])))}

        set_ = {}
        for c in range(p.in_channels):
            if c not in st.in_channels:
                layer = {"small": True, "title": f"input channel {c} (other group)"}
            else:
                layer = {"boxes": boxes} if heat else {"s": dict(lit)}
            if st.sample and not heat:    # another sample's numbers
                layer["t"] = changes(texts(self.padded[0, c]), texts(self.padded[st.sample, c]))
            set_[f"in{c}"] = layer
        if kind.startswith("stepper"):
            for c in range(p.in_channels):
                set_[f"w{c}"] = (weights(st.in_channels.index(c)) if c in st.in_channels else
                                 {"small": True, "title": "kernel (not used)",
                                  "s": dict.fromkeys(self.tap_ats, "other-group")})
        if heat:
            for i in range(min(n_ch, CHANNEL_PANELS)):
                set_[f"patch{i}"] = {"title": f"patch of channel {st.in_channels[i]}",
                                     "t": dict(zip(self.tap_ats, map(fmt, patch[i]))),
                                     "s": {self.tap_ats[t]: "pad-patch" for t, tap in enumerate(st.window)
                                           if tap.in_padding}}
                set_[f"w{i}"] = weights(i)
            for n, o in product(range(p.batch), range(p.out_channels)):
                set_[f"out{n}.{o}"] = {"boxes": self._covers(k, n, o)}
        if kind == "pointwise":
            self._pointwise(st, cells[0], set_)

        # the sum: one line per channel, then the total (written out when there is more than one term)
        name = label("out", st.out_index)
        where = f"output channel {st.out_channel} at ({', '.join(map(str, st.out_pos))})"
        where = f"sample {st.sample}, {where}" if p.batch > 1 else where
        bias = p.bias is not None
        right = " + ".join(factor(v) for v in st.partial_sums) + (f" + {factor(st.bias)} (bias)" if bias else "")
        written = n_ch > 1 or bias
        total = f"{name} = {right} = {fmt(st.value)}" if written else f"{name} = {fmt(st.value)}"
        lines = self._sum_lines(st, products, patch, kern, [self.taps] * n_ch) + [["total", total]]
        return {"h": (f"step {k:,} of steps 0–{len(self.trace) - 1:,}: {where} reads input "
                      f"channel{'s' if n_ch > 1 else ''} {', '.join(map(str, st.in_channels))}"),
                "say": f"{where}: {right + ' = ' if written else ''}{fmt(st.value)}",
                "set": set_, "value": fmt(st.value), "lines": lines,
                "pos": ([st.sample] if p.batch > 1 else []) + [st.out_channel, *st.out_pos],
                "build": [self._partial(st, b, products, patch, kern, cells, lines) for b in range(self.top)]}

    def _sum_lines(self, st, products, patch, kern, shown: list[int]) -> list:
        """One line per input channel with terms shown (``shown[i]`` of channel i's): "input channel
        c: a·b + … = partial"; past ``CHANNEL_LINES`` channels, the first few and the last."""
        channels = list(enumerate(st.in_channels))
        many = len(channels) > CHANNEL_LINES
        if many:
            channels = channels[:CHANNEL_LINES - 1] + channels[-1:]
        lines = []
        for i, ch in channels:
            m = shown[i]
            if not m:
                continue
            terms = " + ".join(_elide([f"{factor(patch[i, t])}·{factor(kern[i, t])}" for t in range(m)]))
            if m < self.taps:               # a channel being added product by product
                terms, value = f"{terms} + …", f"{fmt(products[i, :m].sum())} so far"
            else:
                value = fmt(st.partial_sums[i])
            lines.append(["sum", f"input channel {ch}: {terms} = {value}"])
        if many:
            lines.insert(CHANNEL_LINES - 1, ["sum", f"… {len(st.in_channels) - CHANNEL_LINES} more channels …"])
        return lines

    def _partial(self, st, b: int, products, patch, kern, cells, complete: list) -> dict:
        """Build-up position b < top: the terms added so far, the one just added lit; a channel's
        line already complete is named by its number in the complete step's ``lines``."""
        # b terms added: channel i's are those past i·per, each one product (or the channel's whole sum)
        shown = [min(self.per, max(0, b - i * self.per)) * self.taps // self.per for i in range(len(st.in_channels))]
        running = [st.partial_sums[i] if m == self.taps else products[i, :m].sum() for i, m in enumerate(shown) if m]
        name = label("out", st.out_index)
        if running:
            so_far = sum(running[1:], running[0])
            value, total = fmt(so_far), f"{name} = {' + '.join(map(factor, running))} + … (so far {fmt(so_far)})"
        else:
            value, total = "?", f"{name} = …"
        set_ = {}
        if self.unit == "term" and b > 0:      # light the product just added, in the input (and the kernel)
            i, t = divmod(b - 1, self.taps)
            ch = st.in_channels[i]
            set_[f"in{ch}"] = {"s": {at(*cells[t]): "active"}}
            if self.kind != "pointwise":
                set_[f"w{ch}"] = {"s": {self.tap_ats[t]: "active"}}
        if self.kind == "pointwise":
            set_["y"] = {"t": {at(st.out_channel, 0): value}}
        lines = self._sum_lines(st, products, patch, kern, shown) + [["total", total]]
        return {"value": value, "set": set_, "lines": [complete.index(x) if x in complete else x for x in lines],
                "say": f"{name} so far: {value}"}

    def _covers(self, k: int, n: int, o: int) -> list:
        """Heatmap output: hatched boxes over what is still to do, the current cell outlined."""
        order = np.atleast_2d(self.order[n, o])
        R, C = order.shape
        now = np.argwhere(order == k)
        if not len(now):                    # not begun (all hatched), or done
            return [[0, 0, R, C, "cover"]] if order.min() > k else []
        i, j = map(int, now[0])             # outlined; the rest of its row and the rows below hatched
        return ([[i, j, 1, 1, "now"]] + ([[i, j + 1, 1, C - j - 1, "cover"]] if j + 1 < C else [])
                + ([[i + 1, 0, R - i - 1, C, "cover"]] if i + 1 < R else []))

    def _pointwise(self, st, cell, set_) -> None:
        """y = W·x at the step's pixel: x and y read there, W's row of this output channel lit."""
        p, s = self.p, st.sample
        at_pixel = f"at ({', '.join(map(str, st.out_pos))})"
        set_["x"] = {"title": f"x {at_pixel}" + (" +" if p.bias is not None else ""),
                     "t": {at(ch, 0): fmt(v) for ch, v in enumerate(self.padded[(s, slice(None), *cell)])},
                     "s": {at(ch, 0): "patch" for ch in st.in_channels}}
        # the pixel's outputs: done, current or to do
        when, y = self.order[(s, slice(None), *st.out_pos)], self.output[(s, slice(None), *st.out_pos)]
        set_["y"] = {"title": f"y {at_pixel} =",
                     "t": {at(o, 0): fmt(y[o]) if w <= st.index else "" for o, w in enumerate(when)},
                     "s": {at(o, 0): "done" if w < st.index else "current" if w == st.index else "todo"
                           for o, w in enumerate(when)}}
        set_["W"] = {"s": {at(st.out_channel, ch): "patch" for ch in st.in_channels}}


# -- the views ---------------------------------------------------------------------------------
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
        unchanged = isinstance(source, str) or source is catalogue.CATALOGUE.get(name)
        example = name if (name in catalogue.CATALOGUE and unchanged and not kwargs and weight is None) else None
        self.trace = trace
        self.steps = ConvSteps(trace, look, example)
        super().__init__(self.steps.first_block(), more=lambda _reading, k: self.steps.record(k))

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
