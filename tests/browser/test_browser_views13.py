"""The pooling, receptive-field and sequence views on a static page: hydrated from their own
modules, stepped by keys, Play, Prev/Next and their switches, what is on screen equal to the
data of that step, readable (4.5:1) in light and dark, every request outside the page blocked."""
import functools
import http.server
import threading

import pytest

import browser_servers as servers
from browser_checks import contrast

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

DARK = (":root{color-scheme:light}@media (prefers-color-scheme: dark){:root{--jp-layout-color0:#111111;"
        "--jp-layout-color1:#1c1c1c;--jp-layout-color2:#2b2b2b;--jp-content-font-color1:rgba(255,255,255,1);"
        "--jp-ui-font-color1:rgba(255,255,255,.87);--jp-border-color1:#616161;}body{background:#111111;}}")

# What one view shows: its step, header, every cell with its state and text, the equation.
JS_SHOWN = r"""
(root) => {
  const a = (e, n) => e.getAttribute(n), t = (e) => (e ? e.textContent.trim() : null);
  const all = (sel) => Array.from(root.querySelectorAll(sel));
  return {
    step: Number(a(root, 'data-step')), header: t(root.querySelector('[data-role="header"]')),
    say: t(root.querySelector('[data-role="say"]')),
    inCells: all('[data-role="in-cell"]').map(e => [a(e, 'data-pos'), a(e, 'data-state'), t(e),
             a(e, 'data-win') === '1', a(e, 'data-counted') === '1']),
    outCells: all('[data-role="out-cell"]').map(e => [a(e, 'data-index'), a(e, 'data-state'), t(e)]),
    eq: t(root.querySelector('[data-role="eq"]')), value: t(root.querySelector('[data-role="value"]')),
    rows: all('[data-role="layer-row"]').map(r => Array.from(r.querySelectorAll('[data-role="cell"]'))
             .map(e => a(e, 'data-state'))),
    variant: a(root, 'data-variant'),
    texts: all('[data-role="layer-text"]').map(t),
  };
}
"""


def pool_expected(view, k):
    S, r = view.data["static"], view.data["steps"][k]
    s, ch = r["plane"]
    taps = dict(r["taps"])
    cells = []
    for i, row in enumerate(S["inKeys"]):
        for j, key in enumerate(row):
            cells.append([key, taps.get(key, S["inState"][i][j]), S["inText"][s][ch][i][j], key == r["win"],
                          key in r["counted"]])
    outs = []
    for i, row in enumerate(S["outKeys"]):
        for j, key in enumerate(row):
            at = S["stepOf"][s][ch][i][j]
            state = "done" if at < k else "current" if at == k else "todo"
            outs.append([key, state, S["outText"][s][ch][i][j] if state == "done" else r["v"] if state == "current" else ""])
    return {"step": k, "header": r["h"], "say": r["say"], "inCells": cells, "outCells": outs, "eq": r["eq"], "value": r["v"]}


def rows_expected(view, k, variant):
    V = view.data["variants"][variant]
    r = V["steps"][k]
    return {"step": k, "header": r["h"], "say": r["say"], "variant": variant,
            "rows": [[view.data["static"]["states"][c] for c in row] for row in r["rows"]],
            "texts": [layer["text"] for layer in V["layers"]]}


def check(root, view, k, variant=None):
    shown = root.evaluate(JS_SHOWN)
    if view.kind == "pool":
        want = pool_expected(view, k)
    else:
        want = rows_expected(view, k, variant)
    got = {key: shown[key] for key in want}
    assert got == want, (view.kind, k, variant)


@pytest.fixture
def static_page(page, tmp_path):
    from convcore.causal import causal_layers
    from convcore.views import PoolView, ReceptiveFieldView, SequenceView, static_assets
    views = [PoolView([[1, 2, 0, 1], [3, 4, 1, 0], [0, 0, 5, 6], [1, 2, 7, 8]], "max", kernel_size=2),
             PoolView([1, 3, 2, 2, 5], "avg", kernel_size=2, ceil_mode=True),
             PoolView([1, 3, 2, 2, 5], "max", kernel_size=2, stride=2, padding=1, ceil_mode=True),
             ReceptiveFieldView([dict(kernel_size=3, padding=1), dict(kind="max_pool", kernel_size=2),
                                 dict(kernel_size=3, padding=1), dict(kind="max_pool", kernel_size=2)], 16),
             SequenceView(24, kernel_size=2, dilations=(1, 2, 4, 8))]
    assert causal_layers
    (tmp_path / "assets").mkdir()
    for name, text in static_assets().items():
        (tmp_path / "assets" / name).write_text(text)
    body = "".join(v.embed_html() for v in views)
    modules = sorted({v.module for v in views})
    imports = "".join(f"import {{hydrate as h{i}}} from './assets/{m}'; n += h{i}().length;" for i, m in enumerate(modules))
    (tmp_path / "index.html").write_text(
        f"<!doctype html><meta charset=utf-8><title>views13</title><style>{DARK}</style><body>{body}"
        f"<script type=module>let n = 0; {imports} window.hydrated = n;</script>")
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(
        http.server.SimpleHTTPRequestHandler, directory=str(tmp_path)))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{srv.server_port}/"
    blocked, errors = [], []
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(origin)
               else (blocked.append(route.request.url), route.abort()))
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(origin + "index.html")
        page.wait_for_function(f"window.hydrated === {len(views)}")
        yield page, views, page.locator(".convcore-view")
    finally:
        srv.shutdown()
    assert not errors and not blocked, (errors, blocked)


