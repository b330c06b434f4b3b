r"""Proof that the traced curves of a support profile hold every equilibrium on it.

The box subdivision (:mod:`~kurilsim.forms.normal.support_boxes`) discards only boxes without an
equilibrium; on a support whose equilibria form a curve it is left with boxes it can neither
certify nor discard. The curves traced there
(:func:`~kurilsim.forms.normal.curve_components.trace_support_curves`) account for every
equilibrium of the support when every leftover box is shown to lie in a *tube* around them, or to
hold no equilibrium. :func:`curves_cover_leftovers` decides this with interval arithmetic:

1. Each piece of a traced polyline, from point ``a`` to point ``b``, gets a tube box: the box
   spanned by ``a`` and ``b``, widened across the curve by half the piece's length and along it
   by a tenth. On a curve of the support's square system ``g(y) = 0`` the Jacobian has rank one
   less than full, so one equation depends on the others there; the box is shown to hold one
   curve only by the parametric Krawczyk test [1]_ on the other equations, with the coordinate
   ``y_p`` along which the piece moves most as the parameter: with ``G`` those equations,
   ``Y`` the inverse of their Jacobian in the other coordinates ``y'`` at the centre ``c`` and
   the Jacobian ranges ``J`` over the box (exact: reached at its corners, as every entry is
   multilinear),

   .. math:: K = c' - Y G(c) - Y J_p (y_p - c_p) + (I - Y J') (y' - c')

   lying inside the box's range of ``y'`` proves that for every ``y_p`` in the box's range
   exactly one ``y'`` in it solves ``G``. Every solution of the support's system in the box
   therefore lies on that one arc, a graph over ``y_p``. A piece whose box fails is halved,
   up to :data:`MAX_TUBE_HALVINGS` times; beyond each end of an open curve the polyline is
   extended by one step, so that the tube reaches past the end.
2. Each leftover box is then checked, its halves in turn: inside a tube box, it is accounted
   for; where a probability of the support is zero all over it, its equilibria have a smaller
   support and are accounted for there; where no point has nonnegative probabilities summing
   to one, where a support strategy earns less than another at every vertex (the
   subdivision's own exact tests), or where the Krawczyk image of the whole system misses it,
   it holds no equilibrium. Each probability is also cut to where no strategy of another
   player beats a support strategy (:func:`_contracted`: the payoff gaps are affine in it),
   which puts the boxes beside a face that holds a continuum of a smaller support on that
   face. Otherwise the box is halved across its widest side, down to
   :data:`MIN_COVER_WIDTH`, within :data:`MAX_COVER_BOXES` boxes in all.

Corner values, and therefore the ranges, are exact up to floating-point rounding, against which
the Krawczyk images are widened as in the subdivision. What is proved is that every equilibrium
of the support lies on the arcs through the tube boxes, one per box; that the arcs join end to
end, and that the equilibria along them form the traced curve, rests on the continuation (every
step of it an equilibrium by the regret check).

References
----------
.. [1] A. Neumaier, *Interval Methods for Systems of Equations*, Cambridge University Press,
   1990, section 5.1 (the Krawczyk operator, and its parametric form for systems with
   parameters).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.deadline import Deadline
from kurilsim.forms.normal.support_boxes import MIN_WIDTH, box_system

if TYPE_CHECKING:
    # The type of what box_system returns, for annotations only.
    from kurilsim.forms.normal.support_boxes import _System as BoxSystem

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

#: A piece of a traced curve whose tube box fails the test is halved at most this many times.
MAX_TUBE_HALVINGS = 10

#: Leftover boxes narrower than this that are neither in a tube nor shown empty stay unproved.
MIN_COVER_WIDTH = MIN_WIDTH / 64

#: Most boxes the covering check looks at, over all its rounds, before it gives up.
MAX_COVER_BOXES = 100_000

#: Tube boxes reach across the curve by this fraction of their piece's length, and along it
#: by :data:`_ALONG`; the image of the cross range must fit inside it, so the second is smaller.
_ACROSS = 0.5
_ALONG = 0.1

#: Points of a polyline closer than this to the previous one are skipped (in probabilities).
_CLOSE = 2.5e-3

#: Relative widening of a Krawczyk image against rounding (as in the subdivision).
_INFLATE = 1e-12


#: A probability within this of zero all over a box is zero there: the rounding allowance by
#: which the subdivision widens Krawczyk images (``_INFLATE`` times a few units) before it cuts
#: a box to them, so a box it proved to lie on a face may reach this far off it.
_ROUNDING = 16 * _INFLATE

#: Boxes compared with the tubes at once (memory: boxes x tubes x probabilities).
_BATCH = 512


def curves_cover_leftovers(
    norm: FloatArray,
    support: Sequence[Sequence[int]],
    paths: Sequence[FloatArray],
    boxes: tuple[FloatArray, FloatArray],
    tol: float,
    deadline: Deadline,
) -> bool:
    """Whether every equilibrium in the leftover boxes of a support lies on the traced curves.

    Parameters
    ----------
    norm
        Payoff tensor ``(n_1, ..., n_N, N)`` with each player's payoffs in ``[0, 1]``.
    support
        Per player, the strategies of the support profile.
    paths
        The traced polylines (:attr:`~kurilsim.forms.normal.curve_components.SupportCurves.paths`),
        one row per point, every player's mixture concatenated; a closed curve ends where it
        starts.
    boxes
        The leftover boxes ``(low, high)``, one row each, in the free probabilities of
        :func:`~kurilsim.forms.normal.support_boxes.box_system` for this support alone.
    tol
        The margin by which a payoff difference must hold on a box to exclude it (the
        subdivision's).
    deadline
        Checked before each round; ``False`` when it runs out.

    Returns
    -------
    bool
        ``True`` only when proved (see the module's description).

    Examples
    --------
    Players 1 and 2 each want to match player 3's first strategy at one half; player 3 prefers
    its first strategy by ``x - y``: the equilibria with all three mixing form the segment
    ``x = y``, player 3 at one half. Its traced polyline covers the boxes the subdivision
    leaves on that support:

    >>> import numpy as np
    >>> from kurilsim.forms.normal.curve_components import trace_support_curves
    >>> from kurilsim.forms.normal.support_boxes import solve_supports
    >>> u = np.zeros((2, 2, 2, 3))
    >>> u[0, :, 0, 0], u[1, :, :, 0] = 1, 0.5
    >>> u[:, 0, 0, 1], u[:, 1, :, 1] = 1, 0.5
    >>> u[0, :, 0, 2], u[:, 0, 1, 2] = 1, 1
    >>> full = np.ones((1, 2), dtype=bool)
    >>> found, _ = solve_supports(u, [full] * 3, 1e-9, Deadline(None))
    >>> ((_, low, high),) = found.boxes
    >>> paths = trace_support_curves(u, [(0, 1)] * 3, 1e-9).paths
    >>> curves_cover_leftovers(u, [(0, 1)] * 3, paths, (low, high), 1e-9, Deadline(None))
    True
    >>> curves_cover_leftovers(u, [(0, 1)] * 3, [], (low, high), 1e-9, Deadline(None))
    False
    """
    masks = []
    for n, strategies in zip(norm.shape[:-1], support, strict=True):
        mask = np.zeros((1, n), dtype=bool)
        mask[0, list(strategies)] = True
        masks.append(mask)
    system = box_system(norm, masks)
    slots = _slots(norm.shape[:-1], [int(np.argmax(m[0])) for m in masks])
    tubes = [_tube(system, path[:, slots], deadline) for path in paths]
    if any(tube is None for tube in tubes):
        return False
    lows = [low for tube in tubes if tube is not None for low in tube[0]]
    highs = [high for tube in tubes if tube is not None for high in tube[1]]
    return _covered(system, np.array(lows), np.array(highs), boxes, tol, deadline)


def _slots(shape: Sequence[int], first: Sequence[int]) -> list[int]:
    """Index, in a concatenated profile, of each free probability of the box system."""
    offsets = np.concatenate(([0], np.cumsum(shape))).astype(int)
    return [
        int(offsets[i]) + s
        for i, (n, a) in enumerate(zip(shape, first, strict=True))
        for s in range(n)
        if s != a
    ]


def _tube(
    system: BoxSystem, path: FloatArray, deadline: Deadline
) -> tuple[list[FloatArray], list[FloatArray]] | None:
    """Certified tube boxes along a polyline (free probabilities), or ``None`` if one fails."""
    points = [path[0]]
    for point in path[1:-1]:
        if np.max(np.abs(point - points[-1])) >= _CLOSE:
            points.append(point)
    points.append(path[-1])
    if len(points) > 2 and np.max(np.abs(points[-1] - points[-2])) < _CLOSE:
        del points[-2]
    if np.max(np.abs(path[0] - path[-1])) > _CLOSE / 4 and len(points) > 1:
        # An open curve: reach one piece past each end, where leftover boxes still lie.
        points.insert(0, 2 * points[0] - points[1])
        points.append(2 * points[-1] - points[-2])
    lows: list[FloatArray] = []
    highs: list[FloatArray] = []
    pending = [(a, b, 0) for a, b in itertools.pairwise(points)]
    while pending:
        if deadline.expired():
            return None
        a, b, halvings = pending.pop()
        box = _tube_box(system, a, b)
        if box is not None:
            lows.append(box[0])
            highs.append(box[1])
        elif halvings < MAX_TUBE_HALVINGS:
            middle = (a + b) / 2
            pending += [(a, middle, halvings + 1), (middle, b, halvings + 1)]
        else:
            return None
    return lows, highs


def _tube_box(
    system: BoxSystem, a: FloatArray, b: FloatArray
) -> tuple[FloatArray, FloatArray] | None:
    """The tube box of the piece from ``a`` to ``b`` if it holds one arc only, else ``None``."""
    active = system.active[0]
    length = float(np.max(np.abs(b - a)))
    p = int(np.argmax(np.where(active, np.abs(b - a), -1.0)))
    across = np.where(active, _ACROSS * length, 0.0)
    across[p] = _ALONG * length
    lo, hi = np.minimum(a, b) - across, np.maximum(a, b) + across
    sid = np.zeros(1, dtype=np.intp)
    linearisation = system.jacobian(sid, system.corners(sid, lo[None], hi[None]))
    centre = linearisation.at_centre[0]
    # The equation to leave out: the one the others determine on the curve (largest weight in
    # the left null vector of the Jacobian).
    left = np.linalg.svd(centre)[0][:, -1]
    r = int(np.argmax(np.where(active, np.abs(left), -1.0)))
    rows = np.flatnonzero(np.arange(len(active)) != r)
    cols = np.flatnonzero(np.arange(len(active)) != p)
    middle, radius = (lo + hi) / 2, (hi - lo) / 2
    residual = system.residual(sid, middle[None], linearisation)[0][rows]
    try:
        inverse = np.linalg.inv(centre[np.ix_(rows, cols)])
    except np.linalg.LinAlgError:
        return None
    low, high = linearisation.low[0][rows], linearisation.high[0][rows]
    mid_j, rad_j = (low + high) / 2, (high - low) / 2
    spread = np.abs(np.eye(len(cols)) - inverse @ mid_j[:, cols]) + np.abs(inverse) @ rad_j[:, cols]
    slope = np.abs(inverse @ mid_j[:, p]) + np.abs(inverse) @ rad_j[:, p]
    newton = middle[cols] - inverse @ residual
    reach = spread @ radius[cols] + slope * radius[p]
    slack = _INFLATE * (1.0 + np.abs(newton) + reach)
    k_lo, k_hi = newton - reach - slack, newton + reach + slack
    free = active[cols]
    inside = (k_lo > lo[cols]) & (k_hi < hi[cols])
    if not np.all(np.isfinite(k_lo) & np.isfinite(k_hi)) or not np.all(inside | ~free):
        return None
    return lo, hi


def _covered(
    system: BoxSystem,
    tube_lo: FloatArray,
    tube_hi: FloatArray,
    boxes: tuple[FloatArray, FloatArray],
    tol: float,
    deadline: Deadline,
) -> bool:
    """Whether every box lies, piece by piece, in a tube box or holds no equilibrium."""
    active = system.active[0]
    lo, hi = boxes
    seen = 0
    while len(lo):
        seen += len(lo)
        if deadline.expired() or seen > MAX_COVER_BOXES:
            return False
        if len(tube_lo):
            keep = ~_inside_any(lo, hi, tube_lo, tube_hi, active)
            lo, hi = lo[keep], hi[keep]
        sid = np.zeros(len(lo), dtype=np.intp)
        lo, hi, alive = system.tightened(sid, lo, hi)
        # An equilibrium with a support probability at zero has a smaller support, and is
        # accounted for there.
        alive &= ~_on_face(system, lo, hi)
        lo, hi, sid = lo[alive], hi[alive], sid[alive]
        if not len(lo):
            break
        alive = ~system.excluded(sid, system.vertices(sid, lo, hi), tol, deadline)
        if deadline.hit:
            return False
        lo, hi, sid = lo[alive], hi[alive], sid[alive]
        lo, hi = _contracted(system, lo, hi)
        alive = np.all(lo <= hi, axis=1) & ~_on_face(system, lo, hi)
        lo, hi, sid = lo[alive], hi[alive], sid[alive]
        if not len(lo):
            break
        jacobian = system.jacobian(sid, system.corners(sid, lo, hi))
        k_lo, k_hi = system.krawczyk(sid, lo, hi, jacobian)
        slack = _INFLATE * (1.0 + np.abs(k_lo) + np.abs(k_hi))
        # Every solution in a box lies in its Krawczyk image too: keep their intersection.
        lo = np.where(active, np.maximum(lo, k_lo - slack), lo)
        hi = np.where(active, np.minimum(hi, k_hi + slack), hi)
        alive = np.all(lo <= hi, axis=1)
        lo, hi = lo[alive], hi[alive]
        if not len(lo):
            break
        width = hi - lo
        if np.max(width) <= MIN_COVER_WIDTH:
            return False
        side = np.argmax(width, axis=1)
        rows = np.arange(len(lo))
        cut = lo[rows, side] + width[rows, side] / 2
        upper_lo = lo.copy()
        upper_lo[rows, side] = cut
        lower_hi = hi.copy()
        lower_hi[rows, side] = cut
        lo, hi = np.concatenate((lo, upper_lo)), np.concatenate((lower_hi, hi))
    return True


def _inside_any(
    lo: FloatArray, hi: FloatArray, tube_lo: FloatArray, tube_hi: FloatArray, active: BoolArray
) -> BoolArray:
    """Per box, whether some tube box contains it (in the free probabilities)."""
    inside = np.zeros(len(lo), dtype=bool)
    for start in range(0, len(lo), _BATCH):
        block = slice(start, start + _BATCH)
        fits = (lo[block, None, :] >= tube_lo[None]) & (hi[block, None, :] <= tube_hi[None])
        inside[block] = np.any(np.all(fits | ~active, axis=2), axis=1)
    return inside


def _on_face(system: BoxSystem, lo: FloatArray, hi: FloatArray) -> BoolArray:
    """Per box, whether some probability of the support is zero all over it."""
    active = system.active[0]
    out: BoolArray = np.any(active & (hi <= _ROUNDING), axis=1)
    for i in range(system.n_players):
        block = slice(system.offsets[i], system.offsets[i + 1])
        # The eliminated strategy's probability, 1 - sum(y), is zero where the lows sum to 1.
        out |= lo[:, block].sum(axis=1) >= 1.0 - _ROUNDING
    return out


def _contracted(system: BoxSystem, lo: FloatArray, hi: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Each free probability cut to where no strategy of another player beats a support one.

    At an equilibrium ``h = u_i(b, x_{-i}) - u_i(a, x_{-i}) <= 0`` for every strategy ``a`` of
    player ``i``'s support and every ``b`` (with ``b`` in the support too, both ways: the
    indifference equations). ``h`` is affine in each probability ``y_k`` of another player,
    ``h = A + y_k B`` with ``A`` and ``B`` multilinear in the other probabilities, so their
    ranges on the box are reached at its corners. Where ``B > 0`` all over the box, ``y_k`` is
    at most the largest ``-A / B``; where ``B < 0``, at least the least. Near a face of the
    simplices on which the equations hold along a whole continuum, this shows the equilibria off
    the face to lie within rounding of it.
    """
    active = system.active[0]
    lo, hi = lo.copy(), hi.copy()
    for k in np.flatnonzero(active).tolist():
        owner = int(np.searchsorted(system.offsets, k, side="right")) - 1
        a_lo, a_hi, b_lo, b_hi = _affine_parts(system, lo, hi, k, owner)
        rising, falling = b_lo > 0, b_hi < 0
        # Only where B keeps one sign: elsewhere the quotients are not used (divide by one).
        signed = rising | falling
        b_lo, b_hi = np.where(signed, b_lo, 1.0), np.where(signed, b_hi, 1.0)
        quotients = np.stack([-a_lo / b_lo, -a_lo / b_hi, -a_hi / b_lo, -a_hi / b_hi])
        high = np.where(rising, quotients.max(axis=0), np.inf).min(axis=1, initial=np.inf)
        low = np.where(falling, quotients.min(axis=0), -np.inf).max(axis=1, initial=-np.inf)
        lo[:, k] = np.maximum(lo[:, k], low - _INFLATE * (1.0 + np.abs(low)))
        hi[:, k] = np.minimum(hi[:, k], high + _INFLATE * (1.0 + np.abs(high)))
    return lo, hi


def _affine_parts(
    system: BoxSystem, lo: FloatArray, hi: FloatArray, k: int, owner: int
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Ranges of ``A`` and ``B`` in ``h = A + y_k B`` per box and pair of the others' strategies.

    Returns ``A_low, A_high, B_low, B_high``, each ``(boxes, pairs)``: every ordered pair of a
    support strategy ``a`` and another strategy ``b`` of each player but ``y_k``'s.
    """
    n_boxes = len(lo)
    sid = np.zeros(n_boxes, dtype=np.intp)
    points = []
    for j in range(system.n_players):
        block = slice(system.offsets[j], system.offsets[j + 1])
        size = int(system.offsets[j + 1] - system.offsets[j])
        corners = np.array(list(itertools.product((0.0, 1.0), repeat=size))).reshape(-1, size)
        y = lo[:, None, block] + corners[None] * (hi - lo)[:, None, block]
        if j == owner:
            # y_k at 0 for the first half of the points, at 1 for the second half.
            at = k - int(system.offsets[j])
            y = y[:, corners[:, at] == 0]
            y = np.concatenate((y, y), axis=1)
            half = y.shape[1] // 2
            y[:, :half, at], y[:, half:, at] = 0.0, 1.0
        points.append(system.origin[j][sid][:, None, :] + y @ system.steps[j][sid])
    parts = []
    for i in range(system.n_players):
        if i == owner:
            continue
        # value_tables[i] has player i's axis first; the players' own order back.
        values = _strategy_values(np.moveaxis(system.value_tables[i], 0, i), points, i)
        axis = 2 + [j for j in range(system.n_players) if j != i].index(owner)
        values = np.moveaxis(values, axis, -1)
        half = values.shape[-1] // 2
        at_zero = values[..., :half].reshape(n_boxes, values.shape[1], -1)
        slope = (values[..., half:] - values[..., :half]).reshape(n_boxes, values.shape[1], -1)
        played, other = np.nonzero(
            system.masks[i][0][:, None] & ~np.eye(len(values[0]), dtype=bool)
        )
        for table in (at_zero, slope):
            gap = table[:, other] - table[:, played]
            parts.append((gap.min(axis=-1), gap.max(axis=-1)))
    a_lo = np.concatenate([low for low, _ in parts[0::2]], axis=1)
    a_hi = np.concatenate([high for _, high in parts[0::2]], axis=1)
    b_lo = np.concatenate([low for low, _ in parts[1::2]], axis=1)
    b_hi = np.concatenate([high for _, high in parts[1::2]], axis=1)
    return a_lo, a_hi, b_lo, b_hi


def _strategy_values(utility: FloatArray, points: list[FloatArray], i: int) -> FloatArray:
    """``u_i(b, x_{-i})`` per box, strategy ``b`` and combination of the others' points.

    ``points[j]`` is ``(boxes, m_j, n_j)``; the result is ``(boxes, n_i, m_j for each j != i)``.
    """
    strategies, marks = "abcdefghij", "pqrstuvwxy"
    others = [j for j in range(utility.ndim) if j != i]
    terms = [strategies[: utility.ndim]] + ["Z" + marks[j] + strategies[j] for j in others]
    out = "Z" + strategies[i] + "".join(marks[j] for j in others)
    values: FloatArray = np.einsum(
        ",".join(terms) + "->" + out, utility, *(points[j] for j in others), optimize=True
    )
    return values
