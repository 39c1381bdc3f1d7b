"""Compare what a view displays (its DOM contract) with convcore's trace, computed here.

A snapshot (``browser_driver.JS_SNAPSHOT``) holds the view's ``data-step``,
its output cells, input cells, partial sums and value, as the page shows
them. ``mismatches(snapshot, trace)`` lists every way they differ from
``trace[step]`` and ``trace.output``; an empty list means the view shows
exactly the trace's numbers for that step.
"""
from __future__ import annotations

import numpy as np

from browser_driver import number

# data-state values that mean "under the kernel right now" for an input cell.
PATCH_STATES = {"patch", "pad-patch", "active", "current"}
OUT_STATES = {"done", "current", "todo"}


def parse_index(text: str | None) -> tuple[int, ...] | None:
    if text is None or text.strip() == "":
        return None
    return tuple(int(float(t)) for t in text.replace("(", "").replace(")", "").split(",") if t.strip())


def trace_for(snapshot: dict):
    """The trace a view shows, rebuilt in this process from what the view names.

    A view built from a catalogue example carries ``data-example="<name>"``.
    Returns None when the view does not say which problem it shows.
    """
    import convcore.examples

    name = snapshot.get("example") or snapshot["attrs"].get("data-example")
    if name:
        return convcore.examples.get(name).trace()
    return None


def out_lookup(trace, idx: tuple[int, ...]):
    """(step number, expected value) of the output cell at ``idx`` (view's ``data-index``)."""
    p = trace.problem
    out = trace.output
    dims = p.dims
    if len(idx) == dims + 2:                 # (sample, channel, *pos)
        sample, channel, pos = idx[0], idx[1], idx[2:]
    elif len(idx) == dims + 1:               # (channel, *pos)
        sample, channel, pos = 0, idx[0], idx[1:]
    elif len(idx) == dims:                   # (*pos), single channel
        sample, channel, pos = 0, 0, idx
    else:
        raise ValueError(f"data-index {idx} does not fit a {dims}-D convolution")
    k = trace.index(channel, pos, sample)
    return k, trace[k].out_index, out[trace[k].out_index]


def close(shown: float | None, expected, rel: float = 1e-6, places: int | None = None) -> bool:
    if shown is None:
        return False
    expected = float(expected)
    if places is not None:
        return abs(shown - expected) <= 0.5 * 10 ** (-places) + 1e-12
    return abs(shown - expected) <= max(1e-9, rel * abs(expected))


def decimals(text: str) -> int | None:
    """Decimal places a displayed number was rounded to (None for integers)."""
    import re
    found = re.findall(r"\d+\.(\d+)", text or "")
    return len(found[-1]) if found else None


def num_ok(text: str, expected) -> bool:
    return close(number(text), expected, places=decimals(text))


