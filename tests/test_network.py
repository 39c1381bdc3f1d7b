"""A whole network (convcore.Network) against PyTorch: every layer's output, the input gradient and
every parameter's gradient, on random models (float64, to 1e-9), and the model of notebook 13."""
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from convcore import Network
from convcore.network import DIGITS_CNN
from strategies_network import models

TOL = dict(rtol=1e-9, atol=1e-9)
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel lengths:UserWarning")


def digits_model() -> nn.Sequential:
    """The contract's model (NETWORK_API.md): 8×8 digits in, 10 scores out."""
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64, 10)).double()


def torch_outputs(module, x) -> list[np.ndarray]:
    """Every layer's output, by running the module's layers one after the other."""
    outs, y = [], torch.from_numpy(x)
    with torch.no_grad():
        for layer in module:
            y = layer(y)
            outs.append(y.numpy())
    return outs


def torch_gradients(module, x, g):
    """Input and parameter gradients of sum(module(x) * g), by autograd."""
    module.zero_grad()
    xt = torch.from_numpy(x).requires_grad_(True)
    (module(xt) * torch.from_numpy(g)).sum().backward()
    return xt.grad.numpy(), {name: p.grad.numpy() for name, p in module.named_parameters()}


def check_against_torch(model, seed=0):
    net = Network.from_torch(model.module)
    assert repr(net.to_torch()) == repr(model.module)
    outs = net.forward(model.input)
    expected = torch_outputs(model.module, model.input)
    assert len(outs) == len(expected) == len(model.module)
    for ours, theirs in zip(outs, expected):
        assert ours.shape == theirs.shape
        np.testing.assert_allclose(ours, theirs, **TOL)
    g = np.random.default_rng(seed).uniform(-1, 1, expected[-1].shape)
    grad_input, grads = net.backward(g)
    t_input, t_grads = torch_gradients(model.module, model.input, g)
    assert list(grads) == list(t_grads)     # every parameter, named and ordered as PyTorch does
    np.testing.assert_allclose(grad_input, t_input, **TOL)
    for name in t_grads:
        np.testing.assert_allclose(grads[name], t_grads[name], **TOL, err_msg=name)
    return net


def test_the_digits_model_forward_and_backward_match_pytorch():
    torch.manual_seed(0)
    module = digits_model()
    x = np.random.default_rng(1).uniform(0, 16, (4, 1, 8, 8))
    net = check_against_torch(type("M", (), dict(module=module, input=x))())
    assert [str(layer) for layer in net.layers] == [repr(layer) for layer in module]
    assert sum(p.size for p in net.named_parameters().values()) == 1898


def test_the_catalogued_digits_model_is_the_contracts_and_goes_to_torch_and_back():
    net = Network(DIGITS_CNN, seed=0)
    module = net.to_torch()
    assert repr(module) == repr(digits_model())
    assert sum(p.size for p in net.named_parameters().values()) == sum(p.numel() for p in module.parameters())
    x = np.random.default_rng(9).uniform(0, 1, (3, 1, 8, 8))
    np.testing.assert_allclose(net.forward(x)[-1], torch_outputs(module, x)[-1], **TOL)
    back = Network.from_torch(module)
    for name, p in net.named_parameters().items():
        np.testing.assert_array_equal(back.named_parameters()[name], p)


@settings(max_examples=150, deadline=None)
@given(models())
def test_random_models_match_pytorch_layer_by_layer_and_in_every_gradient(model):
    check_against_torch(model)


@settings(max_examples=80, deadline=None)
@given(models(integers=True, relu_then_max=True))
def test_relu_then_max_pooling_on_integers_breaks_ties_of_zero_as_pytorch(model):
    """Whole numbers everywhere: ReLU leaves many exact zeros, and a max-pooling window full of
    them must send its gradient to the first one, the one PyTorch's forward chose."""
    check_against_torch(model)


