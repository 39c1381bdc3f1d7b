"""The static site in the browser: serve a folder, open a page with every outside request blocked.

``serve(root)`` is a plain ``http.server`` on 127.0.0.1 in a thread (what any static host does).
``open_page(browser, url)`` opens a page in a fresh context whose every request that does not go
to the server is aborted and recorded (``guard.blocked``), with console errors and uncaught page
errors recorded too. ``contrast(page)`` measures every visible text against the background it is
drawn on (WCAG's formula). Key presses are timed by ``browser_latency``. Used by ``test_browser_site.py`` and ``benchmarks/bench_site.py``.
"""
from __future__ import annotations

import contextlib
import functools
import http.server
import threading
from dataclasses import dataclass, field

import browser_servers as servers
from browser_checks import JS_CONTRAST


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(root):
    """``http://127.0.0.1:PORT`` serving ``root``; stopped on exit."""
    handler = functools.partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


@dataclass
class Guard:
    """Lets requests to ``origin`` through; aborts and records every other one."""

    origin: str
    blocked: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def route(self, route):
        url = route.request.url
        if url == self.origin or url.startswith(self.origin + "/"):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def websocket(self, ws):
        self.blocked.append(ws.url)          # never connected to anything
        ws.close()

    def problems(self) -> list[str]:
        return ([f"request outside the site (blocked): {u}" for u in self.blocked]
                + [f"console error: {e}" for e in self.console_errors]
                + [f"uncaught error: {e}" for e in self.page_errors])


def open_page(browser, url: str, origin: str, color_scheme: str = "light"):
    """A page in a new context, guarded; returns (page, guard). Close ``page.context`` after."""
    context = browser.new_context(viewport=servers.VIEWPORT, color_scheme=color_scheme)
    context.set_default_timeout(20_000)
    guard = Guard(origin)
    context.route("**/*", guard.route)
    context.route_web_socket("**/*", guard.websocket)
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and guard.console_errors.append(m.text))
    page.on("pageerror", lambda e: guard.page_errors.append(str(e)))
    page.goto(url, wait_until="load")
    return page, guard


def contrast(page, minimum: float = 4.5) -> dict:
    """``{"count": texts measured, "failures": [those under minimum]}`` for the page as it is drawn
    now (``browser_checks.contrast`` over the whole body)."""
    texts = page.locator("body").evaluate(JS_CONTRAST)
    return {"count": len(texts), "failures": [dict(t, ratio=round(t["ratio"], 2)) for t in texts if t["ratio"] < minimum]}


@contextlib.contextmanager
def views_page(page, folder, body: str, script: str):
    """``page`` at a page of views written into ``folder``, styled as the static site is (its
    stylesheet, light and dark), with convcore's static assets beside it: ``body`` holds the views'
    embeds, ``script`` is the page's module script. Served by ``serve`` with every outside request
    blocked; yields the guard and, on leaving, fails on anything blocked and on any console or
    uncaught error."""
    from convcore.site import SITE_CSS
    from convcore.views import static_assets
    (folder / "assets").mkdir(exist_ok=True)
    for name, text in static_assets().items():
        (folder / "assets" / name).write_text(text, encoding="utf-8")
    (folder / "index.html").write_text(
        f"<!doctype html><meta charset=utf-8><title>views</title><style>{SITE_CSS}</style><body>{body}"
        f"<script type=module>{script}</script>", encoding="utf-8")
    with serve(folder) as url:
        guard = Guard(url)
        page.route("**/*", guard.route)
        page.on("console", lambda m: m.type == "error" and guard.console_errors.append(m.text))
        page.on("pageerror", lambda e: guard.page_errors.append(str(e)))
        page.goto(f"{url}/index.html")
        yield guard
    assert not guard.problems(), "\n".join(guard.problems())
