"""Every Markov perfect equilibrium of a finite horizon, up to a bound (selection 'all')."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
from hypothesis import given, settings

import kurilsim
from kurilsim.cli import main
from kurilsim.core.errors import InputError
from kurilsim.forms.dynamic.one_shot_deviation import check_one_shot
from tests.forms.dynamic.test_dynamic import ANNUITY, HEADER, ROADS
from tests.helpers import SCENARIOS
from tests.strategies import small_dynamic_games

#: A coordination game (a, a) = 2, (b, b) = 1, else 0, in each of two rounds, at each of two
#: states that nothing moves between. Each state's stage game has three equilibria with different
#: play: (a, a), (b, b) and both playing a with probability 1/3; the continuation adds a constant,
#: so every round and state keeps the three: 3 ** (2 rounds * 2 states) = 81 equilibria, of which
#: 2 ** 4 = 16 are pure.
COORDINATION = (
    HEADER.format(title="Coordination twice")
    + """
players: [A, B]
state:
  mood: {range: [0, 1], levels: 2, initial: 0, description: unused, assumption: textbook}
stages:
  meet:
    strategies: {A: [a, b], B: [a, b]}
    payoff_table:
      - {profile: [a, a], payoffs: [2, 2]}
      - {profile: [a, b], payoffs: [0, 0]}
      - {profile: [b, a], payoffs: [0, 0]}
      - {profile: [b, b], payoffs: [1, 1]}
    deal: {A: a, B: a}
