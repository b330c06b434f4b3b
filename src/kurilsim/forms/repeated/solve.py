"""Which stage outcomes a repeated game sustains, from what discount factor, and its payoff set.

For every pure stage profile: each player's gain from deviating once, the discount factor from
which grim trigger sustains it (reversion to each stage Nash equilibrium, and to the one worst for
the deviator), and the discount factor below which no subgame-perfect equilibrium repeats it: in
pure strategies (punished at most down to the pure minmax) and, for two players, at all (the mixed
minmax; with more players the others' independent mixing makes the minmax a non-convex problem,
not computed here). At the game's own discount factors, each profile
claimed sustained comes with a strategy profile that the one-shot deviation principle checks
(:mod:`.one_shot_deviation`): grim trigger, or, for two players, a punishment by the mutual
(pure) minmax for a number of rounds (Fudenberg and Maskin 1986). For two players the set of
subgame-perfect payoffs is approximated from outside (:mod:`.payoff_set`), and every payoff
sustained by a checked strategy profile must lie in it.

Examples
--------
>>> from kurilsim.forms import catalogue
>>> solution = solve(RepeatedGame(catalogue.prisoners_dilemma(), (0.6, 0.6)))
>>> solution.sustained_labels()
['Row: Cooperate, Column: Cooperate', 'Row: Defect, Column: Defect']
>>> solution.grim[0].tolist()  # (T - R) / (T - P) = (5 - 3) / (5 - 1)
[0.5, 0.5]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.errors import InputError, KurilsimError, suggesting_only
from kurilsim.core.tolerance import DEFAULT_TOL, check_tolerance
from kurilsim.forms.normal.regret import payoff_scale
from kurilsim.forms.normal.solve import solve as solve_stage
from kurilsim.forms.repeated.game import RepeatedGame
from kurilsim.forms.repeated.minmax import mixed_minmax, pure_minmax
from kurilsim.forms.repeated.one_shot_deviation import (
    deviation_gain,
    grim_trigger,
    stick_and_carrot,
)
from kurilsim.forms.repeated.payoff_set import DEFAULT_DIRECTIONS, equilibrium_payoff_set
from kurilsim.forms.repeated.result import RepeatedSolution
from kurilsim.forms.repeated.thresholds import (
    best_deviation,
    best_other_deviation,
    ceilings,
    stick_and_carrot_gains,
    thresholds,
)

FloatArray = NDArray[np.float64]

#: The methods: everything the game's size allows, or the thresholds without the payoff set.
METHODS = ("auto", "thresholds")
#: Options ``solve`` takes besides the method and tolerance.
OPTIONS = ("directions", "max_rounds")
#: Most rounds of mutual-minmax punishment tried before a profile is reported not sustained by it.
DEFAULT_MAX_ROUNDS = 50
#: How far, relative to the largest payoff, the closed-form stick-and-carrot gain may stray from
#: the automaton's by rounding: far above what either computation loses (about 1e-13).
CLOSED_FORM_SLACK = 1e-9


def solve(
    game: RepeatedGame,
    method: str = "auto",
    tol: float = DEFAULT_TOL,
    parameters: Mapping[str, Any] | None = None,
    directions: int = DEFAULT_DIRECTIONS,
    max_rounds: int = DEFAULT_MAX_ROUNDS,
) -> RepeatedSolution:
    """Thresholds for every pure stage profile, and the payoff set of a two-player game.

    Parameters
    ----------
    game
        The repeated game.
    method
        ``"auto"`` (thresholds, and the payoff set for two players) or ``"thresholds"``.
    tol
        Relative tolerance, times the stage game's payoff scale.
    parameters
        Scenario parameter values the game was built at, recorded in the result.
    directions
        Half-plane directions of the payoff set's outer approximation (3 to 4096).
    max_rounds
        Most rounds of mutual-minmax punishment tried (1 to 1000).

    Raises
    ------
    InputError
        For an unknown method or an option out of range.
    """
    if method not in METHODS:
        raise InputError(f"unknown method {method!r}; expected one of {', '.join(METHODS)}")
    check_tolerance(tol)
    _check_count("directions", directions, 3, 4096)
    _check_count("max_rounds", max_rounds, 1, 1000)
    payoffs = game.stage.payoffs
    shape = payoffs.shape[:-1]
    players = len(shape)
    scale = payoff_scale(payoffs)
    with suggesting_only(METHODS):  # a stage game too large names no method of this form
        stage = solve_stage(game.stage, "auto", tol)
    cells = list(np.ndindex(shape))
    path = payoffs.reshape(-1, players)
    deviation = best_deviation(payoffs).reshape(-1, players)
    reversion = np.array([e.payoffs for e in stage.equilibria]).reshape(-1, players)
    by_nash = thresholds(path[:, None], deviation[:, None], reversion[None], tol * scale)
    # Each deviator is punished by the stage equilibrium worst for her.
    worst_nash = reversion.argmin(axis=0)
    grim = by_nash[:, worst_nash, np.arange(players)]
    other = best_other_deviation(payoffs).reshape(-1, players)
    ceiling = ceilings(path, other, reversion[worst_nash, np.arange(players)], tol * scale)
    pure = [pure_minmax(payoffs, i) for i in range(players)]
    minmax_pure = np.array([value for value, _ in pure])
    minmax_mixed = (
        np.array([mixed_minmax(payoffs, i)[0] for i in range(players)]) if players == 2 else None
    )
    delta = game.discount
    sustained = np.all(grim <= delta, axis=1) & np.all(delta <= ceiling, axis=1)
    punishments = [stage.equilibria[k].profile for k in worst_nash]
    for k in np.flatnonzero(sustained):
        _verify(payoffs, grim_trigger(cells[k], punishments, shape), delta, tol * scale, "grim")
    rounds = np.zeros(len(cells), dtype=np.int64)
    mutual: tuple[int, ...] | None = None
    if players == 2:
        # Each player plays the strategy that holds the other to her pure minmax.
        mutual = (pure[1][1][0], pure[0][1][1])
        floor = thresholds(path, deviation, minmax_pure, tol * scale)
        for k in np.flatnonzero(np.all(floor <= delta, axis=1)):
            rounds[k] = _punishment_rounds(
                payoffs, cells[k], mutual, delta, tol * scale, max_rounds
            )
    payoff_set = None
    if players == 2 and method == "auto":
        payoff_set = equilibrium_payoff_set(payoffs, delta, directions)
        for k in np.flatnonzero(sustained | (rounds > 0)):
            if payoff_set.converged and not payoff_set.contains(path[k], 1e-6):
                raise KurilsimError(
                    f"the payoff set misses the payoffs of {cells[k]}, sustained by a checked "
                    "strategy profile; this is a bug in kurilsim, please report it"
                )
    return RepeatedSolution(
        game=game,
        tol=tol,
        stage=stage,
        cells=tuple(cells),
        path_payoffs=path,
        deviation_payoffs=deviation,
        nash_thresholds=by_nash,
        grim=grim,
        minmax_pure=minmax_pure,
        minmax_mixed=minmax_mixed,
        floor_pure=thresholds(path, deviation, minmax_pure, tol * scale),
        floor_mixed=(
            None if minmax_mixed is None else thresholds(path, deviation, minmax_mixed, tol * scale)
        ),
        sustained_by_grim=sustained,
        mutual_minmax=mutual,
        punishment_rounds=rounds,
        payoff_set=payoff_set,
        method=method,
        options={"directions": directions, "max_rounds": max_rounds},
        parameters=dict(parameters or {}),
        incomplete_reason=stage.incomplete_reason
        or (None if payoff_set is None or payoff_set.converged else "limit: payoff set steps"),
    )


def _punishment_rounds(
    payoffs: FloatArray,
    path: tuple[int, ...],
    punishment: tuple[int, ...],
    delta: FloatArray,
    tol: float,
    max_rounds: int,
) -> int:
    """The fewest rounds of ``punishment`` making stick-and-carrot an SPE; 0 if none."""
    shape = payoffs.shape[:-1]
    # The closed form rules out every number of rounds it finds short by more than rounding;
    # the rest are tried in order, each checked on its automaton.
    closed = stick_and_carrot_gains(payoffs, path, punishment, delta, max_rounds)
    rounding = CLOSED_FORM_SLACK * (1.0 + float(np.abs(payoffs).max(initial=0.0)))
    for rounds in np.flatnonzero(closed <= tol + rounding) + 1:
        automaton = stick_and_carrot(path, punishment, int(rounds), shape)
        if deviation_gain(payoffs, automaton, delta) <= tol:
            return int(rounds)
    return 0


def _verify(payoffs: FloatArray, automaton: Any, delta: FloatArray, tol: float, name: str) -> None:
    gain = deviation_gain(payoffs, automaton, delta)
    if gain > tol:
        raise KurilsimError(
            f"the {name} profile claimed subgame-perfect gains {gain:.3g} from a one-shot "
            "deviation; this is a bug in kurilsim, please report it"
        )


def _check_count(name: str, value: object, low: int, high: int) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | np.integer)
        or not low <= value <= high
    ):
        raise InputError(f"expected a whole number from {low} to {high}, got {value!r}", field=name)
