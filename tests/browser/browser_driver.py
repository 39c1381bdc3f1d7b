"""One driver for every place a view is shown: JupyterLab, Notebook 7, Voila and a static page.

Each host is a small class over one base, ``Host``, with the same steps everywhere:

    host.open(...)            # a notebook (Lab, Notebook7), the app (Voila), a URL (StaticPage)
    host.set_theme("dark")    # "light"/"dark" as the host takes it (Settings menu, ?theme=, colour
                              #   scheme); fails unless the page then wears it
    host.run_all()            # run every cell (Lab, Notebook 7) / until every view is drawn
    host.wait_idle()          # until the kernel is idle (Lab, Notebook 7) / the page is quiet
    host.views()              # every view on it, as ``View``s that press keys, drag and click
    host.errors()             # what a reader sees as an error, uncaught page errors (static pages:
                              #   also console errors and every request that left the page)
    host.readable(target)     # assert every text under target (default: the page) is at 4.5:1
    host.screenshot(name)     # screenshots/<name>.png
    lab.run_cell(i), lab.wait_kernel_says(i, text)     # the kernel's side, polled with a deadline

Every wait has a deadline and fails saying what it waited for and what it saw (``until``,
``wait_js``, ``wait_selector``, ``wait_quiet``, ``wait_step``). Importing this starts nothing.
"""
from __future__ import annotations

import contextlib
import re
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import browser_servers as servers
from browser_checks import contrast

LAB_THEMES = {"light": "JupyterLab Light", "dark": "JupyterLab Dark"}
LAB_BACKGROUND = {"light": ("#fff", "#ffffff", "white"), "dark": ("#111", "#111111")}   # --jp-layout-color0
STDERR = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
ERROR_TEXTS = ("Error displaying widget", "Error rendering", "Failed to display",
               "Traceback (most recent call last)", "Model not found")


# -- waits: each has a deadline and says what it waited for -------------------------------------
def until(get, what: str, ok=bool, timeout: float = 10, every: float = 0.2):
    """Poll ``get()`` until ``ok(value)``; returns the value. Past ``timeout`` s: TimeoutError naming
    ``what`` and the last value seen."""
    deadline = time.monotonic() + timeout
    while True:
        got = get()
        if ok(got):
            return got
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up after {timeout:g} s waiting for {what}; last seen: {got!r}")
        time.sleep(every)


def _loud(what: str, timeout: float, wait, seen=None):
    try:
        return wait()
    except Exception as err:
        if "Timeout" not in type(err).__name__:
            raise
        now = ""
        with contextlib.suppress(Exception):
            now = f"; it shows {seen()}" if seen else ""
        raise TimeoutError(f"gave up after {timeout:g} s waiting for {what}{now}") from None


def wait_js(page, js: str, what: str, arg=None, timeout: float = 20, seen=None, polling="raf"):
    """``page.wait_for_function(js, arg)``; a timeout fails naming ``what`` (and ``seen()``, if given)."""
    return _loud(what, timeout, lambda: page.wait_for_function(js, arg=arg, timeout=timeout * 1000, polling=polling), seen)


def wait_selector(page, selector: str, what: str, timeout: float = 20):
    return _loud(f"{what} ({selector})", timeout, lambda: page.wait_for_selector(selector, timeout=timeout * 1000))


def wait_step(root, k: int, mode: str | None = None, timeout: float = 10) -> None:
    """Until the view ``root`` (a locator of a .convcore-view) shows step ``k`` (of reading ``mode``)."""
    sel = f'[data-step="{k}"]' + (f'[data-mode="{mode}"]' if mode else "")
    wait_js(root.page, f"e => e.matches('{sel}')", f"the view to show step {k}" + (f" of {mode}" if mode else ""),
            root.element_handle(), timeout, lambda: root.evaluate("e => `step ${e.dataset.step} ${e.dataset.mode || ''}`"))


