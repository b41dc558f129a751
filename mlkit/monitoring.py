"""Monitor a model in production: dashboards, data and concept drift, alert rules.

The lifecycle's last phase closes the loop: watch software, input and output metrics of
the live system, compare recent windows of traffic with a reference, raise alerts by rule,
and go back to data collection and retraining when the world has moved.

Three layers, as in the course:

- **Drift statistics** (canonical for the kit): :func:`psi`, :func:`ks_test`,
  :func:`chi2_test`, :func:`js_distance`, the :class:`DriftMonitor` that learns reference
  bins once and scores windows, and :func:`drift_report` for any pair of tables
  (:func:`load_drift_csvs` reads and validates a CSV pair).
- **Alert rules**: :class:`AlertRule` (threshold + consecutive windows + severity),
  :func:`consecutive_breaches`, :func:`evaluate_alerts`, :func:`calibrate_threshold`,
  :func:`detect_concept_drift` (river's ADWIN or DDM on the labelled error stream) and
  :func:`alert_summary` (detection delay and false alarms per injected event).
- **A replayed production stream** for the speech running example: a two-stage pipeline
  (:func:`vad_trim` voice-activity detection -> recognizer), a pool of pre-rendered request
  variants (:func:`speech_request_pool`), simulated days of traffic with injected events of
  known onset (:class:`StreamEvent`, :func:`simulate_requests`, :func:`serve_requests`),
  per-window metrics (:func:`window_metrics`) and the dashboards (``plot_*``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from mlkit._stats import (
    PSI_EPS,
    binned,
    clean_sample,
    js_from_proportions,
    proportions_categorical,
    proportions_numeric,
    psi,
    psi_from_proportions,
    quantile_edges,
)
from mlkit._validation import check_float, check_int, check_one_of, check_random_state

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "PSI_RULE_OF_THUMB",
    "SPEECH_VARIANTS",
    "INPUT_FEATURES",
    "EVENT_RULES",
    "KEYPAD_SWAP",
    "NEW_MICROPHONE_MIX",
    "AlertRule",
    "DriftMonitor",
    "StreamEvent",
    "alert_summary",
    "calibrate_threshold",
    "chi2_test",
    "concept_drift_alerts",
    "consecutive_breaches",
    "dashboard_renderer",
    "describe_alerts",
    "detect_concept_drift",
    "drift_report",
    "evaluate_alerts",
    "expected_null_psi",
    "input_metrics",
    "js_distance",
    "ks_test",
    "load_drift_csvs",
    "make_events",
    "panel_tables",
    "plot_concept_drift",
    "plot_dashboard",
    "plot_drift_heatmap",
    "plot_pipeline_nodes",
    "predict_pool",
    "psi",
    "replay_streams",
    "serve_requests",
    "simulate_requests",
    "speech_request_pool",
    "speech_training_set",
    "vad_trim",
    "window_metrics",
]

PSI_RULE_OF_THUMB = {"moderate": 0.1, "significant": 0.25}
"""PSI levels of the credit-scoring rule of thumb (Siddiqi 2006; Yurdakul 2018):
below 0.1 no significant shift, 0.1-0.25 moderate, above 0.25 significant."""

SPEECH_VARIANTS = {
    "clean": ("clean", None),
    "car_noise": ("car_noise", (10.0, 20.0)),
    "car_noise_heavy": ("car_noise", (0.0, 8.0)),
    "low_bandwidth": ("low_bandwidth", None),
}
"""Request variants of the speech stream: name -> (condition of
:func:`mlkit.audio.apply_condition`, SNR range in dB or None)."""

INPUT_FEATURES = ("duration_s", "rms_db", "spectral_centroid_hz", "spectral_bandwidth_hz")
"""Input metrics computed on every raw request (before the voice-activity stage)."""

_SILENT_DB = -60.0
_FLOOR_DB = -100.0
_KINDS = ("data_drift", "concept_drift", "pipeline_fault")
_SEVERITY_RANK = {"critical": 0, "warning": 1, "info": 2}


# --------------------------------------------------------------------------------------------
# Drift statistics
# --------------------------------------------------------------------------------------------


def expected_null_psi(n_reference: int, n_current: int, *, n_bins: int = 10) -> float:
    """Return the PSI that sampling noise alone produces on average (no drift).

    Parameters
    ----------
    n_reference, n_current : int
        Sample sizes (>= 1).
    n_bins : int, default=10
        Number of bins.

    Returns
    -------
    float
        ``(n_bins - 1) * (1 / n_reference + 1 / n_current)``.

    Notes
    -----
    From the chi-square approximation of PSI under no drift (Yurdakul 2018): with
    100 requests per window and 10 bins the expected PSI is already about 0.09, close to the
    0.1 "moderate" level of the rule of thumb.

    Examples
    --------
    >>> round(expected_null_psi(3000, 100), 3)
    0.093
    """
    n_reference = check_int(n_reference, "n_reference", min_value=1, func="expected_null_psi")
    n_current = check_int(n_current, "n_current", min_value=1, func="expected_null_psi")
    n_bins = check_int(n_bins, "n_bins", min_value=2, func="expected_null_psi")
    return (n_bins - 1) * (1.0 / n_reference + 1.0 / n_current)


def ks_test(reference, current, *, method: str = "auto") -> tuple[float, float]:
    """Return the two-sample Kolmogorov-Smirnov statistic and p-value.

    Parameters
    ----------
    reference, current : array-like of shape (n_i,)
        Numeric samples; NaN values are dropped.
    method : {"auto", "exact", "asymp"}, default="auto"
        How :func:`scipy.stats.ks_2samp` computes the p-value. ``"asymp"`` (the asymptotic
        Kolmogorov distribution) is much faster for many windows and accurate once both
        samples hold more than about 50 values.

    Returns
    -------
    statistic : float
        Largest distance between the two empirical CDFs, in [0, 1].
    p_value : float
        Two-sided p-value of :func:`scipy.stats.ks_2samp`.

    Raises
    ------
    ValueError
        If a sample is empty after dropping NaN.
    TypeError
        If a sample holds non-numbers.

    Notes
    -----
    The test assumes continuous data; many ties (a discrete feature, resampled requests)
    make the p-value conservative.

    Examples
    --------
    >>> stat, p = ks_test([1, 2, 3, 4], [1, 2, 3, 4])
    >>> stat, round(p, 3)
    (0.0, 1.0)
    """
    from scipy.stats import ks_2samp

    ref = clean_sample(reference, "reference", "ks_test")
    cur = clean_sample(current, "current", "ks_test")
    check_one_of(method, "method", {"auto", "exact", "asymp"}, func="ks_test")
    res = ks_2samp(ref, cur, method=method)
    return float(res.statistic), float(res.pvalue)


def chi2_test(reference, current) -> tuple[float, float]:
    """Return the chi-square statistic and p-value of category counts in two samples.

    Parameters
    ----------
    reference, current : array-like of shape (n_i,)
        Category labels (any hashable values, compared as strings); missing values dropped.

    Returns
    -------
    statistic : float
        Chi-square statistic of the 2 x n_categories contingency table.
    p_value : float
        Its p-value from :func:`scipy.stats.chi2_contingency` (Yates' correction applies only
        to 2 x 2 tables); 1.0 when only one category occurs at all.

    Raises
    ------
    ValueError
        If a sample is empty.

    Examples
    --------
    >>> stat, p = chi2_test(["a", "b"] * 50, ["a"] * 90 + ["b"] * 10)
    >>> p < 0.001
    True
    """
    from scipy.stats import chi2_contingency

    ref = clean_sample(reference, "reference", "chi2_test", categorical=True)
    cur = clean_sample(current, "current", "chi2_test", categorical=True)
    categories = sorted(set(ref) | set(cur))
    if len(categories) < 2:
        return 0.0, 1.0
    table = np.vstack(
        [
            proportions_categorical(ref, categories)[:-1] * ref.size,
            proportions_categorical(cur, categories)[:-1] * cur.size,
        ]
    )
    res = chi2_contingency(np.round(table))
    return float(res.statistic), float(res.pvalue)


def js_distance(reference, current, *, n_bins: int = 10, categorical: bool = False) -> float:
    """Return the Jensen-Shannon distance (base 2) between two samples' binned distributions.

    Parameters
    ----------
    reference, current : array-like of shape (n_i,)
        Samples; NaN values are dropped.
    n_bins : int, default=10
        Reference-quantile bins, as in :func:`psi`. Ignored when `categorical`.
    categorical : bool, default=False
        Treat values as categories.

    Returns
    -------
    float
        :func:`scipy.spatial.distance.jensenshannon` with ``base=2``: in [0, 1], 0 for
        identical distributions, 1 for disjoint ones. It is the square root of the
        Jensen-Shannon divergence, so a true metric.

    Raises
    ------
    ValueError
        If a sample is empty.

    Examples
    --------
    >>> js_distance(["a"] * 10, ["b"] * 10, categorical=True)
    1.0
    """
    n_bins = check_int(n_bins, "n_bins", min_value=2, max_value=1000, func="js_distance")
    p_ref, p_cur = binned(reference, current, n_bins, categorical, "js_distance")
    return js_from_proportions(p_ref, p_cur)


def _is_categorical(series) -> bool:
    import pandas as pd

    return not (pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series))


def _psi_level(value: float) -> str:
    if not np.isfinite(value):
        return "n/a"
    if value > PSI_RULE_OF_THUMB["significant"]:
        return "significant"
    if value > PSI_RULE_OF_THUMB["moderate"]:
        return "moderate"
    return "none"


class DriftMonitor:
    """Learn reference distributions once; score windows of traffic for data drift.

    Parameters
    ----------
    n_bins : int, default=10
        Bins at the reference quantiles for numeric features (see :func:`psi`).
    eps : float, default=1e-4
        Proportion given to empty bins in PSI.
    categorical : sequence of str or None, default=None
        Columns to treat as categories. ``None`` means every non-numeric (or bool) column.

    Attributes
    ----------
    features_ : list of str
        Monitored columns, in reference order.
    categorical_ : list of str
        The categorical ones among `features_`.
    bin_edges_ : dict of str to ndarray
        Interior bin edges per numeric feature (reference quantiles).
    categories_ : dict of str to list
        Categories seen in the reference, per categorical feature.
    reference_proportions_ : dict of str to ndarray
        Reference share per bin (numeric) or per category plus an "unseen" slot (categorical).
    reference_ : dict of str to ndarray
        Non-missing reference values per feature (kept for the KS and chi-square tests).
    n_reference_ : int
        Number of reference rows.

    See Also
    --------
    drift_report : the same statistics for one pair of tables, with thresholds applied.

    Examples
    --------
    >>> import pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> ref = pd.DataFrame({"x": rng.normal(size=500), "c": rng.choice(["a", "b"], 500)})
    >>> cur = pd.DataFrame({"x": rng.normal(1, 1, 200), "c": rng.choice(["a", "b"], 200)})
    >>> scores = DriftMonitor().fit(ref).score(cur)
    >>> bool(scores.loc["x", "psi"] > 0.25), bool(scores.loc["c", "psi"] < 0.1)
    (True, True)
    """

    def __init__(self, *, n_bins: int = 10, eps: float = PSI_EPS, categorical=None):
        self.n_bins = n_bins
        self.eps = eps
        self.categorical = categorical

    def fit(self, reference: pd.DataFrame) -> DriftMonitor:
        """Learn bins, categories and reference proportions from `reference`.

        Parameters
        ----------
        reference : pandas.DataFrame of shape (n_reference, n_features)
            One column per monitored feature.

        Returns
        -------
        self : DriftMonitor

        Raises
        ------
        TypeError
            If `reference` is not a DataFrame.
        ValueError
            If it is empty, a column has no values, or `categorical` names unknown columns.
        """
        _check_frame(reference, "reference", "DriftMonitor.fit")
        n_bins = check_int(self.n_bins, "n_bins", min_value=2, max_value=1000, func="DriftMonitor")
        check_float(
            self.eps, "eps", low=0.0, high=0.1, inclusive=(False, True), func="DriftMonitor"
        )
        cols = [str(c) for c in reference.columns]
        if self.categorical is None:
            cat = [c for c in cols if _is_categorical(reference[c])]
        else:
            cat = [str(c) for c in self.categorical]
            unknown = sorted(set(cat) - set(cols))
            if unknown:
                raise ValueError(
                    f"The 'categorical' parameter of DriftMonitor names columns {unknown} that "
                    f"are not in the reference table (columns: {cols})."
                )
        self.features_ = cols
        self.categorical_ = cat
        self.bin_edges_, self.categories_, self.reference_proportions_ = {}, {}, {}
        self.reference_ = {}
        for c in cols:
            values = clean_sample(reference[c], c, "DriftMonitor.fit", categorical=c in cat)
            self.reference_[c] = values
            if c in cat:
                self.categories_[c] = sorted(set(values))
                self.reference_proportions_[c] = proportions_categorical(
                    values, self.categories_[c]
                )
            else:
                self.bin_edges_[c] = quantile_edges(values, n_bins)
                self.reference_proportions_[c] = proportions_numeric(values, self.bin_edges_[c])
        self.n_reference_ = len(reference)
        return self

    def _check_fitted(self, func):
        if not hasattr(self, "features_"):
            raise RuntimeError(
                f"This DriftMonitor is not fitted yet. Call fit(reference) before {func}."
            )

    def proportions(self, current: pd.DataFrame) -> dict:
        """Return the per-bin (or per-category) shares of `current`, keyed by feature.

        Parameters
        ----------
        current : pandas.DataFrame
            Holds every column of `features_`.

        Returns
        -------
        dict of str to ndarray
            Shares on the reference bins; NaN-only columns give all-zero shares.
        """
        self._check_fitted("proportions")
        out = {}
        for c in self.features_:
            if c in self.categorical_:
                v = current[c].dropna().astype(str).to_numpy()
                out[c] = proportions_categorical(v, self.categories_[c])
            else:
                v = np.asarray(current[c], dtype=np.float64)
                out[c] = proportions_numeric(v[~np.isnan(v)], self.bin_edges_[c])
        return out

    def psi_by_window(self, current: pd.DataFrame, window) -> pd.DataFrame:
        """Return the PSI of every feature in every window, vectorised (no tests).

        Parameters
        ----------
        current : pandas.DataFrame of shape (n_rows, n_features)
            Holds every column of `features_`.
        window : array-like of int of shape (n_rows,)
            Window id (>= 0) of each row.

        Returns
        -------
        pandas.DataFrame of shape (n_windows, n_features)
            Indexed by window id; NaN where a window has no value for a feature.
        """
        import pandas as pd

        self._check_fitted("psi_by_window")
        w = np.asarray(window, dtype=np.int64)
        ids, w = np.unique(w, return_inverse=True)
        out = {}
        for c in self.features_:
            if c in self.categorical_:
                cats = {k: i for i, k in enumerate(self.categories_[c])}
                v = current[c].astype(str).to_numpy()
                valid = current[c].notna().to_numpy()
                bins = np.array([cats.get(x, len(cats)) for x in v], dtype=np.int64)
            else:
                v = np.asarray(current[c], dtype=np.float64)
                valid = ~np.isnan(v)
                bins = np.searchsorted(self.bin_edges_[c], v, side="right")
            n_b = self.reference_proportions_[c].size
            counts = np.bincount(w[valid] * n_b + bins[valid], minlength=ids.size * n_b).reshape(
                ids.size, n_b
            )
            totals = counts.sum(axis=1, keepdims=True)
            p_cur = counts / np.maximum(totals, 1)
            p_ref = np.where(
                self.reference_proportions_[c] > 0, self.reference_proportions_[c], self.eps
            )
            p_cur = np.where(p_cur > 0, p_cur, self.eps)
            values = np.sum((p_cur - p_ref) * np.log(p_cur / p_ref), axis=1)
            out[c] = np.where(totals[:, 0] > 0, values, np.nan)
        return pd.DataFrame(out, index=pd.Index(ids, name="window"))

    def score(self, current: pd.DataFrame, *, tests: bool = True) -> pd.DataFrame:
        """Return drift statistics of one window against the reference.

        Parameters
        ----------
        current : pandas.DataFrame of shape (n_current, n_features)
            Holds every column of `features_` (extra columns are ignored).
        tests : bool, default=True
            Also run the KS (numeric) and chi-square (categorical) tests; ``False`` computes
            PSI and JS only, which is much faster for many windows.

        Returns
        -------
        pandas.DataFrame
            Indexed by feature, columns ``kind`` ("numeric"/"categorical"), ``n_current``,
            ``psi``, ``js_distance``, ``test`` ("ks"/"chi2"), ``statistic``, ``p_value``
            (KS with the asymptotic p-value, see :func:`ks_test`).

        Raises
        ------
        RuntimeError
            If the monitor is not fitted.
        ValueError
            If `current` lacks a monitored column.
        """
        import pandas as pd

        self._check_fitted("score")
        missing = [c for c in self.features_ if c not in current.columns]
        if missing:
            raise ValueError(
                f"DriftMonitor.score needs the columns it was fitted on. Missing {missing}; "
                f"got {list(map(str, current.columns))}."
            )
        props = self.proportions(current)
        rows = []
        for c in self.features_:
            cat = c in self.categorical_
            n = int(current[c].notna().sum())
            row = {
                "feature": c,
                "kind": "categorical" if cat else "numeric",
                "n_current": n,
                "psi": np.nan,
                "js_distance": np.nan,
                "test": "chi2" if cat else "ks",
                "statistic": np.nan,
                "p_value": np.nan,
            }
            if n > 0:
                row["psi"] = psi_from_proportions(
                    self.reference_proportions_[c], props[c], self.eps
                )
                row["js_distance"] = js_from_proportions(self.reference_proportions_[c], props[c])
                if tests and cat:
                    row["statistic"], row["p_value"] = chi2_test(self.reference_[c], current[c])
                elif tests:
                    row["statistic"], row["p_value"] = ks_test(
                        self.reference_[c], current[c], method="asymp"
                    )
            rows.append(row)
        return pd.DataFrame(rows).set_index("feature")

    def score_windows(
        self, current: pd.DataFrame, *, window: str = "window", tests: bool = True
    ) -> pd.DataFrame:
        """Score every window of `current` and adjust p-values for multiple testing.

        Parameters
        ----------
        current : pandas.DataFrame
            Traffic with a `window` column plus the monitored columns.
        window : str, default="window"
            Column holding the window id (for example the day).
        tests : bool, default=True
            Run the KS / chi-square tests (see :meth:`score`).

        Returns
        -------
        pandas.DataFrame
            One row per (window, feature): the columns of :meth:`score` plus ``p_adjusted``,
            Benjamini-Hochberg adjusted over all features x windows
            (:func:`scipy.stats.false_discovery_control`); NaN when `tests` is False.

        Notes
        -----
        Testing 6 features on 28 windows is 168 tests: at alpha = 0.05 about 8 would reject
        by chance alone. The Benjamini-Hochberg procedure (1995) controls the expected share
        of false discoveries among the rejections instead.
        """
        import pandas as pd
        from scipy.stats import false_discovery_control

        self._check_fitted("score_windows")
        parts = []
        for w, chunk in current.groupby(window, sort=True):
            s = self.score(chunk, tests=tests).reset_index()
            s.insert(0, window, w)
            parts.append(s)
        out = pd.concat(parts, ignore_index=True)
        out["p_adjusted"] = np.nan
        ok = out["p_value"].notna().to_numpy()
        if ok.any():
            out.loc[ok, "p_adjusted"] = false_discovery_control(
                out.loc[ok, "p_value"].to_numpy(), method="bh"
            )
        return out


# --------------------------------------------------------------------------------------------
# The user's own tables
# --------------------------------------------------------------------------------------------


def _check_frame(df, name, func):
    import pandas as pd

    if not isinstance(df, pd.DataFrame):
        raise TypeError(
            f"The {name!r} parameter of {func} must be a pandas DataFrame. "
            f"Got {type(df).__name__} instead."
        )
    if df.shape[0] == 0 or df.shape[1] == 0:
        raise ValueError(
            f"The {name!r} table of {func} is empty ({df.shape[0]} rows, {df.shape[1]} "
            "columns). Pass a table with a header row and at least one data row."
        )


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
    >>> ref, cur = load_drift_csvs(  # doctest: +SKIP
    ...     "tests/fixtures/monitoring/reference.csv", "tests/fixtures/monitoring/current.csv")
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


# --------------------------------------------------------------------------------------------
# Alert rules and concept drift
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AlertRule:
    """An alert rule: a metric beyond a threshold for a number of consecutive windows.

    Parameters
    ----------
    name : str
        Short id shown in alert tables.
    metric : str
        Column of the window-metrics table it watches.
    threshold : float
        The alert level.
    direction : {"above", "below"}, default="above"
        Breach when the value is above (or below) the threshold.
    consecutive : int, default=1
        Windows in a row that must breach before the alert fires (>= 1). More windows give
        fewer false alarms and a longer detection delay.
    severity : {"info", "warning", "critical"}, default="warning"
        How loud the alert is (who gets paged).
    node : str, default="recognizer"
        Pipeline node or layer the metric belongs to (for per-node tables).
    delay_days : float, default=0
        Days after a window closes before its value is known (for example the label delay
        for accuracy), added to the alert day.
    """

    name: str
    metric: str
    threshold: float
    direction: str = "above"
    consecutive: int = 1
    severity: str = "warning"
    node: str = "recognizer"
    delay_days: float = 0.0

    def __post_init__(self):
        check_one_of(self.direction, "direction", {"above", "below"}, func="AlertRule")
        check_one_of(self.severity, "severity", {"info", "warning", "critical"}, func="AlertRule")
        check_int(self.consecutive, "consecutive", min_value=1, func="AlertRule")
        check_float(self.threshold, "threshold", func="AlertRule")
        check_float(self.delay_days, "delay_days", low=0.0, func="AlertRule")


def consecutive_breaches(
    values, threshold: float, *, direction: str = "above", consecutive: int = 1
):
    """Return where an alert fires: the window completing each run of breaches.

    Parameters
    ----------
    values : array-like of shape (n_windows,)
        Metric per window, in time order. NaN (no data) is not a breach and breaks a run.
    threshold : float
        The alert level.
    direction : {"above", "below"}, default="above"
        Breach when ``value > threshold`` (or ``value < threshold``).
    consecutive : int, default=1
        Breaching windows in a row needed to fire (>= 1).

    Returns
    -------
    ndarray of shape (n_windows,), dtype bool
        True at the window where a run of breaches reaches `consecutive`; one alert per run
        (the rule re-arms after a window without breach).

    Raises
    ------
    ValueError
        If `direction` or `consecutive` is invalid.

    Examples
    --------
    >>> consecutive_breaches([0, 1, 1, 1, 0, 1, 1], 0.5, consecutive=2).astype(int).tolist()
    [0, 0, 1, 0, 0, 0, 1]
    """
    check_one_of(direction, "direction", {"above", "below"}, func="consecutive_breaches")
    consecutive = check_int(consecutive, "consecutive", min_value=1, func="consecutive_breaches")
    v = np.asarray(values, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        breach = v > threshold if direction == "above" else v < threshold
    breach &= ~np.isnan(v)
    fired = np.zeros(v.shape, dtype=bool)
    run = 0
    for i, b in enumerate(breach):
        run = run + 1 if b else 0
        if run == consecutive:
            fired[i] = True
    return fired


def evaluate_alerts(metrics: pd.DataFrame, rules, *, window_days: int = 1) -> pd.DataFrame:
    """Apply alert rules to a table of per-window metrics.

    Parameters
    ----------
    metrics : pandas.DataFrame
        One row per window in time order, with a ``day_end`` column (last day of the window,
        0-based) and one column per rule metric (see :func:`window_metrics`).
    rules : sequence of AlertRule
        The rules.
    window_days : int, default=1
        Window length in days (kept in the output for the reader).

    Returns
    -------
    pandas.DataFrame
        One row per fired alert, sorted by ``alert_day``: ``rule``, ``node``, ``metric``,
        ``severity``, ``window_days``, ``day_end`` (window that completed the run),
        ``alert_day`` (``day_end + delay_days``: when the alert is raised) and ``value``.

    Raises
    ------
    ValueError
        If a rule's metric or ``day_end`` is missing from `metrics`.
    """
    import pandas as pd

    if "day_end" not in metrics.columns:
        raise ValueError(
            "evaluate_alerts needs a 'day_end' column (last day of each window) in the metrics "
            f"table. Got columns {list(metrics.columns)}. Build the table with "
            "window_metrics(...), or add the column."
        )
    rows = []
    for rule in rules:
        if rule.metric not in metrics.columns:
            raise ValueError(
                f"Alert rule {rule.name!r} watches {rule.metric!r}, which is not a column of "
                f"the metrics table (columns: {list(metrics.columns)})."
            )
        fired = consecutive_breaches(
            metrics[rule.metric].to_numpy(),
            rule.threshold,
            direction=rule.direction,
            consecutive=rule.consecutive,
        )
        for i in np.flatnonzero(fired):
            day_end = float(metrics["day_end"].iloc[i])
            rows.append(
                {
                    "rule": rule.name,
                    "node": rule.node,
                    "metric": rule.metric,
                    "severity": rule.severity,
                    "window_days": window_days,
                    "day_end": day_end,
                    "alert_day": day_end + rule.delay_days,
                    "value": float(metrics[rule.metric].iloc[i]),
                }
            )
    cols = ["rule", "node", "metric", "severity", "window_days", "day_end", "alert_day", "value"]
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values(["alert_day", "rule"], kind="stable").reset_index(drop=True)


def calibrate_threshold(
    values, *, direction: str = "above", margin: float = 0.5, floor=None
) -> float:
    """Set an alert threshold from a no-drift calibration stream.

    Parameters
    ----------
    values : array-like of shape (n_windows,)
        The metric per window on traffic known to be healthy. NaN values are ignored.
    direction : {"above", "below"}, default="above"
        Whether high (or low) values are bad.
    margin : float, default=0.5
        How far beyond the worst healthy window to put the threshold, as a share of that
        window's distance from the median (>= 0).
    floor : float or None, default=None
        A threshold never below this (for "above"; never above for "below"), such as a
        textbook level.

    Returns
    -------
    float
        ``worst + margin * (worst - median)``, where worst is the max (or min).

    Raises
    ------
    ValueError
        If `values` has no finite entries.

    Notes
    -----
    Tuning on the stream you then report false alarms on would hide them; calibrate on one
    healthy replay and count false alarms on another (held-out) one.

    Examples
    --------
    >>> calibrate_threshold([0.1, 0.2, 0.3])
    0.35
    """
    check_one_of(direction, "direction", {"above", "below"}, func="calibrate_threshold")
    margin = check_float(margin, "margin", low=0.0, func="calibrate_threshold")
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v)]
    if v.size == 0:
        raise ValueError("calibrate_threshold needs at least one finite value. Got none.")
    med = float(np.median(v))
    worst = float(v.max() if direction == "above" else v.min())
    thr = worst + margin * (worst - med)
    if floor is not None:
        thr = max(thr, float(floor)) if direction == "above" else min(thr, float(floor))
    return round(thr, 6)


def detect_concept_drift(errors, *, detector: str = "adwin", **params) -> np.ndarray:
    """Return the positions where a river drift detector flags a change in an error stream.

    Parameters
    ----------
    errors : array-like of shape (n_labelled,)
        0/1 per labelled prediction (1 = wrong), in the order labels arrived.
    detector : {"adwin", "ddm"}, default="adwin"
        :class:`river.drift.ADWIN` (adaptive windowing, Bifet & Gavalda 2007; any numeric
        stream) or :class:`river.drift.binary.DDM` (drift detection method, Gama et al. 2004;
        a 0/1 error stream).
    **params
        Passed to the detector, for example ``delta=0.002`` (ADWIN) or
        ``drift_threshold=3.0`` (DDM).

    Returns
    -------
    ndarray of int
        Positions in `errors` at which the detector reported a drift (after each report the
        detector adapts and keeps watching).

    Raises
    ------
    ValueError
        If `detector` is unknown or `errors` is not 0/1.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> stream = np.r_[rng.random(1000) < 0.1, rng.random(1000) < 0.5].astype(int)
    >>> hits = detect_concept_drift(stream)
    >>> bool(1000 <= hits[0] < 1200)
    True
    """
    from river import drift

    check_one_of(detector, "detector", {"adwin", "ddm"}, func="detect_concept_drift")
    e = np.asarray(errors, dtype=np.float64).ravel()
    if e.size and not np.isin(e, (0.0, 1.0)).all():
        raise ValueError(
            "The 'errors' parameter of detect_concept_drift must hold 0/1 values "
            "(1 = wrong prediction). Got other values."
        )
    det = drift.ADWIN(**params) if detector == "adwin" else drift.binary.DDM(**params)
    hits = []
    for i, x in enumerate(e):
        det.update(int(x) if detector == "ddm" else float(x))
        if det.drift_detected:
            hits.append(i)
    return np.asarray(hits, dtype=np.int64)


def concept_drift_alerts(
    served: pd.DataFrame, *, detector: str = "adwin", rule: str | None = None, **params
) -> pd.DataFrame:
    """Run a drift detector on a stream's labelled errors; return its alerts as table rows.

    Parameters
    ----------
    served : pandas.DataFrame
        From :func:`serve_requests`; uses the labelled, answered requests in the order their
        labels arrive (``label_day``, then arrival).
    detector : {"adwin", "ddm"}, default="adwin"
        See :func:`detect_concept_drift`.
    rule : str or None, default=None
        Name for the alert rows; ``"<detector>_errors"`` when None.
    **params
        Passed to the river detector.

    Returns
    -------
    pandas.DataFrame
        Rows like :func:`evaluate_alerts` (node ``"labels"``, severity ``"critical"``,
        ``alert_day`` = the day the label that tipped the detector arrived, ``value`` = the
        error rate of the 100 labels before it).
    """
    import pandas as pd

    lab = served[served["labelled"] & served["correct"].notna()]
    lab = lab.sort_values("label_day", kind="stable")
    errors = 1.0 - lab["correct"].to_numpy(dtype=float)
    hits = detect_concept_drift(errors, detector=detector, **params)
    days = lab["label_day"].to_numpy()[hits].astype(float)
    recent = [float(errors[max(0, i - 99) : i + 1].mean()) for i in hits]
    return pd.DataFrame(
        {
            "rule": rule or f"{detector}_errors",
            "node": "labels",
            "metric": "error",
            "severity": "critical",
            "window_days": 0,
            "day_end": days,
            "alert_day": days,
            "value": recent,
        }
    )


def alert_summary(alerts: dict, events: dict, *, expected_rules: dict) -> pd.DataFrame:
    """Tabulate, per stream, whether its event was detected by its rules, how fast, false alarms.

    Parameters
    ----------
    alerts : dict of str to pandas.DataFrame
        Stream name -> alert table (from :func:`evaluate_alerts`, possibly with extra rows
        such as concept-drift detections); needs ``rule``, ``node`` and ``alert_day``.
    events : dict of str to StreamEvent or None
        Stream name -> its injected event; None for a no-drift control stream.
    expected_rules : dict of str to sequence of str
        Event name -> the rules meant to detect it (for example :data:`EVENT_RULES`). Only
        these count as a detection: an unrelated alert that happens to fire after the onset
        (a weekend throughput dip) says nothing about the event.

    Returns
    -------
    pandas.DataFrame
        One row per stream: ``event``, ``kind``, ``onset_day``, ``detected``,
        ``first_rule``, ``first_node`` (the first expected alert at or after the onset; on a
        tie the most severe), ``detection_day``, ``delay_days``
        (``detection_day - onset_day``; 0 = raised at the end of the onset day),
        ``other_alerts`` (alerts of other rules at or after the onset) and ``false_alarms``
        (alerts before the onset, or any alert on a control stream).

    Raises
    ------
    ValueError
        If an event has no entry in `expected_rules`.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"rule": ["throughput_low", "input_psi"], "node": ["software", "input"],
    ...                   "alert_day": [10.0, 12.0]})
    >>> ev = StreamEvent("new_microphone", "data_drift", 10, mix={"low_bandwidth": 1.0})
    >>> s = alert_summary({"drift": a}, {"drift": ev},
    ...                   expected_rules={"new_microphone": ["input_psi"]})
    >>> row = s.loc["drift"]
    >>> row["first_rule"], float(row["delay_days"]), int(row["other_alerts"])
    ('input_psi', 2.0, 1)
    """
    import pandas as pd

    missing = [
        ev.name for ev in events.values() if ev is not None and ev.name not in expected_rules
    ]
    if missing:
        raise ValueError(
            f"alert_summary needs the rules meant to detect every event. Got expected_rules for "
            f"{sorted(expected_rules)}; missing {missing}. Pass expected_rules={{event: [rule, ...]}}."
        )
    rows = []
    for stream, ev in events.items():
        a = alerts.get(stream)
        a = a if a is not None else pd.DataFrame(columns=["rule", "node", "alert_day"])
        if ev is None:
            rows.append(
                {
                    "stream": stream,
                    "event": "none (control)",
                    "kind": "-",
                    "onset_day": np.nan,
                    "detected": False,
                    "first_rule": "",
                    "first_node": "",
                    "detection_day": np.nan,
                    "delay_days": np.nan,
                    "other_alerts": 0,
                    "false_alarms": len(a),
                }
            )
            continue
        after = a[a["alert_day"] >= ev.onset_day]
        meant = after["rule"].isin(list(expected_rules[ev.name]))
        other = int((~meant).sum())
        after = after[meant]
        rank = after["severity"].map(_SEVERITY_RANK) if "severity" in after else 0
        after = after.assign(_rank=rank).sort_values(["alert_day", "_rank"], kind="stable")
        first = after.iloc[0] if len(after) else None
        rows.append(
            {
                "stream": stream,
                "event": ev.name,
                "kind": ev.kind,
                "onset_day": ev.onset_day,
                "detected": first is not None,
                "first_rule": "" if first is None else first["rule"],
                "first_node": "" if first is None else first["node"],
                "detection_day": np.nan if first is None else float(first["alert_day"]),
                "delay_days": np.nan if first is None else float(first["alert_day"]) - ev.onset_day,
                "other_alerts": other,
                "false_alarms": int((a["alert_day"] < ev.onset_day).sum()),
            }
        )
    return pd.DataFrame(rows).set_index("stream")


def describe_alerts(alerts: dict, events: dict, *, nodes) -> str:
    """Summarise, as Markdown, which rules of some nodes fired on each stream and when.

    Parameters
    ----------
    alerts : dict of str to pandas.DataFrame
        Stream name -> alert table (``rule``, ``node``, ``alert_day``).
    events : dict of str to StreamEvent or None
        Stream name -> its event (None: control); gives the onset for the delays.
    nodes : sequence of str
        The nodes (layers) to report, for example ``["software"]``.

    Returns
    -------
    str
        One bullet per stream: each rule's first alert day and its delay after the onset
        (negative: before it, a false alarm), or "no alert".

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"rule": ["input_psi"], "node": ["input"], "alert_day": [11.0]})
    >>> ev = StreamEvent("new_microphone", "data_drift", 10, mix={"low_bandwidth": 1.0})
    >>> print(describe_alerts({"drift": a, "control": a.iloc[:0]},
    ...                       {"drift": ev, "control": None}, nodes=["input"]))
    Rules of input:
    - **drift** (new_microphone, onset day 10): `input_psi` on day 11 (+1 d)
    - **control** (no event): no alert
    """
    nodes = list(nodes)
    lines = [f"Rules of {', '.join(nodes)}:"]
    for stream, ev in events.items():
        a = alerts.get(stream)
        head = f"- **{stream}** ({'no event' if ev is None else f'{ev.name}, onset day {ev.onset_day}'}): "
        if a is None or not len(a) or not a["node"].isin(nodes).any():
            lines.append(head + "no alert")
            continue
        first = (
            a[a["node"].isin(nodes)].groupby("rule", sort=False)["alert_day"].min().sort_values()
        )
        parts = []
        for rule, day in first.items():
            delay = "" if ev is None else f" ({day - ev.onset_day:+g} d)"
            parts.append(f"`{rule}` on day {day:g}{delay}")
        lines.append(head + ", ".join(parts))
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# The speech pipeline: voice-activity detection -> recognizer
# --------------------------------------------------------------------------------------------


def vad_trim(clip, *, sample_rate_hz: int, threshold_db: float = -35.0, frame_ms: float = 20.0):
    """Trim leading and trailing non-speech: the voice-activity stage of the pipeline.

    Parameters
    ----------
    clip : array-like of shape (n_samples,)
        Mono audio in [-1, 1].
    sample_rate_hz : int
        Sample rate of `clip`, in Hz.
    threshold_db : float, default=-35.0
        A frame counts as speech when its energy is at most this many dB below the loudest
        frame (<= 0). A too-high threshold (for example -6) cuts word onsets and endings.
    frame_ms : float, default=20.0
        Frame length in ms.

    Returns
    -------
    ndarray of shape (n_kept,), dtype float32
        From the first to the last speech frame, one frame of margin each side. Empty when
        the clip is silent (all frames at zero energy).

    Examples
    --------
    >>> x = np.r_[np.zeros(800), 0.5 * np.ones(1600), np.zeros(800)]
    >>> vad_trim(x, sample_rate_hz=8000).size
    1920
    """
    sr = check_int(sample_rate_hz, "sample_rate_hz", min_value=1, func="vad_trim")
    threshold_db = check_float(threshold_db, "threshold_db", high=0.0, func="vad_trim")
    x = np.asarray(clip, dtype=np.float32).ravel()
    n = max(1, int(round(sr * frame_ms / 1000.0)))
    n_frames = int(math.ceil(x.size / n))
    if n_frames == 0:
        return x[:0]
    padded = np.zeros(n_frames * n, dtype=np.float64)
    padded[: x.size] = x
    energy = np.mean(padded.reshape(n_frames, n) ** 2, axis=1)
    peak = energy.max()
    if peak <= 1e-12:
        return x[:0]
    speech = np.flatnonzero(10.0 * np.log10(energy / peak + 1e-20) >= threshold_db)
    start = max(0, (speech[0] - 1) * n)
    stop = min(x.size, (speech[-1] + 2) * n)
    return x[start:stop].copy()


def input_metrics(clips, *, sample_rate_hz: int) -> pd.DataFrame:
    """Return the input metrics a monitor watches, one row per clip.

    Parameters
    ----------
    clips : sequence of array-like of shape (n_samples_i,)
        Mono clips in [-1, 1].
    sample_rate_hz : int
        Sample rate, in Hz.

    Returns
    -------
    pandas.DataFrame
        Columns ``duration_s``; ``rms_db`` (loudness, 10 log10 of the mean power, dB full
        scale, floored at -100 dB); ``spectral_centroid_hz`` and ``spectral_bandwidth_hz``
        (power-weighted mean frequency and spread around it, of the whole clip's spectrum;
        NaN for silent clips); ``silent`` (True when ``rms_db < -60``).

    Examples
    --------
    >>> t = np.arange(8000) / 8000
    >>> m = input_metrics([np.sin(2 * np.pi * 500 * t)], sample_rate_hz=8000)
    >>> round(float(m.loc[0, "spectral_centroid_hz"]))
    500
    """
    import pandas as pd

    sr = check_int(sample_rate_hz, "sample_rate_hz", min_value=1, func="input_metrics")
    rows = []
    for clip in clips:
        x = np.asarray(clip, dtype=np.float64).ravel()
        power = float(np.mean(x**2)) if x.size else 0.0
        rms_db = max(_FLOOR_DB, 10.0 * math.log10(power + 1e-10))
        centroid = bandwidth = np.nan
        if x.size and power > 0:
            spec = np.abs(np.fft.rfft(x)) ** 2
            freqs = np.fft.rfftfreq(x.size, d=1.0 / sr)
            total = spec.sum()
            centroid = float((freqs * spec).sum() / total)
            bandwidth = float(np.sqrt(((freqs - centroid) ** 2 * spec).sum() / total))
        rows.append(
            {
                "duration_s": x.size / sr,
                "rms_db": rms_db,
                "spectral_centroid_hz": centroid,
                "spectral_bandwidth_hz": bandwidth,
                "silent": rms_db < _SILENT_DB,
            }
        )
    return pd.DataFrame(rows, columns=[*INPUT_FEATURES, "silent"])


def _render_variant(clip, variant, *, sample_rate_hz, rng, babble_pool=None):
    from mlkit.audio import apply_condition

    if variant not in SPEECH_VARIANTS:
        raise ValueError(
            f"Unknown request variant {variant!r}. Use one of {sorted(SPEECH_VARIANTS)}."
        )
    condition, snr_range = SPEECH_VARIANTS[variant]
    snr = float(rng.uniform(*snr_range)) if snr_range else 10.0
    return apply_condition(
        clip,
        condition,
        sample_rate_hz=sample_rate_hz,
        snr_db=snr,
        random_state=int(rng.integers(0, 2**63 - 1)),
        babble_pool=babble_pool,
    )


def _check_mix(mix, func):
    if not isinstance(mix, dict) or not mix:
        raise ValueError(
            f"The 'mix' parameter of {func} must be a non-empty dict variant -> share."
        )
    unknown = sorted(set(mix) - set(SPEECH_VARIANTS))
    if unknown:
        raise ValueError(
            f"The 'mix' parameter of {func} names unknown variants {unknown}. "
            f"Use {sorted(SPEECH_VARIANTS)}."
        )
    shares = np.array([float(v) for v in mix.values()])
    if (shares < 0).any() or not math.isclose(shares.sum(), 1.0, abs_tol=1e-6):
        raise ValueError(
            f"The shares of 'mix' in {func} must be >= 0 and sum to 1. Got {mix} instead."
        )
    return dict(mix)


def speech_training_set(
    clips, y, *, sample_rate_hz: int, mix: dict, vad_threshold_db: float = -35.0, random_state=0
):
    """Render clips in a mix of request variants, pass them through the VAD, featurise.

    Parameters
    ----------
    clips : sequence of ndarray of shape (n_samples_i,)
        Clean mono clips (``SpeechData.clips`` loaded with ``conditions=False``).
    y : array-like of shape (n_clips,)
        Their labels.
    sample_rate_hz : int
        Sample rate, in Hz.
    mix : dict of str to float
        Variant (keys of :data:`SPEECH_VARIANTS`) -> share of clips; shares sum to 1.
    vad_threshold_db : float, default=-35.0
        Threshold of the (healthy) voice-activity stage, see :func:`vad_trim`.
    random_state : int, numpy.random.Generator or None, default=0
        Seeds the variant assignment and the noise.

    Returns
    -------
    X : ndarray of shape (n_clips, n_features)
        MFCC features (:func:`mlkit.features.mfcc_features`) of the VAD output.
    y : ndarray of shape (n_clips,)
        The labels.
    variants : ndarray of shape (n_clips,), dtype object
        The variant each clip was rendered in.
    """
    from mlkit.features import mfcc_features

    mix = _check_mix(mix, "speech_training_set")
    rng = check_random_state(random_state)
    y = np.asarray(y)
    names = list(mix)
    variants = rng.choice(np.array(names, dtype=object), size=len(clips), p=[mix[k] for k in names])
    rendered = [
        vad_trim(
            _render_variant(c, v, sample_rate_hz=sample_rate_hz, rng=rng),
            sample_rate_hz=sample_rate_hz,
            threshold_db=vad_threshold_db,
        )
        for c, v in zip(clips, variants, strict=True)
    ]
    return mfcc_features(rendered, sample_rate_hz=sample_rate_hz), y, variants


def speech_request_pool(
    clips,
    y,
    *,
    sample_rate_hz: int,
    variants=tuple(SPEECH_VARIANTS),
    fault_variants=("clean", "car_noise"),
    vad_threshold_db: float = -35.0,
    fault_threshold_db: float = -6.0,
    silent_duration_s: float = 0.5,
    random_state=0,
):
    """Pre-render every request the replayed stream can send, through both pipeline stages.

    Each clip is rendered once in every variant and passed through the healthy VAD; the
    `fault_variants` also through the faulty VAD. A stream then only samples rows of this pool,
    so a month of traffic costs no more audio processing than the pool itself.

    Parameters
    ----------
    clips : sequence of ndarray of shape (n_samples_i,)
        Clean held-out clips (not used for training).
    y : array-like of shape (n_clips,)
        Their labels.
    sample_rate_hz : int
        Sample rate, in Hz.
    variants : sequence of str, default=all of SPEECH_VARIANTS
        Variants to render.
    fault_variants : sequence of str, default=("clean", "car_noise")
        Variants also rendered through the faulty VAD stage.
    vad_threshold_db, fault_threshold_db : float, default=-35.0, -6.0
        Thresholds of the healthy and the faulty voice-activity stage (:func:`vad_trim`).
    silent_duration_s : float, default=0.5
        Length of the one all-zero request (a dead microphone) added to the pool.
    random_state : int, numpy.random.Generator or None, default=0
        Seeds the noise.

    Returns
    -------
    pool : pandas.DataFrame
        One row per request: ``base`` (clip position, -1 for the silent request), ``label``
        (-1 for silence), ``variant``, ``vad`` ("ok"/"fault"), the raw input metrics of
        :func:`input_metrics`, and the VAD node's metrics ``vad_duration_s``,
        ``vad_kept_fraction`` (output/input duration) and ``vad_empty``.
    X : ndarray of shape (n_rows, n_features)
        MFCC features of each row's VAD output; NaN rows where the VAD output is empty.
    """
    import pandas as pd

    from mlkit.features import mfcc_features

    for v in (*variants, *fault_variants):
        if v not in SPEECH_VARIANTS:
            raise ValueError(
                f"Unknown request variant {v!r} in speech_request_pool. "
                f"Use one of {sorted(SPEECH_VARIANTS)}."
            )
    rng = check_random_state(random_state)
    y = np.asarray(y)
    rows, raw, vad_out = [], [], []
    for i, clip in enumerate(clips):
        for v in variants:
            audio = _render_variant(clip, v, sample_rate_hz=sample_rate_hz, rng=rng)
            for vad, thr in (("ok", vad_threshold_db), ("fault", fault_threshold_db)):
                if vad == "fault" and v not in fault_variants:
                    continue
                rows.append({"base": i, "label": int(y[i]), "variant": v, "vad": vad})
                raw.append(audio)
                vad_out.append(vad_trim(audio, sample_rate_hz=sample_rate_hz, threshold_db=thr))
    silence = np.zeros(int(round(silent_duration_s * sample_rate_hz)), dtype=np.float32)
    rows.append({"base": -1, "label": -1, "variant": "silent", "vad": "ok"})
    raw.append(silence)
    vad_out.append(vad_trim(silence, sample_rate_hz=sample_rate_hz))
    pool = pd.concat(
        [pd.DataFrame(rows), input_metrics(raw, sample_rate_hz=sample_rate_hz)], axis=1
    )
    pool["vad_duration_s"] = [a.size / sample_rate_hz for a in vad_out]
    pool["vad_kept_fraction"] = pool["vad_duration_s"] / pool["duration_s"].where(
        pool["duration_s"] > 0
    )
    pool["vad_empty"] = pool["vad_duration_s"] == 0
    keep = [i for i, a in enumerate(vad_out) if a.size]
    X_ok = mfcc_features([vad_out[i] for i in keep], sample_rate_hz=sample_rate_hz)
    X = np.full((len(pool), X_ok.shape[1]), np.nan)
    X[keep] = X_ok
    return pool, X


def predict_pool(pool: pd.DataFrame, X, model, *, version: str) -> pd.DataFrame:
    """Return `pool` with one model version's predictions added.

    Parameters
    ----------
    pool : pandas.DataFrame
        From :func:`speech_request_pool`.
    X : ndarray of shape (n_rows, n_features)
        Its features (NaN rows get no prediction).
    model : fitted classifier with ``predict_proba``
        The recognizer.
    version : str
        Suffix of the new columns ``y_pred_<version>`` (-1 where no prediction) and
        ``confidence_<version>`` (highest class probability, NaN where no prediction).

    Returns
    -------
    pandas.DataFrame
        A copy of `pool` with the two columns.
    """
    out = pool.copy()
    ok = ~np.isnan(X).any(axis=1)
    y_pred = np.full(len(out), -1, dtype=np.int64)
    conf = np.full(len(out), np.nan)
    if ok.any():
        proba = model.predict_proba(X[ok])
        y_pred[ok] = np.asarray(model.classes_)[proba.argmax(axis=1)]
        conf[ok] = proba.max(axis=1)
    out[f"y_pred_{version}"] = y_pred
    out[f"confidence_{version}"] = conf
    return out


@dataclass(frozen=True)
class StreamEvent:
    """An injected production event with a known onset (the ground truth of the replay).

    Parameters
    ----------
    name : str
        Short id, for example ``"new_microphone"``.
    kind : {"data_drift", "concept_drift", "pipeline_fault"}
        ``data_drift``: from the onset the affected share of traffic follows `mix`.
        ``concept_drift``: the audio is unchanged, but for the affected share the true label
        is ``label_map[label]`` (what users mean changed). ``pipeline_fault``: the affected
        share goes through the faulty voice-activity stage.
    onset_day : int
        First affected day (0-based).
    share : float, default=1.0
        Share of the traffic affected from the onset on, in [0, 1].
    mix : dict of str to float, optional
        Variant shares of the affected traffic (``data_drift`` only).
    label_map : dict of int to int, optional
        Label remapping (``concept_drift`` only).
    """

    name: str
    kind: str
    onset_day: int
    share: float = 1.0
    mix: dict | None = field(default=None, hash=False)
    label_map: dict | None = field(default=None, hash=False)

    def __post_init__(self):
        check_one_of(self.kind, "kind", set(_KINDS), func="StreamEvent")
        check_int(self.onset_day, "onset_day", min_value=0, func="StreamEvent")
        check_float(self.share, "share", low=0.0, high=1.0, func="StreamEvent")
        if self.kind == "data_drift":
            _check_mix(self.mix, "StreamEvent")
        if self.kind == "concept_drift" and not self.label_map:
            raise ValueError("A concept_drift StreamEvent needs a label_map, e.g. {1: 7, 7: 1}.")


def simulate_requests(
    pool: pd.DataFrame,
    *,
    mix: dict,
    n_days: int = 28,
    requests_per_day: int = 120,
    event: StreamEvent | None = None,
    label_fraction: float = 0.2,
    label_delay_days: int = 2,
    silent_rate: float = 0.005,
    timeout_rate: float = 0.003,
    random_state=0,
) -> pd.DataFrame:
    """Replay simulated days of production traffic from a request pool.

    Parameters
    ----------
    pool : pandas.DataFrame
        From :func:`speech_request_pool`.
    mix : dict of str to float
        Variant shares of normal traffic (the reference conditions).
    n_days : int, default=28
        Days to simulate (>= 2).
    requests_per_day : int, default=120
        Mean daily volume; weekends carry 70 % of it and each day is Poisson around its mean.
    event : StreamEvent or None, default=None
        The injected event; None makes a no-drift control stream.
    label_fraction : float, default=0.2
        Share of requests that later get a ground-truth label (a human reviews them).
    label_delay_days : int, default=2
        Days until a label arrives.
    silent_rate : float, default=0.005
        Share of requests that are silent (a dead microphone), always.
    timeout_rate : float, default=0.003
        Share of requests the serving layer drops (an infrastructure error), always.
    random_state : int, numpy.random.Generator or None, default=0
        Seeds everything; the same seed gives the same stream.

    Returns
    -------
    pandas.DataFrame
        One row per request, in arrival order: ``day``, ``pool_row``, ``variant``, ``vad``,
        ``affected`` (the event touched it), ``y_true`` (-1 for silence), ``labelled``,
        ``label_day``, ``timeout``, ``latency_ms`` (simulated: 15 ms + 40 ms per second of
        audio, log-normal jitter), joined with the pool's metric columns.
    """
    import pandas as pd

    mix = _check_mix(mix, "simulate_requests")
    n_days = check_int(n_days, "n_days", min_value=2, func="simulate_requests")
    rpd = check_int(requests_per_day, "requests_per_day", min_value=1, func="simulate_requests")
    label_fraction = check_float(
        label_fraction, "label_fraction", low=0.0, high=1.0, func="simulate_requests"
    )
    label_delay_days = check_int(
        label_delay_days, "label_delay_days", min_value=0, func="simulate_requests"
    )
    rng = check_random_state(random_state)
    lookup = {
        (int(b), v, vad): i
        for i, (b, v, vad) in enumerate(
            zip(pool["base"], pool["variant"], pool["vad"], strict=True)
        )
    }
    bases = np.unique(pool.loc[pool["base"] >= 0, "base"].to_numpy())
    silent_row = int(np.flatnonzero(pool["variant"].to_numpy() == "silent")[0])
    means = np.where(np.arange(n_days) % 7 >= 5, 0.7 * rpd, rpd)
    counts = rng.poisson(means)
    parts = []
    for day, n in enumerate(counts):
        active = event is not None and day >= event.onset_day
        affected = rng.random(n) < (event.share if active else 0.0)
        names = list(mix)
        variant = rng.choice(np.array(names, dtype=object), size=n, p=[mix[k] for k in names])
        if active and event.kind == "data_drift" and affected.any():
            new = list(event.mix)
            variant[affected] = rng.choice(
                np.array(new, dtype=object), size=int(affected.sum()), p=[event.mix[k] for k in new]
            )
        faulty = affected if (active and event.kind == "pipeline_fault") else np.zeros(n, bool)
        vad = np.where(faulty, "fault", "ok")
        base = rng.choice(bases, size=n)
        rows = np.array(
            [
                lookup.get((int(b), v, f), lookup[(int(b), v, "ok")])
                for b, v, f in zip(base, variant, vad, strict=True)
            ],
            dtype=np.int64,
        )
        silent = rng.random(n) < silent_rate
        rows[silent] = silent_row
        y_true = pool["label"].to_numpy()[rows].copy()
        if active and event.kind == "concept_drift":
            remap = affected & ~silent
            y_true[remap] = [event.label_map.get(int(t), int(t)) for t in y_true[remap]]
        labelled = (rng.random(n) < label_fraction) & (y_true >= 0)
        parts.append(
            pd.DataFrame(
                {
                    "day": day,
                    "pool_row": rows,
                    "affected": affected & ~silent,
                    "y_true": y_true,
                    "labelled": labelled,
                    "label_day": np.where(labelled, day + label_delay_days, -1),
                    "timeout": rng.random(n) < timeout_rate,
                    "jitter": rng.lognormal(0.0, 0.25, size=n),
                }
            )
        )
    req = pd.concat(parts, ignore_index=True)
    meta_cols = [
        "variant",
        "vad",
        *INPUT_FEATURES,
        "silent",
        "vad_duration_s",
        "vad_kept_fraction",
        "vad_empty",
    ]
    meta = pool[meta_cols].iloc[req["pool_row"].to_numpy()].reset_index(drop=True)
    req = pd.concat([req, meta], axis=1)
    req["latency_ms"] = (15.0 + 40.0 * req["duration_s"]) * req.pop("jitter")
    order = [
        "day",
        "pool_row",
        "variant",
        "vad",
        "affected",
        "y_true",
        "labelled",
        "label_day",
        "timeout",
        "latency_ms",
    ]
    return req[order + [c for c in req.columns if c not in order]]


def serve_requests(
    requests: pd.DataFrame,
    pool: pd.DataFrame,
    *,
    versions: dict,
    reject_threshold: float = 0.5,
) -> pd.DataFrame:
    """Add the recognizer's outputs to replayed requests, by the model version live each day.

    Parameters
    ----------
    requests : pandas.DataFrame
        From :func:`simulate_requests`.
    pool : pandas.DataFrame
        The pool with ``y_pred_<version>`` / ``confidence_<version>`` columns
        (:func:`predict_pool`).
    versions : dict of int to str
        First day -> model version live from that day on, for example ``{0: "v1", 17: "v2"}``.
    reject_threshold : float, default=0.5
        Below this confidence the service answers "unknown" (a reject), in [0, 1].

    Returns
    -------
    pandas.DataFrame
        A copy of `requests` plus ``model``, ``y_pred`` (-1 for no answer), ``confidence``,
        ``error`` (timeout or empty VAD output: no answer), ``reject`` and ``correct``
        (against ``y_true``; NaN for errors and silence).

    Raises
    ------
    ValueError
        If `versions` has no entry for day 0 or names a version the pool lacks.
    """
    if 0 not in versions:
        raise ValueError("The 'versions' parameter of serve_requests needs an entry for day 0.")
    for v in versions.values():
        if f"y_pred_{v}" not in pool.columns:
            raise ValueError(
                f"serve_requests: the pool has no predictions for version {v!r}. "
                "Add them with predict_pool(pool, X, model, version=...)."
            )
    reject_threshold = check_float(
        reject_threshold, "reject_threshold", low=0.0, high=1.0, func="serve_requests"
    )
    out = requests.copy()
    starts = sorted(versions)
    idx = np.searchsorted(np.asarray(starts), out["day"].to_numpy(), side="right") - 1
    out["model"] = np.asarray([versions[s] for s in starts], dtype=object)[idx]
    rows = out["pool_row"].to_numpy()
    y_pred = np.full(len(out), -1, dtype=np.int64)
    conf = np.full(len(out), np.nan)
    for v in set(versions.values()):
        m = (out["model"] == v).to_numpy()
        y_pred[m] = pool[f"y_pred_{v}"].to_numpy()[rows[m]]
        conf[m] = pool[f"confidence_{v}"].to_numpy()[rows[m]]
    error = out["timeout"].to_numpy() | (y_pred < 0)
    y_pred[error] = -1
    conf[error] = np.nan
    out["y_pred"] = y_pred
    out["confidence"] = conf
    out["error"] = error
    out["reject"] = ~error & (conf < reject_threshold)
    valid = ~error & (out["y_true"].to_numpy() >= 0)
    out["correct"] = np.where(valid, (y_pred == out["y_true"].to_numpy()).astype(float), np.nan)
    return out


KEYPAD_SWAP = {1: 7, 2: 8, 3: 9, 7: 1, 8: 2, 9: 3}
"""The concept-drift event's label map: a keypad with rows swapped (1<->7, 2<->8, 3<->9)."""

