"""Score the pipeline's production readiness with the ML Test Score rubric.

The lifecycle's capstone: the 28 tests of Breck, Cai, Nielsen, Salib and Sculley, "The ML Test
Score: A Rubric for ML Production Readiness and Technical Debt Reduction" (IEEE Big Data 2017),
each scored 0 / 0.5 / 1 from the evidence a run folder of ``mlkit run`` holds (per-notebook status
and metrics, lineage records, tracked MLflow runs, monitoring results) and from the repository's
automation (``nbs_ci.yml`` checks, unit tests, the CI workflow). A group's score is the sum of its
seven tests; the final score is the minimum of the four groups.

The rule, in one place (:func:`~mlkit.readiness._evidence.metric_score`): evidence missing, or its
notebook failed or absent from the run -> 0 with the reason; the notebook did it and recorded it
but nothing checks it -> 0.5; ``nbs_ci.yml`` checks it on every CI run -> 1. Judged, and said so
per test: a test the kit does only in part scores at most 0.5; a test the kit does not address
scores 0 ("not addressed by the kit"), never a stand-in 1.

One private file per section of ``notebooks/07_production_readiness.ipynb`` (tests in
``tests/readiness/``):

* ``_rubric``: the 28 tests with the paper's titles, the points, the reading of a score
  ("The rubric");
* ``_evidence``: which run to score, what it holds, and the scoring rule
  ("The evidence of a run");
* ``_tests_data_model``, ``_tests_infra_monitor``: one evidence function per test
  ("Scoring each test");
* ``_scoring``: sums, minimum, recorded metrics and the computed conclusion ("The ML Test Score",
  "What would raise the score");
* ``_plots``: the group scores and the 4 x 7 grid ("The ML Test Score");
* ``_fixture``: the trimmed run the ci profile scores (``python -m mlkit.readiness``).
"""

from mlkit.readiness._evidence import (
    PIPELINE_NOTEBOOKS,
    RunEvidence,
    TestScore,
    describe_evidence,
    load_run_evidence,
    read_tracked_runs,
    resolve_run_folder,
)
from mlkit.readiness._fixture import MAX_FIXTURE_BYTES, save_trimmed_run
from mlkit.readiness._plots import plot_readiness
from mlkit.readiness._rubric import (
    GROUP_TITLES,
    GROUPS,
    INTERPRETATION,
    RUBRIC,
    SCORE_LEVELS,
    RubricTest,
    interpret_score,
    rubric_table,
)
from mlkit.readiness._scoring import (
    EVIDENCE_FUNCTIONS,
    RAISE_BY,
    describe_readiness,
    group_scores,
    ml_test_score,
    readiness_metrics,
    score_tests,
    weakest_group,
)
from mlkit.readiness._tests_data_model import *  # noqa: F403 (the 14 evidence functions)
from mlkit.readiness._tests_data_model import __all__ as _data_model_all
from mlkit.readiness._tests_infra_monitor import *  # noqa: F403
from mlkit.readiness._tests_infra_monitor import __all__ as _infra_monitor_all

__all__ = [
    "GROUPS",
    "GROUP_TITLES",
    "SCORE_LEVELS",
    "INTERPRETATION",
    "RUBRIC",
    "RubricTest",
    "rubric_table",
    "interpret_score",
    "PIPELINE_NOTEBOOKS",
    "RunEvidence",
    "TestScore",
    "resolve_run_folder",
    "load_run_evidence",
    "read_tracked_runs",
    "describe_evidence",
    "EVIDENCE_FUNCTIONS",
    "RAISE_BY",
    "score_tests",
    "group_scores",
    "ml_test_score",
    "weakest_group",
    "readiness_metrics",
    "describe_readiness",
    "plot_readiness",
    "MAX_FIXTURE_BYTES",
    "save_trimmed_run",
    *_data_model_all,
    *_infra_monitor_all,
]
