"""TransposeView: a transposed convolution step by step, in its scatter and gather readings.

Scatter (the default reading): one step per input element. The element is lit
in its input channel; its value times the kernel (the stamp) lands on the
uncropped output (the canvas), overlapping cells show "before → after", a
panel counts the stamps each cell has received so far (k not divisible by s:
the checkerboard), the border that padding crops is labelled "crop", the
output_padding row/column "+op". Pointing at an input element lights the
canvas cells its stamp lands on.

Gather: one step per output element, the plain convolution of the
zero-inserted, padded input (taps marked input / inserted zero / padding) with
the flipped kernel: products, sums, the value. The output fills in one element
per step (a click on one goes to its step); pointing at a cell of the derived
input lights the outputs whose windows read it. Numbers from
``convcore.trace_transpose`` (``ScatterTrace``/``GatherTrace``); the data
follows ``schema.py`` and ``View`` carries it.
"""
from __future__ import annotations

import numpy as np

from .. import examples as catalogue
from ..trace_transpose import GatherTrace, ScatterTrace, trace_transpose1d, trace_transpose2d
from . import schema
from .numfmt import factor, fmt, label, product_line
from .schema import changes, check_size, grid2, key, rc, states, texts
from .view import View

MAX_LISTED = 6     # overlapping cells written out per step


MAX_LISTED = 6     # overlapping cells written out per step


def _trace(source, weight=None, dims=None, **kwargs) -> ScatterTrace:
    if isinstance(source, ScatterTrace):
        return source
    if isinstance(source, GatherTrace):
        return source.scatter
    if isinstance(source, str):
        source = catalogue.get_transposed(source)
    if isinstance(source, catalogue.Example):
        return source.trace("scatter")
    if weight is None:
        raise TypeError("give a transposed-convolution example (or its name), a ScatterTrace, or "
                        f"input and weight arrays; got {type(source).__name__} without a weight")
    x, w = np.asarray(source), np.asarray(weight)
    if dims is None:
        dims = w.ndim if (w.ndim in (1, 2) and x.ndim == w.ndim) else w.ndim - 2
    fn = {1: trace_transpose1d, 2: trace_transpose2d}[dims]
    return fn(x, w, **kwargs)


def _labels(axis, n_canvas, op) -> list[str]:
    """Per canvas position along one axis: its output coordinate, "crop", or "+op" (output_padding)."""
    out = []
    for u in range(n_canvas):
        c = u - axis.pad_before
        out.append("crop" if axis.in_padding(c) else f"+op {c}" if c >= axis.n - op else str(c))
    return out


def _positions(dims: int, shape) -> list[list[tuple[int, ...]]]:
    """Per cell of a (rows, columns) grid, the 1-D or 2-D position it shows."""
    R, C = grid2(shape)
    return [[(c,) if dims == 1 else (r, c) for c in range(C)] for r in range(R)]


def _where(pos) -> str:
    return ", ".join(str(int(i)) for i in pos)


