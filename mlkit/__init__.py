"""mlkit: a hands-on kit for the machine learning lifecycle.

Phase packages, in lifecycle order (imported lazily, so ``import mlkit`` stays fast):
``scoping``, ``data``, ``modeling`` (with ``augmentation`` and ``tracking``), ``deployment``
(with ``serving``), ``monitoring``. Below them the shared layer, which imports no phase:
``datasets``, ``audio``, ``features``, ``viz``, ``widgets``, ``lineage``, ``paths``, ``errors``,
``exercises``.
Beside them the notebook runner, ``runner`` (the ``mlkit`` command).
"""

import importlib

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "record",
    "is_headless",
    "sweep",
    # phases, in lifecycle order
    "scoping",
    "data",
    "modeling",
    "augmentation",
    "tracking",
    "deployment",
    "serving",
    "monitoring",
    "readiness",
    # shared layer
    "audio",
    "datasets",
    "errors",
    "exercises",
    "features",
    "lineage",
    "paths",
    "viz",
    "widgets",
    # the notebook runner
    "runner",
]

_SUBMODULES = {
    name for name in __all__ if name not in {"__version__", "record", "is_headless", "sweep"}
}


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"mlkit.{name}")
    if name == "sweep":  # dask is imported only when a sweep runs
        return importlib.import_module("mlkit.runner.sweep").sweep
    if name in {"record", "is_headless"}:
        from mlkit import recording

        return getattr(recording, name)
    raise AttributeError(f"module 'mlkit' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
