"""Where the sample and channel axes are: the three layouts a caller may give.

PyTorch takes a batch ``(N, C, *spatial)`` or one sample ``(C, *spatial)``;
convcore also takes a plain signal or image ``(*spatial)`` (with a plain
kernel, for a convolution), which has one channel and no batch. Inside, every
problem is batched and channels-first, so the arithmetic is written once. The
``Layout`` remembers what the caller gave: it adds the missing leading axes on
the way in, and takes them off again on the way out, for results and for the
indices a trace reports.

>>> layout = Layout.of(ndim=1, dims=1)
>>> layout, layout.batched(np.array([1, 2, 3])).shape, layout.index(0, 0, (2,))
(<Layout.PLAIN: 'plain'>, (1, 1, 3), (2,))
"""
from __future__ import annotations

from enum import StrEnum

import numpy as np


class Layout(StrEnum):
    """How many of the leading (sample, channel) axes the caller's arrays carry.

    A member compares equal to its name, so ``layout == "plain"`` reads as it says.
    """

    PLAIN = "plain"            # (*spatial): one sample, one channel
    UNBATCHED = "unbatched"    # (C, *spatial): one sample
    BATCHED = "batched"        # (N, C, *spatial)

    @classmethod
    def of(cls, ndim: int, dims: int) -> "Layout | None":
        """The layout of an array with ``ndim`` axes of which ``dims`` are spatial
        (None when it has too few or too many axes for any of them)."""
        return {dims: cls.PLAIN, dims + 1: cls.UNBATCHED, dims + 2: cls.BATCHED}.get(ndim)

    @property
    def leading(self) -> int:
        """How many of the (sample, channel) axes the caller's array has: 0, 1 or 2."""
        return _LEADING[self]

    # -- data arrays: input, output, grad_output ((N, C, *spatial) inside) -------------
    def batched(self, array: np.ndarray) -> np.ndarray:
        """The caller's array with the missing leading axes added: (N, C, *spatial)."""
        return array.reshape((1,) * (2 - self.leading) + array.shape)

    def restore(self, array: np.ndarray) -> np.ndarray:
        """An (N, C, *spatial) array back in the caller's layout (N and C must be 1 where it had none)."""
        return array[(0,) * (2 - self.leading)]

    def shape(self, batch: int, channels: int, spatial: tuple[int, ...]) -> tuple[int, ...]:
        """The shape (batch, channels, *spatial) has in the caller's layout."""
        return (batch, channels, *spatial)[2 - self.leading:]

    def index(self, sample: int, channel: int, pos) -> tuple[int, ...]:
        """Where element (sample, channel, *pos) sits in the caller's array."""
        return (sample, channel, *pos)[2 - self.leading:]

    # -- weights: (C_out, C_in/groups, *kernel) inside, a plain kernel only when plain --
    def batched_weight(self, weight: np.ndarray) -> np.ndarray:
        """The weight with its channel axes: a plain kernel gets (1, 1, *kernel)."""
        return weight[None, None] if self == "plain" else weight

    def restore_weight(self, weight: np.ndarray) -> np.ndarray:
        """A weight-shaped array back in the caller's layout (a plain kernel when plain)."""
        return weight[0, 0] if self == "plain" else weight

    def weight_index(self, out_channel: int, in_channel: int, tap) -> tuple[int, ...]:
        """Where weight element (out_channel, in_channel, *tap) sits in the caller's weight."""
        return tuple(tap) if self == "plain" else (out_channel, in_channel, *tap)


_LEADING = {"plain": 0, "unbatched": 1, "batched": 2}


def spatial_dims(weight) -> int:
    """How many spatial axes a convolution with this weight has.

    A weight with its channel axes, ``(C_out, C_in/groups, *kernel)`` (a
    transposed convolution's ``(C_in, C_out/groups, *kernel)`` alike), has
    ``ndim − 2``; a plain kernel (1-D or 2-D, which goes with a plain input)
    has its own ``ndim``. Pick ``trace1d`` or ``trace2d`` with it.

    >>> spatial_dims([1, 0, -1]), spatial_dims(np.ones((3, 2, 2, 2)))
    (1, 2)
    """
    ndim = np.ndim(weight)
    return ndim - 2 if ndim > 2 else ndim


def as_position(pos) -> tuple[int, ...]:
    """A spatial position as a tuple of ints; a bare int is a 1-D position."""
    return (int(pos),) if isinstance(pos, (int, np.integer)) else tuple(int(i) for i in pos)