def scatter_reading(trace: ScatterTrace) -> dict:
    p = trace.problem
    if p.batch != 1:
        raise ValueError(f"TransposeView shows one sample; this input has a batch of {p.batch} "
                         "(give input[0])")
    R, C = grid2(p.canvas_spatial)
    axes = p.axes if p.dims == 2 else (None, p.axes[0])
    ops = p.output_padding if p.dims == 2 else (0, p.output_padding[0])
    col_labels = _labels(axes[1], C, ops[1])
    row_labels = _labels(axes[0], R, ops[0]) if p.dims == 2 else None
    rows_l = row_labels or [""]
    region = [[("pad" if "crop" in (rows_l[r], col_labels[c]) else
                "opad" if "+op" in rows_l[r] + col_labels[c] else "todo") for c in range(C)] for r in range(R)]
    o_group = p.weight.shape[1]
    kshape = grid2(p.kernel_shape)
    n = len(trace)
    all_steps = [trace[k] for k in range(n)]
    ever = np.zeros((p.groups, R, C), dtype=bool)    # cells some stamp reaches (the others hold the bias only)
    for st in all_steps:
        for t in st.landings:
            ever[(st.group, *rc(t.canvas))] = True
    canvas_pos = _positions(p.dims, p.canvas_spatial)
    out_coords = [[tuple(u - a.pad_before for u, a in zip(pos, p.axes)) for pos in row] for row in canvas_pos]
    bias_only = trace.state_after(0, uncropped=True) if n else None   # read only where no stamp ever lands

    panels = {}
    in_pos = _positions(p.dims, p.in_spatial)
    for c in range(p.in_channels):
        reads = []
        for row in in_pos:
            reads.append([])
            for pos in row:
                st = all_steps[trace.index(c, pos)]
                where = [[f"canvas{o}", *rc(t.canvas)] for o in st.out_channels for t in st.landings]
                reads[-1].append([f"{label('x', (c, *pos))} = {fmt(st.value)} stamps {fmt(st.value)} × the kernel "
                                  f"onto {len(st.landings)} canvas cells (step {st.index})", where])
        panels[f"in{c}"] = {"title": f"input channel {c}", "role": "in-cell", "channel": c,
                            "t": texts(p.input[0, c]), "s": states(grid2(p.in_spatial)),
                            "keys": [[key((c, *pos)) for pos in row] for row in in_pos], "reads": reads}
    taps = _positions(p.dims, p.kernel_shape)
    for j in range(o_group):
        panels[f"kern{j}"] = {"title": "kernel", "role": "kernel-cell", "t": texts(p.weight[0, j]),
                              "s": states(kshape, "kernel"), "keys": [[key(t) for t in row] for row in taps]}
        panels[f"stamp{j}"] = {"title": "stamp", "role": "cell", "t": texts(p.weight[0, j] * 0),
                               "s": states(kshape, "patch")}
    for o in range(p.out_channels):
        g = o // o_group
        base_t = [[fmt(bias_only[o].reshape(R, C)[r, c]) if not ever[g, r, c] else "" for c in range(C)]
                  for r in range(R)]
        panels[f"canvas{o}"] = {"title": f"output channel {o} (uncropped canvas)", "role": "out-cell", "channel": o,
                                "t": base_t, "s": region, "rl": row_labels, "cl": col_labels,
                                "keys": [[key((o, *xy)) for xy in row] for row in out_coords]}
    for g in range(p.groups):
        panels[f"count{g}"] = {"title": "stamps landed on each cell" + (f" (group {g})" if p.groups > 1 else ""),
                               "role": "cell", "t": [["0"] * C for _ in range(R)], "s": region,
                               "rl": row_labels, "cl": col_labels}
    if any(p.padding) or any(p.output_padding):
        crop_note = (f"padding {', '.join(map(str, p.padding))} crops the border marked “crop” (off the "
                     f"end, padding − output_padding); output_padding {', '.join(map(str, p.output_padding))} "
                     "keeps the “+op” positions")
    else:
        crop_note = "no padding and no output_padding: the canvas is the output"

    counts = np.zeros((p.groups, R, C), dtype=int)
    steps = []
    for k in range(n):
        st = all_steps[k]
        canvas_after = trace.state_after(k, uncropped=True)
        landed = [rc(t.canvas) for t in st.landings]
        before_counts = counts[st.group].copy()
        for r_, c_ in landed:
            counts[st.group, r_, c_] += 1
        pos_text = _where(st.in_pos)
        v = fmt(st.value)
        r0, c0 = rc(st.in_pos)
        set_ = {f"in{st.in_channel}": {"s": {schema.at(r0, c0): "patch"}}}
        crop_mask = [t.cropped for t in st.landings]
        for j in range(len(st.out_channels)):
            P = panels[f"kern{j}"]
            set_[f"kern{j}"] = {"t": changes(P["t"], texts(st.kernel[j])),
                                "title": f"kernel w[{st.in_channel}, {j}]"}
            stamp_states = [["pad-patch" if crop_mask[i * kshape[1] + jj] else "patch" for jj in range(kshape[1])]
                            for i in range(kshape[0])]
            P = panels[f"stamp{j}"]
            set_[f"stamp{j}"] = {"t": changes(P["t"], texts(st.stamp[j])), "s": changes(P["s"], stamp_states),
                                 "title": f"stamp = {v} × w[{st.in_channel}, {j}]"}
        first = _where(st.landings[0].coords)
        lines = [["stamp", f"x[{st.in_channel}, {pos_text}] = {v}: its stamp, {v} × the kernel, "
                           f"lands with its first tap on output ({first})"]]
        overlaps = []
        for o in range(p.out_channels):
            g = o // o_group
            touched = counts[g] > 0
            now = canvas_after[o].reshape(R, C)
            P = panels[f"canvas{o}"]
            t = [[fmt(now[r_, c_]) if touched[r_, c_] else P["t"][r_][c_] for c_ in range(C)] for r_ in range(R)]
            s = [[("pad" if region[r_][c_] == "pad" else "done") if touched[r_, c_] else region[r_][c_]
                  for c_ in range(C)] for r_ in range(R)]
            if o in st.out_channels:
                j = st.out_channels.index(o)
                for ti, (r_, c_) in enumerate(landed):
                    before, after = st.before[j].reshape(-1)[ti], st.after[j].reshape(-1)[ti]
                    s[r_][c_] = "pad-patch" if crop_mask[ti] else "current"
                    if before_counts[r_, c_] > 0:
                        t[r_][c_] = f"{fmt(before)}→{fmt(after)}"
                        out = _where(st.landings[ti].coords)
                        overlaps.append(f"out[{o}, {out}]: {fmt(before)} + {factor(st.stamp[j].reshape(-1)[ti])} = "
                                        f"{fmt(after)} ({before_counts[r_, c_] + 1} stamps)"
                                        + (" (cropped)" if crop_mask[ti] else ""))
            layer = {"t": changes(P["t"], t), "s": changes(P["s"], s)}
            if layer["t"] or layer["s"]:
                set_[f"canvas{o}"] = layer
        for g in range(p.groups):
            cnt = changes(panels[f"count{g}"]["t"], [[str(x) for x in row] for row in counts[g]])
            if cnt:
                set_[f"count{g}"] = {"t": cnt}
        if overlaps:
            more = len(overlaps) - MAX_LISTED
            lines.append(["overlap", "overlaps add up: " + "; ".join(overlaps[:MAX_LISTED])
                          + (f"; and {more} more" if more > 0 else "")])
        else:
            lines.append(["overlap", "no cell under this stamp had a stamp yet"])
        n_crop = sum(crop_mask)
        if n_crop:
            lines.append(["crop", f"{n_crop} of its {len(crop_mask)} taps land in the cropped border: "
                                  "the output never shows them"])
        where = f"input element ({st.in_channel}, {pos_text}) = {v}"
        kept = [t for t in st.landings if not t.cropped]
        # the switch to gather goes to the first output element this stamp reaches
        jump = {"gather": trace.gather.index(st.out_channels[0], kept[0].coords)} if kept else {}
        steps.append({"h": f"scatter · step {k} of steps 0–{n - 1}: {where} stamps {v} × the kernel", "jump": jump,
                      "say": f"step {k}: {where} stamps; {len(overlaps)} of its cells overlap earlier stamps"
                             + (f", {n_crop} are cropped" if n_crop else ""),
                      "set": set_, "lines": lines})
    rows = [[f"in{c}" for c in range(p.in_channels)] + [f"kern{j}" for j in range(o_group)]
            + [f"stamp{j}" for j in range(o_group)],
            [f"canvas{o}" for o in range(p.out_channels)] + [f"count{g}" for g in range(p.groups)]]
    legend = [["plain", "input"], ["patch", "element stamping / its stamp"], ["kernel", "kernel"],
              ["current", "cells the stamp lands on"], ["done", "cells with stamps"],
              ["pad", "cropped by padding"], ["pad-patch", "a tap landing where the crop removes it"],
              ["opad", "output_padding"],
              ["todo", "no stamp yet (a number: no stamp ever lands there, only the bias)"]]
    return schema.reading("scatter", "scatter: one input element per step", rows, panels, steps, legend,
                          notes=[["note", crop_note]])


