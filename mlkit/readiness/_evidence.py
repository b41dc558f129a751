"""Read the evidence a run folder and the repository hold, and the rules that turn it into points.

Serves "The evidence of a run" of ``notebooks/07_production_readiness.ipynb``.

A run folder of ``mlkit run`` (``runs/<UTC>-<id>/``) holds ``metrics.json`` (per notebook: status,
parameters, metrics), lineage records of saved artefacts (``artefacts/*.lineage.json``), the MLflow
store of tracked runs (``mlflow.db``) and the executed notebooks. The repository adds what the
paper calls automation: ``nbs_ci.yml`` (the expectations and claims checked on every CI run of the
notebooks), the unit tests under ``tests/`` and the CI workflow that runs them.

A trimmed copy of a run (``tests/fixtures/readiness_run``) keeps only the small files; its tracked
runs are a JSON export of ``mlflow.db`` (``tracked_runs.json``), read when ``mlflow.db`` is absent.
"""

from __future__ import annotations

import ast
import json
import os
import re
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from mlkit.paths import project_root, resolve_path

__all__ = [
    "PIPELINE_NOTEBOOKS",
    "RunEvidence",
    "TestScore",
    "resolve_run_folder",
    "load_run_evidence",
    "read_tracked_runs",
    "describe_evidence",
]

PIPELINE_NOTEBOOKS = (
    "00_start_here",
    "01_scoping",
    "02_data",
    "03_modeling",
    "03b_tracking",
    "04_augmentation",
    "05_deployment",
    "06_monitoring",
)
"""The notebooks of the pipeline 07 scores (file stems), in lifecycle order."""

READINESS_NOTEBOOK = "07_production_readiness"
_RUN_NAME = re.compile(r"^(\d{8}T\d{6}Z)-[0-9a-f]{6}$")
_CLAIM_FUNCS = {"abs", "min", "max", "True", "False"}


@dataclass(frozen=True)
class TestScore:
    """The score of one rubric test with its reason and evidence.

    Attributes
    ----------
    test_id : str
        ``"Data 1"`` .. ``"Monitor 7"``.
    score : float
        0, 0.5 or 1 (the paper's points).
    reason : str
        Why this score, in one or two sentences.
    evidence : tuple of str
        What was read: ``file · notebook · metric = value`` and ``nbs_ci.yml · ...`` lines,
        paths relative to the run folder or the repository.
    basis : str
        ``"measured"`` (read from the run and ``nbs_ci.yml`` by a fixed rule), ``"judged:
        partial"`` (the kit does part of what the paper asks: at most 0.5) or ``"judged: not
        addressed"`` (the kit does not do it: 0).
    """

    __test__ = False  # not a pytest test class

    test_id: str
    score: float
    reason: str
    evidence: tuple[str, ...] = ()
    basis: str = "measured"


@dataclass(frozen=True)
class RunEvidence:
    """Everything 07 reads about one run, loaded once by :func:`load_run_evidence`.

    Attributes
    ----------
    folder : pathlib.Path
        The run folder.
    record : dict
        Its ``metrics.json``.
    notebooks : dict of str to dict
        Notebook file stem (``"05_deployment"``) -> its entry in ``metrics.json``.
    lineage : dict of str to dict
        Lineage record path, relative to `folder` -> the record.
    tracked_runs : list of dict
        Tracked MLflow runs: ``experiment``, ``run_name``, ``status``, ``params``, ``metrics``,
        ``tags``.
    tracked_source : str
        Where `tracked_runs` came from (``mlflow.db``, ``tracked_runs.json`` or ``""``).
    checks : dict of str to dict of str to list of str
        Notebook stem -> metric -> the ``nbs_ci.yml`` checks that read it, such as
        ``"ci expect canary_rolled_back_bad"`` or ``"ci claim canary_rolls_back_bad"``.
    repo : pathlib.Path
        The repository root (unit tests, CI workflow).
    config : str
        The config file the checks came from, relative to `repo` when inside it.
    """

    folder: Path
    record: dict
    notebooks: dict
    lineage: dict = field(default_factory=dict)
    tracked_runs: list = field(default_factory=list)
    tracked_source: str = ""
    checks: dict = field(default_factory=dict)
    repo: Path = field(default_factory=project_root)
    config: str = "nbs_ci.yml"

    @property
    def profile(self) -> str:
        """Return the run's profile (``ci`` when the record does not say)."""
        return str(self.record.get("profile") or "ci")


