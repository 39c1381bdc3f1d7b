"""The exercises of notebook 13: the checkers are right about right and wrong answers, their
hints never give the answer away, answers of the wrong type are told the type expected,
write-code exercises accept a correct function and name the mistake of a wrong one, design
problems accept every valid design and reject an invalid one, the stored notebook (run with
every answer left None and every function body empty) reveals no answer, and each folded
solution states the numbers the exercise computes (or, for code, passes its own check)."""
import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest

from convcore.course.exercises import EXERCISES, VERDICT_WIDTH, unwrapped_verdict, check, solution

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
sys.path.insert(0, str(NOTEBOOKS))
import claims  # noqa: E402  (notebooks/claims.py: the same number reader as the prose rule)

EXERCISES_NOTEBOOK = NOTEBOOKS / "13-exercises.ipynb"
NETWORK = "12-whole-network"
TOPICS = {"01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", NETWORK}
LATER = ("08", "09", "10", "11")   # notebooks that came after the first 14 exercises
PREDICT = [n for n, ex in EXERCISES.items() if ex.kind == "predict"]
CODE = [n for n, ex in EXERCISES.items() if ex.kind == "code"]
DESIGN = [n for n, ex in EXERCISES.items() if ex.kind == "design"]
EXERCISE_CELL = re.compile(r'check\("(\w+)", (?!")')   # an exercise's cell (not the demo of a typed string)


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
    """Wrong answers of the right type a learner is likely to give: near misses."""
    value = _answer(name)
    if isinstance(value, list) and isinstance(value[0], tuple):          # a list of shapes
        return [value[:-1], [tuple(v + 1 for v in shape) for shape in value], value[::-1]]
    if isinstance(value, (tuple, list)):
        wrong = [type(value)(v + 1 for v in value), type(value)(value[:-1])]
        return wrong + ([type(value)(reversed(value))] if len(set(value)) > 1 else [])
    return [value + 1, value - 1, -value if value else 1, 2 * value]


def _wrong_types(name):
    """Answers of the wrong type: the answer as a string, a number for a sequence (or a
    sequence for a number), a function."""
    value = _answer(name)
    other = 7 if isinstance(value, (tuple, list)) else (value, value)
    return [str(value), other, lambda: value]


def test_at_least_36_exercises_of_every_kind_cover_every_notebook():
    assert len(EXERCISES) >= 36
    assert len(CODE) >= 6 and len(DESIGN) >= 6
    assert {ex.topic for ex in EXERCISES.values()} == TOPICS
    assert len([n for n in PREDICT if EXERCISES[n].topic == NETWORK]) == 3
    ceil = [ex for ex in EXERCISES.values() if "ceil_mode=True" in ex.givens and "max_pool2d" in ex.givens]
    assert ceil and isinstance(ceil[0].answer(), tuple) and len(ceil[0].answer()) == 2     # 2-D


def test_each_later_notebook_has_at_least_two_exercises():
    for topic in LATER:
        assert sum(ex.topic == topic for ex in EXERCISES.values()) >= 2, topic


def _headed(notebook):
    """(number, notebook, exercise, part) for each exercise cell, from the heading
    "## N · title (notebook NN)" above it and the part ("# ...") it stands in."""
    headed, heading, part = [], None, ""
    for cell in notebook["cells"]:
        text = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            found = re.findall(r"^## (\d+) · .*\(notebook ([\w-]+)\)$", text, re.M)
            heading = found[-1] if found else heading
            parts = re.findall(r"^# (.*)$", text, re.M)
            part = parts[-1] if parts else part
        else:
            match = EXERCISE_CELL.search(text)
            if match:
                headed.append((int(heading[0]), heading[1], match.group(1), part))
                heading = None
    return headed


