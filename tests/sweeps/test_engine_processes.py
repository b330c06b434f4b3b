"""Game-by-game chunks on local workers: this process solves chunks, new processes join in once
started, and every chunk comes back once with the table a single worker gives."""

import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor

import pytest

from kurilsim import parse_scenario
from kurilsim.sweeps import GridAxis, SweepSpec, engine
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


@pytest.mark.slow
def test_a_started_worker_process_takes_chunks_and_gives_the_same_tables(job, monkeypatch):
    monkeypatch.setattr(engine, "PROCESS_START", -1.0)  # worth a new process, however light
    elsewhere, started, processes = watched_pool(monkeypatch)
    here = []

    def solve_here(solving, index):
        # After its first chunk, this process waits for the new one to solve a chunk, so that
        # both solve some whatever the load of the machine.
        if solving.chunk_size != job.chunk_size:  # the probes that time the sweep
            return solve_chunk(solving, index)
        if here:
            assert started.wait(120)
        here.append(index)
        return solve_chunk(solving, index)

    monkeypatch.setattr(engine, "solve_chunk", solve_here)
    chunks = dict(run_chunks(job, range(job.n_chunks), workers=2))
    assert sorted(chunks) == list(range(job.n_chunks)) == list(range(9))
    assert sorted(here + elsewhere) == list(range(9))  # each chunk solved once
    assert here and elsewhere  # by each process
    for index, table in chunks.items():
        assert table.equals(solve_chunk(job, index)), index
    assert_ended(processes)


def test_a_light_sweep_starts_no_worker_process(job, monkeypatch):
    # Nine chunks of a 2 x 2 game take milliseconds of CPU, far less than a new Python process
    # takes to import kurilsim.
    def refuse(*args, **kwargs):
        raise AssertionError("a process pool was started")

    monkeypatch.setattr(engine, "ProcessPoolExecutor", refuse)
    chunks = dict(run_chunks(job, range(job.n_chunks), workers=3))
    assert sorted(chunks) == list(range(9))
    assert list(run_chunks(job, [], workers=2)) == []  # a resumed sweep that was complete


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


def _install_once_all_are_taken(job, indices, taken, parent):
    # A new process's set-up that first waits until the sweep's own process has taken every
    # chunk: as on a light sweep, done before a new process has imported kurilsim.
    while taken.value < len(indices):
        time.sleep(0.01)
    engine._install(job, indices, taken, parent)


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
    assert_ended(processes)


def test_a_few_points_tell_the_cpu_time_of_the_chunks(job, monkeypatch):
    solved = []

    def solve(job, index):
        solved.append((job.chunk_size, index))
        return solve_chunk(job, index)

    monkeypatch.setattr(engine, "solve_chunk", solve)
    estimate = engine._cpu_estimate(job, range(2, job.n_chunks))
    # Fourteen points of a 2 x 2 game take milliseconds of CPU, not a minute; nor no time.
    assert 0 < estimate < 60
    # The first point alone (loading the solver), the next alone, then four as one chunk: points
    # 8 to 11 of the 18, not a chunk of the sweep.
    assert solved == [(1, 4), (1, 5), (engine.PROBE_POINTS, 2)]


def test_the_first_chunk_tells_whether_the_others_are_worth_a_cluster(job):
    def first(start):
        chunks = engine._first(job, range(job.n_chunks), start)
        index, table = next(chunks)
        assert index == 0 and table.equals(solve_chunk(job, 0))
        with pytest.raises(StopIteration) as end:
            next(chunks)
        return end.value.value

    # Eight more chunks of a 2 x 2 game: milliseconds of CPU, not an hour; nor no time at all.
    assert first(3600.0)
    assert not first(0.0)
