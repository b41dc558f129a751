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
            pd.DataFrame({"x": [1.0]}),
            pd.DataFrame({"x": [np.nan]}),
            ValueError,
            "must hold at least one non-missing value",
        ),
    ],
)
def test_drift_report_bad_tables(ref, cur, error, match):
    with pytest.raises(error, match=match):
        mon.drift_report(ref, cur)
