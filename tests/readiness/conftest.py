"""Fixtures of the readiness tests: the committed trimmed run and editable copies of it."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.conftest import FIXTURES

FIXTURE_RUN = FIXTURES / "readiness_run"


@pytest.fixture
def fixture_run():
    """The committed trimmed run (read only)."""
    return FIXTURE_RUN


@pytest.fixture
def run_copy(tmp_path):
    """Return a function making an editable copy of the fixture run, with metrics.json edited."""

    def make(edit=None, name="run"):
        out = tmp_path / name
        shutil.copytree(FIXTURE_RUN, out)
        if edit is not None:
            path = out / "metrics.json"
            record = json.loads(path.read_text(encoding="utf-8"))
            edit(record)
            path.write_text(json.dumps(record), encoding="utf-8")
        return out

    return make


@pytest.fixture
def empty_run(tmp_path):
    """A run folder whose metrics.json records no notebooks."""
    run = tmp_path / "empty"
    run.mkdir()
    (run / "metrics.json").write_text(json.dumps({"profile": "ci", "notebooks": {}}))
    return run
