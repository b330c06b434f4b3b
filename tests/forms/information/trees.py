"""Hypothesis generators of random trees with information sets and perfect recall.

A player node joins an information set chosen among those of its player that share its player's
own earlier moves and its number of actions, so every tree drawn has perfect recall by
construction, and information sets of several nodes are common.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from kurilsim.forms.information.game import (
    ChanceNode,
    InformationTree,
    Node,
    PlayerNode,
    TerminalNode,
)


@st.composite
def information_trees(
    draw: Any, players: int | None = None, max_leaves: int = 16, max_depth: int = 4
) -> InformationTree:
    """A random tree with information sets: 2 or 3 players (or ``players``), integer payoffs."""
    n_players = players if players is not None else draw(st.integers(2, 3))
    names = [f"P{i + 1}" for i in range(n_players)]
    labels: dict[tuple[Any, ...], str] = {}
    leaves = [0]

    def node(depth: int, history: tuple[tuple[tuple[str, str], ...], ...]) -> Node:
        budget_left = leaves[0] < max_leaves - 3
        kind = (
            draw(st.sampled_from(["player", "player", "chance", "leaf"]))
            if (depth < max_depth and budget_left)
            else "leaf"
        )
        if depth == 0 and kind == "leaf":
            kind = "player"
        if kind == "leaf":
            leaves[0] += 1
            return TerminalNode([draw(st.integers(-3, 3)) for _ in names])
        if kind == "chance":
            weights = draw(st.lists(st.integers(1, 3), min_size=2, max_size=2))
            return ChanceNode(
                {
                    f"c{k}": (w / sum(weights), node(depth + 1, history))
                    for k, w in enumerate(weights)
                }
            )
        player = draw(st.integers(0, n_players - 1))
        width = draw(st.integers(2, 3))
        bucket = draw(st.integers(0, 1))
        key = (player, history[player], width, bucket)
        label = labels.setdefault(key, f"h{len(labels)}")
        actions = {}
        for k in range(width):
            action = f"a{k}"
            moved = list(history)
            moved[player] = (*history[player], (label, action))
            actions[action] = node(depth + 1, tuple(moved))
        return PlayerNode(names[player], label, actions)

    root = node(0, tuple(() for _ in names))
    return InformationTree(names, root, title="random tree")
