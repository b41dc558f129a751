"""The tracking store: URI resolution, SQLite store creation and caching, lock retries.

The default store is a SQLite file in the run folder (:func:`mlkit.paths.run_dir`:
``$MLKIT_RUN_DIR/mlflow.db`` under ``mlkit run``, ``runs/interactive/mlflow.db`` in an
interactive session); MLflow's deprecated file store is refused. Several processes may write to
one SQLite store at once: writes that meet "database is locked" are retried with exponential
backoff.
"""

from __future__ import annotations

import logging
import os
import random
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from mlkit.errors import TrackingError

__all__ = ["resolve_tracking_uri", "retry_stats"]

_LOCK_MARKERS = ("database is locked", "database table is locked", "database is busy")
_RETRY_STATS = {"calls": 0, "retries": 0, "wait_s": 0.0}
_NON_SQL_SCHEMES = ("http://", "https://", "databricks", "postgresql", "mysql", "mssql")


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
        Folder of the default store. Default: :func:`mlkit.paths.run_dir`, that is
        ``$MLKIT_RUN_DIR`` (set by ``mlkit run``), else ``<project root>/runs/interactive``
        (ignored by git).

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
    if not run_dir:
        from mlkit import paths

        run_dir = paths.run_dir(create=False)
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
