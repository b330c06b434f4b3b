"""Figures of learning paths: the plotted data are the path's, headless."""

from __future__ import annotations

import numpy as np
import pytest

import kurilsim
from kurilsim.core.errors import InputError
from kurilsim.forms import catalogue
from kurilsim.presentation.figures import figure_kinds
from kurilsim.presentation.learning import CORNERS


def test_kinds() -> None:
    assert figure_kinds(kurilsim.LearningPath) == ("time", "simplex")


def test_over_time_plots_every_strategy_against_the_rounds() -> None:
    path = kurilsim.learn(catalogue.battle_of_the_sexes(), steps=40)
    axes = kurilsim.plot(path).axes[0]
    lines = axes.get_lines()
    assert [line.get_label() for line in lines] == [
        f"{p}: {s}"
        for p, names in zip(path.game.players, path.game.strategies, strict=True)
        for s in names
    ]
    np.testing.assert_array_equal(lines[0].get_xdata(), path.times)
    np.testing.assert_array_equal(lines[3].get_ydata(), path.profiles[1][:, 1])
    assert axes.get_xlabel() == "round"


def test_simplex_places_three_strategies_in_the_triangle() -> None:
    path = kurilsim.learn(
        catalogue.rock_paper_scissors(), "replicator", steps=50, start=[[0.6, 0.3, 0.1]] * 2
    )
    figure = kurilsim.plot(path, "simplex")
    assert [axes.get_title() for axes in figure.axes] == list(path.game.players)
    curve = next(line for line in figure.axes[0].get_lines() if line.get_label() == "path")
    expected = path.profiles[0] @ CORNERS
    np.testing.assert_allclose(curve.get_xydata(), expected)
    assert "cycling" in figure.get_suptitle() or "not converged" in figure.get_suptitle()


def test_simplex_draws_two_strategies_on_a_line_against_time() -> None:
    path = kurilsim.learn(catalogue.matching_pennies(), steps=30)
    figure = kurilsim.plot(path, "simplex", player="Odd")
    (axes,) = figure.axes
    curve = axes.get_lines()[0]
    np.testing.assert_array_equal(curve.get_xdata(), path.profiles[1][:, 0])
    np.testing.assert_array_equal(curve.get_ydata(), path.times)


def test_simplex_refuses_more_than_three_strategies_and_axes_without_a_player() -> None:
    game = kurilsim.NormalFormGame(
        ["A", "B"], [["a", "b", "c", "d"], ["x", "y"]], np.zeros((4, 2, 2))
    )
    with pytest.raises(InputError, match="A has more than 3 strategies"):
        kurilsim.plot(kurilsim.learn(game, steps=2), "simplex")
    path = kurilsim.learn(catalogue.matching_pennies(), steps=2)
    axes = kurilsim.plot(path).axes[0]
    with pytest.raises(InputError, match="give the player"):
        kurilsim.plot(path, "simplex", ax=axes)
