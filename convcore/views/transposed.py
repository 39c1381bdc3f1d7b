"""TransposeView: a transposed convolution step by step, from ``convcore.trace_transpose``, in two readings.

Scatter (the default): one step per input element, whose stamp (its value times the kernel) lands on the
uncropped output (the canvas); overlapping cells show "before → after", a panel counts the stamps each cell
has received (the checkerboard when k is not divisible by s), the border padding crops is labelled "crop",
output_padding's "+op". Gather: one step per output element, the plain convolution of the zero-inserted,
padded input (taps on an input, an inserted zero, padding) with the flipped kernel.
"""
from __future__ import annotations

from itertools import product

import numpy as np

from .. import examples as catalogue
from ..layout import spatial_dims
from ..trace_transpose import GatherTrace, ScatterTrace, trace_transpose1d, trace_transpose2d
from .numfmt import factor, fmt, label, product_line
from .schema import at, changes, check_size, coords, grid2, key, keys, rc, reading, states, texts
from .view import View

MAX_LISTED = 6     # overlapping cells written out per step
KIND_STATE = {"input": "plain", "inserted": "ins", "padding": "pad"}
KIND_LIT = {"input": "patch", "inserted": "ins-patch", "padding": "pad-patch"}
KIND_NAME = {"inserted": "an inserted zero", "padding": "padding (0)"}
TAP_NAME = {"input": "input element", "inserted": "inserted zero", "padding": "padding zero"}


def _trace(source, weight=None, dims=None, **kwargs) -> ScatterTrace:
    """The scatter trace of a trace (either reading), an example (or its name), or input and weight arrays."""
    if isinstance(source, (ScatterTrace, GatherTrace)):
        return source if isinstance(source, ScatterTrace) else source.scatter
    if isinstance(source, str):
        source = catalogue.get_transposed(source)
    if isinstance(source, catalogue.Example):
        return source.replace(**kwargs).trace("scatter")
    if weight is None:
        raise TypeError("give a transposed-convolution example (or its name), a ScatterTrace, or "
                        f"input and weight arrays; got {type(source).__name__} without a weight")
    build = trace_transpose1d if (dims or spatial_dims(weight)) == 1 else trace_transpose2d
    return build(source, weight, **kwargs)


def _where(pos) -> str:
    return ", ".join(str(int(i)) for i in pos)


