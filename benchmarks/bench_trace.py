"""What a lazy trace costs: build it, jump to any step, next to computing the whole output.

Run:  python benchmarks/bench_trace.py [--repeat 7]

The case is issue 3's: a (3, 224, 224) image, 64 filters of 3x3, padding 1,
float64 -> 64 * 224 * 224 = 3,211,264 steps. The issue asks that building
the trace and reaching its last step take well under 100 ms and a few MiB.
Prints a table; asserts nothing.
"""
from __future__ import annotations

import argparse
import statistics
import time
import tracemalloc

import numpy as np

import convcore


def measure(f, repeat: int) -> tuple[float, float, object]:
    """Median wall time (s) over ``repeat`` runs, and peak traced memory (bytes) of one run."""
    result = f()  # warm up (imports, caches)
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    tracemalloc.start()
    try:
        result = f()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return statistics.median(times), peak, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 224, 224))
    w = rng.standard_normal((64, 3, 3, 3))
    trace = convcore.trace2d(x, w, padding=1)
    n = len(trace)
    k = int(rng.integers(n))

    rows = [
        ("build trace2d", lambda: convcore.trace2d(x, w, padding=1)),
        ("trace[0]", lambda: trace[0]),
        (f"trace[{k}] (random step)", lambda: trace[k]),
        ("trace[-1] (last step)", lambda: trace[-1]),
        ("build + trace[-1]", lambda: convcore.trace2d(x, w, padding=1)[-1]),
        ("trace.step_at(63, (223, 223))", lambda: trace.step_at(63, (223, 223))),
        ("1000 consecutive steps", lambda: [trace[i] for i in range(1000)]),
        ("conv2d, whole output (vectorized)", lambda: convcore.conv2d(x, w, padding=1)),
    ]
    results = {name: measure(f, args.repeat) for name, f in rows}
    full_time, full_peak, full_out = results["conv2d, whole output (vectorized)"]

    print(f"convcore trace benchmark: input {x.shape} float64, weight {w.shape}, padding 1")
    print(f"  {n:,} steps = 64 output channels x 224 x 224 positions; median of {args.repeat} runs,")
    print("  peak memory by tracemalloc (numpy's allocations included) during one run")
    print()
    print(f"  {'':<36} {'time':>11} {'vs conv2d':>10} {'peak memory':>13} {'vs conv2d':>10}")
    for name, _ in rows:
        t, peak, _ = results[name]
        print(f"  {name:<36} {t * 1e3:8.3f} ms {t / full_time:9.5f}x {peak / 1024:9.1f} KiB {peak / full_peak:9.5f}x")

    # A benchmark of a wrong answer is worthless: the last step is the last output element.
    last = results["trace[-1] (last step)"][2]
    assert last.out_index == (63, 223, 223)
    assert np.isclose(last.value, full_out[63, 223, 223], rtol=1e-12)
    built, reached = results["build trace2d"][0], results["build + trace[-1]"][0]
    peak_mib = results["build + trace[-1]"][1] / 2**20
    print()
    print(f"  build and reach the last step: {reached * 1e3:.3f} ms, {peak_mib:.3f} MiB peak "
          f"(issue 3's budget: well under 100 ms and a few MiB); building alone {built * 1e3:.3f} ms")


if __name__ == "__main__":
    main()
