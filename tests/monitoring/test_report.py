"""Units of the drift report on the user's own tables (``mlkit/monitoring/_report.py``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlkit import monitoring as mon

FIX = "tests/fixtures/monitoring"


# ----------------------------------------------------------------------------- the user's tables


def test_drift_report_on_fixtures():
    ref, cur = mon.load_drift_csvs(f"{FIX}/reference.csv", f"{FIX}/current.csv")
    report = mon.drift_report(ref, cur)
    assert list(report.index) == ["duration_s", "rms_db", "spectral_centroid_hz", "condition"]
    assert report.loc["condition", "test"] == "chi2"
    assert report.loc["duration_s", "test"] == "ks"
    assert report["drift"].to_dict() == {
        "duration_s": False,
        "rms_db": True,
        "spectral_centroid_hz": True,
        "condition": True,
    }
    assert report.loc["spectral_centroid_hz", "psi_level"] == "significant"


def test_drift_report_columns_in_any_order():
    ref, cur = mon.load_drift_csvs(f"{FIX}/reference.csv", f"{FIX}/current.csv")
    a = mon.drift_report(ref, cur)
    b = mon.drift_report(ref, cur[cur.columns[::-1]])
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize(
    ("ref", "cur", "error", "match"),
    [
        ("missing.csv", "current.csv", FileNotFoundError, "'reference_csv' parameter points to"),
        ("reference.csv", "nope/current.csv", FileNotFoundError, "'current_csv' parameter"),
        ("reference.csv", "", ValueError, "'current_csv' parameter is empty. Set both"),
        ("reference.csv", "header_only.csv", ValueError, "has a header but no data rows"),
        (
            "reference.csv",
            "current_renamed_column.csv",
            ValueError,
            r"Only in reference_csv: \['rms_db'\]; only in current_csv: \['loudness_db'\]",
        ),
        (
            "reference.csv",
            "current_text_in_numeric.csv",
            TypeError,
            "'duration_s' is numeric in reference_csv but categorical in current_csv",
        ),
    ],
)
def test_load_drift_csvs_bad_input(ref, cur, error, match):
    ref_path = f"{FIX}/{ref}" if ref else ""
    cur_path = f"{FIX}/{cur}" if cur else ""
    with pytest.raises(error, match=match):
        mon.load_drift_csvs(ref_path, cur_path)


def test_load_drift_csvs_blank_file(tmp_path):
    blank = tmp_path / "blank.csv"
    blank.write_text("")
    with pytest.raises(ValueError, match="is empty. Give a CSV with a header row"):
        mon.load_drift_csvs(blank, f"{FIX}/current.csv")


@pytest.mark.parametrize(
    ("ref", "cur", "error", "match"),
    [
        (pd.DataFrame(), pd.DataFrame({"x": [1.0]}), ValueError, "'reference' table of drift"),
        (pd.DataFrame({"x": [1.0]}), pd.DataFrame({"x": []}), ValueError, "'current' table"),
        (pd.DataFrame({"x": [1.0]}), pd.DataFrame({"y": [1.0]}), ValueError, "same columns"),
        (pd.DataFrame({"x": [1.0]}), pd.DataFrame({"x": ["a"]}), TypeError, "same type"),
        ([1.0], pd.DataFrame({"x": [1.0]}), TypeError, "must be a pandas DataFrame"),
        (
            pd.DataFrame({"x": [1.0] * 20}),
            pd.DataFrame({"x": [np.nan] * 20}),
            ValueError,
            "must hold at least one non-missing value",
        ),
    ],
)
def test_drift_report_bad_tables(ref, cur, error, match):
    with pytest.raises(error, match=match):
        mon.drift_report(ref, cur)


# ---------------------------------------------------------------- issue 12.11: tables at the door


def _table(n=40, seed=0, **extra):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"x": rng.normal(size=n), "c": rng.choice(["a", "b"], size=n), **extra})


def test_date_and_identifier_columns_are_skipped_with_a_note():
    days_ref = [f"2026-01-{d:02d}" for d in range(1, 21)] * 2
    days_cur = [f"2026-03-{d:02d}" for d in range(1, 21)] * 2
    ref = _table(day=days_ref, user_id=range(40))
    cur = _table(seed=1, day=days_cur, user_id=range(100, 140))
    report = mon.drift_report(ref, cur)
    assert report.loc["day", "kind"] == "skipped" and not report.loc["day", "drift"]
    assert report.loc["day", "note"] == "not compared: date"
    assert report.loc["user_id", "note"] == "not compared: identifier"
    assert list(report.index) == ["x", "c", "day", "user_id"]


def test_non_utf8_csv_names_the_file_and_the_fix(tmp_path):
    ref = tmp_path / "ref.csv"
    _table().to_csv(ref, index=False)
    cur = tmp_path / "cur.csv"
    cur.write_bytes("x,c\n1.0,caf\xe9\n".encode("latin-1"))
    with pytest.raises(
        ValueError, match=r"'current_csv' file .*cur\.csv is not UTF-8 .*0xe9.*iconv"
    ):
        mon.load_drift_csvs(ref, cur)


def test_tiny_tables_are_refused_with_the_minimum():
    with pytest.raises(
        ValueError, match=r"at least 20 rows in each table; the current table has 3"
    ):
        mon.drift_report(_table(), _table(n=3, seed=1))


def test_infinite_values_are_refused_not_binned():
    from mlkit.monitoring import ks_test, psi

    with pytest.raises(ValueError, match=r"'current' parameter of psi holds 1 infinite value"):
        psi(np.arange(50.0), np.r_[np.arange(49.0), np.inf])
    with pytest.raises(ValueError, match=r"'reference' parameter of ks_test holds 2 infinite"):
        ks_test(np.r_[np.arange(48.0), -np.inf, np.inf], np.arange(50.0))


@pytest.mark.parametrize(
    ("reference", "current"),
    [([1.0] * 30, [2.0] * 30), ([0.0] * 95 + [1.0] * 5, [5.0] * 50)],
)
def test_a_complete_shift_never_scores_zero_with_tied_quantiles(reference, current):
    from mlkit.monitoring import js_distance, psi

    assert psi(reference, current) > 1.0
    assert js_distance(reference, current) > 0.5
    assert psi(reference, reference) == 0.0