JS_QUIET = r"""
([sel, quiet, limit]) => new Promise((resolve) => {
  const el = document.querySelector(sel);
  if (!el) { resolve("missing"); return; }
  let timer = setTimeout(() => done("quiet"), quiet);
  const giveUp = setTimeout(() => done("busy"), limit);
  const obs = new MutationObserver(() => { clearTimeout(timer); timer = setTimeout(() => done("quiet"), quiet); });
  obs.observe(el, {subtree: true, childList: true, attributes: true, characterData: true});
  function done(how) { obs.disconnect(); clearTimeout(timer); clearTimeout(giveUp); resolve(how); }
})
"""


def wait_quiet(page, selector: str, quiet_ms: int = 250, timeout: float = 10) -> None:
    """Until nothing under ``selector`` has changed for ``quiet_ms``; fails if it is missing or still
    changing after ``timeout`` s."""
    page.wait_for_timeout(30)   # a grace period, not a wait: let the message that triggered the change land
    how = page.evaluate(JS_QUIET, [selector, quiet_ms, int(timeout * 1000)])
    if how != "quiet":
        raise TimeoutError(f"gave up waiting for {selector} to stay unchanged for {quiet_ms} ms: "
                           + ("it is not on the page" if how == "missing" else f"still changing after {timeout:g} s"))


def next_frame(page) -> None:
    """Until the page has drawn two more frames (what was just changed is on screen)."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


# -- views -------------------------------------------------------------------------------------
# The element that holds a view: its root (the benchmarks' echo, replaced on every step: its parent).
JS_MARK_CONTAINER = r"""
([root, id]) => {
  const best = root.getAttribute('data-view') === 'echo' ? root.parentElement : root;
  if (!best.hasAttribute('data-cc-test')) best.setAttribute('data-cc-test', id);
  return best.getAttribute('data-cc-test');
}
"""

JS_CELL_INDEX = ("(box) => { const cell = box.closest('.jp-Cell'); return cell ? Array.from(cell.parentElement.children)"
                 ".filter(c => c.classList.contains('jp-Cell')).indexOf(cell) : null; }")


@dataclass
class View:
    """One view on the page. Step views draw their own controls (``data-role``s of the DOM contract)."""

    page: object
    index: int
    container_id: str     # data-cc-test on the view's root
    kind: str
    example: str | None = None
    cell: int | None = None
    notebook_path: Path | None = None

    @property
    def container(self):
        return self.page.locator(f'[data-cc-test="{self.container_id}"]')

    @property
    def root(self):
        return self.container

    def control(self, role: str):
        return self.root.locator(f'[data-role="{role}"]').first

    def has(self, role: str) -> bool:
        return self.root.locator(f'[data-role="{role}"]').count() > 0

    def value(self, role: str = "step-slider") -> int:
        return int(self.control(role).input_value())

    def range(self, role: str = "step-slider") -> tuple[int, int]:
        c = self.control(role)
        return int(c.get_attribute("min")), int(c.get_attribute("max"))

    @property
    def step(self) -> int:
        return int(self.root.get_attribute("data-step"))

    def press(self, key: str, times: int = 1, role: str = "step-slider") -> None:
        """Press ``key`` on a control ``times`` times (the view redraws before the next press)."""
        c = self.control(role)
        c.scroll_into_view_if_needed()
        c.focus()
        for _ in range(times):
            self.page.keyboard.press(key)

    def drag(self, fraction: float, role: str = "step-slider") -> None:
        """Drag the range's thumb with the mouse to ``fraction`` (0..1) of its track."""
        c = self.control(role)
        c.scroll_into_view_if_needed()
        box, (lo, hi) = c.bounding_box(), self.range(role)
        at, y = (self.value(role) - lo) / max(hi - lo, 1), box["y"] + box["height"] / 2
        thumb = 8       # Chromium's range thumb: the track runs from half a thumb in on each side
        x = lambda f: box["x"] + thumb + f * (box["width"] - 2 * thumb)   # noqa: E731
        self.page.mouse.move(x(at), y)
        self.page.mouse.down()
        self.page.mouse.move(x(fraction), y, steps=12)
        self.page.mouse.up()

    def click(self, role: str) -> None:
        self.control(role).scroll_into_view_if_needed()
        self.control(role).click()

    def choose(self, role: str, value: str) -> None:
        self.control(role).select_option(value)

    def wait_step(self, k: int, timeout: float = 10, attr: str = "data-step") -> None:
        """Until the view shows step ``k`` (or ``attr`` = ``k``); a timeout fails, with what it shows."""
        wait_js(self.page, "([id, attr, k]) => { const b = document.querySelector(`[data-cc-test='${id}']`);"
                " const r = b && (b.matches('.convcore-view') ? b : b.querySelector('.convcore-view'));"
                " return r && r.getAttribute(attr) === String(k); }",
                f"view {self.index} ({self.kind}) to show {attr}={k}", [self.container_id, attr, k], timeout,
                lambda: f"{attr}={self.root.get_attribute(attr)}")

    def wait_settled(self, quiet_ms: int = 250, timeout: float = 10) -> None:
        wait_quiet(self.page, f'[data-cc-test="{self.container_id}"]', quiet_ms, timeout)


