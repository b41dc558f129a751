"""Production traffic: the request stream drawn from held-out examples."""

from __future__ import annotations

import numpy as np
import pytest

from mlkit import deployment as dep


@pytest.mark.parametrize(("n_pool", "n_requests"), [(10, 1), (10, 10), (10, 25), (1, 3)])
def test_sample_requests_is_without_replacement_within_a_pass(n_pool, n_requests):
    index, ids = dep.sample_requests(n_pool, n_requests=n_requests, random_state=3)
    assert index.shape == ids.shape == (n_requests,)
    first = index[: min(n_pool, n_requests)]
    assert len(set(first.tolist())) == first.size  # no repeat before the pool is used up
    counts = np.bincount(index, minlength=n_pool)
    assert counts.max() - counts.min() <= (1 if n_requests >= n_pool else counts.max())
    again, _ = dep.sample_requests(n_pool, n_requests=n_requests, random_state=3)
    assert np.array_equal(index, again)


def test_sample_requests_bad_input():
    with pytest.raises(ValueError, match="'n_pool' parameter of sample_requests"):
        dep.sample_requests(0, n_requests=3)
    with pytest.raises(TypeError, match="'n_requests' parameter of sample_requests"):
        dep.sample_requests(3, n_requests=2.5)
