import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression


@pytest.fixture
def dataset():
    """A dataset record as log_run takes it: name, sha256 and a lineage."""
    return {"name": "toy", "sha256": "ab" * 32, "lineage": {"steps": [{"name": "make"}]}}


@pytest.fixture(scope="module")
def toy_model():
    X, y = make_classification(n_samples=60, n_features=5, random_state=0)
    return LogisticRegression().fit(X, y), X
