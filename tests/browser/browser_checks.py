"""Is what a view shows on a page exactly the frame convcore makes for that step? One equality.

    from browser_checks import check_view
    check_view(page_or_locator, trace)          # -> the snapshot; AssertionError on any difference

``check_view`` reads the first ``.convcore-view`` under ``page_or_locator`` (a
Playwright ``Page`` or ``Locator``: a JupyterLab output, a Voila app, a static
page), takes its ``data-step`` and ``data-buildup``, makes the frame of that
step with convcore in this process (``view_class(trace).frame_function``) and
asserts ``snapshot(...) == expected(frame)``: the header, every output cell
(index, state, text), every input cell (channel, position, state, text, never
read), the kernel cells, the product terms, the partial sums and the value, as
the DOM contract in ``convcore/views/__init__.py`` names them. ``expected`` is
pure Python; the headless tests use it too.
"""
from __future__ import annotations

from convcore.views import heatmap
from convcore.views.frames import PointwiseFrame
from convcore.views.widgets import view_class

# Reads one view's DOM contract into the shape ``expected`` returns.
JS_SNAPSHOT = r"""
(box) => {
  const root = box.matches('.convcore-view') ? box : box.querySelector('.convcore-view');
  if (!root) return null;
  const all = (sel) => Array.from(root.querySelectorAll(sel));
  const t = (e) => (e.textContent || '').trim();
  const done = (e) => e.getAttribute('data-complete') !== '0';
  const a = (e, n) => e.getAttribute(n);
  return {
    step: a(root, 'data-step'), buildup: a(root, 'data-buildup'),
    header: t(root.querySelector('[data-role="header"]') || root),
    out: all('[data-role="out-cell"], [data-role="vec-out"]').map(e => [a(e, 'data-role'), a(e, 'data-index'),
         a(e, 'data-state'), t(e), done(e)]).sort(),
    inputs: all('[data-role="in-cell"]').map(e => [a(e, 'data-channel'), a(e, 'data-pos'), a(e, 'data-state'),
            t(e), a(e, 'data-unread') === '1']).sort(),
    kernels: all('[data-role="kernel-cell"]').filter(e => e.offsetParent !== null)
             .map(e => [a(e, 'data-channel'), a(e, 'data-tap'), t(e)]).sort(),
    terms: all('[data-role="term"]').map(e => [a(e, 'data-channel'), a(e, 'data-tap'), a(e, 'data-product'), t(e)]),
    partials: all('[data-role="partial"]').map(e => [a(e, 'data-channel'), t(e), done(e)]),
    value: all('[data-role="value"]').map(e => [t(e), done(e)]),
  };
}
"""


def _cells(grid, role_key):
    return [c for row in grid.rows for c in row]


def expected(frame) -> dict:
    """What the DOM must show for ``frame`` (any frame kind), in ``JS_SNAPSHOT``'s shape."""
    a = frame.arithmetic
    out, inputs, kernels = [], [], []
    if isinstance(frame, heatmap.HeatFrame):
        i = ",".join(map(str, (frame.out_channel, *frame.out_pos)))
        out.append(["out-cell", i, "current", frame.current, a.complete])
        for t in frame.taps:
            inputs.append([str(t.channel), ",".join(map(str, t.coords)), t.state, "", False])
        for g in frame.kernels:
            kernels += [[str(g.channel), c.key, c.text] for c in _cells(g, "")]
    else:
        for g in frame.outputs:
            for c in _cells(g, ""):
                out.append(["out-cell", c.key, c.state, c.text, not (c.state == "current" and not a.complete)])
        for g in frame.inputs:
            for c in _cells(g, ""):
                inputs.append([str(g.channel), c.key, c.state, c.text, c.unread])
        if isinstance(frame, PointwiseFrame):
            out += [["vec-out", c.key, c.state, c.text, True] for c in frame.y]
        else:
            for g in frame.kernels:
                if g is not None:
                    kernels += [[str(g.channel), c.key, c.text] for c in _cells(g, "")]
    terms, partials = [], []
    for s in a.sums:
        from convcore.views.frames import elide
        terms += [[str(t.channel), t.tap, t.product, t.text] for t in elide(list(s.terms)) if t is not None]
        if s.partial is not None:
            partials.append([str(s.channel), s.partial, s.complete])
    if isinstance(frame, heatmap.HeatFrame):       # channels past the panels show their partial sum alone
        shown = {g.channel for g in frame.patches}
        terms = [t for t in terms if int(t[0]) in shown]
    return {"step": str(frame.step), "buildup": str(a.buildup), "header": frame.header,
            "out": sorted(out), "inputs": sorted(inputs), "kernels": sorted(kernels), "terms": terms,
            "partials": partials, "value": [[a.value, a.complete]]}


