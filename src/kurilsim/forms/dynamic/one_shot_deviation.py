"""The one-shot deviation check of a Markov strategy profile, apart from how it was found.

A Markov strategy profile is a subgame-perfect (Markov perfect) equilibrium of a finite game, or
of a discounted infinite one, if and only if no player gains by deviating in a single round at a
single state and following the profile afterwards (the one-shot deviation principle; Fudenberg
and Tirole 1991, Theorem 4.2). The check here knows nothing of the selection or the iteration that
produced the profile: it builds the Markov chain the profile induces as one sparse matrix over
every (point, state) pair of the batch, values it exactly (backwards over rounds, or by solving
``(I - delta P) V = r`` with a sparse direct solver for an infinite horizon), and compares each
player's value with every one-round deviation.
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
    """The outcome of the check over a batch of points.

    Attributes
    ----------
    values
        Exact values of the profile, shape ``(R, B, S, N)`` (``R`` = 1 for an infinite horizon).
    gains
        Shape ``(R, B, S, N)``: each player's largest gain from a one-round deviation.
    """

    values: FloatArray = field(repr=False)
    gains: FloatArray = field(repr=False)

    @property
    def max_gains(self) -> FloatArray:
        """The largest gain from any one-round deviation at each point, shape ``(B,)``."""
        out: FloatArray = np.maximum(self.gains.max(axis=(0, 2, 3)), 0.0)
        return out

    @property
    def max_gain(self) -> float:
        """The largest gain any player gets from any one-round deviation at any point."""
        return float(self.max_gains.max())


def _chain(game: DynamicGame, stage: StageArrays, weights: FloatArray) -> sparse.csr_matrix:
    """The transition matrix over (point, state) pairs when profiles are played with ``weights``.

    ``weights`` has shape ``(B, S, n_1, ..., n_N)``; the matrix is block diagonal, one block of
    ``S x S`` per point.
    """
    batch, states = game.batch, game.grid.size
    size = batch * states
    offset = (np.arange(batch) * states).reshape(-1, *(1,) * (weights.ndim - 1))
    rows = np.broadcast_to(
        offset + np.arange(states).reshape(1, -1, *(1,) * (weights.ndim - 2)), weights.shape
    ).ravel()
    base = np.broadcast_to(offset, weights.shape).ravel()
    # The state each profile leads to, as a flat (point, state) index, before chance moves it.
    middle = base + stage.next_state.ravel()
    w = weights.ravel()
    columns = [base + destination.ravel()[middle] for _, destination in game.chance]
    data = [w * probability.ravel()[middle] for probability, _ in game.chance]
    matrix = sparse.coo_matrix(
        (np.concatenate(data), (np.tile(rows, len(columns)), np.concatenate(columns))),
        shape=(size, size),
    )
    return matrix.tocsr()


def _weights(mixes: Sequence[FloatArray]) -> FloatArray:
    """``prod_i mixes[i][b, s, a_i]`` for every profile, shape ``(B, S, n_1, ..., n_N)``."""
    out = np.ones(mixes[0].shape[:2])
    for mix in mixes:
        out = out[..., None] * mix.reshape(*mix.shape[:2], *(1,) * (out.ndim - 2), -1)
    return out


def _reward(stage: StageArrays, weights: FloatArray, player: int) -> FloatArray:
    """The player's expected stage payoff at each (point, state), flat over ``B * S``."""
    per_profile = (weights * stage.payoffs[..., player]).reshape(-1, weights[0, 0].size)
    out: FloatArray = per_profile.sum(axis=-1)
    return out


def _best_deviation(
    game: DynamicGame,
    stage: StageArrays,
    mixes: Sequence[FloatArray],
    player: int,
    after: FloatArray,
) -> FloatArray:
    """The player's best value from a pure strategy this round, the others per ``mixes``.

    ``after`` is the player's value from the next round on, flat over ``B * S``.
    """
    delta = np.repeat(game.discount[:, player], game.grid.size)
    best = np.full(after.shape, -np.inf)
    for k in range(stage.shape[player]):
        pure = np.zeros_like(mixes[player])
        pure[..., k] = 1.0
        weights = _weights([pure if i == player else m for i, m in enumerate(mixes)])
        value = _reward(stage, weights, player) + delta * (_chain(game, stage, weights) @ after)
        best = np.maximum(best, value)
    return best


def check_one_shot(game: DynamicGame, mixes: Sequence[Sequence[FloatArray]]) -> DeviationCheck:
    """Value a Markov profile exactly and find each player's best one-round deviation.

    Parameters
    ----------
    game
        The game, over a batch of points.
    mixes
        Per round (one entry for an infinite horizon), per player, shape ``(B, S, n_i)``.

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
    batch, states = game.batch, game.grid.size
    size = batch * states
    if game.infinite:
        stage = game.stages[game.schedule[0]]
        weights = _weights(mixes[0])
        chain = _chain(game, stage, weights).tocsc()
        values = np.zeros((1, size, n))
        gains = np.zeros((1, size, n))
        for i in range(n):
            delta = sparse.diags(np.repeat(game.discount[:, i], states))
            system = (sparse.identity(size, format="csc") - delta @ chain).tocsc()
            values[0, :, i] = np.atleast_1d(spsolve(system, _reward(stage, weights, i)))
            best = _best_deviation(game, stage, mixes[0], i, values[0, :, i])
            gains[0, :, i] = best - values[0, :, i]
        return DeviationCheck(
            values.reshape(1, batch, states, n), gains.reshape(1, batch, states, n)
        )
    horizon = len(game.schedule)
    values = np.zeros((horizon + 1, size, n))
    gains = np.zeros((horizon, size, n))
    for t in reversed(range(horizon)):
        stage = game.stages[game.schedule[t]]
        weights = _weights(mixes[t])
        chain = _chain(game, stage, weights)
        for i in range(n):
            delta = np.repeat(game.discount[:, i], states)
            after = values[t + 1, :, i]
            values[t, :, i] = _reward(stage, weights, i) + delta * (chain @ after)
            gains[t, :, i] = _best_deviation(game, stage, mixes[t], i, after) - values[t, :, i]
    return DeviationCheck(
        values[:horizon].reshape(horizon, batch, states, n),
        gains.reshape(horizon, batch, states, n),
    )
