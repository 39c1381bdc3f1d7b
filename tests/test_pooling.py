"""Pooling against PyTorch: values, indices (ties included), ceil_mode, divisors, traces.

PyTorch is the oracle, imported at the top: these tests fail, not skip, without it.
Inputs are small integers held in float64, so ties are frequent and every
value is exact.
"""
from dataclasses import dataclass

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

import convcore
from convcore.geometry import Axis

TORCH = {("max", 1): F.max_pool1d, ("max", 2): F.max_pool2d, ("avg", 1): F.avg_pool1d, ("avg", 2): F.avg_pool2d}
OURS = {("max", 1): convcore.max_pool1d, ("max", 2): convcore.max_pool2d,
        ("avg", 1): convcore.avg_pool1d, ("avg", 2): convcore.avg_pool2d}
TRACES = {("max", 1): convcore.trace_max_pool1d, ("max", 2): convcore.trace_max_pool2d,
          ("avg", 1): convcore.trace_avg_pool1d, ("avg", 2): convcore.trace_avg_pool2d}


@dataclass
class PoolCase:
    kind: str
    dims: int
    layout: str
    input: np.ndarray
    kwargs: dict

    def torch_input(self):
        x = self.input if self.layout != "plain" else self.input[None]  # torch wants a channel axis
        return torch.from_numpy(np.asarray(x, dtype=np.float64))

    def from_torch(self, t):
        out = t.numpy()
        return out[0] if self.layout == "plain" else out


