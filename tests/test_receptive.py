"""Receptive fields, proved against what autograd says an output depends on.

A stack of convolutions with positive weights (in [0.5, 1.5]) and average
pooling is linear with positive coefficients along every path, so no two
paths can cancel: the gradient of one output element is non-zero exactly at
the input positions it depends on. That set must be ``inputs_of``'s, and its
ends must be where ``start``, ``jump`` and ``size`` put them. Max pooling's
gradient only reaches the winner, so for stacks with max pooling the proof
is by perturbation: an input position is depended on exactly when making it
huge changes the output.
"""
import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from torch import nn

import convcore
from convcore import receptive_field

MODES = ("zeros", "reflect", "replicate", "circular")


@st.composite
def stacks(draw, kinds=("conv", "avg_pool"), max_layers=4, min_n=12, max_n=30):
    """1-D layers as mappings of PyTorch's arguments, and an input length."""
    layers = []
    for _ in range(draw(st.integers(1, max_layers))):
        kind = draw(st.sampled_from(kinds))
        k = draw(st.integers(1, 4))
        if kind == "conv":
            s, d = draw(st.integers(1, 2)), draw(st.integers(1, 3))
            padding = "same" if s == 1 and draw(st.booleans()) else draw(st.integers(0, 3))
            layers.append(dict(kind="conv", kernel_size=k, stride=s, padding=padding, dilation=d,
                               padding_mode=draw(st.sampled_from(MODES))))
        else:
            layer = dict(kind=kind, kernel_size=k, padding=draw(st.integers(0, k // 2)),
                         ceil_mode=draw(st.booleans()))
            if draw(st.booleans()):
                layer["stride"] = draw(st.integers(1, 2))
            if kind == "max_pool":
                layer["dilation"] = draw(st.integers(1, 2))
            layers.append(layer)
    return layers, draw(st.integers(min_n, max_n))


def torch_layer(spec, channels, dims, rng):
    """The nn module a mapping describes; convolutions get positive weights."""
    args = {k: v for k, v in spec.items() if k != "kind"}
    kind = spec["kind"]
    if kind == "conv":
        conv = (nn.Conv1d if dims == 1 else nn.Conv2d)(channels, channels, bias=False, **args).double()
        with torch.no_grad():
            conv.weight.copy_(torch.from_numpy(rng.uniform(0.5, 1.5, conv.weight.shape)))
        return conv
    if kind == "avg_pool":
        return (nn.AvgPool1d if dims == 1 else nn.AvgPool2d)(**args)
    return (nn.MaxPool1d if dims == 1 else nn.MaxPool2d)(**args)


def build(layers, n, dims=1, channels=2, seed=0):
    """(model, input) or None when PyTorch refuses the stack for this input size."""
    rng = np.random.default_rng(seed)
    model = nn.Sequential(*[torch_layer(spec, channels, dims, rng) for spec in layers])
    shape = (1, channels) + ((n,) if dims == 1 else tuple(n))
    x = torch.from_numpy(rng.uniform(0, 1, shape)).requires_grad_(True)
    try:
        y = model(x)
    except RuntimeError:
        return None
    return model, x, y


def depends_on(x, y, index):
    """Input positions (summed over channels) where d y[0, 0, index] / d x is non-zero."""
    x.grad = None
    y[(0, 0, *np.atleast_1d(index))].backward(retain_graph=True)
    return x.grad[0].abs().sum(dim=0).numpy() != 0


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(stacks(), st.booleans(), st.data())
def test_inputs_of_is_autograds_non_zero_pattern(stack, as_modules, data):
    layers, n = stack
    built = build(layers, n)
    if built is None:  # e.g. reflect padding wider than a shrunken layer: PyTorch refuses
        return
    model, x, y = built
    rf = receptive_field(list(model) if as_modules else layers)
    assert rf.output_sizes(n)[-1] == y.shape[-1]
    index = data.draw(st.integers(0, y.shape[-1] - 1))
    pattern = depends_on(x, y, index)
    assert rf.inputs_of(index, n) == tuple(np.flatnonzero(pattern).tolist())
    trail = rf.trail(index, n)
    np.testing.assert_array_equal(trail[0], pattern)
    assert np.flatnonzero(trail[-1]).tolist() == [index]

    # The span's ends are where start, jump and size say, whenever they lie inside the input
    # (zero padding: other modes fold the span back into the input).
    if all(spec.get("padding_mode", "zeros") == "zeros" for spec in layers):
        first = rf.start + index * rf.jump
        last = first + rf.size - 1
        assert rf.span(index) == (first, last)
        support = np.flatnonzero(pattern)   # may be empty: a window over padding only
        assert all(first <= i <= last for i in support)
        if first >= 0 and last < n:
            assert (support.min(), support.max()) == (first, last)


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@settings(max_examples=40, deadline=None)
@given(stacks(min_n=40, max_n=60))
def test_every_layers_size_jump_and_start_against_autograd(stack):
    """Each layer's details, read off the gradient of an output of that layer."""
    layers, n = stack
    layers = [dict(spec, padding_mode="zeros") if spec["kind"] == "conv" else spec for spec in layers]
    built = build(layers, n)
    if built is None:
        return
    model, x, _ = built
    rf = receptive_field(layers)
    h = x
    for field, module in zip(rf.layers, model):
        h = module(h)
        o = h.shape[-1] // 2
        first = field.start + o * field.jump
        last = first + field.size - 1
        if first < 0 or last >= n:
            continue
        support = np.flatnonzero(depends_on(x, h, o))
        assert (support.min(), support.max()) == (first, last), field


@settings(max_examples=40, deadline=None)
@given(stacks(kinds=("conv", "max_pool"), max_n=24), st.data())
def test_max_pooling_depends_on_its_whole_window(stack, data):
    """Perturbation: making an input huge changes the output exactly when the output depends on it."""
    layers, n = stack
    built = build(layers, n, channels=1)
    if built is None:
        return
    model, x, y = built
    rf = receptive_field(layers)
    index = data.draw(st.integers(0, y.shape[-1] - 1))
    changed = []
    with torch.no_grad():
        for i in range(n):
            bumped = x.detach().clone()
            bumped[..., i] = 1e6
            if model(bumped)[0, 0, index] != y[0, 0, index]:
                changed.append(i)
    assert rf.inputs_of(index, n) == tuple(changed)


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_two_dimensional_stacks_against_autograd(data):
    layers = []
    for _ in range(data.draw(st.integers(1, 3))):
        kind = data.draw(st.sampled_from(["conv", "avg_pool"]))
        k = (data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3)))
        if kind == "conv":
            layers.append(dict(kind=kind, kernel_size=k, stride=(data.draw(st.integers(1, 2)), 1),
                               padding=(data.draw(st.integers(0, 2)), data.draw(st.integers(0, 2))),
                               dilation=(1, data.draw(st.integers(1, 2)))))
        else:
            layers.append(dict(kind=kind, kernel_size=k, padding=(k[0] // 2, 0), ceil_mode=data.draw(st.booleans())))
    n = (data.draw(st.integers(10, 16)), data.draw(st.integers(10, 16)))
    built = build(layers, n, dims=2)
    if built is None:
        return
    model, x, y = built
    index = (data.draw(st.integers(0, y.shape[-2] - 1)), data.draw(st.integers(0, y.shape[-1] - 1)))
    pattern = depends_on(x, y, index)
    for rf in (receptive_field(layers), receptive_field(model)):   # mappings, and the nn.Sequential itself
        assert rf.dims == 2
        assert rf.inputs_of(index, n) == tuple(map(tuple, np.argwhere(pattern).tolist()))
        np.testing.assert_array_equal(rf.trail(index, n)[0], pattern)


# ----------------------------------------------------------------------------
# The classic facts
# ----------------------------------------------------------------------------
def test_two_stacked_3x3_convolutions_see_5x5_with_fewer_weights():
    c = 8
    two = nn.Sequential(nn.Conv2d(c, c, 3, bias=False), nn.Conv2d(c, c, 3, bias=False))
    one = nn.Conv2d(c, c, 5, bias=False)
    assert receptive_field(two).size == (5, 5) == receptive_field([one]).size
    assert sum(p.numel() for p in two.parameters()) == 2 * 9 * c * c == 1152
    assert sum(p.numel() for p in one.parameters()) == 25 * c * c == 1600
    # autograd agrees: the centre output of the two layers reads a 5 × 5 block
    x = torch.rand(1, c, 9, 9, dtype=torch.float64, requires_grad=True)
    two = two.double()
    with torch.no_grad():
        for conv in two:
            conv.weight.uniform_(0.5, 1.5)
    two(x)[0, 0, 2, 2].backward()
    rows, cols = np.nonzero(x.grad[0].abs().sum(0).numpy())
    assert (rows.min(), rows.max(), cols.min(), cols.max()) == (2, 6, 2, 6)
    assert receptive_field(two).inputs_of((2, 2), (9, 9)) == tuple((r, c) for r in range(2, 7) for c in range(2, 7))


def test_kernel_2_with_dilations_1_2_4_8_sees_16_steps():
    rf = receptive_field(convcore.causal_layers(2, (1, 2, 4, 8)))
    assert len(rf.layers) == 4
    assert [f.size for f in rf.layers] == [2, 4, 8, 16]
    assert rf.size == 16 and rf.jump == 1 and rf.start == -15
    assert "r_4 = r_3 + (k_4 − 1)·d_4·j_3 = 8 + (2 − 1)·8·1 = 16" in rf.explain()
    # In PyTorch, as users write it: left padding, then conv1d; output 20 reads inputs 5 .. 20.
    x = torch.rand(1, 1, 32, dtype=torch.float64, requires_grad=True)
    h = x
    for d in (1, 2, 4, 8):
        w = torch.rand(1, 1, 2, dtype=torch.float64) + 0.5
        h = torch.nn.functional.conv1d(torch.nn.functional.pad(h, (d, 0)), w, dilation=d)
    h[0, 0, 20].backward()
    assert np.flatnonzero(x.grad[0, 0].numpy()).tolist() == list(range(5, 21))
    assert rf.inputs_of(20, 32) == tuple(range(5, 21))
    assert rf.inputs_of(3, 32) == (0, 1, 2, 3)        # clipped at the start of the sequence
    # One wide causal kernel sees as far, with 16 weights per channel pair instead of 4 · 2 = 8.
    assert receptive_field([dict(kernel_size=16, causal=True)]).size == 16


def test_explain_fills_in_every_layer():
    rf = receptive_field([dict(kernel_size=3, stride=2, padding=1), dict(kind="max_pool", kernel_size=2)])
    # by hand: r1 = 1 + 2·1·1 = 3, j1 = 2, start1 = −1; r2 = 3 + 1·1·2 = 5, j2 = 4, start2 = −1
    assert (rf.size, rf.jump, rf.start) == (5, 4, -1)
    assert [(f.size, f.jump, f.start) for f in rf.layers] == [(3, 2, -1), (5, 4, -1)]
    assert rf.explain() == "\n".join([
        "input: r_0 = 1, j_0 = 1, start_0 = 0",
        "layer 1 (conv, kernel_size=3, stride=2, padding=1, dilation=1):",
        "  r_1 = r_0 + (k_1 − 1)·d_1·j_0 = 1 + (3 − 1)·1·1 = 3; j_1 = j_0·s_1 = 1·2 = 2; "
        "start_1 = start_0 − p_1·j_0 = 0 − 1·1 = -1",
        "layer 2 (max_pool, kernel_size=2, stride=2, padding=0, dilation=1):",
        "  r_2 = r_1 + (k_2 − 1)·d_2·j_1 = 3 + (2 − 1)·1·2 = 5; j_2 = j_1·s_2 = 2·2 = 4; "
        "start_2 = start_1 − p_2·j_1 = -1 − 0·2 = -1",
        "One output of layer 2 spans 5 input positions; neighbouring outputs are 4 input positions apart.",
    ])


def test_torch_modules_read_like_their_mappings():
    modules = [nn.Conv2d(3, 4, (3, 5), stride=(1, 2), padding=(1, 2), dilation=(2, 1)),
               nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True), nn.AvgPool2d((2, 1)),
               nn.Conv2d(4, 4, 3, padding="same", dilation=2)]
    mappings = [dict(kernel_size=(3, 5), stride=(1, 2), padding=(1, 2), dilation=(2, 1)),
                dict(kind="max_pool", kernel_size=3, stride=2, padding=1, ceil_mode=True, dilation=1),
                dict(kind="avg_pool", kernel_size=(2, 1)),
                dict(kernel_size=3, padding=2, dilation=2)]
    a, b = receptive_field(modules), receptive_field(mappings, dims=2)
    assert (a.size, a.jump, a.start) == (b.size, b.jump, b.start)
    assert a.output_sizes((20, 21)) == b.output_sizes((20, 21))
    x = torch.zeros(1, 3, 20, 21)
    assert tuple(nn.Sequential(*modules)(x).shape[-2:]) == a.output_sizes((20, 21))[-1]
    assert receptive_field(nn.Conv1d(1, 1, 4, padding="same")).layers[0].padding == (1, 2)
