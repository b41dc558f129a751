"""Execute notebooks: launch one worker process per notebook, and the worker itself.

The runner writes a job file per notebook and starts ``python -m mlkit.runner.execute JOB.json``.
The job file names the input, output, parameters, working directory and per-cell timeout; the
worker runs papermill and writes its result to the path the job gives as ``result``. Running
each notebook in its own process keeps a crashed or hung kernel from taking the runner down
with it.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from mlkit.recording import METRIC_MIME
from mlkit.runner.config import Config
from mlkit.runner.plan import NotebookJob, rel_path
from mlkit.runner.report import describe_error, write_metrics

__all__ = ["NotebookResult", "execute_run", "kernel_env", "read_metrics"]

_WORKER = "mlkit.runner.execute"


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


def kernel_env(run_dir: Path, *, kernel_dir: Path, threads: int, project_root: Path) -> dict:
    """Return the environment for headless kernels.

    A ``python3`` kernelspec that runs this very interpreter is put first on JUPYTER_PATH, so
    the kernel always has mlkit installed, whatever other kernels the machine has.
    MPLBACKEND is removed (a non-inline backend would make figures vanish from outputs).
    """
    spec_dir = kernel_dir / "kernels" / "python3"
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
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


def read_metrics(notebook_path: str | os.PathLike) -> tuple[dict, list[str]]:
    """Read the metrics a notebook recorded with :func:`mlkit.record` from its outputs.

    Returns
    -------
    metrics : dict
        Name to value.
    duplicates : list of str
        Names recorded more than once.
    """
    try:
        nb = json.loads(Path(notebook_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}, []
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


def _extract_figures(executed: Path, fig_dir: Path, run_dir: Path) -> list[str]:
    try:
        nb = json.loads(executed.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    paths = []
    source_index = -1  # index in the notebook the user edits: papermill's own cells do not count
    for cell in nb.get("cells", []):
        tags = cell.get("metadata", {}).get("tags", [])
        if "injected-parameters" in tags or "papermill-error-cell-tag" in tags:
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


def _run_one(job: NotebookJob, run_dir: Path, env: dict, cell_timeout_s: float) -> NotebookResult:
    out = run_dir / Path(job.notebook).name
    work = run_dir / ".jobs"
    work.mkdir(exist_ok=True)
    stem = Path(job.notebook).stem
    job_file, result_file = work / f"{stem}.job.json", work / f"{stem}.result.json"
    job_file.write_text(
        json.dumps(
            {
                "input": str(job.path.resolve()),
                "output": str(out.resolve()),
                "parameters": job.parameters,
                "cwd": str(job.path.resolve().parent),
                "cell_timeout_s": cell_timeout_s,
                "result": str(result_file.resolve()),
            }
        ),
        encoding="utf-8",
    )
    start = time.perf_counter()
    log = work / f"{stem}.log"
    with open(log, "w", encoding="utf-8") as fh:
        proc = subprocess.run(
            [sys.executable, "-m", _WORKER, str(job_file)],
            env=env,
            stdout=fh,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if result_file.is_file():
        res = json.loads(result_file.read_text(encoding="utf-8"))
    else:
        tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
        res = {
            "status": "error",
            "duration_s": time.perf_counter() - start,
            "error": {
                "kind": "runner",
                "cell_index": None,
                "first_line": "",
                "ename": f"runner exit code {proc.returncode}",
                "evalue": tail,
            },
        }
    metrics, dups = read_metrics(out)
    if dups and res["status"] == "ok":
        res["status"] = "failed"
        res["error"] = {
            "kind": "exception",
            "cell_index": None,
            "first_line": "",
            "ename": "DuplicateMetric",
            "evalue": f"metric(s) recorded more than once: {', '.join(sorted(set(dups)))}",
        }
    figures = _extract_figures(out, run_dir / "figures" / stem, run_dir)
    return NotebookResult(
        notebook=job.notebook,
        status=res["status"],
        parameters=job.parameters,
        duration_s=round(time.perf_counter() - start, 2),
        metrics=metrics,
        error=res.get("error"),
        output=rel_path(out, run_dir),
        figures=figures,
        overridden=job.overridden,
    )


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

    Returns
    -------
    dict of str to NotebookResult
    """
    from mlkit.lineage import code_version

    n_jobs = max(1, min(n_jobs or os.cpu_count() or 1, len(jobs) or 1))
    threads = threads_per_kernel or max(1, (os.cpu_count() or 1) // n_jobs)
    timeout = cell_timeout_s or config.cell_timeout_s
    meta = {
        "run_id": run_dir.name,
        "profile": profile,
        "started_utc": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "python": sys.executable,
        "code": code_version(config.root),
        "n_jobs": n_jobs,
        "cell_timeout_s": timeout,
    }
    results: dict[str, NotebookResult] = {}
    started: dict[str, float] = {}
    lock = threading.Lock()
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="mlkit-kernel-") as kdir:
        env = kernel_env(run_dir, kernel_dir=Path(kdir), threads=threads, project_root=config.root)

        def task(job):
            with lock:
                started[job.notebook] = time.perf_counter()
                echo(f"[{time.perf_counter() - t0:6.1f}s] {'start':<6} {job.notebook}")
            res = _run_one(job, run_dir, env, timeout)
            with lock:
                results[job.notebook] = res
                started.pop(job.notebook, None)
                mark = "ok" if res.status == "ok" else res.status.upper()
                echo(
                    f"[{time.perf_counter() - t0:6.1f}s] {mark:<6} {job.notebook} "
                    f"({res.duration_s:.1f} s, {len(res.metrics)} metrics)"
                )
                if res.status != "ok":
                    echo(describe_error(res, run_dir))
                write_metrics(run_dir, meta, results)
            return res

        with ThreadPoolExecutor(max_workers=n_jobs) as pool:
            futures = [pool.submit(task, j) for j in jobs]
            while not all(f.done() for f in futures):
                time.sleep(0.2)
                now = time.perf_counter()
                if (
                    heartbeat_s
                    and now - t0 > heartbeat_s
                    and int((now - t0) / heartbeat_s) != int((now - t0 - 0.2) / heartbeat_s)
                ):
                    with lock:
                        running = ", ".join(f"{k} ({now - v:.0f} s)" for k, v in started.items())
                    if running:
                        echo(f"[{now - t0:6.1f}s] running {running}")
            for f in futures:
                f.result()
    meta["wall_s"] = round(time.perf_counter() - t0, 2)
    ordered = {j.notebook: results[j.notebook] for j in jobs}
    write_metrics(run_dir, meta, ordered)
    return ordered


