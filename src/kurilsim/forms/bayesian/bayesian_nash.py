"""Bayesian Nash equilibria of simultaneous games, through the agent form.

Each type of each player is an *agent* that maximises its interim expected payoff, the payoff
averaged over the other players' types with their priors (Harsanyi 1967-68; Osborne 2004,
ch. 9). The agent form is a normal-form game among the agents, so the normal form's solvers find
its equilibria (all of them where the solver is complete: vertex enumeration for two agents,
support enumeration otherwise). Each is mapped back to a behaviour per type and checked apart
from the agent form, from the game's own payoffs: no type of any player gains by another action.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.errors import InputError
from kurilsim.forms.bayesian.game import BayesianGame
from kurilsim.forms.normal.game import NormalFormGame
from kurilsim.forms.normal.solve import solve as solve_normal

FloatArray = NDArray[np.float64]

#: Most action profiles of the agent form.
MAX_AGENT_PROFILES = 200_000


@dataclass(frozen=True, eq=False)
class BayesianEquilibrium:
    """One Bayesian Nash equilibrium.

    Attributes
    ----------
    behaviour
        Per player, shape ``(n_types, n_actions)``: each type's mixture over actions.
    max_regret
        The largest interim gain any type has from another action (the independent check).
    """

    behaviour: tuple[FloatArray, ...]
    max_regret: float


def agent_form(game: BayesianGame) -> NormalFormGame:
    """The normal-form game whose players are the types: interim expected payoffs.

    Examples
    --------
    >>> from kurilsim.forms.bayesian.literature import battle_of_the_sexes_uncertain
    >>> agents = agent_form(battle_of_the_sexes_uncertain())
    >>> agents.players
    ('Player1', 'Player2[meet]', 'Player2[avoid]')
    """
    agents = game.agents()
    index = {agent: k for k, agent in enumerate(agents)}
    sizes = [len(game.actions[i]) for i, _ in agents]
    profiles = int(np.prod(sizes, dtype=float))
    if profiles > MAX_AGENT_PROFILES:
        raise InputError(
            f"the agent form has {profiles:,} action profiles; at most "
            f"{MAX_AGENT_PROFILES:,} are solved"
        )
    grid = np.indices(sizes).reshape(len(agents), -1)
    payoffs = np.zeros((grid.shape[1], len(agents)))
    for types in itertools.product(*(range(len(t)) for t in game.types)):
        chances = [game.priors[j][t] for j, t in enumerate(types)]
        acts = tuple(grid[index[j, t]] for j, t in enumerate(types))
        u = game.payoffs[types][acts]
        for i, t in enumerate(types):
            others = float(np.prod([c for j, c in enumerate(chances) if j != i]))
            payoffs[:, index[i, t]] += others * u[:, i]
    names = [game.agent_name(i, t) for i, t in agents]
    return NormalFormGame(
        names,
        [game.actions[i] for i, _ in agents],
        payoffs.reshape(*sizes, len(agents)),
        title=game.title,
    )


def interim_payoffs(
    game: BayesianGame, behaviour: tuple[FloatArray, ...]
) -> tuple[FloatArray, ...]:
    """Per player, shape ``(n_types, n_actions)``: each action's interim payoff to each type.

    Computed from the game's payoffs directly, apart from the agent form.
    """
    n = game.n_players
    result = [np.zeros((len(game.types[i]), len(game.actions[i]))) for i in range(n)]
    for types in itertools.product(*(range(len(t)) for t in game.types)):
        u = game.payoffs[types]  # (*n_actions, n)
        for i in range(n):
            others = float(np.prod([game.priors[j][types[j]] for j in range(n) if j != i]))
            value = u[..., i]
            # Average out every other player's action under its type's mixture.
            for j in reversed(range(n)):
                if j != i:
                    value = np.tensordot(value, behaviour[j][types[j]], axes=([j], [0]))
            result[i][types[i]] += others * value
    return tuple(result)


def bayesian_equilibria(
    game: BayesianGame, method: str, tol: float, options: dict[str, Any]
) -> tuple[tuple[BayesianEquilibrium, ...], str | None, str, str]:
    """The Bayesian Nash equilibria the agent form's solver finds, each checked.

    Returns
    -------
    equilibria, incomplete_reason, method, scope
        The equilibria; None if the solver's listing is complete, else why not (the
        normal-form ``Solution.incomplete_reason``); the normal-form method used and what it
        promises to find.

    Examples
    --------
    >>> from kurilsim.forms.bayesian.literature import battle_of_the_sexes_uncertain
    >>> found, incomplete_reason, method, scope = bayesian_equilibria(
    ...     battle_of_the_sexes_uncertain(), "auto", 1e-9, {})
    >>> pure = [e for e in found if all((b.max(axis=1) == 1).all() for b in e.behaviour)]
    >>> [[b.argmax(axis=1).tolist() for b in e.behaviour] for e in pure]
    [[[0], [0, 1]]]
    """
    agents = agent_form(game)
    solution = solve_normal(agents, method, tol, **options)
    scale = solution.scale
    found = []
    for equilibrium in solution:
        behaviour = tuple(
            np.array([equilibrium.profile[k] for k, (j, _) in enumerate(game.agents()) if j == i])
            for i in range(game.n_players)
        )
        regret = 0.0
        for b, values in zip(behaviour, interim_payoffs(game, behaviour), strict=True):
            played = (values * b).sum(axis=1)
            regret = max(regret, float((values.max(axis=1) - played).max()))
        if regret > tol * scale * 10:
            raise AssertionError(f"a Bayesian equilibrium failed its check by {regret:g}")  # bug
        found.append(BayesianEquilibrium(behaviour, regret))
    return tuple(found), solution.incomplete_reason, solution.method, solution.scope


def expected_values(
    game: BayesianGame, behaviour: tuple[FloatArray, ...], values: FloatArray
) -> FloatArray:
    """The expectation of ``values`` (shape ``(*n_types, *n_actions, K)``) under the play."""
    total = np.zeros(values.shape[-1])
    for types in itertools.product(*(range(len(t)) for t in game.types)):
        chance = float(np.prod([game.priors[j][t] for j, t in enumerate(types)]))
        at = values[types]
        for j in reversed(range(game.n_players)):
            at = np.tensordot(at, behaviour[j][types[j]], axes=([j], [0]))
        total += chance * at
    return total


def expected_outcomes(game: BayesianGame, equilibrium: BayesianEquilibrium) -> FloatArray:
    """The expected value of each outcome (its probability for a 0/1 outcome)."""
    return expected_values(game, equilibrium.behaviour, game.outcome_values)


def type_payoffs(game: BayesianGame, equilibrium: BayesianEquilibrium) -> tuple[FloatArray, ...]:
    """Per player, each type's interim expected payoff in the equilibrium."""
    values = interim_payoffs(game, equilibrium.behaviour)
    return tuple((v * b).sum(axis=1) for v, b in zip(values, equilibrium.behaviour, strict=True))
