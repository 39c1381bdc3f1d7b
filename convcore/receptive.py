"""How far one output sees: the receptive field of a stack of convolution and pooling layers.

Every layer, convolution or pooling, places its windows by the same rule
(``convcore.geometry.Axis``): output ``o`` reads ``o * s - p + t * d`` for taps
``t = 0 .. k-1``. Follow that rule down a stack and three numbers per layer say
everything about where an output of layer ``l`` looks in the input:

* the size ``r_l``, how many input positions its window spans, first to last:
  ``r_l = r_{l-1} + (k_l - 1) * d_l * j_{l-1}`` (each extra tap of layer ``l``
  adds a step of ``d_l`` positions of layer ``l-1``, and one step there is
  ``j_{l-1}`` input positions);
* the jump ``j_l``, how far apart neighbouring outputs of layer ``l`` look:
  ``j_l = j_{l-1} * s_l`` (the product of the strides);
* the start, the input coordinate where output 0's span begins (negative: in
  the padding): ``start_l = start_{l-1} - p_l * j_{l-1}``, with ``p_l`` the
  padding before the input (all of ``d*(k-1)`` for a causal layer).

So output ``o`` of layer ``l`` spans input positions ``start_l + o * j_l`` to
``start_l + o * j_l + r_l - 1``. With dilation or strides the span can have
holes; ``ReceptiveField.inputs_of`` gives the exact positions one output
depends on, walking the windows back layer by layer and clipping at the
borders (or following the padding mode, e.g. ``circular`` wraps around).
"""
from __future__ import annotations

import numbers
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .geometry import Axis, explain_axis, source_index
from .pooling import check_pool_padding
from .problem import AXIS_NAMES, as_bool, as_tuple, check_padding_mode, resolve_padding

FN = "receptive_field"
KINDS = ("conv", "max_pool", "avg_pool")
KEYS = ("kernel_size", "stride", "padding", "dilation", "ceil_mode", "padding_mode", "kind", "causal")


@dataclass(frozen=True)
class Layer:
    """One layer of the stack, normalized: one value per spatial axis, padding as (before, after)."""

    kind: str
    kernel_size: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[tuple[int, int], ...]
    dilation: tuple[int, ...]
    ceil_mode: bool = False
    padding_mode: str = "zeros"

    def axis(self, dim: int, n: int) -> Axis:
        """This layer's geometry along spatial axis ``dim`` for an input of length ``n``."""
        (before, after) = self.padding[dim]
        return Axis(n=n, k=self.kernel_size[dim], stride=self.stride[dim], pad_before=before,
                    pad_after=after, dilation=self.dilation[dim], ceil_mode=self.ceil_mode)


@dataclass(frozen=True)
class LayerField:
    """The receptive field after one layer (1-D: ints; 2-D: one value per axis).

    ``size``: input positions an output's window spans; ``jump``: input
    positions between neighbouring outputs (product of strides so far);
    ``start``: input coordinate where output 0's span begins.
    """

    layer: int
    kind: str
    kernel_size: int | tuple[int, ...]
    stride: int | tuple[int, ...]
    padding: tuple[int, int] | tuple[tuple[int, int], ...]
    dilation: int | tuple[int, ...]
    size: int | tuple[int, ...]
    jump: int | tuple[int, ...]
    start: int | tuple[int, ...]
    explanation: str


