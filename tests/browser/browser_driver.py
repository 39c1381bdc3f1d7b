"""Drive JupyterLab (and Voila) pages with Playwright: run notebooks, find views, work controls.

``Lab`` opens a notebook in a running JupyterLab, runs all cells through the
menu, waits for the kernel, collects what a learner would see as an error and
takes screenshots. ``views(page)`` finds every view (an element with class
``convcore-view``) and wraps it in a ``View`` that can press keys on a slider,
drag its handle, press Play, Prev and Next, and read the numbers the view
displays (the DOM contract, see ``convcore/views/__init__.py``).

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

# ---------------------------------------------------------------------------
# JavaScript helpers (run in the page)
# ---------------------------------------------------------------------------
# Reads the whole DOM contract of one view root.
JS_SNAPSHOT = r"""
(box) => {
  const root = box.matches('.convcore-view') ? box : box.querySelector('.convcore-view');
  if (!root) return null;
  const all = (sel) => Array.from(root.querySelectorAll(sel));
  const txt = (e) => (e.getAttribute('data-value') ?? e.textContent ?? '').trim();
  const done = (e) => e.getAttribute('data-complete') !== '0';
  return {
    view: root.getAttribute('data-view'),
    step: root.getAttribute('data-step'),
    buildup: root.getAttribute('data-buildup'),
    example: root.getAttribute('data-example'),
    attrs: Object.fromEntries(Array.from(root.attributes).map(a => [a.name, a.value])),
    out_cells: all('[data-role="out-cell"], [data-role="vec-out"]').map(e => ({
        index: e.getAttribute('data-index'), state: e.getAttribute('data-state'), text: txt(e),
        complete: done(e), role: e.getAttribute('data-role')})),
    in_cells: all('[data-role="in-cell"]').map(e => ({channel: e.getAttribute('data-channel'),
        pos: e.getAttribute('data-pos'), state: e.getAttribute('data-state'), text: txt(e)})),
    kernel_cells: all('[data-role="kernel-cell"]').map(e => ({channel: e.getAttribute('data-channel'),
        tap: e.getAttribute('data-tap'), text: txt(e)})),
    terms: all('[data-role="term"]').map(e => ({channel: e.getAttribute('data-channel'),
        tap: e.getAttribute('data-tap'), product: e.getAttribute('data-product'), text: txt(e)})),
    partials: all('[data-role="partial"]').map(e => ({channel: e.getAttribute('data-channel'),
        text: txt(e), complete: done(e)})),
    values: all('[data-role="value"]').map(e => ({text: txt(e), complete: done(e)})),
    shape: all('[data-role="shape"]').map(e => txt(e)),
    formulas: all('[data-role="formula"]').map(e => txt(e)),
    errors: Array.from(box.querySelectorAll('[data-role="error"]'))
                 .map(e => (e.textContent || '').trim()).filter(t => t),
    text: (root.innerText || '').slice(0, 2000),
  };
}
"""

# Marks the widget box that holds a view and its controls, returns its id.
# From the view's root, walk up until an ancestor holds a slider or a Play
# widget; stop at the output (or the page) so neighbouring views never mix.
JS_MARK_CONTAINER = r"""
([root, id]) => {
  let best = null;
  for (let e = root.parentElement; e; e = e.parentElement) {
    if (e.querySelector('.widget-slider, .widget-hslider, .widget-play, .widget-button, .widget-dropdown, .widget-text')) { best = e; break; }
    if (e.classList.contains('jp-OutputArea-output') || e.classList.contains('jp-Cell') || e === document.body) break;
  }
  if (!best) best = root.closest('.jp-OutputArea-output') || root.parentElement;
  if (!best.hasAttribute('data-cc-test')) best.setAttribute('data-cc-test', id);
  return best.getAttribute('data-cc-test');
}
"""


@dataclass
class View:
    """One view on the page: its root element (re-found on every call) and its widget box."""

    page: object
    index: int            # position among .convcore-view elements on the page
    container_id: str     # value of data-cc-test on the enclosing widget box
    kind: str
    cell: int | None = None      # index of the notebook cell that displays it (None: unknown)
    source: str | None = None    # that cell's code, when known
    nth: int = 0                 # which view of that cell it is
    notebook_path: Path | None = None   # the notebook file (the server's copy)

    # -- locating ---------------------------------------------------------------
    @property
    def container(self):
        return self.page.locator(f'[data-cc-test="{self.container_id}"]')

    @property
    def root(self):
        return self.container.locator(".convcore-view").first

    def snapshot(self) -> dict:
        """Everything the view displays, by DOM contract role (see ``JS_SNAPSHOT``)."""
        snap = self.container.evaluate(JS_SNAPSHOT)
        assert snap is not None, f"view {self.index} ({self.kind}) has disappeared"
        return snap

    @property
    def step(self) -> int | None:
        s = self.root.get_attribute("data-step")
        return None if s in (None, "") else int(s)

    def sliders(self):
        return self.container.locator(".widget-slider.widget-hslider, .widget-hslider")

    def slider(self, description: str = "step"):
        """The slider whose label is ``description`` (exact, case-insensitive; ``"build-up*"``
        matches any label starting with ``build-up``)."""
        if description.endswith("*"):
            label = re.compile(rf"^\s*{re.escape(description[:-1])}", re.I)
        else:
            label = re.compile(rf"^\s*{re.escape(description)}\s*:?\s*$", re.I)
        return self.sliders().filter(has=self.page.locator(".widget-label", has_text=label)).first

    def has_slider(self, description: str = "step") -> bool:
        return self.slider(description).count() > 0

    def slider_value(self, description: str = "step") -> int:
        handle = self.slider(description).locator(".noUi-handle").first
        v = handle.get_attribute("aria-valuenow")
        if v is None:
            v = self.slider(description).locator(".widget-readout").first.inner_text()
        return int(float(v))

    def slider_range(self, description: str = "step") -> tuple[int, int]:
        handle = self.slider(description).locator(".noUi-handle").first
        return (int(float(handle.get_attribute("aria-valuemin"))),
                int(float(handle.get_attribute("aria-valuemax"))))

    # -- acting -----------------------------------------------------------------
    def focus_slider(self, description: str = "step") -> None:
        handle = self.slider(description).locator(".noUi-handle").first
        handle.scroll_into_view_if_needed()
        handle.focus()

    def press(self, key: str, times: int = 1, description: str = "step", settle: bool = True) -> None:
        """Press ``key`` on the focused slider handle, ``times`` times, waiting for each update."""
        self.focus_slider(description)
        lo, hi = self.slider_range(description)
        for _ in range(times):
            before = self.slider_value(description)
            self.page.keyboard.press(key)
            at_end = (key in ("Home", "ArrowLeft", "ArrowDown", "PageDown") and before == lo) or \
                     (key in ("End", "ArrowRight", "ArrowUp", "PageUp") and before == hi)
            if settle and not at_end:
                self.wait_slider_changed(before, description)
        if settle:
            self.wait_followed(description)

    def wait_followed(self, description: str = "step", timeout: float = 10) -> None:
        """Wait until the view shows what the slider says (its data-step / data-buildup), then
        until it is quiet; for other sliders, until the box is quiet."""
        attr = ("data-step" if description == "step" else
                "data-buildup" if description.lower().startswith("build-up") else None)
        if attr is None:
            self.wait_settled()
            return
        v = self.slider_value(description)
        try:
            self.page.wait_for_function(
                "([id, attr, v]) => { const r = document.querySelector(`[data-cc-test=\"${id}\"] .convcore-view`);"
                " return r && r.getAttribute(attr) === String(v); }",
                arg=[self.container_id, attr, v], timeout=timeout * 1000)
        except Exception as err:
            if "Timeout" not in type(err).__name__:
                raise
            shown = self.root.get_attribute(attr) if self.root.count() else "(no view)"
            raise AssertionError(f"view {self.index} ({self.kind}) did not follow its {description!r} "
                                 f"slider to {v} within {timeout:.0f} s: {attr} is still {shown}") from None
        self.wait_settled(quiet_ms=60)

    def wait_slider_changed(self, before: int, description: str = "step", timeout: float = 5) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.slider_value(description) != before:
                return
            time.sleep(0.02)

    def drag(self, fraction: float, description: str = "step") -> None:
        """Drag the slider's handle with the mouse to ``fraction`` (0..1) of its track."""
        s = self.slider(description)
        track = s.locator(".noUi-target").first
        handle = s.locator(".noUi-handle").first
        handle.scroll_into_view_if_needed()
        tb, hb = track.bounding_box(), handle.bounding_box()
        x0, y0 = hb["x"] + hb["width"] / 2, hb["y"] + hb["height"] / 2
        x1 = tb["x"] + fraction * tb["width"]
        mouse = self.page.mouse
        mouse.move(x0, y0)
        mouse.down()
        mouse.move(x1, y0, steps=12)
        mouse.up()
        self.wait_followed(description)

    def button(self, name: str):
        """A button by its text, title or aria-label (``Prev``, ``Next`` ...)."""
        buttons = self.container.locator("button")
        labels = buttons.evaluate_all(
            "bs => bs.map(b => [b.textContent, b.title, b.getAttribute('aria-label')]"
            ".map(t => (t || '').trim()).join(' | '))")
        rx = re.compile(rf"(^|\W){re.escape(name)}(\W|$)", re.I)
        for i, label in enumerate(labels):
            if rx.search(label):
                return buttons.nth(i)
        raise LookupError(f"no button {name!r} in view {self.index} ({self.kind}); buttons: {labels}")

    def click(self, name: str) -> None:
        self.button(name).click()
        self.wait_settled()

    def play_buttons(self):
        return self.container.locator(".widget-play button")

    def play(self, min_changes: int = 2, timeout: float = 20) -> list[int]:
        """Press Play, watch the step advance ``min_changes`` times, press Pause; steps seen.

        ipywidgets 8's Play has one play/pause toggle, then stop (back to the start), then repeat.
        """
        toggle = self.play_buttons().first
        toggle.scroll_into_view_if_needed()
        seen = [self.step]
        if self.has_slider("step"):
            min_changes = min(min_changes, self.slider_range("step")[1] - seen[0])
        toggle.click()              # play
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(set(seen)) <= min_changes:
            s = self.step
            if s != seen[-1]:
                seen.append(s)
            time.sleep(0.02)
        toggle.click()              # pause
        self.wait_settled(quiet_ms=400)
        return seen

    def set_slider(self, value: int, description: str = "step") -> None:
        """Type ``value`` into the slider's readout (what a learner does to jump)."""
        readout = self.slider(description).locator(".widget-readout").first
        readout.scroll_into_view_if_needed()
        readout.click()
        self.page.keyboard.press("Control+A")
        self.page.keyboard.type(str(value))
        self.page.keyboard.press("Enter")
        self.wait_settled()

    # -- waiting ------------------------------------------------------------------
    def wait_step(self, k: int, timeout: float = 10) -> None:
        self.page.wait_for_function(
            "([id, k]) => { const r = document.querySelector(`[data-cc-test=\"${id}\"] .convcore-view`);"
            " return r && r.getAttribute('data-step') === String(k); }",
            arg=[self.container_id, k], timeout=timeout * 1000)

    def wait_settled(self, quiet_ms: int = 250, timeout: float = 10) -> None:
        """Wait until the view's box has not changed for ``quiet_ms`` (the kernel has answered)."""
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