KIND_STATE = {"input": "plain", "inserted": "ins", "padding": "pad"}
KIND_LIT = {"input": "patch", "inserted": "ins-patch", "padding": "pad-patch"}
KIND_NAME = {"inserted": "an inserted zero", "padding": "padding (0)"}


def gather_reading(trace: GatherTrace) -> dict:
    p = trace.problem
    conv = trace.conv_trace.problem
    plan = trace.plan
    # The derived input, padding included: what sits at each coordinate.
    coords = [range(-a.pad_before, a.n + a.pad_after) for a in conv.axes]
    if p.dims == 1:
        cells = [[(c,) for c in coords[0]]]
    else:
        cells = [[(r, c) for c in coords[1]] for r in coords[0]]
    pads = [a.pad_before for a in conv.axes]
    origin = [[plan.origin(cc) for cc in row] for row in cells]
    base_s = [[KIND_STATE[o[0]] for o in row] for row in origin]
    n = len(trace)
    all_steps = [trace[k] for k in range(n)]
    out_shape = grid2(p.out_spatial)
    # Which output elements read each cell of the derived input (the windows of the plain convolution).
    readers = {c: [[[] for _ in row] for row in cells] for c in range(p.in_channels)}
    for gs in all_steps:
        for c in gs.conv.in_channels:
            for tap in gs.conv.window:
                r_, c_ = rc(tuple(x + pd for x, pd in zip(tap.coords, pads)))
                readers[c][r_][c_].append([f"out{gs.out_channel}", *rc(gs.out_pos)])
    panels = {}
    for c in range(p.in_channels):
        t = [[fmt(p.input[(0, c, *o[1])]) if o[0] == "input" else "0" for o in row] for row in origin]
        reads = [[[f"{label('x', (c, *o[1])) if o[0] == 'input' else KIND_NAME[o[0]]} is read by "
                   f"{len(readers[c][r_][c_])} output element{'s' if len(readers[c][r_][c_]) != 1 else ''}",
                   readers[c][r_][c_]] for c_, o in enumerate(row)] for r_, row in enumerate(origin)]
        panels[f"gin{c}"] = {"title": f"input channel {c}, zeros inserted, padded", "role": "in-cell", "channel": c,
                             "t": t, "s": base_s,
                             "keys": [[key((c, *o[1])) if o[0] == "input" else None for o in row] for row in origin],
                             "reads": reads,
                             "rl": [str(cc[0]) for cc in (row[0] for row in cells)] if p.dims == 2 else None,
                             "cl": [str(cc[-1]) for cc in cells[0]]}
    per_group = p.in_channels // p.groups
    kshape = grid2(p.kernel_shape)
    taps = _positions(p.dims, p.kernel_shape)
    for i in range(per_group):
        panels[f"fk{i}"] = {"title": "flipped kernel", "role": "kernel-cell", "t": texts(conv.weight[0, i]),
                            "s": states(kshape, "kernel"), "keys": [[key(t) for t in row] for row in taps]}
    result = trace.output.reshape(p.out_channels, *out_shape) if p.layout != "batched" else \
        trace.output[0].reshape(p.out_channels, *out_shape)
    out_pos = _positions(p.dims, p.out_spatial)
    for o in range(p.out_channels):
        panels[f"out{o}"] = {"title": f"output channel {o}", "role": "out-cell", "channel": o,
                             "t": texts(result[o]), "s": states(out_shape, "todo"),
                             "keys": [[key((o, *pos)) for pos in row] for row in out_pos],
                             "order": [[trace.index(o, pos) for pos in row] for row in out_pos]}
    steps = []
    for k in range(n):
        gs = all_steps[k]
        st = gs.conv
        set_ = {}
        for ii, c in enumerate(st.in_channels):
            lit = {}
            for tap, kind in zip(st.window, gs.kinds):
                r_, c_ = rc(tuple(x + pd for x, pd in zip(tap.coords, pads)))
                lit[schema.at(r_, c_)] = KIND_LIT[kind]
            set_[f"gin{c}"] = {"s": lit}
            set_[f"fk{ii}"] = {"t": changes(panels[f"fk{ii}"]["t"], texts(st.kernel[ii])),
                               "title": f"w[{c}, {st.out_channel % p.weight.shape[1]}] flipped"}
        n_ch = len(st.in_channels)
        patch, kern = st.patch.reshape(n_ch, -1), st.kernel.reshape(n_ch, -1)
        lines = []
        for ii, c in enumerate(st.in_channels):
            lines.append(["sum", product_line(zip(patch[ii], kern[ii]), st.partial_sums[ii],
                                              f"input channel {c}:")])
        kinds = list(gs.kinds)
        counted = [(kinds.count(kind), name) for kind, name in
                   (("input", "input element"), ("inserted", "inserted zero"), ("padding", "padding zero"))]
        lines.append(["kinds", f"its {len(kinds)} taps: " + ", ".join(
            f"{m} on {name}{'s' if m != 1 else ''}" for m, name in counted)])
        place = _where(st.out_pos)
        rhs = " + ".join(factor(v) for v in st.partial_sums) + (f" + {factor(st.bias)} (bias)" if p.bias is not None else "")
        total = f"out[{st.out_channel}, {place}] = " + (f"{rhs} = " if n_ch > 1 or p.bias is not None else "")
        lines.append(["total", total + fmt(st.value)])
        stamps = trace.scatter.contributors(st.out_channel, st.out_pos)
        # the switch to scatter goes to the first stamp that lands on this element
        jump = {"scatter": stamps[0][0]} if stamps else {}
        steps.append({"h": f"gather · step {k} of steps 0–{n - 1}: output element ({st.out_channel}, {place})",
                      "jump": jump, "value": fmt(st.value),
                      "say": f"step {k}: output ({st.out_channel}, {place}) = {rhs} = {fmt(st.value)}",
                      "set": set_, "lines": lines})
    rows = [[f"gin{c}" for c in range(p.in_channels)] + [f"fk{i}" for i in range(per_group)],
            [f"out{o}" for o in range(p.out_channels)]]
    legend = [["plain", "input element"], ["ins", "inserted zero"], ["pad", "padding"],
              ["patch", "tap on an input element"], ["ins-patch", "tap on an inserted zero"],
              ["pad-patch", "tap on padding"], ["kernel", "flipped kernel"], ["done", "output done"],
              ["current", "being computed"], ["todo", "not yet"]]
    return schema.reading("gather", "gather: one output element per step", rows, panels, steps, legend)


