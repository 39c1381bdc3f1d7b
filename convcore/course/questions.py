"""The "Check yourself" questions that close notebooks 01–12.

They work like the exercises of notebook 13 (``convcore.course.exercises``), with the same
``Exercise`` record and the same checker: the learner types an answer into the cell under a
question and calls ``check``, which says ✓, or names the likely mistake without giving the answer.
Every answer is computed by convcore from the question's givens, and so is every planted mistake
(the answer without the padding, with the kernel flipped, ...). The answer with its working is
folded under the question in the notebook; ``working(name)`` computes the same working, and the
tests prove the folded text states these numbers.

>>> check("q01_outputs", None).startswith("Not answered yet")
True
>>> check("q01_outputs", QUESTIONS["q01_outputs"].answer()).startswith("✓")
True
"""
from __future__ import annotations

import functools

import numpy as np

from .. import examples, grad
from ..api import conv2d, explain_output_size, output_size, trace1d, trace2d
from ..causal import causal_padding, causal_layers, trace_causal_conv1d
from ..pooling import avg_pool1d, max_pool1d, pool_output_size
from ..receptive import receptive_field
from ..network import DIGITS_CNN, Network
from ..transpose import conv_transpose1d, transpose_output_size
from . import exercises
from .exercises import TRANSPOSED_SIZE, Exercise, equals, same, separable_exercise, size_exercise, when, conv_parameters, separable_parameters

QUESTIONS: dict[str, Exercise] = {}


def _ask(q: Exercise) -> None:
    exercises.register(q, QUESTIONS)


def check(name: str, given) -> str:
    """``✓`` for a right answer; otherwise a hint that never states the answer."""
    return exercises.check(name, given, QUESTIONS)


def working(name: str) -> str:
    """The answer with its working, numbers filled in, as the sentences the notebook folds
    under the question: each solution is written as a clause that ends on the answer."""
    text = QUESTIONS[name].solution()
    return text[0].upper() + text[1:] + "."


def _pair(g) -> bool:
    return isinstance(g, (tuple, list)) and len(g) == 2


def _taps(step) -> list[int]:
    """The input positions a 1-D step's window reads."""
    return [tap.coords[0] for tap in step.window]


