"""Drive JupyterLab in headless Chromium: start a Lab server, run notebooks, move controls.

Shared by ``tests/test_browser.py`` and ``benchmarks/bench_widgets.py``. The browser is the
machine's own Chromium (Debian's ``chromium``, installed by ``.ci/install-browser.sh``) driven
by Playwright for Python through ``executable_path``; Playwright's own browser download is
never used.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "CHROMIUM_ARGS",
    "LabServer",
    "find_chromium",
    "missing_browser_reason",
    "open_notebook",
    "run_all",
    "notebook_errors",
    "panel_cells",
    "move_control",
    "close_notebook",
    "wait_idle",
]

# Without the background-networking flags Chromium keeps dialling out and, on a closed network,
# stalls; --no-sandbox is needed as root.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

# JupyterLab user settings for a quiet, deterministic UI: no news/update toasts, no autosave
# (the copies are throwaway anyway), every cell kept in the DOM (no virtual scrolling).
_LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


def find_chromium() -> str | None:
    """Return the Chromium executable to use (env ``MLKIT_CHROMIUM`` first), or None."""
    env = os.environ.get("MLKIT_CHROMIUM")
    if env:
        return env if Path(env).is_file() else None
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


def missing_browser_reason() -> str | None:
    """Return why browser tests cannot run here (no playwright, no Chromium), or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install playwright; no browser download needed)"
    if find_chromium() is None:
        return (
            "no Chromium found (install Debian's with `bash .ci/install-browser.sh` "
            "or point MLKIT_CHROMIUM at a chromium binary)"
        )
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LabServer:
    """A JupyterLab server on 127.0.0.1 with the kit's kernel, for one test module.

    The kernel environment is the one ``mlkit lab`` gives students: ``kernel_env`` without
    ``MLKIT_HEADLESS`` and ``MLKIT_RUN_DIR``, so panels show live controls.
    """

    root: Path
    startup_timeout_s: float = 120.0
    port: int = 0
    token: str = field(default_factory=lambda: secrets.token_hex(16))
    proc: subprocess.Popen | None = None
    workdir: Path | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        """Return the Lab URL that opens `path` (relative to the root), token included."""
        return f"{self.base_url}/lab/tree/{path}?token={self.token}"

    @property
    def log_path(self) -> Path:
        return self.workdir / "lab.log"

    def log_tail(self, n_chars: int = 4000) -> str:
        """Return the end of the server log (for failure messages)."""
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-n_chars:]
        except OSError:
            return "(no log)"

    def start(self) -> LabServer:
        """Start the server and wait (bounded) until ``/api/status`` answers."""
        from mlkit.runner import kernel_env

        self.workdir = Path(tempfile.mkdtemp(prefix="mlkit-browser-lab-"))
        env = kernel_env(
            self.workdir / "run",
            kernel_dir=self.workdir / "kernel",
            threads=1,
            project_root=self.root,
        )
        for var in ("MLKIT_HEADLESS", "MLKIT_RUN_DIR"):
            env.pop(var, None)
        # Keep the user's Jupyter config, runtime files and lab settings out of the test.
        for var, sub in (
            ("JUPYTER_CONFIG_DIR", "config"),
            ("JUPYTER_RUNTIME_DIR", "runtime"),
            ("JUPYTER_DATA_DIR", "data"),
        ):
            env[var] = str(self.workdir / sub)
        settings = self.workdir / "settings"
        for rel, value in _LAB_SETTINGS.items():
            (settings / rel).parent.mkdir(parents=True, exist_ok=True)
            (settings / rel).write_text(json.dumps(value), encoding="utf-8")
        self.port = _free_port()
        cmd = [
            sys.executable,
            "-m",
            "jupyter",
            "lab",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={self.port}",
            "--port-retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
            "--LabApp.expose_app_in_browser=True",
            f"--LabApp.user_settings_dir={settings}",
            f"--LabApp.workspaces_dir={self.workdir / 'workspaces'}",
            "--LabApp.news_url=",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")
        log = open(self.log_path, "w", encoding="utf-8")  # the child keeps its own handle
        self.proc = subprocess.Popen(
            cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=self.root
        )
        log.close()
        deadline = time.monotonic() + self.startup_timeout_s
        status = f"{self.base_url}/api/status?token={self.token}"
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"JupyterLab exited with code {self.proc.returncode} before answering.\n"
                    f"{self.log_tail()}"
                )
            try:
                with urllib.request.urlopen(status, timeout=2) as resp:
                    if resp.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(
                    f"JupyterLab did not answer on {self.base_url} within "
                    f"{self.startup_timeout_s:g} s.\n{self.log_tail()}"
                )
            time.sleep(0.25)

    def stop(self) -> None:
        """Stop the server (its kernels with it) and remove its temporary folder."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> LabServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


# Helpers installed into the page as window.__mlkit. Cells are addressed by their index in the
# notebook; outputs are read from the notebook model (the truth) and the DOM (what is shown).
_PAGE_HELPERS = r"""
() => {
  const app = window.jupyterapp;
  const nb = () => app.shell.currentWidget;
  const CONTROL = '.widget-slider .noUi-handle, .widget-dropdown select, '
    + '.widget-checkbox input[type=checkbox], .widget-toggle-button, .widget-radio-box input';
  window.__mlkit = {
    kernelStatus() {
      const k = nb().sessionContext.session && nb().sessionContext.session.kernel;
      return k ? k.status : 'none';
    },
    busyCells() {
      return nb().content.widgets
        .map((c, i) => [i, c])
        .filter(([i, c]) => c.model.type === 'code'
          && (c.model.executionState === 'running'
              || (c.node.querySelector('.jp-InputPrompt') || {}).textContent === '[*]:'))
        .map(([i, c]) => i);
    },
    errors() {
      const out = [];
      nb().content.widgets.forEach((c, i) => {
        if (c.model.type !== 'code') return;
        const outputs = c.model.outputs.toJSON();
        for (const o of outputs) {
          if (o.output_type === 'error') {
            out.push({cell: i, ename: o.ename, evalue: String(o.evalue).slice(0, 500),
                      traceback: (o.traceback || []).join('\n').replace(/\x1b\[[0-9;]*m/g, '').slice(-3000)});
          }
        }
        const text = c.node.querySelector('.jp-Cell-outputArea');
        if (text && /Error displaying widget|Failed to (load|create) (model|view)/.test(text.innerText)) {
          out.push({cell: i, ename: 'WidgetError', evalue: text.innerText.slice(0, 500), traceback: ''});
        }
      });
      return out;
    },
    pendingWidgets() {
      // widget-view outputs in the model that are not rendered (yet) in the DOM
      let pending = 0;
      nb().content.widgets.forEach((c) => {
        if (c.model.type !== 'code') return;
        const n = c.model.outputs.toJSON().filter(
          o => o.data && o.data['application/vnd.jupyter.widget-view+json']).length;
        const shown = c.node.querySelectorAll('.jp-OutputArea-output > .jupyter-widgets').length;
        pending += Math.max(0, n - shown);
      });
      return pending;
    },
    panelCells() {
      // cells calling show_panel whose outputs hold a control, with the first control's kind
      // (other widgets, such as a tagging form, do not promise to redraw a figure)
      const cells = [];
      nb().content.widgets.forEach((c, i) => {
        if (c.model.type !== 'code') return;
        if (!/show_panel\(/.test(c.model.sharedModel.getSource())) return;
        const ctrl = c.node.querySelector('.jp-Cell-outputArea ' + CONTROL.split(', ').join(', .jp-Cell-outputArea '));
        if (!ctrl) return;
        c.node.setAttribute('data-mlkit-cell', String(i));
        let kind = 'other';
        if (ctrl.classList.contains('noUi-handle')) kind = 'slider';
        else if (ctrl.tagName === 'SELECT') kind = 'dropdown';
        else if (ctrl.type === 'checkbox') kind = 'checkbox';
        else if (ctrl.classList.contains('widget-toggle-button')) kind = 'toggle';
        else if (ctrl.type === 'radio') kind = 'radio';
        cells.push({cell: i, kind});
      });
      return cells;
    },
    driven(i) {
      // what a control drives: every non-widget output of the cell (img src, tables, text)
      const c = nb().content.widgets[i];
      const parts = [];
      c.node.querySelectorAll('.jp-Cell-outputArea .jp-OutputArea-output').forEach((o) => {
        if (o.querySelector('.jupyter-widgets')) return;
        const img = o.querySelector('img');
        parts.push(img ? img.getAttribute('src') : o.innerHTML);
      });
      return parts.join('\u0000');
    },
    markBefore(i) { window.__mlkitBefore = this.driven(i); return window.__mlkitBefore.length; },
    changed(i) { return this.driven(i) !== window.__mlkitBefore; },
    sliderState(i) {
      const h = nb().content.widgets[i].node.querySelector('.jp-Cell-outputArea .noUi-handle');
      return {now: parseFloat(h.getAttribute('aria-valuenow')),
              max: parseFloat(h.getAttribute('aria-valuemax'))};
    },
    exerciseCells() {
      // learner cells: a blank answer and the one-line check below it
      const cells = [];
      nb().content.widgets.forEach((c, i) => {
        if (c.model.type !== 'code') return;
        if (!/answer = \.\.\.[\s\S]*ex\.check\(/.test(c.model.sharedModel.getSource())) return;
        c.node.setAttribute('data-mlkit-cell', String(i));
        cells.push(i);
      });
      return cells;
    },
    cellText(i) {
      const o = nb().content.widgets[i].node.querySelector('.jp-Cell-outputArea');
      return o ? o.innerText : '';
    },
    startRunAll() {
      window.__mlkitRun = {done: false, ok: null, error: null};
      Promise.resolve(app.commands.execute('notebook:run-all-cells')).then(
        (ok) => { window.__mlkitRun = {done: true, ok: ok !== false, error: null}; },
        (err) => { window.__mlkitRun = {done: true, ok: false, error: String(err)}; });
    },
  };
  return true;
}
"""

_CONTROL_SELECTOR = {
    "slider": ".widget-slider .noUi-handle",
    "dropdown": ".widget-dropdown select",
    "checkbox": ".widget-checkbox input[type=checkbox]",
    "toggle": ".widget-toggle-button",
    "radio": ".widget-radio-box input",
}


def open_notebook(page, server: LabServer, path: str, *, timeout_s: float = 120.0) -> None:
    """Open `path` (relative to the server root) in Lab and wait until its kernel is ready."""
    page.goto(server.url(path), timeout=timeout_s * 1000)
    page.wait_for_function(
        """(path) => window.jupyterapp && window.jupyterapp.shell.currentWidget
             && window.jupyterapp.shell.currentWidget.context
             && window.jupyterapp.shell.currentWidget.context.path === path""",
        arg=path,
        timeout=timeout_s * 1000,
        polling=200,
    )
    page.evaluate(
        """async () => { const w = window.jupyterapp.shell.currentWidget;
             await w.context.ready; await w.sessionContext.ready; }"""
    )
    page.wait_for_function(
        """() => { const w = window.jupyterapp.shell.currentWidget;
             const k = w.sessionContext.session && w.sessionContext.session.kernel;
             return k && k.status === 'idle'; }""",
        timeout=timeout_s * 1000,
        polling=200,
    )
    page.evaluate(_PAGE_HELPERS)
    # the notebook alone fills the window: better screenshots, same behaviour
    page.evaluate("() => window.jupyterapp.shell.collapseLeft()")


def wait_idle(page, *, timeout_s: float = 60.0) -> None:
    """Wait, bounded, until the kernel is idle and no cell is running or queued."""
    page.wait_for_function(
        """() => window.__mlkit.kernelStatus() === 'idle'
             && window.__mlkit.busyCells().length === 0""",
        timeout=timeout_s * 1000,
        polling=100,
    )


def run_all(page, *, timeout_s: float) -> float:
    """Run all cells (Lab's ``notebook:run-all-cells``) and wait, bounded, until all is idle.

    Returns the wall time in seconds. Raises ``TimeoutError`` naming the busy cells.
    """
    from playwright.sync_api import TimeoutError as PwTimeout

    start = time.perf_counter()
    page.evaluate("() => window.__mlkit.startRunAll()")
    try:
        page.wait_for_function(
            "() => window.__mlkitRun.done", timeout=timeout_s * 1000, polling=250
        )
        # idle kernel, no queued cell, every widget view rendered
        page.wait_for_function(
            """() => window.__mlkit.kernelStatus() === 'idle'
                 && window.__mlkit.busyCells().length === 0
                 && window.__mlkit.pendingWidgets() === 0""",
            timeout=max(30.0, timeout_s - (time.perf_counter() - start)) * 1000,
            polling=250,
        )
    except PwTimeout as exc:
        busy = page.evaluate("() => window.__mlkit.busyCells()")
        raise TimeoutError(
            f"Run All did not finish within {timeout_s:g} s; cells still running or queued: "
            f"{busy}; kernel {page.evaluate('() => window.__mlkit.kernelStatus()')}."
        ) from exc
    return time.perf_counter() - start


def notebook_errors(page) -> list[dict]:
    """Return the error outputs (and widget render errors) the open notebook shows."""
    return page.evaluate("() => window.__mlkit.errors()")


def panel_cells(page) -> list[dict]:
    """Return ``{"cell": index, "kind": control kind}`` for each ``show_panel`` cell with a control."""
    return page.evaluate("() => window.__mlkit.panelCells()")


def move_control(page, cell: int, kind: str, *, timeout_s: float = 30.0) -> float | None:
    """Move the first control of `cell` like a user would; return ms until its output changed.

    A slider moves one step with the keyboard (right, or left at its maximum); a dropdown picks
    another option; a checkbox or toggle is clicked. Returns None if no output of the cell
    changed within `timeout_s`.
    """
    from playwright.sync_api import TimeoutError as PwTimeout

    loc = page.locator(f'[data-mlkit-cell="{cell}"]')
    ctrl = loc.locator(".jp-Cell-outputArea " + _CONTROL_SELECTOR[kind]).first
    ctrl.scroll_into_view_if_needed()
    page.evaluate("(i) => window.__mlkit.markBefore(i)", cell)
    if kind == "slider":
        state = page.evaluate("(i) => window.__mlkit.sliderState(i)", cell)
        ctrl.focus()
        start = time.perf_counter()
        ctrl.press("ArrowLeft" if state["now"] >= state["max"] else "ArrowRight")
    elif kind == "dropdown":
        options = ctrl.locator("option")
        current = ctrl.input_value()
        values = [options.nth(j).get_attribute("value") for j in range(options.count())]
        other = next((v for v in values if v != current), None)
        if other is None:
            return None
        start = time.perf_counter()
        ctrl.select_option(other)
    else:
        start = time.perf_counter()
        ctrl.click()
    try:
        page.wait_for_function(
            "(i) => window.__mlkit.changed(i)", arg=cell, timeout=timeout_s * 1000, polling="raf"
        )
    except PwTimeout:
        return None
    return (time.perf_counter() - start) * 1000.0


def exercise_cells(page) -> list[int]:
    """Return the indices of the learner's exercise cells (``answer = ...`` then ``ex.check``)."""
    return page.evaluate("() => window.__mlkit.exerciseCells()")


def answer_exercise(page, cell: int, answer: str, *, timeout_s: float = 60.0) -> str:
    """Type `answer` in place of the ``...`` blank of exercise `cell`, run it; return its output.

    The learner's gesture: click into the cell's editor, select the blank with the keyboard
    (the cell's source is retyped with the answer filled in), Shift+Enter, and read the verdict.
    """
    loc = page.locator(f'[data-mlkit-cell="{cell}"]')
    loc.scroll_into_view_if_needed()
    source = page.evaluate(
        "(i) => window.jupyterapp.shell.currentWidget.content.widgets[i].model.sharedModel.getSource()",
        cell,
    )
    before = page.evaluate("(i) => window.__mlkit.cellText(i)", cell)
    loc.locator(".jp-Cell-inputArea .cm-content").click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.insert_text(source.replace("answer = ...", f"answer = {answer}", 1))
    page.keyboard.press("Shift+Enter")
    page.wait_for_function(
        """([i, before]) => window.__mlkit.cellText(i) !== before
             && window.__mlkit.busyCells().length === 0""",
        arg=[cell, before],
        timeout=timeout_s * 1000,
        polling=100,
    )
    return page.evaluate("(i) => window.__mlkit.cellText(i)", cell)


def close_notebook(page) -> None:
    """Shut the notebook's kernel down (frees CPU and memory for the next notebook)."""
    try:
        page.evaluate(
            """async () => { const w = window.jupyterapp.shell.currentWidget;
                 if (w && w.sessionContext) { await w.sessionContext.shutdown(); } }"""
        )
    except Exception:  # the page may already be gone; the server stops its kernels anyway
        pass
