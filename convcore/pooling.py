"""Pooling: the largest value, or the mean, under a window that slides like a kernel.

``max_pool1d/2d`` and ``avg_pool1d/2d`` follow ``torch.nn.functional``. A
pooling window is a convolution window without weights, so it sits where the
one indexing rule (``convcore.geometry.Axis``) puts it: output ``o`` reads the
input at ``o * stride - padding + t * dilation`` for taps ``t = 0 .. k-1``.
What pooling adds:

* ``stride`` defaults to ``kernel_size`` (windows side by side, no overlap);
* ``ceil_mode`` rounds the output size up, so a last window may hang past the
  padded input (its *overhang*); a last window that would start in the right
  padding is dropped (``Axis.out``);
* max pooling pads with −inf: a padding tap never wins. Ties go to the first
  tap in row-major order (PyTorch scans the window and keeps a value only when
  it is strictly larger), a NaN wins over everything (the last NaN, as
  PyTorch's scan keeps the latest NaN), and ``return_indices`` gives where the
  winner sits as a flat index into its channel's plane (``row * W + col``);
* average pooling sums what the window reads (padding reads 0) and divides by
  the number of taps inside the padded input (``count_include_pad=True``: the
  ceil_mode overhang never counts) or inside the input only.

PyTorch refuses padding larger than half the kernel (``padding <= k // 2``), and
so does convcore, with the reason. As ``conv1d``/``conv2d`` do, convcore also
takes a plain (L,) signal or (H, W) image without a channel axis (PyTorch wants
one; there the result is plain too). Integer inputs: max pooling stays exact
int64; average pooling returns float64 (PyTorch's integer average truncates,
e.g. ``(1 + 2) / 2 -> 1``; here it is 1.5).

``trace_max_pool2d`` etc. record one ``PoolStep`` per output element, as
``trace2d`` does for a convolution: the window with its padding and overhang
taps flagged, the values read, and which tap won (max) or the divisor (avg).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from itertools import product
from typing import NamedTuple

import numpy as np

from .docs import shared_doc
from .geometry import Axis
from .layout import Layout
from .lazy import LazySteps, WindowStep, laid_out
from .problem import AXIS_NAMES, SPATIAL_LETTERS, Shaped, as_bool, as_numeric_array, as_tuple, check_fits


# ----------------------------------------------------------------------------
# The checked problem
# ----------------------------------------------------------------------------
class CeilEffect(NamedTuple):
    """What ``ceil_mode`` did along one axis (``Pool.ceil_effect``)."""

    added: int                  # windows beyond floor mode's (0 or 1)
    dropped_start: int | None   # input coordinate where a dropped window would have started


@dataclass(frozen=True)
class Pool(Shaped):
    """A checked pooling problem in the batched, channels-first layout.

    ``input`` is (N, C, *spatial); ``axes`` carries kernel, stride, padding,
    dilation and ceil_mode per spatial axis. Pooling keeps the channels: the
    output has ``channels`` channels too.
    """

    fn: str
    kind: str                 # "max" or "avg"
    input: np.ndarray
    axes: tuple[Axis, ...]
    count_include_pad: bool
    layout: Layout
    dtype: np.dtype           # dtype of the result

    @property
    def channels(self) -> int:
        return self.input.shape[1]

    @property
    def out_shape(self) -> tuple[int, ...]:
        """Shape of the result in the caller's layout."""
        return self.layout.shape(self.batch, self.channels, self.out_spatial)

    @property
    def spatial(self) -> tuple[int, ...]:
        return tuple(a.n for a in self.axes)

    @property
    def fill(self):
        """What a padding tap holds: −inf for max pooling (the smallest int64 for
        integers, as PyTorch), 0 for average pooling."""
        if self.kind == "avg":
            return self.dtype.type(0)
        if self.dtype.kind in "iu":
            return np.iinfo(self.dtype).min
        return self.dtype.type(-np.inf)

    def ceil_effect(self) -> tuple["CeilEffect", ...]:
        """Per spatial axis, what ``ceil_mode`` changed against floor mode: the windows it
        added (0 or 1, the one that overhangs) and the start of the window it dropped
        because it would have started in the right padding (None when none was)."""
        return tuple(CeilEffect(added=a.out - dataclasses.replace(a, ceil_mode=False).out,
                                dropped_start=a.dropped_start) for a in self.axes)

    # -- construction ---------------------------------------------------------
    @classmethod
    def build(cls, fn, kind, dims, input, kernel_size, stride=None, padding=0, dilation=1,
              ceil_mode=False, count_include_pad=True) -> "Pool":
        x = as_numeric_array(input, "input", fn)
        spatial = ", ".join(SPATIAL_LETTERS[dims])
        plain = f"a plain ({spatial},) signal" if dims == 1 else f"a plain ({spatial}) image"
        layout = Layout.of(x.ndim, dims)
        if layout is None:
            raise ValueError(
                f"{fn}: `input` must be (C, {spatial}) or (N, C, {spatial}), or {plain}; "
                f"got {x.ndim}-D shape {x.shape}"
            )
        if x.size == 0:
            raise ValueError(f"{fn}: `input` is empty (shape {x.shape}); every axis needs at least one element")
        x = layout.batched(x)

        k = as_tuple(kernel_size, "kernel_size", fn, dims, minimum=1)
        # PyTorch: stride=None (or an empty list) means "as large as the kernel".
        if stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0):
            s = k
        else:
            s = as_tuple(stride, "stride", fn, dims, minimum=1)
        p = as_tuple(padding, "padding", fn, dims, minimum=0)
        d = as_tuple(dilation, "dilation", fn, dims, minimum=1)
        ceil = as_bool(ceil_mode, "ceil_mode", fn)
        include = as_bool(count_include_pad, "count_include_pad", fn)

        check_pool_padding(fn, k, p)
        axes = tuple(Axis(n=n, k=kk, stride=ss, pad_before=pp, pad_after=pp, dilation=dd, ceil_mode=ceil)
                     for n, kk, ss, pp, dd in zip(x.shape[2:], k, s, p, d))
        check_fits(fn, axes, "window", "Use a smaller kernel_size or dilation.")
        if kind == "max":
            dtype = np.dtype(np.int64) if x.dtype.kind in "iu" else np.result_type(np.float32, x.dtype)
        else:
            dtype = np.dtype(np.float64) if x.dtype.kind in "iu" else np.result_type(np.float32, x.dtype)
        return cls(fn=fn, kind=kind, input=x, axes=axes, count_include_pad=include, layout=layout,
                   dtype=dtype)


