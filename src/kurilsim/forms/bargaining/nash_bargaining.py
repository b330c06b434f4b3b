r"""The Nash bargaining solution (Nash 1950).

Nash showed that exactly one rule satisfies his four axioms (Pareto optimality, symmetry,
invariance to positive affine rescaling of either player's utility, and independence of
irrelevant alternatives) on convex problems: pick the feasible point :math:`u` with
:math:`u \ge d` that maximises the *Nash product* :math:`(u_1 - d_1)(u_2 - d_2)`.

On a finite deal space this module offers both readings:

* ``lotteries=True``: the feasible set is the convex hull of the deals and :math:`d`, as in
  Nash's theorem. The product is maximised exactly along each edge of the Pareto frontier (a
  quadratic in the edge's parameter), so the answer may be a lottery over two adjacent deals.
* ``lotteries=False`` (the default): only the deals themselves are feasible; the solution is
  the deal with the largest Nash product among those both sides prefer to :math:`d`. This keeps
  the maximisation but not every axiom (symmetric problems can have two symmetric maximisers;
  the first deal in order is returned and the others are reported as ties).

If no feasible outcome gives both sides more than :math:`d`, the solution is :math:`d`: no
agreement.

References
----------
J. F. Nash, "The bargaining problem", *Econometrica* 18(2), 155-162, 1950.

Examples
--------
>>> import numpy as np
>>> line = np.array([[1.0, 0.0], [0.0, 1.0]])           # the frontier u1 + u2 = 1
>>> nash_bargaining(line, np.zeros(2), lotteries=True).utilities.tolist()
[0.5, 0.5]
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.tolerance import DEFAULT_TOL
from kurilsim.forms.bargaining.feasible_set import (
    Agreement,
    Frontier,
    outcome_points,
    pareto_frontier,
    shared_gain,
    utility_scale,
    zopa_mask,
)
from kurilsim.forms.bargaining.result import Check

FloatArray = NDArray[np.float64]


def nash_product(points: FloatArray, disagreement: FloatArray) -> FloatArray:
    r"""The Nash product :math:`(u_1 - d_1)(u_2 - d_2)` of each row of ``points``.

    Examples
    --------
    >>> nash_product(np.array([[3.0, 2.0], [1.0, 5.0]]), np.array([1.0, 1.0])).tolist()
    [2.0, 0.0]
    """
    gains = points - disagreement
    return np.asarray(gains[:, 0] * gains[:, 1])


def nash_bargaining(
    utilities: FloatArray,
    disagreement: FloatArray,
    lotteries: bool = False,
    tol: float = DEFAULT_TOL,
    *,
    scale: float | None = None,
) -> Agreement:
    r"""The Nash bargaining solution of a finite deal space.

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
        The solution, weighted over the deals and disagreement (last).

    Examples
    --------
    The frontier :math:`u_2 = 1 - u_1^2` (sampled finely) with :math:`d = 0` has its Nash
    solution at :math:`u_1 = 1/\sqrt{3} = 0.577`, :math:`u_2 = 2/3` (sampling moves it by
    about the grid step):

    >>> x = np.linspace(0, 1, 2001)
    >>> curve = np.column_stack([x, 1 - x**2])
    >>> nash_bargaining(curve, np.zeros(2), lotteries=True).utilities.round(3).tolist()
    [0.577, 0.667]

    Without lotteries, the best deal:

    >>> deals = np.array([[4.0, 1.0], [2.0, 3.0], [1.0, 4.0]])
    >>> nash_bargaining(deals, np.zeros(2)).weights.tolist()
    [0.0, 1.0, 0.0, 0.0]
    """
    d = np.asarray(disagreement, dtype=np.float64)
    points = outcome_points(utilities, d)
    scale = utility_scale(points) if scale is None else scale
    eps = tol * scale
    if shared_gain(utilities, d, lotteries) <= eps:
        return Agreement.at(points, len(points) - 1)
    if lotteries:
        return _best_on_frontier(pareto_frontier(utilities, d), d)
    product = np.where(zopa_mask(points, d, eps), nash_product(points, d), -np.inf)
    return Agreement.at(points, int(np.argmax(product)))


def _best_on_frontier(frontier: Frontier, d: FloatArray) -> Agreement:
    """Maximise the Nash product along each frontier edge, where it is a quadratic."""
    candidates = [frontier.agreement(0, 0.0)]
    gains = frontier.points - d
    for edge in range(len(gains) - 1):
        a, e = gains[edge], gains[edge + 1] - gains[edge]
        curvature = e[0] * e[1]
        if curvature < 0:  # concave along the edge: the stationary point is the maximum
            t = -(e[0] * a[1] + e[1] * a[0]) / (2 * curvature)
            candidates.append(frontier.agreement(edge, float(np.clip(t, 0.0, 1.0))))
        candidates.append(frontier.agreement(edge + 1, 0.0))
    values = [float(nash_product(c.utilities[None, :], d)[0]) for c in candidates]
    return candidates[int(np.argmax(values))]


def verify_nash(
    utilities: FloatArray,
    disagreement: FloatArray,
    solution: Agreement,
    lotteries: bool,
    tol: float = DEFAULT_TOL,
    *,
    scale: float | None = None,
) -> tuple[tuple[Check, ...], tuple[int, ...]]:
    """Check a Nash bargaining solution against every feasible outcome.

    With lotteries, optimality over the convex hull is certified by the tangent test: the Nash
    product's level curve through the solution :math:`s` has normal :math:`(g_2, g_1)` (the
    gains at :math:`s`), and the product is maximal over a convex set exactly when no deal lies
    beyond that tangent line. Without lotteries, no deal in the zone of possible agreement may
    have a larger product. A prediction of no agreement is checked by the absence of any
    outcome better for both. ``tol`` and ``scale`` are as for :func:`nash_bargaining`.

    Returns
    -------
    checks, ties
        The checks, and the indices of other deals whose product equals the solution's within
        tolerance (sure deals only).

    Examples
    --------
    >>> deals = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> s = nash_bargaining(deals, np.zeros(2), lotteries=True)
    >>> checks, ties = verify_nash(deals, np.zeros(2), s, lotteries=True)
    >>> [c.passed for c in checks], ties
    ([True], ())
    """
    d = np.asarray(disagreement, dtype=np.float64)
    points = outcome_points(utilities, d)
    scale = utility_scale(points) if scale is None else scale
    eps = tol * scale
    if shared_gain(utilities, d, lotteries) <= eps:
        return (no_agreement_check(utilities, d, solution, lotteries, tol, scale=scale),), ()
    gains = solution.utilities - d
    if lotteries:
        normal = gains[::-1] / np.linalg.norm(gains)
        residual = max(float(np.max((points - solution.utilities) @ normal)), 0.0)
        condition = "no deal lies beyond the tangent of the Nash product's level curve"
        return (Check(condition, residual, eps),), ()
    product = np.where(zopa_mask(points, d, eps), nash_product(points, d), -np.inf)
    own = float(nash_product(solution.utilities[None, :], d)[0])
    residual = max(float(product.max()) - own, 0.0)
    chosen = int(np.argmax(solution.weights))
    ties = tuple(int(k) for k in np.flatnonzero(product >= own - eps * scale) if k != chosen)
    check = Check(
        "no deal both prefer to disagreement has a larger Nash product", residual, eps * scale
    )
    return (check,), ties


def no_agreement_check(
    utilities: FloatArray,
    disagreement: FloatArray,
    solution: Agreement,
    lotteries: bool,
    tol: float = DEFAULT_TOL,
    *,
    scale: float | None = None,
) -> Check:
    """Check a prediction of no agreement: no feasible outcome is better for both sides.

    The residual is the larger of the most both sides could gain at once (see
    :func:`~kurilsim.forms.bargaining.feasible_set.shared_gain`) and the distance of ``solution``
    from the disagreement point. ``tol`` and ``scale`` are as for :func:`nash_bargaining`.

    Examples
    --------
    >>> swap = np.array([[1.0, -1.0], [-1.0, 1.0]])
    >>> none = nash_bargaining(swap, np.zeros(2))
    >>> no_agreement_check(swap, np.zeros(2), none, lotteries=False).passed
    True
    """
    d = np.asarray(disagreement, dtype=np.float64)
    residual = max(
        shared_gain(utilities, d, lotteries), float(np.max(np.abs(solution.utilities - d))), 0.0
    )
    return Check(
        "no feasible outcome gives both sides more than disagreement",
        residual,
        tol * (utility_scale(outcome_points(utilities, d)) if scale is None else scale),
    )
