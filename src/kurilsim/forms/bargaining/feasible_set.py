r"""The feasible set of a bargaining problem: deals, lotteries, and its Pareto frontier.

Every bargaining solution in kurilsim picks a point of the same feasible set, built from ``n``
deal utility pairs and the disagreement point :math:`d`:

* without lotteries, the feasible outcomes are the deals themselves and :math:`d` (no deal);
* with lotteries, they are the convex hull of the deals and :math:`d`. A point of the hull is
  reached by a lottery over at most two deals (or a deal and :math:`d`), and the solutions that
  need convexity (Nash 1950; Kalai and Smorodinsky 1975; Rubinstein 1982) use the upper-right
  boundary of the hull, its *Pareto frontier*.

Points are weighted over ``n + 1`` outcomes: the deals in order, then disagreement last. An
:class:`Agreement` is such a weighting with the utilities it gives.

Examples
--------
>>> import numpy as np
>>> deals = np.array([[1.0, 0.0], [0.0, 1.0], [0.2, 0.2]])
>>> frontier = pareto_frontier(deals, np.zeros(2))
>>> frontier.points.tolist()
[[0.0, 1.0], [1.0, 0.0]]
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IndexArray = NDArray[np.intp]
#: A lottery over outcomes: outcome index -> probability.
Lottery = dict[int, float]


@dataclass(frozen=True, eq=False)
class Agreement:
    """A feasible outcome: a lottery over the deals and disagreement, and its utilities.

    Attributes
    ----------
    utilities
        Shape ``(2,)``: each player's expected utility.
    weights
        Shape ``(n + 1,)``: the probability of each deal, then of disagreement (last).
    """

    utilities: FloatArray
    weights: FloatArray

    @classmethod
    def at(cls, points: FloatArray, index: int) -> Agreement:
        """The outcome that is ``points[index]`` for sure (``points`` has disagreement last)."""
        weights = np.zeros(len(points))
        weights[index] = 1.0
        return cls(points[index].copy(), weights)


@dataclass(frozen=True, eq=False)
class Frontier:
    """The individually rational part of the Pareto frontier of the hull, as a polyline.

    Attributes
    ----------
    points
        Shape ``(k, 2)``: the polyline's vertices, the first player's utility increasing and the
        second's decreasing.
    lotteries
        For each vertex, a lottery reaching it: outcome index -> probability (at most two
        outcomes, as every vertex lies on an edge of the hull).
    size
        The number of outcomes, ``n + 1``.
    """

    points: FloatArray
    lotteries: tuple[Lottery, ...]
    size: int

    def agreement(self, edge: int, t: float) -> Agreement:
        """The point a fraction ``t`` of the way from vertex ``edge`` to the next."""
        if t <= 0 or edge + 1 >= len(self.points):
            point, lottery = self.points[edge].copy(), self.lotteries[edge]
        else:
            point = (1 - t) * self.points[edge] + t * self.points[edge + 1]
            lottery = _mix(self.lotteries[edge], self.lotteries[edge + 1], t)
        weights = np.zeros(self.size)
        for outcome, probability in lottery.items():
            weights[outcome] = probability
        return Agreement(point, weights)

    def point_at(self, axis: int, value: float) -> Agreement:
        """The frontier point where player ``axis`` gets ``value`` (clamped to the ends)."""
        coordinate = self.points[:, axis] if axis == 0 else self.points[::-1, axis]
        position = int(np.searchsorted(coordinate, value))
        if position == 0 or position == len(coordinate):
            end = min(position, len(coordinate) - 1)
            vertex = end if axis == 0 else len(coordinate) - 1 - end
            return self.agreement(vertex, 0.0)
        t = (value - coordinate[position - 1]) / (coordinate[position] - coordinate[position - 1])
        if axis == 0:
            return self.agreement(position - 1, float(t))
        edge = len(coordinate) - 1 - position
        return self.agreement(edge, float(1 - t))

    def balanced(self, disagreement: FloatArray, unit: FloatArray) -> Agreement:
        """The frontier point where the gains measured in ``unit`` are equal.

        Along the frontier the first player's gain rises and the second's falls, so this is
        where the smaller of the two (in ``unit``) is largest. With ``unit`` the ideal gains it
        is the Kalai-Smorodinsky point.
        """
        gap = (self.points[:, 0] - disagreement[0]) / unit[0] - (
            self.points[:, 1] - disagreement[1]
        ) / unit[1]
        if gap[0] >= 0:
            return self.agreement(0, 0.0)
        edge = int(np.argmax(gap >= 0)) - 1
        if gap[-1] < 0:
            return self.agreement(len(gap) - 1, 0.0)
        t = -gap[edge] / (gap[edge + 1] - gap[edge])
        return self.agreement(edge, float(t))

    def normals(self) -> FloatArray:
        """Unit normals of the supporting lines at the vertices, pointing up and to the right.

        Returns the outward normal of every edge, and the two axis directions (which support the
        end points). Each has non-negative components.
        """
        edges = np.diff(self.points, axis=0)
        normals = np.column_stack([-edges[:, 1], edges[:, 0]])
        lengths = np.linalg.norm(normals, axis=1)
        keep = lengths > 0
        return np.vstack([normals[keep] / lengths[keep, None], np.eye(2)])


def outcome_points(utilities: FloatArray, disagreement: FloatArray) -> FloatArray:
    """The deals' utility pairs with the disagreement point appended, shape ``(n + 1, 2)``."""
    return np.vstack([np.asarray(utilities, dtype=np.float64), disagreement])


