"""All pure-strategy Nash equilibria of N-player games, vectorised over batches of games.

A pure profile is an equilibrium when each player's payoff there is at least as large as from any
other of their strategies, the others' strategies fixed. With the payoff tensor ``u`` of shape
``(..., n_1, ..., n_N, N)``, that is one ``max`` along each player's axis: the test costs
``O(N * n_1 * ... * n_N)`` per game, and any number of leading axes hold a batch of games that is
solved in the same numpy calls.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.tolerance import DEFAULT_TOL
from kurilsim.forms.normal.regret import normalised_payoffs

FloatArray = NDArray[np.float64]


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
    # In each player's own units, mapped onto [0, 1], tol is the slack and nothing overflows.
    norm = normalised_payoffs(payoffs)
    n_players = payoffs.shape[-1]
    batch_ndim = payoffs.ndim - 1 - n_players
    mask = np.ones(payoffs.shape[:-1], dtype=bool)
    for i in range(n_players):
        own = norm[..., i]
        mask &= own >= own.max(axis=batch_ndim + i, keepdims=True) - tol
    return mask


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
