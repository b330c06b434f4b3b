"""Speed of the dynamic form: value iteration on a large grid, and a sweep of the eras model.

Run by hand: ``python benchmarks/bench_dynamic.py``. Two measurements, each with a reference
from the same run and the ratio:

1. A 4-player dynamic game on a grid of 10,000 states (a 2 x 2 x 2 x 2 stage game at each),
   solved by value iteration vectorised over the grid, against the same Bellman update written
   as a loop over states (each state's stage game solved with numpy on its own): time per round
   of iteration. The solution is then checked by one-shot deviations.
2. A 2-player dynamic game on 2,000 states whose every stage game has no pure equilibrium, solved
   by value iteration with the mixed equilibria of its 2 x 2 stages computed in closed form on
   every state at once, against the route such stages took before: each state's stage game solved
   alone by the normal form's enumeration (``kurilsim.solve``): time per round of iteration.
3. The sweep of the 1956-2020 model over a 100 x 100 grid (``kurilsim.sweep``, one worker, every
   point checked by one-shot deviations), against solving points one at a time with
   ``scenario.solve``: points per second.
4. Value iteration of the sanctions model over a batch of 200 points of ``patience`` (as
   ``kurilsim tipping`` runs it), each point frozen once it meets its bound, against the same
   batch iterated until its slowest point converges and against each point iterated alone:
   seconds, and the largest difference in values from the points solved alone.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

import kurilsim
from kurilsim.forms.dynamic.markov_perfect import (
    continuation,
    expected,
    payoff_scale,
    stage_values,
    value_iteration,
)
from kurilsim.forms.dynamic.one_shot_deviation import check_one_shot
from kurilsim.forms.dynamic.selection import select
from kurilsim.forms.normal.pure_nash import pure_nash_mask

ROOT = Path(__file__).resolve().parents[1]
STATES = 10_000
LOOP_ROUNDS = 1

#: Four firms share a resource stock of 10,000 levels: each harvests or restrains; the stock
#: regrows by 60 levels a round and each harvester takes 25. Taking pays a bonus at once, large
#: enough that every stage game has a pure equilibrium (a stage without one is solved alone by
#: support enumeration, which on four players is far slower than the vectorised path).
COMMONS = f"""
kurilsim: 1
form: dynamic
title: Four-player commons on 10,000 states
parameters:
  bonus: {{default: 20, range: [0, 50], unit: payoff, description: what taking pays at once,
          assumption: "large enough that taking is dominant: a pure equilibrium in every stage"}}
players: [A, B, C, D]
state:
  stock: {{range: [0, {STATES - 1}], levels: {STATES}, initial: 5000, description: the stock,
          assumption: a benchmark}}
stages:
  harvest:
    strategies:
      A: [restrain, take]
      B: [restrain, take]
      C: [restrain, take]
      D: [restrain, take]
    outcomes:
      takers:
        description: how many take
        default: 0
        rules:
          - {{when: {{A: take, B: take, C: take, D: take}}, value: 4}}
          - {{when: {{A: take, B: take, C: take}}, value: 3}}
          - {{when: {{A: take, B: take, D: take}}, value: 3}}
          - {{when: {{A: take, C: take, D: take}}, value: 3}}
          - {{when: {{B: take, C: take, D: take}}, value: 3}}
          - {{when: {{A: take, B: take}}, value: 2}}
          - {{when: {{A: take, C: take}}, value: 2}}
          - {{when: {{A: take, D: take}}, value: 2}}
          - {{when: {{B: take, C: take}}, value: 2}}
          - {{when: {{B: take, D: take}}, value: 2}}
          - {{when: {{C: take, D: take}}, value: 2}}
          - {{when: {{A: take}}, value: 1}}
          - {{when: {{B: take}}, value: 1}}
          - {{when: {{C: take}}, value: 1}}
          - {{when: {{D: take}}, value: 1}}
      a: {{description: A takes, rules: [{{when: {{A: take}}, value: 1}}]}}
      b: {{description: B takes, rules: [{{when: {{B: take}}, value: 1}}]}}
      c: {{description: C takes, rules: [{{when: {{C: take}}, value: 1}}]}}
      d: {{description: D takes, rules: [{{when: {{D: take}}, value: 1}}]}}
    payoffs:
      A: "stock / 10000 * (1 + a) - 0.1 * takers + bonus * a"
      B: "stock / 10000 * (1 + b) - 0.1 * takers + bonus * b"
      C: "stock / 10000 * (1 + c) - 0.1 * takers + bonus * c"
      D: "stock / 10000 * (1 + d) - 0.1 * takers + bonus * d"
    transitions: {{stock: "clip(stock + 60 - 25 * takers, 0, {STATES - 1})"}}
