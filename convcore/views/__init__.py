"""Interactive step-through views of convcore traces: one design for every view.

How a view is made
------------------
1. A **builder** turns a library trace into plain data of one schema (``schema.py``): readings
   of panels (grids of cells with texts and states, or images with boxes), and one record per
   step (what changes, the arithmetic written out as lines, the header and the sentence read
   aloud, each build-up position). Every text a learner reads is written there, in Python.
2. **One widget**, ``View`` (``view.py``), carries the data to the browser; ``step``,
   ``buildup`` and ``reading`` are synced both ways, and stepping sends the kernel nothing.
3. **One renderer**, ``static/view.js``, with **one stylesheet**, ``static/view.css`` (the
   palette as custom properties), draws any view: in JupyterLab, Notebook 7, Voila, and on a
   static page (``embed_html(view)`` and ``static_assets()``; ``CONVCORE_VIEWS=static`` in the
   kernel's environment makes every view display as its embed).
4. **One picture writer**, ``picture.py``, draws the same records as PNG or GIF.
5. The tests compare what the browser shows with ``schema.screen()``, the screen a record describes.

The views
---------
``Stepper1D``, ``Stepper2D``, ``PointwiseView``, ``HeatmapView`` and ``view_for`` (``conv.py``):
a convolution step by step, as numbers, as y = W·x, or as images when it is too big for numbers.
``TransposeView``, ``GradientView``, ``Im2colView``: transposed convolution (scatter and gather
readings), the products that sum into a gradient, a convolution as a matrix product.
``PoolView``, ``ReceptiveFieldView``, ``SequenceView``: pooling windows, what one output of a
stack reads in every layer below, a dilated causal stack through time.
``NetworkView`` (``network.py``): a whole network on one input, every layer's maps; a cell of any
map goes to the step that computed it, its receptive field lit back to the input, and the layer's
own step view is a switch away.
``Explorer``: controls for every setting, the output shape and formula live, and a view.

Cells are controls: a click (or Enter) on an output cell goes to the step that computed it;
pointing at an input cell lights the outputs that read it and says so.
"""
from .conv import HeatmapView, PointwiseView, Stepper1D, Stepper2D, as_trace, view_for
from .explorer import Explorer
from .gradient import GradientView
from .im2col import Im2colView
from .numfmt import fmt
from .picture import save_gif, save_png, strip
from .network import NetworkView
from .pooling import PoolView
from .receptive import ReceptiveFieldView
from .sequence import SequenceView
from .transposed import TransposeView
from .view import View, embed_html, static_assets
from . import short_errors

short_errors.install()          # in a notebook: convcore's errors show their message and your line

__all__ = ["View", "Stepper1D", "Stepper2D", "PointwiseView", "HeatmapView", "view_for", "as_trace",
           "Explorer", "TransposeView", "GradientView", "Im2colView", "PoolView", "ReceptiveFieldView",
           "SequenceView", "NetworkView", "fmt", "embed_html", "static_assets", "save_png", "save_gif", "strip"]
