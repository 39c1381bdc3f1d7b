"""PoolView headless: every step's shipped data equals the pooling trace; embeds carry their module."""
from __future__ import annotations

import json
import re

import numpy as np
import pytest

from convcore import pooling
from convcore.views import PoolView, static_assets
from convcore.views.numfmt import fmt

GRID = [[1, 2, 0, 1], [3, 4, 1, 0], [0, 0, 5, 6], [1, 2, 7, 8]]
CASES = [
    (GRID, "max", dict(kernel_size=2)),
    ([1, 3, 2, 2, 5], "avg", dict(kernel_size=2, ceil_mode=True)),
    ([1, 3, 2, 2, 5], "max", dict(kernel_size=2, stride=2, padding=1, ceil_mode=True)),
    ([1, 3, 2, 2, 5], "avg", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)),
    (np.arange(2 * 5 * 5).reshape(2, 5, 5) % 7, "max", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    (np.arange(25.0).reshape(5, 5), "avg", dict(kernel_size=2, stride=2, padding=1, ceil_mode=True)),
    ([4, 1, 6, 2, 7, 3, 5], "max", dict(kernel_size=2, dilation=2, stride=2)),
]


def key(coords):
    return ",".join(map(str, coords))


@pytest.mark.parametrize("x, kind, kwargs", CASES)
def test_every_step_ships_the_trace(x, kind, kwargs):
    view = PoolView(x, kind, **kwargs)
    trace = view.trace
    p = trace.problem
    S, R = view.data["static"], view.data["steps"]
    assert len(R) == len(trace) == S["n"]
    cells = {k: (st, S["inText"]) for row_k, row_s in zip(S["inKeys"], S["inState"]) for k, st in zip(row_k, row_s)}
    out = np.asarray(trace.output).reshape(p.batch, p.channels, *p.out_spatial)
    for k, rec in enumerate(R):
        st = trace[k]
        assert rec["h"].startswith(f"step {k} of steps 0–{len(trace) - 1}")
        assert rec["plane"] == [st.sample, st.channel] and rec["out"] == key(st.out_pos)
        assert [t[0] for t in rec["taps"]] == [key(t.coords) for t in st.window]
        assert [t[1] for t in rec["taps"]] == ["over-patch" if t.in_overhang else "pad-patch" if t.in_padding
                                               else "patch" for t in st.window]
        assert all(t[0] in cells for t in rec["taps"])     # every tap has a cell on screen
        assert rec["v"] == fmt(st.value) == fmt(out[(st.sample, st.channel, *st.out_pos)])
        if kind == "max":
            assert rec["win"] == (None if st.winner is None else key(st.window[st.winner].coords))
            assert f"flat index {st.argmax}" in rec["eq"]
        else:
            assert rec["counted"] == [key(t.coords) for t, c in zip(st.window, st.counted.reshape(-1)) if c]
            assert f"/ {st.divisor} = {fmt(st.total)} / {st.divisor} = {fmt(st.value)}" in rec["eq"]
        s, c = st.sample, st.channel
        i, j = (st.out_pos if p.dims == 2 else (0, st.out_pos[0]))
        assert S["stepOf"][s][c][i][j] == k and S["outText"][s][c][i][j] == rec["v"]
    # the input's values where they are, the padding's fill, nothing on the overhang
    for r, row in enumerate(S["inKeys"]):
        for cc, kk in enumerate(row):
            coords = tuple(int(v) for v in kk.split(","))
            state, text = S["inState"][r][cc], S["inText"][0][0][r][cc]
            if state == "plain":
                assert text == fmt(p.input[(0, 0, *coords)])
            else:
                assert text == ("" if state == "over" else "−∞" if kind == "max" else "0")


def test_ceil_mode_extra_and_dropped_windows_are_labelled():
    extra = PoolView([1, 3, 2, 2, 5], "avg", kernel_size=2, ceil_mode=True)
    assert [bool(r["extra"]) for r in extra.data["steps"]] == [False, False, True]
    assert extra.data["steps"][2]["counted"] == ["4"] and "/ 1 = 5" in extra.data["steps"][2]["eq"]
    dropped = PoolView([1, 3, 2, 2, 5], "max", kernel_size=2, stride=2, padding=1, ceil_mode=True)
    effect = dropped.trace.problem.ceil_effect()[0]
    (d,) = dropped.data["static"]["dropped"]
    assert effect.dropped_start == 5 and d["cells"] == ["5", "6"] and d["label"].startswith("dropped")
    S = dropped.data["static"]
    assert S["cols"] == [-1, 0, 1, 2, 3, 4, 5, 6] and S["colDropped"] == [7, 9]       # grid lines of 5 and 6
    assert S["colLabels"] == ["pad", "", "", "", "", "", "pad", "overhang"]


def test_a_tie_says_the_first_wins():
    steps = PoolView(GRID, "max", kernel_size=2).data["steps"]
    assert ["a tie" in r["eq"] for r in steps] == [False, True, False, False]


def test_embed_and_static_display(monkeypatch):
    view = PoolView(GRID, "max", kernel_size=2)
    view.step = 2
    html = view.embed_html()
    m = re.fullmatch(r'<div class="convcore-embed" data-view="pool" data-module="convcore-pooling.js">'
                     r'<script type="application/json" class="convcore-data">(.*)</script></div>', html, re.S)
    payload = json.loads(m.group(1))
    assert payload["steps"] == view.data["steps"] and payload["step"] == 2 and payload["live"] is False
    assert ".convcore-view" in payload["palette"] and "cc-win" in payload["css"]
    monkeypatch.setenv("CONVCORE_VIEWS", "static")
    bundle = view._repr_mimebundle_()
    assert bundle["text/html"] == html and "text/plain" in bundle
    js = static_assets()["convcore-pooling.js"]
    assert "export function hydrate" in js and "export default" in js and "http" not in js


def test_step_is_checked():
    view = PoolView(GRID, "max", kernel_size=2)
    view.update(3)
    assert view.record["v"] == "8"
    with pytest.raises(Exception):
        view.step = 4
