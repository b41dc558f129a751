"""Provenance: checksums, code version and lineage records for derived artefacts."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from mlkit.paths import project_root

__all__ = ["sha256_file", "sha256_bytes", "code_version", "lineage_record", "save_lineage"]


def sha256_bytes(data: bytes) -> str:
    """Return the hex sha256 of `data`."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | os.PathLike, *, chunk_size: int = 1 << 20) -> str:
    """Return the hex sha256 of a file, read in chunks.

    Raises
    ------
    FileNotFoundError
        If `path` does not exist.
    """
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(chunk_size), b""):
            h.update(block)
    return h.hexdigest()


def code_version(repo: str | os.PathLike | None = None) -> dict:
    """Return the git commit and dirty flag of the project (``None`` outside a git checkout).

    Returns
    -------
    dict
        ``{"git_commit": str | None, "git_dirty": bool | None, "mlkit_version": str}``.
    """
    from mlkit import __version__

    root = Path(repo) if repo else project_root()
    out = {"git_commit": None, "git_dirty": None, "mlkit_version": __version__}
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10
        )
        if commit.returncode == 0:
            out["git_commit"] = commit.stdout.strip()
            status = subprocess.run(
                ["git", "status", "--porcelain", "--untracked-files=no"],
                cwd=root,
                capture_output=True,
                text=True,
                timeout=10,
            )
            out["git_dirty"] = bool(status.stdout.strip())
    except (OSError, subprocess.SubprocessError):
        pass
    return out


def lineage_record(*, dataset_name: str, dataset_sha256: str, steps: list[dict]) -> dict:
    """Build a lineage record for a derived artefact.

    Parameters
    ----------
    dataset_name : str
        Name of the source dataset.
    dataset_sha256 : str
        Hex sha256 that identifies the exact source data (for example of its manifest).
    steps : list of dict
        Processing steps in order, each ``{"name": str, "params": dict}``.

    Returns
    -------
    dict
        ``dataset``, ``steps``, ``code`` (see :func:`code_version`) and ``created_utc``.
    """
    return {
        "dataset": {"name": dataset_name, "sha256": dataset_sha256},
        "steps": steps,
        "code": code_version(),
        "created_utc": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def save_lineage(record: dict, path: str | os.PathLike) -> Path:
    """Write a lineage record as JSON next to an artefact; refuse to overwrite an existing file.

    Raises
    ------
    FileExistsError
        If `path` already exists (artefacts are never overwritten).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8") as fh:
        json.dump(record, fh, indent=2, sort_keys=True)
    return path
