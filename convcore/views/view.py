"""The one widget every convcore view is: ``View``, an anywidget carrying a view's data (``schema.py``),
drawn by ``static/view.js`` and ``static/view.css`` (on a static page the same two files, written by
``static_assets()``). ``step``, ``buildup`` and ``reading`` are synced both ways: ``view.step = 5``
moves the browser, a move in the browser reaches the kernel a moment later. Stepping sends the kernel
nothing: every step the browser needs is in the data, or comes in blocks it asks for once.

A kind of view is a subclass that only builds data (``Stepper2D``, ``PoolView``, …): it calls
``super().__init__(data, more=…)`` where ``more(reading_key, k)`` builds step ``k``'s record for
traces too long to ship at once, and answers its ``controls`` (the explorer's settings, a layer's
kernel size) with ``on_control``.
"""
from __future__ import annotations

import html
import json
import os
import traceback
from pathlib import Path

import anywidget
import traitlets as T

from . import picture, schema

STATIC = Path(__file__).parent / "static"
# What the keys do while a view has focus: its accessible description, and 00's list.
KEYS = ("Keys: Space or P plays and pauses; the left and right arrows step; Home and End go to the first "
        "and the last step; + and − add or take back one term of the build-up; Enter on an output cell "
        "goes to its step; F shows the view alone, full screen, and Escape leaves.")
BLOCK_BYTES = 256_000          # about this much JSON per block of steps asked for by the browser


