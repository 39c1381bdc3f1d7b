"""NetworkView headless: every step's screen (``schema.screen``) against the network it draws: the
chosen cell and its value from the layer's trace, the lit cells exactly ``net.field``, the maps
exactly ``net.forward``, cells as controls going to the step that computed them, and the jumps
between the network reading and each layer's own step view (the conv and pooling builders' screens)."""
from __future__ import annotations

import numpy as np
import pytest

from convcore import Network
from convcore.views import NetworkView, PoolView, Stepper2D
from convcore.views.numfmt import fmt

LAYERS = [{"type": "Conv2d", "in_channels": 1, "out_channels": 2, "kernel_size": 3, "padding": 1},
          {"type": "ReLU"}, {"type": "MaxPool2d", "kernel_size": 2},
          {"type": "Conv2d", "in_channels": 2, "out_channels": 3, "kernel_size": 2},
          {"type": "Flatten"}, {"type": "Linear", "in_features": 3, "out_features": 2}]


@pytest.fixture(scope="module")
def view():
    net = Network(LAYERS, seed=3)
    x = np.random.default_rng(0).integers(-3, 4, (1, 4, 4)).astype(float)
    return NetworkView(net, x)


def cells(view, sc):
    """(panel, key, text, state) of every cell on the screen."""
    rd = view.readings["network"]
    return [(pid, rd["panels"][pid]["keys"][r][c], text, state)
            for pid, P in sc["panels"].items() for r, row in enumerate(P["cells"]) for c, (text, state) in enumerate(row)]


def test_every_step_shows_its_cell_and_lights_exactly_its_field(view):
    net = view.net
    assert view.total == 1 + sum(len(net.trace(i)) for i in (0, 2, 3)) and view.traced == [0, 2, 3]
    for g in range(1, view.total):
        i, k = view.locate(g)
        st = net.trace(i)[k]
        index = tuple(int(v) for v in st.out_index)[1:]
        sc = view.screen(g, reading="network")
        assert sc["header"].startswith(f"step {g} of steps 0–{view.total - 1}: layer {i} ")
        field = [m[0] for m in net.field(i, (0, *index))]
        lit = {(pid, key) for pid, key, _t, s in cells(view, sc) if s == "read"}
        expected = {(f"t{t}" + (f"-c{cell[0]}" if mask.ndim == 3 else ""), ",".join(map(str, cell)))
                    for t, mask in enumerate(field[:-1]) for cell in np.argwhere(mask)}
        assert lit == expected, g
        current = [(pid, key, text) for pid, key, text, s in cells(view, sc) if s == "current"]
        assert (f"t{i + 1}-c{index[0]}", ",".join(map(str, index)), fmt(st.value)) in current
        if net.layers[i + 1].kind == "ReLU":             # the ReLU above computes its own cell at once
            assert (f"t{i + 2}-c{index[0]}", ",".join(map(str, index)), fmt(round(max(st.value, 0), 2) + 0.0)) in current
        # the layer's own step view, where the switch goes: the same step, and back
        rec = view.record(g, "network")
        assert rec["jump"] == {f"layer-{i}": k} and view.record(k, f"layer-{i}")["jump"] == {"network": g}


def test_the_maps_are_the_forward_pass_and_their_cells_go_to_the_step_that_computed_them(view):
    outs = [o[0] for o in view.net.forward(view.input[None])]
    rd = view.readings["network"]
    last = view.screen(view.total - 1, reading="network")
    for t, a in enumerate([view.input] + outs):
        ids = [pid for pid in rd["panels"] if pid == f"t{t}" or pid.startswith(f"t{t}-")]
        for pid in ids:
            P = rd["panels"][pid]
            for r, row in enumerate(P["keys"]):
                for c, key in enumerate(row):
                    index = tuple(int(v) for v in key.split(","))
                    assert P["t"][r][c] == fmt(round(float(a[index]), 2) + 0.0)
                    if "order" in P:           # a click goes to the step computing this very cell
                        g = P["order"][r][c]
                        i, k = view.locate(g)
                        assert tuple(view.net.trace(i)[k].out_index)[1:] == index and i + 1 <= t
                        assert last["panels"][pid]["cells"][r][c][1] in ("done", "current", "read")    # computed by now
    whole = view.screen(0, reading="network")          # step 0: every map whole, as the forward pass made it
    assert [(pid, key, text) for pid, key, text, _s in cells(view, whole)] == [
        (pid, rd["panels"][pid]["keys"][r][c], text) for pid, P in rd["panels"].items()
        for r, row in enumerate(P["t"]) for c, text in enumerate(row)]
    assert {s for *_x, s in cells(view, whole)} == {"plain", "done"}
    assert "order" not in rd["panels"]["t5"] and "order" not in rd["panels"]["t0-c0"]    # Flatten, the input


def test_each_layer_reading_is_that_layers_own_step_view(view):
    for i, own in [(0, Stepper2D(view.net.trace(0))), (2, PoolView(view.net.trace(2))),
                   (3, Stepper2D(view.net.trace(3)))]:
        top = own.current["top"]
        for k in (0, own.n - 1):
            assert view.screen(k, top, reading=f"layer-{i}") == own.screen(k, top), (i, k)


def test_a_network_without_convolution_or_pooling_is_refused_with_its_layers():
    net = Network([{"type": "Flatten"}, {"type": "Linear", "in_features": 4, "out_features": 2}], seed=0)
    with pytest.raises(ValueError, match="Flatten, Linear"):
        NetworkView(net, np.zeros((1, 2, 2)))