# == 01 · conv1d ====================================================================
size_exercise(
    "q01_outputs", "01", "input length 10, kernel length 3, stride 2, padding 1",
    dict(n=10, k=3, stride=2, padding=1), "with n = 10, k = 3, s = 2, p = 1 and d = 1, n_out = ", " outputs",
    dict(padding="Did you add the padding? It goes on both ends: 2p.",
         stride="Did you divide by the stride? The window jumps s places at a time."),
    [(equals(-(-(10 + 2 - 3) // 2) + 1), "The division rounds down: a window that would run past the end does not count.")],
    "Count the window's positions: (n + 2p − d(k − 1) − 1) ÷ s, rounded down, plus 1.", QUESTIONS,
)


def _dilated_taps(dilation):
    return _taps(trace1d(np.arange(10), [1, 1, 1], dilation=dilation)[0])


_ask(Exercise(
    "q01_dilated", "01", givens="a kernel of 3 taps, dilation 3, no padding; the input positions its first output reads",
    form="a list", answer=lambda: _dilated_taps(3),
    solution=lambda: (f"without padding the first window starts at position 0, and its taps sit d = 3 apart: "
                      f"positions {_dilated_taps(3)}"),
    mistakes=(
        (equals(_dilated_taps(1)), "Those are neighbours: dilation spreads the taps apart."),
        (equals(_dilated_taps(2)), "That is dilation 2's spacing; here the taps are further apart."),
        (equals(_dilated_taps(4)), "Dilation d puts the taps d positions apart, so d − 1 positions are skipped between them, not d."),
    ),
    general_hint="Dilation d puts the kernel's taps d positions apart; the first window starts where the signal does.",
))


def _multi_parameters(bias=True):
    layer = examples.get("multichannel_conv1d")
    return layer.weight.size + (layer.bias.size if bias else 0)


_ask(Exercise(
    "q01_parameters", "01",
    givens="the layer of the multichannel example (2 input channels, 2 output channels, kernel length 3, "
           "with a bias): its learnable numbers",
    answer=lambda: _multi_parameters(),
    solution=lambda: (f"the weight (2, 2, 3) holds 2·2·3 = {_multi_parameters(bias=False)} numbers and the bias "
                      f"one per output channel, 2: {_multi_parameters(bias=False)} + 2 = {_multi_parameters()}"),
    mistakes=(
        (equals(_multi_parameters(bias=False)), "You left out the biases: one per output channel."),
        (equals(2 * 3 + 2), "Each output channel has one kernel row per input channel, not one row in all."),
        (equals(_multi_parameters(bias=False) + 1), "There is one bias per output channel, not one for the layer."),
    ),
    general_hint="The weight is (C_out, C_in, K); add one bias per output channel.",
))

# == 02 · conv2d with channels =====================================================
_SEED = examples.get("seed_conv2d")


def _seed_trace(bias=None):
    return trace2d(_SEED.input, _SEED.weight, bias=bias)


def _multiplications():
    return sum(step.products.size for step in _seed_trace())


_C_OUT, _C_IN, _KH, _KW = _SEED.weight.shape

_ask(Exercise(
    "q02_multiplications", "02", givens="the seed's layer: input (2, 4, 4), weight (3, 2, 2, 2), no padding; "
                                        "how many multiplications in all",
    answer=_multiplications,
    solution=lambda: (f"the output has {len(_seed_trace())} elements, and each multiplies a 2×2 patch by its "
                      f"slice on each of the {_C_IN} input channels: {len(_seed_trace())} × {_C_IN} × "
                      f"{_KH * _KW} = {_multiplications()} multiplications"),
    mistakes=(
        (equals(_multiplications() // _C_IN), "Each output element multiplies a patch on every input channel, not one."),
        (equals(_multiplications() // _C_OUT), "There are 3 output channels: each has its own output elements."),
        (equals(_multiplications() // (_KH * _KW)), "Each patch holds kH · kW numbers, and each is multiplied."),
    ),
    general_hint="Count the output elements, then the products each one needs: one per input channel and per tap.",
))

_BIASED = [5, 0, 0]


def _biased_value():
    return conv2d(_SEED.input, _SEED.weight, bias=_BIASED)[0, 0, 0]


_ask(Exercise(
    "q02_bias", "02", givens="the seed's layer with bias [5, 0, 0]; output channel 0 at row 0, column 0",
    answer=_biased_value,
    solution=lambda: (f"the partial sums, {' and '.join(map(str, _seed_trace()[0].partial_sums.tolist()))}, do "
                      f"not change, and the bias is added once, after them: "
                      f"{' + '.join(map(str, _seed_trace()[0].partial_sums.tolist()))} + 5 = {_biased_value()}"),
    mistakes=(
        (equals(_seed_trace()[0].value), "That is the value without the bias: the bias is added to every output of its channel."),
        (equals(_seed_trace()[0].value + 5 * _C_IN), "The bias is added once per output element, not once per input channel."),
    ),
    general_hint="Work out the two partial sums of that window, add them, then add output channel 0's bias.",
))


def _products_sum(step, channel) -> str:
    """``a·b + c·d + … = total``: one channel's products of a 2-D step, then their sum."""
    terms = [f"{p}·{k}" if k >= 0 else f"{p}·({k})"
             for p, k in zip(step.patch[channel].ravel().tolist(), step.kernel[channel].ravel().tolist())]
    return " + ".join(terms) + f" = {step.partial_sums[channel]}"


def _step_1_12():
    return _seed_trace().step_at(1, (1, 2))


_ask(Exercise(
    "q02_partial", "02",
    givens="the seed's layer; input channel 0's partial sum for output channel 1 at row 1, column 2",
    answer=lambda: _step_1_12().partial_sums[0],
    solution=lambda: (f"input channel 0's patch at row 1, column 2 is {_step_1_12().patch[0].tolist()} and output "
                      f"channel 1's slice for it is {_step_1_12().kernel[0].tolist()}; multiplied number by number "
                      f"and added: {_products_sum(_step_1_12(), 0)}"),
    mistakes=(
        (equals(_step_1_12().value), "That is the whole output value: only input channel 0's part was asked for."),
        (equals(_step_1_12().partial_sums[1]), "That is input channel 1's partial sum; the question asks for channel 0's."),
        (equals(_step_1_12().patch[0].sum()), "That sums the whole patch: multiply each number by its weight first."),
    ),
    general_hint="Find the 2×2 window at row 1, column 2 on input channel 0 and multiply it by output channel 1's slice for it.",
))

# == 03 · 1×1 convolution ===========================================================
_ask(Exercise(
    "q03_parameters", "03", givens="a 1×1 layer from (64, 28, 28) to (128, 28, 28), with biases",
    answer=lambda: conv_parameters(64, 128, 1),
    solution=lambda: (f"the weight is a 128 × 64 matrix, {conv_parameters(64, 128, 1, bias=False)} numbers, and "
                      f"there is one bias per output channel: {conv_parameters(64, 128, 1, bias=False)} + 128 = "
                      f"{conv_parameters(64, 128, 1)} parameters"),
    mistakes=(
        (equals(conv_parameters(64, 128, 1, bias=False)), "You left out the biases: one per output channel."),
        (equals(conv_parameters(64, 128, 1, bias=False) + 64), "There is one bias per output channel, not per input channel."),
        (equals(conv_parameters(64, 128, 1) * 28 * 28, conv_parameters(64, 128, 1, bias=False) * 28 * 28),
         "The same weights serve every pixel: the image size does not enter."),
    ),
    general_hint="A 1×1 layer is a C_out × C_in matrix of weights, plus one bias per output channel.",
))


def _grey_shape():
    rgb = np.arange(3 * 2 * 2, dtype=float).reshape(3, 2, 2)
    weight = np.full((1, 3, 1, 1), 1 / 3)
    assert np.allclose(conv2d(rgb, weight)[0], rgb.mean(axis=0))     # it does give the grey
    return weight.shape


_ask(Exercise(
    "q03_grey", "03", givens="a 1×1 layer that turns a (3, H, W) RGB image into its (1, H, W) average grey: "
                             "its weight's shape", form="a tuple",
    answer=_grey_shape,
    solution=lambda: (f"one output channel, 3 input channels and a 1×1 kernel give the shape {_grey_shape()}; "
                      f"each of the 3 weights is 1/3"),
    mistakes=(
        (equals((3, 1, 1, 1)), "A weight is (C_out, C_in, kH, kW): the output channels come first."),
        (when(lambda g: isinstance(g, (tuple, list)) and len(g) == 2, (1, 3)), "A conv2d weight has 4 axes: (C_out, C_in, kH, kW)."),
        (when(lambda g: isinstance(g, (tuple, list)) and len(g) == 3, (1, 1, 3)), "A conv2d weight has 4 axes, the output channels first."),
    ),
    general_hint="Write the weight as (C_out, C_in, kH, kW).",
))


def _pointwise_macs():
    """Multiply-adds of a 1×1 layer from 64 to 128 channels on 28×28: the products of one
    output element (a trace step), times the output elements."""
    step = trace2d(np.zeros((64, 28, 28)), np.zeros((128, 64, 1, 1)))
    return len(step) * step[0].products.size


_ask(Exercise(
    "q03_macs", "03", givens="the same 1×1 layer, 64 to 128 channels, on a 28×28 image: its multiply-adds",
    answer=_pointwise_macs,
    solution=lambda: (f"the output has 28 · 28 · 128 = {28 * 28 * 128} elements, and each is a sum of 64 products, "
                      f"one per input channel: {28 * 28 * 128} · 64 = {_pointwise_macs()} multiply-adds"),
    mistakes=(
        (equals(conv_parameters(64, 128, 1, bias=False)), "That is the number of weights: each is used at every pixel."),
        (equals(28 * 28 * 128), "That counts the output elements; each takes one multiply-add per input channel."),
        (equals(28 * 28 * 64), "Each of the 128 output channels does its own multiply-adds."),
    ),
    general_hint="Output elements (H · W · C_out), each a sum of C_in products.",
))

# == 04 · padding, stride, dilation =================================================
def _keeping_padding():
    return next(p for p in range(12) if output_size(32, 5, padding=p, dilation=2) == 32)


_ask(Exercise(
    "q04_keep", "04",
    givens="a 32×32 input, a 5×5 kernel with dilation 2, stride 1: the padding at each end that keeps 32×32",
    answer=_keeping_padding,
    solution=lambda: (f"the kernel spans d(k − 1) + 1 = 2·4 + 1 = 9 positions, so keeping the size takes "
                      f"d(k − 1) = 8 extra positions, half at each end: p = {_keeping_padding()}. Check: "
                      f"{explain_output_size(32, 5, padding=_keeping_padding(), dilation=2)}"),
    mistakes=(
        (equals(next(p for p in range(12) if output_size(32, 5, padding=p) == 32)),
         "That is the padding without dilation: with d = 2 the kernel spans more positions."),
        (equals(2 * (5 - 1)), "That is the total; padding p goes on both ends, so each end gets half."),
        (equals(2 * 5 // 2), "The extra positions are d(k − 1), not d·k."),
    ),
    general_hint="With stride 1 the output size is n + 2p − d(k − 1): make it equal n.",
))

size_exercise(
    "q04_size", "04", "a 28×28 input, a 3×3 kernel, stride 2, padding 1: the output's side",
    dict(n=28, k=3, stride=2, padding=1), "the output's side is n_out = ",
    f": the output is {output_size(28, 3, stride=2, padding=1)}×{output_size(28, 3, stride=2, padding=1)}",
    dict(padding="Did you add the padding (2p, both ends), and the +1 for the first window?",
         stride="Did you divide by the stride?"),
    [(equals(output_size(28, 3, stride=2, padding=1) + 1), "The division rounds down: a window that would run past the end does not count.")],
    "⌊(n + 2p − d(k − 1) − 1) ÷ s⌋ + 1.", QUESTIONS,
)


def _wide_trace():
    return trace1d(np.arange(5), [1, 1, 1], stride=2, padding=3)


def _padding_only():
    """The windows of n = 5, k = 3, stride 2, padding 3 that read nothing but padding."""
    return [k for k, step in enumerate(_wide_trace()) if all(tap.in_padding for tap in step.window)]


_ask(Exercise(
    "q04_wide", "04",
    givens="a signal of length 5, kernel 3, stride 2 and padding 3 (lengths equal, as padding='same' would want): "
           "the windows, counted from 0, that read nothing but padding",
    form="a list", answer=_padding_only,
    solution=lambda: (f"there are {explain_output_size(5, 3, stride=2, padding=3)} windows, and they read "
                      "positions " + ", ".join(str(_taps(step)) for step in _wide_trace())
                      + f". The signal is positions 0 to 4, so the windows that read only padding are "
                      f"{_padding_only()}"),
    mistakes=(
        (equals([]), "Place the windows: the first starts p positions before the signal."),
        (equals(_padding_only()[:1]), "Look at both ends: the padding is as wide at the end as at the start."),
    ),
    general_hint="Window i starts at i·s − p; list the windows and the positions each reads.",
))

# == 05 · groups and depthwise ======================================================
def _group_weight_shape(c_in=64, c_out=64, k=3, groups=8):
    shape = (c_out, c_in // groups, k, k)
    conv2d(np.zeros((c_in, k, k)), np.zeros(shape), groups=groups)      # convcore accepts it
    return shape


_ask(Exercise(
    "q05_shape", "05", givens="nn.Conv2d(64, 64, kernel_size=3, groups=8): its weight's shape", form="a tuple",
    answer=_group_weight_shape,
    solution=lambda: (f"each filter reads only its own group's 64 / 8 = {64 // 8} input channels, so the weight, "
                      f"(C_out, C_in / G, kH, kW), is {_group_weight_shape()}"),
    mistakes=(
        (equals((64, 64, 3, 3)), "That is the ungrouped weight: each filter only reads its own group's channels."),
        (equals((8, 64, 3, 3), (8, 8, 3, 3)), "The first axis is still one filter per output channel."),
    ),
    general_hint="(C_out, C_in / groups, kH, kW).",
))


def _accepted_groups(c_in=12, c_out=8):
    """The group counts from 1 to 12 that convcore accepts for a layer from c_in to c_out channels."""
    ok = []
    for groups in range(1, 13):
        try:
            conv2d(np.zeros((c_in, 3, 3)), np.zeros((c_out, max(c_in // groups, 1), 1, 1)), groups=groups)
            ok.append(groups)
        except ValueError:
            pass
    return ok


_ask(Exercise(
    "q05_groups", "05", givens="a layer from 12 to 8 channels: the values of groups from 1 to 12 that work",
    form="a list", answer=_accepted_groups,
    solution=lambda: (f"both the 12 input channels and the 8 output channels are cut into G equal groups, "
                      f"so G must divide both: {_accepted_groups()}"),
    mistakes=(
        (equals([g for g in range(1, 13) if 12 % g == 0]), "Those divide C_in; the output channels are cut into groups too."),
        (equals([g for g in range(1, 13) if 8 % g == 0]), "Those divide C_out; the input channels are cut into groups too."),
    ),
    general_hint="Both the input and the output channels are cut into that many equal groups.",
))


separable_exercise(
    "q05_separable", "05",
    "a depthwise-separable block from 32 to 64 channels with 3×3 kernels, biases included: its parameters", (32, 64, 3),
    lambda: (f"the depthwise 3×3 layer has 32·9 weights and 32 biases, {conv_parameters(32, 32, 3, groups=32)}; "
             f"the pointwise 1×1 layer 64·32 weights and 64 biases, {conv_parameters(32, 64, 1)}; together "
             f"{conv_parameters(32, 32, 3, groups=32)} + {conv_parameters(32, 64, 1)} = "
             f"{separable_parameters(32, 64, 3)} parameters"),
    QUESTIONS,
)

# == 06 · convolution as a matrix product ===========================================
def _im2col_shape():
    trace = trace2d(np.zeros((3, 32, 32)), np.zeros((16, 3, 5, 5)))
    positions = len(trace) // 16                       # one step per output element, 16 channels
    return positions, trace[0].patch.size


_ask(Exercise(
    "q06_im2col", "06", givens="a (3, 32, 32) input, 16 filters of 5×5, no padding: the im2col matrix's shape, "
                               "one row per output position", form="a tuple (rows, columns)",
    answer=_im2col_shape,
    solution=lambda: (f"the output is {output_size(32, 5)}×{output_size(32, 5)}, so X has {output_size(32, 5)}·"
                      f"{output_size(32, 5)} = {_im2col_shape()[0]} rows, one per output position, and each row holds "
                      f"a patch of 3·5·5 = {_im2col_shape()[1]} numbers: {_im2col_shape()}"),
    mistakes=(
        (equals(_im2col_shape()[::-1]), "Rows and columns are swapped: each row is one output position's patch."),
        (when(lambda g: _pair(g) and same(g[0], 32 * 32), (32 * 32, _im2col_shape()[1])), "The kernel does not fit at every input position without padding."),
        (when(lambda g: _pair(g) and same(g[1], 5 * 5), (_im2col_shape()[0], 5 * 5)), "A patch holds the window on every input channel."),
        (when(lambda g: _pair(g) and same(g[0], _im2col_shape()[0] * 16), (_im2col_shape()[0] * 16, _im2col_shape()[1])), "The rows are positions; the filters come in with the weight matrix."),
    ),
    general_hint="Rows: one per output position. Columns: the numbers in one patch, C_in · kH · kW.",
))

_ask(Exercise(
    "q06_weights", "06", givens="the same layer: the weight matrix's shape in this notebook's layout", form="a tuple",
    answer=lambda: np.zeros((16, 3, 5, 5)).reshape(16, -1).T.shape,
    solution=lambda: (f"W has one row per number of a patch, 3·5·5 = 75, to match X's columns, and one column "
                      f"per filter: {np.zeros((16, 3, 5, 5)).reshape(16, -1).T.shape}"),
    mistakes=(
        (equals((16, 3 * 5 * 5)), "Rows and columns are swapped: X @ W needs W's rows to match X's columns."),
        (when(lambda g: _pair(g) and same(g[0], 5 * 5), (5 * 5, 16)), "A filter holds a slice per input channel."),
    ),
    general_hint="X @ W: W has as many rows as X has columns, and one column per filter.",
))


def _matmul_macs():
    rows, cols = _im2col_shape()
    return rows * cols * 16


_ask(Exercise(
    "q06_macs", "06", givens="the same layer: the multiply-adds of the product X @ W",
    answer=_matmul_macs,
    solution=lambda: (f"each of the {_im2col_shape()[0]} × 16 outputs is a row of X times a column of W, "
                      f"{_im2col_shape()[1]} multiply-adds: {_im2col_shape()[0]} × {_im2col_shape()[1]} × 16 = "
                      f"{_matmul_macs()}"),
    mistakes=(
        (equals(_im2col_shape()[0] * _im2col_shape()[1]), "That is the size of X; each number of it meets every filter."),
        (equals(_im2col_shape()[0] * 16), "That counts the outputs; each is a sum over a whole patch."),
    ),
    general_hint="Each of the outputs (positions × filters) is the dot product of one row of X and one column of W.",
))

# == 07 · a real image ===============================================================
_ask(Exercise(
    "q07_parameters", "07", givens="the bank of 4 filters as nn.Conv2d(3, 4, kernel_size=3), with its biases",
    answer=lambda: conv_parameters(3, 4, 3),
    solution=lambda: (f"4 filters, each a 3×3 slice for each of the 3 colours: 4 · 3 · 3 · 3 = "
                      f"{conv_parameters(3, 4, 3, bias=False)} weights, plus 4 biases: {conv_parameters(3, 4, 3)}"),
    mistakes=(
        (equals(conv_parameters(3, 4, 3, bias=False)), "You left out the biases: one per output channel."),
        (equals(4 * 3 * 3 + 4), "Each filter has a 3×3 slice per colour channel."),
        (equals(conv_parameters(3, 4, 3, bias=False) + 3), "There is one bias per output channel, not per colour."),
    ),
    general_hint="C_out · C_in · kH · kW weights, then one bias per output channel.",
))


def _corner_taps():
    """Numbers the blur's top-left window reads from the photo, not the padding (64×64, padding 1)."""
    step = trace2d(np.ones((3, 64, 64)), np.full((1, 3, 3, 3), 1 / 27), padding=1)[0]
    return int(step.patch.size - np.count_nonzero([tap.in_padding for tap in step.window]) * 3)


_ask(Exercise(
    "q07_corner", "07",
    givens="the blur (a 3×3 window on each of the 3 colours, 27 weights of 1/27, padding 1) at the top-left "
           "corner, output (0, 0): how many of the "
           "27 numbers it reads come from the photo, not the padding",
    answer=_corner_taps,
    solution=lambda: (f"padding 1 puts the window's top row and left column outside the photo, so only its "
                      f"bottom-right 2×2 corner lies on it, on each of the 3 colours: 4 · 3 = {_corner_taps()}"),
    mistakes=(
        (equals(_corner_taps() // 3), "Count all 3 colour channels."),
        (equals(27), "Padding 1 puts the window's top row and left column outside the photo."),
        (equals(9 - 4), "Those are the padding positions; the question asks for the ones on the photo."),
    ),
    general_hint="Place the 3×3 window one row above and one column left of the photo, on each colour.",
))

def _maps_shape(padding=0):
    return conv2d(np.zeros((3, 64, 64)), np.zeros((4, 3, 3, 3)), padding=padding).shape


_ask(Exercise(
    "q07_shape", "07", givens="the bank of 4 filters (3×3) on the (3, 64, 64) photo without padding: the feature maps' shape",
    form="a tuple", answer=_maps_shape,
    solution=lambda: (f"there is one map per filter, and each side is n_out = {explain_output_size(64, 3)}: "
                      f"{_maps_shape()}"),
    mistakes=(
        (equals(_maps_shape(padding=1)), "That is with padding 1, as in the notebook; without it the kernel cannot hang over the edge."),
        (when(lambda g: isinstance(g, (tuple, list)) and len(g) == 3 and same(g[0], 3), (3,) + _maps_shape()[1:]), "There is one feature map per filter, not per colour."),
    ),
    general_hint="(C_out, H_out, W_out): one map per filter, each side n − (k − 1).",
))

# == 08 · transposed convolution ====================================================
size_exercise(
    "q08_length", "08", "a transposed convolution, input length 5, kernel 4, stride 2, padding 1: its output length",
    dict(n=5, k=4, stride=2, padding=1),
    "the output's length is n_out = (n − 1)·s − 2p + d(k − 1) + output_padding + 1 = ", "",
    dict(padding="Padding crops a transposed convolution's output: subtract 2p."),
    [(equals(output_size(5, 4, stride=2, padding=1)), "That is the forward convolution's size; the transposed one grows."),
     (equals(transpose_output_size(5, 4, stride=2, padding=1) + 1), "Only the stamps' span counts: (n − 1)·s + k, then the crop.")],
    "(n − 1)·s − 2p + d(k − 1) + output_padding + 1.", QUESTIONS, TRANSPOSED_SIZE,
)

def _transpose_weight_shape(c_in, c_out, k):
    shape = (c_in, c_out, k)
    assert conv_transpose1d(np.zeros((c_in, 5)), np.zeros(shape)).shape[0] == c_out     # convcore reads it so
    return shape


_ask(Exercise(
    "q08_shape", "08", givens="nn.ConvTranspose1d(4, 7, kernel_size=3): its weight's shape", form="a tuple",
    answer=lambda: _transpose_weight_shape(4, 7, 3),
    solution=lambda: (f"each input channel stamps a slice of 7 output channels, so the weight is "
                      f"(C_in, C_out, k), input channels first, the other way round from nn.Conv1d: "
                      f"{_transpose_weight_shape(4, 7, 3)}"),
    mistakes=(
        (equals((7, 4, 3)), "That is conv1d's layout. A transposed convolution's weight puts the input channels first."),
    ),
    general_hint="Each input element stamps C_out channels: the weight is (C_in, C_out, k).",
))


def _flat_kernels(stride=3, sizes=range(2, 10)):
    """Kernel sizes whose stamps, stride apart, cover every interior position equally often."""
    flat = []
    for k in sizes:
        out = conv_transpose1d(np.ones(12, dtype=int), np.ones(k, dtype=int), stride=stride)
        if len(set(out[k:-k].tolist())) == 1:
            flat.append(k)
    return flat


_ask(Exercise(
    "q08_flat", "08",
    givens="stride 3, a flat input and a flat kernel: the kernel sizes from 2 to 9 whose output is flat inside",
    form="a list", answer=_flat_kernels,
    solution=lambda: (f"the stamps start 3 apart, so they cover every inner position equally often exactly when "
                      f"3 divides k: {_flat_kernels()}"),
    mistakes=(
        (equals(_flat_kernels(stride=2, sizes=range(2, 10))), "Those suit stride 2: here the stamps start further apart."),
        (when(lambda g: isinstance(g, (list, tuple)) and len(g) > 0 and all(same(k % 3, 0) for k in g)
              and not same(g, _flat_kernels()), _flat_kernels()[:-1]), "Right idea; check every size up to the last."),
    ),
    general_hint="Each interior position is covered by k / s stamps when s divides k; otherwise some get one more.",
))

_TX, _TH = [2, -1, 1], [1, 2, 3]

_ask(Exercise(
    "q08_value", "08", givens="conv_transpose1d([2, -1, 1], [1, 2, 3], stride=2)", form="a list",
    answer=lambda: conv_transpose1d(_TX, _TH, stride=2).tolist(),
    solution=lambda: (f"the stamps, value × kernel, are " + ", ".join(str((v * np.array(_TH)).tolist()) for v in _TX)
                      + f"; they start 2 apart, at positions 0, 2 and 4, and add where they overlap: "
                      f"{conv_transpose1d(_TX, _TH, stride=2).tolist()}"),
    mistakes=(
        (equals(conv_transpose1d(_TX, _TH[::-1], stride=2).tolist()), "The stamp is value × kernel, not flipped."),
        (equals(conv_transpose1d(_TX, _TH).tolist()), "Each stamp starts s places after the previous one, and here the stride is not 1."),
        (when(lambda g: isinstance(g, (list, tuple)) and len(g) != len(conv_transpose1d(_TX, _TH, stride=2)), [2, 4, 5]),
         "The output spans (n − 1)·s + k positions."),
    ),
    general_hint="Each input element stamps value × kernel, s places after the previous one; overlaps add.",
))

# == 09 · the backward pass =========================================================
_G = _SEED.run() - 20                                   # g = y − 20, as in notebook 09


def _input_products():
    return len(grad.trace_conv2d_input_grad(_SEED.input.shape, _SEED.weight, _G).step_at(0, (1, 1)))


_ask(Exercise(
    "q09_products", "09", givens="the seed's layer, g = y − 20: how many products add up into the gradient of x[0, 1, 1]",
    answer=_input_products,
    solution=lambda: (f"the input element x[0, 1, 1] sits under each of the 4 taps of the 2×2 kernel in one window, so 4 windows read "
                      f"it, in each of the 3 output channels: 4 · 3 = {_input_products()} products"),
    mistakes=(
        (equals(_input_products() // 3), "That is one output channel; each of the 3 reads x[0, 1, 1]."),
        (equals(2 * 3), "x[0, 1, 1] is inside the image, not on its edge: more windows read it than x[0, 0, 1]."),
        (equals(9), "That is a weight's count: every weight meets every output position."),
    ),
    general_hint="Count the windows that read x[0, 1, 1], in every output channel.",
))


def _bias_grad():
    return grad.conv2d_bias(np.ones_like(_SEED.run())).tolist()


_ask(Exercise(
    "q09_bias", "09", givens="the seed's layer with the loss L = sum(y), so g is 1 everywhere: the bias gradient",
    form="a list", answer=_bias_grad,
    solution=lambda: (f"each bias is added once to each of its channel's 3·3 = 9 outputs, with g = 1 at each: "
                      f"{_bias_grad()}"),
    mistakes=(
        (equals([1, 1, 1]), "A bias is added to every output of its channel, so its gradient sums g over all of them."),
        (when(lambda g: isinstance(g, (list, tuple)) and len(g) == 1, [9]), "There is one bias per output channel."),
    ),
    general_hint="dL/db_o is the sum of g over output channel o.",
))


_G10 = _SEED.run() - 10                                 # the target 10 instead: g = y − 10


def _weight_step(g, o=1):
    return grad.trace_conv2d_weight_grad(_SEED.input, _SEED.weight.shape, g).step_at(o, 0, (0, 0))


def _weight_products() -> str:
    """``g·x + … = total``: the products that add up into w[1, 0, 0, 0]'s gradient, g = y − 10."""
    terms = [f"{t.grad_output_value}·{t.other_value}" if t.grad_output_value >= 0 else f"({t.grad_output_value})·{t.other_value}"
             for t in _weight_step(_G10).terms]
    return " + ".join(terms) + f" = {_weight_step(_G10).value}"


_ask(Exercise(
    "q09_weight", "09", givens="the seed's layer, g = y − 10 (the target 10): the gradient of w[1, 0, 0, 0]",
    answer=lambda: _weight_step(_G10).value,
    solution=lambda: (f"at output (1, i, j), tap (0, 0) of input channel 0 multiplies x[0, i, j], so the gradient "
                      f"adds the 9 products g[1, i, j] · x[0, i, j], one per output position, with g = y − 10: "
                      f"{_weight_products()}"),
    mistakes=(
        (equals(_weight_step(_SEED.run() - 20).value), "That is the gradient for the target 20: here g = y − 10."),
        (equals(_weight_step(_G10, o=0).value),
         "That is w[0, 0, 0, 0]'s gradient: this weight belongs to output channel 1, so it meets g[1]."),
        (equals(int(_G10[1].sum())), "Multiply each g[1, i, j] by the input number this tap read there."),
    ),
    general_hint="Sum g[1, i, j] · x[0, i, j] over the 9 output positions (tap (0, 0) reads x[0, i, j]), with g = y − 10.",
))

# == 10 · pooling and receptive fields ==============================================
_PX = [2, 7, 7, 1, 0, 3]


def _pool_indices():
    return max_pool1d(_PX, 2, stride=1, return_indices=True)[1].tolist()


_ask(Exercise(
    "q10_indices", "10", givens="max_pool1d([2, 7, 7, 1, 0, 3], 2, stride=1, return_indices=True): the indices",
    form="a list", answer=_pool_indices,
    solution=lambda: (f"the windows' largest values are {max_pool1d(_PX, 2, stride=1).tolist()}; in the window "
                      f"7, 7 (positions 1 and 2) the first 7 wins, so the indices are {_pool_indices()}"),
    mistakes=(
        (equals([i + int(_PX[i + 1] >= _PX[i]) for i in range(len(_PX) - 1)]), "A tie: the first largest value wins, not the last."),
        (equals([i - k for k, i in enumerate(_pool_indices())]), "The indices count through the whole input, not inside the window."),
        (equals(max_pool1d(_PX, 2, stride=1).tolist()), "Those are the values; return_indices also gives where each one sits."),
    ),
    general_hint="For each window, where its largest value sits in the input; a tie goes to the first.",
))

_ask(Exercise(
    "q10_divisor", "10", givens="avg_pool1d([4, 0, 2], 2, padding=1, count_include_pad=False)", form="a list",
    answer=lambda: avg_pool1d([4, 0, 2], 2, padding=1, count_include_pad=False).tolist(),
    solution=lambda: (f"the windows are (padding, 4) and (0, 2). Without the padding in the divisor, the first "
                      f"divides 4 by 1 and the second 0 + 2 by 2: "
                      f"{avg_pool1d([4, 0, 2], 2, padding=1, count_include_pad=False).tolist()} "
                      f"(with it: {avg_pool1d([4, 0, 2], 2, padding=1).tolist()})"),
    mistakes=(
        (equals(avg_pool1d([4, 0, 2], 2, padding=1).tolist()), "That counts the padding in the divisor, the default."),
        (equals(avg_pool1d([4, 0, 2], 2).tolist()), "Did you use the padding? It moves the first window one place left."),
    ),
    general_hint="Place the windows (the padding shifts them left), add the values in the signal, divide by how many.",
))

_ask(Exercise(
    "q10_ceil", "10", givens="a signal of length 7 and max_pool1d(..., 2, ceil_mode=True): the number of outputs",
    answer=lambda: pool_output_size(7, 2, ceil_mode=True),
    solution=lambda: (f"the stride is the kernel size, 2, and (7 − 2) / 2 rounded up, plus 1, gives "
                      f"{pool_output_size(7, 2, ceil_mode=True)} outputs (rounded down: {pool_output_size(7, 2)}); "
                      f"the extra window starts at 6, inside the signal, and reads only position 6"),
    mistakes=(
        (equals(pool_output_size(7, 2)), "That is floor mode: ceil_mode rounds the division up."),
        (equals(7), "The window jumps 2 places at a time (the stride defaults to the kernel size)."),
    ),
    general_hint="⌈(n − k) / s⌉ + 1, with s = k by default, unless that window would start past the end.",
))

_STRIDES = (1, 2, 1)


def _stack_field(strides=_STRIDES):
    return receptive_field([dict(kernel_size=3, stride=s) for s in strides])


_ask(Exercise(
    "q10_stack", "10",
    givens="three stacked 3×3 convolutions, the second with stride 2 and the others with stride 1: "
           "the receptive field's side",
    answer=lambda: _stack_field().size,
    solution=lambda: (f"layer 1 sees {_stack_field().layers[0].size} input positions, layer 2 sees "
                      f"{_stack_field().layers[1].size}; layer 2's stride makes the jump {_stack_field().layers[1].jump}, "
                      f"so the taps of layer 3 are 2 input positions apart and it adds (3 − 1)·2 = 4: "
                      f"{_stack_field().layers[1].size} + 4 = {_stack_field().size}"),
    mistakes=(
        (equals(_stack_field((1, 1, 1)).size), "The stride of layer 2 spreads the inputs of layer 3 apart: "
         "layer 3's taps are 2 input positions apart."),
        (equals(_stack_field((2, 1, 1)).size), "A stride stretches only the layers above it, not its own window."),
    ),
    general_hint="r_l = r_(l−1) + (k_l − 1)·j_(l−1), and the jump j_l = j_(l−1)·s_l, starting from r_0 = j_0 = 1.",
))

# == 11 · convolutions over time ====================================================
_ask(Exercise(
    "q11_padding", "11", givens="a causal layer with kernel 3 and dilation 4: the zeros on the left",
    answer=lambda: causal_padding(3, dilation=4),
    solution=lambda: (f"everything the kernel reaches back goes on the left: d·(k − 1) = 4·(3 − 1) = "
                      f"{causal_padding(3, dilation=4)} zeros"),
    mistakes=(
        (equals(3 - 1), "With dilation the kernel spans d·(k − 1) + 1 positions."),
        (equals(4 * 3), "The kernel spans d·(k − 1) + 1 positions, and the output's own time is one of them."),
        (equals(causal_padding(3, dilation=4) // 2), "Causal padding goes on the left only, all of it."),
    ),
    general_hint="Everything the kernel reaches back, d·(k − 1), goes on the left.",
))


def _causal_reads():
    return _taps(trace_causal_conv1d(np.arange(12.), [1., 1., 1.], dilation=4)[10])


_ask(Exercise(
    "q11_reads", "11", givens="the same layer: the inputs that output 10 reads", form="a list",
    answer=_causal_reads,
    solution=lambda: (f"the window ends at t and its taps sit d = 4 apart, so output t reads t − 8, t − 4 and t: "
                      f"for t = 10, inputs {_causal_reads()}"),
    mistakes=(
        (equals([10 - 2, 10 - 1, 10]), "The taps are d = 4 apart."),
        (equals([10 - 4, 10, 10 + 4]), "A causal layer never reads the future: its window ends at t."),
        (equals([10, 10 + 4, 10 + 8]), "A causal layer never reads the future: its window ends at t."),
    ),
    general_hint="The last tap is at t; the others d apart before it.",
))


def _field_124():
    return receptive_field(causal_layers(3, dilations=(1, 2, 4))).size


_ask(Exercise(
    "q11_field", "11", givens="a causal stack with kernel 3 and dilations 1, 2 and 4: the receptive field",
    answer=_field_124,
    solution=lambda: (f"each layer adds (k − 1)·d = 2·d steps to the output's own 1: 1 + 2·1 + 2·2 + 2·4 = "
                      f"{_field_124()} steps"),
    mistakes=(
        (equals(1 + 1 + 2 + 4), "A kernel of 3 reaches (3 − 1)·d back, not d."),
        (equals(1 + 2 * 3), "The dilations spread the later layers: each adds (k − 1)·d."),
        (equals(3 * (1 + 2 + 4)), "A kernel of k taps spans (k − 1)·d steps, then add 1 for the output's own step."),
    ),
    general_hint="r = 1 + Σ (k − 1)·d over the layers.",
))


# -- 12 · a whole network --------------------------------------------------------------------------
@functools.cache
def _digits(out_channels=8):
    """Notebook 12's network (``network.DIGITS_CNN``), with ``out_channels`` filters in layer 0,
    after a forward pass of one blank digit (its fields need the shapes)."""
    layers = [dict(d) for d in DIGITS_CNN]
    layers[0]["out_channels"] = layers[3]["in_channels"] = out_channels
    net = Network(layers, seed=0)
    net.forward(np.zeros((1, 1, 8, 8)))
    return net


def _count(net) -> int:
    return sum(p.size for p in net.named_parameters().values())


_ask(Exercise(
    "q12_params", "12", givens="the digits network with 4 filters in layer 0 instead of 8 (layer 3 then reads 4 maps): "
    "every weight and bias of the network",
    answer=lambda: _count(_digits(4)),
    solution=lambda: (f"layer 0 has 4·9 + 4 = {conv_parameters(1, 4, 3)}, layer 3 reads 4 maps: 16·4·9 + 16 = "
                      f"{conv_parameters(4, 16, 3)}, and the linear layer keeps its 10·64 + 10 = 650: "
                      f"{_count(_digits(4))} in all"),
    mistakes=(
        (equals(_count(_digits(8)) - conv_parameters(1, 8, 3) + conv_parameters(1, 4, 3)),
         "Layer 3 changes too: each of its 16 filters now reads 4 maps, not 8."),
        (equals(_count(_digits(4)) - 4 - 16 - 10), "Each layer has a bias per output channel (or per score) too."),
        (equals(conv_parameters(1, 4, 3)), "That is layer 0 alone; the question asks for the whole network."),
    ),
    general_hint="Per convolution C_out·C_in·k·k + C_out, for the linear layer in·out + out; a layer reads as "
                 "many maps as the one before it makes.",
))


def _corner_reads() -> int:
    return int(_digits().field(3, (0, 0, 0, 0))[3].sum())


_ask(Exercise(
    "q12_reads", "12", givens="output (0, 0, 0) of layer 3, in the corner: how many numbers of layer 2 (the pooled "
    "maps) it reads, padding not counted",
    answer=_corner_reads,
    solution=lambda: (f"its 3×3 window, padded by 1, covers rows and columns 0 and 1 of each pooled map, "
                      f"2·2 = 4 numbers, in each of the 8 maps: {_corner_reads()}"),
    mistakes=(
        (equals(8 * 3 * 3), "In the corner the window hangs over the padding: only 2×2 of its 3×3 taps read a number."),
        (equals(2 * 2), "A filter of layer 3 reads every one of the 8 maps of layer 2."),
        (equals(3 * 3), "In the corner only 2×2 of the 3×3 taps read a number, and the filter reads all 8 maps."),
    ),
    general_hint="Count the taps that land inside one map, then multiply by the maps a filter reads.",
))


def _corner_pixels() -> int:
    return int(_digits().field(3, (0, 0, 0, 0))[0].sum())


_ask(Exercise(
    "q12_field", "12", givens="output (0, 0, 0) of layer 3, in the corner: how many pixels of the digit can change it",
    answer=_corner_pixels,
    solution=lambda: (f"it reads rows and columns 0 and 1 of the pooled maps; they pool rows 0 to 3 of layer 0, "
                      f"which read rows 0 to 4 of the digit (row −1 is padding): 5·5 = {_corner_pixels()} pixels"),
    mistakes=(
        (equals(receptive_field([dict(kernel_size=3, padding=1), dict(kind="max_pool", kernel_size=2),
                                dict(kernel_size=3, padding=1)]).size ** 2),
         "That is the field of a cell away from the edges; in the corner part of it is padding."),
        (equals(int(_digits().field(3, (0, 0, 1, 1))[0].sum())), "That is output (1, 1)'s field, one cell in from the corner."),
    ),
    general_hint="Follow the corner cell down: its window in the pooled maps, what those pool in layer 0, "
                 "what those read in the digit; leave out the padding.",
))
