"""Check and normalize the arguments of a convolution, in the learner's words.

``conv1d``/``conv2d``/``trace1d``/``trace2d`` accept what PyTorch accepts (and
plain lists). Before any arithmetic happens, ``Conv.build`` turns those
arguments into one normalized problem: input ``(N, C_in, *spatial)``, weight
``(C_out, C_in/groups, *kernel)``, bias ``(C_out,)`` and one ``Axis`` per
spatial dimension. Every mistake is caught here and reported with the
argument's name, what was expected and what arrived, so no numpy traceback
from deep inside ever reaches a learner, and no wrong answer either.
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass
from itertools import product

import numpy as np

from .geometry import PADDING_MODES, Axis, explain_axis, same_padding, source_index
from .layout import Layout

AXIS_NAMES = {1: ("length",), 2: ("height", "width")}
SPATIAL_LETTERS = {1: ("L",), 2: ("H", "W")}
KERNEL_LETTERS = {1: ("K",), 2: ("kH", "kW")}


# ----------------------------------------------------------------------------
# Single arguments
# ----------------------------------------------------------------------------
def as_numeric_array(value, name: str, fn: str) -> np.ndarray:
    """An int or float array from ``value`` (array, tensor-like or nested list)."""
    if hasattr(value, "detach") and hasattr(value, "numpy"):  # a torch tensor
        value = value.detach().cpu().numpy()
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{fn}: `{name}` must be numbers (an array or nested lists); got the string {value!r}")
    try:
        array = np.asarray(value)
    except ValueError as err:  # numpy refuses ragged nested lists
        raise ValueError(
            f"{fn}: `{name}` is ragged: its rows have different lengths, so it is not a "
            f"rectangular array (numpy said: {err})"
        ) from None
    if array.dtype == object:
        raise ValueError(
            f"{fn}: `{name}` must be a rectangular array of numbers; got {_describe(value)} "
            "(ragged rows, or items that are not numbers)"
        )
    if array.dtype.kind == "b":
        raise TypeError(f"{fn}: `{name}` must hold numbers, not booleans (True/False); convert it with .astype(int)")
    if array.dtype.kind not in "iuf":
        raise TypeError(
            f"{fn}: `{name}` must hold integers or floats; got {_describe(value)}, "
            f"an array of dtype {array.dtype}"
        )
    return array


def _describe(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def as_int(value, name: str, fn: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{fn}: `{name}` must be a whole number >= {minimum}; got {value!r} ({type(value).__name__})")
    if value < minimum:
        raise ValueError(f"{fn}: `{name}` must be >= {minimum}; got {value}")
    return int(value)


def as_tuple(value, name: str, fn: str, dims: int, minimum: int) -> tuple[int, ...]:
    """An int (used on every axis) or one int per spatial axis."""
    if isinstance(value, (tuple, list)):
        if len(value) != dims:
            axes = " and ".join(AXIS_NAMES[dims])
            raise ValueError(
                f"{fn}: `{name}` needs {dims} value{'s' if dims > 1 else ''} (one for {axes}) "
                f"or a single int; got {len(value)}: {tuple(value)!r}"
            )
        return tuple(as_int(v, f"{name}[{i}]", fn, minimum) for i, v in enumerate(value))
    return (as_int(value, name, fn, minimum),) * dims


def as_bool(value, name: str, fn: str) -> bool:
    """True or False, and nothing that merely looks like one (1, "yes")."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise TypeError(f"{fn}: `{name}` must be True or False; got {value!r} ({type(value).__name__})")


def check_padding_mode(fn: str, mode) -> str:
    """One of ``PADDING_MODES``, named exactly."""
    if not isinstance(mode, str) or mode not in PADDING_MODES:
        raise ValueError(f"{fn}: `padding_mode` must be one of {', '.join(map(repr, PADDING_MODES))}; got {mode!r}")
    return mode


