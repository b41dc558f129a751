"""An engineered feature or more rows (mlkit/modeling/_features_vs_rows.py)."""

import numpy as np
import pytest
from sklearn.datasets import make_classification

from mlkit import modeling as m


def test_feature_vs_rows_measures_both_arms():
    X, y = make_classification(
        n_samples=300,
        n_features=4,
        n_informative=2,
        n_redundant=0,
        weights=[0.85],
        shuffle=False,
        random_state=0,
    )
    strong = X[:, 0] * X[:, 1]
    t = m.feature_vs_rows(X[:, 2:], y, X[:, :2], n_repeats=4, random_state=0)
    assert t.index.tolist() == ["baseline", "+ engineered feature", "+ more rows"]
    assert t.loc["baseline", "gain"] == 0.0
    assert t.loc["+ engineered feature", "gain"] > 0.1  # the informative columns help a lot
    assert t.loc["+ more rows", "n_train_rows"] > t.loc["baseline", "n_train_rows"]
    assert t.loc["+ engineered feature", "n_features"] == 4
    with pytest.raises(ValueError, match="same length"):
        m.feature_vs_rows(X, y, strong[:10])
    with pytest.raises(ValueError, match="both classes"):
        m.feature_vs_rows(X, np.zeros(300, dtype=int), strong)


def test_rare_class_mean_features_are_columns_of_the_rare_class_table():
    from mlkit.datasets import load_rare_class

    cols = list(m.RARE_CLASS_MEAN_FEATURES)
    assert len(cols) == 5 and all(c.startswith("mean ") for c in cols)
    assert set(cols) <= set(load_rare_class().X.columns)
