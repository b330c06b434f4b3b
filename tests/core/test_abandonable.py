"""Calls run in a child process: their value, their exception, or abandoned at the deadline."""

from __future__ import annotations

import multiprocessing
import operator
import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

import pytest

from kurilsim.core.abandonable import IDLE_THREAD, can_abandon, within_deadline
from kurilsim.core.deadline import Deadline
from kurilsim.core.errors import KurilsimError

pytestmark = [
    pytest.mark.skipif(not can_abandon(), reason="processes cannot be forked here"),
    pytest.mark.usefixtures("no_other_threads"),
]


def test_the_value_comes_back_from_another_process():
    value, finished = within_deadline(Deadline(30.0), lambda: os.getpid())
    assert finished and value != os.getpid()


def test_an_exception_of_the_call_is_raised_here():
    with pytest.raises(ZeroDivisionError):
        within_deadline(Deadline(30.0), lambda: 1 / 0)


def test_a_call_past_the_deadline_is_abandoned_and_its_process_ended(tmp_path):
    """The child blocks on a pipe nobody writes to: only killing it ends it."""
    read, write = os.pipe()
    marker = tmp_path / "pid"

    def blocked() -> None:
        marker.write_text(str(os.getpid()))
        os.read(read, 1)

    deadline = Deadline(0.5)
    assert within_deadline(deadline, blocked) == (None, False)
    assert deadline.hit
    os.close(write)
    os.close(read)
    if marker.exists():  # started before the deadline: gone now
        with pytest.raises(ProcessLookupError):
            os.kill(int(marker.read_text()), 0)


def test_a_child_that_dies_without_an_answer_is_an_error():
    with pytest.raises(KurilsimError, match="without an answer"):
        within_deadline(Deadline(30.0), os._exit, 3)


def test_an_expired_deadline_starts_nothing(tmp_path):
    deadline = Deadline(0.0)
    assert within_deadline(deadline, (tmp_path / "ran").touch) == (None, False)
    assert not (tmp_path / "ran").exists()


def test_a_daemonic_process_runs_the_call_itself(monkeypatch):
    """A daemonic process (a Pool worker) may not have children: the call runs in it."""
    import multiprocessing

    monkeypatch.setattr(multiprocessing.current_process(), "daemon", True, raising=False)
    assert not can_abandon()
    assert within_deadline(Deadline(30.0), os.getpid) == (os.getpid(), True)


@contextmanager
def another_thread() -> Iterator[None]:
    """A thread of this process that is not idle while the block runs."""
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        yield
    finally:
        release.set()
        other.join()


@contextmanager
def fork_server_starts_held(monkeypatch) -> Iterator[list[bool]]:
    """Another thread running and the fork server up; each child's start then waits, up to
    10 s, until the block has ended, and records whether it gave up waiting. After the block the
    starts' threads are joined, and no child and no open file may be left."""
    import multiprocessing.context

    start = multiprocessing.context.ForkServerProcess.start
    release = threading.Event()
    gave_up: list[bool] = []

    def held_start(self):
        gave_up.append(not release.wait(10.0))
        start(self)

    with another_thread():
        within_deadline(Deadline(30.0), os.getpid)  # the server's own pipes opened first
        threads_before = set(threading.enumerate())
        open_before = len(os.listdir("/proc/self/fd"))
        monkeypatch.setattr(multiprocessing.context.ForkServerProcess, "start", held_start)
        try:
            yield gave_up
        finally:
            release.set()
        for thread in set(threading.enumerate()) - threads_before:
            thread.join()
        assert multiprocessing.active_children() == []
        assert len(os.listdir("/proc/self/fd")) == open_before


