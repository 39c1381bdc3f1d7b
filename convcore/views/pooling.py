"""The pooling stepper, ``PoolView``: one output element per step, as the one step record (``schema``).

Every text is written here from ``convcore.pooling``'s trace; ``static/view.js`` places it.
One reading (key "pool"). Per (sample, channel) plane two panels, side by side:

* ``in`` (``in-s-c`` when there are several planes): the input plane with its padding, ceil_mode's
  overhang and a dropped window's reach; role "in-cell", keys "i,j" (1-D "i", input coordinates,
  negative in the padding), states plain / pad (reads −∞ for max, 0 for avg) / over (past the
  padded input: reads nothing); ``rl`` / ``cl`` the coordinates with "pad", "overhang" and
  "dropped" (inside a window ceil_mode dropped); ``reads``: the outputs whose window covers each
  cell, from ``geometry.Axis`` (the windows are per-axis products).
* ``out`` (``out-s-c``): the output plane, role "out-cell", keys = the output array's index
  (as ``PoolStep.out_index``), ``order`` the step computing each cell.

A step's ``set`` lights its window on the input: patch / pad-patch / over-patch, max's winner
"win", avg's counted taps marked "✓" after their value. Its lines: "eq" (the computation written
out), "value", "extra" (ceil_mode's extra window). With several planes the others are ``small``.
Positions: sample and channel (when more than one), output row (2-D) and column; ``table`` maps
them to the step.
"""
from __future__ import annotations

from itertools import product

import numpy as np

from .. import pooling as lib
from . import schema
from .numfmt import fmt
from .view import View

NEG_INF = "−∞"
COUNTED = " ✓"          # after the value of a tap avg's divisor counts


def _pair(coords) -> str:
    return str(int(coords[0])) if len(coords) == 1 else f"({', '.join(str(int(c)) for c in coords)})"


def _axis_coords(a, dropped_start) -> list[int]:
    """Input coordinates drawn along one axis: padding, input, overhang, a dropped window's reach."""
    hi = a.n + a.pad_after + a.overhang - 1
    if dropped_start is not None:
        hi = max(hi, dropped_start + a.tap_offset(a.k - 1))
    return list(range(-a.pad_before, hi + 1))


def _axis_labels(a, effect, coords) -> list[str]:
    """Each coordinate along one axis with what it is: "pad", "overhang", "dropped" (inside a window
    ceil_mode dropped), e.g. "5 pad · dropped"."""
    dropped = set()
    if effect.dropped_start is not None:
        dropped = {effect.dropped_start + a.tap_offset(t) for t in range(a.k)}
    labels = []
    for i in coords:
        what = "overhang" if a.in_overhang(i) else "pad" if a.in_padding(i) else ""
        words = [w for w in (what, "dropped" if i in dropped else "") if w]
        labels.append(" ".join([str(i), " · ".join(words)]) if words else str(i))
    return labels


def _state(p: lib.Pool, coords) -> str:
    if any(a.in_overhang(i) for a, i in zip(p.axes, coords)):
        return "over"
    if any(a.in_padding(i) for a, i in zip(p.axes, coords)):
        return "pad"
    return "plain"


def _readers(a, coords) -> dict[int, list[int]]:
    """Along one axis: the output positions whose window has a tap on each coordinate."""
    got = {i: [] for i in coords}
    for o in range(a.out):
        for t in range(a.k):
            got.setdefault(a.coordinate(o, t), []).append(o)
    return {i: sorted(set(os)) for i, os in got.items()}


