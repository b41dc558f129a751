"""Invert a learning curve: the training samples a target accuracy needs, with its band.

Serves the notebook section "Feasibility 3: how much data reaches the target?" (with
:mod:`mlkit.scoping._curve`, which measures and fits the curve).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mlkit._stats import wilson_interval
from mlkit._validation import check_float, check_int
from mlkit.scoping._curve import PowerLawFit, _cached_draws, _check_band_args

__all__ = [
    "NOT_REACHABLE",
    "REACHABLE",
    "UNCERTAIN",
    "ALREADY_MET",
    "TARGET_STATUSES",
    "DataEstimate",
    "data_needed_for_target",
    "describe_learning_curve",
]

NOT_REACHABLE = "not reachable"
"""Verdict (and :meth:`DataEstimate.as_record`) when even the optimistic end of the band misses."""

REACHABLE = "reachable"
"""Verdict when the whole uncertainty band reaches the target within the horizon."""

UNCERTAIN = "uncertain"
"""Verdict when the band at the horizon contains the target: the data may or may not get there."""

ALREADY_MET = "already met"
"""Verdict (and :meth:`DataEstimate.as_record`) when today's accuracy is at or above the target."""

TARGET_STATUSES = (ALREADY_MET, REACHABLE, UNCERTAIN, NOT_REACHABLE)
"""The four verdicts of :func:`data_needed_for_target`, from best to worst."""


@dataclass(frozen=True)
class DataEstimate:
    """How many training samples a power-law learning curve needs for a target accuracy.

    Attributes
    ----------
    target_accuracy : float
        The accuracy asked for.
    n_samples : float
        Training samples the fitted curve needs (``math.inf`` when it never gets there).
    n_low, n_high : float
        Band of `n_samples` from the fit's uncertainty (``math.inf`` when that end of the
        band cannot reach the target).
    reachable : bool
        Whether the fitted curve (the point estimate) reaches the target within `max_n`.
    reason : str
        One sentence for people: the verdict, why, and what to do.
    status : str, optional
        The verdict, one of :data:`TARGET_STATUSES`; by default derived from `reachable`.
    band_accuracy_low, band_accuracy_high : float, default=nan
        The band of accuracy at the horizon `max_n`: what the plotted band shows at its
        right edge.
    max_n : float, default=inf
        The horizon: the most training samples the verdict allows.
    """

    target_accuracy: float
    n_samples: float
    n_low: float
    n_high: float
    reachable: bool
    reason: str
    status: str | None = None
    band_accuracy_low: float = math.nan
    band_accuracy_high: float = math.nan
    max_n: float = math.inf

    def __post_init__(self):
        if self.status is None:
            object.__setattr__(self, "status", REACHABLE if self.reachable else NOT_REACHABLE)
        if self.status not in TARGET_STATUSES:
            raise ValueError(
                f"The 'status' of DataEstimate must be one of {list(TARGET_STATUSES)}. "
                f"Got {self.status!r} instead."
            )

    def as_record(self) -> int | str:
        """Return the value to record: samples needed (rounded up), or a verdict string.

        :data:`ALREADY_MET` when today's accuracy is at or above the target, the samples the
        fitted curve needs when it reaches the target within the horizon, otherwise
        :data:`NOT_REACHABLE`.
        """
        if self.status == ALREADY_MET:
            return ALREADY_MET
        return math.ceil(self.n_samples) if self.reachable else NOT_REACHABLE


def _n_for_error(a, b, c, target_error):
    """Invert the power law; inf where the asymptote is at or above the target error."""
    a, b, c = (np.asarray(v, dtype=np.float64) for v in (a, b, c))
    gap = target_error - c
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        n = np.where((gap > 0) & (b > 0), np.power(a / np.where(gap > 0, gap, 1.0), 1 / b), np.inf)
    return n


