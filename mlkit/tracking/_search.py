"""Both arms on one budget: a randomized model search and a data-centric plan that pays for labels.

Serves section 3 of ``notebooks/03b_tracking.ipynb`` and every seed of section 5.
"""

from __future__ import annotations

import math

from mlkit._validation import check_int

__all__ = ["SEARCH_SPACE", "sample_model_configs", "equal_budget_plan"]

#: Model families and hyper-parameter distributions of the model-centric arm's randomized
#: search (:class:`sklearn.model_selection.ParameterSampler` format, one dict per family;
#: ``model`` is a name of :func:`mlkit.modeling.make_model`, the rest its hyper-parameters).
#: Strings stand for scipy distributions, built in :func:`sample_model_configs`. The ranges
#: span a decade or more on each side of :func:`make_model`'s defaults (SVM ``C=10``,
#: ``gamma="scale"``, which is 1/144 = 0.007 for the 144 MFCC features; logistic ``C=1``).
#: Forests are kept small and logistic regression's tolerance loose (as in
#: :func:`mlkit.scoping.quick_model`) so that section 5 can repeat the search cheaply.
SEARCH_SPACE = (
    {"model": ["svm"], "C": "loguniform(1, 1000)", "gamma": "loguniform(0.0001, 0.01)"},
    {"model": ["logreg"], "C": "loguniform(0.01, 10)", "tol": [0.001]},
    {"model": ["random_forest"], "n_estimators": [25, 50], "max_depth": [None, 5, 10]},
    {"model": ["knn"], "n_neighbors": [1, 3, 5, 7, 9], "weights": ["uniform", "distance"]},
)


def _space():
    from scipy.stats import loguniform

    out = []
    for family in SEARCH_SPACE:
        dist = {}
        for key, value in family.items():
            if isinstance(value, str):
                low, high = (float(v) for v in value.removeprefix("loguniform(")[:-1].split(","))
                dist[key] = loguniform(low, high)
            else:
                dist[key] = list(value)
        out.append(dist)
    return out


def _short(value):
    if isinstance(value, float):
        return float(f"{value:.3g}")
    return value


def sample_model_configs(n_runs: int, *, random_state=0) -> list[dict]:
    """Draw the model-centric arm's configurations: a randomized search over families.

    Parameters
    ----------
    n_runs : int
        Configurations to draw (training runs of the arm), at least 1.
    random_state : int, default=0
        Seeds the draw.

    Returns
    -------
    list of dict
        One dict per run: ``run`` (a readable name), ``model`` (a :func:`make_model` name)
        and ``hyper`` (its hyper-parameters, floats rounded to 3 significant digits so the
        record reads well; JSON-friendly).

    Raises
    ------
    TypeError, ValueError
        If `n_runs` is not an int >= 1.

    Notes
    -----
    Randomized search (Bergstra & Bengio 2012, "Random search for hyper-parameter
    optimization", JMLR 13) with :class:`sklearn.model_selection.ParameterSampler`: each draw
    first picks a family of :data:`SEARCH_SPACE` at random, then its hyper-parameters.

    Examples
    --------
    >>> configs = sample_model_configs(3, random_state=0)
    >>> len(configs), sorted(configs[0])
    (3, ['hyper', 'model', 'run'])
    >>> sample_model_configs(3, random_state=0) == configs
    True
    """
    from sklearn.model_selection import ParameterSampler

    n_runs = check_int(n_runs, "n_runs", min_value=1, func="sample_model_configs")
    seed = check_int(random_state, "random_state", min_value=0, func="sample_model_configs")
    out = []
    for i, draw in enumerate(ParameterSampler(_space(), n_iter=n_runs, random_state=seed)):
        hyper = {k: _short(v) for k, v in sorted(draw.items()) if k != "model"}
        shown = " ".join(f"{k}={v}" for k, v in hyper.items())
        out.append(
            {
                "run": f"search {i + 1}: {draw['model']} {shown}",
                "model": draw["model"],
                "hyper": hyper,
            }
        )
    return out


def equal_budget_plan(
    *,
    model: str,
    top_tag: str,
    labeling: dict,
    budget_runs: int = 6,
    relabel_per_run: int = 20,
    random_state=0,
) -> list[dict]:
    """Plan both arms on the same budget, counted in training runs.

    The model-centric arm spends the whole budget on training runs: `budget_runs`
    configurations of a randomized search (:func:`sample_model_configs`), each trained on
    the labels as collected. The data-centric arm keeps `model` and trains the three
    recipes that change the data (:data:`mlkit.modeling.RECIPES` after ``as_collected``),
    and spends the rest of the budget on labelling by the team at the exchange rate
    `relabel_per_run` clips per training run: ``label_budget = (budget_runs - 3) *
    relabel_per_run`` clips, relabelled or new (:func:`mlkit.modeling.make_recipes`).
    Each of its runs carries a third of the labelling cost, so both arms' ``cost`` adds
    up to `budget_runs`.

    Parameters
    ----------
    model : str
        The data-centric arm's fixed model (a :func:`mlkit.modeling.make_model` name).
    top_tag : str
        The tag the error analysis named: relabelled first, new clips added.
    labeling : dict
        The other recipe parameters of :func:`mlkit.modeling.make_recipes`
        (``pool_share``, ``n_labelers``, ``random_state``).
    budget_runs : int, default=6
        Budget of each arm in training runs, at least 4 (three data-centric runs and some
        labelling).
    relabel_per_run : int, default=20
        Exchange rate: clips the team can label for the price of one training run, >= 1.
    random_state : int, default=0
        Seeds the model search.

    Returns
    -------
    list of dict
        One dict per training run: ``arm``, ``run``, ``model``, ``hyper``, ``recipe`` (the
        keyword arguments of :func:`mlkit.modeling.build_recipe`) and ``cost`` (in
        training runs).

    Raises
    ------
    TypeError, ValueError
        If `budget_runs` < 4 or `relabel_per_run` < 1.

    Examples
    --------
    >>> plan = equal_budget_plan(model="svm", top_tag="car_noise", labeling={}, budget_runs=5,
    ...                          relabel_per_run=10)
    >>> [p["arm"] for p in plan].count("model-centric"), plan[-1]["recipe"]["label_budget"]
    (5, 20)
    >>> sum(p["cost"] for p in plan if p["arm"] == "data-centric")
    5.0
    """
    from mlkit.modeling import RECIPES

    func = "equal_budget_plan"
    budget = check_int(budget_runs, "budget_runs", min_value=4, func=func)
    rate = check_int(relabel_per_run, "relabel_per_run", min_value=1, func=func)
    data_runs = len(RECIPES) - 1
    label_budget = (budget - data_runs) * rate
    as_collected = {"name": "as_collected", **labeling}
    plan = [
        {"arm": "model-centric", **c, "recipe": as_collected, "cost": 1.0}
        for c in sample_model_configs(budget, random_state=random_state)
    ]
    names = {
        "relabelled": "relabel",
        "top_tag_data": f"+ new {top_tag} clips",
        "relabelled+top_tag_data": f"relabel + new {top_tag} clips",
    }
    for recipe in RECIPES[1:]:
        plan.append(
            {
                "arm": "data-centric",
                "run": names[recipe],
                "model": model,
                "hyper": {},
                "recipe": {
                    "name": recipe,
                    "top_tag": top_tag,
                    "label_budget": label_budget,
                    **labeling,
                },
                "cost": 1.0 + (budget - data_runs) / data_runs,
            }
        )
    assert math.isclose(sum(p["cost"] for p in plan if p["arm"] == "data-centric"), budget)
    return plan
