"""The convolution views headless: what each step's screen shows agrees with the library's trace.

The screen is ``schema.screen()`` of the shipped records (what the renderer draws, and what the
browser tests compare the page with); the oracle is the trace, itself tested against PyTorch.
"""
from __future__ import annotations

import base64
import html
import io
import json
import re

import numpy as np
from hypothesis import given, settings, strategies as st
import pytest
from PIL import Image

from convcore import examples
from convcore import Network
from convcore.views import (Explorer, GradientView, HeatmapView, Im2colView, NetworkView, PointwiseView, PoolView,
                            ReceptiveFieldView, SequenceView, Stepper1D, Stepper2D, TransposeView, View, as_trace,
                            embed_html, static_assets, view_for)
from convcore.views.conv import build_up, kind_of
from convcore.views import picture, schema
from convcore.views.view import STATIC

CONV = [n for n in examples.names() if kind_of(as_trace(n)) in ("stepper1d", "stepper2d")]


def num(text):
    text = text.strip().strip("()")
    return float(text) if "." in text or "e" in text else int(text)


def cells(panel):
    return [(r, c, text, state) for r, row in enumerate(panel["cells"]) for c, (text, state) in enumerate(row)]


def check_screen(view, k, b):
    """Step k at build-up b: the window, the sums, the output cells, against trace[k]."""
    trace, p = view.trace, view.trace.problem
    st = trace[k]
    sc = view.screen(k, b)
    rd = view.current
    top = rd["top"]
    assert sc["header"].startswith(f"step {k} of steps 0–{len(trace) - 1}: ")
    window = {",".join(map(str, t.coords)) for t in st.window}
    for c in range(p.in_channels):
        P, shown = rd["panels"][f"in{c}"], sc["panels"][f"in{c}"]
        lit = {P["keys"][r][cc] for r, cc, _, s in cells(shown) if s in ("patch", "pad-patch", "active")}
        assert lit == (window if c in st.in_channels else set()), (k, c)
        for r, cc, text, s in cells(shown):
            coords = tuple(int(v) for v in P["keys"][r][cc].split(","))
            outside = any(not 0 <= i < a.n for i, a in zip(coords, p.axes))
            assert (s in ("pad", "pad-patch")) == outside or s == "active"
            if not outside:
                assert num(text) == p.input[(st.sample, c, *coords)]
    # the build-up: products revealed in order, term by term or channel by channel, the bias last
    unit, per, top_expected = build_up(trace, view.steps.kind)
    assert top == top_expected == (len(st.in_channels) * (st.products[0].size if unit == "term" else 1)
                                   + (p.bias is not None))
    sums = [line for role, line in sc["lines"] if role == "sum"]
    total = [line for role, line in sc["lines"] if role == "total"]
    assert len(total) == 1
    taps = st.products[0].size
    for i, ch in enumerate(st.in_channels):     # how many products of each channel are added by b
        m = taps if b >= top else (max(0, min(taps, b - i * taps)) if unit == "term" else taps * (i < b))
        line = next((x for x in sums if x.startswith(f"input channel {ch}: ")), None)
        if line is None:                       # not added yet, or past the channels written out
            assert m == 0 or len(st.in_channels) > 6
            continue
        terms = line.split(": ", 1)[1].split(" = ")[0].split(" + ")
        pairs = [tuple(num(x) for x in t.split("·")) for t in terms if t != "…"]
        every = list(zip(st.patch[i].ravel().tolist(), st.kernel[i].ravel().tolist()))[:m]
        assert pairs == (every if len(every) <= 12 else every[:10] + every[-1:])
        assert num(line.split(" = ")[-1].replace(" so far", "")) == st.products[i].ravel()[:m].sum()
        assert line.endswith(" so far") == (m < taps)
    out = np.asarray(trace.output).reshape(p.batch, p.out_channels, *p.out_spatial)
    if b >= top:
        assert num(total[0].split(" = ")[-1]) == st.value
    else:
        assert "so far" in total[0] or total[0].endswith("= …")
    # the output tensor: done before k, current at k (its running value), todo after
    for c in range(p.out_channels):
        shown = sc["panels"][f"out{st.sample}.{c}"]
        for r, cc, text, s in cells(shown):
            pos = (r, cc) if p.dims == 2 else (cc,)
            when = trace.index(c, pos, st.sample)
            assert s == ("done" if when < k else "current" if when == k else "todo")
            if when < k or (when == k and b >= top):
                assert num(text) == out[(st.sample, c, *pos)]
            elif when > k:
                assert text == ""


