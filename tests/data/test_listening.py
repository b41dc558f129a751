"""Measure your own HLP: choosing clips, scoring answers, the widget (mlkit.data._listening)."""

import numpy as np
import pandas as pd
import pytest

from mlkit import data
from mlkit.data._listening import BUTTON_DESCRIPTION
from tests.data._util import SR, clip, digits, tags_of


def test_choose_listening_clips_stratified_seeded_and_shuffled():
    tags = tags_of(400)
    pos = data.choose_listening_clips(tags, n_per_tag=20, random_state=3)
    assert pd.Series(tags[pos]).value_counts().tolist() == [20] * 4
    assert len(set(pos)) == pos.size
    assert np.array_equal(pos, data.choose_listening_clips(tags, n_per_tag=20, random_state=3))
    assert not np.array_equal(pos, data.choose_listening_clips(tags, n_per_tag=20, random_state=4))
    assert not all(tags[pos][:20] == tags[pos][0])  # blind order: not grouped by tag


def test_choose_listening_clips_small_tag_gives_all():
    pos = data.choose_listening_clips(["a"] * 3 + ["b"] * 30, n_per_tag=5)
    assert sorted(np.asarray(["a"] * 3 + ["b"] * 30)[pos].tolist()).count("a") == 3


def test_choose_listening_clips_bad_input():
    with pytest.raises(ValueError, match="'n_per_tag'"):
        data.choose_listening_clips(["a"], n_per_tag=0)
    with pytest.raises(ValueError, match="at least one clip"):
        data.choose_listening_clips([])


def test_parse_answers_and_error_names_the_clip():
    assert data.parse_answers(["0", "oh", "NINE", "", None]).tolist() == [0, 0, 9, -2, -2]
    with pytest.raises(ValueError, match="answer to clip 2 must be one digit"):
        data.parse_answers(["1", "12"])


def test_score_listening_per_tag_with_interval():
    y = [1, 2, 3, 4, 5, 6]
    answers = ["1", "2", "9", "4", "", "6"]
    t = data.score_listening(answers, y, tags=["clean"] * 3 + ["car_noise"] * 3)
    assert list(t.index) == ["clean", "car_noise", "overall"]
    assert t.loc["clean", "accuracy"] == pytest.approx(2 / 3)
    assert t.loc["car_noise", ["n_answered", "n_correct"]].tolist() == [2, 2]
    assert t.loc["overall", "ci_low"] < t.loc["overall", "accuracy"] <= t.loc["overall", "ci_high"]


def test_score_listening_nothing_answered_is_nan_not_zero():
    t = data.score_listening(["", ""], [1, 2], tags=["clean", "clean"])
    assert np.isnan(t.loc["clean", "accuracy"])


def test_score_listening_length_mismatch():
    with pytest.raises(ValueError, match="one answer per clip"):
        data.score_listening(["1"], [1, 2], tags=["clean", "clean"])


def _widget(n=12, seed=0):
    y = digits(n, seed)
    tags = tags_of(n, seed)
    clips = [clip(duration_s=0.1, seed=i) for i in range(n)]
    pos = data.choose_listening_clips(tags, n_per_tag=2, random_state=seed)
    snr = np.where(np.isin(tags, ["car_noise", "people_noise"]), 10.0, np.nan)
    hlp = data.estimate_hlp(y[pos], tags=tags[pos], snr_db=snr[pos])
    box = data.listening_test_widget(clips, pos, y_true=y, tags=tags, hlp=hlp, sample_rate_hz=SR)
    return box, y[pos]


def test_widget_scores_answers_fed_programmatically(monkeypatch):
    monkeypatch.setenv("MLKIT_HEADLESS", "1")  # no audio players outside a kernel
    box, y_listen = _widget()
    _, rows, button, result = box.children
    texts = [row.children[0] for row in rows.children]
    assert [t.description for t in texts] == [f"clip {k}" for k in range(1, len(texts) + 1)]
    assert button.description == BUTTON_DESCRIPTION
    for t, digit in zip(texts, y_listen, strict=True):
        t.value = str(digit)
    texts[0].value = str((y_listen[0] + 1) % 10)  # one wrong answer
    button.click()
    assert "your accuracy" in result.value and "simulated team" in result.value
    assert "overall" in result.value


def test_widget_reports_a_bad_answer(monkeypatch):
    monkeypatch.setenv("MLKIT_HEADLESS", "1")
    box, _ = _widget()
    _, rows, button, result = box.children
    rows.children[2].children[0].value = "seventeen"
    button.click()
    assert "clip 3" in result.value and "your accuracy" not in result.value


def test_show_listening_test_headless_shows_a_note(monkeypatch, capsys):
    monkeypatch.setenv("MLKIT_HEADLESS", "1")
    out = data.show_listening_test(
        [], [0, 1], y_true=[1, 2], tags=["clean"] * 2, hlp=None, sample_rate_hz=SR
    )
    assert out is None
