"""FrameHTML: a step is sent as the changes from the last frame, and those changes rebuild it.

The browser applies a patch to its live elements by index (document order,
as ``getElementsByTagName("*")``). Here the same is done to a tree built by
the standard library's HTMLParser, an independent reading of the markup, and
the result must equal a fresh parse of the new frame, for every step of every
catalogue example, forwards, backwards, by jumps and through the build-up.
"""
from __future__ import annotations

import pytest

from convcore import examples
from convcore.views import view_for
from convcore.views.frontend import FrameHTML, frame_patch
from test_views_dom import Element, parse
from widget_messages import record_sent


def elements_in_order(root: Element) -> list[Element]:
    """Every element under root in document order (``getElementsByTagName("*")``)."""
    out = []

    def walk(el):
        for child in el.children:
            if isinstance(child, Element):
                out.append(child)
                walk(child)
    walk(root)
    return out


def apply(patch: list, markup: str) -> Element:
    """What the browser's FrameHTML does with a patch, on a parsed tree of ``markup``."""
    tree = parse(markup)
    elements = elements_in_order(tree)
    for i, attrs, content in patch:
        el = elements[i]
        for name, value in (attrs or {}).items():
            if value is None:
                del el.attrs[name]
            else:
                el.attrs[name] = value
        if content is not None:
            kids = [c for c in el.children if isinstance(c, Element)]
            el.children = [kids[c] if isinstance(c, int) else c for c in content]
    return tree


def canonical(el) -> object:
    """A comparable form: attributes as a sorted list, adjacent texts joined, empty texts dropped."""
    children = []
    for c in el.children:
        if isinstance(c, str):
            if children and isinstance(children[-1], str):
                children[-1] += c
            elif c:
                children.append(c)
        else:
            children.append(canonical(c))
    return (el.tag, sorted(dict(el.attrs).items()), children)


def walks(n: int) -> list[int]:
    return [*range(n), *reversed(range(n)), 0, n - 1, n // 2, 1 % n]


@pytest.mark.parametrize("name", examples.names())
def test_patches_rebuild_every_next_frame(name):
    view = view_for(name)
    before, patched = view.html.value, 0
    for k in walks(len(view.trace)):
        view.update(k)
        patch = frame_patch(before, view.html.value)
        if patch is not None:
            patched += 1
            assert canonical(apply(patch, before)) == canonical(parse(view.html.value)), (name, k)
        before = view.html.value
    assert patched > 0, f"{name}: no step could be sent as a patch"


def test_buildup_steps_are_patched_or_sent_whole_and_always_right():
    view = view_for("seed_conv2d")
    before = view.html.value
    for b in [*range(view.buildup_slider.max + 1), 0, 3]:
        view.update(view.step, b)
        patch = frame_patch(before, view.html.value)
        if patch is not None:
            assert canonical(apply(patch, before)) == canonical(parse(view.html.value))
        before = view.html.value


def test_a_step_is_one_small_message(monkeypatch):
    view = view_for("groups")
    sent = record_sent(view.html, monkeypatch)
    revision = view.html.revision
    view.update(1)
    (msg,) = sent
    assert msg["method"] == "custom" and set(msg["content"]) == {"patch", "nodes"}
    whole = len(view.html.value)
    assert len(str(msg["content"])) < whole / 4          # a fraction of the frame it stands for
    assert view.html.revision == revision                # the browser's model keeps its markup
    # a change of structure (the build-up hides terms) is sent whole
    sent.clear()
    view.update(1, 0)
    assert [m["method"] for m in sent] == ["update"] and sent[0]["state"]["value"] == view.html.value


def test_a_new_view_in_the_browser_gets_the_markup_on_screen(monkeypatch):
    cells = "".join(f'<div class="c">{i}</div>' for i in range(9))
    html = FrameHTML(f'<div class="a">{cells}</div>')
    html.show(f'<div class="b">{cells}</div>')           # a patch: the browser's model is stale
    assert html.patches_sent == 1
    sent = record_sent(html, monkeypatch)
    html._handle_custom_msg({"want": "all"}, [])          # what a newly rendered view asks
    (msg,) = sent
    assert msg["state"]["value"] == f'<div class="b">{cells}</div>' and msg["state"]["revision"] == 1


@pytest.mark.parametrize("markup", [
    "<!-- a comment --><div>1</div>",
    "<div title='single quotes'>1</div>",
    '<div title="a > b">1</div>',
])
def test_markup_it_cannot_read_is_sent_whole(markup):
    assert frame_patch("<div>0</div>", markup) is None


def test_unquoted_attributes_are_sent_whole():
    assert frame_patch('<div a="1">0</div>', "<div a=2>0</div>") is None
