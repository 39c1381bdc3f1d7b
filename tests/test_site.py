"""The static site builder without a browser: the CLI, its errors, links, maths, hidden source,
the views' budgets, page and site budgets, and a build from an installed wheel.

A small synthetic suite (two notebooks in a temporary folder, written from jupytext Markdown)
stands in for the real one; a fake view, whose display carries the ``convcore-embed`` mark and
whose ``embed_html`` reports the budget it was given, shows how the builder shares a page's budget
among its views. A real view (``Stepper1D``) goes through the CLI. The real suite is built and
opened in Chromium by ``tests/browser/test_browser_site.py``.
"""
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import jupytext
import nbformat
import pytest

from convcore import site
from convcore.site.__main__ import main

REPO = Path(__file__).resolve().parents[1]
PYTHON = sys.executable

FAKE_VIEW = '''
```python
import convcore.views

class FakeView:
    """Displays as an embed fragment; convcore.views.embed_html is replaced below."""
    def __init__(self, n):
        self.n = n
    def _repr_html_(self):
        return '<div class="convcore-embed">default budget</div>'

def fake_embed_html(view, budget_bytes=2_000_000):
    return (f'<div class="convcore-embed" data-n="{view.n}" data-budget="{budget_bytes}">'
            + "x" * min(view.n, budget_bytes) + "</div>")

convcore.views.embed_html = fake_embed_html
FakeView(100)
```

```python
FakeView(3_000)
```

```python
class Holder:
    """Shows an embed without being a view: embed_html cannot take it."""
    def _repr_html_(self):
        return '<p>settings need a kernel</p><div class="convcore-embed">held</div>'

Holder()
```

'''

SOURCE_A = '''---
jupyter:
  kernelspec:
    display_name: Python 3 (ipykernel)
    language: python
    name: python3
---

# First notebook

Read [the second one](02-b.ipynb) next, or [its part two](02-b.ipynb#Part-two); the
[docs](https://example.org/x.ipynb) stay where they are. Inline $x_i^2$, a `$HOME` in code,
and a display formula:

$$y = \\left\\lfloor \\frac{n + 2p - d\\,(k-1) - 1}{s} \\right\\rfloor + 1$$

A matrix $\\begin{bmatrix}1&5\\\\2&6\\end{bmatrix}$.

```python
print("hello from the kernel")
```

```python
import ipywidgets
ipywidgets.IntSlider()
```
''' + FAKE_VIEW

SOURCE_B = '''---
jupyter:
  kernelspec:
    display_name: Python 3 (ipykernel)
    language: python
    name: python3
---

# Second notebook

## Part two

Back to [the first](01-a.ipynb).

```python
import os
print(os.environ.get("CONVCORE_VIEWS"), os.path.basename(os.getcwd()))
```
'''


TINY = """# A tiny notebook

```python
from convcore.views import Stepper1D
Stepper1D([1, 2, 3, 4], [1, 0, -1])
```

```python
import convcore
print("convcore from", convcore.__file__)
```
"""

RAISES = """# Raises

```python
x = 1
```

```python
1 / 0
```
"""


