"""A static site of the suite: ``python -m convcore.site OUTDIR``.

Every notebook source (``notebooks/src/NN-name.md``) is executed in reading
order in a fresh kernel whose environment has ``CONVCORE_VIEWS=static``, so
each view displays as a self-contained HTML fragment (its steps as data, drawn
by ``assets/convcore-view.js`` in the browser). Each notebook becomes one page,
``OUTDIR/NN-name.html``, with its prose, code, outputs and views;
``OUTDIR/index.html`` is the map of the suite. Nothing on a page asks for
anything outside the site: no CDN, no web fonts, no kernel. Maths is turned
into MathML when the site is built (browsers draw MathML Core themselves).

Budgets: every page at most 5 MB and the whole site at most 40 MB. The views of
a page share what the rest of the page leaves of its budget (each view gets an
equal share, at most ``VIEW_BUDGET``), and ``embed_html`` says on the page what
a view leaves out when its trace does not fit. A page or site over budget stops
the build with a message naming it.

This module is a build tool beside the library: it imports the notebook
machinery (jupytext, nbclient, nbconvert's Markdown renderer, pygments,
latex2mathml) only when called.
"""
from __future__ import annotations

import argparse
import html
import importlib.util
import json
import os
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

PAGE_BUDGET = 5_000_000     # bytes per page
SITE_BUDGET = 40_000_000    # bytes for the whole site
VIEW_BUDGET = 2_000_000     # at most this per view, however empty the page (embed_html's default)
PAGE_MARGIN = 20_000        # left free on every page for the markup around the views

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
EMBED_MARK = 'class="convcore-embed"'
SLOT = '<div class="convcore-site-slot" data-slot="{}"></div>'
SLOT_RE = re.compile(r'<div class="convcore-site-slot" data-slot="(\d+)"></div>')
CSS_NAME = "site.css"


class BudgetError(RuntimeError):
    """A page or the whole site is larger than its budget."""


@dataclass
class Page:
    """One page of the site, as written."""

    name: str                      # "02-conv2d-channels"
    title: str                     # the notebook's first heading
    html: str = ""
    views: int = 0                 # views embedded (and so alive) on the page
    notes: list[str] = field(default_factory=list)   # what the page could not show
    view_budget: int | None = None
    unbudgeted: int = 0            # displays holding a view kept as displayed (no share of the budget)
    seconds: float = 0.0

    @property
    def file(self) -> str:
        return self.name + ".html"

    @property
    def size(self) -> int:
        return len(self.html.encode())


@dataclass
class Site:
    """What ``build_site`` wrote."""

    outdir: Path
    pages: list[Page]
    files: dict[str, int]          # path relative to outdir -> bytes
    seconds: float

    @property
    def total(self) -> int:
        return sum(self.files.values())

    def summary(self) -> str:
        lines = [f"{'page':<34}{'KB':>9}{'views':>7}{'s':>7}"]
        for p in self.pages:
            lines.append(f"{p.file:<34}{p.size / 1000:>9.1f}{p.views:>7}{p.seconds:>7.1f}"
                         + (f"   {len(p.notes)} output(s) not shown, see the notes below" if p.notes else "")
                         + (f"   {p.unbudgeted} display(s) holding a view kept as displayed" if p.unbudgeted else ""))
        others = {k: v for k, v in self.files.items() if k not in {p.file for p in self.pages}}
        for name, size in sorted(others.items()):
            lines.append(f"{name:<34}{size / 1000:>9.1f}")
        lines.append(f"{len(self.files)} files, {len(self.pages)} notebook pages, total "
                     f"{self.total / 1e6:.2f} MB (budgets: {PAGE_BUDGET / 1e6:g} MB a page, "
                     f"{SITE_BUDGET / 1e6:g} MB the site), built in {self.seconds:.0f} s into {self.outdir}")
        return "\n".join(lines)


# --------------------------------------------------------------------------- sources and execution

