"""Scenario files of conflicts in option form (``form: conflict``), for stability analysis.

A conflict scenario states, in the vocabulary of the graph model for conflict resolution (Fang,
Hipel & Kilgour 1993), who the decision makers are and which yes/no options each controls, which
combinations of options cannot occur, which options cannot be undone, and how each decision maker
ranks the states: by prioritised statements about options (option prioritisation) or by a score
expression over options (1 taken, 0 not) and parameters.
:class:`~kurilsim.forms.conflict.form.ConflictForm` turns it into a
:class:`~kurilsim.forms.conflict.game.Conflict` at any parameter values and analyses its stability.

Examples
--------
>>> from kurilsim import parse_scenario
>>> text = '''
... kurilsim: 1
... form: conflict
... title: Chicken
... decision_makers:
...   A: {options: {a_dares: A drives straight on}}
...   B: {options: {b_dares: B drives straight on}}
... preferences:
...   A: {statements: ["-(a_dares and b_dares)", "a_dares", "-b_dares"]}
...   B: {score: "b_dares - 3 * a_dares * b_dares - a_dares"}
... '''
>>> table = parse_scenario(text).solve()
>>> [[s + 1 for s in table.equilibria(c)] for c in ("nash", "gmr", "seq")]
[[2, 3], [1, 2, 3], [2, 3]]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Self

import numpy as np
from pydantic import Field, StringConstraints, model_validator

from kurilsim.core.errors import InputError
from kurilsim.core.expr import Expression, ExpressionError, parse_expression, unusable_name
from kurilsim.core.rules import Path, SemanticError
from kurilsim.core.schema import (
    ExpressionText,
    FrozenModel,
    History,
    Identifier,
    ScenarioHeader,
    Text,
)
from kurilsim.forms.conflict.game import (
    MAX_OPTIONS,
    FloatArray,
    feasible_states,
)
from kurilsim.forms.conflict.option_statements import (
    KEYWORDS,
    MAX_STATEMENTS,
    OptionStatement,
    StatementError,
    parse_statement,
)

#: A statement about options, in the language of :mod:`kurilsim.forms.conflict.option_statements`.
StatementText = Annotated[str, StringConstraints(min_length=1, max_length=1000)]


class DecisionMakerSpec(FrozenModel):
    """A decision maker and the yes/no options it controls."""

    description: str | None = None
    options: dict[Identifier, Text] = Field(
        min_length=1, description="Option name -> what taking the option means, in order."
    )


class PreferenceSpec(FrozenModel):
    """How a decision maker ranks states: prioritised statements or a score expression."""

    statements: tuple[StatementText, ...] | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_STATEMENTS,
        description="Statements about options, most important first (option prioritisation).",
    )
    score: ExpressionText | None = Field(
        default=None,
        description="Expression over options (1 taken, 0 not) and parameters; higher preferred.",
    )

    @model_validator(mode="after")
    def _one_form(self) -> Self:
        if (self.statements is None) == (self.score is None):
            raise ValueError("give exactly one of 'statements' or 'score'")
        return self


class ConflictHistory(History):
    """What actually happened: the options each decision maker took."""

    outcome: dict[Identifier, Identifier | list[Identifier]] = Field(
        description="Decision maker -> the options it took ([] for none); its other options "
        "were not taken. Decision makers not named are unconstrained."
    )


class ConflictScenarioFile(ScenarioHeader):
    """A scenario file of a conflict in option form (graph model), format version 1."""

    form: Literal["conflict"] = Field(description="The game form: a conflict in option form.")
    decision_makers: dict[Identifier, DecisionMakerSpec] = Field(
        min_length=2, description="Decision maker -> its options."
    )
    infeasible: tuple[StatementText, ...] = Field(
        default=(),
        description="Statements; every combination of options where one holds is removed.",
    )
    irreversible: dict[Identifier, Literal["forward", "backward"]] = Field(
        default_factory=dict,
        description="Option -> 'forward' (may be taken, never withdrawn) or 'backward' (may be "
        "withdrawn, never taken); other options are reversible.",
    )
    preferences: dict[Identifier, PreferenceSpec] = Field(
        description="Decision maker -> how it ranks states."
    )
    history: ConflictHistory | None = Field(
        default=None, description="The recorded outcome: the options each decision maker took."
    )


@dataclass(frozen=True)
class CompiledConflict:
    """The checked file in evaluable form."""

    infeasible: tuple[OptionStatement, ...]
    #: Per decision maker: its statements, or its score expression.
    preferences: tuple[tuple[OptionStatement, ...] | Expression, ...]
    #: Option name -> whether the recorded outcome takes it (options the record constrains).
    recorded: Mapping[str, bool] | None = None


def compile_conflict(spec: ConflictScenarioFile) -> CompiledConflict:
    """Check a conflict file as a whole and compile its statements and expressions.

    Raises
    ------
    SemanticError
        Naming the field path of the first problem found.
    """
    options = {dm: tuple(d.options) for dm, d in spec.decision_makers.items()}
    names = [name for own in options.values() for name in own]
    _check_names(spec, names)
    infeasible = tuple(
        _statement(text, names, ("infeasible", k)) for k, text in enumerate(spec.infeasible)
    )
    try:
        feasible_states(names, infeasible)
    except InputError as exc:
        raise SemanticError(exc.reason, ("infeasible",)) from None
    for name in spec.irreversible:
        if name not in names:
            raise SemanticError(
                f"unknown option {name!r}; expected one of {names}", ("irreversible", name)
            )
    for dm in spec.preferences:
        if dm not in options:
            raise SemanticError(
                f"unknown decision maker {dm!r}; expected one of {list(options)}",
                ("preferences", dm),
            )
    missing = [dm for dm in options if dm not in spec.preferences]
    if missing:
        raise SemanticError(f"no preferences given for {', '.join(missing)}", ("preferences",))
    known = [*names, *spec.parameters]
    preferences: list[tuple[OptionStatement, ...] | Expression] = []
    for dm in options:
        preference = spec.preferences[dm]
        path: Path = ("preferences", dm)
        if preference.statements is not None:
            preferences.append(
                tuple(
                    _statement(text, names, (*path, "statements", k))
                    for k, text in enumerate(preference.statements)
                )
            )
        else:
            assert preference.score is not None  # the model guarantees one of the two
            preferences.append(_expression(preference.score, known, (*path, "score")))
    recorded = None if spec.history is None else _recorded(spec.history, options, infeasible)
    return CompiledConflict(infeasible, tuple(preferences), recorded)


@dataclass(frozen=True)
class ScoreOf:
    """A decision maker's score expression as a function of the option columns."""

    dm: str
    expression: Expression
    values: Mapping[str, Any]

    def __call__(self, columns: Mapping[str, FloatArray]) -> FloatArray:
        """The score of every state, from the option columns."""
        scores = np.asarray(self.expression.evaluate({**self.values, **columns}), dtype=np.float64)
        if not np.all(np.isfinite(scores)):
            at = ", ".join(f"{k}={v:g}" for k, v in self.values.items()) or "no parameters"
            raise SemanticError(
                f"score is not finite in some state at {at}", ("preferences", self.dm, "score")
            )
        return scores


