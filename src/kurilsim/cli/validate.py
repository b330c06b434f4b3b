"""``kurilsim validate``: check scenario, .nfg and .efg files, reporting each."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from kurilsim.cli.common import EXIT_INPUT, EXIT_OK
from kurilsim.errors import InputError
from kurilsim.io.efg import read_efg
from kurilsim.io.nfg import read_nfg
from kurilsim.scenario import load_scenario


def register(commands: Any) -> None:
    """Add the ``validate`` subcommand to ``commands``."""
    parser = commands.add_parser("validate", help="check scenario, .nfg or .efg files")
    parser.add_argument("files", metavar="FILE", nargs="+")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Check each file; exit 2 if any is bad, after reporting all of them."""
    failures = 0
    for name in args.files:
        try:
            if name.lower().endswith(".nfg"):
                title = read_nfg(name).title
            elif name.lower().endswith(".efg"):
                title = read_efg(name).title
            else:
                title = load_scenario(name).title
        except InputError as exc:
            print(f"kurilsim: {exc}", file=sys.stderr)
            failures += 1
        else:
            print(f"{name}: ok ({title or 'untitled'})")
    return EXIT_INPUT if failures else EXIT_OK
