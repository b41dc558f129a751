"""Throughput of augmentation plus MFCC feature extraction on one core, in x real time.

    python benchmarks/bench_augmentation.py [--audio-dir ../shared/data/fsdd] [--n-clips 200]

x real time = seconds of audio processed per second of wall time (single process, BLAS/OpenMP
pinned to one thread, process pinned to one CPU where the OS allows). Target (issue 5):
feature extraction plus augmentation >= 500x real time per core.
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


def _best_of(fn, repeats):
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--audio-dir", default="", help="FSDD-layout folder; '' = bundled")
    parser.add_argument("--n-clips", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})

    data = load_speech(args.audio_dir, n_clips=args.n_clips, conditions=False, random_state=0)
    clips = data.clips
    audio_s = sum(c.size for c in clips) / SAMPLE_RATE_HZ
    pool = clips[:6]
    print(f"{len(clips)} clips, {audio_s:.1f} s of audio at {SAMPLE_RATE_HZ} Hz, 1 thread")

    mfcc_features(clips[:2], sample_rate_hz=SAMPLE_RATE_HZ)  # warm up imports and caches
    t_feat, _ = _best_of(lambda: mfcc_features(clips, sample_rate_hz=SAMPLE_RATE_HZ), args.repeats)
    print(f"\n{'stage':<26}{'ms/clip':>9}{'x real time':>13}{'aug+features':>14}")
    print(f"{'mfcc features only':<26}{1e3 * t_feat / len(clips):>9.2f}{audio_s / t_feat:>13.0f}")

    kinds = aug.AUGMENTATIONS + aug.UNREALISTIC
    results = {}
    for kind in kinds:
        pipe = aug.make_pipeline(kind, babble_pool=pool)
        aug.augment_clips(clips[:2], pipe, sample_rate_hz=SAMPLE_RATE_HZ)
        t_aug, _ = _best_of(
            lambda p=pipe: aug.augment_clips(clips, p, sample_rate_hz=SAMPLE_RATE_HZ), args.repeats
        )
        total = t_aug + t_feat
        results[kind] = total
        print(
            f"{kind:<26}{1e3 * t_aug / len(clips):>9.2f}{audio_s / t_aug:>13.0f}"
            f"{audio_s / total:>14.0f}"
        )

    # The per-clip entry cost (validation, seeding, state restore) without any transform.
    identity = aug.make_pipeline("gain")
    identity.transforms[0].p = 0.0
    t_id, _ = _best_of(
        lambda: aug.augment_clips(clips, identity, sample_rate_hz=SAMPLE_RATE_HZ), args.repeats
    )
    print(f"{'(overhead: no transform)':<26}{1e3 * t_id / len(clips):>9.2f}{audio_s / t_id:>13.0f}")

    ok = [k for k, t in results.items() if audio_s / t >= 500]
    print(
        f"\nTarget >= 500x real time (augmentation + features): met by {len(ok)}/{len(kinds)} "
        f"kinds ({', '.join(ok) or 'none'})."
    )


if __name__ == "__main__":
    main()
