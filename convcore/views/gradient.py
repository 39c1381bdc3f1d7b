"""GradientView: which products sum into one gradient element of a convolution.

Reading "input" (the default): one step per input element; the output-gradient
elements and the weights whose products sum into that element's gradient are
lit, the products and the sum written out, the input gradient filling in.
Reading "weight": one step per weight element; the input elements and
output-gradient elements whose products sum into its gradient. Numbers from
``convcore.grad.trace_conv*d_input_grad`` / ``trace_conv*d_weight_grad``.
"""
from __future__ import annotations

import numpy as np

from .. import api, grad
from .. import examples as catalogue
from .gridsteps import GridStepsView, check_size, grid2, label, product_line, rc, states, texts
from .numfmt import fmt


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


def _lit(shape, rows, state="patch", base="plain"):
    s = states(shape, base)
    for r in rows:
        r_, c_ = rc(r)
        s[r_][c_] = state
    return s


def _filling(values, shape, order, k):
    """Texts and states of a gradient array filling in: element steps < k done, k current."""
    t = [[""] * shape[1] for _ in range(shape[0])]
    s = states(shape, "todo")
    for idx, at in order:
        if at <= k:
            r_, c_ = rc(idx)
            t[r_][c_] = fmt(values[r_][c_])
            s[r_][c_] = "current" if at == k else "done"
    return t, s


def _gradient_modes(x, w, g, kwargs):
    dims = w.ndim - 2
    it = (grad.trace_conv1d_input_grad if dims == 1 else grad.trace_conv2d_input_grad)(x.shape, w, g, **kwargs)
    wt = (grad.trace_conv1d_weight_grad if dims == 1 else grad.trace_conv2d_weight_grad)(x, w.shape, g, **kwargs)
    C_in, C_out, per = x.shape[0], w.shape[0], w.shape[1]
    xs, gs, ks = grid2(x.shape[1:]), grid2(g.shape[1:]), grid2(w.shape[2:])
    g2 = [np.asarray(g[o]).reshape(gs) for o in range(C_out)]
    dx = np.asarray(it.output).reshape(C_in, *xs)
    dw = np.asarray(wt.output).reshape(C_out, per, *ks)
    x_panels = {f"x{c}": {"title": f"input x, channel {c}", "t": texts(x[c]), "s": states(xs)} for c in range(C_in)}
    g_panels = {f"g{o}": {"title": f"output gradient g, channel {o}", "t": texts(g[o]), "s": states(gs, "done")}
                for o in range(C_out)}
    w_panels = {f"w{o}_{c}": {"title": f"w[{o}, {c}]", "t": texts(w[o, c]), "s": states(ks, "kernel")}
                for o in range(C_out) for c in range(per)}
    modes = []
    for trace, key, what in ((it, "input", "input element"), (wt, "weight", "weight")):
        n = len(trace)
        if key == "input":
            panels = {**g_panels, **w_panels}
            for c in range(C_in):
                panels[f"dx{c}"] = {"title": f"input gradient ∂L/∂x, channel {c}",
                                    "t": [[""] * xs[1] for _ in range(xs[0])], "s": states(xs, "todo")}
            rows = [list(g_panels), list(w_panels), [f"dx{c}" for c in range(C_in)]]
        else:
            panels = {**x_panels, **g_panels}
            for o in range(C_out):
                for c in range(per):
                    panels[f"dw{o}_{c}"] = {"title": f"∂L/∂w[{o}, {c}]", "t": [[""] * ks[1] for _ in range(ks[0])],
                                            "s": states(ks, "todo")}
            rows = [list(x_panels), list(g_panels), [f"dw{o}_{c}" for o in range(C_out) for c in range(per)]]
        steps = []
        for k in range(n):
            st = trace[k]
            set_ = {}
            by_panel: dict[str, list] = {}
            for gi in st.grad_output_index:
                by_panel.setdefault(f"g{gi[0]}", []).append(gi[1:])
            for oi in st.other_index:
                pid = f"w{oi[0]}_{oi[1]}" if key == "input" else f"x{oi[0]}"
                by_panel.setdefault(pid, []).append(oi[2:] if key == "input" else oi[1:])
            for pid, where in by_panel.items():
                base = "done" if pid.startswith("g") else "kernel" if pid.startswith("w") else "plain"
                shape = gs if pid.startswith("g") else ks if pid.startswith("w") else xs
                set_[pid] = {"s": _lit(shape, where, "patch", base)}
            if key == "input":
                _, c, pos = it.locate(k)
                for cc in range(C_in):
                    order = [(it.locate(m)[2], m) for m in range(n) if it.locate(m)[1] == cc]
                    t, s = _filling(dx[cc].reshape(xs).tolist(), xs, order, k)
                    set_[f"dx{cc}"] = {"t": t, "s": s}
                name = label("∂L/∂x", (c, *pos))
                pairs_text = [f"{label('g', gi)}·{label('w', oi)}" for gi, oi in zip(st.grad_output_index, st.other_index)]
            else:
                o, c, tap = wt.locate(k)
                for oo in range(C_out):
                    for cc in range(per):
                        order = [(wt.locate(m)[2], m) for m in range(n) if wt.locate(m)[:2] == (oo, cc)]
                        t, s = _filling(dw[oo, cc].reshape(ks).tolist(), ks, order, k)
                        set_[f"dw{oo}_{cc}"] = {"t": t, "s": s}
                name = label("∂L/∂w", (o, c, *tap))
                pairs_text = [f"{label('g', gi)}·{label('x', oi)}" for gi, oi in zip(st.grad_output_index, st.other_index)]
            line = product_line(zip(st.grad_output_values, st.other_values), st.value, name)
            which = ", ".join(pairs_text[:8]) + (f", … ({len(pairs_text)} in all)" if len(pairs_text) > 8 else "")
            steps.append({"h": f"{key} gradient · step {k} of steps 0–{n - 1}: {name}, "
                               f"{len(st)} product{'s' if len(st) != 1 else ''}",
                          "say": f"step {k}: {line}", "set": set_,
                          "lines": [["pairs", f"products of: {which or 'nothing (no window read it)'}"],
                                    ["total", line]]})
        legend = ([["done", "output gradient g"], ["kernel", "weights"], ["patch", "the factors of this sum"],
                   ["current", "this gradient element"], ["todo", "not yet"]] if key == "input" else
                  [["plain", "input"], ["done", "output gradient g"], ["patch", "the factors of this sum"],
                   ["current", "this gradient element"], ["todo", "not yet"]])
        modes.append({"key": key, "label": f"{key} gradient: one {what} per step", "n": n, "rows": rows,
                      "panels": panels, "legend": legend, "steps": steps})
    return modes, it, wt


class GradientView(GridStepsView):
    """The gradients of a convolution, one element at a time: ``mode`` "input" or "weight".

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
        modes, self.input_trace, self.weight_trace = _gradient_modes(x, w, g, kwargs)
        super().__init__(modes, example=example)

    @classmethod
    def from_example(cls, name: str, target=20) -> "GradientView":
        ex = catalogue.get(name)
        y = (api.conv1d if ex.dims == 1 else api.conv2d)(ex.input, ex.weight, **ex.kwargs)
        return cls(ex.input, ex.weight, y - target, example=name if target == 20 else None,
                   **{k: v for k, v in ex.kwargs.items() if k in ("stride", "padding", "dilation", "groups")})
