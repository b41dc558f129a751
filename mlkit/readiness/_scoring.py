"""Score the 28 tests, sum the groups, take the minimum, and say what would raise it.

Serves "Scoring each test", "The ML Test Score" and "What would raise the score" of
``notebooks/07_production_readiness.ipynb``.

Scoring (Breck et al., "The ML Test Score", IEEE Big Data 2017, "Computing an ML Test Score"):
each test earns 0, 0.5 (done manually, results documented and distributed) or 1 (automated,
repeated); a group's score is the sum of its seven tests; the final ML Test Score is the
*minimum* of the four group scores, "because all four sections are important".
"""

from __future__ import annotations

from mlkit.readiness import _tests_data_model as _dm
from mlkit.readiness import _tests_infra_monitor as _im
from mlkit.readiness._evidence import RunEvidence, TestScore
from mlkit.readiness._rubric import GROUPS, RUBRIC, interpret_score

__all__ = [
    "EVIDENCE_FUNCTIONS",
    "RAISE_BY",
    "score_tests",
    "group_scores",
    "ml_test_score",
    "weakest_group",
    "readiness_metrics",
    "describe_readiness",
]

EVIDENCE_FUNCTIONS = {
    t.test_id: getattr(_dm if t.group in ("data", "model") else _im, f"score_{t.key}")
    for t in RUBRIC
}
"""Test id -> its evidence function, in the paper's order."""


RAISE_BY = {
    "Data 1": "a schema check of every input row, recorded and checked in nbs_ci.yml",
    "Data 2": "a recorded count of features whose mutual information does not beat the "
    "shuffled level, with an expectation of 0 in nbs_ci.yml",
    "Data 3": "per-feature cost (extraction time, memory) recorded and bounded in nbs_ci.yml",
    "Data 4": "a declared list of barred features and a recorded check that the model uses none",
    "Data 5": "access and retention rules for the recordings, checked on the data pipeline",
    "Data 6": "the measured time from a new feature to the served model, recorded per run",
    "Data 7": "unit tests of mlkit.features run by CI",
    "Model 1": "runs from a clean commit (git_dirty false) and a recorded review of model changes",
    "Model 2": "an online impact metric (for example successful commands on served traffic) "
    "recorded next to offline accuracy for several model versions, and their correlation checked",
    "Model 3": "the feature pipeline's settings in the tracked search, its result checked",
    "Model 4": "06_monitoring's before/during/after-retrain accuracies, checked in nbs_ci.yml",
    "Model 5": "the searched model's gain over the simple baseline, checked in nbs_ci.yml",
    "Model 6": "per-condition accuracy against HLP, checked in nbs_ci.yml",
    "Model 7": "accuracy per gender and voice recorded (03_modeling section 5) and a claim that "
    "no group is flagged below the overall accuracy",
    "Infra 1": "tracked runs with their full record and a CI test that reproduces one",
    "Infra 2": "unit tests of make_model run by CI",
    "Infra 3": "every pipeline notebook ok in the run, each checked by nbs_ci.yml",
    "Infra 4": "05_deployment's integrity check and gates, checked in nbs_ci.yml",
    "Infra 5": "a function that shows one clip's VAD output, features and class scores, used in "
    "a notebook and tested",
    "Infra 6": "05_deployment's canary results, checked in nbs_ci.yml",
    "Infra 7": "05_deployment's timed rollback, checked in nbs_ci.yml",
    "Monitor 1": "a recorded comparison of the run's library versions and dataset checksums "
    "with the previous run's, raising an alert on change",
    "Monitor 2": "02's schema check and 06's input alerts, checked in nbs_ci.yml",
    "Monitor 3": "features recomputed from logged served audio compared with the training "
    "features of the same clips, the count of skewed features recorded and checked",
    "Monitor 4": "an alert rule on the serving model's age (from its lineage created_utc)",
    "Monitor 5": "a recorded count of NaN/infinite scores in training and serving, checked at 0",
    "Monitor 6": "tight, per-version regression checks on latency and throughput, and RAM measured",
    "Monitor 7": "06's quality alerts and concept-drift detection, checked in nbs_ci.yml",
}
"""Test id -> what evidence in this kit would score 1 (used by :func:`describe_readiness`)."""


def score_tests(ev: RunEvidence):
    """Score every rubric test on one run's evidence.

    Parameters
    ----------
    ev : RunEvidence
        From :func:`~mlkit.readiness.load_run_evidence`.

    Returns
    -------
    pandas.DataFrame
        Index ``test_id`` (``"Data 1"`` .. ``"Monitor 7"``, the paper's order); columns
        ``group``, ``title`` (the paper's), ``score`` (0, 0.5 or 1), ``basis`` (measured or
        judged), ``reason`` and ``evidence`` (a list of strings).

    Examples
    --------
    >>> import json, tempfile
    >>> from pathlib import Path
    >>> from mlkit.readiness import load_run_evidence
    >>> run = Path(tempfile.mkdtemp())
    >>> _ = (run / "metrics.json").write_text(json.dumps({"notebooks": {}}))
    >>> table = score_tests(load_run_evidence(run))
    >>> len(table), float(table["score"].sum())
    (28, 0.0)
    """
    import pandas as pd

    rows = []
    for test in RUBRIC:
        result: TestScore = EVIDENCE_FUNCTIONS[test.test_id](ev)
        rows.append(
            {
                "test_id": test.test_id,
                "group": test.group,
                "title": test.title,
                "score": float(result.score),
                "basis": result.basis,
                "reason": result.reason,
                "evidence": list(result.evidence),
            }
        )
    return pd.DataFrame(rows).set_index("test_id")


