import json

import pytest

from mlkit.runner.params import (
    Parameter,
    ParameterError,
    check_overrides,
    coerce_cli_value,
    read_parameters,
)


def test_reads_names_types_defaults_and_help(fixtures_dir):
    params = {p.name: p for p in read_parameters(fixtures_dir / "ok.ipynb")}
    assert list(params) == ["n", "rate", "names", "label", "flag", "limit"]
    assert params["n"] == Parameter("n", "int", 3, "how many")
    assert params["names"].type == "list[str]" and params["names"].default == ["a", "b"]
    assert params["limit"].type == "int | None" and params["limit"].default is None


@pytest.mark.parametrize(
    ("name", "match"),
    [
        ("noparams.ipynb", "exactly one cell tagged 'parameters'; it has 0"),
        ("twoparams.ipynb", "exactly one cell tagged 'parameters'; it has 2"),
        ("logicparams.ipynb", r"may only hold annotated assignments.*b = a \+ 1"),
    ],
)
def test_bad_parameters_cells(fixtures_dir, name, match):
    with pytest.raises(ParameterError, match=match):
        read_parameters(fixtures_dir / name)


def test_missing_notebook(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        read_parameters(tmp_path / "nope.ipynb")


def _nb_with(tmp_path, source):
    nb = {
        "cells": [
            {
                "cell_type": "code",
                "metadata": {"tags": ["parameters"]},
                "source": source,
                "outputs": [],
                "execution_count": None,
            }
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 4,
    }
    p = tmp_path / "x.ipynb"
    p.write_text(json.dumps(nb))
    return p


@pytest.mark.parametrize(
    ("source", "match"),
    [
        ("a: int = 1.5", "annotated int but its default 1.5"),
        ("a: int", "has no default"),
        ("a: int = len('x')", "literal default"),
        ("a: set = {1}", "supported are"),
    ],
)
def test_bad_declarations(tmp_path, source, match):
    with pytest.raises(ParameterError, match=match):
        read_parameters(_nb_with(tmp_path, source))


P = {
    "n": Parameter("n", "int", 3, ""),
    "rate": Parameter("rate", "float", 0.5, ""),
    "label": Parameter("label", "str", "x", ""),
    "flag": Parameter("flag", "bool", False, ""),
    "names": Parameter("names", "list[str]", [], ""),
    "limit": Parameter("limit", "int | None", None, ""),
}


@pytest.mark.parametrize(
    ("param", "raw", "expected"),
    [
        ("n", "7", 7),
        ("rate", "2", 2.0),
        ("rate", "0.25", 0.25),
        ("label", "07", "07"),
        ("flag", "true", True),
        ("flag", "False", False),
        ("limit", "None", None),
        ("limit", "5", 5),
    ],
)
def test_cli_values_are_coerced_to_the_annotation(param, raw, expected):
    got = coerce_cli_value(P[param], raw, notebook="nb")
    assert got == expected and type(got) is type(expected)


@pytest.mark.parametrize(
    ("param", "raw", "match"),
    [
        ("n", "seven", r"'n' of nb \(-p\) must be of type int. Got 'seven'"),
        ("flag", "maybe", "must be of type bool"),
        ("names", "[a, b]", "cannot be given as a plain string.*-f params.yaml"),
    ],
)
def test_cli_values_of_wrong_type_are_refused(param, raw, match):
    with pytest.raises(ParameterError, match=match):
        coerce_cli_value(P[param], raw, notebook="nb")


def test_unknown_override_names_the_known_ones():
    with pytest.raises(
        ParameterError, match=r"nb has no parameter 'nn'.*Known parameters: flag, label"
    ):
        check_overrides(list(P.values()), {"nn": 1}, notebook="nb", source="-p")


@pytest.mark.parametrize(
    ("name", "value", "ok"),
    [
        ("n", True, False),
        ("n", 2.0, False),
        ("rate", 1, True),
        ("names", ["a"], True),
        ("names", [1], False),
        ("limit", None, True),
        ("label", None, False),
    ],
)
def test_override_types(name, value, ok):
    if ok:
        assert check_overrides(list(P.values()), {name: value}, notebook="nb", source="-f")
    else:
        with pytest.raises(ParameterError, match=f"Parameter '{name}' of nb"):
            check_overrides(list(P.values()), {name: value}, notebook="nb", source="-f")


def test_one_of_rule_names_the_allowed_values(tmp_path):
    nb = _nb_with(tmp_path, 'mode: str = "learner"  # who answers [one of: learner | solution]')
    (param,) = read_parameters(nb)
    assert param.help == "who answers" and param.rules == ("one of: learner | solution",)
    param.check_rules("solution", notebook="x.ipynb")
    with pytest.raises(
        ParameterError, match="'mode' of x.ipynb .* one of 'learner', 'solution'. Got 'teacher'"
    ):
        param.check_rules("teacher", notebook="x.ipynb")
    with pytest.raises(ParameterError, match="one of 'a', 'b'"):
        read_parameters(_nb_with(tmp_path, 'mode: str = "c"  # [one of: a | b]'))
