r"""Logit response dynamics: each mixture moves towards the logit response to the others.

In the logit (smoothed best-response) dynamics of Fudenberg and Levine [1]_,

.. math:: \dot x_i = \sigma_\lambda\bigl(v_i(x)\bigr) - x_i, \qquad
          \sigma_\lambda(v)_a = \frac{\exp(\lambda v_a)}{\sum_b \exp(\lambda v_b)},

each player drifts towards the logit response to the others' current mixtures, with precision
:math:`\lambda` relative to each player's payoff range. Its rest points are exactly the logit
quantal response equilibria at :math:`\lambda` (McKelvey and Palfrey [2]_;
:func:`~kurilsim.forms.normal.logit_qre.logit_qre`, in its default relative units): as there,
each player's payoffs enter mapped onto [0, 1], so that neither the rest points nor the steps
depend on any player's units. Integrated by fixed-step RK4 (:mod:`kurilsim.analysis.flow`) for any
number of players; nashpy has no such dynamics.

References
----------
.. [1] D. Fudenberg and D. K. Levine, *The Theory of Learning in Games*, MIT Press, 1998,
   chapter 4.
.. [2] R. D. McKelvey and T. R. Palfrey, "Quantal response equilibria for normal form games",
   *Games and Economic Behavior* 10(1), 6-38, 1995.

Examples
--------
>>> import numpy as np
>>> from kurilsim.forms import catalogue
>>> from kurilsim.forms.normal.logit_qre import logit_qre
>>> stag = catalogue.stag_hunt().payoffs
>>> path = logit_dynamics(stag, (np.array([0.5, 0.5]), np.array([0.5, 0.5])), 2.0, 0.1, 500)
>>> bool(np.allclose([p[-1] for p in path], logit_qre(stag, 2.0), atol=1e-9))
True
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from kurilsim.analysis.flow import integrate
from kurilsim.forms.normal.regret import FloatArray, normalised_payoffs, strategy_payoffs


def logit_dynamics(
    payoffs: FloatArray,
    start: Sequence[FloatArray],
    precision: float,
    step_size: float,
    steps: int,
) -> tuple[FloatArray, ...]:
    """Mixtures along the logit response dynamics at ``precision``, every ``step_size``.

    Parameters
    ----------
    payoffs
        Payoff tensor of shape ``(n_1, ..., n_N, N)``.
    start
        One probability vector per player.
    precision
        Lambda, relative to each player's payoff range (as for the logit QRE).
    step_size, steps
        Time between samples and number of samples after the start.

    Returns
    -------
    tuple of ndarray
        One array per player of shape ``(steps + 1, n_i)``; row 0 is ``start``.
    """
    scaled = normalised_payoffs(payoffs)
    return integrate(lambda x: logit_field(scaled, precision, x), start, step_size, steps)


def logit_field(
    payoffs: FloatArray, precision: float, profile: Sequence[FloatArray]
) -> list[FloatArray]:
    """The velocity of each player's mixture: its logit response minus the mixture itself.

    Examples
    --------
    >>> import numpy as np
    >>> from kurilsim.forms import catalogue
    >>> u = catalogue.matching_pennies().payoffs
    >>> [v.tolist() for v in logit_field(u, 3.0, [np.array([0.5, 0.5])] * 2)]
    [[0.0, 0.0], [0.0, 0.0]]
    """
    return [
        logit_response(precision * v) - p
        for p, v in zip(profile, strategy_payoffs(payoffs, profile), strict=True)
    ]


def logit_response(values: FloatArray) -> FloatArray:
    """The logit (softmax) response to ``values`` (already multiplied by the precision)."""
    weights = np.exp(values - values.max())  # shifted: no overflow at any precision
    return np.asarray(weights / weights.sum(), dtype=np.float64)
