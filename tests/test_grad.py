"""The gradients of a convolution: against torch.autograd, torch.nn.grad and finite
differences, as the convolutions they are, and their traces against brute force."""
from itertools import product

import numpy as np
import pytest
import torch
import torch.nn.grad
from hypothesis import assume, given, settings

import convcore
from convcore import examples, grad
from strategies import cases

TOL = dict(rtol=1e-9, atol=1e-9)
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel lengths:UserWarning")


def fns(dims):
    if dims == 1:
        return convcore.conv1d, grad.conv1d_input, grad.conv1d_weight, grad.conv1d_bias
    return convcore.conv2d, grad.conv2d_input, grad.conv2d_weight, grad.conv2d_bias


def grad_output_for(case, integers=False, seed=0):
    conv = fns(case.dims)[0]
    shape = conv(case.input, case.weight, **case.all_kwargs).shape
    rng = np.random.default_rng(seed)
    return rng.integers(-4, 5, shape) if integers else rng.uniform(-1, 1, shape)


def ours(case, g):
    _, f_in, f_w, f_b = fns(case.dims)
    return (f_in(case.input.shape, case.weight, g, **case.kwargs),
            f_w(case.input, case.weight.shape, g, **case.kwargs),
            f_b(g))


def autograd(case, g):
    """Input, weight and bias gradients of sum(conv(x, w, b) * g), by torch.autograd through
    nn.Conv1d/2d (the only way torch offers the padding modes)."""
    extra = 2 if case.layout == "plain" else 0
    x = torch.tensor(case.input[(None,) * extra].astype(np.float64), requires_grad=True)
    w = case.weight[(None,) * extra].astype(np.float64)
    kwargs = dict(case.kwargs)
    groups = kwargs.pop("groups")
    c_out, c_group, *kernel = w.shape
    module = (torch.nn.Conv1d if case.dims == 1 else torch.nn.Conv2d)(
        c_group * groups, c_out, tuple(kernel), groups=groups, bias=True, **kwargs).double()
    with torch.no_grad():
        module.weight.copy_(torch.from_numpy(w))
        module.bias.zero_()
    out = module(x)
    (out * torch.from_numpy(np.asarray(g, dtype=np.float64)[(None,) * extra])).sum().backward()
    gx, gw, gb = x.grad.numpy(), module.weight.grad.numpy(), module.bias.grad.numpy()
    return (gx[0, 0], gw[0, 0], gb) if extra else (gx, gw, gb)


# ----------------------------------------------------------------------------
# Against PyTorch
# ----------------------------------------------------------------------------
@settings(max_examples=120, deadline=None)
@given(cases())
def test_gradients_match_autograd_in_every_padding_mode(case):
    g = grad_output_for(case)
    gi, gw, gb = ours(case, g)
    ti, tw, tb = autograd(case, g)
    assert gi.shape == case.input.shape and gw.shape == case.weight.shape
    np.testing.assert_allclose(gi, ti, **TOL)
    np.testing.assert_allclose(gw, tw, **TOL)
    np.testing.assert_allclose(gb, tb, **TOL)


@settings(max_examples=60, deadline=None)
@given(cases(modes=("zeros",), layouts=("batched",)))
def test_gradients_match_torch_nn_grad(case):
    assume(not isinstance(case.kwargs["padding"], str))   # torch.nn.grad takes numbers only
    g = grad_output_for(case)
    kwargs = {k: v for k, v in case.kwargs.items() if k != "padding_mode"}
    tg = torch.from_numpy(g)
    f_in = torch.nn.grad.conv1d_input if case.dims == 1 else torch.nn.grad.conv2d_input
    f_w = torch.nn.grad.conv1d_weight if case.dims == 1 else torch.nn.grad.conv2d_weight
    expected_in = f_in(case.input.shape, torch.from_numpy(case.weight), tg, **kwargs).numpy()
    expected_w = f_w(torch.from_numpy(case.input), case.weight.shape, tg, **kwargs).numpy()
    _, our_in, our_w, _ = fns(case.dims)
    np.testing.assert_allclose(our_in(case.input.shape, case.weight, g, **kwargs), expected_in, **TOL)
    np.testing.assert_allclose(our_w(case.input, case.weight.shape, g, **kwargs), expected_w, **TOL)
    # torch.Size is a shape too
    np.testing.assert_allclose(our_in(torch.Size(case.input.shape), case.weight, g, **kwargs), expected_in, **TOL)


@settings(max_examples=50, deadline=None)
@given(cases(integers=True))
def test_integer_gradients_are_exact(case):
    g = grad_output_for(case, integers=True)
    gi, gw, gb = ours(case, g)
    assert gi.dtype == gw.dtype == gb.dtype == np.int64
    ti, tw, tb = autograd(case, g)
    np.testing.assert_array_equal(gi, ti)
    np.testing.assert_array_equal(gw, tw)
    np.testing.assert_array_equal(gb, tb)