class View(anywidget.AnyWidget):
    """A step-through view of ``data`` (see ``schema``); subclasses build the data."""

    _esm = STATIC / "view.js"
    _css = STATIC / "view.css"
    data = T.Dict().tag(sync=True)
    step = T.Int(0).tag(sync=True)
    buildup = T.Int(0).tag(sync=True)
    reading = T.Unicode("").tag(sync=True)
    error = T.Unicode("").tag(sync=True)
    kind = "view"

    def __init__(self, data: dict | None = None, more=None, **kwargs):
        self._more = more
        self.last_error: BaseException | None = None
        super().__init__(**kwargs)
        if data is not None:
            self.set_data(data)
        self.on_msg(self._on_msg)

    @classmethod
    def from_example(cls, example, **changes):
        """A view of an example of ``convcore.examples`` (or its name); ``changes`` replace its fields."""
        return cls(example, **changes)

    def set_data(self, data: dict) -> None:
        """Show other data (a recomputed stack, say): back to the first step, complete."""
        data = dict(data, keys=KEYS)
        with self.hold_sync():
            self.data = data
            self.reading = data["reading"]
            self.step = 0
            self.buildup = self.buildup_max
            self.error = ""

    # -- what is on screen, as plain data -----------------------------------------------------
    @property
    def readings(self) -> dict:
        return {r["key"]: r for r in self.data["readings"]}

    @property
    def current(self) -> dict:
        """The reading shown."""
        return self.readings[self.reading]

    @property
    def n(self) -> int:
        """Number of steps of the reading shown (0 to n − 1)."""
        return self.current["n"]

    @property
    def buildup_max(self) -> int:
        return self.current["top"]

    def record(self, k: int | None = None, reading: str | None = None) -> dict:
        """Step ``k``'s record (default: the step shown) of ``reading`` (default: the one shown)."""
        rd = self.readings[reading or self.reading]
        k = self.step if k is None else int(k)
        if not 0 <= k < rd["n"]:
            raise IndexError(f"step {k} is outside this view's steps 0 to {rd['n'] - 1}")
        i = k - rd["first"]
        return rd["steps"][i] if 0 <= i < len(rd["steps"]) else self._more(rd["key"], k)

    def screen(self, k: int | None = None, buildup: int | None = None, reading: str | None = None) -> dict:
        """What the view shows at step ``k`` and build-up ``buildup`` (default: what it shows now)."""
        rd = self.readings[reading or self.reading]
        k = self.step if k is None else int(k)
        shown = k == self.step and rd["key"] == self.reading          # the build-up on screen is this step's
        b = (self.buildup if shown else rd["top"]) if buildup is None else buildup
        return schema.screen(rd, self.record(k, rd["key"]), k, b)

    # -- moving it from Python ----------------------------------------------------------------
    @T.validate("step")
    def _valid_step(self, proposal):
        k = proposal["value"]
        if self.data and not 0 <= k < self.n:
            raise IndexError(f"step {k} is outside this view's steps 0 to {self.n - 1}")
        return k

    @T.validate("buildup")
    def _valid_buildup(self, proposal):
        return max(0, min(proposal["value"], self.buildup_max)) if self.data else proposal["value"]

    @T.validate("reading")
    def _valid_reading(self, proposal):
        if self.data and proposal["value"] not in self.readings:
            raise ValueError(f"reading must be one of {list(self.readings)}; got {proposal['value']!r}")
        return proposal["value"]

    @T.observe("reading")
    def _reading_changed(self, change):
        """Another reading: its first step, complete, unless the step shown exists there too."""
        if self.data and change["new"] in self.readings and self.step >= self.n:
            with self.hold_sync():
                self.step = 0
                self.buildup = self.buildup_max

    def update(self, k: int | None = None, buildup: int | None = None, reading: str | None = None) -> None:
        """Show step ``k`` of ``reading`` with the build-up at ``buildup`` (default: complete)."""
        with self.hold_sync():
            if reading is not None and reading != self.reading:
                self.step = 0
                self.reading = reading
            if k is not None:
                self.step = int(k)
            self.buildup = self.buildup_max if buildup is None else int(buildup)

    # -- the browser asks ---------------------------------------------------------------------
    def _on_msg(self, _widget, content, _buffers) -> None:
        try:
            if content.get("type") == "steps":
                rd = self.readings[content["reading"]]
                first = int(content["at"])          # the step the learner went to, and the block after it
                stop = min(rd["n"], first + block_size(rd))
                self.send({"type": "steps", "reading": rd["key"], "first": first,
                           "steps": [self._more(rd["key"], k) for k in range(first, stop)]})
            elif content.get("type") == "control":
                self.on_control(str(content["name"]), content["value"], content.get("panel"))
        except Exception as err:      # a learner must see it, whatever it is
            self.show_error(err)

    def on_control(self, name: str, value, panel: str | None = None) -> None:
        """A control changed in the browser (``controls``); views that offer controls recompute here."""
        raise ValueError(f"this view has no control {name!r}")

    def show_error(self, err: BaseException) -> None:
        """Put an exception where the learner sees it (data-role="error")."""
        self.last_error = err
        where = traceback.extract_tb(err.__traceback__)[-1:] if err.__traceback__ else []
        at = f"\n  (in {where[0].name}, {where[0].filename.rsplit('/', 1)[-1]}:{where[0].lineno})" if where else ""
        self.error = f"{type(err).__name__}: {err}{at}"

    # -- display ------------------------------------------------------------------------------
    def _repr_mimebundle_(self, **kwargs):
        if os.environ.get("CONVCORE_VIEWS") == "static":
            return {"text/plain": repr(self), "text/html": embed_html(self)}
        bundle = super()._repr_mimebundle_(**kwargs)
        data, metadata = bundle if isinstance(bundle, tuple) else (bundle, {})
        # A picture of the step on screen travels with the widget: where no kernel draws it (a
        # stored notebook on GitHub or nbviewer, JupyterLab before Run All, an HTML export) the
        # reader sees the view as it stood, and a screen reader hears what it shows.
        flat = picture.picture(self).quantize(colors=256, method=2, dither=0)   # flat colours: a third the size
        uri, alt = picture.png_data_uri(flat), self.alt_text()
        data.update({"image/png": uri.split(",", 1)[1], "text/plain": alt,
                     "text/html": f'<img src="{uri}" alt="{html.escape(alt)}">'})
        return data, metadata

    def alt_text(self) -> str:
        """What the view shows, in words: its header and the arithmetic on screen."""
        sc = self.screen()
        return " ".join([sc["header"] + ".", *(text for _role, text in sc["lines"])])

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.reading}, step {self.step} of steps 0–{self.n - 1}>"


