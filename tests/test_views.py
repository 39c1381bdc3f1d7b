"""The views headless: frames follow the trace, the shipped data shows the frames, the Python API."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from convcore import examples
from convcore.views import (Explorer, PointwiseView, Stepper1D, Stepper2D, as_trace, embed_html, static_assets,
                            view_for)
from convcore.views import data, frames
from convcore.views.widgets import view_class

sys.path.insert(0, str(Path(__file__).parent / "browser"))
from browser_checks import expected  # noqa: E402

NAMES = examples.names()


def num(text):
    text = text.strip()
    return float(text) if "." in text or "e" in text else int(text)


def check_frame_follows_the_trace(trace, f, k):
    """Everything a stepper frame shows at step k agrees with trace[k] and the finished output."""
    step = trace[k]
    p = trace.problem
    assert f.step == k and f.header.startswith(f"step {k} of steps 0–{len(trace) - 1}")
    window = {",".join(map(str, t.coords)) for t in step.window}
    for g in f.inputs:
        cells = [c for row in g.rows for c in row]
        lit = {c.key for c in cells if c.state in ("patch", "pad-patch")}
        assert lit == (window if g.channel in step.in_channels else set())
        for c in cells:
            coords = tuple(int(v) for v in c.key.split(","))
            assert (c.state in ("pad", "pad-patch")) == any(not 0 <= i < a.n for i, a in zip(coords, p.axes))
    for i, s in enumerate(f.arithmetic.sums):
        assert s.channel == step.in_channels[i]
        assert [num(t.product) for t in s.terms] == step.products[i].ravel().tolist()
        for t, a, b in zip(s.terms, step.patch[i].ravel(), step.kernel[i].ravel()):
            left, right = t.text.split("·")
            assert (num(left.strip("()")), num(right.strip("()"))) == (a, b)
        assert num(s.partial) == step.partial_sums[i]
    assert num(f.arithmetic.value) == step.value
    out = np.asarray(trace.output).reshape(p.batch, p.out_channels, *p.out_spatial)[step.sample]
    for g in f.outputs:
        for c in (c for row in g.rows for c in row):
            index = tuple(int(v) for v in c.key.split(","))
            at = trace.index(index[0], index[1:], step.sample)
            assert c.state == ("done" if at < k else "current" if at == k else "todo")
            assert (num(c.text) == out[index]) if at <= k else c.text == ""


@pytest.mark.parametrize("name", [n for n in NAMES if frames.kind_of(as_trace(n)) != "pointwise"])
def test_frames_follow_the_trace_at_every_step(name):
    trace = as_trace(name)
    for k in range(len(trace)):
        check_frame_follows_the_trace(trace, frames.frame(trace, k), k)


def decode(S: dict, r: dict, k: int, b: int) -> dict:
    """What view.js draws from the shipped data at step k and build-up b, in ``expected``'s shape
    (the renderer's selection rules, written once more in Python to check the data)."""
    top, shown = S["top"], S["shown"][b]
    complete = b >= top
    s, oc = r["o"][0], r["o"][1]
    i, j = (r["o"][2], r["o"][3]) if S["dims"] == 2 else (0, r["o"][2])
    state = lambda at: "done" if at < k else "current" if at == k else "todo"   # noqa: E731
    n_taps = len(S["tapKeys"])
    out, inputs, kernels, terms, partials = [], [], [], [], []
    panels = r["ci"][:len(r.get("pt", r["ci"]))]
    if S["kind"] == "heatmap":
        out.append(["out-cell", r["k"], "current", r["a"][b], complete])
        inputs = [[str(ch), t[3], "pad-patch" if t[2] else "patch", "", False] for ch in r["ci"] for t in r["t"]]
    else:
        for c, keys in enumerate(S["outKeys"]):
            for ii, row in enumerate(keys):
                for jj, key in enumerate(row):
                    st = state(S["stepOf"][s][c][ii][jj])
                    text = {"done": S["outText"][s][c][ii][jj], "current": r["a"][b], "todo": ""}[st]
                    out.append(["out-cell", key, st, text, not (st == "current" and not complete)])
        lit = {(t[0], t[1]): "pad-patch" if t[2] else "patch" for t in r["t"]}
        for ch in range(S["cin"]):
            for rr, row in enumerate(S["inKeys"]):
                for cc, key in enumerate(row):
                    st = lit.get((rr, cc)) if ch in r["ci"] else None
                    inputs.append([str(ch), key, st or ("pad" if S["pad"][rr][cc] else "plain"),
                                   S["inp"][s][ch][rr][cc], bool(S["unread"][rr][cc])])
    if S["kind"] == "pointwise":
        for o in range(S["cout"]):
            st = state(S["stepOf"][s][o][i][j])
            text = {"done": S["outText"][s][o][i][j], "current": r["a"][b], "todo": ""}[st]
            out.append(["vec-out", S["outKeys"][o][i][j], st, text, True])
    else:
        for n, ch in enumerate(panels):
            kernels += [[str(ch), S["tapKeys"][t], S["ktext"][oc][n][t]] for t in range(n_taps)]
    for n, ch in enumerate(r["ci"]):
        m = shown[n]
        if ch in panels:
            terms += [[str(ch), S["tapKeys"][t], r["p"][n][t], r["x"][n][t]]
                      for t in S["termIdx"] if t is not None and t < m]
        if m:
            partials.append([str(ch), r["q"][n][m - 1], m == n_taps])
    return {"step": str(k), "buildup": str(b), "header": r["h"], "out": sorted(out), "inputs": sorted(inputs),
            "kernels": sorted(kernels), "terms": terms, "partials": partials,
            "value": [[r["v"] if complete else "…", complete]]}


@pytest.mark.parametrize("name", NAMES)
def test_shipped_data_shows_the_frame_at_every_step_and_buildup(name):
    trace = as_trace(name)
    cls = view_class(trace)
    view = cls(name)
    payload = json.loads(json.dumps(view.data))          # what the browser receives
    S = payload["static"]
    assert payload["steps"] == data.steps(trace, cls.kind, 0, len(trace))
    for k, r in enumerate(payload["steps"]):
        for b in range(S["top"] + 1):
            assert decode(S, r, k, b) == expected(view.frame_at(k, b)), (name, k, b)


def test_heatmap_data_shows_the_frame():
    rng = np.random.default_rng(0)
    trace = as_trace(rng.integers(-5, 6, (3, 20, 20)), rng.integers(-2, 3, (4, 3, 3, 3)), padding=1)
    view = view_for(trace)
    assert view.kind == "heatmap" and len(view.data["steps"]) < len(trace)   # the rest comes in blocks
    sent = []
    view.send = lambda msg, buffers=None: sent.append(msg)
    view._on_msg(view, {"type": "steps", "first": 1200}, [])
    S = view.data["static"]
    for k in (0, 19, 20, 399, 400, 1200 + 37, len(trace) - 1):
        if k < len(view.data["steps"]):
            r = view.data["steps"][k]
        else:
            view._on_msg(view, {"type": "steps", "first": k}, [])
            assert sent[-1]["first"] == k
            r = sent[-1]["steps"][0]
        for b in (0, 5, S["top"]):
            assert decode(S, r, k, b) == expected(view.frame_at(k, b)), (k, b)
    assert len(S["inImg"][0]) == 3 and len(S["outImg"][0]) == 4
    assert all(u.startswith("data:image/png;base64,") for u in S["inImg"][0] + S["outImg"][0])


def test_a_failing_block_request_is_shown_in_the_view():
    view = Stepper2D.from_example("seed_conv2d")
    view._on_msg(view, {"type": "steps", "first": "not a number"}, [])
    assert view.error.startswith("ValueError") and isinstance(view.last_error, ValueError)


def test_seed_numbers_are_written_out():
    f = Stepper2D.from_example("seed_conv2d").frame
    assert [s.line for s in f.arithmetic.sums] == ["1·1 + 5·0 + 2·0 + 6·1 = 7", "1·1 + 1·1 + 2·1 + 2·1 = 6"]
    assert f"{f.arithmetic.total} = {f.arithmetic.value}" == "out[0, 0, 0] = 7 + 6 = 13"
    r = Stepper2D.from_example("seed_conv2d").data["steps"][0]
    assert r["say"] == "output channel 0 at (0, 0): 7 + 6 = 13"
    assert Stepper1D.from_example("seed_conv1d").data["steps"][0]["say"] == "output channel 0 at (0): -2"


def test_headers_count_from_zero():
    view = Stepper2D.from_example("seed_conv2d")
    view.update(16)
    assert view.frame.header == "step 16 of steps 0–26: output channel 1 at (2, 1) reads input channels 0, 1"


def test_step_and_buildup_sync_both_ways():
    view = Stepper2D.from_example("seed_conv2d")
    top = view.buildup_max
    assert (view.step, view.buildup, top) == (0, top, 2 * 4 + 1)
    view.step = 13                                   # Python -> browser: a synced trait
    assert view.frame.step == 13
    view.update(5, buildup=2)
    assert (view.step, view.buildup) == (5, 2)
    assert [len(s.terms) for s in view.frame.arithmetic.sums] == [2, 0]
    view.update(5)                                   # same step: the build-up stays
    assert view.buildup == 2
    view.update(6)                                   # a new step starts complete
    assert view.buildup == top
    view.set_state({"step": 20, "buildup": 3})       # what the browser reports
    assert (view.step, view.buildup) == (20, 3) and view.frame.step == 20
    view.buildup = 99
    assert view.buildup == top
    with pytest.raises(IndexError, match="0 to 26"):
        view.update(27)


def test_buildup_adds_terms_then_channels_in_order():
    trace = as_trace("seed_conv2d")
    step = trace[0]
    seen = []
    for b in range(frames.buildup_max(trace) + 1):
        a = frames.frame(trace, 0, b).arithmetic
        seen.append([(s.channel, s.partial, s.complete) for s in a.sums if s.partial is not None])
        assert a.accumulated == ("?" if b == 0 else frames.fmt(step.products.ravel()[:b].sum()) if b < 9 else "13")
    assert seen[0] == [] and seen[4] == [(0, "7", True)] and seen[5] == [(0, "7", True), (1, "1", False)]
    ex = examples.get("groups").replace(weight=np.ones((4, 2, 4, 4), int), padding=2)
    assert frames.buildup_unit(ex.trace()) == "channel" and frames.buildup_max(ex.trace()) == 3


def test_constructors_accept_example_trace_or_arrays():
    ex = examples.get("seed_conv2d")
    for source in (ex, ex.trace(), "seed_conv2d"):
        assert Stepper2D(source).trace[0].value == 13
    assert Stepper1D([1, 2, 3, 4], [1, 0, -1]).trace[0].value == -2
    assert Stepper2D(ex.input, ex.weight, padding=1).trace.problem.out_spatial == (5, 5)
    assert len(as_trace("seed_1x1")) == 12 and len(as_trace([1, 2, 3, 4], [1, 0, -1])) == 2
    assert Stepper2D.from_example("seed_conv2d").data["static"]["example"] == "seed_conv2d"
    assert Stepper2D(ex.trace()).data["static"]["example"] is None
    with pytest.raises(ValueError, match="use Stepper2D"):
        Stepper1D("seed_conv2d")
    with pytest.raises(ValueError, match="use Stepper1D"):
        Stepper2D("seed_conv1d")
    with pytest.raises(ValueError, match="1×1"):
        PointwiseView.from_example("seed_conv2d")


def test_view_for_chooses_like_the_gif_writer():
    kinds = {name: type(view_for(name)).kind for name in NAMES}
    assert kinds["seed_conv1d"] == "stepper1d" and kinds["seed_1x1"] == "pointwise"
    assert all(kinds[n] == frames.kind_of(as_trace(n)) for n in NAMES)


def test_views_display_as_widgets_or_as_static_html(monkeypatch):
    view = Stepper2D.from_example("seed_conv2d")
    assert "application/vnd.jupyter.widget-view+json" in view._repr_mimebundle_()[0]
    monkeypatch.setenv("CONVCORE_VIEWS", "static")
    bundle = view._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/html"}
    assert bundle["text/html"].startswith('<div class="convcore-embed" data-view="stepper2d" data-module="convcore-view.js">')
    ex = Explorer("seed_conv2d")
    html = ex._repr_mimebundle_()["text/html"]
    assert "needs a running kernel" in html.replace("need a running kernel", "needs a running kernel")
    assert 'class="convcore-embed"' in html and 'data-role="shape"' in html


def _payload(html):
    start = html.index('class="convcore-data">') + len('class="convcore-data">')
    return json.loads(html[start:html.index("</script>", start)])


def test_embed_html_cut_to_a_budget_says_what_it_leaves_out():
    whole = _payload(embed_html(Stepper2D.from_example("seed_conv2d")))
    assert len(whole["steps"]) == 27 and whole["note"] == "" and whole["live"] is False
    view = Stepper2D.from_example("groups")
    html = embed_html(view, budget_bytes=20_000)
    assert len(html) < 21_000
    cut = _payload(html)
    kept = len(cut["steps"])
    assert 0 < kept < len(view.trace)
    assert cut["note"] == f"This page holds steps 0–{kept - 1} of {len(view.trace)}; run the notebook for the rest."
    assert cut["steps"] == data.steps(view.trace, "stepper2d", 0, kept)
    assert "</script>" not in html[html.index("convcore-data") + 20:-len("</script></div>")]


def test_static_assets_carry_the_renderer_and_its_stylesheet():
    from convcore.views import palette
    assets = static_assets()
    js = assets["convcore-view.js"]
    assert all(name.startswith("convcore-") and name.endswith(".js") for name in assets)
    assert "export function hydrate" in js and "export default" in js and "http" not in js
    assert json.dumps(palette.css()) in js


def test_each_module_is_the_shared_controls_then_its_own_file():
    from convcore.views import PoolView, ReceptiveFieldView, SequenceView, palette
    from convcore.views.esm import CSS_LINE, PRELUDE, STATIC, esm_source
    prelude = (STATIC / PRELUDE).read_text(encoding="utf-8")
    assets = static_assets()
    assert sorted(assets) == ["convcore-pooling.js", "convcore-receptive.js", "convcore-view.js"]
    for cls, name in [(Stepper2D, "view"), (PoolView, "pooling"),
                      (ReceptiveFieldView, "receptive"), (SequenceView, "receptive")]:
        assert cls._esm == esm_source(name) and cls._esm.startswith(prelude) and cls._esm.count(prelude) == 1
        page = assets[f"convcore-{name}.js"]      # the static page runs the same text (view.js: its CSS filled in)
        assert page.replace(f"const CSS = {json.dumps(palette.css())};", CSS_LINE, 1) == cls._esm


def test_explorer_static_note_and_live_view():
    ex = Explorer("seed_conv2d")
    assert ex.view.kind == "stepper2d" and ex.view_box.children == (ex.view,)
    old = ex.view
    ex.padding_box.value = "1"
    assert ex.view is not old and old.comm is None and ex.view.comm is not None


def test_the_stepper_marks_inputs_no_window_reads():
    view = Stepper1D([[1, 2, 3, 4, 5, 6]], [[[1, 1, 1]]], stride=2)     # floor((6 - 3) / 2) + 1 = 2 windows
    cells = [c for g in view.frame.inputs for row in g.rows for c in row]
    assert [c.key for c in cells if c.unread] == ["5"]
    S = view.data["static"]
    assert S["anyUnread"] and S["unread"] == [[0, 0, 0, 0, 0, 1]]
    assert not Stepper2D.from_example("seed_conv2d").data["static"]["anyUnread"]