def test_the_notebook_asks_them_in_order_under_headings_that_name_their_notebook():
    """Each exercise is headed "## N · title (notebook NN)", N counting 1, 2, 3, ... in the
    notebook, and its notebook is the exercise's topic; the predictions on 01-07 come first,
    then those on 08-11, then writing code, designing layers, and last the whole network."""
    headed = _headed(json.loads(EXERCISES_NOTEBOOK.read_text()))
    assert [n for n, _, _, _ in headed] == list(range(1, len(EXERCISES) + 1))
    assert all(EXERCISES[name].topic == topic for _, topic, name, _ in headed), headed

    def group(name):
        ex = EXERCISES[name]
        if ex.topic == NETWORK:
            return 4
        return {"code": 2, "design": 3}.get(ex.kind, 1 if ex.topic in LATER else 0)
    groups = [group(name) for _, _, name, _ in headed]
    assert groups == sorted(groups) and set(groups) == {0, 1, 2, 3, 4}
    parts = {group(name): part for _, _, name, part in headed}
    assert parts[2] == "Write the code" and parts[3] == "Design a layer" and parts[4] == "A whole network"
    assert [name for _, _, name, _ in headed][-3:] == [n for n in PREDICT if EXERCISES[n].topic == NETWORK]


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
    for placeholder in (None, ...):
        verdict = check(name, placeholder)
        assert verdict.startswith("Not answered yet: replace None with your answer")
        assert name in CODE + DESIGN or not _shows(name, verdict), verdict


@pytest.mark.parametrize("name", PREDICT)
def test_a_wrong_answer_gets_a_hint_without_the_answer(name):
    for wrong in _typical_wrong(name):
        verdict = check(name, wrong)
        assert verdict.startswith("✗ Not quite"), (wrong, verdict)
        shown = set(claims.numbers(verdict))
        assert not (shown & _answer_numbers(name)), f"{name}: the hint for {wrong!r} gives away {shown & _answer_numbers(name)}: {verdict}"


@pytest.mark.parametrize("name", PREDICT)
def test_an_answer_of_the_wrong_type_is_told_the_type_expected(name):
    """The string '7' for 7, a number for a tuple (or a pair for a number), a function: the
    verdict names the type expected and the type given, and shows no number but the given's."""
    ex = EXERCISES[name]
    assert ex.form not in ("a number", "a list") or not isinstance(_answer(name), tuple)
    for wrong in _wrong_types(name):
        verdict = said(name, wrong)
        expected = "a whole number" if ex.form == "a number" and _answer(name) == int(_answer(name)) else ex.form
        assert verdict.startswith(f"✗ Expected {expected}"), (wrong, verdict)
        given_kind = {str: "the string", tuple: "the tuple", int: "the whole number"}.get(type(wrong), "the function")
        assert f"got {given_kind}" in verdict or (given_kind == "the whole number" and "got the number" in verdict), verdict
        if isinstance(wrong, str):
            assert "without the quotes" in verdict
    value = _answer(name)
    if not isinstance(value, (tuple, list)):
        assert said(name, str(value)).startswith(f"✗ Expected {'a whole number' if value == int(value) else 'a number'} such as {value}, got the string '{value}'")


@pytest.mark.parametrize("name", PREDICT)
def test_no_hint_contains_the_answer(name):
    """No hint, planted or general, contains a number of the answer."""
    ex = EXERCISES[name]
    for _, hint in ex.mistakes:
        assert not (set(claims.numbers(hint)) & _answer_numbers(name)), f"{name}: {hint}"
    assert not (set(claims.numbers(ex.general_hint)) & _answer_numbers(name)), ex.general_hint


def said(name, given) -> str:
    """A verdict as one line (it is printed wrapped between words)."""
    return " ".join(check(name, given).split())


@pytest.mark.parametrize("name", PREDICT)
def test_verdicts_are_wrapped_between_words(name):
    for given in (None, EXERCISES[name].answer(), *_typical_wrong(name), *_wrong_types(name)):
        verdict = check(name, given)
        assert all(len(line) <= VERDICT_WIDTH for line in verdict.splitlines()), verdict
        assert verdict.split() == unwrapped_verdict(EXERCISES[name], given).split()     # no word broken or lost


