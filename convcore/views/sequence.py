"""A dilated causal stack stepped through time: ``SequenceView``.

Output t of the top layer lights up what it reads in every layer below, all at or before t;
the positions after t (the future) are shaded and labelled. A switch compares the dilated
stack with the plain one (the same kernel, dilation 1 everywhere). The numbers come from
``convcore.causal.causal_layers`` and ``convcore.receptive.receptive_field``; the picture is
drawn by ``static/receptive.js`` (the data layout is described in ``views/receptive.py``).
"""
from __future__ import annotations

from ..causal import causal_layers
from ..receptive import receptive_field
from .receptive import STATES, RowsView, layer_rows, stack_steps


class SequenceView(RowsView):
    """Step through time t = 0 … n − 1 of a causal stack of ``kernel_size`` and ``dilations``.

    >>> v = SequenceView(24)
    >>> v.fields["dilated"].size, v.fields["plain"].size
    (16, 5)
    """

    kind = "sequence"

    def __init__(self, n: int = 24, kernel_size: int = 2, dilations=(1, 2, 4, 8)):
        stacks = {"dilated": tuple(dilations), "plain": (1,) * len(dilations)}
        self.fields = {name: receptive_field(causal_layers(kernel_size, d)) for name, d in stacks.items()}
        variants = {}
        for name, d in stacks.items():
            rf = self.fields[name]
            label = (f"dilated: dilations {', '.join(map(str, d))} (receptive field {rf.size})" if name == "dilated"
                     else f"plain: dilation 1 in every layer (receptive field {rf.size})")
            rows = layer_rows(rf, n)
            rows[-1]["label"] = "input x"
            variants[name] = {"label": label, "layers": rows, "steps": stack_steps(rf, n, future=True)}
        data = {"static": {"kind": self.kind, "states": STATES, "title": "causal stack",
                           "legend": [["o", "output t"], ["r", "read by output t (at or before t)"],
                                      [".", "not read (before t)"], ["f", "the future: after t, never read"]],
                           "note": (f"Causal layers pad d·(k − 1) = d·{kernel_size - 1} zeros on the left, so "
                                    f"every layer's output is as long as its input ({n}) and output t reads "
                                    f"nothing after t.")},
                "variants": variants, "variant": "dilated"}
        super().__init__(data=data, step=0, variant="dilated", _css=self.stylesheet())
