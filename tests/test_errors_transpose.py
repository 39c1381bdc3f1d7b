"""Bad input to the transposed convolution and the gradients: explained, never a numpy traceback.

Each case names the argument, says what was expected and shows what arrived.
Where PyTorch has the same function, the same call must be refused by PyTorch
too (``torch_call``), so we refuse what it refuses, no more.
"""
import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import convcore
from convcore import grad

X = np.zeros((3, 5, 5))            # (C_in, H, W)
W = np.zeros((3, 4, 3, 3))         # (C_in, C_out, kH, kW): a transposed convolution's weight
WF = np.zeros((4, 3, 3, 3))        # (C_out, C_in, kH, kW): a forward weight, for the gradients
G = np.zeros((4, 3, 3))            # grad_output of conv2d(X, WF)
t = torch.from_numpy


def case(id, call, error, phrases, torch_call=None):
    return pytest.param(call, error, phrases, torch_call, id=id)


BAD = [
    # -- conv_transpose: shapes --------------------------------------------------
    case("channel-mismatch", lambda: convcore.conv_transpose2d(np.zeros((2, 5, 5)), W), ValueError,
         ["channel mismatch", "C_in=2", "input shape (2, 5, 5)", "weight.shape[0]", "(C_in, C_out/groups, kH, kW)",
          "got weight shape (3, 4, 3, 3) with 3"],
         lambda: F.conv_transpose2d(t(np.zeros((2, 5, 5))), t(W))),
    case("channel-mismatch-1d-batched", lambda: convcore.conv_transpose1d(np.zeros((8, 2, 5)), np.zeros((3, 1, 3))),
         ValueError, ["channel mismatch", "input shape (8, 2, 5)"],
         lambda: F.conv_transpose1d(t(np.zeros((8, 2, 5))), t(np.zeros((3, 1, 3))))),
    case("groups-not-dividing-c-in", lambda: convcore.conv_transpose2d(X, W, groups=2), ValueError,
         ["`groups`=2 must divide the input channels C_in=3", "3 / 2"],
         lambda: F.conv_transpose2d(t(X), t(W), groups=2)),
    case("input-5d", lambda: convcore.conv_transpose2d(np.zeros((1, 1, 3, 5, 5)), W), ValueError,
         ["`input` must be (C_in, H, W) or (N, C_in, H, W)", "5-D shape (1, 1, 3, 5, 5)"],
         lambda: F.conv_transpose2d(t(np.zeros((1, 1, 3, 5, 5))), t(W))),
    case("weight-3d", lambda: convcore.conv_transpose2d(X, np.zeros((3, 4, 3))), ValueError,
         ["`weight` must be (C_in, C_out/groups, kH, kW)", "3-D shape (3, 4, 3)"],
         lambda: F.conv_transpose2d(t(X), t(np.zeros((3, 4, 3))))),
    case("plain-image-with-4d-weight", lambda: convcore.conv_transpose2d(np.zeros((5, 5)), W), ValueError,
         ["plain (H, W) input goes with a plain (kH, kW) weight", "input[None]"],
         lambda: F.conv_transpose2d(t(np.zeros((5, 5))), t(W))),
    case("plain-kernel-with-channels", lambda: convcore.conv_transpose2d(X, np.zeros((3, 3))), ValueError,
         ["plain (kH, kW) weight goes with a plain (H, W) input", "(C_in, C_out/groups, kH, kW)"],
         lambda: F.conv_transpose2d(t(X), t(np.zeros((3, 3))))),
    case("bias-wrong-length", lambda: convcore.conv_transpose2d(X, W, bias=np.zeros(3)), ValueError,
         ["`bias` needs one value per output channel, shape (4,)", "weight.shape[1] · groups = 4 · 1", "got shape (3,)"],
         lambda: F.conv_transpose2d(t(X), t(W), t(np.zeros(3)))),
    case("bias-wrong-length-with-groups", lambda: convcore.conv_transpose2d(np.zeros((4, 5, 5)), np.zeros((4, 1, 3, 3)),
                                                                            bias=np.zeros(1), groups=2), ValueError,
         ["shape (2,)", "1 · 2"],
         lambda: F.conv_transpose2d(t(np.zeros((4, 5, 5))), t(np.zeros((4, 1, 3, 3))), t(np.zeros(1)), groups=2)),
    case("bias-2d", lambda: convcore.conv_transpose2d(X, W, bias=np.zeros((4, 1))), ValueError,
         ["`bias` needs one value per output channel", "shape (4,)", "got shape (4, 1)"],
         lambda: F.conv_transpose2d(t(X), t(W), t(np.zeros((4, 1))))),
    case("bias-many-for-plain-kernel", lambda: convcore.conv_transpose1d([1, 2], [1, 1], bias=[1, 2]), ValueError,
         ["`bias` must be a single number", "shape (2,)"]),
    case("empty-input", lambda: convcore.conv_transpose2d(np.zeros((3, 0, 5)), W), ValueError,
         ["`input` is empty", "shape (3, 0, 5)"]),
    case("string-input", lambda: convcore.conv_transpose1d("abc", [1]), TypeError, ["`input` must be numbers", "'abc'"]),
    case("ragged-weight", lambda: convcore.conv_transpose1d([1, 2], [[1], [2, 3]]), ValueError, ["`weight` is ragged"]),
    # -- conv_transpose: stride, padding, output_padding, dilation, groups ------------
    case("output-padding-equal-to-stride", lambda: convcore.conv_transpose2d(X, W, stride=2, output_padding=2), ValueError,
         ["`output_padding` must be smaller than either `stride` or `dilation` along height",
          "output_padding=2 with stride=2 and dilation=1",
          "A stride-2 convolution gives the same output length for 2 different input lengths",
          "picks which of those 2 input lengths the transposed convolution returns (0 for the shortest)"],
         lambda: F.conv_transpose2d(t(X), t(W), stride=2, output_padding=2)),
    case("output-padding-with-stride-1", lambda: convcore.conv_transpose1d(np.zeros((1, 4)), np.zeros((1, 1, 3)), output_padding=1),
         ValueError, ["`output_padding` must be smaller than either `stride` or `dilation`;",
                      "output_padding=1 with stride=1 and dilation=1",
                      "A stride-1 convolution gives every input length its own output length"],
         lambda: F.conv_transpose1d(t(np.zeros((1, 4))), t(np.zeros((1, 1, 3))), output_padding=1)),
    case("output-padding-on-width-only", lambda: convcore.conv_transpose2d(X, W, stride=(2, 1), output_padding=(1, 1)),
         ValueError, ["along width", "output_padding=1 with stride=1 and dilation=1"],
         lambda: F.conv_transpose2d(t(X), t(W), stride=(2, 1), output_padding=(1, 1))),
    case("output-padding-negative", lambda: convcore.conv_transpose2d(X, W, stride=2, output_padding=-1), ValueError,
         ["`output_padding` must be >= 0", "got -1"]),
    case("output-size-negative", lambda: convcore.conv_transpose2d(np.zeros((1, 2, 2)), np.zeros((1, 1, 3, 3)), padding=3),
         ValueError, ["output would have no positions along height",
                      "(2 − 1)·1 − 2·3 + 1·(3 − 1) + 0 + 1 = 1 − 6 + 2 + 0 + 1 = -2",
                      "cover (n − 1)·s + d·(k − 1) + 1 = 4 positions", "2·3 = 6", "Use less padding"],
         lambda: F.conv_transpose2d(t(np.zeros((1, 2, 2))), t(np.zeros((1, 1, 3, 3))), padding=3)),
    case("output-size-zero", lambda: convcore.conv_transpose1d(np.zeros((1, 2)), np.zeros((1, 1, 1)), padding=1),
         ValueError, ["output would have no positions along length", "= 0"],
         lambda: F.conv_transpose1d(t(np.zeros((1, 2))), t(np.zeros((1, 1, 1))), padding=1)),
    case("padding-same", lambda: convcore.conv_transpose2d(X, W, padding="same"), ValueError,
         ["`padding` must be an int or one int per axis", "'same'", "no 'same' or 'valid'"],
         lambda: F.conv_transpose2d(t(X), t(W), padding="same")),
    case("padding-negative", lambda: convcore.conv_transpose2d(X, W, padding=-1), ValueError,
         ["`padding` must be >= 0", "got -1"],
         lambda: F.conv_transpose2d(t(X), t(W), padding=-1)),
    case("stride-0", lambda: convcore.conv_transpose2d(X, W, stride=0), ValueError, ["`stride` must be >= 1", "got 0"],
         lambda: F.conv_transpose2d(t(X), t(W), stride=0)),
    case("stride-float", lambda: convcore.conv_transpose2d(X, W, stride=1.5), TypeError,
         ["`stride` must be a whole number >= 1", "1.5 (float)"],
         lambda: F.conv_transpose2d(t(X), t(W), stride=1.5)),
    case("dilation-0", lambda: convcore.conv_transpose2d(X, W, dilation=0), ValueError, ["`dilation` must be >= 1"],
         lambda: F.conv_transpose2d(t(X), t(W), dilation=0)),
    case("groups-0", lambda: convcore.conv_transpose2d(X, W, groups=0), ValueError, ["`groups` must be >= 1"],
         lambda: F.conv_transpose2d(t(X), t(W), groups=0)),
    case("pair-too-long", lambda: convcore.conv_transpose2d(X, W, output_padding=(0, 0, 0)), ValueError,
         ["`output_padding` needs 2 values (one for height and width)", "got 3"]),
    # -- traces and helpers ---------------------------------------------------------
    case("trace-bad-arguments", lambda: convcore.trace_transpose2d(X, W, stride=2, output_padding=3), ValueError,
         ["trace_transpose2d:", "`output_padding`"]),
    case("trace-gather-bad-arguments", lambda: convcore.trace_transpose1d(np.zeros((1, 4)), np.zeros((2, 1, 3)), reading="gather"),
         ValueError, ["trace_transpose1d:", "channel mismatch"]),
    case("output-size-helper", lambda: convcore.transpose_output_size(2, 1, padding=1), ValueError,
         ["output would be empty", "(2 − 1)·1 − 2·1 + 1·(1 − 1) + 0 + 1 = 1 − 2 + 0 + 0 + 1 = 0"]),
    case("output-size-helper-output-padding", lambda: convcore.transpose_output_size(4, 3, stride=2, output_padding=2),
         ValueError, ["transpose_output_size: `output_padding` must be smaller"]),
    case("explain-n-0", lambda: convcore.explain_transpose_output_size(0, 3), ValueError,
         ["explain_transpose_output_size: `n` must be >= 1"]),
    # -- gradients ---------------------------------------------------------------------
    case("input-size-not-a-shape", lambda: grad.conv2d_input(5, WF, G), TypeError,
         ["`input_size` must be a shape", "got 5 (int)"]),
    case("input-size-with-0", lambda: grad.conv2d_input((3, 0, 5), WF, G), ValueError,
         ["`input_size[1]` must be >= 1", "got 0"]),
    case("input-size-channel-mismatch", lambda: grad.conv2d_input((1, 2, 5, 5), WF, G[None]), ValueError,
         ["conv2d_input: channel mismatch", "C_in=2"],
         lambda: torch.nn.grad.conv2d_input((1, 2, 5, 5), t(WF), t(G[None]))),
    case("grad-output-wrong-shape", lambda: grad.conv2d_input((1, 3, 5, 5), WF, np.zeros((1, 4, 2, 3))), ValueError,
         ["`grad_output` must have the shape of the convolution's output, (1, 4, 3, 3)", "got shape (1, 4, 2, 3)",
          "height: floor((5 + 2·0 − 1·(3−1) − 1) / 1) + 1"],
         lambda: torch.nn.grad.conv2d_input((1, 3, 5, 5), t(WF), t(np.zeros((1, 4, 2, 3))))),
    case("grad-output-wrong-channels", lambda: grad.conv2d_weight(X[None], WF.shape, np.zeros((1, 5, 3, 3))), ValueError,
         ["conv2d_weight: `grad_output`", "(1, 4, 3, 3)", "got shape (1, 5, 3, 3)"],
         lambda: torch.nn.grad.conv2d_weight(t(X[None]), WF.shape, t(np.zeros((1, 5, 3, 3))))),
    case("weight-size-wrong-rank", lambda: grad.conv2d_weight(X, (4, 3, 3), G), ValueError,
         ["conv2d_weight: `weight` must be (C_out, C_in/groups, kH, kW)", "3-D shape (4, 3, 3)"]),
    case("weight-size-kernel-too-big", lambda: grad.conv1d_weight(np.zeros((1, 3)), (1, 1, 5), np.zeros((1, 1))), ValueError,
         ["conv1d_weight: the kernel does not fit"]),
    case("grad-weight-bad-stride", lambda: grad.conv1d_input((1, 5), np.zeros((1, 1, 3)), np.zeros((1, 3)), stride=0),
         ValueError, ["conv1d_input: `stride` must be >= 1"]),
    case("grad-unknown-padding-mode", lambda: grad.conv2d_input(X.shape, WF, G, padding_mode="mirror"), ValueError,
         ["conv2d_input: `padding_mode` must be one of"]),
    case("grad-output-strings", lambda: grad.conv1d_weight([1, 2, 3], (2,), "ab"), TypeError,
         ["conv1d_weight: `grad_output` must be numbers"]),
    case("bias-grad-wrong-rank", lambda: grad.conv2d_bias(np.zeros((1, 2, 3, 4, 5))), ValueError,
         ["conv2d_bias: `grad_output` must be shaped like a conv2d output", "5-D shape (1, 2, 3, 4, 5)"]),
    case("trace-input-grad-bad", lambda: grad.trace_conv2d_input_grad(X.shape, WF, G[:, :2]), ValueError,
         ["trace_conv2d_input_grad: `grad_output`", "(4, 3, 3)", "got shape (4, 2, 3)"]),
    case("trace-weight-grad-bad", lambda: grad.trace_conv1d_weight_grad(np.zeros((2, 5)), (1, 3, 3), np.zeros((1, 3))),
         ValueError, ["trace_conv1d_weight_grad: channel mismatch"]),
]

