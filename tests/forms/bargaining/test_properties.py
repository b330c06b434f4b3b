"""Properties every bargaining solution must have, on random deal spaces (hypothesis)."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kurilsim.forms.bargaining.feasible_set import outcome_points, pareto_frontier, support_residual
from kurilsim.forms.bargaining.game import DISAGREEMENT, BargainingProblem
from kurilsim.forms.bargaining.solve import solve_bargaining
from tests.strategies import bargaining_problems

SETTINGS = settings(max_examples=60, deadline=None)


def rescaled(problem, player, factor, shift):
    utilities = problem.utilities.copy()
    disagreement = problem.disagreement.copy()
    utilities[:, player] = factor * utilities[:, player] + shift
    disagreement[player] = factor * disagreement[player] + shift
    return BargainingProblem(
        problem.players,
        problem.deals,
        utilities,
        disagreement,
        problem.discount,
        problem.first_mover,
    )


def eps(problem):
    points = outcome_points(problem.utilities, problem.disagreement)
    return 1e-9 * max(float(np.ptp(points, axis=0).max()), 1.0)


# ---------------------------------------------------------------- properties
@SETTINGS
@given(bargaining_problems(), st.booleans())
def test_every_solution_passes_its_own_verification(problem, lotteries):
    # solve_bargaining raises if any check fails; reaching the asserts means all passed.
    solution = solve_bargaining(problem, lotteries=lotteries)
    assert all(c.verified for c in solution)
    for concept in solution:
        assert sum(concept.outcome.lottery.values()) == pytest.approx(1.0)


@SETTINGS
@given(bargaining_problems(), st.booleans())
def test_nash_solution_is_individually_rational_and_pareto_optimal(problem, lotteries):
    nash = solve_bargaining(problem, "nash", lotteries=lotteries)["nash"].outcome
    d, tol = problem.disagreement, eps(problem)
    assert np.all(nash.gains >= -tol)
    points = outcome_points(problem.utilities, d)
    if lotteries:
        if nash.agreement:  # with no agreement possible, d need not lie on a supporting line
            normals = pareto_frontier(problem.utilities, d).normals()
            assert support_residual(points, nash.utilities, normals) <= tol
    else:
        assert not np.any(np.all(points > nash.utilities + tol, axis=1))


@SETTINGS
@given(
    bargaining_problems(),
    st.booleans(),
    st.integers(0, 1),
    st.floats(0.1, 10).map(lambda x: round(x, 3)),
    st.floats(-5, 5).map(lambda x: round(x, 3)),
)
def test_nash_solution_is_invariant_to_rescaling_a_players_utility(
    problem, lotteries, player, factor, shift
):
    before = solve_bargaining(problem, "nash", lotteries=lotteries)["nash"]
    assume(not before.ties)
    after = solve_bargaining(rescaled(problem, player, factor, shift), "nash", lotteries=lotteries)
    mapped = after["nash"].outcome.utilities.copy()
    mapped[player] = (mapped[player] - shift) / factor
    np.testing.assert_allclose(mapped, before.outcome.utilities, atol=1e-6 * (1 + factor))


@SETTINGS
@given(bargaining_problems(symmetric=True))
def test_symmetric_problems_have_symmetric_solutions(problem):
    solution = solve_bargaining(problem, lotteries=True)
    for concept in ("nash", "kalai-smorodinsky"):
        u = solution[concept].outcome.utilities
        assert u[0] == pytest.approx(u[1], abs=1e-6)


@SETTINGS
@given(bargaining_problems(symmetric=True))
def test_symmetric_discrete_problems_tie_symmetric_deals(problem):
    nash = solve_bargaining(problem, "nash")["nash"]
    u = nash.outcome.utilities
    if abs(u[0] - u[1]) > 1e-9:  # off the diagonal, the mirror deal does exactly as well
        assert nash.ties


@SETTINGS
@given(bargaining_problems(ratifiers=2), st.booleans(), st.sampled_from(["win-set", "probability"]))
def test_ratified_solutions_use_only_ratifiable_deals(problem, lotteries, mode):
    solution = solve_bargaining(problem, lotteries=lotteries, ratification=mode)
    allowed = {*solution.available, DISAGREEMENT}
    for concept in solution:
        assert set(concept.outcome.lottery) <= allowed
    assert set(solution.zopa) <= set(solution.zopa_unconstrained) | set(solution.zopa)
    assert set(solution.zopa) <= set(solution.available)
    if solution.zopa_empty:
        assert not any(c.outcome.agreement for c in solution)


@SETTINGS
@given(bargaining_problems(), st.booleans())
def test_ratification_that_approves_everything_never_binds(problem, lotteries):
    everyone = BargainingProblem(
        problem.players,
        problem.deals,
        problem.utilities,
        problem.disagreement,
        problem.discount,
        problem.first_mover,
        ["R"],
        np.ones((problem.n_deals, 1)),
    )
    assert not solve_bargaining(everyone, lotteries=lotteries).binds
