"""Scope an ML project before building it: feasibility, value, milestones and data sourcing.

The scoping phase answers four questions with measurements instead of guesses:

* Feasibility: is the problem learnable (human-level performance, predictive inputs, a quick
  model), and how much data reaches a target accuracy (a power-law learning-curve fit)?
* Value: what does the ML metric mean for the business (cost and successful commands per
  1,000 requests from a cost matrix and the measured confusion matrix), and is it fair?
* Milestones and resourcing: training time, inference latency, compute for more data.
* Data sourcing: what each source of more data costs in money and time.

One private file per section of ``notebooks/01_scoping.ipynb``: ``_feasibility`` (mutual
information, the quick model on unseen speakers), ``_curve`` and ``_data_needed`` (learning
curve, power-law fit and band, data needed for a target), ``_value`` (cost matrix, business
metrics, ethics checklist), ``_model_choice`` (picking a model by an important segment's weight
and by the cost matrix, not by test accuracy), ``_resourcing`` (timing, latency, compute, milestones, labeling
effort), ``_sourcing`` (data sources and the plan), ``_sourcing_strategy`` (invest
in data up front or get into the loop fast: a simulated plan), ``_takeaways`` (the closing summary) and
``_exercises`` (the notebook's exercises and concept questions, ``exercises``).
"""

from mlkit._models import quick_model
from mlkit._stats import accuracy_by_group
from mlkit.scoping._curve import (
    PowerLawFit,
    extrapolation_limit,
    fit_power_law,
    learning_curve_table,
    plot_learning_curve,
    power_law_band,
)
from mlkit.scoping._data_needed import (
    ALREADY_MET,
    NOT_REACHABLE,
    REACHABLE,
    TARGET_STATUSES,
    UNCERTAIN,
    DataEstimate,
    data_needed_for_target,
    describe_learning_curve,
)
from mlkit.scoping._exercises import exercises
from mlkit.scoping._feasibility import (
    compare_with_hlp,
    cross_validate_quick_model,
    describe_speaker_leakage,
    mutual_information,
    plot_mutual_information,
)
from mlkit.scoping._model_choice import (
    NEVER,
    ModelChoice,
    candidate_predictions,
    choose_model,
    describe_business_choice,
    describe_segment_choice,
    plot_model_choice,
)
from mlkit.scoping._resourcing import (
    ComputeScaling,
    describe_compute,
    fit_compute_scaling,
    labeling_effort,
    latency_percentiles,
    milestone_table,
    milestone_targets,
    plot_resources,
    time_inference,
    time_requests,
)
from mlkit.scoping._sourcing import DEFAULT_SOURCES, sourcing_recommendation, sourcing_table
from mlkit.scoping._sourcing_strategy import (
    SOURCING_SCENARIOS,
    SourcingComparison,
    collection_rate,
    compare_sourcing_strategies,
    describe_sourcing_strategies,
    plot_sourcing_strategies,
    simulate_time_to_target,
    upfront_break_even_share,
)
from mlkit.scoping._takeaways import describe_takeaways
from mlkit.scoping._value import (
    business_metrics,
    cost_controls,
    cost_matrix,
    describe_value,
    ethics_checklist,
    plot_business_value,
    plot_cost_scenario,
    plot_group_accuracy,
)

__all__ = [
    "NOT_REACHABLE",
    "REACHABLE",
    "UNCERTAIN",
    "ALREADY_MET",
    "TARGET_STATUSES",
    "DEFAULT_SOURCES",
    "PowerLawFit",
    "DataEstimate",
    "ComputeScaling",
    "quick_model",
    "learning_curve_table",
    "mutual_information",
    "plot_mutual_information",
    "fit_power_law",
    "power_law_band",
    "data_needed_for_target",
    "plot_learning_curve",
    "cost_matrix",
    "business_metrics",
    "plot_business_value",
    "accuracy_by_group",
    "plot_group_accuracy",
    "ethics_checklist",
    "time_requests",
    "latency_percentiles",
    "fit_compute_scaling",
    "plot_resources",
    "labeling_effort",
    "milestone_table",
    "sourcing_table",
    "sourcing_recommendation",
    # notebook helpers (issue 10: thin cells)
    "cross_validate_quick_model",
    "compare_with_hlp",
    "describe_speaker_leakage",
    "extrapolation_limit",
    "describe_learning_curve",
    "plot_cost_scenario",
    "cost_controls",
    "time_inference",
    "milestone_targets",
    "describe_takeaways",
    # issue 11: verdicts that respect uncertainty
    "describe_compute",
    "describe_value",
    # issue 13: exercises that check themselves
    "exercises",
    # issue 15: important segments, test vs business metric, up front vs loop
    "NEVER",
    "ModelChoice",
    "candidate_predictions",
    "choose_model",
    "describe_segment_choice",
    "describe_business_choice",
    "plot_model_choice",
    "SOURCING_SCENARIOS",
    "SourcingComparison",
    "collection_rate",
    "upfront_break_even_share",
    "simulate_time_to_target",
    "compare_sourcing_strategies",
    "plot_sourcing_strategies",
    "describe_sourcing_strategies",
]
