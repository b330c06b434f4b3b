"""A vectorised sweep's chunks shared with processes forked from this one, which write their own.

Threads of one process solving chunks on arrays hand the interpreter's lock (the GIL) over
hundreds of times a chunk, each hand-over tens of microseconds: on two cores, two threads barely
beat one. Forked processes share no lock. Each takes the next chunk from a count they share
with this process, solves it and writes its part itself (the writer this process was given,
inherited at the fork: nothing is pickled), and sends back only the chunk's number. This process
takes chunks from the same count, between the reports, and reads the parts of the others back
(a memory-mapped file) as the sweep file takes them, in chunk order.

Forked only where that is safe (:func:`~kurilsim.core.abandonable.can_fork_here`): on a
platform that forks and with no other thread running here. Elsewhere (Windows, a notebook's
threads, a Dask client) the caller solves the chunks in threads instead.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from multiprocessing.connection import Connection, wait
from typing import Any

import pyarrow as pa

from kurilsim.core.abandonable import can_fork_here
from kurilsim.core.errors import KurilsimError
from kurilsim.sweeps.lock import shared_with_children

#: Points a sweep must have left after its first chunk for a process to be forked for it: a
#: fork and the copies of the pages that either process then writes to take milliseconds, a
#: chunk of pure equilibria about 20.
FORK_POINTS = 2 * 16_384
#: Seconds between two looks at the other processes while waiting for the count's lock, which its
#: holder keeps for microseconds unless it was killed holding it.
LOCK_POLL = 0.1


def forks_for(bounds: Callable[[int], tuple[int, int]], indices: Sequence[int]) -> bool:
    """Whether the chunks ``indices`` may be shared with forked processes.

    ``bounds`` gives a chunk's first point and one past its last. The chunks after the first must
    be heavy enough to pay for the fork (:data:`FORK_POINTS`), and the fork safe here (not on
    macOS, where Python no longer forks by default: its system libraries may not survive a fork).
    """
    points = sum(b - a for a, b in map(bounds, indices[1:]))
    return points >= FORK_POINTS and sys.platform != "darwin" and can_fork_here()


def run_forked(
    solve: Callable[[int], pa.Table],
    indices: Sequence[int],
    children: int,
    write: Callable[[int, pa.Table], pa.Table],
    read: Callable[[int], pa.Table],
) -> Iterator[tuple[int, pa.Table]]:
    """Solve ``indices`` here and in ``children`` forked processes; yield each as it finishes.

    ``solve`` gives a chunk's table by its index; ``write`` writes a chunk (here, or in the child
    that solved it) and gives back the table that ``read`` reads back from what it wrote.

    A child that fails raises its error here; one that ends without a word (killed, out of
    memory, exited mid-chunk) raises :class:`~kurilsim.core.errors.KurilsimError`. However this
    ends (done, an error, Ctrl-C, the caller stops reading), the children are ended before it
    returns; a child whose parent is killed ends after its chunk, holding the sweep file's lock
    until then, and a part it was writing is either whole and recorded or not there (see
    :meth:`SweepStore.write`). A fork the system refuses leaves the chunks to fewer processes.
    """
    context = multiprocessing.get_context("fork")
    taken = context.Value("q", 0)
    reports: dict[Connection, Any] = {}
    try:
        for _ in range(children):
            receiving, sending = context.Pipe(duplex=False)
            child = context.Process(
                target=_serve,
                args=(solve, indices, taken, write, sending, os.getpid()),
                name="kurilsim-sweep",
                daemon=True,
            )
            reports[receiving] = child
            try:
                # A child that outlives this one still writes: it keeps the sweep file's lock.
                with _ctrl_c_held_back(), shared_with_children():
                    child.start()
            except OSError:  # no memory or process left for it: fewer share the chunks
                del reports[receiving]
                receiving.close()
                break
            finally:
                sending.close()  # the child's end: one that dies closes the pipe, recv says so
        left = len(indices)
        running = dict(reports)  # the children that may still report

        def none_killed() -> bool:  # a child killed holding the count's lock never releases it
            for child in reports.values():
                if child.exitcode not in (None, 0):
                    raise _ended(child)
            return True

        while left:
            for ready in wait(list(running), timeout=0):
                # Every report waiting, not one: a child ahead of this process would otherwise
                # pile reports up, and this process's own later chunks would wait in memory
                # for the child's earlier ones, more of them the longer the sweep.
                while ready in running and ready.poll():
                    if (index := _report(running, ready)) is not None:
                        left -= 1
                        yield index, read(index)
            if (position := _take(taken, len(indices), none_killed)) is not None:
                index = indices[position]
                left -= 1
                yield index, write(index, solve(index))
            elif left:
                wait(list(running))
    finally:
        for receiving, child in reports.items():
            if child.pid is not None:  # started
                if child.is_alive():
                    child.kill()
                child.join()
            receiving.close()


@contextmanager
def _ctrl_c_held_back() -> Iterator[None]:
    """Ctrl-C in the block is raised as it ends, once a child forked in it is on record.

    One raised between the fork and the record (its process id) would leave the child running.
    A handler, not a blocked signal: the system gives Ctrl-C to any thread that does not block
    it, numpy's and Arrow's among them, and Python raises it in this one all the same.
    """
    if threading.current_thread() is not threading.main_thread() or (
        signal.getsignal(signal.SIGINT) is None  # set outside Python: not to be put back
    ):
        yield  # Python runs signal handlers only in the main thread: Ctrl-C is raised there
        return
    pressed: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda number, _: pressed.append(number))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if pressed:
            signal.raise_signal(signal.SIGINT)  # to the handler it was meant for


def _report(running: dict[Connection, Any], receiving: Any) -> int | None:
    """The chunk a child reports done, or None for one that has no chunk left, and is removed.

    A child's error is raised here, and so is one for a child that ended otherwise than saying
    it has no chunk left (killed, out of memory, or exited mid-chunk): its chunk never comes.
    """
    try:
        raised, value = receiving.recv()
    except EOFError:
        child = running[receiving]
        child.join()
        raise _ended(child) from None
    if raised:
        raise value
    if value is None:
        del running[receiving]
        return None
    index: int = value
    return index


def _ended(child: Any) -> KurilsimError:
    """The error for a child that ended otherwise than by finishing its chunks."""
    return KurilsimError(
        f"a process solving the sweep's chunks ended without finishing its chunk (exit code "
        f"{child.exitcode}); this is a bug in kurilsim or a lack of memory"
    )


def _take(taken: Any, count: int, waiting: Callable[[], bool]) -> int | None:
    """Take the next of ``count`` chunks: its position, or None if all are taken.

    While the count's lock is held by another, ``waiting`` is asked every :data:`LOCK_POLL`
    seconds whether to go on waiting (None is given if not), or raises: a process killed
    holding the lock never releases it.
    """
    lock = taken.get_lock()
    while not lock.acquire(timeout=LOCK_POLL):
        if not waiting():
            return None
    try:
        position: int = taken.value
        if position >= count:
            return None
        taken.value = position + 1
    finally:
        lock.release()
    return position


def _serve(
    solve: Callable[[int], pa.Table],
    indices: Sequence[int],
    taken: Any,
    write: Callable[[int, pa.Table], pa.Table],
    sending: Connection,
    parent: int,
) -> None:
    """A child's work: take, solve and write chunks until none is left, reporting each."""
    # Ctrl-C reaches the whole process group; the parent ends its children.
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def with_parent() -> bool:
        return os.getppid() == parent

    try:
        # A parent killed outright cannot end its children: each stops after its chunk.
        while with_parent() and (position := _take(taken, len(indices), with_parent)) is not None:
            index = indices[position]
            write(index, solve(index))
            sending.send((False, index))
        sending.send((False, None))  # none left: ending now loses nothing
    except Exception as error:  # raised again by the parent, as if solved there
        try:
            sending.send((True, error))
        except Exception:  # an error that does not pickle: its type and message
            sending.send((True, KurilsimError(f"{type(error).__name__}: {error}")))
    finally:
        sending.close()
