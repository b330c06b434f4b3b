"""Dynamic games with state as a game form (``form: dynamic``).

A scenario (:mod:`~kurilsim.forms.dynamic.scenario`) becomes a
:class:`~kurilsim.forms.dynamic.game.DynamicGame` at any parameter values, solved for a Markov
perfect equilibrium by backward induction (finite horizon) or value iteration (infinite
horizon), followed from the initial state, and checked by the one-shot deviation principle.

Examples
--------
>>> from kurilsim import load_scenario
>>> scenario = load_scenario("scenarios/commitment_treaty.yaml")
>>> scenario.form.name
'dynamic'
>>> solution = scenario.solve()
>>> solution.method, solution.complete
('backward-induction', True)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydantic import ValidationError

from kurilsim.core.concepts import ConceptPanel, Prediction, probability
from kurilsim.core.display import html_table, recorded_text
from kurilsim.core.errors import InputError, suggesting_only
from kurilsim.core.parameters import resolve
from kurilsim.core.rules import SemanticError
from kurilsim.core.scenario import Scenario
from kurilsim.core.sweep_rows import SweepRows, reason_column
from kurilsim.core.text import number
from kurilsim.core.tolerance import check_tolerance
from kurilsim.forms.dynamic.blockers import MAX_PLANS, nearest_deal
from kurilsim.forms.dynamic.enumeration import enumerate_markov_perfect
from kurilsim.forms.dynamic.game import DynamicGame, build_game
from kurilsim.forms.dynamic.markov_perfect import (
    MarkovStrategy,
    backward_induction,
    payoff_scale,
    value_iteration,
)
from kurilsim.forms.dynamic.path import equilibrium_path
from kurilsim.forms.dynamic.result import DynamicEquilibria, DynamicSolution, check_reason
from kurilsim.forms.dynamic.scenario import (
    CompiledDynamic,
    DynamicFile,
    SolutionSpec,
    compile_dynamic,
)
from kurilsim.forms.normal.labels import OutcomeLabels
from kurilsim.io.sources import read_source
from kurilsim.io.yaml_source import read_yaml

FloatArray = NDArray[np.float64]

#: What a dynamic scenario's deal is, in the concept panel.
DEAL_NAME = "a deal as the stages declare it"

#: The options ``solve`` takes, besides the method.
OPTIONS = ("selection", "max_equilibria", "value_tol", "max_iterations", "rounds_shown")


class DynamicForm:
    """Dynamic games with state; see the module docstring."""

    name = "dynamic"
    description = "dynamic game with state"
    file_model = DynamicFile
    game_types = (DynamicGame,)
    methods = ("auto", "backward-induction", "value-iteration")
    vectorised = frozenset({"backward-induction", "value-iteration"})
    compare_options: frozenset[str] = frozenset()

    def compile(self, spec: DynamicFile, source: str) -> CompiledDynamic:
        """Compile the stages, transitions and events; the file must evaluate at its defaults."""
        compiled = compile_dynamic(spec)
        build_game(compiled, resolve(spec.parameters), spec.title)
        return compiled

    def players(self, scenario: Scenario) -> tuple[str, ...]:
        """The players, in order."""
        players: tuple[str, ...] = scenario.compiled.players
        return players

    def strategies(self, scenario: Scenario) -> tuple[tuple[str, ...], ...]:
        """Each player's strategies over every stage, in the order they first appear."""
        stages = scenario.compiled.stages.values()
        return tuple(
            tuple(dict.fromkeys(s for stage in stages for s in stage.game.strategies[i]))
            for i in range(len(self.players(scenario)))
        )

    def game(self, scenario: Scenario, values: Mapping[str, Any], **options: Any) -> DynamicGame:
        """The dynamic game at ``values`` (numbers, or 1-D arrays for a batch)."""
        if options:
            raise InputError(f"a dynamic game takes no options; got {', '.join(options)}")
        try:
            return build_game(scenario.compiled, values, scenario.title)
        except SemanticError as exc:
            raise InputError(
                exc.reason, file=scenario.source, field=exc.field, line=_line(scenario, exc)
            ) from None

    def payoffs(self, scenario: Scenario, values: Mapping[str, Any]) -> FloatArray:
        """The first round's stage payoffs at every state: ``(S, n_1, ..., n_N, N)``.

        Over a batch of ``G`` points, ``(G, S, n_1, ..., n_N, N)``.
        """
        game = self.game(scenario, values)
        payoffs = game.stages[game.schedule[0]].payoffs
        batched = any(np.ndim(v) == 1 for v in values.values())
        return payoffs if batched else payoffs[0]

    def normal_form(self, scenario: Scenario, values: Mapping[str, Any]) -> Any:
        """A dynamic game has no single normal form: an error saying so."""
        raise InputError(
            "a dynamic game with state has a stage game per round and state, not one normal "
            "form; solve it with 'kurilsim run'",
            file=scenario.source,
        )

    def solve(
        self,
        game: DynamicGame,
        method: str,
        tol: float,
        parameters: Mapping[str, Any],
        **options: Any,
    ) -> DynamicSolution | DynamicEquilibria:
        """A Markov perfect equilibrium, its path, and the one-shot deviation check.

        With ``selection="all"`` (finite horizon only), every Markov perfect equilibrium up to
        ``max_equilibria``, each with its path and its check. An option that would change
        nothing here is refused, as :meth:`solve_scenario` refuses it.
        """
        return self._solve(game, method, tol, parameters, options, given=options)

    def _solve(
        self,
        game: DynamicGame,
        method: str,
        tol: float,
        parameters: Mapping[str, Any],
        options: Mapping[str, Any],
        given: Mapping[str, Any],
    ) -> DynamicSolution | DynamicEquilibria:
        """Solve under ``options``; those of them ``given`` by the caller must change something."""
        check_tolerance(tol)
        name = self._method(game, method)
        unknown = sorted(set(options).difference(OPTIONS))
        if unknown:
            raise InputError(f"unknown option {', '.join(unknown)}; options: {', '.join(OPTIONS)}")
        # A game given directly takes the defaults of a file's ``solution`` block.
        try:
            checked = SolutionSpec.model_validate(options)
        except ValidationError as exc:
            error = exc.errors()[0]
            raise InputError(error["msg"], field=str(error["loc"][0])) from None
        settings = checked.model_dump()
        _check_effective(given, settings["selection"], game.infinite)
        with suggesting_only(self.methods):  # a stage game too large names no method of this form
            if settings["selection"] == "all":
                return _every_solution(game, name, tol, settings, parameters)
            strategy = _strategy(game, name, tol, settings)
            return _solution(game, strategy, name, tol, settings, parameters)

    def _method(self, game: DynamicGame, method: str) -> str:
        if method not in self.methods:
            raise InputError(
                f"unknown method {method!r}; expected one of {', '.join(self.methods)}"
            )
        fitting = "value-iteration" if game.infinite else "backward-induction"
        if method not in ("auto", fitting):
            horizon = "an infinite" if game.infinite else "a finite"
            raise InputError(f"{method} does not apply to {horizon} horizon; use {fitting}")
        return fitting

    def solve_scenario(
        self, scenario: Scenario, values: Mapping[str, Any], method: str, tol: float, **options: Any
    ) -> DynamicSolution | DynamicEquilibria:
        """Solve at ``values`` with the file's ``solution`` settings, ``options`` taking over."""
        spec: DynamicFile = scenario.spec
        settings = {**spec.solution.model_dump(), **options}
        return self._solve(self.game(scenario, values), method, tol, values, settings, options)

    def compare(
        self,
        scenario: Scenario,
        values: Mapping[str, Any],
        deal: str | None,
        precision: float | None,
        tol: float,
        max_seconds: float | None,
    ) -> ConceptPanel:
        """The Markov perfect equilibrium under each selection rule, and what blocks a deal.

        The deal is the one the stages declare (``deal:``); for a finite horizon, the nearest
        plan that makes one and who leaves it, round by round
        (:mod:`~kurilsim.forms.dynamic.blockers`).
        """
        if deal is not None:
            raise InputError(
                "a dynamic scenario's deal is declared by its stages ('deal:'); compare takes "
                "no deal condition",
                field="deal",
            )
        predictions = []
        solutions = []
        for rule in ("payoff-dominance", "risk-dominance"):
            solution = self.solve_scenario(scenario, values, "auto", tol, selection=rule)
            assert isinstance(solution, DynamicSolution)  # a rule gives one equilibrium
            solutions.append(solution)
            sequence = " -> ".join(outcome for outcome, _ in solution.outcomes())
            chance = probability(float(solution.path.deal_by[0, -1]))
            note = f"P(deal by the last round shown) {chance:.3g}"
            predictions.append(
                Prediction(f"Markov perfect ({rule})", sequence, deal=chance, note=note)
            )
        first = solutions[0]
        if first.game.infinite or first.path.deal_by[0, -1] >= 0.5:
            return ConceptPanel(tuple(predictions), DEAL_NAME)
        plan, whole = nearest_deal(first.game, first.strategy, first.round_names, tol)
        if plan is None:
            searched = (
                ""
                if whole
                else f"no plan among the {MAX_PLANS:,} nearest to equilibrium play makes a deal, "
                "and the search stops there (a plan that departs in more rounds may)"
            )
            return ConceptPanel(tuple(predictions), DEAL_NAME, reason=searched)
        nearest = plan.describe()
        if not whole:
            nearest += f" (the nearest among the {MAX_PLANS:,} plans tried)"
        reason = ""
        if plan.hold_up:
            both = ", ".join(
                f"{p} {number(plan.values[p], 3)} against {number(plan.equilibrium_values[p], 3)}"
                for p in plan.values
            )
            last = plan.blockers[-1]
            reason = (
                f"hold-up: every player values the deal plan ({plan.describe()}) above "
                f"equilibrium play ({both}), but looking ahead {last.describe()}, and "
                "each earlier round unravels from it: "
                + "; ".join(b.describe() for b in plan.blockers[:-1])
            )
        return ConceptPanel(
            tuple(predictions), DEAL_NAME, nearest, plan.blockers, reason.rstrip(": ")
        )

    def explain(self, scenario: Scenario) -> dict[str, dict[str, str]]:
        """Stage payoffs, transitions and events, and the recorded outcome of each round."""
        spec: DynamicFile = scenario.spec
        payoffs = {
            f"{stage}.{player}": " ".join(str(text).split())
            for stage, s in spec.stages.items()
            for player, text in (s.payoffs or {}).items()
        }
        outcomes = {
            f"{stage} -> {variable}": " ".join(str(text).split())
            for stage, s in spec.stages.items()
            for variable, text in s.transitions.items()
        }
        outcomes.update(
            {
                f"event {name}": f"p = {e.probability}; "
                + ", ".join(f"{v} -> {t}" for v, t in e.effect.items())
                for name, e in spec.events.items()
            }
        )
        recorded = {
            player: "; ".join(
                f"{r.round}: {recorded_text(r.outcome[player])}"
                for r in spec.recorded
                if player in r.outcome
            )
            for player in spec.players
            if any(player in r.outcome for r in spec.recorded)
        }
        return {"payoffs": payoffs, "outcomes": outcomes, "recorded": recorded}

    def describe(self, scenario: Scenario) -> tuple[str, str, str]:
        """The players, the state grid, the horizon and the stages."""
        compiled: CompiledDynamic = scenario.compiled
        horizon = "infinite horizon" if compiled.infinite else f"{len(compiled.schedule)} rounds"
        summary = (
            f"{', '.join(compiled.players)}, {compiled.grid.size} states, {horizon}, "
            f"{len(compiled.stages)} stages"
        )
        rows = [
            [
                name,
                "; ".join(
                    f"{p}: {', '.join(s)}"
                    for p, s in zip(compiled.players, stage.game.strategies, strict=True)
                ),
                ", ".join(variable for variable, _, _ in stage.transitions) or "none",
            ]
            for name, stage in compiled.stages.items()
        ]
        state_rows = [
            [name, ", ".join(f"{x:g}" for x in levels)]
            for name, levels in zip(compiled.grid.names, compiled.grid.levels, strict=True)
        ]
        tables = html_table(["stage", "strategies", "moves"], rows) + html_table(
            ["state variable", "levels"], state_rows
        )
        return summary, f"a dynamic game with state ({horizon})", tables

    def sweep_method(
        self, scenario: Scenario, method: str | None, tol: float, options: Mapping[str, Any]
    ) -> str:
        """The method the horizon calls for; ``options`` are those of ``solve``."""
        check_tolerance(tol)
        unknown = sorted(set(options).difference(OPTIONS))
        if unknown:
            raise InputError(f"unknown option {', '.join(unknown)}; options: {', '.join(OPTIONS)}")
        fitting = "value-iteration" if scenario.compiled.infinite else "backward-induction"
        spec: DynamicFile = scenario.spec
        if options.get("selection", spec.solution.selection) == "all":
            raise InputError(
                "a sweep plays one equilibrium per point: give a selection rule "
                "(payoff-dominance, risk-dominance or logit-limit), not 'all'",
                file=scenario.source,
                field="selection",
            )
        if method not in (None, "auto", fitting):
            raise InputError(f"a sweep of this scenario runs {fitting}; got method {method!r}")
        selection = options.get("selection", spec.solution.selection)
        _check_effective(options, selection, scenario.compiled.infinite, scenario.source)
        return fitting

    def bytes_per_point(self, scenario: Scenario, method: str) -> int:
        """Payoffs, values and transitions of every stage at every state, with room to spare."""
        compiled: CompiledDynamic = scenario.compiled
        cells = sum(
            int(np.prod([len(s) for s in stage.game.strategies]))
            for stage in compiled.stages.values()
        )
        rounds = len(compiled.schedule) + 1
        return 64 * compiled.grid.size * (cells * (len(compiled.players) + 2) + rounds * 4)

    def sweep_rows(
        self,
        scenario: Scenario,
        values: Mapping[str, Any],
        method: str,
        tol: float,
        options: Mapping[str, Any],
    ) -> SweepRows:
        """Solve the whole batch on arrays; check each point by one-shot deviations."""
        spec: DynamicFile = scenario.spec
        settings = {**spec.solution.model_dump(), **options}
        game = self.game(scenario, values)
        strategy = _strategy(game, method, tol, settings)
        rounds = _rounds_shown(game, settings)
        path = equilibrium_path(game, strategy, rounds)
        names = _round_names(game, rounds)
        labels = _labels(game, rounds)
        threshold = _threshold(game, tol, settings)
        columns: dict[str, Any] = {"label": [], "regime": [], "complete": []}
        reasons: list[str | None] = []
        columns["incomplete_reason"] = reasons  # a column here, next to ``complete``, at the end
        for name in names:
            columns[f"outcome.{name}"] = []
        from kurilsim.forms.dynamic.one_shot_deviation import check_one_shot

        gains = check_one_shot(game, strategy.mixes).max_gains
        for point in range(game.batch):
            label = _deal_label(path.deal_by[point], names)
            columns["label"].append(label)
            columns["regime"].append(label)
            verified = bool(gains[point] <= threshold[point])
            columns["complete"].append(bool(strategy.converged[point] and verified))
            reasons.append(check_reason(bool(strategy.converged[point]), verified))
            for t, name in enumerate(names):
                flat = path.profiles[t][point].ravel()
                columns[f"outcome.{name}"].append(labels[t].pure(int(flat.argmax())))
        columns["incomplete_reason"] = reason_column(reasons)
        columns["equilibrium"] = np.ones(game.batch, dtype=np.int64)
        columns["deal_by_end"] = path.deal_by[:, -1]
        for t, name in enumerate(names):
            columns[f"deal_by.{name}"] = path.deal_by[:, t]
        return SweepRows(np.arange(game.batch, dtype=np.int64), columns)


