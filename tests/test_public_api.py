"""Every public function checks its arguments: a wrong type is a TypeError, a wrong value an
InputError, and either message names the argument.

The table :data:`MISUSES` calls each public function with arguments of the wrong type or value;
:func:`test_every_public_function_is_in_the_table` keeps a new public function from skipping it.
"""

from __future__ import annotations

import importlib
import inspect
import io
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import kurilsim
import kurilsim.forms.information.game as info
from kurilsim.analysis import (
    backtest,
    calibration,
    comparison,
    explain,
    sensitivity,
    statements,
    tipping,
)
from kurilsim.core.errors import InputError
from kurilsim.forms import catalogue, registry
from kurilsim.forms.bayesian.game import BayesianGame, SignallingGame
from kurilsim.forms.conflict.game import Conflict
from kurilsim.forms.conflict.stability import gmr_stable, nash_stable, seq_stable, smr_stable
from kurilsim.forms.extensive import efg
from kurilsim.forms.extensive.game import Chance, Decision, Terminal
from kurilsim.forms.normal import nfg
from kurilsim.forms.registry import FORMS
from kurilsim.forms.repeated.game import RepeatedGame, check_discount
from kurilsim.io.sources import MAX_FILE_BYTES
from kurilsim.presentation import figures
from kurilsim.sweeps import read_sweep
from tests.helpers import SCENARIOS

#: Each stability concept's function.
STABILITY_FUNCTIONS = (nash_stable, gmr_stable, smr_stable, seq_stable)

HUNT = """
kurilsim: 1
title: Stag hunt
parameters:
  stag: {default: 4, range: [0, 10], unit: meals, description: a stag, assumption: example}
players: {A: [stag, hare], B: [stag, hare]}
outcomes:
  a: {description: A's catch, rules: [{when: {A: stag, B: stag}, value: stag},
                                      {when: {A: hare}, value: 1}]}
  b: {description: B's catch, rules: [{when: {A: stag, B: stag}, value: stag},
                                      {when: {B: hare}, value: 1}]}
payoffs: {A: a, B: b}
"""


@cache
def hunt() -> kurilsim.Scenario:
    return kurilsim.parse_scenario(HUNT)


def pennies() -> kurilsim.NormalFormGame:
    return catalogue.matching_pennies()


def tree() -> kurilsim.ExtensiveFormGame:
    return catalogue.entry_deterrence()


def problem() -> kurilsim.BargainingProblem:
    return kurilsim.BargainingProblem(["A", "B"], ["a", "b"], [[1, 0], [0, 1]], [0, 0])


def conflict() -> Conflict:
    return Conflict.from_options({"A": ["a_on"], "B": ["b_on"]}, {"A": ["a_on"], "B": ["b_on"]})


class Scratch:
    """A class no figure is registered for."""


def misuse(
    function: Callable[..., Any], call: Callable[[], object], error: type, argument: str, id: str
) -> Any:
    """One row: ``call()`` must raise ``error`` naming ``argument``."""
    return pytest.param(function, call, error, argument, id=f"{function.__qualname__}-{id}")


sweep, solve = kurilsim.sweep, kurilsim.solve

