"""Where the kernel sits: the one indexing rule every part of convcore uses.

Along one spatial axis a convolution is described by five numbers: the input
length ``n``, the kernel length ``k``, the ``stride``, the ``dilation`` and the
padding added before (``pad_before``) and after (``pad_after``) the input.
Everything else follows from three lines of arithmetic:

* output element ``o`` reads a window that starts at input coordinate
  ``window_start(o) = o * stride - pad_before``;
* tap ``t`` of the kernel sits ``tap_offset(t) = t * dilation`` further on;
* the number of outputs is the number of window starts whose last tap still
  lands inside the padded input:
  ``floor((n + pad_before + pad_after - dilation * (k - 1) - 1) / stride) + 1``.

Read backwards, the same rule says which outputs read an input coordinate
``i``: tap ``t`` of output ``o`` lands on ``i`` when ``o * stride - pad_before
+ t * dilation == i``, that is when ``(i + pad_before - t * dilation) / stride``
is a whole number between 0 and the last output (``readers``). Transposed
convolutions, gradients and stamp counts are that inverse rule.

A coordinate below 0 or at ``n`` and beyond falls in the padding. What value it
reads there depends on the padding mode (``source_index``).

Pooling adds one variant, ``ceil_mode``: the output size rounds up instead of
down, so a last window may hang past the padded input (its "overhang"), except
that a last window starting in the right padding (at ``n`` or beyond) is
dropped, as PyTorch drops it.

The reference loop (``convcore.reference``), the trace (``convcore.trace``) and
the vectorized kernels (``convcore.kernels``) all call these functions, so what
the learner is shown and what the numbers are cannot drift apart.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

import numpy as np

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class Reader(NamedTuple):
    """An output whose window reads a given input coordinate, and the tap that reads it."""

    out: int
    tap: int


@dataclass(frozen=True)
class Axis:
    """The geometry of one spatial axis of a convolution (all values checked)."""

    n: int
    k: int
    stride: int = 1
    pad_before: int = 0
    pad_after: int = 0
    dilation: int = 1
    ceil_mode: bool = False  # pooling only: round the output size up (see ``out``)

    @property
    def span(self) -> int:
        """How many input positions the kernel covers, first tap to last."""
        return self.dilation * (self.k - 1) + 1

    @property
    def padded_length(self) -> int:
        return self.pad_before + self.n + self.pad_after

    @property
    def rounded_out(self) -> int:
        """The output size the division alone gives: ``floor(top / stride) + 1``, or with
        ``ceil_mode`` ``ceil(top / stride) + 1``, where ``top = padded_length − span`` is how
        far the first window can move (before ``out`` drops a window, see there)."""
        top = self.padded_length - self.span
        return (-(-top // self.stride) if self.ceil_mode else top // self.stride) + 1

    @property
    def dropped_start(self) -> int | None:
        """With ``ceil_mode``: where the last window of ``rounded_out`` starts when that is in
        the right padding (``>= n``), so PyTorch drops it; otherwise None."""
        start = self.window_start(self.rounded_out - 1)
        return start if self.ceil_mode and start >= self.n else None

    @cached_property
    def out(self) -> int:
        """Number of output positions (may be < 1 for an impossible setting; computed once per axis,
        as every window position and tap slice asks for it).

        With ``ceil_mode`` the division rounds up, so one more window may start
        whose last taps hang past the padded input; but a last window that would
        start in the right padding (``window_start >= n``) is dropped, exactly
        PyTorch's rule (``pooling_output_shape``).

        >>> Axis(n=5, k=2, stride=2, ceil_mode=True).out, Axis(n=5, k=2, stride=2).out
        (3, 2)
        """
        return self.rounded_out - (self.dropped_start is not None)

    @property
    def overhang(self) -> int:
        """How far the last window reaches past the padded input (ceil_mode only; else 0)."""
        return max(0, self.coordinate(self.out - 1, self.k - 1) + 1 - self.n - self.pad_after)

    def in_overhang(self, i: int) -> bool:
        """True past the padded input: a ceil_mode window reads nothing there, not even padding."""
        return i >= self.n + self.pad_after

    def window_start(self, o: int) -> int:
        """Input coordinate of the first tap of output position ``o``."""
        return o * self.stride - self.pad_before

    def tap_offset(self, t: int) -> int:
        """How far tap ``t`` sits from the start of its window."""
        return t * self.dilation

    def coordinate(self, o: int, t: int) -> int:
        """Input coordinate read by tap ``t`` of output position ``o``."""
        return self.window_start(o) + self.tap_offset(t)

    def in_padding(self, i: int) -> bool:
        return i < 0 or i >= self.n

    def readers(self, i: int) -> tuple[Reader, ...]:
        """Every (output, tap) whose window reads input coordinate ``i``, outputs in order.

        The window rule read backwards: tap ``t`` of output ``o`` sits on
        ``o·stride − pad_before + t·dilation``, so it reads ``i`` when
        ``(i + pad_before − t·dilation) / stride`` is a whole number ``o`` with
        ``0 <= o < out``. ``i`` may lie in the padding (it is a coordinate, not
        an index). In a transposed convolution these are the input elements whose
        stamps land on output ``i``, and with which tap.

        >>> Axis(n=7, k=3, stride=2).readers(2)    # output 0 with its last tap, output 1 with its first
        (Reader(out=0, tap=2), Reader(out=1, tap=0))
        >>> Axis(n=7, k=3, stride=2).readers(1), Axis(n=7, k=3, stride=2).readers(6)
        ((Reader(out=0, tap=1),), (Reader(out=2, tap=2),))
        """
        found, outputs = [], self.out
        for t in range(self.k):
            o, rest = divmod(i + self.pad_before - self.tap_offset(t), self.stride)
            if rest == 0 and 0 <= o < outputs:
                found.append(Reader(out=o, tap=t))
        return tuple(sorted(found))

    def tap_slice(self, t: int, first: int = 0, stop: int | None = None) -> slice:
        """Padded-array positions tap ``t`` reads for outputs ``first`` to ``stop - 1``
        (default: all of them), as one slice.

        The vectorized kernel reads many output positions of a tap at once; the
        slice walks exactly ``coordinate(o, t) + pad_before`` for o = first, first + 1, ...
        """
        stop = self.out if stop is None else stop
        start = self.coordinate(first, t) + self.pad_before
        return slice(start, self.coordinate(stop - 1, t) + self.pad_before + 1, self.stride)

    def formula(self) -> str:
        """The output-size formula with this axis' numbers filled in."""
        return explain_axis(self)

    def padding_mask(self) -> np.ndarray:
        """Over the padded axis (``pad_before + n + pad_after`` positions): True in the padding."""
        return np.array([self.in_padding(i) for i in range(-self.pad_before, self.n + self.pad_after)], bool)

    def never_read(self, mode: str = "zeros") -> np.ndarray:
        """Over the input positions ``0..n-1``: True where no window ever reads the value.

        A stride larger than the kernel's reach skips positions, the floor in the
        output size can leave the last ones out, and dilation jumps over the gaps
        between taps. Taps in the padding count as reading the position their
        value comes from (``source_index``: reflect, replicate, circular).

        >>> Axis(n=6, k=3, stride=2).never_read().astype(int).tolist()
        [0, 0, 0, 0, 0, 1]
        """
        read = np.zeros(self.n, bool)
        for o in range(max(self.out, 0)):
            for t in range(self.k):
                src = source_index(self.coordinate(o, t), self.n, mode)
                if src is not None:
                    read[src] = True
        return ~read


