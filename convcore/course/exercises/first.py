"""Exercises on notebooks 01–07: output sizes and shapes, channels and partial sums, the
1×1 layer, padding modes, stride and dilation, parameter counts, im2col, the flip, an edge
filter. Every answer is computed by convcore from the exercise's givens."""
from __future__ import annotations

import numpy as np

from ... import examples
from ...api import conv1d, conv2d, explain_output_size, output_size
from ...geometry import same_padding
from .core import (Exercise, register, equals, same, separable_exercise, size_exercise, when, conv_parameters,
                   separable_parameters)

# -- 01 · conv1d: output length --------------------------------------------------
size_exercise(
    "conv1d_length", "01", "signal length 20, kernel length 5, stride 3, padding 2",
    dict(n=20, k=5, stride=3, padding=2), "window positions: ",
    f", that is {(20 + 2 * 2 - (5 - 1) - 1) // 3} jumps plus the first position",
    dict(padding="Did you add the padding? It goes on both ends: 2p.",
         stride="Did you divide by the stride? The window jumps s places at a time."),
    [(equals(output_size(20, 5, stride=3, padding=2) + 1),
      "The division rounds down: a last jump that would leave the padded signal does not count.")],
    "Count the window's positions: (N + 2p − d(K − 1) − 1) ÷ s, rounded down, plus 1.",
)

# -- 02 · conv2d: the output's shape -----------------------------------------------
register(Exercise(
    "conv2d_shape", "02",
    givens="input (3, 32, 32), weight (16, 3, 5, 5), padding 2, stride 1",
    form="a tuple (C_out, H, W)",
    answer=lambda: (16, output_size(32, 5, padding=2), output_size(32, 5, padding=2)),
    solution=lambda: (f"C_out = weight.shape[0] = 16; each side: {explain_output_size(32, 5, padding=2)}"),
    mistakes=(
        (when(lambda g: isinstance(g, (tuple, list)) and len(g) == 3 and g[0] == 3,
              (3, output_size(32, 5, padding=2), output_size(32, 5, padding=2))),
         "The output has one channel per filter: count the filters (weight.shape[0]), not the input channels."),
        (when(lambda g: isinstance(g, (tuple, list)) and len(g) == 3 and g[1] == output_size(32, 5),
              (16, output_size(32, 5), output_size(32, 5))),
         "Did you use the padding? It adds 2p to each side before the kernel slides."),
        (when(lambda g: isinstance(g, (tuple, list)) and len(g) == 4,
              (1, 16, output_size(32, 5, padding=2), output_size(32, 5, padding=2))),
         "The input has no batch axis, so the output has none either: (C_out, H, W)."),
    ),
    general_hint="Channels come from the weight's first axis; each side follows the output-size formula.",
))


# -- 02 · the seed's 2-D example: one value, one partial sum ------------------------
def _seed_step(out_channel, pos):
    return examples.get("seed_conv2d").trace().step_at(out_channel, pos)


def _partials_text(step) -> str:
    terms = " + ".join(f"({s})" if s < 0 else f"{s}" for s in step.partial_sums)
    return f"{terms} + bias {step.bias} = {step.value}"


