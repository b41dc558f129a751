"""Serve a router over HTTP on the loopback interface: FastAPI app, uvicorn in a thread.

``load_versions`` loads the model files with :func:`mlkit.tracking.load_model` (skops,
trusted types only, checked against their sha256); ``make_app`` puts any router of
:mod:`mlkit.deployment` behind ``POST /predict``; ``ModelServer`` runs it on 127.0.0.1 on a
free port, waits until ``GET /health`` answers, and stops it again; ``post_requests`` sends a
bounded number of requests and tabulates the answers.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time

import numpy as np

from mlkit._validation import check_float, check_int, check_request_batch

__all__ = ["load_versions", "make_app", "ModelServer", "post_requests", "answers_match_versions"]


def load_versions(paths: dict, *, sha256: dict | None = None, trusted: list[str] | None = None):
    """Load each model version from its skops file after checking sha256 and types.

    Parameters
    ----------
    paths : dict of str to path-like
        Version name (for example ``"stable"``) to ``.skops`` file.
    sha256 : dict of str to str, optional
        Expected hex digest per version; default: the ``<file>.sha256`` beside each model.
    trusted : list of str, optional
        Extra type names to trust (see :func:`mlkit.tracking.load_model`).

    Returns
    -------
    dict of str to estimator

    Raises
    ------
    ValueError
        If `paths` is empty or `sha256` names a version that `paths` lacks.
    FileNotFoundError
        If a model or its checksum file is missing.
    mlkit.errors.ModelIntegrityError
        If a file does not match its sha256 (tampered) or holds untrusted types.
    """
    from mlkit.tracking import load_model

    if not isinstance(paths, dict) or not paths:
        raise ValueError(
            "The 'paths' parameter of load_versions must be a non-empty dict of version -> "
            f"model file. Got {paths!r} instead."
        )
    sha256 = dict(sha256 or {})
    unknown = set(sha256) - set(paths)
    if unknown:
        raise ValueError(
            f"load_versions got sha256 for unknown version(s) {sorted(unknown)}; the versions "
            f"are {sorted(paths)}."
        )
    return {
        name: load_model(path, sha256=sha256.get(name), trusted=trusted)
        for name, path in paths.items()
    }


def _jsonable(value):
    return value.item() if isinstance(value, np.generic) else value


def make_app(router, *, n_features: int | None = None):
    """Build a FastAPI app that answers prediction requests through `router`.

    Parameters
    ----------
    router : CanaryRouter, ShadowRouter or BlueGreenRouter
        A started (fitted) router; its ``route`` is called with one request at a time.
    n_features : int, optional
        Expected length of each request's feature vector; others get HTTP 422.

    Returns
    -------
    fastapi.FastAPI
        Endpoints: ``GET /health`` -> ``{"status": "ok", "router": ..., "n_requests": ...}``;
        ``POST /predict`` with ``{"request_id": str, "x": [float, ...]}`` ->
        ``{"request_id", "y_pred", "version", "latency_ms"}``.

    Raises
    ------
    TypeError
        If `router` has no ``route`` method.
    """
    from fastapi import FastAPI, HTTPException
    from pydantic import BaseModel, Field

    if not callable(getattr(router, "route", None)):
        raise TypeError(
            "The 'router' parameter of make_app must be a router from mlkit.deployment. "
            f"Got {type(router).__name__} instead."
        )
    if n_features is not None:
        n_features = check_int(n_features, "n_features", min_value=1, func="make_app")

    class PredictRequest(BaseModel):
        request_id: str = Field(min_length=1, max_length=200)
        x: list[float] = Field(min_length=1)

    app = FastAPI(title="mlkit model server")

    @app.get("/health")
    def health():
        return {
            "status": "ok",
            "router": type(router).__name__,
            "n_requests": int(getattr(router, "n_requests_", 0)),
        }

    def predict(req):
        if n_features is not None and len(req.x) != n_features:
            raise HTTPException(
                status_code=422,
                detail=f"x must hold {n_features} features. Got {len(req.x)} instead.",
            )
        x = np.asarray(req.x, dtype=float)[None, :]
        if not np.all(np.isfinite(x)):
            raise HTTPException(status_code=422, detail="x must hold finite numbers only.")
        out = router.route(x, request_ids=[req.request_id])
        if out["y_pred"][0] is None:
            raise HTTPException(status_code=500, detail="The model failed on this request.")
        return {
            "request_id": req.request_id,
            "y_pred": _jsonable(out["y_pred"][0]),
            "version": str(out["version"][0]),
            "latency_ms": float(out["latency_ms"][0]),
        }

    # this module uses postponed annotations, so give FastAPI the real class to validate with
    predict.__annotations__ = {"req": PredictRequest}
    app.post("/predict")(predict)
    return app


class ModelServer:
    """Run an ASGI app with uvicorn in a background thread on a loopback address.

    Parameters
    ----------
    app : ASGI application
        For example from :func:`make_app`.
    host : str, default="127.0.0.1"
        Must be a loopback address: the kit never listens on a network.
    port : int, default=0
        0 picks a free port (the socket is bound before uvicorn starts, so no race).
    startup_timeout_s : float, default=10.0
        Longest wait for ``GET /health`` to answer after starting, in seconds.

    Attributes
    ----------
    url : str
        ``http://127.0.0.1:<port>`` once started.
    startup_s : float
        Seconds from start until the health check answered.

    Examples
    --------
    >>> with ModelServer(app) as server:  # doctest: +SKIP
    ...     post_requests(server.url, X, request_ids=ids)
    """

    def __init__(self, app, *, host: str = "127.0.0.1", port: int = 0, startup_timeout_s=10.0):
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            raise ValueError(
                "The 'host' parameter of ModelServer must be a loopback address such as "
                f"'127.0.0.1'. Got {host!r} instead; the kit does not serve on a network."
            )
        self.app = app
        self.host = host
        self.port = check_int(port, "port", min_value=0, max_value=65535, func="ModelServer")
        self.startup_timeout_s = check_float(
            startup_timeout_s,
            "startup_timeout_s",
            low=0.0,
            inclusive=(False, True),
            func="ModelServer",
        )
        self.url = None
        self.startup_s = None
        self._server = None
        self._thread = None

    def start(self) -> ModelServer:
        """Start serving and wait until the health check answers.

        Returns
        -------
        self

        Raises
        ------
        RuntimeError
            If the server is already running, or its thread died during start-up.
        TimeoutError
            If ``/health`` does not answer within `startup_timeout_s` (the server is stopped).
        """
        import httpx
        import uvicorn

        if self._thread is not None:
            raise RuntimeError(f"This ModelServer is already running at {self.url}.")
        start = time.perf_counter()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # accepted sockets inherit TCP_NODELAY; without it Nagle's algorithm meets the
        # client's delayed ACK and every response waits ~40 ms
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((self.host, self.port))
        port = sock.getsockname()[1]
        self.url = f"http://{self.host}:{port}"
        config = uvicorn.Config(self.app, log_level="warning", lifespan="off", access_log=False)
        self._server = uvicorn.Server(config)
        self._sock = sock
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [sock]},
            daemon=True,
            name=f"mlkit-server-{port}",
        )
        self._thread.start()
        deadline = start + self.startup_timeout_s
        while time.perf_counter() < deadline:
            if not self._thread.is_alive():
                self.stop()
                raise RuntimeError(f"The server thread for {self.url} died during start-up.")
            try:
                r = httpx.get(f"{self.url}/health", timeout=1.0, trust_env=False)
                if r.status_code == 200:
                    self.startup_s = time.perf_counter() - start
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        self.stop()
        raise TimeoutError(
            f"The server at {self.url} did not answer /health within {self.startup_timeout_s} s. "
            "Raise startup_timeout_s on a busy machine."
        )

    def stop(self, *, timeout_s: float = 5.0) -> None:
        """Ask uvicorn to exit, wait for the thread (at most `timeout_s`) and close the socket."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=timeout_s)
        if getattr(self, "_sock", None) is not None:
            self._sock.close()
            self._sock = None
        self._thread = None
        self._server = None

    @property
    def running(self) -> bool:
        """True while the server thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def post_requests(url: str, X, *, request_ids, timeout_s: float = 30.0, max_requests: int = 1000):
    """Send one ``POST /predict`` per row of `X` and tabulate the answers.

    Parameters
    ----------
    url : str
        Server base URL on a loopback address, for example ``ModelServer.url``.
    X : array-like of shape (n_requests, n_features)
    request_ids : array-like of str of shape (n_requests,)
    timeout_s : float, default=30.0
        Budget for all requests together, in seconds; requests not sent by then are skipped.
    max_requests : int, default=1000
        Refuse longer streams (the helper is for demonstrations and tests, not load tests).

    Returns
    -------
    pandas.DataFrame
        One row per request sent: ``request_id``, ``status_code``, ``y_pred``, ``version``,
        ``server_latency_ms`` (inside the router) and ``round_trip_ms`` (client side).

    Raises
    ------
    ValueError
        If the stream is empty or longer than `max_requests`, lengths differ, or `url` is
        not on a loopback address.
    """
    import httpx
    import pandas as pd

    host = httpx.URL(url).host
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(
            f"post_requests only talks to loopback servers such as http://127.0.0.1:8000. "
            f"Got {url!r} instead."
        )
    X, ids = check_request_batch(X, request_ids, "post_requests")
    max_requests = check_int(max_requests, "max_requests", min_value=1, func="post_requests")
    if len(X) > max_requests:
        raise ValueError(
            f"post_requests sends at most max_requests={max_requests} requests. Got {len(X)}. "
            "Send a smaller sample or raise max_requests."
        )
    deadline = time.perf_counter() + check_float(
        timeout_s, "timeout_s", low=0.0, inclusive=(False, True), func="post_requests"
    )
    rows = []
    # TCP_NODELAY on the client too, so a request's headers and body leave at once
    transport = httpx.HTTPTransport(socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)])
    client = httpx.Client(
        base_url=url, timeout=min(10.0, timeout_s), trust_env=False, transport=transport
    )
    with client:
        for x, rid in zip(np.asarray(X, dtype=float), ids, strict=True):
            if time.perf_counter() > deadline:
                break
            start = time.perf_counter()
            r = client.post("/predict", json={"request_id": str(rid), "x": x.tolist()})
            rtt = (time.perf_counter() - start) * 1e3
            body = r.json() if r.status_code == 200 else {}
            rows.append(
                {
                    "request_id": str(rid),
                    "status_code": r.status_code,
                    "y_pred": body.get("y_pred"),
                    "version": body.get("version"),
                    "server_latency_ms": body.get("latency_ms"),
                    "round_trip_ms": rtt,
                }
            )
    return pd.DataFrame(rows)


def answers_match_versions(answers, versions: dict, X) -> bool:
    """Check that every HTTP answer is what the version that says it answered predicts.

    Parameters
    ----------
    answers : pandas.DataFrame
        From :func:`post_requests`: one row per request sent, in the order of `X`, with
        ``version`` and ``y_pred``.
    versions : dict of str to estimator
        The loaded versions by name (for example from :func:`load_versions`).
    X : array-like of shape (n_requests, n_features)
        The requests sent (at least as many rows as `answers`).

    Returns
    -------
    bool
        True when each answer's ``y_pred`` equals ``versions[version].predict`` of its row.

    Raises
    ------
    KeyError
        If an answer names a version that `versions` lacks (for example a failed request,
        whose version is None).

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn.dummy import DummyClassifier
    >>> m = DummyClassifier(strategy="constant", constant=3).fit([[0], [1]], [3, 4])
    >>> answers = pd.DataFrame({"version": ["stable", "stable"], "y_pred": [3, 3]})
    >>> answers_match_versions(answers, {"stable": m}, np.zeros((2, 1)))
    True
    """
    X = np.asarray(X)
    version = answers["version"].to_numpy()
    expected = np.empty(len(version), dtype=object)
    for v in answers["version"].unique():  # one batched predict per version, not per row
        rows = np.flatnonzero(version == v)
        expected[rows] = list(versions[v].predict(X[rows]))
    return bool(np.array_equal(answers["y_pred"].to_numpy(), expected))
