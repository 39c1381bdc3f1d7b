"""Predict-then-check exercises for notebook 12 (on notebooks 01–11).

Every answer is computed by convcore from the exercise's givens, never typed in.
``check(name, answer)`` never shows the answer unless it was given: a missing
answer gets "Not answered yet", a wrong one gets a hint that names the step
that went wrong (a forgotten padding, bias or flip), not the result. The worked
solutions live, folded, in the notebook; ``solution(name)`` computes the same
working, and the tests prove the notebook's solutions state these numbers.

>>> check("conv1d_length", None).startswith("Not answered yet")
True
>>> check("conv1d_length", EXERCISES["conv1d_length"].answer()).startswith("✓")
True
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .. import examples, grad
from ..api import conv1d, conv2d, explain_output_size, output_size
from ..causal import causal_conv1d, causal_layers, causal_padding
from ..geometry import Axis, same_padding
from ..pooling import avg_pool2d, max_pool2d, trace_avg_pool2d, trace_max_pool2d
from ..receptive import receptive_field
from ..transpose import conv_transpose2d, explain_transpose_output_size, transpose_output_size
from ..trace_transpose import trace_transpose2d


@dataclass(frozen=True)
class Exercise:
    name: str
    topic: str                             # the notebook it practises
    givens: str                            # the numbers the checker works on, as the question states them
    answer: Callable[[], object]           # computed, never typed in
    solution: Callable[[], str]           # the working, with the numbers filled in
    form: str = "a number"                 # what kind of answer is expected
    # (test, hint): when test(given) holds, the hint names the step that went wrong.
    # Hints never contain the answer.
    mistakes: tuple[tuple[Callable[[object], bool], str], ...] = field(default_factory=tuple)
    general_hint: str = ""


def _same(given, expected) -> bool:
    try:
        g, e = np.asarray(given), np.asarray(expected)
        return g.shape == e.shape and g.dtype.kind in "iuf" and bool(np.array_equal(g, e))
    except Exception:  # an answer of the wrong kind is simply wrong
        return False


def _is(*values) -> Callable[[object], bool]:
    """A test that holds when the given answer is any of ``values``."""
    return lambda given: any(_same(given, v) for v in values)


def _near(*values, tol=0.01) -> Callable[[object], bool]:
    """A test that holds when the given number is within ``tol`` of any of ``values``
    (a learner writes 7/3 as 2.33)."""
    def test(given):
        try:
            g = np.asarray(given)
            return g.shape == () and g.dtype.kind in "iuf" and any(abs(float(g) - v) <= tol for v in values)
        except Exception:
            return False
    return test


EXERCISES: dict[str, Exercise] = {}


def _add(ex: Exercise, registry: dict[str, Exercise] | None = None) -> None:
    """Register ``ex`` among the exercises (or in ``registry``: the lessons' questions)."""
    (EXERCISES if registry is None else registry)[ex.name] = ex


# -- 01 · conv1d: output length --------------------------------------------------
def _size_exercise(name, notebook, givens, size: dict, lead: str, tail: str, mistakes, hint) -> None:
    """An output-size exercise: the answer is ``output_size(**size)``, its solution the formula
    filled in (``explain_output_size``) between ``lead`` and ``tail``."""
    _add(Exercise(name, notebook, givens=givens, answer=lambda: output_size(**size),
                  solution=lambda: f"{lead}{explain_output_size(**size)}{tail}", mistakes=mistakes,
                  general_hint=hint))


_size_exercise(
    "conv1d_length", "01", "signal length 20, kernel length 5, stride 3, padding 2",
    dict(n=20, k=5, stride=3, padding=2), "window positions: ",
    f", that is {(20 + 2 * 2 - (5 - 1) - 1) // 3} jumps plus the first position",
    (
        (_is(output_size(20, 5, stride=3)), "Did you add the padding? It goes on both ends: 2p."),
        (_is(output_size(20, 5, stride=3, padding=(2, 0))), "The padding goes on both ends: add 2p, not p."),
        (_is(output_size(20, 5, padding=2)), "Did you divide by the stride? The window jumps s places at a time."),
        (_is(output_size(20, 5, stride=3, padding=2) - 1), "Did you forget the +1? It counts the window's first position."),
        (_is(output_size(20, 5, stride=3, padding=2) + 1),
         "The division rounds down: a last jump that would leave the padded signal does not count."),
    ),
    "Count the window's positions: (N + 2p − d(K − 1) − 1) ÷ s, rounded down, plus 1.",
)

# -- 02 · conv2d: the output's shape -----------------------------------------------
_add(Exercise(
    "conv2d_shape", "02",
    givens="input (3, 32, 32), weight (16, 3, 5, 5), padding 2, stride 1",
    form="a tuple (C_out, H, W)",
    answer=lambda: (16, output_size(32, 5, padding=2), output_size(32, 5, padding=2)),
    solution=lambda: (f"C_out = weight.shape[0] = 16; each side: {explain_output_size(32, 5, padding=2)}"),
    mistakes=(
        (lambda g: isinstance(g, (tuple, list)) and len(g) == 3 and g[0] == 3,
         "The output has one channel per filter: count the filters (weight.shape[0]), not the input channels."),
        (lambda g: isinstance(g, (tuple, list)) and len(g) == 3 and g[1] == output_size(32, 5),
         "Did you use the padding? It adds 2p to each side before the kernel slides."),
        (lambda g: isinstance(g, (tuple, list)) and len(g) == 4,
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


_add(Exercise(
    "seed_value", "02",
    givens="the seed's 2-D example of notebook 02; output channel 0 at row 2, column 1, counted from 0",
    answer=lambda: _seed_step(0, (2, 1)).value,
    solution=lambda: (f"patches {_seed_step(0, (2, 1)).patch.tolist()}; partial sums "
                      + _partials_text(_seed_step(0, (2, 1)))),
    mistakes=(
        (_is(_seed_step(0, (2, 1)).partial_sums[0]),
         "That is input channel 0's partial sum alone: add input channel 1's."),
        (_is(_seed_step(0, (2, 1)).partial_sums[1]),
         "That is input channel 1's partial sum alone: add input channel 0's."),
        (_is(_seed_step(0, (1, 2)).value), "Rows come first: row 2, column 1 is in the bottom row of the output."),
        (_is(_seed_step(0, (2, 1)).patch[0].sum() + _seed_step(0, (2, 1)).partial_sums[1]),
         "Input channel 0's slice is [[1, 0], [0, 1]]: it keeps only the diagonal of the patch."),
    ),
    general_hint="Find the 2×2 window of that position on both input channels, apply each channel's slice, add.",
))
_add(Exercise(
    "seed_partial", "02",
    givens="the seed's 2-D example; input channel 1's partial sum for output channel 1 at row 2, column 0",
    answer=lambda: _seed_step(1, (2, 0)).partial_sums[1],
    solution=lambda: (f"patch {_seed_step(1, (2, 0)).patch[1].tolist()} times slice "
                      f"{_seed_step(1, (2, 0)).kernel[1].tolist()}, added: "
                      f"{_seed_step(1, (2, 0)).partial_sums[1]}"),
    mistakes=(
        (_is(_seed_step(1, (2, 0)).value), "That is the whole output value: only input channel 1's part was asked for."),
        (_is(_seed_step(1, (2, 0)).partial_sums[0]), "That is input channel 0's partial sum; the question asks for channel 1's."),
        (_is(_seed_step(1, (2, 0)).patch[1].sum()),
         "That sums the whole patch: the slice keeps only one of its four numbers."),
    ),
    general_hint="That kernel slice keeps one number of the patch and drops the other three. Which one?",
))

# -- 03 · a 1×1 convolution --------------------------------------------------------
_MIX = np.array([[2, -1], [1, 3]])


def _mixed():
    return conv2d(examples.get("seed_1x1").input, _MIX[:, :, None, None])


_add(Exercise(
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
        (_is(_mixed()[0, 1, 0]), "You used row 0 of the weight matrix; output channel 1 uses row 1."),
        (_is(_mixed()[1, 0, 1]), "Row 1, column 0 is the bottom-left pixel: rows come first."),
    ),
    general_hint="A 1×1 layer reads one pixel: multiply that pixel's channel values by one row of the weight matrix, and add.",
))

# -- 04 · padding modes, even-kernel same, stride and dilation -----------------------
_SIGNAL, _BOX = [1, 2, 3, 4, 5], [1, 1, 1]


def _padded(mode):
    return conv1d(_SIGNAL, _BOX, padding=1, padding_mode=mode).tolist()


_add(Exercise(
    "padding_mode", "04",
    givens="conv1d([1, 2, 3, 4, 5], [1, 1, 1], padding=1, padding_mode='reflect')",
    form="a list",
    answer=lambda: _padded("reflect"),
    solution=lambda: (f"reflect pads [{_SIGNAL[1]}] before and [{_SIGNAL[-2]}] after: "
                      f"windows summed give {_padded('reflect')}"),
    mistakes=(
        (_is(_padded("zeros")), "That is zero padding. Reflect mirrors the signal around its edge value."),
        (_is(_padded("replicate")), "That repeats the edge value (replicate). Reflect does not repeat the edge: it mirrors around it."),
        (_is(_padded("circular")), "That wraps around (circular). Reflect mirrors each end on itself."),
        (lambda g: isinstance(g, (list, tuple)) and len(g) != len(_SIGNAL),
         "Padding 1 with a kernel of 3 keeps the length: one output per input number."),
    ),
    general_hint="Write out the padded signal first, then add each window of three.",
))
_add(Exercise(
    "even_same", "04",
    givens="padding='same', kernel length 6, stride 1, dilation 1",
    form="a tuple (before, after)",
    answer=lambda: same_padding(6),
    solution=lambda: (f"total d(k − 1) = 1·(6 − 1) = {sum(same_padding(6))}, odd: "
                      f"{same_padding(6)[0]} before, {same_padding(6)[1]} after"),
    mistakes=(
        (_is(same_padding(6)[::-1]), "Right numbers, wrong sides: PyTorch puts the extra position after the input."),
        (lambda g: isinstance(g, (tuple, list)) and len(g) == 2 and _same(sum(g), 6),
         "The total is d(k − 1), not k: a window of k needs k − 1 extra positions to fit everywhere."),
        (lambda g: isinstance(g, (tuple, list)) and len(g) == 2 and g[0] == g[1],
         "The total d(k − 1) is odd here, so it cannot split evenly."),
    ),
    general_hint="The total padding is d(k − 1); when it is odd, one side gets one more.",
))
_size_exercise(
    "stride_dilation", "04", "a 15×15 input, a 3×3 kernel, stride 2, dilation 2, no padding; the output's side",
    dict(n=15, k=3, stride=2, dilation=2), f"the dilated kernel spans 2·(3 − 1) + 1 = {2 * (3 - 1) + 1} positions; ", "",
    (
        (_is(output_size(15, 3, stride=2)), "Did you spread the taps? With dilation d a kernel of k spans d(k − 1) + 1 positions."),
        (_is(output_size(15, 3, dilation=2)), "Did you divide by the stride?"),
        (_is(output_size(15, 3, stride=2, dilation=2) - 1), "Did you forget the +1 for the first position?"),
    ),
    "First the span of the dilated kernel, then how far it can travel, then the jumps.",
)

# -- 05 · parameters, with biases ----------------------------------------------------


def conv_parameters(c_in, c_out, k, groups=1, bias=True) -> int:
    """Learnable numbers of nn.Conv2d(c_in, c_out, k, groups=groups, bias=bias)."""
    return c_out * (c_in // groups) * k * k + (c_out if bias else 0)


_add(Exercise(
    "parameters", "05",
    givens="nn.Conv2d(64, 128, kernel_size=3), bias included",
    answer=lambda: conv_parameters(64, 128, 3),
    solution=lambda: f"128·64·3·3 = {conv_parameters(64, 128, 3, bias=False)} weights + 128 biases = {conv_parameters(64, 128, 3)}",
    mistakes=(
        (_is(conv_parameters(64, 128, 3, bias=False)), "You left out the biases: one per output channel."),
        (_is(conv_parameters(64, 128, 3, bias=False) + 64), "There is one bias per output channel, not per input channel."),
        (_is(64 * 128 + 128), "Each filter holds a 3×3 slice per input channel: multiply by k·k too."),
    ),
    general_hint="Weights: C_out · (C_in / groups) · k · k; then one bias per output channel.",
))
_add(Exercise(
    "group_parameters", "05",
    givens="nn.Conv2d(48, 96, kernel_size=3, groups=4), bias included",
    answer=lambda: conv_parameters(48, 96, 3, groups=4),
    solution=lambda: (f"each filter sees 48/4 = {48 // 4} channels; 96·(48/4)·3·3 = {conv_parameters(48, 96, 3, groups=4, bias=False)} weights "
                      f"+ 96 biases = {conv_parameters(48, 96, 3, groups=4)}"),
    mistakes=(
        (_is(conv_parameters(48, 96, 3, groups=4, bias=False)), "You left out the biases: one per output channel."),
        (_is(conv_parameters(48, 96, 3), conv_parameters(48, 96, 3, bias=False)),
         "Each filter only sees its own group's input channels: C_in / groups of them."),
        (_is(conv_parameters(48, 96, 3, groups=4, bias=False) + 96 // 4, conv_parameters(48, 96, 3, groups=4, bias=False) + 4),
         "Groups do not share biases: every output channel has its own."),
    ),
    general_hint="Weights: C_out · (C_in / groups) · k · k; then one bias per output channel.",
))


def _separable(bias=True):
    return conv_parameters(24, 24, 3, groups=24, bias=bias) + conv_parameters(24, 40, 1, bias=bias)


_add(Exercise(
    "separable_parameters", "05",
    givens="a depthwise 3×3 layer on 24 channels, then a 1×1 layer from 24 to 40 channels, both with biases",
    answer=lambda: _separable(),
    solution=lambda: (f"depthwise 24·1·3·3 = {conv_parameters(24, 24, 3, groups=24, bias=False)} weights + 24 biases "
                      f"= {conv_parameters(24, 24, 3, groups=24)}; pointwise 40·24 = "
                      f"{conv_parameters(24, 40, 1, bias=False)} weights + 40 biases = {conv_parameters(24, 40, 1)}; "
                      f"total {_separable()}"),
    mistakes=(
        (_is(_separable(bias=False)), "You left out the biases: both layers have one per output channel."),
        (_is(conv_parameters(24, 24, 3) + conv_parameters(24, 40, 1), conv_parameters(24, 24, 3, bias=False) + conv_parameters(24, 40, 1, bias=False)),
         "A depthwise filter reads only its own channel: groups = C_in."),
        (_is(conv_parameters(24, 40, 3)), "That is one full 3×3 layer: the block is two layers, depthwise then 1×1."),
    ),
    general_hint="Count each layer on its own (weights, then biases) and add.",
))

# -- 06 · the im2col matrix ----------------------------------------------------------
_add(Exercise(
    "im2col_shape", "06",
    givens="input (8, 20, 20), 32 filters of 3×3, padding 1, stride 1; one row per output position, as in notebook 06",
    form="a tuple (rows, columns)",
    answer=lambda: (output_size(20, 3, padding=1) ** 2, 8 * 3 * 3),
    solution=lambda: (f"rows: {explain_output_size(20, 3, padding=1)} per side, "
                      f"{output_size(20, 3, padding=1) ** 2} positions; columns: 8·3·3 = {8 * 3 * 3}"),
    mistakes=(
        (_is((8 * 3 * 3, output_size(20, 3, padding=1) ** 2)),
         "Rows and columns are swapped: in notebook 06 each row is one output position's patch."),
        (_is((output_size(20, 3) ** 2, 8 * 3 * 3)), "Did you use the padding? It decides how many output positions there are."),
        (lambda g: isinstance(g, (tuple, list)) and len(g) == 2 and g[1] == 32 * 3 * 3,
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


_add(Exercise(
    "flip", "01",
    givens="np.convolve([2, 1, 0, 3], [1, 2, 3], mode='valid')",
    form="a list",
    answer=_convolve,
    solution=lambda: (f"the flipped kernel is {_FH[::-1]}: conv1d({_FX}, {_FH[::-1]}) = {_convolve()}; "
                      f"without the flip, conv1d gives {conv1d(_FX, _FH).tolist()}"),
    mistakes=(
        (_is(conv1d(_FX, _FH).tolist()), "That is deep learning's convolution, without the flip. np.convolve flips the kernel first."),
        (_is(_convolve()[::-1]), "Right numbers, wrong order: the first output comes from the first window."),
    ),
    general_hint="Reverse the kernel, then slide it as conv1d does.",
))

# -- 07 · an edge filter ---------------------------------------------------------------
_EDGE_IMAGE = np.array([[0, 0, 4, 4], [0, 0, 4, 4], [0, 2, 2, 2], [0, 2, 2, 2]])
_SOBEL_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])


def _edges():
    return conv2d(_EDGE_IMAGE, _SOBEL_X)


_add(Exercise(
    "edge_value", "07",
    givens="the image [[0, 0, 4, 4], [0, 0, 4, 4], [0, 2, 2, 2], [0, 2, 2, 2]], the Sobel kernel "
           "[[−1, 0, 1], [−2, 0, 2], [−1, 0, 1]], no padding; output row 0, column 1",
    answer=lambda: _edges()[0, 1],
    solution=lambda: (f"window rows 0–2, columns 1–3; right column {_EDGE_IMAGE[0:3, 3].tolist()} minus left "
                      f"column {_EDGE_IMAGE[0:3, 1].tolist()}, weighted 1, 2, 1: {_edges()[0, 1]}"),
    mistakes=(
        (_is(-_edges()[0, 1]), "Wrong sign: the kernel is right column minus left column, and brightness rises to the right here."),
        (_is(_edges()[0, 0]), "That is column 0's window. Column 1's window starts one place to the right."),
        (_is((_EDGE_IMAGE[0:3, 3] - _EDGE_IMAGE[0:3, 1]).sum()), "The middle row of the kernel weighs 2, not 1."),
    ),
    general_hint="Lay the kernel on rows 0–2 and columns 1–3, multiply, add.",
))


# ====================================================================================
# Notebooks 08–11: transposed convolution, the backward pass, pooling, sequences
# ====================================================================================

# -- 08 · the transposed output size, with output_padding -----------------------------
_T = dict(n=6, k=5, stride=3, padding=2, output_padding=1)


def _t_len(**changes) -> int:
    """The transposed formula with some of the givens changed (for the planted mistakes);
    plain arithmetic, since a mistaken setting need not be a legal one."""
    a = {**_T, **changes}
    return (a["n"] - 1) * a["stride"] - 2 * a["padding"] + (a["k"] - 1) + a["output_padding"] + 1


_add(Exercise(
    "transpose_length", "08",
    givens="nn.ConvTranspose1d with kernel_size=5, stride=3, padding=2, output_padding=1, on an input of length 6",
    answer=lambda: transpose_output_size(**_T),
    solution=lambda: (f"{explain_transpose_output_size(**_T)}: the last stamp starts at (6 − 1)·3 = "
                      f"{(6 - 1) * 3} and covers 5 positions, padding crops 2 from each end, "
                      f"output_padding gives 1 back at the end"),
    mistakes=(
        (_is(_t_len(output_padding=0)),
         "One term is missing: the formula ends with + output_padding + 1, and both count."),
        (_is(_t_len(padding=0)),
         "In a transposed convolution padding crops the output: subtract 2p."),
        (_is(_t_len(padding=-2)),
         "Padding works the other way round here: it crops p positions off each end of the output, it adds none."),
        (_is(_t_len(padding=1)), "Padding crops both ends: subtract 2p, not p."),
        (_is(_t_len() + 3), "The last stamp starts at (n − 1)·s, not n·s: the first stamp starts at 0."),
        (_is(_t_len() + 1), "Check the span of one stamp: k taps cover d(k − 1) + 1 positions, not d·k + 1; "
                            "and the output is not simply n·s long."),
        (_is(output_size(6, 5, stride=3, padding=2)),
         "That is the forward convolution's formula, which shrinks. The transposed one grows: (n − 1)·s − 2p + d(k − 1) + output_padding + 1."),
    ),
    general_hint="Stamps start s apart: the last at (n − 1)·s, covering d(k − 1) + 1 positions; "
                 "padding crops p from each end; output_padding adds positions back at the end.",
))

# -- 08 · one value of a transposed convolution: which stamps land there --------------
_TX = np.array([[2, -1], [3, 4]])
_TW = np.array([[1, 2, 0], [0, 1, -1], [3, 1, 2]])
_TPOS = (2, 1)


def _stamps_at(pos=_TPOS):
    """(input position, input value, kernel tap, weight) of every stamp landing on ``pos``."""
    trace = trace_transpose2d(_TX, _TW, stride=2)
    found = []
    for step, tap in trace.contributors(0, pos):
        in_pos = trace.locate(step)[2]
        found.append((in_pos, int(_TX[in_pos]), tap, int(_TW[tap])))
    return found


def _transposed():
    return conv_transpose2d(_TX, _TW, stride=2)


def _stamp_text() -> str:
    parts = [f"input element {pos}, value {v}, lands its tap {tap}, weight {w}, there: {v}·{w} = {v * w}"
             for pos, v, tap, w in _stamps_at()]
    return "; ".join(parts) + f"; no other stamp reaches {_TPOS}; in all {_transposed()[_TPOS]}"


_add(Exercise(
    "transpose_value", "08",
    givens="conv_transpose2d with input [[2, −1], [3, 4]], kernel [[1, 2, 0], [0, 1, −1], [3, 1, 2]], "
           "stride 2, no padding; output row 2, column 1",
    answer=lambda: _transposed()[_TPOS],
    solution=_stamp_text,
    mistakes=(
        (_is(*[v * w for _, v, _, w in _stamps_at()]),
         "That is one stamp. Another input element's stamp lands on the same position: find every "
         "input element i, j and tap u, v with 2i + u = row and 2j + v = column."),
        (_is(sum(v * int(_TW[2 - tap[0], 2 - tap[1]]) for _, v, tap, _ in _stamps_at())),
         "The right stamps, the wrong taps: input element i's tap u lands on i·s + u, so the kernel is not flipped in the scatter reading."),
        (_is(conv_transpose2d(_TX, _TW)[_TPOS]),
         "Did you use the stride? Neighbouring input elements stamp 2 positions apart, not 1."),
        (_is(_transposed()[_TPOS[::-1]]), "Rows come first: row 2, column 1."),
    ),
    general_hint="Each input element (i, j) adds its value times the kernel into rows 2i to 2i + 2 "
                 "and columns 2j to 2j + 2. Which of them cover that position, and with which tap?",
))

# -- 08 · counting stamps: the checkerboard -------------------------------------------
_CB = dict(n=7, k=5, stride=2)
_CB_POS = (8, 5)


def _stamp_counts():
    """Stamps landing on _CB_POS: along the rows, along the columns, in all (from the trace)."""
    ones_x, ones_w = np.ones((_CB["n"], _CB["n"]), dtype=int), np.ones((_CB["k"], _CB["k"]), dtype=int)
    trace = trace_transpose2d(ones_x, ones_w, stride=_CB["stride"])
    found = trace.contributors(0, _CB_POS)
    rows = sorted({trace.locate(k)[2][0] for k, _ in found})
    cols = sorted({trace.locate(k)[2][1] for k, _ in found})
    assert conv_transpose2d(ones_x, ones_w, stride=_CB["stride"])[_CB_POS] == len(found) == len(rows) * len(cols)
    return rows, cols, len(found)


_add(Exercise(
    "stamp_count", "08",
    givens="a transposed convolution with a 5×5 kernel, stride 2, no padding, on a 7×7 input; "
           "the stamps that land on output row 8, column 5",
    answer=lambda: _stamp_counts()[2],
    solution=lambda: (f"along the rows, the stamps of input rows {_stamp_counts()[0]} cover row 8 "
                      f"({len(_stamp_counts()[0])}); along the columns, those of input columns "
                      f"{_stamp_counts()[1]} cover column 5 ({len(_stamp_counts()[1])}); "
                      f"{len(_stamp_counts()[0])} × {len(_stamp_counts()[1])} = {_stamp_counts()[2]}"),
    mistakes=(
        (_is(len(_stamp_counts()[0]) + len(_stamp_counts()[1])),
         "The counts along the rows and along the columns multiply, not add: a stamp must cover both the row and the column."),
        (_is(len(_stamp_counts()[0]) ** 2, len(_stamp_counts()[1]) ** 2),
         "Row 8 and column 5 are not alike: an even and an odd position get different counts with kernel 5 and stride 2. Count each axis on its own."),
        (_is(25), "Not every tap of every stamp lands there: count the input elements whose stamp covers the position."),
    ),
    general_hint="Along one axis, input element i stamps positions 2i to 2i + 4. Count the i that "
                 "cover row 8, then the j that cover column 5.",
))

# -- 09 · one weight gradient, with loss = sum of the outputs ---------------------------
_GX, _GK, _GS, _GTAP = [3, -1, 4, 1, 5, 2, 6], 3, 2, 2


def _weight_grad(stride=_GS):
    n_out = output_size(len(_GX), _GK, stride=stride)
    return grad.conv1d_weight(_GX, (_GK,), np.ones(n_out, dtype=int), stride=stride)


def _read_by_tap(tap=_GTAP, stride=_GS):
    """The inputs that kernel tap ``tap`` multiplies, one per output position."""
    n_out = output_size(len(_GX), _GK, stride=stride)
    return [_GX[o * stride + tap] for o in range(n_out)]


_add(Exercise(
    "weight_grad", "09",
    givens="conv1d of x = [3, −1, 4, 1, 5, 2, 6] with a kernel of length 3, stride 2, and the loss "
           "L = the sum of the outputs; the gradient of L with respect to w[2]",
    answer=lambda: _weight_grad()[_GTAP],
    solution=lambda: (f"{output_size(len(_GX), _GK, stride=_GS)} outputs, each with output gradient 1, "
                      f"their windows starting at {', '.join(str(o * _GS) for o in range(output_size(len(_GX), _GK, stride=_GS)))}; "
                      f"tap 2 multiplies x[2], x[4], x[6] = {_read_by_tap()}, so the gradient is "
                      f"{' + '.join(map(str, _read_by_tap()))} = {_weight_grad()[_GTAP]}"),
    mistakes=(
        (_is(sum(_GX)), "Not every input meets w[2]: only the ones under tap 2 of some window."),
        (_is(_weight_grad(stride=1)[_GTAP]),
         "Did you use the stride? With stride 2 there are fewer windows, and tap 2 meets fewer inputs."),
        (_is(_weight_grad()[0], _weight_grad()[1]), "That is the gradient of another tap: w[2] is the last of the three."),
        (_is(len(_read_by_tap())), "That counts the products. Each is (the input under tap 2) × (the output gradient, 1 here): add them up."),
        (_is(sum(_read_by_tap()) - _read_by_tap()[-1]), "Did you forget the last window? It ends exactly at the last input."),
    ),
    general_hint="With L = sum of the outputs the output gradient is 1 everywhere, so a weight's "
                 "gradient is the sum of the inputs it multiplies. Which inputs does tap 2 meet?",
))

# -- 09 · one input gradient: the transposed convolution, flip included ----------------
_IW, _IG, _IPOS = [1, -3, 4], [3, -2, 5], 2


def _paren(v) -> str:
    return f"({v})" if v < 0 else f"{v}"


def _input_grad():
    return grad.conv1d_input((7,), _IW, _IG, stride=2)


def _input_terms():
    """(output o, tap t, g[o], w[t]) for every window that reads x[_IPOS]: the window rule
    read backwards (``Axis.readers``)."""
    axis = Axis(n=7, k=len(_IW), stride=2)
    return [(o, t, _IG[o], _IW[t]) for o, t in axis.readers(_IPOS)]


_add(Exercise(
    "input_grad", "09",
    givens="conv1d of a signal of length 7 with the kernel [1, −3, 4], stride 2 (3 outputs); "
           "the output gradient g = [3, −2, 5]; the gradient with respect to x[2]",
    answer=lambda: _input_grad()[_IPOS],
    solution=lambda: ("two windows read x[2]: " + "; ".join(
        f"output {o} with tap {t}, g[{o}]·w[{t}] = {_paren(g)}·{_paren(w)} = {g * w}" for o, t, g, w in _input_terms())
        + f"; the sum is {_input_grad()[_IPOS]}"),
    mistakes=(
        (_is(*[g * w for _, _, g, w in _input_terms()]),
         "That is one window. x[2] is read by two windows: add a product from each."),
        (_is(sum(_IG[o] * _IW[o] for o, _, _, _ in _input_terms()),
             sum(_IG[o] * _IW[len(_IW) - 1 - t] for o, t, _, _ in _input_terms())),
         "Pair each output gradient with the tap that read x[2] in its window: the window of output o starts at 2o."),
        (_is(grad.conv1d_input((5,), _IW, _IG)[_IPOS]),
         "Did you use the stride? The windows start 2 apart, at 0, 2 and 4."),
    ),
    general_hint="Find the windows that read x[2] and the tap each one used; multiply that tap's "
                 "weight by the window's output gradient, and add.",
))

# -- 10 · a max pool with a tie, and its index ----------------------------------------
_MX = np.array([[1, 3, 0, 2, 9],
                [2, 0, 5, 1, 4],
                [4, 1, 2, 6, 0],
                [1, 0, 1, 6, 3]])
_MPOS = (1, 1)


def _max_step():
    trace = trace_max_pool2d(_MX, 2)
    return next(s for s in trace if s.out_pos == _MPOS)


def _max_answer():
    values, indices = max_pool2d(_MX, 2, return_indices=True)
    step = _max_step()
    assert (values[_MPOS], indices[_MPOS]) == (step.value, step.argmax)
    return int(values[_MPOS]), int(indices[_MPOS])


def _ties():
    step = _max_step()
    return [tap.coords for tap, v in zip(step.window, step.patch.ravel()) if v == step.value]


_add(Exercise(
    "max_pool_tie", "10",
    givens="max_pool2d with kernel 2 (stride 2) on the 4×5 input [[1, 3, 0, 2, 9], [2, 0, 5, 1, 4], "
           "[4, 1, 2, 6, 0], [1, 0, 1, 6, 3]], return_indices=True; output row 1, column 1",
    form="a tuple (value, index)",
    answer=_max_answer,
    solution=lambda: (f"the window covers rows 2–3 and columns 2–3: {_max_step().patch.tolist()}; "
                      f"the largest value {_max_answer()[0]} sits at {_ties()[0]} and at {_ties()[1]}; "
                      f"the first in row-major order wins, (row, column) {_ties()[0]}, flat index "
                      f"{_ties()[0][0]}·5 + {_ties()[0][1]} = {_max_answer()[1]}"),
    mistakes=(
        (_is((_max_answer()[0], int(np.ravel_multi_index(_ties()[1], _MX.shape)))),
         "A tie: PyTorch keeps the first largest value in row-by-row order and replaces it only by a strictly larger one."),
        (_is((_max_answer()[0], _max_step().winner)),
         "That is the winner's place inside the window. return_indices counts through the whole input plane: row · W + column."),
        (_is((_max_answer()[0], _ties()[0][1] * _MX.shape[0] + _ties()[0][0])),
         "Flat indices count row by row: row · W + column, with W the number of columns."),
        (_is((_max_answer()[0], _ties()[0][0] * _MX.shape[0] + _ties()[0][1])),
         "W is the number of columns of the input, not of rows."),
        (lambda g: isinstance(g, (tuple, list)) and len(g) == 2 and isinstance(g[1], (tuple, list)),
         "PyTorch reports one flat index per output, not a (row, column) pair: row · W + column."),
        (lambda g: isinstance(g, (tuple, list)) and len(g) == 2 and not _same(g[0], _max_answer()[0]),
         "Check the value first: with kernel 2 and stride 2, output (1, 1)'s window is rows 2–3, columns 2–3."),
    ),
    general_hint="Find the window of output (1, 1), its largest value, and where that value sits "
                 "in the whole input, counted row by row.",
))

# -- 10 · an average pool that does not count the padding ------------------------------
_AX = np.array([[4, 1, 6, 2], [3, 5, 0, 7], [2, 8, 1, 3], [6, 0, 5, 2]])
_AK = dict(kernel_size=3, stride=2, padding=1)
_APOS = (0, 1)


def _avg_step(count_include_pad=False):
    trace = trace_avg_pool2d(_AX, **_AK, count_include_pad=count_include_pad)
    return next(s for s in trace if s.out_pos == _APOS)


_add(Exercise(
    "avg_pool_divisor", "10",
    givens="avg_pool2d with kernel 3, stride 2, padding 1, count_include_pad=False on the 4×4 input "
           "[[4, 1, 6, 2], [3, 5, 0, 7], [2, 8, 1, 3], [6, 0, 5, 2]]; output row 0, column 1",
    answer=lambda: avg_pool2d(_AX, **_AK, count_include_pad=False)[_APOS],
    solution=lambda: (f"the window covers rows −1 to 1 and columns 1 to 3; row −1 is padding, so it "
                      f"reads {int(_avg_step().counted.sum())} inputs, total {int(_avg_step().total)}; "
                      f"without the padding the divisor is {_avg_step().divisor}: "
                      f"{int(_avg_step().total)} / {_avg_step().divisor} = {_avg_step().value}; "
                      f"with count_include_pad=True it would be {int(_avg_step(True).total)} / "
                      f"{_avg_step(True).divisor}"),
    mistakes=(
        (_near(_avg_step(True).value),
         "You divided by the whole window. count_include_pad=False counts only the inputs inside the image."),
        (_is(_avg_step().total), "That is the sum: divide it by the number of inputs the window holds."),
        (_near(avg_pool2d(_AX, **_AK, count_include_pad=False)[_APOS[::-1]]), "Rows come first: row 0, column 1."),
        (_near(avg_pool2d(_AX, 3, stride=2)[0, 0]),
         "Did you use the padding? With padding 1 the first window starts one row and one column before the image."),
    ),
    general_hint="Place the window (padding shifts it up and left by one), add the values that are "
                 "inside the image, and divide by how many there are.",
))

# -- 10 · the receptive field of a stem ----------------------------------------------
_STEM = [dict(kernel_size=7, stride=2, padding=3), dict(kind="max_pool", kernel_size=3, stride=2, padding=1),
         dict(kernel_size=3, padding=1)]


def _stem():
    return receptive_field(_STEM)


_add(Exercise(
    "stem_field", "10",
    givens="a 7×7 convolution with stride 2 and padding 3, then a 3×3 max pool with stride 2 and "
           "padding 1, then a 3×3 convolution with padding 1 (the stem of a ResNet); the receptive field of one output, per side",
    answer=lambda: _stem().size,
    solution=lambda: ("sizes " + ", ".join(str(f.size) for f in _stem().layers) + "; jumps "
                      + ", ".join(str(f.jump) for f in _stem().layers)
                      + f": 1 + (7 − 1)·1 = 7, then 7 + (3 − 1)·2 = 11, then 11 + (3 − 1)·4 = {_stem().size}"),
    mistakes=(
        (_is(7 + 2 + 2),
         "Did you multiply by the jump? After a stride-2 layer, one step of the next layer is 2 input positions; after two, 4."),
        (_is(7 + 2 * 2 + 2 * 2),
         "The pool's stride counts too: after the convolution and the pool the jump is 2·2."),
        (_is(7 + 3 + 3), "Each layer adds (k − 1) steps, and each step is the jump in input positions."),
        (_is(7 * 3 * 3), "Sizes do not multiply: each layer adds (k − 1)·d·jump input positions."),
        (_is(1 + 6 * 2 + 2 * 4 + 2 * 4),
         "A layer's steps are counted with the jump of the layer below it, before its own stride applies: "
         "the first layer's steps are 1 input position each."),
    ),
    general_hint="Use the two recurrences of notebook 10: r grows by (k − 1)·d·j of the layer below, "
                 "and j is the product of the strides so far. Padding does not change the size.",
))

# -- 11 · how far back a dilated causal stack reads ------------------------------------
_DIL, _DK, _DT = (1, 3, 9), 3, 30


def _reach():
    reads = receptive_field(causal_layers(_DK, dilations=_DIL)).inputs_of(_DT, 40)
    assert max(reads) == _DT
    return [i for i in reads if i < _DT]


_add(Exercise(
    "causal_reach", "11",
    givens="a causal stack of 3 layers with kernel 3 and dilations 1, 3 and 9; output 30 of a long "
           "sequence: how many inputs before time 30 it reads",
    answer=lambda: len(_reach()),
    solution=lambda: (f"each layer adds (k − 1)·d: 1 + 2·1 + 2·3 + 2·9 = "
                      f"{receptive_field(causal_layers(_DK, dilations=_DIL)).size} positions, "
                      f"inputs {min(_reach())} to 30 with no holes; all but time 30 itself: {len(_reach())}"),
    mistakes=(
        (_is(len(_reach()) + 1), "That counts time 30 itself too; the question asks for the inputs before it."),
        (_is(2 * len(_DIL), 2 * len(_DIL) + 1),
         "The dilation multiplies the span: a kernel of 3 with dilation d reaches (3 − 1)·d steps back, not 2."),
        (_is(sum(_DIL), sum(_DIL) + 1, sum(_DIL) - 1),
         "Each layer reaches (k − 1)·d steps back, not d: a kernel of 3 has two steps between its taps."),
        (_is(_DK * sum(_DIL), _DK * sum(_DIL) + 1),
         "A kernel of k taps spans (k − 1)·d steps, not k·d: count the gaps between taps."),
    ),
    general_hint="Each causal layer reaches (k − 1)·d steps further back than the layer below it; "
                 "add the reaches of the 3 layers.",
))

# -- 11 · the padding="d(k − 1)" mistake: symmetric padding is not causal ----------------
_SY = dict(n=30, k=3, dilation=2)


def _symmetric_length():
    pad = causal_padding(_SY["k"], _SY["dilation"])
    x = np.arange(_SY["n"], dtype=float) ** 2 % 7
    w = [1.0, -2.0, 3.0]
    wrong = conv1d(x, w, padding=pad, dilation=_SY["dilation"])
    # the first n outputs are the causal ones; the last `pad` read the future
    assert np.array_equal(wrong[:_SY["n"]], causal_conv1d(x, w, dilation=_SY["dilation"]))
    assert len(wrong) == output_size(_SY["n"], _SY["k"], padding=pad, dilation=_SY["dilation"])
    return len(wrong)


_add(Exercise(
    "symmetric_padding", "11",
    givens="a sequence of length 30 through nn.Conv1d(1, 1, kernel_size=3, dilation=2, padding=4), "
           "padding d·(k − 1) = 4 on both sides; how long the output is",
    answer=_symmetric_length,
    solution=lambda: (f"the length is {explain_output_size(30, 3, padding=4, dilation=2)}; output t reads t − 4, "
                      f"t − 2 and t, so the first 30 outputs are the causal ones; the last 4 read past the "
                      f"end, into the right padding, and belong to no time step: cut them off (a temporal "
                      f"convolutional network's code calls that a chomp), or put the padding on the left "
                      f"only; keeping the middle 30 instead, as padding='same' does, would make output t "
                      f"read t − 2, t and t + 2, the future"),
    mistakes=(
        (_is(_SY["n"]),
         "That is what causal_conv1d gives, with the padding on the left only. nn.Conv1d's padding goes on both sides."),
        (_is(_SY["n"] - 4), "Did you add the padding? It goes on both ends: 2p."),
        (_is(_SY["n"] + 8 - (_SY["k"] - 1)),
         "With dilation 2 the kernel spans d(k − 1) + 1 positions, not k."),
        (_is(_SY["n"] + 8), "The kernel spans more than one position: subtract d(k − 1)."),
    ),
    general_hint="Use the output-size formula of notebook 04: N + 2p − d(k − 1), since the stride is 1.",
))


def _none_message(ex: Exercise) -> str:
    return (f"Not answered yet: replace None with your answer ({ex.form}) and run this cell again.\n"
            f"[This checker works on: {ex.givens}.]")


# Printed verdicts are wrapped here, between words: JupyterLab breaks a printed line that is
# wider than the output area anywhere, even inside a word.
VERDICT_WIDTH = 88


def check(name: str, given, registry: dict[str, Exercise] | None = None) -> str:
    """``✓`` for a right answer; otherwise a hint that never states the answer. Lines of at
    most ``VERDICT_WIDTH`` characters, broken between words. ``registry``: where ``name`` is
    (default: the exercises; ``convcore.course.questions`` passes the lessons' questions)."""
    registry = EXERCISES if registry is None else registry
    if name not in registry:
        raise KeyError(f"no exercise called {name!r}; there are: {', '.join(registry)}")
    verdict = _verdict(registry[name], given)
    return "\n".join(textwrap.fill(line, VERDICT_WIDTH, break_long_words=False, break_on_hyphens=False)
                     for line in verdict.splitlines())


def _verdict(ex: Exercise, given) -> str:
    if given is None:
        return _none_message(ex)
    if _same(given, ex.answer()):
        working = ex.solution()
        return f"✓ Right. {working[0].upper()}{working[1:]}."
    for test, hint in ex.mistakes:
        try:
            matched = bool(test(given))
        except Exception:
            matched = False
        if matched:
            return f"✗ Not quite. {hint}"
    want_sequence = isinstance(ex.answer(), (tuple, list))
    if want_sequence != isinstance(given, (tuple, list, np.ndarray)):
        return f"✗ Not quite: the answer is {ex.form}. {ex.general_hint}"
    return f"✗ Not quite. {ex.general_hint}"


def solution(name: str) -> str:
    """The worked solution, numbers filled in (the notebook keeps it folded)."""
    return EXERCISES[name].solution()
