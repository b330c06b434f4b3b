"""Calls that cannot be interrupted, run where they can be abandoned at a deadline.

A compiled routine that does not return to Python (a convex hull in Qhull) cannot be stopped by a
:class:`~kurilsim.core.deadline.Deadline`, which is checked between units of work. Run in a
child process forked from this one, it can: the child is killed when the deadline passes, and
its memory and processor with it. A thread could not be: Qhull releases the GIL, but a thread
abandoned would go on computing for as long as the hull takes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from kurilsim.core.deadline import Deadline
from kurilsim.core.errors import KurilsimError

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

Value = TypeVar("Value")

#: The name of a thread that only sleeps and polls, calling into no library: a fork beside it
#: cannot hang, so :func:`can_abandon` does not count it (a sweep worker's watch on its parent).
IDLE_THREAD = "kurilsim-idle"


def can_abandon() -> bool:
    """Whether calls can be abandoned here.

    The platform must fork processes (Linux, BSD, macOS), and this process must be allowed
    children: a daemonic one (a ``multiprocessing.Pool`` worker) is not. Nor may it run other
    threads (a threaded sweep's, Jupyter's), but for those named :data:`IDLE_THREAD`: one of
    them may be in a library whose fork handlers wait for its own threads, and the fork would
    hang (OpenBLAS's, when another thread is in a multithreaded BLAS call).
    """
    import multiprocessing  # imported when used: tens of milliseconds, which most games spare
    import threading

    forks = "fork" in multiprocessing.get_all_start_methods()
    here = threading.current_thread()
    alone = all(t is here or t.name == IDLE_THREAD for t in threading.enumerate())
    return forks and alone and not multiprocessing.current_process().daemon


def within_deadline(
    deadline: Deadline, call: Callable[..., Value], *args: Any
) -> tuple[Value | None, bool]:
    """``call(*args)`` in a forked child, abandoned when ``deadline`` passes.

    Returns the call's value and True, or None and False when the deadline passed first (the
    child is then killed and ``deadline.hit`` set). The child shares the parent's memory as it
    was at the fork, so ``call`` and ``args`` are not pickled; its value is, on its way back.
    An exception the call raises is raised again here. Where processes cannot be forked
    safely (:func:`can_abandon` is False, as with other threads running), or where the fork
    fails, the call runs here, and may overrun the deadline.

    Raises
    ------
    KurilsimError
        If the child ends without an answer (killed from outside, or out of memory).

    Examples
    --------
    >>> within_deadline(Deadline(None), sum, [1, 2, 3])
    (6, True)
    >>> within_deadline(Deadline(0.0), sum, [1, 2, 3])
    (None, False)
    """
    if deadline.expired():
        return None, False
    if not can_abandon():
        return call(*args), True
    import multiprocessing

    receiving, sending = multiprocessing.Pipe(duplex=False)
    child = multiprocessing.get_context("fork").Process(
        target=_answer, args=(sending, call, args), daemon=True
    )
    try:
        child.start()
    except OSError:
        # No process to be had (a limit on processes or memory): the call runs here instead.
        receiving.close()
        sending.close()
        return call(*args), True
    sending.close()  # the child's end: a child that dies closes the pipe, and recv says so
    try:
        left = deadline.remaining()
        if not receiving.poll(None if left == math.inf else left):
            deadline.hit = True
            return None, False
        try:
            raised, value = receiving.recv()
        except EOFError:
            child.join()
            raise KurilsimError(
                f"a computation in a child process ended without an answer (exit code "
                f"{child.exitcode}); this is a bug in kurilsim or a lack of memory"
            ) from None
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receiving.close()
    if raised:
        raise value
    return value, True


def _answer(sending: Connection, call: Callable[..., Any], args: tuple[Any, ...]) -> None:
    """The child's work: the call's value, or the exception it raised, sent to the parent."""
    try:
        answer = (False, call(*args))
    except Exception as error:  # sent back and raised there, as the call would have
        answer = (True, error)
    sending.send(answer)
    sending.close()
