"""Games of incomplete information from the literature, with their known equilibria.

Each function returns the game; its docstring gives the source and what is known about it, which
the tests check.
"""

from __future__ import annotations

import numpy as np

from kurilsim.forms.bayesian.game import BayesianGame, SignallingGame


def beer_quiche(weak: float = 0.1) -> SignallingGame:
    """Beer-quiche (Cho and Kreps 1987, sec. II).

    The sender is weak (prior 0.1) or strong; it has beer or quiche for breakfast; the receiver,
    seeing the breakfast, duels or not. The sender gets 1 for its preferred breakfast (quiche
    when weak, beer when strong) and 2 for avoiding the duel; the receiver gets 1 for dueling
    a weak sender or sparing a strong one. Two pooling equilibria exist, on beer and on quiche,
    each with the other breakfast met by a duel under a belief of at least 1/2 on weak; only
    pooling on beer passes the intuitive criterion.

    Examples
    --------
    >>> beer_quiche().prior.tolist()
    [0.1, 0.9]
    """
    payoffs = np.zeros((2, 2, 2, 1, 2))
    for t in range(2):  # 0 weak, 1 strong
        for m in range(2):  # 0 beer, 1 quiche
            for r in range(2):  # 0 duel, 1 not_duel
                preferred = (t == 0 and m == 1) or (t == 1 and m == 0)
                payoffs[t, m, r, 0, 0] = float(preferred) + 2.0 * (r == 1)
                payoffs[t, m, r, 0, 1] = float((t == 0 and r == 0) or (t == 1 and r == 1))
    return SignallingGame(
        sender="Sender",
        receiver="Receiver",
        types=("weak", "strong"),
        prior=np.array([weak, 1 - weak]),
        messages=("beer", "quiche"),
        responses=("duel", "not_duel"),
        actions=("",),
        payoffs=payoffs,
        title="Beer-quiche (Cho and Kreps 1987)",
    )


def battle_of_the_sexes_uncertain(meet: float = 0.5) -> BayesianGame:
    """Battle of the Sexes with uncertain preferences (Osborne 2004, example 274.1).

    Player 2 either wishes to meet player 1 (prior ``meet``) or to avoid it; player 1 does not
    know which. Both prefer their own concert: B (player 1's) or S. With ``meet = 1/2`` the
    pure Bayesian Nash equilibrium is player 1 choosing B, the meeting type B and the avoiding
    type S (Osborne 2004, p. 275); there is no other pure one.

    Examples
    --------
    >>> battle_of_the_sexes_uncertain().types
    (('',), ('meet', 'avoid'))
    """
    # Payoffs (player 1, player 2) by player 2's type, then actions (B, S) x (B, S).
    meet_table = [[(2, 1), (0, 0)], [(0, 0), (1, 2)]]
    avoid_table = [[(2, 0), (0, 2)], [(0, 1), (1, 0)]]
    payoffs = np.array([[meet_table, avoid_table]], dtype=float)  # (1, 2, 2, 2, 2)
    return BayesianGame(
        players=("Player1", "Player2"),
        types=(("",), ("meet", "avoid")),
        priors=(np.array([1.0]), np.array([meet, 1 - meet])),
        actions=(("B", "S"), ("B", "S")),
        payoffs=payoffs,
        title="Battle of the Sexes with uncertain preferences (Osborne 2004)",
    )
