"""The cost of running a convex hull where it can be abandoned, and the bound it keeps.

Run by hand: ``python benchmarks/bench_abandoned_hull.py``. Vertex enumeration runs a hull that
may not end in time in a child process killed at ``max_seconds``
(:func:`kurilsim.core.abandonable.within_deadline`). This prints, alternating in one run, the
time of random games solved with every hull in this process (the reference: each hull run as
before) and with every hull in a child process (forced by an infinite cost per vertex, as for a
hull that cannot fit in the time left), their median ratio, and checks that both find the same
equilibria. It then solves 3-card Kuhn poker's reduced
normal form (27 x 64), whose hull takes minutes, with ``max_seconds`` 2 and prints the time
taken: the bound kept.
"""

from __future__ import annotations

import math
import statistics
import time

import numpy as np

from kurilsim.forms.information.catalogue import kuhn_poker
from kurilsim.forms.information.reduced_normal_form import reduced_normal_form
from kurilsim.forms.information.sequence_form import sequence_form
from kurilsim.forms.normal import vertex_enumeration as module

ROUNDS = 5
SIZES = (12, 13, 14, 15)


def _timed(payoffs: np.ndarray, max_seconds: float) -> tuple[float, int, bool]:
    started = time.perf_counter()
    found, complete = module.bounded_vertex_enumeration(payoffs, max_seconds=max_seconds)
    return time.perf_counter() - started, len(found), complete


def main() -> None:
    rng = np.random.default_rng(0)
    cost = module._HULL_SECONDS_PER_VERTEX
    for n in SIZES:
        payoffs = rng.integers(-50, 50, size=(n, n, 2)).astype(float)
        here, child = [], []
        for _ in range(ROUNDS):
            module._HULL_SECONDS_PER_VERTEX = 0.0  # every hull fits: run in this process
            seconds, found_here, _ = _timed(payoffs, 60.0)
            here.append(seconds)
            module._HULL_SECONDS_PER_VERTEX = math.inf  # none fits: each in a child process
            seconds, found_child, complete = _timed(payoffs, 60.0)
            child.append(seconds)
            assert complete
            assert found_child == found_here
        module._HULL_SECONDS_PER_VERTEX = cost
        ratio = statistics.median(c / h for c, h in zip(child, here, strict=True))
        print(
            f"{n} x {n}: in this process {statistics.median(here):.3f} s, in a child process "
            f"{statistics.median(child):.3f} s, ratio {ratio:.2f} ({found_here} equilibria)"
        )
    tree = kuhn_poker()
    game, _ = reduced_normal_form(tree, sequence_form(tree))
    seconds, found, complete = _timed(game.payoffs, 2.0)
    print(f"Kuhn poker 27 x 64, max_seconds 2: {seconds:.2f} s, {found} found, complete {complete}")


if __name__ == "__main__":
    main()
