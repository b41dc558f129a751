"""Execute notebooks: launch one worker process per notebook, and the worker itself.

The runner writes a job file per notebook and starts ``python -m mlkit.runner._worker JOB.json``.
The job file names the input, output, parameters, working directory and per-cell timeout; the
worker runs papermill and writes its result to the path the job gives as ``result``. Running
each notebook in its own process keeps a crashed or hung kernel from taking the runner down
with it.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from mlkit.recording import METRIC_MIME
from mlkit.runner._worker import _is_source_cell
from mlkit.runner.config import Config
from mlkit.runner.plan import NotebookJob, rel_path
from mlkit.runner.report import describe_error, write_metrics

__all__ = [
    "NotebookResult",
    "RunInterrupted",
    "execute_run",
    "kernel_env",
    "output_names",
    "read_metrics",
]

_WORKER = "mlkit.runner._worker"


@dataclass
class NotebookResult:
    """What one notebook's execution left: status, timing, metrics and error summary."""

    notebook: str
    status: str
    parameters: dict
    duration_s: float
    metrics: dict
    error: dict | None
    output: str
    figures: list = field(default_factory=list)
    overridden: list = field(default_factory=list)
    outputs: list = field(default_factory=list)


def kernel_env(
    run_dir: Path,
    *,
    kernel_dir: Path,
    threads: int,
    project_root: Path,
    die_with_parent: bool = False,
) -> dict:
    """Return the environment for headless kernels.

    A ``python3`` kernelspec that runs this very interpreter is put first on JUPYTER_PATH, so
    the kernel always has mlkit installed, whatever other kernels the machine has.
    MPLBACKEND is removed (a non-inline backend would make figures vanish from outputs).
    With `die_with_parent`, the kernel is started through :mod:`mlkit.runner._kernel`, so it
    ends when the worker that started it ends (even when the worker is killed).
    """
    spec_dir = kernel_dir / "kernels" / "python3"
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [
            sys.executable,
            "-m",
            "mlkit.runner._kernel" if die_with_parent else "ipykernel_launcher",
            "-f",
            "{connection_file}",
        ],
        "display_name": "Python 3 (mlkit)",
        "language": "python",
        "metadata": {"debugger": True},
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1), encoding="utf-8")
    env = dict(os.environ)
    env.pop("MPLBACKEND", None)
    env["JUPYTER_PATH"] = os.pathsep.join(
        [str(kernel_dir)] + ([env["JUPYTER_PATH"]] if env.get("JUPYTER_PATH") else [])
    )
    env["MLKIT_HEADLESS"] = "1"
    env["MLKIT_RUN_DIR"] = str(run_dir.resolve())
    env["MLKIT_PROJECT_ROOT"] = str(project_root.resolve())
    env["PYTHONHASHSEED"] = "0"
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
        env[var] = str(threads)
    return env


