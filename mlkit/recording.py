"""Record a notebook's results so that ``mlkit run`` can collect and check them.

A recorded metric is displayed as a rich output with its own MIME type, so it lives in the
executed notebook itself (partial runs keep what they recorded) and is read back from there.
"""

from __future__ import annotations

import math
import numbers
import os
import re

__all__ = ["record", "is_headless", "METRIC_MIME", "MAX_DICT_ITEMS"]

METRIC_MIME = "application/vnd.mlkit.metric+json"
MAX_DICT_ITEMS = 50
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
_recorded: dict[str, object] = {}


def is_headless() -> bool:
    """Return True when the notebook runs headless under ``mlkit run`` (env ``MLKIT_HEADLESS=1``).

    Headless runs draw static figures instead of live controls and never embed audio players.
    """
    return os.environ.get("MLKIT_HEADLESS") == "1"


def _to_json_scalar(value, name):
    if isinstance(value, bool | str) or value is None:
        return value
    # numpy scalars: bool_, integer and floating all expose .item()
    if hasattr(value, "item") and getattr(value, "shape", None) == ():
        value = value.item()
        if isinstance(value, bool):
            return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(
                f"Metric {name!r} must be a finite number. Got {value!r} instead. "
                "A NaN or infinite metric usually means an empty slice or a division by zero "
                "upstream; fix that, or record a string explaining why there is no value."
            )
        return value
    raise TypeError(
        f"Metric {name!r} must be a number, string, boolean or a small dict of them. "
        f"Got {value!r} of type {type(value).__name__} instead. "
        "Convert arrays and tables to a summary number (for example float(acc))."
    )


def _normalise(name, value):
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(
            "The 'name' parameter of record must be an identifier such as 'hlp_accuracy' "
            f"(letters, digits, '_' and '.'). Got {name!r} instead."
        )
    if isinstance(value, dict):
        if len(value) > MAX_DICT_ITEMS:
            raise ValueError(
                f"Metric {name!r} is a dict of {len(value)} items; at most {MAX_DICT_ITEMS} are "
                "allowed. Record the few numbers that matter under their own names."
            )
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError(f"Metric {name!r} has a non-string key {k!r}; use str keys.")
            out[k] = _to_json_scalar(v, f"{name}.{k}")
        return out
    return _to_json_scalar(value, name)


def record(name: str, value) -> None:
    """Record a metric of the running notebook and display it.

    Under ``mlkit run`` the value lands in the run's ``metrics.json`` and is checked against
    the expectations in ``nbs_ci.yml``; interactively it is just displayed.

    Parameters
    ----------
    name : str
        Metric name, an identifier such as ``"hlp_accuracy"``.
    value : int, float, bool, str or dict of them
        The value. numpy scalars are converted; NaN and infinity are refused. A dict may hold
        at most ``MAX_DICT_ITEMS`` scalar items.

    Returns
    -------
    None
        Nothing, so a cell that ends with ``record(...)`` shows only the recorded line. The
        JSON-ready value is what ``mlkit run`` writes to ``metrics.json``.

    Raises
    ------
    ValueError
        If `name` is not an identifier, the value is not finite, or (headless) the same name
        was already recorded in this notebook. Interactively, re-running a cell replaces the
        earlier value instead, so students can re-run cells freely.
    TypeError
        If `value` is of another type (arrays, DataFrames, objects).

    Examples
    --------
    >>> record("baseline_accuracy", 0.91)  # doctest: +SKIP
    baseline_accuracy = 0.91
    """
    clean = _normalise(name, value)
    if name in _recorded and is_headless():
        raise ValueError(
            f"Metric {name!r} was already recorded in this notebook (value {_recorded[name]!r}). "
            "Each metric is recorded once; give the second one its own name."
        )
    _recorded[name] = clean
    from IPython.display import display

    shown = f"{clean:.6g}" if isinstance(clean, float) else repr(clean)
    text = f"{name} = {shown}"
    bundle = {
        METRIC_MIME: {"name": name, "value": clean},
        "text/plain": text,
        "text/markdown": f"recorded `{name}` = `{shown}`",
    }
    display(bundle, raw=True)