class ReceptiveField:
    """What one output of the last layer of a stack sees. Build it with ``receptive_field``."""

    def __init__(self, layers: tuple[Layer, ...], dims: int):
        self.specs = layers
        self.dims = dims
        # Per axis: r, j, start after each layer (index 0 is the input itself).
        self._r, self._j, self._start = [], [], []
        for dim in range(dims):
            r, j, start = [1], [1], [0]
            for layer in layers:
                k, s, d = layer.kernel_size[dim], layer.stride[dim], layer.dilation[dim]
                p = layer.padding[dim][0]
                r.append(r[-1] + (k - 1) * d * j[-1])
                start.append(start[-1] - p * j[-1])
                j.append(j[-1] * s)
            self._r.append(r)
            self._j.append(j)
            self._start.append(start)
        self.layers = tuple(self._field(l) for l in range(1, len(layers) + 1))

    # -- the numbers ----------------------------------------------------------
    def _one(self, values):
        return values[0] if self.dims == 1 else tuple(values)

    @property
    def size(self):
        """Receptive field size of one output of the last layer (int, or (height, width))."""
        return self._one([r[-1] for r in self._r])

    @property
    def jump(self):
        """Input positions between neighbouring outputs of the last layer (product of strides)."""
        return self._one([j[-1] for j in self._j])

    @property
    def start(self):
        """Input coordinate where output 0's span begins (negative: in the padding)."""
        return self._one([s[-1] for s in self._start])

    def span(self, index):
        """(first, last) input coordinate spanned by output ``index`` of the last layer, per axis,
        before clipping at the borders: ``start + index * jump`` to that ``+ size − 1``."""
        index = self._index(index)
        spans = [(s[-1] + o * j[-1], s[-1] + o * j[-1] + r[-1] - 1)
                 for o, r, j, s in zip(index, self._r, self._j, self._start)]
        return self._one(spans)

    def _field(self, l: int) -> LayerField:
        layer = self.specs[l - 1]
        lines = []
        for dim in range(self.dims):
            r, j, st = self._r[dim], self._j[dim], self._start[dim]
            k, s, d = layer.kernel_size[dim], layer.stride[dim], layer.dilation[dim]
            p = layer.padding[dim][0]
            name = f"{AXIS_NAMES[2][dim]}: " if self.dims == 2 else ""
            lines.append(
                f"{name}r_{l} = r_{l-1} + (k_{l} − 1)·d_{l}·j_{l-1} = {r[l-1]} + ({k} − 1)·{d}·{j[l-1]} = {r[l]}; "
                f"j_{l} = j_{l-1}·s_{l} = {j[l-1]}·{s} = {j[l]}; "
                f"start_{l} = start_{l-1} − p_{l}·j_{l-1} = {st[l-1]} − {p}·{j[l-1]} = {st[l]}"
            )
        one = self._one
        return LayerField(
            layer=l, kind=layer.kind, kernel_size=one(layer.kernel_size), stride=one(layer.stride),
            padding=one(layer.padding), dilation=one(layer.dilation),
            size=one([r[l] for r in self._r]), jump=one([j[l] for j in self._j]),
            start=one([s[l] for s in self._start]), explanation="\n".join(lines))

    def explain(self) -> str:
        """The recurrence, layer by layer, with the numbers filled in."""
        lines = ["input: r_0 = 1, j_0 = 1, start_0 = 0"]
        for f in self.layers:
            layer = self.specs[f.layer - 1]
            what = (f"{f.kind}, kernel_size={f.kernel_size}, stride={f.stride}, "
                    f"padding={f.padding if self.dims == 2 or f.padding[0] != f.padding[1] else f.padding[0]}, "
                    f"dilation={f.dilation}" + (", ceil_mode=True" if layer.ceil_mode else ""))
            lines.append(f"layer {f.layer} ({what}):")
            lines.extend("  " + line for line in f.explanation.split("\n"))
        size = " × ".join(map(str, self._one_tuple(self.size)))
        jump = self._one_tuple(self.jump)
        lines.append(
            f"One output of layer {len(self.layers)} spans {size} input positions; neighbouring outputs "
            f"are {' × '.join(map(str, jump))} input position{'' if jump == (1,) else 's'} apart.")
        return "\n".join(lines)

    def _one_tuple(self, value):
        return value if isinstance(value, tuple) else (value,)

    def __repr__(self) -> str:
        return f"<ReceptiveField of {len(self.specs)} layer(s): size={self.size}, jump={self.jump}, start={self.start}>"

    # -- exact positions, for a given input size ------------------------------
    def _sizes(self, input_size) -> list[tuple[int, ...]]:
        sizes = as_tuple(input_size, "input_size", FN, self.dims, minimum=1)
        per_layer = [sizes]
        for l, layer in enumerate(self.specs, start=1):
            nxt = []
            for dim, n in enumerate(per_layer[-1]):
                a = layer.axis(dim, n)
                if a.out < 1:
                    where = f" along {AXIS_NAMES[2][dim]}" if self.dims == 2 else ""
                    raise ValueError(
                        f"{FN}: layer {l} ({layer.kind}) has no output{where} for an input of size "
                        f"{input_size}: its input there has length {n}, and {explain_axis(a)}")
                nxt.append(a.out)
            per_layer.append(tuple(nxt))
        return per_layer

    def output_sizes(self, input_size) -> list:
        """Spatial size after every layer, the input's first (ints for 1-D, tuples for 2-D)."""
        return [self._one(list(s)) for s in self._sizes(input_size)]

    def _index(self, index) -> tuple[int, ...]:
        return as_tuple(index, "index", FN, self.dims, minimum=0)

    def _trail_per_axis(self, index, input_size) -> list[list[list[int]]]:
        sizes = self._sizes(input_size)
        index = self._index(index)
        last = sizes[-1]
        if any(o >= n for o, n in zip(index, last)):
            raise IndexError(f"{FN}: output index {self._one(list(index))} is past the end: "
                             f"the last layer's output has size {self._one(list(last))}")
        trails = []
        for dim in range(self.dims):
            reached = [sorted({index[dim]})]
            # Walk down the stack: every position a window of layer l reads in layer l-1.
            for l in range(len(self.specs), 0, -1):
                layer = self.specs[l - 1]
                a = layer.axis(dim, sizes[l - 1][dim])
                below = set()
                for o in reached[0]:
                    for t in range(a.k):
                        src = source_index(a.coordinate(o, t), a.n, layer.padding_mode)
                        if src is not None:
                            below.add(src)
                reached.insert(0, sorted(below))
            trails.append(reached)
        return trails

    def trail(self, index, input_size) -> list[np.ndarray]:
        """For output ``index`` of the last layer, what it depends on in every layer below.

        Returns one boolean mask per layer, the input's first, each shaped like
        that layer's output (the input's for entry 0): True where the value is
        read, directly or through the layers above it.
        """
        trails = self._trail_per_axis(index, input_size)
        masks = []
        for l, size in enumerate(self._sizes(input_size)):
            mask = np.zeros(size, dtype=bool)
            mask[np.ix_(*[t[l] for t in trails])] = True
            masks.append(mask)
        return masks

    def inputs_of(self, index, input_size) -> tuple:
        """The exact input positions output ``index`` of the last layer depends on, sorted.

        1-D: a tuple of ints; 2-D: a tuple of (row, col) pairs, row-major.
        Positions outside the input (padding) are left out; with ``reflect``,
        ``replicate`` or ``circular`` padding the positions they copy are in.

        >>> rf = receptive_field([dict(kernel_size=2, dilation=2)])
        >>> rf.inputs_of(0, 5), rf.size
        ((0, 2), 3)
        """
        trails = self._trail_per_axis(index, input_size)
        if self.dims == 1:
            return tuple(trails[0][0])
        rows, cols = trails[0][0], trails[1][0]
        return tuple((r, c) for r in rows for c in cols)


