"""A static site of a folder of notebooks: ``python -m convcore.site OUTDIR [--notebooks DIR]``.

Each notebook (``*.ipynb``, in name order; the repository's ``notebooks/`` by default) is executed
by nbclient in a fresh kernel, in the notebook's folder, with ``CONVCORE_VIEWS=static``, so every
view displays as a self-contained HTML embed (``convcore.views.embed_html``: its steps as data,
drawn in the browser by the views' assets). nbconvert's ``HTMLExporter`` renders each page with
our template (``templates/convcore``, on nbconvert's lab template) and ``site.css``; maths becomes
MathML when the site is built. ``OUTDIR/index.html`` is the map, one line per notebook. Nothing
on a page asks for anything outside the site: no CDN, no web fonts, no kernel.

Budgets: every page at most 5 MB and the whole site at most 40 MB. The views of a page share
what the rest of the page leaves (an equal share each, at most ``VIEW_BUDGET``; ``kernel.py``
holds them until the share is known). The site is built in a folder beside OUTDIR and moved into
place only when all of it is ready: a notebook that raises, no notebooks or a page over budget
stop the build with a ``SiteError`` and leave OUTDIR as it was.

Course-layer code: it uses convcore.views; nothing in the library imports it.
"""
from __future__ import annotations

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
SLOT_RE = re.compile(r'<div class="convcore-site-slot" data-slot="(\d+)"></div>')
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
WIDGET_NOTE = ("an interactive widget that needs a running Python kernel; open the notebook in "
               "JupyterLab to use it")
NOTE_HTML = f'<p class="site-note" role="note">Not on this static page: {WIDGET_NOTE}.</p>'
PRIORITY = ["text/html", "text/markdown", "image/svg+xml", "text/latex", "image/png", "image/jpeg",
            "text/plain"]                 # nbconvert's, without widgets (see NOTE_HTML) and scripts


class SiteError(RuntimeError):
    """The site cannot be built (no notebooks, a notebook that raises, over budget)."""


class BudgetError(SiteError):
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
                         + (f"   {len(p.notes)} output(s) not shown" if p.notes else "")
                         + (f"   {p.unbudgeted} view display(s) kept as displayed" if p.unbudgeted else ""))
        pages = {p.file for p in self.pages}
        lines += [f"{n:<34}{s / 1000:>9.1f}" for n, s in sorted(self.files.items()) if n not in pages]
        lines.append(f"{len(self.files)} files, {len(self.pages)} notebook pages, total "
                     f"{self.total / 1e6:.2f} MB (budgets: {PAGE_BUDGET / 1e6:g} MB a page, "
                     f"{SITE_BUDGET / 1e6:g} MB the site), built in {self.seconds:.0f} s into {self.outdir}")
        return "\n".join(lines)


# --------------------------------------------------------------------------- markdown, maths, links

def latex_to_mathml(tex: str, display: bool = False) -> str:
    """MathML for one formula; a formula latex2mathml cannot read stays as its source, marked."""
    from latex2mathml.converter import convert

    try:
        return convert(tex.strip(), display="block" if display else "inline")
    except Exception as error:  # noqa: BLE001  (any parser failure: show the source, say so)
        return (f'<code class="tex-error" title="not converted: {html.escape(str(error))}">'
                f'{html.escape(tex)}</code>')


def _markdown(attachments=None):
    """nbconvert's Markdown (headings with anchors, code highlighted), maths as MathML."""
    from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

    class Renderer(IPythonRenderer):
        def block_math(self, body):
            return latex_to_mathml(body, display=True)

        def inline_math(self, body):
            return latex_to_mathml(body)

        def latex_environment(self, name, body):
            return latex_to_mathml(f"\\begin{{{name}}}{body}\\end{{{name}}}", display=True)

    return MarkdownWithMath(renderer=Renderer(escape=False, attachments=attachments, anchor_link_text="¶"))


def markdown_to_html(text: str, pages: set[str] = frozenset()) -> str:
    return rewrite_links(_markdown().render(text), pages)


_NOTEBOOK_LINK = re.compile(r'(href=")(?![a-z][a-z0-9+.-]*:|/|#)([^"#?]+?)\.ipynb([#?][^"]*)?"', re.I)


def rewrite_links(markup: str, pages: set[str] = frozenset()) -> str:
    """``href="03-1x1-convolution.ipynb#x"`` -> ``href="03-1x1-convolution.html#x"`` for the
    notebooks in ``pages`` (stems; all relative ``.ipynb`` links when empty)."""
    def swap(m):
        if pages and m.group(2) not in pages:
            return m.group(0)
        return f'{m.group(1)}{m.group(2)}.html{m.group(3) or ""}"'
    return _NOTEBOOK_LINK.sub(swap, markup)


