"""The pooling stepper, ``PoolView``: one output element per step, from ``convcore.pooling``'s trace.
Per (sample, channel) plane an input panel ("in", or "in-s-c" with several planes: the padding, ceil_mode's
overhang and a dropped window's reach, each labelled on its axis; pointing at a cell lights the outputs whose
window covers it) beside its output ("out"). A step lights its window (max's winner "win", avg's counted
taps "✓") and writes the computation out; the positions are sample and channel (when several), output row
(2-D) and column.
"""
from __future__ import annotations

from collections import Counter
from itertools import product

import numpy as np

from .. import pooling as lib
from . import schema
from .numfmt import fmt
from .view import View

NEG_INF = "−∞"
COUNTED = " ✓"          # after the value of a tap avg's divisor counts
FILL = {"max": NEG_INF, "avg": "0"}     # what the padding reads, as shown
COUNTS = {True: "the taps on the input or its padding, not past it",        # avg's divisor, by count_include_pad
          False: "only the taps inside the input (count_include_pad=False)"}


def num(x) -> str:
    """A number as a cell shows it (−∞ written as such)."""
    return NEG_INF if np.isneginf(x) else fmt(x)


def _pair(coords) -> str:
    return str(int(coords[0])) if len(coords) == 1 else f"({', '.join(str(int(c)) for c in coords)})"


