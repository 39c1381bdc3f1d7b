"""Im2colView: a 2-D convolution as one matrix product, one output position per step, from its trace.
Step q lifts the patch of output position q into row q of the im2col matrix X; row q times the weight
matrix W (one column per output channel) gives that position's outputs. Pointing at an input cell lights
the cells of X that copy it. (q, not k: the suite's notation keeps k for a kernel size.)
"""
from __future__ import annotations

import numpy as np

from ..kernels import pad_input
from ..trace import Trace
from .conv import as_trace
from .numfmt import factor, fmt, label, product_line
from .schema import at, check_size, key, reading, states, texts
from .view import View


def im2col_reading(trace: Trace) -> dict:
    p = trace.problem
    if p.dims != 2 or p.batch != 1 or p.groups != 1:
        raise ValueError("Im2colView shows a 2-D convolution of one sample with groups=1 "
                         f"(this one: {p.dims}-D, batch {p.batch}, groups {p.groups})")
    (OH, OW), (kh, kw), C, C_out = p.out_spatial, p.kernel_shape, p.in_channels, p.out_channels
    P, cols = OH * OW, C * kh * kw
    check_size("Im2colView", "im2col", P, P * (cols + C_out))       # one step per position, before building
    # Row q of X is output position q = (q // OW, q % OW); column c:u,v is channel c, kernel tap (u, v).
    col_labels = [f"{c}:{a},{b}" for c, a, b in np.ndindex(C, kh, kw)]
    row_labels = [f"{k} ({k // OW},{k % OW})" for k in range(P)]
    out_labels = [f"o={o}" for o in range(C_out)]
    W = p.weight.reshape(C_out, -1).T                             # (C·kh·kw, C_out)
    # Per position: the trace's steps there, one per output channel.
    here = [[trace[int(n)] for n in trace.step_numbers[0, :, k // OW, k % OW]] for k in range(P)]
    X = [[fmt(v) for v in steps[0].patch.ravel()] for steps in here]
    Y = [[fmt(st.value) for st in steps] for steps in here]
    pad_state = [["pad" if m else "plain" for m in row] for row in p.padding_mask()]
    panels = {}
    rows_, cols_ = (range(-a.pad_before, a.n + a.pad_after) for a in p.axes)    # padded coordinates
    for c, image in enumerate(pad_input(p)[0]):
        # The cells of X that copy each input cell: the windows that read it (the inverse window rule).
        copies = [[[["X", r.out * OW + s.out, (c * kh + r.tap) * kw + s.tap]
                    for r in p.axes[0].readers(i) for s in p.axes[1].readers(j)] for j in cols_] for i in rows_]
        reads = [[[f"{'padding (0)' if state == 'pad' else label('x', (c, i, j))} is copied into "
                   f"{len(into)} cell{'s' if len(into) != 1 else ''} of X", into]
                  for j, state, into in zip(cols_, srow, crow)] for i, srow, crow in zip(rows_, pad_state, copies)]
        panels[f"in{c}"] = {"title": f"input channel {c}", "role": "in-cell", "channel": c,
                            "t": texts(image), "s": pad_state, "reads": reads,
                            "keys": [[key((c, i, j)) for j in cols_] for i in rows_]}
    panels["X"] = {"title": f"im2col matrix X ({P} × {cols}): row q = patch of position q = (i, j); "
                            "column c:u,v = channel c, kernel tap (u, v)", "role": "cell",
                   "t": X, "s": states((P, cols), "todo"), "order": [[k] * cols for k in range(P)],
                   "rl": row_labels, "cl": col_labels}
    panels["W"] = {"title": f"weight matrix W ({cols} × {C_out})", "role": "kernel-cell", "t": texts(W),
                   "s": states(W.shape, "kernel"), "rl": col_labels, "cl": out_labels,
                   "keys": [[key((o, *tap)) for o in range(C_out)] for tap in np.ndindex(C, kh, kw)]}
    panels["Y"] = {"title": f"Y = X · W ({P} × {C_out})", "role": "out-cell", "t": Y, "rl": row_labels,
                   "s": states((P, C_out), "todo"), "order": [[k] * C_out for k in range(P)], "cl": out_labels,
                   "keys": [[key((o, k // OW, k % OW)) for o in range(C_out)] for k in range(P)]}
    steps = []
    for k, sts in enumerate(here):
        (i, j), value = sts[0].out_pos, Y[k][0]     # the order shows value in all of row k; X[k], Y[k] replace it
        patch = {at(*(x + a.pad_before for x, a in zip(tap.coords, p.axes))): "pad-patch" if tap.in_padding
                 else "patch" for tap in sts[0].window}
        set_ = {"X": {"t": {at(k, c): t for c, t in enumerate(X[k]) if t != value}},
                "Y": {"t": {at(k, o): t for o, t in enumerate(Y[k]) if t != value}},
                **{f"in{c}": {"s": patch} for c in range(C)}}
        lines = [["sum", product_line(zip(st.patch.ravel(), st.kernel.ravel()), sum(st.partial_sums),
                                      f"y[{o}, {i}, {j}] = row {k} · column {o}")
                  + (f" + {factor(st.bias)} (bias) = {fmt(st.value)}" if p.bias is not None else "")]
                 for o, st in enumerate(sts)]
        steps.append({"h": f"im2col · step {k} of steps 0–{P - 1}: output position {k} = ({i}, {j}) "
                           f"lifts its patch into row {k}", "value": value, "set": set_, "lines": lines,
                      "say": f"step {k}: row {k} of X is the patch at ({i}, {j}); times W it gives "
                             + ", ".join(f"y[{o}] = {Y[k][o]}" for o in range(C_out))})
    legend = [["plain", "input"], ["pad", "padding"], ["patch", "patch of this position"],
              ["pad-patch", "patch on padding"], ["kernel", "weights"], ["done", "rows filled"],
              ["current", "this step's row"], ["todo", "not yet"]]
    return reading("im2col", "im2col", [[f"in{c}" for c in range(C)], ["X", "W", "Y"]], panels, steps, legend)


class Im2colView(View):
    """A 2-D convolution as X · W, one output position (row of X) per step.

    ``Im2colView.from_example("seed_conv2d")``, ``Im2colView(trace)`` or ``Im2colView(input, weight, **conv2d_kwargs)``.
    """

    kind = "im2col"

    def __init__(self, source, weight=None, **kwargs):
        self.trace = as_trace(source, weight, **kwargs)
        example = source if isinstance(source, str) and weight is None and not kwargs else None
        super().__init__({"kind": self.kind, "example": example, "readings": [im2col_reading(self.trace)],
                          "reading": "im2col"})
