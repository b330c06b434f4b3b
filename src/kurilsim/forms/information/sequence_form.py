r"""The sequence form of a tree with perfect recall (Koller, Megiddo and von Stengel 1996).

A *sequence* of a player is the list of the player's own moves on the way to a node; with
perfect recall it is fixed by its last move, an (information set, action) pair, or is empty. A
*realization plan* gives each sequence the probability that the player's own moves follow it;
it satisfies ``E x = e`` and ``x >= 0``: the empty sequence has weight 1 and at each information
set ``h`` the weights of the sequences ``h a`` add up to that of the sequence leading to ``h``.
A leaf is reached with probability (chance) times the product over players of the weights of
their sequences to it, so expected payoffs are multilinear in the plans and the game's size is
linear in the tree, where the (reduced) normal form can be exponential.

Behaviour strategies are one probability vector per information set, in the order of
:attr:`~kurilsim.forms.information.game.InformationTree.infosets`. A plan gives the behaviour
``x(h a) / x(sequence to h)`` where the set is reached, and uniform play where it is not.

References
----------
.. [1] D. Koller, N. Megiddo and B. von Stengel, "Efficient computation of equilibria for
   extensive two-person games", Games and Economic Behavior 14 (1996) 247-259.
.. [2] B. von Stengel, "Efficient computation of behavior strategies", Games and Economic
   Behavior 14 (1996) 220-246.

Examples
--------
>>> from kurilsim.forms.information.game import InformationTree, PlayerNode, TerminalNode
>>> pennies = InformationTree(["Even", "Odd"], PlayerNode("Even", "E", {
...     "H": PlayerNode("Odd", "O", {"H": TerminalNode([1, -1]), "T": TerminalNode([-1, 1])}),
...     "T": PlayerNode("Odd", "O", {"H": TerminalNode([-1, 1]), "T": TerminalNode([1, -1])}),
... }))
>>> form = sequence_form(pennies)
>>> form.sequence_names(0), form.constraints(0).tolist()
(('∅', 'E:H', 'E:T'), [[1.0, 0.0, 0.0], [-1.0, 1.0, 1.0]])
>>> form.payoff_matrices()[0].tolist()
[[0.0, 0.0, 0.0], [0.0, 1.0, -1.0], [0.0, -1.0, 1.0]]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.errors import InputError
from kurilsim.forms.extensive.game import CHANCE
from kurilsim.forms.information.game import InformationTree

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
#: One probability vector per information set, in the tree's order of information sets.
Behaviour = tuple[FloatArray, ...]

#: Largest number of sequences a player may have for the dense payoff matrices.
MAX_SEQUENCES = 20_000


@dataclass(frozen=True, eq=False)
class SequenceForm:
    """The sequences of each player and what the leaves need of them.

    Attributes
    ----------
    tree
        The tree.
    first_sequence
        Per information set: the owner's sequence number of its first action (its actions'
        sequences are consecutive).
    parent_sequence
        Per information set: the owner's sequence leading to it (0 for the empty one).
    n_sequences
        Per player: how many sequences (the empty one included).
    leaf_sequences
        Shape ``(n_leaves, N)``: each player's sequence to each leaf.
    leaf_chance
        Per leaf: the product of the chance probabilities on its path.
    """

    tree: InformationTree
    first_sequence: IntArray
    parent_sequence: IntArray
    n_sequences: tuple[int, ...]
    leaf_sequences: IntArray
    leaf_chance: FloatArray

    def sequence_names(self, player: int) -> tuple[str, ...]:
        """``"∅"`` and ``"infoset:action"`` for each of ``player``'s sequences, in order."""
        names = ["∅"]
        for h in self.tree.player_infosets(player):
            entry = self.tree.infosets[h]
            names += [f"{entry.label}:{a}" for a in entry.actions]
        return tuple(names)

    def constraints(self, player: int) -> FloatArray:
        """The matrix ``E`` of ``E x = e``: one row for the empty sequence, one per info set."""
        own = self.tree.player_infosets(player)
        matrix = np.zeros((1 + len(own), self.n_sequences[player]))
        matrix[0, 0] = 1.0
        for row, h in enumerate(own, start=1):
            matrix[row, self.parent_sequence[h]] = -1.0
            first = self.first_sequence[h]
            matrix[row, first : first + len(self.tree.infosets[h].actions)] = 1.0
        return matrix

    def payoff_matrices(self) -> tuple[FloatArray, FloatArray]:
        """For two players: ``A`` and ``B``, with expected payoffs ``x @ A @ y`` and ``x @ B @ y``.

        Raises
        ------
        InputError
            If the game does not have two players or a player has more than
            :data:`MAX_SEQUENCES` sequences.
        """
        if self.tree.n_players != 2:
            raise InputError(
                f"the sequence form's payoff matrices are for 2 players; the game has "
                f"{self.tree.n_players}"
            )
        if max(self.n_sequences) > MAX_SEQUENCES:
            raise InputError(
                f"a player has {max(self.n_sequences):,} sequences; the sequence form handles "
                f"at most {MAX_SEQUENCES:,}"
            )
        shape = self.n_sequences
        rows, cols = self.leaf_sequences[:, 0], self.leaf_sequences[:, 1]
        matrices = []
        for i in range(2):
            matrix = np.zeros(shape)
            np.add.at(matrix, (rows, cols), self.leaf_chance * self.tree.payoffs[:, i])
            matrices.append(matrix)
        return matrices[0], matrices[1]

    def realization_plan(self, player: int, behaviour: Behaviour) -> FloatArray:
        """The realization plan of ``player``'s part of a behaviour profile."""
        plan = np.zeros(self.n_sequences[player])
        plan[0] = 1.0
        # Information sets come in the order first met, so a set's parent sequence is set first.
        for h in self.tree.player_infosets(player):
            first = self.first_sequence[h]
            probabilities = behaviour[h]
            plan[first : first + len(probabilities)] = plan[self.parent_sequence[h]] * probabilities
        return plan

    def behaviour(self, plans: Sequence[FloatArray]) -> Behaviour:
        """The behaviour profile of one realization plan per player (uniform where unreached)."""
        profile = []
        for h, entry in enumerate(self.tree.infosets):
            plan = plans[entry.player]
            first = self.first_sequence[h]
            weights = np.maximum(plan[first : first + len(entry.actions)], 0.0)
            total = float(weights.sum())
            if plan[self.parent_sequence[h]] > 0 and total > 0:
                profile.append(weights / total)
            else:
                profile.append(np.full(len(entry.actions), 1.0 / len(entry.actions)))
        return tuple(profile)

    def leaf_realization(self, behaviour: Behaviour) -> FloatArray:
        """Shape ``(n_leaves, N)``: each player's plan weight of the sequence to each leaf."""
        columns = [
            self.realization_plan(i, behaviour)[self.leaf_sequences[:, i]]
            for i in range(self.tree.n_players)
        ]
        return np.stack(columns, axis=1).reshape(len(self.leaf_chance), self.tree.n_players)

    def outcome_probabilities(self, behaviour: Behaviour) -> FloatArray:
        """The probability of reaching each leaf under a behaviour profile."""
        return np.asarray(self.leaf_chance * np.prod(self.leaf_realization(behaviour), axis=1))