def find_views(page, scope: str = "", cells: list | None = None,
               notebook_path: Path | None = None) -> list[View]:
    """Every view on the page (inside ``scope`` when given), in document order.

    ``cells``: the notebook's cells (nbformat), to attach each view's cell source.
    """
    roots = page.locator(f"{scope} .convcore-view".strip())
    views, seen = [], set()
    for i in range(roots.count()):
        root = roots.nth(i)
        cid = page.evaluate(JS_MARK_CONTAINER, [root.element_handle(), f"view-{i}"])
        if cid in seen:       # one box holding several roots: one view
            continue
        seen.add(cid)
        v = View(page, len(views), cid, root.get_attribute("data-view") or "?",
                 notebook_path=notebook_path)
        if cells is not None:
            idx = v.container.evaluate(JS_CELL_INDEX)
            if idx is not None and 0 <= idx < len(cells):
                v.cell = idx
                v.source = cells[idx].source if cells[idx].cell_type == "code" else None
                v.nth = sum(1 for u in views if u.cell == idx)
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

    def run_all(self, timeout: float = 120) -> dict:
        """Run > Run All Cells, then wait until no cell is running and the kernel is idle."""
        self.page.locator(".jp-Notebook").first.click(position={"x": 5, "y": 5})
        self.menu("Run", "Run All Cells")
        return self.wait_executed(timeout)

    def wait_executed(self, timeout: float = 120) -> dict:
        deadline = time.monotonic() + timeout
        state, stable = None, 0
        while time.monotonic() < deadline:
            state = self.page.evaluate(JS_EXECUTION_STATE)
            done = (state.get("status") == "idle" and state.get("running") == 0
                    and (state.get("unrun") == 0 or state.get("errors")))
            stable = stable + 1 if done else 0
            if stable >= 3:        # idle three polls in a row: not just between two cells
                break
            time.sleep(0.2)
        else:
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
        return find_views(self.page, ".jp-NotebookPanel:not(.lm-mod-hidden)", self.cells(), path)