horizon: {{rounds: infinite, schedule: [harvest], discount: 0.8}}
"""


MIXED_STATES = 2_000

#: An inspection game on a grid of "tension" levels: the inspector checks or not, the smuggler
#: smuggles or not; no stage has a pure equilibrium, and smuggling raises tension.
INSPECTION = f"""
kurilsim: 1
form: dynamic
title: Inspection on {MIXED_STATES:,} states
players: [Inspector, Smuggler]
state:
  tension: {{range: [0, {MIXED_STATES - 1}], levels: {MIXED_STATES}, initial: 0,
            description: tension, assumption: a benchmark}}
stages:
  inspect:
    strategies: {{Inspector: [check, trust], Smuggler: [smuggle, comply]}}
    outcomes:
      caught:
        description: caught
        rules: [{{when: {{Inspector: check, Smuggler: smuggle}}, value: 1}}]
      missed:
        description: missed
        rules: [{{when: {{Inspector: trust, Smuggler: smuggle}}, value: 1}}]
      wasted:
        description: a check for nothing
        rules: [{{when: {{Inspector: check, Smuggler: comply}}, value: 1}}]
    payoffs:
      Inspector: "caught * 2 - missed * (1 + tension / {MIXED_STATES}) - wasted"
      Smuggler: "missed * (2 + tension / {MIXED_STATES}) - caught * 3"
    transitions: {{tension: "min(tension + 7 * (caught + missed), {MIXED_STATES - 1})"}}
horizon: {{rounds: infinite, schedule: [inspect], discount: 0.9}}
"""


def alone_update(game, values: np.ndarray) -> np.ndarray:
    """The reference: one Bellman round with each state's stage game solved alone by ``solve``."""
    stage = game.stages[game.schedule[0]]
    q = stage_values(game, stage, continuation(game, values))
    mixes = [np.zeros((1, game.grid.size, n)) for n in stage.shape]
    for s in range(game.grid.size):
        stage_game = kurilsim.NormalFormGame(game.players, stage.strategies, q[0, s])
        best = max(kurilsim.solve(stage_game), key=lambda eq: float(eq.payoffs.sum()))
        for mix, p in zip(mixes, best.profile, strict=True):
            mix[0, s] = p
    return expected(q, mixes)


def bench_mixed_stages() -> None:
    game = kurilsim.parse_scenario(INSPECTION).game()
    start = time.perf_counter()
    strategy = value_iteration(game, "payoff-dominance", 1e-9, 1e-9, 100_000)
    vectorised = time.perf_counter() - start
    per_round = vectorised / strategy.iterations
    values = np.zeros((1, game.grid.size, 2))
    start = time.perf_counter()
    reference = alone_update(game, values)
    looped = time.perf_counter() - start
    check = check_one_shot(game, strategy.mixes)
    first = value_iteration(game, "payoff-dominance", 1e-9, 1e-9, 1).values[0]
    print(f"value iteration, 2 players, {game.grid.size:,} states, no pure stage equilibrium")
    print(f"  converged: {bool(strategy.converged.all())} in {strategy.iterations} rounds")
    print(
        f"  kurilsim (closed form on every state)  {vectorised:8.2f} s in all, "
        f"{per_round * 1e3:8.2f} ms per round"
    )
    print(f"  reference (each state alone by solve)  {looped * 1e3:8.2f} ms per round")
    print(f"  ratio (reference / kurilsim, per round) {looped / per_round:8.1f}")
    print(
        f"  first round agrees with the reference to {np.abs(first - reference).max():.1g}; "
        f"one-shot deviation check: largest gain {check.max_gain:.2g}"
    )


def loop_update(game, values: np.ndarray) -> np.ndarray:
    """The reference: one Bellman round as a loop over states, each stage game alone."""
    stage = game.stages[game.schedule[0]]
    after = continuation(game, values)
    updated = np.empty_like(values)
    delta = game.discount[0]
    for s in range(game.grid.size):
        q = stage.payoffs[0, s] + delta * after[0, stage.next_state[0, s]]
        mask = pure_nash_mask(q)
        score = np.where(mask, q.sum(axis=-1), -np.inf)
        updated[0, s] = q[np.unravel_index(int(score.argmax()), score.shape)]
    return updated


