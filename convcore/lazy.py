"""Every trace in convcore is the same kind of object: steps computed on demand.

A trace holds a checked problem and a loop over cells (for a convolution:
sample, output channel, output position). Building it does no arithmetic;
``trace[k]`` builds step ``k``, the ``k``-th cell of the loop in row-major
order. ``LazySteps`` owns everything that follows from that loop (its length,
indexing from either end and by slices, iteration, finding the step of a cell
and the cell of a step, the repr); a trace only says what its loop is and how
to build one step (``_build_step``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .layout import Layout, as_position


class LazySteps:
    """A read-only sequence of steps, one per cell of ``loop_shape``, each built when asked for.

    The loop is ``(first, second, *spatial)``. Subclasses name its coordinates
    (``coordinates``, also the argument names of ``index``), say how to count them
    in a repr (``counts``) and what one step is about (``element``).
    """

    coordinates: tuple[str, str, str] = ("sample", "out_channel", "out_pos")
    counts: tuple[str, str, str] = ("sample(s)", "output channel(s)", "positions")
    element: str = "output element"

    def __init__(self, problem, loop_shape: tuple[int, ...]):
        self.problem = problem
        self._loop = tuple(int(n) for n in loop_shape)
        self._len = math.prod(self._loop)

    def _build_step(self, k: int):
        """Step ``k`` (0 <= k < len), computed from the problem: what a trace says."""
        raise NotImplementedError

    # -- the sequence -------------------------------------------------------------
    def __len__(self) -> int:
        return self._len

    def __getitem__(self, k):
        if isinstance(k, slice):
            return [self._build_step(i) for i in range(*k.indices(self._len))]
        return self._build_step(self._check(k))

    def __iter__(self):
        for k in range(self._len):
            yield self._build_step(k)

    def __repr__(self) -> str:
        first, second, spatial = self.counts
        sizes = self._loop
        return (f"<{type(self).__name__} of {self.problem.fn}: {self._len} steps = {sizes[0]} {first} × "
                f"{sizes[1]} {second} × {' × '.join(map(str, sizes[2:]))} {spatial}>")

    def _check(self, k) -> int:
        """``k`` as a step number from 0, counting negative ones from the end."""
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
            raise TypeError(f"trace index must be an int; got {k!r}")
        if not -self._len <= k < self._len:
            raise IndexError(f"step {k} is past the end: this trace has {self._len} steps (0 to {self._len - 1})")
        return int(k) % self._len

    # -- cells and steps ------------------------------------------------------------
    @property
    def loop_shape(self) -> tuple[int, ...]:
        """Step ``k`` is the row-major index of its cell in this shape.

        >>> from convcore import examples
        >>> examples.get("seed_conv2d").trace().loop_shape
        (1, 3, 3, 3)
        """
        return self._loop

    @cached_property
    def step_numbers(self) -> np.ndarray:
        """Shaped like ``loop_shape``: the step of each cell.

        >>> from convcore import examples
        >>> examples.get("seed_conv1d").trace().step_numbers.tolist()
        [[[0, 1]]]
        """
        return np.arange(self._len).reshape(self._loop)

    def locate(self, k) -> tuple[int, int, tuple[int, ...]]:
        """The cell of step ``k``, as (first, second, spatial position), without computing the step;
        for a convolution (sample, out_channel, out_pos)."""
        first, second, *pos = np.unravel_index(self._check(k), self._loop)
        return int(first), int(second), tuple(int(i) for i in pos)

    def index_of(self, first: int, second: int, pos) -> int:
        """The step of cell (first, second, *pos), in the loop's own order."""
        pos = as_position(pos)
        where = (first, second, *pos)
        if len(where) != len(self._loop) or any(not 0 <= i < n for i, n in zip(where, self._loop)):
            a, b, c = self.coordinates
            sizes = " × ".join(f"{n} {what}" for n, what in zip(self._loop, self.counts[:2]))
            raise IndexError(
                f"no step at {a}={first}, {b}={second}, {c}={pos}: there is no {self.element} there; "
                f"the loop runs over {sizes} × positions {self._loop[2:]}"
            )
        return int(np.ravel_multi_index(where, self._loop))

    def index(self, channel: int, pos, sample: int = 0) -> int:
        """The step of (sample, channel, *pos): for a convolution, the output element it computes."""
        return self.index_of(sample, channel, pos)

    def step_at(self, *cell, **named):
        """The step ``index(*cell, **named)`` finds."""
        return self[self.index(*cell, **named)]


def laid_out(field: str, doc: str) -> property:
    """A step's property: ``field`` of every tap, laid out like the kernel (``PerTap.per_tap``)."""
    return property(lambda step: step.per_tap(field), doc=doc)


@dataclass(frozen=True, kw_only=True)
class PerTap:
    """A step that records its window tap by tap: ``taps``, one record per kernel tap in
    row-major order, each with its ``offset`` in the kernel and the ``coords`` it sits on
    (where a convolution or a pooling reads, where a transposed convolution's stamp lands).
    A step names the field that holds them (``taps = property(...)``); its fields laid out
    like the kernel are ``laid_out`` properties. Every step has its number in the trace
    (``index``), its ``sample`` and the ``layout`` of the arrays the caller gave."""

    index: int
    sample: int
    layout: Layout = Layout.UNBATCHED

    @property
    def tap_shape(self) -> tuple[int, ...]:
        """The kernel's spatial shape: the taps run row-major over it, so the last one sits in
        its far corner."""
        return tuple(int(o) + 1 for o in self.taps[-1].offset)

    def per_tap(self, field: str) -> np.ndarray:
        """``field`` of every tap, laid out like the kernel (a coordinate adds a last axis)."""
        values = np.array([getattr(tap, field) for tap in self.taps])
        return values.reshape(*self.tap_shape, *values.shape[1:])

    coords = laid_out("coords", "The coordinates every tap sits on, shape (*kernel, dims).")

    def caller_index(self, channel: int, pos) -> tuple[int, ...]:
        """Index of element (this step's sample, ``channel``, *``pos``) in an array of the caller's layout."""
        return self.layout.index(self.sample, channel, pos)


@dataclass(frozen=True, kw_only=True)
class WindowStep(PerTap):
    """A step of a sliding window's forward pass (a convolution's ``Step``, a pooling's
    ``PoolStep``): one output element, of channel ``out_channel`` at ``out_pos``, computed from
    the input under its ``window``, whose taps say where they read and whether that is outside
    the input."""

    out_pos: tuple[int, ...]
    window: tuple

    taps = property(lambda self: self.window)
    padding_mask = laid_out("in_padding", "Boolean array shaped like the kernel: True where a tap lies outside the "
                                          "input (in the padding, or past it: a pooling window's ceil_mode overhang).")

    @property
    def out_index(self) -> tuple[int, ...]:
        """Index of this element in the output array (the convolution's, the pooling's)."""
        return self.caller_index(self.out_channel, self.out_pos)
