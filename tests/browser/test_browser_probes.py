"""The browser probes the other tests and the benchmarks rely on, tried on planted pages:
the contrast probe must catch what is unreadable, the key-latency probe must see a slow view,
and the driver's waits must fail, saying what they waited for, when their deadline passes."""
import random

import pytest

from browser_checks import contrast
from browser_driver import until, wait_quiet, wait_step
from browser_latency import summary, timed_presses

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]


def test_contrast_catches_dark_on_dark_and_skips_what_is_not_drawn(page):
    page.set_content(
        '<body style="background:#111111"><div id="v">'
        '<div style="color:#000000">step 3 of steps 0–26</div>'             # the old Dark-theme bug
        '<span style="color:#eeeeee">readable</span>'
        '<select style="color:#222222;background:#111111"><option>2 steps/s</option></select>'
        '<div style="position:absolute;width:1px;height:1px;overflow:hidden;color:#000">read aloud only</div>'
        '<span style="color:#000000;opacity:0">not drawn</span>'
        '</div></body>')
    ratios = {t["text"]: t["ratio"] for t in contrast(page.locator("#v"))}
    assert set(ratios) == {"step 3 of steps 0–26", "readable", "2 steps/s"}
    assert ratios["step 3 of steps 0–26"] < 1.2 and ratios["2 steps/s"] < 1.5
    assert ratios["readable"] > 15


@pytest.mark.parametrize("delay_ms", [0, 60])
def test_key_latency_sees_how_long_a_view_takes(page, delay_ms):
    """A stand-in view that shows the new step ``delay_ms`` after the key: the probe's frame time
    must include the delay, and a view that answers at once must be drawn in the next frame."""
    page.set_content(f"""<body><div class="convcore-view" data-step="0">
      <input type="range" min="0" max="9" value="0" aria-label="step"><b>0</b></div>
      <script>
        const view = document.querySelector(".convcore-view"), slider = view.querySelector("input");
        const show = () => {{ view.setAttribute("data-step", slider.value); view.querySelector("b").textContent = slider.value; }};
        slider.addEventListener("input", () => {delay_ms} ? setTimeout(show, {delay_ms}) : show());
      </script></body>""")
    view = page.locator(".convcore-view")
    s = summary(timed_presses(page, view, view.locator("input"), 12, random.Random(0)))
    assert s["presses"] == 12
    if delay_ms:
        assert s["shown"]["p50"] >= delay_ms and s["frame"]["p50"] > delay_ms, s
        assert s["next_frame"] <= 0.25, s          # the delay spans several frames
    else:
        assert s["shown"]["p50"] < 16 and s["next_frame"] == 1, s


def test_every_wait_fails_loudly_saying_what_it_waited_for(page):
    page.set_content('<div class="convcore-view" data-step="0" id="v">0</div>'
                     '<script>setInterval(() => { v.textContent = performance.now(); }, 20)</script>')
    with pytest.raises(TimeoutError, match="#v to stay unchanged for 250 ms: still changing after 1 s"):
        wait_quiet(page, "#v", 250, 1)
    with pytest.raises(TimeoutError, match="#gone to stay unchanged .*not on the page"):
        wait_quiet(page, "#gone", 250, 1)
    with pytest.raises(TimeoutError, match=r"after 0.5 s waiting for the view to show step 3; it shows step 0"):
        wait_step(page.locator("#v"), 3, timeout=0.5)
    with pytest.raises(TimeoutError, match="waiting for the answer; last seen: 41"):
        until(lambda: 41, "the answer", lambda x: x == 42, timeout=0.3)