def write_notebooks(folder: Path, sources: dict[str, str]) -> Path:
    """``folder/NAME.ipynb`` for each NAME: jupytext Markdown."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in sources.items():
        notebook = jupytext.reads(text, fmt="md")
        notebook.metadata.pop("jupytext", None)
        nbformat.write(notebook, folder / f"{name}.ipynb")
    return folder


def run_cli(*args, cwd: Path, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, "-m", "convcore.site", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def suite(tmp_path_factory) -> Path:
    root = write_notebooks(tmp_path_factory.mktemp("suite") / "notebooks", {"01-a": SOURCE_A, "02-b": SOURCE_B})
    a = nbformat.read(root / "01-a.ipynb", as_version=4)
    hidden = next(c for c in a.cells if "hello from the kernel" in c.source)
    hidden.metadata["jupyter"] = {"source_hidden": True}
    nbformat.write(a, root / "01-a.ipynb")
    return root


@pytest.fixture(scope="module")
def built(suite, tmp_path_factory):
    out = tmp_path_factory.mktemp("site") / "site"
    return site.build_site(out, suite, page_budget=200_000, log=None)


def test_links_to_notebooks_become_links_to_pages():
    markup = ('<a href="02-b.ipynb">x</a> <a href="02-b.ipynb#Part-two">y</a> '
              '<a href="https://example.org/x.ipynb">z</a> <a href="99-other.ipynb">w</a>')
    out = site.rewrite_links(markup, {"01-a", "02-b"})
    assert 'href="02-b.html"' in out and 'href="02-b.html#Part-two"' in out
    assert 'href="https://example.org/x.ipynb"' in out      # not ours
    assert 'href="99-other.ipynb"' in out                   # not a page of this site


def test_maths_becomes_mathml_and_code_stays_code():
    out = site.markdown_to_html("Inline $x_i^2$ and `$HOME`.\n\n$$\\frac{a}{b}$$\n\n"
                                "$\\begin{bmatrix}1&5\\\\2&6\\end{bmatrix}$")
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline">' in out
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML" display="block">' in out
    assert "<mfrac>" in out and "<mtable>" in out and "<msubsup>" in out
    assert "<code>$HOME</code>" in out
    assert "$" not in out.replace("<code>$HOME</code>", "")


def test_every_formula_of_the_suite_converts():
    """No formula in the notebooks' prose falls back to its LaTeX source."""
    for path in site.find_notebooks(REPO / "notebooks"):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "markdown":
                assert "tex-error" not in site.markdown_to_html(cell.source), \
                    f"{path.name}: a formula did not convert to MathML:\n{cell.source[:300]}"


def test_the_suite_is_found_from_the_repository_or_the_current_directory(tmp_path, monkeypatch):
    suite = sorted((REPO / "notebooks").glob("*.ipynb"))
    assert suite and [p.stem for p in suite] == sorted(p.stem for p in (REPO / "notebooks" / "src").glob("*.md"))
    monkeypatch.chdir(REPO)
    assert site.find_notebooks() == suite                  # ./notebooks
    monkeypatch.chdir(tmp_path)
    assert site.find_notebooks() == suite                  # the repository this package sits in
    write_notebooks(tmp_path / "notebooks", {"mine": TINY})
    assert site.find_notebooks() == [tmp_path / "notebooks" / "mine.ipynb"]


def test_view_budget_is_an_equal_share_of_what_the_page_leaves():
    assert site.view_budget(5_000_000, 1_000_000, 4) == (5_000_000 - 1_000_000 - site.PAGE_MARGIN) // 4
    assert site.view_budget(5_000_000, 10_000, 1) == site.VIEW_BUDGET         # capped
    assert site.view_budget(5_000_000, 10_000, 0) == 0
    with pytest.raises(site.BudgetError, match="no room"):
        site.view_budget(100_000, 99_000, 2)


def test_budgets_name_what_is_over():
    site.check_budgets({"a.html": 10, "assets/x.js": 10}, page_budget=10, site_budget=20)
    with pytest.raises(site.BudgetError, match=r"a\.html is 0\.00 MB"):
        site.check_budgets({"a.html": 11}, page_budget=10, site_budget=100)
    with pytest.raises(site.BudgetError, match="the site is"):
        site.check_budgets({"a.html": 10, "b.html": 10, "assets/x.js": 1}, page_budget=10, site_budget=20)


def test_the_site_has_an_index_a_page_per_notebook_and_assets(built):
    out = built.outdir
    assert sorted(p.name for p in out.glob("*.html")) == ["01-a.html", "02-b.html", "index.html"]
    assert (out / "assets" / site.CSS_NAME).read_text() == site.SITE_CSS
    assert not list(out.parent.glob(".site.*"))            # the folder it was built in is gone
    index = (out / "index.html").read_text()
    assert '<a href="01-a.html">First notebook</a>' in index
    assert '<a href="02-b.html">Second notebook</a>' in index
    a = (out / "01-a.html").read_text()
    assert 'href="02-b.html"' in a and 'href="02-b.html#Part-two"' in a and "02-b.ipynb" not in a
    assert 'href="https://example.org/x.ipynb"' in a
    assert "hello from the kernel" in a
    b = (out / "02-b.html").read_text()
    assert 'id="Part-two"' in b                 # the anchor the first page links to
    assert "static notebooks" in b             # CONVCORE_VIEWS=static, cwd = the notebooks folder
    assert built.files == {str(p.relative_to(out)): p.stat().st_size
                           for p in out.rglob("*") if p.is_file()}


