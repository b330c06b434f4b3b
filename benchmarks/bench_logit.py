"""Speed and agreement of the logit QRE tracer against pygambit's, on random N-player games.

Run by hand: ``python benchmarks/bench_logit.py``. For each game shape it times kurilsim's
``logit_qre`` (one lambda, traced from 0), ``logit_correspondence`` (the branch to its default
end) and ``logit_nash`` (the limit), next to pygambit's ``qre.logit_solve_lambda``,
``qre.logit_solve_branch`` and ``nash.logit_solve``, and reports the largest difference between
the two programs' profiles. pygambit is GPL and a development dependency only.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from kurilsim.forms.normal.logit_qre import logit_correspondence, logit_nash, logit_qre

SHAPES = [(2, 2, 2), (2, 2, 2, 2), (3, 3, 3), (3, 3, 3, 3), (5, 5, 5), (2, 2, 2, 2, 2)]
GAMES = 20
LAMBDAS = (0.5, 2.0, 5.0)


def timed(fn: Callable[..., Any], *args: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - start


def main() -> None:
    import pygambit as gbt

    def profile_of(game: Any, profile: Any) -> list[np.ndarray]:
        return [np.array([float(profile[s]) for s in p.strategies]) for p in game.players]

    def gap(first: list[np.ndarray], second: list[np.ndarray]) -> float:
        return max(float(np.abs(p - q).max()) for p, q in zip(first, second, strict=True))

    rng = np.random.default_rng(2005)
    print(
        f"{'shape':<16}{'per lambda ms':>16}{'branch ms (points)':>26}{'limit ms':>16}"
        f"{'max diff':>10}  (kurilsim / pygambit)"
    )
    for shape in SHAPES:
        times = np.zeros(6)
        points = np.zeros(2)
        worst = 0.0
        for _ in range(GAMES):
            payoffs = rng.standard_normal((*shape, len(shape)))
            game = gbt.Game.from_arrays(*(payoffs[..., i] for i in range(len(shape))))
            for lam in LAMBDAS:
                ours, t0 = timed(logit_qre, payoffs, lam)
                theirs, t1 = timed(gbt.qre.logit_solve_lambda, game, lam)
                theirs = theirs[0] if isinstance(theirs, list) else theirs
                worst = max(worst, gap(list(ours), profile_of(game, theirs.profile)))
                times[:2] += (t0 / len(LAMBDAS), t1 / len(LAMBDAS))
            branch, t2 = timed(logit_correspondence, payoffs)
            reference, t3 = timed(gbt.qre.logit_solve_branch, game)
            limit, t4 = timed(logit_nash, payoffs)
            nash, t5 = timed(gbt.nash.logit_solve, game)
            worst = max(worst, gap(list(limit), profile_of(game, nash.equilibria[0])))
            times[2:] += (t2, t3, t4, t5)
            points += (len(branch), len(reference))
        ms = 1000 * times / GAMES
        pts = points / GAMES
        print(
            f"{' x '.join(map(str, shape)):<16}{ms[0]:>7.2f} / {ms[1]:<6.2f}"
            f"{ms[2]:>8.1f} ({pts[0]:.0f}) / {ms[3]:.1f} ({pts[1]:.0f})"
            f"{ms[4]:>9.1f} / {ms[5]:<6.1f}{worst:>10.1e}"
        )


if __name__ == "__main__":
    main()
