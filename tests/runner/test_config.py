import pytest

from mlkit.runner.config import ConfigError, Expectation, check_metric, load_config


def _write(tmp_path, fixtures_dir, text):
    import shutil

    shutil.copy(fixtures_dir / "ok.ipynb", tmp_path / "ok.ipynb")
    p = tmp_path / "nbs_ci.yml"
    p.write_text(text)
    return p


def test_fixture_config_loads(fixtures_dir):
    cfg = load_config(fixtures_dir / "nbs_ci.yml")
    assert set(cfg.notebooks) == {"ok.ipynb", "fail.ipynb"}
    assert cfg.notebooks["ok.ipynb"].parameters("ci") == {"n": 4}
    assert cfg.profiles() == {"ci", "full"}
    assert cfg.cell_timeout_s == 60


@pytest.mark.parametrize(
    ("text", "exc", "match"),
    [
        (
            "notebooks:\n  ok.ipynb:\n    profile: {}\n",
            ConfigError,
            r"notebook ok.ipynb: unknown key\(s\) \['profile'\]",
        ),
        ("notebook: {}\n", ConfigError, r"unknown top-level key\(s\) \['notebook'\]"),
        (
            "notebooks:\n  missing.ipynb: {}\n",
            FileNotFoundError,
            "missing.ipynb: the notebook does not exist",
        ),
        (
            "notebooks:\n  ok.ipynb:\n    profiles:\n      ci:\n        parameters: {m: 1}\n",
            ConfigError,
            "has no parameter 'm'",
        ),
        (
            "notebooks:\n  ok.ipynb:\n    profiles:\n      ci:\n        parameters: {n: x}\n",
            ConfigError,
            "'n' of ok.ipynb .* must be of type int",
        ),
        (
            "notebooks:\n  ok.ipynb:\n    profiles:\n      ci:\n        expect: {a: 1}\n",
            ConfigError,
            "profile ci: expectation for 'a' must be a mapping",
        ),
        (
            "notebooks:\n  ok.ipynb:\n    profiles:\n      ci:\n        expect: {a: {vlue: 1}}\n",
            ConfigError,
            r"unknown key\(s\) \['vlue'\]",
        ),
        (
            "notebooks:\n  ok.ipynb:\n    profiles:\n      ci:\n        expect: {a: {abs_tol: 1}}\n",
            ConfigError,
            "needs 'value' or 'min'/'max'",
        ),
        (
            "notebooks:\n  ok.ipynb:\n    profiles:\n      ci:\n        expect: {a: {value: x, abs_tol: 1}}\n",
            ConfigError,
            "need a numeric 'value'",
        ),
        (
            "notebooks:\n  ok.ipynb:\n    profiles:\n      ci:\n        expect: {a: {value: 1, min: 0}}\n",
            ConfigError,
            "mixes 'value'",
        ),
        (
            "notebooks:\n  ok.ipynb:\n    profiles:\n      ci:\n        expect: {a: {value: 1, abs_tol: -1}}\n",
            ConfigError,
            "must be >= 0",
        ),
        (
            "cell_timeout_s: 0\nnotebooks: {}\n",
            ConfigError,
            "'cell_timeout_s' must be a positive number",
        ),
        ("notebooks: [\n", ConfigError, "not valid YAML"),
    ],
)
def test_malformed_config_names_file_notebook_and_key(tmp_path, fixtures_dir, text, exc, match):
    path = _write(tmp_path, fixtures_dir, text)
    with pytest.raises(exc, match=match) as info:
        load_config(path)
    assert "nbs_ci.yml" in str(info.value)


def test_missing_config(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_config(tmp_path / "nbs_ci.yml")


@pytest.mark.parametrize(
    ("exp", "got", "ok"),
    [
        (Expectation("m", value=0.9, abs_tol=0.01), 0.905, True),
        (Expectation("m", value=0.9, abs_tol=0.01), 0.92, False),
        (Expectation("m", value=100, rel_tol=0.05), 104, True),
        (Expectation("m", value=100, rel_tol=0.05), 106, False),
        (Expectation("m", value=3), 3, True),
        (Expectation("m", value=3), 4, False),
        (Expectation("m", value=True), True, True),
        (Expectation("m", value=True), 1, False),
        (Expectation("m", value="car_noise"), "car_noise", True),
        (Expectation("m", value="car_noise"), "clean", False),
        (Expectation("m", min=0.5), 0.4, False),
        (Expectation("m", min=0.5, max=0.7), 0.6, True),
        (Expectation("m", max=0.7), 0.71, False),
        (Expectation("m", min=0), None, False),
        (Expectation("m", min=0), "text", False),
        (Expectation("m", value=1.0, abs_tol=0.1), True, False),
    ],
)
def test_check_metric(exp, got, ok):
    assert check_metric(exp, got) is ok
