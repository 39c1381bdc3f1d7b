"""PyTorch as a second opinion, when it is installed.

The notebooks show the same computation with ``torch.nn`` and check that it
matches. PyTorch is optional (it is left out of Binder, where it would be a
multi-gigabyte download), so every function here says plainly when it could
not run instead of failing.
"""
from __future__ import annotations

import importlib.util
import warnings

import numpy as np

from .layout import spatial_dims


def torch_available() -> bool:
    return importlib.util.find_spec("torch") is not None


def torch_conv(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1,
               padding_mode="zeros"):
    """The same convolution computed by ``torch.nn.Conv1d``/``Conv2d`` in float64.

    Returns a numpy array, or ``None`` when PyTorch is not installed. The
    dimension (1-D or 2-D) is read off the weight, which must carry its
    channel axes, (C_out, C_in/groups, *kernel), as PyTorch stores it.
    """
    if not torch_available():
        return None
    import torch    # here, not at the top: PyTorch is optional, and only this check needs it

    weight = torch.as_tensor(np.asarray(weight, dtype=np.float64))
    x = torch.as_tensor(np.asarray(input, dtype=np.float64))
    layer_type = {1: torch.nn.Conv1d, 2: torch.nn.Conv2d}[spatial_dims(weight)]
    c_out, c_group, *kernel = weight.shape
    layer = layer_type(c_group * groups, c_out, tuple(kernel), stride=stride, padding=padding,
                       dilation=dilation, groups=groups, bias=bias is not None,
                       padding_mode=padding_mode).double()
    with torch.no_grad(), warnings.catch_warnings():
        # PyTorch warns that 'same' with an even kernel copies the input; true, and harmless here.
        warnings.filterwarnings("ignore", message=".*padding='same'.*", category=UserWarning)
        layer.weight.copy_(weight)
        if bias is not None:
            layer.bias.copy_(torch.as_tensor(np.asarray(bias, dtype=np.float64)))
        return layer(x).numpy()


def compare_with_torch(ours, input, weight, **kwargs) -> str:
    """Run PyTorch on the same arguments and say whether it agrees with ``ours``."""
    theirs = torch_conv(input, weight, **kwargs)
    if theirs is None:
        return "PyTorch is not installed here, so this check was skipped (convcore's own tests compare against it)."
    if theirs.shape != np.shape(ours):
        raise AssertionError(f"shapes differ: convcore {np.shape(ours)}, PyTorch {theirs.shape}")
    largest = float(np.max(np.abs(theirs - ours))) if theirs.size else 0.0
    if largest > 1e-9:
        raise AssertionError(f"convcore and PyTorch differ by up to {largest:g}")
    import torch    # optional, as above; installed, since torch_conv ran
    return f"PyTorch {torch.__version__} agrees: same shape {theirs.shape}, largest difference {largest:g}."
