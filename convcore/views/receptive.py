"""What one output of a stack of layers reads, layer by layer: ``ReceptiveFieldView``.

Drawn in the browser by ``static/receptive.js`` (which also draws ``SequenceView``: both are
rows of positions, one row per layer, lit from ``ReceptiveField.trail``).

Data (every text written here, from ``convcore.receptive``):

``static``: kind, title, states (one letter per cell state -> its name: "r" read, "." not read,
"o" the output chosen, "f" the future), legend ([state letter, label]), note; ReceptiveFieldView
also choices (the values each control offers) and needsKernel (said on a static page).
``variants``: name -> {label, layers: top layer first, each {label, text, formula, pos
(position texts), layer and edit (ReceptiveFieldView: the layer's number, from 1, and its
kernel_size, stride, dilation)}, steps: one per output position of the top layer, each {h (header), say,
rows (top first: one letter per position, see ``states``)}}; ``variant``: the one shown first.
"""
from __future__ import annotations

import traitlets as T

from ..receptive import receptive_field
from .esm import esm_source
from .stepview import StepView

STATES = {"r": "read", ".": "plain", "o": "chosen", "f": "future"}


def _spec_text(layer) -> str:
    kind = {"conv": "conv", "max_pool": "max pool", "avg_pool": "avg pool"}[layer.kind]
    (before, after), = layer.padding
    pad = f"padding {before}" if before == after else f"padding {before} left, {after} right"
    return (f"{kind}, kernel {layer.kernel_size[0]}, stride {layer.stride[0]}, {pad}, "
            f"dilation {layer.dilation[0]}")


def layer_rows(rf, n: int) -> list[dict]:
    """One entry per row, top layer first: label, the size/jump/start text, the recurrence."""
    sizes = rf.output_sizes(n)
    rows = [{"label": "input", "text": f"input: {n} positions (r_0 = 1, j_0 = 1, start_0 = 0)",
             "formula": "", "pos": [str(i) for i in range(sizes[0])]}]
    for f, spec in zip(rf.layers, rf.specs):
        rows.append({"label": f"layer {f.layer}", "pos": [str(i) for i in range(sizes[f.layer])],
                     "text": (f"layer {f.layer} ({_spec_text(spec)}): size {f.size}, jump {f.jump}, "
                              f"start {f.start}; {sizes[f.layer]} outputs"),
                     "formula": f.explanation})
    return rows[::-1]


def _span_text(first, last, positions) -> str:
    if not positions:
        return "nothing"
    if list(positions) == list(range(positions[0], positions[-1] + 1)):
        return f"{positions[0]}–{positions[-1]}" if len(positions) > 1 else str(positions[0])
    return ", ".join(map(str, positions))


def stack_steps(rf, n: int, future: bool = False) -> list[dict]:
    """One record per output position of the top layer (``future``: time, positions after it shaded)."""
    sizes = rf.output_sizes(n)
    top = len(rf.specs)
    steps = []
    for o in range(sizes[-1]):
        masks = rf.trail(o, n)
        rows = []
        for l, mask in enumerate(masks):
            letters = []
            for i, read in enumerate(mask):
                if l == top:
                    letters.append("o" if i == o else "f" if future and i > o else ".")
                else:
                    letters.append("r" if read else "f" if future and i > o else ".")
            rows.append("".join(letters))
        inputs = rf.inputs_of(o, n)
        first, last = rf.span(o)
        reads = _span_text(first, last, list(inputs))
        count = f"{len(inputs)} in all" if len(inputs) > 1 else "just that one"
        if future:
            later = f"; positions {o + 1}–{n - 1} are the future: nothing there is read" if o < n - 1 else ""
            h = (f"t = {o} (step {o} of steps 0–{sizes[-1] - 1}): output {o} of layer {top} reads "
                 f"input{'s' if len(inputs) > 1 else ''} {reads} ({count}), none after {o}{later}")
            say = f"t = {o}: output {o} reads input{'s' if len(inputs) > 1 else ''} {reads} ({count}), none after {o}"
        else:
            h = (f"step {o} of steps 0–{sizes[-1] - 1}: output {o} of layer {top} spans input positions "
                 f"{first} to {last} (start + {o}·jump to that + size − 1); it reads input positions "
                 f"{reads} ({count})")
            say = f"output {o} of layer {top} reads input positions {reads} ({count})"
        steps.append({"h": h, "say": say, "rows": rows[::-1]})
    return steps


CSS = "\n".join([
    ".convcore-view .cc-rows{display:flex;flex-direction:column;gap:6px;}",
    ".convcore-view .cc-row{display:flex;flex-direction:column;gap:2px;}",
    ".convcore-view .cc-row .cc-grid{grid-auto-rows:28px;gap:2px;}",
    ".convcore-view .cc-row .cc-cell{min-width:28px;height:28px;font-size:13px;}",
    ".convcore-view .cc-formula{white-space:pre-wrap;font-family:ui-monospace,monospace;font-size:12px;}",
    ".convcore-view .cc-s-read{background-color:#FCE8BD;border-color:#D55E00;color:#111111;"
    "box-shadow:inset 0 0 0 3px #D55E00;font-weight:700;}",
    ".convcore-view .cc-s-chosen{background-color:#F0E442;border-color:#D55E00;color:#111111;"
    "box-shadow:inset 0 0 0 3px #D55E00;font-weight:700;}",
    ".convcore-view .cc-s-future{background-color:#E2E2E2;border-color:#6E6E6E;color:#111111;border-style:dashed;"
    "background-image:repeating-linear-gradient(45deg,transparent 0 5px,rgba(0,0,0,.12) 5px 7px);}",
])


