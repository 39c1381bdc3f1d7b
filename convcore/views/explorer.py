"""The explorer: change the shapes and settings, see the output shape and its formula live.

The explorer is a view like the others: its settings are the view's ``controls``, drawn by the one
renderer above the picture. A change in the browser reaches ``on_control`` (from Python: ``set``),
which records the value and calls ``apply()``: it gathers the numbers (a preset from
``convcore.examples``, seeded random integers, or typed arrays), asks the library for the trace and
shows its steps (``ConvSteps``, in the look ``kind_of`` picks) with the output shape and each axis'
formula filled in (``Conv.explain``) under them. An impossible setting shows the library's
explanation; fixing it brings the steps back. A page without a kernel gets ``static_view()``:
every combination of a few settings, computed when the page is built, picked by the same controls.
"""
from __future__ import annotations

import ast
import json
from itertools import product

import numpy as np

from .. import api
from .. import examples as catalogue
from ..geometry import PADDING_MODES
from .conv import ConvSteps, kind_of
from .schema import reading
from .view import View

PRESET, RANDOM, TYPED = "preset", "random integers", "typed"
# A static page's explorer: every combination of these, on the numbers shown, computed when the page is built.
STATIC_SETTINGS = {"stride": (1, 2, 3), "padding": (0, 1, 2), "dilation": (1, 2)}
SIZE_RULE = "output size per axis = floor((n + pad_before + pad_after − d·(k−1) − 1) / s) + 1"
IMPOSSIBLE = "This setting is impossible; nothing to show until it is fixed:"
TYPING = ("Type the input (C_in, size…), the weight (C_out, C_in per group, kernel…) and the bias as nested "
          "lists of numbers; a box applies when you leave it (Tab).")

# The settings, with what each control offers: (label, choices as [value, text]) for a select, or
# (label, (lowest, highest)) for a number, or (label, suggestions, rows) for typed text.
YES_NO = [[False, "no"], [True, "yes"]]
CONTROLS = {
    "dims": ("conv", [[1, "1-D"], [2, "2-D"]]),
    "values": ("values", [[m, m] for m in (PRESET, RANDOM, TYPED)]),
    "preset": ("preset", None),                     # the catalogue's names, read when drawn
    "seed": ("seed", (0, 2**31 - 1)),
    "size": ("input size", (1, 64)), "width": ("input width", (1, 64)),
    "kernel": ("kernel size", (1, 8)), "kernel_width": ("kernel width", (1, 8)),
    "rectangular": ("rectangular", YES_NO),
    "c_in": ("C_in", (1, 8)), "c_out": ("C_out", (1, 8)), "groups": ("groups", (1, 8)), "bias": ("bias", YES_NO),
    "stride": ("stride", (1, 6)), "dilation": ("dilation", (1, 6)),
    "padding": ("padding", ["valid", "same", "0", "1", "2"], 0),
    "padding_mode": ("padding_mode", [[m, m] for m in PADDING_MODES]),
    "input": ("input", [], 3), "weight": ("weight", [], 3), "bias_values": ("bias values", [], 0),
}
SIZES = ("size", "width", "kernel", "kernel_width", "c_in", "c_out")      # what typed arrays fix


def summary(trace, in_shape) -> list[list[str]]:
    """The notes under the explorer's view: the shapes and steps, the rule, each axis' formula filled in."""
    p = trace.problem
    weight = tuple(p.weight.shape) if p.layout != "plain" else tuple(p.kernel_shape)
    return [["shape", f"input {tuple(in_shape)} ⋆ weight {weight} → output {tuple(p.out_shape)}: {len(trace)} steps"],
            ["note", SIZE_RULE], *(["formula", line] for line in p.explain().splitlines())]


def impossible(message: str, key_: str = "impossible", label_: str = "impossible") -> dict:
    """A reading of one screen with no picture: why the library refuses these settings."""
    step = {"h": IMPOSSIBLE, "say": f"{IMPOSSIBLE} {message}", "set": {}, "lines": []}
    return reading(key_, label_, [], {}, [step], [], notes=[["error", message]])


