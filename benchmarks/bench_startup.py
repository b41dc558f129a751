"""Print start-up figures: `mlkit --help` and `import mlkit` wall time (targets 0.5 s and 0.3 s).

Usage: python benchmarks/bench_startup.py [--repeat 7]
"""

import argparse
import statistics
import subprocess
import sys
import time


def _time(cmd, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    rows = [
        ("python -c pass (interpreter floor)", [sys.executable, "-c", "pass"], None),
        ("import mlkit", [sys.executable, "-c", "import mlkit"], 0.3),
        ("mlkit --help", [sys.executable, "-m", "mlkit", "--help"], 0.5),
    ]
    print(f"{'what':40s} {'median s':>9s} {'min s':>7s} {'target s':>9s}")
    for name, cmd, target in rows:
        med, best = _time(cmd, args.repeat)
        ok = "" if target is None else ("ok" if med <= target else "OVER")
        print(f"{name:40s} {med:9.3f} {best:7.3f} {'' if target is None else target:>9} {ok}")


if __name__ == "__main__":
    main()