class RowsView(StepView):
    """Rows of positions, one per layer, lit per step; ``variant`` picks a stack when there are several."""

    error = T.Unicode("").tag(sync=True)
    _esm = esm_source("receptive")
    _css = T.Unicode("").tag(sync=True)
    variant = T.Unicode("").tag(sync=True)
    module = "convcore-receptive.js"
    CSS = CSS

    @property
    def n(self) -> int:
        return len(self.data["variants"][self.variant or self.data["variant"]]["steps"])

    @property
    def record(self) -> dict:
        return self.data["variants"][self.variant]["steps"][self.step]

    def embed_html(self) -> str:
        from .stepview import embed_fragment
        payload = dict(self.data, live=False, step=self.step, variant=self.variant, **self.page_css())
        return embed_fragment(self.kind, self.module, payload)


class ReceptiveFieldView(RowsView):
    """A stack of 1-D layers (mappings of PyTorch's arguments, as ``receptive_field`` takes them)
    on an input of length ``n``: step through the outputs of the top layer; each lights what it
    reads in every layer below, from ``ReceptiveField.trail``. Each row says its layer's size,
    jump and start, with controls for its kernel size, stride and dilation: in a running kernel a
    change is recomputed here (``set_layers``) and the view follows; a static page says that
    changing layers needs a running kernel. Impossible stacks show the library's message.

    >>> v = ReceptiveFieldView([dict(kernel_size=3, padding=1), dict(kernel_size=3, padding=1)], 8)
    >>> v.rf.size, v.n
    (5, 8)
    """

    kind = "receptive"

    def __init__(self, layers, n: int):
        super().__init__(_css=self.stylesheet())
        self.set_layers(layers, n)
        self.on_msg(self._on_msg)

    def set_layers(self, layers, n: int | None = None) -> None:
        """Show another stack (and input length): the data is recomputed and sent once."""
        n = self.input_size if n is None else int(n)
        rf = receptive_field(layers, dims=1)
        rows = layer_rows(rf, n)
        for row, spec, l in zip(rows, rf.specs[::-1], range(len(rf.specs), 0, -1)):   # not the input row
            row["layer"] = l
            row["edit"] = {"kernel_size": spec.kernel_size[0], "stride": spec.stride[0], "dilation": spec.dilation[0]}
        data = {"static": {"kind": self.kind, "states": STATES, "title": "receptive field",
                           "legend": [["o", "the output chosen"], ["r", "read by it, directly or through the layers above"],
                                      [".", "not read"]],
                           "note": (f"Receptive field of one output of the top layer: size {rf.size}, "
                                    f"jump {rf.jump}, start {rf.start}."),
                           "choices": {key: [str(v) for v in values] for key, values in CHOICES.items()},
                           "needsKernel": "Changing the layers needs a running kernel (run the notebook)."},
                "variants": {"stack": {"label": "stack", "layers": rows, "steps": stack_steps(rf, n)}},
                "variant": "stack"}
        self.rf, self.input_size = rf, n
        self.layers = [_mapping(spec) for spec in rf.specs]
        with self.hold_sync():
            self.step = 0
            self.variant = "stack"
            self.error = ""
            self.data = data

    def _on_msg(self, _widget, content, _buffers) -> None:
        """The browser changed a layer: {"type": "layer", "layer": l (from 1), "key": ..., "value": ...}."""
        if content.get("type") != "layer":
            return
        try:
            layers = [dict(m) for m in self.layers]
            l, key, value = int(content["layer"]), str(content["key"]), int(content["value"])
            if key not in CHOICES:
                raise ValueError(f"only {', '.join(CHOICES)} can be changed here; got {key!r}")
            layers[l - 1][key] = value
            self.set_layers(layers)
        except Exception as err:      # a learner must see it: the library's own message
            self.error = f"{type(err).__name__}: {err}"


CHOICES = {"kernel_size": range(1, 8), "stride": range(1, 5), "dilation": range(1, 5)}


def _mapping(spec) -> dict:
    """A normalized layer back as the mapping ``receptive_field`` reads (what the controls change)."""
    (before, after), = spec.padding
    m = dict(kind=spec.kind, kernel_size=spec.kernel_size[0], stride=spec.stride[0], dilation=spec.dilation[0],
             ceil_mode=spec.ceil_mode, padding_mode=spec.padding_mode)
    if after == 0 and before > 0 and before == spec.dilation[0] * (spec.kernel_size[0] - 1):
        m["causal"] = True           # padding follows kernel and dilation
    else:
        m["padding"] = before if before == after else "same"     # the only uneven padding besides causal
    return m
