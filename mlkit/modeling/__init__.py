"""Modeling phase: baselines, error analysis by tag, skewed-data metrics, slices, experiments.

The helpers follow the course's modeling week: establish a baseline (human-level
performance, a quick-and-dirty model, an older system, published figures), analyse errors by
tag against human-level performance to decide what to work on, judge skewed data with
precision/recall rather than accuracy, check important slices, and compare a data-centric
with a model-centric iteration on equal budgets.

One private file per section of ``notebooks/03_modeling.ipynb`` (tests in ``tests/modeling/``):

* ``_experiment``: models, the speaker-grouped split, scoring ("Data, split by speaker");
* ``_baselines``: HLP, published figures, bias and variance ("Baselines");
* ``_error_analysis``: the table by tag, the error sample and its tags ("Error analysis by tag");
  ``_error_sample``: the ~100 errors to look at and their tags ("Look at the mistakes");
  ``_error_tags``: hand-made tags read back from ``error_tags.csv`` (the same section);
* ``_slices``: metrics per slice with intervals, recall per class ("Important slices");
* ``_skewed``: precision/recall, threshold choice and view ("Skewed data");
* ``_features_vs_rows``: an engineered feature or more rows ("An engineered feature or more rows?");
* ``_data_vs_model``: recipes and equal-budget comparison (notebook ``03b_tracking``);
* ``_exercises``: the notebook's exercises and concept questions (``exercises``, the ``ex``
  object of the notebook).
"""

from mlkit._models import MODELS, make_model
from mlkit.datasets import speaker_split
from mlkit.modeling._baselines import (
    LITERATURE_BASELINES,
    baseline_systems,
    baseline_table,
    bayes_error_notes,
    error_decomposition,
    human_level_performance,
    literature_baselines,
)
from mlkit.modeling._data_vs_model import (
    RECIPES,
    budget_comparison,
    budget_takeaways,
    build_recipe,
    make_recipes,
)
from mlkit.modeling._error_analysis import (
    describe_error_analysis,
    describe_grouped_folds,
    describe_what_next,
    error_analysis_by_tag,
    error_analysis_metrics,
    out_of_fold_predict,
    plot_error_analysis,
)
from mlkit.modeling._error_sample import (
    MANUAL_TAGS,
    describe_error_pool,
    describe_error_sample,
    error_sample_metrics,
    error_tag_shares,
    error_tagging_widget,
    pool_errors,
    sample_errors,
    save_error_tags,
)
from mlkit.modeling._error_tags import load_error_tags
from mlkit.modeling._exercises import exercises
from mlkit.modeling._experiment import (
    SpeechSplit,
    describe_seen_vs_unseen,
    fit_and_score,
    load_speech_split,
    score_sets,
)
from mlkit.modeling._features_vs_rows import RARE_CLASS_MEAN_FEATURES, feature_vs_rows
from mlkit.modeling._skewed import (
    ThresholdChoice,
    binary_metrics,
    describe_threshold_choice,
    plot_threshold_view,
    recall_interval,
    threshold_for_cost,
    threshold_for_recall,
    threshold_sweep,
    threshold_table,
    threshold_view_renderer,
    tune_threshold,
)
from mlkit.modeling._slices import (
    describe_per_class_recall,
    per_class_recall,
    plot_slice_metrics,
    slice_metrics,
)

__all__ = [
    "MODELS",
    "LITERATURE_BASELINES",
    "make_model",
    "fit_and_score",
    "score_sets",
    "speaker_split",
    "SpeechSplit",
    "load_speech_split",
    "describe_seen_vs_unseen",
    "human_level_performance",
    "baseline_table",
    "literature_baselines",
    "error_decomposition",
    "bayes_error_notes",
    "error_analysis_by_tag",
    "out_of_fold_predict",
    "describe_grouped_folds",
    "error_analysis_metrics",
    "describe_error_analysis",
    "describe_what_next",
    "sample_errors",
    "pool_errors",
    "error_tag_shares",
    "save_error_tags",
    "error_tagging_widget",
    "MANUAL_TAGS",
    "load_error_tags",
    "error_sample_metrics",
    "binary_metrics",
    "threshold_sweep",
    "threshold_for_recall",
    "threshold_for_cost",
    "ThresholdChoice",
    "tune_threshold",
    "recall_interval",
    "threshold_table",
    "describe_threshold_choice",
    "plot_threshold_view",
    "threshold_view_renderer",
    "slice_metrics",
    "per_class_recall",
    "describe_per_class_recall",
    "feature_vs_rows",
    "RECIPES",
    "make_recipes",
    "build_recipe",
    "budget_comparison",
    "budget_takeaways",
    "exercises",
    # helpers of the thin notebook cells
    "baseline_systems",
    "plot_error_analysis",
    "describe_error_pool",
    "describe_error_sample",
    "plot_slice_metrics",
    "RARE_CLASS_MEAN_FEATURES",
]
