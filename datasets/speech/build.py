"""Build the bundled spoken-digit corpus with espeak-ng (deterministic).

Run from anywhere::

    python datasets/speech/build.py

Writes, next to this script:

- ``clips/{digit}_{speaker}_{rendition}.flac``: 8 kHz mono 16-bit FLAC, one word each;
- ``metadata.csv``: one row per clip (see DATASHEET.md for the fields);
- ``MANIFEST``: ``<sha256>  <relative path>`` lines (``sha256sum -c MANIFEST`` format) for every
  clip and ``metadata.csv``.

Same inputs, same bytes: every random choice comes from ``numpy.random.default_rng`` seeded with
``(SEED, speaker, digit, rendition)``, espeak-ng is deterministic for fixed options and libsndfile's
FLAC encoder writes no timestamps. Needs espeak-ng on the PATH (``apt-get install espeak-ng``) and
the kit's Python dependencies (numpy, scipy, soundfile, librosa, pandas); nothing else in the kit
needs espeak-ng.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import shutil
import subprocess
import sys
from math import gcd
from pathlib import Path

import librosa
import numpy as np
import pandas as pd
import soundfile as sf
from scipy.signal import resample_poly

SEED = 20240601
SAMPLE_RATE_HZ = 8000
N_RENDITIONS = 6
TRIM_TOP_DB = 35.0  # librosa.effects.trim: drop leading/trailing frames quieter than peak - 35 dB
PEAK_DBFS = -3.0  # target peak level
PEAK_JITTER_DB = 1.0  # uniform +-1 dB around PEAK_DBFS
RATE_JITTER = 0.12  # uniform +-12 % around the speaker's base rate (words per minute)
PITCH_JITTER = 8  # uniform +-8 around the speaker's base pitch (espeak-ng scale 0-99)
WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")

# speaker id, espeak-ng voice, variant, accent label, gender, base rate (wpm), base pitch (0-99)
SPEAKERS = (
    ("s01", "en-us", "m1", "US", "male", 150, 42),
    ("s02", "en-us", "f1", "US", "female", 165, 62),
    ("s03", "en-gb", "m3", "GB", "male", 140, 35),
    ("s04", "en-gb", "f2", "GB", "female", 158, 70),
    ("s05", "en-gb-scotland", "m2", "Scottish", "male", 145, 48),
    ("s06", "en-gb-scotland", "f3", "Scottish", "female", 170, 58),
    ("s07", "en-029", "m4", "Caribbean", "male", 135, 40),
    ("s08", "en-029", "f4", "Caribbean", "female", 160, 66),
    ("s09", "en-us-nyc", "m5", "US-NYC", "male", 175, 50),
    ("s10", "en-gb-x-rp", "f5", "GB-RP", "female", 150, 55),
    ("s11", "en-gb-x-gbclan", "m6", "GB-Lancaster", "male", 155, 30),
    ("s12", "en-gb-x-gbcwmd", "m7", "GB-West-Midlands", "male", 130, 45),
)

HERE = Path(__file__).resolve().parent


def synthesize(word: str, voice: str, rate_wpm: int, pitch: int) -> tuple[np.ndarray, int]:
    """Return (samples float64, sample rate) of espeak-ng speaking `word`."""
    cmd = ["espeak-ng", "-v", voice, "-s", str(rate_wpm), "-p", str(pitch), "--stdout", word]
    wav = subprocess.run(cmd, check=True, capture_output=True).stdout
    # espeak-ng streams a WAV whose header sizes are placeholders; fix them before reading.
    data = bytearray(wav)
    data[4:8] = (len(data) - 8).to_bytes(4, "little")
    data[40:44] = (len(data) - 44).to_bytes(4, "little")
    x, sr = sf.read(io.BytesIO(bytes(data)), dtype="float64")
    return x, sr


def process(x: np.ndarray, sr: int, gain_db: float) -> np.ndarray:
    """Resample to 8 kHz, trim silence and peak-normalise to ``PEAK_DBFS + gain_db``."""
    g = gcd(sr, SAMPLE_RATE_HZ)
    y = resample_poly(x, SAMPLE_RATE_HZ // g, sr // g)
    y, _ = librosa.effects.trim(y, top_db=TRIM_TOP_DB, frame_length=256, hop_length=64)
    peak = float(np.max(np.abs(y)))
    target = 10 ** ((PEAK_DBFS + gain_db) / 20)
    return y * (target / peak)


def build(out_dir: Path = HERE) -> pd.DataFrame:
    """Write clips, metadata.csv and MANIFEST into `out_dir`; return the metadata."""
    if shutil.which("espeak-ng") is None:
        sys.exit(
            "espeak-ng was not found on the PATH. Install it with `apt-get install espeak-ng`."
        )
    clips_dir = out_dir / "clips"
    if clips_dir.exists():
        shutil.rmtree(clips_dir)
    clips_dir.mkdir(parents=True)
    rows = []
    for s_idx, (speaker, voice, variant, accent, gender, rate, pitch) in enumerate(SPEAKERS):
        for digit, word in enumerate(WORDS):
            for rendition in range(N_RENDITIONS):
                rng = np.random.default_rng([SEED, s_idx, digit, rendition])
                r = int(round(rate * (1 + rng.uniform(-RATE_JITTER, RATE_JITTER))))
                p = int(np.clip(pitch + rng.integers(-PITCH_JITTER, PITCH_JITTER + 1), 0, 99))
                gain_db = float(rng.uniform(-PEAK_JITTER_DB, PEAK_JITTER_DB))
                x, sr = synthesize(word, f"{voice}+{variant}", r, p)
                y = process(x, sr, gain_db)
                clip_id = f"{digit}_{speaker}_{rendition}"
                rel = f"clips/{clip_id}.flac"
                sf.write(out_dir / rel, y, SAMPLE_RATE_HZ, subtype="PCM_16", format="FLAC")
                rows.append(
                    {
                        "clip_id": clip_id,
                        "file": rel,
                        "label": digit,
                        "speaker": speaker,
                        "voice": f"{voice}+{variant}",
                        "accent": accent,
                        "gender": gender,
                        "rate_wpm": r,
                        "pitch": p,
                        "rendition": rendition,
                        "duration_s": round(len(y) / SAMPLE_RATE_HZ, 4),
                    }
                )
    meta = pd.DataFrame(rows)
    meta.to_csv(out_dir / "metadata.csv", index=False, lineterminator="\n")
    lines = []
    for rel in [*meta["file"], "metadata.csv"]:
        digest = hashlib.sha256((out_dir / rel).read_bytes()).hexdigest()
        lines.append(f"{digest}  {rel}\n")
    (out_dir / "MANIFEST").write_text("".join(lines), encoding="utf-8")
    return meta


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=HERE, help="where to write (default: here)")
    args = parser.parse_args(argv)
    meta = build(args.out_dir)
    print(
        f"Wrote {len(meta)} clips from {meta['speaker'].nunique()} speakers, "
        f"{meta['duration_s'].sum():.1f} s of audio, to {args.out_dir}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