def _build_module(notebooks: Path):
    """``notebooks/build.py``: the one place that knows how a source becomes a notebook."""
    spec = importlib.util.spec_from_file_location("convcore_notebooks_build", notebooks / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# Run in the kernel before the notebook's cells: every object whose display is a view's embed
# fragment is kept, and a numbered slot stands in its place; the builder embeds the views once
# it knows how many the page holds and how much room the rest of the page leaves them.
PRELUDE = """
def _convcore_site_hook():
    ip = get_ipython()
    fmt = ip.display_formatter
    original = fmt.format
    views = []
    def format(obj, include=None, exclude=None):
        data, metadata = original(obj, include=include, exclude=exclude)
        markup = data.get("text/html")
        if isinstance(markup, str) and %r in markup:
            views.append((obj, markup))
            data = {"text/html": %r.format(len(views) - 1), "text/plain": data.get("text/plain", "")}
        return data, metadata
    fmt.format = format
    return views
_convcore_site_views = _convcore_site_hook()
del _convcore_site_hook
""" % (EMBED_MARK, SLOT)

# After the cells: each view embedded again with its share of the page's budget. An object that
# displays a view without being one (the Explorer shows a note, its summary and its step view
# ``.view``) keeps what it displayed, with that view's embed swapped for one within the share;
# if its view cannot be found in what it displayed, it stays as displayed (embed_html's default
# budget), and the page's own budget still applies.
EPILOGUE = """
import json as _json
from convcore.views import embed_html as _embed_html
def _convcore_site_embed(view, markup):
    try:
        return {{"html": _embed_html(view, budget_bytes={budget}), "budgeted": True}}
    except (AttributeError, TypeError):
        pass
    inner = getattr(view, "view", None)
    try:
        whole = _embed_html(inner)
    except (AttributeError, TypeError):
        whole = None
    if whole and whole in markup:
        return {{"html": markup.replace(whole, _embed_html(inner, budget_bytes={budget})), "budgeted": True}}
    return {{"html": markup, "budgeted": False}}
with open({path!r}, "w", encoding="utf-8") as _file:
    _json.dump([_convcore_site_embed(*_v) for _v in _convcore_site_views], _file)
"""


def _code_cell(source: str):
    import nbformat
    return nbformat.v4.new_code_cell(source)


class _Run:
    """One notebook executed in a fresh kernel that stays up for the ``with`` block (to embed its
    views once they are all known)."""

    def __init__(self, notebook, cwd: Path, timeout: int = 600):
        from nbclient import NotebookClient

        self.nb = notebook
        self.client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                                     record_timing=False, resources={"metadata": {"path": str(cwd)}})
        env = dict(os.environ, CONVCORE_VIEWS="static")
        env.pop("MPLBACKEND", None)            # the kernel picks the inline backend itself
        self._kernel = self.client.setup_kernel(env=env)

    def __enter__(self):
        self._kernel.__enter__()
        return self

    def __exit__(self, *exc):
        return self._kernel.__exit__(*exc)

    def run(self, source: str):
        """Execute code that is not part of the page; returns its cell (outputs included)."""
        cell = _code_cell(source)
        self.nb.cells.append(cell)
        try:
            return self.client.execute_cell(cell, len(self.nb.cells) - 1, store_history=False)
        finally:
            self.nb.cells.pop()

    def execute(self) -> None:
        self.run(PRELUDE)
        for index, cell in enumerate(self.nb.cells):
            if cell.cell_type == "code":
                self.client.execute_cell(cell, index)


# --------------------------------------------------------------------------- rendering

def latex_to_mathml(tex: str, display: bool = False) -> str:
    """MathML for one formula; a formula latex2mathml cannot read stays as its source, marked."""
    from latex2mathml.converter import convert

    try:
        return convert(tex.strip(), display="block" if display else "inline")
    except Exception as error:  # noqa: BLE001  (any parser failure: show the source, say so)
        return (f'<code class="tex-error" title="not converted: {html.escape(str(error))}">'
                f'{html.escape(tex)}</code>')


def _markdown():
    from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

    class Renderer(IPythonRenderer):
        def block_math(self, body):
            return latex_to_mathml(body, display=True)

        def inline_math(self, body):
            return latex_to_mathml(body)

        def latex_environment(self, name, body):
            return latex_to_mathml(f"\\begin{{{name}}}{body}\\end{{{name}}}", display=True)

        def block_code(self, code, info=None):
            lang = (info or "").split(maxsplit=1)[0] if info else ""
            return highlight(code, lang or None)

    return MarkdownWithMath(renderer=Renderer(escape=False, anchor_link_text="¶"))


def markdown_to_html(text: str, pages: set[str] = frozenset()) -> str:
    """Markdown with maths as MathML, fenced code highlighted, links to the suite's notebooks
    turned into links to their pages."""
    return rewrite_links(_markdown().render(text), pages)


