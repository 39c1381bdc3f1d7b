"""Short errors in notebooks: a mistake convcore catches shows its message and the learner's line.

convcore's errors explain themselves (which argument, what was expected, what arrived, and a hint
with the fix); the library's frames between the learner's call and that message only push the
message off the screen (53 lines for one wrong stride, message last). In an IPython kernel,
``install()``, run when ``convcore.views`` is imported, shows an error raised inside convcore as its
type and message followed by the learner's own line. Any other error keeps IPython's traceback.
"""
from __future__ import annotations

import traceback
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent       # the convcore package
CAUGHT = (ValueError, TypeError, IndexError)


def _inside_convcore(filename: str) -> bool:
    return Path(filename).resolve().is_relative_to(PACKAGE)


def short_traceback(etype, value, tb) -> list[str] | None:
    """The lines shown for an error raised inside convcore; None for any other error."""
    frames = traceback.extract_tb(tb)
    if not frames or not _inside_convcore(frames[-1].filename):
        return None
    lines = [f"{etype.__name__}: {value}"]
    yours = [f for f in frames if not _inside_convcore(f.filename)]
    if yours:
        lines.append(f"  in your code, line {yours[-1].lineno}: {(yours[-1].line or '').strip()}")
    return lines


def _show(shell, etype, value, tb, tb_offset=None):
    stb = short_traceback(etype, value, tb)
    if stb is None:
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
    else:
        shell._showtraceback(etype, value, stb)     # an error output, as IPython sends one


def install() -> bool:
    """Show convcore's errors short in the running IPython (True when installed). A handler
    someone else installed is left alone. (IPython is imported here: the library itself needs NumPy only.)"""
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None or (shell.custom_exceptions and shell.custom_exceptions != CAUGHT):
        return False
    shell.set_custom_exc(CAUGHT, _show)
    return True
