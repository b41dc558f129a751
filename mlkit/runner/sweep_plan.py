"""Plan a sweep: read the grid, expand the points, validate each as ``mlkit run`` would.

Every point goes through :func:`mlkit.runner.plan.plan_run`, so a sweep refuses exactly what
a run refuses (unknown names, wrong types, broken rules, unpaired pairs, missing paths), before
any worker starts.
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass, field
from pathlib import Path

from mlkit.errors import RunError
from mlkit.runner.config import Config
from mlkit.runner.plan import NotebookJob, new_run_dir, plan_run

__all__ = ["SweepPoint", "read_grid", "plan_sweep", "new_sweep_dir", "describe_values"]


@dataclass
class SweepPoint:
    """One point of a sweep: a notebook with its swept values and its validated job.

    Attributes
    ----------
    point_id : str
        Folder name under ``points/``, e.g. ``03b_tracking-007``.
    notebook : str
        The notebook's name (its key in ``nbs_ci.yml`` when listed).
    values : dict
        The swept values of this point (grid values and ``random_state``).
    job : NotebookJob
        The planned job: every parameter value, checked as ``mlkit run`` checks it.
    """

    point_id: str
    notebook: str
    values: dict
    job: NotebookJob = field(repr=False)


def read_grid(path: str | os.PathLike) -> dict:
    """Read a ``--grid`` YAML file: a mapping of parameter -> non-empty list of values.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    RunError
        If it is not YAML, not a mapping, or a value is not a non-empty list.
    """
    import yaml

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"Grid file {path} does not exist. Pass a YAML file to --grid.")
    try:
        grid = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise RunError(f"Grid file {path} is not valid YAML: {exc}.") from None
    if not isinstance(grid, dict):
        raise RunError(
            f"Grid file {path} must be a YAML mapping of parameter -> list of values, such as "
            f"`n_clips: [200, 400]`. Got a {type(grid).__name__} instead."
        )
    _check_grid(grid, source=f"grid file {path}")
    return grid


def _check_grid(grid: dict, *, source: str) -> None:
    for name, values in grid.items():
        if not isinstance(values, list) or not values:
            raise RunError(
                f"Parameter {name!r} of the {source} must have a non-empty list of values, such "
                f"as `{name}: [1, 2]`. Got {values!r} instead."
            )


def plan_sweep(
    config: Config,
    *,
    notebooks,
    profile: str = "ci",
    cli_params: list[tuple[str, str]] | None = None,
    file_params: dict | None = None,
    grid: dict | None = None,
    seeds: int | None = None,
) -> list[SweepPoint]:
    """Return every point of a sweep, each validated by :func:`plan_run` before anything starts.

    Parameters
    ----------
    config : Config
        The loaded ``nbs_ci.yml``.
    notebooks : list of path-like
        Notebooks to sweep (at least one).
    profile : str, default="ci"
        Parameter profile from the config.
    cli_params : list of (name, raw string), optional
        ``-p`` overrides, fixed for every point.
    file_params : dict, optional
        ``-f params.yaml`` overrides, fixed for every point.
    grid : dict of str to list, optional
        Parameter -> values; the points are their cartesian product.
    seeds : int, optional
        Adds ``random_state`` 0..seeds-1 to the grid.

    Returns
    -------
    list of SweepPoint
        Notebook by notebook, grid points in order (the last parameter varies fastest).

    Raises
    ------
    RunError
        For a bad grid or seed count, a swept parameter also fixed with -p/-f, or any point
        that ``mlkit run`` would refuse (unknown name, wrong type, broken rule, missing path);
        the message names the point.
    FileNotFoundError
        For a notebook that does not exist.
    """
    if not notebooks:
        raise RunError(
            "mlkit sweep needs at least one notebook, e.g. `mlkit sweep NB.ipynb --seeds 3`."
        )
    grid = dict(grid or {})
    _check_grid(grid, source="--grid")
    if seeds is not None:
        if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1:
            raise RunError(f"--seeds must be an integer >= 1. Got {seeds!r} instead.")
        if "random_state" in grid:
            raise RunError(
                "'random_state' is both in --grid and set by --seeds; give it in one place."
            )
        grid["random_state"] = list(range(seeds))
    if not grid:
        raise RunError(
            "Nothing to sweep: give --grid GRID.yaml (parameter -> list of values), --seeds N, "
            "or both."
        )
    fixed = {n for n, _ in cli_params or []} | set(file_params or {})
    both = sorted(fixed & set(grid))
    if both:
        raise RunError(
            f"Parameter(s) {', '.join(map(repr, both))} are swept (--grid/--seeds) and fixed "
            "(-p/-f) at once; remove them from one side."
        )
    names = list(grid)
    combos = [dict(zip(names, c, strict=True)) for c in itertools.product(*grid.values())]
    per_notebook: dict[str, list[SweepPoint]] = {}
    for combo in combos:
        try:
            jobs = plan_run(
                config,
                notebooks=notebooks,
                profile=profile,
                cli_params=cli_params,
                file_params={**(file_params or {}), **combo},
            )
        except RunError as exc:
            raise RunError(
                f"Sweep point {describe_values(combo)}: {str(exc).replace('(-f)', '(--grid/--seeds)')}"
            ) from None
        for job in jobs:
            per_notebook.setdefault(job.notebook, []).append(
                SweepPoint("", job.notebook, dict(combo), job)
            )
    points = []
    stems = {nb: Path(nb).stem for nb in per_notebook}
    for nb, pts in per_notebook.items():
        stem = stems[nb]
        if list(stems.values()).count(stem) > 1:  # a/t.ipynb and b/t.ipynb: a__t, b__t
            stem = str(Path(nb).with_suffix("")).strip("/").replace("/", "__")
        for i, p in enumerate(pts):
            p.point_id = f"{stem}-{i:03d}"
            points.append(p)
    return points


def describe_values(values: dict) -> str:
    """Return a point's values as ``name=value, ...`` (for messages)."""
    return ", ".join(f"{k}={v!r}" for k, v in values.items())


def new_sweep_dir(base: str | os.PathLike = "sweeps", *, out=None) -> Path:
    """Create a new sweep folder ``<base>/<UTC>-<id>`` (or exactly `out`) and return it.

    Raises
    ------
    RunError
        If `out` exists (sweeps are never overwritten) or a folder cannot be created.
    """
    try:
        return new_run_dir(base, out=out)
    except RunError as exc:
        raise RunError(
            str(exc)
            .replace("Run folder", "Sweep folder")
            .replace("runs are", "sweeps are")
            .replace("--runs-dir", "--out")
        ) from None
