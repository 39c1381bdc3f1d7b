"""Transposed convolution: every input element stamps a scaled copy of the kernel.

A convolution reads a window of the input for every output element. Its
transpose runs the same wiring backwards: input element ``i`` *writes* the
kernel, scaled by its value, into the output window that the forward rule
would have read for output ``i``. Where stamps overlap they add up; what
lands in the padding is cropped away.

There is no new geometry here. A transposed convolution with stride ``s``,
padding ``p``, output padding ``op`` and dilation ``d`` is the adjoint of the
forward convolution of an output-sized signal (length ``n_out``) with padding
``p`` before and ``p − op`` after: ``Axis(n_out, k, s, p, p − op, d)``. That
forward convolution has exactly one output per transposed-convolution input
(``axis.out == n_in``), and stamp tap ``t`` of input ``i`` lands on
``axis.coordinate(i, t) = i·s − p + t·d``, the coordinate the forward
convolution would read there. So the scatter kernel below, the scatter trace
and the gradient of a convolution all go through ``geometry.Axis`` like
everything else in convcore.

Along one axis the output length is::

    n_out = (n − 1)·s − 2p + d·(k − 1) + output_padding + 1

``(n − 1)·s + d·(k − 1) + 1`` is the uncropped canvas that the stamps cover;
padding crops ``p`` from each end and ``output_padding`` gives back positions
at the end. It exists because a strided convolution maps several input
lengths to the same output length, and the transpose must be told which one
to return; so it must be smaller than the stride (or the dilation, PyTorch's
rule).
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import product

import numpy as np

from .docs import ARRAYS, shared_doc
from .geometry import Axis, source_index
from .kernels import vectorized_conv
from .layout import Layout
from .problem import (AXIS_NAMES, KERNEL_LETTERS, Conv, Shaped, as_int, as_numeric_array, as_tuple,
                      batch_layout, caller_shape, result_dtype)


# ----------------------------------------------------------------------------
# The output size, with the numbers filled in
# ----------------------------------------------------------------------------
def transpose_length(n: int, k: int, stride: int = 1, padding: int = 0, output_padding: int = 0,
                     dilation: int = 1) -> int:
    """``(n − 1)·s − 2p + d·(k − 1) + output_padding + 1`` (may be < 1 for an impossible setting)."""
    return (n - 1) * stride - 2 * padding + dilation * (k - 1) + output_padding + 1


def explain_transpose_axis(n, k, stride, padding, output_padding, dilation) -> str:
    """The transposed output-size formula with the numbers filled in."""
    out = transpose_length(n, k, stride, padding, output_padding, dilation)
    return (
        f"({n} − 1)·{stride} − 2·{padding} + {dilation}·({k} − 1) + {output_padding} + 1"
        f" = {(n - 1) * stride} − {2 * padding} + {dilation * (k - 1)} + {output_padding} + 1 = {out}"
    )


def _scalar_args(fn, n, k, stride, padding, output_padding, dilation):
    return (as_int(n, "n", fn, 1), as_int(k, "k", fn, 1), as_int(stride, "stride", fn, 1),
            as_int(padding, "padding", fn, 0), as_int(output_padding, "output_padding", fn, 0),
            as_int(dilation, "dilation", fn, 1))


def transpose_output_size(n, k, stride=1, padding=0, output_padding=0, dilation=1) -> int:
    """Output length of a transposed convolution along one axis.

    ``(n − 1)·s − 2p + d·(k − 1) + output_padding + 1``. Raises ``ValueError``
    with the formula filled in when the result is not a positive length or
    when ``output_padding`` is not smaller than the stride or the dilation.

    >>> transpose_output_size(3, 3, stride=2, padding=1, output_padding=1)
    6
    """
    fn = "transpose_output_size"
    args = _scalar_args(fn, n, k, stride, padding, output_padding, dilation)
    _check_output_padding(fn, args[4], args[2], args[5], "")
    out = transpose_length(*args)
    if out < 1:
        raise ValueError(f"{fn}: the output would be empty: {explain_transpose_axis(*args)}")
    return out


def explain_transpose_output_size(n, k, stride=1, padding=0, output_padding=0, dilation=1) -> str:
    """The transposed output-size formula with the numbers filled in, for showing a learner.

    >>> explain_transpose_output_size(3, 3, stride=2, padding=1, output_padding=1)
    '(3 − 1)·2 − 2·1 + 1·(3 − 1) + 1 + 1 = 4 − 2 + 2 + 1 + 1 = 6'
    """
    return explain_transpose_axis(*_scalar_args("explain_transpose_output_size", n, k, stride,
                                                padding, output_padding, dilation))


def _check_output_padding(fn, op, s, d, where):
    if op >= s and op >= d:
        # A stride-s convolution gives one output length for s neighbouring input lengths (its floor
        # drops the difference); going back, output_padding picks one of those s lengths.
        why = (f"A stride-{s} convolution gives the same output length for {s} different input lengths; "
               f"`output_padding` only picks which of those {s} input lengths the transposed convolution "
               f"returns (0 for the shortest)." if s > 1 else
               "A stride-1 convolution gives every input length its own output length, so there is no "
               "length for `output_padding` to pick.")
        raise ValueError(
            f"{fn}: `output_padding` must be smaller than either `stride` or `dilation`{where}; got "
            f"output_padding={op} with stride={s} and dilation={d}. {why}"
        )


# ----------------------------------------------------------------------------
# The checked problem
# ----------------------------------------------------------------------------
@dataclass(frozen=True)
class TransposedConv(Shaped):
    """A checked transposed-convolution problem in the batched, channels-first layout.

    ``input`` is (N, C_in, *n_in), ``weight`` (C_in, C_out / groups, *kernel)
    as ``nn.ConvTranspose2d`` stores it. ``axes`` holds, per spatial axis, the
    forward convolution this one is the transpose of (see the module's
    docstring): ``axis.n`` is the output length, ``axis.pad_before`` the
    padding ``p``, ``axis.out`` the input length.
    """

    fn: str
    input: np.ndarray
    weight: np.ndarray
    bias: np.ndarray | None
    axes: tuple[Axis, ...]
    groups: int
    layout: Layout
    dtype: np.dtype
    padding: tuple[int, ...] = ()
    output_padding: tuple[int, ...] = ()
    padding_mode: str = "zeros"

    @property
    def in_channels(self) -> int:
        return self.input.shape[1]

    @property
    def out_channels(self) -> int:
        return self.weight.shape[1] * self.groups

    @property
    def in_spatial(self) -> tuple[int, ...]:
        return self.input.shape[2:]

    @property
    def out_spatial(self) -> tuple[int, ...]:
        """The forward convolution's input length: this one's output (``axis.n``)."""
        return tuple(a.n for a in self.axes)

    @property
    def canvas_spatial(self) -> tuple[int, ...]:
        """Length of the uncropped output along each axis (``canvas_length``)."""
        return tuple(canvas_length(a) for a in self.axes)

    def group_of(self, in_channel: int) -> int:
        return in_channel // (self.in_channels // self.groups)

    def group_out_channels(self, group: int) -> range:
        per_group = self.weight.shape[1]
        return range(group * per_group, (group + 1) * per_group)

    def group_in_channels(self, group: int) -> range:
        per_group = self.in_channels // self.groups
        return range(group * per_group, (group + 1) * per_group)

    def explain(self) -> str:
        """The output-size formula for each spatial axis, numbers filled in."""
        return "\n".join(
            f"{name}: {explain_transpose_axis(n, a.k, a.stride, p, op, a.dilation)}"
            for name, a, n, p, op in zip(AXIS_NAMES[self.dims], self.axes, self.in_spatial,
                                         self.padding, self.output_padding)
        )

    @classmethod
    def build(cls, fn, dims, input, weight, bias=None, stride=1, padding=0, output_padding=0,
              groups=1, dilation=1) -> "TransposedConv":
        x = as_numeric_array(input, "input", fn)
        w = as_numeric_array(weight, "weight", fn)
        b = None if bias is None else as_numeric_array(bias, "bias", fn)
        x, w, b, layout = batch_layout(fn, dims, x, w, b, weight_axes="C_in, C_out/groups")

        stride_ = as_tuple(stride, "stride", fn, dims, minimum=1)
        if isinstance(padding, str):
            raise ValueError(
                f"{fn}: `padding` must be an int or one int per axis; got the word {padding!r}. "
                "A transposed convolution has no 'same' or 'valid': give the number of positions "
                "to crop from each end of the output."
            )
        padding_ = as_tuple(padding, "padding", fn, dims, minimum=0)
        output_padding_ = as_tuple(output_padding, "output_padding", fn, dims, minimum=0)
        dilation_ = as_tuple(dilation, "dilation", fn, dims, minimum=1)
        groups_ = as_int(groups, "groups", fn, minimum=1)

        c_in = x.shape[1]
        if w.shape[0] != c_in:
            raise ValueError(
                f"{fn}: channel mismatch: `input` has C_in={c_in} channels (input shape "
                f"{caller_shape(x, layout, True)}) so `weight` needs C_in={c_in} rows along its first "
                f"axis (weight.shape[0]: a transposed convolution stores its weight as "
                f"(C_in, C_out/groups, {', '.join(KERNEL_LETTERS[dims])})); got weight shape "
                f"{caller_shape(w, layout, False)} with {w.shape[0]}"
            )
        if c_in % groups_:
            raise ValueError(f"{fn}: `groups`={groups_} must divide the input channels C_in={c_in}; "
                             f"{c_in} / {groups_} is not a whole number")
        c_out = w.shape[1] * groups_
        if b is not None and b.shape != (c_out,):
            raise ValueError(
                f"{fn}: `bias` needs one value per output channel, shape ({c_out},) "
                f"(C_out = weight.shape[1] · groups = {w.shape[1]} · {groups_}); got shape {b.shape}"
            )

        axes = []
        for name, n, k, s, p, op, d in zip(AXIS_NAMES[dims], x.shape[2:], w.shape[2:], stride_,
                                           padding_, output_padding_, dilation_):
            _check_output_padding(fn, op, s, d, f" along {name}" if dims > 1 else "")
            n_out = transpose_length(n, k, s, p, op, d)
            if n_out < 1:
                uncropped = (n - 1) * s + d * (k - 1) + 1
                raise ValueError(
                    f"{fn}: the output would have no positions along {name}: "
                    f"{explain_transpose_axis(n, k, s, p, op, d)}. The stamps cover "
                    f"(n − 1)·s + d·(k − 1) + 1 = {uncropped} positions and padding crops "
                    f"2·{p} = {2 * p} of them. Use less padding."
                )
            axes.append(Axis(n=n_out, k=k, stride=s, pad_before=p, pad_after=p - op, dilation=d))

        return cls(fn=fn, input=x, weight=w, bias=b, axes=tuple(axes), groups=groups_,
                   layout=layout, dtype=result_dtype(x, w, b), padding=padding_,
                   output_padding=output_padding_)


# ----------------------------------------------------------------------------
# The scatter kernel (vectorized)
# ----------------------------------------------------------------------------
def canvas_length(axis: Axis) -> int:
    """Length of the uncropped output: the stamps of ``axis.out`` inputs reach
    ``s·(out − 1) + d·(k − 1) + 1`` positions, and the output itself ends at
    ``pad_before + n``, further when output_padding reaches past the last stamp."""
    return max(axis.stride * (axis.out - 1) + axis.span, axis.pad_before + axis.n)


def scatter_canvas(x: np.ndarray, weight: np.ndarray, axes, groups: int, dtype) -> np.ndarray:
    """Every stamp of every input element, added onto the uncropped canvas.

    ``x`` is (N, C_in, *n_in) with ``n_in == axis.out`` on every axis, ``weight``
    (C_in, C_out/groups, *kernel). Returns (N, C_out, *canvas), where canvas
    position ``u`` is output coordinate ``u − pad_before``.

    This is the forward kernel's im2col run backwards (col2im). First every
    input element times every kernel slice of its group, all at once: one
    matrix product per group gives, for each input position, its whole stamp.
    Then, tap by tap, the stamps' values for that tap land on the canvas along
    the very slice the forward kernel would read for that tap
    (``Axis.tap_slice``), and ``+=`` does the overlapping.
    """
    n, c_in = x.shape[:2]
    g, c_group, o_group = groups, c_in // groups, weight.shape[1]
    kernel = weight.shape[2:]
    taps = list(product(*(range(k) for k in kernel)))
    spatial = x.shape[2:]

    xg = x.astype(dtype, copy=False).reshape(n, g, c_group, -1)                 # (N, g, c, P)
    wg = weight.astype(dtype, copy=False).reshape(g, c_group, o_group * len(taps))
    stamps = np.matmul(np.swapaxes(wg, 1, 2), xg)                              # (N, g, o·taps, P)
    stamps = stamps.reshape(n, g, o_group, len(taps), *spatial)

    canvas_len = tuple(canvas_length(a) for a in axes)
    canvas = np.zeros((n, g, o_group, *canvas_len), dtype=dtype)
    for i, tap in enumerate(taps):
        where = tuple(a.tap_slice(t) for a, t in zip(axes, tap))
        canvas[(slice(None), slice(None), slice(None), *where)] += stamps[:, :, :, i]
    return canvas.reshape(n, g * o_group, *canvas_len)


def crop(canvas: np.ndarray, axes) -> np.ndarray:
    """The output inside the canvas: ``pad_before`` positions off the front of each axis."""
    return canvas[(slice(None), slice(None), *(slice(a.pad_before, a.pad_before + a.n) for a in axes))]


def fold(canvas: np.ndarray, axes, mode: str) -> np.ndarray:
    """Send every canvas position back to the input position it was read from.

    In zero padding the positions outside the input were never read from
    anything, so folding is cropping. In the other modes a padding position is
    a copy of an input element (``source_index``), so what lands on it is added
    to that element: a reflected border gives its gradient back to the
    elements it mirrored.
    """
    if mode == "zeros":
        return crop(canvas, axes)
    out = canvas
    for dim, a in enumerate(axes, start=2):
        coords = range(-a.pad_before, out.shape[dim] - a.pad_before)
        sources = np.array([source_index(c, a.n, mode) for c in coords])
        moved = np.moveaxis(out, dim, 0)
        folded = np.zeros((a.n, *moved.shape[1:]), dtype=out.dtype)
        np.add.at(folded, sources, moved)
        out = np.moveaxis(folded, 0, dim)
    return out


def scatter_conv(p: TransposedConv) -> np.ndarray:
    """The whole transposed convolution: stamp, crop, add the bias (caller's layout)."""
    out = crop(scatter_canvas(p.input, p.weight, p.axes, p.groups, p.dtype), p.axes)
    if p.bias is not None:
        out = out + p.bias.astype(p.dtype).reshape(-1, *([1] * p.dims))
    return p.layout.restore(np.ascontiguousarray(out))


# ----------------------------------------------------------------------------
# The gather reading: a plain convolution of a zero-inserted, padded input
# ----------------------------------------------------------------------------
def flipped_weight(weight: np.ndarray, groups: int) -> np.ndarray:
    """(C_in, C_out/g, *k) -> (C_out, C_in/g, *k), every kernel turned by 180°.

    Within each group the roles of the two channel axes swap (the transpose),
    and the kernel is flipped because a stamp written forwards is read back
    to front by the output elements it lands on.
    """
    c_in, o_group, *kernel = weight.shape
    c_group = c_in // groups
    w = weight.reshape(groups, c_group, o_group, *kernel)
    w = np.swapaxes(w, 1, 2).reshape(groups * o_group, c_group, *kernel)
    return np.ascontiguousarray(np.flip(w, axis=tuple(range(2, 2 + len(kernel)))))


@dataclass(frozen=True)
class GatherPlan:
    """How the transposed input turns into the input of the equivalent plain convolution.

    Along each axis: ``stride − 1`` zeros go between neighbouring elements
    (length ``(n − 1)·s + 1``), then ``d·(k − 1) − p`` zeros before and that
    plus ``output_padding`` after. When ``d·(k − 1) − p`` is negative, that many
    elements are cut off instead (``crop_before``/``crop_after``).
    """

    strides: tuple[int, ...]
    dilated: tuple[int, ...]        # (n − 1)·s + 1
    pad_before: tuple[int, ...]     # zeros added (>= 0)
    pad_after: tuple[int, ...]
    crop_before: tuple[int, ...]    # elements cut off (>= 0)
    crop_after: tuple[int, ...]

    def origin(self, coords: tuple[int, ...]) -> tuple[str, tuple[int, ...] | None]:
        """What sits at a coordinate of the plain convolution's input (padding included):
        ``("input", i)`` for transposed-input element ``i``, ``("inserted", None)``
        for a zero between elements, ``("padding", None)`` outside."""
        kind, where = "input", []
        for c, s, length, cut in zip(coords, self.strides, self.dilated, self.crop_before):
            z = c + cut   # coordinate in the zero-inserted input
            if not 0 <= z < length:
                return "padding", None
            if z % s:
                kind = "inserted"
            where.append(z // s)
        return kind, (tuple(where) if kind == "input" else None)


def gather_plan(p: TransposedConv) -> GatherPlan:
    strides = tuple(a.stride for a in p.axes)
    dilated = tuple((n - 1) * a.stride + 1 for n, a in zip(p.in_spatial, p.axes))
    before = tuple(a.dilation * (a.k - 1) - a.pad_before for a in p.axes)
    after = tuple(a.dilation * (a.k - 1) - a.pad_after for a in p.axes)   # = d(k−1) − p + op
    return GatherPlan(strides=strides, dilated=dilated,
                      pad_before=tuple(max(0, v) for v in before), pad_after=tuple(max(0, v) for v in after),
                      crop_before=tuple(max(0, -v) for v in before), crop_after=tuple(max(0, -v) for v in after))


def gather_problem(p: TransposedConv, fn: str | None = None):
    """The plain convolution (a ``Conv``, stride 1) whose output is this transposed convolution's."""
    plan = gather_plan(p)
    # Zero insertion: each element goes to position i·s of a longer, zero-filled array.
    inserted = np.zeros((p.batch, p.in_channels, *plan.dilated), dtype=p.dtype)
    inserted[(slice(None), slice(None), *(slice(None, None, s) for s in plan.strides))] = p.input
    inserted = inserted[(slice(None), slice(None),
                         *(slice(c0, length - c1) for c0, c1, length
                           in zip(plan.crop_before, plan.crop_after, plan.dilated)))]
    pad_after = list(plan.pad_after)
    for dim, length in enumerate(inserted.shape[2:]):
        if length == 0:
            # Padding cropped every element away (only the output_padding zeros are left):
            # hold one of those zeros as a physical element, so the input is not empty.
            widths = [(0, 0)] * inserted.ndim
            widths[dim + 2] = (0, 1)
            inserted = np.pad(inserted, widths)
            pad_after[dim] -= 1
    axes = tuple(
        Axis(n=n, k=a.k, stride=1, pad_before=pb, pad_after=pa, dilation=a.dilation)
        for n, a, pb, pa in zip(inserted.shape[2:], p.axes, plan.pad_before, pad_after)
    )
    assert tuple(a.out for a in axes) == p.out_spatial, "gather reading must give the same output size"
    return Conv(fn=fn or f"gather reading of {p.fn}", input=inserted,
                weight=flipped_weight(p.weight, p.groups), bias=p.bias, axes=axes, groups=p.groups,
                padding_mode="zeros", layout=p.layout, dtype=p.dtype), plan


def gather_conv(p: TransposedConv) -> np.ndarray:
    """The transposed convolution computed the other way: ``conv`` of the zero-inserted,
    padded input with the flipped, transposed kernel (convcore's forward kernel)."""
    return vectorized_conv(gather_problem(p)[0])


# ----------------------------------------------------------------------------
# The public functions
# ----------------------------------------------------------------------------
_TRANSPOSED_DOC = ARRAYS.replace("{bias}", "(C_out,), added once to every output element.") + """
    stride : int or tuple, default 1
        How far apart neighbouring input elements' stamps land in the output.
    padding : int or tuple, default 0
        Positions cropped from each end of the uncropped output (``d·(k − 1) − p``
        zeros of padding in the gather reading). No 'same' or 'valid'.
    output_padding : int or tuple, default 0
        Positions given back at the end of each axis; smaller than ``stride`` or
        ``dilation``.
    groups : int, default 1
        Split channels into independent groups; must divide C_in.
    dilation : int or tuple, default 1
        Spacing between kernel taps inside a stamp.

    Returns
    -------
    ndarray
        {returns}
"""


@shared_doc(_TRANSPOSED_DOC,
            input="(C_in, L) or (N, C_in, L); or a plain (L,) signal with a plain (K,) kernel.",
            weight="(C_in, C_out / groups, K), the layout ``nn.ConvTranspose1d.weight`` has\n"
                   "        (note: C_in first); or a plain (K,) kernel.",
            returns="(C_out, L_out), (N, C_out, L_out) or plain (L_out,), with\n"
                    "        ``L_out = (L − 1)·stride − 2·padding + dilation·(K − 1) + output_padding + 1``.\n"
                    "        Integer inputs give exact int64 results.")
def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1) -> np.ndarray:
    """1-D transposed convolution, with ``torch.nn.functional.conv_transpose1d``'s semantics.

    Each input element adds its value times the kernel into the output,
    ``stride`` positions further along than its neighbour.

    {params}
    >>> conv_transpose1d([1, 2], [1, 0, -1], stride=2)   # stamps [1, 0, -1] and [2, 0, -2]
    array([ 1,  0,  1,  0, -2])
    """
    return scatter_conv(TransposedConv.build("conv_transpose1d", 1, input, weight, bias, stride,
                                             padding, output_padding, groups, dilation))


@shared_doc(_TRANSPOSED_DOC,
            input="(C_in, H, W) or (N, C_in, H, W); or a plain (H, W) image with a plain (kH, kW) kernel.",
            weight="(C_in, C_out / groups, kH, kW), the layout ``nn.ConvTranspose2d.weight`` has.",
            returns="(C_out, H_out, W_out), (N, C_out, H_out, W_out) or plain (H_out, W_out).")
def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1) -> np.ndarray:
    """2-D transposed convolution, with ``torch.nn.functional.conv_transpose2d``'s semantics.

    {params}
    >>> conv_transpose2d([[1, 2], [3, 4]], [[1, 1], [1, 1]], stride=2)  # each value fills a 2×2 block
    array([[1, 1, 2, 2],
           [1, 1, 2, 2],
           [3, 3, 4, 4],
           [3, 3, 4, 4]])
    """
    return scatter_conv(TransposedConv.build("conv_transpose2d", 2, input, weight, bias, stride,
                                             padding, output_padding, groups, dilation))