NEW_MICROPHONE_MIX = {"low_bandwidth": 0.6, "car_noise_heavy": 0.3, "clean": 0.1}
"""Variant mix of the traffic the data-drift event (new microphone, louder cars) affects."""

EVENT_RULES = {
    "new_microphone": ("input_psi",),
    "label_shift": ("adwin_errors", "accuracy_low"),
    "vad_fault": ("vad_kept_low",),
}
"""Event name -> the rules meant to detect it (see :func:`alert_summary`): input drift by the
input PSI, concept drift only through labels, the pipeline fault at its own (VAD) node."""


def make_events(strength: float = 1.0) -> dict:
    """Return the monitoring notebook's streams and the event injected into each.

    Parameters
    ----------
    strength : float, default=1.0
        Scales the share of traffic each event affects, in [0, 1] (the label shift touches
        half as much traffic as the others).

    Returns
    -------
    dict of str to StreamEvent or None
        ``"control"`` -> None (no event), ``"data_drift"`` -> a new microphone from day 10
        (:data:`NEW_MICROPHONE_MIX`), ``"concept_drift"`` -> a label shift from day 12
        (:data:`KEYPAD_SWAP`), ``"pipeline_fault"`` -> a faulty VAD from day 14.

    Raises
    ------
    ValueError
        If `strength` is outside [0, 1].

    Examples
    --------
    >>> {k: (e.name, e.onset_day) for k, e in make_events().items() if e is not None}
    {'data_drift': ('new_microphone', 10), 'concept_drift': ('label_shift', 12), \
'pipeline_fault': ('vad_fault', 14)}
    """
    strength = check_float(strength, "strength", low=0.0, high=1.0, func="make_events")
    return {
        "control": None,
        "data_drift": StreamEvent(
            "new_microphone", "data_drift", 10, share=strength, mix=NEW_MICROPHONE_MIX
        ),
        "concept_drift": StreamEvent(
            "label_shift", "concept_drift", 12, share=0.5 * strength, label_map=KEYPAD_SWAP
        ),
        "pipeline_fault": StreamEvent("vad_fault", "pipeline_fault", 14, share=strength),
    }


