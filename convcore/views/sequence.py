"""A dilated causal stack stepped through time: ``SequenceView``. Output t of the top layer lights what
it reads in every layer below, all at or before t; the future is shaded. Readings "dilated" and "plain"
(dilation 1 everywhere); switching keeps t.
"""
from __future__ import annotations

from ..causal import causal_layers
from ..receptive import receptive_field
from . import schema
from .receptive import formula_notes, layer_panels, stack_steps
from .view import View


class SequenceView(View):
    """Step through time t = 0 … n − 1 of a causal stack of ``kernel_size`` and ``dilations``.

    >>> v = SequenceView(24)
    >>> v.fields["dilated"].size, v.fields["plain"].size, v.reading, v.n
    (16, 5, 'dilated', 24)
    """

    kind = "sequence"

    def __init__(self, n: int = 24, kernel_size: int = 2, dilations=(1, 2, 4, 8)):
        stacks = {"dilated": (tuple(dilations), f"dilated: dilations {', '.join(map(str, dilations))}"),
                  "plain": ((1,) * len(dilations), "plain: dilation 1 in every layer")}
        self.fields = {name: receptive_field(causal_layers(kernel_size, d)) for name, (d, _) in stacks.items()}
        legend = [["chosen", "output t"], ["read", "read by output t (at or before t)"],
                  ["plain", "not read (before t)"], ["future", "the future: after t, never read"]]
        causal = (f"Causal layers pad d·(k − 1) = d·{kernel_size - 1} zeros on the left, so every layer's "
                  f"output is as long as its input ({n}) and output t reads nothing after t.")
        readings = []
        for (name, (_, label)), other in zip(stacks.items(), ("plain", "dilated")):     # a switch keeps t
            rf = self.fields[name]
            panels, rows = layer_panels(rf, n, input_label="input x")
            readings.append(schema.reading(name, f"{label} (receptive field {rf.size})", rows, panels,
                                           stack_steps(rf, n, future=True, other=other), legend,
                                           notes=[["causal", causal]] + formula_notes(rf)))
        super().__init__({"kind": self.kind, "example": None, "readings": readings, "reading": "dilated"})
