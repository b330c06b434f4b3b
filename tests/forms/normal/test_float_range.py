"""Every method across the float range: a player's payoffs near 1e308, 1e-300 or shifted by 1e15."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

import kurilsim
from kurilsim.core.errors import InputError, IterationLimitError
from kurilsim.forms.normal.game import NormalFormGame
from kurilsim.forms.normal.regret import is_equilibrium
from tests.strategies import affinely_rescaled_games

METHODS = ["pure", "vertex-enumeration", "lemke-howson", "support-enumeration", "logit"]

PD = """\
kurilsim: 1
title: Prisoner's dilemma in units of s
description: The textbook game times s.
sources: []
parameters:
  s:
    default: {s}
    range: [1, 1e308]
    unit: payoff unit
    description: the size of the stakes
    evidence: []
    assumption: a test
players:
  Row: [C, D]
  Column: [C, D]
payoff_table:
  - profile: [C, C]
    payoffs: ["3 * s", "3 * s"]
  - profile: [C, D]
    payoffs: ["-s", "5 * s"]
  - profile: [D, C]
    payoffs: ["5 * s", "-s"]
  - profile: [D, D]
    payoffs: [s, s]
"""


def _game(payoffs: np.ndarray) -> NormalFormGame:
    names = [[f"s{k}" for k in range(n)] for n in payoffs.shape[:-1]]
    return NormalFormGame([f"p{i}" for i in range(payoffs.shape[-1])], names, payoffs)


@pytest.mark.parametrize("s", [1.0, 3e307])
@pytest.mark.parametrize("method", ["auto", *METHODS])
def test_the_prisoners_dilemma_has_one_equilibrium_at_any_stakes(method, s):
    solution = kurilsim.parse_scenario(PD.format(s=s)).solve(method=method)
    assert solution.complete
    assert [eq.support() for eq in solution] == [((1,), (1,))]
    assert solution[0].payoffs.tolist() == [s, s]


def test_a_sweep_to_3e307_lists_only_the_equilibrium(tmp_path):
    path = tmp_path / "pd.yaml"
    path.write_text(PD.format(s=1.0))
    frame = kurilsim.sweep(path, {"s": (1.0, 3e307, 3)}).to_frame()
    assert frame["label"].tolist() == ["Row: D, Column: D"] * 3
    assert frame["max_regret"].tolist() == [0.0] * 3


def test_a_game_near_1e308_has_its_mixed_equilibrium(tmp_path):
    path = tmp_path / "pennies.nfg"
    path.write_text(
        'NFG 1 R "big" { "1" "2" } { 2 2 }\n'
        "1.7e308 -1.7e308 -1.7e308 1.7e308 -1.7e308 1.7e308 1.7e308 -1.7e308\n"
    )
    solution = kurilsim.solve(kurilsim.read_nfg(path))
    assert len(solution) == 1
    np.testing.assert_allclose(np.concatenate(solution[0].profile), 0.5)


def test_ties_near_1e308_have_zero_regret():
    tied = np.full((2, 2, 2), 1.5e308)
    tied[0, 0] = -1.5e308
    solution = kurilsim.solve(_game(tied), "pure")
    assert len(solution) == 3 and all(eq.max_regret == 0.0 for eq in solution)


def test_a_payoff_that_overflows_is_refused_in_one_line(tmp_path):
    path = tmp_path / "pd.yaml"
    path.write_text(PD.format(s=1e308))
    with pytest.raises(InputError, match=r"payoff of Row is inf") as error:
        kurilsim.load_scenario(path).solve()
    assert "\n" not in str(error.value)


def _supports(solution):
    return sorted(eq.support() for eq in solution)


@settings(max_examples=40, deadline=None)
@given(affinely_rescaled_games())
def test_each_players_units_change_no_equilibrium(games):
    game, rescaled = games
    for method in METHODS:
        if method in ("vertex-enumeration", "lemke-howson") and game.shape[-1] != 2:
            continue
        try:
            found = kurilsim.solve(_game(rescaled), method)
        except (InputError, IterationLimitError) as refusal:
            # Only the logit branch, one precision for all players, may refuse (in one line).
            refused = (method, "\n" in str(refusal))
            assert refused == ("logit", False)
            continue
        if method in ("pure", "vertex-enumeration", "lemke-howson"):
            assert _supports(found) == _supports(kurilsim.solve(_game(game), method)), method
        for eq in found:
            assert is_equilibrium(game, eq.profile), method
