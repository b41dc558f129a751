import numpy as np
import pytest


@pytest.fixture(scope="module")
def pool():
    rng = np.random.default_rng(1)
    return [(0.2 * rng.normal(size=3000)).astype(np.float32) for _ in range(4)]


@pytest.fixture(scope="module")
def small_speech():
    from mlkit.datasets import load_speech

    return load_speech(n_clips=24, random_state=0)
