"""Plots, players and prose of notebook 04: examples, the SNR panel, tag bars, learning curves."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from mlkit.augmentation._pipelines import augment, make_pipeline
from mlkit.augmentation._transforms import prepare_clip

__all__ = [
    "NOISE_KINDS",
    "SNR_GRID_DB",
    "augment_examples",
    "plot_augmentations",
    "play_examples",
    "augment_at_snrs",
    "plot_noisy_example",
    "plot_tag_comparison",
    "plot_learning_curves",
    "describe_curves",
    "describe_augmentation_snr",
]

NOISE_KINDS = ("car_noise", "people_noise", "gaussian_snr", "stadium_noise")
"""The noise kinds of :func:`make_pipeline`, shown at each SNR of :data:`SNR_GRID_DB`."""

SNR_GRID_DB = (-10.0, -7.5, -5.0, -2.5, 0.0, 2.5, 5.0, 7.5, 10.0, 12.5, 15.0, 17.5, 20.0)
"""SNRs in dB precomputed by :func:`augment_at_snrs`: from production's loudest noise to quiet."""


def augment_examples(
    clip, pipelines: Mapping[str, object], *, sample_rate_hz: int, random_state=0
) -> dict:
    """Return a clip and its augmented versions, keyed by name, the original first.

    Parameters
    ----------
    clip : array-like of shape (n_samples,)
        The clean clip (any dtype :func:`prepare_clip` accepts), at 8000 Hz.
    pipelines : mapping of str to callable
        Name -> pipeline; each is applied with :func:`augment` and `random_state`.
    sample_rate_hz : int
        Sample rate of `clip`, in Hz (8000).
    random_state : int, default=0
        Seeds every pipeline (the same seed for each).

    Returns
    -------
    dict of str to ndarray of shape (n_samples,), dtype float32
        ``{"original": clip, name: augmented, ...}``.

    Raises
    ------
    ValueError
        If `clip` is invalid or not at 8000 Hz, or a name is ``"original"``.
    """
    if "original" in pipelines:
        raise ValueError("augment_examples reserves the name 'original'. Rename that pipeline.")
    x = prepare_clip(clip, sample_rate_hz=sample_rate_hz)
    out = {"original": x}
    for name, pipe in pipelines.items():
        out[name] = augment(x, pipe, sample_rate_hz=sample_rate_hz, random_state=random_state)
    return out


def plot_augmentations(examples: Mapping[str, np.ndarray], *, sample_rate_hz: int):
    """Show clips (for example from :func:`augment_examples`) as a grid of spectrograms.

    Parameters
    ----------
    examples : mapping of str to array-like of shape (n_samples_i,)
        Title -> clip.
    sample_rate_hz : int
        Sample rate of every clip, in Hz.

    Returns
    -------
    matplotlib.figure.Figure
        Up to 4 spectrograms (dB, 80 dB range, frequency in Hz against time in s) per row.

    Raises
    ------
    ValueError
        If `examples` is empty or a clip is invalid.
    """
    import matplotlib.pyplot as plt

    from mlkit.viz import plot_spectrogram

    if not examples:
        raise ValueError("plot_augmentations needs at least one clip. Got an empty mapping.")
    n_cols = min(4, len(examples))
    n_rows = int(np.ceil(len(examples) / n_cols))
    fig, axes = plt.subplots(
        n_rows,
        n_cols,
        figsize=(3.4 * n_cols, 2.3 * n_rows),
        sharex=True,
        sharey=True,
        layout="constrained",
        squeeze=False,
    )
    for ax, (name, y) in zip(axes.flat, examples.items(), strict=False):
        plot_spectrogram(y, sample_rate_hz=sample_rate_hz, ax=ax, title=name)
    for ax in axes.flat[len(examples) :]:
        ax.set_visible(False)
    for ax in axes.flat:
        if not ax.get_subplotspec().is_first_col():
            ax.set_ylabel("")
        if not ax.get_subplotspec().is_last_row():
            ax.set_xlabel("")
    return fig


