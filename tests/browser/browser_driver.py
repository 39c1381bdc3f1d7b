"""Drive JupyterLab (and Voila) pages with Playwright: run notebooks, find views, work controls.

``Lab`` opens a notebook in a running JupyterLab, runs all cells through the
menu, waits for the kernel, collects what a learner would see as an error and
takes screenshots. ``find_views(page)`` finds every view (an element with class
``convcore-view``) and wraps it in a ``View`` that presses keys on its
controls, drags its step slider, clicks Play, Prev, Next and the build-up
buttons (the ``data-role``s of the DOM contract, ``convcore/views/__init__.py``).

Importing this module starts nothing; Playwright is only needed by callers.
"""
from __future__ import annotations

import re
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from browser_servers import SCREENSHOTS

# Things on a page that mean a learner sees an error.
STDERR = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
ERROR_TEXTS = ("Error displaying widget", "Error rendering", "Failed to display",
               "Traceback (most recent call last)", "Model not found")

# The widget box around an explorer's summary (its controls are ipywidgets around it).
JS_MARK_CONTAINER = r"""
([root, id]) => {
  let best = root;
  if (root.getAttribute('data-view') === 'echo') best = root.parentElement;   // replaced on every step
  if (root.getAttribute('data-view') === 'explorer') {
    for (let e = root.parentElement; e; e = e.parentElement) {
      if (e.querySelector('.widget-slider, .widget-hslider')) { best = e; break; }
      if (e.classList.contains('jp-OutputArea-output') || e === document.body) break;
    }
  }
  if (!best.hasAttribute('data-cc-test')) best.setAttribute('data-cc-test', id);
  return best.getAttribute('data-cc-test');
}
"""


@dataclass
class View:
    """One view on the page. Step views draw their own controls (``data-role``s of the DOM contract)."""

    page: object
    index: int
    container_id: str     # data-cc-test on the view's root (explorer: its widget box)
    kind: str
    example: str | None = None
    cell: int | None = None
    notebook_path: Path | None = None

    @property
    def container(self):
        return self.page.locator(f'[data-cc-test="{self.container_id}"]')

    @property
    def root(self):
        c = self.container
        return c if self.kind != "explorer" else c.locator('.convcore-view[data-view="explorer"]').first

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

    @property
    def buildup(self) -> int:
        return int(self.root.get_attribute("data-buildup"))

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
        box = c.bounding_box()
        lo, hi = self.range(role)
        at = (self.value(role) - lo) / max(hi - lo, 1)
        y = box["y"] + box["height"] / 2
        thumb = 8       # Chromium's range thumb: the track runs from half a thumb in on each side
        x = lambda f: box["x"] + thumb + f * (box["width"] - 2 * thumb)   # noqa: E731
        m = self.page.mouse
        m.move(x(at), y)
        m.down()
        m.move(x(fraction), y, steps=12)
        m.up()

    def click(self, role: str) -> None:
        c = self.control(role)
        c.scroll_into_view_if_needed()
        c.click()

    def choose(self, role: str, value: str) -> None:
        self.control(role).select_option(value)

    def wait_step(self, k: int, timeout: float = 10, attr: str = "data-step") -> None:
        """Until the view shows step ``k`` (or ``attr`` = ``k``); a timeout fails, with what it shows."""
        try:
            self.page.wait_for_function(
                "([id, attr, k]) => { const b = document.querySelector(`[data-cc-test='${id}']`);"
                " const r = b && (b.matches('.convcore-view') ? b : b.querySelector('.convcore-view'));"
                " return r && r.getAttribute(attr) === String(k); }",
                arg=[self.container_id, attr, k], timeout=timeout * 1000)
        except Exception as err:
            if "Timeout" not in type(err).__name__:
                raise
            raise AssertionError(f"view {self.index} ({self.kind}) shows {attr}="
                                 f"{self.root.get_attribute(attr)}, not {k}, after {timeout} s") from None

    def wait_settled(self, quiet_ms: int = 250, timeout: float = 10) -> None:
        wait_quiet(self.page, f'[data-cc-test="{self.container_id}"]', quiet_ms, timeout)


