"""Named configurations, one catalogue: the seed's worked examples and a few classics.

Notebooks, tests and benchmarks all draw on this one catalogue, so the
numbers a learner checks by hand are the numbers the tests pin down. Every
example records the operation it runs (``op``: ``"conv1d"``, ``"conv2d"``,
``"conv_transpose1d"``, ``"conv_transpose2d"``), so ``run()`` and ``trace()``
dispatch on that and nobody guesses from the arrays' shapes. A transposed
convolution's weight is (C_in, C_out / groups, *kernel), so running it through
``conv*d`` would be wrong: its ``op`` says which function it belongs to.

>>> ex = get("seed_conv2d")
>>> ex.op, ex.run()[0, 0, 0]
('conv2d', np.int64(13))
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Callable, NamedTuple

import numpy as np

from .api import conv1d, conv2d, trace1d, trace2d
from .trace_transpose import trace_transpose1d, trace_transpose2d
from .transpose import conv_transpose1d, conv_transpose2d


class Operation(NamedTuple):
    """What an example's ``op`` runs and traces, and which of its fields those take."""

    dims: int
    run: Callable
    trace: Callable
    arguments: tuple[str, ...]


_CONV = ("bias", "stride", "padding", "dilation", "groups", "padding_mode")
_TRANSPOSED = ("bias", "stride", "padding", "output_padding", "groups", "dilation")
OPS: dict[str, Operation] = {
    "conv1d": Operation(1, conv1d, trace1d, _CONV),
    "conv2d": Operation(2, conv2d, trace2d, _CONV),
    "conv_transpose1d": Operation(1, conv_transpose1d, trace_transpose1d, _TRANSPOSED),
    "conv_transpose2d": Operation(2, conv_transpose2d, trace_transpose2d, _TRANSPOSED),
}
CONVOLUTIONS = ("conv1d", "conv2d")
TRANSPOSED_CONVOLUTIONS = ("conv_transpose1d", "conv_transpose2d")


@dataclass(frozen=True)
class Example:
    """The arguments of one call of ``op`` plus, for the worked cases, the expected result."""

    name: str
    title: str
    op: str
    input: np.ndarray
    weight: np.ndarray
    bias: np.ndarray | None = None
    stride: int | tuple = 1
    padding: int | tuple | str = 0
    dilation: int | tuple = 1
    groups: int = 1
    padding_mode: str = "zeros"         # convolutions only
    output_padding: int | tuple = 0     # transposed convolutions only
    expected: np.ndarray | None = None
    # For the seed's 2-D case: each input channel's own contribution,
    # shape (C_out, C_in, H_out, W_out), as the seed spells them out.
    expected_partials: np.ndarray | None = None
    note: str = ""

    def __post_init__(self):
        if self.op not in OPS:
            raise ValueError(f"example {self.name!r}: `op` must be one of {', '.join(map(repr, OPS))}; "
                             f"got {self.op!r}")

    @property
    def dims(self) -> int:
        """Spatial axes of the operation: 1 or 2."""
        return OPS[self.op].dims

    @property
    def kwargs(self) -> dict:
        """The keyword arguments ``op`` and its trace take besides input and weight."""
        return {name: getattr(self, name) for name in OPS[self.op].arguments}

    def run(self) -> np.ndarray:
        """The result of ``op`` on these arguments."""
        return OPS[self.op].run(self.input, self.weight, **self.kwargs)

    def trace(self, reading: str | None = None):
        """The trace of ``op`` on these arguments; a transposed convolution's in its
        ``reading``, "scatter" (the default) or "gather"."""
        options = {} if reading is None else {"reading": reading}
        return OPS[self.op].trace(self.input, self.weight, **self.kwargs, **options)

    def replace(self, **changes) -> "Example":
        return dataclasses.replace(self, **changes)


def _ints(seed: int, shape, low=-3, high=4) -> np.ndarray:
    """Small random integers, so every product can be checked in one's head."""
    return np.random.default_rng(seed).integers(low, high, size=shape)


