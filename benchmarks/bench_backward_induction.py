"""Throughput of backward induction on the bundled trees: one batched call vs one tree at a time.

Run by hand: ``python benchmarks/bench_backward_induction.py``. For each bundled tree scenario it
draws 100,000 parameter points uniformly from their ranges and prints trees per second for the
batched solver (with and without evaluating the payoff expressions), for the one-tree solver that
lists every subgame-perfect equilibrium, and for the full ``solve`` (normal form and its Nash
equilibria included); it checks on a sample that batch and one-tree answers agree.

It then times, on the same tied chains, kurilsim's listing of subgame-perfect equilibria (up to
10,000) against its reference, the listing as kurilsim made it before (``one_play_at_a_time``:
each combination of the children's plays in a Python loop), and the strategy table of the
player who moves against its reference, the table joined anew at every node as kurilsim built it
before (``joined_at_every_node``); both check that the answers are identical.

It then times the judging of Nash equilibria (which moves would not be made if play reached
them) on tied chains, one player stopping or going on ``n`` times with every move tied, whose
``n + 1`` reduced strategies are all Nash equilibria: kurilsim's one pass over the tree for all
of them (``non_credible_table``) against its reference, one pass per equilibrium as kurilsim
judged them before (``one_pass_each`` below), in the same run, and checks that both judge alike.
"""

from __future__ import annotations

import itertools
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
#: Decision nodes of the tied chains whose subgame-perfect equilibria are listed: the reference
#: takes some seconds per 100.
LISTED_CHAINS = (50, 100, 200)


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


def one_play_at_a_time(game: ExtensiveFormGame, cap: int, tol: float = 1e-9) -> list:
    """The reference listing: each combination of the children's plays, one at a time."""
    scales = leaf_scales(game.payoffs)
    plays: dict = {}
    for v in reversed(range(game.n_nodes)):
        mover = int(game.movers[v])
        if mover == TERMINAL:
            leaf = game.payoffs[game.leaf_of[v]]
            plays[v] = [(leaf, float(np.abs(leaf).max(initial=0.0)), None)]
            continue
        children = game.children[v]
        weights = game.probabilities[list(children)]
        found: list = []
        for combination in itertools.product(*(plays.pop(c)[:cap] for c in children)):
            if mover == CHANCE:
                value = sum(w * play[0] for w, play in zip(weights, combination, strict=True))
                stakes = sum(w * play[1] for w, play in zip(weights, combination, strict=True))
                found.append((np.asarray(value), float(stakes), (v, -1, combination)))
            else:
                own = [float(play[0][mover]) for play in combination]
                best = max(own)
                slack = tol * min(float(scales[mover]), max(play[1] for play in combination))
                found.extend(
                    (combination[a][0], combination[a][1], (v, a, combination))
                    for a, x in enumerate(own)
                    if x >= best - slack
                )
            if len(found) > cap:
                del found[cap:]
                break
        plays[v] = found
    listed = []
    for play in plays[0]:
        choices = np.full(game.n_nodes, -1)
        stack = [play]
        while stack:
            _, _, built = stack.pop()
            if built is not None:
                node, action, parts = built
                choices[node] = action
                stack.extend(parts)
        listed.append(choices)
    return listed


def joined_at_every_node(game: ExtensiveFormGame, player: str) -> np.ndarray:
    """The reference strategy table: each node's plans joined anew from its children's."""
    i = game.players.index(player)
    own = game.decision_nodes(player)
    column = {v: k for k, v in enumerate(own)}
    plans: dict = {}
    for v in reversed(range(game.n_nodes)):
        below = [plans.pop(c) for c in game.children[v]]
        if not below:
            plans[v] = np.full((1, len(own)), -1, dtype=np.int64)
        elif game.movers[v] == i:
            for a, rows in enumerate(below):
                rows[:, column[v]] = a
            plans[v] = np.concatenate(below)
        else:
            rows = below[0]
            for other in below[1:]:
                merged = np.maximum(rows[:, None, :], other[None, :, :])
                rows = merged.reshape(len(rows) * len(other), len(own))
            plans[v] = rows
    return plans[0]


def bench_listing(n: int) -> None:
    game = tied_chain(n)
    start = time.perf_counter()
    listed, _ = subgame_perfect_equilibria(game, max_seconds=None)
    mine = time.perf_counter() - start
    start = time.perf_counter()
    reference = one_play_at_a_time(game, len(listed))
    theirs = time.perf_counter() - start
    assert np.array_equal(np.array(listed), np.array(reference))
    print(
        f"  {game.n_nodes:>6,} nodes {len(listed):>6,} {mine:>10.3f} {theirs:>10.3f}"
        f" {theirs / mine:>7.1f}"
    )


def bench_table(n: int) -> None:
    fresh = tied_chain(n)  # tables are kept once listed: a new tree for each
    start = time.perf_counter()
    table = fresh.strategies("A")
    mine = time.perf_counter() - start
    start = time.perf_counter()
    reference = joined_at_every_node(fresh, "A")
    theirs = time.perf_counter() - start
    assert np.array_equal(table, reference)
    print(
        f"  {fresh.n_nodes:>6,} nodes {table.size:>11,} {mine:>10.3f} {theirs:>10.3f}"
        f" {theirs / mine:>7.1f}"
    )


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
    print("listing the subgame-perfect equilibria of tied chains (seconds; same run)")
    print(f"  {'tree':>12} {'SPE':>6} {'numpy':>10} {'one by one':>10} {'ratio':>7}")
    for n in LISTED_CHAINS:
        bench_listing(n)
    print("the strategy table of the player who moves on tied chains (seconds; same run)")
    print(f"  {'tree':>12} {'cells':>11} {'once':>10} {'joined':>10} {'ratio':>7}")
    for n in CHAINS:
        bench_table(n)
    print("judging the Nash equilibria of tied chains (seconds; same run)")
    print(f"  {'tree':>12} {'Nash':>6} {'one pass':>10} {'each':>10} {'ratio':>7}")
    for n in CHAINS:
        bench_judging(n)


if __name__ == "__main__":
    main()
