"""A whole network on one input, ``NetworkView``: every layer's feature maps, and for any cell of
them the step that computed it and its receptive field back to the input. The one step record
(``schema``), every number from ``convcore.Network``: ``net.forward`` for the maps, ``net.trace(i)``
for the steps, ``net.field(i, index)`` for the fields (a view never derives an index).

Readings
--------
* ``network`` (first): the maps, one row per layer (the input's first), a panel per channel (a
  (C, W) or flat tensor is one panel, a channel a row). Step 0 shows every map whole (the stored
  picture, and a static page, always have it); then one step per output cell of each layer that
  has a step-through trace (convolutions and pooling), layer after layer, each in its trace's order:
  a traced layer's maps carry ``order`` (cells fill in as the network computes them; a click, or
  Enter, goes to the cell's step), an element-wise layer's (ReLU) follow the cells below them, the
  rest (Flatten, Linear) are shown whole ("plain"). A step lights the cell's receptive field in
  every map below it ("read"), writes the computation out (the lines of the layer's own step view),
  and ``jump`` sends the layer's switch to the same step of its step view.
* ``layer-i``, one per traced layer: that layer's own step view, built by ``conv.ConvSteps`` or
  ``pooling.pool_data`` from ``net.trace(i)``; each step's ``jump`` goes back to it in ``network``. A
  sum of more than ``BUILDUP_UP_TO`` terms is shown whole (no build-up).
"""
from __future__ import annotations

import numpy as np

from ..network import Network
from ..trace import Trace
from . import schema
from .conv import ConvSteps, kind_of
from .numfmt import fmt, label
from .pooling import pool_data
from .view import View, block_size

ACROSS = 16                 # channel panels per row (a row wraps on a narrow screen; the picture keeps it)
DECIMALS = 2                # the maps' numbers, rounded to this many decimals
ELEMENTWISE = {"ReLU"}      # layers whose output cell reads the one cell under it
BUILDUP_UP_TO = 10          # a layer's step view keeps its build-up up to this many terms (a longer sum is
                            # written out whole: 02 and 09 build one up; here it would weigh 6× the steps)

LEGEND = [["plain", "the input, and layers without a step-through (shown whole)"],
          ["done", "computed"], ["current", "the chosen cell: being computed"], ["todo", "not yet computed"],
          ["read", "in the chosen cell's receptive field"]]


def _short(v) -> str:
    return fmt(round(float(v), DECIMALS) + 0.0)          # + 0.0: never "-0"


def _grids(a: np.ndarray) -> list[tuple[str, np.ndarray, tuple]]:
    """A tensor as the panels that show it: (panel suffix, 2-D grid, index prefix of its cells).
    (C, H, W): one panel per channel; (C, W): one panel, a channel a row; (F,): one row."""
    if a.ndim == 3:
        return [(f"-c{c}", a[c], (c,)) for c in range(a.shape[0])]
    return [("", np.atleast_2d(a), ())]


def _cell_of(a: np.ndarray, index) -> tuple[str, int, int]:
    """Where a tensor's cell ``index`` is drawn: (panel suffix, row, column)."""
    index = tuple(int(i) for i in index)
    if a.ndim == 3:
        return f"-c{index[0]}", index[1], index[2]
    return ("", *index) if a.ndim == 2 else ("", 0, index[0])