_NOTEBOOK_LINK = re.compile(r'(href=")(?![a-z][a-z0-9+.-]*:|/|#)([^"#?]+?)\.ipynb([#?][^"]*)?"', re.I)


def rewrite_links(markup: str, pages: set[str] = frozenset()) -> str:
    """``href="03-1x1-convolution.ipynb#x"`` -> ``href="03-1x1-convolution.html#x"`` for the
    notebooks in ``pages`` (stems; all relative ``.ipynb`` links when empty)."""
    def swap(m):
        stem = m.group(2)
        if pages and stem not in pages:
            return m.group(0)
        return f'{m.group(1)}{stem}.html{m.group(3) or ""}"'
    return _NOTEBOOK_LINK.sub(swap, markup)


def highlight(code: str, language: str | None = "python") -> str:
    """A ``<pre>`` block, coloured by pygments' short token classes (coloured in site.css)."""
    from pygments import highlight as pyg
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        lexer = get_lexer_by_name(language) if language else None
    except ClassNotFound:
        lexer = None
    if lexer is None:
        return f'<pre class="code"><code>{html.escape(code)}</code></pre>'
    body = pyg(code, lexer, HtmlFormatter(nowrap=True))
    return f'<pre class="code hl"><code>{body}</code></pre>'


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _text(data) -> str:
    return "".join(data) if isinstance(data, list) else str(data)


def render_output(output, pages: set[str] = frozenset()) -> tuple[str, str | None]:
    """HTML for one output and, when it could not be shown here, a note saying what is missing."""
    kind = output.get("output_type")
    if kind == "stream":
        cls = "stderr" if output.get("name") == "stderr" else "stdout"
        return f'<pre class="output {cls}">{html.escape(_ANSI.sub("", _text(output["text"])))}</pre>', None
    if kind == "error":
        trace = _ANSI.sub("", "\n".join(output.get("traceback", [])))
        return f'<pre class="output error">{html.escape(trace)}</pre>', None
    data = output.get("data", {})
    if "text/html" in data:
        markup = _text(data["text/html"])
        if SLOT_RE.search(markup):
            return markup, None                              # a view, embedded later
        return f'<div class="output html">{rewrite_links(markup, pages)}</div>', None
    for mime in ("image/png", "image/jpeg"):
        if mime in data:
            meta = output.get("metadata", {}).get(mime, {})
            size = "".join(f' {k}="{int(meta[k])}"' for k in ("width", "height") if k in meta)
            alt = html.escape(_text(data.get("text/plain", "figure")).strip("<>"))
            return (f'<div class="output image"><img src="data:{mime};base64,'
                    f'{_text(data[mime]).strip()}"{size} alt="{alt}"></div>'), None
    if "image/svg+xml" in data:
        return f'<div class="output image">{_text(data["image/svg+xml"])}</div>', None
    if "text/markdown" in data:
        return f'<div class="output markdown">{markdown_to_html(_text(data["text/markdown"]), pages)}</div>', None
    if "text/latex" in data:
        tex = _text(data["text/latex"]).strip().strip("$")
        return f'<div class="output math">{latex_to_mathml(tex, display=True)}</div>', None
    if WIDGET_MIME in data:
        note = ("an interactive widget that needs a running Python kernel; open the notebook in "
                "JupyterLab to use it")
        return f'<p class="output note" role="note">Not on this static page: {note}.</p>', note
    if "text/plain" in data:
        return f'<pre class="output text">{html.escape(_text(data["text/plain"]))}</pre>', None
    return "", None


def first_heading(notebook) -> str:
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            m = re.search(r"^#{1,6}\s+(.+?)\s*#*\s*$", cell.source, re.M)
            if m:
                return m.group(1).strip()
    return ""


