"""The cost of running a convex hull where it can be abandoned, and the bound it keeps.

Run by hand: ``python benchmarks/bench_abandoned_hull.py``. Vertex enumeration runs a hull that
may not end in time in a child process killed at ``max_seconds``
(:func:`kurilsim.core.abandonable.within_deadline`): forked from this process when no other
thread runs here, from the fork server otherwise. This prints, alternating in one run, the time
of random games solved with every hull in this process (the reference: each hull run as before),
with every hull in a child forked from here, and with every hull in a child of the fork server
(another thread running), the children forced by an infinite cost per vertex, as for a hull that
cannot fit in the time left; their median ratios to the reference; and checks that all three
find the same equilibria. The fork server's start, paid once by the first hull sent to it, is
timed apart. It then solves 3-card Kuhn poker's reduced normal form (27 x 64), whose hull takes
minutes, with ``max_seconds`` 2, alone and beside a thread in linear algebra, and prints the
time taken: the bound kept. Last, in fresh processes (the server starts once per process), a
12 x 12 game with ``max_seconds`` 1 beside a thread in linear algebra: the time taken, the
server's start included, against the bound.
"""

from __future__ import annotations

import math
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np

from kurilsim.forms.information.catalogue import kuhn_poker
from kurilsim.forms.information.reduced_normal_form import reduced_normal_form
from kurilsim.forms.information.sequence_form import sequence_form
from kurilsim.forms.normal import vertex_enumeration as module

ROUNDS = 5
SIZES = (12, 13, 14, 15)


def _timed(payoffs: np.ndarray, max_seconds: float) -> tuple[float, list, bool]:
    started = time.perf_counter()
    found, complete = module.bounded_vertex_enumeration(payoffs, max_seconds=max_seconds)
    return time.perf_counter() - started, found, complete


@contextmanager
def _other_thread(work: Callable[[threading.Event], None]) -> Iterator[None]:
    """A thread that is not idle runs ``work`` while the block runs: hulls go to the server."""
    stop = threading.Event()
    other = threading.Thread(target=work, args=(stop,))
    other.start()
    try:
        yield
    finally:
        stop.set()
        other.join()


def _linear_algebra(stop: threading.Event) -> None:
    while not stop.is_set():
        np.linalg.svd(np.random.default_rng(0).random((200, 200)))


def _same(found: list, reference: list) -> bool:
    return len(found) == len(reference) and all(
        np.array_equal(x, x_ref) and np.array_equal(y, y_ref)
        for (x, y), (x_ref, y_ref) in zip(found, reference, strict=True)
    )


#: A fresh process's first hull sent to the fork server, with a bound shorter than its start.
_FIRST_HULL_WITH_A_SHORT_BOUND = """
import threading
import time
import numpy as np
import scipy.spatial  # loaded first: only the fork server's start is in the time
from kurilsim.forms.normal.vertex_enumeration import bounded_vertex_enumeration

stop = threading.Event()

def linear_algebra():
    while not stop.is_set():
        np.linalg.svd(np.random.default_rng(0).random((200, 200)))

payoffs = np.random.default_rng(0).integers(-50, 50, size=(12, 12, 2)).astype(float)
other = threading.Thread(target=linear_algebra)
other.start()
started = time.perf_counter()
found, complete = bounded_vertex_enumeration(payoffs, max_seconds=1.0)
print(time.perf_counter() - started, complete)
stop.set()
other.join()
"""


def main() -> None:
    rng = np.random.default_rng(0)
    cost = module._HULL_SECONDS_PER_VERTEX
    games = [rng.integers(-50, 50, size=(n, n, 2)).astype(float) for n in SIZES]
    module._HULL_SECONDS_PER_VERTEX = math.inf
    with _other_thread(threading.Event.wait):
        first, _, _ = _timed(games[0], 60.0)
        again, _, _ = _timed(games[0], 60.0)
    print(
        f"{SIZES[0]} x {SIZES[0]} in children of the fork server: {first:.3f} s with the "
        f"server's start, {again:.3f} s after it"
    )
    for n, payoffs in zip(SIZES, games, strict=True):
        here, forked, served = [], [], []
        for _ in range(ROUNDS):
            module._HULL_SECONDS_PER_VERTEX = 0.0  # every hull fits: run in this process
            seconds, found_here, _ = _timed(payoffs, 60.0)
            here.append(seconds)
            module._HULL_SECONDS_PER_VERTEX = math.inf  # none fits: each in a child process
            seconds, found, complete = _timed(payoffs, 60.0)
            forked.append(seconds)
            assert complete
            assert _same(found, found_here)
            with _other_thread(threading.Event.wait):
                seconds, found, complete = _timed(payoffs, 60.0)
            served.append(seconds)
            assert complete
            assert _same(found, found_here)
        module._HULL_SECONDS_PER_VERTEX = cost
        fork_ratio = statistics.median(c / h for c, h in zip(forked, here, strict=True))
        server_ratio = statistics.median(c / h for c, h in zip(served, here, strict=True))
        print(
            f"{n} x {n}: in this process {statistics.median(here):.3f} s, forked from it "
            f"{statistics.median(forked):.3f} s (ratio {fork_ratio:.2f}), from the fork server "
            f"{statistics.median(served):.3f} s (ratio {server_ratio:.2f}); "
            f"{len(found_here)} equilibria, the same in all three"
        )
    tree = kuhn_poker()
    game, _ = reduced_normal_form(tree, sequence_form(tree))
    seconds, found, complete = _timed(game.payoffs, 2.0)
    print(
        f"Kuhn poker 27 x 64, max_seconds 2: {seconds:.2f} s, {len(found)} found, "
        f"complete {complete}"
    )
    with _other_thread(_linear_algebra):
        seconds, found, complete = _timed(game.payoffs, 2.0)
    print(
        f"Kuhn poker 27 x 64, max_seconds 2, beside a thread in linear algebra: {seconds:.2f} s, "
        f"{len(found)} found, complete {complete}"
    )
    for _ in range(ROUNDS):
        done = subprocess.run(
            [sys.executable, "-c", _FIRST_HULL_WITH_A_SHORT_BOUND],
            capture_output=True,
            text=True,
            check=True,
        )
        seconds_text, complete_text = done.stdout.split()
        seconds = float(seconds_text)
        print(
            f"12 x 12, max_seconds 1, first hull of a fresh process beside a thread in linear "
            f"algebra: {seconds:.3f} s (ratio to the bound {seconds / 1.0:.2f}), complete "
            f"{complete_text}"
        )


if __name__ == "__main__":
    main()
