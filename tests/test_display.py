"""Rich display in Jupyter: every object a user meets renders as escaped HTML."""

from pathlib import Path

from kurilsim import load_scenario, parse_scenario, solve
from kurilsim.games import catalogue

from scenario_texts import STAG_HUNT

ROOT = Path(__file__).resolve().parents[1]


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
