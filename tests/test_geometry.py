"""The one indexing rule: output size, window start, tap offset, padding sources.

The vectorized kernel reads every output position of a tap as one strided
slice (``Axis.tap_slice``); the loop and the trace compute coordinates one
position at a time (``Axis.coordinate``). They must be the same arithmetic.
"""
import dataclasses

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

import convcore
from convcore.geometry import PADDING_MODES, Axis, same_padding, source_index


@st.composite
def axes(draw):
    """An axis on which the kernel fits (at least one output)."""
    k = draw(st.integers(1, 6))
    dilation = draw(st.integers(1, 4))
    stride = draw(st.integers(1, 4))
    pad_before, pad_after = draw(st.integers(0, 5)), draw(st.integers(0, 5))
    span = dilation * (k - 1) + 1
    n = draw(st.integers(max(1, span - pad_before - pad_after), 30))
    return Axis(n=n, k=k, stride=stride, pad_before=pad_before, pad_after=pad_after, dilation=dilation)


@settings(max_examples=300, deadline=None)
@given(axes())
def test_tap_slice_walks_the_per_position_coordinates(axis):
    padded = np.arange(axis.padded_length)  # position p holds coordinate p - pad_before
    for t in range(axis.k):
        sliced = padded[axis.tap_slice(t)] - axis.pad_before
        per_position = [axis.coordinate(o, t) for o in range(axis.out)]
        assert sliced.tolist() == per_position
        assert per_position == [o * axis.stride - axis.pad_before + t * axis.dilation for o in range(axis.out)]
        # a block of outputs, as the vectorized kernel reads it, walks the same coordinates
        for first in range(axis.out):
            for stop in range(first + 1, axis.out + 1):
                block = padded[axis.tap_slice(t, first, stop)] - axis.pad_before
                assert block.tolist() == per_position[first:stop]


@settings(max_examples=300, deadline=None)
@given(axes(), st.booleans())
def test_readers_invert_the_window_rule(axis, ceil_mode):
    """readers(i) lists exactly the (output, tap) pairs whose coordinate is i, outputs in order."""
    axis = dataclasses.replace(axis, ceil_mode=ceil_mode)
    every = [(o, t) for o in range(axis.out) for t in range(axis.k)]
    for i in range(-axis.pad_before - 2, axis.n + axis.pad_after + 2):
        expected = sorted((o, t) for o, t in every if axis.coordinate(o, t) == i)
        assert [tuple(r) for r in axis.readers(i)] == expected


def test_ceil_mode_rounds_up_and_drops_a_window_starting_in_the_right_padding():
    # n=5, k=2, s=2, p=1: ceil((5 + 2 − 1 − 1) / 2) + 1 = 4, but window 3 would start at 5 = n
    axis = Axis(n=5, k=2, stride=2, pad_before=1, pad_after=1, ceil_mode=True)
    assert (axis.rounded_out, axis.dropped_start, axis.out) == (4, 5, 3)
    assert "so it is dropped: 3" in axis.formula()
    floor = Axis(n=5, k=2, stride=2, pad_before=1, pad_after=1)
    assert (floor.rounded_out, floor.dropped_start, floor.out) == (3, None, 3)
    kept = Axis(n=5, k=2, stride=2, ceil_mode=True)           # the rounded-up window starts at 4 < n
    assert (kept.rounded_out, kept.dropped_start, kept.out) == (3, None, 3)


@settings(max_examples=300, deadline=None)
@given(axes())
def test_output_size_counts_the_windows_that_fit(axis):
    """``out`` is exactly the number of window starts whose last tap is inside the padded input."""
    fits = [o for o in range(axis.padded_length + 1)
            if axis.coordinate(o, axis.k - 1) < axis.n + axis.pad_after]
    assert axis.out == len(fits)
    # every coordinate of every output lies inside the padded input
    assert axis.coordinate(0, 0) >= -axis.pad_before
    assert axis.coordinate(axis.out - 1, axis.k - 1) < axis.n + axis.pad_after


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 20), st.integers(1, 5), st.integers(1, 4), st.integers(0, 4), st.integers(1, 3))
def test_output_size_matches_torch(n, k, stride, padding, dilation):
    span = dilation * (k - 1) + 1
    if n + 2 * padding < span:
        with pytest.raises(ValueError, match="does not fit"):
            convcore.output_size(n, k, stride, padding, dilation)
        return
    out = F.conv1d(torch.zeros(1, 1, n), torch.zeros(1, 1, k), stride=stride, padding=padding,
                   dilation=dilation).shape[-1]
    assert convcore.output_size(n, k, stride, padding, dilation) == out
    text = convcore.explain_output_size(n, k, stride, padding, dilation)
    assert text.startswith(f"floor(({n} + 2·{padding} − {dilation}·({k}−1) − 1) / {stride}) + 1")
    assert text.endswith(f"= {out}")


def test_output_size_with_an_uneven_pair():
    assert convcore.output_size(5, 4, padding=(1, 2)) == 5
    assert convcore.explain_output_size(5, 4, padding=(1, 2)) == (
        "floor((5 + 1 + 2 − 1·(4−1) − 1) / 1) + 1 = floor(4 / 1) + 1 = 5")