# ----------------------------------------------------------------------------
# Reading the layers
# ----------------------------------------------------------------------------
def _declared_dims(spec) -> int | None:
    """How many spatial axes a layer says it has: from a class name (Conv2d, MaxPool1d)
    or from a tuple-valued argument; None when every value is a plain int."""
    if not isinstance(spec, Mapping):
        name = type(spec).__name__
        if name.endswith(("1d", "2d")):
            return int(name[-2])
    values = spec.values() if isinstance(spec, Mapping) else [getattr(spec, "kernel_size", None)]
    for v in values:
        if isinstance(v, (tuple, list)) and len(v) in (1, 2) and all(isinstance(i, numbers.Integral) for i in v):
            return len(v)
    return None


def _from_object(spec, l) -> dict:
    """PyTorch's layer objects (nn.Conv1d/2d, nn.MaxPool1d/2d, nn.AvgPool1d/2d) by their attributes."""
    name = type(spec).__name__
    if "Transpose" in name or "Adaptive" in name or "Unpool" in name or "LPPool" in name:
        raise TypeError(f"{FN}: layer {l} is a {name}; only convolutions (Conv1d/Conv2d) and max or "
                        f"average pooling (MaxPool1d/2d, AvgPool1d/2d) are understood here")
    if not hasattr(spec, "kernel_size"):
        raise TypeError(
            f"{FN}: layer {l} must be a mapping of PyTorch's arguments (kernel_size, stride, padding, "
            f"dilation) or a convolution/pooling layer object; got {spec!r} ({name}), which has no "
            f"kernel_size. Layers without a window (ReLU, BatchNorm, ...) do not change the receptive "
            f"field: leave them out")
    kind = "max_pool" if "MaxPool" in name else "avg_pool" if "AvgPool" in name else "conv"
    out = dict(kind=kind, kernel_size=spec.kernel_size, stride=getattr(spec, "stride", 1),
               padding=getattr(spec, "padding", 0), dilation=getattr(spec, "dilation", 1),
               ceil_mode=bool(getattr(spec, "ceil_mode", False)),
               padding_mode=getattr(spec, "padding_mode", "zeros"))
    if out["stride"] is None:
        out["stride"] = spec.kernel_size
    return out


