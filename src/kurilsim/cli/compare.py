"""``kurilsim compare``: every solution concept on one scenario, and what blocks a deal."""

from __future__ import annotations

import argparse
from typing import Any

from kurilsim.cli.common import (
    EXIT_OK,
    add_parameter_option,
    add_tolerance_option,
    echo,
    given_options,
    json_text,
    note,
    seconds,
)
from kurilsim.core.errors import InputError


def register(commands: Any) -> None:
    """Add the ``compare`` subcommand to ``commands`` (an argparse subparsers object)."""
    commands.add_parser(
        "compare",
        help="solve a scenario under every concept that applies; say how many agree and what "
        "blocks a deal",
        arguments=add_arguments,
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``kurilsim compare``."""
    # Imported here, when the command is used, so that building the command line loads no solver.
    from kurilsim.core.deadline import DEFAULT_MAX_SECONDS

    parser.add_argument("file", metavar="FILE", help="a scenario file (.yaml) of any game form")
    add_parameter_option(parser)
    parser.add_argument(
        "--deal", metavar="EXPR",
        help="condition on outcome variables (options, in a conflict) marking a settlement, "
        "e.g. 'treaty > 0' (default: 'islands > 0' where the scenario has islands)",
    )  # fmt: skip
    parser.add_argument(
        "--lambda", dest="precision", type=float, metavar="L",
        help="precision of the logit QRE, relative to each player's payoff range (default: 10)",
    )  # fmt: skip
    parser.add_argument(
        "--max-seconds", type=seconds,
        help="time bound of support enumeration, the logit trace and a conflict's stability "
        f"(default {DEFAULT_MAX_SECONDS:g})",
    )  # fmt: skip
    add_tolerance_option(parser)
    parser.add_argument(
        "--format",
        choices=["table", "json"],
        default="table",
        help="how to print the result: a table for people, or JSON for programs",
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Run ``kurilsim compare`` with parsed arguments."""
    # Imported when used, as every command does.
    from kurilsim.analysis.comparison import compare, refuse_unused_options
    from kurilsim.forms.registry import load_scenario
    from kurilsim.solving import SCENARIO_SUFFIXES

    if not args.file.lower().endswith(SCENARIO_SUFFIXES):
        raise InputError("compare reads scenario files (.yaml/.yml)", file=args.file)
    scenario = load_scenario(args.file)
    # Checked here first, so that each is refused by the command line's name, not compare()'s.
    names = {"precision": "--lambda", "max_seconds": "--max-seconds"}
    refuse_unused_options(scenario, {k: names[k] for k in given_options(args, *names)})
    note(f"solving {args.file} under every concept of its form")
    comparison = compare(
        scenario,
        args.overrides,
        deal=args.deal,
        precision=args.precision,
        tol=args.tol,
        **given_options(args, "max_seconds"),
    )
    if args.format == "json":
        echo(json_text(comparison.to_dict()))
    else:
        echo(comparison.to_text())
    return EXIT_OK
