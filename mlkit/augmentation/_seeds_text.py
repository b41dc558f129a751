"""What the repeats over seeds say: verdicts from intervals, the single split, the takeaways (sections 5-6)."""

from __future__ import annotations

from mlkit.augmentation._interval_text import _fmt, _side, _verdict

__all__ = [
    "describe_gains_over_seeds",
    "describe_size_vs_data",
    "describe_one_split",
    "describe_takeaways",
]


def describe_gains_over_seeds(summary, *, target_tag: str, names=("targeted", "unrealistic")):
    """Say in markdown what the repeated targeted-vs-unrealistic comparison shows.

    Parameters
    ----------
    summary : pandas.DataFrame
        :func:`summarise_over_seeds` of :func:`gains_over_seeds`, with rows ``{name}_gain``
        for both `names` and ``{first}_minus_{second}``.
    target_tag : str
        The targeted tag, named in the text.
    names : pair of str, default=("targeted", "unrealistic")
        The two augmentations compared.

    Returns
    -------
    str
        Markdown bullets: each augmentation's mean gain on `target_tag` with its interval and
        whether it is above 0, below 0 or not distinguishable from it; then whether the first
        beat the second, from the interval of their paired difference.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame(
    ...     {"n_seeds": 5, "mean": [0.1, 0.0, 0.1], "ci_low": [0.05, -0.03, 0.04],
    ...      "ci_high": [0.15, 0.03, 0.16], "n_positive": [5, 2, 5], "n_negative": [0, 2, 0]},
    ...     index=["targeted_gain", "unrealistic_gain", "targeted_minus_unrealistic"])
    >>> print(describe_gains_over_seeds(s, target_tag="people_noise"))  # doctest: +NORMALIZE_WHITESPACE
    - **targeted** copies changed *people_noise* dev accuracy by +0.100 (95 % interval +0.050 to +0.150; above 0 in 5 of 5 splits): above 0.
    - **unrealistic** copies changed *people_noise* dev accuracy by +0.000 (95 % interval -0.030 to +0.030; above 0 in 2 of 5 splits): not distinguishable from 0.
    - **targeted minus unrealistic**: +0.100 (95 % interval +0.040 to +0.160; above 0 in 5 of 5 splits): targeted augmentation beat unrealistic augmentation on every measure here.
    <BLANKLINE>
    On average over the splits, targeted copies raised *people_noise* more than unrealistic copies did (+0.100 accuracy), and the interval is clearly on one side of 0: beyond what the split moves.
    """
    first, second = names
    lines = [
        f"- **{name}** copies changed *{target_tag}* dev accuracy by "
        + _fmt(summary.loc[f"{name}_gain"])
        + f": {_verdict(summary.loc[f'{name}_gain'])}."
        for name in names
    ]
    diff = summary.loc[f"{first}_minus_{second}"]
    if _side(diff) == 1:
        end = f"{first} augmentation beat {second} augmentation"
        end += (
            " on every measure here" if diff["n_negative"] == 0 else ", though not on every split"
        )
    elif _side(diff) == -1:
        end = f"{second} augmentation beat {first} augmentation here"
    else:
        end = (
            f"the interval contains 0, so these {int(diff['n_seeds'])} splits cannot tell the two "
            "apart"
        )
    lines.append(f"- **{first} minus {second}**: " + _fmt(diff) + f": {end}.")
    more = "more" if diff["mean"] > 0 else "less" if diff["mean"] < 0 else "as much"
    if _side(diff):
        tail = ", and the interval is clearly on one side of 0: beyond what the split moves."
    else:
        tail = (
            "; the interval includes 0, so a difference is **not shown**: these splits cannot "
            "tell it apart from what the split alone moves."
        )
    lines.append(
        f"\nOn average over the splits, {first} copies raised *{target_tag}* {more} than "
        f"{second} copies did ({diff['mean']:+.3f} accuracy)" + tail
    )
    return "\n".join(lines)


