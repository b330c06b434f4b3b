"""Why no deal: the information problem behind an equilibrium that loses a deal.

In a signalling game a deal can fail although the receiver would strike it with some type of
sender, had it known the type: at the message that type sends, the receiver's belief puts too
much weight on another type. The fix a signal could bring is undone when the signal is *too
cheap*: a type the receiver would not deal with would send it too. :func:`information_problem`
names the type, the belief and the signal.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from kurilsim.forms.bayesian.assessment import ZERO_MASS, final_payoffs, type_payoffs
from kurilsim.forms.bayesian.game import SignallingGame
from kurilsim.forms.bayesian.perfect_bayesian import SignallingEquilibrium
from kurilsim.forms.normal.result import mixture_text

FloatArray = NDArray[np.float64]


def information_problem(
    game: SignallingGame, equilibrium: SignallingEquilibrium, deals: FloatArray
) -> str:
    """The information problem that keeps a deal from some type, in words.

    Where the deal is lost only with types the receiver would refuse even knowing them, says so;
    empty when no type loses a deal.

    Parameters
    ----------
    game
        The signalling game.
    equilibrium
        The equilibrium whose lost deals are explained.
    deals
        Shape ``(n_types, n_messages, n_responses)``: 1 where the history is a deal (under the
        equilibrium's final actions).

    Examples
    --------
    >>> import numpy as np
    >>> from kurilsim.forms.bayesian.literature import beer_quiche
    >>> from kurilsim.forms.bayesian.solve import solve_signalling
    >>> game = beer_quiche(0.6)  # call sparing the sender a "deal"; the weak type mixes
    >>> solution = solve_signalling(game)
    >>> deals = np.zeros((2, 2, 2)); deals[:, :, 1] = 1
    >>> print(information_problem(game, solution[0], deals))  # doctest: +NORMALIZE_WHITESPACE
    Receiver does not know Sender's type: after beer it believes weak 0.5, strong 0.5 and
    answers duel 0.5, not_duel 0.5, though it would answer not_duel to strong, a deal strong
    prefers too; beer is too cheap a signal: weak sends it too, as being answered with not_duel
    would be worth 2 to it against 1 in this equilibrium
    """
    a = equilibrium.assessment
    payoffs = final_payoffs(game, a.actions)
    sender, receiver = payoffs[..., 0], payoffs[..., 1]
    value = type_payoffs(game, a)
    deal_given_type = (a.sender * (deals * a.receiver[None]).sum(axis=2)).sum(axis=1)
    refused: list[str] = []
    for t in np.argsort(-game.prior):
        if deal_given_type[t] >= 1 - ZERO_MASS or game.prior[t] <= ZERO_MASS:
            continue
        m = int(np.argmax(a.sender[t]))
        known = receiver[t, m]
        deal_replies = [r for r in range(len(game.responses)) if deals[t, m, r] > 0]
        if not deal_replies:
            refused.append(
                f"no answer to {game.messages[m]} makes a deal with {game.sender} as "
                f"{game.types[t]}: its own later move refuses it"
            )
            continue
        r_deal = max(deal_replies, key=lambda r: known[r])
        if known[r_deal] < known.max() - ZERO_MASS:
            refused.append(
                f"{game.receiver} would not answer {game.messages[m]} with "
                f"{game.responses[r_deal]} even knowing {game.sender} is {game.types[t]} "
                "(no information problem there)"
            )
            continue
        belief = ", ".join(
            f"{name} {p:.3g}" for name, p in zip(game.types, a.beliefs[m], strict=True)
        )
        played = mixture_text(game.responses, a.receiver[m])
        text = (
            f"{game.receiver} does not know {game.sender}'s type: after {game.messages[m]} it "
            f"believes {belief} and answers {played}, though it would answer "
            f"{game.responses[r_deal]} to {game.types[t]}"
        )
        if sender[t, m, r_deal] > value[t] + ZERO_MASS:
            text += f", a deal {game.types[t]} prefers too"
        mimics = [
            s for s in range(len(game.types))
            if s != t and a.sender[s, m] > ZERO_MASS
            and receiver[s, m, r_deal] < receiver[s, m].max() - ZERO_MASS
        ]  # fmt: skip
        if mimics:
            s = mimics[0]
            return text + (
                f"; {game.messages[m]} is too cheap a signal: {game.types[s]} sends it too, "
                f"as being answered with {game.responses[r_deal]} would be worth "
                f"{sender[s, m, r_deal]:.3g} to it against {value[s]:.3g} in this equilibrium"
            )
        return text + _signal(game, sender, receiver, value, t, r_deal, m)
    return "; ".join(refused)


def _signal(
    game: SignallingGame,
    sender: FloatArray,
    receiver: FloatArray,
    value: FloatArray,
    t: int,
    r_deal: int,
    m: int,
) -> str:
    """Why no message reveals type ``t``: the one it sends is mimicked, or others are too dear."""
    for other_m in range(len(game.messages)):
        if other_m == m:
            continue
        gain_t = sender[t, other_m, r_deal] - value[t]
        mimics = [
            (s, sender[s, other_m, r_deal] - value[s])
            for s in range(len(game.types))
            if s != t
            and sender[s, other_m, r_deal] > value[s] + ZERO_MASS
            and receiver[s, other_m, r_deal] < receiver[s, other_m].max() - ZERO_MASS
        ]
        if gain_t <= ZERO_MASS:
            continue
        if mimics:
            s, gain = mimics[0]
            return (
                f"; {game.messages[other_m]} cannot tell them apart, as {game.types[s]} would "
                f"send it too if it were answered with {game.responses[r_deal]} (gain {gain:.3g})"
            )
    costly = [
        game.messages[k]
        for k in range(len(game.messages))
        if k != m and sender[t, k, r_deal] <= value[t] + ZERO_MASS
    ]
    if costly:
        return (
            f"; a signal that would separate it ({', '.join(costly)}) costs {game.types[t]} "
            "more than the deal is worth"
        )
    return ""