def render_cells(notebook, pages: set[str] = frozenset()) -> tuple[str, list[str]]:
    """The body of a page: every cell, in order, one sibling element each (class ``jp-Cell``
    too, as in JupyterLab, so a view's cell index on the page is its index in the notebook).
    Returns the markup and the notes."""
    parts, notes = [], []
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            parts.append(f'<section class="cell md jp-Cell">{markdown_to_html(cell.source, pages)}</section>')
        elif cell.cell_type == "code":
            outputs = []
            for output in cell.get("outputs", []):
                markup, note = render_output(output, pages)
                outputs.append(markup)
                if note:
                    notes.append(note)
            code = highlight(cell.source) if cell.source.strip() else ""
            out = f'<div class="outputs">{"".join(outputs)}</div>' if any(outputs) else ""
            parts.append(f'<section class="cell code jp-Cell">{code}{out}</section>')
        elif cell.cell_type == "raw":
            parts.append(f'<pre class="cell raw jp-Cell">{html.escape(cell.source)}</pre>')
    return "\n".join(parts), notes


def page_html(title: str, body: str, assets: dict[str, str], nav: str = "", footer: str = "") -> str:
    """A whole page: our CSS and the views' assets, the body, the renderer started on load."""
    css = [name for name in assets if name.endswith(".css")]
    links = "\n".join(f'<link rel="stylesheet" href="assets/{name}">' for name in [CSS_NAME, *css])
    js = [name for name in assets if name.endswith(".js")]
    module = next((n for n in js if n == "convcore-view.js"), js[0] if js else None)
    script = ""
    if module and "convcore-embed" in body:
        script = (f'<script type="module">import {{ hydrate }} from "./assets/{module}"; '
                  f'hydrate(document);</script>')
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>{html.escape(title)}</title>
<link rel="icon" href="data:,">
{links}
</head>
<body>
<nav class="site-nav" aria-label="suite">{nav}</nav>
<main class="notebook">
{body}
</main>
<footer class="site-foot">{footer}</footer>
{script}
</body>
</html>
"""


def _nav(pages: list[Page], i: int) -> tuple[str, str]:
    prev = pages[i - 1] if i > 0 else None
    nxt = pages[i + 1] if i + 1 < len(pages) else None
    links = ['<a href="index.html">convcore · the map</a>']
    if prev:
        links.append(f'<a href="{prev.file}" rel="prev">← {html.escape(prev.title)}</a>')
    if nxt:
        links.append(f'<a href="{nxt.file}" rel="next">{html.escape(nxt.title)} →</a>')
    nav = " <span aria-hidden='true'>·</span> ".join(links)
    return nav, nav


def index_html(pages: list[Page], assets: dict[str, str]) -> str:
    items = "\n".join(
        f'<li><a href="{p.file}">{html.escape(p.title)}</a></li>' for p in pages)
    body = f"""<section class="cell md">
