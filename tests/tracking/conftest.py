from types import SimpleNamespace

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from mlkit import tracking as t


@pytest.fixture
def dataset():
    """A dataset record as log_run takes it: name, sha256 and a lineage."""
    return {"name": "toy", "sha256": "ab" * 32, "lineage": {"steps": [{"name": "make"}]}}


@pytest.fixture(scope="module")
def toy_model():
    X, y = make_classification(n_samples=60, n_features=5, random_state=0)
    return LogisticRegression().fit(X, y), X


@pytest.fixture
def logged_fit(tmp_path, dataset):
    """One fit_log_run on a toy 3-class task whose first 5 training labels were relabelled."""
    X, y = make_classification(
        n_samples=120, n_features=6, n_classes=3, n_informative=4, random_state=0
    )
    tags = np.array(["clean", "car_noise"] * 60)
    train, dev, test = np.arange(60), np.arange(60, 90), np.arange(90, 120)
    y_train = y[train].copy()
    y_train[:5] = (y_train[:5] + 1) % 3  # "relabelled" rows: training labels differ from y
    uri = f"sqlite:///{tmp_path}/mlflow.db"
    recipe = {"name": "toy", "flip": 5}
    model, row = t.fit_log_run(
        "logreg",
        X,
        y,
        train=train,
        y_train=y_train,
        eval_sets={"dev": dev, "test": test},
        tags=tags,
        hyper={"C": 0.5},
        recipe=recipe,
        experiment="e",
        run_name="r",
        dataset=dataset,
        code={"git_commit": None, "git_dirty": None, "mlkit_version": "test"},
        run_tags={"arm": "data"},
        tracking_uri=uri,
    )
    return SimpleNamespace(
        X=X,
        y=y,
        tags=tags,
        train=train,
        dev=dev,
        test=test,
        y_train=y_train,
        uri=uri,
        recipe=recipe,
        model=model,
        row=row,
    )
