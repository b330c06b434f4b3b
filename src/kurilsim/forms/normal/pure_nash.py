"""All pure-strategy Nash equilibria of N-player games, vectorised over batches of games.

A pure profile is an equilibrium when each player's payoff there is at least as large as from any
other of their strategies, the others' strategies fixed. With the payoff tensor ``u`` of shape
``(..., n_1, ..., n_N, N)``, that is one ``max`` along each player's axis: the test costs
``O(N * n_1 * ... * n_N)`` per game, and any number of leading axes hold a batch of games that is
solved in the same numpy calls.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.tolerance import DEFAULT_TOL
from kurilsim.forms.normal.payoffs import finite_sum
from kurilsim.forms.normal.regret import profile_axes

FloatArray = NDArray[np.float64]

#: Bound on how far rounding moves the mapped-payoff test from the exact one (see _sure_replies).
_MARGIN = 8 * 2.0**-53
_TINY = float(np.finfo(np.float64).tiny)
_LARGEST = float(np.finfo(np.float64).max)
_SMALLEST = float(np.finfo(np.float64).smallest_subnormal)

#: Strategy profiles times games solved at once. A default chunk of a sweep of a scenario of up
#: to 64 profiles is one block: smaller blocks fit in L2 cache, but their calls cost more than the
#: misses they save (1.4x the CPU time at 2**17 on sochi_2016.yaml, on one thread or two).
BLOCK_ELEMENTS = 1 << 20


def pure_nash_mask(payoffs: FloatArray, tol: float = DEFAULT_TOL) -> NDArray[np.bool_]:
    """Mark the pure Nash equilibria of one game or of a batch of games.

    Parameters
    ----------
    payoffs
        Shape ``(..., n_1, ..., n_N, N)``: the last axis has one entry per player, the ``N`` axes
        before it are the players' strategies, and any axes before those index a batch of games.
    tol
        Relative tolerance: a deviation must gain more than ``tol`` times the deviating player's
        payoff range to count, so ties are equilibria whatever the units.

    Returns
    -------
    numpy.ndarray of bool
        Shape ``payoffs.shape[:-1]``: true at each equilibrium profile.

    Examples
    --------
    >>> import numpy as np
    >>> pd = np.array([[[3, 3], [0, 5]], [[5, 0], [1, 1]]], dtype=float)
    >>> np.argwhere(pure_nash_mask(pd)).tolist()
    [[1, 1]]
    >>> batch = np.stack([pd, -pd])  # two games at once
    >>> np.argwhere(pure_nash_mask(batch)).tolist()
    [[0, 1, 1], [1, 0, 0]]
    """
    n_players = payoffs.shape[-1]
    batch_ndim = profile_axes(payoffs)[0]
    # Games last, as best_responses takes them: a view, no copy.
    players = [
        np.moveaxis(payoffs[..., i], range(batch_ndim), range(-batch_ndim, 0))
        for i in range(n_players)
    ]
    mask = best_responses(players, n_players, tol).mask
    return np.moveaxis(mask, range(-batch_ndim, 0), range(batch_ndim))


@dataclass(frozen=True)
class BestResponses:
    """The pure equilibria of a batch of games, and each player's best payoffs against the rest.

    Attributes
    ----------
    mask
        True at each equilibrium profile, shape ``(n_1, ..., n_N, ...)``: batch axes last.
    best
        Per player, the largest payoff over their own strategies, the others' fixed: player
        ``i``'s array has length 1 along their own axis and broadcasts against ``mask``.
    finite
        Whether every payoff is finite (read from each game's smallest and largest payoff,
        which the test finds anyway); where one is not, the mask means nothing.
    """

    mask: NDArray[np.bool_]
    best: list[FloatArray]
    finite: bool


def best_responses(
    payoffs: Sequence[FloatArray], n_players: int, tol: float = DEFAULT_TOL
) -> BestResponses:
    """Mark the pure Nash equilibria of games given one payoff array per player, games last.

    The same test as :func:`pure_nash_mask`, which calls it, with the same result to the bit,
    done where it costs least. Player ``i``'s array may have length 1 along any axis their
    payoff does not depend on (:func:`~kurilsim.forms.normal.payoffs.player_payoffs`): the test
    then runs on that smaller array and broadcasts. The test is the one on each player's payoffs
    mapped onto ``[0, 1]`` as :func:`~kurilsim.forms.normal.regret.normalised_payoffs` maps them,
    but decided without mapping them: the map is affine per game, so each payoff is compared with
    two thresholds per profile of the others, one below which it is surely not a best reply and
    one above which it surely is, and only payoffs between the two (within rounding of the
    tolerance) are mapped and compared as the map would. With the games on the last axes, every
    loop runs along the games however few the strategies; a large batch is taken in blocks of
    games (:data:`BLOCK_ELEMENTS`), which bound the temporaries.

    Parameters
    ----------
    payoffs
        ``N`` arrays, one per player, broadcasting together to ``(n_1, ..., n_N, ...)``: the
        players' strategies, then any batch axes; each has all those axes (length 1 where it
        does not vary).
    n_players
        ``N``.
    tol
        Relative tolerance, as for :func:`pure_nash_mask`.

    Examples
    --------
    >>> import numpy as np
    >>> row = np.array([[3.0], [5.0]])  # the row player's payoff ignores the column
    >>> column = np.array([[3.0, 5.0], [0.0, 1.0]])
    >>> found = best_responses([row, column], 2)
    >>> np.argwhere(found.mask).tolist(), found.best[0].tolist()
    ([[1, 1]], [[5.0]])
    """
    shape = np.broadcast_shapes(*(np.shape(p) for p in payoffs))
    games = shape[-1] if len(shape) > n_players else 1
    step = max(1, BLOCK_ELEMENTS // math.prod(shape[:-1]))
    if games <= step:
        return _block_responses(payoffs, n_players, tol)
    # Block by block along the last batch axis: the temporaries are bounded by the block.
    # The mask is stored games first, as a sweep lists equilibria game by game; returned as a
    # view with the games last.
    by_game = np.empty((games, *shape[:-1]), dtype=bool)
    best = [np.empty((*p.shape[:i], 1, *p.shape[i + 1 :])) for i, p in enumerate(payoffs)]
    finite = True
    for start in range(0, games, step):
        block = slice(start, start + step)
        found = _block_responses(
            [p[..., block] if p.shape[-1] > 1 else p for p in payoffs], n_players, tol
        )
        by_game[block] = np.moveaxis(found.mask, -1, 0)
        finite = finite and found.finite
        for whole, part in zip(best, found.best, strict=True):
            if whole.shape[-1] > 1:
                whole[..., block] = part
            elif start == 0:
                whole[...] = part
    return BestResponses(np.moveaxis(by_game, 0, -1), best, finite)


def streamed_best_responses(
    payoffs: Iterable[FloatArray],
    profile_shape: tuple[int, ...],
    games: int,
    tol: float = DEFAULT_TOL,
) -> tuple[list[FloatArray], BestResponses]:
    """:func:`best_responses` of ``games`` games whose payoffs come one player at a time.

    Each player's test is made as soon as their payoffs come, while they are still in the
    processor's cache (a tenth less time than evaluating all players' payoffs first, on a
    chunk of a sweep of ``sochi_2016.yaml``), if the games fit in one block
    (:data:`BLOCK_ELEMENTS`); else all are taken first and tested as :func:`best_responses`
    tests them. The same result to the bit either way.

    Parameters
    ----------
    payoffs
        One array per player, as for :func:`best_responses`, evaluated as they are asked for.
    profile_shape
        ``(n_1, ..., n_N)``.
    games
        The number of games, along the last axis.
    tol
        Relative tolerance, as for :func:`pure_nash_mask`.

    Returns
    -------
    list of numpy.ndarray, BestResponses
        The players' payoffs, and their best replies.

    Examples
    --------
    >>> row, column = np.array([[3.0], [5.0]]), np.array([[3.0, 5.0], [0.0, 1.0]])
    >>> arrays, found = streamed_best_responses(iter([row, column]), (2, 2), games=1)
    >>> np.argwhere(found.mask).tolist(), len(arrays)
    ([[1, 1]], 2)
    """
    if games * math.prod(profile_shape) > BLOCK_ELEMENTS:
        arrays = list(payoffs)
        return arrays, best_responses(arrays, len(profile_shape), tol)
    test = _ReplyTest(len(profile_shape), tol)
    arrays = []
    for own in payoffs:
        arrays.append(own)
        test.add(own)
    return arrays, test.result()


def _block_responses(payoffs: Sequence[FloatArray], n_players: int, tol: float) -> BestResponses:
    """:func:`best_responses` on arrays small enough to take in one go."""
    test = _ReplyTest(n_players, tol)
    for own in payoffs:
        test.add(own)
    return test.result()


class _ReplyTest:
    """The test of :func:`best_responses` on one block of games, one player at a time."""

    def __init__(self, n_players: int, tol: float) -> None:
        self.profiles = tuple(range(n_players))
        self.tol = tol
        self.mask: NDArray[np.bool_] | None = None
        self.best: list[FloatArray] = []
        self.shapes: list[tuple[int, ...]] = []
        self.finite = True

    def add(self, own: FloatArray) -> None:
        """Test the next player's payoffs."""
        i, tol = len(self.best), self.tol
        self.shapes.append(own.shape)
        top = _largest_along(own, i)
        self.best.append(top)
        if own.shape[i] == 1:
            self.finite = self.finite and finite_sum(own)
            return  # every strategy is a best reply: the test holds everywhere
        high = top.max(axis=self.profiles, keepdims=True)
        low = own.min(axis=self.profiles, keepdims=True)
        largest = np.maximum(np.abs(low), np.abs(high))
        # A nan among the payoffs makes its game's minimum and maximum nan, an infinity one
        # of them infinite: so every payoff is finite if each game's largest magnitude is.
        self.finite = self.finite and bool(np.isfinite(largest).all())
        if 2 * _MARGIN < tol < 1:
            replies = _sure_replies(own, top, low, high, largest, tol)
        else:
            replies = _replies(own, top, *_payoff_map(low, high, largest), tol)
        mask = self.mask
        if mask is not None and np.broadcast_shapes(mask.shape, own.shape) == mask.shape:
            np.logical_and(mask, replies, out=mask)
        else:
            self.mask = replies if mask is None else mask & replies

    def result(self) -> BestResponses:
        """The test of the players added."""
        shape = np.broadcast_shapes(*self.shapes)
        mask = self.mask
        full = np.ones(shape, dtype=bool) if mask is None else np.broadcast_to(mask, shape)
        return BestResponses(full, self.best, self.finite)


