r"""Every solution of many support profiles' indifference equations at once, by box subdivision.

On a support profile, eliminate the first probability of each player's support: player ``i``'s
mixture is ``x_i = e_{a_i} + P_i^T y_i`` with ``y_i`` the probabilities of the support's other
strategies (row ``t`` of ``P_i`` is ``e_{s_t} - e_{a_i}``). The equations
``g_{i,t}(y) = u_i(s_t, x_{-i}) - u_i(a_i, x_{-i}) = 0`` (each support strategy pays as much as
the first) form a square system. Every ``g`` is a polynomial of degree at most one in each
coordinate of ``y`` (multilinear), so on a box (a product of intervals) it attains its smallest
and largest value at corners of the box; the same holds for each Jacobian entry, and for every
payoff difference ``u_i(b, x_{-i}) - u_i(a, x_{-i})``. Corner values therefore give the *exact*
range of each of them on a box, computed for all live boxes of all support profiles in one
contraction of the payoff tensors (:func:`numpy.einsum`).

A box is discarded when some strategy in a support earns less than another strategy (in the
support or not) at every corner, which is exact for the equations and for the best-response
conditions, or when no point of it has nonnegative probabilities. A box that survives gets the
Krawczyk test [1]_ with the exact Jacobian ranges: if the Krawczyk image lies inside the box, the
box holds exactly one solution (and the image contracts on to it); if the image misses the box,
it holds none; otherwise the box is cut to the image and halved across its widest side (or its
widest few, while few boxes are left). Every solution in the starting boxes lies in a box never
discarded, so every isolated, regular solution is certified and located. Boxes that keep
surviving down to :data:`MIN_WIDTH`, or a support whose live boxes exceed
:data:`MAX_BOXES_PER_SUPPORT`, without certification, mark a
singular solution or a positive-dimensional set of solutions (a continuum); they are returned
apart, never as arbitrary points. The first level of the search tests the support profiles
themselves: the range of a payoff difference over the product of the others' simplices is
reached at their vertices, so a support with a strategy beaten by another at every pure profile
of the others' supports (conditional dominance, as in Porter, Nudelman and Shoham [2]_) goes
before any box is cut.

References
----------
.. [1] R. Krawczyk, "Newton-Algorithmen zur Bestimmung von Nullstellen mit Fehlerschranken",
   *Computing* 4, 187-201, 1969; R. E. Moore, R. B. Kearfott and M. J. Cloud, *Introduction to
   Interval Analysis*, SIAM, 2009, section 8.2.
.. [2] R. Porter, E. Nudelman and Y. Shoham, "Simple search methods for finding a Nash
   equilibrium", *Games and Economic Behavior* 63(2), 642-662, 2008.
"""

from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.allocator import keep_freed_memory
from kurilsim.core.deadline import Deadline
from kurilsim.forms.normal.binary_supports import solve_binary_supports
from kurilsim.forms.normal.support_layouts import kept_between_calls
from kurilsim.forms.normal.three_strategy_supports import solve_three_strategy_supports

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.intp]

#: Boxes narrower than this in every free probability are no longer halved: what is left of a
#: support there is a singular solution or a continuum.
MIN_WIDTH = 1e-7

#: A support with more live boxes than this holds a continuum (or is not resolved).
MAX_BOXES_PER_SUPPORT = 4096

#: Boxes of a support where three or more players mix get the Krawczyk test once no side is
#: wider than this; wider ones almost never pass it.
KRAWCZYK_WIDTH = 0.25

#: Newton steps that pin down the solution of a certified box, at the most.
_NEWTON_STEPS = 6

#: Newton's method stops after steps no longer than this: it converges quadratically, so the
#: error left is about the square of the last step (far below rounding).
_CONVERGED = 1e-10

#: A box is cut this far along its widest side, not in the middle, so that simple fractions
#: (solutions of games with small integer payoffs) rarely fall on a cut.
_CUT = 0.4934

#: ``(most, sides)``: with at most ``most`` boxes to cut, each is cut ``sides`` times (the first
#: pair that fits), every piece across its widest side at that time: fewer rounds of fixed cost
#: while boxes are few, also at the end, where a few narrow boxes close in on a solution.
#: Otherwise once. In one run alternated with three cuts up to 64 boxes (else one) on random
#: 3x3x3, 2x2x2x2 and 3x3x2x2 games, under heavy load: 0.88-0.90 of its processor time; four
#: cuts, not three, up to 16 boxes, in two such runs against three: 0.87-0.93 on 3x3x3 and
#: 2x2x2x2, 1.00-1.01 on 3x3x2x2 (five: 0.96-0.98; four up to 64 boxes: 1.9 on 3x3x3).
_CUTS = ((16, 4), (256, 2))

#: Boxes are tested for exclusion in blocks of at most about this many comparisons (a block's
#: temporary arrays take 8 bytes each), with the deadline checked between blocks.
_COMPARISONS_PER_BLOCK = 2**21

#: Fraction of its width by which a box is widened for the Krawczyk test.
_WIDEN = 1e-3

#: Relative widening of the Krawczyk image, against rounding, before it is compared with a box.
_INFLATE = 1e-12