@pytest.mark.parametrize("name", CONV)
def test_every_step_and_buildup_shows_the_trace(name):
    view = view_for(name)
    for k in range(len(view.trace)):
        for b in range(view.buildup_max + 1):
            check_screen(view, k, b)


def test_seed_numbers_are_written_out():
    v = Stepper2D.from_example("seed_conv2d")
    sc = v.screen(0)
    assert sc["lines"] == [["sum", "input channel 0: 1·1 + 5·0 + 2·0 + 6·1 = 7"],
                           ["sum", "input channel 1: 1·1 + 1·1 + 2·1 + 2·1 = 6"],
                           ["total", "out[0, 0, 0] = 7 + 6 = 13"]]
    assert sc["say"] == "output channel 0 at (0, 0): 7 + 6 = 13"
    # the build-up ends at the last term: the seed's 8 products, no bias
    assert v.buildup_max == 8
    assert v.screen(0, 7)["lines"][-1][1] == "out[0, 0, 0] = 7 + 4 + … (so far 11)"   # 1 + 1 + 2 of channel 1
    assert v.screen(0, 0)["lines"] == [["total", "out[0, 0, 0] = …"]]


def test_the_bias_is_the_last_term_of_the_buildup():
    v = Stepper1D([1, 2, 3, 4], [1, 0, -1], bias=[10])
    assert v.buildup_max == 4                                   # three products, then the bias
    assert v.screen(0, 3)["lines"][-1][1] == "out[0] = (-2) + … (so far -2)"
    assert v.screen(0, 4)["lines"][-1][1] == "out[0] = (-2) + 10 (bias) = 8"


def test_the_tap_just_added_is_lit_in_the_input_and_the_kernel():
    v = Stepper2D.from_example("seed_conv2d")
    sc = v.screen(4, 3)                                         # the third product of step 4: 7·0
    active_in = [(r, c) for r, c, _, s in cells(sc["panels"]["in0"]) if s == "active"]
    active_w = [(r, c) for r, c, _, s in cells(sc["panels"]["w0"]) if s == "active"]
    st = v.trace[4]
    tap = st.window[2]
    assert active_in == [tuple(x + a.pad_before for x, a in zip(tap.coords, v.trace.problem.axes))]
    assert active_w == [tap.offset] and sc["panels"]["in0"]["cells"][active_in[0][0]][active_in[0][1]][0] == "7"


def test_positions_name_every_step():
    v = Stepper2D.from_example("seed_conv2d")
    table = v.current["table"]
    for k in range(v.n):
        pos = v.record(k)["pos"]
        assert pos == [v.trace[k].out_channel, *v.trace[k].out_pos]
        assert table[pos[0]][pos[1]][pos[2]] == k


def test_output_cells_know_their_step_and_input_cells_their_readers():
    v = Stepper1D([1, 2, 3, 4, 5], [1, 0, -1], stride=2, padding=1)
    p = v.trace.problem
    out = v.current["panels"]["out0.0"]
    assert out["order"] == [[v.trace.index(0, (j,)) for j in range(p.out_spatial[0])]]
    reads = v.current["panels"]["in0"]["reads"]
    for c, key in enumerate(v.current["panels"]["in0"]["keys"][0]):
        i = int(key)
        if not 0 <= i < 5:
            assert reads[0][c] is None
            continue
        # output j reads input i when i = j·stride − padding + t for a tap t in 0..2
        expected = sorted(j for j in range(p.out_spatial[0]) if 0 <= i - (2 * j - 1) < 3)
        sentence, targets = reads[0][c]
        assert sorted(t[2] for t in targets) == expected and all(t[:2] == ["out0.0", 0] for t in targets)
        assert sentence.startswith(f"input channel 0 at ({i}) is ")
    assert reads[0][1 + 4][0].endswith(": out[2]") or "never read" not in reads[0][1 + 4][0]