# -- the seed's worked examples ------------------------------------------------
# Channel 1 counts down the columns, channel 2 holds each row's number.
_A = np.arange(1, 17).reshape(4, 4).T
_B = np.repeat(np.arange(1, 5)[:, None], 4, axis=1)
_SEED_WEIGHT = np.array([
    [[[1, 0], [0, 1]], [[1, 1], [1, 1]]],        # output channel 1: diagonal, sum
    [[[0, 1], [1, 0]], [[0, 0], [0, 1]]],        # output channel 2: anti-diagonal, bottom-right
    [[[1, 1], [1, 1]], [[-1, -1], [-1, -1]]],    # output channel 3: sum, minus sum
])
_SEED_PARTIALS = np.array([
    [[[7, 15, 23], [9, 17, 25], [11, 19, 27]], [[6, 6, 6], [10, 10, 10], [14, 14, 14]]],
    [[[7, 15, 23], [9, 17, 25], [11, 19, 27]], [[2, 2, 2], [3, 3, 3], [4, 4, 4]]],
    [[[14, 30, 46], [18, 34, 50], [22, 38, 54]], [[-6, -6, -6], [-10, -10, -10], [-14, -14, -14]]],
])

CATALOGUE: dict[str, Example] = {}


def _add(example: Example) -> None:
    CATALOGUE[example.name] = example


_add(Example(
    "seed_conv1d", "1-D: [1, 2, 3, 4] with kernel [1, 0, -1]", "conv1d",
    input=np.array([1, 2, 3, 4]), weight=np.array([1, 0, -1]),
    expected=np.array([-2, -2]),
))
_add(Example(
    "seed_conv2d", "2-D: a 4×4 input with 2 channels, 3 output channels, 2×2 kernels", "conv2d",
    input=np.stack([_A, _B]), weight=_SEED_WEIGHT,
    expected=np.array([
        [[13, 21, 29], [19, 27, 35], [25, 33, 41]],
        [[9, 17, 25], [12, 20, 28], [15, 23, 31]],
        [[8, 24, 40], [8, 24, 40], [8, 24, 40]],
    ]),
    expected_partials=_SEED_PARTIALS,
))
_add(Example(
    "seed_1x1", "1×1: mixing 2 channels into 3 at every pixel", "conv2d",
    input=np.array([[[1, 2], [3, 4]], [[10, 20], [30, 40]]]),
    weight=np.array([[1, 0], [0, 1], [1, -1]])[:, :, None, None],
    expected=np.array([[[1, 2], [3, 4]], [[10, 20], [30, 40]], [[-9, -18], [-27, -36]]]),
))

# -- classic configurations (conv_arithmetic's names where it has one) -----------
_add(Example(
    "multichannel_conv1d", "1-D with 2 input channels, 2 output channels and a bias", "conv1d",
    input=_ints(1, (2, 6)), weight=_ints(2, (2, 2, 3)), bias=np.array([1, -1]),
))
_add(Example(
    "same_padding", "'same' padding: a 5×5 input keeps its size under a 3×3 kernel", "conv2d",
    input=_ints(3, (1, 5, 5)), weight=_ints(4, (1, 1, 3, 3)), padding="same",
))
_add(Example(
    "full_padding", "full padding: every overlap counts, 5×5 grows to 7×7", "conv2d",
    input=_ints(5, (1, 5, 5)), weight=_ints(6, (1, 1, 3, 3)), padding=2,
))
_add(Example(
    "padding_strides_odd", "stride 2 with padding 1 on a 6×6 input", "conv2d",
    input=_ints(7, (1, 6, 6)), weight=_ints(8, (1, 1, 3, 3)), stride=2, padding=1,
))
_add(Example(
    "never_read", "stride 2 without padding on a 6×6 input: the last row and column are never read", "conv2d",
    input=_ints(21, (1, 6, 6)), weight=_ints(22, (1, 1, 3, 3)), stride=2,
))
_add(Example(
    "dilation", "dilation 2: a 3×3 kernel that spans 5×5 on a 7×7 input", "conv2d",
    input=_ints(9, (1, 7, 7)), weight=_ints(10, (1, 1, 3, 3)), dilation=2,
))
_add(Example(
    "odd_sizes", "odd sizes: a 5×7 input, a 3×2 kernel, stride (2, 3)", "conv2d",
    input=_ints(11, (2, 5, 7)), weight=_ints(12, (2, 2, 3, 2)), stride=(2, 3), padding=(1, 0),
))
_add(Example(
    "even_same", "'same' with an even 4×4 kernel: PyTorch pads 1 before and 2 after", "conv2d",
    input=_ints(13, (1, 5, 5)), weight=_ints(14, (1, 1, 4, 4)), padding="same",
))
_add(Example(
    "groups", "2 groups: channels 0-1 feed outputs 0-1, channels 2-3 feed outputs 2-3", "conv2d",
    input=_ints(15, (4, 4, 4)), weight=_ints(16, (4, 2, 3, 3)), padding=1, groups=2,
    bias=np.array([0, 1, 0, -1]),
))
_add(Example(
    "depthwise", "depthwise: 3 channels, each with its own 3×3 filter", "conv2d",
    input=_ints(17, (3, 5, 5)), weight=_ints(18, (3, 1, 3, 3)), padding=1, groups=3,
))
_add(Example(
    "reflect_padding", "padding_mode='reflect': the border mirrors the input", "conv2d",
    input=_ints(19, (1, 4, 4)), weight=_ints(20, (1, 1, 3, 3)), padding=1, padding_mode="reflect",
))

