"""Compare what a view displays (its DOM contract) with convcore's trace, computed here.

A snapshot (``browser_driver.JS_SNAPSHOT``) holds the view's ``data-step`` and
``data-buildup``, its output cells, input cells, kernel cells, product terms,
partial sums and value, as the page shows them. ``mismatches(snapshot,
trace)`` lists every way they differ from ``trace[step]`` and
``trace.output``; an empty list means the view shows exactly the trace's
numbers for that step (and, part-way through a build-up, exactly the products
revealed so far, in order).
"""
from __future__ import annotations

import math
import re

import numpy as np

# data-state values that mean "under the kernel right now" for an input cell.
PATCH_STATES = {"patch", "pad-patch"}
OUT_STATES = {"done", "current", "todo"}
LONG_SUM = 12              # sums with more terms may be elided in the middle
TERM_BY_TERM_LIMIT = 9     # issue 4: term by term for small kernels, channel by channel otherwise

_NUM = re.compile(r"[-−–]?\d+(?:\.\d+)?(?:[eE][-+−]?\d+)?")


def number(text: str | None) -> float | None:
    """The number a displayed text shows (the last one, so ``"1·1 + 6·1 = 7"`` reads 7)."""
    found = _NUM.findall(text or "")
    if not found:
        return None
    return float(found[-1].replace("−", "-").replace("–", "-"))


def num_ok(text: str | None, expected) -> bool:
    """Whether ``text`` shows ``expected`` to the precision it is written with."""
    found = _NUM.findall(text or "")
    if not found:
        return False
    s = found[-1].replace("−", "-").replace("–", "-")
    shown = float(s)
    expected = float(expected)
    mantissa, _, exp = s.lower().partition("e")
    places = len(mantissa.split(".")[1]) if "." in mantissa else 0
    scale = 10.0 ** (int(exp) if exp else 0)
    if places == 0 and not exp and expected != int(expected):
        # an integer shown for a non-integer: only fine if it is the rounded value
        return abs(shown - expected) <= 0.5 + 1e-9 and abs(expected) >= 1e3
    return abs(shown - expected) <= 0.5 * 10.0 ** (-places) * scale * (1 + 1e-9) + 1e-12


def parse_index(text: str | None) -> tuple[int, ...] | None:
    if text is None or text.strip() == "":
        return None
    return tuple(int(float(t)) for t in text.strip("()[] ").split(",") if t.strip())


# ----------------------------------------------------------------------------
# Which trace a view shows
# ----------------------------------------------------------------------------
_FROM_EXAMPLE = re.compile(
    r"""(?:\.from_example|\bview_for|\bStepper1D|\bStepper2D|\bPointwiseView|\bHeatmapView|\bBuildUp)\(\s*["'](\w+)["']\s*(?:,|\))""")


def example_in_source(source: str, nth: int = 0) -> str | None:
    """The catalogue example a cell's code builds its ``nth`` view from, if it names one plainly.

    >>> example_in_source('Stepper2D.from_example("seed_conv2d")')
    'seed_conv2d'
    >>> example_in_source('Stepper2D(trace2d(x, w))') is None
    True
    """
    found = _FROM_EXAMPLE.findall(source or "")
    # Keyword changes (``from_example("x", stride=2)``) make it another problem: not plain.
    plain = re.findall(r"""from_example\(\s*["']\w+["']\s*,""", source or "")
    if plain or nth >= len(found):
        return None
    return found[nth]


def trace_for(snapshot: dict, source: str | None = None, nth: int = 0):
    """The trace a view shows, rebuilt in this process.

    From the view's ``data-example`` when it carries one, else from the code of
    the cell that displays it (``Stepper2D.from_example("seed_conv2d")``).
    None when neither says which problem it is.
    """
    import convcore.examples

    name = snapshot.get("example") or snapshot["attrs"].get("data-example")
    if not name and source:
        name = example_in_source(source, nth)
    if name:
        return convcore.examples.get(name).trace()
    return None


# ----------------------------------------------------------------------------
# The comparison
# ----------------------------------------------------------------------------
def revealed(trace, buildup: int | None) -> tuple[list[int], bool]:
    """How many products of each channel a build-up position reveals, and whether it is complete."""
    p = trace.problem
    taps = math.prod(p.kernel_shape)
    per_group = p.in_channels // p.groups
    unit_terms = taps <= TERM_BY_TERM_LIMIT
    top = per_group * (taps if unit_terms else 1) + 1
    b = top if buildup is None else max(0, min(int(buildup), top))
    if b >= top:
        return [taps] * per_group, True
    if unit_terms:
        return [max(0, min(taps, b - i * taps)) for i in range(per_group)], False
    return [taps if i < b else 0 for i in range(per_group)], False


