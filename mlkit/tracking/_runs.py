"""Logging runs: code version, one tracked run, and training plus logging in one call.

Every tracked run records its code version (git commit, dirty flag, the notebook's content
hash), its dataset (name, sha256, lineage), hyper-parameters, metrics and the skops model
with its sha256, so that it can be pulled back and reproduced (``_reproduce.py``).
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

from mlkit.errors import TrackingError
from mlkit.lineage import sha256_bytes
from mlkit.tracking._model_files import save_model
from mlkit.tracking._store import _client, _experiment_id, _retry, resolve_tracking_uri

__all__ = [
    "notebook_sha256",
    "code_info",
    "log_run",
    "training_set_sha256",
    "fit_log_run",
]


def notebook_sha256(path: str | os.PathLike) -> str:
    """Return the sha256 of a notebook's cell sources (outputs and metadata ignored).

    Executing or stripping the notebook does not change the hash; editing any cell does.

    Parameters
    ----------
    path : path-like
        The ``.ipynb`` file.

    Returns
    -------
    str
        Hex sha256 of the JSON list of ``[cell_type, source]`` pairs.

    Raises
    ------
    FileNotFoundError
        If `path` does not exist.
    """
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    cells = []
    for cell in nb.get("cells", []):
        src = cell.get("source", "")
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            continue
        cells.append([cell.get("cell_type"), "".join(src) if isinstance(src, list) else src])
    return sha256_bytes(json.dumps(cells, ensure_ascii=False).encode("utf-8"))


def code_info(notebook: str | os.PathLike | None = None) -> dict:
    """Return the code version of a run: git commit, dirty flag, notebook hash.

    Parameters
    ----------
    notebook : path-like, optional
        The notebook that trains the model (relative to the cwd, which is the notebook's
        folder in Jupyter and under ``mlkit run``).

    Returns
    -------
    dict
        ``git_commit`` (None outside git or before the first commit), ``git_dirty``,
        ``mlkit_version``, and when `notebook` is given ``notebook`` and ``notebook_sha256``.
    """
    from mlkit.lineage import code_version

    out = code_version()
    if notebook is not None:
        out["notebook"] = Path(notebook).name
        out["notebook_sha256"] = notebook_sha256(notebook)
    return out


def _param_str(v) -> str:
    return v if isinstance(v, str) else json.dumps(v, sort_keys=True, default=str)


def log_run(
    model,
    *,
    experiment: str,
    run_name: str,
    params: dict,
    metrics: dict,
    dataset: dict,
    code: dict | None = None,
    tags: dict | None = None,
    tracking_uri: str = "",
) -> str:
    """Log one trained model to MLflow: code, data, params, metrics and the skops model.

    Parameters
    ----------
    model : estimator
        The fitted model; saved with :func:`save_model` (skops) as artefact
        ``model/model.skops`` with its sha256 (tag ``model_sha256``).
    experiment : str
        Experiment name; created when missing (artefacts go beside a SQLite store).
    run_name : str
        Human-readable run name.
    params : dict
        Hyper-parameters and settings needed to rebuild the run (JSON-friendly values).
    metrics : dict of str to float
        Finite numeric metrics. Strings go to `tags`.
    dataset : dict
        ``name`` and ``sha256`` of the data (tags ``dataset.name``/``dataset.sha256``);
        an optional ``lineage`` (see :func:`mlkit.lineage.lineage_record`) is stored as the
        artefact ``lineage.json``.
    code : dict, optional
        From :func:`code_info`; default ``code_info()`` (git only).
    tags : dict, optional
        Extra string tags.
    tracking_uri : str, default=""
        See :func:`resolve_tracking_uri`.

    Returns
    -------
    str
        The MLflow run id.

    Raises
    ------
    TrackingError
        For a file-store URI, a dataset without name/sha256, or a non-finite metric.
    """
    import math

    from mlflow.entities import Metric, Param, RunTag

    uri = resolve_tracking_uri(tracking_uri)
    if not isinstance(dataset, dict) or not {"name", "sha256"} <= set(dataset):
        raise TrackingError(
            "The 'dataset' parameter of log_run must be a dict with 'name' and 'sha256' "
            f"(and optionally 'lineage'). Got {dataset!r} instead."
        )
    bad = {
        k: v for k, v in metrics.items() if not isinstance(v, int | float) or not math.isfinite(v)
    }
    if bad:
        raise TrackingError(
            f"Metrics logged by log_run must be finite numbers. Got {bad}. Put strings in "
            "'tags' and fix NaN values upstream."
        )
    code = code_info() if code is None else code
    client = _client(uri)
    exp_id = _experiment_id(client, experiment, uri)
    all_tags = {
        "dataset.name": str(dataset["name"]),
        "dataset.sha256": str(dataset["sha256"]),
        "mlkit.version": str(code.get("mlkit_version")),
        "git_commit": str(code.get("git_commit")),
        "git_dirty": str(code.get("git_dirty")),
        **({"mlflow.source.git.commit": code["git_commit"]} if code.get("git_commit") else {}),
        **({"notebook": str(code["notebook"])} if code.get("notebook") else {}),
        **({"notebook_sha256": code["notebook_sha256"]} if code.get("notebook_sha256") else {}),
        **{k: str(v) for k, v in (tags or {}).items()},
    }
    run = _retry(lambda: client.create_run(exp_id, run_name=run_name, tags=all_tags))
    run_id = run.info.run_id
    try:
        with tempfile.TemporaryDirectory() as tmp:
            model_dir = Path(tmp) / "model"
            digest = save_model(model, model_dir / "model.skops")
            stamp = int(time.time() * 1000)
            _retry(
                lambda: client.log_batch(
                    run_id,
                    metrics=[Metric(k, float(v), stamp, 0) for k, v in metrics.items()],
                    params=[Param(k, _param_str(v)) for k, v in params.items()],
                    tags=[RunTag("model_sha256", digest), RunTag("model_format", "skops")],
                )
            )
            _retry(lambda: client.log_artifacts(run_id, str(model_dir), artifact_path="model"))
            if dataset.get("lineage") is not None:
                lineage = Path(tmp) / "lineage.json"
                lineage.write_text(json.dumps(dataset["lineage"], indent=2, sort_keys=True))
                _retry(lambda: client.log_artifact(run_id, str(lineage)))
        _retry(lambda: client.set_terminated(run_id, "FINISHED"))
    except BaseException:
        _retry(lambda: client.set_terminated(run_id, "FAILED"))
        raise
    return run_id


def training_set_sha256(train, y_train, *, params: dict | None = None) -> str:
    """Return the sha256 of a training set: its row positions, its labels and its recipe.

    Parameters
    ----------
    train : array-like of int of shape (n_train,)
        Row positions of the training samples in the dataset (order matters).
    y_train : array-like of shape (n_train,)
        The labels trained on (may differ from the dataset's, after relabelling).
    params : dict, optional
        The recipe's parameters (JSON-friendly), hashed with the rows.

    Returns
    -------
    str
        Hex sha256 of the canonical JSON of the three.

    Raises
    ------
    ValueError
        If `train` and `y_train` differ in length.

    Examples
    --------
    >>> training_set_sha256([0, 2], [1, 1]) == training_set_sha256([0, 2], [1, 0])
    False
    """
    import numpy as np

    train = np.asarray(train).astype(np.int64).tolist()
    labels = np.asarray(y_train).tolist()
    if len(train) != len(labels):
        raise ValueError(
            f"training_set_sha256 needs one label per training row. Got {len(train)} rows and "
            f"{len(labels)} labels."
        )
    blob = json.dumps({"train": train, "y": labels, "params": params or {}}, sort_keys=True)
    return sha256_bytes(blob.encode("utf-8"))


def _fit_score(name, X, train, y_train, *, y, eval_sets, tags, hyper, random_state):
    import numpy as np

    from mlkit._models import make_model
    from mlkit.modeling import score_sets

    X = np.asarray(X)
    model = make_model(name, random_state=random_state, **(hyper or {}))
    model.fit(X[np.asarray(train, dtype=np.int64)], y_train)
    metrics = {"n_train": len(y_train), **score_sets(model, X, y, eval_sets, tags=tags)}
    return model, metrics


def fit_log_run(
    name: str,
    X,
    y,
    *,
    train,
    y_train=None,
    eval_sets: dict,
    tags=None,
    hyper: dict | None = None,
    recipe: dict | None = None,
    experiment: str,
    run_name: str,
    dataset: dict,
    code: dict | None = None,
    run_tags: dict | None = None,
    tracking_uri: str = "",
    random_state: int = 0,
):
    """Train :func:`mlkit.modeling.make_model` on some rows, score it and log the run.

    The run records what :func:`reproduce_run` needs: params ``model``, ``hyper`` and
    ``random_state``, the ``recipe`` that built the training set, and the tag
    ``train_sha256`` (:func:`training_set_sha256` of the rows, labels and recipe).

    Parameters
    ----------
    name : str
        Model name (see :data:`mlkit.modeling.MODELS`).
    X : array-like of shape (n_samples, n_features)
        Features of the whole dataset.
    y : array-like of shape (n_samples,)
        True labels of the whole dataset (the evaluation truth).
    train : array-like of int
        Row positions to train on.
    y_train : array-like of shape (len(train),), optional
        Labels to train on; default ``y[train]``.
    eval_sets : dict of str to array-like of int
        Evaluation sets; metrics ``<set>_accuracy`` and ``<set>_tag_accuracy_<tag>``
        (see :func:`mlkit.modeling.score_sets`), plus ``n_train``.
    tags : array-like of str of shape (n_samples,), optional
        Tag of every row, for the per-tag metrics.
    hyper : dict, optional
        Hyper-parameters for ``make_model``.
    recipe : dict, optional
        JSON-friendly parameters that rebuild the training set (logged as param ``recipe``).
    experiment, run_name, dataset, code, tracking_uri
        As :func:`log_run`.
    run_tags : dict, optional
        Extra tags (for example ``{"arm": "data-centric"}``); also copied to the returned row.
    random_state : int, default=0
        Seed of the model.

    Returns
    -------
    model : estimator
        The fitted model.
    row : dict
        ``run``, ``run_id``, the `run_tags` and the metrics, one row of a runs table.

    Raises
    ------
    ValueError
        If `train` and `y_train` differ in length, or as :func:`mlkit.modeling.make_model`.
    TrackingError
        As :func:`log_run`.
    """
    import numpy as np

    y = np.asarray(y)
    train = np.asarray(train, dtype=np.int64)
    y_train = y[train] if y_train is None else np.asarray(y_train)
    digest = training_set_sha256(train, y_train, params=recipe)
    model, metrics = _fit_score(
        name,
        X,
        train,
        y_train,
        y=y,
        eval_sets=eval_sets,
        tags=tags,
        hyper=hyper,
        random_state=random_state,
    )
    params = {
        "model": name,
        "hyper": hyper or {},
        "random_state": random_state,
        "recipe": recipe or {},
    }
    run_id = log_run(
        model,
        experiment=experiment,
        run_name=run_name,
        params=params,
        metrics=metrics,
        dataset=dataset,
        code=code,
        tags={"train_sha256": digest, **(run_tags or {})},
        tracking_uri=tracking_uri,
    )
    return model, {"run": run_name, "run_id": run_id, **(run_tags or {}), **metrics}