horizon: {rounds: 2, schedule: [meet]}
solution: {selection: all}
"""
)


def _pure_markov_perfect(game):
    """Every pure Markov profile that passes the one-shot deviation check, by brute force."""
    rounds, states = len(game.schedule), game.grid.size
    cells = [
        list(itertools.product(*(range(n) for n in game.stages[name].shape)))
        for name in game.schedule
    ]
    found = set()
    for choice in itertools.product(*(itertools.product(c, repeat=states) for c in cells)):
        mixes = []
        for t in range(rounds):
            shape = game.stages[game.schedule[t]].shape
            mixes.append(
                [
                    np.eye(n)[[choice[t][s][i] for s in range(states)]][None]
                    for i, n in enumerate(shape)
                ]
            )
        if check_one_shot(game, mixes).max_gain <= 1e-9:
            found.add(choice)
    return found


def _as_choice(strategy):
    return tuple(
        tuple(tuple(int(m[0, s].argmax()) for m in mixes) for s in range(mixes[0].shape[1]))
        for mixes in strategy.mixes
    )


def _pure(strategy):
    return all(np.isin(m, (0.0, 1.0)).all() for mixes in strategy.mixes for m in mixes)


def test_every_equilibrium_of_a_repeated_coordination_game_is_listed_and_verified():
    listing = kurilsim.parse_scenario(COORDINATION).solve()
    assert len(listing) == 81 and listing.complete
    assert listing.enumeration.several == listing.enumeration.stage_games
    assert all(eq.verified and eq.complete for eq in listing)
    pure = {_as_choice(eq.strategy) for eq in listing if _pure(eq.strategy)}
    assert len(pure) == 16
    # Independently: the pure profiles that pass the one-shot check, among all 4 ** 4.
    assert pure == _pure_markov_perfect(listing[0].game)
    # P(deal) by round, per equilibrium: from 0 (b, b twice) to 1 (a, a in the first round).
    by_end = sorted({round(float(eq.path.deal_by[0, -1]), 9) for eq in listing})
    assert by_end[0] == 0.0 and by_end[-1] == 1.0 and len(by_end) > 2
    assert listing._repr_html_().count("<tr>") == 82  # a header and a row per equilibrium
    assert listing.to_frame()["equilibrium"].nunique() == 81


def test_the_bound_cuts_the_listing_short_and_says_so(tmp_path, capsys):
    scenario = kurilsim.parse_scenario(COORDINATION)
    listing = scenario.solve(max_equilibria=80)
    assert len(listing) == 80 and not listing.complete and listing.enumeration.cut
    assert listing.incomplete_reason == "max_equilibria"
    assert "bound of 80 equilibria cut the search short" in listing.to_text()
    path = tmp_path / "coordination.yaml"
    path.write_text(COORDINATION)
    assert main(["run", str(path), "--max-equilibria", "80", "--limit", "2"]) == 1
    capsys.readouterr()
    assert main(["run", str(path), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    # The last round's 2 stage games, then the first round's 2 after each of its 9 endings.
    assert out["stage_games"] == out["stage_games_with_several"] == 2 + 9 * 2
    assert len(out["equilibria"]) == 81 and out["complete"] is True


def test_the_pure_equilibria_of_a_game_whose_stage_depends_on_the_state_match_brute_force():
    text = ROADS.replace("rounds: 3", "rounds: 2")
    listing = kurilsim.parse_scenario(text).solve(selection="all")
    assert listing.complete
    pure = {_as_choice(eq.strategy) for eq in listing if _pure(eq.strategy)}
    assert pure == _pure_markov_perfect(listing[0].game)
    # The selection rule's equilibrium is one of those listed.
    chosen = kurilsim.parse_scenario(text).solve()
    assert _as_choice(chosen.strategy) in pure


def test_the_commitment_scenario_lists_one_equilibrium_as_floated_and_several_when_staged():
    scenario = kurilsim.load_scenario("scenarios/commitment_treaty.yaml")
    floated = scenario.solve(selection="all")
    assert len(floated) == 1 and floated.complete
    assert floated[0].path.deal_by[0, -1] == 0.0
    staged = scenario.solve({"upfront": 0.75}, selection="all", max_equilibria=300)
    # Signing is now a coordination game at each of the 8 states: 2 ** 8 equilibria, some with
    # the deal on the path and some without.
    assert len(staged) == 256 and staged.complete
    assert {float(eq.path.deal_by[0, -1]) for eq in staged} == {0.0, 1.0}
    # They differ off the path; from the start there are two: no treaty, and the whole deal.
    assert "(2 distinct paths from the start)" in staged.to_text()
    assert "treaty 0, 1, 1, 1; transferred 0, 0, 1, 1; settled 0, 0, 0, 1" in staged.to_text(0)


def test_all_is_refused_for_an_infinite_horizon_and_in_a_sweep(tmp_path):
    path = tmp_path / "annuity.yaml"
    path.write_text(
        ANNUITY.format(delta=0.5, p=0.0).replace("value_tol: 1.0e-12", "selection: all")
    )
    with pytest.raises(InputError, match="selection 'all' lists the equilibria of a finite") as exc:
        kurilsim.load_scenario(path)
    assert exc.value.field == "solution.selection" and exc.value.line is not None
    with pytest.raises(InputError, match="infinite horizon"):
        kurilsim.parse_scenario(ANNUITY.format(delta=0.5, p=0.0)).solve(selection="all")
    scenario = kurilsim.load_scenario("scenarios/commitment_treaty.yaml")
    with pytest.raises(InputError, match="not 'all'"):
        kurilsim.sweep(scenario, {"upfront": (0, 1, 3)}, workers=1, options={"selection": "all"})


def test_a_backtest_of_a_file_that_lists_every_equilibrium_asks_for_a_rule(tmp_path):
    from kurilsim.analysis.sequence_backtest import backtest_sequence

    text = (SCENARIOS / "eras_1956_2020.yaml").read_text(encoding="utf-8")
    assert "\nsolution:" not in text
    path = tmp_path / "eras.yaml"
    path.write_text(text + "\nsolution: {selection: all}\n")
    scenario = kurilsim.load_scenario(path)
    with pytest.raises(InputError, match="give a selection rule"):
        backtest_sequence(scenario, samples=5)


@settings(max_examples=20, deadline=None)
@given(small_dynamic_games())
def test_each_selection_rules_equilibrium_is_among_those_listed(text):
    scenario = kurilsim.parse_scenario(text)
    listing = scenario.solve(selection="all", max_equilibria=200)
    assert all(eq.verified for eq in listing)
    if not listing.complete:
        return
    for rule in ("payoff-dominance", "risk-dominance"):
        chosen = scenario.solve(selection=rule).strategy.values
        assert any(np.allclose(eq.strategy.values, chosen, atol=1e-9) for eq in listing)


#: Three players, of whom C has one move: the stage game is the two-player game of A and B. A
#: plays pennies with B, whose tails T1 and T2 differ only in what A's dodge D earns against them;
#: the equilibria are one component whose extreme points vertex enumeration lists exactly.
DUMMY_THIRD = (
    HEADER.format(title="Pennies with a dodge and a bystander")
    + """
players: [A, B, C]
state:
  mood: {range: [0, 1], levels: 2, initial: 0, description: unused, assumption: textbook}
stages:
  meet:
    strategies: {A: [H, T, D], B: [H, T1, T2], C: [c]}
    payoff_table:
      - {profile: [H, H, c], payoffs: [1, -1, 0]}
      - {profile: [H, T1, c], payoffs: [-1, 1, 0]}
      - {profile: [H, T2, c], payoffs: [-1, 1, 0]}
      - {profile: [T, H, c], payoffs: [-1, 1, 0]}
      - {profile: [T, T1, c], payoffs: [1, -1, 0]}
      - {profile: [T, T2, c], payoffs: [1, -1, 0]}
      - {profile: [D, H, c], payoffs: [0, 0, 0]}
      - {profile: [D, T1, c], payoffs: [2, 0, 0]}
      - {profile: [D, T2, c], payoffs: [-1, 0, 0]}
    deal: {A: H, B: H}
