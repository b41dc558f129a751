"""Verdicts read from an interval row (mean, ci_low, ci_high): shared by the speech and image texts."""

from __future__ import annotations

__all__: list[str] = []


def _side(row) -> int:
    """Return 1 when the interval is clearly above 0, -1 when clearly below, else 0."""
    return 1 if row["ci_low"] > 0 else -1 if row["ci_high"] < 0 else 0


def _verdict(row) -> str:
    return {1: "above 0", -1: "below 0", 0: "not distinguishable from 0"}[_side(row)]


def _fmt(row) -> str:
    return (
        f"{row['mean']:+.3f} (95 % interval {row['ci_low']:+.3f} to {row['ci_high']:+.3f}; "
        f"above 0 in {int(row['n_positive'])} of {int(row['n_seeds'])} splits)"
    )
