"""Hypothesis strategies for convolution problems that are valid by construction.

Rather than drawing anything and throwing away what PyTorch would refuse, a
configuration is built in the order the constraints run: groups first (they
fix the channel counts), then kernel, dilation, stride and padding per axis,
and last the input length, chosen just large enough for the kernel to fit in
the padded input and for the padding mode's limits (reflect: padding < n,
circular: padding <= n).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from hypothesis import strategies as st

from convcore.geometry import PADDING_MODES, same_padding


@dataclass
class Case:
    """One drawn convolution: arrays plus the keyword arguments of conv1d/conv2d."""

    dims: int
    layout: str                 # "plain", "unbatched" or "batched"
    input: np.ndarray
    weight: np.ndarray
    bias: np.ndarray | None
    kwargs: dict = field(default_factory=dict)  # stride, padding, dilation, groups, padding_mode
    pads: tuple = ()            # (before, after) per axis, resolved

    @property
    def all_kwargs(self) -> dict:
        return dict(bias=self.bias, **self.kwargs)

    def __repr__(self) -> str:  # what hypothesis prints for a falsifying example
        return (f"Case(dims={self.dims}, layout={self.layout!r}, input{self.input.shape}, "
                f"weight{self.weight.shape}, bias={None if self.bias is None else self.bias.shape}, "
                f"{self.kwargs})")


def draw_channels(draw, layout: str, max_channels: int) -> tuple[int, int, int]:
    """(groups, input channels per group, output channels per group); a plain layout has one of each."""
    if layout == "plain":
        return 1, 1, 1
    return draw(st.integers(1, 3)), draw(st.integers(1, max_channels)), draw(st.integers(1, max_channels))


@st.composite
def cases(draw, dims=None, integers=False, max_n=7, max_k=4, max_channels=2, max_batch=2,
          modes=PADDING_MODES, layouts=("plain", "unbatched", "batched")):
    """A valid conv1d/conv2d problem.

    ``integers=True`` draws small ints (so every loop order gives the exact
    same answer); otherwise floats in [-1, 1).
    """
    dims = draw(st.sampled_from([1, 2])) if dims is None else dims
    layout = draw(st.sampled_from(layouts))
    groups, c_per_group, o_per_group = draw_channels(draw, layout, max_channels)
    mode = draw(st.sampled_from(modes))

    k = tuple(draw(st.integers(1, max_k)) for _ in range(dims))
    dilation = tuple(draw(st.integers(1, 3)) for _ in range(dims))
    padding_form = draw(st.sampled_from(["int", "pair", "same", "valid"]))
    if padding_form == "same":
        stride = tuple(1 for _ in range(dims))
        pads = tuple(same_padding(kk, d) for kk, d in zip(k, dilation))
        padding = "same"
    else:
        stride = tuple(draw(st.integers(1, 3)) for _ in range(dims))
        if padding_form == "valid":
            per_axis = (0,) * dims
            padding = "valid"
        elif padding_form == "int":
            p = draw(st.integers(0, 3))
            per_axis = (p,) * dims
            padding = p
        else:
            per_axis = tuple(draw(st.integers(0, 3)) for _ in range(dims))
            padding = per_axis
        pads = tuple((p, p) for p in per_axis)

    # Last, the input size: big enough for the kernel and for the padding mode.
    spatial = []
    for kk, d, (p0, p1) in zip(k, dilation, pads):
        span = d * (kk - 1) + 1
        smallest = max(1, span - p0 - p1)
        if mode == "reflect":
            smallest = max(smallest, max(p0, p1) + 1)
        if mode == "circular":
            smallest = max(smallest, p0, p1)
        spatial.append(draw(st.integers(smallest, max(smallest, max_n))))

    c_in, c_out = groups * c_per_group, groups * o_per_group
    batch = draw(st.integers(1, max_batch))
    use_bias = draw(st.booleans())
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)

    def values(shape):
        if integers:
            return rng.integers(-4, 5, size=shape)
        return rng.uniform(-1, 1, size=shape)

    if layout == "plain":
        x = values(tuple(spatial))
        w = values(k)
        b = values((1,)) if use_bias else None
    else:
        x = values((c_in, *spatial) if layout == "unbatched" else (batch, c_in, *spatial))
        w = values((c_out, c_per_group, *k))
        b = values((c_out,)) if use_bias else None

    if dims == 1:  # conv1d takes plain ints as well as 1-tuples; draw both forms
        as_int = draw(st.booleans())
        stride_arg = stride[0] if as_int else stride
        dilation_arg = dilation[0] if as_int else dilation
        if isinstance(padding, tuple):
            padding = padding[0] if as_int else padding
    else:
        stride_arg = stride if len(set(stride)) > 1 or draw(st.booleans()) else stride[0]
        dilation_arg = dilation if len(set(dilation)) > 1 or draw(st.booleans()) else dilation[0]

    case = Case(dims=dims, layout=layout, input=x, weight=w, bias=b, pads=pads,
                kwargs=dict(stride=stride_arg, padding=padding, dilation=dilation_arg,
                            groups=groups, padding_mode=mode))
    return case
