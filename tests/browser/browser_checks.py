"""What the browser tests do to one view: move it every way a learner can, check the numbers.

``exercise(view, ...)`` presses keys on the step slider, drags its handle,
presses Next and Prev, plays and pauses, moves the synced position sliders and
steps the build-up; after each move it asserts that the slider, the view's
``data-step`` and every number shown agree with convcore's trace for that step
(computed in this process). ``exercise_explorer`` sets an impossible
configuration, expects the explanation, and sets it back.
"""
from __future__ import annotations

import re
import time

from browser_contract import explorer_mismatches, mismatches, trace_for
from browser_driver import View
from browser_rebuild import trace_of_cell

POSITION_SLIDERS = ("sample", "out channel", "row", "column", "position")


class ViewCheck:
    """Checks one view against its trace; keeps a log of what was done."""

    def __init__(self, view: View, label: str):
        self.view = view
        self.label = label
        self.log: list[str] = []
        self.t0 = time.monotonic()
        snap = view.snapshot()
        self.trace = trace_for(snap, view.source, view.nth)
        named = snap.get("example") or snap["attrs"].get("data-example")
        self.how = f"data-example {named!r}" if named else "the cell's code names the example"
        if self.trace is None and view.notebook_path is not None and view.cell is not None:
            self.trace = trace_of_cell(view.notebook_path, view.cell)
            self.how = f"re-running {view.notebook_path.name} up to cell {view.cell} here"
        assert self.trace is not None, (
            f"{label}: cannot tell which problem this {view.kind} view shows (no data-example on "
            f"its root, no catalogue example in its cell, no trace from re-running the notebook), "
            f"so its numbers cannot be checked. Root: {snap['attrs']}; cell: {view.source!r}")

    def check(self, what: str, expect_step: int | None = None) -> dict:
        v = self.view
        snap = v.snapshot()
        step = None if snap["step"] in (None, "") else int(snap["step"])
        self.log.append(f"{time.monotonic() - self.t0:5.1f}s {what}: step {step}"
                        + (f", build-up {snap['buildup']}" if snap["buildup"] else ""))
        if expect_step is not None:
            assert step == expect_step, f"{self.label}: after {what} the view shows step {step}, expected {expect_step}"
        if v.has_slider("step") and step is not None:
            k = v.slider_value("step")
            assert k == step, f"{self.label}: after {what} the step slider says {k} but the view shows step {step}"
            self._check_position_sliders(what, step)
        bad = mismatches(snap, self.trace)
        assert not bad, f"{self.label}: after {what}:\n  " + "\n  ".join(bad[:12])
        return snap

    def _check_position_sliders(self, what: str, k: int) -> None:
        s = self.trace[k]
        expected = {"sample": s.sample, "out channel": s.out_channel, "row": s.out_pos[0],
                    "column": s.out_pos[-1], "position": s.out_pos[-1]}
        if len(s.out_pos) == 1:
            expected.pop("row")
        for name in POSITION_SLIDERS:
            if name in expected and self.view.has_slider(name):
                got = self.view.slider_value(name)
                assert got == expected[name], (f"{self.label}: after {what} the {name!r} slider says "
                                               f"{got}, step {k} is at {name} {expected[name]}")


