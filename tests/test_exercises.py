"""The exercises of notebook 12: the checkers are right about right and wrong answers, their
hints never give the answer away, the stored notebook (run with every answer left None)
reveals no answer, and each folded solution states the numbers the exercise computes."""
import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest

from convcore.course.exercises import EXERCISES, VERDICT_WIDTH, _verdict, check, solution

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
sys.path.insert(0, str(NOTEBOOKS))
import claims  # noqa: E402  (notebooks/claims.py: the same number reader as the prose rule)

EXERCISES_NOTEBOOK = NOTEBOOKS / "12-exercises.ipynb"
TOPICS = {"01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11"}
LATER = ("08", "09", "10", "11")   # notebooks that came after the first 14 exercises


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


def test_each_later_notebook_has_at_least_two_exercises():
    for topic in LATER:
        assert sum(ex.topic == topic for ex in EXERCISES.values()) >= 2, topic


def test_the_notebook_asks_them_in_order_under_headings_that_name_their_notebook():
    """Each exercise is headed "## N · title (notebook NN)", N counting 1, 2, 3, ... in the
    notebook, and its notebook is the exercise's topic; the later ones follow the first ones."""
    notebook = json.loads(EXERCISES_NOTEBOOK.read_text())
    headed, heading = [], None
    for cell in notebook["cells"]:
        text = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            found = re.findall(r"^## (\d+) · .*\(notebook (\d\d)\)$", text, re.M)
            heading = found[-1] if found else heading
        else:
            match = re.search(r'check\("(\w+)"', text)
            if match:
                headed.append((int(heading[0]), heading[1], match.group(1)))
                heading = None
    assert [n for n, _, _ in headed] == list(range(1, len(EXERCISES) + 1))
    assert all(EXERCISES[name].topic == topic for _, topic, name in headed), headed
    topics = [topic for _, topic, _ in headed]
    first_later = min(i for i, t in enumerate(topics) if t in LATER)
    assert all(t in LATER for t in topics[first_later:]) and not any(t in LATER for t in topics[:first_later])


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


def said(name, given) -> str:
    """A verdict as one line (it is printed wrapped between words)."""
    return " ".join(check(name, given).split())


@pytest.mark.parametrize("name", EXERCISES)
def test_verdicts_are_wrapped_between_words(name):
    for given in (None, EXERCISES[name].answer(), *_typical_wrong(name)):
        verdict = check(name, given)
        assert all(len(line) <= VERDICT_WIDTH for line in verdict.splitlines()), verdict
        assert verdict.split() == _verdict(EXERCISES[name], given).split()     # no word broken or lost


def test_typical_mistakes_get_their_own_hint():
    assert "biases" in said("parameters", 128 * 64 * 9)
    assert "group" in said("group_parameters", 96 * 48 * 9 + 96)
    assert "padding" in said("conv1d_length", 6)
    assert "without the flip" in said("flip", [4, 10])
    assert "zero padding" in said("padding_mode", [3, 6, 9, 12, 9])
    assert "after the input" in said("even_same", (3, 2))
    assert "swapped" in said("im2col_shape", (72, 400))
    assert "sign" in said("edge_value", -12)
    assert "channel 1's" in said("seed_value", 19)
    # the later notebooks: forgotten output_padding, padding that crops, one stamp of two, the
    # flip, counts that multiply, the stride, the tie, padding in the divisor, the jump, the
    # dilation, the causal layer's length
    assert "output_padding" in said("transpose_length", 16)
    assert "crops" in said("transpose_length", 21)
    assert "one stamp" in said("transpose_value", 2)
    assert "not flipped" in said("transpose_value", 7)
    assert "multiply" in said("stamp_count", 5)
    assert "stride" in said("weight_grad", 4 + 1 + 5 + 2 + 6)
    assert "one window" in said("input_grad", 12)
    assert "tie" in said("max_pool_tie", (6, 18))
    assert "inside the window" in said("max_pool_tie", [6, 1])
    assert "whole window" in said("avg_pool_divisor", 21 / 9)
    assert "whole window" in said("avg_pool_divisor", 2.33)
    assert "jump" in said("stem_field", 7 + 2 + 2)
    assert "dilation multiplies" in said("causal_reach", 6)
    assert "time 30 itself" in said("causal_reach", 27)
    assert "left only" in said("symmetric_padding", 30)