def find_views(page, scope: str = "", notebook_path: Path | None = None) -> list[View]:
    """Every view on the page (inside ``scope``), in document order."""
    roots, views = page.locator(f"{scope} .convcore-view".strip()), []
    for i in range(roots.count()):
        root = roots.nth(i)
        cid = page.evaluate(JS_MARK_CONTAINER, [root.element_handle(), f"view-{i}"])
        v = View(page, len(views), cid, root.get_attribute("data-view") or "?",
                 example=root.get_attribute("data-example"), notebook_path=notebook_path)
        v.cell = v.container.evaluate(JS_CELL_INDEX)
        views.append(v)
    return views


def assert_named(root, by_label: bool = False) -> None:
    """Every control of the view ``root`` has a name (its aria-label, or ``by_label`` its <label>), and
    its sentence is read out when it changes."""
    names = root.evaluate("(r, l) => Array.from(r.querySelectorAll('button, input, select')).map(e => "
                          "e.getAttribute('aria-label') || (l && e.labels && e.labels[0] && e.labels[0].textContent) || '')",
                          by_label)
    assert names and all(n.strip() for n in names), f"controls without a name: {names}"
    assert root.locator('[data-role="say"]').get_attribute("aria-live") == "polite"


def visible_errors(page, scope: str = "body") -> list[str]:
    """Texts a learner would read as an error inside ``scope``: stderr and traceback outputs,
    widgets that failed to display, and the views' own error areas."""
    area = page.locator(scope).first
    found = [f"stderr/error output: {t[:800]}" for t in area.locator(STDERR).all_inner_texts()]
    for out in area.locator(".jp-OutputArea-output").all_inner_texts():
        if any(m in out for m in ERROR_TEXTS) and not any(out[:200] in f for f in found):
            found.append(f"output: {out[:800]}")
    return found + [f"view error: {t[:400]}" for t in area.locator('[data-role="error"]').all_inner_texts() if t.strip()]


def new_page(browser):
    """A page in a new context, 1366×768, 20 s for any one action. Close ``page.context`` after."""
    context = browser.new_context(viewport=servers.VIEWPORT)
    context.set_default_timeout(20_000)
    return context.new_page()


