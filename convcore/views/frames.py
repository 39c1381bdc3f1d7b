"""Frames: what a view shows at one step, as plain data.

A frame is a pure function of (trace, step ``k``, build-up position): the
grids of numbers with a state per cell, the equations with the actual numbers,
and which output cells are done, current or still to do. The HTML renderer
(``html.py``) and the GIF writer (``animation.py``) both draw from frames, so
the browser, the slides and the tests all see the same thing.

The build-up position ``b`` walks the accumulation inside one output element:
``b = 0`` shows only where the kernel sits; each further position reveals one
product (term by term, for kernels of up to ``TERM_BY_TERM_LIMIT`` taps) or
one input channel's whole partial sum (larger kernels); the last position
adds the partial sums and the bias and writes the value into the output.
"""
from __future__ import annotations

import math
import weakref
from dataclasses import dataclass

import numpy as np

from ..kernels import pad_input
from ..trace import Trace
from .numfmt import factor, fmt

TERM_BY_TERM_LIMIT = 9      # taps per channel up to which build-up goes one product at a time
EQUATION_TERMS_SHOWN = 12   # longer sums are written with "…" in the middle
TODO_TEXT = ""              # what a not-yet-computed output cell shows
UNKNOWN_TEXT = "?"          # the current output cell before anything is added


# ----------------------------------------------------------------------------
# The frame model
# ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Cell:
    text: str
    state: str          # input: plain|patch|pad|pad-patch; output: done|current|todo; kernel: kernel
    key: str            # input: "i,j" coordinate; output: "c,i,j" index; kernel: "ki,kj" tap
    active: bool = False  # the tap whose product was added last (term-by-term build-up)
    unread: bool = False  # an input position no window ever reads (stride, floor, dilation gaps)


@dataclass(frozen=True)
class Grid:
    role: str           # "in-cell" | "kernel-cell" | "out-cell"
    title: str
    channel: int
    rows: tuple[tuple[Cell, ...], ...]
    used: bool = True   # False for an input channel this step does not read (another group)


@dataclass(frozen=True)
class Term:
    channel: int
    tap: str            # kernel offset, "ki,kj"
    text: str           # "6·1"
    product: str        # "6"


@dataclass(frozen=True)
class ChannelSum:
    channel: int
    terms: tuple[Term, ...]   # the terms revealed so far
    n_terms: int              # all the terms of this channel
    partial: str | None       # sum of the revealed terms (None: nothing revealed yet)
    complete: bool
    line: str                 # "1·1 + 5·0 + 2·0 + 6·1 = 7"


@dataclass(frozen=True)
class Arithmetic:
    """The sums of one output element, revealed up to build-up position ``buildup``."""

    sums: tuple[ChannelSum, ...]
    total: str               # "out[0, 0, 0] = 7 + 6" (the line reads total + " = " + value)
    accumulated: str         # what the current output cell shows ("?" before anything is added)
    value: str               # the final value ("…" until complete)
    complete: bool
    buildup: int
    buildup_max: int
    unit: str                # "term" or "channel"
    active: tuple[int, str] | None   # (channel, tap) of the last revealed product
    has_bias: bool
    bias: str


@dataclass(frozen=True)
class Frame:
    kind: str                # "stepper1d" | "stepper2d" | "pointwise"
    step: int
    header: str
    inputs: tuple[Grid, ...]
    kernels: tuple[Grid | None, ...]   # aligned with inputs; None for channels not read
    arithmetic: Arithmetic
    outputs: tuple[Grid, ...]
    sample: int = 0


# ----------------------------------------------------------------------------
# Things every frame of a trace shares (computed once per trace)
# ----------------------------------------------------------------------------
class Static:
    """Per-trace data the frames reuse: padded input as text, the finished output."""

    def __init__(self, trace: Trace):
        p = trace.problem
        self.problem = p
        self.pads = tuple(a.pad_before for a in p.axes)
        padded = pad_input(p)                       # (N, C_in, *padded spatial)
        self.padded = padded
        self.padded_text = np.vectorize(fmt, otypes=[object])(padded) if padded.size <= 40_000 else None
        self.pad_mask = p.padding_mask()            # padded positions outside the input
        self.unread = p.never_read()                # input positions no window reads
        out = np.asarray(trace.output).reshape(p.batch, p.out_channels, *p.out_spatial)
        self.output = out
        self.output_text = np.vectorize(fmt, otypes=[object])(out) if out.size <= 40_000 else None
        self.taps = math.prod(p.kernel_shape)
        self.channels_per_group = p.in_channels // p.groups


_STATIC: "weakref.WeakKeyDictionary[Trace, Static]" = weakref.WeakKeyDictionary()


def static(trace: Trace) -> Static:
    found = _STATIC.get(trace)
    if found is None:
        found = _STATIC[trace] = Static(trace)
    return found


