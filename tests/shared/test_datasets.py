"""Data tests for mlkit.datasets: schema, counts, checksums, layouts and conditions."""

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import soundfile as sf

from mlkit import datasets
from mlkit.audio import CONDITIONS, SAMPLE_RATE_HZ
from mlkit.datasets import (
    ChecksumError,
    SpeechData,
    TabularData,
    load_rare_class,
    load_speech,
    verify_manifest,
)
from mlkit.paths import datasets_dir

FSDD_DIR = Path(__file__).resolve().parents[3] / "shared" / "data" / "fsdd"
SPEECH_DIR = datasets_dir() / "speech"
META_COLUMNS = [
    "clip_id",
    "label",
    "speaker",
    "voice",
    "accent",
    "gender",
    "rendition",
    "duration_s",
    "condition",
    "snr_db",
    "source",
    "path",
]


# Tests that share the full bundled load run in one xdist worker, so it is loaded once.
on_bundled = pytest.mark.xdist_group("bundled_speech")


@pytest.fixture(scope="module")
def bundled():
    return load_speech()


# ---------------------------------------------------------------- bundled corpus (data tests)


@on_bundled
def test_bundled_corpus_schema_and_counts(bundled):
    meta = bundled.metadata
    assert isinstance(bundled, SpeechData)
    assert len(bundled) == len(meta) == 720
    assert list(meta.columns[: len(META_COLUMNS)]) == META_COLUMNS
    assert bundled.sample_rate_hz == SAMPLE_RATE_HZ == 8000
    assert meta["speaker"].nunique() >= 12
    assert sorted(meta["label"].unique()) == list(range(10))
    # every speaker says every digit the same number of times
    assert meta.groupby(["speaker", "label"]).size().nunique() == 1
    assert set(meta["gender"]) == {"male", "female"}
    assert (meta["source"] == "bundled").all()
    assert bundled.y.dtype == np.int64
    np.testing.assert_array_equal(bundled.y, meta["label"].to_numpy())


@on_bundled
def test_bundled_clips_are_valid_audio(bundled):
    for clip in bundled.clips:
        assert clip.dtype == np.float32 and clip.ndim == 1
        assert 0.1 * SAMPLE_RATE_HZ < clip.size < 2 * SAMPLE_RATE_HZ
        assert np.all(np.abs(clip) <= 1.0)
    np.testing.assert_allclose(
        bundled.metadata["duration_s"], [c.size / 8000 for c in bundled.clips]
    )


@on_bundled
def test_bundled_sha256_is_the_manifest_hash(bundled):
    expected = hashlib.sha256((SPEECH_DIR / "MANIFEST").read_bytes()).hexdigest()
    assert bundled.sha256 == expected
    assert bundled.name == "speech-bundled"


def test_bundled_corpus_size_budget():
    total = sum(p.stat().st_size for p in SPEECH_DIR.rglob("*") if p.is_file())
    assert total <= 8 * 1024 * 1024


@on_bundled
def test_default_condition_shares_are_exact(bundled):
    counts = bundled.metadata["condition"].value_counts().to_dict()
    assert counts == {"clean": 288, "car_noise": 144, "people_noise": 144, "low_bandwidth": 144}


@on_bundled
def test_snr_only_for_noisy_conditions(bundled):
    meta = bundled.metadata
    noisy = meta["condition"].isin(["car_noise", "people_noise"])
    assert meta.loc[~noisy, "snr_db"].isna().all()
    assert meta.loc[noisy, "snr_db"].between(-10.0, 15.0).all()  # the default range


# ---------------------------------------------------------------- loader options


@pytest.mark.parametrize(
    ("n_clips", "shares", "expected"),
    [
        (37, None, {"clean": 15, "car_noise": 7, "people_noise": 8, "low_bandwidth": 7}),
        (50, {"clean": 0.5, "low_bandwidth": 0.5}, {"clean": 25, "low_bandwidth": 25}),
        (30, {"people_noise": 1.0}, {"people_noise": 30}),
    ],
)
def test_condition_shares_match(n_clips, shares, expected):
    data = load_speech(n_clips=n_clips, condition_shares=shares, random_state=0)
    counts = data.metadata["condition"].value_counts().to_dict()
    assert sum(counts.values()) == n_clips
    # largest remainder: every count within 1 of its quota, zero shares absent
    for cond in CONDITIONS:
        assert abs(counts.get(cond, 0) - expected.get(cond, 0)) <= 1


def test_conditions_off_gives_clean_clips():
    data = load_speech(n_clips=20, conditions=False)
    assert (data.metadata["condition"] == "clean").all()
    assert data.metadata["snr_db"].isna().all()


