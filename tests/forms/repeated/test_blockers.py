"""What blocks a deal in a repeated game: who defects from it under the harshest Nash reversion."""

from __future__ import annotations

import numpy as np
import pytest

import kurilsim
from kurilsim.forms import catalogue
from kurilsim.forms.repeated.blockers import repeated_blockers
from kurilsim.forms.repeated.game import RepeatedGame
from kurilsim.forms.repeated.solve import solve

#: Both cooperate in the prisoner's dilemma (3 each; 5 for defecting alone; 1 each in the stage
#: equilibrium): grim trigger holds it from a discount factor of (5 - 3) / (5 - 1) = 0.5.
COOPERATE = np.array([[True, False], [False, False]])


@pytest.mark.parametrize("delta", [0.0, 0.2, 0.45, 0.5, 0.8])
def test_the_net_gain_of_defecting_from_cooperation_is_the_grim_trigger_arithmetic(delta):
    solution = solve(
        RepeatedGame(catalogue.prisoners_dilemma(), [delta, delta]), "thresholds", 1e-9, {}
    )
    nearest = repeated_blockers(solution, COOPERATE, 1e-9)
    assert nearest.outcome == 0
    gain = 2 - delta / (1 - delta) * (3 - 1)
    if gain > 1e-9:
        assert [(b.player, b.move, b.deviation) for b in nearest.blockers] == [
            ("Row", "Cooperate", "Defect"),
            ("Column", "Cooperate", "Defect"),
        ]
        assert [b.gain for b in nearest.blockers] == pytest.approx([gain, gain])
    else:
        assert nearest.blockers == ()


def test_compare_on_the_repeated_scenario_names_the_blocker_of_the_two_island_deal():
    scenario = kurilsim.load_scenario("scenarios/repeated_joint_activity.yaml")
    comparison = kurilsim.compare(scenario)
    assert comparison.deal == "islands > 0"
    (blocker,) = comparison.blockers
    # The two-island treaty leaves Moscow below what it can always secure: no freeze holds it.
    assert blocker.player == "Russia" and blocker.move == "two_islands"
    assert "pure minmax" in blocker.node and blocker.gain > 0
    assert "two_islands" in comparison.verdict
    # Joint activity, as a deal, is held (it is the stage equilibrium): nothing blocks it.
    held = kurilsim.compare(scenario, deal="joint_activity > 0")
    assert held.blockers == () and "holds under every concept" in held.verdict


def test_a_pure_stage_equilibrium_is_the_same_outcome_as_the_profile_it_sustains():
    # Joint activity is the stage equilibrium, and grim trigger and the minmax hold it too: the
    # three rows name one outcome, and the agreement counts all three concepts.
    comparison = kurilsim.compare(kurilsim.load_scenario("scenarios/repeated_joint_activity.yaml"))
    assert {p.outcome for p in comparison.predictions} == {
        "Russia: joint_economic, Japan: economics_only"
    }
    assert comparison.consensus() == ("Russia: joint_economic, Japan: economics_only", 3, 3)
