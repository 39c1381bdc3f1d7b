"""Interactive views of convcore traces (ipywidgets + HTML/CSS).

placeholder docstring, rewritten below
"""
from .animation import save_animation
from .explorer import Explorer
from .widgets import HeatmapView, PointwiseView, Stepper1D, Stepper2D, TraceView, as_trace, view_for

__all__ = ["save_animation", "Explorer", "HeatmapView", "view_for", "PointwiseView", "Stepper1D", "Stepper2D", "TraceView", "as_trace"]
