"""Exercises on the whole network of notebook 12-whole-network: the digits model (``network.DIGITS_CNN``)

    nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                  nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                  nn.Flatten(), nn.Linear(64, 10))

on 8×8 images. Its parameter count, the shape after each layer and the receptive field of the
last convolution are computed from this description with convcore's own functions
(``conv_parameters``, ``output_size``, ``pool_output_size``, ``receptive_field``).
"""
from __future__ import annotations

from ...api import output_size
from ...network import DIGITS_CNN
from ...pooling import pool_output_size
from ...receptive import receptive_field
from .core import Exercise, register, equals, when, conv_parameters

TOPIC = "12-whole-network"
IMAGE = (1, 8, 8)
# The chapter's model, as the library describes it (one description for the notebook, the
# benchmark and these exercises): (kind, settings) per layer.
LAYERS = tuple((d["type"], {k: v for k, v in d.items() if k != "type"}) for d in DIGITS_CNN)


def layer_parameters(kind, spec, bias=True) -> int:
    """A layer's learnable numbers; a Linear layer counts as a 1×1 convolution on its features."""
    if kind == "Conv2d":
        return conv_parameters(spec["in_channels"], spec["out_channels"], spec["kernel_size"], bias=bias)
    if kind == "Linear":
        return conv_parameters(spec["in_features"], spec["out_features"], 1, bias=bias)
    return 0


def parameters(bias=True, kinds=("Conv2d", "Linear")) -> int:
    return sum(layer_parameters(kind, spec, bias) for kind, spec in LAYERS if kind in kinds)


def shapes(flatten_channels_only=False) -> list[tuple[int, ...]]:
    """The shape after each layer (unbatched), computed layer by layer; the flags plant mistakes."""
    shape, found = IMAGE, []
    for kind, spec in LAYERS:
        if kind == "Conv2d":
            shape = (spec["out_channels"], *(output_size(n, spec["kernel_size"], padding=spec["padding"]) for n in shape[1:]))
        elif kind == "MaxPool2d":
            shape = (shape[0], *(pool_output_size(n, spec["kernel_size"]) for n in shape[1:]))
        elif kind == "Flatten":
            shape = (shape[0],) if flatten_channels_only else (shape[0] * shape[1] * shape[2],)
        elif kind == "Linear":
            shape = (spec["out_features"],)
        found.append(shape)
    return found


def _field_layers(upto=4):
    """The convolutions and pools of the first ``upto`` layers, as receptive_field reads them
    (a ReLU reads one cell: it does not widen the field)."""
    kinds = {"Conv2d": "conv", "MaxPool2d": "max_pool"}
    return [dict(kind=kinds[kind], kernel_size=spec["kernel_size"], padding=spec.get("padding", 0))
            for kind, spec in LAYERS[:upto] if kind in kinds]


def _field():
    return receptive_field(_field_layers())


register(Exercise(
    "network_parameters", TOPIC,
    givens="the digits network of notebook 12-whole-network: Conv2d(1, 8, 3, padding=1), ReLU, MaxPool2d(2), "
           "Conv2d(8, 16, 3, padding=1), ReLU, MaxPool2d(2), Flatten, Linear(64, 10); every parameter, biases included",
    answer=parameters,
    solution=lambda: (" + ".join(f"{kind} {layer_parameters(kind, spec)}" for kind, spec in LAYERS
                                 if layer_parameters(kind, spec)) + f" = {parameters()}: "
                      f"8·1·3·3 + 8, 16·8·3·3 + 16 and 10·64 + 10; ReLU, pooling and Flatten have no parameters"),
    mistakes=(
        (equals(parameters(bias=False)), "You left out the biases: one per output channel of each convolution, one per output of the Linear layer."),
        (equals(parameters(kinds=("Conv2d",))), "The Linear layer has parameters too: a weight per (input, output) pair and a bias per output."),
        (equals(parameters() - 10), "The Linear layer has a bias per output too."),
        (equals(parameters() - 8 - 16), "Each convolution has a bias per output channel too."),
        (equals(parameters() + 1 * 8 * 9), "The first convolution reads one channel: 8 filters of 1·3·3."),
    ),
    general_hint="Per convolution C_out·C_in·k·k + C_out; for the Linear layer in·out + out; add the layers up.",
))

register(Exercise(
    "network_shapes", TOPIC,
    givens="the digits network on one 8×8 image of shape (1, 8, 8): the shape after each of its 8 layers",
    form="a list of tuples, one shape per layer",
    answer=shapes,
    solution=lambda: ("; ".join(f"{kind} → {shape}" for (kind, _), shape in zip(LAYERS, shapes()))
                      + ": padding 1 keeps each 3×3 convolution's side, each pool halves it, Flatten lines up "
                        "16·2·2 numbers"),
    mistakes=(
        (equals([IMAGE, *shapes()]), "That list starts with the input; the question asks for the output of each layer."),
        (when(lambda g: tuple(g[0])[1:] == (output_size(IMAGE[1], 3),) * 2,
              [(shapes()[0][0], *(output_size(n, 3) for n in IMAGE[1:])), *shapes()[1:]]),
         "Did you use the padding? With padding 1 a 3×3 convolution keeps the side."),
        (equals(shapes(flatten_channels_only=True)), "Flatten lines up every number of the last maps: channels × rows × columns."),
        (when(lambda g: isinstance(g, (list, tuple)) and len(g) == len(LAYERS) - 2,
              [shape for (kind, _), shape in zip(LAYERS, shapes()) if kind != "ReLU"]),
         "ReLU is a layer too: it keeps the shape, and the list has one shape per layer."),
    ),
    general_hint="Layer by layer: a convolution whose padding makes up for its kernel keeps the side and sets "
                 "the channels; each pool halves the side; ReLU keeps the shape; Flatten multiplies it out.",
))

register(Exercise(
    "network_field", TOPIC,
    givens="the digits network: one output of its second convolution (layer 3), its receptive field on the input, "
           "per side, as notebook 10 counts it (padding positions included)",
    answer=lambda: _field().size,
    solution=lambda: (f"sizes {', '.join(str(f.size) for f in _field().layers)} after the first convolution, "
                      f"the pool and the second convolution: 1 + (3 − 1)·1 = 3, then 3 + (2 − 1)·1 = 4 with "
                      f"jump 2, then 4 + (3 − 1)·2 = {_field().size}; ReLU reads one cell and adds nothing"),
    mistakes=(
        (equals(3 + 2), "Did you multiply by the jump? After the stride-2 pool one step of the second convolution is 2 input positions."),
        (equals(3 + 2 * 2), "The pool widens the field too: its window of 2 adds one step."),
        (equals(3 + 1 + 2), "After the stride-2 pool, each of the second convolution's steps is 2 input positions."),
        (equals(3 * 2 * 3), "Sizes do not multiply: each layer adds (k − 1)·jump input positions."),
    ),
    general_hint="Notebook 10's recurrence: r grows by (k − 1)·j of the layer below, j is the product of the strides so far.",
))