def replay_streams(
    pool: pd.DataFrame,
    events: dict,
    *,
    seeds: dict,
    random_state: int = 0,
    versions: dict | None = None,
    **stream_params,
) -> dict:
    """Simulate and serve one replayed stream per seed, each with its event (if any).

    Parameters
    ----------
    pool : pandas.DataFrame
        The request pool with predictions (:func:`speech_request_pool`, :func:`predict_pool`).
    events : dict of str to StreamEvent or None
        Stream name -> its event; streams missing here (for example ``"calibration"``)
        get none.
    seeds : dict of str to int
        Stream name -> its own seed offset; one stream per entry.
    random_state : int, default=0
        Each stream is seeded with ``random_state * 1000 + seeds[name]``.
    versions : dict of int to str, optional
        Passed to :func:`serve_requests`; default ``{0: "v1"}``.
    **stream_params
        Passed to :func:`simulate_requests` (``mix``, ``n_days``, ``requests_per_day``, ...).

    Returns
    -------
    dict of str to pandas.DataFrame
        Stream name -> served requests.
    """
    versions = versions or {0: "v1"}
    return {
        name: serve_requests(
            simulate_requests(
                pool,
                event=events.get(name),
                random_state=random_state * 1000 + seed,
                **stream_params,
            ),
            pool,
            versions=versions,
        )
        for name, seed in seeds.items()
    }


