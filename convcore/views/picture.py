"""Pictures of a view: ``view.screen(k, b)`` (``schema.screen``), the screen the browser draws,
drawn with Pillow in the colours of static/view.css (read by ``palette``). Top to bottom: the
header; rows of panels, each a title over its grid of cells (or its image with boxes on it); the
lines of arithmetic; the legend and the notes. Sizes are view.css's pixels times ``scale``.
Everything is measured before it is placed, long texts wrap at the picture's width and the
canvas grows to its content, so nothing overlaps and nothing is clipped.

    save_png(view, "step5.png", k=5)
    save_gif(view, "steps.gif", buildup=True)     # every step, every build-up position
    strip(view, [0, 4, 8]).save("handout.png")    # three steps side by side
"""
from __future__ import annotations

import base64
import functools
import io
from itertools import accumulate
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from . import palette

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")

# view.css's sizes, in CSS pixels (times ``scale`` when drawn).
MARGIN = 12
HEADER, TITLE, LAB, LINE, TOTAL, FORMULA, LEGEND, NOTE = 17, 14, 12, 16, 18, 13, 13, 14
CELL = {"h": 34, "gap": 2, "pad": 3, "font": 16}                  # .cc-cell
SMALL = {"h": 20, "gap": 1, "pad": 1, "font": 11}                 # .cc-small .cc-cell
RADIUS, SWATCH, DASH = 3, 14, (4, 3)
PANEL_GAP_X, PANEL_GAP_Y = 22, 10                                 # .cc-row gap
MIN_WIDTH = 480           # texts wrap at the panels' width, or at this when the panels are narrower

# How a state's cell is drawn beyond its fill and edge (the cc-s-* rules of view.css).
OUTLINED = {"patch", "pad-patch", "current", "read", "chosen", "win", "over-patch", "ins-patch", "active"}
HATCHED = {"pad", "pad-patch", "future"}
DASHED = {"pad", "future", "opad"}
DOTTED = {"todo", "unread", "over", "over-patch", "ins", "ins-patch"}
THICK = {"unread", "ins", "opad"}                                  # a 2 px border
MUTED = {"pad", "other-group", "ins"}


def px(css: float, scale: float) -> int:
    """CSS pixels to picture pixels (at least 1)."""
    return max(1, round(css * scale))


@functools.lru_cache(maxsize=64)
def font(size: int, bold: bool = False, mono: bool = False):
    """DejaVu Sans at ``size`` pixels (bold, or mono), or Pillow's own font when DejaVu is missing."""
    name = "DejaVuSansMono.ttf" if mono else "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    try:
        return ImageFont.truetype(str(FONT_DIR / name), size)
    except OSError:
        return ImageFont.load_default(size)


def wrap(text: str, f, width: float) -> list[str]:
    """``text`` broken into lines no wider than ``width`` (at spaces; a longer word stays whole)."""
    out = []
    for paragraph in str(text).split("\n"):
        line, *words = paragraph.split(" ")
        for word in words:
            if f.getlength(f"{line} {word}") > width:
                out.append(line)
                line = word
            else:
                line = f"{line} {word}"
        out.append(line)
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


