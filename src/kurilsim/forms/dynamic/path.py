"""The equilibrium path: where play goes from the initial state, round by round.

From the initial state the distribution over states is pushed forward through the strategy played
and the chance events, on the whole batch of points at once. Alongside it runs the probability
mass of histories with no deal yet, so that the probability of a deal *by* each round is exact
even when a deal can be followed by a breakdown.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from kurilsim.forms.dynamic.game import DynamicGame, StageArrays
from kurilsim.forms.dynamic.markov_perfect import MarkovStrategy
from kurilsim.forms.dynamic.selection import joint

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class EquilibriumPath:
    """Play along the equilibrium path over a batch of points.

    Attributes
    ----------
    stages
        The stage played in each round.
    profiles
        Per round, the probability of each profile of that round's stage, shape
        ``(B, n_1, ..., n_N)``.
    states
        Shape ``(B, R, S)``: the distribution over states at the start of each round.
    state_means
        Shape ``(B, R, V)``: the expected value of each state variable at the start of each round.
    deal
        Shape ``(B, R)``: the probability of a deal in each round.
    deal_by
        Shape ``(B, R)``: the probability of at least one deal by the end of each round.
    """

    stages: tuple[str, ...]
    profiles: tuple[FloatArray, ...] = field(repr=False)
    states: FloatArray = field(repr=False)
    state_means: FloatArray = field(repr=False)
    deal: FloatArray = field(repr=False)
    deal_by: FloatArray = field(repr=False)


def _push(game: DynamicGame, stage: StageArrays, mass: FloatArray) -> FloatArray:
    """Where mass over ``(B, S, n_1, ..., n_N)`` lands after the stage and the chance events."""
    batch, states = game.batch, game.grid.size
    points = np.arange(batch).reshape(-1, *(1,) * (mass.ndim - 1))
    middle = np.bincount(
        (points * states + stage.next_state).ravel(),
        weights=mass.ravel(),
        minlength=batch * states,
    ).reshape(batch, states)
    out = np.zeros((batch, states))
    flat = np.arange(batch)[:, None] * states
    for probability, destination in game.chance:
        out += np.bincount(
            (flat + destination).ravel(),
            weights=(middle * probability).ravel(),
            minlength=batch * states,
        ).reshape(batch, states)
    return out


def equilibrium_path(game: DynamicGame, strategy: MarkovStrategy, rounds: int) -> EquilibriumPath:
    """Follow the strategy from the initial state for ``rounds`` rounds (a finite game's own).

    Examples
    --------
    >>> from kurilsim import load_scenario
    >>> from kurilsim.forms.dynamic.markov_perfect import backward_induction
    >>> game = load_scenario("scenarios/commitment_treaty.yaml").game()
    >>> path = equilibrium_path(game, backward_induction(game, "payoff-dominance", 1e-9), 3)
    >>> path.deal_by.shape
    (1, 3)
    """
    batch, states = game.batch, game.grid.size
    at = np.zeros((batch, states))
    at[:, game.grid.initial] = 1.0
    undealt = at.copy()
    grid_values = np.stack(list(game.grid.values().values()), axis=-1)
    profiles, distributions, means, deals, deal_by, stages = [], [], [], [], [], []
    for t in range(rounds):
        name = game.schedule[0] if game.infinite else game.schedule[t]
        stage = game.stages[name]
        weights = joint(strategy.mixes[0 if game.infinite else t])
        spacer = (1,) * len(stage.shape)
        mass = at.reshape(batch, states, *spacer) * weights
        open_mass = undealt.reshape(batch, states, *spacer) * weights * ~stage.deal
        profiles.append(mass.sum(axis=1))
        distributions.append(at)
        means.append(at @ grid_values)
        deals.append((mass * stage.deal).reshape(batch, -1).sum(axis=-1))
        at = _push(game, stage, mass)
        undealt = _push(game, stage, open_mass)
        deal_by.append(1.0 - undealt.sum(axis=-1))
        stages.append(name)
    return EquilibriumPath(
        tuple(stages),
        tuple(profiles),
        np.stack(distributions, axis=1),
        np.stack(means, axis=1),
        np.clip(np.stack(deals, axis=1), 0.0, 1.0),
        np.clip(np.stack(deal_by, axis=1), 0.0, 1.0),
    )
