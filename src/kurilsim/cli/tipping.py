"""``kurilsim tipping``: how far each parameter can move before the equilibria change."""

from __future__ import annotations

import argparse
import json
from typing import Any

from kurilsim.cli.common import (
    EXIT_INTERNAL,
    EXIT_OK,
    LISTING_BOUNDS,
    add_listing_bounds,
    add_parameter_option,
    add_tolerance_option,
    at_least,
    check_figure,
    echo,
    given_options,
    json_text,
    status,
)


def register(commands: Any) -> None:
    """Add the ``tipping`` subcommand to ``commands``."""
    commands.add_parser(
        "tipping",
        help="tipping points: how far each parameter can move before the equilibria change",
        arguments=add_arguments,
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``kurilsim tipping``."""
    # Imported here, when the command is used, so that building the command line loads none of it.
    from kurilsim.core.option_defaults import DEFAULT_RESOLUTION, MIN_RESOLUTION

    parser.add_argument("file", metavar="FILE", help="a scenario file (.yaml)")
    parser.add_argument(
        "--parameter",
        dest="parameters",
        metavar="NAME",
        action="append",
        help="a parameter to move (repeatable; default: all)",
    )
    add_parameter_option(parser, "hold a parameter at another value than its default (repeatable)")
    parser.add_argument(
        "--resolution",
        type=at_least(MIN_RESOLUTION),
        default=DEFAULT_RESOLUTION,
        help="grid values scanned along each range (default %(default)s)",
    )
    add_tolerance_option(parser)
    add_listing_bounds(parser)
    parser.add_argument(
        "--format",
        choices=["table", "json", "csv"],
        default="table",
        help="how to print the table: for people, or JSON or CSV for programs",
    )
    parser.add_argument("--plot", metavar="PATH", help="save the tornado chart (.png/.svg/.pdf)")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Print the tipping-point table and save the tornado chart.

    Exits 1 where the answer at some point solved is incomplete, as the text warns.
    """
    # Imported when used, as every command does.
    from kurilsim.analysis.tipping import tipping_points
    from kurilsim.core.errors import in_file
    from kurilsim.forms.registry import load_scenario
    from kurilsim.presentation.figures import plot

    check_figure(args.plot)
    with in_file(args.file):  # a problem the solver finds is the scenario's
        tipping = tipping_points(
            load_scenario(args.file),
            args.parameters,
            args.overrides,
            args.resolution,
            args.tol,
            given_options(args, *LISTING_BOUNDS),
        )
    if args.format == "json":
        echo(
            json_text(
                {
                    "title": tipping.title,
                    "baseline": tipping.baseline,
                    "evaluations": tipping.evaluations,
                    "complete": tipping.complete,
                    "incomplete_reasons": dict(tipping.incomplete_reasons),
                    "tipping_points": json.loads(tipping.to_frame().to_json(orient="records")),
                }
            )
        )
    elif args.format == "csv":
        echo(tipping.to_frame().to_csv(index=False), end="")
    else:
        echo(tipping.to_text())
    if args.plot:
        plot(tipping).savefig(args.plot, dpi=150, bbox_inches="tight")
        status(f"wrote {args.plot}")
    # A threshold found where the method stopped short may be misplaced: not a full success.
    return EXIT_OK if tipping.complete else EXIT_INTERNAL