# -- Layout: a Sheet collects what goes where; nothing is drawn until every size is known. -------
class Sheet:
    """A picture being laid out: ``put`` things at boxes (x0, y0, x1, y1), then ``draw`` them all.
    A box holds the pixels x0 ≤ x < x1, y0 ≤ y < y1; the canvas grows to hold every box.
    ``items`` lists (kind, name, box) of what is placed ("cell", "text", "image", "swatch"; the
    boxes and bands drawn over them apart); ``cells`` maps (panel, row, col) to the cell's box.
    """

    def __init__(self, scale: float):
        self.scale = scale
        self.ops, self.items, self.cells = [], [], {}
        self.right = self.bottom = 0

    def px(self, css: float) -> int:
        return px(css, self.scale)

    def line(self, size: float) -> int:
        """The height of a line of text of ``size`` CSS pixels."""
        return round(self.px(size) * 1.3)

    def put(self, box, draw_fn, *args, item=None):
        """Call ``draw_fn(image, draw, box, *args)`` when drawn; ``item`` (kind, name) lists it."""
        self.ops.append((draw_fn, box, args))
        if item:
            self.items.append((*item, box))
        self.right, self.bottom = max(self.right, box[2]), max(self.bottom, box[3])

    def text(self, x, y, text, size, name="text", colour="text", mono=False):
        """One line of text (``size`` in CSS pixels) with its top left at (x, y); returns its box."""
        f = font(self.px(size), mono=mono)
        box = (x, y, x + round(f.getlength(text)), y + self.line(size))
        self.put(box, _draw_text, text, f, palette.colour(colour), item=("text", name))
        return box

    def centred(self, box, text, size, name):
        """A muted label centred in ``box``."""
        w, h = round(font(self.px(size)).getlength(text)), self.line(size)
        self.text((box[0] + box[2] - w) // 2, (box[1] + box[3] - h) // 2, text, size, name, "muted")

    def paragraph(self, x, y, text, size, width, name="text", colour="text", mono=False):
        """``text`` wrapped at ``width``; returns the y under it."""
        for line in wrap(text, font(self.px(size), mono=mono), width):
            y = self.text(x, y, line, size, name, colour, mono)[3]
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
    m, gap_x, gap_y = sheet.px(MARGIN), sheet.px(PANEL_GAP_X), sheet.px(PANEL_GAP_Y)

    # The panels are measured first: their width sets where the texts wrap.
    rows = [[panel(sheet, pid, scr["panels"][pid], rd["panels"][pid]) for pid in row] for row in rd["rows"]]
    panels_w = max([sum(w for w, _, _ in row) + gap_x * (len(row) - 1) for row in rows if row], default=0)
    width = max(panels_w, sheet.px(MIN_WIDTH))
    sheet.right = m + width          # the picture is at least as wide as its texts may be

    # The header, then the rows of panels, each row as tall as its tallest panel.
    y = sheet.paragraph(m, m, scr["header"], HEADER, width, "header") + sheet.px(8)
    for row in rows:
        x = m
        for w, _, place in row:
            place(x, y)
            x += w + gap_x
        y += max((h for _, h, _ in row), default=0) + gap_y

    # The arithmetic of the step, then the legend and the notes.
    for role, line in scr["lines"]:
        y = _line(sheet, m, y, role, line, width) + sheet.px(4)
    if legend and rd["legend"]:
        y = _legend(sheet, m, y + sheet.px(8), rd["legend"], width) + sheet.px(6)
    for _role, note in rd["notes"]:
        y = sheet.paragraph(m, y, note, NOTE, width, "note", "muted") + sheet.px(4)
    return sheet


def panel(sheet: Sheet, pid: str, p: dict, P: dict):
    """Measure panel ``pid`` (its screen ``p`` and record ``P``): (width, height, place(x, y))."""
    size = SMALL if p["small"] else CELL
    h, gap, pad, cell_px = (sheet.px(size[n]) for n in ("h", "gap", "pad", "font"))
    if P.get("image"):
        # An image panel: one image pixel per cell, each cell ``px`` CSS pixels on screen.
        img = decode(P["image"])
        n_rows, n_cols, gap = img.height, img.width, 0
        row_h = P.get("px", 1) * sheet.scale
        widths = [row_h] * n_cols
    else:
        # A column is as wide as its widest text (measured bold, the widest it is ever drawn).
        n_rows, n_cols, row_h = len(p["cells"]), max((len(r) for r in p["cells"]), default=0), h
        bold = font(cell_px, bold=True)
        widths = [max([h] + [round(bold.getlength(str(r[c][0]))) + 2 * pad + 2 * sheet.px(1)
                             for r in p["cells"] if c < len(r)]) for c in range(n_cols)]

    # Row labels to the left, column labels above (.cc-lab: at least 20 px wide).
    rl, cl = P.get("rl") or [], P.get("cl") or []
    lab_f = font(sheet.px(LAB))
    rl_w = max([sheet.px(20)] + [round(lab_f.getlength(str(t))) + sheet.px(4) for t in rl]) if rl else 0
    cl_h = sheet.line(LAB) + sheet.px(2) if cl else 0
    title_h = sheet.line(TITLE) + sheet.px(3)
    grid_w = round(sum(widths) + gap * max(n_cols - 1, 0))
    grid_h = round(row_h * n_rows + gap * max(n_rows - 1, 0))
    width = max(round(font(sheet.px(TITLE)).getlength(p["title"])), rl_w + grid_w)

    def place(x, y):
        sheet.text(x, y, p["title"], TITLE, f"{pid}:title")
        # Where each column and row starts: cell (r, c) ends a gap before (r + 1, c + 1) starts.
        gx, gy = x + rl_w, y + title_h + cl_h
        xs = [gx + round(sum(widths[:c]) + gap * c) for c in range(n_cols + 1)]
        ys = [gy + round(row_h * r + gap * r) for r in range(n_rows + 1)]
        for c, label in enumerate(cl[:n_cols]):
            sheet.centred((xs[c], y + title_h, xs[c + 1] - gap, gy), str(label), LAB, f"{pid}:cl")
        for r, label in enumerate(rl[:n_rows]):
            sheet.centred((x, ys[r], gx - sheet.px(2), ys[r + 1] - gap), str(label), LAB, f"{pid}:rl")
        if P.get("image"):
            sheet.put((gx, gy, gx + grid_w, gy + grid_h), _draw_image, img, item=("image", pid))
        for r, row in enumerate(p["cells"]):
            for c, (t, s) in enumerate(row):
                box = sheet.cells[(pid, r, c)] = (xs[c], ys[r], xs[c + 1] - gap, ys[r + 1] - gap)
                f = font(cell_px, bold=s in OUTLINED)
                sheet.put(box, _draw_cell, str(t), s, f, sheet.scale, item=("cell", (pid, r, c)))
        # Boxes on top: [row, col, rows, cols, class], in cells; covers under the outlines.
        for r, c, nr, nc, cls in sorted(p["boxes"], key=lambda b: b[4] != "cover"):
            r1, c1 = min(r + nr, n_rows), min(c + nc, n_cols)
            if r1 > r and c1 > c:
                out = sheet.px(3) if cls == "now" else sheet.px(2) if cls == "tap" else 0   # an outline outside
                box = (xs[c] - out, ys[r] - out, xs[c1] - gap + out, ys[r1] - gap + out)
                sheet.put(box, _draw_box, cls, out, sheet.scale)

    return width, title_h + cl_h + grid_h, place


def _line(sheet: Sheet, x, y, role, text, width) -> int:
    """One line of the arithmetic; returns the y under it. "formula" is monospace; "total" is
    larger, on a soft band with the patch's edge at its left (.cc-line-total)."""
    if role != "total":
        mono = role == "formula"
        return sheet.paragraph(x, y, text, FORMULA if mono else LINE, width, role, mono=mono)
    bar, pad_x, pad_y = sheet.px(4), sheet.px(10), sheet.px(6)
    f, inner = font(sheet.px(TOTAL)), width - bar - 2 * pad_x
    lines = wrap(text, f, inner)
    w = max(round(f.getlength(t)) for t in lines) + bar + 2 * pad_x
    h = len(lines) * sheet.line(TOTAL) + 2 * pad_y
    sheet.put((x, y, x + w, y + h), _draw_rect, palette.colour("bg-soft"))
    sheet.put((x, y, x + bar, y + h), _draw_rect, palette.state_colours()["patch"]["edge"])
    sheet.paragraph(x + bar + pad_x, y + pad_y, text, TOTAL, inner, "total")
    return y + h


def _legend(sheet: Sheet, x0, y, legend, width) -> int:
    """A swatch and its text per state, flowing in rows no wider than ``width``; returns the y under it."""
    f, sw, line_h, after = font(sheet.px(LEGEND)), sheet.px(SWATCH), sheet.line(LEGEND), sheet.px(4)
    x = x0
    for state, text in legend:
        w = sw + after + round(f.getlength(text))
        if x > x0 and x + w > x0 + width:
            x, y = x0, y + line_h + sheet.px(4)
        top = y + (line_h - sw) // 2
        # a swatch is an empty cell drawn at half scale: thinner edges
        sheet.put((x, top, x + sw, top + sw), _draw_cell, "", state, f, sheet.scale * 0.5, item=("swatch", state))
        sheet.text(x + sw + after, y, text, LEGEND, "legend")
        x += w + sheet.px(14)
    return y + line_h


# -- Drawing: each function draws one placed thing into ``image`` (``d`` its ImageDraw). --------
def _draw_text(image, d, box, text, f, colour):
    d.text((box[0], (box[1] + box[3]) / 2), text, font=f, fill=colour, anchor="lm")


def _draw_cell(image, d, box, text, state, f, scale):
    """A cell: a rounded box in the state's fill (hatched for padding), its edge (outlined, thick,
    dashed or dotted as view.css draws it), its text centred."""
    box = (box[0], box[1], box[2] - 1, box[3] - 1)      # Pillow's boxes include their far edge
    colours = palette.state_colours()
    c = colours.get(state, colours["plain"])
    radius = px(RADIUS, scale)
    d.rounded_rectangle(box, radius, fill=c["fill"])
    if state in HATCHED:
        _hatch(image, box, c["fill"], radius, scale)
    width = px(3 if state in OUTLINED else 2 if state in THICK else 1, scale)
    if state in DASHED:
        _dashed_rectangle(d, box, c["edge"], width, [px(v, scale) for v in DASH])
    elif state in DOTTED:
        _dashed_rectangle(d, box, c["edge"], width, (width, width + px(1, scale)))
    else:
        d.rounded_rectangle(box, radius, outline=c["edge"], width=width)
    if text:
        colour = palette.colour("muted" if state in MUTED else "text")
        d.text(((box[0] + box[2]) / 2, (box[1] + box[3]) / 2), text, font=f, fill=colour, anchor="mm")


def _hatch(image, box, fill, radius, scale):
    """view.css's --cc-hatch: 45° stripes of 7 % black, 2 px in every 7, inside the rounded box."""
    w, h = box[2] - box[0] + 1, box[3] - box[1] + 1
    tile = Image.new("RGB", (w, h), fill)
    stripe = tuple(round(v * 0.93) for v in fill)
    period, thick = max(3, round(7 * scale)), px(2, scale)
    td = ImageDraw.Draw(tile)
    for x in range(-h, w + period, period):
        td.line([(x, h), (x + h, 0)], fill=stripe, width=thick)
    mask = Image.new("L", (w, h), 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, w - 1, h - 1), radius, fill=255)
    image.paste(tile, box[:2], mask)


