"""The monitoring notebook's exercises and concept questions, checked on this run's numbers.

Serves the exercise cells of ``notebooks/06_monitoring.ipynb`` (sections "Drift statistics",
"Dashboards and alert rules" and "Concept drift from the labelled error stream"); the machinery
is :mod:`mlkit.exercises`.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from mlkit.exercises import (
    AnswerError,
    ConceptQuestion,
    Exercise,
    ExerciseSet,
    expect_number,
    expect_numbers,
    expect_set,
)
from mlkit.monitoring._alerts import alert_summary, consecutive_breaches
from mlkit.monitoring._drift import DriftMonitor
from mlkit.monitoring._pipeline import INPUT_FEATURES
from mlkit.monitoring._stream import EVENT_RULES, answered_requests

__all__ = ["exercises"]

_FEATURE = "spectral_bandwidth_hz"  # the feature of the PSI-by-hand exercise


def _number(answer, what: str) -> float:
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise AnswerError(
            f"{what} should be a single number; got {type(answer).__name__} {answer!r}."
        )
    value = float(answer)
    if not math.isfinite(value):
        raise AnswerError(f"{what} should be a finite number; got {value!r}.")
    return value


# -- 3 · Drift statistics ------------------------------------------------------------------------
def _check_drifted_features(answer, ns):
    s = ns["one_day_scores"]
    expected = s.index[s["psi"] > ns["psi_threshold"]].tolist()
    return expect_set(answer, expected, what="Your list of features")


def _check_psi_by_hand(answer, ns):
    expected = float(ns["one_day_scores"].loc[_FEATURE, "psi"])
    return expect_number(
        answer, expected, abs_tol=max(0.005, 0.01 * expected), what=f"The PSI of {_FEATURE}"
    )


_CACHE_10_BINS: list = []  # [(reference, control stream, value)]: the check runs often


def _psi_max_10_bins(ns) -> float:
    reference, control = ns["reference"], ns["served"]["control"]
    if _CACHE_10_BINS and _CACHE_10_BINS[0][0] is reference and _CACHE_10_BINS[0][1] is control:
        return _CACHE_10_BINS[0][2]
    monitor_10 = DriftMonitor(n_bins=10).fit(reference[list(INPUT_FEATURES)])
    days = answered_requests(control).assign(window=lambda d: d["day"])
    scores_10 = monitor_10.score_windows(days[[*INPUT_FEATURES, "window"]], tests=False)
    value = float(scores_10["psi"].max())
    _CACHE_10_BINS[:] = [(reference, control, value)]
    return value


def _check_more_bins(answer, ns):
    expected = _psi_max_10_bins(ns)
    return expect_number(
        answer,
        expected,
        abs_tol=max(0.002, 0.02 * expected),
        what="The largest daily PSI with 10 bins",
    )


# -- 4 · Dashboards and alert rules --------------------------------------------------------------
def _psi_interval(ns) -> tuple[float, float]:
    """Lowest threshold quiet on the control stream; highest one still catching the microphone."""
    c = int(ns["consecutive_windows"])
    control, drift = ns["tables"]["control"], ns["tables"]["data_drift"]
    onset = ns["events"]["data_drift"].onset_day
    low = float(control["psi_max_input"].rolling(c).min().max())
    runs = drift["psi_max_input"].rolling(c).min()
    return low, float(runs[drift["day_end"] >= onset].max())


def _check_psi_threshold(answer, ns):
    t = _number(answer, "Your threshold")
    c = int(ns["consecutive_windows"])
    control, drift = ns["tables"]["control"], ns["tables"]["data_drift"]
    onset = ns["events"]["data_drift"].onset_day
    false = control["day_end"][consecutive_breaches(control["psi_max_input"], t, consecutive=c)]
    if len(false):
        raise AnswerError(
            f"With {t:.3g} the control stream alerts on day {false.min():g}: a false alarm "
            "(healthy traffic breached it for consecutive_windows days in a row)."
        )
    fired = drift["day_end"][consecutive_breaches(drift["psi_max_input"], t, consecutive=c)]
    caught = fired[fired >= onset]
    if not len(caught):
        raise AnswerError(
            f"With {t:.3g} the rule never alerts on the new microphone (onset day {onset})."
        )
    low, high = _psi_interval(ns)
    return (
        f"quiet on the control stream, the new microphone caught on day {caught.min():g}; "
        f"any threshold in [{low:.3f}, {high:.3f}) would do"
    )


def _event_streams(ns):
    return [name for name, ev in ns["events"].items() if ev is not None]


def _check_delays(answer, ns):
    summary = alert_summary(ns["alerts"], ns["events"], expected_rules=EVENT_RULES)
    expected = summary.loc[_event_streams(ns), "delay_days"].fillna(-1.0).tolist()
    return expect_numbers(answer, expected, abs_tol=0.01, what="Your delays")


# -- 5 · Concept drift ---------------------------------------------------------------------------
def _ddm_precision_recall(ns) -> list[float]:
    true = false = caught = 0
    for name, ev in ns["events"].items():
        onset = np.inf if ev is None else ev.onset_day
        days = np.asarray(ns["detections"][(name, "ddm")], dtype=float)
        true += int((days >= onset).sum())
        false += int((days < onset).sum())
        caught += int(ev is not None and (days >= onset).any())
    n_events = len(_event_streams(ns))
    return [true / (true + false) if true + false else 0.0, caught / n_events]


def _check_ddm(answer, ns):
    return expect_numbers(
        answer, _ddm_precision_recall(ns), abs_tol=0.005, what="Your [precision, recall]"
    )


ITEMS = (
    Exercise(
        id="06.1",
        title="features beyond the PSI threshold",
        prompt=(
            "Read the table `one_day_scores` (the day after the new microphone arrived). Which "
            "monitored features have a PSI above `psi_threshold` (the rule of thumb's 0.25 "
            "unless you changed it)? Answer with a list of feature names, e.g. "
            '`["rms_db", "confidence"]`.'
        ),
        check=_check_drifted_features,
        solution='answer = one_day_scores.index[one_day_scores["psi"] > psi_threshold].tolist()',
        hints=(
            "Look at the `psi` column only; the p-value answers another question.",
            "A feature counts when its `psi` is strictly greater than `psi_threshold`.",
            'one_day_scores.index[one_day_scores["psi"] > psi_threshold].tolist()',
        ),
        # counting rms_db (tiny p-value, moderate PSI), or duration_s, which the microphone leaves alone
        wrong=(
            lambda ref: sorted(set(ref) ^ {"rms_db"}),
            lambda ref: sorted(set(ref) ^ {"duration_s"}),
        ),
    ),
    Exercise(
        id="06.2",
        title="PSI by hand",
        prompt=(
            f"Compute the PSI of `{_FEATURE}` for the day `one_day` yourself, with the formula "
            "sum((p - q) * ln(p / q)): q = the reference share per bin "
            f'(`monitor.reference_proportions_["{_FEATURE}"]`), p = the share of `one_day` in '
            f'the same bins (edges `monitor.bin_edges_["{_FEATURE}"]`, bins [e_i, e_i+1); '
            "`np.searchsorted(edges, values, side='right')` gives each value's bin). An empty "
            "bin counts as 1e-4. Answer with a float; compare it with the table."
        ),
        check=_check_psi_by_hand,
        solution=f"""\