def test_a_process_with_other_threads_forks_its_child_from_a_fork_server():
    """Another thread may be inside a library whose fork handlers wait for it (OpenBLAS's)."""
    with another_thread():
        assert can_abandon()
        value, finished = within_deadline(Deadline(30.0), os.getpid)
        assert finished and value != os.getpid()
        with pytest.raises(ZeroDivisionError):
            within_deadline(Deadline(30.0), operator.truediv, 1, 0)
        deadline = Deadline(0.5)
        assert within_deadline(deadline, time.sleep, 60) == (None, False)
        assert deadline.hit
    assert multiprocessing.active_children() == []


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="open files counted in /proc")
def test_a_fork_server_child_leaves_no_pipe_open():
    """The server, started by the first call, stays; each child's pipes are closed."""
    with another_thread():
        within_deadline(Deadline(30.0), os.getpid)
        open_before = len(os.listdir("/proc/self/fd"))
        within_deadline(Deadline(30.0), os.getpid)
        within_deadline(Deadline(0.5), time.sleep, 60)
        assert len(os.listdir("/proc/self/fd")) == open_before


def test_the_modules_a_call_imports_are_loaded_before_the_fork(monkeypatch):
    """Once here, rather than once in every child."""
    monkeypatch.delitem(sys.modules, "colorsys", raising=False)
    value, finished = within_deadline(Deadline(30.0), os.getpid, imports=("colorsys",))
    assert finished and value != os.getpid()
    assert "colorsys" in sys.modules


def test_a_call_without_deadline_runs_here():
    """Nothing to abandon it at: no child is worth its start."""
    assert within_deadline(Deadline(None), os.getpid) == (os.getpid(), True)


@pytest.mark.parametrize("threads", [nullcontext, another_thread])
def test_a_deadline_further_off_than_a_wait_can_reach_is_kept(threads):
    """A wait for a pipe or a thread reaches 24 days at most: a billion seconds is none."""
    with threads():
        value, finished = within_deadline(Deadline(1e9), os.getpid)
    assert finished and isinstance(value, int)


def test_an_idle_thread_does_not_keep_the_call_here():
    """A thread that only polls (a sweep worker's watch on its parent) takes no library's lock."""
    release = threading.Event()
    idle = threading.Thread(target=release.wait, name=IDLE_THREAD)
    idle.start()
    try:
        value, finished = within_deadline(Deadline(30.0), os.getpid)
        assert finished and value != os.getpid()
    finally:
        release.set()
        idle.join()


_BLAS_BESIDE_HULLS = """
import os
import threading
import numpy as np
from kurilsim.core.abandonable import within_deadline
from kurilsim.core.deadline import Deadline

stop = threading.Event()

def linear_algebra():
    while not stop.is_set():
        np.linalg.svd(np.random.default_rng(0).random((200, 200)))

others = [threading.Thread(target=linear_algebra) for _ in range(2)]
for thread in others:
    thread.start()
for _ in range(10):
    assert within_deadline(Deadline(30.0), np.linalg.det, np.eye(3)) == (1.0, True)
    child, finished = within_deadline(Deadline(30.0), os.getpid)
    assert finished and child != os.getpid()
stop.set()
for thread in others:
    thread.join()
"""


def test_calls_beside_threads_in_linear_algebra_end():
    """Forking while another thread is in a multithreaded OpenBLAS call would hang in the fork.

    The children are forked from the fork server instead.
    """
    import subprocess

    done = subprocess.run(
        [sys.executable, "-c", _BLAS_BESIDE_HULLS], timeout=60, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="open files counted in /proc")
@pytest.mark.parametrize(
    ("kind", "threads", "refusal"),
    [
        ("ForkProcess", nullcontext, BlockingIOError(11, "Resource temporarily unavailable")),
        ("ForkServerProcess", another_thread, ConnectionRefusedError(111, "Connection refused")),
        ("ForkServerProcess", another_thread, EOFError()),  # the server died while forking
    ],
)
def test_a_child_refused_runs_the_call_here_and_leaves_no_pipe_open(
    monkeypatch, kind, threads, refusal
):
    import multiprocessing.context

    def refused(self):
        raise refusal

    monkeypatch.setattr(getattr(multiprocessing.context, kind), "start", refused)
    with threads():
        open_before = len(os.listdir("/proc/self/fd"))
        assert within_deadline(Deadline(30.0), os.getpid) == (os.getpid(), True)
        assert len(os.listdir("/proc/self/fd")) == open_before


