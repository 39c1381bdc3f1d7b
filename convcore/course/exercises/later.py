"""Exercises on notebooks 08–11: transposed convolution, the backward pass, pooling (with
2-D ceil_mode), receptive fields and causal stacks. Every answer is computed by convcore."""
from __future__ import annotations

import numpy as np

from ... import grad
from ...api import conv1d, explain_output_size, output_size
from ...causal import causal_conv1d, causal_layers, causal_padding
from ...geometry import Axis
from ...pooling import avg_pool2d, max_pool2d, pool_output_size, trace_avg_pool2d, trace_max_pool2d
from ...receptive import receptive_field
from ...transpose import conv_transpose2d
from ...trace_transpose import trace_transpose2d
from .core import TRANSPOSED_SIZE, Exercise, register, equals, near, same, size_exercise, when

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


size_exercise(
    "transpose_length", "08",
    "nn.ConvTranspose1d with kernel_size=5, stride=3, padding=2, output_padding=1, on an input of length 6",
    _T, "", f": the last stamp starts at (6 − 1)·3 = {(6 - 1) * 3} and covers 5 positions, padding crops 2 "
            f"from each end, output_padding gives 1 back at the end",
    dict(output_padding="One term is missing: the formula ends with + output_padding + 1, and both count.",
         padding="In a transposed convolution padding crops the output: subtract 2p."),
    (
        (equals(_t_len(padding=-2)),
         "Padding works the other way round here: it crops p positions off each end of the output, it adds none."),
        (equals(_t_len(padding=1)), "Padding crops both ends: subtract 2p, not p."),
        (equals(_t_len() + 3), "The last stamp starts at (n − 1)·s, not n·s: the first stamp starts at 0."),
        (equals(_t_len() + 1), "Check the span of one stamp: k taps cover d(k − 1) + 1 positions, not d·k + 1; "
         "and the output is not simply n·s long."),
        (equals(output_size(6, 5, stride=3, padding=2)),
         "That is the forward convolution's formula, which shrinks. The transposed one grows: (n − 1)·s − 2p + d(k − 1) + output_padding + 1."),
    ),
    "Stamps start s apart: the last at (n − 1)·s, covering d(k − 1) + 1 positions; "
    "padding crops p from each end; output_padding adds positions back at the end.",
    formula=TRANSPOSED_SIZE,
)

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


