"""Input validation at the door: one error format for the whole kit.

Messages follow scikit-learn's form: what was expected, what was got, and the fix.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__: list[str] = []


def check_random_state(random_state):
    """Return a ``numpy.random.Generator`` from an int, a Generator or None.

    Raises
    ------
    TypeError
        If `random_state` is neither.
    """
    if isinstance(random_state, np.random.Generator):
        return random_state
    if random_state is None or isinstance(random_state, numbers.Integral):
        return np.random.default_rng(None if random_state is None else int(random_state))
    raise TypeError(
        "The 'random_state' parameter must be an int, a numpy.random.Generator or None. "
        f"Got {random_state!r} of type {type(random_state).__name__} instead."
    )


def check_int(value, name, *, min_value=None, max_value=None, func=None):
    """Return `value` as int after checking its type and range (bool is refused)."""
    where = f" of {func}" if func else ""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"The {name!r} parameter{where} must be an int. Got {value!r} instead.")
    if (min_value is not None and value < min_value) or (
        max_value is not None and value > max_value
    ):
        lo = "-inf" if min_value is None else min_value
        hi = "inf" if max_value is None else max_value
        raise ValueError(
            f"The {name!r} parameter{where} must be an int in [{lo}, {hi}]. Got {value!r} instead."
        )
    return int(value)


def check_float(value, name, *, low=None, high=None, inclusive=(True, True), func=None):
    """Return `value` as float after checking its type and range."""
    where = f" of {func}" if func else ""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or np.isnan(value):
        raise TypeError(f"The {name!r} parameter{where} must be a float. Got {value!r} instead.")
    lo_ok = low is None or (value >= low if inclusive[0] else value > low)
    hi_ok = high is None or (value <= high if inclusive[1] else value < high)
    if not (lo_ok and hi_ok):
        lb = "[" if inclusive[0] else "("
        rb = "]" if inclusive[1] else ")"
        raise ValueError(
            f"The {name!r} parameter{where} must be a float in {lb}{low}, {high}{rb}. "
            f"Got {value!r} instead."
        )
    return float(value)


def check_same_length(func, **arrays):
    """Raise ValueError naming the arrays when their first dimensions differ (None is skipped)."""
    lengths = {k: len(v) for k, v in arrays.items() if v is not None}
    if len(set(lengths.values())) > 1:
        got = ", ".join(f"{k}={n}" for k, n in lengths.items())
        raise ValueError(
            f"{func} needs inputs of the same length. Got {got}. "
            "Pass arrays with one entry per sample."
        )


def check_one_of(value, name, options, *, func=None):
    """Raise ValueError when `value` is not one of `options`."""
    if value not in options:
        where = f" of {func}" if func else ""
        raise ValueError(
            f"The {name!r} parameter{where} must be one of {sorted(options)}. Got {value!r} instead."
        )
    return value


def check_tags(tags, n, func, known=None, *, name="tags", fix=""):
    """Return `tags` as a 1-D array of str with one tag per sample, or None for None.

    Parameters
    ----------
    tags : array-like of shape (n_samples,) or None
        One tag (noise condition, speaker, ...) per sample.
    n : int
        The number of samples the tags must match.
    func : str
        Name of the public function, for the message.
    known : collection of str, optional
        The allowed tags; other values are refused.
    name : str, default="tags"
        Name of the parameter, for the message.
    fix : str, default=""
        Sentence appended to the unknown-tag message (how to fix it).

    Raises
    ------
    ValueError
        If `tags` is not 1-D, has another length than `n`, holds missing values or a tag
        outside `known`.
    """
    import pandas as pd

    if tags is None:
        return None
    arr = np.asarray(tags, dtype=object)
    if arr.ndim != 1:
        raise ValueError(
            f"The {name!r} parameter of {func} must be 1-D, one tag per sample. "
            f"Got shape {arr.shape} instead."
        )
    if arr.size != n:
        raise ValueError(
            f"{func} needs one tag per sample. Got {arr.size} tags for {n} samples. "
            "Pass the tag column of the same rows (for example metadata['condition'])."
        )
    missing = pd.isna(pd.Series(arr, dtype=object)).to_numpy()
    if missing.any():
        raise ValueError(
            f"The {name!r} parameter of {func} must give every sample a tag. Got "
            f"{int(missing.sum())} missing value(s) instead; missing values are not tags. Fill "
            "them (for example with 'unknown') or drop those rows."
        )
    arr = arr.astype(str)
    if known is not None:
        unknown = sorted(set(arr.tolist()) - set(known))
        if unknown:
            raise ValueError(
                f"The {name!r} parameter of {func} must hold tags among {list(known)}. "
                f"Got {unknown[:5]} instead.{' ' + fix if fix else ''}"
            )
    return arr


def check_request_batch(X, request_ids, func):
    """Return a batch of requests and their ids, checked for emptiness and matching lengths.

    Parameters
    ----------
    X : array-like of shape (n_requests, n_features)
        One row per request; lists and tuples become an ndarray.
    request_ids : array-like of shape (n_requests,)
        One id per request (request, session or client id); converted to str.
    func : str
        Name of the public function or method, for the message.

    Returns
    -------
    X : array-like of shape (n_requests, n_features)
        `X` itself, or an ndarray when a list or tuple was given.
    ids : ndarray of str of shape (n_requests,)

    Raises
    ------
    ValueError
        If the batch is empty, `request_ids` is None or its length differs from `X`'s.

    Examples
    --------
    >>> X, ids = check_request_batch([[0.0], [1.0]], [7, 8], "route")
    >>> X.shape, ids.tolist()
    ((2, 1), ['7', '8'])
    """
    if isinstance(X, list | tuple):
        X = np.asarray(X)
    if len(X) == 0:
        raise ValueError(
            f"{func} needs at least one request. Got an empty stream. Pass X with one row "
            "per request."
        )
    if request_ids is None:
        raise ValueError(f"{func} needs request_ids: one id (str) per request.")
    ids = np.asarray(request_ids).astype(str)
    check_same_length(func, X=X, request_ids=ids)
    return X, ids
