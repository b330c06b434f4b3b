"""Calls that cannot be interrupted, run where they can be abandoned at a deadline.

A compiled routine that does not return to Python (a convex hull in Qhull) cannot be stopped by a
:class:`~kurilsim.core.deadline.Deadline`, which is checked between units of work. Run in a
child process, it can: the child is killed when the deadline passes, and its memory and
processor with it. A thread could not be: Qhull releases the GIL, but a thread abandoned would
go on computing for as long as the hull takes.

The child is forked from this process when no other thread runs here. Otherwise it is forked
from a fork server, a process started clean (``multiprocessing``'s ``forkserver``, one per
process, kept until this process ends): another thread here may be inside a library whose fork
handlers wait for its own threads, and a fork from here would hang (OpenBLAS's, when another
thread is in a multithreaded BLAS call).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any, Final, TypeVar

from kurilsim.core.deadline import Deadline
from kurilsim.core.errors import KurilsimError

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.context import ForkContext, ForkServerContext
    from multiprocessing.process import BaseProcess
    from threading import Event

Value = TypeVar("Value")

#: The name of a thread that only sleeps and polls, calling into no library: a fork beside it
#: cannot hang, so a process whose other threads all bear it forks its children itself (a sweep
#: worker's watch on its parent).
IDLE_THREAD = "kurilsim-idle"

#: The longest wait for a child, in seconds: ``poll`` takes milliseconds as a C int (24 days). A
#: deadline further off is as good as none; waiting for it would overflow.
_LONGEST_WAIT: Final = (2**31 - 1) / 1000

#: The ends of the starts abandoned to their threads that go on (the fork server's, seconds
#: long): a call waits for them rather than adding a start, whose thread and open files would
#: pile up meanwhile.
_ABANDONED_STARTS: Final[list[Event]] = []


def can_abandon() -> bool:
    """Whether calls can be abandoned here.

    The platform must fork processes (Linux, BSD, macOS), and this process must be allowed
    children: a daemonic one (a ``multiprocessing.Pool`` worker) is not.
    """
    return _start_method() is not None


def _start_method() -> str | None:
    """How a child is started here: ``"fork"``, ``"forkserver"``, or None where none can be.

    A fork from here where other threads run, but for those named :data:`IDLE_THREAD`, could
    hang; a fork server's process runs none.
    """
    import multiprocessing  # imported when used: tens of milliseconds, which most games spare

    if multiprocessing.current_process().daemon:
        return None
    if can_fork_here():
        return "fork"
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else None


def can_fork_here() -> bool:
    """Whether a child may be forked from this process now: one that is allowed children.

    The platform must fork, and no other thread may run here but those named
    :data:`IDLE_THREAD`: another thread may be inside a library whose fork handlers wait for
    its own threads, and a fork beside it could hang.

    Examples
    --------
    >>> can_fork_here() in (True, False)
    True
    """
    import multiprocessing  # imported when used: see _start_method
    import threading

    if multiprocessing.current_process().daemon:
        return False
    here = threading.current_thread()
    alone = all(t is here or t.name == IDLE_THREAD for t in threading.enumerate())
    return alone and "fork" in multiprocessing.get_all_start_methods()


def within_deadline(
    deadline: Deadline,
    call: Callable[..., Value],
    *args: Any,
    imports: Sequence[str] = (),
) -> tuple[Value | None, bool]:
    """``call(*args)`` in a child process, abandoned when ``deadline`` passes.

    Returns the call's value and True, or None and False when the deadline passed first (the
    child is then killed and ``deadline.hit`` set). Its value is pickled on its way back, and
    an exception the call raises is raised again here.

    Forked from this process (no other thread runs here), the child shares its memory as it
    was at the fork, so ``call`` and ``args`` are not pickled. Forked from the fork server
    (other threads run here), they are, and ``call`` must be a function of a module. Modules
    the call imports when run (``imports``) are loaded before the fork: here, or by the server
    with ``call``'s module when it starts; so each is loaded once, not in every child. A child
    forked from here is given the time that was left before its fork. A fork server's child is
    waited for until the deadline only, its start (and the server's, a second or more, once per
    process) taken from the call's time: one that starts too late is abandoned, and ended as
    soon as it has started (a process that ends meanwhile waits for that); a call made while
    such a start goes on waits for it, until its own deadline. Where no thread can be started
    to wait for it in, the start is waited for here, however long it takes.

    With no deadline (or one further off than 24 days), in a daemonic process, on a platform
    that cannot fork (Windows), or where no child can be had (a limit on processes or memory),
    the call runs here, and may overrun the deadline.

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
    method = _start_method()
    if method is None or deadline.remaining() > _LONGEST_WAIT:
        return call(*args), True
    import multiprocessing

    context: ForkContext | ForkServerContext
    if method == "fork":
        for name in imports:  # once here, rather than in every child
            importlib.import_module(name)
        context = multiprocessing.get_context("fork")
    else:
        if not _after_abandoned_starts(deadline):
            return None, False
        context = multiprocessing.get_context("forkserver")
        module = getattr(call, "__module__", None) or "__main__"
        _preload([module, *imports], main=module == "__main__")
    receiving, sending = multiprocessing.Pipe(duplex=False)
    child = context.Process(target=_answer, args=(sending, call, args), daemon=True)
    if method == "forkserver" and sys.version_info < (3, 14):
        # A script run as __main__ would run again in the child, unguarded code and all. The
        # start replaced is that of Python 3.11 to 3.13; a later one is left as it is.
        child._Popen = _started_without_main  # type: ignore[method-assign,assignment]
    # Forked from here, the call is given the time that was left before the fork (a fork
    # takes milliseconds). A fork server's child is waited for until the deadline only (the
    # server may have to start first, which takes seconds), and its start is taken from the
    # call's time.
    left = deadline.remaining()
    try:
        if method == "fork":
            _start(child)
            started = True
        else:
            started = _started_within(child, left, (receiving, sending))
            left = deadline.remaining()
    except (OSError, EOFError):
        # No process to be had (a limit on processes or memory, a fork server that could not
        # start or died): the call runs here instead.
        receiving.close()
        sending.close()
        return call(*args), True
    if not started:  # the pipe is its start's thread's to close
        deadline.hit = True
        return None, False
    sending.close()  # the child's end: a child that dies closes the pipe, and recv says so
    try:
        if not receiving.poll(left):
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
        child.close()
        receiving.close()
    if raised:
        raise value
    return value, True