horizon: {rounds: 1, schedule: [meet]}
solution: {selection: all}
"""
)


def _stage_profiles(listing):
    return sorted(
        tuple(np.round(m[0, 0], 9).tolist() for m in eq.strategy.mixes[0])[:2] for eq in listing
    )


def test_a_player_with_one_move_leaves_the_two_players_game_and_its_extreme_points():
    with_bystander = kurilsim.parse_scenario(DUMMY_THIRD).solve()
    two = DUMMY_THIRD.replace("players: [A, B, C]", "players: [A, B]")
    two = two.replace(", C: [c]", "").replace(", c]", "]").replace(", 0]}", "]}")
    without = kurilsim.parse_scenario(two).solve()
    # The component's extreme points, among them (H/2 + T/2, H/2 + T1/6 + T2/3), where D ties.
    assert _stage_profiles(with_bystander) == _stage_profiles(without)
    assert ([0.5, 0.5, 0.0], [0.5, 0.0, 0.5]) in _stage_profiles(with_bystander)
    assert not with_bystander.complete  # a continuum whose play differs (what D earns)
    assert with_bystander.incomplete_reason == "unproved: continuum"


#: Three players, each with a dominant first move: one equilibrium.
THREE_DOMINANT = (
    HEADER.format(title="Three dominant moves")
    + """
players: [A, B, C]
state:
  mood: {range: [0, 1], levels: 2, initial: 0, description: unused, assumption: textbook}
stages:
  meet:
    strategies: {A: [a, x], B: [b, y], C: [c, z]}
    payoff_table:
{table}
    deal: {A: a, B: b, C: c}
horizon: {rounds: 1, schedule: [meet]}
solution: {selection: all}
"""
).replace(
    "{table}",
    "\n".join(
        f"      - {{profile: [{a}, {b}, {c}], payoffs: [{int(a == 'a')}, {int(b == 'b')}, "
        f"{int(c == 'c')}]}}"
        for a, b, c in itertools.product("ax", "by", "cz")
    ),
)


def test_three_players_with_a_choice_are_not_claimed_complete():
    # Support enumeration's nonlinear solves are local: the listing is not known to be complete.
    listing = kurilsim.parse_scenario(THREE_DOMINANT).solve()
    assert len(listing) == 1 and not listing.complete
    assert listing.incomplete_reason == "unproved: three or more players"
    assert "three or more players with a choice" in listing.to_text()
    assert listing.to_dict()["three_or_more_choosing"] == ["round 1 at mood=0", "round 1 at mood=1"]


def test_options_that_change_nothing_are_refused_naming_the_option():
    """``max_equilibria`` bounds selection 'all' only; value iteration's options apply to an
    infinite horizon only: given elsewhere they would be ignored, so they are refused."""
    played = kurilsim.parse_scenario(COORDINATION.replace("{selection: all}", "{}"))
    with pytest.raises(InputError, match="bounds the listing of selection 'all'") as exc:
        played.solve(max_equilibria=5)
    assert exc.value.field == "max_equilibria"
    assert len(played.solve(selection="all", max_equilibria=5)) == 5
    with pytest.raises(InputError, match="bounds the listing of selection 'all'"):
        played.form.sweep_method(played, None, 1e-9, {"max_equilibria": 5})
    for option, value in (("value_tol", 1e-6), ("max_iterations", 5), ("rounds_shown", 3)):
        with pytest.raises(InputError, match="infinite horizon") as exc:
            played.solve(**{option: value})
        assert exc.value.field == option
    infinite = kurilsim.parse_scenario(ANNUITY.format(delta=0.5, p=0.0))
    assert infinite.solve(rounds_shown=3, value_tol=1e-6).complete


def test_a_game_solved_directly_refuses_what_its_scenario_refuses():
    """``kurilsim.solve(game, ...)`` takes the options given as ``scenario.solve`` does: one that
    would change nothing is refused, not ignored."""
    game = kurilsim.parse_scenario(COORDINATION.replace("{selection: all}", "{}")).game()
    with pytest.raises(InputError, match="bounds the listing of selection 'all'") as exc:
        kurilsim.solve(game, max_equilibria=5)
    assert exc.value.field == "max_equilibria"
    assert len(kurilsim.solve(game, selection="all", max_equilibria=5)) == 5
    for option, value in (("value_tol", 1e-6), ("max_iterations", 5), ("rounds_shown", 3)):
        with pytest.raises(InputError, match="infinite horizon") as exc:
            kurilsim.solve(game, **{option: value})
        assert exc.value.field == option
    infinite = kurilsim.parse_scenario(ANNUITY.format(delta=0.5, p=0.0)).game()
    assert kurilsim.solve(infinite, rounds_shown=3, value_tol=1e-6).complete
