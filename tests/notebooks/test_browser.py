"""End-to-end: the notebooks work the way a researcher meets them, in JupyterLab in a browser.

One JupyterLab server per module (127.0.0.1, token, the kit's kernel as ``mlkit lab`` sets it
up) and one headless Chromium. For each notebook of ``nbs_ci.yml`` (plus a tiny fixture that
proves the harness itself): open a copy parameterised with its ``ci`` profile, Run All, assert
no cell shows an error, then move the first control of every panel and assert the figure or
table it drives changes. Screenshots go to ``test-artifacts/browser/``.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
from pathlib import Path

import pytest

from tests.notebooks._browser import (
    CHROMIUM_ARGS,
    LabServer,
    answer_exercise,
    close_notebook,
    exercise_cells,
    find_chromium,
    missing_browser_reason,
    move_control,
    notebook_errors,
    open_notebook,
    panel_cells,
    run_all,
    wait_idle,
)

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = "tests/fixtures/browser_panel.ipynb"
ARTIFACTS = ROOT / "test-artifacts" / "browser"
PROFILE = "ci"
# Notebooks that offer no control on purpose; the test then checks that this is still so.
# 07 scores a run folder given as a parameter; it has no control to move (a different run is a
# different parameter, not a redraw).
NO_CONTROLS = {"notebooks/03b_tracking.ipynb", "notebooks/07_production_readiness.ipynb"}

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _config():
    from mlkit.runner.config import load_config

    return load_config(ROOT / "nbs_ci.yml")


def _notebooks() -> list[str]:
    return [FIXTURE, *_config().notebooks]


@pytest.fixture(scope="module")
def lab():
    reason = missing_browser_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # Parameterised copies live under the server root (Lab serves nothing else) in an ignored
    # folder of their own, so the committed notebooks are never opened, let alone saved.
    copies = Path(tempfile.mkdtemp(prefix="notebooks-", dir=ARTIFACTS))
    server = LabServer(ROOT)
    try:
        server.start()
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=find_chromium(), headless=True, args=CHROMIUM_ARGS
            )
            try:
                yield {"server": server, "browser": browser, "copies": copies}
            finally:
                browser.close()
    finally:
        server.stop()
        shutil.rmtree(copies, ignore_errors=True)


def _prepare(notebook: str, copies: Path) -> str:
    """Copy `notebook` with its ci parameters injected (papermill, not executed)."""
    import papermill

    src = ROOT / notebook
    spec = _config().notebooks.get(notebook)
    params = spec.parameters(PROFILE) if spec else {}
    dst = copies / src.name
    if params:
        papermill.execute_notebook(
            str(src), str(dst), parameters=params, prepare_only=True, progress_bar=False
        )
    else:
        shutil.copyfile(src, dst)
    return dst.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("notebook", _notebooks(), ids=lambda p: Path(p).stem)
def test_notebook_runs_and_controls_drive_outputs(lab, notebook):
    server, copies = lab["server"], lab["copies"]
    timeout_s = _config().cell_timeout_s
    path = _prepare(notebook, copies)
    name = Path(notebook).stem
    context = lab["browser"].new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    start = time.perf_counter()
    try:
        open_notebook(page, server, path)
        run_s = run_all(page, timeout_s=timeout_s)
        errors = notebook_errors(page)
        assert not errors, f"{notebook}: cells show errors after Run All:\n" + "\n\n".join(
            f"cell {e['cell']}: {e['ename']}: {e['evalue']}\n{e['traceback']}" for e in errors
        )
        _answer_one_exercise(page, notebook, name)
        panels = panel_cells(page)
        if notebook in NO_CONTROLS:
            page.screenshot(path=ARTIFACTS / f"{name}.png")
            assert not panels, f"{notebook} now has controls: remove it from NO_CONTROLS."
            return
        assert panels, (
            f"{notebook}: no show_panel control rendered after Run All; every notebook is "
            "expected to offer at least one (or be listed in NO_CONTROLS with a reason)."
        )
        latencies, stuck = {}, []
        for p in panels:
            ms = move_control(page, p["cell"], p["kind"])
            if ms is None:
                stuck.append(f"cell {p['cell']} ({p['kind']})")
            else:
                latencies[p["cell"]] = ms
            if p is panels[0]:
                out = page.locator(f'[data-mlkit-cell="{p["cell"]}"]')
                out.locator(".jp-Cell-outputArea").screenshot(
                    path=ARTIFACTS / f"{name}.controls.png"
                )
        wait_idle(page)
        page.screenshot(path=ARTIFACTS / f"{name}.png")
        assert not stuck, (
            f"{notebook}: moving the first control of {', '.join(stuck)} did not change any "
            "figure or table of that cell within 30 s."
        )
        errors = notebook_errors(page)
        assert not errors, f"{notebook}: errors after moving controls: {errors}"
        total_s = time.perf_counter() - start
        print(
            f"\n{notebook}: run all {run_s:.1f} s, total {total_s:.1f} s, "
            f"{len(panels)} panel(s), control->output ms: "
            + ", ".join(f"cell {c}: {ms:.0f}" for c, ms in latencies.items())
        )
    except BaseException:
        try:
            page.screenshot(path=ARTIFACTS / f"{name}.png")
        except Exception:
            pass
        raise
    finally:
        close_notebook(page)
        context.close()


def _answer_one_exercise(page, notebook: str, name: str) -> None:
    """Issue 13: a learner types an answer into the first exercise cell and sees the verdict."""
    cells = exercise_cells(page)
    if not cells:
        assert not (ROOT / notebook).read_text().count("ex.check("), (
            f"{notebook} has ex.check cells but none with an `answer = ...` blank"
        )
        return
    texts = {i: page.evaluate("(i) => window.__mlkit.cellText(i)", i) for i in cells}
    blank = [i for i in cells if "not attempted" in texts[i]]
    assert blank, f"{notebook}: no blank exercise says 'not attempted' after Run All: {texts}"
    verdict = answer_exercise(page, blank[0], "42")
    assert re.search(r"\b(correct|incorrect)\b", verdict), f"{notebook}: no verdict: {verdict!r}"
    assert "Traceback" not in verdict and not notebook_errors(page)
    page.locator(f'[data-mlkit-cell="{blank[0]}"]').screenshot(
        path=ARTIFACTS / f"{name}.exercise.png"
    )


def test_listening_test_scores_typed_answers(lab):
    """Issue 11.2: in JupyterLab the learner types digits for the clips and sees their HLP."""
    server, copies = lab["server"], lab["copies"]
    path = _prepare("notebooks/02_data.ipynb", copies)
    context = lab["browser"].new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        open_notebook(page, server, path)
        run_all(page, timeout_s=_config().cell_timeout_s)
        boxes = page.locator('input[placeholder="digit 0-9"]')
        assert boxes.count() >= 20, f"expected the listening test's text boxes, got {boxes.count()}"
        for k in range(8):
            boxes.nth(k).fill(str(k % 10))
        boxes.nth(8).fill("seven")  # digit words are accepted too
        page.get_by_role("button", name="Score my answers").click()
        widget = page.locator(".widget-html-content")
        table = widget.filter(has_text="your accuracy").first
        table.wait_for(timeout=30_000)
        table.scroll_into_view_if_needed()
        page.screenshot(path=ARTIFACTS / "02_data.listening.png")
        assert "simulated team (estimate_hlp)" in table.inner_text()
        boxes.nth(0).fill("banana")
        page.get_by_role("button", name="Score my answers").click()
        widget.filter(has_text="Check your answers").first.wait_for(timeout=30_000)
        assert not notebook_errors(page)
    finally:
        close_notebook(page)
        context.close()


def _report_folders(tmp: Path) -> list[Path]:
    """A run (with --check, one notebook fails) and a sweep (one point fails) of fixtures."""
    from mlkit.runner.cli import main
    from mlkit.runner.sweep import sweep

    fixtures = ROOT / "tests" / "fixtures"
    run_dir = tmp / "run"
    main(
        [
            "run",
            str(fixtures / "ok.ipynb"),
            str(fixtures / "fail.ipynb"),
            "--config",
            str(fixtures / "nbs_ci.yml"),
            "--out",
            str(run_dir),
            "--check",
            "--jobs",
            "2",
        ]
    )
    df = sweep(
        [fixtures / "sweep" / "sweepnb.ipynb"],
        config=fixtures / "sweep" / "nbs_ci.yml",
        seeds=2,
        parameters={"fail_seed": 1},
        workers=2,
        out=tmp / "sweep",
        echo=lambda *_: None,
    )
    return [run_dir, Path(df.attrs["sweep_dir"])]


@pytest.mark.notebook
def test_run_and_sweep_reports_load_offline(lab, tmp_path):
    """index.html of a run and of a sweep: every image decodes, every local link resolves.

    Uses the module's browser (``lab``): a second sync Playwright in the same module would run
    inside the first one's event loop and refuse to start.
    """
    from urllib.parse import unquote, urlparse

    for folder in _report_folders(tmp_path):
        index = folder / "index.html"
        assert index.is_file(), f"{folder} has no index.html"
        page = lab["browser"].new_page()
        try:
            page.goto(index.as_uri(), wait_until="load")
            images = page.eval_on_selector_all(
                "img", "els => els.map(e => [e.getAttribute('src'), e.complete, e.naturalWidth])"
            )
            links = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
            external = page.eval_on_selector_all(
                "[src^='http'], link[href^='http']", "els => els.length"
            )
        finally:
            page.close()
        assert images, f"{index}: no figures"
        broken = [src for src, done, width in images if not (done and width > 0)]
        assert not broken, f"{index}: images that did not load: {broken}"
        assert external == 0, f"{index} loads assets from the network"
        local = [urlparse(u) for u in links if u.startswith("file:")]
        assert local, f"{index}: no local links"
        missing = [u.path for u in local if not Path(unquote(u.path)).exists()]
        assert not missing, f"{index}: links to missing files: {missing}"
        html_pages = [Path(unquote(u.path)) for u in local if u.path.endswith(".html")]
        for rendered in html_pages:
            assert "cdnjs" not in rendered.read_text(encoding="utf-8"), rendered
    run_html = (tmp_path / "run" / "index.html").read_text(encoding="utf-8")
    assert "Claims" in run_html and "Expectations" in run_html
    assert (tmp_path / "run" / "html" / "ok.html").is_file()