def test_a_max_window_of_tied_zeros_sends_its_gradient_to_its_first_cell():
    """ReLU of a negative map is all zeros: every 2×2 window ties four ways; PyTorch's forward chose
    the first cell, and the gradient goes there and nowhere else."""
    module = nn.Sequential(nn.Conv2d(1, 1, 1, bias=False), nn.ReLU(), nn.MaxPool2d(2)).double()
    with torch.no_grad():
        module[0].weight.fill_(-1.0)
    x = np.arange(1.0, 17.0).reshape(1, 1, 4, 4)
    net = check_against_torch(type("M", (), dict(module=module, input=x))())
    net.forward(x)
    grad_input, _ = net.backward(np.ones((1, 1, 2, 2)))
    # No gradient passes ReLU at 0, so look at the pooling's own backward: the first cell of each window.
    routed = net.layers[2].backward(np.ones((1, 1, 2, 2)))[0]
    zeros = torch.zeros(1, 1, 4, 4, dtype=torch.float64, requires_grad=True)
    torch.nn.functional.max_pool2d(zeros, 2).sum().backward()
    np.testing.assert_array_equal(routed, zeros.grad.numpy())
    assert routed.sum() == 4 and not grad_input.any()


@pytest.mark.parametrize("dims", [1, 2])
@pytest.mark.parametrize("batched", [True, False], ids=["batched", "unbatched"])
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_every_layout_1d_and_2d_batched_and_unbatched(dims, batched, data):
    check_against_torch(data.draw(models(dims=dims, batched=batched)))


# ----------------------------------------------------------------------------
# Parameters, saving, building without PyTorch
# ----------------------------------------------------------------------------
def test_named_parameters_are_the_arrays_the_layers_use_so_sgd_updates_in_place():
    torch.manual_seed(2)
    module = digits_model()
    net = Network.from_torch(module)
    x = np.random.default_rng(3).uniform(0, 1, (5, 1, 8, 8))
    g = np.random.default_rng(4).uniform(-1, 1, (5, 10))
    net.forward(x)
    _, grads = net.backward(g)
    for name, p in net.named_parameters().items():
        p -= 0.1 * grads[name]
    # The same step in PyTorch:
    _, t_grads = torch_gradients(module, x, g)
    with torch.no_grad():
        for name, p in module.named_parameters():
            p -= 0.1 * torch.from_numpy(t_grads[name])
    np.testing.assert_allclose(net.forward(x)[-1], torch_outputs(module, x)[-1], **TOL)


def test_save_and_load_give_the_same_network(tmp_path):
    torch.manual_seed(5)
    module = nn.Sequential(nn.Conv1d(2, 4, 3, padding=2, dilation=2, groups=2, bias=False, padding_mode="circular"),
                           nn.ReLU(), nn.AvgPool1d(3, 2, 1, ceil_mode=True, count_include_pad=False),
                           nn.MaxPool1d(2, 1, 1, 1, ceil_mode=True), nn.Flatten(0), nn.Linear(4 * 5, 3)).double()
    net = Network.from_torch(module)
    net.save(tmp_path / "model.npz")
    back = Network.load(tmp_path / "model.npz")
    assert [str(layer) for layer in back.layers] == [repr(layer) for layer in module]
    assert list(back.named_parameters()) == [name for name, _ in module.named_parameters()]
    x = np.random.default_rng(6).uniform(-1, 1, (2, 7))
    for a, b, c in zip(back.forward(x), net.forward(x), torch_outputs(module, x)):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_allclose(a, c, **TOL)


WITHOUT_TORCH = """
import sys, json
import numpy as np
sys.modules["torch"] = None          # any import of torch now fails
from convcore import Network
from convcore.network import DIGITS_CNN
args = json.loads(sys.argv[1])
x = np.array(args["x"])
described = Network([dict(layer, **{k: np.array(v) for k, v in args["arrays"][i].items()})
                     for i, layer in enumerate(args["layers"])])
loaded = Network.load(args["path"])
print(json.dumps([described.forward(x)[-1].tolist(), loaded.forward(x)[-1].tolist(),
                  [str(layer) for layer in described.layers]]))
"""


