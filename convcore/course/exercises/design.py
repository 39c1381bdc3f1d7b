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
from .core import DesignExercise, register, first_valid, settings

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


def _design(name, topic, givens, keys, problem, candidates, working, mistakes, hint) -> None:
    """A design problem: ``problem`` judges a design, the first of ``candidates`` it accepts is the
    computed answer, and ``working(design)`` explains that one. ``keys`` name the settings of a
    dict answer (or, as a string, describe another form)."""
    form = f"a dict such as dict({', '.join(k + '=...' for k in keys)})" if isinstance(keys, tuple) else keys
    found = lambda: first_valid(problem, candidates)   # noqa: E731
    register(DesignExercise(name, topic, givens=givens, form=form, answer=found, problem=problem,
                            solution=lambda: f"one design is {found()}: {working(found())}", mistakes=mistakes,
                            general_hint=hint))


def _working(n, given) -> str:
    s = {**DEFAULTS, **given}
    return explain_output_size(n, s["kernel_size"], s["stride"], s["padding"], s["dilation"])


# -- 04 · halve a length ---------------------------------------------------------------
_design("design_halve", "04",
        "nn.Conv1d from length 64 to length 32, kernel_size at least 3: choose kernel_size, stride, padding",
        CONV[:3], _length_problem(64, 32, CONV[:3], ("the kernel size", 3, lambda s: s["kernel_size"])),
        _grid(CONV[:3], range(3, 8), range(1, 4), range(0, 4)),
        lambda d: (f"{_working(64, d)}; kernel 4 with stride 2 and padding 1 works too, and so does kernel 5 "
                   f"with padding 2"),
        ((lambda g: output_size(64, g["kernel_size"], g.get("stride", 1), g.get("padding", 0)) == 31,
          "One short: pad so that the last window fits, about half the kernel on each side."),
         (lambda g: g.get("stride", 1) == 1, "With stride 1 the length barely changes: a stride of 2 halves it.")),
        "A stride of 2 halves the number of window positions; padding about half the kernel on each side makes "
        "up for the kernel's own width.")

# -- 04 · a wide kernel that keeps the length --------------------------------------------
_WIDE = ("kernel_size", "dilation", "padding")
_SPAN = ("the kernel's span d·(k − 1) + 1", 9, lambda s: s["dilation"] * (s["kernel_size"] - 1) + 1)
_design("design_wide_same", "04",
        "nn.Conv1d keeps a sequence of length 50 at length 50 (stride 1) with a kernel that spans at least 9 "
        "positions: choose kernel_size, dilation and padding (one number for both sides)",
        _WIDE, _length_problem(50, 50, _WIDE, _SPAN), _grid(_WIDE, range(3, 10), range(1, 5), range(0, 9)),
        lambda d: (f"{_working(50, d)}; any odd span of at least 9 works with padding (span − 1) / 2, such as "
                   f"kernel 9 with dilation 1 or kernel 5 with dilation 2, both with padding 4"),
        ((lambda g: g["padding"] == (g["kernel_size"] - 1) // 2 and g["dilation"] > 1,
          "The padding must make up for the whole span: d·(k − 1) / 2 on each side, the dilation included."),
         (lambda g: g["dilation"] * (g["kernel_size"] - 1) % 2 == 1,
          "An even d·(k − 1) is needed: one number of padding on both sides adds an even amount.")),
        "The length stays when 2·padding = d·(k − 1); pick k and d for the span first.")


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


_design("design_stem", "02",
        "nn.Conv2d from a (3, 224, 224) input to a (64, 112, 112) output: choose in_channels, out_channels, "
        "kernel_size, stride, padding (square)",
        _STEM_KEYS, _stem_problem,
        [dict(in_channels=3, out_channels=64, **g) for g in _grid(CONV[:3], (7, 5, 3), range(1, 3), range(0, 4))],
        lambda d: f"ResNet's first layer, each side {_working(224, d)}; kernel 3 with padding 1, stride 2 works too",
        ((lambda g: g["in_channels"] == 64 or g["out_channels"] == 3,
          "in_channels is what comes in (the input's channels), out_channels what goes out (the filters)."),),
        "The channels come from the shapes; the side must halve: stride 2 and padding about half the kernel.")

# -- 10 · two layers that see 9 inputs ---------------------------------------------------------
_FIELD_TARGET = 9


def _stack(given):
    if not isinstance(given, (list, tuple)) or len(given) != 2 or not all(isinstance(g, dict) for g in given):
        raise TypeError("the answer is a list of two dicts, one per layer, such as [dict(stride=..., dilation=...), dict(...)]")
    return [dict(kernel_size=3, **settings(g, ("stride", "dilation"), DEFAULTS)) for g in given]


