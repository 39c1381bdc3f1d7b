"""What a view shows in the browser, checked: its screen against its record, and its contrast.

    from browser_checks import check_screen, exercise, contrast
    check_screen(locator)        # -> what was read; AssertionError naming the first difference
    exercise(view, "label")      # every control a learner has, the screen checked after each move

``check_screen`` reads the first ``.convcore-view`` under a Playwright ``Page`` or ``Locator``
(a JupyterLab output, a Voila app, a static page): the texts and states of every panel's cells,
its title and boxes, the lines, the header and the live sentence; and, from the renderer, which
reading, step and build-up it shows and that step's record. It asserts the page equals
``schema.screen()`` of that record: the function the headless tests check against the library
and the picture writer draws. Any view kind, one check.
"""
from __future__ import annotations

import json
import time

from convcore.views import schema

# Reads one view's screen from the DOM, in schema.screen()'s shape, with what the renderer shows.
JS_SCREEN = r"""
(box) => {
  const root = box.matches('.convcore-view') ? box : box.querySelector('.convcore-view');
  if (!root || !root.convcoreShown) return null;
  const t = (e) => (e ? e.textContent : '');
  const panels = {};
  for (const p of root.querySelectorAll('.cc-panel[data-panel]')) {
    const cells = [];
    for (const c of p.querySelectorAll('.cc-cell')) {
      const [r, cc] = c.dataset.pos.split(',').map(Number);
      (cells[r] = cells[r] || [])[cc] = [t(c), c.dataset.state];
    }
    panels[p.dataset.panel] = {title: t(p.querySelector('[data-role=title]')), small: p.classList.contains('cc-small'),
      boxes: Array.from(p.querySelectorAll('.cc-box[data-box]:not([hidden])'), (b) => JSON.parse(b.dataset.box)),
      cells};
  }
  const lines = Array.from(root.querySelectorAll('[data-role=lines] > *'), (e) => [e.dataset.role, t(e)]);
  return {screen: {header: t(root.querySelector('[data-role=header]')), say: t(root.querySelector('[data-role=say]')),
                   lines, panels},
          shown: root.convcoreShown(), step: root.getAttribute('data-step'), buildup: root.getAttribute('data-buildup')};
}
"""


def read(page_or_locator) -> dict:
    """The page's screen and what the renderer says it shows (first view under the target)."""
    target = page_or_locator.locator("body") if hasattr(page_or_locator, "goto") else page_or_locator
    found = target.first.evaluate(JS_SCREEN)
    assert found is not None, "no drawn .convcore-view here"
    return found


def expected(shown: dict) -> dict:
    """The screen the shown record describes (JSON-shaped, as the page reads)."""
    rd = {"panels": shown["panels"], "top": shown["top"]}
    want = schema.screen(rd, shown["record"], shown["step"], shown["buildup"])
    return json.loads(json.dumps(want))


def check_screen(page_or_locator, data: dict | None = None) -> dict:
    """Assert the view on the page shows exactly its record's screen; with ``data`` (the view's
    data built in this process), also that the page draws that very data."""
    found = read(page_or_locator)
    shown, screen = found["shown"], found["screen"]
    assert (found["step"], found["buildup"]) == (str(shown["step"]), str(shown["buildup"]))
    want = expected(shown)
    for key in ("header", "say", "lines"):
        assert screen[key] == want[key], f"step {shown['step']}: {key} shown {screen[key]!r}, record says {want[key]!r}"
    assert set(screen["panels"]) == set(want["panels"]), (sorted(screen["panels"]), sorted(want["panels"]))
    for pid, panel in want["panels"].items():
        got = screen["panels"][pid]
        for key in ("title", "small", "boxes", "cells"):
            assert got[key] == panel[key], (f"step {shown['step']}, build-up {shown['buildup']}, panel {pid}: {key} "
                                            f"shown {str(got[key])[:400]}, record says {str(panel[key])[:400]}")
    if data is not None:
        rd = next(r for r in data["readings"] if r["key"] == shown["reading"])
        assert json.loads(json.dumps(rd["panels"])) == shown["panels"]
    return found


