"""Rich display in Jupyter: every object a user meets renders as escaped HTML; text tables
escape their cells once and stay aligned."""

from hypothesis import given
from hypothesis import strategies as st

import kurilsim
from kurilsim import load_scenario, parse_scenario, solve
from kurilsim.core.display import printable, text_table
from kurilsim.forms import catalogue
from tests.helpers import ROOT
from tests.strategies import CONTROL_CHARACTERS, STAG_HUNT, hostile_texts


@given(hostile_texts)
def test_escaping_escaped_text_changes_nothing(text):
    once = printable(text)
    assert printable(once) == once
    assert not set(once) & set(CONTROL_CHARACTERS).difference("\t\n")


@given(st.lists(hostile_texts, min_size=1, max_size=5))
def test_text_table_cells_are_escaped_before_columns_are_measured(names):
    lines = text_table(["name", "|"], [[name, "|"] for name in names])
    assert len({line.rindex("|") for line in lines}) == 1  # the second column lines up
    assert all(printable(line) == line and "\t" not in line for line in lines)
    assert len(lines) == 1 + len(names)  # a newline in a name does not break its row


def test_a_table_printed_by_the_command_line_is_escaped_once():
    lines = text_table(["player", "u"], [["Even\x1b[31m", "1"], ["Odd", "-1"]])
    assert lines == ["player        u", "Even\\x1b[31m  1", "Odd           -1"]
    assert [printable(line) for line in lines] == lines


def test_two_player_game_is_a_bimatrix():
    html = catalogue.battle_of_the_sexes()._repr_html_()
    assert "Wife \\ Husband" in html
    assert "<td>Opera</td><td>2, 1</td><td>0, 0</td>" in html


def test_three_player_game_lists_profiles():
    html = catalogue.jordan_three_player_pennies()._repr_html_()
    assert html.count("<tr>") == 1 + 8
    assert "u(Player 3)" in html


def test_solution_table_names_method_and_equilibria():
    html = solve(catalogue.stag_hunt())._repr_html_()
    assert "3 equilibria" in html
    assert "vertex-enumeration" in html
    assert "Stag 0.75, Hare 0.25" in html


def test_scenario_shows_parameters_with_evidence():
    html = load_scenario(ROOT / "scenarios" / "sochi_2016.yaml")._repr_html_()
    assert "opposition_two" in html
    assert "E50" in html


def test_user_text_is_escaped():
    scenario = parse_scenario(
        STAG_HUNT.replace("title: Stag hunt with a parameter", "title: <script>x</script>")
    )
    assert "<script>" not in scenario._repr_html_()
    assert "&lt;script&gt;" in scenario._repr_html_()
    assert "<script>" not in scenario.game()._repr_html_()


# Objects of the other game forms and pipeline stages: each renders, escaped, in Jupyter and
# has a one-line repr.


def test_bargaining_scenario_shows_deals_ratifiers_and_evidence():
    scenario = load_scenario(ROOT / "scenarios" / "bargaining_2016.yaml")
    html = scenario._repr_html_()
    assert "<td>two_islands</td>" in html
    assert "Russian_public" in html
    assert "oppose_two" in html and "E50" in html


def test_bargaining_solution_table_names_deals_and_the_zopa():
    solution = load_scenario(ROOT / "scenarios" / "bargaining_2016.yaml").solve()
    html = solution._repr_html_()
    assert "<td>Nash bargaining</td>" in html
    assert "zone of possible agreement" in html
    assert "win-set of Russian_public" in html
    assert repr(solution).startswith("<BargainingSolution ")


def test_backtest_repr_and_table():
    from kurilsim.analysis.backtest import Backtest, EraResult

    era = EraResult("x.yaml", "1956", ("A=<b>",), "no deal", True, 0.5, 100)
    result = Backtest(eras=(era,), statements=(), seed=3)
    assert repr(result) == "<Backtest: 1 of 1 eras match; 0 of 0 expressible statements hold>"
    html = result._repr_html_()
    assert "<td>1956</td>" in html and "<td>50%</td>" in html
    assert "A=&lt;b&gt;" in html


def test_tipping_points_repr_and_table():
    from kurilsim.analysis.tipping import tipping_points

    tipping = tipping_points(parse_scenario(STAG_HUNT), ["hare"], resolution=101)
    assert repr(tipping).startswith("<TippingPoints 'Stag hunt with a parameter': ")
    html = tipping._repr_html_()
    assert "<th>tipping point</th>" in html
    assert "<td>hare</td>" in html


def test_explanation_shows_evidence_and_escapes():
    from kurilsim.analysis.explain import explain

    scenario = parse_scenario(STAG_HUNT.replace("value of a hare", "value of a <i>hare</i>"))
    html = explain(scenario)._repr_html_()
    assert "E01: " in html
    assert "modelling assumption: textbook illustration" in html
    assert "<i>" not in html and "&lt;i&gt;" in html


def test_logit_branch_repr_and_table():
    from kurilsim.forms.normal.logit_qre import logit_correspondence

    game = catalogue.matching_pennies()
    branch = logit_correspondence(game.payoffs, lam_max=5.0).labelled(game)
    assert repr(branch).startswith(f"<LogitBranch: {len(branch)} points, lambda 0 to 5")
    html = branch._repr_html_()
    assert "<th>Even: Heads</th>" in html
    assert "<td>0.500000</td>" in html


def test_sweep_result_shows_its_summary_without_a_figure():
    from kurilsim import sweep

    result = sweep(parse_scenario(STAG_HUNT), {"stag": (2, 10, 5), "hare": (0, 3, 4)})
    html = result._repr_html_()
    assert "<img" not in html
    assert "A: stag, B: stag" in html


def test_solution_plot_draws_each_equilibrium():
    figure = kurilsim.plot(solve(catalogue.battle_of_the_sexes()), kind="payoffs")
    ax = figure.axes[0]
    assert len(ax.patches) == 3 * 2  # three equilibria, two players
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Wife", "Husband"]


def test_game_to_frame_and_plot():
    game = catalogue.battle_of_the_sexes()
    frame = game.to_frame()
    assert len(frame) == 4
    assert list(frame.columns[:2]) == ["strategy.Wife", "strategy.Husband"]
    assert kurilsim.plot(game, kind="table").axes[0].get_ylabel() == "Wife"
