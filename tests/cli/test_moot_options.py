"""Options that would change nothing for the scenario's form or method are refused, in one line
naming the option and why (exit 2), never accepted in silence."""

from __future__ import annotations

import argparse
import json

import pytest

from kurilsim.cli.common import refuse_unused
from kurilsim.core.errors import InputError
from tests.helpers import SCENARIOS, run_cli

#: A finite horizon whose file plays one equilibrium (payoff-dominance): no listing to bound.
TREATY = str(SCENARIOS / "commitment_treaty.yaml")
#: An infinite horizon, whose equilibria selection 'all' does not list.
MARKOV = str(SCENARIOS / "sanctions_markov.yaml")
#: A normal form, which every learning dynamics takes.
HUNT = str(SCENARIOS / "textbook" / "stag_hunt.yaml")

MOOT = [
    pytest.param(
        ["run", TREATY, "--max-equilibria", "5"],
        "max_equilibria: bounds the listing of selection 'all'",
        id="run-dynamic-one-equilibrium",
    ),
    pytest.param(
        ["run", MARKOV, "--selection", "risk-dominance", "--max-equilibria", "5"],
        "max_equilibria: bounds the listing of selection 'all'",
        id="run-dynamic-infinite",
    ),
    pytest.param(
        ["sweep", TREATY, "--grid", "package=4:20:3", "--max-equilibria", "5"],
        "max_equilibria: bounds the listing of selection 'all'",
        id="sweep-dynamic",
    ),
    pytest.param(
        ["tipping", TREATY, "--parameter", "package", "--max-equilibria", "5"],
        "max_equilibria: bounds the listing of selection 'all'",
        id="tipping-dynamic",
    ),
    pytest.param(
        ["learn", HUNT, "--step-size", "0.1"],
        "--step-size: an option of replicator and logit, not of fictitious-play",
        id="learn-step-size",
    ),
    pytest.param(
        ["learn", HUNT, "--dynamics", "replicator", "--precision", "5"],
        "--precision: an option of logit, not of replicator",
        id="learn-precision",
    ),
    pytest.param(
        ["learn", HUNT, "--dynamics", "logit", "--seed", "3"],
        "--seed: an option of fictitious-play, not of logit",
        id="learn-seed",
    ),
    pytest.param(
        ["compare", str(SCENARIOS / "bargaining_2016.yaml"), "--lambda", "5"],
        "--lambda: the bargaining form's concepts have no logit QRE to take it",
        id="compare-bargaining-lambda",
    ),
    pytest.param(
        ["compare", str(SCENARIOS / "conflict_2018.yaml"), "--lambda", "5"],
        "--lambda: the conflict form's concepts have no logit QRE to take it",
        id="compare-conflict-lambda",
    ),
    pytest.param(
        ["compare", str(SCENARIOS / "bargaining_2016.yaml"), "--max-seconds", "5"],
        "--max-seconds: no concept of the bargaining form runs against a time bound",
        id="compare-bargaining-max-seconds",
    ),
    pytest.param(
        ["compare", TREATY, "--max-seconds", "5"],
        "--max-seconds: no concept of the dynamic form runs against a time bound",
        id="compare-dynamic-max-seconds",
    ),
    pytest.param(
        ["sweep", HUNT, "--grid", "stag=1:3:3", "--seed", "4"],
        "--seed has no effect without --samples",
        id="sweep-seed",
    ),
    pytest.param(
        ["sweep", HUNT, "--grid", "stag=1:3:3", "--plot-kind", "payoffs"],
        "--plot-kind has no effect without --plot",
        id="sweep-plot-kind",
    ),
    pytest.param(
        ["sweep", HUNT, "--grid", "stag=1:3:3", "--format", "csv"],
        "--format has no effect without --out",
        id="sweep-format",
    ),
    pytest.param(
        ["learn", HUNT, "--figure", "simplex"],
        "--figure has no effect without --plot",
        id="learn-figure",
    ),
    pytest.param(
        ["calibrate", "--checkpoint", "5"],
        "--checkpoint has no effect without --out",
        id="calibrate-checkpoint",
    ),
    pytest.param(
        ["calibrate", "--plot-kind", "pairs"],
        "--plot-kind has no effect without --plot",
        id="calibrate-plot-kind",
    ),
    pytest.param(
        ["backtest", "--walkers", "8"],
        "--walkers has no effect without --fit-until",
        id="backtest-walkers",
    ),
    pytest.param(
        ["backtest", "--steps", "8"],
        "--steps has no effect without --fit-until",
        id="backtest-steps",
    ),
]


@pytest.mark.parametrize(("argv", "message"), MOOT)
def test_an_option_without_effect_is_refused_in_one_line(capsys, argv, message):
    code, out, err = run_cli(capsys, *argv)
    assert code == 2 and out == "", err
    assert err.count("\n") == 1 and message in err, err


def test_the_listing_bound_of_a_dynamic_scenario_is_taken_with_selection_all(capsys):
    argv = ["run", TREATY, "--selection", "all", "--set", "upfront=0.75", "--format", "json"]
    code, out, err = run_cli(capsys, *argv, "--max-equilibria", "2")
    assert code == 1 and json.loads(out)["incomplete_reason"] == "max_equilibria", err


@pytest.mark.parametrize(
    "argv",
    [
        ["--steps", "50", "--seed", "3"],
        ["--dynamics", "replicator", "--steps", "50", "--step-size", "0.1"],
        ["--dynamics", "logit", "--steps", "50", "--step-size", "0.1", "--precision", "5"],
    ],
    ids=["fictitious-play", "replicator", "logit"],
)
def test_each_learning_dynamics_takes_its_own_options(capsys, argv):
    code, _, err = run_cli(capsys, "learn", HUNT, *argv, "--format", "json")
    assert code in (0, 1) and "error" not in err, err


@pytest.mark.parametrize(
    ("file", "argv"),
    [
        ("sochi_2016.yaml", ["--lambda", "5", "--max-seconds", "30"]),
        ("sequence_1956.yaml", ["--lambda", "5", "--max-seconds", "30"]),
        ("conflict_2018.yaml", ["--max-seconds", "30"]),
    ],
)
def test_compare_takes_the_options_its_forms_concepts_use(capsys, file, argv):
    code, _, err = run_cli(capsys, "compare", SCENARIOS / file, *argv)
    assert code == 0, err


def test_an_option_worked_through_counts_as_given_at_any_value():
    """``--fit-until 0`` is given: ``--walkers`` is not refused as if it were left off."""
    given = argparse.Namespace(fit_until=0, walkers=8, steps=None)
    refuse_unused(given, {"--walkers": "--fit-until", "--steps": "--fit-until"})
    with pytest.raises(InputError, match="--walkers has no effect without --fit-until"):
        refuse_unused(argparse.Namespace(fit_until=None, walkers=8), {"--walkers": "--fit-until"})


def test_a_sweep_the_api_wrote_with_a_seed_but_no_samples_resumes_without_it(capsys, tmp_path):
    """The seed draws nothing without samples: the command line, which refuses ``--seed`` there,
    can still complete such a sweep."""
    import kurilsim

    out = tmp_path / "hunt.parquet"
    kurilsim.sweep(kurilsim.load_scenario(HUNT), {"stag": (1, 3, 3)}, seed=7, out=out, workers=1)
    argv = ["sweep", HUNT, "--grid", "stag=1:3:3", "--out", out, "--resume", "--workers", "1"]
    code, _, err = run_cli(capsys, *argv)
    assert code == 0, err
