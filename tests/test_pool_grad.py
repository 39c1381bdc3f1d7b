"""Pooling's backward pass (convcore.pool_grad) against torch.autograd, ties included, and its trace
against the forward trace: a max window sends its gradient to the cell its forward step chose, an
average window to every cell it read, divided by the divisor its forward step used."""
import numpy as np
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from convcore.pool_grad import PoolGradTrace, pool_input_grad
from convcore.pooling import Pool, PoolTrace
from test_pooling import TORCH, pool_cases, torch_result


def problem(case) -> Pool:
    kw = case.kwargs
    return Pool.build("pool", case.kind, case.dims, case.input, kw["kernel_size"], kw["stride"], kw["padding"],
                      kw.get("dilation", 1), kw["ceil_mode"], kw.get("count_include_pad", True))


def autograd(case, g):
    x = case.torch_input().requires_grad_(True)
    out = TORCH[case.kind, case.dims](x, **case.kwargs)
    g_t = torch.from_numpy(g if case.layout != "plain" else g[None])
    (out * g_t).sum().backward()
    return case.from_torch(x.grad)


def drawn_case(case, seed):
    """A case PyTorch computes, with every max window holding an input cell, and a gradient for it."""
    expected = torch_result(case)
    assume(not isinstance(expected, Exception))
    assume(np.isfinite(expected).all())      # a window of padding only has no cell to send its gradient to
    return np.random.default_rng(seed).integers(-3, 4, expected.shape).astype(np.float64)


@settings(max_examples=300, deadline=None)
@given(pool_cases(), st.integers(0, 2**32 - 1))
def test_pooling_backward_matches_autograd(case, seed):
    g = drawn_case(case, seed)
    ours = pool_input_grad(problem(case), g)
    assert ours.shape == case.input.shape
    if case.kind == "max":      # whole gradients routed whole: exactly equal
        np.testing.assert_array_equal(ours, autograd(case, g))
    else:
        np.testing.assert_allclose(ours, autograd(case, g), rtol=1e-12, atol=1e-12)


@settings(max_examples=150, deadline=None)
@given(pool_cases(), st.integers(0, 2**32 - 1), st.data())
def test_each_input_cell_collects_what_the_forward_windows_that_read_it_send_back(case, seed, data):
    g = drawn_case(case, seed)
    p = problem(case)
    trace, forward = PoolGradTrace(p, g), PoolTrace(p)
    lead = (0,) * (2 - p.layout.leading)        # the caller's index -> the (sample, channel, *pos) loop
    step = trace[data.draw(st.integers(0, len(trace) - 1))]
    np.testing.assert_allclose(step.value, trace.output[step.element], rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(step.products, step.grad_output_values * step.share)
    cell = (lead + step.element)[2:]
    for row, tap, sent in zip(step.out_index, step.tap, step.share):
        window = forward[int(forward.step_numbers[lead + tuple(row)])]
        assert window.window[int(np.ravel_multi_index(tap, p.kernel_shape))].coords == cell   # it read this cell
        if p.kind == "max":
            assert sent == (window.window[window.winner].coords == cell)      # 1 exactly where it chose it
        else:
            assert sent == 1 / window.divisor
