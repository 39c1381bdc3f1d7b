"""Write-the-code exercises: the learner defines a small NumPy function, and ``check`` runs
it on seeded random inputs against convcore (the answer). A mismatch names the input, the
shape or kind expected, and the mistake the output looks like; never the expected values.

Each ``mistakes`` entry is a mistaken implementation built on convcore (the kernel flipped,
the +1 forgotten, ...) with its hint: a learner's output that agrees with it gets that hint.
"""
from __future__ import annotations

import numpy as np

from ...api import conv1d, conv2d, output_size, trace2d
from ...pooling import max_pool2d
from ...transpose import conv_transpose1d, transpose_output_size
from .core import CodeExercise, register

OFF_BY_ONE = "Off by one: did you forget the +1? It counts the window's first position."


def _code(name, topic, signature, returns, oracle, cases, about, working, mistakes, hint) -> None:
    """A write-code exercise: the learner's ``signature`` against ``oracle`` (convcore's function,
    called with the same positional arguments) on ``cases``; ``about`` says what the inputs are."""
    fn, oracle_name = oracle
    register(CodeExercise(name, topic, givens=f"your {signature} on {about}, compared with {oracle_name} on "
                          f"{len(cases())} seeded random inputs",
                          form=f"a function {signature} returning {returns}", answer=lambda: fn, cases=cases,
                          solution=lambda: working, mistakes=mistakes, general_hint=hint))


def _ints(rng, *shape):
    """Small integers (so ties happen and sums are exact), as a float-free array."""
    return rng.integers(-4, 6, size=shape)


# -- 01 · conv1d in a few lines --------------------------------------------------------
def _conv1d_cases():
    rng = np.random.default_rng(101)
    return [dict(x=_ints(rng, n), w=_ints(rng, k)) for n, k in ((5, 3), (8, 2), (7, 4), (9, 5), (6, 1), (4, 4))]


_code("code_conv1d", "01", "conv1d_valid(x, w)", "a 1-D array", (conv1d, "convcore.conv1d"), _conv1d_cases,
      "1-D integer arrays x and w, no padding, stride 1",
      "output o is the sum over taps t of w[t]·x[o + t], for o from 0 to len(x) − len(w): the kernel is not flipped",
      ((lambda x, w: conv1d(x, w[::-1]), "Looks like the kernel was flipped (that is np.convolve): deep learning "
                                         "slides w as it is, w[0] on the window's first number."),
       (lambda x, w: conv1d(x, w)[:-1], "Off by one: the window fits len(x) − len(w) + 1 times; did you forget the +1?"),
       (lambda x, w: np.correlate(x, w, mode="full"), "No padding here: each output needs the whole window inside x."),
       (lambda x, w: np.correlate(x, w, mode="same"), "No padding here: each output needs the whole window inside x.")),
      "For each start o, multiply w by x[o:o + len(w)] number by number and add.")


# -- 04 · the output-size formula --------------------------------------------------------
def _size_cases():
    rng = np.random.default_rng(404)
    cases = [dict(n=10, k=3, stride=1, padding=0, dilation=1), dict(n=10, k=3, stride=1, padding=2, dilation=1),
             dict(n=10, k=3, stride=2, padding=0, dilation=1), dict(n=10, k=3, stride=1, padding=0, dilation=2)]
    while len(cases) < 12:
        case = dict(n=int(rng.integers(5, 30)), k=int(rng.integers(1, 6)), stride=int(rng.integers(1, 4)),
                    padding=int(rng.integers(0, 3)), dilation=int(rng.integers(1, 3)))
        if case["n"] + 2 * case["padding"] >= case["dilation"] * (case["k"] - 1) + 1:
            cases.append(case)
    return cases


def _formula(n, k, stride, padding, dilation, pads=2, span=None, rounding=np.floor, plus=1):
    """The output-size formula with one of its parts changed (a mistaken implementation)."""
    span = dilation * (k - 1) if span is None else span
    return int(rounding((n + pads * padding - span - 1) / stride)) + plus


_code("code_output_size", "04", "output_length(n, k, stride, padding, dilation)", "a whole number",
      (output_size, "convcore.output_size"), _size_cases, "settings that fit",
      "(n + 2·padding − dilation·(k − 1) − 1) // stride + 1, with // rounding down",
      ((lambda *a: _formula(*a, plus=0), OFF_BY_ONE),
       (lambda *a: _formula(*a, pads=1), "The padding goes on both ends: add 2·padding."),
       (lambda n, k, *a: _formula(n, k, *a, span=k - 1), "Dilation spreads the taps: the kernel spans dilation·(k − 1) + 1 positions."),
       (lambda *a: _formula(*a, rounding=np.ceil), "The division rounds down (//), not up."),
       (lambda n, k, stride, *a: _formula(n, k, 1, *a), "Did you divide by the stride?")),
      "Count the window's positions: (n + 2p − d(k − 1) − 1) divided by s, rounded down, plus 1.")


