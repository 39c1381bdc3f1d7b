"""A whole network (convcore.Network) against PyTorch: every layer's output, the input gradient and
every parameter's gradient, on random models (float64, to 1e-9), and the model of notebook 13."""
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from torch import nn

from convcore import Network
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


@settings(max_examples=150, deadline=None)
@given(models())
def test_random_models_match_pytorch_layer_by_layer_and_in_every_gradient(model):
    check_against_torch(model)
