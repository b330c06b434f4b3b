"""``kurilsim qre``: trace the principal logit QRE branch of a game and find its limit."""

from __future__ import annotations

import argparse
import math
from typing import TYPE_CHECKING, Any

from kurilsim.cli.common import (
    EXIT_OK,
    add_parameter_option,
    add_tolerance_option,
    check_figure,
    echo,
    file_notes,
    json_text,
    positive,
    seconds,
    status,
)
from kurilsim.core.errors import InputError

if TYPE_CHECKING:
    from kurilsim.forms.normal.game import NormalFormGame


def register(commands: Any) -> None:
    """Add the ``qre`` subcommand to ``commands`` (an argparse subparsers object)."""
    commands.add_parser(
        "qre",
        help="trace the logit quantal response equilibrium from lambda 0 to its Nash limit",
        arguments=add_arguments,
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``kurilsim qre``."""
    # Imported here, when the command is used, so that building the command line loads no solver.
    from kurilsim.core.deadline import DEFAULT_MAX_SECONDS

    parser.add_argument(
        "file", metavar="FILE", help="a scenario (.yaml) with a normal form, or a .nfg game"
    )
    add_parameter_option(parser)
    parser.add_argument(
        "--lambda-max", type=float, metavar="L",
        help="end of the traced branch, in --units (default: 1000 relative, or 1000 / the "
        "game's payoff range)",
    )  # fmt: skip
    parser.add_argument(
        "--units",
        choices=["relative", "payoff"],
        default="relative",
        help="lambda relative to each player's payoff range (default), or one lambda in the "
        "game's payoff units as in Gambit",
    )
    parser.add_argument(
        "--max-seconds", type=seconds, default=DEFAULT_MAX_SECONDS,
        help="time bound of each trace (default %(default)g)",
    )  # fmt: skip
    parser.add_argument("--rows", type=positive, default=8, help="rows of the table (default 8)")
    add_tolerance_option(parser, "tolerance of the limit, relative to the payoffs' scale")
    parser.add_argument(
        "--format",
        choices=["table", "json"],
        default="table",
        help="how to print the result: a table for people, or JSON for programs",
    )
    parser.add_argument("--plot", metavar="PATH", help="save the branch's plot (.png/.svg/.pdf)")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Run ``kurilsim qre`` with parsed arguments."""
    # Imported when used, as every command does; matplotlib only when a plot is asked for.
    from kurilsim.forms.normal.logit_qre import logit_correspondence
    from kurilsim.forms.normal.solve import solve
    from kurilsim.presentation.figures import plot

    check_figure(args.plot)
    if args.lambda_max is not None and not (math.isfinite(args.lambda_max) and args.lambda_max > 0):
        raise InputError(f"--lambda-max must be a positive number, got {args.lambda_max!r}")
    game, parameters = _load_game(args.file, args.overrides)
    _check_traceable(game, args.tol, args.file)
    branch = logit_correspondence(
        game.payoffs, args.lambda_max, max_seconds=args.max_seconds, units=args.units
    ).labelled(game)
    limit = solve(
        game,
        "logit",
        args.tol,
        parameters=parameters,
        max_seconds=args.max_seconds,
        units=args.units,
    )
    if args.format == "json":
        echo(json_text({"branch": branch.to_dict(), "limit": limit.to_dict()}))
    else:
        echo(f"Principal logit QRE branch of {game.title or args.file}")
        echo(branch.to_text(rows=args.rows))
        echo()
        echo("Its limit:")
        echo(limit.to_text())
    if args.plot:
        from matplotlib.figure import Figure

        figure = Figure(figsize=(8.0, 5.0), layout="constrained")
        plot(branch, ax=figure.add_subplot())
        figure.savefig(args.plot, dpi=150)
        status(f"wrote {args.plot}")
    return EXIT_OK


def _check_traceable(game: NormalFormGame, tol: float, path: str) -> None:
    """Refuse, in one line, a large game in which no payoff depends on the player's own strategy.

    There the logit QRE is uniform at every lambda, and tracing it through a game too large to
    list (the bound of ``kurilsim run``) would take minutes to say so.
    """
    import numpy as np

    from kurilsim.forms.normal.regret import indifferent_everywhere
    from kurilsim.forms.normal.solve import MAX_LISTED_NUMBERS

    shape = game.payoffs.shape[:-1]
    size = float(np.prod(shape, dtype=np.float64)) * sum(shape)
    if size > MAX_LISTED_NUMBERS and indifferent_everywhere(game.payoffs, tol):
        raise InputError(
            "no player's payoff depends on their own strategy, so every profile is an "
            "equilibrium and the logit QRE is uniform (all strategies equally likely) at every "
            "lambda",
            file=path,
        )


def _load_game(path: str, overrides: dict[str, float]) -> tuple[NormalFormGame, dict[str, Any]]:
    """The normal form of a scenario's game, or the game in a ``.nfg`` file, and the values used."""
    from kurilsim.forms.normal.nfg import read_nfg
    from kurilsim.forms.registry import load_scenario
    from kurilsim.solving import SCENARIO_SUFFIXES

    if path.lower().endswith(".nfg"):
        if overrides:
            raise InputError("parameters can only be set for scenario files", file=path)
        game = read_nfg(path)
        file_notes(path, game.notes)
        return game, {}
    if not path.lower().endswith(SCENARIO_SUFFIXES):
        raise InputError(
            "unknown file type; expected a .yaml/.yml scenario or a .nfg game", file=path
        )
    scenario = load_scenario(path)
    values = scenario.parameter_values(overrides)
    try:
        normal: NormalFormGame = scenario.form.normal_form(scenario, values)
    except InputError as exc:
        raise InputError(exc.reason, file=exc.file or path, field=exc.field) from None
    return normal, values
