import numpy as np
import pandas as pd
import pytest

from mlkit import augmentation as aug


@pytest.fixture(scope="module")
def digits():
    return aug.load_scanned_digits()


@pytest.fixture(scope="module")
def small(digits):
    """300 pages, their new-scanner versions and one copy of each augmentation per page."""
    images, y = digits[0][:300], digits[1][:300]
    scanned = aug.simulate_new_scanner(images, random_state=0)
    copies = {
        role: aug.augment_images(images, name, augment_factor=1, random_state=0)
        for role, name in aug.IMAGE_ROLES.items()
    }
    return images, y, scanned, copies


def test_load_scanned_digits_is_white_paper_black_ink(digits):
    images, y = digits
    assert images.shape == (1797, 8, 8) and images.dtype == np.float32
    assert np.bincount(y).tolist()[:2] == [178, 182]
    # the corners are paper on almost every page, the centre column is ink on many
    assert np.median(images[:, 0, 0]) == 1.0 and images.min() == 0.0


def test_new_scanner_greys_the_paper_within_the_stated_scenario(digits):
    images = digits[0]
    scanned = aug.simulate_new_scanner(images, random_state=0)
    white = scanned.reshape(len(scanned), -1).max(axis=1)  # each page's paper white
    lo_a, hi_a = aug.NEW_SCANNER["contrast"]
    lo_b, hi_b = aug.NEW_SCANNER["brightness"]
    assert lo_a + lo_b - 1e-6 <= white.min() < 0.35 and 0.75 < white.max() <= hi_a + hi_b + 1e-6
    assert scanned.min() == 0.0  # ink stays black
    assert np.all(scanned <= images + 1e-6)  # darker, never lighter
    np.testing.assert_array_equal(scanned, aug.simulate_new_scanner(images, random_state=0))
    assert not np.array_equal(scanned, aug.simulate_new_scanner(images, random_state=1))


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"contrast": (0.8, 0.5)}, ValueError, "low <= high"),
        ({"brightness": (-2.0, 0.0)}, ValueError, "'brightness' parameter of simulate_new"),
        ({"contrast": (0.0, 0.5)}, ValueError, "'contrast' parameter of simulate_new"),
        ({"random_state": "x"}, TypeError, "'random_state' parameter must be"),
    ],
)
def test_simulate_new_scanner_refuses_bad_ranges(kwargs, error, match):
    with pytest.raises(error, match=match):
        aug.simulate_new_scanner(np.ones((2, 8, 8)), **kwargs)


def test_simulate_new_scanner_refuses_flat_input():
    with pytest.raises(ValueError, match=r"shape \(n_images, height, width\).*Got shape \(64,\)"):
        aug.simulate_new_scanner(np.ones(64))


def test_brightness_contrast_copies_cover_the_scanners_range(digits):
    """Realism, measured: the copies' paper-white levels reach from the scanner's to the old."""
    images = digits[0][:400]
    copies, source = aug.augment_images(images, "brightness_contrast", augment_factor=2)
    white = copies.reshape(len(copies), -1).max(axis=1)
    assert source.tolist()[:4] == [0, 0, 1, 1]
    assert white.min() < 0.35 and white.max() > 0.95
    assert copies.min() >= 0.0 and copies.max() <= 1.0


def test_augment_images_is_seeded_and_flip_mirrors(digits):
    images = digits[0][:20]
    a, _ = aug.augment_images(images, "brightness_contrast", random_state=3)
    b, _ = aug.augment_images(images, "brightness_contrast", random_state=3)
    c, _ = aug.augment_images(images, "brightness_contrast", random_state=4)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    flipped, source = aug.augment_images(images, "vertical_flip", augment_factor=1)
    np.testing.assert_array_equal(flipped, images[:, ::-1, :])
    assert source.tolist() == list(range(20))


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        (("rotate",), {}, "'name' parameter of make_image_pipeline must be one of"),
        (("vertical_flip",), {"augment_factor": 0}, "'augment_factor' parameter of augment_images"),
    ],
)
def test_augment_images_refuses_bad_options(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        aug.augment_images(np.ones((2, 8, 8)), *args, **kwargs)


def test_image_gains_over_seeds_direction(small):
    images, y, scanned, copies = small
    out = aug.image_gains_over_seeds(images, y, scanned, augmented=copies, n_seeds=2)
    assert out["seed"].tolist() == [0, 1] and out["n_test"].tolist() == [90, 90]
    assert set(aug.IMAGE_COLUMNS) <= set(out.columns)
    # even on 300 pages the new scanner hurts and the matched copies win accuracy back
    assert (out["image_scanner_drop"] > 0.1).all()
    assert (out["image_targeted_gain"] > 0.1).all()
    assert (out["image_targeted_minus_unrealistic"] > 0).all()
    np.testing.assert_allclose(
        out["image_targeted_gain"],
        out["image_targeted_accuracy"] - out["image_new_scanner_accuracy"],
    )


def test_image_gains_uses_only_copies_of_training_pages(small, monkeypatch):
    from mlkit.augmentation import _images

    images, y, scanned, copies = small
    sizes, fit_predict = [], _images._fit_predict
    monkeypatch.setattr(
        _images, "_fit_predict", lambda X, *a: sizes.append(len(X)) or fit_predict(X, *a)
    )
    aug.image_gains_over_seeds(images, y, scanned, augmented=copies, n_seeds=2)
    # 210 training pages; one copy each of those pages only (300 copies exist)
    assert sizes == [210, 420, 420] * 2


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"augmented": {"targeted": None}}, r"keys \['targeted', 'unrealistic'\]"),
        ({"y": np.zeros(3)}, "must describe the same images"),
        ({"n_seeds": 1}, "'n_seeds' parameter of image_gains_over_seeds"),
        ({"test_size": 1.0}, "'test_size' parameter of image_gains_over_seeds"),
    ],
)
def test_image_gains_over_seeds_refuses(small, change, match):
    images, y, scanned, copies = small
    kwargs = {"y": y, "augmented": copies} | change
    with pytest.raises(ValueError, match=match):
        aug.image_gains_over_seeds(images, new_scanner_images=scanned, **kwargs)


