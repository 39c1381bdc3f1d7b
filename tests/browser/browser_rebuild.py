"""Rebuild, in the test process, the object a notebook cell displays (to get its trace).

When a view does not name a catalogue example (``data-example``), the test
runs the notebook's own code up to and including the cell that displays the
view, here, in a fresh namespace, and takes the ``trace`` of the cell's last
expression (a view or an explorer). The numbers the browser shows are then
compared with that trace: same code, same convcore, computed independently of
the kernel behind the page.
"""
from __future__ import annotations

import ast
import contextlib
import io
import os
import warnings
from pathlib import Path

import nbformat

_cache: dict[tuple[str, int], object] = {}


def _strip_magics(source: str) -> str:
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())


def displayed_object(notebook: Path, cell_index: int):
    """The value of cell ``cell_index``'s last expression after running the cells before it."""
    key = (str(notebook), cell_index)
    if key in _cache:
        return _cache[key]
    import matplotlib
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    cells = nbformat.read(str(notebook), as_version=4).cells
    ns: dict = {"__name__": "__notebook__", "display": lambda *a, **k: None}
    result = None
    here = os.getcwd()
    try:
        os.chdir(notebook.parent)
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            for i, cell in enumerate(cells[:cell_index + 1]):
                if cell.cell_type != "code":
                    continue
                tree = ast.parse(_strip_magics(cell.source))
                last = tree.body[-1] if tree.body and isinstance(tree.body[-1], ast.Expr) else None
                if last is not None and i == cell_index:
                    tree.body = tree.body[:-1]
                exec(compile(tree, f"<{notebook.name} cell {i}>", "exec"), ns)
                if last is not None and i == cell_index:
                    result = eval(compile(ast.Expression(last.value), f"<{notebook.name} cell {i}>", "eval"), ns)
                plt.close("all")
    finally:
        os.chdir(here)
        with contextlib.suppress(Exception):
            plt.close("all")
    _cache[key] = result
    return result


def trace_of_cell(notebook: Path, cell_index: int):
    """The trace shown by the object cell ``cell_index`` displays (None if it shows none)."""
    obj = displayed_object(notebook, cell_index)
    return getattr(obj, "trace", None)
