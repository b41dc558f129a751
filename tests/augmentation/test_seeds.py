import numpy as np
import pandas as pd
import pytest

from mlkit import augmentation as aug


@pytest.fixture(scope="module")
def toy():
    """4 speakers x 40 clips, 4 classes; 'noisy' clips have 100 of 144 features drowned."""
    rng = np.random.default_rng(0)
    n = 160
    y = np.tile(np.arange(4), n // 4)
    speakers = np.repeat(["a", "b", "c", "d"], n // 4)
    tags = np.where((np.arange(n) // 4) % 5 == 0, "noisy", "clean")
    X = 0.15 * rng.normal(size=(4, 144))[y] + rng.normal(size=(n, 144)) * 0.5

    def drown(Z, cols):
        Z = Z.copy()
        Z[:, cols] = rng.normal(size=(len(Z), len(cols))) * 3
        return Z

    X[tags == "noisy"] = drown(X[tags == "noisy"], np.arange(100))
    clean = np.flatnonzero(tags == "clean")
    source, copy = np.tile(clean, 2), np.repeat([0, 1], clean.size)
    augmented = {
        "targeted": (drown(X[source], np.arange(100)), y[source], source, copy),  # as production
        "unrealistic": (drown(X[source], np.arange(44, 144)), y[source], source, copy),
    }
    return X, y, tags, speakers, augmented


def test_pick_augmented_keeps_training_sources_and_rotates_copies():
    source = np.array([0, 1, 2, 0, 1, 2])
    copy = np.array([0, 0, 0, 1, 1, 1])
    assert aug.pick_augmented(source, copy, train=[0, 2], k=1).tolist() == [0, 2]
    assert aug.pick_augmented(source, copy, train=[0, 2], k=1, rotation=1).tolist() == [3, 5]
    assert aug.pick_augmented(source, copy, train=[0, 2], k=2).tolist() == [0, 2, 3, 5]
    with pytest.raises(ValueError, match="'k' parameter of pick_augmented"):
        aug.pick_augmented(source, copy, train=[0], k=3)


def test_source_positions_maps_clip_ids_and_refuses_strangers():
    meta = pd.DataFrame({"clip_id": ["x", "y"]})
    assert aug.source_positions(meta, pd.DataFrame({"augmented_from": ["y", "x"]})).tolist() == [
        1,
        0,
    ]
    with pytest.raises(ValueError, match="come from clips not in 'metadata'.*'z'"):
        aug.source_positions(meta, pd.DataFrame({"augmented_from": ["z"]}))


def test_gains_over_seeds_sees_the_targeted_gain_and_repeat_0_is_the_split(toy):
    X, y, tags, speakers, augmented = toy
    per = aug.gains_over_seeds(
        X, y, tags, speakers, augmented=augmented, target_tag="noisy", n_seeds=3, random_state=0
    )
    assert per["seed"].tolist() == [0, 1, 2]
    assert {"targeted_gain", "unrealistic_gain", "targeted_minus_unrealistic"} <= set(per)
    # copies drowned where production is drowned beat copies drowned elsewhere
    assert (per["targeted_minus_unrealistic"] > 0).all()
    np.testing.assert_allclose(
        per["targeted_minus_unrealistic"], per["targeted_gain"] - per["unrealistic_gain"]
    )
    from mlkit.datasets import speaker_split

    parts = speaker_split(speakers, random_state=0)
    train = np.sort(np.concatenate([parts["train"], parts["seen"]]))
    table = aug.compare_on_split(
        X, y, tags, train=train, dev=parts["unseen"], augmented=augmented, random_state=0
    )
    first = table.loc["noisy", "targeted"] - table.loc["noisy", "baseline"]
    assert per.loc[0, "targeted_gain"] == pytest.approx(first)
    with pytest.raises(ValueError, match="'n_seeds' parameter of gains_over_seeds"):
        aug.gains_over_seeds(X, y, tags, speakers, augmented=augmented, target_tag="noisy",
                             n_seeds=1)  # fmt: skip


def test_curves_over_seeds_one_block_per_seed(toy):
    X, y, tags, speakers, augmented = toy
    curves = aug.curves_over_seeds(
        X, y, tags, speakers, augmented=augmented["targeted"], target_tag="noisy",
        factors=(0, 2), n_seeds=2, random_state=5,
    )  # fmt: skip
    assert curves.columns[0] == "seed" and sorted(curves["seed"].unique()) == [5, 6]
    assert len(curves) == 2 * 2 * 2  # seeds x sizes x factors
    gains = aug.curve_gains_over_seeds(curves)
    assert list(gains.index) == [5, 6]
    np.testing.assert_allclose(
        gains["curve_gain_large_minus_small"], gains["curve_gain_large"] - gains["curve_gain_small"]
    )
    with pytest.raises(ValueError, match="asks for 4 copies per clip, but only 2 were made"):
        aug.curves_over_seeds(X, y, tags, speakers, augmented=augmented["targeted"],
                              target_tag="noisy", factors=(0, 4))  # fmt: skip


def test_summarise_over_seeds_is_a_t_interval():
    from scipy import stats

    v = np.array([0.1, 0.3, 0.2, 0.0, 0.15])
    s = aug.summarise_over_seeds(pd.DataFrame({"seed": range(5), "gain": v}))
    lo, hi = stats.t.interval(0.95, 4, loc=v.mean(), scale=stats.sem(v))
    assert s.loc["gain", "ci_low"] == pytest.approx(lo) and s.loc[
        "gain", "ci_high"
    ] == pytest.approx(hi)
    assert s.loc["gain", "n_positive"] == 4 and s.loc["gain", "n_negative"] == 0
    with pytest.raises(ValueError, match="at least 2 repeats of 'gain'"):
        aug.summarise_over_seeds(pd.DataFrame({"gain": [0.1, np.nan]}))
    with pytest.raises(ValueError, match="'confidence' parameter of summarise_over_seeds"):
        aug.summarise_over_seeds(pd.DataFrame({"gain": v}), confidence=1.5)


def _summary(rows):
    index = [r[0] for r in rows]
    cols = ["n_seeds", "mean", "ci_low", "ci_high", "n_positive", "n_negative"]
    return pd.DataFrame([dict(zip(cols, r[1:], strict=True)) for r in rows], index=index)


@pytest.mark.parametrize(
    ("diff", "expected"),
    [
        ((5, 0.1, 0.05, 0.15, 5, 0), "targeted augmentation beat unrealistic augmentation"),
        ((5, -0.1, -0.15, -0.05, 0, 5), "unrealistic augmentation beat targeted augmentation"),
        ((5, 0.05, -0.02, 0.12, 4, 1), "cannot tell the two apart"),
    ],
)
def test_describe_gains_over_seeds_reads_the_interval_of_the_difference(diff, expected):
    s = _summary([
        ("targeted_gain", 5, 0.1, 0.02, 0.18, 5, 0),
        ("unrealistic_gain", 5, 0.0, -0.05, 0.05, 2, 2),
        ("targeted_minus_unrealistic", *diff),
    ])  # fmt: skip
    text = aug.describe_gains_over_seeds(s, target_tag="noisy")
    assert expected in text
    more = "more" if diff[1] > 0 else "less"
    assert f"targeted copies raised *noisy* {more} than unrealistic copies did" in text
    clear = diff[2] > 0 or diff[3] < 0
    assert ("beyond what the split moves" in text) == clear
    assert ("a difference is **not shown**" in text) == (not clear)
    assert "the interval says whether" not in text
    assert "+0.100 (95 % interval +0.020 to +0.180; above 0 in 5 of 5 splits): above 0" in text


@pytest.mark.parametrize(
    ("small", "large", "diff", "expected"),
    [
        ((-0.03, -0.05, -0.01), (0.03, 0.01, 0.05), (0.06, 0.02, 0.1), "shows here in full"),
        ((0.03, 0.01, 0.05), (0.03, 0.01, 0.05), (0.0, -0.03, 0.03), "shows only in part"),
        ((0.05, 0.02, 0.08), (-0.02, -0.05, 0.01), (-0.07, -0.1, -0.04), "is **not shown here**"),
        ((-0.04, -0.09, 0.02), (0.02, -0.03, 0.07), (0.06, -0.03, 0.15), "is **not shown here**"),
    ],
)
def test_describe_size_vs_data_verdicts(small, large, diff, expected):
    s = _summary([
        ("curve_gain_small", 5, *small, 3, 2),
        ("curve_gain_large", 5, *large, 3, 2),
        ("curve_gain_large_minus_small", 5, *diff, 3, 2),
    ])  # fmt: skip
    text = aug.describe_size_vs_data(s)
    assert expected in text
    more = "gained more" if diff[0] > 0 else "gained less" if diff[0] < 0 else "gained as much"
    assert f"On average the large model {more} from the augmented copies" in text
    # a part "shows" only when its interval is clearly on the claimed side of 0
    small_part = text.split("*it can fail to help the small one*: ")[1]
    if small[2] < 0:
        assert small_part.startswith("**shows** (the small model lost accuracy")
    elif small[1] > 0:
        assert small_part.startswith("**contradicted** (it gained")
    else:
        assert small_part.startswith("**not shown** (interval includes 0")
    large_part = text.split("*more data helps the large model*: ")[1]
    assert large_part.startswith("**shows**" if large[1] > 0 else "**not shown**")
    assert "reaches 0 or below" not in text and "within what the split moves" not in text


def test_describe_one_split_reads_the_table_and_points_to_the_repeats():
    c = pd.DataFrame(
        {
            "baseline": [0.9, 0.5, 0.8],
            "targeted": [0.85, 0.6, 0.78],
            "unrealistic": [0.9, 0.45, 0.8],
        },
        index=["clean", "noisy", "overall"],
    )
    text = aug.describe_one_split(c, target_tag="noisy")
    assert "**targeted** copies on this one split: *noisy* 0.500 → 0.600 (raised)" in text
    assert "overall 0.800 → 0.780 (lowered); lowered *clean* 0.900 → 0.850." in text
    assert "*noisy* 0.500 → 0.450 (lowered), overall 0.800 → 0.800 (unchanged)." in text
    assert "repeats over speaker splits below" in text


@pytest.mark.parametrize("clear", [True, False])
def test_describe_takeaways_follow_the_intervals(clear):
    lo = 0.01 if clear else -0.02
    g = _summary([
        ("targeted_gain", 5, 0.05, lo, 0.1, 4, 1),
        ("unrealistic_gain", 5, -0.05, -0.1, -lo, 1, 4),
        ("targeted_minus_unrealistic", 5, 0.1, lo, 0.2, 4, 1),
    ])  # fmt: skip
    z = _summary([
        ("curve_gain_small", 5, -0.03, -0.06, -lo, 1, 4),
        ("curve_gain_large", 5, 0.03, lo, 0.06, 4, 1),
    ])  # fmt: skip
    text = aug.describe_takeaways(g, z, target_tag="noisy")
    if clear:
        assert "toward *noisy*, the tag error analysis ranked first, **raised**" in text
        assert "copies **lowered** *noisy* beyond the split" in text
        assert "targeted copies **beat** unrealistic ones beyond the split" in text
        assert "large model: **raised** overall" in text
        assert "small model: **lowered** overall" in text
    else:
        assert "is **not shown** to change its dev accuracy on this run" in text
        assert "are not shown to change *noisy*" in text
        assert "**cannot tell them apart**" in text
        assert text.count("**not shown** to change overall accuracy") == 2


@pytest.mark.parametrize(
    ("diff", "says"),
    [
        ((0.1, 0.04, 0.16), "targeted copies **beat** unrealistic ones beyond the split "
         "(targeted minus stadium noise +0.100 on average, interval +0.040 to +0.160): in "
         "speech, on this corpus, realism **paid**."),
        ((0.036, -0.072, 0.143), "these splits **cannot tell them apart** (targeted minus "
         "stadium noise +0.036 on average, interval -0.072 to +0.143): in speech, on this "
         "corpus, realism is **not shown** to pay."),
        ((-0.1, -0.16, -0.04), "unrealistic copies **beat** targeted ones beyond the split "
         "(targeted minus stadium noise -0.100 on average, interval -0.160 to -0.040): in "
         "speech, on this corpus, realism **did not pay**."),
    ],
)  # fmt: skip
def test_describe_takeaways_says_realism_is_about_the_speech_track(diff, says):
    g = _summary([
        ("targeted_gain", 5, 0.05, -0.02, 0.1, 4, 1),
        ("unrealistic_gain", 5, 0.03, 0.01, 0.06, 5, 0),
        ("targeted_minus_unrealistic", 5, *diff, 3, 2),
    ])  # fmt: skip
    z = _summary([
        ("curve_gain_small", 5, -0.03, -0.06, 0.02, 1, 4),
        ("curve_gain_large", 5, 0.03, -0.01, 0.06, 4, 1),
    ])  # fmt: skip
    text = aug.describe_takeaways(g, z, target_tag="noisy")
    assert "- **Speech** (section 5), targeted vs unrealistic: " + says in text
    assert "realism is not shown to pay here" not in text  # issue: read as covering images too
    assert "**Images**" not in text  # no image bullet without image_summary


def test_describe_takeaways_ends_with_the_image_track():
    g = _summary([
        ("targeted_gain", 5, 0.05, -0.02, 0.1, 4, 1),
        ("unrealistic_gain", 5, 0.03, 0.01, 0.06, 5, 0),
        ("targeted_minus_unrealistic", 5, 0.03, -0.07, 0.14, 3, 2),
    ])  # fmt: skip
    z = _summary([
        ("curve_gain_small", 5, -0.03, -0.06, 0.02, 1, 4),
        ("curve_gain_large", 5, 0.03, -0.01, 0.06, 4, 1),
    ])  # fmt: skip
    rows = {
        "image_clean_accuracy": (0.99, 0.98, 1.0),
        "image_new_scanner_accuracy": (0.7, 0.67, 0.73),
        "image_scanner_drop": (0.29, 0.26, 0.32),
        "image_targeted_gain": (0.28, 0.25, 0.31),
        "image_unrealistic_gain": (-0.11, -0.14, -0.07),
        "image_targeted_minus_unrealistic": (0.39, 0.36, 0.41),
    }
    im = pd.DataFrame(rows, index=["mean", "ci_low", "ci_high"]).T
    text = aug.describe_takeaways(g, z, target_tag="noisy", image_summary=im)
    lines = text.splitlines()
    assert len(lines) == 6
    assert lines[-1] == aug.describe_image_takeaway(im)
    assert "realism is **not shown** to pay." in lines[2]
    assert "in images, realism **paid**" in lines[-1]


def test_seed_metrics_names():
    s = _summary([("targeted_gain", 5, 0.12345, 0.0, 0.2, 5, 0)])
    assert aug.seed_metrics(s) == {
        "targeted_gain_mean": 0.1235, "targeted_gain_ci_low": 0.0, "targeted_gain_ci_high": 0.2,
    }  # fmt: skip


def test_describe_split_diversity_names_repeated_speaker_splits():
    # issue 12.9: with 2 speakers, 5 "speaker splits" hold out the same speakers again
    note = aug.describe_split_diversity(["jackson", "theo"] * 20, n_seeds=5)
    assert note.startswith("Only 2 speakers: the 5 splits hold out 2 distinct speaker sets")
    many = [f"s{i}" for i in range(40)] * 2
    assert aug.describe_split_diversity(many, n_seeds=3) == ""
    with pytest.raises(ValueError, match="n_seeds"):
        aug.describe_split_diversity(many, n_seeds=1)
