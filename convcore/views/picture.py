"""Pictures of a view: any step of any convcore view drawn with Pillow, from its step records.

A picture is drawn from ``view.screen(k, b)`` (``schema.screen``): the same resolved screen the
browser draws, in the colours of static/view.css (read by ``palette``). Top to bottom:

  header          the step's sentence
  rows of panels  each a title over its grid of cells, or over its image with boxes on it
  lines           the arithmetic written out
  legend, notes   a swatch per state the reading uses; the texts that do not change

Sizes are view.css's pixels times ``scale`` (2.4 for a 1080p slide). Everything is measured
with its font before it is placed, long texts wrap at the picture's width and the canvas grows
to its content, so nothing overlaps and nothing is clipped.

    save_png(view, "step5.png", k=5)
    save_gif(view, "steps.gif", buildup=True)     # every step, every build-up position
    strip(view, [0, 4, 8]).save("handout.png")    # three steps side by side
"""
from __future__ import annotations

import base64
import functools
import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from . import palette

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")

# view.css's sizes, in CSS pixels (scaled by ``scale`` when drawn).
MARGIN = 12
HEADER, TITLE, LAB, LINE, TOTAL, FORMULA, LEGEND, NOTE = 17, 14, 12, 16, 18, 13, 13, 14
CELL = {"h": 34, "gap": 2, "pad": 3, "font": 16}                  # .cc-cell
SMALL = {"h": 20, "gap": 1, "pad": 1, "font": 11}                 # .cc-small .cc-cell
RADIUS, SWATCH = 3, 14
PANEL_GAP_X, PANEL_GAP_Y = 22, 10                                 # .cc-row gap
MIN_WIDTH = 480           # texts wrap at the panels' width, or at this when the panels are narrower

# How a state's cell is drawn beyond its fill and edge (the cc-s-* rules of view.css).
OUTLINED = {"patch", "pad-patch", "current", "read", "chosen", "win", "over-patch", "ins-patch", "active"}
HATCHED = {"pad", "pad-patch", "future"}
DASHED = {"pad", "future", "opad"}
DOTTED = {"todo", "unread", "over", "over-patch", "ins", "ins-patch"}
THICK = {"unread", "ins", "opad"}                                  # a 2 px border
MUTED = {"pad", "other-group", "ins"}


@functools.lru_cache(maxsize=64)
def font(px: int, bold: bool = False, mono: bool = False):
    """DejaVu Sans at ``px`` pixels (bold, or mono), or Pillow's own font when DejaVu is missing."""
    name = "DejaVuSansMono.ttf" if mono else "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    try:
        return ImageFont.truetype(str(FONT_DIR / name), px)
    except OSError:
        return ImageFont.load_default(px)


def wrap(text: str, f, width: float) -> list[str]:
    """``text`` broken into lines no wider than ``width`` (at spaces; a longer word stays whole)."""
    out = []
    for paragraph in str(text).split("\n"):
        line = None
        for word in paragraph.split(" "):
            trial = word if line is None else f"{line} {word}"
            if line is not None and f.getlength(trial) > width:
                out.append(line)
                line = word
            else:
                line = trial
        out.append(line or "")
    return out


@functools.lru_cache(maxsize=32)
def decode(uri: str) -> Image.Image:
    """The image of a ``data:image/png;base64,…`` URI."""
    return Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))).convert("RGB")


def png_data_uri(image: Image.Image) -> str:
    """``image`` as a ``data:image/png;base64,…`` URI (for an image panel, or an <img>)."""
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


