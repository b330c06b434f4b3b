"""``kurilsim validate``: check scenario, statements, .nfg and .efg files, reporting each."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from kurilsim.cli.common import EXIT_INPUT, EXIT_OK, echo, file_notes
from kurilsim.core.errors import InputError, InputProblems


def register(commands: Any) -> None:
    """Add the ``validate`` subcommand to ``commands``."""
    parser = commands.add_parser("validate", help="check scenario, statements, .nfg or .efg files")
    parser.add_argument(
        "files", metavar="FILE", nargs="+", help="scenario, statements, .nfg or .efg files"
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Check each file; exit 2 if any is bad, after reporting every problem of all of them."""
    failures = 0
    for name in args.files:
        try:
            what = _validate(name)
        except InputError as exc:
            for problem in exc.problems if isinstance(exc, InputProblems) else (exc,):
                echo(f"kurilsim: {problem}", file=sys.stderr)
            failures += 1
        else:
            echo(f"{name}: ok ({what})")
    return EXIT_INPUT if failures else EXIT_OK


def _validate(name: str) -> str:
    """Read ``name`` by its kind and return what it holds, in a few words."""
    # Imported when used, as every command does, and each only for the kind of file read.
    if name.lower().endswith((".nfg", ".efg")):
        from kurilsim.solving import read_game

        game = read_game(name)
        file_notes(name, game.notes)
        return game.title or "untitled"
    if _is_statements_file(name):
        from kurilsim.analysis.statements import check_statements, load_statements

        statements = load_statements(name)
        # Checking them finds any scenario, parameter or player they name that is missing.
        check_statements(statements, Path(name).parent)
        return f"{len(statements.statements)} testable statements"
    from kurilsim.io.shared_parameters import is_shared_parameters_file, load_shared_parameters

    if is_shared_parameters_file(name):
        return f"{len(load_shared_parameters(name).parameters)} shared parameters"
    from kurilsim.forms.registry import checked_scenario
    from kurilsim.io.sources import read_source

    text, source = read_source(name, "path")
    scenario, problems = checked_scenario(text, source)
    if problems or scenario is None:
        raise InputProblems(problems)
    return scenario.title or "untitled"


def _is_statements_file(name: str) -> bool:
    """Whether ``name`` is a YAML mapping with the statements key (unreadable files are not)."""
    from kurilsim.core.schema import STATEMENTS_KEY
    from kurilsim.io.sources import read_source
    from kurilsim.io.yaml_source import read_yaml

    try:
        text, _ = read_source(name, "file")
        # A file that never names the key is not one, and need not be parsed before loading.
        data = read_yaml(text, name).data if STATEMENTS_KEY in text else None
    except InputError:
        return False  # load_scenario reports the problem
    return isinstance(data, dict) and STATEMENTS_KEY in data
