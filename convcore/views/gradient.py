"""GradientView: which products sum into one gradient element of a convolution.

Reading "input" (the default): one step per input element; the output-gradient
elements and the weights whose products sum into that element's gradient are
lit, the products and the sum written out, the input gradient filling in.
Reading "weight": one step per weight element; the input elements and
output-gradient elements whose products sum into its gradient. A click on a
gradient element goes to its step; pointing at a factor lights the gradient
elements it adds into. Numbers from ``convcore.grad.trace_conv*d_input_grad`` /
``trace_conv*d_weight_grad``; the data follows ``schema.py`` and ``View`` carries it.
"""
from __future__ import annotations

import numpy as np

from .. import api, grad
from .. import examples as catalogue
from . import schema
from .numfmt import fmt, label, product_line
from .schema import check_size, grid2, key, rc, states, texts
from .view import View


def _unbatched(x, w, g):
    """(C, *spatial) input and grad_output, (C_out, C_in/g, *k) weight: one sample."""
    x, w, g = np.asarray(x), np.asarray(w), np.asarray(g)
    if w.ndim in (1, 2) and x.ndim == w.ndim:          # plain: one channel each
        return x[None], w[None, None], g[None]
    dims = w.ndim - 2
    if x.ndim == dims + 2:
        if x.shape[0] != 1:
            raise ValueError(f"GradientView shows one sample; this input has a batch of {x.shape[0]} (give input[0])")
        return x[0], w, np.asarray(g)[0]
    return x, w, g


def _positions(shape) -> list[list[tuple[int, ...]]]:
    """Per cell of the (rows, columns) grid of a 1-D or 2-D ``shape``, the position it shows."""
    R, C = grid2(shape)
    return [[(c,) if len(shape) == 1 else (r, c) for c in range(C)] for r in range(R)]


def _panel(title, role, values, state, lead, **extra) -> dict:
    """A panel of ``values`` (1-D or 2-D) whose cells are keyed ``lead + position``."""
    shape = np.shape(values)
    return {"title": title, "role": role, "t": texts(values), "s": states(grid2(shape), state),
            "keys": [[key((*lead, *pos)) for pos in row] for row in _positions(shape)], **extra}


