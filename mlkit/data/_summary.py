"""The data notebook's closing summary, computed from the run's numbers (section "Summary")."""

from __future__ import annotations

__all__ = ["describe_summary"]


def describe_summary(
    *,
    kappa_before: float,
    kappa_after: float,
    hlp_before,
    hlp_after,
    hlp_shared,
    lead: float,
    lead_conv: float,
    noise_text: str,
    split_deviation: float,
    leak: dict,
    n_rejected: int,
    n_rows: int,
) -> str:
    """Summarise the data phase in markdown from this run's results.

    Parameters
    ----------
    kappa_before, kappa_after : float
        Fleiss' kappa of the team before and after the convention, in [-1, 1].
    hlp_before, hlp_after : pandas.DataFrame
        :func:`hlp_by_tag` before and after the convention (``overall`` row used).
    hlp_shared : pandas.DataFrame
        :func:`estimate_hlp` (``overall`` row used).
    lead, lead_conv : float
        The consistent model's lead over HLP, as fractions, before and after the
        convention (:func:`hlp_lead`).
    noise_text : str
        :func:`describe_label_noise` of the speech learning curves.
    split_deviation : float
        :func:`max_split_share_deviation` of the stratified split, a fraction.
    leak : dict
        :func:`leakage_gap` (random vs speaker-grouped folds).
    n_rejected, n_rows : int
        Rows the validating pipeline rejected, out of `n_rows` in the batch.

    Returns
    -------
    str
        A markdown bullet list, then where the modeling phase picks up.

    Raises
    ------
    KeyError
        If a table lacks its ``overall`` row or `leak` a key.

    Examples
    --------
    >>> from mlkit.data import hlp_by_tag
    >>> t = hlp_by_tag([[1, 2], [1, 3]], y_true=[1, 2])
    >>> leak = {"random_split_accuracy": 0.9, "grouped_split_accuracy": 0.8, "leakage_gap": 0.1}
    >>> text = describe_summary(kappa_before=0.7, kappa_after=0.8, hlp_before=t, hlp_after=t,
    ...     hlp_shared=t, lead=0.02, lead_conv=0.0, noise_text="...", split_deviation=0.01,
    ...     leak=leak, n_rejected=12, n_rows=108)
    >>> "rejected 12 of 108 rows" in text
    True
    """
    agree_before = hlp_before.loc["overall", "hlp_agreement"]
    agree_after = hlp_after.loc["overall", "hlp_agreement"]
    shared = hlp_shared.loc["overall", "hlp_accuracy"]
    if f"{kappa_after:.3f}" == f"{kappa_before:.3f}":
        kappa_text = (
            f"Fleiss' kappa {kappa_before:.3f} with the team's habits;\n"
            "  the documented convention did not move it"
        )
    else:
        kappa_text = (
            f"Fleiss' kappa {kappa_before:.3f} with the team's habits,\n"
            f"  {kappa_after:.3f} after the documented convention ({kappa_after - kappa_before:+.3f})"
        )
    if f"{agree_after:.1%}" == f"{agree_before:.1%}":
        hlp_text = f"did not move with the convention ({agree_before:.1%})"
    else:
        hlp_text = f"went from {agree_before:.1%} to\n  {agree_after:.1%}"
    if f"{100 * lead_conv:+.1f}" == f"{100 * lead:+.1f}":
        lead_text = (
            f"{100 * lead:+.1f} points on inconsistent labels, and the convention did not move it"
        )
    else:
        lead_text = (
            f"{100 * lead:+.1f} points on inconsistent labels and by {100 * lead_conv:+.1f} "
            "after the convention"
        )
    return f"""
- **x and y** are defined, with an `UNINTELLIGIBLE` label and a written convention.
- **Label consistency** is measurable without the truth: {kappa_text}.
- **HLP** as agreement between labelers {hlp_text}; a model copying the majority on ambiguous
  clips led it by {lead_text}. Models are compared with
  `data.estimate_hlp` ({shared:.1%} here: typical labelers vs the spoken digit).
- **Label noise**: {noise_text}
- **Splits** keep one distribution (largest class-share deviation {split_deviation:.1%}),
  refuse impossible stratification with a clear error, and group speakers: random folds
  {leak["random_split_accuracy"]:.1%} vs speaker-grouped {leak["grouped_split_accuracy"]:.1%}
  (leakage gap {leak["leakage_gap"]:+.1%}).
- **Provenance**: metadata per clip and lineage records per artefact; **production**: the validating pipeline
  rejected {n_rejected} of {n_rows} rows, each with a reason.

Next: `03_modeling.ipynb` does not reuse the splits saved here: it makes its own speaker-grouped split
(`modeling.load_speech_split`, whole speakers held out as the dev set, the leakage lesson above) and
compares the model with HLP per noise tag in its error analysis.
"""
