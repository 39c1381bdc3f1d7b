"""A whole network: convcore's operations in a row, forward and backward, every number traceable.

A ``Network`` is PyTorch's ``nn.Sequential`` of the layers convcore computes:
``Conv1d``/``Conv2d``, ``ReLU``, ``MaxPool1d/2d``, ``AvgPool1d/2d``, ``Flatten``
and ``Linear``. Build it from a PyTorch model (``Network.from_torch``, which
copies the weights) or, without PyTorch, from a list of layer descriptions
(``Network([{"type": "Conv2d", ...}, ...])``, or ``Network.load`` of a saved
``.npz``).

The forward pass runs the layers in turn and keeps every layer's output
(``forward`` returns them all). The backward pass is the chain rule walked
the other way: each layer receives the gradient of the loss with respect to
its output and returns the gradient with respect to its input (handed to the
layer before it) and to its own parameters:

* a convolution: ``convcore.grad`` (input gradient a transposed convolution,
  weight gradient a correlation of input and gradient, bias gradient a sum);
* pooling: ``convcore.pool_grad`` (max pooling routes each gradient to the
  element its window chose, average pooling spreads it over the divisor);
* ReLU passes the gradient where its input was positive, and blocks it
  elsewhere (at exactly 0 too, as PyTorch does);
* Flatten reshapes it back; Linear ``y = x Wᵀ + b`` gives ``g W`` to its
  input, ``gᵀ x`` to ``W`` and the sum of ``g`` to ``b``.

After a forward (and a backward) pass, ``trace(i)``, ``trace_backward(i)``
and ``field(i, index)`` open any layer's arithmetic with the library's own
traces; nothing is recomputed differently for showing.

All arithmetic is float64. Parameters live in ``layer.params``;
``named_parameters()`` returns those very arrays under PyTorch's names
("0.weight", "0.bias", ...), so ``p -= lr * g`` trains the network in place.
"""
from __future__ import annotations

import dataclasses
import itertools
import json
import math
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from .geometry import Axis
from .grad import InputGradTrace, WeightGradTrace, input_grad, weight_grad
from .kernels import vectorized_conv
from .pool_grad import PoolGradTrace, pool_input_grad, spread
from .pooling import Pool, PoolTrace, check_pool_padding, vectorized_avg, vectorized_max
from .problem import (SPATIAL_LETTERS, Conv, as_bool, as_int, as_numeric_array, as_tuple,
                      check_padding_mode, resolve_padding)
from .trace import Trace

SUPPORTED = ("Conv1d", "Conv2d", "ReLU", "MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d", "Flatten", "Linear")

# The whole-network chapter's model, for scikit-learn's 8×8 digits: 1 channel in, 10 scores out,
# 80 + 1,168 + 650 = 1,898 parameters. ``Network(DIGITS_CNN, seed=0)`` builds it initialised.
DIGITS_CNN = (
    {"type": "Conv2d", "in_channels": 1, "out_channels": 8, "kernel_size": 3, "padding": 1},    # 8 maps 8×8
    {"type": "ReLU"},
    {"type": "MaxPool2d", "kernel_size": 2},                                                     # 8 maps 4×4
    {"type": "Conv2d", "in_channels": 8, "out_channels": 16, "kernel_size": 3, "padding": 1},   # 16 maps 4×4
    {"type": "ReLU"},
    {"type": "MaxPool2d", "kernel_size": 2},                                                     # 16 maps 2×2
    {"type": "Flatten"},                                                                         # 64 features
    {"type": "Linear", "in_features": 64, "out_features": 10},                                  # 10 scores
)
_LAYERS_KEY = "__layers__"    # the .npz entry holding the layer descriptions (JSON)


class LayerError(ValueError):
    """A layer description or an input a layer cannot take, said in the learner's words."""


def _supported() -> str:
    return ", ".join(SUPPORTED)


def _plain(value):
    """A JSON-friendly copy of an argument (tuples become lists)."""
    return list(value) if isinstance(value, tuple) else value


def _tupled(value):
    """Lists (from JSON or a learner) back to tuples, as PyTorch stores its arguments."""
    return tuple(value) if isinstance(value, list) else value


