"""Replayed production traffic: simulated days of requests with injected events of known onset.

Serves the notebook section "Four weeks of traffic, with events of known onset".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from mlkit._validation import check_float, check_int, check_one_of, check_random_state
from mlkit.monitoring._pipeline import INPUT_FEATURES, _check_mix

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "EVENT_RULES",
    "KEYPAD_SWAP",
    "NEW_MICROPHONE_MIX",
    "STREAM_SEEDS",
    "StreamEvent",
    "answered_requests",
    "make_events",
    "replay_streams",
    "serve_requests",
    "simulate_requests",
    "stream_counts",
]

_KINDS = ("data_drift", "concept_drift", "pipeline_fault")

_STREAM_COLOURS = {
    "control": "0.45",
    "data_drift": "tab:orange",
    "concept_drift": "tab:purple",
    "pipeline_fault": "tab:red",
}


def _colour(stream, i):
    return _STREAM_COLOURS.get(stream, f"C{i}")


KEYPAD_SWAP = {1: 7, 2: 8, 3: 9, 7: 1, 8: 2, 9: 3}
"""The concept-drift event's label map: a keypad with rows swapped (1<->7, 2<->8, 3<->9)."""

NEW_MICROPHONE_MIX = {"low_bandwidth": 0.6, "car_noise_heavy": 0.3, "clean": 0.1}
"""Variant mix of the traffic the data-drift event (new microphone, louder cars) affects."""

EVENT_RULES = {
    "new_microphone": ("input_psi",),
    "meaning_change": ("adwin_errors", "accuracy_low"),
    "vad_fault": ("vad_kept_low",),
}
"""Event name -> the rules meant to detect it (see :func:`alert_summary`): input drift by the
input PSI, concept drift only through labels, the pipeline fault at its own (VAD) node."""


@dataclass(frozen=True)
class StreamEvent:
    """An injected production event with a known onset (the ground truth of the replay).

    Parameters
    ----------
    name : str
        Short id, for example ``"new_microphone"``.
    kind : {"data_drift", "concept_drift", "pipeline_fault"}
        ``data_drift``: from the onset the affected share of traffic follows `mix`.
        ``concept_drift``: the audio is unchanged, but for the affected share the true label
        is ``label_map[label]`` (what users mean changed). ``pipeline_fault``: the affected
        share goes through the faulty voice-activity stage.
    onset_day : int
        First affected day (0-based).
    share : float, default=1.0
        Share of the traffic affected from the onset on, in [0, 1].
    mix : dict of str to float, optional
        Variant shares of the affected traffic (``data_drift`` only).
    label_map : dict of int to int, optional
        Label remapping (``concept_drift`` only).
    """

    name: str
    kind: str
    onset_day: int
    share: float = 1.0
    mix: dict | None = field(default=None, hash=False)
    label_map: dict | None = field(default=None, hash=False)

    def __post_init__(self):
        check_one_of(self.kind, "kind", set(_KINDS), func="StreamEvent")
        check_int(self.onset_day, "onset_day", min_value=0, func="StreamEvent")
        check_float(self.share, "share", low=0.0, high=1.0, func="StreamEvent")
        if self.kind == "data_drift":
            _check_mix(self.mix, "StreamEvent")
        if self.kind == "concept_drift" and not self.label_map:
            raise ValueError("A concept_drift StreamEvent needs a label_map, e.g. {1: 7, 7: 1}.")


