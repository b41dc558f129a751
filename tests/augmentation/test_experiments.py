import numpy as np
import pandas as pd
import pytest

from mlkit import augmentation as aug
from mlkit._models import model_of_size


def test_accuracy_by_tag_and_errors():
    acc = aug.accuracy_by_tag([0, 1, 1, 0], [0, 1, 0, 0], ["x", "y", "y", "x"])
    assert acc.to_dict() == {"x": 1.0, "y": 0.5, "overall": 0.75}
    with pytest.raises(ValueError, match="same length"):
        aug.accuracy_by_tag([0, 1], [0], ["x", "y"])


def test_model_sizes_differ_in_capacity():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 144))
    y = (X[:, 50] > 0).astype(int)  # only visible to the large model
    small = model_of_size("small").fit(X, y)
    large = model_of_size("large").fit(X, y)
    assert large.score(X, y) > small.score(X, y) + 0.2
    with pytest.raises(ValueError, match="'size' parameter of model_of_size must be one of"):
        model_of_size("huge")


def test_compare_and_learning_curves_shapes():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 144))
    y = rng.integers(0, 3, size=60)
    tags = np.array(["clean", "car_noise"] * 10)
    table = aug.compare_augmentations(
        X[:40], y[:40], X[40:], y[40:], tags, augmented={"targeted": (X[:10], y[:10])}
    )
    assert list(table.columns) == ["baseline", "targeted"]
    assert list(table.index) == ["car_noise", "clean", "overall"]
    curves = aug.augmentation_learning_curves(
        X[:40], y[:40], X[40:], y[40:], tags,
        X_aug=X[:20], y_aug=y[:20], aug_copy=np.repeat([0, 1], 10),
        target_tag="car_noise", factors=(0, 2),
    )  # fmt: skip
    assert isinstance(curves, pd.DataFrame)
    assert curves["n_train"].tolist() == [40, 60, 40, 60]
    with pytest.raises(ValueError, match="'target_tag' parameter.*Got 'stadium'"):
        aug.augmentation_learning_curves(
            X[:40], y[:40], X[40:], y[40:], tags,
            X_aug=X[:20], y_aug=y[:20], aug_copy=np.zeros(20), target_tag="stadium",
        )  # fmt: skip


def test_split_table_counts_clips_per_split_and_condition():
    meta = pd.DataFrame(
        {
            "speaker": ["a", "a", "b", "c", "c"],
            "condition": ["clean", "car_noise", "clean", "clean", "car_noise"],
        }
    )
    table = aug.split_table(meta, dev_speakers=["c"])
    assert list(table.index) == ["dev", "train", "All"]
    assert list(table.columns) == ["car_noise", "clean", "All"]
    assert table.loc["dev"].tolist() == [1, 1, 2]
    assert table.loc["train"].tolist() == [1, 2, 3]
    assert table.loc["All", "All"] == 5


def test_curve_gains_is_last_minus_first_factor_per_size():
    curves = pd.DataFrame(
        {
            "size": ["small"] * 3 + ["large"] * 3,
            "augment_factor": [0, 1, 4, 0, 1, 4],
            "accuracy": [0.5, 0.9, 0.6, 0.8, 0.7, 0.75],
        }
    )
    gains = aug.curve_gains(curves.sample(frac=1.0, random_state=0))  # row order does not matter
    assert gains["small"] == pytest.approx(0.1)
    assert gains["large"] == pytest.approx(-0.05)
    # the same number describe_curves reports as "overall"
    assert "overall +0.100" in aug.describe_curves(
        curves.assign(accuracy_target=0.5, accuracy_other=0.5)
    )
