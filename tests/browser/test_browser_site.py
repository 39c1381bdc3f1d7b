"""The static site (``python -m convcore.site``), built once, served by a plain static server.

Every page is opened in Chromium with every request outside the server blocked and recorded:
none may be attempted, nothing may be logged as an error, every view on the page must be
hydrated by the renderer, and every text must reach WCAG AA contrast (4.5:1) in the light and
the dark scheme. Sizes are checked on disk against the budgets, and every link between the
pages must land on a page and an anchor that exist. Screenshots go to ``screenshots/site-*``.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

import browser_servers as servers
from browser_checks import check_present, exercise
from browser_driver import StaticPage
from browser_latency import summary, timed_presses
from browser_servers import serve

from convcore import site as builder

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

SOURCES = sorted(p.stem for p in (servers.NOTEBOOKS / "src").glob("*.md"))
PAGES = ["index", *SOURCES]


@pytest.fixture(scope="session")
def built_site(chromium, tmp_path_factory):
    """The whole suite, executed and written once per session."""
    return builder.build_site(tmp_path_factory.mktemp("site"), log=None)


@pytest.fixture(scope="session")
def site_url(built_site):
    with serve(built_site.outdir) as url:
        yield url


def _open(page, site_url, name) -> StaticPage:
    """The page, guarded, once the renderer has drawn every view on it (a timeout fails)."""
    site = StaticPage(page, site_url, servers.NOTEBOOKS / f"{name}.ipynb").open(f"{site_url}/{name}.html")
    site.run_all(15)
    return site


@pytest.mark.parametrize("name", PAGES)
def test_page_is_self_contained_hydrated_and_readable(page, site_url, name):
    site = _open(page, site_url, name)
    embeds = page.locator(".convcore-embed")
    n = embeds.count()
    if n:
        first = embeds.first
        latency = summary(timed_presses(page, first, first.locator("input[type=range]").first, 20))
        print(f"{name}.html view 0, key press to updated view: {latency}")
    counts = {}
    for scheme in ("light", "dark"):
        site.set_theme(scheme)
        site.screenshot(f"site-{name}-{scheme}", show="top")
        if n:
            site.screenshot(f"site-{name}-view-{scheme}", show=embeds.first)
        counts[scheme] = site.readable(label=f"{name}.html")
    print(f"{name}: {n} view(s); texts measured: light {counts['light']}, dark {counts['dark']}; "
          f"outside requests blocked: {len(site.blocked)}")
    assert not site.errors(), f"{name}.html:\n  " + "\n  ".join(site.errors())


@pytest.mark.parametrize("name", SOURCES)
def test_every_view_steps_with_convcore_numbers(page, site_url, name):
    """Every step view: keys, drag, Next/Prev, Play/Pause, position sliders, build-up, a click on
    an output cell and the reading switch, the screen checked against its record after each move
    (``browser_checks.exercise``); a view whose page holds only its first steps refuses to go past
    them and says why."""
    site = _open(page, site_url, name)
    views = site.views("main.notebook")
    for v in views:               # an explorer too: its settings pick among the combinations on the page
        label = f"{name}.html view {v.index} ({v.kind}, cell {v.cell})"
        # As a reader would: the site's cells out of sight are not laid out (content-visibility),
        # and a text not laid out has no innerText.
        v.root.scroll_into_view_if_needed()
        log = exercise(v, label) + check_present(site, v, f"site-{name}-view{v.index}")
        print(f"{label}:\n  " + "\n  ".join(log))
    print(f"{name}.html: {len(views)} step view(s) worked; outside requests blocked: {len(site.blocked)}")
    assert not site.errors(), f"{name}.html:\n  " + "\n  ".join(site.errors())


def test_every_view_of_the_suite_is_on_the_site(built_site):
    notes = {p.file: p.notes for p in built_site.pages if p.notes}
    assert not notes, f"outputs the static pages could not show: {notes}"
    assert sum(p.views for p in built_site.pages) > 0


def test_sizes_within_budget(built_site):
    out = built_site.outdir
    sizes = {str(p.relative_to(out)): p.stat().st_size for p in out.rglob("*") if p.is_file()}
    for name, size in sizes.items():
        if name.endswith(".html"):
            assert size <= builder.PAGE_BUDGET, f"{name} is {size / 1e6:.2f} MB"
    total = sum(sizes.values())
    print(f"site: {len(sizes)} files, {total / 1e6:.2f} MB; largest page "
          f"{max(s for n, s in sizes.items() if n.endswith('.html')) / 1e6:.2f} MB")
    assert total <= builder.SITE_BUDGET
    assert {f"{n}.html" for n in PAGES} <= set(sizes)


def test_links_between_pages_land(built_site):
    out: Path = built_site.outdir
    ids = {p.name: set(re.findall(r'\bid="([^"]+)"', p.read_text())) for p in out.glob("*.html")}
    broken = []
    for page in out.glob("*.html"):
        for href in re.findall(r'\bhref="([^"]+)"', page.read_text()):
            if re.match(r"[a-z][a-z0-9+.-]*:", href, re.I):
                continue                                   # data:, https: (links out, not requests)
            target, _, anchor = href.partition("#")
            target = target or page.name
            if target.startswith("assets/"):
                ok = (out / target).is_file()
            else:
                ok = target in ids and (not anchor or anchor in ids[target])
            if not ok:
                broken.append(f"{page.name}: {href}")
    assert not broken, "links that land nowhere:\n  " + "\n  ".join(broken)
