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
    run.add_argument(
        "--profile", default="ci", help="parameter profile from nbs_ci.yml (default: ci)"
    )
    run.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="override a parameter; converted to the type annotated in the parameters cell",
    )
    run.add_argument(
        "-f", "--parameters-file", metavar="YAML", help="YAML mapping of overrides (lists, dicts)"
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


def _fail(msg: str, code: int = 2) -> int:
    print(f"mlkit: error: {msg}", file=sys.stderr)
    return code


def _cmd_run(args) -> int:
    import yaml

    from mlkit.runner.execute import execute_run
    from mlkit.runner.plan import load_default_config, new_run_dir, plan_run
    from mlkit.runner.report import check_claims, check_run, write_summary

    try:
        config = load_default_config(args.config)
        file_params = None
        if args.parameters_file:
            fp = Path(args.parameters_file)
            if not fp.is_file():
                return _fail(f"parameters file {fp} does not exist.")
            try:
                file_params = yaml.safe_load(fp.read_text(encoding="utf-8")) or {}
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
                problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
                return _fail(
                    f"parameters file {fp} is not valid YAML{where}: {problem}. Write one "
                    "`name: value` per line, e.g. `names: [a, b]`."
                )
            if not isinstance(file_params, dict):
                return _fail(f"parameters file {fp} must be a YAML mapping of name: value.")
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
    n_ok = sum(r.status == "ok" for r in results.values())
    print(f"\n{n_ok}/{len(results)} notebook(s) ok. Summary: {summary}")
    code = 0 if n_ok == len(results) else 1
    if checks is not None:
        code = _print_checks(checks) or code
        code = _print_claims(claims) or code
    return code


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
    commands = {"run": _cmd_run, "check": _cmd_check, "params": _cmd_params, "lab": _cmd_lab}
    if args.command is None:
        parser.print_help()
        return 0
    return commands[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
