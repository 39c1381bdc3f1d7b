"""The public functions, shaped like ``torch.nn.functional``."""
from __future__ import annotations

import numpy as np

from .docs import ARRAYS, shared_doc
from .geometry import Axis, explain_axis
from .kernels import vectorized_conv
from .problem import Conv, as_int
from .reference import reference_conv
from .trace import Trace

_CONV_DOC = ARRAYS + """
    stride : int or pair, default 1
        How far the window moves between neighbouring outputs.
    padding : int, pair, "valid" or "same", default 0
        Positions added before and after the input along each axis. "same"
        keeps the size (stride 1 only); an odd total puts the extra position
        after the input, as PyTorch does.
    dilation : int or pair, default 1
        Spacing between kernel taps.
    groups : int, default 1
        Split channels into this many independent groups; must divide C_in and C_out.
    padding_mode : {"zeros", "reflect", "replicate", "circular"}
        What the padding holds, as in ``nn.Conv1d``/``nn.Conv2d``.

    Returns
    -------
    ndarray
        {returns}
"""


@shared_doc(_CONV_DOC, input="(C_in, L) or (N, C_in, L); or a plain (L,) signal with a plain (K,) kernel.",
            weight="(C_out, C_in / groups, K); or a plain (K,) kernel.",
            bias="(C_out,); a single number for a plain kernel.",
            returns="(C_out, L_out), (N, C_out, L_out) or plain (L_out,). Integer inputs give exact int64 results.")
def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1,
           padding_mode="zeros") -> np.ndarray:
    """1-D convolution (cross-correlation, as in deep learning: no kernel flip).

    {params}
    >>> conv1d([1, 2, 3, 4], [1, 0, -1])
    array([-2, -2])
    """
    return vectorized_conv(Conv.build("conv1d", 1, input, weight, bias, stride, padding,
                                      dilation, groups, padding_mode))


@shared_doc(_CONV_DOC, input="(C_in, H, W) or (N, C_in, H, W); or a plain (H, W) image with a plain (kH, kW) kernel.",
            weight="(C_out, C_in / groups, kH, kW), the layout ``nn.Conv2d.weight`` has.", bias="(C_out,).",
            returns="(C_out, H_out, W_out), (N, C_out, H_out, W_out) or plain (H_out, W_out).")
def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1,
           padding_mode="zeros") -> np.ndarray:
    """2-D convolution (cross-correlation), with ``torch.nn.functional.conv2d``'s semantics.

    {params}
    >>> conv2d([[1, 2], [3, 4]], [[1, 1], [1, 1]])
    array([[10]])
    """
    return vectorized_conv(Conv.build("conv2d", 2, input, weight, bias, stride, padding,
                                      dilation, groups, padding_mode))


def trace1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1,
            padding_mode="zeros") -> Trace:
    """The steps of ``conv1d`` with the same arguments, one per output element.

    Building the trace checks the arguments and does no arithmetic; ``trace[k]``
    computes step ``k``. See ``convcore.trace.Step`` for what a step holds.
    """
    return Trace(Conv.build("trace1d", 1, input, weight, bias, stride, padding, dilation,
                            groups, padding_mode))


def trace2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1,
            padding_mode="zeros") -> Trace:
    """The steps of ``conv2d`` with the same arguments, one per output element.

    Steps run sample by sample, then output channel, output row, output column.

    >>> t = trace2d([[1, 2], [3, 4]], [[1, 1], [1, 1]])
    >>> len(t), int(t[0].value)
    (1, 10)
    """
    return Trace(Conv.build("trace2d", 2, input, weight, bias, stride, padding, dilation,
                            groups, padding_mode))


def reference1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1,
                padding_mode="zeros") -> np.ndarray:
    """``conv1d`` computed by the plain loop the trace walks (slow; for checking)."""
    return reference_conv(Conv.build("reference1d", 1, input, weight, bias, stride, padding,
                                     dilation, groups, padding_mode))


def reference2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1,
                padding_mode="zeros") -> np.ndarray:
    """``conv2d`` computed by the plain loop the trace walks (slow; for checking)."""
    return reference_conv(Conv.build("reference2d", 2, input, weight, bias, stride, padding,
                                     dilation, groups, padding_mode))


def _axis(n, k, stride, padding, dilation, fn) -> Axis:
    n = as_int(n, "n", fn, 1)
    k = as_int(k, "k", fn, 1)
    stride = as_int(stride, "stride", fn, 1)
    dilation = as_int(dilation, "dilation", fn, 1)
    if isinstance(padding, tuple) and len(padding) == 2:
        before, after = (as_int(v, "padding", fn, 0) for v in padding)
    else:
        before = after = as_int(padding, "padding", fn, 0)
    return Axis(n=n, k=k, stride=stride, pad_before=before, pad_after=after, dilation=dilation)


def output_size(n, k, stride=1, padding=0, dilation=1) -> int:
    """Output length along one axis: floor((n + 2p − d(k−1) − 1)/s) + 1.

    ``padding`` may be one int (both sides) or a (before, after) pair.
    Raises ``ValueError``, with the formula filled in, when the kernel does
    not fit.

    >>> output_size(4, 2)
    3
    """
    axis = _axis(n, k, stride, padding, dilation, "output_size")
    if axis.out < 1:
        raise ValueError(f"output_size: the kernel does not fit: {explain_axis(axis)}")
    return axis.out


def explain_output_size(n, k, stride=1, padding=0, dilation=1) -> str:
    """The output-size formula with the numbers filled in, for showing a learner.

    >>> explain_output_size(4, 3)
    'floor((4 + 2·0 − 1·(3−1) − 1) / 1) + 1 = floor(1 / 1) + 1 = 2'
    """
    return explain_axis(_axis(n, k, stride, padding, dilation, "explain_output_size"))
