"""Evidence functions of the rubric's Infra 1-7 and Monitor 1-7 tests, one per test.

Serves "Scoring each test" of ``notebooks/07_production_readiness.ipynb``.

Same contract as :mod:`mlkit.readiness._tests_data_model`: a
:class:`~mlkit.readiness.RunEvidence` in, a :class:`~mlkit.readiness.TestScore` out. Test titles:
Breck et al., "The ML Test Score" (IEEE Big Data 2017).
"""

from __future__ import annotations

from mlkit.readiness._evidence import (
    PIPELINE_NOTEBOOKS,
    RunEvidence,
    TestScore,
    metric_score,
    not_addressed,
    notebook_problem,
    repo_tests,
    unit_test_score,
)

__all__ = [
    "score_infra_1",
    "score_infra_2",
    "score_infra_3",
    "score_infra_4",
    "score_infra_5",
    "score_infra_6",
    "score_infra_7",
    "score_monitor_1",
    "score_monitor_2",
    "score_monitor_3",
    "score_monitor_4",
    "score_monitor_5",
    "score_monitor_6",
    "score_monitor_7",
]

_RECORD_TAGS = ("train_sha256", "model_sha256", "git_commit", "dataset.sha256")


def score_infra_1(ev: RunEvidence) -> TestScore:
    """Score Infra 1, "Training is reproducible": 03b's tracked records and the reproduce test.

    Notes
    -----
    Every tracked run of ``03b_tracking`` carries what a retrain needs (hyperparameters, the
    training set's and the model's sha256, code and data versions); 03b reproduces its best
    run from that record, and ``tests/tracking/test_reproduce.py`` checks the round trip in CI.
    """
    problem = notebook_problem(ev, "03b_tracking")
    runs = [r for r in ev.tracked_runs if r["experiment"] == "03b-data-vs-model"]
    if problem or not runs:
        why = problem or "no tracked runs of 03b_tracking (experiment 03b-data-vs-model)"
        return TestScore("Infra 1", 0.0, f"Evidence missing: {why}.")
    complete = [r for r in runs if all(t in r["tags"] for t in _RECORD_TAGS) and r["params"]]
    evidence = (
        f"{ev.tracked_source} · 03b-data-vs-model · {len(complete)} of {len(runs)} runs carry "
        f"params and {', '.join(_RECORD_TAGS)}",
    )
    if len(complete) < len(runs):
        return TestScore(
            "Infra 1",
            0.0,
            "Some tracked runs lack the record a retrain needs "
            f"({len(runs) - len(complete)} of {len(runs)}).",
            evidence,
        )
    tests = repo_tests(ev, "reproduce_run", ("tests/tracking/test_*.py",))
    score = unit_test_score(
        ev,
        "Infra 1",
        used=evidence[0],
        what="reproducing a tracked run from its record",
        tests=tests,
    )
    return score


def score_infra_2(ev: RunEvidence) -> TestScore:
    """Score Infra 2, "Model specification code is unit tested": tests of ``make_model``.

    Notes
    -----
    The kit's one model specification is ``mlkit._models`` (reached as
    ``mlkit.modeling.make_model``); the run must have trained models with it.
    """
    used = None
    if ev.tracked_runs:
        used = f"{ev.tracked_source} · {len(ev.tracked_runs)} tracked models"
    elif notebook_problem(ev, "03_modeling") is None:
        used = "metrics.json · 03_modeling · status ok (trains models)"
    tests = repo_tests(ev, "make_model", ("tests/*/test_*.py",))
    return unit_test_score(
        ev, "Infra 2", used=used, what="the model specification (make_model)", tests=tests
    )


