"""Every exception the kit defines, under one root, :class:`MlkitError`.

Each kit error also derives from the built-in type a caller would catch without knowing the kit
(``ValueError`` for bad configuration, parameters or data), so ``except ValueError`` keeps working.
Modules raise built-in types (``ValueError``, ``TypeError``, ``FileNotFoundError``) for plain bad
input; the classes here name the kit-specific cases.

This module imports nothing heavy: ``mlkit --help`` reaches it through the runner.
"""

from __future__ import annotations

__all__ = [
    "MlkitError",
    "ConfigError",
    "ParameterError",
    "RunError",
    "ChecksumError",
    "TrackingError",
    "ModelIntegrityError",
    "ExerciseError",
    "NotFittedError",  # noqa: F822 (built on first use by __getattr__)
]


class MlkitError(Exception):
    """Raised when the kit refuses something; the root of every kit exception."""


class ConfigError(MlkitError, ValueError):
    """Raised when ``nbs_ci.yml`` is malformed or names something that does not exist."""


class ParameterError(MlkitError, ValueError):
    """Raised when a notebook's parameters cell or a parameter value is not valid."""


class RunError(MlkitError, ValueError):
    """Raised when a run cannot start: bad options, parameters or run folder."""


class ChecksumError(MlkitError, ValueError):
    """Raised when a dataset file does not match its sha256 manifest."""


class TrackingError(MlkitError, ValueError):
    """Raised when a tracking store or a tracked run cannot be used as asked."""


class ModelIntegrityError(MlkitError, ValueError):
    """Raised when a model file does not match its sha256 or holds untrusted types."""


class ExerciseError(MlkitError, AssertionError):
    """Raised in solution mode when an exercise's reference fails its check or a wrong answer passes."""


def _make_not_fitted_error():
    # Built on first use so that importing this module does not import scikit-learn.
    from sklearn.exceptions import NotFittedError as SklearnNotFittedError

    class NotFittedError(MlkitError, SklearnNotFittedError):
        """Raised when a kit object that learns state is used before ``fit``.

        A subclass of :class:`sklearn.exceptions.NotFittedError` (itself a ``ValueError`` and
        an ``AttributeError``), so scikit-learn's ``check_is_fitted`` conventions hold.
        """

    NotFittedError.__module__ = __name__
    NotFittedError.__qualname__ = "NotFittedError"
    return NotFittedError


def __getattr__(name):
    if name == "NotFittedError":
        cls = _make_not_fitted_error()
        globals()["NotFittedError"] = cls
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
