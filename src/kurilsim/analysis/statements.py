"""Testable statements about history, checked against the scenarios.

A statements file lists claims any calibration of the scenarios must reproduce ("no era yields an
island transfer at its defaults", "raising sanctions never makes Russia more willing to concede"),
each as checks over named scenario files:

``none_match`` / ``all_match`` / ``some_match``
    At one parameter point (the defaults, updated by ``at``): no pure equilibrium has the
    property / there is one and all have it / at least one has it.
``monotone``
    Over ``points`` values across a parameter's range, at the defaults and at ``base_points``
    seeded random points of the rest of the parameter box, the indicator "some pure equilibrium
    has the property" never rises (``nonincreasing``) or never falls (``nondecreasing``).
``invariant``
    Over the parameter's range, at the defaults of the rest, the named players' strategies in
    the pure equilibria stay the same.

A statement the model cannot express says why in ``not_expressible`` instead of giving checks.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Self, TextIO

import numpy as np
from pydantic import Field, PrivateAttr, ValidationError, model_validator

from kurilsim.core.arguments import check_instance, check_mapping, check_path, check_real
from kurilsim.core.errors import InputError, in_field, in_file
from kurilsim.core.parameters import unknown_parameter
from kurilsim.core.scenario import Scenario
from kurilsim.core.schema import FrozenModel
from kurilsim.forms.normal.form import require_normal_form
from kurilsim.forms.normal.properties import equilibria_with, property_mask, pure_equilibria
from kurilsim.forms.registry import load_scenario
from kurilsim.io.sources import read_source
from kurilsim.io.yaml_source import read_yaml

#: Seed of the random base points of monotonicity checks, fixed so that results reproduce.
SEED = 20161215


class _PropertyCheck(FrozenModel):
    scenario: str
    condition: str | None = None
    outcome: dict[str, str | list[str]] | None = None

    @model_validator(mode="after")
    def _one_property(self) -> Self:
        if (self.condition is None) == (self.outcome is None):
            raise ValueError("give exactly one of 'condition' or 'outcome'")
        if self.outcome == {}:  # it would match every profile: a check that always holds
            raise ValueError("'outcome' names no player; give at least one player's strategy")
        return self


class PointCheck(_PropertyCheck):
    """Equilibria at one parameter point have (or lack) a property."""

    kind: Literal["none_match", "all_match", "some_match"]
    at: dict[str, float] = Field(default_factory=dict)


class MonotoneCheck(_PropertyCheck):
    """Whether some equilibrium has a property moves one way as a parameter rises."""

    kind: Literal["monotone"]
    parameter: str
    direction: Literal["nonincreasing", "nondecreasing"]
    points: int = Field(default=21, ge=2, le=1001)
    base_points: int = Field(default=20, ge=0, le=10_000)


class InvariantCheck(FrozenModel):
    """The named players' equilibrium strategies do not change across a parameter's range."""

    scenario: str
    kind: Literal["invariant"]
    parameter: str
    players: list[str] = Field(min_length=1)
    points: int = Field(default=21, ge=2, le=1001)


Check = Annotated[PointCheck | MonotoneCheck | InvariantCheck, Field(discriminator="kind")]


class TestableStatement(FrozenModel):
    """A claim about history, with the checks that encode it or why it cannot be encoded."""

    id: str
    text: str
    evidence: tuple[str, ...] = ()
    checks: tuple[Check, ...] | None = None
    not_expressible: str | None = None

    @model_validator(mode="after")
    def _checks_or_reason(self) -> Self:
        if (self.checks is None) == (self.not_expressible is None):
            raise ValueError("give either 'checks' or 'not_expressible' (the reason)")
        return self


class StatementsFile(FrozenModel):
    """A file of testable statements."""

    kurilsim_statements: Literal[1] = Field(alias="kurilsim-statements")
    statements: tuple[TestableStatement, ...]
    _source: str | None = PrivateAttr(default=None)

    @property
    def source(self) -> str | None:
        """The file :func:`load_statements` read it from, named in its checks' errors."""
        return self._source

    def __eq__(self, other: object) -> bool:
        # The same statements wherever they were read from: pydantic would compare the source.
        if not isinstance(other, StatementsFile):
            return NotImplemented
        return self.__dict__ == other.__dict__


@dataclass(frozen=True)
class StatementResult:
    """The verdict on one statement: ``holds`` is None when it is not expressible."""

    statement: TestableStatement
    holds: bool | None
    details: tuple[str, ...]


