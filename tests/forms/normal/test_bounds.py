"""Every default method stops at its bound and says so; a game where all are indifferent at once."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

import kurilsim
from kurilsim.forms.normal.game import NormalFormGame
from kurilsim.forms.normal.vertex_enumeration import bounded_vertex_enumeration
from tests.strategies import random_game


def _game(payoffs: np.ndarray) -> NormalFormGame:
    names = [[f"s{k}" for k in range(n)] for n in payoffs.shape[:-1]]
    return NormalFormGame([f"p{i}" for i in range(payoffs.shape[-1])], names, payoffs)


def test_vertex_enumeration_stops_at_its_bound_and_says_so():
    # A budget of 0 is spent before the first polytope, whatever the speed of the machine.
    solution = kurilsim.solve(_game(random_game(14, (14, 14))), max_seconds=0)
    assert solution.method == "vertex-enumeration" and not solution.complete
    assert solution.incomplete_reason == "max_seconds"
    assert all(eq.max_regret <= 1e-9 * solution.scale for eq in solution)


def test_vertex_enumeration_within_its_bound_is_complete():
    found, complete = bounded_vertex_enumeration(random_game(3, (3, 3)))
    assert complete and len(found) % 2 == 1


def test_a_game_of_ties_is_one_component_whose_vertices_are_the_pure_profiles():
    for method in ("auto", "support-enumeration"):
        solution = kurilsim.solve(_game(np.zeros((20, 20, 2))), method)
        assert solution.complete and len(solution) == 400
        assert {eq.kind for eq in solution} == {"pure"}
    three = kurilsim.solve(_game(np.full((3, 3, 3, 3), 7.0)))
    assert three.complete and len(three) == 27


def test_a_hull_that_outlasts_max_seconds_is_abandoned(monkeypatch, tmp_path, no_other_threads):
    """Qhull cannot be interrupted: a hull past the bound is left unfinished, not waited for.

    The hull is made to last far longer than the bound; the files it leaves show it started
    and never finished, whatever the speed of the machine.
    """
    from kurilsim.forms.normal import vertex_enumeration as module

    real = module._polar_facets

    def slow(points, merged):
        (tmp_path / "started").touch()
        time.sleep(60)
        (tmp_path / "finished").touch()
        return real(points, merged)

    monkeypatch.setattr(module, "_polar_facets", slow)
    _, complete = bounded_vertex_enumeration(random_game(14, (14, 14)), max_seconds=1.0)
    assert not complete
    assert (tmp_path / "started").exists() and not (tmp_path / "finished").exists()


def test_a_hull_in_a_child_of_the_fork_server_finds_what_one_here_finds(monkeypatch):
    """Where another thread runs, a hull that may not fit goes to a fork server's child.

    Every hull made to seem too long for the time left goes there: the equilibria are those of
    every hull computed here, to the last bit.
    """
    import multiprocessing.context
    import threading

    from kurilsim.forms.normal import vertex_enumeration as module

    if "forkserver" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork server on this platform")
    payoffs = random_game(12, (12, 12))
    here, _ = bounded_vertex_enumeration(payoffs, max_seconds=60.0)
    started = []
    real_start = multiprocessing.context.ForkServerProcess.start

    def counted(self):
        started.append(self)
        real_start(self)

    monkeypatch.setattr(multiprocessing.context.ForkServerProcess, "start", counted)
    monkeypatch.setattr(module, "_HULL_SECONDS_PER_VERTEX", math.inf)
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        in_child, complete = bounded_vertex_enumeration(payoffs, max_seconds=60.0)
    finally:
        release.set()
        other.join()
    assert complete and started
    assert len(in_child) == len(here) > 1
    for (x, y), (x_here, y_here) in zip(in_child, here, strict=True):
        assert np.array_equal(x, x_here) and np.array_equal(y, y_here)
