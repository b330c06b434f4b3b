"""``kurilsim schema``: print the JSON Schema of the scenario format, or of statements files."""

from __future__ import annotations

import argparse
from typing import Any

from kurilsim.cli.common import EXIT_OK, echo, json_text


def register(commands: Any) -> None:
    """Add the ``schema`` subcommand to ``commands``."""
    parser = commands.add_parser("schema", help="print the JSON Schema of the scenario format")
    parser.add_argument(
        "--statements",
        action="store_true",
        help="print the JSON Schema of files of testable statements instead",
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Print the schema as JSON."""
    # Imported when used, as every command does.
    if args.statements:
        from kurilsim.analysis.statements import statements_json_schema

        echo(json_text(statements_json_schema(), versioned=False))
    else:
        from kurilsim.forms.registry import scenario_json_schema

        echo(json_text(scenario_json_schema(), versioned=False))
    return EXIT_OK