<h1>convcore: convolutions, number by number</h1>
<p>The notebooks of the suite, executed once and saved as pages. The views step in your browser
(keys, Play, Prev/Next, build-up) from the numbers convcore recorded: no Python kernel, nothing
fetched from outside this site. To change the numbers, open the notebooks in JupyterLab.</p>
<ol class="map">
{items}
</ol>
</section>"""
    return page_html("convcore · the suite", body, assets, nav='<a href="index.html">convcore · the map</a>')


# --------------------------------------------------------------------------- the build

def view_budget(page_budget: int, rest: int, n_views: int) -> int:
    """An equal share for each view of what the rest of the page leaves (at most VIEW_BUDGET)."""
    if n_views == 0:
        return 0
    share = (page_budget - rest - PAGE_MARGIN) // n_views
    if share <= 0:
        raise BudgetError(f"the page is {rest / 1e6:.2f} MB before its {n_views} view(s), no room "
                          f"left in its {page_budget / 1e6:g} MB budget")
    return min(VIEW_BUDGET, share)


def _static_assets() -> dict[str, str]:
    try:
        from convcore.views import static_assets
    except ImportError:
        return {}
    return static_assets()


def build_page(source: Path, build, pages: set[str], page_budget: int = PAGE_BUDGET) -> tuple[Page, str]:
    """Execute one source and render its body (views embedded). Returns the page and its body."""
    t0 = time.perf_counter()
    notebook = build.read_source(source)
    page = Page(source.stem, first_heading(notebook) or source.stem)
    with _Run(notebook, source.parent.parent) as run:
        run.execute()
        body, notes = render_cells(notebook, pages)
        n_views = len(SLOT_RE.findall(body))
        if n_views:
            try:
                page.view_budget = view_budget(page_budget, len(body.encode()), n_views)
            except BudgetError as error:
                raise BudgetError(f"{page.file}: {error}") from None
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / "views.json"
                run.run(EPILOGUE.format(path=str(path), budget=page.view_budget))
                embeds = json.loads(path.read_text(encoding="utf-8"))
            body = SLOT_RE.sub(lambda m: embeds[int(m.group(1))]["html"], body)
            page.unbudgeted = sum(not e["budgeted"] for e in embeds)
    page.views = n_views
    page.notes = notes
    page.seconds = time.perf_counter() - t0
    return page, body


def check_budgets(files: dict[str, int], page_budget: int = PAGE_BUDGET, site_budget: int = SITE_BUDGET) -> None:
    over = {name: size for name, size in files.items() if name.endswith(".html") and size > page_budget}
    if over:
        raise BudgetError("over the page budget of {:g} MB: {}".format(
            page_budget / 1e6, ", ".join(f"{n} is {s / 1e6:.2f} MB" for n, s in over.items())))
    total = sum(files.values())
    if total > site_budget:
        raise BudgetError(f"the site is {total / 1e6:.2f} MB, over its budget of {site_budget / 1e6:g} MB")


def build_site(outdir: Path | str, notebooks: Path | str = NOTEBOOKS, names: list[str] | None = None,
               page_budget: int = PAGE_BUDGET, site_budget: int = SITE_BUDGET, log=print) -> Site:
    """Execute every notebook source in reading order and write the site into ``outdir``.

    Parameters
    ----------
    outdir : where ``index.html``, one ``NN-name.html`` per notebook and ``assets/`` go.
    notebooks : the folder holding ``build.py`` and ``src/*.md`` (the suite's by default).
    names : only the sources whose stem contains one of these (all when None).
    page_budget, site_budget : bytes; a page or site over them raises ``BudgetError``.
    """
    t0 = time.perf_counter()
    outdir, notebooks = Path(outdir), Path(notebooks)
    build = _build_module(notebooks)
    sources = [s for s in build.source_paths() if not names or any(n in s.stem for n in names)]
    stems = {s.stem for s in sources}
    assets = _static_assets()
    pages, bodies = [], []
    for source in sources:
        page, body = build_page(source, build, stems, page_budget)
        if log:
            log(f"  executed {source.name}: {page.views} view(s), {page.seconds:.1f} s")
        pages.append(page)
        bodies.append(body)
    for i, (page, body) in enumerate(zip(pages, bodies)):
        nav, foot = _nav(pages, i)
        page.html = page_html(f"{page.title} · convcore", body, assets, nav, foot)

    out = {p.file: p.html for p in pages}
    out["index.html"] = index_html(pages, assets)
    out[f"assets/{CSS_NAME}"] = SITE_CSS
    out.update({f"assets/{name}": text for name, text in assets.items()})
    files = {name: len(text.encode()) for name, text in out.items()}
    check_budgets(files, page_budget, site_budget)        # before anything is written
    outdir.mkdir(parents=True, exist_ok=True)
    for name, text in out.items():
        path = outdir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return Site(outdir, pages, files, time.perf_counter() - t0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m convcore.site", description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir", type=Path, help="folder to write the site into")
    parser.add_argument("names", nargs="*", help="only these notebooks (e.g. 02 07); all by default")
    parser.add_argument("--notebooks", type=Path, default=NOTEBOOKS, help="the suite's notebooks folder")
    parser.add_argument("--page-budget", type=float, default=PAGE_BUDGET / 1e6, metavar="MB",
                        help="largest page allowed (default %(default)g)")
    parser.add_argument("--site-budget", type=float, default=SITE_BUDGET / 1e6, metavar="MB",
                        help="largest site allowed (default %(default)g)")
    args = parser.parse_args(argv)
    try:
        site = build_site(args.outdir, args.notebooks, args.names or None,
                          int(args.page_budget * 1e6), int(args.site_budget * 1e6))
    except BudgetError as error:
        print(f"convcore.site: {error}; nothing written", file=sys.stderr)
        return 1
    print(site.summary())
    for page in site.pages:
        for note in dict.fromkeys(page.notes):
            print(f"note: {page.file}: {page.notes.count(note)}× {note}")
    return 0


# --------------------------------------------------------------------------- the page's look

# JupyterLab's own variable names, so a view drawn on this page takes the same colours it takes in
# JupyterLab Light / Dark. Every text colour here reaches 4.5:1 on the backgrounds it is used on
# (the browser test measures it in both schemes).
SITE_CSS = """\
:root {
  color-scheme: light;
  --jp-layout-color0: #ffffff;
  --jp-layout-color1: #ffffff;
  --jp-layout-color2: #eeeeee;
  --jp-layout-color3: #bdbdbd;
  --jp-border-color0: #bdbdbd;
  --jp-border-color1: #d0d0d0;
  --jp-border-color2: #e0e0e0;
  --jp-content-font-color0: #000000;
  --jp-content-font-color1: #1f1f1f;
  --jp-content-font-color2: #4d4d4d;
  --jp-content-font-color3: #5e5e5e;
  --jp-ui-font-color0: #000000;
  --jp-ui-font-color1: #1f1f1f;
  --jp-ui-font-color2: #4d4d4d;
  --jp-ui-font-color3: #5e5e5e;
  --jp-content-link-color: #0b57a4;
  --jp-brand-color1: #1565c0;
  --jp-cell-editor-background: #f5f5f5;
  --jp-cell-editor-border-color: #e0e0e0;
  --jp-rendermime-error-background: #fdeded;
  --jp-error-color1: #b71c1c;
  --jp-warn-color1: #8a4b00;
  --jp-content-font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
  --jp-ui-font-family: var(--jp-content-font-family);
  --jp-code-font-family: "DejaVu Sans Mono", Menlo, Consolas, "Liberation Mono", monospace;
  --jp-content-font-size1: 16px;
  --jp-code-font-size: 14px;
  /* code colours (pygments' short classes), each >= 4.5:1 on --jp-cell-editor-background */
  --site-code-keyword: #7a1f8f;
  --site-code-name: #1f1f1f;
  --site-code-builtin: #00636b;
  --site-code-string: #a11d12;
  --site-code-number: #116329;
  --site-code-comment: #575757;
  --site-code-operator: #5c3d00;
  --site-code-def: #0b4f9c;
}
@media (prefers-color-scheme: dark) {
  :root {
    color-scheme: dark;
    --jp-layout-color0: #111111;
    --jp-layout-color1: #1a1a1a;
    --jp-layout-color2: #2a2a2a;
    --jp-layout-color3: #555555;
    --jp-border-color0: #666666;
    --jp-border-color1: #4a4a4a;
    --jp-border-color2: #333333;
    --jp-content-font-color0: #ffffff;
    --jp-content-font-color1: #e6e6e6;
    --jp-content-font-color2: #bdbdbd;
    --jp-content-font-color3: #a6a6a6;
    --jp-ui-font-color0: #ffffff;
    --jp-ui-font-color1: #e6e6e6;
    --jp-ui-font-color2: #bdbdbd;
    --jp-ui-font-color3: #a6a6a6;
    --jp-content-link-color: #8ab4f8;
    --jp-brand-color1: #64b5f6;
    --jp-cell-editor-background: #1e1e1e;
    --jp-cell-editor-border-color: #333333;
    --jp-rendermime-error-background: #3b1d1d;
    --jp-error-color1: #ff8a80;
    --jp-warn-color1: #ffcc80;
    --site-code-keyword: #d7a6ff;
    --site-code-name: #e6e6e6;
    --site-code-builtin: #6fd6de;
    --site-code-string: #ffa198;
    --site-code-number: #7ee787;
    --site-code-comment: #a6a6a6;
    --site-code-operator: #f0c674;
    --site-code-def: #8ab4f8;
  }
}
html { background: var(--jp-layout-color0); color: var(--jp-content-font-color1); }
body {
  margin: 0; font-family: var(--jp-content-font-family); font-size: var(--jp-content-font-size1);
  line-height: 1.6; background: var(--jp-layout-color0); color: var(--jp-content-font-color1);
}
.site-nav, .site-foot {
  max-width: 60rem; margin: 0 auto; padding: 0.75rem 1.25rem; font-size: 0.9rem;
  color: var(--jp-content-font-color2);
}
.site-nav { border-bottom: 1px solid var(--jp-border-color2); }
.site-foot { border-top: 1px solid var(--jp-border-color2); margin-top: 2rem; }
main.notebook { max-width: 60rem; margin: 0 auto; padding: 0.5rem 1.25rem 2rem; }
a { color: var(--jp-content-link-color); }
a:focus-visible, button:focus-visible, input:focus-visible { outline: 2px solid var(--jp-brand-color1); outline-offset: 2px; }
h1, h2, h3, h4 { line-height: 1.25; color: var(--jp-content-font-color0); margin: 1.6em 0 0.5em; }
h1 { font-size: 2rem; margin-top: 0.8em; }
h2 { font-size: 1.45rem; border-bottom: 1px solid var(--jp-border-color2); padding-bottom: 0.2em; }
h3 { font-size: 1.15rem; }
.anchor-link { margin-left: 0.35em; text-decoration: none; color: var(--jp-content-font-color3); opacity: 0; }
:is(h1, h2, h3, h4):hover .anchor-link, .anchor-link:focus { opacity: 1; }
.cell { margin: 0.9rem 0; }
/* A page holds a whole notebook. Cells out of sight are skipped until they scroll near, so a
   step drawn in a view costs style, layout and paint for what is on screen, not for the page
   (bench_site.py measures it). "auto" remembers each cell's size once it has been drawn. */
