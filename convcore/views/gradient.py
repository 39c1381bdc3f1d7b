"""GradientView: which products sum into one gradient element of a convolution, from
``convcore.grad``'s traces. Reading "input" (the default): one step per input element, its output-gradient
elements and weights lit; reading "weight": one step per weight, its inputs and output-gradient elements.
Pointing at a factor lights the gradient elements it adds into.
"""
from __future__ import annotations

import numpy as np

from .. import examples as catalogue, grad
from ..layout import spatial_dims
from .numfmt import fmt, label, product_line
from .schema import at, check_size, grid2, key, rc, reading, states, texts
from .view import View

TRACES = {1: (grad.trace_conv1d_input_grad, grad.trace_conv1d_weight_grad),
          2: (grad.trace_conv2d_input_grad, grad.trace_conv2d_weight_grad)}
# Each array by its panels' name: the leading axes that pick a panel (a channel; a kernel of w), role, state, title.
ARRAYS = {"g": (1, "cell", "done", "output gradient g"), "x": (1, "in-cell", "plain", "input x"),
          "w": (2, "kernel-cell", "kernel", "w"), "dx": (1, "out-cell", "todo", "input gradient ∂L/∂x"),
          "dw": (2, "out-cell", "todo", "∂L/∂w")}
LEGEND = {"g": ["done", "output gradient g"], "w": ["kernel", "weights"], "x": ["plain", "input"]}


def _cell(name: str, index) -> tuple:
    """The panel of array ``name`` holding element ``index``, and the element's (row, column) there."""
    lead = ARRAYS[name][0]
    return (name + "_".join(str(int(i)) for i in index[:lead]), *rc(index[lead:]))


def _panels(name: str, array, order=None) -> dict:
    """The panels of ``array``, each cell keyed by its index; ``order``: the step of each element."""
    lead, role, state, title = ARRAYS[name]
    grid, spatial = grid2(array.shape[lead:]), list(np.ndindex(*array.shape[lead:]))
    return {name + "_".join(map(str, first)): {
        "title": f"{title}, channel {first[0]}" if lead == 1 else label(title, first), "role": role,
        "t": texts(array[first]), "s": states(grid, state),
        "keys": np.reshape([key((*first, *pos)) for pos in spatial], grid).tolist(),
        **({"channel": first[0]} if lead == 1 else {}),
        **({"order": np.reshape(order[first], grid).tolist()} if order is not None else {})}
        for first in np.ndindex(*array.shape[:lead])}


def _reading(trace, x, w, g) -> dict:
    """The steps of one gradient trace (``trace.wrt``: "input" or "weight"), one element per step."""
    wrt, n = trace.wrt, len(trace)
    other, result, gname, what = (("w", "dx", "∂L/∂x", "input element") if wrt == "input" else
                                  ("x", "dw", "∂L/∂w", "weight"))
    above = ("g", "w") if wrt == "input" else ("x", "g")     # the factors' rows, top to bottom
    factors = {name: _panels(name, {"g": g, "w": w, "x": x}[name]) for name in above}
    # A click on a gradient element goes to the step that computes it: the trace's own numbering.
    grads = _panels(result, trace.output, order=trace.step_numbers.reshape(trace.output.shape))
    # Pointing at a factor lights the gradient elements it adds into: the steps' terms, read backwards.
    adds_into = {pid: [[[] for _ in row] for row in P["t"]] for panels in factors.values() for pid, P in panels.items()}
    steps = []
    for k in range(n):
        st = trace[k]
        into, set_ = list(_cell(result, st.element)), {}
        for gi, oi in zip(st.grad_output_index, st.other_index):
            for pid, r, c in (_cell("g", gi), _cell(other, oi)):
                set_.setdefault(pid, {"s": {}})["s"][at(r, c)] = "patch"     # the factors of this sum
                targets = adds_into[pid][r][c]
                if into not in targets:
                    targets.append(into)
        name = label(gname, st.element)
        pairs = [f"{label('g', gi)}·{label(other, oi)}" for gi, oi in zip(st.grad_output_index, st.other_index)]
        which = ", ".join(pairs[:8]) + (f", … ({len(pairs)} in all)" if len(pairs) > 8 else "")
        line = product_line(zip(st.grad_output_values, st.other_values), st.value, name)
        steps.append({"h": f"{wrt} gradient · step {k} of steps 0–{n - 1}: {name}, "
                           f"{len(st)} product{'s' if len(st) != 1 else ''}",
                      "say": f"step {k}: {line}", "set": set_, "value": fmt(st.value),
                      "lines": [["pairs", f"products of: {which or 'nothing (no window read it)'}"],
                                ["total", line]]})
    for fname, panels in factors.items():
        for pid, P in panels.items():
            P["reads"] = [[[f"{label(fname, k_.split(','))} = {t} adds into {len(into)} element"
                            f"{'s' if len(into) != 1 else ''} of {gname}", into] for k_, t, into in zip(*rows)]
                          for rows in zip(P["keys"], P["t"], adds_into[pid])]
    legend = [LEGEND[name] for name in above] + [["patch", "the factors of this sum"],
                                                 ["current", "this gradient element"], ["todo", "not yet"]]
    return reading(wrt, f"{wrt} gradient: one {what} per step", [*map(list, factors.values()), list(grads)],
                   {**factors["g"], **factors[other], **grads}, steps, legend)


class GradientView(View):
    """The gradients of a convolution, one element at a time: ``reading`` "input" or "weight".

    ``GradientView(input, weight, grad_output, stride=1, padding=0, dilation=1, groups=1)``
    (one sample: (C, *spatial) arrays, or plain ones), or
    ``GradientView.from_example("seed_conv2d", target=20)``: the output gradient of the
    loss ½·Σ(y − target)², g = y − target. ``view.input_trace``, ``view.weight_trace``.
    """

    kind = "gradient"

    def __init__(self, input, weight, grad_output, example: str | None = None, **kwargs):
        x, w, g = map(np.asarray, (input, weight, grad_output))
        dims = spatial_dims(w)
        if w.ndim == dims:                                   # plain arrays: one channel each
            x, w, g = x[None], w[None, None], g[None]
        elif x.ndim == dims + 2:                             # batched: one sample only
            if x.shape[0] != 1:
                raise ValueError(f"GradientView shows one sample; this input has a batch of {x.shape[0]} "
                                 "(give input[0])")
            x, g = x[0], g[0]
        for wrt, steps in (("input", x.size), ("weight", w.size)):      # one step per element
            check_size("GradientView", wrt, steps, x.size + w.size + g.size)
        self.input_trace = TRACES[dims][0](x.shape, w, g, **kwargs)
        self.weight_trace = TRACES[dims][1](x, w.shape, g, **kwargs)
        readings = [_reading(trace, x, w, g) for trace in (self.input_trace, self.weight_trace)]
        super().__init__({"kind": self.kind, "example": example, "readings": readings, "reading": "input"})

    @classmethod
    def from_example(cls, name: str, target=20) -> "GradientView":
        ex = catalogue.get(name)
        if ex.op not in catalogue.CONVOLUTIONS:
            raise ValueError(f"GradientView shows the gradients of a convolution; {name!r} runs {ex.op}")
        kwargs = {k: v for k, v in ex.kwargs.items() if k != "bias"}      # the bias does not change g·w, g·x
        return cls(ex.input, ex.weight, ex.run() - target, example=name if target == 20 else None, **kwargs)
