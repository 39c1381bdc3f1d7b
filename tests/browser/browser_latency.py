"""Key press to updated view, timed inside the page: the one probe of the benchmarks and tests.

Each press is armed on its own. From the keydown event's own time stamp (taken on the window in the
capture phase, before any host's or view's handler) it records

* ``shown``   the first change in the subject that shows a new step (its ``data-step``);
* ``frame``   the end of the first frame rendered after that change (requestAnimationFrame, then a
              message-channel task): style, layout and paint included;
* ``frames``  which animation frame after the key that was (1: the very next one).

A person's key presses keep no time with the display; a harness does unless told not to.
Playwright's waits poll in animation frames, so a press sent the moment a wait returns lands just
after a frame began and waits almost a whole frame for the next one: about 15 ms on a bare page
that draws nothing. So each press goes after a random pause of up to two frames (seeded), which
puts it at a random point of the frame, as a person's would be.
"""
from __future__ import annotations

import random
import statistics
import time

from browser_driver import wait_js

FRAME_S = 1 / 60

# Arms a one-shot measurement of the next key press on ``box`` (the subject, or an element holding it).
ARM_JS = r"""
(box) => {
  const subject = () => box.matches('.convcore-view') ? box : box.querySelector('.convcore-view');
  const stepOf = () => { const s = subject(); return s && s.getAttribute('data-step'); };
  const before = stepOf();
  const m = window.__ccPress = {t0: null, shown: null, frame: null, frames: 0};
  window.addEventListener('keydown', (e) => {
    m.t0 = e.timeStamp;
    const tick = () => { if (m.frame === null) { m.frames += 1; requestAnimationFrame(tick); } };
    requestAnimationFrame(tick);
  }, {capture: true, once: true});
  const seen = new MutationObserver(() => {
    if (m.shown !== null || stepOf() === before) return;
    m.shown = performance.now(); seen.disconnect();
    // Registered after the tick above, so in the same frame it runs second and reads that frame's count.
    requestAnimationFrame(() => { const frames = m.frames; const ch = new MessageChannel();
      ch.port1.onmessage = () => { m.frames = frames; m.frame = performance.now(); }; ch.port2.postMessage(0); });
  });
  seen.observe(box, {subtree: true, attributes: true, childList: true, characterData: true});
}
"""

AT_END_JS = ("e => e.tagName === 'INPUT' ? e.value === e.max : "
             "e.getAttribute('aria-valuenow') === e.getAttribute('aria-valuemax')")


def percentile(values, q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def timed_presses(page, box, handle, n: int, rng: random.Random | None = None) -> dict:
    """``n`` timed ArrowRight presses (ArrowLeft at the end) on ``handle``, a control of ``box``
    (both Playwright locators). Returns the samples: {"shown": [ms], "frame": [ms], "frames": [int]}."""
    rng = rng or random.Random(0)
    out = {"shown": [], "frame": [], "frames": []}
    handle.focus()
    for _ in range(n):
        box.evaluate(ARM_JS)
        key = "ArrowLeft" if handle.evaluate(AT_END_JS) else "ArrowRight"
        time.sleep(rng.uniform(0, 2 * FRAME_S))
        page.keyboard.press(key)
        wait_js(page, "() => window.__ccPress.frame !== null", f"the view to show the step after {key}"
                " (a frame after a new data-step)", timeout=20, polling=4,
                seen=lambda: page.evaluate("() => window.__ccPress"))
        m = page.evaluate("() => window.__ccPress")
        out["shown"].append(m["shown"] - m["t0"])
        out["frame"].append(m["frame"] - m["t0"])
        out["frames"].append(m["frames"])
    return out


def summary(samples: dict) -> dict:
    """p50 and p95 of ``shown`` and ``frame`` (ms), and the share of presses shown in the next frame."""
    out = {"presses": len(samples["frame"])}
    for what in ("shown", "frame"):
        out[what] = {"p50": statistics.median(samples[what]), "p95": percentile(samples[what], 0.95)}
    out["next_frame"] = sum(f == 1 for f in samples["frames"]) / max(1, len(samples["frames"]))
    return out
