"""How fast is convcore's vectorized conv2d, next to PyTorch and to a plain im2col?

Run:  python benchmarks/bench_kernels.py [--repeat 11]

Prints a table; asserts nothing (timings belong in a report, not in a test).
The case is issue 3's: float32 input (8, 64, 56, 56), weight (64, 64, 3, 3),
padding 1, one ResNet stage's 3x3 convolution. The target is at most 5x the
time of ``torch.nn.functional.conv2d`` measured in the same process.
"""
from __future__ import annotations

import argparse
import ctypes
import os
import platform
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

import convcore
from convcore import examples


# ----------------------------------------------------------------------------
# The baseline the issue compares against: im2col written out plainly
# ----------------------------------------------------------------------------
def im2col_conv2d(x: np.ndarray, w: np.ndarray, padding: int) -> np.ndarray:
    """Textbook im2col: copy every 3x3xC patch into one row of a big matrix, then one GEMM.

    x (N, C, H, W), w (O, C, kH, kW), stride 1, dilation 1, groups 1.
    """
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    xp = np.pad(x, [(0, 0), (0, 0), (padding, padding), (padding, padding)])
    ho, wo = h + 2 * padding - kh + 1, wd + 2 * padding - kw + 1
    cols = np.empty((n, c, kh, kw, ho, wo), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            cols[:, :, i, j] = xp[:, :, i:i + ho, j:j + wo]
    cols = cols.transpose(0, 4, 5, 1, 2, 3).reshape(n * ho * wo, c * kh * kw)
    out = cols @ w.reshape(o, -1).T                      # (N*Ho*Wo, O)
    return out.reshape(n, ho, wo, o).transpose(0, 3, 1, 2)


# ----------------------------------------------------------------------------
# Timing and environment
# ----------------------------------------------------------------------------
def interleaved_times(functions: dict, repeat: int, warmup: int = 2) -> dict:
    """Median and best time of each function, run in turn round after round.

    Interleaving means a burst of load from other processes hits every
    contender alike, so the ratios stay meaningful on a shared machine.
    """
    for _ in range(warmup):
        for f in functions.values():
            f()
    times = {name: [] for name in functions}
    for _ in range(repeat):
        for name, f in functions.items():
            t = time.perf_counter()
            f()
            times[name].append(time.perf_counter() - t)
    return {name: (statistics.median(ts), min(ts)) for name, ts in times.items()}


def blas_summary() -> str:
    """Which BLAS numpy calls, and which core kernel it picked at run time."""
    try:
        import threadpoolctl
        info = [f"{d['internal_api']} {d.get('version')} ({d.get('architecture')}, {d['num_threads']} threads)"
                for d in threadpoolctl.threadpool_info() if d["user_api"] == "blas"]
        if info:
            return "; ".join(info) + " [threadpoolctl]"
    except ImportError:
        pass
    # No threadpoolctl: ask the OpenBLAS that numpy loaded directly.
    np.ones(2) @ np.ones(2)
    with open("/proc/self/maps") as maps:
        libs = sorted({line.split()[-1] for line in maps if "openblas" in line.lower() and line.split()[-1].startswith("/")})
    for path in libs:
        lib = ctypes.CDLL(path)
        for prefix, suffix in (("scipy_openblas_", "64_"), ("openblas_", "64_"), ("openblas_", "")):
            try:
                config = getattr(lib, f"{prefix}get_config{suffix}")
                corename = getattr(lib, f"{prefix}get_corename{suffix}")
                threads = getattr(lib, f"{prefix}get_num_threads{suffix}")
            except AttributeError:
                continue
            config.restype = corename.restype = ctypes.c_char_p
            return (f"{config().decode()} | core in use: {corename().decode()} | "
                    f"threads: {threads()} [{os.path.basename(path)}]")
    # Last resort: what numpy was built against.
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{blas.get('name')} {blas.get('version')} [np.show_config]"
    except Exception:  # noqa: BLE001 - only a printout
        return "unknown"


def environment(cores: int) -> list[str]:
    env = {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS",
                                          "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    return [
        f"python {sys.version.split()[0]}, numpy {np.__version__}, torch {torch.__version__}, "
        f"{platform.machine()}, {cores} core(s) available",
        f"torch.set_num_threads({cores}) -> torch uses {torch.get_num_threads()} thread(s)",
        "BLAS: " + blas_summary(),
        "env: " + ", ".join(f"{k}={'(unset)' if v is None else v}" for k, v in env.items()),
        load_line(),
    ]


def load_line() -> str:
    """Other processes share these cores; say how busy the machine was."""
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cpu(s)"


def row(name: str, median: float, best: float, base: float | None) -> str:
    ratio = "" if base is None else f"{median / base:7.2f}x"
    return f"  {name:<42} {median * 1e3:10.2f} ms {best * 1e3:10.2f} ms {ratio:>9}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=11, help="timed rounds (median and best reported)")
    args = parser.parse_args()

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    torch.set_num_threads(cores)
    print("convcore benchmark: vectorized conv2d vs torch.nn.functional.conv2d")
    for line in environment(cores):
        print("  " + line)

    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 64, 56, 56), dtype=np.float32)
    w = rng.standard_normal((64, 64, 3, 3), dtype=np.float32) * 0.05
    tx, tw = torch.from_numpy(x), torch.from_numpy(w)

    # Same answer first: a benchmark of a wrong result is worthless.
    expected = F.conv2d(tx, tw, padding=1).numpy()
    ours = convcore.conv2d(x, w, padding=1)
    baseline = im2col_conv2d(x, w, 1)
    assert ours.dtype == np.float32 and ours.shape == expected.shape
    err_ours = float(np.abs(ours - expected).max())
    err_im2col = float(np.abs(baseline - expected).max())

    with torch.no_grad():
        t = interleaved_times({
            "torch": lambda: F.conv2d(tx, tw, padding=1),
            "convcore": lambda: convcore.conv2d(x, w, padding=1),
            "im2col": lambda: im2col_conv2d(x, w, 1),
        }, args.repeat)
    t_torch, t_ours, t_im2col = t["torch"], t["convcore"], t["im2col"]

    print()
    print(f"conv2d float32, input {x.shape}, weight {w.shape}, padding 1 -> output {ours.shape}")
    print(f"  {'':<42} {'median':>13} {'best':>13} {'vs torch':>9}")
    print(row("torch.nn.functional.conv2d", *t_torch, t_torch[0]))
    print(row("convcore.conv2d (blocked im2col + matmul)", *t_ours, t_torch[0]))
    print(row("im2col + one matmul (baseline in this file)", *t_im2col, t_torch[0]))
    print(f"  max |difference| from torch: convcore {err_ours:.2e}, im2col {err_im2col:.2e}")
    ratio, best_ratio = t_ours[0] / t_torch[0], t_ours[1] / t_torch[1]
    print(f"  ratio convcore / torch = {ratio:.2f}x by median, {best_ratio:.2f}x by best run "
          f"(target <= 5x): {'met' if ratio <= 5 else 'NOT met'}")

    print("  " + load_line() + " (after timing)")

    print()
    print("reference loop (convcore.reference2d, the loop the trace walks), small cases")
    print(f"  {'':<42} {'median':>13} {'best':>13} {'vs conv2d':>9}")
    small = [("seed_conv2d (2,4,4) x (3,2,2,2)", examples.get("seed_conv2d").input,
              examples.get("seed_conv2d").weight, 0)]
    small.append(("(2,8,8) x (4,2,3,3), padding 1", rng.integers(-3, 4, (2, 8, 8)),
                  rng.integers(-3, 4, (4, 2, 3, 3)), 1))
    for name, xs, ws, pad in small:
        assert np.array_equal(convcore.reference2d(xs, ws, padding=pad), convcore.conv2d(xs, ws, padding=pad))
        t = interleaved_times({"loop": lambda: convcore.reference2d(xs, ws, padding=pad),
                               "fast": lambda: convcore.conv2d(xs, ws, padding=pad)}, args.repeat)
        loop, fast = t["loop"], t["fast"]
        print(row(f"reference2d {name}", *loop, fast[0]))
        print(row(f"conv2d      {name}", *fast, fast[0]))


if __name__ == "__main__":
    main()
