"""Shared fixtures: project paths and the real-recordings folder beside the checkout."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
FSDD_DIR = ROOT.parent / "shared" / "data" / "fsdd"


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture
def fsdd_dir() -> Path:
    if not (FSDD_DIR / "recordings").is_dir():
        pytest.skip(f"real recordings not present at {FSDD_DIR}")
    return FSDD_DIR


@pytest.fixture(autouse=True)
def _close_figures():
    """Close pyplot figures a test leaves open, so tests that count open figures stay independent."""
    yield
    import sys

    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
