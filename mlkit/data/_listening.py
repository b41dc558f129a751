"""Measure your own HLP: listen to clips, type the digit, compare with the simulated team.

Section 3 of ``notebooks/02_data.ipynb`` ("Measure your own HLP"). The logic (choosing the
clips, scoring the answers, the comparison table) is plain functions, tested without a
browser; :func:`listening_test_widget` wires them to ipywidgets and :func:`show_listening_test`
displays it (or a short note in headless runs).

Browser test: the text boxes are labelled ``clip 1``, ``clip 2``, ... (their ipywidgets
``description``), the button ``Score my answers``; after a click the result box shows a table
whose header contains ``your accuracy``.
"""

from __future__ import annotations

import numpy as np

from mlkit._stats import wilson_interval
from mlkit._validation import check_int, check_random_state, check_tags
from mlkit.data._checks import _check_digits, _tag_order

__all__ = [
    "BUTTON_DESCRIPTION",
    "choose_listening_clips",
    "parse_answers",
    "score_listening",
    "listening_table",
    "listening_test_widget",
    "show_listening_test",
]

BUTTON_DESCRIPTION = "Score my answers"
"""The description (visible label) of the listening test's button."""

_WORDS = {
    w: d
    for d, w in enumerate(
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    )
}
_WORDS["oh"] = 0


def choose_listening_clips(tags, *, n_per_tag: int = 20, random_state=0) -> np.ndarray:
    """Choose clips for a listening test: the same number per tag, in a random (blind) order.

    Parameters
    ----------
    tags : array-like of str of shape (n_samples,)
        Condition of each clip.
    n_per_tag : int, default=20
        Clips per tag (>= 1); a tag with fewer clips contributes all of them.
    random_state : int, numpy.random.Generator or None, default=0
        Seeds the choice and the order.

    Returns
    -------
    ndarray of int of shape (n_chosen,)
        Positions into `tags`, shuffled so that the listener cannot tell the tag from the
        position.

    Raises
    ------
    ValueError
        If `tags` is empty or `n_per_tag` < 1.

    Examples
    --------
    >>> pos = choose_listening_clips(["a"] * 5 + ["b"] * 5, n_per_tag=2, random_state=0)
    >>> sorted(np.asarray(["a"] * 5 + ["b"] * 5)[pos].tolist())
    ['a', 'a', 'b', 'b']
    """
    func = "choose_listening_clips"
    k = check_int(n_per_tag, "n_per_tag", min_value=1, func=func)
    arr = np.asarray(tags, dtype=object)
    if arr.size == 0:
        raise ValueError(f"{func} needs at least one clip. Got no tags. Pass one tag per clip.")
    t = check_tags(arr, arr.size, func)
    rng = check_random_state(random_state)
    chosen = []
    for tag in _tag_order(t):
        members = np.flatnonzero(t == tag)
        chosen.append(rng.choice(members, size=min(k, members.size), replace=False))
    return rng.permutation(np.concatenate(chosen)).astype(np.int64)


def parse_answers(answers) -> np.ndarray:
    """Turn typed answers into digits: ``"7"``, ``" seven "`` -> 7; blank -> -2 (no answer).

    Parameters
    ----------
    answers : sequence of str, int or None
        One answer per clip: a digit 0-9 or its English word, or blank/None when skipped.

    Returns
    -------
    ndarray of int64 of shape (n_clips,)
        The digit, or -2 for a skipped clip.

    Raises
    ------
    ValueError
        If an answer is neither a digit, a digit word nor blank; the message names the clip
        (counted from 1, as the text boxes are).

    Examples
    --------
    >>> parse_answers(["7", " Five", "", None, 3]).tolist()
    [7, 5, -2, -2, 3]
    """
    out = []
    for k, a in enumerate(answers, start=1):
        text = "" if a is None else str(a).strip().lower()
        if text == "":
            out.append(-2)
        elif text.isdigit() and len(text) == 1:
            out.append(int(text))
        elif text in _WORDS:
            out.append(_WORDS[text])
        else:
            raise ValueError(
                f"The answer to clip {k} must be one digit 0-9 (or its word). Got {a!r} "
                "instead. Type your best guess; leave the box empty to skip the clip."
            )
    return np.asarray(out, dtype=np.int64)


