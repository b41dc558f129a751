"""Invert a learning curve: the training samples a target accuracy needs, with its band.

Serves the notebook section "Feasibility 3: how much data reaches the target?" (with
:mod:`mlkit.scoping._curve`, which measures and fits the curve).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mlkit._validation import check_float
from mlkit.scoping._curve import PowerLawFit, _cached_draws, _check_band_args

__all__ = [
    "NOT_REACHABLE",
    "DataEstimate",
    "data_needed_for_target",
    "describe_learning_curve",
]

NOT_REACHABLE = "not reachable"
"""What :meth:`DataEstimate.as_record` returns when the target accuracy cannot be reached."""


@dataclass(frozen=True)
class DataEstimate:
    """How many training samples a power-law learning curve needs for a target accuracy.

    Attributes
    ----------
    target_accuracy : float
        The accuracy asked for.
    n_samples : float
        Training samples needed (``math.inf`` when not reachable).
    n_low, n_high : float
        Band of `n_samples` from the fit's uncertainty (``math.inf`` when the upper end of the
        band cannot reach the target).
    reachable : bool
        Whether the fitted curve reaches the target within `max_n` samples.
    reason : str
        One sentence for people: why it is (not) reachable and what to do.
    """

    target_accuracy: float
    n_samples: float
    n_low: float
    n_high: float
    reachable: bool
    reason: str

    def as_record(self) -> int | str:
        """Return the value to record: samples needed (rounded up), or :data:`NOT_REACHABLE`."""
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
    level: float = 0.9,
    max_n: float = 1e9,
    hlp_accuracy: float | None = None,
    method: str = "bootstrap",
    n_draws: int = 200,
    random_state=0,
) -> DataEstimate:
    """Estimate the training samples needed to reach `target_accuracy` from a learning curve.

    Parameters
    ----------
    fit : PowerLawFit
        From :func:`fit_power_law`.
    target_accuracy : float
        Accuracy to reach, in (0, 1).
    level : float, default=0.9
        Coverage of the band ``(n_low, n_high)``, in (0, 1).
    max_n : float, default=1e9
        Sizes above this count as not reachable in practice.
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
        ``n_samples = (a / (1 - target - c)) ** (1 / b)`` when ``1 - target > c``; otherwise
        ``inf`` with ``reachable=False`` and the reason. ``as_record()`` gives an int or
        :data:`NOT_REACHABLE`.

    Raises
    ------
    ValueError
        If `target_accuracy` or `level` is outside (0, 1) or `max_n` is not positive.

    Notes
    -----
    Power-law learning curves after Hestness et al. 2017 (arXiv:1712.00409). When the fitted
    asymptote ``c`` is at or above the target error, more data *of the same kind* will not
    reach the target: improve the model, the features or the label quality instead.

    Examples
    --------
    >>> from mlkit.scoping import fit_power_law
    >>> n = np.array([50, 100, 200, 400, 800])
    >>> fit = fit_power_law(n, 2.0 * n**-0.5 + 0.05)
    >>> round(data_needed_for_target(fit, 0.9).n_samples)
    1600
    >>> data_needed_for_target(fit, 0.97).as_record()
    'not reachable'
    """
    func = "data_needed_for_target"
    target = check_float(
        target_accuracy, "target_accuracy", low=0, high=1, inclusive=(False, False), func=func
    )
    level, n_draws = _check_band_args(level, method, n_draws, func)
    max_n = check_float(max_n, "max_n", low=0, inclusive=(False, True), func=func)
    target_error = 1.0 - target
    n = float(_n_for_error(fit.a, fit.b, fit.c, target_error))
    draws = _cached_draws(fit, method, n_draws, random_state)
    n_draws_needed = _n_for_error(draws[:, 0], draws[:, 1], draws[:, 2], target_error)
    n_low, n_high = (
        float(v)
        for v in np.quantile(
            n_draws_needed, [(1 - level) / 2, (1 + level) / 2], method="inverted_cdf"
        )
    )
    n_max_measured = float(fit.n_samples.max())
    if not np.isfinite(n):
        reachable = False
        reason = (
            f"Not reachable: the fitted asymptote (accuracy {fit.asymptote_accuracy:.3f} = 1 - c) "
            f"is at or below the target {target:.3f}; more data of the same kind will not get "
            "there. Improve the model, features or label quality, then measure the curve again."
        )
    elif n > max_n:
        reachable = False
        reason = (
            f"Not reachable in practice: the fit needs about {n:.3g} samples, above "
            f"max_n={max_n:.3g}. Change the approach rather than collect data."
        )
    else:
        reachable = True
        factor = n / n_max_measured
        high = f"{n_high:,.0f}" if np.isfinite(n_high) else "not reachable"
        reason = (
            f"Reachable with about {math.ceil(n):,} training samples "
            f"({level:.0%} band {n_low:,.0f} to {high}), "
            f"{factor:.1f}x the largest size measured."
        )
        if factor > 10:
            reason += " That is far beyond the measured range: treat it as a rough guess."
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
