"""Bargaining as a game form: two governments, named deals, ratifiers at home.

A file with ``form: bargaining`` names two players, the deals on the table (with continuous terms
such as a package size on a grid), each side's utility, what failed talks leave, discount factors,
and the ratifiers each deal must pass. Its game is a
:class:`~kurilsim.forms.bargaining.game.BargainingProblem`, solved by the Nash,
Kalai-Smorodinsky and Rubinstein solutions with and without ratification.

Examples
--------
>>> from kurilsim import load_scenario
>>> scenario = load_scenario("scenarios/bargaining_2016.yaml")
>>> scenario.players
('Japan', 'Russia')
>>> [c.concept for c in scenario.solve()]
['nash', 'kalai-smorodinsky', 'rubinstein']
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
from kurilsim.core.scenario import DESCRIPTION_SHOWN, Scenario
from kurilsim.core.sweep_rows import SweepRows, rows_by_point
from kurilsim.core.text import shortened
from kurilsim.core.tolerance import check_tolerance
from kurilsim.forms.bargaining.concepts import BARGAINING_NAMES, bargaining_panel, deal_kind
from kurilsim.forms.bargaining.game import BargainingProblem
from kurilsim.forms.bargaining.ratification import RATIFICATION_MODES
from kurilsim.forms.bargaining.result import BargainingSolution
from kurilsim.forms.bargaining.scenario import (
    SOLVE_OPTIONS,
    BargainingScenarioFile,
    CompiledBargaining,
    bargaining_problem,
    compile_bargaining,
)
from kurilsim.forms.bargaining.solve import CONCEPTS, solve_bargaining
from kurilsim.forms.normal.game import NormalFormGame


class BargainingForm:
    """Two-player bargaining with two-level ratification; see the module docstring."""

    name = "bargaining"
    description = "bargaining problem"
    file_model = BargainingScenarioFile
    game_types = (BargainingProblem,)
    methods = ("auto", *CONCEPTS)
    vectorised: frozenset[str] = frozenset()
    compare_options: frozenset[str] = frozenset()

    def compile(self, spec: BargainingScenarioFile, source: str) -> CompiledBargaining:
        """Compile the deals and utilities; values out of their intervals at the defaults fail."""
        compiled = compile_bargaining(spec)
        bargaining_problem(compiled, resolve(spec.parameters), spec.title)
        return compiled

    def players(self, scenario: Scenario) -> tuple[str, ...]:
        """The two players, in order."""
        players: tuple[str, str] = scenario.compiled.players
        return players

    def strategies(self, scenario: Scenario) -> tuple[tuple[str, ...], ...]:
        """No strategies: the players bargain over deals."""
        return tuple(() for _ in self.players(scenario))

    def game(
        self, scenario: Scenario, values: Mapping[str, Any], **options: Any
    ) -> BargainingProblem:
        """The bargaining problem at ``values``; option ``points`` overrides every grid."""
        points = options.get("points")
        return bargaining_problem(scenario.compiled, values, scenario.title, points)

    def payoffs(self, scenario: Scenario, values: Mapping[str, Any]) -> NDArray[np.float64]:
        """Refused: a bargaining problem has utilities over deals, not a payoff array."""
        raise InputError(
            "a bargaining scenario has no payoff array; its game (.game()) holds the "
            "utilities of every deal"
        )

    def normal_form(self, scenario: Scenario, values: Mapping[str, Any]) -> NormalFormGame:
        """Refused: a bargaining problem is not a game in strategies."""
        raise InputError("a bargaining problem has no normal form: it is not a game in strategies")

    def solve(
        self,
        game: BargainingProblem,
        method: str,
        tol: float,
        parameters: Mapping[str, Any],
        **options: Any,
    ) -> BargainingSolution:
        """The bargaining solutions; see :func:`kurilsim.solve_bargaining`."""
        return solve_bargaining(game, method, tol, parameters=parameters, **options)

    def solve_scenario(
        self,
        scenario: Scenario,
        values: Mapping[str, Any],
        method: str,
        tol: float,
        **options: Any,
    ) -> BargainingSolution:
        """Solve the problem at ``values`` with the lotteries and ratification the file sets.

        ``lotteries`` (bool) and ``ratification`` (``"win-set"``, ``"probability"``, ``"none"``)
        override the file's ``lotteries`` and ``ratification_mode``; ``points`` sets the grid of
        every continuous variable.

        Raises
        ------
        InputError
            For an unknown method or option, or a refused parameter value.
        """
        _check_options(options)
        spec: BargainingScenarioFile = scenario.spec
        lotteries = options.get("lotteries", spec.lotteries)
        ratification = options.get("ratification", spec.ratification_mode)
        points = options.get("points")
        if not isinstance(lotteries, bool):
            raise InputError(f"option lotteries: expected true or false, got {lotteries!r}")
        if ratification not in RATIFICATION_MODES:
            raise InputError(
                f"option ratification: expected one of {', '.join(RATIFICATION_MODES)}, "
                f"got {ratification!r}"
            )
        if points is not None and (
            isinstance(points, bool) or not isinstance(points, int) or points < 2
        ):
            raise InputError(
                f"option points: expected a whole number of at least 2, got {points!r}"
            )
        for name, value in values.items():
            if np.ndim(value) != 0:
                raise InputError(f"parameter {name!r}: expected a single number for one problem")
        return solve_bargaining(
            self.game(scenario, values, points=points),
            method,
            tol,
            lotteries=lotteries,
            ratification=ratification,
            parameters=values,
        )

    def compare(
        self,
        scenario: Scenario,
        values: Mapping[str, Any],
        deal: str | None,
        precision: float | None,
        tol: float,
        max_seconds: float | None,
    ) -> ConceptPanel:
        """The three solutions under ratification, and without it for contrast."""
        return bargaining_panel(self.solve_scenario(scenario, values, "auto", tol), deal)

    def explain(self, scenario: Scenario) -> dict[str, dict[str, str]]:
        """Utilities, what failed talks leave, ratification rules, and the deals."""
        spec: BargainingScenarioFile = scenario.spec
        texts = {player: " ".join(str(u).split()) for player, u in spec.utilities.items()}
        texts |= {f"{player} if talks fail": str(d) for player, d in spec.disagreement.items()}
        for name, ratifier in spec.ratification.items():
            texts[f"ratification by {name}"] = (
                f"passes if {' '.join(str(ratifier.approval).split())} >= {ratifier.threshold}"
            )
        deals = {name: " ".join(deal.description.split()) for name, deal in spec.deals.items()}
        return {"payoffs": texts, "deals": deals}

    def describe(self, scenario: Scenario) -> tuple[str, str, str]:
        """The deals and the ratifiers."""
        spec: BargainingScenarioFile = scenario.spec
        players = " and ".join(self.players(scenario))
        summary = (
            f"{players}, {len(scenario.compiled.deals)} deals, "
            f"{len(scenario.parameters)} parameters"
        )
        deals = html_table(
            ["deal", "description", "sets"],
            [
                [
                    name,
                    " ".join(deal.description.split()),
                    ", ".join(f"{k} = {v}" for k, v in deal.values.items()),
                ]
                for name, deal in spec.deals.items()
            ],
        )
        ratifiers = html_table(
            ["ratifier", "threshold", "who"],
            [
                [name, str(r.threshold), " ".join(r.description.split())]
                for name, r in spec.ratification.items()
            ],
            caption=f"ratification: {spec.ratification_mode}",
        )
        return (
            summary,
            f"{players} bargain: {shortened(scenario.description, DESCRIPTION_SHOWN)}",
            deals + ratifiers,
        )

    def sweep_method(
        self, scenario: Scenario, method: str | None, tol: float, options: Mapping[str, Any]
    ) -> str:
        """Any concept, or ``"auto"`` for all three; options as :meth:`solve_scenario` takes."""
        check_tolerance(tol)
        name = "auto" if method is None else method
        if name not in self.methods:
            raise InputError(
                f"unknown method {method!r} for a bargaining scenario; expected one of "
                f"{', '.join(self.methods)}"
            )
        _check_options(options)
        return name

    def bytes_per_point(self, scenario: Scenario, method: str) -> int:
        """The utilities of every deal, a few times over."""
        return 64 * (len(scenario.compiled.deals) + 16) * 8

    def sweep_rows(
        self,
        scenario: Scenario,
        values: Mapping[str, Any],
        method: str,
        tol: float,
        options: Mapping[str, Any],
    ) -> SweepRows:
        """One row per concept at each point: the deal it predicts and both utilities."""
        players = self.players(scenario)

        def rows_of(solution: BargainingSolution) -> list[dict[str, Any]]:
            return [
                {
                    "concept": BARGAINING_NAMES[c.concept],
                    **{
                        f"payoff.{p}": float(u)
                        for p, u in zip(players, c.outcome.utilities, strict=True)
                    },
                    "label": deal_kind(c.outcome),
                }
                for c in solution
            ]

        return rows_by_point(
            values,
            lambda at: self.solve_scenario(scenario, at, method, tol, **options),
            rows_of,
        )


def _check_options(options: Mapping[str, Any]) -> None:
    """Refuse an option the bargaining form does not take, listing those it does."""
    unknown = sorted(set(options).difference(SOLVE_OPTIONS))
    if unknown:
        raise InputError(
            f"bargaining scenarios have no option {', '.join(unknown)}; options: "
            f"{', '.join(SOLVE_OPTIONS)}"
        )


#: Bargaining, as the registry holds it.
BARGAINING_FORM = BargainingForm()
