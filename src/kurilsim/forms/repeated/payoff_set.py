r"""The set of subgame-perfect equilibrium payoffs of a two-player repeated game, as a polygon.

The outer approximation of Judd, Yeltekin and Conklin (2003, Econometrica 71(4), 1239-1254):
the payoff set :math:`V` is the largest fixed point of the operator of Abreu, Pearce and
Stacchetti (1990), which maps a set :math:`W` of continuation payoffs to the payoffs
:math:`(1 - \delta) u(a) + \delta w`, :math:`w \in W`, of the pure profiles :math:`a` that are
enforceable with a deviation punished by the worst continuation :math:`\underline w_i` in
:math:`W`. Starting from a box of every feasible payoff, each step keeps :math:`W` as the
intersection of half-planes :math:`h_l \cdot w \le c_l` in ``directions`` fixed directions, and
sets each :math:`c_l` to the largest value of :math:`h_l \cdot v` over the new payoffs: the
polygons shrink to an outer approximation of :math:`V` that contains it exactly and tightens as
the directions get denser. With public randomisation, as here, :math:`V` is convex. Discount
factors may differ between the players (the set may then reach beyond the convex hull of the
stage payoffs: the more patient player lends to the other over time). Only pure stage profiles
are played, as in QuantEcon's ``RepeatedGame.equilibrium_payoffs`` (Abreu and Sannikov 2014).

Because :math:`W` is a polygon, each step is geometry, not linear programming: the
continuations allowed for :math:`a` are :math:`W` clipped by the two incentive constraints
:math:`w_i \ge \underline w_i + (1 - \delta_i)(d_i(a) - u_i(a)) / \delta_i`, and a linear
function is largest at a vertex.

Examples
--------
The prisoner's dilemma (R = 3, T = 5, P = 1, S = 0) at :math:`\delta = 0.9`: the set runs from
mutual defection (1, 1) to mutual cooperation (3, 3) and out to the individually rational corners.

>>> import numpy as np
>>> pd = np.array([[[3, 3], [0, 5]], [[5, 0], [1, 1]]], dtype=float)
>>> found = equilibrium_payoff_set(pd, np.array([0.9, 0.9]))
>>> found.converged, bool(found.contains([3, 3])), bool(found.contains([1, 1]))
(True, True, True)
>>> bool(found.contains([4, 0.5]))
False
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from kurilsim.forms.repeated.thresholds import best_deviation

FloatArray = NDArray[np.float64]

#: Directions of the half-planes unless the caller gives another number.
DEFAULT_DIRECTIONS = 128
#: Most steps of the operator before the approximation is reported unconverged.
DEFAULT_MAX_STEPS = 2000


@dataclass(frozen=True, eq=False)
class PayoffSet:
    """A convex polygon of payoffs (possibly empty), and how it was found.

    Attributes
    ----------
    vertices
        The corners, counter-clockwise, shape ``(V, 2)``; ``(0, 2)`` for the empty set.
    directions
        Number of half-plane directions used.
    steps
        Steps of the operator taken.
    converged
        Whether the half-planes moved less than the tolerance in the last step.
    """

    vertices: FloatArray
    directions: int
    steps: int
    converged: bool

    @property
    def empty(self) -> bool:
        """Whether no pure-strategy subgame-perfect equilibrium exists."""
        return len(self.vertices) == 0

    def contains(self, point: ArrayLike, tol: float = 1e-9) -> bool:
        """Whether ``point`` lies in the polygon, up to ``tol`` times its size."""
        if self.empty:
            return False
        size = max(float(np.ptp(self.vertices, axis=0).max()), 1.0)
        return bool(_inside(self.vertices, np.asarray(point, dtype=np.float64), tol * size))

    def worst(self) -> FloatArray:
        """Each player's lowest payoff in the set: her worst subgame-perfect punishment."""
        return np.asarray(self.vertices.min(axis=0), dtype=np.float64)


def equilibrium_payoff_set(
    payoffs: FloatArray,
    discount: FloatArray,
    directions: int = DEFAULT_DIRECTIONS,
    tol: float = 1e-10,
    max_steps: int = DEFAULT_MAX_STEPS,
) -> PayoffSet:
    """The outer approximation of the subgame-perfect payoff set of a two-player repeated game.

    Parameters
    ----------
    payoffs
        Stage payoffs, shape ``(n_1, n_2, 2)``.
    discount
        Each player's discount factor, in ``[0, 1)``.
    directions
        Number of evenly spread half-plane directions (at least 3).
    tol
        Convergence bound on the half-planes' largest move, times the payoff range.
    max_steps
        Most steps of the operator.

    Returns
    -------
    PayoffSet
    """
    angles = 2 * np.pi * np.arange(directions) / directions
    normals = np.column_stack([np.cos(angles), np.sin(angles)])
    cells = payoffs.reshape(-1, 2)
    gains = (best_deviation(payoffs) - payoffs).reshape(-1, 2)
    low, high = cells.min(axis=0), cells.max(axis=0)
    box = np.array([[low[0], low[1]], [high[0], low[1]], [high[0], high[1]], [low[0], high[1]]])
    levels = (normals @ box.T).max(axis=1)
    polygon = box
    scale = max(float(np.ptp(cells)), 1.0)
    for step in range(1, max_steps + 1):
        new_levels = _step(cells, gains, discount, polygon, normals, scale)
        if new_levels is None:
            return PayoffSet(np.empty((0, 2)), directions, step, True)
        moved = float(np.abs(new_levels - levels).max())
        levels = new_levels
        polygon = _polygon(normals, levels, box)
        if len(polygon) == 0:
            return PayoffSet(np.empty((0, 2)), directions, step, True)
        if moved <= tol * scale:
            return PayoffSet(polygon, directions, step, True)
    return PayoffSet(polygon, directions, max_steps, False)


