r"""Two-level bargaining: a deal must also be ratified at home (Putnam 1988).

Putnam's two-level game has negotiators bargain at the international table (level I) over deals
that their domestic constituencies must then ratify (level II). The set of deals a constituency
would ratify is its *win-set*; an agreement is possible only inside the intersection of the
win-sets, so domestic constraints can remove the deal the negotiators would otherwise strike.

kurilsim reads ratification from each ratifier's *approval* of each deal (for instance, the
share of a public that supports it, or the chance that a veto player lets it pass), in one of
two ways:

* ``"win-set"``: ratifier :math:`r` ratifies deal :math:`k` when its approval reaches the
  threshold :math:`\tau_r`; the deals outside any win-set are removed from the feasible set.
* ``"probability"``: ratifiers decide independently and ratify deal :math:`k` with probability
  equal to their approval; a rejected deal reverts to disagreement, so the negotiators value
  deal :math:`k` at :math:`d + p_k (u_k - d)` with :math:`p_k` the product of the approvals
  (the reading of ratification uncertainty in Iida 1993).
* ``"none"``: ignore ratification (the level-I problem alone).

References
----------
R. D. Putnam, "Diplomacy and domestic politics: the logic of two-level games", *International
Organization* 42(3), 427-460, 1988.
K. Iida, "When and how do domestic constraints matter? Two-level games with uncertainty",
*Journal of Conflict Resolution* 37(3), 403-426, 1993.

Examples
--------
>>> import numpy as np
>>> approval = np.array([[0.8, 1.0], [0.29, 1.0], [0.9, 0.2]])
>>> ratified(approval, np.array([0.5, 0.5])).tolist()
[True, False, False]
>>> ratification_probability(approval).round(3).tolist()
[0.8, 0.29, 0.18]
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

#: The ways ratification can constrain the bargaining problem.
RATIFICATION_MODES = ("win-set", "probability", "none")


def ratified(approval: FloatArray, thresholds: FloatArray) -> BoolArray:
    """Which deals lie in every ratifier's win-set (all of them when there is no ratifier).

    Parameters
    ----------
    approval
        Shape ``(n_deals, n_ratifiers)``: each ratifier's approval of each deal.
    thresholds
        Shape ``(n_ratifiers,)``: the approval each win-set requires.
    """
    return np.asarray(np.all(approval >= thresholds, axis=1))


def ratification_probability(approval: FloatArray) -> FloatArray:
    """The probability that every ratifier approves each deal, deciding independently."""
    return np.asarray(np.prod(approval, axis=1))


def ratified_utilities(
    utilities: FloatArray,
    disagreement: FloatArray,
    approval: FloatArray,
    thresholds: FloatArray,
    mode: str,
) -> tuple[FloatArray, BoolArray]:
    """The deals' utilities as the negotiators see them once ratification is taken into account.

    Parameters
    ----------
    utilities
        Shape ``(n, 2)``: the deals' utilities if ratified.
    disagreement
        Shape ``(2,)``: what a rejected deal leaves each side.
    approval, thresholds
        As for :func:`ratified`.
    mode
        One of :data:`RATIFICATION_MODES`.

    Returns
    -------
    utilities, available
        The utilities to bargain over (expected utilities in ``"probability"`` mode, unchanged
        otherwise), and which deals can be ratified at all (in every win-set, or approved with
        positive probability, or every deal when ``mode`` is ``"none"``).

    Examples
    --------
    >>> u, ok = ratified_utilities(np.array([[1.0, 1.0]]), np.zeros(2), np.array([[0.5]]),
    ...                            np.array([0.6]), "probability")
    >>> u.tolist(), ok.tolist()
    ([[0.5, 0.5]], [True])
    """
    if mode == "none":
        return utilities, np.ones(len(utilities), dtype=bool)
    if mode == "win-set":
        return utilities, ratified(approval, thresholds)
    if mode == "probability":
        p = ratification_probability(approval)
        return disagreement + p[:, None] * (utilities - disagreement), p > 0
    raise ValueError(f"unknown ratification mode {mode!r}; expected one of {RATIFICATION_MODES}")
