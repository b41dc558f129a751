"""The ML Test Score rubric: 28 tests in four groups of seven, and the paper's scoring.

Serves "The rubric" of ``notebooks/07_production_readiness.ipynb``.

Source: E. Breck, S. Cai, E. Nielsen, M. Salib, D. Sculley, "The ML Test Score: A Rubric for
ML Production Readiness and Technical Debt Reduction", IEEE International Conference on Big
Data, 2017. The test titles below are the paper's section headings ("Data 1: ...",
"Model 1: ...", "Infra 1: ...", "Monitor 1: ..."), quoted; the one-line ``asks`` next to each is
this kit's summary of the paper's "How?" paragraph, not a quotation.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "GROUPS",
    "GROUP_TITLES",
    "SCORE_LEVELS",
    "INTERPRETATION",
    "RubricTest",
    "RUBRIC",
    "rubric_table",
    "interpret_score",
]

GROUPS = ("data", "model", "infrastructure", "monitoring")
"""The four groups, in the paper's order."""

GROUP_TITLES = {
    "data": "Tests for Features and Data",
    "model": "Tests for Model Development",
    "infrastructure": "Tests for ML Infrastructure",
    "monitoring": "Monitoring Tests for ML",
}
"""The paper's section title of each group."""

SCORE_LEVELS = {
    0.0: "not done",
    0.5: "done manually, with the results documented and distributed",
    1.0: "done automatically, on a repeated basis",
}
"""Points per test (the paper's "Computing an ML Test Score")."""

INTERPRETATION = (
    (0.0, 0.0, "More of a research project than a productionized system."),
    (
        0.0,
        1.0,
        "Not totally untested, but it is worth considering the possibility of serious holes "
        "in reliability.",
    ),
    (
        1.0,
        2.0,
        "There's been first pass at basic productionization, but additional investment may be "
        "needed.",
    ),
    (
        2.0,
        3.0,
        "Reasonably tested, but it's possible that more of those tests and procedures may be "
        "automated.",
    ),
    (
        3.0,
        5.0,
        "Strong levels of automated testing and monitoring, appropriate for "
        "mission-critical systems.",
    ),
    (5.0, 7.0, "Exceptional levels of automated testing and monitoring."),
)
"""The paper's table for interpreting a final score: (low, high, text); a range is (low, high]."""


@dataclass(frozen=True)
class RubricTest:
    """One test of the rubric.

    Attributes
    ----------
    test_id : str
        ``"Data 1"`` .. ``"Monitor 7"``, as the paper numbers them.
    group : str
        One of :data:`GROUPS`.
    title : str
        The paper's heading, quoted.
    asks : str
        What the paper asks for, in one line (this kit's summary).
    """

    test_id: str
    group: str
    title: str
    asks: str

    @property
    def key(self) -> str:
        """Return the metric-friendly key, for example ``"data_1"``."""
        prefix = {
            "data": "data",
            "model": "model",
            "infrastructure": "infra",
            "monitoring": "monitor",
        }[self.group]
        return f"{prefix}_{self.test_id.split()[-1]}"


def _t(test_id: str, group: str, title: str, asks: str) -> RubricTest:
    return RubricTest(test_id=test_id, group=group, title=title, asks=asks)


