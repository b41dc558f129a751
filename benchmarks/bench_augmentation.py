"""Throughput of augmentation plus MFCC feature extraction on one core, in x real time.

    python benchmarks/bench_augmentation.py [--audio-dir ../shared/data/fsdd] [--n-clips 200]

x real time = seconds of audio processed per second of processing time, for one process with
BLAS/OpenMP pinned to one thread and the process pinned to one CPU where the OS allows.
Two clocks are reported: CPU time (``time.process_time``: the core's own work, the per-core
figure) and wall time (``time.perf_counter``: also counts waiting for the CPU, so it drops
when the machine is loaded). Each figure is the best of ``--repeats`` runs.

Rows: MFCC features alone; each augmentation kind followed by features of its output; the
training mix (every realistic kind of ``mlkit.augmentation.AUGMENTATIONS`` on an equal share
of the clips, then one feature pass over all of them, as ``augment_dataset`` + ``mfcc_features``
would run in training). Target (issue 5): augmentation + features >= 500x real time per core.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from mlkit import augmentation as aug  # noqa: E402
from mlkit.audio import SAMPLE_RATE_HZ  # noqa: E402
from mlkit.datasets import load_speech  # noqa: E402
from mlkit.features import mfcc_features  # noqa: E402


def _best_times(stages, repeats):
    """Return {name: (best CPU s, best wall s)} over `repeats` rounds of all stages.

    Rounds interleave the stages, so a burst of load from other processes slows one round
    of every stage instead of every repeat of one stage.
    """
    best = {name: [np.inf, np.inf] for name in stages}
    for _ in range(repeats):
        for name, fn in stages.items():
            wall, cpu = time.perf_counter(), time.process_time()
            fn()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            best[name] = [min(best[name][0], cpu), min(best[name][1], wall)]
    return best


def _load():
    if not hasattr(os, "getloadavg"):
        return "n/a"
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--audio-dir", default="", help="FSDD-layout folder; '' = bundled")
    parser.add_argument("--n-clips", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--target", type=float, default=500.0, help="x real time to reach")
    args = parser.parse_args()
    cpus = "all CPUs"
    if hasattr(os, "sched_setaffinity"):
        cpu = sorted(os.sched_getaffinity(0))[0]
        os.sched_setaffinity(0, {cpu})
        cpus = f"pinned to CPU {cpu}"

    data = load_speech(args.audio_dir, n_clips=args.n_clips, conditions=False, random_state=0)
    clips = data.clips
    n = len(clips)
    audio_s = sum(c.size for c in clips) / SAMPLE_RATE_HZ
    pool = clips[:6]
    print(
        f"{n} clips, {audio_s:.1f} s of audio at {SAMPLE_RATE_HZ} Hz; 1 thread, {cpus}, "
        f"{os.cpu_count()} CPUs; load average (1/5/15 min) {_load()}; best of {args.repeats}"
    )

    def features(xs):
        return mfcc_features(xs, sample_rate_hz=SAMPLE_RATE_HZ)

    def augmented(pipe, xs):
        return aug.augment_clips(xs, pipe, sample_rate_hz=SAMPLE_RATE_HZ)

    pipes = {kind: aug.make_pipeline(kind, babble_pool=pool) for kind in aug.AUGMENTATIONS}
    pipes.update({kind: aug.make_pipeline(kind) for kind in aug.UNREALISTIC})
    # The per-clip entry cost (validation, seeding, state restore) without any transform.
    identity = aug.make_pipeline("gain")
    identity.transforms[0].p = 0.0
    # The training mix, end to end: each realistic kind on every k-th clip, then one feature
    # pass over the whole augmented set.
    shares = {kind: clips[i :: len(aug.AUGMENTATIONS)] for i, kind in enumerate(aug.AUGMENTATIONS)}

    def mix():
        out = []
        for kind, xs in shares.items():
            out += augmented(pipes[kind], xs)
        return features(out)

    stages = {"features": lambda: features(clips)}
    stages.update({kind: (lambda p=pipe: augmented(p, clips)) for kind, pipe in pipes.items()})
    stages["mix"] = mix
    stages["overhead"] = lambda: augmented(identity, clips)
    for fn in stages.values():  # warm up imports, caches and stretchers
        fn()
    best = _best_times(stages, args.repeats)

    print(
        f"\n{'':<26}{'augmentation only':>21}{'augmentation + features':>34}\n"
        f"{'stage':<26}{'ms/clip':>9}{'x RT cpu':>12}{'ms/clip':>10}{'x RT cpu':>12}"
        f"{'x RT wall':>12}"
    )

    def row(name, aug_cpu, total_cpu, total_wall):
        aug_part = (
            f"{1e3 * aug_cpu / n:>9.2f}{audio_s / aug_cpu:>12.0f}" if aug_cpu else f"{'':>21}"
        )
        print(
            f"{name:<26}{aug_part}{1e3 * total_cpu / n:>10.2f}{audio_s / total_cpu:>12.0f}"
            f"{audio_s / total_wall:>12.0f}"
        )

    feat_cpu, feat_wall = best["features"]
    row("mfcc features only", None, feat_cpu, feat_wall)
    totals = {}
    for kind in pipes:
        aug_cpu, aug_wall = best[kind]
        totals[kind] = aug_cpu + feat_cpu
        row(kind, aug_cpu, aug_cpu + feat_cpu, aug_wall + feat_wall)
    mix_cpu, mix_wall = best["mix"]
    row("training mix (realistic)", None, mix_cpu, mix_wall)
    id_cpu = best["overhead"][0]
    print(f"{'(overhead: no transform)':<26}{1e3 * id_cpu / n:>9.2f}{audio_s / id_cpu:>12.0f}")

    target = args.target
    mix_x = audio_s / mix_cpu
    ok = [k for k, t in totals.items() if audio_s / t >= target]
    missed = [f"{k} {audio_s / t:.0f}x" for k, t in totals.items() if audio_s / t < target]
    print(f"\nload average after: {_load()}")
    print(
        f"Target >= {target:.0f}x real time per core (augmentation + features, CPU time):\n"
        f"  training mix: {'MET' if mix_x >= target else 'NOT MET'} ({mix_x:.0f}x; "
        f"{audio_s / mix_wall:.0f}x by wall clock)\n"
        f"  per kind: met by {len(ok)}/{len(totals)} ({', '.join(ok) or 'none'})"
        + (f"; not by {', '.join(missed)}" if missed else "")
    )


if __name__ == "__main__":
    main()