edges = monitor.bin_edges_["{_FEATURE}"]
q = monitor.reference_proportions_["{_FEATURE}"]
bins = np.searchsorted(edges, one_day["{_FEATURE}"].to_numpy(), side="right")
p = np.bincount(bins, minlength=len(q)) / len(bins)
p = np.where(p > 0, p, 1e-4)
answer = float(np.sum((p - q) * np.log(p / q)))
""",
        hints=(
            "Count how many of the day's values fall in each bin, then divide by the day's count.",
            "`np.bincount(np.searchsorted(edges, x, side='right'), minlength=len(q)) / len(x)` "
            "gives p; the natural logarithm is `np.log`.",
            "answer = float(np.sum((p - q) * np.log(p / q))); the table's `psi` should agree.",
        ),
        # log10 instead of ln; half of it (one Kullback-Leibler direction is about half of PSI)
        wrong=(lambda ref: ref / math.log(10), lambda ref: ref / 2),
    ),
    Exercise(
        id="06.3",
        title="more bins, more noise",
        prompt=(
            "Fit a second monitor with `n_bins=10` on the same reference, input features only "
            "(`reference[list(mon.INPUT_FEATURES)]`), score every day of the healthy control "
            "stream with it (`score_windows(..., tests=False)` on "
            "`control_days`), and answer with the largest daily PSI over the four input features, "
            "a float. Compare it with the 5-bin monitor's largest daily input PSI on the same "
            "days, `tables['control']['psi_max_input'].max()`."
        ),
        check=_check_more_bins,
        solution="""\
