"""The leaves of a tree that agree with a recorded history: the record as an event of play.

Examples
--------
>>> from kurilsim import load_scenario
>>> tree = load_scenario("scenarios/sequence_1956.yaml").compiled.skeleton
>>> record = {"USSR": "offer_two", "US": "threaten", "Japan": "demand_four"}
>>> recorded = recorded_leaves(tree, record)
>>> [tree.node_name(tree.leaves[k]) for k, hit in enumerate(recorded) if hit]
['offer_two > threaten > demand_four']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

import numpy as np
from numpy.typing import NDArray


class Tree(Protocol):
    """What is read of a tree: a game tree or a tree with information sets."""

    @property
    def players(self) -> tuple[str, ...]:
        """The players' names, in order."""

    @property
    def parents(self) -> NDArray[np.int64]:
        """Each node's parent (-1 at the root)."""

    @property
    def movers(self) -> NDArray[np.int64]:
        """Each node's mover: a player's index, or a negative code at chance and leaves."""

    @property
    def moves(self) -> NDArray[np.int64]:
        """Each node's action index at its parent."""

    @property
    def actions(self) -> tuple[tuple[str, ...], ...]:
        """Each node's action labels."""

    @property
    def leaves(self) -> tuple[int, ...]:
        """The leaves, in prefix order."""


def recorded_leaves(tree: Tree, outcome: Mapping[str, str | Sequence[str]]) -> NDArray[np.bool_]:
    """The leaves whose path agrees with ``outcome`` (player -> recorded move or moves).

    A leaf agrees when, for every player named, the path to it has at least one of that player's
    recorded moves, and at every node of the path where that player could make a recorded move,
    makes one. The player's moves at nodes offering none of the recorded ones are left free: the
    record says nothing about them.

    Returns
    -------
    numpy.ndarray
        Booleans, one per leaf in prefix order.
    """
    wanted = {
        tree.players.index(p): {m} if isinstance(m, str) else set(m) for p, m in outcome.items()
    }
    out = np.zeros(len(tree.leaves), dtype=bool)
    for k, leaf in enumerate(tree.leaves):
        made = dict.fromkeys(wanted, False)
        consistent, v = True, leaf
        while v > 0:
            parent = int(tree.parents[v])
            mover = int(tree.movers[parent])
            if mover in wanted and wanted[mover].intersection(tree.actions[parent]):
                taken = tree.actions[parent][tree.moves[v]] in wanted[mover]
                made[mover] |= taken
                consistent &= taken
            v = parent
        out[k] = consistent and all(made.values())
    return out
