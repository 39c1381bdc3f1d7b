"""Start and stop throw-away servers for the browser tests: JupyterLab, Notebook 7, Voila, static files.

Everything a server reads or writes lives under one temporary directory:
Jupyter's config, data and runtime directories, IPython's directory, the
JupyterLab user settings (news and update checks off, every notebook cell
attached to the DOM) and the workspaces (none restored). Nothing from ``~``
leaks in, and nothing is left behind.

``serve(root)`` is a plain ``http.server`` on 127.0.0.1 in a thread (what any static host does).
The pages are driven by ``browser_driver``. Importing this module starts nothing.
"""
from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
SCREENSHOTS = REPO / "screenshots"
CHROMIUM = os.environ.get("CONVCORE_CHROMIUM", "/usr/bin/chromium")   # Debian's; never a download
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
VIEWPORT = {"width": 1366, "height": 768}

# JupyterLab user settings written into the temporary settings directory.
LAB_SETTINGS = {
    # No "would you like to receive official Jupyter news?" toast, no update check.
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        {"fetchNews": "false", "checkForUpdates": False},
    # Attach every cell to the DOM so the tests see every view without scrolling.
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings":
        {"windowingMode": "none"},
    # The copies are throw-away: no autosave traffic while timing.
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings":
        {"autosave": False},
    # No "kernel restart?" style confirmations that a test could trip over.
    "@jupyterlab/apputils-extension/sessionDialogs.jupyterlab-settings":
        {"skipKernelRestartDialog": True},
}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def copy_notebooks(dest: Path, source: Path = NOTEBOOKS) -> Path:
    """A throw-away copy of ``source`` (checkpoints left out)."""
    if dest.exists():
        shutil.rmtree(dest)
    if source.is_dir():
        shutil.copytree(source, dest, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    else:
        dest.mkdir(parents=True)
    return dest


def isolated_env(tmp: Path) -> dict[str, str]:
    """Environment for a server whose Jupyter/IPython state lives under ``tmp``."""
    dirs = {name: tmp / name for name in ("config", "data", "runtime", "ipython")}
    for d in dirs.values():
        d.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update(
        JUPYTER_CONFIG_DIR=str(dirs["config"]),
        JUPYTER_DATA_DIR=str(dirs["data"]),
        JUPYTER_RUNTIME_DIR=str(dirs["runtime"]),
        IPYTHONDIR=str(dirs["ipython"]),
        JUPYTER_PLATFORM_DIRS="1",
        PYTHONUNBUFFERED="1",
    )
    # The kernel picks matplotlib's inline backend itself; a stray MPLBACKEND would hide figures.
    env.pop("MPLBACKEND", None)
    # The kernel must import the checkout's convcore even from the temporary copy.
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    env.pop("JUPYTER_PATH", None)
    env.pop("JUPYTER_CONFIG_PATH", None)
    return env


def write_lab_settings(settings_dir: Path) -> Path:
    for rel, value in LAB_SETTINGS.items():
        f = settings_dir / rel
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(json.dumps(value, indent=1))
    return settings_dir


@dataclass
class Server:
    """A running server: its base URL, process and log file."""

    kind: str
    url: str           # ends with "/"
    port: int
    proc: subprocess.Popen
    log: Path
    runtime_dir: Path

    def log_tail(self, n: int = 60) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no log)"

    def api(self, method: str, path: str, body: dict | None = None, timeout: float = 10):
        """Call the server's REST API (no token: the test servers run without auth)."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path.lstrip("/"), data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=timeout) as r:
            raw = r.read()
        return json.loads(raw) if raw else None

    def shutdown_kernels(self) -> None:
        """Stop every kernel of this server (keeps 2 cores free between notebooks)."""
        with contextlib.suppress(Exception):
            for s in self.api("GET", "api/sessions"):
                with contextlib.suppress(Exception):
                    self.api("DELETE", f"api/sessions/{s['id']}")
        with contextlib.suppress(Exception):
            for k in self.api("GET", "api/kernels"):
                with contextlib.suppress(Exception):
                    self.api("DELETE", f"api/kernels/{k['id']}")


def _wait_until_up(server: Server, probe: str | None, timeout: float) -> None:
    """Until ``probe`` answers 200 (or, with no probe, until the port accepts connections)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(f"{server.kind} exited with {server.proc.returncode} before answering:\n"
                               f"{server.log_tail()}")
        if probe is None:
            try:
                with socket.create_connection(("127.0.0.1", server.port), timeout=1):
                    return
            except OSError as e:
                last = e
                time.sleep(0.2)
                continue
        try:
            with urllib.request.urlopen(server.url + probe, timeout=2) as r:
                if r.status == 200:
                    return
        except urllib.error.HTTPError:
            return          # it answered (a 404 on the probe path is still an answer)
        except (urllib.error.URLError, OSError) as e:  # not up yet
            last = e
        time.sleep(0.2)
    raise TimeoutError(f"{server.kind} did not answer {server.url + probe} within {timeout:.0f} s "
                       f"(last error: {last}):\n{server.log_tail()}")


