"""Report a sweep: sweep.csv, claims.csv (Wilson intervals), index.html, and MLflow runs.

Only the client calls these: workers return their results, the client writes every file.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from mlkit.runner.config import Config
from mlkit.runner.sweep_plan import SweepPoint

__all__ = ["sweep_claims", "write_sweep_outputs", "log_sweep_mlflow"]


def _cell(value):
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    return value


def _frame(points: list[SweepPoint], results: dict[str, dict]):
    import pandas as pd

    swept = list(dict.fromkeys(k for p in points for k in p.values))
    rows = []
    for p in points:
        rec = results.get(p.point_id)
        row = {"point_id": p.point_id, "notebook": p.notebook}
        row.update({k: _cell(p.values.get(k)) for k in swept})
        if rec is None:
            row.update(status="interrupted", duration_s=None, error="")
        else:
            err = rec.get("error") or {}
            row.update(
                status=rec["status"],
                duration_s=rec.get("duration_s"),
                error=(
                    f"cell {err.get('cell_index')}: {err.get('ename', '')}: "
                    f"{str(err.get('evalue', '')).strip().splitlines()[0] if err.get('evalue') else ''}"
                    if err
                    else ""
                ),
            )
            for k, v in (rec.get("metrics") or {}).items():
                row[k] = _cell(v)
        rows.append(row)
    return pd.DataFrame(rows), swept


def sweep_claims(points, results: dict[str, dict], config: Config, profile: str) -> list[dict]:
    """Return, per claim of each swept notebook, on how many points it holds.

    A claim is counted on the points that finished (status ``ok``); a finished point that did
    not record a metric the claim reads counts as not holding (as in ``mlkit check``).

    Returns
    -------
    list of dict
        ``notebook, claim, expr, holds, n_points, share, ci_low, ci_high`` (Wilson 95 %
        interval of the share), ``required`` (the share ``nbs_ci.yml``'s ``sweeps:`` asks for,
        or None) and ``ok`` (share >= required; None when nothing is required or no point
        finished).
    """
    from mlkit._stats import wilson_interval
    from mlkit.runner.claims import evaluate_claim

    rows = []
    for nb in dict.fromkeys(p.notebook for p in points):
        spec = config.notebooks.get(nb)
        if spec is None:
            continue
        sweep_spec = config.sweeps.get(nb)
        required = sweep_spec.claims if sweep_spec and sweep_spec.profile == profile else {}
        finished = [
            results[p.point_id]
            for p in points
            if p.notebook == nb and results.get(p.point_id, {}).get("status") == "ok"
        ]
        for claim in spec.claims(profile):
            k = sum(bool(evaluate_claim(claim, r.get("metrics") or {})["holds"]) for r in finished)
            n = len(finished)
            low, high = (float(x) for x in wilson_interval(k, n)) if n else (math.nan, math.nan)
            req = required.get(claim.name)
            rows.append(
                {
                    "notebook": nb,
                    "claim": claim.name,
                    "expr": claim.expr,
                    "holds": k,
                    "n_points": n,
                    "share": round(k / n, 4) if n else math.nan,
                    "ci_low": round(low, 4),
                    "ci_high": round(high, 4),
                    "required": req,
                    "ok": None if req is None or not n else bool(k / n >= req - 1e-12),
                }
            )
    return rows


def write_sweep_outputs(sweep_dir: Path, points, results, config: Config, profile: str, meta: dict):
    """Write sweep.csv, claims.csv and index.html; return ``(DataFrame, claims rows)``."""
    import pandas as pd

    from mlkit.runner.html import write_sweep_index

    df, swept = _frame(points, results)
    df.to_csv(sweep_dir / "sweep.csv", index=False)
    claims = sweep_claims(points, results, config, profile)
    pd.DataFrame(
        claims,
        columns=[
            "notebook",
            "claim",
            "expr",
            "holds",
            "n_points",
            "share",
            "ci_low",
            "ci_high",
            "required",
            "ok",
        ],
    ).to_csv(sweep_dir / "claims.csv", index=False)
    write_sweep_index(sweep_dir, df, swept=swept, claims=claims, results=results, meta=meta)
    df.attrs.update(sweep_dir=str(sweep_dir), status=meta["status"], claims=claims)
    return df, claims


def log_sweep_mlflow(uri: str, sweep_id: str, points, results) -> None:
    """Log one MLflow run per finished point, tagged with the sweep id (client side only)."""
    import mlflow

    client = mlflow.MlflowClient(tracking_uri=uri)
    exp = client.get_experiment_by_name("mlkit-sweeps")
    exp_id = exp.experiment_id if exp else client.create_experiment("mlkit-sweeps")
    for p in points:
        rec = results.get(p.point_id)
        if rec is None:
            continue
        run = client.create_run(
            exp_id,
            run_name=p.point_id,
            tags={
                "mlkit.sweep_id": sweep_id,
                "mlkit.point_id": p.point_id,
                "mlkit.notebook": p.notebook,
                "mlkit.status": rec["status"],
            },
        )
        for k, v in p.job.parameters.items():
            client.log_param(run.info.run_id, k, str(v)[:500])
        for k, v in (rec.get("metrics") or {}).items():
            if isinstance(v, int | float) and not isinstance(v, bool):
                client.log_metric(run.info.run_id, k, float(v))
        client.set_terminated(run.info.run_id, "FINISHED" if rec["status"] == "ok" else "FAILED")
