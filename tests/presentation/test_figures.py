"""kurilsim.plot: every registered figure draws headless; unknown kinds and types are refused."""

import io

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

import kurilsim
from kurilsim import InputError, parse_scenario
from kurilsim.analysis.tipping import TippingPoints, tipping_points
from kurilsim.forms import catalogue
from kurilsim.forms.bargaining.game import BargainingProblem
from kurilsim.forms.bargaining.result import BargainingSolution
from kurilsim.forms.bargaining.solve import solve_bargaining
from kurilsim.forms.extensive.solve import solve_tree
from kurilsim.forms.normal.game import NormalFormGame
from kurilsim.forms.normal.logit_qre import LogitBranch, logit_correspondence
from kurilsim.forms.normal.result import Solution
from kurilsim.presentation.figures import figure_kinds, register_figure
from kurilsim.sweeps import SweepResult, sweep
from tests.helpers import SCENARIOS
from tests.strategies import STAG_HUNT

GRID_2 = {"stag": (2, 10, 3), "hare": (0, 3, 3)}
GRID_1 = {"stag": (2, 10, 5)}


def bargaining():
    problem = BargainingProblem(["A", "B"], ["x", "y"], [[2, 1], [1, 2]], [0, 0])
    return solve_bargaining(problem)


def logit_branch():
    game = catalogue.battle_of_the_sexes()
    return logit_correspondence(game.payoffs, lam_max=5.0).labelled(game)


#: A result for each registered kind of figure, and what its axes show.
FIGURES = [
    pytest.param(
        lambda: kurilsim.solve(catalogue.battle_of_the_sexes()),
        "payoffs",
        "payoff in equilibrium",
        id="Solution-payoffs",
    ),
    pytest.param(catalogue.battle_of_the_sexes, "table", "Wife", id="NormalFormGame-table"),
    pytest.param(logit_branch, "probabilities", "probability", id="LogitBranch-probabilities"),
    pytest.param(bargaining, "utilities", "utility of B", id="BargainingSolution-utilities"),
    pytest.param(
        lambda: sweep(parse_scenario(STAG_HUNT), GRID_2), "auto", "hare", id="SweepResult-auto"
    ),
    pytest.param(
        lambda: sweep(parse_scenario(STAG_HUNT), GRID_2), "regime", "hare", id="SweepResult-regime"
    ),
    pytest.param(
        lambda: sweep(parse_scenario(STAG_HUNT), GRID_1),
        "probabilities",
        "probability",
        id="SweepResult-probabilities",
    ),
    pytest.param(
        lambda: sweep(parse_scenario(STAG_HUNT), GRID_1),
        "payoffs",
        "equilibrium payoff",
        id="SweepResult-payoffs",
    ),
    pytest.param(
        lambda: sweep(parse_scenario(STAG_HUNT), samples=40, seed=2),
        "shares",
        "",
        id="SweepResult-shares",
    ),
    pytest.param(
        lambda: sweep(
            kurilsim.load_scenario(SCENARIOS / "reassurance_2016.yaml"),
            {"p_independent": (0.1, 0.9, 5)},
            workers=1,
        ),
        "deal",
        "probability of a deal",
        id="SweepResult-deal",
    ),
    pytest.param(
        lambda: tipping_points(parse_scenario(STAG_HUNT), resolution=51),
        "tornado",
        "",
        id="TippingPoints-tornado",
    ),
]

#: kurilsim's own results and their kinds of figure, default first.
KINDS = {
    Solution: ("payoffs",),
    NormalFormGame: ("table",),
    LogitBranch: ("probabilities",),
    BargainingSolution: ("utilities",),
    SweepResult: ("auto", "regime", "probabilities", "payoffs", "shares", "deal"),
    TippingPoints: ("tornado",),
}


def draw_with_agg(figure):
    assert isinstance(figure, Figure)
    buffer = io.BytesIO()
    FigureCanvasAgg(figure).print_png(buffer)
    assert buffer.getvalue().startswith(b"\x89PNG")


