"""The one place that decides "which model": every phase builds its classifiers here.

Shared layer: imports no phase module. Phase modules re-export the public names
(:func:`mlkit.modeling.make_model`, :data:`mlkit.modeling.MODELS`,
:func:`mlkit.scoping.quick_model`).
"""

from __future__ import annotations

import numbers

from mlkit._validation import check_int, check_one_of

__all__ = [
    "MODELS",
    "MODEL_OF_SIZE",
    "make_model",
    "quick_model",
    "labeling_model",
    "model_of_size",
]

MODELS = (
    "svm",
    "logreg",
    "random_forest",
    "knn",
    "nearest_centroid",
    "quick_and_dirty",
)
"""Model names understood by :func:`make_model`."""

MODEL_OF_SIZE = {"small": "quick_and_dirty", "large": "svm"}
"""Model sizes: ``small`` is ``make_model("quick_and_dirty")``, logistic regression on the 13 MFCC
means (high bias); ``large`` is ``make_model("svm")``, an RBF SVM on all MFCC features (low bias)."""

_MEAN_MFCC_COLUMNS = 13  # the first 13 columns of mlkit.features.mfcc_features: MFCC means


def make_model(name: str = "svm", *, random_state: int = 0, **params):
    """Build an unfitted scikit-learn model for MFCC features (or any numeric table).

    Parameters
    ----------
    name : {"svm", "logreg", "random_forest", "knn", "nearest_centroid", "quick_and_dirty"}
        ``"svm"``: standardise + RBF support-vector classifier (`C`, `gamma`).
        ``"logreg"``: standardise + logistic regression (`C`).
        ``"random_forest"``: random forest (`n_estimators`, `max_depth`).
        ``"knn"``: standardise + k nearest neighbours (`n_neighbors`).
        ``"nearest_centroid"``: the "older system", template matching against one mean
        template per digit in standardised MFCC space.
        ``"quick_and_dirty"``: logistic regression on the 13 mean MFCCs only, what one writes
        in an afternoon.
    random_state : int, default=0
        Seed for models that are random.
    **params
        Hyper-parameters of the final estimator, overriding the defaults (for example
        ``C=10``; for ``"logreg"`` also ``tol``, ``solver``, ``max_iter``, ``class_weight``).
        JSON-friendly, so a tracked run can be rebuilt from its record.

    Returns
    -------
    sklearn.pipeline.Pipeline or estimator
        Unfitted.

    Raises
    ------
    ValueError
        If `name` is unknown.
    TypeError
        If a hyper-parameter is not accepted by the estimator.

    Examples
    --------
    >>> make_model("logreg", C=0.5).steps[-1][1].C
    0.5
    >>> clf = make_model("logreg", C=0.02, tol=1e-3, solver="newton-cg", max_iter=300)
    >>> clf.steps[-1][1].get_params()["solver"], clf.steps[-1][1].tol
    ('newton-cg', 0.001)
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier, NearestCentroid
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    check_one_of(name, "name", set(MODELS), func="make_model")
    seed = check_int(random_state, "random_state", min_value=0, func="make_model")
    builders = {
        "svm": lambda: SVC(**{"C": 10.0, "gamma": "scale", **params}),
        "logreg": lambda: LogisticRegression(**{"C": 1.0, "max_iter": 2000, **params}),
        "random_forest": lambda: RandomForestClassifier(
            **{"n_estimators": 200, "random_state": seed, "n_jobs": 1, **params}
        ),
        "knn": lambda: KNeighborsClassifier(**{"n_neighbors": 5, **params}),
        "nearest_centroid": lambda: NearestCentroid(**params),
        "quick_and_dirty": lambda: LogisticRegression(**{"max_iter": 2000, **params}),
    }
    try:
        est = builders[name]()
    except TypeError as exc:
        raise TypeError(
            f"make_model({name!r}) got a hyper-parameter its estimator does not take: {exc}."
        ) from exc
    if name == "random_forest":
        return Pipeline([("clf", est)])
    steps = [("scale", StandardScaler()), ("clf", est)]
    if name == "quick_and_dirty":
        select = ColumnTransformer(
            [("mfcc_means", "passthrough", list(range(_MEAN_MFCC_COLUMNS)))], remainder="drop"
        )
        steps.insert(0, ("select", select))
    return Pipeline(steps)


def quick_model(*, random_state=0):
    """Return the quick baseline used for scoping: standardised features + logistic regression.

    Parameters
    ----------
    random_state : int, default=0
        Seed of the solver (the lbfgs solver is deterministic; kept for the API contract).

    Returns
    -------
    sklearn.pipeline.Pipeline
        :func:`make_model` ``("logreg", tol=1e-3, max_iter=2000)``: ``StandardScaler`` then
        ``LogisticRegression``; input: a feature matrix such as
        :func:`mlkit.features.mfcc_features`. The loose tolerance halves the fit time on
        small sets at no measurable cost in accuracy.

    Notes
    -----
    Scoping needs a model that trains in seconds, not the best model: its learning curve
    and errors tell whether the project is feasible (Ng, "Machine Learning Yearning", ch. 13:
    build your first system quickly, then iterate).

    Examples
    --------
    >>> quick_model().steps[-1][1].tol
    0.001
    """
    seed = random_state if isinstance(random_state, numbers.Integral) else 0
    return make_model("logreg", tol=1e-3, max_iter=2000, random_state=seed)


def labeling_model(C: float = 0.5):
    """Return the data phase's classifier: :func:`make_model` ``("logreg")`` with newton-cg.

    Parameters
    ----------
    C : float, default=0.5
        Inverse regularisation strength (> 0).

    Returns
    -------
    sklearn.pipeline.Pipeline
        Unfitted ``StandardScaler`` + ``LogisticRegression(C, max_iter=300, solver="newton-cg")``.

    Examples
    --------
    >>> labeling_model(0.02).steps[-1][1].C
    0.02
    """
    return make_model("logreg", C=C, max_iter=300, solver="newton-cg")


def model_of_size(size: str, *, random_state=0):
    """Return the model of one size (:data:`MODEL_OF_SIZE`), unfitted.

    Parameters
    ----------
    size : {"small", "large"}
        ``"small"``: ``make_model("quick_and_dirty")``; ``"large"``: ``make_model("svm")``.
    random_state : int, default=0
        Seed for models that are random.

    Returns
    -------
    sklearn.pipeline.Pipeline

    Raises
    ------
    ValueError
        If `size` is unknown.

    Examples
    --------
    >>> model_of_size("large").steps[-1][0]
    'clf'
    """
    check_one_of(size, "size", tuple(MODEL_OF_SIZE), func="model_of_size")
    return make_model(MODEL_OF_SIZE[size], random_state=random_state)
