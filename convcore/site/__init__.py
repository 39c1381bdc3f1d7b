"""A static site of a folder of notebooks: ``python -m convcore.site OUTDIR [--notebooks DIR]``.

nbclient runs each notebook in its folder with ``CONVCORE_VIEWS=static`` (views display as
``convcore.views.embed_html``; ``kernel.py`` holds them until each view's share of the page's budget
is known); nbconvert's ``HTMLExporter`` renders pages with ``templates/convcore`` and ``site.css``,
maths as MathML. The site is written beside OUTDIR, moved into place once whole; no notebooks, a
notebook that raises or a page over budget raise ``SiteError``. Course layer: nothing in the library
imports it."""
import html
import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

PAGE_BUDGET = 5_000_000     # bytes per page
SITE_BUDGET = 40_000_000    # bytes for the whole site
VIEW_BUDGET = 2_000_000     # at most this per view, however empty the page (embed_html's default)
PAGE_MARGIN = 20_000        # left free on every page (the embeds' markup around their data)
HERE = Path(__file__).resolve().parent
CSS_NAME = "site.css"
SITE_CSS = (HERE / CSS_NAME).read_text(encoding="utf-8")
NOTEBOOK_LINK = re.compile(r'(href=")(?![a-z][a-z0-9+.-]*:|/|#)([^"#?]+?)\.ipynb([#?][^"]*)?"', re.I)
SLOT_RE = re.compile(r'<div class="convcore-site-slot" data-slot="(\d+)"></div>')
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
WIDGET_NOTE = "an interactive widget that needs a running Python kernel; open the notebook in JupyterLab to use it"
NOTE_HTML = f'<p class="site-note" role="note">Not on this static page: {WIDGET_NOTE}.</p>'
# nbconvert's order of preference, without widgets (NOTE_HTML instead) and scripts
PRIORITY = ["text/html", "text/markdown", "image/svg+xml", "text/latex", "image/png", "image/jpeg", "text/plain"]


class SiteError(RuntimeError):
    """The site cannot be built (no notebooks, a notebook that raises, over budget)."""


class BudgetError(SiteError):
    """A page or the whole site is larger than its budget."""


@dataclass
class Page:
    name: str                      # "02-conv2d-channels"
    title: str                     # the notebook's first heading
    html: str = ""
    views: int = 0                 # views embedded on the page
    notes: list[str] = field(default_factory=list)   # what the page could not show
    view_budget: int | None = None
    unbudgeted: int = 0            # displays holding a view kept as displayed (no share of the budget)
    seconds: float = 0.0
    file = property(lambda self: self.name + ".html")


@dataclass
class Site:
    outdir: Path
    pages: list[Page]
    files: dict[str, int]          # path relative to outdir -> bytes
    seconds: float
    total = property(lambda self: sum(self.files.values()))


def latex_to_mathml(tex: str, display: bool = False) -> str:
    """MathML for one formula; a formula latex2mathml cannot read stays as its source, marked."""
    from latex2mathml.converter import convert

    try:
        return convert(tex.strip(), display="block" if display else "inline")
    except Exception as error:  # noqa: BLE001  (any parser failure: show the source, say so)
        return f'<code class="tex-error" title="not converted: {html.escape(str(error))}">{html.escape(tex)}</code>'


def markdown_to_html(text: str, attachments: dict | None = None) -> str:
    """nbconvert's Markdown (headings with anchors, code highlighted), maths as MathML."""
    from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

    renderer = type("Renderer", (IPythonRenderer,), {
        "block_math": lambda self, tex: latex_to_mathml(tex, display=True),
        "inline_math": lambda self, tex: latex_to_mathml(tex),
        "latex_environment": lambda self, env, tex: latex_to_mathml(f"\\begin{{{env}}}{tex}\\end{{{env}}}", True)})
    return MarkdownWithMath(renderer=renderer(escape=False, attachments=attachments, anchor_link_text="¶")
                            ).render(text)


def rewrite_links(markup: str, pages: set[str] = frozenset()) -> str:
    """``href="03-1x1-convolution.ipynb#x"`` -> ``href="03-1x1-convolution.html#x"`` for the
    notebooks in ``pages`` (stems; all relative ``.ipynb`` links when empty)."""
    return NOTEBOOK_LINK.sub(lambda m: m.group(0) if pages and m.group(2) not in pages
                              else f'{m.group(1)}{m.group(2)}.html{m.group(3) or ""}"', markup)


