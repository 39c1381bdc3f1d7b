"""The picture writer (views/picture.py): a view's step drawn with Pillow from its records.

The view here is hand-made data on the step-record schema (views/schema.py): a 1-D input with
padding, a small kernel, an output computed in order, and a heatmap with boxes; 3 steps, a
build-up of 2 terms, a legend and a note.
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from convcore.views import palette, picture
from convcore.views.view import View

CSS = Path(picture.__file__).parent / "static" / "view.css"

x = [0, 1, 2, 3, 0]                     # the input with one padding cell at each end
w = [1, 1, 1]
y = [3, 6, 5]                           # y[k] = x[k] + x[k+1] + x[k+2]
heat = np.arange(16).reshape(4, 4) - 8  # the heatmap's values (4 × 4, negative to positive)


def data() -> dict:
    """One reading, three steps, each with two build-up positions before it is complete."""
    steps = []
    for k in range(3):
        terms = [f"{w[j]}·{x[k + j]}" for j in range(3)]
        patch = {f"0,{k + j}": ("pad-patch" if k + j in (0, 4) else "patch") for j in range(3)}
        steps.append({
            "h": f"Step {k}: output {k} is the sum of input cells {k} to {k + 2}, each times its weight.",
            "say": f"y[{k}] = {y[k]}",
            "set": {"x": {"s": patch}, "img": {"boxes": [[0, k, 2, 2, "window"], [3, 3, 1, 1, "now"],
                                                       [2, 0, 2, 4, "cover"]]}},
            "lines": [["sum", " + ".join(terms)], ["total", f"y[{k}] = {y[k]}"]],
            "value": str(y[k]), "pos": [k],
            # build-up b adds the first b terms
            "build": [{"lines": [["sum", " + ".join(terms[:b]) or "…"]], "say": f"{b} terms",
                       "value": str(sum(w[j] * x[k + j] for j in range(b))) if b else "…"}
                      for b in range(2)],
        })
    panels = {
        "x": {"title": "input x (padded)", "role": "in-cell", "t": [[str(v) for v in x]],
              "s": [["pad", "plain", "plain", "plain", "pad"]], "cl": ["-1", "0", "1", "2", "3"]},
        "w": {"title": "kernel w", "role": "kernel-cell", "t": [[str(v) for v in w]], "s": [["kernel"] * 3],
              "small": True},
        "y": {"title": "output y", "role": "out-cell", "t": [[str(v) for v in y]], "s": [["todo"] * 3],
              "order": [[0, 1, 2]], "rl": ["y"]},
        "img": {"title": "a heatmap", "role": "cell", "t": [], "s": [],
                "image": picture.png_data_uri(Image.fromarray(palette.diverging(heat))), "px": 12},
    }
    legend = [["plain", "input"], ["pad", "padding"], ["patch", "under the kernel"], ["kernel", "weights"],
              ["done", "computed"], ["current", "computing now"], ["todo", "to do"]]
    reading = {"key": "only", "label": "only", "n": 3, "rows": [["x", "w"], ["y", "img"]], "panels": panels,
               "legend": legend, "notes": [["note", "The kernel is [1, 1, 1]; padding is 1."]], "top": 2,
               "unit": "term", "positions": [["k", "step", 2]], "table": [0, 1, 2], "first": 0, "steps": steps,
               "block": 0, "held": None}
    return {"kind": "stepper1d", "example": None, "readings": [reading], "reading": "only"}


@pytest.fixture
def view():
    return View(data())


def rgb(image):
    return np.asarray(image.convert("RGB"))


def inside(image, box, inset):
    """The pixels of ``box`` without its outer ``inset`` pixels (the edge)."""
    x0, y0, x1, y1 = box
    return rgb(image)[y0 + inset:y1 - inset + 1, x0 + inset:x1 - inset + 1].reshape(-1, 3)


def most_common(pixels):
    colours, counts = np.unique(pixels, axis=0, return_counts=True)
    return tuple(int(v) for v in colours[counts.argmax()])


def dark(pixels):
    """How many pixels are text-dark (every channel under 100)."""
    return int((pixels < 100).all(axis=1).sum())


STATE = palette.state_colours()


# -- the colours come from view.css ------------------------------------------------------------
def test_colours_are_the_hex_of_view_css():
    css = CSS.read_text()
    for state in ("current", "done", "pad"):
        rule = re.search(rf"\.cc-s-{state} \{{ --fill: #(\w{{6}}); --edge: #(\w{{6}});", css)
        for part, hexa in zip(("fill", "edge"), rule.groups()):
            assert STATE[state][part] == tuple(int(hexa[i:i + 2], 16) for i in (0, 2, 4))
    assert palette.colour("text") == palette.hex_to_rgb(re.search(r"--cc-text:\s*(#\w{6})", css).group(1))
    neg = palette.hex_to_rgb(re.search(r"--cc-negative:\s*(#\w{6})", css).group(1))
    assert tuple(palette.diverging([[-1, 0, 1]])[0][0]) == neg


# -- each cell is drawn in its state's colours, with its text ----------------------------------
@pytest.mark.parametrize("scale", [1.0, 2.4])
def test_cells_take_the_fill_of_their_state(view, scale):
    sheet = picture.layout(view, 1, scale=scale)
    image = sheet.draw()
    inset = round(4 * scale)
    cell = lambda pid, c: inside(image, sheet.cells[(pid, 0, c)], inset)
    assert most_common(cell("y", 0)) == STATE["done"]["fill"]
    assert most_common(cell("y", 1)) == STATE["current"]["fill"]
    assert most_common(cell("y", 2)) == STATE["todo"]["fill"]
    assert most_common(cell("x", 2)) == STATE["patch"]["fill"]
    assert most_common(cell("x", 4)) == STATE["pad"]["fill"]
    # the current cell's edge: 3 px of the patch's vermillion just inside its box
    x0, y0, x1, y1 = sheet.cells[("y", 0, 1)]
    assert tuple(rgb(image)[(y0 + y1) // 2, x0 + 1]) == STATE["current"]["edge"]


def test_text_is_drawn_in_the_cells(view):
    sheet = picture.layout(view, 1)
    image = sheet.draw()
    cell = lambda pid, c: inside(image, sheet.cells[(pid, 0, c)], 4)
    assert dark(cell("y", 0)) > 10          # "3", done
    assert dark(cell("y", 1)) > 10          # "6", the current value
    assert dark(cell("y", 2)) == 0          # to do: blank
    assert dark(cell("w", 0)) > 3           # the small kernel panel has its numbers too


def test_padding_is_hatched(view):
    sheet = picture.layout(view, 2)
    image = sheet.draw()
    stripe = tuple(round(v * 0.93) for v in STATE["pad"]["fill"])
    pixels = inside(image, sheet.cells[("x", 0, 0)], 3)
    assert (pixels == stripe).all(axis=1).sum() > 10
    assert (inside(image, sheet.cells[("x", 0, 1)], 3) == stripe).all(axis=1).sum() == 0   # plain: none


def test_small_panels_are_smaller(view):
    sheet = picture.layout(view, 0)
    kernel, inp = sheet.cells[("w", 0, 0)], sheet.cells[("x", 0, 1)]
    assert kernel[3] - kernel[1] < 0.7 * (inp[3] - inp[1])
    # their 1 px gap is still there: background between the first two kernel cells
    image = rgb(sheet.draw())
    assert tuple(image[(kernel[1] + kernel[3]) // 2, kernel[2]]) == palette.colour("bg")


# -- the picture follows the screen: steps, build-up ------------------------------------------
def test_pictures_differ_where_the_screen_differs(view):
    sheets = [picture.layout(view, k) for k in range(3)]
    images = [rgb(s.draw()) for s in sheets]
    for k in range(3):
        for c in range(3):
            box = sheets[k].cells[("y", 0, c)]
            fill = STATE["done" if c < k else "current" if c == k else "todo"]["fill"]
            assert most_common(inside(Image.fromarray(images[k]), box, 4)) == fill
    # the same screen twice gives the same picture; another build-up another picture
    assert (rgb(picture.picture(view, 1)) == images[1]).all()
    partial = picture.layout(view, 1, 0)
    assert dark(inside(partial.draw(), partial.cells[("y", 0, 1)], 4)) != dark(
        inside(sheets[1].draw(), sheets[1].cells[("y", 0, 1)], 4))


def test_image_panel_shows_the_pixels_and_the_boxes(view):
    sheet = picture.layout(view, 1)
    image = rgb(sheet.draw())
    box = next(b for kind, name, b in sheet.items if kind == "image")
    cell = 12                                   # the panel's px at scale 1
    # heat[1, 0] (negative: blue) sits in the image's row 1, column 0; row 2 on is covered
    r, c = 1, 0
    centre = image[box[1] + r * cell + cell // 2, box[0] + c * cell + cell // 2]
    assert tuple(centre) == tuple(palette.diverging(heat)[r, c])
    assert most_common(image[box[1] + 2 * cell:box[3], box[0]:box[2]].reshape(-1, 3)) == STATE["todo"]["fill"]
    # the "now" box: a vermillion outline around the cell at row 3, column 3
    edge = STATE["patch"]["edge"]
    assert tuple(image[box[1] + 3 * cell + cell // 2, box[0] + 3 * cell - 1]) == edge


# -- layout: sizes, wrapping, nothing overlapping -------------------------------------------------
def test_scale_two_is_about_twice_the_size(view):
    one, two = picture.picture(view, 0), picture.picture(view, 0, scale=2)
    assert 1.9 < two.width / one.width < 2.1 and 1.9 < two.height / one.height < 2.1


def test_long_texts_wrap_inside_the_picture(view):
    d = data()
    d["readings"][0]["steps"][0]["h"] = "a long header " * 60
    long_ = View(d)
    short, tall = picture.picture(view, 0), picture.picture(long_, 0)
    assert tall.width == short.width and tall.height > short.height + 100
    margin = rgb(tall)[:, -picture.MARGIN + 2:]     # the right margin stays empty
    assert (margin == palette.colour("bg")).all()
    # a word longer than the width cannot wrap: the canvas grows to hold it
    d["readings"][0]["steps"][0]["lines"] = [["formula", "x" * 200]]
    wide = picture.picture(View(d), 0)
    assert wide.width > short.width + 500
    assert (rgb(wide)[:, -picture.MARGIN + 2:] == palette.colour("bg")).all()


def test_nothing_overlaps(view):
    for k, b in [(0, None), (1, 0), (2, 1)]:
        sheet = picture.layout(view, k, b, scale=1.7)
        items = sheet.items
        for i, (_, name_a, a) in enumerate(items):
            for _, name_b, bb in items[i + 1:]:
                overlap = a[0] < bb[2] and bb[0] < a[2] and a[1] < bb[3] and bb[1] < a[3]
                assert not overlap, (name_a, a, name_b, bb)
        image = sheet.draw()
        assert all(b[2] <= image.width and b[3] <= image.height for _, _, b in items)


def test_legend_and_notes(view):
    with_legend, without = picture.layout(view, 0), picture.layout(view, 0, legend=False)
    assert [n for k, n, _ in with_legend.items if k == "swatch"] == [s for s, _ in data()["readings"][0]["legend"]]
    assert not [1 for k, *_ in without.items if k == "swatch"]
    assert any(n == "note" for _, n, _ in without.items)


def test_default_font_when_dejavu_is_missing(view, monkeypatch):
    monkeypatch.setattr(picture, "FONT_DIR", Path("/nowhere"))
    picture.font.cache_clear()
    try:
        sheet = picture.layout(view, 1)
        assert dark(inside(sheet.draw(), sheet.cells[("y", 0, 1)], 4)) > 5
    finally:
        picture.font.cache_clear()


# -- files ---------------------------------------------------------------------------------------
def test_gif_has_a_frame_per_step_and_per_buildup(view, tmp_path):
    with Image.open(picture.save_gif(view, tmp_path / "a.gif")) as gif:
        assert gif.n_frames == 3 and gif.info["loop"] == 0
    with Image.open(picture.save_gif(view, tmp_path / "b.gif", buildup=True)) as gif:
        assert gif.n_frames == 3 * 3
    with Image.open(picture.save_gif(view, tmp_path / "c.gif", steps=[2, 0], duration_ms=300)) as gif:
        assert gif.n_frames == 2 and gif.info["duration"] == 300
        # the GIF's palette keeps view.css's fills exactly: frame 0 is step 2, its current cell
        sheet = picture.layout(view, 2)
        assert most_common(inside(gif.convert("RGB"), sheet.cells[("y", 0, 2)], 4)) == STATE["current"]["fill"]
        gif.seek(1)                                           # step 0: that cell is still to do
        assert most_common(inside(gif.convert("RGB"), sheet.cells[("y", 0, 2)], 4)) == STATE["todo"]["fill"]


def test_png_strip_and_data_uri(view, tmp_path):
    path = picture.save_png(view, tmp_path / "s.png", k=2, scale=1.5)
    with Image.open(path) as png:
        assert png.format == "PNG" and png.size == picture.picture(view, 2, scale=1.5).size
    one = picture.picture(view, 0, legend=False)
    across, stacked = picture.strip(view, [0, 1, 2]), picture.strip(view, [0, 1], across=False)
    assert across.width >= 3 * one.width and across.height == one.height
    assert stacked.height >= 2 * one.height and stacked.width == one.width
    back = picture.decode(picture.png_data_uri(one))
    assert (rgb(back) == rgb(one)).all()