def test_maths_on_the_page_is_mathml(built):
    a = (built.outdir / "01-a.html").read_text()
    assert a.count("<math ") == 3 and "<mfrac>" in a and "<mtable>" in a
    assert a.count('display="block"') == 1 and a.count('display="inline"') == 2
    assert "\\frac" not in a and "$$" not in a and "tex-error" not in a


def test_hidden_source_stays_hidden(built):
    """A cell whose source is hidden in the notebook (``jupyter.source_hidden``) shows its code
    only when the reader opens it; its output shows as always."""
    a = (built.outdir / "01-a.html").read_text()
    start = a.index('<details class="source-hidden">')
    details = a[start:a.index("</details>", start)]
    assert "<summary>" in details and "hello from the kernel" in details and "print" in details
    assert "<details open" not in a and a.count("<details") == 1
    assert "hello from the kernel\n</pre>" in a[a.index("</details>", start):]


def test_views_share_the_page_budget(built):
    a = (built.outdir / "01-a.html").read_text()
    page = built.pages[0]
    assert page.views == 3 and page.unbudgeted == 1
    assert page.view_budget is not None and page.view_budget < 100_000
    assert '<p>settings need a kernel</p><div class="convcore-embed">held</div>' in a
    assert a.count(f'data-budget="{page.view_budget}"') == 2
    assert 'data-n="100"' in a and 'data-n="3000"' in a
    assert ">default budget</div>" not in a and "convcore-site-slot" not in a


def test_a_widget_that_cannot_be_embedded_says_so(built):
    a = (built.outdir / "01-a.html").read_text()
    assert "Not on this static page" in a and "widget-view+json" not in a
    assert len(built.pages[0].notes) == 1


def test_nothing_on_a_page_points_outside_the_site(built):
    for page in built.outdir.glob("*.html"):
        text = page.read_text()
        assert "<script src" not in text and "mathjax" not in text.lower() and "require.js" not in text
        for attr in ("src=", "href="):
            for piece in text.split(attr)[1:]:
                url = piece[1:piece.index(piece[0], 1)]
                assert not url.startswith(("//", "http:")), f"{page.name}: {attr}{url}"
                if url.startswith("https:"):
                    assert attr == "href=", f"{page.name} loads {url}"


def test_the_cli_builds_a_folder_of_notebooks_with_a_view(tmp_path):
    from convcore.views import static_assets
    notebooks = write_notebooks(tmp_path / "mine", {"tiny": TINY})
    done = run_cli("out", "--notebooks", notebooks, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "tiny.ipynb: 1 view(s)" in done.stdout and "2 files" not in done.stdout
    out = tmp_path / "out"
    assert sorted(p.name for p in out.glob("*.html")) == ["index.html", "tiny.html"]
    page = (out / "tiny.html").read_text()
    assert page.count('class="convcore-embed" data-view="stepper1d"') == 1
    assert 'import { hydrate } from "./assets/convcore-view.js"' in page
    assert '<link href="assets/site.css" rel="stylesheet"/>' in page
    for name, text in static_assets().items():
        assert (out / "assets" / name).read_text() == text
    assert '<a href="tiny.html">A tiny notebook</a>' in (out / "index.html").read_text()


def test_no_notebooks_is_an_error(tmp_path):
    (tmp_path / "empty").mkdir()
    done = run_cli("out", "--notebooks", "empty", cwd=tmp_path)
    assert done.returncode == 1
    assert "no notebooks (*.ipynb) in empty" in done.stderr and "nothing written" in done.stderr
    assert not (tmp_path / "out").exists()


def test_a_notebook_that_raises_names_itself_and_its_cell(tmp_path, capsys):
    notebooks = write_notebooks(tmp_path / "nb", {"tiny": TINY, "zz-raises": RAISES})
    out = tmp_path / "out"
    (out / "assets").mkdir(parents=True)                 # a site built before
    (out / "index.html").write_text("the previous site")
    (out / "assets" / site.CSS_NAME).write_text("")
    assert main([str(out), "--notebooks", str(notebooks)]) == 1
    err = capsys.readouterr().err
    assert "zz-raises.ipynb, cell 3: ZeroDivisionError: division by zero; nothing written" in err
    assert len(err.strip().splitlines()) == 1
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*")) == ["assets", "assets/site.css", "index.html"]
    assert (out / "index.html").read_text() == "the previous site"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nb", "out"]


def test_a_folder_that_is_not_a_site_is_not_replaced(tmp_path, capsys):
    notebooks = write_notebooks(tmp_path / "nb", {"tiny": TINY})
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "notes.txt").write_text("mine")
    assert main([str(tmp_path / "out"), "--notebooks", str(notebooks)]) == 1
    assert "holds files that are not a site" in capsys.readouterr().err
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["notes.txt"]