def scatter_reading(trace: ScatterTrace) -> dict:
    p = trace.problem
    if p.batch != 1:
        raise ValueError(f"TransposeView shows one sample; this input has a batch of {p.batch} (give input[0])")
    stamps, n, o_group, kshape = list(trace), len(trace), p.weight.shape[1], grid2(p.kernel_shape)
    # The canvas: the output before the crop. Per axis, each position's output coordinate, "crop" where the
    # padding crops it, "+op c" where output_padding keeps it; per cell, the region those make.
    labels = [["crop" if a.in_padding(c) else f"+op {c}" if c >= a.n - op else str(c)
               for c in range(-a.pad_before, size - a.pad_before)]
              for a, size, op in zip(p.axes, p.canvas_spatial, p.output_padding)]
    out_coords = coords(p.canvas_spatial, [-a.pad_before for a in p.axes])
    region = np.array([["pad" if any(a.in_padding(c) for a, c in zip(p.axes, xy)) else
                        "opad" if any(c >= a.n - op for a, c, op in zip(p.axes, xy, p.output_padding)) else "todo"
                        for xy in row] for row in out_coords])
    edges = {"rl": labels[0] if p.dims == 2 else None, "cl": labels[-1]}
    counts = np.zeros((p.groups, *grid2(p.canvas_spatial)), dtype=int)     # the stamps landed on each cell so far
    panels = {}
    in_pos = coords(p.in_spatial)
    for c in range(p.in_channels):
        # Pointing at an input element lights the canvas cells its stamp lands on.
        reads = [[[f"{label('x', (c, *st.in_pos))} = {fmt(st.value)} stamps {fmt(st.value)} × the kernel onto "
                   f"{len(st.landings)} canvas cells (step {st.index})",
                   [[f"canvas{o}", *rc(t.canvas)] for o in st.out_channels for t in st.landings]]
                  for st in (stamps[trace.index(c, pos)] for pos in row)] for row in in_pos]
        panels[f"in{c}"] = {"title": f"input channel {c}", "role": "in-cell", "channel": c,
                            "t": texts(p.input[0, c]), "s": states(grid2(p.in_spatial)),
                            "keys": keys(in_pos, c), "reads": reads}
    taps = keys(coords(p.kernel_shape))
    panels.update({f"kern{j}": {"title": "kernel", "role": "kernel-cell", "t": texts(p.weight[0, j]),
                                "s": states(kshape, "kernel"), "keys": taps} for j in range(o_group)})
    panels.update({f"stamp{j}": {"title": "stamp", "role": "cell", "t": texts(p.weight[0, j] * 0),
                                 "s": states(kshape, "patch")} for j in range(o_group)})
    for o in range(p.out_channels):
        # A cell no stamp ever reaches (the library's inverse rule finds none) holds the bias only.
        bias = fmt(0 if p.bias is None else p.bias[o])
        panels[f"canvas{o}"] = {"title": f"output channel {o} (uncropped canvas)", "role": "out-cell", "channel": o,
                                "t": [["" if trace.contributors(o, xy) else bias for xy in row] for row in out_coords],
                                "s": region.tolist(), **edges,
                                "keys": keys(out_coords, o)}
    for g in range(p.groups):
        panels[f"count{g}"] = {"title": "stamps landed on each cell" + (f" (group {g})" if p.groups > 1 else ""),
                               "role": "cell", "t": counts[g].astype(str).tolist(), "s": region.tolist(), **edges}
    crop_note = (f"padding {_where(p.padding)} crops the border marked “crop” (off the end, padding − "
                 f"output_padding); output_padding {_where(p.output_padding)} keeps the “+op” positions"
                 if any(p.padding + p.output_padding) else "no padding and no output_padding: the canvas is the output")
    steps = []
    for k, st in enumerate(stamps):
        before = counts[st.group].copy()
        for t in st.landings:
            counts[(st.group, *rc(t.canvas))] += 1
        canvas = trace.state_after(k, uncropped=True)
        v, where = fmt(st.value), f"input element ({st.in_channel}, {_where(st.in_pos)}) = {fmt(st.value)}"
        set_ = {f"in{st.in_channel}": {"s": {at(*rc(st.in_pos)): "patch"}}}
        # The kernel slice of each output channel of the group, and its stamp (a tap the crop removes marked).
        stamp_s = np.reshape(["pad-patch" if t.cropped else "patch" for t in st.landings], kshape).tolist()
        for j in range(len(st.out_channels)):
            set_[f"kern{j}"] = {"t": changes(panels[f"kern{j}"]["t"], texts(st.kernel[j])),
                                "title": f"kernel w[{st.in_channel}, {j}]"}
            set_[f"stamp{j}"] = {"t": changes(panels[f"stamp{j}"]["t"], texts(st.stamp[j])),
                                 "s": changes(panels[f"stamp{j}"]["s"], stamp_s),
                                 "title": f"stamp = {v} × w[{st.in_channel}, {j}]"}
        # The canvas holds the running sums; the cells under this stamp show before → after where they overlap.
        overlaps = []
        for o in range(p.out_channels):
            P, touched = panels[f"canvas{o}"], counts[o // o_group] > 0
            t = np.where(touched, texts(canvas[o]), P["t"]).tolist()
            s = np.where(touched & (region != "pad"), "done", region).tolist()
            if o in st.out_channels:
                j = st.out_channels.index(o)
                for land, was, now, add in zip(st.landings, st.before[j].flat, st.after[j].flat, st.stamp[j].flat):
                    r, c = rc(land.canvas)
                    s[r][c] = "pad-patch" if land.cropped else "current"
                    if before[r, c]:
                        t[r][c] = f"{fmt(was)}→{fmt(now)}"
                        overlaps.append(f"out[{o}, {_where(land.coords)}]: {fmt(was)} + {factor(add)} = {fmt(now)} "
                                        f"({before[r, c] + 1} stamps)" + (" (cropped)" if land.cropped else ""))
            layer = {"t": changes(P["t"], t), "s": changes(P["s"], s)}
            if layer["t"] or layer["s"]:
                set_[f"canvas{o}"] = layer
        for g in range(p.groups):
            if cnt := changes(panels[f"count{g}"]["t"], counts[g].astype(str).tolist()):
                set_[f"count{g}"] = {"t": cnt}
        listed = "; ".join(overlaps[:MAX_LISTED]) + (f"; and {len(overlaps) - MAX_LISTED} more"
                                                     if len(overlaps) > MAX_LISTED else "")
        n_crop = sum(t.cropped for t in st.landings)
        lines = [["stamp", f"x[{st.in_channel}, {_where(st.in_pos)}] = {v}: its stamp, {v} × the kernel, "
                           f"lands with its first tap on output ({_where(st.landings[0].coords)})"],
                 ["overlap", f"overlaps add up: {listed}" if overlaps else "no cell under this stamp had a stamp yet"]]
        lines += [["crop", f"{n_crop} of its {len(st.landings)} taps land in the cropped border: the output never "
                           "shows them"]] if n_crop else []
        # the switch to gather goes to the first output element this stamp reaches
        kept = [t for t in st.landings if not t.cropped]
        jump = {"gather": trace.gather.index(st.out_channels[0], kept[0].coords)} if kept else {}
        steps.append({"h": f"scatter · step {k} of steps 0–{n - 1}: {where} stamps {v} × the kernel", "jump": jump,
                      "say": f"step {k}: {where} stamps; {len(overlaps)} of its cells overlap earlier stamps"
                             + (f", {n_crop} are cropped" if n_crop else ""),
                      "set": set_, "lines": lines})
    below = [pid for pid in panels if pid.startswith(("canvas", "count"))]       # the inputs and kernels above
    rows = [[pid for pid in panels if pid not in below], below]
    legend = [["plain", "input"], ["patch", "element stamping / its stamp"], ["kernel", "kernel"],
              ["current", "cells the stamp lands on"], ["done", "cells with stamps"], ["pad", "cropped by padding"],
              ["pad-patch", "a tap landing where the crop removes it"], ["opad", "output_padding"],
              ["todo", "no stamp yet (a number: no stamp ever lands there, only the bias)"]]
    return reading("scatter", "scatter: one input element per step", rows, panels, steps, legend,
                   notes=[["note", crop_note]])


def gather_reading(trace: GatherTrace) -> dict:
    p, conv, plan, n = trace.problem, trace.conv_trace.problem, trace.plan, len(trace)
    # The derived input, padding included: what sits at each of its coordinates.
    grid = coords([a.padded_length for a in conv.axes], [-a.pad_before for a in conv.axes])
    origin = [[plan.origin(xy) for xy in row] for row in grid]
    panels = {}
    for c in range(p.in_channels):
        # Pointing at a cell lights the outputs whose windows read it: the inverse window rule, per axis.
        reads = [[[[f"out{o}", *rc([r.out for r in combo])] for o in p.group_out_channels(p.group_of(c))
                   for combo in product(*(a.readers(x) for a, x in zip(conv.axes, xy)))] for xy in row]
                 for row in grid]
        panels[f"gin{c}"] = {
            "title": f"input channel {c}, zeros inserted, padded", "role": "in-cell", "channel": c,
            "t": [[fmt(p.input[(0, c, *src)]) if kind == "input" else "0" for kind, src in row] for row in origin],
            "s": [[KIND_STATE[kind] for kind, _ in row] for row in origin],
            "keys": [[key((c, *src)) if kind == "input" else None for kind, src in row] for row in origin],
            "reads": [[[f"{label('x', (c, *src)) if kind == 'input' else KIND_NAME[kind]} is read by {len(into)} "
                        f"output element{'s' if len(into) != 1 else ''}", into] for (kind, src), into in zip(*rows)]
                      for rows in zip(origin, reads)],
            "rl": [str(row[0][0]) for row in grid] if p.dims == 2 else None, "cl": [str(xy[-1]) for xy in grid[0]]}
    per_group, kshape = p.in_channels // p.groups, grid2(p.kernel_shape)
    for i in range(per_group):
        panels[f"fk{i}"] = {"title": "flipped kernel", "role": "kernel-cell", "t": texts(conv.weight[0, i]),
                            "s": states(kshape, "kernel"),
                            "keys": keys(coords(p.kernel_shape))}
    result = np.reshape(trace.output, (p.out_channels, *grid2(p.out_spatial)))        # one sample
    out_pos = coords(p.out_spatial)
    for o in range(p.out_channels):
        panels[f"out{o}"] = {"title": f"output channel {o}", "role": "out-cell", "channel": o,
                             "t": texts(result[o]), "s": states(grid2(p.out_spatial), "todo"),
                             "keys": keys(out_pos, o),
                             "order": np.reshape(trace.step_numbers[0, o], grid2(p.out_spatial)).tolist()}
    steps = []
    for k in range(n):
        gs = trace[k]
        st, place = gs.conv, _where(gs.out_pos)
        # The window's taps, lit by what they sit on: an input element, an inserted zero, padding.
        lit = {at(*rc([x + a.pad_before for x, a in zip(tap.coords, conv.axes)])): KIND_LIT[kind]
               for tap, kind in zip(st.window, gs.kinds)}
        set_ = {f"gin{c}": {"s": lit} for c in st.in_channels}
        set_.update({f"fk{i}": {"t": changes(panels[f"fk{i}"]["t"], texts(st.kernel[i])),
                                "title": f"w[{c}, {st.out_channel % p.weight.shape[1]}] flipped"}
                     for i, c in enumerate(st.in_channels)})
        lines = [["sum", product_line(zip(st.patch[i].ravel(), st.kernel[i].ravel()), st.partial_sums[i],
                                      f"input channel {c}:")] for i, c in enumerate(st.in_channels)]
        taps = [(gs.kinds.count(kind), name) for kind, name in TAP_NAME.items()]
        lines.append(["kinds", f"its {len(gs.kinds)} taps: " + ", ".join(f"{m} on {name}{'s' if m != 1 else ''}"
                                                                          for m, name in taps)])
        bias = f" + {factor(st.bias)} (bias)" if p.bias is not None else ""
        rhs = " + ".join(factor(v) for v in st.partial_sums) + bias
        sums = f"{rhs} = " if len(st.partial_sums) > 1 or bias else ""          # one channel, no bias: the value
        lines.append(["total", f"out[{st.out_channel}, {place}] = {sums}{fmt(st.value)}"])
        # the switch to scatter goes to the first stamp that lands on this element
        stamps = trace.scatter.contributors(st.out_channel, st.out_pos)
        steps.append({"h": f"gather · step {k} of steps 0–{n - 1}: output element ({st.out_channel}, {place})",
                      "jump": {"scatter": stamps[0][0]} if stamps else {}, "value": fmt(st.value),
                      "say": f"step {k}: output ({st.out_channel}, {place}) = {rhs} = {fmt(st.value)}",
                      "set": set_, "lines": lines})
    rows = [[f"gin{c}" for c in range(p.in_channels)] + [f"fk{i}" for i in range(per_group)],
            [f"out{o}" for o in range(p.out_channels)]]
    legend = [["plain", "input element"], ["ins", "inserted zero"], ["pad", "padding"],
              ["patch", "tap on an input element"], ["ins-patch", "tap on an inserted zero"],
              ["pad-patch", "tap on padding"], ["kernel", "flipped kernel"], ["done", "output done"],
              ["current", "being computed"], ["todo", "not yet"]]
    return reading("gather", "gather: one output element per step", rows, panels, steps, legend)


class TransposeView(View):
    """A transposed convolution step by step: scatter (stamps) and gather (a plain convolution).

    ``TransposeView.from_example("checkerboard")``, ``TransposeView(trace)`` or ``TransposeView(input, weight,
    stride=2, padding=1, output_padding=1)`` (``conv_transpose*d``'s arguments; ``dims`` when a plain weight is
    ambiguous). ``view.reading`` is "scatter" or "gather"; ``view.trace`` the ScatterTrace.
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
