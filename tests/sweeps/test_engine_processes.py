"""Game-by-game chunks on local workers: this process solves chunks, new processes join in once
started, and every chunk comes back once with the table a single worker gives."""

import dataclasses
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import process as futures_process

import numpy as np
import pandas as pd
import pytest

from kurilsim import load_scenario, parse_scenario
from kurilsim.core.sweep_rows import SweepRows, merged
from kurilsim.sweeps import GridAxis, SweepSpec, engine, sweep
from kurilsim.sweeps.engine import Job, run_chunks, solve_chunk
from kurilsim.sweeps.spec import point_set
from tests.strategies import STAG_HUNT


@pytest.fixture(scope="module")
def job():
    scenario = parse_scenario(STAG_HUNT)
    grid = (GridAxis("stag", 2, 10, 6), GridAxis("hare", 0, 3, 3))
    return Job(scenario, point_set(scenario, SweepSpec(grid=grid)), "vertex-enumeration", 1e-9,
               (), chunk_size=2)  # fmt: skip


def watched_pool(monkeypatch):
    """Record the chunks that the sweep's new processes solve, and the processes' ids; the event
    is set at the first chunk."""
    solved, first, started = [], threading.Event(), set()

    def record(future):
        if not future.cancelled() and future.exception() is None and future.result():
            solved.append(future.result()[0])
            first.set()

    class Watched(ProcessPoolExecutor):
        def submit(self, fn, /, *args, **kwargs):
            future = super().submit(fn, *args, **kwargs)
            future.add_done_callback(record)
            started.update(self._processes)
            return future

    monkeypatch.setattr(engine, "ProcessPoolExecutor", Watched)
    return solved, first, started


def assert_ended(processes):
    """Each process has ended and been reaped: none is left running, nor as a zombie."""
    assert processes
    for process in processes:
        with pytest.raises(ProcessLookupError):
            os.kill(process, 0)


def recorded_points(monkeypatch):
    """The points solved in this process, as the ranges that each call solved."""
    ranges, solve_rows = [], engine.solve_rows

    def recorded(solving, start, stop):
        ranges.append((start, stop))
        return solve_rows(solving, start, stop)

    monkeypatch.setattr(engine, "solve_rows", recorded)
    return ranges


def points_of(ranges):
    return [point for start, stop in ranges for point in range(start, stop)]


@pytest.mark.slow
def test_a_started_worker_process_takes_chunks_and_gives_the_same_tables(job, monkeypatch):
    monkeypatch.setattr(engine, "PROCESS_START", -1.0)  # worth a new process, however light
    elsewhere, started, processes = watched_pool(monkeypatch)
    here = recorded_points(monkeypatch)

    def solve_here(solving, index):
        # After the first chunk (the probes'), this process waits for the new one to solve a
        # chunk, so that both solve some whatever the load of the machine.
        assert started.wait(120)
        return solve_chunk(solving, index)

    monkeypatch.setattr(engine, "solve_chunk", solve_here)
    chunks = dict(run_chunks(job, range(job.n_chunks), workers=2))
    assert sorted(chunks) == list(range(job.n_chunks)) == list(range(9))
    assert here[:2] == [(0, 1), (1, 2)]  # the probes: points of the first chunk
    assert elsewhere  # the new process solved some
    there = points_of(job.bounds(index) for index in elsewhere)
    assert sorted(points_of(here) + there) == list(range(18))  # each point solved once
    for index, table in chunks.items():
        assert table.equals(solve_chunk(job, index)), index
    engine.end_kept_processes()  # kept for the next sweep once it has served this one
    assert_ended(processes)


def test_a_light_sweep_starts_no_worker_process(job, monkeypatch):
    # Nine chunks of a 2 x 2 game take milliseconds of CPU, far less than a new Python process
    # takes to import kurilsim.
    def refuse(*args, **kwargs):
        raise AssertionError("a process pool was started")

    monkeypatch.setattr(engine, "ProcessPoolExecutor", refuse)
    here = recorded_points(monkeypatch)
    chunks = dict(run_chunks(job, range(job.n_chunks), workers=3))
    assert sorted(chunks) == list(range(9))
    assert sorted(points_of(here)) == list(range(18))  # the probes' points among them, once
    for index, table in chunks.items():
        assert table.equals(solve_chunk(job, index)), index
    assert list(run_chunks(job, [], workers=2)) == []  # a resumed sweep that was complete


@pytest.mark.parametrize("estimate", [1.0, 1.9])
def test_no_process_is_started_for_less_than_twice_its_start(job, monkeypatch, estimate):
    # A new process helps only once started, with half of what is left then: chunks worth less
    # than two starts would gain less than noise, or lose.
    def refuse(*args, **kwargs):
        raise AssertionError("a process pool was started")

    monkeypatch.setattr(engine, "ProcessPoolExecutor", refuse)
    monkeypatch.setattr(engine, "PROCESS_START", 1.0)
    monkeypatch.setattr(engine._Probe, "estimate", lambda self, indices: estimate)
    assert sorted(dict(run_chunks(job, range(job.n_chunks), workers=2))) == list(range(9))


