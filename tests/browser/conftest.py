"""Fixtures for the browser tests: throw-away JupyterLab/Voila servers and headless Chromium.

* ``lab_root``: a temporary copy of ``notebooks/`` (the committed notebooks are
  never touched) plus the harness's own scratch notebooks under ``_harness/``.
* ``lab_server`` / ``notebook7_server``: one JupyterLab / Notebook 7 for the whole session on
  127.0.0.1, a free port, no token, its Jupyter dirs and settings under tmp; killed at the end.
* ``browser`` / ``page``: Debian's Chromium through Playwright, 1366×768.
* ``lab``, ``notebook7``, ``voila``: the hosts of ``browser_driver`` on those servers.

Without ``/usr/bin/chromium`` the tests are skipped locally and fail in CI
(``CI=true``), so a broken CI image cannot pass silently.
"""
from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1] / "notebooks"))     # notebooks/build.py: which cells show a view

import browser_scratch  # noqa: E402
import browser_servers as servers  # noqa: E402
from browser_driver import Lab, Notebook7, Voila, new_page  # noqa: E402


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def pytest_collection_modifyitems(config, items):
    """Everything in tests/browser is a browser test, with a timeout even if a test forgets one."""
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)
            if item.get_closest_marker("timeout") is None:
                item.add_marker(pytest.mark.timeout(300))


@pytest.fixture(scope="session")
def chromium() -> str:
    path = servers.CHROMIUM
    problem = None
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        problem = f"{path} is missing (apt-get install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "the playwright Python package is not installed"
    if problem:
        if _in_ci():
            pytest.fail(f"browser tests cannot run in CI: {problem}", pytrace=False)
        pytest.skip(f"browser tests need Chromium and Playwright: {problem}")
    return path


@pytest.fixture(scope="session")
def browser_tmp(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("browser")


@pytest.fixture(scope="session")
def lab_root(browser_tmp) -> Path:
    root = servers.copy_notebooks(browser_tmp / "notebooks")
    browser_scratch.write_scratch(root / "_harness")
    return root


@pytest.fixture(scope="session")
def lab_server(chromium, lab_root, browser_tmp):
    with servers.jupyter_lab(lab_root, browser_tmp / "lab") as server:
        yield server


@pytest.fixture(scope="session")
def notebook7_server(chromium, lab_root, browser_tmp):
    with servers.jupyter_lab(lab_root, browser_tmp / "notebook7", app="notebook") as server:
        yield server


@pytest.fixture(scope="session")
def browser(chromium):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=servers.CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    pg = new_page(browser)
    yield pg
    with contextlib.suppress(Exception):
        pg.context.close()


def _hosted(host, page, server, root):
    """A page driven by ``host`` on ``server``; every kernel is shut down afterwards (2 cores)."""
    yield host(page, server, root)
    with contextlib.suppress(Exception):
        page.close()
    server.shutdown_kernels()


@pytest.fixture
def lab(page, lab_server, lab_root):
    """A JupyterLab page (``browser_driver.Lab``)."""
    yield from _hosted(Lab, page, lab_server, lab_root)


@pytest.fixture
def notebook7(page, notebook7_server, lab_root):
    """A Notebook 7 page (``browser_driver.Notebook7``)."""
    yield from _hosted(Notebook7, page, notebook7_server, lab_root)


@pytest.fixture
def voila(chromium, page, lab_root, browser_tmp):
    """Factory: ``voila("02-conv2d-channels.ipynb", theme)`` serves that notebook of the copy with
    Voila and opens it: a ``browser_driver.Voila``."""
    with contextlib.ExitStack() as stack:
        def start(notebook: str, theme: str = "light"):
            server = stack.enter_context(servers.voila(lab_root / notebook, browser_tmp / "voila"))
            return Voila(page, lab_root / notebook).open(server, theme)
        yield start