def simulate_requests(
    pool: pd.DataFrame,
    *,
    mix: dict,
    n_days: int = 28,
    requests_per_day: int = 120,
    event: StreamEvent | None = None,
    label_fraction: float = 0.2,
    label_delay_days: int = 2,
    silent_rate: float = 0.005,
    timeout_rate: float = 0.003,
    random_state=0,
) -> pd.DataFrame:
    """Replay simulated days of production traffic from a request pool.

    Parameters
    ----------
    pool : pandas.DataFrame
        From :func:`speech_request_pool`.
    mix : dict of str to float
        Variant shares of normal traffic (the reference conditions).
    n_days : int, default=28
        Days to simulate (>= 2).
    requests_per_day : int, default=120
        Mean daily volume; weekends carry 70 % of it and each day is Poisson around its mean.
    event : StreamEvent or None, default=None
        The injected event; None makes a no-drift control stream.
    label_fraction : float, default=0.2
        Share of requests that later get a ground-truth label (a human reviews them).
    label_delay_days : int, default=2
        Days until a label arrives.
    silent_rate : float, default=0.005
        Share of requests that are silent (a dead microphone), always.
    timeout_rate : float, default=0.003
        Share of requests the serving layer drops (an infrastructure error), always.
    random_state : int, numpy.random.Generator or None, default=0
        Seeds everything; the same seed gives the same stream.

    Returns
    -------
    pandas.DataFrame
        One row per request, in arrival order: ``day``, ``pool_row``, ``variant``, ``vad``,
        ``affected`` (the event touched it), ``y_true`` (-1 for silence), ``labelled``,
        ``label_day``, ``timeout``, ``latency_ms`` (simulated: 15 ms + 40 ms per second of
        audio, log-normal jitter), joined with the pool's metric columns.
    """
    import pandas as pd

    mix = _check_mix(mix, "simulate_requests")
    n_days = check_int(n_days, "n_days", min_value=2, func="simulate_requests")
    rpd = check_int(requests_per_day, "requests_per_day", min_value=1, func="simulate_requests")
    label_fraction = check_float(
        label_fraction, "label_fraction", low=0.0, high=1.0, func="simulate_requests"
    )
    label_delay_days = check_int(
        label_delay_days, "label_delay_days", min_value=0, func="simulate_requests"
    )
    rng = check_random_state(random_state)
    lookup = {
        (int(b), v, vad): i
        for i, (b, v, vad) in enumerate(
            zip(pool["base"], pool["variant"], pool["vad"], strict=True)
        )
    }
    bases = np.unique(pool.loc[pool["base"] >= 0, "base"].to_numpy())
    silent_row = int(np.flatnonzero(pool["variant"].to_numpy() == "silent")[0])
    means = np.where(np.arange(n_days) % 7 >= 5, 0.7 * rpd, rpd)
    counts = rng.poisson(means)
    parts = []
    for day, n in enumerate(counts):
        active = event is not None and day >= event.onset_day
        affected = rng.random(n) < (event.share if active else 0.0)
        names = list(mix)
        variant = rng.choice(np.array(names, dtype=object), size=n, p=[mix[k] for k in names])
        if active and event.kind == "data_drift" and affected.any():
            new = list(event.mix)
            variant[affected] = rng.choice(
                np.array(new, dtype=object), size=int(affected.sum()), p=[event.mix[k] for k in new]
            )
        faulty = affected if (active and event.kind == "pipeline_fault") else np.zeros(n, bool)
        vad = np.where(faulty, "fault", "ok")
        base = rng.choice(bases, size=n)
        rows = np.array(
            [
                lookup.get((int(b), v, f), lookup[(int(b), v, "ok")])
                for b, v, f in zip(base, variant, vad, strict=True)
            ],
            dtype=np.int64,
        )
        silent = rng.random(n) < silent_rate
        rows[silent] = silent_row
        y_true = pool["label"].to_numpy()[rows].copy()
        if active and event.kind == "concept_drift":
            remap = affected & ~silent
            y_true[remap] = [event.label_map.get(int(t), int(t)) for t in y_true[remap]]
        labelled = (rng.random(n) < label_fraction) & (y_true >= 0)
        parts.append(
            pd.DataFrame(
                {
                    "day": day,
                    "pool_row": rows,
                    "affected": affected & ~silent,
                    "y_true": y_true,
                    "labelled": labelled,
                    "label_day": np.where(labelled, day + label_delay_days, -1),
                    "timeout": rng.random(n) < timeout_rate,
                    "jitter": rng.lognormal(0.0, 0.25, size=n),
                }
            )
        )
    req = pd.concat(parts, ignore_index=True)
    meta_cols = [
        "variant",
        "vad",
        *INPUT_FEATURES,
        "silent",
        "vad_duration_s",
        "vad_kept_fraction",
        "vad_empty",
    ]
    meta = pool[meta_cols].iloc[req["pool_row"].to_numpy()].reset_index(drop=True)
    req = pd.concat([req, meta], axis=1)
    req["latency_ms"] = (15.0 + 40.0 * req["duration_s"]) * req.pop("jitter")
    order = [
        "day",
        "pool_row",
        "variant",
        "vad",
        "affected",
        "y_true",
        "labelled",
        "label_day",
        "timeout",
        "latency_ms",
    ]
    return req[order + [c for c in req.columns if c not in order]]