def panel_tables(
    pool: pd.DataFrame,
    served: dict,
    *,
    monitor,
    seeds: dict,
    event_strength: float = 1.0,
    strengths=(0.25, 0.5, 1.0),
    window_options=(1, 2, 3, 7),
    random_state: int = 0,
    **stream_params,
):
    """Precompute the window-metrics tables an interactive dashboard switches between.

    Parameters
    ----------
    pool : pandas.DataFrame
        The request pool with ``v1`` predictions.
    served : dict of str to pandas.DataFrame
        Streams already replayed at `event_strength` (from :func:`replay_streams`); reused.
    monitor : DriftMonitor
        Fitted on the reference traffic.
    seeds : dict of str to int
        As for :func:`replay_streams`.
    event_strength : float, default=1.0
        The strength `served` was replayed at.
    strengths : sequence of float, default=(0.25, 0.5, 1.0)
        Event strengths offered (`event_strength` is added); streams at other strengths are
        replayed with the same seeds.
    window_options : sequence of int, default=(1, 2, 3, 7)
        Window lengths in days.
    random_state : int, default=0
    **stream_params
        Passed to :func:`simulate_requests`.

    Returns
    -------
    tables : dict of (str, int) to pandas.DataFrame
        ``(stream key, window_days)`` -> :func:`window_metrics`; keys are ``"control"`` and
        ``"<stream> @ <strength>"``.
    events : dict of str to StreamEvent or None
        Stream key -> its event.
    """
    tables, keyed = {}, {"control": None}
    for s in sorted({*strengths, event_strength}):
        events = {k: e for k, e in make_events(s).items() if e is not None}
        keyed |= {f"{name} @ {s:g}": ev for name, ev in events.items()}
        streams = (
            {k: served[k] for k in events}
            if s == event_strength
            else replay_streams(
                pool,
                events,
                seeds={k: seeds[k] for k in events},
                random_state=random_state,
                **stream_params,
            )
        )
        for name, req in streams.items():
            for w in window_options:
                tables[(f"{name} @ {s:g}", w)] = window_metrics(req, window_days=w, monitor=monitor)
    for w in window_options:
        tables[("control", w)] = window_metrics(served["control"], window_days=w, monitor=monitor)
    return tables, keyed


