"""Scenario files of dynamic games with state (``form: dynamic``), and their compilation.

A dynamic scenario declares state variables on discrete grids, stage games in normal form whose
payoffs read the parameters and the state, how the stage's outcome moves the state
(``transitions``), chance events with a per-round probability, and a horizon: a finite number of
rounds with the stage played in each, or an infinite horizon with a discount factor below 1. Each
stage is a normal-form scenario in all but name: its strategies, outcomes, payoffs and labels are
checked and compiled by :func:`kurilsim.core.rules.compile_scenario`, with the state variables
known to its expressions like parameters.

Examples
--------
>>> from kurilsim import parse_scenario
>>> text = '''
... kurilsim: 1
... form: dynamic
... title: Trust that builds
... parameters:
...   gain: {default: 2, range: [0, 5], unit: points, description: a deal's value,
...          assumption: textbook}
... players: [A, B]
... state:
...   trust: {range: [0, 2], levels: 3, initial: 0, description: summits that went well,
...           assumption: textbook}
... stages:
...   summit:
...     strategies: {A: [meet, stay], B: [meet, stay]}
...     payoffs: {A: "gain * trust * both", B: "gain * trust * both"}
...     outcomes:
...       both:
...         description: both meet
...         rules: [{when: {A: meet, B: meet}, value: 1}]
...     transitions: {trust: "min(trust + both, 2)"}
...     deal: {A: meet, B: meet}
... horizon: {rounds: 3, schedule: [summit]}
... '''
>>> scenario = parse_scenario(text)
>>> scenario.compiled.grid.levels
((0.0, 1.0, 2.0),)
>>> scenario.compiled.schedule
('summit', 'summit', 'summit')
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Literal, Self

import numpy as np
from numpy.typing import NDArray
from pydantic import Field, model_validator

from kurilsim.core.arguments import MAX_PLAYERS
from kurilsim.core.evidence import citable_ids
from kurilsim.core.expr import Expression
from kurilsim.core.rules import (
    CompiledScenario,
    Path,
    SemanticError,
    checked_expression,
    compile_scenario,
    match_mask,
)
from kurilsim.core.schema import (
    EVIDENCE_ID,
    ExpressionText,
    FrozenModel,
    Identifier,
    Label,
    OutcomeSpec,
    Parameter,
    ScenarioFile,
    ScenarioHeader,
    StrategyMatch,
    StrictNumber,
    TableEntry,
    Text,
)

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: Most Markov perfect equilibria selection ``all`` may be asked to list.
MAX_LISTED = 100_000

#: Most points of the state grid (the product of every variable's levels).
MAX_STATES = 1_000_000
#: Most chance events (their combinations, 2 ** events, are enumerated each round).
MAX_EVENTS = 6
#: Most rounds of a finite horizon.
MAX_ROUNDS = 1000

EvidenceId = Annotated[str, Field(pattern=EVIDENCE_ID)]


class StateVariable(FrozenModel):
    """A state variable: a range, the grid of levels it takes, its value in the first round."""

    description: Text
    range: tuple[StrictNumber, StrictNumber] = Field(description="[low, high] of the variable.")
    levels: Annotated[int, Field(strict=True, ge=2, le=10_000)] | list[StrictNumber] = Field(
        description="How many evenly spaced levels over the range, or the levels themselves."
    )
    initial: StrictNumber = Field(description="The value in the first round (snapped to a level).")
    unit: str | None = None
    evidence: tuple[EvidenceId, ...] = ()
    assumption: Text | None = None

    @model_validator(mode="after")
    def _check(self) -> Self:
        low, high = self.range
        if not low < high:
            raise ValueError(f"range [{low}, {high}] needs low < high")
        if isinstance(self.levels, list):
            if len(self.levels) < 2 or sorted(set(self.levels)) != self.levels:
                raise ValueError("levels must be at least two numbers in increasing order")
            if self.levels[0] < low or self.levels[-1] > high:
                raise ValueError(f"levels must lie in the range [{low}, {high}]")
        if not low <= self.initial <= high:
            raise ValueError(f"initial {self.initial} lies outside the range [{low}, {high}]")
        if not self.evidence and self.assumption is None:
            raise ValueError("give evidence ids or an 'assumption' explaining the choice")
        return self

    def grid(self) -> tuple[float, ...]:
        """The levels, in increasing order."""
        if isinstance(self.levels, list):
            return tuple(float(x) for x in self.levels)
        return tuple(float(x) for x in np.linspace(*self.range, self.levels))


class StageSpec(FrozenModel):
    """One stage game: a normal-form game whose payoffs may read the state, and where it leads."""

    description: str | None = None
    strategies: dict[Identifier, Annotated[list[Identifier], Field(min_length=1)]] = Field(
        description="Player -> strategies in this stage (every player, in the players' order)."
    )
    outcomes: dict[Identifier, OutcomeSpec] = Field(default_factory=dict)
    payoffs: dict[Identifier, ExpressionText] | None = Field(
        default=None, description="Player -> payoff over parameters, state and outcomes."
    )
    payoff_table: tuple[TableEntry, ...] | None = None
    labels: tuple[Label, ...] = ()
    transitions: dict[Identifier, ExpressionText] = Field(
        default_factory=dict,
        description="State variable -> its value next round, over parameters, state and "
        "outcomes; variables not named keep their value.",
    )
    deal: dict[Identifier, StrategyMatch] | ExpressionText | None = Field(
        default=None,
        description="Player -> strategy (or strategies) that make a deal, or an expression over "
        "parameters, state and outcomes that is non-zero where the play makes a deal.",
    )


class EventSpec(FrozenModel):
    """A chance event: with a per-round probability, it moves the state after the stage."""

    description: Text
    probability: ExpressionText = Field(
        description="Per-round probability, over parameters and state."
    )
    effect: dict[Identifier, ExpressionText] = Field(
        min_length=1, description="State variable -> its value after the event."
    )
    evidence: tuple[EvidenceId, ...] = ()
    assumption: Text | None = None


class HorizonSpec(FrozenModel):
    """How many rounds, which stage each plays, and how the future is discounted."""

    rounds: Annotated[int, Field(strict=True, ge=1, le=MAX_ROUNDS)] | Literal["infinite"]
    schedule: Annotated[list[Identifier], Field(min_length=1)] = Field(
        description="The stage of each round; one name for every round alike."
    )
    names: list[Annotated[str, Field(min_length=1, max_length=40)]] | None = Field(
        default=None, description="A name for each round (e.g. an era), for tables and plots."
    )
    discount: ExpressionText | dict[Identifier, ExpressionText] = Field(
        default=1.0, description="Discount factor over parameters, one for all or per player."
    )


class SolutionSpec(FrozenModel):
    """How a stage's several equilibria are resolved, and the bounds of the methods."""

    selection: Literal["payoff-dominance", "risk-dominance", "logit-limit", "all"] = Field(
        default="payoff-dominance",
        description="The equilibrium played where a stage game has several, or 'all' to list "
        "every Markov perfect equilibrium of a finite horizon up to max_equilibria.",
    )
    max_equilibria: Annotated[int, Field(strict=True, ge=1, le=MAX_LISTED)] = Field(
        default=100, description="Most equilibria selection 'all' lists before it stops."
    )
    value_tol: Annotated[float, Field(gt=0, lt=1)] = Field(
        default=1e-9, description="Value iteration stops within this distance of the fixed point."
    )
    max_iterations: Annotated[int, Field(strict=True, ge=1)] = 100_000
    rounds_shown: Annotated[int, Field(strict=True, ge=1, le=MAX_ROUNDS)] = Field(
        default=20, description="Rounds of the path shown for an infinite horizon."
    )


