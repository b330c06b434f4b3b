"""Throughput of a pure-Nash regime map of the bundled four-player scenario vs a per-game loop.

Run by hand: ``python benchmarks/bench_sweep.py [--workers K] [--loop-points N]``.

(a) ``kurilsim.sweep`` over a sanctions x trust grid of 10^4, 10^5 and 10^6 points, pure Nash,
    the whole tidy table built (one row per point and equilibrium), in memory and written to
    Parquet; (b) the same points solved one game at a time in a loop over pygambit's
    pure-strategy enumeration (``enumpure_solve``), which must build one Gambit game per point.
    The loop runs on a sample of the points and its rate is extrapolated; it checks that both
    find the same equilibria. Prints points per second for both and their ratio.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

import kurilsim
from kurilsim.forms.normal.pure_nash import pure_nash_mask
from kurilsim.sweeps.engine import default_workers

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "sochi_2016.yaml"
#: Grid shapes (sanctions values, trust values) for 10^4, 10^5 and 10^6 points.
SHAPES = ((100, 100), (400, 250), (1000, 1000))


def grid(shape: tuple[int, int]) -> dict[str, tuple[float, float, int]]:
    return {"sanctions": (0.0, 0.7, shape[0]), "trust": (0.0, 1.0, shape[1])}


def timed_sweep(scenario, shape, workers, out=None) -> tuple[float, object]:
    start = time.perf_counter()
    result = kurilsim.sweep(scenario, grid(shape), workers=workers, out=out, progress=False)
    seconds = time.perf_counter() - start
    return seconds, result


def gambit_pure(payoffs: np.ndarray) -> list[tuple[int, ...]]:
    import pygambit as gbt

    game = gbt.Game.from_arrays(*(payoffs[..., i] for i in range(payoffs.shape[-1])))
    found = []
    for profile in gbt.nash.enumpure_solve(game).equilibria:
        found.append(
            tuple(
                int(np.argmax([float(profile[s]) for s in player.strategies]))
                for player in game.players
            )
        )
    return sorted(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--loop-points", type=int, default=3000)
    args = parser.parse_args()
    scenario = kurilsim.load_scenario(SCENARIO)
    print(f"{scenario.title}: {' x '.join(map(str, (len(s) for s in scenario.strategies)))}")
    print(f"kurilsim {kurilsim.__version__}, {args.workers} workers\n")

    print("(a) kurilsim.sweep, pure Nash, tidy table")
    rates = {}
    for shape in SHAPES:
        n = shape[0] * shape[1]
        seconds, result = timed_sweep(scenario, shape, args.workers)
        rows = len(result.to_frame())
        rates[n] = n / seconds
        print(
            f"  {n:>9,} points, in memory : {seconds:7.2f} s = {n / seconds:>11,.0f} points/s"
            f"  ({rows:,} rows)"
        )
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / "sweep.parquet"
            seconds, _ = timed_sweep(scenario, shape, args.workers, out)
            size = out.stat().st_size / 1e6
            print(
                f"  {n:>9,} points, to Parquet: {seconds:7.2f} s = {n / seconds:>11,.0f} "
                f"points/s  ({size:.1f} MB)"
            )

    print(
        f"\n(b) one game at a time: pygambit enumpure_solve on {args.loop_points:,} of the points"
    )
    try:
        import pygambit  # noqa: F401
    except ImportError:
        print("  pygambit is not installed (pip install -e '.[dev]'); skipped")
        return
    shape = SHAPES[-1]
    rng = np.random.default_rng(2026)
    sanctions = rng.uniform(0, 0.7, args.loop_points)
    trust = rng.uniform(0, 1, args.loop_points)
    batch = scenario.payoffs({"sanctions": sanctions, "trust": trust})
    start = time.perf_counter()
    looped = [gambit_pure(batch[k]) for k in range(args.loop_points)]
    loop_rate = args.loop_points / (time.perf_counter() - start)
    print(f"  payoffs precomputed      : {loop_rate:>11,.0f} points/s")
    start = time.perf_counter()
    for k in range(200):
        gambit_pure(scenario.payoffs({"sanctions": sanctions[k], "trust": trust[k]}))
    full_rate = 200 / (time.perf_counter() - start)
    print(f"  payoffs evaluated per game: {full_rate:>11,.0f} points/s")
    mask = pure_nash_mask(batch)
    ours = [sorted(map(tuple, np.argwhere(m).tolist())) for m in mask]
    agree = sum(a == b for a, b in zip(ours, looped, strict=True))
    print(f"  same equilibria as kurilsim on {agree:,} of {len(looped):,} points")

    best = rates[shape[0] * shape[1]]
    print(
        f"\nratio at 10^6 points: {best / loop_rate:,.0f} x the pygambit loop "
        f"({best / full_rate:,.0f} x with payoffs evaluated per game)"
    )


if __name__ == "__main__":
    main()
