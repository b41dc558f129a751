"""The task a sweep sends to a dask worker: run one point, return its files as bytes.

Workers share no file system with the client. The client sends the notebook's text and its
validated parameters; the worker writes them into a temporary folder of its own, runs the
point with :func:`mlkit.runner.execute.execute_run` (the very code behind ``mlkit run``: own
worker process, own kernel, own kernelspec folder) and returns the result, the executed
notebook and the figures as bytes. The temporary folder is removed afterwards.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import time
from dataclasses import asdict, replace
from pathlib import Path

__all__: list[str] = []


def _silent(*_args, **_kwargs) -> None:
    return None


def run_point(payload: dict) -> dict:
    """Execute one sweep point on this machine and return its outputs.

    Parameters
    ----------
    payload : dict
        ``point_id``, ``notebook`` (its name in the sweep), ``filename``, ``source`` (the
        notebook's JSON text), ``parameters`` (validated values), ``profile``, ``config``
        (the client's :class:`~mlkit.runner.config.Config`) and ``cell_timeout_s``.

    Returns
    -------
    dict
        ``point_id``, ``result`` (a :class:`~mlkit.runner.execute.NotebookResult` as a dict,
        its paths relative to the point's folder), ``files`` (relative path -> bytes: the
        executed notebook and the figures), ``host``, ``pid`` and ``wall_s``.
    """
    from mlkit.paths import project_root
    from mlkit.runner.execute import execute_run
    from mlkit.runner.plan import NotebookJob

    t0 = time.perf_counter()
    config = payload["config"]
    if not Path(config.root).is_dir():  # another machine: its own checkout of the kit
        config = replace(config, root=project_root())
    tmp = Path(tempfile.mkdtemp(prefix=f"mlkit-point-{payload['point_id']}-"))
    saved = {k: os.environ.get(k) for k in ("TMPDIR", "JUPYTER_RUNTIME_DIR")}
    try:
        work, run_dir = tmp / "work", tmp / "run"
        for sub in (work, run_dir, tmp / "tmp", tmp / "runtime"):
            sub.mkdir()
        nb_path = work / payload["filename"]
        nb_path.write_text(payload["source"], encoding="utf-8")
        # The kernel inherits these: temp files and connection files stay in the point's folder
        # (one thread per worker, so no other point of this process reads them meanwhile).
        os.environ["TMPDIR"] = str(tmp / "tmp")
        os.environ["JUPYTER_RUNTIME_DIR"] = str(tmp / "runtime")
        job = NotebookJob(payload["notebook"], nb_path, dict(payload["parameters"]))
        results = execute_run(
            [job],
            run_dir=run_dir,
            config=config,
            profile=payload["profile"],
            n_jobs=1,
            cell_timeout_s=payload.get("cell_timeout_s"),
            echo=_silent,
            heartbeat_s=0,
            threads_per_kernel=1,
        )
        result = asdict(results[payload["notebook"]])
        files = {}
        for rel in [result["output"], *result["figures"]]:
            if rel and (run_dir / rel).is_file():
                files[rel] = (run_dir / rel).read_bytes()
        return {
            "point_id": payload["point_id"],
            "result": result,
            "files": files,
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "wall_s": round(time.perf_counter() - t0, 3),
        }
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        shutil.rmtree(tmp, ignore_errors=True)
