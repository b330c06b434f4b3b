"""A new game form from the test suite alone: one registry entry, and every stage takes it.

The form is a two-player zero-sum matrix game whose entries are expressions over parameters, solved
by linear programming (von Neumann's minimax theorem). Nothing in the package knows it: it is
registered here, and ``run``, ``solve``, ``compare``, ``explain``, ``sweep``, ``tipping``, the
command line and the Jupyter display all go through the :class:`~kurilsim.core.scenario.GameForm`
and :class:`~kurilsim.core.result.Result` protocols.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
import pytest
from numpy.typing import NDArray
from pydantic import Field
from scipy.optimize import linprog

import kurilsim
from kurilsim.analysis.explain import explain
from kurilsim.analysis.tipping import tipping_points
from kurilsim.cli import main
from kurilsim.core.concepts import ConceptPanel, Prediction
from kurilsim.core.display import html_heading, html_table
from kurilsim.core.errors import InputError
from kurilsim.core.expr import Expression, parse_expression
from kurilsim.core.parameters import resolve
from kurilsim.core.result import Result
from kurilsim.core.rules import SemanticError
from kurilsim.core.scenario import GameForm, Scenario
from kurilsim.core.schema import Identifier, ScenarioHeader
from kurilsim.core.sweep_rows import SweepRows, rows_by_point
from kurilsim.core.tolerance import check_tolerance
from kurilsim.forms import registry
from kurilsim.forms.normal.game import NormalFormGame

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class MatrixGame:
    """A zero-sum game: ``payoffs[i, j]`` is what the column player pays the row player."""

    players: tuple[str, str]
    strategies: tuple[tuple[str, ...], tuple[str, ...]]
    payoffs: FloatArray
    title: str = ""


@dataclass(frozen=True, eq=False)
class MinimaxSolution:
    """The value of a zero-sum game and a maximin strategy for each side."""

    game: MatrixGame
    value: float
    profile: tuple[FloatArray, FloatArray]
    tol: float
    method: str = "linear-programming"
    options: Mapping[str, Any] = field(default_factory=dict)
    parameters: Mapping[str, float] = field(default_factory=dict)
    incomplete_reason: str | None = None  # an exact linear program: always complete

    @property
    def complete(self) -> bool:
        return self.incomplete_reason is None

    def label(self) -> str:
        """The pair of strategies each side plays most."""
        return ", ".join(
            f"{p}: {names[int(np.argmax(x))]}"
            for p, names, x in zip(
                self.game.players, self.game.strategies, self.profile, strict=True
            )
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "value": self.value,
            "profile": {
                p: dict(zip(names, map(float, x), strict=True))
                for p, names, x in zip(
                    self.game.players, self.game.strategies, self.profile, strict=True
                )
            },
            "parameters": dict(self.parameters),
        }

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"value": self.value, "label": self.label()}])

    def to_text(self) -> str:
        return f"{self.game.title}: value {self.value:.6g}; {self.label()}"

    def _repr_html_(self) -> str:
        return html_heading(self.game.title, f"value {self.value:.6g}") + html_table(
            ["label"], [[self.label()]]
        )


def maximin(payoffs: FloatArray) -> tuple[float, FloatArray]:
    """The row player's maximin mixture and the game's value, by linear programming."""
    rows, columns = payoffs.shape
    # Variables (x_1..x_m, v): maximise v subject to x^T A >= v for every column, x in the simplex.
    cost = np.zeros(rows + 1)
    cost[-1] = -1.0
    bound = np.hstack([-payoffs.T, np.ones((columns, 1))])
    simplex = np.hstack([np.ones((1, rows)), np.zeros((1, 1))])
    found = linprog(
        cost,
        A_ub=bound,
        b_ub=np.zeros(columns),
        A_eq=simplex,
        b_eq=[1.0],
        bounds=[(0, None)] * rows + [(None, None)],
    )
    assert found.status == 0, found.message
    mix = np.clip(found.x[:rows], 0, None)
    return float(found.x[-1]), mix / mix.sum()


class ZeroSumFile(ScenarioHeader):
    """A zero-sum matrix game whose entries are expressions over parameters."""

    form: Literal["zero-sum"] = Field(description="The game form.")
    row: Identifier
    column: Identifier
    rows: Annotated[list[Identifier], Field(min_length=1)]
    columns: Annotated[list[Identifier], Field(min_length=1)]
    matrix: list[list[str | float]] = Field(description="What the column player pays the row one.")


class ZeroSumForm:
    """Two-player zero-sum matrix games, solved by linear programming."""

    name = "zero-sum"
    description = "zero-sum matrix game"
    file_model = ZeroSumFile
    game_types = (MatrixGame,)
    methods = ("auto", "linear-programming")
    vectorised: frozenset[str] = frozenset()
    compare_options: frozenset[str] = frozenset()

    def compile(self, spec: ZeroSumFile, source: str) -> tuple[tuple[Expression, ...], ...]:
        if len(spec.matrix) != len(spec.rows) or any(
            len(row) != len(spec.columns) for row in spec.matrix
        ):
            raise SemanticError("expected one entry per row and column", ("matrix",))
        compiled = tuple(
            tuple(parse_expression(str(entry)) for entry in row) for row in spec.matrix
        )
        self._evaluate(compiled, resolve(spec.parameters))
        return compiled

    @staticmethod
    def _evaluate(compiled: Any, values: Mapping[str, Any]) -> FloatArray:
        return np.array(
            [[np.broadcast_to(e.evaluate(values), ()) for e in row] for row in compiled], float
        )

    def players(self, scenario: Scenario) -> tuple[str, ...]:
        return (scenario.spec.row, scenario.spec.column)

    def strategies(self, scenario: Scenario) -> tuple[tuple[str, ...], ...]:
        return (tuple(scenario.spec.rows), tuple(scenario.spec.columns))

    def game(self, scenario: Scenario, values: Mapping[str, Any], **options: Any) -> MatrixGame:
        row, column = self.strategies(scenario)
        payoffs = self._evaluate(scenario.compiled, values)
        return MatrixGame(
            (scenario.spec.row, scenario.spec.column), (row, column), payoffs, scenario.title
        )

    def payoffs(self, scenario: Scenario, values: Mapping[str, Any]) -> FloatArray:
        matrix = self.game(scenario, values).payoffs
        return np.stack([matrix, -matrix], axis=-1)

    def normal_form(self, scenario: Scenario, values: Mapping[str, Any]) -> NormalFormGame:
        return NormalFormGame(
            self.players(scenario),
            self.strategies(scenario),
            self.payoffs(scenario, values),
            title=scenario.title,
        )

    def solve(
        self,
        game: MatrixGame,
        method: str,
        tol: float,
        parameters: Mapping[str, Any],
        **options: Any,
    ) -> MinimaxSolution:
        check_tolerance(tol)
        if method not in self.methods:
            raise InputError(
                f"unknown method {method!r}; expected one of {', '.join(self.methods)}"
            )
        value, rows = maximin(game.payoffs)
        minus, columns = maximin(-game.payoffs.T)
        assert abs(value + minus) <= 1e-7 * (1 + abs(value))  # the minimax theorem
        return MinimaxSolution(game, value, (rows, columns), tol, parameters=parameters)

    def solve_scenario(
        self, scenario: Scenario, values: Mapping[str, Any], method: str, tol: float, **options: Any
    ) -> MinimaxSolution:
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
        solution = self.solve_scenario(scenario, values, "auto", tol)
        prediction = Prediction("minimax", solution.label(), note=f"value {solution.value:.3g}")
        return ConceptPanel((prediction,), deal)

    def explain(self, scenario: Scenario) -> dict[str, dict[str, str]]:
        entries = sum(len(row) for row in scenario.spec.matrix)
        return {"payoffs": {scenario.spec.row: f"a matrix of {entries} entries"}}

    def describe(self, scenario: Scenario) -> tuple[str, str, str]:
        rows, columns = self.strategies(scenario)
        table = html_table(
            ["", *columns],
            [[r, *map(str, m)] for r, m in zip(rows, scenario.spec.matrix, strict=True)],
        )
        return f"{len(rows)} x {len(columns)} zero-sum", "a zero-sum matrix game", table

    def sweep_method(
        self, scenario: Scenario, method: str | None, tol: float, options: Mapping[str, Any]
    ) -> str:
        check_tolerance(tol)
        return "linear-programming"

    def bytes_per_point(self, scenario: Scenario, method: str) -> int:
        return 1024

    def sweep_rows(
        self,
        scenario: Scenario,
        values: Mapping[str, Any],
        method: str,
        tol: float,
        options: Mapping[str, Any],
    ) -> SweepRows:
        return rows_by_point(
            values,
            lambda at: self.solve_scenario(scenario, at, method, tol),
            lambda solution: [{"value": solution.value, "label": solution.label()}],
        )


ZERO_SUM = ZeroSumForm()

#: Matching pennies with a stake: the row player wins ``stake`` on a match and pays 1 otherwise.
PENNIES = """
kurilsim: 1
form: zero-sum
title: Pennies for a stake
parameters:
  stake: {default: 1, range: [0.5, 3], unit: coins, description: what a match wins,
          assumption: textbook}
