"""Read and validate ``nbs_ci.yml``: which notebooks run, under which profiles, expecting what.

Schema::

    cell_timeout_s: 600            # optional, per-cell timeout for every notebook
    notebooks:
      notebooks/00_start_here.ipynb:
        profiles:
          ci:
            parameters: {n_clips: 300}
            expect:
              baseline_accuracy: {value: 0.93, abs_tol: 0.02}
              n_clips_loaded: {value: 300}
              top_priority_tag: {value: car_noise}
              fleiss_kappa: {min: 0.5, max: 0.9}
            claims:                # relations the notebook's text asserts (mlkit.runner.claims)
              hlp_above_model: {expr: hlp > accuracy, says: people still beat the model}
    sweeps:                        # optional: robustness sweeps (``mlkit sweep --ci``)
      notebooks/00_start_here.ipynb:
        profile: ci                # default: ci
        seeds: 3                   # random_state 0..2; and/or
        grid: {n_clips: [200, 400]}    # parameter -> list of values (cartesian product)
        claims:                    # claim of that profile -> share of points it must hold on
          hlp_above_model: 0.8
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path

from mlkit.errors import ConfigError
from mlkit.runner.claims import Claim, parse_claim
from mlkit.runner.params import ParameterError, check_overrides, read_parameters

__all__ = [
    "ConfigError",
    "Expectation",
    "NotebookSpec",
    "SweepSpec",
    "Config",
    "load_config",
    "check_metric",
]

_TOP_KEYS = {"cell_timeout_s", "notebooks", "sweeps"}
_SWEEP_KEYS = {"profile", "seeds", "grid", "parameters", "claims"}
_NB_KEYS = {"profiles", "description"}
_PROFILE_KEYS = {"parameters", "expect", "claims"}
_EXPECT_KEYS = {"value", "abs_tol", "rel_tol", "min", "max"}


@dataclass(frozen=True)
class Expectation:
    """What a recorded metric must be: a golden ``value`` with tolerances, or bounds."""

    metric: str
    value: object = None
    abs_tol: float | None = None
    rel_tol: float | None = None
    min: float | None = None
    max: float | None = None

    def describe(self) -> str:
        """Return a short human-readable form such as ``0.93 ± 0.02`` or ``[0.5, 0.9]``."""
        if self.value is not None:
            if isinstance(self.value, bool | str):
                return repr(self.value)
            tol = []
            if self.abs_tol is not None:
                tol.append(f"±{self.abs_tol:g}")
            if self.rel_tol is not None:
                tol.append(f"±{self.rel_tol:.0%}")
            return f"{self.value:g} {' '.join(tol)}".strip()
        lo = "-inf" if self.min is None else f"{self.min:g}"
        hi = "inf" if self.max is None else f"{self.max:g}"
        return f"[{lo}, {hi}]"


def check_metric(exp: Expectation, got) -> bool:
    """Return True when `got` meets `exp` (missing metrics never do)."""
    if got is None:
        return False
    if exp.value is not None:
        if isinstance(exp.value, bool) or isinstance(exp.value, str):
            return got == exp.value and type(got) is type(exp.value)
        if isinstance(got, bool) or not isinstance(got, int | float):
            return False
        return math.isclose(got, exp.value, rel_tol=exp.rel_tol or 0.0, abs_tol=exp.abs_tol or 0.0)
    if isinstance(got, bool) or not isinstance(got, int | float):
        return False
    return (exp.min is None or got >= exp.min) and (exp.max is None or got <= exp.max)


@dataclass
class NotebookSpec:
    """A notebook listed in ``nbs_ci.yml`` with its profiles."""

    path: Path
    profiles: dict[str, dict] = field(default_factory=dict)

    def parameters(self, profile: str) -> dict:
        """Return the profile's parameter values (empty when the profile is not listed)."""
        return dict(self.profiles.get(profile, {}).get("parameters", {}))

    def expectations(self, profile: str) -> list[Expectation]:
        """Return the profile's expectations (empty when the profile is not listed)."""
        return list(self.profiles.get(profile, {}).get("expect", []))

    def claims(self, profile: str) -> list[Claim]:
        """Return the profile's claims (empty when the profile is not listed)."""
        return list(self.profiles.get(profile, {}).get("claims", []))


@dataclass(frozen=True)
class SweepSpec:
    """A robustness sweep of ``nbs_ci.yml``'s ``sweeps:`` section (run by ``mlkit sweep --ci``).

    Attributes
    ----------
    notebook : str
        The notebook's key in ``notebooks:``.
    profile : str
        The profile whose parameters and claims apply.
    seeds : int or None
        Number of seeds (``random_state`` 0..seeds-1), or None.
    grid : dict of str to list
        Parameter -> values (cartesian product); may be empty when `seeds` is given.
    parameters : dict
        Fixed overrides for every point.
    claims : dict of str to float
        Claim name -> share of points, in [0, 1], on which it must hold.
    """

    notebook: str
    profile: str = "ci"
    seeds: int | None = None
    grid: dict = field(default_factory=dict)
    parameters: dict = field(default_factory=dict)
    claims: dict = field(default_factory=dict)


