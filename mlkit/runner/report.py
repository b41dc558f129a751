"""Report a run: write metrics.json and summary.md, check metrics against ``nbs_ci.yml``.

``metrics.json`` holds, per notebook, status, parameters, overridden names, duration, metrics
and error; ``summary.md`` is its readable form with links to executed notebooks and figures.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from mlkit.errors import RunError
from mlkit.runner.config import Config, check_metric

if TYPE_CHECKING:
    from mlkit.runner.execute import NotebookResult

__all__ = [
    "check_run",
    "check_claims",
    "latest_run",
    "read_run_record",
    "format_table",
    "describe_error",
    "exercise_progress",
    "write_summary",
]


def write_metrics(run_dir: Path, meta: dict, results: dict[str, NotebookResult]) -> None:
    doc = dict(meta)
    doc["notebooks"] = {k: asdict(v) for k, v in results.items()}
    tmp = run_dir / "metrics.json.tmp"
    tmp.write_text(json.dumps(doc, indent=2, sort_keys=False), encoding="utf-8")
    tmp.replace(run_dir / "metrics.json")


_MAX_MESSAGE_LINES = 20
_MAX_LINE_CHARS = 300


def _message_lines(text: str) -> list[str]:
    """Return an exception message's lines, whole when short, else its head and tail."""
    lines = [ln[:_MAX_LINE_CHARS] for ln in str(text or "").strip().splitlines()] or [""]
    if len(lines) > _MAX_MESSAGE_LINES:
        head, tail = lines[: _MAX_MESSAGE_LINES - 5], lines[-4:]
        lines = [*head, f"... ({len(lines) - len(head) - len(tail)} lines omitted)", *tail]
    return lines


def describe_error(result: NotebookResult, run_dir: Path) -> str:
    """Return the terminal report of a failed notebook: cell, first line, exception, location.

    A message of several lines is kept whole (up to 20 lines of 300 characters): the last line
    alone is often meaningless (``Name: dev_error, dtype: float64 instead.``).
    """
    err = result.error or {}
    where = run_dir / result.output if result.output else None
    cell = err.get("cell_index")
    cell_txt = f"cell {cell}" if cell is not None else "an unknown cell"
    if err.get("execution_count"):
        cell_txt += f" [In {err['execution_count']}]"
    first = err.get("first_line") or ""
    message = _message_lines(err.get("evalue", ""))
    lines = [
        f"{result.notebook}: {result.status.upper().replace('_', ' ')} in {cell_txt}"
        + (f" ({first!r})" if first else ""),
        f"    {err.get('ename', '')}: {message[0]}",
        *(f"      {line}" for line in message[1:]),
    ]
    for note in getattr(result, "outputs", None) or []:
        lines.append(
            f"    output of cell {note['cell_index']} shortened ({note['lines']} lines); "
            f"all of it is in {note['kept_in']}"
        )
    if where is not None:
        lines.append(f"    executed notebook (partial output kept): {where}")
    return "\n".join(lines)


_RUN_NAME = re.compile(r"^(\d{8}T\d{6}Z)-[0-9a-f]{6}$")


def _run_age_key(folder: Path) -> tuple[float, float]:
    match = _RUN_NAME.match(folder.name)
    stamp = 0.0
    if match:
        stamp = datetime.strptime(match.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC).timestamp()
    try:
        mtime = folder.stat().st_mtime
    except OSError:
        mtime = 0.0
    return (stamp or mtime, mtime)


def latest_run(base: str | os.PathLike = "runs") -> Path:
    """Return the newest run folder under `base`, refusing it when it is incomplete.

    The newest run is never skipped for an older one: a run that was stopped, is still
    running or has no metrics.json is reported as such.

    Raises
    ------
    FileNotFoundError
        If there is no run folder.
    RunError
        If the newest run is incomplete.
    """
    base = Path(base)
    runs = []
    if base.is_dir():
        runs = [
            p
            for p in base.iterdir()
            if p.is_dir() and (_RUN_NAME.match(p.name) or (p / "metrics.json").is_file())
        ]
    if not runs:
        raise FileNotFoundError(
            f"No run with a metrics.json under {base}/. Run `mlkit run` first, or name a run "
            "folder: `mlkit check runs/<run>`."
        )
    newest = max(runs, key=_run_age_key)
    if not (newest / "metrics.json").is_file():
        raise RunError(
            f"The newest run {newest} is incomplete: it has no metrics.json (it was stopped "
            "before writing one, or is still starting). Re-run with `mlkit run`, or name an "
            "older run: `mlkit check runs/<run>`."
        )
    doc = read_run_record(newest)
    status = doc.get("status", "complete")
    if status != "complete":
        why = (
            "its metrics.json says 'running' (it is still going, or its runner was killed)"
            if status == "running"
            else f"its status is {status!r}"
        )
        raise RunError(
            f"The newest run {newest} is incomplete: {why}. `mlkit check "
            f"{newest}` lists what it recorded; re-run with `mlkit run`, or name an older run: "
            "`mlkit check runs/<run>`."
        )
    return newest


