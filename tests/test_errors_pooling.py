"""Bad calls to pooling, receptive_field and the causal helpers: refused as PyTorch refuses them,
with a message that names the argument, what was expected and what arrived."""
import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

import convcore

X1 = np.zeros((2, 6))        # (C, L)
X2 = np.zeros((2, 5, 5))     # (C, H, W)
T1 = torch.zeros(2, 6, dtype=torch.float64)
T2 = torch.zeros(2, 5, 5, dtype=torch.float64)


def case(id, call, torch_call, error, *phrases):
    """``torch_call``: the same mistake in PyTorch, which must fail too (None: no counterpart)."""
    return pytest.param(call, torch_call, error, phrases, id=id)


BAD = [
    # -- pooling: PyTorch's own checks -------------------------------------------
    case("max1d-padding-over-half-kernel", lambda: convcore.max_pool1d(X1, 3, padding=2),
         lambda: F.max_pool1d(T1, 3, padding=2), ValueError,
         "`padding` must be at most half the kernel", "floor(3 / 2) = 1", "got 2"),
    case("max1d-padding-half-of-kernel-not-of-dilated-span", lambda: convcore.max_pool1d(X1, 2, padding=2, dilation=3),
         lambda: F.max_pool1d(T1, 2, padding=2, dilation=3), ValueError, "floor(2 / 2) = 1", "got 2"),
    case("max2d-padding-over-half-along-width", lambda: convcore.max_pool2d(X2, (3, 1), padding=(1, 1)),
         lambda: F.max_pool2d(T2, (3, 1), padding=(1, 1)), ValueError,
         "at most half the kernel along width", "floor(1 / 2) = 0", "got 1"),
    case("avg2d-padding-over-half-kernel", lambda: convcore.avg_pool2d(X2, 2, padding=2),
         lambda: F.avg_pool2d(T2, 2, padding=2), ValueError, "`padding` must be at most half the kernel"),
    case("avg1d-padding-over-half-kernel", lambda: convcore.avg_pool1d(X1, 3, padding=2),
         lambda: F.avg_pool1d(T1, 3, padding=2), ValueError, "floor(3 / 2) = 1"),
    case("max1d-window-too-big", lambda: convcore.max_pool1d(X1, 7), lambda: F.max_pool1d(T1, 7), ValueError,
         "window does not fit", "along length", "1·(7−1)+1 = 7", "0 + 6 + 0 = 6",
         "floor((6 + 2·0 − 1·(7−1) − 1) / 7) + 1 = floor(-1 / 7) + 1 = 0"),
    case("max2d-dilated-window-too-big", lambda: convcore.max_pool2d(X2, 2, dilation=(1, 5)),
         lambda: F.max_pool2d(T2, 2, dilation=(1, 5)), ValueError, "along width", "5·(2−1)+1 = 6"),
    case("avg2d-window-too-tall", lambda: convcore.avg_pool2d(np.zeros((1, 2, 9)), 3),
         lambda: F.avg_pool2d(torch.zeros(1, 2, 9), 3), ValueError, "window does not fit", "along height"),
    case("kernel-0", lambda: convcore.max_pool1d(X1, 0), lambda: F.max_pool1d(T1, 0), ValueError,
         "`kernel_size` must be >= 1", "got 0"),
    case("avg-kernel-0", lambda: convcore.avg_pool2d(X2, (2, 0)), lambda: F.avg_pool2d(T2, (2, 0)), ValueError,
         "`kernel_size[1]` must be >= 1", "got 0"),
    case("stride-0", lambda: convcore.max_pool2d(X2, 2, stride=0), lambda: F.max_pool2d(T2, 2, stride=0), ValueError,
         "`stride` must be >= 1", "got 0"),
    case("avg-stride-0", lambda: convcore.avg_pool1d(X1, 2, stride=0), lambda: F.avg_pool1d(T1, 2, stride=0),
         ValueError, "`stride` must be >= 1"),
    case("dilation-0", lambda: convcore.max_pool1d(X1, 2, dilation=0), lambda: F.max_pool1d(T1, 2, dilation=0),
         ValueError, "`dilation` must be >= 1", "got 0"),
    case("padding-negative", lambda: convcore.avg_pool1d(X1, 2, padding=-1), lambda: F.avg_pool1d(T1, 2, padding=-1),
         ValueError, "`padding` must be >= 0", "got -1"),
    case("kernel-float", lambda: convcore.max_pool1d(X1, 2.5), lambda: F.max_pool1d(T1, 2.5), TypeError,
         "`kernel_size` must be a whole number", "2.5 (float)"),
    case("kernel-bool", lambda: convcore.max_pool1d(X1, True), lambda: F.max_pool1d(T1, True), TypeError,
         "`kernel_size`", "True (bool)"),
    case("kernel-pair-for-1d", lambda: convcore.max_pool1d(X1, (2, 2)), lambda: F.max_pool1d(T1, (2, 2)), ValueError,
         "`kernel_size` needs 1 value (one for length)", "got 2: (2, 2)"),
    case("avg-kernel-pair-for-1d", lambda: convcore.avg_pool1d(X1, (2, 2)), lambda: F.avg_pool1d(T1, (2, 2)),
         ValueError, "`kernel_size` needs 1 value"),
    case("kernel-triple-for-2d", lambda: convcore.max_pool2d(X2, (2, 2, 2)), lambda: F.max_pool2d(T2, (2, 2, 2)),
         ValueError, "`kernel_size` needs 2 values (one for height and width)", "got 3"),
    case("ceil-mode-int", lambda: convcore.max_pool1d(X1, 2, ceil_mode=1), lambda: F.max_pool1d(T1, 2, ceil_mode=1),
         TypeError, "`ceil_mode` must be True or False", "got 1 (int)"),
    case("avg-ceil-mode-string", lambda: convcore.avg_pool2d(X2, 2, ceil_mode="yes"),
         lambda: F.avg_pool2d(T2, 2, ceil_mode="yes"), TypeError, "`ceil_mode` must be True or False", "'yes'"),
    case("count-include-pad-int", lambda: convcore.avg_pool1d(X1, 2, count_include_pad=1),
         lambda: F.avg_pool1d(T1, 2, count_include_pad=1), TypeError, "`count_include_pad` must be True or False"),
    case("max1d-4d-input", lambda: convcore.max_pool1d(np.zeros((1, 2, 3, 4)), 2),
         lambda: F.max_pool1d(torch.zeros(1, 2, 3, 4), 2), ValueError,
         "`input` must be (C, L) or (N, C, L), or a plain (L,)", "4-D shape (1, 2, 3, 4)"),
    case("max2d-5d-input", lambda: convcore.max_pool2d(np.zeros((1, 1, 2, 3, 4)), 2),
         lambda: F.max_pool2d(torch.zeros(1, 1, 2, 3, 4), 2), ValueError,
         "`input` must be (C, H, W) or (N, C, H, W)", "5-D shape"),
    case("avg1d-0d-input", lambda: convcore.avg_pool1d(3.0, 1), lambda: F.avg_pool1d(torch.tensor(3.0), 1),
         ValueError, "`input`", "0-D shape ()"),
    case("empty-length", lambda: convcore.max_pool1d(np.zeros((2, 2, 0)), 1),
         lambda: F.max_pool1d(torch.zeros(2, 2, 0), 1), ValueError, "`input` is empty", "shape (2, 2, 0)"),
    case("empty-channels", lambda: convcore.avg_pool2d(np.zeros((2, 0, 2)), 1),
         lambda: F.avg_pool2d(torch.zeros(2, 0, 2), 1), ValueError, "`input` is empty"),
    case("boolean-input", lambda: convcore.max_pool1d([[True, False]], 1),
         lambda: F.max_pool1d(torch.tensor([[True, False]]), 1), TypeError, "`input`", "booleans"),
    case("string-input", lambda: convcore.avg_pool1d("abc", 1), None, TypeError, "`input` must be numbers", "'abc'"),
    case("ragged-input", lambda: convcore.max_pool2d([[1, 2], [3]], 1), None, ValueError, "`input` is ragged"),
    case("trace-bad-arguments", lambda: convcore.trace_max_pool2d(X2, 3, padding=2),
         lambda: F.max_pool2d(T2, 3, padding=2), ValueError, "trace_max_pool2d:", "`padding`"),
    case("trace-avg-bad-arguments", lambda: convcore.trace_avg_pool1d(X1, 0), lambda: F.avg_pool1d(T1, 0),
         ValueError, "trace_avg_pool1d:", "`kernel_size`"),
    case("pool-output-size-too-small", lambda: convcore.pool_output_size(3, 4), None, ValueError,
         "window does not fit", "floor((3 + 2·0 − 1·(4−1) − 1) / 4) + 1"),
    # -- causal convolution ------------------------------------------------------
    case("causal-channel-mismatch", lambda: convcore.causal_conv1d(np.zeros((2, 5)), np.zeros((1, 3, 2))),
         lambda: F.conv1d(F.pad(torch.zeros(2, 5), (1, 0)), torch.zeros(1, 3, 2)), ValueError,
         "causal_conv1d: channel mismatch", "C_in=2"),
    case("causal-dilation-0", lambda: convcore.causal_conv1d([1, 2, 3], [1, 1], dilation=0),
         lambda: F.conv1d(torch.zeros(1, 1, 3), torch.ones(1, 1, 2), dilation=0), ValueError,
         "`dilation` must be >= 1", "got 0"),
    case("causal-weight-2d", lambda: convcore.causal_conv1d(np.zeros((2, 5)), np.zeros((2, 2))),
         lambda: F.conv1d(torch.zeros(2, 5), torch.zeros(2, 2)), ValueError, "`weight`", "2-D shape (2, 2)"),
    case("causal-trace-bad-bias", lambda: convcore.trace_causal_conv1d(np.zeros((2, 5)), np.zeros((3, 2, 2)), bias=[1, 2]),
         lambda: F.conv1d(torch.zeros(2, 5), torch.zeros(3, 2, 2), torch.zeros(2)), ValueError,
         "trace_causal_conv1d:", "`bias` needs one value per output channel", "(3,)"),
    case("causal-padding-kernel-0", lambda: convcore.causal_padding(0), None, ValueError,
         "causal_padding: `kernel_size` must be >= 1", "got 0"),
    case("causal-padding-dilation-float", lambda: convcore.causal_padding(2, 1.5), None, TypeError,
         "causal_padding: `dilation` must be a whole number", "1.5"),
    case("causal-layers-dilation-0", lambda: convcore.causal_layers(2, (1, 0)), None, ValueError,
         "causal_layers: `dilations[1]` must be >= 1"),
    # -- receptive_field --------------------------------------------------------------
    case("rf-unknown-key", lambda: convcore.receptive_field([dict(kernel=3)]),
         lambda: nn.Conv1d(1, 1, kernel=3), ValueError, "layer 1 has unknown key 'kernel'", "kernel_size"),
    case("rf-missing-kernel", lambda: convcore.receptive_field([dict(kernel_size=3), dict(stride=2)]), None,
         ValueError, "layer 2 needs a `kernel_size`"),
    case("rf-stride-0", lambda: convcore.receptive_field([dict(kernel_size=3, stride=0)]),
         lambda: F.conv1d(torch.zeros(1, 1, 5), torch.zeros(1, 1, 3), stride=0), ValueError,
         "`layers[0].stride` must be >= 1", "got 0"),
    case("rf-padding-negative", lambda: convcore.receptive_field([dict(kernel_size=3, padding=-1)]),
         lambda: F.conv1d(torch.zeros(1, 1, 5), torch.zeros(1, 1, 3), padding=-1), ValueError,
         "`layers[0].padding` must be >= 0"),
    case("rf-same-with-stride-2", lambda: convcore.receptive_field([dict(kernel_size=3, stride=2, padding="same")]),
         lambda: nn.Conv1d(1, 1, 3, stride=2, padding="same"), ValueError, "padding='same' only works with stride 1",
         "got stride 2"),
    case("rf-unknown-padding-word", lambda: convcore.receptive_field([dict(kernel_size=3, padding="full")]),
         lambda: nn.Conv1d(1, 1, 3, padding="full"), ValueError, "`padding` must be an int", "'full'"),
    case("rf-pool-padding-over-half", lambda: convcore.receptive_field([dict(kind="max_pool", kernel_size=2, padding=2)]),
         lambda: nn.MaxPool1d(2, padding=2)(torch.zeros(1, 1, 8)), ValueError,
         "layer 1 (max_pool): `padding` must be at most half the kernel", "got 2"),
    case("rf-kernel-float", lambda: convcore.receptive_field([dict(kernel_size=2.5)]), None, TypeError,
         "`layers[0].kernel_size` must be a whole number"),
    case("rf-unknown-kind", lambda: convcore.receptive_field([dict(kind="pool", kernel_size=2)]), None, ValueError,
         "`kind` must be one of 'conv', 'max_pool', 'avg_pool'", "'pool'"),
    case("rf-empty", lambda: convcore.receptive_field([]), None, ValueError, "`layers` is empty"),
    case("rf-not-a-list", lambda: convcore.receptive_field(3), None, TypeError, "`layers` must be a list of layers"),
    case("rf-relu", lambda: convcore.receptive_field(nn.Sequential(nn.Conv1d(1, 1, 3), nn.ReLU())), None, TypeError,
         "layer 2", "ReLU", "has no kernel_size", "leave them out"),
    case("rf-transposed", lambda: convcore.receptive_field([nn.ConvTranspose1d(1, 1, 3)]), None, TypeError,
         "layer 1 is a ConvTranspose1d"),
    case("rf-mixed-dims", lambda: convcore.receptive_field([nn.Conv1d(1, 1, 3), nn.Conv2d(1, 1, 3)]), None,
         ValueError, "mix 1-D and 2-D"),
    case("rf-causal-and-padding", lambda: convcore.receptive_field([dict(kernel_size=2, causal=True, padding=1)]),
         None, ValueError, "layer 1 is causal", "padding=1"),
    case("rf-index-past-end", lambda: convcore.receptive_field([dict(kernel_size=3)]).inputs_of(4, 6), None,
         IndexError, "output index 4 is past the end", "size 4"),
    case("rf-input-too-small", lambda: convcore.receptive_field([dict(kernel_size=3), dict(kernel_size=3)]).inputs_of(0, 4),
         lambda: nn.Sequential(nn.Conv1d(1, 1, 3), nn.Conv1d(1, 1, 3))(torch.zeros(1, 1, 4)), ValueError,
         "layer 2 (conv) has no output", "length 2", "floor((2 + 2·0 − 1·(3−1) − 1) / 1) + 1"),
    case("rf-index-needs-a-pair", lambda: convcore.receptive_field([nn.Conv2d(1, 1, 3)]).inputs_of((1,), (5, 5)),
         None, ValueError, "`index` needs 2 values", "got 1"),
]

