"""The data phase: labeling conventions, label consistency, HLP, splits, provenance, schema checks.

Labels are integer digits 0-9, or :data:`UNINTELLIGIBLE` for a clip a careful listener cannot
tell. A *labels matrix* holds one row per labeler: shape ``(n_labelers, n_samples)``.

The labelers are simulated against known ground truth (:func:`simulate_labelers`), so every
agreement number can be set next to the accuracy that a real team could not measure.

The code follows the sections of ``notebooks/02_data.ipynb``: ``_xy`` (define x and y),
``_labelers`` and ``_agreement`` (label consistency), ``_hlp`` (human-level performance),
``_label_noise`` and ``_problem_grid`` (types of data problems), ``_splits`` (splits and
speaker leakage), ``_provenance`` (metadata and provenance), ``_schema`` (the validating
pipeline), ``_summary`` and ``_exercises`` (the notebook's exercises and concept questions).
"""

from mlkit.data._agreement import (
    agreement_matrix,
    cohen_kappa_matrix,
    describe_disagreement,
    describe_kappa_matrix,
    disagreement_by_clip,
    disputed_share_by_tag,
    fleiss_kappa,
    labeler_accuracy,
    plot_kappa_matrix,
    relabel_candidates,
)
from mlkit.data._convention import (
    agreement_per_clip,
    convention_audit,
    convention_gain,
    convention_gain_by_team,
    describe_convention,
)
from mlkit.data._exercises import exercises
from mlkit.data._hlp import (
    clear_clip_error,
    compare_to_hlp,
    consistent_model_vs_hlp,
    describe_hlp_artefact,
    describe_shared_hlp,
    estimate_hlp,
    hlp_by_tag,
    hlp_lead,
    hlp_views_table,
    human_correct_per_clip,
    simulate_consistent_model,
)
from mlkit.data._hlp_views import (
    labeling_team_view,
    plot_hlp_by_tag,
    plot_hlp_comparison,
)
from mlkit.data._label_noise import (
    add_label_noise,
    chance_accuracy,
    class_balance_table,
    clean_half_advantage,
    describe_label_noise,
    describe_rare_noise,
    label_noise_learning_curves,
    mean_curves,
    noise_gap_table,
    plot_learning_curves,
)
from mlkit.data._label_noise_seeds import (
    describe_label_noise_over_seeds,
    noise_drop_intervals,
    noise_drops_by_seed,
    noise_interval_metrics,
    seed_interval,
)
from mlkit.data._labelers import (
    CONFUSABLE_PAIRS,
    DIGITS,
    LABELING_CONVENTION,
    UNINTELLIGIBLE,
    ambiguous_mask,
    apply_convention,
    consensus_labels,
    labeler_names,
    simulate_labelers,
)
from mlkit.data._listening import (
    choose_listening_clips,
    listening_table,
    listening_test_widget,
    parse_answers,
    score_listening,
    show_listening_test,
)
from mlkit.data._problem_grid import (
    BIG_DATA_THRESHOLD,
    COURSE_EMPHASIS,
    DATA_PROBLEM_FACTS,
    describe_data_problem_grid,
    grid_metrics,
    noise_cost_by_size,
    plot_noise_cost_grid,
    wrong_per_right,
)
from mlkit.data._provenance import (
    METADATA_COLUMNS,
    accuracy_by_metadata,
    default_run_dir,
    describe_lineage,
    lineage_step,
    save_artefact,
)
from mlkit.data._psychometric import (
    DIGIT_SLOPE_PER_DB,
    DIGIT_SRT_DB,
    GUESS_RATE,
    SPEECH_BAND_SNR_OFFSET_DB,
    effective_snr_db,
    human_recognition_probability,
    sure_probability,
)
from mlkit.data._schema import (
    ClipValidator,
    inject_schema_errors,
    make_validated_pipeline,
    rejection_table,
    validate_clips,
)
from mlkit.data._splits import (
    class_share_table,
    describe_leakage,
    leakage_gap,
    max_split_share_deviation,
    split_by_groups_or_clips,
    split_train_dev_test,
    split_view,
)
from mlkit.data._summary import describe_summary
from mlkit.data._xy import describe_xy, example_positions, plot_clip_examples

__all__ = [
    # labelers and the convention (section 2)
    "UNINTELLIGIBLE",
    "DIGITS",
    "CONFUSABLE_PAIRS",
    "LABELING_CONVENTION",
    "labeler_names",
    "ambiguous_mask",
    "simulate_labelers",
    "apply_convention",
    "consensus_labels",
    # agreement (section 2)
    "labeler_accuracy",
    "agreement_matrix",
    "cohen_kappa_matrix",
    "fleiss_kappa",
    "disagreement_by_clip",
    "relabel_candidates",
    "describe_disagreement",
    "describe_kappa_matrix",
    "disputed_share_by_tag",
    "plot_kappa_matrix",
    # auditing the convention (section 2)
    "agreement_per_clip",
    "convention_audit",
    "convention_gain",
    "convention_gain_by_team",
    "describe_convention",
    # human-level performance (section 3)
    "hlp_by_tag",
    "estimate_hlp",
    "human_correct_per_clip",
    "DIGIT_SRT_DB",
    "DIGIT_SLOPE_PER_DB",
    "GUESS_RATE",
    "SPEECH_BAND_SNR_OFFSET_DB",
    "effective_snr_db",
    "human_recognition_probability",
    "sure_probability",
    "simulate_consistent_model",
    "compare_to_hlp",
    "clear_clip_error",
    "consistent_model_vs_hlp",
    "hlp_lead",
    "hlp_views_table",
    "labeling_team_view",
    "describe_hlp_artefact",
    "describe_shared_hlp",
    "plot_hlp_by_tag",
    "plot_hlp_comparison",
    # measure your own HLP (section 3)
    "choose_listening_clips",
    "parse_answers",
    "score_listening",
    "listening_table",
    "listening_test_widget",
    "show_listening_test",
    # label noise (section 4)
    "add_label_noise",
    "label_noise_learning_curves",
    "chance_accuracy",
    "noise_gap_table",
    "class_balance_table",
    "clean_half_advantage",
    "describe_label_noise",
    "describe_rare_noise",
    "plot_learning_curves",
    "mean_curves",
    "noise_drops_by_seed",
    "seed_interval",
    "noise_interval_metrics",
    "noise_drop_intervals",
    "describe_label_noise_over_seeds",
    # the 2 x 2 grid of data problems (section 4)
    "BIG_DATA_THRESHOLD",
    "COURSE_EMPHASIS",
    "DATA_PROBLEM_FACTS",
    "noise_cost_by_size",
    "wrong_per_right",
    "grid_metrics",
    "plot_noise_cost_grid",
    "describe_data_problem_grid",
    # splits (section 5)
    "split_train_dev_test",
    "split_by_groups_or_clips",
    "class_share_table",
    "max_split_share_deviation",
    "leakage_gap",
    "split_view",
    "describe_leakage",
    # provenance (section 6)
    "METADATA_COLUMNS",
    "default_run_dir",
    "save_artefact",
    "lineage_step",
    "describe_lineage",
    "accuracy_by_metadata",
    # validating pipeline (section 7)
    "validate_clips",
    "ClipValidator",
    "make_validated_pipeline",
    "inject_schema_errors",
    "rejection_table",
    # define x and y (section 1) and the summary
    "describe_xy",
    "example_positions",
    "plot_clip_examples",
    "describe_summary",
    # exercises and concept questions (every section)
    "exercises",
]
