"""The ``kurilsim`` command line: a thin shell over the Python API.

Each subcommand lives in its own module of this package and adds itself to the parser through
``register(commands)``, setting ``handler`` to the function that runs it. A subcommand imports
the library only when it is used (its handler, and any arguments whose choices or defaults come
from the library, import it), so ``kurilsim --help`` and ``--version`` load none of it.

Exit codes: 0 success, 2 bad input or usage (a one-line reason on stderr), 1 anything else,
including a method stopped at its bound.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from kurilsim.cli import (
    backtest,
    compare,
    explain,
    qre,
    run,
    schema,
    sweep,
    tipping,
    validate,
)
from kurilsim.cli.common import (
    EXIT_INPUT,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    INTERRUPTED,
    Parser,
    Version,
    echo,
)
from kurilsim.core.errors import InputError, IterationLimitError

#: Shown under ``kurilsim --help`` (and by ``kurilsim`` alone).
EPILOG = """\
examples:
  kurilsim run scenarios/sochi_2016.yaml                  the equilibria of the 2016 scenario
  kurilsim run scenarios/sochi_2016.yaml --set trust=0.9  the same at another parameter value
  kurilsim compare scenarios/sochi_2016.yaml              what each concept predicts; why no deal
  kurilsim explain scenarios/sochi_2016.yaml              each payoff, and the evidence behind it
  kurilsim sweep scenarios/sochi_2016.yaml --grid sanctions=0:0.7:36 --grid trust=0:1:26 \\
      --plot map.png                                      a regime map
  kurilsim COMMAND --help                                 the options of a command

Scenario files: scenarios/ in the source tree; the format: kurilsim schema, docs/scenario-format.md.
Documentation: docs/ (build the site with: mkdocs build --strict).
"""

#: Exit code when standard output is closed early, as a shell reports a process ended by SIGPIPE.
EXIT_BROKEN_PIPE = 141

#: The subcommand modules, in the order ``--help`` lists them.
COMMANDS = (run, compare, qre, validate, explain, backtest, sweep, tipping, schema)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``kurilsim`` command, with every subcommand."""
    parser = Parser(
        prog="kurilsim",
        description="Game models of the Kuril Islands dispute: solve scenario files and games.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=Version, help="show program's version number and exit")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for module in COMMANDS:
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``) and return the exit code."""
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return EXIT_INPUT
        code: int = args.handler(args)
        return code
    except InputError as exc:
        echo(f"kurilsim: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except IterationLimitError as exc:
        echo(f"kurilsim: {exc}; raise the bound or choose another method", file=sys.stderr)
        return EXIT_INTERNAL
    except KeyboardInterrupt:
        echo(INTERRUPTED, file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader of our output went away (as with `| head`): stop quietly, as pipes expect.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except Exception as exc:  # the last line of defence: report, never dump a traceback
        echo(
            f"kurilsim: internal error ({type(exc).__name__}: {exc}); please report it",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
