"""Design problems: choose a layer's settings (kernel, stride, padding, dilation) for a target
output length or receptive field. Any settings that reach the target are right: each
exercise's ``problem`` computes what the given settings do with convcore (``output_size``,
``transpose_output_size``, ``receptive_field``, ``conv_transpose1d``) and says what they give
instead; its ``answer()`` is the first valid design of a small search, never typed in.
"""
from __future__ import annotations

import itertools

import numpy as np

from ...api import explain_output_size, output_size
from ...causal import causal_layers
from ...receptive import receptive_field
from ...transpose import conv_transpose1d, explain_transpose_output_size, transpose_output_size
from .core import DesignExercise, _add, first_valid, settings

CONV = ("kernel_size", "stride", "padding", "dilation")
DEFAULTS = dict(stride=1, padding=0, dilation=1)


def _grid(keys, *ranges):
    return [dict(zip(keys, values)) for values in itertools.product(*ranges)]


def _length_problem(n, target, keys, at_least=None):
    """The problem of a Conv1d design that must turn length ``n`` into ``target``; ``at_least``
    = (what, minimum, how to compute it from the settings) adds a constraint."""
    def problem(given):
        s = {**DEFAULTS, **settings(given, keys, DEFAULTS)}
        if at_least:
            what, minimum, measure = at_least
            if measure(s) < minimum:
                return f"{what} is {measure(s)}, and it must be at least {minimum}"
        got = output_size(n, s["kernel_size"], s["stride"], s["padding"], s["dilation"])
        return None if got == target else f"those settings give length {got}; the target is {target}"
    return problem


def _working(n, given) -> str:
    s = {**DEFAULTS, **given}
    return explain_output_size(n, s["kernel_size"], s["stride"], s["padding"], s["dilation"])


# -- 04 · halve a length ---------------------------------------------------------------
_HALVE = _length_problem(64, 32, CONV[:3], ("the kernel size", 3, lambda s: s["kernel_size"]))

_add(DesignExercise(
    "design_halve", "04",
    givens="nn.Conv1d from length 64 to length 32, kernel_size at least 3: choose kernel_size, stride, padding",
    form="a dict such as dict(kernel_size=..., stride=..., padding=...)",
    answer=lambda: first_valid(_HALVE, _grid(CONV[:3], range(3, 8), range(1, 4), range(0, 4))),
    problem=_HALVE,
    solution=lambda: (f"one design is {first_valid(_HALVE, _grid(CONV[:3], range(3, 8), range(1, 4), range(0, 4)))}: "
                      f"{_working(64, first_valid(_HALVE, _grid(CONV[:3], range(3, 8), range(1, 4), range(0, 4))))}; "
                      f"kernel 4 with stride 2 and padding 1 works too, and so does kernel 5 with padding 2"),
    mistakes=(
        (lambda g: output_size(64, g["kernel_size"], g.get("stride", 1), g.get("padding", 0)) == 31,
         "One short: pad so that the last window fits, about half the kernel on each side."),
        (lambda g: g.get("stride", 1) == 1, "With stride 1 the length barely changes: a stride of 2 halves it."),
    ),
    general_hint="A stride of 2 halves the number of window positions; padding about half the kernel on each "
                 "side makes up for the kernel's own width.",
))

# -- 04 · a wide kernel that keeps the length --------------------------------------------
_SPAN = ("the kernel's span d·(k − 1) + 1", 9, lambda s: s["dilation"] * (s["kernel_size"] - 1) + 1)
_WIDE = _length_problem(50, 50, ("kernel_size", "dilation", "padding"), _SPAN)
_WIDE_GRID = _grid(("kernel_size", "dilation", "padding"), range(3, 10), range(1, 5), range(0, 9))

_add(DesignExercise(
    "design_wide_same", "04",
    givens="nn.Conv1d keeps a sequence of length 50 at length 50 (stride 1) with a kernel that spans at least "
           "9 positions: choose kernel_size, dilation and padding (one number for both sides)",
    form="a dict such as dict(kernel_size=..., dilation=..., padding=...)",
    answer=lambda: first_valid(_WIDE, _WIDE_GRID),
    problem=_WIDE,
    solution=lambda: (f"one design is {first_valid(_WIDE, _WIDE_GRID)}: {_working(50, first_valid(_WIDE, _WIDE_GRID))}; "
                      f"any odd span of at least 9 works with padding (span − 1) / 2, such as kernel 9 with "
                      f"dilation 1 or kernel 5 with dilation 2, both with padding 4"),
    mistakes=(
        (lambda g: g["padding"] == (g["kernel_size"] - 1) // 2 and g["dilation"] > 1,
         "The padding must make up for the whole span: d·(k − 1) / 2 on each side, the dilation included."),
        (lambda g: g["dilation"] * (g["kernel_size"] - 1) % 2 == 1,
         "An even d·(k − 1) is needed: one number of padding on both sides adds an even amount."),
    ),
    general_hint="The length stays when 2·padding = d·(k − 1); pick k and d for the span first.",
))

