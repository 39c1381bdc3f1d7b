"""The views' browser modules as they run: the shared prelude, then the module's own body.

Every renderer in ``static/`` (``view.js``)
uses the same step controls: Prev/Play/Next, the step slider and speed menu, the keys kept from
the host's shortcuts, Play's loop, the sync to the kernel, the static page's model. They are
written once, in ``static/controls.js``. That file cannot be imported: an anywidget ``_esm`` is
loaded from a string (a blob URL), where a relative ``import "./controls.js"`` has nothing to
resolve against. So it is joined here, in Python, at the top of each module. ``esm_source(name)``
is that joined text; it is each widget's ``_esm`` and, through ``static_assets()``, the static
site's ``convcore-<name>.js``, so the notebook and the site run the same code.
"""
from __future__ import annotations

import json
from pathlib import Path

from . import palette

STATIC = Path(__file__).parent / "static"
PRELUDE = "controls.js"          # plain top-level declarations, no imports or exports of its own
CSS_LINE = "const CSS = null;"   # view.js's placeholder for the stylesheet on static pages


def esm_source(name: str) -> str:
    """Module ``name`` (``"view"``, ``"gridsteps"``) as the browser runs it: the prelude
    ``static/controls.js``, then ``static/<name>.js``.

    >>> src = esm_source("view")
    >>> src.startswith((STATIC / PRELUDE).read_text()) and src.endswith((STATIC / "view.js").read_text())
    True
    """
    prelude = (STATIC / PRELUDE).read_text(encoding="utf-8")
    body = (STATIC / f"{name}.js").read_text(encoding="utf-8")
    return f"{prelude}\n// ---- {name}.js (after the prelude {PRELUDE}) ----\n{body}"


def static_assets() -> dict[str, str]:
    """Files a static page needs beside it: ``{"convcore-<name>.js": esm_source(name)}`` for each
    module, ``convcore-view.js`` with the stylesheet (``palette.css()``) in place of ``CSS_LINE``.
    view.js's ``hydrate()`` imports the other modules a page uses, by their embeds' ``data-module``.
    """
    view = esm_source("view")
    assert CSS_LINE in view, "view.js lost its CSS placeholder line"
    assets = {"convcore-view.js": view.replace(CSS_LINE, f"const CSS = {json.dumps(palette.css())};", 1)}
    for path in sorted(STATIC.glob("*.js")):
        if path.name not in ("view.js", PRELUDE):
            assets[f"convcore-{path.name}"] = esm_source(path.stem)
    return assets
