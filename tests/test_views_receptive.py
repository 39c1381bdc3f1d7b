"""ReceptiveFieldView and SequenceView headless: what every step shows (``view.screen(k)``)
against ``ReceptiveField.trail`` / ``inputs_of`` and against PyTorch (which input positions
change output o when they change), the future after t never read, the selects recomputed in
the kernel with the library's message on an impossible stack."""
from __future__ import annotations


import numpy as np
import pytest
import torch

from convcore.causal import causal_layers
from convcore.receptive import receptive_field
from convcore.views import ReceptiveFieldView, SequenceView
from convcore.views.receptive import NEEDS_KERNEL

STACK = [dict(kernel_size=3, padding=1), dict(kind="max_pool", kernel_size=2),
         dict(kernel_size=3, padding=1), dict(kind="max_pool", kernel_size=2)]
STACKS = [STACK, [dict(kernel_size=3, stride=2, dilation=2), dict(kernel_size=2, stride=1, padding=1)],
          [dict(kernel_size=2, dilation=d) for d in (1, 2, 4)]]


def states(screen, pid):
    (row,) = screen["panels"][pid]["cells"]
    return [s for _, s in row]


def depends_on(layers, n, o):
    """The input positions output ``o`` of the top layer depends on, found by PyTorch: every
    weight 1, avg pools for max pools (a max reads its whole window too, but passes on only the
    winner's gradient), and the gradient of output o with respect to the input."""
    x = torch.ones(1, 1, n, dtype=torch.float64, requires_grad=True)
    y = x
    for m in layers:
        k, s, p, d = m["kernel_size"], m.get("stride", 1), m.get("padding", 0), m.get("dilation", 1)
        if m.get("kind", "conv") == "conv":
            y = torch.nn.functional.conv1d(y, torch.ones(1, 1, k, dtype=torch.float64), stride=s, padding=p, dilation=d)
        else:
            y = torch.nn.functional.avg_pool1d(y, k, s if "stride" in m else k, p)
    y[0, 0, o].backward()
    return tuple(int(i) for i in np.flatnonzero(x.grad[0, 0].numpy()))


@pytest.mark.parametrize("layers", STACKS)
def test_every_step_lights_the_trail(layers):
    n = 16
    view = ReceptiveFieldView(layers, n)
    rf = receptive_field(layers)
    sizes = rf.output_sizes(n)
    top = len(layers)
    rd = view.current
    assert view.n == sizes[-1] and rd["rows"] == [[f"layer-{l}"] for l in range(top, 0, -1)] + [["input"]]
    for o in range(view.n):
        sc = view.screen(o)
        masks = rf.trail(o, n)
        for l, mask in enumerate(masks):
            pid = "input" if l == 0 else f"layer-{l}"
            want = ["chosen" if i == o else "plain" for i in range(sizes[l])] if l == top else \
                   ["read" if m else "plain" for m in mask]
            assert states(sc, pid) == want, (o, l)
            assert [t for t, _ in sc["panels"][pid]["cells"][0]] == [str(i) for i in range(sizes[l])]
        read = tuple(i for i, s in enumerate(states(sc, "input")) if s == "read")
        assert read == rf.inputs_of(o, n) == depends_on(layers, n, o)
        first, last = rf.span(o)
        assert sc["header"].startswith(f"step {o} of steps 0–{sizes[-1] - 1}: output {o} of layer {top} "
                                       f"spans input positions {first} to {last}")
        lines = dict(sc["lines"])
        assert lines["span"].endswith(f"= {first} to {first} + size − 1 = {first} + {rf.size} − 1 = {last}")
        assert f"({len(read)} in all)" in lines["reads"] or len(read) == 1
    for f in rf.layers:
        P = rd["panels"][f"layer-{f.layer}"]
        assert f"size {f.size}, jump {f.jump}, start {f.start}; {sizes[f.layer]} outputs" in P["title"]
        assert ["formula", f"layer {f.layer}: {f.explanation}"] in rd["notes"]
    assert ["needs-kernel", NEEDS_KERNEL] in rd["notes"]
    assert {s for o in range(view.n) for P in view.screen(o)["panels"].values() for _, s in P["cells"][0]} == \
           {s for s, _ in rd["legend"]}


