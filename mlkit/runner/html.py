"""Write ``index.html`` reports of runs and sweeps: pages to look at, not read.

Both pages are single files with inline CSS and relative links only (no external asset), so
they open offline from ``file://``. Every text that comes from a notebook, a metric or an
error is escaped with :func:`html.escape`. Executed notebooks of a run are rendered to HTML
with nbconvert beside them (``html/<name>.html``), with nbconvert's CDN scripts removed.
"""

from __future__ import annotations

import json
import math
import os
import re
from html import escape
from pathlib import Path
from urllib.parse import quote

__all__ = ["write_run_index", "write_sweep_index", "render_notebook_html"]

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em auto;max-width:1100px;
padding:0 1em;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5em 0;font-size:.9em}
th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}
th{background:#f3f3f3}.ok{color:#137333;font-weight:600}.bad{color:#b3261e;font-weight:600}
.na{color:#777}.gallery{display:flex;flex-wrap:wrap;gap:1em}
.gallery figure{margin:0;border:1px solid #ddd;padding:.4em;max-width:480px}
.gallery img{max-width:100%}figcaption{font-size:.8em;color:#555}
pre{background:#f7f7f7;padding:.6em;overflow-x:auto;white-space:pre-wrap}
code{background:#f3f3f3;padding:0 .2em}
"""


def _href(rel: str | os.PathLike) -> str:
    """Return a relative URL for a path inside the report folder (POSIX separators, quoted)."""
    return quote(Path(rel).as_posix())


def _fmt(value) -> str:
    if isinstance(value, float) and not isinstance(value, bool):
        return "nan" if math.isnan(value) else f"{value:.4g}"
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    return "-" if value is None else str(value)


def _verdict(ok) -> str:
    if ok is None:
        return '<span class="na">n/a</span>'
    return '<span class="ok">yes</span>' if ok else '<span class="bad">NO</span>'


def _table(rows: list[dict], columns: list[str], *, raw: set[str] = frozenset()) -> str:
    """Return an HTML table; cells in `raw` columns are already HTML, the rest are escaped."""
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = []
    for r in rows:
        cells = "".join(
            f"<td>{r.get(c, '') if c in raw else escape(_fmt(r.get(c)))}</td>" for c in columns
        )
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _page(title: str, parts: list[str]) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>"
        + "\n".join(parts)
        + "</body></html>\n"
    )


_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.I | re.S)
_NETWORK = re.compile(
    r"""(src=["']?https?://|import\(\s*["']https?://|=\s*["']https?://[^"']*\.m?js["'])"""
)


def _offline(page: str) -> str:
    """Drop nbconvert's scripts that load from the network (MathJax, require.js, mermaid)."""
    return _SCRIPT.sub(lambda m: "" if _NETWORK.search(m.group(0)) else m.group(0), page)


def render_notebook_html(notebook: str | os.PathLike, target: str | os.PathLike) -> Path:
    """Render an executed notebook to a standalone HTML file with nbconvert.

    Parameters
    ----------
    notebook : path-like
        The executed ``.ipynb``.
    target : path-like
        The ``.html`` file to write (its folder is created).

    Returns
    -------
    pathlib.Path
        `target`. nbconvert's scripts that load from a CDN (MathJax, require.js, mermaid) are
        removed, so the page loads nothing from the network.

    Raises
    ------
    FileNotFoundError
        If `notebook` does not exist.
    """
    from nbconvert import HTMLExporter

    notebook, target = Path(notebook), Path(target)
    if not notebook.is_file():
        raise FileNotFoundError(f"Executed notebook {notebook} does not exist.")
    body, _ = HTMLExporter(template_name="lab").from_filename(str(notebook))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(_offline(body), encoding="utf-8")
    return target


def write_run_index(
    run_dir: str | os.PathLike,
    results: dict,
    checks: list[dict] | None = None,
    claims: list[dict] | None = None,
) -> Path:
    """Write a run's ``index.html`` beside its ``summary.md``.

    Parameters
    ----------
    run_dir : path-like
        The run folder (holds metrics.json and the executed notebooks).
    results : dict of str to NotebookResult
        From :func:`mlkit.runner.execute.execute_run`.
    checks : list of dict, optional
        Expectation rows of :func:`mlkit.runner.report.check_run` (``mlkit run --check``).
    claims : list of dict, optional
        Claim rows of :func:`mlkit.runner.report.check_claims`.

    Returns
    -------
    pathlib.Path
        The written ``index.html``: per notebook status, duration, metrics, a link to the
        executed notebook rendered as HTML, expectations and claims (when given), exercise
        progress (when a notebook recorded it) and a gallery of every figure.
    """
    from mlkit.runner.report import exercise_progress

    run_dir = Path(run_dir)
    try:
        doc = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        doc = {}
    parts = [
        f"<h1>mlkit run {escape(str(doc.get('run_id', run_dir.name)))}</h1>",
        "<p>"
        + escape(
            f"profile {doc.get('profile', '?')}, started {doc.get('started_utc', '?')}, "
            f"wall {doc.get('wall_s', '?')} s, status {doc.get('status', '?')}"
        )
        + ' &middot; <a href="summary.md">summary.md</a> &middot; '
        '<a href="metrics.json">metrics.json</a></p>',
    ]
    rows = []
    for name, r in results.items():
        link = "-"
        if r.output and (run_dir / r.output).is_file():
            html_rel = Path("html") / (Path(r.output).stem + ".html")
            try:
                render_notebook_html(run_dir / r.output, run_dir / html_rel)
                link = (
                    f'<a href="{_href(html_rel)}">{escape(html_rel.name)}</a> '
                    f'(<a href="{_href(r.output)}">ipynb</a>)'
                )
            except Exception as exc:  # noqa: BLE001 - a report must not fail on one render
                link = (
                    f'<a href="{_href(r.output)}">{escape(r.output)}</a> ({escape(str(exc)[:80])})'
                )
        err = r.error or {}
        rows.append(
            {
                "notebook": escape(name),
                "status": f'<span class="{"ok" if r.status == "ok" else "bad"}">{escape(r.status)}</span>',
                "duration (s)": f"{r.duration_s:.1f}",
                "metrics": str(len(r.metrics)),
                "executed notebook": link,
                "error": escape(
                    f"cell {err.get('cell_index')}: {err.get('ename', '')}: "
                    f"{str(err.get('evalue', '')).strip()[:300]}"
                )
                if err
                else "",
            }
        )
    cols = ["notebook", "status", "duration (s)", "metrics", "executed notebook", "error"]
    parts += ["<h2>Notebooks</h2>", _table(rows, cols, raw=set(cols))]
    if checks is not None:
        parts.append("<h2>Expectations</h2>")
        parts.append(
            _table(
                [{**c, "ok": _verdict(c["ok"])} for c in checks],
                ["notebook", "metric", "expected", "got", "ok"],
                raw={"ok"},
            )
            if checks
            else "<p>No expectations for this profile.</p>"
        )
    if claims:
        from mlkit.runner.report import format_claim_values

        parts.append("<h2>Claims</h2>")
        parts.append(
            _table(
                [
                    {
                        **c,
                        "values": format_claim_values(c["values"]) or c["note"],
                        "holds": _verdict(c["ok"]),
                    }
                    for c in claims
                ],
                ["notebook", "claim", "expr", "says", "values", "holds"],
                raw={"holds"},
            )
        )
    progress = exercise_progress(results)
    if progress:
        parts.append("<h2>Exercise progress</h2>")
        parts.append(
            _table(
                [
                    {
                        "notebook": p["notebook"],
                        "passed": f"{p['passed']} / {p['total']}",
                        "incorrect": p["incorrect"],
                        "not attempted": p["not_attempted"],
                        "to revisit": ", ".join(p["ids"]["incorrect"]) or "-",
                    }
                    for p in progress
                ],
                ["notebook", "passed", "incorrect", "not attempted", "to revisit"],
            )
        )
    for name, r in results.items():
        parts.append(f"<h2>{escape(name)}</h2>")
        if r.parameters:
            parts.append(
                "<p>Parameters: "
                + ", ".join(f"<code>{escape(f'{k}={v!r}')}</code>" for k, v in r.parameters.items())
                + "</p>"
            )
        if r.metrics:
            parts.append(
                _table(
                    [{"metric": k, "value": v} for k, v in r.metrics.items()], ["metric", "value"]
                )
            )
        figures = [f for f in r.figures if (run_dir / f).is_file()]
        if figures:
            parts.append('<div class="gallery">')
            for f in figures:
                parts.append(
                    f'<figure><a href="{_href(f)}"><img src="{_href(f)}" alt="{escape(f)}"></a>'
                    f"<figcaption>{escape(Path(f).name)}</figcaption></figure>"
                )
            parts.append("</div>")
    path = run_dir / "index.html"
    path.write_text(_page(f"mlkit run {run_dir.name}", parts), encoding="utf-8")
    return path


def _numeric(series) -> bool:
    import pandas as pd

    values = pd.to_numeric(series, errors="coerce")
    return bool(values.notna().sum()) and values.notna().sum() == series.notna().sum()


def _plot_metric(df, metric: str, swept: list[str], target: Path) -> None:
    """Draw `metric` against each swept parameter: mean and 95 % interval per value."""
    import numpy as np
    import pandas as pd
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from mlkit._stats import mean_t_interval

    fig = Figure(figsize=(3.6 * len(swept), 2.8), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, len(swept), squeeze=False)[0]
    y_all = pd.to_numeric(df[metric], errors="coerce")
    for ax, param in zip(axes, swept, strict=True):
        if param == "random_state":  # seeds are repeats: their mean and interval, not a trend
            y = y_all.dropna().to_numpy(dtype=float)
            ax.scatter(df.loc[y_all.notna(), param], y, s=14, color="0.45", label="one seed")
            if len(y) >= 2 and np.ptp(y) > 0:
                m, lo, hi = mean_t_interval(y)
                ax.axhspan(lo, hi, color="C0", alpha=0.2, label="95 % interval of the mean")
                ax.axhline(m, color="C0", label=f"mean {m:.4g}")
            ax.legend(fontsize=6, loc="best")
            ax.set_xlabel("random_state (seed)")
            ax.set_ylabel(metric, fontsize=8)
            continue
        xs = list(dict.fromkeys(df[param].tolist()))
        numeric_x = all(isinstance(x, int | float) and not isinstance(x, bool) for x in xs)
        xs = sorted(xs) if numeric_x else xs
        pos = xs if numeric_x else list(range(len(xs)))
        means, lows, highs = [], [], []
        for x in xs:
            y = y_all[df[param] == x].dropna().to_numpy(dtype=float)
            if len(y) >= 2 and np.ptp(y) > 0:
                m, lo, hi = mean_t_interval(y)
            elif len(y):
                m = lo = hi = float(y.mean())
            else:
                m = lo = hi = math.nan
            means.append(m)
            lows.append(lo)
            highs.append(hi)
            ax.scatter([pos[xs.index(x)]] * len(y), y, s=8, color="0.6", zorder=1)
        means, lows, highs = map(np.asarray, (means, lows, highs))
        ax.errorbar(pos, means, yerr=[means - lows, highs - means], fmt="o-", capsize=3, zorder=2)
        if not numeric_x:
            ax.set_xticks(pos, [str(x) for x in xs], rotation=30, fontsize=7)
        ax.set_xlabel(param)
        ax.set_ylabel(metric, fontsize=8)
    fig.suptitle(f"{metric}: points, mean and 95 % interval", fontsize=8)
    target.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(target, dpi=90)


def write_sweep_index(
    sweep_dir: str | os.PathLike,
    df,
    *,
    swept: list[str],
    claims: list[dict],
    results: dict,
    meta: dict,
) -> Path:
    """Write a sweep's ``index.html`` and its figures (``figures/<metric>.png``).

    Parameters
    ----------
    sweep_dir : path-like
        The sweep folder.
    df : pandas.DataFrame
        One row per point (``sweep.csv``).
    swept : list of str
        The swept parameters (columns of `df`).
    claims : list of dict
        Rows of :func:`mlkit.runner.sweep.sweep_claims`.
    results : dict of str to dict
        Point id -> result record (``points/<id>/result.json``).
    meta : dict
        The sweep's ``sweep.json``.

    Returns
    -------
    pathlib.Path
        The written ``index.html``: one figure per numeric metric (against each swept
        parameter, mean and 95 % Student-t interval over the points at each value), the
        claims table with Wilson intervals, failed points with their error, and every point.
    """
    sweep_dir = Path(sweep_dir)
    n_fail = int((df["status"] != "ok").sum()) if len(df) else 0
    parts = [
        f"<h1>mlkit sweep {escape(str(meta.get('sweep_id', sweep_dir.name)))}</h1>",
        "<p>"
        + escape(
            f"{len(df)} point(s), {n_fail} not ok; profile {meta.get('profile', '?')}; "
            f"swept {', '.join(swept)}; status {meta.get('status', '?')}; "
            f"wall {meta.get('wall_s', '?')} s; scheduler {meta.get('scheduler', '-')}"
        )
        + ' &middot; <a href="sweep.csv">sweep.csv</a> &middot; <a href="claims.csv">claims.csv</a>'
        ' &middot; <a href="sweep.json">sweep.json</a></p>',
    ]
    if claims:
        rows = []
        for c in claims:
            rows.append(
                {
                    **c,
                    "holds on": f"{c['holds']} of {c['n_points']}",
                    "95 % interval": f"[{_fmt(c['ci_low'])}, {_fmt(c['ci_high'])}]",
                    "required": "-" if c["required"] is None else f"{c['required']:.0%}",
                    "ok": _verdict(c["ok"]),
                }
            )
        parts += [
            "<h2>Claims</h2>",
            "<p>Share of the finished points on which each claim of nbs_ci.yml holds, with its "
            "Wilson 95 % interval.</p>",
            _table(
                rows,
                [
                    "notebook",
                    "claim",
                    "expr",
                    "holds on",
                    "share",
                    "95 % interval",
                    "required",
                    "ok",
                ],
                raw={"ok"},
            ),
        ]
    failed = df[df["status"] != "ok"] if len(df) else df
    if len(failed):
        rows = []
        for _, r in failed.iterrows():
            rec = results.get(r["point_id"]) or {}
            err = rec.get("error") or {}
            out = rec.get("output")
            link = f"points/{r['point_id']}/{out}" if out else ""
            rows.append(
                {
                    "point": escape(r["point_id"]),
                    "notebook": escape(str(r["notebook"])),
                    "values": escape(", ".join(f"{k}={r[k]}" for k in swept)),
                    "status": f'<span class="bad">{escape(str(r["status"]))}</span>',
                    "cell": escape(_fmt(err.get("cell_index"))),
                    "error": f"<pre>{escape(str(err.get('ename', '')) + ': ' + str(err.get('evalue', ''))[:1500])}</pre>",
                    "notebook file": (
                        f'<a href="{_href(link)}">{escape(out)}</a>'
                        if link and (sweep_dir / link).is_file()
                        else "-"
                    ),
                }
            )
        cols = ["point", "notebook", "values", "status", "cell", "error", "notebook file"]
        parts += ["<h2>Failed points</h2>", _table(rows, cols, raw=set(cols))]
    fixed = {"point_id", "notebook", "status", "duration_s", "error", *swept}
    ok = df[df["status"] == "ok"] if len(df) else df
    metrics = [c for c in df.columns if c not in fixed and len(ok) and _numeric(ok[c])]
    if metrics and swept:
        parts.append("<h2>Metrics against the swept parameters</h2>")
        parts.append('<div class="gallery">')
        for metric in metrics + ["duration_s"]:
            safe = re.sub(r"[^A-Za-z0-9_.-]", "_", metric)
            rel = f"figures/{safe}.png"
            _plot_metric(ok, metric, swept, sweep_dir / rel)
            parts.append(
                f'<figure><a href="{_href(rel)}"><img src="{_href(rel)}" alt="{escape(metric)}">'
                f"</a><figcaption>{escape(metric)}</figcaption></figure>"
            )
        parts.append("</div>")
    rows = []
    for _, r in df.iterrows():
        rec = results.get(r["point_id"]) or {}
        out = rec.get("output")
        link = f"points/{r['point_id']}/{out}" if out else ""
        rows.append(
            {
                "point": escape(r["point_id"]),
                **{k: escape(_fmt(r[k])) for k in swept},
                "status": escape(str(r["status"])),
                "duration (s)": escape(_fmt(r["duration_s"])),
                "executed notebook": (
                    f'<a href="{_href(link)}">{escape(out)}</a>'
                    if link and (sweep_dir / link).is_file()
                    else "-"
                ),
            }
        )
    cols = ["point", *swept, "status", "duration (s)", "executed notebook"]
    parts += ["<h2>Points</h2>", _table(rows, cols, raw=set(cols))]
    path = sweep_dir / "index.html"
    path.write_text(_page(f"mlkit sweep {sweep_dir.name}", parts), encoding="utf-8")
    return path
