"""``kurilsim validate``: check scenario and .nfg files, reporting each."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from kurilsim.cli.common import EXIT_INPUT, EXIT_OK
from kurilsim.errors import InputError
from kurilsim.run import load_game


def register(commands: Any) -> None:
    """Add the ``validate`` subcommand to ``commands``."""
    parser = commands.add_parser("validate", help="check scenario or .nfg files")
    parser.add_argument("files", metavar="FILE", nargs="+")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Check each file; exit 2 if any is bad, after reporting all of them."""
    failures = 0
    for name in args.files:
        try:
            game, _ = load_game(name)  # builds the game, so payoffs at the defaults are checked too
        except InputError as exc:
            print(f"kurilsim: {exc}", file=sys.stderr)
            failures += 1
        else:
            print(f"{name}: ok ({game.title or 'untitled'}; {game.n_players} players)")
    return EXIT_INPUT if failures else EXIT_OK
