r"""Replicator dynamics: strategies that do better than the player's average grow in share.

Each player's mixture follows the (multi-population) replicator equation of Taylor and Jonker
[1]_,

.. math:: \dot x_{ia} = x_{ia}\,\bigl(v_{ia}(x) - x_i \cdot v_i(x)\bigr),

where :math:`v_{ia}(x)` is player :math:`i`'s expected payoff from strategy :math:`a` against the
others' mixtures. Every Nash equilibrium is a rest point, but so is every pure profile; an
interior start stays interior. In a zero-sum game with an interior equilibrium :math:`p^*` the
quantity :math:`\sum_i \sum_a p^*_{ia} \log x_{ia}` is constant, so play cycles around the
equilibrium without reaching it (Hofbauer and Sigmund [2]_, chapter 10).

Payoffs are each player's own, mapped onto ``[0, 1]``
(:func:`~kurilsim.forms.normal.regret.normalised_payoffs`): time is measured in units of each
player's payoff range, so the same steps fit games in any units. Two-player games are integrated
by nashpy's ``Game.asymmetric_replicator_dynamics`` (scipy's ``odeint``) at the step times
(rounding below zero cut off); games with more players by the same integrator (``odeint``,
adaptive LSODA steps in compiled code) on every player's mixture at once, with the velocity
written as one ``einsum`` contraction per player (:func:`replicator_velocity`).

References
----------
.. [1] P. D. Taylor and L. B. Jonker, "Evolutionarily stable strategies and game dynamics",
   *Mathematical Biosciences* 40(1-2), 145-156, 1978.
.. [2] J. Hofbauer and K. Sigmund, *Evolutionary Games and Population Dynamics*, Cambridge
   University Press, 1998.

Examples
--------
>>> import numpy as np
>>> from kurilsim.forms import catalogue
>>> stag = catalogue.stag_hunt().payoffs
>>> path = replicator(stag, (np.array([0.9, 0.1]), np.array([0.9, 0.1])), 0.1, 500)
>>> [p[-1].round(4).tolist() for p in path]
[[1.0, 0.0], [1.0, 0.0]]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from kurilsim.forms.normal.regret import (
    FloatArray,
    normalised_payoffs,
    on_simplex,
    strategy_payoffs,
)

#: The integrator's relative and absolute tolerances for three or more players (nashpy keeps
#: scipy's defaults, about 1.5e-8, for two): tighter, as the steps are cheap in compiled code.
RTOL = 1e-10
ATOL = 1e-12


def replicator(
    payoffs: FloatArray, start: Sequence[FloatArray], step_size: float, steps: int
) -> tuple[FloatArray, ...]:
    """Mixtures along the replicator dynamics, sampled every ``step_size`` units of time.

    Parameters
    ----------
    payoffs
        Payoff tensor of shape ``(n_1, ..., n_N, N)``.
    start
        One probability vector per player.
    step_size, steps
        Time between samples and number of samples after the start.

    Returns
    -------
    tuple of ndarray
        One array per player of shape ``(steps + 1, n_i)``; row 0 is ``start``.
    """
    norm = normalised_payoffs(payoffs)
    if payoffs.shape[-1] == 2:
        import nashpy

        times = np.arange(steps + 1) * step_size
        game = nashpy.Game(norm[..., 0], norm[..., 1])
        rows, columns = game.asymmetric_replicator_dynamics(
            x0=np.asarray(start[0]), y0=np.asarray(start[1]), timepoints=times
        )
        # odeint's rounding can leave a probability a little below zero near the boundary.
        return on_simplex(np.asarray(rows)), on_simplex(np.asarray(columns))
    return own_replicator(norm, start, step_size, steps)


def own_replicator(
    payoffs: FloatArray, start: Sequence[FloatArray], step_size: float, steps: int
) -> tuple[FloatArray, ...]:
    """The replicator path by kurilsim's own code, for any number of players, on payoffs as given.

    What :func:`replicator` runs for three or more players (on normalised payoffs); for two it
    follows nashpy's curve, which the tests and ``benchmarks/bench_learning.py`` check.

    Examples
    --------
    >>> import numpy as np
    >>> from kurilsim.forms import catalogue
    >>> stag = normalised_payoffs(catalogue.stag_hunt().payoffs)
    >>> path = own_replicator(stag, (np.array([0.9, 0.1]), np.array([0.9, 0.1])), 0.1, 500)
    >>> [p[-1].round(4).tolist() for p in path]
    [[1.0, 0.0], [1.0, 0.0]]
    """
    from scipy.integrate import odeint

    sizes = [len(p) for p in start]
    cuts = np.cumsum(sizes)[:-1]
    velocity = replicator_velocity(payoffs)
    times = np.arange(steps + 1) * step_size
    first = np.concatenate([np.asarray(p, dtype=np.float64) for p in start])
    flat = odeint(lambda y, _: velocity(y), first, times, rtol=RTOL, atol=ATOL)
    return tuple(on_simplex(part) for part in np.split(flat, cuts, axis=1))


def replicator_velocity(payoffs: FloatArray) -> Callable[[FloatArray], FloatArray]:
    """The replicator equation on all players' mixtures stacked in one vector.

    Each player's payoff table is laid out once as a matrix (own strategies x the others'
    profiles), so that their payoff from each strategy is one matrix-vector product with the
    others' joint mixture; the returned function is what the integrator calls, a few small
    numpy operations per player.

    Examples
    --------
    >>> import numpy as np
    >>> from kurilsim.forms import catalogue
    >>> u = catalogue.jordan_three_player_pennies().payoffs
    >>> velocity = replicator_velocity(u)
    >>> x = np.array([0.3, 0.7, 0.6, 0.4, 0.5, 0.5])
    >>> field = replicator_field(u, [x[:2], x[2:4], x[4:]])
    >>> bool(np.allclose(velocity(x), np.concatenate(field)))
    True
    """
    n = payoffs.shape[-1]
    sizes = payoffs.shape[:-1]
    ends = np.cumsum(sizes)
    parts = [slice(int(e - m), int(e)) for e, m in zip(ends, sizes, strict=True)]
    tables = [
        np.ascontiguousarray(np.moveaxis(payoffs[..., i], i, 0).reshape(sizes[i], -1))
        for i in range(n)
    ]
    others = [[j for j in range(n) if j != i] for i in range(n)]

    def velocity(y: FloatArray) -> FloatArray:
        out = np.empty_like(y)
        for i in range(n):
            joint = y[parts[others[i][0]]]
            for j in others[i][1:]:
                joint = np.outer(joint, y[parts[j]]).ravel()
            x = y[parts[i]]
            v = tables[i] @ joint
            out[parts[i]] = x * (v - x @ v)
        return out

    return velocity


def replicator_field(payoffs: FloatArray, profile: Sequence[FloatArray]) -> list[FloatArray]:
    """The replicator equation's velocity of each player's mixture at ``profile``.

    Examples
    --------
    >>> import numpy as np
    >>> from kurilsim.forms import catalogue
    >>> u = catalogue.matching_pennies().payoffs
    >>> [v.tolist() for v in replicator_field(u, [np.array([0.5, 0.5])] * 2)]
    [[0.0, 0.0], [0.0, 0.0]]
    """
    return [
        p * (v - p @ v) for p, v in zip(profile, strategy_payoffs(payoffs, profile), strict=True)
    ]