# -- hosts -------------------------------------------------------------------------------------
class Host:
    """What every host shares: a page, the errors it records, its views, contrast, screenshots."""

    scope = "body"                      # where the views and the errors are looked for
    ignored_page_errors: tuple = ()     # uncaught errors the host itself throws, not ours

    def __init__(self, page, notebook_path: Path | None = None):
        self.page, self.notebook_path, self.theme = page, notebook_path, "light"
        self.page_errors, self.console_errors = [], []
        page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        page.on("pageerror", lambda e: self.page_errors.append(str(e)))

    def run_all(self, timeout: float = 120):
        """Nothing to run: until every view on the page is drawn and the page is quiet."""
        wait_js(self.page, "() => [...document.querySelectorAll('.convcore-embed')].every(e => e.querySelector('.convcore-view'))",
                "every .convcore-embed to hold a drawn view", timeout=timeout)
        self.wait_idle()

    def wait_idle(self, timeout: float = 30) -> None:
        wait_quiet(self.page, self.scope, 400, timeout)

    def views(self, scope: str | None = None) -> list[View]:
        return find_views(self.page, scope or self.scope, self.notebook_path)

    def errors(self) -> list[str]:
        return visible_errors(self.page, self.scope) + [
            f"uncaught error: {e}" for e in self.page_errors if not any(i in e for i in self.ignored_page_errors)]

    def readable(self, target=None, label: str = "", at_least: int = 1, minimum: float = 4.5) -> int:
        """Assert every text drawn under ``target`` (a locator; default the page) reaches ``minimum``:1
        against its background, and that ``at_least`` were measured; returns how many were."""
        texts = contrast(target if target is not None else self.page.locator("body"))
        low = [dict(t, ratio=round(t["ratio"], 2)) for t in texts if t["ratio"] < minimum]
        label = f"{label or type(self).__name__}, {self.theme}"
        assert len(texts) >= at_least, f"{label}: {len(texts)} texts measured, expected {at_least} or more"
        assert not low, f"{label}: {len(low)} of {len(texts)} texts under {minimum}:1, e.g.\n  " + "\n  ".join(map(str, low[:10]))
        return len(texts)

    def scroll_to_top(self) -> None:
        self.page.evaluate("() => window.scrollTo(0, 0)")

    def screenshot(self, name: str, element=None, show=None, full_page: bool = False) -> Path:
        """screenshots/``name``.png: of ``element`` alone, or of the page scrolled to ``show`` (a
        locator, or "top"), or of the page as it is."""
        servers.SCREENSHOTS.mkdir(exist_ok=True)
        path = servers.SCREENSHOTS / f"{name}.png"
        if show == "top":
            self.scroll_to_top()
        for target in (element, None if show == "top" else show):
            if target is not None:
                target.scroll_into_view_if_needed()
        next_frame(self.page)          # cells that just came into sight are drawn from the next frame on
        (element or self.page).screenshot(path=str(path), **({} if element else {"full_page": full_page}))
        return path


JS_EXECUTION_STATE = r"""
(scope) => {
  const panel = document.querySelector(scope);
  if (!panel) return {status: 'no notebook panel'};
  const prompts = Array.from(panel.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')).map(p => p.textContent.trim());
  const ind = panel.querySelector('.jp-Notebook-ExecutionIndicator');
  return {status: ind ? ind.getAttribute('data-status') : null,
          errors: panel.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').length,
          running: prompts.filter(p => p.includes('*')).length, unrun: prompts.filter(p => !/\[\d+\]/.test(p)).length};
}
"""