def _check_names(spec: ConflictScenarioFile, names: list[str]) -> None:
    seen: dict[str, str] = {}
    for dm, decision_maker in spec.decision_makers.items():
        for name in decision_maker.options:
            path: Path = ("decision_makers", dm, "options", name)
            if name in seen:
                raise SemanticError(
                    f"option {name!r} is already an option of {seen[name]}; option names must "
                    "be unique",
                    path,
                )
            if name in KEYWORDS or unusable_name(name):
                raise SemanticError(
                    f"{name!r} is a word of the statement or expression language; choose another "
                    "name",
                    path,
                )
            if name in spec.parameters:
                raise SemanticError(
                    f"option {name!r} has the same name as a parameter; names must be distinct",
                    path,
                )
            seen[name] = dm
    for name in spec.parameters:
        problem = unusable_name(name)
        if problem:
            raise SemanticError(problem, ("parameters", name))
    if len(names) > MAX_OPTIONS:
        raise SemanticError(
            f"{len(names)} options; at most {MAX_OPTIONS} are supported", ("decision_makers",)
        )


def _statement(text: str, names: list[str], path: Path) -> OptionStatement:
    try:
        statement = parse_statement(text)
    except StatementError as exc:
        raise SemanticError(f"{exc.reason} in {text!r}", path) from None
    unknown = sorted(statement.names.difference(names))
    if unknown:
        raise SemanticError(
            f"unknown option{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))} in "
            f"{text!r}; expected options: {', '.join(names)}",
            path,
        )
    return statement


def _expression(text: str | float, known: list[str], path: Path) -> Expression:
    try:
        expression = parse_expression(text)
    except ExpressionError as exc:
        raise SemanticError(exc.reason, path) from None
    unknown = sorted(expression.names.difference(known))
    if unknown:
        raise SemanticError(
            f"unknown name{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))} in "
            f"{expression.source!r}; expected options or parameters: {', '.join(known)}",
            path,
        )
    return expression


def _recorded(
    history: ConflictHistory,
    options: Mapping[str, tuple[str, ...]],
    infeasible: tuple[OptionStatement, ...],
) -> dict[str, bool]:
    recorded: dict[str, bool] = {}
    for dm, taken in history.outcome.items():
        path: Path = ("history", "outcome", dm)
        if dm not in options:
            raise SemanticError(
                f"unknown decision maker {dm!r}; expected one of {list(options)}", path
            )
        listed = [taken] if isinstance(taken, str) else taken
        for name in listed:
            if name not in options[dm]:
                raise SemanticError(
                    f"{dm} has no option {name!r}; expected some of {list(options[dm])}", path
                )
        recorded.update({name: name in listed for name in options[dm]})
    names = [name for own in options.values() for name in own]
    states = feasible_states(names, infeasible)
    columns = [names.index(name) for name in recorded]
    if not np.any(np.all(states[:, columns] == list(recorded.values()), axis=1)):
        raise SemanticError(
            "no feasible state matches the recorded outcome", ("history", "outcome")
        )
    return recorded
