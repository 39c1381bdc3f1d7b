"""TransposeView, GradientView, Im2colView: the data shipped for every step equals the library's traces."""
from __future__ import annotations

import json
import re

import numpy as np
import pytest
import torch

from convcore import conv2d, conv_transpose1d, conv_transpose2d, grad
from convcore.trace_transpose import trace_transpose1d, trace_transpose2d
from convcore import examples as catalogue
from convcore.views import GradientView, Im2colView, TransposeView, fmt, static_assets
from convcore.views.gridsteps import rc

TRANSPOSED = catalogue.transposed_names()


def lit(cells_states, state):
    return sorted((r, c) for r, row in enumerate(cells_states) for c, s in enumerate(row) if s == state)


def grid_of(array):
    a = np.asarray(array)
    return a[None, :] if a.ndim == 1 else a


# Beyond the catalogue: channels, groups, bias, dilation, uneven strides, output_padding past the stamps.
CONFIGS = {
    "groups": (np.arange(12).reshape(2, 3, 2) % 5 - 2, np.arange(24).reshape(2, 2, 2, 3) % 5 - 2,
               dict(bias=np.array([1, -1, 2, 0]), stride=(2, 1), padding=(1, 0), output_padding=(1, 0),
                    groups=2, dilation=(1, 2))),
    "op_past_stamps": ([1, 2, 3, 4], [1, 2, 1], dict(stride=3, padding=1, output_padding=2)),
}


def transposed_cases():
    for name in TRANSPOSED:
        ex = catalogue.get_transposed(name)
        yield pytest.param(lambda ex=ex: (TransposeView(ex), ex.trace("scatter"), ex.run()), id=name)
    for name, (x, w, kw) in CONFIGS.items():
        dims = np.asarray(w).ndim - 2 if np.asarray(w).ndim > 2 else 1
        fn = conv_transpose1d if dims == 1 else conv_transpose2d
        tr = trace_transpose1d if dims == 1 else trace_transpose2d
        yield pytest.param(lambda x=x, w=w, kw=kw, fn=fn, tr=tr: (TransposeView(x, w, **kw), tr(x, w, **kw),
                                                                   fn(x, w, **kw)), id=name)


@pytest.mark.parametrize("make", list(transposed_cases()))
def test_transpose_scatter_steps_equal_the_trace(make):
    view, trace, result = make()
    mode = view.modes["scatter"]
    assert mode["n"] == len(trace)
    p = trace.problem
    for k, rec in enumerate(mode["steps"]):
        st = trace[k]
        # the stamping element is the one lit
        assert lit(rec["set"][f"in{st.in_channel}"]["s"], "patch") == [rc(st.in_pos)]
        after = trace.state_after(k, uncropped=True)
        for j, o in enumerate(st.out_channels):
            assert rec["set"][f"stamp{j}"]["t"] == [[fmt(v) for v in row] for row in grid_of(st.stamp[j])]
            canvas = rec["set"][f"canvas{o}"]
            now = grid_of(after[o])
            for t, landing in enumerate(st.landings):
                r, c = rc(landing.canvas)
                text = canvas["t"][r][c]
                assert text.split("→")[-1] == fmt(now[r, c]) == fmt(st.after[j].reshape(-1)[t])
                if "→" in text:
                    assert text.split("→")[0] == fmt(st.before[j].reshape(-1)[t])
                assert canvas["s"][r][c] == ("pad-patch" if landing.cropped else "current")
        assert rec["h"].startswith(f"scatter · step {k} of steps 0–{len(trace) - 1}")
    # after the last stamp, the uncropped canvas cropped by padding is the library's output
    out = np.asarray(result).reshape(p.out_channels, -1, p.out_spatial[-1])   # one sample, rows × columns
    for o in range(p.out_channels):
        last = mode["steps"][-1]["set"][f"canvas{o}"]
        kept = [[t.split("→")[-1] for t, s in zip(row, srow) if s not in ("pad", "pad-patch")]
                for row, srow in zip(last["t"], last["s"])]
        kept = [row for row in kept if row]
        assert kept == [[fmt(v) for v in row] for row in out[o]]
    # the reading switch goes to the same element: a gather step this stamp reaches, a stamp that reaches it
    gtrace = trace.gather
    for k, rec in enumerate(mode["steps"]):
        if "gather" in rec["jump"]:
            g = gtrace[rec["jump"]["gather"]]
            assert g.out_pos in [t.coords for t in trace[k].landings] and g.out_channel in trace[k].out_channels
    for k, rec in enumerate(view.modes["gather"]["steps"]):
        g = gtrace[k]
        assert rec["jump"].get("scatter") == next(iter(trace.contributors(g.out_channel, g.out_pos)), (None,))[0]
    gather = view.modes["gather"]["steps"][-1]["set"]
    for o in range(p.out_channels):
        assert gather[f"out{o}"]["t"] == [[fmt(v) for v in row] for row in out[o]]