def _dashed_rectangle(d, box, colour, width, dash):
    """The four sides of ``box`` (far edges included) as dashes (on, off) ``width`` px thick, inside it."""
    x0, y0, x1, y1 = box
    on, off = dash
    for t in range(x0, x1 + 1, on + off):              # top and bottom
        d.rectangle((t, y0, min(t + on, x1), y0 + width - 1), fill=colour)
        d.rectangle((t, y1 - width + 1, min(t + on, x1), y1), fill=colour)
    for t in range(y0, y1 + 1, on + off):              # left and right
        d.rectangle((x0, t, x0 + width - 1, min(t + on, y1)), fill=colour)
        d.rectangle((x1 - width + 1, t, x1, min(t + on, y1)), fill=colour)


def _draw_image(image, d, box, img):
    """An image panel: its pixels scaled, crisp (image-rendering: pixelated), with a border."""
    image.paste(img.resize((box[2] - box[0], box[3] - box[1]), Image.NEAREST), box[:2])
    d.rectangle((box[0] - 1, box[1] - 1, box[2], box[3]), outline=palette.colour("border"))


def _draw_box(image, d, box, cls, outline, scale):
    """A box on an image (view.css's .cc-box-*): "cover" hides the cells still to do, "window"
    is dashed around the window, "tap" and "now" are an ``outline`` just outside their cells."""
    box = (box[0], box[1], box[2] - 1, box[3] - 1)
    edge = palette.state_colours()["patch"]["edge"]
    if cls == "cover":
        _hatch(image, box, palette.state_colours()["todo"]["fill"], 0, scale)
    elif cls == "window":
        _dashed_rectangle(d, box, edge, px(2, scale), [px(v, scale) for v in DASH])
    elif cls in ("tap", "now"):
        d.rectangle(box, outline=edge, width=outline)


