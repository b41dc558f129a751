"""Input checks shared by the scoping files: 1-D float arrays and non-negative costs."""

from __future__ import annotations

import numbers

import numpy as np

__all__: list[str] = []


def _as_1d_float(values, name, func, *, min_len=1):
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"The {name!r} parameter of {func} must be an array of numbers. Got {values!r} instead."
        ) from None
    if arr.ndim != 1 or arr.size < min_len:
        raise ValueError(
            f"The {name!r} parameter of {func} must be a 1-D array with at least {min_len} "
            f"values. Got shape {arr.shape} instead."
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError(
            f"The {name!r} parameter of {func} must hold finite numbers. Got {values!r} instead."
        )
    return arr


def _check_cost(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise TypeError(f"The cost {name!r} must be a finite number. Got {value!r} instead.")
    if value < 0:
        raise ValueError(
            f"The cost {name!r} must be >= 0. Got {value!r} instead. Costs are losses; model "
            "a benefit with the 'value_per_success' parameter of business_metrics."
        )
    return float(value)
