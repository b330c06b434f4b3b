"""The relative tolerance every solver, check and sweep takes, and its bounds.

A tolerance is relative to the payoffs' scale: an equilibrium's largest gain from a deviation may
be at most ``tol`` times the largest range of a player's payoffs. It absorbs rounding, not
approximate equilibria, hence the upper bound.
"""

from __future__ import annotations

import math

from kurilsim.core.arguments import is_real, shown
from kurilsim.core.errors import ArgumentTypeError, InputError

#: Default relative tolerance of every solver and of the regret check.
DEFAULT_TOL = 1e-9


#: Largest relative tolerance accepted. Tolerances absorb rounding; they do not turn solvers
#: into searches for approximate equilibria (the logit QRE models imprecise play).
MAX_TOL = 1e-3


def check_tolerance(tol: float) -> float:
    """Return ``tol`` as a float if it is a usable relative tolerance, in ``(0, MAX_TOL]``.

    Raises
    ------
    ArgumentTypeError
        If ``tol`` is not a number.
    InputError
        For anything else: zero, negative, not finite, or too large to mean rounding.

    Examples
    --------
    >>> check_tolerance(1e-9)
    1e-09
    >>> check_tolerance(0.5)
    Traceback (most recent call last):
    ...
    kurilsim.core.errors.InputError: tol: tolerance must lie in (0, 0.001], got 0.5
    """
    if not is_real(tol):
        raise ArgumentTypeError(f"expected a number, got {shown(tol)}", field="tol")
    if not (math.isfinite(tol) and 0 < tol <= MAX_TOL):
        raise InputError(f"tolerance must lie in (0, {MAX_TOL:g}], got {tol!r}", field="tol")
    return float(tol)
