"""Schema validation for the production pipeline (mlkit.data._schema)."""

import numpy as np
import pandas as pd
import pytest

from mlkit import data
from tests.data._util import SR, clip


@pytest.mark.parametrize(
    ("clip", "rate", "check"),
    [
        (clip(), SR, ""),
        (clip(), 44100, "sample_rate"),
        (clip(), 16000, "sample_rate"),
        ((clip() * 32767).astype(np.int16), SR, "dtype"),
        (clip().astype(np.float64), SR, "dtype"),
        (np.where(np.arange(4000) == 7, np.nan, clip()).astype(np.float32), SR, "finite"),
        (clip(duration_s=0.02), SR, "duration"),
        (clip(duration_s=4.0), SR, "duration"),
        (np.zeros(4000, np.float32), SR, "silence"),
        (clip(amp=1e-4), SR, "silence"),
        (np.stack([clip(), clip()], axis=1), SR, "shape"),
        ("not audio", SR, "shape"),
    ],
)
def test_validate_clips_reasons(clip, rate, check):
    report = data.validate_clips(pd.DataFrame({"clip": [clip], "sample_rate_hz": [rate]}))
    assert report.loc[0, "check"] == check
    assert report.loc[0, "ok"] == (check == "")
    if check == "sample_rate":
        assert f"{rate} Hz, expected 8000 Hz" in report.loc[0, "reason"]


def test_validate_clips_bad_containers():
    with pytest.raises(ValueError, match="'clip' column"):
        data.validate_clips(pd.DataFrame({"audio": [clip()]}))
    with pytest.raises(ValueError, match="Wrap it in a list"):
        data.validate_clips(clip())
    assert data.validate_clips([]).empty


def test_clip_validator_in_pipeline_rejects_bad_rows_with_reasons():
    clips = [clip(duration_s=0.3 + 0.01 * i, amp=0.05 + 0.01 * (i % 4), seed=i) for i in range(40)]
    y = np.arange(40) % 2
    pipe = data.make_validated_pipeline()
    pipe.fit(clips, y)
    batch = data.inject_schema_errors(clips[:10], n_per_kind=2, random_state=0)
    assert len(batch) == 10 + 2 * 6
    y_pred = pipe.predict(batch)
    report = pipe.named_steps["validate"].report_
    assert len(y_pred) == int(report["ok"].sum()) == 10
    assert pipe.named_steps["validate"].n_rejected_ == 12
    caught = batch.loc[~report["ok"], "injected"].to_numpy()
    assert np.array_equal(caught, report.loc[~report["ok"], "check"].to_numpy())


def test_clip_validator_fit_refuses_bad_training_rows():
    clips = [clip(), np.zeros(4000, np.float32), clip().astype(np.float64)]
    with pytest.raises(ValueError, match=r"2 invalid training rows.*validate_clips"):
        data.ClipValidator().fit(clips)


def test_wrong_sample_rate_rejected_with_custom_schema():
    report = data.validate_clips(
        pd.DataFrame({"clip": [clip()], "sample_rate_hz": [8000]}), sample_rate_hz=16000
    )
    assert report.loc[0, "check"] == "sample_rate"


def test_empty_audio_folder_is_refused(tmp_path):
    from mlkit.datasets import load_speech

    with pytest.raises(ValueError, match="empty"):
        load_speech(str(tmp_path))


def test_inject_schema_errors_bad_input():
    with pytest.raises(ValueError, match="at least one clip"):
        data.inject_schema_errors([])


def test_rejection_table_counts_each_injected_kind():
    clips = [clip(seed=i) for i in range(5)]
    batch = data.inject_schema_errors(clips, n_per_kind=1, random_state=0)
    table = data.rejection_table(batch, data.validate_clips(batch))
    assert table.loc["(none)", "accepted"] == 5
    for kind in ("dtype", "finite", "silence", "shape", "sample_rate", "duration"):
        assert table.loc[kind, kind] == 1
    with pytest.raises(ValueError, match="same length"):
        data.rejection_table(batch, data.validate_clips(batch.iloc[:3]))
