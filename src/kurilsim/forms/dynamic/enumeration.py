"""Every Markov perfect equilibrium of a finite horizon up to a bound: branching backward induction.

Backward induction with a selection rule plays one equilibrium of each round's stage game at each
state. Here, at each round, every state's stage game (stage payoffs plus the continuation values
of the equilibrium already fixed for the later rounds) is solved for all its equilibria by the
normal form's enumeration (:func:`kurilsim.forms.normal.solve.solve`: vertex enumeration for two
players, support enumeration for more), and the search branches on every combination over the
states, depth first from the last round back to the first. Each leaf of the search is one Markov
perfect equilibrium; the search stops once it has one more than the bound, which it then reports
as cut short.

What counts as distinct (a modelling choice, stated here): two strategies of a player that give
every player the same stage payoffs, lead to the same state and make the same deal against every
profile of the others cannot be told apart by anyone, so they are merged (the first one named is
kept) before the stage game is solved. Equilibria are thus listed up to such duplicates. Where a
stage game still has a continuum of equilibria (a component of more than one extreme point), the
extreme points are the branches listed, and the listing says it is not complete: the equilibria
between them, and what follows from their continuation values, are not listed. A player left with
one strategy is dropped from the stage game, so two players with a choice are solved by vertex
enumeration; where three or more have one, support enumeration is not known to find every
equilibrium, and the listing says it is not complete.

An infinite horizon has no such enumeration here: its stationary equilibria are fixed points of
the one-round map, and value iteration from a selection rule finds one of them.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.errors import InputError
from kurilsim.forms.dynamic.game import DynamicGame, StageArrays
from kurilsim.forms.dynamic.markov_perfect import (
    MarkovStrategy,
    continuation,
    expected,
    stage_values,
)
from kurilsim.forms.dynamic.selection import Mixes

FloatArray = NDArray[np.float64]
Profile = tuple[FloatArray, ...]
#: Two stage equilibria whose play differs by less than this in every probability are one.
PLAY_TOL = 1e-8


@dataclass
class _Tally:
    """What the search met on its way: stage games solved, with several equilibria, continua."""

    solved: int = 0
    several: int = 0
    continua: list[str] = field(default_factory=list)
    timed_out: list[str] = field(default_factory=list)
    local: list[str] = field(default_factory=list)


@dataclass(frozen=True, eq=False)
class MarkovEnumeration:
    """The Markov perfect equilibria found by branching backward induction.

    Attributes
    ----------
    strategies
        One strategy per equilibrium found, at most the bound, in the order of the search.
    stage_games
        The stage games (round and state, given the later rounds' play) the search solved.
    several
        How many of them had more than one equilibrium.
    continua
        Where a stage game had a continuum of equilibria (round and state), of which only the
        extreme points were branched on.
    timed_out
        Where a stage game's enumeration stopped at its time bound.
    local
        Where three or more players had a choice, so the stage game was solved by support
        enumeration, whose nonlinear solves may miss equilibria: the listing is not known to be
        complete.
    cut
        Whether the bound stopped the search with more equilibria left.
    max_equilibria
        The bound.
    """

    strategies: tuple[MarkovStrategy, ...]
    stage_games: int
    several: int
    continua: tuple[str, ...]
    timed_out: tuple[str, ...]
    cut: bool
    max_equilibria: int
    local: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        """True when every Markov perfect equilibrium (up to duplicate strategies) is listed."""
        return not (self.cut or self.continua or self.timed_out or self.local)


def distinct_strategies(stage: StageArrays, state: int, tol: float) -> list[list[int]]:
    """Each player's strategies at ``state``, with duplicates (see the module docstring) dropped.

    Examples
    --------
    >>> from kurilsim import load_scenario
    >>> game = load_scenario("scenarios/commitment_treaty.yaml").game()
    >>> # Before a treaty Russia has nothing to transfer: its two moves are the same.
    >>> distinct_strategies(game.stages["transfer"], 0, 1e-9)
    [[0], [0]]
    >>> game.grid.describe(4)
    'treaty=1, transferred=0, settled=0'
    >>> distinct_strategies(game.stages["transfer"], 4, 1e-9)
    [[0, 1], [0]]
    """
    payoffs = stage.payoffs[0, state]
    moves = stage.next_state[0, state]
    deals = stage.deal[0, state]
    atol = tol * max(float(np.ptp(payoffs)), 1e-12)
    kept: list[list[int]] = []
    for i, n in enumerate(stage.shape):
        mine: list[int] = []
        for j in range(n):
            same = any(
                np.allclose(
                    np.take(payoffs, j, axis=i), np.take(payoffs, k, axis=i), rtol=0, atol=atol
                )
                and np.array_equal(np.take(moves, j, axis=i), np.take(moves, k, axis=i))
                and np.array_equal(np.take(deals, j, axis=i), np.take(deals, k, axis=i))
                for k in mine
            )
            if not same:
                mine.append(j)
        kept.append(mine)
    return kept


def stage_equilibria(
    game: DynamicGame, stage: StageArrays, q: FloatArray, state: int, tol: float
) -> tuple[list[Profile], bool, bool, bool]:
    """Every extreme equilibrium of one state's stage game, with duplicate strategies merged.

    Parameters
    ----------
    game, stage
        The game and the round's stage.
    q
        Stage payoffs plus discounted continuation at every state, ``(1, S, n_1, ..., n_N, N)``.
    state
        The state.
    tol
        Relative tolerance of the equilibrium conditions.

    Returns
    -------
    tuple
        The equilibria as full profiles (no weight on a dropped duplicate), one per distinct
        play (distribution over stage payoffs, next state and deal); whether the stage game has
        a continuum of equilibria whose play differs; whether its enumeration finished; whether
        the enumeration is complete by construction (at most two players with a choice, solved
        by vertex enumeration; with three or more, support enumeration's nonlinear solves are
        local and may miss some).
    """
    from kurilsim.forms.normal.game import NormalFormGame
    from kurilsim.forms.normal.solve import solve

    kept = distinct_strategies(stage, state, tol)
    n = len(game.players)
    # A player left with one strategy has no choice to make: the game is that of the others,
    # so two movers get vertex enumeration (every extreme equilibrium) whatever the number of
    # players. Support enumeration, for three or more, is not guaranteed complete.
    movers = [i for i, js in enumerate(kept) if len(js) > 1]
    single = [_expand(np.ones(1), kept[i], m) for i, m in enumerate(stage.shape)]
    if not movers:
        return [tuple(single)], False, True, True
    reduced = q[0, state][np.ix_(*kept, range(n))]
    reduced = reduced.reshape([len(kept[i]) for i in movers] + [n])[..., movers]
    names = [[stage.strategies[i][j] for j in kept[i]] for i in movers]
    players = [game.players[i] for i in movers]
    solution = solve(NormalFormGame(players, names, reduced), "auto", tol)
    profiles = []
    for eq in solution.equilibria:
        profile = list(single)
        for i, p in zip(movers, eq.profile, strict=True):
            profile[i] = _expand(p, kept[i], stage.shape[i])
        profiles.append(tuple(profile))
    play = [_play(stage, state, profile, tol) for profile in profiles]
    continuum = any(
        not all(np.allclose(play[k], play[c.members[0]], atol=PLAY_TOL) for k in c.members)
        for c in solution.components
        if c.dimension > 0
    )
    distinct: list[int] = []
    for k in range(len(profiles)):
        if not any(np.allclose(play[k], play[j], atol=PLAY_TOL) for j in distinct):
            distinct.append(k)
    return [profiles[k] for k in distinct], continuum, solution.complete, len(movers) <= 2


def _expand(mix: FloatArray, kept: list[int], size: int) -> FloatArray:
    """A reduced game's mixture over the whole of the player's strategies."""
    out = np.zeros(size)
    out[kept] = mix
    return out


def _play(stage: StageArrays, state: int, profile: Profile, tol: float) -> FloatArray:
    """The probability of each distinct (stage payoffs, next state, deal) under the profile."""
    payoffs = stage.payoffs[0, state]
    n = payoffs.shape[-1]
    atol = tol * max(float(np.ptp(payoffs)), 1e-12)
    keys = np.column_stack(
        [
            np.round(payoffs.reshape(-1, n) / atol),
            stage.next_state[0, state].reshape(-1),
            stage.deal[0, state].reshape(-1),
        ]
    )
    _, classes = np.unique(keys, axis=0, return_inverse=True)
    weights = np.ones(())
    for mix in profile:
        weights = np.multiply.outer(weights, mix)
    counts = np.bincount(classes.ravel(), weights=weights.ravel(), minlength=len(keys))
    out: FloatArray = counts.astype(np.float64)
    return out


def enumerate_markov_perfect(
    game: DynamicGame, tol: float, max_equilibria: int
) -> MarkovEnumeration:
    """Markov perfect equilibria of a finite horizon, up to ``max_equilibria`` of them.

    Raises
    ------
    InputError
        For an infinite horizon, or a batch of more than one point.

    Examples
    --------
    >>> from kurilsim import load_scenario
    >>> game = load_scenario("scenarios/commitment_treaty.yaml").game()
    >>> found = enumerate_markov_perfect(game, 1e-9, 100)
    >>> len(found.strategies) >= 1, found.complete
    (True, True)
    """
    if game.infinite:
        raise InputError(
            "selection 'all' enumerates Markov perfect equilibria by backward induction over a "
            "finite horizon; an infinite horizon's stationary equilibria are fixed points with no "
            "finite enumeration here: use payoff-dominance, risk-dominance or logit-limit",
            field="selection",
        )
    if game.batch != 1:
        raise InputError(
            "selection 'all' lists the equilibria at one parameter point; a batch or sweep "
            "needs a selection rule",
            field="selection",
        )
    tally = _Tally()
    horizon = len(game.schedule)
    zero = np.zeros((1, game.grid.size, len(game.players)))
    leaves = _branches(game, horizon - 1, zero, [], [zero], tol, tally)
    found = list(itertools.islice(leaves, max_equilibria + 1))
    strategies = tuple(
        MarkovStrategy(tuple(mixes), np.stack(values), np.ones(1, dtype=bool), horizon)
        for mixes, values in found[:max_equilibria]
    )
    return MarkovEnumeration(
        strategies,
        tally.solved,
        tally.several,
        tuple(dict.fromkeys(tally.continua)),
        tuple(dict.fromkeys(tally.timed_out)),
        len(found) > max_equilibria,
        max_equilibria,
        tuple(dict.fromkeys(tally.local)),
    )


def _branches(
    game: DynamicGame,
    t: int,
    after: FloatArray,
    later: list[Mixes],
    values: list[FloatArray],
    tol: float,
    tally: _Tally,
) -> Iterator[tuple[list[Mixes], list[FloatArray]]]:
    """Every completion of the equilibrium fixed from round ``t + 1`` on, depth first."""
    if t < 0:
        yield later, values
        return
    stage = game.stages[game.schedule[t]]
    q = stage_values(game, stage, continuation(game, after))
    choices: list[Sequence[Profile]] = []
    for s in range(game.grid.size):
        found, continuum, finished, exhaustive = stage_equilibria(game, stage, q, s, tol)
        tally.solved += 1
        tally.several += len(found) > 1
        where = f"round {_round_name(game, t)} at {game.grid.describe(s)}"
        if continuum:
            tally.continua.append(where)
        if not finished:
            tally.timed_out.append(where)
        if not exhaustive:
            tally.local.append(where)
        choices.append(found)
    for combination in itertools.product(*choices):
        mixes = [
            np.stack([profile[i] for profile in combination])[None]
            for i in range(len(game.players))
        ]
        now = expected(q, mixes)
        yield from _branches(game, t - 1, now, [mixes, *later], [now, *values], tol, tally)


def _round_name(game: DynamicGame, t: int) -> str:
    return game.round_names[t] if game.round_names else str(t + 1)
