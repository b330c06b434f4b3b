"""The form on scenario files: the three article scenarios, the pipeline, and bad input."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

import kurilsim
from kurilsim.analysis.backtest import backtest_scenario
from kurilsim.analysis.explain import explain
from kurilsim.analysis.scalar_output import parse_output
from kurilsim.cli import main
from kurilsim.core.errors import InputError
from kurilsim.forms.bayesian.bayesian_nash import type_payoffs as bayesian_type_payoffs
from kurilsim.forms.bayesian.literature import battle_of_the_sexes_uncertain
from kurilsim.forms.bayesian.solve import solve_game
from tests.helpers import SCENARIOS

ARTICLE_SCENARIOS = ["reassurance_2016.yaml", "ratification_2018.yaml", "credibility_1956.yaml"]

SIMULTANEOUS = """
kurilsim: 1
form: bayesian
kind: simultaneous
title: Battle of the Sexes with uncertain preferences
parameters:
  p_meet: {default: 0.5, range: [0, 1], unit: probability, description: x, assumption: Osborne}
types:
  Player2: {meet: p_meet, avoid: 1 - p_meet}
players:
  Player1: [B, S]
  Player2: [B2, S2]
outcomes:
  together: {description: they meet, value: B * B2 + S * S2}
payoffs:
  Player1: 2 * B * B2 + S * S2
  Player2: meet * (B * B2 + 2 * S * S2) + avoid * (2 * B * S2 + S * B2)
