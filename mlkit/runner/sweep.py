"""Sweep notebooks over a grid of parameters and seeds on dask.distributed.

``mlkit sweep`` plans every point exactly as ``mlkit run`` plans a run (:func:`plan_run`:
names, types, rules, pairs and paths are checked for every point before anything starts),
then sends each point to a dask worker: by default a ``LocalCluster`` made on the spot
(worker processes, one thread each), or a real cluster given by ``--scheduler`` or
``MLKIT_SCHEDULER``. A worker runs the point with the code of ``mlkit run``
(:mod:`mlkit.runner._sweep_task`) and returns its result and files; only the client writes
the sweep folder (and MLflow, when asked)::

    sweeps/<UTC>-<id>/
        sweep.json          the plan and the sweep's status (for --resume)
        points/<point-id>/  result.json, the executed notebook, figures/
        sweep.csv           one row per point: parameters, status, duration_s, metrics
        claims.csv          per claim: holds on k of n points, Wilson 95 % interval
        index.html          metrics against each swept parameter, claims, failed points
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from mlkit.errors import RunError
from mlkit.runner.config import Config
from mlkit.runner.plan import load_default_config
from mlkit.runner.sweep_plan import (
    SweepPoint,
    describe_values,
    new_sweep_dir,
    plan_sweep,
    read_grid,
)
from mlkit.runner.sweep_report import log_sweep_mlflow, sweep_claims, write_sweep_outputs

__all__ = [
    "SweepPoint",
    "read_grid",
    "plan_sweep",
    "new_sweep_dir",
    "run_sweep",
    "sweep",
    "sweep_claims",
    "run_config_sweeps",
]

# Statuses of a point that has a result; "interrupted" has none, so --resume runs it again.
_DONE = {"ok", "failed", "error", "timeout", "dead_kernel", "output_flood", "worker_died"}


# --------------------------------------------------------------------------- engine


def _scheduler_address(scheduler: str | None) -> str | None:
    return scheduler or os.environ.get("MLKIT_SCHEDULER") or None


def _start_client(scheduler: str | None, n_workers: int | None):
    """Return ``(client, cluster)``: a client of `scheduler`, or of a new LocalCluster."""
    import logging

    import dask
    from distributed import Client, LocalCluster

    # One retry for a point whose worker died: the scheduler gives up on a task after its
    # second worker death (KilledWorker). On a real cluster the scheduler's own setting counts.
    dask.config.set({"distributed.scheduler.allowed-failures": 1})
    address = _scheduler_address(scheduler)
    if address:
        try:
            return Client(address, timeout="20s"), None
        except (OSError, TimeoutError) as exc:
            raise RunError(
                f"Cannot reach the dask scheduler at {address} ({exc}). Start one with "
                "`dask scheduler` and workers with `dask worker tcp://HOST:8786`, or leave "
                "--scheduler/MLKIT_SCHEDULER out for a local cluster."
            ) from None
    n = n_workers or os.cpu_count() or 1
    cluster = LocalCluster(
        n_workers=n,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",  # a free port: several sweeps may share a machine
        silence_logs=logging.ERROR,
        memory_limit=0,  # the kernels, not the worker, hold the memory
    )
    return Client(cluster), cluster


def _payload(point: SweepPoint, config: Config, profile: str, cell_timeout_s) -> dict:
    return {
        "point_id": point.point_id,
        "notebook": point.notebook,
        "filename": point.job.path.name,
        "source": point.job.path.read_text(encoding="utf-8"),
        "parameters": point.job.parameters,
        "profile": profile,
        "config": config,
        "cell_timeout_s": cell_timeout_s,
    }


def _save_point(sweep_dir: Path, point: SweepPoint, out: dict) -> dict:
    """Write a finished point's files and ``result.json``; return the result record."""
    folder = sweep_dir / "points" / point.point_id
    folder.mkdir(parents=True, exist_ok=True)
    for rel, data in out.get("files", {}).items():
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    record = {
        **out["result"],
        "point_id": point.point_id,
        "values": point.values,
        "host": out.get("host"),
        "worker_pid": out.get("pid"),
    }
    tmp = folder / "result.json.tmp"
    tmp.write_text(json.dumps(record, indent=2, default=str), encoding="utf-8")
    tmp.replace(folder / "result.json")
    return record


