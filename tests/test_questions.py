"""The "Check yourself" questions of notebooks 01–11 (convcore/course/questions.py): the checker
accepts the computed answer, each planted mistake gets its own hint, no hint or stored output
gives an answer away, and each notebook asks its questions with an empty answer cell and the
answer folded under it, stating the numbers the question computes."""
import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest

from convcore.course.exercises import EXERCISES
from convcore.course.questions import QUESTIONS, check, working

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
sys.path.insert(0, str(NOTEBOOKS))
import build   # noqa: E402  (notebooks/build.py)
import claims  # noqa: E402  (notebooks/claims.py: the same number reader as the prose rule)

LESSONS = [s for s in build.source_paths() if s.stem[:2] in {f"{n:02}" for n in range(1, 13)}]
CHECK = re.compile(r'check\("(\w+)", answer\)')


def _answer(name):
    value = QUESTIONS[name].answer()
    return value.item() if isinstance(value, np.generic) else value


def _numbers(text):
    """Numbers as values, so 4.0 and 4 are one number."""
    return {float(n) for n in claims.numbers(text)}


def _answer_numbers(name):
    return _numbers(str(_answer(name)))


def _shows(name, text):
    """Whether ``text`` shows question ``name``'s answer: a tuple or list in its usual spellings,
    a number as a number of its own."""
    value = _answer(name)
    if isinstance(value, (tuple, list)):
        inner = ", ".join(map(str, value))
        return any(form in text for form in (f"({inner})", f"[{inner}]", inner))
    return float(value) in _numbers(text)


def said(name, given):
    return " ".join(check(name, given).split())


def test_every_lesson_has_at_least_three_questions_and_no_name_is_an_exercise():
    for source in LESSONS:
        assert sum(q.topic == source.stem[:2] for q in QUESTIONS.values()) >= 3, source.stem
    assert not set(QUESTIONS) & set(EXERCISES)


@pytest.mark.parametrize("name", QUESTIONS)
def test_the_computed_answer_is_right(name):
    assert said(name, QUESTIONS[name].answer()).startswith("✓ Right.")
    value = _answer(name)
    if isinstance(value, tuple):                     # typed as a list, it is right too
        assert said(name, list(value)).startswith("✓ Right.")


@pytest.mark.parametrize("name", QUESTIONS)
def test_each_planted_mistake_gets_its_own_hint(name):
    mistakes = QUESTIONS[name].mistakes
    assert mistakes, f"{name} plants no mistake"
    for test, hint in mistakes:
        assert test.examples, f"{name}: a mistake without an example: {hint}"
        for wrong in test.examples:
            assert said(name, wrong) == "✗ Not quite. " + " ".join(hint.split()), (name, wrong)


@pytest.mark.parametrize("name", QUESTIONS)
def test_no_hint_and_no_unanswered_verdict_gives_the_answer_away(name):
    q = QUESTIONS[name]
    for text in [hint for _, hint in q.mistakes] + [q.general_hint]:
        assert not (_numbers(text) & _answer_numbers(name)), f"{name}: {text}"
    for wrong in ("?", [1, 2, 3, 4, 5, 6, 7, 8], -1):
        verdict = check(name, wrong).replace(repr(wrong), "")   # the learner's own answer, echoed, aside
        assert not _shows(name, verdict), (name, wrong)
    empty = check(name, None)
    assert empty.startswith("Not answered yet: replace None with your answer")
    assert not _shows(name, empty), empty


def _cells(source):
    return json.loads(build.notebook_for(source).read_text())["cells"]


def _text(cell):
    return "".join(cell["source"])


def _outputs(cell):
    texts = []
    for out in cell.get("outputs", []):
        texts.append("".join(out.get("text", "")))
        texts += ["".join(v) for v in out.get("data", {}).values() if isinstance(v, (str, list))]
    return "".join(texts)


@pytest.mark.parametrize("source", LESSONS, ids=lambda s: s.stem)
def test_the_lesson_asks_its_questions_with_the_answer_folded(source):
    """Under "## Check yourself": each question in Markdown, then a cell that checks an empty
    answer (its stored output asks for one and does not show it), then the answer folded in a
    <details> block (the next question may follow it in the same Markdown cell) that is the
    question's ``working``: it states the computed answer and only numbers the question computes."""
    cells = _cells(source)
    start = next(i for i, c in enumerate(cells) if c["cell_type"] == "markdown" and "## Check yourself" in _text(c))
    asked = []
    for i, cell in enumerate(cells):
        match = CHECK.search(_text(cell)) if cell["cell_type"] == "code" else None
        if not match:
            continue
        name = match.group(1)
        asked.append(name)
        assert i > start, f"{name} is asked before Check yourself"
        assert re.search(r"^answer = None\b", _text(cell), re.M), _text(cell)
        stored = _outputs(cell)
        assert stored.startswith("Not answered yet"), stored
        assert not _shows(name, stored), f"{name}: its stored output shows its answer: {stored}"
        folded = cells[i + 1]
        assert folded["cell_type"] == "markdown", f"{name}: no folded answer under the cell"
        details = re.match(r"\s*<details><summary>Answer</summary>(.*?)</details>", _text(folded), re.S)
        assert details, f"{name}: the cell after the check is not a folded answer: {_text(folded)[:80]}"
        assert " ".join(details.group(1).split()) == working(name), f"{name}: the folded answer is not working({name!r})"
        stated = _numbers(details.group(1))
        computed = _numbers(working(name)) | _numbers(QUESTIONS[name].givens)
        computed |= {abs(n) for n in computed}
        assert stated <= computed, f"{name}: the folded answer states {stated - computed}, which the question does not compute"
        assert _answer_numbers(name) <= stated, f"{name}: the folded answer does not state the answer"
    assert sorted(asked) == sorted(n for n, q in QUESTIONS.items() if q.topic == source.stem[:2])
    code = "".join(_text(c) for c in cells if c["cell_type"] == "code")
    assert ".answer()" not in code and "working(" not in code


@pytest.mark.parametrize("source", LESSONS, ids=lambda s: s.stem)
def test_no_stored_output_of_the_lesson_shows_a_list_or_tuple_answer(source):
    """A question whose answer is a list or a tuple is not answered in the body: no output of its
    notebook spells it. (A single number is too common to look for; the checked cell's own
    output is looked at above.)"""
    outputs = "".join(_outputs(c) for c in _cells(source))
    for name, q in QUESTIONS.items():
        if q.topic == source.stem[:2] and isinstance(_answer(name), (tuple, list)):
            assert not _shows(name, outputs), f"{name}: an output of {source.stem} shows its answer"
