"""The seed's worked examples, to the last integer.

These are the numbers a learner checks by hand in the notebooks; every path
through convcore (vectorized kernel, reference loop, trace) must give them,
as integers.
"""
import numpy as np
import pytest

import convcore
from convcore import examples

SEEDS = ["seed_conv1d", "seed_conv2d", "seed_1x1"]


def test_conv1d_of_the_seed_signal():
    out = convcore.conv1d([1, 2, 3, 4], [1, 0, -1])
    assert out.dtype == np.int64
    assert out.tolist() == [-2, -2]
    assert [type(v) for v in out.tolist()] == [int, int]


@pytest.mark.parametrize("name", SEEDS)
def test_kernel_gives_the_seed_numbers_exactly(name):
    ex = examples.get(name)
    out = ex.run()
    assert out.dtype == np.int64
    assert out.shape == ex.expected.shape
    np.testing.assert_array_equal(out, ex.expected)


@pytest.mark.parametrize("name", SEEDS)
def test_reference_loop_gives_the_seed_numbers_exactly(name):
    ex = examples.get(name)
    reference = convcore.reference1d if ex.dims == 1 else convcore.reference2d
    out = reference(ex.input, ex.weight, **ex.kwargs)
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out, ex.expected)


@pytest.mark.parametrize("name", SEEDS)
def test_trace_values_are_the_seed_numbers(name):
    ex = examples.get(name)
    trace = ex.trace()
    assert len(trace) == ex.expected.size
    values = np.array([step.value for step in trace]).reshape(ex.expected.shape)
    assert values.dtype == np.int64
    np.testing.assert_array_equal(values, ex.expected)


def test_seed_conv2d_first_output_is_13_21_29():
    """The row the seed spells out: 13, 21, 29, printed as integers."""
    out = examples.get("seed_conv2d").run()
    assert out[0, 0].tolist() == [13, 21, 29]
    assert str(out[0, 0]) == "[13 21 29]"


def test_seed_conv2d_partial_sums_per_input_channel():
    """Each step's partial sums are the seed's per-channel contributions."""
    ex = examples.get("seed_conv2d")
    trace = ex.trace()
    partials = np.zeros_like(ex.expected_partials)
    for step in trace:
        partials[(step.out_channel, slice(None), *step.out_pos)] = step.partial_sums
        assert step.partial_sums.dtype == np.int64
    np.testing.assert_array_equal(partials, ex.expected_partials)
    # and the partials add up to the output (no bias in the seed)
    np.testing.assert_array_equal(ex.expected_partials.sum(axis=1), ex.expected)


def test_seed_conv2d_partials_are_one_channel_convolutions():
    """Channel c's contribution is conv2d of channel c alone with its kernel slice."""
    ex = examples.get("seed_conv2d")
    for c in range(ex.input.shape[0]):
        alone = convcore.conv2d(ex.input[c:c + 1], ex.weight[:, c:c + 1])
        np.testing.assert_array_equal(alone, ex.expected_partials[:, c])


def test_seed_first_step_in_detail():
    """Step 0 of the seed: the top-left 2x2 patch of both channels, by hand."""
    step = examples.get("seed_conv2d").trace()[0]
    assert (step.out_channel, step.out_pos) == (0, (0, 0))
    np.testing.assert_array_equal(step.patch, [[[1, 5], [2, 6]], [[1, 1], [2, 2]]])
    np.testing.assert_array_equal(step.kernel, [[[1, 0], [0, 1]], [[1, 1], [1, 1]]])
    np.testing.assert_array_equal(step.products, [[[1, 0], [0, 6]], [[1, 1], [2, 2]]])
    np.testing.assert_array_equal(step.partial_sums, [7, 6])
    assert step.bias == 0 and step.value == 13
    assert not any(tap.in_padding for tap in step.window)


def test_seed_1x1_is_channel_mixing():
    """A 1x1 convolution is the matrix W (C_out x C_in) applied at every pixel."""
    ex = examples.get("seed_1x1")
    w = ex.weight[:, :, 0, 0]
    mixed = np.einsum("oc,chw->ohw", w, ex.input)
    np.testing.assert_array_equal(mixed, ex.expected)
    np.testing.assert_array_equal(convcore.channel_mix(ex.input, w), ex.expected)
    np.testing.assert_array_equal(convcore.channel_mix(ex.input, ex.weight), ex.expected)
    np.testing.assert_array_equal(convcore.conv2d(ex.input, ex.weight), mixed)
    assert convcore.channel_mix(ex.input, w).dtype == np.int64


@pytest.mark.parametrize("batched", [False, True], ids=["unbatched", "batched"])
def test_channel_mix_equals_1x1_conv_on_random_data(batched):
    rng = np.random.default_rng(0)
    x = rng.integers(-5, 6, (2, 3, 4, 5) if batched else (3, 4, 5))
    w = rng.integers(-5, 6, (6, 3))
    b = rng.integers(-5, 6, 6)
    expected = convcore.conv2d(x, w[:, :, None, None], b)
    np.testing.assert_array_equal(convcore.channel_mix(x, w, b), expected)
    spec = "oc,nchw->nohw" if batched else "oc,chw->ohw"
    np.testing.assert_array_equal(np.einsum(spec, w, x) + b[:, None, None], expected)


def test_channel_mix_refuses_a_bigger_kernel():
    with pytest.raises(ValueError, match=r"channel_mix: `weight` must be \(C_out, C_in\)"):
        convcore.channel_mix(np.zeros((2, 4, 4)), np.zeros((3, 2, 3, 3)))


def test_output_size_of_the_seed():
    assert convcore.output_size(4, 2) == 3
    assert convcore.explain_output_size(4, 2) == "floor((4 + 2·0 − 1·(2−1) − 1) / 1) + 1 = floor(2 / 1) + 1 = 3"


def test_catalogue_names_are_unique_and_complete():
    names = examples.names()
    assert len(names) == len(set(names))
    assert set(SEEDS) <= set(names)
    with pytest.raises(KeyError, match="no example called 'nope'"):
        examples.get("nope")