@dataclass(frozen=True)
class SupportSolutions:
    """What the subdivision found, per support profile (indices into the masks given).

    Attributes
    ----------
    roots
        ``(support, mixtures)`` for every certified solution and every singular one (whose
        leftover boxes all lie within :data:`MIN_WIDTH` times a few of each other).
    continua
        ``(support, low, high)`` per support whose leftover boxes are spread out: the
        probabilities of every player's strategies range within ``[low, high]`` on it.
    boxes
        ``(support, low, high)`` per support of ``continua``: its leftover boxes, one row each, in
        the free probabilities of :func:`box_system` (every solution of the support not certified
        lies in one of them).
    """

    roots: list[tuple[int, tuple[FloatArray, ...]]]
    continua: list[tuple[int, tuple[FloatArray, ...], tuple[FloatArray, ...]]]
    boxes: list[tuple[int, FloatArray, FloatArray]]


def solve_supports(
    norm: FloatArray, masks: list[BoolArray], tol: float, deadline: Deadline
) -> tuple[SupportSolutions, bool]:
    """Every solution of the indifference equations of each support profile, on its simplices.

    Support profiles on which every mixer mixes two strategies, four mixers at the most, are
    solved directly by :func:`~kurilsim.forms.normal.binary_supports.solve_binary_supports`,
    and those where one player mixes three strategies and one to three others two by
    :func:`~kurilsim.forms.normal.three_strategy_supports.solve_three_strategy_supports`,
    unless near a degenerate case; the others by subdivision. Solutions where a strategy
    outside the support pays more may be among those returned (the subdivision discards most
    of them); the caller's regret check drops them.

    Parameters
    ----------
    norm
        Payoff tensor ``(n_1, ..., n_N, N)``, each player's payoffs within ``[0, 1]``.
    masks
        Per player, a boolean array ``(S, n_i)``: row ``k`` is the player's support in support
        profile ``k``.
    tol
        A box is discarded when a payoff difference exceeds this at every corner.
    deadline
        Checked first, before each round of the subdivision, and within a round between
        blocks of the boxes tested for exclusion (:meth:`_System.excluded`).

    Returns
    -------
    solutions : SupportSolutions
        The certified (and singular) solutions, and the supports that hold a continuum.
    finished : bool
        ``False`` if the deadline stopped the subdivision.

    Examples
    --------
    Matching pennies has one solution on the full supports, half and half:

    >>> import numpy as np
    >>> u = np.array([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], dtype=float)
    >>> full = np.ones((1, 2), dtype=bool)
    >>> found, finished = solve_supports(u, [full, full], 1e-9, Deadline(None))
    >>> [(k, [np.round(x, 6).tolist() for x in p]) for k, p in found.roots], finished
    ([(0, [[0.5, 0.5], [0.5, 0.5]])], True)
    """
    if deadline.expired():
        return SupportSolutions([], [], []), False
    roots, solved = solve_binary_supports(norm, masks)
    more, also = solve_three_strategy_supports(norm, masks)
    roots, solved = sorted([*roots, *more], key=lambda root: root[0]), solved | also
    if np.all(solved):
        return SupportSolutions(roots, [], []), True
    rest = np.flatnonzero(~solved)
    found, finished = _subdivided(norm, [m[rest] for m in masks], tol, deadline)
    return SupportSolutions(
        sorted(
            [*roots, *((int(rest[k]), profile) for k, profile in found.roots)],
            key=lambda root: root[0],
        ),
        [(int(rest[k]), low, high) for k, low, high in found.continua],
        [(int(rest[k]), low, high) for k, low, high in found.boxes],
    ), finished


