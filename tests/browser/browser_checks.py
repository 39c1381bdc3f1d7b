"""What the browser tests do to one view: move it every way a learner can, check the numbers.

``exercise(view, ...)`` presses keys on the step slider, drags its handle,
presses Next and Prev, plays and pauses, and after each move asserts that the
slider, the view's ``data-step`` and every number shown agree with convcore's
trace for that step (computed in this process). ``exercise_explorer`` sets an
impossible configuration, expects the explanation, and sets it back.
"""
from __future__ import annotations

import re

from browser_contract import mismatches, trace_for
from browser_driver import View


class ViewCheck:
    def __init__(self, view: View, label: str):
        self.view = view
        self.label = label
        self.log: list[str] = []
        self.trace = trace_for(view.snapshot())

    def check(self, what: str, expect_step: int | None = None) -> dict:
        v = self.view
        snap = v.snapshot()
        step = None if snap["step"] in (None, "") else int(snap["step"])
        self.log.append(f"{what}: step {step}")
        if expect_step is not None:
            assert step == expect_step, f"{self.label}: after {what} the view shows step {step}, expected {expect_step}"
        if v.has_slider("step") and step is not None:
            k = v.slider_value("step")
            assert k == step, f"{self.label}: after {what} the slider says {k} but the view shows step {step}"
        assert self.trace is not None, (
            f"{self.label}: the view does not say which problem it shows (no data-example), "
            f"so its numbers cannot be checked against a trace: {snap['attrs']}")
        bad = mismatches(snap, self.trace, partial_prefix=v.kind == "buildup")
        assert not bad, f"{self.label}: after {what}:\n  " + "\n  ".join(bad[:12])
        return snap


def exercise(view: View, label: str, shoot=None) -> list[str]:
    """Keyboard, mouse drag, Next/Prev and Play on a view with a step slider; numbers == trace."""
    c = ViewCheck(view, label)
    c.check("first render")
    if not view.has_slider("step"):
        return c.log
    lo, hi = view.slider_range()
    span = hi - lo
    assert span >= 1, f"{label}: the step slider has a single position ({lo}..{hi})"

    # Keyboard: three presses right (or left at the end), each one step.
    start = view.slider_value()
    key, sign = ("ArrowRight", 1) if start + 3 <= hi else ("ArrowLeft", -1)
    n = min(3, span)
    view.press(key, n)
    c.check(f"{n}× {key}", expect_step=start + sign * n)
    view.press("End")
    c.check("End", expect_step=hi)
    view.press("Home")
    c.check("Home", expect_step=lo)

    # Mouse: drag the handle to 60 % of the track.
    view.drag(0.6)
    k = view.slider_value()
    target = lo + 0.6 * span
    assert abs(k - target) <= max(1.5, 0.08 * span), \
        f"{label}: dragging to 60 % of the track gave step {k}, expected about {target:.1f} ({lo}..{hi})"
    assert k != lo, f"{label}: the drag did not move the slider"
    c.check("mouse drag to 60 %", expect_step=k)
    if shoot:
        shoot(view, "drag")

    # Next / Prev buttons.
    if _has_button(view, "Next"):
        k = view.step
        view.click("Next")
        c.check("Next", expect_step=min(k + 1, hi))
        view.click("Prev")
        c.check("Prev", expect_step=k)

    # Play, then pause: the step advances one at a time, the numbers follow.
    if view.play_buttons().count():
        if view.step >= hi - 3:
            view.press("Home")
        seen = view.play()
        moved = [b - a for a, b in zip(seen, seen[1:])]
        assert len(seen) >= 3, f"{label}: Play did not advance the step: {seen}"
        assert all(d >= 1 for d in moved), f"{label}: Play moved the step backwards: {seen}"
        k = view.step
        c.check("Play then Pause", expect_step=k)
        assert k >= seen[-1], f"{label}: after Pause the view went back to step {k} (seen {seen})"
    return c.log


def _has_button(view: View, name: str) -> bool:
    try:
        view.button(name)
        return True
    except LookupError:
        return False


def exercise_explorer(view: View, label: str, setting: str = "kernel size",
                      impossible: int | None = None) -> list[str]:
    """Set ``setting`` to an impossible value: the explanation appears; set it back: it recovers."""
    log = []
    before = view.snapshot()
    assert not before["errors"], f"{label}: the explorer starts with an error: {before['errors']}"
    original = view.slider_value(setting)
    lo, hi = view.slider_range(setting)
    view.set_slider(hi if impossible is None else impossible, setting)
    bad = view.snapshot()
    log.append(f"{setting} = {view.slider_value(setting)}: errors {bad['errors']}")
    assert bad["errors"], f"{label}: {setting} = {view.slider_value(setting)} shows no explanation"
    assert any(re.search(r"\d", e) for e in bad["errors"]), \
        f"{label}: the explanation has no numbers in it: {bad['errors']}"
    view.set_slider(original, setting)
    after = view.snapshot()
    log.append(f"{setting} = {original}: errors {after['errors']}")
    assert not after["errors"], f"{label}: back at {setting} = {original} the error stays: {after['errors']}"
    assert after["values"] == before["values"], \
        f"{label}: back at {setting} = {original} the view shows {after['values']}, before {before['values']}"
    return log