def _largest_along(values: FloatArray, axis: int) -> FloatArray:
    """``values.max(axis=axis, keepdims=True)``, to the bit, one ``np.maximum`` per strategy.

    The few strategies along the axis are compared slice by slice, each slice contiguous along
    the games: a fifth to a third less time than numpy's reduction along a middle axis.

    Examples
    --------
    >>> values = np.arange(12.0).reshape(2, 3, 2)
    >>> np.array_equal(_largest_along(values, 1), values.max(axis=1, keepdims=True))
    True
    """
    count = values.shape[axis]
    if count == 1:
        single: FloatArray = values.max(axis=axis, keepdims=True)
        return single
    index: list[slice] = [slice(None)] * values.ndim

    def strategy(k: int) -> FloatArray:
        index[axis] = slice(k, k + 1)
        return values[tuple(index)]

    top = np.maximum(strategy(0), strategy(1))
    for k in range(2, count):
        np.maximum(top, strategy(k), out=top)
    return top


def _payoff_map(
    low: FloatArray, high: FloatArray, largest: FloatArray
) -> tuple[FloatArray, FloatArray, NDArray[np.int64]]:
    """Each game's map onto ``[0, 1]``, from its smallest, largest and largest magnitude of payoff.

    The map of :func:`~kurilsim.forms.normal.regret.normalised_payoffs`. Returns the smallest
    payoff and the divisor, both scaled by the power of two at the largest magnitude (exactly),
    and that power's exponent: a payoff maps to ``(scaled - low) / divisor``; constant payoffs
    (a range of 0, divisor 1) map to 0.
    """
    exponent = np.frexp(largest)[1].astype(np.int64)
    low, high = _ldexp(low, -exponent), _ldexp(high, -exponent)
    spread = high - low
    return low, np.where(spread > 0, spread, 1.0), exponent