def serve_requests(
    requests: pd.DataFrame,
    pool: pd.DataFrame,
    *,
    versions: dict,
    reject_threshold: float = 0.5,
) -> pd.DataFrame:
    """Add the recognizer's outputs to replayed requests, by the model version live each day.

    Parameters
    ----------
    requests : pandas.DataFrame
        From :func:`simulate_requests`.
    pool : pandas.DataFrame
        The pool with ``y_pred_<version>`` / ``confidence_<version>`` columns
        (:func:`predict_pool`).
    versions : dict of int to str
        First day -> model version live from that day on, for example ``{0: "v1", 17: "v2"}``.
    reject_threshold : float, default=0.5
        Below this confidence the service answers "unknown" (a reject), in [0, 1].

    Returns
    -------
    pandas.DataFrame
        A copy of `requests` plus ``model``, ``y_pred`` (-1 for no answer), ``confidence``,
        ``error`` (timeout or empty VAD output: no answer), ``reject`` and ``correct``
        (against ``y_true``; NaN for errors and silence).

    Raises
    ------
    ValueError
        If `versions` has no entry for day 0 or names a version the pool lacks.
    """
    if 0 not in versions:
        raise ValueError("The 'versions' parameter of serve_requests needs an entry for day 0.")
    for v in versions.values():
        if f"y_pred_{v}" not in pool.columns:
            raise ValueError(
                f"serve_requests: the pool has no predictions for version {v!r}. "
                "Add them with predict_pool(pool, X, model, version=...)."
            )
    reject_threshold = check_float(
        reject_threshold, "reject_threshold", low=0.0, high=1.0, func="serve_requests"
    )
    out = requests.copy()
    starts = sorted(versions)
    idx = np.searchsorted(np.asarray(starts), out["day"].to_numpy(), side="right") - 1
    out["model"] = np.asarray([versions[s] for s in starts], dtype=object)[idx]
    rows = out["pool_row"].to_numpy()
    y_pred = np.full(len(out), -1, dtype=np.int64)
    conf = np.full(len(out), np.nan)
    for v in set(versions.values()):
        m = (out["model"] == v).to_numpy()
        y_pred[m] = pool[f"y_pred_{v}"].to_numpy()[rows[m]]
        conf[m] = pool[f"confidence_{v}"].to_numpy()[rows[m]]
    error = out["timeout"].to_numpy() | (y_pred < 0)
    y_pred[error] = -1
    conf[error] = np.nan
    out["y_pred"] = y_pred
    out["confidence"] = conf
    out["error"] = error
    out["reject"] = ~error & (conf < reject_threshold)
    valid = ~error & (out["y_true"].to_numpy() >= 0)
    out["correct"] = np.where(valid, (y_pred == out["y_true"].to_numpy()).astype(float), np.nan)
    return out