def test_constructors_accept_example_trace_or_arrays():
    by_name = Stepper2D.from_example("seed_conv2d")
    by_trace = Stepper2D(as_trace("seed_conv2d"))
    by_arrays = Stepper2D(examples.get("seed_conv2d").input, examples.get("seed_conv2d").weight)
    assert by_name.screen(5) == by_trace.screen(5) == by_arrays.screen(5)
    assert by_name.data["example"] == "seed_conv2d" and by_arrays.data["example"] is None
    assert Stepper2D.from_example("groups", padding=1).data["example"] is None     # changed: no longer the example
    with pytest.raises(ValueError, match="shows 2-D convolutions"):
        Stepper2D(as_trace([1, 2, 3], [1, 1], dims=1))
    with pytest.raises(ValueError, match="1×1 convolutions"):
        PointwiseView.from_example("seed_conv2d")


def test_view_for_chooses_numbers_matrix_or_heatmap():
    rng = np.random.default_rng(0)
    assert isinstance(view_for("seed_conv2d"), Stepper2D) and isinstance(view_for("seed_1x1"), PointwiseView)
    big = view_for(rng.integers(-5, 6, (3, 20, 20)), rng.integers(-2, 3, (4, 3, 3, 3)), padding=1)
    assert isinstance(big, HeatmapView)


def test_pointwise_shows_y_equals_w_x_at_each_pixel():
    v = PointwiseView.from_example("seed_1x1")
    p = v.trace.problem
    for k in range(v.n):
        st = v.trace[k]
        sc = v.screen(k)
        x = [num(t) for t, _ in (row[0] for row in sc["panels"]["x"]["cells"])]
        assert x == p.input[st.sample][(slice(None), *st.out_pos)].tolist()
        y_text, y_state = sc["panels"]["y"]["cells"][st.out_channel][0]
        assert y_state == "current" and num(y_text) == st.value


def test_heatmap_boxes_follow_the_window_and_numbers_come_in_blocks():
    rng = np.random.default_rng(0)
    v = HeatmapView(rng.integers(-5, 6, (3, 40, 40)), rng.integers(-2, 3, (2, 3, 3, 3)), padding=1)
    rd = v.current
    assert rd["block"] and len(rd["steps"]) < rd["n"]          # the rest comes when the browser asks
    assert rd["panels"]["in0"]["image"].startswith("data:image/png;base64,")
    assert "data:image" not in json.dumps(rd["steps"])          # the images ship once, not per step
    k = rd["n"] - 5
    st = v.trace[k]
    sc = v.screen(k)
    window, *taps = sc["panels"]["in0"]["boxes"]              # no dilation: the window box alone
    rows, cols = zip(*((r + 1, c + 1) for r, c in (t.coords for t in st.window)))
    assert window == [min(rows), min(cols), max(rows) - min(rows) + 1, max(cols) - min(cols) + 1, "window"]
    assert taps == []
    patch = [num(t) for row in sc["panels"]["patch0"]["cells"] for t, _ in row]
    assert patch == st.patch[0].ravel().tolist()
    sent = []
    v.send = lambda msg: sent.append(msg)
    v._on_msg(v, {"type": "steps", "reading": "steps", "at": k}, [])
    assert sent[0]["first"] <= k < sent[0]["first"] + len(sent[0]["steps"])
    assert sent[0]["steps"][k - sent[0]["first"]] == json.loads(json.dumps(v.record(k)))
    dilated = HeatmapView(rng.integers(-5, 6, (1, 40, 40)), rng.integers(-2, 3, (1, 1, 3, 3)), dilation=2)
    d_st = dilated.trace[7]
    window, *taps = dilated.screen(7)["panels"]["in0"]["boxes"]
    assert window[2:4] == [5, 5] and [tuple(t[:2]) for t in taps] == [t.coords for t in d_st.window]


