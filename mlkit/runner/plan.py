"""Plan a run: choose notebooks and profile, validate overrides and paths, create the run folder.

Every check of a run happens here, before any kernel starts: an unknown profile, an override
that no chosen notebook declares, a value of the wrong type or a path parameter that points
nowhere is refused with a :class:`RunError`.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from mlkit.errors import RunError
from mlkit.runner.config import Config, load_config
from mlkit.runner.params import (
    ParameterError,
    check_overrides,
    coerce_cli_value,
    read_parameters,
)

__all__ = ["NotebookJob", "RunError", "plan_run", "new_run_dir", "load_default_config"]


@dataclass
class NotebookJob:
    """A notebook to execute with its final parameter values and expectations."""

    notebook: str
    path: Path
    parameters: dict
    expectations: list = field(default_factory=list)
    overridden: list = field(default_factory=list)


def rel_path(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def plan_run(
    config: Config,
    *,
    notebooks=None,
    profile: str = "ci",
    cli_params: list[tuple[str, str]] | None = None,
    file_params: dict | None = None,
) -> list[NotebookJob]:
    """Resolve notebooks and parameters for a run; every check happens here, before any kernel.

    Parameters
    ----------
    config : Config
        The loaded ``nbs_ci.yml``.
    notebooks : list of path-like, optional
        Notebooks to run; default: every notebook in the config. A notebook outside the config
        runs with its own defaults and no expectations.
    profile : str, default="ci"
        Parameter profile from the config. Notebooks that do not list it use their defaults.
    cli_params : list of (name, raw string), optional
        ``-p name value`` overrides, converted to each parameter's annotated type.
    file_params : dict, optional
        Overrides from a ``-f params.yaml`` file (lists and dicts go here).

    Returns
    -------
    list of NotebookJob

    Raises
    ------
    RunError
        For an unknown profile, an unknown parameter name (naming the notebook, the name and
        the known ones) or a value of the wrong type.
    FileNotFoundError
        For a notebook that does not exist.
    """
    if profile not in config.profiles():
        raise RunError(
            f"Profile {profile!r} is not defined in {config.path}. "
            f"Defined profiles: {', '.join(sorted(config.profiles())) or '(none)'}."
        )
    if notebooks:
        chosen = []
        seen: dict[Path, str] = {}
        for nb in notebooks:
            p = Path(nb)
            if p.is_dir():
                found = ", ".join(sorted(x.name for x in p.glob("*.ipynb"))[:8]) or "none"
                raise RunError(
                    f"{nb} is a folder, not a notebook. Name notebook files, e.g. "
                    f"`mlkit run {p / 'NN_phase.ipynb'}`. Notebooks in it: {found}."
                )
            if p.is_file() and p.resolve() in seen:
                raise RunError(
                    f"Notebook {nb} is named twice (also as {seen[p.resolve()]}). Name each "
                    "notebook once."
                )
            if p.is_file():
                seen[p.resolve()] = str(nb)
            if not p.is_file():
                raise FileNotFoundError(
                    f"Notebook {nb} does not exist. Notebooks in {config.path.name}: "
                    f"{', '.join(config.notebooks)}."
                )
            spec = config.find(p)
            chosen.append(
                (
                    rel_path(p, config.root) if spec is None else rel_path(spec.path, config.root),
                    p,
                    spec,
                )
            )
    else:
        chosen = [(name, spec.path, spec) for name, spec in config.notebooks.items()]
    declared = {name: read_parameters(path) for name, path, _ in chosen}
    _check_override_names(declared, cli_params or [], file_params or {})
    jobs = []
    for name, path, spec in chosen:
        params_decl = declared[name]
        by_name = {p.name: p for p in params_decl}
        values = spec.parameters(profile) if spec else {}
        overridden = []
        sources = {k: f"profile {profile}" for k in values}
        try:
            mine = {k: v for k, v in (file_params or {}).items() if k in by_name}
            values.update(check_overrides(params_decl, mine, notebook=name, source="-f"))
            overridden += list(mine)
            sources.update({k: "-f" for k in mine})
            for pname, raw in cli_params or []:
                if pname in by_name:
                    values[pname] = coerce_cli_value(by_name[pname], raw, notebook=name)
                    overridden.append(pname)
                    sources[pname] = "-p"
            _check_pairs(params_decl, sources, notebook=name)
            for param in params_decl:
                param.check_rules(
                    values.get(param.name, param.default),
                    notebook=name,
                    source=sources.get(param.name, "default"),
                )
        except ParameterError as exc:
            raise RunError(str(exc)) from exc
        values = _check_paths(values, notebook=name, folder=path.resolve().parent, root=config.root)
        expect = spec.expectations(profile) if spec else []
        jobs.append(NotebookJob(name, path, values, expect, sorted(set(overridden))))
    return jobs


def _check_override_names(declared: dict, cli_params, file_params) -> None:
    """Refuse override names that no chosen notebook declares (before any kernel starts).

    A name declared by some of the chosen notebooks applies to those only, so one
    ``-f params.yaml`` can serve a whole run.
    """
    for pname, source in [(n, "-p") for n, _ in cli_params] + [(n, "-f") for n in file_params]:
        if not any(pname in {p.name for p in params} for params in declared.values()):
            if len(declared) == 1:
                ((nb, params),) = declared.items()
                known = ", ".join(sorted(p.name for p in params)) or "(none)"
                raise RunError(
                    f"{nb} has no parameter {pname!r} ({source}). Known parameters: {known}. "
                    f"See `mlkit params {nb}`."
                )
            known = "; ".join(
                f"{nb}: {', '.join(sorted(p.name for p in params))}"
                for nb, params in declared.items()
            )
            raise RunError(
                f"No chosen notebook has a parameter {pname!r} ({source}). Known parameters: "
                f"{known}."
            )


_PATH_SUFFIXES = ("_dir", "_csv", "_path", "_file")


def _check_pairs(params, sources: dict, *, notebook: str) -> None:
    """Refuse half of a pair (``[pair: ...]`` in the help comment) given without the rest.

    A profile sets a pair as it likes; an override (-p, -f) of one member must override all.
    """
    from mlkit.runner.params import paired_groups

    for group in paired_groups(params):
        given = sorted(n for n in group if sources.get(n) in {"-p", "-f"})
        missing = sorted(group - set(given))
        if given and missing:
            both = " ".join(f"-p {n} VALUE" for n in sorted(group))
            raise ParameterError(
                f"Parameters {', '.join(map(repr, sorted(group)))} of {notebook} go together; "
                f"got {', '.join(map(repr, given))} ({sources[given[0]]}) without "
                f"{', '.join(map(repr, missing))}. Give all of them ({both}) or none."
            )


def _resolve_parameter_path(value: str, *, folder: Path, root: Path) -> list[Path]:
    """Return the readings of a path parameter in the order they are tried.

    An absolute path is read as is; a relative one from the notebook's folder, then from the
    project root (duplicates removed).
    """
    p = Path(os.path.expanduser(value))
    candidates = [p] if p.is_absolute() else [folder / p, root / p]
    unique: list[Path] = []
    for c in candidates:
        c = Path(os.path.normpath(c.absolute()))
        if c not in unique:
            unique.append(c)
    return unique


def _check_paths(values: dict, *, notebook: str, folder: Path, root: Path) -> dict:
    """Resolve non-empty path parameters (``*_dir``, ``*_csv``, ``*_path``, ``*_file``).

    One rule for this check and the kernel: a relative path is read from the notebook's
    folder, then from the project root; the first that exists is passed to the kernel as an
    absolute path, so the kernel reads exactly what was checked.
    """
    out = dict(values)
    for name, value in values.items():
        if not (name.endswith(_PATH_SUFFIXES) and isinstance(value, str) and value):
            continue
        candidates = _resolve_parameter_path(value, folder=folder, root=root)
        found = next((c for c in candidates if c.exists()), None)
        if found is None:
            tried = ", ".join(str(c) for c in candidates)
            raise RunError(
                f"{notebook}: The {name!r} parameter points to {value!r}, which does not exist "
                f"(tried {tried}). Relative paths are read from the notebook's folder, then the "
                "project root; give an absolute path or one relative to either."
            )
        if name.endswith("_dir") and not found.is_dir():
            raise RunError(
                f"{notebook}: the {name!r} parameter must be a folder. Got the file {found}."
            )
        out[name] = str(found.resolve())
    return out


def _blocking_file(path: Path) -> Path | None:
    """Return the first existing ancestor of `path` (or `path` itself) that is not a folder."""
    for folder in (*reversed(path.parents), path):
        if folder.exists() and not folder.is_dir():
            return folder
    return None


def _make_folder(path: Path, *, option: str, exist_ok: bool) -> None:
    blocking = _blocking_file(path)
    if blocking is not None:
        raise RunError(
            f"{option} {path} cannot be created: {blocking} is a file, not a folder. Choose "
            f"a {option} path whose parent folders are folders."
        )
    try:
        path.mkdir(parents=True, exist_ok=exist_ok)
    except OSError as exc:
        raise RunError(
            f"{option} {path} cannot be created ({exc.strerror or exc}). Choose a folder you "
            "can write to."
        ) from None


def new_run_dir(base: str | os.PathLike = "runs", *, out: str | os.PathLike | None = None) -> Path:
    """Create a new, empty run folder and return it.

    Parameters
    ----------
    base : path-like, default="runs"
        Parent folder for generated names ``<UTC timestamp>-<short id>``.
    out : path-like, optional
        Exact folder to create instead. It must not exist yet.

    Raises
    ------
    RunError
        If `out` already exists (runs are never overwritten), or `out` or `base` cannot be
        created (a file is in the way, no permission), naming the option and the file.
    """
    if out is not None:
        out = Path(out)
        if out.exists():
            raise RunError(
                f"Run folder {out} already exists; runs are never overwritten. "
                "Choose a new --out folder or leave --out out for a generated name."
            )
        _make_folder(out, option="--out", exist_ok=False)
        return out
    base = Path(base)
    _make_folder(base, option="--runs-dir", exist_ok=True)
    while True:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        path = base / f"{stamp}-{secrets.token_hex(3)}"
        try:
            path.mkdir()
            return path
        except FileExistsError:
            continue


def load_default_config(path: str | os.PathLike | None = None) -> Config:
    """Load ``nbs_ci.yml`` from `path`, the cwd, or the project root."""
    if path is not None:
        return load_config(path)
    from mlkit.paths import project_root

    for cand in (Path("nbs_ci.yml"), project_root() / "nbs_ci.yml"):
        if cand.is_file():
            return load_config(cand)
    return load_config("nbs_ci.yml")