def window_metrics(
    served: pd.DataFrame,
    *,
    window_days: int = 1,
    monitor: DriftMonitor | None = None,
    reference_labels=None,
) -> pd.DataFrame:
    """Aggregate served requests into per-window dashboard metrics.

    Parameters
    ----------
    served : pandas.DataFrame
        From :func:`serve_requests`.
    window_days : int, default=1
        Window length in days (>= 1); windows are ``[0, w), [w, 2w), ...``.
    monitor : DriftMonitor or None, default=None
        When given, adds ``psi_<feature>`` per monitored feature and ``psi_max_input`` (the
        largest PSI over :data:`INPUT_FEATURES`), computed on answered, non-silent requests.
    reference_labels : array-like or None, default=None
        Predicted labels of the reference period; when given, adds ``label_js`` (JS distance
        of the window's predicted-label distribution against it).

    Returns
    -------
    pandas.DataFrame
        One row per window: ``window``, ``day_start``, ``day_end``; software metrics
        ``requests_per_day`` (throughput), ``error_rate``, ``latency_p95_ms``; input metrics
        ``duration_s``, ``rms_db``, ``spectral_centroid_hz``, ``spectral_bandwidth_hz``
        (window means) and ``silent_rate``; VAD node ``vad_duration_s``,
        ``vad_kept_fraction``, ``vad_empty_rate``; recognizer outputs ``confidence``,
        ``reject_rate``; and ``accuracy`` / ``n_labelled`` over the window's labelled
        requests (known only ``label_delay_days`` later).
    """
    import pandas as pd

    window_days = check_int(window_days, "window_days", min_value=1, func="window_metrics")
    day = served["day"].to_numpy()
    win = day // window_days
    order = np.argsort(win, kind="stable")
    win = win[order]
    col = {c: served[c].to_numpy()[order] for c in served.columns}
    error = col["error"].astype(bool)
    heard = ~col["silent"].astype(bool)
    labelled = col["labelled"].astype(bool) & ~error & ~np.isnan(col["correct"].astype(float))
    ref_p = None
    if reference_labels is not None:
        ref = np.asarray(reference_labels)
        ref_p = np.bincount(ref[ref >= 0], minlength=10)[:10].astype(float)
        ref_p /= ref_p.sum()
    windows, starts = np.unique(win, return_index=True)
    stops = np.r_[starts[1:], win.size]

    def mean(values, mask):
        return float(np.mean(values[mask])) if mask.any() else np.nan

    rows = []
    for w, a, b in zip(windows, starts, stops, strict=True):
        s = slice(a, b)
        ok = ~error[s]
        row = {
            "window": int(w),
            "day_start": int(w * window_days),
            "day_end": int(day[order][s].max()),
            "requests_per_day": (b - a) / len(np.unique(day[order][s])),
            "error_rate": float(error[s].mean()),
            "latency_p95_ms": float(np.percentile(col["latency_ms"][s], 95)),
            "silent_rate": float(1.0 - heard[s].mean()),
            "vad_empty_rate": float(col["vad_empty"][s].astype(bool).mean()),
            "confidence": mean(col["confidence"][s].astype(float), ok),
            "reject_rate": mean(col["reject"][s].astype(float), ok),
            "accuracy": mean(col["correct"][s].astype(float), labelled[s]),
            "n_labelled": int(labelled[s].sum()),
        }
        for c in (*INPUT_FEATURES, "vad_duration_s", "vad_kept_fraction"):
            row[c] = mean(col[c][s].astype(float), heard[s])
        if ref_p is not None:
            pred = col["y_pred"][s][ok]
            cur = np.bincount(pred[pred >= 0], minlength=10)[:10].astype(float)
            row["label_js"] = js_from_proportions(ref_p, cur / max(cur.sum(), 1.0))
        rows.append(row)
    out = pd.DataFrame(rows)
    if monitor is not None:
        keep = ~error & heard
        current = served.iloc[order[keep]]
        wide = monitor.psi_by_window(current, win[keep]).add_prefix("psi_")
        inputs = [f"psi_{c}" for c in INPUT_FEATURES if c in monitor.features_]
        wide["psi_max_input"] = wide[inputs].max(axis=1)
        out = out.merge(wide, left_on="window", right_index=True, how="left")
    return out


