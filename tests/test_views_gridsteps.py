"""TransposeView, GradientView, Im2colView: what every step shows (``view.screen(k)``, the screen the
renderer draws) equals the library's traces, its results, and PyTorch's."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from convcore import api, conv2d, conv_transpose1d, conv_transpose2d
from convcore import examples as catalogue
from convcore.trace_transpose import trace_transpose1d, trace_transpose2d
from convcore.views import GradientView, Im2colView, TransposeView, fmt
from convcore.views import schema
from convcore.views.schema import key, rc
from convcore.views.view import STATIC, View

TRANSPOSED = catalogue.transposed_names()
CSS = (STATIC / "view.css").read_text(encoding="utf-8")


def cells(screen, panel):
    return screen["panels"][panel]["cells"]


def texts_of(screen, panel):
    return [[t for t, _ in row] for row in cells(screen, panel)]


def lit(screen, panel, *states):
    return sorted((r, c) for r, row in enumerate(cells(screen, panel)) for c, (_, s) in enumerate(row) if s in states)


def grid_of(array):
    a = np.asarray(array)
    return a[None, :] if a.ndim == 1 else a


def as_texts(array):
    return [[fmt(v) for v in row] for row in grid_of(array)]


def cell_of(view, reading, panel, k):
    """The (row, column) of ``panel`` whose order is step ``k`` (one cell)."""
    order = view.readings[reading]["panels"][panel]["order"]
    return next((r, c) for r, row in enumerate(order) for c, o in enumerate(row) if o == k)


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


# -- the contract: every reading is well formed ---------------------------------------------------
def all_views():
    for name in TRANSPOSED:
        yield pytest.param(lambda name=name: TransposeView.from_example(name), id=f"transposed-{name}")
    for name, (x, w, kw) in CONFIGS.items():
        yield pytest.param(lambda x=x, w=w, kw=kw: TransposeView(x, w, **kw), id=f"transposed-{name}")
    yield pytest.param(lambda: GradientView.from_example("seed_conv2d"), id="gradient-seed")
    yield pytest.param(lambda: GradientView(*GRAD_STRIDED[:3], **GRAD_STRIDED[3]), id="gradient-strided")
    yield pytest.param(lambda: GradientView(*GRAD_1D[:3], **GRAD_1D[3]), id="gradient-1d")
    yield pytest.param(lambda: Im2colView.from_example("seed_conv2d"), id="im2col-seed")
    yield pytest.param(lambda: Im2colView.from_example("seed_conv2d", padding=1), id="im2col-padded")


@pytest.mark.parametrize("make", list(all_views()))
def test_readings_follow_the_schema(make):
    view = make()
    assert isinstance(view, View)
    data = json.loads(json.dumps(view.data))               # plain JSON: what the browser receives
    assert data == view.data and data["kind"] == view.kind
    assert data["reading"] == data["readings"][0]["key"] == view.reading
    for rd in data["readings"]:
        assert rd["n"] == len(rd["steps"]) > 0 and rd["top"] == 0 and rd["first"] == 0
        assert sorted(pid for row in rd["rows"] for pid in row) == sorted(rd["panels"])
        used = {s for s, _ in rd["legend"]} | {"done", "current", "todo"}
        for pid, P in rd["panels"].items():
            shape = (len(P["t"]), len(P["t"][0]))
            assert P["role"] in ("in-cell", "kernel-cell", "out-cell", "cell")
            for field in ("s", "keys", "order", "reads"):
                if P.get(field) is not None:
                    assert (len(P[field]), len(P[field][0])) == shape and all(len(r) == shape[1] for r in P[field])
            if P.get("rl"):
                assert len(P["rl"]) == shape[0]
            if P.get("cl"):
                assert len(P["cl"]) == shape[1]
            used |= {s for row in P["s"] for s in row}
            for row in P.get("reads") or []:
                for sentence, targets in row:
                    assert sentence and all(t[0] in rd["panels"] for t in targets)
            if P.get("order"):
                orders = sorted(o for row in P["order"] for o in row if o is not None)
                assert all(0 <= o < rd["n"] for o in orders)
        for k, step in enumerate(rd["steps"]):
            assert step["h"] and step["say"] and step["lines"]
            for pid, layer in step["set"].items():
                P = rd["panels"][pid]
                for where in list(layer.get("t", {})) + list(layer.get("s", {})):
                    for r, c in schema.cells_of(where):
                        assert 0 <= r < len(P["t"]) and 0 <= c < len(P["t"][0])
                used |= set(layer.get("s", {}).values())
            for other, j in step.get("jump", {}).items():
                assert other != rd["key"] and 0 <= j < next(r["n"] for r in data["readings"] if r["key"] == other)
        # every state drawn has its colours in the one stylesheet, and the legend names it
        assert all(f".cc-s-{s} {{ --fill: " in CSS for s in used), used
        drawn = {s for k in range(rd["n"]) for P in view.screen(k, reading=rd["key"])["panels"].values()
                 for row in P["cells"] for _, s in row}
        assert drawn <= {s for s, _ in rd["legend"]} | {"plain"}, drawn - {s for s, _ in rd["legend"]}


# -- TransposeView ------------------------------------------------------------------------------
@pytest.mark.parametrize("make", list(transposed_cases()))
def test_transpose_scatter_screens_equal_the_trace(make):
    view, trace, result = make()
    rd = view.readings["scatter"]
    assert rd["n"] == len(trace)
    p = trace.problem
    R, C = grid_of(np.zeros(p.canvas_spatial)).shape
    o_group = p.weight.shape[1]
    counts = np.zeros((p.groups, R, C), dtype=int)
    for k in range(len(trace)):
        st = trace[k]
        screen = view.screen(k, reading="scatter")
        assert screen["header"].startswith(f"scatter · step {k} of steps 0–{len(trace) - 1}")
        # the stamping element is the one lit, in its channel only
        for c in range(p.in_channels):
            assert lit(screen, f"in{c}", "patch") == ([rc(st.in_pos)] if c == st.in_channel else [])
        after = trace.state_after(k, uncropped=True)
        for t in st.landings:
            counts[(st.group, *rc(t.canvas))] += 1
        for j, o in enumerate(st.out_channels):
            assert texts_of(screen, f"kern{j}") == as_texts(st.kernel[j])
            assert texts_of(screen, f"stamp{j}") == as_texts(st.value * p.weight[st.in_channel, j])
            canvas = cells(screen, f"canvas{o}")
            now = grid_of(after[o])
            for t, landing in enumerate(st.landings):
                r, c = rc(landing.canvas)
                text, state = canvas[r][c]
                assert text.split("→")[-1] == fmt(now[r, c]) == fmt(st.after[j].reshape(-1)[t])
                assert ("→" in text) == (counts[st.group, r, c] > 1)     # an overlap shows before → after
                if "→" in text:
                    assert text.split("→")[0] == fmt(st.before[j].reshape(-1)[t])
                assert state == ("pad-patch" if landing.cropped else "current")
        for o in range(p.out_channels):
            # the canvas holds the running sums: every cell a stamp reached so far
            reached = counts[o // o_group] > 0
            canvas = cells(screen, f"canvas{o}")
            for r in range(R):
                for c in range(C):
                    if reached[r, c]:
                        assert canvas[r][c][0].split("→")[-1] == fmt(grid_of(after[o])[r, c])
                        assert canvas[r][c][1] in ("current", "pad-patch", "done", "pad")
        for g in range(p.groups):
            assert texts_of(screen, f"count{g}") == [[str(v) for v in row] for row in counts[g]]
    # after the last stamp, the uncropped canvas cropped by padding is the library's output
    out = np.asarray(result).reshape(p.out_channels, -1, p.out_spatial[-1])   # one sample, rows × columns
    last = view.screen(len(trace) - 1, reading="scatter")
    for o in range(p.out_channels):
        kept = [[t.split("→")[-1] for t, s in row if s not in ("pad", "pad-patch")] for row in cells(last, f"canvas{o}")]
        kept = [row for row in kept if row]
        assert kept == as_texts(out[o])
        # the canvas cells are keyed by their output coordinates: the kept ones are the output's own
        keys = view.readings["scatter"]["panels"][f"canvas{o}"]["keys"]
        states = [[s for _, s in row] for row in cells(last, f"canvas{o}")]
        inside = [key_ for krow, srow in zip(keys, states) for key_, s in zip(krow, srow) if s not in ("pad", "pad-patch")]
        want = [key((o, *pos)) for pos in np.ndindex(*p.out_spatial)]
        assert inside == want


@pytest.mark.parametrize("make", list(transposed_cases()))
def test_scatter_reads_are_the_stamps_landings(make):
    view, trace, _ = make()
    panels = view.readings["scatter"]["panels"]
    p = trace.problem
    for c in range(p.in_channels):
        for r, row in enumerate(panels[f"in{c}"]["reads"]):
            for col, (sentence, targets) in enumerate(row):
                pos = (col,) if p.dims == 1 else (r, col)
                st = trace.step_at(c, pos)
                assert sorted(map(tuple, targets)) == sorted((f"canvas{o}", *rc(t.canvas))
                                                             for o in st.out_channels for t in st.landings)
                assert sentence.startswith(f"x[{c}, {', '.join(map(str, pos))}] = {fmt(st.value)} stamps")
                assert panels[f"in{c}"]["keys"][r][col] == key((c, *pos))


@pytest.mark.parametrize("make", list(transposed_cases()))
def test_reading_switch_lands_on_the_same_element(make):
    view, trace, _ = make()
    p = trace.problem
    scatter, gather = view.readings["scatter"], view.readings["gather"]
    for k, rec in enumerate(scatter["steps"]):
        kept = [t for t in trace[k].landings if not t.cropped]
        if not kept:
            assert "gather" not in rec["jump"]
            continue
        j = rec["jump"]["gather"]
        o, (r, c) = trace.gather[j].out_channel, cell_of(view, "gather", f"out{trace.gather[j].out_channel}", j)
        # the element computed there is one this stamp lands on (the first it reaches, in the first channel)
        assert gather["panels"][f"out{o}"]["keys"][r][c] == key((trace[k].out_channels[0], *kept[0].coords))
        assert view.screen(j, reading="gather")["panels"][f"out{o}"]["cells"][r][c][1] == "current"
    for k, rec in enumerate(gather["steps"]):
        g = trace.gather[k]
        stamps = trace.contributors(g.out_channel, g.out_pos)
        assert rec["jump"].get("scatter") == (stamps[0][0] if stamps else None)
        if stamps:
            # that scatter step lands a tap on the canvas cell of this output element
            screen = view.screen(rec["jump"]["scatter"], reading="scatter")
            canvas = tuple(x + a.pad_before for x, a in zip(g.out_pos, p.axes))
            assert cells(screen, f"canvas{g.out_channel}")[rc(canvas)[0]][rc(canvas)[1]][1] == "current"


def test_checkerboard_counts_are_the_stamps_per_cell():
    """A flat input and a flat kernel count stamps: the count panel equals the uncropped output."""
    ex = catalogue.get_transposed("checkerboard")
    view = TransposeView.from_example("checkerboard")
    counts = texts_of(view.screen(view.n - 1), "count0")
    canvas = ex.trace("scatter").state_after(len(ex.trace()) - 1, uncropped=True)[0]
    assert counts == as_texts(canvas)
    assert sorted({t for row in counts for t in row}) == ["1", "2", "4"]      # the checkerboard
    labels = view.readings["scatter"]["panels"]["canvas0"]["cl"]
    assert labels[0] == "crop" and labels[-1] == "+op 7" and labels[1] == "0"


def transposed_torch(ex):
    kw = ex.kwargs
    x = torch.tensor(np.asarray(ex.input), dtype=torch.float64)
    w = torch.tensor(np.asarray(ex.weight), dtype=torch.float64)
    b = None if kw["bias"] is None else torch.tensor(np.asarray(kw["bias"]), dtype=torch.float64)
    fn = torch.nn.functional.conv_transpose1d if ex.dims == 1 else torch.nn.functional.conv_transpose2d
    if w.ndim == ex.dims:                                    # plain: one channel each
        x, w = x[None], w[None, None]
    return fn(x[None], w, b, kw["stride"], kw["padding"], kw["output_padding"], kw["groups"], kw["dilation"])[0]


@pytest.mark.parametrize("name", TRANSPOSED)
def test_transpose_gather_screens_equal_the_trace_and_torch(name):
    ex = catalogue.get_transposed(name)
    view = TransposeView.from_example(name)
    trace = ex.trace("gather")
    rd = view.readings["gather"]
    assert rd["n"] == len(trace)
    pads = [a.pad_before for a in trace.conv_trace.problem.axes]
    want = transposed_torch(ex).numpy()
    for k in range(len(trace)):
        gs = trace[k]
        screen = view.screen(k, reading="gather")
        assert screen["header"] == f"gather · step {k} of steps 0–{len(trace) - 1}: output element " \
                                   f"({gs.out_channel}, {', '.join(map(str, gs.out_pos))})"
        taps = {rc(tuple(x + p for x, p in zip(tap.coords, pads))): kind for tap, kind in zip(gs.conv.window, gs.kinds)}
        for r, row in enumerate(cells(screen, "gin0")):
            for c, (_, state) in enumerate(row):
                if (r, c) in taps:
                    assert state == {"input": "patch", "inserted": "ins-patch", "padding": "pad-patch"}[taps[(r, c)]]
                else:
                    assert state in ("plain", "ins", "pad")
        assert texts_of(screen, "fk0") == as_texts(gs.conv.kernel[0])
        r, c = rc(gs.out_pos)
        out = cells(screen, f"out{gs.out_channel}")
        assert out[r][c] == (fmt(gs.value), "current") and fmt(gs.value) == fmt(grid_of(want[gs.out_channel])[r, c])
        assert screen["lines"][-1][1].endswith(f"= {fmt(gs.value)}")
        kinds = list(gs.kinds)
        assert screen["lines"][-2][1].startswith(f"its {len(kinds)} taps: {kinds.count('input')} on input element")
        # the outputs before this step are done, with their values; the later ones blank
        for o in range(ex.weight.shape[1] * ex.groups if np.ndim(ex.weight) > ex.dims else 1):
            for rr, row in enumerate(cells(screen, f"out{o}")):
                for cc, (text, state) in enumerate(row):
                    at = trace.index(o, (cc,) if ex.dims == 1 else (rr, cc))
                    if at < k:
                        assert (text, state) == (fmt(grid_of(want[o])[rr, cc]), "done")
                    elif at > k:
                        assert (text, state) == ("", "todo")
    final = texts_of(view.screen(rd["n"] - 1, reading="gather"), "out0")
    assert final == as_texts(ex.run()[0] if np.ndim(ex.weight) > ex.dims else ex.run())


@pytest.mark.parametrize("make", list(transposed_cases()))
def test_gather_order_and_reads(make):
    """A click on an output goes to the step computing it; pointing at an input element lights the
    outputs whose windows read it, which are the outputs its stamp lands on (the scatter reading)."""
    view, trace, _ = make()
    p = trace.problem
    gather = trace.gather
    rd = view.readings["gather"]
    seen = []
    for o in range(p.out_channels):
        P = rd["panels"][f"out{o}"]
        for r, row in enumerate(P["order"]):
            for c, k in enumerate(row):
                pos = (c,) if p.dims == 1 else (r, c)
                assert gather.locate(k) == (0, o, pos) and P["keys"][r][c] == key((o, *pos))
                seen.append(k)
    assert sorted(seen) == list(range(len(gather)))
    for c in range(p.in_channels):
        P = rd["panels"][f"gin{c}"]
        for r, row in enumerate(P["reads"]):
            for col, (sentence, targets) in enumerate(row):
                if P["keys"][r][col] is None:           # an inserted or padding zero
                    assert P["t"][r][col] == "0" and P["s"][r][col] in ("ins", "pad")
                    continue
                _, *pos = map(int, P["keys"][r][col].split(","))
                step = trace.index(c, pos)
                readers = sorted((f"out{o}", *rc(q)) for o in range(p.out_channels) for q in np.ndindex(*p.out_spatial)
                                 if step in [s for s, _ in trace.contributors(o, q)])
                assert sorted(map(tuple, targets)) == readers
                assert sentence == f"x[{c}, {', '.join(map(str, pos))}] is read by {len(readers)} output element" \
                                   + ("s" if len(readers) != 1 else "")


# -- Im2colView ---------------------------------------------------------------------------------
@pytest.mark.parametrize("padding", [0, 1])
def test_im2col_screens_are_the_trace_patches_and_outputs(padding):
    ex = catalogue.get("seed_conv2d").replace(padding=padding)
    trace = ex.trace()
    view = Im2colView.from_example("seed_conv2d", padding=padding)
    rd = view.readings["im2col"]
    y = conv2d(ex.input, ex.weight, padding=padding)
    torch_y = torch.nn.functional.conv2d(torch.tensor(ex.input[None], dtype=torch.float64),
                                         torch.tensor(ex.weight, dtype=torch.float64), padding=padding)[0].numpy()
    OH, OW = y.shape[1:]
    cols = ex.weight[0].size
    assert rd["n"] == OH * OW
    for k in range(rd["n"]):
        screen = view.screen(k)
        step = trace[k]                       # output channel 0, position k
        i, j = step.out_pos
        assert (i, j) == (k // OW, k % OW)
        X, Y = cells(screen, "X"), cells(screen, "Y")
        assert X[k] == [(fmt(v), "current") for v in step.patch.ravel()]
        assert all(X[r] == [(fmt(v), "done") for v in trace[r].patch.ravel()] for r in range(k))
        assert all(row == [("", "todo")] * cols for row in X[k + 1:])
        assert Y[k] == [(fmt(v), "current") for v in torch_y[:, i, j]]
        assert all(Y[r] == [(fmt(v), "done") for v in y[:, r // OW, r % OW]] for r in range(k))
        assert all(row == [("", "todo")] * 3 for row in Y[k + 1:])
        for c in range(2):
            for state, on_pad in (("patch", False), ("pad-patch", True)):
                assert lit(screen, f"in{c}", state) == sorted(
                    (t.coords[0] + padding, t.coords[1] + padding) for t in step.window if t.in_padding == on_pad)
        for o, (role, text) in enumerate(screen["lines"]):
            terms = " + ".join(f"{fmt(a)}·{fmt(b) if b >= 0 else f'({fmt(b)})'}"
                               for a, b in zip(trace[o * OH * OW + k].patch.ravel(), ex.weight[o].ravel()))
            assert role == "sum" and text == f"y[{o}, {i}, {j}] = row {k} · column {o} = {terms} = {fmt(y[o, i, j])}"
    assert rd["panels"]["W"]["t"] == as_texts(ex.weight.reshape(3, -1).T)
    # a click on a row of X or Y goes to its step
    for pid in ("X", "Y"):
        assert rd["panels"][pid]["order"] == [[k] * len(row) for k, row in enumerate(rd["panels"][pid]["t"])]
    assert [rd["panels"]["Y"]["keys"][k][o] for k in range(2) for o in range(3)] == \
           ["0,0,0", "1,0,0", "2,0,0", "0,0,1", "1,0,1", "2,0,1"]


def test_im2col_reads_light_every_copy_of_an_input_cell():
    """Each cell of X is a copy of one input cell: the one whose reads name it, holding its number."""
    view = Im2colView.from_example("seed_conv2d", padding=1)
    rd = view.readings["im2col"]
    last = view.screen(rd["n"] - 1)
    X = texts_of(last, "X")
    named = {}
    for c in range(2):
        P = rd["panels"][f"in{c}"]
        for r, row in enumerate(P["reads"]):
            for col, (sentence, targets) in enumerate(row):
                for pid, xr, xc in targets:
                    assert pid == "X" and (xr, xc) not in named
                    named[(xr, xc)] = (c, r, col)
                    assert X[xr][xc] == P["t"][r][col]
                    assert xc // (len(X[0]) // 2) == c               # the column block of channel c
                assert sentence.endswith(f"is copied into {len(targets)} cell{'s' if len(targets) != 1 else ''} of X")
    assert sorted(named) == [(r, c) for r in range(len(X)) for c in range(len(X[0]))]


# -- GradientView -------------------------------------------------------------------------------
def _ints(seed, shape):
    return np.random.default_rng(seed).integers(-3, 4, size=shape)


GRAD_STRIDED = (_ints(1, (2, 5, 4)), _ints(2, (4, 1, 2, 3)), _ints(3, (4, 3, 2)),
                dict(stride=(2, 1), padding=(1, 1), dilation=(1, 2), groups=2))
GRAD_1D = (_ints(4, (2, 7)), _ints(5, (3, 2, 3)), _ints(6, (3, 4)), dict(stride=2, padding=1))


def grad_cases():
    ex = catalogue.get("seed_conv2d")
    g = conv2d(ex.input, ex.weight) - 20
    yield pytest.param(lambda: (GradientView.from_example("seed_conv2d"), ex.input, ex.weight, g, {}), id="seed")
    x, w, g2, kw = GRAD_STRIDED
    yield pytest.param(lambda: (GradientView(x, w, g2, **kw), x, w, g2, kw), id="strided-grouped")
    x1, w1, g1, kw1 = GRAD_1D
    yield pytest.param(lambda: (GradientView(x1, w1, g1, **kw1), x1, w1, g1, kw1), id="1d-padded")


def torch_grads(x, w, g, kw):
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    wt = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    conv = torch.nn.functional.conv1d if x.ndim == 2 else torch.nn.functional.conv2d
    y = conv(xt[None], wt, **kw)[0]
    y.backward(torch.tensor(g, dtype=torch.float64))
    return xt.grad.numpy(), wt.grad.numpy()


@pytest.mark.parametrize("make", list(grad_cases()))
def test_gradient_screens_equal_the_traces_and_autograd(make):
    view, x, w, g, kw = make()
    dx, dw = torch_grads(x, w, g, kw)
    assert g.shape == (api.conv1d if x.ndim == 2 else api.conv2d)(x, w, **kw).shape
    for trace, wrt, torch_grad in ((view.input_trace, "input", dx), (view.weight_trace, "weight", dw)):
        rd = view.readings[wrt]
        assert rd["n"] == len(trace) == torch_grad.size
        for k in range(len(trace)):
            st = trace[k]
            screen = view.screen(k, reading=wrt)
            assert fmt(st.value) == fmt(torch_grad[st.element])
            products = " + ".join(f"{fmt(a) if a >= 0 else f'({fmt(a)})'}·{fmt(b) if b >= 0 else f'({fmt(b)})'}"
                                  for a, b in zip(st.grad_output_values, st.other_values)) or "0 (no terms)"
            name = ("∂L/∂x[" if wrt == "input" else "∂L/∂w[") + ", ".join(map(str, st.element)) + "]"
            if len(st) <= 12:
                assert screen["lines"][-1] == ["total", f"{name} = {products} = {fmt(torch_grad[st.element])}"]
            assert screen["lines"][-1][1].endswith(f"= {fmt(torch_grad[st.element])}")
            # the factors lit: the grad_output elements and the weights (or inputs) of the products
            for o in range(w.shape[0]):
                assert lit(screen, f"g{o}", "patch") == sorted(rc(gi[1:]) for gi in st.grad_output_index if gi[0] == o)
            if wrt == "input":
                for o in range(w.shape[0]):
                    for c in range(w.shape[1]):
                        assert lit(screen, f"w{o}_{c}", "patch") == sorted(
                            rc(oi[2:]) for oi in st.other_index if (oi[0], oi[1]) == (o, c))
            else:
                for c in range(x.shape[0]):
                    assert lit(screen, f"x{c}", "patch") == sorted(rc(oi[1:]) for oi in st.other_index if oi[0] == c)
            # the gradient filling in: done cells hold autograd's values, this one the step's, later ones blank
            panel = f"dx{st.element[0]}" if wrt == "input" else f"dw{st.element[0]}_{st.element[1]}"
            r, c = rc(st.element[1:] if wrt == "input" else st.element[2:])
            assert cells(screen, panel)[r][c] == (fmt(st.value), "current")
            assert cell_of(view, wrt, panel, k) == (r, c)
            for pid, P in rd["panels"].items():
                if not P.get("order"):
                    continue
                lead = tuple(int(i) for i in pid[2:].split("_"))
                for rr, row in enumerate(cells(screen, pid)):
                    for cc, (text, state) in enumerate(row):
                        at = P["order"][rr][cc]
                        element = (*lead, *((cc,) if torch_grad.ndim == len(lead) + 1 else (rr, cc)))
                        assert P["keys"][rr][cc] == key(element)
                        if at < k:
                            assert (text, state) == (fmt(torch_grad[element]), "done")
                        elif at > k:
                            assert (text, state) == ("", "todo")


@pytest.mark.parametrize("make", list(grad_cases()))
def test_gradient_reads_follow_the_forward_windows(make):
    """g[o, i, j] adds into the input gradient under output (i, j)'s window, and into every weight
    whose tap read a real input there; x[c, i, j] into the weights whose taps read it: the forward
    trace's windows, not the gradient traces the view was built from."""
    view, x, w, g, kw = make()
    forward = (api.trace1d if x.ndim == 2 else api.trace2d)(x, w, **kw)
    per = w.shape[1]
    want = {"input": {}, "weight": {}}
    for st in forward:
        o, pos = st.out_channel, st.out_pos
        for c in st.in_channels:
            for tap in st.window:
                if tap.in_padding:
                    continue
                local = c - st.group * per
                want["input"].setdefault(("g", (o, *pos)), set()).add((f"dx{c}", *rc(tap.coords)))
                want["input"].setdefault(("w", (o, local, *tap.offset)), set()).add((f"dx{c}", *rc(tap.coords)))
                want["weight"].setdefault(("g", (o, *pos)), set()).add((f"dw{o}_{local}", *rc(tap.offset)))
                want["weight"].setdefault(("x", (c, *tap.coords)), set()).add((f"dw{o}_{local}", *rc(tap.offset)))
    for wrt in ("input", "weight"):
        rd = view.readings[wrt]
        checked = 0
        for pid, P in rd["panels"].items():
            if P.get("order"):
                assert not P.get("reads")
                continue
            name = pid[0]
            for r, row in enumerate(P["reads"]):
                for c, (sentence, targets) in enumerate(row):
                    element = tuple(int(v) for v in P["keys"][r][c].split(","))
                    assert set(map(tuple, targets)) == want[wrt].get((name, element), set())
                    assert len(targets) == len(set(map(tuple, targets)))
                    assert sentence.startswith(f"{name}[{', '.join(map(str, element))}] = {P['t'][r][c]} adds into "
                                               f"{len(targets)} element")
                    checked += 1
        assert checked == (g.size + w.size if wrt == "input" else g.size + x.size)