def _summary(drop, targeted, unrealistic, diff):
    """Rows of IMAGE_COLUMNS from (mean, low, high) triples."""
    rows = {
        "image_clean_accuracy": (0.99, 0.98, 1.0),
        "image_new_scanner_accuracy": (0.99 - drop[0], 0.9 - drop[0], 1.0 - drop[0]),
        "image_scanner_drop": drop,
        "image_targeted_gain": targeted,
        "image_unrealistic_gain": unrealistic,
        "image_targeted_minus_unrealistic": diff,
    }
    s = pd.DataFrame(rows, index=["mean", "ci_low", "ci_high"]).T
    s["n_seeds"], s["n_positive"] = 5, 3
    return s


HURTS = (0.3, 0.25, 0.35)
NONE = (0.0, -0.02, 0.02)
UP = (0.28, 0.25, 0.31)
DOWN = (-0.1, -0.14, -0.07)


@pytest.mark.parametrize(
    ("rows", "says", "never"),
    [
        ((HURTS, UP, DOWN, (0.38, 0.3, 0.4)),
         ["the new scanner **hurts** the model", "win back most of what the new scanner cost "
          "(93% of the drop)", "it by -0.100", ": below 0.", "the realistic copies helped more"],
         ["only part", "cannot tell"]),
        ((HURTS, (0.1, 0.05, 0.15), UP, (-0.18, -0.2, -0.1)),
         ["win back only part of what the new scanner cost (33% of the drop)",
          "the unrealistic copies helped more"],
         ["the realistic copies helped more", "most"]),
        ((NONE, NONE, NONE, NONE),
         ["went from 0.990", "**not distinguishable from 0** on these splits",
          "accuracy by +0.000", "cannot tell the two apart"],
         ["hurts", "fell from", "win back"]),
        (((-0.1, -0.15, -0.05), UP, NONE, UP),
         ["went from", "scored **higher**"], ["hurts", "win back"]),
    ],
)  # fmt: skip
def test_describe_image_augmentation_wordings(rows, says, never):
    text = aug.describe_image_augmentation(_summary(*rows))
    for phrase in says:
        assert phrase in text
    for phrase in never:
        assert phrase not in text


@pytest.mark.parametrize(
    ("rows", "says", "never"),
    [
        # this run's shape: copies recover most of the drop, flips hurt, realism pays
        ((HURTS, UP, DOWN, (0.38, 0.3, 0.4)),
         ["- **Images** (section 7; the new scanner is simulated, in the same brightness/contrast "
          "family as the copies): ",
          "brightness/contrast copies **raised** new-scanner accuracy (+0.280, interval +0.250 to "
          "+0.310), winning back most of the scanner's 0.300 drop (93%)",
          "vertical-flip copies **lowered** it (-0.100, interval -0.140 to -0.070)",
          "realistic minus unrealistic +0.380 (interval +0.300 to +0.400): in images, realism "
          "**paid** beyond what the split moves."],
         ["only part", "not shown", "did not pay"]),
        ((HURTS, (0.1, 0.05, 0.15), UP, (-0.18, -0.2, -0.1)),
         ["winning back only part of the scanner's 0.300 drop (33%)",
          "vertical-flip copies **raised** it (+0.280",
          "the flips helped more, so in images realism **did not pay**."],
         ["most", "**paid**"]),
        ((NONE, NONE, NONE, NONE),
         ["brightness/contrast copies are **not shown** to change new-scanner accuracy (+0.000, "
          "interval -0.020 to +0.020 includes 0)",
          "vertical-flip copies are **not shown** to change it",
          "these splits cannot tell the two apart, so in images realism is **not shown** to pay."],
         ["winning back", "**paid**", "did not pay"]),
        ((HURTS, DOWN, NONE, UP),
         ["brightness/contrast copies **lowered** new-scanner accuracy (-0.100"],
         ["winning back"]),
        (((-0.1, -0.15, -0.05), UP, NONE, UP),
         ["**raised** new-scanner accuracy (+0.280"], ["winning back", "drop"]),
    ],
)  # fmt: skip
def test_describe_image_takeaway_wordings(rows, says, never):
    text = aug.describe_image_takeaway(_summary(*rows))
    assert text.startswith("- **Images**") and "\n" not in text  # one bullet
    for phrase in says:
        assert phrase in text
    for phrase in never:
        assert phrase not in text


def test_plot_scanner_examples_shows_four_rows(small):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    images, _, scanned, copies = small
    fig = aug.plot_scanner_examples(images, scanned, copies, n_examples=3)
    assert len(fig.axes) == 12
    assert fig.axes[0].get_ylabel() == "old scanner"
    assert fig.axes[9].get_ylabel() == "unrealistic: vertical_flip"
    assert fig.axes[3].images[0].get_clim() == (0.0, 1.0)
    plt.close(fig)