# ----------------------------------------------------------------------------
# Layers
# ----------------------------------------------------------------------------
class Layer:
    """One layer of a network: its PyTorch arguments (``args``), its parameters
    (``params``) and what it kept of the last forward and backward pass.

    ``str(layer)`` reads like PyTorch's repr of the same layer.
    """

    keys: tuple[str, ...] = ()        # the arguments a description may give, besides "type" and "name"
    param_names: tuple[str, ...] = ()
    repr_format = ""

    def __init__(self, name: str, kind: str, args: dict, params: dict):
        self.name, self.kind, self.args, self.params = name, kind, args, params
        self._input = self._grad_output = None

    def __str__(self) -> str:
        return f"{self.kind}({self.extra_repr()})"

    def __repr__(self) -> str:
        return f"<Layer {self.name}: {self}>"

    def extra_repr(self) -> str:
        return self.repr_format.format(**self.args)

    @property
    def where(self) -> str:
        return f"layer {self.name} ({self})"

    def describe(self) -> dict:
        """The description ``Network`` builds this layer from (without its arrays)."""
        return {"type": self.kind, "name": self.name, **{k: _plain(v) for k, v in self.args.items()}}

    # -- the passes ---------------------------------------------------------------
    def forward(self, x: np.ndarray, source: str) -> np.ndarray:
        self._check(x, source)
        self._input = x
        return self._forward(x)

    def backward(self, grad_output: np.ndarray) -> tuple[np.ndarray, dict]:
        """(gradient with respect to the input, {parameter name: gradient})."""
        self._grad_output = grad_output
        return self._backward(grad_output)

    def _check(self, x, source) -> None:
        """Refuse an input this layer cannot take (``_refuse``)."""

    def _refuse(self, needs: str, x: np.ndarray, source: str, detail: str = ""):
        raise LayerError(f"Network.forward: {self.where} refused its input: it needs {needs}; "
                         f"got shape {x.shape} ({source}){detail}")

    def field(self, mask: np.ndarray) -> np.ndarray:
        """The input cells the True cells of ``mask`` (shaped like the output) depend on."""
        raise NotImplementedError

    # -- traces -------------------------------------------------------------------
    traced = False

    def trace(self):
        raise NotImplementedError

    def trace_backward(self):
        raise NotImplementedError


def _needs_window_input(dims: int, channels: int | str, smallest: tuple[int, ...]) -> str:
    """'(N, 8, H, W) or (8, H, W)', with the smallest spatial size where it is above 1."""
    letters = SPATIAL_LETTERS[dims]
    spatial = ", ".join(letters)
    text = f"(N, {channels}, {spatial}) or ({channels}, {spatial})"
    if any(n > 1 for n in smallest):
        text += " with " + ", ".join(f"{l} ≥ {n}" for l, n in zip(letters, smallest))
    return text


def _smallest(axis: Axis, fits=lambda n: True) -> int:
    """The shortest input length along ``axis`` that leaves at least one output (and ``fits``)."""
    return next(n for n in itertools.count(1) if dataclasses.replace(axis, n=n).out >= 1 and fits(n))


class ConvLayer(Layer):
    """``Conv1d``/``Conv2d``: convcore's ``conv1d``/``conv2d``, gradients from ``convcore.grad``."""

    keys = ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups",
            "bias", "padding_mode")
    param_names = ("weight", "bias")
    traced = True

    @property
    def dims(self) -> int:
        return int(self.kind[-2])

    def extra_repr(self) -> str:
        a = self.args
        s = "{in_channels}, {out_channels}, kernel_size={kernel_size}, stride={stride}"
        if a["padding"] != (0,) * self.dims:
            s += ", padding={padding}"
        if a["dilation"] != (1,) * self.dims:
            s += ", dilation={dilation}"
        if a["groups"] != 1:
            s += ", groups={groups}"
        if not a["bias"]:
            s += ", bias=False"
        if a["padding_mode"] != "zeros":
            s += ", padding_mode={padding_mode}"
        return s.format(**a)

    def _axes_for(self, spatial) -> tuple[Axis, ...]:
        a = self.args
        pads = resolve_padding(self.where, a["padding"], self.dims, a["kernel_size"], a["dilation"], a["stride"])
        return tuple(Axis(n=n, k=k, stride=s, pad_before=p0, pad_after=p1, dilation=d)
                     for n, k, s, (p0, p1), d in zip(spatial, a["kernel_size"], a["stride"], pads, a["dilation"]))

    def _check(self, x, source):
        a, dims = self.args, self.dims
        mode = a["padding_mode"]

        def mode_fits(axis):   # PyTorch's limits on reflect and circular padding
            pad = max(axis.pad_before, axis.pad_after)
            return lambda n: (mode != "reflect" or pad < n) and (mode != "circular" or pad <= n)

        smallest = tuple(_smallest(ax, mode_fits(ax)) for ax in self._axes_for((1,) * dims))
        needs = _needs_window_input(dims, a["in_channels"], smallest)
        if x.ndim not in (dims + 1, dims + 2) or x.shape[-dims - 1] != a["in_channels"]:
            self._refuse(needs, x, source)
        if any(n < m for n, m in zip(x.shape[-dims:], smallest)):
            self._refuse(needs, x, source)

    def _problem(self, x) -> Conv:
        a = self.args
        return Conv.build(f"conv{self.dims}d", self.dims, x, self.params["weight"], self.params.get("bias"),
                          a["stride"], a["padding"], a["dilation"], a["groups"], a["padding_mode"])

    def _forward(self, x):
        self.problem = self._problem(x)
        return vectorized_conv(self.problem)

    def _backward(self, g):
        p = self.problem
        gb = p.layout.batched(g)
        grads = {"weight": weight_grad(p, gb, np.float64)}
        if self.args["bias"]:
            grads["bias"] = gb.sum(axis=(0, *range(2, 2 + self.dims)))
        return p.layout.restore(input_grad(p, gb, np.float64)), grads

    def field(self, mask):
        # A cell depends on what a weight of 1 everywhere would carry back to it:
        # the input gradient of the marked outputs, through the same windows.
        p = dataclasses.replace(self.problem, weight=np.ones(self.problem.weight.shape))
        return p.layout.restore(input_grad(p, p.layout.batched(mask.astype(np.float64)), np.float64)) > 0

    def trace(self) -> Trace:
        return Trace(self.problem)

    def trace_backward(self) -> tuple[InputGradTrace, WeightGradTrace]:
        p = self.problem
        g = p.layout.batched(self._grad_output)
        return InputGradTrace(p, g, np.float64), WeightGradTrace(p, g, np.float64)


