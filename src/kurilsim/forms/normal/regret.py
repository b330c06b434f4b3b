"""Payoffs of mixed profiles and the regret test every equilibrium must pass.

A mixed profile is a sequence of probability vectors, one per player. A profile is a Nash
equilibrium when no player can gain by switching to another strategy; the largest such gain over
all players is the profile's *max regret*, and it is zero (up to rounding) exactly at an
equilibrium. Tolerances are relative: each player's regret is compared with ``tol`` times that
player's own payoff range (:func:`player_scales`), so that a game whose payoffs are in billions is
judged like the same game in units, and a player with small stakes is judged in their own units
beside a player with large ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.tolerance import DEFAULT_TOL

FloatArray = NDArray[np.float64]

#: How far outside its simplex a method's mixture may come (a root on a face, clipped: a
#: probability or a sum off by about 1e-9) and be put on it; farther is a bug.
SIMPLEX_SLACK = 1e-9


def on_simplex(p: FloatArray) -> FloatArray:
    """``p`` with rounding below zero cut off and the sum brought back to one (along its last axis).

    Examples
    --------
    >>> on_simplex(np.array([[-1e-17, 1.0], [0.25, 0.75]])).tolist()
    [[0.0, 1.0], [0.25, 0.75]]
    """
    p = np.maximum(p, 0.0)
    return np.asarray(p / p.sum(axis=-1, keepdims=True), dtype=np.float64)


def on_simplices(profile: Sequence[FloatArray]) -> tuple[FloatArray, ...]:
    """Each mixture of ``profile`` on its simplex: as it is if there, else :func:`on_simplex`'s.

    A mixture is there when it has no negative probability and sums to one within rounding
    (its length times the machine epsilon); a mixture already there is left unchanged to the
    last bit.

    Examples
    --------
    >>> [x.tolist() for x in on_simplices([np.array([1 + 2e-10, -1e-10]), np.full(3, 1 / 3)])]
    [[1.0, 0.0], [0.3333333333333333, 0.3333333333333333, 0.3333333333333333]]
    """
    return tuple(x if _on_simplex(x) else on_simplex(x) for x in profile)


def _on_simplex(x: FloatArray) -> bool:
    return bool(x.min() >= 0 and abs(float(x.sum()) - 1) <= len(x) * np.finfo(np.float64).eps)


def profile_axes(payoffs: FloatArray) -> tuple[int, ...]:
    """The axes of the players' strategies: the ``N`` axes before the last, after any batch.

    Raises
    ------
    ValueError
        If the array has fewer axes than its players need.

    Examples
    --------
    >>> import numpy as np
    >>> profile_axes(np.zeros((5, 2, 3, 2)))  # 5 games of 2 players
    (1, 2)
    """
    n_players = payoffs.shape[-1]
    if payoffs.ndim - 1 < n_players:
        raise ValueError(
            f"payoffs of shape {payoffs.shape} cannot hold {n_players} players' strategies"
        )
    return tuple(range(payoffs.ndim - 1 - n_players, payoffs.ndim - 1))


def _affine_parts(payoffs: FloatArray) -> tuple[NDArray[np.int64], FloatArray, FloatArray]:
    """Each player's binary exponent ``e``, and the min and range of ``payoffs / 2**e``.

    Dividing by the power of two at or above the player's largest magnitude is exact and brings
    every payoff into ``[-1, 1]``, so the range (at most 2) cannot overflow, however close the
    payoffs come to the largest double. Shapes are ``batch + (N,)``; a player whose payoffs are
    constant has range 0.
    """
    axes = profile_axes(payoffs)
    magnitude = np.abs(payoffs).max(axis=axes)
    exponent = np.frexp(magnitude)[1].astype(np.int64)
    spacer = (1,) * len(axes)
    scaled = np.ldexp(payoffs, -exponent.reshape(exponent.shape[:-1] + spacer + (-1,)))
    low = scaled.min(axis=axes)
    return exponent, low, scaled.max(axis=axes) - low


def normalised_payoffs(payoffs: FloatArray) -> FloatArray:
    """Each player's payoffs mapped onto ``[0, 1]`` by a positive affine map of their own.

    Such a map changes no player's best responses, so the game has the same equilibria; every
    method solves (and every regret check runs) on these payoffs, which makes the answers
    independent of each player's units and free of overflow at any finite payoffs. A player
    whose payoffs are constant gets zeros. Works on one game, shape ``(n_1, ..., n_N, N)``, or
    on a batch with leading axes.

    Examples
    --------
    >>> import numpy as np
    >>> normalised_payoffs(np.array([[[1e308, 5.0], [-1e308, 5.0]]])).tolist()
    [[[1.0, 0.0], [0.0, 0.0]]]
    """
    return _mapped(payoffs, *_affine_parts(payoffs))


def _mapped(
    payoffs: FloatArray, exponent: NDArray[np.int64], low: FloatArray, spread: FloatArray
) -> FloatArray:
    """``payoffs`` under the affine maps :func:`_affine_parts` describes."""
    spacer = (1,) * payoffs.shape[-1]
    shape = low.shape[:-1] + spacer + (-1,)
    scaled = np.ldexp(payoffs, -exponent.reshape(shape))
    divisor = np.where(spread > 0, spread, 1.0)
    return np.asarray((scaled - low.reshape(shape)) / divisor.reshape(shape), dtype=np.float64)


def jointly_normalised_payoffs(payoffs: FloatArray) -> FloatArray:
    """One game's payoffs shifted to start at 0 for each player, all divided by the largest range.

    The same map for every player's units, unlike :func:`normalised_payoffs`: what a model with
    one precision for all players (the logit QRE) needs. Computed without overflow; a player
    whose range is below about ``1e-308`` of the largest gets zeros.

    Examples
    --------
    >>> import numpy as np
    >>> jointly_normalised_payoffs(np.array([[[1e308, 5.0], [-1e308, 6.0]]])).tolist()
    [[[1.0, 0.0], [0.0, 5e-309]]]
    """
    exponent, _, spread = _affine_parts(payoffs)
    if not np.any(spread > 0):
        return normalised_payoffs(payoffs)
    with np.errstate(divide="ignore"):
        widest = int(np.argmax(np.where(spread > 0, np.log2(spread) + exponent, -np.inf)))
    ratio = np.ldexp(spread / spread[widest], exponent - exponent[widest])
    return np.asarray(normalised_payoffs(payoffs) * ratio, dtype=np.float64)


def player_scales(payoffs: FloatArray) -> FloatArray:
    """Each player's payoff range (max minus min), 1 where a player's payoffs are constant.

    Works on one game, shape ``(n_1, ..., n_N, N)``, or on a batch with leading axes: the result
    has shape ``payoffs.shape[:-1-N] + (N,)``. A range beyond the largest double (payoffs near
    ``-1e308`` and ``1e308``) is ``inf``; the methods never use it, they solve on
    :func:`normalised_payoffs`.

    Examples
    --------
    >>> import numpy as np
    >>> player_scales(np.array([[[0.0, 5.0], [1e9, 5.0]]])).tolist()
    [1000000000.0, 1.0]
    """
    exponent, _, spread = _affine_parts(payoffs)
    with np.errstate(over="ignore"):
        scales = np.ldexp(spread, exponent)
    return np.where(spread > 0, scales, 1.0)


def payoff_scale(payoffs: FloatArray) -> float:
    """Return the game's overall payoff scale: the largest of the :func:`player_scales`.

    It is the largest range (max minus min) of any player's payoffs, or 1 when every player's
    payoffs are constant; results report it so that ``max_regret`` can be read in proportion.

    Examples
    --------
    >>> import numpy as np
    >>> payoff_scale(np.array([[[0.0, 2e9], [1e9, 0.0]]]))
    2000000000.0
    """
    n_players = payoffs.shape[-1]
    # Any leading shape: the payoff vectors, seen as the profiles of a one-strategy-each game.
    as_profiles = payoffs.reshape((-1, *(1,) * (n_players - 1), n_players))
    return float(player_scales(as_profiles).max())


def indifferent_everywhere(payoffs: FloatArray, tol: float) -> bool:
    """Whether no player's payoff depends on their own strategy, whatever the others play.

    Then every profile is an equilibrium: the set of equilibria is the whole product of the
    simplices, and its extreme points are the pure profiles. Each player's payoffs are compared
    in units of their own range (:func:`normalised_payoffs`), within ``tol``.

    Examples
    --------
    >>> import numpy as np
    >>> indifferent_everywhere(np.zeros((3, 3, 2)), 1e-9)
    True
    >>> u = np.zeros((2, 2, 2)); u[0, 0, 1] = 1.0  # the column player cares
    >>> indifferent_everywhere(u, 1e-9)
    False
    """
    norm = normalised_payoffs(payoffs)
    return all(bool(np.all(np.ptp(norm[..., i], axis=i) <= tol)) for i in range(payoffs.shape[-1]))


def strategy_payoffs(payoffs: FloatArray, profile: Sequence[FloatArray]) -> list[FloatArray]:
    """Expected payoff of each pure strategy of each player against the others' mixtures.

    Parameters
    ----------
    payoffs
        Payoff tensor of shape ``(n_1, ..., n_N, N)``.
    profile
        One probability vector per player.

    Returns
    -------
    list of ndarray
        Entry ``i`` has shape ``(n_i,)``: player ``i``'s expected payoff from each pure strategy
        while every other player ``j`` plays ``profile[j]``.
    """
    n_players = payoffs.shape[-1]
    supports = [np.flatnonzero(p) for p in profile]
    result = []
    for i in range(n_players):
        # A pure player's axis costs a basic index (a view); a mixed player's axis is cut to
        # its support; what is left is contracted with the joint weights in one product.
        pure = [j != i and len(supports[j]) == 1 for j in range(n_players)]
        index = tuple(int(supports[j][0]) if pure[j] else slice(None) for j in range(n_players))
        table = payoffs[(*index, i)]
        kept = [j for j in range(n_players) if not pure[j]]
        table = np.moveaxis(table, kept.index(i), 0)
        weights = np.ones(())
        for axis, j in enumerate(k for k in kept if k != i):
            if len(supports[j]) < len(profile[j]):
                table = np.take(table, supports[j], axis=axis + 1)
            weights = np.multiply.outer(weights, profile[j][supports[j]])
        result.append(np.asarray(table.reshape(len(profile[i]), -1) @ weights.ravel()))
    return result


def expected_payoffs(payoffs: FloatArray, profile: Sequence[FloatArray]) -> FloatArray:
    """Expected payoff of each player under a mixed profile, shape ``(N,)``, in their units.

    Computed on :func:`normalised_payoffs` and mapped back, so it is finite at any finite payoffs.

    Examples
    --------
    >>> import numpy as np
    >>> u = np.array([[[1e308, 0.0], [-1e308, 1.0]]])
    >>> expected_payoffs(u, [np.array([1.0]), np.array([0.25, 0.75])]).tolist()
    [-5e+307, 0.75]
    """
    return ScaledPayoffs.of(payoffs).expected_payoffs(profile)


def relative_regrets(payoffs: FloatArray, profile: Sequence[FloatArray]) -> FloatArray:
    """Each player's gain from the best unilateral deviation, as a share of their payoff range.

    This is the regret in :func:`normalised_payoffs`, shape ``(N,)``, in ``[0, 1]``: it does not
    depend on the units of any player's payoffs, and keeps rounding in proportion to each
    player's range rather than to the payoffs' magnitude (payoffs of ``1e6 + k / 7`` would
    otherwise carry rounding errors larger than a relative tolerance of ``1e-9`` allows).

    Examples
    --------
    >>> import numpy as np
    >>> shifted = np.array([[[3, 0], [0, 2]], [[0, 1], [1, 0]]]) / 7 + 1e6
    >>> bool(relative_regrets(shifted, [np.array([1, 2]) / 3, np.array([1, 3]) / 4]).max() < 1e-15)
    True
    """
    return ScaledPayoffs.of(payoffs).relative_regrets(profile)


def regrets(payoffs: FloatArray, profile: Sequence[FloatArray]) -> FloatArray:
    """Each player's gain from the best unilateral deviation, shape ``(N,)``, never negative.

    In each player's own units: :func:`relative_regrets` times :func:`player_scales` (``inf``
    only for a regret beyond the largest double, which no equilibrium has).

    Examples
    --------
    >>> import numpy as np
    >>> pd = np.array([[[3, 3], [0, 5]], [[5, 0], [1, 1]]], dtype=float)
    >>> regrets(pd, [np.array([1.0, 0.0]), np.array([1.0, 0.0])]).tolist()
    [2.0, 2.0]
    """
    return ScaledPayoffs.of(payoffs).regrets(profile)


def max_regret(payoffs: FloatArray, profile: Sequence[FloatArray]) -> float:
    """Largest gain any player gets from a unilateral deviation (0 at a Nash equilibrium).

    Examples
    --------
    >>> import numpy as np
    >>> pennies = np.array([[[1, -1], [-1, 1]], [[-1, 1], [1, -1]]], dtype=float)
    >>> max_regret(pennies, [np.array([0.5, 0.5]), np.array([0.5, 0.5])])
    0.0
    >>> max_regret(pennies, [np.array([1.0, 0.0]), np.array([1.0, 0.0])])
    2.0
    """
    return float(regrets(payoffs, profile).max())


def is_equilibrium(
    payoffs: FloatArray, profile: Sequence[FloatArray], tol: float = DEFAULT_TOL
) -> bool:
    """Whether no player gains more than ``tol`` times their own payoff range by deviating."""
    return ScaledPayoffs.of(payoffs).is_equilibrium(profile, tol)


@dataclass(frozen=True)
class ScaledPayoffs:
    """One game's payoffs with each player's map onto ``[0, 1]`` worked out once.

    The functions above each map the whole payoff tensor; checking many profiles of one game
    (every equilibrium a method returns) through one of these maps it once, not once per
    profile, which on a game with a million pure equilibria is the difference between seconds
    and hours.

    Examples
    --------
    >>> import numpy as np
    >>> pd = ScaledPayoffs.of(np.array([[[3, 3], [0, 5]], [[5, 0], [1, 1]]], dtype=float))
    >>> defect = [np.array([0.0, 1.0]), np.array([0.0, 1.0])]
    >>> pd.regrets(defect).tolist(), pd.is_equilibrium(defect, 1e-9)
    ([0.0, 0.0], True)
    >>> pd.expected_payoffs(defect).tolist()
    [1.0, 1.0]
    """

    exponent: NDArray[np.int64]
    low: FloatArray
    spread: FloatArray
    normalised: FloatArray

    @classmethod
    def of(cls, payoffs: FloatArray) -> ScaledPayoffs:
        """Map one game's payoffs, shape ``(n_1, ..., n_N, N)``."""
        exponent, low, spread = _affine_parts(payoffs)
        return cls(exponent, low, spread, _mapped(payoffs, exponent, low, spread))

    def relative_regrets(self, profile: Sequence[FloatArray]) -> FloatArray:
        """As :func:`relative_regrets`, on this game."""
        per_strategy = strategy_payoffs(self.normalised, profile)
        return np.array(
            [max(float(v.max() - v @ p), 0.0) for v, p in zip(per_strategy, profile, strict=True)]
        )

    def relative_regrets_of_many(self, profiles: Sequence[FloatArray]) -> FloatArray:
        """As :func:`relative_regrets`, for many profiles at once.

        Parameters
        ----------
        profiles
            Per player ``i`` an array ``(K, n_i)``: row ``k`` is the player's mixture in
            profile ``k``.

        Returns
        -------
        ndarray
            ``(K, N)``: each player's relative regret in each profile.

        Examples
        --------
        >>> import numpy as np
        >>> pd = ScaledPayoffs.of(np.array([[[3, 3], [0, 5]], [[5, 0], [1, 1]]], dtype=float))
        >>> cooperate, defect = np.array([1.0, 0.0]), np.array([0.0, 1.0])
        >>> both = np.array([cooperate, defect])
        >>> pd.relative_regrets_of_many([both, both]).tolist()
        [[0.4, 0.4], [0.0, 0.0]]
        """
        n_players = len(profiles)
        result = np.zeros((len(profiles[0]), n_players))
        batch = n_players  # the label of the profiles' axis; players' axes are 0 .. N - 1
        for i in range(n_players):
            operands: list[Any] = [self.normalised[..., i], list(range(n_players))]
            for j in range(n_players):
                if j != i:
                    operands += [profiles[j], [batch, j]]
            # u_i(s, x_{-i}) for every strategy s of i and every profile, in one contraction
            values = np.einsum(*operands, [batch, i])
            own = np.sum(values * profiles[i], axis=1)
            result[:, i] = np.maximum(values.max(axis=1) - own, 0.0)
        return result

    def regrets(self, profile: Sequence[FloatArray]) -> FloatArray:
        """As :func:`regrets`, on this game."""
        with np.errstate(over="ignore"):
            return np.asarray(
                np.ldexp(self.relative_regrets(profile) * self.spread, self.exponent),
                dtype=np.float64,
            )

    def is_equilibrium(self, profile: Sequence[FloatArray], tol: float) -> bool:
        """As :func:`is_equilibrium`, on this game."""
        return bool(np.all(self.relative_regrets(profile) <= tol))

    def expected_payoffs(self, profile: Sequence[FloatArray]) -> FloatArray:
        """As :func:`expected_payoffs`, on this game."""
        per_strategy = strategy_payoffs(self.normalised, profile)
        values = np.array([float(v @ p) for v, p in zip(per_strategy, profile, strict=True)])
        expected = np.ldexp(self.low + values * self.spread, self.exponent)
        return np.asarray(expected, dtype=np.float64)