def test_a_network_from_descriptions_or_a_saved_file_needs_no_torch(tmp_path):
    import json
    import subprocess
    import sys
    torch.manual_seed(7)
    module = digits_model()
    path = tmp_path / "digits.npz"
    Network.from_torch(module).save(path)
    layers = [{"type": "Conv2d", "padding": 1}, {"type": "ReLU"}, {"type": "MaxPool2d", "kernel_size": 2},
              {"type": "Conv2d", "padding": 1}, {"type": "ReLU"}, {"type": "MaxPool2d", "kernel_size": 2},
              {"type": "Flatten"}, {"type": "Linear"}]
    arrays = [{name: p.detach().numpy().tolist() for name, p in layer.named_parameters()} for layer in module]
    x = np.random.default_rng(8).uniform(0, 1, (3, 1, 8, 8))
    run = subprocess.run([sys.executable, "-c", WITHOUT_TORCH,
                          json.dumps(dict(x=x.tolist(), layers=layers, arrays=arrays, path=str(path)))],
                         capture_output=True, text=True, check=True)
    described, loaded, names = json.loads(run.stdout)
    expected = torch_outputs(module, x)[-1]
    np.testing.assert_allclose(described, expected, **TOL)
    np.testing.assert_allclose(loaded, expected, **TOL)
    assert names == [repr(layer) for layer in module]


def test_descriptions_without_weights_are_initialised_as_pytorch_initialises():
    net = Network([{"type": "Conv2d", "in_channels": 4, "out_channels": 300, "kernel_size": 5},
                   {"type": "Flatten"}, {"type": "Linear", "in_features": 400, "out_features": 300, "bias": False}],
                  seed=0)
    params = net.named_parameters()
    assert list(params) == ["0.weight", "0.bias", "2.weight"]
    torch.manual_seed(0)
    theirs = {"0.weight": nn.Conv2d(4, 300, 5).weight, "0.bias": nn.Conv2d(4, 300, 5).bias,
              "2.weight": nn.Linear(400, 300, bias=False).weight}
    for name, p in theirs.items():
        # the same uniform distribution: the same range (to within what 300+ draws leave), mean near 0
        assert params[name].shape == tuple(p.shape)
        np.testing.assert_allclose(np.abs(params[name]).max(), p.abs().max().item(), rtol=0.02)
        assert abs(params[name].mean()) < 0.1 * np.abs(params[name]).max()
    assert str(net.layers[0]) == repr(nn.Conv2d(4, 300, 5))


# ----------------------------------------------------------------------------
# Looking inside: traces and receptive fields
# ----------------------------------------------------------------------------
@settings(max_examples=40, deadline=None)
@given(models(), st.data())
def test_every_traced_layer_steps_through_the_numbers_of_its_pass(model, data):
    """trace(i) computes layer i's output step by step; trace_backward(i) its gradients."""
    net = Network.from_torch(model.module)
    outs = net.forward(model.input)
    g = np.random.default_rng(0).uniform(-1, 1, outs[-1].shape)
    net.backward(g)
    # the gradient of the loss with respect to every layer's input, by autograd
    y = torch.from_numpy(model.input).requires_grad_(True)
    ins = [y]
    for layer in model.module:
        y = layer(y)
        y.retain_grad()
        ins.append(y)
    (y * torch.from_numpy(g)).sum().backward()
    for i, layer in enumerate(net.layers):
        if not layer.traced:
            continue
        forward = net.trace(i)
        assert len(forward) == outs[i].size
        k = data.draw(st.integers(0, len(forward) - 1), label=f"forward step of layer {i}")
        step = forward[k]
        assert step.value == pytest.approx(outs[i][step.out_index], rel=1e-9, abs=1e-12)
        backward = net.trace_backward(i)
        traces = backward if isinstance(backward, tuple) else (backward,)
        for trace in traces:
            k = data.draw(st.integers(0, len(trace) - 1), label=f"backward step of layer {i}")
            assert trace[k].value == pytest.approx(trace.output[trace[k].element], rel=1e-9, abs=1e-12)
        # what the input-gradient trace sums up is the gradient the layer passed to the one before it
        np.testing.assert_allclose(traces[0].output, ins[i].grad.numpy(), **TOL)


