"""What one output of a stack of layers reads, layer by layer: ``ReceptiveFieldView``, and the panels
and steps it shares with ``SequenceView``, from ``convcore.receptive``. One panel per layer (top first),
one step per output of the top layer, lighting what it reads in every layer below (``ReceptiveField.trail``);
each layer's recurrence, filled in, is a note. The selects that change a layer need a running kernel.
"""
from __future__ import annotations

from ..receptive import receptive_field
from . import schema
from .view import View

CHOICES = {"kernel_size": range(1, 8), "stride": range(1, 5), "dilation": range(1, 5)}    # what the selects offer
NEEDS_KERNEL = "Changing the layers needs a running kernel (run the notebook)."


def _spec_text(layer) -> str:
    """A layer as its title says it: "max pool, kernel 2, stride 2, padding 0, dilation 1"."""
    (before, after), = layer.padding
    pad = f"padding {before}" if before == after else f"padding {before} left, {after} right"
    return (f"{layer.kind.replace('_', ' ')}, kernel {layer.kernel_size[0]}, stride {layer.stride[0]}, {pad}, "
            f"dilation {layer.dilation[0]}")


def panel_id(l: int) -> str:
    """Layer ``l``'s panel (0: the input)."""
    return "input" if l == 0 else f"layer-{l}"


def layer_panels(rf, n: int, input_label: str = "input") -> tuple[dict, list]:
    """The panels, one per layer (the input's first), and ``rows``: top layer first."""
    sizes = rf.output_sizes(n)
    titles = [f"{input_label}: {n} positions (r_0 = 1, j_0 = 1, start_0 = 0)"] + [
        f"layer {f.layer} ({_spec_text(spec)}): size {f.size}, jump {f.jump}, start {f.start}; {size} outputs"
        for f, spec, size in zip(rf.layers, rf.specs, sizes[1:])]
    panels = {panel_id(l): {"title": title, "role": "cell", "t": schema.texts(range(size)),
                            "s": schema.states((1, size)), "keys": schema.texts(range(size)),
                            "rl": [f"layer {l}" if l else input_label]}
              for l, (size, title) in enumerate(zip(sizes, titles))}
    return panels, [[panel_id(l)] for l in reversed(range(len(sizes)))]


def formula_notes(rf) -> list[list[str]]:
    return [["formula", f"layer {f.layer}: {f.explanation}"] for f in rf.layers]


def _positions_text(positions) -> str:
    """Positions as the learner reads them: "3–7" when they run on, else "0, 2, 4" (or "nothing")."""
    if len(positions) > 1 and list(positions) == list(range(positions[0], positions[-1] + 1)):
        return f"{positions[0]}–{positions[-1]}"
    return ", ".join(map(str, positions)) or "nothing"


def stack_steps(rf, n: int, future: bool = False, other: str | None = None) -> list[dict]:
    """One record per output position of the top layer, lighting what it reads in every layer below
    (``future``: time, positions after it shaded; ``other``: the reading a switch goes to, at the same t)."""
    top, last = len(rf.specs), rf.output_sizes(n)[-1] - 1
    steps = []
    for o in range(last + 1):
        changed = {}
        for l, mask in enumerate(rf.trail(o, n)):      # the top layer's mask is output o itself
            lit = "chosen" if l == top else "read"
            now = [[lit if read else "future" if future and i > o else "plain" for i, read in enumerate(mask)]]
            changed[panel_id(l)] = {"s": schema.changes(schema.states((1, len(mask))), now)}
        inputs = list(rf.inputs_of(o, n))
        reads, s = _positions_text(inputs), "s" if len(inputs) > 1 else ""
        count = f"{len(inputs)} in all" if len(inputs) > 1 else "just that one"
        if future:
            ahead = f"positions {o + 1}–{n - 1} are the future" if o < n - 1 else ""
            h = (f"t = {o} (step {o} of steps 0–{last}): output {o} of layer {top} reads input{s} {reads} "
                 f"({count}), none after {o}" + (f"; {ahead}: nothing there is read" if ahead else ""))
            say = f"t = {o}: output {o} reads input{s} {reads} ({count}), none after {o}"
            lines = [["reads", f"output {o} of layer {top} reads input{s} {reads} ({count})"],
                     ["future", f"nothing after t = {o} is read" + (f": {ahead}" if ahead else "")]]
        else:
            first, end = rf.span(o)
            h = (f"step {o} of steps 0–{last}: output {o} of layer {top} spans input positions {first} to {end} "
                 f"(start + {o}·jump to that + size − 1); it reads input positions {reads} ({count})")
            say = f"output {o} of layer {top} reads input positions {reads} ({count})"
            lines = [["span", f"span: start + {o}·jump = {rf.start} + {o}·{rf.jump} = {first} to "
                              f"{first} + size − 1 = {first} + {rf.size} − 1 = {end}"],
                     ["reads", f"it reads input positions {reads} ({count})"]]
        steps.append({"h": h, "say": say, "set": changed, "lines": lines, "value": "", "pos": [],
                      **({"jump": {other: o}} if other is not None else {})})
    return steps


def _mapping(spec) -> dict:
    """A normalized layer back as the mapping ``receptive_field`` reads (what the selects change)."""
    (before, after), = spec.padding
    if after == 0 and before > 0 and before == spec.dilation[0] * (spec.kernel_size[0] - 1):
        padding = {"causal": True}           # padding follows kernel and dilation
    else:
        padding = {"padding": before if before == after else "same"}     # the only uneven padding besides causal
    return dict(kind=spec.kind, kernel_size=spec.kernel_size[0], stride=spec.stride[0], dilation=spec.dilation[0],
                ceil_mode=spec.ceil_mode, padding_mode=spec.padding_mode, **padding)


class ReceptiveFieldView(View):
    """A stack of 1-D layers (mappings of PyTorch's arguments, as ``receptive_field`` takes them) on an
    input of length ``n``: step through the outputs of the top layer, each lighting what it reads in every
    layer below. Selects change a layer's kernel size, stride and dilation (``set_layers`` recomputes in a
    running kernel, a static page says it cannot; an impossible stack shows the library's message).

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
        controls = []              # per layer, top first: kernel size, stride, dilation (the value in use offered)
        for l in range(len(rf.specs), 0, -1):
            for key, choices in CHOICES.items():
                value = getattr(rf.specs[l - 1], key)[0]
                controls.append({"name": key, "label": key.replace("_", " "), "panel": panel_id(l), "value": value,
                                 "choices": [[c, str(c)] for c in sorted({*choices, value})]})
        legend = [["chosen", "the output chosen"], ["read", "read by it, directly or through the layers above"],
                  ["plain", "not read"]]
        notes = [["rf", f"Receptive field of one output of the top layer: size {rf.size}, jump {rf.jump}, "
                        f"start {rf.start}."]] + formula_notes(rf) + [["needs-kernel", NEEDS_KERNEL]]
        rd = schema.reading("stack", "stack", rows, panels, stack_steps(rf, n), legend, notes=notes)
        self.rf, self.input_size, self.layers = rf, n, [_mapping(spec) for spec in rf.specs]
        self.set_data({"kind": self.kind, "example": None, "readings": [rd], "reading": "stack", "controls": controls})

    def on_control(self, key: str, value, panel: str | None = None) -> None:
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
