"""The ipywidgets views: thin wiring around ``frames`` (what to show) and ``html`` (how).

Every view is built once. ``update(k, buildup)`` draws one frame (or takes
it from the frames drawn ahead) and shows it with ``FrameHTML``, which sends
the browser only what changed; all controls (step slider, Play, Prev/Next,
output channel / row / column sliders, build-up) funnel into it, and in the
browser ``StepLink`` moves Play and the position sliders with the step.
Observers never call each other: a view moves all its controls inside
``_quiet()`` and then renders once, so there are no feedback loops. Exceptions raised inside a
callback are shown in the view's error area, not swallowed by ipywidgets.
"""
from __future__ import annotations

import asyncio
import functools
import traceback
from collections import OrderedDict
from contextlib import contextmanager

import ipywidgets as W
import numpy as np

from .. import api
from .. import examples as catalogue
from ..trace import Trace
from . import frames, heatmap, html
from .frontend import FrameHTML, StepLink, set_in_kernel_only

STEP_SLIDER_WIDTH = "460px"


# ----------------------------------------------------------------------------
# What a view can be built from
# ----------------------------------------------------------------------------
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
    if dims is None:
        dims = np.ndim(weight) - 2 if np.ndim(weight) >= 3 else np.ndim(weight)
    trace = api.trace1d if dims == 1 else api.trace2d
    return trace(source, weight, **kwargs)