def test_view_js_hydrate_brings_the_other_modules(page, tmp_path):
    """A page that loads only convcore-view.js (as the static site does) still gets these views."""
    from convcore.views import PoolView, SequenceView, Stepper1D, static_assets
    views = [Stepper1D([1, 2, 3, 4], [1, 0, -1]), PoolView([1, 3, 2, 2, 5], "avg", kernel_size=2, ceil_mode=True),
             SequenceView(16)]
    (tmp_path / "assets").mkdir()
    for name, text in static_assets().items():
        (tmp_path / "assets" / name).write_text(text)
    from convcore.views import embed_html
    body = embed_html(views[0]) + views[1].embed_html() + views[2].embed_html()
    (tmp_path / "index.html").write_text(
        f"<!doctype html><meta charset=utf-8><body>{body}<script type=module>"
        "import {hydrate} from './assets/convcore-view.js'; hydrate();</script>")
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(
        http.server.SimpleHTTPRequestHandler, directory=str(tmp_path)))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(f"http://127.0.0.1:{srv.server_port}/index.html")
        page.wait_for_function("document.querySelectorAll('.convcore-embed[data-hydrated]').length === 3")
        roots = page.locator(".convcore-view")
        assert [roots.nth(i).get_attribute("data-view") for i in range(3)] == ["stepper1d", "pool", "sequence"]
        check(roots.nth(1), views[1], 0)
        check(roots.nth(2), views[2], 0, "dilated")
    finally:
        srv.shutdown()
    assert not errors, errors


def _wait_step(root, k):
    root.page.wait_for_function("([r, k]) => r.getAttribute('data-step') === String(k)",
                                arg=[root.element_handle(), k])


def test_every_view_steps_and_shows_its_data(static_page):
    page, views, roots = static_page
    for n, view in enumerate(views):
        root = roots.nth(n)
        variants = list(view.data.get("variants", {None: None}))
        for variant in variants:
            if variant is not None and variant != root.get_attribute("data-variant"):
                root.locator('[data-role="variant"]').select_option(variant)   # the switch keeps t
                check(root, view, view.n - 1, variant)
            slider = root.locator('[data-role="step-slider"]')
            slider.focus()
            page.keyboard.press("Home")
            _wait_step(root, 0)
            check(root, view, 0, variant)
            last = view.n - 1
            for k in range(1, min(last, 4) + 1):             # keys
                page.keyboard.press("ArrowRight")
                _wait_step(root, k)
                check(root, view, k, variant)
            page.keyboard.press("End")
            _wait_step(root, last)
            check(root, view, last, variant)
            root.locator('[data-role="prev"]').click()
            _wait_step(root, last - 1)
            check(root, view, last - 1, variant)
            root.locator('[data-role="next"]').click()
            _wait_step(root, last)
            slider.focus()
            page.keyboard.press("Home")
            _wait_step(root, 0)
            root.locator('[data-role="speed"]').select_option("0")
            root.locator('[data-role="play"]').click()          # Play runs to the end and stops
            _wait_step(root, last)
            check(root, view, last, variant)
            assert root.locator('[data-role="play"]').get_attribute("aria-pressed") == "false"
        names = root.evaluate("r => Array.from(r.querySelectorAll('button, input, select')).map(e => "
                              "e.getAttribute('aria-label') || '')")
        assert names and all(x.strip() for x in names), names
        assert root.locator('[data-role="say"]').get_attribute("aria-live") == "polite"
        if view.kind == "receptive":          # no kernel here: the layer controls are off and say so
            assert root.locator('[data-role="edit-kernel_size"]').count() == 4
            assert root.locator('select[data-role^="edit-"]:not([disabled])').count() == 0
            assert root.locator('[data-role="needs-kernel"]').inner_text() == view.data["static"]["needsKernel"]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_text_is_readable(static_page, scheme):
    page, views, roots = static_page
    page.emulate_media(color_scheme=scheme)
    for n in range(len(views)):
        roots.nth(n).locator('[data-role="next"]').click()
        texts = contrast(roots.nth(n))
        assert len(texts) > 10
        low = [t for t in texts if t["ratio"] < 4.5]
        assert not low, f"{scheme}, view {n}: {low[:5]}"
    page.screenshot(path=str(servers.SCREENSHOTS / f"views13-static-{scheme}.png"), full_page=True)


