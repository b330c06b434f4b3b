"""Conflicts as a game form: the graph model for conflict resolution.

A file with ``form: conflict`` names decision makers and their yes/no options, the states that
cannot occur, irreversible options and each decision maker's preferences (prioritised statements
or a score expression). Its game is a :class:`~kurilsim.forms.conflict.game.Conflict`, analysed for
each state's Nash, GMR, SMR and SEQ stability for every decision maker.

Examples
--------
>>> from kurilsim import parse_scenario
>>> text = '''
... kurilsim: 1
... form: conflict
... title: An offer nobody makes
... decision_makers:
...   A: {options: {offer: A offers}}
...   B: {options: {accept: B accepts}}
... preferences:
...   A: {statements: ["-offer"]}
...   B: {statements: ["offer and accept", "-accept"]}
... history: {summary: no offer, outcome: {A: [], B: []}, evidence: [E71]}
... '''
>>> table = parse_scenario(text).solve(method="seq")
>>> table.equilibria("seq"), table.recorded
((0,), (0,))
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.concepts import ConceptPanel
from kurilsim.core.display import html_table, recorded_text
from kurilsim.core.errors import InputError
from kurilsim.core.expr import Expression
from kurilsim.core.parameters import resolve
from kurilsim.core.scenario import Scenario
from kurilsim.core.sweep_rows import SweepRows, rows_by_point
from kurilsim.core.tolerance import check_tolerance
from kurilsim.forms.conflict.blockers import state_name
from kurilsim.forms.conflict.concepts import conflict_panel
from kurilsim.forms.conflict.game import Conflict, Preference
from kurilsim.forms.conflict.scenario import (
    CompiledConflict,
    ConflictScenarioFile,
    ScoreOf,
    compile_conflict,
)
from kurilsim.forms.conflict.stability import CONCEPT_NAMES, METHODS, StabilityTable, stability
from kurilsim.forms.normal.game import NormalFormGame


class ConflictForm:
    """Conflicts in option form; see the module docstring."""

    name = "conflict"
    description = "conflict"
    file_model = ConflictScenarioFile
    game_types = (Conflict,)
    methods = METHODS
    vectorised: frozenset[str] = frozenset()
    compare_options: frozenset[str] = frozenset({"max_seconds"})

    def compile(self, spec: ConflictScenarioFile, source: str) -> CompiledConflict:
        """Compile statements and scores; a file whose scores fail at its defaults is refused."""
        compiled = compile_conflict(spec)
        _conflict(spec, compiled, resolve(spec.parameters))
        return compiled

    def players(self, scenario: Scenario) -> tuple[str, ...]:
        """The decision makers, in order."""
        return tuple(scenario.spec.decision_makers)

    def strategies(self, scenario: Scenario) -> tuple[tuple[str, ...], ...]:
        """Each decision maker's options."""
        return tuple(tuple(d.options) for d in scenario.spec.decision_makers.values())

    def game(self, scenario: Scenario, values: Mapping[str, Any], **options: Any) -> Conflict:
        """The conflict's graph model at ``values``."""
        return _conflict(scenario.spec, scenario.compiled, _numbers(values))

    def payoffs(self, scenario: Scenario, values: Mapping[str, Any]) -> NDArray[np.float64]:
        """Each decision maker's score of each state, shape ``(n_dms, n_states)``."""
        return self.game(scenario, values).payoffs

    def normal_form(self, scenario: Scenario, values: Mapping[str, Any]) -> NormalFormGame:
        """Refused: a conflict is not a game in strategies."""
        raise InputError("a conflict has no normal form: it is not a game in strategies")

    def solve(
        self, game: Conflict, method: str, tol: float, parameters: Mapping[str, Any], **options: Any
    ) -> StabilityTable:
        """Stability of every state for every decision maker; see :func:`kurilsim.stability`."""
        return stability(game, method, tol, parameters=parameters, **_options(options))

    def solve_scenario(
        self,
        scenario: Scenario,
        values: Mapping[str, Any],
        method: str,
        tol: float,
        **options: Any,
    ) -> StabilityTable:
        """Stability at ``values``, with the states consistent with the file's history."""
        options = _options(options)
        values = _numbers(values)
        conflict = self.game(scenario, values)
        recorded = recorded_states(scenario.compiled, conflict)
        return stability(conflict, method, tol, parameters=values, recorded=recorded, **options)

    def compare(
        self,
        scenario: Scenario,
        values: Mapping[str, Any],
        deal: str | None,
        precision: float | None,
        tol: float,
        max_seconds: float | None,
    ) -> ConceptPanel:
        """Nash, GMR, SMR and SEQ stability; the deal state nearest to SEQ and who leaves it."""
        table = self.solve_scenario(scenario, values, "auto", tol, max_seconds=max_seconds)
        return conflict_panel(table, deal, tol)

    def explain(self, scenario: Scenario) -> dict[str, dict[str, str]]:
        """Preferences, options, and the options the record says each decision maker took."""
        spec: ConflictScenarioFile = scenario.spec
        preferences = {
            dm: " ".join(str(p.score).split())
            if p.score is not None
            else "prioritised: " + "; ".join(p.statements or ())
            for dm, p in spec.preferences.items()
        }
        options = {
            f"{dm}.{option}": " ".join(str(text).split())
            for dm, maker in spec.decision_makers.items()
            for option, text in maker.options.items()
        }
        recorded = {
            dm: recorded_text(taken, joint=True)
            for dm, taken in (spec.history.outcome.items() if spec.history else ())
        }
        return {"payoffs": preferences, "options": options, "recorded": recorded}

    def describe(self, scenario: Scenario) -> tuple[str, str, str]:
        """The decision makers and their options."""
        spec: ConflictScenarioFile = scenario.spec
        count = sum(len(d.options) for d in spec.decision_makers.values())
        summary = (
            f"{', '.join(self.players(scenario))}, {count} options, "
            f"{len(scenario.parameters)} parameters"
        )
        table = html_table(
            ["decision maker", "option", "meaning"],
            [
                [dm, name, meaning]
                for dm, d in spec.decision_makers.items()
                for name, meaning in d.options.items()
            ],
        )
        return summary, "", table

    def sweep_method(
        self, scenario: Scenario, method: str | None, tol: float, options: Mapping[str, Any]
    ) -> str:
        """``"seq"`` unless another concept is given; the one option is ``max_seconds``."""
        check_tolerance(tol)
        name = "seq" if method is None else method
        if name not in self.methods or name == "auto":
            raise InputError(
                f"a sweep of a conflict tabulates one stability concept; got {method!r}, "
                f"expected one of {', '.join(m for m in self.methods if m != 'auto')}"
            )
        _options(options)
        return name

    def bytes_per_point(self, scenario: Scenario, method: str) -> int:
        """Scores and reachability over every pair of states, for every decision maker."""
        options = sum(len(d.options) for d in scenario.spec.decision_makers.values())
        states = 2**options
        return int(8 * len(scenario.spec.decision_makers) * states * (states + 8))

    def sweep_rows(
        self,
        scenario: Scenario,
        values: Mapping[str, Any],
        method: str,
        tol: float,
        options: Mapping[str, Any],
    ) -> SweepRows:
        """One row per equilibrium state of the concept at each point."""

        def rows_of(table: StabilityTable) -> list[dict[str, Any]]:
            found = table.equilibria(method) if table.complete else ()
            return [
                {"concept": CONCEPT_NAMES[method], "label": state_name(table.conflict, s)}
                for s in found
            ]

        return rows_by_point(
            values, lambda at: self.solve_scenario(scenario, at, method, tol, **options), rows_of
        )