def test_checkerboard_counts_are_the_stamps_per_cell():
    """A flat input and a flat kernel count stamps: the count panel equals the uncropped output."""
    ex = catalogue.get_transposed("checkerboard")
    view = TransposeView.from_example("checkerboard")
    counts = view.modes["scatter"]["steps"][-1]["set"]["count0"]["t"]
    canvas = ex.trace("scatter").state_after(len(ex.trace()) - 1, uncropped=True)[0]
    assert counts == [[fmt(v) for v in row] for row in canvas]
    labels = view.modes["scatter"]["panels"]["canvas0"]["cl"]
    assert labels[0] == "crop" and labels[-1] == "+op 7" and labels[1] == "0"


@pytest.mark.parametrize("name", TRANSPOSED)
def test_transpose_gather_steps_equal_the_trace(name):
    ex = catalogue.get_transposed(name)
    view = TransposeView.from_example(name)
    trace = ex.trace("gather")
    mode = view.modes["gather"]
    assert mode["n"] == len(trace)
    pads = [a.pad_before for a in trace.conv_trace.problem.axes]
    for k, rec in enumerate(mode["steps"]):
        gs = trace[k]
        states = rec["set"]["gin0"]["s"]
        for tap, kind in zip(gs.conv.window, gs.kinds):
            r, c = rc(tuple(x + p for x, p in zip(tap.coords, pads)))
            assert states[r][c] == {"input": "patch", "inserted": "ins-patch", "padding": "pad-patch"}[kind]
        assert rec["set"]["fk0"]["t"] == [[fmt(v) for v in row] for row in grid_of(gs.conv.kernel[0])]
        r, c = rc(gs.out_pos)
        out = rec["set"][f"out{gs.out_channel}"]
        assert out["s"][r][c] == "current" and out["t"][r][c] == fmt(gs.value)
        assert rec["lines"][-1][1].endswith(f"= {fmt(gs.value)}")
    final = mode["steps"][-1]["set"]["out0"]["t"]
    assert final == [[fmt(v) for v in row] for row in grid_of(ex.run())]


def test_im2col_rows_are_the_trace_patches_and_outputs():
    ex = catalogue.get("seed_conv2d")
    trace = ex.trace()
    view = Im2colView.from_example("seed_conv2d")
    mode = view.modes["im2col"]
    y = conv2d(ex.input, ex.weight)
    assert mode["n"] == 9
    for k, rec in enumerate(mode["steps"]):
        step = trace[k]                       # output channel 0, position k
        i, j = step.out_pos
        X, Y = rec["set"]["X"], rec["set"]["Y"]
        assert X["t"][k] == [fmt(v) for v in step.patch.ravel()]
        assert X["s"][k] == ["current"] * 8 and all(s == ["todo"] * 8 for s in X["s"][k + 1:])
        assert all(t == [""] * 8 for t in X["t"][k + 1:])
        assert Y["t"][k] == [fmt(v) for v in y[:, i, j]]
        assert lit(rec["set"]["in0"]["s"], "patch") == sorted((t.coords[0], t.coords[1]) for t in step.window)
        for o, (role, text) in enumerate(rec["lines"]):
            assert text.endswith(f"= {fmt(y[o, i, j])}")
    assert view.modes["im2col"]["panels"]["W"]["t"] == [[fmt(v) for v in row] for row in ex.weight.reshape(3, -1).T]