def _age_key(folder: Path) -> tuple[float, float]:
    match = _RUN_NAME.match(folder.name)
    stamp = 0.0
    if match:
        stamp = datetime.strptime(match.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC).timestamp()
    mtime = (folder / "metrics.json").stat().st_mtime
    return (stamp or mtime, mtime)


def _not_to_score(folder: Path) -> bool:
    """Return True for a run still going, or a run of this notebook alone."""
    try:
        record = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
        names = record["notebooks"]
    except (ValueError, KeyError, TypeError, OSError):
        return False
    if record.get("status") == "running":
        return True
    stems = {Path(n).stem for n in names} if isinstance(names, dict) else set()
    return stems == {READINESS_NOTEBOOK}


def resolve_run_folder(
    run_folder: str | os.PathLike = "latest",
    *,
    runs_dir: str | os.PathLike | None = None,
    current: str | os.PathLike | None = None,
) -> Path:
    """Return the run folder to score: the newest other run, or the one named.

    Parameters
    ----------
    run_folder : str or path-like, default="latest"
        ``"latest"``: the newest folder under `runs_dir` that holds a ``metrics.json``, other
        than `current`, than runs still going (status ``running``) and than runs of
        ``07_production_readiness`` alone; otherwise a run folder (absolute, or relative to the
        working directory or the project root). A run folder named explicitly is scored
        whatever its state.
    runs_dir : path-like, optional
        Where runs live. Default: ``runs/`` of the project root.
    current : path-like, optional
        The run this notebook executes in, never chosen as "latest". Default: the folder in
        the environment variable ``MLKIT_RUN_DIR`` (set by ``mlkit run``), if any.

    Returns
    -------
    pathlib.Path
        An absolute path to a folder holding ``metrics.json``.

    Raises
    ------
    FileNotFoundError
        If `run_folder` is ``"latest"`` and no other run has a ``metrics.json``, or if the
        folder named does not exist or holds no ``metrics.json``. The message names
        ``run_folder`` and the fix.

    Notes
    -----
    Newest means the UTC timestamp in the folder name (``runs/<UTC>-<id>``), else the time
    ``metrics.json`` was last written, as ``mlkit check`` orders runs.

    Examples
    --------
    >>> import json, tempfile
    >>> from pathlib import Path
    >>> base = Path(tempfile.mkdtemp())
    >>> for name in ["20260101T000000Z-aaaaaa", "20260102T000000Z-bbbbbb"]:
    ...     (base / name).mkdir()
    ...     _ = (base / name / "metrics.json").write_text(json.dumps({"notebooks": {}}))
    >>> resolve_run_folder("latest", runs_dir=base, current=base / "20260102T000000Z-bbbbbb").name
    '20260101T000000Z-aaaaaa'
    """
    if str(run_folder) != "latest":
        folder = resolve_path(run_folder)
        if not (folder / "metrics.json").is_file():
            what = "does not exist" if not folder.exists() else "holds no metrics.json"
            raise FileNotFoundError(
                f"The 'run_folder' parameter must be 'latest' or a run folder of `mlkit run` "
                f"with a metrics.json. Got {str(run_folder)!r} instead, which {what} "
                f"({folder}). Pass a folder under runs/, for example -p run_folder "
                "runs/<UTC>-<id>, or tests/fixtures/readiness_run."
            )
        return folder
    base = Path(runs_dir) if runs_dir is not None else project_root() / "runs"
    env = os.environ.get("MLKIT_RUN_DIR")
    current = Path(current) if current is not None else (Path(env) if env else None)
    skip = current.resolve() if current is not None else None
    found = []
    if base.is_dir():
        found = [
            p.resolve()
            for p in base.iterdir()
            if p.is_dir()
            and (p / "metrics.json").is_file()
            and p.resolve() != skip
            and not _not_to_score(p)
        ]
    if not found:
        raise FileNotFoundError(
            f"The 'run_folder' parameter is 'latest', but {base} holds no run folder with a "
            "metrics.json other than this run. Run the pipeline first (`mlkit run`), or pass "
            "a run folder: -p run_folder runs/<UTC>-<id> (or tests/fixtures/readiness_run)."
        )
    return max(found, key=_age_key)