def _failed_record(point: SweepPoint, status: str, ename: str, evalue: str) -> dict:
    return {
        "notebook": point.notebook,
        "status": status,
        "parameters": point.job.parameters,
        "duration_s": 0.0,
        "metrics": {},
        "error": {
            "kind": status,
            "cell_index": None,
            "first_line": "",
            "ename": ename,
            "evalue": evalue,
        },
        "output": "",
        "figures": [],
        "point_id": point.point_id,
        "values": point.values,
    }


def _read_results(sweep_dir: Path) -> dict[str, dict]:
    out = {}
    for f in sorted((sweep_dir / "points").glob("*/result.json")):
        try:
            rec = json.loads(f.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if rec.get("status") in _DONE:
            out[f.parent.name] = rec
    return out


class _Progress:
    """One progress line: points done, running, failed and the elapsed time."""

    def __init__(self, total: int, echo, *, every_s: float = 10.0):
        self.total, self.echo, self.every_s = total, echo, every_s
        self.t0 = time.perf_counter()
        self.last = (None, 0.0)
        self.tty = echo is print and sys.stdout.isatty()

    def show(self, done: int, running: int, failed: int, *, force: bool = False) -> None:
        now = time.perf_counter()
        state = (done, running, failed)
        if not force and state == self.last[0] and now - self.last[1] < self.every_s:
            return
        self.last = (state, now)
        width = 20
        filled = int(width * done / self.total) if self.total else width
        line = (
            f"[{'#' * filled}{'.' * (width - filled)}] {done}/{self.total} done, "
            f"{running} running, {failed} failed, {now - self.t0:.0f} s"
        )
        if self.tty:
            print("\r" + line, end="", flush=True)
        else:
            self.echo(line)

    def close(self) -> None:
        if self.tty:
            print(flush=True)


def run_sweep(
    points: list[SweepPoint],
    *,
    sweep_dir: Path,
    config: Config,
    profile: str = "ci",
    scheduler: str | None = None,
    n_workers: int | None = None,
    cell_timeout_s: float | None = None,
    plan: dict | None = None,
    mlflow_uri: str | None = None,
    echo=print,
):
    """Run sweep points on dask and write the sweep folder; return one row per point.

    Points that already have a result in `sweep_dir` (``points/<id>/result.json``) are not run
    again, so the same call resumes a stopped sweep.

    Parameters
    ----------
    points : list of SweepPoint
        From :func:`plan_sweep`.
    sweep_dir : pathlib.Path
        From :func:`new_sweep_dir` (or an earlier sweep folder, to resume it).
    config : Config
        The loaded config (claims, project root, per-cell timeout).
    profile : str, default="ci"
        The profile the points were planned with.
    scheduler : str, optional
        Address of a dask scheduler (``tcp://host:8786``); default ``MLKIT_SCHEDULER``, else a
        new LocalCluster.
    n_workers : int, optional
        Workers of the LocalCluster (one thread each); default: the CPU count.
    cell_timeout_s : float, optional
        Per-cell timeout in seconds; default: the config's.
    plan : dict, optional
        What planned the points (notebooks, grid, seeds, overrides), stored in sweep.json.
    mlflow_uri : str, optional
        Log one MLflow run per point to this tracking URI, tagged with the sweep id.
    echo : callable, default=print
        Where progress lines go.

    Returns
    -------
    pandas.DataFrame
        One row per point: ``point_id, notebook``, the swept values, ``status, duration_s,
        error`` and every recorded metric (also written as ``sweep.csv``). ``df.attrs`` holds
        ``sweep_dir``, ``status`` (complete or interrupted) and ``claims`` (the claims.csv
        rows).

    Raises
    ------
    KeyboardInterrupt
        Re-raised after a Ctrl-C, once the workers are stopped and the folder is coherent
        (every finished point saved; sweep.json says ``interrupted``; sweep.csv, claims.csv
        and index.html written).
    """
    from distributed import wait
    from distributed.scheduler import KilledWorker

    sweep_dir = Path(sweep_dir)
    (sweep_dir / "points").mkdir(parents=True, exist_ok=True)
    meta_path = sweep_dir / "sweep.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
    meta.update(
        {
            "sweep_id": sweep_dir.name,
            "profile": profile,
            "config": str(config.path),
            "plan": plan if plan is not None else meta.get("plan", {}),
            "points": [
                {"point_id": p.point_id, "notebook": p.notebook, "values": p.values} for p in points
            ],
            "status": "running",
        }
    )
    meta.setdefault("started_utc", datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    _write_json(meta_path, meta)
    results = _read_results(sweep_dir)
    todo = [p for p in points if p.point_id not in results]
    if results:
        echo(f"mlkit sweep: {len(results)} point(s) already have a result; running {len(todo)}.")
    progress = _Progress(len(points), echo)
    failed = sum(r["status"] != "ok" for r in results.values())
    t0 = time.perf_counter()
    status = "complete"
    client = cluster = None
    try:
        if todo:
            client, cluster = _start_client(scheduler, n_workers)
            meta["scheduler"] = client.scheduler.address
            meta["n_workers"] = len(client.scheduler_info().get("workers", {}))
            _write_json(meta_path, meta)
            from mlkit.runner._sweep_task import run_point

            by_key = {}
            futures = []
            for p in todo:
                fut = client.submit(
                    run_point,
                    _payload(p, config, profile, cell_timeout_s),
                    key=f"mlkit-{sweep_dir.name}-{p.point_id}",
                    pure=False,
                )
                by_key[fut.key] = p
                futures.append(fut)
            remaining = set(futures)

            def running() -> int:
                try:
                    busy = client.processing()
                except Exception:  # noqa: BLE001 - the count is cosmetic
                    return 0
                keys = {f.key for f in remaining}
                return sum(k in keys for ks in busy.values() for k in ks)

            progress.show(len(results), running(), failed, force=True)
            while remaining:
                try:
                    finished, _ = wait(
                        remaining, timeout=progress.every_s, return_when="FIRST_COMPLETED"
                    )
                except TimeoutError:  # no point finished meanwhile: say we are alive
                    progress.show(len(results), running(), failed)
                    continue
                for fut in finished:
                    remaining.discard(fut)
                    point = by_key[fut.key]
                    rec = _collect(fut, point, sweep_dir, KilledWorker)
                    results[point.point_id] = rec
                    if rec["status"] != "ok":
                        failed += 1
                        echo(_point_error_line(point, rec))
                progress.show(len(results), running(), failed, force=True)
    except KeyboardInterrupt:
        status = "interrupted"
        progress.close()
        echo("mlkit sweep: interrupted; stopping the workers (finished points are kept).")
    finally:
        if client is not None:
            try:
                client.close(timeout=10)
            except Exception:  # noqa: BLE001 - closing after an interrupt may race
                pass
        if cluster is not None:
            try:
                cluster.close(timeout=20)
            except Exception:  # noqa: BLE001
                pass
    progress.close()
    meta["status"] = status
    meta["wall_s"] = round(meta.get("wall_s", 0.0) + time.perf_counter() - t0, 2)
    meta["finished_utc"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    df, claims = write_sweep_outputs(sweep_dir, points, results, config, profile, meta)
    _write_json(meta_path, meta)
    if mlflow_uri and status == "complete":
        log_sweep_mlflow(mlflow_uri, sweep_dir.name, points, results)
    if status == "interrupted":
        raise KeyboardInterrupt
    return df


def _collect(fut, point: SweepPoint, sweep_dir: Path, killed_worker) -> dict:
    """Save a finished future's point and return its record (a failure is a record too)."""
    try:
        return _save_point(sweep_dir, point, fut.result())
    except killed_worker as exc:
        rec = _failed_record(
            point,
            "worker_died",
            "KilledWorker",
            "the dask worker running this point died, and again on its retry "
            f"({exc}); often out of memory or a crash in native code",
        )
    except Exception as exc:  # noqa: BLE001 - any task error is the point's result
        rec = _failed_record(point, "error", type(exc).__name__, str(exc)[:4000])
    _write_json(sweep_dir / "points" / point.point_id / "result.json", rec)
    return rec


def _point_error_line(point: SweepPoint, rec: dict) -> str:
    err = rec.get("error") or {}
    cell = err.get("cell_index")
    where = f"cell {cell}" if cell is not None else "an unknown cell"
    lines = str(err.get("evalue") or "").strip().splitlines()
    return (
        f"point {point.point_id} ({describe_values(point.values)}): {rec['status'].upper()} in "
        f"{where}: {err.get('ename', '')}: {lines[0] if lines else ''}"
    )


def _write_json(path: Path, doc) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(doc, indent=2, default=str), encoding="utf-8")
    tmp.replace(path)


# --------------------------------------------------------------------------- front doors


def sweep(
    notebooks=None,
    *,
    profile: str = "ci",
    parameters: dict | None = None,
    cli_params: list[tuple[str, str]] | None = None,
    grid: dict | str | os.PathLike | None = None,
    seeds: int | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    out: str | os.PathLike | None = None,
    sweeps_dir: str | os.PathLike | None = None,
    resume: str | os.PathLike | None = None,
    config: str | os.PathLike | Config | None = None,
    cell_timeout_s: float | None = None,
    mlflow_uri: str | None = None,
    echo=print,
):
    """Run notebooks over a grid of parameters and seeds on dask; return one row per point.

    Parameters
    ----------
    notebooks : str, path-like or list of them
        Notebooks to sweep. Not needed with `resume`.
    profile : str, default="ci"
        Parameter profile of ``nbs_ci.yml`` (also chooses the claims counted).
    parameters : dict, optional
        Fixed overrides for every point (as ``-f params.yaml``).
    cli_params : list of (name, raw string), optional
        Fixed ``-p NAME VALUE`` overrides, converted to the annotated types.
    grid : dict or path-like, optional
        Parameter -> list of values, or a YAML file holding that mapping.
    seeds : int, optional
        Adds ``random_state`` 0..seeds-1 to the grid.
    scheduler : str, optional
        Dask scheduler address (``tcp://host:8786``); default ``MLKIT_SCHEDULER``, else a new
        LocalCluster.
    workers : int, optional
        LocalCluster workers (one thread each); default: the CPU count.
    out : path-like, optional
        Sweep folder to create (must not exist); default ``<sweeps_dir>/<UTC>-<id>``.
    sweeps_dir : path-like, optional
        Parent of generated sweep folders; default ``sweeps/`` under the project root.
    resume : path-like, optional
        An earlier sweep folder: plan it again from its sweep.json and run only the points
        without a result.
    config : path-like or Config, optional
        ``nbs_ci.yml``; default: the cwd's, else the project root's.
    cell_timeout_s : float, optional
        Per-cell timeout in seconds; default: the config's.
    mlflow_uri : str, optional
        Also log one MLflow run per point (tagged ``mlkit.sweep_id``) to this tracking URI.
    echo : callable, default=print
        Where progress lines go.

    Returns
    -------
    pandas.DataFrame
        One row per point (see :func:`run_sweep`); ``df.attrs["sweep_dir"]`` is the folder.

    Raises
    ------
    RunError
        Before anything starts, for any point ``mlkit run`` would refuse, a bad grid or seed
        count, an existing `out`, or a `resume` folder that is not a sweep.
    FileNotFoundError
        For a notebook or grid file that does not exist.

    Examples
    --------
    >>> import mlkit
    >>> mlkit.sweep(["tests/fixtures/sweep/sweepnb.ipynb"], seeds=0)  # doctest: +SKIP
    Traceback (most recent call last):
    RunError: --seeds must be an integer >= 1. Got 0 instead.
    """
    if isinstance(config, Config):
        cfg = config
    else:
        cfg = load_default_config(config)
    if resume is not None:
        sweep_dir = Path(resume)
        meta_path = sweep_dir / "sweep.json"
        if not meta_path.is_file():
            raise RunError(
                f"--resume {sweep_dir}: no sweep.json there, so it is not a sweep folder of "
                "`mlkit sweep`. Name a folder under sweeps/."
            )
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        plan = meta.get("plan") or {}
        profile = meta.get("profile", profile)
        notebooks = [
            cfg.root / nb if not Path(nb).is_absolute() else nb for nb in plan.get("notebooks", [])
        ]
        points = plan_sweep(
            cfg,
            notebooks=notebooks,
            profile=profile,
            cli_params=[tuple(x) for x in plan.get("cli_params") or []],
            file_params=plan.get("file_params"),
            grid=plan.get("grid"),
            seeds=plan.get("seeds"),
        )
        saved = [p["point_id"] for p in meta.get("points", [])]
        if saved and saved != [p.point_id for p in points]:
            raise RunError(
                f"--resume {sweep_dir}: the notebooks or nbs_ci.yml changed since the sweep "
                "started, so its points no longer match. Start a new sweep."
            )
    else:
        if notebooks is None:
            raise RunError("mlkit sweep needs at least one notebook (or --resume DIR).")
        if isinstance(notebooks, str | os.PathLike):
            notebooks = [notebooks]
        if grid is not None and not isinstance(grid, dict):
            grid = read_grid(grid)
        points = plan_sweep(
            cfg,
            notebooks=notebooks,
            profile=profile,
            cli_params=cli_params,
            file_params=parameters,
            grid=grid,
            seeds=seeds,
        )
        from mlkit.runner.plan import rel_path

        plan = {
            "notebooks": [rel_path(Path(nb), cfg.root) for nb in notebooks],
            "cli_params": [list(x) for x in cli_params or []],
            "file_params": parameters or {},
            "grid": grid or {},
            "seeds": seeds,
        }
        base = Path(sweeps_dir) if sweeps_dir else cfg.root / "sweeps"
        sweep_dir = new_sweep_dir(base, out=out)
    if workers is not None and (
        isinstance(workers, bool) or not isinstance(workers, int) or workers < 1
    ):
        raise RunError(f"--workers must be an integer >= 1. Got {workers!r} instead.")
    echo(f"mlkit sweep: {len(points)} point(s), profile {profile!r} -> {sweep_dir}")
    return run_sweep(
        points,
        sweep_dir=sweep_dir,
        config=cfg,
        profile=profile,
        scheduler=scheduler,
        n_workers=workers,
        cell_timeout_s=cell_timeout_s,
        plan=plan,
        mlflow_uri=mlflow_uri,
        echo=echo,
    )


def run_config_sweeps(
    config: Config,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    sweeps_dir: str | os.PathLike | None = None,
    echo=print,
) -> list[dict]:
    """Run every sweep of ``nbs_ci.yml``'s ``sweeps:`` section and check the claims' shares.

    Returns
    -------
    list of dict
        The claims rows of every sweep (see :func:`sweep_claims`), each with ``sweep_dir``;
        ``ok`` is False where a claim held on fewer points than its required share.
    """
    rows = []
    for nb, spec in config.sweeps.items():
        df = sweep(
            [config.root / nb],
            profile=spec.profile,
            parameters=spec.parameters,
            grid=spec.grid or None,
            seeds=spec.seeds,
            scheduler=scheduler,
            workers=workers,
            sweeps_dir=sweeps_dir,
            config=config,
            echo=echo,
        )
        for row in df.attrs["claims"]:
            if row["claim"] in spec.claims:
                rows.append({**row, "sweep_dir": df.attrs["sweep_dir"]})
    return rows