class PoolLayer(Layer):
    """``MaxPool1d/2d``, ``AvgPool1d/2d``: convcore's pooling, backward from ``convcore.pool_grad``."""

    traced = True

    @property
    def dims(self) -> int:
        return int(self.kind[-2])

    @property
    def pool_kind(self) -> str:
        return "max" if self.kind.startswith("Max") else "avg"

    @property
    def keys(self):
        if self.pool_kind == "max":
            return ("kernel_size", "stride", "padding", "dilation", "ceil_mode")
        return ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad")

    @property
    def repr_format(self):
        if self.pool_kind == "max":
            return "kernel_size={kernel_size}, stride={stride}, padding={padding}, dilation={dilation}, ceil_mode={ceil_mode}"
        return "kernel_size={kernel_size}, stride={stride}, padding={padding}"

    def _pool(self, x) -> Pool:
        a = self.args
        fn = f"{self.pool_kind}_pool{self.dims}d"
        return Pool.build(fn, self.pool_kind, self.dims, x, a["kernel_size"], a["stride"], a["padding"],
                          a.get("dilation", 1), a["ceil_mode"], a.get("count_include_pad", True))

    def _axes_for(self, spatial) -> tuple[Axis, ...]:
        """The windows' geometry for an input of this spatial size, the arguments checked as
        ``Pool.build`` checks them (each message naming the layer)."""
        a, dims, where = self.args, self.dims, f"Network: layer {self.name} ({self.kind})"
        k = as_tuple(a["kernel_size"], "kernel_size", where, dims, minimum=1)
        s = as_tuple(a["stride"], "stride", where, dims, minimum=1)
        p = as_tuple(a["padding"], "padding", where, dims, minimum=0)
        d = as_tuple(a.get("dilation", 1), "dilation", where, dims, minimum=1)
        check_pool_padding(where, k, p)
        return tuple(Axis(n=n, k=kk, stride=ss, pad_before=pp, pad_after=pp, dilation=dd, ceil_mode=a["ceil_mode"])
                     for n, kk, ss, pp, dd in zip(spatial, k, s, p, d))

    def _check(self, x, source):
        dims = self.dims
        smallest = tuple(_smallest(ax) for ax in self._axes_for((1,) * dims))
        needs = _needs_window_input(dims, "C", smallest)
        if x.ndim not in (dims + 1, dims + 2) or any(n < m for n, m in zip(x.shape[-dims:], smallest)):
            self._refuse(needs, x, source)

    def _forward(self, x):
        self.problem = p = self._pool(x)
        if self.pool_kind == "max":
            out, self.indices = vectorized_max(p)
            return out
        self.indices = None
        return vectorized_avg(p)

    def _backward(self, g):
        return pool_input_grad(self.problem, g, self.indices), {}

    def field(self, mask):
        p = self.problem
        return p.layout.restore(spread(p, p.layout.batched(mask.astype(np.float64)))) > 0

    def trace(self) -> PoolTrace:
        return PoolTrace(self.problem)

    def trace_backward(self) -> PoolGradTrace:
        return PoolGradTrace(self.problem, self._grad_output, self.indices)