def read_tracked_runs(run_folder: str | os.PathLike) -> tuple[list[dict], str]:
    """Return the tracked MLflow runs of a run folder, and where they were read.

    Reads ``mlflow.db`` (the SQLite store the notebooks write, opened read-only with the
    standard library, so MLflow is not imported), else ``tracked_runs.json`` (the export a
    trimmed fixture keeps).

    Parameters
    ----------
    run_folder : path-like
        A run folder.

    Returns
    -------
    runs : list of dict
        One dict per run: ``experiment``, ``run_name``, ``status``, ``params``, ``metrics``
        (latest values) and ``tags``, sorted by experiment and run name.
    source : str
        ``"mlflow.db"``, ``"tracked_runs.json"`` or ``""`` when there is neither (or the store
        cannot be read).

    Examples
    --------
    >>> import tempfile
    >>> read_tracked_runs(tempfile.mkdtemp())
    ([], '')
    """
    folder = Path(run_folder)
    db = folder / "mlflow.db"
    if db.is_file():
        try:
            con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
            try:
                runs = _runs_from_sqlite(con)
            finally:
                con.close()
            return runs, "mlflow.db"
        except sqlite3.Error:
            return [], ""
    export = folder / "tracked_runs.json"
    if export.is_file():
        return json.loads(export.read_text(encoding="utf-8")), "tracked_runs.json"
    return [], ""


def _runs_from_sqlite(con) -> list[dict]:
    experiments = dict(con.execute("SELECT experiment_id, name FROM experiments"))
    runs = {
        rid: {
            "experiment": experiments.get(eid, str(eid)),
            "run_name": name,
            "status": status,
            "params": {},
            "metrics": {},
            "tags": {},
        }
        for rid, name, status, eid in con.execute(
            "SELECT run_uuid, name, status, experiment_id FROM runs "
            "WHERE lifecycle_stage = 'active'"
        )
    }
    for table, key in (("params", "params"), ("latest_metrics", "metrics"), ("tags", "tags")):
        for k, v, rid in con.execute(f"SELECT key, value, run_uuid FROM {table}"):  # noqa: S608
            if rid in runs and not k.startswith("mlflow."):
                runs[rid][key][k] = v
    return sorted(runs.values(), key=lambda r: (r["experiment"], r["run_name"] or ""))


def _read_checks(config_path: Path, profiles: tuple[str, ...]) -> dict:
    """Return notebook stem -> metric -> checks of `profiles` in the config (no runner import)."""
    import yaml

    if not config_path.is_file():
        return {}
    raw = yaml.safe_load(config_path.read_text(encoding="utf-8")) or {}
    checks: dict = {}
    for nb_path, spec in (raw.get("notebooks") or {}).items():
        per_metric = checks.setdefault(Path(nb_path).stem, {})
        for profile in profiles:
            prof = ((spec or {}).get("profiles") or {}).get(profile) or {}
            for metric in prof.get("expect") or {}:
                per_metric.setdefault(metric, []).append(f"{profile} expect {metric}")
            for name, claim in (prof.get("claims") or {}).items():
                expr = claim.get("expr", "") if isinstance(claim, dict) else str(claim)
                try:
                    tree = ast.parse(expr, mode="eval")
                except SyntaxError:
                    continue
                names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
                for metric in sorted(names - _CLAIM_FUNCS):
                    per_metric.setdefault(metric, []).append(f"{profile} claim {name}")
    return checks


def load_run_evidence(
    run_folder: str | os.PathLike,
    *,
    config: str | os.PathLike | None = None,
    repo: str | os.PathLike | None = None,
) -> RunEvidence:
    """Load a run folder's evidence and the repository's checks for scoring.

    Parameters
    ----------
    run_folder : path-like
        A folder holding ``metrics.json`` (see :func:`resolve_run_folder`).
    config : path-like, optional
        The ``nbs_ci.yml`` whose expectations and claims count as automation. Default: the
        repository's. Checks of the ``ci`` profile (the one CI runs on every push) and of the
        run's own profile count.
    repo : path-like, optional
        The repository root (unit tests, CI workflow). Default: the project root.

    Returns
    -------
    RunEvidence

    Raises
    ------
    FileNotFoundError
        If the folder holds no ``metrics.json``.
    ValueError
        If ``metrics.json`` is not JSON or not an object with a ``notebooks`` mapping.

    Examples
    --------
    >>> import json, tempfile
    >>> from pathlib import Path
    >>> run = Path(tempfile.mkdtemp())
    >>> _ = (run / "metrics.json").write_text(json.dumps({"profile": "ci", "notebooks": {}}))
    >>> ev = load_run_evidence(run)
    >>> ev.notebooks, ev.tracked_runs, ev.profile
    ({}, [], 'ci')
    """
    folder = Path(run_folder).resolve()
    path = folder / "metrics.json"
    if not path.is_file():
        raise FileNotFoundError(
            f"{folder} has no metrics.json; is it a run folder of `mlkit run`? Pass another "
            "run_folder."
        )
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path} is not valid JSON ({exc}). Re-run with `mlkit run`.") from None
    if not isinstance(record, dict) or not isinstance(record.get("notebooks"), dict):
        raise ValueError(
            f"{path} must hold an object with a 'notebooks' mapping (a record of `mlkit run`). "
            "Re-run with `mlkit run`, or pass another run_folder."
        )
    notebooks = {
        Path(name).stem: entry
        for name, entry in record["notebooks"].items()
        if isinstance(entry, dict)
    }
    lineage = {}
    for p in sorted(folder.rglob("*lineage.json")):
        try:
            lineage[p.relative_to(folder).as_posix()] = json.loads(p.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError):
            continue
    tracked, source = read_tracked_runs(folder)
    repo = Path(repo).resolve() if repo is not None else project_root()
    config_path = Path(config).resolve() if config is not None else repo / "nbs_ci.yml"
    profile = str(record.get("profile") or "ci")
    checks = _read_checks(config_path, tuple(dict.fromkeys(("ci", profile))))
    shown = (
        config_path.relative_to(repo).as_posix()
        if config_path.is_relative_to(repo)
        else str(config_path)
    )
    return RunEvidence(
        folder=folder,
        record=record,
        notebooks=notebooks,
        lineage=lineage,
        tracked_runs=tracked,
        tracked_source=source,
        checks=checks,
        repo=repo,
        config=shown,
    )


