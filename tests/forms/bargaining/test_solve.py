"""Bargaining solutions against known answers: Rubinstein, Nash, Kalai-Smorodinsky, ratification."""

import json
import math

import numpy as np
import pytest

from kurilsim import InputError
from kurilsim.forms.bargaining.feasible_set import pareto_frontier
from kurilsim.forms.bargaining.game import BargainingProblem
from kurilsim.forms.bargaining.kalai_smorodinsky import kalai_smorodinsky
from kurilsim.forms.bargaining.nash_bargaining import nash_bargaining
from kurilsim.forms.bargaining.rubinstein import rubinstein, rubinstein_shares, verify_rubinstein
from kurilsim.forms.bargaining.solve import solve_bargaining

PIE = np.array([[1.0, 0.0], [0.0, 1.0]])  # with lotteries: the frontier u1 + u2 = 1
ZERO = np.zeros(2)


def curve(f, points=4001):
    x = np.linspace(0.0, 1.0, points)
    return np.column_stack([x, f(x)])


def pie_grid(step=0.01):
    x = np.round(np.arange(0.0, 1.0 + step / 2, step), 12)
    return np.column_stack([x, 1 - x])


# ---------------------------------------------------------------- Rubinstein (1982)
DISCOUNTS = [
    pytest.param(0.5, 0.5, id="equal-0.5"),
    pytest.param(0.9, 0.8, id="patient-first-mover"),
    pytest.param(0.8, 0.95, id="patient-second-mover"),
    pytest.param(0.99, 0.6, id="very-patient-first-mover"),
    pytest.param(0.3, 0.7, id="impatient-first-mover"),
    pytest.param(0.0, 0.5, id="first-mover-values-only-now"),
    pytest.param(0.5, 0.0, id="responder-values-only-now"),
    pytest.param(0.0, 0.0, id="both-value-only-now"),
]


@pytest.mark.parametrize(("d1", "d2"), DISCOUNTS)
def test_rubinstein_first_mover_share_is_the_closed_form(d1, d2):
    share = (1 - d2) / (1 - d1 * d2)
    assert rubinstein_shares(d1, d2) == pytest.approx((share, 1 - share), abs=1e-15)
    eq = rubinstein(PIE, ZERO, np.array([d1, d2]), first_mover=0, lotteries=True)
    np.testing.assert_allclose(eq.offer.utilities, [share, 1 - share], atol=1e-12)
    # The second mover's proposal leaves the first mover exactly indifferent.
    np.testing.assert_allclose(eq.counter_offer.utilities, [d1 * share, 1 - d1 * share], atol=1e-12)
    checks = verify_rubinstein(PIE, ZERO, np.array([d1, d2]), 0, eq, lotteries=True)
    assert all(c.passed for c in checks)


@pytest.mark.parametrize(("d1", "d2"), DISCOUNTS)
def test_rubinstein_second_player_moving_first_gets_the_first_mover_share(d1, d2):
    # Player index 1 proposes first, with discount factor d2; player 0 responds with d1.
    share = (1 - d1) / (1 - d1 * d2)
    eq = rubinstein(PIE, ZERO, np.array([d1, d2]), first_mover=1, lotteries=True)
    np.testing.assert_allclose(eq.offer.utilities, [1 - share, share], atol=1e-12)


@pytest.mark.parametrize(
    ("d1", "d2"),
    [
        pytest.param(1.0, 0.5, id="first-at-1"),
        pytest.param(1.0, 1.0, id="both-at-1"),
        pytest.param(0.5, 1.5, id="above-1"),
        pytest.param(-0.5, 0.5, id="negative"),
        pytest.param(float("nan"), 0.5, id="nan"),
    ],
)
def test_rubinstein_refuses_discount_factors_outside_the_unit_interval(d1, d2):
    with pytest.raises(InputError, match=r"in \[0, 1\)"):
        rubinstein_shares(d1, d2)
    with pytest.raises(InputError, match=r"in \[0, 1\)"):
        rubinstein(PIE, ZERO, np.array([d1, d2]), lotteries=True)


@pytest.mark.parametrize("epsilon", [1e-2, 1e-4, 1e-6])
def test_rubinstein_split_tends_to_one_half_as_both_become_patient(epsilon):
    delta = 1 - epsilon
    first, second = rubinstein_shares(delta, delta)
    assert abs(first - 0.5) <= epsilon and abs(second - 0.5) <= epsilon
    assert first > 0.5  # the first-mover advantage never vanishes at a finite delta
    eq = rubinstein(PIE, ZERO, np.array([delta, delta]), lotteries=True)
    # The fixed point is ill-conditioned as delta -> 1: rounding grows like 1 / (1 - delta^2).
    assert eq.offer.utilities[0] == pytest.approx(1 / (1 + delta), abs=1e-15 / epsilon)


