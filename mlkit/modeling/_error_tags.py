"""Hand-made error tags read back from ``error_tags.csv`` (section 4, "Look at the mistakes").

The round trip: the tagging widget (:func:`error_tagging_widget`) or a headless run
(:func:`save_error_tags`) writes the error sample to ``error_tags.csv``; the learner edits its
``manual_tags`` (and ``note``) column, in the widget or a spreadsheet; a run with the notebook
parameter ``error_tags_csv`` reads the file back with :func:`load_error_tags`, which checks
every row before the tags reach the per-tag error table (:func:`error_tag_shares`).
"""

from __future__ import annotations

import re

import numpy as np

from mlkit._validation import check_same_length
from mlkit.modeling._checks import _check_label_pair
from mlkit.modeling._error_sample import MANUAL_TAGS, sample_errors

__all__ = ["load_error_tags"]

_TAG_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_MAX_PROBLEMS = 10


def _check_known_tags(known_tags) -> tuple[str, ...]:
    if isinstance(known_tags, str):
        raise TypeError(
            "The 'known_tags' parameter of load_error_tags must be a sequence of tag names, "
            f"not one str. Got {known_tags!r}; pass {known_tags.split(',')!r} instead."
        )
    known = tuple(str(t) for t in known_tags)
    bad = [t for t in known if not _TAG_NAME.match(t)]
    if not known or bad:
        raise ValueError(
            "The 'known_tags' parameter of load_error_tags must hold at least one tag name of "
            f"lower-case letters, digits and '_' (starting with a letter). Got {list(known)} "
            "instead."
        )
    return known


def _read_rows(path):
    """Return the header and ``(line, row dict)`` pairs of a CSV file (line: 1-based, header = 1)."""
    import csv

    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        try:
            header = reader.fieldnames
            rows = [(reader.line_num, row) for row in reader]
        except csv.Error as exc:
            raise ValueError(
                f"Error tag file {path} is not a readable CSV file (line {reader.line_num}: "
                f"{exc}). Save it again from the tagging widget or a spreadsheet as CSV."
            ) from None
    return header or [], rows


