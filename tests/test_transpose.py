"""Transposed convolution: the kernel against PyTorch, and its two readings against the kernel.

The scatter trace (one stamp per input element) and the gather trace (a
plain convolution of the zero-inserted, padded input) must each give the
kernel's output on every case, and the two must agree on *which* products
make each output element.
"""
import tracemalloc

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

import convcore
from convcore.transpose import TransposedConv, gather_conv
from strategies_transpose import transpose_cases

TOL = dict(rtol=1e-9, atol=1e-9)


def torch_transpose(case) -> np.ndarray:
    f = F.conv_transpose1d if case.dims == 1 else F.conv_transpose2d
    extra = 2 if case.layout == "plain" else 0
    x = torch.from_numpy(case.input[(None,) * extra].astype(np.float64))
    w = torch.from_numpy(case.weight[(None,) * extra].astype(np.float64))
    b = None if case.bias is None else torch.from_numpy(case.bias.astype(np.float64))
    out = f(x, w, b, **case.kwargs).numpy()
    return out[0, 0] if extra else out


def ours(case) -> np.ndarray:
    f = convcore.conv_transpose1d if case.dims == 1 else convcore.conv_transpose2d
    return f(case.input, case.weight, **case.all_kwargs)


def trace_of(case, reading):
    f = convcore.trace_transpose1d if case.dims == 1 else convcore.trace_transpose2d
    return f(case.input, case.weight, **case.all_kwargs, reading=reading)


# ----------------------------------------------------------------------------
# The kernel against PyTorch
# ----------------------------------------------------------------------------
@settings(max_examples=150, deadline=None)
@given(transpose_cases())
def test_matches_torch_functional(case):
    expected = torch_transpose(case)
    got = ours(case)
    assert got.shape == expected.shape
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, expected, **TOL)


@settings(max_examples=60, deadline=None)
@given(transpose_cases(integers=True))
def test_integer_inputs_stay_exact_integers(case):
    got = ours(case)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, torch_transpose(case))


@settings(max_examples=20, deadline=None)
@given(transpose_cases(layouts=("unbatched", "batched")), st.sampled_from(["float32", "tensor", "lists"]))
def test_other_input_types(case, kind):
    expected = torch_transpose(case)
    f = convcore.conv_transpose1d if case.dims == 1 else convcore.conv_transpose2d
    if kind == "float32":
        as32 = lambda a: None if a is None else a.astype(np.float32)  # noqa: E731
        got = f(as32(case.input), as32(case.weight), **dict(case.all_kwargs, bias=as32(case.bias)))
        assert got.dtype == np.float32
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)
    elif kind == "tensor":
        as_t = lambda a: None if a is None else torch.from_numpy(a)  # noqa: E731
        np.testing.assert_allclose(f(as_t(case.input), as_t(case.weight), **dict(case.all_kwargs, bias=as_t(case.bias))),
                                   expected, **TOL)
    else:
        as_l = lambda a: None if a is None else a.tolist()  # noqa: E731
        np.testing.assert_allclose(f(as_l(case.input), as_l(case.weight), **dict(case.all_kwargs, bias=as_l(case.bias))),
                                   expected, **TOL)


@settings(max_examples=60, deadline=None)
@given(transpose_cases(integers=True))
def test_gather_kernel_equals_scatter_kernel(case):
    """The whole output computed the other way, by convcore's forward conv kernel."""
    problem = TransposedConv.build("t", case.dims, case.input, case.weight, **case.all_kwargs)
    np.testing.assert_array_equal(gather_conv(problem), ours(case))


def test_stamps_by_hand():
    """[1, 2] with kernel [1, 0, -1], stride 2: stamps [1, 0, -1] at 0 and [2, 0, -2] at 2 overlap at 2."""
    assert convcore.conv_transpose1d([1, 2], [1, 0, -1], stride=2).tolist() == [1, 0, -1 + 2, 0, -2]
    # padding 1 crops one position off each end; output_padding 1 gives one back at the end
    assert convcore.conv_transpose1d([1, 2], [1, 0, -1], stride=2, padding=1).tolist() == [0, 1, 0]
    assert convcore.conv_transpose1d([1, 2], [1, 0, -1], stride=2, padding=1, output_padding=1).tolist() == [0, 1, 0, -2]
    # a bias is added once per output element, not once per stamp
    assert convcore.conv_transpose1d([1, 2], [1, 0, -1], bias=[10], stride=2).tolist() == [11, 10, 11, 10, 8]