# -- 02 · a 2-D convolution of one channel ------------------------------------------------
def _conv2d_cases():
    rng = np.random.default_rng(202)
    shapes = (((4, 5), (2, 3)), ((5, 5), (3, 3)), ((6, 4), (3, 2)), ((3, 3), (1, 1)), ((5, 7), (2, 2)))
    return [dict(x=_ints(rng, *xs), w=_ints(rng, *ws)) for xs, ws in shapes]


_code("code_conv2d", "02", "conv2d_one(x, w)", "a 2-D array", (conv2d, "convcore.conv2d"), _conv2d_cases,
      "2-D integer arrays (one channel, rectangles too), no padding, stride 1",
      "out[r, c] is the sum of w times x[r:r + kH, c:c + kW], for every r and c where the window fits: "
      "H − kH + 1 rows, W − kW + 1 columns",
      ((lambda x, w: conv2d(x, w[::-1, ::-1]), "Looks like the kernel was flipped: deep learning lays w on the window as it is."),
       (lambda x, w: conv2d(x, w)[:-1, :-1], OFF_BY_ONE),
       (lambda x, w: conv2d(x, w)[:-1], OFF_BY_ONE + " (rows)"),
       (lambda x, w: conv2d(x, w)[:, :-1], OFF_BY_ONE + " (columns)"),
       (lambda x, w: conv2d(x.T, w).T, "Rows and columns are mixed up: x[r, c] is row r, column c, and the "
        "window of out[r, c] starts there.")),
      "Two loops, over the output's rows and columns; in each, the window x[r:r + kH, c:c + kW] times w, summed.")


# -- 10 · a max pool's indices -----------------------------------------------------------
def _pool_cases():
    rng = np.random.default_rng(1010)
    shapes = (((4, 6), 2), ((6, 6), 3), ((5, 7), 2), ((6, 4), 2), ((3, 5), 3))
    return [dict(x=rng.integers(0, 4, size=s), k=k) for s, k in shapes]   # values 0-3: ties


def pool_indices(x, k):
    return max_pool2d(x, k, return_indices=True)[1]


def _rows_cols(x, k):
    return np.divmod(pool_indices(x, k), np.shape(x)[1])