# -- 02 · a 2-D stem that halves the image ---------------------------------------------------
_STEM_KEYS = ("in_channels", "out_channels", "kernel_size", "stride", "padding")
_STEM_IN, _STEM_OUT = (3, 224), (64, 112)


def _stem_problem(given):
    s = settings(given, _STEM_KEYS, DEFAULTS)
    if s["in_channels"] != _STEM_IN[0]:
        return f"in_channels is {s['in_channels']}, but the input has {_STEM_IN[0]} channels"
    if s["out_channels"] != _STEM_OUT[0]:
        return f"out_channels is {s['out_channels']}, but the output needs {_STEM_OUT[0]} channels"
    side = output_size(_STEM_IN[1], s["kernel_size"], s["stride"], s["padding"])
    return None if side == _STEM_OUT[1] else f"those settings give {side}×{side}; the target is {_STEM_OUT[1]}×{_STEM_OUT[1]}"


_STEM_GRID = [dict(in_channels=3, out_channels=64, **g) for g in _grid(CONV[:3], (7, 5, 3), range(1, 3), range(0, 4))]

_add(DesignExercise(
    "design_stem", "02",
    givens="nn.Conv2d from a (3, 224, 224) input to a (64, 112, 112) output: choose in_channels, out_channels, "
           "kernel_size, stride, padding (square)",
    form="a dict such as dict(in_channels=..., out_channels=..., kernel_size=..., stride=..., padding=...)",
    answer=lambda: first_valid(_stem_problem, _STEM_GRID),
    problem=_stem_problem,
    solution=lambda: (f"one design is {first_valid(_stem_problem, _STEM_GRID)}, ResNet's first layer: each side "
                      f"{_working(224, first_valid(_stem_problem, _STEM_GRID))}; kernel 3 with padding 1, stride 2 "
                      f"works too"),
    mistakes=(
        (lambda g: g["in_channels"] == 64 or g["out_channels"] == 3,
         "in_channels is what comes in (the input's channels), out_channels what goes out (the filters)."),
    ),
    general_hint="The channels come from the shapes; the side must halve: stride 2 and padding about half the kernel.",
))

# -- 10 · two layers that see 9 inputs ---------------------------------------------------------
_FIELD_TARGET = 9


def _stack(given):
    if not isinstance(given, (list, tuple)) or len(given) != 2 or not all(isinstance(g, dict) for g in given):
        raise TypeError("the answer is a list of two dicts, one per layer, such as [dict(stride=..., dilation=...), dict(...)]")
    return [dict(kernel_size=3, **settings(g, ("stride", "dilation"), DEFAULTS)) for g in given]


def _field_problem(given):
    size = receptive_field(_stack(given)).size
    return None if size == _FIELD_TARGET else f"one output of that stack sees {size} input positions; the target is {_FIELD_TARGET}"


_FIELD_GRID = [[dict(stride=s1, dilation=d1), dict(stride=1, dilation=d2)]
               for s1, d1, d2 in itertools.product(range(1, 4), range(1, 4), range(1, 4))]

_add(DesignExercise(
    "design_field", "10",
    givens="two convolutions, each with kernel_size 3: choose each one's stride and dilation so that one output "
           "of the second sees exactly 9 input positions per side",
    form="a list of two dicts, such as [dict(stride=..., dilation=...), dict(stride=..., dilation=...)]",
    answer=lambda: first_valid(_field_problem, _FIELD_GRID),
    problem=_field_problem,
    solution=lambda: (f"one design is {first_valid(_field_problem, _FIELD_GRID)}: sizes "
                      f"{', '.join(str(f.size) for f in receptive_field(_stack(first_valid(_field_problem, _FIELD_GRID))).layers)}; "
                      f"any with 1 + 2·d1 + 2·d2·s1 = 9 works, such as dilations 2 and 2, or stride 3 then dilation 1"),
    mistakes=(
        (lambda g: 1 + 2 * g[0].get("dilation", 1) + 2 * g[1].get("dilation", 1) == _FIELD_TARGET,
         "The first layer's stride multiplies every step of the second: r grows by (k − 1)·d·j, j the stride below."),
        (lambda g: g[1].get("stride", 1) > 1 and receptive_field(_stack(g)).size < _FIELD_TARGET,
         "The last layer's own stride does not widen what one of its outputs sees: only the strides below it count."),
    ),
    general_hint="Notebook 10's recurrence: r = 1 + (3 − 1)·d1, then r + (3 − 1)·d2·s1.",
))

# -- 11 · a causal stack that reads 16 inputs, no holes --------------------------------------
_CAUSAL_SIZE, _CAUSAL_LAYERS = 16, 4


def _causal_problem(given):
    if not isinstance(given, (list, tuple)) or len(given) != _CAUSAL_LAYERS:
        raise TypeError(f"the answer is {_CAUSAL_LAYERS} dilations, one per layer")
    rf = receptive_field(causal_layers(2, dilations=given))
    reads = rf.inputs_of(100, 200)
    if rf.size != _CAUSAL_SIZE:
        return f"output t of that stack reaches back to t − {rf.size - 1}: {rf.size} positions; the target is {_CAUSAL_SIZE}"
    if len(reads) != _CAUSAL_SIZE:
        return f"it spans {_CAUSAL_SIZE} positions but reads only {len(reads)} of them: the others are holes"
    return None


