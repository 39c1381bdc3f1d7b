"""How long does one epoch of training take on convcore's Network, next to PyTorch on the same model?

Run:  python benchmarks/bench_network.py [--repeat 5]

Prints a table; asserts nothing (timings belong in a report, not in a test).
The case is issue 19's: the notebook's CNN (conv 3×3 → ReLU → max pool → conv
3×3 → ReLU → max pool → flatten → linear, 1,898 parameters) on scikit-learn's
digits (1,797 images of 8×8), one epoch of plain SGD with batches of 32 and
softmax cross-entropy. Both sides start from the same weights and see the same
batches; convcore computes in float64, PyTorch is timed in float32 (its usual
dtype, the stricter baseline) and in float64. The target is at most 5× the
float32 epoch of PyTorch measured in the same process.
"""
from __future__ import annotations

import argparse
import copy
import os

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

from convcore import Network
from convcore.network import DIGITS_CNN
from bench_kernels import interleaved_times, load_line

BATCH, LR = 32, 0.05


def softmax_cross_entropy(scores: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean cross-entropy of the scores and its gradient with respect to them."""
    shifted = scores - scores.max(axis=1, keepdims=True)
    p = np.exp(shifted)
    p /= p.sum(axis=1, keepdims=True)
    loss = -np.log(p[np.arange(len(labels)), labels]).mean()
    p[np.arange(len(labels)), labels] -= 1
    return float(loss), p / len(labels)


def convcore_epoch(net: Network, x: np.ndarray, y: np.ndarray) -> list[float]:
    params, losses = net.named_parameters(), []
    for start in range(0, len(x), BATCH):
        scores = net.forward(x[start:start + BATCH])[-1]
        loss, g = softmax_cross_entropy(scores, y[start:start + BATCH])
        _, grads = net.backward(g)
        for name, p in params.items():
            p -= LR * grads[name]
        losses.append(loss)
    return losses


def torch_epoch(module: nn.Sequential, x: torch.Tensor, y: torch.Tensor) -> list[float]:
    opt = torch.optim.SGD(module.parameters(), lr=LR)
    losses = []
    for start in range(0, len(x), BATCH):
        opt.zero_grad()
        loss = F.cross_entropy(module(x[start:start + BATCH]), y[start:start + BATCH])
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed epochs per contender (median and best)")
    args = parser.parse_args()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    torch.set_num_threads(cores)

    digits = load_digits()
    x = (digits.images / 16.0)[:, None].astype(np.float64)      # (1797, 1, 8, 8), values in [0, 1]
    y = digits.target
    start = Network(DIGITS_CNN, seed=0).to_torch()      # the chapter's model, initialised as PyTorch would

    print("convcore benchmark: one epoch of SGD on the digits, convcore.Network vs PyTorch")
    print(f"  numpy {np.__version__}, torch {torch.__version__}, torch uses {torch.get_num_threads()} thread(s); "
          + load_line())
    print(f"  data {x.shape} ({len(x)} images), batch {BATCH}, lr {LR}, "
          f"{-(-len(x) // BATCH)} steps per epoch, {sum(p.numel() for p in start.parameters())} parameters")

    # Same answer first: one epoch from the same weights gives the same losses.
    ours = convcore_epoch(Network.from_torch(start), x, y)
    theirs = torch_epoch(_copy(start, torch.float64), torch.from_numpy(x), torch.from_numpy(y))
    print(f"  losses agree with PyTorch (float64) over the epoch: max |difference| "
          f"{max(abs(a - b) for a, b in zip(ours, theirs)):.1e} (first {ours[0]:.4f}, last {ours[-1]:.4f})")

    x32, x64, yt = torch.from_numpy(x.astype(np.float32)), torch.from_numpy(x), torch.from_numpy(y)
    # Each timed epoch starts from the same weights (a fresh copy, made outside the timing).
    fresh = {"convcore": lambda: Network.from_torch(start), "torch float32": lambda: _copy(start, torch.float32),
             "torch float64": lambda: _copy(start, torch.float64)}
    ready = {name: make() for name, make in fresh.items()}

    def run(name, epoch):
        def go():
            epoch(ready[name])
            ready[name] = fresh[name]()
        return go

    t = interleaved_times({
        "torch float32": run("torch float32", lambda m: torch_epoch(m, x32, yt)),
        "torch float64": run("torch float64", lambda m: torch_epoch(m, x64, yt)),
        "convcore": run("convcore", lambda net: convcore_epoch(net, x, y)),
    }, args.repeat, warmup=1)
    base = t["torch float32"][0]
    print()
    print(f"  {'one epoch':<32} {'median':>12} {'best':>12} {'vs torch f32':>13}")
    for name in ("torch float32", "torch float64", "convcore"):
        median, best = t[name]
        print(f"  {name:<32} {median * 1e3:9.1f} ms {best * 1e3:9.1f} ms {median / base:12.2f}x")
    ratio, best_ratio = t["convcore"][0] / base, t["convcore"][1] / t["torch float32"][1]
    print(f"  ratio convcore / torch float32 = {ratio:.2f}x by median, {best_ratio:.2f}x by best epoch "
          f"(target <= 5x): {'met' if ratio <= 5 else 'NOT met'}; vs torch float64 "
          f"{t['convcore'][0] / t['torch float64'][0]:.2f}x")
    print("  " + load_line() + " (after timing)")


def _copy(module: nn.Sequential, dtype) -> nn.Sequential:
    return copy.deepcopy(module).to(dtype)


if __name__ == "__main__":
    main()
