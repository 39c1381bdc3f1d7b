"""Bad networks and bad inputs to a network: refused where PyTorch refuses them (or where convcore
cannot compute what PyTorch could), with a message naming the layer, what it needs and what arrived."""
import numpy as np
import pytest
import torch
from torch import nn

from convcore import Network
from convcore.network import SUPPORTED
from test_errors_pooling import assert_explained

X = np.zeros((2, 1, 8, 8))


def digits_model() -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64, 10)).double()


def forward(module, x):
    """(convcore's call, PyTorch's call) of the same model on the same input."""
    return (lambda: Network.from_torch(module).forward(x),
            lambda: module(torch.from_numpy(np.asarray(x, dtype=np.float64))))


def case(id, calls, error, *phrases):
    """``calls``: (convcore's call, PyTorch's same mistake, which must fail too, or None)."""
    call, torch_call = calls if isinstance(calls, tuple) else (calls, None)
    return pytest.param(call, torch_call, error, phrases, id=id)


ALL = ", ".join(SUPPORTED)
BAD = [
    # -- layers convcore does not compute -----------------------------------------
    case("batchnorm", lambda: Network.from_torch(nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2))), ValueError,
         "layer 1 is a BatchNorm2d, which convcore does not compute", ALL),
    case("nested-sequential", lambda: Network.from_torch(nn.Sequential(nn.Sequential(nn.ReLU()))), ValueError,
         "layer 0 is a Sequential", ALL),
    case("not-a-sequential", lambda: Network.from_torch(nn.Conv2d(1, 2, 3)), ValueError,
         "`module` must be an nn.Sequential", "got Conv2d"),
    case("description-of-dropout", lambda: Network([{"type": "Dropout"}]), ValueError,
         "layer 0 is a Dropout, which convcore does not compute", ALL),
    case("description-without-type", lambda: Network([{"type": "ReLU"}, {"kernel_size": 2}]), ValueError,
         "layer 1 has no 'type'", ALL),
    case("description-not-a-dict", lambda: Network(["ReLU"]), ValueError,
         "layer 0 must be a description", "'ReLU'"),
    case("max-pool-return-indices", lambda: Network.from_torch(nn.Sequential(nn.MaxPool2d(2, return_indices=True))),
         ValueError, "return_indices=True", "leave it False"),
    case("avg-pool-divisor-override", lambda: Network.from_torch(nn.Sequential(nn.AvgPool2d(2, divisor_override=3))),
         ValueError, "divisor_override is not supported"),
    # -- descriptions PyTorch's constructors would refuse -----------------------------
    case("unknown-key", (lambda: Network([{"type": "Conv2d", "in_channels": 1, "out_channels": 2, "kernel": 3}]),
                         lambda: nn.Conv2d(1, 2, kernel=3)), ValueError,
         "layer 0 (Conv2d): unknown key 'kernel'", "kernel_size"),
    case("conv-missing-kernel", (lambda: Network([{"type": "Conv1d", "in_channels": 1, "out_channels": 2}]),
                                 lambda: nn.Conv1d(1, 2)), ValueError, "needs 'kernel_size'"),
    case("conv-groups-do-not-divide", (lambda: Network([{"type": "Conv2d", "in_channels": 3, "out_channels": 2,
                                                          "kernel_size": 1, "groups": 2}]),
                                       lambda: nn.Conv2d(3, 2, 1, groups=2)), ValueError,
         "`groups`=2 must divide in_channels=3"),
    case("conv-same-with-stride", (lambda: Network([{"type": "Conv1d", "in_channels": 1, "out_channels": 1,
                                                      "kernel_size": 3, "stride": 2, "padding": "same"}]),
                                   lambda: nn.Conv1d(1, 1, 3, stride=2, padding="same")), ValueError,
         "padding='same' only works with stride 1"),
    case("conv-bad-padding-mode", (lambda: Network([{"type": "Conv1d", "in_channels": 1, "out_channels": 1,
                                                      "kernel_size": 3, "padding_mode": "mirror"}]),
                                   lambda: nn.Conv1d(1, 1, 3, padding_mode="mirror")), ValueError,
         "`padding_mode` must be one of", "'mirror'"),
    case("weight-disagrees", lambda: Network([{"type": "Conv2d", "in_channels": 2, "weight": np.zeros((4, 1, 3, 3))}]),
         ValueError, "`in_channels`=2 does not agree with `weight` of shape (4, 1, 3, 3)", "in_channels=1"),
    case("bias-wrong-shape", lambda: Network([{"type": "Linear", "weight": np.zeros((3, 2)), "bias": np.zeros(2)}]),
         ValueError, "`bias` must have shape (3,)", "got shape (2,)"),
    case("pool-padding-over-half", (lambda: Network([{"type": "MaxPool2d", "kernel_size": 2, "padding": 2}]),
                                    lambda: nn.MaxPool2d(2, padding=2)(torch.zeros(1, 1, 8, 8))), ValueError,
         "layer 0 (MaxPool2d", "`padding` must be at most half the kernel", "got 2"),
    case("pool-kernel-0", (lambda: Network([{"type": "AvgPool1d", "kernel_size": 0}]),
                           lambda: nn.AvgPool1d(0)(torch.zeros(1, 1, 8))), ValueError, "`kernel_size` must be >= 1"),
    case("empty", lambda: Network([]), ValueError, "`layers` is empty"),
    # -- inputs a layer cannot take ---------------------------------------------------
    case("three-channels-into-one", forward(digits_model(), np.zeros((2, 3, 8, 8))), ValueError,
         "Network.forward: layer 0 (Conv2d(1, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))) refused its input",
         "it needs (N, 1, H, W) or (1, H, W)", "got shape (2, 3, 8, 8) (the network's input)"),
    case("image-without-channel-axis", forward(digits_model(), np.zeros((8, 8))), ValueError,
         "layer 0", "it needs (N, 1, H, W) or (1, H, W)", "got shape (8, 8)"),
    case("unbatched-digit-flattens-per-channel", forward(digits_model(), np.zeros((1, 8, 8))), ValueError,
         "layer 7 (Linear(in_features=64, out_features=10, bias=True)) refused its input",
         "it needs (N, 64) or (64,)", "got shape (16, 4) (the output of layer 6)"),
    case("image-too-small", forward(nn.Sequential(nn.Conv2d(1, 2, 5)).double(), np.zeros((1, 1, 3, 6))), ValueError,
         "layer 0", "with H ≥ 5, W ≥ 5", "got shape (1, 1, 3, 6)"),
    case("pooled-away", forward(nn.Sequential(nn.MaxPool1d(2), nn.MaxPool1d(2), nn.AvgPool1d(3)).double(),
                                np.zeros((1, 1, 8))), ValueError,
         "layer 2 (AvgPool1d(kernel_size=(3,), stride=(3,), padding=(0,))) refused its input",
         "(N, C, L) or (C, L) with L ≥ 3", "got shape (1, 1, 2) (the output of layer 1)"),
    case("linear-without-flatten", forward(nn.Sequential(nn.Conv2d(1, 2, 3), nn.Linear(8, 3)).double(),
                                           np.zeros((1, 1, 4, 4))), ValueError,
         "layer 1 (Linear", "(N, 8) or (8,)", "got shape (1, 2, 2, 2)", "a Flatten() before it"),
    case("conv1d-on-an-image", forward(nn.Sequential(nn.Conv1d(1, 2, 3)).double(), np.zeros((1, 1, 5, 5))),
         ValueError, "it needs (N, 1, L) or (1, L)", "got shape (1, 1, 5, 5)"),
    case("string-input", lambda: Network.from_torch(digits_model()).forward("digits"), TypeError,
         "`x` must be numbers"),
]


