"""The views drawn from their own step data on a page: what is on screen against that data.

The pooling, receptive-field and sequence views: ``check(root, view, k, variant)`` compares the
screen at step ``k`` with ``view.data`` (one equality); ``exercise_rows_or_pool`` moves one by keys
and Prev, checking after each move. ``exercise_own_data`` works any view drawn from its own data
(these and the grid-step views of ``browser_gridsteps``); the notebook and the site tests use it.
"""
from __future__ import annotations

from browser_gridsteps import GRIDSTEP_KINDS, exercise_gridsteps, view_of, wait_step
from browser_rebuild import displayed_object

ROW_KINDS = ("pool", "receptive", "sequence")

# What one view shows: its step, header, every cell with its state and text, the equation.
JS_SHOWN = r"""
(root) => {
  const a = (e, n) => e.getAttribute(n), t = (e) => (e ? e.textContent.trim() : null);
  const all = (sel) => Array.from(root.querySelectorAll(sel));
  return {
    step: Number(a(root, 'data-step')), header: t(root.querySelector('[data-role="header"]')),
    say: t(root.querySelector('[data-role="say"]')),
    inCells: all('[data-role="in-cell"]').map(e => [a(e, 'data-pos'), a(e, 'data-state'), t(e),
             a(e, 'data-win') === '1', a(e, 'data-counted') === '1']),
    outCells: all('[data-role="out-cell"]').map(e => [a(e, 'data-index'), a(e, 'data-state'), t(e)]),
    eq: t(root.querySelector('[data-role="eq"]')), value: t(root.querySelector('[data-role="value"]')),
    rows: all('[data-role="layer-row"]').map(r => Array.from(r.querySelectorAll('[data-role="cell"]'))
             .map(e => a(e, 'data-state'))),
    variant: a(root, 'data-variant'),
    texts: all('[data-role="layer-text"]').map(t),
  };
}
"""


def pool_expected(view, k):
    S, r = view.data["static"], view.data["steps"][k]
    s, ch = r["plane"]
    taps = dict(r["taps"])
    cells = []
    for i, row in enumerate(S["inKeys"]):
        for j, key in enumerate(row):
            cells.append([key, taps.get(key, S["inState"][i][j]), S["inText"][s][ch][i][j], key == r["win"],
                          key in r["counted"]])
    outs = []
    for i, row in enumerate(S["outKeys"]):
        for j, key in enumerate(row):
            at = S["stepOf"][s][ch][i][j]
            state = "done" if at < k else "current" if at == k else "todo"
            outs.append([key, state, S["outText"][s][ch][i][j] if state == "done" else r["v"] if state == "current" else ""])
    return {"step": k, "header": r["h"], "say": r["say"], "inCells": cells, "outCells": outs, "eq": r["eq"], "value": r["v"]}


def rows_expected(view, k, variant):
    V = view.data["variants"][variant]
    r = V["steps"][k]
    return {"step": k, "header": r["h"], "say": r["say"], "variant": variant,
            "rows": [[view.data["static"]["states"][c] for c in row] for row in r["rows"]],
            "texts": [layer["text"] for layer in V["layers"]]}


def check(root, view, k, variant=None):
    shown = root.evaluate(JS_SHOWN)
    if view.kind == "pool":
        want = pool_expected(view, k)
    else:
        want = rows_expected(view, k, variant)
    got = {key: shown[key] for key in want}
    assert got == want, (view.kind, k, variant)


def exercise_rows_or_pool(v, label: str) -> list[str]:
    """Home, arrows, End, Prev on a pooling, receptive-field or sequence view: after each move the
    screen equals the data of that step (the view rebuilt here from the notebook's own code)."""
    view = displayed_object(v.notebook_path, v.cell)
    assert view is not None and view.kind == v.kind, f"{label}: cannot rebuild the view from its cell"
    root, page = v.root, v.page
    variant = root.get_attribute("data-variant")
    last = view.n - 1

    def at(k):
        wait_step(root, k)
        check(root, view, k, variant)

    slider = root.locator('[data-role="step-slider"]')
    slider.focus()
    page.keyboard.press("Home")
    at(0)
    for k in range(1, min(last, 3) + 1):
        page.keyboard.press("ArrowRight")
        at(k)
    page.keyboard.press("End")
    at(last)
    root.locator('[data-role="prev"]').click()
    at(max(last - 1, 0))
    return [f"keys, End, Prev: steps 0–{min(last, 3)}, {last}, {max(last - 1, 0)} equal the data"]


def exercise_own_data(v, label: str) -> list[str] | None:
    """Work a view drawn from its own step data (grid steps, pooling, receptive field, sequence)
    against that data; None for the step views checked against a convcore trace."""
    if v.kind in GRIDSTEP_KINDS:
        assert v.example, f"{label}: no catalogue example to rebuild it from"
        return exercise_gridsteps(v.root, view_of(v.kind, v.example))
    if v.kind in ROW_KINDS:
        return exercise_rows_or_pool(v, label)
    return None