_add(DesignExercise(
    "design_causal", "11",
    givens="a causal stack of 4 layers with kernel 2: choose the 4 dilations so that output t reads exactly the "
           "16 inputs t − 15 to t, every one of them",
    form="a tuple of dilations, one per layer, such as (1, 1, 1, 1)",
    answer=lambda: first_valid(_causal_problem, itertools.product(range(1, 9), repeat=_CAUSAL_LAYERS)),
    problem=_causal_problem,
    solution=lambda: (f"one design is {first_valid(_causal_problem, itertools.product(range(1, 9), repeat=_CAUSAL_LAYERS))}: "
                      f"each layer of kernel 2 reaches d further back, 1 + 1 + 2 + 4 + 8 = "
                      f"{receptive_field(causal_layers(2, (1, 2, 4, 8))).size}, and doubling dilations leave no hole; "
                      f"the same dilations in another order work too"),
    mistakes=(
        (lambda g: 1 + sum(g) == _CAUSAL_SIZE,
         "The span is right but some inputs are skipped: each layer must fill the gaps of the ones below, as doubling dilations do."),
    ),
    general_hint="With kernel 2 a layer reaches d steps further back; the span is 1 + the sum of the dilations.",
))

# -- 08 · upsample 16 to exactly 32 --------------------------------------------------------------
_UP_KEYS = ("kernel_size", "stride", "padding", "output_padding")


def _up_problem(given):
    s = settings(given, _UP_KEYS, dict(padding=0, output_padding=0))
    got = transpose_output_size(16, s["kernel_size"], s["stride"], s["padding"], s["output_padding"])
    return None if got == 32 else f"those settings give length {got}; the target is 32"


_UP_GRID = _grid(_UP_KEYS, range(2, 6), range(1, 4), range(0, 3), range(0, 2))

_add(DesignExercise(
    "design_upsample", "08",
    givens="nn.ConvTranspose1d from length 16 to exactly length 32: choose kernel_size, stride, padding, output_padding",
    form="a dict such as dict(kernel_size=..., stride=..., padding=..., output_padding=...)",
    answer=lambda: first_valid(_up_problem, _UP_GRID),
    problem=_up_problem,
    solution=lambda: (f"one design is {first_valid(_up_problem, _UP_GRID)}: "
                      f"{explain_transpose_output_size(16, *first_valid(_up_problem, _UP_GRID).values())}; kernel 4, "
                      f"stride 2, padding 1 (the usual choice) works too, and kernel 3, stride 2, padding 1, output_padding 1"),
    mistakes=(
        (lambda g: transpose_output_size(16, g["kernel_size"], g["stride"], g.get("padding", 0), g.get("output_padding", 0)) == 31,
         "One short: output_padding gives a position back at the end (it must stay below the stride)."),
        (lambda g: g["stride"] == 1, "Stride 1 adds only k − 1 positions: a stride of 2 doubles the length."),
    ),
    general_hint="(n − 1)·s − 2p + (k − 1) + output_padding + 1: stride 2 nearly doubles; the rest fine-tunes.",
))

# -- 08 · no checkerboard ----------------------------------------------------------------------
def _stamp_counts(given) -> np.ndarray:
    s = settings(given, ("kernel_size", "stride"))
    if s["stride"] < 2:
        raise ValueError("the stride must be at least 2, to upsample")
    counts = conv_transpose1d(np.ones(12, dtype=int), np.ones(s["kernel_size"], dtype=int), stride=s["stride"])
    margin = s["kernel_size"]
    return counts[margin:-margin]          # away from the borders, where fewer stamps reach


def _even_problem(given):
    counts = sorted(set(_stamp_counts(given).tolist()))
    if len(counts) == 1:
        return None
    return f"away from the borders outputs get {' or '.join(map(str, counts))} stamps: a checkerboard"


_EVEN_GRID = _grid(("kernel_size", "stride"), range(1, 7), range(2, 5))

_add(DesignExercise(
    "design_even_stamps", "08",
    givens="a transposed convolution with stride at least 2: choose kernel_size and stride so that away from the "
           "borders every output gets the same number of stamps",
    form="a dict such as dict(kernel_size=..., stride=...)",
    answer=lambda: first_valid(_even_problem, _EVEN_GRID),
    problem=_even_problem,
    solution=lambda: (f"one design is {first_valid(_even_problem, _EVEN_GRID)}: every output away from the "
                      f"borders gets the same number of stamps, {_stamp_counts(first_valid(_even_problem, _EVEN_GRID))[0]}; any kernel that the stride divides works, "
                      f"such as kernel 4 with stride 2 or kernel 6 with stride 3"),
    mistakes=(
        (lambda g: g["kernel_size"] < g["stride"], "A kernel shorter than the stride leaves gaps: some outputs get no stamp at all."),
    ),
    general_hint="Along one axis an output gets k / s stamps when s divides k; otherwise the counts alternate.",
))