def _replies(
    values: FloatArray,
    top: FloatArray,
    low: FloatArray,
    divisor: FloatArray,
    exponent: NDArray[np.int64],
    tol: float,
) -> NDArray[np.bool_]:
    """Whether each payoff is a best reply: mapped onto ``[0, 1]``, within ``tol`` of the top.

    The same operations in the same order as
    :func:`~kurilsim.forms.normal.regret.normalised_payoffs` on arrays of their own, so the same
    bits. ``low``, ``divisor`` and ``exponent`` describe
    each game's map; every argument broadcasts against ``values``.
    """
    threshold = _scaled(top, exponent)
    np.subtract(threshold, low, out=threshold)
    np.divide(threshold, divisor, out=threshold)
    np.subtract(threshold, tol, out=threshold)
    mapped = _scaled(values, exponent)
    np.subtract(mapped, low, out=mapped)
    np.divide(mapped, divisor, out=mapped)
    replies: NDArray[np.bool_] = mapped >= threshold
    return replies


def _sure_replies(
    values: FloatArray,
    top: FloatArray,
    low: FloatArray,
    high: FloatArray,
    largest: FloatArray,
    tol: float,
) -> NDArray[np.bool_]:
    """:func:`_replies`, to the bit, from two comparisons of the payoffs as they are.

    In :func:`_replies` each mapped payoff is within ``2.01 u`` of its exact value
    ``(scaled - low) / divisor`` (``u = 2**-53``; the map's values are at most ``1 + 2u``), and
    the threshold within ``u`` more, so the decision differs from the exact test
    ``gap * 2**-exponent / divisor <= tol``, with ``gap = top - value`` exact, by under
    :data:`_MARGIN` (scaling by a power of two rounds only below ``2**-1022``, where the range is
    above 0.49 and the error negligible). A payoff is therefore surely a reply when its gap is at
    most ``(tol - 2 * _MARGIN) * divisor * 2**exponent`` and surely not when its gap exceeds
    ``(tol + 2 * _MARGIN) * divisor * 2**exponent``; :func:`_replies` decides the few in between.
    ``low``, ``high`` and ``largest`` are each game's smallest and largest payoff and largest
    payoff magnitude (the map's ``2**exponent`` rounds it up; :func:`_payoff_map`).

    The payoffs that may be replies are found first: when there is one per profile of the
    others' strategies (``top.size`` of them, no payoff near a tie), it is the largest, surely a
    reply, so they are the replies and the second comparison is not needed. Their bound needs
    no map (:func:`_unmapped_bound`); the map is made only for the second comparison.
    """
    mapped = None
    never = _unmapped_bound(tol + 2 * _MARGIN, low, high)
    if never is None:
        mapped = _payoff_map(low, high, largest)
        never = _gap_bound(tol + 2 * _MARGIN, mapped[1], mapped[2], np.inf)
    # Half a unit in the last place of anything up to largest + never in magnitude, at most:
    # widening each bound by twice that keeps both comparisons on the safe side of rounding,
    # so value >= lowest implies gap <= sure, and value < excluded implies gap > never.
    slack = 2 * ((largest + never) * 2.0**-51 + _SMALLEST)
    possible: NDArray[np.bool_] = values >= np.subtract(top, never + slack)
    candidates = np.count_nonzero(possible)
    if candidates == top.size:
        return possible
    low, divisor, exponent = _payoff_map(low, high, largest) if mapped is None else mapped
    sure = _gap_bound(tol - 2 * _MARGIN, divisor, exponent, 0.0)
    lowest = np.subtract(top, sure - slack)
    np.minimum(lowest, top, out=lowest)  # value >= top: a gap of 0
    replies: NDArray[np.bool_] = values >= lowest
    if candidates != np.count_nonzero(replies):
        where = np.nonzero(possible & ~replies)
        replies[where] = _replies(
            values[where],
            taken_at(top, where),
            taken_at(low, where),
            taken_at(divisor, where),
            taken_at(exponent, where),
            tol,
        )
    return replies


