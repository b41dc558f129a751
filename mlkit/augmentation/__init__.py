"""Data augmentation: seeded audiomentations (and albumentations) pipelines, targeted experiments.

The course's rule for augmentation: make synthetic examples that are *realistic* (noise that
production has), that the current model gets wrong but a person still recognises, and add them
where the error analysis says the biggest gain is. This package builds the pipelines, applies
them reproducibly, and measures what they do to per-tag dev accuracy.

Every clip here is a 1-D ``float32`` array in [-1, 1] at :data:`mlkit.audio.SAMPLE_RATE_HZ`.
Resampling happens at the door (:func:`prepare_clip`), never inside a pipeline: a pipeline
refuses any other rate.

Notebook ``04_augmentation`` section -> file:

- 1 Data, split by speaker; 5 Targeted vs unrealistic; 6 More data vs model size ->
  ``_experiments.py`` (one split) and ``_seeds.py`` (repeated over speaker splits: means,
  intervals and the computed verdicts)
- 3 The pipelines, seen and heard -> ``_pipelines.py`` (pipelines, seeded application),
  ``_bandwidth.py`` (band edges of low_bandwidth vs production, on white noise) and
  ``_plots.py`` (examples, players, the SNR panel and every other plot or prose)
- 4 Robust entry points -> ``_transforms.py`` (``prepare_clip`` and the kit's transforms;
  ``entry_point_table``, which runs them through ``augment``, is in ``_pipelines.py``)
- 7 Images: a new scanner -> ``_images.py`` (scikit-learn's scanned digits, the simulated
  new scanner, albumentations pipelines, the comparison over splits, its plot and prose)
- Exercises of sections 2, 3, 5 and 6, concept questions and ``Your progress`` ->
  ``_exercises.py`` (``exercises``: the notebook's ``ex``)
"""

from mlkit.augmentation._bandwidth import (
    band_edge_metrics,
    band_edges_hz,
    describe_band_edges,
    low_bandwidth_edges,
)
from mlkit.augmentation._exercises import exercises
from mlkit.augmentation._experiments import (
    SIZES,
    accuracy_by_tag,
    augmentation_learning_curves,
    compare_augmentations,
    curve_gains,
    split_table,
)
from mlkit.augmentation._images import (
    IMAGE_AUGMENTATIONS,
    IMAGE_COLUMNS,
    IMAGE_ROLES,
    NEW_SCANNER,
    augment_images,
    describe_image_augmentation,
    describe_image_takeaway,
    image_gains_over_seeds,
    load_scanned_digits,
    make_image_pipeline,
    plot_scanner_examples,
    simulate_new_scanner,
)
from mlkit.augmentation._pipelines import (
    AUGMENTATIONS,
    UNREALISTIC,
    augment,
    augment_clips,
    augment_dataset,
    entry_point_table,
    make_babble_pool,
    make_pipeline,
    make_pipelines,
    pipeline_for_tag,
)
from mlkit.augmentation._plots import (
    NOISE_KINDS,
    SNR_GRID_DB,
    augment_at_snrs,
    augment_examples,
    describe_augmentation_snr,
    describe_curves,
    play_examples,
    plot_augmentations,
    plot_learning_curves,
    plot_noisy_example,
    plot_tag_comparison,
)
from mlkit.augmentation._seeds import (
    compare_on_split,
    curve_gains_over_seeds,
    curves_over_seeds,
    describe_split_diversity,
    gains_over_seeds,
    pick_augmented,
    seed_metrics,
    source_positions,
    summarise_over_seeds,
)
from mlkit.augmentation._seeds_text import (
    describe_gains_over_seeds,
    describe_one_split,
    describe_size_vs_data,
    describe_takeaways,
)
from mlkit.augmentation._transforms import prepare_clip

__all__ = [
    "AUGMENTATIONS",
    "UNREALISTIC",
    "SIZES",
    "prepare_clip",
    "make_pipeline",
    "augment",
    "augment_clips",
    "augment_dataset",
    "accuracy_by_tag",
    "compare_augmentations",
    "augmentation_learning_curves",
    "augment_examples",
    "pipeline_for_tag",
    "play_examples",
    "plot_augmentations",
    "plot_tag_comparison",
    "plot_learning_curves",
    "describe_curves",
    "describe_augmentation_snr",
    # notebook 04's thin cells
    "NOISE_KINDS",
    "SNR_GRID_DB",
    "make_pipelines",
    "make_babble_pool",
    "entry_point_table",
    "augment_at_snrs",
    "plot_noisy_example",
    "split_table",
    "curve_gains",
    # realism of low_bandwidth (section 3)
    "band_edges_hz",
    "low_bandwidth_edges",
    "band_edge_metrics",
    "describe_band_edges",
    # repeats over speaker splits (sections 5 and 6)
    "source_positions",
    "pick_augmented",
    "compare_on_split",
    "gains_over_seeds",
    "curves_over_seeds",
    "curve_gains_over_seeds",
    "summarise_over_seeds",
    "seed_metrics",
    "describe_gains_over_seeds",
    "describe_size_vs_data",
    "describe_one_split",
    "describe_takeaways",
    "describe_split_diversity",
    # images: a new scanner, albumentations copies (section 7)
    "NEW_SCANNER",
    "IMAGE_AUGMENTATIONS",
    "IMAGE_ROLES",
    "IMAGE_COLUMNS",
    "load_scanned_digits",
    "simulate_new_scanner",
    "make_image_pipeline",
    "augment_images",
    "image_gains_over_seeds",
    "describe_image_augmentation",
    "describe_image_takeaway",
    "plot_scanner_examples",
    # self-checking exercises (sections 2, 3, 5, 6)
    "exercises",
]
