"""Frames -> HTML strings (fast string building, no DOM, no drawing library).

Every view sets one ``ipywidgets.HTML`` value to what ``render(frame)``
returns; the CSS (``STYLE``) lives in a separate widget set once. The markup
follows the DOM contract documented in ``convcore.views``: data-role,
data-state, data-index, data-pos and data-channel attributes carry what a
cell means, the classes only carry how it looks.
"""
from __future__ import annotations

from html import escape

from . import palette as P
from .frames import Arithmetic, Frame, Grid, elide

CELL_PX = 34   # one number cell; 16 px digits stay legible on a 1366x768 projector


def _state_css(state: str, colours: dict, extra: str = "") -> str:
    return (f".convcore-view .cc-s-{state}{{background:{colours['fill']};"
            f"border-color:{colours['edge']};{extra}}}")


STYLE = "<style>" + "".join([
    ".convcore-view{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
    f"color:{P.TEXT};font-size:16px;line-height:1.3;}}",
    ".convcore-view .cc-header{font-size:17px;margin:2px 0 8px 0;}",
    ".convcore-view .cc-main{display:flex;flex-wrap:wrap;gap:18px 28px;align-items:flex-start;}",
    ".convcore-view .cc-col{display:flex;flex-direction:column;gap:10px;}",
    ".convcore-view .cc-cards{display:flex;flex-wrap:wrap;gap:10px 22px;align-items:flex-start;}",
    ".convcore-view .cc-card{display:flex;flex-direction:column;gap:6px;padding:6px 8px;"
    "border:1px solid #ddd;border-radius:6px;}",
    ".convcore-view .cc-card.cc-unused{opacity:.45;}",
    # channels another group reads: drawn small, so the ones that matter keep the room
    ".convcore-view .cc-unused .cc-cell{min-width:20px;height:20px;font-size:11px;padding:0 1px;}",
    ".convcore-view .cc-unused .cc-grid{grid-auto-rows:20px;gap:1px;}",
    ".convcore-view .cc-pair{display:flex;gap:10px;align-items:center;}",
    ".convcore-view .cc-op{font-size:22px;color:#555;}",
    ".convcore-view .cc-title{font-size:14px;color:#444;margin-bottom:3px;white-space:nowrap;}",
    f".convcore-view .cc-grid{{display:grid;gap:2px;grid-auto-rows:{CELL_PX}px;}}",
    f".convcore-view .cc-cell{{box-sizing:border-box;min-width:{CELL_PX}px;height:{CELL_PX}px;"
    "padding:0 3px;display:flex;align-items:center;justify-content:center;border:1px solid;"
    "font-variant-numeric:tabular-nums;border-radius:3px;}",
    _state_css("plain", P.INPUT),
    _state_css("kernel", P.KERNEL),
    _state_css("patch", P.PATCH, f"box-shadow:inset 0 0 0 3px {P.PATCH['edge']};font-weight:700;"),
    _state_css("pad", P.PADDING, "border-style:dashed;color:#666;background-image:repeating-linear-gradient("
               "45deg,transparent 0 5px,rgba(0,0,0,.07) 5px 7px);"),
    _state_css("pad-patch", P.PAD_PATCH, f"box-shadow:inset 0 0 0 3px {P.PATCH['edge']};color:#444;"
               "font-weight:700;background-image:repeating-linear-gradient("
               "45deg,transparent 0 5px,rgba(0,0,0,.08) 5px 7px);"),
    _state_css("done", P.OUTPUT_DONE),
    _state_css("current", P.OUTPUT_CURRENT, f"box-shadow:inset 0 0 0 3px {P.OUTPUT_CURRENT['edge']};"
               "font-weight:700;"),
    _state_css("todo", P.OUTPUT_TODO, "border-style:dotted;"),
    ".convcore-view .cc-cell.cc-building{font-style:italic;color:#7a4a00;}",
    f".convcore-view .cc-cell.cc-active{{background:{P.ACTIVE_TAP['fill']};}}",
    ".convcore-view .cc-eq{font-size:16px;max-width:380px;}",
    ".convcore-view .cc-term{white-space:nowrap;}",
    f".convcore-view .cc-partial{{font-weight:700;padding:0 4px;border-radius:3px;"
    f"background:{P.OUTPUT_CURRENT['fill']};}}",
    ".convcore-view .cc-pending{color:#888;}",
    f".convcore-view .cc-total{{font-size:18px;padding:6px 10px;border-left:4px solid {P.PATCH['edge']};"
    "background:#fafafa;}",
    f".convcore-view .cc-value{{font-weight:700;padding:0 5px;border-radius:3px;"
    f"box-shadow:inset 0 0 0 2px {P.PATCH['edge']};background:{P.OUTPUT_CURRENT['fill']};}}",
    ".convcore-view .cc-outputs{display:flex;flex-wrap:wrap;gap:10px 16px;align-items:flex-start;}",
    ".convcore-view .cc-legend{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:13px;color:#444;"
    "margin-top:8px;}",
    ".convcore-view .cc-swatch{display:inline-block;width:14px;height:14px;border:1px solid;"
    "vertical-align:-2px;margin-right:4px;border-radius:2px;}",
    ".convcore-view .cc-note{font-size:14px;color:#555;}",
    f".convcore-error{{color:#8a1c00;background:#fff1ec;border:2px solid {P.OKABE_ITO['vermillion']};"
    "padding:6px 10px;border-radius:4px;white-space:pre-wrap;font-family:ui-monospace,monospace;"
    "font-size:14px;}",
]) + "</style>"