#: Misuses of every public function: (function, call, error, argument named in the message).
MISUSES = [
    # solve
    misuse(solve, lambda: solve(None), TypeError, "game", "none"),
    misuse(solve, lambda: solve("pd"), TypeError, "game", "text"),
    misuse(solve, lambda: solve(np.zeros((2, 2, 2))), TypeError, "game", "array"),
    misuse(solve, lambda: solve(pennies(), method=1), TypeError, "method", "method-int"),
    misuse(solve, lambda: solve(pennies(), tol="1"), TypeError, "tol", "tol-text"),
    misuse(solve, lambda: solve(pennies(), tol=0.5), InputError, "tol", "tol-large"),
    misuse(solve, lambda: solve(pennies(), parameters=[1]), TypeError, "parameters", "list"),
    misuse(
        solve,
        lambda: solve(pennies(), "support-enumeration", max_seconds="5"),
        TypeError,
        "max_seconds",
        "seconds-text",
    ),
    misuse(
        solve,
        lambda: solve(pennies(), "support-enumeration", max_seconds=-1),
        InputError,
        "max_seconds",
        "seconds-negative",
    ),
    misuse(
        solve,
        lambda: solve(pennies(), "lemke-howson", max_iter=1.5),
        TypeError,
        "max_iter",
        "iter-fraction",
    ),
    # learn
    misuse(kurilsim.learn, lambda: kurilsim.learn(None), TypeError, "game_or_scenario", "none"),
    misuse(kurilsim.learn, lambda: kurilsim.learn(pennies(), 3), TypeError, "dynamics", "int"),
    misuse(
        kurilsim.learn, lambda: kurilsim.learn(pennies(), "best"), InputError, "dynamics", "unknown"
    ),
    misuse(kurilsim.learn, lambda: kurilsim.learn(pennies(), start=5), TypeError, "start", "int"),
    misuse(
        kurilsim.learn,
        lambda: kurilsim.learn(pennies(), start={"Even": [0.5, 0.6]}),
        InputError,
        "start['Even']",
        "start-sum",
    ),
    misuse(kurilsim.learn, lambda: kurilsim.learn(pennies(), steps=0), InputError, "steps", "zero"),
    misuse(kurilsim.learn, lambda: kurilsim.learn(pennies(), seed=-1), InputError, "seed", "neg"),
    misuse(kurilsim.learn, lambda: kurilsim.learn(pennies(), tol=1.0), InputError, "tol", "tol"),
    misuse(
        kurilsim.learn,
        lambda: kurilsim.learn(pennies(), "logit", precision=0),
        InputError,
        "precision",
        "precision-zero",
    ),
    misuse(
        kurilsim.learn,
        lambda: kurilsim.learn(pennies(), "replicator", step_size="big"),
        TypeError,
        "step_size",
        "step-text",
    ),
    # run
    misuse(kurilsim.run, lambda: kurilsim.run(123), TypeError, "path", "int"),
    misuse(
        kurilsim.run,
        lambda: kurilsim.run(SCENARIOS / "sochi_2016.yaml", {"trust": "high"}),
        TypeError,
        "overrides['trust']",
        "override-text",
    ),
    # readers and writers
    misuse(kurilsim.load_scenario, lambda: kurilsim.load_scenario(123), TypeError, "path", "int"),
    misuse(
        kurilsim.load_scenario,
        lambda: kurilsim.load_scenario(io.BytesIO(b"kurilsim: 1")),
        TypeError,
        "path",
        "binary",
    ),
    misuse(
        kurilsim.parse_scenario,
        lambda: kurilsim.parse_scenario(b"kurilsim: 1"),
        TypeError,
        "text",
        "bytes",
    ),
    misuse(
        kurilsim.parse_scenario,
        lambda: kurilsim.parse_scenario(HUNT, source=1),
        TypeError,
        "source",
        "source-int",
    ),
    misuse(
        registry.scenario_problems,
        lambda: registry.scenario_problems(b"kurilsim: 1"),
        TypeError,
        "text",
        "bytes",
    ),
    misuse(
        registry.scenario_problems,
        lambda: registry.scenario_problems(HUNT, source=1),
        TypeError,
        "source",
        "source-int",
    ),
    misuse(
        registry.checked_scenario,
        lambda: registry.checked_scenario(b"kurilsim: 1"),
        TypeError,
        "text",
        "bytes",
    ),
    misuse(kurilsim.read_nfg, lambda: kurilsim.read_nfg(123), TypeError, "path", "int"),
    misuse(
        kurilsim.read_nfg,
        lambda: kurilsim.read_nfg(io.BytesIO(b"NFG")),
        TypeError,
        "path",
        "binary",
    ),
    misuse(kurilsim.read_efg, lambda: kurilsim.read_efg(None), TypeError, "path", "none"),
    misuse(
        kurilsim.read_efg,
        lambda: kurilsim.read_efg(io.BytesIO(b"EFG")),
        TypeError,
        "path",
        "binary",
    ),
    misuse(
        kurilsim.write_nfg, lambda: kurilsim.write_nfg(tree(), "x.nfg"), TypeError, "game", "tree"
    ),
    misuse(kurilsim.write_nfg, lambda: kurilsim.write_nfg(pennies(), 5), TypeError, "path", "int"),
    misuse(
        kurilsim.write_efg, lambda: kurilsim.write_efg(pennies(), "x.efg"), TypeError, "game", "nfg"
    ),
    misuse(kurilsim.write_efg, lambda: kurilsim.write_efg(tree(), 1.5), TypeError, "path", "float"),
    # sweep
    misuse(sweep, lambda: sweep(5, {"stag": (0, 10, 3)}), TypeError, "scenario", "int"),
    misuse(sweep, lambda: sweep(hunt(), {"stag": "abc"}), TypeError, "grid['stag']", "grid-text"),
    misuse(sweep, lambda: sweep(hunt(), [("stag", 0, 1, 2)]), TypeError, "grid", "grid-list"),
    misuse(
        sweep, lambda: sweep(hunt(), {"stag": (0, "a", 3)}), TypeError, "grid['stag'] stop", "stop"
    ),
    misuse(sweep, lambda: sweep(hunt(), {"stag": (0, 10, 2.5)}), TypeError, "grid['stag'] n", "n"),
    misuse(sweep, lambda: sweep(hunt(), samples=True), TypeError, "samples", "samples-bool"),
    misuse(sweep, lambda: sweep(hunt(), samples=-1), InputError, "samples", "samples-negative"),
    misuse(sweep, lambda: sweep(hunt(), samples=4, seed=-1), InputError, "seed", "seed-negative"),
    misuse(sweep, lambda: sweep(hunt(), samples=4, seed=None), TypeError, "seed", "seed-none"),
    misuse(sweep, lambda: sweep(hunt(), samples=4, seed=1.5), TypeError, "seed", "seed-fraction"),
    misuse(
        sweep,
        lambda: sweep(hunt(), samples=4, fixed={"stag": "1"}),
        TypeError,
        "fixed['stag']",
        "fixed",
    ),
    misuse(
        sweep,
        lambda: sweep(hunt(), {"stag": (0, 10, 31)}, chunk_size=1.5),
        TypeError,
        "chunk_size",
        "chunk-fraction",
    ),
    misuse(
        sweep,
        lambda: sweep(hunt(), samples=4, chunk_size=0),
        InputError,
        "chunk_size",
        "chunk-zero",
    ),
    misuse(sweep, lambda: sweep(hunt(), samples=4, method=3), TypeError, "method", "method-int"),
    misuse(sweep, lambda: sweep(hunt(), samples=4, engine="spark"), InputError, "engine", "engine"),
    misuse(sweep, lambda: sweep(hunt(), samples=4, workers=0), InputError, "workers", "workers"),
    misuse(sweep, lambda: sweep(hunt(), samples=4, max_memory=1.5), TypeError, "max_memory", "mem"),
    misuse(sweep, lambda: sweep(hunt(), samples=4, out=5), TypeError, "out", "out-int"),
    misuse(sweep, lambda: sweep(hunt(), samples=4, format="xls"), InputError, "format", "format"),
    misuse(sweep, lambda: sweep(hunt(), samples=4, resume="yes"), TypeError, "resume", "resume"),
    misuse(sweep, lambda: sweep(hunt(), samples=4, progress=1), TypeError, "progress", "progress"),
    misuse(sweep, lambda: sweep(hunt(), samples=4, options=[1]), TypeError, "options", "options"),
    misuse(
        sweep,
        lambda: sweep(hunt(), samples=4, method="auto", options={"max_seconds": "5"}),
        TypeError,
        "max_seconds",
        "option-text",
    ),
    misuse(read_sweep, lambda: read_sweep(7), TypeError, "path", "int"),
    # analyses
    misuse(comparison.compare, lambda: kurilsim.compare("x"), TypeError, "scenario", "text"),
    misuse(
        comparison.compare, lambda: kurilsim.compare(hunt(), [1]), TypeError, "overrides", "list"
    ),
    misuse(comparison.compare, lambda: kurilsim.compare(hunt(), deal=1), TypeError, "deal", "deal"),
    misuse(
        comparison.compare,
        lambda: kurilsim.compare(hunt(), precision=-1),
        InputError,
        "precision",
        "precision-negative",
    ),
    misuse(
        comparison.compare,
        lambda: kurilsim.compare(hunt(), max_seconds="5"),
        TypeError,
        "max_seconds",
        "seconds-text",
    ),
    misuse(comparison.compare, lambda: kurilsim.compare(hunt(), tol=0), InputError, "tol", "tol"),
    misuse(
        comparison.refuse_unused_options,
        lambda: comparison.refuse_unused_options("x", {}),
        TypeError,
        "scenario",
        "text",
    ),
    misuse(
        comparison.refuse_unused_options,
        lambda: comparison.refuse_unused_options(hunt(), [("precision", "--lambda")]),
        TypeError,
        "given",
        "list",
    ),
    misuse(
        comparison.refuse_unused_options,
        lambda: comparison.refuse_unused_options(hunt(), {"tol": "tol"}),
        InputError,
        "given",
        "unknown",
    ),
    misuse(explain.explain, lambda: explain.explain(None), TypeError, "scenario", "none"),
    misuse(
        explain.explain,
        lambda: explain.explain(hunt(), {"stag": "x"}),
        TypeError,
        "overrides['stag']",
        "override-text",
    ),
    misuse(
        explain.explain, lambda: explain.explain(hunt(), registry=1), TypeError, "registry", "reg"
    ),
    misuse(calibration.calibrate, lambda: calibration.calibrate(1), TypeError, "directory", "int"),
    misuse(
        calibration.calibration_problem,
        lambda: calibration.calibration_problem(None),
        TypeError,
        "eras",
        "none",
    ),
    misuse(
        calibration.era_scenarios,
        lambda: calibration.era_scenarios(1),
        TypeError,
        "directory",
        "int",
    ),
    misuse(calibration.era_year, lambda: calibration.era_year("1956"), TypeError, "era", "text"),
    misuse(
        calibration.predictive, lambda: calibration.predictive(None, []), TypeError, "fit", "none"
    ),
    misuse(
        calibration.prior_of, lambda: calibration.prior_of("x", 0.5), TypeError, "parameter", "num"
    ),
    misuse(
        calibration.calibrate,
        lambda: calibration.calibrate(SCENARIOS, walkers=1.5),
        TypeError,
        "walkers",
        "fraction",
    ),
    misuse(
        calibration.calibrate,
        lambda: calibration.calibrate(SCENARIOS, steps=0),
        InputError,
        "steps",
        "zero",
    ),
    misuse(
        backtest.forecast_scores,
        lambda: backtest.forecast_scores(SCENARIOS, "2013"),
        TypeError,
        "fit_until",
        "text",
    ),
    misuse(
        backtest.status_quo_profiles,
        lambda: backtest.status_quo_profiles(None),
        TypeError,
        "scenario",
        "none",
    ),
    misuse(backtest.backtest, lambda: backtest.backtest(1), TypeError, "directory", "int"),
    misuse(
        backtest.backtest, lambda: backtest.backtest(SCENARIOS, 0), InputError, "samples", "zero"
    ),
    misuse(
        backtest.backtest,
        lambda: backtest.backtest(SCENARIOS, seed=None),
        TypeError,
        "seed",
        "none",
    ),
    misuse(
        backtest.backtest_scenario,
        lambda: backtest.backtest_scenario(None),
        TypeError,
        "scenario",
        "none",
    ),
    misuse(
        backtest.backtest_scenario,
        lambda: backtest.backtest_scenario(hunt(), samples=1.5),
        TypeError,
        "samples",
        "fraction",
    ),
    misuse(
        statements.load_statements, lambda: statements.load_statements(1), TypeError, "path", "int"
    ),
    misuse(
        statements.check_statements,
        lambda: statements.check_statements(None, SCENARIOS),
        TypeError,
        "statements",
        "none",
    ),
    misuse(
        statements.check_statements,
        lambda: statements.check_statements(
            statements.load_statements(SCENARIOS / "statements" / "history.yaml"), 5
        ),
        TypeError,
        "directory",
        "int",
    ),
    misuse(
        sensitivity.sensitivity,
        lambda: sensitivity.sensitivity(None, "deal-share"),
        TypeError,
        "scenario",
        "none",
    ),
    misuse(
        sensitivity.sensitivity,
        lambda: sensitivity.sensitivity(hunt(), 5),
        TypeError,
        "output",
        "output-int",
    ),
    misuse(
        sensitivity.sensitivity,
        lambda: sensitivity.sensitivity(hunt(), "payoff:A", method="fast"),
        InputError,
        "method",
        "method-unknown",
    ),
    misuse(
        sensitivity.sensitivity,
        lambda: sensitivity.sensitivity(hunt(), "payoff:A", samples=64.0),
        TypeError,
        "samples",
        "samples-float",
    ),
    misuse(
        sensitivity.sensitivity,
        lambda: sensitivity.sensitivity(hunt(), "payoff:A", seed=-1),
        InputError,
        "seed",
        "seed-negative",
    ),
    misuse(
        sensitivity.sensitivity,
        lambda: sensitivity.sensitivity(hunt(), "payoff:A", parameters="stag"),
        TypeError,
        "parameters",
        "one-name",
    ),
    misuse(
        sensitivity.sensitivity,
        lambda: sensitivity.sensitivity(hunt(), "payoff:A", fixed={"stag": None}),
        TypeError,
        "fixed['stag']",
        "fixed-none",
    ),
    misuse(
        tipping.tipping_points, lambda: tipping.tipping_points(None), TypeError, "scenario", "none"
    ),
    misuse(
        tipping.tipping_points,
        lambda: tipping.tipping_points(hunt(), "stag"),
        TypeError,
        "parameters",
        "one-name",
    ),
    misuse(
        tipping.tipping_points,
        lambda: tipping.tipping_points(hunt(), fixed={"stag": None}),
        TypeError,
        "fixed['stag']",
        "fixed-none",
    ),
    misuse(
        tipping.tipping_points,
        lambda: tipping.tipping_points(hunt(), resolution=1),
        InputError,
        "resolution",
        "resolution-one",
    ),
    misuse(
        tipping.tipping_points,
        lambda: tipping.tipping_points(hunt(), resolution=2.5),
        TypeError,
        "resolution",
        "resolution-fraction",
    ),
    # the form registry
    misuse(registry.form_of_game, lambda: registry.form_of_game(None), TypeError, "game", "none"),
    misuse(registry.register_form, lambda: registry.register_form(None), TypeError, "form", "none"),
    # the forms' solvers
    misuse(kurilsim.solve_tree, lambda: kurilsim.solve_tree(pennies()), TypeError, "game", "nfg"),
    misuse(
        kurilsim.solve_tree, lambda: kurilsim.solve_tree(tree(), method=1), TypeError, "method", "m"
    ),
    misuse(
        kurilsim.solve_tree,
        lambda: kurilsim.solve_tree(tree(), max_equilibria=0),
        InputError,
        "max_equilibria",
        "max-zero",
    ),
    misuse(
        kurilsim.solve_tree,
        lambda: kurilsim.solve_tree(tree(), parameters=5),
        TypeError,
        "parameters",
        "parameters-int",
    ),
    misuse(
        kurilsim.solve_bargaining,
        lambda: kurilsim.solve_bargaining(None),
        TypeError,
        "problem",
        "none",
    ),
    misuse(
        kurilsim.solve_bargaining,
        lambda: kurilsim.solve_bargaining(problem(), method=2),
        TypeError,
        "method",
        "method-int",
    ),
    misuse(
        kurilsim.solve_bargaining,
        lambda: kurilsim.solve_bargaining(problem(), lotteries="no"),
        TypeError,
        "lotteries",
        "lotteries-text",
    ),
    misuse(
        kurilsim.solve_bargaining,
        lambda: kurilsim.solve_bargaining(problem(), ratification=1),
        TypeError,
        "ratification",
        "ratification-int",
    ),
    misuse(kurilsim.stability, lambda: kurilsim.stability(None), TypeError, "conflict", "none"),
    misuse(
        kurilsim.stability, lambda: kurilsim.stability(conflict(), 1), TypeError, "method", "int"
    ),
    misuse(
        kurilsim.stability,
        lambda: kurilsim.stability(conflict(), tol="0"),
        TypeError,
        "tol",
        "text",
    ),
    misuse(
        kurilsim.stability, lambda: kurilsim.stability(conflict(), tol=-1), InputError, "tol", "neg"
    ),
    # figures
    misuse(kurilsim.plot, lambda: kurilsim.plot(None), TypeError, "result", "none"),
    misuse(kurilsim.plot, lambda: kurilsim.plot(pennies(), kind=1), TypeError, "kind", "kind-int"),
    misuse(
        figures.register_figure,
        lambda: figures.register_figure("Solution", "bars", print),
        TypeError,
        "result_type",
        "type-text",
    ),
    misuse(
        figures.register_figure,
        lambda: figures.register_figure(Scratch, 1, print),
        TypeError,
        "kind",
        "kind-int",
    ),
    misuse(
        figures.register_figure,
        lambda: figures.register_figure(Scratch, "bars", "print"),
        TypeError,
        "function",
        "function-text",
    ),
    misuse(
        figures.register_figure,
        lambda: figures.register_figure(Scratch, "bars", print, default=1),
        TypeError,
        "default",
        "default-int",
    ),
    misuse(
        figures.figure_kinds,
        lambda: figures.figure_kinds(pennies()),
        TypeError,
        "result_type",
        "game",
    ),
    misuse(
        figures.sweep_figure, lambda: figures.sweep_figure(pennies()), TypeError, "result", "game"
    ),
    # Gambit text
    misuse(nfg.parse_nfg, lambda: nfg.parse_nfg(b"NFG 1 R"), TypeError, "text", "bytes"),
    misuse(nfg.parse_nfg, lambda: nfg.parse_nfg("NFG", source=None), TypeError, "source", "none"),
    misuse(nfg.format_nfg, lambda: nfg.format_nfg(tree()), TypeError, "game", "tree"),
    misuse(efg.parse_efg, lambda: efg.parse_efg(None), TypeError, "text", "none"),
    misuse(efg.parse_efg, lambda: efg.parse_efg("EFG", source=1), TypeError, "source", "int"),
    misuse(efg.format_efg, lambda: efg.format_efg(pennies()), TypeError, "game", "nfg"),
    # single stability concepts
    *(
        misuse(concept, lambda concept=concept: concept(pennies()), TypeError, "conflict", "game")
        for concept in STABILITY_FUNCTIONS
    ),
    *(
        misuse(concept, lambda concept=concept: concept(conflict(), -1), InputError, "tol", "neg")
        for concept in STABILITY_FUNCTIONS
    ),
    *(
        misuse(concept, lambda concept=concept: concept(conflict(), "0"), TypeError, "tol", "text")
        for concept in STABILITY_FUNCTIONS
    ),
    # a scenario's methods
    misuse(
        kurilsim.Scenario.solve,
        lambda: hunt().solve([("stag", 5)]),
        TypeError,
        "overrides",
        "overrides-list",
    ),
    misuse(
        kurilsim.Scenario.solve,
        lambda: hunt().solve({"stag": "5"}),
        TypeError,
        "overrides['stag']",
        "override-text",
    ),
    misuse(kurilsim.Scenario.solve, lambda: hunt().solve(method=None), TypeError, "method", "m"),
    misuse(kurilsim.Scenario.solve, lambda: hunt().solve(tol="0"), TypeError, "tol", "tol-text"),
    misuse(
        kurilsim.Scenario.solve,
        lambda: hunt().solve(method="lemke-howson", max_iter=0.5),
        TypeError,
        "max_iter",
        "option",
    ),
    misuse(
        kurilsim.Scenario.game,
        lambda: hunt().game({"stag": [1, 2]}),
        TypeError,
        "overrides['stag']",
        "override-array",
    ),
    misuse(kurilsim.Scenario.game, lambda: hunt().game(5), TypeError, "overrides", "int"),
    misuse(
        kurilsim.Scenario.payoffs,
        lambda: hunt().payoffs({"stag": [[1, 2]]}),
        InputError,
        "overrides['stag']",
        "override-2d",
    ),
    misuse(
        kurilsim.Scenario.payoffs,
        lambda: hunt().payoffs({"stag": None}),
        TypeError,
        "overrides['stag']",
        "override-none",
    ),
    # game constructors
    misuse(
        kurilsim.NormalFormGame,
        lambda: kurilsim.NormalFormGame(["A", "B"], ["H", "T"], np.zeros((1, 1, 2))),
        TypeError,
        "strategies[0]",
        "strategies-flat",
    ),
    misuse(
        kurilsim.BargainingProblem,
        lambda: kurilsim.BargainingProblem("AB", ["a"], [[1, 0]], [0, 0]),
        TypeError,
        "players",
        "players-text",
    ),
    misuse(
        kurilsim.BargainingProblem,
        lambda: kurilsim.BargainingProblem(["A", "B"], ["a"], [["1", "0"]], [0, 0]),
        TypeError,
        "utilities",
        "utilities-text",
    ),
    misuse(
        kurilsim.BargainingProblem,
        lambda: kurilsim.BargainingProblem(["A", "B"], ["a"], [[1, 0]], [0, 0, 0]),
        InputError,
        "disagreement",
        "disagreement-shape",
    ),
    misuse(
        kurilsim.BargainingProblem,
        lambda: kurilsim.BargainingProblem(["A", "B"], ["a"], [[1, 0]], [0, 0], first_mover=1.0),
        TypeError,
        "first_mover",
        "first-mover-float",
    ),
    misuse(
        kurilsim.BargainingProblem,
        lambda: kurilsim.BargainingProblem(
            ["A", "B"], ["a"], [[1, 0]], [0, 0], variables={"size": "big"}
        ),
        TypeError,
        "variables['size']",
        "variable-text",
    ),
    misuse(
        kurilsim.BargainingProblem,
        lambda: kurilsim.BargainingProblem(["A", "B"], ["a"], [[1, 0]], [0, 0], title=None),
        TypeError,
        "title",
        "title-none",
    ),
    misuse(
        Conflict, lambda: Conflict("AB", np.zeros((2, 1, 1)), [[0], [0]]), TypeError, "dms", "dms"
    ),
    misuse(RepeatedGame, lambda: RepeatedGame(None, [0.5, 0.5]), TypeError, "stage", "none"),
    misuse(
        RepeatedGame, lambda: RepeatedGame(pennies(), ["a", "b"]), TypeError, "discount", "text"
    ),
    misuse(
        RepeatedGame, lambda: RepeatedGame(pennies(), [0.5]), InputError, "discount", "one-short"
    ),
    misuse(
        RepeatedGame,
        lambda: RepeatedGame(pennies(), [0.5, 1.0]),
        InputError,
        "discount.Odd",
        "patience-one",
    ),
    misuse(check_discount, lambda: check_discount("A", "x"), TypeError, "value", "text"),
    misuse(check_discount, lambda: check_discount("A", -0.1), InputError, "discount.A", "negative"),
    misuse(
        Conflict,
        lambda: Conflict(["A", "B"], [[["x"]], [["y"]]], [[0], [0]]),
        TypeError,
        "moves",
        "moves-text",
    ),
    misuse(
        Conflict,
        lambda: Conflict(["A", "B"], np.full((2, 1, 1), 2), [[0], [0]]),
        InputError,
        "moves",
        "moves-two",
    ),
    misuse(
        Conflict,
        lambda: Conflict(["A", "B"], np.zeros((2, 1, 1)), [[None], [0]]),
        TypeError,
        "payoffs",
        "payoffs-none",
    ),
    misuse(
        Conflict,
        lambda: Conflict(["A", "B"], np.zeros((2, 1, 1)), [[0], [0]], options=["a", "b"]),
        TypeError,
        "options[0]",
        "options-flat",
    ),
    misuse(
        Conflict,
        lambda: Conflict(["A", "B"], np.zeros((2, 1, 1)), [[0], [0]], title=1),
        TypeError,
        "title",
        "title-int",
    ),
    misuse(
        Conflict.from_options,
        lambda: Conflict.from_options([("A", ["a"])], {"A": ["a"]}),
        TypeError,
        "options",
        "options-list",
    ),
    misuse(
        Conflict.from_options,
        lambda: Conflict.from_options({"A": "a", "B": ["b"]}, {"A": ["a"], "B": ["b"]}),
        TypeError,
        "options['A']",
        "option-text",
    ),
    misuse(
        Conflict.from_options,
        lambda: Conflict.from_options({"A": ["a"], "B": ["b"]}, {"A": 1, "B": ["b"]}),
        TypeError,
        "preferences['A']",
        "preference-int",
    ),
    misuse(
        Conflict.from_options,
        lambda: Conflict.from_options(
            {"A": ["a"], "B": ["b"]}, {"A": ["a"], "B": ["b"]}, infeasible="a and b"
        ),
        TypeError,
        "infeasible",
        "infeasible-text",
    ),
    misuse(
        Conflict.from_options,
        lambda: Conflict.from_options(
            {"A": ["a"], "B": ["b"]}, {"A": ["a"], "B": ["b"]}, irreversible={"a": "up"}
        ),
        InputError,
        "irreversible['a']",
        "irreversible-direction",
    ),
    misuse(
        Conflict.from_options,
        lambda: Conflict.from_options({"A": ["a"], "B": ["b"]}, {"A": ["a"], "B": ["b"]}, title=2),
        TypeError,
        "title",
        "title-int",
    ),
    misuse(
        SignallingGame,
        lambda: SignallingGame(
            "S",
            "R",
            ("a", "b"),
            np.array([0.3, 0.6]),
            ("m",),
            ("r",),
            ("",),
            np.zeros((2, 1, 1, 1, 2)),
        ),
        InputError,
        "prior",
        "prior-sum",
    ),
    misuse(
        BayesianGame,
        lambda: BayesianGame(
            ("A", "B"),
            (("x", "y"), ("",)),
            (np.array([0.5, 0.6]), np.ones(1)),
            (("a",), ("b",)),
            np.zeros((2, 1, 1, 1, 2)),
        ),
        InputError,
        "prior",
        "prior-sum",
    ),
    misuse(
        kurilsim.ExtensiveFormGame,
        lambda: kurilsim.ExtensiveFormGame("A", Terminal([1])),
        TypeError,
        "players",
        "players-text",
    ),
    misuse(
        kurilsim.ExtensiveFormGame,
        lambda: kurilsim.ExtensiveFormGame(["A"], [1]),
        TypeError,
        "root",
        "root-list",
    ),
    misuse(
        kurilsim.ExtensiveFormGame,
        lambda: kurilsim.ExtensiveFormGame(["A"], Terminal([1]), title=None),
        TypeError,
        "title",
        "title-none",
    ),
    misuse(Terminal, lambda: Terminal("12"), TypeError, "payoffs", "payoffs-text"),
    misuse(Terminal, lambda: Terminal([[1, 2]]), InputError, "payoffs", "payoffs-2d"),
    misuse(Terminal, lambda: Terminal([1], label=3), TypeError, "label", "label-int"),
    misuse(Decision, lambda: Decision(1, {"a": Terminal([1])}), TypeError, "player", "player"),
    misuse(Decision, lambda: Decision("A", [Terminal([1])]), TypeError, "actions", "actions-list"),
    misuse(Decision, lambda: Decision("A", {"a": [1]}), TypeError, "actions['a']", "action-node"),
    misuse(
        Chance,
        lambda: Chance({"h": ("0.5", Terminal([1]))}),
        TypeError,
        "branches['h']",
        "probability-text",
    ),
    misuse(Chance, lambda: Chance({"h": Terminal([1])}), TypeError, "branches['h']", "no-pair"),
    misuse(info.Outcome, lambda: info.Outcome("12"), TypeError, "payoffs", "info-outcome-text"),
    misuse(info.Outcome, lambda: info.Outcome([1], label=2), TypeError, "label", "info-label"),
    misuse(
        info.TerminalNode, lambda: info.TerminalNode("1"), TypeError, "payoffs", "info-leaf-text"
    ),
    misuse(
        info.PlayerNode,
        lambda: info.PlayerNode("A", 1, {"a": info.TerminalNode([1])}),
        TypeError,
        "infoset",
        "info-infoset-int",
    ),
    misuse(
        info.PlayerNode,
        lambda: info.PlayerNode("A", "h", {"a": [1]}),
        TypeError,
        "actions['a']",
        "info-action-node",
    ),
    misuse(
        info.ChanceNode,
        lambda: info.ChanceNode({"h": ("0.5", info.TerminalNode([1]))}),
        TypeError,
        "branches['h']",
        "info-probability-text",
    ),
    misuse(
        info.InformationTree,
        lambda: info.InformationTree("A", info.TerminalNode([1])),
        TypeError,
        "players",
        "info-players-text",
    ),
    misuse(
        info.InformationTree,
        lambda: info.InformationTree(["A"], [1]),
        TypeError,
        "root",
        "info-root-list",
    ),
    misuse(
        info.InformationTree.from_extensive,
        lambda: info.InformationTree.from_extensive("tree"),
        TypeError,
        "game",
        "info-from-extensive",
    ),
    misuse(
        kurilsim.NormalFormGame,
        lambda: kurilsim.NormalFormGame("AB", [["H"], ["H"]], np.zeros((1, 1, 2))),
        TypeError,
        "players",
        "players-text",
    ),
    misuse(
        kurilsim.NormalFormGame,
        lambda: kurilsim.NormalFormGame(["A", "B"], [["H"], ["H"]], "x"),
        TypeError,
        "payoffs",
        "payoffs-text",
    ),
    misuse(
        kurilsim.NormalFormGame,
        lambda: kurilsim.NormalFormGame(["A", "B"], [["H"], ["H"]], np.zeros((1, 1, 2)), title=5),
        TypeError,
        "title",
        "title-int",
    ),
]