def data_needed_for_target(
    fit: PowerLawFit,
    target_accuracy: float,
    *,
    current_accuracy: float | None = None,
    n_evaluated: int | None = None,
    level: float = 0.9,
    max_n: float = 1e9,
    hlp_accuracy: float | None = None,
    method: str = "bootstrap",
    n_draws: int = 200,
    random_state=0,
) -> DataEstimate:
    """Estimate the training samples a target accuracy needs, and say whether it is reachable.

    Parameters
    ----------
    fit : PowerLawFit
        From :func:`fit_power_law`.
    target_accuracy : float
        Accuracy to reach, in (0, 1).
    current_accuracy : float, optional
        Accuracy measured today (the quick model on unseen speakers), in [0, 1]. A target at
        or below it gets the verdict :data:`ALREADY_MET`.
    n_evaluated : int, optional
        Samples `current_accuracy` was measured on, >= 1; adds its Wilson 95 % interval to
        the reason.
    level : float, default=0.9
        Coverage of the band ``(n_low, n_high)`` and of the accuracy band at `max_n`, in (0, 1).
    max_n : float, default=1e9
        The horizon: the most training samples the project could get. Sizes above it count
        as not reachable in practice, and the verdict reads the band at this size.
    hlp_accuracy : float, optional
        Human-level accuracy; a target above it is flagged in `reason` (the course: HLP is a
        proxy for the irreducible error).
    method : {"bootstrap", "covariance"}, default="bootstrap"
        How the band's parameter draws are made (see :func:`power_law_band`).
    n_draws : int, default=200
        Parameter draws for the band (see :func:`power_law_band`); the same `random_state`
        gives the same draws as the band.
    random_state : int or numpy.random.Generator, default=0
        Seed of the draws.

    Returns
    -------
    DataEstimate
        ``n_samples = (a / (1 - target - c)) ** (1 / b)`` when ``1 - target > c`` (else
        ``inf``), its band, and the verdict `status`:

        * :data:`ALREADY_MET`: `target_accuracy` <= `current_accuracy`;
        * :data:`REACHABLE`: the fitted curve reaches the target within `max_n` and so does
          the pessimistic end of the band (its lower accuracy at `max_n` >= target);
        * :data:`NOT_REACHABLE`: the fitted curve does not, and neither does the optimistic
          end of the band (its upper accuracy at `max_n` < target);
        * :data:`UNCERTAIN`: anything else, i.e. the band at `max_n` contains the target.

        ``as_record()`` gives an int, :data:`NOT_REACHABLE` or :data:`ALREADY_MET`.

    Raises
    ------
    ValueError
        If `target_accuracy` or `level` is outside (0, 1), `current_accuracy` is outside
        [0, 1], `n_evaluated` < 1 or `max_n` is not positive.

    Notes
    -----
    Power-law learning curves after Hestness et al. 2017 (arXiv:1712.00409). When the fitted
    asymptote ``c`` is at or above the target error, more data *of the same kind* will not
    reach the target: improve the model, the features or the label quality instead. The
    verdict reads the same parameter draws as :func:`power_law_band`, so it agrees with the
    plotted band at its right edge when that edge is `max_n`.

    Examples
    --------
    >>> from mlkit.scoping import fit_power_law
    >>> n = np.array([50, 100, 200, 400, 800])
    >>> fit = fit_power_law(n, 2.0 * n**-0.5 + 0.05)
    >>> round(data_needed_for_target(fit, 0.9).n_samples)
    1600
    >>> data_needed_for_target(fit, 0.9).status
    'reachable'
    >>> data_needed_for_target(fit, 0.97).as_record()
    'not reachable'
    >>> data_needed_for_target(fit, 0.8, current_accuracy=0.85).as_record()
    'already met'
    """
    func = "data_needed_for_target"
    target = check_float(
        target_accuracy, "target_accuracy", low=0, high=1, inclusive=(False, False), func=func
    )
    if current_accuracy is not None:
        current_accuracy = check_float(
            current_accuracy, "current_accuracy", low=0.0, high=1.0, func=func
        )
    if n_evaluated is not None:
        n_evaluated = check_int(n_evaluated, "n_evaluated", min_value=1, func=func)
    level, n_draws = _check_band_args(level, method, n_draws, func)
    max_n = check_float(max_n, "max_n", low=0, inclusive=(False, True), func=func)
    target_error = 1.0 - target
    n = float(_n_for_error(fit.a, fit.b, fit.c, target_error))
    draws = _cached_draws(fit, method, n_draws, random_state)
    n_draws_needed = _n_for_error(draws[:, 0], draws[:, 1], draws[:, 2], target_error)
    q = [(1 - level) / 2, (1 + level) / 2]
    n_low, n_high = (float(v) for v in np.quantile(n_draws_needed, q, method="inverted_cdf"))
    err_at_max = draws[:, 0] * np.power(max_n, -draws[:, 1]) + draws[:, 2]
    err_low, err_high = np.clip(np.quantile(err_at_max, q, method="inverted_cdf"), 0.0, 1.0)
    band_low, band_high = 1.0 - float(err_high), 1.0 - float(err_low)
    reachable = bool(np.isfinite(n) and n <= max_n)
    if current_accuracy is not None and target <= current_accuracy:
        status, reachable = ALREADY_MET, True
    elif reachable and band_low >= target:
        status = REACHABLE
    elif not reachable and band_high < target:
        status = NOT_REACHABLE
    else:
        status = UNCERTAIN
    reason = _reason(
        status,
        fit=fit,
        target=target,
        n=n,
        band=(n_low, n_high, band_low, band_high),
        level=level,
        max_n=max_n,
        current=(current_accuracy, n_evaluated),
    )
    if hlp_accuracy is not None and target > hlp_accuracy:
        reason += (
            f" The target is above the human-level estimate ({hlp_accuracy:.3f}); check that "
            "it is realistic."
        )
    return DataEstimate(
        target_accuracy=target,
        n_samples=n,
        n_low=n_low,
        n_high=n_high,
        reachable=reachable,
        reason=reason,
        status=status,
        band_accuracy_low=band_low,
        band_accuracy_high=band_high,
        max_n=max_n,
    )


