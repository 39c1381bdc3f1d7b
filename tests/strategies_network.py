"""Hypothesis strategies for whole networks (nn.Sequential) that PyTorch accepts by construction.

The model is drawn layer by layer while the shape of the tensor flowing through
it is tracked, so every layer is chosen to fit what it receives: a convolution's
channels divide by its groups, its kernel fits in the padded input, reflect
padding stays below the length and circular at most the length; a pooling
window's padding is at most half its kernel and every max-pooling window has a
tap inside the input. A model may end in Flatten and Linear, whose
``in_features`` is what Flatten leaves (batched: C·H·W per sample; unbatched,
as PyTorch flattens from axis 1: H·W per channel).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from hypothesis import strategies as st
from torch import nn

from convcore.geometry import Axis, same_padding


@dataclass
class Model:
    """One drawn network and an input for it."""

    dims: int
    batched: bool
    module: nn.Sequential
    input: np.ndarray

    def __repr__(self) -> str:   # what hypothesis prints for a falsifying example
        return f"Model(input{self.input.shape}, {self.module!r})"


def _fits(axes) -> bool:
    return all(a.out >= 1 for a in axes)


def _no_empty_window(axes) -> bool:
    """Every max-pooling window has a tap inside the input (else PyTorch returns −inf)."""
    for a in axes:
        for o in range(a.out):
            if not any(0 <= a.coordinate(o, t) < a.n for t in range(a.k)):
                return False
    return True


def draw_conv(draw, dims, channels, spatial):
    groups = draw(st.sampled_from([g for g in (1, 2, 3) if channels % g == 0]))
    out = groups * draw(st.integers(1, 2))
    k = tuple(draw(st.integers(1, 3)) for _ in range(dims))
    d = tuple(draw(st.integers(1, 2)) for _ in range(dims))
    form = draw(st.sampled_from(["int", "tuple", "same", "valid"]))
    if form == "same":
        s = (1,) * dims
        pads = [same_padding(kk, dd) for kk, dd in zip(k, d)]
        padding = "same"
    else:
        s = tuple(draw(st.integers(1, 2)) for _ in range(dims))
        per_axis = (0,) * dims if form == "valid" else tuple(draw(st.integers(0, 2)) for _ in range(dims))
        if form == "int":
            per_axis = (per_axis[0],) * dims
        pads = [(p, p) for p in per_axis]
        padding = "valid" if form == "valid" else per_axis[0] if form == "int" else per_axis

    def axes_of(k, d, pads):
        return [Axis(n=n, k=kk, stride=ss, pad_before=p0, pad_after=p1, dilation=dd)
                for n, kk, ss, (p0, p1), dd in zip(spatial, k, s, pads, d)]

    if not _fits(axes_of(k, d, pads)):        # too big for what arrives: a 1-wide kernel always fits
        k, d = (1,) * dims, (1,) * dims
        if padding == "same":
            pads = [(0, 0)] * dims
    axes = axes_of(k, d, pads)
    widest = max(max(p) for p in pads)
    modes = ["zeros", "replicate"]
    if all(widest < n for n in spatial):
        modes.append("reflect")
    if all(widest <= n for n in spatial):
        modes.append("circular")
    mode = draw(st.sampled_from(modes))
    bias = draw(st.booleans())
    layer = (nn.Conv1d if dims == 1 else nn.Conv2d)(channels, out, k, stride=s, padding=padding, dilation=d,
                                                    groups=groups, bias=bias, padding_mode=mode)
    return layer, out, tuple(a.out for a in axes)


def draw_pool(draw, dims, channels, spatial, kind):
    k = tuple(draw(st.integers(1, 3)) for _ in range(dims))
    s = None if draw(st.booleans()) else tuple(draw(st.integers(1, 3)) for _ in range(dims))
    p = tuple(draw(st.integers(0, kk // 2)) for kk in k)
    d = tuple(draw(st.integers(1, 2)) for _ in range(dims)) if kind == "max" else (1,) * dims
    ceil = draw(st.booleans())

    def axes_of(k, d, p):
        return [Axis(n=n, k=kk, stride=ss, pad_before=pp, pad_after=pp, dilation=dd, ceil_mode=ceil)
                for n, kk, ss, pp, dd in zip(spatial, k, s or k, p, d)]

    axes = axes_of(k, d, p)
    if not _fits(axes) or (kind == "max" and not _no_empty_window(axes)):
        k, d, p = (1,) * dims, (1,) * dims, (0,) * dims
        axes = axes_of(k, d, p)
    # 1-D layers take an int or a 1-tuple alike; draw both forms
    one = (lambda v: v[0]) if dims == 1 and draw(st.booleans()) else (lambda v: v)
    stride = None if s is None else one(s)
    if kind == "max":
        layer = (nn.MaxPool1d if dims == 1 else nn.MaxPool2d)(one(k), stride, one(p), one(d), ceil_mode=ceil)
    else:
        include = draw(st.booleans())
        layer = (nn.AvgPool1d if dims == 1 else nn.AvgPool2d)(one(k), stride, one(p), ceil_mode=ceil,
                                                              count_include_pad=include)
    return layer, channels, tuple(a.out for a in axes)


@st.composite
def models(draw, dims=None, batched=None, integers=False, relu_then_max=False, max_layers=4):
    """A random nn.Sequential (float64) of Conv, ReLU, MaxPool, AvgPool, maybe ending in
    Flatten + Linear, with its parameters and an input drawn from one seed.

    ``integers``: small whole numbers everywhere (weights and input), so ties are exact;
    ``relu_then_max``: the model starts conv → ReLU → max pooling (ReLU's zeros tie in the window).
    """
    dims = draw(st.sampled_from([1, 2])) if dims is None else dims
    batched = draw(st.booleans()) if batched is None else batched
    channels = draw(st.integers(1, 3))
    spatial = tuple(draw(st.integers(3, 9 if dims == 1 else 7)) for _ in range(dims))
    x_shape = ((draw(st.integers(1, 3)),) if batched else ()) + (channels, *spatial)

    if relu_then_max:
        kinds = ["conv", "relu", "max"] + draw(st.lists(st.sampled_from(["conv", "relu", "max", "avg"]),
                                                         max_size=max_layers - 3))
    else:
        kinds = draw(st.lists(st.sampled_from(["conv", "relu", "max", "avg"]), min_size=1, max_size=max_layers))
    layers = []
    for kind in kinds:
        if kind == "conv":
            layer, channels, spatial = draw_conv(draw, dims, channels, spatial)
        elif kind == "relu":
            layer = nn.ReLU()
        else:
            layer, channels, spatial = draw_pool(draw, dims, channels, spatial, kind)
        layers.append(layer)
    if draw(st.booleans()):
        features = channels * math.prod(spatial) if batched else math.prod(spatial)
        layers += [nn.Flatten(), nn.Linear(features, draw(st.integers(1, 4)), bias=draw(st.booleans()))]

    module = nn.Sequential(*layers).double()
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))

    def values(shape):
        return rng.integers(-3, 4, size=shape).astype(np.float64) if integers else rng.uniform(-1, 1, size=shape)

    with torch.no_grad():
        for param in module.parameters():
            param.copy_(torch.from_numpy(values(tuple(param.shape))))
    return Model(dims=dims, batched=batched, module=module, input=values(x_shape))
