"""Docstrings of function families: what the members share is written once.

``conv1d`` and ``conv2d`` (and the transposed convolutions, the gradients and
the poolings) take the same arguments; only the shapes differ with the number
of spatial axes. Each family keeps one template of its Parameters and Returns
sections, and ``shared_doc`` puts it, with the member's shapes filled in, where
the member's docstring holds the line ``{params}``, followed by the Examples
header when examples follow. ``help()`` and the doctests see the finished
docstring.
"""
from __future__ import annotations

# The arrays a convolution takes, in every family that takes them.
ARRAYS = """
    Parameters
    ----------
    input : array_like
        {input}
    weight : array_like
        {weight}
    bias : array_like, optional
        {bias}"""


def shared_doc(template: str, **fields: str):
    """Decorator: replace the line ``{params}`` of the function's docstring by ``template``
    (numpydoc lines, indented four spaces), each ``{field}`` in it replaced by its value."""
    text = template.strip("\n") + "\n\n"
    for name, value in fields.items():
        text = text.replace("{" + name + "}", value)

    def fill(function):
        before, after = function.__doc__.split("    {params}\n")
        header = "    Examples\n    --------\n" if after.lstrip().startswith(">>>") else ""
        function.__doc__ = before + text + header + after
        return function
    return fill
