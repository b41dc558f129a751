"""Monitor a model in production: dashboards, data and concept drift, alert rules.

The lifecycle's last phase closes the loop: watch software, input and output metrics of
the live system, compare recent windows of traffic with a reference, raise alerts by rule,
and go back to data collection and retraining when the world has moved.

One private file per section of ``notebooks/06_monitoring.ipynb`` (tests in
``tests/monitoring/``):

* ``_pipeline``: request variants, the VAD stage, input metrics, the request pool
  ("The system we monitor");
* ``_stream``: replayed days of traffic with injected events of known onset
  ("Four weeks of traffic, with events of known onset");
* ``_drift``: KS, chi-square, JS distance, the no-drift PSI level, :class:`DriftMonitor`
  with Benjamini-Hochberg adjustment ("Drift statistics"); :func:`psi` comes from
  :mod:`mlkit._stats`;
* ``_alerts``: :class:`AlertRule`, consecutive windows, tuning and scoring
  ("Dashboards and alert rules", "Alerts against the ground truth");
* ``_dashboards``: per-window metrics, the dashboards, the interactive alert panel
  ("Dashboards and alert rules", "Try it");
* ``_concept``: river's ADWIN / DDM on the labelled error stream ("Concept drift");
* ``_markers``: the day axis and alert markers every figure shares (:data:`ALERT_CONVENTION`);
* ``_nodes``: which pipeline node alerted first ("Pipeline monitoring: where did it break?");
* ``_retrain``: retrain, redeploy, re-baseline ("Back to the start of the loop");
* ``_report``: the drift report on the user's own tables ("Your own data");
* ``_summary``: the recorded metrics and the take-aways ("Results");
* ``_exercises``: the notebook's exercises and concept questions, :func:`exercises`
  (the "Exercises" cells of sections 3-5; machinery in :mod:`mlkit.exercises`).
"""

from mlkit._stats import psi
from mlkit.monitoring._alerts import (
    VAD_KEPT_FLOOR,
    AlertRule,
    alert_summary,
    calibrate_threshold,
    consecutive_breaches,
    describe_alerts,
    evaluate_alerts,
    stream_alerts,
    tune_rules,
)
from mlkit.monitoring._concept import (
    concept_drift_alerts,
    detect_concept_drift,
    plot_concept_drift,
)
from mlkit.monitoring._dashboards import (
    INPUT_PANELS,
    OUTPUT_PANELS,
    PANEL_RULES,
    SOFTWARE_PANELS,
    dashboard_controls,
    dashboard_renderer,
    panel_tables,
    plot_dashboard,
    window_metrics,
)
from mlkit.monitoring._drift import (
    PSI_RULE_OF_THUMB,
    DriftMonitor,
    chi2_test,
    count_rejections,
    describe_window_drift,
    expected_null_psi,
    js_distance,
    ks_test,
    plot_drift_heatmap,
)
from mlkit.monitoring._exercises import exercises
from mlkit.monitoring._markers import ALERT_CONVENTION
from mlkit.monitoring._nodes import (
    describe_pipeline_fault,
    pipeline_fault_delays,
    plot_pipeline_nodes,
)
from mlkit.monitoring._pipeline import (
    INPUT_FEATURES,
    REFERENCE_MIX,
    SPEECH_VARIANTS,
    input_metrics,
    predict_pool,
    speech_request_pool,
    speech_training_set,
    vad_trim,
    variant_summary,
)
from mlkit.monitoring._report import drift_report, load_drift_csvs
from mlkit.monitoring._retrain import (
    RETRAIN_PANELS,
    RETRAIN_RULES,
    accuracy_by_phase,
    describe_retrain,
    loop_tables,
    rebaseline,
    retrain_gain,
    retrain_model,
)
from mlkit.monitoring._stream import (
    EVENT_RULES,
    KEYPAD_SWAP,
    NEW_MICROPHONE_MIX,
    STREAM_SEEDS,
    StreamEvent,
    answered_requests,
    make_events,
    replay_streams,
    serve_requests,
    simulate_requests,
    stream_counts,
)
from mlkit.monitoring._summary import describe_takeaways, summary_metrics

__all__ = [
    "ALERT_CONVENTION",
    "PSI_RULE_OF_THUMB",
    "SPEECH_VARIANTS",
    "INPUT_FEATURES",
    "EVENT_RULES",
    "KEYPAD_SWAP",
    "NEW_MICROPHONE_MIX",
    "INPUT_PANELS",
    "OUTPUT_PANELS",
    "PANEL_RULES",
    "REFERENCE_MIX",
    "RETRAIN_PANELS",
    "RETRAIN_RULES",
    "SOFTWARE_PANELS",
    "STREAM_SEEDS",
    "VAD_KEPT_FLOOR",
    "AlertRule",
    "DriftMonitor",
    "StreamEvent",
    "accuracy_by_phase",
    "alert_summary",
    "answered_requests",
    "calibrate_threshold",
    "chi2_test",
    "concept_drift_alerts",
    "consecutive_breaches",
    "count_rejections",
    "dashboard_controls",
    "dashboard_renderer",
    "describe_alerts",
    "describe_pipeline_fault",
    "describe_retrain",
    "describe_takeaways",
    "describe_window_drift",
    "detect_concept_drift",
    "drift_report",
    "evaluate_alerts",
    "exercises",
    "expected_null_psi",
    "input_metrics",
    "js_distance",
    "ks_test",
    "load_drift_csvs",
    "loop_tables",
    "make_events",
    "panel_tables",
    "pipeline_fault_delays",
    "plot_concept_drift",
    "plot_dashboard",
    "plot_drift_heatmap",
    "plot_pipeline_nodes",
    "predict_pool",
    "psi",
    "rebaseline",
    "replay_streams",
    "retrain_gain",
    "retrain_model",
    "serve_requests",
    "simulate_requests",
    "speech_request_pool",
    "speech_training_set",
    "stream_alerts",
    "stream_counts",
    "summary_metrics",
    "tune_rules",
    "vad_trim",
    "variant_summary",
    "window_metrics",
]