def utility_scale(points: FloatArray) -> float:
    """The largest range of either player's utilities, or 1 if both are constant.

    Relative tolerances are multiplied by it, so problems in any units are judged alike.

    Examples
    --------
    >>> utility_scale(np.array([[0.0, 5.0], [2.0, 1.0]]))
    4.0
    """
    spread = float(np.max(points.max(axis=0) - points.min(axis=0)))
    return spread if spread > 0 else 1.0


def zopa_mask(points: FloatArray, disagreement: FloatArray, eps: float) -> NDArray[np.bool_]:
    """Which points both players prefer to disagreement by more than ``eps``."""
    return np.asarray(np.all(points - disagreement > eps, axis=1))


def shared_gain(utilities: FloatArray, disagreement: FloatArray, lotteries: bool) -> float:
    """The most that both players can gain over disagreement at once, in one feasible outcome.

    It is the largest smaller gain: over the deals, or with lotteries at the frontier point
    where the two gains are equal. The zone of possible agreement is empty when it is (about)
    zero or negative.

    Examples
    --------
    >>> swap = np.array([[1.0, -1.0], [-1.0, 1.0]])
    >>> shared_gain(swap, np.zeros(2), lotteries=False), shared_gain(swap, np.zeros(2), True)
    (-1.0, 0.0)
    """
    d = np.asarray(disagreement, dtype=np.float64)
    if lotteries:
        best = pareto_frontier(utilities, d).balanced(d, np.ones(2)).utilities
        return float(np.min(best - d))
    return float(np.max(np.min(np.asarray(utilities) - d, axis=1), initial=-np.inf))


def convex_hull(points: FloatArray) -> IndexArray:
    """Indices of the convex hull's vertices, counterclockwise (Andrew's monotone chain).

    Repeated and collinear points are dropped; one or two distinct points give themselves.

    Examples
    --------
    >>> square = np.array([[0, 0], [1, 0], [1, 1], [0, 1], [0.5, 0.5], [1, 0.5]], dtype=float)
    >>> convex_hull(square).tolist()
    [0, 1, 2, 3]
    """
    order = np.lexsort((points[:, 1], points[:, 0]))
    distinct = [int(order[0])]
    for i in order[1:]:
        if not np.array_equal(points[i], points[distinct[-1]]):
            distinct.append(int(i))
    if len(distinct) <= 2:
        return np.array(distinct, dtype=np.intp)

    def half(indices: list[int]) -> list[int]:
        chain: list[int] = []
        for i in indices:
            while len(chain) >= 2 and _cross(points, chain[-2], chain[-1], i) <= 0:
                chain.pop()
            chain.append(i)
        return chain

    lower, upper = half(distinct), half(distinct[::-1])
    return np.array(lower[:-1] + upper[:-1], dtype=np.intp)


def _cross(points: FloatArray, o: int, a: int, b: int) -> float:
    oa, ob = points[a] - points[o], points[b] - points[o]
    return float(oa[0] * ob[1] - oa[1] * ob[0])


def pareto_frontier(utilities: FloatArray, disagreement: FloatArray) -> Frontier:
    """The part of the hull's Pareto frontier where both players get at least :math:`d`.

    Parameters
    ----------
    utilities
        Shape ``(n, 2)``: the deals' utilities.
    disagreement
        Shape ``(2,)``.

    Returns
    -------
    Frontier
        A polyline from the best point for the second player to the best for the first. It is
        never empty: the disagreement point belongs to the hull, so some frontier point weakly
        dominates it.

    Examples
    --------
    >>> f = pareto_frontier(np.array([[2.0, 0.0], [0.0, 2.0]]), np.array([1.0, 0.0]))
    >>> f.points.tolist(), f.lotteries
    ([[1.0, 1.0], [2.0, 0.0]], ({0: 0.5, 1: 0.5}, {0: 1.0}))
    """
    points = outcome_points(utilities, disagreement)
    hull = convex_hull(points).tolist()
    right = max(hull, key=lambda i: (points[i, 0], points[i, 1]))
    top = max(hull, key=lambda i: (points[i, 1], points[i, 0]))
    # Counterclockwise from the rightmost vertex up to the topmost runs along the upper right.
    start = hull.index(right)
    walk = [right]
    while walk[-1] != top:
        start = (start + 1) % len(hull)
        walk.append(hull[start])
    vertices = walk[::-1]
    return _clip_to_quadrant(points, vertices, np.asarray(disagreement))


