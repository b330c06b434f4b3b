"""Mixed Nash equilibria of N-player games by support enumeration.

A mixed profile is a Nash equilibrium exactly when, for every player, all strategies in the
player's support earn the same payoff and no strategy outside it earns more. Fixing the supports
therefore turns the search into a system of polynomial equations; enumerating the support
profiles and solving each system finds the equilibria. See :func:`support_enumeration`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.deadline import Deadline
from kurilsim.core.errors import InputError
from kurilsim.core.tolerance import DEFAULT_TOL
from kurilsim.forms.normal.pure_nash import pure_nash
from kurilsim.forms.normal.regret import (
    FloatArray,
    indifferent_everywhere,
    is_equilibrium,
    normalised_payoffs,
)
from kurilsim.forms.normal.single_mixer import single_mixer_polytopes

#: Random starting points of the nonlinear solve (three or more players mix) per unknown
#: probability of the support profile (less one per mixer), besides the support's centroid.
STARTS_PER_DIMENSION = 16

#: Two equilibria are reported once when no probability differs by more than this.
DEDUPE_TOL = 1e-6

#: How far outside ``[0, 1]`` an iterate of the nonlinear solve may go before it is given up.
_BOX_MARGIN = 10.0

IntArray = NDArray[np.intp]

# A support profile lists, per player, the strategy indices the player may use.
Support = tuple[tuple[int, ...], ...]


def support_enumeration(
    payoffs: FloatArray,
    tol: float = DEFAULT_TOL,
    max_seconds: float | None = 60.0,
    seed: int = 0,
) -> tuple[list[tuple[FloatArray, ...]], bool]:
    """Find the Nash equilibria of a finite N-player game by enumerating support profiles.

    The method follows the support-enumeration search of Porter, Nudelman and Shoham [1]_,
    changed from stopping at the first equilibrium to visiting every support profile:

    1. Each player's payoffs are mapped to ``[0, 1]`` by a positive affine map, which leaves the
       equilibria unchanged, so the method behaves alike at any payoff scale.
    2. Every pure profile is tested at once (vectorised); pure equilibria are always all found.
       Equilibria in which exactly one player mixes form polytopes (the others' pure strategies
       fixed, the mixer's indifference puts no condition on the mixture): their vertices are
       listed by :func:`~kurilsim.forms.normal.single_mixer.single_mixer_polytopes`, so such a
       continuum is reported by its extreme points, not by arbitrary points of it, and support
       profiles with a single mixer are not visited again.
    3. Support profiles are visited small and balanced first: ordered by the total support size
       and then by the spread of the sizes (for two players, by the spread first, as in [1]_).
       Each player's support is chosen in turn, and after each choice strategies that are
       strictly dominated given the supports chosen so far and the remaining candidates of the
       others are removed, iterated; a branch whose chosen support loses a strategy, or whose
       candidates run short, is cut.
    4. On a support profile, the players who mix must be indifferent among their support:
       ``u_i(a, x_{-i}) = v_i`` for every ``a`` in ``S_i`` and ``sum(x_i) = 1``. The system is
       square and multilinear. When at most two players mix it is linear and is solved exactly
       by least squares (which also picks one point of a continuum in degenerate games). When
       three or more mix it is solved by :func:`scipy.optimize.root` (MINPACK's ``hybrj``) with
       the analytic Jacobian, from the support's centroid and from
       :data:`STARTS_PER_DIMENSION` starting points per free probability, drawn uniformly on
       the simplices by a generator seeded with ``seed`` and the support profile; a start whose
       iterate wanders far outside the simplices is abandoned.
    5. A solution is polished by a few Newton steps and kept if its residual is at most
       ``tol`` and its probabilities are at least ``-tol`` (then clipped and renormalised),
       and if no player gains by any deviation, inside or outside the support, more than
       ``tol`` times the range of their own payoffs (the package's regret check, so that
       rescaling one player's payoffs changes nothing). Profiles within :data:`DEDUPE_TOL` of one
       already found are dropped.

    Every returned profile passes both regret checks. Pure equilibria are all found. An
    equilibrium whose support system has a nonsingular Jacobian there (a regular equilibrium,
    as in a nondegenerate game) is found for certain, up to rounding in ill-conditioned
    systems, when at most two players mix on it; so every equilibrium of a nondegenerate
    two-player game is found. When three or more players mix the solve is local and the
    answer is not guaranteed complete. If the system has several isolated solutions, one that
    no starting point reaches is missed: with the defaults no miss was seen in 30 four-player
    two-strategy games built to have the maximal nine totally mixed equilibria [2]_, but fewer
    starting points do miss some. Continua on which one player mixes are reported by their
    extreme points (step 2). If the system of a support on which two or more players mix has a
    continuum of solutions, as degenerate games can, only some of its points are returned. A
    generic game has an odd number of equilibria [3]_, so an even count from a generic game
    reveals a miss.

    The cost grows with the number of support profiles on which three or more players mix:
    a three-player 3x3x3 game takes seconds, a 4x4x4 game about a minute.

    Parameters
    ----------
    payoffs
        Payoff tensor of shape ``(n_1, ..., n_N, N)`` with ``N >= 2``; ``payoffs[s_1, ..., s_N,
        i]`` is player ``i``'s payoff when each player ``j`` plays ``s_j``.
    tol
        Relative tolerance (positive): of the regret check (multiplied by each player's payoff
        range), of the residual of the
        indifference equations and of the probabilities (in the normalised game), and the
        margin by which a strategy must be beaten to count as strictly dominated.
    max_seconds
        Wall-clock budget; ``None`` for none. When it runs out the search stops before the next
        support profile (or starting point) and the equilibria found so far are returned.
    seed
        Non-negative seed of the starting points of the nonlinear solves.

    Returns
    -------
    equilibria : list of tuple of ndarray
        The equilibria found, each a tuple of one probability vector per player. Pure equilibria
        come first in lexicographic order of the strategy indices, then the others in the order
        their support profiles were visited. The order is deterministic.
    complete : bool
        ``False`` if ``max_seconds`` ran out before every support profile was examined.

    Raises
    ------
    InputError
        If the payoff array is not of shape ``(n_1, ..., n_N, N)`` with ``N >= 2`` and every
        ``n_i >= 1``, or holds a non-finite number, or ``tol``, ``max_seconds`` or ``seed`` is
        out of range.

    References
    ----------
    .. [1] R. Porter, E. Nudelman and Y. Shoham, "Simple search methods for finding a Nash
       equilibrium", *Games and Economic Behavior* 63(2), 642-662, 2008.
    .. [2] R. D. McKelvey and A. McLennan, "The maximal number of regular totally mixed Nash
       equilibria", *Journal of Economic Theory* 72(2), 411-425, 1997.
    .. [3] R. Wilson, "Computing equilibria of N-person games", *SIAM Journal on Applied
       Mathematics* 21(1), 80-87, 1971.

    Examples
    --------
    Battle of the sexes has two pure equilibria and one mixed:

    >>> import numpy as np
    >>> bos = np.array([[[2, 1], [0, 0]], [[0, 0], [1, 2]]], dtype=float)
    >>> equilibria, complete = support_enumeration(bos)
    >>> complete
    True
    >>> for profile in equilibria:
    ...     print([np.round(x, 4).tolist() for x in profile])
    [[1.0, 0.0], [1.0, 0.0]]
    [[0.0, 1.0], [0.0, 1.0]]
    [[0.6667, 0.3333], [0.3333, 0.6667]]

    In the three-player game of Jordan (1993), player 1 wants to match player 2, player 2 to
    match player 3 and player 3 to mismatch player 1; the only equilibrium is fully mixed:

    >>> match = np.eye(2)
    >>> u = np.zeros((2, 2, 2, 3))
    >>> u[..., 0] = match[:, :, None]  # player 1 matches player 2
    >>> u[..., 1] = match[None, :, :]  # player 2 matches player 3
    >>> u[..., 2] = 1 - match[:, None, :]  # player 3 mismatches player 1
    >>> equilibria, _ = support_enumeration(u)
    >>> [np.round(x, 6).tolist() for x in equilibria[0]], len(equilibria)
    ([[0.5, 0.5], [0.5, 0.5], [0.5, 0.5]], 1)
    """
    payoffs = _checked_payoffs(payoffs, tol, max_seconds, seed)
    deadline = Deadline(max_seconds)
    norm = normalised_payoffs(payoffs)
    found = _Equilibria(norm, tol)
    # On the normalised game every player's range is 1, so ``tol`` is already relative.
    eye = [np.eye(n) for n in norm.shape[:-1]]
    for cell in pure_nash(norm, tol):
        found.add(tuple(eye[i][s] for i, s in enumerate(cell)))
    if indifferent_everywhere(norm, tol):
        # Every profile is an equilibrium: the pure ones are the extreme points of the one
        # component, and every support would give a continuum of solutions.
        return found.profiles, True

    # Equilibria where one player mixes form polytopes; their vertices are listed instead.
    polytopes, enumerated = single_mixer_polytopes(norm, tol)
    for vertices in polytopes:
        for profile in vertices:
            found.add(profile)
    shape = norm.shape[:-1]
    domains = _undominated(norm, [np.arange(n) for n in shape], 0, [1] * len(shape), tol)
    assert domains is not None  # a best reply is never dominated, so no domain empties
    for sizes in _size_profiles([len(d) for d in domains]):
        if sum(k > 1 for k in sizes) < 2:
            continue  # pure profiles and single mixers were all found above
        for support in _supports(norm, domains, sizes, tol, deadline):
            rng = np.random.default_rng([seed, *(_bitmask(s) for s in support)])
            for x in _solve_support(norm, support, tol, rng, deadline):
                found.add(_full_profile(x, support, shape))
    return found.profiles, enumerated and not deadline.hit


class _Equilibria:
    """The verified, deduplicated equilibria found so far, in the order they were found.

    A profile is kept if it passes the package's regret check
    (:func:`~kurilsim.forms.normal.regret.is_equilibrium`): no player gains more than ``tol``
    times the range of their own payoffs, so the result is independent of how each player's
    payoffs are scaled.
    """

    def __init__(self, norm: FloatArray, tol: float) -> None:
        self._norm = norm
        self._tol = tol
        self._flat: list[FloatArray] = []
        self.profiles: list[tuple[FloatArray, ...]] = []

    def add(self, profile: tuple[FloatArray, ...]) -> None:
        flat = np.concatenate(profile)
        if self._flat and np.min(np.max(np.abs(np.array(self._flat) - flat), axis=1)) <= (
            DEDUPE_TOL
        ):
            return
        if not is_equilibrium(self._norm, profile, self._tol):
            return
        self._flat.append(flat)
        self.profiles.append(profile)


def _checked_payoffs(
    payoffs: FloatArray, tol: float, max_seconds: float | None, seed: int
) -> FloatArray:
    try:
        array = np.asarray(payoffs, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise InputError(f"payoffs must be an array of numbers: {error}") from None
    if array.ndim < 3 or array.shape[-1] != array.ndim - 1:
        raise InputError(
            f"payoffs must have shape (n_1, ..., n_N, N) with N >= 2, got shape {array.shape}"
        )
    if min(array.shape) < 1:
        raise InputError(f"every player needs at least one strategy, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise InputError("payoffs must be finite numbers (found NaN or infinity)")
    if not (math.isfinite(tol) and tol > 0):
        raise InputError(f"tol must be a positive number, got {tol}")
    if max_seconds is not None and not max_seconds >= 0:
        raise InputError(f"max_seconds must be None or a number >= 0, got {max_seconds}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise InputError(f"seed must be a non-negative integer, got {seed!r}")
    return array


def _undominated(
    norm: FloatArray,
    domains: Sequence[IntArray],
    n_fixed: int,
    needed: Sequence[int],
    tol: float,
) -> list[IntArray] | None:
    """Remove strategies strictly dominated given the others' candidates, iterated.

    A strategy beaten by more than ``tol`` by some pure strategy (any of the player's, inside
    the candidates or not) against every profile of the others' candidates is never a best
    reply, so it lies in no equilibrium's support. The first ``n_fixed`` players' candidates
    are their chosen supports: losing one of them returns ``None``, and so does a player left
    with fewer than ``needed`` candidates.
    """
    current = list(domains)
    changed = True
    while changed:
        changed = False
        for i in range(len(current)):
            index = list(current)
            index[i] = np.arange(norm.shape[i])
            table = np.moveaxis(norm[np.ix_(*index)][..., i], i, 0)
            table = table.reshape(norm.shape[i], -1)[:, None, :]
            beaten = np.all(table > table[current[i]].swapaxes(0, 1) + tol, axis=2)
            dominated = np.any(beaten, axis=0)
            if np.any(dominated):
                current[i] = current[i][~dominated]
                if i < n_fixed or len(current[i]) < needed[i]:
                    return None
                changed = True
    return current


def _size_profiles(n_candidates: Sequence[int]) -> list[tuple[int, ...]]:
    """Support-size profiles, small and balanced first, in the order of Porter et al."""
    profiles = list(itertools.product(*(range(1, n + 1) for n in n_candidates)))
    if len(n_candidates) == 2:
        return sorted(profiles, key=lambda k: (abs(k[0] - k[1]), sum(k), k))
    return sorted(profiles, key=lambda k: (sum(k), max(k) - min(k), k))


def _supports(
    norm: FloatArray,
    domains: list[IntArray],
    sizes: tuple[int, ...],
    tol: float,
    deadline: Deadline,
    chosen: Support = (),
) -> Iterator[Support]:
    """Support profiles of the given sizes that survive conditional dominance (backtracking)."""
    i = len(chosen)
    if i == len(sizes):
        yield chosen
        return
    for subset in itertools.combinations(domains[i].tolist(), sizes[i]):
        if deadline.expired():
            return
        trial = [*domains[:i], np.array(subset), *domains[i + 1 :]]
        pruned = _undominated(norm, trial, i + 1, sizes, tol)
        if pruned is not None:
            yield from _supports(norm, pruned, sizes, tol, deadline, (*chosen, subset))


def _bitmask(strategies: tuple[int, ...]) -> int:
    return sum(1 << s for s in strategies)


def _full_profile(
    x: FloatArray, support: Support, shape: tuple[int, ...]
) -> tuple[FloatArray, ...]:
    """Spread solved probabilities (mixers only, concatenated) over all strategies."""
    profile = []
    offset = 0
    for strategies, n in zip(support, shape, strict=True):
        probabilities = np.zeros(n)
        if len(strategies) == 1:
            probabilities[strategies[0]] = 1.0
        else:
            probabilities[list(strategies)] = x[offset : offset + len(strategies)]
            offset += len(strategies)
        profile.append(probabilities)
    return tuple(profile)


class _IndifferenceSystem:
    """The equations of one support profile in the unknowns ``z = (x, v)``.

    ``x`` concatenates the probabilities of the players who mix (the *mixers*, on their
    supports) and ``v`` their payoffs. For mixer ``r`` the rows are ``u_r(a, x_{-r}) - v_r``
    for ``a`` in ``S_r``, then one row ``sum(x_r) - 1`` per mixer: a square system, multilinear
    in the ``x_r``. Evaluation is vectorised over the cells of the support profile.
    """

    def __init__(self, norm: FloatArray, support: Support) -> None:
        mixers = [i for i, s in enumerate(support) if len(s) > 1]
        self.sizes = [len(support[i]) for i in mixers]
        n_mixers = len(mixers)
        sub = norm[np.ix_(*(np.array(s) for s in support))]
        # The pure players' axes have length 1 and are dropped.
        sub = sub.reshape((*self.sizes, norm.shape[-1]))
        self.offsets = np.concatenate(([0], np.cumsum(self.sizes))).astype(int)
        n_x = int(self.offsets[-1])
        self.n_probabilities = n_x
        self.dimension = n_x + n_mixers
        #: The mixer that each entry of ``x`` belongs to.
        self.owner = np.repeat(np.arange(n_mixers), self.sizes)
        # Cell c of the support profile: mixer r's payoff there and where r's strategy sits in x.
        self._weights = sub[..., mixers].reshape(-1, n_mixers)
        self._position = np.indices(self.sizes).reshape(n_mixers, -1).T + self.offsets[:-1]
        # _keep[r, s, t]: whether x_t is a factor of d u_r / d x_s (r == s: of u_r itself).
        t = np.arange(n_mixers)
        self._keep = (t != t[:, None, None]) & (t != t[None, :, None])
        # Where term (c, r, s) is summed: u_r's value at x's entry for r (r == s), else the
        # Jacobian entry (r's row, s's column), stored after the values.
        rows, columns = self._position[:, :, None], self._position[:, None, :]
        self._target = np.where(t[:, None] == t[None, :], rows, n_x + rows * n_x + columns).ravel()
        self._constant_jacobian = np.zeros((self.dimension, self.dimension))
        self._constant_jacobian[np.arange(n_x), n_x + self.owner] = -1.0
        self._constant_jacobian[n_x + self.owner, np.arange(n_x)] = 1.0

    @property
    def is_linear(self) -> bool:
        # Each mixer's equations involve only the other mixers' probabilities.
        return len(self.sizes) <= 2

    def payoffs_and_derivatives(self, x: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Each mixer's payoff from each support strategy, and their derivatives in ``x``."""
        factors = np.where(self._keep, x[self._position][:, None, None, :], 1.0)
        terms = self._weights[:, :, None] * np.multiply.reduce(factors, axis=-1)
        n_x = self.n_probabilities
        # With weights, bincount sums floats.
        sums = np.asarray(
            np.bincount(self._target, weights=terms.ravel(), minlength=n_x + n_x * n_x),
            dtype=np.float64,
        )
        return sums[:n_x], sums[n_x:].reshape(n_x, n_x)

    def __call__(self, z: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Residual and Jacobian at ``z``."""
        n_x = self.n_probabilities
        x, v = z[:n_x], z[n_x:]
        values, derivatives = self.payoffs_and_derivatives(x)
        sums = np.bincount(self.owner, weights=x, minlength=len(self.sizes))
        residual = np.concatenate((values - v[self.owner], sums - 1.0))
        jacobian = self._constant_jacobian.copy()
        jacobian[:n_x, :n_x] = derivatives
        return residual, jacobian

    def start(self, x: FloatArray) -> FloatArray:
        """The point with probabilities ``x`` and each mixer's expected payoff at them."""
        values, _ = self.payoffs_and_derivatives(x)
        payoffs = np.bincount(self.owner, weights=values * x, minlength=len(self.sizes))
        return np.concatenate((x, payoffs))


class _LeftBox(Exception):
    """The solver's iterate left the box around the simplices (or became NaN)."""


class _Boxed:
    """An :class:`_IndifferenceSystem` that stops the solver once it wanders off.

    Equilibria have probabilities and (normalised) payoffs in ``[0, 1]``. An iterate more than
    :data:`_BOX_MARGIN` outside that range is heading for a solution that is no equilibrium,
    or for infinity, where products of probabilities would overflow; evaluating it raises
    :class:`_LeftBox`, which ends that start.
    """

    def __init__(self, system: _IndifferenceSystem) -> None:
        self.system = system

    def __call__(self, z: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Residual and Jacobian at ``z``."""
        if not np.max(np.abs(z - 0.5)) <= 0.5 + _BOX_MARGIN:  # also true for NaN
            raise _LeftBox
        return self.system(z)


def _solve_support(
    norm: FloatArray, support: Support, tol: float, rng: np.random.Generator, deadline: Deadline
) -> list[FloatArray]:
    """Probability vectors (mixers only, concatenated) solving the support's equations."""
    system = _IndifferenceSystem(norm, support)
    centroid = np.concatenate([np.full(k, 1.0 / k) for k in system.sizes])
    if system.is_linear:
        z0 = system.start(centroid)
        residual, jacobian = system(z0)
        # The system is affine, so one least-squares Newton step solves it.
        candidates = [z0 - np.linalg.lstsq(jacobian, residual)[0]]
    else:
        n_starts = STARTS_PER_DIMENSION * (system.n_probabilities - len(system.sizes))
        starts = [centroid] + [
            np.concatenate([rng.dirichlet(np.ones(k)) for k in system.sizes])
            for _ in range(n_starts)
        ]
        # Imported here: it takes a third of a second, and only three or more mixers need it.
        from scipy import optimize

        boxed = _Boxed(system)
        candidates = []
        for x0 in starts:
            if deadline.expired():
                break
            try:
                fit = optimize.root(
                    boxed, system.start(x0), jac=True, method="hybr", options={"xtol": 1e-12}
                )
            except _LeftBox:
                continue
            candidates.append(fit.x)
    solutions: list[FloatArray] = []
    for z in candidates:
        z = _polished(system, z)
        x = z[: system.n_probabilities]
        if np.max(np.abs(system(z)[0])) > tol or np.min(x) < -tol:
            continue
        x = np.clip(x, 0.0, None)
        x /= np.bincount(system.owner, weights=x)[system.owner]
        # Many starts reach the same root; keep one of each.
        if all(np.max(np.abs(x - y)) > DEDUPE_TOL for y in solutions):
            solutions.append(x)
    return solutions


def _polished(system: _IndifferenceSystem, z: FloatArray, steps: int = 3) -> FloatArray:
    """Refine a near-solution by Newton steps, keeping only steps that lower the residual."""
    residual, jacobian = system(z)
    error = np.max(np.abs(residual))
    for _ in range(steps):
        step = np.linalg.lstsq(jacobian, residual)[0]
        # A refinement, not a search: a large step means z was not near a solution.
        if not np.max(np.abs(step)) <= 1e-3:
            break
        candidate = z - step
        new_residual, new_jacobian = system(candidate)
        new_error = np.max(np.abs(new_residual))
        if not new_error < error:
            break
        z, residual, jacobian, error = candidate, new_residual, new_jacobian, new_error
    return z