OURS = re.compile(r"(conv_transpose[12]d|trace_transpose[12]d|transpose_output_size|explain_transpose_output_size"
                  r"|conv[12]d_(input|weight|bias)|trace_conv[12]d_(input|weight)_grad): ")


@pytest.mark.parametrize("call, error, phrases, torch_call", BAD)
def test_bad_input_is_explained(call, error, phrases, torch_call):
    with pytest.raises(error) as caught:
        call()
    message = str(caught.value)
    for phrase in phrases:
        assert phrase in message, f"{phrase!r} not in {message!r}"
    assert OURS.match(message), message
    assert caught.traceback[-1].path.parent.name == "convcore", caught.traceback[-1].path
    if torch_call is not None:
        with pytest.raises((RuntimeError, ValueError, TypeError)):
            torch_call()


def test_what_torch_accepts_we_accept():
    """output_padding may reach the stride when it is smaller than the dilation; padding that
    leaves one output position (3 − 1 − 2·2 + 2 + 1 = 1) is accepted."""
    x, w = np.arange(1.0, 4.0).reshape(1, 3), np.arange(1.0, 4.0).reshape(1, 1, 3)
    for kwargs in (dict(output_padding=1, dilation=2), dict(stride=2, output_padding=1),
                   dict(padding=2, stride=1)):
        expected = F.conv_transpose1d(t(x), t(w), **kwargs).numpy()
        np.testing.assert_allclose(convcore.conv_transpose1d(x, w, **kwargs), expected, rtol=1e-12)


def test_errors_never_hide_behind_a_numpy_warning():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for param in BAD:
            call, error, _, _ = param.values
            with pytest.raises(error):
                call()
