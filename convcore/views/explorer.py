"""The explorer: change the shapes and settings, see the output shape and its formula live.

Every control funnels into ``apply()``: it gathers the values (a preset from ``convcore.examples``,
seeded random integers, or typed numbers), asks the library for the trace, and shows the output shape
with each axis' formula filled in (``Conv.explain``) and the view ``view_for`` picks. An impossible
setting shows the library's explanation; fixing it brings the view back. On a static page the
explorer is ``static_view()``: every combination of a few settings, computed when the page is built.
"""
from __future__ import annotations

import ast
import functools
import json
import os
from contextlib import contextmanager
from itertools import product

import ipywidgets as W
import numpy as np

from .. import api
from .. import examples as catalogue
from ..geometry import PADDING_MODES
from .conv import ConvSteps, kind_of, view_for
from .schema import reading
from .view import View, embed_html

PRESET, RANDOM, TYPED = "preset", "random integers", "typed"
# A static page's explorer: every combination of these, on the numbers shown, computed when the page is built.
STATIC_SETTINGS = {"stride": (1, 2, 3), "padding": (0, 1, 2), "dilation": (1, 2)}
INITIAL = {"description_width": "initial"}      # a control's label as wide as it needs


SIZE_RULE = "output size per axis = floor((n + pad_before + pad_after − d·(k−1) − 1) / s) + 1"
IMPOSSIBLE = "This setting is impossible; nothing to show until it is fixed:"


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


def _observer(method):
    """A control's observer: silent while the explorer moves its own controls (``_quietly``), and
    any exception shown in the explorer instead of lost."""
    @functools.wraps(method)
    def observe(self, change):
        if self._quiet:
            return
        try:
            method(self, change)
        except Exception as err:   # a learner must see it, whatever it is
            self.show_error(err)
    return observe


def _int_slider(description, value, lo, hi, width="250px"):
    """A keyboard-friendly slider; it applies on release (a rebuild per dragged pixel is wasted)."""
    return W.IntSlider(value=value, min=lo, max=hi, description=description, continuous_update=False,
                       style=INITIAL, layout=W.Layout(width=width))


def _show(widget, on: bool) -> None:
    widget.layout.display = "flex" if on else "none"


def parse_padding(text: str):
    """'1' -> 1, 'same'/'valid' stay words, '1, 2' -> (1, 2). Anything else goes to the library."""
    text = str(text).strip()
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):    # a word: the library explains what padding may be
        return text


def parse_array(text: str, name: str):
    """Typed numbers (nested lists, as Python or JSON writes them); the library checks the shape."""
    text = text.strip()
    if not text:
        return None
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError) as err:
        raise ValueError(f"could not read the typed `{name}`: write numbers in nested lists such as "
                         f"[[1, 2], [3, 4]] ({err.__class__.__name__}: {err})") from None


