"""Interactive step-through views of convcore traces, one design for every view (CONTRIBUTING.md):
builders turn a library trace into records of one schema (``schema.py``), one widget carries them
(``View``), one renderer and one stylesheet draw them (``static/``), one picture writer draws them as
PNG or GIF (``picture.py``); ``embed_html`` and ``static_assets`` put them on a static page.

The views: ``Stepper1D``, ``Stepper2D``, ``PointwiseView``, ``HeatmapView``, ``view_for`` (a
convolution); ``TransposeView``, ``GradientView``, ``Im2colView``, ``PoolView``, ``ReceptiveFieldView``,
``SequenceView``; ``NetworkView`` (a whole network on one input, each cell going to its step);
``Explorer`` (controls for every setting around a view).
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
from .. import short_errors

short_errors.install()          # in a notebook: convcore's errors show their message and your line

__all__ = ["View", "Stepper1D", "Stepper2D", "PointwiseView", "HeatmapView", "view_for", "as_trace",
           "Explorer", "TransposeView", "GradientView", "Im2colView", "PoolView", "ReceptiveFieldView",
           "SequenceView", "NetworkView", "fmt", "embed_html", "static_assets", "save_png", "save_gif", "strip"]