@dataclass
class Config:
    """The validated content of ``nbs_ci.yml``."""

    path: Path
    root: Path
    notebooks: dict[str, NotebookSpec]
    cell_timeout_s: float = 600.0
    sweeps: dict[str, SweepSpec] = field(default_factory=dict)

    def profiles(self) -> set[str]:
        """Return every profile named by any notebook."""
        return {p for nb in self.notebooks.values() for p in nb.profiles}

    def find(self, notebook: str | os.PathLike) -> NotebookSpec | None:
        """Return the spec of a notebook given by any path that resolves to it, else None."""
        target = Path(notebook).resolve()
        for spec in self.notebooks.values():
            if spec.path.resolve() == target:
                return spec
        return None


def _check_keys(mapping: dict, allowed: set, prefix: str, *, kind: str = "key(s)") -> None:
    unknown = set(mapping) - allowed
    if unknown:
        raise ConfigError(f"{prefix} unknown {kind} {sorted(unknown)}; allowed: {sorted(allowed)}.")


def _parse_expectation(where: str, metric: str, spec) -> Expectation:
    if not isinstance(spec, dict):
        raise ConfigError(
            f"{where}: expectation for {metric!r} must be a mapping such as "
            f"{{value: 0.9, abs_tol: 0.02}} or {{min: 0.5}}. Got {spec!r} instead."
        )
    _check_keys(spec, _EXPECT_KEYS, f"{where}: expectation for {metric!r} has")
    if "value" not in spec and "min" not in spec and "max" not in spec:
        raise ConfigError(f"{where}: expectation for {metric!r} needs 'value' or 'min'/'max'.")
    if "value" in spec and ("min" in spec or "max" in spec):
        raise ConfigError(
            f"{where}: expectation for {metric!r} mixes 'value' with 'min'/'max'; use one form."
        )
    value = spec.get("value")
    numeric_value = isinstance(value, int | float) and not isinstance(value, bool)
    if ("abs_tol" in spec or "rel_tol" in spec) and not numeric_value:
        raise ConfigError(f"{where}: 'abs_tol'/'rel_tol' for {metric!r} need a numeric 'value'.")
    for key in ("abs_tol", "rel_tol", "min", "max"):
        if key in spec and (isinstance(spec[key], bool) or not isinstance(spec[key], int | float)):
            raise ConfigError(
                f"{where}: {key!r} for {metric!r} must be a number. Got {spec[key]!r} instead."
            )
    for key in ("abs_tol", "rel_tol"):
        if key in spec and spec[key] < 0:
            raise ConfigError(f"{where}: {key!r} for {metric!r} must be >= 0.")
    return Expectation(metric=metric, **spec)


def load_config(path: str | os.PathLike = "nbs_ci.yml", *, check_parameters: bool = True) -> Config:
    """Load and validate ``nbs_ci.yml``.

    Parameters
    ----------
    path : path-like, default="nbs_ci.yml"
        The config file. Notebook paths in it are relative to its folder.
    check_parameters : bool, default=True
        Also read each notebook's parameters cell and check every profile's parameters
        against it (names and types).

    Returns
    -------
    Config

    Raises
    ------
    FileNotFoundError
        If the file or a notebook it lists does not exist.
    ConfigError
        Naming the file, the notebook and the key, for unknown keys, malformed
        expectations or claims, and bad parameters.
    """
    import yaml

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"Config file {path} does not exist. Run mlkit from the project root, or pass "
            "--config PATH."
        )
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{path} must be a mapping with a 'notebooks' key.")
    _check_keys(raw, _TOP_KEYS, f"{path}:", kind="top-level key(s)")
    root = path.resolve().parent
    timeout = raw.get("cell_timeout_s", 600)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise ConfigError(f"{path}: 'cell_timeout_s' must be a positive number. Got {timeout!r}.")
    notebooks = {}
    for nb_path, nb_spec in (raw.get("notebooks") or {}).items():
        where = f"{path}, notebook {nb_path}"
        full = root / nb_path
        if not full.is_file():
            raise FileNotFoundError(
                f"{where}: the notebook does not exist. Fix the path or remove the entry."
            )
        nb_spec = nb_spec or {}
        if not isinstance(nb_spec, dict):
            raise ConfigError(f"{where}: expected a mapping with 'profiles'. Got {nb_spec!r}.")
        _check_keys(nb_spec, _NB_KEYS, f"{where}:")
        params = read_parameters(full) if check_parameters else None
        profiles = {}
        for prof_name, prof in (nb_spec.get("profiles") or {}).items():
            pwhere = f"{where}, profile {prof_name}"
            prof = prof or {}
            if not isinstance(prof, dict):
                raise ConfigError(f"{pwhere}: expected a mapping with 'parameters' and 'expect'.")
            _check_keys(prof, _PROFILE_KEYS, f"{pwhere}:")
            values = prof.get("parameters") or {}
            if not isinstance(values, dict):
                raise ConfigError(f"{pwhere}: 'parameters' must be a mapping of name: value.")
            if params is not None:
                try:
                    values = check_overrides(
                        params, values, notebook=nb_path, source=f"{path} profile {prof_name}"
                    )
                except ParameterError as exc:
                    raise ConfigError(str(exc)) from exc
            expect = [
                _parse_expectation(pwhere, m, s) for m, s in (prof.get("expect") or {}).items()
            ]
            claims = prof.get("claims") or {}
            if not isinstance(claims, dict):
                raise ConfigError(f"{pwhere}: 'claims' must be a mapping of name: expression.")
            claims = [parse_claim(str(k), v, where=pwhere) for k, v in claims.items()]
            profiles[prof_name] = {"parameters": values, "expect": expect, "claims": claims}
        notebooks[nb_path] = NotebookSpec(path=full, profiles=profiles)
    sweeps = _parse_sweeps(path, raw.get("sweeps"), notebooks, check_parameters)
    return Config(
        path=path, root=root, notebooks=notebooks, cell_timeout_s=float(timeout), sweeps=sweeps
    )


