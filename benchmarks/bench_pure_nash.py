"""Throughput of all-pure-Nash on random 4-player 2x2x2x2 games: batched numpy vs a per-game loop.

Run by hand: ``python benchmarks/bench_pure_nash.py``. Prints games per second for
kurilsim's batched solver, kurilsim one game at a time, and pygambit's ``enumpure_solve``
(when installed), and checks that all three agree on a sample.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from kurilsim import load_scenario
from kurilsim.forms.normal.pure_nash import pure_nash, pure_nash_mask

SHAPE = (2, 2, 2, 2)
N_BATCH = 100_000
N_LOOP = 2_000
ROOT = Path(__file__).resolve().parents[1]


def timed(label: str, count: int, fn) -> float:
    start = time.perf_counter()
    fn()
    seconds = time.perf_counter() - start
    rate = count / seconds
    print(f"{label:<55} {count:>9,} games in {seconds:7.3f} s = {rate:>12,.0f} games/s")
    return rate


def gambit_pure(payoffs: np.ndarray) -> list[tuple[int, ...]]:
    import pygambit as gbt

    game = gbt.Game.from_arrays(*(payoffs[..., i] for i in range(payoffs.shape[-1])))
    found = []
    for profile in gbt.nash.enumpure_solve(game).equilibria:
        cell = []
        for player in game.players:
            probs = [float(profile[s]) for s in player.strategies]
            cell.append(int(np.argmax(probs)))
        found.append(tuple(cell))
    return sorted(found)


def main() -> None:
    rng = np.random.default_rng(2026)
    games = rng.normal(size=(N_BATCH, *SHAPE, len(SHAPE)))
    batched = timed(
        "kurilsim pure_nash_mask, one batched call", N_BATCH, lambda: pure_nash_mask(games)
    )
    looped = timed(
        "kurilsim pure_nash, one game at a time",
        N_LOOP,
        lambda: [pure_nash(g) for g in games[:N_LOOP]],
    )
    try:
        import pygambit  # noqa: F401
    except ImportError:
        print("pygambit not installed: skipping the reference loop")
        gambit = None
    else:
        gambit = timed(
            "pygambit enumpure_solve, one game at a time (incl. build)",
            N_LOOP,
            lambda: [gambit_pure(g) for g in games[:N_LOOP]],
        )
        mask = pure_nash_mask(games[:200])
        for k in range(200):
            assert [tuple(map(int, c)) for c in np.argwhere(mask[k])] == gambit_pure(games[k])
        print("agreement with pygambit on 200 games: ok")
    print(f"batched / per-game loop: {batched / looped:,.0f}x")
    if gambit:
        print(f"batched / pygambit loop: {batched / gambit:,.0f}x")

    scenario = load_scenario(ROOT / "scenarios" / "sochi_2016.yaml")
    names = list(scenario.parameters)[:2]
    for points in (10_000, 100_000):
        grid = {n: rng.uniform(*scenario.parameters[n].range, size=points) for n in names}

        timed(
            f"bundled scenario: payoffs + pure Nash, {points:,} points",
            points,
            lambda grid=grid: pure_nash_mask(scenario.payoffs(grid)),
        )


if __name__ == "__main__":
    main()
