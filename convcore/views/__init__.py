"""Interactive step-through views of convcore traces (anywidget; drawn in the browser from data).

Views
-----
``Stepper1D``, ``Stepper2D``
    One convolution step by step: input channels (padding hatched, the taps
    under the kernel outlined), the kernel slice beside each channel, the
    products and each channel's partial sum written out, the total with the
    bias, and the output tensor filling in (done / current / todo).
``PointwiseView``
    A 1×1 convolution at one pixel: y = W·x (+ b), every pixel on its own.
``HeatmapView``
    Inputs too big for numbers (about 16 cells across and up): channels as
    images on a diverging map centred on zero, the patch outlined, the
    feature map filling in; the patch's numbers still written out.
``view_for(source)``
    Picks the right one of the above (numbers when they fit).
``Explorer``
    Controls for sizes, stride, padding, padding_mode, dilation, groups,
    C_in, C_out and the values; output shape and filled-in formula live;
    impossible settings explained by the library's own message.
``PoolView``, ``ReceptiveFieldView``, ``SequenceView``
    Pooling step by step (window, winner or divisor, ceil_mode's overhang and
    dropped window), what one output of a stack of layers reads in every layer
    below, and a dilated causal stack stepped through time (the future
    shaded). Each has its own module (``static/<name>.js``); ``step`` is synced,
    ``data`` holds every text; with ``CONVCORE_VIEWS=static`` they display as
    embeds (``data-module="convcore-<name>.js"``).
``save_animation(view_or_trace, path)``
    A GIF, one frame per step, drawn from the same frame model.
``TransposeView``, ``GradientView``, ``Im2colView`` (``view.View`` subclasses: data in ``schema.py``'s records)
    A transposed convolution's stamps (scatter) and its gather reading; the
    products that sum into one input or weight gradient element; a 2-D
    convolution as X · W, one im2col row per step. ``view.step``, ``view.reading``
    (``view.readings``: the reading records), ``view.update(k, reading=…)``,
    ``view.record(k, reading)`` (step k's record) and ``view.screen(k)`` (what step k
    shows: header, lines, every panel's cells as (text, state)).

Every step view is built from a ``Trace``, an ``Example`` (or its name in
``convcore.examples``), or arrays plus ``conv*d`` keyword arguments:
``Stepper2D.from_example("seed_conv2d")``, ``Stepper1D([1, 2, 3, 4], [1, 0, -1])``.

A view is one anywidget (``widgets.TraceView``) whose model carries its data
(``data.py``: the trace's numbers as texts, a static part and one record per
step); the browser draws every step from it (``static/view.js``), so stepping
sends the kernel nothing. Attributes: ``trace``, ``step`` and ``buildup``
(synced traitlets: set them, or call ``update(k, buildup=None)``, and the
browser follows; the browser's moves reach them a moment later), ``frame``
(the frame model on screen), ``frame_at(k, b)``, ``data``, ``error`` /
``last_error`` / ``show_error``, ``widget`` (the view itself). Big traces ship
a first block of steps and send more when the browser asks.

Static pages: ``embed_html(view, budget_bytes)`` is a fragment holding the
view's data (whole steps from the first, as many as fit; a visible note says
what is left out); ``static_assets()`` gives the renderer
(``{"convcore-view.js": ...}``, the stylesheet inside, and the other modules)
whose ``hydrate()`` draws every ``div.convcore-embed`` of a page. Each module
is ``static/controls.js`` (the step controls every view shares) followed by
its own file, joined in Python by ``esm.esm_source`` (anywidget loads a module
from a string, where a relative import cannot resolve). With ``CONVCORE_VIEWS=static``
in the kernel's environment every view displays as ``embed_html``.

DOM contract (browser tests rely on it; keep it exactly)
---------------------------------------------------------
* Root of each view: ``class="convcore-view"``,
  ``data-view`` = ``stepper1d`` | ``stepper2d`` | ``pointwise`` | ``heatmap`` |
  ``explorer``, ``data-step="<k>"`` (explorer: the embedded view's step when
  the configuration was applied; the live step is on the embedded view's own
  root), ``data-buildup="<n>"`` (build-up position; its maximum means the
  output element is complete). A view built from an unchanged catalogue
  example also carries ``data-example="<name>"``. Steps are counted from 0 in
  every label: "step 16 of steps 0–26: output channel 1 at (2, 1) …".
* Controls, drawn by the renderer inside the root: ``data-role`` =
  ``step-slider`` (a range input: arrow keys, Home/End, PageUp/Down, drag),
  ``prev``, ``next``, ``play`` (``aria-pressed``; Pause while playing),
  ``speed`` (a select, steps per second or "fastest"), position ranges
  ``sample`` (batches only), ``out-channel``, ``row`` (2-D only), ``column``
  (labelled "position" in 1-D), and when an element has more than one term
  ``buildup-back``, ``buildup-slider``, ``buildup-forward``. Each range has a
  readout ``data-role="<role>-readout"``. Every control has an aria-label.
  ``data-role="header"`` is the step's sentence; ``data-role="say"`` is a
  polite live region reading the step aloud ("output channel 0 at (0, 0):
  7 + 6 = 13"); ``data-role="note"`` says what a static page leaves out or
  which step is loading.
* Output cells: ``data-role="out-cell"``, ``data-index="c,i,j"`` (1-D:
  ``"c,i"``), ``data-state`` = ``done`` | ``current`` | ``todo``; text = the
  value, empty when todo. While the build-up is incomplete the current cell
  shows the running total ("?" before anything is added) and carries
  ``data-complete="0"``. The heatmap has out-cell elements only for the
  current cell (text = value, visually hidden); elements with class
  ``cc-cover`` hide the todo area.
* Input cells: ``data-role="in-cell"``, ``data-channel``, ``data-pos="i,j"``
  (input coordinates; negative or >= size in the padding), ``data-state`` =
  ``patch`` | ``pad`` | ``pad-patch`` | ``plain``; ``data-unread="1"`` on an
  input position no window ever reads (stride, the floor in the output size,
  dilation gaps), drawn dotted and grey with a "never read" legend entry. The heatmap has in-cell
  elements only for the taps under the kernel (states patch / pad-patch).
* Products: ``data-role="term"``, ``data-channel``, ``data-tap="ki,kj"``,
  ``data-product``; text ``"a·b"`` (negative factors in brackets).
* Partial sums: ``data-role="partial"``, ``data-channel="<input channel>"``,
  text = the number; present once a channel has at least one term revealed
  (``data-complete="0"`` while its terms are still being added).
* The final value: ``data-role="value"`` (text "…" and ``data-complete="0"``
  until complete), inside ``data-role="total"`` ("out[0, 0, 0] = 7 + 6 = 13").
* Pointwise extras: ``data-role="vec-in"`` (``data-channel``), ``"weight-cell"``
  (``data-index="o,c"``), ``"vec-out"`` (``data-index``, ``data-state``),
  ``"bias"``. Kernels: ``data-role="kernel-cell"``; heatmap patch numbers
  ``data-role="patch-cell"``. The tap just added: ``data-active="1"``.
* Explorer: ``data-role="shape"`` (output shape), ``data-role="formula"``
  (one per axis, ``Conv.explain()``).
* Errors shown to the learner: ``data-role="error"`` (class ``convcore-error``;
  empty, and hidden, when there is none).
* Colours: the page's from JupyterLab's ``--jp-*`` variables (with fallbacks),
  the palette's fills (``palette.py``, the one colour convention) with their
  own text colour; every text reaches 4.5:1 in Light and Dark.
* Pooling (``data-view="pool"``): ``in-cell`` (``data-pos``; ``data-state`` = ``plain`` |
  ``pad`` | ``over`` | ``patch`` | ``pad-patch`` | ``over-patch``; ``data-win="1"`` on max's
  winner, ``data-counted="1"`` on the taps avg's divisor counts, ``data-dropped="1"`` under a
  window ceil_mode dropped), ``out-cell`` as above, ``eq``, ``value``, ``extra``,
  ``dropped-label``. Receptive field and sequence (``data-view="receptive"`` | ``"sequence"``,
  root ``data-variant``): ``layer-row`` (top layer first) holding ``cell``s (``data-pos``,
  ``data-state`` = ``chosen`` | ``read`` | ``plain`` | ``future``), ``layer-text``,
  ``variant`` (the stack switch), ``edit-kernel_size`` | ``edit-stride`` | ``edit-dilation``.
* Numbers are written by ``convcore.views.numfmt.fmt`` everywhere: integers as
  integers, floats with at most 3 decimals and no trailing zeros.
"""
from .animation import save_animation
from .explorer import Explorer
from .numfmt import fmt
from .gradient import GradientView
from .im2col import Im2colView
from .pooling import PoolView
from .receptive import ReceptiveFieldView
from .sequence import SequenceView
from .transposed import TransposeView
from .esm import static_assets
from .widgets import HeatmapView, PointwiseView, Stepper1D, Stepper2D, TraceView, as_trace, embed_html, view_for

__all__ = ["Stepper1D", "Stepper2D", "PointwiseView", "HeatmapView", "Explorer", "TraceView",
           "view_for", "as_trace", "save_animation", "fmt", "embed_html", "static_assets"]
__all__ += ["PoolView", "ReceptiveFieldView", "SequenceView"]
__all__ += ["TransposeView", "GradientView", "Im2colView"]
