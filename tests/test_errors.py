"""Bad input: the documented error type, and a message that teaches.

Each case names the argument, says what was expected and shows what arrived
(with the formula's numbers where a formula is involved). None may surface
as a numpy traceback from inside convcore, and none may return an answer.
"""
import re

import numpy as np
import pytest

import convcore

X = np.zeros((3, 5, 5))          # (C_in, H, W)
W = np.zeros((4, 3, 3, 3))       # (C_out, C_in, kH, kW)
X1 = np.zeros((3, 5))            # (C_in, L)
W1 = np.zeros((4, 3, 3))         # (C_out, C_in, K)


def case(id, call, error, *phrases):
    return pytest.param(call, error, phrases, id=id)


BAD = [
    # -- shapes ---------------------------------------------------------------
    case("channel-mismatch", lambda: convcore.conv2d(np.zeros((2, 5, 5)), W), ValueError,
         "channel mismatch", "C_in=2", "input shape (2, 5, 5)", "weight shape (4, 3, 3, 3)"),
    case("channel-mismatch-conv1d-batched", lambda: convcore.conv1d(np.zeros((8, 2, 5)), W1), ValueError,
         "channel mismatch", "input shape (8, 2, 5)", "weight shape (4, 3, 3)"),
    case("channel-mismatch-with-groups", lambda: convcore.conv2d(np.zeros((4, 5, 5)), np.zeros((2, 4, 3, 3)), groups=2),
         ValueError, "channel mismatch", "C_in / groups = 4 / 2 = 2", "got weight shape (2, 4, 3, 3) with 4"),
    case("kernel-larger-than-input", lambda: convcore.conv2d(np.zeros((3, 2, 2)), W), ValueError,
         "kernel does not fit", "height", "1·(3−1)+1 = 3", "0 + 2 + 0 = 2",
         "floor((2 + 2·0 − 1·(3−1) − 1) / 1) + 1 = floor(-1 / 1) + 1 = 0"),
    case("kernel-larger-with-dilation", lambda: convcore.conv1d([1, 2, 3, 4], [1, 1, 1], dilation=2, padding=0),
         ValueError, "kernel does not fit", "length", "2·(3−1)+1 = 5", "0 + 4 + 0 = 4",
         "floor((4 + 2·0 − 2·(3−1) − 1) / 1) + 1 = floor(-1 / 1) + 1 = 0"),
    case("kernel-taller-than-image", lambda: convcore.conv2d(np.zeros((1, 1, 6)), np.zeros((1, 1, 3, 3)), stride=(1, 2), padding=(0, 1)),
         ValueError, "kernel does not fit", "height", "0 + 1 + 0 = 1"),
    case("input-5d", lambda: convcore.conv2d(np.zeros((1, 1, 3, 5, 5)), W), ValueError,
         "`input` must be (C_in, H, W) or (N, C_in, H, W)", "5-D shape (1, 1, 3, 5, 5)"),
    case("input-1d-for-conv2d", lambda: convcore.conv2d(np.zeros(5), W), ValueError,
         "`input`", "1-D shape (5,)"),
    case("input-0d", lambda: convcore.conv1d(3.0, [1.0]), ValueError, "`input`", "0-D shape ()"),
    case("weight-3d-for-conv2d", lambda: convcore.conv2d(X, np.zeros((4, 3, 3))), ValueError,
         "`weight` must be (C_out, C_in/groups, kH, kW)", "3-D shape (4, 3, 3)"),
    case("weight-2d-for-conv1d-channels", lambda: convcore.conv1d(X1, np.zeros((4, 3))), ValueError,
         "`weight`", "2-D shape (4, 3)"),
    case("plain-image-with-4d-weight", lambda: convcore.conv2d(np.zeros((5, 5)), W), ValueError,
         "plain (H, W) input goes with a plain (kH, kW) weight", "(4, 3, 3, 3)", "input[None]"),
    case("plain-kernel-with-channels", lambda: convcore.conv2d(X, np.zeros((3, 3))), ValueError,
         "plain (kH, kW) weight goes with a plain (H, W) input", "(3, 5, 5)"),
    case("bias-2d", lambda: convcore.conv2d(X, W, bias=np.zeros((4, 1))), ValueError,
         "`bias` needs one value per output channel", "(4,)", "shape (4, 1)"),
    case("bias-scalar-with-channels", lambda: convcore.conv2d(X, W, bias=1.0), ValueError,
         "`bias` needs one value per output channel", "(4,)", "shape ()"),
    case("bias-wrong-length", lambda: convcore.conv2d(X, W, bias=np.zeros(3)), ValueError,
         "`bias` needs one value per output channel", "(4,)", "shape (3,)"),
    case("bias-many-for-plain-kernel", lambda: convcore.conv1d([1, 2, 3], [1, 1], bias=[1, 2]), ValueError,
         "`bias` must be a single number", "shape (2,)"),
    # -- stride, padding, dilation, groups --------------------------------------
    case("stride-0", lambda: convcore.conv2d(X, W, stride=0), ValueError, "`stride` must be >= 1", "got 0"),
    case("stride-1.5", lambda: convcore.conv2d(X, W, stride=1.5), TypeError,
         "`stride` must be a whole number >= 1", "got 1.5 (float)"),
    case("stride-pair-with-0", lambda: convcore.conv2d(X, W, stride=(1, 0)), ValueError,
         "`stride[1]` must be >= 1", "got 0"),
    case("stride-none", lambda: convcore.conv2d(X, W, stride=None), TypeError, "`stride`", "None"),
    case("stride-true", lambda: convcore.conv2d(X, W, stride=True), TypeError, "`stride`", "True (bool)"),
    case("dilation-0", lambda: convcore.conv1d(X1, W1, dilation=0), ValueError, "`dilation` must be >= 1", "got 0"),
    case("dilation-1.5", lambda: convcore.conv1d(X1, W1, dilation=1.5), TypeError,
         "`dilation` must be a whole number", "got 1.5"),
    case("padding-negative", lambda: convcore.conv2d(X, W, padding=-1), ValueError,
         "`padding` must be >= 0", "got -1"),
    case("padding-pair-negative", lambda: convcore.conv2d(X, W, padding=(1, -2)), ValueError,
         "`padding[1]` must be >= 0", "got -2"),
    case("padding-float", lambda: convcore.conv2d(X, W, padding=1.0), TypeError,
         "`padding` must be a whole number", "1.0 (float)"),
    case("groups-not-dividing-c-in", lambda: convcore.conv2d(X, np.zeros((4, 1, 3, 3)), groups=2), ValueError,
         "`groups`=2 must divide the input channels C_in=3", "3 / 2"),
    case("groups-not-dividing-c-out", lambda: convcore.conv2d(np.zeros((4, 5, 5)), np.zeros((3, 2, 3, 3)), groups=2),
         ValueError, "`groups`=2 must divide the output channels C_out=3", "weight.shape[0]"),
    case("groups-0", lambda: convcore.conv2d(X, W, groups=0), ValueError, "`groups` must be >= 1", "got 0"),
    case("groups-float", lambda: convcore.conv2d(X, W, groups=1.0), TypeError, "`groups`", "1.0 (float)"),
    case("same-with-stride-2", lambda: convcore.conv2d(X, W, padding="same", stride=2), ValueError,
         "padding='same' only works with stride 1", "got stride (2, 2)"),
    case("same-with-stride-2-conv1d", lambda: convcore.conv1d(X1, W1, padding="same", stride=2), ValueError,
         "padding='same' only works with stride 1", "got stride 2"),
    case("unknown-padding-word", lambda: convcore.conv2d(X, W, padding="full"), ValueError,
         "`padding` must be an int, one int per axis, 'valid' or 'same'", "'full'"),
    case("unknown-padding-mode", lambda: convcore.conv2d(X, W, padding=1, padding_mode="mirror"), ValueError,
         "`padding_mode` must be one of 'zeros', 'reflect', 'replicate', 'circular'", "'mirror'"),
    case("padding-mode-none", lambda: convcore.conv2d(X, W, padding_mode=None), ValueError,
         "`padding_mode`", "None"),
    case("pair-too-long", lambda: convcore.conv2d(X, W, stride=(1, 1, 1)), ValueError,
         "`stride` needs 2 values (one for height and width)", "got 3: (1, 1, 1)"),
    case("pair-too-short", lambda: convcore.conv2d(X, W, dilation=[2]), ValueError,
         "`dilation` needs 2 values", "got 1: (2,)"),
    case("pair-for-conv1d", lambda: convcore.conv1d(X1, W1, padding=(1, 1)), ValueError,
         "`padding` needs 1 value (one for length)", "got 2: (1, 1)"),
    case("reflect-padding-equal-to-length", lambda: convcore.conv1d([1, 2, 3], [1, 1, 1], padding=3, padding_mode="reflect"),
         ValueError, "padding_mode='reflect'", "smaller than the input along length", "padding 3 for length 3"),
    case("reflect-same-on-tiny-input", lambda: convcore.conv2d(np.zeros((1, 1, 5)), np.zeros((1, 1, 3, 3)), padding="same", padding_mode="reflect"),
         ValueError, "padding_mode='reflect'", "along height", "padding 1 for length 1"),
    case("circular-wrapping-twice", lambda: convcore.conv1d([1, 2, 3], [1, 1, 1], padding=4, padding_mode="circular"),
         ValueError, "padding_mode='circular'", "padding 4 for length 3"),
    # -- values -----------------------------------------------------------------
    case("string-input", lambda: convcore.conv1d("abc", [1]), TypeError,
         "`input` must be numbers", "'abc'"),
    case("string-weight", lambda: convcore.conv1d([1, 2], "ab"), TypeError, "`weight`", "'ab'"),
    case("nested-strings", lambda: convcore.conv2d([["a"]], [[1]]), TypeError,
         "`input` must hold integers or floats", "[['a']]"),
    case("mixed-number-and-string", lambda: convcore.conv1d([1, "2"], [1]), TypeError, "`input`", "[1, '2']"),
    case("none-in-list", lambda: convcore.conv1d([1, None], [1]), ValueError,
         "`input` must be a rectangular array of numbers", "[1, None]"),
    case("bias-string", lambda: convcore.conv1d([1, 2], [1], bias="x"), TypeError, "`bias`", "'x'"),
    case("booleans", lambda: convcore.conv1d([True, False], [1]), TypeError, "`input`", "booleans"),
    case("complex", lambda: convcore.conv1d([1j, 2], [1]), TypeError, "`input`", "complex128"),
    case("ragged-rows", lambda: convcore.conv2d([[1, 2], [3]], [[1]]), ValueError, "`input` is ragged"),
    case("ragged-channels", lambda: convcore.conv2d([[[1, 2], [3, 4]], [[1, 2]]], np.zeros((1, 2, 1, 1))), ValueError,
         "`input` is ragged"),
    case("ragged-weight", lambda: convcore.conv1d([1, 2, 3], [[1], [2, 3]]), ValueError, "`weight` is ragged"),
    case("empty-list", lambda: convcore.conv1d([], [1]), ValueError, "`input` is empty", "shape (0,)"),
    case("empty-axis", lambda: convcore.conv2d(np.zeros((3, 0, 5)), W), ValueError, "`input` is empty", "shape (3, 0, 5)"),
    case("empty-weight", lambda: convcore.conv2d(X, np.zeros((0, 3, 3, 3))), ValueError,
         "`weight` is empty", "shape (0, 3, 3, 3)"),
    # -- traces and helpers -------------------------------------------------------
    case("trace-index-past-end", lambda: convcore.trace1d([1, 2, 3], [1])[3], IndexError,
         "step 3 is past the end", "3 steps (0 to 2)"),
    case("trace-index-negative-past-start", lambda: convcore.trace1d([1, 2, 3], [1])[-4], IndexError,
         "step -4 is past the end"),
    case("trace-bad-arguments", lambda: convcore.trace2d(X, W, stride=0), ValueError, "trace2d:", "`stride`"),
    case("reference-bad-arguments", lambda: convcore.reference1d(X1, W1, padding="full"), ValueError,
         "reference1d:", "'full'"),
    case("output-size-kernel-too-big", lambda: convcore.output_size(2, 5), ValueError,
         "kernel does not fit", "floor((2 + 2·0 − 1·(5−1) − 1) / 1) + 1"),
    case("output-size-stride-0", lambda: convcore.output_size(5, 2, stride=0), ValueError,
         "output_size: `stride` must be >= 1"),
]


@pytest.mark.parametrize("call, error, phrases", BAD)
def test_bad_input_is_explained(call, error, phrases):
    with pytest.raises(error) as caught:
        call()
    message = str(caught.value)
    for phrase in phrases:
        assert phrase in message, f"{phrase!r} not in {message!r}"
    # It is our message (named after the public function), not numpy's, and the
    # error was raised by convcore itself, not from inside numpy.
    if error is not IndexError:
        assert re.match(r"(conv[12]d|trace[12]d|reference[12]d|output_size|explain_output_size): ", message), message
    assert caught.traceback[-1].path.parent.name == "convcore", caught.traceback[-1].path


def test_errors_never_hide_behind_a_numpy_warning():
    """Every bad case fails before any arithmetic: no RuntimeWarning, no partial answer."""
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for param in BAD:
            call, error, _ = param.values
            with pytest.raises(error):
                call()