def _kernel_pids(runtime_dir: Path) -> list[int]:
    """Pids of processes started with a connection file in our runtime dir (our kernels)."""
    marker = str(runtime_dir).encode()
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker in (entry / "cmdline").read_bytes():
                pids.append(int(entry.name))
        except OSError:
            continue
    return pids


def _stop(server: Server) -> None:
    proc = server.proc
    if proc.poll() is None:
        if server.kind in ("jupyterlab", "notebook7"):
            with contextlib.suppress(Exception):
                server.api("POST", "api/shutdown", timeout=5)
                proc.wait(timeout=10)
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
    # Kernels run in their own sessions; kill any left behind, by pid.
    for pid in _kernel_pids(server.runtime_dir):
        if pid != os.getpid():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)


@contextlib.contextmanager
def _serve(kind: str, cmd: list[str], env: dict, cwd: Path, tmp: Path, port: int, probe: str | None,
           base: str, timeout: float):
    log = tmp / f"{kind}-{port}.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    server = Server(kind, f"http://127.0.0.1:{port}/{base}", port, proc, log,
                    Path(env["JUPYTER_RUNTIME_DIR"]))
    try:
        _wait_until_up(server, probe, timeout)
        yield server
    finally:
        _stop(server)


@contextlib.contextmanager
def jupyter_lab(root_dir: Path, tmp: Path, python: str = sys.executable, timeout: float = 90,
                app: str = "lab"):
    """JupyterLab on 127.0.0.1, no token, over ``root_dir``; yields a :class:`Server`.

    ``app="notebook"`` starts Notebook 7 instead (the same front-end parts, one document a page)."""
    tmp.mkdir(parents=True, exist_ok=True)
    app_class = {"lab": "LabApp", "notebook": "JupyterNotebookApp"}[app]
    env = isolated_env(tmp / "jupyter")
    settings = write_lab_settings(tmp / "lab-user-settings")
    workspaces = tmp / "lab-workspaces"
    workspaces.mkdir(exist_ok=True)
    port = free_port()
    cmd = [
        python, "-m", "jupyter", app, "--no-browser",
        f"--port={port}", "--ServerApp.port_retries=0",
        "--ServerApp.ip=127.0.0.1",
        "--IdentityProvider.token=", "--ServerApp.password=",
        "--ServerApp.disable_check_xsrf=True",
        f"--ServerApp.root_dir={root_dir}",
        f"--{app_class}.user_settings_dir={settings}",
        f"--{app_class}.workspaces_dir={workspaces}",
        "--ServerApp.open_browser=False",
        "--MappingKernelManager.cull_idle_timeout=0",
    ]
    if app == "lab":
        cmd += ["--LabApp.news_url=",           # belt and braces with fetchNews=false
                "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:   # containers and CI run as root
        cmd.append("--ServerApp.allow_root=True")
    with _serve("jupyterlab" if app == "lab" else "notebook7", cmd, env, root_dir, tmp, port, "api/status", "",
                timeout) as server:
        yield server


@contextlib.contextmanager
def voila(notebook: Path, tmp: Path, python: str = sys.executable, timeout: float = 90):
    """Voila serving one notebook as an app on 127.0.0.1; yields a :class:`Server`."""
    tmp.mkdir(parents=True, exist_ok=True)
    env = isolated_env(tmp / "voila-jupyter")
    port = free_port()
    cmd = [
        python, "-m", "voila", str(notebook), "--no-browser",
        f"--port={port}", "--Voila.port_retries=0", "--Voila.ip=127.0.0.1",
        "--VoilaConfiguration.show_tracebacks=True",
    ]
    # Only wait for the port: "/" would execute the notebook once just to answer.
    with _serve("voila", cmd, env, notebook.parent, tmp, port, None, "", timeout) as server:
        yield server


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(root):
    """``http://127.0.0.1:PORT`` serving the folder ``root``; stopped on exit."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
