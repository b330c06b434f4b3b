"""The one-shot deviation check of a Markov strategy profile, apart from how it was found.

A Markov strategy profile is a subgame-perfect (Markov perfect) equilibrium of a finite game, or
of a discounted infinite one, if and only if no player gains by deviating in a single round at a
single state and following the profile afterwards (the one-shot deviation principle; Fudenberg
and Tirole 1991, Theorem 4.2). The check here knows nothing of the selection or the iteration that
produced the profile: it builds the Markov chain the profile induces as sparse matrices, values it
exactly (backwards over rounds, or by solving ``(I - delta P) V = r`` with a sparse linear solver
for an infinite horizon), and compares each player's value with every one-round deviation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy.sparse.linalg import spsolve

from kurilsim.forms.dynamic.game import DynamicGame, StageArrays

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class DeviationCheck:
    """The outcome of the check at one point.

    Attributes
    ----------
    values
        Exact values of the profile, shape ``(R, S, N)`` (``R`` = 1 for an infinite horizon).
    gains
        Shape ``(R, S, N)``: each player's largest gain from a one-round deviation.
    """

    values: FloatArray = field(repr=False)
    gains: FloatArray = field(repr=False)

    @property
    def max_gain(self) -> float:
        """The largest gain any player gets from any one-round deviation."""
        return float(max(self.gains.max(), 0.0))


def _chain(game: DynamicGame, stage: StageArrays, weights: FloatArray) -> sparse.csr_matrix:
    """The state-to-state transition matrix when profiles are played with ``weights``.

    ``weights`` has shape ``(S, n_1, ..., n_N)``; the game is a batch of one.
    """
    states = game.grid.size
    rows = np.broadcast_to(
        np.arange(states).reshape(-1, *(1,) * (weights.ndim - 1)), weights.shape
    ).ravel()
    middle = stage.next_state[0].ravel()
    w = weights.ravel()
    row_parts, col_parts, data_parts = [], [], []
    for probability, destination in game.chance:
        row_parts.append(rows)
        col_parts.append(destination[0][middle])
        data_parts.append(w * probability[0][middle])
    matrix = sparse.coo_matrix(
        (np.concatenate(data_parts), (np.concatenate(row_parts), np.concatenate(col_parts))),
        shape=(states, states),
    )
    return matrix.tocsr()


def _profile_weights(mixes: Sequence[FloatArray]) -> FloatArray:
    """``prod_i mixes[i][s, a_i]`` for every state and profile, shape ``(S, n_1, ..., n_N)``."""
    out = np.ones((mixes[0].shape[0],))
    for mix in mixes:
        out = out[..., None] * mix.reshape(mix.shape[0], *(1,) * (out.ndim - 1), -1)
    return out


def _deviations(
    game: DynamicGame,
    stage: StageArrays,
    mixes: Sequence[FloatArray],
    player: int,
    after: FloatArray,
) -> FloatArray:
    """Player's value from each of their pure strategies at each state, the others per ``mixes``.

    ``after`` is the player's value from the next round on, shape ``(S,)``. Returns ``(S, n_i)``.
    """
    delta = float(game.discount[0, player])
    columns = []
    for k in range(stage.shape[player]):
        pure = np.zeros_like(mixes[player])
        pure[:, k] = 1.0
        swapped = [pure if i == player else m for i, m in enumerate(mixes)]
        weights = _profile_weights(swapped)
        reward = (weights * stage.payoffs[0, ..., player]).reshape(weights.shape[0], -1).sum(-1)
        columns.append(reward + delta * (_chain(game, stage, weights) @ after))
    return np.stack(columns, axis=-1)


def check_one_shot(game: DynamicGame, mixes: Sequence[Sequence[FloatArray]]) -> DeviationCheck:
    """Value a Markov profile exactly and find each player's best one-round deviation.

    Parameters
    ----------
    game
        A game at one point (a batch of one).
    mixes
        Per round (one entry for an infinite horizon), per player, shape ``(1, S, n_i)``.

    Examples
    --------
    >>> from kurilsim import load_scenario
    >>> from kurilsim.forms.dynamic.markov_perfect import backward_induction
    >>> game = load_scenario("scenarios/commitment_treaty.yaml").game()
    >>> strategy = backward_induction(game, "payoff-dominance", 1e-9)
    >>> check_one_shot(game, strategy.mixes).max_gain < 1e-9
    True
    """
    n = len(game.players)
    states = game.grid.size
    rounds = [[m[0] for m in round_mixes] for round_mixes in mixes]
    if game.infinite:
        stage = game.stages[game.schedule[0]]
        weights = _profile_weights(rounds[0])
        chain = _chain(game, stage, weights)
        values = np.zeros((1, states, n))
        gains = np.zeros((1, states, n))
        for i in range(n):
            reward = (weights * stage.payoffs[0, ..., i]).reshape(states, -1).sum(-1)
            system = sparse.identity(states, format="csc") - game.discount[0, i] * chain.tocsc()
            values[0, :, i] = np.atleast_1d(spsolve(system, reward))
            best = _deviations(game, stage, rounds[0], i, values[0, :, i]).max(axis=-1)
            gains[0, :, i] = best - values[0, :, i]
        return DeviationCheck(values, gains)
    horizon = len(game.schedule)
    values = np.zeros((horizon + 1, states, n))
    gains = np.zeros((horizon, states, n))
    for t in reversed(range(horizon)):
        stage = game.stages[game.schedule[t]]
        weights = _profile_weights(rounds[t])
        chain = _chain(game, stage, weights)
        for i in range(n):
            reward = (weights * stage.payoffs[0, ..., i]).reshape(states, -1).sum(-1)
            values[t, :, i] = reward + game.discount[0, i] * (chain @ values[t + 1, :, i])
            best = _deviations(game, stage, rounds[t], i, values[t + 1, :, i]).max(axis=-1)
            gains[t, :, i] = best - values[t, :, i]
    return DeviationCheck(values[:horizon], gains)