def describe_size_vs_data(summary) -> str:
    """Say in markdown whether "more data helps a large model, can fail a small one" shows here.

    Parameters
    ----------
    summary : pandas.DataFrame
        :func:`summarise_over_seeds` of :func:`curve_gains_over_seeds`: rows
        ``curve_gain_small``, ``curve_gain_large`` and ``curve_gain_large_minus_small``.

    Returns
    -------
    str
        Markdown: each model's mean overall gain from the most augmented copies with its
        interval, then the verdict on the course's claim, part by part: *more data helps the
        large model* (its interval above 0), *it can fail to help the small one* (the small
        model's interval below 0), *the large model gains more* (the interval of the paired
        difference above 0). A part **shows** only when its interval is clearly on the claimed
        side of 0, is **contradicted** when clearly on the other, and is **not shown** when the
        interval includes 0. The claim shows in full, in part, or is not shown.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame(
    ...     {"n_seeds": 5, "mean": [0.00, 0.03, 0.03], "ci_low": [-0.02, 0.01, 0.0],
    ...      "ci_high": [0.02, 0.05, 0.06], "n_positive": [2, 5, 4], "n_negative": [2, 0, 1]},
    ...     index=["curve_gain_small", "curve_gain_large", "curve_gain_large_minus_small"])
    >>> print(describe_size_vs_data(s).splitlines()[-1])  # doctest: +NORMALIZE_WHITESPACE
    Over 5 speaker splits, the course's claim **shows only in part**: *more data helps the large model*: **shows** (the large model gained: interval clearly above 0); *it can fail to help the small one*: **not shown** (interval includes 0: cannot be told apart from no change); *the large model gains more than the small one*: **not shown** (interval includes 0: cannot be told apart from no change). On average the large model gained more from the augmented copies than the small one (+0.030 accuracy); the interval includes 0, so these splits cannot tell the two apart.
    """
    small, large = summary.loc["curve_gain_small"], summary.loc["curve_gain_large"]
    diff = summary.loc["curve_gain_large_minus_small"]
    lines = [
        "- **small** model (logistic regression on 13 MFCC means): overall "
        + _fmt(small) + ".",
        "- **large** model (RBF SVM on 144 MFCC features): overall "
        + _fmt(large) + ".",
        "- **large minus small**: " + _fmt(diff) + ".",
    ]  # fmt: skip
    helps_large = _side(large) == 1
    fails_small = _side(small) == -1
    more_for_large = _side(diff) == 1
    parts = [
        "*more data helps the large model*: " + _part(large, "the large model gained", "it lost"),
        "*it can fail to help the small one*: "
        + _part(small, "the small model lost accuracy", "it gained", below=True),
        "*the large model gains more than the small one*: "
        + _part(diff, "the difference is above 0", "the small model gained more"),
    ]
    n_shown = int(helps_large) + int(fails_small) + int(more_for_large)
    head = (
        "the course's claim **shows here in full**" if n_shown == 3
        else "the course's claim **shows only in part**" if n_shown
        else "the course's claim is **not shown here**"
    )  # fmt: skip
    verdict = f"Over {int(diff['n_seeds'])} speaker splits, {head}: " + "; ".join(parts) + "."
    more = "more" if diff["mean"] > 0 else "less" if diff["mean"] < 0 else "as much"
    verdict += (
        f" On average the large model gained {more} from the augmented copies than the small "
        f"one ({diff['mean']:+.3f} accuracy)"
        + (
            ", beyond what the split moves."
            if _side(diff)
            else "; the interval includes 0, so these splits cannot tell the two apart."
        )
    )
    return "\n".join(lines) + "\n\n" + verdict


def _part(row, shown: str, against: str, *, below: bool = False) -> str:
    """One part of a claim: **shows** only when the interval is clearly on the claimed side."""
    side = -_side(row) if below else _side(row)
    if side == 1:
        return f"**shows** ({shown}: interval clearly {'below' if below else 'above'} 0)"
    if side == -1:
        return f"**contradicted** ({against}: interval clearly {'above' if below else 'below'} 0)"
    return "**not shown** (interval includes 0: cannot be told apart from no change)"


def describe_one_split(comparison, *, target_tag: str, names=("targeted", "unrealistic")) -> str:
    """Say in markdown what the single split of :func:`compare_on_split` shows, and its limit.

    Parameters
    ----------
    comparison : pandas.DataFrame
        :func:`compare_on_split`: rows are tags and ``overall``, columns ``baseline`` and
        `names`.
    target_tag : str
        The targeted tag.
    names : sequence of str, default=("targeted", "unrealistic")
        The augmented models, columns of `comparison`.

    Returns
    -------
    str
        Markdown: per augmentation, the target tag's and overall dev accuracy before and after,
        and any other tag it lowered; then that one split is a few dozen clips per tag and the
        repeats over splits are what to trust.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"baseline": [0.9, 0.5, 0.8], "targeted": [0.85, 0.6, 0.8]},
    ...                  index=["clean", "noisy", "overall"])
    >>> print(describe_one_split(c, target_tag="noisy", names=["targeted"]).splitlines()[0])
    - **targeted** copies on this one split: *noisy* 0.500 → 0.600 (raised), overall 0.800 → 0.800 (unchanged); lowered *clean* 0.900 → 0.850.
    """

    def change(a, b):
        return "raised" if b > a else "lowered" if b < a else "unchanged"

    lines = []
    for name in names:
        col, base = comparison[name], comparison["baseline"]
        t, o = target_tag, "overall"
        text = (
            f"- **{name}** copies on this one split: *{t}* {base[t]:.3f} → {col[t]:.3f} "
            f"({change(base[t], col[t])}), overall {base[o]:.3f} → {col[o]:.3f} "
            f"({change(base[o], col[o])})"
        )
        hurt = [g for g in comparison.index if g not in (t, o) and col[g] < base[g]]
        if hurt:
            text += "; lowered " + ", ".join(f"*{g}* {base[g]:.3f} → {col[g]:.3f}" for g in hurt)
        lines.append(text + ".")
    lines.append(
        "\nOne split is one draw of held-out speakers, and which speakers are held out moves "
        "each tag's accuracy: do not conclude from it. The repeats over speaker splits below, "
        "with their intervals, are what to trust."
    )
    return "\n".join(lines)