class NetworkView(View):
    """``net`` (a ``convcore.Network``, or an ``nn.Sequential`` it is made from) on one input
    ``x`` (one sample: (C, H, W) for 2-D layers, (C, W) for 1-D; run as a batch of one): the maps of
    every layer, and, for
    any cell of a convolution's or pooling's map, the step that computed it and its receptive field.

    >>> from convcore import Network
    >>> net = Network([{"type": "Conv2d", "in_channels": 1, "out_channels": 1, "kernel_size": 2},
    ...                {"type": "ReLU"}, {"type": "MaxPool2d", "kernel_size": 2}], seed=0)
    >>> v = NetworkView(net, [[[1, 2, 0], [0, 1, 3], [2, 2, 1]]])
    >>> [(r["key"], r["n"]) for r in v.data["readings"]]
    [('network', 6), ('layer-0', 4), ('layer-2', 1)]
    >>> v.screen(5)["lines"][-1]
    ['field', 'its receptive field: 4 cells of layer 1 (ReLU); 4 cells of layer 0 (Conv2d); 9 cells of input']
    """

    kind = "network"

    def __init__(self, net, x):
        if not all(hasattr(net, a) for a in ("layers", "forward", "trace", "field")):
            net = Network.from_torch(net)                 # an nn.Sequential: its weights, as a Network
        x = np.asarray(x, dtype=float)
        self.net, self.input = net, x
        # one sample, run as a batch of one (as nn.Flatten expects); every map is sample 0's
        self.tensors = [x] + [np.asarray(o)[0] for o in net.forward(x[None])]
        self.traced = [i for i, layer in enumerate(net.layers) if layer.traced]      # convolutions and pooling
        self.traces = {i: net.trace(i) for i in self.traced}
        # the network reading: step 0 shows every map whole; then each traced layer's steps, from offsets[i]
        self.offsets, start = {}, 1
        for i in self.traced:
            self.offsets[i], start = start, start + len(self.traces[i])
        self.total = start
        if not self.traced:
            raise ValueError("NetworkView steps through convolution and pooling layers; this network has none "
                             f"(its layers: {', '.join(layer.kind for layer in net.layers)})")
        self.conv = {i: ConvSteps(t, kind_of(t)) for i, t in self.traces.items() if isinstance(t, Trace)}
        self._made = {}                 # records built: step g of the network reading, (layer, step) of a layer's
        readings = [self._network_reading()] + [self._layer_reading(i) for i in self.traced]
        super().__init__({"kind": self.kind, "example": None, "readings": readings, "reading": "network"},
                         more=self._record)

    # -- names ---------------------------------------------------------------------------------
    def _name(self, t: int) -> str:
        """Tensor ``t``: the input (0) or layer t − 1's output."""
        return "input" if t == 0 else f"layer {t - 1} ({self.net.layers[t - 1].kind})"

    def key(self, i: int) -> str:
        """Layer ``i``'s step-view reading."""
        return f"layer-{i}"

    def locate(self, g: int) -> tuple[int, int]:
        """Step ``g`` ≥ 1 of the network reading: (layer, its step)."""
        i = max(j for j in self.traced if self.offsets[j] <= g)
        return i, g - self.offsets[i]

    # -- the network reading -------------------------------------------------------------------
    def _orders(self) -> dict[int, np.ndarray]:
        """Per tensor, the network step computing each cell (traced layers' outputs, and the
        element-wise layers above them), as arrays shaped like the tensor."""
        orders = {}
        for i, layer in enumerate(self.net.layers):
            if i in self.traced:
                orders[i + 1] = self.offsets[i] + self.traces[i].step_numbers[0]
            elif layer.kind in ELEMENTWISE and i in orders:
                orders[i + 1] = orders[i]
        return orders

    def _network_reading(self) -> dict:
        self.orders = orders = self._orders()
        panels, rows = {}, []
        for t, a in enumerate(self.tensors):
            ids = []
            for suffix, grid, prefix in _grids(a):
                pid = f"t{t}{suffix}"
                # the row's first panel names the layer; the others only their channel (narrow maps stay narrow)
                title = (f"{self._name(t)}: channel {prefix[0]}" if prefix == (0,) else f"channel {prefix[0]}"
                         if prefix else self._name(t))
                P = {"title": title, "role": "map-cell", "small": True,
                     "t": [[_short(v) for v in row] for row in grid], "s": schema.states(grid.shape),
                     "keys": [[schema.key(prefix + ((c,) if grid.shape[0] == 1 and a.ndim == 1 else (r, c)))
                               for c in range(grid.shape[1])] for r in range(grid.shape[0])]}
                if a.ndim == 2:
                    P["rl"] = [f"channel {c}" for c in range(grid.shape[0])]
                if t in orders:
                    order = orders[t][prefix] if prefix else orders[t]
                    P.update(order=np.atleast_2d(order).astype(int).tolist(), s=schema.states(grid.shape, "todo"))
                panels[pid] = P
                ids.append(pid)
            rows += [ids[j:j + ACROSS] for j in range(0, len(ids), ACROSS)]
        self._maps = panels
        untraced = [f"{i} ({layer.kind})" for i, layer in enumerate(self.net.layers)
                    if i not in self.traced and layer.kind not in ELEMENTWISE]
        notes = [["network", "Each row is a layer's output for this input (numbers rounded to "
                             f"{DECIMALS} decimals). Choose a cell of a convolution's or pooling's map (a click, or "
                             "Enter) to see the step that computed it and its receptive field; the switch above "
                             "shows that layer's step view at the same step."]]
        if untraced:
            notes.append(["untraced", f"Layer{'s' if len(untraced) > 1 else ''} {', '.join(untraced)} "
                                      "have no step-through: shown whole."])
        n = self.total
        steps = [self._network_record(g) for g in range(min(n, self._first_block()))]
        return schema.reading("network", "network", rows, panels, steps, LEGEND, n=n, notes=notes,
                              block=0 if len(steps) == n else len(steps))

    def _first_block(self) -> int:
        return block_size({"n": self.total, "steps": [self._network_record(self.total - 1)]})

    def _network_record(self, g: int) -> dict:
        if g not in self._made:                         # each record built once, kept by this view
            self._made[g] = self._build_network_record(g)
        return self._made[g]

    def _build_network_record(self, g: int) -> dict:
        if g == 0:
            return self._whole_record()
        i, k = self.locate(g)
        rec, layer = self._layer_record(i, k), self.net.layers[i]
        index = self._out_index(i, k)
        masks = [m[0] for m in self.net.field(i, (0, *index))]     # tensors 0 … i + 1, from the library
        set_, counts = {}, []
        for t, mask in enumerate(masks[:-1]):
            count = int(mask.sum())
            counts.append(f"{count:,} cell{'s' if count != 1 else ''} of {self._name(t)}")
            for suffix, grid, _ in _grids(mask):           # the field in each panel, as blocks of cells
                if grid.any():
                    set_.setdefault(f"t{t}{suffix}", {})["s"] = dict.fromkeys(schema.blocks(grid), "read")
        # element-wise layers above compute their cell with this step: their own value, not the step's
        for t in range(i + 2, len(self.tensors)):
            if self.net.layers[t - 1].kind not in ELEMENTWISE or t not in self.orders:
                break
            suffix, r, c = _cell_of(self.tensors[t], index)
            set_.setdefault(f"t{t}{suffix}", {})["t"] = {schema.at(r, c): _short(self.tensors[t][index])}
        name, value = label("out", (0, *index)), rec["value"]       # as the layer's own view names it: sample 0
        what = f"layer {i} ({layer.kind}) computes {name} = {value}"
        lines = [*rec["lines"], ["field", f"its receptive field: {'; '.join(reversed(counts))}"]]
        return {"h": f"step {g:,} of steps 0–{self.total - 1:,}: {what} (step {k:,} of its own view)",
                "say": f"{what}; its receptive field: {'; '.join(reversed(counts))}",
                "set": set_, "lines": lines, "value": value, "pos": [], "jump": {self.key(i): k}}

    def _whole_record(self) -> dict:
        """Step 0: every map whole, its cells computed (the network's forward pass, done)."""
        set_ = {pid: {"s": schema.changes(P["s"], schema.states((len(P["t"]), len(P["t"][0])), "done")),
                      "t": schema.changes([[""] * len(row) for row in P["t"]], P["t"])}
                for pid, P in self._maps.items() if "order" in P}
        scores = self.tensors[-1]
        answer = (f"; the largest of its {scores.size} outputs is number {int(np.argmax(scores))}"
                  if scores.ndim == 1 else "")
        h = (f"step 0 of steps 0–{self.total - 1:,}: every layer's output for this input{answer}; from step 1 "
             "the network computes them again, cell by cell")
        return {"h": h, "say": h, "set": set_, "lines": [["whole", "Choose a cell of a convolution's or pooling's "
                                                           "map to see the step that computed it."]],
                "value": "", "pos": []}

    def _out_index(self, i: int, k: int) -> tuple:
        """The index of the output cell step ``k`` of layer ``i`` computes, in the layer's output."""
        st = self.traces[i][k]
        return tuple(int(v) for v in st.out_index)[1:]          # the batch of one's sample 0 aside

    # -- the layers' own step views ------------------------------------------------------------
    def _layer_record(self, i: int, k: int) -> dict:
        if (i, k) in self._made:
            return self._made[i, k]
        if i in self.conv:
            rec = self.conv[i].record(k)
            if self.conv[i].top > BUILDUP_UP_TO:
                rec = {f: v for f, v in rec.items() if f != "build"}
        else:
            rec = self._pool_reading(i)["steps"][k]
        self._made[i, k] = dict(rec, jump={"network": self.offsets[i] + k})
        return self._made[i, k]

    def _pool_reading(self, i: int) -> dict:
        if ("pool", i) not in self._made:
            self._made["pool", i] = pool_data(self.traces[i])["readings"][0]
        return self._made["pool", i]

    def _layer_reading(self, i: int) -> dict:
        """Layer ``i``'s own step view (its builder's reading), under its own key, steps with their jumps."""
        n = len(self.traces[i])
        base = self.conv[i].data(block=1)["readings"][0] if i in self.conv else self._pool_reading(i)
        block = block_size({"n": n, "steps": [self._layer_record(i, 0)]})
        first = [self._layer_record(i, k) for k in range(min(n, block))]
        whole = i in self.conv and self.conv[i].top > BUILDUP_UP_TO
        return dict(base, key=self.key(i), label=f"layer {i}: {self.net.layers[i].kind}", steps=first,
                    block=0 if len(first) == n else len(first), **({"top": 0} if whole else {}))

    def _record(self, reading: str, k: int) -> dict:
        if reading == "network":
            return self._network_record(k)
        return self._layer_record(int(reading.removeprefix("layer-")), k)
