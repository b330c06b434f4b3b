"""Markov perfect equilibria: backward induction (finite horizon) and value iteration (infinite).

At each round and state the players play a Nash equilibrium of the stage game whose payoffs are
the stage payoffs plus each player's discounted continuation value (Maskin and Tirole 2001). For a
finite horizon the continuation values are known from the last round backwards, so one pass
finds the equilibrium (backward induction). For an infinite discounted horizon the stationary
values are the fixed point of that one-round map, found by iterating it from zero on the whole
state grid (value iteration, as in Pakes and McGuire 1994), vectorised over states and over a
batch of parameter points.

The convergence bound: iteration stops at a point when no value changes by more than
``value_tol * scale * (1 - delta) / delta`` in one round (``scale`` the largest range of a
player's stage payoffs, ``delta`` the largest discount factor), each at that point. Where the
one-round map is a contraction with modulus ``delta`` (as it is once the equilibrium played at
each state no longer changes), the values are then within ``value_tol * scale`` of the fixed
point. A point that meets its bound is frozen while the rest of the batch goes on, so each point
ends where iterating it alone would. A point that does not settle within ``max_iterations``
rounds is marked unconverged. Either way, the strategy found
is checked afterwards, apart from how it was found, by the one-shot deviation principle
(:mod:`~kurilsim.forms.dynamic.one_shot_deviation`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from kurilsim.forms.dynamic.game import DynamicGame, StageArrays
from kurilsim.forms.dynamic.selection import Mixes, joint, select

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class MarkovStrategy:
    """A Markov strategy profile and its values, over a batch of points.

    Attributes
    ----------
    mixes
        One entry per round (one for an infinite horizon): per player, the probability of each
        of their strategies at every point and state, shape ``(B, S, n_i)``.
    values
        Shape ``(R + 1, B, S, N)`` for a finite horizon of ``R`` rounds (the last entry is 0),
        ``(1, B, S, N)`` for an infinite one: each player's value from each round and state on.
    converged
        Shape ``(B,)``: whether value iteration met its bound at that point (always true for
        backward induction).
    iterations
        The rounds of value iteration run, the most at any point (the number of rounds for
        backward induction).
    rounds
        Shape ``(B,)``: the rounds of value iteration run at each point, which stops at the
        first round that meets its bound; ``None`` where every point ran ``iterations``.
    """

    mixes: tuple[Mixes, ...] = field(repr=False)
    values: FloatArray = field(repr=False)
    converged: BoolArray = field(repr=False)
    iterations: int
    rounds: IntArray | None = field(default=None, repr=False)


def continuation(game: DynamicGame, values: FloatArray) -> FloatArray:
    """Each player's expected value after the chance events, from each state the stage leads to.

    ``values`` has shape ``(B, S, N)``; so has the result.
    """
    points = np.arange(game.batch)[:, None]
    out = np.zeros_like(values)
    for probability, destination in game.chance:
        out += probability[..., None] * values[points, destination]
    return out


def stage_values(game: DynamicGame, stage: StageArrays, after: FloatArray) -> FloatArray:
    """Stage payoffs plus discounted continuation, shape ``(B, S, n_1, ..., n_N, N)``.

    ``after`` is :func:`continuation` of the next round's values, shape ``(B, S, N)``.
    """
    points = np.arange(game.batch).reshape(-1, *(1,) * (stage.next_state.ndim - 1))
    spacer = (1,) * (stage.next_state.ndim - 1)
    delta = game.discount.reshape(game.batch, *spacer, -1)
    out: FloatArray = stage.payoffs + delta * after[points, stage.next_state]
    return out


def expected(values: FloatArray, mixes: Mixes) -> FloatArray:
    """Each player's expected value under the mixes, shape ``(B, S, N)``."""
    weights = joint(mixes)
    axes = tuple(range(2, weights.ndim))
    out: FloatArray = (weights[..., None] * values).sum(axis=axes)
    return out


def payoff_scale(game: DynamicGame) -> FloatArray:
    """The largest range of a player's stage payoffs at each point, shape ``(B,)``."""
    scale = np.full(game.batch, 1e-12)
    for stage in game.stages.values():
        flat = stage.payoffs.reshape(game.batch, -1, len(game.players))
        scale = np.maximum(scale, (flat.max(axis=1) - flat.min(axis=1)).max(axis=-1))
    return scale


def backward_induction(game: DynamicGame, rule: str, tol: float) -> MarkovStrategy:
    """The Markov perfect equilibrium of a finite horizon that ``rule`` selects, round by round.

    Examples
    --------
    >>> from kurilsim import load_scenario
    >>> scenario = load_scenario("scenarios/commitment_treaty.yaml")
    >>> game = scenario.game()
    >>> strategy = backward_induction(game, "payoff-dominance", 1e-9)
    >>> strategy.values.shape[0] == len(game.schedule) + 1
    True
    """
    values = np.zeros((game.batch, game.grid.size, len(game.players)))
    history = [values]
    mixes: list[Mixes] = []
    for name in reversed(game.schedule):
        q = stage_values(game, game.stages[name], continuation(game, values))
        chosen = select(q, rule, tol)
        values = expected(q, chosen)
        mixes.append(chosen)
        history.append(values)
    return MarkovStrategy(
        tuple(reversed(mixes)),
        np.stack(history[::-1]),
        np.ones(game.batch, dtype=bool),
        len(game.schedule),
    )


def value_iteration(
    game: DynamicGame, rule: str, tol: float, value_tol: float, max_iterations: int
) -> MarkovStrategy:
    """The stationary Markov perfect equilibrium ``rule`` selects, by value iteration.

    See the module docstring for the convergence bound.

    Examples
    --------
    >>> from kurilsim import load_scenario
    >>> game = load_scenario("scenarios/sanctions_markov.yaml").game()
    >>> strategy = value_iteration(game, "payoff-dominance", 1e-9, 1e-9, 10_000)
    >>> bool(strategy.converged.all())
    True
    """
    delta = game.discount.max(axis=-1)
    bound = value_tol * payoff_scale(game) * (1 - delta) / np.maximum(delta, 1e-300)
    values = np.zeros((game.batch, game.grid.size, len(game.players)))
    converged = np.zeros(game.batch, dtype=bool)
    rounds = np.zeros(game.batch, dtype=np.int64)
    chosen: Mixes = [
        np.zeros((game.batch, game.grid.size, n)) for n in game.stages[game.schedule[0]].shape
    ]
    # The points still iterating, and the game at them: a point that meets its bound is frozen
    # there, so it ends exactly where iterating it alone would, and costs no further rounds.
    active = np.arange(game.batch)
    running = game
    iterations = 0
    while iterations < max_iterations and active.size:
        iterations += 1
        stage = running.stages[running.schedule[0]]
        q = stage_values(running, stage, continuation(running, values[active]))
        mixes = select(q, rule, tol)
        updated = expected(q, mixes)
        change = np.abs(updated - values[active]).reshape(active.size, -1).max(axis=-1)
        values[active] = updated
        for mix, new in zip(chosen, mixes, strict=True):
            mix[active] = new
        rounds[active] = iterations
        done = change <= bound[active]
        if done.any():
            converged[active[done]] = True
            active = active[~done]
            running = game.take(active)
    return MarkovStrategy((chosen,), values[None], converged, iterations, rounds)