@st.composite
def pool_cases(draw, kind=None, dims=None, max_n=7, values=st.integers(-2, 2)):
    """Any pooling call, valid or not for the output size (padding kept within PyTorch's limit)."""
    kind = draw(st.sampled_from(["max", "avg"])) if kind is None else kind
    dims = draw(st.sampled_from([1, 2])) if dims is None else dims
    layout = draw(st.sampled_from(["plain", "unbatched", "batched"]))
    k = [draw(st.integers(1, 4)) for _ in range(dims)]
    d = [draw(st.integers(1, 3)) if kind == "max" else 1 for _ in range(dims)]
    p = [draw(st.integers(0, kk // 2)) for kk in k]
    s = None if draw(st.booleans()) else [draw(st.integers(1, 3)) for _ in range(dims)]
    n = [draw(st.integers(1, max_n)) for _ in range(dims)]
    channels, batch = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    shape = {"plain": (), "unbatched": (channels,), "batched": (batch, channels)}[layout] + tuple(n)
    x = np.array(draw(st.lists(values, min_size=int(np.prod(shape)), max_size=int(np.prod(shape)))),
                 dtype=np.float64).reshape(shape)

    def form(v):  # an int or one value per axis, as PyTorch accepts both
        return v[0] if len(set(v)) == 1 and draw(st.booleans()) else tuple(v)

    kwargs = dict(kernel_size=form(k), stride=None if s is None else form(s), padding=form(p),
                  ceil_mode=draw(st.booleans()))
    if kind == "max":
        kwargs["dilation"] = form(d)
    else:
        kwargs["count_include_pad"] = draw(st.booleans())
    return PoolCase(kind, dims, layout, x, kwargs)


def torch_result(case, **extra):
    """PyTorch's answer, or the exception it raised."""
    try:
        out = TORCH[case.kind, case.dims](case.torch_input(), **case.kwargs, **extra)
    except RuntimeError as err:
        return err
    return tuple(map(case.from_torch, out)) if isinstance(out, tuple) else case.from_torch(out)


# ----------------------------------------------------------------------------
# Against PyTorch
# ----------------------------------------------------------------------------
@settings(max_examples=200, deadline=None)
@given(pool_cases(kind="max"))
def test_max_pool_values_and_indices_match_torch(case):
    expected = torch_result(case, return_indices=True)
    ours = OURS[case.kind, case.dims]
    if isinstance(expected, Exception):  # PyTorch refuses (output size < 1): so do we
        with pytest.raises(ValueError, match="does not fit"):
            ours(case.input, **case.kwargs)
        return
    values, indices = ours(case.input, **case.kwargs, return_indices=True)
    assert values.shape == expected[0].shape and indices.dtype == np.int64
    np.testing.assert_array_equal(values, expected[0])
    np.testing.assert_array_equal(indices, expected[1])   # ties: the same (first) position
    # Without return_indices PyTorch runs another kernel for 1-D; same values.
    np.testing.assert_array_equal(ours(case.input, **case.kwargs), torch_result(case))


@settings(max_examples=200, deadline=None)
@given(pool_cases(kind="avg"))
def test_avg_pool_matches_torch(case):
    expected = torch_result(case)
    ours = OURS[case.kind, case.dims]
    if isinstance(expected, Exception):
        with pytest.raises(ValueError, match="does not fit"):
            ours(case.input, **case.kwargs)
        return
    got = ours(case.input, **case.kwargs)
    assert got.shape == expected.shape and got.dtype == np.float64
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


@settings(max_examples=80, deadline=None)
@given(pool_cases(kind="max", values=st.sampled_from([0.0, 1.0, -np.inf, np.inf, np.nan])))
def test_max_pool_special_values_match_torch(case):
    """−inf inputs (which tie with the −inf padding but still win), +inf and NaN (a NaN wins: the last one)."""
    expected = torch_result(case, return_indices=True)
    if isinstance(expected, Exception):
        return
    values, indices = OURS[case.kind, case.dims](case.input, **case.kwargs, return_indices=True)
    np.testing.assert_array_equal(values, expected[0])
    np.testing.assert_array_equal(indices, expected[1])
    np.testing.assert_array_equal(values, torch_result(case))   # PyTorch's 1-D kernel without indices agrees


@settings(max_examples=60, deadline=None)
@given(pool_cases(kind="max"))
def test_max_pool_integers_stay_exact(case):
    """int64 against PyTorch's int64 max pooling (a window with no input tap gives int64's minimum in both)."""
    try:
        expected = TORCH[case.kind, case.dims](case.torch_input().long(), **case.kwargs, return_indices=True)
    except RuntimeError:
        return
    expected = tuple(map(case.from_torch, expected))
    values, indices = OURS[case.kind, case.dims](case.input.astype(np.int64), **case.kwargs, return_indices=True)
    assert values.dtype == np.int64
    np.testing.assert_array_equal(values, expected[0])
    np.testing.assert_array_equal(indices, expected[1])


def test_float32_and_tensors_and_lists():
    x = np.random.default_rng(3).uniform(-1, 1, (2, 3, 6, 5))
    expected = F.avg_pool2d(torch.from_numpy(x), 3, 2, 1, ceil_mode=True).numpy()
    got32 = convcore.avg_pool2d(x.astype(np.float32), 3, 2, 1, ceil_mode=True)
    assert got32.dtype == np.float32
    np.testing.assert_allclose(got32, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(convcore.avg_pool2d(torch.from_numpy(x), 3, 2, 1, ceil_mode=True), expected, rtol=1e-12)
    assert convcore.max_pool1d([[4, 1, 7, 7]], 2).tolist() == [[4, 7]]


def test_integer_average_is_the_true_mean_not_torchs_truncation():
    """PyTorch's avg_pool on an integer tensor truncates (1 + 2) / 2 to 1; convcore gives 1.5."""
    assert F.avg_pool1d(torch.tensor([[1, 2]]), 2).item() == 1
    got = convcore.avg_pool1d([[1, 2]], 2)
    assert got.dtype == np.float64 and got.tolist() == [[1.5]]


# ----------------------------------------------------------------------------
# The rules, one by one, on numbers that can be checked by hand
# ----------------------------------------------------------------------------
def trace_effect(x, k, s, p):
    return tuple(map(tuple, convcore.trace_max_pool1d(x, k, s, p, ceil_mode=True).problem.ceil_effect()))


def test_ceil_mode_drops_a_last_window_that_starts_in_the_right_padding():
    # n=5, k=2, s=3, p=1: ceil((5 + 2 − 1 − 1) / 3) + 1 = 3, but window 2 starts at 2·3 − 1 = 5 = n.
    x = torch.arange(5.0)[None]
    assert F.max_pool1d(x, 2, 3, 1, ceil_mode=True).shape[-1] == 2
    assert convcore.max_pool1d(np.arange(5.0), 2, 3, 1, ceil_mode=True).shape == (2,)
    assert convcore.pool_output_size(5, 2, 3, 1, ceil_mode=True) == 2
    text = convcore.trace_max_pool1d(np.arange(5.0), 2, 3, 1, ceil_mode=True).problem.explain()
    assert text == ("length: ceil((5 + 2·1 − 1·(2−1) − 1) / 3) + 1 = ceil(5 / 3) + 1 = 3, but window 2 would "
                    "start at 2·3 − 1 = 5 ≥ n = 5, in the right padding, so it is dropped: 2")
    assert trace_effect(np.arange(5.0), 2, 3, 1) == ((0, 5),)
    # Whereas a window that starts inside the input is kept, overhanging the end.
    assert trace_effect(np.arange(5.0), 2, 2, 0) == ((1, None),)
    assert F.max_pool1d(torch.arange(5.0)[None], 2, ceil_mode=True).tolist() == [[1.0, 3.0, 4.0]]
    assert convcore.max_pool1d(np.arange(5.0), 2, ceil_mode=True).tolist() == [1.0, 3.0, 4.0]


def test_count_include_pad_counts_padding_but_never_the_overhang():
    # n=4, k=3, s=2, p=1, ceil: windows start at -1, 1, 3; the last reads x[3], the pad at 4, and 5 (overhang).
    x = [[1.0, 2.0, 4.0, 6.0]]
    step = convcore.trace_avg_pool1d(x, 3, 2, 1, ceil_mode=True)[2]
    assert [t.coords[0] for t in step.window] == [3, 4, 5]
    assert [(t.in_padding, t.in_overhang) for t in step.window] == [(False, False), (True, False), (True, True)]
    assert step.divisor == 2 and step.value == 3.0                    # (6 + 0) / 2
    expected = F.avg_pool1d(torch.tensor(x), 3, 2, 1, ceil_mode=True).tolist()
    assert expected == [[1.0, 4.0, 3.0]] == convcore.avg_pool1d(x, 3, 2, 1, ceil_mode=True).tolist()
    without = convcore.trace_avg_pool1d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False)[2]
    assert without.divisor == 1 and without.value == 6.0
    assert F.avg_pool1d(torch.tensor(x), 3, 2, 1, ceil_mode=True, count_include_pad=False)[0, 2].item() == 6.0


def test_padding_never_wins_even_against_minus_infinity():
    x = [[-np.inf, -np.inf, 1.0]]
    values, indices = convcore.max_pool1d(x, 2, padding=1, return_indices=True)
    tv, ti = F.max_pool1d(torch.tensor(x), 2, padding=1, return_indices=True)
    assert indices.tolist() == ti.tolist() == [[0, 2]]   # index 0: the input's −inf, not the pad before it
    assert values.tolist() == tv.tolist() == [[-np.inf, 1.0]]


def test_a_window_with_no_tap_in_the_input_reports_what_torch_reports():
    """With dilation a window can straddle the input: taps at −1 and 4 of a length-4 input."""
    x = np.arange(4.0)[None]
    tv, ti = F.max_pool1d(torch.from_numpy(x), 2, stride=1, padding=1, dilation=5, return_indices=True)
    values, indices = convcore.max_pool1d(x, 2, stride=1, padding=1, dilation=5, return_indices=True)
    assert values.tolist() == tv.tolist() == [[-np.inf]] and indices.tolist() == ti.tolist() == [[4]]
    step = convcore.trace_max_pool1d(x, 2, stride=1, padding=1, dilation=5)[0]
    assert step.winner is None and step.argmax == 4 and step.value == -np.inf
    assert step.padding_mask.tolist() == [True, True]


def test_ties_go_to_the_first_tap_in_row_major_order():
    x = np.array([[[5, 1], [5, 5]]])
    tv, ti = F.max_pool2d(torch.from_numpy(x), 2, return_indices=True)
    values, indices = convcore.max_pool2d(x, 2, return_indices=True)
    assert ti.item() == 0 and indices.item() == 0 and values.item() == 5
    step = convcore.trace_max_pool2d(x, 2)[0]
    assert step.winner == 0 and step.winner_offset == (0, 0)


def test_nan_wins_and_the_last_nan_is_reported():
    x = [[1.0, np.nan, 3.0, np.nan, 1.0]]
    tv, ti = F.max_pool1d(torch.tensor(x), 5, return_indices=True)
    values, indices = convcore.max_pool1d(x, 5, return_indices=True)
    assert np.isnan(values.item()) and np.isnan(tv.item())
    assert indices.item() == ti.item() == 3
    assert convcore.trace_max_pool1d(x, 5)[0].argmax == 3


# ----------------------------------------------------------------------------
# Traces: one step per output element, each the kernel's arithmetic
# ----------------------------------------------------------------------------
def divisors_from_torch(case):
    """The divisor of every avg-pool window, from PyTorch alone: the window's count
    of input taps (sum pooling of ones) over its mean of ones."""
    p = dict(case.kwargs)
    ones = torch.ones(case.input.shape[-case.dims:], dtype=torch.float64)[None]
    if case.dims == 1:  # avg_pool1d has no divisor_override: run the 2-D version on one row
        ones = ones[:, None]
        one = {k: (v[0] if isinstance(v, tuple) else v) for k, v in p.items()}
        p = dict(one, kernel_size=(1, one["kernel_size"]), padding=(0, one["padding"]),
                 stride=None if one["stride"] is None else (1, one["stride"]))
    inside = F.avg_pool2d(ones, **p, divisor_override=1)
    mean = F.avg_pool2d(ones, **p)
    return (inside / mean).round().numpy()[0].reshape(-1)


@settings(max_examples=60, deadline=None)
@given(pool_cases())
def test_trace_steps_are_the_kernels_arithmetic(case):
    if isinstance(torch_result(case), Exception):
        return
    trace = TRACES[case.kind, case.dims](case.input, **case.kwargs)
    out = OURS[case.kind, case.dims](case.input, **case.kwargs)
    n = case.input.shape[-case.dims:]
    assert len(trace) == out.size
    assert [s.out_index for s in trace] == list(np.ndindex(out.shape))
    np.testing.assert_array_equal(trace.output, out)
    if case.kind == "max":
        _, indices = OURS[case.kind, case.dims](case.input, **case.kwargs, return_indices=True)
    else:
        divisors = divisors_from_torch(case)
    for step in trace:
        assert step.value == out[step.out_index]
        coords = np.array([t.coords for t in step.window])
        outside = ((coords < 0) | (coords >= np.array(n))).any(axis=1)
        assert step.padding_mask.reshape(-1).tolist() == outside.tolist()
        plane = case.input.reshape(-1, *n)[step.sample * (1 if case.layout == "plain" else case.input.shape[-case.dims - 1]) + step.channel]
        inside_values = [plane[t.coords] for t in step.window if not t.in_padding]
        assert [v for v, pad in zip(step.patch.reshape(-1), outside) if not pad] == inside_values
        fill = -np.inf if case.kind == "max" else 0.0    # padding never wins / adds nothing
        assert all(v == fill for v, pad in zip(step.patch.reshape(-1), outside) if pad)
        if case.kind == "max":
            assert step.argmax == indices[step.out_index]
            w = step.winner
            if not inside_values:  # dilation can leave a window with no tap in the input
                assert w is None and step.value == -np.inf
                continue
            assert not step.window[w].in_padding
            assert step.patch.reshape(-1)[w] == step.value
            # strictly smaller before the winner, at most equal after it
            assert all(v < step.value for v in inside_values[:sum(~outside[:w])])
            assert all(v <= step.value for v in inside_values)
        else:
            assert step.divisor == step.counted.sum() == divisors[np.ravel_multi_index(step.out_pos, trace.problem.out_spatial)]
            assert step.total == sum(inside_values)
            assert step.value == step.total / step.divisor


def test_trace_of_unbatched_2d_locates_like_the_output():
    x = np.arange(2 * 4 * 4).reshape(2, 4, 4)
    trace = convcore.trace_max_pool2d(x, 2)
    assert trace.loop_shape == (1, 2, 2, 2) and len(trace) == 8
    step = trace.step_at(1, (1, 0))
    assert step.out_index == (1, 1, 0) and step.channel == step.out_channel == 1
    assert step.argmax == 13 and step.value == x[1, 3, 1] == 29 and step.winner_offset == (1, 1)
    assert convcore.max_pool2d(x, 2, return_indices=True)[1][1, 1, 0] == 13  # row 3, column 1: 3·4 + 1


# ----------------------------------------------------------------------------
# Geometry: the ceil rule in Axis, against PyTorch's output sizes
# ----------------------------------------------------------------------------
@settings(max_examples=200, deadline=None)
@given(st.integers(1, 20), st.integers(1, 5), st.integers(1, 4), st.integers(1, 3), st.data())
def test_axis_ceil_mode_output_size_matches_torch(n, k, s, d, data):
    p = data.draw(st.integers(0, k // 2))
    axis = Axis(n=n, k=k, stride=s, pad_before=p, pad_after=p, dilation=d, ceil_mode=True)
    try:
        expected = F.max_pool1d(torch.zeros(1, 1, n), k, s, p, d, ceil_mode=True).shape[-1]
    except RuntimeError:
        assert axis.out < 1
        return
    assert axis.out == expected
    # Every kept window starts inside the input or its left padding.
    assert axis.window_start(axis.out - 1) < n
    # The overhang is what the last window reaches past the padded input.
    last = axis.coordinate(axis.out - 1, k - 1)
    assert axis.overhang == max(0, last - (n + p - 1))
    floor_axis = Axis(n=n, k=k, stride=s, pad_before=p, pad_after=p, dilation=d)
    assert floor_axis.overhang == 0
    # What ceil_mode added over floor mode, against torch's floor-mode size; a dropped window
    # would have started at n or beyond.
    if floor_axis.out >= 1:
        (effect,) = convcore.trace_max_pool1d(np.zeros(n), k, s, p, d, ceil_mode=True).problem.ceil_effect()
        assert effect.added == expected - F.max_pool1d(torch.zeros(1, 1, n), k, s, p, d).shape[-1]
        assert effect.dropped_start is None or effect.dropped_start >= n
