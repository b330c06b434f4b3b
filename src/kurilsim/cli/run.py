"""``kurilsim run``: solve a scenario or .nfg file and print its equilibria."""

from __future__ import annotations

import argparse
import time
from typing import Any

from kurilsim.cli.common import (
    EXIT_INTERNAL,
    EXIT_OK,
    add_parameter_option,
    add_tolerance_option,
    count,
    echo,
    file_notes,
    given_options,
    json_text,
    note,
    positive,
    seconds,
)


def register(commands: Any) -> None:
    """Add the ``run`` subcommand to ``commands`` (an argparse subparsers object)."""
    commands.add_parser(
        "run",
        help="solve a scenario (.yaml) or Gambit game (.nfg, .efg) and print its equilibria",
        arguments=add_arguments,
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``kurilsim run``, whose choices come from the solvers."""
    parser.add_argument(
        "file", metavar="FILE", help="a scenario (.yaml), or a Gambit game (.nfg, .efg)"
    )
    add_parameter_option(parser)
    parser.add_argument(
        "--method",
        default="auto",
        help="solution method (default: auto, every equilibrium the game's size allows, or "
        "every bargaining solution for a bargaining scenario, or nash/gmr/smr/seq stability "
        "for a conflict, or backward-induction for a game tree beside its pure Nash "
        "equilibria; a normal-form method there solves the tree's normal form); an unknown name "
        "is refused with the list of the file's methods",
    )
    parser.add_argument(
        "--format",
        choices=["table", "json"],
        default="table",
        help="how to print the result: a table for people, or JSON for programs",
    )
    parser.add_argument(
        "--limit",
        type=count,
        default=10,
        metavar="N",
        help="list at most N rows of each listing in the table (default 10; 0 lists all); "
        "JSON lists all",
    )
    add_tolerance_option(parser)
    parser.add_argument(
        "--max-seconds",
        type=seconds,
        help="time bound for vertex-enumeration, support-enumeration and a conflict's stability "
        "analysis (default 60), and for listing a tree's subgame-perfect equilibria (default 10)",
    )
    parser.add_argument("--max-iter", type=positive, help="pivot bound for lemke-howson")
    parser.add_argument(
        "--selection",
        help="a dynamic scenario's equilibrium where a stage has several (payoff-dominance, "
        "risk-dominance, logit-limit), or 'all' to list every Markov perfect equilibrium of a "
        "finite horizon (default: the file's)",
    )
    parser.add_argument(
        "--max-equilibria",
        type=positive,
        metavar="N",
        help="list at most N equilibria: a game tree's subgame-perfect ones where moves tie "
        "(default 10,000), or with --selection all a dynamic scenario's (default: the file's, "
        "or 100)",
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Run ``kurilsim run`` with parsed arguments."""
    # Imported when used, as every command does.
    from kurilsim.core.errors import in_file
    from kurilsim.solving import GAME_SUFFIXES, read_game, run, solve

    options = given_options(args, "max_seconds", "max_iter", "selection", "max_equilibria")
    note(f"solving {args.file} by method {args.method}, tolerance {args.tol:g}")
    started = time.perf_counter()
    if args.file.lower().endswith(GAME_SUFFIXES) and not args.overrides:
        game = read_game(args.file)
        file_notes(args.file, game.notes)
        with in_file(args.file):
            solution = solve(game, args.method, args.tol, **options)
    else:  # a scenario, or a game given parameters, which run refuses
        solution = run(args.file, args.overrides, args.method, args.tol, **options)
    note(f"solved in {time.perf_counter() - started:.2f} s")
    if args.format == "json":
        echo(json_text(solution.to_dict()))
    else:
        echo(solution.to_text(limit=args.limit))
    # An incomplete answer (a bound reached, one equilibrium where all were asked for) may miss
    # equilibria: not a full success.
    return EXIT_OK if solution.complete else EXIT_INTERNAL
