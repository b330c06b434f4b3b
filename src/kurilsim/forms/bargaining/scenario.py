"""Scenario files of bargaining games (``form: bargaining``).

A bargaining scenario names two players, a space of deals described by outcome variables (land
transferred, joint development, a peace treaty, the size of an economic package...), each
player's utility as an expression over those variables and the parameters, a disagreement point,
optional discount factors for alternating offers, and the ratifiers whose approval each deal
needs (a public, a legislature, a third party with a veto). A variable may be continuous: it is
then given a range, and every deal that does not fix it is spread over a grid of its values.

The file is validated by :class:`BargainingScenarioFile`, checked as a whole and compiled by
:func:`compile_bargaining`, and loaded into a :class:`~kurilsim.core.scenario.Scenario`, which
builds the :class:`~kurilsim.forms.bargaining.game.BargainingProblem` at any parameter values and
solves it.

Examples
--------
>>> from kurilsim import parse_scenario
>>> text = '''
... kurilsim: 1
... form: bargaining
... title: Splitting a pie
... players: [A, B]
... variables:
...   share: {description: A's share of the pie, range: [0, 1], points: 11}
... deals:
...   split: {description: divide the pie}
... utilities: {A: share, B: 1 - share}
... disagreement: {A: 0, B: 0}
... '''
>>> solution = parse_scenario(text).solve(method="nash")
>>> solution["nash"].outcome.describe()
'split[share=0.5]'
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Annotated, Any, Literal, Self

import numpy as np
from numpy.typing import NDArray
from pydantic import Field, StrictBool, model_validator

from kurilsim.core.expr import Expression, unusable_name
from kurilsim.core.rules import Path, SemanticError, checked_expression
from kurilsim.core.schema import (
    ExpressionText,
    FrozenModel,
    History,
    Identifier,
    ScenarioHeader,
    StrictNumber,
    Text,
)
from kurilsim.forms.bargaining.game import DISAGREEMENT, BargainingProblem

#: Most deals a scenario may expand to (deals times the grid points of continuous variables).
MAX_DEALS = 20_000
#: Grid points of a continuous variable unless the file or the caller says otherwise.
DEFAULT_POINTS = 41
#: Options the bargaining form's ``solve`` accepts besides the method and tolerance.
SOLVE_OPTIONS = ("lotteries", "ratification", "points")

FloatArray = NDArray[np.float64]
#: What a value must be, in words, and the test it must pass (besides being finite).
Interval = tuple[str, Callable[[FloatArray], NDArray[np.bool_]]]
ANY: Interval = ("a finite number", lambda v: np.ones(np.shape(v), dtype=bool))
PROBABILITY: Interval = ("in [0, 1]", lambda v: (v >= 0) & (v <= 1))
DISCOUNT: Interval = ("in [0, 1)", lambda v: (v >= 0) & (v < 1))


class DealVariable(FrozenModel):
    """An outcome variable of the deals; continuous when it has a range."""

    description: Text
    unit: str | None = None
    default: StrictNumber = Field(default=0.0, description="Value for deals that do not set it.")
    range: tuple[StrictNumber, StrictNumber] | None = Field(
        default=None,
        description="[low, high] makes the variable continuous: deals that do not fix it are "
        "spread over a grid of values in this range.",
    )
    points: Annotated[int, Field(strict=True, ge=2, le=2001)] = Field(
        default=DEFAULT_POINTS, description="Grid points of a continuous variable."
    )

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.range is not None and not self.range[0] < self.range[1]:
            raise ValueError(f"range [{self.range[0]}, {self.range[1]}] needs low < high")
        return self


class Deal(FrozenModel):
    """A deal: a description and the values of the outcome variables it sets."""

    description: Text
    values: dict[Identifier, ExpressionText] = Field(
        default_factory=dict,
        description="Variable -> value (a number or an expression over parameters); variables "
        "not given take their default, or their grid if continuous.",
    )


class Ratifier(FrozenModel):
    """A party whose approval a deal needs (level II of Putnam's two-level game)."""

    description: Text
    approval: ExpressionText = Field(
        description="Approval of each deal, in [0, 1]: an expression over parameters and deal "
        "variables (a share in favour, or a probability of letting the deal pass)."
    )
    threshold: ExpressionText = Field(
        default=0.5,
        description="Approval the win-set requires, in [0, 1] (a number or an expression over "
        "parameters).",
    )


class BargainingScenarioFile(ScenarioHeader):
    """A scenario file of a two-player bargaining game with ratification, format version 1."""

    form: Literal["bargaining"] = Field(description="The game form.")
    players: tuple[Identifier, Identifier] = Field(description="The two negotiating players.")
    first_mover: Identifier | None = Field(
        default=None,
        description="Who makes the first offer in alternating offers (default: the first player).",
    )
    variables: dict[Identifier, DealVariable] = Field(default_factory=dict)
    deals: dict[Identifier, Deal] = Field(min_length=1)
    utilities: dict[Identifier, ExpressionText] = Field(
        description="Player -> utility of a deal, over parameters and deal variables."
    )
    disagreement: dict[Identifier, ExpressionText] = Field(
        description="Player -> utility if no deal is reached, over parameters."
    )
    discount: dict[Identifier, ExpressionText] | None = Field(
        default=None,
        description="Player -> discount factor per round of offers, in [0, 1), over parameters.",
    )
    ratification: dict[Identifier, Ratifier] = Field(
        default_factory=dict, description="Ratifier -> its approval of each deal and threshold."
    )
    ratification_mode: Literal["win-set", "probability", "none"] = Field(
        default="win-set",
        description="How ratification constrains the deals: only deals in every win-set, deals "
        "valued at their chance of ratification, or no constraint.",
    )
    lotteries: StrictBool = Field(
        default=False, description="Whether lotteries over deals are feasible outcomes."
    )


@dataclass(frozen=True, eq=False)
class CompiledBargaining:
    """A checked bargaining scenario in evaluable form."""

    players: tuple[str, str]
    first_mover: int
    deals: tuple[str, ...]
    variables: tuple[str, ...]
    defaults: tuple[float, ...]
    #: Continuous variable -> (low, high, points).
    continuous: Mapping[str, tuple[float, float, int]]
    #: Per deal, per variable: its value expression, or None to spread it over its grid.
    values: tuple[tuple[Expression | None, ...], ...]
    utilities: tuple[Expression, Expression]
    disagreement: tuple[Expression, Expression]
    discount: tuple[Expression, Expression] | None
    ratifiers: tuple[str, ...]
    approval: tuple[Expression, ...]
    thresholds: tuple[Expression, ...]


def compile_bargaining(spec: BargainingScenarioFile) -> CompiledBargaining:
    """Check a bargaining scenario as a whole and compile its expressions.

    Raises
    ------
    SemanticError
        Naming the field path of the first problem found.
    """
    players = spec.players
    if players[0] == players[1]:
        raise SemanticError(
            f"the two players need different names, got {players[0]!r} twice", ("players",)
        )
    _check_names(spec)
    parameters = set(spec.parameters)
    everything = parameters | set(spec.variables)
    on_parameters = "parameters"
    on_both = "parameters or deal variables"
    values = []
    for deal, body in spec.deals.items():
        for name in body.values:
            if name not in spec.variables:
                raise SemanticError(
                    f"unknown variable {name!r}; declared variables: "
                    f"{', '.join(spec.variables) or 'none'}",
                    ("deals", deal, "values", name),
                )
        values.append(
            tuple(
                checked_expression(
                    body.values[name], parameters, ("deals", deal, "values", name), on_parameters
                )
                if name in body.values
                else None
                for name in spec.variables
            )
        )
    continuous = {
        name: (v.range[0], v.range[1], v.points)
        for name, v in spec.variables.items()
        if v.range is not None
    }
    first_mover = 0
    if spec.first_mover is not None:
        if spec.first_mover not in players:
            raise SemanticError(
                f"unknown player {spec.first_mover!r}; expected one of {list(players)}",
                ("first_mover",),
            )
        first_mover = players.index(spec.first_mover)
    if spec.history is not None:
        _check_history(spec.history, spec.deals)
    return CompiledBargaining(
        players=players,
        first_mover=first_mover,
        deals=tuple(spec.deals),
        variables=tuple(spec.variables),
        defaults=tuple(v.default for v in spec.variables.values()),
        continuous=MappingProxyType(continuous),
        values=tuple(values),
        utilities=_per_player(spec.utilities, players, "utilities", everything, on_both),
        disagreement=_per_player(
            spec.disagreement, players, "disagreement", parameters, on_parameters
        ),
        discount=None
        if spec.discount is None
        else _per_player(spec.discount, players, "discount", parameters, on_parameters),
        ratifiers=tuple(spec.ratification),
        approval=tuple(
            checked_expression(r.approval, everything, ("ratification", name, "approval"), on_both)
            for name, r in spec.ratification.items()
        ),
        thresholds=tuple(
            checked_expression(
                r.threshold, parameters, ("ratification", name, "threshold"), on_parameters
            )
            for name, r in spec.ratification.items()
        ),
    )


def _check_names(spec: BargainingScenarioFile) -> None:
    for kind, names in (("parameters", spec.parameters), ("variables", spec.variables)):
        for name in names:
            problem = unusable_name(name)
            if problem:
                raise SemanticError(problem, (kind, name))
    for name in spec.variables:
        if name in spec.parameters:
            raise SemanticError(
                f"variable {name!r} has the same name as a parameter; names must be distinct",
                ("variables", name),
            )
    if DISAGREEMENT in spec.deals:
        raise SemanticError(
            f"{DISAGREEMENT!r} names the outcome without a deal; choose another deal name",
            ("deals", DISAGREEMENT),
        )


def _per_player(
    texts: Mapping[str, str | float],
    players: tuple[str, str],
    field: str,
    known: set[str],
    expected: str,
) -> tuple[Expression, Expression]:
    for player in texts:
        if player not in players:
            raise SemanticError(
                f"unknown player {player!r}; expected one of {list(players)}", (field, player)
            )
    missing = [p for p in players if p not in texts]
    if missing:
        raise SemanticError(f"no value given for {', '.join(missing)}", (field,))
    first, second = (checked_expression(texts[p], known, (field, p), expected) for p in players)
    return first, second


def _check_history(history: History, deals: Mapping[str, Deal]) -> None:
    """A bargaining history names the deal reached: ``outcome: {deal: name or names}``."""
    for key, match in history.outcome.items():
        path: Path = ("history", "outcome", key)
        if key != "deal":
            raise SemanticError(
                f"a bargaining history records the deal reached: expected the key 'deal', "
                f"got {key!r}",
                path,
            )
        for name in [match] if isinstance(match, str) else match:
            if name not in deals:
                raise SemanticError(f"no deal {name!r}; expected one of {list(deals)}", path)


def bargaining_problem(
    compiled: CompiledBargaining,
    values: Mapping[str, float],
    title: str = "",
    points: int | None = None,
) -> BargainingProblem:
    """The bargaining problem of a compiled scenario at parameter ``values`` (numbers).

    Parameters
    ----------
    compiled
        The compiled scenario.
    values
        A number for every parameter (no range checking here).
    title
        The problem's title.
    points
        Grid points of every continuous variable, instead of each variable's own.

    Raises
    ------
    SemanticError
        At the field whose value is not finite or lies outside its interval.
    """
    # Count before expanding: a few fine grids multiply into more deals than memory holds.
    count = sum(
        math.prod(
            _grid_size(compiled, v, points)
            for v, e in zip(compiled.variables, row, strict=True)
            if e is None
        )
        for row in compiled.values
    )
    if count > MAX_DEALS:
        raise SemanticError(
            f"the deals expand to {count} over the grids of continuous variables; at most "
            f"{MAX_DEALS} are supported (use fewer points)",
            ("variables",),
        )
    names, columns = _expand(compiled, values, points)
    env: dict[str, Any] = {**values, **columns}
    n = len(names)

    def per_deal(expression: Expression, path: Path, interval: Interval) -> FloatArray:
        value = np.broadcast_to(expression.evaluate(env), (n,))
        bad = ~(np.isfinite(value) & interval[1](value))
        if bad.any():
            k = int(np.argmax(bad))
            raise SemanticError(
                f"is {value[k]:g} for deal {names[k]}; expected {interval[0]} ({_shown(values)})",
                path,
            )
        return value

    players = compiled.players
    utilities = np.column_stack(
        [
            per_deal(e, ("utilities", p), ANY)
            for e, p in zip(compiled.utilities, players, strict=True)
        ]
    )
    disagreement = [
        _number(e, values, ("disagreement", p), ANY)
        for e, p in zip(compiled.disagreement, players, strict=True)
    ]
    discount = None
    if compiled.discount is not None:
        discount = [
            _number(e, values, ("discount", p), DISCOUNT)
            for e, p in zip(compiled.discount, players, strict=True)
        ]
    approval = (
        np.array(
            [
                per_deal(e, ("ratification", r, "approval"), PROBABILITY)
                for e, r in zip(compiled.approval, compiled.ratifiers, strict=True)
            ]
        )
        .reshape(len(compiled.ratifiers), n)
        .T
    )
    thresholds = [
        _number(e, values, ("ratification", r, "threshold"), PROBABILITY)
        for e, r in zip(compiled.thresholds, compiled.ratifiers, strict=True)
    ]
    return BargainingProblem(
        players=players,
        deals=names,
        utilities=utilities,
        disagreement=disagreement,
        discount=discount,
        first_mover=compiled.first_mover,
        ratifiers=compiled.ratifiers,
        approval=approval,
        thresholds=thresholds,
        variables=columns,
        title=title,
    )


def _expand(
    compiled: CompiledBargaining, values: Mapping[str, float], points: int | None
) -> tuple[list[str], dict[str, Any]]:
    """Each deal, spread over the grids of the continuous variables it leaves free."""
    names: list[str] = []
    rows: list[list[float]] = []
    for deal, expressions in zip(compiled.deals, compiled.values, strict=True):
        fixed: list[float | None] = []
        for variable, default, expression in zip(
            compiled.variables, compiled.defaults, expressions, strict=True
        ):
            if expression is not None:
                path: Path = ("deals", deal, "values", variable)
                fixed.append(_number(expression, values, path, ANY))
            elif variable in compiled.continuous:
                fixed.append(None)
            else:
                fixed.append(default)
        free = [v for v, x in zip(compiled.variables, fixed, strict=True) if x is None]
        grids = [_grid(compiled.continuous[v], points) for v in free]
        for combination in itertools.product(*grids):
            row = list(fixed)
            for variable, value in zip(free, combination, strict=True):
                row[compiled.variables.index(variable)] = value
            rows.append([float(x) for x in row if x is not None])
            label = ",".join(f"{v}={x:.10g}" for v, x in zip(free, combination, strict=True))
            names.append(f"{deal}[{label}]" if free else deal)
    table = np.array(rows, dtype=np.float64).reshape(len(rows), len(compiled.variables))
    return names, {v: table[:, j] for j, v in enumerate(compiled.variables)}


def _number(
    expression: Expression, values: Mapping[str, float], path: Path, interval: Interval
) -> float:
    value = float(expression.evaluate(values))
    if not (np.isfinite(value) and interval[1](np.asarray(value))):
        raise SemanticError(f"is {value:g}; expected {interval[0]} ({_shown(values)})", path)
    return value


def _grid_size(compiled: CompiledBargaining, variable: str, points: int | None) -> int:
    """How many values a variable a deal leaves unset takes: its grid's, or 1 if discrete."""
    if variable not in compiled.continuous:
        return 1
    return points or compiled.continuous[variable][2]


def _grid(interval: tuple[float, float, int], points: int | None) -> Any:
    low, high, own = interval
    return np.linspace(low, high, points or own).tolist()


def _shown(values: Mapping[str, float]) -> str:
    return "with " + (", ".join(f"{k}={v:g}" for k, v in values.items()) or "no parameters")