JS_QUIET = r"""
([sel, quiet]) => new Promise((resolve) => {
  const el = document.querySelector(sel);
  if (!el) { resolve(false); return; }
  let timer = setTimeout(done, quiet);
  const obs = new MutationObserver(() => { clearTimeout(timer); timer = setTimeout(done, quiet); });
  obs.observe(el, {subtree: true, childList: true, attributes: true, characterData: true});
  function done() { obs.disconnect(); resolve(true); }
})
"""


def wait_quiet(page, selector: str, quiet_ms: int = 250, timeout: float = 10) -> None:
    page.wait_for_timeout(30)   # let the message that triggered the change leave
    page.evaluate(f"([sel, quiet]) => Promise.race([({JS_QUIET})([sel, quiet]),"
                  f" new Promise(r => setTimeout(r, {int(timeout * 1000)}))])", [selector, quiet_ms])


JS_CELL_INDEX = r"""
(box) => {
  const cell = box.closest('.jp-Cell');
  if (!cell) return null;
  const cells = Array.from(document.querySelectorAll('.jp-Cell')).filter(
      c => c.parentElement === cell.parentElement);
  return cells.indexOf(cell);
}
"""


def find_views(page, scope: str = "", notebook_path: Path | None = None) -> list[View]:
    """Every view on the page (inside ``scope``), in document order; an explorer's inner view too."""
    roots = page.locator(f"{scope} .convcore-view".strip())
    views = []
    for i in range(roots.count()):
        root = roots.nth(i)
        cid = page.evaluate(JS_MARK_CONTAINER, [root.element_handle(), f"view-{i}"])
        v = View(page, len(views), cid, root.get_attribute("data-view") or "?",
                 example=root.get_attribute("data-example"), notebook_path=notebook_path)
        v.cell = v.container.evaluate(JS_CELL_INDEX)
        views.append(v)
    return views


def visible_errors(page, scope: str = "body") -> list[str]:
    """Texts a learner would read as an error inside ``scope``: stderr and traceback outputs,
    widgets that failed to display, and the views' own error areas."""
    area = page.locator(scope).first
    found = [f"stderr/error output: {t[:800]}" for t in area.locator(STDERR).all_inner_texts()]
    for out in area.locator(".jp-OutputArea-output").all_inner_texts():
        for marker in ERROR_TEXTS:
            if marker in out and not any(out[:200] in f for f in found):
                found.append(f"output: {out[:800]}")
                break
    for t in area.locator('[data-role="error"]').all_inner_texts():
        if t.strip():
            found.append(f"view error: {t[:400]}")
    return found


# ---------------------------------------------------------------------------
# JupyterLab
# ---------------------------------------------------------------------------
JS_EXECUTION_STATE = r"""
() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  if (!panel) return {ready: false, why: 'no notebook panel'};
  const prompts = Array.from(panel.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt'))
                       .map(p => p.textContent.trim());
  const ind = panel.querySelector('.jp-Notebook-ExecutionIndicator');
  const status = ind ? ind.getAttribute('data-status') : null;
  const kernel = (panel.querySelector('.jp-Toolbar-kernelStatus, .jp-KernelStatus') || {}).textContent || '';
  const errors = panel.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').length;
  return {prompts, status, kernel, errors,
          running: prompts.filter(p => p.includes('*')).length,
          unrun: prompts.filter(p => !/\[\d+\]/.test(p)).length};
}
"""


