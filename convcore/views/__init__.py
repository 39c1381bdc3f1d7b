"""Interactive views of convcore traces (ipywidgets + HTML/CSS).

placeholder docstring, rewritten below
"""
from .widgets import Stepper1D, Stepper2D, TraceView, as_trace

__all__ = ["Stepper1D", "Stepper2D", "TraceView", "as_trace"]
