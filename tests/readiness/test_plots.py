from mlkit.readiness import load_run_evidence, plot_readiness, score_tests


def test_plot_has_group_bars_and_the_4_by_7_grid(fixture_run):
    fig = plot_readiness(score_tests(load_run_evidence(fixture_run)))
    bars, grid = fig.axes
    assert len(bars.patches) == 4
    assert grid.images[0].get_array().shape == (4, 7)
