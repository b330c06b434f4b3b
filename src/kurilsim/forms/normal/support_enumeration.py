"""Mixed Nash equilibria of N-player games by support enumeration.

A mixed profile is a Nash equilibrium exactly when, for every player, all strategies in the
player's support earn the same payoff and no strategy outside it earns more. Fixing the supports
therefore turns the search into a system of polynomial equations; enumerating the support
profiles and solving each system finds the equilibria. See :func:`support_enumeration`.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.deadline import DEFAULT_MAX_SECONDS, Deadline
from kurilsim.core.errors import InputError
from kurilsim.core.result import UNPROVED_CONTINUUM
from kurilsim.core.tolerance import DEFAULT_TOL
from kurilsim.forms.normal.curve_components import trace_support_curves
from kurilsim.forms.normal.pure_nash import pure_profile
from kurilsim.forms.normal.regret import (
    FloatArray,
    ScaledPayoffs,
    indifferent_everywhere,
    normalised_payoffs,
    on_simplices,
)
from kurilsim.forms.normal.single_mixer import single_mixer_polytopes

#: Two equilibria are reported once when no probability differs by more than this.
DEDUPE_TOL = 1e-6
#: How many support profiles are solved in one batch, at the most.
SUPPORTS_PER_CHUNK = 4096
#: Roughly how much memory one batch of support profiles may take.
SUPPORT_BYTES_PER_CHUNK = 256 * 2**20

IntArray = NDArray[np.intp]
BoolArray = NDArray[np.bool_]


def support_enumeration(
    payoffs: FloatArray,
    tol: float = DEFAULT_TOL,
    max_seconds: float | None = DEFAULT_MAX_SECONDS,
) -> tuple[list[tuple[FloatArray, ...]], bool]:
    """Find the Nash equilibria of a finite N-player game by enumerating support profiles.

    The method follows the support-enumeration search of Porter, Nudelman and Shoham [1]_,
    changed from stopping at the first equilibrium to visiting every support profile, with each
    support's polynomial system solved by certified interval subdivision, as Gambit's
    ``enumpoly`` does with its own bounds [2]_:

    1. Each player's payoffs are mapped to ``[0, 1]`` by a positive affine map, which leaves the
       equilibria unchanged, so the method behaves alike at any payoff scale.
    2. Every pure profile is tested at once (vectorised); pure equilibria are always all found.
       Equilibria in which exactly one player mixes form polytopes (the others' pure strategies
       fixed, the mixer's indifference puts no condition on the mixture): their vertices are
       listed by :func:`~kurilsim.forms.normal.single_mixer.single_mixer_polytopes`, so such a
       continuum is reported by its extreme points, not by arbitrary points of it, and support
       profiles with a single mixer are not visited again.
    3. Strategies strictly dominated by a pure strategy are removed, iterated. Every profile of
       supports of the rest in which two or more players mix is then solved by
       :func:`~kurilsim.forms.normal.support_boxes.solve_supports`. Where each mixer mixes two
       strategies and at most four mix, the system is solved directly by elimination
       (:func:`~kurilsim.forms.normal.binary_supports.solve_binary_supports`: a linear
       equation, a quadratic, or a resultant of degree 9), unless it is near a degenerate
       case; so is a support where one player mixes three strategies and one to three others
       mix two
       (:func:`~kurilsim.forms.normal.three_strategy_supports.solve_three_strategy_supports`:
       two lines that meet only if proportional, a quadratic and a null vector, or a resultant
       of degree 12 and a null vector). The others
       are searched at once by subdivision: a support with a strategy beaten
       by another at every pure profile of the others' supports (conditional dominance [1]_)
       goes first; on the others, boxes of probabilities are discarded where
       the exact ranges of the indifference and best-response conditions (reached at the boxes'
       corners, as the conditions are multilinear) exclude an equilibrium, certified by the
       Krawczyk test to hold exactly one solution, or halved, all boxes of all supports in one
       vectorised step.
    4. A solution is kept if no player gains by any deviation, inside or outside the support,
       more than ``tol`` times the range of their own payoffs (the package's regret check, so
       that rescaling one player's payoffs changes nothing). Profiles within :data:`DEDUPE_TOL`
       of one already found are dropped.

    Every returned profile passes the regret check. Every isolated equilibrium whose support
    system is regular there (nonsingular Jacobian, as in a generic game) is found: the
    direct solution finds it as a real root of the eliminant in the unit interval, and leaves
    any support where a root could be double or lost (near a degenerate case) to the
    subdivision, which discards only boxes without an equilibrium and certifies each solution
    it keeps. A singular isolated solution is found as the last small box left. Continua on which
    one player mixes are reported by their extreme points (step 2). If the equilibria on a
    support where two or more players mix form a continuum (a degenerate game), the curves of
    it are traced (:func:`~kurilsim.forms.normal.curve_components.trace_support_curves`) and
    their ends listed, no point inside them; ``complete`` stays ``True`` only if every box the
    subdivision left on that support is proved, by interval arithmetic, to lie along a traced
    curve or to hold no equilibrium
    (:func:`~kurilsim.forms.normal.curve_certificate.curves_cover_leftovers`), and is ``False``
    if the time runs out.

    With two players every support system is linear and its extreme solutions are the vertices
    of the best-response polytopes, so the search is left to
    :func:`~kurilsim.forms.normal.vertex_enumeration.bounded_vertex_enumeration`, which lists
    every extreme equilibrium exactly, degenerate games included, and is far faster.

    Parameters
    ----------
    payoffs
        Payoff tensor of shape ``(n_1, ..., n_N, N)`` with ``N >= 2``; ``payoffs[s_1, ..., s_N,
        i]`` is player ``i``'s payoff when each player ``j`` plays ``s_j``.
    tol
        Relative tolerance (positive): of the regret check (multiplied by each player's payoff
        range), and the margin by which a payoff difference must hold on a whole box of
        probabilities (in the normalised game) to discard it.
    max_seconds
        Wall-clock budget; ``None`` for none. It is checked before each round of the
        subdivision and, within a round, between the blocks of boxes it tests; when it has run
        out the search stops there, the equilibria found so far are returned and ``complete``
        is ``False``.

    Returns
    -------
    equilibria : list of tuple of ndarray
        The equilibria found, each a tuple of one probability vector per player. Pure equilibria
        come first in lexicographic order of the strategy indices, then the vertices of the
        single-mixer polytopes, then the others by support profile (smaller and more balanced
        supports first) and in lexicographic order of the probabilities. The order is
        deterministic.
    complete : bool
        ``False`` if ``max_seconds`` ran out, or a support where two or more players mix holds a
        continuum of equilibria that is not proved to be the traced curves.

    Raises
    ------
    InputError
        If the payoff array is not of shape ``(n_1, ..., n_N, N)`` with ``N >= 2`` and every
        ``n_i >= 1``, or holds a non-finite number, or ``tol`` or ``max_seconds`` is out of
        range.

    References
    ----------
    .. [1] R. Porter, E. Nudelman and Y. Shoham, "Simple search methods for finding a Nash
       equilibrium", *Games and Economic Behavior* 63(2), 642-662, 2008.
    .. [2] R. D. McKelvey and A. McLennan, "Computation of equilibria in finite games", in
       *Handbook of Computational Economics* 1, 87-142, 1996, section 6 (support enumeration
       with polynomial systems, as in Gambit's ``enumpoly``).

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
    equilibria, reason = support_enumeration_with_reason(payoffs, tol, max_seconds)
    return equilibria, reason is None


def support_enumeration_with_reason(
    payoffs: FloatArray,
    tol: float = DEFAULT_TOL,
    max_seconds: float | None = DEFAULT_MAX_SECONDS,
) -> tuple[list[tuple[FloatArray, ...]], str | None]:
    """:func:`support_enumeration`, saying why the listing is incomplete instead of whether.

    The reason (see :attr:`kurilsim.core.result.Result.incomplete_reason`) is ``None`` when
    the listing is complete, ``"max_seconds"`` when the time ran out, ``"limit: continuum
    bases"`` when a polytope of equilibria where one player mixes was too large to
    enumerate, and ``"unproved: continuum"`` when a set of equilibria where two or more players
    mix is not proved to be the traced curves.

    Examples
    --------
    >>> import numpy as np
    >>> bos = np.array([[[2, 1], [0, 0]], [[0, 0], [1, 2]]], dtype=float)
    >>> len(support_enumeration_with_reason(bos)[0]), support_enumeration_with_reason(bos)[1]
    (3, None)
    >>> support_enumeration_with_reason(bos, max_seconds=0)
    ([], 'max_seconds')
    """
    payoffs = _checked_payoffs(payoffs, tol, max_seconds)
    if payoffs.ndim == 3:
        # Two players: every support system is linear, and the vertices of the best-response
        # polytopes are its extreme solutions; enumerating them is exact on degenerate games,
        # where subdividing boxes around a continuum is slow and ends incomplete. Imported here,
        # as the certificate below, so that a game that needs neither does not load them.
        from kurilsim.forms.normal.vertex_enumeration import bounded_vertex_enumeration

        pairs, finished = bounded_vertex_enumeration(payoffs, tol=tol, max_seconds=max_seconds)
        ordered = sorted((tuple(pair) for pair in pairs), key=_support_order)
        return ordered, None if finished else "max_seconds"
    deadline = Deadline(max_seconds)
    norm = normalised_payoffs(payoffs)
    found = _Equilibria(norm, tol)
    # Candidates are checked all at once, in this order, once the supports are solved.
    candidates = found.pure_equilibria()
    if indifferent_everywhere(norm, tol):
        # Every profile is an equilibrium: the pure ones are the extreme points of the one
        # component, and every support would give a continuum of solutions.
        found.add(candidates)
        return found.profiles, None

    # Equilibria where one player mixes form polytopes; their vertices are listed instead.
    polytopes, enumerated = single_mixer_polytopes(norm, tol)
    candidates.extend(profile for vertices in polytopes for profile in vertices)
    domains = _undominated(norm, tol)
    # Strategies strictly dominated, iterated, are in no equilibrium: the supports are solved in
    # the game without them (kept on the whole game's scale), whose systems are smaller.
    reduced = norm[np.ix_(*domains, np.arange(norm.shape[-1]))]
    shape = reduced.shape[:-1]

    def padded(profile: tuple[FloatArray, ...]) -> tuple[FloatArray, ...]:
        full = [np.zeros(n) for n in norm.shape[:-1]]
        for x, domain, mixture in zip(full, domains, profile, strict=True):
            x[domain] = mixture
        return tuple(full)

    roots: list[tuple[int, tuple[FloatArray, ...]]] = []
    continua: list[tuple[list[tuple[int, ...]], tuple[FloatArray, FloatArray]]] = []
    finished = True
    # Support profiles come in chunks, so that a large game neither builds them all at once nor
    # runs past its deadline before the first is solved; supports are solved independently,
    # so the chunks give what one batch would.
    for offset, masks in _support_masks(shape):
        # Imported with the first support profile: where dominance leaves a choice to one
        # player at most, no profile has two or more mixers, and no box solver is needed.
        from kurilsim.forms.normal.support_boxes import solve_supports

        solutions, finished = solve_supports(reduced, masks, tol, deadline)
        roots.extend((offset + k, profile) for k, profile in solutions.roots)
        continua.extend(
            ([tuple(int(s) for s in np.flatnonzero(m[k])) for m in masks], (low, high))
            for k, low, high in solutions.boxes
        )
        if not finished or deadline.expired():
            finished = False
            break
    roots.sort(key=lambda r: (r[0], np.concatenate(r[1]).tolist()))
    found.add([*candidates, *(padded(on_simplices(profile)) for _, profile in roots)])
    proved = True
    for support, boxes in continua:
        from kurilsim.forms.normal.curve_certificate import curves_cover_leftovers

        if deadline.expired():
            finished = False
            break
        traced = trace_support_curves(reduced, support, tol, deadline=deadline)
        # A curve's ends may lie on this support (where an outside strategy comes to tie).
        for curve in traced.curves:
            found.add([padded(on_simplices(end)) for end in curve.ends])
        proved = (
            proved
            and traced.complete
            and curves_cover_leftovers(reduced, support, traced.paths, boxes, tol, deadline)
        )
    if not finished or deadline.hit:
        return found.profiles, "max_seconds"
    if not enumerated:
        return found.profiles, "limit: continuum bases"
    return found.profiles, None if proved else UNPROVED_CONTINUUM


def _support_order(profile: tuple[FloatArray, ...]) -> tuple[Any, ...]:
    """Sort key: pure profiles first by strategy, then by support sizes, then probabilities."""
    sizes = [int(np.count_nonzero(x > DEDUPE_TOL)) for x in profile]
    return (sum(sizes), max(sizes) - min(sizes), [(-x).tolist() for x in profile])


class _Equilibria:
    """The verified, deduplicated equilibria found so far, in the order they were found.

    A profile is kept if it passes the package's regret check
    (:func:`~kurilsim.forms.normal.regret.is_equilibrium`): no player gains more than ``tol``
    times the range of their own payoffs, so the result is independent of how each player's
    payoffs are scaled.
    """

    def __init__(self, norm: FloatArray, tol: float) -> None:
        self._game = ScaledPayoffs.of(norm)
        self._tol = tol
        self._flat: list[FloatArray] = []
        self.profiles: list[tuple[FloatArray, ...]] = []

    def pure_equilibria(self) -> list[tuple[FloatArray, ...]]:
        """Every pure profile that passes the check, in lexicographic order of the strategies.

        The check of :meth:`add` on every pure profile at once: there a player's regret is their
        best payoff against the others' strategies less their own, in the normalised game.
        """
        norm = self._game.normalised
        shape = norm.shape[:-1]
        passed = np.ones(shape, dtype=bool)
        for i in range(len(shape)):
            own = norm[..., i]
            passed &= own.max(axis=i, keepdims=True) - own <= self._tol
        return [pure_profile(shape, cell) for cell in np.argwhere(passed).tolist()]

    def add(self, profiles: Sequence[tuple[FloatArray, ...]]) -> None:
        """Keep each of ``profiles`` in turn that passes the check and is not a repeat."""
        if not profiles:
            return
        # The regret check of all candidates in one vectorised step.
        stacked = [np.array(mixtures) for mixtures in zip(*profiles, strict=True)]
        passed = np.all(self._game.relative_regrets_of_many(stacked) <= self._tol, axis=1)
        for profile, ok in zip(profiles, passed.tolist(), strict=True):
            flat = np.concatenate(profile)
            if not ok or (
                self._flat
                and np.min(np.max(np.abs(np.array(self._flat) - flat), axis=1)) <= DEDUPE_TOL
            ):
                continue
            self._flat.append(flat)
            self.profiles.append(profile)


def _checked_payoffs(payoffs: FloatArray, tol: float, max_seconds: float | None) -> FloatArray:
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
    return array


def _undominated(norm: FloatArray, tol: float) -> list[IntArray]:
    """Remove strategies strictly dominated given the others' candidates, iterated.

    A strategy beaten by more than ``tol`` by some pure strategy (any of the player's, inside
    the candidates or not) against every profile of the others' candidates is never a best
    reply, so it lies in no equilibrium's support.
    """
    shape = norm.shape[:-1]
    current = [np.arange(n) for n in shape]
    # Per player, payoffs (own strategies, profiles of the others') in the whole game.
    tables = [np.moveaxis(norm[..., i], i, 0).reshape(n, -1) for i, n in enumerate(shape)]
    if all(np.all(np.any(t >= t.max(axis=0), axis=1)) for t in tables):
        # Every strategy is a best reply to some profile of the others': none is dominated.
        return current
    whole = True
    changed = True
    while changed:
        changed = False
        for i in range(len(current)):
            if whole:
                table = tables[i]
            else:
                index = list(current)
                index[i] = np.arange(shape[i])
                table = np.moveaxis(norm[np.ix_(*index)][..., i], i, 0).reshape(shape[i], -1)
            beaten = np.all(table[:, None, :] > table[current[i]][None] + tol, axis=2)
            dominated = np.any(beaten, axis=0)
            if np.any(dominated):
                current[i] = current[i][~dominated]
                changed = True
                whole = False
    return current


def _support_masks(shape: tuple[int, ...]) -> Iterable[tuple[int, list[BoolArray]]]:
    """Every support profile of a game of this shape in which two or more players mix, in chunks.

    A game with few support profiles gets them in one chunk, kept between calls; the others
    from :func:`_support_mask_chunks`.
    """
    if math.prod(2**n - 1 for n in shape) <= SUPPORTS_PER_CHUNK:
        return _few_support_masks(shape)
    return _support_mask_chunks(shape, [np.arange(n) for n in shape], SUPPORTS_PER_CHUNK)


@functools.lru_cache(maxsize=16)
def _few_support_masks(shape: tuple[int, ...]) -> tuple[tuple[int, list[BoolArray]], ...]:
    chunks = tuple(_support_mask_chunks(shape, [np.arange(n) for n in shape], SUPPORTS_PER_CHUNK))
    for _, masks in chunks:
        for m in masks:
            m.flags.writeable = False  # kept between calls
    return chunks


def _support_mask_chunks(
    shape: tuple[int, ...], domains: Sequence[IntArray], chunk: int
) -> Iterator[tuple[int, list[BoolArray]]]:
    """Every support profile within the domains in which two or more players mix, in chunks.

    Yields ``(offset, masks)``: per player a boolean array ``(S, n_i)`` whose row ``k`` is the
    player's support in the profile numbered ``offset + k``. Profiles come small and balanced
    first (by total support size, then by the spread of the sizes, as in Porter et al.), then
    in the order of each player's supports (by size, then lexicographically), made only as
    they are needed.
    """
    subsets, sizes = [], []
    for n, domain in zip(shape, domains, strict=True):
        chosen = [
            list(subset)
            for size in range(1, len(domain) + 1)
            for subset in itertools.combinations(domain.tolist(), size)
        ]
        options = np.zeros((len(chosen), n), dtype=bool)
        for row, subset in enumerate(chosen):
            options[row, subset] = True
        subsets.append(options)
        sizes.append(options.sum(axis=1))
    pending: list[IntArray] = []
    count, cost, offset = 0, 0, 0
    for total, block in _support_blocks(sizes):
        each = _bytes_per_support(shape, total)
        while block.shape[1]:
            room = max(1, min(chunk - count, (SUPPORT_BYTES_PER_CHUNK - cost) // each))
            pending.append(block[:, :room])
            count, cost = count + pending[-1].shape[1], cost + each * pending[-1].shape[1]
            block = block[:, room:]
            if count >= chunk or cost + each > SUPPORT_BYTES_PER_CHUNK:
                grid = np.concatenate(pending, axis=1)
                yield offset, [subsets[i][grid[i]] for i in range(len(shape))]
                offset += count
                pending, count, cost = [], 0, 0
    if pending:
        grid = np.concatenate(pending, axis=1)
        yield offset, [subsets[i][grid[i]] for i in range(len(shape))]


def _bytes_per_support(shape: tuple[int, ...], total: int) -> int:
    """A generous estimate of the memory the subdivision takes for one support profile.

    Measured on random games: the box vertices grow as ``2**(total - N)`` up to a few
    thousand, each holding a payoff block of about ``max(shape)**3`` numbers, plus points for
    every strategy outside the support.
    """
    vertices = 2 ** min(total - len(shape), 13) + 4 * sum(shape)
    return int(8 * max(shape) ** 3 * vertices)


#: Below this many profiles of the remaining players' supports, they are filtered in one step.
_GRID_BLOCK = 2**15


def _support_blocks(sizes: list[IntArray]) -> Iterator[tuple[int, IntArray]]:
    """Blocks of support indices ``(N, k)`` in the order of the profiles, each with its total size.

    A small grid of supports is sorted at once (stably, so in grid order within a total size
    and spread); a large one is made a total size and a spread at a time
    (:func:`_support_rows`).
    """
    if math.prod(len(s) for s in sizes) <= _GRID_BLOCK:
        summed, high, low, mixers = _grid_sizes(tuple(tuple(s.tolist()) for s in sizes))
        cells = np.flatnonzero(mixers >= 2)
        cells = cells[np.lexsort(((high - low).ravel()[cells], summed.ravel()[cells]))]
        totals = summed.ravel()[cells]
        rows = np.array(np.unravel_index(cells, summed.shape), dtype=np.intp).reshape(
            len(sizes), -1
        )
        starts = np.flatnonzero(np.diff(totals, prepend=-1, append=-1))
        for start, end in itertools.pairwise(starts.tolist()):
            yield int(totals[start]), rows[:, start:end]
        return
    largest = [int(s[-1]) for s in sizes]
    for total in range(len(sizes), sum(largest) + 1):
        for spread in range(max(largest)):
            for block in _support_rows(sizes, total, spread):
                yield total, block


def _support_rows(sizes: list[IntArray], total: int, spread: int) -> Iterator[IntArray]:
    """Blocks of support indices ``(N, k)`` with these total size and spread, in grid order.

    ``sizes[i][s]`` is the size of player ``i``'s support number ``s`` (nondecreasing in
    ``s``). The first players' supports are run through one by one until the grid of the rest
    is small (or one player is left); that grid is then filtered at once, row-major, which keeps
    the grid order.
    """
    players = len(sizes)
    largest = [int(s[-1]) for s in sizes]
    levels = [tuple(tuple(s.tolist()) for s in sizes[i:]) for i in range(players)]

    def extend(prefix: list[int], chosen: list[int]) -> Iterator[IntArray]:
        i = len(prefix)
        if i == players - 1 or math.prod(len(s) for s in sizes[i:]) <= _GRID_BLOCK:
            summed, high, low, mixers = _grid_sizes(levels[i])
            summed = summed + sum(chosen)
            high = np.maximum(high, max(chosen, default=0))
            low = np.minimum(low, min(chosen, default=total))
            mixers = mixers + sum(s > 1 for s in chosen)
            rows = np.nonzero((summed == total) & (high - low == spread) & (mixers >= 2))
            if len(rows[0]):
                head = np.repeat(np.array(prefix, dtype=np.intp)[:, None], len(rows[0]), 1)
                yield np.vstack([head, *rows]).astype(np.intp)
            return
        left = total - sum(chosen)
        for index, size in enumerate(sizes[i].tolist()):
            rest = left - size
            grown = [*chosen, size]
            # Skip supports after which the others cannot make up the total within the spread.
            if players - i - 1 <= rest <= sum(largest[i + 1 :]) and max(grown) - min(grown) <= (
                spread
            ):
                yield from extend([*prefix, index], grown)

    yield from extend([], [])


@functools.lru_cache(maxsize=64)
def _grid_sizes(sizes: tuple[tuple[int, ...], ...]) -> tuple[IntArray, ...]:
    """Over the grid of the players' supports: the sum, largest, least of their sizes, mixers.

    ``sizes[k][s]`` is the size of the ``k``-th player's support number ``s``; each array has
    one axis per player. Kept between calls: the same shapes come again and again.
    """
    grid = np.stack(np.broadcast_arrays(*np.ix_(*(np.array(s) for s in sizes))))
    return grid.sum(axis=0), grid.max(axis=0), grid.min(axis=0), np.sum(grid > 1, axis=0)