def check_pool_padding(fn: str, kernel_size: tuple[int, ...], padding: tuple[int, ...]) -> None:
    """PyTorch's limit on a pooling window's padding, per axis: at most half the kernel."""
    dims = len(kernel_size)
    for name, k, p in zip(AXIS_NAMES[dims], kernel_size, padding):
        if p > k // 2:
            where = f" along {name}" if dims > 1 else ""
            raise ValueError(
                f"{fn}: `padding` must be at most half the kernel{where}: padding <= floor(kernel_size / 2) "
                f"= floor({k} / 2) = {k // 2}; got {p} (PyTorch's limit: with more, the first "
                f"window would hold more padding than input)"
            )


# ----------------------------------------------------------------------------
# Per-axis arithmetic, for every output position and tap at once
# ----------------------------------------------------------------------------
def _coordinates(a: Axis) -> np.ndarray:
    """(out, k): ``a.coordinate(o, t)`` for every output position and tap."""
    return a.window_start(np.arange(a.out))[:, None] + a.tap_offset(np.arange(a.k))[None, :]


def _combine(p: Pool, per_axis, op) -> np.ndarray:
    """Per-axis (out_a, k_a) arrays joined into one (*out, taps) array, taps row-major."""
    result = None
    for i, arr in enumerate(per_axis):
        shape = [1] * (2 * p.dims)
        shape[i], shape[p.dims + i] = arr.shape
        result = arr.reshape(shape) if result is None else op(result, arr.reshape(shape))
    return result.reshape(*p.out_spatial, -1)


