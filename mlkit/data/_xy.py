"""Define x and y: what a clip is, what its label is, one example per condition (section 1)."""

from __future__ import annotations

import numpy as np

from mlkit.data._labelers import UNINTELLIGIBLE

__all__ = ["describe_xy", "example_positions", "plot_clip_examples"]


def describe_xy(speech) -> str:
    """Describe the input x and the label y of a speech data set in one line.

    Parameters
    ----------
    speech : mlkit.datasets.SpeechData
        Loaded clips with ``metadata["duration_s"]``, ``y`` and ``sample_rate_hz``.

    Returns
    -------
    str
        ``"x: 480 clips, float32 at 8000 Hz, 0.26-0.76 s long; y: digits [0, ..., 9] plus
        UNINTELLIGIBLE = -1"``.

    Examples
    --------
    >>> from mlkit.datasets import load_speech
    >>> describe_xy(load_speech(n_clips=40, random_state=0))[:35]
    'x: 40 clips, float32 at 8000 Hz, 0.'
    """
    duration_s = speech.metadata["duration_s"]
    return (
        f"x: {len(speech)} clips, float32 at {speech.sample_rate_hz} Hz, "
        f"{duration_s.min():.2f}-{duration_s.max():.2f} s long; "
        f"y: digits {sorted(set(speech.y.tolist()))} plus UNINTELLIGIBLE = {UNINTELLIGIBLE}"
    )


def example_positions(tags, *, conditions=None) -> list[int]:
    """Return the position of the first clip of each recording condition.

    Parameters
    ----------
    tags : array-like of shape (n_samples,)
        Condition tag per clip.
    conditions : sequence of str, optional
        Conditions in display order; default :data:`mlkit.audio.CONDITIONS`.

    Returns
    -------
    list of int
        One position per condition, in the order of `conditions`.

    Raises
    ------
    ValueError
        If a condition has no clip.

    Examples
    --------
    >>> example_positions(["car_noise", "clean", "clean"], conditions=("clean", "car_noise"))
    [1, 0]
    """
    if conditions is None:
        from mlkit.audio import CONDITIONS as conditions
    tags = np.asarray(tags)
    out = []
    for c in conditions:
        found = np.flatnonzero(tags == c)
        if found.size == 0:
            raise ValueError(
                f"example_positions needs at least one clip of each condition. Got none of {c!r}. "
                "Pass conditions= with the conditions present."
            )
        out.append(int(found[0]))
    return out


def plot_clip_examples(clips, positions, *, sample_rate_hz: int, titles=None, figsize=(14, 4.8)):
    """Draw chosen clips side by side: waveform on top, spectrogram below.

    Parameters
    ----------
    clips : sequence of ndarray of shape (n_samples_i,)
        Mono float clips.
    positions : sequence of int
        Which clips to draw, left to right.
    sample_rate_hz : int
        Their sample rate, in Hz.
    titles : sequence of str, optional
        One title per drawn clip, above its waveform.
    figsize : tuple of float, default=(14, 4.8)
        Figure size in inches.

    Returns
    -------
    ndarray of matplotlib.axes.Axes of shape (2, n_positions)
        Row 0 the waveforms, row 1 the spectrograms.

    Examples
    --------
    >>> clip = np.sin(np.linspace(0, 400, 4000)).astype(np.float32)
    >>> plot_clip_examples([clip, clip], [0, 1], sample_rate_hz=8000).shape
    (2, 2)
    """
    import matplotlib.pyplot as plt

    from mlkit import viz

    _, axes = plt.subplots(
        2, len(positions), figsize=figsize, sharex=True, layout="constrained", squeeze=False
    )
    for j, i in enumerate(positions):
        title = None if titles is None else titles[j]
        viz.plot_waveform(clips[i], sample_rate_hz=sample_rate_hz, ax=axes[0, j], title=title)
        viz.plot_spectrogram(clips[i], sample_rate_hz=sample_rate_hz, ax=axes[1, j])
    return axes
