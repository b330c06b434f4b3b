"""Scenario files of games of incomplete information (``form: bayesian``).

A file gives a player *types* with a prior: each type's probability is a number or an expression
over the parameters (so a prior is a parameter with its evidence and range like any other), and
the probabilities must sum to one. Two kinds of game are written this way:

* ``kind: signalling``: a ``sender`` with types sends one of its ``messages``; the ``receiver``
  sees the message, not the type, and picks one of its ``responses``; the sender may then take
  one of its ``actions``, knowing everything.
* ``kind: simultaneous``: ``players`` (player -> actions) move at once, each knowing its own type.

Payoffs and ``outcomes`` are expressions over the parameters and the names of types, messages,
responses and actions, each of which is 1 where it happened and 0 elsewhere; ``payoffs`` may use
the outcomes. So ``deal: {description: ..., value: accept}`` makes ``deal`` the event that the
receiver accepted, and ``Japan: treaty_value * deal - signal_cost * invest`` its payoff.

Examples
--------
>>> from kurilsim import parse_scenario
>>> text = '''
... kurilsim: 1
... form: bayesian
... kind: signalling
... title: Beer or quiche
... parameters:
...   p_weak: {default: 0.1, range: [0, 1], unit: probability, description: weak, assumption: x}
... sender: Sender
... receiver: Receiver
... types: {Sender: {weak: p_weak, strong: 1 - p_weak}}
... messages: [beer, quiche]
... responses: [duel, not_duel]
... payoffs:
...   Sender: weak * quiche + strong * beer + 2 * not_duel
...   Receiver: weak * duel + strong * not_duel
... '''
>>> solution = parse_scenario(text).solve()
>>> [(e.kind, e.intuitive) for e in solution]
[('pooling', True), ('pooling', False)]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import Field

from kurilsim.core.expr import FUNCTIONS, Expression
from kurilsim.core.rules import Path, SemanticError, checked_expression
from kurilsim.core.schema import ExpressionText, FrozenModel, Identifier, ScenarioHeader, Text
from kurilsim.forms.bayesian.game import BayesianGame, SignallingGame, leaf_axes, prior_problem

FloatArray = NDArray[np.float64]

#: Most leaves (type and action combinations) a file's game may have.
MAX_LEAVES = 200_000

Names = Annotated[list[Identifier], Field(min_length=1)]


class BayesianOutcome(FrozenModel):
    """A named quantity of play, such as a deal struck or talks broken off."""

    description: Text
    unit: str | None = None
    value: ExpressionText = Field(
        description="Its value at each end of play: an expression over parameters and the names "
        "of types, messages, responses and actions (1 where it happened, else 0)."
    )


class BayesianScenarioFile(ScenarioHeader):
    """A game of incomplete information: players with types and a prior."""

    form: Literal["bayesian"] = Field(description="The game form: incomplete information.")
    kind: Literal["signalling", "simultaneous"] = Field(
        description="A sender-receiver signalling game, or a simultaneous Bayesian game."
    )
    types: dict[Identifier, dict[Identifier, ExpressionText]] = Field(
        min_length=1,
        description="Player -> type -> its prior probability (number or expression over "
        "parameters); each player's probabilities sum to 1.",
    )
    sender: Identifier | None = Field(default=None, description="Signalling: who has types.")
    receiver: Identifier | None = Field(default=None, description="Signalling: who responds.")
    messages: Names | None = Field(default=None, description="Signalling: the sender's messages.")
    responses: Names | None = Field(
        default=None, description="Signalling: the receiver's responses."
    )
    actions: Names | None = Field(
        default=None, description="Signalling: the sender's moves after the response, if any."
    )
    players: dict[Identifier, Names] | None = Field(
        default=None, description="Simultaneous: player -> actions."
    )
    outcomes: dict[Identifier, BayesianOutcome] = Field(default_factory=dict)
    payoffs: dict[Identifier, ExpressionText] = Field(
        description="Player -> payoff expression over parameters, outcomes and the names of "
        "types, messages, responses and actions."
    )


@dataclass(frozen=True, eq=False)
class CompiledBayesian:
    """A checked file, ready to evaluate at parameter values.

    Attributes
    ----------
    kind
        ``"signalling"`` or ``"simultaneous"``.
    players
        The players, in order (sender first in a signalling game).
    types, priors
        Per player, its type names and their prior expressions (``("",)`` and 1 without types).
    moves
        The axes after the types: messages, responses and actions (signalling), or each
        player's actions (simultaneous).
    outcomes, outcome_values, payoffs
        Outcome names and expressions, and one payoff expression per player.
    """

    kind: str
    players: tuple[str, ...]
    types: tuple[tuple[str, ...], ...]
    priors: tuple[tuple[Expression, ...], ...]
    moves: tuple[tuple[str, ...], ...]
    outcomes: tuple[str, ...]
    outcome_values: tuple[Expression, ...]
    payoffs: tuple[Expression, ...]

    @property
    def axes(self) -> tuple[tuple[str, ...], ...]:
        """The names along each axis of the payoff arrays (types of players with types first)."""
        typed = tuple(t for t in self.types if t != ("",))
        return (*typed, *self.moves)


def compile_bayesian(spec: BayesianScenarioFile) -> CompiledBayesian:
    """Check a file as a whole and compile it.

    Raises
    ------
    SemanticError
        Naming the field of the first problem: fields of the other kind, unknown or repeated
        players and names, a prior that does not sum to 1 at the defaults, an expression naming
        something unknown, or a history naming no move of a player.
    """
    if spec.kind == "signalling":
        players, moves = _signalling_shape(spec)
    else:
        players, moves = _simultaneous_shape(spec)
    for player in spec.types:
        if player not in players:
            raise SemanticError(
                f"unknown player {player!r}; expected one of {list(players)}", ("types", player)
            )
    types = tuple(tuple(spec.types[p]) if p in spec.types else ("",) for p in players)
    names: dict[str, Path] = {}
    for p in players:
        for t in spec.types.get(p, {}):
            _claim(names, t, ("types", p, t), spec)
    for field, moves_of in moves:
        for name in moves_of:
            _claim(names, name, field, spec)
    for name in spec.outcomes:
        _claim(names, name, ("outcomes", name), spec)
    parameters = set(spec.parameters)
    priors = tuple(
        tuple(
            checked_expression(text, parameters, ("types", p, t), "parameters")
            for t, text in spec.types[p].items()
        )
        if p in spec.types
        else (checked_expression(1.0, parameters, ("types",)),)
        for p in players
    )
    defaults = {name: p.default for name, p in spec.parameters.items()}
    for p, prior in zip(players, priors, strict=True):
        values = np.array([float(np.asarray(e.evaluate(defaults))) for e in prior])
        problem = prior_problem(values)
        if problem:
            raise SemanticError(
                f"the prior of {p}'s types has {problem} at the parameter defaults", ("types", p)
            )
    indicators = set(names) - set(spec.outcomes)
    outcome_values = tuple(
        checked_expression(
            o.value,
            parameters | indicators,
            ("outcomes", name, "value"),
            "parameters or names of types, messages, responses and actions",
        )
        for name, o in spec.outcomes.items()
    )
    for p in spec.payoffs:
        if p not in players:
            raise SemanticError(
                f"unknown player {p!r}; expected one of {list(players)}", ("payoffs", p)
            )
    missing = [p for p in players if p not in spec.payoffs]
    if missing:
        raise SemanticError(f"no payoff given for {', '.join(missing)}", ("payoffs",))
    payoffs = tuple(
        checked_expression(
            spec.payoffs[p],
            parameters | set(names),
            ("payoffs", p),
            "parameters, outcomes or names of types, messages, responses and actions",
        )
        for p in players
    )
    compiled = CompiledBayesian(
        kind=spec.kind,
        players=players,
        types=types,
        priors=priors,
        moves=tuple(m for _, m in moves),
        outcomes=tuple(spec.outcomes),
        outcome_values=outcome_values,
        payoffs=payoffs,
    )
    leaves = int(np.prod([len(a) for a in compiled.axes], dtype=float))
    if leaves > MAX_LEAVES:
        raise SemanticError(
            f"the game has {leaves:,} ends of play; at most {MAX_LEAVES:,} allowed", ("types",)
        )
    if spec.history is not None:
        _check_history(spec, compiled)
    return compiled


def _signalling_shape(
    spec: BayesianScenarioFile,
) -> tuple[tuple[str, ...], list[tuple[Path, tuple[str, ...]]]]:
    if spec.players is not None:
        raise SemanticError(
            "a signalling game names its 'sender' and 'receiver', not 'players'", ("players",)
        )
    for field in ("sender", "receiver", "messages", "responses"):
        if getattr(spec, field) is None:
            raise SemanticError(f"a signalling game needs '{field}'", (field,))
    assert spec.sender is not None
    assert spec.receiver is not None
    assert spec.messages is not None
    assert spec.responses is not None
    if spec.sender == spec.receiver:
        raise SemanticError("the sender and the receiver must differ", ("receiver",))
    if list(spec.types) != [spec.sender]:
        raise SemanticError(
            f"in a signalling game only the sender ({spec.sender}) has types", ("types",)
        )
    moves: list[tuple[Path, tuple[str, ...]]] = [
        (("messages",), tuple(spec.messages)),
        (("responses",), tuple(spec.responses)),
        (("actions",), tuple(spec.actions) if spec.actions else ("",)),
    ]
    return (spec.sender, spec.receiver), moves


def _simultaneous_shape(
    spec: BayesianScenarioFile,
) -> tuple[tuple[str, ...], list[tuple[Path, tuple[str, ...]]]]:
    for field in ("sender", "receiver", "messages", "responses", "actions"):
        if getattr(spec, field) is not None:
            raise SemanticError(
                f"'{field}' belongs to a signalling game; a simultaneous one gives 'players'",
                (field,),
            )
    if spec.players is None or len(spec.players) < 2:
        raise SemanticError("a simultaneous game needs 'players' (two or more)", ("players",))
    moves: list[tuple[Path, tuple[str, ...]]] = [
        (("players", p), tuple(actions)) for p, actions in spec.players.items()
    ]
    return tuple(spec.players), moves


def _claim(names: dict[str, Path], name: str, path: Path, spec: BayesianScenarioFile) -> None:
    """Every name a payoff can use means one thing; parameters and functions are taken."""
    if not name:
        return
    if name in names:
        first = ".".join(str(p) for p in names[name])
        raise SemanticError(f"the name {name!r} is already used at {first}", path)
    if name in spec.parameters or name in FUNCTIONS:
        what = "a parameter" if name in spec.parameters else "a function"
        raise SemanticError(f"the name {name!r} is already {what}", path)
    names[name] = path


def _check_history(spec: BayesianScenarioFile, compiled: CompiledBayesian) -> None:
    assert spec.history is not None
    moves = moves_by_player(compiled)
    for player, match in spec.history.outcome.items():
        path: Path = ("history", "outcome", player)
        if player not in moves:
            raise SemanticError(
                f"unknown player {player!r}; expected one of {list(compiled.players)}", path
            )
        for name in [match] if isinstance(match, str) else match:
            if name not in moves[player]:
                raise SemanticError(
                    f"{player} has no move {name!r}; expected one of {list(moves[player])}", path
                )


def moves_by_player(compiled: CompiledBayesian) -> dict[str, tuple[str, ...]]:
    """Each player's moves by name: messages and final actions of a sender, responses ..."""
    if compiled.kind == "signalling":
        messages, responses, actions = compiled.moves
        sender, receiver = compiled.players
        return {sender: messages + tuple(a for a in actions if a), receiver: responses}
    return dict(zip(compiled.players, compiled.moves, strict=True))


