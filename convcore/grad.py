"""The gradients of a convolution, computed as convolutions, and traced.

For ``out = conv(x, w) + b`` and a loss ``L`` whose gradient with respect to
``out`` is ``grad_output`` (same shape as ``out``), the chain rule asks, for
every number that went in, which outputs it touched and with what factor:

* **input**: ``x[c, i]`` was multiplied by ``w[o, c, t]`` in every output
  ``out[o, pos]`` whose tap ``t`` read it, so its gradient collects
  ``grad_output[o, pos] · w[o, c, t]`` over those. Sending every
  ``grad_output`` element back through the windows it came from is exactly a
  transposed convolution of ``grad_output`` with the same weight, same
  stride, padding and dilation (``convcore.transpose``): each gradient element
  stamps the kernel onto the input it read, and the crop by padding removes
  what landed in the zeros (in the other padding modes, what landed on a
  padding copy goes back to the element it copied).
* **weight**: ``w[o, c, t]`` met, in output ``out[n, o, pos]``, the input
  value its tap read there, so its gradient is the sum over samples and
  positions of ``grad_output[n, o, pos] · x[n, c, coordinate(pos, t)]``: a
  correlation of the input with ``grad_output``, in which ``grad_output``
  plays the kernel, dilated by the forward stride and moved by the forward
  dilation (stride and dilation swap roles).
* **bias**: ``b[o]`` was added to every output of channel ``o``, so its
  gradient is the sum of ``grad_output`` over the batch and the positions.

The functions mirror ``torch.nn.grad`` (``conv2d_input(input_size, weight,
grad_output, ...)``), take padding as ``conv2d`` does (an int, a pair,
``"valid"`` or ``"same"``) and every ``padding_mode``.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from itertools import product
from typing import NamedTuple

import numpy as np

from .docs import shared_doc
from .geometry import source_index
from .kernels import pad_input
from .layout import Layout
from .lazy import LazySteps
from .problem import SPATIAL_LETTERS, Conv, as_int, as_numeric_array, result_dtype
from .transpose import fold, scatter_canvas


# ----------------------------------------------------------------------------
# Checking the arguments: the forward convolution they describe
# ----------------------------------------------------------------------------
def _as_size(value, name: str, fn: str) -> tuple[int, ...]:
    """A shape: a tuple (or list, or ``torch.Size``) of whole numbers >= 1."""
    if not isinstance(value, (tuple, list)):
        raise TypeError(f"{fn}: `{name}` must be a shape, a tuple of whole numbers such as "
                        f"(1, 3, 5, 5); got {value!r} ({type(value).__name__})")
    return tuple(as_int(v, f"{name}[{i}]", fn, minimum=1) for i, v in enumerate(value))


def _placeholder(size) -> np.ndarray:
    """An array of the given shape that takes no memory: only its shape is read."""
    return np.broadcast_to(np.zeros((), dtype=np.int64), size)


def _check_grad_output(fn, p: Conv, grad_output) -> np.ndarray:
    g = as_numeric_array(grad_output, "grad_output", fn)
    if g.shape != p.out_shape:
        raise ValueError(
            f"{fn}: `grad_output` must have the shape of the convolution's output, {p.out_shape}; "
            f"got shape {g.shape}. Output size per axis:\n{p.explain()}"
        )
    return p.layout.batched(g)       # (N, C_out, *out)


def _forward(fn, dims, x, w, stride, padding, dilation, groups, padding_mode) -> Conv:
    return Conv.build(fn, dims, x, w, None, stride, padding, dilation, groups, padding_mode)


# ----------------------------------------------------------------------------
# The three gradients, vectorized
# ----------------------------------------------------------------------------
def input_grad(p: Conv, g: np.ndarray, dtype) -> np.ndarray:
    """(N, C_in, *n): ``grad_output`` stamped back through the forward windows.

    The forward weight (C_out, C_in/groups, *k) read as a transposed
    convolution's weight (rows are that convolution's input channels) is
    exactly what ``scatter_canvas`` wants: grad_output's C_out channels are
    its input, the forward C_in its output.
    """
    canvas = scatter_canvas(g, p.weight, p.axes, p.groups, dtype)
    return fold(canvas, p.axes, p.padding_mode)


def weight_grad(p: Conv, g: np.ndarray, dtype) -> np.ndarray:
    """(C_out, C_in/groups, *k): for each tap, grad_output against what that tap read.

    Tap ``t`` of every output read the padded input along ``Axis.tap_slice(t)``,
    the slice the forward kernel gathers for its im2col matrix. Multiplying
    that slice by grad_output and summing over samples and positions is one
    matrix product per group, (C_out/g, N·P) @ (N·P, C_in/g).
    """
    x = pad_input(p).astype(dtype, copy=False)
    n, groups = p.batch, p.groups
    c_group, o_group = p.in_channels // groups, p.out_channels // groups
    positions = int(np.prod(p.out_spatial))
    gg = g.astype(dtype, copy=False).reshape(n, groups, o_group, positions)
    gg = gg.transpose(1, 2, 0, 3).reshape(groups, o_group, n * positions)
    out = np.empty((groups, o_group, c_group, *p.kernel_shape), dtype=dtype)
    for tap in product(*(range(a.k) for a in p.axes)):
        read = x[(slice(None), slice(None), *(a.tap_slice(t) for a, t in zip(p.axes, tap)))]
        read = read.reshape(n, groups, c_group, positions).transpose(1, 0, 3, 2)
        out[(slice(None), slice(None), slice(None), *tap)] = np.matmul(gg, read.reshape(groups, n * positions, c_group))
    return out.reshape(p.out_channels, c_group, *p.kernel_shape)


_FORWARD_ARGUMENTS = """
    grad_output : array_like
        Gradient with respect to the forward output, shaped like it.
    stride, padding, dilation, groups, padding_mode : as in ``conv1d``/``conv2d``
        The forward convolution's arguments (padding may be an int, one int per
        axis, "valid" or "same"; every padding mode is supported).