def score_listening(answers, y_true, *, tags):
    """Score a listener's answers per tag, with a Wilson 95 % interval.

    Parameters
    ----------
    answers : sequence of str, int or None of shape (n_clips,)
        The listener's answers (see :func:`parse_answers`); skipped clips are not scored.
    y_true : array-like of int of shape (n_clips,)
        The digit spoken in each clip.
    tags : array-like of str of shape (n_clips,)
        Condition of each clip.

    Returns
    -------
    pandas.DataFrame
        Index: each tag (:data:`mlkit.audio.CONDITIONS` order), then ``overall``; columns
        ``n_clips``, ``n_answered``, ``n_correct``, ``accuracy`` (correct / answered, NaN
        when none answered), ``ci_low``, ``ci_high`` (Wilson interval, NaN when none).

    Raises
    ------
    ValueError
        If the lengths differ, `y_true` is not digits or an answer is not a digit.

    Examples
    --------
    >>> t = score_listening(["1", "2", "", "4"], [1, 3, 3, 4], tags=["a", "a", "b", "b"])
    >>> t[["n_answered", "n_correct"]].to_dict("index")["overall"]
    {'n_answered': 3, 'n_correct': 2}
    """
    import pandas as pd

    func = "score_listening"
    y = _check_digits(y_true, "y_true", func)
    got = parse_answers(answers)
    if got.size != y.size:
        raise ValueError(
            f"{func} needs one answer per clip. Got {got.size} answers for {y.size} clips. "
            "Pass the answers in the order the clips were played."
        )
    t = check_tags(tags, y.size, func)
    rows = {}
    for name in [*_tag_order(t), "overall"]:
        mask = np.ones(y.size, bool) if name == "overall" else t == name
        answered = mask & (got != -2)
        n_ans, n_ok = int(answered.sum()), int((answered & (got == y)).sum())
        low, high = wilson_interval(n_ok, n_ans) if n_ans else (np.nan, np.nan)
        rows[name] = {
            "n_clips": int(mask.sum()),
            "n_answered": n_ans,
            "n_correct": n_ok,
            "accuracy": n_ok / n_ans if n_ans else np.nan,
            "ci_low": float(low),
            "ci_high": float(high),
        }
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "tag"
    return out


def listening_table(scores, hlp):
    """Set a listener's accuracy per tag next to the simulated team's HLP on the same clips.

    Parameters
    ----------
    scores : pandas.DataFrame
        As from :func:`score_listening`.
    hlp : pandas.DataFrame
        As from :func:`estimate_hlp` on the same clips (column ``hlp_accuracy``).

    Returns
    -------
    pandas.DataFrame
        Index: the tags of `scores`, then ``overall``; columns ``your accuracy``,
        ``your 95 % interval`` (text), ``answered``, ``simulated team (estimate_hlp)`` and
        ``you minus team``.

    Examples
    --------
    >>> import pandas as pd
    >>> s = score_listening(["1", "2"], [1, 3], tags=["a", "a"])
    >>> h = pd.DataFrame({"hlp_accuracy": [0.9, 0.9]}, index=["a", "overall"])
    >>> listening_table(s, h).loc["a", "you minus team"]
    np.float64(-0.4)
    """
    import pandas as pd

    team = hlp["hlp_accuracy"].reindex(scores.index)
    interval = [
        "-" if np.isnan(lo) else f"{lo:.0%} to {hi:.0%}"
        for lo, hi in zip(scores["ci_low"], scores["ci_high"], strict=True)
    ]
    return pd.DataFrame(
        {
            "your accuracy": scores["accuracy"],
            "your 95 % interval": interval,
            "answered": scores["n_answered"].astype(str) + " / " + scores["n_clips"].astype(str),
            "simulated team (estimate_hlp)": team,
            "you minus team": (scores["accuracy"] - team).round(4),
        },
        index=scores.index,
    )


