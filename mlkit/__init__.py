"""mlkit: a hands-on kit for the machine learning lifecycle.

Phase modules (imported lazily, so ``import mlkit`` stays fast):
``scoping``, ``data``, ``modeling``, ``augmentation``, ``tracking``, ``deployment``,
``serving``, ``monitoring``. Cross-cutting machinery: ``datasets``, ``audio``, ``features``,
``viz``, ``widgets``, ``runner``, ``lineage``, ``paths``.
"""

import importlib

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "record",
    "is_headless",
    "audio",
    "augmentation",
    "data",
    "datasets",
    "deployment",
    "features",
    "lineage",
    "modeling",
    "monitoring",
    "paths",
    "runner",
    "scoping",
    "serving",
    "tracking",
    "viz",
    "widgets",
]

_SUBMODULES = {name for name in __all__ if name not in {"__version__", "record", "is_headless"}}


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"mlkit.{name}")
    if name in {"record", "is_headless"}:
        from mlkit import recording

        return getattr(recording, name)
    raise AttributeError(f"module 'mlkit' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