# --------------------------------------------------------------------------------------------
# Dashboards
# --------------------------------------------------------------------------------------------

_STREAM_COLOURS = {
    "control": "0.45",
    "data_drift": "tab:orange",
    "concept_drift": "tab:purple",
    "pipeline_fault": "tab:red",
}


def _colour(stream, i):
    return _STREAM_COLOURS.get(stream, f"C{i}")


def plot_dashboard(
    tables: dict,
    panels: list,
    *,
    events: dict | None = None,
    rules=(),
    marks: dict | None = None,
    title: str | None = None,
    ncols: int = 3,
):
    """Plot a monitoring dashboard: one panel per metric, one line per stream.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        Stream name -> per-window metrics (:func:`window_metrics`).
    panels : list of (str, str)
        ``(metric column, panel title with unit)`` per panel.
    events : dict of str to StreamEvent or None, optional
        Stream -> event; onsets are drawn as dotted vertical lines in the stream's colour.
    rules : sequence of AlertRule, default=()
        Thresholds of rules on a panel's metric are drawn as red dashed lines, and the
        windows where a rule fired as red triangles.
    marks : dict of str to float, optional
        Labelled vertical lines (label -> day), for example ``{"v2 deployed": 17}``.
    title : str, optional
        Figure title.
    ncols : int, default=3
        Panels per row.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    n = len(panels)
    nrows = int(math.ceil(n / ncols))
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(4.6 * ncols, 2.9 * nrows), squeeze=False, sharex=True
    )
    colours = {stream: _colour(stream, i) for i, stream in enumerate(tables)}
    for ax, (metric, label) in zip(axes.flat, panels, strict=False):
        for stream, t in tables.items():
            if metric not in t.columns:
                continue
            x = (t["day_start"] + t["day_end"] + 1) / 2.0
            ax.plot(x, t[metric], marker="o", ms=2.5, lw=1.3, color=colours[stream], label=stream)
            for rule in rules:
                if rule.metric != metric:
                    continue
                fired = consecutive_breaches(
                    t[metric].to_numpy(),
                    rule.threshold,
                    direction=rule.direction,
                    consecutive=rule.consecutive,
                )
                ax.plot(x[fired], t[metric][fired], "v", color="red", ms=7, zorder=5)
        for rule in rules:
            if rule.metric == metric:
                ax.axhline(rule.threshold, color="red", ls="--", lw=1)
                ax.annotate(
                    f"{rule.severity}: {rule.direction} {rule.threshold:.3g}, {rule.consecutive}x",
                    xy=(0.01, rule.threshold),
                    xycoords=("axes fraction", "data"),
                    fontsize=7,
                    color="red",
                    va="bottom",
                )
        for stream, ev in (events or {}).items():
            if ev is not None and stream in tables:
                ax.axvline(ev.onset_day, color=colours[stream], ls=":", lw=1.5)
        for j, (text, day) in enumerate((marks or {}).items()):
            ax.axvline(day, color="0.2", ls=["-.", ":", "--"][j % 3], lw=1.2, label=text)
        ax.set_title(label, fontsize=10)
        ax.grid(alpha=0.3)
    for k, ax in enumerate(axes.flat):
        if k >= n:
            ax.set_visible(False)
        elif k + ncols >= n:  # nothing visible below: this panel carries the day axis
            ax.set_xlabel("day")
            ax.xaxis.set_tick_params(labelbottom=True)
    seen = {}
    for ax in axes.flat[:n]:
        for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
            seen.setdefault(lab, h)
    per_row = max(1, int(1.6 * ncols))
    legend_rows = int(math.ceil(len(seen) / per_row))
    height = fig.get_figheight()
    if title:
        # fig.text, not suptitle: tight_layout would reserve room for a suptitle twice.
        fig.text(0.01, 1 - 0.05 / height, title, ha="left", va="top", fontsize=12)
    head = (0.35 if title else 0.0) + 0.28 * legend_rows
    fig.tight_layout(rect=(0, 0, 1, 1 - (head + 0.05) / height))
    fig.legend(
        list(seen.values()),
        list(seen),
        loc="upper left",
        bbox_to_anchor=(0.01, 1 - (0.35 if title else 0.05) / height),
        ncol=per_row,
        fontsize=9,
        frameon=False,
    )
    return fig


def plot_drift_heatmap(
    scores: pd.DataFrame, *, value: str = "psi", onset_day=None, title=None, vmax=0.5
):
    """Plot a features x windows heatmap of a drift statistic (PSI by default).

    Parameters
    ----------
    scores : pandas.DataFrame
        From :meth:`DriftMonitor.score_windows` (columns ``window``, ``feature``, `value`).
    value : str, default="psi"
        Column to show.
    onset_day : int or None
        Draws a vertical line at the event onset.
    title : str, optional
    vmax : float, default=0.5
        Top of the colour scale.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    grid = scores.pivot(index="feature", columns="window", values=value)
    fig, ax = plt.subplots(figsize=(11, 0.45 * len(grid) + 1.6))
    im = ax.imshow(grid.to_numpy(dtype=float), aspect="auto", cmap="magma_r", vmin=0, vmax=vmax)
    ax.set_yticks(range(len(grid)), grid.index)
    ax.set_xticks(range(0, grid.shape[1], 2), grid.columns[::2])
    ax.set_xlabel("window (day)")
    if onset_day is not None:
        ax.axvline(onset_day - 0.5, color="tab:blue", lw=2, ls=":")
    fig.colorbar(im, ax=ax, label=value, pad=0.01)
    if title:
        ax.set_title(title, fontsize=11)
    fig.tight_layout()
    return fig