def _clip_to_quadrant(points: FloatArray, vertices: list[int], d: FloatArray) -> Frontier:
    """Keep the part of the polyline through ``points[vertices]`` where both get at least ``d``."""
    kept_points: list[FloatArray] = []
    kept_lotteries: list[Lottery] = []

    def keep(point: FloatArray, lottery: Lottery) -> None:
        if not kept_points or not np.array_equal(kept_points[-1], point):
            kept_points.append(point)
            kept_lotteries.append(lottery)

    if len(vertices) == 1:
        keep(points[vertices[0]], {vertices[0]: 1.0})
    for i, j in itertools.pairwise(vertices):
        a, b = points[i] - d, points[j] - d
        interval = _nonnegative_interval(a, b - a)
        if interval is None:
            continue
        for t in interval:
            keep((1 - t) * points[i] + t * points[j], _mix({i: 1.0}, {j: 1.0}, t))
    if not kept_points:  # only rounding can get here: d itself is then on the frontier
        return Frontier(d[None, :].copy(), ({len(points) - 1: 1.0},), len(points))
    return Frontier(np.array(kept_points), tuple(kept_lotteries), len(points))


def _mix(first: Lottery, second: Lottery, t: float) -> Lottery:
    """The lottery that plays ``first`` with probability 1 - t and ``second`` with t."""
    mixed = {k: (1 - t) * p for k, p in first.items()}
    for k, p in second.items():
        mixed[k] = mixed.get(k, 0.0) + t * p
    return {k: float(p) for k, p in sorted(mixed.items()) if p > 0}


def _nonnegative_interval(a: FloatArray, e: FloatArray) -> tuple[float, float] | None:
    """The sub-interval of t in [0, 1] where ``a + t e >= 0`` in both coordinates, if any."""
    low, high = 0.0, 1.0
    for ai, ei in zip(a, e, strict=True):
        if ei > 0:
            low = max(low, -ai / ei)
        elif ei < 0:
            high = min(high, -ai / ei)
        elif ai < 0:
            return None
    return (low, high) if low <= high else None


def support_residual(points: FloatArray, s: FloatArray, normals: FloatArray) -> float:
    """How far beyond the best supporting line at ``s`` any point lies (0 on the frontier).

    For each unit normal ``w`` (non-negative components) this is the largest ``w . (p - s)`` over
    ``points``; the result is the smallest over the normals. A value at most ``eps`` certifies
    that no lottery over ``points`` beats ``s`` for both players by more than ``eps``.

    Examples
    --------
    >>> pts = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> support_residual(pts, np.array([0.5, 0.5]), np.array([[0.6, 0.8], [0.7071, 0.7071]]))
    0.0
    """
    return float(np.min(np.max((points - s) @ normals.T, axis=0)))


def quadrant_polygon(points: FloatArray, disagreement: FloatArray) -> FloatArray:
    """The convex hull of ``points`` cut to the quadrant where both gain at least :math:`d`.

    Returns the polygon's vertices, counterclockwise (an empty ``(0, 2)`` array if the cut is
    empty); used to draw the zone of possible agreement when lotteries are allowed.

    Examples
    --------
    >>> tri = np.array([[0.0, 0.0], [2.0, 0.0], [0.0, 2.0]])
    >>> quadrant_polygon(tri, np.array([0.5, 0.5])).tolist()
    [[1.5, 0.5], [0.5, 1.5], [0.5, 0.5]]
    """
    polygon = points[convex_hull(points)]
    for axis in range(2):
        polygon = _cut(polygon, axis, float(disagreement[axis]))
    return polygon


def _cut(polygon: FloatArray, axis: int, level: float) -> FloatArray:
    """Sutherland-Hodgman clipping of a polygon to the half-plane ``x[axis] >= level``."""
    out: list[FloatArray] = []
    for j in range(len(polygon)):
        p, q = polygon[j], polygon[(j + 1) % len(polygon)]
        p_in, q_in = p[axis] >= level, q[axis] >= level
        if p_in:
            out.append(p)
        if p_in != q_in:
            t = (level - p[axis]) / (q[axis] - p[axis])
            out.append(p + t * (q - p))
    return np.array(out).reshape(-1, 2)