def test_loading_is_deterministic_per_random_state():
    a = load_speech(n_clips=40, random_state=1)
    b = load_speech(n_clips=40, random_state=1)
    c = load_speech(n_clips=40, random_state=2)
    pd.testing.assert_frame_equal(a.metadata, b.metadata)
    for x, y in zip(a.clips, b.clips, strict=True):
        np.testing.assert_array_equal(x, y)
    assert not a.metadata[["clip_id", "condition"]].equals(c.metadata[["clip_id", "condition"]])


def test_n_clips_is_stratified_by_label_and_speaker():
    data = load_speech(n_clips=120, conditions=False, random_state=3)
    per_stratum = data.metadata.groupby(["label", "speaker"]).size()
    assert len(per_stratum) == 120 and (per_stratum == 1).all()


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"n_clips": 10_000}, ValueError, "'n_clips' parameter of load_speech must be at most 720"),
        ({"n_clips": 0}, ValueError, "'n_clips'"),
        ({"condition_shares": {"clean": 0.5}}, ValueError, "summing to 1"),
        ({"condition_shares": {"rain": 1.0}}, ValueError, "keys among"),
        ({"snr_db_range": (10.0, 0.0)}, ValueError, "snr_db_range"),
        ({"random_state": "seed"}, TypeError, "random_state"),
    ],
)
def test_load_speech_rejects_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        load_speech(**kwargs)


@on_bundled
def test_subset_by_positions_and_mask(bundled):
    sub = bundled.subset([5, 1, 700])
    assert len(sub) == 3
    assert list(sub.metadata["clip_id"]) == list(bundled.metadata["clip_id"].iloc[[5, 1, 700]])
    assert sub.clips[2] is bundled.clips[700]
    assert sub.sha256 == bundled.sha256
    mask = (bundled.y == 3).copy()
    assert (bundled.subset(mask).y == 3).all()
    with pytest.raises(IndexError, match="boolean mask"):
        bundled.subset(mask[:10])


# ---------------------------------------------------------------- checksums


@pytest.fixture
def small_corpus(tmp_path, monkeypatch):
    """A 20-clip copy of the bundled corpus with its own manifest, used as the bundled one."""
    root = tmp_path / "speech"
    (root / "clips").mkdir(parents=True)
    meta = pd.read_csv(SPEECH_DIR / "metadata.csv")
    meta = meta[meta["speaker"].isin(["s01", "s02", "s03", "s04"]) & (meta["rendition"] < 1)]
    meta = meta.iloc[:20]
    for rel in meta["file"]:
        shutil.copy(SPEECH_DIR / rel, root / rel)
    meta.to_csv(root / "metadata.csv", index=False)
    lines = [
        f"{hashlib.sha256((root / rel).read_bytes()).hexdigest()}  {rel}\n"
        for rel in [*meta["file"], "metadata.csv"]
    ]
    (root / "MANIFEST").write_text("".join(lines))
    monkeypatch.setattr(datasets, "_speech_dir", lambda: root)
    return root


def test_small_corpus_loads(small_corpus):
    data = load_speech(random_state=0)
    assert len(data) == 20
    assert data.sha256 == hashlib.sha256((small_corpus / "MANIFEST").read_bytes()).hexdigest()


def test_checksum_mismatch_names_file_and_fix(small_corpus):
    victim = small_corpus / "clips" / "0_s01_0.flac"
    data = bytearray(victim.read_bytes())
    data[-1] ^= 0xFF
    victim.write_bytes(bytes(data))
    with pytest.raises(ChecksumError, match=r"0_s01_0\.flac does not match its sha256") as info:
        load_speech()
    assert "python datasets/speech/build.py" in str(info.value)
    assert isinstance(info.value, ValueError)
    # verify=False skips the check; the damaged FLAC then fails to decode, naming the file
    with pytest.raises(ValueError, match=r"0_s01_0\.flac' could not be decoded"):
        load_speech(verify=False)


def test_missing_clip_is_reported(small_corpus):
    (small_corpus / "clips" / "1_s02_0.flac").unlink()
    with pytest.raises(ChecksumError, match=r"1_s02_0\.flac.*is missing"):
        load_speech()


def test_malformed_manifest_line(tmp_path):
    (tmp_path / "MANIFEST").write_text("not-a-hash file.txt\n")
    with pytest.raises(ChecksumError, match="Line 1 .* must read"):
        verify_manifest(tmp_path / "MANIFEST")


# ---------------------------------------------------------------- FSDD-layout folders


def _tone(freq, n, sr):
    t = np.arange(n) / sr
    return 0.4 * np.sin(2 * np.pi * freq * t) * np.hanning(n)