#: Public callables left out of the table, and why.
NOT_IN_TABLE = {
    # Results and exceptions are built by the package, not from user input.
    "BargainingSolution": "a result",
    "Comparison": "a result",
    "Sensitivity": "a result",
    "Equilibrium": "a result",
    "LearningPath": "a result",
    "Scenario": "a result of load_scenario/parse_scenario",
    "Solution": "a result",
    "StabilityTable": "a result",
    "SweepResult": "a result",
    "TreeSolution": "a result",
    "Calibration": "a result of calibrate",
    "InformationSet": "built by InformationTree from its nodes",
    "NodeError": "an exception",
    "DynamicGame": "built by Scenario.game from a checked file",
    "FlatTree": "the base of ExtensiveFormGame and InformationTree, built only by them",
    "LabelledPayoffs": "the base of Terminal and Outcome, whose cases cover its checks",
    "Numbering": "built by number_nodes",
    "StageArrays": "part of a DynamicGame",
    "InputError": "an exception",
    "IterationLimitError": "an exception",
    "KurilsimError": "an exception",
    # Game constructors not yet covered by argument checks (their values are still checked).
    "scenario_json_schema": "takes no arguments",
    "statements_json_schema": "takes no arguments",
}

#: Functions on arrays that the package builds and checks before it calls them.
ARRAY_HELPERS = {
    "coalition_reachable": "array helper of the stability concepts",
    "feasible_states": "array helper of Conflict.from_options",
    "probability_problem": "array helper: reports a problem, never raises",
    "actions_problem": "tree helper: reports a problem, never raises",
    "check_branch": "tree helper of Chance and ChanceNode, whose cases cover it",
    "number_nodes": "tree helper: numbers the nodes the tree games have checked",
    "path_name": "tree helper: names a node of the arrays the tree games build",
    "read_only": "array helper: a read-only copy",
    "prior_problem": "array helper: reports a problem, never raises",
    "leaf_axes": "array helper: index grids over a product of axes",
    "unilateral_moves": "array helper of Conflict.from_options",
    "brier": "array helper: the score of forecast probabilities",
    "log_loss": "array helper: the score of forecast probabilities",
    "build_game": "evaluates a compiled dynamic scenario; Scenario.game checks the values",
}

