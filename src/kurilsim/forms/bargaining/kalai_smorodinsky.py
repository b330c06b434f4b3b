r"""The Kalai-Smorodinsky bargaining solution (Kalai and Smorodinsky 1975).

Kalai and Smorodinsky replaced Nash's independence of irrelevant alternatives by individual
monotonicity. Their solution is the Pareto-maximal feasible point on the segment from the
disagreement point :math:`d` to the *ideal point* :math:`a`, where :math:`a_i` is the most
player :math:`i` can get in any feasible outcome that leaves the other at least :math:`d`. On
that segment the gains relative to the ideal, :math:`(u_i - d_i)/(a_i - d_i)`, are equal:
each side gets the same fraction of what it could at best hope for.

* ``lotteries=True``: the feasible set is the convex hull of the deals and :math:`d`; the
  solution is where the segment meets the Pareto frontier, found exactly on the frontier's edge.
* ``lotteries=False`` (the default): the segment usually meets no deal, so the discrete
  adaptation takes the deal that maximises the smaller normalised gain
  :math:`\min_i (u_i - d_i)/(a_i - d_i)`, breaking ties by the larger one (the lexicographic
  max-min, which coincides with the classic solution on convex problems).

References
----------
E. Kalai and M. Smorodinsky, "Other solutions to Nash's bargaining problem", *Econometrica*
43(3), 513-518, 1975.

Examples
--------
>>> import numpy as np
>>> deals = np.array([[1.0, 0.0], [1.0, 0.7], [0.0, 1.0]])
>>> kalai_smorodinsky(deals, np.zeros(2), lotteries=True).utilities.round(4).tolist()
[0.7692, 0.7692]
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.tolerance import DEFAULT_TOL
from kurilsim.forms.bargaining.feasible_set import (
    Agreement,
    outcome_points,
    pareto_frontier,
    shared_gain,
    support_residual,
    utility_scale,
    zopa_mask,
)
from kurilsim.forms.bargaining.nash_bargaining import no_agreement_check
from kurilsim.forms.bargaining.result import Check

FloatArray = NDArray[np.float64]


def ideal_point(utilities: FloatArray, disagreement: FloatArray, lotteries: bool) -> FloatArray:
    """Each player's best utility over feasible outcomes that give both at least :math:`d`.

    Examples
    --------
    >>> deals = np.array([[3.0, -1.0], [2.0, 1.0], [0.0, 2.0]])
    >>> ideal_point(deals, np.zeros(2), lotteries=False).tolist()
    [2.0, 2.0]
    >>> ideal_point(deals, np.zeros(2), lotteries=True).tolist()  # (2.5, 0): half of each
    [2.5, 2.0]
    """
    d = np.asarray(disagreement, dtype=np.float64)
    if lotteries:
        frontier = pareto_frontier(utilities, d).points
        return np.array([frontier[-1, 0], frontier[0, 1]])
    points = outcome_points(utilities, d)
    rational = points[np.all(points >= d, axis=1)]
    return np.asarray(rational.max(axis=0))


def kalai_smorodinsky(
    utilities: FloatArray,
    disagreement: FloatArray,
    lotteries: bool = False,
    tol: float = DEFAULT_TOL,
    *,
    scale: float | None = None,
) -> Agreement:
    r"""The Kalai-Smorodinsky solution of a finite deal space.

    Parameters
    ----------
    utilities
        Shape ``(n, 2)``: each deal's utility to each player.
    disagreement
        Shape ``(2,)``: the disagreement point :math:`d`.
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
    Agreement
        The solution, weighted over the deals and disagreement (last); disagreement for sure
        when no outcome gives both players more than :math:`d`.

    Examples
    --------
    On the frontier :math:`u_2 = 1 - u_1^2` with :math:`d = 0` the ideal point is (1, 1) and the
    solution is where :math:`u_1 = u_2`, at :math:`(\sqrt 5 - 1)/2 = 0.618`:

    >>> x = np.linspace(0, 1, 2001)
    >>> curve = np.column_stack([x, 1 - x**2])
    >>> kalai_smorodinsky(curve, np.zeros(2), lotteries=True).utilities.round(4).tolist()
    [0.618, 0.618]
    """
    d = np.asarray(disagreement, dtype=np.float64)
    points = outcome_points(utilities, d)
    scale = utility_scale(points) if scale is None else scale
    eps = tol * scale
    if shared_gain(utilities, d, lotteries) <= eps:
        return Agreement.at(points, len(points) - 1)
    if lotteries:
        frontier = pareto_frontier(utilities, d)
        return frontier.balanced(d, ideal_point(utilities, d, lotteries=True) - d)
    zopa = zopa_mask(points, d, eps)
    normalised = (points - d) / (ideal_point(utilities, d, lotteries=False) - d)
    low, high = normalised.min(axis=1), normalised.max(axis=1)
    # lexsort sorts by its last key first: the smaller normalised gain, then the larger.
    order = np.lexsort((-high, -low))
    return Agreement.at(points, int(next(k for k in order if zopa[k])))


def verify_kalai_smorodinsky(
    utilities: FloatArray,
    disagreement: FloatArray,
    solution: Agreement,
    lotteries: bool,
    tol: float = DEFAULT_TOL,
    *,
    scale: float | None = None,
) -> tuple[tuple[Check, ...], tuple[int, ...]]:
    """Check a Kalai-Smorodinsky solution.

    With lotteries: the solution lies on the segment from :math:`d` to the ideal point (its
    distance from the line), and on the Pareto frontier (no deal lies beyond a supporting line
    with non-negative normal through it). Without lotteries: no deal in the zone of possible
    agreement has a larger smaller-normalised-gain. ``tol`` and ``scale`` are as for
    :func:`kalai_smorodinsky`.

    Returns
    -------
    checks, ties
        The checks, and the indices of other deals tied with the solution (sure deals only).

    Examples
    --------
    >>> deals = np.array([[1.0, 0.0], [1.0, 0.7], [0.0, 1.0]])
    >>> s = kalai_smorodinsky(deals, np.zeros(2), lotteries=True)
    >>> [c.passed for c in verify_kalai_smorodinsky(deals, np.zeros(2), s, True)[0]]
    [True, True]
    """
    d = np.asarray(disagreement, dtype=np.float64)
    points = outcome_points(utilities, d)
    scale = utility_scale(points) if scale is None else scale
    eps = tol * scale
    if shared_gain(utilities, d, lotteries) <= eps:
        return (no_agreement_check(utilities, d, solution, lotteries, tol, scale=scale),), ()
    gains = solution.utilities - d
    reach = ideal_point(utilities, d, lotteries) - d
    if lotteries:
        distance = float(abs(gains[0] * reach[1] - gains[1] * reach[0]) / np.linalg.norm(reach))
        normals = pareto_frontier(utilities, d).normals()
        frontier_gap = max(support_residual(points, solution.utilities, normals), 0.0)
        return (
            Check("on the segment from disagreement to the ideal point", distance, eps),
            Check("on the Pareto frontier of the lotteries over deals", frontier_gap, eps),
        ), ()
    zopa = zopa_mask(points, d, eps)
    worst = np.where(zopa, np.min((points - d) / reach, axis=1), -np.inf)
    own = float(np.min(gains / reach))
    chosen = int(np.argmax(solution.weights))
    ties = tuple(int(k) for k in np.flatnonzero(worst >= own - tol) if k != chosen)
    check = Check(
        "no deal both prefer to disagreement gives a larger smaller share of the ideal gain",
        max(float(worst.max()) - own, 0.0),
        tol,
    )
    return (check,), ties