_SCRIPT_WITHOUT_MAIN_GUARD = """
import os
import threading
from kurilsim.core.abandonable import within_deadline
from kurilsim.core.deadline import Deadline

print("top level", flush=True)
release = threading.Event()
other = threading.Thread(target=release.wait)
other.start()
try:
    child, finished = within_deadline(Deadline(30.0), os.getpid)
finally:
    release.set()
    other.join()
assert finished and child != os.getpid()
"""


@pytest.mark.skipif(
    sys.version_info >= (3, 14), reason="the start replaced is that of Python 3.11 to 3.13"
)
def test_a_script_without_a_main_guard_is_not_run_again_by_a_fork_server_child(tmp_path):
    """The call is a function of a module: its child needs nothing of the script's."""
    import subprocess

    script = tmp_path / "script.py"
    script.write_text(_SCRIPT_WITHOUT_MAIN_GUARD)
    done = subprocess.run(
        [sys.executable, str(script)], timeout=60, capture_output=True, text=True, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("top level") == 1


def test_a_fork_server_child_leaves_the_start_method_unchosen():
    """A program may still choose its own after a call (``set_start_method`` without force)."""
    chosen = multiprocessing.get_start_method(allow_none=True)
    multiprocessing.set_start_method(None, force=True)
    try:
        with another_thread():
            value, finished = within_deadline(Deadline(30.0), os.getpid)
        assert finished and value != os.getpid()
        assert multiprocessing.get_start_method(allow_none=True) is None
    finally:
        multiprocessing.set_start_method(chosen, force=True)


def test_the_time_a_child_takes_to_start_is_not_taken_from_the_call(monkeypatch):
    """A fork from here (made slow) is not taken from the time the call is given."""
    import multiprocessing.context

    start = multiprocessing.context.ForkProcess.start

    def slow_start(self):
        time.sleep(1.0)
        start(self)

    monkeypatch.setattr(multiprocessing.context.ForkProcess, "start", slow_start)
    value, finished = within_deadline(Deadline(0.5), os.getpid)
    assert finished and value != os.getpid()


_SCRIPT_CALLING_ITS_OWN = """
import functools
import os
import threading
from kurilsim.core.abandonable import within_deadline
from kurilsim.core.deadline import Deadline

class Point:
    def __init__(self, x):
        self.x = x

def shifted(by, point):
    return by + point.x

if __name__ == "__main__":
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        answer = within_deadline(Deadline(30.0), functools.partial(shifted, 1), Point(2))
    finally:
        release.set()
        other.join()
    assert answer == (3, True), answer
"""


def test_a_fork_server_child_has_the_main_module_a_call_refers_to(tmp_path):
    """A call or arguments of the script's own (here through a partial) need its module."""
    import subprocess

    script = tmp_path / "script.py"
    script.write_text(_SCRIPT_CALLING_ITS_OWN)
    done = subprocess.run(
        [sys.executable, str(script)], timeout=60, capture_output=True, text=True, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="open files counted in /proc")
def test_a_fork_server_child_whose_start_outlasts_the_deadline_is_abandoned(monkeypatch):
    """The start is waited for until the deadline only; the child, once started, is ended.

    The start is held until the call has returned: a call that waited for it would return only
    when the hold gives up, ten seconds on.
    """
    with fork_server_starts_held(monkeypatch) as gave_up:
        deadline = Deadline(0.2)
        assert within_deadline(deadline, time.sleep, 60) == (None, False)
        assert deadline.hit
    assert gave_up == [False]


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="open files counted in /proc")
@pytest.mark.parametrize("as_the_start_ends", [False, True])
def test_an_interrupt_while_a_fork_server_child_starts_ends_the_child(
    monkeypatch, as_the_start_ends
):
    """Ctrl-C in the wait for the start, at once or as the start ends: no child left running."""

    class Interrupted(threading.Event):
        def wait(self, timeout=None):
            if timeout is None:  # a thread's wait for its own start
                return super().wait()
            if as_the_start_ends:
                super().wait()
            raise KeyboardInterrupt

    with another_thread():
        within_deadline(Deadline(30.0), os.getpid)  # the server's own pipes opened first
        threads_before = set(threading.enumerate())
        open_before = len(os.listdir("/proc/self/fd"))
        with monkeypatch.context() as patch:
            patch.setattr(threading, "Event", Interrupted)
            with pytest.raises(KeyboardInterrupt):
                within_deadline(Deadline(30.0), time.sleep, 60)
        for thread in set(threading.enumerate()) - threads_before:
            thread.join()
        assert multiprocessing.active_children() == []
        assert len(os.listdir("/proc/self/fd")) == open_before


