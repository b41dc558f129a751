"""Every public name of the kit keeps its import path (snapshot taken before the phase packages).

``public_names.json`` lists each module's ``__all__`` as it was when the kit had one flat module per
phase; the runner's modules moved into ``mlkit.runner`` then. A name may be added, never lost.
"""

import importlib
import json
from pathlib import Path

import pytest

SNAPSHOT = json.loads((Path(__file__).parent / "public_names.json").read_text())


@pytest.mark.parametrize("module", sorted(SNAPSHOT))
def test_public_names_stay_importable(module):
    mod = importlib.import_module(module)
    missing = [name for name in SNAPSHOT[module] if not hasattr(mod, name)]
    assert not missing, f"{module} lost {missing}"
    exported = set(getattr(mod, "__all__", ()))
    assert set(SNAPSHOT[module]) <= exported, (
        f"{module}.__all__ lost {set(SNAPSHOT[module]) - exported}"
    )