class Lab(Host):
    """A JupyterLab page showing one notebook of ``server`` (a ``browser_servers.Server`` over ``root_dir``)."""

    scope = ".jp-NotebookPanel:not(.lm-mod-hidden)"
    url_path, url_query = "lab/tree/", "?reset"

    def __init__(self, page, server, root_dir: Path | None = None):
        super().__init__(page)
        self.server, self.root_dir, self.notebook = server, root_dir, ""

    def open(self, notebook: str, theme: str = "light", timeout: float = 120) -> Lab:
        """Open ``notebook`` (relative to the server's root), wait for its kernel, wear ``theme``."""
        self.notebook = notebook
        self.notebook_path = None if self.root_dir is None else Path(self.root_dir) / notebook
        self.page.goto(self.server.url + self.url_path + urllib.parse.quote(notebook) + self.url_query,
                       wait_until="domcontentloaded", timeout=timeout * 1000)
        wait_selector(self.page, f"{self.scope} .jp-Notebook .jp-Cell", f"{notebook}'s cells", timeout)
        self.wait_idle(timeout)
        tab = self.page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current")
        if tab.count():               # more room for the views at 1366 px: close the file browser
            tab.first.click()
        self.dismiss_toasts()
        self.set_theme(theme)
        return self

    def accept_kernel_dialog(self) -> None:
        """A notebook without kernel metadata asks for one: take the default."""
        if self.page.locator(".jp-Dialog").count() and self.page.locator(".jp-Dialog").is_visible():
            self.page.locator(".jp-Dialog .jp-mod-accept").first.click()

    def dismiss_toasts(self) -> None:
        for btn in self.page.locator(".Toastify__toast .jp-toast-button, .Toastify__close-button").all():
            with contextlib.suppress(Exception):
                btn.click(timeout=1000)

    def wait_idle(self, timeout: float = 120) -> None:
        """Until the page's execution indicator and the server both say the notebook's kernel is idle."""
        def state():
            self.accept_kernel_dialog()          # it can come up a moment after the notebook opened
            sessions = self.server.api("GET", "api/sessions")
            return {"indicator": self.execution_state().get("status"),
                    "kernels": [s["kernel"]["execution_state"] for s in sessions if s["path"].endswith(self.notebook)]}
        until(state, f"{self.notebook}'s kernel to be idle",
              lambda s: s["indicator"] == "idle" and "idle" in s["kernels"], timeout, 0.3)

    def menu(self, *path: str) -> None:
        """Click through the main menu, e.g. ``menu("Run", "Run All Cells")``."""
        self.page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(rf"^{re.escape(path[0])}$")).first.click()
        for label in path[1:]:
            self.page.locator(".lm-Menu-item:not(.lm-mod-disabled) .lm-Menu-itemLabel",
                              has_text=re.compile(rf"^{re.escape(label)}$")).first.click()

    def set_theme(self, theme: str) -> None:
        """Settings > Theme > JupyterLab Light/Dark, as a learner picks it, until the page wears it."""
        name = LAB_THEMES[theme]
        if self.page.evaluate("() => document.body.dataset.jpThemeName") != name:
            self.menu("Settings", "Theme", name)
            wait_js(self.page, "t => document.body.dataset.jpThemeName === t", f"the theme {name}", name, 30,
                    lambda: self.page.evaluate("() => document.body.dataset.jpThemeName"))
            next_frame(self.page)
        bg = self.page.evaluate("() => getComputedStyle(document.body).getPropertyValue('--jp-layout-color0')")
        assert bg.strip().lower() in LAB_BACKGROUND[theme], f"{name} is not applied: --jp-layout-color0 = {bg}"
        self.theme = theme

    def execution_state(self) -> dict:
        return self.page.evaluate(JS_EXECUTION_STATE, self.scope)

    def run_all(self, timeout: float = 180) -> dict:
        """Run > Run All Cells, until no cell runs, every cell ran (or one failed) and the kernel is idle,
        three polls in a row (not just between two cells); then until the widgets have rendered."""
        self.page.locator(".jp-Notebook").first.click(position={"x": 5, "y": 5})
        self.menu("Run", "Run All Cells")
        polls = []

        def settled():
            self.accept_kernel_dialog()
            s = self.execution_state()
            polls.append(s.get("status") == "idle" and s.get("running") == 0 and (s.get("unrun") == 0 or s.get("errors")))
            return s
        try:
            state = until(settled, f"{self.notebook}: every cell to run", lambda s: polls[-3:] == [True] * 3, timeout)
        except TimeoutError:
            self.screenshot("timeout-" + self.notebook.replace("/", "-"))
            raise
        wait_quiet(self.page, f"{self.scope} .jp-Notebook", 400, 30)
        return state

    def run_cell(self, index: int, timeout: float = 60) -> str:
        """Run cell ``index`` (Shift+Enter in it) until it has a new execution number; its output's text."""
        cell = self.page.locator(f"{self.scope} .jp-Cell").nth(index)
        prompt = cell.locator(".jp-InputArea-prompt")
        before = prompt.inner_text().strip()
        cell.locator(".jp-InputArea-editor").click()
        self.page.keyboard.press("Shift+Enter")
        until(lambda: prompt.inner_text().strip(), f"cell {index} to run again (its prompt was {before})",
              lambda p: p != before and re.fullmatch(r"\[\d+\]:?", p), timeout, 0.1)
        out = cell.locator(".jp-OutputArea-output")
        return out.first.inner_text().strip() if out.count() else ""

    def wait_kernel_says(self, index: int, text: str, timeout: float = 15) -> None:
        """Run cell ``index`` until it prints ``text`` (the kernel hears of a move once the learner pauses)."""
        until(lambda: self.run_cell(index), f"cell {index} to print {text!r}", lambda out: out == text, timeout, 0.3)

    def scroll_to_top(self) -> None:
        self.page.evaluate("s => { const n = document.querySelector(s); if (n) n.scrollTop = 0; }",
                           f"{self.scope} .jp-WindowedPanel-outer")

    def screenshot(self, name: str, element=None, show=None, full_page: bool = False) -> Path:
        self.dismiss_toasts()
        return super().screenshot(name, element, show, full_page)

    def cells(self):
        import nbformat
        return nbformat.read(str(self.notebook_path), as_version=4).cells


