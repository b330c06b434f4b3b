"""One entry point for every bargaining solution: ``solve_bargaining(problem, method, tol)``.

Each solution concept is a function on utility arrays in its own module
(:mod:`~kurilsim.forms.bargaining.nash_bargaining`,
:mod:`~kurilsim.forms.bargaining.kalai_smorodinsky`, :mod:`~kurilsim.forms.bargaining.rubinstein`);
ratification is applied by :mod:`~kurilsim.forms.bargaining.ratification`. This module solves the
problem twice per concept, with the ratification constraint and without it (to say whether it
binds), verifies every solution and wraps everything in a
:class:`~kurilsim.forms.bargaining.result.BargainingSolution`. A solution that fails its own
verification is a bug and raises.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.arguments import (
    check_bool,
    check_instance,
    check_mapping,
    check_real,
    check_text,
)
from kurilsim.core.errors import InputError, KurilsimError
from kurilsim.core.text import DISPLAY_ZERO
from kurilsim.core.tolerance import DEFAULT_TOL, check_tolerance
from kurilsim.forms.bargaining.feasible_set import (
    Agreement,
    outcome_points,
    shared_gain,
    utility_scale,
    zopa_mask,
)
from kurilsim.forms.bargaining.game import DISAGREEMENT, BargainingProblem
from kurilsim.forms.bargaining.kalai_smorodinsky import kalai_smorodinsky, verify_kalai_smorodinsky
from kurilsim.forms.bargaining.nash_bargaining import nash_bargaining, verify_nash
from kurilsim.forms.bargaining.ratification import RATIFICATION_MODES, ratified_utilities
from kurilsim.forms.bargaining.result import (
    BargainingSolution,
    Check,
    ConceptSolution,
    Outcome,
)
from kurilsim.forms.bargaining.rubinstein import rubinstein, verify_rubinstein

FloatArray = NDArray[np.float64]

#: The solution concepts, by the names ``method`` accepts.
CONCEPTS = ("nash", "kalai-smorodinsky", "rubinstein")


@dataclass(frozen=True, eq=False)
class _Solved:
    agreement: Agreement
    checks: tuple[Check, ...]
    ties: tuple[int, ...] = ()
    counter_offer: Agreement | None = None
    unique: bool = True


def solve_bargaining(
    problem: BargainingProblem,
    method: str = "auto",
    tol: float = DEFAULT_TOL,
    *,
    lotteries: bool = False,
    ratification: str = "win-set",
    parameters: Mapping[str, float] | None = None,
) -> BargainingSolution:
    """Solve a bargaining problem under one or every solution concept, and verify each.

    Parameters
    ----------
    problem
        The problem.
    method
        ``"auto"`` (every concept that applies: Rubinstein needs discount factors) or one of
        :data:`CONCEPTS`: ``"nash"`` (Nash 1950), ``"kalai-smorodinsky"`` (Kalai and
        Smorodinsky 1975), ``"rubinstein"`` (Rubinstein 1982).
    tol
        Relative tolerance, multiplied by the problem's utility scale.
    lotteries
        Whether lotteries over deals are feasible (the convex hull of the deals and the
        disagreement point) or only the deals themselves (the default: a lottery over
        sovereignty is rarely a credible diplomatic outcome).
    ratification
        How ratification constrains the deals: ``"win-set"`` (only deals in every ratifier's
        win-set), ``"probability"`` (deals valued at their chance of ratification) or
        ``"none"``; see :mod:`kurilsim.forms.bargaining.ratification` (Putnam 1988).
    parameters
        Scenario parameter values the problem was built at, recorded in the result.

    Returns
    -------
    BargainingSolution

    Raises
    ------
    ArgumentTypeError
        For an argument of the wrong type.
    InputError
        For an unknown method or ratification mode, Rubinstein without discount factors, or a
        tolerance outside (0, 1e-3].

    Examples
    --------
    Two deals; the Russian public's approval keeps the second out of its win-set:

    >>> problem = BargainingProblem(
    ...     ["Japan", "Russia"], ["joint_economic", "two_islands"], [[0.3, 0.4], [0.8, 0.2]],
    ...     disagreement=[0, 0], ratifiers=["Russian_public"], approval=[[0.8], [0.29]])
    >>> solution = solve_bargaining(problem, "nash")
    >>> solution["nash"].outcome.describe(), solution["nash"].unconstrained.describe()
    ('joint_economic', 'two_islands')
    >>> solution.binds
    True
    """
    check_instance("problem", problem, BargainingProblem, "a BargainingProblem")
    concepts = _concepts(problem, check_text("method", method))
    check_tolerance(tol)
    lotteries = check_bool("lotteries", lotteries)
    check_text("ratification", ratification)
    parameters = check_mapping("parameters", parameters, check_real)
    if ratification not in RATIFICATION_MODES:
        raise InputError(
            f"unknown ratification mode {ratification!r}; expected one of "
            f"{', '.join(RATIFICATION_MODES)}"
        )
    d = problem.disagreement
    raw_points = outcome_points(problem.utilities, d)
    scale = utility_scale(raw_points)
    eps = tol * scale
    seen, available = ratified_utilities(
        problem.utilities, d, problem.approval, problem.thresholds, ratification
    )
    index = np.flatnonzero(available)
    results = []
    for concept in concepts:
        free = _solve(concept, problem, problem.utilities, lotteries, tol, scale)
        bound = _solve(concept, problem, seen[index], lotteries, tol, scale)
        weights = _widen(bound.agreement.weights, index, problem.n_deals)
        outcome = _outcome(problem, weights, bound.agreement)
        unconstrained = _outcome(problem, free.agreement.weights, free.agreement)
        # Compare the deals agreed, not expected utilities, which ratification risk discounts.
        raw = weights @ raw_points
        counter = bound.counter_offer
        results.append(
            ConceptSolution(
                concept=concept,
                outcome=outcome,
                unconstrained=unconstrained,
                binds=bool(np.max(np.abs(raw - free.agreement.weights @ raw_points)) > eps),
                checks=bound.checks,
                ties=tuple(problem.deals[index[k]] for k in bound.ties),
                counter_offer=None
                if counter is None
                else _outcome(problem, _widen(counter.weights, index, problem.n_deals), counter),
                unique=bound.unique,
            )
        )
    both_gain = zopa_mask(seen, d, eps)
    return BargainingSolution(
        problem=problem,
        method=method,
        concepts=tuple(results),
        tol=tol,
        scale=scale,
        lotteries=lotteries,
        ratification=ratification,
        available=tuple(problem.deals[k] for k in index),
        zopa=tuple(problem.deals[k] for k in index if both_gain[k]),
        zopa_unconstrained=tuple(
            name
            for name, ok in zip(problem.deals, zopa_mask(problem.utilities, d, eps), strict=True)
            if ok
        ),
        zopa_empty=shared_gain(seen[index], d, lotteries) <= eps,
        options={"lotteries": lotteries, "ratification": ratification},
        parameters=parameters or {},
    )


def _concepts(problem: BargainingProblem, method: str) -> tuple[str, ...]:
    if method == "auto":
        return tuple(c for c in CONCEPTS if c != "rubinstein" or problem.discount is not None)
    if method not in CONCEPTS:
        raise InputError(
            f"unknown bargaining method {method!r}; expected auto or one of {', '.join(CONCEPTS)}"
        )
    if method == "rubinstein" and problem.discount is None:
        raise InputError("the rubinstein method needs discount factors; this problem has none")
    return (method,)


def _solve(
    concept: str,
    problem: BargainingProblem,
    utilities: FloatArray,
    lotteries: bool,
    tol: float,
    scale: float,
) -> _Solved:
    """Solve and verify one concept on ``utilities`` (all deals, or the ratifiable ones)."""
    d = problem.disagreement
    if concept == "nash":
        agreement = nash_bargaining(utilities, d, lotteries, tol, scale=scale)
        checks, ties = verify_nash(utilities, d, agreement, lotteries, tol, scale=scale)
        solved = _Solved(agreement, checks, ties)
    elif concept == "kalai-smorodinsky":
        agreement = kalai_smorodinsky(utilities, d, lotteries, tol, scale=scale)
        checks, ties = verify_kalai_smorodinsky(
            utilities, d, agreement, lotteries, tol, scale=scale
        )
        solved = _Solved(agreement, checks, ties)
    else:
        assert problem.discount is not None  # _concepts refuses rubinstein without them
        delta, first = problem.discount, problem.first_mover
        offers = rubinstein(utilities, d, delta, first, lotteries, tol, scale=scale)
        checks = verify_rubinstein(utilities, d, delta, first, offers, lotteries, tol, scale=scale)
        solved = _Solved(offers.offer, checks, (), offers.counter_offer, offers.unique)
    failed = [c for c in solved.checks if not c.passed]
    if failed:
        raise KurilsimError(
            f"{concept}: the solution fails its check ({failed[0].condition}: residual "
            f"{failed[0].residual:.3g} above {failed[0].bound:.3g}); this is a bug in kurilsim, "
            "please report it"
        )
    return solved


def _widen(weights: FloatArray, index: NDArray[np.intp], n_deals: int) -> FloatArray:
    """Weights over the available deals (disagreement last) -> over every deal."""
    full = np.zeros(n_deals + 1)
    full[index] = weights[:-1]
    full[-1] = weights[-1]
    return full


def _outcome(problem: BargainingProblem, weights: FloatArray, agreement: Agreement) -> Outcome:
    names = (*problem.deals, DISAGREEMENT)
    lottery = {
        names[k]: 1.0 if w > 1 - DISPLAY_ZERO else float(w)
        for k, w in enumerate(weights)
        if w > DISPLAY_ZERO
    }
    return Outcome(lottery, agreement.utilities, agreement.utilities - problem.disagreement)