def source_index(i: int, n: int, mode: str) -> int | None:
    """Where a coordinate ``i`` of a length-``n`` axis takes its value from.

    Inside the input that is ``i`` itself. In the padding it depends on the
    mode: ``zeros`` reads nothing (``None``, the value is 0); ``reflect``
    mirrors about the edge without repeating it (-1 -> 1); ``replicate``
    repeats the edge value (-1 -> 0); ``circular`` wraps around (-1 -> n-1).
    """
    if 0 <= i < n:
        return i
    if mode == "zeros":
        return None
    if mode == "replicate":
        return 0 if i < 0 else n - 1
    if mode == "circular":
        return i % n
    if mode == "reflect":
        # Reflect back and forth, as a wave bouncing between the two edges.
        if n == 1:
            return 0
        period = 2 * (n - 1)
        i = i % period
        return i if i < n else period - i
    raise ValueError(f"unknown padding mode {mode!r}; expected one of {PADDING_MODES}")


def same_padding(k: int, dilation: int = 1) -> tuple[int, int]:
    """Padding that keeps the length with stride 1, split as PyTorch splits it.

    The total is ``dilation * (k - 1)``; when it is odd the extra position
    goes after the input (on the right / bottom).
    """
    total = dilation * (k - 1)
    return total // 2, total - total // 2


def explain_axis(axis: Axis) -> str:
    """``floor((n + p_before + p_after - d*(k-1) - 1)/s) + 1`` with numbers
    (``ceil`` and PyTorch's dropped last window with ``ceil_mode``)."""
    if axis.pad_before == axis.pad_after:
        pads = f"2·{axis.pad_before}"
    else:
        pads = f"{axis.pad_before} + {axis.pad_after}"
    top = axis.padded_length - axis.span
    rounding = "ceil" if axis.ceil_mode else "floor"
    text = (
        f"{rounding}(({axis.n} + {pads} − {axis.dilation}·({axis.k}−1) − 1) / {axis.stride}) + 1"
        f" = {rounding}({top} / {axis.stride}) + 1 = "
    )
    start = axis.dropped_start
    if start is None:
        return text + f"{axis.out}"
    rounded = axis.rounded_out
    return text + (
        f"{rounded}, but window {rounded - 1} would start at {rounded - 1}·{axis.stride} − "
        f"{axis.pad_before} = {start} ≥ n = {axis.n}, in the right padding, so it is dropped: {axis.out}"
    )
