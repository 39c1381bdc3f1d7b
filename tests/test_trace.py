"""The trace: one step per output element, each step the arithmetic of that element.

Everything a view shows comes from a ``Step``, so the invariants here are what
makes the pictures honest: steps in output order, products summing to the
partial sums, partial sums plus bias giving the value the kernel computed,
padding taps flagged where (and only where) they fall outside the input, and
the values under them the ones the padding mode puts there.
"""
import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import convcore
from convcore import examples
from strategies import cases

NUMPY_MODE = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def trace_of(case):
    trace = convcore.trace1d if case.dims == 1 else convcore.trace2d
    return trace(case.input, case.weight, **case.all_kwargs)


def kernel_of(case):
    conv = convcore.conv1d if case.dims == 1 else convcore.conv2d
    return conv(case.input, case.weight, **case.all_kwargs)


def padded_input(case):
    """The input as (N, C, *spatial) with numpy's own padding in the case's mode."""
    x = case.input
    if case.layout == "plain":
        x = x[None, None]
    elif case.layout == "unbatched":
        x = x[None]
    widths = [(0, 0), (0, 0), *case.pads]
    return np.pad(x, widths, mode=NUMPY_MODE[case.kwargs["padding_mode"]])


@settings(max_examples=80, deadline=None)
@given(cases(integers=True, max_n=6, max_k=3))
def test_step_invariants(case):
    trace = trace_of(case)
    out = kernel_of(case)
    problem = trace.problem
    padded = padded_input(case)
    pads_before = [p0 for p0, _ in case.pads]

    # One step per output element, in the output array's own (C order) order.
    assert len(trace) == out.size
    order = list(np.ndindex(out.shape))
    assert len(order) == len(trace)

    for k, step in enumerate(trace):
        assert step.index == k
        assert step.out_index == order[k]
        assert (step.sample, step.out_channel, step.out_pos) == trace.locate(k)
        assert trace.index(step.out_channel, step.out_pos, step.sample) == k

        # The channels of the group, and the weight slice that meets them.
        per_group = problem.in_channels // problem.groups
        assert step.group == step.out_channel // (problem.out_channels // problem.groups)
        assert step.in_channels == tuple(range(step.group * per_group, (step.group + 1) * per_group))
        np.testing.assert_array_equal(step.kernel, problem.weight[step.out_channel])

        # products -> partial sums -> value -> the kernel's output, all exact on ints
        assert step.patch.shape == step.kernel.shape == step.products.shape
        np.testing.assert_array_equal(step.products, step.patch * step.kernel)
        np.testing.assert_array_equal(step.partial_sums,
                                      step.products.reshape(len(step.in_channels), -1).sum(axis=1))
        expected_bias = 0 if case.bias is None else case.bias[step.out_channel]
        assert step.bias == expected_bias
        assert step.value == step.partial_sums.sum() + step.bias
        assert step.value == out[step.out_index]

        # The window: every tap's coordinate by the formula, flagged exactly when outside,
        # and the patch holds what the padding mode puts there.
        assert len(step.window) == step.kernel[0].size
        for tap in step.window:
            coords = tuple(o * a.stride - a.pad_before + t * a.dilation
                           for a, o, t in zip(problem.axes, step.out_pos, tap.offset))
            assert tap.coords == coords
            outside = any(not 0 <= c < a.n for c, a in zip(coords, problem.axes))
            assert tap.in_padding == outside
            if case.kwargs["padding_mode"] == "zeros":
                assert (tap.source is None) == outside
            else:
                assert tap.source is not None
            if not outside:
                assert tap.source == coords
            at = tuple(c + p for c, p in zip(coords, pads_before))
            under = step.patch[(slice(None), *tap.offset)]
            channels = slice(step.in_channels[0], step.in_channels[-1] + 1)
            np.testing.assert_array_equal(under, padded[(step.sample, channels, *at)])
        mask = np.array([t.in_padding for t in step.window]).reshape(step.kernel.shape[1:])
        np.testing.assert_array_equal(step.padding_mask, mask)
        assert step.coords.shape == (*step.kernel.shape[1:], case.dims)