def block_size(rd: dict) -> int:
    """Steps per block for a long reading: about BLOCK_BYTES of JSON each."""
    sample = len(json.dumps(rd["steps"][0])) if rd["steps"] else 1000
    return max(16, min(rd["n"], BLOCK_BYTES // max(sample, 1)))


def embed_html(view: View, budget_bytes: int = 2_000_000) -> str:
    """A self-contained HTML fragment of ``view`` for a page without a kernel: ``<div class=
    "convcore-embed" data-view="…">`` holding the view's data as JSON, with as many whole steps of
    each reading, from the first, as fit its share of ``budget_bytes`` (the reading shown first takes
    what it needs, leaving the others room for their first step; they share the rest equally, and
    what a small one does not need goes to the larger ones). A reading that does not fit whole is
    ``held`` at the steps it carries: its sliders stop there and it says so. The page loads
    ``convcore-view.js`` (from ``static_assets()``) and calls ``hydrate()``. An explorer embeds its
    ``static_view()``."""
    if hasattr(view, "static_view"):
        view = view.static_view()
    if not isinstance(view, View):
        raise TypeError(f"embed_html takes a convcore view; got {type(view).__name__}")
    data = dict(view.data, reading=view.reading, readings=[])
    shells = [dict(rd, steps=[], first=0, block=0) for rd in view.data["readings"]]
    left = budget_bytes - len(json.dumps(data)) - sum(len(json.dumps(s)) for s in shells)
    # each reading's records from the first, read until they alone would fill the budget
    recs = []
    for rd in view.data["readings"]:
        got, size = [], 0
        for k in range(rd["n"]):
            rec = view.record(k, rd["key"])
            got.append((rec, len(json.dumps(rec)) + 1))
            size += got[-1][1]
            if size > left:
                break
        recs.append(got)
    # shares: the reading shown first takes what it needs, leaving each other reading room for its
    # first step; then the smallest first, each an equal share of what is left, so what a small
    # reading does not need goes to the larger ones
    shown = next(i for i, rd in enumerate(view.data["readings"]) if rd["key"] == view.reading)
    others = sorted((i for i in range(len(shells)) if i != shown), key=lambda i: sum(n for _, n in recs[i]))
    for r, i in enumerate([shown, *others]):
        share = left - sum(recs[j][0][1] for j in others) if r == 0 else left // (len(shells) - r)
        rd, shipped, size = view.data["readings"][i], shells[i], 0
        for k, (rec, n) in enumerate(recs[i]):
            size += n
            if size > share:
                if k == 0:
                    raise ValueError(f"this {type(view).__name__} needs more than the {budget_bytes:,} bytes it "
                                     "may use on this page; show a smaller example")
                break
            shipped["steps"].append(rec)
        if len(shipped["steps"]) < rd["n"]:
            k = len(shipped["steps"])
            shipped.update(held=k, notes=rd["notes"] + [["held", f"This page holds steps 0–{k - 1:,} of "
                                                                  f"{rd['n']:,}; run the notebook for the rest."]])
        left -= sum(n for _, n in recs[i][:len(shipped["steps"])])
    data["readings"] = shells
    shown = next(r for r in data["readings"] if r["key"] == view.reading)
    on_page = view.step < len(shown["steps"])
    payload = {"data": data, "step": view.step if on_page else 0,
               "buildup": view.buildup if on_page else shown["top"], "reading": view.reading}
    text = json.dumps(payload, separators=(",", ":")).replace("</", "<\\/").replace("<!--", "\\u003c!--")
    return (f'<div class="convcore-embed" data-view="{view.data["kind"]}">'
            f'<script type="application/json" class="convcore-data">{text}</script></div>')


def static_assets() -> dict[str, str]:
    """The files a static page loads beside it: the renderer and its stylesheet."""
    return {f"convcore-{name}": (STATIC / name).read_text(encoding="utf-8") for name in ("view.js", "view.css")}