def statements_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of statements files.

    Examples
    --------
    >>> schema = statements_json_schema()
    >>> schema["$id"], schema["required"]
    ('urn:kurilsim:statements:1', ['kurilsim-statements', 'statements'])
    """
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:kurilsim:statements:1",
        **StatementsFile.model_json_schema(),
        "title": "kurilsim statements file, format version 1",
    }


def load_statements(path: str | os.PathLike[str] | TextIO) -> StatementsFile:
    """Read and validate a statements file.

    Parameters
    ----------
    path
        The file (``str`` or ``os.PathLike``), or an open text stream.

    Raises
    ------
    ArgumentTypeError
        If ``path`` is neither a path nor a text stream.
    InputError
        Naming the file, field and line of the first problem.
    """
    text, name = read_source(path, "path")
    document = read_yaml(text, name)
    try:
        loaded = StatementsFile.model_validate(document.data)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        location = tuple(error["loc"])
        raise InputError(
            str(error["msg"]),
            file=name,
            field=".".join(map(str, location)),
            line=document.line_of(location),
        ) from None
    loaded._source = name
    return loaded


def check_statements(
    statements: StatementsFile,
    directory: str | os.PathLike[str],
    shared: Mapping[str, float] | None = None,
) -> list[StatementResult]:
    """Check every statement against the scenario files in ``directory``.

    ``shared`` gives values of shared parameters (a posterior draw, say), set in every scenario
    that takes them from its shared-parameters file; a check's own ``at`` values take
    precedence, and the rest stay at their defaults.

    Raises
    ------
    ArgumentTypeError
        For an argument of the wrong type.
    InputError
        If a check names a missing scenario, parameter, player or outcome variable, with the
        check's place in the file as its field (``statements.0.checks.1``), after the file's
        name where the statements were read from one.
    """
    check_instance("statements", statements, StatementsFile, "a StatementsFile")
    directory = check_path("directory", directory)
    point = dict(check_mapping("shared", shared or {}, check_real))
    cache: dict[str, Scenario] = {}

    def scenario(name: str) -> Scenario:
        if name not in cache:
            loaded = load_scenario(Path(directory) / name)
            cache[name] = require_normal_form(loaded, "a check of a testable statement")
        return cache[name]

    results = []
    with nullcontext() if statements.source is None else in_file(statements.source):
        for i, statement in enumerate(statements.statements):
            if statement.checks is None:
                reason = statement.not_expressible or ""
                results.append(StatementResult(statement, None, (reason,)))
                continue
            verdicts = []
            for j, check in enumerate(statement.checks):
                with in_field(f"statements.{i}.checks.{j}"):
                    verdicts.append(_check(check, scenario(check.scenario), point))
            holds = all(ok for ok, _ in verdicts)
            results.append(StatementResult(statement, holds, tuple(d for _, d in verdicts)))
    return results


def _check(
    check: PointCheck | MonotoneCheck | InvariantCheck,
    scenario: Scenario,
    point: Mapping[str, float],
) -> tuple[bool, str]:
    where = f"{check.scenario}: {check.kind}"
    taken = () if scenario.spec.shared is None else scenario.spec.shared.parameters
    base = {name: value for name, value in point.items() if name in taken}
    if isinstance(check, PointCheck):
        values = scenario.parameter_values({**base, **check.at})
        mask = property_mask(scenario, values, check.condition, check.outcome)
        equilibria, matching = equilibria_with(scenario, values, mask)
        count, hits = int(equilibria.sum()), int(matching.sum())
        ok = {
            "none_match": hits == 0,
            "all_match": count > 0 and hits == count,
            "some_match": hits > 0,
        }[check.kind]
        return ok, f"{where}: {hits} of {count} pure equilibria have the property"
    grid = _grid(scenario, check.parameter, check.points)
    if isinstance(check, MonotoneCheck):
        return _monotone(check, scenario, grid, where, base)
    values = scenario.parameter_values({**base, check.parameter: grid})
    equilibria = pure_equilibria(scenario, values)
    axes = [scenario.players.index(p) for p in _known_players(scenario, check.players)]
    seen = [{tuple(cell[a] for a in axes) for cell in np.argwhere(point)} for point in equilibria]
    ok = all(s == seen[0] for s in seen)
    return ok, f"{where} in {check.parameter}: {len({frozenset(s) for s in seen})} distinct set(s)"


def _monotone(
    check: MonotoneCheck,
    scenario: Scenario,
    grid: np.ndarray,
    where: str,
    point: Mapping[str, float],
) -> tuple[bool, str]:
    rng = np.random.default_rng(SEED)
    bases = [{**scenario.defaults(), **point}]
    for _ in range(check.base_points):
        bases.append({n: float(rng.uniform(*p.range)) for n, p in scenario.parameters.items()})
    columns: dict[str, Any] = {
        name: np.repeat([base[name] for base in bases], grid.size) for name in scenario.parameters
    }
    columns[check.parameter] = np.tile(grid, len(bases))
    values = scenario.parameter_values(columns)
    mask = property_mask(scenario, values, check.condition, check.outcome)
    _, matching = equilibria_with(scenario, values, mask)
    indicator = matching.reshape(len(bases), grid.size, -1).any(axis=-1).astype(int)
    steps = np.diff(indicator, axis=1)
    bad = steps > 0 if check.direction == "nonincreasing" else steps < 0
    violations = int(bad.any(axis=1).sum())
    return (
        violations == 0,
        f"{where} {check.direction} in {check.parameter}: violated at {violations} of "
        f"{len(bases)} base points",
    )


def _grid(scenario: Scenario, parameter: str, points: int) -> np.ndarray:
    if parameter not in scenario.parameters:
        raise InputError(
            str(unknown_parameter(parameter, scenario.parameters)), file=scenario.source
        )
    low, high = scenario.parameters[parameter].range
    return np.linspace(low, high, points)


def _known_players(scenario: Scenario, players: list[str]) -> list[str]:
    unknown = [p for p in players if p not in scenario.players]
    if unknown:
        raise InputError(
            f"unknown players {unknown}; {scenario.source} has {list(scenario.players)}"
        )
    return players
