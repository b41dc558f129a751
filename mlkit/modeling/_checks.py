"""Input checks shared by the modeling helpers (labels, binary targets, scores)."""

from __future__ import annotations

import numpy as np

from mlkit._validation import check_same_length


def _to_1d(a, name, func):
    arr = np.asarray(a)
    if arr.ndim != 1:
        raise ValueError(
            f"The {name!r} parameter of {func} must be 1-D (one entry per sample). "
            f"Got an array of shape {arr.shape} instead."
        )
    return arr


def _check_label_pair(y_true, y_pred, func):
    y_true = _to_1d(y_true, "y_true", func)
    y_pred = _to_1d(y_pred, "y_pred", func)
    check_same_length(func, y_true=y_true, y_pred=y_pred)
    if y_true.size == 0:
        raise ValueError(f"{func} needs at least one sample. Got empty arrays.")
    return y_true, y_pred


def _check_binary(y_true, func, *, need_both=True):
    y = _to_1d(y_true, "y_true", func)
    values = set(np.unique(y).tolist())
    if not values <= {0, 1}:
        raise ValueError(
            f"{func} needs a binary y_true of 0 (negative) and 1 (the rare positive class). "
            f"Got the values {sorted(values)[:10]} instead."
        )
    if need_both and len(values) < 2:
        raise ValueError(
            f"{func} needs both classes in y_true; got only class {sorted(values)}. "
            "Precision, recall and PR-AUC are undefined on a single-class set: use a larger "
            "or stratified split."
        )
    return y.astype(np.int64)


def _check_scores(y_score, n, func):
    s = _to_1d(y_score, "y_score", func).astype(np.float64)
    if len(s) != n:
        raise ValueError(f"{func} needs one score per sample. Got {len(s)} scores for {n} samples.")
    if not np.all(np.isfinite(s)):
        raise ValueError(
            f"The 'y_score' parameter of {func} holds {int((~np.isfinite(s)).sum())} NaN or "
            "infinite values. Scores must be finite; check the model's predict_proba output."
        )
    return s