def score_infra_3(ev: RunEvidence) -> TestScore:
    """Score Infra 3, "The full ML pipeline is integration tested": every notebook, end to end.

    Notes
    -----
    1 when every pipeline notebook (00-06) ran ok in this run and ``nbs_ci.yml`` checks each
    (CI executes them all on every push); 0 naming the notebooks absent or not ok.
    """
    bad = [s for s in PIPELINE_NOTEBOOKS if notebook_problem(ev, s)]
    evidence = tuple(
        f"metrics.json · {s} · status = {ev.notebooks[s].get('status')}"
        for s in PIPELINE_NOTEBOOKS
        if s in ev.notebooks
    )
    if bad:
        return TestScore(
            "Infra 3",
            0.0,
            "The pipeline did not run end to end in this run: "
            + "; ".join(notebook_problem(ev, s) for s in bad)
            + ".",
            evidence,
        )
    unchecked = [s for s in PIPELINE_NOTEBOOKS if not ev.checks.get(s)]
    if unchecked:
        return TestScore(
            "Infra 3",
            0.5,
            f"Done by hand: every notebook ran ok, but {ev.config} checks "
            f"nothing of {', '.join(unchecked)}.",
            evidence,
        )
    return TestScore(
        "Infra 3",
        1.0,
        f"Automated: all {len(PIPELINE_NOTEBOOKS)} pipeline notebooks ran ok "
        f"and {ev.config} checks each one's metrics on every CI run.",
        (*evidence, f"{ev.config} · checks for all {len(PIPELINE_NOTEBOOKS)} notebooks"),
    )


def score_infra_4(ev: RunEvidence) -> TestScore:
    """Score Infra 4 (quality validated before serving): 05's integrity check and canary gates."""
    return metric_score(
        ev,
        "Infra 4",
        [
            (
                "05_deployment",
                [
                    "tampered_model_refused",
                    "canary_rolled_back_bad",
                    "evaluate_gates_matches_router",
                ],
            )
        ],
        done="05_deployment refuses a tampered model file and gates each candidate on error "
        "rate, agreement and PSI before it gets more traffic",
    )


def score_infra_5(ev: RunEvidence) -> TestScore:
    """Score Infra 5 (step-by-step debugging of a single example): not addressed (0).

    Notes
    -----
    03 lets the learner listen to misclassified clips (error analysis) and 06 tells which
    pipeline node alerted first; neither steps one example through VAD, features and model.
    """
    return not_addressed(
        "Infra 5",
        "nothing steps one example through VAD, features and model; 03_modeling's listening "
        "to mistakes is error analysis, 06_monitoring's node alerts are aggregates",
    )


def score_infra_6(ev: RunEvidence) -> TestScore:
    """Score Infra 6 (models canaried before production serving): 05's canary release."""
    return metric_score(
        ev,
        "Infra 6",
        [
            (
                "05_deployment",
                ["canary_promoted_good", "canary_rolled_back_bad", "canary_rollback_interval"],
            )
        ],
        done="05_deployment serves each candidate to a growing share of traffic, promoting the "
        "good one and rolling back the bad one",
    )


def score_infra_7(ev: RunEvidence) -> TestScore:
    """Score Infra 7 (quick and safe rollback): 05's blue/green rollback, timed."""
    m = ev.notebooks.get("05_deployment", {}).get("metrics") or {}
    s = m.get("bluegreen_bad_exposure_s")
    return metric_score(
        ev,
        "Infra 7",
        [
            (
                "05_deployment",
                ["bluegreen_rolled_back_bad", "bluegreen_rollback_s", "bluegreen_bad_exposure_s"],
            )
        ],
        done="05_deployment rolls a bad green back to the warm blue and times the switch",
        outcome=f"The bad version answered for {s:g} s before the rollback."
        if s is not None
        else "",
    )


def score_monitor_1(ev: RunEvidence) -> TestScore:
    """Score Monitor 1, "Dependency changes result in notification": not addressed (0).

    Notes
    -----
    The run records its code version and dataset checksums (lineage), which would *show* a
    change after the fact; nobody is notified when a library or upstream source changes.
    """
    return not_addressed(
        "Monitor 1",
        "versions and dataset checksums are recorded (lineage) but no one is notified when a "
        "library or an upstream data source changes",
    )


