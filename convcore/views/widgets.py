"""The step-through views: one anywidget each, whose model carries the view's data.

A view ships its trace's numbers once (``data.static`` plus the first block of
step records, ``data.record``) and the browser (``static/view.js`` after the
shared step controls, joined by ``esm.esm_source``) draws every step from them:
the step slider, Play, Prev/Next, the position and build-up controls cost no
message to the kernel. ``step`` and ``buildup`` are synced
traitlets: set them (or call ``update``) in Python and the browser follows;
move in the browser and the kernel hears of it a moment later. Big traces
send further blocks when the browser asks (a custom message ``{"type":
"steps", "first": k}``). Errors while answering are shown in the view
(``data-role="error"``), never as a traceback.
"""
from __future__ import annotations

import json
import os
import traceback

import anywidget
import traitlets as T

from .. import api
from .. import examples as catalogue
from ..layout import spatial_dims
from ..trace import Trace
from . import data, frames, heatmap, palette
from .esm import esm_source


def as_trace(source, weight=None, *, dims: int | None = None, **kwargs) -> Trace:
    """A Trace from a Trace, an Example, an example's name, or input+weight arrays.

    >>> len(as_trace("seed_conv2d"))
    27
    >>> len(as_trace([1, 2, 3, 4], [1, 0, -1], dims=1))
    2
    """
    if isinstance(source, Trace):
        return source
    if isinstance(source, str):
        source = catalogue.get(source)
    if isinstance(source, catalogue.Example):
        return source.replace(**kwargs).trace() if kwargs else source.trace()
    if weight is None:
        raise TypeError("give a Trace, an Example (or its name), or input and weight arrays; "
                        f"got {type(source).__name__} without a weight")
    build = api.trace1d if (dims or spatial_dims(weight)) == 1 else api.trace2d
    return build(source, weight, **kwargs)


class TraceView(anywidget.AnyWidget):
    """Base of every step-through view (``kind`` names it; ``frame_function`` makes its frames)."""

    _esm = esm_source("view")
    _css = T.Unicode(palette.css()).tag(sync=True)
    data = T.Dict().tag(sync=True)
    step = T.Int(0).tag(sync=True)
    buildup = T.Int(0).tag(sync=True)
    error = T.Unicode("").tag(sync=True)
    kind = "view"
    dims: int | None = None
    frame_function = staticmethod(frames.frame)

    def __init__(self, source, weight=None, **kwargs):
        trace = as_trace(source, weight, dims=self.dims, **kwargs)
        if self.dims is not None and trace.problem.dims != self.dims:
            raise ValueError(f"{type(self).__name__} shows {self.dims}-D convolutions; this trace is "
                             f"{trace.problem.dims}-D (use Stepper{trace.problem.dims}D)")
        self.trace = trace
        self._check_trace(trace)
        name = source if isinstance(source, str) else getattr(source, "name", None)
        # A view of an unchanged catalogue example says which one on its root (data-example).
        self.example_name = name if (name in catalogue.CATALOGUE and not kwargs and weight is None) else None
        self.last_error: BaseException | None = None
        self.block = data.block_size(trace, self.kind)
        static = data.static(trace, self.kind, self.example_name)
        top = static["top"]
        super().__init__(step=0, buildup=top, data={
            "static": static, "first": 0, "block": self.block,
            "steps": data.steps(trace, self.kind, 0, self.block)})
        self.on_msg(self._on_msg)

    @classmethod
    def from_example(cls, example, **changes):
        """A view of a named example from ``convcore.examples`` (``changes`` replace its fields)."""
        if isinstance(example, str):
            example = catalogue.get(example)
        return cls(example.replace(**changes) if changes else example)

    def _check_trace(self, trace: Trace) -> None:
        """Subclasses refuse traces they cannot draw."""

    # -- the Python side of the two-way sync ------------------------------------------
    @property
    def buildup_max(self) -> int:
        return self.data["static"]["top"]

    @T.validate("step")
    def _valid_step(self, proposal):
        k, n = proposal["value"], len(self.trace)
        if not 0 <= k < n:
            raise IndexError(f"step {k} is outside this view's steps 0 to {n - 1}")
        return k

    @T.validate("buildup")
    def _valid_buildup(self, proposal):
        return max(0, min(proposal["value"], self.buildup_max))

    def update(self, k: int | None = None, buildup: int | None = None) -> None:
        """Show step ``k`` (default: the current one) with the accumulation at ``buildup``.

        Moving to another step shows its output element complete unless a ``buildup`` is given.
        """
        k = self.step if k is None else int(k)
        if buildup is None:
            buildup = self.buildup if k == self.step else self.buildup_max
        with self.hold_sync():
            self.step = k
            self.buildup = int(buildup)

    def frame_at(self, k: int, buildup: int | None = None):
        """The frame model of step ``k`` (what the browser draws, as plain data)."""
        return self.frame_function(self.trace, k, buildup)

    @property
    def frame(self):
        """The frame on screen."""
        return self.frame_at(self.step, self.buildup)

    @property
    def widget(self):
        return self

    # -- blocks of steps the browser asks for ---------------------------------------------
    def _on_msg(self, _widget, content, _buffers) -> None:
        try:
            if content.get("type") == "steps":
                first = int(content["first"])
                self.send({"type": "steps", "first": first,
                           "steps": data.steps(self.trace, self.kind, first, first + self.block)})
        except Exception as err:   # a learner must see it, whatever it is
            self.show_error(err)

    def show_error(self, err: BaseException) -> None:
        """Put an exception where the learner sees it (data-role="error")."""
        self.last_error = err
        where = traceback.extract_tb(err.__traceback__)[-1:] if err.__traceback__ else []
        at = f"\n  (in {where[0].name}, {where[0].filename.rsplit('/', 1)[-1]}:{where[0].lineno})" if where else ""
        self.error = f"{type(err).__name__}: {err}{at}"

    # -- display ------------------------------------------------------------------------
    def _repr_mimebundle_(self, **kwargs):
        if os.environ.get("CONVCORE_VIEWS") == "static":
            return {"text/plain": repr(self), "text/html": embed_html(self)}
        return super()._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self.trace!r}, step {self.step}>"


