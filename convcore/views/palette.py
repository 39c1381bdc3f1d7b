"""THE colour convention of every convcore view, read from the one place it is defined:
the custom properties of static/view.css (``--cc-<state>-fill``, ``--cc-<state>-edge``,
``--cc-text``, ``--cc-muted``, ``--cc-negative/zero/positive``).

Colours come from the Okabe-Ito palette, which stays distinguishable under
the common forms of colour blindness. Each role of a convolution has one
colour everywhere (HTML views, heatmaps and GIF frames):

* input    sky blue   the numbers being read
* kernel   orange     the weights
* patch    vermillion the input cells under the kernel right now (outline),
                      and the output cell they are computing (same outline)
* padding  grey       positions outside the input (hatched)
* output   bluish green for cells already computed; todo cells stay blank

Signed values on heatmaps use a diverging map centred on zero:
blue (negative) - white (zero) - vermillion (positive).
"""
from __future__ import annotations

import functools
import re
from pathlib import Path

import numpy as np

# The colours themselves live in one place, static/view.css, as custom properties
# (``--cc-plain-fill: #DDF0FB;``). The browser uses them there; this module reads the same
# lines for everything Pillow draws (the PNG and GIF pictures, the heatmaps).
VIEW_CSS = Path(__file__).parent / "static" / "view.css"
# "--cc-done-fill: #CDEEE3;" and, for the page's colours, the fallback of a theme variable:
# "--cc-bg: var(--jp-layout-color0, #ffffff);" gives #ffffff (a light page, as on paper).
_PROPERTY = re.compile(r"--cc-([a-z0-9-]+)\s*:\s*(?:var\(--[\w-]+,\s*)?(#[0-9A-Fa-f]{6})\)?\s*;")


@functools.cache
def custom_properties() -> dict[str, str]:
    """Every ``--cc-<name>`` of view.css with a hex colour, as {name: "#rrggbb"}.

    The first definition of a name wins: the light one (the dark theme's come later).

    >>> custom_properties()["done-fill"], custom_properties()["bg"]
    ('#CDEEE3', '#ffffff')
    """
    props: dict[str, str] = {}
    for name, value in _PROPERTY.findall(VIEW_CSS.read_text(encoding="utf-8")):
        props.setdefault(name, value)
    return props


def hex_to_rgb(colour: str) -> tuple[int, int, int]:
    """'#D55E00' -> (213, 94, 0), for Pillow drawing."""
    colour = colour.lstrip("#")
    return tuple(int(colour[i:i + 2], 16) for i in (0, 2, 4))


def colour(name: str) -> tuple[int, int, int]:
    """One custom property as RGB: colour("text") is ``--cc-text``."""
    return hex_to_rgb(custom_properties()[name])


def state_colours() -> dict[str, dict[str, tuple[int, int, int]]]:
    """{state: {"fill": (r, g, b), "edge": (r, g, b)}} for every state view.css defines."""
    props = custom_properties()
    names = [n[:-len("-fill")] for n in props if n.endswith("-fill")]
    return {n: {"fill": hex_to_rgb(props[f"{n}-fill"]), "edge": hex_to_rgb(props[f"{n}-edge"])}
            for n in names if f"{n}-edge" in props}


# The old views' names for the same colours (hex strings), read from view.css like the rest.
# They go with the old views; new code asks state_colours() or colour().
def _hex_pair(state: str) -> dict[str, str]:
    props = custom_properties()
    return {"fill": props[f"{state}-fill"], "edge": props[f"{state}-edge"]}


OKABE_ITO = {
    "orange": "#E69F00", "sky_blue": "#56B4E9", "bluish_green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7", "black": "#000000",
}
STATE_COLOURS = {s: _hex_pair(s) for s in ("plain", "patch", "pad", "pad-patch", "done", "current",
                                           "todo", "kernel", "other-group", "active")}
INPUT, KERNEL, PATCH = STATE_COLOURS["plain"], STATE_COLOURS["kernel"], STATE_COLOURS["patch"]
PADDING, PAD_PATCH = STATE_COLOURS["pad"], STATE_COLOURS["pad-patch"]
OUTPUT_DONE, OUTPUT_CURRENT, OUTPUT_TODO = STATE_COLOURS["done"], STATE_COLOURS["current"], STATE_COLOURS["todo"]
OTHER_GROUP, ACTIVE_TAP, UNREAD = STATE_COLOURS["other-group"], STATE_COLOURS["active"], _hex_pair("unread")
TEXT = custom_properties()["text"]          # on every palette fill (all light tints: 7:1 or more)
MUTED_TEXT = custom_properties()["muted"]   # padding and other-group cells (still 5:1 or more)