def mismatches(snapshot: dict, trace, *, partial_prefix: bool = False) -> list[str]:
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

    # Partial sums, one per input channel of the step's group.
    expected_partials = {int(c): v for c, v in zip(s.in_channels, s.partial_sums)}
    shown = {}
    for e in snapshot["partials"]:
        if e["channel"] in (None, ""):
            bad.append(f"{tag}: a partial sum without data-channel: {e['text']!r}")
            continue
        shown[int(e["channel"])] = e["text"]
    if snapshot["partials"] or snapshot["view"] in ("stepper1d", "stepper2d"):
        if partial_prefix:
            order = list(expected_partials)
            if list(shown) != order[:len(shown)]:
                bad.append(f"{tag}: partial sums shown for channels {list(shown)}, "
                           f"expected a prefix of {order}")
        elif set(shown) != set(expected_partials):
            bad.append(f"{tag}: partial sums shown for channels {sorted(shown)}, "
                       f"trace has {sorted(expected_partials)}")
        for c, text in shown.items():
            if c in expected_partials and not num_ok(text, expected_partials[c]):
                bad.append(f"{tag}: partial sum of channel {c} shows {text!r}, "
                           f"trace says {expected_partials[c]}")

    # The finished value of the step's output element.
    for text in snapshot["values"]:
        if not num_ok(text, s.value):
            bad.append(f"{tag}: value shows {text!r}, trace says {s.value}")

    # Output cells: state from the step order, numbers from trace.output.
    for e in snapshot["out_cells"]:
        idx = parse_index(e["index"])
        if idx is None:
            bad.append(f"{tag}: an output cell without data-index")
            continue
        try:
            j, out_index, want = out_lookup(trace, idx)
        except (IndexError, ValueError) as err:
            bad.append(f"{tag}: output cell {idx}: {err}")
            continue
        state = "done" if j < k else "current" if j == k else "todo"
        if e["state"] != state:
            bad.append(f"{tag}: output cell {idx} is {e['state']!r}, expected {state!r} (its step is {j})")
        if state == "done" and not num_ok(e["text"], want):
            bad.append(f"{tag}: output cell {idx} shows {e['text']!r}, trace.output{out_index} = {want}")
        if state == "current" and number(e["text"]) is not None and not num_ok(e["text"], s.value):
            bad.append(f"{tag}: current output cell {idx} shows {e['text']!r}, step value is {s.value}")
        if state == "todo" and number(e["text"]) is not None:
            bad.append(f"{tag}: output cell {idx} is not computed yet but shows {e['text']!r}")

    # Input cells: the patch is exactly the step's taps, on the step's channels.
    taps = {tuple(t.coords) for t in s.window}
    x = p.input[s.sample]
    spatial = x.shape[1:]
    for e in snapshot["in_cells"]:
        pos = parse_index(e["pos"])
        if pos is None or e["channel"] in (None, ""):
            bad.append(f"{tag}: an input cell without data-channel/data-pos")
            continue
        if len(pos) != p.dims:
            bad.append(f"{tag}: input cell data-pos {pos} is not {p.dims}-D")
            continue
        c = int(e["channel"])
        under = c in s.in_channels and pos in taps
        if under != (e["state"] in PATCH_STATES):
            bad.append(f"{tag}: input cell channel {c} at {pos} is {e['state']!r}, "
                       f"{'but the kernel covers it' if under else 'but the kernel is not there'}")
        inside = all(0 <= i < n for i, n in zip(pos, spatial))
        if inside and number(e["text"]) is not None and not num_ok(e["text"], x[(c, *pos)]):
            bad.append(f"{tag}: input cell channel {c} at {pos} shows {e['text']!r}, input is {x[(c, *pos)]}")
    shown_patch = {(int(e["channel"]), parse_index(e["pos"])) for e in snapshot["in_cells"]
                   if e["state"] in PATCH_STATES and e["channel"] not in (None, "")}
    if snapshot["in_cells"]:
        want_patch = {(c, t) for c in s.in_channels for t in taps}
        # Padding taps may be drawn or not (a view can leave the padding out).
        drawn = {(int(e["channel"]), parse_index(e["pos"])) for e in snapshot["in_cells"]
                 if e["channel"] not in (None, "")}
        missing = {cp for cp in want_patch & drawn} - shown_patch
        if missing:
            bad.append(f"{tag}: taps not highlighted: {sorted(missing)[:6]}")

    if snapshot["errors"]:
        bad.append(f"{tag}: the view shows an error: {snapshot['errors'][0][:200]}")
    return bad


def self_consistent(snapshot: dict) -> list[str]:
    """Checks that need no trace: the value is the sum of the partial sums (plus a bias)."""
    bad = []
    partials = [number(e["text"]) for e in snapshot["partials"]]
    if snapshot["errors"]:
        bad.append(f"the view shows an error: {snapshot['errors'][0][:200]}")
    if partials and snapshot["values"] and None not in partials:
        v = number(snapshot["values"][0])
        if v is None:
            bad.append(f"value {snapshot['values'][0]!r} is not a number")
    return bad


def expected_out_shape(trace) -> tuple[int, ...]:
    return tuple(np.shape(trace.output))
