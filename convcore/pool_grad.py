"""The backward pass of pooling: where each pooled output's gradient goes.

A pooling layer has no weights, so its backward pass only answers one question
for every element of its input: which outputs did it feed, and how much?

* **max pooling** passed on one value per window, the one the forward pass
  chose (``vectorized_max``'s index: the first tap holding the largest value,
  as PyTorch breaks ties). So each output's gradient goes, whole, to that one
  input element; the others in the window get nothing from it. An element
  chosen by several overlapping windows collects all their gradients.
* **average pooling** divided the window's sum by its divisor (the taps it
  counts: ``count_include_pad``, ``ceil_mode``'s overhang never), so each
  output's gradient is divided by that divisor and spread over every input
  element the window read. Taps in the padding read nothing, and their share
  is lost, exactly as in the forward pass they added nothing.

``pool_input_grad`` does this for the whole input at once (vectorized: one
pass per tap, the slices the forward pass reads); ``PoolGradTrace`` records,
per input element, every window that read it and what each sent back.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from itertools import product

import numpy as np

from .lazy import LazySteps
from .pooling import Pool, vectorized_max, window_divisors
from .transpose import canvas_length, crop


def spread(p: Pool, per_window: np.ndarray) -> np.ndarray:
    """(N, C, *out) -> (N, C, *spatial): each window's value added onto every input element
    its taps read.

    Tap by tap, the windows' values land along the slice that tap read in the
    forward pass (``Axis.tap_slice``) on a canvas as long as the padded input
    and its ceil_mode overhang; what landed in the padding is cropped away.
    """
    canvas = np.zeros((*per_window.shape[:2], *(canvas_length(a) for a in p.axes)), per_window.dtype)
    for tap in product(*(range(a.k) for a in p.axes)):
        canvas[(slice(None), slice(None), *(a.tap_slice(t) for a, t in zip(p.axes, tap)))] += per_window
    return crop(canvas, p.axes)


def _check_grad_output(p: Pool, grad_output) -> np.ndarray:
    g = np.asarray(grad_output, dtype=np.float64)
    if g.shape != p.out_shape:
        raise ValueError(f"{p.fn} backward: `grad_output` must have the shape of the pooled output, "
                         f"{p.out_shape}; got shape {g.shape}")
    return p.layout.batched(g)


def pool_input_grad(p: Pool, grad_output, indices=None) -> np.ndarray:
    """Gradient of a loss with respect to the pooling's input (float64, caller's layout).

    ``grad_output`` is shaped like the pooled output. For max pooling,
    ``indices`` are the forward pass's chosen positions (``return_indices``);
    without them they are found again.
    """
    g = _check_grad_output(p, grad_output)
    if p.kind == "avg":
        return p.layout.restore(spread(p, g / window_divisors(p)))
    if indices is None:
        indices = vectorized_max(p)[1]
    # Each output's gradient goes to the element its window chose: a flat index into
    # its channel's plane, made an index into the whole (N, C, plane) block.
    plane = int(np.prod(p.spatial))
    chosen = p.layout.batched(np.asarray(indices))
    block = np.arange(p.batch * p.channels).reshape(p.batch, p.channels, *([1] * p.dims)) * plane
    # A window with no tap inside the input (dilation) chose nothing; its gradient is lost.
    real = (chosen >= 0) & (chosen < plane)
    out = np.bincount((block + chosen)[real], weights=g[real], minlength=p.batch * p.channels * plane)
    return p.layout.restore(out.reshape(p.input.shape))


# ----------------------------------------------------------------------------
# The trace: per input element, the windows that read it and what each sent back
# ----------------------------------------------------------------------------
@dataclass(frozen=True)
class PoolGradStep:
    """One input element's gradient in a pooling's backward pass.

    One row per window that read the element (``out_index``: that output's
    index in ``grad_output``, caller's layout; ``tap``: which tap of the window
    read it). ``share`` is what the element gets of that output's gradient:
    for max pooling 1 when the window chose this element (``chosen``), else 0;
    for average pooling 1 / divisor. ``products == grad_output_values * share``
    and ``value == products.sum()``.
    """

    index: int
    kind: str
    element: tuple[int, ...]
    out_index: np.ndarray            # (T, grad_output.ndim)
    tap: np.ndarray                  # (T, dims)
    grad_output_values: np.ndarray   # (T,)
    chosen: np.ndarray | None        # (T,) bool, max pooling only
    divisor: np.ndarray | None       # (T,) int, average pooling only
    share: np.ndarray                # (T,)
    products: np.ndarray             # (T,)
    value: np.float64

    def __len__(self) -> int:
        return len(self.products)


class PoolGradTrace(LazySteps):
    """The input gradient of one pooling, one input element per step (sample, channel, position)."""

    coordinates = ("sample", "channel", "in_pos")
    counts = ("sample(s)", "channel(s)", "positions")
    element = "input element"

    def __init__(self, problem: Pool, grad_output, indices=None):
        super().__init__(problem, problem.input.shape)
        self.grad_output = _check_grad_output(problem, grad_output)
        if problem.kind == "max" and indices is None:
            indices = vectorized_max(problem)[1]
        self.indices = None if indices is None else problem.layout.batched(np.asarray(indices))

    def _build_step(self, k: int) -> PoolGradStep:
        p: Pool = self.problem
        sample, channel, pos = self.locate(k)
        # Every (output, tap) whose window read this element: Axis.readers per axis, combined.
        readers = list(product(*(a.readers(i) for a, i in zip(p.axes, pos))))
        outs = np.array([[r.out for r in combo] for combo in readers], dtype=np.int64).reshape(-1, p.dims)
        taps = np.array([[r.tap for r in combo] for combo in readers], dtype=np.int64).reshape(-1, p.dims)
        where = (sample, channel, *outs.T)
        g = self.grad_output[where]
        chosen = divisor = None
        if p.kind == "max":
            chosen = self.indices[where] == np.ravel_multi_index(pos, p.spatial)
            share = chosen.astype(np.float64)
        else:
            divisor = window_divisors(p)[tuple(outs.T)]
            share = 1.0 / divisor
        rows = np.array([p.layout.index(sample, channel, tuple(o)) for o in outs], dtype=np.int64)
        rows = rows.reshape(len(outs), p.layout.leading + p.dims)    # also when no window read it
        products = g * share
        return PoolGradStep(index=k, kind=p.kind, element=p.layout.index(sample, channel, pos),
                            out_index=rows, tap=taps, grad_output_values=g,
                            chosen=chosen, divisor=divisor, share=share, products=products,
                            value=np.float64(products.sum()))

    @cached_property
    def output(self) -> np.ndarray:
        """The whole input gradient (vectorized, ``pool_input_grad``), caller's layout."""
        p = self.problem
        return pool_input_grad(p, p.layout.restore(self.grad_output),
                               None if self.indices is None else p.layout.restore(self.indices))


__all__ = ["pool_input_grad", "spread", "PoolGradTrace", "PoolGradStep"]