def _reason(status, *, fit, target, n, band, level, max_n, current):
    """Write the verdict as one or two sentences (see :func:`data_needed_for_target`)."""
    n_low, n_high, band_low, band_high = band
    at_max = (
        f"its {level:.0%} band at the horizon of {max_n:,.0f} training samples spans accuracy "
        f"{band_low:.3f} to {band_high:.3f}"
    )
    if status == ALREADY_MET:
        accuracy, n_eval = current
        interval = ""
        if n_eval is not None:
            lo, hi = wilson_interval(round(accuracy * n_eval), n_eval)
            interval = f" (95% interval {lo:.3f} to {hi:.3f} on {n_eval} clips)"
        close = (
            " The interval reaches below the target: confirm on more clips before relying on it."
            if n_eval is not None and lo < target
            else ""
        )
        return (
            f"Already met: today's accuracy {accuracy:.3f}{interval} is at or above the target "
            f"{target:.3f}; no extra data is needed for it. Keep at least today's accuracy on "
            f"new speakers as the next milestones.{close}"
        )
    n_max_measured = float(fit.n_samples.max())
    if status == REACHABLE:
        factor = n / n_max_measured
        text = (
            f"Reachable with about {math.ceil(n):,} training samples ({level:.0%} band "
            f"{n_low:,.0f} to {n_high:,.0f}), {factor:.1f}x the largest size measured; {at_max}, "
            f"all above the target {target:.3f}."
        )
        if factor > 10:
            text += " That is far beyond the measured range: treat it as a rough guess."
        return text
    if status == NOT_REACHABLE:
        if not np.isfinite(n):
            why = (
                f"the fitted asymptote (accuracy {fit.asymptote_accuracy:.3f} = 1 - c) is at or "
                f"below the target {target:.3f}"
            )
        else:
            why = f"the fit needs about {n:.3g} samples, above max_n={max_n:.3g}"
        return (
            f"Not reachable: {why}, and {at_max}, all below the target. More data of the same "
            "kind will not get there: improve the model, features or label quality, then "
            "measure the curve again."
        )
    point = (
        f"the fitted curve reaches the target {target:.3f} at about {math.ceil(n):,} training "
        "samples"
        if np.isfinite(n) and n <= max_n
        else f"the fitted curve levels off at {min(fit.asymptote_accuracy, 1.0):.3f}, short "
        f"of the target {target:.3f} within the horizon"
    )
    if band_low < target <= band_high:
        band_says = f"but {at_max}, which contains the target"
    else:  # the fitted curve and its band disagree (a fit on a bound, few points)
        side = "above" if band_low >= target else "below"
        band_says = f"but {at_max}, all {side} the target: the fit and its band disagree"
    return (
        f"Uncertain: {point}, {band_says}. The measured curve cannot tell whether more data "
        "of the same kind gets there: collect data in steps and measure the curve again "
        "after each."
    )


def describe_learning_curve(fit: PowerLawFit, estimate: DataEstimate) -> str:
    """Write the fitted power law and the data estimate as one line of markdown.

    Parameters
    ----------
    fit : PowerLawFit
        From :func:`mlkit.scoping.fit_power_law`.
    estimate : DataEstimate
        From :func:`data_needed_for_target` on `fit`.

    Returns
    -------
    str
        The parameters ``a, b, c`` as code, then the estimate's reason in bold.

    Raises
    ------
    TypeError
        If `estimate` is not a :class:`DataEstimate`.

    Examples
    --------
    >>> from mlkit.scoping import fit_power_law
    >>> n = np.array([50, 100, 200, 400, 800])
    >>> fit = fit_power_law(n, 2.0 * n**-0.5 + 0.05)
    >>> describe_learning_curve(fit, data_needed_for_target(fit, 0.9))[:32]
    '`a=2, b=0.500, c=0.050`. **Reach'
    """
    if not isinstance(estimate, DataEstimate):
        raise TypeError(
            "The 'estimate' parameter of describe_learning_curve must be a DataEstimate (from "
            f"data_needed_for_target). Got {type(estimate).__name__} instead."
        )
    return f"`a={fit.a:.3g}, b={fit.b:.3f}, c={fit.c:.3f}`. **{estimate.reason}**"
