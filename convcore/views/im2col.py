"""Im2colView: a 2-D convolution as one matrix product, one output position per step.

Step k lifts the patch of output position k (lit in every input channel) into
row k of the im2col matrix X (rows before it filled, after it empty); row k
times the weight matrix W (one column per output channel) gives position k's
outputs, one per output channel, with the products written out. A click on a
row of X or Y goes to its step; pointing at an input cell lights the cells of X
that copy it. Every number comes from the convolution's trace (``trace2d``): row
k is the step's patch, each output the value of that output channel's step at
position k. The data follows ``schema.py`` and ``View`` carries it.
"""
from __future__ import annotations

from ..kernels import pad_input
from ..trace import Trace
from . import schema
from .conv import as_trace
from .numfmt import factor, fmt, label, product_line
from .schema import changes, check_size, key, states, texts
from .view import View


def im2col_reading(trace: Trace) -> dict:
    p = trace.problem
    if p.dims != 2 or p.batch != 1 or p.groups != 1:
        raise ValueError("Im2colView shows a 2-D convolution of one sample with groups=1 "
                         f"(this one: {p.dims}-D, batch {p.batch}, groups {p.groups})")
    padded = pad_input(p)                                         # (1, C_in, *padded spatial)
    OH, OW = p.out_spatial
    kh, kw = p.kernel_shape
    P, cols = OH * OW, p.in_channels * kh * kw
    pads = tuple(a.pad_before for a in p.axes)
    col_labels = [f"{c}:{a},{b}" for c in range(p.in_channels) for a in range(kh) for b in range(kw)]
    row_labels = [f"{k} ({k // OW},{k % OW})" for k in range(P)]
    out_labels = [f"o={o}" for o in range(p.out_channels)]
    W = p.weight.reshape(p.out_channels, -1).T                    # (C_in·kH·kW, C_out)
    # Per position: the trace's steps there, one per output channel.
    at = [[trace[int(trace.step_numbers[0, o, k // OW, k % OW])] for o in range(p.out_channels)] for k in range(P)]
    rows_t = [[fmt(v) for v in at[k][0].patch.ravel()] for k in range(P)]
    vals_t = [[fmt(s.value) for s in at[k]] for k in range(P)]
    pad_state = [["pad" if m else "plain" for m in row] for row in p.padding_mask()]
    PH, PW = len(pad_state), len(pad_state[0])
    # Which cells of X copy each cell of the padded input: the windows of the trace.
    copies = [[[[] for _ in range(PW)] for _ in range(PH)] for _ in range(p.in_channels)]
    for k in range(P):
        for c in range(p.in_channels):
            for t, tap in enumerate(at[k][0].window):
                copies[c][tap.coords[0] + pads[0]][tap.coords[1] + pads[1]].append(["X", k, c * kh * kw + t])
    panels = {}
    for c in range(p.in_channels):
        coords = [[(c, r - pads[0], cc - pads[1]) for cc in range(PW)] for r in range(PH)]
        reads = [[[f"{'padding (0)' if pad_state[r][cc] == 'pad' else label('x', coords[r][cc])} is copied into "
                   f"{len(copies[c][r][cc])} cell{'s' if len(copies[c][r][cc]) != 1 else ''} of X",
                   copies[c][r][cc]] for cc in range(PW)] for r in range(PH)]
        panels[f"in{c}"] = {"title": f"input channel {c}", "role": "in-cell", "channel": c,
                            "t": texts(padded[0, c]), "s": pad_state,
                            "keys": [[key(xy) for xy in row] for row in coords], "reads": reads}
    panels["X"] = {"title": f"im2col matrix X ({P} × {cols}): row k = patch of position k (i, j); "
                            "column c:a,b = channel c, kernel tap (a, b)", "role": "cell",
                   "t": rows_t, "s": states((P, cols), "todo"), "order": [[k] * cols for k in range(P)],
                   "rl": row_labels, "cl": col_labels}
    panels["W"] = {"title": f"weight matrix W ({cols} × {p.out_channels})", "role": "kernel-cell", "t": texts(W),
                   "s": states(W.shape, "kernel"), "rl": col_labels, "cl": out_labels,
                   "keys": [[key((o, c, a, b)) for o in range(p.out_channels)]
                            for c in range(p.in_channels) for a in range(kh) for b in range(kw)]}
    panels["Y"] = {"title": f"Y = X · W ({P} × {p.out_channels})", "role": "out-cell", "t": vals_t,
                   "s": states((P, p.out_channels), "todo"), "order": [[k] * p.out_channels for k in range(P)],
                   "keys": [[key((o, k // OW, k % OW)) for o in range(p.out_channels)] for k in range(P)],
                   "rl": row_labels, "cl": out_labels}
    steps = []
    for k in range(P):
        i, j = k // OW, k % OW
        here = at[k]
        value = vals_t[k][0]
        # the order shows ``value`` in every cell of row k; the row's own texts replace it
        set_ = {"X": {"t": {schema.at(k, c): t for c, t in enumerate(rows_t[k]) if t != value}},
                "Y": {"t": {schema.at(k, o): t for o, t in enumerate(vals_t[k]) if t != value}}}
        for c in range(p.in_channels):
            s = [row[:] for row in pad_state]
            for tap in here[0].window:
                r_, c_ = tap.coords[0] + pads[0], tap.coords[1] + pads[1]
                s[r_][c_] = "pad-patch" if tap.in_padding else "patch"
            set_[f"in{c}"] = {"s": changes(pad_state, s)}
        lines = []
        for o, step in enumerate(here):
            pairs = zip(step.patch.ravel(), step.kernel.ravel())
            body = product_line(pairs, sum(step.partial_sums), f"y[{o}, {i}, {j}] = row {k} · column {o}")
            if p.bias is not None:
                body += f" + {factor(step.bias)} (bias) = {fmt(step.value)}"
            lines.append(["sum", body])
        steps.append({"h": f"im2col · step {k} of steps 0–{P - 1}: output position {k} = ({i}, {j}) "
                           f"lifts its patch into row {k}", "value": value,
                      "say": f"step {k}: row {k} of X is the patch at ({i}, {j}); times W it gives "
                             + ", ".join(f"y[{o}] = {vals_t[k][o]}" for o in range(p.out_channels)),
                      "set": set_, "lines": lines})
    rows = [[f"in{c}" for c in range(p.in_channels)], ["X", "W", "Y"]]
    legend = [["plain", "input"], ["pad", "padding"], ["patch", "patch of this position"],
              ["pad-patch", "patch on padding"], ["kernel", "weights"], ["done", "rows filled"],
              ["current", "this step's row"], ["todo", "not yet"]]
    return schema.reading("im2col", "im2col", rows, panels, steps, legend)


class Im2colView(View):
    """A 2-D convolution as X · W, one output position (row of X) per step.

    ``Im2colView.from_example("seed_conv2d")``, ``Im2colView(trace)`` or
    ``Im2colView(input, weight, **conv2d_kwargs)``.
    """

    kind = "im2col"

    def __init__(self, source, weight=None, **kwargs):
        self.trace = as_trace(source, weight, dims=2, **kwargs)
        p = self.trace.problem
        positions, cols = len(self.trace) // max(p.out_channels * p.batch, 1), p.in_channels * p.weight[0].size
        check_size("Im2colView", "im2col", positions, positions * (cols + p.out_channels))
        example = source if isinstance(source, str) and weight is None and not kwargs else None
        super().__init__({"kind": self.kind, "example": example, "readings": [im2col_reading(self.trace)],
                          "reading": "im2col"})

    @classmethod
    def from_example(cls, name: str, **changes) -> "Im2colView":
        return cls(name, **changes)
