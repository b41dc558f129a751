"""Evidence functions of the rubric's Data 1-7 and Model 1-7 tests, one per test.

Serves "Scoring each test" of ``notebooks/07_production_readiness.ipynb``.

Each function takes a :class:`~mlkit.readiness.RunEvidence` and returns a
:class:`~mlkit.readiness.TestScore`: the paper's points (0, 0.5, 1), the reason and the evidence
read. Metric-backed tests follow the one rule of :func:`mlkit.readiness._evidence.metric_score`;
the judgements (a test the kit does in part, or not at all) are written out in each function.
Test titles and what they ask: Breck et al., "The ML Test Score" (IEEE Big Data 2017).
"""

from __future__ import annotations

from mlkit.readiness._evidence import (
    RunEvidence,
    TestScore,
    metric_score,
    not_addressed,
    notebook_problem,
    repo_tests,
    unit_test_score,
)

__all__ = [
    "score_data_1",
    "score_data_2",
    "score_data_3",
    "score_data_4",
    "score_data_5",
    "score_data_6",
    "score_data_7",
    "score_model_1",
    "score_model_2",
    "score_model_3",
    "score_model_4",
    "score_model_5",
    "score_model_6",
    "score_model_7",
]

TAGS = ("clean", "car_noise", "people_noise", "low_bandwidth")


def score_data_1(ev: RunEvidence) -> TestScore:
    """Score Data 1, "Feature expectations are captured in a schema": 02's validating pipeline.

    Notes
    -----
    ``02_data`` declares the clips' schema (``mlkit/data/_schema.py``) and runs a validating
    pipeline that rejects rows breaking it (``n_rejected_rows``).
    """
    n = (ev.notebooks.get("02_data", {}).get("metrics") or {}).get("n_rejected_rows")
    return metric_score(
        ev,
        "Data 1",
        [("02_data", ["n_rejected_rows", "pipeline_accuracy"])],
        done="02_data's validating pipeline checks every row against a declared schema",
        outcome=f"It rejected {n} rows that break the schema." if n is not None else "",
    )


def score_data_2(ev: RunEvidence) -> TestScore:
    """Score Data 2, "All features are beneficial": 01's mutual information against shuffled labels.

    Notes
    -----
    Judged partial: ``01_scoping`` compares features' mutual information with the target to a
    shuffled-label level, but records (and ``nbs_ci.yml`` checks) only the top feature, so no
    check says that *every* feature is beneficial.
    """
    return metric_score(
        ev,
        "Data 2",
        [("01_scoping", ["mi_top_feature_nats", "mi_shuffled_mean_nats"])],
        done="01_scoping measures the features' mutual information with the digit against a "
        "shuffled-label level",
        partial="only the top feature is recorded and checked; nothing tests that every "
        "feature beats the shuffled level (a recorded count of non-beneficial features with an "
        "expectation would)",
    )


def score_data_3(ev: RunEvidence) -> TestScore:
    """Score Data 3, "No feature's cost is too much": not addressed (0).

    Notes
    -----
    ``01_scoping`` times the whole model (``train_time_s``, ``p95_inference_latency_ms``),
    never one feature's share of latency or RAM.
    """
    return not_addressed(
        "Data 3",
        "no feature's cost (latency, RAM, dependencies) is measured; 01_scoping times the "
        "whole model only",
    )


def score_data_4(ev: RunEvidence) -> TestScore:
    """Score Data 4, "Features adhere to meta-level requirements": not addressed (0)."""
    return not_addressed(
        "Data 4", "no list of features barred from use is kept, so nothing checks against one"
    )


def score_data_5(ev: RunEvidence) -> TestScore:
    """Score Data 5, "The data pipeline has appropriate privacy controls": not addressed (0)."""
    return not_addressed(
        "Data 5",
        "the pipeline has no access, retention or personal-data controls (the bundled corpora "
        "are synthetic voices and a public table)",
    )


def score_data_6(ev: RunEvidence) -> TestScore:
    """Score Data 6, "New features can be added quickly": not addressed (0).

    Notes
    -----
    ``03_modeling`` section 7 measures what an engineered feature *gains*, not how long adding
    it to the production model takes.
    """
    return not_addressed(
        "Data 6",
        "the calendar time to add a feature to the served model is not measured (03_modeling "
        "measures a new feature's gain, not its lead time)",
    )