# The worker: runs in its own process, one notebook per process.


def _first_line(source) -> str:
    source = "".join(source) if isinstance(source, list) else (source or "")
    for line in source.splitlines():
        if line.strip():
            return line.strip()[:120]
    return ""


def _source_index(input_path, source) -> int | None:
    """Return the index of the cell with this source in the input notebook (as users see it).

    The executed notebook has extra cells (papermill's injected parameters and error banner),
    so its indices do not match the notebook the user edits.
    """
    source = "".join(source) if isinstance(source, list) else (source or "")
    try:
        with open(input_path, encoding="utf-8") as fh:
            cells = json.load(fh).get("cells", [])
    except (OSError, ValueError):
        return None
    for i, cell in enumerate(cells):
        src = cell.get("source", "")
        if ("".join(src) if isinstance(src, list) else src) == source:
            return i
    return None


def _last_started_cell(output_path):
    """Return (source, first source line) of the last cell papermill started, or (None, '')."""
    try:
        with open(output_path, encoding="utf-8") as fh:
            nb = json.load(fh)
    except (OSError, ValueError):
        return None, ""
    last = None
    for i, cell in enumerate(nb.get("cells", [])):
        status = cell.get("metadata", {}).get("papermill", {}).get("status")
        if cell.get("cell_type") == "code" and status in {"running", "completed", "failed"}:
            last = i
    if last is None:
        return None, ""
    source = nb["cells"][last].get("source")
    return source, _first_line(source)


def _worker_main(job_path: str) -> int:
    """Execute the notebook a job file describes and write its result file; return 0."""
    with open(job_path, encoding="utf-8") as fh:
        job = json.load(fh)
    import papermill
    from papermill.exceptions import PapermillExecutionError

    start = time.perf_counter()
    result = {"status": "ok", "error": None}
    try:
        papermill.execute_notebook(
            job["input"],
            job["output"],
            parameters=job["parameters"],
            kernel_name=job.get("kernel_name", "python3"),
            cwd=job["cwd"],
            execution_timeout=job["cell_timeout_s"],
            progress_bar=False,
            log_output=False,
            request_save_on_cell_execute=True,
        )
    except PapermillExecutionError as exc:
        result["status"] = "failed"
        result["error"] = {
            "kind": "exception",
            "cell_index": _source_index(job["input"], exc.source),
            "execution_count": exc.exec_count,
            "first_line": _first_line(exc.source),
            "ename": exc.ename,
            "evalue": str(exc.evalue)[:2000],
        }
    except Exception as exc:  # timeouts, dead kernels, missing kernels
        name = type(exc).__name__
        source, line = _last_started_cell(job["output"])
        index = None if source is None else _source_index(job["input"], source)
        if name == "CellTimeoutError" or isinstance(exc, TimeoutError):
            kind, status = "timeout", "timeout"
            evalue = f"cell did not finish within {job['cell_timeout_s']:g} s (per-cell timeout)"
        elif name == "DeadKernelError":
            kind, status = "dead_kernel", "dead_kernel"
            evalue = (
                "the kernel died while running this cell (often out of memory, or a crash in "
                "native code)"
            )
        else:
            kind, status = "runner", "error"
            evalue = str(exc)[:2000]
        result["status"] = status
        result["error"] = {
            "kind": kind,
            "cell_index": index,
            "execution_count": None,
            "first_line": line,
            "ename": name,
            "evalue": evalue,
            "traceback": traceback.format_exc()[-4000:],
        }
    result["duration_s"] = round(time.perf_counter() - start, 3)
    with open(job["result"], "w", encoding="utf-8") as fh:
        json.dump(result, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(_worker_main(sys.argv[1]))
