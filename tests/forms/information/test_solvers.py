"""Solvers for trees with information sets, checked against pygambit, brute force and the
literature."""

from __future__ import annotations

import io

import numpy as np
import pygambit as gbt
import pytest
from hypothesis import given, settings

from kurilsim.core.errors import InputError
from kurilsim.forms.information.assessment import check_assessment
from kurilsim.forms.information.catalogue import (
    beer_quiche,
    kuhn_poker,
    matching_pennies_tree,
    seltens_horse,
)
from kurilsim.forms.information.efg import format_efg, read_efg
from kurilsim.forms.information.game import InformationTree
from kurilsim.forms.information.reduced_normal_form import reduced_normal_form, reduced_plans
from kurilsim.forms.information.regret import behaviour_regrets
from kurilsim.forms.information.sequence_form import sequence_form
from kurilsim.forms.information.solve import solve_information
from kurilsim.forms.information.subgame_perfect import proper_subgames
from kurilsim.forms.normal.regret import regrets as normal_regrets
from tests.forms.information.trees import information_trees
from tests.helpers import ROOT


def kuhn_mixed(tree: InformationTree, behaviour):
    """The mixed strategies over reduced strategies that a behaviour profile induces (Kuhn 1953):
    a reduced strategy's probability is the product of its actions' probabilities."""
    form = sequence_form(tree)
    profile = []
    for i in range(tree.n_players):
        plans, _ = reduced_plans(form, i)
        probabilities = []
        for row in plans:
            p = 1.0
            for h in tree.player_infosets(i):
                first = form.first_sequence[h]
                chosen = np.flatnonzero(row[first : first + len(tree.infosets[h].actions)])
                if len(chosen):
                    p *= behaviour[h][chosen[0]]
            probabilities.append(p)
        profile.append(np.array(probabilities))
    return tuple(profile)


def gambit_profile(game: gbt.Game, tree: InformationTree, behaviour) -> gbt.MixedBehaviorProfile:
    """The same behaviour profile in pygambit (information sets numbered as format_efg does)."""
    profile = game.mixed_behavior_profile()
    for i, player in enumerate(game.players):
        for infoset, h in zip(player.infosets, tree.player_infosets(i), strict=True):
            for action, p in zip(infoset.actions, behaviour[h], strict=True):
                profile[action] = float(p)
    return profile


# --- the best-response pass against brute force ----------------------------------------------


@settings(max_examples=30)
@given(information_trees())
def test_regret_by_best_response_equals_brute_force_on_the_reduced_normal_form(tree):
    rng = np.random.default_rng(len(tree.leaves))
    behaviour = tuple(rng.dirichlet(np.ones(len(s.actions))) for s in tree.infosets)
    game, _ = reduced_normal_form(tree)
    brute = normal_regrets(game.payoffs, kuhn_mixed(tree, behaviour))
    assert np.allclose(behaviour_regrets(tree, behaviour), brute, atol=1e-9)


@pytest.mark.reference
@settings(max_examples=25)
@given(information_trees(players=2))
def test_sequence_lemke_finds_an_equilibrium_of_every_random_two_player_tree(tree):
    solution = solve_information(tree, "sequence-lemke")
    assert solution.complete and len(solution) == 1
    behaviour = solution[0].behaviour
    game, _ = reduced_normal_form(tree)
    # Brute force: no pure reduced strategy does better against the induced mixed strategies.
    assert normal_regrets(game.payoffs, kuhn_mixed(tree, behaviour)).max() <= 1e-8
    # pygambit's own max regret of the same profile.
    reference = gbt.read_efg(io.StringIO(format_efg(tree)))
    assert gambit_profile(reference, tree, behaviour).max_regret() <= 1e-8


@pytest.mark.reference
@settings(max_examples=15)
@given(information_trees(players=2, max_leaves=10))
def test_enumeration_finds_every_equilibrium_outcome_pygambit_finds(tree):
    solution = solve_information(tree, "enumeration")
    mine = {tuple(np.round(p.leaf_probabilities, 6)) for p in solution}
    reference = gbt.read_efg(io.StringIO(format_efg(tree)))
    theirs = set()
    for equilibrium in gbt.nash.enummixed_solve(reference, rational=False).equilibria:
        behaviour = equilibrium.as_behavior()
        realization = [float(behaviour.realiz_prob(n)) for n in reference.nodes if n.is_terminal]
        theirs.add(tuple(np.round(realization, 6)))
    # Both list the extreme equilibria of the same reduced normal form.
    assert theirs <= mine | theirs and mine == theirs