monitor_10 = mon.DriftMonitor(n_bins=10).fit(reference[list(mon.INPUT_FEATURES)])
days = mon.answered_requests(served["control"]).assign(window=lambda d: d["day"])
scores_10 = monitor_10.score_windows(days[[*mon.INPUT_FEATURES, "window"]], tests=False)
answer = float(scores_10["psi"].max())
""",
        hints=(
            "`score_windows` needs a `window` column (the day) and returns one row per day and "
            "feature, with a `psi` column.",
            "`monitor_10.score_windows(control_days, tests=False)` scores the days; take the "
            "maximum of its `psi` column.",
            "monitor_10 = mon.DriftMonitor(n_bins=10).fit(reference[list(mon.INPUT_FEATURES)]); "
            'answer = float(monitor_10.score_windows(control_days, tests=False)["psi"].max())',
        ),
        # the 5-bin scale ((B - 1) = 4 instead of 9), or scaled the wrong way
        wrong=(lambda ref: ref * 4 / 9, lambda ref: ref * 9 / 4),
        predict=(
            "with 10 bins instead of 5, will the healthy control stream's largest daily PSI go "
            "up, go down or stay about the same, and by roughly what factor? (a str)"
        ),
    ),
    ConceptQuestion(
        id="06.c1",
        title="PSI rules of thumb",
        prompt=(
            "PSI < 0.1 'stable', 0.1-0.25 'moderate', > 0.25 'significant'. Why are these "
            "thresholds only rules of thumb?"
        ),
        options={
            "a": "PSI is bounded in [0, 1]: 0.25 means a quarter of the traffic moved, and that "
            "reading is only approximate.",
            "b": "They are the significance levels of a PSI test; 0.1 and 0.25 are loose, and "
            "0.05 would be the rigorous choice.",
            "c": "PSI has no p-value, and its healthy level depends on the bin count and window "
            "size; calibrate cut-offs on your own healthy traffic.",
            "d": "PSI changes with the feature's unit (Hz or kHz), so the cut-offs hold only for "
            "standardised features, not raw ones.",
        },
        key_digest="7d18678efe6ea2f2",
        hints=(
            "Compare the healthy control stream's PSI with 5 and with 10 bins (exercise 06.3).",
            "What is PSI's expected value when nothing moved? (`mon.expected_null_psi`)",
        ),
        explanation=(
            "(c). Under no drift PSI is about (B - 1)(1/n + 1/m): more bins or smaller windows "
            "give a higher PSI by chance alone, and PSI has no p-value of its own. The 0.1 / 0.25 "
            "cut-offs come from credit scoring (10 bins, large samples). PSI is not bounded "
            "(JS distance is), it is not a test level, and quantile bins make it independent of "
            "the unit."
        ),
    ),
    Exercise(
        id="06.4",
        title="a PSI threshold without false alarms",
        prompt=(
            "The `input_psi` rule alerts when `psi_max_input` (the largest input-feature PSI of a "
            "day) is above its threshold for `consecutive_windows` days in a row. Pick a "
            "threshold (a float, in PSI units) that raises no alert on the control stream "
            "(`tables['control']`) and still alerts on the data-drift stream "
            "(`tables['data_drift']`) on or after the onset day `onset`. "
            "`mon.consecutive_breaches(values, threshold, consecutive=...)` applies the rule."
        ),
        check=_check_psi_threshold,
        solution="""\
