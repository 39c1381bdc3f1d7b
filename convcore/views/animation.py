"""GIF walkthroughs for slides, drawn with Pillow from the same frames the views show.

``save_animation(view_or_trace, "conv.gif")`` writes one GIF frame per step
(or per build-up position with ``buildup=True``). Every frame is drawn from
the frame model (``frames`` / ``heatmap``) with the palette's colours, so the
slides and the notebook agree number for number.
"""
from __future__ import annotations

import os
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from ..trace import Trace
from . import frames, heatmap, palette
from .frames import Cell, Grid, PointwiseFrame

CELL = 34
GAP = 2
MARGIN = 16
FONT_PATHS = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
              "/usr/share/fonts/dejavu/DejaVuSans.ttf", "DejaVuSans.ttf")


def _font(size: int, bold: bool = False):
    for path in FONT_PATHS:
        candidate = path.replace("DejaVuSans.ttf", "DejaVuSans-Bold.ttf") if bold else path
        try:
            return ImageFont.truetype(candidate, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


class _Canvas:
    """A Pillow image plus a cursor, remembering how far the drawing reached."""

    def __init__(self, width=1800, height=1400):
        self.image = Image.new("RGB", (width, height), "white")
        self.draw = ImageDraw.Draw(self.image)
        self.font = _font(16)
        self.bold = _font(16, bold=True)
        self.small = _font(13)
        self.right = self.bottom = 0

    def reach(self, x, y):
        self.right, self.bottom = max(self.right, x), max(self.bottom, y)

    def text(self, x, y, text, font=None, fill=palette.TEXT):
        font = font or self.font
        self.draw.text((x, y), text, font=font, fill=fill)
        box = self.draw.textbbox((x, y), text, font=font)
        self.reach(box[2], box[3])
        return box[2]

    def grid(self, x, y, g: Grid) -> tuple[int, int]:
        """Draw a grid with its title; return its (width, height)."""
        self.text(x, y, g.title, self.small, palette.MUTED_TEXT)
        y0 = y + 18
        widths = [max(CELL, int(self.draw.textlength(c.text, font=self.bold)) + 8) for c in g.rows[0]]
        for r, row in enumerate(g.rows):
            cx = x
            for c, w in zip(row, widths):
                self.cell(cx, y0 + r * (CELL + GAP), w, c, g.used)
                cx += w + GAP
        width = max(sum(widths) + GAP * (len(widths) - 1), int(self.draw.textlength(g.title, font=self.small)))
        height = 18 + len(g.rows) * (CELL + GAP)
        self.reach(x + width, y + height)
        return width, height

    def cell(self, x, y, w, c: Cell, used=True):
        colours = palette.STATE_COLOURS.get(c.state, palette.INPUT)
        if not used:
            colours = palette.OTHER_GROUP
        fill = palette.ACTIVE_TAP["fill"] if c.active else colours["fill"]
        strong = c.state in ("patch", "pad-patch", "current")
        self.draw.rectangle([x, y, x + w, y + CELL], fill=fill, outline=colours["edge"], width=3 if strong else 1)
        font = self.bold if strong else self.font
        tw = self.draw.textlength(c.text, font=font)
        self.draw.text((x + (w - tw) / 2, y + 8), c.text, font=font, fill=palette.TEXT)


def _vector_grid(cells, role, title, columns=1) -> Grid:
    rows = tuple(tuple(cells[i:i + columns]) for i in range(0, len(cells), columns))
    return Grid(role, title, 0, rows)


def _draw_sums(cv: _Canvas, x, y, arith, width=760) -> int:
    for s in arith.sums:
        if s.line:
            y = _wrapped(cv, x, y, f"channel {s.channel}: {s.line}", width)
    line = f"{arith.total} = {arith.value}"
    cv.draw.rectangle([x - 6, y + 2, x - 2, y + 24], fill=palette.PATCH["edge"])
    cv.text(x + 4, y, line, cv.bold)
    return y + 30


def _wrapped(cv: _Canvas, x, y, text, width) -> int:
    words, line = text.split(" "), ""
    for word in words:
        trial = (line + " " + word).strip()
        if cv.draw.textlength(trial, font=cv.font) > width and line:
            cv.text(x, y, line)
            y += 22
            line = word
        else:
            line = trial
    if line:
        cv.text(x, y, line)
        y += 22
    return y


def draw_frame(f, trace: Trace | None = None, cache: dict | None = None):
    """One frame model -> (Pillow image, (width, height) actually drawn).

    Heatmap frames need their ``trace`` for the channel images (kept in ``cache``).
    """
    cv = _Canvas()
    x, y = MARGIN, MARGIN
    header = getattr(f, "header", "")
    cv.text(x, y, header, cv.font)
    y += 32
    if isinstance(f, heatmap.HeatFrame):
        return _draw_heat(cv, f, y, trace, {} if cache is None else cache)
    row_h = 0
    if isinstance(f, PointwiseFrame):
        pieces = [*f.inputs, _vector_grid(list(f.y), "vec-out", "y"), _vector_grid(
            [c for row in f.matrix for c in row], "weight-cell", "W", len(f.x)), _vector_grid(list(f.x), "vec-in", "x")]
        for g in pieces:
            w, h = cv.grid(x, y, g)
            x += w + 24
            row_h = max(row_h, h)
        y += row_h + 14
    else:
        for g, k in zip(f.inputs, f.kernels):
            w, h = cv.grid(x, y, g)
            x += w + 10
            if k is not None:
                cv.text(x, y + h / 2, "⊙", cv.bold)
                kw, kh = cv.grid(x + 22, y, k)
                x += 22 + kw
                h = max(h, kh)
            x += 30
            row_h = max(row_h, h)
        y += row_h + 14
    y = _draw_sums(cv, MARGIN, y, f.arithmetic)
    x, y = MARGIN, y + 10
    for g in f.outputs:
        w, _ = cv.grid(x, y, g)
        x += w + 20
    return cv.image, (cv.right + MARGIN, cv.bottom + MARGIN)


def _draw_heat(cv: _Canvas, f: heatmap.HeatFrame, y, trace: Trace, cache: dict):
    px, opx = heatmap.cell_px(trace), heatmap.output_px(trace)
    key = (id(trace), f.sample)
    images = cache.get(key)
    if images is None:
        ins = [Image.fromarray(a).resize((round(a.shape[1] * px), round(a.shape[0] * px)), Image.NEAREST)
               for a in heatmap.input_rgb(trace, f.sample)]
        outs = [Image.fromarray(a).resize((round(a.shape[1] * opx), round(a.shape[0] * opx)), Image.NEAREST)
                for a in heatmap.output_rgb(trace, f.sample)]
        images = cache[key] = (ins, outs)
    ins, outs = images
    x = MARGIN
    ph, pw = f.pads
    for (ch, used), im in zip(f.in_channels, ins):
        cv.text(x, y, f"input channel {ch}", cv.small, palette.MUTED_TEXT)
        cv.image.paste(im, (x, y + 18))
        for t in f.taps:
            if t.channel == ch:
                r, c = heatmap._yx(t.coords)
                top, left = y + 18 + (r + ph) * px, x + (c + pw) * px
                cv.draw.rectangle([left - 1, top - 1, left + px + 1, top + px + 1], outline=palette.PATCH["edge"], width=2)
        cv.reach(x + im.width, y + 18 + im.height)
        x += im.width + 16
    oh, ow = f.out_shape
    i, j = heatmap._yx(f.out_pos)
    for c, im in enumerate(outs):
        cv.text(x, y, f"output channel {c}", cv.small, palette.MUTED_TEXT)
        top = y + 18
        cv.image.paste(im, (x, top))
        todo = palette.OUTPUT_TODO["fill"]
        if c > f.out_channel:
            cv.draw.rectangle([x, top, x + im.width, top + im.height], fill=todo, outline="#999")
        elif c == f.out_channel:
            cv.draw.rectangle([x + (j + 1) * opx, top + i * opx, x + im.width, top + (i + 1) * opx], fill=todo)
            cv.draw.rectangle([x, top + (i + 1) * opx, x + im.width, top + im.height], fill=todo)
            cv.draw.rectangle([x + j * opx - 1, top + i * opx - 1, x + (j + 1) * opx + 1, top + (i + 1) * opx + 1],
                              outline=palette.PATCH["edge"], width=2)
        cv.reach(x + im.width, top + im.height)
        x += im.width + 16
    y = cv.bottom + 14
    x = MARGIN
    row_h = 0
    for pg, kg in zip(f.patches, f.kernels):
        w, h = cv.grid(x, y, pg)
        cv.text(x + w + 6, y + h / 2, "⊙", cv.bold)
        kw, kh = cv.grid(x + w + 28, y, kg)
        x += w + kw + 60
        row_h = max(row_h, h, kh)
    _draw_sums(cv, MARGIN, y + row_h + 12, f.arithmetic, width=1200)
    return cv.image, (cv.right + MARGIN, cv.bottom + MARGIN)



def _frame_function(source):
    """(trace, frame function) for a view, a Trace, an Example or an example's name."""
    from .widgets import TraceView, as_trace, view_class
    if isinstance(source, TraceView):
        return source.trace, source.frame_at
    trace = as_trace(source)
    make = view_class(trace).frame_function
    return trace, lambda k, b: make(trace, k, b)


def animation_frames(source, steps=None, buildup: bool = False) -> list[Image.Image]:
    """The GIF's images: one per step (and per build-up position if ``buildup``), same size."""
    trace, frame_at = _frame_function(source)
    cache: dict = {}
    steps = range(len(trace)) if steps is None else steps
    top = frames.buildup_max(trace)
    drawn = []
    for k in steps:
        for b in (range(top + 1) if buildup else [None]):
            drawn.append(draw_frame(frame_at(k, b), trace, cache))
    width = max(size[0] for _, size in drawn)
    height = max(size[1] for _, size in drawn)
    return [image.crop((0, 0, width, height)) for image, _ in drawn]


def save_animation(source, path, *, steps=None, buildup: bool = False, duration_ms: int = 800,
                   loop: int = 0) -> Path:
    """Write a GIF walkthrough of a view's (or trace's) steps for slides.

    Parameters
    ----------
    source : TraceView, Trace, Example or example name
        What to animate; a view's frames are drawn exactly as the view makes them.
    path : str or Path
        Where the GIF goes.
    steps : iterable of int, optional
        Which steps (default: every step, one frame each).
    buildup : bool
        Also animate the accumulation inside each output element.
    duration_ms : int
        How long each frame shows.

    Returns
    -------
    Path
        ``path``.
    """
    images = animation_frames(source, steps, buildup)
    if not images:
        raise ValueError("no steps to animate")
    # An adaptive palette per frame keeps the few flat colours exact.
    converted = [im.convert("P", palette=Image.ADAPTIVE, colors=255) for im in images]
    path = Path(os.fspath(path))
    converted[0].save(path, save_all=True, append_images=converted[1:], duration=duration_ms, loop=loop,
                      disposal=1, optimize=False)
    return path