register(Exercise(
    "seed_value", "02",
    givens="the seed's 2-D example of notebook 02; output channel 0 at row 2, column 1, counted from 0",
    answer=lambda: _seed_step(0, (2, 1)).value,
    solution=lambda: (f"patches {_seed_step(0, (2, 1)).patch.tolist()}; partial sums "
                      + _partials_text(_seed_step(0, (2, 1)))),
    mistakes=(
        (equals(_seed_step(0, (2, 1)).partial_sums[0]),
         "That is input channel 0's partial sum alone: add input channel 1's."),
        (equals(_seed_step(0, (2, 1)).partial_sums[1]),
         "That is input channel 1's partial sum alone: add input channel 0's."),
        (equals(_seed_step(0, (1, 2)).value), "Rows come first: row 2, column 1 is in the bottom row of the output."),
        (equals(_seed_step(0, (2, 1)).patch[0].sum() + _seed_step(0, (2, 1)).partial_sums[1]),
         "Input channel 0's slice is [[1, 0], [0, 1]]: it keeps only the diagonal of the patch."),
    ),
    general_hint="Find the 2×2 window of that position on both input channels, apply each channel's slice, add.",
))
register(Exercise(
    "seed_partial", "02",
    givens="the seed's 2-D example; input channel 1's partial sum for output channel 1 at row 2, column 0",
    answer=lambda: _seed_step(1, (2, 0)).partial_sums[1],
    solution=lambda: (f"patch {_seed_step(1, (2, 0)).patch[1].tolist()} times slice "
                      f"{_seed_step(1, (2, 0)).kernel[1].tolist()}, added: "
                      f"{_seed_step(1, (2, 0)).partial_sums[1]}"),
    mistakes=(
        (equals(_seed_step(1, (2, 0)).value), "That is the whole output value: only input channel 1's part was asked for."),
        (equals(_seed_step(1, (2, 0)).partial_sums[0]), "That is input channel 0's partial sum; the question asks for channel 1's."),
        (equals(_seed_step(1, (2, 0)).patch[1].sum()),
         "That sums the whole patch: the slice keeps only one of its four numbers."),
    ),
    general_hint="That kernel slice keeps one number of the patch and drops the other three. Which one?",
))

# -- 03 · a 1×1 convolution --------------------------------------------------------
_MIX = np.array([[2, -1], [1, 3]])


def _mixed():
    return conv2d(examples.get("seed_1x1").input, _MIX[:, :, None, None])


register(Exercise(
    "pointwise_value", "03",
    givens="the seed's 1×1 input of notebook 03 (channel 0 is [[1, 2], [3, 4]], channel 1 is "
           "[[10, 20], [30, 40]]), a 1×1 layer with weight matrix [[2, −1], [1, 3]], no bias; "
           "output channel 1 at row 1, column 0",
    answer=lambda: _mixed()[1, 1, 0],
    solution=lambda: (f"pixel (1, 0) holds {examples.get('seed_1x1').input[:, 1, 0].tolist()}; "
                      f"row 1 of the weight matrix is {_MIX[1].tolist()}: "
                      f"{_MIX[1, 0]}·{examples.get('seed_1x1').input[0, 1, 0]} + "
                      f"{_MIX[1, 1]}·{examples.get('seed_1x1').input[1, 1, 0]} = {_mixed()[1, 1, 0]}"),
    mistakes=(
        (equals(_mixed()[0, 1, 0]), "You used row 0 of the weight matrix; output channel 1 uses row 1."),
        (equals(_mixed()[1, 0, 1]), "Row 1, column 0 is the bottom-left pixel: rows come first."),
    ),
    general_hint="A 1×1 layer reads one pixel: multiply that pixel's channel values by one row of the weight matrix, and add.",
))

# -- 04 · padding modes, even-kernel same, stride and dilation -----------------------
_SIGNAL, _BOX = [1, 2, 3, 4, 5], [1, 1, 1]


def _padded(mode):
    return conv1d(_SIGNAL, _BOX, padding=1, padding_mode=mode).tolist()


