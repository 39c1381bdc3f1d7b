"""convcore against the libraries a learner will move to: PyTorch and SciPy.

PyTorch is imported at the top on purpose: these tests are the oracle and
must fail, not skip, when it is missing.
"""
import numpy as np
import pytest
import scipy.signal
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

import convcore
from convcore import examples
from convcore.geometry import PADDING_MODES
from strategies import cases

TOL = dict(rtol=1e-9, atol=1e-9)


def batched(case, array, extra):
    """Give torch the channel axes a plain signal/image leaves out."""
    return array[(None,) * extra] if case.layout == "plain" else array


def torch_functional(case) -> np.ndarray:
    """``torch.nn.functional.conv1d/conv2d`` on the case (zero padding only)."""
    f = F.conv1d if case.dims == 1 else F.conv2d
    x = torch.from_numpy(batched(case, case.input, 2).astype(np.float64))
    w = torch.from_numpy(batched(case, case.weight, 2).astype(np.float64))
    b = None if case.bias is None else torch.from_numpy(case.bias.astype(np.float64))
    out = f(x, w, b, **{k: v for k, v in case.kwargs.items() if k != "padding_mode"}).numpy()
    return out[0, 0] if case.layout == "plain" else out


def torch_module(case) -> np.ndarray:
    """``nn.Conv1d/nn.Conv2d`` with the case's weights: the only way torch offers padding modes."""
    module_type = torch.nn.Conv1d if case.dims == 1 else torch.nn.Conv2d
    w = batched(case, case.weight, 2)
    c_out, c_per_group, *kernel = w.shape
    groups = case.kwargs["groups"]
    module = module_type(c_per_group * groups, c_out, tuple(kernel), bias=case.bias is not None,
                         **{k: v for k, v in case.kwargs.items() if k != "groups"}, groups=groups).double()
    with torch.no_grad():
        module.weight.copy_(torch.from_numpy(w.astype(np.float64)))
        if case.bias is not None:
            module.bias.copy_(torch.from_numpy(case.bias.astype(np.float64)))
        out = module(torch.from_numpy(batched(case, case.input, 2).astype(np.float64))).numpy()
    return out[0, 0] if case.layout == "plain" else out


def ours(case) -> np.ndarray:
    conv = convcore.conv1d if case.dims == 1 else convcore.conv2d
    return conv(case.input, case.weight, **case.all_kwargs)


# ----------------------------------------------------------------------------
# Random configurations
# ----------------------------------------------------------------------------
@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel lengths:UserWarning")
@settings(max_examples=150, deadline=None)
@given(cases(modes=("zeros",)))
def test_zero_padding_matches_functional(case):
    expected = torch_functional(case)
    got = ours(case)
    assert got.shape == expected.shape
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, expected, **TOL)


@settings(max_examples=150, deadline=None)
@given(cases())
def test_every_padding_mode_matches_module(case):
    expected = torch_module(case)
    got = ours(case)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, **TOL)


@settings(max_examples=60, deadline=None)
@given(cases(integers=True))
def test_integer_inputs_stay_exact_integers(case):
    got = ours(case)
    assert got.dtype == np.int64
    # Small integers are exact in float64, so torch's answer must match to the last bit.
    np.testing.assert_array_equal(got, torch_module(case))


@settings(max_examples=40, deadline=None)
@given(cases(), st.sampled_from(["float32", "tensor"]))
def test_other_input_types(case, kind):
    """float32 arrays stay float32 (to float32 precision); torch tensors are accepted as they are."""
    expected = torch_module(case)
    conv = convcore.conv1d if case.dims == 1 else convcore.conv2d
    if kind == "float32":
        got = conv(case.input.astype(np.float32), case.weight.astype(np.float32),
                   **dict(case.all_kwargs, bias=None if case.bias is None else case.bias.astype(np.float32)))
        assert got.dtype == np.float32
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)
    else:
        as_tensor = lambda a: None if a is None else torch.from_numpy(a)  # noqa: E731
        got = conv(as_tensor(case.input), as_tensor(case.weight),
                   **dict(case.all_kwargs, bias=as_tensor(case.bias)))
        np.testing.assert_allclose(got, expected, **TOL)


