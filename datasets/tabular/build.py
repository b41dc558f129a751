"""Build the rare-class table from scikit-learn's bundled breast-cancer data (deterministic).

Run from anywhere::

    python datasets/tabular/build.py

Keeps all 357 benign rows and a seeded random sample of 19 of the 212 malignant rows, so
malignant (the positive class, ``target = 1``) is 19 / 376 = 5.1 % of the rows. Adds:

- ``row_id``: 0..375 in output order (the rows are shuffled with the same seed);
- ``source_index``: the row's index in ``sklearn.datasets.load_breast_cancer()``;
- ``diagnosis``: "malignant" or "benign";
- ``size_group``: tertile of ``mean area`` over the output rows, "small", "medium", "large",
  a grouping for slice analysis (malignant tumours are mostly large).

Writes ``rare_class.csv`` and ``MANIFEST`` (``sha256sum`` format) next to this script.
No network access: the data ships inside scikit-learn.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer

SEED = 20240601
POSITIVE_RATE = 0.05  # target share of malignant rows
HERE = Path(__file__).resolve().parent


def build(out_dir: Path = HERE) -> pd.DataFrame:
    bunch = load_breast_cancer(as_frame=True)
    features = bunch.data
    # scikit-learn codes 0 = malignant, 1 = benign; the kit's positive class is malignant.
    malignant = (bunch.target.to_numpy() == 0).astype(np.int64)
    rng = np.random.default_rng(SEED)
    benign_idx = np.flatnonzero(malignant == 0)
    malignant_idx = np.flatnonzero(malignant == 1)
    n_pos = int(round(len(benign_idx) * POSITIVE_RATE / (1 - POSITIVE_RATE)))
    keep = np.concatenate([benign_idx, np.sort(rng.choice(malignant_idx, n_pos, replace=False))])
    keep = rng.permutation(keep)

    df = features.iloc[keep].reset_index(drop=True).round(6)
    df.insert(0, "row_id", np.arange(len(df)))
    df.insert(1, "source_index", keep)
    df["size_group"] = pd.qcut(df["mean area"], 3, labels=["small", "medium", "large"]).astype(str)
    df["diagnosis"] = np.where(malignant[keep] == 1, "malignant", "benign")
    df["target"] = malignant[keep]

    out_dir.mkdir(parents=True, exist_ok=True)
    csv = out_dir / "rare_class.csv"
    df.to_csv(csv, index=False, lineterminator="\n", float_format="%.6g")
    digest = hashlib.sha256(csv.read_bytes()).hexdigest()
    (out_dir / "MANIFEST").write_text(f"{digest}  rare_class.csv\n", encoding="utf-8")
    return df


def main() -> int:
    df = build()
    print(
        f"Wrote {len(df)} rows, {int(df['target'].sum())} malignant "
        f"({df['target'].mean():.1%}), to {HERE / 'rare_class.csv'}"
    )
    print(pd.crosstab(df["size_group"], df["diagnosis"]).to_string())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