RUBRIC = (
    _t(
        "Data 1",
        "data",
        "Feature expectations are captured in a schema",
        "encode each feature's expected range or values in a schema and check data against it",
    ),
    _t(
        "Data 2",
        "data",
        "All features are beneficial",
        "test each feature's relation to the target (and to other features); drop useless ones",
    ),
    _t(
        "Data 3",
        "data",
        "No feature's cost is too much",
        "measure each feature's cost in latency, RAM, upstream dependencies and instability",
    ),
    _t(
        "Data 4",
        "data",
        "Features adhere to meta-level requirements",
        "check that no feature barred from use (for example personal data) enters the model",
    ),
    _t(
        "Data 5",
        "data",
        "The data pipeline has appropriate privacy controls",
        "check access, retention and handling of user data through the whole pipeline",
    ),
    _t(
        "Data 6",
        "data",
        "New features can be added quickly",
        "measure the calendar time from a feature idea to the feature in the production model",
    ),
    _t(
        "Data 7",
        "data",
        "All input feature code is tested",
        "unit test the code that creates features, in training and in serving",
    ),
    _t(
        "Model 1",
        "model",
        "Every model specification undergoes a code review and is checked in to a repository",
        "the code that defines and trains a model is reviewed and versioned",
    ),
    _t(
        "Model 2",
        "model",
        "Offline proxy metrics correlate with actual online impact metrics",
        "measure how offline metrics move the metrics users and the business feel",
    ),
    _t(
        "Model 3",
        "model",
        "All hyperparameters have been tuned",
        "search every tunable hyperparameter (grid, random or Bayesian search)",
    ),
    _t(
        "Model 4",
        "model",
        "The impact of model staleness is known",
        "measure how quality decays when the model is not retrained",
    ),
    _t(
        "Model 5",
        "model",
        "A simpler model is not better",
        "compare the model with a simple baseline on the same data",
    ),
    _t(
        "Model 6",
        "model",
        "Model quality is sufficient on all important data slices",
        "report quality per important slice, not only on average",
    ),
    _t(
        "Model 7",
        "model",
        "The model has been tested for considerations of inclusion",
        "slice quality by user groups and check inputs for proxies of protected groups",
    ),
    _t(
        "Infra 1",
        "infrastructure",
        "Training is reproducible",
        "train twice from the same record and compare",
    ),
    _t(
        "Infra 2",
        "infrastructure",
        "Model specification code is unit tested",
        "unit test the code that builds and trains models",
    ),
    _t(
        "Infra 3",
        "infrastructure",
        "The full ML pipeline is integration tested",
        "run the whole pipeline, data to serving, automatically and check its outputs",
    ),
    _t(
        "Infra 4",
        "infrastructure",
        "Model quality is validated before attempting to serve it",
        "refuse to serve a model that fails quality checks against the current one",
    ),
    _t(
        "Infra 5",
        "infrastructure",
        "The model allows debugging by observing the step-by-step computation of training or "
        "inference on a single example",
        "step through one example's way through the model",
    ),
    _t(
        "Infra 6",
        "infrastructure",
        "Models are tested via a canary process before they enter production serving environments",
        "serve a new model to a small share of traffic first",
    ),
    _t(
        "Infra 7",
        "infrastructure",
        "Models can be quickly and safely rolled back to a previous serving version",
        "practise the rollback and measure how long it takes",
    ),
    _t(
        "Monitor 1",
        "monitoring",
        "Dependency changes result in notification",
        "be notified when an upstream data source or library changes",
    ),
    _t(
        "Monitor 2",
        "monitoring",
        "Data invariants hold in training and serving inputs",
        "check inputs against the schema and alert when they diverge",
    ),
    _t(
        "Monitor 3",
        "monitoring",
        "Training and serving features compute the same values",
        "log served examples and compare their features with the training computation",
    ),
    _t(
        "Monitor 4",
        "monitoring",
        "Models are not too stale",
        "watch the age of the serving model and alert when retraining stalls",
    ),
    _t(
        "Monitor 5",
        "monitoring",
        "The model is numerically stable",
        "alert on NaNs or infinities in training and on implausible weights",
    ),
    _t(
        "Monitor 6",
        "monitoring",
        "The model has not experienced a dramatic or slow-leak regressions in training speed, "
        "serving latency, throughput, or RAM usage",
        "track computing performance across versions and alert on regressions",
    ),
    _t(
        "Monitor 7",
        "monitoring",
        "The model has not experienced a regression in prediction quality on served data",
        "measure quality on served (labelled) traffic and alert when it drops",
    ),
)
"""The 28 tests, seven per group, in the paper's order."""


def rubric_table():
    """Return the rubric as a table, one row per test.

    Returns
    -------
    pandas.DataFrame
        Index ``test_id``; columns ``group``, ``title`` (the paper's heading) and ``asks``.

    Examples
    --------
    >>> table = rubric_table()
    >>> table.shape, table.groupby("group").size().tolist()
    ((28, 3), [7, 7, 7, 7])
    >>> table.loc["Monitor 2", "title"]
    'Data invariants hold in training and serving inputs'
    """
    import pandas as pd

    rows = [
        {"test_id": t.test_id, "group": t.group, "title": t.title, "asks": t.asks} for t in RUBRIC
    ]
    return pd.DataFrame(rows).set_index("test_id")


def interpret_score(score: float) -> str:
    """Return the paper's reading of a final ML Test Score.

    Parameters
    ----------
    score : float
        A final score, in [0, 7] (the minimum of the four group scores).

    Returns
    -------
    str
        The sentence of the paper's interpretation table for the range holding `score`.

    Raises
    ------
    ValueError
        If `score` is outside [0, 7].

    Notes
    -----
    Ranges are half-open, ``(low, high]``, with 0 on its own, as in Breck et al. (2017).

    Examples
    --------
    >>> interpret_score(0.0)
    'More of a research project than a productionized system.'
    >>> interpret_score(2.5).startswith("Reasonably tested")
    True
    """
    if not 0.0 <= score <= 7.0:
        raise ValueError(f"An ML Test Score lies in [0, 7]. Got {score!r} instead.")
    if score == 0.0:
        return INTERPRETATION[0][2]
    for low, high, text in INTERPRETATION[1:]:
        if low < score <= high:
            return text
    return INTERPRETATION[-1][2]
