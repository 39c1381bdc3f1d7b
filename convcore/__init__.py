"""convcore: convolutions as deep learning computes them, one recorded step at a time.

The kernels follow ``torch.nn.functional.conv1d``/``conv2d`` (which, like every
deep-learning library, compute cross-correlation: the kernel is not flipped).
The traces record every step so the notebooks can show it.
"""
from .api import (conv1d, conv2d, explain_output_size, output_size, reference1d,
                  reference2d, trace1d, trace2d)
from .geometry import PADDING_MODES
from .kernels import channel_mix
from .trace import Step, Tap, Trace
from . import grad
from .transpose import (conv_transpose1d, conv_transpose2d, explain_transpose_output_size,
                        transpose_output_size)
from .trace_transpose import (GatherStep, GatherTrace, Landing, ScatterStep, ScatterTrace,
                              trace_transpose1d, trace_transpose2d)
from .pooling import (avg_pool1d, avg_pool2d, max_pool1d, max_pool2d, pool_output_size,
                      trace_avg_pool1d, trace_avg_pool2d, trace_max_pool1d, trace_max_pool2d)
from .receptive import receptive_field
from .causal import causal_conv1d, causal_layers, causal_padding, trace_causal_conv1d
from .network import Network

__all__ = [
    "conv1d", "conv2d", "trace1d", "trace2d", "reference1d", "reference2d",
    "output_size", "explain_output_size", "channel_mix",
    "Trace", "Step", "Tap", "PADDING_MODES",
    # transposed convolution and gradients (issue 12)
    "conv_transpose1d", "conv_transpose2d", "transpose_output_size", "explain_transpose_output_size",
    "trace_transpose1d", "trace_transpose2d", "ScatterTrace", "ScatterStep", "Landing",
    "GatherTrace", "GatherStep", "grad",
    "max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d", "pool_output_size",
    "trace_max_pool1d", "trace_max_pool2d", "trace_avg_pool1d", "trace_avg_pool2d",
    "receptive_field", "causal_conv1d", "trace_causal_conv1d", "causal_padding", "causal_layers",
    # a whole network (issue 19)
    "Network",
]
__version__ = "0.1.0"
