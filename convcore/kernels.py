"""The fast path: ``conv1d``/``conv2d`` computed a whole tap at a time.

Instead of visiting output positions one by one, the kernel visits its own
taps. For tap ``t`` every output position reads the input at
``coordinate(o, t)``, which along each axis is one strided slice of the padded
input (``Axis.tap_slice``). So the output is a sum over taps of
(slice of the input) @ (the weights of that tap): one matrix product per
tap, batched over the groups. This is the im2col idea without building the
big im2col matrix.
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


def vectorized_conv(p: Conv) -> np.ndarray:
    """Compute the whole output, one batched matrix product per kernel tap."""
    g = p.groups
    c_group = p.in_channels // g
    o_group = p.out_channels // g
    # Channels last, split into (groups, channels per group): each tap's slice
    # is then a stack of (positions x channels) matrices, one per group.
    x = np.moveaxis(pad_input(p), 1, -1)
    x = x.reshape(*x.shape[:-1], g, c_group)
    # weight (C_out, c_group, *k) -> (*k, groups, c_group, o_group)
    w = p.weight.astype(p.dtype, copy=False).reshape(g, o_group, c_group, *p.kernel_shape)
    w = np.moveaxis(w, (0, 1, 2), (-3, -1, -2))

    positions = p.batch * int(np.prod(p.out_spatial))
    acc = np.zeros((g, positions, o_group), dtype=p.dtype)
    for tap in product(*(range(a.k) for a in p.axes)):
        window = x[(slice(None), *(a.tap_slice(t) for a, t in zip(p.axes, tap)))]
        window = window.reshape(positions, g, c_group).transpose(1, 0, 2)
        acc += window @ w[tap]
    # (groups, N * positions, o_group) -> (N, C_out, *spatial)
    out = acc.reshape(g, p.batch, *p.out_spatial, o_group)
    out = np.moveaxis(out, (0, -1), (1, 2)).reshape(p.batch, p.out_channels, *p.out_spatial)
    if p.bias is not None:
        out = out + p.bias.astype(p.dtype).reshape(-1, *([1] * p.dims))
    return p.restore_layout(np.ascontiguousarray(out))


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
    return problem.restore_layout(out)