@pytest.mark.parametrize(("make", "kind", "ylabel"), FIGURES)
def test_every_registered_kind_draws_headless(make, kind, ylabel):
    figure = kurilsim.plot(make(), kind=kind)
    draw_with_agg(figure)
    assert figure.axes[0].get_ylabel().startswith(ylabel)


def test_the_table_of_kinds_is_the_registry():
    covered = {(param.id.split("-")[0], param.values[1]) for param in FIGURES}
    for result_type, kinds in KINDS.items():
        assert figure_kinds(result_type) == kinds
        assert {(result_type.__name__, kind) for kind in kinds} <= covered


def test_default_kind_is_drawn_without_a_kind():
    game = catalogue.battle_of_the_sexes()
    assert kurilsim.plot(game).axes[0].get_ylabel() == "Wife"
    samples = sweep(parse_scenario(STAG_HUNT), samples=40, seed=2)
    assert kurilsim.plot(samples).axes[0].get_title().startswith("Outcome shares")


def test_options_and_axes_reach_the_figure_function():
    figure = Figure()
    left, right = figure.subplots(1, 2)
    game = catalogue.battle_of_the_sexes()
    assert kurilsim.plot(game, ax=left, player=1) is figure
    assert kurilsim.plot(logit_branch(), ax=right, log_lambda=False) is figure
    assert left.figure.axes[2].get_ylabel() == "payoff of Husband"  # the colour bar's axes
    assert right.get_xscale() == "linear"


def test_unknown_kind_names_the_kinds_that_exist():
    with pytest.raises(InputError, match=r"SweepResult has no figure of kind 'pie'") as caught:
        kurilsim.plot(sweep(parse_scenario(STAG_HUNT), GRID_2), "pie")
    assert str(caught.value).endswith(
        "its kinds: auto, regime, probabilities, payoffs, shares, deal"
    )


def test_a_type_without_figures_is_refused():
    with pytest.raises(InputError, match="TreeSolution has no figure; figures are drawn for"):
        kurilsim.plot(solve_tree(catalogue.entry_deterrence()))
    with pytest.raises(InputError, match="str has no figure"):
        kurilsim.plot("a string")


def test_a_figure_unfit_for_the_result_says_why():
    with pytest.raises(InputError, match="without samples"):
        kurilsim.plot(sweep(parse_scenario(STAG_HUNT), samples=10), "regime")


def test_register_figure_adds_kinds_for_a_new_type_and_its_subclasses():
    class Rounds:
        def __init__(self, offers):
            self.offers = offers

    class RatifiedRounds(Rounds):
        pass

    def line(rounds, ax=None, colour="black"):
        figure = Figure()
        (ax or figure.add_subplot()).plot(rounds.offers, color=colour)
        return figure if ax is None else ax.figure

    def bars(rounds, ax=None):
        figure = Figure()
        (ax or figure.add_subplot()).bar(range(len(rounds.offers)), rounds.offers)
        return figure if ax is None else ax.figure

    with pytest.raises(InputError, match="Rounds has no figure"):
        figure_kinds(Rounds)
    register_figure(Rounds, "line", line)
    register_figure(Rounds, "bars", bars)
    assert figure_kinds(Rounds) == ("line", "bars")  # the first registered is the default
    register_figure(Rounds, "bars", bars, default=True)
    assert figure_kinds(RatifiedRounds) == ("bars", "line")
    drawn = kurilsim.plot(RatifiedRounds([0.2, 0.5]))
    draw_with_agg(drawn)
    assert len(drawn.axes[0].patches) == 2
    (offers,) = kurilsim.plot(Rounds([0.1, 0.3, 0.2]), "line", colour="red").axes[0].lines
    assert list(offers.get_ydata()) == [0.1, 0.3, 0.2]
    assert offers.get_color() == "red"


def test_plot_is_exported_and_loads_lazily():
    from kurilsim import plot
    from kurilsim.presentation import figures

    assert plot is figures.plot is kurilsim.plot
    assert "plot" in kurilsim.__all__
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        kurilsim.no_such_name  # noqa: B018
