"""``kurilsim explain``: a scenario's payoffs and the evidence behind each parameter."""

from __future__ import annotations

import argparse
from typing import Any

from kurilsim.cli.common import EXIT_OK, add_parameter_option, echo, json_text


def register(commands: Any) -> None:
    """Add the ``explain`` subcommand to ``commands``."""
    parser = commands.add_parser(
        "explain", help="show a scenario's payoffs and the evidence for each parameter"
    )
    parser.add_argument("file", metavar="FILE", help="a scenario file (.yaml)")
    add_parameter_option(parser, "show a parameter at another value (repeatable)")
    parser.add_argument(
        "--format",
        choices=["table", "json"],
        default="table",
        help="how to print the result: a table for people, or JSON for programs",
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Print the evidence trail."""
    # Imported when used, as every command does.
    from kurilsim.analysis.explain import explain
    from kurilsim.forms.registry import load_scenario

    trail = explain(load_scenario(args.file), args.overrides)
    echo(json_text(trail.to_dict()) if args.format == "json" else trail.to_text())
    return EXIT_OK