# ----------------------------------------------------------------------------
# Pieces
# ----------------------------------------------------------------------------
def grid(g: Grid, *, building: bool = False) -> str:
    """One grid of cells; input cells carry data-channel/data-pos, output cells data-index."""
    ncols = len(g.rows[0])
    out = [f'<div class="cc-block"><div class="cc-title">{escape(g.title)}</div>'
           f'<div class="cc-grid" style="grid-template-columns:repeat({ncols},max-content)">']
    for row in g.rows:
        for c in row:
            cls = f"cc-cell cc-s-{c.state}" + (" cc-active" if c.active else "")
            if g.role == "in-cell":
                attrs = f'data-channel="{g.channel}" data-pos="{c.key}" data-state="{c.state}"'
            elif g.role == "out-cell":
                attrs = f'data-index="{c.key}" data-state="{c.state}"'
                if c.state == "current" and building:
                    cls += " cc-building"
                    attrs += ' data-complete="0"'
            else:
                attrs = f'data-channel="{g.channel}" data-tap="{c.key}"'
            if c.active:
                attrs += ' data-active="1"'
            out.append(f'<div class="{cls}" data-role="{g.role}" {attrs}>{c.text}</div>')
    out.append("</div></div>")
    return "".join(out)


def channel_sum(s, label: str = "") -> str:
    """'1·1 + 5·0 + 2·0 + 6·1 = 7' with every term and the partial sum tagged."""
    label = f'<span class="cc-title">{escape(label)}</span> ' if label else ""
    if not s.terms:
        return f'<div class="cc-eq cc-pending" data-channel="{s.channel}">{label}…</div>'
    parts = []
    for t in elide(list(s.terms)):
        if t is None:
            parts.append("…")
        else:
            parts.append(f'<span class="cc-term" data-role="term" data-channel="{t.channel}" '
                         f'data-tap="{t.tap}" data-product="{t.product}">{t.text}</span>')
    if not s.complete:
        parts.append('<span class="cc-pending">…</span>')
    flag = "" if s.complete else ' data-complete="0"'
    tail = "" if s.complete else ' <span class="cc-pending">so far</span>'
    return (f'<div class="cc-eq" data-channel="{s.channel}">{label}' + " + ".join(parts) +
            f' = <span class="cc-partial" data-role="partial" data-channel="{s.channel}"{flag}>'
            f'{s.partial}</span>{tail}</div>')


def total(a: Arithmetic) -> str:
    flag = "" if a.complete else ' data-complete="0"'
    return (f'<div class="cc-total" data-role="total">{escape(a.total)} = '
            f'<span class="cc-value" data-role="value"{flag}>{a.value}</span></div>')


def legend() -> str:
    items = [("input", P.INPUT), ("kernel", P.KERNEL), ("patch under the kernel", P.PATCH),
             ("padding", P.PADDING), ("output done", P.OUTPUT_DONE), ("being computed", P.OUTPUT_CURRENT),
             ("not yet", P.OUTPUT_TODO)]
    return '<div class="cc-legend">' + "".join(
        f'<span><span class="cc-swatch" style="background:{c["fill"]};border-color:{c["edge"]};'
        f'{"box-shadow:inset 0 0 0 2px " + c["edge"] if c in (P.PATCH, P.OUTPUT_CURRENT) else ""}">'
        f'</span>{name}</span>' for name, c in items) + "</div>"


def root(kind: str, step: int, buildup: int, body: str, extra: str = "") -> str:
    return (f'<div class="convcore-view" data-view="{kind}" data-step="{step}" '
            f'data-buildup="{buildup}"{extra}>{body}</div>')


