"""Convolutions over time that never look at the future.

A causal convolution is an ordinary ``conv1d`` whose input gets
``d * (k - 1)`` zeros on the left only, as PyTorch users write it::

    F.conv1d(F.pad(x, (dilation * (k - 1), 0)), weight, bias, dilation=dilation)

Then output ``t`` reads inputs ``t - d*(k-1), ..., t - d, t``: the window ends
at ``t``, nothing after it is read, and the output is as long as the input.
Stacking causal layers with dilations 1, 2, 4, 8 (WaveNet, temporal
convolutional networks) doubles the reach per layer: with kernel 2 the last
layer sees 16 steps back (``receptive_field(causal_layers(2, (1, 2, 4, 8))).size``).

Here the left padding is the geometry's own ``pad_before`` (``Axis`` with
``pad_before = d*(k-1)`` and ``pad_after = 0``), so ``causal_conv1d`` runs the
same vectorized kernel as ``conv1d`` and ``trace_causal_conv1d`` is a ``trace1d``
of that left-padded problem: its padding taps are flagged and read 0.
"""
from __future__ import annotations

import dataclasses

from .kernels import vectorized_conv
from .problem import Conv, as_int
from .trace import Trace


def causal_padding(kernel_size: int, dilation: int = 1) -> int:
    """Zeros to put before the sequence so that output t reads nothing after t: d·(k − 1).

    >>> causal_padding(3), causal_padding(2, dilation=4)
    (2, 4)
    """
    k = as_int(kernel_size, "kernel_size", "causal_padding", 1)
    d = as_int(dilation, "dilation", "causal_padding", 1)
    return d * (k - 1)


def causal_problem(fn, input, weight, bias=None, dilation=1) -> Conv:
    """The checked conv1d problem with padding (d·(k−1), 0).

    Built as a stride-1 "same" problem (which checks every argument and always
    fits), then its padding moved to the left: same total, all of it before.
    """
    p = Conv.build(fn, 1, input, weight, bias, stride=1, padding="same", dilation=dilation)
    (axis,) = p.axes
    left = axis.dilation * (axis.k - 1)
    return dataclasses.replace(p, axes=(dataclasses.replace(axis, pad_before=left, pad_after=0),))


def causal_conv1d(input, weight, bias=None, dilation: int = 1):
    """Causal 1-D convolution: ``conv1d`` of the input with d·(k − 1) zeros on the left only.

    Parameters
    ----------
    input : array_like
        (C_in, L) or (N, C_in, L); or a plain (L,) sequence with a plain (K,) kernel.
    weight : array_like
        (C_out, C_in, K), as ``nn.Conv1d.weight``; or a plain (K,) kernel.
    bias : array_like, optional
        (C_out,).
    dilation : int, default 1
        Spacing between taps; the window reaches d·(k − 1) steps back.

    Returns
    -------
    ndarray
        Same length L as the input: output t depends on inputs t − d·(k−1), ..., t only.

    Examples
    --------
    >>> causal_conv1d([1, 2, 3, 4], [1, 1])          # y[t] = x[t-1] + x[t]; x[-1] is a pad zero
    array([1, 3, 5, 7])
    >>> causal_conv1d([1, 2, 3, 4], [1, 1], dilation=2)   # y[t] = x[t-2] + x[t]
    array([1, 2, 4, 6])
    """
    return vectorized_conv(causal_problem("causal_conv1d", input, weight, bias, dilation))


def trace_causal_conv1d(input, weight, bias=None, dilation: int = 1) -> Trace:
    """The steps of ``causal_conv1d``: a ``trace1d`` of the left-padded problem.

    >>> step = trace_causal_conv1d([1, 2, 3, 4], [1, 1])[0]
    >>> [tap.coords for tap in step.window], [tap.in_padding for tap in step.window]
    ([(-1,), (0,)], [True, False])
    """
    return Trace(causal_problem("trace_causal_conv1d", input, weight, bias, dilation))


def causal_layers(kernel_size: int = 2, dilations=(1, 2, 4, 8)) -> list[dict]:
    """A dilated causal stack as layer mappings for ``receptive_field``.

    >>> from convcore.receptive import receptive_field
    >>> rf = receptive_field(causal_layers(2, (1, 2, 4, 8)))
    >>> rf.size, rf.start
    (16, -15)
    """
    k = as_int(kernel_size, "kernel_size", "causal_layers", 1)
    return [dict(kernel_size=k, dilation=as_int(d, f"dilations[{i}]", "causal_layers", 1), causal=True)
            for i, d in enumerate(dilations)]


__all__ = ["causal_padding", "causal_conv1d", "trace_causal_conv1d", "causal_layers", "causal_problem"]
