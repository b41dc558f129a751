"""Drift statistics: KS, chi-square, JS distance, the no-drift PSI level, the DriftMonitor.

Serves the notebook section "Drift statistics: PSI, KS, chi-square, JS distance". PSI itself and
its binning helpers live in :mod:`mlkit._stats` (shared with deployment's gates);
:func:`mlkit.monitoring.psi` re-exports it.
"""

from __future__ import annotations

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
from mlkit._validation import check_float, check_int, check_one_of

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "PSI_RULE_OF_THUMB",
    "DriftMonitor",
    "chi2_test",
    "count_rejections",
    "describe_window_drift",
    "expected_null_psi",
    "js_distance",
    "ks_test",
    "plot_drift_heatmap",
    "psi",
]

PSI_RULE_OF_THUMB = {"moderate": 0.1, "significant": 0.25}
"""PSI levels of the credit-scoring rule of thumb (Siddiqi 2006; Yurdakul 2018):
below 0.1 no significant shift, 0.1-0.25 moderate, above 0.25 significant."""


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
            from mlkit.errors import NotFittedError

            raise NotFittedError(
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

        Raises
        ------
        mlkit.errors.NotFittedError
            If the monitor is not fitted.
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

        Raises
        ------
        mlkit.errors.NotFittedError
            If the monitor is not fitted.
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
        mlkit.errors.NotFittedError
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

        Raises
        ------
        mlkit.errors.NotFittedError
            If the monitor is not fitted.

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


def describe_window_drift(
    scores: pd.DataFrame,
    *,
    n_reference: int,
    n_current: int,
    n_bins: int = 10,
    psi_threshold: float = PSI_RULE_OF_THUMB["significant"],
    when: str = "the day after the onset",
) -> str:
    """Say, as Markdown, which features of one window moved beyond a PSI threshold.

    Parameters
    ----------
    scores : pandas.DataFrame
        One window's scores from :meth:`DriftMonitor.score` (indexed by feature, with ``psi``).
    n_reference : int
        Reference rows the monitor was fitted on (>= 1).
    n_current : int
        Rows in the scored window (>= 1).
    n_bins : int, default=10
        Bins of the monitor, for the no-drift PSI level (:func:`expected_null_psi`).
    psi_threshold : float, default=0.25
        PSI beyond which a feature counts as moved.
    when : str, default="the day after the onset"
        Which window `scores` describes, as the sentence names it.

    Returns
    -------
    str
        The expected PSI under no drift for a window of this size, then the features beyond
        and below `psi_threshold`.

    Raises
    ------
    ValueError
        If a sample size or `n_bins` is out of range.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"psi": [0.9, 0.02]}, index=["spectral_centroid_hz", "duration_s"])
    >>> print(describe_window_drift(s, n_reference=3000, n_current=200, n_bins=5))
    Expected PSI under no drift for one day (n=200): 0.021. Beyond PSI 0.25 the day after the \
onset: **spectral_centroid_hz**; below it: duration_s.
    """
    moved = scores.index[scores["psi"] > psi_threshold].tolist()
    null = expected_null_psi(n_reference, n_current, n_bins=n_bins)
    below = ", ".join(scores.index.difference(moved))
    return (
        f"Expected PSI under no drift for one day (n={n_current}): {null:.3f}. "
        f"Beyond PSI {psi_threshold} {when}: **{', '.join(moved) or 'none'}**; below it: {below}."
    )


def count_rejections(
    scores: dict,
    *,
    alpha: float = 0.05,
    psi_threshold: float = PSI_RULE_OF_THUMB["significant"],
) -> pd.DataFrame:
    """Count, per stream, the tests that reject with raw and Benjamini-Hochberg p-values.

    Parameters
    ----------
    scores : dict of str to pandas.DataFrame
        Stream name -> :meth:`DriftMonitor.score_windows` output (``p_value``, ``p_adjusted``,
        ``psi``; one row per window x feature).
    alpha : float, default=0.05
        Significance level (raw) and false discovery rate (adjusted), in (0, 1).
    psi_threshold : float, default=0.25
        PSI level counted as a drift.

    Returns
    -------
    pandas.DataFrame
        One row per stream: ``tests``, ``p < alpha (raw)``, ``p < alpha (BH-adjusted)`` and
        ``PSI > psi_threshold`` counts.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"p_value": [0.01, 0.2], "p_adjusted": [0.02, 0.2], "psi": [0.3, 0.0]})
    >>> count_rejections({"control": s}).loc["control"].tolist()
    [2, 1, 1, 1]
    """
    import pandas as pd

    alpha = check_float(
        alpha, "alpha", low=0.0, high=1.0, inclusive=(False, False), func="count_rejections"
    )
    return pd.DataFrame(
        {
            name: {
                "tests": len(s),
                f"p < {alpha:g} (raw)": int((s["p_value"] < alpha).sum()),
                f"p < {alpha:g} (BH-adjusted)": int((s["p_adjusted"] < alpha).sum()),
                f"PSI > {psi_threshold:g}": int((s["psi"] > psi_threshold).sum()),
            }
            for name, s in scores.items()
        }
    ).T


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
