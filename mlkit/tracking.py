"""Experiment tracking and model persistence: MLflow runs with a SQLite store, skops files.

Models are saved with skops (not pickle) next to their sha256, and loaded only after the
checksum matches and every type in the file is trusted.

Every tracked run records its code version (git commit, dirty flag, the notebook's content
hash), its dataset (name, sha256, lineage), hyper-parameters, metrics and the skops model
with its sha256, so that it can be pulled back and reproduced. The default store is a SQLite
file in the run folder (``$MLKIT_RUN_DIR/mlflow.db``); MLflow's deprecated file store is
refused. Several processes may write to one SQLite store at once: writes that meet
"database is locked" are retried with exponential backoff.
"""

from __future__ import annotations

import json
import logging
import os
import random
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from mlkit.errors import ModelIntegrityError, TrackingError
from mlkit.lineage import sha256_bytes

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
]

_LOCK_MARKERS = ("database is locked", "database table is locked", "database is busy")
_RETRY_STATS = {"calls": 0, "retries": 0, "wait_s": 0.0}
_NON_SQL_SCHEMES = ("http://", "https://", "databricks", "postgresql", "mysql", "mssql")


def save_model(model, path: str | os.PathLike) -> str:
    """Save a fitted scikit-learn model with skops and return the file's sha256.

    Parameters
    ----------
    model : estimator
        A fitted scikit-learn estimator or Pipeline.
    path : path-like
        Target ``.skops`` file. It must not exist yet (models are never overwritten).

    Returns
    -------
    str
        Hex sha256 of the written file; also written to ``<path>.sha256``.

    Raises
    ------
    FileExistsError
        If `path` exists.
    """
    import skops.io as sio

    path = Path(path)
    if path.exists():
        raise FileExistsError(
            f"Model file {path} already exists; models are never overwritten. Choose a new name."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    data = sio.dumps(model)
    with open(path, "xb") as fh:
        fh.write(data)
    digest = sha256_bytes(data)
    Path(f"{path}.sha256").write_text(f"{digest}  {path.name}\n", encoding="utf-8")
    return digest


def load_model(
    path: str | os.PathLike, *, sha256: str | None = None, trusted: list[str] | None = None
):
    """Load a skops model after checking its sha256 and that all its types are trusted.

    The file is read once; the checksum, the type check and the loading all use those
    bytes, so a file replaced on disk between the check and the load cannot slip through.

    Parameters
    ----------
    path : path-like
        The ``.skops`` file.
    sha256 : str, optional
        Expected hex digest. Default: read from ``<path>.sha256`` (required to exist).
    trusted : list of str, optional
        Extra fully qualified type names to trust beyond skops' defaults (scikit-learn,
        numpy, scipy types). Anything else in the file is refused.

    Returns
    -------
    estimator

    Raises
    ------
    FileNotFoundError
        If the model or its checksum file is missing.
    ModelIntegrityError
        If the checksum differs (a tampered or truncated file) or the file holds types that
        are not trusted.
    """
    import skops.io as sio

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"Model file {path} does not exist.")
    if sha256 is None:
        side = Path(f"{path}.sha256")
        if not side.is_file():
            raise FileNotFoundError(
                f"No checksum for {path}: pass sha256=... or keep {side.name} beside the model."
            )
        sha256 = side.read_text(encoding="utf-8").split()[0]
    # one read: the bytes that are hashed are the bytes that are inspected and loaded, so the
    # file cannot be swapped between the check and the use
    data = path.read_bytes()
    got = sha256_bytes(data)
    if got != sha256:
        raise ModelIntegrityError(
            f"Model file {path} does not match its sha256 (expected {sha256[:12]}..., got "
            f"{got[:12]}...). It was changed after saving; refusing to load it. Re-train or "
            "restore the original file."
        )
    untrusted = sio.get_untrusted_types(data=data)
    extra = set(untrusted) - set(trusted or [])
    if extra:
        raise ModelIntegrityError(
            f"Model file {path} holds types that are not trusted: {sorted(extra)}. Inspect them; "
            "pass trusted=[...] only for types you know are safe."
        )
    return sio.loads(data, trusted=list(untrusted))


# --------------------------------------------------------------------------- store


def resolve_tracking_uri(
    tracking_uri: str = "", *, run_dir: str | os.PathLike | None = None
) -> str:
    """Return the MLflow tracking URI to use: the given one, or a SQLite file in the run folder.

    Parameters
    ----------
    tracking_uri : str, default=""
        ``""`` for the default store; otherwise a database URI (``sqlite:///path/mlflow.db``,
        ``postgresql://...``) or a tracking server (``http://host:5000``).
    run_dir : path-like, optional
        Folder of the default store. Default: ``$MLKIT_RUN_DIR`` (set by ``mlkit run``), else
        ``<project root>/runs/mlflow`` (ignored by git).

    Returns
    -------
    str
        The URI; for the default store ``sqlite:///<folder>/mlflow.db``.

    Raises
    ------
    TrackingError
        If `tracking_uri` names MLflow's file store (a plain path or ``file:``), which is
        deprecated and not safe for concurrent writers.

    Examples
    --------
    >>> resolve_tracking_uri(run_dir="/tmp/run1")
    'sqlite:////tmp/run1/mlflow.db'
    """
    uri = (tracking_uri or "").strip()
    if uri:
        if uri.startswith("sqlite:") or uri.startswith(_NON_SQL_SCHEMES):
            return uri
        raise TrackingError(
            f"The 'tracking_uri' parameter must be a database or server URI such as "
            f"'sqlite:///runs/mlflow.db' or 'http://localhost:5000'. Got {uri!r}, which would "
            "be MLflow's deprecated file store. Use 'sqlite:///<folder>/mlflow.db' instead."
        )
    if run_dir is None:
        run_dir = os.environ.get("MLKIT_RUN_DIR")
    if not run_dir:
        from mlkit.paths import project_root

        run_dir = project_root() / "runs" / "mlflow"
    folder = Path(run_dir).expanduser().resolve()
    return f"sqlite:///{folder / 'mlflow.db'}"