def _gradient_readings(x, w, g, kwargs):
    dims = w.ndim - 2
    it = (grad.trace_conv1d_input_grad if dims == 1 else grad.trace_conv2d_input_grad)(x.shape, w, g, **kwargs)
    wt = (grad.trace_conv1d_weight_grad if dims == 1 else grad.trace_conv2d_weight_grad)(x, w.shape, g, **kwargs)
    C_in, C_out, per = x.shape[0], w.shape[0], w.shape[1]
    dx = np.asarray(it.output).reshape(x.shape)
    dw = np.asarray(wt.output).reshape(w.shape)
    readings = []
    for trace, wrt, what in ((it, "input", "input element"), (wt, "weight", "weight")):
        n = len(trace)
        all_steps = [trace[k] for k in range(n)]
        # The panels of the factors: grad_output and the weight (input gradient) or the input (weight gradient).
        g_panels = {f"g{o}": _panel(f"output gradient g, channel {o}", "cell", g[o], "done", (o,), channel=o)
                    for o in range(C_out)}
        if wrt == "input":
            other = {f"w{o}_{c}": _panel(f"w[{o}, {c}]", "kernel-cell", w[o, c], "kernel", (o, c))
                     for o in range(C_out) for c in range(per)}
            result = {f"dx{c}": _panel(f"input gradient ∂L/∂x, channel {c}", "out-cell", dx[c], "todo", (c,),
                                       channel=c) for c in range(C_in)}
            rows = [list(g_panels), list(other), list(result)]
        else:
            other = {f"x{c}": _panel(f"input x, channel {c}", "in-cell", x[c], "plain", (c,), channel=c)
                     for c in range(C_in)}
            result = {f"dw{o}_{c}": _panel(f"∂L/∂w[{o}, {c}]", "out-cell", dw[o, c], "todo", (o, c))
                      for o in range(C_out) for c in range(per)}
            rows = [list(other), list(g_panels), list(result)]
        panels = {**g_panels, **other, **result}
        for P in result.values():
            P["order"] = [[None] * len(row) for row in P["t"]]
        # Where each step's element sits, and which elements each factor adds into (the inverse of the terms).
        readers = {pid: [[[] for _ in row] for row in P["t"]] for pid, P in {**g_panels, **other}.items()}
        factor_pid = (lambda oi: f"w{oi[0]}_{oi[1]}") if wrt == "input" else (lambda oi: f"x{oi[0]}")
        factor_pos = (lambda oi: oi[2:]) if wrt == "input" else (lambda oi: oi[1:])
        for k, st in enumerate(all_steps):
            pid = f"dx{st.element[0]}" if wrt == "input" else f"dw{st.element[0]}_{st.element[1]}"
            r_, c_ = rc(st.element[1:] if wrt == "input" else st.element[2:])
            panels[pid]["order"][r_][c_] = k
            for gi, oi in zip(st.grad_output_index, st.other_index):
                for fp, pos in ((f"g{gi[0]}", gi[1:]), (factor_pid(oi), factor_pos(oi))):
                    where = [pid, r_, c_]
                    cell = readers[fp][rc(pos)[0]][rc(pos)[1]]
                    if where not in cell:
                        cell.append(where)
        gname = "∂L/∂x" if wrt == "input" else "∂L/∂w"
        for fp, grid in readers.items():
            P = panels[fp]
            name = "g" if fp.startswith("g") else "w" if fp.startswith("w") else "x"
            P["reads"] = [[[f"{label(name, map(int, P['keys'][r][c].split(',')))} = {P['t'][r][c]} adds into "
                            f"{len(cell)} element{'s' if len(cell) != 1 else ''} of {gname}", cell]
                           for c, cell in enumerate(row)] for r, row in enumerate(grid)]
        steps = []
        for k, st in enumerate(all_steps):
            set_ = {}
            for gi in st.grad_output_index:
                set_.setdefault(f"g{gi[0]}", {"s": {}})["s"][schema.at(*rc(gi[1:]))] = "patch"
            for oi in st.other_index:
                set_.setdefault(factor_pid(oi), {"s": {}})["s"][schema.at(*rc(factor_pos(oi)))] = "patch"
            if wrt == "input":
                _, c, pos = it.locate(k)
                name = label("∂L/∂x", (c, *pos))
                pairs_text = [f"{label('g', gi)}·{label('w', oi)}" for gi, oi in zip(st.grad_output_index, st.other_index)]
            else:
                o, c, tap = wt.locate(k)
                name = label("∂L/∂w", (o, c, *tap))
                pairs_text = [f"{label('g', gi)}·{label('x', oi)}" for gi, oi in zip(st.grad_output_index, st.other_index)]
            line = product_line(zip(st.grad_output_values, st.other_values), st.value, name)
            which = ", ".join(pairs_text[:8]) + (f", … ({len(pairs_text)} in all)" if len(pairs_text) > 8 else "")
            steps.append({"h": f"{wrt} gradient · step {k} of steps 0–{n - 1}: {name}, "
                               f"{len(st)} product{'s' if len(st) != 1 else ''}",
                          "say": f"step {k}: {line}", "set": set_, "value": fmt(st.value),
                          "lines": [["pairs", f"products of: {which or 'nothing (no window read it)'}"],
                                    ["total", line]]})
        legend = ([["done", "output gradient g"], ["kernel", "weights"], ["patch", "the factors of this sum"],
                   ["current", "this gradient element"], ["todo", "not yet"]] if wrt == "input" else
                  [["plain", "input"], ["done", "output gradient g"], ["patch", "the factors of this sum"],
                   ["current", "this gradient element"], ["todo", "not yet"]])
        readings.append(schema.reading(wrt, f"{wrt} gradient: one {what} per step", rows, panels, steps, legend))
    return readings, it, wt


class GradientView(View):
    """The gradients of a convolution, one element at a time: ``reading`` "input" or "weight".

    ``GradientView(input, weight, grad_output, stride=1, padding=0, dilation=1, groups=1)``
    (one sample: (C, *spatial) arrays, or plain ones), or
    ``GradientView.from_example("seed_conv2d", target=20)``: the output gradient of the
    loss ½·Σ(y − target)², g = y − target. ``view.input_trace``, ``view.weight_trace``.
    """

    kind = "gradient"

    def __init__(self, input, weight, grad_output, example: str | None = None, **kwargs):
        x, w, g = _unbatched(input, weight, grad_output)
        cells = x.size + w.size + np.asarray(g).size
        check_size("GradientView", "input", x.size, cells)
        check_size("GradientView", "weight", w.size, cells)
        readings, self.input_trace, self.weight_trace = _gradient_readings(x, w, g, kwargs)
        super().__init__({"kind": self.kind, "example": example, "readings": readings, "reading": "input"})

    @classmethod
    def from_example(cls, name: str, target=20) -> "GradientView":
        ex = catalogue.get(name)
        y = (api.conv1d if ex.dims == 1 else api.conv2d)(ex.input, ex.weight, **ex.kwargs)
        return cls(ex.input, ex.weight, y - target, example=name if target == 20 else None,
                   **{k: v for k, v in ex.kwargs.items() if k in ("stride", "padding", "dilation", "groups")})