row: Matcher
column: Mismatcher
rows: [heads, tails]
columns: [heads, tails]
matrix:
  - [stake, -1]
  - [-1, stake]
"""


@pytest.fixture
def pennies(tmp_path, monkeypatch):
    """The zero-sum form registered for this test only, and a scenario file of it."""
    monkeypatch.setitem(registry.FORMS, ZERO_SUM.name, ZERO_SUM)
    path = tmp_path / "pennies.yaml"
    path.write_text(PENNIES)
    return path


def test_the_toy_form_satisfies_both_protocols(pennies):
    assert isinstance(ZERO_SUM, GameForm)
    assert isinstance(kurilsim.run(pennies), Result)


@pytest.mark.parametrize("stake", [0.5, 1.0, 3.0])
def test_run_solves_it_and_the_answer_is_the_known_value(pennies, stake):
    solution = kurilsim.run(pennies, {"stake": stake})
    # Matching pennies with a stake s: each side mixes half and half; the value is (s - 1) / 2.
    assert solution.value == pytest.approx((stake - 1) / 2, abs=1e-9)
    for mix in solution.profile:
        assert mix == pytest.approx([0.5, 0.5], abs=1e-9)
    # Verified apart from how it was found: no pure reply does better than the value.
    rows, columns = solution.profile
    matrix = solution.game.payoffs
    assert (rows @ matrix).min() >= solution.value - 1e-9
    assert (matrix @ columns).max() <= solution.value + 1e-9


def test_solve_dispatches_on_the_new_game_type(pennies):
    game = kurilsim.load_scenario(pennies).game()
    assert kurilsim.solve(game).value == pytest.approx(0.0, abs=1e-9)


def test_the_command_line_runs_it(pennies, capsys):
    assert main(["run", str(pennies), "--format", "json", "--set", "stake=3"]) == 0
    assert json.loads(capsys.readouterr().out)["value"] == pytest.approx(1.0)


def test_compare_and_explain_take_it(pennies, capsys):
    scenario = kurilsim.load_scenario(pennies)
    comparison = kurilsim.compare(scenario)
    assert comparison.form == "zero-sum"
    assert comparison.concepts() == ("minimax",)
    assert "No deal condition" in comparison.verdict
    assert explain(scenario).to_dict()["payoffs"] == {"Matcher": "a matrix of 4 entries"}
    assert main(["compare", str(pennies)]) == 0
    assert main(["explain", str(pennies)]) == 0
    assert "stake" in capsys.readouterr().out


def test_its_normal_form_is_the_two_player_game_and_the_logit_qre_takes_it(pennies, capsys):
    scenario = kurilsim.load_scenario(pennies)
    normal = scenario.form.normal_form(scenario, scenario.parameter_values({"stake": 3}))
    assert normal.payoffs[..., 0].tolist() == [[3.0, -1.0], [-1.0, 3.0]]
    assert normal.payoffs[..., 1].tolist() == (-normal.payoffs[..., 0]).tolist()
    assert main(["qre", str(pennies), "--format", "json", "--set", "stake=3"]) == 0
    limit = json.loads(capsys.readouterr().out)["limit"]
    # Matching pennies with a stake: both sides mix half and half at every precision.
    for mix in limit["equilibria"][0]["profile"].values():
        assert list(mix.values()) == pytest.approx([0.5, 0.5], abs=1e-6)


def test_sweep_and_tipping_take_it(pennies):
    result = kurilsim.sweep(kurilsim.load_scenario(pennies), {"stake": (0.5, 3, 6)}, workers=1)
    table = result.to_frame()
    assert table["value"].to_numpy() == pytest.approx((table["param.stake"] - 1) / 2)
    tipping = tipping_points(kurilsim.load_scenario(pennies), resolution=11)
    assert tipping.baseline == "Matcher: heads, Mismatcher: heads"


def test_the_jupyter_display_shows_it(pennies):
    scenario = kurilsim.load_scenario(pennies)
    html = scenario._repr_html_()
    assert "Pennies for a stake" in html and "a zero-sum matrix game" in html and "stake" in html
    assert "value" in scenario.solve()._repr_html_()
    assert repr(scenario) == "<Scenario 'Pennies for a stake' (zero-sum): 2 x 2 zero-sum>"


def test_a_file_of_an_unregistered_form_is_refused_in_one_line(tmp_path):
    path = tmp_path / "pennies.yaml"
    path.write_text(PENNIES)
    with pytest.raises(InputError, match="unknown game form 'zero-sum'"):
        kurilsim.load_scenario(path)