def test_the_later_answers_agree_with_pytorch():
    """The checkers of notebooks 08-11 compute with convcore; PyTorch computes the same answers
    from the same givens (transposed size and value, gradients, pooling with its index, the
    receptive field as the non-zero pattern of a gradient, a conv1d's length)."""
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    t = lambda a: torch.as_tensor(np.asarray(a, dtype=np.float64))
    ans = {name: _answer(name) for name in EXERCISES}

    layer = torch.nn.ConvTranspose1d(1, 1, kernel_size=5, stride=3, padding=2, output_padding=1)
    assert layer(torch.zeros(1, 1, 6)).shape[-1] == ans["transpose_length"]

    y = F.conv_transpose2d(t([[[[2, -1], [3, 4]]]]), t([[[[1, 2, 0], [0, 1, -1], [3, 1, 2]]]]), stride=2)
    assert y[0, 0, 2, 1].item() == ans["transpose_value"]
    y = F.conv_transpose2d(torch.ones(1, 1, 7, 7, dtype=torch.float64), torch.ones(1, 1, 5, 5, dtype=torch.float64), stride=2)
    assert y[0, 0, 8, 5].item() == ans["stamp_count"]

    x = t([[[3, -1, 4, 1, 5, 2, 6]]])
    w = torch.randn(1, 1, 3, dtype=torch.float64, requires_grad=True)
    b = torch.randn(1, dtype=torch.float64, requires_grad=True)
    F.conv1d(x, w, b, stride=2).sum().backward()
    assert w.grad[0, 0, 2].item() == ans["weight_grad"]

    x = torch.randn(1, 1, 7, dtype=torch.float64, requires_grad=True)
    out = F.conv1d(x, t([[[1, -3, 4]]]), stride=2)
    assert out.shape[-1] == 3
    (out * t([[[3, -2, 5]]])).sum().backward()
    assert x.grad[0, 0, 2].item() == ans["input_grad"]

    x = t([[[1, 3, 0, 2, 9], [2, 0, 5, 1, 4], [4, 1, 2, 6, 0], [1, 0, 1, 6, 3]]])
    v, i = F.max_pool2d(x, 2, return_indices=True)
    assert (v[0, 1, 1].item(), i[0, 1, 1].item()) == ans["max_pool_tie"]
    x = t([[[4, 1, 6, 2], [3, 5, 0, 7], [2, 8, 1, 3], [6, 0, 5, 2]]])
    assert F.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False)[0, 0, 1].item() == ans["avg_pool_divisor"]

    stem = torch.nn.Sequential(torch.nn.Conv2d(1, 1, 7, stride=2, padding=3), torch.nn.MaxPool2d(3, stride=2, padding=1),
                               torch.nn.Conv2d(1, 1, 3, padding=1)).double()
    with torch.no_grad():
        for conv in (stem[0], stem[2]):
            conv.weight.fill_(1.0)
    image = torch.rand(1, 1, 64, 64, dtype=torch.float64, requires_grad=True)
    stem(image)[0, 0, 4, 4].backward()     # an output away from the border
    rows = np.flatnonzero(image.grad[0, 0].abs().sum(axis=1).numpy())
    # a max pool passes the gradient to its winners only, so its pattern may be narrower;
    # with average pools and positive weights it is the whole receptive field
    assert rows.max() - rows.min() + 1 <= ans["stem_field"]
    stem_avg = torch.nn.Sequential(stem[0], torch.nn.AvgPool2d(3, stride=2, padding=1), stem[2]).double()
    image.grad = None
    stem_avg(image)[0, 0, 4, 4].backward()
    rows = np.flatnonzero(image.grad[0, 0].abs().sum(axis=1).numpy())
    assert rows.max() - rows.min() + 1 == ans["stem_field"]

    seq = torch.randn(1, 1, 40, dtype=torch.float64, requires_grad=True)
    h = seq
    for d in (1, 3, 9):
        h = F.conv1d(F.pad(h, (2 * d, 0)), torch.rand(1, 1, 3, dtype=torch.float64) + 0.5, dilation=d)
    h[0, 0, 30].backward()
    read = np.flatnonzero(seq.grad[0, 0].numpy())
    assert read.max() == 30 and (read < 30).sum() == ans["causal_reach"]

    assert torch.nn.Conv1d(1, 1, kernel_size=3, dilation=2, padding=4)(torch.zeros(1, 1, 30)).shape[-1] == ans["symmetric_padding"]


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
