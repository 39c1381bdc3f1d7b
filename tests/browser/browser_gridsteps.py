"""The grid-step views (TransposeView, GradientView, Im2colView) on a page: what is on screen
against what the view's data says for that step (one equality), and a round of every control.

    from browser_gridsteps import exercise_gridsteps
    exercise_gridsteps(root_locator, view)       # view: the same view built here in Python
"""
from __future__ import annotations

from browser_driver import wait_js, wait_step  # noqa: F401  (wait_step: browser_rows takes it from here)

SNAPSHOT = r"""
(root) => ({
  step: Number(root.getAttribute('data-step')), mode: root.getAttribute('data-mode'),
  header: root.querySelector('[data-role=header]').textContent,
  say: root.querySelector('[data-role=say]').textContent,
  lines: Array.from(root.querySelector('[data-role=lines]').children).map(e => [e.getAttribute('data-role'), e.textContent]),
  titles: Array.from(root.querySelectorAll('.cc-block[data-panel]')).map(b => [b.getAttribute('data-panel'),
            b.querySelector('[data-role=title]').textContent]),
  cells: Array.from(root.querySelectorAll('[data-role=cell]')).map(e => [e.getAttribute('data-panel'),
            e.getAttribute('data-pos'), e.textContent, e.getAttribute('data-state')]),
})
"""


def expected(mode: dict, k: int) -> dict:
    """What the view's data says the screen holds at step k of a reading."""
    rec = mode["steps"][k]
    titles, cells = [], []
    for pid in [p for row in mode["rows"] for p in row]:
        panel, over = mode["panels"][pid], rec["set"].get(pid, {})
        titles.append([pid, over.get("title", panel["title"])])
        t, s = over.get("t", panel["t"]), over.get("s", panel["s"])
        cells += [[pid, f"{r},{c}", t[r][c], s[r][c]] for r in range(len(t)) for c in range(len(t[0]))]
    return {"step": k, "mode": mode["key"], "header": rec["h"], "say": rec["say"],
            "lines": [list(x) for x in rec["lines"]], "titles": titles, "cells": cells}


def on_screen(root):
    return root.evaluate(SNAPSHOT)


GRIDSTEP_KINDS = ("transposed", "gradient", "im2col")


def view_of(kind: str, example: str):
    """The view a root with ``data-view=kind`` and ``data-example=example`` shows."""
    from convcore.views import GradientView, Im2colView, TransposeView
    return {"transposed": TransposeView, "gradient": GradientView, "im2col": Im2colView}[kind].from_example(example)


def exercise_gridsteps(root, view) -> list[str]:
    """Keys, Next/Prev and every reading: the screen equals the data after each move."""
    page = root.page
    done = []
    for key, mode in view.modes.items():
        if root.get_attribute("data-mode") != key:
            root.locator(f'[data-role=mode][data-mode="{key}"]').click()
            wait_js(page, f"e => e.getAttribute('data-mode') === '{key}'", f"{view.kind} to read {key}", root.element_handle())
        root.locator("[data-role=step-slider]").focus()
        page.keyboard.press("Home")
        wait_step(root, 0, key)
        assert on_screen(root) == expected(mode, 0), f"{view.kind} {key} step 0"
        last = mode["n"] - 1
        page.keyboard.press("ArrowRight")
        wait_step(root, min(1, last), key)
        root.locator("[data-role=next]").click()
        wait_step(root, min(2, last), key)
        root.locator("[data-role=prev]").click()
        wait_step(root, min(1, last), key)
        assert on_screen(root) == expected(mode, min(1, last)), f"{view.kind} {key} step 1"
        root.locator("[data-role=step-slider]").focus()
        page.keyboard.press("End")
        wait_step(root, last, key)
        assert on_screen(root) == expected(mode, last), f"{view.kind} {key} step {last}"
        done.append(f"{key}: steps 0, 1, 2, 1, {last} equal the data")
    return done
