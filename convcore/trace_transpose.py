"""A transposed convolution as data, in both of its readings.

**Scatter** (``ScatterTrace``): one step per input element, in the order
sample, input channel, input position. The element's value times its kernel
slice (one ``(kH, kW)`` kernel per output channel of its group) is the
*stamp*; each tap of the stamp lands on the uncropped output (the *canvas*)
at ``axis.coordinate(i, t) + p = i·s + t·d``; the canvas starts at the bias and
overlapping stamps add up; padding then crops ``p`` positions off the front
of each axis (and ``p − output_padding`` off the end). A step records where
each tap landed, whether the crop removes it, the values added and the
canvas values there before and after.

**Gather** (``GatherTrace``): one step per output element. The same output
is a plain convolution (stride 1, same dilation) of the input with
``stride − 1`` zeros inserted between its elements and ``d·(k − 1) − p``
zeros of padding around it (plus ``output_padding`` at the end), with every
kernel flipped and the channel axes of the weight swapped. The steps are
``convcore.trace.Trace``'s own steps on that derived problem, each with a
note, per tap, of what the derived input holds there: an element of the
transposed input, an inserted zero, or padding.

Both traces are lazy: building one checks the arguments and computes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from itertools import product
from typing import NamedTuple

import numpy as np

from .kernels import vectorized_conv
from .layout import as_position
from .lazy import LazySteps, PerTap, laid_out
from .trace import Step, Trace
from .transpose import (GatherPlan, TransposedConv, crop, gather_problem, scatter_canvas,
                        scatter_conv)


# ----------------------------------------------------------------------------
# Scatter
# ----------------------------------------------------------------------------
class Landing(NamedTuple):
    """Where one tap of a stamp lands."""

    offset: tuple[int, ...]        # the kernel tap, e.g. (ki, kj)
    canvas: tuple[int, ...]        # coordinate in the uncropped output: i·s + t·d
    coords: tuple[int, ...]        # coordinate in the output: canvas − padding (may be outside)
    cropped: bool                  # True when the crop by padding removes it


@dataclass(frozen=True)
class ScatterStep(PerTap):
    """One input element stamping its kernel slice into the output.

    ``kernel``, ``stamp``, ``before`` and ``after`` have shape (C_out of the
    group, *kernel): ``stamp == value * kernel``; ``before`` holds the canvas
    values under each tap before this stamp (bias plus every earlier stamp of
    the same sample that landed there) and ``after == before + stamp``.
    Values under cropped taps are canvas values the output never shows.
    """

    in_channel: int
    in_pos: tuple[int, ...]
    group: int
    out_channels: tuple[int, ...]
    value: np.generic
    kernel: np.ndarray
    stamp: np.ndarray
    landings: tuple[Landing, ...]
    before: np.ndarray
    after: np.ndarray
    bias: np.ndarray

    @property
    def in_index(self) -> tuple[int, ...]:
        """Index of the stamping element in the input array the caller gave."""
        return self.caller_index(self.in_channel, self.in_pos)

    taps = property(lambda self: self.landings)    # their coords: where in the output each tap lands
    cropped_mask = laid_out("cropped", "Boolean array shaped like the kernel: True where the tap is cropped away.")
    canvas_coords = laid_out("canvas", "Uncropped-output coordinates of every tap, shape (*kernel, dims).")

    def out_index(self, out_channel: int, offset) -> tuple[int, ...] | None:
        """Index in the output array where tap ``offset`` of ``out_channel``'s stamp
        lands, or None when it is cropped."""
        landing = self.landings[int(np.ravel_multi_index(as_position(offset), self.tap_shape))]
        if landing.cropped:
            return None
        return self.caller_index(out_channel, landing.coords)


class ScatterTrace(LazySteps):
    """The scatter reading of a transposed convolution, one input element per step."""

    reading = "scatter"
    coordinates = ("sample", "in_channel", "in_pos")
    counts = ("sample(s)", "input channel(s)", "positions")
    element = "input element"

    def __init__(self, problem: TransposedConv):
        super().__init__(problem, (problem.batch, problem.in_channels, *problem.in_spatial))
        self._taps = tuple(product(*(range(k) for k in problem.kernel_shape)))

    def index(self, in_channel: int, in_pos, sample: int = 0) -> int:
        """The step in which input element (sample, in_channel, *in_pos) stamps."""
        return self.index_of(sample, in_channel, in_pos)

    def _build_step(self, k: int) -> ScatterStep:
        p = self.problem
        sample, channel, pos = self.locate(k)
        group = p.group_of(channel)
        out_channels = tuple(p.group_out_channels(group))

        # Where each tap lands: the forward rule's coordinate, i·s − p + t·d.
        landings = []
        for tap in self._taps:
            coords = tuple(a.coordinate(i, int(t)) for a, i, t in zip(p.axes, pos, tap))
            landings.append(Landing(
                offset=tuple(int(t) for t in tap),
                canvas=tuple(c + a.pad_before for c, a in zip(coords, p.axes)),
                coords=coords,
                cropped=any(a.in_padding(c) for a, c in zip(p.axes, coords)),
            ))
        value = p.dtype.type(p.input[(sample, channel, *pos)])
        kernel = p.weight[channel].astype(p.dtype)
        stamp = value * kernel
        bias = (np.zeros(len(out_channels), dtype=p.dtype) if p.bias is None
                else p.bias[out_channels[0]:out_channels[-1] + 1].astype(p.dtype))
        before = self._running(sample, channel, pos, landings).reshape(kernel.shape) + \
            bias.reshape(-1, *([1] * p.dims))
        return ScatterStep(index=k, sample=sample, in_channel=channel, in_pos=pos, group=group,
                           out_channels=out_channels, value=value, kernel=kernel, stamp=stamp,
                           landings=tuple(landings), before=before, after=before + stamp,
                           bias=bias, layout=p.layout)

    def _running(self, sample, channel, pos, landings) -> np.ndarray:
        """(C_out of the group, taps): at each landing of step (sample, channel, pos), the sum of
        the stamps that landed there before this one.

        The stamps that land on an output coordinate are its readers along each
        axis (``Axis.readers``: input element i's tap t lands on i·s − p + t·d),
        combined across axes. A stamp came earlier when its channel is an earlier
        one of the group, or this channel at an earlier position (row-major).
        """
        p = self.problem
        group = p.group_in_channels(p.group_of(channel))
        x = p.input[sample].astype(p.dtype, copy=False)
        w = p.weight.astype(p.dtype, copy=False)
        running = np.zeros((w.shape[1], len(landings)), dtype=p.dtype)
        for column, landing in enumerate(landings):
            for combo in product(*(a.readers(c) for a, c in zip(p.axes, landing.coords))):
                source = tuple(r.out for r in combo)
                tap = tuple(r.tap for r in combo)
                stop = channel + 1 if source < pos else channel     # tuples compare row-major
                earlier = slice(group.start, stop)
                running[:, column] += x[(earlier, *source)] @ w[(earlier, slice(None), *tap)]
        return running

    def state_after(self, k, uncropped: bool = False) -> np.ndarray:
        """The output of step ``k``'s sample after its stamp, shape (C_out, *out_spatial):
        the bias plus every stamp up to and including step ``k``. With
        ``uncropped=True``, the whole canvas (C_out, *canvas) before the crop.
        """
        p = self.problem
        sample, channel, pos = self.locate(k)
        x = np.zeros((1, *p.input.shape[1:]), dtype=p.input.dtype)
        # Every element whose step comes no later than k: earlier channels whole,
        # this channel up to and including this position (row-major).
        upto = int(np.ravel_multi_index(pos, p.in_spatial)) + 1
        x[0, :channel] = p.input[sample, :channel]
        x[0, channel].reshape(-1)[:upto] = p.input[sample, channel].reshape(-1)[:upto]
        canvas = scatter_canvas(x, p.weight, p.axes, p.groups, p.dtype)
        out = canvas if uncropped else crop(canvas, p.axes)
        if p.bias is not None:
            out = out + p.bias.astype(p.dtype).reshape(-1, *([1] * p.dims))
        return out[0]

    def contributors(self, out_channel: int, out_pos, sample: int = 0) -> list[tuple[int, tuple[int, ...]]]:
        """The (step, kernel tap) pairs whose stamps land on output element
        (sample, out_channel, *out_pos), in step order: what the gather reading
        of that element adds up."""
        p = self.problem
        group = out_channel // p.weight.shape[1]
        # Along each axis, the input elements whose stamps land on out_pos and with which tap.
        per_axis = [a.readers(o) for a, o in zip(p.axes, as_position(out_pos))]
        found = []
        for channel in p.group_in_channels(group):
            for combo in product(*per_axis):
                pos = tuple(r.out for r in combo)
                found.append((self.index(channel, pos, sample), tuple(r.tap for r in combo)))
        return sorted(found)

    @cached_property
    def output(self) -> np.ndarray:
        """The finished output (vectorized scatter kernel), in the caller's layout."""
        return scatter_conv(self.problem)

    @cached_property
    def gather(self) -> "GatherTrace":
        """The same transposed convolution in its gather reading."""
        return GatherTrace(self.problem)


# ----------------------------------------------------------------------------
# Gather
# ----------------------------------------------------------------------------
@dataclass(frozen=True)
class GatherStep:
    """One output element of a transposed convolution, read as a plain convolution.

    ``conv`` is the ``convcore.trace.Step`` of the derived convolution (its
    ``window`` coordinates are in the zero-inserted, padded input; its
    ``kernel`` is the flipped, transposed one). Per tap, in the same order:
    ``kinds`` says what the derived input holds there (``"input"``,
    ``"inserted"`` for a zero between elements, ``"padding"``), ``sources``
    the transposed-input position it holds (None for a zero) and
    ``weight_taps`` the tap of the original, unflipped kernel it multiplies.
    """

    conv: Step
    kinds: tuple[str, ...]
    sources: tuple[tuple[int, ...] | None, ...]
    weight_taps: tuple[tuple[int, ...], ...]

    index = property(lambda self: self.conv.index)
    sample = property(lambda self: self.conv.sample)
    out_channel = property(lambda self: self.conv.out_channel)
    out_pos = property(lambda self: self.conv.out_pos)
    out_index = property(lambda self: self.conv.out_index)
    value = property(lambda self: self.conv.value)
    bias = property(lambda self: self.conv.bias)

    @property
    def kind_mask(self) -> np.ndarray:
        """Array of ``kinds`` shaped like the kernel."""
        return np.array(self.kinds).reshape(self.conv.tap_shape)


class GatherTrace(LazySteps):
    """The gather reading of a transposed convolution, one output element per step."""

    reading = "gather"

    def __init__(self, problem: TransposedConv):
        super().__init__(problem, (problem.batch, problem.out_channels, *problem.out_spatial))

    @cached_property
    def _derived(self) -> tuple[Trace, GatherPlan]:
        # Built on first use: zero insertion copies the input once.
        conv, plan = gather_problem(self.problem)
        return Trace(conv), plan

    @property
    def conv_trace(self) -> Trace:
        """The plain convolution's own trace (``convcore.trace.Trace``)."""
        return self._derived[0]

    @property
    def plan(self) -> GatherPlan:
        """Zeros inserted, padding added or cropped, per axis."""
        return self._derived[1]

    def _build_step(self, k: int) -> GatherStep:
        trace, plan = self._derived
        step = trace[k]
        kinds, sources = [], []
        for tap in step.window:
            kind, where = plan.origin(tap.coords)
            kinds.append(kind)
            sources.append(where)
        kernel = self.problem.kernel_shape
        flipped = tuple(tuple(k - 1 - t for k, t in zip(kernel, tap.offset)) for tap in step.window)
        return GatherStep(conv=step, kinds=tuple(kinds), sources=tuple(sources), weight_taps=flipped)

    @cached_property
    def output(self) -> np.ndarray:
        """The whole output computed by convcore's forward kernel on the derived convolution."""
        return vectorized_conv(self._derived[0].problem)

    @cached_property
    def scatter(self) -> ScatterTrace:
        """The same transposed convolution in its scatter reading."""
        return ScatterTrace(self.problem)


def trace_transpose(fn, dims, input, weight, bias, stride, padding, output_padding, groups, dilation,
                    reading):
    problem = TransposedConv.build(fn, dims, input, weight, bias, stride, padding, output_padding,
                                   groups, dilation)
    if reading == "scatter":
        return ScatterTrace(problem)
    if reading == "gather":
        return GatherTrace(problem)
    raise ValueError(f"{fn}: `reading` must be 'scatter' (one input element per step) or 'gather' "
                     f"(one output element per step); got {reading!r}")


def trace_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                      dilation=1, reading: str = "scatter"):
    """The steps of ``conv_transpose1d`` with the same arguments, in either reading.

    ``reading="scatter"`` gives a ``ScatterTrace`` (one step per input element:
    its stamp landing in the output); ``reading="gather"`` a ``GatherTrace``
    (one step per output element: a plain convolution of the zero-inserted,
    padded input with the flipped kernel). Building checks the arguments and
    computes nothing.

    >>> t = trace_transpose1d([1, 2], [1, 0, -1], stride=2)
    >>> [s.stamp.tolist() for s in t]
    [[[1, 0, -1]], [[2, 0, -2]]]
    >>> t[1].before.tolist(), t[1].after.tolist()   # the second stamp lands on the first's -1
    ([[-1, 0, 0]], [[1, 0, -2]])
    """
    return trace_transpose("trace_transpose1d", 1, input, weight, bias, stride, padding,
                           output_padding, groups, dilation, reading)


def trace_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                      dilation=1, reading: str = "scatter"):
    """The steps of ``conv_transpose2d`` with the same arguments, in either reading.

    Scatter steps run sample, input channel, input row, input column; gather
    steps sample, output channel, output row, output column.

    >>> t = trace_transpose2d([[1, 2], [3, 4]], [[1, 1], [1, 1]], reading="gather")
    >>> len(t), int(t.step_at(0, (1, 1)).value)     # the centre gathers all four stamps
    (9, 10)
    """
    return trace_transpose("trace_transpose2d", 2, input, weight, bias, stride, padding,
                           output_padding, groups, dilation, reading)