def _draw_rect(image, d, box, fill):
    d.rectangle((box[0], box[1], box[2] - 1, box[3] - 1), fill=fill)


# -- The picture, and what is made of pictures. ------------------------------------------------
def picture(view, k=None, buildup=None, *, reading=None, scale: float = 1.0, legend: bool = True) -> Image.Image:
    """Step ``k`` of ``view`` at build-up ``buildup`` as an RGB image (defaults: what it shows now);
    ``scale`` multiplies every size (2.4 for a 1080p slide), ``legend=False`` leaves the legend out."""
    return layout(view, k, buildup, reading=reading, scale=scale, legend=legend).draw()


def frames(view, steps=None, *, buildup: bool = False, reading=None, scale: float = 1.0) -> list[Image.Image]:
    """Pictures of ``steps`` (default: all), each complete or, with ``buildup``, at every
    build-up position from 0 to complete; all on one canvas size (the largest)."""
    rd = view.readings[reading or view.reading]
    steps = range(rd["n"]) if steps is None else steps
    positions = range(rd["top"] + 1) if buildup else [rd["top"]]
    sheets = [layout(view, k, b, reading=rd["key"], scale=scale) for k in steps for b in positions]
    right, bottom = max(s.right for s in sheets), max(s.bottom for s in sheets)
    for sheet in sheets:
        sheet.right, sheet.bottom = right, bottom
    return [sheet.draw() for sheet in sheets]


