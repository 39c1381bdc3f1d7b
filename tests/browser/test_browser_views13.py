"""The pooling, receptive-field and sequence views on a static page: hydrated from their own
modules, stepped by keys, Play, Prev/Next and their switches, what is on screen equal to the
data of that step, readable (4.5:1) in light and dark, every request outside the page blocked."""
import pytest

from browser_driver import assert_named, static_views, wait_js, wait_step, walk
from browser_rows import check

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

@pytest.fixture
def static_page(page, tmp_path):
    from convcore.causal import causal_layers
    from convcore.views import PoolView, ReceptiveFieldView, SequenceView
    views = [PoolView([[1, 2, 0, 1], [3, 4, 1, 0], [0, 0, 5, 6], [1, 2, 7, 8]], "max", kernel_size=2),
             PoolView([1, 3, 2, 2, 5], "avg", kernel_size=2, ceil_mode=True),
             PoolView([1, 3, 2, 2, 5], "max", kernel_size=2, stride=2, padding=1, ceil_mode=True),
             ReceptiveFieldView([dict(kernel_size=3, padding=1), dict(kind="max_pool", kernel_size=2),
                                 dict(kernel_size=3, padding=1), dict(kind="max_pool", kernel_size=2)], 16),
             SequenceView(24, kernel_size=2, dilations=(1, 2, 4, 8))]
    assert causal_layers
    body = "".join(v.embed_html() for v in views)
    modules = sorted({v.module for v in views})
    imports = "".join(f"import {{hydrate as h{i}}} from './assets/{m}'; n += h{i}().length;" for i, m in enumerate(modules))
    with static_views(page, tmp_path, body, f"let n = 0; {imports} window.hydrated = n;",
                      f"window.hydrated === {len(views)}") as host:
        yield host, views, page.locator(".convcore-view")


def test_view_js_hydrate_brings_the_other_modules(page, tmp_path):
    """A page that loads only convcore-view.js (as the static site does) still gets these views."""
    from convcore.views import PoolView, SequenceView, Stepper1D
    views = [Stepper1D([1, 2, 3, 4], [1, 0, -1]), PoolView([1, 3, 2, 2, 5], "avg", kernel_size=2, ceil_mode=True),
             SequenceView(16)]
    from convcore.views import embed_html
    body = embed_html(views[0]) + views[1].embed_html() + views[2].embed_html()
    with static_views(page, tmp_path, body, "import {hydrate} from './assets/convcore-view.js'; hydrate();",
                      "document.querySelectorAll('.convcore-embed[data-hydrated]').length === 3"):
        roots = page.locator(".convcore-view")
        assert [roots.nth(i).get_attribute("data-view") for i in range(3)] == ["stepper1d", "pool", "sequence"]
        check(roots.nth(1), views[1], 0)
        check(roots.nth(2), views[2], 0, "dilated")


def test_every_view_steps_and_shows_its_data(static_page):
    _host, views, roots = static_page
    for n, view in enumerate(views):
        root = roots.nth(n)
        for variant in view.data.get("variants", {None: None}):
            if variant is not None and variant != root.get_attribute("data-variant"):
                root.locator('[data-role="variant"]').select_option(variant)   # the switch keeps t
                check(root, view, view.n - 1, variant)
            walk(root, view.n - 1, lambda k: check(root, view, k, variant), right=4)   # noqa: B023
        assert_named(root)
        if view.kind == "receptive":          # no kernel here: the layer controls are off and say so
            assert root.locator('[data-role="edit-kernel_size"]').count() == 4
            assert root.locator('select[data-role^="edit-"]:not([disabled])').count() == 0
            assert root.locator('[data-role="needs-kernel"]').inner_text() == view.data["static"]["needsKernel"]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_text_is_readable(static_page, scheme):
    host, views, roots = static_page
    host.set_theme(scheme)
    for n in range(len(views)):
        roots.nth(n).locator('[data-role="next"]').click()
        wait_step(roots.nth(n), 1)
        host.readable(roots.nth(n), f"view {n}", at_least=11)
    host.screenshot(f"views13-static-{scheme}", full_page=True)


# -- live, in JupyterLab ------------------------------------------------------------------------
LIVE_CELLS = [
    "from convcore.views import PoolView, ReceptiveFieldView, SequenceView\n"
    "pool_view = PoolView([[1, 2, 0, 1], [3, 4, 1, 0], [0, 0, 5, 6], [1, 2, 7, 8]], 'max', kernel_size=2)\n"
    "pool_view",
    "sequence_view = SequenceView(24)\nsequence_view",
    "rf_view = ReceptiveFieldView([dict(kernel_size=3, padding=1), dict(kind='max_pool', kernel_size=2),\n"
    "                              dict(kernel_size=3, padding=1), dict(kind='max_pool', kernel_size=2)], 16)\n"
    "rf_view",
    "pool_view.step = 2",
    "print(f'kernel sees pool step {pool_view.step}, sequence step {sequence_view.step} {sequence_view.variant}')",
]


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_live_in_jupyterlab(lab, lab_root, theme):
    import browser_scratch
    from convcore.views import PoolView, ReceptiveFieldView, SequenceView
    browser_scratch.write(browser_scratch.notebook(*LIVE_CELLS), lab_root / "_harness" / "views13.ipynb")
    mirror = {"pool": PoolView([[1, 2, 0, 1], [3, 4, 1, 0], [0, 0, 5, 6], [1, 2, 7, 8]], "max", kernel_size=2),
              "sequence": SequenceView(24),
              "receptive": ReceptiveFieldView([dict(kernel_size=3, padding=1), dict(kind="max_pool", kernel_size=2),
                                               dict(kernel_size=3, padding=1), dict(kind="max_pool", kernel_size=2)], 16)}
    lab.open("_harness/views13.ipynb", theme)
    state = lab.run_all()
    assert state["unrun"] == 0 and lab.errors() == []
    pool, seq, rec = lab.views()
    assert (pool.kind, seq.kind, rec.kind) == ("pool", "sequence", "receptive")
    pool.wait_step(2)                                   # the kernel moved it: pool_view.step = 2
    check(pool.root, mirror["pool"], 2)
    seq.press("ArrowRight", 3)
    seq.wait_step(3)
    seq.choose("variant", "plain")
    check(seq.root, mirror["sequence"], 3, "plain")
    rec.click("next")
    rec.wait_step(1)
    check(rec.root, mirror["receptive"], 1, "stack")
    rec.choose("edit-kernel_size", "3")                 # layer 4 (the top row): recomputed by the kernel
    mirror["receptive"].set_layers([dict(m, kernel_size=3) if i == 3 else m
                                    for i, m in enumerate(mirror["receptive"].layers)])
    wait_js(lab.page, "r => r.querySelector('[data-role=\"layer-text\"]').textContent.includes('kernel 3')",
            "the receptive view to show the kernel's new layer (kernel 3)", rec.root.element_handle())
    check(rec.root, mirror["receptive"], 0, "stack")
    lab.wait_kernel_says(5, "kernel sees pool step 2, sequence step 3 plain")    # once the learner pauses
    for view in (pool, seq, rec):
        lab.screenshot(f"lab-{theme}-{view.kind}", view.root)
        lab.readable(view.root, view.kind)
