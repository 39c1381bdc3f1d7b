"""The explorer: change the shapes and settings, see the output shape and its formula live.

Every control funnels into ``apply()``: it gathers the values (a preset from
``convcore.examples``, seeded random integers, or typed numbers), asks the
library to build the trace, and shows the output shape with each axis'
formula filled in (``Conv.explain``) plus a step-through view of the result
(chosen by ``view_for``: numbers, 1×1 or heatmap). An impossible setting shows
the library's own explanation instead of crashing; fixing it brings the view
back.
"""
from __future__ import annotations

import ast
import functools
import json
import os
from contextlib import contextmanager
from html import escape

import ipywidgets as W
import numpy as np

from .. import api
from .. import examples as catalogue
from ..geometry import PADDING_MODES
from .conv import view_for
from .view import STATIC, embed_html

PRESET, RANDOM, TYPED = "preset", "random integers", "typed"
STATIC_NOTE = ("This is a static page: the explorer's settings need a running kernel. "
               "Run the notebook to change them; the view below steps as it is.")


def root(step: int, body: str) -> str:
    return f'<div class="convcore-view" data-view="explorer" data-step="{step}" data-buildup="0">{body}</div>'


def error_box(message: str) -> str:
    """The box a learner sees when something went wrong (data-role="error")."""
    return f'<div class="convcore-error" data-role="error">{escape(message)}</div>'


class Quiet:
    """Lets the explorer move its own controls without their observers firing:
    inside ``with self._quiet():`` callbacks see ``_quiet_depth`` > 0 and return."""

    _quiet_depth = 0

    @contextmanager
    def _quiet(self):
        self._quiet_depth += 1
        try:
            yield
        finally:
            self._quiet_depth -= 1


