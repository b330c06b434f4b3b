"""Freed memory kept for reuse by the next arrays of the same size, not handed back to the system.

Vectorised sweeps and the box subdivision of support enumeration allocate the same arrays, from a
few hundred kilobytes to a few megabytes, over and over, and free them. glibc's ``malloc`` serves
such requests from fresh mappings until its thresholds adapt, and gives the free memory at the top
of a heap back to the system once more than its trim threshold is free there; with two threads,
each with a heap of its own, that happens nearly every chunk of a sweep. Every page of the next
arrays is then new, and the kernel faults each in: about 120,000 faults per 10^6 points of
sochi_2016.yaml on two threads, some 0.4 s of system time, and about a quarter of the processor
time of support enumeration on random 3x3x3 games. Raising both thresholds lets the next arrays
reuse the memory; the peak is the same, as the arrays are freed before the next ones are made.
"""

from __future__ import annotations

import ctypes
import functools
import sys

#: ``mallopt`` parameters of glibc's malloc.h.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
#: Free memory a heap keeps at its top rather than hand back to the system, in bytes.
KEPT_FREE = 64 << 20
#: Requests at least this large get a mapping of their own (glibc's largest adaptive threshold).
MAPPED = 32 << 20


@functools.cache
def keep_freed_memory() -> bool:
    """Have ``malloc`` keep freed memory for reuse, once per process; whether it could.

    Only glibc on Linux is tuned (with ``mallopt``); elsewhere nothing changes. The setting lasts
    for the rest of the process: up to :data:`KEPT_FREE` bytes of freed memory per heap stay with
    it instead of going back to the system.

    Examples
    --------
    >>> keep_freed_memory() in (True, False)
    True
    """
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None)
    if not hasattr(libc, "gnu_get_libc_version"):
        return False  # another C library (musl, say): its malloc has no such thresholds
    mallopt = libc.mallopt
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, MAPPED)) and bool(mallopt(_M_TRIM_THRESHOLD, KEPT_FREE))
