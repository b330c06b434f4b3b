"""What every subcommand shares: help on each argument, the same defaults, the shared flags."""

import argparse

import pytest

from kurilsim.cli import build_parser
from tests.helpers import run_cli


def subcommand_parsers() -> dict[str, argparse.ArgumentParser]:
    """Each subcommand's parser, its arguments added."""
    parser = build_parser()
    (commands,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for sub in commands.choices.values():
        sub.format_help()  # adds the arguments a subcommand adds only when used
    return dict(commands.choices)


def test_every_command_that_takes_a_seed_has_the_same_default():
    seeds = {
        name: action.default
        for name, sub in subcommand_parsers().items()
        for action in sub._actions
        if "--seed" in action.option_strings
    }
    assert {"sweep", "backtest"} <= set(seeds)
    assert len(set(seeds.values())) == 1


def test_a_mistyped_command_gets_a_suggestion(capsys):
    code, _, err = run_cli(capsys, "rnu", "x.yaml")
    assert code == 2 and "did you mean 'run'?" in err and err.count("\n") == 1


def test_a_mistyped_choice_gets_a_suggestion(capsys, scenarios):
    code, _, err = run_cli(capsys, "run", scenarios / "sochi_2016.yaml", "--format", "jsn")
    assert code == 2 and "did you mean 'json'?" in err


@pytest.mark.parametrize(
    "option", [["--set", "sanction=0.2"], ["--grid", "sanction=0:0.5:3"]], ids=["set", "grid"]
)
def test_a_mistyped_parameter_gets_a_suggestion(capsys, scenarios, option):
    command = "run" if option[0] == "--set" else "sweep"
    code, _, err = run_cli(capsys, command, scenarios / "sochi_2016.yaml", *option)
    assert code == 2 and "unknown parameter 'sanction'; did you mean 'sanctions'?" in err