def _start(child: BaseProcess) -> None:
    """Start ``child``, leaving this process's default start method as it was."""
    import multiprocessing

    chosen = multiprocessing.get_start_method(allow_none=True)
    try:
        child.start()
    finally:
        if chosen is None:
            _leave_unchosen()


def _leave_unchosen() -> None:
    """Unchoose this process's default start method, which starting a child chose.

    Starting the fork server or its child fixes it, and the program could then no longer
    choose its own without force. A method the program chose meanwhile (in another thread, or
    after a call whose start went on) is kept, but for the default, which is the same.
    """
    import multiprocessing

    default = multiprocessing.get_all_start_methods()[0]
    if multiprocessing.get_start_method(allow_none=True) == default:
        multiprocessing.set_start_method(None, force=True)


def _started_within(
    child: BaseProcess, seconds: float, pipe: tuple[Connection, Connection]
) -> bool:
    """Whether ``child``, started from another thread, started within ``seconds``.

    An exception of the start is raised here. Past ``seconds`` the start is abandoned to its
    thread, which ends the child once started and closes both ends of its ``pipe``: the child
    is wanted no more, and this process holds nothing of it. So is a start whose wait an
    interrupt (Ctrl-C) ends, the interrupt raised here. Where no thread can be started, the
    start is waited for here, past ``seconds`` if it takes longer.
    """
    import threading

    lock = threading.Lock()
    ended = threading.Event()
    abandoned = False
    failure: list[BaseException] = []

    def start() -> None:
        try:
            _start(child)
        except BaseException as error:  # raised by the waiting thread, if it still waits
            failure.append(error)
        with lock:
            ended.set()
            if not abandoned:
                return
        try:
            _end_abandoned(child, pipe, started=not failure)
        finally:
            _ABANDONED_STARTS.remove(ended)

    # Not a daemon: a process that ends while the start goes on waits for it, and ends the
    # child, which would otherwise outlive it, computing for nobody.
    try:
        threading.Thread(target=start, name="kurilsim-start").start()
    except RuntimeError:
        # No thread to be had (a limit on processes or memory): the start is waited for here,
        # however long, as the child may still be had (the server, started small, forks it).
        _start(child)
        return True
    try:
        ended.wait(seconds)
    except BaseException:
        # An interrupt (Ctrl-C) while waiting abandons the start too; one that has ended
        # meanwhile was left to this thread by its own, gone.
        with lock:
            abandoned = True
            left_here = ended.is_set()
            if not left_here:
                _ABANDONED_STARTS.append(ended)
        if left_here:
            _end_abandoned(child, pipe, started=not failure)
        raise
    with lock:
        abandoned = not ended.is_set()
        if abandoned:
            _ABANDONED_STARTS.append(ended)
    if failure and not abandoned:
        raise failure[0]
    return not abandoned