def test_a_failing_block_request_is_shown_in_the_view():
    v = Stepper2D.from_example("seed_conv2d")
    v._on_msg(v, {"type": "steps", "reading": "nowhere", "at": 0}, [])
    assert v.error.startswith("KeyError") and v.last_error is not None


def test_step_buildup_and_reading_sync_both_ways():
    v = Stepper2D.from_example("seed_conv2d")
    v.update(5, buildup=2)
    assert (v.step, v.buildup) == (5, 2)
    v.update(6)
    assert (v.step, v.buildup) == (6, v.buildup_max)
    with pytest.raises(Exception, match="outside this view's steps 0 to 26"):
        v.step = 27
    with pytest.raises(Exception, match="reading must be one of"):
        v.reading = "sideways"


EVERY_KIND = [  # (how to make it, the catalogue example it names)
    (lambda: Stepper1D([1, 2, 3, 4, 5], [1, 0, -1]), None),
    (lambda: Stepper2D.from_example("seed_conv2d"), "seed_conv2d"),
    (lambda: PointwiseView.from_example("seed_1x1"), "seed_1x1"),
    (lambda: TransposeView.from_example("checkerboard"), "checkerboard"),
    (lambda: GradientView.from_example("seed_conv2d"), "seed_conv2d"),
    (lambda: Im2colView.from_example("seed_conv2d"), "seed_conv2d"),
    (lambda: PoolView([[1, 2, 0, 1], [3, 4, 1, 0], [0, 0, 5, 6], [1, 2, 7, 8]], "max", kernel_size=2), None),
    (lambda: ReceptiveFieldView([dict(kernel_size=3, padding=1), dict(kind="max_pool", kernel_size=2),
                                 dict(kernel_size=3, padding=1), dict(kind="max_pool", kernel_size=2)], 16), None),
    (lambda: SequenceView(24), None),
    (lambda: NetworkView(Network([{"type": "Conv2d", "in_channels": 1, "out_channels": 2, "kernel_size": 3,
                                   "padding": 1}, {"type": "ReLU"}, {"type": "MaxPool2d", "kernel_size": 2},
                                  {"type": "Flatten"}, {"type": "Linear", "in_features": 8, "out_features": 3}],
                                 seed=0), np.arange(16.0).reshape(1, 4, 4) % 5), None),
]


@pytest.mark.parametrize("make, example", EVERY_KIND, ids=lambda x: x if isinstance(x, str) else None)
def test_a_view_displays_as_a_widget_or_as_its_static_embed(make, example, monkeypatch):
    """Live: the widget. With CONVCORE_VIEWS=static: exactly ``embed_html``, whose JSON holds every step
    of every reading, the step and reading on screen, and shows the same screens."""
    view = make()
    bundle = view._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in (bundle[0] if isinstance(bundle, tuple) else bundle)
    view.update(2)
    html = embed_html(view)
    m = re.fullmatch(r'<div class="convcore-embed" data-view="([\w-]+)">'
                     r'<script type="application/json" class="convcore-data">(.*)</script></div>', html, re.S)
    assert m and m.group(1) == view.data["kind"]
    assert "</" not in m.group(2)
    payload = json.loads(m.group(2))
    assert payload["step"] == 2 and payload["reading"] == view.reading
    assert payload["data"]["example"] == view.data["example"] == example
    for shipped, rd in zip(payload["data"]["readings"], view.data["readings"]):
        assert shipped["steps"] == json.loads(json.dumps(rd["steps"])) and shipped["held"] is None
        same = json.loads(json.dumps(schema.screen(shipped, shipped["steps"][2], 2)))
        assert same == json.loads(json.dumps(view.screen(2, reading=rd["key"])))
    monkeypatch.setenv("CONVCORE_VIEWS", "static")
    assert view._repr_mimebundle_()["text/html"] == html


