"""The Harsanyi transformation: a signalling game as a tree with a chance move and information sets.

Nature draws the sender's type with the prior; the sender, knowing it, sends a message (one
information set per type); the receiver moves at one information set per message, whose nodes are
the types that could have sent it; the sender's final move, if any, is at a set of one node per
history. The types', messages' and actions' names label the branches and sets, so the tree's own
machinery (:func:`kurilsim.forms.information.assessment.check_assessment`) can check an
equilibrium found here, independently of how it was found.

Examples
--------
>>> from kurilsim.forms.bayesian.literature import beer_quiche
>>> tree = to_information_tree(beer_quiche())
>>> [tree.infoset_name(h) for h in range(len(tree.infosets))]
['Sender: weak', 'Receiver: beer', 'Receiver: quiche', 'Sender: strong']
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from kurilsim.forms.bayesian.assessment import Assessment
from kurilsim.forms.bayesian.game import SignallingGame
from kurilsim.forms.information.game import (
    ChanceNode,
    InformationTree,
    Node,
    PlayerNode,
    TerminalNode,
)

FloatArray = NDArray[np.float64]


def _final_set(game: SignallingGame, t: int, m: int, r: int) -> str:
    return f"{game.types[t]} sent {game.messages[m]}, answered {game.responses[r]}"


def to_information_tree(game: SignallingGame) -> InformationTree:
    """The game as a tree: chance picks the type, then sender, receiver (and sender again)."""

    def after_response(t: int, m: int, r: int) -> Node:
        if not game.sender_acts:
            return TerminalNode(game.payoffs[t, m, r, 0])
        return PlayerNode(
            game.sender,
            _final_set(game, t, m, r),
            {a: TerminalNode(game.payoffs[t, m, r, k]) for k, a in enumerate(game.actions)},
        )

    def sender(t: int) -> Node:
        return PlayerNode(
            game.sender,
            game.types[t],
            {
                message: PlayerNode(
                    game.receiver,
                    message,
                    {r: after_response(t, m, k) for k, r in enumerate(game.responses)},
                )
                for m, message in enumerate(game.messages)
            },
        )

    root = ChanceNode({t: (float(game.prior[k]), sender(k)) for k, t in enumerate(game.types)})
    return InformationTree([game.sender, game.receiver], root, title=game.title)


def tree_assessment(
    game: SignallingGame, tree: InformationTree, assessment: Assessment
) -> tuple[tuple[FloatArray, ...], dict[str, FloatArray]]:
    """The assessment as the tree states it: behaviour per set in order, beliefs by set name."""
    by_name: dict[str, FloatArray] = {}
    beliefs: dict[str, FloatArray] = {}
    for t, name in enumerate(game.types):
        by_name[f"{game.sender}: {name}"] = assessment.sender[t]
    for m, name in enumerate(game.messages):
        by_name[f"{game.receiver}: {name}"] = assessment.receiver[m]
        beliefs[f"{game.receiver}: {name}"] = assessment.beliefs[m]
    if game.sender_acts:
        for t, m, r in np.ndindex(*assessment.actions.shape):
            chosen = np.zeros(len(game.actions))
            chosen[assessment.actions[t, m, r]] = 1.0
            by_name[f"{game.sender}: {_final_set(game, t, m, r)}"] = chosen
    behaviour = tuple(by_name[tree.infoset_name(h)] for h in range(len(tree.infosets)))
    return behaviour, beliefs