@settings(max_examples=40, deadline=None)
@given(cases(max_n=6, max_k=3))
def test_float_steps_match_the_kernel(case):
    trace = trace_of(case)
    out = kernel_of(case)
    np.testing.assert_array_equal(trace.output, out)
    for step in trace:
        assert step.value.dtype == out.dtype
        np.testing.assert_allclose(step.partial_sums.sum() + step.bias, step.value, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(step.value, out[step.out_index], rtol=1e-12, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(cases(integers=True, max_n=6, max_k=3), st.data())
def test_indexing_from_both_ends(case, data):
    trace = trace_of(case)
    n = len(trace)
    k = data.draw(st.integers(-n, n - 1))
    assert trace[k].index == k % n
    assert trace[k].out_index == trace[k % n].out_index
    assert trace[-1].index == n - 1
    with pytest.raises(IndexError, match=f"step {n} is past the end: this trace has {n} steps"):
        trace[n]
    with pytest.raises(IndexError, match="past the end"):
        trace[-n - 1]
    with pytest.raises(IndexError, match="no output element"):
        trace.index(trace.problem.out_channels, (0,) * case.dims)


def test_step_at_and_index_look_up_an_output_element():
    trace = examples.get("seed_conv2d").trace()
    step = trace.step_at(2, (1, 2))
    assert (step.out_channel, step.out_pos, step.value) == (2, (1, 2), 40)
    assert trace.index(2, (1, 2)) == 2 * 9 + 1 * 3 + 2
    with pytest.raises(IndexError, match=r"out_pos=\(3, 0\)"):
        trace.index(0, (3, 0))
    with pytest.raises(TypeError, match="trace index must be an int; got 'a'"):
        trace["a"]
    with pytest.raises(TypeError, match="must be an int"):
        trace[1.0]


def test_every_trace_slices_like_a_sequence():
    traces = [examples.get("seed_conv2d").trace(), convcore.trace_max_pool1d([1, 3, 2, 5], 2),
              convcore.trace_transpose1d([1, 2], [1, 0, -1], stride=2),
              convcore.trace_transpose1d([1, 2], [1, 0, -1], stride=2, reading="gather"),
              convcore.grad.trace_conv1d_weight_grad([1, 2, 3, 4], (3,), [1, 1])]
    for trace in traces:
        n = len(trace)
        assert [s.index for s in trace[1:n:2]] == list(range(1, n, 2))
        assert [s.index for s in trace[::-1]] == list(range(n))[::-1]
        assert trace[-n].index == 0 and trace[:0] == []
        assert trace[trace.index_of(*trace.locate(n - 1))].index == n - 1


def test_a_batch_walks_every_sample_in_turn():
    x = np.arange(2 * 1 * 5).reshape(2, 1, 5)
    w = np.array([[[1, -1]]])
    trace = convcore.trace1d(x, w)
    assert len(trace) == 2 * 1 * 4
    assert [trace[k].sample for k in range(len(trace))] == [0, 0, 0, 0, 1, 1, 1, 1]
    assert trace[4].out_index == (1, 0, 0)
    assert "8 steps = 2 sample(s)" in repr(trace)


def test_plain_trace_steps_index_the_plain_output():
    trace = convcore.trace1d([1, 2, 3, 4], [1, 0, -1])
    assert [s.out_index for s in trace] == [(0,), (1,)]
    assert [int(s.value) for s in trace] == [-2, -2]


def test_padding_taps_of_the_same_padding_example():
    """'same' on 5x5 with 3x3: the corner step has 5 of its 9 taps in the padding."""
    trace = examples.get("same_padding").trace()
    corner = trace[0]
    assert corner.padding_mask.tolist() == [[True, True, True], [True, False, False], [True, False, False]]
    assert corner.patch[0][corner.padding_mask].tolist() == [0] * 5
    centre = trace.step_at(0, (2, 2))
    assert not centre.padding_mask.any()


# ----------------------------------------------------------------------------
# Laziness: building a trace reads nothing, computes nothing, copies nothing
# ----------------------------------------------------------------------------
def test_trace_of_a_224_image_is_lazy():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 224, 224))
    w = rng.standard_normal((64, 3, 3, 3))
    tracemalloc.start()
    try:
        trace = convcore.trace2d(x, w, padding=1)
        built, _ = tracemalloc.get_traced_memory()
        last = trace[-1]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # The trace holds the caller's arrays, not copies: no work was done up front.
    assert np.shares_memory(trace.problem.input, x)
    assert trace.problem.weight is w
    assert "output" not in vars(trace)  # the vectorized output was never computed
    # The full output would be 64*224*224 float64 = 25 MB; the trace and one step are tiny.
    assert built < 64 * 1024
    assert peak < 1024 * 1024
    assert len(trace) == 64 * 224 * 224
    assert (last.out_channel, last.out_pos) == (63, (223, 223))
    expected = sum(x[c, 222 + i, 222 + j] * w[63, c, i, j] for c in range(3) for i in range(2) for j in range(2))
    assert last.value == pytest.approx(expected, rel=1e-12)
    assert last.padding_mask.tolist() == [[False, False, True], [False, False, True], [True, True, True]]


def test_step_arrays_do_not_alias_the_problem():
    """A view that scribbles on a step must not change the trace or the input."""
    ex = examples.get("seed_conv2d")
    trace = ex.trace()
    step = trace[0]
    step.patch[...] = 0
    step.kernel[...] = 0
    assert trace[0].value == 13
    np.testing.assert_array_equal(ex.run(), ex.expected)