def run_backward(build, grad):
    def call():
        net = Network.from_torch(build())
        net.forward(X)
        return net.backward(grad)
    return call


BAD += [
    case("backward-before-forward", lambda: Network.from_torch(digits_model()).backward(np.zeros((2, 10))),
         ValueError, "run net.forward(x) first"),
    case("grad-output-wrong-shape", run_backward(digits_model, np.zeros((2, 9))), ValueError,
         "`grad_output` must have the shape of the network's output, (2, 10)", "got shape (2, 9)"),
]


PREFIX = r"Network(\.from_torch|\.forward|\.backward|\.load|\.trace|\.trace_backward|\.field)?: "


@pytest.mark.parametrize("call, torch_call, error, phrases", BAD)
def test_bad_network_or_input_is_explained(call, torch_call, error, phrases):
    assert_explained(call, torch_call, error, phrases, PREFIX)


def test_looking_inside_before_a_pass_or_where_there_is_nothing_to_trace():
    net = Network.from_torch(digits_model())
    with pytest.raises(ValueError, match=r"Network.trace: run net.forward\(x\) first"):
        net.trace(0)
    net.forward(X)
    with pytest.raises(ValueError, match=r"layer 1 \(ReLU\(\)\) has no step-through trace.*"
                                         r"layers with one: 0 \(Conv2d\), 2 \(MaxPool2d\), 3 \(Conv2d\), 5 \(MaxPool2d\)"):
        net.trace(1)
    with pytest.raises(ValueError, match=r"run net.backward\(grad_output\)"):
        net.trace_backward(0)
    with pytest.raises(IndexError, match=r"Network.trace: layer 8 does not exist; the layers are 0 to 7"):
        net.trace(8)
    with pytest.raises(IndexError, match=r"Network.field: \(0, 0, 8, 0\) is not a cell of layer 0's output, "
                                         r"shape \(2, 8, 8, 8\)"):
        net.field(0, (0, 0, 8, 0))


def test_load_refuses_a_file_that_holds_no_network(tmp_path):
    np.savez(tmp_path / "other.npz", weights=np.zeros(3))
    with pytest.raises(ValueError, match=r"Network.load: .*holds no network.*\['weights'\].*Network.save"):
        Network.load(tmp_path / "other.npz")
    with pytest.raises(FileNotFoundError, match="Network.load: no file"):
        Network.load(tmp_path / "missing.npz")
