import ipywidgets as w
import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from mlkit.widgets import show_panel  # noqa: E402


def _render(a, b):
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.plot([0, 1], [0, a * b])
    return fig, f"a*b = {a * b}"


@pytest.mark.parametrize("headless", [True, False])
def test_panel_draws_default_state_and_updates_in_place(monkeypatch, headless):
    if headless:
        monkeypatch.setenv("MLKIT_HEADLESS", "1")
    else:
        monkeypatch.delenv("MLKIT_HEADLESS", raising=False)
    panel = show_panel(_render, {"a": w.FloatSlider(value=1.0), "b": w.IntSlider(value=2)})
    assert panel.values == {"a": 1.0, "b": 2}
    assert len(panel.render_times_ms) == 1 and len(panel._handles) == 2
    ms = panel.update(a=3.0, b=1)
    assert ms >= 0 and len(panel.render_times_ms) == 2  # one render for two changes
    assert plt.get_fignums() == []  # figures are closed after rendering


def test_panel_bad_input():
    with pytest.raises(TypeError, match="must be callable"):
        show_panel(3, {"a": w.FloatSlider()})
    with pytest.raises(ValueError, match="non-empty dict"):
        show_panel(_render, {})
    with pytest.raises(TypeError, match="Control 'a' must be an ipywidgets control"):
        show_panel(_render, {"a": 3})
    panel = show_panel(_render, {"a": w.FloatSlider(value=1.0), "b": w.IntSlider(value=2)})
    with pytest.raises(KeyError, match="Unknown control"):
        panel.update(c=1)
