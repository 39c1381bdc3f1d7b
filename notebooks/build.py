"""Build the notebooks from their sources: ``python notebooks/build.py [names...]``.

The prose and code of each notebook live in ``notebooks/src/NN-name.md``
(jupytext's Markdown format, easy to review and diff). This script turns each
source into ``notebooks/NN-name.ipynb``, runs it top to bottom in a fresh
kernel and stores the outputs, which nbval then verifies on every test run.

Live widgets are not stored: a widget saved without its kernel shows an error
until the notebook is run. A convcore view's output keeps the picture it carries
(PNG, and an <img> with alt text), so the stored notebook shows every view. The test suite checks that every ``.ipynb`` is in sync with its source.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "src"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def source_paths() -> list[Path]:
    return sorted(SOURCES.glob("*.md"))


def notebook_for(source: Path) -> Path:
    return HERE / (source.stem + ".ipynb")


def read_source(source: Path):
    """The notebook a source describes, without outputs."""
    import jupytext

    notebook = jupytext.read(source, fmt="md")
    notebook.metadata.pop("jupytext", None)
    notebook.metadata["language_info"] = {"name": "python"}
    return notebook


def build(source: Path) -> Path:
    import nbformat
    from nbclient import NotebookClient

    notebook = read_source(source)
    NotebookClient(notebook, timeout=300, kernel_name="python3", record_timing=False,
                   resources={"metadata": {"path": str(HERE)}}).execute()
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = [out for out in cell.outputs if _stored(out)]
    notebook.metadata.pop("widgets", None)
    target = notebook_for(source)
    nbformat.write(notebook, target)
    return target


VIEWS = ("Stepper1D", "Stepper2D", "PointwiseView", "HeatmapView", "view_for", "PoolView", "ReceptiveFieldView",
         "SequenceView", "TransposeView", "GradientView", "Im2colView", "NetworkView", "Explorer")
SHOWN = re.compile(rf"\b({'|'.join(VIEWS)})\b[\w.]*\(.*\)$|^\w*view$")


def shows(source: str) -> str | None:
    """What a code cell displays as its result: "view" (a convcore view) or None.
    Its last line (comments aside) makes one, or names one (``seed_view``), without a ';'."""
    lines = [line.strip() for line in source.strip().splitlines() if line.strip() and not line.lstrip().startswith("#")]
    last = re.sub(r"\s+#[^'\"]*$", "", lines[-1]) if lines else ""        # its trailing comment aside
    shown = last and not last.endswith(";") and not re.match(r"[\w.]+\s*=[^=]", last)   # not an assignment
    found = SHOWN.search(last) if shown else None
    return "view" if found else None


def _stored(output) -> bool:
    """Keep an output, without its live widget: a view keeps the picture it carries beside the
    widget (a widget saved without its kernel shows an error until the notebook is run); a widget
    with nothing else to show (an ipywidgets slider of your own, say) goes."""
    data = output.get("data", {})
    if WIDGET_MIME not in data:
        return True
    del data[WIDGET_MIME]
    return "image/png" in data


def main(names: list[str]) -> None:
    chosen = [s for s in source_paths() if not names or any(n in s.stem for n in names)]
    for source in chosen:
        target = build(source)
        print(f"built {target.name} ({target.stat().st_size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main(sys.argv[1:])
