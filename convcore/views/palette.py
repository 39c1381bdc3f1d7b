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

