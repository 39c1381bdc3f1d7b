"""Start and stop throw-away servers for the browser tests: JupyterLab, Notebook 7, Voila, static files.

Everything a Jupyter server reads or writes lives under one temporary directory: Jupyter's config,
data and runtime directories, IPython's directory, the JupyterLab user settings (news and update
checks off, every notebook cell attached to the DOM) and the workspaces (none restored). Nothing
from ``~`` leaks in, and nothing is left behind. ``serve(root)`` is a plain ``http.server`` on
127.0.0.1 in a thread (what any static host does). ``browser_driver`` drives the pages.
Importing this module starts nothing.
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
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1366, "height": 768}

# JupyterLab user settings written into the temporary settings directory: no news toast and no
# update check; every cell attached to the DOM (the tests see every view without scrolling); no
# autosave traffic while timing (the copies are throw-away); no "restart the kernel?" dialog.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/apputils-extension/sessionDialogs.jupyterlab-settings": {"skipKernelRestartDialog": True},
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
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(dirs["config"]), JUPYTER_DATA_DIR=str(dirs["data"]),
               JUPYTER_RUNTIME_DIR=str(dirs["runtime"]), IPYTHONDIR=str(dirs["ipython"]),
               JUPYTER_PLATFORM_DIRS="1", PYTHONUNBUFFERED="1")
    # The kernel picks matplotlib's inline backend itself; a stray MPLBACKEND would hide figures.
    for name in ("MPLBACKEND", "JUPYTER_PATH", "JUPYTER_CONFIG_PATH"):
        env.pop(name, None)
    # The kernel must import the checkout's convcore even from the temporary copy.
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    return env


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
        for what, key in (("sessions", "id"), ("kernels", "id")):
            with contextlib.suppress(Exception):
                for item in self.api("GET", f"api/{what}"):
                    with contextlib.suppress(Exception):
                        self.api("DELETE", f"api/{what}/{item[key]}")


def _wait_until_up(server: Server, probe: str | None, timeout: float) -> None:
    """Until ``probe`` answers (or, with no probe, the port accepts connections); fails loudly after
    ``timeout`` s or when the server exits, with the end of its log."""
    deadline, last = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(f"{server.kind} exited with {server.proc.returncode} before answering:\n"
                               f"{server.log_tail()}")
        try:
            if probe is None:
                socket.create_connection(("127.0.0.1", server.port), timeout=1).close()
                return
            with urllib.request.urlopen(server.url + probe, timeout=2):
                return
        except urllib.error.HTTPError:
            return          # it answered (a 404 on the probe path is still an answer)
        except OSError as e:  # not up yet (URLError is an OSError)
            last = e
        time.sleep(0.2)
    raise TimeoutError(f"{server.kind} did not answer {server.url + (probe or '')} within {timeout:.0f} s "
                       f"(last error: {last}):\n{server.log_tail()}")


def _kernel_pids(runtime_dir: Path) -> list[int]:
    """Pids of processes started with a connection file in our runtime dir (our kernels)."""
    marker, pids = str(runtime_dir).encode(), []
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError):
            if entry.name.isdigit() and marker in (entry / "cmdline").read_bytes():
                pids.append(int(entry.name))
    return pids


def _stop(server: Server) -> None:
    proc = server.proc
    if proc.poll() is None and server.kind in ("jupyterlab", "notebook7"):
        with contextlib.suppress(Exception):
            server.api("POST", "api/shutdown", timeout=5)
            proc.wait(timeout=10)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=10)
    # Kernels run in their own sessions; kill any left behind, by pid.
    for pid in _kernel_pids(server.runtime_dir):
        if pid != os.getpid():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)


@contextlib.contextmanager
def _serve(kind: str, cmd: list[str], env: dict, cwd: Path, tmp: Path, port: int, probe: str | None, timeout: float):
    log = tmp / f"{kind}-{port}.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    server = Server(kind, f"http://127.0.0.1:{port}/", port, proc, log, Path(env["JUPYTER_RUNTIME_DIR"]))
    try:
        _wait_until_up(server, probe, timeout)
        yield server
    finally:
        _stop(server)


@contextlib.contextmanager
def jupyter_lab(root_dir: Path, tmp: Path, python: str = sys.executable, timeout: float = 90, app: str = "lab"):
    """JupyterLab on 127.0.0.1, no token, over ``root_dir``; yields a :class:`Server`.

    ``app="notebook"`` starts Notebook 7 instead (the same front-end parts, one document a page)."""
    tmp.mkdir(parents=True, exist_ok=True)
    app_class = {"lab": "LabApp", "notebook": "JupyterNotebookApp"}[app]
    env = isolated_env(tmp / "jupyter")
    settings, workspaces = tmp / "lab-user-settings", tmp / "lab-workspaces"
    for rel, value in LAB_SETTINGS.items():
        (settings / rel).parent.mkdir(parents=True, exist_ok=True)
        (settings / rel).write_text(json.dumps(value, indent=1))
    workspaces.mkdir(exist_ok=True)
    port = free_port()
    cmd = [python, "-m", "jupyter", app, "--no-browser", f"--port={port}", "--ServerApp.port_retries=0",
           "--ServerApp.ip=127.0.0.1", "--IdentityProvider.token=", "--ServerApp.password=",
           "--ServerApp.disable_check_xsrf=True", f"--ServerApp.root_dir={root_dir}",
           f"--{app_class}.user_settings_dir={settings}", f"--{app_class}.workspaces_dir={workspaces}",
           "--ServerApp.open_browser=False", "--MappingKernelManager.cull_idle_timeout=0"]
    if app == "lab":                                   # news_url: belt and braces with fetchNews=false
        cmd += ["--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:   # containers and CI run as root
        cmd.append("--ServerApp.allow_root=True")
    with _serve("jupyterlab" if app == "lab" else "notebook7", cmd, env, root_dir, tmp, port, "api/status",
                timeout) as server:
        yield server


@contextlib.contextmanager
def voila(notebook: Path, tmp: Path, python: str = sys.executable, timeout: float = 90):
    """Voila serving one notebook as an app on 127.0.0.1; yields a :class:`Server`."""
    tmp.mkdir(parents=True, exist_ok=True)
    port = free_port()
    cmd = [python, "-m", "voila", str(notebook), "--no-browser", f"--port={port}", "--Voila.port_retries=0",
           "--Voila.ip=127.0.0.1", "--VoilaConfiguration.show_tracebacks=True"]
    # Only wait for the port: "/" would execute the notebook once just to answer.
    with _serve("voila", cmd, isolated_env(tmp / "voila-jupyter"), notebook.parent, tmp, port, None, timeout) as server:
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