def _shown(values: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={float(v):g}" for k, v in values.items()) or "no parameters"


def evaluate_priors(
    compiled: CompiledBayesian, values: Mapping[str, Any]
) -> tuple[FloatArray, ...]:
    """Each player's prior at ``values`` (numbers), checked.

    Raises
    ------
    SemanticError
        Where a prior has a negative probability or does not sum to 1, naming the values.
    """
    priors = []
    for player, prior in zip(compiled.players, compiled.priors, strict=True):
        at = np.array([float(np.asarray(e.evaluate(values))) for e in prior])
        problem = prior_problem(at)
        if problem:
            raise SemanticError(
                f"the prior of {player}'s types has {problem} with {_shown(values)}",
                ("types", player),
            )
        priors.append(at)
    return tuple(priors)


def evaluate_leaves(
    compiled: CompiledBayesian, values: Mapping[str, Any]
) -> tuple[FloatArray, FloatArray]:
    """Payoffs and outcome values at every end of play, shaped along :attr:`~CompiledBayesian.axes`.

    Returns arrays of shape ``(*sizes, n_players)`` and ``(*sizes, n_outcomes)``.

    Raises
    ------
    SemanticError
        Where a payoff or outcome is not a finite number, naming the values.
    """
    axes = compiled.axes
    sizes = [len(a) for a in axes]
    env: dict[str, Any] = {k: float(v) for k, v in values.items()}
    for names, index in zip(axes, leaf_axes(sizes), strict=True):
        for i, name in enumerate(names):
            if name:
                env[name] = (index == i).astype(float)
    n_leaves = int(np.prod(sizes))

    def column(expression: Expression, path: Path) -> FloatArray:
        value = np.broadcast_to(np.asarray(expression.evaluate(env), dtype=float), (n_leaves,))
        if not np.isfinite(value).all():
            raise SemanticError(
                f"{expression.source!r} is not a finite number with {_shown(values)}", path
            )
        return value

    outcomes = []
    for name, expression in zip(compiled.outcomes, compiled.outcome_values, strict=True):
        env[name] = column(expression, ("outcomes", name, "value"))
        outcomes.append(env[name])
    payoffs = [
        column(e, ("payoffs", p)) for p, e in zip(compiled.players, compiled.payoffs, strict=True)
    ]
    shaped = np.stack(payoffs, axis=-1).reshape(*sizes, len(payoffs))
    outcome_array = (np.stack(outcomes, axis=-1) if outcomes else np.zeros((n_leaves, 0))).reshape(
        *sizes, len(outcomes)
    )
    return shaped, outcome_array


def build_game(
    compiled: CompiledBayesian, values: Mapping[str, Any], title: str
) -> SignallingGame | BayesianGame:
    """The game at parameter ``values`` (one number each)."""
    priors = evaluate_priors(compiled, values)
    payoffs, outcomes = evaluate_leaves(compiled, values)
    if compiled.kind == "signalling":
        messages, responses, actions = compiled.moves
        sender, receiver = compiled.players
        return SignallingGame(
            sender=sender,
            receiver=receiver,
            types=compiled.types[0],
            prior=priors[0],
            messages=messages,
            responses=responses,
            actions=actions,
            payoffs=payoffs,
            outcomes=compiled.outcomes,
            outcome_values=outcomes,
            title=title,
        )
    # Players without types get a type axis of length one.
    n = len(compiled.players)
    shape = [len(t) for t in compiled.types] + [len(m) for m in compiled.moves]
    return BayesianGame(
        players=compiled.players,
        types=compiled.types,
        priors=priors,
        actions=compiled.moves,
        payoffs=payoffs.reshape(*shape, n),
        outcomes=compiled.outcomes,
        outcome_values=outcomes.reshape(*shape, len(compiled.outcomes)),
        title=title,
    )
