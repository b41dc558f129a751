"""Schema validation for the production pipeline (section 7).

In production, requests arrive with the wrong sample rate, integer samples, NaNs, silence,
stereo or absurd lengths; :class:`ClipValidator` rejects such rows with a reason.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from mlkit._validation import check_float, check_int, check_random_state
from mlkit.audio import clip_problem

__all__ = [
    "validate_clips",
    "ClipValidator",
    "make_validated_pipeline",
    "inject_schema_errors",
    "rejection_table",
]

_CHECKS = ("shape", "dtype", "sample_rate", "finite", "duration", "silence")


def _rows(X):
    """Return (clips, sample rates or None) from a DataFrame with a 'clip' column or a sequence."""
    import pandas as pd

    if isinstance(X, pd.DataFrame):
        if "clip" not in X.columns:
            raise ValueError(
                "validate_clips needs a DataFrame with a 'clip' column (and optionally "
                f"'sample_rate_hz'), or a sequence of clips. Got columns {list(X.columns)}."
            )
        rates = X["sample_rate_hz"].to_numpy() if "sample_rate_hz" in X.columns else None
        return list(X["clip"]), rates
    if isinstance(X, np.ndarray) and X.dtype != object:
        raise ValueError(
            "validate_clips expects a sequence of clips. Got a single array of shape "
            f"{X.shape} instead. Wrap it in a list: validate_clips([clip])."
        )
    return list(X), None


def validate_clips(
    X,
    *,
    sample_rate_hz: int = 8000,
    min_duration_s: float = 0.1,
    max_duration_s: float = 3.0,
    silence_rms_dbfs: float = -60.0,
):
    """Check every clip against the input schema and give the reason for each rejection.

    Parameters
    ----------
    X : pandas.DataFrame or sequence of ndarray
        A DataFrame with a ``clip`` column (and optionally ``sample_rate_hz``, the rate each
        clip claims), or a sequence of clips (their rate is then taken on trust).
    sample_rate_hz : int, default=8000
        The rate the model expects, in Hz.
    min_duration_s, max_duration_s : float, default=0.1, 3.0
        Accepted duration range, in s (spoken digits last 0.15-2.3 s in FSDD).
    silence_rms_dbfs : float, default=-60.0
        Clips whose RMS level is below this, in dB relative to full scale, count as silent
        (FSDD's quietest real recordings sit near -53 dBFS).

    Returns
    -------
    pandas.DataFrame of shape (n_rows, 3)
        ``ok`` (bool), ``check`` (the first failed check: one of shape, dtype, sample_rate,
        finite, duration, silence; ``""`` when ok) and ``reason`` (a sentence).

    Raises
    ------
    ValueError
        If `X` is a single array or a DataFrame without a ``clip`` column.

    Examples
    --------
    >>> ok = np.full(4000, 0.1, dtype=np.float32)
    >>> validate_clips([ok, ok.astype(np.int16), np.zeros(4000, np.float32)])["check"].tolist()
    ['', 'dtype', 'silence']
    """
    import pandas as pd

    sr = check_int(sample_rate_hz, "sample_rate_hz", min_value=1, func="validate_clips")
    lo = check_float(min_duration_s, "min_duration_s", low=0.0, func="validate_clips")
    hi = check_float(max_duration_s, "max_duration_s", low=lo, func="validate_clips")
    silence = check_float(silence_rms_dbfs, "silence_rms_dbfs", func="validate_clips")
    clips, rates = _rows(X)
    found = [
        clip_problem(
            c,
            rate=None if rates is None else rates[i],
            sample_rate_hz=sr,
            min_duration_s=lo,
            max_duration_s=hi,
            silence_rms_dbfs=silence,
        )
        for i, c in enumerate(clips)
    ]
    checks = [f[0] for f in found]
    return pd.DataFrame(
        {"ok": [c == "" for c in checks], "check": checks, "reason": [f[1] for f in found]},
        index=X.index if isinstance(X, pd.DataFrame) else None,
    )


class ClipValidator(TransformerMixin, BaseEstimator):
    """Pipeline step that passes on the clips that meet the input schema and rejects the rest.

    Parameters
    ----------
    sample_rate_hz : int, default=8000
        Expected rate, in Hz.
    min_duration_s, max_duration_s : float, default=0.1, 3.0
        Accepted duration range, in s.
    silence_rms_dbfs : float, default=-60.0
        Silence threshold, in dBFS.

    Attributes
    ----------
    report_ : pandas.DataFrame
        :func:`validate_clips` of the last `transform` call: ``ok``, ``check``, ``reason``.
    n_rejected_ : int
        Rows rejected by the last `transform` call.

    Notes
    -----
    `fit` refuses training data with invalid rows (a pipeline cannot drop rows of `X`
    without dropping the matching `y`): clean training data with :func:`validate_clips`
    first. `transform` (at prediction time) drops invalid rows, so predictions cover the
    rows with ``report_["ok"]``.

    Examples
    --------
    >>> v = ClipValidator()
    >>> ok = np.full(4000, 0.1, dtype=np.float32)
    >>> len(v.fit_transform([ok, ok])), len(v.transform([ok, ok[:10]])), v.n_rejected_
    (2, 1, 1)
    """

    def __init__(
        self, sample_rate_hz=8000, min_duration_s=0.1, max_duration_s=3.0, silence_rms_dbfs=-60.0
    ):
        self.sample_rate_hz = sample_rate_hz
        self.min_duration_s = min_duration_s
        self.max_duration_s = max_duration_s
        self.silence_rms_dbfs = silence_rms_dbfs

    def _validate(self, X):
        return validate_clips(
            X,
            sample_rate_hz=self.sample_rate_hz,
            min_duration_s=self.min_duration_s,
            max_duration_s=self.max_duration_s,
            silence_rms_dbfs=self.silence_rms_dbfs,
        )

    def fit(self, X, y=None):
        """Check that every training clip meets the schema and return self.

        Raises
        ------
        ValueError
            If any row is invalid; the message counts the rows per failed check.
        """
        report = self._validate(X)
        if not report["ok"].all():
            counts = report.loc[~report["ok"], "check"].value_counts().to_dict()
            raise ValueError(
                f"ClipValidator.fit got {int((~report['ok']).sum())} invalid training rows "
                f"{counts}. Drop them first: keep the rows where validate_clips(X)['ok'] is True."
            )
        self.report_ = report
        self.n_rejected_ = 0
        return self

    def transform(self, X):
        """Return the valid clips (a list of float32 arrays) and record the rejected ones."""
        report = self._validate(X)
        clips, _ = _rows(X)
        self.report_ = report
        self.n_rejected_ = int((~report["ok"]).sum())
        return [c for c, ok in zip(clips, report["ok"], strict=True) if ok]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.input_tags.two_d_array = False
        return tags


def make_validated_pipeline(*, sample_rate_hz: int = 8000, estimator=None, **schema):
    """Return validate -> MFCC features -> scale -> classify as one scikit-learn Pipeline.

    Parameters
    ----------
    sample_rate_hz : int, default=8000
        Rate the clips must have, in Hz.
    estimator : scikit-learn classifier, optional
        Default ``LogisticRegression(C=0.5, solver="newton-cg")``.
    **schema
        ``min_duration_s``, ``max_duration_s``, ``silence_rms_dbfs`` for :class:`ClipValidator`.

    Returns
    -------
    sklearn.pipeline.Pipeline
        Steps ``validate``, ``features``, ``scale``, ``classify``.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    from mlkit.features import MFCCFeatures

    return Pipeline(
        [
            ("validate", ClipValidator(sample_rate_hz=sample_rate_hz, **schema)),
            ("features", MFCCFeatures(sample_rate_hz=sample_rate_hz)),
            ("scale", StandardScaler()),
            (
                "classify",
                estimator
                if estimator is not None
                else LogisticRegression(max_iter=300, C=0.5, solver="newton-cg"),
            ),
        ]
    )


def inject_schema_errors(clips, *, sample_rate_hz: int = 8000, n_per_kind: int = 2, random_state=0):
    """Return a production-like batch: valid clips plus corrupted copies of some of them.

    Parameters
    ----------
    clips : sequence of ndarray of shape (n_samples_i,)
        Valid float32 clips at `sample_rate_hz`.
    sample_rate_hz : int, default=8000
        Their rate, in Hz.
    n_per_kind : int, default=2
        Corrupted rows per kind: ``sample_rate`` (resampled to 16 kHz and labelled so),
        ``dtype`` (int16 PCM), ``finite`` (NaN samples), ``duration`` (cut to 20 ms, or
        looped to 5 s), ``silence`` (all zeros), ``shape`` (stereo).
    random_state : int, numpy.random.Generator or None, default=0
        Seeds which clips are corrupted and the row order.

    Returns
    -------
    pandas.DataFrame
        Columns ``clip``, ``sample_rate_hz``, ``source`` (position in `clips`) and
        ``injected`` (the kind of corruption, ``""`` for a valid row), rows shuffled.

    Raises
    ------
    ValueError
        If `clips` is empty.
    """
    import pandas as pd

    from mlkit.audio import resample

    if len(clips) == 0:
        raise ValueError("inject_schema_errors needs at least one clip. Got none.")
    k = check_int(n_per_kind, "n_per_kind", min_value=0, func="inject_schema_errors")
    rng = check_random_state(random_state)
    rows = [
        {"clip": c, "sample_rate_hz": sample_rate_hz, "source": i, "injected": ""}
        for i, c in enumerate(clips)
    ]
    for kind in _CHECKS:
        for j in range(k):
            i = int(rng.integers(len(clips)))
            c = np.asarray(clips[i], dtype=np.float32)
            rate = sample_rate_hz
            if kind == "sample_rate":
                c, rate = resample(c, sample_rate_hz, 2 * sample_rate_hz), 2 * sample_rate_hz
            elif kind == "dtype":
                c = np.round(c * 32767).astype(np.int16)
            elif kind == "finite":
                c = c.copy()
                c[rng.integers(c.size, size=5)] = np.nan
            elif kind == "duration":
                c = (
                    c[: int(0.02 * sample_rate_hz)]
                    if j % 2 == 0
                    else np.resize(c, 5 * sample_rate_hz)
                )
            elif kind == "silence":
                c = np.zeros_like(c)
            elif kind == "shape":
                c = np.stack([c, c], axis=1)
            rows.append({"clip": c, "sample_rate_hz": rate, "source": i, "injected": kind})
    batch = pd.DataFrame(rows)
    return batch.iloc[rng.permutation(len(batch))].reset_index(drop=True)


def rejection_table(batch, report):
    """Cross-tabulate injected problems against the check that rejected each row.

    Parameters
    ----------
    batch : pandas.DataFrame of shape (n_rows, ...)
        As from :func:`inject_schema_errors` (it needs the ``injected`` column).
    report : pandas.DataFrame of shape (n_rows, 3)
        As from :func:`validate_clips` or ``ClipValidator.report_`` on that batch.

    Returns
    -------
    pandas.DataFrame
        Rows: the injected kind (``"(none)"`` for valid rows); columns: the first failed
        check (``"accepted"`` for rows that passed); values: row counts.

    Raises
    ------
    ValueError
        If the lengths differ.

    Examples
    --------
    >>> ok = np.full(4000, 0.1, dtype=np.float32)
    >>> batch = inject_schema_errors([ok], n_per_kind=1)
    >>> int(rejection_table(batch, validate_clips(batch)).loc["(none)", "accepted"])
    1
    """
    import pandas as pd

    from mlkit._validation import check_same_length

    check_same_length("rejection_table", batch=batch, report=report)
    return pd.crosstab(
        batch["injected"].replace("", "(none)"), report["check"].replace("", "accepted")
    )
