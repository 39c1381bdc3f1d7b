"""One way to write a number, used by every view, equation and GIF frame."""
from __future__ import annotations

import numpy as np


def fmt(value) -> str:
    """Integers as integers; floats compactly (at most 3 decimals, no trailing zeros).

    >>> fmt(13), fmt(np.int64(-2)), fmt(2.0), fmt(0.125), fmt(1/3), fmt(-0.00012), fmt(True)
    ('13', '-2', '2', '0.125', '0.333', '-0.00012', '1')
    """
    if isinstance(value, (bool, int, np.bool_, np.integer)):
        return str(int(value))
    v = float(value)
    if np.isfinite(v) and abs(v) < 1e15 and v == int(v):
        return str(int(v))
    if not 1e-3 <= abs(v) < 1e6:                            # very large or small, nan, inf
        return f"{v:.3g}"
    return f"{v:.3f}".rstrip("0").rstrip(".")               # at least 0.001: never "-0"


def factor(value) -> str:
    """A number as a factor in a product: negatives in brackets, ``3·(-1)``."""
    text = fmt(value)
    return f"({text})" if text.startswith("-") else text


def label(name: str, index) -> str:
    """An element named by its index: ``label("x", (0, 1, 2))`` is "x[0, 1, 2]"."""
    return f"{name}[{', '.join(str(int(i)) for i in index)}]"


def product_line(pairs, value, left: str = "") -> str:
    """"a·b + c·d + … = v" with negative factors in brackets (at most 12 terms written).

    >>> product_line([(1, -1), (2, 3)], 5, "y[0]")
    'y[0] = 1·(-1) + 2·3 = 5'
    """
    terms = [f"{factor(a)}·{factor(b)}" for a, b in pairs]
    if len(terms) > 12:
        terms = terms[:6] + ["…"] + terms[-5:]
    body = " + ".join(terms) if terms else "0 (no terms)"
    joint = " " if left.endswith(":") else " = " if left else ""
    return f"{left}{joint}{body} = {fmt(value)}"