# ----------------------------------------------------------------------------
# The named catalogue, every preset against torch
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("name", examples.names())
def test_catalogue_matches_torch(name):
    ex = examples.get(name)
    f = F.conv1d if ex.dims == 1 else F.conv2d
    x, w = np.asarray(ex.input, dtype=np.float64), np.asarray(ex.weight, dtype=np.float64)
    plain = x.ndim == ex.dims
    if plain:
        x, w = x[None, None], w[None, None]
    if ex.padding_mode == "zeros":
        expected = f(torch.from_numpy(x), torch.from_numpy(w),
                     None if ex.bias is None else torch.from_numpy(ex.bias.astype(np.float64)),
                     stride=ex.stride, padding=ex.padding, dilation=ex.dilation, groups=ex.groups).numpy()
    else:
        module_type = torch.nn.Conv1d if ex.dims == 1 else torch.nn.Conv2d
        m = module_type(w.shape[1] * ex.groups, w.shape[0], w.shape[2:], stride=ex.stride,
                        padding=ex.padding, dilation=ex.dilation, groups=ex.groups,
                        bias=ex.bias is not None, padding_mode=ex.padding_mode).double()
        with torch.no_grad():
            m.weight.copy_(torch.from_numpy(w))
            if ex.bias is not None:
                m.bias.copy_(torch.from_numpy(ex.bias.astype(np.float64)))
            expected = m(torch.from_numpy(x)).numpy()
    if plain:
        expected = expected[0, 0]
    got = ex.run()
    assert got.dtype == np.int64  # every preset is made of integers
    np.testing.assert_array_equal(got, expected)
    if ex.expected is not None:
        np.testing.assert_array_equal(got, ex.expected)


# ----------------------------------------------------------------------------
# What torch refuses, we refuse too
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("call", [
    pytest.param(dict(padding="same", stride=2), id="same-with-stride-2"),
    pytest.param(dict(padding=3, padding_mode="reflect"), id="reflect-padding-equal-to-length"),
    pytest.param(dict(padding=4, padding_mode="circular"), id="circular-wraps-twice"),
])
def test_refuses_what_torch_refuses(call):
    x = np.arange(3.0)[None, None]
    w = np.ones((1, 1, 3))
    with pytest.raises((ValueError, RuntimeError)):
        torch.nn.Conv1d(1, 1, 3, bias=False, **call).double()(torch.from_numpy(x))
    with pytest.raises(ValueError, match=r"padding|stride"):
        convcore.conv1d(x, w, **call)


@pytest.mark.parametrize("mode", PADDING_MODES)
def test_padding_at_torch_limits_is_accepted(mode):
    """The largest padding each mode allows: reflect n-1, circular n, others anything."""
    n = 4
    pad = {"reflect": n - 1, "circular": n}.get(mode, n + 2)
    x = np.random.default_rng(0).uniform(-1, 1, (1, 1, n))
    w = np.random.default_rng(1).uniform(-1, 1, (1, 1, 3))
    m = torch.nn.Conv1d(1, 1, 3, padding=pad, padding_mode=mode, bias=False).double()
    with torch.no_grad():
        m.weight.copy_(torch.from_numpy(w))
        expected = m(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(convcore.conv1d(x, w, padding=pad, padding_mode=mode), expected, **TOL)


# ----------------------------------------------------------------------------
# SciPy, for a single channel: correlate is exactly a deep-learning "convolution"
# ----------------------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(st.integers(1, 2), st.integers(0, 2**32 - 1), st.data())
def test_single_channel_matches_scipy_correlate(dims, seed, data):
    rng = np.random.default_rng(seed)
    k = tuple(data.draw(st.integers(1, 5)) for _ in range(dims))
    n = tuple(data.draw(st.integers(kk, kk + 6)) for kk in k)
    x, w = rng.uniform(-1, 1, n), rng.uniform(-1, 1, k)
    conv = convcore.conv1d if dims == 1 else convcore.conv2d
    np.testing.assert_allclose(conv(x, w), scipy.signal.correlate(x, w, mode="valid"), **TOL)
    # scipy's "full" is zero padding k-1 on both sides: every overlap counts.
    full = tuple(kk - 1 for kk in k)
    np.testing.assert_allclose(conv(x, w, padding=full if dims == 2 else full[0]),
                               scipy.signal.correlate(x, w, mode="full"), **TOL)
    # And a convolution in the textbook sense is a correlation with the kernel flipped.
    np.testing.assert_allclose(conv(x, np.flip(w)), scipy.signal.convolve(x, w, mode="valid"), **TOL)
