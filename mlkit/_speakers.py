"""Who is speaking: the one speaker split of the kit and what a corpus's speakers can show.

Shared layer: imports no phase. Public through `mlkit.datasets`.
"""

from __future__ import annotations

import numpy as np

from mlkit._validation import check_float, check_random_state

__all__ = [
    "speaker_split",
    "describe_voices",
]


def speaker_split(
    speakers, *, unseen_share: float = 0.25, seen_test_share: float = 0.25, random_state=0
) -> dict:
    """Split clips so that whole speakers are held out (unseen) and the rest split by clip.

    Parameters
    ----------
    speakers : array-like of shape (n_samples,)
        Speaker of each clip.
    unseen_share : float, default=0.25
        Share of speakers (at least one, and at least one kept) whose clips all go to
        ``"unseen"``: the dev set of speaker-grouped evaluation, like new users in production.
    seen_test_share : float, default=0.25
        Share of the remaining speakers' clips held out as ``"seen"``, stratified by speaker.
    random_state : int or numpy.random.Generator, default=0
        Seeds the choice of speakers and clips.

    Returns
    -------
    dict of str to ndarray of int
        Sorted positions for ``"train"``, ``"seen"`` (held-out clips of training speakers) and
        ``"unseen"`` (clips of held-out speakers); also ``"unseen_speakers"``, their names.

    Raises
    ------
    ValueError
        If fewer than two speakers are given or a share is outside (0, 1).

    Examples
    --------
    >>> parts = speaker_split(list("aaaabbbbccccdddd"), random_state=0)
    >>> [len(parts[k]) for k in ("train", "seen", "unseen")]
    [9, 3, 4]
    """
    unseen_share = check_float(
        unseen_share, "unseen_share", low=0, high=1, inclusive=(False, False), func="speaker_split"
    )
    seen_test_share = check_float(
        seen_test_share,
        "seen_test_share",
        low=0,
        high=1,
        inclusive=(False, False),
        func="speaker_split",
    )
    rng = check_random_state(random_state)
    spk = np.asarray(speakers, dtype=object)
    if spk.ndim != 1:
        raise ValueError(
            "The 'speakers' parameter of speaker_split must be 1-D (one entry per sample). "
            f"Got an array of shape {spk.shape} instead."
        )
    spk = spk.astype(str)
    names = np.unique(spk)
    if names.size < 2:
        raise ValueError(
            "speaker_split needs clips of at least two speakers (one to train on, one unseen). "
            f"Got {names.size} speaker(s)."
        )
    n_unseen = int(np.clip(round(unseen_share * names.size), 1, names.size - 1))
    unseen_names = np.sort(rng.choice(names, size=n_unseen, replace=False))
    unseen = np.flatnonzero(np.isin(spk, unseen_names))
    train, seen = [], []
    for name in names:
        if name in unseen_names:
            continue
        members = rng.permutation(np.flatnonzero(spk == name))
        k = int(round(seen_test_share * members.size))
        seen.append(members[:k])
        train.append(members[k:])
    return {
        "train": np.sort(np.concatenate(train)),
        "seen": np.sort(np.concatenate(seen)),
        "unseen": unseen,
        "unseen_speakers": unseen_names.tolist(),
    }


def describe_voices(metadata) -> str:
    """Say in one markdown paragraph what the speakers of a corpus are, and what slices can show.

    Parameters
    ----------
    metadata : pandas.DataFrame
        Clip metadata of :func:`load_speech`, with columns ``speaker``, ``voice``, ``accent``,
        ``gender`` and ``source``.

    Returns
    -------
    str
        For the bundled corpus: the speakers are espeak-ng synthesizer presets, so a slice by
        speaker, accent or gender compares presets (formant settings), not people, and cannot
        show how the model treats real groups. For real recordings: how many speakers, genders
        and accents there are, and which slices are impossible (one gender, one accent) or
        rest on very few speakers.

    Raises
    ------
    ValueError
        If a required column is missing.

    Examples
    --------
    >>> import pandas as pd
    >>> meta = pd.DataFrame({"speaker": ["a", "b"], "voice": ["human"] * 2,
    ...                      "accent": ["USA", "USA"], "gender": ["male", "male"],
    ...                      "source": ["fsdd-layout"] * 2})
    >>> print(describe_voices(meta))  # doctest: +NORMALIZE_WHITESPACE
    **Who is speaking.** 2 real speakers (recordings of people). All are male, so a slice by
    gender is impossible: nothing here says how the model does for other genders. All share
    one accent (USA), so a slice by accent is impossible. With 2 speakers, a per-speaker
    number describes one person, not a group.
    """
    need = {"speaker", "voice", "accent", "gender", "source"}
    missing = sorted(need - set(metadata.columns))
    if missing:
        raise ValueError(
            f"describe_voices needs the metadata columns {sorted(need)}; missing {missing}. "
            "Pass the metadata of mlkit.datasets.load_speech."
        )
    speakers = metadata.drop_duplicates("speaker")
    n = len(speakers)
    if (metadata["source"] == "bundled").all():
        genders = speakers["gender"].value_counts()
        accents = speakers["accent"].nunique()
        return (
            f"**Who is speaking.** {n} synthetic voices: espeak-ng synthesizer presets "
            f"(formant settings labelled {', '.join(f'{k} {v}' for k, v in genders.items())}, "
            f"{accents} accent presets), not people. A slice by speaker, accent or gender "
            "here compares synthesizer presets: it shows the method of a slice audit and how "
            "unequal a model can be across voices, but nothing about how the model treats real "
            "groups of people. Audit real recordings before drawing such a conclusion."
        )
    parts = [
        f"**Who is speaking.** {n} real speaker{'s' if n != 1 else ''} (recordings of people)."
    ]
    genders = sorted(speakers["gender"].astype(str).unique())
    if len(genders) == 1:
        parts.append(
            f"All are {genders[0]}, so a slice by gender is impossible: nothing here says how "
            "the model does for other genders."
        )
    accents = sorted(speakers["accent"].astype(str).unique())
    if len(accents) == 1:
        parts.append(f"All share one accent ({accents[0]}), so a slice by accent is impossible.")
    elif len(accents) >= n:
        parts.append(
            "Each accent has one speaker, so a slice by accent cannot tell accent from person."
        )
    if n < 10:
        parts.append(f"With {n} speakers, a per-speaker number describes one person, not a group.")
    return " ".join(parts)