def _strategy(
    game: DynamicGame, method: str, tol: float, settings: Mapping[str, Any]
) -> MarkovStrategy:
    rule = str(settings["selection"])
    if method == "value-iteration" or (method == "auto" and game.infinite):
        return value_iteration(
            game, rule, tol, float(settings["value_tol"]), int(settings["max_iterations"])
        )
    return backward_induction(game, rule, tol)


#: The options of value iteration, which only an infinite horizon is solved by and shows rounds of.
INFINITE_OPTIONS = ("value_tol", "max_iterations", "rounds_shown")


def _check_effective(
    options: Mapping[str, Any], selection: str, infinite: bool, source: str | None = None
) -> None:
    """Refuse an option given that would change nothing, naming it and why.

    ``max_equilibria`` bounds the listing of ``selection`` 'all', not the one equilibrium another
    rule plays; value iteration's options apply to an infinite horizon only. ``source`` is the
    scenario's file, where the caller does not name it.
    """
    if "max_equilibria" in options and selection != "all":
        raise InputError(
            f"bounds the listing of selection 'all'; selection {selection!r} plays one "
            "equilibrium, so there is nothing to bound",
            file=source,
            field="max_equilibria",
        )
    if not infinite:
        for name in INFINITE_OPTIONS:
            if name in options:
                raise InputError(
                    "applies to value iteration over an infinite horizon; this game's "
                    "horizon is finite, solved by backward induction",
                    file=source,
                    field=name,
                )