def _subdivided(
    norm: FloatArray, masks: list[BoolArray], tol: float, deadline: Deadline
) -> tuple[SupportSolutions, bool]:
    """:func:`solve_supports` by subdivision alone (see the module's description)."""
    # Each round makes temporaries of a few hundred kilobytes: served from the heap, not from
    # fresh pages the kernel zeroes (about a quarter of the time on 3x3x3 and 3x3x2x2 games).
    keep_freed_memory()
    system = _System(norm, masks)
    keep = ~system.excluded_on_simplices(tol, deadline)
    if deadline.hit:
        return _collect(system, [], []), False
    sid: IntArray = np.flatnonzero(keep)
    lo: FloatArray = np.zeros((len(sid), system.n_vars))
    hi: FloatArray = system.active[sid].astype(float)
    certified: list[tuple[IntArray, FloatArray, FloatArray]] = []
    leftovers: list[tuple[IntArray, FloatArray, FloatArray]] = []
    # The first boxes are the supports' simplices, whose vertices were tested just above.
    whole = True
    block = system.krawczyk_block()  # boxes per Krawczyk test
    while len(sid):
        if deadline.expired():
            return _collect(system, certified, leftovers), False
        if not whole:
            lo, hi, alive = system.tightened(sid, lo, hi)
            sid, lo, hi = sid[alive], lo[alive], hi[alive]
            if not len(sid):
                break
            alive = ~system.excluded(sid, system.vertices(sid, lo, hi), tol, deadline)
            if deadline.hit:
                return _collect(system, certified, leftovers), False
            sid, lo, hi = sid[alive], lo[alive], hi[alive]
            if not len(sid):
                break
        whole = False
        active = system.active[sid]
        # Wide boxes of nonlinear systems (three or more mixers) almost never pass the test.
        tested = system.linear[sid] | (np.max(hi - lo, axis=1) <= KRAWCZYK_WIDTH)
        inside: BoolArray = np.zeros(len(sid), dtype=bool)
        # Tested a block at a time, as in :meth:`_System.excluded`: one test of many boxes can
        # take seconds, and the deadline is checked between blocks.
        rows = np.flatnonzero(tested)
        for start in range(0, len(rows), block):
            if start and deadline.expired():
                return _collect(system, certified, leftovers), False
            t = rows[start : start + block]
            t_sid, t_lo, t_hi, t_active = sid[t], lo[t], hi[t], active[t]
            # The test runs on a slightly larger box, so that a solution on a face shared by
            # two boxes is certified in either (epsilon-inflation).
            margin = np.where(t_active, _WIDEN * (t_hi - t_lo) + 1e-15, 0.0)
            wide_lo, wide_hi = t_lo - margin, t_hi + margin
            jacobian = system.jacobian(t_sid, system.corners(t_sid, wide_lo, wide_hi))
            k_lo, k_hi = system.krawczyk(t_sid, wide_lo, wide_hi, jacobian)
            inside[t] = np.all(~t_active | ((k_lo > wide_lo) & (k_hi < wide_hi)), axis=1)
            # Every solution in the box lies in the Krawczyk image too: keep their intersection.
            slack = _INFLATE * (1.0 + np.abs(k_lo) + np.abs(k_hi))
            lo[t] = np.where(t_active, np.maximum(t_lo, k_lo - slack), t_lo)
            hi[t] = np.where(t_active, np.minimum(t_hi, k_hi + slack), t_hi)
        keep = np.all(lo <= hi, axis=1)
        sid, lo, hi, inside = sid[keep], lo[keep], hi[keep], inside[keep]
        width = np.max(hi - lo, axis=1)
        if np.any(inside):
            certified.append((sid[inside], lo[inside], hi[inside]))
        crowded = np.bincount(sid, minlength=system.n_supports) > MAX_BOXES_PER_SUPPORT
        stuck = ~inside & ((width <= MIN_WIDTH) | crowded[sid])
        if np.any(stuck):
            leftovers.append((sid[stuck], lo[stuck], hi[stuck]))
        split = ~inside & ~stuck
        # While few boxes are left a round costs about the same whatever their number: cut more.
        count = np.count_nonzero(split)
        sides = next((k for most, k in _CUTS if count <= most), 1)
        sid, lo, hi = _cut(sid[split], lo[split], hi[split], sides)
    return _collect(system, certified, leftovers), True


def _cut(
    sid: IntArray, lo: FloatArray, hi: FloatArray, sides: int
) -> tuple[IntArray, FloatArray, FloatArray]:
    """Each box cut ``sides`` times, each piece across its widest side at that time.

    A side of no width (an inactive slot) is never cut.
    """
    for cut in range(min(sides, lo.shape[1])):
        side = np.argmax(hi - lo, axis=1)
        rows = np.arange(len(sid))
        width = hi[rows, side] - lo[rows, side]
        if cut:
            rows = np.flatnonzero(width > 0.0)
            side, width = side[rows], width[rows]
        middle = lo[rows, side] + _CUT * width
        upper_lo, upper_hi = lo[rows], hi[rows]
        upper_lo[np.arange(len(rows)), side] = middle
        hi[rows, side] = middle
        sid = np.concatenate((sid, sid[rows]))
        lo, hi = np.concatenate((lo, upper_lo)), np.concatenate((hi, upper_hi))
    return sid, lo, hi


def _collect(
    system: _System,
    certified: list[tuple[IntArray, FloatArray, FloatArray]],
    leftovers: list[tuple[IntArray, FloatArray, FloatArray]],
) -> SupportSolutions:
    found = []
    if certified:
        sid = np.concatenate([s for s, _, _ in certified])
        roots = system.pinned(
            sid,
            np.concatenate([low for _, low, _ in certified]),
            np.concatenate([high for _, _, high in certified]),
        )
        found = [(int(k), system.mixtures(int(k), y)) for k, y in zip(sid, roots, strict=True)]
    continua, boxes = [], []
    if leftovers:
        sid = np.concatenate([s for s, _, _ in leftovers])
        lo = np.concatenate([low for _, low, _ in leftovers])
        hi = np.concatenate([high for _, _, high in leftovers])
        for k in np.unique(sid).tolist():
            low, high = lo[sid == k].min(axis=0), hi[sid == k].max(axis=0)
            if np.max(high - low) <= 8 * MIN_WIDTH:
                # All that is left is one tiny cluster: a singular solution.
                found.append((k, system.mixtures(k, (low + high) / 2)))
            else:
                corners = (system.mixtures(k, low), system.mixtures(k, high))
                # Probabilities fall as the eliminated one rises, so take the range per entry.
                lows = tuple(np.minimum(a, b) for a, b in zip(*corners, strict=True))
                highs = tuple(np.maximum(a, b) for a, b in zip(*corners, strict=True))
                continua.append((k, lows, highs))
                boxes.append((k, lo[sid == k], hi[sid == k]))
    return SupportSolutions(found, continua, boxes)