def play_examples(examples: Mapping[str, np.ndarray], *, sample_rate_hz: int) -> int:
    """Display a labelled audio player per clip in Jupyter; display nothing when headless.

    Parameters
    ----------
    examples : mapping of str to array-like of shape (n_samples_i,)
        Label -> clip.
    sample_rate_hz : int
        Sample rate of every clip, in Hz.

    Returns
    -------
    int
        Number of players displayed (0 in headless runs, see :func:`mlkit.is_headless`).

    Notes
    -----
    Players go through :func:`mlkit.viz.play`, once, outside any widget callback: an audio
    player inside an ``interact`` callback can deadlock a headless kernel.
    """
    from mlkit.recording import is_headless

    if is_headless():
        return 0
    from IPython.display import Markdown, display

    from mlkit.viz import play

    for name, clip in examples.items():
        display(Markdown(f"**{name}**"))
        play(clip, sample_rate_hz=sample_rate_hz)
    return len(examples)


def augment_at_snrs(
    clip,
    *,
    sample_rate_hz: int,
    kinds: Sequence[str] = NOISE_KINDS,
    snr_grid_db: Sequence[float] = SNR_GRID_DB,
    babble_pool: Sequence | None = None,
    random_state=0,
) -> dict:
    """Return a clip with each kind of noise added at each SNR of a grid.

    Precomputes every version a noise-level control can show, so that redrawing is cheap.

    Parameters
    ----------
    clip : array-like of shape (n_samples,)
        The clean clip (any dtype :func:`prepare_clip` accepts), at 8000 Hz.
    sample_rate_hz : int
        Sample rate of `clip`, in Hz (8000).
    kinds : sequence of str, default=NOISE_KINDS
        Noise kinds of :func:`make_pipeline` (``car_noise``, ``people_noise``,
        ``gaussian_snr``, ``stadium_noise``).
    snr_grid_db : sequence of float, default=SNR_GRID_DB
        SNRs in dB; each version uses ``snr_db_range=(snr, snr)``.
    babble_pool : sequence of array-like of shape (n_samples_i,), optional
        At least 3 clips of other speakers; required for ``people_noise``.
    random_state : int, default=0
        Seeds every version (the same seed for each, as :func:`augment`).

    Returns
    -------
    dict of (str, float) to ndarray of shape (n_samples,), dtype float32
        ``{(kind, snr_db): noisy clip}``, kinds outermost.

    Raises
    ------
    ValueError
        If a kind is unknown, ``people_noise`` lacks a babble pool, or `clip` is invalid.

    Examples
    --------
    >>> clip = np.sin(np.linspace(0, 100, 800)).astype(np.float32) / 2
    >>> noisy = augment_at_snrs(clip, sample_rate_hz=8000, kinds=["gaussian_snr"],
    ...                         snr_grid_db=[0.0, 10.0])
    >>> sorted(noisy)
    [('gaussian_snr', 0.0), ('gaussian_snr', 10.0)]
    """
    grid = np.asarray(snr_grid_db, dtype=float)
    return {
        (kind, float(snr)): augment(
            clip,
            make_pipeline(kind, snr_db_range=(snr, snr), babble_pool=babble_pool),
            sample_rate_hz=sample_rate_hz,
            random_state=random_state,
        )
        for kind in kinds
        for snr in grid
    }


def plot_noisy_example(
    noisy: Mapping[tuple, np.ndarray], *, kind: str, snr_db: float, sample_rate_hz: int
):
    """Plot the waveform and spectrogram of one version from :func:`augment_at_snrs`.

    Parameters
    ----------
    noisy : mapping of (str, float) to array-like of shape (n_samples,)
        As returned by :func:`augment_at_snrs`.
    kind : str
        Noise kind to show.
    snr_db : float
        Wanted SNR in dB; the nearest SNR of the grid is shown, the title names `snr_db`.
    sample_rate_hz : int
        Sample rate of the clips, in Hz.

    Returns
    -------
    matplotlib.figure.Figure
        Waveform (left) and spectrogram (right).

    Raises
    ------
    KeyError
        If `noisy` holds no version of `kind`.

    Examples
    --------
    >>> clip = np.sin(np.linspace(0, 100, 800)).astype(np.float32) / 2
    >>> noisy = augment_at_snrs(clip, sample_rate_hz=8000, kinds=["gain"], snr_grid_db=[0.0])
    >>> fig = plot_noisy_example(noisy, kind="gain", snr_db=3.0, sample_rate_hz=8000)
    >>> fig.axes[0].get_title()
    'gain at 3 dB SNR'
    """
    import matplotlib.pyplot as plt

    from mlkit.viz import plot_spectrogram, plot_waveform

    grid = np.array(sorted(s for k, s in noisy if k == kind))
    if grid.size == 0:
        raise KeyError(f"plot_noisy_example got no version of {kind!r}. Compute it first.")
    fig, axes = plt.subplots(1, 2, figsize=(9, 2.6), layout="constrained")
    clip = noisy[(kind, float(grid[np.argmin(np.abs(grid - snr_db))]))]
    plot_waveform(
        clip, sample_rate_hz=sample_rate_hz, ax=axes[0], title=f"{kind} at {snr_db:g} dB SNR"
    )
    plot_spectrogram(clip, sample_rate_hz=sample_rate_hz, ax=axes[1])
    return fig