def _layer(spec, l, dims) -> Layer:
    if isinstance(spec, Mapping):
        unknown = [key for key in spec if key not in KEYS]
        if unknown:
            raise ValueError(f"{FN}: layer {l} has unknown key {unknown[0]!r}; the keys are PyTorch's "
                             f"argument names: {', '.join(KEYS)}")
        if "kernel_size" not in spec:
            raise ValueError(f"{FN}: layer {l} needs a `kernel_size`; got keys {sorted(spec)}")
        args = dict(spec)
    else:
        args = _from_object(spec, l)
    kind = args.get("kind", "conv")
    if kind not in KINDS:
        raise ValueError(f"{FN}: layer {l}: `kind` must be one of {', '.join(map(repr, KINDS))}; got {kind!r}")
    # The same checks, in the same words, as the functions the layer stands for,
    # each message saying which layer it is about.
    here = f"{FN}: layer {l}"
    name = f"layers[{l - 1}]"
    k = as_tuple(args["kernel_size"], f"{name}.kernel_size", FN, dims, 1)
    # PyTorch's pooling layers step by their kernel size unless told otherwise.
    default_stride = k if kind != "conv" else 1
    stride = args.get("stride", default_stride)
    stride = default_stride if stride is None else stride
    s = as_tuple(stride, f"{name}.stride", FN, dims, 1)
    d = as_tuple(args.get("dilation", 1), f"{name}.dilation", FN, dims, 1)
    padding = args.get("padding", 0)
    if args.get("causal", False):
        if padding != 0:
            raise ValueError(f"{here} is causal, which sets its padding (d·(k−1) before, 0 after); "
                             f"got padding={padding!r} as well")
        pads = tuple((dd * (kk - 1), 0) for kk, dd in zip(k, d))
    else:
        pads = tuple(resolve_padding(here, padding, dims, k, d, s, name=f"{name}.padding"))
    if kind != "conv":
        check_pool_padding(f"{here} ({kind})", k, tuple(before for before, _ in pads))
    mode = check_padding_mode(here, args.get("padding_mode", "zeros"))
    ceil = as_bool(args.get("ceil_mode", False), "ceil_mode", here)
    return Layer(kind=kind, kernel_size=k, stride=s, padding=pads, dilation=d, ceil_mode=ceil,
                 padding_mode=mode)


def receptive_field(layers, dims: int | None = None) -> ReceptiveField:
    """The receptive field of a stack of convolution and pooling layers, first layer first.

    Parameters
    ----------
    layers : sequence of mappings or layer objects
        Each layer as a mapping of PyTorch's argument names: ``kernel_size``
        (required), ``stride`` (default 1; for ``kind="max_pool"``/``"avg_pool"``
        the kernel size, as in PyTorch), ``padding`` (int, per-axis ints,
        ``"same"`` or ``"valid"``), ``dilation``, ``ceil_mode``, ``padding_mode``;
        ``causal=True`` pads d·(k−1) before and nothing after. Or a
        ``torch.nn.Conv1d/Conv2d/MaxPool1d/MaxPool2d/AvgPool1d/AvgPool2d`` (read
        through its attributes; torch is not imported here). An ``nn.Sequential``
        of such layers works as it is iterable.
    dims : {1, 2}, optional
        Number of spatial axes; by default read from the layers (a 2d class or
        a pair of values), else 1.

    Returns
    -------
    ReceptiveField
        ``size``, ``jump``, ``start``, per-layer details in ``layers``,
        ``explain()``, and ``inputs_of(index, input_size)`` / ``trail(...)``
        for one output element.

    Examples
    --------
    >>> rf = receptive_field([dict(kernel_size=3), dict(kernel_size=3)])
    >>> rf.size, rf.jump
    (5, 1)
    >>> receptive_field([dict(kernel_size=2, dilation=d) for d in (1, 2, 4, 8)]).size
    16
    >>> print(receptive_field([dict(kernel_size=3, stride=2, padding=1)]).explain())
    input: r_0 = 1, j_0 = 1, start_0 = 0
    layer 1 (conv, kernel_size=3, stride=2, padding=1, dilation=1):
      r_1 = r_0 + (k_1 − 1)·d_1·j_0 = 1 + (3 − 1)·1·1 = 3; j_1 = j_0·s_1 = 1·2 = 2; start_1 = start_0 − p_1·j_0 = 0 − 1·1 = -1
    One output of layer 1 spans 3 input positions; neighbouring outputs are 2 input positions apart.
    """
    if isinstance(layers, Mapping) or hasattr(layers, "kernel_size"):
        layers = [layers]
    try:
        layers = list(layers)
    except TypeError:
        raise TypeError(f"{FN}: `layers` must be a list of layers (mappings or layer objects); got {layers!r}") from None
    if not layers:
        raise ValueError(f"{FN}: `layers` is empty; give at least one convolution or pooling layer")
    declared = {d for d in (_declared_dims(spec) for spec in layers) if d is not None}
    if dims is None:
        if len(declared) > 1:
            raise ValueError(f"{FN}: the layers mix 1-D and 2-D (found {sorted(declared)} spatial axes); "
                             f"give one kind, or pass dims=")
        dims = declared.pop() if declared else 1
    if dims not in (1, 2):
        raise ValueError(f"{FN}: `dims` must be 1 or 2; got {dims!r}")
    return ReceptiveField(tuple(_layer(spec, l, dims) for l, spec in enumerate(layers, start=1)), dims)


__all__ = ["receptive_field", "ReceptiveField", "LayerField", "Layer"]
