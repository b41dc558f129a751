"""Report a run: write metrics.json and summary.md, check metrics against ``nbs_ci.yml``.

``metrics.json`` holds, per notebook, status, parameters, overridden names, duration, metrics
and error; ``summary.md`` is its readable form with links to executed notebooks and figures.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from mlkit.runner.config import Config, check_metric

if TYPE_CHECKING:
    from mlkit.runner.execute import NotebookResult

__all__ = [
    "check_run",
    "check_claims",
    "latest_run",
    "format_table",
    "describe_error",
    "write_summary",
]


def write_metrics(run_dir: Path, meta: dict, results: dict[str, NotebookResult]) -> None:
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


def check_claims(run_dir: str | os.PathLike, config: Config) -> list[dict]:
    """Evaluate the claims of ``nbs_ci.yml`` on a run's recorded metrics.

    Claims are relations, so unlike golden values they are evaluated on every run, with
    overridden parameters too.

    Parameters
    ----------
    run_dir : path-like
        A run folder holding metrics.json.
    config : Config
        Claims come from its notebooks under the run's profile.

    Returns
    -------
    list of dict
        One row per claim, as :func:`mlkit.runner.claims.evaluate_claim`, with ``ok``: True when
        the claim holds, False when it does not or reads a metric that a finished notebook did
        not record (a typo in ``nbs_ci.yml``), None when its notebook did not finish.

    Raises
    ------
    FileNotFoundError
        If the folder has no metrics.json.
    """
    from mlkit.runner.claims import evaluate_claim

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
        for claim in spec.claims(profile) if spec else []:
            row = evaluate_claim(claim, res.get("metrics") or {}, notebook=name)
            if row["holds"] is None and res.get("status") != "ok":
                row["note"] = f"not evaluated: the notebook's status is {res.get('status')!r}"
                row["ok"] = None
            else:
                row["ok"] = bool(row["holds"])
            rows.append(row)
    return rows


def format_claim_values(values: dict) -> str:
    """Return ``name=value`` pairs of a claim row, numbers to 4 significant digits."""
    return ", ".join(
        f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v!r}" for k, v in values.items()
    )


def format_table(rows: list[dict], columns: list[str]) -> str:
    """Format rows as a plain-text table for the terminal."""

    def cell(col, v):
        if col in ("ok", "holds"):
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
    run_dir: Path,
    results: dict[str, NotebookResult],
    checks: list[dict] | None,
    claims: list[dict] | None = None,
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
    if claims:
        n_bad = sum(c["ok"] is False for c in claims)
        n_na = sum(c["ok"] is None for c in claims)
        lines += [
            "",
            f"## Claims ({len(claims) - n_bad - n_na} hold, {n_bad} do not, {n_na} not evaluated)",
            "",
            "| notebook | claim | relation | values | holds |",
            "|---|---|---|---|---|",
        ]
        for c in claims:
            holds = "n/a" if c["ok"] is None else ("yes" if c["ok"] else "**NO**")
            vals = format_claim_values(c["values"]) or c["note"]
            lines.append(f"| {c['notebook']} | {c['claim']} | `{c['expr']}` | {vals} | {holds} |")
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