def test_checkerboard_of_an_uneven_overlap():
    """k = 3, s = 2 on ones: every second position gets two stamps, the others one."""
    out = convcore.conv_transpose2d(np.ones((4, 4)), np.ones((3, 3)), stride=2)
    row = [1, 1, 2, 1, 2, 1, 2, 1, 1]
    np.testing.assert_array_equal(out, np.outer(row, row))
    # k divisible by s: away from the border every position gets the same 2 × 2 stamps
    even = convcore.conv_transpose2d(np.ones((4, 4)), np.ones((4, 4)), stride=2, padding=1)
    row = [1, 2, 2, 2, 2, 2, 2, 1]    # canvas coverage [1, 1, 2, 2, 2, 2, 2, 2, 1, 1], cropped by 1
    np.testing.assert_array_equal(even, np.outer(row, row))


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 8), st.integers(1, 4), st.integers(1, 3), st.integers(0, 3), st.integers(1, 3), st.data())
def test_output_size_formula_and_explainer(n, k, s, p, d, data):
    op = data.draw(st.integers(0, max(s, d) - 1))
    expected = (n - 1) * s - 2 * p + d * (k - 1) + op + 1
    text = convcore.explain_transpose_output_size(n, k, s, p, op, d)
    assert text.startswith(f"({n} − 1)·{s} − 2·{p} + {d}·({k} − 1) + {op} + 1 = ")
    assert text.endswith(f"= {expected}")
    if expected >= 1:
        assert convcore.transpose_output_size(n, k, s, p, op, d) == expected
        assert convcore.conv_transpose1d(np.zeros(n), np.zeros(k), stride=s, padding=p,
                                         output_padding=op, dilation=d).shape == (expected,)
    else:
        with pytest.raises(ValueError, match="output would be empty"):
            convcore.transpose_output_size(n, k, s, p, op, d)


def test_explainer_numbers():
    assert convcore.explain_transpose_output_size(4, 3, stride=2, padding=1, output_padding=1) == \
        "(4 − 1)·2 − 2·1 + 1·(3 − 1) + 1 + 1 = 6 − 2 + 2 + 1 + 1 = 8"
    problem = TransposedConv.build("t", 2, np.zeros((1, 3, 2)), np.zeros((1, 1, 2, 3)), stride=(2, 1))
    assert problem.explain().splitlines() == [
        "height: (3 − 1)·2 − 2·0 + 1·(2 − 1) + 0 + 1 = 4 − 0 + 1 + 0 + 1 = 6",
        "width: (2 − 1)·1 − 2·0 + 1·(3 − 1) + 0 + 1 = 1 − 0 + 2 + 0 + 1 = 4",
    ]