def _parse_sweeps(path: Path, raw, notebooks: dict, check_parameters: bool) -> dict:
    """Validate the ``sweeps:`` section: notebook -> profile, seeds and/or grid, claim shares."""
    if raw is None:
        return {}
    example = "{notebooks/NN_phase.ipynb: {seeds: 3, claims: {claim_name: 0.8}}}"
    if not isinstance(raw, dict):
        raise ConfigError(
            f"{path}: 'sweeps' must be a mapping of notebook -> sweep, such as {example}. "
            f"Got {raw!r} instead."
        )
    sweeps = {}
    for nb_path, spec in raw.items():
        where = f"{path}, sweeps, notebook {nb_path}"
        if nb_path not in notebooks:
            raise ConfigError(
                f"{where}: the notebook is not listed under 'notebooks'. Sweeps use a profile's "
                f"parameters and claims, so list it there first. Listed: {', '.join(notebooks)}."
            )
        if not isinstance(spec, dict):
            raise ConfigError(f"{where}: expected a mapping such as {example}. Got {spec!r}.")
        _check_keys(spec, _SWEEP_KEYS, f"{where}:")
        profile = spec.get("profile", "ci")
        nb = notebooks[nb_path]
        if profile not in nb.profiles:
            raise ConfigError(
                f"{where}: profile {profile!r} is not a profile of this notebook. Its profiles: "
                f"{', '.join(sorted(nb.profiles)) or '(none)'}."
            )
        seeds = spec.get("seeds")
        if seeds is not None and (
            isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1
        ):
            raise ConfigError(f"{where}: 'seeds' must be an integer >= 1. Got {seeds!r} instead.")
        grid = spec.get("grid") or {}
        if not isinstance(grid, dict):
            raise ConfigError(
                f"{where}: 'grid' must be a mapping of parameter -> list of values, such as "
                f"{{n_clips: [200, 400]}}. Got {grid!r} instead."
            )
        for name, values in grid.items():
            if not isinstance(values, list) or not values:
                raise ConfigError(
                    f"{where}: grid parameter {name!r} must have a non-empty list of values, "
                    f"such as [1, 2]. Got {values!r} instead."
                )
        if seeds is None and not grid:
            raise ConfigError(f"{where}: give 'seeds' (a number), a 'grid', or both.")
        if seeds is not None and "random_state" in grid:
            raise ConfigError(
                f"{where}: 'random_state' is both in 'grid' and set by 'seeds'; use one of them."
            )
        fixed = spec.get("parameters") or {}
        if not isinstance(fixed, dict):
            raise ConfigError(f"{where}: 'parameters' must be a mapping of name: value.")
        if check_parameters:
            params = read_parameters(nb.path)
            try:
                check_overrides(params, fixed, notebook=nb_path, source=f"{path} sweeps")
                for name, values in grid.items():
                    for value in values:
                        check_overrides(
                            params, {name: value}, notebook=nb_path, source=f"{path} sweeps grid"
                        )
                if seeds is not None:
                    check_overrides(
                        params, {"random_state": 0}, notebook=nb_path, source=f"{path} sweeps seeds"
                    )
            except ParameterError as exc:
                raise ConfigError(str(exc)) from exc
        claims = spec.get("claims") or {}
        if not isinstance(claims, dict):
            raise ConfigError(
                f"{where}: 'claims' must be a mapping of claim name -> share of points in [0, 1], "
                f"such as {{hlp_above_model: 0.8}}. Got {claims!r} instead."
            )
        known = {c.name for c in nb.claims(profile)}
        for name, share in claims.items():
            if name not in known:
                raise ConfigError(
                    f"{where}: claim {name!r} is not a claim of profile {profile!r}. Its claims: "
                    f"{', '.join(sorted(known)) or '(none)'}."
                )
            if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1:
                raise ConfigError(
                    f"{where}: the share for claim {name!r} must be a number in [0, 1] (0.8: "
                    f"holds on at least 80 % of the points). Got {share!r} instead."
                )
        sweeps[nb_path] = SweepSpec(
            notebook=nb_path,
            profile=profile,
            seeds=seeds,
            grid=dict(grid),
            parameters=dict(fixed),
            claims={k: float(v) for k, v in claims.items()},
        )
    return sweeps