def _load_notebook(path: str | os.PathLike) -> dict:
    """Return the notebook's JSON, or an empty notebook when it is missing or unreadable."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _metrics_of(nb: dict) -> tuple[dict, list[str]]:
    metrics, dups = {}, []
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []) or []:
            data = out.get("data", {})
            if METRIC_MIME in data:
                item = data[METRIC_MIME]
                if item["name"] in metrics:
                    dups.append(item["name"])
                metrics[item["name"]] = item["value"]
    return metrics, dups


def read_metrics(notebook_path: str | os.PathLike) -> tuple[dict, list[str]]:
    """Read the metrics a notebook recorded with :func:`mlkit.record` from its outputs.

    Parameters
    ----------
    notebook_path : path-like
        An executed notebook (``.ipynb``). A missing or unreadable file has no metrics.

    Returns
    -------
    metrics : dict
        Name to value; a name recorded more than once keeps its last value.
    duplicates : list of str
        Names recorded more than once.
    """
    return _metrics_of(_load_notebook(notebook_path))


def _extract_figures(nb: dict, fig_dir: Path, run_dir: Path) -> list[str]:
    paths = []
    source_index = -1  # index in the notebook the user edits: papermill's own cells do not count
    for cell in nb.get("cells", []):
        if not _is_source_cell(cell):
            continue
        source_index += 1
        ci = source_index
        for oi, out in enumerate(cell.get("outputs", []) or []):
            png = out.get("data", {}).get("image/png")
            if png:
                fig_dir.mkdir(parents=True, exist_ok=True)
                target = fig_dir / f"cell{ci:02d}_{oi}.png"
                target.write_bytes(base64.b64decode("".join(png) if isinstance(png, list) else png))
                paths.append(rel_path(target, run_dir))
    return paths


def output_names(jobs: list[NotebookJob]) -> dict[str, str]:
    """Return a unique executed-notebook stem per job: the file's stem, or its path when two share one.

    ``a/t.ipynb`` and ``b/t.ipynb`` in one run become ``a__t`` and ``b__t``, so neither
    overwrites the other's executed notebook, figures or job files.
    """
    stems = [Path(j.notebook).stem for j in jobs]
    names = {}
    for job, stem in zip(jobs, stems, strict=True):
        if stems.count(stem) > 1:
            stem = str(Path(job.notebook).with_suffix("")).strip("/").replace("/", "__")
            stem = stem.replace("\\", "__").replace(":", "")
        names[job.notebook] = stem
    return names


@dataclass
class _Running:
    job: NotebookJob
    stem: str
    proc: subprocess.Popen
    out: Path
    result_file: Path
    cell_file: Path
    pid_file: Path
    log: Path
    start: float


def _start_one(
    job: NotebookJob, stem: str, run_dir: Path, env: dict, cell_timeout_s: float, limits: dict
) -> _Running:
    out = run_dir / f"{stem}.ipynb"
    work = run_dir / ".jobs"
    work.mkdir(exist_ok=True)
    job_file, result_file = work / f"{stem}.job.json", work / f"{stem}.result.json"
    cell_file, pid_file = work / f"{stem}.cell.json", work / f"{stem}.kernel.pid"
    job_file.write_text(
        json.dumps(
            {
                "input": str(job.path.resolve()),
                "output": str(out.resolve()),
                "parameters": job.parameters,
                "cwd": str(job.path.resolve().parent),
                "cell_timeout_s": cell_timeout_s,
                "result": str(result_file.resolve()),
                "cell_file": str(cell_file.resolve()),
                "kernel_pid_file": str(pid_file.resolve()),
                "parent_pid": os.getpid(),
                **limits,
            }
        ),
        encoding="utf-8",
    )
    log = work / f"{stem}.log"
    with open(log, "w", encoding="utf-8") as fh:
        # A session of its own: a Ctrl-C in the terminal reaches the runner only, which then
        # stops every worker and kernel itself (and reports them as interrupted).
        proc = subprocess.Popen(
            [sys.executable, "-m", _WORKER, str(job_file)],
            env=env,
            stdout=fh,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return _Running(
        job, stem, proc, out, result_file, cell_file, pid_file, log, time.perf_counter()
    )


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _kill_group(pid: int, sig: int = signal.SIGKILL) -> None:
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError, OSError):
        pass


def _stop(running: _Running, *, grace_s: float = 2.0) -> None:
    """Stop a worker and its kernel: SIGTERM, then SIGKILL to both process groups."""
    if running.proc.poll() is None:
        _kill_group(running.proc.pid, signal.SIGTERM)
        try:
            running.proc.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            _kill_group(running.proc.pid, signal.SIGKILL)
            running.proc.wait()
    try:
        kernel_pid = int(running.pid_file.read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return
    _kill_group(kernel_pid, signal.SIGKILL)


def _finish_one(running: _Running, run_dir: Path, *, interrupted: bool = False) -> NotebookResult:
    job, out = running.job, running.out
    res = None if interrupted else _read_json(running.result_file)
    if interrupted:
        cell = _read_json(running.cell_file) or {}
        res = {
            "status": "interrupted",
            "error": {
                "kind": "interrupted",
                "cell_index": cell.get("cell_index"),
                "execution_count": None,
                "first_line": cell.get("first_line", ""),
                "ename": "Interrupted",
                "evalue": "the run was stopped (SIGINT/SIGTERM) while this cell was running; "
                "the worker and its kernel were stopped",
            },
        }
    elif res is None:
        tail = running.log.read_text(encoding="utf-8", errors="replace")[-2000:]
        cell = _read_json(running.cell_file) or {}
        res = {
            "status": "error",
            "error": {
                "kind": "runner",
                "cell_index": cell.get("cell_index"),
                "first_line": cell.get("first_line", ""),
                "ename": f"runner exit code {running.proc.returncode}",
                "evalue": tail,
            },
        }
    executed = _load_notebook(out)
    metrics, dups = _metrics_of(executed)
    if dups and res["status"] == "ok":
        res["status"] = "failed"
        res["error"] = {
            "kind": "exception",
            "cell_index": None,
            "first_line": "",
            "ename": "DuplicateMetric",
            "evalue": f"metric(s) recorded more than once: {', '.join(sorted(set(dups)))}",
        }
    figures = _extract_figures(executed, run_dir / "figures" / running.stem, run_dir)
    return NotebookResult(
        notebook=job.notebook,
        status=res["status"],
        parameters=job.parameters,
        duration_s=round(time.perf_counter() - running.start, 2),
        metrics=metrics,
        error=res.get("error"),
        output=rel_path(out, run_dir),
        figures=figures,
        overridden=job.overridden,
        outputs=res.get("outputs") or [],
    )


class RunInterrupted(Exception):
    """Raised inside the runner when it receives SIGTERM (SIGINT raises KeyboardInterrupt)."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _raise_interrupted(signum, frame):
    raise RunInterrupted(signum)