# ----------------------------------------------------------------------------
# The scatter reading
# ----------------------------------------------------------------------------
@settings(max_examples=40, deadline=None)
@given(transpose_cases(integers=True, max_n=4))
def test_scatter_steps(case):
    trace = trace_of(case, "scatter")
    p = trace.problem
    out = ours(case)
    batched_in = p.input
    assert len(trace) == p.input.size
    assert trace.loop_shape == p.input.shape
    running = {}   # (sample) -> the uncropped canvas built from the steps alone
    for k, step in enumerate(trace):
        assert step.index == k
        assert (step.sample, step.in_channel, step.in_pos) == trace.locate(k)
        assert trace.index(step.in_channel, step.in_pos, step.sample) == k
        assert step.value == batched_in[(step.sample, step.in_channel, *step.in_pos)]
        assert step.value == np.asarray(case.input)[step.in_index]
        per_group = p.weight.shape[1]
        assert step.out_channels == tuple(range(step.group * per_group, (step.group + 1) * per_group))
        np.testing.assert_array_equal(step.kernel, p.weight[step.in_channel])
        np.testing.assert_array_equal(step.stamp, step.value * step.kernel)
        np.testing.assert_array_equal(step.after, step.before + step.stamp)
        # Each tap lands where the formula says, cropped exactly when outside the output.
        for landing in step.landings:
            canvas = tuple(i * a.stride + t * a.dilation for i, t, a in zip(step.in_pos, landing.offset, p.axes))
            assert landing.canvas == canvas
            assert landing.coords == tuple(c - a.pad_before for c, a in zip(canvas, p.axes))
            assert landing.cropped == any(not 0 <= c < a.n for c, a in zip(landing.coords, p.axes))
        # Replay the stamps on a canvas of our own: `before` must be what is already there.
        canvas = running.setdefault(step.sample, np.zeros((p.out_channels, *p.canvas_spatial), dtype=np.int64)
                                    + (0 if p.bias is None else p.bias.reshape(-1, *([1] * p.dims))))
        for o_local, o in enumerate(step.out_channels):
            for landing in step.landings:
                at = (o, *landing.canvas)
                assert canvas[at] == step.before[(o_local, *landing.offset)]
                canvas[at] += step.stamp[(o_local, *landing.offset)]
                if not landing.cropped:
                    assert step.out_index(o, landing.offset) == _index(case.layout, step.sample, o, landing.coords)
                else:
                    assert step.out_index(o, landing.offset) is None
    # The replayed canvases, cropped, are the kernel's output.
    for sample, canvas in running.items():
        crop = canvas[(slice(None), *(slice(a.pad_before, a.pad_before + a.n) for a in p.axes))]
        expected = out if case.layout == "plain" else (out if case.layout == "unbatched" else out[sample])
        np.testing.assert_array_equal(crop.reshape(np.shape(expected)), expected)


def _index(layout, sample, channel, pos):
    if layout == "plain":
        return tuple(pos)
    return (channel, *pos) if layout == "unbatched" else (sample, channel, *pos)


@settings(max_examples=25, deadline=None)
@given(transpose_cases(integers=True, max_n=4), st.data())
def test_scatter_state_after(case, data):
    trace = trace_of(case, "scatter")
    p = trace.problem
    k = data.draw(st.integers(0, len(trace) - 1))
    step = trace[k]
    full = trace.state_after(k, uncropped=True)
    assert full.shape == (p.out_channels, *p.canvas_spatial)
    for o_local, o in enumerate(step.out_channels):
        for landing in step.landings:
            assert full[(o, *landing.canvas)] == step.after[(o_local, *landing.offset)]
    # The last step of a sample leaves the finished output.
    last = trace.index(p.in_channels - 1, tuple(n - 1 for n in p.in_spatial), step.sample)
    out = ours(case)
    expected = out[step.sample] if case.layout == "batched" else out
    state = trace.state_after(last)
    assert state.shape == (p.out_channels, *p.out_spatial)
    np.testing.assert_array_equal(state.reshape(expected.shape), expected)


