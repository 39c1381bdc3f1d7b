"""Causal convolutions: as PyTorch users write them, and never reading the future."""
import numpy as np
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

import convcore


@st.composite
def causal_cases(draw, integers=False):
    layout = draw(st.sampled_from(["plain", "unbatched", "batched"]))
    k, d = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    n = draw(st.integers(1, 12))
    c_in, c_out, batch = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 2))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    values = (lambda shape: rng.integers(-3, 4, shape)) if integers else (lambda shape: rng.uniform(-1, 1, shape))
    if layout == "plain":
        x, w, b = values((n,)), values((k,)), None
    else:
        x = values((c_in, n) if layout == "unbatched" else (batch, c_in, n))
        w = values((c_out, c_in, k))
        b = values((c_out,)) if draw(st.booleans()) else None
    return x, w, b, d


def torch_causal(x, w, b, d):
    """What a PyTorch user writes: pad d·(k−1) zeros on the left, then conv1d."""
    plain = x.ndim == 1
    xt = torch.from_numpy(np.asarray(x, dtype=np.float64).reshape((1,) * (3 - x.ndim) + x.shape))
    wt = torch.from_numpy(np.asarray(w, dtype=np.float64).reshape((1, 1) * plain + w.shape))
    bt = None if b is None else torch.from_numpy(b.astype(np.float64))
    k = wt.shape[-1]
    out = F.conv1d(F.pad(xt, (d * (k - 1), 0)), wt, bt, dilation=d).numpy()
    return out.reshape(out.shape[3 - x.ndim:])   # back to the caller's layout


@settings(max_examples=120, deadline=None)
@given(causal_cases())
def test_matches_pad_left_then_conv1d(case):
    x, w, b, d = case
    got = convcore.causal_conv1d(x, w, b, dilation=d)
    expected = torch_causal(x, w, b, d)
    assert got.shape == expected.shape and got.shape[-1] == x.shape[-1]   # as long as the input
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


@settings(max_examples=80, deadline=None)
@given(causal_cases(integers=True), st.data())
def test_future_inputs_never_change_the_past(case, data):
    x, w, b, d = case
    n = x.shape[-1]
    t = data.draw(st.integers(0, n - 1))
    changed = x.copy()
    changed[..., t + 1:] = np.random.default_rng(t).integers(-100, 100, changed[..., t + 1:].shape)
    before = convcore.causal_conv1d(x, w, b, dilation=d)
    after = convcore.causal_conv1d(changed, w, b, dilation=d)
    np.testing.assert_array_equal(before[..., :t + 1], after[..., :t + 1])


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.integers(0, 2**32 - 1), st.data())
def test_a_past_input_inside_the_window_changes_the_output(k, d, seed, data):
    rng = np.random.default_rng(seed)
    n = d * (k - 1) + 1 + data.draw(st.integers(0, 6))
    x = rng.integers(-3, 4, n)
    w = rng.choice([-3, -2, -1, 1, 2, 3], k)             # no zero weight
    t = data.draw(st.integers(d * (k - 1), n - 1))
    y = convcore.causal_conv1d(x, w, dilation=d)
    for back in range(0, t + 1):
        bumped = x.copy()
        bumped[t - back] += 1
        moved = convcore.causal_conv1d(bumped, w, dilation=d)[t] != y[t]
        # y[t] = sum_j w[j] x[t − d·(k−1−j)]: the taps are 0, d, ..., d·(k−1) steps back
        assert moved == (back % d == 0 and back <= d * (k - 1)), (back, moved)


def test_a_dilated_stack_sees_exactly_16_steps_back():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, 40)
    weights = [rng.uniform(0.5, 1.5, 2) for _ in range(4)]

    def stack(x):
        for w, d in zip(weights, (1, 2, 4, 8)):
            x = convcore.causal_conv1d(x, w, dilation=d)
        return x

    y = stack(x)
    t = 30
    for i in range(40):
        bumped = x.copy()
        bumped[i] += 1
        assert (stack(bumped)[t] != y[t]) == (t - 15 <= i <= t), i
    rf = convcore.receptive_field(convcore.causal_layers(2, (1, 2, 4, 8)))
    assert rf.inputs_of(t, 40) == tuple(range(t - 15, t + 1))


def test_padding_helper():
    assert convcore.causal_padding(2) == 1
    assert convcore.causal_padding(3, dilation=4) == 8
    assert [convcore.causal_padding(2, d) for d in (1, 2, 4, 8)] == [1, 2, 4, 8]


@settings(max_examples=40, deadline=None)
@given(causal_cases(integers=True))
def test_trace_is_trace1d_of_the_left_padded_problem(case):
    x, w, b, d = case
    trace = convcore.trace_causal_conv1d(x, w, b, dilation=d)
    out = convcore.causal_conv1d(x, w, b, dilation=d)
    (axis,) = trace.problem.axes
    k = np.asarray(w).shape[-1]
    assert (axis.pad_before, axis.pad_after) == (d * (k - 1), 0)
    # The same steps as trace1d of the input with its left zeros written out.
    left = d * (k - 1)
    padded = np.concatenate([np.zeros(x.shape[:-1] + (left,), dtype=x.dtype), x], axis=-1)
    explicit = convcore.trace1d(padded, w, b, dilation=d)
    assert len(trace) == len(explicit) == out.size
    for step, other in zip(trace, explicit):
        assert step.value == out[step.out_index] == other.value
        np.testing.assert_array_equal(step.products, other.products)
        t = step.out_pos[0]
        coords = [tap.coords[0] for tap in step.window]
        assert coords == [c - left for c in (tap.coords[0] for tap in other.window)]
        assert max(coords) == t                         # the window ends at t: nothing from the future
        assert [tap.in_padding for tap in step.window] == [c < 0 for c in coords]