def make_events(strength: float = 1.0) -> dict:
    """Return the monitoring notebook's streams and the event injected into each.

    Parameters
    ----------
    strength : float, default=1.0
        Scales the share of traffic each event affects, in [0, 1] (the meaning change touches
        half as much traffic as the others).

    Returns
    -------
    dict of str to StreamEvent or None
        ``"control"`` -> None (no event), ``"data_drift"`` -> a new microphone from day 10
        (:data:`NEW_MICROPHONE_MIX`), ``"concept_drift"`` -> a meaning change from day 12
        (:data:`KEYPAD_SWAP`: P(y|x) changes, a concept drift; not a label shift, which would
        change P(y) with P(x|y) fixed), ``"pipeline_fault"`` -> a faulty VAD from day 14.

    Raises
    ------
    ValueError
        If `strength` is outside [0, 1].

    Examples
    --------
    >>> {k: (e.name, e.onset_day) for k, e in make_events().items() if e is not None}
    {'data_drift': ('new_microphone', 10), 'concept_drift': ('meaning_change', 12), \
'pipeline_fault': ('vad_fault', 14)}
    """
    strength = check_float(strength, "strength", low=0.0, high=1.0, func="make_events")
    return {
        "control": None,
        "data_drift": StreamEvent(
            "new_microphone", "data_drift", 10, share=strength, mix=NEW_MICROPHONE_MIX
        ),
        "concept_drift": StreamEvent(
            "meaning_change", "concept_drift", 12, share=0.5 * strength, label_map=KEYPAD_SWAP
        ),
        "pipeline_fault": StreamEvent("vad_fault", "pipeline_fault", 14, share=strength),
    }


def replay_streams(
    pool: pd.DataFrame,
    events: dict,
    *,
    seeds: dict,
    random_state: int = 0,
    versions: dict | None = None,
    **stream_params,
) -> dict:
    """Simulate and serve one replayed stream per seed, each with its event (if any).

    Parameters
    ----------
    pool : pandas.DataFrame
        The request pool with predictions (:func:`speech_request_pool`, :func:`predict_pool`).
    events : dict of str to StreamEvent or None
        Stream name -> its event; streams missing here (for example ``"calibration"``)
        get none.
    seeds : dict of str to int
        Stream name -> its own seed offset; one stream per entry.
    random_state : int, default=0
        Each stream is seeded with ``random_state * 1000 + seeds[name]``.
    versions : dict of int to str, optional
        Passed to :func:`serve_requests`; default ``{0: "v1"}``.
    **stream_params
        Passed to :func:`simulate_requests` (``mix``, ``n_days``, ``requests_per_day``, ...).

    Returns
    -------
    dict of str to pandas.DataFrame
        Stream name -> served requests.
    """
    versions = versions or {0: "v1"}
    return {
        name: serve_requests(
            simulate_requests(
                pool,
                event=events.get(name),
                random_state=random_state * 1000 + seed,
                **stream_params,
            ),
            pool,
            versions=versions,
        )
        for name, seed in seeds.items()
    }


STREAM_SEEDS = {
    "calibration": 101,
    "control": 102,
    "data_drift": 103,
    "concept_drift": 104,
    "pipeline_fault": 105,
}
"""The monitoring notebook's replayed streams -> seed offsets (see :func:`replay_streams`):
``calibration`` tunes thresholds and is the drift reference, ``control`` counts false alarms,
the other three carry the events of :func:`make_events`."""


def answered_requests(served: pd.DataFrame) -> pd.DataFrame:
    """Return the served requests that got an answer and were not silent.

    These are the requests whose inputs and outputs a drift monitor compares.

    Parameters
    ----------
    served : pandas.DataFrame
        From :func:`serve_requests` (columns ``error`` and ``silent``).

    Returns
    -------
    pandas.DataFrame
        The rows with neither ``error`` nor ``silent``, in their order, index kept.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"error": [False, True, False], "silent": [False, False, True]})
    >>> answered_requests(s).index.tolist()
    [0]
    """
    return served[~served["error"] & ~served["silent"]]


def stream_counts(served: dict) -> pd.DataFrame:
    """Count requests, labelled requests and requests an event touched, per stream.

    Parameters
    ----------
    served : dict of str to pandas.DataFrame
        Stream name -> served (or simulated) requests with ``labelled`` and ``affected``.

    Returns
    -------
    pandas.DataFrame
        One row per stream: ``requests``, ``labelled``, ``affected``.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"labelled": [True, False], "affected": [False, False]})
    >>> stream_counts({"control": s}).loc["control"].tolist()
    [2, 1, 0]
    """
    import pandas as pd

    return pd.DataFrame(
        {
            name: {
                "requests": len(s),
                "labelled": int(s["labelled"].sum()),
                "affected": int(s["affected"].sum()),
            }
            for name, s in served.items()
        }
    ).T