class Stepper1D(TraceView):
    """A 1-D convolution step by step: signal, kernel, products, sums, output."""

    kind, dims = "stepper1d", 1


class Stepper2D(TraceView):
    """A 2-D convolution step by step, every input channel with its kernel slice."""

    kind, dims = "stepper2d", 2


class PointwiseView(TraceView):
    """A 1×1 convolution: at each pixel, y = W·x (+ b)."""

    kind, dims = "pointwise", 2
    frame_function = staticmethod(frames.pointwise_frame)

    def _check_trace(self, trace: Trace) -> None:
        if not frames.is_pointwise(trace):
            raise ValueError(f"PointwiseView shows 1×1 convolutions; this kernel is "
                             f"{'×'.join(map(str, trace.problem.kernel_shape))} (use Stepper2D)")


class HeatmapView(TraceView):
    """Big inputs as heatmaps: the patch outlined on every channel, the feature map filling in."""

    kind = "heatmap"
    frame_function = staticmethod(heatmap.heat_frame)


VIEWS = {cls.kind: cls for cls in (Stepper1D, Stepper2D, PointwiseView, HeatmapView)}


def view_class(trace: Trace) -> type[TraceView]:
    """The view that suits a trace (``frames.kind_of``: the one place the choice is made)."""
    return VIEWS[frames.kind_of(trace)]


def view_for(source, weight=None, **kwargs) -> TraceView:
    """The view that suits a convolution: numbers when they fit, a heatmap when they do not.

    >>> type(view_for("seed_conv2d")).__name__, type(view_for("seed_1x1")).__name__
    ('Stepper2D', 'PointwiseView')
    """
    trace = as_trace(source, weight, **kwargs)
    name = source if isinstance(source, str) and not kwargs else None
    return view_class(trace)(name or trace)


# ----------------------------------------------------------------------------
# Static pages
# ----------------------------------------------------------------------------
def embed_html(view: TraceView, budget_bytes: int = 2_000_000) -> str:
    """A self-contained HTML fragment of ``view`` for a page without a kernel.

    ``<div class="convcore-embed" data-view="…">`` holding the view's data as JSON
    (``<script type="application/json" class="convcore-data">``): the static part
    and as many whole steps from the first as fit ``budget_bytes``. When steps are
    left out, the view says so in visible text. The renderer is not included: the
    page loads ``static_assets()["convcore-view.js"]`` and calls ``hydrate()``.
    """
    if not isinstance(view, TraceView):
        # Views of other kinds (grid steps, pooling, receptive field, sequence) are small by
        # design and always carry every step; they write their own fragment.
        own = getattr(view, "embed_html", None)
        if not callable(own):
            raise TypeError(f"embed_html takes a view; got {type(view).__name__}")
        markup = own()
        if len(markup.encode()) > budget_bytes:
            raise ValueError(f"this {type(view).__name__} needs {len(markup.encode()):,} bytes, more than "
                             f"the {budget_bytes:,} it may use on this page; show a smaller example")
        return markup
    payload = {"static": view.data["static"], "first": 0, "steps": [], "live": False,
               "step": 0, "buildup": view.buildup_max, "note": ""}
    size = len(json.dumps(payload))
    n = len(view.trace)
    for k in range(n):
        rec = view.data["steps"][k] if k < len(view.data["steps"]) else data.record(view.trace, k, view.kind)
        size += len(json.dumps(rec)) + 1
        if size > budget_bytes and k > 0:
            payload["note"] = (f"This page holds steps 0–{k - 1:,} of {n:,}; "
                               f"run the notebook for the rest.")
            break
        payload["steps"].append(rec)
    if view.step < len(payload["steps"]):
        payload["step"], payload["buildup"] = view.step, view.buildup
    text = json.dumps(payload, separators=(",", ":")).replace("</", "<\\/").replace("<!--", "\\u003c!--")
    return (f'<div class="convcore-embed" data-view="{view.kind}" data-module="convcore-view.js">'
            f'<script type="application/json" class="convcore-data">{text}</script></div>')

