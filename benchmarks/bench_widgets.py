"""Latency of the heaviest controls: time from a control change to the updated output.

Usage::

    python benchmarks/bench_widgets.py              # in-process, through Panel.update
    python benchmarks/bench_widgets.py --browser    # also end to end in JupyterLab + Chromium
    python benchmarks/bench_widgets.py -n 100 --scores 10000

In-process figures go through ``mlkit.widgets.Panel.update`` with the phase modules' own
renderers: ``render`` is the time ``Panel`` records (render function + PNG/HTML object),
``update`` adds what the kernel does before sending (IPython's formatters: base64 of the PNG,
the Styler's HTML, the JSON message body), measured with a shell whose display publisher
serialises to JSON instead of writing to a socket. "naive" variants redraw a new figure per
change (``plt.subplots`` + ``savefig``) to show what precomputing and blitting buy.

The browser figure is the time from a key press on the slider to the new image in the page
(comm round trip, render, display update, websocket, DOM), measured by Playwright.
Goal: p95 <= 100 ms for every control.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.pop("MLKIT_HEADLESS", None)
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import ipywidgets as w  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from mlkit import data, modeling  # noqa: E402
from mlkit import monitoring as mon  # noqa: E402
from mlkit.widgets import Panel, figure_to_image  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
GOAL_P95_MS = 100.0


# --------------------------------------------------------------------------- measuring


def _install_json_shell():
    """Make display() do the kernel's work (format + JSON) without a kernel or socket."""
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell

    class JsonPublisher(DisplayPublisher):
        def publish(self, data, metadata=None, source=None, *, transient=None, update=False):
            json.dumps({"data": data, "metadata": metadata or {}, "transient": transient})

    shell = InteractiveShell.instance()
    shell.display_pub = JsonPublisher(shell=shell)
    return shell


def _pct(values, q):
    return float(np.percentile(np.asarray(values, dtype=float), q))


def _row(name, render_ms, update_ms):
    return {
        "control": name,
        "n": len(update_ms),
        "render_p50_ms": _pct(render_ms, 50),
        "render_p95_ms": _pct(render_ms, 95),
        "update_p50_ms": _pct(update_ms, 50),
        "update_p95_ms": _pct(update_ms, 95),
    }


def measure_panel(name, render, controls: dict, changes: list[dict]) -> dict:
    """Show a Panel, apply each change with ``Panel.update`` and time render and update."""
    panel = Panel(render, controls).show()
    panel.update(**changes[0])  # warm-up: first-call caches (fonts, numpy dispatch)
    render_ms, update_ms = [], []
    for change in changes:
        start = time.perf_counter()
        render_ms.append(panel.update(**change))
        update_ms.append((time.perf_counter() - start) * 1000.0)
    return _row(name, render_ms, update_ms)


def _cycle(values, n):
    return [values[i % len(values)] for i in range(n)]


# --------------------------------------------------------------------------- scenarios