def first_heading(notebook) -> str:
    for cell in notebook.cells:
        m = re.search(r"^#{1,6}\s+(.+?)\s*#*\s*$", cell.source, re.M) if cell.cell_type == "markdown" else None
        if m:
            return m.group(1).strip()
    return ""


def _exporter():
    """nbconvert's HTMLExporter with our template (``templates/convcore``) and MathML."""
    from jinja2 import pass_context
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    class Exporter(HTMLExporter):
        @pass_context
        def markdown2html(self, context, source):
            return _markdown(context.get("cell", {}).get("attachments", {})).render(source)

    exporter = Exporter(config=Config({"NbConvertBase": {"display_data_priority": PRIORITY}}),
                        template_name="convcore", extra_template_basedirs=[str(HERE / "templates")],
                        exclude_input_prompt=True, exclude_output_prompt=True)
    exporter.register_filter("mathml", lambda tex: latex_to_mathml(tex.strip().strip("$"), display=True))
    return exporter


# --------------------------------------------------------------------------- budgets

def view_budget(page_budget: int, rest: int, n_views: int) -> int:
    """An equal share for each view of what the rest of the page leaves (at most VIEW_BUDGET)."""
    if n_views == 0:
        return 0
    share = (page_budget - rest - PAGE_MARGIN) // n_views
    if share <= 0:
        raise BudgetError(f"the page is {rest / 1e6:.2f} MB before its {n_views} view(s), no room "
                          f"left in its {page_budget / 1e6:g} MB budget")
    return min(VIEW_BUDGET, share)


def check_budgets(files: dict[str, int], page_budget: int = PAGE_BUDGET, site_budget: int = SITE_BUDGET) -> None:
    over = {name: size for name, size in files.items() if name.endswith(".html") and size > page_budget}
    if over:
        raise BudgetError("over the page budget of {:g} MB: {}".format(
            page_budget / 1e6, ", ".join(f"{n} is {s / 1e6:.2f} MB" for n, s in over.items())))
    total = sum(files.values())
    if total > site_budget:
        raise BudgetError(f"the site is {total / 1e6:.2f} MB, over its budget of {site_budget / 1e6:g} MB")


# --------------------------------------------------------------------------- the build

def _static_assets() -> dict[str, str]:
    from convcore.views import static_assets
    return static_assets()


def find_notebooks(folder: Path | str | None = None) -> list[Path]:
    """``folder/*.ipynb`` in name order; by default the ``notebooks/`` folder of the current
    directory, or of the repository this package sits in."""
    if folder is None:
        near = [Path.cwd() / "notebooks", HERE.parents[1] / "notebooks"]
        folder = next((d for d in near if any(d.glob("*.ipynb"))), near[0])
    found = sorted(Path(folder).glob("*.ipynb"))
    if not found:
        raise SiteError(f"no notebooks (*.ipynb) in {folder}")
    return found


def _one_line(error: Exception) -> str:
    text = (f"{error.ename}: {error.evalue}" if hasattr(error, "ename")
            else f"{type(error).__name__}: {error}")
    return (text.strip().splitlines() or [text])[0]


def build_page(path: Path, notebook, exporter, site: dict, stems: set[str],
               page_budget: int = PAGE_BUDGET) -> Page:
    """Execute one notebook (its kernel up until its views are embedded) and render its page."""
    import nbformat
    from nbclient import NotebookClient

    t0 = time.perf_counter()
    page = Page(path.stem, first_heading(notebook) or path.stem)
    notebook.metadata.setdefault("language_info", {"name": "python"})
    client = NotebookClient(notebook, timeout=600, kernel_name="python3", record_timing=False,
                            extra_arguments=["--ext=convcore.site.kernel"],
                            resources={"metadata": {"path": str(path.parent)}})
    env = dict(os.environ, CONVCORE_VIEWS="static")
    env.pop("MPLBACKEND", None)                # the kernel picks the inline backend itself
    with client.setup_kernel(env=env):
        for index, cell in enumerate(notebook.cells):
            try:
                if cell.cell_type == "code":
                    client.execute_cell(cell, index)
            except Exception as error:  # noqa: BLE001  (an error, a timeout, a dead kernel)
                raise SiteError(f"{path.name}, cell {index + 1}: {_one_line(error)}") from None
        outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
        for output in (o for o in outputs if WIDGET_MIME in o.get("data", {})):
            output.data = {"text/html": NOTE_HTML}
            page.notes.append(WIDGET_NOTE)
        hydrate = any("convcore-" in str(o.get("data", {}).get("text/html", "")) for o in outputs)
        site = dict(site, title=f"{page.title} · convcore", module=hydrate and site["module"])
        markup = rewrite_links(exporter.from_notebook_node(notebook, resources={"site": site})[0], stems)
        page.views = len(SLOT_RE.findall(markup))
        if page.views:
            try:
                page.view_budget = view_budget(page_budget, len(markup.encode()), page.views)
            except BudgetError as error:
                raise BudgetError(f"{page.file}: {error}") from None
            notebook.cells.append(nbformat.v4.new_code_cell(f"%convcore_site_embed {page.view_budget}"))
            try:
                cell = client.execute_cell(notebook.cells[-1], len(notebook.cells) - 1, store_history=False)
            except Exception as error:  # noqa: BLE001
                raise SiteError(f"{path.name}, embedding its views: {_one_line(error)}") from None
            finally:
                notebook.cells.pop()
            embeds = cell.outputs[0]["data"]["application/json"]["embeds"]
            markup = SLOT_RE.sub(lambda m: embeds[int(m.group(1))]["html"], markup)
            page.unbudgeted = sum(not e["budgeted"] for e in embeds)
    page.html = markup
    page.seconds = time.perf_counter() - t0
    return page


