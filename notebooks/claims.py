"""Prose is code: every number a notebook's text states must be shown by the code right after it.

The rule, for each Markdown cell of a built notebook:

* every number in its prose (digits, with a sign if it has one: ``−2``, ``8.4``, ``2,916``)
  must appear in the **code cells that follow it** (up to the next Markdown cell), either
  in their source (an ``assert``, a setting such as ``kernel_size=3``) or in a stored
  output that nbval checks (cells tagged ``nbval-ignore-output`` do not count);
* not counted as prose: headings, inline code (`` `out[0, 1, 1]` ``), links (their text and
  target), the numbers of ordered lists, and two-digit names of notebooks (``02``, ``06``);
* a number that is a fact from outside the suite (a year, a paper's figure) is listed in a
  comment in the same cell, visible to every reviewer: ``<!-- given: 2015 50 -->``;
* "1×1", "1-D" and "2-D" are names (of an operation, of a dimension), not claims; and the
  folded solutions of the exercises and answers of the "Check yourself" questions
  (``<details>`` blocks) are proved by ``tests/test_exercises.py`` and
  ``tests/test_questions.py`` against the answers the checkers compute, since a cell
  printing them would give the answers away.

Write numbers as digits in prose ("9 times", not "nine times") so this check sees them.
``python notebooks/claims.py`` lists what each notebook states and where it is proved;
``tests/test_prose_claims.py`` fails on any number that no following cell shows.
"""
from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

IGNORED_OUTPUT_TAG = "nbval-ignore-output"

# A number: optional sign (ASCII or Unicode minus), digits with optional thousands
# separators or decimals; not part of a word or identifier (conv2d, x1, float32, 1x1).
_NUMBER = re.compile(r"(?<![\w.])([−-]?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\w])")
_GIVEN = re.compile(r"<!--\s*given:(.*?)-->", re.S)
_INLINE_CODE = re.compile(r"`[^`]*`")
_LINK = re.compile(r"!?\[[^\]]*\]\([^)]*\)")
_URL = re.compile(r"https?://\S+")
_LIST_NUMBER = re.compile(r"^(\s*)\d+[.)]\s", re.M)
_NOTEBOOK_NUMBER = re.compile(r"^0\d$")
_HTML_TAG = re.compile(r"<[^>]+>")
_DETAILS = re.compile(r"<details>.*?</details>", re.S)
_ONE_BY_ONE = re.compile(r"(?<![\w.])1\s*[×x]\s*1(?![\w])")
_DIMENSIONS = re.compile(r"(?<![\w.])[123]-D(?![\w])")


def numbers(text: str) -> list[str]:
    """The numbers in ``text``, normalised: Unicode minus to ``-``, no thousands commas.

    >>> numbers("falls by −2, then 8.4× and 2,916 (conv2d, 1x1, x[0])")
    ['-2', '8.4', '2916', '0']
    """
    found = []
    for sign, whole, frac in _NUMBER.findall(text):
        found.append(("-" if sign else "") + whole.replace(",", "") + (frac or ""))
    return found


def prose_numbers(markdown: str) -> list[str]:
    """Numbers a Markdown cell states as claims (see the module's rule).

    >>> prose_numbers("A 1-D signal, a 2-D image and a 1×1 layer: 3 names, 1 claim.")
    ['3', '1']
    """
    given = set()
    for block in _GIVEN.findall(markdown):
        given.update(numbers(block))
    text = _GIVEN.sub(" ", markdown)
    text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    for pattern in (_DETAILS, _INLINE_CODE, _LINK, _URL, _HTML_TAG, _ONE_BY_ONE, _DIMENSIONS):
        text = pattern.sub(" ", text)
    text = _LIST_NUMBER.sub(r"\1", text)
    claims = [n for n in numbers(text) if not _NOTEBOOK_NUMBER.match(n) and n not in given]
    return list(dict.fromkeys(claims))


def _evidence_of(cell: dict) -> set[str]:
    """Numbers a code cell shows: its source, and its stored outputs if nbval checks them."""
    shown = set(numbers("".join(cell["source"])))
    if IGNORED_OUTPUT_TAG in cell.get("metadata", {}).get("tags", []):
        return shown
    for out in cell.get("outputs", []):
        if "text" in out:
            shown.update(numbers("".join(out["text"])))
        for mime in ("text/plain", "text/markdown", "text/html"):
            if mime in out.get("data", {}):
                shown.update(numbers("".join(out["data"][mime])))
    # "-2" printed as "-2" also proves "2" written next to a word such as "falls by 2".
    shown.update(n.lstrip("-") for n in list(shown))
    return shown


@dataclass(frozen=True)
class Unproved:
    notebook: str
    cell: int          # index of the Markdown cell in the notebook
    first_line: str
    missing: tuple[str, ...]

    def __str__(self):
        return (f"{self.notebook}, cell {self.cell} ({self.first_line!r}): states "
                f"{', '.join(self.missing)} but no code cell right after it shows "
                f"{'it' if len(self.missing) == 1 else 'them'} (in its source or a checked output)")


def unproved_claims(notebook: dict, name: str = "notebook") -> list[Unproved]:
    """Every Markdown cell whose numbers the following code cells do not show."""
    cells = notebook["cells"]
    problems = []
    for i, cell in enumerate(cells):
        if cell["cell_type"] != "markdown":
            continue
        text = "".join(cell["source"])
        claims = prose_numbers(text)
        if not claims:
            continue
        shown: set[str] = set()
        for after in cells[i + 1:]:
            if after["cell_type"] == "markdown":
                break
            if after["cell_type"] == "code":
                shown |= _evidence_of(after)
        missing = tuple(n for n in claims if n not in shown)
        if missing:
            first = next((line.strip() for line in text.splitlines() if line.strip()), "")
            problems.append(Unproved(name, i, first[:60], missing))
    return problems


def main(paths: list[str]) -> int:
    here = Path(__file__).resolve().parent
    chosen = [Path(p) for p in paths] or sorted(here.glob("*.ipynb"))
    problems = []
    for path in chosen:
        problems += unproved_claims(json.loads(path.read_text()), path.stem)
    for problem in problems:
        print(problem)
    print(f"{len(problems)} Markdown cell(s) with unproved numbers in {len(chosen)} notebook(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
