"""The exercises of notebook 08: the checkers are right about right and wrong answers, their
hints never give the answer away, the stored notebook (run with every answer left None)
reveals no answer, and each folded solution states the numbers the exercise computes."""
import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest

from convcore.exercises import EXERCISES, check, solution

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
sys.path.insert(0, str(NOTEBOOKS))
import claims  # noqa: E402  (notebooks/claims.py: the same number reader as the prose rule)

EXERCISES_NOTEBOOK = NOTEBOOKS / "08-exercises.ipynb"
TOPICS = {"01", "02", "03", "04", "05", "06", "07"}


def _answer(name):
    value = EXERCISES[name].answer()
    return value.item() if isinstance(value, np.generic) else value


def _answer_numbers(name):
    return set(claims.numbers(str(_answer(name))))


def _answer_texts(name):
    """How the answer could be written in an output: a scalar as its number, a tuple or list
    in its usual spellings (its elements alone may be givens of the question)."""
    value = _answer(name)
    if isinstance(value, (tuple, list)):
        inner = ", ".join(map(str, value))
        return {f"({inner})", f"[{inner}]", inner}
    return {str(value)}


def _typical_wrong(name):
    """Wrong answers a learner is likely to give: every planted mistake's value, near misses,
    the wrong kind of answer."""
    value = _answer(name)
    wrong = []
    if isinstance(value, (tuple, list)):
        wrong += [type(value)(v + 1 for v in value), type(value)(reversed(value)) if len(set(value)) > 1 else None,
                  type(value)(value[:-1]), 7]
    else:
        wrong += [value + 1, value - 1, -value if value else 1, 2 * value, [value, value], "?"]
    return [w for w in wrong if w is not None]


def test_at_least_twelve_exercises_cover_every_notebook():
    assert len(EXERCISES) >= 12
    assert {ex.topic for ex in EXERCISES.values()} == TOPICS


@pytest.mark.parametrize("name", EXERCISES)
def test_the_computed_answer_is_right(name):
    verdict = check(name, EXERCISES[name].answer())
    assert verdict.startswith("✓"), verdict
    # the same answer typed as plain Python (a list for a tuple) is right too
    value = _answer(name)
    if isinstance(value, tuple):
        assert check(name, list(value)).startswith("✓")


@pytest.mark.parametrize("name", EXERCISES)
def test_no_answer_yet_says_so_and_gives_nothing_away(name):
    verdict = check(name, None)
    assert verdict.startswith("Not answered yet: replace None with your answer")
    assert not _shows(name, verdict), verdict


@pytest.mark.parametrize("name", EXERCISES)
def test_a_wrong_answer_gets_a_hint_without_the_answer(name):
    for wrong in _typical_wrong(name):
        verdict = check(name, wrong)
        assert verdict.startswith("✗ Not quite"), (wrong, verdict)
        shown = set(claims.numbers(verdict))
        assert not (shown & _answer_numbers(name)), f"{name}: the hint for {wrong!r} gives away {shown & _answer_numbers(name)}: {verdict}"


@pytest.mark.parametrize("name", EXERCISES)
def test_no_hint_contains_the_answer(name):
    """No hint, planted or general, contains a number of the answer."""
    ex = EXERCISES[name]
    for _, hint in ex.mistakes:
        assert not (set(claims.numbers(hint)) & _answer_numbers(name)), f"{name}: {hint}"
    assert not (set(claims.numbers(ex.general_hint)) & _answer_numbers(name)), ex.general_hint


def test_typical_mistakes_get_their_own_hint():
    assert "biases" in check("parameters", 128 * 64 * 9)
    assert "group" in check("group_parameters", 96 * 48 * 9 + 96)
    assert "padding" in check("conv1d_length", 6)
    assert "without the flip" in check("flip", [4, 10])
    assert "zero padding" in check("padding_mode", [3, 6, 9, 12, 9])
    assert "after the input" in check("even_same", (3, 2))
    assert "swapped" in check("im2col_shape", (72, 400))
    assert "sign" in check("edge_value", -12)
    assert "channel 1's" in check("seed_value", 19)


