"""Define x and y: the one-line description and the example clips (mlkit.data._xy)."""

import numpy as np
import pytest

from mlkit import data
from mlkit.datasets import load_speech
from tests.data._util import SR, clip


def test_describe_xy():
    speech = load_speech(n_clips=40, random_state=0)
    text = data.describe_xy(speech)
    d = speech.metadata["duration_s"]
    assert text.startswith(f"x: 40 clips, float32 at {speech.sample_rate_hz} Hz, {d.min():.2f}-")
    assert text.endswith("plus UNINTELLIGIBLE = -1")


def test_example_positions():
    tags = np.array(["car_noise", "clean", "low_bandwidth", "people_noise", "clean"])
    assert data.example_positions(tags) == [1, 0, 3, 2]
    assert data.example_positions(tags, conditions=("clean",)) == [1]
    with pytest.raises(ValueError, match="Got none of 'studio'"):
        data.example_positions(tags, conditions=("studio",))


def test_plot_clip_examples():
    clips = [clip(seed=i) for i in range(3)]
    axes = data.plot_clip_examples(clips, [2, 0], sample_rate_hz=SR, titles=["a", "b"])
    assert axes.shape == (2, 2)
    assert [ax.get_title() for ax in axes[0]] == ["a", "b"]