def read_run_record(run_dir: str | os.PathLike) -> dict:
    """Read and validate a run's metrics.json.

    Returns
    -------
    dict
        The record, with a non-empty ``notebooks`` mapping whose entries each have a
        ``status``.

    Raises
    ------
    FileNotFoundError
        If the folder has no metrics.json.
    RunError
        In one line naming the file, when it is empty, not UTF-8, not JSON, or not a record
        of `mlkit run` (not an object, no notebooks, an entry without status).
    """
    path = Path(run_dir) / "metrics.json"
    if not path.is_file():
        raise FileNotFoundError(
            f"{run_dir} has no metrics.json; is it a run folder of `mlkit run`?"
        )
    fix = "Re-run with `mlkit run`, or name another run folder."
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RunError(f"{path} is not UTF-8 text (byte {exc.start}). {fix}") from None
    if not text.strip():
        raise RunError(f"{path} is empty. {fix}")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RunError(
            f"{path} is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}). {fix}"
        ) from None
    if not isinstance(doc, dict):
        raise RunError(
            f"{path} must hold a JSON object with 'profile' and 'notebooks'. Got a "
            f"{type(doc).__name__} instead. {fix}"
        )
    notebooks = doc.get("notebooks")
    if not isinstance(notebooks, dict):
        raise RunError(
            f"{path} must have a 'notebooks' object (notebook -> result). Got "
            f"{type(notebooks).__name__ if notebooks is not None else 'none'} instead. {fix}"
        )
    if not notebooks and doc.get("status", "complete") == "complete":
        raise RunError(f"{path} records no notebooks, so there is nothing to check. {fix}")
    if not isinstance(doc.get("profile", "ci"), str):
        raise RunError(f"{path}: 'profile' must be a string. Got {doc['profile']!r} instead.")
    for name, entry in notebooks.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("status"), str):
            raise RunError(
                f"{path}: the entry for {name!r} must be an object with a 'status' (ok, failed, "
                f"...). Got {json.dumps(entry)[:80]} instead. {fix}"
            )
        if not isinstance(entry.get("metrics", {}), dict):
            raise RunError(f"{path}: 'metrics' of {name!r} must be an object of name: value.")
    return doc


def _row(notebook: str, metric: str, expected, got, ok: bool | None) -> dict:
    return {"notebook": notebook, "metric": metric, "expected": expected, "got": got, "ok": ok}


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
        metric ``(status)`` for each notebook that did not finish, and a row ``(run)`` when the
        run itself did not complete (stopped, or still running).

    Raises
    ------
    FileNotFoundError
        If the folder has no metrics.json.
    RunError
        If metrics.json is not a valid record (see :func:`read_run_record`).
    """
    doc = read_run_record(run_dir)
    profile = doc.get("profile", "ci")
    rows = []
    if doc.get("status", "complete") != "complete":
        rows.append(_row("(whole run)", "(run)", "complete", doc["status"], False))
    for name, res in doc["notebooks"].items():
        spec = config.notebooks.get(name)
        overridden = res.get("overridden") or []
        if overridden and spec and spec.expectations(profile):
            rows.append(
                _row(
                    name,
                    "(not comparable)",
                    f"profile {profile!r} parameters",
                    "overridden: " + ", ".join(overridden),
                    None,
                )
            )
            continue
        if res["status"] != "ok":
            rows.append(_row(name, "(status)", "ok", res["status"], False))
        for exp in spec.expectations(profile) if spec else []:
            got = (res.get("metrics") or {}).get(exp.metric)
            rows.append(_row(name, exp.metric, exp.describe(), got, check_metric(exp, got)))
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
    RunError
        If metrics.json is not a valid record (see :func:`read_run_record`).
    """
    from mlkit.runner.claims import evaluate_claim

    doc = read_run_record(run_dir)
    profile = doc.get("profile", "ci")
    rows = []
    for name, res in doc["notebooks"].items():
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


def exercise_progress(results: dict[str, NotebookResult]) -> list[dict]:
    """Return one row per notebook that recorded exercise progress (``ExerciseSet.progress``).

    Each row: notebook, total, passed, incorrect, not_attempted, and the ids per status. A wrong
    answer is progress to report, never a failed run.
    """
    rows = []
    for name, r in results.items():
        status = r.metrics.get("exercise_status")
        if "exercises_total" not in r.metrics or not isinstance(status, dict):
            continue
        by = {
            s: [i for i, v in status.items() if v == s]
            for s in ("passed", "incorrect", "not_attempted")
        }
        rows.append(
            {
                "notebook": name,
                "total": r.metrics["exercises_total"],
                "passed": r.metrics.get("exercises_passed", len(by["passed"])),
                "incorrect": len(by["incorrect"]),
                "not_attempted": r.metrics.get("exercises_not_attempted", len(by["not_attempted"])),
                "ids": by,
            }
        )
    return rows


def _progress_lines(results: dict[str, NotebookResult]) -> list[str]:
    rows = exercise_progress(results)
    if not rows:
        return []
    lines = [
        "",
        "## Exercise progress",
        "",
        "| notebook | passed | incorrect | not attempted | to revisit |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        revisit = ", ".join(row["ids"]["incorrect"]) or "-"
        lines.append(
            f"| {row['notebook']} | {row['passed']} / {row['total']} | {row['incorrect']} | "
            f"{row['not_attempted']} | {revisit} |"
        )
    return lines


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
        *(
            [
                f"- **run {doc['status']}**"
                + (f" by {doc['interrupted_by']}" if doc.get("interrupted_by") else "")
                + ": notebooks that had not finished are marked `interrupted`"
            ]
            if doc.get("status", "complete") != "complete"
            else []
        ),
        "",
        "| notebook | status | duration (s) | metrics | executed notebook |",
        "|---|---|---|---|---|",
    ]
    for name, r in results.items():
        lines.append(
            f"| {name} | {r.status} | {r.duration_s:.1f} | {len(r.metrics)} | "
            + (f"[{r.output}]({r.output}) |" if r.output else "- |")
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
    lines += _progress_lines(results)
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