# ---------------------------------------------------------------------------------------------
# Layout: a Sheet collects what goes where; nothing is drawn until every size is known.
# ---------------------------------------------------------------------------------------------
class Sheet:
    """A picture being laid out: ``put`` things at boxes (x0, y0, x1, y1), ``draw`` them all.

    A box holds the pixels x0 ≤ x < x1, y0 ≤ y < y1; the canvas grows to hold every box.

    ``items`` lists (kind, name, box) of everything placed, boxes on images apart ("cell",
    "text", "image", "swatch"); ``cells`` maps (panel, row, col) to the cell's box.
    """

    def __init__(self, scale: float):
        self.scale = scale
        self.ops, self.items, self.cells = [], [], {}
        self.right = self.bottom = 0

    def px(self, css: float) -> int:
        """CSS pixels to picture pixels (at least 1)."""
        return max(1, round(css * self.scale))

    def put(self, kind, name, box, draw_fn, *args, overlay=False):
        self.ops.append((draw_fn, box, args))
        if not overlay:
            self.items.append((kind, name, box))
        self.right, self.bottom = max(self.right, box[2]), max(self.bottom, box[3])

    def text(self, x, y, text, f, px, colour, name="text"):
        """One line of text with its top left at (x, y); returns its box."""
        box = (x, y, x + round(f.getlength(text)), y + round(px * 1.3))
        self.put("text", name, box, _draw_text, text, f, colour)
        return box

    def paragraph(self, x, y, text, css_px, width, colour, bold=False, mono=False, name="text"):
        """``text`` wrapped at ``width``; returns the y under it."""
        px = self.px(css_px)
        f = font(px, bold, mono)
        for line in wrap(text, f, width):
            y = self.text(x, y, line, f, px, colour, name)[3]
        return y

    def draw(self) -> Image.Image:
        m = self.px(MARGIN)
        image = Image.new("RGB", (self.right + m, self.bottom + m), palette.colour("bg"))
        d = ImageDraw.Draw(image)
        for draw_fn, box, args in self.ops:
            draw_fn(image, d, box, *args)
        return image


def layout(view, k=None, buildup=None, *, reading=None, scale: float = 1.0, legend: bool = True) -> Sheet:
    """Lay out step ``k`` of ``view`` at build-up ``buildup`` (defaults: what the view shows)."""
    rd = view.readings[reading or view.reading]
    scr = view.screen(k, buildup, rd["key"])
    sheet = Sheet(scale)
    m, text, muted = sheet.px(MARGIN), palette.colour("text"), palette.colour("muted")

    # The panels first: their width sets where the texts wrap.
    rows = [[_panel(sheet, pid, scr["panels"][pid], rd["panels"][pid]) for pid in row] for row in rd["rows"]]
    gap_x, gap_y = sheet.px(PANEL_GAP_X), sheet.px(PANEL_GAP_Y)
    panels_w = max([sum(w for w, _, _ in row) + gap_x * (len(row) - 1) for row in rows if row], default=0)
    width = max(panels_w, sheet.px(MIN_WIDTH))
    sheet.right = m + width          # the picture is at least as wide as its texts may be

    # The header, then the rows of panels, each row as tall as its tallest panel.
    y = sheet.paragraph(m, m, scr["header"], HEADER, width, text, name="header") + sheet.px(8)
    for row in rows:
        x, tallest = m, 0
        for w, h, place in row:
            place(x, y)
            x, tallest = x + w + gap_x, max(tallest, h)
        y += tallest + gap_y

    # The lines: the arithmetic of the step.
    for role, line in scr["lines"]:
        y = _line(sheet, m, y, role, line, width) + sheet.px(4)

    # The legend: a swatch and its text per state, flowing in rows at the width.
    if legend and rd["legend"]:
        y += sheet.px(8)
        y = _legend(sheet, m, y, rd["legend"], width) + sheet.px(6)
    for _role, note in rd["notes"]:
        y = sheet.paragraph(m, y, note, NOTE, width, muted, name="note") + sheet.px(4)
    return sheet


