"""The pooling stepper: one step per output element, drawn in the browser by ``static/pooling.js``.

Data (every text written here, from ``convcore.pooling``'s trace):

``static``: kind ("pool"), pool ("max" | "avg"), dims, n (steps), rows and cols (input
coordinates of the grid drawn: the input, its padding, ceil_mode's overhang and a dropped
window's reach), rowLabels and colLabels (per coordinate: "pad", "overhang", rows also "dropped", or ""),
colDropped (grid lines [from, to) of the columns a dropped window spans, or null), inKeys[r][c] ("i,j"; 1-D: "i"), inState[r][c] ("plain" | "pad" | "over"),
inText[s][ch][r][c] (values; padding shows what it reads, "−∞" or "0"), outKeys[i][j],
outText[s][ch][i][j], stepOf[s][ch][i][j] (the step computing each output cell), dropped (one
per axis where ceil_mode dropped a window: cells (keys) and label), formula (the output size,
numbers filled in), ceil (what ceil_mode changed, or ""), title.

A step record: h (header), plane ([sample, channel]), out (output key), taps ([key, state] with
state "patch" | "pad-patch" | "over-patch"), win (max: the winner's key or null), counted (avg:
keys the divisor counts), eq (the computation written out), v (value), extra ("" or the label
of ceil_mode's extra window), say (the sentence read aloud).
"""
from __future__ import annotations

import numpy as np
import traitlets as T

from .. import pooling as lib
from .numfmt import fmt
from .esm import esm_source
from .stepview import StepView

NEG_INF = "−∞"


def _key(coords) -> str:
    return ",".join(str(int(c)) for c in coords)


def _pair(coords) -> str:
    return str(int(coords[0])) if len(coords) == 1 else f"({', '.join(str(int(c)) for c in coords)})"


def _axis_coords(a, dropped_start) -> list[int]:
    """Input coordinates drawn along one axis: padding, input, overhang, a dropped window's reach."""
    hi = a.n + a.pad_after + a.overhang - 1
    if dropped_start is not None:
        hi = max(hi, dropped_start + a.dilation * (a.k - 1))
    return list(range(-a.pad_before, hi + 1))


def _dropped_columns(a, effect, coords) -> list[int] | None:
    """Grid columns (CSS grid lines, from 1) that a dropped window spans, for its label."""
    if effect.dropped_start is None:
        return None
    first, last = effect.dropped_start, effect.dropped_start + a.tap_offset(a.k - 1)
    return [coords.index(first) + 1, coords.index(last) + 2]


def _axis_labels(a, effect, coords, with_dropped=True) -> list[str]:
    """What each coordinate along one axis is, written under (or beside) the grid: "pad",
    "overhang", "dropped" (inside a window ceil_mode dropped) or ""."""
    dropped = set()
    if effect.dropped_start is not None and with_dropped:
        dropped = {effect.dropped_start + a.tap_offset(t) for t in range(a.k)}
    labels = []
    for i in coords:
        what = "overhang" if a.in_overhang(i) else "pad" if a.in_padding(i) else ""
        labels.append(" · ".join(w for w in (what, "dropped" if i in dropped else "") if w))
    return labels


def _state(p: lib.Pool, coords) -> str:
    if any(a.in_overhang(i) for a, i in zip(p.axes, coords)):
        return "over"
    if any(a.in_padding(i) for a, i in zip(p.axes, coords)):
        return "pad"
    return "plain"