# -- transposed convolutions (issue 12) -------------------------------------------
_add(Example(
    "stamps_1d", "1-D: [1, 2, 3] stamps the kernel [1, 0, -1], 2 places apart", "conv_transpose1d",
    input=np.array([1, 2, 3]), weight=np.array([1, 0, -1]), stride=2,
    expected=np.array([1, 0, 1, 0, 1, 0, -3]),
    note="stamps [1, 0, -1], [2, 0, -2], [3, 0, -3] start at 0, 2, 4; at 2 and 4 two stamps add up",
))
_add(Example(
    "stamps_2d", "2-D: a 2×2 input, each element fills a 3×3 block, stride 2", "conv_transpose2d",
    input=np.array([[1, 2], [3, 4]]), weight=np.ones((3, 3), dtype=np.int64), stride=2,
    expected=np.array([[1, 1, 3, 2, 2], [1, 1, 3, 2, 2], [4, 4, 10, 6, 6],
                       [3, 3, 7, 4, 4], [3, 3, 7, 4, 4]]),
    note="the blocks overlap on the middle row and column; the centre gathers all four",
))
_add(Example(
    "checkerboard", "checkerboard: a constant 4×4 input doubled to 8×8 by a constant 3×3 kernel, "
    "stride 2, padding 1, output_padding 1", "conv_transpose2d",
    input=np.ones((4, 4), dtype=np.int64), weight=np.ones((3, 3), dtype=np.int64), stride=2, padding=1,
    output_padding=1,
    note="3 is not divisible by 2: positions receive 1, 2 or 4 stamps, so a flat input comes out as a grid",
))
_add(Example(
    "even_overlap", "no checkerboard: a constant 4×4 input doubled to 8×8 by a constant 4×4 kernel, "
    "stride 2, padding 1", "conv_transpose2d",
    input=np.ones((4, 4), dtype=np.int64), weight=np.ones((4, 4), dtype=np.int64), stride=2, padding=1,
    note="4 is divisible by 2: away from the border every position receives 2 × 2 = 4 stamps",
))


def names(*ops: str) -> list[str]:
    """The names of the examples that run one of ``ops``, in catalogue order; by default
    those of the forward convolutions (``CONVOLUTIONS``), which the forward views walk.

    >>> names("conv_transpose1d")
    ['stamps_1d']
    """
    ops = ops or CONVOLUTIONS
    return [name for name, example in CATALOGUE.items() if example.op in ops]


def transposed_names() -> list[str]:
    """The names of the transposed-convolution examples."""
    return names(*TRANSPOSED_CONVOLUTIONS)


def get(name: str) -> Example:
    """The example called ``name``, whatever it runs (see ``names()``)."""
    try:
        return CATALOGUE[name]
    except KeyError:
        raise KeyError(f"no example called {name!r}; the catalogue has: {', '.join(CATALOGUE)}") from None


def get_transposed(name: str) -> Example:
    """The transposed-convolution example called ``name`` (see ``transposed_names()``).

    >>> ex = get_transposed("stamps_1d")
    >>> ex.run(), bool((ex.run() == ex.expected).all())
    (array([ 1,  0,  1,  0,  1,  0, -3]), True)
    >>> get_transposed("checkerboard").run()[:2]       # 1, 2 or 4 stamps: a grid, not a flat image
    array([[1, 2, 1, 2, 1, 2, 1, 1],
           [2, 4, 2, 4, 2, 4, 2, 2]])
    """
    if name not in transposed_names():
        raise KeyError(f"no transposed-convolution example called {name!r}; the catalogue has: "
                       f"{', '.join(transposed_names())}")
    return CATALOGUE[name]
