"""Vectorised sweeps shared with forked processes that solve and write their own chunks."""

import functools
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time

import pyarrow as pa
import pytest

import kurilsim
from kurilsim.core.errors import InputError, KurilsimError
from kurilsim.sweeps import GridAxis, SweepSpec, engine, forked, read_sweep, run, sweep
from kurilsim.sweeps.engine import Job, run_chunks, solve_chunk
from kurilsim.sweeps.lock import writer_lock
from kurilsim.sweeps.spec import point_set
from tests.helpers import NOT_FINITE, run_cli

GRID = {"sanctions": (0.0, 0.7, 12), "trust": (0.0, 1.0, 10)}  # 120 points
CHUNK = 8  # 15 chunks

pytestmark = pytest.mark.usefixtures("at_root")  # paths here are relative to the repository root
#: Whether sweeps fork no process here: not on Windows, nor macOS (see forked.forks_for).
NO_FORK = not hasattr(os, "fork") or sys.platform == "darwin"
forking = pytest.mark.skipif(NO_FORK, reason="sweeps fork no process here")


@pytest.fixture(scope="module")
def sochi():
    return kurilsim.load_scenario("scenarios/sochi_2016.yaml")


@pytest.fixture
def forks(monkeypatch):
    """Fork for any sweep of two chunks or more, and count the sweeps that forked.

    Forked even beside a test runner's own threads (pytest-xdist's), which wait on their
    sockets and hold nothing a child needs.
    """
    if NO_FORK:
        pytest.skip("sweeps fork no process here")
    monkeypatch.setattr(forked, "FORK_POINTS", 1)
    monkeypatch.setattr(forked, "can_fork_here", lambda: True)
    calls = []
    original = engine.run_forked

    def counted(*args):
        calls.append(args[2])  # the children forked
        return original(*args)

    monkeypatch.setattr(engine, "run_forked", counted)
    return calls


def in_children(monkeypatch, act):
    """Have every chunk solved outside this process call ``act`` first."""
    parent = os.getpid()
    original = engine.solve_chunk

    def solve(job, index):
        if os.getpid() != parent:
            act()
        return original(job, index)

    monkeypatch.setattr(engine, "solve_chunk", solve)


@pytest.mark.parametrize(
    ("scenario", "grid"),
    [
        ("scenarios/sochi_2016.yaml", GRID),
        ("scenarios/sequence_1956.yaml", {"carry_out_cost": (0.0, 0.6, 13)}),  # a game tree
    ],
)
def test_one_and_two_workers_write_the_same_file(tmp_path, scenario, grid, forks):
    files = [tmp_path / f"{workers}.parquet" for workers in (1, 2, 3)]
    for workers, file in zip((1, 2, 3), files, strict=True):
        sweep(scenario, grid, chunk_size=4, workers=workers, out=file)
    assert forks == [1, 2]  # this process and one forked, or two
    assert files[0].read_bytes() == files[1].read_bytes() == files[2].read_bytes()
    assert not multiprocessing.active_children()


def test_a_fork_refused_by_the_system_leaves_the_chunks_to_this_process(
    tmp_path, sochi, forks, monkeypatch
):
    # No memory or process left for a child (EAGAIN, ENOMEM): the sweep goes on without it.
    def refused():
        raise BlockingIOError(11, "Resource temporarily unavailable")

    files = [tmp_path / f"{workers}.parquet" for workers in (1, 3)]
    sweep(sochi, GRID, chunk_size=CHUNK, workers=1, out=files[0])
    monkeypatch.setattr(os, "fork", refused)
    sweep(sochi, GRID, chunk_size=CHUNK, workers=3, out=files[1])
    assert forks == [2] and files[0].read_bytes() == files[1].read_bytes()


