"""ReceptiveFieldView and SequenceView headless: every step's rows are ReceptiveField.trail's
masks (top layer first), the future after t is shaded and never read, embeds carry their module."""
from __future__ import annotations

import json
import re

import pytest

from convcore.causal import causal_layers
from convcore.receptive import receptive_field
from convcore.views import ReceptiveFieldView, SequenceView, static_assets

STACK = [dict(kernel_size=3, padding=1), dict(kind="max_pool", kernel_size=2),
         dict(kernel_size=3, padding=1), dict(kind="max_pool", kernel_size=2)]
STACKS = [STACK, [dict(kernel_size=3, stride=2, dilation=2), dict(kernel_size=2, stride=1, padding=1)],
          [dict(kernel_size=2, dilation=d) for d in (1, 2, 4)]]


def letters(mask, chosen=None):
    return "".join("o" if i == chosen else "r" if (chosen is None and m) else "." for i, m in enumerate(mask))


@pytest.mark.parametrize("layers", STACKS)
def test_every_step_lights_the_trail(layers):
    view = ReceptiveFieldView(layers, 16)
    rf = receptive_field(layers)
    V = view.data["variants"]["stack"]
    sizes = rf.output_sizes(16)
    assert view.n == len(V["steps"]) == sizes[-1]
    for o, rec in enumerate(V["steps"]):
        masks = rf.trail(o, 16)
        want = [letters(m) for m in masks[:-1]] + [letters(masks[-1], chosen=o)]
        assert rec["rows"] == want[::-1]
        assert rec["h"].startswith(f"step {o} of steps 0–{sizes[-1] - 1}")
        first, last = rf.span(o)
        assert f"spans input positions {first} to {last}" in rec["h"]
        assert f"({len(rf.inputs_of(o, 16))} in all)" in rec["say"] or len(rf.inputs_of(o, 16)) == 1
    for row, f in zip(V["layers"][::-1][1:], rf.layers):
        assert f"size {f.size}, jump {f.jump}, start {f.start}" in row["text"] and row["formula"] == f.explanation


def test_set_layers_recomputes():
    view = ReceptiveFieldView(STACK, 16)
    view.step = 3
    view.set_layers([dict(kernel_size=5)], 10)
    assert view.step == 0 and view.n == 6 and view.rf.size == 5
    assert view.data["variants"]["stack"]["steps"][0]["rows"] == ["o.....", "rrrrr....."]


def test_sequence_never_reads_the_future():
    view = SequenceView(24)
    assert set(view.data["variants"]) == {"dilated", "plain"}
    for name, dil in (("dilated", (1, 2, 4, 8)), ("plain", (1, 1, 1, 1))):
        rf = receptive_field(causal_layers(2, dil))
        assert rf.size == (16 if name == "dilated" else 5)
        steps = view.data["variants"][name]["steps"]
        assert len(steps) == 24
        for t, rec in enumerate(steps):
            masks = rf.trail(t, 24)
            want = ["".join("r" if m else "f" if i > t else "." for i, m in enumerate(mask)) for mask in masks[:-1]]
            want.append("".join("o" if i == t else "f" if i > t else "." for i in range(24)))
            assert rec["rows"] == want[::-1]
            assert all("r" not in row[t + 1:] for row in rec["rows"])          # nothing after t is read
            inputs = rf.inputs_of(t, 24)
            assert inputs[-1] == t and len(inputs) == min(t + 1, rf.size)
            assert rec["h"].startswith(f"t = {t} (step {t} of steps 0–23)")
    assert "receptive field 16" in view.data["variants"]["dilated"]["label"]
    assert "receptive field 5" in view.data["variants"]["plain"]["label"]


@pytest.mark.parametrize("view", [ReceptiveFieldView(STACK, 16), SequenceView(24)], ids=["receptive", "sequence"])
def test_embed_and_static_display(view, monkeypatch):
    view.step = 2
    html = view.embed_html()
    m = re.fullmatch(rf'<div class="convcore-embed" data-view="{view.kind}" data-module="convcore-receptive.js">'
                     r'<script type="application/json" class="convcore-data">(.*)</script></div>', html, re.S)
    payload = json.loads(m.group(1))
    assert payload["variants"] == view.data["variants"] and payload["step"] == 2 and payload["live"] is False
    monkeypatch.setenv("CONVCORE_VIEWS", "static")
    assert view._repr_mimebundle_()["text/html"] == html
    js = static_assets()["convcore-receptive.js"]
    assert "export function hydrate" in js and "export default" in js and "http" not in js


def test_a_layer_changed_in_the_browser_is_recomputed_and_errors_are_shown():
    view = ReceptiveFieldView(STACK, 16)
    assert [r.get("layer") for r in view.data["variants"]["stack"]["layers"]] == [4, 3, 2, 1, None]
    view._on_msg(view, {"type": "layer", "layer": 1, "key": "dilation", "value": 2}, [])
    want = receptive_field([dict(kernel_size=3, padding=1, dilation=2)] + STACK[1:])
    assert view.error == "" and view.rf.size == want.size == 12
    assert view.data["variants"]["stack"]["layers"][-2]["edit"] == {"kernel_size": 3, "stride": 1, "dilation": 2}
    view._on_msg(view, {"type": "layer", "layer": 2, "key": "stride", "value": 4}, [])
    assert view.error == "" and view.rf.output_sizes(16) == [16, 14, 4, 4, 2]
    view._on_msg(view, {"type": "layer", "layer": 4, "key": "kernel_size", "value": 7}, [])   # 4 inputs, window 7
    assert view.error.startswith("ValueError: receptive_field: layer 4") and view.rf.output_sizes(16)[-1] == 2