def _rounds_shown(game: DynamicGame, settings: Mapping[str, Any]) -> int:
    return int(settings["rounds_shown"]) if game.infinite else len(game.schedule)


def _round_names(game: DynamicGame, rounds: int) -> tuple[str, ...]:
    return game.round_names or tuple(str(t + 1) for t in range(rounds))


def _threshold(game: DynamicGame, tol: float, settings: Mapping[str, Any]) -> FloatArray:
    """The largest one-round gain accepted: tolerances times the payoff scale of the whole game."""
    scale = payoff_scale(game)
    if game.infinite:
        delta = game.discount.max(axis=-1)
        infinite: FloatArray = (tol + 2 * float(settings["value_tol"])) * scale / (1 - delta)
        return infinite
    finite: FloatArray = tol * scale * len(game.schedule)
    return finite


def _labels(game: DynamicGame, rounds: int) -> tuple[OutcomeLabels, ...]:
    """The names of each shown round's profiles, from its stage's declared labels."""
    stages = (game.schedule[0],) * rounds if game.infinite else game.schedule
    return tuple(
        OutcomeLabels(game.players, game.stages[s].strategies, game.stages[s].labels)
        for s in stages
    )


def _deal_label(deal_by: FloatArray, names: tuple[str, ...]) -> str:
    """``deal by <round>`` for the first round by which a deal is more likely than not."""
    reached = np.flatnonzero(deal_by > 0.5)
    return f"deal by {names[int(reached[0])]}" if reached.size else "no deal"