def test_a_fork_server_child_is_had_where_no_thread_can_be_started(monkeypatch):
    """No thread to wait for the start in (a limit on memory, which a thread's stack meets
    first): the start is waited for here, and the call still has its child."""

    def refused(self):
        raise RuntimeError("can't start new thread")

    with another_thread():
        with monkeypatch.context() as patch:
            patch.setattr(threading.Thread, "start", refused)
            value, finished = within_deadline(Deadline(30.0), os.getpid)
        assert finished and value != os.getpid()
    assert multiprocessing.active_children() == []


@pytest.mark.skipif(
    sys.version_info >= (3, 14), reason="the start replaced is that of Python 3.11 to 3.13"
)
def test_a_start_abandoned_leaves_the_start_method_to_the_program(monkeypatch):
    """The program may choose its start method while an abandoned start still waits for the
    server (held here), and keeps it after: the start does not undo it."""
    from multiprocessing import forkserver

    read = forkserver.read_signed
    release = threading.Event()

    def held(fd):
        release.wait(10.0)
        return read(fd)

    chosen = multiprocessing.get_start_method(allow_none=True)
    multiprocessing.set_start_method(None, force=True)
    try:
        with another_thread():
            within_deadline(Deadline(30.0), os.getpid)  # the server up
            threads_before = set(threading.enumerate())
            monkeypatch.setattr(forkserver, "read_signed", held)
            assert within_deadline(Deadline(0.2), time.sleep, 60) == (None, False)
            multiprocessing.set_start_method("spawn")
            release.set()
            for thread in set(threading.enumerate()) - threads_before:
                thread.join()
            assert multiprocessing.get_start_method(allow_none=True) == "spawn"
    finally:
        release.set()
        multiprocessing.set_start_method(chosen, force=True)


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="open files counted in /proc")
def test_calls_made_while_an_abandoned_start_goes_on_do_not_pile_up_starts(monkeypatch):
    """Calls in a loop while the fork server starts (held here) wait for that start: they add
    no thread and no pipe each, which would exhaust the open files a process may have."""
    with fork_server_starts_held(monkeypatch):
        assert within_deadline(Deadline(0.1), time.sleep, 60) == (None, False)
        threads, open_files = threading.active_count(), len(os.listdir("/proc/self/fd"))
        for _ in range(10):
            deadline = Deadline(0.01)
            assert within_deadline(deadline, time.sleep, 60) == (None, False)
            assert deadline.hit
        assert threading.active_count() == threads
        assert len(os.listdir("/proc/self/fd")) == open_files


_SERVER_SLOW_TO_START = """
import os
import threading
from kurilsim.core.abandonable import within_deadline
from kurilsim.core.deadline import Deadline

release = threading.Event()
other = threading.Thread(target=release.wait)
other.start()
try:
    answer = within_deadline(Deadline(0.5), os.getpid, imports=("slow_to_import",))
finally:
    release.set()
    other.join()
assert answer == (None, False), answer
open({go!r}, "w").close()
"""

_SLOW_TO_IMPORT = """
import os
import time

for _ in range(2000):  # until the script has its answer, or twenty seconds
    if os.path.exists({go!r}):
        break
    time.sleep(0.01)
"""


def test_the_fork_servers_start_is_within_the_deadline(tmp_path):
    """A server slow to start (a module it loads first): the call is abandoned at its bound.

    The module loads until the script has its answer: a call that waited for the server would
    have it twenty seconds on, and a child's value.
    """
    import subprocess

    go = str(tmp_path / "go")
    (tmp_path / "slow_to_import.py").write_text(_SLOW_TO_IMPORT.format(go=go))
    script = _SERVER_SLOW_TO_START.format(go=go)
    done = subprocess.run(  # the server, in the same folder, finds the module there
        [sys.executable, "-c", script], timeout=60, capture_output=True, text=True, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
