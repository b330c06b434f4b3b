"""The subgame-perfect payoff set of two-player repeated games: kurilsim against QuantEcon.

Run by hand: ``python benchmarks/bench_repeated.py``. For each game and common discount factor it
times kurilsim's outer approximation (Judd, Yeltekin and Conklin 2003; 128 directions) and
QuantEcon's ``RepeatedGame.equilibrium_payoffs`` (Abreu and Sannikov 2014, compiled with numba,
which is warmed up first so that compilation is not counted), in the same run, prints both times
and their ratio, and checks that every corner QuantEcon finds lies in kurilsim's polygon.
"""

from __future__ import annotations

import time
from functools import partial
from pathlib import Path

import numpy as np
from quantecon import game_theory

from kurilsim import load_scenario
from kurilsim.forms import catalogue
from kurilsim.forms.repeated.payoff_set import equilibrium_payoff_set

ROOT = Path(__file__).resolve().parents[1]
REPEATS = 3


def best_time(fn) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    joint = load_scenario(ROOT / "scenarios" / "repeated_joint_activity.yaml")
    games = {
        "prisoner's dilemma": catalogue.prisoners_dilemma().payoffs,
        "joint activity, 2016 (3 x 3)": joint.game().stage.payoffs,
        "random 4 x 4": np.random.default_rng(0).integers(-5, 6, size=(4, 4, 2)).astype(float),
    }
    # Compile QuantEcon's numba functions before timing anything.
    game_theory.RepeatedGame(game_theory.NormalFormGame(games["prisoner's dilemma"]), 0.9)
    game_theory.RepeatedGame(
        game_theory.NormalFormGame(games["prisoner's dilemma"]), 0.9
    ).equilibrium_payoffs()
    print(f"{'game':<30} {'delta':>5} {'kurilsim s':>11} {'QuantEcon s':>12} {'ratio':>7}")
    for name, payoffs in games.items():
        for delta in (0.6, 0.9):
            reference = game_theory.RepeatedGame(game_theory.NormalFormGame(payoffs), delta)
            discount = np.array([delta, delta])
            ours = best_time(partial(equilibrium_payoff_set, payoffs, discount))
            theirs = best_time(reference.equilibrium_payoffs)
            found = equilibrium_payoff_set(payoffs, discount)
            hull = reference.equilibrium_payoffs()
            assert all(found.contains(p, 1e-7) for p in hull.points[hull.vertices]), name
            print(f"{name:<30} {delta:>5} {ours:>11.4f} {theirs:>12.4f} {ours / theirs:>7.1f}")


if __name__ == "__main__":
    main()
