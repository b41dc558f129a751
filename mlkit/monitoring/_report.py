"""The drift report on the user's own tables (a pair of CSV files or DataFrames).

Serves the notebook section "Your own data".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlkit._stats import (
    PSI_EPS,
    clean_sample,
)
from mlkit._validation import check_float, check_int
from mlkit.monitoring._drift import (
    PSI_RULE_OF_THUMB,
    DriftMonitor,
    _check_frame,
    _is_categorical,
    _psi_level,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "drift_report",
    "load_drift_csvs",
    "skipped_columns",
]

_MIN_ROWS = 20  # fewer rows: KS/chi-square p-values and 10 PSI bins rest on a handful of values


def skipped_columns(reference: pd.DataFrame) -> dict:
    """Return the columns a drift report should not compare, with the reason for each.

    Dates and identifiers change by design between a reference and a current table (new days,
    new ids), so comparing their distributions always "finds" drift that means nothing.

    Parameters
    ----------
    reference : pandas.DataFrame of shape (n_rows, n_columns)
        The reference table.

    Returns
    -------
    dict of str to str
        Column name to reason: ``"date"`` for datetime columns and text columns of which at
        least 90 % parse as ISO dates (``YYYY-MM-DD``, optionally with a time); ``"identifier"``
        for text or integer columns whose every value is distinct (at least 20 rows) and whose
        name looks like an id (``id``, ``*_id``, ``uuid``, ``key``) or whose values are all
        distinct text.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"day": ["2026-01-0%d" % (i % 9 + 1) for i in range(30)],
    ...                   "user_id": range(30), "x": [0.5] * 30})
    >>> skipped_columns(t)
    {'day': 'date', 'user_id': 'identifier'}
    """
    import pandas as pd

    out = {}
    n = len(reference)
    for c in reference.columns:
        col = reference[c].dropna()
        name = str(c).lower()
        if pd.api.types.is_datetime64_any_dtype(col):
            out[str(c)] = "date"
            continue
        textual = col.dtype == object or pd.api.types.is_string_dtype(col)
        if textual and len(col):
            text = col.astype(str)
            iso = text.str.match(r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?.*)?$")
            if iso.mean() >= 0.9:
                out[str(c)] = "date"
                continue
        distinct = n >= _MIN_ROWS and col.nunique() == len(col) == n
        id_like = name in {"id", "uuid", "key"} or name.endswith("_id") or name.endswith("_key")
        integer_or_text = textual or pd.api.types.is_integer_dtype(col)
        if distinct and integer_or_text and (id_like or textual):
            out[str(c)] = "identifier"
    return out


def _check_pair(reference, current, func, *, ref_name="reference", cur_name="current"):
    _check_frame(reference, ref_name, func)
    _check_frame(current, cur_name, func)
    ref_cols, cur_cols = list(map(str, reference.columns)), list(map(str, current.columns))
    if set(ref_cols) != set(cur_cols):
        only_ref = sorted(set(ref_cols) - set(cur_cols))
        only_cur = sorted(set(cur_cols) - set(ref_cols))
        raise ValueError(
            f"{func} needs the same columns in both tables. Only in {ref_name}: {only_ref}; "
            f"only in {cur_name}: {only_cur}. Rename or drop columns so the headers match."
        )
    bad = []
    for c in ref_cols:
        k_ref, k_cur = _is_categorical(reference[c]), _is_categorical(current[c])
        if k_ref != k_cur:
            kinds = ("categorical" if k_ref else "numeric", "categorical" if k_cur else "numeric")
            bad.append(f"{c!r} is {kinds[0]} in {ref_name} but {kinds[1]} in {cur_name}")
    if bad:
        raise TypeError(
            f"{func} needs each column to have the same type in both tables. Got: "
            + "; ".join(bad)
            + ". Fix the values (for example a stray text cell in a numeric column)."
        )


def drift_report(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    *,
    n_bins: int = 10,
    eps: float = PSI_EPS,
    alpha: float = 0.05,
    psi_threshold: float = PSI_RULE_OF_THUMB["significant"],
    min_rows: int = _MIN_ROWS,
) -> pd.DataFrame:
    """Compare every column of two tables: PSI, JS distance and a test per column.

    Parameters
    ----------
    reference : pandas.DataFrame of shape (n_reference, n_columns)
        The known-good table (training data, last month's traffic).
    current : pandas.DataFrame of shape (n_current, n_columns)
        The table to check; same column names, any order, same kinds (numeric/categorical).
    n_bins : int, default=10
        Reference-quantile bins for numeric columns.
    eps : float, default=1e-4
        Proportion given to empty bins in PSI.
    alpha : float, default=0.05
        False discovery rate for the Benjamini-Hochberg adjusted p-values, in (0, 1).
    psi_threshold : float, default=0.25
        PSI above which a column counts as drifted (the rule of thumb's "significant").
    min_rows : int, default=20
        Fewest rows each table must have: with fewer, p-values and quantile bins rest on a
        handful of values and flag noise (or the p-value adjustment has nothing to adjust).

    Returns
    -------
    pandas.DataFrame
        One row per column (reference order): ``kind``, ``n_reference``, ``n_current``,
        ``psi``, ``psi_level`` ("none", "moderate", "significant"), ``js_distance``,
        ``test`` ("ks" for numeric, "chi2" for categorical), ``statistic``, ``p_value``,
        ``p_adjusted`` (Benjamini-Hochberg over the columns), ``drift`` (True when
        ``psi > psi_threshold`` or ``p_adjusted < alpha``) and ``note``. Date and identifier
        columns (:func:`skipped_columns`) are not compared: their row has ``kind`` "skipped",
        no statistics, ``drift`` False and the reason in ``note``.

    Raises
    ------
    TypeError
        If an input is not a DataFrame, or a column is numeric in one table and categorical
        in the other.
    ValueError
        If a table is empty or has fewer than `min_rows` rows, the column names differ, a
        column has no values, or a numeric column holds infinite values.

    See Also
    --------
    load_drift_csvs : read and validate a CSV pair first.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> ref = pd.DataFrame({"x": np.arange(100.0), "c": ["a", "b"] * 50})
    >>> cur = pd.DataFrame({"x": np.arange(50.0, 150.0), "c": ["a", "b"] * 50})
    >>> drift_report(ref, cur)["drift"].to_dict()
    {'x': True, 'c': False}
    """
    from scipy.stats import false_discovery_control

    _check_pair(reference, current, "drift_report")
    alpha = check_float(
        alpha, "alpha", low=0.0, high=1.0, inclusive=(False, False), func="drift_report"
    )
    psi_threshold = check_float(psi_threshold, "psi_threshold", low=0.0, func="drift_report")
    min_rows = check_int(min_rows, "min_rows", min_value=2, func="drift_report")
    for name, table in (("reference", reference), ("current", current)):
        if len(table) < min_rows:
            raise ValueError(
                f"drift_report needs at least {min_rows} rows in each table; the {name} table "
                f"has {len(table)}. Collect more rows (or lower min_rows, knowing that p-values "
                "and PSI bins then rest on a handful of values)."
            )
    import pandas as pd

    all_cols = list(map(str, reference.columns))
    skipped = skipped_columns(reference.set_axis(all_cols, axis=1))
    cols = [c for c in all_cols if c not in skipped]
    ref = reference.copy()
    ref.columns = all_cols
    ref = ref[cols]
    cur = current.copy()
    cur.columns = list(map(str, current.columns))
    if not cols:
        raise ValueError(
            "drift_report found only date and identifier columns "
            f"({', '.join(f'{c}: {r}' for c, r in skipped.items())}); nothing to compare. "
            "Add the feature columns."
        )
    monitor = DriftMonitor(n_bins=n_bins, eps=eps).fit(ref)
    for c in cols:  # a column may be all-missing in the current table
        clean_sample(
            cur[c], f"current[{c!r}]", "drift_report", categorical=c in monitor.categorical_
        )
    # Categories are compared as strings, so "1" in one file and 1 in the other agree.
    scores = monitor.score(cur[cols])
    scores.insert(1, "n_reference", [int(ref[c].notna().sum()) for c in cols])
    scores.insert(4, "psi_level", [_psi_level(v) for v in scores["psi"]])
    scores["p_adjusted"] = false_discovery_control(scores["p_value"].to_numpy(), method="bh")
    scores["drift"] = (scores["psi"] > psi_threshold) | (scores["p_adjusted"] < alpha)
    scores["note"] = ""
    for c, why in skipped.items():
        scores.loc[c] = pd.Series(
            {"kind": "skipped", "drift": False, "note": f"not compared: {why}"}
        )
    scores = scores.loc[all_cols]
    scores["drift"] = scores["drift"].astype(bool)
    scores.index.name = "column"
    return scores


def load_drift_csvs(reference_path, current_path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read a reference/current CSV pair and check they can be compared.

    Parameters
    ----------
    reference_path, current_path : str or path-like
        CSV files with a header row; relative paths are tried against the working folder,
        then the project root.

    Returns
    -------
    reference, current : pandas.DataFrame
        The tables, columns of `current` reordered like `reference`.

    Raises
    ------
    FileNotFoundError
        If a file does not exist.
    ValueError
        If a file is empty or has no data rows, or the column names differ.
    TypeError
        If a column is numeric in one file and text in the other.

    Examples
    --------
    >>> ref, cur = load_drift_csvs(
    ...     "tests/fixtures/monitoring/reference.csv", "tests/fixtures/monitoring/current.csv")
    >>> list(cur.columns) == list(ref.columns), len(ref) > 0
    (True, True)
    """
    import pandas as pd

    from mlkit.paths import resolve_path

    tables = []
    for name, path in (("reference_csv", reference_path), ("current_csv", current_path)):
        if path is None or str(path).strip() == "":
            raise ValueError(
                f"The {name!r} parameter is empty. Set both reference_csv and current_csv "
                "to CSV files, or neither."
            )
        p = resolve_path(path, must_exist=True, name=name)
        if p.is_dir():
            raise ValueError(f"The {name!r} parameter must name a CSV file. Got the folder {p}.")
        try:
            df = pd.read_csv(p, encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise ValueError(
                f"The {name!r} file {p} is not UTF-8 text (byte {exc.object[exc.start]:#04x} at "
                f"position {exc.start}). Re-save it as UTF-8, for example "
                f"`iconv -f latin1 -t utf-8 {p.name} > fixed.csv`."
            ) from exc
        except pd.errors.EmptyDataError as exc:
            raise ValueError(
                f"The {name!r} file {p} is empty. Give a CSV with a header row and data rows."
            ) from exc
        if len(df) == 0:
            raise ValueError(
                f"The {name!r} file {p} has a header but no data rows. Add at least one row."
            )
        tables.append(df)
    ref, cur = tables
    _check_pair(ref, cur, "load_drift_csvs", ref_name="reference_csv", cur_name="current_csv")
    return ref, cur[list(ref.columns)]
