"""Predict-then-check exercises for notebook 13, by chapter: ``first`` (notebooks 01–07),
``later`` (08–11), ``write_code`` (write a function), ``design`` (choose a layer's settings)
and ``network`` (the whole network of notebook 12-whole-network). ``core`` holds the one
mechanism they share.

Every answer is computed by convcore from the exercise's givens, never typed in.
``check(name, answer)`` never shows the answer unless it was given: a missing answer gets
"Not answered yet", an answer of the wrong type is told the type expected, a wrong one gets a
hint that names the step that went wrong (a forgotten padding, bias or flip), not the
result. The worked solutions live, folded, in the notebook; ``solution(name)`` computes the
same working, and the tests prove the notebook's solutions state these numbers.

>>> check("conv1d_length", None).startswith("Not answered yet")
True
>>> check("conv1d_length", EXERCISES["conv1d_length"].answer()).startswith("✓")
True
>>> check("conv1d_length", "7")
"✗ Expected a whole number such as 7, got the string '7': write it without the quotes."
"""
from .core import (EXERCISES, TRANSPOSED_SIZE, VERDICT_WIDTH, CodeExercise, DesignExercise, Exercise,  # noqa: F401
                   register, equals, near, same, separable_exercise, size_exercise, unwrapped_verdict, when, check, conv_parameters,
                   separable_parameters, solution)
from . import first, later, write_code, design, network  # noqa: F401,E402  (each registers its exercises, in this order)

__all__ = ["EXERCISES", "Exercise", "CodeExercise", "DesignExercise", "check", "solution",
           "conv_parameters", "separable_parameters", "VERDICT_WIDTH"]