def _last_of_ties(x, k):
    """Indices when a tie goes to the last largest value (the windows read back to front)."""
    h, w = (np.shape(x)[0] // k) * k, (np.shape(x)[1] // k) * k
    back = max_pool2d(np.asarray(x)[:h, :w][::-1, ::-1], k, return_indices=True)[1][::-1, ::-1]
    rows, cols = np.divmod(back, w)
    return (h - 1 - rows) * np.shape(x)[1] + (w - 1 - cols)


_code("code_max_pool_indices", "10", "max_pool_indices(x, k)", "a 2-D array of whole numbers",
      (pool_indices, "convcore.max_pool2d(x, k, return_indices=True)"), _pool_cases,
      "2-D integer arrays with ties, kernel k, stride k, no padding",
      "for each window, the place of its first largest value (row by row), as row · W + column in the whole "
      "input, W its number of columns",
      ((lambda x, k: (_rows_cols(x, k)[0] % k) * k + _rows_cols(x, k)[1] % k,
        "That is the place inside the window. return_indices counts through the whole input: row · W + column."),
       (lambda x, k: _rows_cols(x, k)[0] * np.shape(x)[0] + _rows_cols(x, k)[1],
        "W is the number of columns of the input, not of rows."),
       (_last_of_ties, "A tie: PyTorch keeps the first largest value, row by row, and replaces it only by a strictly larger one.")),
      "Window (i, j) covers rows k·i to k·i + k − 1 and columns k·j to k·j + k − 1; np.argmax of the window, "
      "flattened row by row, finds its first largest value.")


# -- 06 · the rows of im2col -------------------------------------------------------------
def _im2col_cases():
    rng = np.random.default_rng(606)
    shapes = (((1, 3, 3), 2), ((2, 4, 5), 2), ((3, 4, 4), 3), ((2, 3, 3), 1))
    return [dict(x=_ints(rng, *s), k=k) for s, k in shapes]


def im2col_rows(x, k):
    """One row per output position, in the order trace2d visits them: that position's patch,
    channel by channel, flattened row by row (notebook 06's layout)."""
    steps = trace2d(x, np.zeros((1, np.shape(x)[0], k, k), dtype=int))
    return np.stack([step.patch.ravel() for step in steps])


def _channels_last(x, k):
    rows = im2col_rows(x, k)
    return rows.reshape(len(rows), np.shape(x)[0], k * k).transpose(0, 2, 1).reshape(len(rows), -1)


_code("code_im2col", "06", "im2col(x, k)", "a 2-D array", (im2col_rows, "the patches of convcore.trace2d"), _im2col_cases,
      "(C, H, W) integer arrays, a k×k kernel, no padding, stride 1, in notebook 06's layout",
      "one row per output position, row by row: x[:, r:r + k, c:c + k] flattened, channel by channel, so "
      "(H − k + 1)·(W − k + 1) rows of C·k·k numbers",
      ((lambda x, k: im2col_rows(x, k).T, "Rows and columns are swapped: in notebook 06 each row is one output position's patch."),
       (_channels_last, "Inside a row the numbers go channel by channel: all of channel 0's window, then channel 1's."),
       (lambda x, k: im2col_rows(x[:, :-1, :-1], k), OFF_BY_ONE)),
      "For each output position (r, c), row by row, take x[:, r:r + k, c:c + k] and flatten it into one row.")


# -- 08 · a transposed convolution's output length ----------------------------------------
def _transpose_cases():
    rng = np.random.default_rng(808)
    cases = [dict(n=4, k=3, stride=1, padding=0, output_padding=0)]
    while len(cases) < 12:
        s = int(rng.integers(1, 4))
        case = dict(n=int(rng.integers(1, 12)), k=int(rng.integers(1, 6)), stride=s, padding=int(rng.integers(0, 3)),
                    output_padding=int(rng.integers(0, s)))
        if transpose_output_size(case["n"], case["k"], s, 0, case["output_padding"]) > 2 * case["padding"]:
            cases.append(case)
    return cases


_code("code_transpose_length", "08", "transposed_length(n, k, stride, padding, output_padding)", "a whole number",
      (transpose_output_size, "convcore.transpose_output_size"), _transpose_cases, "settings that give an output",
      "(n − 1)·stride − 2·padding + (k − 1) + output_padding + 1: the stamps start stride apart, padding crops both ends",
      ((lambda n, k, stride, padding, _: (n - k + 2 * padding) // stride + 1,
        "That is the forward convolution's formula, which shrinks. The transposed one grows."),
       (lambda n, k, stride, padding, _: transpose_output_size(n, k, stride, padding),
        "Did you add output_padding? It gives positions back at the end."),
       (lambda *a: transpose_output_size(*a) + 4 * a[3], "Padding crops the output of a transposed convolution: subtract 2·padding."),
       (lambda *a: transpose_output_size(*a) + a[2], "The last stamp starts at (n − 1)·stride, not n·stride: the first starts at 0."),
       (lambda *a: transpose_output_size(*a) - 1, OFF_BY_ONE)),
      "Stamps start stride apart, the last at (n − 1)·stride, and cover k positions; padding crops padding "
      "positions off each end; output_padding adds positions at the end.")


# -- 08 · a transposed convolution, stamp by stamp ----------------------------------------
def _stamp_cases():
    rng = np.random.default_rng(888)
    return [dict(x=_ints(rng, n), w=_ints(rng, k), stride=s) for n, k, s in ((3, 3, 2), (4, 2, 1), (3, 4, 3), (2, 3, 3), (5, 3, 2))]


def stamps(x, w, stride):
    return conv_transpose1d(x, w, stride=stride)


def _last_stamp_wins(x, w, stride):
    """Each stamp overwrites what is there instead of adding to it (a mistaken implementation)."""
    out = np.zeros(transpose_output_size(len(x), len(w), stride=stride), dtype=int)
    for i, v in enumerate(x):
        out[i * stride:i * stride + len(w)] = v * np.asarray(w)
    return out


_code("code_conv_transpose1d", "08", "conv_transpose1d(x, w, stride)", "a 1-D array", (stamps, "convcore.conv_transpose1d"),
      _stamp_cases, "1-D integer arrays, no padding",
      "start from zeros of length (len(x) − 1)·stride + len(w); input element i adds x[i]·w into positions "
      "i·stride to i·stride + len(w) − 1, where stamps overlap they add up",
      ((lambda x, w, stride: stamps(x, w[::-1], stride),
        "Looks like the kernel was flipped: in the scatter reading tap u of input i lands on i·stride + u."),
       (_last_stamp_wins, "Where stamps overlap they add up: use +=, not =."),
       (lambda *a: stamps(*a)[:-1], OFF_BY_ONE)),
      "Each input element stamps its value times the kernel into the output, stride positions after the previous "
      "one's stamp; overlaps add up.")
