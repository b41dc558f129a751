"""Run notebooks headless with papermill into a new run folder, and check their metrics.

A run folder (``runs/<UTC timestamp>-<short id>/``) holds each executed notebook, the
figures they drew (``figures/``), ``metrics.json`` and a readable ``summary.md``. An
existing folder is never reused or overwritten.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from mlkit.config import Config, check_metric, load_config
from mlkit.params import ParameterError, check_overrides, coerce_cli_value, read_parameters
from mlkit.recording import METRIC_MIME

__all__ = [
    "NotebookJob",
    "NotebookResult",
    "RunError",
    "plan_run",
    "execute_run",
    "new_run_dir",
    "read_metrics",
    "check_run",
    "latest_run",
    "kernel_env",
]


class RunError(ValueError):
    """Raised when a run cannot start: bad options, parameters or run folder."""


@dataclass
class NotebookJob:
    """A notebook to execute with its final parameter values and expectations."""

    notebook: str
    path: Path
    parameters: dict
    expectations: list = field(default_factory=list)
    overridden: list = field(default_factory=list)


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


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def plan_run(
    config: Config,
    *,
    notebooks=None,
    profile: str = "ci",
    cli_params: list[tuple[str, str]] | None = None,
    file_params: dict | None = None,
) -> list[NotebookJob]:
    """Resolve notebooks and parameters for a run; every check happens here, before any kernel.

    Parameters
    ----------
    config : Config
        The loaded ``nbs_ci.yml``.
    notebooks : list of path-like, optional
        Notebooks to run; default: every notebook in the config. A notebook outside the config
        runs with its own defaults and no expectations.
    profile : str, default="ci"
        Parameter profile from the config. Notebooks that do not list it use their defaults.
    cli_params : list of (name, raw string), optional
        ``-p name value`` overrides, converted to each parameter's annotated type.
    file_params : dict, optional
        Overrides from a ``-f params.yaml`` file (lists and dicts go here).

    Returns
    -------
    list of NotebookJob

    Raises
    ------
    RunError
        For an unknown profile, an unknown parameter name (naming the notebook, the name and
        the known ones) or a value of the wrong type.
    FileNotFoundError
        For a notebook that does not exist.
    """
    if profile not in config.profiles():
        raise RunError(
            f"Profile {profile!r} is not defined in {config.path}. "
            f"Defined profiles: {', '.join(sorted(config.profiles())) or '(none)'}."
        )
    if notebooks:
        chosen = []
        for nb in notebooks:
            p = Path(nb)
            if not p.is_file():
                raise FileNotFoundError(
                    f"Notebook {nb} does not exist. Notebooks in {config.path.name}: "
                    f"{', '.join(config.notebooks)}."
                )
            spec = config.find(p)
            chosen.append(
                (_rel(p, config.root) if spec is None else _rel(spec.path, config.root), p, spec)
            )
    else:
        chosen = [(name, spec.path, spec) for name, spec in config.notebooks.items()]
    declared = {name: read_parameters(path) for name, path, _ in chosen}
    _check_override_names(declared, cli_params or [], file_params or {})
    jobs = []
    for name, path, spec in chosen:
        params_decl = declared[name]
        by_name = {p.name: p for p in params_decl}
        values = spec.parameters(profile) if spec else {}
        overridden = []
        try:
            mine = {k: v for k, v in (file_params or {}).items() if k in by_name}
            values.update(check_overrides(params_decl, mine, notebook=name, source="-f"))
            overridden += list(mine)
            for pname, raw in cli_params or []:
                if pname in by_name:
                    values[pname] = coerce_cli_value(by_name[pname], raw, notebook=name)
                    overridden.append(pname)
        except ParameterError as exc:
            raise RunError(str(exc)) from exc
        _check_paths(values, notebook=name)
        expect = spec.expectations(profile) if spec else []
        jobs.append(NotebookJob(name, path, values, expect, sorted(set(overridden))))
    return jobs


def _check_override_names(declared: dict, cli_params, file_params) -> None:
    """Refuse override names that no chosen notebook declares (before any kernel starts).

    A name declared by some of the chosen notebooks applies to those only, so one
    ``-f params.yaml`` can serve a whole run.
    """
    for pname, source in [(n, "-p") for n, _ in cli_params] + [(n, "-f") for n in file_params]:
        if not any(pname in {p.name for p in params} for params in declared.values()):
            if len(declared) == 1:
                ((nb, params),) = declared.items()
                known = ", ".join(sorted(p.name for p in params)) or "(none)"
                raise RunError(
                    f"{nb} has no parameter {pname!r} ({source}). Known parameters: {known}. "
                    f"See `mlkit params {nb}`."
                )
            known = "; ".join(
                f"{nb}: {', '.join(sorted(p.name for p in params))}"
                for nb, params in declared.items()
            )
            raise RunError(
                f"No chosen notebook has a parameter {pname!r} ({source}). Known parameters: "
                f"{known}."
            )


_PATH_SUFFIXES = ("_dir", "_csv", "_path", "_file")


def _check_paths(values: dict, *, notebook: str) -> None:
    """Check that non-empty path parameters (``*_dir``, ``*_csv``, ``*_path``, ``*_file``) exist.

    Paths resolve as in the notebooks: against the cwd, then the project root.
    """
    from mlkit.paths import resolve_path

    for name, value in values.items():
        if not (name.endswith(_PATH_SUFFIXES) and isinstance(value, str) and value):
            continue
        try:
            path = resolve_path(value, must_exist=True, name=name)
        except FileNotFoundError as exc:
            raise RunError(f"{notebook}: {exc}") from exc
        if name.endswith("_dir") and not path.is_dir():
            raise RunError(
                f"{notebook}: the {name!r} parameter must be a folder. Got the file {path}."
            )


def new_run_dir(base: str | os.PathLike = "runs", *, out: str | os.PathLike | None = None) -> Path:
    """Create a new, empty run folder and return it.

    Parameters
    ----------
    base : path-like, default="runs"
        Parent folder for generated names ``<UTC timestamp>-<short id>``.
    out : path-like, optional
        Exact folder to create instead. It must not exist yet.

    Raises
    ------
    RunError
        If `out` already exists: runs are never overwritten.
    """
    if out is not None:
        out = Path(out)
        if out.exists():
            raise RunError(
                f"Run folder {out} already exists; runs are never overwritten. "
                "Choose a new --out folder or leave --out out for a generated name."
            )
        out.mkdir(parents=True)
        return out
    base = Path(base)
    base.mkdir(parents=True, exist_ok=True)
    while True:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        path = base / f"{stamp}-{secrets.token_hex(3)}"
        try:
            path.mkdir()
            return path
        except FileExistsError:
            continue


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
                paths.append(_rel(target, run_dir))
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
            [sys.executable, "-m", "mlkit._execute", str(job_file)],
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
        output=_rel(out, run_dir),
        figures=figures,
        overridden=job.overridden,
    )


def _write_metrics(run_dir: Path, meta: dict, results: dict[str, NotebookResult]) -> None:
    doc = dict(meta)
    doc["notebooks"] = {k: asdict(v) for k, v in results.items()}
    tmp = run_dir / "metrics.json.tmp"
    tmp.write_text(json.dumps(doc, indent=2, sort_keys=False), encoding="utf-8")
    tmp.replace(run_dir / "metrics.json")


def describe_error(result: NotebookResult, run_dir: Path) -> str:
    """Return the terminal report of a failed notebook: cell, first line, exception, location."""
    err = result.error or {}
    where = run_dir / result.output
    cell = err.get("cell_index")
    cell_txt = f"cell {cell}" if cell is not None else "an unknown cell"
    if err.get("execution_count"):
        cell_txt += f" [In {err['execution_count']}]"
    first = err.get("first_line") or ""
    lines = [
        f"{result.notebook}: {result.status.upper().replace('_', ' ')} in {cell_txt}"
        + (f" ({first!r})" if first else ""),
        f"    {err.get('ename', '')}: {str(err.get('evalue', '')).strip().splitlines()[-1] if err.get('evalue') else ''}",
        f"    executed notebook (partial output kept): {where}",
    ]
    return "\n".join(lines)


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
                _write_metrics(run_dir, meta, results)
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
    _write_metrics(run_dir, meta, ordered)
    return ordered


def latest_run(base: str | os.PathLike = "runs") -> Path:
    """Return the newest run folder under `base` that has a metrics.json.

    Raises
    ------
    FileNotFoundError
        If there is none.
    """
    base = Path(base)
    runs = sorted(p for p in base.glob("*/metrics.json")) if base.is_dir() else []
    if not runs:
        raise FileNotFoundError(
            f"No run with a metrics.json under {base}/. Run `mlkit run` first, or name a run "
            "folder: `mlkit check runs/<run>`."
        )
    return max(runs, key=lambda p: p.stat().st_mtime).parent


def check_run(run_dir: str | os.PathLike, config: Config) -> list[dict]:
    """Compare a run's recorded metrics with the expectations in the config.

    Parameters
    ----------
    run_dir : path-like
        A run folder holding metrics.json.
    config : Config
        Expectations come from its notebooks under the run's profile.

    Returns
    -------
    list of dict
        One row per expectation: ``notebook, metric, expected, got, ok``; plus a row with
        metric ``(status)`` for each notebook that did not finish.

    Raises
    ------
    FileNotFoundError
        If the folder has no metrics.json.
    """
    path = Path(run_dir) / "metrics.json"
    if not path.is_file():
        raise FileNotFoundError(
            f"{run_dir} has no metrics.json; is it a run folder of `mlkit run`?"
        )
    doc = json.loads(path.read_text(encoding="utf-8"))
    profile = doc.get("profile", "ci")
    rows = []
    for name, res in doc.get("notebooks", {}).items():
        spec = config.notebooks.get(name)
        overridden = res.get("overridden") or []
        if overridden and spec and spec.expectations(profile):
            rows.append(
                {
                    "notebook": name,
                    "metric": "(not comparable)",
                    "expected": f"profile {profile!r} parameters",
                    "got": "overridden: " + ", ".join(overridden),
                    "ok": None,
                }
            )
            continue
        if res["status"] != "ok":
            rows.append(
                {
                    "notebook": name,
                    "metric": "(status)",
                    "expected": "ok",
                    "got": res["status"],
                    "ok": False,
                }
            )
        for exp in spec.expectations(profile) if spec else []:
            got = res["metrics"].get(exp.metric)
            rows.append(
                {
                    "notebook": name,
                    "metric": exp.metric,
                    "expected": exp.describe(),
                    "got": got,
                    "ok": check_metric(exp, got),
                }
            )
    return rows


def format_table(rows: list[dict], columns: list[str]) -> str:
    """Format rows as a plain-text table for the terminal."""

    def cell(col, v):
        if col == "ok":
            return "n/a" if v is None else ("yes" if v else "NO")
        if isinstance(v, float) and not isinstance(v, bool):
            return f"{v:.4g}"
        return "-" if v is None else str(v)

    table = [[cell(c, r.get(c)) for c in columns] for r in rows]
    widths = [
        max(len(c), *(len(r[i]) for r in table)) if table else len(c) for i, c in enumerate(columns)
    ]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in table]
    return "\n".join(lines)


def write_summary(
    run_dir: Path, results: dict[str, NotebookResult], checks: list[dict] | None
) -> Path:
    """Write ``summary.md``: results per notebook with links, metrics, checks and figures."""
    doc = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
    lines = [
        f"# mlkit run {doc['run_id']}",
        "",
        f"- profile: `{doc['profile']}`, started {doc['started_utc']}, wall {doc.get('wall_s', '?')} s, "
        f"{doc['n_jobs']} parallel kernel(s)",
        f"- code: commit `{(doc['code'].get('git_commit') or 'unknown')[:12]}`"
        + (" (dirty)" if doc["code"].get("git_dirty") else ""),
        "",
        "| notebook | status | duration (s) | metrics | executed notebook |",
        "|---|---|---|---|---|",
    ]
    for name, r in results.items():
        lines.append(
            f"| {name} | {r.status} | {r.duration_s:.1f} | {len(r.metrics)} | [{r.output}]({r.output}) |"
        )
    failed = [r for r in results.values() if r.status != "ok"]
    if failed:
        lines += ["", "## Failures", ""]
        for r in failed:
            lines += ["```", describe_error(r, run_dir), "```"]
    if checks is not None:
        n_na = sum(c["ok"] is None for c in checks)
        n_bad = sum(c["ok"] is False for c in checks)
        lines += [
            "",
            f"## Expectations ({len(checks) - n_bad - n_na} met, {n_bad} missed, {n_na} not comparable)",
            "",
        ]
        lines += ["| notebook | metric | expected | got | ok |", "|---|---|---|---|---|"]
        for c in checks:
            got = f"{c['got']:.4g}" if isinstance(c["got"], float) else c["got"]
            lines.append(
                f"| {c['notebook']} | {c['metric']} | {c['expected']} | {got} | {'n/a' if c['ok'] is None else ('yes' if c['ok'] else '**NO**')} |"
            )
    for name, r in results.items():
        lines += ["", f"## {name}", ""]
        if r.parameters:
            lines.append(
                "Parameters: " + ", ".join(f"`{k}={v!r}`" for k, v in r.parameters.items())
            )
            lines.append("")
        if r.metrics:
            lines += ["| metric | value |", "|---|---|"]
            lines += [
                f"| {k} | {v:.4g} |" if isinstance(v, float) else f"| {k} | {v} |"
                for k, v in r.metrics.items()
            ]
        if r.figures:
            lines += ["", "Figures: " + " ".join(f"[{Path(f).name}]({f})" for f in r.figures)]
    path = run_dir / "summary.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def load_default_config(path: str | os.PathLike | None = None) -> Config:
    """Load ``nbs_ci.yml`` from `path`, the cwd, or the project root."""
    if path is not None:
        return load_config(path)
    from mlkit.paths import project_root

    for cand in (Path("nbs_ci.yml"), project_root() / "nbs_ci.yml"):
        if cand.is_file():
            return load_config(cand)
    return load_config("nbs_ci.yml")
