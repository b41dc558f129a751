"""Run notebooks headless with papermill into a new run folder, and check their metrics.

A run folder (``runs/<UTC timestamp>-<short id>/``) holds each executed notebook, the
figures they drew (``figures/``), ``metrics.json`` and a readable ``summary.md``. An
existing folder is never reused or overwritten.

Modules: ``plan`` (notebooks, profiles, overrides, run folders), ``execute`` (one worker
process per notebook), ``report`` (metrics.json, summary.md, checks), ``config``
(``nbs_ci.yml``), ``params`` (parameters cells) and ``cli`` (the ``mlkit`` command). The
names below are imported on first use, so that ``mlkit --help`` stays fast.
"""

from __future__ import annotations

import importlib

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

_LAZY = {
    "NotebookJob": "mlkit.runner.plan",
    "plan_run": "mlkit.runner.plan",
    "new_run_dir": "mlkit.runner.plan",
    "NotebookResult": "mlkit.runner.execute",
    "execute_run": "mlkit.runner.execute",
    "read_metrics": "mlkit.runner.execute",
    "kernel_env": "mlkit.runner.execute",
    "check_run": "mlkit.runner.report",
    "latest_run": "mlkit.runner.report",
    "RunError": "mlkit.errors",
}


def __getattr__(name):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
