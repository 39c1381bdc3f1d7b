"""What one output of a stack of layers reads, layer by layer: ``ReceptiveFieldView``; and the rows
it is drawn with, shared with ``SequenceView`` (``sequence.py``).

Both are the one step record (``schema``), every text written here from ``convcore.receptive``:
one panel per layer, top layer first in ``rows`` (the input last), each one row of cells (role
"cell", keys and texts the positions "0", "1", …, title the layer's text: its kernel, stride,
padding and dilation, its size, jump and start; ``rl`` its short name). One step per output of the
top layer: its ``set`` lights what that output reads in every layer below (``ReceptiveField.trail``):
"chosen" (the output), "read", "future" (a sequence: after t) or the panel's "plain" (not read).
Each layer's recurrence, filled in, is a note ("formula").

``ReceptiveFieldView`` offers ``edits``: per layer a kernel size, stride and dilation select; a
running kernel answers in ``on_edit`` (recomputed with ``set_layers``; an impossible stack shows
the library's message in ``error``). A static page cannot: the note "needs-kernel" says so.
"""
from __future__ import annotations

from ..receptive import receptive_field
from . import schema
from .view import View

CHOICES = {"kernel_size": range(1, 8), "stride": range(1, 5), "dilation": range(1, 5)}
EDIT_LABELS = {"kernel_size": "kernel size", "stride": "stride", "dilation": "dilation"}
NEEDS_KERNEL = "Changing the layers needs a running kernel (run the notebook)."


def _spec_text(layer) -> str:
    kind = {"conv": "conv", "max_pool": "max pool", "avg_pool": "avg pool"}[layer.kind]
    (before, after), = layer.padding
    pad = f"padding {before}" if before == after else f"padding {before} left, {after} right"
    return (f"{kind}, kernel {layer.kernel_size[0]}, stride {layer.stride[0]}, {pad}, "
            f"dilation {layer.dilation[0]}")


def panel_id(l: int) -> str:
    """Layer ``l``'s panel (0: the input)."""
    return "input" if l == 0 else f"layer-{l}"


def layer_panels(rf, n: int, input_label: str = "input") -> tuple[dict, list]:
    """The panels, one per layer (the input's first), and ``rows``: top layer first."""
    sizes = rf.output_sizes(n)
    panels = {}
    for l, size in enumerate(sizes):
        if l == 0:
            title = f"{input_label}: {n} positions (r_0 = 1, j_0 = 1, start_0 = 0)"
            short = input_label
        else:
            f, spec = rf.layers[l - 1], rf.specs[l - 1]
            title = (f"layer {l} ({_spec_text(spec)}): size {f.size}, jump {f.jump}, start {f.start}; "
                     f"{size} outputs")
            short = f"layer {l}"
        pos = [str(i) for i in range(size)]
        panels[panel_id(l)] = {"title": title, "role": "cell", "t": [pos], "s": schema.states((1, size)),
                               "keys": [pos], "rl": [short]}
    return panels, [[panel_id(l)] for l in range(len(sizes) - 1, -1, -1)]


def formula_notes(rf) -> list[list[str]]:
    return [["formula", f"layer {f.layer}: {f.explanation}"] for f in rf.layers]


def _positions_text(positions) -> str:
    if not positions:
        return "nothing"
    if list(positions) == list(range(positions[0], positions[-1] + 1)):
        return f"{positions[0]}–{positions[-1]}" if len(positions) > 1 else str(positions[0])
    return ", ".join(map(str, positions))


def stack_steps(rf, n: int, future: bool = False, other: str | None = None) -> list[dict]:
    """One record per output position of the top layer (``future``: time, positions after it
    shaded; ``other``: the reading a switch goes to, at the same t)."""
    sizes = rf.output_sizes(n)
    top = len(rf.specs)
    steps = []
    for o in range(sizes[-1]):
        masks = rf.trail(o, n)
        changed = {}
        for l, mask in enumerate(masks):
            s = {}
            for i, read in enumerate(mask):
                state = ("chosen" if i == o else "future" if future and i > o else "plain") if l == top else \
                        ("read" if read else "future" if future and i > o else "plain")
                if state != "plain":
                    s[schema.at(0, i)] = state
            changed[panel_id(l)] = {"s": s}
        inputs = list(rf.inputs_of(o, n))
        first, last = rf.span(o)
        reads = _positions_text(inputs)
        count = f"{len(inputs)} in all" if len(inputs) > 1 else "just that one"
        plural = "s" if len(inputs) > 1 else ""
        if future:
            later = f"; positions {o + 1}–{n - 1} are the future: nothing there is read" if o < n - 1 else ""
            h = (f"t = {o} (step {o} of steps 0–{sizes[-1] - 1}): output {o} of layer {top} reads "
                 f"input{plural} {reads} ({count}), none after {o}{later}")
            say = f"t = {o}: output {o} reads input{plural} {reads} ({count}), none after {o}"
            lines = [["reads", f"output {o} of layer {top} reads input{plural} {reads} ({count})"],
                     ["future", f"nothing after t = {o} is read" + (
                         f": positions {o + 1}–{n - 1} are the future" if o < n - 1 else "")]]
        else:
            h = (f"step {o} of steps 0–{sizes[-1] - 1}: output {o} of layer {top} spans input positions "
                 f"{first} to {last} (start + {o}·jump to that + size − 1); it reads input positions "
                 f"{reads} ({count})")
            say = f"output {o} of layer {top} reads input positions {reads} ({count})"
            lines = [["span", f"span: start + {o}·jump = {rf.start} + {o}·{rf.jump} = {first} to "
                              f"{first} + size − 1 = {first} + {rf.size} − 1 = {last}"],
                     ["reads", f"it reads input positions {reads} ({count})"]]
        step = {"h": h, "say": say, "set": changed, "lines": lines, "value": "", "pos": []}
        if other is not None:
            step["jump"] = {other: o}
        steps.append(step)
    return steps