register(Exercise(
    "transpose_value", "08",
    givens="conv_transpose2d with input [[2, −1], [3, 4]], kernel [[1, 2, 0], [0, 1, −1], [3, 1, 2]], "
           "stride 2, no padding; output row 2, column 1",
    answer=lambda: _transposed()[_TPOS],
    solution=_stamp_text,
    mistakes=(
        (equals(*[v * w for _, v, _, w in _stamps_at()]),
         "That is one stamp. Another input element's stamp lands on the same position: find every "
         "input element i, j and tap u, v with 2i + u = row and 2j + v = column."),
        (equals(sum(v * int(_TW[2 - tap[0], 2 - tap[1]]) for _, v, tap, _ in _stamps_at())),
         "The right stamps, the wrong taps: input element i's tap u lands on i·s + u, so the kernel is not flipped in the scatter reading."),
        (equals(_transposed()[_TPOS[::-1]]), "Rows come first: row 2, column 1."),
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


register(Exercise(
    "stamp_count", "08",
    givens="a transposed convolution with a 5×5 kernel, stride 2, no padding, on a 7×7 input; "
           "the stamps that land on output row 8, column 5",
    answer=lambda: _stamp_counts()[2],
    solution=lambda: (f"along the rows, the stamps of input rows {_stamp_counts()[0]} cover row 8 "
                      f"({len(_stamp_counts()[0])}); along the columns, those of input columns "
                      f"{_stamp_counts()[1]} cover column 5 ({len(_stamp_counts()[1])}); "
                      f"{len(_stamp_counts()[0])} × {len(_stamp_counts()[1])} = {_stamp_counts()[2]}"),
    mistakes=(
        (equals(len(_stamp_counts()[0]) + len(_stamp_counts()[1])),
         "The counts along the rows and along the columns multiply, not add: a stamp must cover both the row and the column."),
        (equals(len(_stamp_counts()[0]) ** 2, len(_stamp_counts()[1]) ** 2),
         "Row 8 and column 5 are not alike: an even and an odd position get different counts with kernel 5 and stride 2. Count each axis on its own."),
        (equals(25), "Not every tap of every stamp lands there: count the input elements whose stamp covers the position."),
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


register(Exercise(
    "weight_grad", "09",
    givens="conv1d of x = [3, −1, 4, 1, 5, 2, 6] with a kernel of length 3, stride 2, and the loss "
           "L = the sum of the outputs; the gradient of L with respect to w[2]",
    answer=lambda: _weight_grad()[_GTAP],
    solution=lambda: (f"{output_size(len(_GX), _GK, stride=_GS)} outputs, each with output gradient 1, "
                      f"their windows starting at {', '.join(str(o * _GS) for o in range(output_size(len(_GX), _GK, stride=_GS)))}; "
                      f"tap 2 multiplies x[2], x[4], x[6] = {_read_by_tap()}, so the gradient is "
                      f"{' + '.join(map(str, _read_by_tap()))} = {_weight_grad()[_GTAP]}"),
    mistakes=(
        (equals(sum(_GX)), "Not every input meets w[2]: only the ones under tap 2 of some window."),
        (equals(_weight_grad(stride=1)[_GTAP]),
         "Did you use the stride? With stride 2 there are fewer windows, and tap 2 meets fewer inputs."),
        (equals(_weight_grad()[0], _weight_grad()[1]), "That is the gradient of another tap: w[2] is the last of the three."),
        (equals(len(_read_by_tap())), "That counts the products. Each is (the input under tap 2) × (the output gradient, 1 here): add them up."),
        (equals(sum(_read_by_tap()) - _read_by_tap()[-1]), "Did you forget the last window? It ends exactly at the last input."),
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


register(Exercise(
    "input_grad", "09",
    givens="conv1d of a signal of length 7 with the kernel [1, −3, 4], stride 2 (3 outputs); "
           "the output gradient g = [3, −2, 5]; the gradient with respect to x[2]",
    answer=lambda: _input_grad()[_IPOS],
    solution=lambda: ("two windows read x[2]: " + "; ".join(
        f"output {o} with tap {t}, g[{o}]·w[{t}] = {_paren(g)}·{_paren(w)} = {g * w}" for o, t, g, w in _input_terms())
        + f"; the sum is {_input_grad()[_IPOS]}"),
    mistakes=(
        (equals(*[g * w for _, _, g, w in _input_terms()]),
         "That is one window. x[2] is read by two windows: add a product from each."),
        (equals(sum(_IG[o] * _IW[o] for o, _, _, _ in _input_terms()),
                sum(_IG[o] * _IW[len(_IW) - 1 - t] for o, t, _, _ in _input_terms())),
         "Pair each output gradient with the tap that read x[2] in its window: the window of output o starts at 2o."),
        (equals(grad.conv1d_input((5,), _IW, _IG)[_IPOS]),
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


register(Exercise(
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
        (equals((_max_answer()[0], int(np.ravel_multi_index(_ties()[1], _MX.shape)))),
         "A tie: PyTorch keeps the first largest value in row-by-row order and replaces it only by a strictly larger one."),
        (equals((_max_answer()[0], _max_step().winner)),
         "That is the winner's place inside the window. return_indices counts through the whole input plane: row · W + column."),
        (equals((_max_answer()[0], _ties()[0][1] * _MX.shape[0] + _ties()[0][0])),
         "Flat indices count row by row: row · W + column, with W the number of columns."),
        (equals((_max_answer()[0], _ties()[0][0] * _MX.shape[0] + _ties()[0][1])),
         "W is the number of columns of the input, not of rows."),
        (when(lambda g: isinstance(g, (tuple, list)) and len(g) == 2 and isinstance(g[1], (tuple, list)),
              (_max_answer()[0], _ties()[0])),
         "PyTorch reports one flat index per output, not a (row, column) pair: row · W + column."),
        (when(lambda g: isinstance(g, (tuple, list)) and len(g) == 2 and not same(g[0], _max_answer()[0]),
              (_max_step().patch.min(), _max_answer()[1])),
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


register(Exercise(
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
        (near(_avg_step(True).value),
         "You divided by the whole window. count_include_pad=False counts only the inputs inside the image."),
        (equals(_avg_step().total), "That is the sum: divide it by the number of inputs the window holds."),
        (near(avg_pool2d(_AX, **_AK, count_include_pad=False)[_APOS[::-1]]), "Rows come first: row 0, column 1."),
        (near(avg_pool2d(_AX, 3, stride=2)[0, 0]),
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


register(Exercise(
    "stem_field", "10",
    givens="a 7×7 convolution with stride 2 and padding 3, then a 3×3 max pool with stride 2 and "
           "padding 1, then a 3×3 convolution with padding 1 (the stem of a ResNet); the receptive field of one output, per side",
    answer=lambda: _stem().size,
    solution=lambda: ("sizes " + ", ".join(str(f.size) for f in _stem().layers) + "; jumps "
                      + ", ".join(str(f.jump) for f in _stem().layers)
                      + f": 1 + (7 − 1)·1 = 7, then 7 + (3 − 1)·2 = 11, then 11 + (3 − 1)·4 = {_stem().size}"),
    mistakes=(
        (equals(7 + 2 + 2),
         "Did you multiply by the jump? After a stride-2 layer, one step of the next layer is 2 input positions; after two, 4."),
        (equals(7 + 2 * 2 + 2 * 2),
         "The pool's stride counts too: after the convolution and the pool the jump is 2·2."),
        (equals(7 + 3 + 3), "Each layer adds (k − 1) steps, and each step is the jump in input positions."),
        (equals(7 * 3 * 3), "Sizes do not multiply: each layer adds (k − 1)·d·jump input positions."),
        (equals(1 + 6 * 2 + 2 * 4 + 2 * 4),
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


register(Exercise(
    "causal_reach", "11",
    givens="a causal stack of 3 layers with kernel 3 and dilations 1, 3 and 9; output 30 of a long "
           "sequence: how many inputs before time 30 it reads",
    answer=lambda: len(_reach()),
    solution=lambda: (f"each layer adds (k − 1)·d: 1 + 2·1 + 2·3 + 2·9 = "
                      f"{receptive_field(causal_layers(_DK, dilations=_DIL)).size} positions, "
                      f"inputs {min(_reach())} to 30 with no holes; all but time 30 itself: {len(_reach())}"),
    mistakes=(
        (equals(len(_reach()) + 1), "That counts time 30 itself too; the question asks for the inputs before it."),
        (equals(2 * len(_DIL), 2 * len(_DIL) + 1),
         "The dilation multiplies the span: a kernel of 3 with dilation d reaches (3 − 1)·d steps back, not 2."),
        (equals(sum(_DIL), sum(_DIL) + 1, sum(_DIL) - 1),
         "Each layer reaches (k − 1)·d steps back, not d: a kernel of 3 has two steps between its taps."),
        (equals(_DK * sum(_DIL), _DK * sum(_DIL) + 1),
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


register(Exercise(
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
        (equals(_SY["n"]),
         "That is what causal_conv1d gives, with the padding on the left only. nn.Conv1d's padding goes on both sides."),
        (equals(_SY["n"] - 4), "Did you add the padding? It goes on both ends: 2p."),
        (equals(_SY["n"] + 8 - (_SY["k"] - 1)),
         "With dilation 2 the kernel spans d(k − 1) + 1 positions, not k."),
        (equals(_SY["n"] + 8), "The kernel spans more than one position: subtract d(k − 1)."),
    ),
    general_hint="Use the output-size formula of notebook 04: N + 2p − d(k − 1), since the stride is 1.",
))

# -- 10 · ceil_mode in 2-D: one axis gains a window, the other does not ------------------
_CEIL = dict(kernel_size=3, stride=2)
_CEIL_IN = (7, 8)


def _pooled(ceil_mode=True, sides=_CEIL_IN):
    return tuple(pool_output_size(n, **_CEIL, ceil_mode=ceil_mode) for n in sides)


def _ceil_working(n) -> str:
    extra = (n - _CEIL["kernel_size"]) % _CEIL["stride"]
    floor, ceil = pool_output_size(n, **_CEIL), pool_output_size(n, **_CEIL, ceil_mode=True)
    if not extra:
        return f"{n} − 3 = {n - 3} divides by 2 exactly: {floor} windows either way"
    return (f"{n} − 3 = {n - 3} leaves a remainder: rounding down gives {floor} windows, rounding up "
            f"{ceil}, and the last one starts at {(ceil - 1) * 2}, inside the input, so it is kept")


register(Exercise(
    "ceil_mode_2d", "10",
    givens="max_pool2d with kernel 3, stride 2, no padding, ceil_mode=True on a 7×8 input (7 rows, 8 columns); the output's shape",
    answer=_pooled, form="a tuple (rows, columns)",
    solution=lambda: (f"rows: {_ceil_working(7)}; columns: {_ceil_working(8)}; so {_pooled()}, where "
                      f"ceil_mode=False gives {_pooled(False)}"),
    mistakes=(
        (equals(_pooled(False)), "That is ceil_mode=False. With ceil_mode=True a last window that overhangs "
         "the input is kept, if it starts inside the input."),
        (equals(_pooled()[::-1]), "Rows come first: the input has 7 rows and 8 columns."),
        (equals((_pooled()[1], _pooled()[1])),
         "The rows: the 7 rows minus the kernel divide by the stride exactly, so no window overhangs and ceil_mode adds nothing there."),
    ),
    general_hint="Each axis on its own: (n − k) / s, rounded up with ceil_mode, plus 1; a window that "
                 "would start past the input is dropped.",
))
