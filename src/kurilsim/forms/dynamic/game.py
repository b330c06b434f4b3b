"""A dynamic game at parameter values: payoffs and transitions as arrays over the state grid.

Every array has a leading batch axis ``B`` (parameter points; 1 for a single game) and a state
axis ``S`` (the flat index of the grid), so that one numpy expression covers every state of every
point: a stage's payoffs have shape ``(B, S, n_1, ..., n_N, N)``, where its outcome leads
``(B, S, n_1, ..., n_N)`` (a state index), and the chance events after it are a list of branches,
each a probability and a destination of shape ``(B, S)``.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.rules import Path, SemanticError
from kurilsim.forms.dynamic.scenario import CompiledDynamic, CompiledStage, Grid
from kurilsim.forms.normal.payoffs import outcome_values, payoff_tensor

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

#: Relative slack, in units of a variable's range, before a value counts as outside it.
RANGE_SLACK = 1e-9


@dataclass(frozen=True, eq=False)
class StageArrays:
    """One stage game over a batch of points and every state.

    Attributes
    ----------
    name
        The stage's name in the file.
    strategies
        Each player's strategies in this stage.
    payoffs
        Shape ``(B, S, n_1, ..., n_N, N)``.
    next_state
        Shape ``(B, S, n_1, ..., n_N)``: the state the profile leads to, before chance events.
    deal
        Shape ``(B, S, n_1, ..., n_N)``: where the play makes a deal.
    labels
        The stage's declared labels, each with a flat mask of the profiles it names.
    """

    name: str
    strategies: tuple[tuple[str, ...], ...]
    payoffs: FloatArray = field(repr=False)
    next_state: IntArray = field(repr=False)
    deal: BoolArray = field(repr=False)
    labels: tuple[tuple[str, BoolArray], ...] = field(default=(), repr=False)

    @property
    def shape(self) -> tuple[int, ...]:
        """Strategies per player."""
        return tuple(len(s) for s in self.strategies)


@dataclass(frozen=True, eq=False)
class DynamicGame:
    """A dynamic game with state at one or a batch of parameter points.

    Attributes
    ----------
    players
        The players, in order.
    grid
        The state grid.
    stages
        Stage name -> its arrays.
    schedule
        The stage of each round (one for an infinite horizon).
    infinite
        Whether the horizon is infinite.
    discount
        Shape ``(B, N)``: each player's discount factor at each point.
    chance
        The branches of the chance events after a stage: ``(probability, destination)``, each of
        shape ``(B, S)``; one sure branch when the game has no events.
    round_names
        A name for each round of a finite horizon.
    title
        The scenario's title.
    """

    players: tuple[str, ...]
    grid: Grid
    stages: Mapping[str, StageArrays]
    schedule: tuple[str, ...]
    infinite: bool
    discount: FloatArray
    chance: tuple[tuple[FloatArray, IntArray], ...] = field(repr=False)
    round_names: tuple[str, ...] = ()
    title: str = ""

    @property
    def batch(self) -> int:
        """The number of parameter points."""
        return int(self.discount.shape[0])

    def take(self, points: IntArray) -> DynamicGame:
        """The same game at the points of the batch ``points`` indexes, in that order.

        Examples
        --------
        >>> import numpy as np
        >>> from kurilsim import load_scenario
        >>> game = load_scenario("scenarios/sanctions_markov.yaml").game()
        >>> game.take(np.array([0, 0, 0])).batch
        3
        """
        stages = {
            name: replace(
                stage,
                payoffs=stage.payoffs[points],
                next_state=stage.next_state[points],
                deal=stage.deal[points],
            )
            for name, stage in self.stages.items()
        }
        chance = tuple((p[points], d[points]) for p, d in self.chance)
        return replace(self, stages=stages, discount=self.discount[points], chance=chance)


def build_game(
    compiled: CompiledDynamic, values: Mapping[str, Any], title: str = ""
) -> DynamicGame:
    """Evaluate a compiled dynamic scenario at parameter ``values`` (numbers or 1-D arrays).

    Raises
    ------
    SemanticError
        For a payoff that is not finite, a transition or event that leaves a state variable's
        range, a probability outside [0, 1], or a discount factor outside [0, 1] (or equal to 1
        with an infinite horizon); each names the field.
    """
    sizes = {np.size(v) for v in values.values() if np.ndim(v) == 1}
    batch = sizes.pop() if sizes else 1
    grid = compiled.grid
    states = grid.size
    env: dict[str, Any] = {
        name: np.repeat(np.asarray(v, dtype=np.float64), states)
        if np.ndim(v) == 1
        else np.full(batch * states, float(v))
        for name, v in values.items()
    }
    env.update({name: np.tile(v, batch) for name, v in grid.values().items()})
    stages = {
        name: _stage_arrays(stage, env, grid, batch)
        for name, stage in compiled.stages.items()
        if name in compiled.schedule
    }
    discount = _discount(compiled, values, batch)
    chance = _chance(compiled, env, grid, batch)
    return DynamicGame(
        compiled.players,
        grid,
        stages,
        compiled.schedule,
        compiled.infinite,
        discount,
        chance,
        compiled.round_names,
        title,
    )


def _stage_arrays(
    stage: CompiledStage, env: Mapping[str, Any], grid: Grid, batch: int
) -> StageArrays:
    game = stage.game
    shape = tuple(len(s) for s in game.strategies)
    payoffs = payoff_tensor(game, env, f"stages.{stage.name}")
    payoffs = payoffs.reshape(batch, grid.size, *shape, len(game.players))
    outcomes = outcome_values(game, env)
    flat = batch * grid.size
    cells = np.unravel_index(np.tile(np.arange(grid.size), batch), grid.shape)
    spacer = (1,) * len(shape)
    moved = [np.broadcast_to(c.reshape(-1, *spacer), (flat, *shape)) for c in cells]
    for variable, expression, path in stage.transitions:
        k = grid.names.index(variable)
        value = np.broadcast_to(expression.evaluate(outcomes), (flat, *shape))
        _check_range(value, grid, variable, path, env, stage.game.strategies)
        moved[k] = grid.snap(variable, value)
    next_state = np.ravel_multi_index(tuple(moved), grid.shape).astype(np.int64)
    if isinstance(stage.deal, np.ndarray):
        deal = np.broadcast_to(stage.deal, (flat, *shape))
    else:
        deal = np.broadcast_to(stage.deal.evaluate(outcomes), (flat, *shape)) != 0
    return StageArrays(
        stage.name,
        game.strategies,
        payoffs,
        next_state.reshape(batch, grid.size, *shape),
        deal.reshape(batch, grid.size, *shape),
        stage.labels,
    )


def _check_range(
    value: FloatArray,
    grid: Grid,
    variable: str,
    path: Path,
    env: Mapping[str, Any],
    strategies: tuple[tuple[str, ...], ...] = (),
) -> None:
    levels = grid.levels[grid.names.index(variable)]
    low, high = levels[0], levels[-1]
    slack = RANGE_SLACK * (high - low)
    bad = np.argwhere(~((value >= low - slack) & (value <= high + slack)))
    if bad.size == 0:
        return
    first = tuple(int(i) for i in bad[0])
    at = ", ".join(f"{n}={float(np.asarray(env[n])[first[0]]):g}" for n in env)
    profile = ""
    if strategies:
        names = [strategies[a][s] for a, s in enumerate(first[1:])]
        profile = f" after ({', '.join(names)})"
    raise SemanticError(
        f"{variable} becomes {float(value[first]):g}{profile}, outside its levels "
        f"[{low:g}, {high:g}], at {at}; keep the expression within the range (min, max or "
        "clip)",
        path,
    )


def _discount(compiled: CompiledDynamic, values: Mapping[str, Any], batch: int) -> FloatArray:
    discount = np.stack(
        [np.broadcast_to(e.evaluate(values), (batch,)) for e in compiled.discount], axis=-1
    ).astype(np.float64)
    path: Path = ("horizon", "discount")
    if not np.all((discount >= 0) & (discount <= 1)):
        bad = float(discount[~((discount >= 0) & (discount <= 1))][0])
        raise SemanticError(f"a discount factor must lie in [0, 1]; got {bad:g}", path)
    if compiled.infinite and np.any(discount >= 1):
        raise SemanticError(
            "an infinite horizon needs a discount factor below 1 (with 1 the sums of payoffs "
            "diverge); got 1",
            path,
        )
    return discount


def _chance(
    compiled: CompiledDynamic, env: Mapping[str, Any], grid: Grid, batch: int
) -> tuple[tuple[FloatArray, IntArray], ...]:
    size = batch * grid.size
    same = np.tile(np.arange(grid.size), batch)
    if not compiled.events:
        return ((np.ones((batch, grid.size)), same.reshape(batch, grid.size)),)
    probabilities = []
    effects = []
    index = list(np.unravel_index(same, grid.shape))
    for event in compiled.events:
        p = np.broadcast_to(event.probability.evaluate(env), (size,))
        if not np.all((p >= 0) & (p <= 1)):
            bad = float(p[~((p >= 0) & (p <= 1))][0])
            raise SemanticError(
                f"a probability must lie in [0, 1]; got {bad:g}", (*event.path, "probability")
            )
        moved = list(index)
        for variable, expression, path in event.effect:
            value = np.broadcast_to(expression.evaluate(env), (size,))
            _check_range(value, grid, variable, path, env)
            moved[grid.names.index(variable)] = grid.snap(variable, value)
        probabilities.append(p)
        # The event's destination from each state, within the same point of the batch.
        local = np.ravel_multi_index(tuple(moved), grid.shape)
        effects.append(local.reshape(batch, grid.size))
    branches = []
    points = np.arange(batch)[:, None]
    for happens in itertools.product((False, True), repeat=len(probabilities)):
        probability = np.ones((batch, grid.size))
        destination = np.broadcast_to(np.arange(grid.size), (batch, grid.size)).copy()
        for k, occurs in enumerate(happens):
            p = probabilities[k].reshape(batch, grid.size)
            # Each event's chance is read at the state the stage left; effects apply in order.
            probability = probability * (p if occurs else 1 - p)
            if occurs:
                destination = effects[k][points, destination]
        branches.append((probability, destination.astype(np.int64)))
    return tuple(branches)
