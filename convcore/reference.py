"""The convolution as the textbook writes it: plain loops, one product at a time.

This is the loop the trace walks (``convcore.trace``), in the same order:
sample, output channel, output position (row-major), then input channel of
the group and kernel tap. It is slow on purpose: it exists to be read and to
check the vectorized kernel against.
"""
from __future__ import annotations

from itertools import product

import numpy as np

from .problem import Conv


def reference_conv(problem: Conv) -> np.ndarray:
    """Compute the whole output with nested loops (caller's layout)."""
    p = problem
    out = np.zeros((p.batch, p.out_channels, *p.out_spatial), dtype=p.dtype)
    for sample in range(p.batch):
        for out_channel in range(p.out_channels):
            for out_pos in product(*(range(n) for n in p.out_spatial)):
                out[(sample, out_channel, *out_pos)] = output_element(p, sample, out_channel, out_pos)
    return p.layout.restore(out)


def output_element(p: Conv, sample: int, out_channel: int, out_pos: tuple[int, ...]):
    """One output number: bias plus, for every input channel of the group, the
    sum over the kernel taps of (input value under the tap) x (weight)."""
    total = p.dtype.type(0) if p.bias is None else p.dtype.type(p.bias[out_channel])
    channels = p.group_channels(p.group_of(out_channel))
    taps = list(product(*(range(a.k) for a in p.axes)))
    coords = p.window_coordinates(out_pos)
    for local, channel in enumerate(channels):
        for tap, where in zip(taps, coords):
            total += p.read(sample, channel, where) * p.dtype.type(p.weight[(out_channel, local, *tap)])
    return total