def bench_value_iteration() -> None:
    game = kurilsim.parse_scenario(COMMONS).game()
    start = time.perf_counter()
    strategy = value_iteration(game, "payoff-dominance", 1e-9, 1e-9, 100_000)
    vectorised = time.perf_counter() - start
    per_round = vectorised / strategy.iterations
    values = np.zeros((1, game.grid.size, 4))
    start = time.perf_counter()
    for _ in range(LOOP_ROUNDS):
        values = loop_update(game, values)
    looped = (time.perf_counter() - start) / LOOP_ROUNDS
    start = time.perf_counter()
    check = check_one_shot(game, strategy.mixes)
    checked = time.perf_counter() - start
    print(f"value iteration, 4 players, {game.grid.size:,} states, 16 profiles per state")
    print(f"  converged: {bool(strategy.converged.all())} in {strategy.iterations} rounds")
    print(
        f"  kurilsim (vectorised over the grid)  {vectorised:8.2f} s in all, "
        f"{per_round * 1e3:8.2f} ms per round"
    )
    print(f"  reference (loop over states)          {looped * 1e3:8.2f} ms per round")
    print(f"  ratio (reference / kurilsim, per round) {looped / per_round:8.1f}")
    print(f"  one-shot deviation check {checked:.2f} s, largest gain {check.max_gain:.2g}")


def bench_eras_sweep() -> None:
    scenario = kurilsim.load_scenario(ROOT / "scenarios" / "eras_1956_2020.yaml")
    grid = {"audience_cost": (0, 6, 100), "us_threat_1956": (0, 6, 100)}
    start = time.perf_counter()
    result = kurilsim.sweep(scenario, grid, workers=1)
    swept = time.perf_counter() - start
    table = result.to_frame()
    points = table["point"].nunique()
    rng = np.random.default_rng(0)
    sample = [
        {"audience_cost": float(a), "us_threat_1956": float(u)}
        for a, u in rng.uniform(0, 6, size=(50, 2))
    ]
    start = time.perf_counter()
    for point in sample:
        scenario.solve(point)
    one_at_a_time = (time.perf_counter() - start) / len(sample)
    print(f"sweep of the 1956-2020 model, 100 x 100 grid ({points:,} points)")
    print(
        f"  all complete: {bool(table['complete'].all())}; "
        f"labels: {', '.join(sorted(table['label'].unique()))}"
    )
    print(
        f"  kurilsim.sweep (batched, one worker) {points / swept:10,.0f} points/s ({swept:.1f} s)"
    )
    print(f"  reference (scenario.solve per point) {1 / one_at_a_time:10,.0f} points/s")
    print(f"  ratio                                  {one_at_a_time * points / swept:8.1f}")


def whole_batch_iteration(game, value_tol: float, max_iterations: int) -> np.ndarray:
    """The reference: every point of the batch iterated until the slowest meets its bound."""
    stage = game.stages[game.schedule[0]]
    delta = game.discount.max(axis=-1)
    bound = value_tol * payoff_scale(game) * (1 - delta) / np.maximum(delta, 1e-300)
    values = np.zeros((game.batch, game.grid.size, len(game.players)))
    for _ in range(max_iterations):
        q = stage_values(game, stage, continuation(game, values))
        updated = expected(q, select(q, "payoff-dominance", 1e-9))
        change = np.abs(updated - values).reshape(game.batch, -1).max(axis=-1)
        values = updated
        if (change <= bound).all():
            break
    return values


def bench_batch_freezing() -> None:
    scenario = kurilsim.load_scenario(ROOT / "scenarios" / "sanctions_markov.yaml")
    base = scenario.parameter_values()
    patience = np.linspace(0, 0.99, 200)
    batch = {n: np.full(patience.size, float(v)) for n, v in base.items()}
    game = scenario.form.game(scenario, batch | {"patience": patience})
    start = time.perf_counter()
    frozen = value_iteration(game, "payoff-dominance", 1e-9, 1e-9, 100_000)
    batched = time.perf_counter() - start
    start = time.perf_counter()
    whole_batch_iteration(game, 1e-9, 100_000)
    whole = time.perf_counter() - start
    start = time.perf_counter()
    alone = [
        value_iteration(game.take(np.array([k])), "payoff-dominance", 1e-9, 1e-9, 100_000)
        for k in range(game.batch)
    ]
    looped = time.perf_counter() - start
    differ = max(
        float(np.abs(a.values[0, 0] - frozen.values[0, k]).max()) for k, a in enumerate(alone)
    )
    assert frozen.rounds is not None
    print(f"value iteration of the sanctions model over {game.batch} points of patience")
    print(
        f"  rounds per point: {frozen.rounds.min()} to {frozen.rounds.max()}; "
        f"all converged: {bool(frozen.converged.all())}"
    )
    print(f"  kurilsim (batch, converged points frozen) {batched:8.2f} s")
    print(f"  reference (batch until the slowest)       {whole:8.2f} s")
    print(f"  reference (each point alone)              {looped:8.2f} s")
    print(f"  ratio (batch until the slowest / kurilsim) {whole / batched:7.1f}")
    print(f"  ratio (each point alone / kurilsim)        {looped / batched:7.1f}")
    print(f"  largest difference from the points alone: {differ:.1g}")


if __name__ == "__main__":
    bench_batch_freezing()
    bench_value_iteration()
    bench_mixed_stages()
    bench_eras_sweep()