def test_gradient_steps_equal_the_traces_and_autograd():
    ex = catalogue.get("seed_conv2d")
    view = GradientView.from_example("seed_conv2d")
    x = torch.tensor(ex.input, dtype=torch.float64, requires_grad=True)
    w = torch.tensor(ex.weight, dtype=torch.float64, requires_grad=True)
    y = torch.nn.functional.conv2d(x[None], w)[0]
    (0.5 * ((y - 20) ** 2).sum()).backward()
    g = conv2d(ex.input, ex.weight) - 20
    it = grad.trace_conv2d_input_grad(ex.input.shape, ex.weight, g)
    wt = grad.trace_conv2d_weight_grad(ex.input, ex.weight.shape, g)
    for trace, key, torch_grad in ((it, "input", x.grad), (wt, "weight", w.grad)):
        mode = view.modes[key]
        assert mode["n"] == len(trace)
        for k, rec in enumerate(mode["steps"]):
            st = trace[k]
            assert rec["lines"][-1][1].endswith(f"= {fmt(st.value)}")
            assert fmt(st.value) == fmt(torch_grad[st.element].item())
            for o in range(3):
                want = sorted(rc(gi[1:]) for gi in st.grad_output_index if gi[0] == o)
                got = lit(rec["set"].get(f"g{o}", {"s": [[]]})["s"], "patch")
                assert got == want
            panel = f"dx{st.element[0]}" if key == "input" else f"dw{st.element[0]}_{st.element[1]}"
            r, c = rc(st.element[1:] if key == "input" else st.element[2:])
            assert rec["set"][panel]["t"][r][c] == fmt(st.value)
            assert rec["set"][panel]["s"][r][c] == "current"


def test_step_and_mode_sync_and_validation():
    view = TransposeView.from_example("stamps_1d")
    assert view.mode == "scatter" and view.modes["scatter"]["n"] == 3
    view.update(6, mode="gather")
    assert (view.mode, view.step) == ("gather", 6)
    with pytest.raises(IndexError, match="steps 0 to 6"):
        view.step = 7
    view.mode = "scatter"                    # 3 steps there: step 6 cannot stay
    assert view.step == 0
    with pytest.raises(ValueError, match="mode must be one of"):
        view.mode = "sideways"


@pytest.mark.parametrize("make", [lambda: TransposeView.from_example("checkerboard"),
                                  lambda: GradientView.from_example("seed_conv2d"),
                                  lambda: Im2colView.from_example("seed_conv2d")])
def test_embeds_parse_and_static_mode_gives_html(make, monkeypatch):
    view = make()
    html = view.embed_html()
    m = re.fullmatch(r'<div class="convcore-embed" data-view="(\w+)" data-module="convcore-gridsteps.js">'
                     r'<script type="application/json" class="convcore-data">(.*)</script></div>', html, re.S)
    assert m and m.group(1) == view.kind
    assert "</" not in m.group(2)
    payload = json.loads(m.group(2))
    assert payload["modes"] == json.loads(json.dumps(view.data["modes"]))
    monkeypatch.setenv("CONVCORE_VIEWS", "static")
    assert view._repr_mimebundle_()["text/html"] == html
    js = static_assets()["convcore-gridsteps.js"]
    assert "export function hydrate" in js and "export default" in js and "http" not in js


def test_too_big_to_ship_every_step_is_refused_before_building():
    with pytest.raises(ValueError, match=r"1,600 steps × 13,122 grid cells .* use a smaller example"):
        TransposeView(np.ones((40, 40)), np.ones((3, 3)), stride=2)
    with pytest.raises(ValueError, match="Im2colView ships every step"):
        Im2colView(np.ones((1, 64, 64)), np.ones((1, 1, 3, 3)))