@dataclass
class Lab:
    """A JupyterLab page showing one notebook."""

    page: object
    base_url: str
    root_dir: Path | None = None    # the server's root, to read the notebook's cells
    notebook: str = ""
    console: list = field(default_factory=list)
    page_errors: list = field(default_factory=list)

    def __post_init__(self):
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}")
                     if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.page_errors.append(str(e)))

    # -- opening ---------------------------------------------------------------
    def open(self, notebook: str, timeout: float = 60) -> None:
        self.notebook = notebook
        url = self.base_url + "lab/tree/" + urllib.parse.quote(notebook) + "?reset"
        self.page.goto(url, wait_until="domcontentloaded", timeout=timeout * 1000)
        self.page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell", timeout=timeout * 1000)
        try:       # a notebook JupyterLab has not seen may ask for a kernel, a moment after opening
            self.page.wait_for_selector(".jp-Dialog .jp-mod-accept", timeout=3000)
        except Exception as err:
            if "Timeout" not in type(err).__name__:
                raise
        self.accept_kernel_dialog()
        self.wait_kernel_idle(timeout)
        self.collapse_left_sidebar()
        self.dismiss_toasts()

    def collapse_left_sidebar(self) -> None:
        """More room for the views at 1366 px: close the file browser panel."""
        tab = self.page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current")
        if tab.count():
            tab.first.click()

    def accept_kernel_dialog(self) -> None:
        """A notebook without kernel metadata asks for one: take the default."""
        dialog = self.page.locator(".jp-Dialog")
        if dialog.count() and dialog.is_visible():
            self.page.locator(".jp-Dialog .jp-mod-accept").first.click()

    def wait_kernel_idle(self, timeout: float = 60) -> None:
        self.page.wait_for_function(
            "() => { const i = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) "
            ".jp-Notebook-ExecutionIndicator'); return i && i.getAttribute('data-status') === 'idle'; }",
            timeout=timeout * 1000)

    def dismiss_toasts(self) -> None:
        for btn in self.page.locator(".Toastify__toast .jp-toast-button, .Toastify__close-button").all():
            try:
                btn.click(timeout=1000)
            except Exception:
                pass

    # -- running ---------------------------------------------------------------
    def menu(self, *path: str) -> None:
        """Click through the main menu, e.g. ``menu("Run", "Run All Cells")``."""
        self.page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(rf"^{re.escape(path[0])}$")).first.click()
        for label in path[1:]:
            item = self.page.locator(".lm-Menu-item:not(.lm-mod-disabled) .lm-Menu-itemLabel",
                                     has_text=re.compile(rf"^{re.escape(label)}$")).first
            item.click()

    def set_theme(self, theme: str) -> None:
        """Settings > Theme > ``theme`` ("JupyterLab Light" or "JupyterLab Dark"), until the page wears it."""
        if self.page.evaluate("() => document.body.dataset.jpThemeName") == theme:
            return
        self.menu("Settings", "Theme", theme)
        self.page.wait_for_function("t => document.body.dataset.jpThemeName === t", arg=theme, timeout=20_000)
        self.page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")

    def run_all(self, timeout: float = 120) -> dict:
        """Run > Run All Cells, then wait until no cell is running and the kernel is idle."""
        self.page.locator(".jp-Notebook").first.click(position={"x": 5, "y": 5})
        self.menu("Run", "Run All Cells")
        return self.wait_executed(timeout)

    def wait_executed(self, timeout: float = 120) -> dict:
        deadline = time.monotonic() + timeout
        state, stable = None, 0
        while time.monotonic() < deadline:
            self.accept_kernel_dialog()          # it can come up after the notebook opened
            state = self.page.evaluate(JS_EXECUTION_STATE)
            done = (state.get("status") == "idle" and state.get("running") == 0
                    and (state.get("unrun") == 0 or state.get("errors")))
            stable = stable + 1 if done else 0
            if stable >= 3:        # idle three polls in a row: not just between two cells
                break
            time.sleep(0.2)
        else:
            self.screenshot("timeout-" + self.notebook.replace("/", "-"))
            raise TimeoutError(f"{self.notebook}: cells still running after {timeout} s: {state}")
        # Widgets render after the execute reply: give the views a moment to appear.
        wait_quiet(self.page, ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook", 400, 20)
        return state

    def execution_state(self) -> dict:
        return self.page.evaluate(JS_EXECUTION_STATE)

    # -- looking -----------------------------------------------------------------
    def errors(self) -> list[str]:
        """Texts a learner would read as an error: stderr/tracebacks, failed widgets, view errors."""
        return visible_errors(self.page, ".jp-NotebookPanel:not(.lm-mod-hidden)")

    def screenshot(self, name: str, element=None) -> Path:
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.dismiss_toasts()
        (element or self.page).screenshot(path=str(path))
        return path

    def scroll_to_top(self) -> None:
        self.page.evaluate("() => { const n = document.querySelector("
                           "'.jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer'); if (n) n.scrollTop = 0; }")

    def cells(self):
        if self.root_dir is None:
            return None
        import nbformat
        return nbformat.read(str(Path(self.root_dir) / self.notebook), as_version=4).cells

    def views(self) -> list[View]:
        path = None if self.root_dir is None else Path(self.root_dir) / self.notebook
        return find_views(self.page, ".jp-NotebookPanel:not(.lm-mod-hidden)", path)