@pytest.fixture
def fsdd_folder(tmp_path):
    """A tiny FSDD-layout folder: 3 speakers x 10 digits x 2 takes, one stereo 16 kHz file."""
    rec = tmp_path / "mini" / "recordings"
    rec.mkdir(parents=True)
    for s, speaker in enumerate(["alice", "bob", "carol"]):
        for label in range(10):
            for index in range(2):
                x = _tone(200 + 100 * label + 30 * s + 7 * index, 2400 + 400 * index, 8000)
                sf.write(rec / f"{label}_{speaker}_{index}.wav", x, 8000, subtype="PCM_16")
    x16 = _tone(300, 6400, 16000)
    stereo = (np.stack([x16, 0.5 * x16], axis=1) * 32767).astype(np.int16)
    sf.write(rec / "2_dave_0.wav", stereo, 16000, subtype="PCM_16")
    (rec / "notes.txt").write_text("ignored")
    (rec / "README.wav").write_text("ignored: does not match the pattern")
    speakers = {"alice": {"gender": "female", "accent": "IRL"}, "bob": {"gender": "male"}}
    (tmp_path / "mini" / "speakers.json").write_text(json.dumps(speakers))
    return tmp_path / "mini"


def test_fsdd_layout_folder_loads(fsdd_folder):
    data = load_speech(str(fsdd_folder), random_state=0)
    meta = data.metadata.set_index("clip_id")
    assert len(data) == 61
    assert data.name == "speech-mini"
    assert (meta["source"] == "fsdd-layout").all()
    assert meta.loc["0_alice_1", "gender"] == "female"
    assert meta.loc["0_alice_1", "accent"] == "IRL"
    assert meta.loc["1_bob_0", "accent"] == "unknown"
    assert meta.loc["2_dave_0", "gender"] == "unknown"
    # the 16 kHz stereo file was resampled to 8 kHz mono: 6400 samples -> 3200
    assert meta.loc["2_dave_0", "duration_s"] == pytest.approx(0.4)
    assert all(c.dtype == np.float32 and np.abs(c).max() <= 1 for c in data.clips)
    assert sorted(data.metadata["condition"].unique()) == sorted(CONDITIONS)


def test_fsdd_folder_sha256_tracks_content(fsdd_folder):
    first = load_speech(str(fsdd_folder), conditions=False).sha256
    assert load_speech(str(fsdd_folder), conditions=False).sha256 == first
    x = _tone(999, 2000, 8000)
    sf.write(fsdd_folder / "recordings" / "0_alice_0.wav", x, 8000, subtype="PCM_16")
    assert load_speech(str(fsdd_folder), conditions=False).sha256 != first


def _folder(root, speakers=("x", "y"), digits=range(10), n=2000):
    for k, speaker in enumerate(speakers):
        for label in digits:
            x = _tone(300 + 50 * label + 20 * k, n, 8000)
            sf.write(root / f"{label}_{speaker}_0.wav", x, 8000, subtype="PCM_16")
    return root


def test_fsdd_files_directly_in_folder(tmp_path):
    data = load_speech(str(_folder(tmp_path)), condition_shares={"people_noise": 1.0})
    assert len(data) == 20 and data.metadata["speaker"].nunique() == 2


@pytest.mark.parametrize(
    ("speakers", "digits", "match"),
    [
        (
            ("x",),
            range(10),
            r"at least 2 speakers and of all ten digits.*Got 1 speaker\(s\) \['x'\]",
        ),
        (
            ("x", "y"),
            [3],
            r"Got 2 speaker\(s\) \['x', 'y'\] and no clip of digit\(s\) \[0, 1, 2, 4",
        ),
        (("x", "y"), range(9), r"no clip of digit\(s\) \[9\]\. Add recordings"),
    ],
)
def test_folders_below_the_minimum_are_refused_at_load(tmp_path, speakers, digits, match):
    """Issue 12.9: one speaker or missing digits fail at the door, naming folder and minimum."""
    folder = _folder(tmp_path, speakers=speakers, digits=digits)
    with pytest.raises(ValueError, match=match) as info:
        load_speech(str(folder))
    assert str(folder) in str(info.value)


def test_unusable_clips_are_skipped_with_a_warning(tmp_path):
    """Silent, 1-sample and 10 ms clips never reach a model; the warning says which and why."""
    folder = _folder(tmp_path)
    sf.write(folder / "3_y_1.wav", np.zeros(4000), 8000, subtype="PCM_16")
    sf.write(folder / "4_y_1.wav", _tone(300, 80, 8000), 8000, subtype="PCM_16")
    sf.write(folder / "5_y_1.wav", _tone(300, 1, 8000), 8000, subtype="PCM_16")
    with pytest.warns(
        UserWarning, match=r"skipped 3 of 23 clip\(s\).*\{'duration': 2, 'silence': 1\}"
    ):
        data = load_speech(str(folder))
    assert len(data) == 20 and "3_y_1" not in set(data.metadata["clip_id"])


