"""The harness proves itself on generated notebooks before it judges the real ones.

``_harness/fake-views.ipynb`` holds a stand-in stepper and explorer that follow
the views' DOM contract, so every check the notebook tests make (keyboard,
drag, Play, Prev/Next, numbers against the trace, an impossible setting) is
shown to pass on a correct view and to fail on a wrong one.
"""
import pytest

from browser_checks import ViewCheck, exercise, exercise_explorer
from browser_contract import mismatches, trace_for

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]


def test_echo_slider_keyboard_and_drag(lab):
    lab.open("_harness/echo.ipynb")
    lab.run_all()
    assert lab.errors() == []
    (view,) = lab.views()
    assert view.kind == "echo" and view.step == 0
    view.press("ArrowRight", 5)
    assert view.step == view.slider_value() == 5
    view.drag(0.5)
    assert view.step == view.slider_value() and 90 <= view.step <= 110
    lab.screenshot("_harness-echo")


def test_fake_views_pass_every_check(lab):
    lab.open("_harness/fake-views.ipynb")
    state = lab.run_all()
    assert state["unrun"] == 0 and lab.errors() == []
    stepper, explorer = lab.views()
    assert (stepper.kind, explorer.kind) == ("stepper2d", "explorer")
    log = exercise(stepper, "fake stepper2d")
    assert any("Play" in line for line in log) and any("drag" in line for line in log)
    exercise_explorer(explorer, "fake explorer", "kernel size", require_trace=False)
    lab.screenshot("_harness-fake-views")


def test_the_checks_catch_a_wrong_number(lab):
    """A view that shows step k's numbers under data-step k+1 must fail the comparison."""
    lab.open("_harness/fake-views.ipynb")
    lab.run_all()
    stepper = lab.views()[0]
    stepper.press("ArrowRight", 4)
    snap = stepper.snapshot()
    trace = trace_for(snap)
    assert mismatches(snap, trace) == []
    lied = dict(snap, step=str(int(snap["step"]) + 1))
    problems = mismatches(lied, trace)
    assert any("partial sum" in p for p in problems) and any("output cell" in p for p in problems)
    wrong_value = dict(snap, values=[{"text": "999", "complete": True}])
    assert any("value shows" in p for p in mismatches(wrong_value, trace))
    with pytest.raises(AssertionError, match="expected 7"):
        ViewCheck(stepper, "fake").check("a wrong expectation", expect_step=7)
