"""``kurilsim schema``: print the JSON Schema of the scenario format."""

from __future__ import annotations

import argparse
from typing import Any

from kurilsim.cli.common import EXIT_OK, echo, json_text


def register(commands: Any) -> None:
    """Add the ``schema`` subcommand to ``commands``."""
    parser = commands.add_parser("schema", help="print the JSON Schema of the scenario format")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Print the schema as JSON."""
    # Imported when used, as every command does.
    from kurilsim.forms.registry import scenario_json_schema

    echo(json_text(scenario_json_schema(), versioned=False))
    return EXIT_OK
