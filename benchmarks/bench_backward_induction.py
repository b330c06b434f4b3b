"""Throughput of backward induction on the bundled trees: one batched call vs one tree at a time.

Run by hand: ``python benchmarks/bench_backward_induction.py``. For each bundled tree scenario it
draws 100,000 parameter points uniformly from their ranges and prints trees per second for the
batched solver (with and without evaluating the payoff expressions), for the one-tree solver that
lists every subgame-perfect equilibrium, and for the full ``solve`` (normal form and its Nash
equilibria included); it checks on a sample that batch and one-tree answers agree.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from kurilsim import load_scenario
from kurilsim.forms.extensive.backward_induction import (
    backward_induction_batch,
    subgame_perfect_equilibria,
)
from kurilsim.forms.extensive.form import solve_batch

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ("sequence_1956.yaml", "sequence_2016.yaml")
N_BATCH = 100_000
N_LOOP = 300


def report(label: str, count: int, fn) -> None:
    start = time.perf_counter()
    fn()
    print(f"  {label:<26} {count / (time.perf_counter() - start):>12,.0f} trees/s")


def bench(name: str, rng: np.random.Generator) -> None:
    scenario = load_scenario(ROOT / "scenarios" / name)
    grid = {p: rng.uniform(*spec.range, size=N_BATCH) for p, spec in scenario.parameters.items()}
    payoffs = scenario.payoffs(grid)
    tree = scenario.game()
    batch = solve_batch(scenario, grid)
    for g in rng.choice(N_BATCH, size=50, replace=False):
        point = {p: float(v[g]) for p, v in grid.items()}
        first = subgame_perfect_equilibria(scenario.game(point))[0][0]
        assert np.array_equal(first, batch.choices[g]), f"{name}: disagreement at point {g}"
    print(name)
    report("batched, with evaluation", N_BATCH, lambda: solve_batch(scenario, grid))
    report("batched, solver only", N_BATCH, lambda: backward_induction_batch(tree, payoffs))
    report(
        "one tree, every SPE",
        N_LOOP,
        lambda: [subgame_perfect_equilibria(tree) for _ in range(N_LOOP)],
    )
    report("solve() with normal form", 20, lambda: [scenario.solve() for _ in range(20)])


def main() -> None:
    rng = np.random.default_rng(0)
    for name in SCENARIOS:
        bench(name, rng)


if __name__ == "__main__":
    main()