@forking
def test_a_forked_process_writes_the_chunks_it_solves(tmp_path, sochi):
    # Each process writes its chunks; this one reads the others' back. It waits to write its
    # own first chunk until the child has written one, so that both take part.
    points = point_set(sochi, SweepSpec(grid=(GridAxis("sanctions", 0.0, 0.7, 40),)))
    job = Job(sochi, points, "pure", 1e-9, (), chunk_size=4)
    parent = os.getpid()

    def write(index, table):
        if os.getpid() == parent:
            deadline = time.monotonic() + 30
            while not list(tmp_path.glob("*.arrow")) and time.monotonic() < deadline:
                time.sleep(0.01)
        file = tmp_path / f"{index}-{os.getpid()}.arrow"
        with pa.OSFile(str(file), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table)
        return table

    def read(index):
        (file,) = tmp_path.glob(f"{index}-*.arrow")
        return pa.ipc.open_file(str(file)).read_all()

    solve = functools.partial(solve_chunk, job)
    chunks = dict(forked.run_forked(solve, range(job.n_chunks), 1, write, read))
    assert sorted(chunks) == list(range(10))
    assert all(chunks[k].equals(solve_chunk(job, k)) for k in chunks)
    writers = {int(file.stem.split("-")[1]) for file in tmp_path.glob("*.arrow")}
    assert parent in writers and len(writers) == 2


def test_an_interrupted_sweep_keeps_its_chunks_and_resumes(tmp_path, sochi, forks, monkeypatch):
    # Ctrl-C in this process after its second chunk: the child is ended, finished parts stay.
    # The child waits for it, so that this process writes two chunks however loaded the machine.
    parent, written = os.getpid(), []
    original = run._written
    interrupting = multiprocessing.get_context("fork").Event()
    in_children(monkeypatch, interrupting.wait)

    def interrupted(store, info):
        write = original(store, info)

        def then(index, table):
            if os.getpid() == parent and len(written) == 2:
                interrupting.set()
                raise KeyboardInterrupt
            written.append(index)
            return write(index, table)

        return then

    monkeypatch.setattr(run, "_written", interrupted)
    out = tmp_path / "s.parquet"
    with pytest.raises(KeyboardInterrupt):
        sweep(sochi, GRID, chunk_size=CHUNK, workers=2, out=out)
    assert not multiprocessing.active_children() and not out.exists()
    finished = read_sweep(out).to_frame()["point"].nunique()
    assert finished >= 2 * CHUNK and finished % CHUNK == 0
    monkeypatch.setattr(run, "_written", original)
    sweep(sochi, GRID, chunk_size=CHUNK, workers=2, out=out, resume=True)
    whole = tmp_path / "whole.parquet"
    sweep(sochi, GRID, chunk_size=CHUNK, workers=1, out=whole)
    assert out.read_bytes() == whole.read_bytes()
    assert forks == [1, 1]


def test_a_failing_child_raises_its_error_here(tmp_path, sochi, forks, monkeypatch):
    def fail():
        raise ValueError("no payoffs here")

    in_children(monkeypatch, fail)
    with pytest.raises(ValueError, match="no payoffs here"):
        sweep(sochi, GRID, chunk_size=CHUNK, workers=2, out=tmp_path / "s.parquet")
    assert forks == [1] and not multiprocessing.active_children()


@pytest.mark.parametrize(
    ("end", "code"),
    # Killed, or ended with exit code 0 (a solver calling sys.exit): its chunk would never come.
    [(lambda: os._exit(3), 3), (sys.exit, 0)],
    ids=["killed", "sys-exit"],
)
def test_a_child_that_ends_mid_chunk_is_reported_not_waited_for(
    tmp_path, sochi, forks, monkeypatch, within_20_seconds, end, code
):
    in_children(monkeypatch, end)
    with pytest.raises(
        KurilsimError, match=rf"ended without finishing its chunk \(exit code {code}\)"
    ):
        sweep(sochi, GRID, chunk_size=CHUNK, workers=2, out=tmp_path / "s.parquet")
    assert forks == [1] and not multiprocessing.active_children()


def test_a_bad_point_in_a_child_reaches_the_command_line_as_its_one_line(
    tmp_path, forks, monkeypatch, capsys, within_20_seconds
):
    # The last point's payoff is infinite (a = 0): this process takes no chunk until the child
    # has ended, so the child meets it, and its error (which carries the point's field) crosses.
    parent, original = os.getpid(), forked._take

    def take(*args):
        while os.getpid() == parent and multiprocessing.active_children():
            time.sleep(0.01)
        return original(*args)

    monkeypatch.setattr(forked, "_take", take)
    scenario = tmp_path / "bad.yaml"
    scenario.write_text(NOT_FINITE)
    argv = ["sweep", scenario, "--grid", "a=-1:0:9", "--set", "b=1", "--chunk-size", "2"]
    code, _, err = run_cli(capsys, *argv, "--workers", "2", "--out", tmp_path / "s.parquet")
    assert code == 2 and err.count("\n") == 1
    assert err.startswith(f"kurilsim: error: {scenario}: payoffs.B: payoff of B is nan")
    assert "with a=0, b=1;" in err
    assert forks == [1] and not multiprocessing.active_children()