#: Modules whose public functions must be in the table too.
MODULES = [
    "kurilsim.analysis.backtest",
    "kurilsim.analysis.calibration",
    "kurilsim.analysis.comparison",
    "kurilsim.analysis.explain",
    "kurilsim.analysis.sensitivity",
    "kurilsim.analysis.statements",
    "kurilsim.analysis.tipping",
    "kurilsim.forms.conflict.stability",
    "kurilsim.forms.extensive.efg",
    "kurilsim.forms.normal.nfg",
    "kurilsim.forms.registry",
    "kurilsim.presentation.figures",
    "kurilsim.sweeps",
]

#: Modules whose public functions and classes (constructors and classmethods) must be in the
#: table too: each form's game, and the flat tree the tree forms' games share.
GAME_MODULES = [*(f"kurilsim.forms.{form}.game" for form in FORMS), "kurilsim.forms.tree"]

#: Public methods that take user input.
METHODS = [kurilsim.Scenario.solve, kurilsim.Scenario.game, kurilsim.Scenario.payoffs]


@pytest.mark.parametrize(("function", "call", "error", "argument"), MISUSES)
def test_misuse_is_refused_naming_the_argument(
    function, call, error, argument, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)  # nothing a call might write lands in the repository
    with pytest.raises(error) as caught:
        call()
    assert isinstance(caught.value, InputError)  # so the command line reports it as bad input
    assert str(caught.value).startswith(argument) or f"{argument}:" in str(caught.value)


