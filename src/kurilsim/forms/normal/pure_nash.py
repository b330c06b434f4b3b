"""All pure-strategy Nash equilibria of N-player games, vectorised over batches of games.

A pure profile is an equilibrium when each player's payoff there is at least as large as from any
other of their strategies, the others' strategies fixed. With the payoff tensor ``u`` of shape
``(..., n_1, ..., n_N, N)``, that is one ``max`` along each player's axis: the test costs
``O(N * n_1 * ... * n_N)`` per game, and any number of leading axes hold a batch of games that is
solved in the same numpy calls.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.tolerance import DEFAULT_TOL
from kurilsim.forms.normal.regret import profile_axes

FloatArray = NDArray[np.float64]

#: Strategy profiles times games solved at once: a few arrays of this many doubles fit in cache.
BLOCK_ELEMENTS = 1 << 15


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
    """

    mask: NDArray[np.bool_]
    best: list[FloatArray]


def best_responses(
    payoffs: Sequence[FloatArray], n_players: int, tol: float = DEFAULT_TOL
) -> BestResponses:
    """Mark the pure Nash equilibria of games given one payoff array per player, games last.

    The same test as :func:`pure_nash_mask`, which calls it, with the same result to the bit,
    done where it costs least. Player ``i``'s array may have length 1 along any axis their
    payoff does not depend on (:func:`~kurilsim.forms.normal.payoffs.player_payoffs`): the test
    then runs on that smaller array and broadcasts. Each player's payoffs are mapped onto
    ``[0, 1]`` as :func:`~kurilsim.forms.normal.regret.normalised_payoffs` maps them; that map is
    increasing, so the largest mapped payoff is the mapped largest payoff, and only the per-game
    minimum, maximum and best replies are needed before the one pass that compares. With the
    games on the last axes, every loop runs along the games however few the strategies.

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
    # Block by block along the last batch axis: every temporary stays in cache and is reused.
    mask = np.empty(shape, dtype=bool)
    best = [np.empty((*p.shape[:i], 1, *p.shape[i + 1 :])) for i, p in enumerate(payoffs)]
    for start in range(0, games, step):
        block = slice(start, start + step)
        found = _block_responses(
            [p[..., block] if p.shape[-1] > 1 else p for p in payoffs], n_players, tol
        )
        mask[..., block] = found.mask
        for whole, part in zip(best, found.best, strict=True):
            if whole.shape[-1] > 1:
                whole[..., block] = part
            elif start == 0:
                whole[...] = part
    return BestResponses(mask, best)


def _block_responses(payoffs: Sequence[FloatArray], n_players: int, tol: float) -> BestResponses:
    """:func:`best_responses` on arrays small enough to take in one go."""
    profiles = tuple(range(n_players))
    mask: NDArray[np.bool_] | None = None
    scratch: FloatArray | None = None  # one array of mapped payoffs, reused player to player
    best = []
    for i, own in enumerate(payoffs):
        top = own.max(axis=i, keepdims=True)
        best.append(top)
        if own.shape[i] == 1:
            continue  # every strategy is a best reply: the test holds everywhere
        high = top.max(axis=profiles, keepdims=True)
        low = own.min(axis=profiles, keepdims=True)
        # As normalised_payoffs: scale by the power of two at the largest magnitude (exactly),
        # shift the minimum to 0, divide by the range; constant payoffs map to 0.
        exponent = np.frexp(np.maximum(np.abs(low), np.abs(high)))[1].astype(np.int64)
        low, high = np.ldexp(low, -exponent), np.ldexp(high, -exponent)
        spread = high - low
        divisor = np.where(spread > 0, spread, 1.0)
        # The same operations in the same order as on arrays of their own, so the same bits.
        threshold = _scaled(top, exponent)
        np.subtract(threshold, low, out=threshold)
        np.divide(threshold, divisor, out=threshold)
        np.subtract(threshold, tol, out=threshold)
        if scratch is None or scratch.shape != own.shape:
            scratch = np.empty(own.shape)
        mapped = _scaled(own, exponent, scratch)
        np.subtract(mapped, low, out=mapped)
        np.divide(mapped, divisor, out=mapped)
        if mask is not None and np.broadcast_shapes(mask.shape, own.shape) == mask.shape:
            np.logical_and(mask, mapped >= threshold, out=mask)
        else:
            replies = mapped >= threshold
            mask = replies if mask is None else mask & replies
    shape = np.broadcast_shapes(*(np.shape(p) for p in payoffs))
    full = np.ones(shape, dtype=bool) if mask is None else np.broadcast_to(mask, shape)
    return BestResponses(full, best)


def _scaled(
    values: FloatArray, exponent: NDArray[np.int64], out: FloatArray | None = None
) -> FloatArray:
    """``ldexp(values, -exponent)``, by one multiplication where that is exact.

    Multiplying by a power of two rounds as ``ldexp`` does (both are correctly rounded), and is
    several times faster; it needs the power itself to be a double, which fails only for payoffs
    all below about 1e-308 in magnitude. Written to ``out`` if given, else to a new array.
    """
    if exponent.min(initial=0) > -1000:
        return np.multiply(values, np.ldexp(1.0, -exponent), out=out)
    return np.ldexp(values, -exponent, out=out)


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

    Examples
    --------
    >>> [p.tolist() for p in pure_profile((2, 3), (1, 0))]
    [[0.0, 1.0], [1.0, 0.0, 0.0]]
    """
    return tuple(np.eye(n)[s] for n, s in zip(shape, cell, strict=True))