class RecordedRound(FrozenModel):
    """What happened in one round, for backtests of the sequence."""

    round: Annotated[str, Field(min_length=1)] = Field(description="The round's name.")
    summary: Text
    outcome: dict[Identifier, StrategyMatch]
    evidence: tuple[EvidenceId, ...] = Field(min_length=1)


class DynamicFile(ScenarioHeader):
    """A dynamic game with state, format version 1."""

    form: Literal["dynamic"] = Field(description="The game form.")
    players: Annotated[list[Identifier], Field(min_length=2, max_length=MAX_PLAYERS)]
    state: dict[Identifier, StateVariable] = Field(min_length=1)
    stages: dict[Identifier, StageSpec] = Field(min_length=1)
    events: dict[Identifier, EventSpec] = Field(default_factory=dict, max_length=MAX_EVENTS)
    horizon: HorizonSpec
    solution: SolutionSpec = SolutionSpec()
    recorded: tuple[RecordedRound, ...] = Field(
        default=(), description="The recorded outcome of each round, for backtests."
    )


@dataclass(frozen=True)
class Grid:
    """The state grid: each variable's levels; a state is a flat index into their product."""

    names: tuple[str, ...]
    levels: tuple[tuple[float, ...], ...]
    initial: int

    @property
    def shape(self) -> tuple[int, ...]:
        """Levels per variable."""
        return tuple(len(x) for x in self.levels)

    @property
    def size(self) -> int:
        """The number of states."""
        # Counted in Python integers: a product of many variables' levels overflows int64.
        return math.prod(self.shape)

    def values(self) -> dict[str, FloatArray]:
        """Each variable's value at every state, shape ``(S,)``."""
        axes = np.meshgrid(*[np.asarray(x) for x in self.levels], indexing="ij")
        return {n: a.ravel() for n, a in zip(self.names, axes, strict=True)}

    def snap(self, name: str, value: FloatArray) -> IntArray:
        """The index of the level nearest to ``value`` (ties to the lower level)."""
        levels = np.asarray(self.levels[self.names.index(name)])
        cuts = (levels[1:] + levels[:-1]) / 2
        return np.searchsorted(cuts, value, side="left").astype(np.int64)

    def describe(self, state: int) -> str:
        """``name=value, ...`` at a flat state index."""
        index = np.unravel_index(state, self.shape)
        return ", ".join(
            f"{n}={self.levels[k][int(i)]:g}"
            for k, (n, i) in enumerate(zip(self.names, index, strict=True))
        )


