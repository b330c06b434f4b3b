r"""How much a player gains by deviating from a behaviour profile: a best-response pass.

The check every solver's answer passes, computed from the tree alone, independently of how the
profile was found. For player ``i``, the leaves weighted by chance and the other players' moves
give a value to each of ``i``'s sequences; a pass from the last information set to the first
takes, at each, the best action, so the empty sequence ends with the best reply's payoff. The
regret is that payoff less what the profile gives; a Nash equilibrium has none (up to rounding).

Examples
--------
>>> import numpy as np
>>> from kurilsim.forms.information.game import InformationTree, PlayerNode, TerminalNode
>>> pennies = InformationTree(["Even", "Odd"], PlayerNode("Even", "E", {
...     "H": PlayerNode("Odd", "O", {"H": TerminalNode([1, -1]), "T": TerminalNode([-1, 1])}),
...     "T": PlayerNode("Odd", "O", {"H": TerminalNode([-1, 1]), "T": TerminalNode([1, -1])}),
... }))
>>> behaviour_regrets(pennies, (np.array([0.5, 0.5]), np.array([0.5, 0.5]))).tolist()
[0.0, 0.0]
>>> behaviour_regrets(pennies, (np.array([1.0, 0.0]), np.array([0.5, 0.5]))).tolist()
[0.0, 1.0]
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from kurilsim.forms.information.game import InformationTree
from kurilsim.forms.information.sequence_form import Behaviour, SequenceForm, sequence_form

FloatArray = NDArray[np.float64]


def payoff_scale(tree: InformationTree) -> float:
    """The largest range of a player's leaf payoffs, or 1 if every player's are constant."""
    if tree.payoffs.size == 0:
        return 1.0
    ranges = tree.payoffs.max(axis=0) - tree.payoffs.min(axis=0)
    largest = float(ranges.max())
    return largest if largest > 0 else 1.0


def best_sequence_values(
    form: SequenceForm, player: int, leaf_weights: FloatArray
) -> tuple[FloatArray, tuple[int, ...]]:
    """The best value reachable after each of ``player``'s sequences, and a best action per set.

    Parameters
    ----------
    form
        The sequence form of the tree.
    player
        The player's index.
    leaf_weights
        Per leaf: the weight of reaching it from everything but the player's own moves (chance
        and the others' behaviour, times beliefs where the pass starts inside the tree).

    Returns
    -------
    values
        Per sequence: the weighted payoff of the best continuation after it.
    best
        Per information set of the tree: the index of a best action, or -1 for the other
        players' sets.
    """
    tree = form.tree
    values = np.bincount(
        form.leaf_sequences[:, player],
        weights=leaf_weights * tree.payoffs[:, player],
        minlength=form.n_sequences[player],
    ).astype(np.float64)
    best = [-1] * len(tree.infosets)
    # A set's own later sets come after it in the tree's order: go backwards.
    for h in reversed(tree.player_infosets(player)):
        first = int(form.first_sequence[h])
        options = values[first : first + len(tree.infosets[h].actions)]
        best[h] = int(np.argmax(options))
        values[form.parent_sequence[h]] += options[best[h]]
    return values, tuple(best)


def behaviour_regrets(
    tree: InformationTree, behaviour: Behaviour, form: SequenceForm | None = None
) -> FloatArray:
    """Each player's gain from the best reply to the others' behaviour, shape ``(N,)``.

    Parameters
    ----------
    tree
        The tree.
    behaviour
        One probability vector per information set.
    form
        The tree's sequence form, if already built.
    """
    form = sequence_form(tree) if form is None else form
    realization = form.leaf_realization(behaviour)
    reach = form.leaf_chance * np.prod(realization, axis=1)
    regrets = np.zeros(tree.n_players)
    for i in range(tree.n_players):
        others = form.leaf_chance * np.prod(np.delete(realization, i, axis=1), axis=1)
        best, _ = best_sequence_values(form, i, others)
        regrets[i] = max(float(best[0]) - float(reach @ tree.payoffs[:, i]), 0.0)
    return regrets


def max_regret(
    tree: InformationTree, behaviour: Behaviour, form: SequenceForm | None = None
) -> float:
    """The largest of :func:`behaviour_regrets`: 0 for an exact Nash equilibrium."""
    return float(behaviour_regrets(tree, behaviour, form).max())
