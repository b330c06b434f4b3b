"""Perfect Bayesian equilibria of signalling games: the enumeration against a brute-force reference.

Run by hand: ``python benchmarks/bench_signalling.py``. For random signalling games of growing
size (integer payoffs, seed 0) it times kurilsim's enumeration of every pure perfect Bayesian
equilibrium (with belief regions, hybrids and the intuitive criterion) and a brute-force reference
that checks every pair of pure strategies against beliefs on a grid of the simplex, in the same
run, and prints the ratio; it checks that every pair the reference accepts is found.
"""

from __future__ import annotations

import itertools
import time

import numpy as np

from kurilsim.forms.bayesian.game import SignallingGame
from kurilsim.forms.bayesian.solve import solve_signalling

SIZES = ((2, 2, 2), (2, 3, 3), (3, 3, 2), (3, 3, 3), (4, 3, 2))
GRID = 12


def random_game(rng: np.random.Generator, types: int, messages: int, responses: int):
    payoffs = rng.integers(-3, 4, size=(types, messages, responses, 1, 2)).astype(float)
    prior = rng.integers(1, 5, size=types).astype(float)
    return SignallingGame(
        "S", "R", tuple(f"t{k}" for k in range(types)), prior / prior.sum(),
        tuple(f"m{k}" for k in range(messages)), tuple(f"r{k}" for k in range(responses)),
        ("",), payoffs,
    )  # fmt: skip


def reference(game: SignallingGame) -> set[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Every pure pair that some grid belief supports at each unsent message."""
    n_types, n_messages, n_responses = game.payoffs.shape[:3]
    sender, receiver = game.payoffs[:, :, :, 0, 0], game.payoffs[:, :, :, 0, 1]
    points = [
        np.array(c) / GRID for c in itertools.product(range(GRID + 1), repeat=n_types)
        if sum(c) == GRID
    ]  # fmt: skip
    found = set()
    for plan in itertools.product(range(n_messages), repeat=n_types):
        for replies in itertools.product(range(n_responses), repeat=n_messages):
            ok = True
            for m in range(n_messages):
                weights = game.prior * (np.array(plan) == m)
                beliefs = [weights / weights.sum()] if weights.sum() > 0 else points
                ok &= any(
                    (b @ receiver[:, m]).max() <= b @ receiver[:, m, replies[m]] + 1e-9
                    for b in beliefs
                )
            for t in range(n_types):
                got = [sender[t, m, replies[m]] for m in range(n_messages)]
                ok &= max(got) <= got[plan[t]] + 1e-9
            if ok:
                found.add((plan, replies))
    return found


def main() -> None:
    rng = np.random.default_rng(0)
    print(f"{'types x messages x responses':<30}{'kurilsim':>12}{'brute force':>14}{'ratio':>8}")
    for size in SIZES:
        games = [random_game(rng, *size) for _ in range(5)]
        start = time.perf_counter()
        solutions = [solve_signalling(g) for g in games]
        ours = (time.perf_counter() - start) / len(games)
        start = time.perf_counter()
        references = [reference(g) for g in games]
        theirs = (time.perf_counter() - start) / len(games)
        for solution, expected in zip(solutions, references, strict=True):
            pure = {
                (tuple(e.assessment.sender.argmax(1).tolist()),
                 tuple(e.assessment.receiver.argmax(1).tolist()))
                for e in solution if e.kind != "hybrid"
            }  # fmt: skip
            assert expected <= pure, "the reference found an equilibrium the enumeration missed"
        label = " x ".join(map(str, size))
        print(f"{label:<30}{ours * 1e3:>10.1f}ms{theirs * 1e3:>12.1f}ms{theirs / ours:>8.1f}")


if __name__ == "__main__":
    main()