# ----------------------------------------------------------------------------
# Working a view every way a learner can (JupyterLab, Voila and static pages alike)
# ----------------------------------------------------------------------------
def exercise(view, label: str, shoot=None, data: dict | None = None) -> list[str]:
    """Keys, drag, Next/Prev, Play/Pause, the position sliders, the build-up, a click on an output
    cell and the reading switch; after each move the page is checked against the record
    (``check_screen``) and the sliders against the step shown."""
    log: list[str] = []

    def check(what, k=None, b=None):
        if k is not None:
            view.wait_step(k)
        if b is not None:
            view.wait_step(b, attr="data-buildup")
        found = check_screen(view.root, data)
        shown = found["shown"]
        assert view.value("step-slider") == shown["step"], f"{label}: after {what} the slider is not at the step"
        for (role, _name, _max), v in zip(shown["positions"], shown["record"].get("pos", [])):
            assert view.value(role) == v, f"{label}: after {what} {role} shows {view.value(role)}, not {v}"
        log.append(f"{what}: step {shown['step']}, build-up {shown['buildup']}")
        return shown

    shown = check("first render")
    n = view.range()[1] + 1
    for reading in view.root.locator('[data-role="reading"]').all()[::-1]:   # ends on the first
        reading.click()
        view.page.wait_for_function("([r, key]) => r.getAttribute('data-reading') === key",
                                    arg=[view.root.element_handle(), reading.get_attribute("data-reading")])
        shown = check(f"reading {reading.get_attribute('data-reading')}")
        n = view.range()[1] + 1
    if n == 1:
        return log
    start = view.step
    presses = min(3, n - 1)
    key, sign = ("ArrowRight", 1) if start + presses < n else ("ArrowLeft", -1)
    view.press(key, presses)
    check(f"{presses}× {key}", k=start + sign * presses)
    view.press("End")
    check("End", k=n - 1)
    view.press("Home")
    check("Home", k=0)
    view.drag(0.6)
    k = view.value()
    assert k > 0 and abs(k - 0.6 * (n - 1)) <= max(1.5, 0.05 * n), f"{label}: drag to 60 % gave step {k} of 0..{n - 1}"
    check("drag to 60 %", k=k)
    if shoot:
        shoot(view, "drag")
    for button, d in (("prev", -1), ("next", 1)) if k == n - 1 else (("next", 1), ("prev", -1)):
        k += d
        view.click(button)
        check(button.capitalize(), k=k)
    # a cell computed at some step goes there when clicked
    cells = view.root.locator("[data-order]")
    if cells.count():
        cell = cells.nth(cells.count() // 2)
        target = int(cell.get_attribute("data-order"))
        cell.scroll_into_view_if_needed()
        cell.click()
        check(f"click on the output cell of step {target}", k=target)

    # pointing at (or tabbing to) a cell others read lights them and says so
    for pid, panel in shown["panels"].items():
        reads = panel.get("reads")
        found = next(((r, c, x) for r, row in enumerate(reads or []) for c, x in enumerate(row) if x and x[1]), None)
        if found:
            r, c, (sentence, targets) = found
            cell = view.root.locator(f'.cc-cell[data-panel="{pid}"][data-pos="{r},{c}"]')
            cell.scroll_into_view_if_needed()
            view.page.mouse.move(0, 0)               # the pointer off every cell: only the focus lights
            cell.focus()
            lit = view.root.evaluate("r => Array.from(r.querySelectorAll('.cc-lit'), "
                                     "e => [e.dataset.panel, ...e.dataset.pos.split(',').map(Number)])")
            assert sorted(lit) == sorted(map(list, targets)), f"{label}: focus on {pid} {r},{c} lit {lit}, not {targets}"
            assert view.control("say").text_content() == sentence
            view.root.locator('[data-role="step-slider"]').focus()
            log.append(f"focus on {pid} ({r}, {c}): {len(targets)} reader(s) lit and said")
            break

    view.press("Home")
    view.wait_step(0)
    view.choose("speed", "5")
    need = 3 if n > 6 else n
    seen, deadline = [0], time.monotonic() + 10
    view.click("play")
    while len(seen) < need and seen[-1] < n - 1:
        assert time.monotonic() < deadline, f"{label}: Play went {seen} in 10 s"
        if view.step != seen[-1]:
            seen.append(view.step)
    assert seen == sorted(seen), f"{label}: Play went {seen}"
    if view.control("play").get_attribute("aria-pressed") == "true":
        view.click("play")                    # pause (at the last step Play stops by itself)
    assert view.control("play").get_attribute("aria-pressed") == "false"
    view.wait_settled()                        # the last tick of Play has drawn
    check(f"Play then Pause ({seen})")
    assert view.step >= seen[-1]

    shown = check("before the positions")
    for i, (role, _name, hi) in enumerate(shown["positions"]):
        if hi < 1:
            continue
        pos = list(shown["record"]["pos"])
        key, d = ("ArrowRight", 1) if pos[i] < hi else ("ArrowLeft", -1)
        pos[i] += d
        want = shown["table"]
        for v in pos:
            want = want[v]
        view.press(key, 1, role)
        if shown["held"] and want >= shown["held"]:      # a step the page does not hold: refused, said why
            view.page.wait_for_function("r => r.querySelector('[data-role=note]').textContent !== ''",
                                        arg=view.root.element_handle())
            assert "run the notebook" in view.control("note").inner_text(), f"{label}: {role} went past the page"
            shown = check(f"{key} on {role}: refused, step {want} is not on this page", k=shown["step"])
        else:
            shown = check(f"{key} on {role}", k=want)

    if view.has("buildup-slider") and view.control("buildup-slider").is_visible():
        top = view.range("buildup-slider")[1]
        view.press("Home", 1, "buildup-slider")
        check("build-up Home", b=0)
        for b in range(1, min(top, 6) + 1):
            view.press("ArrowRight", 1, "buildup-slider")
            check("build-up +1", b=b)
        view.press("End", 1, "buildup-slider")
        check("build-up End", b=top)
        view.click("buildup-back")
        check("build-up − button", b=top - 1)
        view.click("buildup-forward")
        check("build-up + button", b=top)
    return log


# ----------------------------------------------------------------------------
# Present mode: the view alone, every part of it on the screen
# ----------------------------------------------------------------------------
JS_OUTSIDE = r"""
(root) => {
  const vw = innerWidth, vh = innerHeight;
  const parts = root.querySelectorAll('.cc-controls:not([hidden]), [data-role=header], .cc-panel, [data-role=lines], .cc-legend');
  return {count: parts.length, outside: Array.from(parts).filter((e) => {
    const b = e.getBoundingClientRect();
    return b.width > 0 && (b.left < -1 || b.top < -1 || b.right > vw + 1 || b.bottom > vh + 1);
  }).map((e) => e.dataset.role || e.dataset.panel || e.className)};
}
"""


def check_present(host, view, label: str, sizes=((853, 480), (1920, 1080))) -> list[str]:
    """For each screen size: F on the focused view shows it alone with its controls, every panel,
    the lines and the legend inside the screen; Escape puts it back in its place. Screenshots."""
    page, log = host.page, []
    before = page.viewport_size
    for width, height in sizes:
        page.set_viewport_size({"width": width, "height": height})
        view.root.focus()
        page.keyboard.press("f")
        page.wait_for_function("() => document.querySelector('.convcore-view.cc-present') !== null",
                               timeout=10_000)      # Playwright raises on the deadline
        present = page.locator(".convcore-view.cc-present")
        found = present.evaluate(JS_OUTSIDE)
        assert found["count"] > 3 and found["outside"] == [], f"{label} {width}×{height}: outside the screen: {found}"
        scale = float(present.evaluate("r => getComputedStyle(r).getPropertyValue('--cc-scale')"))
        host.screenshot(f"present-{label}-{width}x{height}")
        page.keyboard.press("Escape")
        page.wait_for_function("() => document.querySelector('.convcore-view.cc-present') === null", timeout=10_000)
        log.append(f"present {width}×{height}: every part on screen, scale {scale:.2f}")
    page.set_viewport_size(before)
    return log


# Every text drawn under ``root``, against the background it is drawn on (WCAG 2 contrast ratio):
# its colour, times the opacities above it, over the backgrounds of its ancestors composited from the
# page down. A <select> counts as the text it shows; text a screen reader alone reads (a box of 1 px
# or less) and text not drawn at all are left out.
JS_CONTRAST = r"""
(root) => {
  const parse = (c) => {
    const m = /rgba?\(([^)]+)\)/.exec(c || "");
    if (!m) return null;
    const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(parseFloat);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, bottom) => [0, 1, 2].map(i => top[i] * top[3] + bottom[i] * (1 - top[3])).concat([1]);
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const texts = new Set(root.tagName === "SELECT" ? [root] : root.querySelectorAll("select"));
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (node.textContent.trim() && el && !el.closest("script, style, template, noscript, select")) texts.add(el);
  }
  const out = [];
  for (const el of texts) {
    if (!el.checkVisibility({opacityProperty: true, visibilityProperty: true})) continue;
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) continue;
    const style = getComputedStyle(el);
    let fg = parse(el instanceof SVGElement ? style.fill : style.color);
    if (!fg) continue;
    const chain = [];
    for (let e = el; e; e = e.parentElement) chain.push(e);
    const opacity = chain.reduce((o, e) => o * parseFloat(getComputedStyle(e).opacity), 1);
    fg = [fg[0], fg[1], fg[2], fg[3] * opacity];
    if (fg[3] === 0) continue;
    let bg = [255, 255, 255, 1];                 // the page under everything
    for (const e of chain.reverse()) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) bg = over(c, bg);
    }
    const [a, b] = [lum(over(fg, bg)), lum(bg)].sort((x, y) => y - x);
    const where = (el.getAttribute("data-role") || el.className.baseVal || el.className || el.tagName).toString();
    out.push({text: (el.tagName === "SELECT" ? el.value : el.textContent).trim().slice(0, 40),
              ratio: (a + 0.05) / (b + 0.05), fg: style.color, bg: `rgb(${bg.slice(0, 3).map(Math.round).join(", ")})`,
              where: `${el.tagName.toLowerCase()}.${where}`.slice(0, 60)});
  }
  return out;
}
"""


def contrast(locator) -> list[dict]:
    """Each text drawn under ``locator`` (an element) with its contrast ratio against its background."""
    return locator.evaluate(JS_CONTRAST)
