"""Speed of kurilsim's learning dynamics against nashpy's, on random two-player games.

Run by hand: ``python benchmarks/bench_learning.py``. On each game shape it times 2,000 rounds of
fictitious play and 2,000 replicator steps, by nashpy (what ``kurilsim.learn`` runs for two
players) and by kurilsim's own N-player numpy code (what it runs for three or more), prints the
ratio, and the largest difference between the two programs' paths; for the replicator also the
fixed-step RK4 in Python that kurilsim's own code used before, and its ratio to the own code;
then the time of each dynamics on the bundled four-player 2016 scenario, which only kurilsim's
code can play.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

import kurilsim
from kurilsim.analysis.fictitious_play import _nashpy_counts, _own_counts
from kurilsim.analysis.flow import integrate
from kurilsim.analysis.replicator import own_replicator, replicator, replicator_field
from kurilsim.forms.normal.regret import normalised_payoffs

SHAPES = [(2, 2), (3, 3), (5, 5), (10, 10)]
GAMES = 5
STEPS = 2000
STEP_SIZE = 0.05


def timed(fn: Callable[..., Any], *args: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - start


def gap(first: Any, second: Any) -> float:
    return max(
        float(np.abs(np.asarray(p) - np.asarray(q)).max())
        for p, q in zip(first, second, strict=True)
    )


def main() -> None:
    rng = np.random.default_rng(1951)
    print(f"{STEPS} steps; ms per run, kurilsim's own code / nashpy (ratio); largest difference;")
    print(
        "for the replicator also the former fixed-step RK4 in Python, and its ratio to the own code"
    )
    print(f"{'shape':<10}{'fictitious play':>34}{'replicator':>34}{'RK4 (former)':>20}")
    for shape in SHAPES:
        times = np.zeros(5)
        worst = np.zeros(2)
        for _ in range(GAMES):
            payoffs = rng.standard_normal((*shape, 2))
            start = [rng.dirichlet(np.ones(n)) for n in shape]
            theirs, t0 = timed(_nashpy_counts, payoffs, start, STEPS, 0)
            ours, t1 = timed(_own_counts, payoffs, start, STEPS, 0)
            norm = normalised_payoffs(payoffs)
            reference, t2 = timed(replicator, payoffs, start, STEP_SIZE, STEPS)
            own, t3 = timed(own_replicator, norm, start, STEP_SIZE, STEPS)
            _, t4 = timed(
                integrate, lambda x, u=norm: replicator_field(u, x), start, STEP_SIZE, STEPS
            )
            times += (t1, t0, t3, t2, t4)
            worst = np.maximum(worst, (gap(ours, theirs), gap(own, reference)))
        ms = times / GAMES * 1000
        label = " x ".join(map(str, shape))
        print(
            f"{label:<10}{ms[0]:>10.1f} / {ms[1]:6.1f} ({ms[0] / ms[1]:4.2f}) {worst[0]:8.0e}"
            f"{ms[2]:>10.1f} / {ms[3]:6.1f} ({ms[2] / ms[3]:4.2f}) {worst[1]:8.0e}"
            f"{ms[4]:>10.1f} ({ms[4] / ms[2]:5.1f})"
        )
    scenario = kurilsim.load_scenario("scenarios/sochi_2016.yaml")
    for dynamics in ("fictitious-play", "replicator", "logit"):
        path, seconds = timed(kurilsim.learn, scenario, dynamics, None, STEPS)
        print(f"sochi_2016 (3 x 3 x 2 x 2), {dynamics}: {seconds * 1000:.0f} ms, {path.status}")


if __name__ == "__main__":
    main()
