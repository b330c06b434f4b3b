"""Mixed equilibria of N-player games: kurilsim's support enumeration against Gambit's enumpoly.

Run by hand: ``python benchmarks/bench_nplayer.py [--quick]``. Prints, from the same run, per
shape (random 3x3x3, 2x2x2x2 and 3x3x2x2 games with standard normal payoffs): the median over the
games of each method's best of three timed calls, the ratio kurilsim / enumpoly (above 1:
kurilsim slower), how many equilibria each found in all the games, and how many of enumpoly's
kurilsim does not list (it should be none). ``enumpoly`` is asked for regret at most 1e-8 of the
payoff range (by default it accepts 1e-4 and then returns some profiles that are no equilibria).
Times drift on a shared machine; the ratios, taken game by game in turn, less so. With ``--cpu``
the processor time of the process is timed instead of the wall time (both solvers run in this
process, on one thread each), which other programs' load disturbs much less.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from kurilsim.forms.normal.support_enumeration import support_enumeration

SHAPES = [(3, 3, 3), (2, 2, 2, 2), (3, 3, 2, 2)]


def best_time(
    fn: Callable[[], Any], repeat: int, clock: Callable[[], float] = time.perf_counter
) -> tuple[float, Any]:
    """Fastest time of ``repeat`` calls on ``clock``, and the last call's result."""
    times, result = [], None
    for _ in range(repeat):
        start = clock()
        result = fn()
        times.append(clock() - start)
    return min(times), result


def enumpoly(payoffs: np.ndarray) -> list[np.ndarray]:
    """Gambit's enumpoly equilibria, each flattened."""
    import pygambit as gbt

    game = gbt.Game.from_arrays(*(payoffs[..., i] for i in range(payoffs.shape[-1])))
    found = gbt.nash.enumpoly_solve(game, maxregret=1e-8).equilibria
    return [np.array([float(p[s]) for pl in game.players for s in pl.strategies]) for p in found]


def kurilsim(payoffs: np.ndarray) -> list[np.ndarray]:
    """kurilsim's support-enumeration equilibria, each flattened."""
    found, complete = support_enumeration(payoffs, max_seconds=None)
    assert complete
    return [np.concatenate(p) for p in found]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="3 games per shape, not 10")
    parser.add_argument("--cpu", action="store_true", help="time processor time, not wall time")
    args = parser.parse_args()
    clock = time.process_time if args.cpu else time.perf_counter
    rng = np.random.default_rng(2026)
    n_games = 3 if args.quick else 10
    kurilsim(rng.normal(size=(2, 2, 2, 3)))  # warm the imports
    enumpoly(rng.normal(size=(2, 2, 2, 3)))
    print(
        "N players, all isolated equilibria; ratio = kurilsim time / enumpoly time "
        f"({'processor' if args.cpu else 'wall'} time)"
    )
    for shape in SHAPES:
        ours, theirs, ratios = [], [], []
        counts = {"kurilsim": 0, "enumpoly": 0, "missed": 0}
        for _ in range(n_games):
            payoffs = rng.normal(size=(*shape, len(shape)))
            t_ours, found = best_time(lambda u=payoffs: kurilsim(u), 3, clock)
            t_theirs, reference = best_time(lambda u=payoffs: enumpoly(u), 3, clock)
            ours.append(t_ours)
            theirs.append(t_theirs)
            ratios.append(t_ours / t_theirs)
            counts["kurilsim"] += len(found)
            counts["enumpoly"] += len(reference)
            counts["missed"] += sum(
                not any(np.max(np.abs(r - f)) <= 1e-6 for f in found) for r in reference
            )
        label = " x ".join(map(str, shape))
        print(
            f"random {label:<13} kurilsim {statistics.median(ours) * 1e3:7.2f} ms "
            f"({counts['kurilsim']} eq) | enumpoly {statistics.median(theirs) * 1e3:7.2f} ms "
            f"({counts['enumpoly']} eq, {counts['missed']} not found by kurilsim) | "
            f"ratio of medians {statistics.median(ours) / statistics.median(theirs):.2f}, "
            f"median ratio {statistics.median(ratios):.2f}"
        )


if __name__ == "__main__":
    main()
