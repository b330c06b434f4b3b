"""Integrating a flow on a product of simplices (one mixture per player) by fixed-step RK4.

The learning dynamics in continuous time (replicator, logit response) move every player's mixture
by a vector field whose entries sum to zero for each player, so the classical fourth-order
Runge-Kutta method keeps each mixture summing to one up to rounding; what it loses to rounding at
the boundary (a probability a little below zero) is put back after each step.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from kurilsim.forms.normal.regret import FloatArray, on_simplex

#: A vector field: the velocity of each player's mixture at a profile.
Field = Callable[[Sequence[FloatArray]], list[FloatArray]]


def integrate(
    field: Field, start: Sequence[FloatArray], step_size: float, steps: int
) -> tuple[FloatArray, ...]:
    """Follow ``field`` from ``start`` for ``steps`` RK4 steps of length ``step_size``.

    Returns one array per player of shape ``(steps + 1, n_i)``; row 0 is ``start``.

    Examples
    --------
    >>> import numpy as np
    >>> towards_centre = lambda profile: [np.full(len(p), 1 / len(p)) - p for p in profile]
    >>> path = integrate(towards_centre, [np.array([1.0, 0.0])], 0.1, 200)
    >>> path[0][-1].round(6).tolist()
    [0.5, 0.5]
    """
    paths = [np.zeros((steps + 1, len(p))) for p in start]
    for path, p in zip(paths, start, strict=True):
        path[0] = p
    x = [np.asarray(p, dtype=np.float64) for p in start]
    h = step_size
    for t in range(steps):
        k1 = field(x)
        k2 = field([p + h / 2 * k for p, k in zip(x, k1, strict=True)])
        k3 = field([p + h / 2 * k for p, k in zip(x, k2, strict=True)])
        k4 = field([p + h * k for p, k in zip(x, k3, strict=True)])
        x = [
            on_simplex(p + h / 6 * (a + 2 * b + 2 * c + d))
            for p, a, b, c, d in zip(x, k1, k2, k3, k4, strict=True)
        ]
        for path, p in zip(paths, x, strict=True):
            path[t + 1] = p
    return tuple(paths)