def sequence_form(tree: InformationTree) -> SequenceForm:
    """Number the sequences of every player and find each leaf's sequences and chance weight.

    Parameters
    ----------
    tree
        A tree with perfect recall (every :class:`InformationTree` has it).

    Returns
    -------
    SequenceForm
    """
    n_players = tree.n_players
    first_sequence = np.zeros(len(tree.infosets), dtype=np.int64)
    counts = [1] * n_players
    for h, entry in enumerate(tree.infosets):
        first_sequence[h] = counts[entry.player]
        counts[entry.player] += len(entry.actions)
    # Per node: each player's sequence to it and the chance weight, in one prefix-order pass.
    sequences = np.zeros((tree.n_nodes, n_players), dtype=np.int64)
    chance = np.ones(tree.n_nodes)
    parents, movers, moves = tree.parents, tree.movers, tree.moves
    for v in range(1, tree.n_nodes):
        parent = int(parents[v])
        sequences[v] = sequences[parent]
        chance[v] = chance[parent]
        mover = int(movers[parent])
        if mover >= 0:
            sequences[v, mover] = first_sequence[tree.infoset_of[parent]] + moves[v]
        elif mover == CHANCE:
            chance[v] *= tree.probabilities[v]
    parent_sequence = np.array(
        [sequences[entry.nodes[0], entry.player] for entry in tree.infosets], dtype=np.int64
    )
    leaves = list(tree.leaves)
    for array in (first_sequence, parent_sequence):
        array.flags.writeable = False
    return SequenceForm(
        tree,
        first_sequence,
        parent_sequence,
        tuple(counts),
        sequences[leaves],
        chance[leaves],
    )