c = consecutive_windows
control, drifted = tables["control"], tables["data_drift"]
# the highest level each stream held for c days in a row
low = control["psi_max_input"].rolling(c).min().max()
runs = drifted["psi_max_input"].rolling(c).min()
high = runs[drifted["day_end"] >= onset].max()
answer = float((low + high) / 2)  # anything in [low, high) works
""",
        hints=(
            "Plot or print `tables['control']['psi_max_input']` and the same column of "
            "`tables['data_drift']`: the threshold must sit between the two.",
            "With c = consecutive_windows, a stream alerts at threshold t when c days in a row "
            "exceed t: `series.rolling(c).min().max()` is the highest level it held that long.",
            "low = control's `rolling(c).min().max()`; high = the same on the data-drift stream "
            "for windows ending on or after `onset`; any t with low <= t < high passes.",
        ),
        # "PSI should be 0 on healthy traffic"; the rule of thumb's 0.25 read as 25 %
        wrong=(0.0, 25.0),
    ),
    Exercise(
        id="06.5",
        title="detection delay per event",
        prompt=(
            "From `alerts` (one table per stream, ADWIN's `adwin_errors` rows included) and "
            "`mon.EVENT_RULES` (the rules meant to detect each event), compute each event's "
            "detection delay: the first `alert_day` of a rule meant for it, at or after the "
            "onset, minus the onset day (0 = raised at the end of the onset day). Answer with a "
            "list of 3 floats in days, [new microphone, meaning change, VAD fault]; use -1 for "
            "an event none of its rules caught."
        ),
        check=_check_delays,
        solution="""\
answer = []
for name in ("data_drift", "concept_drift", "pipeline_fault"):
    ev, a = events[name], alerts[name]
    meant = a[a["rule"].isin(mon.EVENT_RULES[ev.name]) & (a["alert_day"] >= ev.onset_day)]
    answer.append(float(meant["alert_day"].min() - ev.onset_day) if len(meant) else -1.0)
""",
        hints=(
            "`events['data_drift'].name` is the event's name, the key of `mon.EVENT_RULES`; "
            "`events[...].onset_day` its onset.",
            "Keep the rows of `alerts[stream]` whose `rule` is in the event's rules and whose "
            "`alert_day` is at least the onset; the earliest minus the onset is the delay.",
            "For the meaning change, `accuracy_low` counts although its labels arrive "
            "`label_delay_days` late: its `alert_day` already includes that delay.",
        ),
        # alert days instead of delays (onsets 10, 12, 14); counting the onset day as day 1
        wrong=(
            lambda ref: [d + onset for d, onset in zip(ref, (10, 12, 14), strict=True)],
            lambda ref: [d + 1 for d in ref],
        ),
    ),
    ConceptQuestion(
        id="06.c2",
        title="which metrics to monitor",
        prompt=(
            "The dashboards group metrics as software (latency, throughput, errors), input "
            "(duration, loudness, spectrum, PSI) and output (confidence, unknown rate, label "
            "PSI, accuracy). Which monitoring plan does this notebook support?"
        ),
        options={
            "a": "Software metrics: if latency, throughput and errors are healthy, the model is "
            "serving correctly and the rest is noise.",
            "b": "All three: software catches serving failures, inputs warn of data drift before "
            "labels come, outputs show what the inputs cannot.",
            "c": "Input metrics: anything that hurts the model first shows up as a shift in its "
            "inputs, so they give the earliest warning.",
            "d": "Accuracy alone: input and output distributions only add false alarms, while "
            "accuracy measures what the users feel.",
        },
        key_digest="669a127f4a08b711",
        hints=(
            "Which dashboard reacted to the meaning change, and which to the new microphone?",
            "Accuracy needs labels: how many days late does it arrive here?",
        ),
        explanation=(
            "(b). None of the events touched the software metrics, the meaning change left the "
            "inputs untouched, and accuracy comes label_delay_days late and only for labelled "
            "requests; each kind of metric sees failures the others miss, so a plan needs all "
            "three, each with a tuned threshold."
        ),
    ),
    Exercise(
        id="06.6",
        title="DDM's precision and recall",
        prompt=(
            "Score DDM's detections (`detections[(stream, 'ddm')]`, days) against the ground "
            "truth. Every event raises the error rate, so a detection is true when it falls on "
            "or after its stream's onset, false on the control stream or before the onset. "
            "Precision = true detections / all detections (0 if there are none); recall = "
            "events with at least one true detection / the 3 events. Answer with a list of 2 "
            "floats in [0, 1]: [precision, recall]."
        ),
        check=_check_ddm,
        solution="""\
