"""Model versions and their files: stable, good and bad candidates; skops files you can trust.

Serves "Three model versions" and "Model files you can trust" of
``notebooks/05_deployment.ipynb``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np

from mlkit._validation import check_int, check_random_state, check_same_length

__all__ = ["train_versions", "offline_accuracy", "save_versions", "save_tampered_copy"]


def train_versions(
    X,
    y,
    train,
    *,
    condition,
    dropped_condition: str = "low_bandwidth",
    stable_subsample: int = 3,
    model: str = "svm",
    random_state=0,
) -> dict:
    """Train the three versions of a release: stable (v1), a good and a bad candidate (v2, v2').

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Features of every clip (training and held-out).
    y : array-like of shape (n_samples,)
        Labels.
    train : array-like of int of shape (n_train,)
        Positions of the training clips.
    condition : array-like of str of shape (n_samples,)
        Recording condition of each clip.
    dropped_condition : str, default="low_bandwidth"
        The condition a filter bug drops from the bad candidate's training set.
    stable_subsample : int, default=3
        The stable version trains on a random ``1 / stable_subsample`` of the training clips
        (``len(train) // stable_subsample`` of them), >= 1.
    model : str, default="svm"
        Model recipe of every version (see :func:`mlkit.modeling.make_model`).
    random_state : int or numpy.random.Generator, default=0
        Seeds the stable version's subsample (one permutation of `train`).

    Returns
    -------
    dict of str to estimator
        Fitted ``"stable"``, ``"good"`` (all training clips) and ``"bad"`` (all but
        `dropped_condition`), in that order.

    Raises
    ------
    ValueError
        If `X`, `y` and `condition` differ in length or `stable_subsample` is below 1.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.normal(size=(60, 3)), np.arange(60) % 2
    >>> cond = np.where(np.arange(60) < 30, "clean", "low_bandwidth")
    >>> models = train_versions(X, y, np.arange(60), condition=cond, model="logreg")
    >>> list(models)
    ['stable', 'good', 'bad']
    """
    from mlkit._models import make_model

    condition = np.asarray(condition)
    check_same_length("train_versions", X=X, y=y, condition=condition)
    stable_subsample = check_int(
        stable_subsample, "stable_subsample", min_value=1, func="train_versions"
    )
    X, y, train = np.asarray(X), np.asarray(y), np.asarray(train)
    rng = check_random_state(random_state)
    subsample = rng.permutation(train)[: len(train) // stable_subsample]
    kept = train[condition[train] != dropped_condition]
    return {
        "stable": make_model(model).fit(X[subsample], y[subsample]),
        "good": make_model(model).fit(X[train], y[train]),
        "bad": make_model(model).fit(X[kept], y[kept]),
    }


def offline_accuracy(models: dict, X, y, *, condition):
    """Tabulate each version's accuracy per recording condition and overall.

    Parameters
    ----------
    models : dict of str to estimator
        Fitted versions by name.
    X : array-like of shape (n_samples, n_features)
        Held-out clips (for example the unseen speakers' pool).
    y : array-like of shape (n_samples,)
        Their labels.
    condition : array-like of str of shape (n_samples,)
        Their recording conditions.

    Returns
    -------
    pandas.DataFrame
        One row per version (in the order of `models`); one column per condition (sorted)
        and ``overall``, each an accuracy in [0, 1].

    Raises
    ------
    ValueError
        If the inputs differ in length.

    Examples
    --------
    >>> from sklearn.dummy import DummyClassifier
    >>> m = DummyClassifier(strategy="constant", constant=1).fit([[0], [1]], [0, 1])
    >>> offline_accuracy({"v1": m}, np.zeros((4, 1)), [1, 1, 0, 1], condition=list("aabb"))
          a    b  overall
    v1  1.0  0.5     0.75
    """
    import pandas as pd

    condition = np.asarray(condition)
    y = np.asarray(y)
    check_same_length("offline_accuracy", X=X, y=y, condition=condition)
    correct = {name: m.predict(X) == y for name, m in models.items()}
    table = pd.DataFrame(
        {name: pd.Series(ok).groupby(condition).mean() for name, ok in correct.items()}
    ).T
    return table.assign(overall=[np.mean(ok) for ok in correct.values()])


def save_versions(models: dict, *, folder: str | os.PathLike | None = None):
    """Save each version as a skops file with its sha256, in a new folder.

    Parameters
    ----------
    models : dict of str to estimator
        Fitted versions by name; each goes to ``<folder>/<name>.skops``.
    folder : path-like, optional
        Where to write; default: a new, never-reused ``models-*`` folder inside
        :func:`mlkit.paths.run_dir`.

    Returns
    -------
    folder : pathlib.Path
        The folder holding the files.
    digests : dict of str to str
        Hex sha256 of each file (also written beside it as ``<name>.skops.sha256``).

    Raises
    ------
    FileExistsError
        If a model file exists already (models are never overwritten).

    Examples
    --------
    >>> import tempfile
    >>> from sklearn.dummy import DummyClassifier
    >>> m = DummyClassifier().fit([[0], [1]], [0, 1])
    >>> folder, digests = save_versions({"v1": m}, folder=tempfile.mkdtemp())
    >>> (folder / "v1.skops").is_file(), len(digests["v1"])
    (True, 64)
    """
    import tempfile

    from mlkit.paths import run_dir
    from mlkit.tracking import save_model

    if folder is None:
        folder = tempfile.mkdtemp(prefix="models-", dir=run_dir())
    folder = Path(folder)
    digests = {name: save_model(m, folder / f"{name}.skops") for name, m in models.items()}
    return folder, digests


def save_tampered_copy(path: str | os.PathLike, dest: str | os.PathLike, *, offset: int = 200):
    """Copy a file and flip one byte of the copy, as a corrupted download or an attacker would.

    Parameters
    ----------
    path : path-like
        The original file (left unchanged).
    dest : path-like
        The tampered copy to write.
    offset : int, default=200
        Position of the flipped byte (all its bits inverted), in bytes from the start.

    Returns
    -------
    pathlib.Path
        `dest`.

    Raises
    ------
    FileNotFoundError
        If `path` does not exist.
    ValueError
        If `offset` is negative or not inside the file.

    Examples
    --------
    >>> import tempfile
    >>> src = Path(tempfile.mkdtemp()) / "model.bin"
    >>> _ = src.write_bytes(bytes(range(4)))
    >>> list(save_tampered_copy(src, src.with_name("bad.bin"), offset=1).read_bytes())
    [0, 254, 2, 3]
    """
    offset = check_int(offset, "offset", min_value=0, func="save_tampered_copy")
    size = Path(path).stat().st_size
    if offset >= size:
        raise ValueError(
            f"The 'offset' parameter of save_tampered_copy must be inside the file "
            f"({size} bytes). Got {offset} instead."
        )
    dest = Path(dest)
    shutil.copy(path, dest)
    with open(dest, "r+b") as fh:
        byte = fh.read(offset + 1)[-1]
        fh.seek(offset)
        fh.write(bytes([byte ^ 0xFF]))
    return dest