def load_error_tags(path, y_true, y_pred, metadata, *, known_tags=MANUAL_TAGS):
    """Read hand-made error tags from a CSV file and join them to this run's errors.

    Only the columns ``clip_id`` (required), ``manual_tags`` (required: tags separated by
    commas, possibly empty) and ``note`` (optional, free text) are read; the automatic tag
    columns a saved sample also holds are recomputed from `metadata`, so editing them in the
    file changes nothing. Every row of the file counts as one error the learner looked at:
    the result has one row per file row, in file order, so the per-tag shares of
    :func:`error_tag_shares` are shares of the errors tagged.

    Parameters
    ----------
    path : path-like
        The tag file, as written by :func:`save_error_tags` or the tagging widget's "save
        tags" button (then edited). UTF-8, with a header row.
    y_true, y_pred : array-like of shape (n_samples,)
        True labels and this run's predictions of every clip (in the notebook, the
        out-of-fold predictions ``oof``): a clip of the file must be misclassified here.
    metadata : pandas.DataFrame of shape (n_samples, n_columns)
        The clips' metadata in the same order, with a ``clip_id`` column (see
        :func:`sample_errors` for the other columns used).
    known_tags : sequence of str, default=MANUAL_TAGS
        The manual tags a file may use (the tags the widget offered); anything else is
        refused as a typo.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`sample_errors` (``dev_index`` renamed ``index``: the clip's
        row position in the dataset), one row per file row, with ``manual_tags`` (normalised:
        stripped, no empty entries, joined by ``,``) and ``note`` from the file.

    Raises
    ------
    FileNotFoundError
        If `path` does not exist.
    ValueError
        If the file is not CSV, has no ``clip_id`` or ``manual_tags`` column or no rows, or
        if rows name an empty, unknown (not in `metadata`), repeated or correctly predicted
        clip id, or a tag outside `known_tags`. The message names the file and, for each
        problem row (up to 10), its line in the file (the header is line 1), its column and
        the value; also if `y_true`, `y_pred` and `metadata` differ in length or
        `metadata` has no ``clip_id`` column.
    TypeError
        If `known_tags` is a single str.

    See Also
    --------
    save_error_tags, error_tagging_widget, error_tag_shares

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> meta = pd.DataFrame({"clip_id": ["a", "b", "c"], "condition": ["clean"] * 3})
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "error_tags.csv"
    >>> pd.DataFrame({"clip_id": ["c"], "manual_tags": ["cut_off"]}).to_csv(path, index=False)
    >>> load_error_tags(path, [1, 2, 3], [1, 2, 0], meta)[["clip_id", "y_pred", "manual_tags"]]
      clip_id  y_pred manual_tags
    0       c       0     cut_off
    """
    from pathlib import Path

    func = "load_error_tags"
    known = _check_known_tags(known_tags)
    y_true, y_pred = _check_label_pair(y_true, y_pred, func)
    check_same_length(func, y_true=y_true, y_pred=y_pred, metadata=metadata)
    if "clip_id" not in metadata:
        raise ValueError(
            f"{func} needs the clips' metadata with a 'clip_id' column. "
            f"Got columns {list(metadata.columns)}."
        )
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"Error tag file {path} does not exist. Save one from the tagging widget ('save "
            "tags') or take the error_tags.csv of a headless run folder, then edit its "
            "'manual_tags' column."
        )
    header, rows = _read_rows(path)
    missing = [c for c in ("clip_id", "manual_tags") if c not in header]
    if missing:
        raise ValueError(
            f"Error tag file {path} needs the columns 'clip_id' and 'manual_tags'. Missing "
            f"{missing}; got columns {header}. Start from a file the tagging widget or a "
            "headless run saved."
        )
    if not rows:
        raise ValueError(
            f"Error tag file {path} has a header but no rows. Keep one row per error you looked at."
        )

    clip_ids = metadata["clip_id"].astype(str).to_numpy()
    position = {c: i for i, c in enumerate(clip_ids)}
    wrong = y_true != y_pred
    problems, first_line, picked, tags_out, notes = [], {}, [], [], []
    for line, row in rows:
        clip = (row.get("clip_id") or "").strip()
        where = f"line {line}, column"
        if not clip:
            problems.append(f"{where} 'clip_id': empty; every row needs the clip it tags")
            continue
        if clip not in position:
            problems.append(f"{where} 'clip_id': unknown clip id {clip!r} (not in this dataset)")
            continue
        if clip in first_line:
            problems.append(
                f"{where} 'clip_id': clip {clip!r} again (first on line {first_line[clip]})"
            )
            continue
        first_line[clip] = line
        if not wrong[position[clip]]:
            problems.append(
                f"{where} 'clip_id': clip {clip!r} is predicted correctly in this run, so it is "
                "not an error to tag (was the file made with another model, seed or data?)"
            )
            continue
        words = [w.strip() for w in (row.get("manual_tags") or "").split(",")]
        words = [w for w in words if w]
        unknown = [w for w in words if w not in known]
        if unknown:
            problems.append(f"{where} 'manual_tags': unknown tag(s) {unknown} for clip {clip!r}")
            continue
        picked.append(position[clip])
        tags_out.append(",".join(dict.fromkeys(words)))
        notes.append((row.get("note") or "").strip())
    if problems:
        shown = "\n  ".join(problems[:_MAX_PROBLEMS])
        more = len(problems) - _MAX_PROBLEMS
        tail = f"\n  ... and {more} more" if more > 0 else ""
        fixes = []
        if any("'manual_tags'" in x for x in problems):
            fixes.append(
                f"Known manual tags: {list(known)}; fix the spelling, or add a new tag to "
                "`known_tags` (in the notebook: the parameter 'manual_tags')."
            )
        if any("predicted correctly" in x for x in problems):
            fixes.append(
                "Clip ids must be errors of this run: read the file with the parameters (model, "
                "seed, data) of the run that saved it."
            )
        raise ValueError(
            f"Error tag file {path} has {len(problems)} problem row(s):\n  {shown}{tail}"
            + "".join("\n" + f for f in fixes)
        )

    picked = np.asarray(picked, dtype=np.int64)
    # all errors, so positions in the file's order can be looked up
    every = sample_errors(y_true, y_pred, metadata, n_errors=max(int(wrong.sum()), 1))
    every = every.set_index("dev_index", drop=False)
    out = every.loc[picked].reset_index(drop=True).rename(columns={"dev_index": "index"})
    out["manual_tags"] = tags_out
    out["note"] = notes
    return out