def _inside(a: Axis) -> np.ndarray:
    c = _coordinates(a)
    return (c >= 0) & (c < a.n)


def _counted(p: Pool, a: Axis) -> np.ndarray:
    """(out, k): does this tap count in the divisor? Inside the padded input
    (``count_include_pad``), or inside the input only."""
    c = _coordinates(a)
    if p.count_include_pad:
        return (c >= -a.pad_before) & (c < a.n + a.pad_after)
    return (c >= 0) & (c < a.n)


def _flat_index(p: Pool) -> np.ndarray:
    """(*out, taps): where each tap sits as a flat index into a channel's plane."""
    plane = np.cumprod((1,) + p.spatial[:0:-1])[::-1]  # row-major strides of the plane
    return _combine(p, [_coordinates(a) * st for a, st in zip(p.axes, plane)], np.add)


def _empty_window_index(p: Pool) -> np.ndarray:
    """(*out,): the index PyTorch reports for a window with no tap in the input
    (possible only with dilation): along each axis it skips the taps below 0 and
    stops at the first one at 0 or beyond (past the input along some axis)."""
    plane = np.cumprod((1,) + p.spatial[:0:-1])[::-1]
    first = []
    for a, st in zip(p.axes, plane):
        start = a.window_start(np.arange(a.out))
        skip = np.where(start < 0, -(start // a.dilation), 0)  # ceil(-start / d) taps below 0
        first.append(((start + skip * a.dilation) * st)[:, None])
    return _combine(p, first, np.add).reshape(p.out_spatial)


def _gather(p: Pool) -> np.ndarray:
    """(N, C, *out, taps): every window's values, padding and overhang filled with ``p.fill``.

    Each tap is one strided slice of the padded input (``Axis.tap_slice``), the
    same slices the convolution kernel reads."""
    x = p.input.astype(p.dtype, copy=False)
    widths = [(0, 0), (0, 0)] + [(a.pad_before, a.pad_after + a.overhang) for a in p.axes]
    x = np.pad(x, widths, constant_values=p.fill)
    taps = list(product(*(range(a.k) for a in p.axes)))
    return np.stack([x[(slice(None), slice(None), *(a.tap_slice(t) for a, t in zip(p.axes, tap)))]
                     for tap in taps], axis=-1)


# ----------------------------------------------------------------------------
# The vectorized kernels
# ----------------------------------------------------------------------------
def vectorized_max(p: Pool) -> tuple[np.ndarray, np.ndarray]:
    """Max pooling of the whole input: (values, indices), both (N, C, *out)."""
    inside = _combine(p, [_inside(a) for a in p.axes], np.logical_and)      # (*out, taps)
    taps = inside.shape[-1]
    window = _gather(p)                                  # (N, C, *out, taps)
    values = window.max(axis=-1)                         # NaN if any tap is NaN
    # The first tap inside the input holding the best value (a padding tap never wins) ...
    winner = (inside & (window == values[..., None])).argmax(axis=-1)
    if p.dtype.kind == "f" and np.isnan(values).any():     # (a NaN anywhere makes its window's max NaN)
        # ... or, when the window holds a NaN, the last NaN.
        nan = np.isnan(window)
        last_nan = taps - 1 - nan[..., ::-1].argmax(axis=-1)
        winner = np.where(nan.any(axis=-1), last_nan, winner)
    flat = np.broadcast_to(_flat_index(p), window.shape)
    indices = np.take_along_axis(flat, winner[..., None], -1)[..., 0]
    empty = ~inside.any(axis=-1)
    if empty.any():
        indices[..., empty] = _empty_window_index(p)[empty]
    return p.layout.restore(values), p.layout.restore(indices)


def window_divisors(p: Pool) -> np.ndarray:
    """(*out,): how many taps each average-pooling window divides by (``_counted``)."""
    return _combine(p, [_counted(p, a) for a in p.axes], np.logical_and).sum(axis=-1)


def vectorized_avg(p: Pool) -> np.ndarray:
    """Average pooling of the whole input, (N, C, *out)."""
    return p.layout.restore((_gather(p).sum(axis=-1) / window_divisors(p)).astype(p.dtype, copy=False))


# ----------------------------------------------------------------------------
# Public functions
# ----------------------------------------------------------------------------
# The two poolings' Parameters sections, built from the lines they share.
_WINDOW = """
    kernel_size : int{pair}
        Size of the window.
    stride : int{pair}, optional
        How far the window moves; default (None): ``kernel_size``."""
_CEIL = """
    ceil_mode : bool, default False
        Round the output size up; a last window starting in the right padding is dropped."""
_MAX_DOC = """
    Parameters
    ----------
    input : array_like
        {shapes}; plain lists work. Integers stay exact (int64).""" + _WINDOW + """
    padding : int{pair}, default 0
        −inf added on both sides (it never wins); at most ``kernel_size // 2``.
    dilation : int{pair}, default 1
        Spacing between the window's taps.""" + _CEIL + """
    return_indices : bool, default False
        Also return where each maximum sits, as a flat index into its channel's plane.

    Returns
    -------
    ndarray, or (ndarray, ndarray of int64) with ``return_indices``
"""
_AVG_DOC = """
    Parameters
    ----------
    input : array_like
        {shapes}; plain lists work. Integer inputs give float64 means.""" + _WINDOW + """
    padding : int{pair}, default 0
        Zeros added on both sides; at most ``kernel_size // 2``.""" + _CEIL + """
    count_include_pad : bool, default True
        Divide by the taps inside the padded input (True) or inside the input only (False).
        Taps of a ceil_mode window that hang past the padding never count.

    Returns
    -------
    ndarray
"""
_SHAPES = {1: dict(shapes="(C, L) or (N, C, L), or a plain (L,) signal", pair=""),
           2: dict(shapes="(C, H, W) or (N, C, H, W), or a plain (H, W) image", pair=" or pair")}


def _max(fn, dims, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    values, indices = vectorized_max(Pool.build(fn, "max", dims, input, kernel_size, stride, padding,
                                                dilation, ceil_mode))
    return (values, indices) if return_indices else values


@shared_doc(_MAX_DOC, **_SHAPES[1])
def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,
               return_indices: bool = False) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """1-D max pooling, as ``torch.nn.functional.max_pool1d``.

    {params}
    >>> max_pool1d([1, 3, 2, 2, 5, 0], 2)
    array([3, 2, 5])
    >>> max_pool1d([1, 3, 3, 2], 2, stride=1, return_indices=True)   # a tie: the first 3 wins
    (array([3, 3, 3]), array([1, 1, 2]))
    """
    return _max("max_pool1d", 1, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


@shared_doc(_MAX_DOC, **_SHAPES[2])
def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,
               return_indices: bool = False) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """2-D max pooling, as ``torch.nn.functional.max_pool2d``.

    {params}
    >>> max_pool2d([[1, 2, 0, 1], [3, 4, 1, 0], [0, 0, 5, 6], [1, 2, 7, 8]], 2)
    array([[4, 1],
           [2, 8]])
    """
    return _max("max_pool2d", 2, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


@shared_doc(_AVG_DOC, **_SHAPES[1])
def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> np.ndarray:
    """1-D average pooling, as ``torch.nn.functional.avg_pool1d``.

    {params}
    >>> avg_pool1d([1, 3, 2, 2, 5, 0], 2)
    array([2. , 2. , 2.5])
    >>> avg_pool1d([1, 3, 2, 2, 5], 2, ceil_mode=True)   # the last window holds only the 5
    array([2., 2., 5.])
    """
    return vectorized_avg(Pool.build("avg_pool1d", "avg", 1, input, kernel_size, stride, padding, 1,
                                     ceil_mode, count_include_pad))


@shared_doc(_AVG_DOC, **_SHAPES[2])
def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> np.ndarray:
    """2-D average pooling, as ``torch.nn.functional.avg_pool2d``.

    {params}
    >>> avg_pool2d([[1, 2], [3, 4]], 2)
    array([[2.5]])
    """
    return vectorized_avg(Pool.build("avg_pool2d", "avg", 2, input, kernel_size, stride, padding, 1,
                                     ceil_mode, count_include_pad))


# ----------------------------------------------------------------------------
# Traces
# ----------------------------------------------------------------------------
class PoolTap(NamedTuple):
    """One tap of a pooling window."""

    offset: tuple[int, ...]          # position inside the window, e.g. (ki, kj)
    coords: tuple[int, ...]          # input coordinate it sits on (may be outside the input)
    in_padding: bool                 # outside the input (padding or overhang): reads p.fill
    in_overhang: bool                # past the padded input (a ceil_mode window): not even padding
    source: tuple[int, ...] | None   # where the value comes from (None: nothing is read)


@dataclass(frozen=True)
class PoolStep(WindowStep):
    """Everything that goes into one pooled output element.

    ``patch`` is shaped like the window and holds what each tap reads: the input
    value, or the fill (−inf for max, 0 for avg) on padding and overhang taps.

    Max pooling: ``winner`` is the tap (row-major number in ``window``) whose
    value is ``value``, ``argmax`` where it sits as ``return_indices`` reports
    it. A window with no tap inside the input (possible with dilation) has
    ``winner=None``, value −inf and the index PyTorch reports.

    Average pooling: ``value == total / divisor``; ``counted`` (shaped like the
    window) marks the taps the divisor counts, so ``divisor == counted.sum()``.
    """

    channel: int
    kind: str
    window: tuple[PoolTap, ...]
    patch: np.ndarray
    value: np.generic
    winner: int | None = None
    argmax: int | None = None
    counted: np.ndarray | None = None
    divisor: int | None = None
    total: np.generic | None = None

    @property
    def out_channel(self) -> int:
        """Pooling keeps the channels: the output channel is the input channel."""
        return self.channel

    overhang_mask = laid_out("in_overhang", "True where a tap hangs past the padded input (ceil_mode only), shaped like the window.")

    @property
    def winner_offset(self) -> tuple[int, ...] | None:
        """The winning tap's position inside the window (max pooling)."""
        return None if self.winner is None else self.window[self.winner].offset


class PoolTrace(LazySteps):
    """The lazily computed steps of one pooling (a read-only sequence).

    Steps run sample, channel, output row, output column, like the output array;
    ``index(channel, out_pos, sample=0)`` finds one.
    """

    coordinates = ("sample", "channel", "out_pos")
    counts = ("sample(s)", "channel(s)", "positions")

    def __init__(self, problem: Pool):
        super().__init__(problem, (problem.batch, problem.channels, *problem.out_spatial))

    def _build_step(self, k: int) -> PoolStep:
        p: Pool = self.problem
        sample, channel, out_pos = self.locate(k)
        coords = p.window_coordinates(out_pos)
        window = []
        for t, c in enumerate(coords):
            outside = any(a.in_padding(i) for a, i in zip(p.axes, c))
            window.append(PoolTap(
                offset=tuple(int(i) for i in np.unravel_index(t, p.kernel_shape)), coords=c,
                in_padding=outside, in_overhang=any(a.in_overhang(i) for a, i in zip(p.axes, c)),
                source=None if outside else c))
        plane = p.input[sample, channel]
        patch = np.array([p.fill if tap.source is None else plane[tap.source] for tap in window],
                         dtype=p.dtype)
        common = dict(index=k, sample=sample, channel=channel, out_pos=out_pos, kind=p.kind,
                      window=tuple(window), patch=patch.reshape(p.kernel_shape), layout=p.layout)
        if p.kind == "max":
            # PyTorch's scan: walk the taps inside the input in order; keep a value
            # when it is strictly larger than the best so far, or when it is NaN.
            winner = None
            for t, tap in enumerate(window):
                if tap.source is None:
                    continue
                v = patch[t]
                if winner is None or v > patch[winner] or (p.dtype.kind == "f" and np.isnan(v)):
                    winner = t
            if winner is None:
                value = p.fill
                argmax = int(_empty_window_index(p)[out_pos])
            else:
                value = patch[winner]
                argmax = int(np.ravel_multi_index(window[winner].coords, p.spatial))
            return PoolStep(**common, value=p.dtype.type(value), winner=winner, argmax=argmax)
        counted = np.array([
            all((-a.pad_before <= i < a.n + a.pad_after) if p.count_include_pad else (0 <= i < a.n)
                for a, i in zip(p.axes, tap.coords))
            for tap in window])
        total = patch.sum(dtype=p.dtype)
        divisor = int(counted.sum())
        return PoolStep(**common, value=p.dtype.type(total / divisor), counted=counted.reshape(p.kernel_shape),
                        divisor=divisor, total=total)

    @property
    def output(self) -> np.ndarray:
        """The finished output (vectorized kernel), in the caller's layout."""
        p = self.problem
        return vectorized_max(p)[0] if p.kind == "max" else vectorized_avg(p)


def trace_max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False) -> PoolTrace:
    """The steps of ``max_pool1d`` with the same arguments, one per output element.

    >>> step = trace_max_pool1d([1, 3, 3, 2], 2, stride=1)[1]   # window [3, 3]: the first 3 wins
    >>> step.winner, step.argmax, int(step.value)
    (0, 1, 3)
    """
    return PoolTrace(Pool.build("trace_max_pool1d", "max", 1, input, kernel_size, stride, padding,
                                dilation, ceil_mode))


def trace_max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False) -> PoolTrace:
    """The steps of ``max_pool2d`` with the same arguments, one per output element."""
    return PoolTrace(Pool.build("trace_max_pool2d", "max", 2, input, kernel_size, stride, padding,
                                dilation, ceil_mode))


def trace_avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
                     count_include_pad=True) -> PoolTrace:
    """The steps of ``avg_pool1d`` with the same arguments, one per output element.

    >>> step = trace_avg_pool1d([1, 3, 2, 2, 5], 2, ceil_mode=True)[2]   # the overhanging window
    >>> step.patch, step.divisor, float(step.value)
    (array([5., 0.]), 1, 5.0)
    """
    return PoolTrace(Pool.build("trace_avg_pool1d", "avg", 1, input, kernel_size, stride, padding, 1,
                                ceil_mode, count_include_pad))


def trace_avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
                     count_include_pad=True) -> PoolTrace:
    """The steps of ``avg_pool2d`` with the same arguments, one per output element."""
    return PoolTrace(Pool.build("trace_avg_pool2d", "avg", 2, input, kernel_size, stride, padding, 1,
                                ceil_mode, count_include_pad))


def pool_output_size(n, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False) -> int:
    """Pooled length along one axis, PyTorch's rule including ceil_mode's dropped window.

    >>> pool_output_size(5, 2, ceil_mode=True), pool_output_size(5, 2)
    (3, 2)
    """
    fn = "pool_output_size"
    p = Pool.build(fn, "max", 1, np.zeros(as_tuple(n, "n", fn, 1, minimum=1)), kernel_size, stride,
                   padding, dilation, ceil_mode)
    return p.axes[0].out


__all__ = ["max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d", "trace_max_pool1d",
           "trace_max_pool2d", "trace_avg_pool1d", "trace_avg_pool2d", "pool_output_size",
           "Pool", "PoolStep", "PoolTap", "PoolTrace", "CeilEffect"]