# ----------------------------------------------------------------------------
# The normalized problem
# ----------------------------------------------------------------------------
class Shaped:
    """The sizes every checked problem (convolution, transposed convolution, pooling) reads the
    same way: its ``axes`` (one ``Axis`` per spatial dimension), its input in the batched,
    channels-first layout, and the ``layout`` the caller gave, in which the result comes back.
    A problem says what ``out_channels`` is; sizes, windows and the output-size formula follow
    from its axes (a transposed convolution overrides what differs for it)."""

    @property
    def dims(self) -> int:
        return len(self.axes)

    @property
    def batch(self) -> int:
        return self.input.shape[0]

    @property
    def kernel_shape(self) -> tuple[int, ...]:
        return tuple(a.k for a in self.axes)

    @property
    def out_spatial(self) -> tuple[int, ...]:
        return tuple(a.out for a in self.axes)

    @property
    def out_shape(self) -> tuple[int, ...]:
        """Shape of the result in the caller's layout."""
        return self.layout.shape(self.batch, self.out_channels, self.out_spatial)

    def window_coordinates(self, out_pos: tuple[int, ...]) -> list[tuple[int, ...]]:
        """Input coordinates under every tap of output position ``out_pos``, taps in row-major order."""
        return [
            tuple(axis.coordinate(o, t) for axis, o, t in zip(self.axes, out_pos, tap))
            for tap in product(*(range(a.k) for a in self.axes))
        ]

    def explain(self) -> str:
        """The output-size formula for each spatial axis, numbers filled in."""
        return "\n".join(
            f"{name}: {explain_axis(axis)}" for name, axis in zip(AXIS_NAMES[self.dims], self.axes)
        )


@dataclass(frozen=True)
class Conv(Shaped):
    """A checked convolution problem in the batched, channels-first layout.

    ``layout`` remembers what the caller gave so results come back in the
    same shape (``convcore.layout.Layout``: plain, unbatched or batched).
    """

    fn: str
    input: np.ndarray   # (N, C_in, *spatial)
    weight: np.ndarray  # (C_out, C_in // groups, *kernel)
    bias: np.ndarray | None  # (C_out,)
    axes: tuple[Axis, ...]
    groups: int
    padding_mode: str
    layout: Layout
    dtype: np.dtype

    # -- sizes (and those of ``Shaped``) ----------------------------------------
    @property
    def in_channels(self) -> int:
        return self.input.shape[1]

    @property
    def out_channels(self) -> int:
        return self.weight.shape[0]

    # -- which input channels feed an output channel ---------------------------
    def group_of(self, out_channel: int) -> int:
        return out_channel // (self.out_channels // self.groups)

    def group_channels(self, group: int) -> range:
        per_group = self.in_channels // self.groups
        return range(group * per_group, (group + 1) * per_group)

    # -- the window of one output position ------------------------------------
    def source(self, coords: tuple[int, ...]) -> tuple[int, ...] | None:
        """Where an input coordinate reads its value (None: zero padding)."""
        found = tuple(source_index(i, a.n, self.padding_mode) for i, a in zip(coords, self.axes))
        return None if None in found else found

    def read(self, sample: int, channel: int, coords: tuple[int, ...]):
        """The value under one tap, padding included."""
        where = self.source(coords)
        if where is None:
            return self.dtype.type(0)
        return self.input[(sample, channel, *where)]

    def padding_mask(self) -> np.ndarray:
        """Over the padded input (``pad_input``'s spatial shape): True where a position is padding."""
        masks = [a.padding_mask() for a in self.axes]
        return masks[0] if self.dims == 1 else masks[0][:, None] | masks[1][None, :]

    def never_read(self) -> np.ndarray:
        """Over the input's spatial shape: True where no window of any output reads the value.

        Windows are products of one window per axis, so a position is read
        exactly when each of its coordinates is read along its own axis.
        """
        unread = [a.never_read(self.padding_mode) for a in self.axes]
        return unread[0] if self.dims == 1 else unread[0][:, None] | unread[1][None, :]

    # -- construction ---------------------------------------------------------
    @classmethod
    def build(cls, fn, dims, input, weight, bias=None, stride=1, padding=0, dilation=1,
              groups=1, padding_mode="zeros") -> "Conv":
        x = as_numeric_array(input, "input", fn)
        w = as_numeric_array(weight, "weight", fn)
        b = None if bias is None else as_numeric_array(bias, "bias", fn)
        x, w, b, layout = batch_layout(fn, dims, x, w, b)
        check_padding_mode(fn, padding_mode)
        stride_ = as_tuple(stride, "stride", fn, dims, minimum=1)
        dilation_ = as_tuple(dilation, "dilation", fn, dims, minimum=1)
        groups_ = as_int(groups, "groups", fn, minimum=1)

        c_in, c_out = x.shape[1], w.shape[0]
        if c_in % groups_:
            raise ValueError(f"{fn}: `groups`={groups_} must divide the input channels C_in={c_in}; {c_in} / {groups_} is not a whole number")
        if c_out % groups_:
            raise ValueError(f"{fn}: `groups`={groups_} must divide the output channels C_out={c_out} (weight.shape[0]); {c_out} / {groups_} is not a whole number")
        if w.shape[1] != c_in // groups_:
            # an image stored as (H, W, C), as image files and most libraries keep it, reads C as a width
            last = x.shape[-1] if dims == 2 else None
            hint = (". This input looks channels-last (H, W, C), the way images are stored; convolutions "
                    "want the channels first: np.moveaxis(x, -1, 0) gives shape (C, H, W)"
                    if last is not None and last == w.shape[1] * groups_ and last != c_in else "")
            raise ValueError(
                f"{fn}: channel mismatch: `input` has C_in={c_in} channels (input shape {caller_shape(x, layout, True)}) "
                f"so `weight` needs C_in / groups = {c_in} / {groups_} = {c_in // groups_} channels per filter "
                f"(weight.shape[1]); got weight shape {caller_shape(w, layout, False)} with {w.shape[1]}{hint}"
            )
        if b is not None and b.shape != (c_out,):
            raise ValueError(f"{fn}: `bias` needs one value per output channel, shape ({c_out},); got shape {b.shape}")

        kernel = w.shape[2:]
        spatial = x.shape[2:]
        pads = resolve_padding(fn, padding, dims, kernel, dilation_, stride_)
        axes = tuple(
            Axis(n=n, k=k, stride=s, pad_before=p0, pad_after=p1, dilation=d)
            for n, k, s, (p0, p1), d in zip(spatial, kernel, stride_, pads, dilation_)
        )
        for name, axis in zip(AXIS_NAMES[dims], axes):
            _check_mode_fits(fn, padding_mode, name, axis)
        check_fits(fn, axes, "kernel", "Use a smaller kernel or dilation, or more padding.")

        dtype = result_dtype(x, w, b)
        return cls(fn=fn, input=x, weight=w, bias=b, axes=axes, groups=groups_,
                   padding_mode=padding_mode, layout=layout, dtype=dtype)