def _shows_errors(method):
    """Run a widget callback; show any exception in the view instead of losing it."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except Exception as err:   # a learner must see it, whatever it is
            self.show_error(err)
    return wrapper


class Quiet:
    """Lets a view move its own controls without their observers firing:
    inside ``with self._quiet():`` callbacks see ``_quiet_depth`` > 0 and return."""

    _quiet_depth = 0

    @contextmanager
    def _quiet(self):
        self._quiet_depth += 1
        try:
            yield
        finally:
            self._quiet_depth -= 1


def _slider(description, maximum, width="230px", value=0):
    return W.IntSlider(value=value, min=0, max=max(maximum, 0), description=description,
                       continuous_update=True, disabled=maximum <= 0,
                       style={"description_width": "initial"}, layout=W.Layout(width=width))


# ----------------------------------------------------------------------------
# The common base: one trace, one step slider, synced position controls
# ----------------------------------------------------------------------------
class TraceView(Quiet):
    """Base of every step-through view. Subclasses say how a frame is made and drawn."""

    kind = "view"

    def __init__(self, source, weight=None, **kwargs):
        self.trace = as_trace(source, weight, dims=getattr(self, "dims", None), **kwargs)
        # A view of an unchanged catalogue example says which one on its root (data-example).
        name = source if isinstance(source, str) else getattr(source, "name", None)
        self.example_name = name if (name in catalogue.CATALOGUE and not kwargs and weight is None) else None
        self._check_trace(self.trace)
        p = self.trace.problem
        n = len(self.trace)
        self.step = 0
        self.buildup = self._buildup_max()
        self.frame = None
        self._frames: OrderedDict = OrderedDict()   # (step, buildup) -> (frame, markup)
        self._prefetch = None
        self.last_error: BaseException | None = None

        # -- controls --------------------------------------------------------
        self.step_slider = _slider("step", n - 1, STEP_SLIDER_WIDTH)
        self.play = W.Play(value=0, min=0, max=max(n - 1, 0), interval=500, description="play",
                           show_repeat=False, tooltip="play / pause the walk through the steps")
        self.speed_slider = W.IntSlider(value=2, min=1, max=20, description="steps/s",
                                        style={"description_width": "initial"},
                                        layout=W.Layout(width="200px"))
        self.prev_button = W.Button(description="◀ prev", tooltip="previous step",
                                    layout=W.Layout(width="80px"))
        self.next_button = W.Button(description="next ▶", tooltip="next step",
                                    layout=W.Layout(width="80px"))
        self.channel_slider = _slider("out channel", p.out_channels - 1)
        spatial = p.out_spatial
        self.row_slider = _slider("row", spatial[0] - 1) if p.dims == 2 else None
        self.col_slider = _slider("column" if p.dims == 2 else "position", spatial[-1] - 1)
        self.sample_slider = _slider("sample", p.batch - 1) if p.batch > 1 else None
        top = self._buildup_max()
        unit = frames.buildup_unit(self.trace)
        self.buildup_slider = _slider(f"build-up ({unit}s)", top, "300px", value=top)
        self.buildup_back = W.Button(description=f"− {unit}", tooltip=f"take back one {unit}",
                                     layout=W.Layout(width="90px"))
        self.buildup_forward = W.Button(description=f"+ {unit}", tooltip=f"add one more {unit}",
                                        layout=W.Layout(width="90px"))
        self.html = FrameHTML()      # sends each step as the changes from the last
        self.error_area = W.HTML()
        self.style = W.HTML(self._static_html())
        # Play and the position sliders follow the step slider inside the browser
        # (see frontend.py): a key press is one message to the kernel and one back.
        # (Observing Play in the kernel as well would race with the slider when
        # the browser coalesces messages, and drag the view back a step.)
        self._follower_axes = self._followers()
        self.step_link = StepLink(self.step_slider, self._follower_axes, shape=self.trace.loop_shape,
                                  play=self.play)

        # -- wiring: every observer funnels into update() ------------------------
        self.step_slider.observe(self._on_step, "value")
        for s in self.position_sliders:
            s.observe(self._on_position, "value")
        self.buildup_slider.observe(self._on_buildup, "value")
        self.speed_slider.observe(self._on_speed, "value")
        self.prev_button.on_click(self._on_prev)
        self.next_button.on_click(self._on_next)
        self.buildup_back.on_click(self._on_buildup_back)
        self.buildup_forward.on_click(self._on_buildup_forward)
        self._on_speed({"new": self.speed_slider.value})

        self.widget = W.VBox([self.style, *self._control_rows(), self.error_area, self.html],
                             layout=W.Layout(width="100%"))
        self.update(0)

    # -- construction helpers ---------------------------------------------------
    @classmethod
    def from_example(cls, example, **changes):
        """A view of a named example from ``convcore.examples`` (``changes`` replace its fields)."""
        if isinstance(example, str):
            example = catalogue.get(example)
        return cls(example.replace(**changes) if changes else example)

    def _check_trace(self, trace: Trace) -> None:
        """The steppers say which dimension they draw (``dims``); others override this."""
        wanted = getattr(self, "dims", None)
        if wanted is not None and trace.problem.dims != wanted:
            raise ValueError(f"{type(self).__name__} shows {wanted}-D convolutions; this trace is "
                             f"{trace.problem.dims}-D (use Stepper{trace.problem.dims}D)")

    def _buildup_max(self) -> int:
        return frames.buildup_max(self.trace)

    def _static_html(self) -> str:
        return html.STYLE

    @property
    def position_sliders(self):
        return [s for s in (self.sample_slider, self.channel_slider, self.row_slider, self.col_slider)
                if s is not None]

    def _control_rows(self):
        rows = [W.HBox([self.prev_button, self.play, self.next_button, self.step_slider, self.speed_slider]),
                W.HBox(self.position_sliders)]
        if self._buildup_max() > 1:
            rows.append(W.HBox([self.buildup_back, self.buildup_slider, self.buildup_forward]))
        return rows

    # -- the one update path -------------------------------------------------------
    def frame_at(self, k: int, buildup: int | None):
        """The frame model of step ``k`` (subclasses choose the frame function)."""
        return frames.frame(self.trace, k, buildup)

    def render(self, frame) -> str:
        return html.render(frame)

    def update(self, k: int | None = None, buildup: int | None = None) -> None:
        """Show step ``k`` (default: the current one) with the accumulation at ``buildup``.

        Moving to another step shows its output element complete unless a
        ``buildup`` is given. All controls follow.
        """
        k = self.step if k is None else int(k)
        n = len(self.trace)
        if not 0 <= k < n:
            raise IndexError(f"step {k} is outside this view's steps 0 to {n - 1}")
        top = self._buildup_max()
        if buildup is None:
            buildup = self.buildup if (k == self.step and self.frame is not None) else top
        buildup = max(0, min(int(buildup), top))
        self.frame, markup = self._drawn(k, buildup)
        self._before_show(self.frame)
        # The picture first, then the controls: each changed widget is one more
        # message to the browser, and the learner is looking at the picture.
        self.html.show(markup)
        self.step, self.buildup = k, buildup
        with self._quiet():
            self.step_slider.value = k
            self._sync_position(k)
            self.buildup_slider.value = buildup
        if self.error_area.value:
            self.error_area.value = ""
            self.last_error = None
        self._prefetch_soon()

    # -- drawing ahead ------------------------------------------------------------
    # A key press costs the kernel's work on top of the echo floor, so the steps a
    # learner is likely to go to next (one on, one back) are drawn while the kernel
    # is idle, after the answer to this one has gone out; a press then only looks
    # its frame up. The last few frames are kept (back and forth costs nothing).
    FRAMES_KEPT = 16
    DRAW_AHEAD_AFTER = 0.015     # seconds after a step is shown (key repeat is ~30 ms apart)

    def _drawn(self, k: int, buildup: int):
        """(frame model, markup) of step ``k`` at ``buildup``, drawn once and kept."""
        key = (k, buildup)
        if key in self._frames:
            self._frames.move_to_end(key)
            return self._frames[key]
        frame = self.frame_at(k, buildup)
        markup = self.render(frame)
        if self.example_name:
            markup = markup.replace('class="convcore-view"',
                                    f'class="convcore-view" data-example="{self.example_name}"', 1)
        self._frames[key] = (frame, markup)
        while len(self._frames) > self.FRAMES_KEPT:
            self._frames.popitem(last=False)
        return frame, markup

    def _before_show(self, frame) -> None:
        """Subclasses change what goes with a frame (the heatmap's images) here."""

    def _prefetch_soon(self) -> None:
        """Draw the neighbouring steps once the kernel is idle (there is an event loop
        in a Jupyter kernel; without one, as in plain Python, nothing is drawn ahead)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        if self._prefetch is not None:
            self._prefetch.cancel()
        # A little later, not at once: ipykernel sends its messages from another
        # thread, and drawing now would hold the GIL while the answer waits to go out.
        self._prefetch = loop.call_later(self.DRAW_AHEAD_AFTER, self._draw_neighbours)

    def _draw_neighbours(self) -> None:
        self._prefetch = None
        top = self._buildup_max()
        for k in (self.step + 1, self.step - 1):
            if 0 <= k < len(self.trace):
                try:
                    _frame, markup = self._drawn(k, top)
                    self.html.prepare(markup)
                except Exception:   # shown to the learner if that step is ever asked for
                    return

    def _followers(self) -> list[tuple[W.IntSlider, int]]:
        """Each position slider with the axis of the trace's (N, C_out, *spatial) it shows
        (kept as ``self._follower_axes``): one slider per axis, none for a batch of one."""
        per_axis = [self.sample_slider, self.channel_slider,
                    *([self.row_slider] if self.trace.problem.dims == 2 else []), self.col_slider]
        return [(slider, axis) for axis, slider in enumerate(per_axis) if slider is not None]

    def _sync_position(self, k: int) -> None:
        """Move the position sliders to step ``k``. Once the browser runs the step link it
        has moved them already, so only their kernel-side values change (no message)."""
        sample, channel, pos = self.trace.locate(k)
        where = (sample, channel, *pos)          # indexed like trace.loop_shape
        move = set_in_kernel_only if self.step_link.ready else setattr
        for slider, axis in self._follower_axes:
            move(slider, "value", where[axis])

    # -- errors ----------------------------------------------------------------
    def show_error(self, err: BaseException) -> None:
        """Put an exception where the learner sees it (data-role="error")."""
        self.last_error = err
        where = traceback.extract_tb(err.__traceback__)[-1:] if err.__traceback__ else []
        at = f"\n  (in {where[0].name}, {where[0].filename.rsplit('/', 1)[-1]}:{where[0].lineno})" if where else ""
        self.error_area.value = html.error(f"{type(err).__name__}: {err}{at}")

    # -- callbacks (all guarded) --------------------------------------------------
    @_shows_errors
    def _on_step(self, change):
        if not self._quiet_depth:
            self.update(change["new"])

    @_shows_errors
    def _on_position(self, change):
        if self._quiet_depth:
            return
        sample = self.sample_slider.value if self.sample_slider is not None else 0
        pos = (self.row_slider.value, self.col_slider.value) if self.row_slider is not None \
            else (self.col_slider.value,)
        self.update(self.trace.index(self.channel_slider.value, pos, sample))

    @_shows_errors
    def _on_buildup(self, change):
        if not self._quiet_depth:
            self.update(self.step, change["new"])

    @_shows_errors
    def _on_speed(self, change):
        self.play.interval = max(20, int(1000 / change["new"]))

    @_shows_errors
    def _on_prev(self, _button=None):
        self.update(max(0, self.step - 1))

    @_shows_errors
    def _on_next(self, _button=None):
        self.update(min(len(self.trace) - 1, self.step + 1))

    @_shows_errors
    def _on_buildup_back(self, _button=None):
        self.update(self.step, self.buildup - 1)

    @_shows_errors
    def _on_buildup_forward(self, _button=None):
        self.update(self.step, self.buildup + 1)

    # -- display -----------------------------------------------------------------
    def close(self) -> None:
        """Close every widget of this view, in the kernel and the browser (the Explorer
        does this to the view it replaces, so old views do not pile up)."""
        seen, todo = set(), [self.widget, *(v for v in vars(self).values() if isinstance(v, W.Widget))]
        while todo:
            w = todo.pop()
            if id(w) in seen:
                continue
            seen.add(id(w))
            todo.extend(getattr(w, "children", ()))
            w.close()

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self):
        return f"<{type(self).__name__} at step {self.step} of {len(self.trace)}: {self.trace!r}>"


class Stepper1D(TraceView):
    """Step through a 1-D convolution: signal cells, kernel, products, output filling in.

    >>> view = Stepper1D.from_example("seed_conv1d")
    >>> view.update(1); view.frame.arithmetic.value
    '-2'
    """

    kind = "stepper1d"
    dims = 1


class Stepper2D(TraceView):
    """Step through a multi-channel 2-D convolution (the seed's 4×4×2 input, 3 output channels).

    >>> view = Stepper2D.from_example("seed_conv2d")
    >>> view.update(0); view.frame.arithmetic.total, view.frame.arithmetic.value
    ('out[0, 0, 0] = 7 + 6', '13')
    """

    kind = "stepper2d"
    dims = 2


class PointwiseView(TraceView):
    """A 1×1 convolution at one pixel: the weight matrix times the vector of input channels.

    >>> view = PointwiseView.from_example("seed_1x1")
    >>> view.update(8); [c.text for c in view.frame.y]
    ['1', '10', '-9']
    """

    kind = "pointwise"

    def _check_trace(self, trace):
        if not frames.is_pointwise(trace):
            raise ValueError(f"PointwiseView shows 1×1 convolutions; this kernel is "
                             f"{'×'.join(map(str, trace.problem.kernel_shape))} (use Stepper2D)")

    def _static_html(self) -> str:
        return html.STYLE + html.POINTWISE_STYLE

    def frame_at(self, k, buildup):
        return frames.pointwise_frame(self.trace, k, buildup)

    def render(self, frame) -> str:
        return html.render_pointwise(frame)


class HeatmapView(TraceView):
    """Big inputs as heatmaps: the patch outlined on every channel, the feature map filling in.

    The channel images are encoded once (``self.style``); a step moves boxes only.
    """

    kind = "heatmap"

    def __init__(self, source, weight=None, **kwargs):
        self.view_id = heatmap.new_view_id()
        self._styled_sample = 0
        super().__init__(source, weight, **kwargs)

    def _static_html(self) -> str:
        return html.STYLE + heatmap.heat_style(self.trace, self.view_id, self._styled_sample)

    def frame_at(self, k, buildup):
        return heatmap.heat_frame(self.trace, k, buildup)

    def _before_show(self, frame) -> None:
        if frame.sample != self._styled_sample:      # another sample: new images, once
            self._styled_sample = frame.sample
            self.style.value = self._static_html()

    def render(self, frame) -> str:
        return heatmap.render_heat(frame, self.view_id, heatmap.cell_px(self.trace),
                                   heatmap.output_px(self.trace))


def view_for(source, weight=None, **kwargs) -> TraceView:
    """The view that suits a convolution: numbers when they fit, a heatmap when they do not.

    >>> type(view_for("seed_conv2d")).__name__, type(view_for("seed_1x1")).__name__
    ('Stepper2D', 'PointwiseView')
    """
    trace = as_trace(source, weight, **kwargs)
    if not heatmap.numbers_fit(trace):
        return HeatmapView(trace)
    if frames.is_pointwise(trace) and trace.problem.dims == 2:
        return PointwiseView(trace)
    return Stepper1D(trace) if trace.problem.dims == 1 else Stepper2D(trace)
