"""Look at and listen to clips: waveforms, spectrograms, the four conditions, audio players.

Plot functions return the matplotlib Axes or Figure and never call ``plt.show()``.
"""

from __future__ import annotations

import numpy as np

from mlkit._validation import check_int

__all__ = ["plot_waveform", "plot_spectrogram", "plot_conditions", "play"]

# Six bundled clips of six different speakers (never used as the plotted clip's own babble
# when the caller passes a clip from another source; pass babble_pool to control it).
_DEFAULT_BABBLE = (
    "clips/1_s02_0.flac",
    "clips/4_s04_1.flac",
    "clips/6_s06_2.flac",
    "clips/8_s08_3.flac",
    "clips/2_s10_4.flac",
    "clips/9_s12_5.flac",
)


def _new_axes(ax):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=(6, 2.5), layout="constrained")
    return ax


def _check_clip(clip, sample_rate_hz, func):
    from mlkit.audio import to_mono_float32

    sr = check_int(sample_rate_hz, "sample_rate_hz", min_value=1, func=func)
    return to_mono_float32(clip, name="clip"), sr


def plot_waveform(clip, *, sample_rate_hz: int, ax=None, title: str | None = None):
    """Plot amplitude against time.

    Parameters
    ----------
    clip : array-like of shape (n_samples,)
        Mono clip in [-1, 1].
    sample_rate_hz : int
        Sample rate of `clip`, in Hz.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is made when omitted.
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.axes.Axes
        Time in s on x, amplitude (full scale = 1) on y, limits [-1, 1].

    Raises
    ------
    ValueError
        If `clip` is invalid (see :func:`mlkit.audio.to_mono_float32`).
    """
    x, sr = _check_clip(clip, sample_rate_hz, "plot_waveform")
    ax = _new_axes(ax)
    ax.plot(np.arange(x.size) / sr, x, linewidth=0.6)
    ax.set(xlabel="time (s)", ylabel="amplitude", ylim=(-1.0, 1.0), xlim=(0, x.size / sr))
    if title:
        ax.set_title(title)
    return ax


def plot_spectrogram(
    clip,
    *,
    sample_rate_hz: int,
    ax=None,
    title: str | None = None,
    n_fft: int = 256,
    hop_length: int = 80,
    dynamic_range_db: float = 80.0,
):
    """Plot a log-power spectrogram (dB, time in s, frequency in Hz).

    Parameters
    ----------
    clip : array-like of shape (n_samples,)
        Mono clip in [-1, 1].
    sample_rate_hz : int
        Sample rate of `clip`, in Hz.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is made when omitted.
    title : str, optional
        Axes title.
    n_fft : int, default=256
        Hann window length in samples (32 ms at 8 kHz).
    hop_length : int, default=80
        Hop between windows in samples (10 ms at 8 kHz).
    dynamic_range_db : float, default=80.0
        Colours span this many dB below the loudest bin.

    Returns
    -------
    matplotlib.axes.Axes
        The image is ``ax.collections[0]``; power in dB relative to full scale.

    Raises
    ------
    ValueError
        If `clip` is invalid.
    """
    from scipy.signal import spectrogram

    x, sr = _check_clip(clip, sample_rate_hz, "plot_spectrogram")
    n_fft = min(check_int(n_fft, "n_fft", min_value=8, func="plot_spectrogram"), x.size)
    hop = min(check_int(hop_length, "hop_length", min_value=1, func="plot_spectrogram"), n_fft)
    f, t, power = spectrogram(
        x, fs=sr, window="hann", nperseg=n_fft, noverlap=n_fft - hop, mode="psd"
    )
    power_db = 10.0 * np.log10(power + 1e-12)
    vmax = float(power_db.max())
    ax = _new_axes(ax)
    ax.pcolormesh(
        t, f, power_db, shading="auto", vmin=vmax - dynamic_range_db, vmax=vmax, cmap="magma"
    )
    ax.set(xlabel="time (s)", ylabel="frequency (Hz)", ylim=(0, sr / 2))
    if title:
        ax.set_title(title)
    return ax


def plot_conditions(
    clip,
    *,
    sample_rate_hz: int,
    snr_db: float = 5.0,
    random_state=0,
    babble_pool=None,
):
    """Show one clip in the four conditions: waveforms (top row) and spectrograms (bottom).

    Parameters
    ----------
    clip : array-like of shape (n_samples,)
        Mono clean clip in [-1, 1].
    sample_rate_hz : int
        Sample rate of `clip`, in Hz.
    snr_db : float, default=5.0
        SNR, in dB, of the car and people noise.
    random_state : int, numpy.random.Generator or None, default=0
        Seeds the noise (see :func:`mlkit.audio.apply_condition`).
    babble_pool : sequence of array-like, optional
        Other speakers' clips for ``people_noise``. ``None`` uses six clips of six bundled
        speakers (s02, s04, ..., s12), which may include the clip's own speaker.

    Returns
    -------
    matplotlib.figure.Figure
        A 2 x 4 grid, one column per condition in :data:`mlkit.audio.CONDITIONS` order.

    Raises
    ------
    ValueError
        If `clip` is invalid or `babble_pool` holds fewer than 3 clips.
    """
    import matplotlib.pyplot as plt

    from mlkit.audio import CONDITIONS, apply_condition, read_audio

    x, sr = _check_clip(clip, sample_rate_hz, "plot_conditions")
    if babble_pool is None:
        from mlkit.paths import datasets_dir

        root = datasets_dir() / "speech"
        babble_pool = [read_audio(root / p, target_sample_rate_hz=sr)[0] for p in _DEFAULT_BABBLE]
    fig, axes = plt.subplots(2, 4, figsize=(14, 5), sharex=True, layout="constrained")
    for j, condition in enumerate(CONDITIONS):
        y = apply_condition(
            x,
            condition,
            sample_rate_hz=sr,
            snr_db=snr_db,
            random_state=random_state,
            babble_pool=babble_pool,
        )
        label = (
            condition if condition in ("clean", "low_bandwidth") else f"{condition} {snr_db:g} dB"
        )
        plot_waveform(y, sample_rate_hz=sr, ax=axes[0, j], title=label)
        plot_spectrogram(y, sample_rate_hz=sr, ax=axes[1, j])
        axes[0, j].set_xlabel("")
        if j:
            axes[0, j].set_ylabel("")
            axes[1, j].set_ylabel("")
    return fig


def play(clip, *, sample_rate_hz: int):
    """Display an audio player for `clip` in Jupyter; do nothing in headless runs.

    Parameters
    ----------
    clip : array-like of shape (n_samples,)
        Mono clip in [-1, 1].
    sample_rate_hz : int
        Sample rate of `clip`, in Hz.

    Returns
    -------
    IPython.display.Audio or None
        The player that was displayed, or ``None`` when headless
        (:func:`mlkit.recording.is_headless`), so executed notebooks carry no audio blobs.

    Raises
    ------
    ValueError
        If `clip` is invalid.
    """
    from mlkit.recording import is_headless

    x, sr = _check_clip(clip, sample_rate_hz, "play")
    if is_headless():
        return None
    from IPython.display import Audio, display

    player = Audio(x, rate=sr, normalize=False)
    display(player)
    return player