def snapshot(page_or_locator) -> dict:
    """The view's DOM contract as ``expected`` shapes it (first view under the page or locator)."""
    target = page_or_locator.locator("body") if hasattr(page_or_locator, "goto") else page_or_locator
    snap = target.first.evaluate(JS_SNAPSHOT)
    assert snap is not None, "no .convcore-view here"
    # JSON arrays come back as lists; booleans stay booleans; sort as Python sorts.
    for key in ("out", "inputs", "kernels"):
        snap[key] = sorted(snap[key])
    return snap


def check_view(page_or_locator, trace) -> dict:
    """Assert the view shows exactly convcore's frame of ``trace`` at its data-step / data-buildup."""
    snap = snapshot(page_or_locator)
    k, b = int(snap["step"]), int(snap["buildup"])
    want = expected(view_class(trace).frame_function(trace, k, b))
    for key in want:
        assert snap[key] == want[key], (
            f"step {k}, build-up {b}: {key} on screen differs from the frame:\n"
            f"  shown:    {str(snap[key])[:600]}\n  expected: {str(want[key])[:600]}")
    return snap


# ----------------------------------------------------------------------------
# Working a view every way a learner can (JupyterLab, Voila and static pages alike)
# ----------------------------------------------------------------------------
def trace_of(view):
    """The trace a view on the page shows: its catalogue example, or its cell's code re-run here."""
    import convcore.examples
    from browser_rebuild import trace_of_cell
    if view.example:
        return convcore.examples.get(view.example).trace()
    if view.notebook_path is not None and view.cell is not None:
        return trace_of_cell(view.notebook_path, view.cell)
    return None


def exercise(view, trace, label: str, shoot=None) -> list[str]:
    """Keys, drag, Next/Prev, Play/Pause, position controls and build-up; after each move the
    screen is checked against the frame (``check_view``) and the controls against the step."""
    import time
    log: list[str] = []
    n = len(trace)

    def check(what, k=None, b=None):
        if k is not None:
            view.wait_step(k)
        if b is not None:
            view.wait_step(b, attr="data-buildup")
        snap = check_view(view.root, trace)
        step = trace[int(snap["step"])]
        assert view.value("step-slider") == step.index, \
            f"{label}: after {what} the slider says {view.value('step-slider')}, the view shows {step.index}"
        where = {"sample": step.sample, "out-channel": step.out_channel, "column": step.out_pos[-1]}
        if len(step.out_pos) == 2:
            where["row"] = step.out_pos[0]
        for role, want in where.items():
            if view.has(role):
                assert view.value(role) == want, f"{label}: after {what} {role} shows {view.value(role)}, not {want}"
        log.append(f"{what}: step {snap['step']}, build-up {snap['buildup']}")

    check("first render")
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
        view.click(button)                     # the one at the end is disabled there
        check(button.capitalize(), k=k)

    view.press("Home")
    view.wait_step(0)
    view.choose("speed", "5")
    need = 3 if n > 6 else n                  # short traces play to the end and stop by themselves
    seen, deadline = [0], time.monotonic() + 10
    view.click("play")
    while len(seen) < need and seen[-1] < n - 1 and time.monotonic() < deadline:
        if view.step != seen[-1]:
            seen.append(view.step)
        time.sleep(0.01)
    assert (len(seen) >= need or seen[-1] == n - 1) and seen == sorted(seen), f"{label}: Play went {seen}"
    if view.control("play").get_attribute("aria-pressed") == "true":
        view.click("play")                    # pause (at the last step Play stops by itself)
    assert view.control("play").get_attribute("aria-pressed") == "false"
    view.wait_settled()
    check(f"Play then Pause ({seen})")
    assert view.step >= seen[-1]

    for role in ("out-channel", "row", "column"):
        if not view.has(role) or view.range(role)[1] < 1:
            continue
        s = trace[view.step]
        where = {"out-channel": s.out_channel, "row": s.out_pos[0], "column": s.out_pos[-1]}
        hi = view.range(role)[1]
        key, d = ("ArrowRight", 1) if where[role] < hi else ("ArrowLeft", -1)
        where[role] += d
        pos = (where["row"], where["column"]) if len(s.out_pos) == 2 else (where["column"],)
        want = trace.index(where["out-channel"], pos, s.sample)
        view.press(key, 1, role)
        check(f"{key} on {role}", k=want)

    if view.has("buildup-slider"):
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