"""


@pytest.mark.parametrize("name", ARTICLE_SCENARIOS)
def test_each_article_scenario_runs_and_every_equilibrium_checks(name):
    scenario = kurilsim.load_scenario(SCENARIOS / name)
    solution = scenario.solve()
    assert solution.complete and len(solution) >= 1
    for e in solution:
        assert e.violation <= 1e-9 * solution.game.scale
        assert set(solution.outcome_probabilities(e)) >= {"deal"}
    data = json.loads(json.dumps(solution.to_dict()))
    assert set(data["prior"]) == set(solution.game.types)


def test_reassurance_separates_and_the_deal_probability_is_the_prior():
    scenario = kurilsim.load_scenario(SCENARIOS / "reassurance_2016.yaml")
    for p in (0.2, 0.35, 0.5):
        solution = scenario.solve({"p_independent": p})
        (separating,) = [e for e in solution if e.kind == "separating"]
        assert separating.intuitive
        assert solution.outcome_probabilities(separating)["deal"] == pytest.approx(p)
    # Once going far costs the US-driven type less than the deal is worth, it mimics: no
    # separating equilibrium is left.
    cheap = scenario.solve({"cost_far_us_driven": 0.9})
    assert all(e.kind != "separating" for e in cheap)


def test_compare_names_the_information_problem_when_the_signal_is_too_cheap():
    scenario = kurilsim.load_scenario(SCENARIOS / "reassurance_2016.yaml")
    verdict = kurilsim.compare(scenario, {"cost_far_us_driven": 0.9}).verdict
    assert "Russia does not know Japan's type" in verdict
    assert "talks fail with probability" in verdict


def test_compare_gives_each_bayesian_nash_equilibriums_chance_of_a_deal():
    # Three equilibria, each meeting with a probability between 0 and 1: neither a sure deal
    # nor the status quo, and deals do exist.
    scenario = kurilsim.parse_scenario(SIMULTANEOUS)
    comparison = kurilsim.compare(scenario, deal="together > 0")
    assert comparison.verdict == (
        "Every concept admits a deal (Bayesian Nash with probability 0.556 or 0.5 or 0.444)."
    )
    assert "(Bayesian Nash among 3 outcomes)" in comparison.consensus_text()


def test_the_three_scenarios_are_backtested():
    for name in ARTICLE_SCENARIOS:
        result = backtest_scenario(kurilsim.load_scenario(SCENARIOS / name), samples=20)
        assert result.predicted and 0 <= result.robustness <= 1
    assert backtest_scenario(
        kurilsim.load_scenario(SCENARIOS / "reassurance_2016.yaml"), samples=20
    ).match


def test_run_compare_explain_and_sweep_on_the_command_line(capsys, tmp_path):
    path = str(SCENARIOS / "reassurance_2016.yaml")
    assert main(["run", path, "--format", "json", "--set", "p_independent=0.6"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["prior"]["independent"] == pytest.approx(0.6)
    assert main(["compare", path]) == 0
    assert "intuitive criterion" in capsys.readouterr().out
    assert main(["explain", path]) == 0
    assert "prior of Japan's types" in capsys.readouterr().out
    table = kurilsim.sweep(
        kurilsim.load_scenario(path), {"p_independent": (0.1, 0.9, 5)}, workers=1
    ).to_frame()
    assert {"deal_probability", "kind", "intuitive"} <= set(table.columns)
    payoffs = explain(kurilsim.load_scenario(path)).to_dict()["payoffs"]
    assert (
        payoffs["prior of Japan's types"]
        == "independent: p_independent; us_driven: 1 - p_independent"
    )


def test_the_jupyter_display_names_types_and_equilibria():
    scenario = kurilsim.load_scenario(SCENARIOS / "credibility_1956.yaml")
    assert "committed" in scenario._repr_html_()
    assert "pooling" in scenario.solve()._repr_html_()


def test_the_simultaneous_file_gives_osbornes_pure_equilibrium():
    # Osborne (2004), sec. 9.2: with either type of player 2 equally likely, the pure Bayesian
    # Nash equilibrium is (B, (B if meeting, S if avoiding)).
    solution = kurilsim.parse_scenario(SIMULTANEOUS).solve()
    pure = [solution.label(e) for e in solution if solution.kind(e) == "pure"]
    assert pure == ["Player1: B; Player2[meet]: B2, Player2[avoid]: S2"]
    for e in solution:
        assert e.max_regret <= 1e-9


def test_the_literature_bayesian_game_through_the_pure_agent_method():
    solution = solve_game(battle_of_the_sexes_uncertain(), agent_method="pure")
    assert [solution.label(e) for e in solution] == [
        "Player1: B; Player2[meet]: B, Player2[avoid]: S"
    ]
    assert np.isclose(solution[0].max_regret, 0)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("{meet: p_meet, avoid: 1 - p_meet}", "{meet: p_meet, avoid: 0.8}",
         "types.Player2: the prior of Player2's types has probabilities summing to 1.3"),
        ("Player1: [B, S]", "Player1: [B, meet]", "the name 'meet' is already used"),
        ("value: B * B2 + S * S2", "value: B * B3", "unknown name 'B3'"),
        ("kind: simultaneous", "kind: signalling", "players"),
    ],
    ids=["prior-sum", "repeated-name", "unknown-name", "wrong-kind"],
)  # fmt: skip
def test_bad_input_is_refused_in_one_line_naming_the_field(old, new, message, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(SIMULTANEOUS.replace(old, new))
    with pytest.raises(InputError, match=message) as caught:
        kurilsim.load_scenario(path)
    text = str(caught.value)
    assert "\n" not in text and "bad.yaml:" in text


def test_a_prior_leaving_the_simplex_at_swept_values_is_refused():
    text = SIMULTANEOUS.replace("avoid: 1 - p_meet", "avoid: 0.5")
    scenario = kurilsim.parse_scenario(text)
    with pytest.raises(InputError, match=r"summing to 1\.4, not 1 with p_meet=0\.9"):
        scenario.solve({"p_meet": 0.9})


def test_the_figures_draw_beliefs_outcomes_and_the_deal_curve():
    scenario = kurilsim.load_scenario(SCENARIOS / "reassurance_2016.yaml")
    solution = scenario.solve()
    beliefs = kurilsim.plot(solution, kind="beliefs").axes[0]
    # The pooling equilibrium's unsent go_far: a bar over the supporting interval [0, 0.583].
    (bar,) = [p for p in beliefs.patches if p.get_height() > 0]
    assert bar.get_y() == pytest.approx(0.0) and bar.get_height() == pytest.approx(7 / 12)
    outcomes = kurilsim.plot(solution, kind="outcomes").axes[0]
    heights = sorted(round(p.get_height(), 6) for p in outcomes.patches)
    assert heights == [0.0, 0.35, 0.65, 1.0]
    sweep = kurilsim.sweep(scenario, {"p_independent": (0.1, 0.5, 3)}, workers=1)
    curve = kurilsim.plot(sweep, kind="deal").axes[0]
    xs, ys = curve.lines[0].get_data()
    assert list(ys) == pytest.approx(list(xs))  # the separating equilibrium: a deal iff independent


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("types:\n  Japan:", "types:\n  Russia:", "only the sender (Japan) has types"),
        ("messages: [go_far, modest]\n", "", "a signalling game needs 'messages'"),
        ("responses: [engage, stall]", "responses: [engage, go_far]", "'go_far' is already used"),
        ("outcome: {Japan: modest, Russia: stall}", "outcome: {Japan: stall}",
         "Japan has no move 'stall'"),
    ],
    ids=["types-of-receiver", "no-messages", "response-named-as-message", "history-move"],
)  # fmt: skip
def test_bad_signalling_files_exit_2_with_one_line(old, new, message, tmp_path, capsys):
    text = (SCENARIOS / "reassurance_2016.yaml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "bad.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    assert main(["run", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "bad.yaml:" in err and len(err.splitlines()) == 1


def test_sweep_rows_carry_each_players_expected_payoff_as_the_other_forms_name_it():
    # Osborne (2004), sec. 9.2, p_meet = 1/2: in (B, (B if meeting, S if avoiding)) player 1
    # meets half the time (2) and misses otherwise (0); player 2 gets 1 meeting, 2 avoiding.
    scenario = kurilsim.parse_scenario(SIMULTANEOUS)
    frame = scenario.solve().to_frame()
    pure = frame[frame["kind"] == "pure"].iloc[0]
    assert (pure["payoff.Player1"], pure["payoff.Player2"]) == pytest.approx((1.0, 1.5))
    values = {"p_meet": np.array([0.3, 0.5, 0.9])}
    payoff, _ = parse_output("payoff:Player2", scenario).evaluate(scenario, values)
    for k, p in enumerate(values["p_meet"]):
        solution = scenario.solve({"p_meet": float(p)})
        # Each type's interim payoff weighted by its prior: another route than the rows'.
        interim = [
            float(solution.game.priors[1] @ bayesian_type_payoffs(solution.game, e)[1])
            for e in solution
        ]
        assert payoff[k] == pytest.approx(np.mean(interim))


@pytest.mark.parametrize("name", ARTICLE_SCENARIOS)
def test_signalling_rows_carry_payoffs_by_player_name(name):
    scenario = kurilsim.load_scenario(SCENARIOS / name)
    solution = scenario.solve()
    game = solution.game
    frame = solution.to_frame()
    for e, row in zip(solution, frame.to_dict("records"), strict=True):
        a = e.assessment
        expected = np.zeros(2)  # by brute force over every history
        for t, m, r in itertools.product(*(range(n) for n in a.actions.shape)):
            chance = game.prior[t] * a.sender[t, m] * a.receiver[m, r]
            expected += chance * game.payoffs[t, m, r, a.actions[t, m, r]]
        sender = sum(
            game.prior[t] * row[f"u({game.sender}[{x}])"] for t, x in enumerate(game.types)
        )
        assert row[f"payoff.{game.sender}"] == pytest.approx(expected[0], abs=1e-12)
        assert row[f"payoff.{game.sender}"] == pytest.approx(sender, abs=1e-12)
        assert row[f"payoff.{game.receiver}"] == pytest.approx(expected[1], abs=1e-12)
    for player in game.sender, game.receiver:  # refused before: the rows named them u(...)
        output = parse_output(f"payoff:{player}", scenario)
        assert np.isfinite(output.evaluate(scenario, {})[0]).all()