def test_rubinstein_tends_to_the_nash_solution_on_a_curved_frontier():
    # Binmore, Rubinstein and Wolinsky (1986): the limit as delta -> 1 is Nash's solution.
    frontier = curve(lambda x: 1 - x**2)
    nash = nash_bargaining(frontier, ZERO, lotteries=True).utilities
    eq = rubinstein(frontier, ZERO, np.array([0.9999, 0.9999]), lotteries=True)
    np.testing.assert_allclose(eq.offer.utilities, nash, atol=2e-3)


def test_rubinstein_on_a_discrete_pie_is_within_a_grid_step():
    deals = pie_grid(0.01)
    share = (1 - 0.8) / (1 - 0.9 * 0.8)
    eq = rubinstein(deals, ZERO, np.array([0.9, 0.8]), lotteries=False)
    assert abs(eq.offer.utilities[0] - share) <= 0.01 + 1e-12
    checks = verify_rubinstein(deals, ZERO, np.array([0.9, 0.8]), 0, eq, lotteries=False)
    assert all(c.passed for c in checks)


def test_rubinstein_reports_several_stationary_equilibria_on_a_coarse_grid():
    deals = pie_grid(0.25)
    eq = rubinstein(deals, ZERO, np.array([0.9, 0.9]), lotteries=False)
    assert not eq.unique
    assert eq.offer.utilities[0] >= 0.5  # the one most favourable to the first mover


# ---------------------------------------------------------------- Nash (1950)
@pytest.mark.parametrize(
    ("deals", "d", "lotteries", "expected", "atol"),
    [
        pytest.param(PIE, ZERO, True, [0.5, 0.5], 1e-12, id="line-d0"),
        pytest.param(pie_grid(0.01), ZERO, False, [0.5, 0.5], 1e-12, id="line-grid-d0"),
        pytest.param(PIE, np.array([0.2, 0.4]), True, [0.4, 0.6], 1e-12, id="line-asymmetric-d"),
        pytest.param(
            np.array([[2.0, 0.0], [0.0, 1.0]]), ZERO, True, [1.0, 0.5], 1e-12, id="line-u1+2u2=2"
        ),
        pytest.param(
            curve(lambda x: 1 - x**2),
            ZERO,
            True,
            [1 / math.sqrt(3), 2 / 3],
            1e-3,
            id="curve-1-u1^2",
        ),
        pytest.param(
            curve(lambda x: 1 - x**2, 1001),
            ZERO,
            False,
            [1 / math.sqrt(3), 2 / 3],
            1e-3,
            id="curve-1-u1^2-grid",
        ),
        pytest.param(
            curve(lambda x: np.sqrt(1 - x**2)),
            ZERO,
            True,
            [2**-0.5, 2**-0.5],
            1e-3,
            id="quarter-circle",
        ),
    ],
)
def test_nash_bargaining_on_known_frontiers(deals, d, lotteries, expected, atol):
    solution = nash_bargaining(deals, d, lotteries=lotteries)
    np.testing.assert_allclose(solution.utilities, expected, atol=atol)
    assert solution.weights.sum() == pytest.approx(1.0)


def test_nash_picks_a_lottery_between_two_deals_when_allowed():
    # Deals at the ends of the line u1 + u2 = 1 only: the solution is a 50/50 lottery.
    solution = solve_bargaining(
        BargainingProblem(["A", "B"], ["a", "b"], PIE, ZERO), "nash", lotteries=True
    )
    assert dict(solution["nash"].outcome.lottery) == pytest.approx({"a": 0.5, "b": 0.5})
    sure = solve_bargaining(BargainingProblem(["A", "B"], ["a", "b"], PIE, ZERO), "nash")
    assert sure.zopa_empty  # without lotteries neither deal gives both players a gain


# ---------------------------------------------------------------- Kalai-Smorodinsky (1975)
def test_kalai_smorodinsky_differs_from_nash_on_the_monotonicity_example():
    # conv{(0,0), (1,0), (1,0.7), (0,1)}: ideal point (1,1), so KS solves u = 1 - 0.3u.
    deals = np.array([[1.0, 0.0], [1.0, 0.7], [0.0, 1.0]])
    ks = kalai_smorodinsky(deals, ZERO, lotteries=True)
    np.testing.assert_allclose(ks.utilities, [1 / 1.3, 1 / 1.3], atol=1e-12)
    np.testing.assert_allclose(nash_bargaining(deals, ZERO, lotteries=True).utilities, [1.0, 0.7])


def test_kalai_smorodinsky_on_a_curved_frontier_and_with_asymmetric_ideal():
    ks = kalai_smorodinsky(curve(lambda x: 1 - x**2), ZERO, lotteries=True)
    np.testing.assert_allclose(ks.utilities, [(math.sqrt(5) - 1) / 2] * 2, atol=1e-6)
    # Frontier u1 + 2 u2 = 2: ideal (2, 1), each side gets half of its ideal gain.
    line = np.array([[2.0, 0.0], [0.0, 1.0]])
    np.testing.assert_allclose(kalai_smorodinsky(line, ZERO, True).utilities, [1.0, 0.5])


