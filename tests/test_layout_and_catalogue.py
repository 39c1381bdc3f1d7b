"""The one layout normaliser and the one example catalogue."""
import numpy as np
import pytest

import convcore
from convcore import examples
from convcore.layout import Layout, spatial_dims


@pytest.mark.parametrize("dims", [1, 2])
@pytest.mark.parametrize("extra", [0, 1, 2])
def test_a_layout_adds_and_removes_the_leading_axes(dims, extra):
    shape = (3, 2, 4, 5)[2 - extra: 2 + dims]
    x = np.arange(np.prod(shape)).reshape(shape)
    layout = Layout.of(x.ndim, dims)
    assert layout == ("plain", "unbatched", "batched")[extra] and layout.leading == extra
    batched = layout.batched(x)
    assert batched.ndim == dims + 2
    assert np.array_equal(layout.restore(batched), x)
    assert layout.shape(*batched.shape[:2], batched.shape[2:]) == x.shape
    sample, channel, pos = batched.shape[0] - 1, batched.shape[1] - 1, tuple(n - 1 for n in batched.shape[2:])
    assert x[layout.index(sample, channel, pos)] == batched[(sample, channel, *pos)]


def test_layout_of_refuses_too_few_or_too_many_axes():
    assert Layout.of(0, 1) is None and Layout.of(5, 2) is None


def test_spatial_dims_reads_the_weight():
    assert [spatial_dims(np.ones(s)) for s in [(3,), (3, 3), (2, 1, 3), (2, 1, 3, 3)]] == [1, 2, 1, 2]


@pytest.mark.parametrize("name", list(examples.CATALOGUE))
def test_every_example_runs_and_traces_its_own_op(name):
    ex = examples.get(name)
    op = getattr(convcore, ex.op)
    assert ex.dims == int(ex.op[-2])
    np.testing.assert_array_equal(ex.run(), op(ex.input, ex.weight, **ex.kwargs))
    if ex.expected is not None:
        np.testing.assert_array_equal(ex.run(), ex.expected)
    trace = ex.trace()
    np.testing.assert_array_equal(trace.output, ex.run())


def test_one_catalogue_filtered_by_op():
    assert examples.names() == examples.names(*examples.CONVOLUTIONS)
    assert set(examples.names()) | set(examples.transposed_names()) == set(examples.CATALOGUE)
    assert examples.get("checkerboard") is examples.get_transposed("checkerboard")
    assert examples.get("checkerboard").trace("gather").reading == "gather"
    with pytest.raises(KeyError, match="no transposed-convolution example called 'seed_conv1d'"):
        examples.get_transposed("seed_conv1d")
    with pytest.raises(ValueError, match="`op` must be one of"):
        examples.get("seed_conv1d").replace(op="conv3d")