# Page colours come from JupyterLab's theme variables (Light, Dark, high contrast), with
# fallbacks for Voila without a theme and static pages; palette fills carry their own text colour.
FG = "var(--jp-content-font-color1, #1f1f1f)"
BG = "var(--jp-layout-color0, #ffffff)"
BG_SOFT = "var(--jp-layout-color1, #fafafa)"
UI_FG = "var(--jp-ui-font-color1, #1f1f1f)"
UI_BG = "var(--jp-layout-color2, #eeeeee)"
BORDER = "var(--jp-border-color1, #9e9e9e)"


def css() -> str:
    """The old views' whole stylesheet, generated from the colours above. Going: the views on
    the step-record schema use static/view.css; this goes when the last old view does."""
    v = ".convcore-view"

    def state(name, colours, extra=""):
        return (f"{v} .cc-s-{name}{{background-color:{colours['fill']};border-color:{colours['edge']};"
                f"color:{TEXT};{extra}}}")
    outline = f"box-shadow:inset 0 0 0 3px {PATCH['edge']};font-weight:700;"
    hatch = "background-image:repeating-linear-gradient(45deg,transparent 0 5px,rgba(0,0,0,.06) 5px 7px);"
    return "\n".join([
        f"{v}{{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:{FG};background:{BG};"
        "font-size:16px;line-height:1.3;padding:4px 2px;}",
        f"{v} .cc-controls{{display:flex;flex-wrap:wrap;gap:6px 12px;align-items:center;margin:2px 0 6px 0;}}",
        f"{v} .cc-controls label{{display:inline-flex;gap:6px;align-items:center;font-size:14px;}}",
        f"{v} button,{v} select{{font:inherit;font-size:14px;color:{UI_FG};background:{UI_BG};"
        f"border:1px solid {BORDER};border-radius:4px;padding:3px 10px;cursor:pointer;}}",
        f"{v} button:focus-visible,{v} input:focus-visible,{v} select:focus-visible{{outline:3px solid {OKABE_ITO['blue']};"
        "outline-offset:1px;}",
        f"{v} input[type=range]{{accent-color:{OKABE_ITO['vermillion']};}}",
        f"{v} input[data-role=step-slider]{{width:420px;max-width:60vw;}}",
        f"{v} output{{font-variant-numeric:tabular-nums;min-width:3.5em;font-size:14px;}}",
        f"{v} .cc-header{{font-size:17px;margin:2px 0 8px 0;}}",
        f"{v} .cc-main{{display:flex;flex-wrap:wrap;gap:18px 28px;align-items:flex-start;}}",
        f"{v} .cc-col{{display:flex;flex-direction:column;gap:10px;}}",
        f"{v} .cc-cards,{v} .cc-outputs{{display:flex;flex-wrap:wrap;gap:10px 18px;align-items:flex-start;}}",
        f"{v} .cc-card{{display:flex;flex-direction:column;gap:6px;padding:6px 8px;border:1px solid {BORDER};"
        "border-radius:6px;}",
        f"{v} .cc-pair,{v} .cc-mv{{display:flex;gap:10px;align-items:center;}}",
        f"{v} .cc-op{{font-size:22px;}}",
        f"{v} .cc-title{{font-size:14px;margin-bottom:3px;white-space:nowrap;}}",
        f"{v} .cc-grid{{display:grid;gap:2px;grid-auto-rows:34px;}}",
        f"{v} .cc-cell{{box-sizing:border-box;min-width:34px;height:34px;padding:0 3px;display:flex;"
        "align-items:center;justify-content:center;border:1px solid;font-variant-numeric:tabular-nums;border-radius:3px;"
        # Each cell paints on its own: a step repaints the cells it changes, not their grid
        # (paint time per frame halves on the 196-cell checkerboard; a cell's own border,
        # shadow and outline are not clipped, and its text never overflows it).
        "contain:paint;}",
        f"{v} .cc-unused .cc-cell{{min-width:20px;height:20px;font-size:11px;padding:0 1px;}}",
        f"{v} .cc-unused .cc-grid{{grid-auto-rows:20px;gap:1px;}}",
        state("plain", INPUT), state("kernel", KERNEL), state("patch", PATCH, outline),
        state("pad", PADDING, f"border-style:dashed;color:{MUTED_TEXT};{hatch}"),
        state("pad-patch", PAD_PATCH, outline + hatch),
        state("done", OUTPUT_DONE), state("current", OUTPUT_CURRENT, outline), state("todo", OUTPUT_TODO, "border-style:dotted;"),
        state("other-group", OTHER_GROUP, f"color:{MUTED_TEXT};"),
        f"{v} .cc-unused .cc-cell,{v} .cc-unused .cc-cell.cc-s-pad{{background-color:{OTHER_GROUP['fill']};"
        f"border-color:{OTHER_GROUP['edge']};color:{MUTED_TEXT};box-shadow:none;}}",
        f"{v} .cc-unread{{background-color:{UNREAD['fill']};border:2px dotted {UNREAD['edge']};color:{TEXT};}}",
        f"{v} .cc-cell.cc-building{{font-style:italic;color:#7a4a00;}}",
        f"{v} .cc-cell.cc-active{{background-color:{ACTIVE_TAP['fill']};color:{TEXT};}}",
        f"{v} .cc-row-on{{{outline}}}",
        f"{v} .cc-vec{{display:grid;gap:2px;grid-auto-rows:34px;grid-template-columns:max-content;}}",
        f"{v} .cc-big{{font-size:24px;}}",
        f"{v} .cc-eq{{font-size:16px;max-width:380px;}}",
        f"{v} .cc-term{{white-space:nowrap;}}",
        f"{v} .cc-partial{{font-weight:700;padding:0 4px;border-radius:3px;background-color:{OUTPUT_CURRENT['fill']};"
        f"color:{TEXT};}}",
        f"{v} .cc-total{{font-size:18px;padding:6px 10px;border-left:4px solid {PATCH['edge']};background:{BG_SOFT};}}",
        f"{v} .cc-value{{font-weight:700;padding:0 5px;border-radius:3px;box-shadow:inset 0 0 0 2px {PATCH['edge']};"
        f"background-color:{OUTPUT_CURRENT['fill']};color:{TEXT};}}",
        f"{v} .cc-legend{{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:13px;margin-top:8px;}}",
        f"{v} .cc-swatch{{display:inline-block;width:14px;height:14px;border:1px solid;vertical-align:-2px;"
        "margin-right:4px;border-radius:2px;}",
        f"{v} .cc-note{{font-size:14px;}}",
        f"{v} .cc-note:empty{{display:none;}}",
        f"{v} .cc-sr{{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;}}",
        f".convcore-error{{color:#8a1c00;background:#fff1ec;border:2px solid {OKABE_ITO['vermillion']};padding:6px 10px;"
        "border-radius:4px;white-space:pre-wrap;font-family:ui-monospace,monospace;font-size:14px;}",
        ".convcore-error:empty{display:none;}",
        # heatmaps: images set once, boxes moved per step
        f"{v} .cc-heat{{position:relative;background-size:100% 100%;image-rendering:pixelated;border:1px solid {BORDER};}}",
        f"{v} .cc-box{{position:absolute;box-sizing:border-box;pointer-events:none;}}",
        f"{v} .cc-tap{{outline:2px solid {PATCH['edge']};background:rgba(255,255,255,.25);}}",
        f"{v} .cc-tap.cc-active{{background:{ACTIVE_TAP['fill']};}}",
        f"{v} .cc-window{{border:2px dashed {PATCH['edge']};}}",
        f"{v} .cc-cover{{background:{OUTPUT_TODO['fill']};background-image:repeating-linear-gradient("
        "45deg,transparent 0 6px,rgba(0,0,0,.05) 6px 8px);}",
        f"{v} .cc-now{{outline:3px solid {PATCH['edge']};font-size:0;color:transparent;}}",
        f"{v} .cc-heat.cc-unused{{opacity:.35;}}",
        f"{v} .cc-heat-numbers .cc-cell{{height:30px;font-size:14px;}}",
        f"{v} .cc-heat-numbers .cc-grid{{grid-auto-rows:30px;}}",
    ])