class Notebook7(Lab):
    """Notebook 7: JupyterLab's parts, one document a page; the same menus, runs and themes."""

    url_path, url_query = "notebooks/", ""
    ignored_page_errors = ("reading 'schema'",)   # Notebook 7.6 throws it while it starts, views or not


class Voila(Host):
    """One notebook of ``server`` (a Voila server) as an app: run on load, its theme from the URL."""

    def open(self, server, theme: str = "light", timeout: float = 120) -> Voila:
        self.server = server
        self.page.goto(server.url + ("?theme=dark" if theme == "dark" else ""), wait_until="domcontentloaded",
                       timeout=timeout * 1000)
        self.run_all(timeout)
        light = self.page.evaluate("() => document.body.dataset.jpThemeLight")
        assert light == ("true" if theme == "light" else "false"), f"Voila did not take the {theme} theme: {light}"
        self.theme = theme
        return self

    def set_theme(self, theme: str) -> None:
        if theme != self.theme:
            self.open(self.server, theme)

    def run_all(self, timeout: float = 120) -> None:
        wait_selector(self.page, ".convcore-view[data-step]", "the app's first view", timeout)
        wait_quiet(self.page, "body", 500, 30)


class StaticPage(Host):
    """A page served from ``origin``: every request elsewhere is aborted and recorded (``blocked``),
    console errors count as errors, the theme is the page's colour scheme."""

    def __init__(self, page, origin: str, notebook_path: Path | None = None):
        super().__init__(page, notebook_path)
        self.origin, self.blocked = origin, []
        page.context.route("**/*", self._route)
        page.context.route_web_socket("**/*", lambda ws: (self.blocked.append(ws.url), ws.close()))

    def _route(self, route):
        url = route.request.url
        if url == self.origin or url.startswith(self.origin + "/"):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def open(self, url: str, theme: str = "light") -> StaticPage:
        self.page.goto(url, wait_until="load")
        self.set_theme(theme)
        return self

    def set_theme(self, theme: str) -> None:
        self.page.emulate_media(color_scheme=theme)
        wait_js(self.page, "t => matchMedia(`(prefers-color-scheme: ${t})`).matches", f"the {theme} colour scheme", theme)
        next_frame(self.page)
        self.theme = theme

    def errors(self) -> list[str]:
        return ([f"request outside the site (blocked): {u}" for u in self.blocked]
                + [f"console error: {e}" for e in self.console_errors] + super().errors())


@contextlib.contextmanager
def static_views(page, folder: Path, body: str, script: str, ready: str):
    """A static page of views in ``folder``, styled as the static site is (light and dark), with
    convcore's assets beside it: ``body`` holds the embeds, ``script`` is its module script, ``ready``
    a JS expression true once it has hydrated them. Yields the ``StaticPage``; on leaving, fails on
    anything it shows or logs as an error and on any request that left it."""
    from convcore.site import SITE_CSS
    from convcore.views import static_assets
    (folder / "assets").mkdir(exist_ok=True)
    for name, text in static_assets().items():
        (folder / "assets" / name).write_text(text, encoding="utf-8")
    (folder / "index.html").write_text(f"<!doctype html><meta charset=utf-8><title>views</title><style>{SITE_CSS}"
                                       f"</style><body>{body}<script type=module>{script}</script>", encoding="utf-8")
    with servers.serve(folder) as url:
        host = StaticPage(page, url).open(f"{url}/index.html")
        wait_js(page, ready, f"the page's views to hydrate ({ready})")
        yield host
    assert not host.errors(), "\n".join(host.errors())
