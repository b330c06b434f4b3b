"""The logit QRE does not depend on any player's payoff units (relative precision, the default).

Each player's precision is taken relative to that player's own payoff range, so that multiplying
one player's payoffs by a positive factor, or shifting them, changes neither the choice
probabilities at any lambda nor the equilibrium the branch selects; with ``units="payoff"`` (one
lambda for all players, as in Gambit) it does.
"""

from __future__ import annotations

import json

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import kurilsim
from kurilsim.core.tolerance import DEFAULT_TOL
from kurilsim.forms.normal.logit_qre import logit_correspondence, logit_nash, logit_qre
from kurilsim.forms.normal.regret import FloatArray, is_equilibrium
from tests.helpers import SCENARIOS
from tests.strategies import generic_games_in_other_units


def distance(first: tuple[FloatArray, ...], second: tuple[FloatArray, ...]) -> float:
    return max(float(np.abs(p - q).max()) for p, q in zip(first, second, strict=True))


@settings(max_examples=25)
@given(games=generic_games_in_other_units(), lam=st.floats(0.0, 50.0))
def test_choice_probabilities_do_not_depend_on_payoff_units(games, lam):
    game, rescaled = games
    assert distance(logit_qre(game, lam), logit_qre(rescaled, lam)) < 1e-8


@settings(max_examples=15)
@given(games=generic_games_in_other_units())
def test_the_selected_equilibrium_does_not_depend_on_payoff_units(games):
    game, rescaled = games
    limit = logit_nash(game)
    assert is_equilibrium(game, limit, DEFAULT_TOL)
    assert distance(limit, logit_nash(rescaled)) < 1e-6


@settings(max_examples=10)
@given(games=generic_games_in_other_units())
def test_the_whole_branch_is_the_same_in_other_units(games):
    game, rescaled = games
    first = logit_correspondence(game, lam_max=10.0)
    for k in range(0, len(first), 5):
        at = float(first.lambdas[k])
        assert distance(first.profile(k), logit_qre(rescaled, at)) < 1e-8


def sochi_strategies() -> list[list[str]]:
    scenario = kurilsim.load_scenario(SCENARIOS / "sochi_2016.yaml")
    return [list(s) for s in scenario.strategies]


def sochi_at_the_issues_point() -> tuple[list[str], FloatArray]:
    """Sochi 2016 where the two-island treaty and joint activity are both equilibria.

    The shared costs are pinned at the values the file had when the unit problem was found.
    """
    scenario = kurilsim.load_scenario(SCENARIOS / "sochi_2016.yaml")
    values = {
        "sanctions": 0.1,
        "trust": 0.95,
        "putin_authority": 1.0,
        "settle_cost": 0.5,
        "failure_cost": 0.3,
    }
    game = scenario.game(values)
    return list(game.players), np.asarray(game.payoffs, dtype=float)


def test_russias_payoffs_times_ten_leave_the_sochi_selection_unchanged():
    players, payoffs = sochi_at_the_issues_point()
    russia = payoffs.copy()
    russia[..., players.index("Russia")] *= 10
    assert distance(logit_nash(payoffs), logit_nash(russia)) < 1e-9
    assert distance(logit_qre(payoffs, 10.0), logit_qre(russia, 10.0)) < 1e-12
    # With one lambda in payoff units, the same change moves the selection (issue's finding).
    assert distance(logit_nash(payoffs, units="payoff"), logit_nash(russia, units="payoff")) > 0.5


def test_the_qre_command_takes_either_unit(capsys, tmp_path):
    from kurilsim.forms.normal.nfg import write_nfg
    from tests.helpers import run_cli

    players, payoffs = sochi_at_the_issues_point()
    russia = payoffs.copy()
    russia[..., players.index("Russia")] *= 10
    game = kurilsim.NormalFormGame(players, sochi_strategies(), russia)
    path = tmp_path / "russia_times_ten.nfg"
    write_nfg(game, path)
    limits = {}
    for units in ("relative", "payoff"):
        code, out, err = run_cli(capsys, "qre", path, "--units", units, "--format", "json")
        assert code == 0, err
        (equilibrium,) = json.loads(out)["limit"]["equilibria"]
        limits[units] = equilibrium["profile"]["Russia"]
    assert limits["relative"]["two_islands"] == 1.0  # as with Russia's payoffs in their own units
    assert limits["payoff"]["joint_economic"] == 1.0
