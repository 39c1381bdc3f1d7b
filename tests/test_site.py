"""The static site builder without a browser: links, maths, views' budgets, page and site budgets.

A small synthetic suite (two notebook sources in a temporary folder, built with the
suite's own ``notebooks/build.py``) stands in for the real one; a fake view, whose
display carries the ``convcore-embed`` mark and whose ``embed_html`` reports the budget
it was given, shows how the builder shares a page's budget among its views.
The real suite is built and opened in Chromium by ``tests/browser/test_browser_site.py``.
"""
import shutil
import textwrap
from pathlib import Path

import pytest

from convcore import site

REPO = Path(__file__).resolve().parents[1]

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
    """Shows a view without being one (as the Explorer does): embed_html cannot take it."""
    def _repr_html_(self):
        return '<p>settings need a kernel</p><div class="convcore-embed">held</div>'

Holder()
```

```python
class Explorerish:
    """Shows a note and its step view ``.view`` (as the Explorer does)."""
    view = FakeView(50)
    def _repr_html_(self):
        return "<p>settings need a kernel</p>" + fake_embed_html(self.view)

Explorerish()
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


@pytest.fixture(scope="module")
def suite(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("suite") / "notebooks"
    (root / "src").mkdir(parents=True)
    shutil.copy(REPO / "notebooks" / "build.py", root / "build.py")
    (root / "src" / "01-a.md").write_text(SOURCE_A)
    (root / "src" / "02-b.md").write_text(SOURCE_B)
    return root


@pytest.fixture(scope="module")
def built(suite, tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
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
    for source in sorted((REPO / "notebooks" / "src").glob("*.md")):
        out = site.markdown_to_html(source.read_text())
        assert "tex-error" not in out, f"{source.name}: a formula did not convert to MathML"


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
    assert (out / "assets" / site.CSS_NAME).is_file()
    index = (out / "index.html").read_text()
    assert '<a href="01-a.html">First notebook</a>' in index
    assert '<a href="02-b.html">Second notebook</a>' in index
    a = (out / "01-a.html").read_text()
    assert 'href="02-b.html"' in a and 'href="02-b.html#Part-two"' in a and "02-b.ipynb" not in a
    assert "hello from the kernel" in a
    assert a.count("<math ") == 3
    b = (out / "02-b.html").read_text()
    assert 'id="Part-two"' in b                 # the anchor the first page links to
    assert "static notebooks" in b             # CONVCORE_VIEWS=static, cwd = the notebooks folder
    assert built.files == {str(p.relative_to(out)): p.stat().st_size
                           for p in out.rglob("*") if p.is_file()}


def test_views_share_the_page_budget(built):
    a = (built.outdir / "01-a.html").read_text()
    page = built.pages[0]
    assert page.views == 4 and page.unbudgeted == 1
    assert page.view_budget is not None and page.view_budget < 100_000
    assert '<p>settings need a kernel</p><div class="convcore-embed">held</div>' in a
    assert (f'<p>settings need a kernel</p><div class="convcore-embed" data-n="50" '
            f'data-budget="{page.view_budget}">') in a
    assert a.count(f'data-budget="{page.view_budget}"') == 3
    assert 'data-n="100"' in a and 'data-n="3000"' in a
    assert ">default budget</div>" not in a and "convcore-site-slot" not in a


def test_a_widget_that_cannot_be_embedded_says_so(built):
    a = (built.outdir / "01-a.html").read_text()
    assert "Not on this static page" in a
    assert len(built.pages[0].notes) == 1


def test_nothing_on_a_page_points_outside_the_site(built):
    for page in built.outdir.glob("*.html"):
        text = page.read_text()
        for attr in ("src=", "href="):
            for piece in text.split(attr)[1:]:
                url = piece[1:piece.index(piece[0], 1)]
                assert not url.startswith(("//", "http:")), f"{page.name}: {attr}{url}"
                if url.startswith("https:"):
                    assert attr == "href=", f"{page.name} loads {url}"


def test_over_budget_stops_the_build_and_writes_nothing(suite, tmp_path, capsys):
    out = tmp_path / "site"
    code = site.main([str(out), "02", "--notebooks", str(suite), "--page-budget", "0.001"])
    assert code == 1
    err = capsys.readouterr().err
    assert "02-b.html is" in err and "over the page budget of 0.001 MB" in err and "nothing written" in err
    assert not out.exists()