def score_data_7(ev: RunEvidence) -> TestScore:
    """Score Data 7, "All input feature code is tested": unit tests of ``mlkit/features.py``.

    Notes
    -----
    The run must have computed features (a lineage record of a feature artefact, or
    ``02_data`` ok); the repository must unit test ``mlkit.features``; a CI workflow must run
    the tests.
    """
    feat = [p for p, rec in ev.lineage.items() if "feature" in p]
    used = None
    if feat:
        used = f"run · {feat[0]} (feature artefact with its lineage)"
    elif notebook_problem(ev, "02_data") is None:
        used = "metrics.json · 02_data · status ok (computes MFCC features)"
    tests = repo_tests(ev, "mlkit.features", ("tests/shared/test_features.py", "tests/*/test_*.py"))
    return unit_test_score(
        ev, "Data 7", used=used, what="the feature code (mlkit.features)", tests=sorted(set(tests))
    )


def score_model_1(ev: RunEvidence) -> TestScore:
    """Score Model 1 (model specs code-reviewed and checked in) from the run's code version.

    Notes
    -----
    The run records its git commit and whether the working tree had uncommitted changes
    (``metrics.json`` ``code``; the same fields tag every tracked run and lineage record).
    Uncommitted changes: 0 (the models were not trained from checked-in code). A clean commit:
    0.5, judged partial: checked in, but the kit records no code review.
    """
    code = ev.record.get("code") or {}
    trained = bool(ev.tracked_runs) or any(
        notebook_problem(ev, s) is None for s in ("03_modeling", "03b_tracking")
    )
    evidence = tuple(f"metrics.json · code · {k} = {code[k]}" for k in sorted(code))
    if not trained:
        return TestScore(
            "Model 1",
            0.0,
            "Evidence missing: no model was trained in this run "
            "(no tracked runs, 03_modeling and 03b_tracking not ok).",
            evidence,
        )
    if not code.get("git_commit"):
        return TestScore(
            "Model 1",
            0.0,
            "The run records no git commit: its model code was not run from a repository checkout.",
            evidence,
        )
    if code.get("git_dirty") is not False:
        return TestScore(
            "Model 1",
            0.0,
            f"The run's code had uncommitted changes (git_dirty = "
            f"{code.get('git_dirty')} on {str(code['git_commit'])[:10]}): its models were not "
            "trained from checked-in code.",
            evidence,
        )
    return TestScore(
        "Model 1",
        0.5,
        f"Partly done: models are trained from checked-in code (commit "
        f"{str(code['git_commit'])[:10]}, clean tree); but the kit records no code review.",
        evidence,
        "judged: partial",
    )


def score_model_2(ev: RunEvidence) -> TestScore:
    """Score Model 2 (offline proxy vs online impact metrics): not addressed (0).

    Notes
    -----
    ``01_scoping`` turns offline accuracy into business value with an assumed cost matrix
    (``business_value_per_1000``), so the two agree by construction; no online impact metric is
    ever measured, which is what the paper asks to correlate with.
    """
    got = (ev.notebooks.get("01_scoping", {}).get("metrics") or {}).get("business_value_per_1000")
    evidence = (
        () if got is None else (f"metrics.json · 01_scoping · business_value_per_1000 = {got:.4g}",)
    )
    return not_addressed(
        "Model 2",
        "no online impact metric is measured; 01_scoping's business value is computed from "
        "offline accuracy with an assumed cost matrix, so it correlates by construction",
        evidence,
    )


def score_model_3(ev: RunEvidence) -> TestScore:
    """Score Model 3, "All hyperparameters have been tuned": 03b's tracked randomized search.

    Notes
    -----
    Judged partial (0.5) when the search ran: its tracked runs (``arm = model-centric``) cover
    the model family and its regularisation, not the feature pipeline's settings (MFCC count,
    frame length). 0 when no tracked search run is in the run.
    """
    search = [r for r in ev.tracked_runs if r["tags"].get("arm") == "model-centric"]
    problem = notebook_problem(ev, "03b_tracking")
    if problem or not search:
        why = (
            problem
            or f"no tracked search runs (arm = model-centric; {ev.tracked_source or 'no store'})"
        )
        return TestScore("Model 3", 0.0, f"Evidence missing: {why}.")
    evidence = tuple(
        f"{ev.tracked_source} · {r['experiment']} · {r['run_name']} · dev_accuracy = "
        f"{float(r['metrics'].get('dev_accuracy', 'nan')):.4g}"
        for r in search
    )
    return TestScore(
        "Model 3",
        0.5,
        f"Partly done: 03b_tracking runs a randomized search of {len(search)} "
        "tracked runs over model family and regularisation on every run; but the feature "
        "pipeline's settings (MFCC count, frame length) are never tuned.",
        evidence,
        "judged: partial",
    )


