"""Figures of a dynamic game's path, drawn by kurilsim.plot; the plotted data is checked."""

from __future__ import annotations

import pytest

import kurilsim
from kurilsim.forms.dynamic.result import DynamicSolution
from kurilsim.presentation.figures import figure_kinds


def test_the_trajectory_is_the_default_figure_and_plots_the_expected_state():
    solution = kurilsim.load_scenario("scenarios/sanctions_markov.yaml").solve()
    assert figure_kinds(DynamicSolution) == ("trajectory", "deal")
    ax = kurilsim.plot(solution).axes[0]
    trust = ax.lines[0].get_ydata()
    assert trust.tolist() == pytest.approx(solution.path.state_means[0, :, 0].tolist())
    assert [t.get_text() for t in ax.get_xticklabels()][:3] == ["1", "2", "3"]


def test_the_deal_figure_plots_the_probability_by_round():
    scenario = kurilsim.load_scenario("scenarios/commitment_treaty.yaml")
    ax = kurilsim.plot(scenario.solve({"guarantee": 7}), kind="deal").axes[0]
    assert ax.lines[0].get_ydata().tolist() == [0.0, 1.0, 1.0, 1.0]
    assert [float(bar.get_height()) for bar in ax.patches] == [0.0, 1.0, 0.0, 0.0]
    assert ax.get_ylabel() == "probability"