def _step(
    cells: FloatArray,
    gains: FloatArray,
    discount: FloatArray,
    polygon: FloatArray,
    normals: FloatArray,
    scale: float,
) -> FloatArray | None:
    """One application of the operator: the new level of each half-plane, or None if empty."""
    worst = polygon.min(axis=0)
    best = np.full(len(normals), -np.inf)
    for u, gain in zip(cells, gains, strict=True):
        allowed = polygon
        for i in range(2):
            if discount[i] == 0:
                if gain[i] > 1e-12 * scale:
                    allowed = np.empty((0, 2))
                continue
            bound = worst[i] + (1 - discount[i]) * gain[i] / discount[i]
            normal = np.zeros(2)
            normal[i] = -1.0
            allowed = _clip(allowed, normal, -bound)
        if len(allowed) == 0:
            continue
        points = (1 - discount) * u + discount * allowed
        best = np.maximum(best, (points @ normals.T).max(axis=0))
    return None if np.isneginf(best).any() else best


def _polygon(normals: FloatArray, levels: FloatArray, box: FloatArray) -> FloatArray:
    """The polygon of the half-planes ``normals @ w <= levels``, clipped from a box holding it."""
    reach = float(np.ptp(box, axis=0).max()) + 1.0
    # A set that has shrunk to a point or a segment is the intersection of half-planes through
    # it, which rounding can make empty: each is moved out by a hair (still an outer bound).
    levels = levels + 1e-12 * reach
    corners = _consecutive_corners(normals, levels)
    if corners is None or np.any(corners @ normals.T > levels + 1e-9 * reach):
        # Some half-plane is redundant: cut a box holding the set by each in turn.
        corners = box.mean(axis=0) + 2 * reach * np.array([[-1, -1], [1, -1], [1, 1], [-1, 1.0]])
        for normal, level in zip(normals, levels, strict=True):
            corners = _clip(corners, normal, level)
            if len(corners) == 0:
                return corners
    # Half-planes through one corner leave copies of it: keep one.
    apart = np.linalg.norm(corners - np.roll(corners, 1, axis=0), axis=1) > 1e-7 * reach
    kept: FloatArray = corners[apart] if apart.any() else corners[:1]
    return kept


def _consecutive_corners(normals: FloatArray, levels: FloatArray) -> FloatArray | None:
    """Where each half-plane's line meets the next one's (directions in counter-clockwise order)."""
    following, after = np.roll(normals, -1, axis=0), np.roll(levels, -1)
    determinant = normals[:, 0] * following[:, 1] - normals[:, 1] * following[:, 0]
    if np.any(np.abs(determinant) < 1e-12):
        return None
    x = (levels * following[:, 1] - after * normals[:, 1]) / determinant
    y = (normals[:, 0] * after - following[:, 0] * levels) / determinant
    return np.column_stack([x, y])


def _clip(polygon: FloatArray, normal: FloatArray, level: float) -> FloatArray:
    """The convex ``polygon`` cut to ``normal @ w <= level`` (Sutherland and Hodgman 1974)."""
    if len(polygon) == 0:
        return polygon
    side = polygon @ normal - level
    if np.all(side <= 0):
        return polygon
    following = np.roll(polygon, -1, axis=0)
    side_next = np.roll(side, -1)
    crossing = (side < 0) & (side_next > 0) | (side_next < 0) & (side > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(crossing, side / (side - side_next), 0.0)
    meets = polygon + (following - polygon) * share[:, None]
    # Each edge gives its start if kept, then its crossing if any, in order around the polygon.
    points = np.stack([polygon, meets], axis=1).reshape(-1, 2)
    keep = np.stack([side <= 0, crossing], axis=1).reshape(-1)
    kept: FloatArray = points[keep]
    return kept


def _inside(vertices: FloatArray, point: FloatArray, slack: float) -> bool:
    """Whether ``point`` is within ``slack`` of the counter-clockwise convex polygon."""
    starts, ends = vertices, np.roll(vertices, -1, axis=0)
    edges = ends - starts
    cross = edges[:, 0] * (point[1] - starts[:, 1]) - edges[:, 1] * (point[0] - starts[:, 0])
    if len(vertices) >= 3 and np.all(cross >= 0):
        return True
    # Outside (or a degenerate polygon): the distance to the nearest edge decides.
    lengths = np.maximum((edges**2).sum(axis=1), 1e-300)
    along = np.clip(((point - starts) * edges).sum(axis=1) / lengths, 0.0, 1.0)
    nearest = starts + along[:, None] * edges
    return bool(np.linalg.norm(nearest - point, axis=1).min() <= slack)
