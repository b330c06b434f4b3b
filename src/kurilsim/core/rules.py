"""Whole-document checks of a scenario, and its compilation into evaluable rules.

:mod:`kurilsim.core.schema` checks each field alone. Here the fields are checked against each
other (rules name existing players and strategies, expressions name existing parameters and
outcomes, a payoff table covers every profile once), and the document is compiled into
:class:`RuledValue` objects: an expression that holds by default and masked rules that override it
on matching strategy profiles. Outcome variables and explicit payoff tables are both compiled this
way, so one evaluator serves both.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.errors import InputError
from kurilsim.core.expr import Expression, ExpressionError, parse_expression, unusable_name
from kurilsim.core.schema import ScenarioFile

#: Most strategy profiles a scenario may have (the payoff tensor is built in memory).
MAX_PROFILES = 1_000_000
#: Most rule entries over profiles: every rule holds a mask over all profiles, so rules times
#: profiles bounds the memory (in bytes) and the time a scenario's compilation takes.
MAX_RULE_CELLS = 100_000_000

Path = tuple[str | int, ...]


class SemanticError(InputError):
    """A whole-document check failed at ``path`` inside the file (``file``, where known)."""

    def __init__(self, message: str, path: Path, file: str | None = None) -> None:
        self.path = path
        super().__init__(message, file=file, field=".".join(str(p) for p in path))


@dataclass(frozen=True)
class MaskedRule:
    """Overrides a value on the strategy profiles where ``mask`` is true.

    ``path`` locates the rule's value in the file, for error messages.
    """

    mask: NDArray[np.bool_] = field(repr=False)
    value: Expression
    path: Path = ()

    @cached_property
    def narrow_mask(self) -> NDArray[np.bool_]:
        """:attr:`mask` with each axis it does not depend on cut to length 1; it broadcasts back.

        A rule on one player's strategy then costs that player's strategies, not every profile.

        Examples
        --------
        >>> when_b = np.array([[False, True], [False, True]])  # player 2 plays their second
        >>> MaskedRule(when_b, parse_expression(1)).narrow_mask.tolist()
        [[False, True]]
        """
        narrow = self.mask
        for axis in range(narrow.ndim):
            first = narrow.take([0], axis=axis)
            if (narrow == first).all():
                narrow = first
        return narrow


@dataclass(frozen=True)
class RuledValue:
    """A value over strategy profiles: ``default`` everywhere, except where a rule matches.

    Rules are ordered; the first one that matches a profile gives its value. ``path`` locates
    the default in the file, for error messages.
    """

    name: str
    default: Expression
    rules: tuple[MaskedRule, ...] = ()
    path: Path = ()

    def source_of(self, profile: tuple[int, ...]) -> Path:
        """Where the file gives the value at ``profile``: its first matching rule, or default."""
        return next((rule.path for rule in self.rules if rule.mask[profile]), self.path)


@dataclass(frozen=True)
class CompiledScenario:
    """The checked scenario in evaluable form."""

    players: tuple[str, ...]
    strategies: tuple[tuple[str, ...], ...]
    outcomes: tuple[RuledValue, ...]
    payoffs: tuple[RuledValue, ...]
    #: True on the strategy profiles consistent with the recorded history, if the file has one.
    recorded: NDArray[np.bool_] | None = field(default=None, repr=False)


def compile_scenario(spec: ScenarioFile) -> CompiledScenario:
    """Check ``spec`` as a whole and compile it.

    Raises
    ------
    SemanticError
        Naming the field path of the first problem found.
    """
    players = tuple(spec.players)
    strategies = tuple(tuple(names) for names in spec.players.values())
    _check_names(spec, strategies)
    shape = tuple(len(s) for s in strategies)
    n_profiles = int(np.prod(shape, dtype=np.int64))
    if n_profiles > MAX_PROFILES:
        raise SemanticError(
            f"the game has {n_profiles} strategy profiles; at most {MAX_PROFILES} are supported",
            ("players",),
        )
    _check_rule_count(spec, n_profiles)
    known = set(spec.parameters)
    outcomes = []
    for name, outcome in spec.outcomes.items():
        path: Path = ("outcomes", name)
        rules = tuple(
            MaskedRule(
                mask=match_mask(rule.when, players, strategies, (*path, "rules", k, "when")),
                value=checked_expression(rule.value, known, (*path, "rules", k, "value")),
                path=(*path, "rules", k, "value"),
            )
            for k, rule in enumerate(outcome.rules)
        )
        default = checked_expression(outcome.default, known, (*path, "default"))
        outcomes.append(RuledValue(name, default, rules, (*path, "default")))
        known.add(name)  # later outcomes may use this one
    if spec.payoffs is not None:
        payoffs = expression_payoffs(spec.payoffs, players, known)
    else:
        assert spec.payoff_table is not None  # the model guarantees one of the two forms
        payoffs = _table_payoffs(spec, players, strategies, set(spec.parameters))
    recorded = None
    if spec.history is not None:
        recorded = match_mask(spec.history.outcome, players, strategies, ("history", "outcome"))
    for k, label in enumerate(spec.labels):
        match_mask(label.when, players, strategies, ("labels", k, "when"))
    return CompiledScenario(players, strategies, tuple(outcomes), payoffs, recorded)


def _check_rule_count(spec: ScenarioFile, n_profiles: int) -> None:
    """Refuse more rules than :data:`MAX_RULE_CELLS` allows for a game of ``n_profiles``."""
    rules = sum(len(outcome.rules) for outcome in spec.outcomes.values())
    rules += len(spec.payoff_table or ()) + len(spec.labels)
    if rules * n_profiles > MAX_RULE_CELLS:
        raise SemanticError(
            f"the scenario has {rules} rules, table entries and labels over {n_profiles} "
            f"strategy profiles; at most {MAX_RULE_CELLS:,} rule-profile pairs are supported "
            f"(here at most {MAX_RULE_CELLS // n_profiles} rules)",
            ("players",),
        )


def _check_names(spec: ScenarioFile, strategies: Sequence[Sequence[str]]) -> None:
    for player, names in zip(spec.players, strategies, strict=True):
        duplicates = sorted({s for s in names if names.count(s) > 1})
        if duplicates:
            raise SemanticError(
                f"strategy names must be unique; repeated: {', '.join(duplicates)}",
                ("players", player),
            )
    check_variable_names(spec.parameters, spec.outcomes)


def check_variable_names(parameters: Iterable[str], outcomes: Iterable[str]) -> None:
    """Refuse a parameter or outcome no expression can name, or an outcome named like a parameter.

    Raises
    ------
    SemanticError
        At ``("parameters", name)`` or ``("outcomes", name)``.
    """
    declared = set(parameters)
    for kind, names in (("parameters", declared), ("outcomes", outcomes)):
        for name in names:
            problem = unusable_name(name)
            if problem:
                raise SemanticError(problem, (kind, name))
    for name in outcomes:
        if name in declared:
            raise SemanticError(
                f"outcome {name!r} has the same name as a parameter; names must be distinct",
                ("outcomes", name),
            )


def match_mask(
    when: Mapping[str, str | list[str]],
    players: Sequence[str],
    strategies: Sequence[Sequence[str]],
    path: Path,
) -> NDArray[np.bool_]:
    """Mark the strategy profiles that ``when`` (player -> strategy or strategies) matches.

    Players ``when`` does not name match any strategy. Unknown players or strategies raise
    :class:`SemanticError` at ``path``.
    """
    shape = tuple(len(s) for s in strategies)
    mask = np.ones(shape, dtype=bool)
    for player, match in when.items():
        if player not in players:
            raise SemanticError(
                f"unknown player {player!r}; expected one of {list(players)}", (*path, player)
            )
        axis = players.index(player)
        wanted = [match] if isinstance(match, str) else match
        allowed = np.zeros(shape[axis], dtype=bool)
        for name in wanted:
            if name not in strategies[axis]:
                raise SemanticError(
                    f"{player} has no strategy {name!r}; expected one of {list(strategies[axis])}",
                    (*path, player),
                )
            allowed[strategies[axis].index(name)] = True
        view = [1] * len(shape)
        view[axis] = shape[axis]
        mask &= allowed.reshape(view)
    return mask


def checked_expression(
    text: str | float,
    known: Iterable[str],
    path: Path,
    expected: str = "parameters or outcomes defined above",
) -> Expression:
    """Parse ``text`` and check that it names only ``known`` names (``expected`` says which).

    Raises
    ------
    SemanticError
        At ``path``, for a syntax error or an unknown name.
    """
    try:
        expression = parse_expression(text)
    except ExpressionError as exc:
        raise SemanticError(exc.reason, path) from None
    unknown = sorted(expression.names.difference(known))
    if unknown:
        raise SemanticError(
            f"unknown name{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))} in "
            f"{expression.source!r}; expected {expected}: {', '.join(sorted(known)) or 'none'}",
            path,
        )
    return expression


def expression_payoffs(
    payoffs: Mapping[str, str | float], players: Sequence[str], known: set[str]
) -> tuple[RuledValue, ...]:
    """Compile ``payoffs`` (player -> expression over ``known`` names), one per player in order.

    Raises
    ------
    SemanticError
        For an unknown or missing player, or an expression that does not compile.
    """
    for player in payoffs:
        if player not in players:
            raise SemanticError(
                f"unknown player {player!r}; expected one of {list(players)}", ("payoffs", player)
            )
    missing = [p for p in players if p not in payoffs]
    if missing:
        raise SemanticError(f"no payoff given for {', '.join(missing)}", ("payoffs",))
    return tuple(
        RuledValue(
            player,
            checked_expression(payoffs[player], known, ("payoffs", player)),
            path=("payoffs", player),
        )
        for player in players
    )


def _table_payoffs(
    spec: ScenarioFile,
    players: Sequence[str],
    strategies: Sequence[Sequence[str]],
    known: set[str],
) -> tuple[RuledValue, ...]:
    assert spec.payoff_table is not None
    shape = tuple(len(s) for s in strategies)
    seen: dict[tuple[int, ...], int] = {}
    rules: list[list[MaskedRule]] = [[] for _ in players]
    for k, entry in enumerate(spec.payoff_table):
        path: Path = ("payoff_table", k)
        if len(entry.profile) != len(players):
            raise SemanticError(
                f"profile names {len(entry.profile)} strategies; expected one for each of "
                f"{len(players)} players ({', '.join(players)})",
                (*path, "profile"),
            )
        if len(entry.payoffs) != len(players):
            raise SemanticError(
                f"{len(entry.payoffs)} payoffs given; expected one for each of {len(players)} "
                f"players ({', '.join(players)})",
                (*path, "payoffs"),
            )
        index = []
        for axis, name in enumerate(entry.profile):
            if name not in strategies[axis]:
                raise SemanticError(
                    f"{players[axis]} has no strategy {name!r}; expected one of "
                    f"{list(strategies[axis])}",
                    (*path, "profile", axis),
                )
            index.append(strategies[axis].index(name))
        cell = tuple(index)
        if cell in seen:
            raise SemanticError(
                f"profile {entry.profile} is already given in entry {seen[cell]}",
                (*path, "profile"),
            )
        seen[cell] = k
        mask = np.zeros(shape, dtype=bool)
        mask[cell] = True
        for i, value in enumerate(entry.payoffs):
            at: Path = (*path, "payoffs", i)
            rules[i].append(MaskedRule(mask, checked_expression(value, known, at), at))
    missing = [p for p in itertools.product(*(range(n) for n in shape)) if p not in seen]
    if missing:
        named = [[strategies[a][s] for a, s in enumerate(p)] for p in missing[:3]]
        more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        raise SemanticError(
            f"payoff table has no entry for profile {', '.join(map(str, named))}{more}; "
            "every profile needs one",
            ("payoff_table",),
        )
    zero = parse_expression(0.0)
    return tuple(
        RuledValue(p, zero, tuple(r), ("payoff_table",))
        for p, r in zip(players, rules, strict=True)
    )
