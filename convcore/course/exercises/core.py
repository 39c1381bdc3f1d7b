"""The one mechanism behind every exercise: an ``Exercise`` knows its answer (computed, never
typed in) and how to judge a given one; ``check`` says ✓ or gives a hint that never states
the answer.

Three kinds share it:

* ``Exercise`` (predict): a number, a shape or a list, compared with the computed answer;
  planted mistakes get their own hint;
* ``CodeExercise`` (write code): the learner's function runs on seeded random inputs and is
  compared with convcore's; a mismatch says for which input, what kind or shape was
  expected, and which mistake the output looks like (a flipped kernel, a missing +1);
* ``DesignExercise`` (design a layer): any settings that reach the target are right; convcore
  computes what the given settings do, so the hint says what they give instead.

Before any of them judges, an answer of the wrong type (the string '7' for the number 7, a
tuple for a number, a function for a number) is told which type is expected.
"""
from __future__ import annotations

import ast
import numbers
import textwrap
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ...api import explain_output_size, output_size
from ...transpose import explain_transpose_output_size, transpose_output_size


def conv_parameters(c_in, c_out, k, groups=1, bias=True) -> int:
    """Learnable numbers of nn.Conv2d(c_in, c_out, k, groups=groups, bias=bias)."""
    return c_out * (c_in // groups) * k * k + (c_out if bias else 0)


def separable_parameters(c_in, c_out, k, bias=True) -> int:
    """Learnable numbers of a depthwise k×k layer on c_in channels, then a 1×1 layer to c_out."""
    return conv_parameters(c_in, c_in, k, groups=c_in, bias=bias) + conv_parameters(c_in, c_out, 1, bias=bias)


# -- comparing answers -----------------------------------------------------------------
def _nested(value) -> bool:
    return isinstance(value, (list, tuple)) and any(isinstance(v, (list, tuple)) for v in value)


def same(given, expected) -> bool:
    """Whether ``given`` is ``expected``: numbers, arrays, lists and tuples alike (a list is
    as good as a tuple), a list of shapes element by element."""
    if _nested(expected):
        return (isinstance(given, (list, tuple)) and len(given) == len(expected)
                and all(same(g, e) for g, e in zip(given, expected)))
    try:
        g, e = np.asarray(given), np.asarray(expected)
        return g.shape == e.shape and g.dtype.kind in "iuf" and bool(np.array_equal(g, e))
    except Exception:  # an answer of the wrong kind is simply wrong
        return False


# A planted mistake is (test, hint): when test(given) holds, the hint names the step that went
# wrong. Every test carries ``examples``, answers it catches, so the tests can give each one and
# read back its hint.
def equals(*values) -> Callable[[object], bool]:
    """A test that holds when the given answer is any of ``values`` (its examples)."""
    return when(lambda given: any(same(given, v) for v in values), *values)


def near(*values, tol=0.01) -> Callable[[object], bool]:
    """A test that holds when the given number is within ``tol`` of any of ``values``
    (a learner writes 7/3 as 2.33); its examples are ``values``."""
    def test(given):
        try:
            g = np.asarray(given)
            return g.shape == () and g.dtype.kind in "iuf" and any(abs(float(g) - v) <= tol for v in values)
        except Exception:
            return False
    return when(test, *values)


def when(test: Callable[[object], bool], *examples) -> Callable[[object], bool]:
    """``test``, with ``examples``: answers it catches (for a test written as a condition on the
    answer, such as a tuple of the wrong length)."""
    test.examples = examples
    return test


# -- the type of an answer ---------------------------------------------------------------
def _kind(value) -> str:
    """"number", "sequence", "function", "settings", "text", "truth value" or "other"."""
    if isinstance(value, (bool, np.bool_)):
        return "truth value"
    if isinstance(value, (numbers.Number, np.generic)) or (isinstance(value, np.ndarray) and value.ndim == 0):
        return "number"
    if isinstance(value, (list, tuple, np.ndarray)):
        return "sequence"
    if isinstance(value, dict):
        return "settings"
    if isinstance(value, str):
        return "text"
    return "function" if callable(value) else "other"


def _whole(value) -> bool:
    return _kind(value) == "number" and float(np.real(value)) == int(np.real(value))


def _shown(value) -> str:
    """The learner's own answer, named by its type (``the string '7'``, ``the tuple (1, 2)``)."""
    text = repr(value) if not isinstance(value, np.ndarray) else f"shape {value.shape}"
    text = text if len(text) <= 60 else text[:57] + "..."
    kind = _kind(value)
    if kind == "number":
        return f"the {'whole ' if _whole(value) else ''}number {value}"
    if kind == "function":
        return f"the function {getattr(value, '__name__', 'you gave')}"
    names = {"text": "the string", "truth value": "the truth value", "settings": "the dict", "other": "the value"}
    return f"{names.get(kind, 'the ' + type(value).__name__)} {text}"


def _read_text(text: str):
    try:
        return ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None


def _wrong_type(ex: "Exercise", given) -> str | None:
    """The message for an answer of the wrong type, or None when its type is right."""
    want = _kind(ex.answer())
    got = _kind(given)
    if got == want:
        return None
    expected = ex.form
    if want == "number" and ex.form == "a number" and _whole(ex.answer()):
        expected = "a whole number"
    advice = ""
    if got == "text" and _kind(_read_text(given)) == want:
        if want == "number" and _whole(_read_text(given)) == _whole(ex.answer()):
            expected += f" such as {given.strip()}"
        advice = ": write it without the quotes"
    elif got == "function":
        advice = ": put its result in answer, not the function itself"
    elif want == "function":
        advice = ": define the function with def above, then pass its name, without brackets"
    elif want == "number" and got == "sequence":
        advice = ": one number, not several"
    return f"✗ Expected {expected}, got {_shown(given)}{advice}."


# -- the exercises -----------------------------------------------------------------------
@dataclass(frozen=True)
class Exercise:
    name: str
    topic: str                             # the notebook it practises ("01", ..., "12-whole-network")
    givens: str                            # the numbers the checker works on, as the question states them
    answer: Callable[[], object]           # computed, never typed in
    solution: Callable[[], str]           # the working, with the numbers filled in
    form: str = "a number"                 # what kind of answer is expected
    # (test, hint): when test(given) holds, the hint names the step that went wrong.
    # Hints never contain the answer.
    mistakes: tuple[tuple[Callable[[object], bool], str], ...] = field(default_factory=tuple)
    general_hint: str = ""
    kind = "predict"                       # "predict", "code" or "design" (a class attribute)

    def right(self, given) -> str:
        working = self.solution()
        return f"✓ Right. {working[0].upper()}{working[1:]}."

    def judge(self, given) -> str:
        """The verdict on an answer of the right type: ✓ with the working, or a hint."""
        if same(given, self.answer()):
            return self.right(given)
        for test, hint in self.mistakes:
            try:
                matched = bool(test(given))
            except Exception:
                matched = False
            if matched:
                return f"✗ Not quite. {hint}"
        expected = self.answer()
        if _kind(expected) == "sequence" and len(given) != len(expected):
            more = "more" if len(given) > len(expected) else "fewer"
            return f"✗ Not quite: the answer is {self.form}, and yours has {more} items than that. {self.general_hint}"
        return f"✗ Not quite. {self.general_hint}"


@dataclass(frozen=True)
class CodeExercise(Exercise):
    """Write a function: ``answer()`` is convcore's (the oracle); ``cases()`` the seeded random
    inputs it is run on, as dicts in the function's argument order (every function is called
    with them as positional arguments), small ones first; ``mistakes`` holds (mistaken
    implementation, hint): a function whose output agrees with the mistaken one where it
    disagrees with convcore's gets that hint."""
    cases: Callable[[], list[dict]] = list
    kind = "code"

    def judge(self, given) -> str:
        cases = self.cases()
        for args in cases:
            expected = self.answer()(*args.values())
            try:
                got = given(*(np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in args.values()))
            except Exception as error:   # the learner's code: any error is theirs to read
                return f"✗ For {_inputs(args)}, {_name(given)} raised {type(error).__name__}: {error}"
            if got is None:
                return (f"Not answered yet: {_name(given)} returns None. Write its body, ending with "
                        f"return, and run this cell again.\n[This checker works on: {self.givens}.]")
            problem = _difference(got, expected)
            if problem:
                hint = next((h for mistaken, h in self.mistakes if _matches(got, mistaken, args)), self.general_hint)
                return f"✗ For {_inputs(args)}, {problem}. {hint}"
        working = self.solution()
        return f"✓ Right on all {len(cases)} inputs. {working[0].upper()}{working[1:]}."


def _name(function) -> str:
    return getattr(function, "__name__", "your function")


def _inputs(args: dict) -> str:
    def one(name, value):
        a = np.asarray(value)
        return f"{name} = {value!r}" if a.ndim == 0 else f"{name} = {a.tolist()}"
    return ", ".join(one(k, v) for k, v in args.items())


def _matches(got, mistaken, args) -> bool:
    try:
        g, m = np.asarray(got, dtype=float), np.asarray(mistaken(*args.values()), dtype=float)
        return g.shape == m.shape and bool(np.allclose(g, m))
    except Exception:
        return False


def _difference(got, expected) -> str | None:
    """What is wrong with a function's output, in words that never show the expected values."""
    if _kind(expected) == "number":
        if _kind(got) != "number":
            return f"it returned {_shown(got)}; expected {'a whole number' if _whole(expected) else 'a number'}"
        if _whole(expected) and not _whole(got):
            return f"it returned {got}, not a whole number: round down with //"
        return None if got == expected else f"it returned {got}, which is not right"
    try:
        g = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return f"it returned {_shown(got)}; expected an array of numbers of shape {np.shape(expected)}"
    e = np.asarray(expected)
    if g.shape != e.shape:
        return f"it returned shape {g.shape}; expected shape {e.shape}"
    wrong = np.argwhere(~np.isclose(g, e))
    if not len(wrong):
        return None
    first = tuple(int(i) for i in wrong[0])
    return (f"the shape {g.shape} is right, but {len(wrong)} of its {e.size} values "
            f"{'is' if len(wrong) == 1 else 'are'} wrong, the first at index {first[0] if len(first) == 1 else first}")


@dataclass(frozen=True)
class DesignExercise(Exercise):
    """Choose a layer's settings: any answer ``problem(given)`` finds nothing wrong with is right.
    ``problem`` computes what the given settings do with convcore and returns None when they
    reach the target, else what they give instead; ``answer()`` is one valid design, found by
    a search with the same ``problem``. ``mistakes`` are (test, hint) as for a prediction."""
    problem: Callable[[object], str | None] = lambda given: "no checker"
    kind = "design"

    def right(self, given) -> str:
        return f"✓ Right: that design works. {self.solution()[0].upper()}{self.solution()[1:]}."

    def judge(self, given) -> str:
        try:
            problem = self.problem(given)
        except (ValueError, TypeError, KeyError) as error:   # convcore's own explanation of the settings
            return f"✗ Not quite: those settings cannot run: {str(error.args[0] if error.args else error).rstrip('.')}."
        if problem is None:
            return self.right(given)
        for test, hint in self.mistakes:
            try:
                if test(given):
                    return f"✗ Not quite: {problem}. {hint}"
            except Exception:
                continue
        return f"✗ Not quite: {problem}. {self.general_hint}"


def settings(given, keys: tuple[str, ...], defaults: dict | None = None) -> dict:
    """A design's settings as a dict with exactly ``keys``; a missing key takes its default
    (when it has one), an unknown key is an error in the learner's words."""
    defaults = defaults or {}
    unknown = set(given) - set(keys)
    if unknown:
        raise KeyError(f"unknown setting {', '.join(sorted(unknown))}; the settings are {', '.join(keys)}")
    missing = [k for k in keys if k not in given and k not in defaults]
    if missing:
        raise KeyError(f"the setting {', '.join(missing)} is missing")
    return {k: given.get(k, defaults.get(k)) for k in keys}


def first_valid(problem: Callable[[object], str | None], candidates) -> object:
    """The first candidate design that ``problem`` accepts (a design's computed answer)."""
    for candidate in candidates:
        try:
            if problem(candidate) is None:
                return candidate
        except (ValueError, TypeError, KeyError):
            continue
    raise AssertionError("no valid design among the candidates")


EXERCISES: dict[str, Exercise] = {}


def register(ex: Exercise, registry: dict[str, Exercise] | None = None) -> None:
    """Register ``ex`` among the exercises (or in ``registry``: the lessons' questions)."""
    (EXERCISES if registry is None else registry)[ex.name] = ex


def separable_exercise(name, topic, givens, sizes: tuple[int, int, int], solution,
                       registry: dict[str, Exercise] | None = None) -> None:
    """Register a depthwise-separable block's parameter count (``sizes``: C_in, C_out, k), as an
    exercise or, with ``registry``, a lesson's question, with the three usual mistakes planted:
    no biases, one full k×k layer, a depthwise layer that reads every channel."""
    c_in, c_out, k = sizes
    register(Exercise(name, topic, givens=givens, answer=lambda: separable_parameters(*sizes), solution=solution,
                      mistakes=(
                          (equals(separable_parameters(*sizes, bias=False)),
                           "You left out the biases: both layers have one per output channel."),
                          (equals(conv_parameters(c_in, c_out, k)),
                           f"That is one full {k}×{k} layer: the block is two layers, a depthwise {k}×{k} then a 1×1."),
                          (equals(conv_parameters(c_in, c_in, k) + conv_parameters(c_in, c_out, 1),
                                  conv_parameters(c_in, c_in, k, bias=False) + conv_parameters(c_in, c_out, 1, bias=False)),
                           "The depthwise layer has groups = C_in: each filter reads only its own channel."),
                      ),
                      general_hint="Count each layer on its own (weights, then biases) and add."), registry)


# An output size and the function that writes its formula out with the numbers filled in.
FORWARD_SIZE = (output_size, explain_output_size)
TRANSPOSED_SIZE = (transpose_output_size, explain_transpose_output_size)


def size_exercise(name, topic, givens, size: dict, lead: str, tail: str, forgotten: dict[str, str], mistakes,
                  hint, registry: dict[str, Exercise] | None = None, formula=FORWARD_SIZE) -> None:
    """Register an output-size exercise (or, with ``registry``, a lesson's question): the answer
    is ``formula``'s size for the settings ``size``, its solution the formula filled in between
    ``lead`` and ``tail``. The mistakes planted first are the settings ``forgotten`` names: the size
    computed without that setting (at its default) gets its hint; ``mistakes`` follow."""
    count, explain = formula
    without = tuple((equals(count(**{s: v for s, v in size.items() if s != setting})), hint)
                    for setting, hint in forgotten.items())
    register(Exercise(name, topic, givens=givens, answer=lambda: count(**size),
                      solution=lambda: f"{lead}{explain(**size)}{tail}", mistakes=without + tuple(mistakes),
                      general_hint=hint), registry)


def _none_message(ex: Exercise) -> str:
    return (f"Not answered yet: replace None with your answer ({ex.form}) and run this cell again.\n"
            f"[This checker works on: {ex.givens}.]")


# Printed verdicts are wrapped here, between words: JupyterLab breaks a printed line that is
# wider than the output area anywhere, even inside a word.
VERDICT_WIDTH = 88


def check(name: str, given, registry: dict[str, Exercise] | None = None) -> str:
    """``✓`` for a right answer; otherwise a hint that never states the answer. Lines of at
    most ``VERDICT_WIDTH`` characters, broken between words. ``registry``: where ``name`` is
    (default: the exercises; ``convcore.course.questions`` passes the lessons' questions)."""
    registry = EXERCISES if registry is None else registry
    if name not in registry:
        raise KeyError(f"no exercise called {name!r}; there are: {', '.join(registry)}")
    verdict = unwrapped_verdict(registry[name], given)
    return "\n".join(textwrap.fill(line, VERDICT_WIDTH, break_long_words=False, break_on_hyphens=False)
                     for line in verdict.splitlines())


def unwrapped_verdict(ex: Exercise, given) -> str:
    if given is None or given is Ellipsis:
        return _none_message(ex)
    return _wrong_type(ex, given) or ex.judge(given)


def solution(name: str) -> str:
    """The worked solution, numbers filled in (the notebook keeps it folded)."""
    return EXERCISES[name].solution()
