"""One writer at a time per sweep file: a lock file beside it, held by the operating system.

:func:`writer_lock` takes ``PATH.lock`` with ``fcntl.flock`` (``msvcrt.locking`` on Windows) and
writes into it the process id and start time of its holder. The operating system releases the
lock when its holder ends, however it ends: a killed sweep leaves no stuck lock, and the next
writer takes it. A second writer while the first lives is refused at once, with the holder
named, rather than left waiting.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kurilsim.core.errors import InputError


@contextmanager
def writer_lock(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Hold the lock file ``path`` for the duration of the block.

    Parameters
    ----------
    path
        The lock file; created if missing, removed when the block ends.

    Yields
    ------
    pathlib.Path
        The lock file.

    Raises
    ------
    InputError
        If another writer holds it: one line naming the file and the holder's process id; or if
        it cannot be created.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     lock = Path(folder) / "out.parquet.lock"
    ...     with writer_lock(lock):
    ...         try:
    ...             with writer_lock(lock):
    ...                 pass
    ...         except InputError as error:
    ...             print("another sweep (pid" in str(error))
    ...     print(lock.exists())
    True
    False
    """
    file = Path(path)
    descriptor = _acquire(file)
    _HELD.add(descriptor)
    try:
        holder = {"pid": os.getpid(), "started": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
        os.ftruncate(descriptor, 0)
        os.write(descriptor, json.dumps(holder).encode("utf-8"))
        yield file
    finally:
        # Removed while still held, so a writer that opened it meanwhile sees it gone and
        # retries (Windows cannot remove an open file: there it stays, unlocked).
        if sys.platform != "win32":
            file.unlink(missing_ok=True)
        _HELD.discard(descriptor)
        os.close(descriptor)


#: Descriptors of the lock files this process holds.
_HELD: set[int] = set()
#: Set while children that write the sweep are forked: they keep the held locks.
_SHARING: list[bool] = []


@contextmanager
def shared_with_children() -> Iterator[None]:
    """Children forked in the block keep their copies of the lock files held here.

    For children that write the sweep themselves (:mod:`kurilsim.sweeps.forked`): one that
    outlives its parent, killed, still writes its chunk, and must keep a second sweep out until
    it ends. Their own children close the copies again.

    Examples
    --------
    >>> with shared_with_children():
    ...     pass
    """
    _SHARING.append(True)
    try:
        yield
    finally:
        _SHARING.clear()


def _close_held() -> None:
    """In a child forked from this process: close its copies of the held lock files.

    A copy shares the lock: a child (a convex hull's, see :mod:`kurilsim.core.abandonable`,
    forked by a sweep's own process as it solves a chunk) would otherwise hold it after its
    parent is killed, until it ends, and refuse a resume meanwhile. Closing a copy leaves the
    parent's lock as it is. Kept by a child forked in :func:`shared_with_children`.
    """
    if _SHARING:
        _SHARING.clear()  # for the child's own children
        return
    for descriptor in _HELD:
        os.close(descriptor)
    _HELD.clear()


if hasattr(os, "register_at_fork"):  # not on Windows, which has no fork
    os.register_at_fork(after_in_child=_close_held)


def _acquire(file: Path) -> int:
    """Open and lock ``file``; retry if its holder removed it between our open and lock."""
    while True:
        try:
            descriptor = os.open(file, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:  # a folder that takes no file, whatever its permissions say
            raise InputError(
                f"cannot write the sweep file here: {exc.strerror}", file=str(file.with_suffix(""))
            ) from None
        if not _try_lock(descriptor):
            holder = _holder(descriptor)
            os.close(descriptor)
            raise InputError(
                f"another sweep ({holder}) is writing this file; wait for it to end or stop it",
                file=str(file.with_suffix("")),
            )
        try:
            same = os.stat(file).st_ino == os.fstat(descriptor).st_ino
        except FileNotFoundError:
            same = False
        if same:
            return descriptor
        os.close(descriptor)


def _try_lock(descriptor: int) -> bool:
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(descriptor, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _holder(descriptor: int) -> str:
    """Who holds the lock, from what it wrote into the file."""
    try:
        record = json.loads(os.read(descriptor, 4096) or b"{}")
        return f"pid {int(record['pid'])}, started {record['started']}"
    except (ValueError, KeyError, TypeError, OSError):
        return "pid not yet written"