"""
_INPUT_GRAD_DOC = """
    Parameters
    ----------
    input_size : tuple of int
        Shape of the forward input: {input}, or {plain_input} with a plain kernel.
    weight : array_like
        The forward weight, {weight}.""" + _FORWARD_ARGUMENTS + """
    Returns
    -------
    ndarray
        Shaped ``input_size``.
"""
_WEIGHT_GRAD_DOC = """
    Parameters
    ----------
    input : array_like
        The forward input, {input} or plain {plain_input}.
    weight_size : tuple of int
        Shape of the forward weight, {weight} or plain {plain_weight}.""" + _FORWARD_ARGUMENTS + """
    Returns
    -------
    ndarray
        Shaped ``weight_size``.
"""
# The shapes those sections name, per number of spatial axes.
_SHAPES = {1: dict(input="(N, C_in, L), (C_in, L)", plain_input="(L,)", weight="(C_out, C_in / groups, K)",
                   plain_weight="(K,)"),
           2: dict(input="(N, C_in, H, W), (C_in, H, W)", plain_input="(H, W)",
                   weight="(C_out, C_in / groups, kH, kW)", plain_weight="(kH, kW)")}


def _input_grad_trace(fn, dims, input_size, weight, grad_output, stride, padding, dilation, groups,
                      padding_mode) -> "InputGradTrace":
    """The checked arguments of an input gradient, as its trace (lazy: nothing is computed yet);
    ``conv*d_input`` returns its ``output``, ``trace_conv*d_input_grad`` the trace itself."""
    size = _as_size(input_size, "input_size", fn)
    w = as_numeric_array(weight, "weight", fn)
    p = _forward(fn, dims, _placeholder(size), w, stride, padding, dilation, groups, padding_mode)
    g = _check_grad_output(fn, p, grad_output)
    return InputGradTrace(p, g, result_dtype(p.weight, g, None))


def _weight_grad_trace(fn, dims, input, weight_size, grad_output, stride, padding, dilation, groups,
                       padding_mode) -> "WeightGradTrace":
    """The checked arguments of a weight gradient, as its trace (lazy: nothing is computed yet);
    ``conv*d_weight`` returns its ``output``, ``trace_conv*d_weight_grad`` the trace itself."""
    x = as_numeric_array(input, "input", fn)
    size = _as_size(weight_size, "weight_size", fn)
    p = _forward(fn, dims, x, _placeholder(size), stride, padding, dilation, groups, padding_mode)
    g = _check_grad_output(fn, p, grad_output)
    return WeightGradTrace(p, g, result_dtype(p.input, g, None))


@shared_doc(_INPUT_GRAD_DOC, **_SHAPES[1])
def conv1d_input(input_size, weight, grad_output, stride=1, padding=0, dilation=1, groups=1,
                 padding_mode="zeros") -> np.ndarray:
    """Gradient of a loss with respect to ``conv1d``'s input, as ``torch.nn.grad.conv1d_input``.

    Computed as a transposed convolution of ``grad_output`` with the same
    weight: for zero padding ``p`` on both sides that is
    ``conv_transpose1d(grad_output, weight, stride=s, padding=p, dilation=d,
    groups=g, output_padding=r)``, where ``r = (L + 2p − d·(K − 1) − 1) mod s``
    gives back the input positions the forward stride skipped at the end.

    {params}
    >>> conv1d_input((4,), [1, 0, -1], [1, 1])   # loss = sum of conv1d([x0..x3], [1, 0, -1])
    array([ 1,  1, -1, -1])
    """
    return _input_grad_trace("conv1d_input", 1, input_size, weight, grad_output, stride,
                             padding, dilation, groups, padding_mode).output


@shared_doc(_INPUT_GRAD_DOC, **_SHAPES[2])
def conv2d_input(input_size, weight, grad_output, stride=1, padding=0, dilation=1, groups=1,
                 padding_mode="zeros") -> np.ndarray:
    """Gradient of a loss with respect to ``conv2d``'s input, as ``torch.nn.grad.conv2d_input``.

    A transposed convolution of ``grad_output`` with the same weight (see ``conv1d_input``).

    {params}
    >>> conv2d_input((3, 3), [[1, 2], [3, 4]], [[1, 0], [0, 0]])   # only output (0, 0) matters
    array([[1, 2, 0],
           [3, 4, 0],
           [0, 0, 0]])
    """
    return _input_grad_trace("conv2d_input", 2, input_size, weight, grad_output, stride,
                             padding, dilation, groups, padding_mode).output


@shared_doc(_WEIGHT_GRAD_DOC, **_SHAPES[1])
def conv1d_weight(input, weight_size, grad_output, stride=1, padding=0, dilation=1, groups=1,
                  padding_mode="zeros") -> np.ndarray:
    """Gradient of a loss with respect to ``conv1d``'s weight, as ``torch.nn.grad.conv1d_weight``.

    ``grad_weight[o, c, t] = Σ_n Σ_pos grad_output[n, o, pos] · x[n, c', pos·s − p + t·d]``
    (``c'`` the input channel of the group): a correlation of the input with
    ``grad_output``, which plays the kernel with dilation ``s`` and stride ``d``.

    {params}
    >>> conv1d_weight([1, 2, 3, 4], (3,), [1, 1])   # tap t met x[t] and x[t + 1]
    array([3, 5, 7])
    """
    return _weight_grad_trace("conv1d_weight", 1, input, weight_size, grad_output, stride,
                              padding, dilation, groups, padding_mode).output


@shared_doc(_WEIGHT_GRAD_DOC, **_SHAPES[2])
def conv2d_weight(input, weight_size, grad_output, stride=1, padding=0, dilation=1, groups=1,
                  padding_mode="zeros") -> np.ndarray:
    """Gradient of a loss with respect to ``conv2d``'s weight, as ``torch.nn.grad.conv2d_weight``.

    A correlation of the input with ``grad_output`` (see ``conv1d_weight``).

    {params}
    >>> conv2d_weight([[1, 2, 3], [4, 5, 6], [7, 8, 9]], (2, 2), [[1, 0], [0, 0]])   # the first window
    array([[1, 2],
           [4, 5]])
    """
    return _weight_grad_trace("conv2d_weight", 2, input, weight_size, grad_output, stride,
                              padding, dilation, groups, padding_mode).output


def _bias_grad(fn, dims, grad_output) -> np.ndarray:
    g = as_numeric_array(grad_output, "grad_output", fn)
    layout = Layout.of(g.ndim, dims)
    if layout is None:
        letters = ", ".join(SPATIAL_LETTERS[dims])
        raise ValueError(
            f"{fn}: `grad_output` must be shaped like a conv{dims}d output, (N, C_out, {letters}), "
            f"(C_out, {letters}) or plain ({letters}); got {g.ndim}-D shape {g.shape}"
        )
    # Every output of channel o got b[o] added: sum over samples and positions
    # (a plain output has one channel, so one bias).
    return layout.batched(g).sum(axis=(0, *range(2, dims + 2)))


def conv1d_bias(grad_output) -> np.ndarray:
    """Gradient with respect to ``conv1d``'s bias: ``grad_output`` summed over batch and positions.

    Parameters
    ----------
    grad_output : array_like
        (N, C_out, L_out), (C_out, L_out), or plain (L_out,) (then the result has one element).

    Returns
    -------
    ndarray
        (C_out,).

    >>> conv1d_bias([[1, 2, 3], [4, 5, 6]])
    array([ 6, 15])
    """
    return _bias_grad("conv1d_bias", 1, grad_output)


def conv2d_bias(grad_output) -> np.ndarray:
    """Gradient with respect to ``conv2d``'s bias: ``grad_output`` summed over batch and positions.

    Parameters
    ----------
    grad_output : array_like
        (N, C_out, H_out, W_out), (C_out, H_out, W_out), or plain (H_out, W_out).

    Returns
    -------
    ndarray
        (C_out,).
    """
    return _bias_grad("conv2d_bias", 2, grad_output)


# ----------------------------------------------------------------------------
# Traces: which products sum into one gradient element
# ----------------------------------------------------------------------------
class GradTerm(NamedTuple):
    """One product that adds into a gradient element."""

    grad_output_index: tuple[int, ...]   # index into grad_output (caller's layout)
    other_index: tuple[int, ...]         # index into the weight (input gradient) or the input (weight gradient)
    grad_output_value: np.generic
    other_value: np.generic
    product: np.generic


@dataclass(frozen=True)
class GradStep:
    """One gradient element and the products that sum into it.

    ``wrt`` is ``"input"`` or ``"weight"``: the array the gradient is taken
    with respect to; ``element`` is the element's index in it (caller's
    layout). Each term pairs an element of ``grad_output`` with an element of
    the *other* array (the weight for an input gradient, the input for a
    weight gradient), one row of the arrays below per term:
    ``products == grad_output_values * other_values`` and
    ``value == products.sum()``. ``coords`` holds the coordinate, in the
    forward convolution's padded input, at which the pair met; outside the
    input (``in_padding``) it was a padding copy of the element (reflect,
    replicate, circular). Terms that would read zero padding are 0 and left out.
    """

    index: int
    wrt: str
    element: tuple[int, ...]
    grad_output_index: np.ndarray    # (T, grad_output.ndim)
    other_index: np.ndarray          # (T, other.ndim)
    grad_output_values: np.ndarray   # (T,)
    other_values: np.ndarray         # (T,)
    products: np.ndarray             # (T,)
    coords: np.ndarray               # (T, dims)
    in_padding: np.ndarray           # (T,) bool
    value: np.generic

    @property
    def other(self) -> str:
        return "weight" if self.wrt == "input" else "input"

    @property
    def terms(self) -> tuple[GradTerm, ...]:
        return tuple(
            GradTerm(tuple(int(i) for i in gi), tuple(int(i) for i in oi), gv, ov, pr)
            for gi, oi, gv, ov, pr in zip(self.grad_output_index, self.other_index,
                                          self.grad_output_values, self.other_values, self.products)
        )

    def __len__(self) -> int:
        return len(self.products)


def _layout_rows(layout: Layout, samples, channel, positions) -> np.ndarray:
    """Index rows (T, leading + dims) into an (N, C, *spatial) array given in the caller's layout:
    ``layout.index`` for many elements at once; ``positions`` is (T, dims)."""
    channels = np.full((len(samples), 1), channel, dtype=np.int64)
    rows = np.concatenate([samples[:, None], channels, positions], axis=1).astype(np.int64)
    return rows[:, 2 - layout.leading:]


def _rows(indices, width) -> np.ndarray:
    return np.array(indices, dtype=np.int64).reshape(-1, width)


class GradTrace(LazySteps):
    """The steps of one gradient: per element of the array it is taken with respect to
    (``wrt``), the products of ``grad_output`` with the other array that sum into it.
    A subclass finds the terms of step k; ``_step`` multiplies and adds them."""

    wrt: str    # "input" or "weight"

    def __init__(self, problem: Conv, grad_output: np.ndarray, dtype):
        # One step per element of that array, in its batched layout.
        super().__init__(problem, getattr(problem, self.wrt).shape)
        self.grad_output, self.dtype = grad_output, np.dtype(dtype)

    def _step(self, k, element, grad_rows, other_rows, grad_values, other_values, coords,
              in_padding) -> GradStep:
        grad_values, other_values = grad_values.astype(self.dtype), other_values.astype(self.dtype)
        products = grad_values * other_values
        return GradStep(index=k, wrt=self.wrt, element=element, grad_output_index=grad_rows,
                        other_index=other_rows, grad_output_values=grad_values, other_values=other_values,
                        products=products, coords=coords, in_padding=in_padding,
                        value=products.sum(dtype=self.dtype))


class InputGradTrace(GradTrace):
    """The input gradient, one input element per step (sample, channel, position)."""

    wrt = "input"
    coordinates = ("sample", "in_channel", "in_pos")
    counts = ("sample(s)", "input channel(s)", "positions")
    element = "input element"

    def index(self, in_channel: int, in_pos, sample: int = 0) -> int:
        """The step of input element (sample, in_channel, *in_pos)."""
        return self.index_of(sample, in_channel, in_pos)

    def _build_step(self, k: int) -> GradStep:
        p = self.problem
        sample, channel, pos = self.locate(k)
        group = channel // (p.in_channels // p.groups)
        local = channel - group * (p.in_channels // p.groups)
        o_group = p.out_channels // p.groups
        # Along each axis: every (forward coordinate, tap, output position) whose tap read
        # this element, directly or through a padding copy of it (``Axis.readers`` of each
        # coordinate whose value comes from the element).
        per_axis = []
        for a, i in zip(p.axes, pos):
            hits = [(coord, r.tap, r.out)
                    for coord in range(-a.pad_before, a.n + a.pad_after)
                    if source_index(coord, a.n, p.padding_mode) == i
                    for r in a.readers(coord)]
            per_axis.append(sorted(hits, key=lambda h: (h[2], h[1])))   # in grad_output's order
        g_rows, w_rows, coords = [], [], []
        for o in range(group * o_group, (group + 1) * o_group):
            for combo in product(*per_axis):
                out_pos = tuple(h[2] for h in combo)
                tap = tuple(h[1] for h in combo)
                g_rows.append(p.layout.index(sample, o, out_pos))
                w_rows.append(p.layout.weight_index(o, local, tap))
                coords.append(tuple(h[0] for h in combo))
        g_full = p.layout.restore(self.grad_output)
        w_full = p.layout.restore_weight(p.weight)
        g_rows, w_rows = _rows(g_rows, g_full.ndim), _rows(w_rows, w_full.ndim)
        coords = _rows(coords, p.dims)
        in_pad = np.array([any(a.in_padding(c) for a, c in zip(p.axes, row)) for row in coords], dtype=bool)
        return self._step(k, p.layout.index(sample, channel, pos), g_rows, w_rows,
                          g_full[tuple(g_rows.T)], w_full[tuple(w_rows.T)], coords, in_pad)

    @cached_property
    def output(self) -> np.ndarray:
        """The whole input gradient (vectorized, ``conv*d_input``), caller's layout."""
        return self.problem.layout.restore(input_grad(self.problem, self.grad_output, self.dtype))


class WeightGradTrace(GradTrace):
    """The weight gradient, one weight element per step (output channel, input channel of the group, tap)."""

    wrt = "weight"
    coordinates = ("out_channel", "in_channel", "tap")
    counts = ("output channel(s)", "input channel(s) of the group", "taps")
    element = "weight element"

    def index(self, out_channel: int, in_channel: int, tap) -> int:
        """The step of weight element (out_channel, in_channel of the group, *tap)."""
        return self.index_of(out_channel, in_channel, tap)

    def _build_step(self, k: int) -> GradStep:
        p = self.problem
        out_channel, local, tap = self.locate(k)
        channel = p.group_of(out_channel) * (p.in_channels // p.groups) + local
        # Along each axis: every output position, the coordinate this tap read there
        # and where that coordinate takes its value from (-1: zero padding, left out).
        per_axis = []
        for a, t in zip(p.axes, tap):
            o = np.arange(a.out)
            coord = a.coordinate(o, t)
            src = np.array([source_index(int(c), a.n, p.padding_mode) for c in coord], dtype=object)
            keep = np.array([s is not None for s in src], dtype=bool)
            per_axis.append((o[keep], coord[keep], src[keep].astype(np.int64)))
        # Every combination of the axes' positions (row-major), for every sample in turn.
        grid = np.meshgrid(*(np.arange(len(h[0])) for h in per_axis), indexing="ij")
        picks = [g_.ravel() for g_ in grid]
        out_pos = np.stack([h[0][i] for h, i in zip(per_axis, picks)], axis=-1)
        coords = np.stack([h[1][i] for h, i in zip(per_axis, picks)], axis=-1)
        src = np.stack([h[2][i] for h, i in zip(per_axis, picks)], axis=-1)
        samples = np.repeat(np.arange(p.batch), len(out_pos))
        out_pos, coords, src = (np.tile(a_, (p.batch, 1)) for a_ in (out_pos, coords, src))
        g_rows = _layout_rows(p.layout, samples, out_channel, out_pos)
        x_rows = _layout_rows(p.layout, samples, channel, src)
        in_pad = ((coords < 0) | (coords >= np.array([a.n for a in p.axes]))).any(axis=1)
        return self._step(k, p.layout.weight_index(out_channel, local, tap), g_rows, x_rows,
                          p.layout.restore(self.grad_output)[tuple(g_rows.T)],
                          p.layout.restore(p.input)[tuple(x_rows.T)], coords, in_pad)

    @cached_property
    def output(self) -> np.ndarray:
        """The whole weight gradient (vectorized, ``conv*d_weight``), caller's layout."""
        return self.problem.layout.restore_weight(weight_grad(self.problem, self.grad_output, self.dtype))


def trace_conv1d_input_grad(input_size, weight, grad_output, stride=1, padding=0, dilation=1,
                            groups=1, padding_mode="zeros") -> InputGradTrace:
    """The steps of ``conv1d_input``: per input element, the (grad_output, weight) products it sums.

    >>> step = trace_conv1d_input_grad((4,), [1, 0, -1], [1, 1])[1]   # x1 was read by two windows
    >>> [(t.grad_output_index, t.other_index, int(t.product)) for t in step.terms], int(step.value)
    ([((0,), (1,), 0), ((1,), (0,), 1)], 1)
    """
    return _input_grad_trace("trace_conv1d_input_grad", 1, input_size, weight,
                             grad_output, stride, padding, dilation, groups, padding_mode)


def trace_conv2d_input_grad(input_size, weight, grad_output, stride=1, padding=0, dilation=1,
                            groups=1, padding_mode="zeros") -> InputGradTrace:
    """The steps of ``conv2d_input``: per input element, the (grad_output, weight) products it sums.

    >>> step = trace_conv2d_input_grad((3, 3), [[1, 2], [3, 4]], [[1, 2], [3, 4]])[4]   # the centre
    >>> step.other_index.tolist(), int(step.value)     # every window read it, each with another tap
    ([[1, 1], [1, 0], [0, 1], [0, 0]], 20)
    """
    return _input_grad_trace("trace_conv2d_input_grad", 2, input_size, weight,
                             grad_output, stride, padding, dilation, groups, padding_mode)


def trace_conv1d_weight_grad(input, weight_size, grad_output, stride=1, padding=0, dilation=1,
                             groups=1, padding_mode="zeros") -> WeightGradTrace:
    """The steps of ``conv1d_weight``: per weight element, the (grad_output, input) products it sums.

    >>> step = trace_conv1d_weight_grad([1, 2, 3, 4], (3,), [1, 1])[2]    # tap 2 read x2 and x3
    >>> step.other_index.tolist(), step.products.tolist(), int(step.value)
    ([[2], [3]], [3, 4], 7)
    """
    return _weight_grad_trace("trace_conv1d_weight_grad", 1, input, weight_size,
                              grad_output, stride, padding, dilation, groups, padding_mode)


def trace_conv2d_weight_grad(input, weight_size, grad_output, stride=1, padding=0, dilation=1,
                             groups=1, padding_mode="zeros") -> WeightGradTrace:
    """The steps of ``conv2d_weight``: per weight element, the (grad_output, input) products it sums.

    >>> step = trace_conv2d_weight_grad([[1, 2, 3], [4, 5, 6], [7, 8, 9]], (2, 2), [[1, 0], [0, 1]])[3]
    >>> step.other_index.tolist(), step.products.tolist()   # tap (1, 1) read x[1:, 1:]
    ([[1, 1], [1, 2], [2, 1], [2, 2]], [5, 0, 0, 9])
    """
    return _weight_grad_trace("trace_conv2d_weight_grad", 2, input, weight_size,
                              grad_output, stride, padding, dilation, groups, padding_mode)
