"""An engineered feature or more rows: which helps more, on held-out PR-AUC.

Serves the "An engineered feature or more rows?" section of 03_modeling.
"""

from __future__ import annotations

import numpy as np

from mlkit._validation import check_float, check_int, check_random_state, check_same_length
from mlkit.modeling._checks import _check_binary

RARE_CLASS_MEAN_FEATURES = (
    "mean radius",
    "mean texture",
    "mean smoothness",
    "mean symmetry",
    "mean fractal dimension",
)
"""Five "mean" columns of the rare-class table: the starting features of the comparison."""


def feature_vs_rows(
    X,
    y,
    engineered,
    *,
    estimator=None,
    base_fraction: float = 0.5,
    test_size: float = 0.3,
    n_repeats: int = 20,
    random_state=0,
):
    """Measure whether an engineered feature or more rows helps more (PR-AUC on held-out data).

    Each repeat draws a stratified train/test split, then a stratified `base_fraction` of the
    training rows. Three models are scored on the same test rows:

    * ``baseline``: the base rows, the original features;
    * ``+ engineered feature``: the base rows, the features plus `engineered`;
    * ``+ more rows``: all training rows (1 / `base_fraction` times as many), original features.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Original features.
    y : array-like of shape (n_samples,)
        0/1 labels, both classes present.
    engineered : array-like of shape (n_samples,) or (n_samples, k)
        The engineered feature column(s).
    estimator : estimator, optional
        Model with ``predict_proba``; default standardised logistic regression.
    base_fraction : float, default=0.5
        Share of the training rows available without collecting more, in (0, 1).
    test_size : float, default=0.3
        Held-out share per repeat, in (0, 1).
    n_repeats : int, default=20
        Repeats; the mean and standard deviation over them are reported.
    random_state : int or numpy.random.Generator, default=0
        Seeds the splits.

    Returns
    -------
    pandas.DataFrame
        Index: arm. Columns ``pr_auc_mean``, ``pr_auc_std``, ``gain`` (mean over
        baseline), ``n_train_rows``, ``n_features``.

    Raises
    ------
    ValueError
        For single-class `y`, mismatched lengths or shares outside (0, 1).
    """
    import pandas as pd
    from sklearn.base import clone
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import average_precision_score
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    func = "feature_vs_rows"
    X = np.asarray(X, dtype=np.float64)
    eng = np.asarray(engineered, dtype=np.float64)
    eng = eng.reshape(len(eng), -1)
    y = _check_binary(y, func)
    check_same_length(func, X=X, y=y, engineered=eng)
    base_fraction = check_float(
        base_fraction, "base_fraction", low=0, high=1, inclusive=(False, False), func=func
    )
    test_size = check_float(
        test_size, "test_size", low=0, high=1, inclusive=(False, False), func=func
    )
    n_repeats = check_int(n_repeats, "n_repeats", min_value=1, func=func)
    rng = check_random_state(random_state)
    if estimator is None:
        estimator = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    X_eng = np.hstack([X, eng])
    scores = {"baseline": [], "+ engineered feature": [], "+ more rows": []}
    sizes = {}
    for _ in range(n_repeats):
        seed = int(rng.integers(0, 2**31 - 1))
        train, test = train_test_split(
            np.arange(len(y)), test_size=test_size, stratify=y, random_state=seed
        )
        base, _ = train_test_split(
            train, train_size=base_fraction, stratify=y[train], random_state=seed
        )
        arms = {
            "baseline": (X, base),
            "+ engineered feature": (X_eng, base),
            "+ more rows": (X, train),
        }
        for arm, (features, rows) in arms.items():
            model = clone(estimator).fit(features[rows], y[rows])
            s = model.predict_proba(features[test])[:, 1]
            scores[arm].append(average_precision_score(y[test], s))
            sizes[arm] = (len(rows), features.shape[1])
    out = pd.DataFrame(
        {
            "pr_auc_mean": {k: float(np.mean(v)) for k, v in scores.items()},
            "pr_auc_std": {k: float(np.std(v)) for k, v in scores.items()},
        }
    )
    out["gain"] = out["pr_auc_mean"] - out.loc["baseline", "pr_auc_mean"]
    out["n_train_rows"] = [sizes[k][0] for k in out.index]
    out["n_features"] = [sizes[k][1] for k in out.index]
    out.index.name = "arm"
    return out