def out_lookup(trace, idx: tuple[int, ...], sample: int = 0):
    """(step number, index into trace.output, expected value) of an output cell's ``data-index``."""
    p = trace.problem
    dims = p.dims
    if len(idx) == dims + 2:                 # (sample, channel, *pos)
        sample, channel, pos = idx[0], idx[1], idx[2:]
    elif len(idx) == dims + 1:               # (channel, *pos) of the step's sample
        channel, pos = idx[0], idx[1:]
    elif len(idx) == dims:                   # (*pos), single channel
        channel, pos = 0, idx
    else:
        raise ValueError(f"data-index {idx} does not fit a {dims}-D convolution")
    k = trace.index(channel, pos, sample)
    where = trace[k].out_index
    return k, where, np.asarray(trace.output)[where]


def mismatches(snapshot: dict, trace) -> list[str]:
    """Every difference between the displayed numbers and ``trace`` at the displayed step."""
    bad: list[str] = []
    if snapshot.get("step") in (None, ""):
        return ["the view has no data-step"]
    k = int(snapshot["step"])
    if not 0 <= k < len(trace):
        return [f"data-step {k} is outside the trace (0..{len(trace) - 1})"]
    s = trace[k]
    p = trace.problem
    tag = f"step {k}"
    if snapshot.get("buildup") not in (None, ""):
        tag += f" (build-up {snapshot['buildup']})"
    shown_n, complete = revealed(trace, snapshot.get("buildup") or None)
    chan_pos = {int(c): i for i, c in enumerate(s.in_channels)}
    flat_products = s.products.reshape(len(s.in_channels), -1)
    offsets = [tuple(t.offset) for t in s.window]

    # Partial sums: one per input channel of the step's group; part-way through a
    # build-up only the channels reached so far, each the sum of its revealed products.
    shown = {}
    for e in snapshot["partials"]:
        if e["channel"] in (None, ""):
            bad.append(f"{tag}: a partial sum without data-channel: {e['text']!r}")
        elif number(e["text"]) is not None:
            shown[int(e["channel"])] = e
    want = {int(c): (flat_products[i, :shown_n[i]].sum(), shown_n[i] == flat_products.shape[1])
            for i, c in enumerate(s.in_channels) if shown_n[i] > 0}
    if snapshot["view"] in ("stepper1d", "stepper2d", "pointwise") or snapshot["partials"]:
        if set(shown) != set(want):
            bad.append(f"{tag}: partial sums shown for channels {sorted(shown)}, expected {sorted(want)}")
        for c, e in shown.items():
            if c not in want:
                continue
            value, whole = want[c]
            if not num_ok(e["text"], value):
                bad.append(f"{tag}: partial sum of channel {c} shows {e['text']!r}, trace says {value}")
            if e.get("complete", True) != whole:
                bad.append(f"{tag}: partial sum of channel {c} is marked "
                           f"{'complete' if e.get('complete', True) else 'incomplete'}, expected "
                           f"{'complete' if whole else 'incomplete'}")

    # Product terms: the revealed ones, in kernel order, each patch·weight of the trace.
    if snapshot.get("terms"):
        per_channel: dict[int, list[dict]] = {}
        for e in snapshot["terms"]:
            per_channel.setdefault(int(e["channel"]), []).append(e)
        for c, terms in per_channel.items():
            if c not in chan_pos:
                bad.append(f"{tag}: product terms shown for channel {c}, which this step does not read")
                continue
            i = chan_pos[c]
            # Long sums are written with "…" in the middle (first terms and the last one).
            if shown_n[i] <= LONG_SUM and len(terms) != shown_n[i]:
                bad.append(f"{tag}: channel {c} shows {len(terms)} products, expected {shown_n[i]}")
            if shown_n[i] > LONG_SUM and not 2 <= len(terms) < shown_n[i]:
                bad.append(f"{tag}: channel {c} shows {len(terms)} of {shown_n[i]} products")
            for e in terms:
                tap = parse_index(e["tap"])
                if tap not in offsets:
                    bad.append(f"{tag}: product term at tap {tap} is not a kernel tap")
                    continue
                t = offsets.index(tap)
                if t >= shown_n[i]:
                    bad.append(f"{tag}: product at tap {tap} of channel {c} shown before its turn")
                if not num_ok(e["product"], flat_products[i, t]):
                    bad.append(f"{tag}: product at tap {tap} of channel {c} is {e['product']!r}, "
                               f"trace says {flat_products[i, t]}")

    # Kernel cells: the step's weight slice per channel.
    for e in snapshot.get("kernel_cells", []):
        if e["channel"] in (None, "") or e.get("tap") in (None, ""):
            continue
        c, tap = int(e["channel"]), parse_index(e["tap"])
        if c not in chan_pos or tap not in offsets:
            bad.append(f"{tag}: kernel cell channel {c} tap {tap} is not part of this step")
            continue
        want_w = s.kernel.reshape(len(s.in_channels), -1)[chan_pos[c], offsets.index(tap)]
        if not num_ok(e["text"], want_w):
            bad.append(f"{tag}: kernel cell channel {c} tap {tap} shows {e['text']!r}, weight is {want_w}")

    # The value of the step's output element (hidden until the build-up completes).
    for e in snapshot["values"]:
        if e.get("complete", True) != complete:
            bad.append(f"{tag}: value marked {'complete' if e.get('complete', True) else 'incomplete'}, "
                       f"expected {'complete' if complete else 'incomplete'}")
        if complete and not num_ok(e["text"], s.value):
            bad.append(f"{tag}: value shows {e['text']!r}, trace says {s.value}")
        if not complete and number(e["text"]) is not None:
            bad.append(f"{tag}: value shows {e['text']!r} before the build-up is complete")

    # Output cells: state from the step order, numbers from trace.output.
    so_far = sum(flat_products[i, :n].sum() for i, n in enumerate(shown_n))
    for e in snapshot["out_cells"]:
        idx = parse_index(e["index"])
        if idx is None:
            bad.append(f"{tag}: an output cell without data-index")
            continue
        try:
            j, out_index, want_v = out_lookup(trace, idx, s.sample)
        except (IndexError, ValueError) as err:
            bad.append(f"{tag}: output cell {idx}: {err}")
            continue
        state = "done" if j < k else "current" if j == k else "todo"
        if e["state"] != state:
            bad.append(f"{tag}: output cell {idx} is {e['state']!r}, expected {state!r} (it is step {j})")
        if state == "done" and not num_ok(e["text"], want_v):
            bad.append(f"{tag}: output cell {idx} shows {e['text']!r}, trace.output{list(out_index)} = {want_v}")
        if state == "current" and number(e["text"]) is not None:
            target = s.value if complete else so_far
            if not num_ok(e["text"], target):
                bad.append(f"{tag}: current output cell {idx} shows {e['text']!r}, expected {target}")
        if state == "todo" and number(e["text"]) is not None:
            bad.append(f"{tag}: output cell {idx} is not computed yet but shows {e['text']!r}")

    # Input cells: the highlighted cells are exactly the step's taps, on the step's channels,
    # and every number is the input's (or, under the kernel, the patch's: padding included).
    taps = {tuple(t.coords): n for n, t in enumerate(s.window)}
    x = np.asarray(p.input)[s.sample]
    spatial = x.shape[1:]
    patch = s.patch.reshape(len(s.in_channels), -1)
    drawn, lit = set(), set()
    for e in snapshot["in_cells"]:
        pos = parse_index(e["pos"])
        if pos is None or e["channel"] in (None, ""):
            bad.append(f"{tag}: an input cell without data-channel/data-pos")
            continue
        if len(pos) != p.dims:
            bad.append(f"{tag}: input cell data-pos {pos} is not {p.dims}-D")
            continue
        c = int(e["channel"])
        drawn.add((c, pos))
        inside = all(0 <= i < n for i, n in zip(pos, spatial))
        under = c in chan_pos and pos in taps
        if e["state"] in PATCH_STATES:
            lit.add((c, pos))
        if under != (e["state"] in PATCH_STATES):
            bad.append(f"{tag}: input cell channel {c} at {pos} is {e['state']!r}, "
                       f"{'but the kernel covers it' if under else 'but the kernel is not there'}")
        elif under and (e["state"] == "pad-patch") == inside:
            bad.append(f"{tag}: input cell channel {c} at {pos} is {e['state']!r} but it is "
                       f"{'inside the input' if inside else 'in the padding'}")
        if number(e["text"]) is None:
            continue
        if under:
            want_x = patch[chan_pos[c], taps[pos]]
        elif inside:
            want_x = x[(c, *pos)]
        else:
            continue     # padding outside the window: its value depends on the padding mode
        if not num_ok(e["text"], want_x):
            bad.append(f"{tag}: input cell channel {c} at {pos} shows {e['text']!r}, expected {want_x}")
    if drawn:
        missing = {(c, t) for c in chan_pos for t in taps} - lit
        if missing:
            bad.append(f"{tag}: taps not highlighted: {sorted(missing)[:6]}")

    if snapshot["errors"]:
        bad.append(f"{tag}: the view shows an error: {snapshot['errors'][0][:300]}")
    return bad


def explorer_mismatches(snapshot: dict, trace) -> list[str]:
    """The explorer's output shape and per-axis formulas against the trace of its configuration."""
    bad = []
    want_shape = tuple(int(n) for n in trace.problem.out_shape)
    shapes = [tuple(int(t) for t in re.findall(r"-?\d+", text)) for text in snapshot.get("shape", [])]
    if not shapes:
        bad.append("the explorer shows no output shape (data-role=shape)")
    for got in shapes:
        if got != want_shape:
            bad.append(f"the explorer shows output shape {got}, convcore says {want_shape}")
    want_formulas = [line.strip() for line in trace.problem.explain().splitlines() if line.strip()]
    got_formulas = [" ".join(t.split()) for t in snapshot.get("formulas", [])]
    if got_formulas != [" ".join(t.split()) for t in want_formulas]:
        bad.append(f"the explorer's formulas {got_formulas} differ from convcore's {want_formulas}")
    if snapshot["errors"]:
        bad.append(f"the explorer shows an error: {snapshot['errors'][0][:300]}")
    return bad