# Diverging map of the heatmaps: negative -> blue, 0 -> white, positive -> vermillion,
# the three ends read from view.css (--cc-negative, --cc-zero, --cc-positive).
def _build_lut(n: int = 255) -> np.ndarray:
    negative, zero, positive = (np.array(colour(c), float) for c in ("negative", "zero", "positive"))
    t = np.linspace(-1.0, 1.0, n)[:, None]
    neg = zero + (-np.minimum(t, 0)) * (negative - zero)
    pos = zero + np.maximum(t, 0) * (positive - zero)
    return np.where(t < 0, neg, pos).round().astype(np.uint8)


DIVERGING_LUT = _build_lut()   # (255, 3) uint8; the middle entry (127) is exactly white = zero


def diverging(values, limit: float | None = None) -> np.ndarray:
    """RGB uint8 image of ``values`` on the diverging map, centred on zero.

    ``limit`` is the magnitude that gets the full colour (default: the
    largest |value|), so 0 is always white whatever the data's range.

    >>> diverging([[-1, 0, 1]])[0].tolist()
    [[0, 114, 178], [255, 255, 255], [213, 94, 0]]
    """
    v = np.asarray(values, dtype=float)
    if limit is None:
        limit = float(np.abs(v).max()) if v.size else 1.0
    limit = limit or 1.0
    t = np.clip(v / limit, -1.0, 1.0)
    idx = np.rint((t + 1.0) * 0.5 * (len(DIVERGING_LUT) - 1)).astype(np.intp)
    return DIVERGING_LUT[idx]