def exercise(view: View, label: str, shoot=None) -> list[str]:
    """Keyboard, mouse drag, Next/Prev, Play, synced sliders and build-up; numbers == trace."""
    c = ViewCheck(view, label)
    c.log.append(f"trace from {c.how}")
    c.check("first render")
    if not view.has_slider("step"):
        return c.log
    lo, hi = view.slider_range()
    span = hi - lo
    if span < 1:
        c.log.append(f"single step ({lo}..{hi}): nothing to move")
        return c.log

    # Keyboard: presses right (or left at the end), one step each; End and Home.
    start = view.slider_value()
    n = min(3, span)
    key, sign = ("ArrowRight", 1) if start + n <= hi else ("ArrowLeft", -1)
    view.press(key, n)
    c.check(f"{n}× {key} on the step slider", expect_step=start + sign * n)
    view.press("End")
    c.check("End", expect_step=hi)
    view.press("Home")
    c.check("Home", expect_step=lo)

    # Mouse: drag the handle to 60 % of the track.
    view.drag(0.6)
    k = view.slider_value()
    target = lo + 0.6 * span
    assert k != lo, f"{label}: dragging the step handle did not move it"
    assert abs(k - target) <= max(1.5, 0.08 * span), \
        f"{label}: dragging to 60 % of the track gave step {k}, expected about {target:.1f} ({lo}..{hi})"
    c.check("mouse drag to 60 %", expect_step=k)
    if shoot:
        shoot(view, "drag")

    # Next / Prev buttons.
    if _has_button(view, "next"):
        k = view.step
        view.click("next")
        k = min(k + 1, hi)
        c.check("Next", expect_step=k)
        view.click("prev")
        c.check("Prev", expect_step=max(k - 1, lo))

    # Play, then pause: the step advances one at a time, the numbers follow.
    if view.play_buttons().count():
        if view.step >= hi - 3:
            view.press("Home")
        if view.has_slider("steps/s"):          # the speed control, at its fastest
            view.press("End", description="steps/s")
        start = view.step
        seen = view.play()
        assert len(seen) >= min(3, hi - start + 1), f"{label}: Play did not advance the step: {seen}"
        assert all(b > a for a, b in zip(seen, seen[1:])), f"{label}: Play went backwards: {seen}"
        k = view.step
        c.check("Play then Pause", expect_step=k)
        assert k >= seen[-1], f"{label}: after Pause the view went back to step {k} (seen {seen})"

    # Synced controls: moving a position slider moves the step to that output element.
    for name in ("out channel", "column", "position", "row"):
        if not view.has_slider(name):
            continue
        lo_p, hi_p = view.slider_range(name)
        if hi_p <= lo_p:
            continue
        cur = view.slider_value(name)
        key = "ArrowRight" if cur < hi_p else "ArrowLeft"
        s = c.trace[view.step]
        where = {"out channel": s.out_channel, "row": s.out_pos[0], "column": s.out_pos[-1],
                 "position": s.out_pos[-1]}
        where[name] = cur + (1 if key == "ArrowRight" else -1)
        pos = (where["row"], where["column"]) if len(s.out_pos) == 2 else (where["position"],)
        expect = c.trace.index(where["out channel"], pos, s.sample)
        view.press(key, 1, description=name)
        c.check(f"{key} on the {name!r} slider", expect_step=expect)

    # Build-up: from nothing, one term (or channel) at a time, to the finished value.
    if view.has_slider("build-up*"):
        blo, bhi = view.slider_range("build-up*")
        view.press("Home", description="build-up*")
        c.check("build-up Home")
        for i in range(bhi - blo):
            if i == 6 and bhi - blo > 8:      # long build-ups: the first six, then the end
                view.press("End", description="build-up*")
                c.check("build-up End")
                break
            view.press("ArrowRight", 1, description="build-up*")
            c.check("build-up +1")
        snap = view.snapshot()
        assert snap["buildup"] in (None, str(bhi)), f"{label}: build-up ends at {snap['buildup']}, not {bhi}"
        if _has_button(view, "−"):
            view.click("−")
            c.check("build-up − button")
    return c.log


def _has_button(view: View, name: str) -> bool:
    try:
        view.button(name)
        return True
    except LookupError:
        return False


def exercise_explorer(view: View, label: str, setting: str = "kernel size",
                      require_trace: bool = True) -> list[str]:
    """Set ``setting`` to its maximum (a kernel larger than the input): the explanation appears
    and the step view goes; type the old value back: the explanation goes, the shape, formulas
    and the step view come back, with the trace's numbers."""
    log = []
    trace = None
    if require_trace:
        trace = ViewCheck(view, label).trace
    before = view.snapshot()
    assert not before["errors"], f"{label}: the explorer starts with an error: {before['errors']}"
    if trace is not None:
        bad = explorer_mismatches(before, trace)
        assert not bad, f"{label}: " + "; ".join(bad)
    inner_before = view.container.locator(".convcore-view").count()
    original = view.slider_value(setting)
    lo, hi = view.slider_range(setting)
    assert hi > original, f"{label}: {setting} is already at its maximum {hi}"

    view.press("End", description=setting)          # from the keyboard, as a learner would
    after_bad = view.snapshot()
    now = view.slider_value(setting)
    log.append(f"{setting} = {now}: errors {after_bad['errors']}")
    assert now == hi, f"{label}: End on {setting!r} gave {now}, not {hi}"
    assert after_bad["errors"], f"{label}: {setting} = {now} shows no explanation: {after_bad['text'][:300]}"
    assert any(re.search(r"\d", e) for e in after_bad["errors"]), \
        f"{label}: the explanation has no numbers in it: {after_bad['errors']}"
    assert not after_bad.get("shape"), f"{label}: an impossible setting still shows a shape {after_bad['shape']}"

    view.set_slider(original, setting)              # typed into the readout
    assert view.slider_value(setting) == original
    after = view.snapshot()
    log.append(f"{setting} = {original}: errors {after['errors']}, shape {after.get('shape')}")
    assert not after["errors"], f"{label}: back at {setting} = {original} the error stays: {after['errors']}"
    assert after.get("shape") == before.get("shape") and after["values"] == before["values"], \
        f"{label}: back at {setting} = {original} the explorer shows {after.get('shape')}, before {before.get('shape')}"
    if trace is not None:
        bad = explorer_mismatches(after, trace)
        assert not bad, f"{label}: after recovering: " + "; ".join(bad)
    assert view.container.locator(".convcore-view").count() == inner_before, \
        f"{label}: the step view inside the explorer did not come back"
    return log
