"""A tiny DOM for tests: parse a view's HTML with the stdlib parser, query by data attributes."""
from __future__ import annotations

from html.parser import HTMLParser

VOID = {"br", "img", "hr", "meta", "input", "link"}


class Element:
    def __init__(self, tag, attrs, parent=None):
        self.tag, self.attrs, self.parent = tag, dict(attrs), parent
        self.children: list = []

    @property
    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text for c in self.children)

    def get(self, name, default=None):
        return self.attrs.get(name, default)

    def iter(self):
        yield self
        for c in self.children:
            if isinstance(c, Element):
                yield from c.iter()

    def find_all(self, **data) -> list["Element"]:
        """Elements whose data-* attributes match, e.g. find_all(role="out-cell", state="done")."""
        want = {f"data-{k.replace('_', '-')}": str(v) for k, v in data.items()}
        return [e for e in self.iter() if all(e.attrs.get(k) == v for k, v in want.items())]

    def find(self, **data) -> "Element | None":
        found = self.find_all(**data)
        return found[0] if found else None

    def has_class(self, name) -> bool:
        return name in (self.attrs.get("class") or "").split()


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#root", {})
        self.cur = self.root

    def handle_starttag(self, tag, attrs):
        el = Element(tag, attrs, self.cur)
        self.cur.children.append(el)
        if tag not in VOID:
            self.cur = el

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(Element(tag, attrs, self.cur))

    def handle_endtag(self, tag):
        el = self.cur
        while el is not self.root and el.tag != tag:
            el = el.parent
        if el is not self.root:
            self.cur = el.parent

    def handle_data(self, data):
        self.cur.children.append(data)


def parse(markup: str) -> Element:
    b = _Builder()
    b.feed(markup)
    b.close()
    return b.root


def view_root(markup: str) -> Element:
    """The element with class convcore-view (exactly one)."""
    roots = [e for e in parse(markup).iter() if e.has_class("convcore-view")]
    assert len(roots) == 1, f"expected one convcore-view root, found {len(roots)}"
    return roots[0]
