"""Interactive views of convcore traces (ipywidgets + HTML/CSS).

placeholder docstring, rewritten below
"""
from .widgets import PointwiseView, Stepper1D, Stepper2D, TraceView, as_trace

__all__ = ["PointwiseView", "Stepper1D", "Stepper2D", "TraceView", "as_trace"]