register(Exercise(
    "padding_mode", "04",
    givens="conv1d([1, 2, 3, 4, 5], [1, 1, 1], padding=1, padding_mode='reflect')",
    form="a list",
    answer=lambda: _padded("reflect"),
    solution=lambda: (f"reflect pads [{_SIGNAL[1]}] before and [{_SIGNAL[-2]}] after: "
                      f"windows summed give {_padded('reflect')}"),
    mistakes=(
        (equals(_padded("zeros")), "That is zero padding. Reflect mirrors the signal around its edge value."),
        (equals(_padded("replicate")), "That repeats the edge value (replicate). Reflect does not repeat the edge: it mirrors around it."),
        (equals(_padded("circular")), "That wraps around (circular). Reflect mirrors each end on itself."),
        (when(lambda g: isinstance(g, (list, tuple)) and len(g) != len(_SIGNAL), conv1d(_SIGNAL, _BOX).tolist()),
         "Padding 1 with a kernel of 3 keeps the length: one output per input number."),
    ),
    general_hint="Write out the padded signal first, then add each window of three.",
))
register(Exercise(
    "even_same", "04",
    givens="padding='same', kernel length 6, stride 1, dilation 1",
    form="a tuple (before, after)",
    answer=lambda: same_padding(6),
    solution=lambda: (f"total d(k − 1) = 1·(6 − 1) = {sum(same_padding(6))}, odd: "
                      f"{same_padding(6)[0]} before, {same_padding(6)[1]} after"),
    mistakes=(
        (equals(same_padding(6)[::-1]), "Right numbers, wrong sides: PyTorch puts the extra position after the input."),
        (when(lambda g: isinstance(g, (tuple, list)) and len(g) == 2 and same(sum(g), 6), (6 // 2, 6 // 2)),
         "The total is d(k − 1), not k: a window of k needs k − 1 extra positions to fit everywhere."),
        (when(lambda g: isinstance(g, (tuple, list)) and len(g) == 2 and g[0] == g[1], (same_padding(6)[0],) * 2),
         "The total d(k − 1) is odd here, so it cannot split evenly."),
    ),
    general_hint="The total padding is d(k − 1); when it is odd, one side gets one more.",
))
size_exercise(
    "stride_dilation", "04", "a 15×15 input, a 3×3 kernel, stride 2, dilation 2, no padding; the output's side",
    dict(n=15, k=3, stride=2, dilation=2), f"the dilated kernel spans 2·(3 − 1) + 1 = {2 * (3 - 1) + 1} positions; ", "",
    dict(dilation="Did you spread the taps? With dilation d a kernel of k spans d(k − 1) + 1 positions.",
         stride="Did you divide by the stride?"),
    [(equals(output_size(15, 3, stride=2, dilation=2) - 1), "Did you forget the +1 for the first position?")],
    "First the span of the dilated kernel, then how far it can travel, then the jumps.",
)

# -- 05 · parameters, with biases ----------------------------------------------------



register(Exercise(
    "parameters", "05",
    givens="nn.Conv2d(64, 128, kernel_size=3), bias included",
    answer=lambda: conv_parameters(64, 128, 3),
    solution=lambda: f"128·64·3·3 = {conv_parameters(64, 128, 3, bias=False)} weights + 128 biases = {conv_parameters(64, 128, 3)}",
    mistakes=(
        (equals(conv_parameters(64, 128, 3, bias=False)), "You left out the biases: one per output channel."),
        (equals(conv_parameters(64, 128, 3, bias=False) + 64), "There is one bias per output channel, not per input channel."),
        (equals(64 * 128 + 128), "Each filter holds a 3×3 slice per input channel: multiply by k·k too."),
    ),
    general_hint="Weights: C_out · (C_in / groups) · k · k; then one bias per output channel.",
))
register(Exercise(
    "group_parameters", "05",
    givens="nn.Conv2d(48, 96, kernel_size=3, groups=4), bias included",
    answer=lambda: conv_parameters(48, 96, 3, groups=4),
    solution=lambda: (f"each filter sees 48/4 = {48 // 4} channels; 96·(48/4)·3·3 = {conv_parameters(48, 96, 3, groups=4, bias=False)} weights "
                      f"+ 96 biases = {conv_parameters(48, 96, 3, groups=4)}"),
    mistakes=(
        (equals(conv_parameters(48, 96, 3, groups=4, bias=False)), "You left out the biases: one per output channel."),
        (equals(conv_parameters(48, 96, 3), conv_parameters(48, 96, 3, bias=False)),
         "Each filter only sees its own group's input channels: C_in / groups of them."),
        (equals(conv_parameters(48, 96, 3, groups=4, bias=False) + 96 // 4, conv_parameters(48, 96, 3, groups=4, bias=False) + 4),
         "Groups do not share biases: every output channel has its own."),
    ),
    general_hint="Weights: C_out · (C_in / groups) · k · k; then one bias per output channel.",
))


separable_exercise(
    "separable_parameters", "05",
    "a depthwise 3×3 layer on 24 channels, then a 1×1 layer from 24 to 40 channels, both with biases", (24, 40, 3),
    lambda: (f"depthwise 24·1·3·3 = {conv_parameters(24, 24, 3, groups=24, bias=False)} weights + 24 biases "
             f"= {conv_parameters(24, 24, 3, groups=24)}; pointwise 40·24 = "
             f"{conv_parameters(24, 40, 1, bias=False)} weights + 40 biases = {conv_parameters(24, 40, 1)}; "
             f"total {separable_parameters(24, 40, 3)}"),
)

# -- 06 · the im2col matrix ----------------------------------------------------------
register(Exercise(
    "im2col_shape", "06",
    givens="input (8, 20, 20), 32 filters of 3×3, padding 1, stride 1; one row per output position, as in notebook 06",
    form="a tuple (rows, columns)",
    answer=lambda: (output_size(20, 3, padding=1) ** 2, 8 * 3 * 3),
    solution=lambda: (f"rows: {explain_output_size(20, 3, padding=1)} per side, "
                      f"{output_size(20, 3, padding=1) ** 2} positions; columns: 8·3·3 = {8 * 3 * 3}"),
    mistakes=(
        (equals((8 * 3 * 3, output_size(20, 3, padding=1) ** 2)),
         "Rows and columns are swapped: in notebook 06 each row is one output position's patch."),
        (equals((output_size(20, 3) ** 2, 8 * 3 * 3)), "Did you use the padding? It decides how many output positions there are."),
        (when(lambda g: isinstance(g, (tuple, list)) and len(g) == 2 and g[1] == 32 * 3 * 3,
              (output_size(20, 3, padding=1) ** 2, 32 * 3 * 3)),
         "A row holds one patch: every input channel under the kernel. The number of filters does not enter."),
    ),
    general_hint="Rows: one per output position. Columns: the numbers in one patch, C_in · kH · kW.",
))

# -- 01 · the flip -------------------------------------------------------------------
_FX, _FH = [2, 1, 0, 3], [1, 2, 3]


def _convolve():
    flipped = conv1d(_FX, _FH[::-1]).tolist()
    assert flipped == np.convolve(_FX, _FH, mode="valid").tolist()
    return flipped


register(Exercise(
    "flip", "01",
    givens="np.convolve([2, 1, 0, 3], [1, 2, 3], mode='valid')",
    form="a list",
    answer=_convolve,
    solution=lambda: (f"the flipped kernel is {_FH[::-1]}: conv1d({_FX}, {_FH[::-1]}) = {_convolve()}; "
                      f"without the flip, conv1d gives {conv1d(_FX, _FH).tolist()}"),
    mistakes=(
        (equals(conv1d(_FX, _FH).tolist()), "That is deep learning's convolution, without the flip. np.convolve flips the kernel first."),
        (equals(_convolve()[::-1]), "Right numbers, wrong order: the first output comes from the first window."),
    ),
    general_hint="Reverse the kernel, then slide it as conv1d does.",
))

# -- 07 · an edge filter ---------------------------------------------------------------
_EDGE_IMAGE = np.array([[0, 0, 4, 4], [0, 0, 4, 4], [0, 2, 2, 2], [0, 2, 2, 2]])
_SOBEL_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])


def _edges():
    return conv2d(_EDGE_IMAGE, _SOBEL_X)


register(Exercise(
    "edge_value", "07",
    givens="the image [[0, 0, 4, 4], [0, 0, 4, 4], [0, 2, 2, 2], [0, 2, 2, 2]], the Sobel kernel "
           "[[−1, 0, 1], [−2, 0, 2], [−1, 0, 1]], no padding; output row 0, column 1",
    answer=lambda: _edges()[0, 1],
    solution=lambda: (f"window rows 0–2, columns 1–3; right column {_EDGE_IMAGE[0:3, 3].tolist()} minus left "
                      f"column {_EDGE_IMAGE[0:3, 1].tolist()}, weighted 1, 2, 1: {_edges()[0, 1]}"),
    mistakes=(
        (equals(-_edges()[0, 1]), "Wrong sign: the kernel is right column minus left column, and brightness rises to the right here."),
        (equals(_edges()[0, 0]), "That is column 0's window. Column 1's window starts one place to the right."),
        (equals((_EDGE_IMAGE[0:3, 3] - _EDGE_IMAGE[0:3, 1]).sum()), "The middle row of the kernel weighs 2, not 1."),
    ),
    general_hint="Lay the kernel on rows 0–2 and columns 1–3, multiply, add.",
))