def _field_problem(given):
    size = receptive_field(_stack(given)).size
    return None if size == _FIELD_TARGET else f"one output of that stack sees {size} input positions; the target is {_FIELD_TARGET}"


_design("design_field", "10",
        "two convolutions, each with kernel_size 3: choose each one's stride and dilation so that one output of "
        "the second sees exactly 9 input positions per side",
        "a list of two dicts, such as [dict(stride=..., dilation=...), dict(stride=..., dilation=...)]", _field_problem,
        [[dict(stride=s1, dilation=d1), dict(stride=1, dilation=d2)]
         for s1, d1, d2 in itertools.product(range(1, 4), range(1, 4), range(1, 4))],
        lambda d: (f"sizes {', '.join(str(f.size) for f in receptive_field(_stack(d)).layers)}; any with "
                   f"1 + 2·d1 + 2·d2·s1 = 9 works, such as dilations 2 and 2, or stride 3 then dilation 1"),
        ((lambda g: 1 + 2 * g[0].get("dilation", 1) + 2 * g[1].get("dilation", 1) == _FIELD_TARGET,
          "The first layer's stride multiplies every step of the second: r grows by (k − 1)·d·j, j the stride below."),
         (lambda g: g[1].get("stride", 1) > 1 and receptive_field(_stack(g)).size < _FIELD_TARGET,
          "The last layer's own stride does not widen what one of its outputs sees: only the strides below it count.")),
        "Notebook 10's recurrence: r = 1 + (3 − 1)·d1, then r + (3 − 1)·d2·s1.")

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


_design("design_causal", "11",
        "a causal stack of 4 layers with kernel 2: choose the 4 dilations so that output t reads exactly the 16 "
        "inputs t − 15 to t, every one of them",
        "a tuple of dilations, one per layer, such as (1, 1, 1, 1)", _causal_problem,
        list(itertools.product(range(1, 9), repeat=_CAUSAL_LAYERS)),
        lambda d: (f"each layer of kernel 2 reaches d further back, 1 + 1 + 2 + 4 + 8 = "
                   f"{receptive_field(causal_layers(2, d)).size}, and doubling dilations leave no hole; the same "
                   f"dilations in another order work too"),
        ((lambda g: 1 + sum(g) == _CAUSAL_SIZE, "The span is right but some inputs are skipped: each layer must fill "
          "the gaps of the ones below, as doubling dilations do."),),
        "With kernel 2 a layer reaches d steps further back; the span is 1 + the sum of the dilations.")


# -- 08 · upsample 16 to exactly 32 --------------------------------------------------------------
_UP_KEYS = ("kernel_size", "stride", "padding", "output_padding")


def _up_problem(given):
    s = settings(given, _UP_KEYS, dict(padding=0, output_padding=0))
    got = transpose_output_size(16, *s.values())
    return None if got == 32 else f"those settings give length {got}; the target is 32"


_design("design_upsample", "08",
        "nn.ConvTranspose1d from length 16 to exactly length 32: choose kernel_size, stride, padding, output_padding",
        _UP_KEYS, _up_problem, _grid(_UP_KEYS, range(2, 6), range(1, 4), range(0, 3), range(0, 2)),
        lambda d: (f"{explain_transpose_output_size(16, *d.values())}; kernel 4, stride 2, padding 1 (the usual "
                   f"choice) works too, and kernel 3, stride 2, padding 1, output_padding 1"),
        ((lambda g: transpose_output_size(16, *settings(g, _UP_KEYS, dict(padding=0, output_padding=0)).values()) == 31,
          "One short: output_padding gives a position back at the end (it must stay below the stride)."),
         (lambda g: g["stride"] == 1, "Stride 1 adds only k − 1 positions: a stride of 2 doubles the length.")),
        "(n − 1)·s − 2p + (k − 1) + output_padding + 1: stride 2 nearly doubles; the rest fine-tunes.")


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


_design("design_even_stamps", "08",
        "a transposed convolution with stride at least 2: choose kernel_size and stride so that away from the "
        "borders every output gets the same number of stamps",
        ("kernel_size", "stride"), _even_problem, _grid(("kernel_size", "stride"), range(1, 7), range(2, 5)),
        lambda d: (f"every output away from the borders gets the same number of stamps, {_stamp_counts(d)[0]}; any "
                   f"kernel that the stride divides works, such as kernel 4 with stride 2 or kernel 6 with stride 3"),
        ((lambda g: g["kernel_size"] < g["stride"], "A kernel shorter than the stride leaves gaps: some outputs get no stamp at all."),),
        "Along one axis an output gets k / s stamps when s divides k; otherwise the counts alternate.")
