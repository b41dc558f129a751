"""Experiment tracking and model persistence: MLflow runs with a SQLite store, skops files.

Models are saved with skops (not pickle) next to their sha256, and loaded only after the
checksum matches and every type in the file is trusted.

Every tracked run records its code version (git commit, dirty flag, the notebook's content
hash), its dataset (name, sha256, lineage), hyper-parameters, metrics and the skops model
with its sha256, so that it can be pulled back and reproduced. The default store is a SQLite
file in the run folder of :func:`mlkit.paths.run_dir` (``$MLKIT_RUN_DIR/mlflow.db``, or
``runs/interactive/mlflow.db`` in an interactive session); MLflow's deprecated file store is
refused. Several processes may write to one SQLite store at once: writes that meet
"database is locked" are retried with exponential backoff.

The code follows ``notebooks/03b_tracking.ipynb``:

- ``_store.py``: the tracking URI, SQLite store creation and caching, lock retries;
- ``_model_files.py``: ``save_model``/``load_model`` with skops and sha256;
- ``_runs.py``: sections 2-3, the baseline run and both arms (code version, ``log_run``,
  ``fit_log_run``);
- ``_search.py``: section 3, both arms on one budget (a randomized model search; relabelling
  paid in training runs);
- ``_gains.py``: section 4, equal budgets and measured gains (``plot_arm_gains``);
- ``_over_seeds.py``: section 5, the whole comparison repeated over seeds, with intervals;
- ``_reproduce.py``: section 6, pull the runs back and reproduce the best one;
- ``_exercises.py``: the notebook's exercises and concept questions (``exercises``).
"""

from mlkit.errors import ModelIntegrityError, TrackingError
from mlkit.tracking._exercises import exercises
from mlkit.tracking._gains import ARM_COLORS, plot_arm_gains
from mlkit.tracking._model_files import load_model, save_model
from mlkit.tracking._over_seeds import (
    SEED_COLUMNS,
    compare_arms_over_seeds,
    describe_over_seeds,
    plot_gains_over_seeds,
    seed_intervals,
    summary_metrics_over_seeds,
    weakest_tag,
)
from mlkit.tracking._reproduce import (
    HASH_COLUMNS,
    OVERVIEW_COLUMNS,
    compare_to_record,
    describe_reproduction,
    load_run,
    reproduce_run,
    runs_overview,
    runs_table,
    select_runs,
)
from mlkit.tracking._runs import (
    code_info,
    fit_log_run,
    log_run,
    notebook_sha256,
    training_set_sha256,
)
from mlkit.tracking._search import SEARCH_SPACE, equal_budget_plan, sample_model_configs
from mlkit.tracking._store import resolve_tracking_uri, retry_stats

__all__ = [
    "ModelIntegrityError",
    "TrackingError",
    "save_model",
    "load_model",
    "resolve_tracking_uri",
    "notebook_sha256",
    "code_info",
    "log_run",
    "runs_table",
    "load_run",
    "compare_to_record",
    "training_set_sha256",
    "fit_log_run",
    "reproduce_run",
    "retry_stats",
    # notebook helpers (03b_tracking)
    "ARM_COLORS",
    "plot_arm_gains",
    "OVERVIEW_COLUMNS",
    "HASH_COLUMNS",
    "select_runs",
    "runs_overview",
    "describe_reproduction",
    "SEARCH_SPACE",
    "sample_model_configs",
    "equal_budget_plan",
    "weakest_tag",
    "SEED_COLUMNS",
    "compare_arms_over_seeds",
    "seed_intervals",
    "summary_metrics_over_seeds",
    "describe_over_seeds",
    "plot_gains_over_seeds",
    "exercises",
]
