"""The ``mlkit`` command: run notebooks, check their metrics, list parameters, open JupyterLab.

Heavy libraries are imported inside the commands so that ``mlkit --help`` stays fast.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["main", "build_parser"]


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``mlkit`` command."""
    parser = argparse.ArgumentParser(
        prog="mlkit",
        description="Hands-on kit for the ML lifecycle: run the phase notebooks headless, "
        "check their recorded metrics, inspect parameters, open JupyterLab.",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command")

    run = sub.add_parser(
        "run",
        help="execute notebooks headless into a new run folder",
        description="Execute the notebooks of nbs_ci.yml (or the ones named) with papermill "
        "into a new run folder with executed notebooks, figures, metrics.json and summary.md.",
    )
    run.add_argument("notebooks", nargs="*", help="notebooks to run (default: all in nbs_ci.yml)")
    _add_parameter_options(
        run,
        p_help="override a parameter; converted to the type annotated in the parameters cell",
        f_help="YAML mapping of overrides (lists, dicts)",
    )
    run.add_argument(
        "--jobs", "-j", type=int, default=None, help="parallel kernels (default: CPU count)"
    )
    run.add_argument("--out", default=None, help="run folder to create (must not exist)")
    run.add_argument(
        "--runs-dir", default=None, help="parent of generated run folders (default: runs/)"
    )
    run.add_argument(
        "--cell-timeout",
        type=float,
        default=None,
        help="per-cell timeout in seconds (default: nbs_ci.yml)",
    )
    run.add_argument("--check", action="store_true", help="also check metrics against nbs_ci.yml")
    run.add_argument("--config", default=None, help="path to nbs_ci.yml")

    sw = sub.add_parser(
        "sweep",
        help="run notebooks over a grid of parameters and seeds on dask",
        description="Run notebooks over a grid of parameters and seeds on dask.distributed (a "
        "local cluster, or --scheduler tcp://HOST:8786) into a new sweeps/<UTC>-<id>/ folder "
        "with sweep.csv, claims.csv and index.html. Every point is checked before anything starts.",
    )
    sw.add_argument("notebooks", nargs="*", help="notebooks to sweep")
    _add_parameter_options(
        sw, p_help="fix a parameter for every point", f_help="YAML mapping of fixed overrides"
    )
    sw.add_argument(
        "--grid", metavar="GRID.yaml", help="YAML mapping of parameter -> list of values"
    )
    sw.add_argument("--seeds", type=int, default=None, help="add random_state 0..N-1 to the grid")
    sw.add_argument(
        "--scheduler",
        default=None,
        help="dask scheduler address (default: $MLKIT_SCHEDULER, else a local cluster)",
    )
    sw.add_argument("--workers", type=int, default=None, help="local workers (default: CPU count)")
    sw.add_argument("--out", default=None, help="sweep folder to create (must not exist)")
    sw.add_argument(
        "--resume", metavar="DIR", default=None, help="run the points of DIR without a result"
    )
    sw.add_argument(
        "--ci",
        action="store_true",
        help="run the sweeps: section of nbs_ci.yml and check each claim's required share",
    )
    sw.add_argument(
        "--mlflow", metavar="URI", default=None, help="also log one MLflow run per point"
    )
    sw.add_argument("--cell-timeout", type=float, default=None, help="per-cell timeout in seconds")
    sw.add_argument("--config", default=None, help="path to nbs_ci.yml")

    check = sub.add_parser("check", help="compare a run's metrics with nbs_ci.yml expectations")
    check.add_argument("run_dir", nargs="?", help="run folder (default: the latest under runs/)")
    check.add_argument("--config", default=None, help="path to nbs_ci.yml")

    params = sub.add_parser("params", help="list a notebook's parameters")
    params.add_argument("notebook")

    sub.add_parser(
        "lab",
        help="open JupyterLab on the project with the kit's kernel",
        description="Open JupyterLab on the project with a python3 kernel that runs this "
        "environment. Other options go to jupyter lab, e.g. `mlkit lab --no-browser --port 8890`.",
    )
    return parser


def _add_parameter_options(parser, *, p_help: str, f_help: str) -> None:
    """Add ``--profile``, ``-p NAME VALUE`` and ``-f YAML`` (shared by ``run`` and ``sweep``)."""
    parser.add_argument(
        "--profile", default="ci", help="parameter profile from nbs_ci.yml (default: ci)"
    )
    parser.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help=p_help,
    )
    parser.add_argument("-f", "--parameters-file", metavar="YAML", help=f_help)


def _fail(msg: str, code: int = 2) -> int:
    print(f"mlkit: error: {msg}", file=sys.stderr)
    return code


