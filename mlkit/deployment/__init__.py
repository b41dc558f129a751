"""Deployment patterns: canary, shadow mode and blue/green routers for two model versions.

Every router serves requests in micro-batches through ``route``/``predict`` (the HTTP server
in :mod:`mlkit.serving` calls the same methods with one request at a time) and keeps its
traffic state in attributes ending in ``_``. ``replay`` pushes a recorded request stream
through a router, micro-batch by micro-batch, so a whole rollout can be watched offline.
PSI and the Wilson interval come from the kit's shared statistics (``mlkit._stats``; PSI is
also :func:`mlkit.monitoring.psi`).

One private file per section of ``notebooks/05_deployment.ipynb``:

- ``_traffic.py``: production traffic (:func:`sample_requests`);
- ``_versions.py``: the three model versions and their trusted files;
- ``_canary.py``: canary release (:class:`CanaryRouter`);
- ``_gates.py``: the canary's decision rule and the what-if panel (:func:`evaluate_gates`);
- ``_shadow.py``: shadow mode next to human operators (:class:`ShadowRouter`, its sequential
  test :func:`sequential_agreement_test`);
- ``_bluegreen.py``: blue/green (:class:`BlueGreenRouter`);
- ``_patterns.py``, ``_patterns_report.py``: which deployment pattern when (the three
  patterns on one bad candidate, the decision table);
- ``_takeaways.py``: the computed conclusions;
- ``_exercises.py``: the notebook's exercises and concept questions (:func:`exercises`);
- ``_router.py``: what the routers share (sticky buckets, the request log, replays).
"""

from mlkit._stats import wilson_interval
from mlkit.deployment._bluegreen import BlueGreenRouter
from mlkit.deployment._bluegreen_report import (
    describe_live,
    describe_preview,
    describe_rollback,
    plot_bluegreen,
    replay_bluegreen,
)
from mlkit.deployment._canary import (
    HISTORY_COLUMNS,
    CanaryRouter,
    canary_table,
    describe_canary,
    plot_canary,
)
from mlkit.deployment._exercises import exercises
from mlkit.deployment._gates import (
    agreement_floor,
    agreement_headroom,
    evaluate_gates,
    gates_match_router,
    plot_gate_whatif,
    psi_noise,
)
from mlkit.deployment._patterns import (
    PATTERN_METRICS,
    PATTERNS,
    compare_patterns,
    pattern_costs,
    repeat_patterns,
)
from mlkit.deployment._patterns_report import (
    describe_patterns,
    pattern_decision_table,
    plot_patterns,
)
from mlkit.deployment._router import assign_bucket, replay_candidates
from mlkit.deployment._shadow import (
    ShadowRouter,
    sequential_agreement_test,
    simulate_operator_decisions,
)
from mlkit.deployment._shadow_report import (
    describe_shadow,
    describe_shadow_seeds,
    plot_shadow,
    repeat_shadow,
    shadow_table,
)
from mlkit.deployment._takeaways import describe_takeaways
from mlkit.deployment._traffic import sample_requests
from mlkit.deployment._versions import (
    offline_accuracy,
    save_tampered_copy,
    save_versions,
    train_versions,
)

__all__ = [
    "wilson_interval",
    "evaluate_gates",
    "agreement_floor",
    "agreement_headroom",
    "psi_noise",
    "assign_bucket",
    "sample_requests",
    "simulate_operator_decisions",
    "CanaryRouter",
    "ShadowRouter",
    "BlueGreenRouter",
    "plot_canary",
    "plot_gate_whatif",
    "plot_shadow",
    "plot_bluegreen",
    # added with the package (issue 10): what the notebook's cells call
    "HISTORY_COLUMNS",
    "train_versions",
    "offline_accuracy",
    "save_versions",
    "save_tampered_copy",
    "replay_candidates",
    "canary_table",
    "gates_match_router",
    "shadow_table",
    "sequential_agreement_test",
    "replay_bluegreen",
    "describe_preview",
    "describe_rollback",
    "describe_live",
    "describe_takeaways",
    "describe_shadow",
    "describe_shadow_seeds",
    "repeat_shadow",
    "describe_canary",
    # issue 13: the notebook's self-checking exercises
    "exercises",
    # issue 15: which deployment pattern when
    "PATTERNS",
    "PATTERN_METRICS",
    "pattern_costs",
    "repeat_patterns",
    "compare_patterns",
    "describe_patterns",
    "pattern_decision_table",
    "plot_patterns",
]