def _write(outdir: Path, out: dict[str, str]) -> None:
    """Write the site into a folder beside ``outdir``, then put it in ``outdir``'s place."""
    outdir.parent.mkdir(parents=True, exist_ok=True)
    tmp, old = (outdir.with_name(f".{outdir.name}.{what}-{os.getpid()}") for what in ("new", "old"))
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        for name, text in out.items():
            (tmp / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp / name).write_text(text, encoding="utf-8")
        if outdir.exists():
            outdir.rename(old)
        tmp.rename(outdir)
    except BaseException:
        if old.exists() and not outdir.exists():
            old.rename(outdir)
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)


def build_site(outdir: Path | str, notebooks: Path | str | None = None, names: list[str] | None = None,
               page_budget: int = PAGE_BUDGET, site_budget: int = SITE_BUDGET, log=print) -> Site:
    """Execute every notebook of ``notebooks`` (see ``find_notebooks``; only those whose name
    contains one of ``names`` when given) and write the site into ``outdir``: ``index.html``, one
    ``NAME.html`` per notebook and ``assets/``. Raises ``SiteError`` (``BudgetError``) and leaves
    ``outdir`` as it was when the site cannot be built whole."""
    import nbformat

    t0, outdir = time.perf_counter(), Path(outdir)
    if outdir.is_dir() and any(outdir.iterdir()) and not (outdir / "assets" / CSS_NAME).is_file():
        raise SiteError(f"{outdir} holds files that are not a site built here; not replacing them")
    paths = [p for p in find_notebooks(notebooks) if not names or any(n in p.stem for n in names)]
    if not paths:
        raise SiteError(f"no notebook's name contains any of {names}")
    books = [nbformat.read(p, as_version=4) for p in paths]
    titles = [first_heading(nb) or p.stem for p, nb in zip(paths, books)]
    assets = _static_assets()
    js = [n for n in assets if n.endswith(".js")]
    site = {"css": [CSS_NAME, *(n for n in assets if n.endswith(".css"))], "map": [],
            "module": "convcore-view.js" if "convcore-view.js" in assets else next(iter(js), "")}
    home = ("index.html", "convcore · the map", "")
    exporter, pages = _exporter(), []
    for i, (path, notebook) in enumerate(zip(paths, books)):
        nav = [home] + [(paths[j].stem + ".html", text.format(titles[j]), rel)
                        for j, text, rel in ((i - 1, "← {}", "prev"), (i + 1, "{} →", "next"))
                        if 0 <= j < len(paths)]
        pages.append(build_page(path, notebook, exporter, dict(site, nav=nav), {p.stem for p in paths},
                                page_budget))
        if log:
            log(f"  executed {path.name}: {pages[-1].views} view(s), {pages[-1].seconds:.1f} s")
    out = {p.file: p.html for p in pages}
    out["index.html"] = exporter.from_notebook_node(nbformat.v4.new_notebook(), resources={"site": dict(
        site, title="convcore · the suite", nav=[home], module="", map=[(p.file, p.title) for p in pages])})[0]
    out[f"assets/{CSS_NAME}"] = SITE_CSS
    out.update({f"assets/{name}": text for name, text in assets.items()})
    files = {name: len(text.encode()) for name, text in out.items()}
    check_budgets(files, page_budget, site_budget)
    _write(outdir, out)
    return Site(outdir, pages, files, time.perf_counter() - t0)
