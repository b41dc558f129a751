"""Production traffic: a request stream drawn from held-out examples, many clients each.

Serves "Production traffic: speakers the models never heard" of
``notebooks/05_deployment.ipynb`` (and the stream every later section replays).
"""

from __future__ import annotations

import numpy as np

from mlkit._validation import check_int, check_random_state

__all__ = ["sample_requests"]


def sample_requests(n_pool: int, *, n_requests: int, n_clients: int = 1000, random_state=0):
    """Draw a request stream from a pool of examples, each request from one of many clients.

    Parameters
    ----------
    n_pool : int
        Number of examples to draw from (for example held-out clips), >= 1.
    n_requests : int
        Length of the stream, >= 1. Examples are drawn without replacement while
        ``n_requests <= n_pool``; a longer stream chains fresh permutations of the pool, so
        every example appears once per pass (and the first `n_pool` requests are distinct).
    n_clients : int, default=1000
        Clients sending the requests; the request id is the client id, so a client's
        requests stay on one version under sticky routing.
    random_state : int or numpy.random.Generator, default=0
        Seeds the draws.

    Returns
    -------
    index : ndarray of shape (n_requests,), dtype int64
        Position of each request's example in the pool.
    request_ids : ndarray of shape (n_requests,), dtype str
        ``"client-0042"``-style ids.

    Raises
    ------
    ValueError
        If a count is below 1.
    TypeError
        If a count is not an int.

    Notes
    -----
    Repeats of one example are not independent trials: a statistic that treats requests as
    independent (a binomial interval, a test) must count each example once (see the
    `groups` argument of :meth:`ShadowRouter.route`) or resample whole examples.

    Examples
    --------
    >>> index, ids = sample_requests(5, n_requests=3, n_clients=10)
    >>> index.shape, len(set(index.tolist())), ids[0].startswith("client-")
    ((3,), 3, True)
    >>> sorted(np.bincount(sample_requests(5, n_requests=12)[0]).tolist())  # 2.4 passes
    [2, 2, 2, 3, 3]
    """
    n_pool = check_int(n_pool, "n_pool", min_value=1, func="sample_requests")
    n_requests = check_int(n_requests, "n_requests", min_value=1, func="sample_requests")
    n_clients = check_int(n_clients, "n_clients", min_value=1, func="sample_requests")
    rng = check_random_state(random_state)
    n_passes = -(-n_requests // n_pool)
    index = np.concatenate([rng.permutation(n_pool) for _ in range(n_passes)])[:n_requests]
    clients = rng.integers(0, n_clients, size=n_requests)
    width = len(str(n_clients - 1))
    ids = np.array([f"client-{c:0{width}d}" for c in clients])
    return index, ids