def key(index) -> str:
    """(1, 2) -> "1,2": how indices are written in data attributes."""
    return ",".join(str(int(i)) for i in index)


def index_label(index) -> str:
    return "[" + ", ".join(str(int(i)) for i in index) + "]"


# ----------------------------------------------------------------------------
# Build-up: how far the accumulation of one output element has got
# ----------------------------------------------------------------------------
def buildup_unit(trace: Trace) -> str:
    """Term by term for small kernels, channel by channel otherwise."""
    return "term" if math.prod(trace.problem.kernel_shape) <= TERM_BY_TERM_LIMIT else "channel"


def buildup_max(trace: Trace) -> int:
    """The build-up position at which the output element is complete."""
    s = static(trace)
    per = s.taps if buildup_unit(trace) == "term" else 1
    return s.channels_per_group * per + 1


def elide(terms: list) -> list:
    """Long sums keep their first terms and the last one, with None for the gap."""
    if len(terms) <= EQUATION_TERMS_SHOWN:
        return list(terms)
    return list(terms[:EQUATION_TERMS_SHOWN - 2]) + [None] + list(terms[-1:])


def _sum_line(terms: list[Term], n_terms: int, partial: str | None, complete: bool) -> str:
    if not terms:
        return ""
    texts = [t.text if t is not None else "…" for t in elide(terms)]
    if not complete:
        texts.append("…")
    line = " + ".join(texts) + f" = {partial}"
    return line if complete else line + " so far"


def revealed(trace: Trace, buildup: int) -> list[int]:
    """How many products of each channel of the group are revealed at build-up position ``buildup``."""
    s = static(trace)
    top, n_taps = buildup_max(trace), s.taps
    if buildup >= top:
        return [n_taps] * s.channels_per_group
    if buildup_unit(trace) == "term":
        return [max(0, min(n_taps, buildup - i * n_taps)) for i in range(s.channels_per_group)]
    return [n_taps if i < buildup else 0 for i in range(s.channels_per_group)]


def partial_so_far(step, i: int, m: int):
    """Channel ``i``'s partial sum over its first ``m`` products (the recorded one when complete)."""
    products = step.products[i].ravel()
    return step.partial_sums[i] if m == products.size else products[:m].sum()


def running_total(values):
    """The output element so far: the revealed channels' partial sums added, in order."""
    return sum(values[1:], values[0])


def arithmetic(trace: Trace, step, buildup: int | None = None, out_label: str = "out") -> Arithmetic:
    """The per-channel sums and the total of ``step``, revealed up to ``buildup``."""
    s = static(trace)
    unit = buildup_unit(trace)
    top = buildup_max(trace)
    b = top if buildup is None else max(0, min(int(buildup), top))
    n_ch, n_taps = len(step.in_channels), s.taps
    shown = revealed(trace, b)

    patch = step.patch.reshape(n_ch, -1)
    kernel = step.kernel.reshape(n_ch, -1)
    products = step.products.reshape(n_ch, -1)
    offsets = [key(t.offset) for t in step.window]
    sums, active, running = [], None, []
    for i, ch in enumerate(step.in_channels):
        m = shown[i]
        terms = tuple(Term(ch, offsets[t], f"{factor(patch[i, t])}·{factor(kernel[i, t])}",
                           fmt(products[i, t])) for t in range(m))
        complete = m == n_taps
        partial = None
        if m:
            value = partial_so_far(step, i, m)
            partial = fmt(value)
            running.append(value)
            if unit == "term" and b < top:
                active = (ch, offsets[m - 1])
        sums.append(ChannelSum(ch, terms, n_taps, partial, complete, _sum_line(list(terms), n_taps, partial, complete)))

    has_bias = trace.problem.bias is not None
    complete = b >= top
    parts = [factor(v) for v in running]
    # ``total`` is the left part of the line; the renderers append " = value".
    if complete:
        rhs = " + ".join(parts) + (f" + {factor(step.bias)} (bias)" if has_bias else "")
        total = f"{out_label} = {rhs}" if (n_ch > 1 or has_bias) else out_label
        accumulated = fmt(step.value)
    elif running:
        acc = running_total(running)
        total = f"{out_label} = {' + '.join(parts)} + … (so far {fmt(acc)})"
        accumulated = fmt(acc)
    else:
        total = out_label
        accumulated = UNKNOWN_TEXT
    return Arithmetic(sums=tuple(sums), total=total, accumulated=accumulated,
                      value=fmt(step.value) if complete else "…", complete=complete, buildup=b,
                      buildup_max=top, unit=unit, active=active, has_bias=has_bias,
                      bias=fmt(step.bias))