def _stored_outputs(notebook):
    texts = []
    for cell in notebook["cells"]:
        for out in cell.get("outputs", []):
            if "text" in out:
                texts.append("".join(out["text"]))
            for value in out.get("data", {}).values():
                if isinstance(value, (str, list)):
                    texts.append("".join(value))
    return texts


GIVENS = re.compile(r"\[This checker works on: .*?\.\]", re.S)


def _shows(name, text):
    """Whether ``text`` shows exercise ``name``'s answer: a tuple or list in its usual
    spellings, a number as a number of its own (so answer 4 is not found in 14)."""
    if isinstance(_answer(name), (tuple, list)):
        return any(form in text for form in _answer_texts(name))
    return str(_answer(name)) in claims.numbers(text)


def test_an_exercise_states_no_answer_among_its_givens():
    for name, ex in EXERCISES.items():
        assert not _shows(name, ex.givens), f"{name}: its givens contain its answer: {ex.givens}"


def test_the_stored_notebook_reveals_no_answer():
    """Run with every answer left None, the notebook shows each question's givens (which prove
    the Markdown states the problem the checker checks) and nothing else with a number in it
    that could be an answer: no output, givens aside, shows any exercise's answer; no
    exercise's own output shows its answer, givens included."""
    notebook = json.loads(EXERCISES_NOTEBOOK.read_text())
    outputs = _stored_outputs(notebook)
    assert outputs, "the notebook must be stored executed"
    sources = "".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code")
    assert "answer = None" in sources and ".answer()" not in sources and "solution(" not in sources
    for name in EXERCISES:
        for text in outputs:
            assert not _shows(name, GIVENS.sub(" ", text)), f"{name}: a stored output shows its answer: {text}"
    own = {}
    for cell in notebook["cells"]:
        match = re.search(r'check\("(\w+)"', "".join(cell["source"])) if cell["cell_type"] == "code" else None
        if match:
            own[match.group(1)] = "".join(_stored_outputs({"cells": [cell]}))
    assert set(own) == set(EXERCISES)
    for name, text in own.items():
        assert text.startswith("Not answered yet"), text
        assert not _shows(name, text), f"{name}: its own output shows its answer: {text}"


def _solutions_by_exercise(notebook):
    """Each folded solution, keyed by the exercise its code cell (right before it) checks."""
    found, last = {}, None
    for cell in notebook["cells"]:
        text = "".join(cell["source"])
        if cell["cell_type"] == "code":
            match = re.search(r'check\("(\w+)"', text)
            last = match.group(1) if match else None
        elif "<details>" in text:
            assert last is not None, f"a solution with no exercise before it: {text[:80]}"
            found[last] = re.search(r"<details>(.*?)</details>", text, re.S).group(1)
    return found


def test_every_exercise_has_one_folded_solution_with_the_computed_numbers():
    """The prose rule of notebooks/claims.py leaves <details> out; this proves them instead:
    every number a folded solution states is in the exercise's computed working or its
    givens, and the solution states the computed answer."""
    notebook = json.loads(EXERCISES_NOTEBOOK.read_text())
    solutions = _solutions_by_exercise(notebook)
    assert set(solutions) == set(EXERCISES)
    for name, text in solutions.items():
        ex = EXERCISES[name]
        stated = set(claims.numbers(text.replace("Solution", "")))
        computed = set(claims.numbers(solution(name))) | set(claims.numbers(ex.givens))
        computed |= {n.lstrip("-") for n in computed}
        assert stated <= computed, f"{name}: the solution states {stated - computed}, which the exercise does not compute"
        assert _answer_numbers(name) <= stated, f"{name}: the solution does not state the answer"