def _panel(sheet: Sheet, pid: str, p: dict, P: dict):
    """Measure panel ``pid`` (its screen ``p`` and record ``P``): (width, height, place(x, y))."""
    size = SMALL if p["small"] else CELL
    h, gap, pad = sheet.px(size["h"]), sheet.px(size["gap"]), sheet.px(size["pad"])
    cell_px, lab_px, title_px = sheet.px(size["font"]), sheet.px(LAB), sheet.px(TITLE)
    title_f, lab_f = font(title_px), font(lab_px)

    if P.get("image"):
        # An image panel: one image pixel per cell, each cell ``px`` CSS pixels on screen.
        img = decode(P["image"])
        n_rows, n_cols = img.height, img.width
        cell = P.get("px", 1) * sheet.scale
        widths = [cell] * n_cols
        row_h = cell
        gap = 0
    else:
        n_rows, n_cols = len(p["cells"]), max((len(r) for r in p["cells"]), default=0)
        # A column is as wide as its widest text (measured bold, the widest it is ever drawn).
        bold_f = font(cell_px, bold=True)
        widths = [max([h] + [round(bold_f.getlength(str(r[c][0]))) + 2 * pad + 2 * sheet.px(1)
                             for r in p["cells"] if c < len(r)]) for c in range(n_cols)]
        row_h = h

    # Row labels to the left, column labels above (.cc-lab: at least 20 px wide).
    rl, cl = P.get("rl") or [], P.get("cl") or []
    rl_w = max([sheet.px(20)] + [round(lab_f.getlength(str(t))) + sheet.px(4) for t in rl]) if rl else 0
    cl_h = round(lab_px * 1.3) + sheet.px(2) if cl else 0
    grid_w = round(sum(widths) + gap * max(n_cols - 1, 0))
    grid_h = round(row_h * n_rows + gap * max(n_rows - 1, 0))
    title_h = round(title_px * 1.3) + sheet.px(3)
    width = max(round(title_f.getlength(p["title"])), rl_w + grid_w)
    height = title_h + cl_h + grid_h

    def place(x, y):
        sheet.text(x, y, p["title"], title_f, title_px, palette.colour("text"), name=f"{pid}:title")
        gx, gy = x + rl_w, y + title_h + cl_h
        # where each column and row starts
        xs = [gx + round(sum(widths[:c]) + gap * c) for c in range(n_cols + 1)]
        ys = [gy + round(row_h * r + gap * r) for r in range(n_rows + 1)]
        cell_box = lambda r, c: (xs[c], ys[r], xs[c + 1] - (gap if c < n_cols - 1 else 0),
                                 ys[r + 1] - (gap if r < n_rows - 1 else 0))
        for c, label in enumerate(cl[:n_cols]):
            _centred(sheet, (xs[c], y + title_h, xs[c + 1] - gap, gy), str(label), lab_f, lab_px, f"{pid}:cl")
        for r, label in enumerate(rl[:n_rows]):
            _centred(sheet, (x, ys[r], gx - sheet.px(2), ys[r + 1] - gap), str(label), lab_f, lab_px, f"{pid}:rl")
        if P.get("image"):
            box = (gx, gy, gx + grid_w, gy + grid_h)
            sheet.put("image", pid, box, _draw_image, img)
        else:
            f, bold = font(cell_px), font(cell_px, bold=True)
            for r, row in enumerate(p["cells"]):
                for c, (t, s) in enumerate(row):
                    box = cell_box(r, c)
                    sheet.cells[(pid, r, c)] = box
                    sheet.put("cell", (pid, r, c), box, _draw_cell, str(t), s,
                              bold if s in OUTLINED else f, sheet.scale)
        # Boxes on top: [row, col, rows, cols, class], in cells; covers under the outlines.
        for r, c, nr, nc, cls in sorted(p["boxes"], key=lambda b: b[4] != "cover"):
            r1, c1 = min(r + nr, n_rows) - 1, min(c + nc, n_cols) - 1
            if r1 < r or c1 < c:
                continue
            x0, y0 = cell_box(r, c)[:2]
            x1, y1 = cell_box(r1, c1)[2:]
            out = sheet.px(3) if cls == "now" else sheet.px(2) if cls == "tap" else 0   # an outline outside
            box = (x0 - out, y0 - out, x1 + out, y1 + out)
            sheet.put("box", (pid, cls), box, _draw_box, cls, out, sheet.scale, overlay=True)

    return width, height, place


def _centred(sheet, box, text, f, px, name):
    """``text`` centred in ``box`` (its own box, measured, is what is recorded)."""
    w, h = round(f.getlength(text)), round(px * 1.3)
    x, y = (box[0] + box[2] - w) // 2, (box[1] + box[3] - h) // 2
    sheet.text(x, y, text, f, px, palette.colour("muted"), name)


def _line(sheet, x, y, role, text, width) -> int:
    """One line of the arithmetic; "total" is larger, on a soft band with the patch's edge at the
    left; "formula" is monospace. Returns the y under it."""
    if role == "total":
        bar, pad_x, pad_y = sheet.px(4), sheet.px(10), sheet.px(6)
        px = sheet.px(TOTAL)
        lines = wrap(text, font(px), width - bar - 2 * pad_x)
        w = max(round(font(px).getlength(t)) for t in lines) + bar + 2 * pad_x
        h = len(lines) * round(px * 1.3) + 2 * pad_y
        sheet.put("band", "total", (x, y, x + w, y + h), _draw_band, bar, overlay=True)
        sheet.paragraph(x + bar + pad_x, y + pad_y, text, TOTAL, width - bar - 2 * pad_x, palette.colour("text"),
                        name="total")
        return y + h
    mono = role == "formula"
    return sheet.paragraph(x, y, text, FORMULA if mono else LINE, width, palette.colour("text"), mono=mono,
                           name=role)


