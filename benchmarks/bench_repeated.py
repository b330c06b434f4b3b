"""The subgame-perfect payoff set of two-player repeated games: kurilsim against QuantEcon.

Run by hand: ``python benchmarks/bench_repeated.py``. For each game and common discount factor it
times kurilsim's outer approximation (Judd, Yeltekin and Conklin 2003; 128 directions) and
QuantEcon's ``RepeatedGame.equilibrium_payoffs`` (Abreu and Sannikov 2014, compiled with numba,
which is warmed up first so that compilation is not counted), in the same run, prints both times
and their ratio, and checks that every corner QuantEcon finds lies in kurilsim's polygon.

It then times ``kurilsim tipping`` on the repeated joint-activity scenario (21 grid values per
range), where each profile's shortest mutual-minmax punishment is found with the closed-form
stick-and-carrot gains ruling out lengths, against the same run with every length from 1 on
built and checked as an automaton (the route before), and checks that both give one table.
"""

from __future__ import annotations

import time
from functools import partial
from pathlib import Path

import numpy as np
from quantecon import game_theory

from kurilsim import load_scenario
from kurilsim.analysis.tipping import tipping_points
from kurilsim.forms import catalogue
from kurilsim.forms.repeated import solve as repeated_solve
from kurilsim.forms.repeated.one_shot_deviation import deviation_gain, stick_and_carrot
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


def every_length(payoffs, path, punishment, delta, tol, max_rounds) -> int:
    """The reference: each length of punishment from 1 on, built and checked as an automaton."""
    for rounds in range(1, max_rounds + 1):
        automaton = stick_and_carrot(path, punishment, rounds, payoffs.shape[:-1])
        if deviation_gain(payoffs, automaton, delta) <= tol:
            return rounds
    return 0


def bench_tipping() -> None:
    joint = load_scenario(ROOT / "scenarios" / "repeated_joint_activity.yaml")
    start = time.perf_counter()
    ours = tipping_points(joint, resolution=21).to_frame()
    fast = time.perf_counter() - start
    closed_form = repeated_solve._punishment_rounds
    repeated_solve._punishment_rounds = every_length
    try:
        start = time.perf_counter()
        theirs = tipping_points(joint, resolution=21).to_frame()
        slow = time.perf_counter() - start
    finally:
        repeated_solve._punishment_rounds = closed_form
    assert ours.equals(theirs)
    print("kurilsim tipping, repeated joint activity, 21 values per range: the same table")
    print(f"  kurilsim (closed form rules lengths out) {fast:8.2f} s")
    print(f"  reference (every length as an automaton) {slow:8.2f} s")
    print(f"  ratio                                    {slow / fast:8.1f}")


if __name__ == "__main__":
    bench_tipping()
    main()