# ----------------------------------------------------------------------------
# Grids
# ----------------------------------------------------------------------------
def _grid_rows(shape):
    """Row-major index tuples of a 1-D (one row) or 2-D grid."""
    if len(shape) == 1:
        return [[(j,) for j in range(shape[0])]]
    return [[(i, j) for j in range(shape[1])] for i in range(shape[0])]


def input_grids(trace: Trace, step, active=None, highlight=True) -> tuple[Grid, ...]:
    """Every input channel of the step's sample, padding included, patch marked."""
    s = static(trace)
    p = trace.problem
    window = {t.coords for t in step.window}
    padded_shape = s.padded.shape[2:]
    grids = []
    for ch in range(p.in_channels):
        used = ch in step.in_channels
        texts = s.padded_text[step.sample, ch] if s.padded_text is not None else s.padded[step.sample, ch]
        rows = []
        for row in _grid_rows(padded_shape):
            cells = []
            for at in row:
                coords = tuple(a - pad for a, pad in zip(at, s.pads))
                in_pad = bool(s.pad_mask[at])
                in_patch = used and highlight and coords in window
                state = ("pad-patch" if in_patch else "pad") if in_pad else ("patch" if in_patch else "plain")
                unread = not in_pad and bool(s.unread[coords])
                is_active = active is not None and active[0] == ch and in_patch and \
                    _tap_at(step, coords) == active[1]
                text = texts[at] if s.padded_text is not None else fmt(texts[at])
                cells.append(Cell(text, state, key(coords), is_active, unread))
            rows.append(tuple(cells))
        title = f"input channel {ch}" + ("" if used else " (other group)")
        grids.append(Grid("in-cell", title, ch, tuple(rows), used))
    return tuple(grids)


def _tap_at(step, coords) -> str | None:
    for t in step.window:
        if t.coords == coords:
            return key(t.offset)
    return None


def kernel_grids(trace: Trace, step, active=None) -> tuple[Grid | None, ...]:
    """The weight slice for each input channel the step reads (None elsewhere)."""
    p = trace.problem
    grids = []
    for ch in range(p.in_channels):
        if ch not in step.in_channels:
            grids.append(None)
            continue
        i = step.in_channels.index(ch)
        w = step.kernel[i]
        rows = tuple(
            tuple(Cell(fmt(w[at]), "kernel", key(at), active == (ch, key(at))) for at in row)
            for row in _grid_rows(w.shape)
        )
        title = f"kernel w{index_label((step.out_channel, i))}"
        grids.append(Grid("kernel-cell", title, ch, rows))
    return tuple(grids)


def output_grids(trace: Trace, k: int, sample: int, accumulated: str, complete: bool) -> tuple[Grid, ...]:
    """Every output channel of the sample: done before step k, current at k, todo after."""
    s = static(trace)
    p = trace.problem
    grids = []
    for c in range(p.out_channels):
        rows = []
        for row in _grid_rows(p.out_spatial):
            cells = []
            for at in row:
                step_of = trace.step_numbers[(sample, c, *at)]
                index = (c, *at)
                if step_of < k:
                    text = s.output_text[(sample, *index)] if s.output_text is not None else fmt(s.output[(sample, *index)])
                    cells.append(Cell(text, "done", key(index)))
                elif step_of == k:
                    cells.append(Cell(accumulated, "current", key(index)))
                else:
                    cells.append(Cell(TODO_TEXT, "todo", key(index)))
            rows.append(tuple(cells))
        grids.append(Grid("out-cell", f"output channel {c}", c, tuple(rows)))
    return tuple(grids)


# ----------------------------------------------------------------------------
# Whole frames
# ----------------------------------------------------------------------------
def out_label(step) -> str:
    return "out" + index_label(step.out_index)


def steps_label(trace: Trace, k: int) -> str:
    """'step 16 of steps 0–26': counted from 0, like Python and PyTorch."""
    return f"step {k:,} of steps 0–{len(trace) - 1:,}"


def where(trace: Trace, step) -> str:
    """'output channel 1 at (2, 1)', with the sample first in a batch."""
    text = f"output channel {step.out_channel} at ({', '.join(map(str, step.out_pos))})"
    return f"sample {step.sample}, {text}" if trace.problem.batch > 1 else text


def header(trace: Trace, step) -> str:
    return (f"{steps_label(trace, step.index)}: {where(trace, step)} reads input "
            f"channel{'s' if len(step.in_channels) > 1 else ''} {', '.join(map(str, step.in_channels))}")


def frame(trace: Trace, k: int, buildup: int | None = None) -> Frame:
    """What a stepper shows at step ``k`` with the accumulation at ``buildup``."""
    step = trace[k]
    label = out_label(step)
    arith = arithmetic(trace, step, buildup, label)
    kind = "stepper1d" if trace.problem.dims == 1 else "stepper2d"
    return Frame(
        kind=kind, step=step.index, header=header(trace, step),
        inputs=input_grids(trace, step, arith.active), kernels=kernel_grids(trace, step, arith.active),
        arithmetic=arith,
        outputs=output_grids(trace, step.index, step.sample, arith.accumulated, arith.complete),
        sample=step.sample,
    )


