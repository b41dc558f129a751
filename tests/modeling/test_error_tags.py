"""The error sample's numbers and the error_tags.csv round trip.

Covers mlkit/modeling/_error_tags.py and the sample metrics of mlkit/modeling/_error_sample.py.
"""

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest

from mlkit import modeling as m

CONDITIONS = ["clean", "car_noise", "people_noise", "low_bandwidth"]


def _clips(n=40):
    """Return y, y_pred (every even clip wrong) and metadata of `n` clips."""
    meta = pd.DataFrame(
        {
            "clip_id": [f"c{i}" for i in range(n)],
            "speaker": ["s1", "s2"] * (n // 2),
            "condition": (CONDITIONS * n)[:n],
            "snr_db": [2.0, 10.0] * (n // 2),
            "duration_s": [0.5] * n,
        }
    )
    y = np.zeros(n, dtype=int)
    y_pred = y.copy()
    y_pred[::2] = 1
    return y, y_pred, meta


def _write(path, rows, header="clip_id,manual_tags,note"):
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


# -- the round trip ------------------------------------------------------------------------------


def test_widget_save_then_load_feeds_the_per_tag_table(tmp_path):
    y, p, meta = _clips()
    errors = m.sample_errors(y, p, meta, n_errors=100)
    box = m.error_tagging_widget(errors, path=tmp_path / "error_tags.csv")
    box.children[2].children[1].value = True  # row 0: cut_off
    box.children[0].value = 3  # row 3
    box.children[2].children[0].value = True  # mislabelled
    box.children[2].children[1].value = True  # cut_off
    box.children[3].click()  # save tags
    back = m.load_error_tags(tmp_path / "error_tags.csv", y, p, meta)
    assert back["clip_id"].tolist() == errors["clip_id"].tolist()
    assert back.loc[0, "manual_tags"] == "cut_off"
    assert back.loc[3, "manual_tags"] == "mislabelled,cut_off"
    assert back["index"].tolist() == errors["dev_index"].tolist()
    shares = m.error_tag_shares(back)
    assert shares.loc["cut_off", "n_errors"] == 2
    assert shares.loc["mislabelled", "n_errors"] == 1
    assert shares.loc["car_noise", "n_errors"] == 0  # even clips: clean / people_noise
    assert shares.loc["clean", "n_errors"] == shares.loc["people_noise", "n_errors"] == 10


def test_hand_edited_subset_is_the_sample_and_auto_columns_are_recomputed(tmp_path):
    y, p, meta = _clips()
    saved = m.save_error_tags(m.sample_errors(y, p, meta), tmp_path / "error_tags.csv")
    table = pd.read_csv(saved, keep_default_na=False)
    table = table.iloc[[4, 1]].copy()  # two rows kept, in another order
    table["manual_tags"] = [" unclear_speech , ,mumbling", ""]
    table["note"] = ["speaker swallows the end", ""]
    table["clean"] = True  # an automatic column edited by hand: ignored
    table.to_csv(saved, index=False)
    back = m.load_error_tags(saved, y, p, meta, known_tags=[*m.MANUAL_TAGS, "mumbling"])
    assert back["clip_id"].tolist() == ["c8", "c2"]
    assert back["manual_tags"].tolist() == ["unclear_speech,mumbling", ""]
    assert back["note"].tolist() == ["speaker swallows the end", ""]
    assert back["clean"].tolist() == [True, False]  # from metadata: c8 clean, c2 people_noise
    assert m.error_tag_shares(back).loc["mumbling", "share_of_errors"] == 0.5


def test_minimal_file_without_note_and_with_bom(tmp_path):
    y, p, meta = _clips()
    path = tmp_path / "t.csv"
    path.write_bytes("clip_id,manual_tags\nc0,cut_off\n".encode("utf-8-sig"))
    back = m.load_error_tags(path, y, p, meta)
    assert back.loc[0, "manual_tags"] == "cut_off" and back.loc[0, "note"] == ""


def test_load_does_not_change_its_inputs(tmp_path):
    y, p, meta = _clips()
    before = meta.copy()
    m.load_error_tags(_write(tmp_path / "t.csv", ["c0,cut_off,"]), y, p, meta)
    pd.testing.assert_frame_equal(meta, before)


# -- refusals: file, line, column ------------------------------------------------------------------


@pytest.mark.parametrize(
    "rows, match",
    [
        (
            ["nope,cut_off,"],
            r"(?s)t\.csv has 1 problem.*line 2, column 'clip_id': unknown clip id 'nope'",
        ),
        ([",cut_off,"], r"line 2, column 'clip_id': empty"),
        (
            ["c0,,", "c2,,", "c0,,"],
            r"line 4, column 'clip_id': clip 'c0' again \(first on line 2\)",
        ),
        (
            ["c1,,"],
            r"(?s)line 2, column 'clip_id': clip 'c1' is predicted correctly.*with the parameters",
        ),
        (["c0,cutoff,"], r"line 2, column 'manual_tags': unknown tag\(s\) \['cutoff'\]"),
        (["c0,cut_off,", "c2,mislabeled,x"], r"line 3, column 'manual_tags'.*'mislabeled'"),
        (
            ["c0,Cut_Off,"],
            r"Known manual tags: \['mislabelled', 'cut_off', 'unclear_speech'\]; fix",
        ),
    ],
)
def test_bad_rows_are_named_by_file_line_and_column(tmp_path, rows, match):
    y, p, meta = _clips()
    with pytest.raises(ValueError, match=match):
        m.load_error_tags(_write(tmp_path / "t.csv", rows), y, p, meta)


def test_a_quoted_multiline_note_keeps_line_numbers_true(tmp_path):
    y, p, meta = _clips()
    path = _write(tmp_path / "t.csv", ['c0,cut_off,"two', 'lines"', "c2,typo,"])
    with pytest.raises(ValueError, match=r"line 4, column 'manual_tags'"):
        m.load_error_tags(path, y, p, meta)


def test_every_problem_is_counted_and_ten_are_shown(tmp_path):
    y, p, meta = _clips()
    path = _write(tmp_path / "t.csv", [f"x{i},," for i in range(12)])
    with pytest.raises(ValueError, match=r"12 problem row\(s\)(.|\n)*and 2 more") as info:
        m.load_error_tags(path, y, p, meta)
    assert "'x9'" in str(info.value) and "'x10'" not in str(info.value)


@pytest.mark.parametrize(
    "text, match",
    [
        ("clip_id,tags\nc0,cut_off\n", r"t\.csv needs the columns.*Missing \['manual_tags'\]"),
        ("manual_tags\ncut_off\n", r"Missing \['clip_id'\]"),
        ("clip_id,manual_tags\n", r"t\.csv has a header but no rows"),
        ("", r"Missing \['clip_id', 'manual_tags'\]"),
    ],
)
def test_bad_files_are_named(tmp_path, text, match):
    y, p, meta = _clips()
    path = tmp_path / "t.csv"
    path.write_text(text)
    with pytest.raises(ValueError, match=match):
        m.load_error_tags(path, y, p, meta)


def test_missing_file_and_bad_arguments(tmp_path):
    y, p, meta = _clips()
    with pytest.raises(FileNotFoundError, match=r"Error tag file .*absent\.csv does not exist"):
        m.load_error_tags(tmp_path / "absent.csv", y, p, meta)
    path = _write(tmp_path / "t.csv", ["c0,,"])
    with pytest.raises(TypeError, match="not one str"):
        m.load_error_tags(path, y, p, meta, known_tags="cut_off,mumbling")
    with pytest.raises(ValueError, match="lower-case letters"):
        m.load_error_tags(path, y, p, meta, known_tags=["Cut off"])
    with pytest.raises(ValueError, match="'clip_id' column"):
        m.load_error_tags(path, y, p, meta.drop(columns="clip_id"))
    with pytest.raises(ValueError, match="same length"):
        m.load_error_tags(path, y, p, meta.iloc[:10])


# -- the per-tag table's intervals ---------------------------------------------------------------


def test_tag_shares_carry_wilson_intervals():
    y, p, meta = _clips()
    errors = m.sample_errors(y, p, meta)
    shares = m.error_tag_shares(errors)
    ci = binomtest(10, 20).proportion_ci(method="wilson")
    assert shares.loc["clean", "ci_low"] == pytest.approx(ci.low)
    assert shares.loc["clean", "ci_high"] == pytest.approx(ci.high)
    assert (shares["ci_low"] <= shares["share_of_errors"]).all()
    assert (shares["share_of_errors"] <= shares["ci_high"]).all()


# -- the error sample's numbers and sentence -------------------------------------------------------


def _pool(n_errors, y, p, meta):
    return m.pool_errors(
        None,
        np.zeros((len(y), 1)),
        y,
        meta,
        sets={},
        cv_set=np.arange(len(y)),
        cv_pred=p,
        groups=meta["speaker"],
        n_errors=n_errors,
    )


def test_error_sample_metrics_read_the_pool():
    y, p, meta = _clips()  # 20 errors: 10 clean, 10 people_noise
    p = p.copy()
    p[[3, 7, 11]] = 1  # 3 more, low_bandwidth
    errors, available = _pool(100, y, p, meta)
    s = m.error_sample_metrics(errors, available, n_dev_errors=4, n_errors=100, tags=CONDITIONS)
    assert s["error_pool_dev_errors"] == 4
    assert s["error_pool_available"] == 23 and s["error_sample_size"] == 23
    assert s["error_sample_target"] == 100
    assert s["error_sample_top_tag"] == "clean"  # tie with people_noise: first listed wins
    assert s["error_sample_top_share"] == round(10 / 23, 4)
    low, high = binomtest(10, 23).proportion_ci(method="wilson")
    assert s["error_sample_top_share_ci_low"] == round(low, 4)
    assert s["error_sample_top_share_ci_high"] == round(high, 4)
    reordered = m.error_sample_metrics(
        errors, available, n_dev_errors=4, n_errors=100, tags=CONDITIONS[::-1]
    )
    assert reordered["error_sample_top_tag"] == "people_noise"


def test_error_sample_metrics_refuses_bad_input():
    y, p, meta = _clips()
    errors, available = _pool(5, y, p, meta)
    kw = dict(n_dev_errors=1, n_errors=5)
    with pytest.raises(ValueError, match=r"\['mumbling'\] are not in the table"):
        m.error_sample_metrics(errors, available, tags=["mumbling"], **kw)
    with pytest.raises(ValueError, match="'total' row"):
        m.error_sample_metrics(errors, available.drop(index="total"), tags=CONDITIONS, **kw)
    with pytest.raises(ValueError, match="'n_dev_errors' parameter"):
        m.error_sample_metrics(errors, available, tags=CONDITIONS, n_dev_errors=-1, n_errors=5)
    with pytest.raises(ValueError, match="empty table"):
        m.error_sample_metrics(errors.iloc[:0], available, tags=CONDITIONS, **kw)


def _sample(dev, pool, size, target, top="people_noise"):
    return dict(
        error_pool_dev_errors=dev,
        error_pool_available=pool,
        error_sample_size=size,
        error_sample_target=target,
        error_sample_top_tag=top,
        error_sample_top_share=0.61,
        error_sample_top_share_ci_low=0.512,
        error_sample_top_share_ci_high=0.7,
    )


@pytest.mark.parametrize(
    "sample, says, never",
    [
        (
            _sample(30, 138, 100, 100),
            "The dev set alone holds **30** errors of the current model, fewer than the 100 asked "
            "for; the out-of-fold predictions of every clip hold **138**",
            ["enough", "Even the"],
        ),
        (
            _sample(120, 300, 100, 100),
            "The dev set alone holds **120** errors, enough for the 100 asked for",
            ["fewer than", "Even the"],
        ),
        (
            _sample(10, 40, 40, 100),
            "Even the out-of-fold predictions of every clip hold only **40** errors, fewer than "
            "the 100 asked for, so all 40 are in the sample",
            ["reaches", "enough"],
        ),
    ],
)
def test_describe_error_sample_says_where_the_errors_come_from(sample, says, never):
    text = m.describe_error_sample(sample, top_priority_tag="people_noise")
    assert says in text
    assert not any(n in text for n in never)


def test_describe_error_sample_says_whether_listening_agrees_with_the_table():
    same = m.describe_error_sample(_sample(30, 138, 100, 100), top_priority_tag="people_noise")
    assert (
        "The tag the sampled errors carry most often is **people_noise** (61 % of them, 95 % interval 51 % to 70 %)"
        in same
    )
    assert "the tag the table above ranks first" in same and "but" not in same
    other = m.describe_error_sample(
        _sample(30, 138, 100, 100, top="clean"), top_priority_tag="people_noise"
    )
    assert "The tag the sampled errors carry most often is **clean** (61 %" in other
    assert "but the table above ranks **people_noise** first" in other
    assert "ranks first, so listening starts" not in other
