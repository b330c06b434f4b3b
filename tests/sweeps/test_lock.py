"""One writer at a time per sweep file."""

import os
import signal
import subprocess
import sys

import pytest

from kurilsim import InputError
from kurilsim.sweeps.lock import writer_lock

HOLD = """\
import sys, time
from kurilsim.sweeps.lock import writer_lock
with writer_lock(sys.argv[1]):
    print("held", flush=True)
    time.sleep(600)
"""


def test_a_second_writer_is_refused_in_one_line_naming_the_holder(tmp_path):
    lock = tmp_path / "s.parquet.lock"
    with writer_lock(lock):
        with pytest.raises(InputError) as refused, writer_lock(lock):
            pass
        message = str(refused.value)
        assert message.startswith(f"{tmp_path / 's.parquet'}: another sweep (pid {os.getpid()},")
        assert "\n" not in message
    assert not lock.exists()
    with writer_lock(lock):  # released: the next writer takes it
        assert lock.exists()


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="no /proc here")
def test_a_folder_that_takes_no_file_is_refused_naming_the_sweep_file():
    # Root passes every permission check, yet /proc takes no new file.
    refused = pytest.raises(InputError, match=r"^/proc/s.parquet: cannot write the sweep file here")
    with refused, writer_lock("/proc/s.parquet.lock"):
        pass


def test_a_lock_file_left_by_a_dead_writer_is_taken(tmp_path):
    lock = tmp_path / "s.parquet.lock"
    lock.write_text('{"pid": 999999999, "started": "2020-01-01T00:00:00+0000"}')
    with writer_lock(lock):
        assert f'"pid": {os.getpid()}' in lock.read_text()


@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
def test_a_killed_writer_leaves_no_stuck_lock(tmp_path):
    lock = tmp_path / "s.parquet.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(lock)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        with pytest.raises(InputError, match=f"pid {holder.pid},"), writer_lock(lock):
            pass
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.communicate()
    assert lock.exists()  # the file is left behind, but not its lock
    with writer_lock(lock):
        pass


HOLD_AND_FORK = """\
import os, sys, time
from kurilsim.sweeps.lock import writer_lock
with writer_lock(sys.argv[1]):
    started, ready = os.pipe()
    child = os.fork()
    if child == 0:  # a convex hull's child, say, that outlives its parent for a while
        os.write(ready, b"!")  # after the fork's handlers: whatever they close is closed
        time.sleep(600)
        os._exit(0)
    os.read(started, 1)
    print(child, flush=True)
    time.sleep(600)
"""


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork here")
def test_a_child_forked_by_a_killed_writer_does_not_hold_its_lock(tmp_path):
    lock = tmp_path / "s.parquet.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_AND_FORK, str(lock)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None
    child = int(holder.stdout.readline())
    try:
        holder.send_signal(signal.SIGKILL)
        holder.wait()  # not communicate(): the child holds the output pipe open
        holder.stdout.close()
        os.kill(child, 0)  # still there
        with writer_lock(lock):
            pass
    finally:
        os.kill(child, signal.SIGKILL)