def test_embed_html_holds_whole_steps_and_says_what_it_leaves_out():
    v = Stepper2D.from_example("seed_conv2d")
    whole = json.loads(re.search(r">(\{.*\})<", embed_html(v)).group(1))
    assert whole["data"]["readings"][0]["held"] is None and len(whole["data"]["readings"][0]["steps"]) == 27
    cut = json.loads(re.search(r">(\{.*\})<", embed_html(v, budget_bytes=60_000)).group(1))
    rd = cut["data"]["readings"][0]
    assert 0 < rd["held"] == len(rd["steps"]) < 27
    assert ["held", f"This page holds steps 0–{rd['held'] - 1} of 27; run the notebook for the rest."] in rd["notes"]
    with pytest.raises(ValueError, match="show a smaller example"):
        embed_html(v, budget_bytes=1000)


def test_static_assets_are_the_renderer_and_its_stylesheet():
    assets = static_assets()
    assert set(assets) == {"convcore-view.js", "convcore-view.css"}
    assert "export function hydrate" in assets["convcore-view.js"] and "--cc-patch-edge" in assets["convcore-view.css"]


def test_one_widget_class():
    for v in (Stepper1D([1, 2, 3, 4], [1, 0, -1]), Stepper2D.from_example("seed_conv2d"),
              PointwiseView.from_example("seed_1x1")):
        assert isinstance(v, View)
        assert v._esm == (STATIC / "view.js").read_text() and v._css == (STATIC / "view.css").read_text()


def test_explorer_live_view_and_static_embed(monkeypatch):
    e = Explorer()
    assert isinstance(e, View) and e.data["controls"] and not e.data.get("pick")
    monkeypatch.setenv("CONVCORE_VIEWS", "static")
    html = e._repr_mimebundle_()["text/html"]        # its settings' combinations, as embed_html(e) makes them
    assert html == embed_html(e) and 'data-view="explorer"' in html and '"pick":true' in html


def test_the_stepper_marks_inputs_no_window_reads():
    v = Stepper1D(list(range(7)), [1, 1], stride=3)              # windows at 0-1 and 3-4: 2, 5, 6 unread
    unread = [v.current["panels"]["in0"]["keys"][0][c] for c, s in enumerate(v.current["panels"]["in0"]["s"][0])
              if s == "unread"]
    assert unread == ["2", "5", "6"] and ["unread", "never read"] in v.current["legend"]


def test_a_view_carries_its_picture_and_says_what_it_shows():
    v = Stepper2D.from_example("seed_conv2d")
    v.update(4, buildup=3)
    data, _meta = v._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in data                   # live: the widget draws
    shown = Image.open(io.BytesIO(base64.b64decode(data["image/png"]))).convert("RGB")
    drawn = picture.picture(v)
    assert shown.size == drawn.size                                             # step 4, build-up 3
    assert data["text/plain"] == ("step 4 of steps 0–26: output channel 0 at (1, 1) reads input channels 0, 1. "
                                  "input channel 0: 6·1 + 10·0 + 7·0 + … = 6 so far out[0, 1, 1] = 6 + … (so far 6)")
    assert f'alt="{html.escape(data["text/plain"])}"' in data["text/html"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.booleans(), min_size=5, max_size=5), min_size=1, max_size=6))
def test_blocks_name_exactly_the_cells_of_a_mask_each_once(rows):
    """A step's ``set`` may name a block of cells ("r0,c0:r1,c1"): the blocks ``schema.blocks`` makes
    of a mask cover its True cells, each once, and no other."""
    mask = np.array(rows)
    named = [cell for where in schema.blocks(mask) for cell in schema.cells_of(where)]
    assert sorted(named) == [tuple(map(int, rc)) for rc in np.argwhere(mask)]
    assert len(named) == len(set(named))
