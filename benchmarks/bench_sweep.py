"""Benchmark ``mlkit sweep``: speed-up of 2 workers over 1, and per-point overhead over ``mlkit run``.

Prints figures; it is not a timed test. Run from the project root::

    python benchmarks/bench_sweep.py                      # 8 seeds of 00_start_here, profile ci
    python benchmarks/bench_sweep.py --notebook notebooks/03b_tracking.ipynb --points 4

Targets (issue 14): an 8-point sweep on 2 workers >= 1.7x as fast as on 1 worker; a point's
wall time (the 1-worker sweep's wall divided by its points, cluster start included) at most 10 %
above the wall time of ``mlkit run`` of the same notebook (the command, process start included).
Both depend on the machine being otherwise idle: the script prints the load average with them.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _sweep_wall(notebook: str, points: int, workers: int, base: Path):
    """Return the sweep's wall time (s), point statuses and the sum of point durations (s)."""
    from mlkit.runner.sweep import sweep

    t0 = time.perf_counter()
    df = sweep(
        [ROOT / notebook], seeds=points, workers=workers, sweeps_dir=base, echo=lambda *_: None
    )
    return time.perf_counter() - t0, list(df["status"]), float(df["duration_s"].sum())


def _run_wall(notebook: str, seed: int, base: Path) -> float:
    t0 = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "mlkit",
            "run",
            notebook,
            "-p",
            "random_state",
            str(seed),
            "--runs-dir",
            str(base),
            "--jobs",
            "1",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebook", default="notebooks/00_start_here.ipynb")
    parser.add_argument("--points", type=int, default=8)
    parser.add_argument("--runs", type=int, default=2, help="mlkit run repetitions")
    args = parser.parse_args()
    print(f"cpu count {os.cpu_count()}, load average before {os.getloadavg()}")
    with tempfile.TemporaryDirectory(prefix="bench-sweep-") as tmp:
        base = Path(tmp)
        run_walls = [_run_wall(args.notebook, s, base / "runs") for s in range(args.runs)]
        run_wall = sum(run_walls) / len(run_walls)
        print(
            f"mlkit run {args.notebook}: {', '.join(f'{w:.1f}' for w in run_walls)} s "
            f"(mean {run_wall:.1f} s)"
        )
        one, st1, busy1 = _sweep_wall(args.notebook, args.points, 1, base / "s1")
        print(f"sweep, {args.points} points, 1 worker:  {one:.1f} s ({st1.count('ok')} ok)")
        two, st2, _ = _sweep_wall(args.notebook, args.points, 2, base / "s2")
        after = [_run_wall(args.notebook, s, base / "runs") for s in range(args.runs)]
        print(f"mlkit run again: {', '.join(f'{w:.1f}' for w in after)} s")
        run_wall = (sum(run_walls) + sum(after)) / (len(run_walls) + len(after))
        print(f"sweep, {args.points} points, 2 workers: {two:.1f} s ({st2.count('ok')} ok)")
    speedup = one / two
    overhead = (one / args.points) / run_wall - 1
    print(f"speed-up 2 vs 1 worker: {speedup:.2f}x (target >= 1.7x)")
    print(
        f"per-point overhead vs mlkit run (mean of the runs before and after, {run_wall:.1f} s): "
        f"{overhead:+.1%} (target <= 10 %)"
    )
    # The same comparison inside one sweep, immune to load changing between commands: the
    # 1-worker sweep's wall against the sum of its points' notebook durations (each measured as
    # mlkit run measures a notebook) - cluster start, transfer and client writing included.
    print(
        f"sweep machinery per point (1-worker wall / sum of point durations): "
        f"{one / busy1 - 1:+.1%}"
    )
    print(f"load average after {os.getloadavg()}")


if __name__ == "__main__":
    main()
