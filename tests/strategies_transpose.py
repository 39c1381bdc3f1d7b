"""Hypothesis strategy for transposed convolutions that are valid by construction.

Drawn in the order the constraints run: groups (they fix the channel
counts), then per axis kernel, stride, dilation, padding and an
output_padding smaller than the stride or the dilation, and last the input
length, just long enough for the output ``(n − 1)·s − 2p + d·(k − 1) + op + 1``
to have at least one position.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from hypothesis import strategies as st

from strategies import draw_channels


@dataclass
class TCase:
    """One drawn transposed convolution: arrays plus the keyword arguments of conv_transpose*d."""

    dims: int
    layout: str
    input: np.ndarray
    weight: np.ndarray
    bias: np.ndarray | None
    kwargs: dict = field(default_factory=dict)  # stride, padding, output_padding, groups, dilation

    @property
    def all_kwargs(self) -> dict:
        return dict(bias=self.bias, **self.kwargs)

    def __repr__(self) -> str:
        return (f"TCase(dims={self.dims}, layout={self.layout!r}, input{self.input.shape}, "
                f"weight{self.weight.shape}, bias={None if self.bias is None else self.bias.shape}, "
                f"{self.kwargs})")


@st.composite
def transpose_cases(draw, dims=None, integers=False, max_n=5, max_k=3, max_channels=2, max_batch=2,
                    layouts=("plain", "unbatched", "batched")):
    dims = draw(st.sampled_from([1, 2])) if dims is None else dims
    layout = draw(st.sampled_from(layouts))
    groups, c_per_group, o_per_group = draw_channels(draw, layout, max_channels)

    k, stride, dilation, padding, output_padding, spatial = [], [], [], [], [], []
    for _ in range(dims):
        kk, s, d = draw(st.integers(1, max_k)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
        p = draw(st.integers(0, 3))
        op = draw(st.integers(0, max(s, d) - 1))
        # smallest n with (n − 1)·s − 2p + d·(k − 1) + op + 1 >= 1
        need = 2 * p - d * (kk - 1) - op
        smallest = max(1, 1 + -(-need // s))
        n = draw(st.integers(smallest, max(smallest, max_n)))
        for values, v in ((k, kk), (stride, s), (dilation, d), (padding, p), (output_padding, op), (spatial, n)):
            values.append(v)

    c_in, c_out = groups * c_per_group, groups * o_per_group
    batch = draw(st.integers(1, max_batch))
    use_bias = draw(st.booleans())
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))

    def values(shape):
        return rng.integers(-4, 5, size=shape) if integers else rng.uniform(-1, 1, size=shape)

    if layout == "plain":
        x, w = values(tuple(spatial)), values(tuple(k))
        b = values((1,)) if use_bias else None
    else:
        x = values((c_in, *spatial) if layout == "unbatched" else (batch, c_in, *spatial))
        w = values((c_in, o_per_group, *k))
        b = values((c_out,)) if use_bias else None

    def form(values):
        """An int when every axis agrees (sometimes), else a tuple."""
        if len(set(values)) == 1 and draw(st.booleans()):
            return values[0]
        return tuple(values)

    kwargs = dict(stride=form(stride), padding=form(padding), output_padding=form(output_padding),
                  groups=groups, dilation=form(dilation))
    return TCase(dims=dims, layout=layout, input=x, weight=w, bias=b, kwargs=kwargs)