def pool_data(trace: lib.PoolTrace) -> dict:
    """The view's data (see the module docstring)."""
    p: lib.Pool = trace.problem
    effects = p.ceil_effect()
    per_axis = [_axis_coords(a, e.dropped_start) for a, e in zip(p.axes, effects)]
    rows = per_axis[0] if p.dims == 2 else [0]
    cols = per_axis[-1]
    at = (lambda r, c: (r, c)) if p.dims == 2 else (lambda r, c: (c,))
    grid = [[at(r, c) for c in cols] for r in rows]
    fill = NEG_INF if p.kind == "max" else "0"

    def in_text(s, ch, coords):
        state = _state(p, coords)
        return fmt(p.input[s, ch][coords]) if state == "plain" else fill if state == "pad" else ""

    out = np.asarray(trace.output).reshape(p.batch, p.channels, *p.out_spatial)
    out_grid = [[(i, j) if p.dims == 2 else (j,) for j in range(p.out_spatial[-1])]
                for i in range(p.out_spatial[0] if p.dims == 2 else 1)]
    dropped = []
    for dim, (a, e) in enumerate(zip(p.axes, effects)):
        if e.dropped_start is None:
            continue
        other = [[a2.window_start(0) + a2.tap_offset(t) for t in range(a2.k)] for a2 in p.axes]
        other[dim] = [e.dropped_start + a.tap_offset(t) for t in range(a.k)]
        cells = [_key([other[d][i] for d, i in enumerate(idx)]) for idx in np.ndindex(*[len(o) for o in other])]
        name = f" along {'rows' if dim == 0 else 'columns'}" if p.dims == 2 else ""
        dropped.append({"cells": cells, "label": (
            f"dropped{name}: a window starting at {e.dropped_start} would start in the right padding "
            f"(past the input's last position {a.n - 1}), so ceil_mode leaves it out")})
    ceil = ""
    added = [e.added for e in effects]
    if any(added) or dropped:
        names = ["rows: ", "columns: "] if p.dims == 2 else [""]
        ceil = "ceil_mode rounds the output size up: " + "; ".join(
            name + ("one window added (it hangs past the padded input)" if e.added else "no window added")
            + (f", the window at {e.dropped_start} dropped" if e.dropped_start is not None else "")
            for name, e in zip(names, effects))
    static = {
        "kind": "pool", "pool": p.kind, "dims": p.dims, "n": len(trace),
        "title": p.fn.replace("trace_", ""),
        "rows": rows, "cols": cols,
        "rowLabels": _axis_labels(p.axes[0], effects[0], rows) if p.dims == 2 else [""],
        "colLabels": _axis_labels(p.axes[-1], effects[-1], cols, with_dropped=False),
        "colDropped": _dropped_columns(p.axes[-1], effects[-1], cols),
        "inKeys": [[_key(c) for c in row] for row in grid],
        "inState": [[_state(p, c) for c in row] for row in grid],
        "inText": [[[[in_text(s, ch, c) for c in row] for row in grid] for ch in range(p.channels)]
                   for s in range(p.batch)],
        "outKeys": [[_key(c) for c in row] for row in out_grid],
        "outText": [[[[fmt(out[s, ch][c]) for c in row] for row in out_grid] for ch in range(p.channels)]
                    for s in range(p.batch)],
        "stepOf": [[[[trace.index(ch, c, s) for c in row] for row in out_grid] for ch in range(p.channels)]
                   for s in range(p.batch)],
        "dropped": dropped, "formula": p.explain(), "ceil": ceil,
        "multi": p.batch * p.channels > 1,
    }
    return {"static": static, "steps": [pool_record(trace, k) for k in range(len(trace))]}


def pool_record(trace: lib.PoolTrace, k: int) -> dict:
    """What step ``k`` shows (see the module docstring)."""
    p: lib.Pool = trace.problem
    st: lib.PoolStep = trace[k]
    n = len(trace)
    where = f"sample {st.sample}, channel {st.channel}, " if p.batch * p.channels > 1 else ""
    label = f"out[{', '.join(map(str, st.out_index))}]"
    taps = [[_key(t.coords), "over-patch" if t.in_overhang else "pad-patch" if t.in_padding else "patch"]
            for t in st.window]
    flat = st.patch.reshape(-1)
    extra = ""
    for dim, (a, e) in enumerate(zip(p.axes, p.ceil_effect())):
        if e.added and st.out_pos[dim] == a.out - 1:
            extra = (f"ceil_mode's extra window: it hangs {a.overhang} past the padded input; "
                     f"its overhang reads nothing")
    rec = {"h": f"step {k} of steps 0–{n - 1}: {where}{label}", "plane": [st.sample, st.channel],
           "out": _key(st.out_pos), "taps": taps, "v": fmt(st.value), "extra": extra,
           "win": None, "counted": []}
    read = [NEG_INF if (t.in_padding and p.kind == "max") else fmt(v)
            for t, v in zip(st.window, flat) if not t.in_overhang]
    skipped = sum(t.in_overhang for t in st.window)
    skip = ("" if not skipped else " (the overhang tap reads nothing)" if skipped == 1
            else f" (the {skipped} overhang taps read nothing)")
    if p.kind == "max":
        if st.winner is None:
            rec["eq"] = f"{label} = max({', '.join(read)}) = {NEG_INF}: no tap inside the input{skip}"
            rec["say"] = f"{label}: no tap of this window is inside the input, so the maximum is minus infinity"
        else:
            w = st.window[st.winner]
            rec["win"] = _key(w.coords)
            inside = [v for t, v in zip(st.window, flat) if t.source is not None]
            tie = ("; a tie: the first of the equal values (row-major order) wins, as in PyTorch"
                   if sum(v == st.value for v in inside) > 1 else "")
            rec["eq"] = (f"{label} = max({', '.join(read)}) = {fmt(st.value)}{skip}; the winner sits at input "
                         f"{_pair(w.coords)}, flat index {st.argmax} (what return_indices reports){tie}")
            rec["say"] = (f"{label} = {fmt(st.value)}, the largest of {', '.join(read)}; it sits at input "
                          f"{_pair(w.coords)}, flat index {st.argmax}")
    else:
        counted = st.counted.reshape(-1)
        rec["counted"] = [_key(t.coords) for t, c in zip(st.window, counted) if c]
        rule = ("the taps on the input or its padding, not the overhang" if p.count_include_pad
                else "only the taps inside the input (count_include_pad=False)")
        rec["eq"] = (f"{label} = ({' + '.join(read)}) / {st.divisor} = {fmt(st.total)} / {st.divisor} = "
                     f"{fmt(st.value)}{skip}; the divisor {st.divisor} counts {rule}")
        rec["say"] = (f"{label} = the sum {fmt(st.total)} divided by {st.divisor} = {fmt(st.value)}")
    if extra:
        rec["say"] += "; " + extra
    return rec


