"""``kurilsim calibrate``: the posterior over shared parameters and QRE precision, given history."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from kurilsim.cli.common import (
    EXIT_OK,
    at_least,
    check_figure,
    count,
    echo,
    given_options,
    json_text,
    positive,
    refuse_unused,
    status,
)


def register(commands: Any) -> None:
    """Add the ``calibrate`` subcommand to ``commands``."""
    commands.add_parser(
        "calibrate",
        help="sample the posterior of the shared parameters and the QRE precision given history",
        arguments=add_arguments,
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``kurilsim calibrate``."""
    # Imported here, when the command is used, so that building the command line loads none of it.
    from kurilsim.core.arguments import DEFAULT_SEED
    from kurilsim.core.option_defaults import (
        DEFAULT_CHECKPOINT,
        DEFAULT_STEPS,
        DEFAULT_WALKERS,
        MIN_WALKERS,
    )

    parser.add_argument(
        "directory",
        metavar="DIR",
        nargs="?",
        default="scenarios",
        help="the folder of era scenarios and their shared parameters (default %(default)s)",
    )
    parser.add_argument(
        "--walkers",
        type=at_least(MIN_WALKERS),
        default=DEFAULT_WALKERS,
        help="walkers (default %(default)s)",
    )
    parser.add_argument(
        "--steps",
        type=positive,
        default=DEFAULT_STEPS,
        help="steps per walker (default %(default)s)",
    )
    parser.add_argument(
        "--seed", type=count, default=DEFAULT_SEED, help="seed of the run (default %(default)s)"
    )
    parser.add_argument(
        "--out", metavar="DIR", help="folder for the chain, written in parts as the run goes"
    )
    parser.add_argument(
        "--checkpoint",
        type=positive,
        help=f"steps between parts written to --out (default {DEFAULT_CHECKPOINT})",
    )
    parser.add_argument(
        "--resume", action="store_true", help="continue the run at --out from its last part"
    )
    parser.add_argument("--plot", metavar="PATH", help="save a figure (.png, .svg or .pdf)")
    parser.add_argument(
        "--plot-kind",
        choices=["marginals", "pairs", "records"],
        help="the figure --plot saves (default marginals)",
    )
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show a progress bar (default: when standard error is a terminal)",
    )
    parser.add_argument(
        "--format",
        choices=["table", "json"],
        default="table",
        help="how to print the result: a table for people, or JSON for programs",
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Sample, print the posterior summary and diagnostics, save the figure."""
    # Imported when used, as every command does.
    from kurilsim.analysis.calibration import calibrate
    from kurilsim.core.errors import InputError

    check_figure(args.plot)
    refuse_unused(args, {"--checkpoint": "--out", "--plot-kind": "--plot"})
    if args.resume and args.out is None:
        raise InputError("--resume: name the run's folder with --out")
    progress = sys.stderr.isatty() if args.progress is None else args.progress
    result = calibrate(
        args.directory,
        walkers=args.walkers,
        steps=args.steps,
        seed=args.seed,
        output=args.out,
        resume=args.resume,
        progress=progress,
        **given_options(args, "checkpoint"),
    )
    echo(json_text(result.to_dict()) if args.format == "json" else result.to_text())
    if args.plot:
        from kurilsim.presentation.figures import plot

        plot(result, args.plot_kind or "marginals").savefig(args.plot, dpi=150, bbox_inches="tight")
        status(f"wrote {args.plot}")
    return EXIT_OK
