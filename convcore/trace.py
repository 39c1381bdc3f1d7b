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

from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

import numpy as np

from .kernels import vectorized_conv
from .lazy import LazySteps, WindowStep
from .problem import Conv


class Tap(NamedTuple):
    """One kernel tap of a step's window."""

    offset: tuple[int, ...]      # position inside the kernel, e.g. (ki, kj)
    coords: tuple[int, ...]      # input coordinate it reads (may lie in the padding)
    in_padding: bool             # True when coords is outside the input
    source: tuple[int, ...] | None  # where the value comes from (None: a zero pad)


@dataclass(frozen=True)
class Step(WindowStep):
    """Everything that goes into one output element.

    ``patch``, ``kernel`` and ``products`` have shape (channels of the group,
    *kernel); ``partial_sums`` has one entry per input channel of the group;
    ``value == partial_sums.sum() + bias``.
    """

    out_channel: int
    group: int
    in_channels: tuple[int, ...]
    window: tuple[Tap, ...]
    patch: np.ndarray
    kernel: np.ndarray
    products: np.ndarray
    partial_sums: np.ndarray
    bias: np.generic
    value: np.generic


class Trace(LazySteps):
    """The lazily computed steps of one convolution (a read-only sequence).

    Step ``k`` computes the ``k``-th output element in the loop (sample,
    out_channel, *out_pos); ``index(out_channel, out_pos, sample=0)`` finds it.
    """

    def __init__(self, problem: Conv):
        super().__init__(problem, (problem.batch, problem.out_channels, *problem.out_spatial))

    # -- the steps ------------------------------------------------------------
    def _build_step(self, k: int) -> Step:
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

    @cached_property
    def output(self) -> np.ndarray:
        """The finished output (vectorized kernel), in the caller's layout."""
        return vectorized_conv(self.problem)