def test_over_budget_stops_the_build_and_writes_nothing(suite, tmp_path, capsys):
    out = tmp_path / "site"
    code = main([str(out), "02", "--notebooks", str(suite), "--page-budget", "0.001"])
    assert code == 1
    err = capsys.readouterr().err
    assert "02-b.html is" in err and "over the page budget of 0.001 MB" in err and "nothing written" in err
    assert not out.exists() and not list(tmp_path.iterdir())


@pytest.mark.slow
def test_the_cli_runs_from_an_installed_wheel_without_the_repository(tmp_path):
    """The wheel holds the builder's template and stylesheet: built from a copy of the package,
    installed into a fresh venv (no system site-packages; the dependencies are this environment's
    site-packages but convcore, linked into a folder on PYTHONPATH, and nbconvert's templates its
    data folder on JUPYTER_PATH), run outside the repository. The kernel it starts imports
    convcore from the venv too."""
    src = tmp_path / "src"
    shutil.copytree(REPO / "convcore", src / "convcore", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, src / name)
    pip = [PYTHON, "-m", "pip", "--disable-pip-version-check", "-q"]
    try:     # this environment's setuptools when it can build the project, else pip fetches one
        isolation = [] if int(version("setuptools").split(".")[0]) < 77 else ["--no-build-isolation"]
    except PackageNotFoundError:
        isolation = []
    subprocess.run([*pip, "wheel", "--no-deps", *isolation, str(src), "-w", str(tmp_path / "dist")],
                   check=True, capture_output=True, timeout=600)
    wheel, = (tmp_path / "dist").glob("convcore-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {"convcore/site/site.css", "convcore/site/templates/convcore/index.html.j2",
            "convcore/site/templates/convcore/conf.json", "convcore/site/kernel.py"} <= set(names)
    venv = tmp_path / "venv"
    subprocess.run([PYTHON, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    subprocess.run([*pip, "--python", str(python), "install", "--no-deps", str(wheel)],
                   check=True, capture_output=True, timeout=300)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    deps = tmp_path / "deps"                           # this environment's packages, but convcore
    deps.mkdir()
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        if not entry.name.startswith(("convcore", "__editable__", "_convcore")):
            (deps / entry.name).symlink_to(entry)
    env["PYTHONPATH"] = str(deps)
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")   # nbconvert's own templates
    work = tmp_path / "elsewhere"
    notebooks = write_notebooks(work / "nb", {"tiny": TINY})
    where = subprocess.run([python, "-c", "import convcore.site; print(convcore.site.__file__)"],
                           cwd=work, env=env, capture_output=True, text=True, check=True)
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout
    done = subprocess.run([python, "-m", "convcore.site", "out", "--notebooks", "nb"], cwd=work, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    page = (work / "out" / "tiny.html").read_text()
    assert 'class="convcore-embed" data-view="stepper1d"' in page
    assert f"convcore from {venv}" in page                # the kernel's convcore is the wheel's
    assert (work / "out" / "assets" / "site.css").is_file() and (work / "out" / "assets" / "convcore-view.js").is_file()