.cell { content-visibility: auto; contain-intrinsic-size: auto 10rem; }
.cell.md p, .cell.md li { max-width: 46rem; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 0.95rem; }
th, td { border: 1px solid var(--jp-border-color1); padding: 0.35rem 0.6rem; text-align: left; vertical-align: top; }
th { background: var(--jp-layout-color2); }
code, pre { font-family: var(--jp-code-font-family); font-size: var(--jp-code-font-size); }
:not(pre) > code { background: var(--jp-layout-color2); padding: 0.05em 0.3em; border-radius: 3px; }
pre { margin: 0; padding: 0.7rem 0.9rem; overflow-x: auto; line-height: 1.45; white-space: pre; }
pre.code {
  background: var(--jp-cell-editor-background); border: 1px solid var(--jp-cell-editor-border-color);
  border-radius: 4px; color: var(--jp-content-font-color1);
}
.cell.code > pre.code { border-left: 3px solid var(--jp-brand-color1); }
.outputs { margin-top: 0.35rem; padding-left: 0.2rem; overflow-x: auto; }
pre.output { padding: 0.35rem 0.9rem; background: none; color: var(--jp-content-font-color1); }
pre.output.stderr, p.output.note {
  background: var(--jp-rendermime-error-background); color: var(--jp-content-font-color1);
  border-radius: 4px;
}
pre.output.error { background: var(--jp-rendermime-error-background); color: var(--jp-content-font-color1); }
p.output.note { padding: 0.5rem 0.9rem; border-left: 3px solid var(--jp-warn-color1); }
.output.image img { max-width: 100%; height: auto; background: #ffffff; }
math { font-size: 1.1em; font-family: "STIX Two Math", "Cambria Math", "Latin Modern Math", "DejaVu Math TeX Gyre", math; }
math[display="block"] { margin: 0.8rem 0; overflow-x: auto; }
.tex-error { color: var(--jp-error-color1); }
ol.map { list-style: none; padding: 0; font-size: 1.1rem; }
ol.map li { padding: 0.45rem 0; border-bottom: 1px solid var(--jp-border-color2); }
/* pygments' short token classes */
.hl .k, .hl .kn, .hl .kc, .hl .kd, .hl .kr, .hl .ow, .hl .kp { color: var(--site-code-keyword); font-weight: 600; }
.hl .n, .hl .nn, .hl .na, .hl .nv { color: var(--site-code-name); }
.hl .nb, .hl .bp, .hl .nd { color: var(--site-code-builtin); }
.hl .nf, .hl .nc { color: var(--site-code-def); }
.hl .s, .hl .s1, .hl .s2, .hl .sa, .hl .sb, .hl .sd, .hl .se, .hl .si, .hl .sh, .hl .sx, .hl .dl, .hl .sr, .hl .ss { color: var(--site-code-string); }
.hl .m, .hl .mi, .hl .mf, .hl .mh, .hl .mo, .hl .il { color: var(--site-code-number); }
.hl .c, .hl .c1, .hl .cm, .hl .ch, .hl .cs, .hl .cp, .hl .cpf { color: var(--site-code-comment); font-style: italic; }
.hl .o { color: var(--site-code-operator); }
.hl .p, .hl .w, .hl .err { color: var(--jp-content-font-color1); }
@media (max-width: 40rem) { main.notebook { padding: 0.25rem 0.75rem 1.5rem; } h1 { font-size: 1.6rem; } }
"""

if __name__ == "__main__":
    sys.exit(main())
