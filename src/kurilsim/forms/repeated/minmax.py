r"""Each player's minmax payoff in a stage game: the harshest punishment the others can inflict.

Player :math:`i`'s *pure* minmax is :math:`\min_{a_{-i}} \max_{a_i} u_i(a_i, a_{-i})`, the others
choosing pure strategies; the *mixed* minmax lets the others mix (two-player games: one linear
programme). Every subgame-perfect equilibrium gives each player at least her minmax, so the
minmax bounds how patient a player must be for a profile to be sustained at all.

Examples
--------
>>> import numpy as np
>>> pennies = np.array([[[1, -1], [-1, 1]], [[-1, 1], [1, -1]]], dtype=float)
>>> pure_minmax(pennies, 0)
(1.0, (0, 0))
>>> round(mixed_minmax(pennies, 0)[0], 9)
0.0
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linprog

from kurilsim.core.errors import KurilsimError

FloatArray = NDArray[np.float64]


def pure_minmax(payoffs: FloatArray, player: int) -> tuple[float, tuple[int, ...]]:
    """Player ``player``'s pure minmax payoff, and a pure profile that holds her to it.

    In the profile the others play their punishing strategies and ``player`` her best reply.

    Parameters
    ----------
    payoffs
        Stage payoff tensor, shape ``(n_1, ..., n_N, N)``.
    player
        Index of the punished player.
    """
    own = np.moveaxis(payoffs[..., player], player, 0)
    best = own.max(axis=0)  # her best reply's payoff against each pure profile of the others
    others = tuple(int(c) for c in np.unravel_index(int(np.argmin(best)), best.shape))
    replies: FloatArray = own[(slice(None), *others)]  # type: ignore[arg-type]
    reply = int(np.argmax(replies))
    return float(best[others]), (*others[:player], reply, *others[player:])


def mixed_minmax(payoffs: FloatArray, player: int) -> tuple[float, FloatArray]:
    r"""Player ``player``'s mixed minmax in a two-player game, and the opponent's punishing mixture.

    Solves :math:`\min_{y, v} v` subject to :math:`A y \le v \mathbf 1`, :math:`y` in the
    simplex, where :math:`A` holds the punished player's payoffs (her strategies as rows).

    Raises
    ------
    ValueError
        If the game does not have two players.
    """
    if payoffs.ndim != 3:
        raise ValueError("the mixed minmax is computed for two-player games")
    own = payoffs[..., player] if player == 0 else payoffs[..., player].T
    rows, columns = own.shape
    cost = np.zeros(columns + 1)
    cost[-1] = 1.0
    bound = np.hstack([own, -np.ones((rows, 1))])
    found = linprog(
        cost,
        A_ub=bound,
        b_ub=np.zeros(rows),
        A_eq=np.hstack([np.ones((1, columns)), np.zeros((1, 1))]),
        b_eq=[1.0],
        bounds=[(0, None)] * columns + [(None, None)],
    )
    if found.status != 0:  # a bounded, feasible programme: failure would be a solver bug
        raise KurilsimError(f"the minmax programme failed: {found.message}")
    mixture = np.clip(found.x[:columns], 0.0, None)
    mixture /= mixture.sum()
    # The value read off the mixture itself, not the solver's objective.
    return float((own @ mixture).max()), mixture
