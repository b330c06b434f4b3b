"""What keeps a dynamic game off a deal: who, looking ahead, leaves the nearest plan that makes one.

A *plan* plays one pure profile in each round, whatever the state (so a plan of a finite horizon
is a sequence of profiles, one per round). The plans whose play makes a deal more likely than not
by the last round are the deals; the *nearest* is the one that departs from the equilibrium's most
likely play in the fewest rounds (ties: the largest sum of the players' values under the plan).
Along it, round by round at the state the plan most likely reaches, a player *blocks* where a
different strategy this round, the others keeping to the plan and everyone playing the Markov
perfect equilibrium from the next round on, pays them more: the gain is that difference. This is
the one-shot deviation of :mod:`~kurilsim.forms.dynamic.one_shot_deviation` asked of the plan
instead of the equilibrium. A blocker in a later round that makes an earlier one block too
(the investment withheld, so the transfer refused) is the hold-up of a commitment problem; the
plan is then named *hold-up* when every player values it above equilibrium play.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.deals import Blocker
from kurilsim.forms.dynamic.game import DynamicGame, StageArrays
from kurilsim.forms.dynamic.markov_perfect import (
    MarkovStrategy,
    continuation,
    expected,
    payoff_scale,
    stage_values,
)
from kurilsim.forms.dynamic.path import equilibrium_path

FloatArray = NDArray[np.float64]

#: Most plans searched for the nearest deal, those with the fewest departures first.
MAX_PLANS = 2048


@dataclass(frozen=True)
class DealPlan:
    """The nearest plan that makes a deal, who leaves it, and whether that is hold-up.

    Attributes
    ----------
    rounds
        Per round, the plan's profile: player -> strategy.
    deal_by_end
        The plan's probability of a deal by the last round.
    values
        Each player's value of the plan from the initial state.
    equilibrium_values
        Each player's value of equilibrium play from the initial state.
    blockers
        Who leaves the plan, in which round, and by how much, first round first.
    """

    rounds: tuple[dict[str, str], ...]
    deal_by_end: float
    values: dict[str, float]
    equilibrium_values: dict[str, float]
    blockers: tuple[Blocker, ...]

    @property
    def hold_up(self) -> bool:
        """Whether every player prefers the plan to equilibrium play, yet someone leaves it."""
        return bool(self.blockers) and all(
            self.values[p] > self.equilibrium_values[p] for p in self.values
        )

    def describe(self) -> str:
        """The plan, round by round, as one line."""
        return " -> ".join(
            ", ".join(f"{p}: {s}" for p, s in profile.items()) for profile in self.rounds
        )


def nearest_deal(
    game: DynamicGame, strategy: MarkovStrategy, names: tuple[str, ...], tol: float
) -> tuple[DealPlan | None, bool]:
    """The nearest plan that makes a deal and its blockers, and whether the search was whole.

    Plans are tried in order of how many rounds depart from equilibrium play, up to
    :data:`MAX_PLANS` of them. The plan is None for an infinite horizon, or when none tried
    makes a deal. The flag is False when :data:`MAX_PLANS` stopped the search before it had
    tried every plan with as few departures as the one returned (or every plan, when none is
    returned): a nearer plan, or a plan as near with a larger sum of values, may be left out.

    Parameters
    ----------
    game
        A game of one point with a finite horizon.
    strategy
        Its Markov perfect equilibrium (from a selection rule).
    names
        The rounds' names.
    tol
        Relative tolerance: a gain within ``tol`` times the game's payoff scale is no gain.

    Examples
    --------
    >>> from kurilsim import load_scenario
    >>> from kurilsim.forms.dynamic.markov_perfect import backward_induction
    >>> game = load_scenario("scenarios/commitment_treaty.yaml").game()
    >>> strategy = backward_induction(game, "payoff-dominance", 1e-9)
    >>> plan, whole = nearest_deal(game, strategy, game.round_names, 1e-9)
    >>> plan.hold_up, [b.player for b in plan.blockers], whole
    (True, ['Japan', 'Russia', 'Japan'], True)
    """
    stages = [game.stages[name] for name in game.schedule]
    if game.infinite:
        return None, True
    played = equilibrium_path(game, strategy, len(stages))
    usual = tuple(
        tuple(int(i) for i in np.unravel_index(int(p[0].argmax()), s.shape))
        for p, s in zip(played.profiles, stages, strict=True)
    )
    best = None
    whole = False  # whether the search ended before MAX_PLANS did
    for plan in _plans_by_departures(stages, usual):
        if plan is None:
            break  # MAX_PLANS reached
        fixed = _plan_strategy(game, plan)
        deal_by_end = float(equilibrium_path(game, fixed, len(stages)).deal_by[0, -1])
        departures = sum(c != u for c, u in zip(plan, usual, strict=True))
        if best is not None and departures > best[0][0]:
            whole = True  # every plan with as few departures has been tried
            break
        if deal_by_end <= 0.5:
            continue
        key = (departures, -float(fixed.values[0, 0, game.grid.initial].sum()))
        if best is None or key < best[0]:
            best = (key, plan, fixed, deal_by_end)
    else:
        whole = True
    if best is None:
        return None, whole
    _, plan, fixed, deal_by_end = best
    route = equilibrium_path(game, fixed, len(stages))
    threshold = tol * float(payoff_scale(game)[0])
    blockers = []
    for t, (stage, cell) in enumerate(zip(stages, plan, strict=True)):
        state = int(route.states[0, t].argmax())
        q = stage_values(game, stage, continuation(game, strategy.values[t + 1]))[0, state]
        for i, player in enumerate(game.players):
            others = tuple(c for j, c in enumerate(cell) if j != i)
            own = np.moveaxis(q[..., i], i, 0)[(slice(None), *others)]
            k = int(own.argmax())
            gain = float(own[k] - own[cell[i]])
            if gain > threshold:
                blockers.append(
                    Blocker(
                        player,
                        stage.strategies[i][cell[i]],
                        stage.strategies[i][k],
                        gain,
                        True,
                        node=f"round {names[t]}, {game.grid.describe(state)}",
                    )
                )
    start = game.grid.initial
    return DealPlan(
        tuple(
            {p: stage.strategies[i][c[i]] for i, p in enumerate(game.players)}
            for stage, c in zip(stages, plan, strict=True)
        ),
        deal_by_end,
        _values(game, fixed.values[0, 0, start]),
        _values(game, strategy.values[0, 0, start]),
        tuple(blockers),
    ), whole


def _plans_by_departures(
    stages: list[StageArrays], usual: tuple[tuple[int, ...], ...]
) -> Iterator[tuple[tuple[int, ...], ...] | None]:
    """Plans in order of how many rounds depart from ``usual``, at most :data:`MAX_PLANS`.

    None follows the last plan when more were left.
    """
    cells = [list(itertools.product(*(range(n) for n in s.shape))) for s in stages]
    given = 0
    for departures in range(len(stages) + 1):
        for rounds in itertools.combinations(range(len(stages)), departures):
            options = [[c for c in cells[t] if c != usual[t]] for t in rounds]
            for chosen in itertools.product(*options):
                plan = list(usual)
                for t, cell in zip(rounds, chosen, strict=True):
                    plan[t] = cell
                given += 1
                if given > MAX_PLANS:
                    yield None
                    return
                yield tuple(plan)


def _values(game: DynamicGame, at: FloatArray) -> dict[str, float]:
    return {p: float(v) for p, v in zip(game.players, at, strict=True)}


def _plan_strategy(game: DynamicGame, plan: tuple[tuple[int, ...], ...]) -> MarkovStrategy:
    """The plan as a Markov strategy (the same profile at every state), with its values."""
    states = game.grid.size
    values = np.zeros((1, states, len(game.players)))
    history = [values]
    mixes = []
    for t in reversed(range(len(game.schedule))):
        stage = game.stages[game.schedule[t]]
        chosen = [
            np.broadcast_to(np.eye(n)[plan[t][i]], (1, states, n))
            for i, n in enumerate(stage.shape)
        ]
        values = expected(stage_values(game, stage, continuation(game, values)), chosen)
        history.append(values)
        mixes.append(chosen)
    return MarkovStrategy(
        tuple(reversed(mixes)), np.stack(history[::-1]), np.ones(1, dtype=bool), len(game.schedule)
    )