def _legend(sheet, x0, y, legend, width) -> int:
    """The legend's swatches flowing in rows no wider than ``width``; returns the y under it."""
    px = sheet.px(LEGEND)
    f, sw, line_h = font(px), sheet.px(SWATCH), round(px * 1.3)
    gap, after = sheet.px(14), sheet.px(4)
    x = x0
    for state, text in legend:
        w = sw + after + round(f.getlength(text))
        if x > x0 and x + w > x0 + width:
            x, y = x0, y + line_h + sheet.px(4)
        top = y + (line_h - sw) // 2
        sheet.put("swatch", state, (x, top, x + sw, top + sw), _draw_cell, "", state, f, sheet.scale * 0.5)
        sheet.text(x + sw + after, y, text, f, px, palette.colour("text"), name="legend")
        x += w + gap
    return y + line_h


# ---------------------------------------------------------------------------------------------
# Drawing: each function draws one placed thing into ``image`` (``d`` its ImageDraw).
# ---------------------------------------------------------------------------------------------
def _draw_text(image, d, box, text, f, colour):
    d.text((box[0], (box[1] + box[3]) / 2), text, font=f, fill=colour, anchor="lm")


def _draw_cell(image, d, box, text, state, f, scale):
    """A cell: rounded box in the state's fill, hatched for padding, its edge (outlined, dashed or
    dotted as view.css draws it), its text centred. (A legend's swatch is a cell at half scale:
    thinner edges.)"""
    box = (box[0], box[1], box[2] - 1, box[3] - 1)      # Pillow's boxes include their far edge
    colours = palette.state_colours()
    c = colours.get(state, colours["plain"])
    px = lambda v: max(1, round(v * scale))
    radius = px(RADIUS)
    d.rounded_rectangle(box, radius, fill=c["fill"])
    if state in HATCHED:
        _hatch(image, box, c["fill"], radius, scale)
    width = px(3) if state in OUTLINED else px(2) if state in THICK else px(1)
    if state in DASHED or state in DOTTED:
        dash = (px(4), px(3)) if state in DASHED else (width, width + px(1))
        _dashed_rectangle(d, box, c["edge"], width, dash)
    else:
        d.rounded_rectangle(box, radius, outline=c["edge"], width=width)
    if text:
        colour = palette.colour("muted") if state in MUTED else palette.colour("text")
        d.text(((box[0] + box[2]) / 2, (box[1] + box[3]) / 2), text, font=f, fill=colour, anchor="mm")


def _hatch(image, box, fill, radius, scale):
    """view.css's --cc-hatch: 45° stripes of 7 % black, 2 px in every 7, inside the rounded box."""
    w, h = box[2] - box[0] + 1, box[3] - box[1] + 1
    tile = Image.new("RGB", (w, h), fill)
    stripe = tuple(round(v * 0.93) for v in fill)
    period, thick = max(3, round(7 * scale)), max(1, round(2 * scale))
    td = ImageDraw.Draw(tile)
    for x in range(-h, w + period, period):
        td.line([(x, h), (x + h, 0)], fill=stripe, width=thick)
    mask = Image.new("L", (w, h), 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, w - 1, h - 1), radius, fill=255)
    image.paste(tile, box[:2], mask)


def _dashed_rectangle(d, box, colour, width, dash):
    """The four sides of ``box`` as dashes (on, off) of ``width`` px, inside the box."""
    x0, y0, x1, y1 = box
    half = (width - 1) / 2
    on, off = dash
    for (ax, ay), (bx, by) in [((x0, y0 + half), (x1, y0 + half)), ((x0, y1 - half), (x1, y1 - half)),
                               ((x0 + half, y0), (x0 + half, y1)), ((x1 - half, y0), (x1 - half, y1))]:
        length = max(abs(bx - ax), abs(by - ay))
        t = 0
        while t < length:
            u = min(t + on, length)
            dx, dy = (bx - ax) / length, (by - ay) / length
            d.line([(ax + dx * t, ay + dy * t), (ax + dx * u, ay + dy * u)], fill=colour, width=width)
            t += on + off


def _draw_image(image, d, box, img):
    """An image panel: its pixels scaled, crisp (image-rendering: pixelated), with a border."""
    size = (box[2] - box[0], box[3] - box[1])
    image.paste(img.resize(size, Image.NEAREST), box[:2])
    d.rectangle((box[0] - 1, box[1] - 1, box[2], box[3]), outline=palette.colour("border"))