def _defined_in(module_name: str, kinds: Callable[[object], bool]) -> dict[str, object]:
    """The public objects of ``kinds`` that the module defines (not those it imports)."""
    module = importlib.import_module(module_name)
    names = getattr(module, "__all__", None) or dir(module)
    return {
        name: value
        for name in names
        if not name.startswith("_")
        and kinds(value := getattr(module, name))
        and getattr(value, "__module__", "").startswith(module_name)
    }


def _public_callables() -> dict[str, object]:
    found = {name: getattr(kurilsim, name) for name in kurilsim.__all__}
    for module_name in MODULES + GAME_MODULES:
        found.update(_defined_in(module_name, inspect.isfunction))
    for module_name in GAME_MODULES:
        for name, cls in _defined_in(module_name, inspect.isclass).items():
            found[name] = cls
            found.update(
                {
                    f"{name}.{attribute}": getattr(cls, attribute)
                    for attribute, value in vars(cls).items()
                    if isinstance(value, classmethod) and not attribute.startswith("_")
                }
            )
    found.update({method.__qualname__: method for method in METHODS})
    return {name: value for name, value in found.items() if callable(value)}


def _key(function: object) -> int:
    """The identity of a function, the same for each access to a classmethod."""
    return id(getattr(function, "__func__", function))