def save_png(view, path, k=None, buildup=None, scale: float = 1.0, **kwargs) -> Path:
    """Write step ``k`` (at ``buildup``) of ``view`` as a PNG; returns the path."""
    picture(view, k, buildup, scale=scale, **kwargs).save(path, format="PNG")
    return Path(path)


def save_gif(view, path, steps=None, *, buildup: bool = False, duration_ms: int = 800,
             scale: float = 1.0, reading=None) -> Path:
    """Write ``steps`` (default: all) of ``view`` as a looping GIF, one frame per step (with
    ``buildup``: one per build-up position of each step); returns the path. (Pillow merges a frame
    identical to the one before it into it: their durations add up.)"""
    images = frames(view, steps, buildup=buildup, reading=reading, scale=scale)
    images[0].save(path, format="GIF", save_all=True, append_images=images[1:], duration=duration_ms, loop=0)
    return Path(path)


def strip(view, steps, *, across: bool = True, buildup=None, reading=None, scale: float = 1.0,
          legend: bool = False) -> Image.Image:
    """Several steps in one image for a handout: side by side (``across``) or stacked, a thin
    rule between them; the legend (off by default) is drawn under each when asked for."""
    images = [picture(view, k, buildup, reading=reading, scale=scale, legend=legend) for k in steps]
    gap, along = px(16, scale), 0 if across else 1          # ``along``: the axis they are laid along
    starts = list(accumulate((i.size[along] + gap for i in images), initial=0))
    size = [max(i.width for i in images), max(i.height for i in images)]
    size[along] = starts[-1] - gap
    out = Image.new("RGB", tuple(size), palette.colour("bg"))
    for image, s in zip(images, starts):
        out.paste(image, (s, 0) if across else (0, s))
    d = ImageDraw.Draw(out)
    for s in starts[1:-1]:                                   # a rule in the middle of each gap
        mid = s - gap // 2 - 1
        d.line([(mid, 0), (mid, size[1])] if across else [(0, mid), (size[0], mid)],
               fill=palette.colour("border"), width=1)
    return out