def score_model_4(ev: RunEvidence) -> TestScore:
    """Score Model 4, "The impact of model staleness is known": 06's drift and retraining."""
    m = ev.notebooks.get("06_monitoring", {}).get("metrics") or {}
    outcome = ""
    if {"accuracy_before_drift", "accuracy_during_drift"} <= set(m):
        outcome = (
            f"The stale model fell from {m['accuracy_before_drift']:.3f} to "
            f"{m['accuracy_during_drift']:.3f}."
        )
    return metric_score(
        ev,
        "Model 4",
        [
            (
                "06_monitoring",
                [
                    "accuracy_before_drift",
                    "accuracy_during_drift",
                    "accuracy_after_retrain",
                    "retrain_gain",
                ],
            )
        ],
        done="06_monitoring measures the served model's accuracy before and during drift and "
        "after retraining",
        outcome=outcome,
    )


def score_model_5(ev: RunEvidence) -> TestScore:
    """Score Model 5, "A simpler model is not better": 03b's search against its baseline run.

    Notes
    -----
    ``model_centric_gain`` is the best searched model's gain over the simple baseline, on
    held-out clips; 03's baseline table (tracked in ``03-modeling``) is listed as evidence.
    """
    score = metric_score(
        ev,
        "Model 5",
        [("03b_tracking", ["model_centric_gain"])],
        done="03b_tracking compares its searched models with the simple baseline run on "
        "held-out clips",
    )
    base = [r for r in ev.tracked_runs if r["experiment"] == "03-modeling"]
    extra = tuple(
        f"{ev.tracked_source} · 03-modeling · {r['run_name']} · dev_accuracy = "
        f"{float(r['metrics'].get('dev_accuracy', 'nan')):.4g}"
        for r in base
    )
    return TestScore(score.test_id, score.score, score.reason, score.evidence + extra, score.basis)


def score_model_6(ev: RunEvidence) -> TestScore:
    """Score Model 6 (quality sufficient on important slices): 03's accuracy per tag vs HLP."""
    m = ev.notebooks.get("03_modeling", {}).get("metrics") or {}
    n_below = m.get("n_tags_below_hlp")
    return metric_score(
        ev,
        "Model 6",
        [("03_modeling", [f"tag_accuracy_{t}" for t in TAGS] + [f"tag_hlp_{t}" for t in TAGS])],
        done="03_modeling measures accuracy per recording condition against human-level "
        "performance, with intervals",
        outcome=(
            f"Result: the model is below HLP on {n_below} of 4 conditions."
            if n_below is not None
            else ""
        ),
    )


def score_model_7(ev: RunEvidence) -> TestScore:
    """Score Model 7 (tested for considerations of inclusion): 03's slices by gender and voice.

    Notes
    -----
    Judged partial: ``03_modeling`` section 5 slices accuracy by speaker, voice and gender
    with intervals, but records none of it; ``01_scoping``'s ``worst_speaker_accuracy`` is
    checked, a per-speaker floor rather than a group of inclusion.
    """
    problem = notebook_problem(ev, "03_modeling")
    if problem:
        return TestScore("Model 7", 0.0, f"Evidence missing: {problem}.")
    worst = (ev.notebooks.get("01_scoping", {}).get("metrics") or {}).get("worst_speaker_accuracy")
    evidence = ("metrics.json · 03_modeling · status ok (section 5: slices by voice, gender)",)
    if worst is not None:
        evidence += (f"metrics.json · 01_scoping · worst_speaker_accuracy = {worst:.4g}",)
    return TestScore(
        "Model 7",
        0.5,
        "Partly done: 03_modeling shows accuracy per voice and gender with "
        "intervals in the executed notebook; but no slice of a group of inclusion is recorded "
        "or checked (only 01_scoping's worst speaker).",
        evidence,
        "judged: partial",
    )