class Explorer:
    """Input size, kernel size, stride, padding, dilation, groups, C_in, C_out: live.

    >>> ex = Explorer("seed_conv2d")
    >>> ex.shape, ex.error
    ((3, 3, 3), None)
    >>> ex.kernel_h.value = 7; ex.error is not None and "does not fit" in ex.error
    True
    """

    kind = "explorer"

    def __init__(self, example="seed_conv2d", *, seed: int = 0):
        self.view = self.trace = None       # the step-through view of the current settings, and its trace
        self.error: str | None = None       # or what makes the settings impossible
        self.shape: tuple | None = None
        self.last_error: BaseException | None = None
        self._arrays = self._axis_stride = None     # the numbers shown; a preset's per-axis strides
        self._quiet = 0          # > 0 while the explorer moves its own controls

        # -- controls --------------------------------------------------------
        self.dims_toggle = W.ToggleButtons(options=[("1-D", 1), ("2-D", 2)], value=2, description="conv",
                                           style={"button_width": "60px", **INITIAL})
        self.values_dropdown = W.Dropdown(options=[PRESET, RANDOM, TYPED], value=PRESET, description="values",
                                          style=INITIAL, layout=W.Layout(width="220px"))
        self.preset_dropdown = W.Dropdown(options=catalogue.names(), description="preset", style=INITIAL,
                                          layout=W.Layout(width="260px"))
        self.seed_box = W.IntText(value=seed, description="seed", style=INITIAL, layout=W.Layout(width="120px"))
        # Sizes apply to every axis unless "rectangular" is ticked (then height, width apart).
        self.size_h = _int_slider("input size", 4, 1, 64)
        self.size_w = _int_slider("input width", 4, 1, 64)
        self.kernel_h = _int_slider("kernel size", 2, 1, 8)
        self.kernel_w = _int_slider("kernel width", 2, 1, 8)
        self.rectangular = W.Checkbox(value=False, description="rectangular", indent=False,
                                      layout=W.Layout(width="110px"))
        self.stride_box = _int_slider("stride", 1, 1, 6, "200px")
        self.padding_box = W.Combobox(value="0", options=["valid", "same", "0", "1", "2"], description="padding",
                                      ensure_option=False, style=INITIAL, layout=W.Layout(width="190px"))
        self.padding_mode = W.Dropdown(options=list(PADDING_MODES), value="zeros", description="padding_mode",
                                       style=INITIAL, layout=W.Layout(width="240px"))
        self.dilation_box = _int_slider("dilation", 1, 1, 6, "200px")
        self.groups_box = _int_slider("groups", 1, 1, 8, "200px")
        self.c_in = _int_slider("C_in", 2, 1, 8, "200px")
        self.c_out = _int_slider("C_out", 3, 1, 8, "200px")
        self.bias_checkbox = W.Checkbox(value=False, description="bias", indent=False, layout=W.Layout(width="70px"))
        area = W.Layout(width="420px", height="90px")
        self.input_text = W.Textarea(description="input", style=INITIAL, layout=area)
        self.weight_text = W.Textarea(description="weight", style=INITIAL, layout=area)
        self.bias_text = W.Text(description="bias", style=INITIAL, layout=W.Layout(width="420px"))
        self.typed_box = W.VBox([self.input_text, self.weight_text, self.bias_text])
        self.view_box = W.Box(layout=W.Layout(width="100%"))

        self.shape_controls = [self.size_h, self.size_w, self.kernel_h, self.kernel_w, self.c_in, self.c_out,
                               self.groups_box, self.bias_checkbox, self.dims_toggle, self.rectangular]
        self.setting_controls = [self.stride_box, self.padding_box, self.padding_mode, self.dilation_box]
        for c in [*self.shape_controls, *self.setting_controls, self.seed_box, *self.typed_box.children]:
            c.observe(self._on_change, "value")
        self.values_dropdown.observe(self._on_mode, "value")
        self.preset_dropdown.observe(self._on_preset, "value")

        self.widget = W.VBox([
            W.HBox([self.dims_toggle, self.values_dropdown, self.preset_dropdown, self.seed_box]),
            W.HBox([self.size_h, self.kernel_h, self.rectangular, self.size_w, self.kernel_w]),
            W.HBox([self.c_in, self.c_out, self.groups_box, self.bias_checkbox]),
            W.HBox([self.stride_box, self.dilation_box, self.padding_box, self.padding_mode]),
            self.typed_box, self.view_box,
        ], layout=W.Layout(width="100%"))
        self.load_preset(example)

    @contextmanager
    def _quietly(self):
        """Move the explorer's own controls without their observers firing."""
        self._quiet += 1
        try:
            yield
        finally:
            self._quiet -= 1

    # -- values ----------------------------------------------------------------
    def load_preset(self, example) -> None:
        """Set every control from a named example (or an Example) and show it."""
        example = catalogue.get(example) if isinstance(example, str) else example
        x, w, dims = np.asarray(example.input), np.asarray(example.weight), example.dims
        plain = w.ndim == dims           # a plain signal or image and its kernel: one channel each
        spatial, kernel, pad = x.shape[-dims:], w.shape[-dims:], example.padding
        with self._quietly():
            self.values_dropdown.value = PRESET
            if example.name in catalogue.CATALOGUE:
                self.preset_dropdown.value = example.name
            self.dims_toggle.value = dims
            self.rectangular.value = spatial[0] != spatial[-1] or kernel[0] != kernel[-1]
            self.size_h.value, self.size_w.value = spatial[0], spatial[-1]
            self.kernel_h.value, self.kernel_w.value = kernel[0], kernel[-1]
            self.c_in.value = 1 if plain else x.shape[-dims - 1]
            self.c_out.value = 1 if plain else w.shape[0]
            self.groups_box.value = example.groups
            self.bias_checkbox.value = example.bias is not None
            self.stride_box.value = example.stride if isinstance(example.stride, int) else example.stride[0]
            self.padding_box.value = (pad if isinstance(pad, str) else str(pad) if isinstance(pad, int)
                                      else ", ".join(map(str, pad)))
            self.padding_mode.value = example.padding_mode
            self.dilation_box.value = example.dilation if isinstance(example.dilation, int) else example.dilation[0]
            # per-axis strides: kept exactly (the slider shows the first)
            self._axis_stride = None if isinstance(example.stride, int) else tuple(example.stride)
        self._preset = self._arrays = (x, w, None if example.bias is None else np.asarray(example.bias))
        self.apply()

    def _sized_arrays(self, preset: bool) -> tuple:
        """(input, weight, bias) of the sizes the controls ask for: the preset's numbers while the
        sizes are the preset's (and ``preset``), else seeded random integers."""
        dims, rect = self.dims_toggle.value, self.rectangular.value
        h, k = self.size_h.value, self.kernel_h.value
        spatial = (h,) if dims == 1 else (h, self.size_w.value if rect else h)
        kernel = (k,) if dims == 1 else (k, self.kernel_w.value if rect else k)
        c_in, c_out, groups, bias = self.c_in.value, self.c_out.value, self.groups_box.value, self.bias_checkbox.value
        x, w, b = self._preset
        plain = np.ndim(w) == dims       # a plain signal or image and its kernel: one channel each
        fits = plain or (np.ndim(w) == dims + 2 and np.ndim(x) in (dims + 1, dims + 2))   # the preset is this 1-D/2-D
        if preset and fits and (tuple(np.shape(x)[-dims:]) == spatial and tuple(np.shape(w)[-dims:]) == kernel
                       and np.ndim(x) >= dims       # and the preset's (C_in, C_out, C_in per group):
                       and ((1, 1, 1) if plain else (np.shape(x)[-dims - 1], *np.shape(w)[:2]))
                       == (c_in, c_out, c_in // groups) and (b is not None) == bias):
            return self._preset
        rng = np.random.default_rng(self.seed_box.value)
        return (rng.integers(-3, 4, size=(c_in, *spatial)),
                rng.integers(-2, 3, size=(c_out, max(1, c_in // groups), *kernel)),
                rng.integers(-2, 3, size=c_out) if bias else None)

    # -- the one update path ------------------------------------------------------
    def apply(self) -> None:
        """Rebuild from the controls: the view, with the shapes and formulas under it; or the explanation."""
        self._show_controls()
        try:
            mode = self.values_dropdown.value
            if mode == TYPED:
                self._arrays = tuple(parse_array(box.value, box.description) for box in self.typed_box.children)
                if self._arrays[0] is None or self._arrays[1] is None:
                    raise ValueError("type the input and the weight as nested lists of numbers")
            else:
                self._arrays = self._sized_arrays(preset=mode == PRESET)
            stride = self.stride_box.value
            if self._axis_stride and mode == PRESET and self.dims_toggle.value == 2:
                stride = self._axis_stride           # a preset's per-axis strides, kept exactly
            build = api.trace1d if self.dims_toggle.value == 1 else api.trace2d
            trace = build(*self._arrays, stride=stride, padding=parse_padding(self.padding_box.value),
                          dilation=self.dilation_box.value, groups=self.groups_box.value,
                          padding_mode=self.padding_mode.value)
        except (ValueError, TypeError) as err:       # the library's explanation, for the learner
            return self._show(None, str(err))
        if mode == TYPED:
            self._show_typed_sizes(trace)
        self._show(trace)

    def _show(self, trace, error: str | None = None) -> None:
        """Show a trace's view with the summary under it, or, without one, the explanation ``error``."""
        self.trace, self.error, self.shape = trace, error, trace and trace.problem.out_shape
        replaced, self.view = self.view, view_for(trace) if trace else View()
        rd = impossible(error) if error else self.view.data["readings"][0]
        notes = summary(trace, np.shape(self._arrays[0])) if trace else []
        self.view.set_data({"kind": "explorer", "example": None, "readings": [dict(rd, notes=notes + rd["notes"])],
                            "reading": rd["key"]})
        self.view_box.children = (self.view,)
        if replaced is not None:
            replaced.close()

    def _show_typed_sizes(self, trace) -> None:
        """The greyed size controls show the typed arrays' sizes, not the ones last set."""
        p = trace.problem
        with self._quietly():
            self.size_h.value, self.size_w.value = p.axes[0].n, p.axes[-1].n
            self.kernel_h.value, self.kernel_w.value = p.kernel_shape[0], p.kernel_shape[-1]
            self.c_in.value, self.c_out.value = p.in_channels, p.out_channels
            self.rectangular.value = p.axes[0].n != p.axes[-1].n or p.kernel_shape[0] != p.kernel_shape[-1]

    # -- callbacks -----------------------------------------------------------------
    def show_error(self, err: BaseException) -> None:
        """An unexpected exception in a callback: shown, not swallowed."""
        self.last_error = err
        self._show(None, f"{type(err).__name__}: {err}")

    @_observer
    def _on_change(self, change):
        if change["owner"] is self.stride_box:     # a typed stride replaces a preset's per-axis one
            self._axis_stride = None
        self.apply()

    @_observer
    def _on_preset(self, change):
        self.load_preset(change["new"])

    @_observer
    def _on_mode(self, change):
        mode = change["new"]
        if mode == PRESET:
            return self.load_preset(self.preset_dropdown.value)
        if mode == TYPED and self._arrays is not None:
            with self._quietly():                  # start from the numbers on screen
                for box, a in zip(self.typed_box.children, self._arrays):
                    box.value = "" if a is None else json.dumps(np.asarray(a).tolist())
        self.apply()

    def _show_controls(self) -> None:
        """The controls the settings use: width apart in 2-D when rectangular, the typed boxes when typed."""
        mode, two_d = self.values_dropdown.value, self.dims_toggle.value == 2
        _show(self.rectangular, two_d)
        for c in (self.size_w, self.kernel_w):
            _show(c, two_d and self.rectangular.value)
        _show(self.typed_box, mode == TYPED)
        _show(self.preset_dropdown, mode == PRESET)
        _show(self.seed_box, mode == RANDOM)
        for c in (self.size_h, self.size_w, self.kernel_h, self.kernel_w, self.c_in, self.c_out):
            c.disabled = mode == TYPED             # typed arrays carry their own shapes

    def static_view(self) -> View:
        """A view for a page without a kernel: one reading per combination of ``STATIC_SETTINGS`` on
        the numbers shown (a select per setting picks it), each with its shape and formula as notes;
        a combination the library refuses shows its explanation. ``embed_html(explorer)`` embeds it."""
        build = api.trace1d if self.dims_toggle.value == 1 else api.trace2d
        readings = []
        for values in product(*STATIC_SETTINGS.values()):
            key_ = ",".join(map(str, values))
            label_ = ", ".join(f"{name} {v}" for name, v in zip(STATIC_SETTINGS, values))
            try:
                trace = build(*self._arrays, groups=self.groups_box.value, padding_mode=self.padding_mode.value,
                              **dict(zip(STATIC_SETTINGS, values)))
            except (ValueError, TypeError) as err:       # the library's explanation, as the live explorer shows it
                readings.append(impossible(str(err), key_, label_))
                continue
            rd = ConvSteps(trace, kind_of(trace)).data()["readings"][0]
            readings.append(dict(rd, key=key_, label=label_,
                                 notes=summary(trace, np.shape(self._arrays[0])) + rd["notes"]))
        settings = [[name, name, list(values)] for name, values in STATIC_SETTINGS.items()]
        first = next((r["key"] for r in readings if r["rows"]), readings[0]["key"])
        return View({"kind": "explorer", "example": None, "readings": readings, "reading": first,
                     "settings": settings})

    def _repr_mimebundle_(self, **kwargs):
        if os.environ.get("CONVCORE_VIEWS") == "static":
            return {"text/plain": repr(self), "text/html": embed_html(self)}
        return self.widget._repr_mimebundle_(**kwargs)
