"""The intuitive criterion of Cho and Kreps (1987): which off-path beliefs are reasonable.

An equilibrium fails the criterion when some unsent message ``m`` could only pay off for some
types (it is *equilibrium-dominated* for the others: their equilibrium payoff beats anything any
best reply to ``m`` could give them), and once the receiver reads ``m`` as coming from the
remaining types, one of those types gains from sending it whatever best reply follows. In
beer-quiche, pooling on quiche fails: only the strong type could gain from beer.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from kurilsim.forms.bayesian.beliefs import best_reply_region

FloatArray = NDArray[np.float64]


def replies_to(receiver: FloatArray, support: Sequence[int]) -> tuple[int, ...]:
    """The responses that are best replies to some belief over ``support``.

    ``receiver`` holds the receiver's payoffs at one message, shape ``(n_types, n_responses)``.

    Examples
    --------
    >>> import numpy as np
    >>> replies_to(np.array([[1.0, 0.0], [0.0, 1.0]]), [1])  # only the strong type
    (1,)
    """
    return tuple(
        r for r in range(receiver.shape[1]) if len(best_reply_region(receiver, r, support)) > 0
    )


def intuitive_failure(
    sender: FloatArray,
    receiver: FloatArray,
    equilibrium: FloatArray,
    off_path: Sequence[int],
    types: Sequence[str],
    messages: Sequence[str],
    slack: float,
) -> str:
    """Why an equilibrium fails the intuitive criterion, or empty when it passes.

    Parameters
    ----------
    sender, receiver
        Payoffs at each (type, message, response) once the sender's final actions are fixed,
        shape ``(n_types, n_messages, n_responses)`` each.
    equilibrium
        Each type's equilibrium payoff.
    off_path
        The messages not sent in the equilibrium.
    types, messages
        Names, for the explanation.
    slack
        Payoff tolerance.

    Examples
    --------
    >>> import numpy as np
    >>> from kurilsim.forms.bayesian.literature import beer_quiche
    >>> game = beer_quiche()
    >>> s, r = game.payoffs[:, :, :, 0, 0], game.payoffs[:, :, :, 0, 1]
    >>> # Pooling on quiche, beer answered by a duel: the weak type gets 3, the strong 2.
    >>> intuitive_failure(s, r, np.array([3.0, 2.0]), [0], game.types, game.messages, 1e-9)
    'beer: only strong could gain from it (weak would lose whatever the reply), and strong gains ...
    """
    all_types = list(range(len(types)))
    for m in off_path:
        best = [
            float(sender[t, m, list(replies_to(receiver[:, m], all_types))].max())
            for t in all_types
        ]
        dominated = [t for t in all_types if equilibrium[t] > best[t] + slack]
        remaining = [t for t in all_types if t not in dominated]
        if not dominated or not remaining:
            continue
        replies = list(replies_to(receiver[:, m], remaining))
        for t in remaining:
            worst = float(sender[t, m, replies].min())
            if worst > equilibrium[t] + slack:
                return (
                    f"{messages[m]}: only {', '.join(types[s] for s in remaining)} could gain from "
                    f"it ({', '.join(types[s] for s in dominated)} would lose whatever the "
                    f"reply), and {types[t]} gains by sending it under every reply to that "
                    f"reading ({worst:.4g} against {equilibrium[t]:.4g})"
                )
    return ""
