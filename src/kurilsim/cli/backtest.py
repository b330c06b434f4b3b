"""``kurilsim backtest``: each era's predicted equilibria against the recorded outcome."""

from __future__ import annotations

import argparse
from typing import Any

from kurilsim.cli.common import (
    EXIT_OK,
    at_least,
    count,
    echo,
    given_options,
    json_text,
    positive,
    refuse_unused,
)


def register(commands: Any) -> None:
    """Add the ``backtest`` subcommand to ``commands``."""
    commands.add_parser(
        "backtest",
        help="compare every era scenario's equilibria with the recorded outcome",
        arguments=add_arguments,
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``kurilsim backtest``."""
    # Imported here, when the command is used, so that building the command line loads none of it.
    from kurilsim.core.arguments import DEFAULT_SEED
    from kurilsim.core.option_defaults import (
        BACKTEST_SAMPLES,
        DEFAULT_STEPS,
        DEFAULT_WALKERS,
        MIN_WALKERS,
    )

    parser.add_argument(
        "directory",
        metavar="DIR",
        nargs="?",
        default="scenarios",
        help="the folder of era scenarios and statements (default %(default)s)",
    )
    parser.add_argument(
        "--samples",
        type=positive,
        default=BACKTEST_SAMPLES,
        help="draws of each parameter box, for each era's robustness (default %(default)s)",
    )
    parser.add_argument(
        "--seed", type=count, default=DEFAULT_SEED, help="seed of the draws (default %(default)s)"
    )
    parser.add_argument(
        "--fit-until",
        type=int,
        metavar="YEAR",
        help="calibrate on the eras up to YEAR and score every era's forecast, in and out of "
        "sample, against the status quo and uniform baselines",
    )
    parser.add_argument(
        "--walkers",
        type=at_least(MIN_WALKERS),
        help=f"walkers of the --fit-until calibration (default {DEFAULT_WALKERS})",
    )
    parser.add_argument(
        "--steps",
        type=positive,
        help=f"steps of the --fit-until calibration (default {DEFAULT_STEPS})",
    )
    parser.add_argument(
        "--format",
        choices=["table", "json"],
        default="table",
        help="how to print the result: a table for people, or JSON for programs",
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Print the backtest table and the retrodiction score."""
    # Imported when used, as every command does.
    from kurilsim.analysis.backtest import backtest

    refuse_unused(args, {"--walkers": "--fit-until", "--steps": "--fit-until"})
    result = backtest(
        args.directory,
        args.samples,
        args.seed,
        fit_until=args.fit_until,
        **given_options(args, "walkers", "steps"),
    )
    echo(json_text(result.to_dict()) if args.format == "json" else result.to_text())
    return EXIT_OK
