r"""The one-shot deviation principle: check a strategy profile of a repeated game directly.

A strategy profile given as an automaton (states, the stage profile each state plays, the state
each stage outcome leads to) is a subgame-perfect equilibrium of the discounted repeated game if
and only if no player gains, in any state, by deviating for one round and then following the
profile again (Blackwell 1965; Fudenberg and Tirole 1991, theorem 4.2). With payoffs normalised
by :math:`1 - \delta_i`, player :math:`i`'s values solve
:math:`V^i = (1 - \delta_i) r^i + \delta_i P V^i`, and in each state :math:`k` every pure
strategy :math:`a_i` must satisfy
:math:`\mathrm E[(1 - \delta_i) u_i(a_i, a_{-i}) + \delta_i V^i_{\tau(k, a)}] \le V^i_k`.

This check knows nothing about how a threshold or a payoff set was found; it is the independent
verification of the profiles the repeated-game methods claim.

Examples
--------
Grim trigger in the prisoner's dilemma (R = 3, T = 5, P = 1) needs
:math:`\delta \ge (T - R) / (T - P) = 0.5`:

>>> import numpy as np
>>> pd = np.array([[[3, 3], [0, 5]], [[5, 0], [1, 1]]], dtype=float)
>>> grim = grim_trigger((0, 0), [(1, 1)] * 2, pd.shape[:-1])
>>> round(deviation_gain(pd, grim, np.array([0.5, 0.5])), 12)
0.0
>>> deviation_gain(pd, grim, np.array([0.4, 0.4])) > 0
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from kurilsim.forms.normal.pure_nash import pure_profile
from kurilsim.forms.normal.regret import strategy_payoffs

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
Profile = tuple[FloatArray, ...]


@dataclass(frozen=True, eq=False)
class Automaton:
    """A strategy profile of a repeated game with perfect monitoring, as a finite automaton.

    Attributes
    ----------
    plays
        For each state, the stage profile played (one probability vector per player).
    next_state
        Shape ``(K, n_1, ..., n_N)``: the state after each pure stage outcome, from each state.
    start
        The initial state.
    """

    plays: tuple[Profile, ...]
    next_state: IntArray
    start: int = 0


def automaton_values(payoffs: FloatArray, automaton: Automaton, discount: FloatArray) -> FloatArray:
    """Each player's normalised discounted value in each state, shape ``(K, N)``."""
    states = len(automaton.plays)
    players = payoffs.shape[-1]
    flows = np.empty((states, players))
    moves = np.zeros((states, states))
    for k, play in enumerate(automaton.plays):
        weights = _outcome_weights(play)
        flows[k] = np.tensordot(weights, payoffs, axes=weights.ndim)
        np.add.at(moves[k], automaton.next_state[k].ravel(), weights.ravel())
    values = np.empty((states, players))
    for i in range(players):
        system = np.eye(states) - discount[i] * moves
        values[:, i] = np.linalg.solve(system, (1 - discount[i]) * flows[:, i])
    return values


def deviation_gain(payoffs: FloatArray, automaton: Automaton, discount: FloatArray) -> float:
    """The largest gain any player makes in any state by a one-round deviation.

    Zero (up to rounding) or less means the automaton is a subgame-perfect equilibrium.

    Parameters
    ----------
    payoffs
        Stage payoff tensor, shape ``(n_1, ..., n_N, N)``.
    automaton
        The strategy profile.
    discount
        Each player's discount factor, in ``[0, 1)``.
    """
    values = automaton_values(payoffs, automaton, discount)
    gain = -np.inf
    for k, play in enumerate(automaton.plays):
        # Stage payoff plus discounted continuation after every pure outcome, from state k.
        total = (1 - discount) * payoffs + discount * values[automaton.next_state[k]]
        for i, per_strategy in enumerate(strategy_payoffs(total, play)):
            gain = max(gain, float(per_strategy.max() - values[k, i]))
    return gain


def grim_trigger(
    path: Sequence[int], punishments: Sequence[Sequence[int] | Profile], shape: tuple[int, ...]
) -> Automaton:
    """Play ``path`` until someone deviates; a deviation by player ``i`` starts ``punishments[i]``.

    The punishment (a stage Nash equilibrium, pure cell or mixed profile) is then played forever.
    A joint deviation is punished as the lowest-numbered deviator's.

    Examples
    --------
    >>> grim_trigger((0, 0), [(1, 1), (1, 1)], (2, 2)).next_state.tolist()
    [[[0, 2], [1, 1]], [[1, 1], [1, 1]], [[2, 2], [2, 2]]]
    """
    players = len(shape)
    plays = [pure_profile(shape, path)]
    plays += [_as_profile(shape, p) for p in punishments]
    next_state = np.empty((players + 1, *shape), dtype=np.int64)
    next_state[0] = _after_deviation(tuple(path), shape, list(range(1, players + 1)), stay=0)
    for i in range(players):
        next_state[i + 1] = i + 1
    return Automaton(tuple(plays), next_state)


def stick_and_carrot(
    path: Sequence[int], punishment: Sequence[int], rounds: int, shape: tuple[int, ...]
) -> Automaton:
    """Play ``path``; any deviation starts ``rounds`` rounds of ``punishment``, then ``path`` again.

    A deviation during the punishment restarts it (Fudenberg and Maskin 1986, two-player folk
    theorem, with the mutual minmax as ``punishment``). ``shape`` is the stage game's number of
    strategies per player.

    Examples
    --------
    >>> stick_and_carrot((0, 0), (1, 1), 2, (2, 2)).next_state[:, 1, 1].tolist()
    [1, 2, 0]
    """
    plays = [pure_profile(shape, path)] + [pure_profile(shape, punishment)] * rounds
    next_state = np.empty((rounds + 1, *shape), dtype=np.int64)
    restart = [1] * len(shape)
    next_state[0] = _after_deviation(tuple(path), shape, restart, stay=0)
    for k in range(1, rounds + 1):
        following = k + 1 if k < rounds else 0
        next_state[k] = _after_deviation(tuple(punishment), shape, restart, stay=following)
    return Automaton(tuple(plays), next_state)


def _after_deviation(
    cell: tuple[int, ...], shape: tuple[int, ...], punish: Sequence[int], stay: int
) -> IntArray:
    """Next states: ``stay`` on ``cell``, else the state ``punish[i]`` of the first deviator."""
    table = np.full(shape, stay, dtype=np.int64)
    for outcome in np.ndindex(shape):
        deviators = [i for i, (a, b) in enumerate(zip(outcome, cell, strict=True)) if a != b]
        if deviators:
            table[outcome] = punish[deviators[0]]
    return table


def _as_profile(shape: tuple[int, ...], play: Sequence[int] | Profile) -> Profile:
    if all(isinstance(p, int | np.integer) for p in play):
        return pure_profile(shape, [int(p) for p in play])
    return tuple(np.asarray(p, dtype=np.float64) for p in play)


def _outcome_weights(play: Profile) -> FloatArray:
    """The probability of each pure outcome under independent mixing, shape ``(n_1, ..., n_N)``."""
    weights = np.ones(())
    for mixture in play:
        weights = np.multiply.outer(weights, mixture)
    return weights