def threshold_scenarios(n_scores: int, n: int, rng) -> list[dict]:
    """Threshold slider over `n_scores` scores: PR point + confusion matrix + cost."""
    y = (rng.random(n_scores) < 0.1).astype(int)
    score = np.clip(rng.normal(0.35 + 0.3 * y, 0.15), 0, 1)
    start = time.perf_counter()
    sweep = modeling.threshold_sweep(y, score, cost_fp=1.0, cost_fn=10.0)
    sweep_ms = (time.perf_counter() - start) * 1000.0
    thresholds = _cycle([round(t, 2) for t in np.linspace(0.05, 0.95, 91)], n)
    changes = [{"threshold": t} for t in thresholds]

    def slider():
        return {"threshold": w.FloatSlider(value=0.5, min=0, max=1, step=0.01)}

    rows = [
        measure_panel(
            "threshold: modeling.threshold_view_renderer (blit, 72 dpi)",
            modeling.threshold_view_renderer(sweep),
            slider(),
            changes,
        ),
        measure_panel(
            "threshold: naive plot_threshold_view per change (new figure + savefig)",
            lambda threshold: modeling.plot_threshold_view(sweep, threshold),
            slider(),
            changes[: max(10, n // 3)],
        ),
        measure_panel(
            "threshold: naive + threshold_sweep per change (nothing precomputed)",
            lambda threshold: modeling.plot_threshold_view(
                modeling.threshold_sweep(y, score), threshold
            ),
            slider(),
            changes[: max(10, n // 3)],
        ),
    ]
    rows[0]["note"] = f"threshold_sweep over {n_scores} scores precomputed once: {sweep_ms:.0f} ms"
    return rows


def _monitoring_inputs(rng, n_days: int = 60):
    """Window tables shaped like ``monitoring.window_metrics`` output, for every option."""
    rules = {
        "input_psi": mon.AlertRule("input_psi", "psi_max_input", 0.25, "above", node="input"),
        "vad_kept_low": mon.AlertRule(
            "vad_kept_low", "vad_kept_fraction", 0.6, "below", node="vad"
        ),
        "reject_rate_high": mon.AlertRule("reject_rate_high", "reject_rate", 0.2, "above"),
        "accuracy_low": mon.AlertRule(
            "accuracy_low", "accuracy", 0.8, "below", severity="critical", delay_days=2
        ),
    }
    streams = {
        "control": None,
        "data_drift": mon.StreamEvent(
            "new_microphone", "data_drift", onset_day=30, mix={"clean": 0.5, "car_noise": 0.5}
        ),
        "concept_drift": mon.StreamEvent(
            "new_slang", "concept_drift", onset_day=30, label_map={1: 7, 7: 1}
        ),
        "pipeline_fault": mon.StreamEvent("vad_bug", "pipeline_fault", onset_day=30),
    }
    windows = [1, 2, 3, 7]
    tables = {}
    for name, ev in streams.items():
        days = np.arange(n_days)
        after = (days >= 30) if ev is not None else np.zeros(n_days, bool)
        daily = pd.DataFrame(
            {
                "psi_max_input": rng.gamma(2, 0.04, n_days) + 0.4 * after,
                "vad_kept_fraction": 0.9 - 0.05 * rng.random(n_days) - 0.4 * after,
                "reject_rate": 0.05 + 0.03 * rng.random(n_days) + 0.2 * after,
                "accuracy": 0.93 - 0.04 * rng.random(n_days) - 0.2 * after,
            }
        )
        for wd in windows:
            g = daily.groupby(days // wd).mean()
            g["day_start"] = g.index * wd
            g["day_end"] = np.minimum(g.index * wd + wd - 1, n_days - 1)
            tables[(name, wd)] = g.reset_index(drop=True)
    return tables, rules, streams, windows


def monitoring_scenarios(n: int, rng) -> list[dict]:
    """Monitoring dashboard: window (SelectionSlider) and PSI-threshold sliders."""
    tables, rules, streams, windows = _monitoring_inputs(rng)

    def controls():
        return {
            "stream": w.Dropdown(options=list(streams), value="data_drift"),
            "window_days": w.SelectionSlider(options=windows, value=1),
            "psi_threshold": w.FloatSlider(value=0.25, min=0.05, max=1.0, step=0.05),
            "consecutive": w.IntSlider(value=2, min=1, max=5),
        }

    thr = [round(t, 2) for t in np.arange(0.05, 1.0001, 0.05)]
    fast = mon.dashboard_renderer(tables, rules, streams)

    def naive(stream, window_days, psi_threshold, consecutive):
        t = tables[(stream, window_days)]
        fig, axes = plt.subplots(2, 2, figsize=(11, 5), sharex=True)
        for ax, rule in zip(axes.flat, rules.values(), strict=True):
            thr_ = psi_threshold if rule.name == "input_psi" else rule.threshold
            y = t[rule.metric].to_numpy()
            hit = mon.consecutive_breaches(
                y, thr_, direction=rule.direction, consecutive=consecutive
            )
            x = (t["day_start"] + t["day_end"] + 1) / 2
            ax.plot(x, y, marker="o", ms=3)
            ax.axhline(thr_, color="red", ls="--")
            ax.plot(x[hit], y[hit], "v", color="red")
            ax.set_title(f"{rule.node}: {rule.metric}", fontsize=10)
        fig.tight_layout()
        return fig

    win = [{"window_days": wd} for wd in _cycle(windows, n)]
    psi = [{"psi_threshold": t} for t in _cycle(thr, n)]
    few = max(10, n // 3)
    return [
        measure_panel("monitoring window: dashboard_renderer (blit)", fast, controls(), win),
        measure_panel("monitoring PSI threshold: dashboard_renderer (blit)", fast, controls(), psi),
        measure_panel("monitoring window: naive new figure", naive, controls(), win[:few]),
        measure_panel("monitoring PSI threshold: naive new figure", naive, controls(), psi[:few]),
    ]


def labeler_scenarios(n: int, rng, *, n_clips: int = 720) -> list[dict]:
    """Labeler-noise controls (02_data): error-rate slider + convention checkbox -> HLP table."""
    y = rng.integers(0, 10, n_clips)
    tags = rng.choice(["clean", "car_noise", "people_noise", "low_bandwidth"], n_clips)
    ambiguous = data.ambiguous_mask(n_clips, tags=tags, random_state=0)
    y_conv = data.apply_convention(y, ambiguous=ambiguous)

    def render_team(error_rate, convention):
        lab = data.simulate_labelers(y, tags=tags, n_labelers=5, error_rate=error_rate)
        if convention:
            lab = data.apply_convention(lab)
        table = data.hlp_by_tag(lab, tags=tags, y_true=y_conv)
        text = f"Fleiss' kappa **{data.fleiss_kappa(lab):.3f}**"
        style = table.style.format({c: "{:.3f}" for c in table.columns if c != "n_samples"})
        return text, style.bar(subset=["hlp_agreement", "hlp_accuracy"], vmin=0, vmax=1)

    def render_plain(error_rate, convention):
        text, style = render_team(error_rate, convention)
        return text, style.data.round(3)

    def controls():
        return {
            "error_rate": w.FloatSlider(value=0.05, min=0, max=0.3, step=0.01),
            "convention": w.Checkbox(value=False),
        }

    rates = [{"error_rate": round(r, 2)} for r in _cycle(list(np.arange(0, 0.31, 0.01)), n)]
    conv = [{"convention": bool(i % 2)} for i in range(n)]
    return [
        measure_panel(
            f"labelers error rate ({n_clips} clips, Styler.bar)", render_team, controls(), rates
        ),
        measure_panel(
            f"labelers convention ({n_clips} clips, Styler.bar)", render_team, controls(), conv
        ),
        measure_panel(
            f"labelers error rate ({n_clips} clips, plain DataFrame)",
            render_plain,
            controls(),
            rates,
        ),
    ]


def figure_breakdown(n: int) -> list[dict]:
    """Where a naive figure's time goes: creating and drawing vs encoding the PNG."""
    x = np.linspace(0, 1, 10_000)
    rows = []
    for label, dpi, tight in (
        ("savefig(bbox_inches='tight'), figure dpi", None, True),
        ("savefig, 72 dpi, no tight bbox", 72, False),
    ):
        make_ms, save_ms = [], []
        for i in range(n):
            start = time.perf_counter()
            fig, axes = plt.subplots(1, 3, figsize=(12, 3.6))
            for ax in axes:
                ax.plot(x, np.sin(2 * np.pi * (1 + i % 5) * x))
            fig.tight_layout()
            mid = time.perf_counter()
            if tight:
                figure_to_image(fig, dpi=dpi)
            else:
                import io

                buf = io.BytesIO()
                fig.savefig(buf, format="png", dpi=dpi)
                plt.close(fig)
            end = time.perf_counter()
            make_ms.append((mid - start) * 1000.0)
            save_ms.append((end - mid) * 1000.0)
        rows.append(
            {
                "step": label,
                "create_p50_ms": _pct(make_ms, 50),
                "savefig_p50_ms": _pct(save_ms, 50),
                "savefig_p95_ms": _pct(save_ms, 95),
            }
        )
    return rows


# --------------------------------------------------------------------------- browser

_BENCH_NOTEBOOK_CELLS = [
    "import ipywidgets as w\nimport numpy as np\n\nfrom mlkit import modeling\n"
    "from mlkit.widgets import show_panel",
    "rng = np.random.default_rng(0)\n"
    "y = (rng.random({n_scores}) < 0.1).astype(int)\n"
    "score = np.clip(rng.normal(0.35 + 0.3 * y, 0.15), 0, 1)\n"
    "sweep = modeling.threshold_sweep(y, score, cost_fp=1.0, cost_fn=10.0)\n"
    "render = modeling.threshold_view_renderer(sweep)\n"
    'show_panel(render, {{"threshold": w.FloatSlider(value=0.3, min=0, max=1, step=0.01)}});',
    "def naive(threshold):\n"
    "    return modeling.plot_threshold_view(sweep, threshold)\n\n\n"
    'show_panel(naive, {{"threshold": w.FloatSlider(value=0.3, min=0, max=1, step=0.01)}});',
]


def _load_browser_helpers():
    spec = importlib.util.spec_from_file_location("_browser", ROOT / "tests" / "_browser.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["_browser"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def browser_scenarios(n: int, n_scores: int) -> list[dict]:
    """Key press on a slider -> new image in the page, in JupyterLab in headless Chromium."""
    import nbformat

    b = _load_browser_helpers()
    reason = b.missing_browser_reason()
    if reason:
        print(f"browser benchmark skipped: {reason}")
        return []
    from playwright.sync_api import sync_playwright

    folder = Path(tempfile.mkdtemp(prefix="bench-", dir=ROOT / "test-artifacts"))
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(src.format(n_scores=n_scores)) for src in _BENCH_NOTEBOOK_CELLS
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(nb, folder / "bench_widgets.ipynb")
    rel = (folder / "bench_widgets.ipynb").relative_to(ROOT).as_posix()
    labels = {1: "threshold (blit): browser key press -> new img", 2: "threshold (naive): browser"}
    rows = []
    try:
        with b.LabServer(ROOT) as server, sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=b.find_chromium(), headless=True, args=b.CHROMIUM_ARGS
            )
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            b.open_notebook(page, server, rel)
            b.run_all(page, timeout_s=300)
            errors = b.notebook_errors(page)
            if errors:
                raise RuntimeError(f"benchmark notebook failed: {errors}")
            for p in b.panel_cells(page):
                ms = []
                for _ in range(n):
                    got = b.move_control(page, p["cell"], p["kind"], timeout_s=10)
                    if got is not None:
                        ms.append(got)
                    b.wait_idle(page)
                if ms:
                    row = _row(labels.get(p["cell"], f"cell {p['cell']}"), [np.nan], ms)
                    row["render_p50_ms"] = row["render_p95_ms"] = float("nan")
                    rows.append(row)
            b.close_notebook(page)
            browser.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return rows


# --------------------------------------------------------------------------- main


def _print_table(rows, columns):
    if not rows:
        return
    table = [
        [f"{r[c]:.1f}" if isinstance(r[c], float) else str(r[c]) for c in columns] for r in rows
    ]
    widths = [max(len(c), *(len(t[i]) for t in table)) for i, c in enumerate(columns)]
    print("  ".join(c.ljust(wd) for c, wd in zip(columns, widths, strict=True)))
    for t in table:
        print("  ".join(v.ljust(wd) for v, wd in zip(t, widths, strict=True)))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=60, help="changes per control (default 60)")
    parser.add_argument("--scores", type=int, default=10_000, help="scores behind the threshold")
    parser.add_argument("--browser", action="store_true", help="also measure in JupyterLab")
    parser.add_argument("--browser-n", type=int, default=20, help="key presses per slider")
    args = parser.parse_args(argv)

    _install_json_shell()
    rng = np.random.default_rng(0)
    cols = ["control", "n", "render_p50_ms", "render_p95_ms", "update_p50_ms", "update_p95_ms"]
    rows = []
    rows += threshold_scenarios(args.scores, args.n, rng)
    rows += monitoring_scenarios(args.n, rng)
    rows += labeler_scenarios(args.n, rng)
    print(
        f"In-process (Panel.update), {args.n} changes per control, goal p95 <= {GOAL_P95_MS:g} ms"
    )
    _print_table(rows, cols)
    for r in rows:
        if r.get("note"):
            print(f"  note: {r['note']}")
    print("\nNaive figure: creation vs PNG encoding (3 axes x 10,000 points)")
    _print_table(
        figure_breakdown(max(10, args.n // 3)),
        ["step", "create_p50_ms", "savefig_p50_ms", "savefig_p95_ms"],
    )
    if args.browser:
        brows = browser_scenarios(args.browser_n, args.scores)
        if brows:
            print(f"\nEnd to end in JupyterLab + headless Chromium, {args.browser_n} key presses")
            _print_table(brows, ["control", "n", "update_p50_ms", "update_p95_ms"])
            rows += brows
    slow = [r["control"] for r in rows if r["update_p95_ms"] > GOAL_P95_MS]
    kit = [r for r in slow if "naive" not in r]
    print(
        "\nOver the goal: "
        + (", ".join(slow) if slow else "none")
        + (f"\n(of which kit renderers: {', '.join(kit)})" if kit else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