@pytest.fixture
def within_20_seconds():
    """Fail a test that would hang, rather than hang."""

    def ring(*_):
        raise TimeoutError("the sweep hung")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def test_ctrl_c_reaching_a_child_is_left_to_this_process(tmp_path, sochi, forks, monkeypatch):
    # Ctrl-C reaches the whole process group: this process ends the children, which go on.
    in_children(monkeypatch, lambda: os.kill(os.getpid(), signal.SIGINT))
    files = [tmp_path / f"{workers}.parquet" for workers in (1, 2)]
    for workers, file in zip((1, 2), files, strict=True):
        sweep(sochi, GRID, chunk_size=CHUNK, workers=workers, out=file)
    assert forks == [1] and files[0].read_bytes() == files[1].read_bytes()


def test_a_child_killed_holding_the_count_is_reported(
    tmp_path, sochi, forks, monkeypatch, within_20_seconds
):
    # Killed (the kernel's out-of-memory killer, say) while it holds the count's lock: this
    # process, waiting to take a chunk, must not wait for ever.
    parent, original = os.getpid(), forked._take

    def take(taken, count, *rest):
        if os.getpid() != parent:
            taken.get_lock().acquire()
            time.sleep(0.5)  # this process is waiting for the lock meanwhile
            os.kill(os.getpid(), signal.SIGKILL)
        return original(taken, count, *rest)

    monkeypatch.setattr(forked, "_take", take)
    with pytest.raises(KurilsimError, match=r"exit code -9"):
        sweep(sochi, GRID, chunk_size=CHUNK, workers=2, out=tmp_path / "s.parquet")
    assert forks == [1] and not multiprocessing.active_children()


@pytest.mark.parametrize("to_other_thread", [False, True])
def test_ctrl_c_as_a_child_is_forked_leaves_no_child_running(
    tmp_path, sochi, forks, monkeypatch, to_other_thread
):
    # Ctrl-C just after the fork, before the child is on record here: it must still be ended.
    # The system may give the signal to any thread (numpy's, Arrow's): Python raises it here.
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    forked_pids, fork = [], os.fork

    def interrupted_fork():
        pid = fork()
        if pid:
            forked_pids.append(pid)
            to = other.ident if to_other_thread else threading.get_ident()
            signal.pthread_kill(to, signal.SIGINT)
            time.sleep(0.1)  # for the other thread to take it
        return pid

    monkeypatch.setattr(os, "fork", interrupted_fork)
    try:
        with pytest.raises(KeyboardInterrupt):
            sweep(sochi, GRID, chunk_size=CHUNK, workers=2, out=tmp_path / "s.parquet")
    finally:
        stop.set()
        other.join()
    monkeypatch.undo()
    assert len(forked_pids) == 1
    try:
        leaked = os.waitpid(forked_pids[0], os.WNOHANG)  # not reaped by the sweep
    except ChildProcessError:  # killed and waited for by the sweep
        leaked = None
    if leaked is not None:
        os.kill(forked_pids[0], signal.SIGKILL)
        os.waitpid(forked_pids[0], 0)
    assert leaked is None and not multiprocessing.active_children()


KILLED_PARENT = """\
import os, sys, time
from pathlib import Path
from kurilsim.sweeps import engine, forked, sweep

gate, started, out = map(Path, sys.argv[1:4])
parent, real = os.getpid(), engine.solve_chunk

def held(job, index):  # each process's first chunk, until the gate opens
    if os.getpid() != parent:
        started.with_suffix(".tmp").write_text(str(os.getpid()))
        started.with_suffix(".tmp").replace(started)
    while not gate.exists():
        time.sleep(0.02)
    return real(job, index)

forked.FORK_POINTS, engine.solve_chunk = 1, held
sweep("scenarios/sochi_2016.yaml", {"trust": (0, 1, 40)}, chunk_size=8, workers=2, out=out)
"""