# --- auto ---------------------------------------------------------------------------------------


@pytest.mark.reference
def test_auto_finds_one_equilibrium_of_a_tree_too_large_to_enumerate():
    """Kuhn poker on six cards: 729 x 4,096 reduced strategies, too many to build the form."""
    poker = kuhn_poker(6)
    solution = solve_information(poker)
    assert (solution.method, solution.scope) == ("sequence-lemke", "one Nash equilibrium")
    # One equilibrium is not all that auto asks for: the result says so, and why.
    assert len(solution) == 1 and not solution.complete
    assert solution.incomplete_reason == "scope: one equilibrium"
    assert "others may exist" in solution.note and "2,985,984" in solution.note
    # Verified apart from the solver: no player gains by a best response computed from the tree,
    # and the zero-sum game's value (the same in every equilibrium) is pygambit's.
    assert behaviour_regrets(poker, solution[0].behaviour).max() < 1e-9
    reference = gbt.read_efg(io.StringIO(format_efg(poker)))
    theirs = gbt.nash.lcp_solve(reference, rational=False).equilibria[0]
    assert solution[0].payoffs[0] == pytest.approx(float(theirs.payoff("Player 1")), abs=1e-9)


def test_enumeration_of_three_card_kuhn_poker_keeps_its_time_bound(no_other_threads):
    """Its 27 x 64 reduced form has a hull Qhull takes minutes over: abandoned at the bound.

    Without the bound kept, either call would wait for the whole hull. Threads left by earlier
    tests are idle (the fixture), so the hull's child is forked from this process here.
    """
    from kurilsim.core.abandonable import can_abandon

    if not can_abandon():
        pytest.skip("processes cannot be forked here")
    stopped = solve_information(kuhn_poker(), "enumeration", max_seconds=1.0)
    assert stopped.incomplete_reason == "max_seconds" and len(stopped) == 0
    fallen_back = solve_information(kuhn_poker(), max_seconds=1.0)
    assert fallen_back.method == "sequence-lemke" and len(fallen_back) == 1
    assert fallen_back.incomplete_reason == "scope: one equilibrium"
    assert fallen_back[0].payoffs[0] == pytest.approx(-1 / 18, abs=1e-9)


_KUHN_BESIDE_LINEAR_ALGEBRA = """
import multiprocessing
import threading

import numpy as np

from kurilsim.forms.information.catalogue import kuhn_poker
from kurilsim.forms.information.solve import solve_information

stop = threading.Event()

def linear_algebra():
    while not stop.is_set():
        np.linalg.svd(np.random.default_rng(0).random((200, 200)))

other = threading.Thread(target=linear_algebra)
other.start()
try:
    stopped = solve_information(kuhn_poker(), "enumeration", max_seconds=10.0)
finally:
    stop.set()
    other.join()
assert stopped.incomplete_reason == "max_seconds" and len(stopped) == 0, stopped
assert multiprocessing.active_children() == []
"""


def test_enumeration_keeps_its_time_bound_beside_a_thread_in_linear_algebra():
    """A threaded process (a threaded sweep, Jupyter) abandons Kuhn poker's hull at the bound.

    Its hull, minutes long, runs in a child of the fork server; in this process it would
    outlast the generous timeout. The bound leaves time for the steps before the hull on a
    loaded machine, so that the hull starts.
    """
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", _KUHN_BESIDE_LINEAR_ALGEBRA],
        timeout=120,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr


def test_auto_turns_to_the_sequence_form_when_enumeration_stops_with_nothing():
    bounded = solve_information(beer_quiche(), max_seconds=0)
    assert bounded.method == "sequence-lemke" and len(bounded) == 1
    assert bounded.incomplete_reason == "scope: one equilibrium"
    assert "stopped at its bound (max_seconds 0)" in bounded.note
    assert bounded[0].max_regret <= 1e-9 * bounded.scale
    assert solve_information(beer_quiche(), max_seconds=60, max_pivots=5000).method == (
        "enumeration"
    )
    with pytest.raises(InputError, match="method 'auto' has no option precision"):
        solve_information(beer_quiche(), precision=1.0)


