"""Perfect Bayesian equilibria of signalling games: literature games, brute force, the checks."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings

from kurilsim.forms.bayesian.assessment import Assessment, check_assessment
from kurilsim.forms.bayesian.beliefs import best_reply_region
from kurilsim.forms.bayesian.game import SignallingGame
from kurilsim.forms.bayesian.harsanyi import to_information_tree, tree_assessment
from kurilsim.forms.bayesian.literature import beer_quiche
from kurilsim.forms.bayesian.solve import solve_signalling
from kurilsim.forms.information.assessment import check_assessment as tree_check
from tests.strategies import signalling_games


def plays(solution):
    """(kind, sender's messages by type, receiver's responses by message, intuitive)."""
    found = []
    for e in solution:
        a = e.assessment
        found.append(
            (
                e.kind,
                tuple(solution.game.messages[int(m)] for m in a.sender.argmax(axis=1)),
                tuple(solution.game.responses[int(r)] for r in a.receiver.argmax(axis=1)),
                e.intuitive,
            )
        )
    return sorted(found)


def test_beer_quiche_has_two_pooling_equilibria_and_only_beer_is_intuitive():
    # Cho and Kreps (1987), sec. II: prior 0.1 on weak.
    solution = solve_signalling(beer_quiche())
    assert plays(solution) == [
        ("pooling", ("beer", "beer"), ("not_duel", "duel"), True),
        ("pooling", ("quiche", "quiche"), ("duel", "not_duel"), False),
    ]
    quiche = next(e for e in solution if not e.intuitive)
    # Beer must be met by a duel: a belief of at least 1/2 on the weak type.
    region = quiche.assessment.regions[0]
    assert region[:, 0].min() == pytest.approx(0.5) and region[:, 0].max() == pytest.approx(1.0)
    assert "only strong could gain" in quiche.failure


def test_beer_quiche_with_a_likely_weak_type_has_the_known_hybrid():
    # With P(weak) = 0.7 > 1/2 no pooling survives; the weak type drinks beer with probability
    # 3/7 so that beer leaves the receiver indifferent, and the receiver duels half the time.
    solution = solve_signalling(beer_quiche(0.7))
    (hybrid,) = solution.equilibria
    a = hybrid.assessment
    assert hybrid.kind == "hybrid"
    assert a.sender[0].tolist() == pytest.approx([3 / 7, 4 / 7])
    assert a.receiver[0].tolist() == pytest.approx([0.5, 0.5])
    assert a.beliefs[0].tolist() == pytest.approx([0.5, 0.5])


def spence(p_high: float, cost_low: float, cost_high: float) -> SignallingGame:
    """Discrete Spence (1973) job-market signalling: ability 1 or 2, wage 1 or 2.

    The employer pays the wage it offers and loses (wage - ability)^2; a worker gets the wage less
    its cost of education. A separating equilibrium (the able worker alone educated) exists iff
    cost_high <= 1 <= cost_low, the wage gap (Spence 1973; Gibbons 1992, sec. 4.2.B).
    """
    payoffs = np.zeros((2, 2, 2, 1, 2))
    for t, ability in enumerate((1, 2)):
        for m in range(2):  # none, educate
            for r, wage in enumerate((1, 2)):
                cost = (cost_low, cost_high)[t] * m
                payoffs[t, m, r, 0] = (wage - cost, -((wage - ability) ** 2))
    return SignallingGame(
        "Worker", "Employer", ("low", "high"), np.array([1 - p_high, p_high]),
        ("none", "educate"), ("wage_low", "wage_high"), ("",), payoffs,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("cost_low", "cost_high", "separates"),
    [(1.5, 0.5, True), (0.5, 0.3, False), (1.5, 1.2, False)],
    ids=["separating-region", "education-cheap-for-both", "education-dear-for-both"],
)
def test_spence_separates_exactly_when_education_costs_straddle_the_wage_gap(
    cost_low, cost_high, separates
):
    solution = solve_signalling(spence(0.3, cost_low, cost_high))
    separating = [p for p in plays(solution) if p[0] == "separating"]
    assert bool(separating) == separates
    if separates:
        assert separating == [("separating", ("none", "educate"), ("wage_low", "wage_high"), True)]
        # Pooling on no education (wage low at prior 0.3) exists but fails the criterion.
        pooling = [p for p in plays(solution) if p[0] == "pooling"]
        assert pooling == [("pooling", ("none", "none"), ("wage_low", "wage_low"), False)]


def brute_force(game: SignallingGame, grid: int = 12) -> set[tuple[tuple[int, ...], ...]]:
    """Pure PBE by checking every strategy pair against beliefs on a grid of the simplex."""
    n_types, n_messages, n_responses = game.payoffs.shape[:3]
    sender, receiver = game.payoffs[:, :, :, 0, 0], game.payoffs[:, :, :, 0, 1]
    points = [
        np.array(c) / grid
        for c in itertools.product(range(grid + 1), repeat=n_types)
        if sum(c) == grid
    ]
    found = set()
    for plan in itertools.product(range(n_messages), repeat=n_types):
        for replies in itertools.product(range(n_responses), repeat=n_messages):
            ok = True
            for m in range(n_messages):
                weights = game.prior * (np.array(plan) == m)
                beliefs = [weights / weights.sum()] if weights.sum() > 0 else points
                if not any(
                    (b @ receiver[:, m]).max() <= b @ receiver[:, m, replies[m]] + 1e-9
                    for b in beliefs
                ):
                    ok = False
            for t in range(n_types):
                got = [sender[t, m, replies[m]] for m in range(n_messages)]
                ok &= max(got) <= got[plan[t]] + 1e-9
            if ok:
                found.add((plan, replies))
    return found


@settings(max_examples=40)
@given(signalling_games())
def test_every_pure_equilibrium_a_belief_grid_finds_is_enumerated_and_each_one_checks(game):
    solution = solve_signalling(game)
    pure = {
        (tuple(e.assessment.sender.argmax(axis=1).tolist()),
         tuple(e.assessment.receiver.argmax(axis=1).tolist()))
        for e in solution
        if e.kind != "hybrid"
    }  # fmt: skip
    assert brute_force(game) <= pure
    tree = to_information_tree(game)
    for e in solution:
        assert check_assessment(game, e.assessment) <= 1e-9 * game.scale
        # And by the tree form's checker on the Harsanyi tree, apart from this form's check.
        check = tree_check(tree, *tree_assessment(game, tree, e.assessment))
        assert check.consistent() and check.sequentially_rational(), check.failures()
        for region in e.assessment.regions:
            if region is not None:
                assert np.allclose(region.sum(axis=1), 1) and (region >= 0).all()


def test_the_check_catches_beliefs_against_bayes_rule_and_a_type_that_would_deviate():
    game = beer_quiche()
    good = next(e for e in solve_signalling(game) if e.intuitive).assessment
    wrong_belief = Assessment(
        good.sender, good.receiver, good.actions, np.array([[0.5, 0.5], [1.0, 0.0]]), good.regions
    )
    assert check_assessment(game, wrong_belief) > 0.1
    # The weak type sends quiche while quiche is met by a duel: it would rather drink beer.
    deviating = Assessment(
        np.array([[0.0, 1.0], [1.0, 0.0]]), good.receiver, good.actions,
        np.array([[0.0, 1.0], [1.0, 0.0]]), (None, None),
    )  # fmt: skip
    assert check_assessment(game, deviating) == pytest.approx(1.0)


def test_a_belief_region_is_empty_when_no_belief_makes_a_response_best():
    dominated = np.array([[0.0, 1.0], [0.0, 1.0]])  # response 0 is never best
    assert best_reply_region(dominated, 0, [0, 1]).shape == (0, 2)
    assert best_reply_region(dominated, 1, [0, 1]).tolist() == [[0.0, 1.0], [1.0, 0.0]]


def test_the_enumeration_says_when_its_bound_cut_it_short():
    solution = solve_signalling(beer_quiche(), max_pairs=3)
    assert not solution.complete and solution.incomplete_reason == "max_pairs"
    assert "WARNING" in solution.to_text()


@pytest.mark.parametrize("weak", [0.1, 0.5, 0.7])
def test_every_equilibrium_passes_the_tree_forms_own_assessment_check(weak):
    # The Harsanyi tree of beer-quiche, checked by the information form's checker.
    game = beer_quiche(weak)
    tree = to_information_tree(game)
    for e in solve_signalling(game):
        behaviour, beliefs = tree_assessment(game, tree, e.assessment)
        check = tree_check(tree, behaviour, beliefs)
        assert check.consistent() and check.sequentially_rational(), check.failures()


def test_the_scenarios_with_a_final_move_pass_the_tree_check_too():
    import kurilsim
    from tests.helpers import SCENARIOS

    for name in ("ratification_2018.yaml", "credibility_1956.yaml"):
        scenario = kurilsim.load_scenario(SCENARIOS / name)
        game = scenario.game()
        tree = to_information_tree(game)
        for e in scenario.solve():
            behaviour, beliefs = tree_assessment(game, tree, e.assessment)
            check = tree_check(tree, behaviour, beliefs)
            assert check.consistent() and check.sequentially_rational(), check.failures()