def plot_concept_drift(served: dict, detections: dict, events: dict, *, window: int = 100):
    """Plot the labelled error rate (rolling mean, in label-arrival order) with detections.

    Parameters
    ----------
    served : dict of str to pandas.DataFrame
        Stream -> served requests.
    detections : dict of str to array-like of float
        Stream -> days on which the detector fired.
    events : dict of str to StreamEvent or None
        Stream -> event (onsets drawn dotted).
    window : int, default=100
        Rolling window over labelled requests for the plotted error rate.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(11, 3.8))
    top = 0.0
    for i, (stream, s) in enumerate(served.items()):
        lab = s[s["labelled"] & s["correct"].notna()].sort_values("label_day", kind="stable")
        err = 1.0 - lab["correct"].to_numpy(dtype=float)
        day = lab["label_day"].to_numpy()
        # Spread the labels that arrive on the same day evenly over that day.
        _, first, count = np.unique(day, return_index=True, return_counts=True)
        within = np.arange(day.size) - np.repeat(first, count)
        x = day + within / np.repeat(count, count)
        roll = np.convolve(err, np.ones(window) / window, mode="valid")
        ax.plot(x[window - 1 :], roll, color=_colour(stream, i), lw=1.4, label=stream)
        top = max(top, float(roll.max()) if roll.size else 0.0)
        hits = list(detections.get(stream, []))
        ev = events.get(stream)
        if ev is not None:
            ax.axvline(ev.onset_day, color=_colour(stream, i), ls=":", lw=1.5)
        if hits:
            ax.plot(
                np.asarray(hits, dtype=float) + 0.3 + 0.15 * i,
                [0.0] * len(hits),
                "^",
                color=_colour(stream, i),
                ms=11,
                mec="k",
                clip_on=False,
                zorder=5,
            )
    ax.plot([], [], "^", color="0.7", mec="k", ms=9, label="detector fired")
    ax.set_ylim(0, max(0.5, 1.25 * top))
    ax.set_xlabel("day the label arrived")
    ax.set_ylabel(f"error rate (last {window} labels)")
    ax.grid(alpha=0.3)
    ax.legend(ncol=5, fontsize=9, loc="upper left")
    ax.set_title(
        "Labelled error stream; triangles: detector fired; dotted: true onset", fontsize=11
    )
    fig.tight_layout()
    return fig


def plot_pipeline_nodes(table: pd.DataFrame, rules, *, onset_day: int, title: str | None = None):
    """Plot per-node metrics of the two-stage pipeline with their rules and alert days.

    Parameters
    ----------
    table : pandas.DataFrame
        Per-window metrics of one stream (:func:`window_metrics`).
    rules : sequence of AlertRule
        One or more rules per node; each gets a panel (threshold dashed, alert day marked).
    onset_day : int
        True onset of the fault.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(
        1, len(rules), figsize=(4.2 * len(rules), 3.2), sharex=True, squeeze=False
    )
    alerts = evaluate_alerts(table, rules)
    x = (table["day_start"] + table["day_end"] + 1) / 2.0
    for ax, rule in zip(axes[0], rules, strict=True):
        ax.plot(x, table[rule.metric], marker="o", ms=2.5, color="tab:red")
        ax.axhline(rule.threshold, color="red", ls="--", lw=1)
        ax.axvline(onset_day, color="k", ls=":", lw=1.5, label="onset")
        first = alerts[alerts["rule"] == rule.name]
        if len(first):
            d = float(first["alert_day"].iloc[0])
            ax.axvline(d + 1, color="tab:green", lw=2, label=f"alert (+{d - onset_day:g} d)")
        ax.set_title(f"{rule.node}: {rule.metric}", fontsize=10)
        ax.set_xlabel("day")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="best")
    if title:
        fig.suptitle(title, x=0.01, ha="left", fontsize=12)
    fig.tight_layout()
    return fig