def _cmd_run(args) -> int:

    from mlkit.runner.execute import execute_run
    from mlkit.runner.plan import load_default_config, new_run_dir, plan_run
    from mlkit.runner.report import check_claims, check_run, write_summary

    try:
        config = load_default_config(args.config)
        file_params = _read_params_file(args.parameters_file)
        if args.jobs is not None and args.jobs < 1:
            return _fail(f"--jobs must be >= 1. Got {args.jobs}.")
        if args.cell_timeout is not None and args.cell_timeout <= 0:
            return _fail(f"--cell-timeout must be > 0 seconds. Got {args.cell_timeout}.")
        jobs = plan_run(
            config,
            notebooks=args.notebooks,
            profile=args.profile,
            cli_params=[tuple(p) for p in args.parameter],
            file_params=file_params,
        )
        base = Path(args.runs_dir) if args.runs_dir else config.root / "runs"
        run_dir = new_run_dir(base, out=args.out)
    except (ValueError, FileNotFoundError) as exc:
        return _fail(str(exc))
    print(f"mlkit run: {len(jobs)} notebook(s), profile {args.profile!r} -> {run_dir}")
    results = execute_run(
        jobs,
        run_dir=run_dir,
        config=config,
        profile=args.profile,
        n_jobs=args.jobs,
        cell_timeout_s=args.cell_timeout,
    )
    import json

    record = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
    if record.get("status") == "interrupted":
        summary = write_summary(run_dir, results, None, None)
        _write_index(run_dir, results, None, None)
        stopped = sum(r.status == "interrupted" for r in results.values())
        by = record.get("interrupted_by", "SIGINT")
        print(
            f"\nRun stopped by {by}: {stopped} notebook(s) interrupted, every worker and kernel "
            f"stopped. Summary: {summary}",
            file=sys.stderr,
        )
        return 143 if by == "SIGTERM" else 130
    checks = check_run(run_dir, config) if args.check else None
    claims = check_claims(run_dir, config) if args.check else None
    summary = write_summary(run_dir, results, checks, claims)
    index = _write_index(run_dir, results, checks, claims)
    n_ok = sum(r.status == "ok" for r in results.values())
    print(
        f"\n{n_ok}/{len(results)} notebook(s) ok. Summary: {summary}"
        + (f", report: {index}" if index else "")
    )
    code = 0 if n_ok == len(results) else 1
    if checks is not None:
        code = _print_checks(checks) or code
        code = _print_claims(claims) or code
    return code


