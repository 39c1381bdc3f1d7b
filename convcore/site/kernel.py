"""The kernel's side of the site builder, an IPython extension (``--ext=convcore.site.kernel``).

A display whose HTML is a view's embed is kept, a numbered slot in its place; after the notebook,
``%convcore_site_embed BUDGET`` displays (as JSON) each view embedded again within BUDGET bytes;
any other display holding an embed stays as shown.
"""


def embed(view, markup: str, budget: int) -> dict:
    from convcore.views import embed_html       # now: a notebook may have replaced it

    try:
        return {"html": embed_html(view, budget_bytes=budget), "budgeted": True}
    except (AttributeError, TypeError):        # not a view: as shown
        return {"html": markup, "budgeted": False}


def load_ipython_extension(ip) -> None:
    formatter = ip.display_formatter
    original, kept = formatter.format, []

    def format(obj, include=None, exclude=None):
        data, metadata = original(obj, include=include, exclude=exclude)
        if 'class="convcore-embed"' in str(data.get("text/html", "")):
            kept.append((obj, data["text/html"]))
            slot = f'<div class="convcore-site-slot" data-slot="{len(kept) - 1}"></div>'
            data = {"text/html": slot, "text/plain": data.get("text/plain", "")}
        return data, metadata

    def convcore_site_embed(line: str) -> None:
        from IPython.display import display
        display({"application/json": {"embeds": [embed(v, m, int(line)) for v, m in kept]}}, raw=True)

    formatter.format = format
    ip.register_magic_function(convcore_site_embed)
