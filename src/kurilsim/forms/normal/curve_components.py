r"""Curves of equilibria on which two or more players mix together, traced end to end.

On a support profile ``S`` every player's support strategies must earn the same payoff, and each
mixture sums to one: as many equations as unknown probabilities. In a degenerate game this
system can hold a *curve* of solutions rather than isolated points (the Jacobian loses rank
one). The equilibria on ``S`` are the points of that curve where every probability is
nonnegative and no strategy outside the support earns more; the curve leaves that set only
where a probability reaches zero or an outside strategy ties, that is, at an equilibrium of a
smaller (or larger) support profile. So a curve of equilibria is one connected component whose
end points are equilibria that support enumeration lists on other support profiles.

:func:`trace_support_curves` finds such curves from starting points spread over the support's
simplices (each corrected on to the solution set by Gauss-Newton steps), measures the dimension
of the solution set there (the nullity of the Jacobian), and follows each one-dimensional piece
by a predictor-corrector continuation [1]_: a step along the tangent (the Jacobian's null
vector), then Gauss-Newton back on to the curve, until a step leaves the equilibria; the end is
then located by bisection. Every end point and every sample point reported passes the package's
regret check. Whether the traced piece is straight (a segment) or bent (a curve) is read off its
points.

References
----------
.. [1] E. L. Allgower and K. Georg, *Introduction to Numerical Continuation Methods*, SIAM, 2003,
   chapter 2 (predictor-corrector methods).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.deadline import Deadline
from kurilsim.forms.normal.regret import ScaledPayoffs, on_simplices, strategy_payoffs

FloatArray = NDArray[np.float64]
Profile = tuple[FloatArray, ...]

#: Arc length of one continuation step (in probabilities).
STEP = 0.01

#: Largest number of continuation steps along one direction of a curve.
MAX_STEPS = 5000

#: Starting points spread over the support's simplices.
N_SEEDS = 48

#: Number of sample points reported along a curve, its ends included.
N_SAMPLES = 9

#: Largest number of support profiles tried by :func:`curves_between`.
MAX_SUPPORTS = 256

#: Why tracing stopped when its deadline ran out.
OUT_OF_TIME = "the time bound ran out before every curve of equilibria was traced"

#: A strategy earning within this of the best (normalised payoffs) ties with it.
_TIE = 1e-8

#: Two profiles closer than this (largest probability difference) are the same point.
_SAME_POINT = 1e-6

#: Residual (payoff units of the normalised game) below which a point is on the solution set.
_ON_SET = 1e-12

#: A singular value below this counts as zero when the Jacobian's rank is measured.
_RANK_TOL = 1e-8


@dataclass(frozen=True)
class CurveComponent:
    """A connected piece of the equilibria on one support profile, traced end to end.

    Attributes
    ----------
    support
        Per player, the strategies of the support profile the piece was traced on.
    ends
        Its two end points (equilibria on neighbouring support profiles), or none for a closed
        curve.
    samples
        Points along it, in order from one end to the other, ends included; every one is an
        equilibrium (regret check).
    shape
        ``"segment"`` when its points are collinear, ``"curve"`` otherwise, ``"closed curve"`` when
        it has no ends.
    """

    support: tuple[tuple[int, ...], ...]
    ends: tuple[Profile, ...]
    samples: tuple[Profile, ...]
    shape: str

    @property
    def dimension(self) -> int:
        """Always 1: a traced piece is a curve."""
        return 1


@dataclass(frozen=True)
class SupportCurves:
    """Every curve of equilibria found on one support profile, and whether that is all of them.

    Attributes
    ----------
    curves
        The traced pieces.
    complete
        ``False`` when the solution set has dimension two or more somewhere, or a trace did not
        reach an end; ``problem`` then says which.
    problem
        Why the set is not accounted for, or ``None``.
    paths
        Per curve, the traced polyline: one row per point, every player's mixture concatenated.
    """

    curves: tuple[CurveComponent, ...]
    complete: bool
    problem: str | None
    paths: tuple[FloatArray, ...] = ()


@dataclass(frozen=True)
class CurveLinks:
    """The traced curves of equilibria that join listed equilibria, and whether that is all.

    Attributes
    ----------
    links
        Per curve whose two ends are listed, the indices of its ends (smaller first) and the
        curve.
    complete
        ``False`` if a traced support profile held a set of dimension two or more, a trace
        failed, there were more than :data:`MAX_SUPPORTS` support profiles to try, or the
        deadline ran out: listed equilibria not linked may then still be joined by a curve.
    problem
        Why the links may be missing some, or ``None``.
    """

    links: tuple[tuple[int, int, CurveComponent], ...]
    complete: bool = True
    problem: str | None = None


def trace_support_curves(
    norm: FloatArray,
    support: Sequence[Sequence[int]],
    tol: float,
    seed: int = 0,
    deadline: Deadline | None = None,
) -> SupportCurves:
    """Trace the equilibria of one support profile whose solution set is a curve.

    Parameters
    ----------
    norm
        Payoff tensor ``(n_1, ..., n_N, N)`` with each player's payoffs in ``[0, 1]``.
    support
        Per player, the strategies in the support (two or more players with two or more).
    tol
        Regret tolerance (relative to each player's payoff range) of the checks.
    seed
        Seed of the starting points (the result does not depend on it for a curve that the
        starting points reach).
    deadline
        Checked before each starting point and each continuation step; when it runs out the
        result is incomplete (problem :data:`OUT_OF_TIME`). ``None``: no bound.

    Returns
    -------
    SupportCurves
        The curves of equilibria whose relative interior lies on the support profile.

    Examples
    --------
    Players 1 and 2 each want to match player 3's first strategy at one half; player 3 prefers
    its first strategy by ``x - y`` (player 1's weight on its first strategy minus player 2's).
    The equilibria with all three mixing form the segment ``x = y``, player 3 at one half:

    >>> import numpy as np
    >>> u = np.zeros((2, 2, 2, 3))
    >>> u[0, :, 0, 0], u[1, :, :, 0] = 1, 0.5
    >>> u[:, 0, 0, 1], u[:, 1, :, 1] = 1, 0.5
    >>> u[0, :, 0, 2], u[:, 0, 1, 2] = 1, 1
    >>> found = trace_support_curves(u, [(0, 1), (0, 1), (0, 1)], 1e-9)
    >>> (curve,) = found.curves
    >>> curve.shape, found.complete
    ('segment', True)
    >>> sorted([np.round(p, 6).tolist() for p in end] for end in curve.ends)
    [[[0.0, 1.0], [0.0, 1.0], [0.5, 0.5]], [[1.0, 0.0], [1.0, 0.0], [0.5, 0.5]]]
    """
    system = _SupportSystem(norm, support, tol, deadline)
    rng = np.random.default_rng(seed)
    curves: list[CurveComponent] = []
    traced: list[FloatArray] = []
    paths: list[FloatArray] = []
    for _ in range(N_SEEDS):
        if system.deadline.expired():
            return SupportCurves(tuple(curves), False, OUT_OF_TIME)
        start = system.corrected(system.random_point(rng))
        if start is None or not system.inside(start):
            continue
        if any(_near_polyline(start, path) for path in traced):
            continue
        nullity = system.nullity(start)
        if nullity >= 2:
            return SupportCurves(
                tuple(curves),
                False,
                f"the equilibria on support {system.support} form a set of dimension {nullity}",
            )
        if nullity == 0:
            continue  # an isolated solution: support enumeration certifies those
        path = system.trace(start)
        if path is None:
            problem = f"a curve on support {system.support} could not be traced"
            return SupportCurves(
                tuple(curves), False, OUT_OF_TIME if system.deadline.hit else problem
            )
        traced.append(path)
        paths.append(np.array([np.concatenate(system.profile(z)) for z in path]))
        curves.append(system.component(path))
    return SupportCurves(tuple(curves), True, None, tuple(paths))


def curves_between(
    norm: FloatArray,
    profiles: Sequence[Profile],
    tol: float,
    deadline: Deadline | None = None,
) -> CurveLinks:
    """Curves of equilibria, on which two or more players mix, that join listed equilibria.

    An end of such a curve is an equilibrium at which every strategy of the curve's support
    profile is a best response (by continuity), so the support profile lies between the end's
    support and its best responses. Every such support profile of every listed equilibrium with
    two or more mixers is traced (:func:`trace_support_curves`).

    Parameters
    ----------
    norm
        Payoff tensor ``(n_1, ..., n_N, N)`` with each player's payoffs in ``[0, 1]``.
    profiles
        Equilibria, each one probability vector per player.
    tol
        Regret tolerance of the checks.
    deadline
        Checked before each support profile and each continuation step; when it runs out, the
        links found so far are returned, incomplete. ``None``: no bound.

    Returns
    -------
    CurveLinks
        The curves whose two ends are listed, and whether every candidate was traced.

    Examples
    --------
    The curve ``x y = 1/4`` (player 3 at one half) joins two equilibria where one of the first
    two players is pure:

    >>> import numpy as np
    >>> u = np.zeros((2, 2, 2, 3))
    >>> u[0, :, 0, 0], u[1, :, :, 0] = 1, 0.5
    >>> u[:, 0, 0, 1], u[:, 1, :, 1] = 1, 0.5
    >>> u[0, 0, 0, 2], u[:, :, 1, 2] = 1, 0.25
    >>> half = np.array([0.5, 0.5])
    >>> ends = [(np.array([0.25, 0.75]), np.eye(2)[0], half),
    ...         (np.eye(2)[0], np.array([0.25, 0.75]), half)]
    >>> found = curves_between(u, ends, 1e-9)
    >>> [(a, b, curve.shape) for a, b, curve in found.links], found.complete
    ([(0, 1, 'curve')], True)
    """
    deadline = deadline or Deadline(None)
    if norm.shape[-1] < 2 or not profiles:
        return CurveLinks(())
    supports = _candidate_supports(norm, profiles)
    if len(supports) > MAX_SUPPORTS:
        return CurveLinks((), False, f"more than {MAX_SUPPORTS} support profiles to trace")
    flat = np.array([np.concatenate(p) for p in profiles])
    links: dict[tuple[int, int], CurveComponent] = {}
    problem = None
    for support, starts in supports.items():
        if deadline.expired():
            problem = OUT_OF_TIME
            break
        system = _SupportSystem(norm, support, tol, deadline)
        curves: list[CurveComponent] = []
        for start in starts:
            traced = system.curve_from(start)
            if traced is None:
                # No single direction out of the end: search the support from spread points.
                found = trace_support_curves(norm, support, tol, deadline=deadline)
                problem = problem or found.problem
                curves = list(found.curves)
                break
            curves.extend(traced)
        for curve in curves:
            if not curve.ends:
                continue
            ends = [_listed(flat, np.concatenate(end)) for end in curve.ends]
            if ends[0] is not None and ends[1] is not None and ends[0] != ends[1]:
                a, b = sorted((ends[0], ends[1]))
                links.setdefault((a, b), curve)
    joined = tuple((a, b, curve) for (a, b), curve in links.items())
    return CurveLinks(joined, problem is None, problem)


def _candidate_supports(
    norm: FloatArray, profiles: Sequence[Profile]
) -> dict[tuple[tuple[int, ...], ...], list[FloatArray]]:
    """Support profiles between an equilibrium's support and its best responses, 2+ mixers.

    Each with the listed equilibria that solve its equations with a singular Jacobian, as
    vectors of the support's probabilities: if the Jacobian is regular there, the equilibrium
    is an isolated solution, and no curve of solutions on the support reaches it.
    """
    found: dict[tuple[tuple[int, ...], ...], list[FloatArray]] = {}
    for profile in profiles:
        payoffs = strategy_payoffs(norm, profile)
        options = []
        for x, v in zip(profile, payoffs, strict=True):
            played = [int(s) for s in np.flatnonzero(x > _SAME_POINT)]
            ties = [int(s) for s in np.flatnonzero(v >= v.max() - _TIE) if s not in played]
            options.append(
                [
                    tuple(sorted(played + list(extra)))
                    for size in range(len(ties) + 1)
                    for extra in itertools.combinations(ties, size)
                ]
            )
        for support in itertools.product(*options):
            if sum(len(s) > 1 for s in support) < 2:
                continue
            system = _SupportSystem(norm, support, 1.0)
            at = np.concatenate([x[list(s)] for x, s in zip(profile, support, strict=True)])
            if system.nullity(at) == 0:
                continue
            found.setdefault(support, []).append(at)
            if len(found) > MAX_SUPPORTS:
                return found
    return found


def _listed(flat: FloatArray, point: FloatArray) -> int | None:
    distance = np.max(np.abs(flat - point), axis=1)
    k = int(np.argmin(distance))
    return k if distance[k] <= _SAME_POINT else None


def _near_polyline(point: FloatArray, path: FloatArray) -> bool:
    """Whether ``point`` lies within a small fraction of a step of the polyline ``path``."""
    a, b = path[:-1], path[1:]
    d = b - a
    length = np.maximum(np.einsum("ij,ij->i", d, d), 1e-300)
    t = np.clip(np.einsum("ij,ij->i", point - a, d) / length, 0.0, 1.0)
    distance = np.linalg.norm(a + t[:, None] * d - point, axis=1)
    return bool(np.min(distance) <= STEP * 1e-2) if len(path) > 1 else False


class _SupportSystem:
    """The indifference equations of one support profile, over the support's probabilities."""

    def __init__(
        self,
        norm: FloatArray,
        support: Sequence[Sequence[int]],
        tol: float,
        deadline: Deadline | None = None,
    ) -> None:
        self.norm = norm
        self.deadline = deadline or Deadline(None)
        self.tol = tol
        self.shape = norm.shape[:-1]
        self.support = tuple(tuple(int(s) for s in strategies) for strategies in support)
        sizes = [len(s) for s in self.support]
        self.offsets = np.concatenate(([0], np.cumsum(sizes))).astype(int)
        n_players = len(self.support)
        # Per ordered pair (i, j): the axes the Jacobian's block contracts, and its cut.
        self._pairs = [
            (i, j, [k for k in range(n_players) if k not in (i, j)], np.ix_(own, other))
            for i, own in enumerate(self.support)
            for j, other in enumerate(self.support)
            if j != i
        ]

    @cached_property
    def scaled(self) -> ScaledPayoffs:
        # Mapped when a point is first checked: most systems only have their rank measured.
        return ScaledPayoffs.of(self.norm)

    def profile(self, z: FloatArray) -> Profile:
        mixtures = []
        for i, strategies in enumerate(self.support):
            x = np.zeros(self.shape[i])
            x[list(strategies)] = z[self.offsets[i] : self.offsets[i + 1]]
            mixtures.append(x)
        return tuple(mixtures)

    def residual(self, z: FloatArray) -> FloatArray:
        payoffs = strategy_payoffs(self.norm, self.profile(z))
        rows = []
        for i, strategies in enumerate(self.support):
            own = payoffs[i][list(strategies)]
            rows.extend(own[1:] - own[0])
            rows.append(z[self.offsets[i] : self.offsets[i + 1]].sum() - 1.0)
        return np.array(rows)

    def jacobian(self, z: FloatArray) -> FloatArray:
        # Payoffs are linear in each player's mixture, so player i's rows against player j's
        # probabilities are i's payoffs with i and j pure and the others mixing (zero for j = i,
        # whose own rows do not depend on its mixture); one contraction per pair of players.
        base = self.profile(z)
        axes = list(range(len(self.support)))
        jac = np.zeros((self.offsets[-1], self.offsets[-1]))
        for i in axes:
            jac[self.offsets[i + 1] - 1, self.offsets[i] : self.offsets[i + 1]] = 1.0  # sum row
        for i, j, others, cut in self._pairs:
            operands: list[Any] = [self.norm[..., i], axes]
            for k in others:
                operands += [base[k], [k]]
            table = np.einsum(*operands, [i, j])[cut]
            rows = slice(self.offsets[i], self.offsets[i + 1] - 1)
            jac[rows, self.offsets[j] : self.offsets[j + 1]] = table[1:] - table[0]
        return jac

    def random_point(self, rng: np.random.Generator) -> FloatArray:
        return np.concatenate([rng.dirichlet(np.ones(len(s))) for s in self.support])

    def corrected(self, z: FloatArray) -> FloatArray | None:
        """Gauss-Newton (least-change) steps on to the solution set, or ``None``."""
        for _ in range(25):
            r = self.residual(z)
            if np.max(np.abs(r)) <= _ON_SET:
                return z
            z = z - np.linalg.lstsq(self.jacobian(z), r, rcond=None)[0]
            if not np.all(np.isfinite(z)) or np.max(np.abs(z)) > 1e6:
                return None
        return z if np.max(np.abs(self.residual(z))) <= 1e3 * _ON_SET else None

    def inside(self, z: FloatArray) -> bool:
        """Whether ``z`` is an equilibrium with the whole support played."""
        return bool(np.min(z) > 1e-9) and self.scaled.is_equilibrium(self.profile(z), self.tol)

    def feasible(self, z: FloatArray) -> bool:
        return bool(np.min(z) >= -1e-12) and self.scaled.is_equilibrium(
            self.profile(np.clip(z, 0.0, None)), self.tol
        )

    def nullity(self, z: FloatArray) -> int:
        singular = np.linalg.svd(self.jacobian(z), compute_uv=False)
        return int(np.sum(singular <= _RANK_TOL * max(1.0, singular[0])))

    def tangent(self, z: FloatArray, previous: FloatArray | None) -> FloatArray:
        t: FloatArray = np.linalg.svd(self.jacobian(z))[2][-1]
        if previous is not None and t @ previous < 0:
            t = -t
        return t

    def curve_from(self, end: FloatArray) -> list[CurveComponent] | None:
        """The curves of equilibria leaving ``end`` into the support's relative interior.

        ``None`` when the Jacobian at ``end`` has more than one null direction (no single
        tangent to follow), or a trace fails or runs out of time.
        """
        if self.nullity(end) != 1:
            return None
        tangent = self.tangent(end, None)
        curves = []
        for direction in (tangent, -tangent):
            ahead = self.corrected(end + STEP * direction)
            if ahead is None or not self.inside(ahead):
                continue
            path = self.trace(ahead)
            if path is None:
                return None
            curves.append(self.component(path))
        return curves

    def trace(self, start: FloatArray) -> FloatArray | None:
        """The curve through ``start`` as a polyline from one end to the other, or ``None``."""
        halves: list[list[FloatArray]] = []
        first = self.tangent(start, None)
        for direction in (first, -first):
            half = self._half(start, direction)
            if half is None:
                return None
            if isinstance(half, str):  # "closed"
                loop = None if halves else self._loop(start, first)
                return None if loop is None else np.array(loop)
            halves.append(half)
        return np.array([*halves[1][::-1], start, *halves[0]])

    def _loop(self, start: FloatArray, direction: FloatArray) -> list[FloatArray] | None:
        """A closed curve through ``start`` once round, or ``None`` if it does not close."""
        points, z, t = [start], start, direction
        for k in range(MAX_STEPS):
            if self.deadline.expired():
                return None
            t = self.tangent(z, t)
            ahead = self.corrected(z + STEP * t)
            if ahead is None:
                return None
            if k > 2 and np.linalg.norm(ahead - start) < STEP / 2:
                return [*points, start]
            points.append(ahead)
            z = ahead
        return None

    def _half(self, start: FloatArray, direction: FloatArray) -> list[FloatArray] | str | None:
        """Points from ``start`` (excluded) to the end in ``direction``; ``"closed"`` for a loop."""
        points: list[FloatArray] = []
        z, t = start, direction
        for k in range(MAX_STEPS):
            if self.deadline.expired():
                return None
            t = self.tangent(z, t)
            ahead = self.corrected(z + STEP * t)
            if ahead is not None and self.feasible(ahead):
                if k > 2 and np.linalg.norm(ahead - start) < STEP / 2:
                    return "closed"
                points.append(ahead)
                z = ahead
                continue
            end = self._end(z, t)
            if end is None:
                return None
            points.append(end)
            return points
        return None

    def _end(self, z: FloatArray, t: FloatArray) -> FloatArray | None:
        """The last equilibrium between ``z`` and one step ahead, by bisection on the step."""
        low, high, best = 0.0, STEP, self._on_simplices(z)
        for _ in range(48):
            middle = (low + high) / 2
            point = self.corrected(z + middle * t)
            # The point tested is the point kept: bisection ends on the edge of the tolerance,
            # where renormalising afterwards could tip the check.
            if point is not None and np.min(point) >= -1e-12:
                point = self._on_simplices(point)
                if self.feasible(point):
                    low, best = middle, point
                    continue
            high = middle
        profile = self.profile(best)
        if not self.scaled.is_equilibrium(profile, self.tol) or not self._on_edge(profile):
            return None
        return best

    def _on_simplices(self, z: FloatArray) -> FloatArray:
        best = np.clip(z, 0.0, None)
        for i in range(len(self.support)):
            block = slice(self.offsets[i], self.offsets[i + 1])
            best[block] /= best[block].sum()
        return best

    def _on_edge(self, profile: Profile) -> bool:
        """Whether a support probability is zero or a strategy outside the support ties."""
        payoffs = strategy_payoffs(self.norm, profile)
        for x, v, strategies in zip(profile, payoffs, self.support, strict=True):
            outside = np.setdiff1d(np.arange(len(x)), strategies)
            if np.min(x[list(strategies)]) <= 1e-7:
                return True
            if len(outside) and np.max(v[outside]) >= np.max(v) - 1e-7:
                return True
        return False

    def component(self, path: FloatArray) -> CurveComponent:
        closed = np.allclose(path[0], path[-1])
        arc = np.concatenate(([0.0], np.cumsum(np.linalg.norm(np.diff(path, axis=0), axis=1))))
        marks = np.searchsorted(arc, np.linspace(0.0, arc[-1], N_SAMPLES), side="left")
        picked = [path[min(k, len(path) - 1)] for k in marks]
        picked[0], picked[-1] = path[0], path[-1]
        # Points within rounding of a face (a probability of -1e-12) are put on it, and every
        # point on its simplices (a traced point sums to one only within the corrector's slack).
        samples = tuple(on_simplices(self.profile(z)) for z in picked)
        straight = _collinear(path)
        shape = "closed curve" if closed else ("segment" if straight else "curve")
        ends = () if closed else (samples[0], samples[-1])
        return CurveComponent(self.support, ends, samples, shape)


def _collinear(path: FloatArray) -> bool:
    """Whether every point of ``path`` lies on the line through its ends (to 1e-7)."""
    direction = path[-1] - path[0]
    length = np.linalg.norm(direction)
    if length == 0:
        return False
    offsets = path - path[0]
    along = offsets @ (direction / length)
    off_line = offsets - np.outer(along, direction / length)
    return bool(np.max(np.linalg.norm(off_line, axis=1)) <= 1e-7)