@forking
def test_a_child_outliving_its_killed_parent_keeps_the_sweep_locked(tmp_path):
    # The child still writes its chunk, and takes no other: no second sweep may write the file
    # meanwhile.
    gate, started, out = tmp_path / "gate", tmp_path / "started", tmp_path / "s.parquet"
    first = subprocess.Popen([sys.executable, "-c", KILLED_PARENT, gate, started, out])
    try:
        deadline = time.monotonic() + 60
        while not started.exists():
            assert time.monotonic() < deadline and first.poll() is None
            time.sleep(0.02)
    finally:
        first.kill()
        first.wait()
    lock = tmp_path / "s.parquet.lock"
    try:
        with pytest.raises(InputError, match="another sweep"), writer_lock(lock):
            pass
    finally:
        gate.touch()
    deadline = time.monotonic() + 60
    while True:  # taken once the child has written its chunk and ended
        try:
            with writer_lock(lock):
                break
        except InputError:
            assert time.monotonic() < deadline
            time.sleep(0.02)
    assert len(list((tmp_path / "s.parquet.parts").glob("part-*"))) == 1  # of 5 chunks


def test_chunks_stay_in_threads_where_a_fork_is_unsafe(tmp_path, sochi, monkeypatch):
    # Another thread runs here (a notebook's, a client's): no fork beside it.
    monkeypatch.setattr(forked, "FORK_POINTS", 1)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        points = point_set(sochi, SweepSpec(grid=(GridAxis("sanctions", 0.0, 0.7, 40),)))
        job = Job(sochi, points, "pure", 1e-9, (), chunk_size=4)
        assert not forked.forks_for(job.bounds, range(job.n_chunks))
    finally:
        stop.set()
        other.join()


def test_a_light_sweep_forks_no_process(sochi):
    points = point_set(sochi, SweepSpec(grid=(GridAxis("sanctions", 0.0, 0.7, 40),)))
    job = Job(sochi, points, "pure", 1e-9, (), chunk_size=4)
    assert not forked.forks_for(job.bounds, range(job.n_chunks))  # 36 points after the first chunk
    assert sorted(dict(run_chunks(job, range(job.n_chunks), workers=2))) == list(range(10))


def test_a_progress_bar_starts_no_thread_that_would_keep_the_sweep_from_forking(capsys):
    before = set(threading.enumerate())
    with run._progress_bar(10, True) as bar:
        bar.update(10)
        assert set(threading.enumerate()) <= before
    assert "100%" in capsys.readouterr().err


@forking
def test_every_waiting_report_is_read_before_this_process_takes_another_chunk(tmp_path):
    # A child paced to finish three chunks for each of this process's. Were its reports read one
    # a turn, they would pile up, and the chunks given out ahead of one not yet given out (those
    # a Parquet stream holds in memory) would grow with the sweep.
    parent, n, tail = os.getpid(), 48, 6

    def count(pattern):
        return len(list(tmp_path.glob(pattern)))

    def wait_for(ready):
        deadline = time.monotonic() + 30
        while not ready() and time.monotonic() < deadline:
            time.sleep(0.002)

    def solve(index):
        if os.getpid() == parent:
            (tmp_path / f"{index}.started").touch()
            started = count("*.started")
            wait_for(lambda: count("*.arrow") >= min(3 * started, n - started))
        elif index < n - tail:  # the last chunks wait for nothing: this process may take none
            wait_for(lambda: count("*.arrow") < 3 * count("*.started"))
        return pa.table({"chunk": [index]})

    def write(index, table):
        if os.getpid() != parent:
            file = pa.OSFile(str(tmp_path / f"{index}.arrow"), "wb")
            with file as sink, pa.ipc.new_file(sink, table.schema) as writer:
                writer.write_table(table)
        return table

    def read(index):
        return pa.ipc.open_file(str(tmp_path / f"{index}.arrow")).read_all()

    given, ahead = set(), []
    for index, table in forked.run_forked(solve, range(n), 1, write, read):
        assert table.column("chunk").to_pylist() == [index]
        given.add(index)
        first_missing = min(set(range(n)) - given, default=n)
        ahead.append(sum(k > first_missing for k in given))
    assert given == set(range(n)) and count("*.started") >= 4
    assert max(ahead) <= 3, ahead
