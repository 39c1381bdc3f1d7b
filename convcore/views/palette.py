"""THE colours of every convcore view, defined once in static/view.css (each state's ``--fill`` and
``--edge`` in its ``.cc-s-<state>`` rule; ``--cc-text``, ``--cc-negative``, …): the browser uses them there, and
everything Pillow draws (pictures, heatmaps) reads them here. They are the Okabe-Ito palette, which
stays distinguishable under the common forms of colour blindness, one per role everywhere: input sky
blue, kernel orange, the patch and the output cell it computes vermillion (outlined), padding grey
(hatched), computed outputs bluish green; signed values blue - white (zero) - vermillion.
"""
from __future__ import annotations

import functools
import re
from pathlib import Path

import numpy as np

VIEW_CSS = Path(__file__).parent / "static" / "view.css"
# a colour: "#CDEEE3;", or a theme variable's fallback: "var(--jp-layout-color0, #ffffff);"
_HEX = r"\s*(?:var\(--[\w-]+,\s*)?(#[0-9A-Fa-f]{6})\)?\s*;"
_PROPERTY = re.compile(r"--cc-([a-z0-9-]+)\s*:" + _HEX)
_STATE = re.compile(r"\.cc-s-([a-z-]+)\s*\{\s*--fill:" + _HEX + r"\s*--edge:" + _HEX)


@functools.cache
def custom_properties() -> dict[str, str]:
    """Every ``--cc-<name>`` of view.css with a hex colour, as {name: "#rrggbb"} (the light theme's).

    >>> custom_properties()["text"], custom_properties()["bg"]
    ('#111111', '#ffffff')
    """
    props: dict[str, str] = {}
    for name, value in _PROPERTY.findall(VIEW_CSS.read_text(encoding="utf-8")):
        props.setdefault(name, value)       # the first definition wins: the dark theme's come later
    return props


def hex_to_rgb(colour: str) -> tuple[int, int, int]:
    """'#D55E00' -> (213, 94, 0), for Pillow drawing."""
    return tuple(int(colour.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4))


def colour(name: str) -> tuple[int, int, int]:
    """One custom property as RGB: colour("text") is ``--cc-text``."""
    return hex_to_rgb(custom_properties()[name])


@functools.cache
def state_colours() -> dict[str, dict[str, tuple[int, int, int]]]:
    """{state: {"fill": (r, g, b), "edge": (r, g, b)}} for every state view.css defines.

    >>> state_colours()["done"]
    {'fill': (205, 238, 227), 'edge': (0, 158, 115)}
    """
    return {state: {"fill": hex_to_rgb(fill), "edge": hex_to_rgb(edge)}
            for state, fill, edge in _STATE.findall(VIEW_CSS.read_text(encoding="utf-8"))}


# The diverging map, 255 colours for -1 to 1: --cc-negative (blue), --cc-zero (white, the middle
# entry), --cc-positive (vermillion), each value a straight line from zero's colour to its end's.
_NEG, _ZERO, _POS = (np.array(colour(c), float) for c in ("negative", "zero", "positive"))
_T = np.linspace(-1.0, 1.0, 255)[:, None]
DIVERGING_LUT = (_ZERO + np.abs(_T) * (np.where(_T < 0, _NEG, _POS) - _ZERO)).round().astype(np.uint8)


def diverging(values, limit: float | None = None) -> np.ndarray:
    """RGB uint8 image of ``values`` on the diverging map, 0 always white; ``limit`` is the magnitude
    that gets the full colour (default: the largest |value|).

    >>> diverging([[-1, 0, 1]])[0].tolist()
    [[0, 114, 178], [255, 255, 255], [213, 94, 0]]
    """
    v = np.asarray(values, dtype=float)
    if limit is None:
        limit = float(np.abs(v).max()) if v.size else 1.0
    t = np.clip(v / (limit or 1.0), -1.0, 1.0)
    return DIVERGING_LUT[np.rint((t + 1.0) * 0.5 * (len(DIVERGING_LUT) - 1)).astype(np.intp)]
