"""Image augmentation: a new scanner, brightness/contrast copies and an unrealistic control.

Notebook 04, section "Images: a new scanner". The course's other augmentation example, on real
images that ship with scikit-learn (:func:`sklearn.datasets.load_digits`: 1,797 scanned
handwritten digits of 8 x 8 pixels). Production images come from a *new scanner*, simulated
here (:func:`simulate_new_scanner`, scenario in :data:`NEW_SCANNER`); the copies are made with
albumentations, the image counterpart of audiomentations: ``RandomBrightnessContrast`` matched to
the scanner's range (realistic, targeted) and ``VerticalFlip`` (a mirror image, which no scanner
produces: the unrealistic control). :func:`image_gains_over_seeds` repeats the comparison over
train/test splits, :func:`describe_image_augmentation` says what the intervals show and
:func:`describe_image_takeaway` sums them up in one sentence for the notebook's takeaways.

Every image here is a ``float32`` array of shape (8, 8) in [0, 1], the way a scanner delivers a
page: paper white is 1.0, ink black is 0.0.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import numpy as np

from mlkit._validation import check_float, check_int, check_one_of, check_random_state

__all__ = [
    "NEW_SCANNER",
    "IMAGE_AUGMENTATIONS",
    "IMAGE_ROLES",
    "IMAGE_COLUMNS",
    "load_scanned_digits",
    "simulate_new_scanner",
    "make_image_pipeline",
    "augment_images",
    "image_gains_over_seeds",
    "describe_image_augmentation",
    "describe_image_takeaway",
    "plot_scanner_examples",
]

NEW_SCANNER = {"contrast": (0.5, 0.8), "brightness": (-0.2, 0.0)}
"""The simulated new scanner: per page, ``clip(contrast * x + brightness, 0, 1)``.

