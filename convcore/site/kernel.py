"""The kernel's side of the site builder: an IPython extension (``--ext=convcore.site.kernel``).

While a notebook runs, every display whose HTML is a view's embed (``class="convcore-embed"``)
is kept and a numbered slot stands in its place, so the builder can give each view its share of
the page once it knows how many the page holds. Then ``%convcore_site_embed BUDGET`` embeds each
kept view again with ``convcore.views.embed_html(view, budget_bytes=BUDGET)`` and displays the
list as JSON. An object that displays a view without being one (the Explorer shows a note, its
summary and its step view ``.view``) keeps what it displayed, with that view's embed swapped for
one within the share; if its view cannot be found in it, it stays as displayed (not budgeted).
"""
from __future__ import annotations

MARK = 'class="convcore-embed"'
SLOT = '<div class="convcore-site-slot" data-slot="{}"></div>'


def embed(view, markup: str, budget: int) -> dict:
    from convcore import views           # looked up now: a notebook may replace embed_html

    try:
        return {"html": views.embed_html(view, budget_bytes=budget), "budgeted": True}
    except (AttributeError, TypeError):
        pass
    inner = getattr(view, "view", None)
    try:
        whole = views.embed_html(inner)
    except (AttributeError, TypeError):
        whole = None
    if whole and whole in markup:
        return {"html": markup.replace(whole, views.embed_html(inner, budget_bytes=budget)), "budgeted": True}
    return {"html": markup, "budgeted": False}


def load_ipython_extension(ip) -> None:
    formatter = ip.display_formatter
    original, kept = formatter.format, []

    def format(obj, include=None, exclude=None):
        data, metadata = original(obj, include=include, exclude=exclude)
        markup = data.get("text/html")
        if isinstance(markup, str) and MARK in markup:
            kept.append((obj, markup))
            data = {"text/html": SLOT.format(len(kept) - 1), "text/plain": data.get("text/plain", "")}
        return data, metadata

    def convcore_site_embed(line: str) -> None:
        from IPython.display import display
        display({"application/json": {"embeds": [embed(v, m, int(line)) for v, m in kept]}}, raw=True)

    formatter.format = format
    ip.register_magic_function(convcore_site_embed)
