r"""From what discount factor a stage outcome, played every round, is subgame-perfect.

For a pure profile :math:`a`, player :math:`i` earns :math:`u_i(a)` on the path and at most
:math:`d_i(a) = \max_{a_i'} u_i(a_i', a_{-i})` by deviating once. If a deviation is answered by a
punishment worth :math:`p_i` per round forever after, she keeps to the path when
:math:`u_i(a) \ge (1 - \delta_i) d_i(a) + \delta_i p_i`, that is from

.. math:: \delta_i^* = \frac{d_i(a) - u_i(a)}{d_i(a) - p_i}

on (0 when she gains nothing by deviating; never, below 1, when :math:`u_i(a) \le p_i` and she
gains). A punishment that pays her more than the path, :math:`p_i > u_i(a)`, deters her only up to
a ceiling: a patient enough player deviates once to start it (:func:`ceilings`). With
:math:`p_i` a stage Nash equilibrium's payoff this is *grim trigger* (Friedman 1971): a
subgame-perfect equilibrium from :math:`\delta_i^*` on. With :math:`p_i` her minmax, it is the
harshest punishment there is: no subgame-perfect equilibrium repeats :math:`a` at a lower
discount factor. In the prisoner's dilemma both give :math:`(T - R) / (T - P)`.

Examples
--------
>>> import numpy as np
>>> pd = np.array([[[3, 3], [0, 5]], [[5, 0], [1, 1]]], dtype=float)
>>> thresholds(pd[..., 0].ravel(), best_deviation(pd)[..., 0].ravel(), 1.0).tolist()
[0.5, inf, 0.0, 0.0]
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]


def best_deviation(payoffs: FloatArray) -> FloatArray:
    """Each player's best payoff from changing only her own strategy, at every pure profile.

    Returns an array of the shape of ``payoffs``: entry ``[a, i]`` is :math:`d_i(a)`.
    """
    players = payoffs.shape[-1]
    return np.stack(
        [
            np.broadcast_to(payoffs[..., i].max(axis=i, keepdims=True), payoffs.shape[:-1])
            for i in range(players)
        ],
        axis=-1,
    )


def thresholds(
    path: ArrayLike, deviation: ArrayLike, punishment: ArrayLike, gain_tol: float = 0.0
) -> FloatArray:
    """The least discount factor at which the path payoff beats deviating and being punished.

    Parameters
    ----------
    path, deviation, punishment
        :math:`u_i(a)`, :math:`d_i(a)` and :math:`p_i`; broadcast against each other.
    gain_tol
        Deviation gains up to this size count as none (threshold 0).

    Returns
    -------
    ndarray
        In ``[0, 1)``, or ``inf`` where no discount factor below 1 suffices.
    """
    u, d, p = (np.asarray(x, dtype=np.float64) for x in (path, deviation, punishment))
    gain = d - u
    with np.errstate(divide="ignore", invalid="ignore"):
        needed = np.where(u > p, gain / (d - p), np.inf)
    return np.asarray(np.where(gain <= gain_tol, 0.0, needed), dtype=np.float64)


def best_other_deviation(payoffs: FloatArray) -> FloatArray:
    r"""Each player's best payoff from a strategy other than her own, at every pure profile.

    Entry ``[a, i]`` is :math:`\max_{a_i' \ne a_i} u_i(a_i', a_{-i})`; ``-inf`` for a player
    with one strategy.

    Examples
    --------
    >>> pd = np.array([[[3, 3], [0, 5]], [[5, 0], [1, 1]]], dtype=float)
    >>> best_other_deviation(pd)[..., 0].tolist()
    [[5.0, 1.0], [3.0, 0.0]]
    """
    out = np.empty_like(payoffs, dtype=np.float64)
    for i in range(payoffs.shape[-1]):
        own = np.moveaxis(payoffs[..., i], i, 0)
        best = np.full(own.shape, -np.inf)
        for j in range(own.shape[0]):
            others = np.delete(own, j, axis=0)
            if others.size:
                best[j] = others.max(axis=0)
        out[..., i] = np.moveaxis(best, 0, i)
    return out


def ceilings(
    path: ArrayLike, other: ArrayLike, punishment: ArrayLike, gain_tol: float = 0.0
) -> FloatArray:
    r"""The largest discount factor at which a punishment better than the path still deters.

    With :math:`p_i > u_i(a)`, deviating to :math:`a_i'` and being "punished" is worth
    :math:`(1 - \delta_i) u_i(a_i', a_{-i}) + \delta_i p_i`, which beats the path once
    :math:`\delta_i > (u_i(a) - o_i) / (p_i - o_i)`, :math:`o_i` the best payoff of another
    strategy (:func:`best_other_deviation`). ``inf`` (no ceiling) where the punishment pays no
    more than the path, within ``gain_tol``, or she has no other strategy.

    Examples
    --------
    >>> ceilings(0.0, -1.0, 1.0).tolist(), ceilings(2.0, -1.0, 1.0).tolist()
    (0.5, inf)
    """
    u, o, p = (np.asarray(x, dtype=np.float64) for x in (path, other, punishment))
    with np.errstate(divide="ignore", invalid="ignore"):
        ceiling = (u - o) / (p - o)
    better = (p > u + gain_tol) & np.isfinite(o)
    return np.asarray(np.where(better, ceiling, np.inf), dtype=np.float64)


def stick_and_carrot_gains(
    payoffs: FloatArray,
    path: tuple[int, ...],
    punishment: tuple[int, ...],
    discount: ArrayLike,
    max_rounds: int,
) -> FloatArray:
    r"""The largest one-round deviation gain in stick-and-carrot, for 1 to ``max_rounds`` rounds.

    Stick-and-carrot plays ``path`` (payoff :math:`u_i(a)`); a deviation starts :math:`L` rounds
    of ``punishment`` (:math:`u_i(m)`), restarted by a deviation during them, then ``path``
    again. With payoffs normalised by :math:`1 - \delta_i`, the value with :math:`r` rounds of
    punishment left is :math:`V_r = (1 - \delta_i^r) u_i(m) + \delta_i^r u_i(a)`
    (:math:`V_0 = u_i(a)`), and a deviation from either phase is worth
    :math:`(1 - \delta_i) o_i + \delta_i V_L`, :math:`o_i` the best payoff of another strategy
    there (:func:`best_other_deviation`). The gain is the largest, over players and states, of
    that less the value of following; 0 where no deviation gains. This is the closed form of
    :func:`~kurilsim.forms.repeated.one_shot_deviation.deviation_gain` on
    :func:`~kurilsim.forms.repeated.one_shot_deviation.stick_and_carrot`, for every
    :math:`L` at once.

    Returns
    -------
    ndarray
        Shape ``(max_rounds,)``: entry ``L - 1`` is the gain with ``L`` rounds of punishment.

    Examples
    --------
    >>> pd = np.array([[[3, 3], [0, 5]], [[5, 0], [1, 1]]], dtype=float)
    >>> stick_and_carrot_gains(pd, (0, 0), (1, 1), [0.4, 0.4], 2).round(6).tolist()
    [0.72, 0.528]
    """
    delta = np.asarray(discount, dtype=np.float64)
    other = best_other_deviation(payoffs)
    u_path, u_punish = payoffs[path], payoffs[punishment]
    weight = delta ** np.arange(1, max_rounds + 1)[:, None]  # delta^L, shape (L, N)
    longest = (1 - weight) * u_punish + weight * u_path  # V_L
    restart = delta * longest
    from_path = (1 - delta) * other[path] + restart - u_path
    # V_r moves monotonically from V_1 to V_L: the least value of following is at an end.
    following = np.minimum((1 - delta) * u_punish + delta * u_path, longest)
    from_punishment = (1 - delta) * other[punishment] + restart - following
    gains = np.maximum(np.maximum(from_path, from_punishment).max(axis=-1), 0.0)
    return np.asarray(gains, dtype=np.float64)