def test_every_public_function_is_in_the_table():
    tabled = {_key(param.values[0]) for param in MISUSES}
    public = _public_callables()
    exempt = NOT_IN_TABLE | ARRAY_HELPERS
    missing = sorted(name for name, value in public.items() if _key(value) not in tabled)
    assert not [n for n in missing if n not in exempt], (
        f"public callables without misuse cases in MISUSES: {missing}"
    )
    assert set(exempt) <= set(missing), "exempt callables that are tabled or no longer public"


# --- silent wrong answers -------------------------------------------------------------------------


def test_a_fractional_chunk_size_cannot_change_the_points():
    # It once gave the points 0, 1, 1.5, 2.5, ... and 42 rows for a grid of 31.
    with pytest.raises(TypeError, match="chunk_size"):
        sweep(hunt(), {"stag": (0, 10, 31)}, chunk_size=1.5)
    frame = sweep(hunt(), {"stag": (0, 10, 31)}, chunk_size=2).to_frame()
    assert sorted(set(frame["point"])) == list(range(31))


def test_a_sweep_without_a_seed_is_refused_so_every_run_repeats():
    # seed=None once drew differently at each grid point and recorded "seed: null".
    with pytest.raises(TypeError, match="seed"):
        sweep(hunt(), samples=4, seed=None)
    first = sweep(hunt(), samples=20).to_frame()
    assert first.equals(sweep(hunt(), samples=20).to_frame())
    assert sweep(hunt(), samples=20).info.spec.seed is not None


