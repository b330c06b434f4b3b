"""All equilibria: kurilsim against QuantEcon and Gambit, on random and degenerate games.

Run by hand: ``python benchmarks/bench_enumeration.py [--quick] [--cpu]``. Prints, from the
same run,

kurilsim's ``vertex-enumeration`` against QuantEcon's ``vertex_enumeration`` and
pygambit's ``enummixed_solve`` (floating point) on random 3x3 to 15x15 games and on degenerate
integer games, with the median time per game, the ratios, and how many equilibria each found
(QuantEcon misses equilibria of degenerate games), and kurilsim alone on a 2 x 20,000 game.

More players: ``benchmarks/bench_nplayer.py`` (support enumeration against Gambit's enumpoly).

Ratios above 1 mean kurilsim is slower. Times are medians over the games of each row, the
methods taking turns game by game; on a machine shared with other work they drift, the ratios
less so. With ``--cpu`` the processor time of the process is timed instead of the wall time
(all three run in this process, on one thread each), which other programs' load disturbs less.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from kurilsim.forms.normal.vertex_enumeration import vertex_enumeration

#: The clock that times each call: wall time, or processor time with ``--cpu``.
clock = time.perf_counter


def median_time(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median time of ``repeat`` calls by :data:`clock`, and the last call's result."""
    times, result = [], None
    for _ in range(repeat):
        start = clock()
        result = fn()
        times.append(clock() - start)
    return statistics.median(times), result


def distinct(profiles: Any) -> int:
    """How many different profiles (rounded to 9 decimals) a list holds."""
    return len({tuple(np.round(np.concatenate([np.ravel(p) for p in x]), 9)) for x in profiles})


def quantecon_equilibria(payoffs: np.ndarray) -> int:
    import quantecon.game_theory as gt

    players = (gt.Player(payoffs[..., 0]), gt.Player(payoffs[..., 1].T))
    return distinct(gt.vertex_enumeration(gt.NormalFormGame(players)))


def gambit_game(payoffs: np.ndarray) -> Any:
    import pygambit as gbt

    return gbt.Game.from_arrays(*(payoffs[..., i] for i in range(payoffs.shape[-1])))


def gambit_enummixed(payoffs: np.ndarray) -> int:
    """Distinct equilibria: in floating point, enummixed lists some degenerate ones twice."""
    import pygambit as gbt

    game = gambit_game(payoffs)
    found = gbt.nash.enummixed_solve(game, rational=False).equilibria
    return distinct(
        [[float(p[s]) for player in game.players for s in player.strategies] for p in found]
    )


def degenerate_game(rng: np.random.Generator, n: int) -> np.ndarray:
    """Integer payoffs from {0, 1, 2}: many ties, dominated strategies, continua."""
    return rng.integers(0, 3, size=(n, n, 2)).astype(float)


def row(
    label: str,
    games: list[np.ndarray],
    methods: dict[str, Callable[[np.ndarray], int]],
    repeat: int = 1,
) -> None:
    """Median time per game (each the median of ``repeat`` runs) and total equilibria found,
    per method, and ratios to kurilsim. The methods take turns on each game, so that a change
    in the machine's load falls on all of them alike."""
    times: dict[str, list[float]] = {name: [] for name in methods}
    counts = dict.fromkeys(methods, 0)
    for game in games:
        for name, method in methods.items():
            seconds, count = median_time(lambda g=game, m=method: m(g), repeat)
            times[name].append(seconds)
            counts[name] += count
    medians = {name: statistics.median(values) for name, values in times.items()}
    ours = medians["kurilsim"]
    cells = [
        f"{name} {medians[name] * 1e3:8.2f} ms ({counts[name]} eq, "
        f"ratio {ours / medians[name]:.2f})"
        for name in methods
        if name != "kurilsim"
    ]
    print(
        f"{label:<22} kurilsim {ours * 1e3:8.2f} ms ({counts['kurilsim']} eq) | "
        + " | ".join(cells)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer and smaller games")
    parser.add_argument("--cpu", action="store_true", help="time processor time, not wall time")
    args = parser.parse_args()
    global clock
    clock = time.process_time if args.cpu else time.perf_counter
    rng = np.random.default_rng(2026)
    n_games = 3 if args.quick else 10
    two_player: dict[str, Callable[[np.ndarray], int]] = {
        "kurilsim": lambda u: len(vertex_enumeration(u)),
        "QuantEcon": quantecon_equilibria,
        "Gambit enummixed": gambit_enummixed,
    }
    # Warm the imports (scipy, qhull) and QuantEcon's numba compilation before timing.
    for method in two_player.values():
        method(rng.random((3, 3, 2)))
    print(
        "two players, all extreme equilibria; ratio = kurilsim time / reference time "
        f"({'processor' if args.cpu else 'wall'} time)"
    )
    sizes = [3, 6, 8, 10] if args.quick else [3, 6, 8, 10, 15]
    for n in sizes:
        games = [rng.random((n, n, 2)) for _ in range(n_games if n < 15 else 2)]
        # Gambit's enummixed takes minutes at 15 x 15.
        methods = two_player if n < 15 else {k: two_player[k] for k in ("kurilsim", "QuantEcon")}
        row(f"random {n}x{n}", games, methods, repeat=5 if n <= 8 else 1)
    for n in (4, 6):
        games = [degenerate_game(rng, n) for _ in range(n_games)]
        row(f"degenerate {n}x{n}", games, two_player, repeat=5)
    # QuantEcon's hull of the 20,000-dimensional polytope, and Gambit's, would not fit in memory.
    wide = [rng.random((2, 20_000, 2)) for _ in range(2)]
    row("random 2x20000", wide, {"kurilsim": two_player["kurilsim"]})


if __name__ == "__main__":
    main()
