"""Payoffs of mixed profiles and the regret test every equilibrium must pass.

A mixed profile is a sequence of probability vectors, one per player. A profile is a Nash
equilibrium when no player can gain by switching to another strategy; the largest such gain over
all players is the profile's *max regret*, and it is zero (up to rounding) exactly at an
equilibrium. Tolerances are relative: they are multiplied by :func:`payoff_scale`, so that a game
whose payoffs are in billions is judged like the same game in units.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

#: Default relative tolerance of every solver and of the regret check.
DEFAULT_TOL = 1e-9


def payoff_scale(payoffs: FloatArray) -> float:
    """Return the scale that relative tolerances are multiplied by.

    It is the largest range (max minus min) of any player's payoffs, or 1 when every player's
    payoffs are constant, so that ``tol * payoff_scale(u)`` is an absolute tolerance in the
    game's own units.

    Examples
    --------
    >>> import numpy as np
    >>> payoff_scale(np.array([[[0.0, 2e9], [1e9, 0.0]]]))
    2000000000.0
    """
    per_player = payoffs.reshape(-1, payoffs.shape[-1])
    spread = float(np.max(per_player.max(axis=0) - per_player.min(axis=0)))
    return spread if spread > 0 else 1.0


def strategy_payoffs(payoffs: FloatArray, profile: Sequence[FloatArray]) -> list[FloatArray]:
    """Expected payoff of each pure strategy of each player against the others' mixtures.

    Parameters
    ----------
    payoffs
        Payoff tensor of shape ``(n_1, ..., n_N, N)``.
    profile
        One probability vector per player.

    Returns
    -------
    list of ndarray
        Entry ``i`` has shape ``(n_i,)``: player ``i``'s expected payoff from each pure strategy
        while every other player ``j`` plays ``profile[j]``.
    """
    n_players = payoffs.shape[-1]
    result = []
    for i in range(n_players):
        table = payoffs[..., i]
        # Contract the other players' axes from the last to the first so indices stay valid.
        for j in reversed(range(n_players)):
            if j != i:
                table = np.tensordot(table, profile[j], axes=([j], [0]))
        result.append(np.asarray(table, dtype=np.float64))
    return result


def expected_payoffs(payoffs: FloatArray, profile: Sequence[FloatArray]) -> FloatArray:
    """Expected payoff of each player under a mixed profile, shape ``(N,)``."""
    per_strategy = strategy_payoffs(payoffs, profile)
    return np.array([float(v @ p) for v, p in zip(per_strategy, profile, strict=True)])


def regrets(payoffs: FloatArray, profile: Sequence[FloatArray]) -> FloatArray:
    """Each player's gain from the best unilateral deviation, shape ``(N,)``, never negative."""
    per_strategy = strategy_payoffs(payoffs, profile)
    return np.array(
        [max(float(v.max() - v @ p), 0.0) for v, p in zip(per_strategy, profile, strict=True)]
    )


def max_regret(payoffs: FloatArray, profile: Sequence[FloatArray]) -> float:
    """Largest gain any player gets from a unilateral deviation (0 at a Nash equilibrium).

    Examples
    --------
    >>> import numpy as np
    >>> pennies = np.array([[[1, -1], [-1, 1]], [[-1, 1], [1, -1]]], dtype=float)
    >>> max_regret(pennies, [np.array([0.5, 0.5]), np.array([0.5, 0.5])])
    0.0
    >>> max_regret(pennies, [np.array([1.0, 0.0]), np.array([1.0, 0.0])])
    2.0
    """
    return float(regrets(payoffs, profile).max())


def is_equilibrium(
    payoffs: FloatArray, profile: Sequence[FloatArray], tol: float = DEFAULT_TOL
) -> bool:
    """Whether ``profile`` is a Nash equilibrium within relative tolerance ``tol``."""
    return max_regret(payoffs, profile) <= tol * payoff_scale(payoffs)
