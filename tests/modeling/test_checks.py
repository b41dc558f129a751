"""Input checks shared by the modeling helpers (mlkit/modeling/_checks.py)."""

import numpy as np
import pytest

from mlkit.modeling._checks import _check_binary, _check_label_pair, _check_scores


def test_check_label_pair_returns_1d_arrays():
    y_true, y_pred = _check_label_pair([1, 2], (1, 3), "f")
    assert isinstance(y_true, np.ndarray) and y_pred.tolist() == [1, 3]


@pytest.mark.parametrize(
    ("y_true", "y_pred", "match"),
    [
        ([[1, 2]], [1, 2], r"'y_true' parameter of f must be 1-D"),
        ([1, 2], [1], "same length"),
        ([], [], "at least one sample"),
    ],
)
def test_check_label_pair_bad_input(y_true, y_pred, match):
    with pytest.raises(ValueError, match=match):
        _check_label_pair(y_true, y_pred, "f")


def test_check_binary_and_scores():
    assert _check_binary([0, 0], "f", need_both=False).dtype == np.int64
    with pytest.raises(ValueError, match="both classes"):
        _check_binary([0, 0], "f")
    with pytest.raises(ValueError, match="one score per sample"):
        _check_scores([0.1], 2, "f")
    with pytest.raises(ValueError, match="NaN or infinite"):
        _check_scores([0.1, np.inf], 2, "f")
