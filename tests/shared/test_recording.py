import math

import numpy as np
import pytest

from mlkit import recording


@pytest.fixture(autouse=True)
def _fresh(monkeypatch):
    monkeypatch.setattr(recording, "_recorded", {})


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.5, 0.5),
        (np.float32(0.25), 0.25),
        (np.int64(3), 3),
        (np.bool_(True), True),
        ("x", "x"),
        ({"a": np.float64(1.5), "b": "y"}, {"a": 1.5, "b": "y"}),
    ],
)
def test_values_become_json(value, expected, monkeypatch):
    assert recording.record("m", value) is None
    got = recording._recorded["m"]
    assert got == expected and type(got) is type(expected)


@pytest.mark.parametrize(
    ("name", "value", "exc", "match"),
    [
        ("m", math.nan, ValueError, "must be a finite number"),
        ("m", np.array([1, 2]), TypeError, "Got array"),
        ("m", [1, 2], TypeError, "must be a number, string, boolean or a small dict"),
        ("m", {i: 1 for i in range(3)}, TypeError, "non-string key"),
        ("m", {str(i): 1 for i in range(51)}, ValueError, "at most 50"),
        ("1bad", 1, ValueError, "must be an identifier"),
    ],
)
def test_bad_values(name, value, exc, match):
    with pytest.raises(exc, match=match):
        recording.record(name, value)


def test_duplicate_is_an_error_headless_and_a_replacement_interactively(monkeypatch):
    monkeypatch.setenv("MLKIT_HEADLESS", "1")
    recording.record("m", 1)
    with pytest.raises(ValueError, match="already recorded"):
        recording.record("m", 2)
    monkeypatch.delenv("MLKIT_HEADLESS")
    recording.record("m", 3)
    assert recording._recorded["m"] == 3