def caller_shape(array, layout: Layout, is_input: bool) -> tuple[int, ...]:
    """The shape ``array`` (an input, or else a weight, in the batched layout) had as the caller gave it."""
    return (layout.restore(array) if is_input else layout.restore_weight(array)).shape


FORWARD_WEIGHT = "C_out, C_in/groups"       # how nn.Conv*d stores its weight; ConvTranspose*d swaps them


def batch_layout(fn, dims, x, w, b, weight_axes: str = FORWARD_WEIGHT):
    """(N, C_in, *spatial), the weight with its channel axes, the bias and the caller's ``Layout``.

    Plain means both input and weight are plain (no channel axes): one channel in, one
    out. Otherwise the weight carries its channel axes and the input is unbatched or
    batched. Any other pairing is refused with the shapes that would fit."""
    spatial = ", ".join(SPATIAL_LETTERS[dims])
    kernel = ", ".join(KERNEL_LETTERS[dims])
    # An empty axis leaves nothing to slide over; say so with the shape the caller gave.
    for name, array in (("input", x), ("weight", w)):
        if array.size == 0:
            raise ValueError(f"{fn}: `{name}` is empty (shape {array.shape}); every axis needs at least one element")
    if x.ndim == dims and w.ndim == dims:
        # A plain signal/image with a plain kernel: one channel in, one out.
        if b is not None and b.size != 1:
            raise ValueError(f"{fn}: with a plain ({kernel}) weight there is one output channel, so "
                             f"`bias` must be a single number; got shape {b.shape}")
        plain = Layout.PLAIN
        return plain.batched(x), plain.batched_weight(w), None if b is None else b.reshape(1), plain
    if x.ndim in (dims + 1, dims + 2) and w.ndim == dims + 2:
        # (the bias is checked against the output channels, which only the caller can count)
        layout = Layout.of(x.ndim, dims)
        return layout.batched(x), w, b, layout
    if x.ndim not in (dims, dims + 1, dims + 2):
        raise ValueError(
            f"{fn}: `input` must be (C_in, {spatial}) or (N, C_in, {spatial}), or a plain ({spatial}) "
            f"with a plain ({kernel}) weight; got {x.ndim}-D shape {x.shape}"
        )
    if w.ndim not in (dims, dims + 2):
        one = f"; one filter over one channel is kernel[{', '.join(['None'] * (dims + 2 - w.ndim))}]" if w.ndim < dims + 2 else ""
        raise ValueError(
            f"{fn}: `weight` must be ({weight_axes}, {kernel}), or a plain ({kernel}) with a plain "
            f"({spatial}) input; got {w.ndim}-D shape {w.shape}{one}"
        )
    if x.ndim == dims:
        raise ValueError(
            f"{fn}: a plain ({spatial}) input goes with a plain ({kernel}) weight; `weight` has shape "
            f"{w.shape}, so give the input a channel axis: shape (1, {spatial}), e.g. input[None]"
        )
    raise ValueError(
        f"{fn}: a plain ({kernel}) weight goes with a plain ({spatial}) input; `input` has shape "
        f"{x.shape}, so give the weight its channel axes: shape ({weight_axes}, {kernel})"
    )


