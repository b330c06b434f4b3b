"""The ``kurilsim`` command line: a thin shell over the Python API.

Each subcommand lives in its own module of this package and adds itself to the parser through
``register(commands)``, setting ``handler`` to the function that runs it. A subcommand imports
the library only when it is used (its handler, and any arguments whose choices or defaults come
from the library, import it), so ``kurilsim --help`` and ``--version`` load none of it.

Exit codes: 0 success, 2 bad input or usage (a one-line reason on stderr), 1 anything else,
including an incomplete answer (``complete`` False, ``incomplete_reason`` saying why).

The command line stays on :mod:`argparse`: it is in the standard library, so the command needs no
other package to start, and it loads in milliseconds, where click or typer would add their own
import time to every command. Shell completion comes from ``argcomplete``, imported only when the
shell asks for completions.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from importlib import import_module

from kurilsim.cli import common
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

#: The subcommands, in the order ``--help`` lists them; each is the module of its name here.
COMMANDS = (
    "run",
    "compare",
    "qre",
    "learn",
    "validate",
    "explain",
    "backtest",
    "calibrate",
    "sweep",
    "tipping",
    "sensitivity",
    "schema",
)
#: The flags taken before a command, none of which takes a value.
LEADING_FLAGS = frozenset({"-v", "--verbose", "-q", "--quiet", "--debug"})


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser of the ``kurilsim`` command, with every subcommand or only ``command``.

    A parser with one subcommand parses that command's arguments as the whole one does. Building
    a subcommand's parser takes time (argparse looks up the translations of its headings and the
    terminal's width for each), so the command line builds only the one it runs.
    """
    parser = Parser(
        prog="kurilsim",
        description="Game models of the Kuril Islands dispute: solve scenario files and games.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=Version, help="show program's version number and exit")
    add_output_flags(parser)
    commands = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=Parser, help="what to do (see below)"
    )
    for name in COMMANDS if command is None else (command,):
        import_module(f"kurilsim.cli.{name}").register(commands)
    for subcommand in commands.choices.values():
        add_output_flags(subcommand)
    return parser


def add_output_flags(parser: argparse.ArgumentParser) -> None:
    """Add ``-v/--verbose``, ``-q/--quiet`` and ``--debug``, taken before or after the command.

    They have no defaults (``argparse.SUPPRESS``), so that the command's parser does not undo a
    flag given before the command; :func:`main` reads them with ``getattr``.
    """
    default = argparse.SUPPRESS
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "-v",
        "--verbose",
        dest="verbosity",
        action="store_const",
        const=1,
        default=default,
        help="say more on standard error: what is read, solved and written",
    )
    group.add_argument(
        "-q",
        "--quiet",
        dest="verbosity",
        action="store_const",
        const=-1,
        default=default,
        help="print only the results: no notes, times, progress bars or names of files written",
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        default=default,
        help="on an internal error, print the traceback instead of a one-line message",
    )


def named_command(argv: Sequence[str]) -> str | None:
    """The command ``argv`` runs when it names one after the flags of :data:`LEADING_FLAGS` alone.

    None otherwise (no command, help, a mistyped command, any other option first): then the
    whole command line parses ``argv``, to show its help or name every command in the error.

    Examples
    --------
    >>> named_command(["-q", "validate", "a.yaml"]), named_command(["--help", "validate"])
    ('validate', None)
    """
    for arg in argv:
        if arg not in LEADING_FLAGS:
            return arg if arg in COMMANDS else None
    return None


def _complete(parser: argparse.ArgumentParser) -> None:
    """Answer the shell's request for completions, when it is one (``eval "$(register-...)"``)."""
    if "_ARGCOMPLETE" in os.environ:
        import argcomplete

        # argcomplete adapts the arguments it finds, so every command's must be there first.
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for command in action.choices.values():
                    command.format_help()
        argcomplete.autocomplete(parser)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``) and return the exit code."""
    debug, common.verbosity = False, 0
    try:
        argv = sys.argv[1:] if argv is None else argv
        # Completion needs every command; otherwise the parser has only the command given.
        parser = build_parser(None if "_ARGCOMPLETE" in os.environ else named_command(argv))
        _complete(parser)
        args = parser.parse_args(argv)
        common.verbosity = getattr(args, "verbosity", 0)
        debug = getattr(args, "debug", False)
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
    except Exception as exc:  # the last line of defence: report; a traceback only with --debug
        if debug:
            import traceback  # only here: every command would load it, for --debug alone

            echo(traceback.format_exc(), file=sys.stderr, end="")
            return EXIT_INTERNAL
        echo(
            f"kurilsim: internal error ({type(exc).__name__}: {exc}); please report it",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
