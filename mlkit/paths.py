"""Locate the project root and resolve user-given paths against it."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["project_root", "resolve_path", "datasets_dir", "run_dir"]


def project_root(start: str | os.PathLike | None = None) -> Path:
    """Return the mlkit project root (the folder holding ``nbs_ci.yml`` or ``pyproject.toml``).

    Parameters
    ----------
    start : path-like, optional
        Folder to search upward from. Defaults to the current working directory, then the
        folder of the installed ``mlkit`` package.

    Returns
    -------
    pathlib.Path
        The first ancestor of `start` that holds ``nbs_ci.yml``; failing that, the parent of
        the ``mlkit`` package folder (an editable install keeps the project there).
    """
    env = os.environ.get("MLKIT_PROJECT_ROOT")
    if env:
        return Path(env).resolve()
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "nbs_ci.yml").is_file() and (folder / "mlkit").is_dir():
            return folder
    return Path(__file__).resolve().parent.parent


def run_dir(*, create: bool = True) -> Path:
    """Return the folder where this execution writes its artefacts (the one run-folder rule).

    ``mlkit run`` sets ``MLKIT_RUN_DIR`` to the run's own folder ``runs/<UTC>-<id>/``; an
    interactive session (JupyterLab, a script) writes to ``<project root>/runs/interactive``
    (ignored by git). Every phase asks here: the MLflow store, lineage records, saved models and
    error tags of one execution all land in one folder.

    Parameters
    ----------
    create : bool, default=True
        Create the folder (and its parents) when it does not exist yet.

    Returns
    -------
    pathlib.Path
        An absolute path.

    Examples
    --------
    >>> import os
    >>> os.environ["MLKIT_RUN_DIR"] = "/tmp/mlkit-doctest-run"
    >>> str(run_dir(create=False))
    '/tmp/mlkit-doctest-run'
    >>> del os.environ["MLKIT_RUN_DIR"]
    """
    env = os.environ.get("MLKIT_RUN_DIR")
    folder = Path(env).expanduser() if env else project_root() / "runs" / "interactive"
    folder = folder.resolve()
    if create:
        folder.mkdir(parents=True, exist_ok=True)
    return folder


def datasets_dir() -> Path:
    """Return the ``datasets/`` folder of the project (bundled corpora live there)."""
    return Path(__file__).resolve().parent.parent / "datasets"


def resolve_path(path: str | os.PathLike, *, must_exist: bool = False, name: str = "path") -> Path:
    """Resolve a user-given path: absolute as is, relative against the cwd, then the project root.

    Notebooks run with their own folder as the working directory (JupyterLab and
    ``mlkit run`` alike) while users write paths relative to the project root, such as
    ``../shared/data/fsdd``; both readings are tried, the cwd first.

    Parameters
    ----------
    path : str or path-like
        The path as the user wrote it.
    must_exist : bool, default=False
        Raise when neither reading exists.
    name : str, default="path"
        The parameter name to use in the error message.

    Returns
    -------
    pathlib.Path
        An absolute path.

    Raises
    ------
    FileNotFoundError
        If `must_exist` and the path exists under neither reading.
    """
    p = Path(os.path.expanduser(str(path)))
    if p.is_absolute():
        candidates = [p]
    else:
        candidates = [Path.cwd() / p, project_root() / p]
    for c in candidates:
        if c.exists():
            return c.resolve()
    if must_exist:
        tried = ", ".join(str(c) for c in candidates)
        raise FileNotFoundError(
            f"The {name!r} parameter points to {str(path)!r}, which does not exist (tried {tried}). "
            "Give an absolute path or one relative to the project root."
        )
    return candidates[-1].resolve()