@pytest.mark.parametrize("name", PREDICT)
def test_each_planted_mistake_gets_its_own_hint(name):
    """Every planted mistake carries answers it catches (its test's ``examples``, as the lessons'
    questions do), and each of them gets that mistake's hint: no mistake hides behind an earlier one."""
    for test, hint in EXERCISES[name].mistakes:
        assert test.examples, f"{name}: a mistake without an example: {hint}"
        for wrong in test.examples:
            assert said(name, wrong) == "✗ Not quite. " + " ".join(hint.split()), (name, wrong)


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
    assert "batch" in said("conv2d_shape", (1, 16, 32, 32))
    from convcore.examples import get
    assert "channel 0's" in said("seed_partial", get("seed_conv2d").trace().step_at(1, (2, 0)).partial_sums[0].item())
    assert "row 0" in said("pointwise_value", 2 * 3 - 30)
    assert "spread the taps" in said("stride_dilation", 7)
    assert "biases" in said("separable_parameters", 216 + 960)
    # 2-D ceil_mode and the whole network
    assert "ceil_mode=False" in said("ceil_mode_2d", (3, 3))
    assert "divide by the stride exactly" in said("ceil_mode_2d", (4, 4))
    assert "Rows come first" in said("ceil_mode_2d", (4, 3))
    assert "biases" in said("network_parameters", 8 * 9 + 16 * 8 * 9 + 64 * 10)
    assert "Linear layer has parameters" in said("network_parameters", 80 + 1168)
    assert "starts with the input" in said("network_shapes", [(1, 8, 8), *_answer("network_shapes")])
    assert "padding" in said("network_shapes", [(8, 6, 6), (8, 6, 6), (8, 3, 3)])
    assert "Flatten" in said("network_shapes", [*_answer("network_shapes")[:6], (16,), (10,)])
    assert "ReLU is a layer" in said("network_shapes", [s for i, s in enumerate(_answer("network_shapes")) if i not in (1, 4)])
    assert "jump" in said("network_field", 3 + 2)


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