@settings(max_examples=12, deadline=None)
@given(cases(max_n=4, max_k=3, max_channels=2, max_batch=1))
def test_gradients_match_finite_differences(case):
    """loss(x, w, b) = Σ conv(x, w, b) · g is linear in each argument, so central
    differences are exact up to rounding."""
    conv = fns(case.dims)[0]
    g = grad_output_for(case)
    bias = np.zeros(g.shape[-case.dims - 1] if case.layout != "plain" else 1)
    kwargs = {k: v for k, v in case.kwargs.items()}

    def loss(x, w, b):
        return float(np.sum(conv(x, w, b, **kwargs) * g))

    def numeric(array, which, h=1e-6):
        out = np.zeros(array.shape)
        for idx in np.ndindex(array.shape):
            up, down = array.astype(np.float64).copy(), array.astype(np.float64).copy()
            up[idx] += h
            down[idx] -= h
            args = {"x": case.input, "w": case.weight, "b": bias}
            args[which] = up
            hi = loss(args["x"], args["w"], args["b"])
            args[which] = down
            lo = loss(args["x"], args["w"], args["b"])
            out[idx] = (hi - lo) / (2 * h)
        return out

    gi, gw, gb = ours(case, g)
    np.testing.assert_allclose(gi, numeric(case.input, "x"), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(gw, numeric(case.weight, "w"), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(gb, numeric(bias, "b"), rtol=1e-6, atol=1e-7)


# ----------------------------------------------------------------------------
# The gradients are convolutions
# ----------------------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(cases(integers=True, modes=("zeros",)))
def test_input_gradient_is_a_transposed_convolution(case):
    """conv*_input == conv_transpose*(grad_output, weight, same stride/padding/dilation/groups),
    with output_padding r = (n + 2p − d·(k − 1) − 1) mod s to reach the input's size."""
    assume(all(p0 == p1 for p0, p1 in case.pads))    # symmetric padding ('same' with even k is not)
    g = grad_output_for(case, integers=True)
    spatial = case.input.shape[-case.dims:]
    kernel = case.weight.shape[-case.dims:]
    as_tuple = lambda v: v if isinstance(v, tuple) else (v,) * case.dims  # noqa: E731
    stride, dilation = as_tuple(case.kwargs["stride"]), as_tuple(case.kwargs["dilation"])
    pads = tuple(p0 for p0, _ in case.pads)
    r = tuple((n + 2 * p - d * (k - 1) - 1) % s for n, p, d, k, s in zip(spatial, pads, dilation, kernel, stride))
    f_t = convcore.conv_transpose1d if case.dims == 1 else convcore.conv_transpose2d
    via_transpose = f_t(g, case.weight, stride=stride, padding=pads, output_padding=r,
                        dilation=dilation, groups=case.kwargs["groups"])
    np.testing.assert_array_equal(ours(case, g)[0], via_transpose)


@settings(max_examples=60, deadline=None)
@given(cases(integers=True, modes=("zeros",), layouts=("batched", "unbatched")))
def test_weight_gradient_is_a_correlation_with_stride_and_dilation_swapped(case):
    """grad_w[o, c] = conv(x[:, c], kernel = grad_output[:, o], stride = d, dilation = s),
    summed over the batch: the batch plays the channels, grad_output the filters."""
    assume(all(p0 == p1 for p0, p1 in case.pads))   # conv pads both ends alike
    conv = fns(case.dims)[0]
    g = grad_output_for(case, integers=True)
    x = case.input if case.layout == "batched" else case.input[None]
    gb = g if case.layout == "batched" else g[None]
    groups = case.kwargs["groups"]
    c_group = x.shape[1] // groups
    o_group = gb.shape[1] // groups
    # (C_in/g, g·N, *n): sample n of group j's channel c sits at channel j·N + n, so grouped
    # "filters" grad_output[:, o] (N channels each) meet only their own group's channels.
    swapped_x = np.concatenate([np.swapaxes(x[:, j * c_group:(j + 1) * c_group], 0, 1) for j in range(groups)], axis=1)
    filters = np.swapaxes(gb, 0, 1)                                      # (C_out, N, *out)
    pads = tuple(p0 for p0, _ in case.pads)
    corr = conv(swapped_x, filters, stride=case.kwargs["dilation"], dilation=case.kwargs["stride"],
                padding=pads, groups=groups)
    k = case.weight.shape[-case.dims:]
    corr = corr[(slice(None), slice(None), *(slice(0, kk) for kk in k))]   # leftover positions past the last tap
    expected = np.swapaxes(corr, 0, 1)                                   # (C_out, C_in/g, *k)
    assert expected.shape == (gb.shape[1], c_group, *k) and o_group >= 1
    np.testing.assert_array_equal(ours(case, g)[1], expected)


# ----------------------------------------------------------------------------
# Traces: the terms of every gradient element, against brute force
# ----------------------------------------------------------------------------
def forward_reads(case):
    """Every (grad_output index, input index, weight index, forward coordinate) the forward
    convolution multiplied, by walking its windows (the trace's own Conv problem)."""
    trace = (convcore.trace1d if case.dims == 1 else convcore.trace2d)(case.input, case.weight, **case.all_kwargs)
    p = trace.problem
    reads = []
    for k in range(len(trace)):
        sample, o, pos = trace.locate(k)
        group = p.group_of(o)
        for local, c in enumerate(p.group_channels(group)):
            for tap, coords in zip(product(*(range(a.k) for a in p.axes)), p.window_coordinates(pos)):
                src = p.source(coords)
                if src is None:
                    continue
                def at(ch, where):
                    return tuple(where) if case.layout == "plain" else (
                        (ch, *where) if case.layout == "unbatched" else (sample, ch, *where))
                w_index = tuple(tap) if case.layout == "plain" else (o, local, *tap)
                reads.append((at(o, pos), at(c, src), w_index, coords))
    return reads


@settings(max_examples=30, deadline=None)
@given(cases(integers=True, max_n=5, max_k=3))
def test_grad_traces_hold_exactly_the_products_of_the_forward_pass(case):
    g = grad_output_for(case, integers=True)
    gi, gw, _ = ours(case, g)
    reads = forward_reads(case)
    t_in = (grad.trace_conv1d_input_grad if case.dims == 1 else grad.trace_conv2d_input_grad)(
        case.input.shape, case.weight, g, **case.kwargs)
    t_w = (grad.trace_conv1d_weight_grad if case.dims == 1 else grad.trace_conv2d_weight_grad)(
        case.input, case.weight.shape, g, **case.kwargs)
    assert len(t_in) == gi.size and len(t_w) == gw.size
    np.testing.assert_array_equal(t_in.output, gi)
    np.testing.assert_array_equal(t_w.output, gw)
    x, w = np.asarray(case.input), np.asarray(case.weight)
    for trace, other, wrt in ((t_in, w, "input"), (t_w, x, "weight")):
        elements = list(np.ndindex(gi.shape if wrt == "input" else gw.shape))
        for k, step in enumerate(trace):
            assert step.wrt == wrt and step.index == k and step.element == elements[k]
            np.testing.assert_array_equal(step.grad_output_values, g[tuple(step.grad_output_index.T)])
            np.testing.assert_array_equal(step.other_values, other[tuple(step.other_index.T)])
            np.testing.assert_array_equal(step.products, step.grad_output_values * step.other_values)
            assert step.value == step.products.sum() == (gi if wrt == "input" else gw)[step.element]
            # The same (grad_output, other, coordinate) triples the forward pass multiplied.
            if wrt == "input":
                expected = sorted((r[0], r[2], r[3]) for r in reads if r[1] == step.element)
            else:
                expected = sorted((r[0], r[1], r[3]) for r in reads if r[2] == step.element)
            got = sorted((tuple(gi_.tolist()), tuple(oi.tolist()), tuple(c.tolist()))
                         for gi_, oi, c in zip(step.grad_output_index, step.other_index, step.coords))
            assert got == expected
            spatial = case.input.shape[-case.dims:]
            np.testing.assert_array_equal(step.in_padding, [any(not 0 <= c < n for c, n in zip(row, spatial))
                                                            for row in step.coords.reshape(-1, case.dims)])
            terms = step.terms
            assert len(terms) == len(step)
            if terms:
                assert terms[0].product == step.products[0]


# ----------------------------------------------------------------------------
# The seed's worked examples, loss = sum of the outputs
# ----------------------------------------------------------------------------
def test_seed_conv1d_gradients_by_hand():
    """x = [1, 2, 3, 4], w = [1, 0, -1], out = [x0 − x2, x1 − x3], loss = out0 + out1.

    dL/dx = [1, 1, −1, −1] (x0 only in out0 with +1, x1 only in out1 with +1, ...);
    dL/dw[t] = x[t] + x[t + 1] = [3, 5, 7]; dL/db = 2 outputs = 2.
    """
    ex = examples.get("seed_conv1d")
    ones = np.ones_like(ex.expected)
    assert grad.conv1d_input(ex.input.shape, ex.weight, ones).tolist() == [1, 1, -1, -1]
    assert grad.conv1d_weight(ex.input, ex.weight.shape, ones).tolist() == [3, 5, 7]
    assert grad.conv1d_bias(ones).tolist() == [2]
    x = torch.tensor(ex.input[None, None], dtype=torch.float64, requires_grad=True)
    w = torch.tensor(ex.weight[None, None], dtype=torch.float64, requires_grad=True)
    b = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    torch.nn.functional.conv1d(x, w, b).sum().backward()
    assert x.grad[0, 0].tolist() == [1, 1, -1, -1]
    assert w.grad[0, 0].tolist() == [3, 5, 7]
    assert b.grad.tolist() == [2]


def test_seed_conv2d_gradients_by_hand():
    """The seed's (2, 4, 4) ⋆ (3, 2, 2, 2), loss = sum of all 27 outputs.

    Weight: dL/dw[o, c, i, j] is the sum of the 3×3 block of channel c starting at (i, j),
    the same for every o. Channel 1 is A[r, q] = 1 + r + 4q, so the block sums to
    9 + 9i + 36j: [[54, 90], [63, 99]]. Channel 2 is B[r, q] = r + 1: 9i + 18, [[18, 18], [27, 27]].
    Input: x[c, r, q] collects Σ_o w[o, c] at each window that covers it. Σ_o w[o, 0] is
    2 everywhere and a position is covered by [1, 2, 2, 1] windows per axis, so channel 1
    gets 2·outer([1, 2, 2, 1], [1, 2, 2, 1]). Σ_o w[o, 1] = [[0, 0], [0, 1]]: only tap
    (1, 1) counts, which reaches rows and columns 1 to 3.
    Bias: 9 outputs per channel.
    """
    ex = examples.get("seed_conv2d")
    ones = np.ones_like(ex.expected)
    cover = np.array([1, 2, 2, 1])
    expected_x = np.stack([2 * np.outer(cover, cover),
                           np.pad(np.ones((3, 3), dtype=int), ((1, 0), (1, 0)))])
    expected_w = np.broadcast_to(np.array([[[54, 90], [63, 99]], [[18, 18], [27, 27]]]), (3, 2, 2, 2))
    got_x = grad.conv2d_input(ex.input.shape, ex.weight, ones)
    got_w = grad.conv2d_weight(ex.input, ex.weight.shape, ones)
    assert got_x.dtype == got_w.dtype == np.int64
    np.testing.assert_array_equal(got_x, expected_x)
    np.testing.assert_array_equal(got_w, expected_w)
    np.testing.assert_array_equal(grad.conv2d_bias(ones), [9, 9, 9])
    x = torch.tensor(ex.input, dtype=torch.float64, requires_grad=True)
    w = torch.tensor(ex.weight, dtype=torch.float64, requires_grad=True)
    b = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    torch.nn.functional.conv2d(x, w, b).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), expected_x)
    np.testing.assert_array_equal(w.grad.numpy(), expected_w)
    np.testing.assert_array_equal(b.grad.numpy(), [9, 9, 9])
    # One weight element's trace: w[0, 0, 1, 1] met A[1:4, 1:4], nine products of 1 · A.
    step = grad.trace_conv2d_weight_grad(ex.input, ex.weight.shape, ones).step_at(0, 0, (1, 1))
    assert step.element == (0, 0, 1, 1)
    assert sorted(step.other_values.tolist()) == sorted(ex.input[0, 1:4, 1:4].ravel().tolist())
    assert int(step.value) == 99
    # One input element's trace: x[1, 3, 3] (bottom-right of channel 2) is read only by
    # output (2, 2) of each filter, through tap (1, 1), where the filters hold 1, 1 and −1.
    step = grad.trace_conv2d_input_grad(ex.input.shape, ex.weight, ones).step_at(1, (3, 3))
    assert [t.other_index for t in step.terms] == [(0, 1, 1, 1), (1, 1, 1, 1), (2, 1, 1, 1)]
    assert [int(t.product) for t in step.terms] == [1, 1, -1]
    assert int(step.value) == 1


def test_bias_gradient_layouts():
    g = np.arange(2 * 3 * 4 * 5).reshape(2, 3, 4, 5)
    np.testing.assert_array_equal(grad.conv2d_bias(g), g.sum(axis=(0, 2, 3)))
    np.testing.assert_array_equal(grad.conv2d_bias(g[0]), g[0].sum(axis=(1, 2)))
    np.testing.assert_array_equal(grad.conv2d_bias(g[0, 0]), [g[0, 0].sum()])
    np.testing.assert_array_equal(grad.conv1d_bias(g[0, :, 0]), g[0, :, 0].sum(axis=1))