@dataclass(frozen=True)
class CompiledStage:
    """A stage: its normal form over strategies, and its transitions and deal profiles."""

    name: str
    game: CompiledScenario
    transitions: tuple[tuple[str, Expression, Path], ...]
    #: The profiles that make a deal, or an expression (non-zero: a deal) over the state too.
    deal: NDArray[np.bool_] | Expression = field(repr=False)
    #: Each declared label with a flat (C-order) mask of the profiles it names.
    labels: tuple[tuple[str, NDArray[np.bool_]], ...] = field(default=(), repr=False)


@dataclass(frozen=True)
class CompiledEvent:
    """A chance event: its probability and effect as expressions."""

    name: str
    probability: Expression
    effect: tuple[tuple[str, Expression, Path], ...]
    path: Path


@dataclass(frozen=True)
class CompiledDynamic:
    """A dynamic scenario ready to evaluate at any parameter values."""

    players: tuple[str, ...]
    grid: Grid
    stages: Mapping[str, CompiledStage]
    events: tuple[CompiledEvent, ...]
    schedule: tuple[str, ...]
    infinite: bool
    discount: tuple[Expression, ...]
    round_names: tuple[str, ...]
    #: For each recorded round: its index in the schedule and the profiles consistent with it.
    recorded: tuple[tuple[int, NDArray[np.bool_]], ...] = ()