class ReLULayer(Layer):
    """``ReLU``: max(x, 0), cell by cell."""

    keys = ("inplace",)

    def extra_repr(self) -> str:
        return "inplace=True" if self.args["inplace"] else ""

    def _forward(self, x):
        return np.maximum(x, 0.0)

    def _backward(self, g):
        # The slope is 1 where the input was positive, 0 elsewhere (0 at exactly 0, as PyTorch).
        return np.where(self._input > 0, g, 0.0), {}

    def field(self, mask):
        return mask


class FlattenLayer(Layer):
    """``Flatten``: axes ``start_dim`` to ``end_dim`` joined into one (a reshape)."""

    keys = ("start_dim", "end_dim")
    repr_format = "start_dim={start_dim}, end_dim={end_dim}"

    def _span(self, ndim: int) -> tuple[int, int]:
        s, e = self.args["start_dim"], self.args["end_dim"]
        return (s + ndim if s < 0 else s), (e + ndim if e < 0 else e)

    def _check(self, x, source):
        s, e = self._span(x.ndim)
        if not (0 <= s <= e < x.ndim):
            start, end = self.args["start_dim"], self.args["end_dim"]
            self._refuse(f"at least {max(start, end, -min(start, end) - 1) + 1} axes, in which axis {start} "
                         f"comes no later than axis {end} (it joins those axes into one)", x, source)

    def _forward(self, x):
        s, e = self._span(x.ndim)
        return x.reshape(*x.shape[:s], -1, *x.shape[e + 1:])

    def _backward(self, g):
        return g.reshape(self._input.shape), {}

    def field(self, mask):
        # A reshape: each output cell is one input cell.
        return mask.reshape(self._input.shape)


class LinearLayer(Layer):
    """``Linear``: ``y = x Wᵀ + b`` along the last axis."""

    keys = ("in_features", "out_features", "bias")
    param_names = ("weight", "bias")
    repr_format = "in_features={in_features}, out_features={out_features}, bias={bias}"

    def _check(self, x, source):
        n = self.args["in_features"]
        if x.ndim == 0 or x.shape[-1] != n:
            hint = ""
            if x.ndim > 2 and math.prod(x.shape[1:]) == n:
                hint = (f"; a Flatten() before it would make shape {(x.shape[0], n)} of it, "
                        f"joining {' × '.join(map(str, x.shape[1:]))} = {n} values per sample")
            self._refuse(f"(N, {n}) or ({n},): {n} features along the last axis", x, source, hint)

    def _forward(self, x):
        out = x @ self.params["weight"].T
        return out + self.params["bias"] if self.args["bias"] else out

    def _backward(self, g):
        x = self._input
        w = self.params["weight"]
        g2, x2 = g.reshape(-1, w.shape[0]), x.reshape(-1, w.shape[1])
        grads = {"weight": g2.T @ x2}
        if self.args["bias"]:
            grads["bias"] = g2.sum(axis=0)
        return g @ w, grads

    def field(self, mask):
        # Every output feature reads every input feature of its own row.
        return np.broadcast_to(mask.any(axis=-1, keepdims=True), self._input.shape).copy()


_CLASSES = {"Conv1d": ConvLayer, "Conv2d": ConvLayer, "ReLU": ReLULayer, "MaxPool1d": PoolLayer,
            "MaxPool2d": PoolLayer, "AvgPool1d": PoolLayer, "AvgPool2d": PoolLayer, "Flatten": FlattenLayer,
            "Linear": LinearLayer}


# ----------------------------------------------------------------------------
# Reading a layer description: PyTorch's arguments, checked and stored as PyTorch stores them
# ----------------------------------------------------------------------------
def _array(value, name, where, shape) -> np.ndarray:
    arr = as_numeric_array(value, name, where).astype(np.float64)   # a copy: the network owns it
    if arr.shape != shape:
        raise LayerError(f"{where}: `{name}` must have shape {shape}; got shape {arr.shape}")
    return arr


def _init(rng, fan_in: int, shape) -> np.ndarray:
    """PyTorch's default initialisation of a weight or bias: uniform in ±1/√fan_in."""
    bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
    return rng.uniform(-bound, bound, size=shape)


def _bias_flag(spec, has_weight: bool) -> bool:
    """Whether a layer has a bias: an array or True says yes, False or None no; not said:
    yes if its weights are to be initialised too (PyTorch's default), no if the weights are given."""
    bias = spec.get("bias", not has_weight)
    return not (bias is None or (isinstance(bias, (bool, np.bool_)) and not bias))