def first_heading(notebook) -> str:
    found = (re.search(r"^#+\s+(.+?)\s*#*\s*$", c.source, re.M) for c in notebook.cells if c.cell_type == "markdown")
    return next((m.group(1).strip() for m in found if m), "")


def _exporter():
    """nbconvert's HTMLExporter with our template (``templates/convcore``), maths as MathML."""
    from jinja2 import pass_context
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    markdown = pass_context(lambda context, text: markdown_to_html(text, context.get("cell", {}).get("attachments")))
    return HTMLExporter(config=Config({"NbConvertBase": {"display_data_priority": PRIORITY}}),
                        template_name="convcore", extra_template_basedirs=[str(HERE / "templates")],
                        exclude_input_prompt=True, exclude_output_prompt=True, filters={
                            "markdown2html": markdown,
                            "mathml": lambda tex: latex_to_mathml(tex.strip().strip("$"), display=True)})


def view_budget(page_budget: int, rest: int, n_views: int) -> int:
    """An equal share for each view of what the rest of the page leaves (at most VIEW_BUDGET)."""
    share = (page_budget - rest - PAGE_MARGIN) // max(n_views, 1)
    if n_views and share <= 0:
        raise BudgetError(f"the page is {rest / 1e6:.2f} MB before its {n_views} view(s), no room "
                          f"left in its {page_budget / 1e6:g} MB budget")
    return min(VIEW_BUDGET, share) if n_views else 0


def check_budgets(files: dict[str, int], page_budget: int = PAGE_BUDGET, site_budget: int = SITE_BUDGET) -> None:
    over = [f"{n} is {s / 1e6:.2f} MB" for n, s in files.items() if n.endswith(".html") and s > page_budget]
    if over:
        raise BudgetError(f"over the page budget of {page_budget / 1e6:g} MB: {', '.join(over)}")
    if sum(files.values()) > site_budget:
        raise BudgetError(f"the site is {sum(files.values()) / 1e6:.2f} MB, over its {site_budget / 1e6:g} MB budget")


def find_notebooks(folder: Path | str | None = None) -> list[Path]:
    """``folder/*.ipynb`` in name order; by default ``./notebooks``'s, or the repository's."""
    if folder is None:
        near = [Path.cwd() / "notebooks", HERE.parents[1] / "notebooks"]
        folder = next((d for d in near if any(d.glob("*.ipynb"))), near[0])
    if not (found := sorted(Path(folder).glob("*.ipynb"))):
        raise SiteError(f"no notebooks (*.ipynb) in {folder}")
    return found


def _run(client, cell, index: int, where: str):
    try:
        return client.execute_cell(cell, index)
    except Exception as error:  # noqa: BLE001  (an error, a timeout, a dead kernel: its first line)
        text = f"{error.ename}: {error.evalue}" if hasattr(error, "ename") else f"{type(error).__name__}: {error}"
        raise SiteError(f"{where}: {(text.strip().splitlines() or [''])[0]}") from None