def describe_evidence(ev: RunEvidence) -> str:
    """Summarise what a run folder holds, as markdown: notebooks and their status, records found.

    Parameters
    ----------
    ev : RunEvidence
        From :func:`load_run_evidence`.

    Returns
    -------
    str
        A short markdown paragraph and one bullet per pipeline notebook.

    Examples
    --------
    >>> from pathlib import Path
    >>> ev = RunEvidence(folder=Path("runs/x"), record={"profile": "ci", "status": "complete"},
    ...                  notebooks={"02_data": {"status": "failed", "metrics": {"a": 1}}})
    >>> text = describe_evidence(ev)
    >>> "`02_data`: **failed**, 1 metrics" in text, "`05_deployment`: absent" in text
    (True, True)
    """
    status = ev.record.get("status", "complete")
    n_ok = sum(1 for e in ev.notebooks.values() if e.get("status") == "ok")
    example = []
    if (ev.folder / "README.txt").is_file() and not (ev.folder / "summary.md").is_file():
        # a trimmed copy (python -m mlkit.readiness RUN --out ...) keeps no summary.md
        root = next(
            (p for p in ev.folder.resolve().parents if (p / "pyproject.toml").is_file()), None
        )
        shown = ev.folder.resolve().relative_to(root) if root else ev.folder
        example = [
            f"**This is the committed example run `{shown.as_posix()}`** (a trimmed copy of a "
            f"real run, `{ev.record.get('run_id', '?')}`, see its README.txt), **not your run**: "
            "its timings and numbers differ from the notebooks you ran. Score your own run with "
            '`run_folder = "latest"` or `-p run_folder runs/<your run>`.',
            "",
        ]
    lines = [
        *example,
        f"Run folder `{ev.folder.name}` (profile `{ev.profile}`, status `{status}`): "
        f"{len(ev.notebooks)} notebooks recorded, {n_ok} of them ok; "
        f"{len(ev.lineage)} lineage records; {len(ev.tracked_runs)} tracked runs"
        + (f" (from `{ev.tracked_source}`)" if ev.tracked_source else "")
        + f"; checks read from `{ev.config}` (profiles "
        + ", ".join(f"`{p}`" for p in dict.fromkeys(("ci", ev.profile)))
        + ").",
        "",
    ]
    for stem in PIPELINE_NOTEBOOKS:
        entry = ev.notebooks.get(stem)
        if entry is None:
            lines.append(f"- `{stem}`: absent from this run")
            continue
        st = entry.get("status")
        shown = st if st == "ok" else f"**{st}**"
        lines.append(f"- `{stem}`: {shown}, {len(entry.get('metrics') or {})} metrics")
    return "\n".join(lines)


# --- the rules shared by the per-test evidence functions -------------------------------------


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return repr(value) if isinstance(value, str) else str(value)


def notebook_problem(ev: RunEvidence, stem: str) -> str | None:
    """Return why a notebook's evidence cannot be used (absent, failed, ...), or None."""
    entry = ev.notebooks.get(stem)
    if entry is None:
        return f"notebook {stem} is absent from this run"
    if entry.get("status") != "ok":
        return f"notebook {stem} {entry.get('status')} in this run, so its evidence is not used"
    return None


