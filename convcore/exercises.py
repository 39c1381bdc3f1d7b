"""Predict-then-check exercises: every answer is computed by convcore, and a
wrong answer gets an explanation built from the same numbers.

>>> check("conv1d_length", 5).startswith("✓")
True
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from . import examples
from .api import conv1d, explain_output_size, output_size


@dataclass(frozen=True)
class Exercise:
    name: str
    question: str
    answer: Callable[[], object]          # computed, never typed in
    explain: Callable[[object], str]      # why a given wrong answer is wrong
    solution: Callable[[], str]


def _same(given, expected) -> bool:
    try:
        return np.array_equal(np.asarray(given), np.asarray(expected))
    except Exception:  # an answer of the wrong kind is simply wrong
        return False


def _seed2d_step(out_channel, pos):
    return examples.get("seed_conv2d").trace().step_at(out_channel, pos)


def _step_sum(step) -> str:
    terms = " + ".join(f"({s})" if s < 0 else f"{s}" for s in step.partial_sums)
    return f"{terms} + bias {step.bias} = {step.value}"


EXERCISES: dict[str, Exercise] = {}


def _add(ex: Exercise) -> None:
    EXERCISES[ex.name] = ex


_add(Exercise(
    "conv1d_length",
    "A signal of length 10 goes through a kernel of length 3 with stride 2 and padding 1. "
    "How many outputs are there?",
    answer=lambda: output_size(10, 3, stride=2, padding=1),
    explain=lambda given: (
        "Count the window starts: " + explain_output_size(10, 3, stride=2, padding=1) + "."
        + (" Did you forget the padding? Without it you get "
           f"{output_size(10, 3, stride=2)}." if given == output_size(10, 3, stride=2) else "")
        + (" Did you forget the stride? With stride 1 you get "
           f"{output_size(10, 3, padding=1)}." if given == output_size(10, 3, padding=1) else "")
    ),
    solution=lambda: explain_output_size(10, 3, stride=2, padding=1),
))


def _conv2d_shape_explain(given) -> str:
    c_out = 16
    side = output_size(32, 5, padding=2)
    hint = ""
    if isinstance(given, tuple) and len(given) == 3 and given[0] == 3:
        hint = " The channel count of the output is the number of filters, weight.shape[0] = 16, not C_in = 3."
    return (f"Output channels come from weight.shape[0] = {c_out}; each side is "
            f"{explain_output_size(32, 5, padding=2)}, so the shape is {(c_out, side, side)}.{hint}")


_add(Exercise(
    "conv2d_shape",
    "An input of shape (3, 32, 32) meets a weight of shape (16, 3, 5, 5) with padding 2 "
    "and stride 1. What is the output shape (C_out, H, W)? Answer with a tuple.",
    answer=lambda: (16, output_size(32, 5, padding=2), output_size(32, 5, padding=2)),
    explain=_conv2d_shape_explain,
    solution=lambda: _conv2d_shape_explain(None),
))
_add(Exercise(
    "seed_value",
    "In the seed's 2-D example, what is output channel 3 (index 2) at row 1, column 2?",
    answer=lambda: _seed2d_step(2, (1, 2)).value,
    explain=lambda given: ("Add the two channels' partial sums: "
                           + _step_sum(_seed2d_step(2, (1, 2)))
                           + ". Channel 2's kernel is all −1, so it subtracts its patch."),
    solution=lambda: _step_sum(_seed2d_step(2, (1, 2))),
))
_add(Exercise(
    "seed_partial",
    "Same example: how much does input channel 2 (index 1) contribute to output channel 2 "
    "(index 1) at row 2, column 0?",
    answer=lambda: _seed2d_step(1, (2, 0)).partial_sums[1],
    explain=lambda given: (
        "That kernel slice is [[0, 0], [0, 1]]: it keeps only the bottom-right value of the patch, "
        f"which is {_seed2d_step(1, (2, 0)).patch[1, 1, 1]}."),
    solution=lambda: f"patch {_seed2d_step(1, (2, 0)).patch[1].tolist()} × [[0, 0], [0, 1]] "
                     f"→ {_seed2d_step(1, (2, 0)).partial_sums[1]}",
))
_add(Exercise(
    "parameters",
    "How many learnable numbers does nn.Conv2d(64, 128, kernel_size=3) hold (bias included)?",
    answer=lambda: 128 * 64 * 3 * 3 + 128,
    explain=lambda given: (
        "The weight is (C_out, C_in, kH, kW) = (128, 64, 3, 3): 128·64·3·3 = 73728 numbers, plus one "
        "bias per output channel (128)."
        + (" You left out the bias." if given == 128 * 64 * 9 else "")),
    solution=lambda: "128·64·3·3 + 128 = 73856",
))
_add(Exercise(
    "flip",
    "np.convolve([1, 2, 3, 4], [1, 0, -1], mode='valid') flips the kernel first. What does it "
    "return? Answer with a list.",
    answer=lambda: conv1d([1, 2, 3, 4], [-1, 0, 1]).tolist(),
    explain=lambda given: (
        "Flipping [1, 0, −1] gives [−1, 0, 1], so each output is −x[i] + x[i+2]: the same "
        "sizes as deep learning's −2, −2 but with the opposite sign."),
    solution=lambda: "[2, 2]: signal processing's convolution is cross-correlation with a flipped kernel",
))


def check(name: str, given) -> str:
    """``✓`` and the reason for a right answer; otherwise what went wrong."""
    if name not in EXERCISES:
        raise KeyError(f"no exercise called {name!r}; there are: {', '.join(EXERCISES)}")
    ex = EXERCISES[name]
    if isinstance(given, list) and isinstance(ex.answer(), tuple):
        given = tuple(given)
    if _same(given, ex.answer()):
        return f"✓ Right: {ex.solution()}"
    return f"✗ Not quite ({given!r}). {ex.explain(given)}"


def solution(name: str) -> str:
    return EXERCISES[name].solution()