# -- live, in JupyterLab ------------------------------------------------------------------------
THEMES = "@jupyterlab/apputils-extension/themes.jupyterlab-settings"
LIVE_CELLS = [
    "from convcore.views import PoolView, ReceptiveFieldView, SequenceView\n"
    "pool_view = PoolView([[1, 2, 0, 1], [3, 4, 1, 0], [0, 0, 5, 6], [1, 2, 7, 8]], 'max', kernel_size=2)\n"
    "pool_view",
    "sequence_view = SequenceView(24)\nsequence_view",
    "rf_view = ReceptiveFieldView([dict(kernel_size=3, padding=1), dict(kind='max_pool', kernel_size=2),\n"
    "                              dict(kernel_size=3, padding=1), dict(kind='max_pool', kernel_size=2)], 16)\n"
    "rf_view",
    "pool_view.step = 2",
    "print(f'kernel sees pool step {pool_view.step}, sequence step {sequence_view.step} {sequence_view.variant}')",
]


@pytest.mark.parametrize("theme", ["JupyterLab Light", "JupyterLab Dark"])
def test_live_in_jupyterlab(lab, lab_root, browser_tmp, theme):
    import json
    import time

    import browser_scratch
    from convcore.views import PoolView, ReceptiveFieldView, SequenceView
    browser_scratch.write(browser_scratch.notebook(*LIVE_CELLS), lab_root / "_harness" / "views13.ipynb")
    settings = browser_tmp / "lab" / "lab-user-settings" / THEMES
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(json.dumps({"theme": theme}))
    mirror = {"pool": PoolView([[1, 2, 0, 1], [3, 4, 1, 0], [0, 0, 5, 6], [1, 2, 7, 8]], "max", kernel_size=2),
              "sequence": SequenceView(24),
              "receptive": ReceptiveFieldView([dict(kernel_size=3, padding=1), dict(kind="max_pool", kernel_size=2),
                                               dict(kernel_size=3, padding=1), dict(kind="max_pool", kernel_size=2)], 16)}
    try:
        lab.root_dir = lab_root
        lab.open("_harness/views13.ipynb")
        state = lab.run_all()
        assert state["unrun"] == 0 and lab.errors() == []
        pool, seq, rec = lab.views()
        assert (pool.kind, seq.kind, rec.kind) == ("pool", "sequence", "receptive")
        pool.wait_step(2)                                   # the kernel moved it: pool_view.step = 2
        check(pool.root, mirror["pool"], 2)
        seq.press("ArrowRight", 3)
        seq.wait_step(3)
        seq.choose("variant", "plain")
        check(seq.root, mirror["sequence"], 3, "plain")
        rec.click("next")
        rec.wait_step(1)
        check(rec.root, mirror["receptive"], 1, "stack")
        rec.choose("edit-kernel_size", "3")                 # layer 4 (the top row): recomputed by the kernel
        mirror["receptive"].set_layers([dict(m, kernel_size=3) if i == 3 else m
                                        for i, m in enumerate(mirror["receptive"].layers)])
        lab.page.wait_for_function("r => r.querySelector('[data-role=\"layer-text\"]').textContent.includes('kernel 3')",
                                   arg=rec.root.element_handle())
        check(rec.root, mirror["receptive"], 0, "stack")
        time.sleep(1.0)                                     # the learner pauses: the kernel hears
        cell = lab.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell").nth(5)
        cell.locator(".jp-InputArea-editor").click()
        lab.page.keyboard.press("Shift+Enter")
        out = cell.locator(".jp-OutputArea-output")
        out.first.wait_for()
        assert out.first.inner_text().strip() == "kernel sees pool step 2, sequence step 3 plain"
        name = theme.split()[-1].lower()
        for view in (pool, seq, rec):
            view.root.scroll_into_view_if_needed()
            lab.screenshot(f"lab-{name}-{view.kind}", view.root)
            low = [t for t in contrast(view.root) if t["ratio"] < 4.5]
            assert not low, f"{theme}, {view.kind}: {low[:5]}"
    finally:
        settings.unlink()
