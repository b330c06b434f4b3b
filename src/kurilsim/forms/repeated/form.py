"""Repeated games as a game form (``form: repeated``): any normal-form scenario as a stage game.

See :mod:`.scenario` for the file, :mod:`.solve` for what is computed and how it is checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.concepts import ConceptPanel, Prediction
from kurilsim.core.deals import default_deal
from kurilsim.core.display import html_table
from kurilsim.core.errors import InputError
from kurilsim.core.scenario import Scenario
from kurilsim.core.sweep_rows import SweepRows, rows_by_point
from kurilsim.core.tolerance import check_tolerance
from kurilsim.forms.normal.game import NormalFormGame
from kurilsim.forms.repeated.blockers import deal_cells, repeated_blockers
from kurilsim.forms.repeated.game import RepeatedGame, check_discount
from kurilsim.forms.repeated.result import RepeatedSolution, profile_label
from kurilsim.forms.repeated.scenario import (
    CompiledRepeated,
    RepeatedScenarioFile,
    compile_repeated,
    stage_values,
)
from kurilsim.forms.repeated.solve import METHODS, OPTIONS, solve

FloatArray = NDArray[np.float64]


class RepeatedForm:
    """Infinitely repeated games with discounting and perfect monitoring."""

    name = "repeated"
    description = "repeated game"
    file_model = RepeatedScenarioFile
    game_types = (RepeatedGame,)
    methods = METHODS
    vectorised: frozenset[str] = frozenset()
    compare_options: frozenset[str] = frozenset()

    def compile(self, spec: RepeatedScenarioFile, source: str) -> CompiledRepeated:
        """Read the stage file and check the discount factors at the defaults."""
        return compile_repeated(spec, source)

    def players(self, scenario: Scenario) -> tuple[str, ...]:
        """The players of the repeated game (the stage's players not held fixed)."""
        compiled: CompiledRepeated = scenario.compiled
        return tuple(compiled.stage.players[i] for i in compiled.players)

    def strategies(self, scenario: Scenario) -> tuple[tuple[str, ...], ...]:
        """Each player's stage strategies."""
        compiled: CompiledRepeated = scenario.compiled
        return tuple(compiled.stage.strategies[i] for i in compiled.players)

    def game(self, scenario: Scenario, values: Mapping[str, Any], **options: Any) -> RepeatedGame:
        """The repeated game at ``values``."""
        compiled: CompiledRepeated = scenario.compiled
        players = self.players(scenario)
        discount = []
        for player, expression in zip(players, compiled.discount, strict=True):
            value = float(np.asarray(expression.evaluate(values)))
            discount.append(check_discount(player, value))
        stage = NormalFormGame(
            players,
            self.strategies(scenario),
            self.payoffs(scenario, values),
            title=compiled.stage.title,
        )
        return RepeatedGame(stage, discount, title=scenario.title)

    def payoffs(self, scenario: Scenario, values: Mapping[str, Any]) -> FloatArray:
        """The stage payoffs of the players left, ``(n_1, ..., n_N, N)`` or with a batch axis."""
        compiled: CompiledRepeated = scenario.compiled
        stage = compiled.stage
        full = stage.form.payoffs(stage, stage_values(compiled, values))
        batch = full.ndim - 1 - len(stage.players)
        index: list[Any] = [slice(None)] * (full.ndim - 1)
        for i, strategy in compiled.fixed:
            index[batch + i] = strategy
        kept = full[(*index, slice(None))]
        return np.asarray(kept[..., list(compiled.players)], dtype=np.float64)

    def normal_form(self, scenario: Scenario, values: Mapping[str, Any]) -> NormalFormGame:
        """A repeated game has no finite normal form: an error naming its stage file."""
        compiled: CompiledRepeated = scenario.compiled
        raise InputError(
            f"a repeated game has no finite normal form; its stage game is {compiled.stage.source}",
            file=scenario.source,
        )

    def solve(
        self,
        game: RepeatedGame,
        method: str,
        tol: float,
        parameters: Mapping[str, Any],
        **options: Any,
    ) -> RepeatedSolution:
        """See :func:`kurilsim.forms.repeated.solve.solve`."""
        unknown = sorted(set(options).difference(OPTIONS))
        if unknown:
            raise InputError(
                f"repeated games have no option {', '.join(unknown)}; options: {', '.join(OPTIONS)}"
            )
        return solve(game, method, tol, parameters, **options)

    def solve_scenario(
        self, scenario: Scenario, values: Mapping[str, Any], method: str, tol: float, **options: Any
    ) -> RepeatedSolution:
        """Solve the scenario's repeated game at ``values``."""
        return self.solve(self.game(scenario, values), method, tol, values, **options)

    def compare(
        self,
        scenario: Scenario,
        values: Mapping[str, Any],
        deal: str | None,
        precision: float | None,
        tol: float,
        max_seconds: float | None,
    ) -> ConceptPanel:
        """Stage Nash equilibria, then what grim trigger and the minmax sustain at these values.

        With a deal condition over the stage's outcome variables (by default ``islands > 0``
        where the stage has islands), each row says whether it is a deal, and the deal profile
        nearest to being sustained names who defects from it and by how much
        (:mod:`~kurilsim.forms.repeated.blockers`).
        """
        solution = self.solve_scenario(scenario, values, "thresholds", tol)
        compiled: CompiledRepeated = scenario.compiled
        deal = deal or default_deal([o.name for o in compiled.stage.compiled.outcomes])
        deals = None if deal is None else deal_cells(scenario, values, deal)

        def is_deal(k: int) -> float | None:
            if deals is None:
                return None
            return float(deals[solution.cells[k]])

        predictions = [
            Prediction(
                "stage Nash",
                profile_label(solution.stage.game.players, _mixes(solution, k)),
                deal=None if deals is None else _deal_mass(deals, e.profile),
                note=e.kind,
            )
            for k, e in enumerate(solution.stage.equilibria)
        ]
        for k in np.flatnonzero(solution.sustained_by_grim):
            predictions.append(
                Prediction("grim trigger", solution.label(int(k)), deal=is_deal(int(k)))
            )
        for k in np.flatnonzero(solution.punishment_rounds):
            rounds = int(solution.punishment_rounds[k])
            predictions.append(
                Prediction(
                    "minmax punishment",
                    solution.label(int(k)),
                    deal=is_deal(int(k)),
                    note=f"{rounds} round{'s' if rounds > 1 else ''} of mutual minmax",
                )
            )
        if deals is None:
            return ConceptPanel(tuple(predictions), deal)
        nearest = repeated_blockers(solution, deals, tol)
        name = ""
        if nearest.outcome >= 0:
            cell = tuple(int(c) for c in np.unravel_index(nearest.outcome, deals.shape))
            name = solution.label_of(cell)
        return ConceptPanel(tuple(predictions), deal, name, nearest.blockers)

    def explain(self, scenario: Scenario) -> dict[str, dict[str, str]]:
        """The stage file, each discount factor's expression and the players held fixed."""
        compiled: CompiledRepeated = scenario.compiled
        spec: RepeatedScenarioFile = scenario.spec
        payoffs = {"stage game": f"{spec.stage.file}: {compiled.stage.title}"}
        payoffs |= {f"discount {p}": str(e) for p, e in spec.discount.items()}
        held = {p: f"held at {s} every round" for p, s in spec.stage.fix.items()}
        return {"payoffs": payoffs, "outcomes": held}

    def describe(self, scenario: Scenario) -> tuple[str, str, str]:
        """The stage game, who plays and how patient each player is."""
        spec: RepeatedScenarioFile = scenario.spec
        players = self.players(scenario)
        summary = f"{', '.join(players)} repeat {spec.stage.file}"
        rows = [
            [p, ", ".join(s), str(spec.discount[p])]
            for p, s in zip(players, self.strategies(scenario), strict=True)
        ]
        rows += [[p, f"held at {s}", ""] for p, s in spec.stage.fix.items()]
        table = html_table(["player", "stage strategies", "discount factor"], rows)
        return summary, f"repeated game on {spec.stage.file}", table

    def sweep_method(
        self, scenario: Scenario, method: str | None, tol: float, options: Mapping[str, Any]
    ) -> str:
        """``"thresholds"`` unless ``"auto"`` (with the payoff set) is asked for."""
        check_tolerance(tol)
        chosen = method or "thresholds"
        if chosen not in METHODS:
            raise InputError(f"unknown method {chosen!r}; expected one of {', '.join(METHODS)}")
        unknown = sorted(set(options).difference(OPTIONS))
        if unknown:
            raise InputError(f"repeated games have no option {', '.join(unknown)}")
        return chosen

    def bytes_per_point(self, scenario: Scenario, method: str) -> int:
        """Thresholds are small; the payoff set keeps a few polygons."""
        return 1 << 16

    def sweep_rows(
        self,
        scenario: Scenario,
        values: Mapping[str, Any],
        method: str,
        tol: float,
        options: Mapping[str, Any],
    ) -> SweepRows:
        """One row per profile sustained at each point, with its grim thresholds."""
        return rows_by_point(
            values,
            lambda at: self.solve_scenario(scenario, at, method, tol, **options),
            _sustained_rows,
        )


def _sustained_rows(solution: RepeatedSolution) -> list[dict[str, Any]]:
    rows = []
    for k in np.flatnonzero(solution.sustained()):
        row: dict[str, Any] = {"label": solution.label(int(k))}
        row["by"] = "grim" if solution.sustained_by_grim[k] else "minmax"
        for i, player in enumerate(solution.game.players):
            row[f"grim.{player}"] = float(solution.grim[k, i])
        rows.append(row)
    return rows


def _deal_mass(deals: NDArray[np.bool_], profile: tuple[FloatArray, ...]) -> float:
    """The probability of a deal when each player mixes independently by ``profile``."""
    mass: Any = deals.astype(np.float64)
    for p in reversed(profile):
        mass = mass @ p
    return float(mass)


def _mixes(solution: RepeatedSolution, k: int) -> list[str]:
    equilibrium = solution.stage.equilibria[k]
    names = solution.stage.game.strategies
    return [
        " + ".join(
            f"{p:.3g} {n}" if p < 1 - 1e-12 else n for n, p in zip(s, x, strict=True) if p > 1e-12
        )
        for s, x in zip(names, equilibrium.profile, strict=True)
    ]


#: The repeated form, as the registry holds it.
REPEATED_FORM = RepeatedForm()