def _params(spec, where, rng, fan_in: int, weight_shape: tuple, has_bias: bool) -> dict:
    """The weight (and bias) given in the description, checked against their shapes, or
    initialised as PyTorch initialises them."""
    w = spec.get("weight")
    params = {"weight": _init(rng, fan_in, weight_shape) if w is None else _array(w, "weight", where, weight_shape)}
    if has_bias:
        b = spec.get("bias")
        shape = weight_shape[:1]
        params["bias"] = _init(rng, fan_in, shape) if b is None or b is True else _array(b, "bias", where, shape)
    return params


def _read_conv(kind, spec, name, where, rng):
    dims = int(kind[-2])
    w = spec.get("weight")
    groups = as_int(spec.get("groups", 1), "groups", where, minimum=1)
    if w is not None:
        w = as_numeric_array(w, "weight", where)
        if w.ndim != dims + 2:
            kernel = ", ".join(("kH", "kW") if dims == 2 else ("K",))
            raise LayerError(f"{where}: `weight` must be (C_out, C_in / groups, {kernel}); got shape {w.shape}")
        found = dict(out_channels=w.shape[0], in_channels=w.shape[1] * groups, kernel_size=tuple(w.shape[2:]))
        for key, value in found.items():
            given = spec.get(key)
            if given is not None and as_tuple(_tupled(given), key, where, dims, 1) != as_tuple(value, key, where, dims, 1):
                raise LayerError(f"{where}: `{key}`={given} does not agree with `weight` of shape {w.shape}, "
                                 f"which says {key}={value}")
    else:
        missing = [k for k in ("in_channels", "out_channels", "kernel_size") if k not in spec]
        if missing:
            raise LayerError(f"{where}: needs {', '.join(map(repr, missing))} (or a `weight` array to read them from)")
        found = {k: spec[k] for k in ("in_channels", "out_channels", "kernel_size")}
    c_in = as_int(found["in_channels"], "in_channels", where, minimum=1)
    c_out = as_int(found["out_channels"], "out_channels", where, minimum=1)
    for what, c in (("in_channels", c_in), ("out_channels", c_out)):
        if c % groups:
            raise LayerError(f"{where}: `groups`={groups} must divide {what}={c}")
    stride = as_tuple(_tupled(spec.get("stride", 1)), "stride", where, dims, 1)
    dilation = as_tuple(_tupled(spec.get("dilation", 1)), "dilation", where, dims, 1)
    kernel = as_tuple(_tupled(found["kernel_size"]), "kernel_size", where, dims, 1)
    padding = _tupled(spec.get("padding", 0))
    if isinstance(padding, str):
        resolve_padding(where, padding, dims, kernel, dilation, stride)     # 'same' needs stride 1
    else:
        padding = as_tuple(padding, "padding", where, dims, 0)
    mode = check_padding_mode(where, spec.get("padding_mode", "zeros"))
    has_bias = _bias_flag(spec, w is not None)
    args = dict(in_channels=c_in, out_channels=c_out, kernel_size=kernel, stride=stride, padding=padding,
                dilation=dilation, groups=groups, bias=has_bias, padding_mode=mode)
    fan_in = c_in // groups * math.prod(kernel)
    return args, _params(spec, where, rng, fan_in, (c_out, c_in // groups, *kernel), has_bias)


def _read_pool(kind, spec, name, where, rng):
    dims = int(kind[-2])
    is_max = kind.startswith("Max")
    if "kernel_size" not in spec:
        raise LayerError(f"{where}: needs a `kernel_size`")
    if is_max and spec.get("return_indices", False):
        raise LayerError(f"{where}: return_indices=True makes the layer return (values, indices), which the "
                         f"next layer cannot take; leave it False (the network keeps the indices itself)")
    if not is_max and spec.get("divisor_override") is not None:
        raise LayerError(f"{where}: divisor_override is not supported; the divisor follows count_include_pad")
    kernel = _tupled(spec["kernel_size"])
    stride = spec.get("stride")
    args = dict(kernel_size=kernel, stride=kernel if stride is None or stride == [] else _tupled(stride),
                padding=_tupled(spec.get("padding", 0)))
    if is_max:
        args.update(dilation=_tupled(spec.get("dilation", 1)),
                    ceil_mode=as_bool(spec.get("ceil_mode", False), "ceil_mode", where))
    else:
        args.update(ceil_mode=as_bool(spec.get("ceil_mode", False), "ceil_mode", where),
                    count_include_pad=as_bool(spec.get("count_include_pad", True), "count_include_pad", where))
    PoolLayer(name, kind, args, {})._axes_for((1,) * dims)   # checks them, as Pool.build would
    if kind == "AvgPool1d":     # stored as 1-tuples, as nn.AvgPool1d stores them
        args.update({k: as_tuple(args[k], k, where, 1, 0) for k in ("kernel_size", "stride", "padding")})
    return args, {}


def _read_relu(kind, spec, name, where, rng):
    return dict(inplace=as_bool(spec.get("inplace", False), "inplace", where)), {}


def _read_flatten(kind, spec, name, where, rng):
    start = spec.get("start_dim", 1)
    end = spec.get("end_dim", -1)
    for what, v in (("start_dim", start), ("end_dim", end)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise LayerError(f"{where}: `{what}` must be a whole number (an axis); got {v!r}")
    return dict(start_dim=int(start), end_dim=int(end)), {}


def _read_linear(kind, spec, name, where, rng):
    w = spec.get("weight")
    if w is not None:
        w = as_numeric_array(w, "weight", where)
        if w.ndim != 2:
            raise LayerError(f"{where}: `weight` must be (out_features, in_features); got shape {w.shape}")
        for key, value in (("out_features", w.shape[0]), ("in_features", w.shape[1])):
            if spec.get(key) is not None and spec[key] != value:
                raise LayerError(f"{where}: `{key}`={spec[key]} does not agree with `weight` of shape {w.shape}")
        n_in, n_out = w.shape[1], w.shape[0]
    else:
        missing = [k for k in ("in_features", "out_features") if k not in spec]
        if missing:
            raise LayerError(f"{where}: needs {', '.join(map(repr, missing))} (or a `weight` array to read them from)")
        n_in = as_int(spec["in_features"], "in_features", where, minimum=1)
        n_out = as_int(spec["out_features"], "out_features", where, minimum=1)
    has_bias = _bias_flag(spec, w is not None)
    args = dict(in_features=int(n_in), out_features=int(n_out), bias=has_bias)
    return args, _params(spec, where, rng, n_in, (n_out, n_in), has_bias)


_READERS = {"Conv1d": _read_conv, "Conv2d": _read_conv, "ReLU": _read_relu, "MaxPool1d": _read_pool,
            "MaxPool2d": _read_pool, "AvgPool1d": _read_pool, "AvgPool2d": _read_pool,
            "Flatten": _read_flatten, "Linear": _read_linear}


def _unsupported(name, kind) -> LayerError:
    return LayerError(f"Network: layer {name} is a {kind}, which convcore does not compute; "
                      f"the layers it supports are {_supported()}")


def build_layer(spec, position: int, rng) -> Layer:
    """One ``Layer`` from a description: a mapping with "type" (a PyTorch class name), PyTorch's
    arguments, optionally "name" and the arrays "weight" and "bias"."""
    if not isinstance(spec, Mapping):
        raise LayerError(f"Network: layer {position} must be a description, a dict such as "
                         f"{{'type': 'ReLU'}}; got {spec!r} ({type(spec).__name__})")
    if "type" not in spec:
        raise LayerError(f"Network: layer {position} has no 'type'; give one of {_supported()}")
    kind = spec["type"]
    if kind not in SUPPORTED:
        raise _unsupported(spec.get("name", position), kind)
    name = str(spec.get("name", position))
    where = f"Network: layer {name} ({kind})"
    cls = _CLASSES[kind]
    probe = cls(name, kind, {}, {})
    allowed = set(probe.keys) | {"type", "name"} | set(probe.param_names)
    allowed |= {"return_indices"} if kind.startswith("Max") else {"divisor_override"} if kind == "AvgPool2d" else set()
    unknown = sorted(set(spec) - allowed)
    if unknown:
        raise LayerError(f"{where}: unknown key {unknown[0]!r}; a {kind} takes "
                         f"{', '.join(probe.keys) or 'no arguments'}" +
                         (f" and the arrays {', '.join(probe.param_names)}" if probe.param_names else ""))
    args, params = _READERS[kind](kind, spec, name, where, rng)
    return cls(name, kind, args, params)


# ----------------------------------------------------------------------------
# The network
# ----------------------------------------------------------------------------
class Network:
    """A sequence of layers run one after the other, as ``nn.Sequential`` runs them.

    Parameters
    ----------
    layers : list of dict
        One description per layer: ``"type"`` (one of ``SUPPORTED``), PyTorch's
        arguments for it (``in_channels``, ``kernel_size``, ``padding``, ...),
        optionally ``"name"`` (default: its position, "0", "1", ...) and the
        arrays ``"weight"`` and ``"bias"``. A convolution or linear layer
        without ``weight`` gets PyTorch's default initialisation (uniform in
        ±1/√fan_in), and a bias too unless ``bias=False``; given a ``weight``, it
        has a bias only when ``bias`` is given (an array, or True to initialise it).
    seed : int, optional
        Seed of the initialisation.

    Examples
    --------
    >>> net = Network([{"type": "Conv1d", "weight": [[[1.0, -1.0]]]}, {"type": "ReLU"}])
    >>> [out.tolist() for out in net.forward([[1, 3, 2]])]
    [[[-2.0, 1.0]], [[0.0, 1.0]]]
    >>> grad_input, grads = net.backward([[1.0, 1.0]])    # ReLU passes only the second
    >>> grad_input.tolist(), grads["0.weight"].tolist()
    ([[0.0, 1.0, -1.0]], [[[3.0, 2.0]]])
    """

    def __init__(self, layers, seed: int | None = None):
        if isinstance(layers, Mapping) or isinstance(layers, (str, bytes)):
            raise LayerError(f"Network: `layers` must be a list of layer descriptions; got {type(layers).__name__}")
        rng = np.random.default_rng(seed)
        self.layers = [build_layer(spec, i, rng) for i, spec in enumerate(layers)]
        if not self.layers:
            raise LayerError("Network: `layers` is empty; give at least one layer")
        names = [layer.name for layer in self.layers]
        if len(set(names)) != len(names):
            raise LayerError(f"Network: two layers share a name: {names}")
        self._outputs = None

    # -- building -----------------------------------------------------------------
    @classmethod
    def from_torch(cls, module) -> "Network":
        """The same network as a PyTorch ``nn.Sequential``, its weights copied (float64).

        Layer names, and so parameter names, are the module's own ("0", "1", ... or
        those of an ``OrderedDict``).
        """
        if type(module).__name__ != "Sequential" or not hasattr(module, "named_children"):
            raise LayerError(f"Network.from_torch: `module` must be an nn.Sequential of {_supported()}; "
                             f"got {type(module).__name__}")
        specs = []
        for position, (name, layer) in enumerate(module.named_children()):
            kind = type(layer).__name__
            if kind not in SUPPORTED:
                raise _unsupported(name, kind)
            spec = {"type": kind, "name": name}
            probe = _CLASSES[kind](name, kind, {}, {})
            for key in probe.keys:
                spec[key] = getattr(layer, key)
            if kind.startswith("Max"):
                spec["return_indices"] = layer.return_indices
            if kind == "AvgPool2d":
                spec["divisor_override"] = layer.divisor_override
            for pname in probe.param_names:
                param = getattr(layer, pname)
                spec[pname] = False if param is None else param.detach().cpu().double().numpy()
            specs.append(spec)
        if not specs:
            raise LayerError("Network.from_torch: the nn.Sequential is empty")
        return cls(specs)

    def to_torch(self):
        """The same network as a PyTorch ``nn.Sequential`` (float64), with a copy of these weights:
        to run the same training in both from the same start. Imports torch (only here)."""
        import torch
        from collections import OrderedDict
        from torch import nn

        modules = OrderedDict()
        for layer in self.layers:
            module = getattr(nn, layer.kind)(**layer.args).double()
            with torch.no_grad():
                for name, value in layer.params.items():
                    getattr(module, name).copy_(torch.from_numpy(value))
            modules[layer.name] = module
        return nn.Sequential(modules)

    def save(self, path) -> None:
        """Write the layers and their parameters to an ``.npz`` file (``Network.load`` reads it back)."""
        layers = json.dumps([layer.describe() for layer in self.layers])
        np.savez(path, **{_LAYERS_KEY: np.array(layers)}, **self.named_parameters())

    @classmethod
    def load(cls, path) -> "Network":
        """A network saved with ``save``; needs NumPy only."""
        path = Path(path)
        if not path.exists():
            raise FileNotFoundError(f"Network.load: no file {str(path)!r}")
        with np.load(path, allow_pickle=False) as data:
            if _LAYERS_KEY not in data:
                raise LayerError(f"Network.load: {str(path)!r} holds no network (no {_LAYERS_KEY!r} entry); "
                                 f"it has {sorted(data.files)}; write one with Network.save")
            specs = json.loads(str(data[_LAYERS_KEY]))
            for spec in specs:
                for pname in ("weight", "bias"):
                    key = f"{spec['name']}.{pname}"
                    if key in data:
                        spec[pname] = data[key]
                    elif pname == "bias" and spec.get("bias") is True:
                        raise LayerError(f"Network.load: {str(path)!r} lacks the array {key!r}")
        return cls(specs)

    # -- parameters ---------------------------------------------------------------
    def named_parameters(self) -> dict[str, np.ndarray]:
        """{"0.weight": array, ...}: the arrays the layers compute with (not copies)."""
        return {f"{layer.name}.{k}": v for layer in self.layers for k, v in layer.params.items()}

    def __repr__(self) -> str:
        lines = "\n".join(f"  ({layer.name}): {layer}" for layer in self.layers)
        return f"Network(\n{lines}\n)"

    def __len__(self) -> int:
        return len(self.layers)

    # -- the passes ---------------------------------------------------------------
    def forward(self, x) -> list[np.ndarray]:
        """Run every layer; returns every layer's output, the last one the network's.

        ``x`` is what the first layer takes, batched (N, C, ...) or not (C, ...).
        """
        x = as_numeric_array(x, "x", "Network.forward").astype(np.float64)
        outputs, source = [], "the network's input"
        for layer in self.layers:
            x = layer.forward(x, source)
            outputs.append(x)
            source = f"the output of layer {layer.name}"
        self._outputs = outputs
        self._grads = None
        return list(outputs)

    def __call__(self, x) -> np.ndarray:
        """The network's output (the last layer's), as ``module(x)``."""
        return self.forward(x)[-1]

    def backward(self, grad_output) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """The gradients of a loss, given its gradient with respect to the last output.

        Returns ``(grad_input, grads)``: the gradient with respect to the network's
        input, and one per parameter, named as ``named_parameters()`` names them.
        """
        last = self._last_output("backward")
        g = as_numeric_array(grad_output, "grad_output", "Network.backward").astype(np.float64)
        if g.shape != last.shape:
            raise LayerError(f"Network.backward: `grad_output` must have the shape of the network's output, "
                             f"{last.shape}; got shape {g.shape}")
        found = {}
        for layer in reversed(self.layers):
            g, grads = layer.backward(g)
            found.update({f"{layer.name}.{k}": v for k, v in grads.items()})
        self._grads = found
        return g, {name: found[name] for name in self.named_parameters()}

    def _last_output(self, what: str) -> np.ndarray:
        if self._outputs is None:
            raise LayerError(f"Network.{what}: run net.forward(x) first; {what} reads what the forward pass kept")
        return self._outputs[-1]

    # -- looking inside -------------------------------------------------------------
    def _layer(self, i, what: str) -> Layer:
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or not -len(self) <= i < len(self):
            raise IndexError(f"Network.{what}: layer {i!r} does not exist; the layers are 0 to {len(self) - 1}")
        self._last_output(what)
        return self.layers[i]

    def _traced(self) -> str:
        found = [f"{i} ({layer.kind})" for i, layer in enumerate(self.layers) if layer.traced]
        return ", ".join(found) or "none in this network"

    def trace(self, i: int):
        """The step-through trace of layer ``i``'s last forward pass: a ``Trace`` (convolution)
        or a ``PoolTrace`` (pooling), the same objects ``trace2d``/``trace_max_pool2d`` give."""
        layer = self._layer(i, "trace")
        if not layer.traced:
            raise LayerError(f"Network.trace: layer {i} ({layer}) has no step-through trace (a {layer.kind} "
                             f"does no windowed arithmetic); layers with one: {self._traced()}")
        return layer.trace()

    def trace_backward(self, i: int):
        """Layer ``i``'s last backward pass, step by step: for a convolution
        ``(InputGradTrace, WeightGradTrace)`` (``convcore.grad``), for pooling a
        ``PoolGradTrace`` (per input element, the windows that read it and what each sent back)."""
        layer = self._layer(i, "trace_backward")
        if not layer.traced:
            raise LayerError(f"Network.trace_backward: layer {i} ({layer}) has no step-through trace; "
                             f"layers with one: {self._traced()}")
        if layer._grad_output is None or self._grads is None:
            raise LayerError("Network.trace_backward: run net.backward(grad_output) after the forward pass first")
        return layer.trace_backward()

    def field(self, i: int, index) -> list[np.ndarray]:
        """Where output cell ``index`` of layer ``i`` looks: one boolean array per tensor from the
        network's input (position 0) to layer ``i``'s output (position i + 1), True on the cells
        it depends on (through windows, cell to cell through ReLU and Flatten, whole rows through
        Linear). Shapes are those of the last forward pass."""
        layer = self._layer(i, "field")
        i = int(i) % len(self)
        out = self._outputs[i]
        index = (int(index),) if isinstance(index, (int, np.integer)) else tuple(int(v) for v in index)
        if len(index) != out.ndim or any(not 0 <= v < n for v, n in zip(index, out.shape)):
            raise IndexError(f"Network.field: {index} is not a cell of layer {i}'s output, shape {out.shape}")
        mask = np.zeros(out.shape, dtype=bool)
        mask[index] = True
        masks = [mask]
        for layer in reversed(self.layers[:i + 1]):
            masks.insert(0, layer.field(masks[0]))
        return masks


__all__ = ["Network", "Layer", "LayerError", "SUPPORTED", "DIGITS_CNN"]