def _read_params_file(path: str | None) -> dict | None:
    """Return the mapping of a ``-f`` YAML file, or raise RunError naming the file."""
    import yaml

    from mlkit.errors import RunError

    if not path:
        return None
    fp = Path(path)
    if not fp.is_file():
        raise RunError(f"parameters file {fp} does not exist.")
    try:
        data = yaml.safe_load(fp.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise RunError(
            f"parameters file {fp} is not valid YAML{where}: {problem}. Write one "
            "`name: value` per line, e.g. `names: [a, b]`."
        ) from None
    if not isinstance(data, dict):
        raise RunError(f"parameters file {fp} must be a YAML mapping of name: value.")
    return data


def _cmd_sweep(args) -> int:
    from mlkit.runner.plan import load_default_config
    from mlkit.runner.sweep import run_config_sweeps, sweep

    try:
        if args.seeds is not None and args.seeds < 1:
            return _fail(f"--seeds must be >= 1. Got {args.seeds}.")
        if args.workers is not None and args.workers < 1:
            return _fail(f"--workers must be >= 1. Got {args.workers}.")
        config = load_default_config(args.config)
        if args.ci:
            rows = run_config_sweeps(config, scheduler=args.scheduler, workers=args.workers)
            return _print_sweep_claims(rows)
        if not args.notebooks and not args.resume:
            return _fail(
                "name at least one notebook, e.g. `mlkit sweep NB.ipynb --seeds 3`, "
                "or --resume DIR, or --ci."
            )
        df = sweep(
            args.notebooks or None,
            profile=args.profile,
            parameters=_read_params_file(args.parameters_file),
            cli_params=[tuple(p) for p in args.parameter],
            grid=args.grid,
            seeds=args.seeds,
            scheduler=args.scheduler,
            workers=args.workers,
            out=args.out,
            resume=args.resume,
            config=config,
            cell_timeout_s=args.cell_timeout,
            mlflow_uri=args.mlflow,
        )
    except (ValueError, FileNotFoundError) as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        print("Sweep stopped; resume it with `mlkit sweep --resume DIR`.", file=sys.stderr)
        return 130
    n_ok = int((df["status"] == "ok").sum())
    print(f"\n{n_ok}/{len(df)} point(s) ok. Report: {Path(df.attrs['sweep_dir']) / 'index.html'}")
    code = _print_sweep_claims(df.attrs["claims"])
    return code or (0 if n_ok == len(df) else 1)


def _print_sweep_claims(rows) -> int:
    from mlkit.runner.report import format_table

    if not rows:
        return 0
    table = [
        {
            **r,
            "holds on": f"{r['holds']}/{r['n_points']}",
            "95% CI": f"[{r['ci_low']:.2f}, {r['ci_high']:.2f}]",
            "required": "-" if r["required"] is None else f"{r['required']:.0%}",
            "ok": r["ok"],
        }
        for r in rows
    ]
    print("\nClaims over the sweep's points:")
    print(format_table(table, ["notebook", "claim", "holds on", "95% CI", "required", "ok"]))
    return 1 if any(r["ok"] is False for r in rows) else 0


def _write_index(run_dir, results, checks, claims):
    """Write the run's index.html; a failure to render it is reported, never fatal."""
    from mlkit.runner.html import write_run_index

    try:
        return write_run_index(run_dir, results, checks, claims)
    except Exception as exc:  # noqa: BLE001 - the run's results are already saved
        print(f"mlkit: warning: index.html not written: {exc}", file=sys.stderr)
        return None


def _cmd_check(args) -> int:
    from mlkit.runner.plan import load_default_config
    from mlkit.runner.report import check_claims, check_run, latest_run

    try:
        config = load_default_config(args.config)
        run_dir = Path(args.run_dir) if args.run_dir else latest_run(config.root / "runs")
        rows = check_run(run_dir, config)
        claims = check_claims(run_dir, config)
    except (ValueError, FileNotFoundError) as exc:
        return _fail(str(exc))
    print(f"Checking {run_dir}")
    code = _print_checks(rows)
    return _print_claims(claims) or code


def _print_claims(rows) -> int:
    from mlkit.runner.report import format_claim_values, format_table

    if not rows:
        return 0
    table = [
        {**r, "values": format_claim_values(r["values"]) or r["note"], "holds": r["ok"]}
        for r in rows
    ]
    print("\nClaims (relations the notebooks' text asserts; checked on every run):")
    print(format_table(table, ["notebook", "claim", "expr", "values", "holds"]))
    bad = [r for r in rows if r["ok"] is False]
    na = sum(r["ok"] is None for r in rows)
    print(f"\n{len(rows) - len(bad) - na} claim(s) hold, {len(bad)} do not, {na} not evaluated.")
    for r in bad:
        if r["note"]:
            print(f"  {r['note']}")
    return 1 if bad else 0


def _print_checks(rows) -> int:
    from mlkit.runner.report import format_table

    if not rows:
        print("This run's profile has no expected values in nbs_ci.yml: nothing to check.")
        return 0
    print(format_table(rows, ["notebook", "metric", "expected", "got", "ok"]))
    missed = sum(r["ok"] is False for r in rows)
    na = sum(r["ok"] is None for r in rows)
    print(f"\n{len(rows) - missed - na} expectation(s) met, {missed} missed.")
    if na:
        print(
            f"{na} notebook(s) not comparable: run with overridden parameters, so the golden "
            "values of the profile do not apply (use a profile, e.g. --profile fsdd, instead)."
        )
    return 1 if missed else 0


def _cmd_params(args) -> int:
    from mlkit.runner.params import read_parameters
    from mlkit.runner.report import format_table

    folder = Path(args.notebook)
    if folder.is_dir():
        found = sorted(folder.glob("*.ipynb"))
        example = found[0] if found else folder / "NN_phase.ipynb"
        listed = ", ".join(p.name for p in found[:8]) or "none"
        return _fail(
            f"{folder} is a folder; `mlkit params` takes one notebook file, e.g. "
            f"`mlkit params {example}`. Notebooks in it: {listed}."
        )
    try:
        params = read_parameters(args.notebook)
    except (ValueError, FileNotFoundError) as exc:
        return _fail(str(exc))
    rows = [
        {
            "name": p.name,
            "type": p.type,
            "default": repr(p.default),
            "checks": ", ".join(p.rules) or "-",
            "help": p.help,
        }
        for p in params
    ]
    print(format_table(rows, ["name", "type", "default", "checks", "help"]))
    return 0


def _cmd_lab(args) -> int:
    import os
    import subprocess
    import tempfile

    from mlkit.paths import project_root
    from mlkit.runner.execute import kernel_env

    root = project_root()
    with tempfile.TemporaryDirectory(prefix="mlkit-kernel-") as kdir:
        env = kernel_env(
            root / "runs" / "interactive",
            kernel_dir=Path(kdir),
            threads=os.cpu_count() or 1,
            project_root=root,
        )
        for var in ("MLKIT_HEADLESS", "MLKIT_RUN_DIR"):
            env.pop(var)
        cmd = [
            sys.executable,
            "-m",
            "jupyter",
            "lab",
            f"--ServerApp.root_dir={root}",
            *args.lab_args,
        ]
        return subprocess.call(cmd, env=env)


def main(argv: list[str] | None = None) -> int:
    """Run the ``mlkit`` command line and return its exit code."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if args.command == "lab":
        args.lab_args = extra
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.version:
        from mlkit import __version__

        print(__version__)
        return 0
    commands = {
        "run": _cmd_run,
        "sweep": _cmd_sweep,
        "check": _cmd_check,
        "params": _cmd_params,
        "lab": _cmd_lab,
    }
    if args.command is None:
        parser.print_help()
        return 0
    return commands[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
