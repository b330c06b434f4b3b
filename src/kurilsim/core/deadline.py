"""A wall-clock budget that methods check before each unit of work."""

from __future__ import annotations

import math
import time

#: Default wall-clock budget of the methods that take ``max_seconds``, in seconds.
DEFAULT_MAX_SECONDS = 60.0


class Deadline:
    """A budget of ``max_seconds`` from now (``None``: none) that remembers whether it ran out.

    Examples
    --------
    >>> Deadline(None).expired(), Deadline(0.0).expired()
    (False, True)
    >>> Deadline(None).remaining(), Deadline(0.0).remaining()
    (inf, 0.0)
    """

    def __init__(self, max_seconds: float | None) -> None:
        self._end = math.inf if max_seconds is None else time.perf_counter() + max_seconds
        self.hit = False

    def expired(self) -> bool:
        """Whether the budget is spent (called before each unit of work, so ``hit`` tells)."""
        if not self.hit and time.perf_counter() >= self._end:
            self.hit = True
        return self.hit

    def remaining(self) -> float:
        """Seconds left (``inf`` without a budget, 0 once spent)."""
        return max(self._end - time.perf_counter(), 0.0)