def _shows_errors(method):
    """Run a widget callback; show any exception in the explorer instead of losing it."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except Exception as err:   # a learner must see it, whatever it is
            self.show_error(err)
    return wrapper


def _int_box(description, value, width="150px"):
    return W.IntText(value=value, description=description, style={"description_width": "initial"},
                     layout=W.Layout(width=width))


def _int_slider(description, value, lo, hi, width="250px"):
    """A keyboard-friendly slider; it applies on release (a rebuild per dragged pixel is wasted)."""
    return W.IntSlider(value=value, min=lo, max=hi, description=description, continuous_update=False,
                       style={"description_width": "initial"}, layout=W.Layout(width=width))


def parse_padding(text: str):
    """'1' -> 1, 'same'/'valid' stay words, '1, 2' -> (1, 2). Anything else goes to the library."""
    text = str(text).strip()
    if text in ("same", "valid"):
        return text
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text                      # the library explains what padding may be
    return tuple(value) if isinstance(value, list) else value


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


class Explorer(Quiet):
    """Input size, kernel size, stride, padding, dilation, groups, C_in, C_out: live.

    >>> ex = Explorer("seed_conv2d")
    >>> ex.shape, ex.error
    ((3, 3, 3), None)
    >>> ex.kernel_h.value = 7; ex.error is not None and "does not fit" in ex.error
    True
    """

    kind = "explorer"

    def __init__(self, example="seed_conv2d", *, seed: int = 0):
        self.view = None         # the step-through view of the current settings
        self.trace = None
        self.error: str | None = None
        self.shape: tuple | None = None
        self.last_error: BaseException | None = None
        self._arrays = None
        style = {"description_width": "initial"}

        # -- controls --------------------------------------------------------
        self.dims_toggle = W.ToggleButtons(options=[("1-D", 1), ("2-D", 2)], value=2, description="conv",
                                           style={"button_width": "60px", "description_width": "initial"})
        self.values_dropdown = W.Dropdown(options=[PRESET, RANDOM, TYPED], value=PRESET, description="values",
                                          style=style, layout=W.Layout(width="220px"))
        self.preset_dropdown = W.Dropdown(options=catalogue.names(), description="preset", style=style,
                                          layout=W.Layout(width="260px"))
        self.seed_box = _int_box("seed", seed, "120px")
        # Sizes apply to every axis unless "rectangular" is ticked (then height, width apart).
        self.size_h = _int_slider("input size", 4, 1, 64)
        self.size_w = _int_slider("input width", 4, 1, 64)
        self.kernel_h = _int_slider("kernel size", 2, 1, 8)
        self.kernel_w = _int_slider("kernel width", 2, 1, 8)
        self.rectangular = W.Checkbox(value=False, description="rectangular", indent=False,
                                      layout=W.Layout(width="110px"))
        self.stride_box = _int_slider("stride", 1, 1, 6, "200px")
        self.padding_box = W.Combobox(value="0", options=["valid", "same", "0", "1", "2"], description="padding",
                                      ensure_option=False, style=style, layout=W.Layout(width="190px"))
        self.padding_mode = W.Dropdown(options=list(PADDING_MODES), value="zeros", description="padding_mode",
                                       style=style, layout=W.Layout(width="240px"))
        self.dilation_box = _int_slider("dilation", 1, 1, 6, "200px")
        self.groups_box = _int_slider("groups", 1, 1, 8, "200px")
        self.c_in = _int_slider("C_in", 2, 1, 8, "200px")
        self.c_out = _int_slider("C_out", 3, 1, 8, "200px")
        self.bias_checkbox = W.Checkbox(value=False, description="bias", indent=False,
                                        layout=W.Layout(width="70px"))
        area = W.Layout(width="420px", height="90px")
        self.input_text = W.Textarea(description="input", style=style, layout=area)
        self.weight_text = W.Textarea(description="weight", style=style, layout=area)
        self.bias_text = W.Text(description="bias", style=style, layout=W.Layout(width="420px"))
        self.summary = W.HTML()
        self.view_box = W.Box(layout=W.Layout(width="100%"))

        self.shape_controls = [self.size_h, self.size_w, self.kernel_h, self.kernel_w, self.c_in, self.c_out,
                               self.groups_box, self.bias_checkbox, self.dims_toggle, self.rectangular]
        self.setting_controls = [self.stride_box, self.padding_box, self.padding_mode, self.dilation_box]
        for c in self.shape_controls:
            c.observe(self._on_shape, "value")
        for c in self.setting_controls + [self.seed_box, self.input_text, self.weight_text, self.bias_text]:
            c.observe(self._on_setting, "value")
        self.values_dropdown.observe(self._on_mode, "value")
        self.preset_dropdown.observe(self._on_preset, "value")

        self.typed_box = W.VBox([self.input_text, self.weight_text, self.bias_text])
        self.widget = W.VBox([
            W.HTML(f"<style>{(STATIC / 'view.css').read_text(encoding='utf-8')}</style>"),
            W.HBox([self.dims_toggle, self.values_dropdown, self.preset_dropdown, self.seed_box]),
            W.HBox([self.size_h, self.kernel_h, self.rectangular, self.size_w, self.kernel_w]),
            W.HBox([self.c_in, self.c_out, self.groups_box, self.bias_checkbox]),
            W.HBox([self.stride_box, self.dilation_box, self.padding_box, self.padding_mode]),
            self.typed_box, self.summary, self.view_box,
        ], layout=W.Layout(width="100%"))
        self.load_preset(example)

    # -- values ----------------------------------------------------------------
    def load_preset(self, example) -> None:
        """Set every control from a named example (or an Example) and show it."""
        if isinstance(example, str):
            example = catalogue.get(example)
        x = np.asarray(example.input)
        w = np.asarray(example.weight)
        plain = w.ndim == example.dims
        with self._quiet():
            self.values_dropdown.value = PRESET
            if example.name in catalogue.CATALOGUE:
                self.preset_dropdown.value = example.name
            self.dims_toggle.value = example.dims
            spatial, kernel = x.shape[-example.dims:], w.shape[-example.dims:]
            self.rectangular.value = spatial[0] != spatial[-1] or kernel[0] != kernel[-1]
            self.size_h.value, self.size_w.value = spatial[0], spatial[-1]
            self.kernel_h.value, self.kernel_w.value = kernel[0], kernel[-1]
            self.c_in.value = 1 if plain else x.shape[-example.dims - 1]
            self.c_out.value = 1 if plain else w.shape[0]
            self.groups_box.value = example.groups
            self.bias_checkbox.value = example.bias is not None
            self.stride_box.value = example.stride if isinstance(example.stride, int) else example.stride[0]
            pad = example.padding
            self.padding_box.value = pad if isinstance(pad, str) else (str(pad) if isinstance(pad, int)
                                                                        else ", ".join(map(str, pad)))
            self.padding_mode.value = example.padding_mode
            self.dilation_box.value = example.dilation if isinstance(example.dilation, int) else example.dilation[0]
            if not isinstance(example.stride, int):    # per-axis strides: keep them exactly
                self._axis_stride = tuple(example.stride)
            else:
                self._axis_stride = None
        self._preset = (x, w, None if example.bias is None else np.asarray(example.bias))
        self._arrays = self._preset
        self._show_width()
        self._show_typed(False)
        self.apply()

    def _shapes(self):
        """(spatial, kernel, C_in, C_out) the size controls ask for."""
        dims, rect = self.dims_toggle.value, self.rectangular.value
        h, k = self.size_h.value, self.kernel_h.value
        spatial = (h,) if dims == 1 else (h, self.size_w.value if rect else h)
        kernel = (k,) if dims == 1 else (k, self.kernel_w.value if rect else k)
        return spatial, kernel, self.c_in.value, self.c_out.value

    def _preset_arrays(self):
        """The preset's numbers while the sizes are the preset's; seeded random ones otherwise."""
        x, w, b = self._preset
        dims = self.dims_toggle.value
        spatial, kernel, c_in, c_out = self._shapes()
        plain = np.ndim(w) == dims
        same = (tuple(np.shape(x)[-dims:]) == spatial and tuple(np.shape(w)[-dims:]) == kernel
                and np.ndim(x) >= dims and (1 if plain else np.shape(x)[-dims - 1]) == c_in
                and (1 if plain else np.shape(w)[0]) == c_out
                and (1 if plain else np.shape(w)[1]) == c_in // max(1, self.groups_box.value)
                and (b is not None) == self.bias_checkbox.value)
        return self._preset if same else self._random_arrays()

    def _random_arrays(self):
        rng = np.random.default_rng(self.seed_box.value)
        spatial, kernel, c_in, c_out = self._shapes()
        groups = max(1, self.groups_box.value)
        # Sizes below 1 cannot even make an array; say so in the learner's words.
        for name, v in (("input size", min(spatial)), ("kernel size", min(kernel)), ("C_in", c_in), ("C_out", c_out)):
            if v < 1:
                raise ValueError(f"{name} must be at least 1; got {v}")
        x = rng.integers(-3, 4, size=(c_in, *spatial))
        w = rng.integers(-2, 3, size=(c_out, max(1, c_in // groups), *kernel))
        b = rng.integers(-2, 3, size=c_out) if self.bias_checkbox.value else None
        return x, w, b

    def _typed_arrays(self):
        return (parse_array(self.input_text.value, "input"), parse_array(self.weight_text.value, "weight"),
                parse_array(self.bias_text.value, "bias"))

    def _settings(self) -> dict:
        dims = self.dims_toggle.value
        stride = self.stride_box.value
        if getattr(self, "_axis_stride", None) and self.values_dropdown.value == PRESET and dims == 2:
            stride = self._axis_stride
        return dict(stride=stride, padding=parse_padding(self.padding_box.value),
                    dilation=self.dilation_box.value, groups=self.groups_box.value,
                    padding_mode=self.padding_mode.value)

    # -- the one update path ------------------------------------------------------
    def apply(self) -> None:
        """Rebuild from the controls: summary with shape and formula, and the view; or the explanation."""
        try:
            mode = self.values_dropdown.value
            if mode == RANDOM:
                self._arrays = self._random_arrays()
            elif mode == PRESET:
                self._arrays = self._preset_arrays()
            elif mode == TYPED:
                self._arrays = self._typed_arrays()
                if self._arrays[0] is None or self._arrays[1] is None:
                    raise ValueError("type the input and the weight as nested lists of numbers")
            x, w, b = self._arrays
            build = api.trace1d if self.dims_toggle.value == 1 else api.trace2d
            trace = build(x, w, b, **self._settings())
        except (ValueError, TypeError) as err:       # the library's explanation, for the learner
            self._show_problem(str(err))
            return
        self.trace = trace
        self.error = None
        self.shape = trace.problem.out_shape
        replaced, self.view = self.view, view_for(trace)
        self.view_box.children = (self.view.widget,)
        if replaced is not None:
            replaced.close()
        self.summary.value = self._summary_html(trace)

    def _summary_html(self, trace) -> str:
        p = trace.problem
        in_shape = tuple(np.shape(self._arrays[0]))
        formulas = "".join(f'<div data-role="formula">{escape(line)}</div>' for line in p.explain().splitlines())
        body = (f'<div class="cc-line-total">input {in_shape} ⋆ weight {tuple(p.weight.shape) if p.layout != "plain" else tuple(p.kernel_shape)}'
                f' → output <b data-role="shape">{tuple(p.out_shape)}</b>: {len(trace)} steps</div>'
                f'<div class="cc-note">output size per axis = '
                f'floor((n + pad_before + pad_after − d·(k−1) − 1) / s) + 1</div>'
                f'<div class="cc-formula">{formulas}</div>')
        return root(self.view.step if self.view else 0, body)

    def _show_problem(self, message: str) -> None:
        self.error = message
        self.trace = self.view = self.shape = None
        self.view_box.children = ()
        body = (f'<div class="cc-header">This setting is impossible; nothing to show until it is fixed:</div>'
                f'{error_box(message)}')
        self.summary.value = root(0, body)

    # -- callbacks -----------------------------------------------------------------

    def show_error(self, err: BaseException) -> None:
        """An unexpected exception in a callback: shown, not swallowed."""
        self.last_error = err
        self._show_problem(f"{type(err).__name__}: {err}")

    @_shows_errors
    def _on_shape(self, change):
        if self._quiet_depth:
            return
        self._show_width()
        self.apply()

    @_shows_errors
    def _on_setting(self, change):
        if self._quiet_depth:
            return
        if change["owner"] is self.stride_box:     # a typed stride replaces a preset's per-axis one
            self._axis_stride = None
        self.apply()

    @_shows_errors
    def _on_preset(self, change):
        if not self._quiet_depth:
            self.load_preset(change["new"])

    @_shows_errors
    def _on_mode(self, change):
        if self._quiet_depth:
            return
        mode = change["new"]
        if mode == PRESET:
            return self.load_preset(self.preset_dropdown.value)
        if mode == TYPED and self._arrays is not None:
            x, w, b = self._arrays
            with self._quiet():                    # start from the numbers on screen
                self.input_text.value = json.dumps(np.asarray(x).tolist())
                self.weight_text.value = json.dumps(np.asarray(w).tolist())
                self.bias_text.value = "" if b is None else json.dumps(np.asarray(b).tolist())
        self._show_typed(mode == TYPED)
        self.apply()

    def _show_typed(self, on: bool) -> None:
        self.typed_box.layout.display = "flex" if on else "none"
        self.preset_dropdown.layout.display = "flex" if self.values_dropdown.value == PRESET else "none"
        self.seed_box.layout.display = "flex" if self.values_dropdown.value == RANDOM else "none"
        for c in (self.size_h, self.size_w, self.kernel_h, self.kernel_w, self.c_in, self.c_out):
            c.disabled = on                        # typed arrays carry their own shapes

    def _show_width(self) -> None:
        two_d = self.dims_toggle.value == 2
        self.rectangular.layout.display = "flex" if two_d else "none"
        for c in (self.size_w, self.kernel_w):
            c.layout.display = "flex" if two_d and self.rectangular.value else "none"

    def _repr_mimebundle_(self, **kwargs):
        if os.environ.get("CONVCORE_VIEWS") == "static":
            inner = embed_html(self.view) if self.view is not None else ""
            note = f'<p class="convcore-static-note" data-role="note">{escape(STATIC_NOTE)}</p>'
            html = f"{note}{self.summary.value}{inner}"
            return {"text/plain": repr(self), "text/html": html}
        return self.widget._repr_mimebundle_(**kwargs)