# ----------------------------------------------------------------------------
# The gather reading, and how the two readings meet
# ----------------------------------------------------------------------------
@settings(max_examples=40, deadline=None)
@given(transpose_cases(integers=True, max_n=4))
def test_gather_steps_and_both_readings_agree(case):
    gather = trace_of(case, "gather")
    scatter = gather.scatter
    p = gather.problem
    out = ours(case)
    assert len(gather) == out.size
    x = p.input
    for k, step in enumerate(gather):
        assert step.index == k
        assert step.out_index == _index(case.layout, step.sample, step.out_channel, step.out_pos)
        assert step.value == out[step.out_index]
        conv = step.conv
        assert conv.value == conv.partial_sums.sum() + conv.bias
        # What each tap reads: the input element the plan says, or a zero.
        group = step.out_channel // p.weight.shape[1]
        channels = range(group * (p.in_channels // p.groups), (group + 1) * (p.in_channels // p.groups))
        for t, tap in enumerate(conv.window):
            kind, source = step.kinds[t], step.sources[t]
            if tap.in_padding:     # the derived convolution's padding is padding here too
                assert kind == "padding"
            under = conv.patch[(slice(None), *tap.offset)]
            if kind == "input":
                np.testing.assert_array_equal(under, x[(step.sample, slice(channels.start, channels.stop), *source)])
            else:
                assert source is None and not under.any()
            assert step.weight_taps[t] == tuple(kk - 1 - o for kk, o in zip(p.kernel_shape, tap.offset))
            # the flipped, transposed kernel holds the original weight at the flipped tap
            for c_local, c in enumerate(channels):
                assert conv.kernel[(c_local, *tap.offset)] == \
                    p.weight[(c, step.out_channel - group * p.weight.shape[1], *step.weight_taps[t])]
        # The same products, read from the scatter side: one per (stamp, tap) landing here.
        pairs = scatter.contributors(step.out_channel, step.out_pos, step.sample)
        from_scatter = sorted((scatter.locate(i)[1], scatter.locate(i)[2], tap) for i, tap in pairs)
        from_gather = sorted((c, step.sources[t], step.weight_taps[t])
                             for t in range(len(conv.window)) if step.kinds[t] == "input"
                             for c in channels)
        assert from_scatter == from_gather
        total = step.bias + sum(scatter[i].stamp[(step.out_channel - scatter[i].out_channels[0], *tap)]
                                for i, tap in pairs)
        assert total == step.value


@settings(max_examples=40, deadline=None)
@given(transpose_cases(max_n=4))
def test_both_readings_give_the_kernel_output_on_floats(case):
    out = ours(case)
    gather = trace_of(case, "gather")
    np.testing.assert_allclose(np.array([s.value for s in gather]).reshape(out.shape), out, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(gather.output, out, rtol=1e-12, atol=1e-12)
    scatter = gather.scatter
    p = scatter.problem
    last_of_sample = [scatter.index(p.in_channels - 1, tuple(n - 1 for n in p.in_spatial), s) for s in range(p.batch)]
    states = np.stack([scatter.state_after(k) for k in last_of_sample])
    np.testing.assert_allclose(states.reshape(out.shape), out, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(scatter.output, out)


def test_gather_plan_of_a_stride_2_padding_1_case():
    """n = 3, k = 3, s = 2, p = 1, op = 1: [a, 0, b, 0, c] with 3 − 1 − 1 = 1 zero before, 2 after."""
    trace = convcore.trace_transpose1d([1, 2, 3], [1, 10, 100], stride=2, padding=1, output_padding=1,
                                       reading="gather")
    plan = trace.plan
    assert (plan.dilated, plan.pad_before, plan.pad_after) == ((5,), (1,), (2,))
    np.testing.assert_array_equal(trace.conv_trace.problem.input[0, 0], [1, 0, 2, 0, 3])
    np.testing.assert_array_equal(trace.conv_trace.problem.weight[0, 0], [100, 10, 1])
    first = trace[0]
    assert first.kinds == ("padding", "input", "inserted")
    assert first.sources == (None, (0,), None)
    assert first.weight_taps == ((2,), (1,), (0,))
    assert int(first.value) == 10   # only x0 · w1 reaches output 0
    np.testing.assert_array_equal([int(s.value) for s in trace], convcore.conv_transpose1d(
        [1, 2, 3], [1, 10, 100], stride=2, padding=1, output_padding=1))


def test_padding_larger_than_the_kernel_reach_crops_the_gather_input():
    """p > d·(k − 1): the gather reading cuts elements off instead of padding."""
    x = np.arange(1, 6)
    trace = convcore.trace_transpose1d(x, [1, -1], stride=2, padding=2, reading="gather")
    assert trace.plan.crop_before == (1,) and trace.plan.pad_before == (0,)
    np.testing.assert_array_equal([s.value for s in trace], convcore.conv_transpose1d(x, [1, -1], stride=2, padding=2))
    np.testing.assert_array_equal(trace.output, convcore.conv_transpose1d(x, [1, -1], stride=2, padding=2))


def test_scatter_trace_by_hand():
    trace = convcore.trace_transpose1d([1, 2], [1, 0, -1], stride=2, padding=1)
    first, second = trace
    assert [l.canvas for l in first.landings] == [(0,), (1,), (2,)]
    assert [l.cropped for l in first.landings] == [True, False, False]
    assert [l.cropped for l in second.landings] == [False, False, True]
    assert second.before.tolist() == [[-1, 0, 0]]     # the first stamp's -1 is already at canvas 2
    assert second.after.tolist() == [[1, 0, -2]]
    assert trace.state_after(0).tolist() == [[0, -1, 0]]   # canvas [1, 0, -1, 0, 0] cropped to 1..3
    assert trace.state_after(1).tolist() == [[0, 1, 0]]    # canvas [1, 0, 1, 0, -2]
    assert trace.state_after(1, uncropped=True).tolist() == [[1, 0, 1, 0, -2]]
    assert trace.contributors(0, 1) == [(0, (2,)), (1, (0,))]
    assert "2 steps" in repr(trace) and "ScatterTrace" in repr(trace)


def test_reading_must_be_named():
    with pytest.raises(ValueError, match="trace_transpose2d: `reading` must be 'scatter'"):
        convcore.trace_transpose2d(np.ones((2, 2)), np.ones((2, 2)), reading="stamp")


def test_trace_indexing():
    trace = convcore.trace_transpose2d(np.ones((2, 3, 3)), np.ones((2, 1, 2, 2)))
    assert len(trace) == 18 and trace[-1].index == 17
    with pytest.raises(IndexError, match="step 18 is past the end: this trace has 18 steps"):
        trace[18]
    with pytest.raises(IndexError, match="no step at"):
        trace.index(2, (0, 0))
    with pytest.raises(TypeError, match="trace index must be an int"):
        trace["a"]


def test_traces_of_a_64_channel_56x56_transpose_are_lazy():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 56, 56))
    w = rng.standard_normal((64, 64, 3, 3))
    tracemalloc.start()
    try:
        scatter = convcore.trace_transpose2d(x, w, stride=2)
        gather = convcore.trace_transpose2d(x, w, stride=2, reading="gather")
        built, _ = tracemalloc.get_traced_memory()
        last = scatter[-1]
    finally:
        tracemalloc.stop()
    assert built < 64 * 1024
    assert scatter.problem.input is x or np.shares_memory(scatter.problem.input, x)
    assert "output" not in vars(scatter) and "_derived" not in vars(gather)
    assert len(scatter) == 64 * 56 * 56 and len(gather) == 64 * 113 * 113
    # the last element's stamp lands on the bottom-right corner, and nothing came after it there
    assert last.landings[-1].coords == (112, 112)
    corner = sum(x[c, 55, 55] * w[c, :, 2, 2] for c in range(64))
    np.testing.assert_allclose(last.after[:, 2, 2], corner, rtol=1e-10)


def test_output_padding_beyond_every_stamp():
    """n = 1, k = 1, s = 3, p = 1, op = 2: the crop removes the only stamp; the one output
    position is output_padding, so it holds the bias alone (PyTorch agrees)."""
    args = dict(stride=3, padding=1, output_padding=2)
    expected = F.conv_transpose1d(torch.tensor([[[5.0]]]), torch.tensor([[[2.0]]]), torch.tensor([7.0]), **args)
    assert expected.tolist() == [[[7.0]]]
    assert convcore.conv_transpose1d([5], [2], bias=[7], **args).tolist() == [7]
    gather = convcore.trace_transpose1d([5], [2], bias=[7], **args, reading="gather")
    assert [int(s.value) for s in gather] == [7]
    assert gather[0].kinds == ("padding",)
    scatter = gather.scatter
    assert scatter[0].landings[0].cropped and scatter.contributors(0, 0) == []
