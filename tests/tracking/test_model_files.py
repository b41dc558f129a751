"""Units of the model files: skops save/load with sha256 and trusted types (``mlkit/tracking/_model_files.py``)."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from mlkit import tracking as t


def test_save_and_load_model_checks_sha(tmp_path, toy_model):
    model, X = toy_model
    digest = t.save_model(model, tmp_path / "m.skops")
    back = t.load_model(tmp_path / "m.skops")
    assert np.array_equal(back.predict(X), model.predict(X))
    assert (tmp_path / "m.skops.sha256").read_text().split()[0] == digest
    explicit = t.load_model(tmp_path / "m.skops", sha256=digest)
    assert np.array_equal(explicit.predict_proba(X), model.predict_proba(X))
    with pytest.raises(FileExistsError, match="never overwritten"):
        t.save_model(model, tmp_path / "m.skops")
    with pytest.raises(t.ModelIntegrityError, match="does not match its sha256"):
        t.load_model(tmp_path / "m.skops", sha256="0" * 64)


def test_load_model_needs_file_and_checksum(tmp_path, toy_model):
    model, _ = toy_model
    with pytest.raises(FileNotFoundError, match="does not exist"):
        t.load_model(tmp_path / "missing.skops")
    t.save_model(model, tmp_path / "m.skops")
    (tmp_path / "m.skops.sha256").unlink()
    with pytest.raises(FileNotFoundError, match="No checksum for"):
        t.load_model(tmp_path / "m.skops")


def _double(X):
    return 2 * X


def test_load_model_refuses_untrusted_types(tmp_path):
    from sklearn.preprocessing import FunctionTransformer

    model = FunctionTransformer(_double).fit(np.ones((3, 2)))
    t.save_model(model, tmp_path / "f.skops")
    name = f"{_double.__module__}._double"  # the module name depends on pytest's import mode
    with pytest.raises(t.ModelIntegrityError, match=rf"not trusted: \['{name}'\]"):
        t.load_model(tmp_path / "f.skops")
    back = t.load_model(tmp_path / "f.skops", trusted=[name])
    assert back.transform(np.ones((1, 2))).tolist() == [[2.0, 2.0]]


def test_load_model_uses_the_bytes_it_checked(tmp_path, toy_model, monkeypatch):
    """A file swapped after the checksum passed must not be what gets loaded."""
    import skops.io as sio

    model, X = toy_model
    path = tmp_path / "m.skops"
    t.save_model(model, path)
    other = LogisticRegression(C=1e-4).fit(X, 1 - model.predict(X))
    real = sio.get_untrusted_types

    def swap_then_check(**kw):
        path.write_bytes(sio.dumps(other))  # the attacker's swap, after the hash was taken
        return real(**kw)

    monkeypatch.setattr(sio, "get_untrusted_types", swap_then_check)
    back = t.load_model(path)
    assert np.array_equal(back.predict(X), model.predict(X))
    assert not np.array_equal(back.predict(X), other.predict(X))


def test_model_errors_are_the_kit_errors():
    from mlkit import errors

    assert t.ModelIntegrityError is errors.ModelIntegrityError
    assert t.TrackingError is errors.TrackingError