def test_the_first_answers_agree_with_pytorch_and_numpy():
    """The checkers of notebooks 01-07 compute with convcore; PyTorch (and np.convolve for the
    flip) compute answers from the same givens, and check accepts each of them."""
    torch = pytest.importorskip("torch")
    from convcore.examples import get
    nn, F = torch.nn, torch.nn.functional
    t = lambda a: torch.as_tensor(np.asarray(a, dtype=np.float64))
    seed = get("seed_conv2d")
    seed_out = F.conv2d(t(seed.input)[None], t(seed.weight))[0]
    channel_1 = F.conv2d(t(seed.input)[None, 1:2], t(seed.weight)[:, 1:2])[0]
    image = t([[[1, 2], [3, 4]], [[10, 20], [30, 40]]])[None]
    reflect = F.conv1d(F.pad(t([[1, 2, 3, 4, 5]])[None], (1, 1), mode="reflect"), t([[[1, 1, 1]]]))[0, 0]
    impulse = F.conv1d(t([[range(1, 11)]]), t([[[1, 0, 0, 0, 0, 0]]]), padding="same")[0, 0]
    before = int((impulse == 0).sum())        # out[i] = x[i − before]: the zeros read the left padding
    sobel = t([[[[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]]])
    edge = F.conv2d(t([[[0, 0, 4, 4], [0, 0, 4, 4], [0, 2, 2, 2], [0, 2, 2, 2]]]), sobel)[0, 0, 1]
    numel = lambda *layers: sum(p.numel() for layer in layers for p in layer.parameters())
    oracle = {
        "conv1d_length": nn.Conv1d(1, 1, 5, stride=3, padding=2)(torch.zeros(1, 1, 20)).shape[-1],
        "conv2d_shape": tuple(F.conv2d(torch.zeros(3, 32, 32), torch.zeros(16, 3, 5, 5), padding=2).shape),
        "seed_value": seed_out[0, 2, 1].item(),
        "seed_partial": channel_1[1, 2, 0].item(),
        "pointwise_value": F.conv2d(image, t([[[[2]], [[-1]]], [[[1]], [[3]]]]))[0, 1, 1, 0].item(),
        "padding_mode": reflect.tolist(),
        "even_same": (before, 6 - 1 - before),
        "stride_dilation": nn.Conv2d(1, 1, 3, stride=2, dilation=2)(torch.zeros(1, 1, 15, 15)).shape[-1],
        "parameters": numel(nn.Conv2d(64, 128, 3)),
        "group_parameters": numel(nn.Conv2d(48, 96, 3, groups=4)),
        "separable_parameters": numel(nn.Conv2d(24, 24, 3, groups=24), nn.Conv2d(24, 40, 1)),
        "im2col_shape": tuple(F.unfold(torch.zeros(1, 8, 20, 20), 3, padding=1)[0].T.shape),
        "flip": np.convolve([2, 1, 0, 3], [1, 2, 3], mode="valid").tolist(),
        "edge_value": edge.item(),
    }
    assert set(oracle) == {n for n in PREDICT if EXERCISES[n].topic not in LATER + (NETWORK,)}
    for name, value in oracle.items():
        assert check(name, value).startswith("✓"), (name, value, check(name, value))


def test_ceil_mode_and_the_whole_network_agree_with_pytorch():
    """2-D ceil_mode's shape, and the whole network's parameters (with biases), the shape after
    each layer and the receptive field of its last convolution, from PyTorch: the field is the
    non-zero pattern of an input gradient, with average pools and positive weights, for an
    output away from the border of a larger image."""
    torch = pytest.importorskip("torch")
    nn = torch.nn
    x = torch.zeros(1, 1, 7, 8)
    assert tuple(nn.functional.max_pool2d(x, 3, stride=2, ceil_mode=True).shape[-2:]) == _answer("ceil_mode_2d")

    def digits(pool=nn.MaxPool2d):
        return nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), pool(2),
                             nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), pool(2),
                             nn.Flatten(0), nn.Linear(64, 10)).double()
    net = digits()
    assert sum(p.numel() for p in net.parameters()) == _answer("network_parameters") == 1898
    shapes, h = [], torch.zeros(1, 8, 8, dtype=torch.float64)
    for layer in net:
        h = layer(h)
        shapes.append(tuple(h.shape))
    assert shapes == _answer("network_shapes")

    stack = digits(nn.AvgPool2d)[:4]
    with torch.no_grad():
        for conv in (stack[0], stack[3]):
            conv.weight.uniform_(0.5, 1.0)
    image = torch.rand(1, 1, 32, 32, dtype=torch.float64, requires_grad=True)
    stack(image)[:, 5, 8, 8].sum().backward()
    rows = np.flatnonzero(image.grad[0, 0].abs().sum(axis=1).numpy())
    assert rows.max() - rows.min() + 1 == _answer("network_field")


# -- write the code ---------------------------------------------------------------------------
def _torch_functions():
    """Right answers to the write-code exercises, computed by PyTorch (the independent oracle)."""
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    t = lambda a: torch.as_tensor(np.asarray(a, dtype=np.float64))

    def conv1d_valid(x, w):
        return F.conv1d(t(x)[None, None], t(w)[None, None])[0, 0].numpy()

    def output_length(n, k, stride, padding, dilation):
        return torch.nn.Conv1d(1, 1, k, stride=stride, padding=padding, dilation=dilation)(torch.zeros(1, 1, n)).shape[-1]

    def conv2d_one(x, w):
        return F.conv2d(t(x)[None, None], t(w)[None, None])[0, 0].numpy()

    def max_pool_indices(x, k):
        return F.max_pool2d(t(x)[None, None], k, return_indices=True)[1][0, 0].numpy()

    def im2col(x, k):
        return F.unfold(t(x)[None], k)[0].T.numpy()

    def transposed_length(n, k, stride, padding, output_padding):
        layer = torch.nn.ConvTranspose1d(1, 1, k, stride=stride, padding=padding, output_padding=output_padding)
        return layer(torch.zeros(1, 1, n)).shape[-1]

    def conv_transpose1d(x, w, stride):
        return F.conv_transpose1d(t(x)[None, None], t(w)[None, None], stride=stride)[0, 0].numpy()

    return dict(code_conv1d=conv1d_valid, code_output_size=output_length, code_conv2d=conv2d_one,
                code_max_pool_indices=max_pool_indices, code_im2col=im2col,
                code_transpose_length=transposed_length, code_conv_transpose1d=conv_transpose1d)


