"""The fast path: ``conv1d``/``conv2d`` as matrix products over gathered patches.

For kernel tap ``t`` every output position reads the input at
``coordinate(o, t)``, which along each axis is one strided slice of the padded
input (``Axis.tap_slice``). Laying those slices side by side gives, for each
output position, its whole patch (every tap, every channel of the group) as
one row: the im2col matrix. One matrix product of those rows with the
flattened filters then gives every output channel at once.

The full im2col matrix is kernel-size times bigger than the input, so it is
built a block of output rows (of every sample in the batch) at a time, small
enough to stay in the CPU's cache while the matrix product reads it.
"""
from __future__ import annotations

from itertools import product

import numpy as np

from .geometry import source_index
from .problem import Conv


def pad_input(p: Conv) -> np.ndarray:
    """The input with its padding filled in, by the same ``source_index`` rule
    the reference loop reads through (zeros, reflect, replicate, circular)."""
    x = p.input.astype(p.dtype, copy=False)
    if all(a.pad_before == a.pad_after == 0 for a in p.axes):
        return x
    if p.padding_mode == "zeros":
        widths = [(0, 0), (0, 0)] + [(a.pad_before, a.pad_after) for a in p.axes]
        return np.pad(x, widths)
    for dim, a in enumerate(p.axes, start=2):
        where = [source_index(i, a.n, p.padding_mode) for i in range(-a.pad_before, a.n + a.pad_after)]
        x = np.take(x, where, axis=dim)
    return x


# Bytes of patch matrix gathered at a time. Small blocks stay in cache while
# the matrix product reads them; big blocks mean fewer matrix products, which
# matters when other processes share the cores. 1-4 MiB measured best on the
# benchmark cases (benchmarks/bench_kernels.py); 4 MiB chosen.
BLOCK_BYTES = 1 << 22


def vectorized_conv(p: Conv) -> np.ndarray:
    """Compute the whole output: gather patches a block of rows at a time, then matmul."""
    g = p.groups
    c_group = p.in_channels // g
    o_group = p.out_channels // g
    taps = list(product(*(range(a.k) for a in p.axes)))
    # Channels last, split into (groups, channels per group), so that one
    # position's channels under one tap are contiguous.
    x = np.moveaxis(pad_input(p), 1, -1)
    x = x.reshape(*x.shape[:-1], g, c_group)
    # Filters as matrices: (groups, taps x channels of the group, outputs of the group),
    # rows in the same (tap, channel) order as a patch row.
    w = p.weight.astype(p.dtype, copy=False).reshape(g, o_group, c_group, len(taps))
    w = np.ascontiguousarray(w.transpose(0, 3, 2, 1)).reshape(g, len(taps) * c_group, o_group)

    first, rest = p.axes[0], p.axes[1:]
    rows, row_shape = first.out, tuple(a.out for a in rest)
    # Every sample at once: a block is some output rows of every sample of the batch.
    row_bytes = p.batch * int(np.prod(row_shape)) * len(taps) * p.in_channels * p.dtype.itemsize
    block = max(1, min(rows, BLOCK_BYTES // row_bytes))
    # The slices of the other axes do not depend on the block: find them once per tap.
    rest_slices = [tuple(a.tap_slice(t) for a, t in zip(rest, tap[1:])) for tap in taps]

    out = np.empty((p.batch, rows, *row_shape, g, o_group), dtype=p.dtype)
    for r0 in range(0, rows, block):
        r1 = min(rows, r0 + block)
        # The patch of every output position in rows r0..r1-1, one tap at a time:
        # the tap's slice along the first axis, cut down to this block of rows.
        patches = np.empty((p.batch, r1 - r0, *row_shape, g, len(taps), c_group), dtype=p.dtype)
        for i, tap in enumerate(taps):
            patches[..., i, :] = x[(slice(None), first.tap_slice(tap[0], r0, r1), *rest_slices[i])]
        # (positions, groups, taps x channels) -> one matrix product per group
        patches = patches.reshape(-1, g, len(taps) * c_group).transpose(1, 0, 2)
        out[:, r0:r1] = np.matmul(patches, w).transpose(1, 0, 2).reshape(
            p.batch, r1 - r0, *row_shape, g, o_group)
    # (N, *spatial, groups, o_group) -> (N, C_out, *spatial)
    out = np.moveaxis(out.reshape(p.batch, rows, *row_shape, p.out_channels), -1, 1)
    if p.bias is not None:
        out = out + p.bias.astype(p.dtype).reshape(-1, *([1] * p.dims))
    return p.layout.restore(np.ascontiguousarray(out))


def channel_mix(input, weight, bias=None) -> np.ndarray:
    """A 1x1 convolution written as what it is: a matrix applied at every pixel.

    ``channel_mix(x, w)`` is ``einsum("oc,chw->ohw", w, x)`` (plus bias), and
    equals ``conv2d(x, w[:, :, None, None])``. ``weight`` is (C_out, C_in),
    or (C_out, C_in, 1, 1) as ``nn.Conv2d`` stores it.
    """
    w = np.asarray(weight)
    if w.ndim == 2:
        w = w[:, :, None, None]
    problem = Conv.build("channel_mix", 2, input, w, bias)
    if problem.kernel_shape != (1, 1):
        raise ValueError(f"channel_mix: `weight` must be (C_out, C_in) or (C_out, C_in, 1, 1); got kernel {problem.kernel_shape}")
    x = problem.input.astype(problem.dtype)
    out = np.einsum("oc,nchw->nohw", problem.weight[:, :, 0, 0].astype(problem.dtype), x)
    if problem.bias is not None:
        out = out + problem.bias.astype(problem.dtype)[:, None, None]
    return problem.layout.restore(out)
