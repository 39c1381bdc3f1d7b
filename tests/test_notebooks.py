"""The notebooks are generated from notebooks/src/*.md: prove they are current,
small, and shaped like the rest of the suite. (nbval, configured in
pyproject.toml, runs them and checks their stored outputs.)"""
import base64
import html
import io
import json
import re
import sys
from pathlib import Path

import pytest
from PIL import Image

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
sys.path.insert(0, str(NOTEBOOKS))
import build  # noqa: E402  (notebooks/build.py)

SOURCES = build.source_paths()
EXPECTED = ["00-index", "01-conv1d", "02-conv2d-channels", "03-1x1-convolution",
            "04-padding-stride-dilation", "05-groups-and-depthwise",
            "06-convolution-as-matmul", "07-real-image", "08-transposed-convolution",
            "09-backward-pass", "10-pooling-and-receptive-fields",
            "11-convolutions-over-time", "12-exercises"]


def test_the_suite_is_complete_and_in_reading_order():
    assert [s.stem for s in SOURCES] == EXPECTED
    assert sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb")) == EXPECTED


@pytest.mark.parametrize("source", SOURCES, ids=[s.stem for s in SOURCES])
def test_notebook_matches_its_source(source):
    """A notebook edited by hand, or a source changed without rebuilding, fails here:
    run `python notebooks/build.py NAME` to regenerate."""
    expected = build.read_source(source)
    stored = json.loads(build.notebook_for(source).read_text())
    assert [(c.cell_type, c.source, c.metadata.get("jupyter")) for c in expected.cells] == [
        (c["cell_type"], "".join(c["source"]), c["metadata"].get("jupyter")) for c in stored["cells"]
    ], f"{source.name} changed: rebuild with `python notebooks/build.py {source.stem}`"


@pytest.mark.parametrize("source", SOURCES, ids=[s.stem for s in SOURCES])
def test_notebook_is_small_and_fully_executed(source):
    path = build.notebook_for(source)
    assert path.stat().st_size < 1_000_000
    stored = json.loads(path.read_text())
    counts = [c["execution_count"] for c in stored["cells"] if c["cell_type"] == "code"]
    assert counts == list(range(1, len(counts) + 1)), "stored outputs must come from one clean run"
    for cell in stored["cells"]:
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error"
            assert output.get("name") != "stderr", f"a learner would see a warning: {output}"


@pytest.mark.parametrize("source", [s for s in SOURCES if s.stem not in ("00-index", "12-exercises")],
                         ids=lambda s: s.stem)
def test_notebook_states_goals_and_ends_with_a_check(source):
    text = source.read_text()
    assert "**After this notebook you will be able to**" in text
    assert "## Check yourself" in text


@pytest.mark.parametrize("source", SOURCES, ids=[s.stem for s in SOURCES])
def test_every_stored_view_shows_its_picture_with_words(source):
    """Without a kernel (GitHub, nbviewer, JupyterLab before Run All) each view cell shows the
    picture of its view, and an <img> whose alt text says what is drawn (the step's sentence)."""
    stored = json.loads(build.notebook_for(source).read_text())
    cells = [c for c in stored["cells"] if c["cell_type"] == "code" and build.shows("".join(c["source"])) == "view"]
    for cell in cells:
        pictures = [o for o in cell["outputs"] if "image/png" in o.get("data", {})]
        assert len(pictures) == 1, f"{source.stem}: a view cell without its picture:\n{''.join(cell['source'])}"
        data = pictures[0]["data"]
        assert build.WIDGET_MIME not in data                          # no widget saved without its kernel
        image = Image.open(io.BytesIO(base64.b64decode(data["image/png"])))
        assert image.width > 200 and len(image.convert("RGB").getcolors(1 << 16) or ()) > 4   # not blank
        alt = re.search(r'<img src="data:image/png;base64,([^"]+)" alt="([^"]+)">', "".join(data["text/html"]))
        assert alt and alt.group(1) == data["image/png"] and " of steps 0–" in alt.group(2)
        assert "".join(data["text/plain"]) == html.unescape(alt.group(2))
    if source.stem not in ("00-index", "12-exercises"):
        assert cells, f"{source.stem} shows no view"


LESSONS = [s for s in SOURCES if s.stem[:2] in {f"{n:02}" for n in range(1, 12)}]
MOST_VISIBLE_ASSERTS = 40
# A view's records: what a view holds for its renderer (View.data, its readings and their steps,
# a record's panels, lines, header and notes, a SequenceView's fields). Tests read them
# (test_views*.py, against the traces); a lesson reads the library and shows the view.
VIEW_RECORDS = re.compile(r"\.(screen|record)\(|\.(current|readings|modes|fields)\b|\.data\[|"
                          r"\[[\"'](panels|steps|lines|header|notes|cells|set|cl|keys)[\"']\]")


def _visible(cell) -> bool:
    return not cell["metadata"].get("jupyter", {}).get("source_hidden", False)


def _visible_asserts(source) -> int:
    stored = json.loads(build.notebook_for(source).read_text())
    return sum(line.lstrip().startswith("assert ")
               for cell in stored["cells"] if cell["cell_type"] == "code" and _visible(cell)
               for line in "".join(cell["source"]).splitlines())


def test_the_lessons_read_like_lessons_with_at_most_40_visible_asserts():
    """01-11: a proof the learner need not read sits in a collapsed cell (jupyter.source_hidden);
    the cells a learner reads print and plot."""
    counts = {source.stem: _visible_asserts(source) for source in LESSONS}
    assert sum(counts.values()) <= MOST_VISIBLE_ASSERTS, counts


def test_the_visible_assert_count_sees_hidden_cells_and_asserts():
    """The counter above can fail: a visible assert counts, a hidden one does not."""
    nb = {"cells": [{"cell_type": "code", "metadata": {}, "source": "x = 1\nassert x == 1\n    assert x"},
                    {"cell_type": "code", "metadata": {"jupyter": {"source_hidden": True}}, "source": "assert x"}]}
    visible = [c for c in nb["cells"] if _visible(c)]
    assert sum(line.lstrip().startswith("assert ") for c in visible for line in c["source"].splitlines()) == 2


@pytest.mark.parametrize("source", LESSONS, ids=lambda s: s.stem)
def test_no_lesson_cell_reads_a_views_records(source):
    stored = json.loads(build.notebook_for(source).read_text())
    for cell in stored["cells"]:
        if cell["cell_type"] == "code":
            found = VIEW_RECORDS.search("".join(cell["source"]))
            assert not found, f"{source.stem} reads a view's records ({found.group(0)}):\n{''.join(cell['source'])}"
    for planted in ('view.screen(5)["lines"]', 'board_view.current["panels"]', 'seq.fields["plain"]',
                    'view.modes["scatter"]["steps"][k]["set"]["canvas0"]["t"]', "v.record(2)"):
        assert VIEW_RECORDS.search(planted), planted
