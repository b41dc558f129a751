"""Validation at the door for the data phase: labels matrices, digit vectors, tag order."""

from __future__ import annotations

import numpy as np

__all__: list[str] = []


def _check_label_matrix(labels, func, *, min_labelers=2):
    """Return `labels` as a 2-D array (n_labelers, n_samples), checking the shape."""
    arr = np.asarray(labels)
    if arr.ndim != 2:
        raise ValueError(
            f"{func} needs a labels matrix of shape (n_labelers, n_samples), one row per "
            f"labeler. Got an array of shape {arr.shape} instead."
        )
    if arr.shape[0] < min_labelers:
        raise ValueError(
            f"{func} needs labels from at least {min_labelers} labelers (shape (n_labelers, "
            f"n_samples)). Got {arr.shape[0]} labeler{'s' if arr.shape[0] != 1 else ''}: "
            "agreement is only defined between labelers."
        )
    if arr.shape[1] == 0:
        raise ValueError(f"{func} needs at least one labelled sample. Got shape {arr.shape}.")
    return arr


def _check_digits(y, name, func):
    y = np.asarray(y)
    if y.ndim != 1 or y.size == 0:
        raise ValueError(
            f"The {name!r} parameter of {func} must be a non-empty 1-D array of digit labels. "
            f"Got shape {y.shape} instead."
        )
    if not np.issubdtype(y.dtype, np.integer) or y.min() < 0 or y.max() > 9:
        raise ValueError(
            f"The {name!r} parameter of {func} must hold integer digits 0-9. "
            f"Got values {np.unique(y)[:12].tolist()} (dtype {y.dtype}) instead."
        )
    return y.astype(np.int64)


def _tag_order(tags) -> list[str]:
    """Return the distinct tags: CONDITIONS order first, then the others sorted."""
    from mlkit.audio import CONDITIONS

    present = set(tags)
    return [c for c in CONDITIONS if c in present] + sorted(present - set(CONDITIONS))
