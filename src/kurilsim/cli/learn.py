"""``kurilsim learn``: run learning dynamics on a game and say where play goes."""

from __future__ import annotations

import argparse
import math
import re
from typing import Any

from kurilsim.cli.common import (
    EXIT_INTERNAL,
    EXIT_OK,
    add_parameter_option,
    check_figure,
    count,
    echo,
    file_notes,
    given_options,
    json_text,
    positive,
    refuse_unused,
    status,
)
from kurilsim.core.errors import InputError, in_file

#: The dynamics, as ``--dynamics`` takes them (the keys of ``kurilsim.analysis.learning.DYNAMICS``,
#: repeated here so that building the command line imports no solver; a test keeps them equal).
DYNAMICS = ("fictitious-play", "replicator", "logit")

#: One player's mixture in ``--start``: ``NAME=P1,P2,...``.
_MIXTURE = re.compile(r"\s*([^=;]+?)\s*=\s*([^=;]*)")


def register(commands: Any) -> None:
    """Add the ``learn`` subcommand to ``commands`` (an argparse subparsers object)."""
    commands.add_parser(
        "learn",
        help="run fictitious play, replicator or logit dynamics and report where play converges",
        arguments=add_arguments,
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``kurilsim learn``."""
    # Imported here, when the command is used, so that building the command line loads none of it.
    from kurilsim.core.arguments import DEFAULT_SEED

    parser.add_argument(
        "file",
        metavar="FILE",
        help="a scenario (.yaml) whose game has a normal form, or a .nfg game",
    )
    parser.add_argument(
        "--dynamics", choices=DYNAMICS, default="fictitious-play",
        help="the learning dynamics (default %(default)s)",
    )  # fmt: skip
    parser.add_argument(
        "--start", metavar="MIXTURES", type=start_mixtures, default=None,
        help='starting mixtures, e.g. "Russia=0.5,0.3,0.2;Japan=1,0,0": one probability per '
        "strategy, in the file's order, players separated by ';' (players left out start "
        "uniform; default: all uniform)",
    )  # fmt: skip
    parser.add_argument(
        "--steps", type=positive, default=None,
        help="rounds of fictitious play or time steps (default: 10000 rounds, 2000 steps)",
    )  # fmt: skip
    parser.add_argument(
        "--step-size", type=float, default=None,
        help="time per step of the replicator and logit dynamics (default 0.05)",
    )  # fmt: skip
    parser.add_argument(
        "--precision", type=float, default=None,
        help="lambda of the logit dynamics, relative to each player's payoff range (default 10)",
    )  # fmt: skip
    parser.add_argument(
        "--seed", type=count, help=f"seed of fictitious play's ties (default {DEFAULT_SEED})"
    )
    parser.add_argument(
        "--tol", type=float, default=None,
        help="tolerance of convergence (default 0.01 for fictitious play, 1e-6 otherwise)",
    )  # fmt: skip
    add_parameter_option(parser)
    parser.add_argument("--rows", type=positive, default=8, help="rows of the table (default 8)")
    parser.add_argument(
        "--format",
        choices=["table", "json"],
        default="table",
        help="how to print the result: a table for people, or JSON for programs",
    )
    parser.add_argument("--plot", metavar="PATH", help="save the path's plot (.png/.svg/.pdf)")
    parser.add_argument(
        "--figure", choices=["time", "simplex"],
        help="the plot: probabilities over time, or each player's path on the simplex "
        "(players with 2 or 3 strategies; default time)",
    )  # fmt: skip
    parser.set_defaults(handler=handle)


def start_mixtures(text: str) -> dict[str, list[float]]:
    """Parse ``--start``: ``PLAYER=P1,P2,...`` for each player, separated by ``;``.

    Examples
    --------
    >>> start_mixtures("Russia=0.5,0.5; Japan = 1,0")
    {'Russia': [0.5, 0.5], 'Japan': [1.0, 0.0]}
    >>> start_mixtures("Russia")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: expected PLAYER=P1,P2,... separated by ';', got 'Russia'
    """
    mixtures: dict[str, list[float]] = {}
    for part in filter(str.strip, text.split(";")):
        match = _MIXTURE.fullmatch(part)
        if match is None:
            raise argparse.ArgumentTypeError(
                f"expected PLAYER=P1,P2,... separated by ';', got {part.strip()!r}"
            )
        player, values = match.groups()
        if player in mixtures:
            raise argparse.ArgumentTypeError(f"{player} is given twice")
        try:
            probs = [float(v) for v in values.split(",")]
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{player}: expected probabilities separated by ',', got {values.strip()!r}"
            ) from None
        if not all(math.isfinite(p) for p in probs):
            raise argparse.ArgumentTypeError(f"{player}: expected finite probabilities")
        mixtures[player] = probs
    if not mixtures:
        raise argparse.ArgumentTypeError("expected PLAYER=P1,P2,... for at least one player")
    return mixtures


def handle(args: argparse.Namespace) -> int:
    """Run ``kurilsim learn`` with parsed arguments."""
    # Imported when used, as every command does; matplotlib only when a plot is asked for.
    from kurilsim.analysis.learning import TAKEN_BY, learn, refuse_other_dynamics_options
    from kurilsim.presentation.figures import plot

    check_figure(args.plot)
    refuse_unused(args, {"--figure": "--plot"})
    flags = {name: "--" + name.replace("_", "-") for name in given_options(args, *TAKEN_BY)}
    refuse_other_dynamics_options(args.dynamics, flags)
    game_or_scenario, parameters = _load(args.file, args.overrides)
    with in_file(args.file):  # a problem the solver finds is the scenario's
        path = learn(
            game_or_scenario,
            args.dynamics,
            start=args.start,
            steps=args.steps,
            seed=args.seed,
            tol=args.tol,
            step_size=args.step_size,
            precision=args.precision,
            parameters=parameters,
        )
    if args.format == "json":
        echo(json_text(path.to_dict()))
    else:
        echo(path.to_text(limit=args.rows))
    if args.plot:
        plot(path, args.figure or "time").savefig(args.plot, dpi=150)
        status(f"wrote {args.plot}")
    return EXIT_OK if path.converged else EXIT_INTERNAL


def _load(path: str, overrides: dict[str, float]) -> tuple[Any, dict[str, float] | None]:
    """The scenario (with the values to set) or the ``.nfg`` game in ``path``."""
    from kurilsim.forms.normal.nfg import read_nfg
    from kurilsim.forms.registry import load_scenario
    from kurilsim.solving import SCENARIO_SUFFIXES

    if path.lower().endswith(".nfg"):
        if overrides:
            raise InputError("parameters can only be set for scenario files", file=path)
        game = read_nfg(path)
        file_notes(path, game.notes)
        return game, None
    if not path.lower().endswith(SCENARIO_SUFFIXES):
        raise InputError(
            "unknown file type; expected a .yaml/.yml scenario or a .nfg game", file=path
        )
    return load_scenario(path), overrides
