"""``kurilsim sweep``: solve a scenario over a parameter grid or Monte Carlo samples."""

from __future__ import annotations

import argparse
import time
from typing import TYPE_CHECKING, Any

from kurilsim.cli import common
from kurilsim.cli.common import (
    EXIT_INTERNAL,
    EXIT_OK,
    add_listing_bounds,
    add_parameter_option,
    add_tolerance_option,
    check_figure,
    check_writable,
    count,
    echo,
    given_options,
    note,
    positive,
    refuse_unused,
    status,
)
from kurilsim.core.errors import InputError, in_file

if TYPE_CHECKING:
    from kurilsim.sweeps.spec import GridAxis

#: Figure kinds and the sweeps they fit.
PLOT_KINDS = ("regime", "probabilities", "payoffs", "shares", "deal")


def register(commands: Any) -> None:
    """Add the ``sweep`` subcommand to ``commands``."""
    commands.add_parser(
        "sweep",
        help="solve a scenario over a parameter grid or Monte Carlo samples; write a table, plot",
        description="Solve a scenario of any game form at every point of a grid over 1 to 3 "
        "parameters, of Monte Carlo samples of the others, or of both. Prints the share of "
        "points in each regime.",
        arguments=add_arguments,
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``kurilsim sweep``, whose choices come from the solvers."""
    # Imported here, when the command is used, so that building the command line loads no solver.
    from kurilsim.core.arguments import DEFAULT_SEED
    from kurilsim.core.option_defaults import ARRAY_CHUNK, DEFAULT_MAX_MEMORY, GAME_CHUNK

    parser.add_argument(
        "file",
        metavar="FILE",
        help="a scenario file (.yaml) of any game form",
    )
    parser.add_argument(
        "--grid",
        metavar="NAME=START:STOP:N",
        type=grid_axis,
        action="append",
        default=[],
        help="N evenly spaced values of a parameter, ends included (repeatable, up to 3)",
    )
    parser.add_argument(
        "--samples", type=positive, help="Monte Carlo draws of every parameter not on the grid"
    )
    parser.add_argument(
        "--seed", type=count, help=f"seed of the --samples draws (default {DEFAULT_SEED})"
    )
    add_parameter_option(parser, "hold a parameter at a value for the whole sweep (repeatable)")
    parser.add_argument(
        "--method",
        help="solution method (default: pure for a normal-form scenario, backward-induction for "
        "a game tree, both solved a chunk at a time on arrays; every bargaining solution, SEQ "
        "stability for a conflict, and the form's own default for the other forms, solved point "
        "by point)",
    )
    add_tolerance_option(parser)
    add_listing_bounds(
        parser,
        "time bound per game (support-enumeration, a conflict's stability, a game tree's "
        "listing of tied subgame-perfect equilibria)",
    )
    parser.add_argument("--max-iter", type=positive, help="pivot bound per game (lemke-howson)")
    parser.add_argument("--out", metavar="PATH", help="write the table (.parquet or .csv)")
    parser.add_argument(
        "--format",
        choices=["parquet", "csv"],
        help="the table's format, checked against the --out name (.csv for CSV, else Parquet)",
    )
    parser.add_argument("--plot", metavar="PATH", help="save a figure (.png, .svg or .pdf)")
    parser.add_argument(
        "--plot-kind",
        choices=PLOT_KINDS,
        help="figure to save (default: regime map for 2 grid axes, probabilities for 1 (the "
        "probability of a deal for games of incomplete information), shares with samples)",
    )
    parser.add_argument(
        "--engine",
        choices=["local", "dask"],
        default="local",
        help="where the chunks are solved: processes on this machine, or a Dask cluster",
    )
    parser.add_argument("--workers", type=positive, help="parallel workers (default: one per core)")
    parser.add_argument("--scheduler", metavar="ADDRESS", help="a running Dask scheduler")
    parser.add_argument(
        "--chunk-size",
        type=positive,
        help=f"points per chunk (default: {ARRAY_CHUNK:,} for a method on arrays, at most "
        f"{GAME_CHUNK} point by point, within --max-memory)",
    )
    parser.add_argument(
        "--max-memory",
        type=positive,
        default=DEFAULT_MAX_MEMORY // 2**20,
        metavar="MB",
        help="limit on one chunk's estimated memory (default %(default)s MB)",
    )
    parser.add_argument(
        "--resume", action="store_true", help="complete the unfinished sweep at --out"
    )
    parser.add_argument("--force", action="store_true", help="replace a sweep already at --out")
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show a progress bar (default: when standard error is a terminal)",
    )
    parser.set_defaults(handler=handle)


def plot_kind(args: argparse.Namespace) -> str:
    """The figure ``--plot`` saves, checked against the sweep's shape before anything runs."""
    axes = len(args.grid)
    kind: str = args.plot_kind or ("shares" if args.samples else "auto" if axes == 1 else "regime")
    if kind == "regime" and (args.samples or axes != 2):
        raise InputError("a regime map needs a grid over exactly two parameters and no --samples")
    if kind in ("probabilities", "payoffs", "deal") and (args.samples or axes != 1):
        raise InputError(f"{kind} curves need a grid over one parameter and no --samples")
    return kind


def grid_axis(text: str) -> GridAxis:
    """The value of ``--grid``, ``NAME=START:STOP:N``, as a :class:`~kurilsim.sweeps.GridAxis`.

    The sweeps, which need numpy, are imported when a value is read, not when the help is shown.
    """
    from kurilsim.sweeps.spec import GridAxis

    return GridAxis.parse(text)


def handle(args: argparse.Namespace) -> int:
    """Run the sweep, write the table and the figure, print the regime shares.

    Exits 1 where the answer at some points is incomplete, as the summary warns.
    """
    # Imported when used, as every command does (figures only with --plot: half a second).
    from kurilsim.sweeps import sweep

    refuse_unused(args, {"--seed": "--samples", "--plot-kind": "--plot", "--format": "--out"})
    if (args.resume or args.force) and not args.out:
        raise InputError("--resume and --force need --out")
    if args.scheduler and args.engine != "dask":
        raise InputError("--scheduler needs --engine dask")
    names = [axis.name for axis in args.grid]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise InputError(f"--grid: {', '.join(map(repr, repeated))} is given more than once")
    check_writable("--out", args.out)
    check_figure(args.plot)
    kind = plot_kind(args) if args.plot else None
    options = given_options(args, "max_seconds", "max_iter", "max_equilibria")
    note(f"sweeping {args.file}: grid {names or 'none'}, {args.samples or 0} samples")
    started = time.perf_counter()
    with in_file(args.file):  # a problem the solver finds is the scenario's
        result = sweep(
            args.file,
            {axis.name: (axis.start, axis.stop, axis.n) for axis in args.grid},
            samples=args.samples or 0,
            fixed=args.overrides,
            method=args.method,
            tol=args.tol,
            options=options,
            out=args.out,
            format=args.format,
            resume=args.resume,
            overwrite=args.force,
            engine=args.engine,
            workers=args.workers,
            scheduler=args.scheduler,
            **given_options(args, "seed"),
            chunk_size=args.chunk_size,
            max_memory=args.max_memory * 2**20,
            progress=False if common.verbosity < 0 else args.progress,
        )
    seconds = time.perf_counter() - started
    echo(result.summary())
    status(f"({seconds:.1f} s, {speed(result.info.n_points, seconds)})")
    if args.out:
        status(f"wrote {args.out}")
    if args.plot:
        from kurilsim.presentation.figures import plot

        plot(result, kind).savefig(args.plot, dpi=150, bbox_inches="tight")
        status(f"wrote {args.plot}")
    # Points where the method stopped short may miss equilibria: not a full success, as in run.
    return EXIT_INTERNAL if result.incomplete_reasons else EXIT_OK


def speed(points: int, seconds: float) -> str:
    """How fast a sweep went, readable at any speed (never "0 points/s").

    Examples
    --------
    >>> speed(100_000, 4.0), speed(30, 4.0), speed(3, 8.4)
    ('25,000 points/s', '7.5 points/s', '2.8 s per point')
    """
    rate = points / max(seconds, 1e-9)
    if rate >= 10:
        return f"{rate:,.0f} points/s"
    if rate >= 1:
        return f"{rate:.2g} points/s"
    return f"{seconds / points:.2g} s per point"
