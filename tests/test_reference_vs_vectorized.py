"""The reference loop and the vectorized kernel agree exactly.

On integer inputs every order of summation gives the same answer, so the
two implementations must agree to the last bit: same shape, same dtype,
same numbers. Sizes stay small because the loop is slow on purpose.
"""
import numpy as np
import pytest
from hypothesis import given, settings

import convcore
from convcore import examples
from strategies import cases


def both(case):
    if case.dims == 1:
        return (convcore.reference1d(case.input, case.weight, **case.all_kwargs),
                convcore.conv1d(case.input, case.weight, **case.all_kwargs))
    return (convcore.reference2d(case.input, case.weight, **case.all_kwargs),
            convcore.conv2d(case.input, case.weight, **case.all_kwargs))


@settings(max_examples=150, deadline=None)
@given(cases(integers=True, max_n=6, max_k=3))
def test_loop_equals_vectorized_exactly_on_integers(case):
    loop, fast = both(case)
    assert loop.dtype == fast.dtype == np.int64
    assert loop.shape == fast.shape
    np.testing.assert_array_equal(loop, fast)


@settings(max_examples=50, deadline=None)
@given(cases(max_n=6, max_k=3))
def test_loop_equals_vectorized_on_floats(case):
    loop, fast = both(case)
    assert loop.dtype == fast.dtype == np.float64
    np.testing.assert_allclose(loop, fast, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", examples.names())
def test_loop_equals_vectorized_on_the_catalogue(name):
    ex = examples.get(name)
    reference = convcore.reference1d if ex.dims == 1 else convcore.reference2d
    np.testing.assert_array_equal(reference(ex.input, ex.weight, **ex.kwargs), ex.run())


def test_mixed_int_and_float_promote_to_float64():
    x, w = np.arange(6).reshape(1, 6), np.array([[[0.5, -1.0]]])
    out = convcore.conv1d(x, w)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, convcore.reference1d(x, w))
    np.testing.assert_array_equal(out, [[-1.0, -1.5, -2.0, -2.5, -3.0]])


@settings(max_examples=60, deadline=None)
@given(cases(integers=True, max_n=6, max_k=3))
def test_row_blocks_do_not_change_the_answer(case):
    """The kernel gathers patches a block of output rows at a time; one row per block
    (the smallest block) must give exactly what the reference loop gives."""
    import convcore.kernels as kernels
    saved = kernels.BLOCK_BYTES
    kernels.BLOCK_BYTES = 1
    try:
        loop, fast = both(case)
    finally:
        kernels.BLOCK_BYTES = saved
    np.testing.assert_array_equal(loop, fast)