def listening_test_widget(clips, positions, *, y_true, tags, hlp, sample_rate_hz: int):
    """Build the listening test: one player and one text box per clip, a button, a result box.

    Parameters
    ----------
    clips : sequence of array-like of shape (n_samples_clip,)
        All clips of the corpus (mono, in [-1, 1]).
    positions : array-like of int of shape (n_chosen,)
        The clips to play, in order (:func:`choose_listening_clips`).
    y_true : array-like of int of shape (n_clips,)
        The digit of every clip (indexed by `positions`).
    tags : array-like of str of shape (n_clips,)
        The condition of every clip.
    hlp : pandas.DataFrame
        :func:`estimate_hlp` on the chosen clips, shown next to the listener's accuracy.
    sample_rate_hz : int
        Sample rate of the clips, in Hz.

    Returns
    -------
    ipywidgets.VBox
        Children: instructions (HTML), the clips (a VBox of rows, each an Output holding the
        player of :func:`mlkit.viz.play` and a Text described ``clip k``), the button
        (:data:`BUTTON_DESCRIPTION`) and the result (HTML: the table of
        :func:`listening_table`, or the error for an answer that is not a digit). Set the
        text boxes' ``value`` and call the button's ``click()`` to drive it from code.
    """
    import ipywidgets as widgets

    from mlkit.viz import play

    pos = np.asarray(positions, dtype=np.int64)
    y = np.asarray(y_true)[pos]
    t = np.asarray(tags).astype(str)[pos]
    rows, boxes = [], []
    for k, i in enumerate(pos, start=1):
        player = widgets.Output()
        with player:
            play(clips[i], sample_rate_hz=sample_rate_hz)
        box = widgets.Text(description=f"clip {k}", placeholder="digit 0-9")
        boxes.append(box)
        rows.append(widgets.HBox([box, player]))
    button = widgets.Button(description=BUTTON_DESCRIPTION, button_style="primary")
    result = widgets.HTML(value="")

    def on_click(_):
        try:
            scores = score_listening([b.value for b in boxes], y, tags=t)
        except ValueError as err:
            result.value = f"<p><b>Check your answers:</b> {err}</p>"
            return
        table = listening_table(scores, hlp)
        result.value = table.to_html(float_format=lambda v: f"{v:.1%}", na_rep="-")

    button.on_click(on_click)
    intro = widgets.HTML(
        value=(
            f"<p>{len(pos)} clips in random order. Play each, type the digit you hear (your "
            "best guess when unsure; leave empty to skip), then press "
            f"<b>{BUTTON_DESCRIPTION}</b>.</p>"
        )
    )
    return widgets.VBox([intro, widgets.VBox(rows), button, result])


def show_listening_test(clips, positions, *, y_true, tags, hlp, sample_rate_hz: int):
    """Display the listening test in JupyterLab, or a short note in headless runs.

    Parameters
    ----------
    clips, positions, y_true, tags, hlp, sample_rate_hz
        As for :func:`listening_test_widget`.

    Returns
    -------
    ipywidgets.VBox or None
        The displayed widget, or ``None`` when headless (:func:`mlkit.is_headless`).
    """
    from IPython.display import Markdown, display

    from mlkit.recording import is_headless

    if is_headless():
        display(
            Markdown(
                f"*Listening test skipped: this is a headless run. Open the notebook in "
                f"JupyterLab (`mlkit lab`) to listen to these {len(positions)} clips and set "
                "your own accuracy next to the simulated team's.*"
            )
        )
        return None
    box = listening_test_widget(
        clips, positions, y_true=y_true, tags=tags, hlp=hlp, sample_rate_hz=sample_rate_hz
    )
    display(box)
    return box
