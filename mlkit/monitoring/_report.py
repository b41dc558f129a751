"""The drift report on the user's own tables (a pair of CSV files or DataFrames).

Serves the notebook section "Your own data".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlkit._stats import (
    PSI_EPS,
    clean_sample,
)
from mlkit._validation import check_float
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
]


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

    Returns
    -------
    pandas.DataFrame
        One row per column (reference order): ``kind``, ``n_reference``, ``n_current``,
        ``psi``, ``psi_level`` ("none", "moderate", "significant"), ``js_distance``,
        ``test`` ("ks" for numeric, "chi2" for categorical), ``statistic``, ``p_value``,
        ``p_adjusted`` (Benjamini-Hochberg over the columns) and ``drift`` (True when
        ``psi > psi_threshold`` or ``p_adjusted < alpha``).

    Raises
    ------
    TypeError
        If an input is not a DataFrame, or a column is numeric in one table and categorical
        in the other.
    ValueError
        If a table is empty, the column names differ, or a column has no values.

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
    cols = list(map(str, reference.columns))
    ref = reference.copy()
    ref.columns = cols
    cur = current.copy()
    cur.columns = list(map(str, current.columns))
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
            df = pd.read_csv(p)
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