_TRACES = {("max", 1): lib.trace_max_pool1d, ("max", 2): lib.trace_max_pool2d,
           ("avg", 1): lib.trace_avg_pool1d, ("avg", 2): lib.trace_avg_pool2d}


class PoolView(StepView):
    """Max or average pooling, 1-D or 2-D, one output element per step.

    ``PoolView(input, "max", kernel_size=2)`` takes ``max_pool1d/2d``'s or
    ``avg_pool1d/2d``'s keyword arguments (the dimension is read from the
    input: a plain (W,) signal is 1-D, anything with more axes 2-D unless
    ``dims=1``: (H, W) is a plain image), or a ``PoolTrace``. The window is lit on the input with
    padding and ceil_mode's overhang labelled; max shows the winner with its
    value and flat index, avg the sum, the divisor and which taps it counts;
    ceil_mode's dropped window is drawn dashed and labelled "dropped".
    """

    _esm = esm_source("pooling")
    _css = T.Unicode("").tag(sync=True)
    kind, module = "pool", "convcore-pooling.js"
    CSS = "\n".join([
        ".convcore-view .cc-s-over-patch,.convcore-view .cc-s-over{border-style:dotted;"
        "background-color:var(--jp-layout-color0,#ffffff);color:var(--jp-content-font-color1,#1f1f1f);}",
        ".convcore-view .cc-s-over-patch{box-shadow:inset 0 0 0 3px #D55E00;}",
        ".convcore-view .cc-cell.cc-dropped,.convcore-view .cc-swatch.cc-dropped{border:2px dashed "
        "var(--jp-content-font-color1,#1f1f1f);}",
        ".convcore-view .cc-cell.cc-win,.convcore-view .cc-swatch.cc-win{box-shadow:inset 0 0 0 3px #D55E00;background-color:#F0E442;color:#111111;font-weight:700;}",
        ".convcore-view .cc-counted::after{content:'✓';font-size:11px;margin-left:2px;}",
        ".convcore-view .cc-axis{font-size:12px;color:var(--jp-content-font-color1,#1f1f1f);text-align:center;}",
        ".convcore-view .cc-axis-row{text-align:right;line-height:34px;white-space:nowrap;}",
        ".convcore-view .cc-axis-label{white-space:nowrap;overflow:visible;font-size:11px;}",
        ".convcore-view .cc-dropped-label{border-top:2px dashed var(--jp-content-font-color1,#1f1f1f);font-size:12px;}",
        ".convcore-view .cc-labels{display:flex;flex-direction:column;gap:4px;font-size:14px;}",
        ".convcore-view .cc-formula{white-space:pre-wrap;font-family:ui-monospace,monospace;font-size:13px;}",
    ])

    def __init__(self, input, kind: str = "max", *, dims: int | None = None, **kwargs):
        if isinstance(input, lib.PoolTrace):
            trace = input
        else:
            if kind not in ("max", "avg"):
                raise ValueError(f"PoolView: kind must be 'max' or 'avg'; got {kind!r}")
            if dims is None:     # (W,) and (C, W) are 1-D only when asked: a plain (H, W) image is 2-D
                dims = 1 if np.ndim(input) == 1 else 2
            trace = _TRACES[kind, dims](input, **kwargs)
        self.trace = trace
        super().__init__(data=pool_data(trace), step=0, _css=self.stylesheet())
