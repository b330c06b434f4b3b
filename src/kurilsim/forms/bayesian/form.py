"""Games of incomplete information as a game form: players with types and a prior.

A file with ``form: bayesian`` gives a player types with a prior over them and payoffs that depend
on the type (:mod:`kurilsim.forms.bayesian.scenario`). A signalling game is solved for every pure
perfect Bayesian equilibrium (pooling, separating, partially separating) with the off-path beliefs
that support it, the generic hybrid ones of two types, and the intuitive criterion's verdict
(:mod:`kurilsim.forms.bayesian.perfect_bayesian`); a simultaneous game for its Bayesian Nash
equilibria through the agent form (:mod:`kurilsim.forms.bayesian.bayesian_nash`).

Examples
--------
>>> from kurilsim import load_scenario
>>> scenario = load_scenario("scenarios/reassurance_2016.yaml")
>>> scenario.form.name, scenario.players
('bayesian', ('Japan', 'Russia'))
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.concepts import ConceptPanel
from kurilsim.core.display import html_table
from kurilsim.core.errors import InputError
from kurilsim.core.parameters import resolve
from kurilsim.core.scenario import Scenario
from kurilsim.core.sweep_rows import SweepRows, rows_by_point
from kurilsim.core.tolerance import DEFAULT_TOL, check_tolerance
from kurilsim.forms.bayesian.assessment import ZERO_MASS
from kurilsim.forms.bayesian.bayesian_nash import agent_form
from kurilsim.forms.bayesian.concepts import (
    chance_of_deal,
    deal_array,
    deal_text,
    panel,
    recorded_probability,
)
from kurilsim.forms.bayesian.game import BayesianGame, SignallingGame
from kurilsim.forms.bayesian.result import BayesianSolution, SignallingSolution
from kurilsim.forms.bayesian.scenario import (
    BayesianScenarioFile,
    CompiledBayesian,
    build_game,
    compile_bayesian,
    evaluate_leaves,
    moves_by_player,
)
from kurilsim.forms.bayesian.solve import METHODS, solve_game
from kurilsim.forms.normal.game import NormalFormGame

FloatArray = NDArray[np.float64]

#: Bytes one point of a sweep needs while it is solved (a generous bound for small games).
BYTES_PER_POINT = 1 << 20


class BayesianForm:
    """Games of incomplete information; see the module docstring."""

    name = "bayesian"
    description = "game of incomplete information"
    file_model = BayesianScenarioFile
    game_types = (SignallingGame, BayesianGame)
    methods = METHODS
    vectorised: frozenset[str] = frozenset()
    compare_options: frozenset[str] = frozenset()

    def compile(self, spec: BayesianScenarioFile, source: str) -> CompiledBayesian:
        """Compile the file; one whose priors or payoffs fail at its defaults is refused."""
        compiled = compile_bayesian(spec)
        build_game(compiled, resolve(spec.parameters), spec.title)
        return compiled

    def players(self, scenario: Scenario) -> tuple[str, ...]:
        """The players (sender first in a signalling game)."""
        players: tuple[str, ...] = scenario.compiled.players
        return players

    def strategies(self, scenario: Scenario) -> tuple[tuple[str, ...], ...]:
        """Each player's moves by name (messages and final actions, responses, actions)."""
        moves = moves_by_player(scenario.compiled)
        return tuple(moves[p] for p in self.players(scenario))

    def game(
        self, scenario: Scenario, values: Mapping[str, Any], **options: Any
    ) -> SignallingGame | BayesianGame:
        """The game at ``values``."""
        if options:
            raise InputError(f"a {self.description} takes no option {', '.join(sorted(options))}")
        return build_game(scenario.compiled, values, scenario.title)

    def payoffs(self, scenario: Scenario, values: Mapping[str, Any]) -> FloatArray:
        """Payoffs at every end of play, over the axes of types and moves (a batch adds one)."""
        arrays = {k: np.atleast_1d(v) for k, v in values.items() if np.ndim(v) == 1}
        if not arrays:
            payoffs, _ = evaluate_leaves(scenario.compiled, values)
            return payoffs
        size = len(next(iter(arrays.values())))
        return np.stack(
            [
                evaluate_leaves(
                    scenario.compiled,
                    {k: (float(arrays[k][g]) if k in arrays else v) for k, v in values.items()},
                )[0]
                for g in range(size)
            ]
        )

    def normal_form(self, scenario: Scenario, values: Mapping[str, Any]) -> NormalFormGame:
        """A simultaneous game's agent form (each type a player); refused for signalling."""
        game = self.game(scenario, values)
        if isinstance(game, SignallingGame):
            raise InputError(
                "a signalling game is solved for its perfect Bayesian equilibria; it has no "
                "normal form here"
            )
        return agent_form(game)

    def solve(
        self,
        game: SignallingGame | BayesianGame,
        method: str,
        tol: float,
        parameters: Mapping[str, Any],
        **options: Any,
    ) -> SignallingSolution | BayesianSolution:
        """Perfect Bayesian or Bayesian Nash equilibria, every one verified."""
        return solve_game(game, method, tol, parameters, **options)

    def solve_scenario(
        self,
        scenario: Scenario,
        values: Mapping[str, Any],
        method: str,
        tol: float,
        **options: Any,
    ) -> SignallingSolution | BayesianSolution:
        """Solve the scenario's game at ``values``."""
        return solve_game(self.game(scenario, values), method, tol, values, **options)

    def compare(
        self,
        scenario: Scenario,
        values: Mapping[str, Any],
        deal: str | None,
        precision: float | None,
        tol: float,
        max_seconds: float | None,
    ) -> ConceptPanel:
        """Every equilibrium with its chance of a deal; the information problem behind a loss."""
        solution = self.solve_scenario(scenario, values, "auto", tol)
        return panel(solution, values, deal)

    def explain(self, scenario: Scenario) -> dict[str, dict[str, str]]:
        """Payoff and outcome expressions, and each player's prior over its types."""
        spec: BayesianScenarioFile = scenario.spec
        payoffs = {player: str(text) for player, text in spec.payoffs.items()}
        for player, types in spec.types.items():
            payoffs[f"prior of {player}'s types"] = "; ".join(
                f"{t}: {text}" for t, text in types.items()
            )
        outcomes = {
            name: f"{' '.join(o.description.split())} (= {o.value})"
            for name, o in spec.outcomes.items()
        }
        return {"payoffs": payoffs, "outcomes": outcomes}

    def describe(self, scenario: Scenario) -> tuple[str, str, str]:
        """Who has which types, and the moves."""
        compiled: CompiledBayesian = scenario.compiled
        spec: BayesianScenarioFile = scenario.spec
        typed = ", ".join(
            f"{p} ({', '.join(t)})"
            for p, t in zip(compiled.players, compiled.types, strict=True)
            if t != ("",)
        )
        summary = f"{spec.kind}, types of {typed}, {len(scenario.parameters)} parameters"
        rows = [
            [p, ", ".join(t for t in types if t), ", ".join(moves)]
            for p, types, moves in zip(
                compiled.players,
                compiled.types,
                self.strategies(scenario),
                strict=True,
            )
        ]
        table = html_table(["player", "types", "moves"], rows)
        return summary, f"{spec.kind} game of incomplete information", table

    def backtest_predictions(
        self, scenario: Scenario, values: Mapping[str, Any]
    ) -> tuple[tuple[str, bool], ...]:
        """Each equilibrium's label and whether the recorded play has positive probability in it.

        The recorded play is the ``history`` block's moves of each named player, all together.
        """
        solution = self.solve_scenario(scenario, values, "auto", DEFAULT_TOL)
        history = scenario.spec.history
        assert history is not None
        return tuple(
            (label, recorded_probability(solution, e, history.outcome) > ZERO_MASS)
            for label, e in zip(solution.labels(), solution.equilibria, strict=True)
        )

    def sweep_method(
        self, scenario: Scenario, method: str | None, tol: float, options: Mapping[str, Any]
    ) -> str:
        """The method for the scenario's kind; options are checked on the defaults."""
        check_tolerance(tol)
        chosen = method or "auto"
        self.solve_scenario(scenario, scenario.defaults(), chosen, tol, **options)
        return chosen

    def bytes_per_point(self, scenario: Scenario, method: str) -> int:
        """A generous bound: the games are small and solved one at a time."""
        return BYTES_PER_POINT

    def sweep_rows(
        self,
        scenario: Scenario,
        values: Mapping[str, Any],
        method: str,
        tol: float,
        options: Mapping[str, Any],
    ) -> SweepRows:
        """One row per equilibrium and point: its kind, play, verdict and outcome probabilities."""
        deal = deal_text(scenario.compiled.outcomes, None)

        def rows(solution: SignallingSolution | BayesianSolution) -> list[dict[str, Any]]:
            found: list[dict[str, Any]] = []
            deals = None if deal is None else deal_array(solution.game, deal)
            for e, record in zip(solution, solution.to_frame().to_dict("records"), strict=True):
                row = {str(k): v for k, v in record.items() if k != "equilibrium"}
                if deals is not None:
                    row["deal_probability"] = chance_of_deal(solution, e, deals)
                found.append(row)
            return found

        return rows_by_point(
            values, lambda at: self.solve_scenario(scenario, at, method, tol, **options), rows
        )


#: Games of incomplete information, as the registry holds them.
BAYESIAN_FORM = BayesianForm()