def test_kalai_smorodinsky_discrete_adaptation_maximises_the_smaller_normalised_gain():
    deals = np.array([[3.0, 1.0], [2.0, 1.9], [1.0, 3.0], [2.9, 0.0]])
    # Ideal (3, 3): normalised gains (1, 1/3), (2/3, 0.63), (1/3, 1), (0.97, 0).
    assert kalai_smorodinsky(deals, ZERO).weights.tolist() == [0, 1, 0, 0, 0]


# ---------------------------------------------------------------- ratification (Putnam 1988)
def islands(approval_two, mode="win-set", us=None):
    """Japan and Russia over joint activity or two islands, with the Russian public (and US)."""
    ratifiers, approval = ["Russian_public"], [[0.8], [approval_two], [0.22]]
    if us is not None:
        ratifiers.append("US")
        approval = [[*row, a] for row, a in zip(approval, us, strict=True)]
    problem = BargainingProblem(
        players=["Japan", "Russia"],
        deals=["joint_economic", "two_islands", "four_islands"],
        utilities=[[0.3, 0.4], [0.8, 0.3], [1.5, -1.0]],
        disagreement=[0.0, 0.0],
        discount=[0.8, 0.95],
        ratifiers=ratifiers,
        approval=approval,
    )
    return solve_bargaining(problem, ratification=mode)


def test_ratification_binds_when_the_public_rejects_the_deal_negotiators_prefer():
    solution = islands(approval_two=0.29)
    assert solution.binds
    for concept in solution:
        assert concept.outcome.describe() == "joint_economic"
        assert concept.unconstrained.describe() == "two_islands"
        assert concept.binds
    assert solution.zopa == ("joint_economic",)
    assert solution.zopa_unconstrained == ("joint_economic", "two_islands")
    assert solution.win_sets == {"Russian_public": ("joint_economic",)}


def test_ratification_does_not_bind_when_the_deal_is_in_every_win_set():
    solution = islands(approval_two=0.6)
    assert not solution.binds
    assert [c.outcome.describe() for c in solution] == ["two_islands"] * 3
    assert solution.available == ("joint_economic", "two_islands")


def test_a_third_party_veto_removes_deals_from_the_win_set():
    solution = islands(approval_two=0.6, us=[1.0, 0.2, 1.0])
    assert solution.binds and solution["nash"].outcome.describe() == "joint_economic"
    assert solution.win_sets["US"] == ("joint_economic", "four_islands")


def test_ratification_as_probability_discounts_deals_by_their_chance():
    solution = islands(approval_two=0.6, mode="probability")
    nash = solution["nash"]
    # Two islands ratified with probability 0.6: expected gains (0.48, 0.18) beat (0.24, 0.32).
    assert nash.outcome.describe() == "two_islands" and not nash.binds
    np.testing.assert_allclose(nash.outcome.gains, [0.48, 0.18])
    assert islands(approval_two=0.3, mode="probability")["nash"].binds


def test_empty_zopa_means_no_agreement_under_every_concept():
    problem = BargainingProblem(
        ["Japan", "Russia"],
        ["joint_economic", "two_islands"],
        [[0.3, -0.1], [0.8, 0.3]],
        [0.0, 0.0],
        discount=[0.8, 0.95],
        ratifiers=["Russian_public"],
        approval=[[0.9], [0.2]],
    )
    solution = solve_bargaining(problem)
    assert solution.zopa_empty and solution.zopa == ()
    assert solution.zopa_unconstrained == ("two_islands",)
    for concept in solution:
        assert not concept.outcome.agreement and concept.outcome.describe() == "no agreement"
        np.testing.assert_array_equal(concept.outcome.gains, [0, 0])
        assert concept.binds and concept.verified
    assert "EMPTY" in solution.to_text()


@pytest.mark.parametrize("lotteries", [False, True])
def test_zopa_with_and_without_lotteries(lotteries):
    # No single deal helps both, but a lottery over the two does.
    problem = BargainingProblem(["A", "B"], ["a", "b"], [[2.0, -0.5], [-0.5, 2.0]], [0, 0])
    solution = solve_bargaining(problem, lotteries=lotteries)
    assert solution.zopa_empty is not lotteries
    if lotteries:
        np.testing.assert_allclose(solution["nash"].outcome.utilities, [0.75, 0.75])


def test_swapping_deals_leave_nothing_even_with_lotteries():
    problem = BargainingProblem(["A", "B"], ["a", "b"], [[1.0, -1.0], [-1.0, 1.0]], [0, 0])
    assert solve_bargaining(problem, lotteries=True).zopa_empty