def recorded_states(compiled: CompiledConflict, conflict: Conflict) -> tuple[int, ...]:
    """Indices of the states of ``conflict`` consistent with the recorded history, if any."""
    if compiled.recorded is None:
        return ()
    assert conflict.states is not None
    names = conflict.option_names
    match = np.ones(conflict.n_states, dtype=bool)
    for name, taken in compiled.recorded.items():
        match &= conflict.states[:, names.index(name)] == taken
    return tuple(int(s) for s in np.flatnonzero(match))


def _conflict(
    spec: ConflictScenarioFile, compiled: CompiledConflict, values: Mapping[str, Any]
) -> Conflict:
    preferences: dict[str, Preference] = {}
    for dm, preference in zip(spec.decision_makers, compiled.preferences, strict=True):
        if isinstance(preference, Expression):
            preferences[dm] = ScoreOf(dm, preference, values)
        else:
            preferences[dm] = preference
    return Conflict.from_options(
        {dm: tuple(d.options) for dm, d in spec.decision_makers.items()},
        preferences,
        infeasible=compiled.infeasible,
        irreversible=spec.irreversible,
        title=spec.title,
    )


def _options(options: Mapping[str, Any]) -> dict[str, Any]:
    """``options``, refusing any but ``max_seconds``, the analysis' one option."""
    unknown = sorted(set(options).difference({"max_seconds"}))
    if unknown:
        raise InputError(
            f"the conflict form takes one method option, max_seconds; got {', '.join(unknown)}"
        )
    return dict(options)


def _numbers(values: Mapping[str, Any]) -> Mapping[str, Any]:
    """``values``, refusing arrays: a conflict is not batched."""
    for name, value in values.items():
        if np.ndim(value) != 0:
            raise InputError(f"parameter {name!r}: expected a single number for a conflict")
    return values


#: Conflicts, as the registry holds them.
CONFLICT_FORM = ConflictForm()
