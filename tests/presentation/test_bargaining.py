"""The bargaining figure renders headless and shows the points and labels it claims to."""

import io

import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Polygon

import kurilsim
from kurilsim import load_scenario
from kurilsim.forms.bargaining.game import BargainingProblem
from kurilsim.forms.bargaining.solve import solve_bargaining
from kurilsim.presentation.bargaining import plot_bargaining, staircase
from tests.helpers import SCENARIOS

SCENARIO = SCENARIOS / "bargaining_2016.yaml"


@pytest.fixture
def islands():
    problem = BargainingProblem(
        players=["Japan", "Russia"],
        deals=["joint_economic", "two_islands", "mainland"],
        utilities=[[0.3, 0.4], [0.8, 0.3], [0.1, 0.2]],
        disagreement=[0.0, -0.1],
        discount=[0.8, 0.95],
        ratifiers=["Russian_public"],
        approval=[[0.8], [0.29], [0.9]],
        title="Two islands or joint activity",
    )
    return solve_bargaining(problem)


def legend(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def scatter_points(ax, label):
    (collection,) = [c for c in ax.collections if c.get_label() == label]
    return collection.get_offsets().data.tolist()


def test_plot_draws_every_element_with_a_legend(islands):
    ax = kurilsim.plot(islands, kind="utilities").axes[0]
    assert isinstance(ax, Axes)
    assert legend(ax) == [
        "deals that can be ratified",
        "deals outside a win-set",
        "zone of possible agreement",
        "disagreement point",
        "Nash bargaining: joint_economic",
        "Nash bargaining without ratification: two_islands",
        "Kalai-Smorodinsky: joint_economic",
        "Kalai-Smorodinsky without ratification: two_islands",
        "Rubinstein: joint_economic",
        "Rubinstein without ratification: two_islands",
    ]
    assert scatter_points(ax, "deals that can be ratified") == [[0.3, 0.4], [0.1, 0.2]]
    assert scatter_points(ax, "deals outside a win-set") == [[0.8, 0.3]]
    assert scatter_points(ax, "disagreement point") == [[0.0, -0.1]]
    assert scatter_points(ax, "Nash bargaining: joint_economic") == [[0.3, 0.4]]
    assert scatter_points(ax, "Nash bargaining without ratification: two_islands") == [[0.8, 0.3]]
    assert ax.get_xlabel() == "utility of Japan" and ax.get_ylabel() == "utility of Russia"
    assert ax.get_title() == "Two islands or joint activity"
    assert sorted(t.get_text() for t in ax.texts) == ["joint_economic", "mainland", "two_islands"]


def test_zopa_is_shaded_as_the_region_the_ratifiable_deals_reach(islands):
    ax = kurilsim.plot(islands, kind="utilities").axes[0]
    (zone,) = [p for p in ax.patches if p.get_label() == "zone of possible agreement"]
    assert isinstance(zone, Polygon)
    # Without lotteries: every point both prefer to d that joint_economic gives or beats.
    np.testing.assert_allclose(
        zone.get_xy()[:-1], [[0.0, -0.1], [0.0, 0.4], [0.3, 0.4], [0.3, -0.1]]
    )


def test_lotteries_draw_the_hull_and_the_zone_inside_it(islands):
    problem = islands.problem
    ax = plot_bargaining(solve_bargaining(problem, lotteries=True), focus=False).axes[0]
    labels = legend(ax)
    assert labels[0] == "feasible set (lotteries over deals)"
    hull = next(p for p in ax.patches if p.get_label() == labels[0]).get_xy()[:-1]
    # The hull of the ratifiable deals and d: joint_economic, mainland and d=(0, -0.1).
    assert sorted(map(tuple, np.round(hull, 12))) == [(0.0, -0.1), (0.1, 0.2), (0.3, 0.4)]


def test_draws_on_given_axes_and_renders_headless():
    problem = BargainingProblem(["A", "B"], ["x", "y"], [[2, 1], [1, 2]], [0, 0])
    figure = Figure()
    ax = figure.add_subplot()
    assert plot_bargaining(solve_bargaining(problem), ax) is figure
    figure.savefig(io.BytesIO(), format="png")


def test_empty_zopa_draws_no_zone():
    problem = BargainingProblem(["A", "B"], ["x", "y"], [[1, -1], [-1, 1]], [0, 0])
    ax = kurilsim.plot(solve_bargaining(problem), kind="utilities").axes[0]
    assert "zone of possible agreement" not in legend(ax)
    assert "Nash bargaining: no agreement" in legend(ax)


def test_2016_scenario_plot_focuses_on_where_bargaining_happens():
    solution = load_scenario(SCENARIO).solve()
    ax = kurilsim.plot(solution, kind="utilities").axes[0]
    x_low, x_high = ax.get_xlim()
    y_low, y_high = ax.get_ylim()
    d = solution.problem.disagreement
    assert x_low < d[0] < x_high and y_low < d[1] < y_high
    assert y_low > -1  # the four-island deals (far below for Russia) are outside the view
    wide = plot_bargaining(solution, focus=False).axes[0]
    assert wide.get_ylim()[0] < -2.5
    assert any(label.startswith("Rubinstein: joint_economic[") for label in legend(ax))


def test_staircase_outline():
    points = np.array([[2.0, 1.0], [1.0, 2.0], [1.5, 1.5], [0.5, 0.5]])
    outline = staircase(points, np.zeros(2))
    assert outline.tolist() == [
        [0, 0],
        [0, 2],
        [1, 2],
        [1, 1.5],
        [1.5, 1.5],
        [1.5, 1],
        [2, 1],
        [2, 0],
    ]
    assert staircase(np.zeros((0, 2)), np.zeros(2)).shape == (0, 2)


def test_the_legend_is_below_the_plot_and_solutions_are_not_clipped():
    figure = plot_bargaining(load_scenario(SCENARIO).solve())
    ax = figure.axes[0]
    figure.canvas.draw()
    legend, frame = ax.get_legend().get_window_extent(), ax.get_window_extent()
    assert legend.y1 < frame.y0 and legend.width < frame.width
    marked = [c for c in ax.collections if c.get_label().startswith(("Nash", "Kalai", "Rubin"))]
    assert marked and not any(c.get_clip_on() for c in marked)
