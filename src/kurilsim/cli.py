"""The ``kurilsim`` command line: a thin shell over the Python API.

Exit codes: 0 success, 2 bad input or usage (a one-line reason on stderr), 1 anything else,
including a method stopped at its bound.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence

from kurilsim import __version__
from kurilsim.errors import InputError, IterationLimitError
from kurilsim.run import load_game, run
from kurilsim.scenario import ScenarioFile, load_scenario
from kurilsim.solvers.regret import DEFAULT_TOL
from kurilsim.solvers.solve import METHODS

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """Reports usage errors through :class:`InputError` so every bad input exits the same way."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise InputError(f"{message} (see '{self.prog} --help')")


def _assignment(text: str) -> tuple[str, float]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{name}: expected a number, got {value!r}") from None
    if not math.isfinite(number):
        raise argparse.ArgumentTypeError(f"{name}: expected a finite number, got {value!r}")
    return name.strip(), number


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="kurilsim",
        description="Game models of the Kuril Islands dispute: solve scenario files and games.",
    )
    parser.add_argument("--version", action="version", version=f"kurilsim {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    run_cmd = commands.add_parser(
        "run", help="solve a scenario (.yaml) or Gambit game (.nfg) and print its equilibria"
    )
    run_cmd.add_argument("file", metavar="FILE")
    run_cmd.add_argument(
        "--set",
        dest="overrides",
        metavar="NAME=VALUE",
        type=_assignment,
        action="append",
        default=[],
        help="set a scenario parameter (repeatable)",
    )
    run_cmd.add_argument(
        "--method",
        default="auto",
        choices=["auto", *METHODS],
        help="solution method (default: auto, every equilibrium the game's size allows)",
    )
    run_cmd.add_argument("--format", choices=["table", "json"], default="table")
    run_cmd.add_argument(
        "--tol", type=float, default=DEFAULT_TOL, help="relative tolerance (x payoff scale)"
    )
    run_cmd.add_argument(
        "--max-seconds", type=float, help="time bound for support-enumeration (default 60)"
    )
    run_cmd.add_argument("--max-iter", type=int, help="pivot bound for lemke-howson")

    validate_cmd = commands.add_parser("validate", help="check scenario or .nfg files")
    validate_cmd.add_argument("files", metavar="FILE", nargs="+")

    commands.add_parser("schema", help="print the JSON Schema of the scenario format")
    return parser


def _run(args: argparse.Namespace) -> int:
    options = {
        key: value
        for key, value in (("max_seconds", args.max_seconds), ("max_iter", args.max_iter))
        if value is not None
    }
    solution = run(args.file, dict(args.overrides), args.method, args.tol, **options)
    if args.format == "json":
        print(json.dumps(solution.to_dict(), indent=2))
    else:
        print(solution.to_text())
    return EXIT_OK


def _validate(args: argparse.Namespace) -> int:
    failures = 0
    for name in args.files:
        try:
            if name.lower().endswith(".nfg"):
                game, _ = load_game(name)
                print(f"{name}: ok ({game.n_players} players)")
            else:
                scenario = load_scenario(name)
                scenario.game()  # payoffs at the defaults must be finite too
                print(f"{name}: ok ({scenario.title})")
        except InputError as exc:
            print(f"kurilsim: {exc}", file=sys.stderr)
            failures += 1
    return EXIT_INPUT if failures else EXIT_OK


def _schema(args: argparse.Namespace) -> int:
    schema = ScenarioFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "kurilsim scenario file, format version 1"
    print(json.dumps(schema, indent=2))
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``) and return the exit code."""
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return EXIT_INPUT
        handler = {"run": _run, "validate": _validate, "schema": _schema}[args.command]
        return handler(args)
    except InputError as exc:
        print(f"kurilsim: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except IterationLimitError as exc:
        print(f"kurilsim: {exc}; raise the bound or choose another method", file=sys.stderr)
        return EXIT_INTERNAL
    except KeyboardInterrupt:
        print("kurilsim: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # the last line of defence: report, never dump a traceback
        print(
            f"kurilsim: internal error ({type(exc).__name__}: {exc}); please report it",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
