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
(rounding below zero cut off);
games with more players by fixed-step RK4 (:mod:`kurilsim.analysis.flow`).

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

from collections.abc import Sequence

import numpy as np

from kurilsim.analysis.flow import integrate, on_simplex
from kurilsim.forms.normal.regret import FloatArray, normalised_payoffs, strategy_payoffs


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
    return integrate(lambda x: replicator_field(norm, x), start, step_size, steps)


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
