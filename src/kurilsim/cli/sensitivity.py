"""``kurilsim sensitivity``: which parameters, alone and together, move an output of a scenario."""

from __future__ import annotations

import argparse
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
    count,
    echo,
    given_options,
    json_text,
    status,
)


def register(commands: Any) -> None:
    """Add the ``sensitivity`` subcommand to ``commands``."""
    commands.add_parser(
        "sensitivity",
        help="global sensitivity: Sobol or Morris indices of an output over the parameter box",
        arguments=add_arguments,
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``kurilsim sensitivity``."""
    # Imported here, when the command is used, so that building the command line loads none of it.
    from kurilsim.core.arguments import DEFAULT_SEED
    from kurilsim.core.option_defaults import MIN_SAMPLES, OUTPUT_SYNTAX

    parser.add_argument("file", metavar="FILE", help="a scenario file (.yaml)")
    parser.add_argument(
        "--output",
        required=True,
        metavar="EXPR",
        help=f"the output to explain: {', '.join(OUTPUT_SYNTAX)}",
    )
    parser.add_argument(
        "--method",
        choices=["sobol", "morris"],
        default="sobol",
        help="Sobol indices (S1, ST, S2) or Morris screening (mu_star, sigma); default sobol",
    )
    parser.add_argument(
        "--samples",
        type=at_least(MIN_SAMPLES),
        metavar="N",
        help="base samples: a power of 2 for sobol (default 256, N(2D+2) points), "
        "trajectories for morris (default 32, N(D+1) points)",
    )
    parser.add_argument(
        "--seed",
        type=count,
        default=DEFAULT_SEED,
        help="seed of the sampling (default %(default)s)",
    )
    parser.add_argument(
        "--parameter",
        dest="parameters",
        metavar="NAME",
        action="append",
        help="a parameter to vary (repeatable; default: all not fixed with --set)",
    )
    add_parameter_option(parser, "hold a parameter at a value instead of varying it (repeatable)")
    add_tolerance_option(parser)
    add_listing_bounds(parser)
    parser.add_argument(
        "--format",
        choices=["table", "json", "csv"],
        default="table",
        help="how to print the indices: a table for people, or JSON or CSV for programs",
    )
    parser.add_argument(
        "--plot",
        metavar="PATH",
        help="save the bar chart of the indices (and, for sobol, the S2 map) (.png/.svg/.pdf)",
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Print the sensitivity indices and save their figure."""
    # Imported when used, as every command does.
    from kurilsim.analysis.sensitivity import sensitivity
    from kurilsim.core.errors import in_file
    from kurilsim.forms.registry import load_scenario

    check_figure(args.plot)
    with in_file(args.file):  # a problem found in the scenario's parameters or outputs is its
        result = sensitivity(
            load_scenario(args.file),
            args.output,
            args.method,
            args.samples,
            args.seed,
            args.parameters,
            args.overrides,
            args.tol,
            given_options(args, *LISTING_BOUNDS),
        )
    if args.format == "json":
        echo(json_text(result.to_dict()))
    elif args.format == "csv":
        echo(result.to_frame().to_csv(index=False), end="")
    else:
        echo(result.to_text())
    if args.plot:
        from kurilsim.presentation.sensitivity import sensitivity_figure

        sensitivity_figure(result).savefig(args.plot, dpi=150, bbox_inches="tight")
        status(f"wrote {args.plot}")
    return EXIT_OK if result.complete else EXIT_INTERNAL