# ---------------------------------------------------------------- the facade and the result
def test_symmetric_discrete_problem_reports_the_tie():
    problem = BargainingProblem(["A", "B"], ["a", "b"], [[1.0, 2.0], [2.0, 1.0]], [0, 0])
    nash = solve_bargaining(problem, "nash")["nash"]
    assert nash.outcome.describe() == "a" and nash.ties == ("b",)
    assert "tied with" in solve_bargaining(problem, "nash").to_text()


def test_result_converts_to_json_frame_and_text():
    solution = islands(approval_two=0.29)
    data = json.loads(json.dumps(solution.to_dict()))
    assert data["binds"] is True and data["zopa"] == ["joint_economic"]
    assert set(data["solutions"]) == {"nash", "kalai-smorodinsky", "rubinstein"}
    assert data["solutions"]["nash"]["outcome"]["gains"] == {"Japan": 0.3, "Russia": 0.4}
    assert data["problem"]["deals"][1]["available"] is False
    assert all(c["passed"] for c in data["solutions"]["rubinstein"]["checks"])
    frame = solution.to_frame()
    assert frame["concept"].tolist() == ["nash", "kalai-smorodinsky", "rubinstein"]
    assert frame["binds"].all() and frame["verified"].all()
    assert {"gain.Japan", "gain.Russia", "unconstrained_deal"} <= set(frame.columns)
    text = solution.to_text()
    assert "Nash bargaining    joint_economic" in text and "two_islands" in text
    assert "Japan offers first" in text
    with pytest.raises(KeyError, match="no solution for 'egalitarian'"):
        solution["egalitarian"]


def test_auto_skips_rubinstein_without_discount_factors():
    problem = BargainingProblem(["A", "B"], ["a"], [[1.0, 1.0]], [0, 0])
    assert [c.concept for c in solve_bargaining(problem)] == ["nash", "kalai-smorodinsky"]


@pytest.mark.parametrize(
    ("method", "options", "words"),
    [
        pytest.param("egalitarian", {}, "unknown bargaining method 'egalitarian'", id="method"),
        pytest.param("rubinstein", {}, "needs discount factors", id="rubinstein-no-discount"),
        pytest.param("nash", {"tol": 0.0}, "tolerance must lie in", id="tolerance"),
        pytest.param("nash", {"ratification": "vote"}, "unknown ratification mode", id="mode"),
    ],
)
def test_facade_refuses_bad_requests(method, options, words):
    problem = BargainingProblem(["A", "B"], ["a"], [[1.0, 1.0]], [0, 0])
    with pytest.raises(InputError, match=words):
        solve_bargaining(problem, method, **options)


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        pytest.param({"players": ["A", "A"]}, "two distinct players", id="same-players"),
        pytest.param({"deals": ["a", "a"]}, "repeated: a", id="repeated-deal"),
        pytest.param({"deals": ["disagreement", "b"]}, "names the no-deal outcome", id="reserved"),
        pytest.param(
            {"utilities": [[1, 1]]},
            r"utilities: expected shape \(2, 2\), got shape \(1, 2\)",
            id="shape",
        ),
        pytest.param({"utilities": [[1, np.nan], [0, 0]]}, "finite", id="nan"),
        pytest.param({"discount": [0.9, 1.0]}, r"in \[0, 1\)", id="discount-at-1"),
        pytest.param({"discount": [1.0, 1.0]}, r"in \[0, 1\)", id="discounts-both-1"),
        pytest.param({"discount": [-0.1, 0.5]}, r"in \[0, 1\)", id="discount-negative"),
        pytest.param({"discount": [1.5, 0.5]}, r"in \[0, 1\)", id="discount-above-1"),
        pytest.param({"first_mover": 2}, r"first_mover: .* in \[0, 1\]", id="first-mover"),
        pytest.param({"ratifiers": ["R"], "approval": [[1.2], [0.5]]}, r"\[0, 1\]", id="approval"),
    ],
)
def test_problem_refuses_bad_input(changes, words):
    arguments = {
        "players": ["A", "B"],
        "deals": ["a", "b"],
        "utilities": [[1, 0], [0, 1]],
        "disagreement": [0, 0],
    } | changes
    with pytest.raises(InputError, match=words):
        BargainingProblem(**arguments)


def test_frontier_is_never_empty_and_starts_at_the_second_players_best():
    frontier = pareto_frontier(np.array([[0.5, 0.5]]), np.array([1.0, 1.0]))
    np.testing.assert_array_equal(frontier.points, [[1.0, 1.0]])  # only d is rational
    frontier = pareto_frontier(pie_grid(0.1), ZERO)
    assert frontier.points[0].tolist() == [0.0, 1.0] and frontier.points[-1].tolist() == [1, 0]