def test_all_silent_clips_of_a_speaker_leave_too_few(tmp_path):
    folder = _folder(tmp_path)
    for label in range(10):
        sf.write(folder / f"{label}_y_0.wav", np.zeros(4000), 8000, subtype="PCM_16")
    with pytest.warns(UserWarning, match="skipped 10 of 20"):
        with pytest.raises(ValueError, match=r"usable clips of at least 2 speakers.*Got 1 speaker"):
            load_speech(str(folder))


def test_empty_folder_error(tmp_path):
    with pytest.raises(ValueError, match=r"must hold files named \{label\}_\{speaker\}.*empty"):
        load_speech(str(tmp_path))


def test_folder_without_matching_files_lists_them(tmp_path):
    (tmp_path / "hello.wav").write_bytes(b"")
    with pytest.raises(ValueError, match=r"no matching file; it holds \['hello\.wav'\]"):
        load_speech(str(tmp_path))


def test_missing_folder_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="'audio_dir' parameter"):
        load_speech(str(tmp_path / "absent"))


def test_file_instead_of_folder(tmp_path):
    (tmp_path / "f.wav").write_bytes(b"")
    with pytest.raises(NotADirectoryError, match="must be a folder"):
        load_speech(str(tmp_path / "f.wav"))


@pytest.mark.fsdd
@pytest.mark.skipif(not FSDD_DIR.is_dir(), reason="../shared/data/fsdd is absent")
def test_real_fsdd_loads():
    data = load_speech(str(FSDD_DIR), n_clips=400, random_state=0)
    meta = data.metadata
    assert len(data) == 400
    assert meta["speaker"].nunique() == 4
    assert sorted(meta["label"].unique()) == list(range(10))
    assert (meta["gender"] != "unknown").all()
    assert all(np.abs(c).max() <= 1.0 for c in data.clips)
    assert data.sample_rate_hz == 8000


# ---------------------------------------------------------------- tabular


def test_rare_class_schema_and_rate():
    data = load_rare_class()
    assert isinstance(data, TabularData)
    assert data.X.shape == (376, 30)
    assert int(data.y.sum()) == 19
    assert 0.04 < data.y.mean() < 0.06
    assert not {"target", "diagnosis", "row_id", "size_group"} & set(data.X.columns)
    assert list(data.groups.cat.categories) == ["small", "medium", "large"]
    assert data.groups.value_counts().min() >= 120
    assert (data.metadata["diagnosis"].eq("malignant").to_numpy() == (data.y == 1)).all()
    assert data.metadata["row_id"].is_unique
    manifest = datasets_dir() / "tabular" / "MANIFEST"
    assert data.sha256 == hashlib.sha256(manifest.read_bytes()).hexdigest()


def test_rare_class_checksum_failure(tmp_path, monkeypatch):
    src = datasets_dir() / "tabular"
    shutil.copy(src / "MANIFEST", tmp_path / "MANIFEST")
    text = (src / "rare_class.csv").read_text()
    (tmp_path / "rare_class.csv").write_text(text.replace(",benign,0\n", ",benign,1\n", 1))
    monkeypatch.setattr(datasets, "_tabular_dir", lambda: tmp_path)
    with pytest.raises(ChecksumError, match=r"rare_class\.csv does not match.*tabular/build\.py"):
        load_rare_class()


def test_folder_with_only_subfolders_points_to_them(tmp_path):
    (tmp_path / "fsdd").mkdir()
    with pytest.raises(
        ValueError, match=r"sub-folder\(s\) \['fsdd'\]: point 'audio_dir' at the one"
    ):
        load_speech(str(tmp_path))


def test_describe_voices_says_what_the_speakers_are(fsdd_dir):
    from mlkit.datasets import describe_voices, load_speech

    bundled = describe_voices(load_speech(n_clips=40, random_state=0).metadata)
    assert "espeak-ng synthesizer presets" in bundled and "not people" in bundled
    real = describe_voices(load_speech(fsdd_dir, n_clips=40, random_state=0).metadata)
    assert "4 real speakers" in real and "All are male, so a slice by gender is impossible" in real


def test_describe_voices_needs_the_metadata_columns():
    import pandas as pd

    from mlkit.datasets import describe_voices

    with pytest.raises(ValueError, match=r"missing \['accent', 'source', 'voice'\]"):
        describe_voices(pd.DataFrame({"speaker": ["a"], "gender": ["f"]}))