def plot_tag_comparison(table, *, target_tag: str | None = None):
    """Plot per-tag dev accuracy for each training set as grouped bars.

    Parameters
    ----------
    table : pandas.DataFrame
        As returned by :func:`compare_augmentations` (rows tags, columns training sets).
    target_tag : str, optional
        Tag to highlight (bold tick label with an arrow).

    Returns
    -------
    matplotlib.figure.Figure
        Accuracy in [0, 1] on y, one group of bars per tag.
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 3.2), layout="constrained")
    n = len(table.columns)
    width = 0.8 / n
    pos = np.arange(len(table.index))
    for j, col in enumerate(table.columns):
        bars = ax.bar(pos + (j - (n - 1) / 2) * width, table[col].to_numpy(), width, label=col)
        ax.bar_label(bars, fmt="%.2f", fontsize=7, padding=1)
    labels = [f"▶ {t}" if t == target_tag else str(t) for t in table.index]
    ax.set_xticks(pos, labels)
    for tick, t in zip(ax.get_xticklabels(), table.index, strict=True):
        if t == target_tag:
            tick.set_fontweight("bold")
    ax.set(ylabel="dev accuracy", ylim=(0, 1.08))
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, title="training set")
    return fig


def plot_learning_curves(curves, *, confidence: float = 0.95):
    """Plot dev accuracy against training-set size for each model size.

    Parameters
    ----------
    curves : pandas.DataFrame
        As returned by :func:`augmentation_learning_curves` (one split), or by
        :func:`curves_over_seeds` (a ``seed`` column: several splits).
    confidence : float, default=0.95
        Coverage of the band drawn around the mean over splits (t-interval, as
        :func:`summarise_over_seeds`); ignored for one split.

    Returns
    -------
    matplotlib.figure.Figure
        Left: overall dev accuracy; right: dev accuracy on the targeted tag. One line per
        model size, points labelled with the augmentation factor; over several splits the line
        is the mean against the mean training-set size, with a shaded interval.
    """
    import matplotlib.pyplot as plt
    from scipy import stats

    by = ["size", "augment_factor"]
    grouped = curves.groupby(by, sort=False)
    mean = grouped[["n_train", "accuracy", "accuracy_target"]].mean().reset_index()
    n = grouped.size().to_numpy()
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.4), sharey=True, layout="constrained")
    for ax, col, title in zip(
        axes, ("accuracy", "accuracy_target"), ("all dev clips", "targeted tag"), strict=True
    ):
        sd = grouped[col].std(ddof=1).to_numpy()
        half = np.where(n > 1, stats.t.ppf(0.5 + confidence / 2, np.maximum(n - 1, 1)), 0.0)
        half = np.nan_to_num(half * sd / np.sqrt(n))
        for size in mean["size"].unique():
            rows = (mean["size"] == size).to_numpy()
            part = mean[rows]
            (line,) = ax.plot(part["n_train"], part[col], marker="o", label=f"{size} model")
            if (n[rows] > 1).any():
                ax.fill_between(
                    part["n_train"], part[col] - half[rows], part[col] + half[rows],
                    color=line.get_color(), alpha=0.15, linewidth=0,
                )  # fmt: skip
            for _, r in part.iterrows():
                ax.annotate(
                    f"×{r['augment_factor']}",
                    (r["n_train"], r[col]),
                    textcoords="offset points",
                    xytext=(0, 6),
                    ha="center",
                    fontsize=7,
                    color=line.get_color(),
                )
        ax.set(xlabel="training clips (real + augmented)", title=title)
        ax.margins(x=0.08, y=0.15)
    splits = (
        f"mean of {int(n.max())} splits, {confidence:.0%} interval shaded" if n.max() > 1 else ""
    )
    axes[0].set_ylabel("dev accuracy" + (f"\n({splits})" if splits else ""))
    axes[0].legend(fontsize=8)
    return fig


def describe_curves(curves) -> str:
    """Summarise learning curves in one markdown sentence per model size, from the numbers.

    Parameters
    ----------
    curves : pandas.DataFrame
        As returned by :func:`augmentation_learning_curves`.

    Returns
    -------
    str
        Markdown bullets: overall and targeted-tag accuracy change from the smallest to the
        largest augmentation factor, and whether the other tags lost accuracy.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"size": ["small", "small"], "augment_factor": [0, 2],
    ...                   "n_train": [10, 20], "accuracy": [0.5, 0.4],
    ...                   "accuracy_target": [0.3, 0.5], "accuracy_other": [0.6, 0.4]})
    >>> print(describe_curves(c))
    - **small** model, ×0 → ×2 augmented copies: overall -0.100, targeted tag +0.200, other tags -0.200 (more data hurt the other tags).
    """
    lines = []
    for size, part in curves.groupby("size", sort=False):
        part = part.sort_values("augment_factor")
        first, prev, last = part.iloc[0], part.iloc[max(len(part) - 2, 0)], part.iloc[-1]
        d_all, d_tgt, d_oth = (
            last[c] - first[c] for c in ("accuracy", "accuracy_target", "accuracy_other")
        )
        verdict = (
            "more data hurt the other tags"
            if d_oth < -0.01
            else "the other tags held"
            if d_oth <= 0.01
            else "the other tags gained too"
        )
        lines.append(
            f"- **{size}** model, ×{first['augment_factor']} → ×{last['augment_factor']} augmented "
            f"copies: overall {d_all:+.3f}, targeted tag {d_tgt:+.3f}, other tags {d_oth:+.3f} ({verdict})"
            + (
                f"; last step ×{prev['augment_factor']} → ×{last['augment_factor']}: overall "
                f"{last['accuracy'] - prev['accuracy']:+.3f}."
                if len(part) > 2
                else "."
            )
        )
    return "\n".join(lines)


def describe_augmentation_snr(
    *, production_snr_db: float, augment_snr_db: float, condition: str = "people_noise"
) -> str:
    """Say how well people recognise digits at production's and the augmentation's lowest SNR.

    Parameters
    ----------
    production_snr_db : float
        Lowest SNR of production's noise, in dB (the corpus's ``snr_db_range[0]``).
    augment_snr_db : float
        Lowest SNR the augmentation draws, in dB.
    condition : {"car_noise", "people_noise"}, default="people_noise"
        The noise, which sets the speech-band SNR (:func:`mlkit.data.effective_snr_db`).

    Returns
    -------
    str
        One markdown sentence with both recognition rates, from
        :func:`mlkit.data.human_recognition_probability` (a published digits-in-noise curve).

    Examples
    --------
    >>> print(describe_augmentation_snr(production_snr_db=-10.0, augment_snr_db=0.0))
    At production's lowest SNR (-10 dB) simulated listeners name 64 % of *people_noise* digits; at the augmentation's lowest (0 dB), 99 %, so they pass the course's checklist: copies *a person still recognises*.
    """
    from mlkit.data import effective_snr_db, human_recognition_probability

    snr = np.array([production_snr_db, augment_snr_db], dtype=float)
    p = human_recognition_probability(effective_snr_db(snr, np.array([condition] * 2)))
    verdict = (
        "they pass the course's checklist: copies *a person still recognises*"
        if p[1] >= 0.95
        else "copies that noisy fail the course's checklist: a person may not recognise them"
    )
    return (
        f"At production's lowest SNR ({production_snr_db:g} dB) simulated listeners name "
        f"{p[0]:.0%} of *{condition}* digits; at the augmentation's lowest ({augment_snr_db:g} dB), "
        f"{p[1]:.0%}, so {verdict}."
    ).replace("%", " %")
