"""The sensitivity figures show the indices, their intervals and the S2 matrix they claim to."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.container import BarContainer

import kurilsim
from kurilsim import InputError, parse_scenario
from kurilsim.presentation import figure_kinds, index_bars, interaction_map
from kurilsim.presentation.sensitivity import sensitivity_figure
from tests.analysis.test_sensitivity import UNIT, one_player


@pytest.fixture(scope="module")
def toy():
    return parse_scenario(one_player("a * b + c", UNIT))


@pytest.fixture(scope="module")
def sobol(toy):
    return kurilsim.sensitivity(toy, "payoff:A", samples=64, seed=2)


def bars(figure):
    return [c for c in figure.axes[0].containers if isinstance(c, BarContainer)]


def test_sobol_bars_are_the_first_order_and_total_indices(sobol):
    figure = kurilsim.plot(sobol)  # the default kind
    ax = figure.axes[0]
    names = [t.get_text() for t in ax.get_yticklabels()]
    assert names == list(sobol.ranked().index[::-1])  # most influential on top
    first, total = bars(figure)
    widths = [[bar.get_width() for bar in container] for container in (first, total)]
    np.testing.assert_allclose(widths[0], sobol.indices.loc[names, "S1"])
    np.testing.assert_allclose(widths[1], sobol.indices.loc[names, "ST"])
    assert first.errorbar is not None and total.errorbar is not None
    whiskers = first.errorbar.lines[2][0].get_segments()
    half = [(segment[1][0] - segment[0][0]) / 2 for segment in whiskers]
    np.testing.assert_allclose(half, sobol.indices.loc[names, "S1_conf"])
    assert ax.get_legend().get_texts()[0].get_text().startswith("first order (S1)")


def test_the_interaction_map_is_the_s2_matrix(sobol):
    assert figure_kinds(type(sobol)) == ("indices", "interactions")
    ax = kurilsim.plot(sobol, kind="interactions").axes[0]
    names = [t.get_text() for t in ax.get_yticklabels()]
    shown = np.asarray(ax.images[0].get_array())
    assert sobol.second_order is not None
    np.testing.assert_array_equal(shown, sobol.second_order.loc[names, names].to_numpy())
    assert np.isnan(np.diag(shown)).all()


def test_morris_bars_and_no_interaction_map(toy):
    morris = kurilsim.sensitivity(toy, "payoff:A", method="morris", samples=8)
    figure = index_bars(morris)
    names = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    mu_star, sigma = bars(figure)
    np.testing.assert_allclose(
        [b.get_width() for b in mu_star], morris.indices.loc[names, "mu_star"]
    )
    np.testing.assert_allclose([b.get_width() for b in sigma], morris.indices.loc[names, "sigma"])
    with pytest.raises(InputError, match="an interaction map needs second-order Sobol indices"):
        interaction_map(morris)
    assert len(sensitivity_figure(morris).axes) == 1


def test_the_command_figure_has_both_panels(sobol):
    figure = sensitivity_figure(sobol)
    assert figure.axes[0].get_xlabel() == "Sobol index (share of variance)"
    assert figure.axes[1].get_title().startswith("Interactions (S2)")
