"""The stored notebooks, as a reader without a kernel sees them: each exported to HTML by nbconvert
(what nbviewer and "Download as HTML" do) and opened in Chromium with no kernel and no network;
every view cell shows a picture of its view, drawn (not blank), with alt text saying what it shows;
every static figure (``convcore.course.figures``) is drawn too, its caption as its alt text."""
import json
import re

import pytest

import browser_servers as servers
import build  # notebooks/build.py (conftest puts notebooks/ on the path)
from browser_driver import until

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

NOTEBOOKS = sorted(servers.NOTEBOOKS.glob("*.ipynb"))

# Each picture of a view (or figure) in the page: its alt text, its size, and how many colours it
# has when drawn (a blank or broken image has one or none).
VIEW_PICTURES = '.jp-OutputArea-output img[alt*=" of steps 0–"]'
FIGURES = ".jp-OutputArea-output img.convcore-figure"
FIGURE_CALL = re.compile(r"^figures\.\w+\(", re.M)
JS_PICTURES = r"""
(selector) => Array.from(document.querySelectorAll(selector), (img) => {
  const c = document.createElement('canvas');
  c.width = img.naturalWidth; c.height = img.naturalHeight;
  const g = c.getContext('2d');
  let colours = 0;
  if (img.naturalWidth) {
    g.drawImage(img, 0, 0);
    const px = g.getImageData(0, 0, c.width, c.height).data, seen = new Set();
    for (let i = 0; i < px.length; i += 4 * 7) seen.add((px[i] << 16) | (px[i + 1] << 8) | px[i + 2]);
    colours = seen.size;
  }
  const box = img.getBoundingClientRect();
  return {alt: img.alt, width: img.naturalWidth, shown: box.width, colours};
})
"""


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_a_stored_notebook_shows_every_view_without_a_kernel(page, tmp_path, path):
    import nbformat
    from nbconvert import HTMLExporter
    notebook = nbformat.read(str(path), as_version=4)
    views = sum(1 for c in notebook.cells if c.cell_type == "code" and build.shows(c.source) == "view")
    body, _ = HTMLExporter(template_name="lab").from_notebook_node(notebook)
    (tmp_path / "page.html").write_text(body, encoding="utf-8")
    page.context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
                       else route.abort())          # no kernel, no network: the page alone
    page.goto((tmp_path / "page.html").as_uri(), wait_until="load")
    pictures = until(lambda: page.evaluate(JS_PICTURES, VIEW_PICTURES), f"{path.stem}: {views} pictures to load",
                     lambda found: len(found) == views and all(p["width"] for p in found))
    for p in pictures:
        assert p["colours"] > 4 and p["shown"] > 100, f"{path.stem}: a blank picture: {json.dumps(p)[:200]}"
        assert " of steps 0–" in p["alt"], p["alt"][:200]
    if pictures:
        page.locator(VIEW_PICTURES).first.scroll_into_view_if_needed()
        page.screenshot(path=str(servers.SCREENSHOTS / f"stored-{path.stem}.png"))
    # The static figures: one per cell that draws one, its caption (the stored text) as alt text.
    captions = ["".join(out["data"]["text/plain"]) for c in notebook.cells if c.cell_type == "code"
                and FIGURE_CALL.search(c.source) for out in c.outputs if "text/plain" in out.get("data", {})]
    assert len(captions) == sum(1 for c in notebook.cells if c.cell_type == "code" and FIGURE_CALL.search(c.source))
    figures = until(lambda: page.evaluate(JS_PICTURES, FIGURES), f"{path.stem}: {len(captions)} figures to load",
                    lambda found: len(found) == len(captions) and all(p["width"] for p in found))
    for p, caption in zip(figures, captions):
        assert p["colours"] > 4 and p["shown"] > 100, f"{path.stem}: a blank figure: {json.dumps(p)[:200]}"
        assert p["alt"] == caption
    for i in range(len(figures)):
        page.locator(FIGURES).nth(i).scroll_into_view_if_needed()
        page.screenshot(path=str(servers.SCREENSHOTS / f"stored-{path.stem}-figure{i}.png"))
    print(f"{path.stem}: {len(pictures)} view(s) and {len(figures)} figure(s) pictured without a kernel")
