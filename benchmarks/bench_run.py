"""Print the wall time of `mlkit run` over the whole `ci` profile with --jobs 1 and --jobs 2.

Targets: <= 120 s wall on a 2-core machine, and --jobs 2 at least 1.7x faster than --jobs 1.
Usage: python benchmarks/bench_run.py [--jobs 1 2] [--profile ci]
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--profile", default="ci")
    args = parser.parse_args()
    walls = {}
    with tempfile.TemporaryDirectory(prefix="mlkit-bench-") as tmp:
        for jobs in args.jobs:
            out = Path(tmp) / f"jobs{jobs}"
            t0 = time.perf_counter()
            proc = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "mlkit",
                    "run",
                    "--profile",
                    args.profile,
                    "--jobs",
                    str(jobs),
                    "--out",
                    str(out),
                ],
                cwd=ROOT,
                capture_output=True,
                text=True,
            )
            walls[jobs] = time.perf_counter() - t0
            doc = json.loads((out / "metrics.json").read_text())
            per_nb = ", ".join(
                f"{Path(k).stem} {v['duration_s']:.1f}s" for k, v in doc["notebooks"].items()
            )
            status = "ok" if proc.returncode == 0 else f"exit {proc.returncode}"
            print(f"--jobs {jobs}: {walls[jobs]:6.1f} s wall ({status}); {per_nb}")
    if 1 in walls and len(walls) > 1:
        for jobs, wall in walls.items():
            if jobs != 1:
                print(
                    f"speed-up --jobs {jobs} vs --jobs 1: {walls[1] / wall:.2f}x (target >= 1.7x)"
                )


if __name__ == "__main__":
    main()