def resolve_padding(fn, padding, dims, kernel, dilation, stride, name: str = "padding"):
    """Padding as (before, after) per axis, from an int, a pair, 'valid' or 'same'
    (``name``: how the caller's numbers are called in a message)."""
    if isinstance(padding, str):
        if padding == "valid":
            return [(0, 0)] * dims
        if padding == "same":
            if any(s != 1 for s in stride):
                raise ValueError(
                    f"{fn}: padding='same' only works with stride 1, as in PyTorch (with stride s the output "
                    f"has about n / s positions, so it cannot keep the input's size); got stride "
                    f"{stride if dims > 1 else stride[0]}. Give the padding as a number instead."
                )
            return [same_padding(k, d) for k, d in zip(kernel, dilation)]
        raise ValueError(f"{fn}: `padding` must be an int, one int per axis, 'valid' or 'same'; got the word {padding!r}")
    return [(p, p) for p in as_tuple(padding, name, fn, dims, minimum=0)]


def check_fits(fn: str, axes, what: str, remedy: str) -> None:
    """Every axis has at least one output: the ``what`` (kernel, window) fits in the padded input."""
    for name, axis in zip(AXIS_NAMES[len(axes)], axes):
        if axis.out < 1:
            raise ValueError(
                f"{fn}: the {what} does not fit in the padded input along {name}: it spans "
                f"d·(k−1)+1 = {axis.dilation}·({axis.k}−1)+1 = {axis.span} positions but the padded "
                f"input has only {axis.pad_before} + {axis.n} + {axis.pad_after} = {axis.padded_length}. "
                f"Output size: {explain_axis(axis)}. {remedy}"
            )


def _check_mode_fits(fn, mode, name, axis):
    """PyTorch's limits on non-zero padding modes, stated plainly."""
    pad = max(axis.pad_before, axis.pad_after)
    if mode == "reflect" and pad >= axis.n:
        raise ValueError(
            f"{fn}: padding_mode='reflect' mirrors the input without repeating its edge, so the padding "
            f"must be smaller than the input along {name}; got padding {pad} for length {axis.n}"
        )
    if mode == "circular" and pad > axis.n:
        raise ValueError(
            f"{fn}: padding_mode='circular' wraps the input around once at most, so the padding must "
            f"be at most the input length along {name}; got padding {pad} for length {axis.n}"
        )


def result_dtype(x, w, b) -> np.dtype:
    """Integers stay exact (int64); otherwise the widest float, at least float32."""
    arrays = [a for a in (x, w, b) if a is not None]
    if all(a.dtype.kind in "iu" for a in arrays):
        return np.dtype(np.int64)
    return np.result_type(np.float32, *[a.dtype for a in arrays])
