"""THE colour convention of every convcore view, defined once.

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

import numpy as np

# Okabe-Ito base colours
OKABE_ITO = {
    "orange": "#E69F00", "sky_blue": "#56B4E9", "bluish_green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7", "black": "#000000",
}

# One role -> (fill, edge). Fills are light tints so black numbers stay readable.
INPUT = {"fill": "#DDF0FB", "edge": OKABE_ITO["sky_blue"]}
KERNEL = {"fill": "#FCE8BD", "edge": OKABE_ITO["orange"]}
PATCH = {"fill": "#FCE8BD", "edge": OKABE_ITO["vermillion"]}   # the kernel sitting on the input
PADDING = {"fill": "#ECECEC", "edge": "#A0A0A0"}
PAD_PATCH = {"fill": "#F5DDB8", "edge": OKABE_ITO["vermillion"]}
OUTPUT_DONE = {"fill": "#CDEEE3", "edge": OKABE_ITO["bluish_green"]}
OUTPUT_CURRENT = {"fill": "#FCE8BD", "edge": OKABE_ITO["vermillion"]}
OUTPUT_TODO = {"fill": "#FFFFFF", "edge": "#C8C8C8"}
OTHER_GROUP = {"fill": "#F4F4F4", "edge": "#D0D0D0"}           # channels this step does not read
ACTIVE_TAP = {"fill": OKABE_ITO["yellow"], "edge": OKABE_ITO["vermillion"]}
TEXT = "#111111"
MUTED_TEXT = "#777777"

# State name (as used in the DOM contract) -> colours.
STATE_COLOURS = {
    "plain": INPUT, "patch": PATCH, "pad": PADDING, "pad-patch": PAD_PATCH,
    "done": OUTPUT_DONE, "current": OUTPUT_CURRENT, "todo": OUTPUT_TODO,
    "kernel": KERNEL, "other-group": OTHER_GROUP, "active": ACTIVE_TAP,
}

# Diverging map: negative -> blue, 0 -> white, positive -> vermillion.
_NEGATIVE = np.array([0x00, 0x72, 0xB2], dtype=float)
_ZERO = np.array([0xFF, 0xFF, 0xFF], dtype=float)
_POSITIVE = np.array([0xD5, 0x5E, 0x00], dtype=float)


def _build_lut(n: int = 255) -> np.ndarray:
    t = np.linspace(-1.0, 1.0, n)[:, None]
    neg = _ZERO + (-np.minimum(t, 0)) * (_NEGATIVE - _ZERO)
    pos = _ZERO + np.maximum(t, 0) * (_POSITIVE - _ZERO)
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


def hex_to_rgb(colour: str) -> tuple[int, int, int]:
    """'#D55E00' -> (213, 94, 0), for Pillow drawing."""
    colour = colour.lstrip("#")
    return tuple(int(colour[i:i + 2], 16) for i in (0, 2, 4))