def compile_dynamic(spec: DynamicFile) -> CompiledDynamic:
    """Check a dynamic file as a whole and compile it.

    Raises
    ------
    SemanticError
        Naming the field path of the first problem found.
    """
    players = tuple(spec.players)
    _check_evidence(spec)
    grid = _grid(spec)
    for name in spec.state:
        if name in spec.parameters:
            raise SemanticError(
                f"state variable {name!r} has the name of a parameter; names must be distinct",
                ("state", name),
            )
    stages = {name: _stage(spec, name, players) for name in spec.stages}
    events = tuple(_event(spec, name) for name in spec.events)
    schedule, infinite = _schedule(spec)
    if infinite and spec.solution.selection == "all":
        raise SemanticError(
            "selection 'all' lists the equilibria of a finite horizon; an infinite horizon "
            "needs a selection rule (payoff-dominance, risk-dominance or logit-limit)",
            ("solution", "selection"),
        )
    discount = _discount(spec, players)
    names = _round_names(spec, len(schedule))
    recorded = tuple(_recorded(spec, k, names, schedule, stages) for k in range(len(spec.recorded)))
    return CompiledDynamic(
        players, grid, stages, events, schedule, infinite, discount, names, recorded
    )


def _check_evidence(spec: DynamicFile) -> None:
    """Refuse an evidence id of a state variable, event or recorded round the registry lacks."""
    known = set(citable_ids(spec))
    cited: list[tuple[Path, tuple[str, ...]]] = [
        (("state", name, "evidence"), v.evidence) for name, v in spec.state.items()
    ]
    cited += [(("events", name, "evidence"), e.evidence) for name, e in spec.events.items()]
    cited += [(("recorded", k, "evidence"), r.evidence) for k, r in enumerate(spec.recorded)]
    for path, ids in cited:
        for k, evidence_id in enumerate(ids):
            if evidence_id not in known:
                raise SemanticError(f"unknown evidence id {evidence_id!r}", (*path, k))


def _grid(spec: DynamicFile) -> Grid:
    levels = tuple(variable.grid() for variable in spec.state.values())
    names = tuple(spec.state)
    draft = Grid(names, levels, 0)
    if draft.size > MAX_STATES:
        raise SemanticError(
            f"the state grid has {draft.size:,} points; at most {MAX_STATES:,} are supported",
            ("state",),
        )
    initial = np.ravel_multi_index(
        tuple(int(draft.snap(n, np.asarray(v.initial))) for n, v in spec.state.items()),
        draft.shape,
    )
    return Grid(names, levels, int(initial))


def _state_parameters(spec: DynamicFile) -> dict[str, Parameter]:
    """The state variables as parameters, so that a stage's expressions may read them."""
    return {
        name: Parameter(
            default=variable.initial,
            range=variable.range,
            unit=variable.unit or "level",
            description=variable.description,
            assumption="a state variable",
        )
        for name, variable in spec.state.items()
    }


def _stage(spec: DynamicFile, name: str, players: tuple[str, ...]) -> CompiledStage:
    stage = spec.stages[name]
    path: Path = ("stages", name)
    if list(stage.strategies) != list(players):
        raise SemanticError(
            f"name every player's strategies, in the players' order: {', '.join(players)}",
            (*path, "strategies"),
        )
    parameters = {**spec.parameters, **_state_parameters(spec)}
    try:
        normal = ScenarioFile(
            kurilsim=1,
            title=name,
            parameters=parameters,
            players=stage.strategies,
            outcomes=stage.outcomes,
            payoffs=stage.payoffs,
            payoff_table=stage.payoff_table,
            labels=stage.labels,
        )
        game = compile_scenario(normal)
    except SemanticError as exc:
        inner = ("strategies", *exc.path[1:]) if exc.path[:1] == ("players",) else exc.path
        raise SemanticError(exc.reason, (*path, *inner)) from None
    except ValueError as exc:  # pydantic's check that exactly one payoff form is given
        raise SemanticError(_first_line(exc), path) from None
    known = {*parameters, *stage.outcomes}
    transitions = tuple(
        (
            variable,
            checked_expression(
                text, known, at, "parameters, state variables or the stage's outcomes"
            ),
            at,
        )
        for variable, text in stage.transitions.items()
        for at in [(*path, "transitions", variable)]
        if _is_state(spec, variable, at)
    )
    deal: NDArray[np.bool_] | Expression
    if isinstance(stage.deal, dict):
        deal = match_mask(stage.deal, players, game.strategies, (*path, "deal"))
    elif stage.deal is not None:
        deal = checked_expression(
            stage.deal, known, (*path, "deal"), "parameters, state variables or outcomes"
        )
    else:
        deal = np.zeros(tuple(len(s) for s in game.strategies), dtype=bool)
    labels = tuple(
        (entry.label, match_mask(entry.when, players, game.strategies, ()).reshape(-1))
        for entry in stage.labels
    )
    return CompiledStage(name, game, transitions, deal, labels)


