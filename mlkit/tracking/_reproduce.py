"""Pulling runs back from the store and reproducing a run from its record alone.

A run logged by :func:`fit_log_run` is pulled back with its model (sha256 checked), its training
set is rebuilt from the recorded dataset, lineage and recipe, and the retrained model's metrics
are compared with the recorded ones.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from mlkit.errors import TrackingError
from mlkit.tracking._model_files import load_model
from mlkit.tracking._runs import _fit_score, training_set_sha256
from mlkit.tracking._store import _client, _retry, resolve_tracking_uri

__all__ = [
    "OVERVIEW_COLUMNS",
    "HASH_COLUMNS",
    "runs_table",
    "select_runs",
    "runs_overview",
    "load_run",
    "compare_to_record",
    "reproduce_run",
    "describe_reproduction",
]

#: Columns :func:`runs_overview` shows by default (names as in :func:`runs_table`).
OVERVIEW_COLUMNS = (
    "run_name",
    "tags.arm",
    "params.model",
    "params.hyper",
    "tags.git_commit",
    "metrics.dev_accuracy",
    "metrics.seen_accuracy",
)
#: Hex digests :func:`runs_overview` shortens (notebook, training set, model).
HASH_COLUMNS = ("tags.notebook_sha256", "tags.train_sha256", "tags.model_sha256")


def runs_table(experiment: str, *, tracking_uri: str = "", status: str = "FINISHED"):
    """Pull an experiment's runs back as a comparison table.

    Parameters
    ----------
    experiment : str
        Experiment name.
    tracking_uri : str, default=""
        See :func:`resolve_tracking_uri`.
    status : str, default="FINISHED"
        Keep runs in this state ("" for all).

    Returns
    -------
    pandas.DataFrame
        One row per run, oldest first: ``run_id``, ``run_name``, ``status``, then
        ``params.<name>``, ``metrics.<name>`` and ``tags.<name>`` columns.

    Raises
    ------
    TrackingError
        If the experiment does not exist.
    """
    import pandas as pd

    uri = resolve_tracking_uri(tracking_uri)
    client = _client(uri)
    exp = _retry(lambda: client.get_experiment_by_name(experiment))
    if exp is None:
        raise TrackingError(
            f"No MLflow experiment named {experiment!r} in {uri}. Log a run first with log_run."
        )
    runs, token = [], None
    while True:
        page = _retry(
            lambda token=token: client.search_runs(
                [exp.experiment_id],
                max_results=1000,
                page_token=token,
                order_by=["attributes.start_time ASC"],
            )
        )
        runs.extend(page)
        token = page.token
        if not token:
            break
    rows = []
    for r in runs:
        if status and r.info.status != status:
            continue
        row = {"run_id": r.info.run_id, "run_name": r.info.run_name, "status": r.info.status}
        row.update({f"params.{k}": v for k, v in r.data.params.items()})
        row.update({f"metrics.{k}": v for k, v in r.data.metrics.items()})
        row.update({f"tags.{k}": v for k, v in r.data.tags.items() if not k.startswith("mlflow.")})
        rows.append(row)
    return pd.DataFrame(rows)


def select_runs(table, run_ids, *, sort_by: str = "metrics.dev_accuracy"):
    """Keep the runs of one execution and sort them best first.

    A tracking store keeps the runs of every earlier execution too; this keeps only `run_ids`.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`runs_table`.
    run_ids : array-like of str
        MLflow run ids to keep (for example the ``run_id`` column of the rows returned by
        :func:`fit_log_run`).
    sort_by : str, default="metrics.dev_accuracy"
        Column to sort on, largest first; ties keep the store's order (oldest first).

    Returns
    -------
    pandas.DataFrame
        The kept rows of `table`, best first, with their original index.

    Raises
    ------
    ValueError
        If `table` has no ``run_id`` or no `sort_by` column.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"run_id": ["a", "b", "c"], "metrics.dev_accuracy": [0.5, 0.7, 0.6]})
    >>> select_runs(table, ["a", "b"])["run_id"].tolist()
    ['b', 'a']
    """
    missing = [c for c in ("run_id", sort_by) if c not in table.columns]
    if missing:
        raise ValueError(
            f"select_runs needs a table of runs_table with the columns {missing}. Got "
            f"{list(table.columns)}; pick 'sort_by' among them."
        )
    table = table[table["run_id"].isin(run_ids)]
    return table.sort_values(sort_by, ascending=False, kind="stable")


def runs_overview(
    table,
    *,
    columns: tuple[str, ...] = OVERVIEW_COLUMNS,
    hashes: tuple[str, ...] = HASH_COLUMNS,
    hash_chars: int = 10,
):
    """Return a readable view of a runs table: chosen columns plus shortened digests.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`runs_table` (or :func:`select_runs`).
    columns : tuple of str, default=OVERVIEW_COLUMNS
        Columns to show, in order.
    hashes : tuple of str, default=HASH_COLUMNS
        Hex-digest columns appended after `columns`, cut to `hash_chars` characters.
    hash_chars : int, default=10
        Characters kept of each digest (10 hex characters tell runs apart at a glance).

    Returns
    -------
    pandas.DataFrame
        A new frame with the index of `table`; `table` is not changed.

    Raises
    ------
    ValueError
        If a column of `columns` or `hashes` is missing from `table`.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"run_name": ["r"], "tags.model_sha256": ["0123456789abcdef"]})
    >>> runs_overview(table, columns=("run_name",), hashes=("tags.model_sha256",), hash_chars=4)
      run_name tags.model_sha256
    0        r              0123
    """
    missing = [c for c in (*columns, *hashes) if c not in table.columns]
    if missing:
        raise ValueError(
            f"runs_overview needs the columns {missing} of runs_table. Got {list(table.columns)}; "
            "pass 'columns' and 'hashes' that the table has."
        )
    return table[list(columns)].assign(**{c: table[c].str[:hash_chars] for c in hashes})


def load_run(run_id: str, *, tracking_uri: str = "", trusted: list[str] | None = None) -> dict:
    """Load a tracked run's record and its model, checking the model's sha256.

    Parameters
    ----------
    run_id : str
        MLflow run id.
    tracking_uri : str, default=""
        See :func:`resolve_tracking_uri`.
    trusted : list of str, optional
        Extra types to trust when loading the skops model (see :func:`load_model`).

    Returns
    -------
    dict
        ``run_id``, ``run_name``, ``params`` (values as logged, strings), ``metrics``,
        ``tags``, ``lineage`` (the dataset's lineage as logged, or None), ``model`` (loaded)
        and ``model_sha256``.

    Raises
    ------
    TrackingError
        If the run has no ``model_sha256`` tag.
    ModelIntegrityError
        If the downloaded model does not match it.
    """
    uri = resolve_tracking_uri(tracking_uri)
    client = _client(uri)
    run = _retry(lambda: client.get_run(run_id))
    tags = dict(run.data.tags)
    digest = tags.get("model_sha256")
    if not digest:
        raise TrackingError(f"Run {run_id} has no model_sha256 tag; it was not logged by log_run.")
    with tempfile.TemporaryDirectory() as tmp:
        local = client.download_artifacts(run_id, "model/model.skops", tmp)
        model = load_model(local, sha256=digest, trusted=trusted)
        lineage = None
        if any(f.path == "lineage.json" for f in _retry(lambda: client.list_artifacts(run_id))):
            local = client.download_artifacts(run_id, "lineage.json", tmp)
            lineage = json.loads(Path(local).read_text(encoding="utf-8"))
    return {
        "run_id": run_id,
        "run_name": run.info.run_name,
        "params": dict(run.data.params),
        "metrics": dict(run.data.metrics),
        "tags": tags,
        "lineage": lineage,
        "model": model,
        "model_sha256": digest,
    }


def compare_to_record(recorded: dict, reproduced: dict, *, abs_tol: float = 1e-9):
    """Compare a run's recorded metrics with those of its reproduction.

    Parameters
    ----------
    recorded : dict of str to float
        Metrics from the tracking store (``load_run(...)["metrics"]``).
    reproduced : dict of str to float
        Metrics of the re-trained model; only names present in both are compared.
    abs_tol : float, default=1e-9
        Largest absolute difference that still counts as the same.

    Returns
    -------
    pandas.DataFrame
        Index: metric. Columns ``recorded``, ``reproduced``, ``abs_diff``, ``match``.

    Raises
    ------
    TrackingError
        If the two share no metric name.
    """
    import pandas as pd

    common = [k for k in reproduced if k in recorded]
    if not common:
        raise TrackingError(
            "compare_to_record found no metric name in both dicts. Recorded: "
            f"{sorted(recorded)}; reproduced: {sorted(reproduced)}."
        )
    out = pd.DataFrame(
        {
            "recorded": [float(recorded[k]) for k in common],
            "reproduced": [float(reproduced[k]) for k in common],
        },
        index=pd.Index(common, name="metric"),
    )
    out["abs_diff"] = (out["recorded"] - out["reproduced"]).abs()
    out["match"] = out["abs_diff"] <= abs_tol
    return out


def reproduce_run(
    record: dict, X, y, *, train, y_train, eval_sets: dict, tags=None, abs_tol: float = 1e-9
) -> dict:
    """Retrain a run logged by :func:`fit_log_run` on a rebuilt training set and compare.

    Parameters
    ----------
    record : dict
        From :func:`load_run`.
    X, y, eval_sets, tags
        The rebuilt dataset and evaluation sets, as given to :func:`fit_log_run`.
    train, y_train : array-like
        The rebuilt training rows and labels; their hash (with the recorded recipe) must
        equal the run's ``train_sha256`` tag.
    abs_tol : float, default=1e-9
        See :func:`compare_to_record`.

    Returns
    -------
    dict
        ``comparison`` (the table of :func:`compare_to_record`), ``reproduced`` (all metrics
        match), ``train_sha256`` (of the rebuilt set), ``same_predictions`` (the stored and
        the retrained model agree on every evaluation row) and ``model`` (the retrained one).

    Raises
    ------
    TrackingError
        If the run has no ``train_sha256`` tag or the rebuilt training set does not match it.
    """
    import numpy as np

    p, run_tags = record["params"], record["tags"]
    recipe = json.loads(p.get("recipe", "{}"))
    digest = training_set_sha256(train, y_train, params=recipe)
    expected = run_tags.get("train_sha256")
    if expected is None:
        raise TrackingError(
            "reproduce_run needs a run logged by fit_log_run (with a train_sha256 tag). "
            f"Got tags {sorted(run_tags)}."
        )
    if digest != expected:
        raise TrackingError(
            f"The rebuilt training set does not match the run's record (train_sha256 "
            f"{expected[:12]}..., rebuilt {digest[:12]}...). Rebuild it from the recorded "
            f"dataset, lineage and recipe {recipe}; check the dataset sha256."
        )
    model, metrics = _fit_score(
        p["model"],
        X,
        train,
        np.asarray(y_train),
        y=np.asarray(y),
        eval_sets=eval_sets,
        tags=tags,
        hyper=json.loads(p.get("hyper", "{}")),
        random_state=int(p["random_state"]),
    )
    table = compare_to_record(record["metrics"], metrics, abs_tol=abs_tol)
    X = np.asarray(X)
    rows = np.concatenate([np.asarray(v, dtype=np.int64) for v in eval_sets.values()])
    same = bool(np.array_equal(record["model"].predict(X[rows]), model.predict(X[rows])))
    return {
        "comparison": table,
        "reproduced": bool(table["match"].all()),
        "train_sha256": digest,
        "same_predictions": same,
        "model": model,
    }


def describe_reproduction(result: dict, *, hash_chars: int = 12) -> str:
    """Describe the outcome of :func:`reproduce_run` in two lines of text.

    Parameters
    ----------
    result : dict
        From :func:`reproduce_run`: ``train_sha256``, ``reproduced`` and ``same_predictions``.
    hash_chars : int, default=12
        Characters shown of the training set's hex sha256.

    Returns
    -------
    str
        Two lines: the rebuilt training set's digest (equal to the record's, or
        :func:`reproduce_run` would have refused), then whether every metric was reproduced and
        whether the stored model predicts the same as the retrained one.

    Raises
    ------
    KeyError
        If `result` lacks one of the three keys.

    Examples
    --------
    >>> result = {"train_sha256": "ab" * 32, "reproduced": True, "same_predictions": True}
    >>> print(describe_reproduction(result))
    training set sha256 abababababab... equals the record's train_sha256
    metrics reproduced: True; stored model predicts the same: True
    """
    return (
        f"training set sha256 {result['train_sha256'][:hash_chars]}... equals the record's "
        "train_sha256\n"
        f"metrics reproduced: {result['reproduced']}; stored model predicts the same: "
        f"{result['same_predictions']}"
    )
