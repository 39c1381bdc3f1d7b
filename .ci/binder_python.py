"""Ask repo2docker, the tool behind Binder, which Python it would build with; check it.

Usage: python .ci/binder_python.py REPO_DIR   (prints "3.11" on success)

1. Clone REPO_DIR's committed HEAD into a temporary folder (a launch sees only what is
   committed) and run ``jupyter-repo2docker --no-build --no-run --debug`` on it; no Docker
   is needed for that, it only writes out the Dockerfile it would build.
2. Read the Python version from its log ("Building conda environment for python=3.11").
3. Fail unless that version satisfies ``requires-python`` in pyproject.toml, and unless
   every pin in binder/requirements.txt resolves, dependencies included, for that Python
   on Linux x86-64 (pip's resolver, wheels only, nothing installed).

The caller then builds the Binder test environment with exactly that Python.
"""
from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

from packaging.specifiers import SpecifierSet
from packaging.version import Version

WANTED = re.compile(r"Building conda environment for python=(\d+\.\d+)")


def fail(message: str) -> None:
    print(f"binder check: {message}", file=sys.stderr)
    sys.exit(1)


def repo2docker_python(repo: Path) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        clone = Path(tmp) / "clone"
        subprocess.run(["git", "clone", "-q", str(repo), str(clone)], check=True)
        run = subprocess.run(["jupyter-repo2docker", "--no-build", "--no-run", "--debug", str(clone)],
                             capture_output=True, text=True, timeout=600)
    log = run.stdout + run.stderr
    if run.returncode != 0:
        fail(f"jupyter-repo2docker exited {run.returncode}:\n{log[-3000:]}")
    found = WANTED.search(log)
    if not found:
        fail("could not find the Python version in repo2docker's log:\n" + log[:3000])
    return found.group(1)


def check_resolves(repo: Path, version: str) -> None:
    """pip resolves binder/requirements.txt for that Python on Linux, wheels only."""
    with tempfile.TemporaryDirectory() as target:
        run = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--ignore-installed",
             "--only-binary=:all:", "--python-version", version, "--platform", "manylinux2014_x86_64",
             "--platform", "manylinux_2_28_x86_64", "--platform", "linux_x86_64",
             "--implementation", "cp", "--target", target, "-r", str(repo / "binder" / "requirements.txt")],
            capture_output=True, text=True)
    if run.returncode != 0:
        fail(f"binder/requirements.txt does not resolve for Python {version}:\n{run.stdout}{run.stderr}")


def main(repo: Path) -> None:
    version = repo2docker_python(repo)
    requires = tomllib.loads((repo / "pyproject.toml").read_text())["project"]["requires-python"]
    if Version(version) not in SpecifierSet(requires):
        fail(f"repo2docker would build with Python {version}, but pyproject.toml requires {requires} "
             "(set it in binder/runtime.txt)")
    check_resolves(repo, version)
    print(version)


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve())