def describe_takeaways(gain_summary, size_summary, *, target_tag: str, image_summary=None) -> str:
    """Say in markdown what this run's intervals over splits support, and what they do not.

    Parameters
    ----------
    gain_summary : pandas.DataFrame
        :func:`summarise_over_seeds` of :func:`gains_over_seeds` (rows ``targeted_gain``,
        ``unrealistic_gain``, ``targeted_minus_unrealistic``).
    size_summary : pandas.DataFrame
        :func:`summarise_over_seeds` of :func:`curve_gains_over_seeds`.
    target_tag : str
        The tag error analysis chose.
    image_summary : pandas.DataFrame, optional
        :func:`summarise_over_seeds` of :func:`image_gains_over_seeds` (section 7); when given,
        a last bullet says what the image track shows (:func:`describe_image_takeaway`).

    Returns
    -------
    str
        Markdown bullets: whether augmenting toward `target_tag` helped it beyond the split,
        whether stadium noise did, whether targeted beat unrealistic *in speech* (with the mean
        difference and its interval: realism **paid**, is **not shown** to pay, or **did not
        pay** on this corpus), whether more data helped either model, and, with
        `image_summary`, the image track; each says "shows" only when its interval is clearly
        on one side.

    Examples
    --------
    >>> import pandas as pd
    >>> g = pd.DataFrame({"mean": [0.06, 0.01, 0.05], "ci_low": [0.02, -0.01, 0.01],
    ...     "ci_high": [0.1, 0.03, 0.08]},
    ...     index=["targeted_gain", "unrealistic_gain", "targeted_minus_unrealistic"])
    >>> z = pd.DataFrame({"ci_low": [-0.05, 0.01], "ci_high": [0.02, 0.04]},
    ...     index=["curve_gain_small", "curve_gain_large"])
    >>> print(describe_takeaways(g, z, target_tag="noisy").splitlines()[0])
    - Augmenting toward *noisy*, the tag error analysis ranked first, **raised** its dev accuracy beyond the split (interval +0.020 to +0.100).
    """

    def iv(row):
        return f"interval {row['ci_low']:+.3f} to {row['ci_high']:+.3f}"

    tg, ug = gain_summary.loc["targeted_gain"], gain_summary.loc["unrealistic_gain"]
    diff = gain_summary.loc["targeted_minus_unrealistic"]
    word = {1: "**raised**", -1: "**lowered**"}
    lines = [
        f"- Augmenting toward *{target_tag}*, the tag error analysis ranked first, "
        + (f"{word[_side(tg)]} its dev accuracy beyond the split ({iv(tg)})." if _side(tg)
           else f"is **not shown** to change its dev accuracy on this run ({iv(tg)} includes "
           "0): error analysis says where to try, the measurement says whether it worked."),
        "- Unrealistic (stadium-noise) copies "
        + (f"{word[_side(ug)]} *{target_tag}* beyond the split ({iv(ug)})." if _side(ug)
           else f"are not shown to change *{target_tag}* ({iv(ug)} includes 0)."),
        "- **Speech** (section 5), targeted vs unrealistic: "
        + ("targeted copies **beat** unrealistic ones beyond the split" if _side(diff) == 1
           else "unrealistic copies **beat** targeted ones beyond the split" if _side(diff) == -1
           else "these splits **cannot tell them apart**")
        + f" (targeted minus stadium noise {diff['mean']:+.3f} on average, {iv(diff)}): "
        + {1: "in speech, on this corpus, realism **paid**.",
           -1: "in speech, on this corpus, realism **did not pay**.",
           0: "in speech, on this corpus, realism is **not shown** to pay."}[_side(diff)],
    ]  # fmt: skip
    for model in ("large", "small"):
        row = size_summary.loc[f"curve_gain_{model}"]
        lines.append(
            f"- More augmented data for the {model} model: "
            + (f"{word[_side(row)]} overall accuracy beyond the split" if _side(row)
               else "**not shown** to change overall accuracy")
            + f" ({iv(row)})."
        )  # fmt: skip
    if image_summary is not None:
        from mlkit.augmentation._images import describe_image_takeaway

        lines.append(describe_image_takeaway(image_summary))
    return "\n".join(lines)