Scenario, fixed before any result was seen: the office replaces its flatbed scanner with a
cheaper sheet-fed one whose lamp is dimmer and whose sensor has less dynamic range. Ink stays
black; the paper, white (1.0) on the old scanner, reads as a light to mid grey, from 0.3 (dimmest
page: contrast 0.5, brightness -0.2) to 0.8 (brightest: contrast 0.8, brightness 0.0), so
ink-to-paper contrast is 30-80 % of the old scanner's. Each page draws its own factor and offset
(lamp warm-up, paper shade), uniformly in the two ranges. Brightness is a fraction of full scale.
"""

IMAGE_AUGMENTATIONS = {
    # albumentations: out = (1 + c) * x + b * max_value, so contrast (1 + c) spans 0.5-1.0 and
    # brightness b spans -0.2-0.0: from the new scanner's darkest page to the old scanner.
    "brightness_contrast": {"brightness_limit": (-0.2, 0.0), "contrast_limit": (-0.5, 0.0)},
    "vertical_flip": {},
}
"""Parameters of the albumentations transform behind each image pipeline name."""

IMAGE_ROLES = {"targeted": "brightness_contrast", "unrealistic": "vertical_flip"}
"""Which pipeline plays which role in the comparison."""

IMAGE_COLUMNS = [
    "image_clean_accuracy",
    "image_new_scanner_accuracy",
    "image_scanner_drop",
    "image_targeted_gain",
    "image_unrealistic_gain",
    "image_targeted_minus_unrealistic",
]
"""Columns of :func:`image_gains_over_seeds` that the notebook summarises and records."""


def load_scanned_digits():
    """Load scikit-learn's scanned digits as page images: paper white 1.0, ink black 0.0.

    Returns
    -------
    images : ndarray of float32 of shape (1797, 8, 8)
        ``1 - load_digits().images / 16``: the dataset stores ink as 16 and paper as 0
        (32 x 32 bitmaps counted in 4 x 4 blocks); flipped to the way a scanner delivers a page.
    y : ndarray of int of shape (1797,)
        The digit, 0-9.

    Notes
    -----
    Source: the UCI "Optical Recognition of Handwritten Digits" data (Alpaydin and Kaynak,
    1998), shipped inside scikit-learn; nothing is downloaded.

    Examples
    --------
    >>> images, y = load_scanned_digits()
    >>> images.shape, images.dtype.name, float(images.max()), sorted(set(y.tolist()))[:3]
    ((1797, 8, 8), 'float32', 1.0, [0, 1, 2])
    """
    from sklearn.datasets import load_digits

    digits = load_digits()
    return (1.0 - digits.images / 16.0).astype(np.float32), digits.target.astype(int)


def _check_images(images, func):
    arr = np.asarray(images)
    if arr.ndim != 3 or arr.shape[0] == 0:
        raise ValueError(
            f"The 'images' parameter of {func} must have shape (n_images, height, width) with "
            f"n_images >= 1. Got shape {arr.shape} instead."
        )
    return arr.astype(np.float32, copy=False)


def simulate_new_scanner(images, *, contrast=NEW_SCANNER["contrast"],
                         brightness=NEW_SCANNER["brightness"], random_state=0):  # fmt: skip
    """Return the images as the new scanner would deliver them (a simulation).

    Parameters
    ----------
    images : array-like of shape (n_images, height, width)
        Old-scanner images in [0, 1], paper white 1.0.
    contrast : pair of float, default=NEW_SCANNER["contrast"]
        Range of the per-page contrast factor, each in (0, 2].
    brightness : pair of float, default=NEW_SCANNER["brightness"]
        Range of the per-page offset, in [-1, 1], as a fraction of full scale.
    random_state : int or numpy.random.Generator, default=0
        Seeds the per-page draws.

    Returns
    -------
    ndarray of float32 of shape (n_images, height, width)
        ``clip(a * x + b, 0, 1)`` with ``a`` and ``b`` drawn uniformly per page.

    Raises
    ------
    ValueError
        If `images` is not 3-D and non-empty, or a range is outside its bounds or reversed.

    Notes
    -----
    The scanner is numpy, the augmentation albumentations; both are the same linear family
    (albumentations' ``RandomBrightnessContrast`` computes ``(1 + c) * x + b``), so the targeted
    copies are realistic *by construction* here. With real new-scanner pages, realism would be
    measured, for example on their paper-white levels.

    Examples
    --------
    >>> page = np.ones((1, 2, 2), np.float32)
    >>> out = simulate_new_scanner(page, contrast=(0.5, 0.5), brightness=(-0.1, -0.1))
    >>> out[0].astype(float).round(3).tolist()
    [[0.4, 0.4], [0.4, 0.4]]
    """
    func = "simulate_new_scanner"
    x = _check_images(images, func)
    lo_a, hi_a = (check_float(v, "contrast", low=0, high=2, inclusive=(False, True), func=func)
                  for v in contrast)  # fmt: skip
    lo_b, hi_b = (check_float(v, "brightness", low=-1, high=1, func=func) for v in brightness)
    if lo_a > hi_a or lo_b > hi_b:
        raise ValueError(
            f"The ranges of {func} must be (low, high) with low <= high. Got contrast="
            f"{tuple(contrast)} and brightness={tuple(brightness)} instead."
        )
    rng = check_random_state(random_state)
    a = rng.uniform(lo_a, hi_a, size=(len(x), 1, 1))
    b = rng.uniform(lo_b, hi_b, size=(len(x), 1, 1))
    return np.clip(a * x + b, 0.0, 1.0).astype(np.float32)


def make_image_pipeline(name: str, *, random_state: int = 0):
    """Return a seeded ``albumentations.Compose`` for one of :data:`IMAGE_AUGMENTATIONS`.

    Parameters
    ----------
    name : {"brightness_contrast", "vertical_flip"}
        ``RandomBrightnessContrast`` over the range from the new scanner's darkest page to the
        old scanner (realistic), or ``VerticalFlip`` (a mirror image: unrealistic).
    random_state : int, default=0
        Seed of the pipeline's own generator (albumentations' ``Compose(seed=...)``).

    Returns
    -------
    albumentations.Compose
        Applies its transform to every image (``p=1``).

    Raises
    ------
    ValueError
        If `name` is not a known pipeline.

    Notes
    -----
    albumentations checks PyPI for a newer version on import unless ``NO_ALBUMENTATIONS_UPDATE``
    is set; the kit sets it (if unset) so that runs stay offline and quiet.
    """
    check_one_of(name, "name", IMAGE_AUGMENTATIONS, func="make_image_pipeline")
    seed = check_int(random_state, "random_state", min_value=0, func="make_image_pipeline")
    os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")
    import albumentations as A

    kind = {"brightness_contrast": A.RandomBrightnessContrast, "vertical_flip": A.VerticalFlip}
    return A.Compose([kind[name](p=1.0, **IMAGE_AUGMENTATIONS[name])], seed=seed)


def augment_images(images, name: str, *, augment_factor: int = 2, random_state: int = 0):
    """Return `augment_factor` augmented copies of every image, and where each copy comes from.

    Parameters
    ----------
    images : array-like of shape (n_images, height, width)
        Images in [0, 1].
    name : {"brightness_contrast", "vertical_flip"}
        The pipeline (:func:`make_image_pipeline`).
    augment_factor : int, default=2
        Copies per image, >= 1.
    random_state : int, default=0
        Seeds the pipeline; the same seed gives the same copies.

    Returns
    -------
    copies : ndarray of float32 of shape (n_images * augment_factor, height, width)
        Copy ``k`` of image ``i`` is row ``i * augment_factor + k``.
    source : ndarray of int of shape (n_images * augment_factor,)
        The row of `images` each copy was made from.

    Raises
    ------
    ValueError
        If `images` is not 3-D and non-empty, `name` is unknown or `augment_factor` < 1.

    Examples
    --------
    >>> copies, source = augment_images(np.ones((2, 8, 8)), "vertical_flip", augment_factor=3)
    >>> copies.shape, source.tolist()
    ((6, 8, 8), [0, 0, 0, 1, 1, 1])
    """
    x = _check_images(images, "augment_images")
    k = check_int(augment_factor, "augment_factor", min_value=1, func="augment_images")
    pipeline = make_image_pipeline(name, random_state=random_state)
    source = np.repeat(np.arange(len(x)), k)
    copies = np.stack([pipeline(image=np.ascontiguousarray(x[i]))["image"] for i in source])
    return np.clip(copies, 0.0, 1.0).astype(np.float32), source


def _fit_predict(X, y, X_tests):
    from sklearn.svm import SVC

    model = SVC().fit(X.reshape(len(X), -1), y)
    return [model.predict(t.reshape(len(t), -1)) for t in X_tests]


def image_gains_over_seeds(images, y, new_scanner_images, *, augmented: Mapping,
                           n_seeds: int = 5, test_size: float = 0.3, random_state: int = 0):  # fmt: skip
    """Measure, over `n_seeds` train/test splits, what the new scanner and each augmentation do.

    Each repeat ``r`` splits the images (stratified by digit, seed ``random_state + r``), trains
    an RBF SVM (scikit-learn's defaults) on the clean training images alone and on them plus
    each augmentation's copies *of those training images*, and scores the test images as the old
    scanner delivered them and as the new scanner does.

    Parameters
    ----------
    images : array-like of shape (n_images, height, width)
        Old-scanner images, in [0, 1].
    y : array-like of shape (n_images,)
        Labels.
    new_scanner_images : array-like of shape (n_images, height, width)
        The same pages from the new scanner (:func:`simulate_new_scanner`).
    augmented : mapping with keys "targeted" and "unrealistic"
        Each a pair ``(copies, source)`` from :func:`augment_images` of `images`.
    n_seeds : int, default=5
        Repeats, >= 2.
    test_size : float, default=0.3
        Share of images held out for testing, in (0, 1).
    random_state : int, default=0
        Seed of repeat 0.

    Returns
    -------
    pandas.DataFrame of shape (n_seeds, 10)
        ``seed``, ``n_test``; accuracies ``image_clean_accuracy`` (old scanner),
        ``image_new_scanner_accuracy`` and ``image_{role}_accuracy`` (new scanner), and the
        differences ``image_scanner_drop`` (clean minus new), ``image_{role}_gain`` (new-scanner
        accuracy with the copies minus without) and ``image_targeted_minus_unrealistic``.

    Raises
    ------
    ValueError
        If shapes disagree, `augmented` lacks a role, or a parameter is out of range.

    Notes
    -----
    Test pages differ between repeats but every repeat draws from the same 1,797 pages, so the
    repeats are not independent and the interval over them is approximate.
    """
    import pandas as pd
    from sklearn.model_selection import train_test_split

    func = "image_gains_over_seeds"
    x, scanned = _check_images(images, func), _check_images(new_scanner_images, func)
    y = np.asarray(y)
    if scanned.shape != x.shape or len(y) != len(x):
        raise ValueError(
            f"The inputs of {func} must describe the same images. Got images {x.shape}, "
            f"new_scanner_images {scanned.shape} and {len(y)} labels instead."
        )
    missing = sorted(set(IMAGE_ROLES) - set(augmented))
    if missing:
        raise ValueError(
            f"The 'augmented' parameter of {func} must have the keys {sorted(IMAGE_ROLES)}. "
            f"Got {sorted(augmented)} instead (missing {missing})."
        )
    n = check_int(n_seeds, "n_seeds", min_value=2, func=func)
    share = check_float(test_size, "test_size", low=0, high=1, inclusive=(False, False), func=func)
    start = check_int(random_state, "random_state", min_value=0, func=func)
    rows = []
    for r in range(n):
        train, test = train_test_split(
            np.arange(len(x)), test_size=share, stratify=y, random_state=start + r
        )
        clean_pred, new_pred = _fit_predict(x[train], y[train], [x[test], scanned[test]])
        row = {
            "seed": start + r,
            "n_test": len(test),
            "image_clean_accuracy": float(np.mean(clean_pred == y[test])),
            "image_new_scanner_accuracy": float(np.mean(new_pred == y[test])),
        }
        for role in IMAGE_ROLES:
            copies, source = augmented[role]
            use = np.isin(source, train)
            X_aug = np.concatenate([x[train], np.asarray(copies)[use]])
            y_aug = np.concatenate([y[train], y[np.asarray(source)[use]]])
            (pred,) = _fit_predict(X_aug, y_aug, [scanned[test]])
            row[f"image_{role}_accuracy"] = float(np.mean(pred == y[test]))
        rows.append(row)
    out = pd.DataFrame(rows)
    out["image_scanner_drop"] = out["image_clean_accuracy"] - out["image_new_scanner_accuracy"]
    for role in IMAGE_ROLES:
        out[f"image_{role}_gain"] = (
            out[f"image_{role}_accuracy"] - out["image_new_scanner_accuracy"]
        )
    out["image_targeted_minus_unrealistic"] = (
        out["image_targeted_gain"] - out["image_unrealistic_gain"]
    )
    return out


def describe_image_augmentation(summary) -> str:
    """Say in markdown what the new scanner and the two augmentations did, from the intervals.

    Parameters
    ----------
    summary : pandas.DataFrame
        :func:`summarise_over_seeds` of :func:`image_gains_over_seeds`, with the rows
        :data:`IMAGE_COLUMNS`.

    Returns
    -------
    str
        Markdown bullets: the new scanner's cost, each augmentation's gain on new-scanner pages
        and their difference, each with its mean, 95 % interval and a verdict read from the
        interval (above 0, below 0 or not distinguishable from 0). When the realistic copies'
        gain is above 0 the text says whether they win back "most" (more than half) or "only
        part" of the new scanner's mean drop.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = ["image_clean_accuracy", "image_new_scanner_accuracy", "image_scanner_drop",
    ...         "image_targeted_gain", "image_unrealistic_gain",
    ...         "image_targeted_minus_unrealistic"]
    >>> s = pd.DataFrame({"n_seeds": 5, "mean": [0.99, 0.6, 0.39, 0.35, -0.01, 0.36],
    ...     "ci_low": [0.98, 0.5, 0.3, 0.3, -0.03, 0.3], "ci_high": [1.0, 0.7, 0.45, 0.4, 0.01, 0.4],
    ...     "n_positive": [5, 5, 5, 5, 2, 5], "n_negative": [0, 0, 0, 0, 3, 0]}, index=rows)
    >>> print(describe_image_augmentation(s))  # doctest: +NORMALIZE_WHITESPACE
    - **New scanner**: test accuracy fell from 0.990 on the old scanner's pages to 0.600 on the new scanner's, a change of -0.390 (95 % interval -0.450 to -0.300): the new scanner **hurts** the model.
    - **Brightness/contrast copies** (realistic, matched to the scanner's range) changed new-scanner accuracy by +0.350 (95 % interval +0.300 to +0.400; above 0 in 5 of 5 splits): above 0; on average they win back most of what the new scanner cost (90% of the drop).
    - **Vertical-flip copies** (unrealistic: no scanner mirrors a page) changed it by -0.010 (95 % interval -0.030 to +0.010; above 0 in 2 of 5 splits): not distinguishable from 0.
    - **Realistic minus unrealistic**: +0.360 (95 % interval +0.300 to +0.400; above 0 in 5 of 5 splits): the realistic copies helped more than the unrealistic ones, beyond what the split moves.
    """
    from mlkit.augmentation._interval_text import _fmt, _side, _verdict

    clean, new = summary.loc["image_clean_accuracy"], summary.loc["image_new_scanner_accuracy"]
    drop = summary.loc["image_scanner_drop"]
    change = {1: "the new scanner **hurts** the model", 0: "the new scanner's cost is **not "
              "distinguishable from 0** on these splits", -1: "the new scanner's pages scored "
              "**higher**"}[_side(drop)]  # fmt: skip
    lines = [
        f"- **New scanner**: test accuracy fell from {clean['mean']:.3f} on the old scanner's "
        f"pages to {new['mean']:.3f} on the new scanner's, a change of {0.0 - drop['mean']:+.3f} "
        f"(95 % interval {0.0 - drop['ci_high']:+.3f} to {0.0 - drop['ci_low']:+.3f}): {change}."
    ]
    if drop["mean"] <= 0:
        lines[0] = lines[0].replace("fell from", "went from")
    targeted = summary.loc["image_targeted_gain"]
    verdict = _verdict(targeted)
    share = _share_of_drop(targeted, drop)
    if share is not None:
        verdict += (
            f"; on average they win back {'most' if share > 0.5 else 'only part'} of what the "
            f"new scanner cost ({share:.0%} of the drop)"
        )
    lines.append(
        "- **Brightness/contrast copies** (realistic, matched to the scanner's range) changed "
        f"new-scanner accuracy by {_fmt(targeted)}: {verdict}."
    )
    unrealistic = summary.loc["image_unrealistic_gain"]
    lines.append(
        "- **Vertical-flip copies** (unrealistic: no scanner mirrors a page) changed it by "
        f"{_fmt(unrealistic)}: {_verdict(unrealistic)}."
    )
    diff = summary.loc["image_targeted_minus_unrealistic"]
    end = {
        1: "the realistic copies helped more than the unrealistic ones, beyond what the split "
        "moves",
        0: "the interval contains 0, so these splits cannot tell the two apart",
        -1: "the unrealistic copies helped more, beyond what the split moves",
    }[_side(diff)]
    lines.append(f"- **Realistic minus unrealistic**: {_fmt(diff)}: {end}.")
    return "\n".join(lines)


def _share_of_drop(targeted, drop):
    """Share of the new scanner's mean drop that the realistic copies win back, or None.

    None unless the copies' gain is clearly above 0 and the scanner cost accuracy on average:
    the same rule for section 7's bullets and the takeaway, so the two cannot disagree.
    """
    from mlkit.augmentation._interval_text import _side

    if _side(targeted) == 1 and drop["mean"] > 0:
        return float(targeted["mean"] / drop["mean"])
    return None


def describe_image_takeaway(summary) -> str:
    """Say in one markdown bullet what the image track (section 7) shows, for the takeaways.

    Parameters
    ----------
    summary : pandas.DataFrame
        :func:`summarise_over_seeds` of :func:`image_gains_over_seeds`, with the rows
        :data:`IMAGE_COLUMNS`.

    Returns
    -------
    str
        One bullet: that the new scanner is simulated in the same brightness/contrast family as
        the copies; what the brightness/contrast copies did to new-scanner accuracy (**raised**,
        **lowered** or **not shown** to change it, read from the interval; when raised, whether
        they win back "most" or "only part" of the scanner's mean drop, as section 7 says), what
        the vertical-flip copies did, and whether realism paid *in images*: **paid** when the
        interval of realistic minus unrealistic is above 0, **not shown** to pay when it
        includes 0, **did not pay** when it is below 0.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = ["image_clean_accuracy", "image_new_scanner_accuracy", "image_scanner_drop",
    ...         "image_targeted_gain", "image_unrealistic_gain",
    ...         "image_targeted_minus_unrealistic"]
    >>> s = pd.DataFrame({"n_seeds": 5, "mean": [0.99, 0.6, 0.39, 0.35, -0.01, 0.36],
    ...     "ci_low": [0.98, 0.5, 0.3, 0.3, -0.03, 0.3], "ci_high": [1.0, 0.7, 0.45, 0.4, 0.01, 0.4],
    ...     "n_positive": [5, 5, 5, 5, 2, 5], "n_negative": [0, 0, 0, 0, 3, 0]}, index=rows)
    >>> print(describe_image_takeaway(s))  # doctest: +NORMALIZE_WHITESPACE
    - **Images** (section 7; the new scanner is simulated, in the same brightness/contrast family as the copies): brightness/contrast copies **raised** new-scanner accuracy (+0.350, interval +0.300 to +0.400), winning back most of the scanner's 0.390 drop (90%); vertical-flip copies are **not shown** to change it (-0.010, interval -0.030 to +0.010 includes 0); realistic minus unrealistic +0.360 (interval +0.300 to +0.400): in images, realism **paid** beyond what the split moves.
    """
    from mlkit.augmentation._interval_text import _side

    def iv(row):
        return f"interval {row['ci_low']:+.3f} to {row['ci_high']:+.3f}"

    def effect(row, what):
        if _side(row) == 0:
            return f"are **not shown** to change {what} ({row['mean']:+.3f}, {iv(row)} includes 0)"
        word = "**raised**" if _side(row) == 1 else "**lowered**"
        return f"{word} {what} ({row['mean']:+.3f}, {iv(row)})"

    drop = summary.loc["image_scanner_drop"]
    targeted = summary.loc["image_targeted_gain"]
    diff = summary.loc["image_targeted_minus_unrealistic"]
    realistic = "brightness/contrast copies " + effect(targeted, "new-scanner accuracy")
    share = _share_of_drop(targeted, drop)
    if share is not None:
        realistic += (
            f", winning back {'most' if share > 0.5 else 'only part'} of the scanner's "
            f"{drop['mean']:.3f} drop ({share:.0%})"
        )
    flips = "vertical-flip copies " + effect(summary.loc["image_unrealistic_gain"], "it")
    paid = {
        1: "in images, realism **paid** beyond what the split moves",
        0: "these splits cannot tell the two apart, so in images realism is **not shown** to pay",
        -1: "the flips helped more, so in images realism **did not pay**",
    }[_side(diff)]
    return (
        "- **Images** (section 7; the new scanner is simulated, in the same brightness/contrast "
        f"family as the copies): {realistic}; {flips}; realistic minus unrealistic "
        f"{diff['mean']:+.3f} ({iv(diff)}): {paid}."
    )


def plot_scanner_examples(images, new_scanner_images, augmented: Mapping, *, n_examples=6):
    """Plot a few pages: old scanner, new scanner, and one copy of each augmentation.

    Parameters
    ----------
    images, new_scanner_images : array-like of shape (n_images, height, width)
        Old- and new-scanner images, in [0, 1].
    augmented : mapping of str to (copies, source)
        :func:`augment_images` results by role (:data:`IMAGE_ROLES`).
    n_examples : int, default=6
        Pages shown (the first ones), >= 1.

    Returns
    -------
    matplotlib.figure.Figure
        One row per version, grey levels on a fixed 0 (black) to 1 (white) scale so that a
        darker page looks darker.
    """
    import matplotlib.pyplot as plt

    k = check_int(n_examples, "n_examples", min_value=1, func="plot_scanner_examples")
    x = _check_images(images, "plot_scanner_examples")
    rows = {"old scanner": x, "new scanner": _check_images(new_scanner_images, "")}
    for role, (copies, source) in augmented.items():
        first = np.searchsorted(np.asarray(source), np.arange(len(x)))  # first copy of each
        rows[f"{role}: {IMAGE_ROLES.get(role, role)}"] = np.asarray(copies)[first]
    fig, axes = plt.subplots(len(rows), k, figsize=(1.3 * k, 1.45 * len(rows)), squeeze=False)
    for ax_row, (label, imgs) in zip(axes, rows.items(), strict=True):
        for j, ax in enumerate(ax_row):
            ax.imshow(imgs[j], cmap="gray", vmin=0.0, vmax=1.0)
            ax.set_xticks([])
            ax.set_yticks([])
        ax_row[0].set_ylabel(label, rotation=0, ha="right", va="center", fontsize=9)
    fig.suptitle("The same pages, old scanner vs new (simulated), and augmented copies")
    fig.tight_layout()
    return fig
