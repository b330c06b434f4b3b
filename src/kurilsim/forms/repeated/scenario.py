"""Scenario files of repeated games (``form: repeated``): a stage file, held players, discounts.

A repeated scenario does not copy its stage game: it names a normal-form scenario file by a path
relative to its own folder (``stage.file``), so the stage keeps one home and one evidence trail.
``stage.fix`` may hold some players of the stage at one strategy (the repeated game is then
played by the others); ``discount`` gives each remaining player's discount factor per round, an
expression over the file's parameters. The file's own parameters are the scenario's parameters:
one that the stage file also declares is passed to the stage game (so it can be set and swept
here); the stage's other parameters keep the stage file's defaults.

Examples
--------
>>> from kurilsim import parse_scenario
>>> text = '''
... kurilsim: 1
... form: repeated
... title: The prisoner's dilemma, repeated
... parameters:
...   patience: {default: 0.9, range: [0, 0.99], unit: per round, description: discount factor,
...              assumption: textbook}
... stage: {file: scenarios/textbook/prisoners_dilemma.yaml}
... discount: {Row: patience, Column: patience}
... '''
>>> scenario = parse_scenario(text)
>>> scenario.players, scenario.game().discount.tolist()
(('Row', 'Column'), [0.9, 0.9])
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import Field

from kurilsim.core.errors import InputError
from kurilsim.core.expr import Expression
from kurilsim.core.parameters import resolve
from kurilsim.core.rules import SemanticError, checked_expression
from kurilsim.core.scenario import Scenario
from kurilsim.core.schema import ExpressionText, FrozenModel, Identifier, ScenarioHeader, Text
from kurilsim.forms.registry import parse_scenario
from kurilsim.forms.repeated.game import check_discount
from kurilsim.io.sources import read_source
from kurilsim.io.yaml_source import read_yaml


class StageReference(FrozenModel):
    """The stage game: a normal-form scenario file, and the players held at one strategy."""

    file: Text = Field(
        description="Path of a normal-form scenario file, relative to this file's folder."
    )
    fix: dict[Identifier, Identifier] = Field(
        default_factory=dict,
        description="Player -> the one strategy the player keeps every round (a modelling "
        "choice); the repeated game is played by the other players.",
    )


class RepeatedScenarioFile(ScenarioHeader):
    """A scenario file of an infinitely repeated game, format version 1."""

    form: Literal["repeated"] = Field(description="The game form.")
    stage: StageReference
    discount: dict[Identifier, ExpressionText] = Field(
        description="Player -> discount factor per round, in [0, 1): an expression over the "
        "file's parameters."
    )


@dataclass(frozen=True, eq=False)
class CompiledRepeated:
    """A checked repeated scenario: its stage scenario, who plays, and the discount expressions."""

    stage: Scenario
    players: tuple[int, ...]
    fixed: tuple[tuple[int, int], ...]
    discount: tuple[Expression, ...]
    passed: tuple[str, ...]


def compile_repeated(spec: RepeatedScenarioFile, source: str) -> CompiledRepeated:
    """Read the stage file, check the held players and the discount factors at the defaults.

    Raises
    ------
    SemanticError
        At the field of the first problem (``stage.file`` for one inside the stage file).
    """
    stage = _stage(spec.stage.file, source)
    names = stage.players
    fixed = []
    for player, strategy in spec.stage.fix.items():
        if player not in names:
            raise SemanticError(
                f"unknown player {player!r}; the stage game has {', '.join(names)}",
                ("stage", "fix", player),
            )
        i = names.index(player)
        if strategy not in stage.strategies[i]:
            raise SemanticError(
                f"unknown strategy {strategy!r} of {player}; expected one of "
                f"{', '.join(stage.strategies[i])}",
                ("stage", "fix", player),
            )
        fixed.append((i, stage.strategies[i].index(strategy)))
    held = {i for i, _ in fixed}
    players = tuple(i for i in range(len(names)) if i not in held)
    if len(players) < 2:
        raise SemanticError("at least two players must be left to play", ("stage", "fix"))
    playing = [names[i] for i in players]
    if set(spec.discount) != set(playing):
        raise SemanticError(
            f"expected one discount factor for each of {', '.join(playing)}, got "
            f"{', '.join(spec.discount) or 'none'}",
            ("discount",),
        )
    known = set(spec.parameters)
    discount = tuple(
        checked_expression(spec.discount[p], known, ("discount", p), "parameters") for p in playing
    )
    defaults = resolve(spec.parameters)
    for player, expression in zip(playing, discount, strict=True):
        try:
            check_discount(player, float(np.asarray(expression.evaluate(defaults))))
        except InputError as exc:
            raise SemanticError(exc.reason + " at the defaults", ("discount", player)) from None
    passed = tuple(name for name in spec.parameters if name in stage.parameters)
    return CompiledRepeated(stage, players, tuple(fixed), discount, passed)


def stage_values(compiled: CompiledRepeated, values: Mapping[str, Any]) -> dict[str, Any]:
    """The stage game's parameter values: its defaults, with the parameters passed from here."""
    return {**compiled.stage.defaults(), **{name: values[name] for name in compiled.passed}}


def _stage(file: str, source: str) -> Scenario:
    """The normal-form scenario at ``file``, relative to the folder of ``source``."""
    where = ("stage", "file")
    relative = Path(file)
    if relative.is_absolute() or file.startswith("~"):
        raise SemanticError(f"expected a path relative to this file's folder, got {file!r}", where)
    if relative.suffix not in (".yaml", ".yml"):
        raise SemanticError(f"expected a .yaml scenario file, got {file!r}", where)
    folder = Path(source).parent if os.path.isfile(source) else Path()
    path = folder / relative
    try:
        text, label = read_source(path, "stage.file")
        # The form is read before the file is compiled, so a repeated file never loads another.
        data = read_yaml(text, label).data
        form = data.get("form", "normal") if isinstance(data, dict) else "normal"
        if form != "normal":
            raise SemanticError(
                f"the stage file {file} has form: {form}; a stage game must be in normal form",
                where,
            )
        return parse_scenario(text, source=label)
    except SemanticError:
        raise
    except InputError as exc:
        raise SemanticError(f"in the stage file: {exc}", where) from None