def test_auto_refuses_a_three_player_tree_too_large_to_enumerate(monkeypatch):
    from kurilsim.forms.information import reduced_normal_form as module
    from kurilsim.forms.information.efg import read_efg

    monkeypatch.setattr(module, "MAX_PROFILES", 1)
    tree = read_efg(ROOT / "tests" / "data" / "efg" / "three_players_nonterm_outcomes.efg")
    with pytest.raises(InputError, match="solves two-player trees only"):
        solve_information(tree)


# --- the literature ----------------------------------------------------------------------------


@pytest.mark.reference
def test_kuhn_poker_has_value_minus_one_eighteenth_and_matches_pygambit():
    """Kuhn (1950): player 1's value is -1/18; player 2's equilibrium strategy is unique."""
    poker = kuhn_poker()
    solution = solve_information(poker, "sequence-lemke")
    assert solution[0].payoffs[0] == pytest.approx(-1 / 18, abs=1e-9)
    reference = gbt.read_efg(io.StringIO(format_efg(poker)))
    theirs = gbt.nash.lcp_solve(reference, rational=False).equilibria[0]
    assert float(theirs.payoff("Player 1")) == pytest.approx(-1 / 18, abs=1e-9)
    assert gambit_profile(reference, poker, solution[0].behaviour).max_regret() < 1e-9
    # Player 2: call a bet with Q a third of the time, bet the J a third of the time after a check.
    played = solution.behaviour_dict(solution[0])["Player 2"]
    assert played["Q after Bet"]["Call"] == pytest.approx(1 / 3)
    assert played["J after Check"]["Bet"] == pytest.approx(1 / 3)
    assert played["K after Bet"]["Call"] == pytest.approx(1.0)


def test_beer_quiche_has_two_pooling_components_and_no_separating_equilibrium():
    """Cho and Kreps (1987): every equilibrium pools, on beer (2.9) or on quiche (2.1)."""
    solution = solve_information(beer_quiche(), "enumeration")
    for profile in solution:
        strong, weak = profile.behaviour[0], profile.behaviour[3]
        assert np.array_equal(strong, weak)
    assert sorted({round(float(p.payoffs[0]), 9) for p in solution}) == [2.1, 2.9]


def test_seltens_horse_the_sequential_answer_passes_the_assessment_check_the_other_fails():
    """Selten (1975): (D, c, L) is Nash but B's c is not a best reply off the path."""
    horse = seltens_horse()
    assert proper_subgames(horse) == (0,)
    drop = tuple(np.array(p, dtype=float) for p in ([0, 1], [1, 0], [1, 0]))
    assert behaviour_regrets(horse, drop).max() == 0  # Nash
    assert not check_assessment(horse, drop).sequentially_rational()
    go = tuple(np.array(p, dtype=float) for p in ([1, 0], [1, 0], [0, 1]))
    check = check_assessment(horse, go, beliefs={"C: C": [0.7, 0.3]})
    assert check.sequentially_rational() and check.consistent()


def test_assessment_check_applies_bayes_rule_on_the_path():
    quiche_pool = (
        np.array([0.0, 1.0]),
        np.array([1.0, 0.0]),
        np.array([0.0, 1.0]),
        np.array([0.0, 1.0]),
    )
    tree = beer_quiche()
    check = check_assessment(tree, quiche_pool, beliefs={"Receiver: after Beer": [0, 1]})
    assert check.reached == (True, False, True, True)
    assert check.beliefs[2].tolist() == pytest.approx([0.9, 0.1])  # after quiche: the prior
    assert check.sequentially_rational()  # duelling the (believed) weak beer drinker
    wrong = check_assessment(
        tree,
        quiche_pool,
        beliefs={"Receiver: after Quiche": [0.5, 0.5], "Receiver: after Beer": [0, 1]},
    )
    assert not wrong.consistent()
    with pytest.raises(InputError, match="is not reached; give a belief"):
        check_assessment(tree, quiche_pool)


def test_subgame_perfection_removes_the_threat_of_the_entry_game_as_a_tree():
    from kurilsim.forms import catalogue

    entry = InformationTree.from_extensive(catalogue.entry_deterrence())
    nash = solve_information(entry, "enumeration")
    perfect = solve_information(entry, "subgame-perfect")
    assert len(nash) == 3  # Out with Fight at any mixture of at least 1/2, and In/Accommodate
    assert [p.behaviour[1].tolist() for p in perfect] == [[0.0, 1.0]]