def _solution(
    game: DynamicGame,
    strategy: MarkovStrategy,
    method: str,
    tol: float,
    settings: Mapping[str, Any],
    parameters: Mapping[str, Any],
) -> DynamicSolution:
    # scipy's sparse solvers load when a game is solved, not when a file is read.
    from kurilsim.forms.dynamic.one_shot_deviation import check_one_shot

    rounds = _rounds_shown(game, settings)
    names = _round_names(game, rounds)
    labels = _labels(game, rounds)
    return DynamicSolution(
        game,
        labels,
        names,
        strategy,
        equilibrium_path(game, strategy, rounds),
        check_one_shot(game, strategy.mixes),
        float(_threshold(game, tol, settings)[0]),
        method,
        str(settings["selection"]),
        tol,
        {k: v for k, v in settings.items() if k != "selection"},
        {k: float(v) for k, v in parameters.items()},
    )


def _every_solution(
    game: DynamicGame,
    method: str,
    tol: float,
    settings: Mapping[str, Any],
    parameters: Mapping[str, Any],
) -> DynamicEquilibria:
    """Every Markov perfect equilibrium up to the bound, each followed and checked on its own."""
    found = enumerate_markov_perfect(game, tol, int(settings["max_equilibria"]))
    solutions = tuple(
        _solution(game, strategy, method, tol, settings, parameters)
        for strategy in found.strategies
    )
    return DynamicEquilibria(
        solutions,
        found,
        method,
        tol,
        {k: v for k, v in settings.items() if k != "selection"},
        {k: float(v) for k, v in parameters.items()},
    )


def _line(scenario: Scenario, exc: SemanticError) -> int | None:
    """The line of the field in the scenario's file, re-read, where the file can be read."""
    try:
        text, source = read_source(scenario.source, "path")
        return read_yaml(text, source).line_of(exc.path)
    except (InputError, OSError):
        return None


#: The dynamic form, as the registry holds it.
DYNAMIC_FORM = DynamicForm()