class TransposeView(View):
    """A transposed convolution step by step: scatter (stamps) and gather (a plain convolution).

    ``TransposeView.from_example("checkerboard")``, ``TransposeView(trace)`` or
    ``TransposeView(input, weight, stride=2, padding=1, output_padding=1)``
    (``conv_transpose*d``'s arguments; ``dims`` when a plain weight is ambiguous).
    ``view.reading`` is "scatter" or "gather"; ``view.trace`` the ScatterTrace.
    """

    kind = "transposed"

    def __init__(self, source, weight=None, dims=None, **kwargs):
        self.trace = _trace(source, weight, dims, **kwargs)
        p = self.trace.problem
        canvas = int(np.prod(p.canvas_spatial)) * (p.out_channels + p.groups)
        check_size("TransposeView", "scatter", len(self.trace), canvas)
        check_size("TransposeView", "gather", int(np.prod(p.out_spatial)) * p.out_channels * p.batch,
                   int(np.prod(p.out_spatial)) * p.out_channels + canvas * p.in_channels)
        example = source if isinstance(source, str) and weight is None and not kwargs else None
        readings = [scatter_reading(self.trace), gather_reading(self.trace.gather)]
        super().__init__({"kind": self.kind, "example": example, "readings": readings, "reading": "scatter"})

    @classmethod
    def from_example(cls, name: str) -> "TransposeView":
        return cls(name)