@pytest.mark.reference
@settings(max_examples=6)
@given(information_trees(max_leaves=10))
def test_subgame_perfect_profiles_are_nash_in_every_proper_subgame(tree):
    solution = solve_information(tree, "subgame-perfect")
    assert len(solution) >= 1 or not solution.complete
    assert all(p.max_regret <= 1e-9 * solution.scale for p in solution)


@pytest.mark.reference
def test_agent_logit_qre_matches_pygambit_at_a_precision():
    tree = beer_quiche()
    solution = solve_information(tree, "logit", precision=1.5)
    reference = gbt.read_efg(io.StringIO(format_efg(tree)))
    theirs = gbt.qre.logit_solve_lambda(reference, lam=[1.5])[0]
    # pygambit lists the probabilities player by player, information set by set.
    mine = [
        p
        for i in range(tree.n_players)
        for h in tree.player_infosets(i)
        for p in solution[0].behaviour[h]
    ]
    assert [float(theirs[k]) for k in range(len(mine))] == pytest.approx(mine, abs=1e-8)
    limit = solution[-1]
    assert limit.concept == "logit limit" and limit.max_regret <= 1e-6 * solution.scale


#: Trees whose logit branch has a stretch where its fixed point repels the damped iteration.
REPELLING_LOGIT_BRANCH = ("vonstengel2022_fig10_1.efg", "selten1975_fig3.efg", "bayes1a.efg")


@pytest.mark.reference
@pytest.mark.parametrize("name", REPELLING_LOGIT_BRANCH, ids=lambda name: name.split(".")[0])
def test_agent_logit_qre_follows_a_repelling_branch_to_pygambits_profile(name):
    path = ROOT / "tests" / "data" / "efg" / name
    tree = read_efg(path)
    solution = solve_information(tree, "logit", precision=2.0)
    assert solution[0].concept == "logit QRE"
    theirs = gbt.qre.logit_solve_lambda(gbt.read_efg(str(path)), lam=[2.0])[0]
    mine = [
        p
        for i in range(tree.n_players)
        for h in tree.player_infosets(i)
        for p in solution[0].behaviour[h]
    ]
    assert [float(theirs[k]) for k in range(len(mine))] == pytest.approx(mine, abs=1e-6)


@pytest.mark.reference
def test_the_logit_limit_is_near_pygambits_logit_solve():
    tree = beer_quiche()
    limit = solve_information(tree, "logit", precision=1.0)[-1]
    reference = gbt.read_efg(io.StringIO(format_efg(tree)))
    theirs = gbt.nash.logit_solve(reference).equilibria[0]
    leaves = [float(theirs.realiz_prob(n)) for n in reference.nodes if n.is_terminal]
    assert limit.leaf_probabilities == pytest.approx(leaves, abs=1e-3)


def test_methods_refuse_what_they_cannot_do():
    with pytest.raises(InputError, match="solves 2-player games"):
        solve_information(seltens_horse(), "sequence-lemke")
    with pytest.raises(InputError, match="has no option"):
        solve_information(matching_pennies_tree(), "sequence-lemke", max_seconds=1)
    solution = solve_information(kuhn_poker(), "sequence-lemke", max_pivots=2)
    assert solution.incomplete_reason == "max_pivots" and len(solution) == 0
    # Asked for by name, the method's one equilibrium is all it promises: complete.
    assert solve_information(kuhn_poker(), "sequence-lemke").incomplete_reason is None


def test_reduced_strategy_counts_multiply_over_information_sets():
    game, plans = reduced_normal_form(kuhn_poker())
    assert game.payoffs.shape == (27, 64, 2)
    assert all(plan[:, 0].all() for plan in plans)  # the empty sequence is always played
    assert [len(set(names)) for names in game.strategies] == [27, 64]


@pytest.mark.parametrize(
    ("name", "offer"),
    [
        ("montyhal.efg", "Use the sequence form (method sequence-lemke)"),
        ("three_players_nonterm_outcomes.efg", "solves two-player trees only"),
    ],
)
def test_a_reduced_normal_form_too_large_offers_the_sequence_form_only_to_two_players(
    name, offer, monkeypatch
):
    from kurilsim.forms.information import reduced_normal_form as module
    from kurilsim.forms.information.efg import read_efg

    monkeypatch.setattr(module, "MAX_PROFILES", 1)
    with pytest.raises(InputError, match="reduced normal form") as refused:
        reduced_normal_form(read_efg(ROOT / "tests" / "data" / "efg" / name))
    assert offer in str(refused.value)