def test_numpy_numbers_are_numbers_and_bool_is_not():
    result = sweep(hunt(), {"stag": (np.float32(0), np.int64(10), np.int64(3))}, seed=np.int64(5))
    assert sorted(set(result.to_frame()["point"])) == [0, 1, 2]
    with pytest.raises(TypeError, match="n"):
        sweep(hunt(), {"stag": (0, 10, True)})


# --- readers take paths and streams, bounded alike ----------------------------------------------


@pytest.mark.parametrize(
    ("reader", "path"),
    [
        # A scenario that takes no shared parameters: a bare string has no folder to find them in.
        pytest.param(kurilsim.load_scenario, SCENARIOS / "era_1956.yaml", id="scenario"),
        pytest.param(kurilsim.read_nfg, None, id="nfg"),
        pytest.param(kurilsim.read_efg, None, id="efg"),
    ],
)
def test_readers_take_a_path_or_a_text_stream(reader, path, tmp_path):
    if path is None:
        path = tmp_path / f"game.{reader.__name__[-3:]}"
        write = kurilsim.write_nfg if path.suffix == ".nfg" else kurilsim.write_efg
        write(pennies() if path.suffix == ".nfg" else tree(), path)
    from_path = reader(path)
    with open(path, encoding="utf-8") as stream:
        from_stream = reader(stream)
    assert type(from_stream) is type(from_path)
    assert reader(io.StringIO(Path(path).read_text(encoding="utf-8"))).title == from_path.title


@pytest.mark.parametrize("reader", [kurilsim.load_scenario, kurilsim.read_nfg, kurilsim.read_efg])
def test_readers_bound_a_stream_as_they_bound_a_file(reader, tmp_path):
    big = " " * (MAX_FILE_BYTES + 1)
    with pytest.raises(InputError, match="larger than"):
        reader(io.StringIO(big))
    file = tmp_path / "big.txt"
    file.write_text(big, encoding="utf-8")
    with pytest.raises(InputError, match="larger than"):
        reader(file)
