"""Payoffs of mixed profiles and the regret test every equilibrium must pass.

A mixed profile is a sequence of probability vectors, one per player. A profile is a Nash
equilibrium when no player can gain by switching to another strategy; the largest such gain over
all players is the profile's *max regret*, and it is zero (up to rounding) exactly at an
equilibrium. Tolerances are relative: each player's regret is compared with ``tol`` times that
player's own payoff range (:func:`player_scales`), so that a game whose payoffs are in billions is
judged like the same game in units, and a player with small stakes is judged in their own units
beside a player with large ones.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.tolerance import DEFAULT_TOL

FloatArray = NDArray[np.float64]


def payoff_scale(payoffs: FloatArray) -> float:
    """Return the game's overall payoff scale: the largest of the :func:`player_scales`.

    It is the largest range (max minus min) of any player's payoffs, or 1 when every player's
    payoffs are constant; results report it so that ``max_regret`` can be read in proportion.

    Examples
    --------
    >>> import numpy as np
    >>> payoff_scale(np.array([[[0.0, 2e9], [1e9, 0.0]]]))
    2000000000.0
    """
    per_player = payoffs.reshape(-1, payoffs.shape[-1])
    spread = float(np.max(per_player.max(axis=0) - per_player.min(axis=0)))
    return spread if spread > 0 else 1.0


def player_scales(payoffs: FloatArray) -> FloatArray:
    """Each player's payoff range (max minus min), 1 where a player's payoffs are constant.

    Works on one game, shape ``(n_1, ..., n_N, N)``, or on a batch with leading axes: the result
    has shape ``payoffs.shape[:-1-N] + (N,)``.

    Examples
    --------
    >>> import numpy as np
    >>> player_scales(np.array([[[0.0, 5.0], [1e9, 5.0]]])).tolist()
    [1000000000.0, 1.0]
    """
    n_players = payoffs.shape[-1]
    profile_axes = tuple(range(payoffs.ndim - 1 - n_players, payoffs.ndim - 1))
    spread = payoffs.max(axis=profile_axes) - payoffs.min(axis=profile_axes)
    return np.where(spread > 0, spread, 1.0)


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
    supports = [np.flatnonzero(p) for p in profile]
    result = []
    for i in range(n_players):
        # A pure player's axis costs a basic index (a view); a mixed player's axis is cut to
        # its support; what is left is contracted with the joint weights in one product.
        pure = [j != i and len(supports[j]) == 1 for j in range(n_players)]
        index = tuple(int(supports[j][0]) if pure[j] else slice(None) for j in range(n_players))
        table = payoffs[(*index, i)]
        kept = [j for j in range(n_players) if not pure[j]]
        table = np.moveaxis(table, kept.index(i), 0)
        weights = np.ones(())
        for axis, j in enumerate(k for k in kept if k != i):
            if len(supports[j]) < len(profile[j]):
                table = np.take(table, supports[j], axis=axis + 1)
            weights = np.multiply.outer(weights, profile[j][supports[j]])
        result.append(np.asarray(table.reshape(len(profile[i]), -1) @ weights.ravel()))
    return result


def expected_payoffs(payoffs: FloatArray, profile: Sequence[FloatArray]) -> FloatArray:
    """Expected payoff of each player under a mixed profile, shape ``(N,)``."""
    per_strategy = strategy_payoffs(payoffs, profile)
    return np.array([float(v @ p) for v, p in zip(per_strategy, profile, strict=True)])


def regrets(payoffs: FloatArray, profile: Sequence[FloatArray]) -> FloatArray:
    """Each player's gain from the best unilateral deviation, shape ``(N,)``, never negative.

    Each player's payoffs are first shifted so that their smallest is 0, which changes no
    regret but keeps the rounding of the expected payoffs in proportion to the player's payoff
    range rather than to the payoffs' magnitude (payoffs of ``1e6 + k / 7`` would otherwise
    carry rounding errors larger than a relative tolerance of ``1e-9`` allows).

    Examples
    --------
    >>> import numpy as np
    >>> shifted = np.array([[[3, 0], [0, 2]], [[0, 1], [1, 0]]]) / 7 + 1e6
    >>> bool(regrets(shifted, [np.array([1, 2]) / 3, np.array([1, 3]) / 4]).max() < 1e-15)
    True
    """
    n_players = payoffs.shape[-1]
    lowest = payoffs.reshape(-1, n_players).min(axis=0)
    per_strategy = strategy_payoffs(payoffs - lowest, profile)
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
    """Whether no player gains more than ``tol`` times their own payoff range by deviating."""
    return bool(np.all(regrets(payoffs, profile) <= tol * player_scales(payoffs)))
