"""Make the trimmed copy of a real run that the ci profile of 07 scores.

Serves the ``ci`` profile of ``notebooks/07_production_readiness.ipynb`` (``run_folder:
tests/fixtures/readiness_run``): CI runs in a clean clone where ``runs/`` is empty, so 07 scores a
committed copy of a real run. Refresh it with ``python -m mlkit.readiness [RUN_FOLDER]``.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from mlkit.paths import project_root
from mlkit.readiness._evidence import read_tracked_runs

__all__ = ["save_trimmed_run", "MAX_FIXTURE_BYTES"]

MAX_FIXTURE_BYTES = 200_000
"""Upper bound on the trimmed copy's size; it stays well under it."""

_README = """\
A trimmed copy of a real run folder of `mlkit run`, scored by the ci profile of
notebooks/07_production_readiness.ipynb (CI runs in a clean clone where runs/ is empty).

Made from run {run_id} (profile {profile}, status {status}, {n_ok} of {n} notebooks ok) with

    python -m mlkit.readiness {source} --out tests/fixtures/readiness_run

It keeps only the small evidence the rubric reads: metrics.json (unchanged), the lineage
records (*.lineage.json, same relative paths) and tracked_runs.json, a JSON export of the run's
MLflow store (mlflow.db: experiment, run name, status, params, latest metrics and tags per run;
mlkit.readiness reads it when mlflow.db is absent). No notebooks, figures, models or data.

To refresh: `mlkit run` (profile ci) and then the command above with the new run folder; then
re-run `mlkit run notebooks/07_production_readiness.ipynb` and update the golden scores of 07
in nbs_ci.yml if the scores moved (say why in a comment).
"""


def save_trimmed_run(
    run_folder: str | os.PathLike, out: str | os.PathLike, *, overwrite: bool = False
) -> Path:
    """Copy a run folder's small evidence (metrics, lineage, tracked runs) to `out`.

    Parameters
    ----------
    run_folder : path-like
        A run folder of ``mlkit run`` holding ``metrics.json``.
    out : path-like
        The folder to write (``tests/fixtures/readiness_run``).
    overwrite : bool, default=False
        Replace `out` when it exists.

    Returns
    -------
    pathlib.Path
        `out`, holding ``metrics.json``, the ``*.lineage.json`` records, ``tracked_runs.json``
        and ``README.txt``.

    Raises
    ------
    FileNotFoundError
        If `run_folder` holds no ``metrics.json``.
    FileExistsError
        If `out` exists and `overwrite` is False.
    ValueError
        If the copy would exceed :data:`MAX_FIXTURE_BYTES` (nothing is left behind).

    Examples
    --------
    >>> import json, tempfile
    >>> from pathlib import Path
    >>> run = Path(tempfile.mkdtemp()) / "20260101T000000Z-abcdef"
    >>> (run / "artefacts").mkdir(parents=True)
    >>> _ = (run / "metrics.json").write_text(json.dumps({"notebooks": {}}))
    >>> _ = (run / "artefacts" / "x.npy.lineage.json").write_text("{}")
    >>> _ = (run / "artefacts" / "x.npy").write_bytes(b"0" * 1000)
    >>> out = save_trimmed_run(run, run.parent / "fixture")
    >>> sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    ['README.txt', 'artefacts/x.npy.lineage.json', 'metrics.json', 'tracked_runs.json']
    """
    src = Path(run_folder).resolve()
    if not (src / "metrics.json").is_file():
        raise FileNotFoundError(f"{src} holds no metrics.json; pass a run folder of `mlkit run`.")
    out = Path(out)
    if out.exists():
        if not overwrite:
            raise FileExistsError(f"{out} exists; pass overwrite=True to replace it.")
        shutil.rmtree(out)
    tmp = out.with_name(out.name + ".tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    try:
        shutil.copy2(src / "metrics.json", tmp / "metrics.json")
        for p in sorted(src.rglob("*lineage.json")):
            rel = p.relative_to(src)
            if rel.parts[0].startswith("."):
                continue
            (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(p, tmp / rel)
        runs, _ = read_tracked_runs(src)
        (tmp / "tracked_runs.json").write_text(json.dumps(runs, indent=1), encoding="utf-8")
        record = json.loads((src / "metrics.json").read_text(encoding="utf-8"))
        nbs = record.get("notebooks") or {}
        root = project_root()
        shown = src.relative_to(root).as_posix() if src.is_relative_to(root) else str(src)
        (tmp / "README.txt").write_text(
            _README.format(
                run_id=record.get("run_id", src.name),
                profile=record.get("profile", "ci"),
                status=record.get("status", "complete"),
                n_ok=sum(1 for e in nbs.values() if e.get("status") == "ok"),
                n=len(nbs),
                source=shown,
            ),
            encoding="utf-8",
        )
        size = sum(p.stat().st_size for p in tmp.rglob("*") if p.is_file())
        if size > MAX_FIXTURE_BYTES:
            raise ValueError(
                f"The trimmed copy of {src} would hold {size} bytes, more than "
                f"{MAX_FIXTURE_BYTES}. Check what the run saved under lineage names."
            )
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    tmp.rename(out)
    return out


def main(argv: list[str] | None = None) -> int:
    """Command line of ``python -m mlkit.readiness``: refresh the fixture from a run folder."""
    import argparse

    from mlkit.readiness._evidence import resolve_run_folder

    parser = argparse.ArgumentParser(
        prog="python -m mlkit.readiness",
        description="Copy a run folder's small evidence to the fixture 07's ci profile scores.",
    )
    parser.add_argument(
        "run_folder",
        nargs="?",
        default="latest",
        help="run folder (default: the newest under runs/)",
    )
    parser.add_argument(
        "--out",
        default=str(project_root() / "tests/fixtures/readiness_run"),
        help="folder to write (default: tests/fixtures/readiness_run)",
    )
    args = parser.parse_args(argv)
    out = save_trimmed_run(resolve_run_folder(args.run_folder), args.out, overwrite=True)
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"wrote {out} ({size} bytes)")
    return 0
