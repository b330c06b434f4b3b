r"""Rubinstein's alternating-offers bargaining (Rubinstein 1982).

Two players take turns proposing; the other accepts or rejects, and each round of delay shrinks
player :math:`i`'s gain over disagreement by the discount factor :math:`\delta_i`. For dividing a
unit pie the game has a unique subgame-perfect equilibrium: the first mover offers at once and
keeps

.. math:: x^* = \frac{1 - \delta_2}{1 - \delta_1 \delta_2},

and the offer is accepted. The patient side does better, and as both factors tend to 1 the
split tends to one half.

On a general feasible set the stationary equilibrium is a pair of proposals: :math:`x` (the
first mover's) and :math:`y` (the second mover's), each the proposer's best point among those
the responder accepts, where the responder accepts exactly what gives it at least the discounted
value of its own next proposal:

.. math:: g_2(x) \ge \delta_2\, g_2(y), \qquad g_1(y) \ge \delta_1\, g_1(x),

with :math:`g_i` the gain over disagreement. On the Pareto frontier of a convex set both hold
with equality (the *indifference conditions*), the equilibrium is unique (Binmore, Rubinstein
and Wolinsky 1986), and it tends to the Nash bargaining solution as both factors tend to 1.

* ``lotteries=True``: the frontier of the convex hull of the deals; the fixed point of the two
  conditions is found by bisection along it.
* ``lotteries=False`` (the default): the discrete adaptation. Each proposer offers its best deal
  among those the responder accepts (ties go to the responder's benefit, then to the first deal
  in order), starting from the first mover's favourite deal and iterating the two best
  responses; the iteration is monotone and stops at the stationary equilibrium most
  favourable to the first mover. It is repeated from the second mover's favourite to find the
  least favourable one; on a discrete space the two can differ (van Damme, Selten and Winter
  1990), and the result says whether they do.

References
----------
A. Rubinstein, "Perfect equilibrium in a bargaining model", *Econometrica* 50(1), 97-109, 1982.
K. Binmore, A. Rubinstein and A. Wolinsky, "The Nash bargaining solution in economic modelling",
*RAND Journal of Economics* 17(2), 176-188, 1986.
E. van Damme, R. Selten and E. Winter, "Alternating bid bargaining with a smallest money unit",
*Games and Economic Behavior* 2(2), 188-201, 1990.

Examples
--------
>>> rubinstein_shares(0.9, 0.9)
(0.5263157894736843, 0.4736842105263157)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from kurilsim.core.errors import InputError
from kurilsim.core.tolerance import DEFAULT_TOL
from kurilsim.forms.bargaining.feasible_set import (
    Agreement,
    outcome_points,
    pareto_frontier,
    shared_gain,
    utility_scale,
)
from kurilsim.forms.bargaining.nash_bargaining import no_agreement_check
from kurilsim.forms.bargaining.result import Check

FloatArray = NDArray[np.float64]
#: Best gain a proposer can get while giving the responder at least a given gain.
BestOffer = Callable[[float], float]

#: Bisection steps: enough to shrink any interval to the last bit of a double.
BISECTION_STEPS = 200


def rubinstein_shares(delta1: float, delta2: float) -> tuple[float, float]:
    r"""The first and second mover's shares of a unit pie in Rubinstein's equilibrium.

    Parameters
    ----------
    delta1, delta2
        The first and second mover's discount factors, in [0, 1). A factor of 0 is a player
        who values only the present round: facing one, the proposer takes the whole pie.

    Returns
    -------
    tuple of float
        :math:`(1 - \delta_2)/(1 - \delta_1\delta_2)` and the rest.

    Raises
    ------
    InputError
        If a factor is not a number in [0, 1): at 1 a player loses nothing by waiting and the
        game has no unique equilibrium (both at 1: every split is one).

    Examples
    --------
    >>> first, second = rubinstein_shares(0.5, 0.5)
    >>> round(first, 6), round(second, 6)
    (0.666667, 0.333333)
    >>> rubinstein_shares(0.9, 0.0)
    (1.0, 0.0)
    """
    check_discount([delta1, delta2])
    first = (1 - delta2) / (1 - delta1 * delta2)
    return first, 1 - first


def check_discount(discount: ArrayLike) -> FloatArray:
    """Two discount factors as an array, refused unless each is a number in [0, 1).

    Raises
    ------
    InputError
        Naming the factors and the interval.

    Examples
    --------
    >>> check_discount([0.0, 0.5]).tolist()
    [0.0, 0.5]
    """
    try:
        delta = np.asarray(discount, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(f"discount factors must be two numbers, got {discount!r}") from None
    if delta.shape != (2,):
        raise InputError(f"discount factors must be two numbers, got {delta.tolist()}")
    if not np.all((delta >= 0) & (delta < 1)):
        raise InputError(
            f"discount factors must lie in [0, 1), got {delta.tolist()} (at 1 a player loses "
            "nothing by waiting, and alternating offers has no unique equilibrium)"
        )
    return delta


@dataclass(frozen=True, eq=False)
class AlternatingOffers:
    """The stationary equilibrium of alternating offers.

    Attributes
    ----------
    offer
        The first mover's proposal, accepted at once: the predicted outcome.
    counter_offer
        What the second mover would propose in its turn.
    unique
        Whether the stationary equilibria most and least favourable to the first mover coincide.
    """

    offer: Agreement
    counter_offer: Agreement
    unique: bool


def rubinstein(
    utilities: FloatArray,
    disagreement: FloatArray,
    discount: FloatArray,
    first_mover: int = 0,
    lotteries: bool = False,
    tol: float = DEFAULT_TOL,
    *,
    scale: float | None = None,
) -> AlternatingOffers:
    """The stationary subgame-perfect equilibrium of alternating offers over a deal space.

    Parameters
    ----------
    utilities
        Shape ``(n, 2)``: each deal's utility to each player.
    disagreement
        Shape ``(2,)``: the disagreement point.
    discount
        Shape ``(2,)``: each player's discount factor per round, in [0, 1).
    first_mover
        The index of the player who proposes first.
    lotteries
        Whether lotteries over deals are feasible (the convex hull) or only the deals.
    tol
        Relative tolerance: gains of at most ``tol`` times the utility scale count as none.
    scale
        The utility scale ``tol`` is relative to; by default the largest range of either
        player's utilities (deals and :math:`d`). Give the whole problem's scale when solving a
        subset of its deals, so that both use the same absolute tolerance.

    Returns
    -------
    AlternatingOffers

    Examples
    --------
    Splitting a unit pie (the frontier :math:`u_1 + u_2 = 1`) with discount factors 0.9 and 0.8:

    >>> pie = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> eq = rubinstein(pie, np.zeros(2), np.array([0.9, 0.8]), lotteries=True)
    >>> eq.offer.utilities.round(6).tolist(), rubinstein_shares(0.9, 0.8)[0]
    ([0.714286, 0.285714], 0.7142857142857143)
    """
    order = [first_mover, 1 - first_mover]  # work as if the first mover were player 0
    u = np.asarray(utilities, dtype=np.float64)[:, order]
    d = np.asarray(disagreement, dtype=np.float64)[order]
    delta = check_discount(discount)[order]
    points = outcome_points(u, d)
    scale = utility_scale(points) if scale is None else scale
    eps = tol * scale
    if shared_gain(u, d, lotteries) <= eps:
        no_deal = Agreement.at(points, len(points) - 1)
        result = AlternatingOffers(no_deal, no_deal, unique=True)
    elif lotteries:
        frontier = pareto_frontier(u, d)
        first_best, second_best = _frontier_offers(frontier.points - d)
        x1 = _fixed_point(first_best, second_best, delta, float(frontier.points[-1, 0] - d[0]))
        y2 = second_best(delta[0] * x1)
        offer = frontier.point_at(0, d[0] + x1)
        counter = frontier.point_at(1, d[1] + y2)
        result = AlternatingOffers(offer, counter, unique=True)
    else:
        result = _discrete(points, d, delta, eps)
    return AlternatingOffers(
        _reorder(result.offer, order), _reorder(result.counter_offer, order), result.unique
    )


def _reorder(agreement: Agreement, order: list[int]) -> Agreement:
    utilities = np.empty(2)
    utilities[order] = agreement.utilities
    return Agreement(utilities, agreement.weights)


def _frontier_offers(gains: FloatArray) -> tuple[BestOffer, BestOffer]:
    """Each proposer's best gain on the frontier when the responder must get at least a level.

    The frontier's gains rise for the first player and fall for the second along the polyline,
    so both are interpolations; below the responder's smallest frontier gain the proposer takes
    its best point.
    """

    def first_best(level: float) -> float:
        return float(np.interp(level, gains[::-1, 1], gains[::-1, 0]))

    def second_best(level: float) -> float:
        return float(np.interp(level, gains[:, 0], gains[:, 1]))

    return first_best, second_best


def _fixed_point(
    first_best: BestOffer, second_best: BestOffer, delta: FloatArray, top: float
) -> float:
    r"""Solve :math:`x_1 = f_1(\delta_2 f_2(\delta_1 x_1))` on [0, top] by bisection.

    The right side rises with :math:`x_1`, lies in [0, top], so the difference changes sign.
    """

    def excess(x1: float) -> float:
        return first_best(delta[1] * second_best(delta[0] * x1)) - x1

    low, high = 0.0, top
    for _ in range(BISECTION_STEPS):
        middle = 0.5 * (low + high)
        if middle in (low, high):
            break
        if excess(middle) >= 0:
            low = middle
        else:
            high = middle
    return low


def _discrete(
    points: FloatArray, d: FloatArray, delta: FloatArray, eps: float
) -> AlternatingOffers:
    """Iterate the proposers' best acceptable offers over the individually rational deals."""
    gains = points - d
    rational = np.flatnonzero(np.all(gains >= 0, axis=1))

    def best(proposer: int, level: float) -> int:
        """The proposer's best deal among those giving the responder at least ``level``."""
        responder = 1 - proposer
        ok = rational[gains[rational, responder] >= level - eps]
        # lexsort sorts by its last key first: proposer's gain, then responder's, then order.
        return int(ok[np.lexsort((ok, -gains[ok, responder], -gains[ok, proposer]))[0]])

    def settle(offer: int) -> tuple[int, int]:
        """Alternate best responses from a first offer until the offer repeats."""
        for _ in range(len(rational) + 2):
            counter = best(1, delta[0] * gains[offer, 0])
            next_offer = best(0, delta[1] * gains[counter, 1])
            if next_offer == offer:
                return offer, counter
            offer = next_offer
        raise AssertionError("the best-response iteration is monotone and must settle")

    offer, counter = settle(best(0, -np.inf))
    least, _ = settle(best(0, delta[1] * gains[best(1, -np.inf), 1]))
    unique = bool(np.all(np.abs(gains[offer] - gains[least]) <= eps))
    return AlternatingOffers(Agreement.at(points, offer), Agreement.at(points, counter), unique)


