"""Metadata and provenance: artefacts saved with lineage records (section 6)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from mlkit import paths

__all__ = [
    "METADATA_COLUMNS",
    "default_run_dir",
    "save_artefact",
    "lineage_step",
    "describe_lineage",
    "accuracy_by_metadata",
]

METADATA_COLUMNS = (
    "clip_id",
    "label",
    "speaker",
    "voice",
    "accent",
    "gender",
    "condition",
    "snr_db",
    "duration_s",
)
"""Per-clip metadata columns shown in the data notebook (those present), in this order."""


def default_run_dir() -> Path:
    """Return where run artefacts go: ``$MLKIT_RUN_DIR``, else ``<project>/runs/interactive``.

    A thin alias of :func:`mlkit.paths.run_dir` that does not create the folder.

    Returns
    -------
    pathlib.Path
        An absolute path.

    See Also
    --------
    mlkit.paths.run_dir : the one run-folder rule of the kit.

    Examples
    --------
    >>> import os
    >>> os.environ["MLKIT_RUN_DIR"] = "/tmp/mlkit-doctest-run"
    >>> str(default_run_dir())
    '/tmp/mlkit-doctest-run'
    >>> del os.environ["MLKIT_RUN_DIR"]
    """
    return paths.run_dir(create=False)


def _jsonable(obj):
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    return obj


_MAX_NAME_TRIES = 10_000  # stem, stem-1, ..., stem-9999


def _write_new(folder: Path, stem: str, suffix: str, write) -> Path:
    """Write to ``stem + suffix`` or, when taken, ``stem-1 + suffix``, ... never overwriting."""
    folder.mkdir(parents=True, exist_ok=True)
    for k in range(_MAX_NAME_TRIES):
        path = folder / (f"{stem}{suffix}" if k == 0 else f"{stem}-{k}{suffix}")
        try:
            with open(path, "xb") as fh:
                write(fh)
            return path
        except FileExistsError:
            continue
    raise FileExistsError(
        f"save_artefact needs a free file name for {stem}{suffix} in {folder}. Got "
        f"{_MAX_NAME_TRIES} taken names ({stem}{suffix} to {stem}-{_MAX_NAME_TRIES - 1}{suffix}). "
        "Pass another name, a new run_dir, or move the old artefacts away."
    )


def save_artefact(
    artefact,
    *,
    name: str,
    dataset_name: str,
    dataset_sha256: str,
    steps: list[dict],
    run_dir=None,
) -> dict:
    """Save a derived artefact with its lineage record, never overwriting an earlier one.

    Parameters
    ----------
    artefact : dict, numpy.ndarray or pandas.DataFrame
        A split (dict of position arrays; saved as JSON), a feature matrix (``.npy``) or a
        table (``.csv``).
    name : str
        File stem, such as ``"splits"``; ``-1``, ``-2``... is appended when taken.
    dataset_name, dataset_sha256 : str
        The source data, as in ``SpeechData.name`` and ``SpeechData.sha256``.
    steps : list of dict
        Processing steps in order, each ``{"name": str, "params": dict}``.
    run_dir : str or path-like, optional
        Folder; default :func:`default_run_dir`. Files go to its ``artefacts/`` subfolder.

    Returns
    -------
    dict of str to pathlib.Path
        ``{"artefact": path, "lineage": path}``; the lineage file is
        ``<artefact file>.lineage.json`` and holds the artefact's sha256.

    Raises
    ------
    TypeError
        If `artefact` is of another type.
    ValueError
        If a step is not ``{"name": ..., "params": {...}}``.

    See Also
    --------
    mlkit.lineage.lineage_record : the record's fields (dataset, steps, code version).
    """
    import pandas as pd

    from mlkit.lineage import lineage_record, save_lineage, sha256_file

    for step in steps:
        if not isinstance(step, dict) or set(step) != {"name", "params"}:
            raise ValueError(
                "Each step passed to save_artefact must be {'name': str, 'params': dict}. "
                f"Got {step!r} instead."
            )
    folder = Path(run_dir) if run_dir is not None else default_run_dir()
    folder = folder / "artefacts"
    if isinstance(artefact, dict):
        data = json.dumps(_jsonable(artefact), indent=1, sort_keys=True).encode("utf-8")
        path = _write_new(folder, name, ".json", lambda fh: fh.write(data))
    elif isinstance(artefact, np.ndarray):
        path = _write_new(
            folder, name, ".npy", lambda fh: np.save(fh, artefact, allow_pickle=False)
        )
    elif isinstance(artefact, pd.DataFrame):
        data = artefact.to_csv(index=True).encode("utf-8")
        path = _write_new(folder, name, ".csv", lambda fh: fh.write(data))
    else:
        raise TypeError(
            "The 'artefact' parameter of save_artefact must be a dict, numpy array or pandas "
            f"DataFrame. Got {type(artefact).__name__} instead."
        )
    record = lineage_record(
        dataset_name=dataset_name, dataset_sha256=dataset_sha256, steps=_jsonable(steps)
    )
    record["artefact"] = {"file": path.name, "sha256": sha256_file(path)}
    lineage = save_lineage(record, path.with_name(path.name + ".lineage.json"))
    return {"artefact": path, "lineage": lineage}


def lineage_step(name: str, **params) -> dict:
    """Return one processing step of a lineage record, as :func:`save_artefact` takes it.

    Parameters
    ----------
    name : str
        The step, such as a function name (``"split_train_dev_test"``).
    **params
        Its parameters, JSON-ready or numpy values.

    Returns
    -------
    dict
        ``{"name": name, "params": params}``.

    Examples
    --------
    >>> lineage_step("split_train_dev_test", dev_size=0.2)
    {'name': 'split_train_dev_test', 'params': {'dev_size': 0.2}}
    """
    return {"name": name, "params": params}


def describe_lineage(path, *, max_chars: int = 1200) -> str:
    """Return the start of a saved lineage record as indented JSON, for display.

    Parameters
    ----------
    path : str or path-like
        A lineage file, as in ``save_artefact(...)["lineage"]``.
    max_chars : int, default=1200
        Characters to keep.

    Returns
    -------
    str
        ``json.dumps(record, indent=1)`` cut to `max_chars` characters.

    Raises
    ------
    FileNotFoundError
        If `path` does not exist.

    Examples
    --------
    >>> import tempfile
    >>> saved = save_artefact({"train": [0, 1]}, name="s", dataset_name="d",
    ...                       dataset_sha256="0" * 64, steps=[], run_dir=tempfile.mkdtemp())
    >>> print(describe_lineage(saved["lineage"], max_chars=14))
    {
     "artefact":
    """
    return json.dumps(json.loads(Path(path).read_text()), indent=1)[:max_chars]


def accuracy_by_metadata(y_true, y_pred, groups):
    """Return accuracy and clip count per value of one metadata column.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted labels.
    groups : pandas.Series or array-like of shape (n_samples,)
        The metadata column (condition, speaker, ...); a Series' name names the index.

    Returns
    -------
    pandas.DataFrame
        Index: the groups, sorted; columns ``accuracy`` (a fraction) and ``n_clips``.

    Raises
    ------
    ValueError
        If the lengths differ.

    See Also
    --------
    mlkit._stats.accuracy_by_group : the same with an overall row and gaps, worst first.

    Examples
    --------
    >>> accuracy_by_metadata([1, 1, 0], [1, 0, 0], ["a", "a", "b"])["accuracy"].tolist()
    [0.5, 1.0]
    """
    import pandas as pd

    from mlkit._validation import check_same_length

    check_same_length("accuracy_by_metadata", y_true=y_true, y_pred=y_pred, groups=groups)
    correct = pd.Series(np.asarray(y_pred) == np.asarray(y_true), name="accuracy")
    return (
        correct.groupby(groups)
        .agg(["mean", "size"])
        .rename(columns={"mean": "accuracy", "size": "n_clips"})
    )