# ----------------------------------------------------------------------------
# 1×1 convolutions: at one pixel, a weight matrix times the vector of channels
# ----------------------------------------------------------------------------
@dataclass(frozen=True)
class PointwiseFrame:
    kind: str
    step: int
    header: str
    pixel: tuple[int, ...]
    inputs: tuple[Grid, ...]
    x: tuple[Cell, ...]                  # input channels at the pixel (key: channel)
    matrix: tuple[tuple[Cell, ...], ...]  # C_out × C_in weights (key: "o,c"); zeros across groups
    bias: tuple[Cell, ...] | None        # (C_out,)
    y: tuple[Cell, ...]                  # output channels at the pixel (key: "c,i,j")
    arithmetic: Arithmetic
    outputs: tuple[Grid, ...]
    sample: int = 0


def pointwise_header(trace: Trace, step) -> str:
    return (f"{steps_label(trace, step.index)}: at pixel ({', '.join(map(str, step.out_pos))}), output channel "
            f"{step.out_channel} = row {step.out_channel} of W times the input channels there")


def is_pointwise(trace: Trace) -> bool:
    return all(k == 1 for k in trace.problem.kernel_shape)


NUMBERS_FIT = 15          # padded cells across (2-D) up to which numbers are shown
NUMBERS_FIT_1D = 40       # the same for 1-D signals


def numbers_fit(trace: Trace) -> bool:
    """Whether a numeric grid of this trace's input fits on a 1366×768 screen."""
    p = trace.problem
    return max(a.padded_length for a in p.axes) <= (NUMBERS_FIT_1D if p.dims == 1 else NUMBERS_FIT)


def kind_of(trace: Trace) -> str:
    """THE choice of view for a trace: numbers when they fit, 1×1 as a matrix, else a heatmap.

    >>> from convcore import examples
    >>> kind_of(examples.get("seed_conv2d").trace()), kind_of(examples.get("seed_1x1").trace())
    ('stepper2d', 'pointwise')
    """
    if not numbers_fit(trace):
        return "heatmap"
    if is_pointwise(trace) and trace.problem.dims == 2:
        return "pointwise"
    return f"stepper{trace.problem.dims}d"


def pointwise_frame(trace: Trace, k: int, buildup: int | None = None) -> PointwiseFrame:
    """Step ``k`` of a 1×1 convolution as y = W·x (+ b) at the step's pixel."""
    s = static(trace)
    p = trace.problem
    step = trace[k]
    label = out_label(step)
    arith = arithmetic(trace, step, buildup, label)
    pixel = step.out_pos
    sample = step.sample
    # The input vector: every channel's value at the pixel (no padding with 1×1 kernels
    # unless asked for; read through the padded array so padding shows correctly).
    at = tuple(c + pad for c, pad in zip(step.window[0].coords, s.pads))
    x = tuple(Cell(fmt(s.padded[(sample, c, *at)]), "patch" if c in step.in_channels else "plain", str(c))
              for c in range(p.in_channels))
    w = p.weight.reshape(p.out_channels, -1)          # (C_out, C_in / groups)
    matrix = []
    for o in range(p.out_channels):
        group = p.group_channels(p.group_of(o))
        row = []
        for c in range(p.in_channels):
            inside = c in group
            text = fmt(w[o, group.index(c)]) if inside else "0"
            row.append(Cell(text, "kernel" if inside else "other-group", f"{o},{c}", o == step.out_channel))
        matrix.append(tuple(row))
    bias = None if p.bias is None else tuple(Cell(fmt(b), "kernel", str(o), o == step.out_channel)
                                             for o, b in enumerate(p.bias))
    y = []
    for o in range(p.out_channels):
        at_step = trace.step_numbers[(sample, o, *pixel)]
        index = key((o, *pixel))
        if at_step < k:
            y.append(Cell(fmt(s.output[(sample, o, *pixel)]), "done", index))
        elif at_step == k:
            y.append(Cell(arith.accumulated, "current", index))
        else:
            y.append(Cell(TODO_TEXT, "todo", index))
    head = pointwise_header(trace, step)
    return PointwiseFrame(
        kind="pointwise", step=k, header=head, pixel=pixel,
        inputs=input_grids(trace, step, arith.active), x=x, matrix=tuple(matrix), bias=bias, y=tuple(y),
        arithmetic=arith, outputs=output_grids(trace, k, sample, arith.accumulated, arith.complete),
        sample=sample,
    )