def verify_rubinstein(
    utilities: FloatArray,
    disagreement: FloatArray,
    discount: FloatArray,
    first_mover: int,
    result: AlternatingOffers,
    lotteries: bool,
    tol: float = DEFAULT_TOL,
    *,
    scale: float | None = None,
) -> tuple[Check, ...]:
    """Check the equilibrium conditions of alternating offers.

    Each responder accepts the proposal it gets (its gain is at least the discounted gain of its
    own next proposal), and no proposer could do better with a proposal the responder would
    accept. On a convex frontier these four inequalities hold exactly when the indifference
    conditions do. ``tol`` and ``scale`` are as for :func:`rubinstein`.

    Examples
    --------
    >>> pie = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> delta = np.array([0.9, 0.8])
    >>> eq = rubinstein(pie, np.zeros(2), delta, lotteries=True)
    >>> all(c.passed for c in verify_rubinstein(pie, np.zeros(2), delta, 0, eq, True))
    True
    """
    order = [first_mover, 1 - first_mover]
    u = np.asarray(utilities, dtype=np.float64)[:, order]
    d = np.asarray(disagreement, dtype=np.float64)[order]
    delta = np.asarray(discount, dtype=np.float64)[order]
    x = result.offer.utilities[order] - d
    y = result.counter_offer.utilities[order] - d
    points = outcome_points(u, d)
    scale = utility_scale(points) if scale is None else scale
    eps = tol * scale
    if shared_gain(u, d, lotteries) <= eps:
        return (
            no_agreement_check(utilities, disagreement, result.offer, lotteries, tol, scale=scale),
        )
    if lotteries:
        first_best, second_best = _frontier_offers(pareto_frontier(u, d).points - d)
    else:
        gains = points - d
        rational = gains[np.all(gains >= 0, axis=1)]

        def first_best(level: float) -> float:
            return float(rational[rational[:, 1] >= level - eps, 0].max())

        def second_best(level: float) -> float:
            return float(rational[rational[:, 0] >= level - eps, 1].max())

    residuals = {
        "the second mover accepts the offer (gain >= discounted gain of its counter-offer)": (
            delta[1] * y[1] - x[1]
        ),
        "the first mover would accept the counter-offer": delta[0] * x[0] - y[0],
        "no offer the second mover accepts gives the first mover more": (
            first_best(delta[1] * y[1]) - x[0]
        ),
        "no counter-offer the first mover accepts gives the second mover more": (
            second_best(delta[0] * x[0]) - y[1]
        ),
    }
    return tuple(Check(text, max(float(r), 0.0), eps) for text, r in residuals.items())