def _unmapped_bound(factor: float, low: FloatArray, high: FloatArray) -> FloatArray | None:
    """:func:`_gap_bound` for every game from its smallest and largest payoff, without the map.

    ``factor * (high - low)``: scaling by a power of two commutes with rounding where nothing
    falls below ``2**-1022`` or overflows, so this is the same number as the bound made from the
    map (the map's subnormal values round it by far less than half a unit in its last place).
    None where some game's bound is below ``2**-1022`` (a range of 0 among them: its divisor is
    1, not 0) or not finite: the map's bound is made then.
    """
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow or nan: not finite
        bound = factor * (high - low)
    if bool(((bound >= _TINY) & (bound <= _LARGEST)).all()):
        return bound
    return None


def _gap_bound(
    factor: float, divisor: FloatArray, exponent: NDArray[np.int64], fallback: float
) -> FloatArray:
    """``factor * divisor * 2**exponent`` per game, or ``fallback`` where it rounds as a subnormal.

    Above ``2**-1022`` the product is within ``u`` of exact and the power of two exact, which
    :func:`_sure_replies` allows for; it cannot overflow, as ``factor < 1`` and ``divisor <= 2``.
    """
    product = factor * divisor
    bound = _ldexp(product, exponent)
    exact = (product >= _TINY) & (bound >= _TINY)
    return np.where(exact, bound, fallback)


