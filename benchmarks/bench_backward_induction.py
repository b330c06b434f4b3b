"""Throughput of backward induction on the bundled trees: one batched call vs one tree at a time.

Run by hand: ``python benchmarks/bench_backward_induction.py``. For each bundled tree scenario it
draws 100,000 parameter points uniformly from their ranges and prints trees per second for the
batched solver (with and without evaluating the payoff expressions), for the one-tree solver that
lists every subgame-perfect equilibrium, and for the full ``solve`` (normal form and its Nash
equilibria included); it checks on a sample that batch and one-tree answers agree.

It then times the judging of Nash equilibria (which moves would not be made if play reached
them) on tied chains, one player stopping or going on ``n`` times with every move tied, whose
``n + 1`` reduced strategies are all Nash equilibria: kurilsim's one pass over the tree for all
of them (``non_credible_table``) against its reference, one pass per equilibrium as kurilsim
judged them before (``one_pass_each`` below), in the same run, and checks that both judge alike.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from kurilsim import load_scenario
from kurilsim.forms.extensive.backward_induction import (
    backward_induction_batch,
    leaf_scales,
    non_credible_table,
    subgame_perfect_equilibria,
)
from kurilsim.forms.extensive.efg import parse_efg
from kurilsim.forms.extensive.form import solve_batch
from kurilsim.forms.extensive.game import CHANCE, TERMINAL, ExtensiveFormGame

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ("sequence_1956.yaml", "sequence_2016.yaml")
N_BATCH = 100_000
N_LOOP = 300
#: Decision nodes of the tied chains whose Nash equilibria are judged (2n + 1 nodes each).
CHAINS = (200, 800, 2000)


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


def tied_chain(n: int) -> ExtensiveFormGame:
    """One player choosing, n times over, between stopping and going on: every move ties."""
    head = 'EFG 2 R "chain" { "A" "B" }\n""\n'
    body = "".join(
        f'p "" 1 {k + 1} "" {{ "stop" "go" }} 0\nt "" {k + 1} "o{k}" {{ 1 2 }}\n' for k in range(n)
    )
    return parse_efg(head + body + 't "" 0\n')


def one_pass_each(game: ExtensiveFormGame, choices: np.ndarray, tol: float = 1e-9) -> tuple:
    """The reference: one equilibrium's non-credible moves by a pass of its own over the tree."""
    scales = leaf_scales(game.payoffs)
    values = np.zeros((game.n_nodes, game.n_players))
    sizes = np.zeros(game.n_nodes)
    flagged = []
    for v in reversed(range(game.n_nodes)):
        mover = int(game.movers[v])
        children = list(game.children[v])
        if mover == TERMINAL:
            values[v] = game.payoffs[game.leaf_of[v]]
            sizes[v] = np.abs(values[v]).max(initial=0.0)
        elif mover == CHANCE:
            values[v] = game.probabilities[children] @ values[children]
            sizes[v] = game.probabilities[children] @ sizes[children]
        else:
            own = values[children, mover]
            slack = tol * min(float(scales[mover]), float(sizes[children].max()))
            action = int(choices[v]) if choices[v] >= 0 else int(own.argmax())
            if own[action] < own.max() - slack:
                flagged.append(v)
            values[v] = values[children[action]]
            sizes[v] = sizes[children[action]]
    return tuple(reversed(flagged))


def bench_judging(n: int) -> None:
    game = tied_chain(n)
    profiles = np.stack(
        [np.arange(game.n_strategies("A")), np.zeros(game.n_strategies("A"), dtype=np.int64)],
        axis=1,
    )
    choices = game.profile_choices(profiles)  # lists the strategy tables: timed for neither
    start = time.perf_counter()
    table = non_credible_table(game, choices)
    mine = time.perf_counter() - start
    start = time.perf_counter()
    one_by_one = [one_pass_each(game, row) for row in choices]
    reference = time.perf_counter() - start
    assert [tuple(np.flatnonzero(row)) for row in table] == one_by_one
    print(
        f"  {game.n_nodes:>6,} nodes {len(profiles):>6,} {mine:>10.3f} {reference:>10.3f}"
        f" {reference / mine:>7.0f}"
    )


def main() -> None:
    rng = np.random.default_rng(0)
    for name in SCENARIOS:
        bench(name, rng)
    print("judging the Nash equilibria of tied chains (seconds; same run)")
    print(f"  {'tree':>12} {'Nash':>6} {'one pass':>10} {'each':>10} {'ratio':>7}")
    for n in CHAINS:
        bench_judging(n)


if __name__ == "__main__":
    main()
