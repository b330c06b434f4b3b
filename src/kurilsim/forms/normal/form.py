"""The normal form as a game form: players choose at once.

A scenario file without ``form:`` (or with ``form: normal``) names players and strategies, derives
outcome variables from the strategy profile by rules, and gives each player's payoff as an
expression (or an explicit payoff table). Its game is a
:class:`~kurilsim.forms.normal.game.NormalFormGame`, solved by the methods of
:data:`~kurilsim.forms.normal.solve.METHODS`.

Examples
--------
>>> from kurilsim import parse_scenario
>>> text = '''
... kurilsim: 1
... title: Stag hunt
... parameters:
...   stag: {default: 4, range: [2, 10], unit: meals, description: a stag,
...          assumption: textbook}
... players: {A: [stag, hare], B: [stag, hare]}
... outcomes:
...   caught:
...     description: meals for each hunter
...     rules:
...       - {when: {A: stag, B: stag}, value: stag}
...       - {when: {A: hare}, value: 1}
... payoffs: {A: caught, B: "caught * 1"}
... '''
>>> scenario = parse_scenario(text)
>>> scenario.form is NORMAL_FORM
True
>>> game = scenario.game({"stag": 5})
>>> game.payoffs[0, 0].tolist(), game.payoffs[1, 0].tolist()
([5.0, 5.0], [1.0, 1.0])
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.display import html_table
from kurilsim.core.errors import InputError
from kurilsim.core.parameters import resolve
from kurilsim.core.rules import CompiledScenario, compile_scenario
from kurilsim.core.scenario import Scenario
from kurilsim.core.schema import ScenarioFile
from kurilsim.core.sweep_rows import SweepRows
from kurilsim.forms.normal.game import NormalFormGame
from kurilsim.forms.normal.payoffs import payoff_tensor

if TYPE_CHECKING:
    from kurilsim.core.concepts import ConceptPanel
    from kurilsim.forms.normal.result import Solution

FloatArray = NDArray[np.float64]


class NormalForm:
    """Simultaneous-move games with N players; see the module docstring."""

    name = "normal"
    description = "normal-form game"
    file_model = ScenarioFile
    game_types = (NormalFormGame,)
    vectorised = frozenset({"pure"})
    compare_options: frozenset[str] = frozenset({"precision", "max_seconds"})

    # The solvers (and scipy) load when a game is solved, not when a file is read or validated.
    @property
    def methods(self) -> tuple[str, ...]:
        """``"auto"`` and every method of :data:`~kurilsim.forms.normal.solve.METHODS`."""
        from kurilsim.forms.normal.solve import METHODS

        return ("auto", *METHODS)

    def compile(self, spec: ScenarioFile, source: str) -> CompiledScenario:
        """Compile the rules and payoffs; a file whose payoffs fail at its defaults is refused."""
        compiled = compile_scenario(spec)
        payoff_tensor(compiled, resolve(spec.parameters), source)
        return compiled

    def players(self, scenario: Scenario) -> tuple[str, ...]:
        """The players, in order."""
        players: tuple[str, ...] = scenario.compiled.players
        return players

    def strategies(self, scenario: Scenario) -> tuple[tuple[str, ...], ...]:
        """Each player's strategy names."""
        strategies: tuple[tuple[str, ...], ...] = scenario.compiled.strategies
        return strategies

    def game(self, scenario: Scenario, values: Mapping[str, Any], **options: Any) -> NormalFormGame:
        """The normal-form game at ``values``."""
        return NormalFormGame(
            self.players(scenario),
            self.strategies(scenario),
            self.payoffs(scenario, values),
            title=scenario.title,
        )

    def payoffs(self, scenario: Scenario, values: Mapping[str, Any]) -> FloatArray:
        """The payoff tensor, ``(n_1, ..., n_N, N)`` or ``(G, n_1, ..., n_N, N)`` over a batch."""
        return payoff_tensor(scenario.compiled, values, scenario.source)

    def normal_form(self, scenario: Scenario, values: Mapping[str, Any]) -> NormalFormGame:
        """The game at ``values``: a normal-form game is its own normal form."""
        return self.game(scenario, values)

    def solve(
        self,
        game: NormalFormGame,
        method: str,
        tol: float,
        parameters: Mapping[str, Any],
        **options: Any,
    ) -> Solution:
        """Solve by ``method``; see :func:`kurilsim.forms.normal.solve.solve`."""
        from kurilsim.forms.normal.solve import solve

        return solve(game, method, tol, parameters=parameters, **options)

    def solve_scenario(
        self,
        scenario: Scenario,
        values: Mapping[str, Any],
        method: str,
        tol: float,
        **options: Any,
    ) -> Solution:
        """Solve the scenario's game at ``values``."""
        from kurilsim.forms.normal.solve import solve

        return solve(self.game(scenario, values), method, tol, parameters=values, **options)

    def compare(
        self,
        scenario: Scenario,
        values: Mapping[str, Any],
        deal: str | None,
        precision: float | None,
        tol: float,
        max_seconds: float | None,
    ) -> ConceptPanel:
        """Pure and mixed Nash, the logit QRE and its limit; the deal profile nearest to play."""
        from kurilsim.forms.normal.concepts import normal_form_panel

        return normal_form_panel(scenario, values, deal, precision, tol, max_seconds)

    def explain(self, scenario: Scenario) -> dict[str, dict[str, str]]:
        """Each player's payoff expression (or the payoff table) and the outcome variables."""
        spec: ScenarioFile = scenario.spec
        if spec.payoffs is not None:
            payoffs = {player: str(expression) for player, expression in spec.payoffs.items()}
        else:
            entries = len(spec.payoff_table or ())
            payoffs = {"(all players)": f"explicit payoff table with {entries} entries"}
        outcomes = {name: " ".join(o.description.split()) for name, o in spec.outcomes.items()}
        return {"payoffs": payoffs, "outcomes": outcomes}

    def describe(self, scenario: Scenario) -> tuple[str, str, str]:
        """Players and their strategies."""
        strategies = self.strategies(scenario)
        dims = " x ".join(str(len(s)) for s in strategies)
        summary = (
            f"{', '.join(self.players(scenario))} ({dims}), {len(scenario.parameters)} parameters"
        )
        table = html_table(
            ["player", "strategies"],
            [[p, ", ".join(s)] for p, s in zip(self.players(scenario), strategies, strict=True)],
        )
        return summary, "", table

    def sweep_method(
        self, scenario: Scenario, method: str | None, tol: float, options: Mapping[str, Any]
    ) -> str:
        """``"pure"`` unless another method is given; see :func:`.sweep.sweep_method`."""
        from kurilsim.forms.normal import sweep

        return sweep.sweep_method(scenario, method, tol, options)

    def bytes_per_point(self, scenario: Scenario, method: str) -> int:
        """See :func:`kurilsim.forms.normal.sweep.bytes_per_point`."""
        from kurilsim.forms.normal import sweep

        return sweep.bytes_per_point(scenario)

    def sweep_rows(
        self,
        scenario: Scenario,
        values: Mapping[str, Any],
        method: str,
        tol: float,
        options: Mapping[str, Any],
    ) -> SweepRows:
        """See :func:`kurilsim.forms.normal.sweep.sweep_rows`."""
        from kurilsim.forms.normal import sweep

        return sweep.sweep_rows(scenario, values, method, tol, options)


#: The normal form, as the registry holds it.
NORMAL_FORM = NormalForm()


def require_normal_form(scenario: Scenario, what: str) -> Scenario:
    """``scenario`` if it is a normal-form scenario; else an error saying ``what`` needs one.

    Examples
    --------
    >>> from kurilsim import load_scenario
    >>> require_normal_form(load_scenario("scenarios/sequence_1956.yaml"), "a backtest")
    Traceback (most recent call last):
    ...
    kurilsim.core.errors.InputError: scenarios/sequence_1956.yaml: a backtest needs a scenario in
    normal form; this one is a game tree (form: extensive)
    """
    if scenario.form is not NORMAL_FORM:
        raise InputError(
            f"{what} needs a scenario in normal form; this one is a {scenario.form.description} "
            f"(form: {scenario.form.name})",
            file=scenario.source,
        )
    return scenario