def parse_padding(text: str):
    """'1' -> 1, 'same'/'valid' stay words, '1, 2' -> (1, 2). Anything else goes to the library."""
    text = str(text).strip()
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):    # a word: the library explains what padding may be
        return text


def parse_array(text: str, name: str):
    """Typed numbers (nested lists, as Python or JSON writes them); the library checks the shape."""
    text = str(text).strip()
    if not text:
        return None
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError) as err:
        raise ValueError(f"could not read the typed `{name}`: write numbers in nested lists such as "
                         f"[[1, 2], [3, 4]] ({err.__class__.__name__}: {err})") from None


class Explorer(View):
    """Input size, kernel size, stride, padding, dilation, groups, C_in, C_out: live.

    >>> ex = Explorer("seed_conv2d")
    >>> ex.shape, ex.explanation
    ((3, 3, 3), None)
    >>> ex.set(kernel=7); "does not fit" in ex.explanation
    True
    """

    kind = "explorer"

    def __init__(self, example="seed_conv2d", *, seed: int = 0):
        self.trace = self.steps = None      # the trace of the settings shown, and its steps' builder
        self.shape: tuple | None = None
        self.explanation: str | None = None # or why the library refuses the settings
        self._arrays = self._axis_stride = None     # the numbers shown; a preset's per-axis strides
        self.values = {"values": PRESET, "seed": seed, "input": "", "weight": "", "bias_values": ""}
        super().__init__(more=lambda _reading, k: self.steps.record(k))
        self.load_preset(example)

    # -- the settings ----------------------------------------------------------------------------
    def set(self, **changes) -> None:
        """Change settings as the controls do (``ex.set(stride=2, padding="1")``), one after another."""
        for name, value in changes.items():
            if name not in CONTROLS:
                raise ValueError(f"the explorer has no setting {name!r}; its settings are {', '.join(CONTROLS)}")
            self.on_control(name, value)

    def on_control(self, name: str, value, panel=None) -> None:
        """A control changed: record the value and show what it gives (an error, where the learner sees it)."""
        try:
            if name not in CONTROLS:
                raise ValueError(f"the explorer has no setting {name!r}")
            if isinstance(CONTROLS[name][1], tuple) and str(value).strip().lstrip("-").isdigit():
                value = int(value)                  # a number box's text (``apply`` checks its range)
            if name == "preset":
                return self.load_preset(value)
            if name == "values" and value == PRESET:
                return self.load_preset(self.values["preset"])
            if name == "values" and value == TYPED and self._arrays is not None:
                for box, a in zip(("input", "weight", "bias_values"), self._arrays):   # start from the numbers shown
                    self.values[box] = "" if a is None else json.dumps(np.asarray(a).tolist())
            if name == "stride":                    # a chosen stride replaces a preset's per-axis one
                self._axis_stride = None
            self.values[name] = value
            self.apply()
        except Exception as err:                    # a learner must see it, whatever it is
            self.show_error(err)

    def load_preset(self, example) -> None:
        """Set every control from a named example (or an Example) and show it."""
        example = catalogue.get(example) if isinstance(example, str) else example
        x, w, dims = np.asarray(example.input), np.asarray(example.weight), example.dims
        plain = w.ndim == dims           # a plain signal or image and its kernel: one channel each
        spatial, kernel, pad = x.shape[-dims:], w.shape[-dims:], example.padding
        first = lambda v: v if isinstance(v, int) else v[0]          # noqa: E731 (a per-axis value's first)
        self.values.update(
            values=PRESET, preset=example.name, dims=dims,
            rectangular=bool(spatial[0] != spatial[-1] or kernel[0] != kernel[-1]),
            size=spatial[0], width=spatial[-1], kernel=kernel[0], kernel_width=kernel[-1],
            c_in=1 if plain else x.shape[-dims - 1], c_out=1 if plain else w.shape[0],
            groups=example.groups, bias=example.bias is not None, stride=first(example.stride),
            padding=pad if isinstance(pad, str) else ", ".join(map(str, np.atleast_1d(pad))),
            padding_mode=example.padding_mode, dilation=first(example.dilation))
        # per-axis strides: kept exactly (the control shows the first)
        self._axis_stride = None if isinstance(example.stride, int) else tuple(example.stride)
        self._preset = self._arrays = (x, w, None if example.bias is None else np.asarray(example.bias))
        self.apply()

    def _sized_arrays(self, preset: bool) -> tuple:
        """(input, weight, bias) of the sizes the settings ask for: the preset's numbers while the
        sizes are the preset's (and ``preset``), else seeded random integers."""
        v = self.values
        dims, rect = v["dims"], v["rectangular"]
        spatial = (v["size"],) if dims == 1 else (v["size"], v["width"] if rect else v["size"])
        kernel = (v["kernel"],) if dims == 1 else (v["kernel"], v["kernel_width"] if rect else v["kernel"])
        c_in, c_out, groups, bias = v["c_in"], v["c_out"], v["groups"], v["bias"]
        x, w, b = self._preset
        plain = np.ndim(w) == dims       # a plain signal or image and its kernel: one channel each
        fits = plain or (np.ndim(w) == dims + 2 and np.ndim(x) in (dims + 1, dims + 2))   # the preset is this 1-D/2-D
        if preset and fits and (tuple(np.shape(x)[-dims:]) == spatial and tuple(np.shape(w)[-dims:]) == kernel
                       and np.ndim(x) >= dims       # and the preset's (C_in, C_out, C_in per group):
                       and ((1, 1, 1) if plain else (np.shape(x)[-dims - 1], *np.shape(w)[:2]))
                       == (c_in, c_out, c_in // groups) and (b is not None) == bias):
            return self._preset
        rng = np.random.default_rng(v["seed"])
        return (rng.integers(-3, 4, size=(c_in, *spatial)),
                rng.integers(-2, 3, size=(c_out, max(1, c_in // groups), *kernel)),
                rng.integers(-2, 3, size=c_out) if bias else None)

    def _trace(self, **settings):
        """The trace of the numbers shown with the settings (``settings`` replace some)."""
        v = {**self.values, **settings}
        stride = v["stride"]
        if self._axis_stride and "stride" not in settings and v["values"] == PRESET and v["dims"] == 2:
            stride = self._axis_stride               # a preset's per-axis strides, kept exactly
        build = api.trace1d if v["dims"] == 1 else api.trace2d
        return build(*self._arrays, stride=stride, padding=parse_padding(v["padding"]), dilation=v["dilation"],
                     groups=v["groups"], padding_mode=v["padding_mode"])

    # -- the one update path ------------------------------------------------------------------------
    def apply(self) -> None:
        """Rebuild from the settings: the steps, with the shapes and formulas under them; or the explanation."""
        try:
            for name, (label, offer, *_) in CONTROLS.items():
                value = self.values.get(name)
                if isinstance(offer, tuple) and not (isinstance(value, int) and offer[0] <= value <= offer[1]):
                    raise ValueError(f"{label} must be a whole number from {offer[0]} to {offer[1]}; got {value!r}")
            if self.values["values"] == TYPED:
                self._arrays = tuple(parse_array(self.values[box], CONTROLS[box][0])
                                     for box in ("input", "weight", "bias_values"))
                if self._arrays[0] is None or self._arrays[1] is None:
                    raise ValueError("type the input and the weight as nested lists of numbers")
            else:
                self._arrays = self._sized_arrays(preset=self.values["values"] == PRESET)
            trace = self._trace()
        except (ValueError, TypeError) as err:       # the library's explanation, for the learner
            self.trace, self.steps, self.shape, self.explanation = None, None, None, str(err)
            return self.set_data(self._data([impossible(self.explanation)]))
        if self.values["values"] == TYPED:           # the greyed sizes show the typed arrays' sizes
            p = trace.problem
            self.values.update(size=p.axes[0].n, width=p.axes[-1].n, kernel=p.kernel_shape[0],
                               kernel_width=p.kernel_shape[-1], c_in=p.in_channels, c_out=p.out_channels,
                               rectangular=bool(p.axes[0].n != p.axes[-1].n or p.kernel_shape[0] != p.kernel_shape[-1]))
        self.trace, self.shape, self.explanation = trace, trace.problem.out_shape, None
        self.steps = ConvSteps(trace, kind_of(trace))
        rd = self.steps.first_block()["readings"][0]
        self.set_data(self._data([dict(rd, notes=summary(trace, np.shape(self._arrays[0])) + rd["notes"])]))

    def _data(self, readings: list) -> dict:
        """The live explorer's data: its one reading, under the controls the settings use now."""
        if self.values["values"] == TYPED:                           # how the typed boxes apply
            readings = [dict(rd, notes=[["typing", TYPING]] + rd["notes"]) for rd in readings]
        return {"kind": "explorer", "example": None, "readings": readings, "reading": readings[0]["key"],
                "controls": self.controls()}

    def controls(self) -> list[dict]:
        """The controls the settings use now: width apart in 2-D when rectangular, the seed when
        random, the preset's name when a preset, the typed arrays when typed (the sizes greyed)."""
        v, mode, two_d = self.values, self.values["values"], self.values["dims"] == 2
        hidden = {"preset": mode != PRESET, "seed": mode != RANDOM, "rectangular": not two_d,
                  "width": not (two_d and v["rectangular"]), "kernel_width": not (two_d and v["rectangular"]),
                  **dict.fromkeys(("input", "weight", "bias_values"), mode != TYPED)}
        out = []
        for name, (label, offer, *rows) in CONTROLS.items():
            if hidden.get(name):
                continue
            c = {"name": name, "label": label, "value": v[name]}
            if name == "preset":
                c["choices"] = [[n, n] for n in catalogue.names()]
            elif isinstance(offer, tuple):
                c.update(min=offer[0], max=offer[1], off=mode == TYPED and name in SIZES)
            elif rows:
                c.update(suggest=offer, rows=rows[0])
            else:
                c["choices"] = offer
            out.append(c)
        return out

    # -- a page without a kernel --------------------------------------------------------------------
    def static_view(self) -> View:
        """A view for a page without a kernel: one reading per combination of ``STATIC_SETTINGS`` on
        the numbers shown (a select per setting picks it: ``pick``), each with its shape and formula
        as notes; a combination the library refuses shows its explanation. ``embed_html(explorer)``
        embeds it."""
        readings = []
        for values in product(*STATIC_SETTINGS.values()):
            key_ = ",".join(map(str, values))
            label_ = ", ".join(f"{name} {v}" for name, v in zip(STATIC_SETTINGS, values))
            try:
                trace = self._trace(**dict(zip(STATIC_SETTINGS, values)))
            except (ValueError, TypeError) as err:       # the library's explanation, as the live explorer shows it
                readings.append(impossible(str(err), key_, label_))
                continue
            rd = ConvSteps(trace, kind_of(trace)).data()["readings"][0]
            readings.append(dict(rd, key=key_, label=label_,
                                 notes=summary(trace, np.shape(self._arrays[0])) + rd["notes"]))
        controls = [{"name": name, "label": name, "value": values[0], "choices": [[x, str(x)] for x in values]}
                    for name, values in STATIC_SETTINGS.items()]
        first = next((r["key"] for r in readings if r["rows"]), readings[0]["key"])
        return View({"kind": "explorer", "example": None, "readings": readings, "reading": first,
                     "controls": controls, "pick": True})