true = false = caught = 0
for name, ev in events.items():
    onset_day = np.inf if ev is None else ev.onset_day
    days = np.asarray(detections[(name, "ddm")], dtype=float)
    true, false = true + (days >= onset_day).sum(), false + (days < onset_day).sum()
    caught += ev is not None and (days >= onset_day).any()
answer = [float(true / (true + false)) if true + false else 0.0, caught / 3]
""",
        hints=(
            "The control stream has no onset: every detection there is false.",
            "Loop over `events.items()`; for each stream count detections before and from "
            "the onset (`events[name].onset_day`).",
            "precision = true / (true + false) over all four streams; recall = caught / 3.",
        ),
        # in percent; recall over the four streams, control included
        wrong=(
            lambda ref: [ref[0] * 100, ref[1] * 100],
            lambda ref: [ref[0], ref[1] * 3 / 4],
        ),
    ),
    ConceptQuestion(
        id="06.c3",
        title="data drift or concept drift",
        prompt=(
            "In the `concept_drift` stream, users of a new client say 'one' and mean 7 (their "
            "keypad has rows swapped). What kind of change is it, and what can detect it?"
        ),
        options={
            "a": "Data drift: new users speak differently, so P(x) moved and the input PSI "
            "catches it within a day or two.",
            "b": "Label shift: P(y) changed with P(x|y) fixed, so the PSI of the predicted labels "
            "catches it without waiting for labels.",
            "c": "A pipeline fault: the recognizer now answers wrongly, so its confidence drops "
            "and the reject rate rises.",
            "d": "Concept drift: P(y|x) changed while P(x) did not; input and output "
            "distributions stay quiet, only labelled errors reveal it.",
        },
        key_digest="b8a6d568d08c5fcd",
        hints=(
            "Did the audio change? Did the model's answers change?",
            "What changed is the mapping from what was said to what was meant.",
        ),
        explanation=(
            "(d). The audio and the model's outputs are exactly those of healthy traffic; only "
            "the meaning, P(y|x), moved. No input or output distribution can show it: the "
            "errors do, once labels arrive. It is not label shift (P(y) with P(x|y) fixed) "
            "and not a fault: the recognizer is as confident as before, just wrong."
        ),
    ),
)


def exercises(namespace, *, mode: str = "learner") -> ExerciseSet:
    """Return the exercises of notebook 06, bound to the notebook's namespace.

    Parameters
    ----------
    namespace : mapping
        The notebook's globals (pass ``globals()``); the checks read this run's tables,
        alerts and detections from it.
    mode : {"learner", "solution"}, default="learner"
        ``learner``: the learner answers; ``solution``: each check runs the reference solution
        and the planted wrong answers (see :class:`mlkit.exercises.ExerciseSet`).

    Returns
    -------
    mlkit.exercises.ExerciseSet
        Six exercises (06.1-06.6) and three concept questions (06.c1-06.c3), in notebook order.

    Raises
    ------
    mlkit.errors.ParameterError
        If `mode` is not ``"learner"`` or ``"solution"``.

    Examples
    --------
    >>> ex = exercises({})
    >>> ex.ids[:3]
    ['06.1', '06.2', '06.3']
    """
    return ExerciseSet("06", ITEMS, namespace, mode=mode)