def test_the_selects_name_each_layer_and_its_values():
    view = ReceptiveFieldView(STACK + [dict(kernel_size=2, dilation=6)], 40)
    controls = [(c["panel"], c["name"], c["value"]) for c in view.data["controls"]]
    assert controls[:3] == [("layer-5", "kernel_size", 2), ("layer-5", "stride", 1), ("layer-5", "dilation", 6)]
    assert [v for v, _text in view.data["controls"][2]["choices"]] == [1, 2, 3, 4, 6]   # the value in use offered
    assert controls[-3:] == [("layer-1", "kernel_size", 3), ("layer-1", "stride", 1), ("layer-1", "dilation", 1)]


def test_set_layers_recomputes():
    view = ReceptiveFieldView(STACK, 16)
    view.step = 3
    view.set_layers([dict(kernel_size=5)], 10)
    assert view.step == 0 and view.n == 6 and view.rf.size == 5
    sc = view.screen(0)
    assert states(sc, "layer-1") == ["chosen"] + ["plain"] * 5
    assert states(sc, "input") == ["read"] * 5 + ["plain"] * 5


def test_a_layer_changed_in_the_browser_is_recomputed_and_errors_are_shown():
    view = ReceptiveFieldView(STACK, 16)
    view._on_msg(view, {"type": "control", "panel": "layer-1", "name": "dilation", "value": 2}, [])
    want = receptive_field([dict(kernel_size=3, padding=1, dilation=2)] + STACK[1:])
    assert view.error == "" and view.rf.size == want.size == 12
    assert [c["value"] for c in view.data["controls"] if c["panel"] == "layer-1"] == [3, 1, 2]
    view.on_control("stride", panel="layer-2", value="4")
    assert view.error == "" and view.rf.output_sizes(16) == [16, 14, 4, 4, 2]
    before = view.data
    view.on_control("kernel_size", panel="layer-4", value=7)        # 4 inputs, window 7
    assert view.error.startswith("ValueError: receptive_field: layer 4") and view.data is before
    try:
        receptive_field([dict(m, kernel_size=7) if i == 3 else m for i, m in enumerate(view.layers)]).output_sizes(16)
    except ValueError as err:
        assert str(err) in view.error
    view.on_control("stride", panel="layer-9", value=2)
    assert "there is no layer 'layer-9'" in view.error
    view.on_control("padding", panel="layer-1", value=2)
    assert "only kernel_size, stride, dilation can be changed" in view.error
    view.on_control("kernel_size", panel="layer-1", value=1)
    assert view.error == "" and view.rf.specs[0].kernel_size == (1,)


def test_sequence_never_reads_the_future():
    n = 24
    view = SequenceView(n)
    assert [r["key"] for r in view.data["readings"]] == ["dilated", "plain"] and view.reading == "dilated"
    for name, dil, size in (("dilated", (1, 2, 4, 8), 16), ("plain", (1, 1, 1, 1), 5)):
        layers = causal_layers(2, dil)
        rf = receptive_field(layers)
        assert view.fields[name].size == rf.size == size
        assert view.readings[name]["label"].endswith(f"(receptive field {size})")
        for t in range(n):
            sc = view.screen(t, reading=name)
            masks = rf.trail(t, n)
            for l, mask in enumerate(masks):
                pid = "input" if l == 0 else f"layer-{l}"
                got = states(sc, pid)
                assert all(s == "future" for s in got[t + 1:])              # nothing after t is read
                want = ["chosen" if i == t else "plain" for i in range(t + 1)] if l == len(dil) else \
                       ["read" if m else "plain" for m in mask[:t + 1]]
                assert got[:t + 1] == want
            inputs = [i for i, s in enumerate(states(sc, "input")) if s == "read"]
            assert inputs == list(range(max(0, t - size + 1), t + 1))
            assert sc["header"].startswith(f"t = {t} (step {t} of steps 0–{n - 1})")
            other = "plain" if name == "dilated" else "dilated"
            assert view.record(t, name)["jump"] == {other: t}
    view.update(5, reading="plain")
    assert (view.reading, view.step) == ("plain", 5)


def test_the_picture_writer_draws_every_step_of_every_reading():
    from convcore.views.picture import picture
    for view in (ReceptiveFieldView(STACK, 16), SequenceView(16)):
        for rd in view.data["readings"]:
            assert all(min(picture(view, k, reading=rd["key"]).size) > 100 for k in range(rd["n"]))