PREFIX = (r"(max_pool[12]d|avg_pool[12]d|trace_(max|avg)_pool[12]d|pool_output_size|causal_conv1d|"
          r"trace_causal_conv1d|causal_padding|causal_layers|receptive_field): ")


def assert_explained(call, torch_call, error, phrases, prefix):
    """PyTorch refuses ``torch_call`` (unless None); ``call`` raises ``error`` from inside convcore
    (no traceback out of NumPy), its message starting with ``prefix`` and holding every phrase."""
    if torch_call is not None:  # PyTorch refuses the same mistake
        with pytest.raises((RuntimeError, ValueError, TypeError, NotImplementedError, IndexError)):
            torch_call()
    with pytest.raises(error) as caught:
        call()
    message = str(caught.value)
    for phrase in phrases:
        assert phrase in message, f"{phrase!r} not in {message!r}"
    assert re.match(prefix, message), message
    assert caught.traceback[-1].path.parent.name == "convcore", caught.traceback[-1].path


@pytest.mark.parametrize("call, torch_call, error, phrases", BAD)
def test_bad_input_is_explained(call, torch_call, error, phrases):
    assert_explained(call, torch_call, error, phrases, PREFIX)


@pytest.mark.parametrize("call, torch_call", [
    pytest.param(lambda: convcore.max_pool1d(X1, 2, padding=1), lambda: F.max_pool1d(T1, 2, padding=1), id="padding-exactly-half"),
    pytest.param(lambda: convcore.max_pool1d(X1, 2, padding=1, dilation=5), lambda: F.max_pool1d(T1, 2, padding=1, dilation=5), id="dilation-beyond-the-input"),
    pytest.param(lambda: convcore.max_pool2d(X2, 2, stride=[]), lambda: F.max_pool2d(T2, 2, stride=[]), id="empty-stride-is-kernel"),
    pytest.param(lambda: convcore.avg_pool1d(np.zeros((1, 1, 2)), 3, stride=2, padding=1, ceil_mode=True),
                 lambda: F.avg_pool1d(torch.zeros(1, 1, 2), 3, stride=2, padding=1, ceil_mode=True), id="ceil-at-the-limit"),
])
def test_accepts_what_torch_accepts(call, torch_call):
    expected = torch_call()
    expected = expected[0] if isinstance(expected, tuple) else expected
    np.testing.assert_array_equal(call(), expected.numpy())


def test_errors_never_hide_behind_a_numpy_warning():
    """Every bad call fails before any arithmetic: no RuntimeWarning on the way."""
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for param in BAD:
            call, _, error, _ = param.values
            with pytest.raises(error):
                call()