@pytest.mark.slow
def test_no_more_processes_are_started_than_the_chunks_can_use(job, monkeypatch):
    monkeypatch.setattr(engine, "PROCESS_START", -1.0)
    sizes = []

    class Counted(ProcessPoolExecutor):
        def __init__(self, max_workers=None, *args, **kwargs):
            sizes.append(max_workers)
            super().__init__(max_workers, *args, **kwargs)

    monkeypatch.setattr(engine, "ProcessPoolExecutor", Counted)
    chunks = dict(run_chunks(job, [0, 1], workers=6))
    assert sorted(chunks) == [0, 1]
    assert sizes == [1]  # two chunks: this process and one new one


def _install_once_all_are_taken(count, parent):
    # A new process's set-up that first waits until the sweep's own process has taken every
    # chunk (the eight after the probes' first of the job's nine): as on a light sweep, done
    # before a new process has imported kurilsim.
    while count[1] < 8:
        time.sleep(0.01)
    engine._install(count, parent)


@pytest.mark.slow
def test_a_sweep_this_process_finishes_first_ends_the_worker_unused(job, monkeypatch):
    # Worth a new process, but this process takes every chunk before the new one can, and then
    # ends it, started or not.
    monkeypatch.setattr(engine, "PROCESS_START", -1.0)
    monkeypatch.setattr(engine, "_install", _install_once_all_are_taken)
    elsewhere, _, processes = watched_pool(monkeypatch)
    chunks = dict(run_chunks(job, range(job.n_chunks), workers=2))
    assert sorted(chunks) == list(range(9))
    assert elsewhere == []
    assert_ended(processes)  # not kept: it had not started
    assert not engine._KEPT


def solved_elsewhere_first(monkeypatch):
    """Have this process wait, after the probes, until another process has solved a chunk (so
    that both solve some whatever the load of the machine); the chunks solved elsewhere, the
    event of the first, and the ids of the processes started."""
    elsewhere, solved, processes = watched_pool(monkeypatch)

    def solve_here(solving, index):
        assert solved.wait(120)
        return solve_chunk(solving, index)

    monkeypatch.setattr(engine, "solve_chunk", solve_here)
    return elsewhere, solved, processes


@pytest.mark.slow
def test_processes_that_served_a_sweep_serve_the_next_without_a_new_start(job, monkeypatch):
    monkeypatch.setattr(engine, "PROCESS_START", -1.0)
    elsewhere, solved, processes = solved_elsewhere_first(monkeypatch)
    first = dict(run_chunks(job, range(job.n_chunks), workers=2))
    assert engine._KEPT and elsewhere
    # Ended at exit before the pool's exit handler (called after, as registered before) would
    # wait for each to unload its modules.
    called = [getattr(c, "func", None) for c in threading._threading_atexits]
    assert called.index(engine.end_kept_processes) > called.index(futures_process._python_exit)
    kept = set(processes)
    elsewhere.clear()
    solved.clear()
    monkeypatch.setattr(engine, "PROCESS_START", 1e9)  # only a process started already pays
    monkeypatch.setattr(engine, "KEPT_START", -1.0)  # and it does, however light the sweep
    second = dict(run_chunks(job, range(job.n_chunks), workers=2))
    assert elsewhere  # the kept process solved chunks of the second sweep
    assert processes == kept  # ... and no other was started
    for chunks in (first, second):
        assert sorted(chunks) == list(range(9))
        for index, table in chunks.items():
            assert table.equals(solve_chunk(job, index)), index
    engine.end_kept_processes()
    assert_ended(kept)


@pytest.mark.slow
def test_a_sweep_stopped_midway_ends_its_processes_and_keeps_none(job, monkeypatch):
    monkeypatch.setattr(engine, "PROCESS_START", -1.0)
    elsewhere, _, processes = solved_elsewhere_first(monkeypatch)
    sweeping = run_chunks(job, range(job.n_chunks), workers=2)
    finished = [next(sweeping) for _ in range(4)]
    sweeping.close()  # as on Ctrl-C, or an error writing a chunk
    assert len(finished) == 4 and elsewhere
    assert not engine._KEPT
    assert_ended(processes)


@pytest.mark.parametrize("estimate", [0.4, 0.5])
def test_kept_processes_take_no_sweep_under_twice_their_cost_to_join_it(job, monkeypatch, estimate):
    # Kept processes have started, but each would rebuild the scenario and fill its caches.
    monkeypatch.setattr(engine, "KEPT_START", 0.25)
    monkeypatch.setattr(engine, "_has_kept", lambda size: True)
    monkeypatch.setattr(engine, "_Processes", None)  # neither kept ones nor new ones are used
    monkeypatch.setattr(engine._Probe, "estimate", lambda self, indices: estimate)
    assert sorted(dict(run_chunks(job, range(job.n_chunks), workers=2))) == list(range(9))


def test_an_ask_left_from_an_ended_sweep_takes_no_chunk_of_the_next():
    processes = engine._Processes(1)  # no process starts before a chunk is asked for
    try:
        first = processes.begin()
        assert processes.take(first, 2) == 0
        second = processes.begin()
        assert processes.take(first, 2) is None
        assert [processes.take(second, 2) for _ in range(3)] == [0, 1, None]
        assert processes.all_taken(2)
    finally:
        engine.stop_pool(processes.pool)