def group_scores(table):
    """Return each group's score: the sum of its seven tests' points.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`score_tests`.

    Returns
    -------
    pandas.Series
        Index the four groups in the paper's order; values in [0, 7], in steps of 0.5.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"group": ["data", "model", "infrastructure", "monitoring"],
    ...                   "score": [1.0, 0.5, 1.0, 0.0]})
    >>> group_scores(t).tolist()
    [1.0, 0.5, 1.0, 0.0]
    """
    return table.groupby("group")["score"].sum().reindex(list(GROUPS), fill_value=0.0)


def ml_test_score(table) -> float:
    """Return the final ML Test Score: the minimum of the four group scores.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"group": ["data", "model", "infrastructure", "monitoring"] * 2,
    ...                   "score": [1.0, 1.0, 1.0, 0.5, 1.0, 0.5, 1.0, 0.5]})
    >>> ml_test_score(t)
    1.0
    """
    return float(group_scores(table).min())


def weakest_group(table) -> str:
    """Return the group with the lowest score (the first in the paper's order on a tie).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"group": ["data", "model", "infrastructure", "monitoring"],
    ...                   "score": [1.0, 0.5, 0.5, 1.0]})
    >>> weakest_group(t)
    'model'
    """
    return str(group_scores(table).idxmin())


def readiness_metrics(table) -> dict:
    """Return the metrics 07 records, computed from the scored table.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`score_tests`.

    Returns
    -------
    dict
        ``ml_test_score``; ``ml_test_score_<group>`` for the four groups; ``ml_test_score_tests``
        (test key -> points, 28 items); ``ml_test_score_weakest_group``; the count of 0-scored
        tests in it (``ml_test_score_weakest_n_zero``); ``ml_test_score_runner_up`` (the second
        lowest group score: the most that raising the weakest group alone can bring); and
        ``ml_test_score_n_judged`` (tests scored by judgement, not by the fixed rule).

    Examples
    --------
    >>> import json, tempfile
    >>> from pathlib import Path
    >>> from mlkit.readiness import load_run_evidence
    >>> run = Path(tempfile.mkdtemp())
    >>> _ = (run / "metrics.json").write_text(json.dumps({"notebooks": {}}))
    >>> m = readiness_metrics(score_tests(load_run_evidence(run)))
    >>> m["ml_test_score"], m["ml_test_score_weakest_group"], len(m["ml_test_score_tests"])
    (0.0, 'data', 28)
    """
    groups = group_scores(table)
    weakest = weakest_group(table)
    keys = {t.test_id: t.key for t in RUBRIC}
    out = {"ml_test_score": float(groups.min())}
    out.update({f"ml_test_score_{g}": float(groups[g]) for g in GROUPS})
    out["ml_test_score_tests"] = {keys[i]: float(s) for i, s in table["score"].items()}
    out["ml_test_score_weakest_group"] = weakest
    mine = table[table["group"] == weakest]
    out["ml_test_score_weakest_n_zero"] = int((mine["score"] == 0).sum())
    out["ml_test_score_runner_up"] = float(sorted(groups.tolist())[1])
    out["ml_test_score_n_judged"] = int(table["basis"].str.startswith("judged").sum())
    return out


def describe_readiness(table) -> str:
    """Write the notebook's conclusion: the final score, the weakest group, what would raise it.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`score_tests`.

    Returns
    -------
    str
        Markdown: the score with the paper's reading of it, the group scores, the weakest group
        and, as bullets, its 0-scored tests (then its 0.5-scored ones) with their reasons and the
        evidence that would count (:data:`RAISE_BY`), then how far raising that group alone can
        lift the final score.

    Notes
    -----
    Reads the same numbers :func:`readiness_metrics` records, so the prose and the checks in
    ``nbs_ci.yml`` cannot disagree.

    Examples
    --------
    >>> import json, tempfile
    >>> from pathlib import Path
    >>> from mlkit.readiness import load_run_evidence
    >>> run = Path(tempfile.mkdtemp())
    >>> _ = (run / "metrics.json").write_text(json.dumps({"notebooks": {}}))
    >>> text = describe_readiness(score_tests(load_run_evidence(run)))
    >>> "ML Test Score is **0**" in text, "weakest group is **data**" in text
    (True, True)
    """
    m = readiness_metrics(table)
    score, weakest = m["ml_test_score"], m["ml_test_score_weakest_group"]
    groups = ", ".join(f"{g} {m[f'ml_test_score_{g}']:g}" for g in GROUPS)
    mine = table[table["group"] == weakest]
    lines = [
        f"The ML Test Score is **{score:g}** of 7 (group scores: {groups}): "
        f'"{interpret_score(score)}" (the paper\'s reading of this range).',
        "",
        f"The weakest group is **{weakest}** ({m[f'ml_test_score_{weakest}']:g} of 7); "
        f"{m['ml_test_score_weakest_n_zero']} of its 7 tests score 0. What would raise it:",
        "",
    ]
    for points in (0.0, 0.5):
        for test_id, row in mine[mine["score"] == points].iterrows():
            lines.append(
                f"- **{test_id}** ({row['title']}), {points:g}: {row['reason']} "
                f"*Would count:* {RAISE_BY[test_id]}."
            )
    gap = m["ml_test_score_runner_up"] - score
    lines += [
        "",
        f"Raising {weakest} alone lifts the final score to at most "
        f"**{m['ml_test_score_runner_up']:g}**, the next-lowest group"
        + (
            f" (+{gap:g}); beyond that the next group limits it."
            if gap > 0
            else ": another group is just as low, so it has to rise too."
        ),
    ]
    return "\n".join(lines)