def _first_line(exc: ValueError) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[-1].removeprefix("Value error, ") if lines else str(exc)


def _is_state(spec: DynamicFile, variable: str, path: Path) -> bool:
    if variable not in spec.state:
        raise SemanticError(
            f"unknown state variable {variable!r}; expected one of {', '.join(spec.state)}", path
        )
    return True


def _event(spec: DynamicFile, name: str) -> CompiledEvent:
    event = spec.events[name]
    path: Path = ("events", name)
    if not event.evidence and event.assumption is None:
        raise SemanticError("give evidence ids or an 'assumption' explaining the choice", path)
    known = {*spec.parameters, *spec.state}
    expected = "parameters or state variables"
    probability = checked_expression(event.probability, known, (*path, "probability"), expected)
    effect = tuple(
        (variable, checked_expression(text, known, at, expected), at)
        for variable, text in event.effect.items()
        for at in [(*path, "effect", variable)]
        if _is_state(spec, variable, at)
    )
    return CompiledEvent(name, probability, effect, path)


def _schedule(spec: DynamicFile) -> tuple[tuple[str, ...], bool]:
    horizon = spec.horizon
    for k, stage in enumerate(horizon.schedule):
        if stage not in spec.stages:
            raise SemanticError(
                f"unknown stage {stage!r}; expected one of {', '.join(spec.stages)}",
                ("horizon", "schedule", k),
            )
    if horizon.rounds == "infinite":
        if len(horizon.schedule) != 1:
            raise SemanticError(
                "an infinite horizon plays one stage in every round; give one stage name",
                ("horizon", "schedule"),
            )
        return tuple(horizon.schedule), True
    if len(horizon.schedule) not in (1, horizon.rounds):
        raise SemanticError(
            f"give one stage for every round alike, or one per round ({horizon.rounds}); "
            f"got {len(horizon.schedule)}",
            ("horizon", "schedule"),
        )
    return tuple(horizon.schedule) * (horizon.rounds // len(horizon.schedule)), False


def _discount(spec: DynamicFile, players: tuple[str, ...]) -> tuple[Expression, ...]:
    given = spec.horizon.discount
    known = set(spec.parameters)
    path: Path = ("horizon", "discount")
    if not isinstance(given, dict):
        one = checked_expression(given, known, path, "parameters")
        return (one,) * len(players)
    if sorted(given) != sorted(players):
        raise SemanticError(
            f"give a discount factor for every player ({', '.join(players)}) or one for all",
            path,
        )
    return tuple(checked_expression(given[p], known, (*path, p), "parameters") for p in players)


def _round_names(spec: DynamicFile, rounds: int) -> tuple[str, ...]:
    names = spec.horizon.names
    if names is None:
        return () if spec.horizon.rounds == "infinite" else tuple(map(str, range(1, rounds + 1)))
    if spec.horizon.rounds == "infinite" or len(names) != rounds or len(set(names)) != rounds:
        raise SemanticError(
            f"give {rounds} distinct round names, one per round of a finite horizon",
            ("horizon", "names"),
        )
    return tuple(names)


def _recorded(
    spec: DynamicFile,
    k: int,
    names: Sequence[str],
    schedule: Sequence[str],
    stages: Mapping[str, CompiledStage],
) -> tuple[int, NDArray[np.bool_]]:
    entry = spec.recorded[k]
    path: Path = ("recorded", k)
    if entry.round not in names:
        raise SemanticError(
            f"unknown round {entry.round!r}; expected one of {', '.join(names) or 'none'}",
            (*path, "round"),
        )
    index = list(names).index(entry.round)
    game = stages[schedule[index]].game
    return index, match_mask(entry.outcome, game.players, game.strategies, (*path, "outcome"))