def execute_run(
    jobs: list[NotebookJob],
    *,
    run_dir: Path,
    config: Config,
    profile: str,
    n_jobs: int | None = None,
    cell_timeout_s: float | None = None,
    echo=print,
    heartbeat_s: float = 20.0,
    threads_per_kernel: int | None = None,
    iopub_timeout_s: int = 30,
    max_output_chars: int = 200_000,
) -> dict[str, NotebookResult]:
    """Execute notebooks in parallel kernels into `run_dir`, writing metrics.json as they finish.

    Parameters
    ----------
    jobs : list of NotebookJob
        From :func:`plan_run`.
    run_dir : pathlib.Path
        A new folder from :func:`new_run_dir`.
    config : Config
        The loaded config (for the project root and default per-cell timeout).
    profile : str
        Profile name, recorded in metrics.json.
    n_jobs : int, optional
        Parallel kernels; default: the CPU count.
    cell_timeout_s : float, optional
        Per-cell timeout in seconds; default: the config's ``cell_timeout_s``.
    echo : callable, default=print
        Where progress lines go.
    heartbeat_s : float, default=20.0
        Seconds between "still running" lines.
    threads_per_kernel : int, optional
        BLAS/OpenMP threads per kernel; default: CPU count divided by `n_jobs`, so parallel
        kernels do not oversubscribe the cores.
    iopub_timeout_s : int, default=30
        Seconds the worker keeps reading a finished cell's output before it reports an output
        flood (nbclient's ``iopub_timeout``).
    max_output_chars : int, default=200_000
        Text output of one cell beyond this is shortened in the executed notebook to its head
        and tail, with a note naming the file under ``.jobs/`` that keeps all of it.

    Returns
    -------
    dict of str to NotebookResult
        In job order. When the run is stopped (SIGINT or SIGTERM), every worker and kernel is
        stopped, unfinished notebooks get status ``interrupted``, metrics.json is written with
        ``"status": "interrupted"`` and the result carries the signal in ``interrupted_by``.
    """
    import threading

    from mlkit.lineage import code_version

    n_jobs = max(1, min(n_jobs or os.cpu_count() or 1, len(jobs) or 1))
    threads = threads_per_kernel or max(1, (os.cpu_count() or 1) // n_jobs)
    timeout = cell_timeout_s or config.cell_timeout_s
    limits = {"iopub_timeout_s": int(iopub_timeout_s), "max_output_chars": int(max_output_chars)}
    meta = {
        "run_id": run_dir.name,
        "profile": profile,
        "status": "running",
        "started_utc": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "python": sys.executable,
        "code": code_version(config.root),
        "n_jobs": n_jobs,
        "cell_timeout_s": timeout,
    }
    stems = output_names(jobs)
    results: dict[str, NotebookResult] = {}
    running: list[_Running] = []
    pending = list(jobs)
    t0 = time.perf_counter()
    write_metrics(run_dir, meta, results)
    main_thread = threading.current_thread() is threading.main_thread()
    old_term = signal.signal(signal.SIGTERM, _raise_interrupted) if main_thread else None
    interrupted_by = None
    try:
        with tempfile.TemporaryDirectory(prefix="mlkit-kernel-") as kdir:
            env = kernel_env(
                run_dir,
                kernel_dir=Path(kdir),
                threads=threads,
                project_root=config.root,
                die_with_parent=True,
            )
            try:
                last_beat = t0
                while pending or running:
                    while pending and len(running) < n_jobs:
                        job = pending.pop(0)
                        echo(f"[{time.perf_counter() - t0:6.1f}s] {'start':<6} {job.notebook}")
                        running.append(
                            _start_one(job, stems[job.notebook], run_dir, env, timeout, limits)
                        )
                    for r in [r for r in running if r.proc.poll() is not None]:
                        running.remove(r)
                        res = _finish_one(r, run_dir)
                        results[r.job.notebook] = res
                        mark = "ok" if res.status == "ok" else res.status.upper()
                        echo(
                            f"[{time.perf_counter() - t0:6.1f}s] {mark:<6} {r.job.notebook} "
                            f"({res.duration_s:.1f} s, {len(res.metrics)} metrics)"
                        )
                        if res.status != "ok":
                            echo(describe_error(res, run_dir))
                        write_metrics(run_dir, meta, results)
                    time.sleep(0.1)
                    now = time.perf_counter()
                    if heartbeat_s and running and now - last_beat >= heartbeat_s:
                        last_beat = now
                        names = ", ".join(
                            f"{r.job.notebook} ({now - r.start:.0f} s)" for r in running
                        )
                        echo(f"[{now - t0:6.1f}s] running {names}")
            except (KeyboardInterrupt, RunInterrupted) as exc:
                interrupted_by = (
                    signal.Signals(exc.signum).name if isinstance(exc, RunInterrupted) else "SIGINT"
                )
                echo(
                    f"[{time.perf_counter() - t0:6.1f}s] {interrupted_by}: stopping "
                    f"{len(running)} running notebook(s) and their kernels"
                )
                # Further signals must not cut the clean-up short.
                if main_thread:
                    signal.signal(signal.SIGINT, signal.SIG_IGN)
                    signal.signal(signal.SIGTERM, signal.SIG_IGN)
                # A notebook that finished just before the signal keeps its own result.
                done = {id(r) for r in running if r.proc.poll() is not None}
                for r in running:
                    if id(r) not in done:
                        _kill_group(r.proc.pid, signal.SIGTERM)
                for r in running:
                    if id(r) not in done:
                        _stop(r)
                    results[r.job.notebook] = _finish_one(r, run_dir, interrupted=id(r) not in done)
                for job in pending:
                    results[job.notebook] = NotebookResult(
                        notebook=job.notebook,
                        status="interrupted",
                        parameters=job.parameters,
                        duration_s=0.0,
                        metrics={},
                        error={
                            "kind": "interrupted",
                            "cell_index": None,
                            "first_line": "",
                            "ename": "Interrupted",
                            "evalue": "the run was stopped before this notebook started",
                        },
                        output="",
                        overridden=job.overridden,
                    )
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, old_term or signal.SIG_DFL)
            if interrupted_by:
                signal.signal(signal.SIGINT, signal.default_int_handler)
    meta["wall_s"] = round(time.perf_counter() - t0, 2)
    meta["status"] = "interrupted" if interrupted_by else "complete"
    if interrupted_by:
        meta["interrupted_by"] = interrupted_by
    ordered = {j.notebook: results[j.notebook] for j in jobs if j.notebook in results}
    write_metrics(run_dir, meta, ordered)
    return ordered