# -- the widget ---------------------------------------------------------------------------------
def test_step_and_reading_sync_and_validation():
    view = TransposeView.from_example("stamps_1d")
    assert view.reading == "scatter" and view.n == 3 and list(view.readings) == ["scatter", "gather"]
    view.update(6, reading="gather")
    assert (view.reading, view.step) == ("gather", 6)
    assert view.screen()["header"].startswith("gather · step 6 of steps 0–6")
    assert view.record(1, "scatter") is view.readings["scatter"]["steps"][1]
    with pytest.raises(IndexError, match="steps 0 to 6"):
        view.step = 7
    with pytest.raises(IndexError, match="steps 0 to 2"):
        view.screen(3, reading="scatter")
    view.update(2, reading="scatter")
    assert (view.reading, view.step) == ("scatter", 2)
    with pytest.raises(ValueError, match="reading must be one of"):
        view.reading = "sideways"
    assert repr(view) == "<TransposeView: scatter, step 2 of steps 0–2>"


def test_the_stamps_notebook_numbers():
    """08's stamps: the overlaps the notebook writes out, read from the screen."""
    view = TransposeView.from_example("stamps_1d")
    assert texts_of(view.screen(1), "canvas0")[0][2] == "-1→1"
    assert texts_of(view.screen(2), "canvas0")[0][4] == "-2→1"
    assert texts_of(view.screen(2), "count0") == [["1", "1", "2", "1", "2", "1", "1"]]
    assert view.record(1, "scatter")["jump"] == {"gather": 2}
    assert view.screen(2, reading="gather")["lines"][0][1] == "input channel 0: 1·(-1) + 0·0 + 2·1 = 1"


def test_example_named_only_when_unchanged():
    assert TransposeView.from_example("stamps_1d").data["example"] == "stamps_1d"
    assert TransposeView([1, 2], [1, 1]).data["example"] is None
    assert Im2colView.from_example("seed_conv2d", padding=1).data["example"] is None
    assert GradientView.from_example("seed_conv2d", target=0).data["example"] is None


def test_too_big_to_ship_every_step_is_refused_before_building():
    with pytest.raises(ValueError, match=r"1,600 steps × 13,122 grid cells .* use a smaller example"):
        TransposeView(np.ones((40, 40)), np.ones((3, 3)), stride=2)
    with pytest.raises(ValueError, match="Im2colView ships every step"):
        Im2colView(np.ones((1, 64, 64)), np.ones((1, 1, 3, 3)))
    with pytest.raises(ValueError, match="GradientView ships every step"):
        GradientView(np.ones((1, 80, 80)), np.ones((1, 1, 3, 3)), np.ones((1, 78, 78)))
