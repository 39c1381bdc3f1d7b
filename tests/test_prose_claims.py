"""Prose is code: a number stated in a notebook's text must be shown by the code right after
it (notebooks/claims.py has the rule). These tests run the rule on every built notebook and
prove, on small made-up notebooks, that it catches a wrong number and lets a proved one pass."""
import json
import sys
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
sys.path.insert(0, str(NOTEBOOKS))
import claims  # noqa: E402  (notebooks/claims.py)


def _md(text):
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def _code(source, output="", tags=()):
    outputs = [{"output_type": "stream", "name": "stdout", "text": output}] if output else []
    return {"cell_type": "code", "metadata": {"tags": list(tags)}, "source": source, "outputs": outputs}


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.stem)
def test_every_number_in_the_prose_is_shown_by_the_cell_after_it(path):
    problems = claims.unproved_claims(json.loads(path.read_text()), path.stem)
    assert not problems, "\n".join(map(str, problems))


def test_a_wrong_number_is_caught():
    nb = {"cells": [_md("The matrix is (576, 3136), 9 times the input."),
                    _code("print(m.shape, ratio)", "(576, 2916) 8.4\n")]}
    [problem] = claims.unproved_claims(nb, "planted")
    assert problem.missing == ("3136", "9")


def test_a_proved_number_passes_through_output_or_assert():
    nb = {"cells": [_md("The ramp rises by 2, so the kernel gives −2 at every position: 2,916 numbers."),
                    _code("y = conv1d(ramp, k)", "[-2 -2 -2]\n"),
                    _code("assert m.size == 2916")]}
    assert claims.unproved_claims(nb) == []


def test_an_unchecked_output_proves_nothing():
    nb = {"cells": [_md("It took 13 ms."), _code("time_it()", "13 ms\n", tags=["nbval-ignore-output"])]}
    assert [p.missing for p in claims.unproved_claims(nb)] == [("13",)]


def test_only_the_cells_right_after_count():
    nb = {"cells": [_code("print(42)", "42\n"), _md("The answer is 42."), _md("Next."), _code("print(42)", "42\n")]}
    assert [p.missing for p in claims.unproved_claims(nb)] == [("42",)]


def test_headings_code_links_lists_and_givens_are_not_claims():
    nb = {"cells": [_md("# 02 · Channels\n\n1. See `out[0, 7, 7]` and [03 · 1×1](03-1x1.ipynb), a 1×1 layer.\n"
                        "ResNet appeared in 2015. <!-- given: 2015 -->"),
                    _code("pass")]}
    assert claims.unproved_claims(nb) == []