def dashboard_renderer(
    tables: dict,
    rules: dict,
    events: dict,
    *,
    expected_rules: dict | None = None,
    psi_rule: str = "input_psi",
    dpi: int = 72,
):
    """Build a fast ``render`` function for an interactive monitoring panel.

    The figure, axes, ticks and labels are drawn once; each call only moves the lines,
    thresholds and alert markers (matplotlib blitting) and encodes the PNG, so a slider
    re-renders in tens of milliseconds.

    Parameters
    ----------
    tables : dict of (str, int) to pandas.DataFrame
        ``(stream, window_days)`` -> per-window metrics, precomputed for every option.
    rules : dict of str to AlertRule
        Four rules keyed by name; their metrics are the four panels. The rule named
        `psi_rule` takes its threshold from the ``psi_threshold`` control; all take
        ``consecutive`` from the control.
    events : dict of str to StreamEvent or None
        Stream -> event, for the onset line and the detection delay.
    expected_rules : dict of str to sequence of str, optional
        Event name -> the rules meant to detect it (see :func:`alert_summary`); only those
        count as a detection in the headline. None: any alert after the onset counts.
    psi_rule : str, default="input_psi"
        Name of the rule whose threshold the slider sets.
    dpi : int, default=72
        Resolution of the PNG.

    Returns
    -------
    callable
        ``render(stream, window_days, psi_threshold, consecutive)`` returning a markdown
        headline (detection delay, false alarms), an ``IPython.display.Image`` and the alert
        table (pandas.DataFrame).
    """
    import pandas as pd
    from matplotlib.figure import Figure

    from mlkit.widgets import BlitCanvas

    rule_list = list(rules.values())
    n_days = 1 + int(max(t["day_end"].max() for t in tables.values()))
    # Controls only select among precomputed tables: keep their columns as numpy arrays.
    cache = {
        key: {
            "x": (t["day_start"].to_numpy() + t["day_end"].to_numpy() + 1) / 2.0,
            "day_end": t["day_end"].to_numpy(dtype=float),
            **{r.metric: t[r.metric].to_numpy(dtype=float) for r in rule_list},
        }
        for key, t in tables.items()
    }
    fig = Figure(figsize=(11, 5.0), dpi=dpi)
    axes = fig.subplots(2, 2, sharex=True)
    fig.subplots_adjust(left=0.07, right=0.98, top=0.93, bottom=0.1, hspace=0.3, wspace=0.18)
    artists = []
    for ax, rule in zip(axes.flat, rule_list, strict=True):
        vals = np.concatenate([c[rule.metric] for c in cache.values()])
        lo, hi = np.nanmin(vals), np.nanmax(vals)
        if rule.name == psi_rule:
            lo, hi = 0.0, max(hi, 1.0)
        pad = 0.08 * (hi - lo or 1.0)
        ax.set_ylim(lo - pad, hi + pad)
        ax.set_xlim(-0.5, n_days + 0.5)
        ax.set_title(
            f"{rule.node}: {rule.metric}  ({rule.severity}, {rule.direction} threshold)",
            fontsize=10,
        )
        ax.grid(alpha=0.3)
        line = ax.plot([], [], marker="o", ms=3, lw=1.4, color="tab:blue", animated=True)[0]
        thr = ax.axhline(rule.threshold, color="red", ls="--", lw=1, animated=True)
        fired = ax.plot([], [], "v", color="red", ms=8, animated=True)[0]
        onset = ax.axvline(0, color="k", ls=":", lw=1.5, animated=True)
        artists.append((rule, line, thr, fired, onset))
    for ax in axes[-1]:
        ax.set_xlabel("day (dotted: true onset; red triangle: alert fired)")
    # A bare Figure on an Agg canvas: not managed by pyplot, so never drawn twice inline.
    canvas = BlitCanvas(fig)
    columns = ["rule", "node", "severity", "day_end", "alert_day", "value"]

    def render(stream: str, window_days: int, psi_threshold: float, consecutive: int):
        data = cache[(stream, window_days)]
        ev = events.get(stream)
        x = data["x"]
        canvas.restore()
        rows = []
        for rule, line, thr, fired, onset in artists:
            threshold = float(psi_threshold) if rule.name == psi_rule else rule.threshold
            y = data[rule.metric]
            hit = consecutive_breaches(
                y, threshold, direction=rule.direction, consecutive=int(consecutive)
            )
            line.set_data(x, y)
            thr.set_ydata([threshold, threshold])
            fired.set_data(x[hit], y[hit])
            onset.set_xdata([ev.onset_day] * 2 if ev is not None else [-10, -10])
            for artist in (line, thr, fired, onset):
                artist.axes.draw_artist(artist)
            for i in np.flatnonzero(hit):
                end = data["day_end"][i]
                rows.append((rule.name, rule.node, rule.severity, end, end + rule.delay_days, y[i]))
        rows.sort(key=lambda r: (r[4], _SEVERITY_RANK[r[2]]))
        image = canvas.png(mode="RGB")
        if ev is None:
            head = f"**{stream}**: no injected event (control) — false alarms: **{len(rows)}**"
        else:
            before = sum(r[4] < ev.onset_day for r in rows)
            meant = None if expected_rules is None else set(expected_rules.get(ev.name, ()))
            after = [r for r in rows if r[4] >= ev.onset_day and (meant is None or r[0] in meant)]
            found = (
                "**not detected**"
                if not after
                else f"detected by `{after[0][0]}` after **{after[0][4] - ev.onset_day:g} day(s)**"
            )
            head = (
                f"**{stream}**: `{ev.name}` from day {ev.onset_day} — {found}; "
                f"false alarms before the onset: **{before}**"
            )
        head += (
            f"  \n{window_days}-day windows, PSI threshold {psi_threshold:.2f}, "
            f"{consecutive} consecutive window(s). Alert day = window end + label delay."
        )
        table = pd.DataFrame(rows, columns=columns).round(3)
        return head, image, table

    return render