# ----------------------------------------------------------------------------
# Whole views
# ----------------------------------------------------------------------------
def render(f: Frame) -> str:
    """A stepper frame: channel cards (input ⊙ kernel = partial sum), total, outputs."""
    a = f.arithmetic
    building = not a.complete
    cards = []
    for g, k, s in zip(f.inputs, f.kernels, _sums_by_channel(f)):
        body = [f'<div class="cc-pair">{grid(g)}']
        if k is not None:
            body.append(f'<div class="cc-op">⊙</div>{grid(k)}')
        body.append("</div>")
        if s is not None:
            body.append(channel_sum(s))
        cls = "cc-card" + ("" if g.used else " cc-unused")
        cards.append(f'<div class="{cls}" data-channel="{g.channel}">{"".join(body)}</div>')
    outputs = "".join(grid(g, building=building) for g in f.outputs)
    body = (f'<div class="cc-header">{escape(f.header)}</div><div class="cc-main">'
            f'<div class="cc-col"><div class="cc-cards">{"".join(cards)}</div>{total(a)}</div>'
            f'<div class="cc-col"><div class="cc-title">output tensor</div>'
            f'<div class="cc-outputs">{outputs}</div></div></div>{legend()}')
    return root(f.kind, f.step, a.buildup, body)


def _sums_by_channel(f: Frame):
    by_channel = {s.channel: s for s in f.arithmetic.sums}
    return [by_channel.get(g.channel) for g in f.inputs]


def error(message: str) -> str:
    """The box a learner sees when something went wrong (data-role="error")."""
    return f'<div class="convcore-error" data-role="error">{escape(message)}</div>'


def page(*fragments: str, title: str = "convcore") -> str:
    """A standalone HTML page (for screenshots and slides)."""
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(title)}</title>"
            f"{STYLE}</head><body style='margin:12px'>{''.join(fragments)}</body></html>")


# ----------------------------------------------------------------------------
# 1×1: y = W · x (+ b) at one pixel
# ----------------------------------------------------------------------------
POINTWISE_STYLE = "<style>" + "".join([
    ".convcore-view .cc-mv{display:flex;gap:12px;align-items:center;}",
    ".convcore-view .cc-vec{display:grid;gap:2px;grid-auto-rows:34px;grid-template-columns:max-content;}",
    f".convcore-view .cc-row-on{{box-shadow:inset 0 0 0 3px {P.PATCH['edge']};font-weight:700;}}",
    ".convcore-view .cc-s-other-group{background:#f4f4f4;border-color:#d0d0d0;color:#999;}",
    ".convcore-view .cc-big{font-size:24px;color:#555;}",
]) + "</style>"


def _column(cells, role, title, attr="data-index", states=True) -> str:
    out = [f'<div class="cc-block"><div class="cc-title">{escape(title)}</div><div class="cc-vec">']
    for c in cells:
        cls = f"cc-cell cc-s-{c.state}" + (" cc-row-on" if c.active else "")
        state = f' data-state="{c.state}"' if states else ""
        out.append(f'<div class="{cls}" data-role="{role}" {attr}="{c.key}"{state}>{c.text}</div>')
    out.append("</div></div>")
    return "".join(out)


def render_pointwise(f) -> str:
    a = f.arithmetic
    n_in = len(f.x)
    w = [f'<div class="cc-block"><div class="cc-title">weights W (C_out × C_in)</div>'
         f'<div class="cc-grid" style="grid-template-columns:repeat({n_in},max-content)">']
    for row in f.matrix:
        for c in row:
            cls = f"cc-cell cc-s-{c.state}" + (" cc-row-on" if c.active else "")
            w.append(f'<div class="{cls}" data-role="weight-cell" data-index="{c.key}">{c.text}</div>')
    w.append("</div></div>")
    pixel = ", ".join(map(str, f.pixel))
    parts = [_column(f.y, "vec-out", f"y at ({pixel})"), '<div class="cc-big">=</div>', "".join(w),
             '<div class="cc-big">·</div>',
             _column(f.x, "vec-in", f"x at ({pixel})", "data-channel", states=False)]
    if f.bias is not None:
        parts += ['<div class="cc-big">+</div>', _column(f.bias, "bias", "bias b", "data-channel", states=False)]
    sums = "".join(channel_sum(s, f"input channel {s.channel}:") for s in a.sums)
    inputs = "".join(grid(g) for g in f.inputs)
    outputs = "".join(grid(g, building=not a.complete) for g in f.outputs)
    body = (f'<div class="cc-header">{escape(f.header)}</div><div class="cc-main">'
            f'<div class="cc-col"><div class="cc-title">input channels (pixel highlighted)</div>'
            f'<div class="cc-outputs">{inputs}</div>'
            f'<div class="cc-mv">{"".join(parts)}</div>'
            f'<div class="cc-col">{sums}</div>{total(a)}'
            f'<div class="cc-note">The same W is used at every pixel, each pixel on its own: '
            f'a 1×1 convolution is a matrix product per pixel.</div></div>'
            f'<div class="cc-col"><div class="cc-title">output tensor</div>'
            f'<div class="cc-outputs">{outputs}</div></div></div>{legend()}')
    return root("pointwise", f.step, a.buildup, body)