def _after_abandoned_starts(deadline: Deadline) -> bool:
    """Whether the starts abandoned earlier (:data:`_ABANDONED_STARTS`) end before ``deadline``.

    Sets ``deadline.hit`` if not.
    """
    for ended in list(_ABANDONED_STARTS):
        if not ended.wait(deadline.remaining()):
            deadline.hit = True
            return False
    return True


def _end_abandoned(child: BaseProcess, pipe: tuple[Connection, Connection], started: bool) -> None:
    """End an abandoned start's ``child``, if it ``started``, and close both ends of its pipe."""
    if started:
        child.kill()
        child.join()
        child.close()
    for end in pipe:
        end.close()


def _preload(modules: Sequence[str], main: bool) -> None:
    """Have the fork server load ``modules`` too, if it starts after this.

    Added to the modules already asked for (``__main__`` unless changed), which
    ``multiprocessing`` keeps in its server's record; a server already running keeps its own.
    ``__main__`` is kept among them only if ``main``: a script without a main guard would run
    again in the server.
    """
    from multiprocessing import forkserver

    server = getattr(forkserver, "_forkserver", None)
    current = list(getattr(server, "_preload_modules", ["__main__"]))
    asked = current if main else [name for name in current if name != "__main__"]
    wanted = asked + [name for name in modules if name not in asked]
    if wanted != current:
        forkserver.set_forkserver_preload(wanted)


def _started_without_main(process: Any) -> Any:
    """``process`` started by the fork server, without the script of ``__main__``."""
    return _without_main()(process)


@cache
def _without_main() -> type[Any]:
    """A start of a fork server's child that does not run the script of ``__main__``.

    ``multiprocessing`` has each child run it again, as a spawned process does, unless the
    server holds it: a script's top-level code, without a main guard, would run in every child.
    A call of a module's function, on arguments of modules, needs none of it: the preparation
    the child is sent is ``multiprocessing``'s own (``popen_forkserver.Popen._launch``, as in
    Python 3.11 to 3.13), less the main module unless the pickled call names it.
    """
    import io
    import multiprocessing
    import os
    from multiprocessing import context, forkserver, popen_forkserver, reduction, spawn, util

    class Popen(popen_forkserver.Popen):
        def _launch(self, process_obj: Any) -> None:
            unchosen = multiprocessing.get_start_method(allow_none=True) is None
            prepared = spawn.get_preparation_data(process_obj._name)
            process, buffer = io.BytesIO(), io.BytesIO()
            context.set_spawning_popen(self)
            try:
                reduction.dump(process_obj, process)
                # An object of the script's is pickled by a reference that spells its module.
                if b"__main__" not in process.getbuffer().tobytes():
                    prepared.pop("init_main_from_name", None)
                    prepared.pop("init_main_from_path", None)
                reduction.dump(prepared, buffer)
            finally:
                context.set_spawning_popen(None)
            buffer.write(process.getbuffer())
            passed: list[int] = self._fds  # type: ignore[attr-defined]
            self.sentinel, written = forkserver.connect_to_new_process(passed)
            if unchosen:  # chosen by the preparation: unchosen before the wait for the server
                _leave_unchosen()
            # A duplicate of the data pipe's end tells the child that its parent lives.
            parent_end = os.dup(written)
            close: Callable[..., None] = util.close_fds  # type: ignore[attr-defined]
            self.finalizer = util.Finalize(self, close, (parent_end, self.sentinel))
            with open(written, "wb", closefd=True) as file:
                file.write(buffer.getbuffer())
            self.pid = forkserver.read_signed(self.sentinel)

    return Popen


def _answer(sending: Connection, call: Callable[..., Any], args: tuple[Any, ...]) -> None:
    """The child's work: the call's value, or the exception it raised, sent to the parent."""
    try:
        answer = (False, call(*args))
    except Exception as error:  # sent back and raised there, as the call would have
        answer = (True, error)
    sending.send(answer)
    sending.close()