def metric_score(
    ev: RunEvidence,
    test_id: str,
    parts: list[tuple[str, list[str]]],
    *,
    done: str,
    partial: str = "",
    outcome: str = "",
) -> TestScore:
    """Score a test whose evidence is recorded metrics, by the fixed rule of the module.

    Every notebook of `parts` must be in the run with status ok and have recorded all its
    metrics (else 0, with the reason). Then 1 when ``nbs_ci.yml`` checks at least one of the
    metrics of every part (automated, repeated on every CI run), else 0.5 (the notebook did it
    and recorded it; nothing checks it). `partial`, when given, caps the score at 0.5: the kit
    does only part of what the paper asks, and `partial` says which part is missing.
    """
    evidence, unchecked = [], []
    for stem, metrics in parts:
        problem = notebook_problem(ev, stem)
        if problem:
            return TestScore(test_id, 0.0, f"Evidence missing: {problem}.", tuple(evidence))
        got = ev.notebooks[stem].get("metrics") or {}
        missing = [m for m in metrics if m not in got]
        if missing:
            return TestScore(
                test_id,
                0.0,
                f"Evidence missing: {stem} did not record {', '.join(missing)}.",
                tuple(evidence),
            )
        evidence += [f"metrics.json · {stem} · {m} = {_fmt(got[m])}" for m in metrics]
        labels = [lab for m in metrics for lab in ev.checks.get(stem, {}).get(m, [])]
        evidence += [f"{ev.config} · {stem} · {lab}" for lab in dict.fromkeys(labels)]
        if not labels:
            unchecked.append(stem)
    tail = f" {outcome}" if outcome else ""
    if partial:
        return TestScore(
            test_id,
            0.5,
            f"Partly done: {done}; but {partial}.{tail}",
            tuple(evidence),
            "judged: partial",
        )
    if unchecked:
        return TestScore(
            test_id,
            0.5,
            f"Done by hand: {done}, recorded, but nothing in {ev.config} checks it "
            f"({', '.join(unchecked)}).{tail}",
            tuple(evidence),
        )
    return TestScore(
        test_id,
        1.0,
        f"Automated: {done}, checked by {ev.config} on every CI run.{tail}",
        tuple(evidence),
    )


def not_addressed(test_id: str, why: str, evidence: tuple[str, ...] = ()) -> TestScore:
    """Return a 0 score for a test the kit does not address, with why."""
    return TestScore(
        test_id, 0.0, f"Not addressed by the kit: {why}.", evidence, "judged: not addressed"
    )


def repo_tests(ev: RunEvidence, pattern: str, paths: tuple[str, ...]) -> list[str]:
    """Return the repository test files among `paths` (globs) whose text contains `pattern`."""
    found = []
    for glob in paths:
        for p in sorted(ev.repo.glob(glob)):
            if p.is_file() and pattern in p.read_text(encoding="utf-8"):
                found.append(p.relative_to(ev.repo).as_posix())
    return found


def ci_runs_pytest(ev: RunEvidence) -> str | None:
    """Return the CI workflow file (relative to the repo) that runs pytest, or None."""
    for p in sorted((ev.repo / ".github" / "workflows").glob("*.y*ml")):
        if "pytest" in p.read_text(encoding="utf-8"):
            return p.relative_to(ev.repo).as_posix()
    return None


def unit_test_score(
    ev: RunEvidence, test_id: str, *, used: str | None, what: str, tests: list[str]
) -> TestScore:
    """Score "code X is unit tested": the run must use X, the repo test it, CI run the tests."""
    if used is None:
        return TestScore(test_id, 0.0, f"Evidence missing: this run did not exercise {what}.")
    evidence = (used, *(f"repo · {t}" for t in tests))
    if not tests:
        return TestScore(test_id, 0.0, f"No unit test of {what} found in the repository.", evidence)
    workflow = ci_runs_pytest(ev)
    if workflow is None:
        return TestScore(
            test_id,
            0.5,
            f"Unit tests of {what} exist ({len(tests)} files) but no CI workflow "
            "runs pytest, so they run only by hand.",
            evidence,
        )
    return TestScore(
        test_id,
        1.0,
        f"Automated: {what} is unit tested ({len(tests)} test files) and "
        f"{workflow} runs pytest on every push.",
        (*evidence, f"repo · {workflow} runs pytest"),
    )