def box_system(norm: FloatArray, masks: list[BoolArray]) -> _System:
    """The support profiles' equations and payoff ranges on boxes, as the subdivision has them.

    Examples
    --------
    >>> import numpy as np
    >>> u = np.array([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], dtype=float)
    >>> full = np.ones((1, 2), dtype=bool)
    >>> box_system(u, [full, full]).n_vars
    2
    """
    return _System(norm, masks)


@dataclass(frozen=True)
class _Linearisation:
    """Per player the payoffs at the boxes' centres; the Jacobian there, and its range."""

    payoffs: list[FloatArray]
    at_centre: FloatArray
    low: FloatArray
    high: FloatArray


class _System:
    """The support profiles' equations, vectorised over boxes (each tagged by its support).

    Free probabilities are laid out player by player, ``n_i - 1`` slots each: slot ``t`` of
    player ``i`` is the ``t``-th of the player's strategies other than the eliminated one, and is
    *active* when that strategy is in the support. Inactive slots stay at zero, with the
    equation ``y = 0``, so that every support profile has the same number of unknowns.
    """

    def __init__(self, norm: FloatArray, masks: list[BoolArray]) -> None:
        self.shape = norm.shape[:-1]
        self.n_players = len(self.shape)
        self.n_supports = len(masks[0])
        players = range(self.n_players)
        # Per player i: u_i with i's axis first, then the others' in order.
        self.value_tables = [np.ascontiguousarray(np.moveaxis(norm[..., i], i, 0)) for i in players]
        # Players alike in their own and the others' numbers of strategies, and pairs alike in
        # theirs, are contracted together: one batched product per group, not one per player.
        # Per player, what each strategy but the first earns over the first: the comparisons
        # of strategies need only these, one table fewer to contract than the payoffs.
        self.player_groups = [
            (
                tuple(i for (i,) in members),
                np.stack([self.value_tables[i][1:] - self.value_tables[i][0] for (i,) in members]),
                others,
            )
            for members, others in _alike(self.shape, 1)
            if self.shape[members[0][0]] > 1
        ]
        # Per pair i < j: u_i and u_j stacked, axes i and j first, then the others' in order;
        # both pairs' Jacobian blocks then come from one contraction.
        last = norm.ndim - 1
        self.pair_groups = [
            (
                pairs,
                # contiguous: each contraction then reshapes it without a copy
                np.ascontiguousarray(
                    np.stack(
                        [np.moveaxis(norm[..., [i, j]], (last, i, j), (0, 1, 2)) for i, j in pairs]
                    )
                ),
                others,
            )
            for pairs, others in _alike(self.shape, 2)
        ]
        layout = _layout(self.shape, masks)
        self.masks = layout.masks
        self.offsets, self.n_vars = layout.offsets, layout.n_vars
        self.steps, self.origin = layout.steps, layout.origin
        self.active, self.linear = layout.active, layout.linear
        self.size_groups = layout.size_groups
        self.size_group, self.rank_in_group = layout.size_group, layout.rank_in_group
        self.pair_steps = layout.pair_steps
        self._made: tuple[list[FloatArray], list[FloatArray]] = ([], [])

    def mixtures(self, k: int, y: FloatArray) -> tuple[FloatArray, ...]:
        """Each player's mixture at free probabilities ``y`` of support profile ``k``."""
        return tuple(
            self.origin[i][k] + y[self.offsets[i] : self.offsets[i + 1]] @ self.steps[i][k]
            for i in range(self.n_players)
        )

    def excluded_on_simplices(self, tol: float, deadline: Deadline | None = None) -> BoolArray:
        """Supports with a strategy beaten at every pure profile of the others' supports.

        ``deadline`` as in :meth:`excluded`.
        """
        points = [
            np.where(m[:, :, None], np.eye(len(m[0]))[None], self.origin[i][:, None, :])
            for i, m in enumerate(self.masks)
        ]
        sid = np.arange(self.n_supports)
        return self.excluded(sid, points, tol, deadline)

    def tightened(
        self, sid: IntArray, lo: FloatArray, hi: FloatArray
    ) -> tuple[FloatArray, FloatArray, BoolArray]:
        """Upper bounds cut by the others' lower bounds (probabilities sum to at most one)."""
        hi = hi.copy()
        alive = np.ones(len(sid), dtype=bool)
        # A size group's players at once: (boxes, players, slots)
        for _, columns, _, _, _ in self.size_groups:
            low = lo[:, columns]
            spare = 1.0 - low.sum(axis=2)
            hi[:, columns] = np.minimum(hi[:, columns], low + spare[..., None])
            alive &= np.all(spare >= -1e-12, axis=1)
        return lo, hi, alive & np.all(lo <= hi, axis=1)

    def _grouped_points(self, sid: IntArray, group: int, y: FloatArray) -> FloatArray:
        """The mixtures of a size group's players at free probabilities ``y``.

        ``y`` is ``(players, boxes, points, n - 1)``; so is the result, with ``n`` last.
        """
        _, _, steps, origin, _ = self.size_groups[group]
        mixed: FloatArray = origin[:, sid, None, :] + y @ steps[:, sid]
        return mixed

    def _per_player(self, grouped: list[FloatArray]) -> list[FloatArray]:
        """Per player, their slice of the size groups' arrays (kept for :meth:`_stacked`)."""
        out: list[FloatArray] = [np.empty(0)] * self.n_players
        for (members, *_), array in zip(self.size_groups, grouped, strict=True):
            for g, i in enumerate(members):
                out[i] = array[g]
        self._made = (out, grouped)
        return out

    def _stacked(self, points: list[FloatArray], others: IntArray) -> list[FloatArray]:
        """Per position among the others, their points stacked over a group's members.

        Points this system made last are taken from their size groups' arrays, one gather per
        position, not stacked again.
        """
        made, grouped = self._made
        if points is made:
            return [
                grouped[self.size_group[column[0]]][self.rank_in_group[column]]
                for column in others.T
            ]
        return [np.stack([points[j] for j in column]) for column in others.T.tolist()]

    def vertices(self, sid: IntArray, lo: FloatArray, hi: FloatArray) -> list[FloatArray]:
        """Per player, the mixtures at the vertices of each box's block cut by ``sum(y) <= 1``.

        A vertex is repeated where the cut leaves fewer.
        The vertices are the box's corners with ``sum(y) <= 1`` and the points where its edges
        cross ``sum(y) = 1``; a payoff difference, linear in each player's mixture, reaches its
        range on the boxes' feasible parts at combinations of them.
        """
        grouped = []
        for group, (_, columns, _, _, _) in enumerate(self.size_groups):
            n = columns.shape[1] + 1
            # (players, boxes, 1, n - 1)
            low = lo.T[columns].swapaxes(1, 2)[:, :, None]
            high = hi.T[columns].swapaxes(1, 2)[:, :, None]
            corners, edges = _box_vertices(n - 1)
            y = np.where(corners.astype(bool), high, low)
            if n > 2:
                # On an edge along axis k, y_k = 1 - (sum of the others) where that lies on it.
                along = np.where(edges == 1, high, low)
                axis = edges == -1
                rest = np.where(axis, 0.0, along).sum(axis=-1, keepdims=True)
                along = np.where(axis, 1.0 - rest, along)
                # A crossing at an end of its edge is that corner (kept, rounding aside, below).
                inside = (along > low) & (along < high)
                valid = np.concatenate(
                    (y.sum(axis=-1) <= 1.0 + 1e-12, np.all(inside | ~axis, axis=-1)), axis=-1
                )
                y = np.concatenate((y, along), axis=-2)
                # A box cut by sum(y) = 1 keeps few of these points: the valid ones first, then
                # only as many as the box with the most needs (fewer combinations of points).
                order = np.argsort(~valid, axis=-1, kind="stable")
                order = order[..., : max(1, int(valid.sum(axis=-1).max()))]
                y = np.where(
                    np.take_along_axis(valid, order, axis=-1)[..., None],
                    np.take_along_axis(y, order[..., None], axis=-2),
                    low,
                )
            # (n == 2: the one edge crosses y = 1 at a corner; both corners are feasible.)
            grouped.append(self._grouped_points(sid, group, y))
        return self._per_player(grouped)

    def corners(self, sid: IntArray, lo: FloatArray, hi: FloatArray) -> list[FloatArray]:
        """Per player, the mixtures at the corners of each box's block, then at its centre."""
        grouped = []
        for group, (_, columns, _, _, _) in enumerate(self.size_groups):
            low = lo.T[columns].swapaxes(1, 2)[:, :, None]
            width = hi.T[columns].swapaxes(1, 2)[:, :, None] - low
            y = np.concatenate((low + _bits(columns.shape[1]) * width, low + width / 2), axis=-2)
            grouped.append(self._grouped_points(sid, group, y))
        return self._per_player(grouped)

    def advantages(self, sid: IntArray, points: list[FloatArray]) -> list[FloatArray]:
        """Per player, each strategy's payoff over the first's at the others' points.

        At every combination of the others' points, for every strategy but the first (nothing
        for a player with one strategy).
        """
        out: list[FloatArray] = [np.empty(0)] * self.n_players
        for members, tables, others in self.player_groups:
            result = _contracted(tables, self._stacked(points, others), len(sid))
            for g, i in enumerate(members):
                out[i] = result[g]
        return out

    def jacobian(self, sid: IntArray, points: list[FloatArray]) -> _Linearisation:
        """The Jacobian at the boxes' centres, and the least and largest entries on the boxes.

        ``points`` are each player's box corners, then the centre (:meth:`corners`).
        """
        n_boxes = len(sid)
        at_centre = [np.zeros((n_boxes, n)) for n in self.shape]
        centre = np.zeros((n_boxes, self.n_vars * self.n_vars))
        low, high = np.zeros_like(centre), np.zeros_like(centre)
        directions = iter(self.pair_steps)
        for pairs, tables, others in self.pair_groups:
            # (pairs, boxes, 2, n_i, n_j, combinations): u_i then u_j of each pair
            stacked = _contracted(tables, self._stacked(points, others), n_boxes)
            n_i, n_j = stacked.shape[3:5]
            for first, both in ((0, stacked[:, :, 0]), (1, stacked[:, :, 1].swapaxes(2, 3))):
                # d g_{i,t} / d y_{j,w} = P_i[t] . u_i(., ., x_{-ij}) . P_j[w], per combination
                steps, places = next(directions)
                rows, cols = (n_i, n_j) if first == 0 else (n_j, n_i)
                # all of P_i[t] u P_j[w] at once: one product with the Kronecker product of steps
                block = steps[:, sid] @ both.reshape(len(pairs), n_boxes, rows * cols, -1)
                # The last combination of the others' points is all their centres.
                for matrix, part in (
                    (centre, block[..., -1]),
                    (low, block.min(axis=-1)),
                    (high, block.max(axis=-1)),
                ):
                    matrix[:, places] = part.swapaxes(0, 1).reshape(n_boxes, -1)
                for g, pair in enumerate(pairs):
                    i, j = (pair[0], pair[1]) if first == 0 else (pair[1], pair[0])
                    if j == (i + 1) % self.n_players:
                        # u_i(a, centres): player j's strategies too replaced by j's centre
                        at_centre[i] = (both[g, ..., -1] @ points[j][:, -1, :, None])[..., 0]
        shape = (n_boxes, self.n_vars, self.n_vars)
        centre, low, high = centre.reshape(shape), low.reshape(shape), high.reshape(shape)
        dummy = ~self.active[sid]
        diagonal = np.arange(self.n_vars)
        for matrix in (centre, low, high):
            matrix[:, diagonal, diagonal] += dummy
        return _Linearisation(at_centre, centre, low, high)

    def excluded(
        self,
        sid: IntArray,
        points: list[FloatArray],
        tol: float,
        deadline: Deadline | None = None,
    ) -> BoolArray:
        """Boxes where a support strategy earns less than another by ``tol`` at every corner.

        ``points`` are each player's points on the boxes (:meth:`vertices`); the payoffs at
        their combinations (:meth:`advantages`) are compared. Many boxes are tested a block at a
        time, which bounds the memory of the comparisons, with ``deadline`` checked before each
        block after the first: once it has run out, the boxes not tested are returned as not
        excluded (and ``deadline.hit`` tells the caller).
        """
        counts = [p.shape[1] for p in points]
        # Per box, the comparisons of every strategy with every other at every combination.
        each = sum(
            n * n * math.prod(counts[:i] + counts[i + 1 :]) for i, n in enumerate(self.shape)
        )
        block = max(1, _COMPARISONS_PER_BLOCK // each)
        if len(sid) <= block:
            return self._excluded_block(sid, self.advantages(sid, points), tol)
        out = np.zeros(len(sid), dtype=bool)
        for start in range(0, len(sid), block):
            if start and deadline is not None and deadline.expired():
                break
            part = slice(start, start + block)
            advantages = self.advantages(sid[part], [p[part] for p in points])
            out[part] = self._excluded_block(sid[part], advantages, tol)
        return out

    def _excluded_block(self, sid: IntArray, advantages: list[FloatArray], tol: float) -> BoolArray:
        """:meth:`excluded` on one block of boxes, given the advantages at their points."""
        out = np.zeros(len(sid), dtype=bool)
        for members, _, _, _, masks in self.size_groups:
            by_shape: dict[tuple[int, ...], list[int]] = {}
            for g, i in enumerate(members):
                if self.shape[i] > 1:
                    by_shape.setdefault(advantages[i].shape, []).append(g)
            for chosen in by_shape.values():
                boxes, rows, corners = advantages[members[chosen[0]]].shape
                # What each strategy earns over the first (itself: zero), at every corner.
                v = np.zeros((len(chosen), boxes, rows + 1, corners))
                for row, g in enumerate(chosen):
                    v[row, :, 1:] = advantages[members[g]]
                # Per pair a < c of strategies, the advantage of a over c at every corner: if
                # it exceeds tol at all, c is beaten on the box; if it is below -tol at all, a is.
                # A support strategy so beaten rules the box out.
                a, c = _pairs(v.shape[2])
                advantage = v[:, :, a] - v[:, :, c]
                played = masks[chosen][:, sid]
                beaten = (played[:, :, c] & (advantage.min(axis=-1) > tol)) | (
                    played[:, :, a] & (advantage.max(axis=-1) < -tol)
                )
                out |= np.any(beaten, axis=(0, 2))
        return out

    def residual(self, sid: IntArray, y: FloatArray, linearisation: _Linearisation) -> FloatArray:
        """The equations' values at ``y``, the boxes' centres of ``linearisation``."""
        residual = np.where(self.active[sid], 0.0, y)
        for i, payoffs in enumerate(linearisation.payoffs):
            block = slice(self.offsets[i], self.offsets[i + 1])
            residual[:, block] += (self.steps[i][sid] @ payoffs[..., None])[..., 0]
        return residual

    def pinned(self, sid: IntArray, lo: FloatArray, hi: FloatArray) -> FloatArray:
        """The one solution in each certified box, by Newton's method kept inside the box."""
        y = (lo + hi) / 2
        for _ in range(_NEWTON_STEPS):
            # Only the centres matter here (the last of each player's points).
            centres = self._per_player(
                [
                    self._grouped_points(sid, group, y.T[columns].swapaxes(1, 2)[:, :, None])
                    for group, (_, columns, *_) in enumerate(self.size_groups)
                ]
            )
            linearisation = self.jacobian(sid, centres)
            residual = self.residual(sid, y, linearisation)[..., None]
            try:
                step = np.linalg.solve(linearisation.at_centre, residual)[..., 0]
            except np.linalg.LinAlgError:
                step = (np.linalg.pinv(linearisation.at_centre) @ residual)[..., 0]
            # The solution is in the box, so a step out of it is cut back to the box.
            y = np.clip(y - np.nan_to_num(step), lo, hi)
            if np.all(np.abs(step) <= _CONVERGED):
                break  # converging quadratically: what is left is below rounding
        return y

    def krawczyk_block(self) -> int:
        """Boxes to test at a time with :meth:`jacobian` and :meth:`krawczyk`.

        About :data:`_COMPARISONS_PER_BLOCK` entries of the Jacobian's contractions: per box,
        each pair of players' payoffs at every combination of the others' corners
        (:meth:`corners`: ``2**(n - 1)`` and the centre per player).
        """
        corners = [2 ** (n - 1) + 1 for n in self.shape]
        each = sum(
            2 * self.shape[i] * self.shape[j] * math.prod(corners) // (corners[i] * corners[j])
            for i, j in itertools.combinations(range(self.n_players), 2)
        )
        return max(1, _COMPARISONS_PER_BLOCK // max(1, int(each)))

    def krawczyk(
        self,
        sid: IntArray,
        lo: FloatArray,
        hi: FloatArray,
        linearisation: _Linearisation,
    ) -> tuple[FloatArray, FloatArray]:
        """The Krawczyk image ``c - Y g(c) + (I - Y J(X))(X - c)`` of each box, as bounds."""
        centre_jacobian, low, high = linearisation.at_centre, linearisation.low, linearisation.high
        middle = (lo + hi) / 2
        radius = (hi - lo) / 2
        residual = self.residual(sid, middle, linearisation)
        try:
            inverse = np.linalg.inv(centre_jacobian)
        except np.linalg.LinAlgError:
            inverse = np.linalg.pinv(centre_jacobian)
        newton = middle - np.einsum("bij,bj->bi", inverse, residual)
        mid_j, rad_j = (low + high) / 2, (high - low) / 2
        spread = np.abs(np.eye(self.n_vars) - inverse @ mid_j) + np.abs(inverse) @ rad_j
        reach = np.einsum("bij,bj->bi", spread, radius)
        finite = np.all(np.isfinite(newton), axis=1) & np.all(np.isfinite(reach), axis=1)
        reach[~finite] = np.inf
        newton[~finite] = middle[~finite]
        return newton - reach, newton + reach


@dataclass(frozen=True)
class _Layout:
    """What a system needs of its support profiles, not of the payoffs (see :class:`_System`).

    Attributes
    ----------
    masks
        Per player, the supports ``(S, n_i)``.
    offsets, n_vars
        Where each player's slots start among the free probabilities, and their number.
    steps, origin
        Per player, ``P_i`` ``(S, n_i - 1, n_i)`` and ``e_{a_i}`` ``(S, n_i)``.
    active, linear
        Per support, which slots are in it ``(S, n_vars)``; whether at most two players mix.
    size_groups, size_group, rank_in_group
        Players alike in their numbers of strategies: per group the players, their columns
        among the free probabilities, and their stacked steps, origins and supports; per player
        its group and its place in it.
    pair_steps
        Per pair group and direction (i before j, then j before i), per support, the products
        ``P_i[t] u P_j[w]`` as matrices on the flattened ``u``, and where the block of each pair
        goes in the flattened Jacobian.
    """

    masks: list[BoolArray]
    offsets: IntArray
    n_vars: int
    steps: list[FloatArray]
    origin: list[FloatArray]
    active: BoolArray
    linear: BoolArray
    size_groups: list[tuple[tuple[int, ...], IntArray, FloatArray, FloatArray, BoolArray]]
    size_group: IntArray
    rank_in_group: IntArray
    pair_steps: list[tuple[FloatArray, IntArray]]


def _made_layout(shape: tuple[int, ...], masks: list[BoolArray]) -> _Layout:
    n_supports = len(masks[0])
    first = [np.argmax(m, axis=1) for m in masks]
    offsets = np.concatenate(([0], np.cumsum([n - 1 for n in shape]))).astype(np.intp)
    n_vars = int(offsets[-1])
    steps: list[FloatArray] = []
    on_slots = []
    for n, m, a in zip(shape, masks, first, strict=True):
        # slot t of each support: the t-th strategy other than the eliminated one
        others = np.array([[s for s in range(n) if s != f] for f in range(n)], dtype=np.intp)
        slots = others[a].reshape(len(a), n - 1)
        on = np.take_along_axis(m, slots, axis=1)
        step = np.zeros((len(a), n - 1, n))
        rows, cols = np.nonzero(on)
        step[rows, cols, slots[rows, cols]] = 1.0
        step[rows, cols, a[rows]] = -1.0
        steps.append(step)
        on_slots.append(on)
    # With at most two mixers each player's conditions are linear in the other's mixture.
    linear = np.sum([m.sum(axis=1) > 1 for m in masks], axis=0) <= 2
    origin = [np.eye(n)[a] for n, a in zip(shape, first, strict=True)]
    size_groups: list[tuple[tuple[int, ...], IntArray, FloatArray, FloatArray, BoolArray]] = []
    size_group = np.zeros(len(shape), dtype=np.intp)
    rank_in_group = np.zeros(len(shape), dtype=np.intp)
    for n in sorted(set(shape)):
        members = tuple(i for i in range(len(shape)) if shape[i] == n)
        size_group[list(members)] = len(size_groups)
        rank_in_group[list(members)] = np.arange(len(members))
        columns = np.array([np.arange(offsets[i], offsets[i + 1]) for i in members])
        size_groups.append(
            (
                members,
                columns.reshape(len(members), n - 1),
                np.stack([steps[i] for i in members]),
                np.stack([origin[i] for i in members]),
                np.stack([masks[i] for i in members]),
            )
        )
    pair_steps = []
    for pairs, _ in _alike(shape, 2):
        for first_of, second_of in ((0, 1), (1, 0)):
            products, places = [], []
            for pair in pairs:
                i, j = pair[first_of], pair[second_of]
                si, sj = steps[i], steps[j]
                products.append(
                    (si[:, :, None, :, None] * sj[:, None, :, None, :]).reshape(
                        n_supports, -1, si.shape[2] * sj.shape[2]
                    )
                )
                rows = np.arange(offsets[i], offsets[i + 1])
                cols = np.arange(offsets[j], offsets[j + 1])
                places.append((rows[:, None] * n_vars + cols[None, :]).ravel())
            pair_steps.append((np.stack(products), np.concatenate(places)))
    return _Layout(
        masks,
        offsets,
        n_vars,
        steps,
        origin,
        np.concatenate(on_slots, axis=1),
        linear,
        size_groups,
        size_group,
        rank_in_group,
        pair_steps,
    )


#: Support profiles' layouts, kept between calls for a small game shape.
_layout = kept_between_calls(_made_layout)


@functools.cache
def _box_vertices(n: int) -> tuple[IntArray, IntArray]:
    """The corners of ``[0, 1]**n`` (0 low, 1 high), and its edges (-1 marks the free axis)."""
    corners = np.array(list(itertools.product((0, 1), repeat=n)), dtype=np.intp).reshape(2**n, n)
    edges = [
        (*bits[:k], -1, *bits[k:])
        for k in range(n)
        for bits in itertools.product((0, 1), repeat=n - 1)
    ]
    return corners, np.array(edges, dtype=np.intp).reshape(len(edges), n)


@functools.cache
def _pairs(n: int) -> tuple[IntArray, IntArray]:
    """Every pair ``a < c`` of ``n`` strategies: the ``a``, then the ``c`` of each."""
    a, c = np.triu_indices(n, 1)
    return a.astype(np.intp), c.astype(np.intp)


@functools.cache
def _bits(n: int) -> FloatArray:
    """The ``2**n`` corners of the unit cube ``[0, 1]**n``."""
    return np.array(list(itertools.product((0.0, 1.0), repeat=n))).reshape(2**n, n)


@functools.lru_cache(maxsize=64)
def _alike(shape: tuple[int, ...], k: int) -> list[tuple[list[tuple[int, ...]], IntArray]]:
    """Groups of ``k`` players (one each, or pairs) alike in every axis of their tables.

    A member is a tuple of ``k`` players in increasing order: one player, or a pair; members
    are alike when their own numbers of strategies and, in order, the others' are the same.
    Returns per group its members and, per member, the others in order ``(members, N - k)``.
    Kept between calls (not to be changed).
    """
    groups: dict[tuple[tuple[int, ...], tuple[int, ...]], list[tuple[int, ...]]] = {}
    for chosen in itertools.combinations(range(len(shape)), k):
        others = tuple(j for j in range(len(shape)) if j not in chosen)
        key = (tuple(shape[i] for i in chosen), tuple(shape[j] for j in others))
        groups.setdefault(key, []).append(chosen)
    return [
        (
            members,
            np.array(
                [[j for j in range(len(shape)) if j not in chosen] for chosen in members],
                dtype=np.intp,
            ).reshape(len(members), len(shape) - k),
        )
        for members in groups.values()
    ]


def _contracted(table: FloatArray, points: list[FloatArray], n_boxes: int) -> FloatArray:
    """``table`` with each of its last ``len(points)`` axes replaced by those players' points.

    ``table`` is ``(members, *kept axes, one axis per player of points)``: a group's tables,
    stacked. ``points`` holds, per player in order, ``(members, boxes, points, strategies)``.
    Returns ``(members, boxes, *kept axes, combinations of the points)``; the last combination
    is that of every player's last point. Batched matrix products, one per player, from the
    last.
    """
    members = table.shape[0]
    if not points:
        return np.broadcast_to(table[:, None, ..., None], (members, n_boxes, *table.shape[1:], 1))
    sizes = table.shape[table.ndim - len(points) :]
    kept = table.shape[1 : table.ndim - len(points)]
    pending: FloatArray = table.reshape(members, 1, -1, sizes[-1])
    combinations = 1
    for position, x in enumerate(reversed(points)):
        # (members, boxes, rows * combinations, n_j) @ (members, boxes, n_j, points of j)
        pending = pending @ x.swapaxes(-1, -2)
        combinations *= x.shape[2]
        if position + 1 < len(points):
            # Bring the next player's strategies last, the combinations before them.
            size = sizes[len(points) - position - 2]
            pending = pending.reshape(members, n_boxes, -1, size, combinations).swapaxes(-1, -2)
            pending = pending.reshape(members, n_boxes, -1, size)
    return pending.reshape(members, n_boxes, *kept, -1)