def test_every_write_code_exercise_accepts_pytorchs_answer():
    functions = _torch_functions()
    assert set(functions) == set(CODE)
    for name, function in functions.items():
        assert check(name, function).startswith("✓ Right on all"), (name, check(name, function))


@pytest.mark.parametrize("name", CODE)
def test_a_mistaken_function_is_told_where_and_which_mistake_without_the_answer(name):
    """Every planted mistake, written as a learner's function, gets its own hint, names the
    input it failed on, and never shows the values convcore expected there."""
    ex = EXERCISES[name]
    assert len(ex.mistakes) >= 2
    for mistaken, hint in ex.mistakes:
        verdict = said(name, mistaken)
        assert verdict.startswith("✗ For ") and " ".join(hint.split()) in verdict, verdict
        failing = next(case for case in ex.cases() if verdict.startswith("✗ For " + _said_inputs(case)))
        expected = np.asarray(ex.answer()(*failing.values()))
        if expected.ndim:
            assert str(expected.tolist())[1:-1] not in verdict, verdict
        else:
            assert verdict.count(str(expected.item())) <= " ".join(_said_inputs(failing).split()).count(str(expected.item())), verdict


def _said_inputs(case):
    from convcore.course.exercises.core import _inputs
    return " ".join(_inputs(case).split())