def _listing(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def num(x) -> str:
    """A number as a cell shows it (−∞ written as such)."""
    return NEG_INF if np.isneginf(x) else fmt(x)


def value_text(p: lib.Pool, st: lib.PoolStep) -> str:
    """A step's value as shown: max of a window with no tap inside the input is −∞."""
    return NEG_INF if p.kind == "max" and st.winner is None else num(st.value)


class _Planes:
    """Names and labels of the (sample, channel) planes and the output cells."""

    def __init__(self, p: lib.Pool):
        self.p = p
        self.multi = p.batch * p.channels > 1

    def suffix(self, s, c) -> str:
        return f"-{s}-{c}" if self.multi else ""

    def where(self, s, c) -> str:
        """The plane as the learner names it ("" when there is one): "sample 1, channel 0"."""
        parts = ([f"sample {s}"] if self.p.batch > 1 else []) + ([f"channel {c}"] if self.p.channels > 1 else [])
        return ", ".join(parts)

    def out_index(self, s, c, pos) -> tuple[int, ...]:
        prefix = {"plain": (), "unbatched": (c,), "batched": (s, c)}[self.p.layout]
        return (*prefix, *(int(i) for i in pos))

    def out_label(self, s, c, pos) -> str:
        return f"out[{', '.join(map(str, self.out_index(s, c, pos)))}]"


def _reads(p: lib.Pool, planes: _Planes, s, c, grid, out_pid) -> list[list]:
    """Per input cell, [sentence, [[out panel, row, col], …]]: the outputs whose window covers it."""
    per_axis = [_readers(a, sorted({g[d] for row in grid for g in row})) for d, a in enumerate(p.axes)]
    fill = NEG_INF if p.kind == "max" else "0"
    rows = []
    for row in grid:
        out_row = []
        for coords in row:
            outs = list(product(*(per_axis[d][i] for d, i in enumerate(coords))))
            cells = [[out_pid, *schema.rc(o)] for o in outs]
            state = _state(p, coords)
            if state == "plain":
                what = f"input {_pair(coords)} = {num(p.input[(s, c, *coords)])}"
            elif state == "pad":
                what = f"the padding at {_pair(coords)} (it reads {fill})"
            else:
                what = f"position {_pair(coords)}, past the padded input (it reads nothing)"
            if not outs:
                sentence = f"no window covers {what}"
            else:
                labels = [planes.out_label(s, c, o) for o in outs]
                sentence = f"{what} is under the window{'s' if len(labels) > 1 else ''} of {_listing(labels)}"
            out_row.append([sentence[0].upper() + sentence[1:], cells])
        rows.append(out_row)
    return rows


def pool_data(trace: lib.PoolTrace) -> dict:
    """The view's data (``schema``): one reading, every step shipped."""
    p: lib.Pool = trace.problem
    n = len(trace)
    effects = p.ceil_effect()
    planes = _Planes(p)
    per_axis = [_axis_coords(a, e.dropped_start) for a, e in zip(p.axes, effects)]
    rows_c = per_axis[0] if p.dims == 2 else [0]
    cols_c = per_axis[-1]
    where = (lambda r, c: (r, c)) if p.dims == 2 else (lambda r, c: (c,))
    grid = [[where(r, c) for c in cols_c] for r in rows_c]
    place = {coords: (r, c) for r, row in enumerate(grid) for c, coords in enumerate(row)}
    out_shape = schema.grid2(p.out_spatial)
    out_grid = [[(i, j) if p.dims == 2 else (j,) for j in range(out_shape[1])] for i in range(out_shape[0])]
    taps = int(np.prod(p.kernel_shape))
    schema.check_size("PoolView", "pooling", n, taps + 2 * planes.multi)
    fill = NEG_INF if p.kind == "max" else "0"
    steps_of = trace.step_numbers
    name = p.fn.replace("trace_", "")

    # -- the panels: one input and one output per plane -------------------------------------
    panels, rows = {}, []
    records = [trace[k] for k in range(n)]
    for s in range(p.batch):
        for c in range(p.channels):
            suf, at = planes.suffix(s, c), planes.where(s, c)
            in_pid, out_pid = "in" + suf, "out" + suf

            def in_text(coords):
                state = _state(p, coords)
                return num(p.input[(s, c, *coords)]) if state == "plain" else fill if state == "pad" else ""

            panels[in_pid] = {
                "title": "input" + (f", {at}" if at else ""), "role": "in-cell", "channel": c,
                "t": [[in_text(g) for g in row] for row in grid],
                "s": [[_state(p, g) for g in row] for row in grid],
                "keys": [[schema.key(g) for g in row] for row in grid],
                "cl": _axis_labels(p.axes[-1], effects[-1], cols_c),
                "reads": _reads(p, planes, s, c, grid, out_pid), "small": planes.multi}
            if p.dims == 2:
                panels[in_pid]["rl"] = _axis_labels(p.axes[0], effects[0], rows_c)
            order = [[int(steps_of[(s, c, *pos)]) for pos in row] for row in out_grid]
            panels[out_pid] = {
                "title": f"output of {name}" + (f", {at}" if at else ""), "role": "out-cell", "channel": c,
                "t": [[value_text(p, records[o]) for o in row] for row in order],
                "s": schema.states(out_shape, "todo"),
                "keys": [[schema.key(planes.out_index(s, c, pos)) for pos in row] for row in out_grid],
                "order": order, "small": planes.multi}
            rows.append([in_pid, out_pid])

    # -- positions: sample, channel (when several), output row (2-D), column ----------------
    axes_kept = [d for d, m in enumerate((p.batch, p.channels)) if m > 1] + [2 + d for d in range(p.dims)]
    names = {0: ("sample", "sample"), 1: ("channel", "channel")}
    if p.dims == 2:
        names.update({2: ("row", "output row"), 3: ("column", "output column")})
    else:
        names[2] = ("column", "output position")
    loop = steps_of.shape
    positions = [[*names[d], int(loop[d]) - 1] for d in axes_kept]
    table = steps_of[tuple(slice(None) if d in axes_kept else 0 for d in range(len(loop)))].tolist()

    steps = [pool_record(trace, k, records[k], place, planes, [([st.sample, st.channel, *st.out_pos])[d]
                                                                 for d in axes_kept])
             for k, st in enumerate(records)]

    # -- legend and notes: every state used, what each means -------------------------------
    lit = {}                  # (panel, cell) -> the steps that light it
    used = set()
    for rec in steps:
        for pid, layer in rec["set"].items():
            for where_, st in layer.get("s", {}).items():
                lit[pid, where_] = lit.get((pid, where_), 0) + 1
                used.add(st)
    used |= {st for pid, P in panels.items() if "order" not in P for r, row in enumerate(P["s"])
             for c, st in enumerate(row) if lit.get((pid, schema.at(r, c)), 0) < n}
    legend = [[st, text] for st, text in [
        ("plain", "input"),
        ("pad", f"padding (reads {fill})"),
        ("over", "past the padded input (ceil_mode's overhang: reads nothing)"),
        ("patch", "window" + (" (✓: the divisor counts the tap)" if p.kind == "avg" else "")),
        ("pad-patch", f"window on the padding (reads {fill})"),
        ("over-patch", "window past the padded input (reads nothing"
                       + (", never counted)" if p.kind == "avg" else ")")),
        ("win", "the winner: the largest value (the first of equal ones)"),
    ] if st in used] + [[st, text] for st, text in [("done", "output done"), ("current", "being computed"),
                                                    ("todo", "not yet")] if n > 1 or st == "current"]
    notes = [["formula", p.explain()]]
    added = [e.added for e in effects]
    dropped = []
    for dim, (a, e) in enumerate(zip(p.axes, effects)):
        if e.dropped_start is None:
            continue
        along = f" along {'rows' if dim == 0 else 'columns'}" if p.dims == 2 else ""
        dropped.append(["dropped", f"dropped{along}: a window starting at {e.dropped_start} would start in the "
                                   f"right padding (past the input's last position {a.n - 1}), so ceil_mode "
                                   f"leaves it out (its positions are labelled \"dropped\")"])
    if any(added) or dropped:
        axis_names = ["rows: ", "columns: "] if p.dims == 2 else [""]
        notes.append(["ceil", "ceil_mode rounds the output size up: " + "; ".join(
            nm + ("one window added (it hangs past the padded input)" if e.added else "no window added")
            + (f", the window at {e.dropped_start} dropped" if e.dropped_start is not None else "")
            for nm, e in zip(axis_names, effects))])
    notes += dropped
    if p.kind == "avg":
        rule = ("taps on the input or its padding, not past it" if p.count_include_pad
                else "only the taps inside the input (count_include_pad=False)")
        notes.append(["counted", f"✓ marks a tap the divisor counts: {rule}."])
    rd = schema.reading("pool", name, rows, panels, steps, legend, notes=notes, positions=positions,
                        table=table)
    return {"kind": "pool", "example": None, "readings": [rd], "reading": "pool"}


def pool_record(trace: lib.PoolTrace, k: int, st: lib.PoolStep, place: dict, planes: _Planes, pos) -> dict:
    """Step ``k``'s record (``schema``'s Step)."""
    p: lib.Pool = trace.problem
    n = len(trace)
    s, c = st.sample, st.channel
    at = planes.where(s, c)
    label = planes.out_label(s, c, st.out_pos)
    v = value_text(p, st)
    flat = st.patch.reshape(-1)
    states, marks = {}, {}
    for t in st.window:
        states[schema.at(*place[tuple(t.coords)])] = ("over-patch" if t.in_overhang else "pad-patch"
                                                      if t.in_padding else "patch")
    fill = NEG_INF if p.kind == "max" else "0"
    read = [fill if t.in_padding else num(x) for t, x in zip(st.window, flat) if not t.in_overhang]
    skipped = sum(t.in_overhang for t in st.window)
    skip = ("" if not skipped else " (the tap past the padded input reads nothing)" if skipped == 1
            else f" (the {skipped} taps past the padded input read nothing)")
    hangs = [(dim, a) for dim, (a, e) in enumerate(zip(p.axes, p.ceil_effect()))
             if e.added and st.out_pos[dim] == a.out - 1]
    extra = "" if not hangs else "ceil_mode's extra window: it hangs " + " and ".join(
        f"{a.overhang} past the padded input" + (f" along {'rows' if dim == 0 else 'columns'}" if p.dims == 2 else "")
        for dim, a in hangs) + "; there it reads nothing"
    if p.kind == "max":
        if st.winner is None:
            eq = f"{label} = max({', '.join(read)}) = {NEG_INF}: no tap inside the input{skip}"
            say = f"{label}: no tap of this window is inside the input, so the maximum is minus infinity"
        else:
            w = st.window[st.winner]
            states[schema.at(*place[tuple(w.coords)])] = "win"
            inside = [x for t, x in zip(st.window, flat) if t.source is not None]
            tie = ("; a tie: the first of the equal values (row-major order) wins, as in PyTorch"
                   if sum(x == st.value for x in inside) > 1 else "")
            eq = (f"{label} = max({', '.join(read)}) = {v}{skip}; the winner sits at input "
                  f"{_pair(w.coords)}, flat index {st.argmax} (what return_indices reports){tie}")
            say = (f"{label} = {v}, the largest of {', '.join(read)}; it sits at input "
                   f"{_pair(w.coords)}, flat index {st.argmax}")
    else:
        for t, counted, x in zip(st.window, st.counted.reshape(-1), flat):
            if counted:
                marks[schema.at(*place[tuple(t.coords)])] = (fill if t.in_padding else num(x)) + COUNTED
        rule = ("the taps on the input or its padding, not past it" if p.count_include_pad
                else "only the taps inside the input (count_include_pad=False)")
        eq = (f"{label} = ({' + '.join(read)}) / {st.divisor} = {fmt(st.total)} / {st.divisor} = "
              f"{v}{skip}; the divisor {st.divisor} counts {rule}")
        say = f"{label} = the sum {fmt(st.total)} divided by {st.divisor} = {v}"
    if extra:
        say += "; " + extra
    suf = planes.suffix(s, c)
    layer = {"s": states}
    if marks:
        layer["t"] = marks
    changed = {"in" + suf: layer}
    if planes.multi:
        layer["small"] = False
        changed["out" + suf] = {"small": False}
    lines = [["eq", eq], ["value", f"value: {v}"]] + ([["extra", extra]] if extra else [])
    return {"h": f"step {k} of steps 0–{n - 1}: {at + ', ' if at else ''}{label}", "say": say,
            "set": changed, "lines": lines, "value": v, "pos": [int(i) for i in pos]}


_TRACES = {("max", 1): lib.trace_max_pool1d, ("max", 2): lib.trace_max_pool2d,
           ("avg", 1): lib.trace_avg_pool1d, ("avg", 2): lib.trace_avg_pool2d}


class PoolView(View):
    """Max or average pooling, 1-D or 2-D, one output element per step.

    ``PoolView(input, "max", kernel_size=2)`` takes ``max_pool1d/2d``'s or ``avg_pool1d/2d``'s
    keyword arguments (the dimension is read from the input: a plain (W,) signal is 1-D,
    anything with more axes 2-D unless ``dims=1``: (H, W) is a plain image), or a ``PoolTrace``.
    The window is lit on the input with padding and ceil_mode's overhang labelled; max shows the
    winner with its value and flat index, avg the sum, the divisor and the taps it counts (✓);
    ceil_mode's dropped window is labelled "dropped" along its axis.

    >>> v = PoolView([[1, 2, 0, 1], [3, 4, 1, 0], [0, 0, 5, 6], [1, 2, 7, 8]], "max", kernel_size=2)
    >>> v.n, v.screen(1)["lines"][1]
    (4, ['value', 'value: 1'])
    """

    kind = "pool"

    def __init__(self, input, kind: str = "max", *, dims: int | None = None, **kwargs):
        if isinstance(input, lib.PoolTrace):
            trace = input
        else:
            if kind not in ("max", "avg"):
                raise ValueError(f"PoolView: kind must be 'max' or 'avg'; got {kind!r}")
            if dims is None:     # (W,) and (C, W) are 1-D only when asked: a plain (H, W) image is 2-D
                dims = 1 if np.ndim(input) == 1 else 2
            if dims not in (1, 2):
                raise ValueError(f"PoolView: dims must be 1 or 2; got {dims!r}")
            trace = _TRACES[kind, dims](input, **kwargs)
        self.trace = trace
        super().__init__(pool_data(trace))