def _sqlite_path(uri: str) -> Path | None:
    if not uri.startswith("sqlite:///"):
        return None
    path = uri[len("sqlite:///") :].split("?", 1)[0]
    return None if path in ("", ":memory:") else Path(path)


def _cache_dir() -> Path:
    env = os.environ.get("MLKIT_CACHE_DIR")
    if env:
        return Path(env)
    from mlkit.paths import project_root

    return project_root() / ".mlkit_cache"


def _quiet_mlflow():
    """Import mlflow with telemetry off and its schema-migration chatter silenced."""
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    for name in ("alembic", "mlflow.store.db.utils", "mlflow.store.db", "mlflow.tracking"):
        logging.getLogger(name).setLevel(logging.WARNING)
    import mlflow

    return mlflow


def _template_store() -> Path:
    """Return an empty, fully migrated SQLite store for this MLflow version (built once).

    MLflow creates a new SQLite store by replaying every schema migration (about 8 s); a
    copy of an empty store made by MLflow itself is equivalent and takes milliseconds.
    """
    mlflow = _quiet_mlflow()
    folder = _cache_dir() / "mlflow"
    target = folder / f"empty-store-mlflow-{mlflow.__version__}.db"
    if target.is_file():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore

    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        built = Path(tmp) / "store.db"
        store = SqlAlchemyStore(f"sqlite:///{built}", str(Path(tmp) / "artifacts"))
        store.engine.dispose()
        packed = Path(tmp) / "packed.db"
        with sqlite3.connect(built) as con:
            con.execute("VACUUM INTO ?", (str(packed),))
        con.close()
        try:
            os.link(packed, target)  # atomic: concurrent builders agree on one file
        except FileExistsError:
            pass
    return target


def _prepare_store(uri: str) -> None:
    """Create the parent folder of a SQLite store and seed a new store from the template."""
    path = _sqlite_path(uri)
    if path is None or path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    template = _template_store()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".mlflow-", suffix=".db")
    os.close(fd)
    try:
        shutil.copyfile(template, tmp)
        try:
            os.link(tmp, path)  # never replaces a store another process created meanwhile
        except FileExistsError:
            pass
    finally:
        os.unlink(tmp)


def _client(uri: str):
    _quiet_mlflow()
    from mlflow.tracking import MlflowClient

    _prepare_store(uri)
    return _retry(lambda: MlflowClient(tracking_uri=uri))


def _retry(call, *, attempts: int = 12, base_s: float = 0.05, max_s: float = 2.0):
    """Run `call`, retrying with jittered exponential backoff while SQLite is locked."""
    _RETRY_STATS["calls"] += 1
    for attempt in range(attempts):
        try:
            return call()
        except Exception as exc:
            text = str(exc).lower()
            if attempt == attempts - 1 or not any(m in text for m in _LOCK_MARKERS):
                raise
            wait = min(max_s, base_s * 2**attempt) * (0.5 + random.random())
            _RETRY_STATS["retries"] += 1
            _RETRY_STATS["wait_s"] += wait
            time.sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover


def retry_stats(*, reset: bool = False) -> dict:
    """Return how many tracking calls this process made and how often SQLite was locked.

    Parameters
    ----------
    reset : bool, default=False
        Zero the counters after reading them.

    Returns
    -------
    dict
        ``calls``, ``retries`` (calls repeated after "database is locked") and ``wait_s``
        (total backoff in seconds).
    """
    out = dict(_RETRY_STATS)
    if reset:
        _RETRY_STATS.update(calls=0, retries=0, wait_s=0.0)
    return out


def _experiment_id(client, name: str, uri: str) -> str:
    exp = _retry(lambda: client.get_experiment_by_name(name))
    if exp is not None:
        return exp.experiment_id
    path = _sqlite_path(uri)
    location = None
    if path is not None:
        # keep artifacts beside the store, never in an ./mlruns folder of the cwd
        location = (path.parent / "mlartifacts").as_uri()
    try:
        return _retry(lambda: client.create_experiment(name, artifact_location=location))
    except Exception as exc:  # another process created it first
        exp = _retry(lambda: client.get_experiment_by_name(name))
        if exp is None:
            raise TrackingError(f"Could not create the MLflow experiment {name!r}: {exc}") from exc
        return exp.experiment_id


# --------------------------------------------------------------------------- code version


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


# --------------------------------------------------------------------------- runs


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


# --------------------------------------------------------------------------- train, log, reproduce


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