@pytest.mark.slow
def test_kept_processes_end_when_unused_for_long(job, monkeypatch):
    monkeypatch.setattr(engine, "PROCESS_START", -1.0)
    monkeypatch.setattr(engine, "KEEP_PROCESSES", 0.0)
    _, _, processes = solved_elsewhere_first(monkeypatch)
    assert sorted(dict(run_chunks(job, range(job.n_chunks), workers=2))) == list(range(9))
    for _ in range(1200):  # a hang guard, not a time limit: the end is asked for at once
        if not engine._KEPT and all(not alive(process) for process in processes):
            break
        time.sleep(0.05)
    assert not engine._KEPT
    assert_ended(processes)


@pytest.mark.slow
def test_a_child_forked_after_a_sweep_leaves_the_kept_processes_to_this_one(job, monkeypatch):
    # A child forked from this process (by multiprocessing's "fork", say) copies the record of
    # the kept processes, but they are not its own: at its end it must not end them (nor fail).
    monkeypatch.setattr(engine, "PROCESS_START", -1.0)
    _, _, processes = solved_elsewhere_first(monkeypatch)
    assert sorted(dict(run_chunks(job, range(job.n_chunks), workers=2))) == list(range(9))
    assert engine._KEPT
    child = multiprocessing.get_context("fork").Process(target=engine.end_kept_processes)
    child.start()
    child.join(120)
    assert child.exitcode == 0
    assert engine._KEPT and engine._KEPT[0].healthy()
    assert all(alive(process) for process in processes)
    engine.end_kept_processes()
    assert_ended(processes)


@pytest.mark.slow
def test_processes_are_kept_where_threading_has_no_exit_callbacks(job, monkeypatch):
    # threading._register_atexit is private: where it is missing, the processes are ended by
    # an atexit callback instead, and the sweep that keeps them still ends well.
    monkeypatch.setattr(engine, "PROCESS_START", -1.0)
    monkeypatch.delattr(threading, "_register_atexit")
    monkeypatch.setattr(engine, "_KEPT_END_AT_EXIT", [])
    registered = []
    monkeypatch.setattr(engine.atexit, "register", registered.append)
    _, _, processes = solved_elsewhere_first(monkeypatch)
    assert sorted(dict(run_chunks(job, range(job.n_chunks), workers=2))) == list(range(9))
    assert engine._KEPT and registered == [engine.end_kept_processes]
    engine.end_kept_processes()
    assert_ended(processes)


def alive(process):
    try:
        os.kill(process, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.parametrize(
    ("size", "first", "calls", "finished"),
    [
        # Nine points a chunk: the first point (loading the solver), one point, then four, timed;
        # the rest of the chunk when it is finished.
        (9, 0, [(0, 1), (1, 2), (2, 6), (6, 9)], [0]),
        # Three, from the second chunk (as on a resumed sweep): the first point, then one
        # timed; the last point at the end.
        (3, 1, [(3, 4), (4, 5), (5, 6)], [1]),
        # One point a chunk: the first chunk, then the next, timed whole.
        (1, 0, [(0, 1), (1, 2)], [0, 1]),
    ],
)
def test_the_first_points_tell_the_cpu_time_of_the_chunks_and_are_kept(
    job, monkeypatch, size, first, calls, finished
):
    job = dataclasses.replace(job, chunk_size=size)
    here = recorded_points(monkeypatch)
    indices = range(first, job.n_chunks)
    probe = engine._Probe(job, indices)
    chunks = dict(probe.run())
    if (begun := probe.finish()) is not None:
        chunks[begun[0]] = begun[1]
    assert here == calls
    assert sorted(chunks) == finished and probe.chunks == len(finished)
    for index, table in chunks.items():
        assert table.equals(solve_chunk(job, index)), index
    # The other chunks of a 2 x 2 game take milliseconds of CPU, not a minute; nor no time.
    later = indices[probe.chunks :]
    assert 0 < probe.estimate(later[:1]) <= probe.estimate(later) < 60


@pytest.mark.parametrize(
    "file",
    [
        "scenarios/repeated_joint_activity.yaml",  # rows whose columns vary from point to point
        "scenarios/credibility_1956.yaml",
    ],
)
def test_the_probes_pieces_make_the_table_of_one_call_on_every_form(file, request, monkeypatch):
    monkeypatch.setattr(engine, "PROCESS_START", 1e9)  # the probes, and no new process
    scenario = load_scenario(request.config.rootpath / file)
    one, two = (
        sweep(scenario, samples=9, seed=4, workers=workers, chunk_size=7).to_frame()
        for workers in (1, 2)
    )
    pd.testing.assert_frame_equal(one, two)


def test_rows_of_unlike_columns_are_not_merged():
    pieces = [SweepRows(np.array([0]), {"x": [1.0]}), SweepRows(np.array([1]), {"x": np.ones(1)})]
    with pytest.raises(TypeError, match="'x'"):
        merged(pieces)
