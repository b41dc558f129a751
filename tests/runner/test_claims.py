"""Claims: relations between recorded metrics, parsed safely and checked on every run."""

import json

import pytest

from mlkit.errors import ConfigError
from mlkit.runner.claims import evaluate_claim, parse_claim
from mlkit.runner.config import load_config
from mlkit.runner.report import check_claims

W = "nbs_ci.yml, notebook nb.ipynb, profile ci"


@pytest.mark.parametrize(
    ("expr", "metrics", "holds"),
    [
        ("a > b", {"a": 2, "b": 1}, True),
        ("a > b", {"a": 1, "b": 1}, False),
        ("a_ci_low > 0 and b < 0.5", {"a_ci_low": 0.01, "b": 0.4}, True),
        ("not (a >= b)", {"a": 1, "b": 2}, True),
        ("0 < a <= 1", {"a": 1.0}, True),
        ("0 < a <= 1", {"a": 1.5}, False),
        ("abs(a - b) < 0.1", {"a": 0.5, "b": 0.55}, True),
        ("max(a, b) - min(a, b) > 0.2 or c", {"a": 0.1, "b": 0.2, "c": True}, True),
        ("verdict == 'pass'", {"verdict": "pass"}, True),
        ("verdict == 'pass'", {"verdict": "undecided"}, False),
        ("a / b > 1", {"a": 1.0, "b": 0.0}, False),  # undefined ratio: the claim does not hold
        ("-a < b * 2", {"a": 1, "b": 0}, True),
    ],
)
def test_evaluate(expr, metrics, holds):
    row = evaluate_claim(parse_claim("c", expr, where=W), metrics, notebook="nb.ipynb")
    assert row["holds"] is holds
    assert set(row["values"]) == set(metrics)


@pytest.mark.parametrize(
    ("spec", "match"),
    [
        ("a >", r"claim 'c': 'a >' is not a valid expression"),
        ("__import__('os').system('true')", r"claim 'c': only abs, min and max may be called"),
        ("a.real > 0", r"claim 'c': Attribute is not allowed"),
        ("[a] == [1]", r"claim 'c': List is not allowed"),
        ("a ** 2 > 1", r"claim 'c': Pow is not allowed"),
        ("1 > 0", r"claim 'c': '1 > 0' names no metric, so it cannot fail"),
        ("a == None", r"claim 'c': None is not a value"),
        ({"expr": "a > b", "why": "x"}, r"claim 'c': unknown key\(s\) \['why'\]"),
        ({"says": "x"}, r"claim 'c': expected an expression string or a mapping"),
        ({"expr": "a > 0", "says": 3}, r"claim 'c': 'says' must be a sentence"),
        ("max(a, key=b) > 0", r"only abs, min and max may be called, with positional"),
    ],
)
def test_bad_claims_name_the_claim_and_place(spec, match):
    with pytest.raises(ConfigError, match=match) as info:
        parse_claim("c", spec, where=W)
    assert str(info.value).startswith(W)


def test_missing_metric_names_claim_notebook_and_what_was_recorded():
    claim = parse_claim("gain", "targeted_gain > unrealistic_gain", where=W)
    row = evaluate_claim(claim, {"targeted_gain": 0.1, "other": 1}, notebook="04.ipynb")
    assert row["holds"] is None
    assert row["note"] == (
        "claim 'gain' of 04.ipynb reads metric 'unrealistic_gain', which the notebook did not "
        "record (recorded: other, targeted_gain)"
    )


def test_string_against_number_is_reported_not_raised():
    row = evaluate_claim(parse_claim("c", "a > 1", where=W), {"a": "high"}, notebook="nb")
    assert row["holds"] is None and "cannot compare" in row["note"]


def _run(tmp_path, notebooks, profile="ci"):
    run = tmp_path / "run"
    run.mkdir(parents=True)
    doc = {"run_id": "r", "profile": profile, "notebooks": notebooks}
    (run / "metrics.json").write_text(json.dumps(doc))
    return run


def test_claims_are_checked_on_overridden_runs_too(tmp_path, fixtures_dir):
    config = load_config(fixtures_dir / "nbs_ci.yml")
    ok = {"status": "ok", "overridden": ["n"], "metrics": {"n_squared": 1, "n_names": 2}}
    rows = check_claims(_run(tmp_path, {"ok.ipynb": ok}), config)
    assert [(r["claim"], r["ok"]) for r in rows] == [("square_beats_names", False)]
    assert rows[0]["says"] == "the square of n exceeds the number of names"


def test_a_typo_in_a_claim_fails_a_finished_notebook_but_not_a_failed_one(tmp_path, fixtures_dir):
    config = load_config(fixtures_dir / "nbs_ci.yml")
    finished = {"status": "ok", "metrics": {"n_squared": 16}}
    rows = check_claims(_run(tmp_path, {"ok.ipynb": finished}), config)
    assert rows[0]["ok"] is False and "did not record" in rows[0]["note"]
    failed = {"status": "error", "metrics": {}}
    rows = check_claims(_run(tmp_path / "b", {"ok.ipynb": failed}), config)
    assert rows[0]["ok"] is None and "status is 'error'" in rows[0]["note"]


def test_bad_claim_in_config_is_refused_at_load(tmp_path, fixtures_dir):
    import shutil

    shutil.copy(fixtures_dir / "ok.ipynb", tmp_path / "ok.ipynb")
    (tmp_path / "nbs_ci.yml").write_text(
        "notebooks:\n  ok.ipynb:\n    profiles:\n      ci:\n        claims:\n"
        "          broken: n_squared >>> 1\n"
    )
    with pytest.raises(ConfigError, match=r"notebook ok.ipynb, profile ci, claim 'broken'"):
        load_config(tmp_path / "nbs_ci.yml")


def test_mlkit_check_prints_claims_and_fails_on_one_that_does_not_hold(
    tmp_path, fixtures_dir, capsys, monkeypatch
):
    from mlkit.runner.cli import main

    metrics = {"n_squared": 1, "rate": 0.5, "label": "x", "n_names": 2, "flag": False}
    run = _run(tmp_path, {"ok.ipynb": {"status": "ok", "metrics": metrics}})
    code = main(["check", str(run), "--config", str(fixtures_dir / "nbs_ci.yml")])
    out = capsys.readouterr().out
    assert code == 1
    assert "square_beats_names" in out and "n_names=2, n_squared=1" in out
    assert "0 claim(s) hold, 1 do not" in out
    metrics["n_squared"] = 16
    run = _run(tmp_path / "again", {"ok.ipynb": {"status": "ok", "metrics": metrics}})
    assert main(["check", str(run), "--config", str(fixtures_dir / "nbs_ci.yml")]) == 0
    assert "1 claim(s) hold, 0 do not" in capsys.readouterr().out