def field_oracle(module, i, index, x):
    """The cells autograd reaches from output cell ``index`` of layer ``i`` when every path counts:
    weights of 1, ReLU as the identity, max pooling as average pooling over the same windows (or, with
    dilation, as a depthwise convolution of ones); a cell depends on the output iff its gradient is > 0."""
    layers = []
    for layer in list(module)[:i + 1]:
        if isinstance(layer, nn.ReLU):
            layer = nn.Identity()
        elif isinstance(layer, (nn.MaxPool1d, nn.MaxPool2d)):
            dims = 1 if isinstance(layer, nn.MaxPool1d) else 2
            dil = layer.dilation if isinstance(layer.dilation, tuple) else (layer.dilation,) * dims
            if all(d == 1 for d in dil):
                layer = (nn.AvgPool1d if dims == 1 else nn.AvgPool2d)(layer.kernel_size, layer.stride, layer.padding,
                                                                     ceil_mode=layer.ceil_mode)
            elif not layer.ceil_mode:
                layer = ("depthwise", layer, dims)
            else:
                return None
        layers.append(layer)
    xt = torch.from_numpy(x).requires_grad_(True)
    tensors, y = [xt], xt
    for layer in layers:
        if isinstance(layer, tuple):
            _, pool, dims = layer
            c = y.shape[-dims - 1]
            k = pool.kernel_size if isinstance(pool.kernel_size, tuple) else (pool.kernel_size,) * dims
            conv = (torch.nn.functional.conv1d if dims == 1 else torch.nn.functional.conv2d)
            y = conv(y, torch.ones(c, 1, *k, dtype=torch.float64), stride=pool.stride, padding=pool.padding,
                     dilation=pool.dilation, groups=c)
        else:
            if hasattr(layer, "weight"):
                layer = type(layer)(**{**_init_args(layer), "bias": False}).double()
                with torch.no_grad():
                    layer.weight.fill_(1.0)
            y = layer(y)
        y.retain_grad()
        tensors.append(y)
    y[index].backward()
    return [t.grad.numpy() > 0 for t in tensors]


def _init_args(layer):
    if isinstance(layer, nn.Linear):
        return dict(in_features=layer.in_features, out_features=layer.out_features)
    return dict(in_channels=layer.in_channels, out_channels=layer.out_channels, kernel_size=layer.kernel_size,
                stride=layer.stride, padding=layer.padding, dilation=layer.dilation, groups=layer.groups,
                padding_mode=layer.padding_mode)


@settings(max_examples=60, deadline=None)
@given(models(), st.data())
def test_field_marks_exactly_the_cells_an_output_depends_on(model, data):
    net = Network.from_torch(model.module)
    outs = net.forward(model.input)
    i = data.draw(st.integers(0, len(outs) - 1), label="layer")
    index = tuple(data.draw(st.integers(0, n - 1)) for n in outs[i].shape)
    expected = field_oracle(model.module, i, index, model.input)
    if expected is None:      # a dilated ceil_mode max pooling has no stand-in in PyTorch
        return
    masks = net.field(i, index)
    assert len(masks) == i + 2
    for j, (ours, theirs) in enumerate(zip(masks, expected)):
        assert ours.dtype == bool and ours.shape == theirs.shape
        np.testing.assert_array_equal(ours, theirs, err_msg=f"tensor {j}")


def test_field_of_the_digits_model_grows_by_the_windows():
    torch.manual_seed(0)
    net = Network.from_torch(digits_model())
    net.forward(np.random.default_rng(0).uniform(0, 1, (2, 1, 8, 8)))
    masks = net.field(3, (1, 5, 2, 2))          # second conv, sample 1, channel 5, cell (2, 2)
    assert masks[4].sum() == 1
    assert masks[3].sum() == 8 * 9              # every channel of a 3×3 window of the pooled maps
    assert not masks[0][0].any()               # the other sample plays no part
    # cell (2, 2) reads pooled rows/cols 1..3, which pool conv-1 rows 2..7, which read input rows 1..8
    # (8 is padding): a 7×7 square
    rows, cols = np.nonzero(masks[0][1, 0])
    assert (rows.min(), rows.max(), cols.min(), cols.max()) == (1, 7, 1, 7)
    assert masks[0][1, 0].sum() == 49
