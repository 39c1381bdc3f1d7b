"""A convolution, one output element at a time, as data.

``trace2d(x, w, ...)`` does no arithmetic when it is built: it holds the
checked problem and knows how many steps there are (one per output element).
``trace[k]`` computes step ``k`` on demand: which output element it fills,
the window of input coordinates under the kernel (taps in the padding
flagged), the patch of values read there, the weight slice, their products,
one partial sum per input channel, the bias and the final value.

Steps run in the reference loop's order: sample, output channel, output row,
output column. For an unbatched input there is one sample; for a batch of N
the trace walks every sample in turn, so ``len(trace)`` is
``N * C_out * H_out * W_out`` and each step says which ``sample`` it is from.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

import numpy as np

from .problem import Conv


class Tap(NamedTuple):
    """One kernel tap of a step's window."""

    offset: tuple[int, ...]      # position inside the kernel, e.g. (ki, kj)
    coords: tuple[int, ...]      # input coordinate it reads (may lie in the padding)
    in_padding: bool             # True when coords is outside the input
    source: tuple[int, ...] | None  # where the value comes from (None: a zero pad)


@dataclass(frozen=True)
class Step:
    """Everything that goes into one output element.

    ``patch``, ``kernel`` and ``products`` have shape (channels of the group,
    *kernel); ``partial_sums`` has one entry per input channel of the group;
    ``value == partial_sums.sum() + bias``.
    """

    index: int
    sample: int
    out_channel: int
    out_pos: tuple[int, ...]
    group: int
    in_channels: tuple[int, ...]
    window: tuple[Tap, ...]
    patch: np.ndarray
    kernel: np.ndarray
    products: np.ndarray
    partial_sums: np.ndarray
    bias: np.generic
    value: np.generic
    layout: str = "unbatched"

    @property
    def out_index(self) -> tuple[int, ...]:
        """Index of this element in the output array the kernel returns."""
        if self.layout == "plain":
            return self.out_pos
        if self.layout == "unbatched":
            return (self.out_channel, *self.out_pos)
        return (self.sample, self.out_channel, *self.out_pos)

    @property
    def padding_mask(self) -> np.ndarray:
        """Boolean array shaped like the kernel: True where a tap is in the padding."""
        return np.array([t.in_padding for t in self.window]).reshape(self.kernel.shape[1:])

    @property
    def coords(self) -> np.ndarray:
        """Input coordinates of every tap, shape (*kernel, dims)."""
        return np.array([t.coords for t in self.window]).reshape(*self.kernel.shape[1:], -1)


class Trace:
    """The lazily computed steps of one convolution (a read-only sequence)."""

    def __init__(self, problem: Conv):
        self.problem = problem
        p = problem
        # Sizes of the loop nest: (sample, out_channel, *out_pos)
        self._loop = (p.batch, p.out_channels, *p.out_spatial)
        self._len = math.prod(self._loop)

    def __len__(self) -> int:
        return self._len

    def __repr__(self) -> str:
        p = self.problem
        return (f"<Trace of {p.fn}: {self._len} steps = {p.batch} sample(s) × {p.out_channels} "
                f"output channel(s) × {' × '.join(map(str, p.out_spatial))} positions>")

    # -- positions ------------------------------------------------------------
    @property
    def loop_shape(self) -> tuple[int, ...]:
        """(N, C_out, *out_spatial): step ``k`` is the row-major index of its output element here.

        >>> from convcore import examples
        >>> examples.get("seed_conv2d").trace().loop_shape
        (1, 3, 3, 3)
        """
        return self._loop

    def _check(self, k) -> int:
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
            raise TypeError(f"trace index must be an int; got {k!r}")
        if not -self._len <= k < self._len:
            raise IndexError(f"step {k} is past the end: this trace has {self._len} steps (0 to {self._len - 1})")
        return int(k) % self._len

    def locate(self, k: int) -> tuple[int, int, tuple[int, ...]]:
        """(sample, out_channel, out_pos) of step ``k``, without computing it."""
        sample, out_channel, *pos = np.unravel_index(self._check(k), self._loop)
        return int(sample), int(out_channel), tuple(int(i) for i in pos)

    def index(self, out_channel: int, out_pos, sample: int = 0) -> int:
        """The step that computes output element (sample, out_channel, *out_pos)."""
        out_pos = (out_pos,) if isinstance(out_pos, (int, np.integer)) else tuple(out_pos)
        where = (sample, out_channel, *out_pos)
        if len(where) != len(self._loop) or any(not 0 <= i < n for i, n in zip(where, self._loop)):
            raise IndexError(
                f"no output element at sample={sample}, out_channel={out_channel}, out_pos={out_pos}: "
                f"the output is {self._loop[0]} sample(s) × {self._loop[1]} channel(s) × positions {self._loop[2:]}"
            )
        return int(np.ravel_multi_index(where, self._loop))

    @cached_property
    def step_numbers(self) -> np.ndarray:
        """Shaped like ``loop_shape`` (N, C_out, *out_spatial): the step that computes each output element.

        >>> from convcore import examples
        >>> examples.get("seed_conv1d").trace().step_numbers.tolist()
        [[[0, 1]]]
        """
        return np.arange(self._len).reshape(self._loop)

    def step_at(self, out_channel: int, out_pos, sample: int = 0) -> Step:
        return self[self.index(out_channel, out_pos, sample)]

    # -- the steps ------------------------------------------------------------
    def __getitem__(self, k) -> Step:
        k = self._check(k)
        p = self.problem
        sample, out_channel, out_pos = self.locate(k)
        group = p.group_of(out_channel)
        channels = tuple(p.group_channels(group))
        kshape = p.kernel_shape

        coords = p.window_coordinates(out_pos)
        sources = [p.source(c) for c in coords]
        window = tuple(
            Tap(offset=tuple(int(i) for i in np.unravel_index(t, kshape)), coords=c,
                in_padding=any(a.in_padding(i) for a, i in zip(p.axes, c)), source=s)
            for t, (c, s) in enumerate(zip(coords, sources))
        )
        # Gather the patch: every channel of the group under every tap (zeros
        # where a tap reads nothing).
        reads = np.array([s if s is not None else (0,) * p.dims for s in sources]).T
        zero = np.array([s is None for s in sources])
        group_input = p.input[sample, channels[0]:channels[-1] + 1]  # (channels, *spatial)
        patch = group_input[(slice(None), *reads)].astype(p.dtype)   # (channels, taps)
        patch[:, zero] = 0
        patch = patch.reshape(len(channels), *kshape)

        kernel = p.weight[out_channel].astype(p.dtype)
        products = patch * kernel
        partial_sums = products.reshape(len(channels), -1).sum(axis=1)
        bias = p.dtype.type(0 if p.bias is None else p.bias[out_channel])
        value = partial_sums.sum(dtype=p.dtype) + bias
        return Step(index=k, sample=sample, out_channel=out_channel, out_pos=out_pos, group=group,
                    in_channels=channels, window=window, patch=patch, kernel=kernel,
                    products=products, partial_sums=partial_sums, bias=bias,
                    value=p.dtype.type(value), layout=p.layout)

    def __iter__(self):
        for k in range(self._len):
            yield self[k]

    @cached_property
    def output(self) -> np.ndarray:
        """The finished output (vectorized kernel), in the caller's layout."""
        from .kernels import vectorized_conv
        return vectorized_conv(self.problem)
