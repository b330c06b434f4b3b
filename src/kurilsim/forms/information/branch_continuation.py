r"""Following a branch of zeros of ``gap(x, lambda)`` by pseudo-arclength continuation.

The agent logit QRE at precision :math:`\lambda` is a zero of the gap between the logit response
to a profile and the profile. The traces find it by damped iteration of the response from the
previous precision; where that iteration stalls (the branch turns back at a fold, or its fixed
point repels the iteration), they follow the branch here instead: along its tangent, each
prediction corrected by Newton steps (Allgower and Georg 2003, ch. 2). The precision is in
relative units here, of order 1 over the payoff range; a caller in other units rescales it.

References
----------
.. [1] E. L. Allgower and K. Georg, "Introduction to Numerical Continuation Methods", SIAM
   (2003), ch. 2.

Examples
--------
The branch ``x**2 = lambda`` from ``(1, 1)`` to ``lambda = 4``:

>>> import numpy as np
>>> follow_branch(lambda x, lam: lam - x**2, np.array([1.0]), 1.0, 4.0).round(8).tolist()
[2.0]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

#: ``gap(x, lambda)``: zero on the branch; ``x + gap`` is the logit response in the traces.
Gap = Callable[[FloatArray, float], FloatArray]

#: The step in lambda (relative units) below which a trace gives up damped iteration for the
#: arc; the first and the largest step along the arc by default; the smallest before the branch
#: is given up.
STALLED_STEP: Final = 1e-2
FIRST_ARC_STEP: Final = 0.1
LARGEST_ARC_STEP: Final = 1.0
SMALLEST_STEP: Final = 1e-9
#: Central-difference width (relative, with a floor), Newton steps per correction, the residual
#: that ends them, and the steps allowed along the arc.
ARC_DIFFERENCE: Final = 1e-6
ARC_FLOOR: Final = 1e-12
ARC_NEWTON: Final = 8
ARC_CONVERGED: Final = 1e-11
MAX_ARC_STEPS: Final = 5_000


def _jacobian(gap: Gap, x: FloatArray, lam: float) -> FloatArray:
    """The derivatives of ``gap`` in ``x`` and ``lam``, by central differences.

    Each difference is relative to its coordinate, so that a probability near 0 is not pushed
    below it.
    """
    u = np.append(x, lam)
    columns = []
    for k in range(len(u)):
        step = np.zeros_like(u)
        step[k] = ARC_DIFFERENCE * max(abs(float(u[k])), ARC_FLOOR)
        high, low = u + step, u - step
        columns.append((gap(high[:-1], high[-1]) - gap(low[:-1], low[-1])) / (2 * step[k]))
    return np.stack(columns, axis=1)


def follow_branch(
    gap: Gap,
    x: FloatArray,
    lam: float,
    target: float,
    first_step: float = FIRST_ARC_STEP,
    largest_step: float = LARGEST_ARC_STEP,
) -> FloatArray | None:
    """Follow the branch of zeros of ``gap`` from ``(x, lam)`` to where lambda reaches ``target``.

    The branch is followed along its tangent (the null vector of the Jacobian, kept in the
    direction of travel, at first that of increasing lambda), each prediction corrected by
    Newton steps orthogonal to the tangent, so that it passes folds, where lambda turns back.

    Parameters
    ----------
    gap
        The function whose zeros make the branch, of ``x`` (shape ``(n,)``) and lambda.
    x, lam
        A zero of ``gap`` on the branch, where it moves on to larger lambda.
    target
        The lambda to reach, above ``lam``.
    first_step, largest_step
        The first step along the arc (in ``(x, lambda)``), and the largest it may grow to while
        the corrections converge; it halves when they do not.

    Returns
    -------
    numpy.ndarray or None
        ``x + gap(x, target)`` at the first zero where lambda reaches ``target`` (for the logit
        traces, the response: a probability vector), or None if the step falls below
        :data:`SMALLEST_STEP` or :data:`MAX_ARC_STEPS` are spent.

    Examples
    --------
    >>> follow_branch(lambda x, lam: lam - x**2, np.array([1.0]), 1.0, 9.0).round(8).tolist()
    [3.0]
    """
    u = np.append(x, lam)
    direction: FloatArray | None = None
    step = first_step
    for _ in range(MAX_ARC_STEPS):
        jacobian = _jacobian(gap, u[:-1], u[-1])
        tangent = np.linalg.svd(jacobian)[2][-1]
        reference = np.eye(len(u))[-1] if direction is None else direction
        tangent = tangent if tangent @ reference >= 0 else -tangent
        moved = _corrected(gap, u + step * tangent, tangent, jacobian)
        if moved is None or moved[-1] < 0:
            step /= 2
            if step < SMALLEST_STEP:
                return None
            continue
        if moved[-1] >= target:
            start = u[:-1] + (moved[:-1] - u[:-1]) * (target - u[-1]) / (moved[-1] - u[-1])
            return _newton(gap, start, target)
        u, direction, step = moved, tangent, min(step * 1.5, largest_step)
    return None


def _corrected(
    gap: Gap, u: FloatArray, tangent: FloatArray, jacobian: FloatArray
) -> FloatArray | None:
    """Newton steps from the prediction ``u`` on the hyperplane orthogonal to ``tangent``."""
    for _ in range(ARC_NEWTON):
        residual = gap(u[:-1], u[-1])
        if np.abs(residual).max() < ARC_CONVERGED:
            return u
        system_matrix = np.vstack([jacobian, tangent])
        u = u - np.linalg.lstsq(system_matrix, np.append(residual, 0.0), rcond=None)[0]
        jacobian = _jacobian(gap, u[:-1], u[-1])
    return None


def _newton(gap: Gap, x: FloatArray, lam: float) -> FloatArray | None:
    """Newton steps in ``x`` at fixed ``lam``; ``x + gap`` at the zero, or None."""
    for _ in range(ARC_NEWTON):
        residual = gap(x, lam)
        if np.abs(residual).max() < ARC_CONVERGED:
            return np.asarray(x + residual)
        x = x - np.linalg.lstsq(_jacobian(gap, x, lam)[:, :-1], residual, rcond=None)[0]
    return None