def taken_at(values: NDArray[Any], index: tuple[NDArray[np.intp], ...]) -> NDArray[Any]:
    """``values`` broadcast along its axes of length 1, then taken at ``index`` (one array each).

    Examples
    --------
    >>> import numpy as np
    >>> taken_at(np.array([[10.0], [20.0]]), (np.array([1, 0]), np.array([5, 2]))).tolist()
    [20.0, 10.0]
    """
    # One gather at flat positions (several times faster than indexing with an array per axis);
    # an axis of length 1 adds nothing to the position.
    whole = np.ascontiguousarray(values)
    flat = np.zeros(np.broadcast_shapes(*(np.shape(i) for i in index)), dtype=np.intp)
    step = 1
    for i, n in zip(reversed(index), reversed(whole.shape), strict=True):
        if n > 1:
            flat += i if step == 1 else np.multiply(i, step, dtype=np.intp)
        step *= n
    taken: NDArray[Any] = whole.reshape(-1)[flat]
    return taken


def _scaled(
    values: FloatArray, exponent: NDArray[np.int64], out: FloatArray | None = None
) -> FloatArray:
    """``ldexp(values, -exponent)``, written to ``out`` if given, else to a new array."""
    return _ldexp(values, -exponent, out)


def _ldexp(
    values: FloatArray, exponent: NDArray[np.int64], out: FloatArray | None = None
) -> FloatArray:
    """``ldexp(values, exponent)``, by one multiplication where that is exact.

    Multiplying by a power of two rounds as ``ldexp`` does (both are correctly rounded), and is
    several times faster, the power made from its bits; that needs the power to be a normal
    double, which fails only for payoffs all below about 1e-308 in magnitude (or above 1e308).
    """
    if exponent.size and exponent.min() >= -1022 and exponent.max() <= 1023:
        power = ((exponent.astype(np.int64) + 1023) << 52).view(np.float64)
        return np.multiply(values, power, out=out)
    return np.ldexp(values, exponent, out=out)


def pure_nash(payoffs: FloatArray, tol: float = DEFAULT_TOL) -> list[tuple[int, ...]]:
    """All pure Nash equilibria of one game, as strategy-index tuples in lexicographic order.

    Examples
    --------
    >>> import numpy as np
    >>> sexes = np.array([[[2, 1], [0, 0]], [[0, 0], [1, 2]]], dtype=float)
    >>> pure_nash(sexes)
    [(0, 0), (1, 1)]
    """
    return [tuple(int(i) for i in row) for row in np.argwhere(pure_nash_mask(payoffs, tol))]


def pure_profile(shape: tuple[int, ...], cell: Sequence[int]) -> tuple[FloatArray, ...]:
    """The pure profile ``cell`` as probability vectors, one per player.

    Each vector owns its memory: a row of an identity matrix would keep the whole matrix alive
    for as long as the profile is kept (``n`` squared numbers per player and profile).

    Examples
    --------
    >>> [p.tolist() for p in pure_profile((2, 3), (1, 0))]
    [[0.0, 1.0], [1.0, 0.0, 0.0]]
    """
    vectors = tuple(np.zeros(n) for n in shape)
    for vector, s in zip(vectors, cell, strict=True):
        vector[s] = 1.0
    return vectors
