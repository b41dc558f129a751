"""Model files: save a fitted model with skops beside its sha256, load it only when both check out.

Models are saved with skops (not pickle) next to their sha256, and loaded only after the
checksum matches and every type in the file is trusted.
"""

from __future__ import annotations

import os
from pathlib import Path

from mlkit.errors import ModelIntegrityError
from mlkit.lineage import sha256_bytes

__all__ = ["save_model", "load_model"]


def save_model(model, path: str | os.PathLike) -> str:
    """Save a fitted scikit-learn model with skops and return the file's sha256.

    Parameters
    ----------
    model : estimator
        A fitted scikit-learn estimator or Pipeline.
    path : path-like
        Target ``.skops`` file. It must not exist yet (models are never overwritten).

    Returns
    -------
    str
        Hex sha256 of the written file; also written to ``<path>.sha256``.

    Raises
    ------
    FileExistsError
        If `path` exists.
    """
    import skops.io as sio

    path = Path(path)
    if path.exists():
        raise FileExistsError(
            f"Model file {path} already exists; models are never overwritten. Choose a new name."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    data = sio.dumps(model)
    with open(path, "xb") as fh:
        fh.write(data)
    digest = sha256_bytes(data)
    Path(f"{path}.sha256").write_text(f"{digest}  {path.name}\n", encoding="utf-8")
    return digest


def load_model(
    path: str | os.PathLike, *, sha256: str | None = None, trusted: list[str] | None = None
):
    """Load a skops model after checking its sha256 and that all its types are trusted.

    The file is read once; the checksum, the type check and the loading all use those
    bytes, so a file replaced on disk between the check and the load cannot slip through.

    Parameters
    ----------
    path : path-like
        The ``.skops`` file.
    sha256 : str, optional
        Expected hex digest. Default: read from ``<path>.sha256`` (required to exist).
    trusted : list of str, optional
        Extra fully qualified type names to trust beyond skops' defaults (scikit-learn,
        numpy, scipy types). Anything else in the file is refused.

    Returns
    -------
    estimator

    Raises
    ------
    FileNotFoundError
        If the model or its checksum file is missing.
    ModelIntegrityError
        If the checksum differs (a tampered or truncated file) or the file holds types that
        are not trusted.
    """
    import skops.io as sio

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"Model file {path} does not exist.")
    if sha256 is None:
        side = Path(f"{path}.sha256")
        if not side.is_file():
            raise FileNotFoundError(
                f"No checksum for {path}: pass sha256=... or keep {side.name} beside the model."
            )
        sha256 = side.read_text(encoding="utf-8").split()[0]
    # one read: the bytes that are hashed are the bytes that are inspected and loaded, so the
    # file cannot be swapped between the check and the use
    data = path.read_bytes()
    got = sha256_bytes(data)
    if got != sha256:
        raise ModelIntegrityError(
            f"Model file {path} does not match its sha256 (expected {sha256[:12]}..., got "
            f"{got[:12]}...). It was changed after saving; refusing to load it. Re-train or "
            "restore the original file."
        )
    untrusted = sio.get_untrusted_types(data=data)
    extra = set(untrusted) - set(trusted or [])
    if extra:
        raise ModelIntegrityError(
            f"Model file {path} holds types that are not trusted: {sorted(extra)}. Inspect them; "
            "pass trusted=[...] only for types you know are safe."
        )
    return sio.loads(data, trusted=list(untrusted))