def test_typical_learner_mistakes_in_code_get_their_hint():
    """Functions a learner would write: np.convolve's flip, a loop one short, the place inside
    the window, a float division, = where stamps must add up."""
    def flipped(x, w):
        return np.convolve(x, w, mode="valid")

    def one_short(x, w):
        return np.array([np.sum(x[o:o + len(w)] * w) for o in range(len(x) - len(w))])

    def in_window(x, k):
        return np.array([[np.argmax(x[i * k:i * k + k, j * k:j * k + k]) for j in range(x.shape[1] // k)]
                         for i in range(x.shape[0] // k)])

    def true_division(n, k, stride, padding, dilation):
        return (n + 2 * padding - dilation * (k - 1) - 1) / stride + 1

    def overwrite(x, w, stride):
        out = np.zeros((len(x) - 1) * stride + len(w))
        for i, v in enumerate(x):
            out[i * stride:i * stride + len(w)] = v * w
        return out

    def flipped2d(x, w):
        return np.array([[np.sum(x[r:r + w.shape[0], c:c + w.shape[1]] * w[::-1, ::-1])
                          for c in range(x.shape[1] - w.shape[1] + 1)] for r in range(x.shape[0] - w.shape[0] + 1)])

    assert "kernel was flipped" in said("code_conv1d", flipped)
    assert "did you forget the +1" in said("code_conv1d", one_short)
    assert "kernel was flipped" in said("code_conv2d", flipped2d)
    assert "place inside the window" in said("code_max_pool_indices", in_window)
    assert "not a whole number: round down with //" in said("code_output_size", true_division)
    assert "add up" in said("code_conv_transpose1d", overwrite)


@pytest.mark.parametrize("name", CODE)
def test_an_empty_body_or_a_number_is_not_a_function_answer(name):
    def stub(*args):
        ...
    assert check(name, stub).startswith("Not answered yet: stub returns None")
    assert said(name, 7).startswith(f"✗ Expected {EXERCISES[name].form}, got the whole number 7: define the function")

    def raises(*args):
        raise IndexError("index 9 is out of bounds")
    assert said(name, raises).startswith("✗ For ") and "raises raised IndexError: index 9 is out of bounds" in said(name, raises)


def test_the_cases_are_seeded():
    for name in CODE:
        first, again = EXERCISES[name].cases(), EXERCISES[name].cases()
        assert len(first) >= 4
        assert all(a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a) for a, b in zip(first, again))


# -- design a layer -----------------------------------------------------------------------------
def _designs():
    """Per design problem: several valid designs and invalid ones, each judged by PyTorch."""
    torch = pytest.importorskip("torch")
    nn, F = torch.nn, torch.nn.functional
    z = torch.zeros

    def length(layer, n):
        return layer(z(1, 1, n)).shape[-1]

    def field(layers, n=128, at=8):
        """Receptive field of one output, by PyTorch: the span of the input gradient's non-zeros."""
        x = torch.rand(1, 1, n, dtype=torch.float64, requires_grad=True)
        h = x
        for conv in layers:
            h = conv(h)
        h[0, 0, at].backward()
        read = np.flatnonzero(x.grad[0, 0].numpy())
        return read.min(), read.max(), len(read)

    def conv(stride=1, dilation=1, causal=False, k=3):
        layer = nn.Conv1d(1, 1, k, stride=stride, dilation=dilation, bias=False).double()
        nn.init.uniform_(layer.weight, 0.5, 1.0)
        pad = dilation * (k - 1)
        return (lambda h: layer(F.pad(h, (pad, 0)))) if causal else layer

    def stamps(d):
        counts = F.conv_transpose1d(torch.ones(1, 1, 12), torch.ones(1, 1, d["kernel_size"]), stride=d["stride"])[0, 0]
        inner = counts[d["kernel_size"]:-d["kernel_size"]]
        return d["stride"] >= 2 and len(set(inner.tolist())) == 1

    def field_of(d):
        lo, hi, _ = field([conv(**d[0]), conv(**d[1])])
        return hi - lo + 1 == 9

    def causal_of(d):
        lo, hi, count = field([conv(dilation=di, causal=True, k=2) for di in d], n=64, at=40)
        return (lo, hi, count) == (40 - 15, 40, 16)

    return {
        "design_halve": (lambda d: d["kernel_size"] >= 3 and length(nn.Conv1d(1, 1, d["kernel_size"], d["stride"], d.get("padding", 0)), 64) == 32,
                         [dict(kernel_size=3, stride=2, padding=1), dict(kernel_size=4, stride=2, padding=1), dict(kernel_size=6, stride=2, padding=2), dict(kernel_size=33, stride=1, padding=0)],
                         [dict(kernel_size=3, stride=2, padding=0), dict(kernel_size=2, stride=2, padding=0), dict(kernel_size=3, stride=1, padding=1)]),
        "design_wide_same": (lambda d: d["dilation"] * (d["kernel_size"] - 1) + 1 >= 9 and length(nn.Conv1d(1, 1, d["kernel_size"], padding=d["padding"], dilation=d["dilation"]), 50) == 50,
                             [dict(kernel_size=9, dilation=1, padding=4), dict(kernel_size=3, dilation=4, padding=4), dict(kernel_size=5, dilation=3, padding=6)],
                             [dict(kernel_size=3, dilation=1, padding=1), dict(kernel_size=3, dilation=4, padding=1)]),
        "design_stem": (lambda d: tuple(nn.Conv2d(d["in_channels"], d["out_channels"], d["kernel_size"], d["stride"], d["padding"])(z(1, 3, 224, 224)).shape) == (1, 64, 112, 112),
                        [dict(in_channels=3, out_channels=64, kernel_size=7, stride=2, padding=3), dict(in_channels=3, out_channels=64, kernel_size=3, stride=2, padding=1), dict(in_channels=3, out_channels=64, kernel_size=2, stride=2, padding=0)],
                        [dict(in_channels=3, out_channels=64, kernel_size=7, stride=2, padding=0)]),
        "design_field": (field_of,
                         [[dict(stride=1, dilation=2), dict(stride=1, dilation=2)], [dict(stride=2, dilation=2), dict(stride=1, dilation=1)],
                          [dict(stride=1, dilation=1), dict(stride=1, dilation=3)], [dict(stride=3, dilation=1), dict(stride=2, dilation=1)]],
                         [[dict(stride=1, dilation=1), dict(stride=1, dilation=1)], [dict(stride=2, dilation=1), dict(stride=1, dilation=3)]]),
        "design_causal": (causal_of, [(1, 2, 4, 8), (8, 4, 2, 1), (2, 1, 8, 4)], [(1, 2, 3, 4), (1, 1, 5, 8)]),
        "design_upsample": (lambda d: length(nn.ConvTranspose1d(1, 1, d["kernel_size"], d["stride"], d.get("padding", 0), d.get("output_padding", 0)), 16) == 32,
                            [dict(kernel_size=4, stride=2, padding=1), dict(kernel_size=3, stride=2, padding=1, output_padding=1), dict(kernel_size=2, stride=2)],
                            [dict(kernel_size=3, stride=2, padding=1), dict(kernel_size=3, stride=1)]),
        "design_even_stamps": (stamps, [dict(kernel_size=2, stride=2), dict(kernel_size=4, stride=2), dict(kernel_size=6, stride=3)],
                               [dict(kernel_size=3, stride=2), dict(kernel_size=1, stride=2)]),
    }


def test_design_problems_accept_every_valid_design_and_reject_an_invalid_one():
    designs = _designs()
    assert set(designs) == set(DESIGN)
    for name, (valid_by_pytorch, valid, invalid) in designs.items():
        assert valid_by_pytorch(EXERCISES[name].answer()), name     # the computed answer is valid too
        for design in valid:
            assert valid_by_pytorch(design), (name, design)
            assert said(name, design).startswith("✓ Right: that design works"), (name, design, said(name, design))
        for design in invalid:
            assert not valid_by_pytorch(design), (name, design)
            assert said(name, design).startswith("✗ Not quite:"), (name, design, said(name, design))


def test_a_design_that_misses_says_what_it_gives_and_why():
    assert "length 31; the target is 32. One short" in said("design_halve", dict(kernel_size=3, stride=2))
    assert "must be at least 3" in said("design_halve", dict(kernel_size=2, stride=2, padding=0))
    assert "the dilation included" in said("design_wide_same", dict(kernel_size=3, dilation=4, padding=1))
    assert "in_channels is what comes in" in said("design_stem", dict(in_channels=64, out_channels=3, kernel_size=7, stride=2, padding=3))
    assert "sees 15 input positions; the target is 9. The first layer's stride multiplies" in said(
        "design_field", [dict(stride=2), dict(dilation=3)])
    assert "reads only 12 of them" in said("design_causal", (1, 1, 5, 8))
    assert "output_padding gives a position back" in said("design_upsample", dict(kernel_size=3, stride=2, padding=1))
    assert "no stamp at all" in said("design_even_stamps", dict(kernel_size=1, stride=2))
    # settings convcore refuses, and unknown or missing settings, in the learner's words
    assert "cannot run: transpose_output_size: `output_padding` must be smaller" in said(
        "design_upsample", dict(kernel_size=3, stride=2, output_padding=2))
    assert "unknown setting kernel; the settings are kernel_size, stride, padding" in said("design_halve", dict(kernel=3))
    assert "the setting kernel_size is missing" in said("design_even_stamps", dict(stride=2))
    # the wrong type
    assert said("design_halve", (3, 2, 1)).startswith("✗ Expected a dict such as dict(kernel_size=..., stride=..., padding=...), got the tuple (3, 2, 1)")
    assert said("design_field", dict(stride=2)).startswith("✗ Expected a list of two dicts")


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


GIVENS = re.compile(r"\[This checker works on: .*?\.\]", re.S)


def _shows(name, text):
    """Whether ``text`` shows exercise ``name``'s answer: a tuple or list in its usual
    spellings, a number as a number of its own (so answer 4 is not found in 14)."""
    if isinstance(_answer(name), (tuple, list)):
        return any(form in text for form in _answer_texts(name))
    return str(_answer(name)) in claims.numbers(text)


def test_an_exercise_states_no_answer_among_its_givens():
    for name in PREDICT:
        ex = EXERCISES[name]
        assert not _shows(name, ex.givens), f"{name}: its givens contain its answer: {ex.givens}"


def test_the_stored_notebook_reveals_no_answer():
    """Run with every answer left None and every function body empty, the notebook shows each
    question's givens (which prove the Markdown states the problem the checker checks) and
    nothing else with a number in it that could be an answer: no output, givens aside, shows
    any prediction's answer; every exercise's own output says it is not answered yet."""
    notebook = json.loads(EXERCISES_NOTEBOOK.read_text())
    outputs = _stored_outputs(notebook)
    assert outputs, "the notebook must be stored executed"
    sources = "".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code")
    assert "answer = None" in sources and ".answer()" not in sources and "solution(" not in sources
    assert "reference_" not in sources and "import torch" not in sources
    for name in PREDICT:
        for text in outputs:
            assert not _shows(name, GIVENS.sub(" ", text)), f"{name}: a stored output shows its answer: {text}"
    own = {}
    for cell in notebook["cells"]:
        match = EXERCISE_CELL.search("".join(cell["source"])) if cell["cell_type"] == "code" else None
        if match:
            own[match.group(1)] = "".join(_stored_outputs({"cells": [cell]}))
    assert set(own) == set(EXERCISES)
    for name in EXERCISES:
        assert own[name].startswith("Not answered yet"), own[name]
        assert name not in PREDICT or not _shows(name, own[name]), f"{name}: its own output shows its answer: {own[name]}"
    for name in CODE:     # the stub: a function whose body is only ...
        cell = next(c for c in notebook["cells"] if c["cell_type"] == "code" and f'check("{name}"' in "".join(c["source"]))
        assert re.search(r"def \w+\(.*\):\n    \.\.\.", "".join(cell["source"])), name


def _solutions_by_exercise(notebook):
    """Each folded solution, keyed by the exercise its code cell (right before it) checks."""
    found, last = {}, None
    for cell in notebook["cells"]:
        text = "".join(cell["source"])
        if cell["cell_type"] == "code":
            match = EXERCISE_CELL.search(text)
            last = match.group(1) if match else None
        elif "<details>" in text:
            assert last is not None, f"a solution with no exercise before it: {text[:80]}"
            found[last] = re.search(r"<details>(.*?)</details>", text, re.S).group(1)
    return found


def test_every_exercise_has_one_folded_solution_with_the_computed_numbers():
    """The prose rule of notebooks/claims.py leaves <details> out; this proves them instead:
    every number a folded solution states is in the exercise's computed working or its
    givens, and the solution states the computed answer (a design: the computed design's
    numbers). A write-code exercise's folded solution is code: run, it passes its own check."""
    notebook = json.loads(EXERCISES_NOTEBOOK.read_text())
    solutions = _solutions_by_exercise(notebook)
    assert set(solutions) == set(EXERCISES)
    for name, text in solutions.items():
        ex = EXERCISES[name]
        if name in CODE:
            code = re.search(r"```py\n(.*?)```", text, re.S).group(1)
            scope = {"np": np}
            exec(code, scope)
            function = next(v for k, v in scope.items() if callable(v) and k not in ("np", "__builtins__"))
            assert check(name, function).startswith("✓ Right on all"), (name, check(name, function))
            continue
        stated = set(claims.numbers(text.replace("Solution", "")))
        computed = set(claims.numbers(solution(name))) | set(claims.numbers(ex.givens))
        computed |= {n.lstrip("-") for n in computed}
        assert stated <= computed, f"{name}: the solution states {stated - computed}, which the exercise does not compute"
        assert _answer_numbers(name) <= stated, f"{name}: the solution does not state the answer"