def _listing(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _label(index) -> str:
    """An output cell as the learner indexes the output array: "out[0, 1, 2]"."""
    return f"out[{', '.join(map(str, index))}]"


def _along(p: lib.Pool, d: int) -> str:
    return f" along {('rows', 'columns')[d]}" if p.dims == 2 else ""


def _plane(p: lib.Pool, s: int, c: int) -> tuple[str, str]:
    """A plane's panel-id suffix ("-s-c" when there are several) and its name ("sample 1, channel 0", or "")."""
    where = ", ".join(([f"sample {s}"] if p.batch > 1 else []) + ([f"channel {c}"] if p.channels > 1 else []))
    return (f"-{s}-{c}" if p.batch * p.channels > 1 else ""), where


def _axis(a) -> tuple[list[int], list[str]]:
    """The input coordinates drawn along one axis (padding, input, overhang, a dropped window's reach)
    and their labels: "pad", "overhang", "dropped" (inside a window ceil_mode dropped), e.g. "5 pad · dropped"."""
    dropped = set() if a.dropped_start is None else {a.dropped_start + a.tap_offset(t) for t in range(a.k)}
    coords = list(range(-a.pad_before, max([a.n + a.pad_after + a.overhang - 1, *dropped]) + 1))
    labels = []
    for i in coords:
        what = ("overhang" if a.in_overhang(i) else "pad" if a.in_padding(i) else "", "dropped" if i in dropped else "")
        labels.append(f"{i} {' · '.join(w for w in what if w)}".rstrip())
    return coords, labels


def _input_cell(p: lib.Pool, s: int, c: int, coords) -> tuple[str, str]:
    """An input cell's own text and state: nothing past the padded input ("over"), the fill in the
    padding ("pad"), else the input's value ("plain")."""
    if any(a.in_overhang(i) for a, i in zip(p.axes, coords)):
        return "", "over"
    if any(a.in_padding(i) for a, i in zip(p.axes, coords)):
        return FILL[p.kind], "pad"
    return num(p.input[(s, c, *coords)]), "plain"


def _read(p: lib.Pool, s: int, c: int, coords, out_pid: str) -> list:
    """One input cell's ``reads``: [sentence, [[out panel, row, col], …]], the outputs whose window covers
    it: per axis the library's inverse rule (``Axis.readers``), a window being the product of its axes'."""
    outs = list(product(*([r.out for r in a.readers(i)] for a, i in zip(p.axes, coords))))
    text, state = _input_cell(p, s, c, coords)
    what = {"plain": f"input {_pair(coords)} = {text}", "pad": f"the padding at {_pair(coords)} (it reads {text})",
            "over": f"position {_pair(coords)}, past the padded input (it reads nothing)"}[state]
    labels = [_label(p.layout.index(s, c, o)) for o in outs]
    sentence = (f"{what} is under the window{'s' if len(labels) > 1 else ''} of {_listing(labels)}" if labels
                else f"no window covers {what}")
    return [sentence[0].upper() + sentence[1:], [[out_pid, *schema.rc(o)] for o in outs]]


def pool_data(trace: lib.PoolTrace) -> dict:
    """The view's data (``schema``): one reading, every step shipped."""
    p: lib.Pool = trace.problem
    n, name, fill = len(trace), p.fn.replace("trace_", ""), FILL[p.kind]
    multi = p.batch * p.channels > 1
    schema.check_size("PoolView", "pooling", n, int(np.prod(p.kernel_shape)) + 2 * multi)
    effects, steps_of = p.ceil_effect(), trace.step_numbers
    drawn = [_axis(a) for a in p.axes]                 # per axis: the coordinates drawn, their labels
    grid = schema.coords([len(c) for c, _ in drawn], [c[0] for c, _ in drawn])   # the input cells' coordinates
    place = {coords: (r, c) for r, row in enumerate(grid) for c, coords in enumerate(row)}

    # -- the steps, and the positions that name them: sample, channel (when several), output row (2-D), column
    kept = [d for d, m in enumerate((p.batch, p.channels)) if m > 1] + [2 + d for d in range(p.dims)]
    names = [("sample", "sample"), ("channel", "channel")] + (
        [("row", "output row"), ("column", "output column")] if p.dims == 2 else [("column", "output position")])
    positions = [[*names[d], int(steps_of.shape[d]) - 1] for d in kept]
    table = steps_of[tuple(slice(None) if d in kept else 0 for d in range(steps_of.ndim))].tolist()
    steps = [pool_record(p, st, n, place, effects, [(st.sample, st.channel, *st.out_pos)[d] for d in kept])
             for st in trace]

    # -- the panels: one input and one output per plane -------------------------------------
    out_shape = schema.grid2(p.out_spatial)
    panels, rows = {}, []
    for s, c in product(range(p.batch), range(p.channels)):
        suffix, where = _plane(p, s, c)
        in_pid, out_pid, at = "in" + suffix, "out" + suffix, f", {where}" if where else ""
        cells = [[_input_cell(p, s, c, g) for g in row] for row in grid]
        panels[in_pid] = {
            "title": "input" + at, "role": "in-cell", "channel": c,
            "t": [[t for t, _ in row] for row in cells], "s": [[st for _, st in row] for row in cells],
            "keys": schema.keys(grid), "cl": drawn[-1][1],
            "reads": [[_read(p, s, c, g, out_pid) for g in row] for row in grid], "small": multi,
            **({"rl": drawn[0][1]} if p.dims == 2 else {})}
        order = steps_of[s, c].reshape(out_shape).tolist()
        panels[out_pid] = {
            "title": f"output of {name}" + at, "role": "out-cell", "channel": c,
            "t": [[steps[o]["value"] for o in row] for row in order], "s": schema.states(out_shape, "todo"),
            "keys": [[schema.key(p.layout.index(*trace.locate(o))) for o in row] for row in order],
            "order": order, "small": multi}
        rows.append([in_pid, out_pid])

    # -- legend: every state on screen, and only those (a cell lit at every step never shows its own)
    lit = Counter((pid, cell) for rec in steps for pid, layer in rec["set"].items() for cell in layer.get("s", {}))
    used = {st for rec in steps for layer in rec["set"].values() for st in layer.get("s", {}).values()}
    used |= {st for pid, P in panels.items() if "order" not in P for r, row in enumerate(P["s"])
             for c, st in enumerate(row) if lit[pid, schema.at(r, c)] < n}
    used |= {"done", "current", "todo"} if n > 1 else {"current"}      # the output cells: one step is current
    avg = p.kind == "avg"
    legend = [[st, text] for st, text in [
        ("plain", "input"), ("pad", f"padding (reads {fill})"),
        ("over", "past the padded input (ceil_mode's overhang: reads nothing)"),
        ("patch", "window" + (" (✓: the divisor counts the tap)" if avg else "")),
        ("pad-patch", f"window on the padding (reads {fill})"),
        ("over-patch", "window past the padded input (reads nothing" + (", never counted)" if avg else ")")),
        ("win", "the winner: the largest value (the first of equal ones)"),
        ("done", "output done"), ("current", "being computed"), ("todo", "not yet")] if st in used]

    # -- notes: the formula, what ceil_mode added and dropped, what avg's divisor counts ---------
    notes = [["formula", p.explain()]]
    if any(e.added or e.dropped_start is not None for e in effects):
        notes.append(["ceil", "ceil_mode rounds the output size up: " + "; ".join(
            nm + ("one window added (it hangs past the padded input)" if e.added else "no window added")
            + (f", the window at {e.dropped_start} dropped" if e.dropped_start is not None else "")
            for nm, e in zip(["rows: ", "columns: "] if p.dims == 2 else [""], effects))])
    notes += [["dropped", f"dropped{_along(p, d)}: a window starting at {e.dropped_start} would start in the right "
                          f"padding (past the input's last position {a.n - 1}), so ceil_mode leaves it out (its "
                          f"positions are labelled \"dropped\")"]
              for d, (a, e) in enumerate(zip(p.axes, effects)) if e.dropped_start is not None]
    if avg:
        notes.append(["counted", "✓ marks a tap the divisor counts: "
                                 + COUNTS[p.count_include_pad].removeprefix("the ") + "."])
    rd = schema.reading("pool", name, rows, panels, steps, legend, notes=notes, positions=positions, table=table)
    return {"kind": "pool", "example": None, "readings": [rd], "reading": "pool"}


def pool_record(p: lib.Pool, st: lib.PoolStep, n: int, place: dict, effects, pos) -> dict:
    """Step ``st.index``'s record (``schema``'s Step): its window lit on the input, the arithmetic
    written out. ``place`` maps input coordinates to their cell, ``pos`` are the positions' values."""
    fill, label = FILL[p.kind], _label(st.out_index)
    v = NEG_INF if p.kind == "max" and st.winner is None else num(st.value)     # no tap inside the input: −∞
    values = st.patch.reshape(-1)
    cells = [schema.at(*place[tuple(t.coords)]) for t in st.window]     # each tap's cell on the input
    states = {cell: "over-patch" if t.in_overhang else "pad-patch" if t.in_padding else "patch"
              for t, cell in zip(st.window, cells)}
    marks = {}
    read = [fill if t.in_padding else num(x) for t, x in zip(st.window, values) if not t.in_overhang]
    skipped = sum(t.in_overhang for t in st.window)
    skip = ("" if not skipped else " (the tap past the padded input reads nothing)" if skipped == 1
            else f" (the {skipped} taps past the padded input read nothing)")
    hangs = [(d, a) for d, (a, e) in enumerate(zip(p.axes, effects)) if e.added and st.out_pos[d] == a.out - 1]
    extra = "" if not hangs else "ceil_mode's extra window: it hangs " + " and ".join(
        f"{a.overhang} past the padded input{_along(p, d)}" for d, a in hangs) + "; there it reads nothing"
    if p.kind == "max" and st.winner is None:
        eq = f"{label} = max({', '.join(read)}) = {NEG_INF}: no tap inside the input{skip}"
        say = f"{label}: no tap of this window is inside the input, so the maximum is minus infinity"
    elif p.kind == "max":
        states[cells[st.winner]] = "win"
        w = _pair(st.window[st.winner].coords)
        inside = [x for t, x in zip(st.window, values) if t.source is not None]
        tie = ("; a tie: the first of the equal values (row-major order) wins, as in PyTorch"
               if sum(x == st.value for x in inside) > 1 else "")
        eq = (f"{label} = max({', '.join(read)}) = {v}{skip}; the winner sits at input {w}, flat index "
              f"{st.argmax} (what return_indices reports){tie}")
        say = f"{label} = {v}, the largest of {', '.join(read)}; it sits at input {w}, flat index {st.argmax}"
    else:
        marks = {cell: (fill if t.in_padding else num(x)) + COUNTED
                 for t, cell, x, counted in zip(st.window, cells, values, st.counted.flat) if counted}
        eq = (f"{label} = ({' + '.join(read)}) / {st.divisor} = {fmt(st.total)} / {st.divisor} = "
              f"{v}{skip}; the divisor {st.divisor} counts {COUNTS[p.count_include_pad]}")
        say = f"{label} = the sum {fmt(st.total)} divided by {st.divisor} = {v}"

    # What differs from the panels: the window on this plane's input; with several planes, this one drawn big.
    suffix, where = _plane(p, st.sample, st.channel)
    layer = {"s": states, **({"t": marks} if marks else {}), **({"small": False} if suffix else {})}
    changed = {"in" + suffix: layer, **({"out" + suffix: {"small": False}} if suffix else {})}
    lines = [["eq", eq], ["value", f"value: {v}"]] + ([["extra", extra]] if extra else [])
    return {"h": f"step {st.index} of steps 0–{n - 1}: {where + ', ' if where else ''}{label}",
            "say": say + ("; " + extra if extra else ""), "set": changed, "lines": lines, "value": v,
            "pos": [int(i) for i in pos]}


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
        trace = input
        if not isinstance(trace, lib.PoolTrace):
            if kind not in ("max", "avg"):
                raise ValueError(f"PoolView: kind must be 'max' or 'avg'; got {kind!r}")
            if dims is None:     # (W,) and (C, W) are 1-D only when asked: a plain (H, W) image is 2-D
                dims = 1 if np.ndim(input) == 1 else 2
            if dims not in (1, 2):
                raise ValueError(f"PoolView: dims must be 1 or 2; got {dims!r}")
            trace = getattr(lib, f"trace_{kind}_pool{dims}d")(input, **kwargs)
        self.trace = trace
        super().__init__(pool_data(trace))