def score_monitor_2(ev: RunEvidence) -> TestScore:
    """Score Monitor 2 (data invariants in training and serving inputs): 02's schema, 06's rules.

    Notes
    -----
    Training inputs: 02's validating pipeline (``n_rejected_rows``). Serving inputs: 06's input
    alert rules and drift statistics on replayed traffic (``events_detected``,
    ``false_alarms_control``). Both parts are required.
    """
    return metric_score(
        ev,
        "Monitor 2",
        [
            ("02_data", ["n_rejected_rows"]),
            ("06_monitoring", ["events_detected", "events_total", "false_alarms_control"]),
        ],
        done="02_data validates training rows against the schema and 06_monitoring alerts on "
        "served inputs that leave their reference",
    )


def score_monitor_3(ev: RunEvidence) -> TestScore:
    """Score Monitor 3 (training and serving features agree): 05's HTTP answers vs offline.

    Notes
    -----
    Judged partial: ``http_matches_router`` checks that the served model answers exactly as the
    offline one on the same feature vectors, but the client computes features before the
    request, so a skew in feature computation would not show.
    """
    return metric_score(
        ev,
        "Monitor 3",
        [("05_deployment", ["http_matches_router", "http_n_ok"])],
        done="05_deployment checks that the HTTP server answers exactly as the offline router",
        partial="the server receives precomputed features, so training/serving skew in the "
        "feature computation itself is not monitored",
    )


def score_monitor_4(ev: RunEvidence) -> TestScore:
    """Score Monitor 4, "Models are not too stale": not addressed (0).

    Notes
    -----
    06 retrains after drift and measures the gain (Model 4), but no rule watches the serving
    model's age.
    """
    return not_addressed(
        "Monitor 4",
        "no alert watches the serving model's age (lineage records carry created_utc, nothing "
        "reads it); staleness shows only as lost accuracy (Monitor 7)",
    )


def score_monitor_5(ev: RunEvidence) -> TestScore:
    """Score Monitor 5, "The model is numerically stable": not addressed (0).

    Notes
    -----
    ``mlkit/serving.py`` refuses non-finite input features, an input guard; no NaN or infinity
    is watched in training or in the model's outputs.
    """
    return not_addressed(
        "Monitor 5",
        "no NaN/infinity monitor in training or on model outputs (the server only refuses "
        "non-finite inputs)",
    )


def score_monitor_6(ev: RunEvidence) -> TestScore:
    """Score Monitor 6 (no regression in speed, latency, throughput, RAM): bounds on timings.

    Notes
    -----
    Judged partial: ``nbs_ci.yml`` bounds training time and latency loosely (shared CI runners:
    about 20x the measured values), which catches dramatic regressions only; throughput and RAM
    are not measured.
    """
    return metric_score(
        ev,
        "Monitor 6",
        [
            ("01_scoping", ["train_time_s", "p95_inference_latency_ms"]),
            ("05_deployment", ["http_p50_round_trip_ms"]),
        ],
        done="training time and latency are measured in every run and bounded in CI",
        partial="the bounds are loose (about 20x, for shared CI runners), so a slow leak passes, "
        "and throughput and RAM are not measured",
    )


def score_monitor_7(ev: RunEvidence) -> TestScore:
    """Score Monitor 7 (no regression in prediction quality on served data): 06's alerts."""
    m = ev.notebooks.get("06_monitoring", {}).get("metrics") or {}
    d = m.get("detection_delay_days_meaning_change")
    return metric_score(
        ev,
        "Monitor 7",
        [
            (
                "06_monitoring",
                [
                    "concept_drift_detected",
                    "detection_delay_days_meaning_change",
                    "accuracy_during_drift",
                ],
            )
        ],
        done="06_monitoring watches accuracy on labelled served traffic and detects concept "
        "drift (ADWIN)",
        outcome=f"The meaning change was flagged {d:g} days after onset."
        if isinstance(d, int | float) and d >= 0
        else "",
    )
