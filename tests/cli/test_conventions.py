"""What every subcommand shares: help on each argument, the same defaults, the shared flags."""

import argparse

from kurilsim.cli import build_parser


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