def build_page(path: Path, notebook, title: str, exporter, site: dict, stems: set[str], page_budget: int) -> Page:
    """Execute one notebook (its kernel up until its views are embedded) and render its page."""
    import nbformat
    from nbclient import NotebookClient

    t0, page = time.perf_counter(), Page(path.stem, title)
    client = NotebookClient(notebook, timeout=600, kernel_name="python3", record_timing=False,
                            extra_arguments=["--ext=convcore.site.kernel"],
                            resources={"metadata": {"path": str(path.parent)}})
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}   # the kernel picks inline itself
    with client.setup_kernel(env=dict(env, CONVCORE_VIEWS="static")):
        for index, cell in enumerate(notebook.cells):
            if cell.cell_type == "code":
                _run(client, cell, index, f"cell {index + 1}")
        outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
        for output in (o for o in outputs if WIDGET_MIME in o.get("data", {})):
            output.data = {"text/html": NOTE_HTML}
            page.notes.append(WIDGET_NOTE)
        views = any("convcore-" in str(o.get("data", {}).get("text/html", "")) for o in outputs)
        site = dict(site, title=f"{page.title} · convcore", module=views and site["module"])
        markup = rewrite_links(exporter.from_notebook_node(notebook, resources={"site": site})[0], stems)
        page.views = len(SLOT_RE.findall(markup))
        if page.views:
            page.view_budget = view_budget(page_budget, len(markup.encode()), page.views)
            notebook.cells.append(nbformat.v4.new_code_cell(f"%convcore_site_embed {page.view_budget}"))
            embeds = _run(client, notebook.cells[-1], len(notebook.cells) - 1, "embedding its views"
                          ).outputs[0]["data"]["application/json"]["embeds"]
            notebook.cells.pop()
            markup = SLOT_RE.sub(lambda m: embeds[int(m.group(1))]["html"], markup)
            page.unbudgeted = sum(not e["budgeted"] for e in embeds)
    page.html, page.seconds = markup, time.perf_counter() - t0
    return page


def build_site(outdir: Path | str, notebooks: Path | str | None = None, names: list[str] | None = None,
               page_budget: int = PAGE_BUDGET, site_budget: int = SITE_BUDGET, log=print) -> Site:
    """Execute ``find_notebooks(notebooks)`` (only names containing one of ``names``), write ``outdir``:
    ``index.html``, ``NAME.html`` each, ``assets/``. Raises ``SiteError``, ``outdir`` untouched."""
    import nbformat

    from convcore.views import static_assets     # {filename: text}, written to assets/

    t0, outdir = time.perf_counter(), Path(outdir)
    if outdir.is_dir() and any(outdir.iterdir()) and not (outdir / "assets" / CSS_NAME).is_file():
        raise SiteError(f"{outdir} holds files that are not a site built here; not replacing them")
    if not (paths := [p for p in find_notebooks(notebooks) if not names or any(n in p.stem for n in names)]):
        raise SiteError(f"no notebook's name contains any of {names}")
    books = [nbformat.read(p, as_version=4) for p in paths]
    titles = [first_heading(nb) or p.stem for p, nb in zip(paths, books)]
    assets = static_assets()
    site = {"css": [CSS_NAME, *(n for n in assets if n.endswith(".css"))], "map": [], "module": "convcore-view.js"
            if "convcore-view.js" in assets else next((n for n in assets if n.endswith(".js")), "")}
    home, exporter, pages = ("index.html", "convcore · the map", ""), _exporter(), []
    for i, (path, notebook) in enumerate(zip(paths, books)):
        nav = [home] + [(paths[j].stem + ".html", text.format(titles[j]), rel) for j, text, rel
                        in ((i - 1, "← {}", "prev"), (i + 1, "{} →", "next")) if 0 <= j < len(paths)]
        try:
            pages.append(build_page(path, notebook, titles[i], exporter, dict(site, nav=nav),
                                    {p.stem for p in paths}, page_budget))
        except SiteError as error:
            raise type(error)(f"{path.name}, {error}") from None
        if log:
            log(f"  {path.name}: {pages[-1].views} view(s), {pages[-1].seconds:.1f} s"
                + "".join(f"\n    note: {n}" for n in dict.fromkeys(pages[-1].notes)))
    out = {p.file: p.html for p in pages}
    out["index.html"] = exporter.from_notebook_node(nbformat.v4.new_notebook(), resources={"site": dict(
        site, title="convcore · the suite", nav=[home], module="", map=[(p.file, p.title) for p in pages])})[0]
    out[f"assets/{CSS_NAME}"] = SITE_CSS
    out.update({f"assets/{name}": text for name, text in assets.items()})
    files = {name: len(text.encode()) for name, text in out.items()}
    check_budgets(files, page_budget, site_budget)
    tmp = outdir.with_name(f".{outdir.name}.new-{os.getpid()}")     # written whole, then moved
    try:
        for name, text in out.items():
            (tmp / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp / name).write_text(text, encoding="utf-8")
        shutil.rmtree(outdir, ignore_errors=True)     # a site built before (checked above)
        tmp.rename(outdir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return Site(outdir, pages, files, time.perf_counter() - t0)