@pytest.mark.parametrize("k,dilation,expected", [
    (1, 1, (0, 0)), (3, 1, (1, 1)), (4, 1, (1, 2)), (2, 1, (0, 1)), (3, 2, (2, 2)), (2, 3, (1, 2)),
])
def test_same_padding_splits_like_torch(k, dilation, expected):
    """An odd total puts the extra position after the input."""
    assert same_padding(k, dilation) == expected
    m = torch.nn.Conv1d(1, 1, k, padding="same", dilation=dilation, padding_mode="replicate")
    assert tuple(m._reversed_padding_repeated_twice) == expected


NUMPY_MODE = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_source_index_is_numpy_and_torch_padding(mode, n):
    x = np.arange(10, 10 + n)
    pad = {"reflect": n - 1, "circular": n}.get(mode, n + 3)  # as far as torch allows
    padded = [x[source_index(i, n, mode)] for i in range(-pad, n + pad)]
    assert padded == np.pad(x, pad, mode=NUMPY_MODE[mode]).tolist()
    if pad:
        by_torch = F.pad(torch.tensor(x[None, None], dtype=torch.float64), (pad, pad), mode=mode)
        assert padded == by_torch[0, 0].long().tolist()


def test_source_index_zeros_reads_nothing_outside():
    assert [source_index(i, 3, "zeros") for i in range(-2, 5)] == [None, None, 0, 1, 2, None, None]
    with pytest.raises(ValueError, match="unknown padding mode 'mirror'"):
        source_index(-1, 3, "mirror")


def test_reflect_mirrors_without_repeating_the_edge():
    assert [source_index(i, 4, "reflect") for i in (-3, -2, -1, 4, 5, 6)] == [3, 2, 1, 2, 1, 0]
    assert [source_index(i, 4, "replicate") for i in (-2, -1, 4, 5)] == [0, 0, 3, 3]
    assert [source_index(i, 4, "circular") for i in (-2, -1, 4, 5)] == [2, 3, 0, 1]
    assert set(PADDING_MODES) == {"zeros", "reflect", "replicate", "circular"}


def test_axis_formula_and_span():
    axis = Axis(n=7, k=3, stride=2, pad_before=1, pad_after=1, dilation=2)
    assert axis.span == 5 and axis.padded_length == 9 and axis.out == 3
    assert axis.formula() == "floor((7 + 2·1 − 2·(3−1) − 1) / 2) + 1 = floor(4 / 2) + 1 = 3"
    assert axis.in_padding(-1) and axis.in_padding(7) and not axis.in_padding(0) and not axis.in_padding(6)


# -- inputs no window reads (stride, the floor in the output size, dilation gaps) ------------
def _read_by_some_window(trace) -> np.ndarray:
    """Oracle: walk every step of the trace and mark where each tap takes its value from."""
    p = trace.problem
    read = np.zeros(p.input.shape[2:], bool)
    for step in trace:
        for tap in step.window:
            if tap.source is not None:
                read[tap.source] = True
    return read


def test_never_read_matches_every_window_of_the_trace():
    import convcore
    from convcore import examples
    rng = np.random.default_rng(7)
    cases = [examples.get(n).trace() for n in examples.names()]
    for _ in range(60):
        dims = int(rng.integers(1, 3))
        n = tuple(int(v) for v in rng.integers(3, 9, dims))
        k = tuple(int(v) for v in rng.integers(1, 4, dims))
        kwargs = dict(stride=int(rng.integers(1, 4)), dilation=int(rng.integers(1, 3)), padding=int(rng.integers(0, 2)),
                      padding_mode=str(rng.choice(["zeros", "reflect", "replicate", "circular"])))
        try:
            trace = (convcore.trace1d if dims == 1 else convcore.trace2d)(np.ones((1, *n)), np.ones((1, 1, *k)), **kwargs)
        except ValueError:
            continue                       # the kernel does not fit: nothing to read
        cases.append(trace)
    assert len(cases) > 40
    for trace in cases:
        np.testing.assert_array_equal(trace.problem.never_read(), ~_read_by_some_window(trace))


def test_never_read_examples():
    from convcore import trace1d, trace2d
    assert trace1d(np.ones((1, 6)), np.ones((1, 1, 3)), stride=2).problem.never_read().tolist() == \
        [False] * 5 + [True]                                  # floor((6 - 3) / 2) + 1 = 2 windows: 0-2, 2-4
    gaps = trace2d(np.ones((1, 5, 5)), np.ones((1, 1, 2, 2)), dilation=2, stride=3).problem.never_read()
    assert gaps[0].tolist() == [False, True, False, True, True]


def test_padding_mask_and_step_numbers():
    from convcore import examples
    trace = examples.get("even_same").trace()                 # pads 1 before, 2 after
    mask = trace.problem.padding_mask()
    assert mask.shape == (8, 8) and mask[0].all() and mask[-2:].all() and not mask[1:6, 1:6].any()
    numbers = trace.step_numbers
    assert numbers.shape == trace.loop_shape
    assert all(numbers[(0, c, *pos)] == trace.index(c, pos) for c in range(1) for pos in np.ndindex(5, 5))