def _draw_box(image, d, box, cls, outline, scale):
    """A box on an image (view.css's .cc-box-*): "cover" hides the cells still to do, "window"
    is dashed around the window, "tap" and "now" are an ``outline`` just outside their cells."""
    edge = palette.state_colours()["patch"]["edge"]
    x0, y0, x1, y1 = box[0], box[1], box[2] - 1, box[3] - 1
    if cls == "cover":
        fill = palette.state_colours()["todo"]["fill"]
        d.rectangle((x0, y0, x1, y1), fill=fill)
        _hatch(image, (x0, y0, x1, y1), fill, 0, scale)
    elif cls == "window":
        px = lambda v: max(1, round(v * scale))
        _dashed_rectangle(d, (x0, y0, x1, y1), edge, px(2), (px(4), px(3)))
    elif cls in ("tap", "now"):
        d.rectangle((x0, y0, x1, y1), outline=edge, width=outline)


def _draw_band(image, d, box, bar):
    """The band under the total (.cc-line-total): soft background, the patch's edge at the left."""
    d.rectangle((box[0], box[1], box[2] - 1, box[3] - 1), fill=palette.colour("bg-soft"))
    d.rectangle((box[0], box[1], box[0] + bar - 1, box[3] - 1), fill=palette.state_colours()["patch"]["edge"])


# ---------------------------------------------------------------------------------------------
# The picture, and what is made of pictures.
# ---------------------------------------------------------------------------------------------
def picture(view, k=None, buildup=None, *, reading=None, scale: float = 1.0, legend: bool = True) -> Image.Image:
    """Step ``k`` of ``view`` at build-up ``buildup`` as an RGB image (defaults: what it shows now).

    ``scale`` multiplies every size (2.4 for a 1080p slide); ``legend=False`` leaves the legend out.
    """
    return layout(view, k, buildup, reading=reading, scale=scale, legend=legend).draw()


def frames(view, steps=None, *, buildup: bool = False, reading=None, scale: float = 1.0) -> list[Image.Image]:
    """Pictures of ``steps`` (default: all), each complete or, with ``buildup``, at every
    build-up position from 0 to complete; all on one canvas size (the largest)."""
    rd = view.readings[reading or view.reading]
    steps = range(rd["n"]) if steps is None else steps
    positions = range(rd["top"] + 1) if buildup else [rd["top"]]
    images = [picture(view, k, b, reading=rd["key"], scale=scale) for k in steps for b in positions]
    return _same_size(images)


def _same_size(images):
    w, h = max(i.width for i in images), max(i.height for i in images)
    out = []
    for i in images:
        canvas = Image.new("RGB", (w, h), palette.colour("bg"))
        canvas.paste(i, (0, 0))
        out.append(canvas)
    return out


def save_png(view, path, k=None, buildup=None, scale: float = 1.0, **kwargs) -> Path:
    """Write step ``k`` (at ``buildup``) of ``view`` as a PNG; returns the path."""
    path = Path(path)
    picture(view, k, buildup, scale=scale, **kwargs).save(path, format="PNG")
    return path


def save_gif(view, path, steps=None, *, buildup: bool = False, duration_ms: int = 800,
             scale: float = 1.0, reading=None) -> Path:
    """Write ``steps`` (default: all) of ``view`` as a looping GIF, one frame per step (with
    ``buildup``: one per build-up position of each step); returns the path.

    Pillow merges a frame identical to the one before it into it (their durations add up).
    """
    path = Path(path)
    images = frames(view, steps, buildup=buildup, reading=reading, scale=scale)
    images[0].save(path, format="GIF", save_all=True, append_images=images[1:], duration=duration_ms, loop=0)
    return path


def strip(view, steps, *, across: bool = True, buildup=None, reading=None, scale: float = 1.0,
          legend: bool = False) -> Image.Image:
    """Several steps in one image for a handout: side by side (``across``) or stacked, a thin
    rule between them; the legend (off by default) is drawn under each when asked for."""
    images = [picture(view, k, buildup, reading=reading, scale=scale, legend=legend) for k in steps]
    gap = max(1, round(16 * scale))
    if across:
        size = (sum(i.width for i in images) + gap * (len(images) - 1), max(i.height for i in images))
    else:
        size = (max(i.width for i in images), sum(i.height for i in images) + gap * (len(images) - 1))
    out = Image.new("RGB", size, palette.colour("bg"))
    d = ImageDraw.Draw(out)
    at = 0
    for n, i in enumerate(images):
        out.paste(i, (at, 0) if across else (0, at))
        at += (i.width if across else i.height) + gap
        if n < len(images) - 1:   # the rule, in the middle of the gap
            mid = at - gap // 2 - 1
            d.line([(mid, 0), (mid, size[1])] if across else [(0, mid), (size[0], mid)],
                   fill=palette.colour("border"), width=1)
    return out
