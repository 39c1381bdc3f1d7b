"""What the views of pooling, receptive fields and sequences share: data shipped once, steps
drawn in the browser by a module of their own (``static/<name>.js``, after the shared step controls:
``esm.esm_source``), the same on a static page.

A ``StepView`` carries every text it shows in ``data`` (``static`` for the whole view, ``steps``:
one record per step), computed here from the library; its module only selects and places them.
``step`` is synced both ways: ``view.step = k`` moves the browser, a move in the browser reaches
the kernel a moment later. No message goes to the kernel per step.
"""
from __future__ import annotations

import json
import os

import anywidget
import traitlets as T

from . import palette


def embed_fragment(kind: str, module: str, payload: dict) -> str:
    """``<div class="convcore-embed" data-view=… data-module=…>`` holding ``payload`` as JSON."""
    text = json.dumps(payload, separators=(",", ":")).replace("</", "<\\/").replace("<!--", "\\u003c!--")
    return (f'<div class="convcore-embed" data-view="{kind}" data-module="{module}">'
            f'<script type="application/json" class="convcore-data">{text}</script></div>')


class StepView(anywidget.AnyWidget):
    """Base of the pooling, receptive-field and sequence views (``kind``, ``module``, ``CSS``)."""

    data = T.Dict().tag(sync=True)
    step = T.Int(0).tag(sync=True)
    kind = "stepview"
    module = ""          # the static page's name of the module: "convcore-<name>.js"
    CSS = ""             # rules of this view beside palette.css()

    @classmethod
    def stylesheet(cls) -> str:
        return palette.css() + "\n" + cls.CSS

    @classmethod
    def page_css(cls) -> dict:
        """The stylesheet as a static page takes it: the palette once for every view on the page
        (``<style id="convcore-css">``, as view.js names it), this view's rules once per module."""
        return {"palette": palette.css(), "css": cls.CSS}

    @property
    def n(self) -> int:
        """Number of steps (0 to n − 1)."""
        return len(self.data["steps"])

    @T.validate("step")
    def _valid_step(self, proposal):
        k = proposal["value"]
        if self.data and not 0 <= k < self.n:
            raise IndexError(f"step {k} is outside this view's steps 0 to {self.n - 1}")
        return k

    def update(self, k: int) -> None:
        """Show step ``k`` (the browser follows)."""
        self.step = int(k)

    @property
    def record(self) -> dict:
        """The record of the step on screen (plain data)."""
        return self.data["steps"][self.step]

    @property
    def widget(self):
        return self

    def embed_html(self) -> str:
        """A self-contained fragment for a page without a kernel (the module comes from
        ``static_assets()``; the stylesheet travels in the data)."""
        payload = dict(self.data, live=False, step=self.step, **self.page_css())
        return embed_fragment(self.kind, self.module, payload)

    def _repr_mimebundle_(self, **kwargs):
        if os.environ.get("CONVCORE_VIEWS") == "static":
            return {"text/plain": repr(self), "text/html": self.embed_html()}
        return super()._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: step {self.step} of steps 0–{self.n - 1}>"