def _mapping(spec) -> dict:
    """A normalized layer back as the mapping ``receptive_field`` reads (what the selects change)."""
    (before, after), = spec.padding
    m = dict(kind=spec.kind, kernel_size=spec.kernel_size[0], stride=spec.stride[0], dilation=spec.dilation[0],
             ceil_mode=spec.ceil_mode, padding_mode=spec.padding_mode)
    if after == 0 and before > 0 and before == spec.dilation[0] * (spec.kernel_size[0] - 1):
        m["causal"] = True           # padding follows kernel and dilation
    else:
        m["padding"] = before if before == after else "same"     # the only uneven padding besides causal
    return m


class ReceptiveFieldView(View):
    """A stack of 1-D layers (mappings of PyTorch's arguments, as ``receptive_field`` takes them)
    on an input of length ``n``: step through the outputs of the top layer; each lights what it
    reads in every layer below, from ``ReceptiveField.trail``. Each row says its layer's size,
    jump and start, with selects for its kernel size, stride and dilation: in a running kernel a
    change is recomputed here (``set_layers``) and the view follows; a static page says that
    changing layers needs a running kernel. Impossible stacks show the library's message.

    >>> v = ReceptiveFieldView([dict(kernel_size=3, padding=1), dict(kernel_size=3, padding=1)], 8)
    >>> v.rf.size, v.n
    (5, 8)
    """

    kind = "receptive"

    def __init__(self, layers, n: int):
        super().__init__()
        self.set_layers(layers, n)

    def set_layers(self, layers, n: int | None = None) -> None:
        """Show another stack (and input length): the data is recomputed and sent once."""
        n = self.input_size if n is None else int(n)
        rf = receptive_field(layers, dims=1)
        panels, rows = layer_panels(rf, n)
        edits = []
        for l in range(len(rf.specs), 0, -1):
            spec = rf.specs[l - 1]
            for key, label in EDIT_LABELS.items():
                value = getattr(spec, key)[0]
                choices = sorted(set(CHOICES[key]) | {value})
                edits.append([panel_id(l), key, label, choices, value])
        legend = [["chosen", "the output chosen"], ["read", "read by it, directly or through the layers above"],
                  ["plain", "not read"]]
        notes = [["rf", f"Receptive field of one output of the top layer: size {rf.size}, jump {rf.jump}, "
                        f"start {rf.start}."]] + formula_notes(rf) + [["needs-kernel", NEEDS_KERNEL]]
        rd = schema.reading("stack", "stack", rows, panels, stack_steps(rf, n), legend, notes=notes, edits=edits)
        self.rf, self.input_size = rf, n
        self.layers = [_mapping(spec) for spec in rf.specs]
        self.set_data({"kind": self.kind, "example": None, "readings": [rd], "reading": "stack"})

    def on_edit(self, panel: str, key: str, value) -> None:
        """A select changed: layer ``panel`` ("layer-2") gets ``key`` = ``value``, recomputed here;
        what the library refuses is shown to the learner (``error``) and the stack stays."""
        try:
            if key not in CHOICES:
                raise ValueError(f"only {', '.join(CHOICES)} can be changed here; got {key!r}")
            ids = {panel_id(l): l for l in range(1, len(self.layers) + 1)}
            if panel not in ids:
                raise ValueError(f"there is no layer {panel!r} to change; the layers are {', '.join(ids)}")
            layers = [dict(m) for m in self.layers]
            layers[ids[panel] - 1][key] = int(value)
            self.set_layers(layers)
        except Exception as err:      # a learner must see it: the library's own message
            self.show_error(err)
